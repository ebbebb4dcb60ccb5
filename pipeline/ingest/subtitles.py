"""WebVTT and SRT transcripts: cues become turns.

Speakers come from WebVTT voice tags (``<v Name>``, ``<v.loud Name>``) or, in SRT and tag-less WebVTT,
from ``Name:`` prefixes learned like inline labels. Consecutive cues of one speaker merge into one turn;
a cue without a name continues the previous speaker. Styling tags, ruby text, karaoke timestamps and
ASS overrides are removed. Broken timings are refused.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from pipeline.errors import BadInput
from pipeline.ingest.clean import join_fragments
from pipeline.ingest.labels import LabelParts
from pipeline.ingest.learn import learn_inline_labels

_VTT_TIME = re.compile(r"^(?P<a>(?:\d+:)?\d{1,2}:\d{2}\.\d{3})[ \t]+-->[ \t]+(?P<b>(?:\d+:)?\d{1,2}:\d{2}\.\d{3})"
                       r"(?:[ \t]+.*)?$")
_SRT_TIME = re.compile(r"^(?P<a>\d{1,3}:\d{1,2}:\d{1,2}[,.]\d{1,3})[ \t]*-->[ \t]*"
                       r"(?P<b>\d{1,3}:\d{1,2}:\d{1,2}[,.]\d{1,3})(?:[ \t]+.*)?$")
#: What real tools write when they get the form wrong: ``00:15,500`` (no hours in SRT), ``1:02.5``, ``12``
#: (seconds only), a comma in WebVTT or a period in SRT. Read, with one warning for the file.
_LOOSE_TIME = re.compile(r"^(?P<a>(?:\d{1,3}:){0,2}\d{1,2}(?:[.,]\d{1,3})?)[ \t]*-->[ \t]*"
                         r"(?P<b>(?:\d{1,3}:){0,2}\d{1,2}(?:[.,]\d{1,3})?)(?:[ \t]+.*)?$")
_VOICE = re.compile(r"<v(?:\.[^\s>]+)*(?:[ \t]+(?P<name>[^>]*))?>")
_RUBY_TEXT = re.compile(r"<rt>.*?</rt>", re.DOTALL)
_TAG = re.compile(r"</?[A-Za-z][^<>]*>|<\d{1,2}:\d{2}(?::\d{2})?\.\d{3}>")
_ASS = re.compile(r"\{\\[^}]*\}")
_DASH = re.compile(r"^\s*(?:-|–)\s+")  # a dialogue dash; a leading >> (a new speaker) is kept for speaker_runs
_SENTENCE_END = (".", "!", "?", "。", "！", "？", "…", '"', "”", "」")

#: Sniffing: an SRT timing line anywhere near the top.
SRT_SNIFF = re.compile(r"^\s*\d{1,3}:\d{1,2}:\d{1,2}[,.]\d{1,3}\s*-->\s*\d", re.MULTILINE)


@dataclass(frozen=True)
class Cue:
    """One cue's text lines, each with the voice that speaks it (None when the cue names nobody)."""

    start_ms: int
    """Cue start."""
    end_ms: int
    """Cue end."""
    lines: tuple[tuple[str | None, str], ...]
    """(voice name or None, text) per payload line, tags removed."""


def parse_vtt(text: str, name: str, warnings: list[str] | None = None) -> tuple[str, list[Cue]]:
    """(title from the ``WEBVTT`` line, cues); timings in a near form are read and reported in ``warnings``."""
    loose: list[str] = []
    lines = text.split("\n")
    first = lines[0].lstrip("\ufeff").strip() if lines else ""
    if not first.startswith("WEBVTT") or (len(first) > 6 and first[6] not in " \t-"):
        raise BadInput(f"{name} is not a WebVTT file: the first line must be 'WEBVTT'")
    title = first[6:].strip(" \t-–—:")
    cues: list[Cue] = []
    for number, (lineno, block) in enumerate(_blocks(lines)):
        if number == 0 and lineno == 1:
            # The header block: WEBVTT plus metadata such as "Kind: captions" (a cue may follow directly).
            timed = next((k for k, ln in enumerate(block) if "-->" in ln), None)
            if timed is None:
                continue
            block, lineno = block[timed:], lineno + timed
        head = block[0].strip()
        if head.startswith(("NOTE", "STYLE", "REGION")) and "-->" not in head:
            continue
        at = 0 if "-->" in block[0] else 1
        if at >= len(block) or "-->" not in block[at]:
            raise BadInput(f"{name}: line {lineno}: expected a cue timing like "
                           f"'00:00:01.000 --> 00:00:04.000', found {block[0].strip()[:40]!r}")
        m = _VTT_TIME.match(block[at].strip()) or _loose(block[at], lineno + at, name, loose)
        cues.append(_cue(m, block[at + 1:], lineno + at, cues, name, voices=True))
    if not cues:
        raise BadInput(f"{name}: the WebVTT file has no cues")
    _warn_loose(loose, "WebVTT", "00:01:02.500", warnings)
    return title, cues


def parse_srt(text: str, name: str, warnings: list[str] | None = None) -> list[Cue]:
    """Cues of an SRT file (timings in a near form are read and reported in ``warnings``)."""
    cues: list[Cue] = []
    loose: list[str] = []
    for lineno, block in _blocks(text.split("\n")):
        at = 0
        if block[0].strip().isdigit():
            at = 1
        if at >= len(block) or "-->" not in block[at]:
            bad = block[at] if at < len(block) else block[0]
            raise BadInput(f"{name}: line {lineno + min(at, len(block) - 1)}: expected an SRT timing line like "
                           f"'00:00:01,000 --> 00:00:04,000', found {bad.strip()[:40]!r}")
        m = _SRT_TIME.match(block[at].strip()) or _loose(block[at], lineno + at, name, loose)
        cues.append(_cue(m, block[at + 1:], lineno + at, cues, name, voices=False))
    if not cues:
        raise BadInput(f"{name}: the SRT file has no cues")
    _warn_loose(loose, "SRT", "00:01:02,500", warnings)
    return cues


def _loose(line: str, lineno: int, name: str, loose: list[str]) -> re.Match:
    """A timing line in a form real tools write but the format does not allow, read anyway (noted in
    ``loose``); one that cannot be read at all is :class:`BadInput`."""
    m = _LOOSE_TIME.match(line.strip())
    if not m:
        raise BadInput(f"{name}: line {lineno}: bad cue timing {line.strip()[:60]!r}")
    loose.append(f"line {lineno} {m.group('a')!r}")
    return m


def _warn_loose(loose: list[str], fmt: str, form: str, warnings: list[str] | None) -> None:
    if loose and warnings is not None:
        n = len(loose)
        warnings.append(f"read {n} cue timing{'s' if n > 1 else ''} not written the {fmt} way ({form}); "
                        f"first at {loose[0]}")


_CHEVRON = re.compile(r"^>>\s*")


def speaker_runs(cues: list[Cue], pattern: re.Pattern | None = None) -> list[tuple[LabelParts | None, str]]:
    """(speaker label or None for unnamed, text) runs: one per change of speaker."""
    from pipeline.ingest.labels import parse_label

    flat: list[tuple[str | None, str]] = [ln for cue in cues for ln in cue.lines]
    # ``<v Travis>`` voice tags, and ``Gilon:`` / ``[Dana]`` prefixes on the other cues (one file may mix them)
    unvoiced = [i for i, (voice, _) in enumerate(flat) if not voice]
    texts = [flat[i][1] for i in unvoiced]
    if pattern is not None:
        from pipeline.ingest.body import labels_by_pattern

        learned = labels_by_pattern(texts, pattern)
    else:
        learned = learn_inline_labels(texts, loose=True)
    prefixed = {unvoiced[k]: found for k, found in learned.items()}
    if len(unvoiced) < len(flat):
        # Beside <v> voices, a ``Gilon:`` prefix counts where a turn can start: the first line of a cue after
        # a finished sentence (captions cut anywhere would otherwise make "所以：…" a speaker).
        starts = _turn_starts(cues)
        prefixed = {i: found for i, found in prefixed.items() if i in starts}
    named: list[tuple[LabelParts | None, str]] = []
    for i, (voice, text) in enumerate(flat):
        if voice:
            named.append((parse_label(voice) or LabelParts(voice, voice), text))
        elif i in prefixed:
            named.append(prefixed[i])
        elif _CHEVRON.match(text):
            named.append((LabelParts(">>", ">>"), _CHEVRON.sub("", text)))  # TV captions: >> a new, unnamed speaker
        else:
            named.append((None, text))
    runs: list[tuple[LabelParts | None, list[str]]] = []
    for parts, text in named:
        if parts is None and runs:
            runs[-1][1].append(text)
        elif parts is not None and runs and runs[-1][0] is not None and runs[-1][0].keys == parts.keys:
            runs[-1][1].append(text)
        else:
            runs.append((parts, [text]))
    return [(parts, join_pieces(texts)) for parts, texts in runs]


def _turn_starts(cues: list[Cue]) -> set[int]:
    """Indices (into the cues' flattened lines) of cue first lines that follow a finished sentence."""
    starts: set[int] = set()
    i, last = 0, ""
    for cue in cues:
        if cue.lines and (not last or last.rstrip().endswith(_SENTENCE_END)):
            starts.add(i)
        i += len(cue.lines)
        if cue.lines:
            last = cue.lines[-1][1]
    return starts


def narration_chunks(cues: list[Cue], size: int) -> list[str]:
    """Unnamed captions as running text, cut at sentence ends into chunks of about ``size`` characters."""
    chunks: list[str] = []
    current: list[str] = []
    length = 0
    for cue in cues:
        for _, text in cue.lines:
            current.append(text)
            length += len(text)
            if length >= size and text.rstrip().endswith(_SENTENCE_END):
                chunks.append(join_pieces(current))
                current, length = [], 0
    if current:
        chunks.append(join_pieces(current))
    return chunks


def join_pieces(pieces: list[str]) -> str:
    """Join caption fragments: a space between words, nothing between CJK characters; repeats dropped."""
    return join_fragments(pieces, drop_repeats=True)


def _blocks(lines: list[str]) -> list[tuple[int, list[str]]]:
    """Blank-line separated blocks with the 1-based line number of their first line."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = 0
    for n, line in enumerate(lines, start=1):
        if line.strip():
            if not current:
                start = n
            current.append(line)
        elif current:
            blocks.append((start, current))
            current = []
    if current:
        blocks.append((start, current))
    return blocks


def _cue(m: re.Match, payload: list[str], lineno: int, cues: list[Cue], name: str, *, voices: bool) -> Cue:
    start, end = _ms(m.group("a")), _ms(m.group("b"))
    if start is None or end is None:
        raise BadInput(f"{name}: line {lineno}: impossible time in {m.group(0).strip()[:60]!r}")
    if end < start:
        raise BadInput(f"{name}: line {lineno}: cue ends ({m.group('b')}) before it starts ({m.group('a')})")
    if cues and start < cues[-1].start_ms:
        raise BadInput(f"{name}: line {lineno}: cue starts at {m.group('a')}, before the previous cue; "
                       "cues must be in time order")
    lines: list[tuple[str | None, str]] = []
    voice: str | None = None
    for raw in payload:
        if "-->" in raw:
            raise BadInput(f"{name}: line {lineno}: a cue contains a second timing line; "
                           "separate cues with a blank line")
        for v, text in _voiced(raw, voice if voices else None, voices):
            voice = v
            text = _DASH.sub("", _clean(text))
            if text:
                lines.append((v, text))
    return Cue(start, end, tuple(lines))


def _voiced(raw: str, voice: str | None, voices: bool) -> list[tuple[str | None, str]]:
    """Split a payload line at ``<v Name>`` tags."""
    if not voices or "<v" not in raw:
        return [(voice, raw)]
    out: list[tuple[str | None, str]] = []
    pos = 0
    for m in _VOICE.finditer(raw):
        if m.start() > pos:
            out.append((voice, raw[pos:m.start()]))
        voice = (m.group("name") or "").strip() or voice
        pos = m.end()
    out.append((voice, raw[pos:]))
    return out


def _clean(text: str) -> str:
    text = _RUBY_TEXT.sub("", text)
    text = _TAG.sub("", text)
    text = _ASS.sub("", text)
    return html.unescape(text).strip()


def _ms(stamp: str) -> int | None:
    if not re.search(r"[.,]\d{1,3}$", stamp):
        stamp += ".000"  # seconds only (a lenient timing)
    parts = re.split(r"[:,.]", stamp)
    *hms, frac = parts
    try:
        nums = [int(p) for p in hms]
        ms = int(frac.ljust(3, "0")[:3])
    except ValueError:
        return None
    while len(nums) < 3:
        nums.insert(0, 0)
    h, m, s = nums
    if m >= 60 or s >= 60:
        return None
    return ((h * 60 + m) * 60 + s) * 1000 + ms
