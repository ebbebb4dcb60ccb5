"""Podcasting 2.0 JSON transcripts (``podcast:transcript type="application/json"``) as input.

The namespace's transcript document: ``{"version": "1.0.0", "segments": [{"speaker", "startTime",
"endTime", "body"}, …]}``, times in seconds; a segment may be a whole sentence or a single word, and
``speaker`` may be left out on segments that continue the previous speaker. Segments are joined into
sentences and turns: consecutive segments of one speaker are one turn, word segments are joined with
spaces (none between Chinese or Japanese characters), and a long pause inside one speaker's run starts
a new paragraph. Times are metadata: they never reach the voice. Recast's own ``transcript.json`` is
this format, so an edition's transcript reads back into the same speakers and turns.
"""

from __future__ import annotations

from typing import Any

from pipeline.errors import BadInput
from pipeline.ingest.clean import CJK
from pipeline.ingest.draft import Draft, without_own_intro
from pipeline.ingest.labels import LabelParts, parse_label
from pipeline.model import Script, SourceInfo

#: A pause this long (seconds) between two segments of one speaker starts a new paragraph.
PARAGRAPH_PAUSE_S = 2.0
_NO_SPACE_BEFORE = tuple(",.;:!?)]}%…，。、；：！？）」』》")
_NO_SPACE_AFTER = tuple("([{¿¡「『《（")


def is_podcasting_json(data: Any) -> bool:
    """A Podcasting 2.0 transcript: an object with a ``segments`` list (and no Recast ``turns``)."""
    return isinstance(data, dict) and isinstance(data.get("segments"), list) and "turns" not in data


def parse_podcasting(data: dict, source: SourceInfo, fallback_title: str) -> Script:
    """A script from a Podcasting 2.0 JSON transcript; a wrong shape is :class:`BadInput` naming the segment."""
    where = f"{source.path}: " if source.path != "<string>" else ""
    draft = Draft(title=str(data.get("title") or "").strip())
    speaker: str | None = None
    last_end: float | None = None
    words: list[str] = []

    def flush() -> None:
        if words:
            draft.paragraph(join_words(words))
            words.clear()

    for i, seg in enumerate(data["segments"]):
        if not isinstance(seg, dict):
            raise BadInput(f"{where}segments[{i}] is not an object")
        body = seg.get("body")
        if not isinstance(body, str):
            raise BadInput(f"{where}segments[{i}].body is missing or not text")
        start, end = _seconds(seg.get("startTime"), i, "startTime", where), _seconds(seg.get("endTime"), i,
                                                                                     "endTime", where)
        who = seg.get("speaker")
        if who is not None and not isinstance(who, str):
            raise BadInput(f"{where}segments[{i}].speaker is not text")
        who = (who or "").strip().rstrip(":：").strip() or speaker
        if not body.strip():
            continue
        if who != speaker or speaker is None:
            flush()
            speaker = who
            draft.turn(_label(who))
        elif last_end is not None and start is not None and start - last_end >= PARAGRAPH_PAUSE_S:
            flush()
        words.append(body.strip())
        last_end = end if end is not None else start
    flush()
    if speaker is None and not draft.title:
        raise BadInput(f"{where}the transcript has no segments with text")
    return without_own_intro(draft.build(source, fallback_title))


def join_words(pieces: list[str]) -> str:
    """Segments joined as text: a space between words, none between CJK characters or before punctuation."""
    out = ""
    for piece in pieces:
        if out and not (out.endswith(_NO_SPACE_AFTER) or piece.startswith(_NO_SPACE_BEFORE)
                        or (_wide(out[-1]) and _wide(piece[0])) or out[-1].isspace()):
            out += " "
        out += piece
    return out


def _wide(ch: str) -> bool:
    """A CJK character or full-width punctuation: no space next to another one."""
    return bool(CJK.match(ch)) or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef"


def _label(who: str | None) -> LabelParts:
    """The segment's speaker as a label; no speaker at all is one unnamed voice (``Speaker 1``)."""
    if not who:
        return LabelParts("Speaker", "Speaker")
    return parse_label(who) or LabelParts(who, who)


def _seconds(value: Any, i: int, field: str, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise BadInput(f"{where}segments[{i}].{field} must be a number of seconds, not {value!r}")
    return float(value)
