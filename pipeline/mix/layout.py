"""Lay the prepared clips out on the edition's timeline: the gap before every clip, where every clip's speech
lies (placements), and where the sections start.

The gap before every clip follows the conversation (part, turn, chapter). A long edition is cut into
**sections** at some changes of turn (where a hash of the next clip says so, at least
:attr:`MixSettings.section_min_s` apart, and after the intro): each section starts on a multiple of
:data:`SECTION_GRID` frames — a whole number of MP3 and AAC frames — by lengthening the pause before it by
under 0.21 s. The encoders encode every section on its own and the writers keep them between renders, so a
re-render after an edit encodes only the sections whose audio changed: the sections after an edit keep
their audio, only moved by whole frames.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import RecastError
from pipeline.mix.clips import Prepared
from pipeline.mix.settings import KEEP_LEAD_MS, KEEP_TAIL_MS, WIDTH, MixSettings, ms
from pipeline.model import NARRATOR_ID, Clip, Placement, Section, SentenceTiming

#: Sections start on multiples of this many frames at 44.1 kHz: lcm(1152, 1024), whole MP3 and AAC frames
#: (0.209 s). At other mix rates (the encoders resample to 44.1 kHz) the edition is one section.
SECTION_GRID = 9216
SECTION_RATE = 44100
#: Silence (frames) a cut needs before it: the encoders leave out up to one frame before the next section.
SECTION_QUIET = 2 * 1152


@dataclass(frozen=True)
class Slot:
    """A stretch of the master: ``silence`` frames, then ``frames`` frames of a speaker's scratch WAV."""

    silence: int
    speaker: str | None = None
    offset: int = 0
    frames: int = 0
    source: str = ""
    """The sha256 of the clip's file: what the frames are, wherever they lie."""


@dataclass(frozen=True)
class Layout:
    """Where every clip goes."""

    segments: tuple[Slot, ...]
    """The master, in order."""
    placements: tuple[Placement, ...]
    """Where every clip's speech lies, in play order."""
    frames: int
    """Length of the master."""
    cuts: tuple[int, ...]
    """Frames where a section starts, after 0."""


def gap_before(prev: Clip | None, clip: Clip, settings: MixSettings) -> int:
    """Silence (ms) between the previous clip's speech and this clip's speech."""
    if prev is None:
        return 0
    a, b = prev.request, clip.request
    if b.speaker != NARRATOR_ID and (a.speaker == NARRATOR_ID or a.chapter != b.chapter):
        return settings.gap_chapter_ms
    if a.turn != b.turn or a.speaker != b.speaker:
        return settings.gap_speaker_ms
    return settings.gap_join_ms if b.continues else settings.gap_part_ms


def layout(clips: Sequence[Clip], prepared: list[Prepared], settings: MixSettings,
           digests: Sequence[str]) -> Layout:
    """Where every clip goes. ``digests``: each clip file's sha256 (see :func:`digest`)."""
    rate = settings.sample_rate
    cutter = _Cutter(clips, prepared, settings, digests)
    segments: list[Slot] = []
    cuts: list[int] = []
    cursor = 0  # frames laid out so far
    prev_tail = 0  # frames of the previous clip after its speech end
    pending_gap = 0  # ms of gap owed by clips without speech
    started = False
    placements: list[Placement] = []
    for i, (clip, prep) in enumerate(zip(clips, prepared, strict=True)):
        gap_ms = max(pending_gap, gap_before(clips[i - 1] if i else None, clip, settings))
        if prep.frames == 0:
            pending_gap = gap_ms
            at = ms(cursor, rate)
            placements.append(_place(clip, at, at, prep, 0.0))
            continue
        pending_gap = 0
        silence = max(0, gap_ms * rate // 1000 - prev_tail - prep.speech_from) if started else 0
        if started and silence >= SECTION_QUIET and cutter.cut_before(i, cursor + silence, cuts[-1] if cuts else 0):
            at = -(-(cursor + silence) // SECTION_GRID) * SECTION_GRID
            silence = at - cursor
            cuts.append(at)
        segments.append(Slot(silence, prep.speaker, prep.offset, prep.frames, digests[i]))
        cursor += silence
        start, end = cursor + prep.speech_from, cursor + prep.speech_to
        placements.append(_place(clip, ms(start, rate), ms(end, rate), prep, ms(start, rate) - prep.clip_speech_ms))
        cursor += prep.frames
        prev_tail = prep.frames - prep.speech_to
        started = True
    tail = max(0, settings.tail_ms * rate // 1000 - prev_tail)
    segments.append(Slot(tail))
    return Layout(tuple(segments), tuple(placements), cursor + tail, tuple(cuts))


class _Cutter:
    """Decides where sections start (see the module's docstring): after the intro, and at a change of turn
    whose clip's sha256 is a multiple of ``section_odds`` once ``section_min_s`` has
    passed since the last cut (at the first change of turn after ``section_max_s``, whatever the hash)."""

    def __init__(self, clips: Sequence[Clip], prepared: list[Prepared], settings: MixSettings,
                 digests: Sequence[str]) -> None:
        rate = settings.sample_rate
        self.clips = clips
        self.digests = digests
        self.odds = settings.section_odds
        self.min_frames = settings.section_min_s * rate
        self.max_frames = settings.section_max_s * rate
        speech = sum(p.frames for p in prepared)
        self.on = (rate == SECTION_RATE and settings.section_min_s > 0 and speech >= 2 * self.min_frames)

    def cut_before(self, i: int, at: int, last: int) -> bool:
        if not self.on:
            return False
        prev, clip = self.clips[i - 1].request, self.clips[i].request
        if clip.speaker == NARRATOR_ID:
            return False
        if prev.speaker == NARRATOR_ID:
            return True  # the intro is a section of its own: an edit may change what it says
        if prev.turn == clip.turn or at - last < self.min_frames:
            return False
        if at - last >= self.max_frames:
            return True
        return int(self.digests[i][:16], 16) % self.odds == 0


def sections(laid: Layout, gains: dict[str, float], settings: MixSettings) -> tuple[Section, ...]:
    """The master's sections, each with a key naming its PCM: the clips in it (by their files' sha256), where
    they lie from its start, their gains and the mix settings that shaped them."""
    bounds = [0, *laid.cuts, laid.frames]
    recipe: list[list] = [[] for _ in range(len(bounds) - 1)]
    where, k = 0, 0
    for seg in laid.segments:
        where += seg.silence
        if seg.frames:
            while k + 1 < len(bounds) - 1 and where >= bounds[k + 1]:
                k += 1
            recipe[k].append([where - bounds[k], seg.frames, seg.source, round(gains[seg.speaker], 6)])
        where += seg.frames
    shape = [settings.sample_rate, settings.fade_ms, KEEP_LEAD_MS, KEEP_TAIL_MS, WIDTH]
    out = []
    for k in range(len(bounds) - 1):
        text = json.dumps([shape, bounds[k + 1] - bounds[k], recipe[k]], separators=(",", ":"))
        out.append(Section(start=bounds[k], end=bounds[k + 1], key=hashlib.sha256(text.encode()).hexdigest()))
    return tuple(out)


def _place(clip: Clip, start_ms: int, end_ms: int, prep: Prepared, shift_ms: float) -> Placement:
    """Placement with the clip's sentence timings shifted into edition time and clamped to its speech."""
    sentences = []
    for s in clip.sentences:
        a = min(max(round(s.start_ms + shift_ms), start_ms), end_ms)
        b = min(max(round(s.end_ms + shift_ms), a), end_ms)
        sentences.append(SentenceTiming(text=s.text, start_ms=a, end_ms=b))
    return Placement(request=clip.request, start_ms=start_ms, end_ms=end_ms, sentences=tuple(sentences))


def digest(path: Path) -> str:
    """sha256 of a clip's file (what its audio is, whatever the file is called)."""
    hashed = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            while block := f.read(1 << 20):
                hashed.update(block)
    except OSError as err:
        raise RecastError(f"cannot read clip {Path(path).name}: {err.strerror or err}; run again") from err
    return hashed.hexdigest()
