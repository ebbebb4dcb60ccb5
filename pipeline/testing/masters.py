"""Test support: a WAV file as a :class:`~pipeline.model.Master`, so the writers can be tested on audio that did
not come from the mixer (a tone, a real Edge sample)."""

from __future__ import annotations

import wave
from collections.abc import Iterator
from pathlib import Path

from pipeline import loudness
from pipeline.errors import RecastError
from pipeline.model import Master

_CHUNK = 1 << 18


def wav_master(path: Path, *, workers: int = 2) -> Master:
    """A mono 16-bit PCM WAV file as a :class:`Master`, measured and planned to reach the target."""
    path = Path(path)
    try:
        with wave.open(str(path), "rb") as w:
            rate, frames = w.getframerate(), w.getnframes()
            if w.getnchannels() != 1 or w.getsampwidth() != 2:
                raise RecastError(f"{path.name} is not mono 16-bit PCM")
    except (wave.Error, EOFError) as err:
        raise RecastError(f"{path.name} is not a WAV file: {err}") from err
    peak = loudness.sample_peak(path)
    plan = loudness.plan_final([(path, 0.0, loudness.blocks(path))], peak, workers=workers)

    def read() -> Iterator[bytes]:
        with wave.open(str(path), "rb") as w:
            while chunk := w.readframes(_CHUNK // 2):
                yield chunk

    return Master(sample_rate=rate, frames=frames, loudness_lufs=plan.loudness_lufs, peak_dbfs=peak, read=read,
                  gain_db=plan.gain_db, limit_dbfs=plan.limit_dbfs, final_lufs=plan.final_lufs)
