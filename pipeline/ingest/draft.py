"""Build a :class:`~pipeline.model.Script` from what a format parser found.

Parsers feed a :class:`Draft` with metadata, chapter headings, speaker labels and paragraphs; the draft
resolves one speaker written several ways into one :class:`Speaker`, merges consecutive turns of one
speaker within a chapter, drops chapters without turns, marks stage directions and detects the language.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field

from pipeline.errors import BadInput
from pipeline.ingest import directions
from pipeline.ingest.clean import CJK
from pipeline.ingest.labels import LabelParts
from pipeline.ingest.language import detect_language
from pipeline.ingest.learn import Groups
from pipeline.model import Chapter, Script, SourceInfo, Speaker, Turn


@dataclass
class _Block:
    """One speaker label and the paragraphs under it."""

    label: LabelParts
    """The label as read."""
    chapter: int | None
    """Index of the heading it follows, or None."""
    paragraphs: list[tuple[str, bool]] = field(default_factory=list)
    """(text, spoken) paragraphs; spoken False for notes such as blockquotes."""


@dataclass
class Draft:
    """A transcript being read: metadata plus labelled blocks in order."""

    title: str = ""
    """Episode title ("" until found; the file name stands in at build time)."""
    published: _dt.date | None = None
    """Publication date, when found."""
    description: list[str] = field(default_factory=list)
    """Intro paragraphs."""
    key_points: list[str] = field(default_factory=list)
    """The source's key points."""
    _chapters: list[str] = field(default_factory=list)
    """Chapter headings in order."""
    _blocks: list[_Block] = field(default_factory=list)
    """One block per speaker label, in order."""

    def chapter(self, title: str) -> None:
        """A section heading: later turns belong to it."""
        self._chapters.append(title.strip())

    def turn(self, label: LabelParts) -> None:
        """A speaker label: the paragraphs that follow are theirs."""
        self._blocks.append(_Block(label, len(self._chapters) - 1 if self._chapters else None))

    def paragraph(self, text: str, spoken: bool = True) -> bool:
        """Add a paragraph to the current turn (``spoken=False`` for a note); False when there is none."""
        if not self._blocks:
            return False
        text = text.strip()
        if text:
            self._blocks[-1].paragraphs.append((text, spoken))
        return True

    def build(self, source: SourceInfo, fallback_title: str) -> Script:
        """The finished script; :class:`BadInput` when nothing is said in it."""
        groups = Groups()
        roots = [groups.add(b.label) for b in self._blocks]
        roots = [groups.find(r) for r in roots]
        members: dict[str, list[LabelParts]] = {}
        for r, b in zip(roots, self._blocks, strict=True):
            members.setdefault(r, []).append(b.label)
        speaking = [(r, b) for r, b in zip(roots, self._blocks, strict=True) if b.paragraphs]
        ids: dict[str, str] = {}
        for r, _ in speaking:
            ids.setdefault(r, f"s{len(ids) + 1}")
        merged: list[tuple[str, int | None, list[tuple[str, bool]]]] = []
        for r, b in speaking:
            if merged and merged[-1][0] == ids[r] and merged[-1][1] == b.chapter:
                merged[-1][2].extend(b.paragraphs)
            else:
                merged.append((ids[r], b.chapter, list(b.paragraphs)))
        chapter_map: dict[int, int] = {}
        chapters: list[Chapter] = []
        turns: list[Turn] = []
        for sid, chap, paragraphs in merged:
            if chap is not None and chap not in chapter_map:
                chapter_map[chap] = len(chapters)
                chapters.append(Chapter(self._chapters[chap], len(turns)))
            turns.append(make_turn(sid, paragraphs, chapter_map.get(chap) if chap is not None else None))
        spoken = "\n".join(t.spoken_text for t in turns)
        if not spoken.strip():
            raise BadInput(f"{source.path}: found no speech to read (no dialogue after the labels)")
        language = detect_language(spoken)
        speakers = [_speaker(sid, members[r], cjk_names=language.startswith(("zh", "ja", "ko")))
                    for r, sid in ids.items()]
        return Script(
            title=self.title.strip() or fallback_title,
            language=language,
            speakers=tuple(speakers),
            turns=tuple(turns),
            chapters=tuple(chapters),
            published=self.published,
            description="\n".join(d.strip() for d in self.description if d.strip()),
            key_points=tuple(k.strip() for k in self.key_points if k.strip()),
            source=source,
        )


def make_turn(speaker: str, paragraphs: list[tuple[str, bool]], chapter: int | None) -> Turn:
    """One turn from its paragraphs (joined by newlines); unspoken paragraphs become direction spans."""
    parts: list[str] = []
    forced: list[tuple[int, int]] = []
    pos = 0
    for text, spoken in paragraphs:
        if parts:
            pos += 1
        parts.append(text)
        if not spoken:
            forced.append((pos, pos + len(text)))
        pos += len(text)
    text = "\n".join(parts)
    return Turn(speaker, text, chapter, directions.spans_for(text, forced))


def _speaker(sid: str, labels: list[LabelParts], *, cjk_names: bool) -> Speaker:
    """One speaker from every way the source writes them.

    The name is the form in the transcript's own script: ``勞勃·西原`` from ``勞勃·西原(Robert Nishihara)``
    (or from ``Robert Nishihara(勞勃·西原)``) in a Chinese transcript, ``Audrey Tang`` from
    ``Audrey Tang (唐鳳)`` in an English one; the label is the form first written.
    """
    first = labels[0]
    paired = next((p for p in labels if p.alt), None)
    name = first.name
    if paired is not None:
        name = paired.name
        if bool(CJK.search(paired.alt)) == cjk_names and bool(CJK.search(paired.name)) != cjk_names:
            name = paired.alt
    forms: list[str] = []
    for p in labels:
        for form in (p.label, p.name, p.alt):
            if form and form not in forms and form not in (name, first.label):
                forms.append(form)
    role = next((p.role for p in labels if p.role), None)
    return Speaker(sid, name, first.label, tuple(forms), role)
