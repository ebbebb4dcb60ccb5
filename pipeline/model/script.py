"""Typed data of a parsed transcript: what ingest produces."""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field

from pipeline.errors import BadInput

#: Speaker id used for the narrator who reads the generated intro.
NARRATOR_ID = "narrator"
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


# --------------------------------------------------------------------------------------------- script


@dataclass(frozen=True)
class Span:
    """A piece of a turn's text: either speech or a stage direction such as （笑） or [inaudible]."""

    text: str
    """The characters exactly as they appear in the turn's text."""
    spoken: bool = True
    """False for stage directions, which are kept but not spoken by default."""


@dataclass(frozen=True)
class Speaker:
    """One person in the conversation."""

    id: str
    """Stable id used by turns (``s1``, ``s2`` … in order of first appearance, or as given in a JSON script)."""
    name: str
    """Display name, e.g. ``勞勃·西原`` or ``Audrey Tang``."""
    label: str
    """The label as first written in the source, e.g. ``勞勃·西原(Robert Nishihara)``."""
    aliases: tuple[str, ...] = ()
    """Other ways the source writes this speaker (e.g. ``Robert Nishihara``); all map to this speaker."""
    role: str | None = None
    """``host`` or ``guest`` when the source says so, else None (casting decides)."""
    gender: str | None = None
    """``female`` / ``male`` when known from the source or a cast file, else None."""

    def __post_init__(self) -> None:
        if not _ID_RE.match(self.id) or self.id == NARRATOR_ID:
            raise BadInput(f"invalid speaker id {self.id!r}: use letters, digits, '_', '-', '.' (not 'narrator')")
        if not self.name.strip():
            raise BadInput(f"speaker {self.id!r} has an empty name")
        if self.role not in (None, "host", "guest"):
            raise BadInput(f"speaker {self.id!r}: role must be host or guest, not {self.role!r}")
        if self.gender not in (None, "female", "male"):
            raise BadInput(f"speaker {self.id!r}: gender must be female or male, not {self.gender!r}")


@dataclass(frozen=True)
class Chapter:
    """A section heading of the source; a chapter of the edition."""

    title: str
    """The heading text."""
    start_turn: int
    """Index of the first turn in this chapter."""


@dataclass(frozen=True)
class Turn:
    """One uninterrupted contribution by one speaker (consecutive labels of one speaker are merged)."""

    speaker: str
    """The :attr:`Speaker.id` of who speaks."""
    text: str
    """The full text, paragraphs joined with a newline, stage directions included."""
    chapter: int | None = None
    """Index into :attr:`Script.chapters`, or None when the turn precedes every heading."""
    spans: tuple[Span, ...] = ()
    """``text`` split into speech and stage-direction spans; their texts concatenate to ``text``.
    Empty means the whole text is speech."""

    def __post_init__(self) -> None:
        if not self.spans:
            object.__setattr__(self, "spans", (Span(self.text, True),))
        elif "".join(s.text for s in self.spans) != self.text:
            raise ValueError("Turn.spans must concatenate to Turn.text")

    @property
    def spoken_text(self) -> str:
        """The text without stage directions."""
        return "".join(s.text for s in self.spans if s.spoken)


@dataclass(frozen=True)
class SourceInfo:
    """Where a script came from."""

    path: str
    """The path as given by the user (or ``<string>``)."""
    format: str
    """``article``, ``inline``, ``markdown``, ``vtt``, ``srt``, ``json``, ``podcasting`` (a Podcasting 2.0 JSON
    transcript), ``html`` or ``plain``."""
    encoding: str = "utf-8"
    """The detected text encoding."""
    sha256: str = ""
    """Hex digest of the raw bytes read."""


@dataclass(frozen=True)
class Script:
    """A parsed transcript: who says what, in which chapter, with the source's metadata."""

    title: str
    """Episode title (from the source, or the file name when it has none)."""
    language: str
    """BCP-47 tag: ``zh-TW``, ``zh-CN``, ``en``, …"""
    speakers: tuple[Speaker, ...]
    """Everyone who speaks, in order of first appearance."""
    turns: tuple[Turn, ...]
    """The dialogue in order."""
    chapters: tuple[Chapter, ...] = ()
    """Section headings in order; ``start_turn`` is non-decreasing."""
    published: _dt.date | None = None
    """Publication date when the source gives one."""
    description: str = ""
    """The source's intro paragraphs (never spoken as dialogue)."""
    key_points: tuple[str, ...] = ()
    """The source's own key points (e.g. 核心觀點), when present."""
    source: SourceInfo = field(default_factory=lambda: SourceInfo("<string>", "json"))
    """Provenance of the script."""
    warnings: tuple[str, ...] = field(default=(), compare=False)
    """What the reader accepted but a user should hear about (one line each): loose cue timings, labels
    it could not resolve."""

    def __post_init__(self) -> None:
        ids = [s.id for s in self.speakers]
        if len(set(ids)) != len(ids):
            raise BadInput("duplicate speaker ids in script")
        known = set(ids)
        for i, t in enumerate(self.turns):
            if t.speaker not in known:
                raise BadInput(f"turn {i} names unknown speaker {t.speaker!r}")
            if t.chapter is not None and not (0 <= t.chapter < len(self.chapters)):
                raise BadInput(f"turn {i} names chapter {t.chapter} but there are {len(self.chapters)}")
        last = 0
        for c in self.chapters:
            if c.start_turn < last or c.start_turn > len(self.turns):
                raise BadInput(f"chapter {c.title!r} starts at turn {c.start_turn}, out of order")
            last = c.start_turn

    def speaker(self, speaker_id: str) -> Speaker:
        """The speaker with this id (KeyError when unknown)."""
        for s in self.speakers:
            if s.id == speaker_id:
                return s
        raise KeyError(speaker_id)


