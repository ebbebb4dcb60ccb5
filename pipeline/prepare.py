"""Text prepared for speech: normalised, split into engine requests, planned in play order.

Text stays plain text all the way: characters such as ``<`` and ``&`` are kept and each engine escapes
them (Edge puts the text in SSML after XML-escaping; espeak-ng reads stdin without ``-m``), so nothing a
transcript contains can become markup. Request sizes are measured *after* that escaping.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata

from pipeline.errors import BadInput
from pipeline.lang import CHINESE_SCRIPT, is_chinese, is_cjk_language
from pipeline.model import NARRATOR_ID, Cast, Request, Script, VoiceSettings

# Request sizes. Shorter requests give the first audio sooner and let more requests run in parallel
# (and a failed request costs less to retry); very short ones pay Edge's per-request overhead (a new
# WebSocket and SSML round trip, ~0.3–0.5 s each) and break prosody at every cut. Sentences are packed
# up to a target of roughly 30–35 s of speech: Mandarin voices speak ~4.5 characters/s, English ones
# ~15 characters/s. A single sentence may reach the hard cap before it is cut at commas or words.
ZH_TARGET, ZH_MAX = 160, 300
EN_TARGET, EN_MAX = 450, 600
#: Edge rejects SSML over 4096 bytes; requests stay far below, counted after XML escaping.
DEFAULT_MAX_BYTES = 1000
#: How far back from the size limit a cut looks for a word boundary before cutting harder.
WORD_WINDOW = 32

_CJK = re.compile(f"[{CHINESE_SCRIPT}]")
_CJK_PUNCT = "。，、；：？！…「」『』（）《》〈〉【】"
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff]")
_SPEAKABLE = re.compile(r"[^\W_]")  # a letter or digit of any script, CJK included
_CLOSE = "」』”’\"')）\\]】》〉"
_SENTENCE_END = re.compile(f"(?:[。！？!?；;…]+|\\.+(?=[\\s{_CLOSE}]|$))[{_CLOSE}]*\\s*")
_CLAUSE_END = re.compile(f"(?:[，,、：:]|—+|–+)[{_CLOSE}]*\\s*")
_INVISIBLE = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufe00-\ufe0f\ufeff\ufff9-\ufffd]")
#: Full-width punctuation Chinese text uses as punctuation: kept, so Chinese voices pause right.
_KEEP_FULL = frozenset("！＂＇（），．：；？［］｛｝")
_FULL_STOP_IN_NUMBER = re.compile(r"(?<=[0-9])．(?=[0-9])")
_TO_FULL = {",": "，", "!": "！", "?": "？", ":": "：", ";": "；"}
_HALF_BEFORE_CJK = re.compile(f"(?<=[{CHINESE_SCRIPT}])\\s*([,!?:;]|\\.\\.\\.|\\.(?![0-9A-Za-z.]))"
                              f"|\\s*([,!?:;])(?=\\s*[{CHINESE_SCRIPT}])")
_SPACE_AROUND_PUNCT = re.compile(f"\\s*([{_CJK_PUNCT}])\\s*")


# ----------------------------------------------------------------------------------------- normalise


def prepare(text: str) -> str:
    """Normalise text for a voice: one line, no invisible characters, full-width letters and digits made
    half-width, half-width punctuation after Chinese made full-width (so Chinese voices pause right)."""
    out = []
    for ch in _INVISIBLE.sub("", text):
        code = ord(ch)
        if 0xFF01 <= code <= 0xFF5E and ch not in _KEEP_FULL:  # Ｈｅｌｌｏ１２３％ → Hello123%
            ch = chr(code - 0xFEE0)
        elif 0xFFE0 <= code <= 0xFFE6:  # full-width currency and signs: ￥ → ¥
            ch = unicodedata.normalize("NFKC", ch)
        elif ch == "\u3000":
            ch = " "
        elif ch in "\r\v\f\u2028\u2029\x85":
            ch = "\n"
        elif unicodedata.category(ch) in ("Cc", "Co", "Cs") and ch not in "\t\n":
            continue
        out.append(ch)
    text = _FULL_STOP_IN_NUMBER.sub(".", "".join(out))
    text = _HALF_BEFORE_CJK.sub(_widen, text)
    text = " ".join(text.split())
    return _SPACE_AROUND_PUNCT.sub(r"\1", text).strip()


def _widen(m: re.Match) -> str:
    mark = m.group(1) or m.group(2)
    return "…" if mark == "..." else _TO_FULL.get(mark, "。")


def is_speakable(text: str) -> bool:
    """True when ``text`` has a letter, digit or CJK character (Edge answers punctuation with no audio)."""
    return bool(_SPEAKABLE.search(text))


def escaped_size(text: str) -> int:
    """UTF-8 bytes of ``text`` after XML escaping (``&`` → ``&amp;`` …), counting quotes as escaped too."""
    return (len(text.encode("utf-8")) + 4 * text.count("&") + 3 * (text.count("<") + text.count(">"))
            + 5 * (text.count('"') + text.count("'")))


# ---------------------------------------------------------------------------------------------- split


def split_requests(text: str, language: str, *, max_chars: int | None = None,
                   max_bytes: int = DEFAULT_MAX_BYTES) -> list[str]:
    """Cut text into request-sized pieces at sentence ends, packing sentences up to a target size.

    A sentence over the limit is cut at commas, then at word boundaries (jieba for CJK, spaces for Latin
    script), and only as a last resort anywhere. Every piece has at most ``max_chars`` characters and
    ``max_bytes`` bytes after XML escaping; pieces are stripped, and those without a letter, digit or
    CJK character are dropped. Joined, the pieces give back the text except for whitespace at the cuts.
    """
    if max_bytes < 32 or (max_chars is not None and max_chars < 8):
        raise ValueError("max_bytes must be at least 32 and max_chars at least 8")
    cjk = is_cjk_language(language)
    cap = max_chars or (ZH_MAX if cjk else EN_MAX)
    target = min(ZH_TARGET if cjk else EN_TARGET, cap)
    limits = _Limits(cap, max_bytes)
    units: list[tuple[int, int]] = []
    for s, e in _cut_after(text, 0, len(text), _SENTENCE_END):
        if limits.fits(text, s, e):
            units.append((s, e))
            continue
        for s2, e2 in _cut_after(text, s, e, _CLAUSE_END):
            if limits.fits(text, s2, e2):
                units.append((s2, e2))
            else:
                units.extend(_cut_words(text, s2, e2, limits))
    pieces = (text[s:e].strip() for s, e in _pack(text, units, target, limits))
    return [p for p in pieces if is_speakable(p)]


@dataclasses.dataclass(frozen=True)
class _Limits:
    chars: int
    bytes: int

    def fits(self, text: str, start: int, end: int) -> bool:
        return end - start <= self.chars and escaped_size(text[start:end]) <= self.bytes

    def longest(self, text: str, start: int, end: int) -> int:
        """The furthest end (≤ ``end``) such that text[start:end'] fits; at least start + 1."""
        hi = min(end, start + self.chars)
        if escaped_size(text[start:hi]) <= self.bytes:
            return hi
        lo = start + 1
        while lo < hi:  # binary search on the byte size
            mid = (lo + hi + 1) // 2
            if escaped_size(text[start:mid]) <= self.bytes:
                lo = mid
            else:
                hi = mid - 1
        return lo


def _cut_after(text: str, start: int, end: int, pattern: re.Pattern) -> list[tuple[int, int]]:
    """Spans of text[start:end] cut after each match of ``pattern`` (the match stays on the left)."""
    spans, pos = [], start
    for m in pattern.finditer(text, start, end):
        if m.end() > pos:
            spans.append((pos, m.end()))
            pos = m.end()
    if pos < end:
        spans.append((pos, end))
    return spans


def _cut_words(text: str, start: int, end: int, limits: _Limits) -> list[tuple[int, int]]:
    """Cut a too-long stretch without punctuation at word boundaries near the size limit."""
    spans, pos = [], start
    while pos < end:
        lim = limits.longest(text, pos, end)
        if lim >= end:
            spans.append((pos, end))
            break
        cut = _word_boundary(text, pos, lim, end)
        spans.append((pos, cut))
        pos = cut
    return spans


def _word_boundary(text: str, pos: int, lim: int, end: int) -> int:
    """The best cut in (pos, lim]: a space near the limit, a jieba word boundary, any space, else lim."""
    window_start = max(pos + 1, lim - WORD_WINDOW)
    space = _last_space(text, window_start, lim)
    if space is not None:
        return space
    if _CJK.search(text, window_start, lim + 1):
        from pipeline.segment import words

        # Segment a little past the limit so the token at the limit is a real word, not a fragment.
        ws = max(pos, window_start - 8)
        edge = min(end, lim + 8)
        boundary, best = ws, None
        for w in words(text[ws:edge]):
            boundary += len(w)
            if window_start <= boundary <= lim and (boundary < edge or edge == end):
                best = boundary
        if best is not None:
            return best
    space = _last_space(text, pos + 1, lim)
    if space is not None:
        return space
    cut = lim
    while cut > pos + 1 and unicodedata.combining(text[cut]):  # keep accents with their letter
        cut -= 1
    return cut


def _last_space(text: str, lo: int, hi: int) -> int | None:
    """The largest cut c in [lo, hi] next to whitespace (the space is stripped from the pieces)."""
    for c in range(hi, lo - 1, -1):
        if text[c - 1].isspace() or (c < len(text) and text[c].isspace()):
            return c
    return None


def _pack(text: str, units: list[tuple[int, int]], target: int, limits: _Limits) -> list[tuple[int, int]]:
    """Join consecutive units up to ``target`` characters; punctuation-only units join a neighbour."""
    packed: list[tuple[int, int]] = []
    cur: tuple[int, int] | None = None
    for s, e in units:
        if cur is None:
            cur = (s, e)
            continue
        joined_fits = limits.fits(text, cur[0], e)
        glue = not is_speakable(text[s:e]) or not is_speakable(text[cur[0]:cur[1]])
        if joined_fits and (e - cur[0] <= target or glue):
            cur = (cur[0], e)
        else:
            packed.append(cur)
            cur = (s, e)
    if cur is not None:
        packed.append(cur)
    return packed


# --------------------------------------------------------------------------------------------- scripts


def split_scripts(text: str, default: str = "zh") -> list[tuple[str, str]]:
    """Split mixed text into runs of Chinese (``zh``: Han, kana, bopomofo) and Latin script (``en``).

    Digits, punctuation and spaces join the run before them (or the first run); the runs concatenate to
    ``text``. Text with neither script is one run labelled ``default``. Linear in the length of the text
    (a regex scan, then one slice per run), so a megabyte-long turn is split in well under a second.
    """
    starts: list[tuple[int, str]] = []
    for m in _SCRIPT_RUN.finditer(text):
        kind = m.lastgroup or default
        if not starts:
            starts.append((0, kind))  # anything before the first letter joins the first run
        elif starts[-1][1] != kind:
            starts.append((m.start(), kind))
    if not starts:
        return [(text, default)] if text else []
    ends = [s for s, _ in starts[1:]] + [len(text)]
    return [(text[s:e], kind) for (s, kind), e in zip(starts, ends, strict=True)]


_SCRIPT_RUN = re.compile(f"(?P<zh>[{CHINESE_SCRIPT}]+)|(?P<en>{_LATIN.pattern}+)")


# ---------------------------------------------------------------------------------------------- plan


def plan_requests(script: Script, cast: Cast, *, intro: str | None = None,
                  speak_directions: bool = False) -> tuple[Request, ...]:
    """Every speech request of the edition in play order: the intro (narrator), then each turn.

    Stage directions are dropped unless ``speak_directions``. With espeak-ng, Chinese and Latin-script runs
    become separate requests, the other script's run read by that language's espeak-ng voice with the
    speaker's variant and prosody (``Request.lang`` set). Raises :class:`BadInput` when no turn has
    anything to speak.
    """
    planner = _Planner(script, cast)
    if intro:
        planner.add(intro, NARRATOR_ID, None, None)
    first_turn = len(planner.requests)
    for i, turn in enumerate(script.turns):
        planner.add(turn.text if speak_directions else turn.spoken_text, turn.speaker, i, turn.chapter)
    if len(planner.requests) == first_turn:
        raise BadInput(f"nothing to speak: no turn of {script.title!r} has speakable text "
                       f"({len(script.turns)} turns)")
    return tuple(planner.requests)


class _Planner:
    def __init__(self, script: Script, cast: Cast) -> None:
        self.script, self.cast = script, cast
        self.requests: list[Request] = []
        lang = script.language.casefold()
        self.family = "zh" if is_chinese(lang) else "en" if lang.startswith("en") else None
        self.espeak = None
        if cast.engine == "espeak" and self.family:
            from pipeline.cast.voices import load_espeak_config

            self.espeak = load_espeak_config()

    def add(self, text: str, speaker: str, turn: int | None, chapter: int | None) -> None:
        prepared = prepare(text)
        if not prepared:
            return
        voice = self.cast.voice_for(speaker)
        runs = split_scripts(prepared, self.family) if self.espeak else [(prepared, "")]
        part = 0
        previous = ""
        for run_index, (run, kind) in enumerate(runs):
            lang, settings = "", voice
            if self.espeak and kind != self.family:
                lang = kind
                entry = self.espeak.english if kind == "en" else self.espeak.mandarin
                settings = _with_voice(voice, self.espeak.voice_in(voice.voice, entry))
            for piece_index, piece in enumerate(split_requests(run, lang or self.script.language)):
                # a script-run split inside a sentence: the mixer joins it with a very short gap
                continues = (run_index > 0 and piece_index == 0 and bool(previous)
                             and not previous.rstrip().endswith(_SENTENCE_END_CHARS))
                self.requests.append(Request(index=len(self.requests), speaker=speaker, text=piece,
                                             voice=settings, turn=turn, part=part, chapter=chapter, lang=lang,
                                             continues=continues))
                previous = piece
                part += 1


_SENTENCE_END_CHARS = tuple("。！？…；.!?;")


def _with_voice(settings: VoiceSettings, voice: str) -> VoiceSettings:
    return dataclasses.replace(settings, voice=voice)
