"""Prepare every clip: decode it (one ffmpeg per batch of clips), trim and fade it (:mod:`pipeline.mix.pcm`),
and append it to its speaker's scratch WAV — on a bounded pool of threads, in play order, with at most a
window of batches in memory.

A scratch WAV holds at most :data:`SCRATCH_FRAMES` frames (the format's 4 GiB): a voice that would speak
longer is refused with one clear line (:func:`too_long`), not the ``wave`` module's struct error.
"""

from __future__ import annotations

import wave
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from pipeline import ffmpeg
from pipeline.errors import BadInput, RecastError
from pipeline.mix import pcm as pcm_ops
from pipeline.mix.settings import WIDTH, MixSettings
from pipeline.model import Clip

#: Clips decoded by one ffmpeg process.
DECODE_BATCH = 8
#: Frames a scratch WAV can hold: its RIFF size (36 bytes of header plus the data) is a 32-bit number.
SCRATCH_FRAMES = (0xFFFF_FFFF - 36) // WIDTH


@dataclass(frozen=True)
class Prepared:
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


def too_long(edition_s: float, voice_s: float, rate: int) -> BadInput:
    """The one line refusing an edition in which one voice speaks longer than a scratch WAV holds."""
    def hours(seconds: float) -> str:
        h = seconds / 3600
        return f"{h:.0f}" if h >= 10 else f"{h:.1f}"

    return BadInput(f"the edition would be about {hours(edition_s)} hours long, {hours(voice_s)} of them in one "
                    f"voice; Recast mixes at most {SCRATCH_FRAMES / rate / 3600:.1f} hours of one voice: "
                    "split the script into shorter editions")


def prepare_all(clips: Sequence[Clip], settings: MixSettings, files: dict[str, Path],
                scratch: Path) -> list[Prepared]:
    """Decode/trim/fade every clip on a bounded thread pool, appending each to its speaker's WAV in order."""
    workers = settings.threads
    batches = [clips[i:i + DECODE_BATCH] for i in range(0, len(clips), DECODE_BATCH)]
    writers = {sid: open_wav(path, settings.sample_rate) for sid, path in files.items()}
    written = dict.fromkeys(files, 0)
    out: list[Prepared] = []
    try:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="recast-mix") as pool:
            results = _bounded_map(pool, lambda b: _prepare_batch(b, settings, scratch), batches, window=workers + 1)
            for batch, trimmed in zip(batches, results, strict=True):
                for clip, (kept, lead, speech_from, speech_to, peak) in zip(batch, trimmed, strict=True):
                    sid = clip.request.speaker
                    frames = len(kept) // WIDTH
                    if written[sid] + frames > SCRATCH_FRAMES:
                        voice = sum(c.duration_ms for c in clips if c.request.speaker == sid)
                        raise too_long(sum(c.duration_ms for c in clips) / 1000, voice / 1000, settings.sample_rate)
                    writers[sid].writeframesraw(kept)
                    out.append(Prepared(sid, written[sid], frames, speech_from, speech_to, lead, peak))
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
    return [pcm_ops.trim(pcm, settings.sample_rate, settings.fade_ms)
            for pcm in decode_batch(batch, settings.sample_rate, scratch)]


def decode_batch(batch: Sequence[Clip], rate: int, scratch: Path) -> list[bytes]:
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
            return [pcm for clip in batch for pcm in decode_batch([clip], rate, scratch)]
        clip = batch[0]
        raise RecastError(f"cannot decode clip {Path(clip.path).name} (request {clip.request.index}): {err}; "
                          "delete it from the cache and run again") from err
    finally:
        for out in outs:
            out.unlink(missing_ok=True)


def open_wav(path: Path, rate: int) -> wave.Wave_write:
    """A mono 16-bit PCM WAV file open for writing."""
    w = wave.open(str(path), "wb")
    w.setnchannels(1)
    w.setsampwidth(WIDTH)
    w.setframerate(rate)
    return w

