"""Ingest: read a transcript as it exists in the wild into a :class:`~pipeline.model.Script`.

Formats (detected, or forced with ``format``): ``article`` (news-site interview: breadcrumb, title, date,
intro, key points, headings, speaker label lines), ``inline`` (``Name: text``), ``markdown``
(``### Name：`` headings), ``vtt``, ``srt``, ``json`` (the :func:`script_to_dict` schema) and ``plain``
(no labels: one narrator).

    read bytes + decode (decode.py) → normalise text (clean.py) → detect format → parse
    (article/inline: learn.py + body.py; markdown.py; subtitles.py; jsonscript.py; plain.py)
    → Draft.build (draft.py: speakers, merged turns, chapters, stage directions, language)
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.errors import BadInput

if TYPE_CHECKING:
    from pipeline.ingest.jsonscript import script_from_dict, script_to_dict
    from pipeline.model import Script

__all__ = ["FORMATS", "load_script", "parse_text", "script_from_dict", "script_to_dict"]

#: Input format names accepted by ``format`` (the CLI's ``--format`` choices are these; importing this
#: package loads no parser, so ``recast --help`` can read them).
FORMATS = ("article", "inline", "markdown", "vtt", "srt", "json", "html", "plain")


def __getattr__(name: str):
    if name in ("script_from_dict", "script_to_dict"):
        from pipeline.ingest import jsonscript

        return getattr(jsonscript, name)
    raise AttributeError(f"module 'pipeline.ingest' has no attribute {name!r}")


def load_script(path: Path, format: str | None = None, *, labels: str | None = None) -> Script:
    """Read, decode and parse a transcript file. Every problem is one clear :class:`BadInput` line.

    ``labels`` is the power user's way out when learning fails: a regular expression matched at the start of
    each line, whose group ``name`` (or first group) is the speaker's label and whose rest of the line, or
    group ``text``, is speech (:func:`label_pattern`).
    """
    from pipeline.ingest.decode import read_source

    _check_format(format)
    pattern = label_pattern(labels)
    path = Path(path)
    source = read_source(path)
    return _parse(source.text, format, str(path), source.encoding, source.sha256, pattern)


def parse_text(text: str, format: str | None = None, *, source_path: str = "<string>",
               labels: str | None = None) -> Script:
    """Parse transcript text that is already decoded."""
    import hashlib

    _check_format(format)
    return _parse(text, format, source_path, "utf-8", hashlib.sha256(text.encode("utf-8", "replace")).hexdigest(),
                  label_pattern(labels))


def label_pattern(labels: str | None):
    """``--labels``: the pattern compiled, or :class:`BadInput` saying what is wrong with it."""
    if labels is None:
        return None
    import re

    try:
        pattern = re.compile(labels)
    except re.error as err:
        raise BadInput(f"--labels is not a regular expression: {err}") from err
    if pattern.groups == 0:
        raise BadInput("--labels needs a group for the speaker's label, e.g. '^\\[(?P<name>[^]]+)\\]'")
    return pattern


def _check_format(format: str | None) -> None:
    if format is not None and format not in FORMATS:
        raise BadInput(f"unknown input format {format!r}; use one of: {', '.join(FORMATS)}")


def _parse(text: str, fmt: str | None, source_path: str, encoding: str, sha256: str, pattern=None) -> Script:
    from pipeline.ingest.clean import normalize
    from pipeline.ingest.reader import read_text

    text = normalize(text)
    if not text.strip():
        raise BadInput(f"{source_path} is empty" if source_path != "<string>" else "the transcript is empty")
    return read_text(text, fmt, source_path=source_path, encoding=encoding, sha256=sha256, labels=pattern)
