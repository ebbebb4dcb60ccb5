"""Turn labelled lines into a draft: header metadata, chapters, turns.

Shared by the article-style, inline and Markdown readers. Each reader hands over its lines (with
Markdown's explicit headings, titles and blockquotes already marked) and the label lines it learned.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.ingest import header as hdr
from pipeline.ingest.clean import CJK
from pipeline.ingest.draft import Draft
from pipeline.ingest.labels import LabelParts, parse_label, role_of
from pipeline.ingest.learn import inline_label, learn_inline_labels, learn_line_labels

#: Labels found on lines: index → (label, text after the label on the same line).
Labels = dict[int, tuple[LabelParts, str]]


@dataclass(frozen=True)
class Line:
    """A non-empty source line."""

    text: str
    """The line's text, trimmed (and for Markdown, stripped of markup)."""
    kind: str = "text"
    """``text``; ``heading`` / ``title`` (explicit Markdown headings); ``quote`` (a note, not spoken)."""
    raw: str = ""
    """The line as written (what label learning looks at)."""


def learn_labels(lines: Sequence[Line], fmt: str | None,
                 pattern: re.Pattern | None = None) -> tuple[str | None, Labels]:
    """Which lines are speaker labels: article-style label lines, inline ``Name:`` prefixes, or both —
    or, with the user's ``pattern``, the lines it matches (nothing is learned then).

    Returns the style found (``article`` / ``inline``; None when there are no labels) and the labels.
    The style with more label lines wins; the other style's labels are added only when they name the
    same speakers (a transcript that writes ``唐鳳`` on its own line and ``唐鳳：…`` inline).
    """
    raws = [ln.raw or ln.text for ln in lines]
    if pattern is not None:
        return "inline", labels_by_pattern(raws, pattern)
    article: Labels = {}
    inline: Labels = {}
    if fmt in (None, "article"):
        article = {i: (p, "") for i, p in learn_line_labels(raws).items()}
    if fmt in (None, "inline"):
        inline = learn_inline_labels(raws)
    if not article and not inline:
        return None, {}
    article, inline = _plausible(article, lines), _plausible(inline, lines)
    if not article and not inline:
        return None, {}
    style = "inline" if len(inline) >= len(article) else "article"
    if style == "inline" and sum(1 for _, rest in inline.values() if not rest) * 2 >= len(inline):
        style = "article"  # ``Name：`` alone on its line, the speech below: article-style label lines
    primary, secondary = (inline, article) if style == "inline" else (article, inline)
    names = {k for p, _ in primary.values() for k in p.keys}
    for i, (p, rest) in secondary.items():
        if i not in primary and names.intersection(p.keys):
            primary[i] = (p, rest)
    return style, _without_roster(dict(sorted(primary.items())))


def labels_by_pattern(raws: Sequence[str], pattern: re.Pattern) -> Labels:
    """The lines ``pattern`` matches at their start: its ``name`` group (or first group) is the label, its
    ``text`` group (or the rest of the line) what is said on that line."""
    found: Labels = {}
    for i, raw in enumerate(raws):
        m = pattern.match(raw.strip())
        if m is None:
            continue
        groups = m.groupdict()
        name = (groups.get("name") if "name" in groups else m.group(1)) or ""
        rest = groups["text"] if groups.get("text") is not None else raw.strip()[m.end():]
        name = name.strip()
        if name:
            found[i] = (parse_label(name) or LabelParts(name, name), rest.strip())
    return found


def _without_roster(labels: Labels) -> Labels:
    """Leading ``主持人：Lex Fridman`` / ``Guest: Jane Doe`` lines introduce the cast; they are header
    metadata, not dialogue."""
    order = list(labels)
    k = 0
    while k < len(order) - 1 and _introduces(*labels[order[k]]):
        k += 1
    if k == 0 or k == len(order) - 1:
        return labels
    return {i: labels[i] for i in order[k:]}


def _plausible(labels: Labels, lines: Sequence[Line]) -> Labels:
    """A single recurring "label" deep inside running text is a repeated phrase, not a speaker."""
    if not labels or len({k for p, _ in labels.values() for k in p.keys[:1]}) > 1:
        return labels
    first = min(labels)
    if any(len(ln.text) > 150 for ln in lines[:first]):
        return {}
    return labels


def _introduces(parts: LabelParts, rest: str) -> bool:
    """``主持人：萊克斯`` / ``Host: Lex Fridman``: a role word, then only a name."""
    named = parse_label(rest) if rest else None
    if parts.role is None or role_of(parts.name) is None or named is None or named.alt or named.role:
        return False
    return bool(CJK.search(rest)) or len(rest.split()) >= 2


def assemble(lines: Sequence[Line], labels: Labels, draft: Draft) -> None:
    """Fill ``draft`` from labelled lines: metadata before the dialogue, then chapters and turns."""
    n = len(lines)
    first = min(labels) if labels else n
    explicit = [i for i in range(first) if lines[i].kind == "heading"]
    start = explicit[0] if explicit else first
    if not explicit and 0 < first < n and _heading_before(lines, first):
        start = first - 1
    head_lines = lines[:start]
    titles = [ln.text for ln in head_lines if ln.kind == "title"]
    head = hdr.parse_header([ln.text for ln in head_lines if ln.kind == "text"],
                            allow_title=not titles and not draft.title)
    day = None
    if titles and not draft.title:
        draft.title, day = hdr.split_title_date(titles[0])
    draft.title = draft.title or head.title
    draft.published = draft.published or day or head.published or next(
        (d for ln in head_lines if ln.kind == "quote" and (d := hdr.date_line(ln.text)) is not None), None)
    draft.description.extend(head.description)
    draft.key_points.extend(head.key_points)
    bare_labels = {i for i, (_, rest) in labels.items() if not rest}
    for i in range(start, n):
        ln = lines[i]
        if i in labels:
            parts, rest = labels[i]
            draft.turn(parts)
            if rest:
                draft.paragraph(rest)
        elif ln.kind in ("heading", "title"):
            if not hdr.is_boilerplate(ln.text):  # ``## Transcript`` opens the dialogue; it is no chapter
                draft.chapter(ln.text)
        elif ln.kind == "quote":
            draft.paragraph(ln.text, spoken=False)
        elif ln.kind == "text" and (hdr.is_stamp(ln.text) or hdr.is_boilerplate(ln.text)):
            continue
        elif (i + 1 < n and (i + 1) in labels and (i - 1) not in bare_labels and ln.kind == "text"
              and _heading(ln.text)):
            draft.chapter(ln.text)
        elif not draft.paragraph(ln.text):
            draft.description.append(ln.text)


def _heading(text: str) -> bool:
    """Shaped like a section heading, and not a ``Name: text`` line nor a roster (``Ann Lee, Bo Chen``)."""
    return hdr.looks_like_heading(text) and inline_label(text) is None and not _roster(text)


def _roster(text: str) -> bool:
    """``Unknown Speaker, Delia Brooks, Sam Whitcomb``: the names of an export's SPEAKERS line."""
    names = [n.strip() for n in text.split(",")]
    return len(names) >= 2 and all(n and parse_label(n) is not None for n in names)


def _heading_before(lines: Sequence[Line], first: int) -> bool:
    """Is the line just before the first label a section heading (not the title or header furniture)?"""
    ln = lines[first - 1]
    if ln.kind != "text" or not _heading(ln.text):
        return False
    if hdr.is_boilerplate(ln.text) or hdr.is_stamp(ln.text) or hdr.date_line(ln.text) or hdr.is_note(ln.text):
        return False
    earlier = [x for x in lines[:first - 1] if x.kind == "text" and not hdr.is_boilerplate(x.text)
               and not hdr.is_stamp(x.text) and hdr.date_line(x.text) is None]
    return bool(earlier) or any(x.kind == "title" for x in lines[:first - 1])

