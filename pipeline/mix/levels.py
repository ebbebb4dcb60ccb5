"""Level-match the speakers: one gain per speaker from its 400 ms block loudness, and the gains a render
keeps for the next render of the same edition (:class:`Levels`).

Each speaker's scratch WAV is measured (ffmpeg ebur128: BS.1770 K-weighting; the speakers at once, on every
core) as 400 ms blocks; one gain per speaker brings every voice, the narrator's included, to the same
loudness without a sample over :data:`pipeline.loudness.SPEAKER_PEAK_DBFS`. The blocks of all speakers,
shifted by their gains, gate together into the loudness of the whole edition — known without ever writing it.
"""

from __future__ import annotations

import math
import statistics
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from pipeline import loudness
from pipeline.mix.clips import Prepared
from pipeline.mix.settings import MixSettings

#: A speaker's gain kept from the previous render of the edition while the new one is within this of it
#: (dB), so that an edit elsewhere does not change the audio — and the encoding — of every section: only
#: its level against the others' counts, and half a dB is under what a listener notices. (The final gain's
#: own margin is :data:`pipeline.loudness.STICKY_GAIN_DB`.)
STICKY_SPEAKER_DB = 0.5


@dataclass(frozen=True)
class Levels:
    """The gains of a render, kept for the next render of the same edition: a gain the next render finds
    within :data:`STICKY_SPEAKER_DB` (a speaker's, against the others) or
    :data:`pipeline.loudness.STICKY_GAIN_DB` (the final gain) of its own is used unchanged (the sections an
    edit does not touch stay the same)."""

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


def speaker_gains(prepared: list[Prepared], files: dict[str, Path], settings: MixSettings,
                  keep: dict[str, float]) -> tuple[dict[str, float], dict[str, tuple[float, ...]]]:
    """One gain per speaker — the same loudness for all, no sample above SPEAKER_PEAK_DBFS — and each
    speaker's 400 ms block loudness (before its gain). A speaker's gain in ``keep`` is used instead while
    it is close to the new one (see :func:`_sticky`)."""
    ceiling = loudness.SPEAKER_PEAK_DBFS
    peaks: dict[str, float] = dict.fromkeys(files, -math.inf)
    for p in prepared:
        peaks[p.speaker] = max(peaks[p.speaker], p.peak_dbfs)
    voiced = [sid for sid in files if not math.isinf(peaks[sid])]
    with ThreadPoolExecutor(max_workers=settings.threads, thread_name_prefix="recast-loudness") as pool:
        measured = dict(zip(voiced, pool.map(lambda sid: loudness.blocks(files[sid]), voiced), strict=True))
    if not settings.level_match:
        return dict.fromkeys(files, 0.0), measured
    levels = {sid: loudness.gated(values) for sid, values in measured.items()}
    levels = {sid: value for sid, value in levels.items() if value > loudness.SILENT_LUFS}
    common = settings.target_lufs
    for sid, value in levels.items():
        common = min(common, value + (ceiling - peaks[sid]))
    gains: dict[str, float] = {}
    for sid in files:
        if sid in levels:
            gains[sid] = common - levels[sid]
        else:  # too short to gate (< 0.4 s of speech) or silent: leave it, but never let it clip
            gains[sid] = min(0.0, ceiling - peaks[sid]) if not math.isinf(peaks[sid]) else 0.0
    return _sticky(gains, keep, peaks), measured


def _sticky(gains: dict[str, float], keep: dict[str, float], peaks: dict[str, float]) -> dict[str, float]:
    """``gains`` with the ones in ``keep`` used instead where they are within STICKY_SPEAKER_DB.

    Only the speakers' levels against each other matter here (the final gain sets the edition's loudness),
    so the new gains are first moved together by the median of their differences to the kept ones: an edit
    that changes the common level (set by the speaker whose peaks allow the least) keeps every other gain.
    No gain may take a speaker's peaks over SPEAKER_PEAK_DBFS."""
    ceiling = loudness.SPEAKER_PEAK_DBFS
    shared = [sid for sid in gains if sid in keep]
    if not shared:
        return gains
    shift = statistics.median(keep[sid] - gains[sid] for sid in shared)
    out = {}
    for sid, gain in gains.items():
        moved = min(gain + shift, ceiling - peaks[sid]) if not math.isinf(peaks[sid]) else gain
        old = keep.get(sid)
        sound = old is not None and (math.isinf(peaks[sid]) or peaks[sid] + old <= ceiling)
        out[sid] = old if sound and abs(old - moved) < STICKY_SPEAKER_DB else moved
    return out
