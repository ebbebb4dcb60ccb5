"""Markdown transcripts: ``#`` title, ``##`` chapters, ``### Name：`` speaker headings, ``>`` notes.

A blockquote (``> (laughter)``, ``> （電子白板：…）``) is a note, never speech: inside a turn it is kept
as an unspoken paragraph of that turn; before the first speaker it is dropped (it describes the
session, e.g. a whiteboard link, and is not an intro). Inline markup is removed (links keep their
text, ``\\[laughs\\]`` is unescaped, HTML entities decoded). A Markdown file without speaker headings
falls back to learning article-style or ``Name:`` labels from its paragraphs.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict

from pipeline.ingest import header as hdr
from pipeline.ingest.body import Labels, Line, assemble, learn_labels
from pipeline.ingest.draft import Draft
from pipeline.ingest.labels import parse_label
from pipeline.ingest.learn import Groups, inline_label
from pipeline.ingest.plain import narrated
from pipeline.model import Script, SourceInfo

_ATX = re.compile(r"^\s{0,3}(#{1,6})\s*(?P<text>[^#\s].*?)\s*#*\s*$")
_ATX_STRICT = re.compile(r"^\s{0,3}#{1,6}\s+\S", re.MULTILINE)
_QUOTE = re.compile(r"^\s{0,3}>+\s?(?P<text>.*)$")
_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+(?P<text>.+)$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_RULE = re.compile(r"^\s{0,3}(?:[-*_]\s*){3,}$")
_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)

_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"(?<!\\)\[(?P<t>[^\]\n]+)(?<!\\)\]\((?P<u>[^)\s]+)(?:\s+\"[^\"]*\")?\)")
_REF_LINK = re.compile(r"(?<!\\)\[(?P<t>[^\]\n]+)(?<!\\)\]\[[^\]\n]*\]")
_FOOTNOTE = re.compile(r"\[\^[^\]\n]+\]")
_AUTOLINK = re.compile(r"<((?:https?|ftp|mailto):[^>\s]+)>")
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EM_STAR = re.compile(r"(?<![\w*\\])\*(?=[^\s*])(.+?)(?<=[^\s*\\])\*(?![\w*])")
_EM_UNDER = re.compile(r"(?<![\w\\])_(?=\S)(.+?)(?<=\S)_(?!\w)")
_STRIKE = re.compile(r"~~(.+?)~~")
_CODE = re.compile(r"`+([^`\n]+?)`+")
_SPECIAL = re.compile(r"[\\*_`<>\[\]&~!]")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~<\"'])")


def looks_like_markdown(text: str) -> bool:
    """ATX headings (``# …``) or YAML front matter mark a Markdown transcript."""
    return bool(_ATX_STRICT.search(text)) or text.lstrip().startswith("---\n") and "\n---" in text[4:4000]


def inline_text(text: str) -> str:
    """Plain text of a line of Markdown: links keep their text, emphasis/code/HTML markup removed."""
    if not _SPECIAL.search(text):
        return text.strip()
    s = _BR.sub(" ", text)
    s = _IMAGE.sub("", s)
    s = _LINK.sub(lambda m: m.group("t"), s)
    s = _REF_LINK.sub(lambda m: m.group("t"), s)
    s = _FOOTNOTE.sub("", s)
    s = _AUTOLINK.sub(r"\1", s)
    s = _TAG.sub("", s)
    s = _STRONG.sub(r"\2", s)
    s = _STRONG.sub(r"\2", s)
    s = _EM_STAR.sub(r"\1", s)
    s = _EM_UNDER.sub(r"\1", s)
    s = _STRIKE.sub(r"\1", s)
    s = _CODE.sub(r"\1", s)
    s = _ESCAPE.sub(r"\1", s)
    return html.unescape(s).strip()


def narrate_markdown(text: str, source: SourceInfo, fallback_title: str) -> Script:
    """A Markdown file without speakers: one narrator; the first ``#`` is the title, other headings
    chapters, blockquote notes dropped."""
    draft = Draft()
    lines, levels = _lines(_front_matter(_COMMENT.sub("", text).split("\n"), draft))
    paras: list[str] = []
    headings: list[tuple[int, str]] = []
    title, published = draft.title, draft.published
    for i, ln in enumerate(lines):
        if ln.kind == "heading":
            if not title and not paras and not headings and levels.get(i) == 1:
                title, published = hdr.split_title_date(ln.text)
                published = draft.published or published
            else:
                headings.append((len(paras), ln.text))
        elif ln.kind != "quote":
            paras.append(ln.text)
    return narrated(paras, source, title, published, headings, fallback_title)


def parse_markdown(text: str, draft: Draft, pattern: re.Pattern | None = None) -> str | None:
    """Fill ``draft`` from a Markdown transcript; returns the label style used (None: no labels).
    ``pattern``: the user's label pattern, matched on each line as written, instead of learned labels."""
    text = _COMMENT.sub("", text)
    raw_lines = text.split("\n")
    raw_lines = _front_matter(raw_lines, draft)
    lines, levels = _lines(raw_lines)
    labels = _speaker_headings(lines, levels) if pattern is None else {}
    style = "markdown" if labels else None
    if not labels:
        style, labels = learn_labels(lines, None, pattern)
    if not labels:
        return None
    title_at = next((i for i, ln in enumerate(lines) if ln.kind == "heading" or i in labels), None)
    if title_at is not None and levels.get(title_at) == 1 and title_at not in labels:
        lines[title_at] = Line(lines[title_at].text, "title", lines[title_at].raw)
    head_end = min([min(labels)] + [i for i, ln in enumerate(lines) if ln.kind == "heading"])
    assemble([Line(("• " if i < head_end else "") + ln.text, "text", ln.raw) if ln.kind == "item" else ln
              for i, ln in enumerate(lines)], labels, draft)
    return style


def _front_matter(raw_lines: list[str], draft: Draft) -> list[str]:
    """Read ``title``/``date``/``description`` from YAML front matter and return the remaining lines."""
    start = 0
    while start < len(raw_lines) and not raw_lines[start].strip():
        start += 1
    if start >= len(raw_lines) or raw_lines[start].strip() != "---":
        return raw_lines
    for end in range(start + 1, min(len(raw_lines), start + 60)):
        if raw_lines[end].strip() in ("---", "..."):
            break
    else:
        return raw_lines
    for line in raw_lines[start + 1:end]:
        key, sep, value = line.partition(":")
        if not sep:
            continue
        key, value = key.strip().lower(), value.strip().strip("'\"")
        if key == "title" and value:
            draft.title = value
        elif key in ("date", "published", "pubdate") and value:
            found = hdr.find_date(value)
            draft.published = found[0] if found else draft.published
        elif key in ("description", "summary") and value:
            draft.description.append(value)
    return raw_lines[end + 1:]


def _lines(raw_lines: list[str]) -> tuple[list[Line], dict[int, int]]:
    """Classify Markdown lines; returns the lines and each heading's level by line index."""
    lines: list[Line] = []
    levels: dict[int, int] = {}
    in_fence = False
    prev_blank = True
    for raw in raw_lines:
        if _FENCE.match(raw):
            in_fence = not in_fence
            continue
        if in_fence or not raw.strip():
            prev_blank = True
            continue
        m = _SETEXT.match(raw)
        if m and not prev_blank and lines and lines[-1].kind == "text" and (m.group(1)[0] == "=" or
                                                                            len(m.group(1)) >= 2):
            levels[len(lines) - 1] = 1 if m.group(1)[0] == "=" else 2
            lines[-1] = Line(lines[-1].text, "heading", "#" + lines[-1].raw)
            prev_blank = False
            continue
        prev_blank = False
        if _RULE.match(raw) or _TABLE_RULE.match(raw):
            continue
        if (m := _ATX.match(raw)) is not None:
            levels[len(lines)] = len(m.group(1))
            lines.append(Line(inline_text(m.group("text")), "heading", raw))
        elif (m := _QUOTE.match(raw)) is not None:
            if m.group("text").strip():
                lines.append(Line(inline_text(m.group("text")), "quote", raw))
        elif (m := _ITEM.match(raw)) is not None:
            lines.append(Line(inline_text(m.group("text")), "item", raw))
        else:
            cleaned = inline_text(raw)
            if cleaned:
                lines.append(Line(cleaned, "text", cleaned))
    return lines, levels


def _speaker_headings(lines: list[Line], levels: dict[int, int]) -> Labels:
    """Headings that name a speaker: ``### Name：`` (with or without text after the colon), or a bare
    ``### Name`` heading that recurs."""
    groups = Groups()
    cands: dict[int, tuple] = {}
    for i, level in levels.items():
        found = inline_label(lines[i].text)
        if found is not None:
            cands[i] = (found[0], found[1], True)
            continue
        parts = parse_label(lines[i].text)
        if parts is not None and level > 1:
            cands[i] = (parts, "", False)
    roots = {i: groups.add(c[0]) for i, c in cands.items()}
    roots = {i: groups.find(r) for i, r in roots.items()}
    count: dict[str, int] = defaultdict(int)
    colon_only: set[str] = set()
    for i, r in roots.items():
        count[r] += 1
        if cands[i][2] and not cands[i][1]:
            colon_only.add(r)
    speakers = {r for r in count if r in colon_only or count[r] >= 2}
    out: Labels = {}
    for i, r in roots.items():
        parts, rest, colon = cands[i]
        if r not in speakers:
            continue
        if not colon and i + 1 < len(lines) and i + 1 in levels and r not in colon_only:
            continue
        out[i] = (parts, rest)
    return dict(sorted(out.items()))
