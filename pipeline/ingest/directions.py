"""Stage directions: （笑）, (laughs), [inaudible], （電子白板：…） are kept in the text but not spoken.

A bracketed piece is a direction when it is short and names a non-verbal event (laughter, applause,
pause, inaudible …), when it is an editorial note (``（會後補充：…）``, ``[Editor's note: …]``), or a
timestamp. Other brackets — a gloss such as （問卷） or (David LePage), a title such as 【星際迷航】 —
are speech.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pipeline.ingest.clean import CJK
from pipeline.model import Span

_BRACKETED = re.compile(r"[（(\[［【〔]([^（）()\[\]［］【】〔〕\n]{1,400})[）)\]］】〕]")

_ZH_EVENT = re.compile(
    r"笑|鼓掌|掌聲|拍手|停頓|沉默|靜默|咳|嘆|歎|音樂|聽不清|無法辨識|不清楚|雜音|噪音|插話|同時說話|"
    r"眾人|白板|投影片|簡報|播放|影片|點頭|搖頭|手勢|比劃|貌$|音效|背景音|靜音|哭|哽咽|清喉嚨|"
    r"掌声|停顿|静默|叹|音乐|听不清|无法辨识|杂音|插话|同时说话|众人|投影|简报|影片|点头|摇头|音效|"
    r"背景音|静音|清喉咙|鼓掌"
)
_ZH_NOTE = re.compile(r"^[^：:]{0,8}(補充|补充|白板|註|注|編按|编按|按|譯|译|備註|备注|更正|附|連結|链接|網址|网址|"
                      r"圖|图|來源|来源|攝影|摄影)[^：:／/]{0,4}[：:／/]")
_EN_EVENT = re.compile(
    r"\b(laugh\w*|chuckl\w*|giggl\w*|applau\w*|clap\w*|inaudible|unintelligible|indistinct|crosstalk|"
    r"cross-talk|overlapping|pause[sd]?|silence|music|sigh\w*|cough\w*|clears? (?:his |her |their )?throat|"
    r"off[- ]mic|background noise|audio cuts? out|beep\w*|phone rings?|smil\w*|nods?|nodding|"
    r"shrug\w*|gestur\w*|video|slide|sound|noise|groan\w*|cheer\w*|ringing|recording|soundbite|clip|intro|outro|"
    r"jingle|theme|sting|break|ad break|commercial|plays?|playing)\b",
    re.IGNORECASE,
)
_EN_NOTE = re.compile(r"^\s*(editor'?s? note|ed\.? note|note|translator'?s? note|update|correction)\s*:",
                      re.IGNORECASE)
#: A whole paragraph that is an editorial note ("Note: the count was done in March.", "編按：…").
_NOTE_LINE = re.compile(
    r"^[ \t]*(?:(?i:editor'?s note|editorial note|ed\. note|note|n\.b\.|translator'?s note)|"
    r"編按|編者按|编者按|編註|编注|譯註|译注|譯者註|译者注|註|注)[ \t]*[:：].*$",
    re.MULTILINE,
)
#: Sung or played music in captions: ♪ lyrics ♪.
_MUSIC = re.compile(r"[♪♫][^♪♫\n]*[♪♫]|[♪♫]+")
#: Editors' marks inside speech: NPR's (ph) "spelled as heard", (sp), (sic).
_EDITORIAL = {"ph", "sp", "sic", "sic.", "?"}
_TIMESTAMP = re.compile(r"^\s*\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?\s*$")


def is_direction(inner: str) -> bool:
    """True when the bracket content ``inner`` is a stage direction or an editorial note."""
    text = inner.strip()
    if not text:
        return False
    if _TIMESTAMP.match(text):
        return True
    if _ZH_NOTE.match(text) or _EN_NOTE.match(text):
        return True
    if text.casefold() in _EDITORIAL:
        return True
    if len(text) > 80:
        return False
    if CJK.search(text):
        return len(text) <= 12 and bool(_ZH_EVENT.search(text))
    words = text.split()
    if 2 <= len(words) <= 6 and text.isupper():
        return True  # captions for the deaf and hard of hearing: (DOOR OPENS), [CROWD CHEERING]
    return len(words) <= 6 and bool(_EN_EVENT.search(text)) and not text.rstrip().endswith("?")


#: Bare web addresses: kept in the transcript, never read aloud (the show notes carry links).
_URL = re.compile(r"(?:https?://|www\.)[^\s<>()（）「」\"']+[^\s<>()（）「」\"'.,;:!?。，；：！？]")
#: Emoji and pictographs (with their variation selectors and joiners): never reach an engine.
_EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\u2300-\u23FF]"
                    "[\uFE0E\uFE0F\u200D\U0001F3FB-\U0001F3FF\U0001F000-\U0001FAFF\u2600-\u27BF]*")


def direction_ranges(text: str) -> list[tuple[int, int]]:
    """(start, end) of every stage direction in ``text``, and of what is never spoken: web addresses
    and emoji."""
    found = [m.span() for m in _BRACKETED.finditer(text) if is_direction(m.group(1))]
    if "://" in text or "www." in text:
        found.extend(m.span() for m in _URL.finditer(text))
    found.extend(m.span() for m in _EMOJI.finditer(text))
    if "♪" in text or "♫" in text:
        found.extend(m.span() for m in _MUSIC.finditer(text))
    if "注" in text or "註" in text or "按" in text or ":" in text:
        found.extend(m.span() for m in _NOTE_LINE.finditer(text))
    return found


def spans_for(text: str, extra: Iterable[tuple[int, int]] = ()) -> tuple[Span, ...]:
    """Canonical spans of ``text``: detected directions plus ``extra`` ranges are unspoken."""
    ranges = sorted([*direction_ranges(text), *extra])
    if not ranges:
        return (Span(text, True),)
    spans: list[Span] = []
    pos = 0
    for start, end in _merge(ranges):
        if start > pos:
            spans.append(Span(text[pos:start], True))
        spans.append(Span(text[start:end], False))
        pos = end
    if pos < len(text):
        spans.append(Span(text[pos:], True))
    return tuple(spans)


def is_direction_line(line: str) -> bool:
    """True when a whole line is nothing but stage directions, e.g. ``(laughter)``."""
    stripped = line.strip()
    if not stripped:
        return False
    ranges = _merge(sorted(direction_ranges(stripped)))
    if not ranges:
        return False
    rest, pos = [], 0
    for start, end in ranges:
        rest.append(stripped[pos:start])
        pos = end
    rest.append(stripped[pos:])
    return not "".join(rest).strip(" .,;:，。、")


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in ranges:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
