"""The master's PCM, streamed on demand: silence bytes, then each clip's PCM with its speaker's gain, straight
from the speakers' scratch WAVs. No growing buffer is ever concatenated; at most one chunk is in memory."""

from __future__ import annotations

import math
import wave
from collections.abc import Iterator
from pathlib import Path

from pipeline.errors import RecastError
from pipeline.mix import pcm as pcm_ops
from pipeline.mix.layout import Slot
from pipeline.mix.settings import WIDTH

#: Frames per chunk when the master is streamed.
CHUNK_FRAMES = 1 << 16


def stream(segments: tuple[Slot, ...], gains: dict[str, float], files: dict[str, Path],
           rate: int, start: int = 0, end: int | None = None) -> Iterator[bytes]:
    """The master's PCM in order — its frames from ``start`` to ``end`` (the end when None) — in chunks of
    at most CHUNK_FRAMES frames, each clip with its speaker's gain."""
    silence = bytes(WIDTH * CHUNK_FRAMES)
    readers: dict[str, wave.Wave_read] = {}
    end = math.inf if end is None else end
    where = 0  # frames of the master passed
    try:
        for seg in segments:
            lo, hi = max(start, where), min(end, where + seg.silence)
            left = max(0, hi - lo)
            while left > 0:
                n = min(left, CHUNK_FRAMES)
                yield silence[: n * WIDTH]
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
                pcm = reader.readframes(min(left, CHUNK_FRAMES))
                if not pcm:
                    raise RecastError(f"the mix's scratch file {files[seg.speaker].name} ended early; run again")
                left -= len(pcm) // WIDTH
                yield pcm_ops.gain(pcm, rate, gain)
    finally:
        for r in readers.values():
            r.close()
