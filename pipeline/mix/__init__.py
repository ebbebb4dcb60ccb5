"""Mix synthesized clips into one edition (pydub lives only here).

Linear in the number of clips and flat in memory, whatever the length of the edition:

1. **Prepare** every clip (a bounded pool of threads; one ffmpeg process decodes a batch of clips):
   decode to mono 16-bit PCM at the mix rate, find the speech inside it (leading/trailing silence below
   a threshold 50 dB under the clip's own peak, floored at −65 dBFS), keep a few ms around it, fade the
   edges so joins never click, and append it to its speaker's scratch WAV.
2. **Level-match**: each speaker's scratch WAV is measured (ffmpeg ebur128: BS.1770 K-weighting; the
   speakers at once, on every core) as 400 ms blocks; one gain per speaker brings every voice, the
   narrator's included, to the same loudness without clipping. The blocks of all speakers, shifted by
   their gains, gate together into the loudness of the whole edition — known without ever writing it.
3. **Lay out**: the gap before every clip follows the conversation (part, turn, chapter); placements
   say where every clip's speech lies. A long edition is cut into **sections** at some changes of turn
   (where a hash of the next clip says so, at least :attr:`MixSettings.section_min_s` apart, and after the
   intro): each section starts on a multiple of :data:`SECTION_GRID` frames — a whole number of MP3 and
   AAC frames — by lengthening the pause before it by under 0.21 s. The encoders encode every section on
   its own and the writers keep them between renders, so a re-render after an edit encodes only the
   sections whose audio changed: the sections after an edit keep their audio, only moved by whole frames.

The result is a :class:`pipeline.model.Master` that streams the edition on demand — silence bytes, then
each clip's PCM with its speaker's gain, straight from the scratch files — for the writers to pipe into
the encoders. No growing AudioSegment is ever concatenated; at most a window of clips is in memory.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
import statistics
import wave
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from pipeline import ffmpeg, loudness
from pipeline.errors import BadInput, RecastError
from pipeline.model import NARRATOR_ID, Clip, Master, Placement, Section, SentenceTiming

_SAMPLE_RATES = (16000, 22050, 24000, 32000, 44100, 48000)
_WIDTH = 2  # bytes per sample: 16-bit PCM

#: Silence kept before a clip's detected speech start and after its end (ms), so soft onsets and decays
#: survive the trim; the gap between two clips' speech is exactly the configured gap regardless.
KEEP_LEAD_MS = 10
KEEP_TAIL_MS = 40
#: Clips decoded by one ffmpeg process.
DECODE_BATCH = 8
#: Frames per chunk when the master is streamed.
_CHUNK_FRAMES = 1 << 16
#: Samples of a speaker's clips may reach at most this level after their gain (dBFS).
PEAK_CEILING_DBFS = -1.0
#: Sections start on multiples of this many frames at 44.1 kHz: lcm(1152, 1024), whole MP3 and AAC frames
#: (0.209 s). At other mix rates (the encoders resample to 44.1 kHz) the edition is one section.
SECTION_GRID = 9216
SECTION_RATE = 44100
#: Silence (frames) a cut needs before it: the encoders leave out up to one frame before the next section.
SECTION_QUIET = 2 * 1152
#: A gain (dB) kept from the previous render of the edition while the new one is within this of it, so
#: that an edit elsewhere does not change the audio — and the encoding — of every section: a speaker's gain
#: (its level against the others': half a dB is under what a listener notices) and the final gain (which
#: sets the edition's loudness, checked against the target ±0.5 LU).
STICKY_SPEAKER_DB = 0.5
STICKY_GAIN_DB = 0.25


@dataclass(frozen=True)
class MixSettings:
    """How clips are joined."""

    gap_part_ms: int = 300
    """Silence between requests of one turn (250–350 sounds natural)."""
    gap_speaker_ms: int = 600
    """Silence at a change of turn, i.e. of speaker (500–700)."""
    gap_chapter_ms: int = 1300
    """Silence before a chapter's first clip and after the intro (1200–1500)."""
    gap_join_ms: int = 40
    """Silence before a request that continues the previous one mid-sentence (``Request.continues``:
    an English word inside Chinese read by another espeak-ng voice)."""
    fade_ms: int = 8
    """Fade-in/out at each clip's edges so joins never click."""
    sample_rate: int = 44100
    """Sample rate of the master (mono, 16-bit)."""
    level_match: bool = True
    """Bring every speaker (and the narrator) to the same loudness before mixing."""
    target_lufs: float = -20.0
    """Common loudness of the speakers in the master (lowered if a speaker's peaks would clip)."""
    tail_ms: int = 500
    """Silence after the last clip."""
    workers: int = 0
    """Threads decoding clips at once; 0 means min(4, CPU count)."""
    section_min_s: int = 120
    """Audio (s) between two section cuts at least; an edition shorter than twice this is one section
    (and 0 makes every edition one section)."""
    section_max_s: int = 600
    """Audio (s) after which the next change of turn is a cut, whatever its hash says."""
    section_odds: int = 6
    """A change of turn (once ``section_min_s`` has passed) is a cut when a hash of its clip is a multiple
    of this: cuts depend on the words, not on times, so an edit moves none but its own section's."""

    def __post_init__(self) -> None:
        for name in ("gap_part_ms", "gap_speaker_ms", "gap_chapter_ms", "gap_join_ms", "tail_ms"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 10_000:
                raise BadInput(f"{name} must be a whole number of ms from 0 to 10000, not {value!r}")
        if not isinstance(self.fade_ms, int) or not 0 <= self.fade_ms <= 100:
            raise BadInput(f"fade_ms must be from 0 to 100 ms, not {self.fade_ms!r}")
        if self.sample_rate not in _SAMPLE_RATES:
            raise BadInput(f"sample_rate must be one of {', '.join(map(str, _SAMPLE_RATES))}, not {self.sample_rate!r}")
        if not -40.0 <= self.target_lufs <= -10.0:
            raise BadInput(f"target_lufs must be from -40 to -10 LUFS, not {self.target_lufs!r}")
        if not isinstance(self.workers, int) or not 0 <= self.workers <= 32:
            raise BadInput(f"workers must be from 0 to 32, not {self.workers!r}")
        if not 0 <= self.section_min_s <= self.section_max_s or not 1 <= self.section_odds <= 1000:
            raise BadInput("sections need 0 <= section_min_s <= section_max_s and section_odds from 1 to 1000")


@dataclass(frozen=True)
class Mix:
    """The mixed edition."""

    master: Master
    """The edition's audio (mono 16-bit PCM, speakers level-matched, not yet at its final loudness),
    streamed from the speakers' scratch WAVs in ``workdir``: valid while those exist."""
    placements: tuple[Placement, ...]
    """Where every clip's speech lies in the master, in play order."""
    duration_ms: int
    """Length of the master."""
    speaker_gains_db: tuple[tuple[str, float], ...]
    """(speaker id, gain applied in dB) in order of first appearance."""
    levels: Levels
    """The gains exactly as applied, for the next render of the edition to keep (see :class:`Levels`)."""


@dataclass(frozen=True)
class Levels:
    """The gains of a render, kept for the next render of the same edition: a gain the next render finds
    within :data:`STICKY_SPEAKER_DB` (a speaker's, against the others) or :data:`STICKY_GAIN_DB` (the final
    gain) of its own is used unchanged (the sections an edit does not touch stay the same)."""

    speaker_gains_db: tuple[tuple[str, float], ...] = ()
    """(speaker id, gain in dB) of every speaker."""
    final_gain_db: float | None = None
    """The master's final gain."""
    limit_dbfs: float | None = None
    """The master's limiter level (a final gain is only kept with the same limiter)."""

    def to_dict(self) -> dict:
        return {"speaker_gains_db": dict(self.speaker_gains_db), "final_gain_db": self.final_gain_db,
                "limit_dbfs": self.limit_dbfs}

    @classmethod
    def from_dict(cls, data: object) -> Levels:
        """Levels from :meth:`to_dict`'s form; empty Levels for anything else (a damaged file keeps nothing)."""
        if not isinstance(data, dict):
            return cls()
        gains = data.get("speaker_gains_db")
        final, limit = data.get("final_gain_db"), data.get("limit_dbfs")
        def number(value: object) -> float | None:
            ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
            return float(value) if ok else None  # type: ignore[arg-type]

        return cls(
            speaker_gains_db=tuple((str(k), number(v)) for k, v in gains.items() if number(v) is not None)
            if isinstance(gains, dict) else (),  # type: ignore[misc]
            final_gain_db=number(final), limit_dbfs=number(limit))


@dataclass(frozen=True)
class _Prepared:
    """A trimmed clip waiting in its speaker's scratch WAV."""

    speaker: str
    offset: int
    """First frame of the clip in the speaker's scratch WAV."""
    frames: int
    """Frames kept (speech plus the kept margins); 0 when the clip holds no speech."""
    speech_from: int
    """Frame (within the kept frames) where speech starts."""
    speech_to: int
    """Frame (within the kept frames) where speech ends."""
    clip_speech_ms: float
    """Where speech starts in the original, untrimmed clip (ms), to shift sentence timings."""
    peak_dbfs: float
    """Sample peak of the kept frames."""


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


def mix(clips: Sequence[Clip], settings: MixSettings, workdir: Path, keep: Levels | None = None) -> Mix:
    """Join ``clips`` (in play order) into a streamed :class:`Master` and say where each one's speech lies.

    ``keep``: the gains of the previous render of this edition, used again where the new ones are within
    :data:`STICKY_SPEAKER_DB` / :data:`STICKY_GAIN_DB` of them."""
    if not clips:
        raise BadInput("nothing to mix: no clips were synthesized")
    indices = [c.request.index for c in clips]
    if any(b <= a for a, b in zip(indices, indices[1:], strict=False)):
        raise ValueError("clips must be in play order (strictly increasing request.index)")
    keep = keep or Levels()
    workdir = Path(workdir)
    scratch = workdir / "mix-scratch"
    scratch.mkdir(parents=True, exist_ok=True)
    speakers = list(dict.fromkeys(c.request.speaker for c in clips))
    files = {sid: scratch / f"speaker-{i:03d}.wav" for i, sid in enumerate(speakers)}

    prepared = _prepare_all(clips, settings, files, scratch)
    gains, measured = _speaker_gains(prepared, files, settings, dict(keep.speaker_gains_db))
    segments, placements, frames, cuts = _layout(clips, prepared, settings, [_digest(c.path) for c in clips])
    peak = max((p.peak_dbfs + gains[p.speaker] for p in prepared if p.frames), default=-math.inf)
    loudness_lufs, final_gain, limit, final_lufs = loudness.plan_final(
        [(files[sid], gains[sid], values) for sid, values in measured.items()], peak, workers=_workers(settings))
    if (keep.final_gain_db is not None and keep.limit_dbfs == limit
            and abs(keep.final_gain_db - final_gain) < STICKY_GAIN_DB
            and (limit is not None or peak + keep.final_gain_db + loudness.INTER_SAMPLE_DB
                 <= loudness.TRUE_PEAK_DBTP - loudness.ENCODER_MARGIN_DB)):
        final_lufs += keep.final_gain_db - final_gain  # at most: a limiter gives back less
        final_gain = keep.final_gain_db
    segments = tuple(segments)
    master = Master(sample_rate=settings.sample_rate, frames=frames, loudness_lufs=loudness_lufs, peak_dbfs=peak,
                    read=functools.partial(_stream, segments, dict(gains), dict(files), settings.sample_rate),
                    gain_db=final_gain, limit_dbfs=limit, final_lufs=final_lufs,
                    sections=_sections(segments, cuts, frames, gains, settings),
                    read_range=functools.partial(_stream, segments, dict(gains), dict(files), settings.sample_rate))
    return Mix(master=master, placements=placements, duration_ms=_ms(frames, settings.sample_rate),
               speaker_gains_db=tuple((sid, round(gains[sid], 2)) for sid in speakers),
               levels=Levels(speaker_gains_db=tuple((sid, gains[sid]) for sid in speakers),
                             final_gain_db=final_gain, limit_dbfs=limit))


def save_wav(master: Master, path: Path) -> Path:
    """Write ``master`` as a mono 16-bit PCM WAV file (for listening to the raw mix, and for tests)."""
    out = _open_writer(Path(path), master.sample_rate)
    try:
        for chunk in master.read():
            out.writeframesraw(chunk)
    finally:
        out.close()
    return Path(path)


# --------------------------------------------------------------------------------------------- prepare


def _prepare_all(clips: Sequence[Clip], settings: MixSettings, files: dict[str, Path],
                 scratch: Path) -> list[_Prepared]:
    """Decode/trim/fade every clip on a bounded thread pool, appending each to its speaker's WAV in order."""
    workers = _workers(settings)
    batches = [clips[i:i + DECODE_BATCH] for i in range(0, len(clips), DECODE_BATCH)]
    writers = {sid: _open_writer(path, settings.sample_rate) for sid, path in files.items()}
    written = dict.fromkeys(files, 0)
    out: list[_Prepared] = []
    try:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="recast-mix") as pool:
            results = _bounded_map(pool, lambda b: _prepare_batch(b, settings, scratch), batches, window=workers + 1)
            for batch, trimmed in zip(batches, results, strict=True):
                for clip, (pcm, lead, speech_from, speech_to, peak) in zip(batch, trimmed, strict=True):
                    sid = clip.request.speaker
                    frames = len(pcm) // _WIDTH
                    writers[sid].writeframesraw(pcm)
                    out.append(_Prepared(sid, written[sid], frames, speech_from, speech_to, lead, peak))
                    written[sid] += frames
    finally:
        for w in writers.values():
            w.close()
    return out


def _bounded_map(pool: ThreadPoolExecutor, fn, items: Sequence, window: int) -> Iterator:
    """Like ``pool.map`` but with at most ``window`` results pending, so memory stays bounded."""
    pending: deque[Future] = deque()
    for item in items:
        pending.append(pool.submit(fn, item))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def _prepare_batch(batch: Sequence[Clip], settings: MixSettings, scratch: Path) -> list[tuple]:
    return [_trim(pcm, settings) for pcm in _decode_batch(batch, settings.sample_rate, scratch)]


def _trim(pcm: bytes, settings: MixSettings) -> tuple[bytes, float, int, int, float]:
    """(kept PCM, speech start in the original clip in ms, speech from/to frame in the PCM, peak dBFS)."""
    from pydub import AudioSegment
    from pydub.silence import detect_leading_silence

    rate = settings.sample_rate
    seg = AudioSegment(data=pcm, sample_width=_WIDTH, frame_rate=rate, channels=1)
    total = int(seg.frame_count())
    peak = seg.max_dBFS
    if total == 0 or math.isinf(peak):
        return b"", 0.0, 0, 0, -math.inf
    threshold = max(peak - 50.0, -65.0)
    lead_ms = _onset_ms(seg, threshold, detect_leading_silence)
    tail_ms = _onset_ms(seg.reverse(), threshold, detect_leading_silence)
    start = min(total, round(lead_ms * rate / 1000))
    end = max(start, total - round(tail_ms * rate / 1000))
    if end <= start:
        return b"", 0.0, 0, 0, -math.inf
    keep_from = max(0, start - KEEP_LEAD_MS * rate // 1000)
    keep_to = min(total, end + KEEP_TAIL_MS * rate // 1000)
    kept = seg.get_sample_slice(keep_from, keep_to)
    if settings.fade_ms:
        fade = min(settings.fade_ms, len(kept) // 2)
        kept = kept.fade_in(fade).fade_out(fade)
    return kept.raw_data, start * 1000 / rate, start - keep_from, end - keep_from, kept.max_dBFS


def _onset_ms(seg, threshold: float, detect) -> int:
    """First ms at which ``seg`` rises above ``threshold`` (coarse 10 ms scan, then 1 ms refinement)."""
    coarse = detect(seg, silence_threshold=threshold, chunk_size=10)
    if coarse >= len(seg):
        return len(seg)
    back = max(0, coarse - 10)
    return back + detect(seg[back:], silence_threshold=threshold, chunk_size=1)


def _decode_batch(batch: Sequence[Clip], rate: int, scratch: Path) -> list[bytes]:
    """Each clip as raw mono s16le PCM at ``rate``.

    Resampled by swresample: libsoxr dithers 16-bit output with a random seed, so the same clips would
    not give a byte-identical edition.

    One ffmpeg process decodes the whole batch (one input and one output per clip): starting ffmpeg
    costs more than decoding a short clip. When the batch fails, each clip is decoded alone to name
    the broken one.
    """
    for clip in batch:
        if not Path(clip.path).is_file():
            raise RecastError(f"clip {Path(clip.path).name} (request {clip.request.index}) is missing from the "
                              "cache; run the same command again to synthesize it anew")
    outs = [scratch / f"decoded-{clip.request.index}.s16" for clip in batch]
    args = ["-y"]
    for clip in batch:
        args += ["-i", str(clip.path)]
    for k, out in enumerate(outs):
        args += ["-map", f"{k}:a:0", "-af", f"aresample={rate}:filter_size=32", "-ac", "1", "-ar", str(rate),
                 "-c:a", "pcm_s16le", "-f", "s16le", str(out)]
    try:
        ffmpeg.run("ffmpeg", args)
        return [out.read_bytes() for out in outs]
    except RecastError as err:
        if len(batch) > 1:
            return [pcm for clip in batch for pcm in _decode_batch([clip], rate, scratch)]
        clip = batch[0]
        raise RecastError(f"cannot decode clip {Path(clip.path).name} (request {clip.request.index}): {err}; "
                          "delete it from the cache and run again") from err
    finally:
        for out in outs:
            out.unlink(missing_ok=True)


# ------------------------------------------------------------------------------------------ level match


def _speaker_gains(prepared: list[_Prepared], files: dict[str, Path], settings: MixSettings,
                   keep: dict[str, float]) -> tuple[dict[str, float], dict[str, tuple[float, ...]]]:
    """One gain per speaker — the same loudness for all, no sample above PEAK_CEILING_DBFS — and each
    speaker's 400 ms block loudness (before its gain). A speaker's gain in ``keep`` is used instead while
    it is close to the new one (see :func:`_sticky`)."""
    peaks: dict[str, float] = dict.fromkeys(files, -math.inf)
    for p in prepared:
        peaks[p.speaker] = max(peaks[p.speaker], p.peak_dbfs)
    voiced = [sid for sid in files if not math.isinf(peaks[sid])]
    with ThreadPoolExecutor(max_workers=_workers(settings), thread_name_prefix="recast-loudness") as pool:
        measured = dict(zip(voiced, pool.map(lambda sid: loudness.blocks(files[sid]), voiced), strict=True))
    if not settings.level_match:
        return dict.fromkeys(files, 0.0), measured
    levels = {sid: loudness.gated(values) for sid, values in measured.items()}
    levels = {sid: value for sid, value in levels.items() if value > loudness.SILENT_LUFS}
    common = settings.target_lufs
    for sid, value in levels.items():
        common = min(common, value + (PEAK_CEILING_DBFS - peaks[sid]))
    gains: dict[str, float] = {}
    for sid in files:
        if sid in levels:
            gains[sid] = common - levels[sid]
        else:  # too short to gate (< 0.4 s of speech) or silent: leave it, but never let it clip
            gains[sid] = min(0.0, PEAK_CEILING_DBFS - peaks[sid]) if not math.isinf(peaks[sid]) else 0.0
    return _sticky(gains, keep, peaks), measured


def _sticky(gains: dict[str, float], keep: dict[str, float], peaks: dict[str, float]) -> dict[str, float]:
    """``gains`` with the ones in ``keep`` used instead where they are within STICKY_SPEAKER_DB.

    Only the speakers' levels against each other matter here (the final gain sets the edition's loudness),
    so the new gains are first moved together by the median of their differences to the kept ones: an edit
    that changes the common level (set by the speaker whose peaks allow the least) keeps every other gain.
    No gain may take a speaker's peaks over PEAK_CEILING_DBFS."""
    shared = [sid for sid in gains if sid in keep]
    if not shared:
        return gains
    shift = statistics.median(keep[sid] - gains[sid] for sid in shared)
    out = {}
    for sid, gain in gains.items():
        moved = min(gain + shift, PEAK_CEILING_DBFS - peaks[sid]) if not math.isinf(peaks[sid]) else gain
        old = keep.get(sid)
        sound = old is not None and (math.isinf(peaks[sid]) or peaks[sid] + old <= PEAK_CEILING_DBFS)
        out[sid] = old if sound and abs(old - moved) < STICKY_SPEAKER_DB else moved
    return out


# --------------------------------------------------------------------------------------------- stream


@dataclass(frozen=True)
class _Segment:
    """A stretch of the master: ``silence`` frames, then ``frames`` frames of a speaker's scratch WAV."""

    silence: int
    speaker: str | None = None
    offset: int = 0
    frames: int = 0
    source: str = ""
    """The sha256 of the clip's file: what the frames are, wherever they lie."""


def _layout(clips: Sequence[Clip], prepared: list[_Prepared], settings: MixSettings,
            digests: Sequence[str]) -> tuple[list[_Segment], tuple[Placement, ...], int, list[int]]:
    """Where every clip goes: the master's segments, the placements, the total frames and the section cuts
    (frames where a section starts, after 0). ``digests``: each clip file's sha256."""
    rate = settings.sample_rate
    cutter = _Cutter(clips, prepared, settings, digests)
    segments: list[_Segment] = []
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
            at = _ms(cursor, rate)
            placements.append(_place(clip, at, at, prep, 0.0))
            continue
        pending_gap = 0
        silence = max(0, gap_ms * rate // 1000 - prev_tail - prep.speech_from) if started else 0
        if started and silence >= SECTION_QUIET and cutter.cut_before(i, cursor + silence, cuts[-1] if cuts else 0):
            at = -(-(cursor + silence) // SECTION_GRID) * SECTION_GRID
            silence = at - cursor
            cuts.append(at)
        segments.append(_Segment(silence, prep.speaker, prep.offset, prep.frames, digests[i]))
        cursor += silence
        start, end = cursor + prep.speech_from, cursor + prep.speech_to
        placements.append(_place(clip, _ms(start, rate), _ms(end, rate), prep, _ms(start, rate) - prep.clip_speech_ms))
        cursor += prep.frames
        prev_tail = prep.frames - prep.speech_to
        started = True
    tail = max(0, settings.tail_ms * rate // 1000 - prev_tail)
    segments.append(_Segment(tail))
    return segments, tuple(placements), cursor + tail, cuts


class _Cutter:
    """Decides where sections start (see the module's docstring): after the intro, and at a change of turn
    whose clip's sha256 is a multiple of ``section_odds`` once ``section_min_s`` has
    passed since the last cut (at the first change of turn after ``section_max_s``, whatever the hash)."""

    def __init__(self, clips: Sequence[Clip], prepared: list[_Prepared], settings: MixSettings,
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


def _sections(segments: tuple[_Segment, ...], cuts: list[int], frames: int, gains: dict[str, float],
              settings: MixSettings) -> tuple[Section, ...]:
    """The master's sections, each with a key naming its PCM: the clips in it (by their files' sha256), where
    they lie from its start, their gains and the mix settings that shaped them."""
    bounds = [0, *cuts, frames]
    recipe: list[list] = [[] for _ in cuts + [0]]
    where, k = 0, 0
    for seg in segments:
        where += seg.silence
        if seg.frames:
            while k + 1 < len(bounds) - 1 and where >= bounds[k + 1]:
                k += 1
            recipe[k].append([where - bounds[k], seg.frames, seg.source, round(gains[seg.speaker], 6)])
        where += seg.frames
    shape = [settings.sample_rate, settings.fade_ms, KEEP_LEAD_MS, KEEP_TAIL_MS, _WIDTH]
    out = []
    for k in range(len(bounds) - 1):
        text = json.dumps([shape, bounds[k + 1] - bounds[k], recipe[k]], separators=(",", ":"))
        out.append(Section(start=bounds[k], end=bounds[k + 1], key=hashlib.sha256(text.encode()).hexdigest()))
    return tuple(out)


def _stream(segments: tuple[_Segment, ...], gains: dict[str, float], files: dict[str, Path],
            rate: int, start: int = 0, end: int | None = None) -> Iterator[bytes]:
    """The master's PCM in order — its frames from ``start`` to ``end`` (the end when None) — in chunks of
    at most _CHUNK_FRAMES frames, each clip with its speaker's gain."""
    from pydub import AudioSegment

    silence = bytes(_WIDTH * _CHUNK_FRAMES)
    readers: dict[str, wave.Wave_read] = {}
    end = math.inf if end is None else end
    where = 0  # frames of the master passed
    try:
        for seg in segments:
            lo, hi = max(start, where), min(end, where + seg.silence)
            left = max(0, hi - lo)
            while left > 0:
                n = min(left, _CHUNK_FRAMES)
                yield silence[: n * _WIDTH]
                left -= n
            where += seg.silence
            if where >= end:
                return
            if not seg.frames:
                continue
            lo, hi = max(start, where), min(end, where + seg.frames)
            where += seg.frames
            if hi <= lo:
                continue
            if seg.speaker not in readers:
                readers[seg.speaker] = wave.open(str(files[seg.speaker]), "rb")
            reader = readers[seg.speaker]
            reader.setpos(seg.offset + lo - (where - seg.frames))
            gain = gains[seg.speaker]
            left = hi - lo
            while left > 0:
                pcm = reader.readframes(min(left, _CHUNK_FRAMES))
                if not pcm:
                    raise RecastError(f"the mix's scratch file {files[seg.speaker].name} ended early; run again")
                left -= len(pcm) // _WIDTH
                if abs(gain) >= 0.005:
                    pcm = AudioSegment(data=pcm, sample_width=_WIDTH, frame_rate=rate, channels=1).apply_gain(gain).raw_data
                yield pcm
    finally:
        for r in readers.values():
            r.close()


def _place(clip: Clip, start_ms: int, end_ms: int, prep: _Prepared, shift_ms: float) -> Placement:
    """Placement with the clip's sentence timings shifted into edition time and clamped to its speech."""
    sentences = []
    for s in clip.sentences:
        a = min(max(round(s.start_ms + shift_ms), start_ms), end_ms)
        b = min(max(round(s.end_ms + shift_ms), a), end_ms)
        sentences.append(SentenceTiming(text=s.text, start_ms=a, end_ms=b))
    return Placement(request=clip.request, start_ms=start_ms, end_ms=end_ms, sentences=tuple(sentences))


def _digest(path: Path) -> str:
    """sha256 of a clip's file (what its audio is, whatever the file is called)."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            while block := f.read(1 << 20):
                digest.update(block)
    except OSError as err:
        raise RecastError(f"cannot read clip {Path(path).name}: {err.strerror or err}; run again") from err
    return digest.hexdigest()


def _open_writer(path: Path, rate: int) -> wave.Wave_write:
    w = wave.open(str(path), "wb")
    w.setnchannels(1)
    w.setsampwidth(_WIDTH)
    w.setframerate(rate)
    return w


def _workers(settings: MixSettings) -> int:
    return settings.workers or min(4, os.cpu_count() or 1)


def _ms(frames: int, rate: int) -> int:
    return round(frames * 1000 / rate)
