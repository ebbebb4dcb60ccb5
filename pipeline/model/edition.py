"""Typed data of one whole edition, as the output writers take it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.model.audio import Placement, TimedChapter
from pipeline.model.cast import Cast
from pipeline.model.script import Script

# ------------------------------------------------------------------------------------------- edition


@dataclass(frozen=True)
class Summary:
    """The generated (or source) spoken intro."""

    points: tuple[str, ...]
    """3–5 key points, each one sentence, in the transcript's language."""
    intro: str
    """The full intro script the narrator reads (greeting, title, speakers, points, chapters, hand-over)."""
    mode: str = "auto"
    """``auto`` (generated from the dialogue) or ``source`` (the source's key points)."""

    def to_dict(self) -> dict:
        """JSON form for ``recast summarize --json``."""
        return {"intro": self.intro, "points": list(self.points), "mode": self.mode}


@dataclass(frozen=True)
class Edition:
    """Everything the output writers need to write one edition (audio mixed; its final gain planned)."""

    script: Script
    """The parsed transcript."""
    cast: Cast
    """Voices of speakers and narrator."""
    summary: Summary | None
    """The spoken intro, or None with ``--intro none``."""
    placements: tuple[Placement, ...]
    """Every clip's speech in edition time, in play order (intro requests first)."""
    chapters: tuple[TimedChapter, ...]
    """Edition chapters in time order: the intro chapter (when there is an intro) then the script's."""
    duration_ms: int
    """Duration of the mixed edition."""
    slug: str
    """ASCII folder name of the edition, e.g. ``2024-10-22-openai-cpo``."""
    show_title: str
    """Album / show name written into tags."""
    engine: str
    """Engine actually used (``edge`` or ``espeak``)."""
    engine_version: str
    """Engine version string (edge-tts or espeak-ng version)."""
    cover: Path | None = None
    """Cover image given with ``--cover``."""
