"""Timed transcripts: sentence segments from the placements, cut into readable cues (VTT, SRT, JSON).

Times come from the engine's sentence timings (``Placement.sentences``, already in edition time); a
placement without usable timings is split into sentences whose times are proportional to their length.
Cues hold at most two lines of about 42 columns (a CJK character counts two, so ≈ 20 per line in Chinese);
a long sentence becomes several cues with times proportional to their characters. Cue times are
monotonic, never overlap and stay inside the audio.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.lang import (
    char_width,
    colon,
    is_cjk_language,
    join_text,
    narrator_name,
    script_variant,
    seconds,
    text_width,
)
from pipeline.model import NARRATOR_ID, Edition, Placement

LATIN_COLUMNS = 42
CJK_COLUMNS = 40
MAX_LINES = 2
#: Sentence timings shorter than this (after clamping) are not trusted; times become proportional.
MIN_SENTENCE_MS = 40

_SENTENCE_END = re.compile(r"[。！？!?…]+[」』”’\"')）]*\s*|\.+[\"'”’)]*\s+(?=\S)")
_BREAK_AFTER = set("，、,;；:：。.!?！？…)）」』”")
#: Characters that must not start a line (closing punctuation) or end one (opening brackets).
_NO_LINE_START = set("，、,.;；:：。!?！？…)）」』”’%")
_NO_LINE_END = set("「『“‘(（")
_ENDS_SENTENCE = re.compile(r"[。！？!?…\.][」』”’\"')）]*$")


@dataclass(frozen=True)
class TimedSentence:
    """One sentence of the transcript in edition time."""

    speaker: str
    """Speaker id (``narrator`` for the intro)."""
    name: str
    """Display name of the speaker."""
    start_ms: int
    """Start in the edition."""
    end_ms: int
    """End in the edition."""
    text: str
    """The sentence."""


@dataclass(frozen=True)
class Cue:
    """A caption: one or two lines shown together."""

    speaker: str
    """Speaker id."""
    name: str
    """Display name."""
    start_ms: int
    """Start in the edition."""
    end_ms: int
    """End in the edition."""
    lines: tuple[str, ...]
    """One or two lines."""
    first_of_turn: bool
    """True for the first cue after a change of speaker."""


def speaker_names(edition: Edition) -> dict[str, str]:
    """Speaker id → display name, the narrator included."""
    names = {s.id: s.name for s in edition.script.speakers}
    names[NARRATOR_ID] = narrator_name(script_variant(edition.script))
    return names


def split_sentences(text: str) -> list[str]:
    """Split prepared text into sentences at 。！？!?… and at '. ' (closing quotes stay with their sentence)."""
    parts, last = [], 0
    for m in _SENTENCE_END.finditer(text):
        if m.end() > last:
            parts.append(text[last:m.end()].strip())
            last = m.end()
    parts.append(text[last:].strip())
    return [p for p in parts if p]


def segments(edition: Edition) -> list[TimedSentence]:
    """Every spoken sentence in play order, with monotonic, non-overlapping times inside the audio.

    A request that carries on an unfinished sentence of the same turn (an espeak-ng language run such
    as "OpenAI" inside Chinese, or a long sentence cut in two) extends that sentence instead of
    becoming a fragment of its own.
    """
    names = speaker_names(edition)
    out: list[TimedSentence] = []
    floor = 0
    prev_key = None
    for p in edition.placements:
        key = (p.request.speaker, p.request.turn)
        for start, end, text in _timed_sentences(p):
            start = min(max(start, floor), edition.duration_ms)
            end = min(max(end, start), edition.duration_ms)
            if out and key == prev_key and not _ENDS_SENTENCE.search(out[-1].text):
                last = out[-1]
                out[-1] = TimedSentence(last.speaker, last.name, last.start_ms, end, join_text([last.text, text]))
            else:
                out.append(TimedSentence(p.request.speaker, names.get(p.request.speaker, p.request.speaker), start, end,
                                   text))
            floor = end
        prev_key = key
    return out


def _timed_sentences(p: Placement) -> list[tuple[int, int, str]]:
    timed = [(s.start_ms, s.end_ms, s.text.strip()) for s in p.sentences if s.text.strip()]
    ok = bool(timed) and all(b - a >= MIN_SENTENCE_MS for a, b, _t in timed) and all(
        timed[i][0] >= timed[i - 1][0] for i in range(1, len(timed)))
    if ok:
        return timed
    return _proportional(p.start_ms, p.end_ms, split_sentences(p.request.text))


def _proportional(start: int, end: int, pieces: list[str]) -> list[tuple[int, int, str]]:
    """Spread ``pieces`` over [start, end] in proportion to their display width."""
    weights = [max(1, text_width(t)) for t in pieces]
    total, acc, out = sum(weights), 0, []
    for text, w in zip(pieces, weights, strict=True):
        a = start + round((end - start) * acc / total)
        acc += w
        b = start + round((end - start) * acc / total)
        out.append((a, b, text))
    return out


# ----------------------------------------------------------------------------------------------- cues


def cues(segs: list[TimedSentence], language: str, *, prefix_names: bool = False) -> list[Cue]:
    """Cut segments into cues of at most two lines. With ``prefix_names`` the first cue of each speaker's
    run starts with ``Name: `` (SRT has no voice tags)."""
    columns = CJK_COLUMNS if is_cjk_language(language) else LATIN_COLUMNS
    sep = colon(language)
    out: list[Cue] = []
    prev_speaker = None
    for seg in segs:
        first = seg.speaker != prev_speaker
        prev_speaker = seg.speaker
        text = (seg.name + sep + seg.text) if (prefix_names and first) else seg.text
        lines = wrap(text, columns)
        groups = [tuple(lines[i:i + MAX_LINES]) for i in range(0, len(lines), MAX_LINES)]
        spans = _proportional(seg.start_ms, seg.end_ms, ["".join(g) for g in groups])
        for k, (group, (a, b, _t)) in enumerate(zip(groups, spans, strict=True)):
            out.append(Cue(seg.speaker, seg.name, a, b, group, first and k == 0))
    return [c for c in out if c.end_ms > c.start_ms]


def wrap(text: str, columns: int) -> list[str]:
    """Greedy line wrap by display width at word boundaries (jieba words for CJK), preferring to break
    after punctuation when that keeps the line at least 60 % full. Closing punctuation never starts a
    line and an opening bracket never ends one (the word before moves down with it instead)."""
    tokens = _tokens(text)
    lines: list[str] = []
    line: list[str] = []
    for tok in tokens:
        for piece in _hard_split(tok, columns):
            if line and text_width("".join(line + [piece]).strip()) > columns:
                keep, rest = _punctuation_break(line, columns)
                if not rest and len(keep) > 1 and piece.strip() and set(piece.strip()) <= _NO_LINE_START:
                    keep, rest = keep[:-1], keep[-1:]
                while len(keep) > 1 and keep[-1].strip() and set(keep[-1].strip()) <= _NO_LINE_END:
                    keep, rest = keep[:-1], keep[-1:] + rest
                lines.append("".join(keep).strip())
                line = rest
            line.append(piece)
    if "".join(line).strip():
        lines.append("".join(line).strip())
    return [ln for ln in lines if ln] or [text.strip()]


def _tokens(text: str) -> list[str]:
    text = " ".join(text.split())
    if any(char_width(c) == 2 for c in text):
        from pipeline.segment import words

        return words(text)
    return re.findall(r"\S+\s*", text)


def _hard_split(token: str, columns: int) -> list[str]:
    """A token wider than a line (a URL, an unbroken run) is cut by width."""
    if text_width(token.strip()) <= columns:
        return [token]
    pieces, cur = [], ""
    for ch in token:
        if cur and text_width(cur + ch) > columns:
            pieces.append(cur)
            cur = ""
        cur += ch
    return pieces + ([cur] if cur else [])


def _punctuation_break(line: list[str], columns: int) -> tuple[list[str], list[str]]:
    for k in range(len(line) - 1, 0, -1):
        head = "".join(line[:k]).rstrip()
        if head and head[-1] in _BREAK_AFTER and text_width(head) >= columns * 3 // 5:
            return line[:k], line[k:]
    return line, []


# -------------------------------------------------------------------------------------------- formats


def _stamp(ms: int, sep: str) -> str:
    ms = max(0, int(ms))
    return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d}{sep}{ms % 1000:03d}"


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_vtt(cue_list: list[Cue]) -> str:
    """WebVTT with ``<v Speaker>`` voice tags."""
    out = ["WEBVTT", ""]
    for c in cue_list:
        out.append(f"{_stamp(c.start_ms, '.')} --> {_stamp(c.end_ms, '.')}")
        body = "\n".join(_vtt_escape(ln) for ln in c.lines)
        out.append(f"<v {_vtt_escape(c.name)}>{body}")
        out.append("")
    return "\n".join(out)


def to_srt(cue_list: list[Cue]) -> str:
    """SubRip (cues built with ``prefix_names=True`` carry ``Speaker: `` at speaker changes)."""
    out = []
    for n, c in enumerate(cue_list, start=1):
        out += [str(n), f"{_stamp(c.start_ms, ',')} --> {_stamp(c.end_ms, ',')}", *c.lines, ""]
    return "\n".join(out)


def to_json(segs: list[TimedSentence]) -> dict:
    """Podcasting 2.0 JSON transcript."""
    return {"version": "1.0.0", "segments": [
        {"speaker": s.name, "startTime": seconds(s.start_ms), "endTime": seconds(s.end_ms),
         "body": s.text} for s in segs]}


def lyrics(edition: Edition) -> str:
    """``Speaker: text`` lines, one per turn (the intro first), for USLT / ©lyr."""
    names = speaker_names(edition)
    sep = colon(edition.script.language)
    lines: list[str] = []
    key, parts, who = None, [], ""
    for p in edition.placements:
        k = (p.request.speaker, p.request.turn)
        if k != key and parts:
            lines.append(who + sep + join_text(parts))
            parts = []
        key, who = k, names.get(p.request.speaker, p.request.speaker)
        parts.append(p.request.text)
    if parts:
        lines.append(who + sep + join_text(parts))
    return "\n".join(lines)
