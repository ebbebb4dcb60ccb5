"""How the mixer joins clips (:class:`MixSettings`) and the PCM it works in: mono 16-bit at the mix rate."""

from __future__ import annotations

import os
from dataclasses import dataclass

from pipeline.errors import BadInput

SAMPLE_RATES = (16000, 22050, 24000, 32000, 44100, 48000)
WIDTH = 2  # bytes per sample: 16-bit PCM

#: Silence kept before a clip's detected speech start and after its end (ms), so soft onsets and decays
#: survive the trim; the gap between two clips' speech is exactly the configured gap regardless.
KEEP_LEAD_MS = 10
KEEP_TAIL_MS = 40


@dataclass(frozen=True)
class MixSettings:
    """How clips are joined."""

    gap_part_ms: int = 300
    """Silence between requests of one turn (250–350 sounds natural)."""
    gap_speaker_ms: int = 600
    """Silence at a change of turn, i.e. of speaker (500–700)."""
    gap_chapter_ms: int = 1300
    """Silence before a chapter's first clip and after the intro (1200–1500)."""
    gap_join_ms: int = 40
    """Silence before a request that continues the previous one mid-sentence (``Request.continues``:
    an English word inside Chinese read by another espeak-ng voice)."""
    fade_ms: int = 8
    """Fade-in/out at each clip's edges so joins never click."""
    sample_rate: int = 44100
    """Sample rate of the master (mono, 16-bit)."""
    level_match: bool = True
    """Bring every speaker (and the narrator) to the same loudness before mixing."""
    target_lufs: float = -20.0
    """Common loudness of the speakers in the master (lowered if a speaker's peaks would clip)."""
    tail_ms: int = 500
    """Silence after the last clip."""
    workers: int = 0
    """Threads decoding clips at once; 0 means min(4, CPU count)."""
    section_min_s: int = 120
    """Audio (s) between two section cuts at least; an edition shorter than twice this is one section
    (and 0 makes every edition one section)."""
    section_max_s: int = 600
    """Audio (s) after which the next change of turn is a cut, whatever its hash says."""
    section_odds: int = 6
    """A change of turn (once ``section_min_s`` has passed) is a cut when a hash of its clip is a multiple
    of this: cuts depend on the words, not on times, so an edit moves none but its own section's."""

    def __post_init__(self) -> None:
        for name in ("gap_part_ms", "gap_speaker_ms", "gap_chapter_ms", "gap_join_ms", "tail_ms"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 10_000:
                raise BadInput(f"{name} must be a whole number of ms from 0 to 10000, not {value!r}")
        if not isinstance(self.fade_ms, int) or not 0 <= self.fade_ms <= 100:
            raise BadInput(f"fade_ms must be from 0 to 100 ms, not {self.fade_ms!r}")
        if self.sample_rate not in SAMPLE_RATES:
            raise BadInput(f"sample_rate must be one of {', '.join(map(str, SAMPLE_RATES))}, not {self.sample_rate!r}")
        if not -40.0 <= self.target_lufs <= -10.0:
            raise BadInput(f"target_lufs must be from -40 to -10 LUFS, not {self.target_lufs!r}")
        if not isinstance(self.workers, int) or not 0 <= self.workers <= 32:
            raise BadInput(f"workers must be from 0 to 32, not {self.workers!r}")
        if not 0 <= self.section_min_s <= self.section_max_s or not 1 <= self.section_odds <= 1000:
            raise BadInput("sections need 0 <= section_min_s <= section_max_s and section_odds from 1 to 1000")

    @property
    def threads(self) -> int:
        """Threads decoding or measuring at once."""
        return self.workers or min(4, os.cpu_count() or 1)


def ms(frames: int, rate: int) -> int:
    """``frames`` at ``rate`` in whole ms."""
    return round(frames * 1000 / rate)
