"""Typed data of synthesis and mixing: requests, clips, placements, loudness and the streamed master."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.model.cast import VoiceSettings

# ------------------------------------------------------------------------------------------ synthesis


@dataclass(frozen=True)
class Request:
    """One speech request: a piece of one turn (or of the intro) sent to the engine as one call."""

    index: int
    """Position in the edition (0-based, in play order)."""
    speaker: str
    """Speaker id, or :data:`NARRATOR_ID` for the intro."""
    text: str
    """Prepared plain text to speak (never markup; engines escape it)."""
    voice: VoiceSettings
    """How to speak it."""
    turn: int | None
    """Index of the script turn it belongs to; None for intro requests."""
    part: int
    """Position within its turn (or within the intro)."""
    chapter: int | None
    """Script chapter index of its turn; None for intro requests and turns before every heading."""
    lang: str = ""
    """Language of this piece when it differs from the script's (espeak-ng script runs), else ``""``."""
    continues: bool = False
    """True when this request continues the previous one mid-sentence (an espeak-ng script-run split, e.g.
    an English word inside Chinese): the mixer joins the two with a very short gap."""

    def __post_init__(self) -> None:
        if not self.text.strip():
            raise ValueError("empty request text")


@dataclass(frozen=True)
class SentenceTiming:
    """Where one sentence lies inside a clip, as the engine reported it."""

    text: str
    """The sentence text."""
    start_ms: int
    """Start, in ms from the start of the clip's audio as returned by the engine."""
    end_ms: int
    """End, in ms from the start of the clip's audio."""

    def __post_init__(self) -> None:
        if self.start_ms < 0 or self.end_ms < self.start_ms:
            raise ValueError(f"bad sentence timing {self.start_ms}..{self.end_ms}")


@dataclass(frozen=True)
class Synthesis:
    """What an engine returns for one request."""

    audio: bytes
    """Encoded audio (``format``)."""
    format: str
    """``mp3`` (Edge: 24 kHz 48 kbps mono) or ``wav``."""
    sentences: tuple[SentenceTiming, ...]
    """Sentence timings reported by the engine (may be empty when the engine has none)."""
    duration_ms: int
    """Duration of the decoded audio."""


@dataclass(frozen=True)
class Clip:
    """A synthesized request, stored in the clip cache."""

    request: Request
    """The request it answers."""
    path: Path
    """The cached audio file."""
    format: str
    """``mp3`` or ``wav``."""
    duration_ms: int
    """Duration of the audio file."""
    sentences: tuple[SentenceTiming, ...]
    """Sentence timings relative to the start of the audio file."""
    cached: bool
    """True when it came from the cache, False when synthesized in this run."""


# ----------------------------------------------------------------------------------------------- mix


@dataclass(frozen=True)
class Placement:
    """Where a clip's trimmed speech lies in the edition."""

    request: Request
    """The request the clip answers."""
    start_ms: int
    """Start of the (trimmed) speech in the edition."""
    end_ms: int
    """End of the (trimmed) speech in the edition."""
    sentences: tuple[SentenceTiming, ...]
    """Sentence timings in edition time (absolute ms), clamped inside [start_ms, end_ms]."""


@dataclass(frozen=True)
class TimedChapter:
    """A chapter of the edition with times."""

    title: str
    """Chapter title (the intro chapter first)."""
    start_ms: int
    """Where its first clip's speech starts (0 for the first chapter)."""
    end_ms: int
    """Where the next chapter starts, or the end of the audio."""


@dataclass(frozen=True)
class Loudness:
    """EBU R128 measurement of an encoded file (ffmpeg ebur128)."""

    integrated_lufs: float
    """Integrated loudness."""
    true_peak_dbtp: float
    """True peak."""
    lra: float
    """Loudness range in LU."""


@dataclass(frozen=True)
class Section:
    """A stretch of the master the encoders encode on its own (see ``pipeline.mix``)."""

    start: int
    """First frame; a multiple of whole MP3 and AAC frames, in silence."""
    end: int
    """Frame after the last (the next section's start, or the master's end)."""
    key: str
    """Names the PCM of the stretch (before the final gain and limiter): same key, same samples."""


@dataclass(frozen=True)
class Master:
    """The edition's audio before its final gain: mono 16-bit PCM, streamed on demand, never held whole.

    The mixer describes it (loudness combined from per-speaker measurements, no pass over the whole
    edition); the audio writers stream it through the final gain and limiter into every encoder at once.
    """

    sample_rate: int
    """Frames per second."""
    frames: int
    """Length in frames."""
    loudness_lufs: float
    """Integrated loudness (BS.1770 gating) of the PCM as streamed, measured or combined from its parts."""
    peak_dbfs: float
    """Highest sample level of the PCM as streamed (−inf for silence)."""
    read: Callable[[], Iterator[bytes]]
    """A fresh pass over the PCM (mono s16le), in order, in chunks of bounded size."""
    gain_db: float = 0.0
    """Final gain that brings it to the target loudness (with the limiter below, when there is one)."""
    limit_dbfs: float | None = None
    """Level of the limiter after the final gain (sample peaks); None when the gain alone stays under the
    true-peak ceiling."""
    final_lufs: float | None = None
    """Loudness expected after the final gain and limiter (measured on the parts through them)."""
    sections: tuple[Section, ...] = ()
    """The stretches the encoders may encode apart and keep between renders, in order, covering every
    frame; empty when the master is encoded in one pass."""
    read_range: Callable[[int, int], Iterator[bytes]] | None = None
    """A pass over the frames from the first argument to the second (given with ``sections``)."""

    @property
    def duration_ms(self) -> int:
        """Length in ms."""
        return round(self.frames * 1000 / self.sample_rate)


