"""Read an edition's transcript as timed segments for the episode page.

``transcript.json`` is read first. The Podcasting 2.0 JSON transcript shape
(``{"version": "1.0.0", "segments": [{"speaker", "startTime", "endTime", "body"}]}``, times in seconds) and
Recast's ms-based shape (``start_ms``/``end_ms``/``text``, speaker id or name) are both understood, as is a bare
list of segments. When there is no usable JSON, ``transcript.vtt`` (``<v Name>`` voice tags) is parsed instead.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.edition import TRANSCRIPT_JSON, TRANSCRIPT_VTT, read_manifest
from pipeline.errors import BadInput


@dataclass(frozen=True)
class TimedLine:
    """One timed piece of the transcript."""

    start_ms: int
    """Start in ms."""
    end_ms: int
    """End in ms."""
    speaker: str
    """Speaker's display name (may be empty)."""
    text: str
    """What is said."""


_LIST_KEYS = ("segments", "cues", "entries", "turns", "transcript", "items")
_CUE_RE = re.compile(r"^\s*(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{3})\s*-->\s*(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{3})")
_VOICE_RE = re.compile(r"<v(?:\.[^ >]*)?\s+([^>]*)>")
_TAG_RE = re.compile(r"<[^>]+>")


def load_segments(folder: Path) -> list[TimedLine]:
    """The edition's transcript segments in time order ([] when it has no readable transcript)."""
    folder = Path(folder)
    names = _speaker_names(folder)
    try:
        segments = _from_json(json.loads((folder / TRANSCRIPT_JSON.name).read_text("utf-8")), names)
    except (OSError, UnicodeDecodeError, ValueError):
        segments = []
    if not segments:
        try:
            segments = _from_vtt((folder / TRANSCRIPT_VTT.name).read_text("utf-8"))
        except (OSError, UnicodeDecodeError):
            segments = []
    return sorted(segments, key=lambda s: (s.start_ms, s.end_ms))


def _speaker_names(folder: Path) -> dict[str, str]:
    """Speaker names by id from the edition's manifest ({} when it cannot be read)."""
    try:
        return read_manifest(folder)[0].speaker_names()
    except BadInput:
        return {}


def _from_json(data: object, names: dict[str, str]) -> list[TimedLine]:
    items = data
    if isinstance(data, dict):
        items = next((data[k] for k in _LIST_KEYS if isinstance(data.get(k), list)), [])
    if not isinstance(items, list):
        return []
    out = []
    for it in items:
        if not isinstance(it, dict):
            continue
        start = _ms(it, ("start_ms",), ("startTime", "start"))
        end = _ms(it, ("end_ms",), ("endTime", "end"))
        text = next((str(it[k]) for k in ("body", "text") if isinstance(it.get(k), str)), "")
        if start is None or not text.strip():
            continue
        who = it.get("speaker_name") or it.get("name") or it.get("speaker") or ""
        who = names.get(str(who), str(who))
        out.append(TimedLine(start, max(end if end is not None else start, start), who, text.strip()))
    return out


def _ms(item: dict, ms_keys: tuple[str, ...], s_keys: tuple[str, ...]) -> int | None:
    for key in ms_keys:
        value = item.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return round(value)
    for key in s_keys:
        value = item.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return round(value * 1000)
    return None


def _from_vtt(text: str) -> list[TimedLine]:
    out = []
    lines = text.replace("\r\n", "\n").split("\n")
    i = 0
    while i < len(lines):
        m = _CUE_RE.match(lines[i])
        i += 1
        if not m:
            continue
        g = m.groups()
        start = _clock(g[0], g[1], g[2], g[3])
        end = _clock(g[4], g[5], g[6], g[7])
        body = []
        while i < len(lines) and lines[i].strip():
            body.append(lines[i])
            i += 1
        raw = " ".join(body)
        voice = _VOICE_RE.search(raw)
        said = " ".join(_TAG_RE.sub("", raw).split())
        if said:
            out.append(TimedLine(start, end, voice.group(1).strip() if voice else "", _unescape(said)))
    return out


def _clock(h: str | None, m: str, s: str, ms: str) -> int:
    return ((int(h or 0) * 60 + int(m)) * 60 + int(s)) * 1000 + int(ms)


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&nbsp;", "\u00a0").replace("&amp;", "&")
