"""The JSON form of a script: what ``recast inspect --json`` prints and what a JSON input must be.

Schema (later stages may add keys, never rename)::

    {"title": str, "published": "YYYY-MM-DD" | null, "language": "zh-TW" | "en" | …,
     "description": str, "key_points": [str],
     "speakers": [{"id", "name", "label"}],          # + "aliases" / "role" / "gender" when set
     "chapters": [{"title", "start_turn"}],
     "turns": [{"speaker": id, "text", "chapter": index | null}]}   # + "spans" when not re-detectable

Text is cleaned on load like any transcript (no control, zero-width or bidi characters). Stage
directions stay inside ``text`` and are found again on load; a turn carries ``spans`` only when
its unspoken parts cannot be re-detected from the text (e.g. a Markdown blockquote note), so
``script_from_dict(script_to_dict(s)) == s`` always holds.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
import re
from typing import Any

from pipeline.errors import BadInput
from pipeline.ingest.clean import normalize
from pipeline.ingest.directions import spans_for
from pipeline.model import Chapter, Script, SourceInfo, Span, Speaker, Turn

_LANG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
_REQUIRED = ("title", "language", "speakers", "turns")


def script_to_dict(script: Script) -> dict:
    """The script as plain JSON-ready data (the ``inspect --json`` schema)."""
    speakers = []
    for sp in script.speakers:
        d: dict[str, Any] = {"id": sp.id, "name": sp.name, "label": sp.label}
        if sp.aliases:
            d["aliases"] = list(sp.aliases)
        if sp.role:
            d["role"] = sp.role
        if sp.gender:
            d["gender"] = sp.gender
        speakers.append(d)
    turns = []
    for t in script.turns:
        d = {"speaker": t.speaker, "text": t.text, "chapter": t.chapter}
        if t.spans != spans_for(t.text):
            d["spans"] = [{"text": s.text, "spoken": s.spoken} for s in t.spans]
        turns.append(d)
    return {
        "title": script.title,
        "published": script.published.isoformat() if script.published else None,
        "language": script.language,
        "description": script.description,
        "key_points": list(script.key_points),
        "speakers": speakers,
        "chapters": [{"title": c.title, "start_turn": c.start_turn} for c in script.chapters],
        "turns": turns,
    }


def parse_json(text: str, source: SourceInfo, fallback_title: str = "Untitled") -> Script:
    """A script from JSON text — Recast's script schema or a Podcasting 2.0 transcript (``segments``);
    malformed JSON or a wrong schema is :class:`BadInput`."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise BadInput(f"{source.path}: malformed JSON at line {err.lineno} column {err.colno}: {err.msg}") from err
    from pipeline.ingest.podcasting import is_podcasting_json, parse_podcasting

    if is_podcasting_json(data):
        return parse_podcasting(data, dataclasses.replace(source, format="podcasting"), fallback_title)
    return script_from_dict(data, source_path=source.path, _source=source)


def script_from_dict(data: dict, *, source_path: str = "<string>", _source: SourceInfo | None = None) -> Script:
    """A script from data in the ``inspect --json`` schema, validated strictly (errors name the field)."""
    where = f"{source_path}: " if source_path != "<string>" else ""
    if not isinstance(data, dict):
        raise BadInput(f"{where}a JSON script must be an object with title, language, speakers and turns")
    for name in _REQUIRED:
        if name not in data:
            raise BadInput(f"{where}JSON script is missing the field '{name}'")
    title = _str(data, "title", where, nonempty=True)
    language = _str(data, "language", where, nonempty=True)
    if not _LANG.match(language):
        raise BadInput(f"{where}'language' must be a BCP-47 tag such as zh-TW or en, not {language!r}")
    published = _date(data.get("published"), where)
    description = _str(data, "description", where) if "description" in data else ""
    key_points = tuple(_str_list(data.get("key_points", []), "key_points", where))
    speakers = tuple(_speaker(s, i, where) for i, s in enumerate(_list(data["speakers"], "speakers", where)))
    chapters = tuple(_chapter(c, i, where) for i, c in enumerate(_list(data.get("chapters", []), "chapters",
                                                                        where)))
    known = {s.id for s in speakers}
    turns = tuple(_turn(t, i, where, known) for i, t in enumerate(_list(data["turns"], "turns", where)))
    if not any(t.spoken_text.strip() for t in turns):
        raise BadInput(f"{where}the JSON script has no speech (no turn with spoken text)")
    source = _source or SourceInfo(source_path, "json")
    try:
        return Script(title=title, language=language, speakers=speakers, turns=turns, chapters=chapters,
                      published=published, description=description, key_points=key_points, source=source)
    except BadInput as err:
        raise BadInput(f"{where}{err}") from err


def _speaker(obj: Any, i: int, where: str) -> Speaker:
    field = f"speakers[{i}]"
    if not isinstance(obj, dict):
        raise BadInput(f"{where}'{field}' must be an object with id, name and label")
    for name in ("id", "name"):
        if name not in obj:
            raise BadInput(f"{where}'{field}' is missing '{name}'")
    sid = _str(obj, "id", where, prefix=field, nonempty=True)
    name = _str(obj, "name", where, prefix=field, nonempty=True)
    label = _str(obj, "label", where, prefix=field, nonempty=True) if "label" in obj else name
    aliases = tuple(_str_list(obj.get("aliases", []), f"{field}.aliases", where))
    role = _opt_str(obj, "role", field, where)
    gender = _opt_str(obj, "gender", field, where)
    try:
        return Speaker(sid, name, label, aliases, role, gender)
    except BadInput as err:
        raise BadInput(f"{where}'{field}': {err}") from err


def _chapter(obj: Any, i: int, where: str) -> Chapter:
    field = f"chapters[{i}]"
    if not isinstance(obj, dict):
        raise BadInput(f"{where}'{field}' must be an object with title and start_turn")
    for name in ("title", "start_turn"):
        if name not in obj:
            raise BadInput(f"{where}'{field}' is missing '{name}'")
    title = _str(obj, "title", where, prefix=field, nonempty=True)
    return Chapter(title, _int(obj["start_turn"], f"{field}.start_turn", where))


def _turn(obj: Any, i: int, where: str, known: set[str]) -> Turn:
    field = f"turns[{i}]"
    if not isinstance(obj, dict):
        raise BadInput(f"{where}'{field}' must be an object with speaker and text")
    for name in ("speaker", "text"):
        if name not in obj:
            raise BadInput(f"{where}'{field}' is missing '{name}'")
    speaker = _str(obj, "speaker", where, prefix=field, nonempty=True)
    if speaker not in known:
        raise BadInput(f"{where}'{field}.speaker' names unknown speaker {speaker!r} "
                       f"(speakers: {', '.join(sorted(known)) or 'none'})")
    text = _str(obj, "text", where, prefix=field, nonempty=True)
    chapter = obj.get("chapter")
    if chapter is not None:
        chapter = _int(chapter, f"{field}.chapter", where)
    if "spans" in obj:
        spans = tuple(_span(s, f"{field}.spans[{k}]", where)
                      for k, s in enumerate(_list(obj["spans"], f"{field}.spans", where)))
        if "".join(s.text for s in spans) != text:
            raise BadInput(f"{where}'{field}.spans' texts must join to the turn's text")
    else:
        spans = spans_for(text)
    return Turn(speaker, text, chapter, spans)


def _span(obj: Any, field: str, where: str) -> Span:
    if not isinstance(obj, dict) or not isinstance(obj.get("text"), str) or not isinstance(obj.get("spoken"), bool):
        raise BadInput(f"{where}'{field}' must be an object with text (string) and spoken (true/false)")
    return Span(normalize(obj["text"]), obj["spoken"])


def _str(obj: dict, name: str, where: str, *, prefix: str = "", nonempty: bool = False) -> str:
    value = obj[name]
    field = f"{prefix}.{name}" if prefix else name
    if not isinstance(value, str):
        raise BadInput(f"{where}'{field}' must be a string, not {_kind(value)}")
    value = normalize(value)
    if nonempty and not value.strip():
        raise BadInput(f"{where}'{field}' must not be empty")
    return value


def _opt_str(obj: dict, name: str, prefix: str, where: str) -> str | None:
    value = obj.get(name)
    if value is not None and not isinstance(value, str):
        raise BadInput(f"{where}'{prefix}.{name}' must be a string or null, not {_kind(value)}")
    return value.strip() if value is not None else None


def _str_list(value: Any, field: str, where: str) -> list[str]:
    items = _list(value, field, where)
    for k, item in enumerate(items):
        if not isinstance(item, str):
            raise BadInput(f"{where}'{field}[{k}]' must be a string, not {_kind(item)}")
    return [normalize(item) for item in items]


def _list(value: Any, field: str, where: str) -> list:
    if not isinstance(value, list):
        raise BadInput(f"{where}'{field}' must be a list, not {_kind(value)}")
    return value


def _int(value: Any, field: str, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise BadInput(f"{where}'{field}' must be a non-negative integer, not {value!r}")
    return value


def _date(value: Any, where: str) -> _dt.date | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadInput(f"{where}'published' must be a date string (YYYY-MM-DD) or null, not {_kind(value)}")
    try:
        return _dt.date.fromisoformat(value)
    except ValueError as err:
        raise BadInput(f"{where}'published' must be a date like 2024-10-22, not {value!r}") from err


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "true/false", int: "a number",
            float: "a number", type(None): "null"}.get(type(value), type(value).__name__)
