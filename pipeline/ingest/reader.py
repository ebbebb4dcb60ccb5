"""Pick the reader for a transcript's format and run it."""

from __future__ import annotations

import dataclasses
import re
from pathlib import PurePath

from pipeline.errors import BadInput
from pipeline.ingest import header as hdr
from pipeline.ingest.body import Line, assemble, learn_labels
from pipeline.ingest.clean import CJK, normalize
from pipeline.ingest.directions import is_direction_line
from pipeline.ingest.draft import Draft, without_own_intro
from pipeline.ingest.jsonscript import parse_json
from pipeline.ingest.learn import label_candidates
from pipeline.ingest.markdown import looks_like_markdown, narrate_markdown, parse_markdown
from pipeline.ingest.plain import TURN_CHARS, narrated, narrator_label, parse_plain
from pipeline.ingest.sniff import looks_like_html
from pipeline.ingest.subtitles import SRT_SNIFF, narration_chunks, parse_srt, parse_vtt, speaker_runs
from pipeline.model import Script, SourceInfo


def detect_format(text: str, source_path: str = "<string>", *, html: bool = True) -> str | None:
    """``vtt``, ``srt``, ``json`` or ``markdown`` from the text's shape; None for labelled/plain text
    (article, inline or plain is decided by which labels can be learned)."""
    head, tail = text.lstrip(), text.rstrip()
    if head.startswith("WEBVTT"):
        return "vtt"
    array = head.startswith("[") and head[1:].lstrip()[:1] in ("{", "]") and tail.endswith("]")
    if source_path.lower().endswith(".json") or (head.startswith("{") and tail.endswith("}")) or array:
        return "json"
    if SRT_SNIFF.search(text[:2000]):
        return "srt"
    if html and (looks_like_html(text) or source_path.lower().endswith((".html", ".htm"))):
        return "html"
    if looks_like_markdown(text):
        return "markdown"
    return None


def read_text(text: str, fmt: str | None, *, source_path: str, encoding: str, sha256: str,
              html: bool = True, labels: re.Pattern | None = None) -> Script:
    """Parse normalised transcript text in format ``fmt`` (None: detect; ``html=False``: the text is what was
    left of a web page, never HTML again); ``labels``: the user's label pattern instead of learned labels."""
    detected = fmt or detect_format(text, source_path, html=html)
    fallback = _fallback_title(source_path)

    def source(name: str) -> SourceInfo:
        return SourceInfo(source_path, name, encoding, sha256)

    if detected == "json":
        return parse_json(text, source("json"), fallback)
    if detected == "html":
        from pipeline.ingest.webpage import parse_html

        return parse_html(text, source("html"), fallback, lambda page_text: read_text(
            normalize(page_text), None, source_path=source_path, encoding=encoding, sha256=sha256, html=False,
            labels=labels))
    if detected in ("vtt", "srt"):
        return _subtitles(text, detected, source(detected), fallback, labels)
    if detected == "plain":
        return parse_plain(text.split("\n"), source("plain"), fallback)
    draft = Draft()
    if detected == "markdown":
        style = parse_markdown(text, draft, labels)
        if style is None:
            if fmt == "markdown":
                raise BadInput(f"{source_path}: found no speaker headings (### Name：) or labels in the Markdown")
            return narrate_markdown(text, source("plain"), fallback)
        return draft.build(source("markdown"), fallback)
    lines = [_text_line(s) for s in (ln.strip() for ln in hdr.strip_footer(text.split("\n"))) if s]
    style, found = learn_labels(lines, fmt, labels)
    if not found:
        if fmt in ("article", "inline"):
            hint = "Name: text lines" if fmt == "inline" else "speaker label lines"
            raise BadInput(f"{source_path}: found no {hint}; try --format plain to read it with one voice")
        return _unlabelled(parse_plain(text.split("\n"), source("plain"), fallback), [ln.raw for ln in lines])
    assemble(lines, found, draft)
    return draft.build(source(fmt or style or "article"), fallback)


def _unlabelled(script: Script, raws: list[str]) -> Script:
    """A transcript read with one voice although its lines start like labels: say so, and the way out."""
    candidates = label_candidates(raws)
    if not candidates:
        return script
    shown = ", ".join(repr(c) for c in candidates)
    return dataclasses.replace(script, warnings=(*script.warnings, (
        f"lines start like speaker labels ({shown}) but no labels could be learned, so one voice reads it all; "
        "name the labels with --labels PATTERN (e.g. --labels '(?P<name>[A-Z]+) -- ') or a Name: text layout")))


def _text_line(line: str) -> Line:
    """A line of a plain-text transcript; ``> (laughter)`` (a quoted stage direction) is a note."""
    if line.startswith("> ") and is_direction_line(line[2:]):
        return Line(line[2:].strip(), "quote", line)
    return Line(line, "text", line)


def _subtitles(text: str, fmt: str, source: SourceInfo, fallback: str, labels: re.Pattern | None) -> Script:
    warnings: list[str] = []
    if fmt == "vtt":
        title, cues = parse_vtt(text, source.path, warnings)
    else:
        title, cues = "", parse_srt(text, source.path, warnings)
    script = without_own_intro(_subtitle_script(cues, title, source, fallback, labels))
    return dataclasses.replace(script, warnings=tuple(warnings))


def _subtitle_script(cues: list, title: str, source: SourceInfo, fallback: str, labels: re.Pattern | None) -> Script:
    runs = speaker_runs(cues, labels)
    draft = Draft(title=title)
    if all(parts is None for parts, _ in runs):
        if not any(t.strip() for _, t in runs):
            raise BadInput(f"{source.path}: the subtitles contain no text")
        return narrated(narration_chunks(cues, TURN_CHARS), source, title, fallback_title=fallback)
    unnamed = narrator_label("zh" if CJK.search(runs[0][1]) else "en")
    for parts, run_text in runs:
        draft.turn(parts or unnamed)
        draft.paragraph(run_text)
    return draft.build(source, fallback)


def _fallback_title(source_path: str) -> str:
    if source_path in ("<string>", "-", ""):
        return "Untitled"
    return PurePath(source_path).stem or "Untitled"
