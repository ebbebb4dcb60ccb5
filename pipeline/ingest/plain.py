"""Transcripts without speaker labels: one narrator reads every paragraph."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence

from pipeline.errors import BadInput
from pipeline.ingest import header as hdr
from pipeline.ingest.clean import join_fragments
from pipeline.ingest.draft import make_turn
from pipeline.ingest.labels import LabelParts
from pipeline.ingest.language import detect_language
from pipeline.model import Chapter, Script, SourceInfo, Speaker, Turn

#: Paragraphs are grouped into turns of about this many characters (never splitting a paragraph).
TURN_CHARS = 1200


def narrator_label(language: str) -> LabelParts:
    """The narrator of an unlabelled transcript, named in its language."""
    name = "旁白" if language.startswith("zh") else "ナレーター" if language == "ja" else "Narrator"
    return LabelParts(name, name)


def paragraphs(raw_lines: Sequence[str]) -> list[str]:
    """Paragraphs: blank-line separated blocks (hard-wrapped lines joined), or every line when the text
    has no blank lines."""
    has_blank = any(not ln.strip() for ln in raw_lines)
    if not has_blank:
        return [ln.strip() for ln in raw_lines if ln.strip()]
    out: list[str] = []
    block: list[str] = []
    for ln in [*raw_lines, ""]:
        if ln.strip():
            block.append(ln.strip())
            continue
        if block:
            out.append(join_fragments(block))
            block = []
    return out


def parse_plain(raw_lines: Sequence[str], source: SourceInfo, fallback_title: str) -> Script:
    """One narrator, paragraphs grouped into turns; a title-like first line becomes the title."""
    paras = [p for p in paragraphs(hdr.strip_footer(list(raw_lines))) if not hdr.is_boilerplate(p)]
    title, published = "", None
    if len(paras) > 1 and hdr.title_like(paras[0]) and len(paras[0]) <= 100 \
            and paras[0][-1] not in "。！？!?":
        title, published = hdr.split_title_date(paras.pop(0))
    while paras and (hdr.is_stamp(paras[0]) or hdr.date_line(paras[0])):
        published = published or hdr.date_line(paras[0])
        paras.pop(0)
    return narrated(paras, source, title, published, fallback_title=fallback_title)


def narrated(paras: Sequence[str], source: SourceInfo, title: str, published: _dt.date | None = None,
             headings: Sequence[tuple[int, str]] = (), fallback_title: str = "Untitled") -> Script:
    """A one-narrator script: paragraphs grouped into turns of about :data:`TURN_CHARS` characters.

    ``headings`` are (index of the paragraph a section starts at, heading) pairs; they become chapters
    (a heading with no paragraph after it is dropped).
    """
    kept = [(i, p.strip()) for i, p in enumerate(paras) if p.strip()]
    if not kept:
        raise BadInput(f"{source.path}: found no speech to read")
    language = detect_language("\n".join(p for _, p in kept))
    narrator = narrator_label(language)
    pending = sorted(headings)
    turns: list[Turn] = []
    chapters: list[Chapter] = []
    group: list[tuple[str, bool]] = []
    size, h = 0, 0
    for i, p in kept:
        opened = None
        while h < len(pending) and pending[h][0] <= i:
            opened = pending[h][1]
            h += 1
        if group and (size + len(p) > TURN_CHARS or opened is not None):
            turns.append(make_turn("s1", group, len(chapters) - 1 if chapters else None))
            group, size = [], 0
        if opened is not None:
            chapters.append(Chapter(opened, len(turns)))
        group.append((p, True))
        size += len(p)
    turns.append(make_turn("s1", group, len(chapters) - 1 if chapters else None))
    if not any(t.spoken_text.strip() for t in turns):
        raise BadInput(f"{source.path}: found no speech to read")
    from pipeline.ingest.draft import untitled
    from pipeline.ingest.header import clean_title

    spoken = "\n".join(t.spoken_text for t in turns)
    title = clean_title(title) or untitled(spoken, language, (), fallback_title)
    return Script(title=title, language=language, speakers=(Speaker("s1", narrator.name, narrator.label),),
                  turns=tuple(turns), chapters=tuple(chapters), published=published, source=source)
