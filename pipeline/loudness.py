"""Broadcast loudness: measure EBU R128 / ITU-R BS.1770 loudness, combine measurements of parts — and the
one loudness policy of Recast: the target, the ceilings and margins, how the mixer levels its speakers
(:data:`SPEAKER_PEAK_DBFS`), how the final gain and true-peak limiter are planned (:func:`plan_final`), kept
from the last render (:func:`keep_final`) and built (:func:`final_chain`), and how an encoded file that
misses the target is encoded again (:func:`meet_target`). The mixer and the writers only call these.

Measurement runs ffmpeg's ``ebur128`` filter (real K-weighting and gating, true peak by oversampling) and
parses its Summary, or reads its 400 ms block loudness (every 100 ms) so that parts measured apart can be
combined by BS.1770's own gating (:func:`gated`) — the edition's loudness is known before it exists, and
nothing re-reads a multi-hour edition to normalize it.

Mono files are measured as one channel (ffmpeg's default, BS.1770 as written).
"""

from __future__ import annotations

import dataclasses
import math
import re
import subprocess
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from pipeline import ffmpeg
from pipeline.errors import RecastError
from pipeline.model import Loudness, Master

#: Apple Podcasts' loudness target (integrated, LUFS) and ceiling (true peak, dBTP).
TARGET_LUFS = -16.0
TRUE_PEAK_DBTP = -1.0
#: An encoded file more than this off the target is encoded again (a retry within the spec's 1 LU is kept).
AIM_LU = 0.5
TOLERANCE_LU = 1.0
#: Encodes tried before giving up on meeting the target.
ATTEMPTS = 3
#: Samples of a speaker's clips may reach at most this level after their gain in the mix (dBFS).
SPEAKER_PEAK_DBFS = -1.0
#: A final gain kept from the previous render of the edition while the new one is within this of it (dB),
#: so that an edit elsewhere does not change the audio of every section (the target is met within ±0.5 LU).
STICKY_GAIN_DB = 0.25
#: Headroom kept under TRUE_PEAK_DBTP for lossy encoding's overshoot (AAC/MP3 add up to ~1 dB).
ENCODER_MARGIN_DB = 1.5
#: How far a peak between samples may rise above the highest sample in speech at 44.1 kHz (measured:
#: 0.5 dB after a limiter working on samples); a limiter working on samples aims this much lower.
INTER_SAMPLE_DB = 0.5

#: Seconds of every part measured through the limiter to learn how much loudness it takes away.
LIMITER_SAMPLE_S = 45.0

#: Integrated loudness ffmpeg reports when nothing passes the gate (silence or under 400 ms of audio).
SILENT_LUFS = -70.0
#: BS.1770's relative gate: blocks this far under the ungated loudness are left out.
RELATIVE_GATE_LU = 10.0

_SECTION_RE = re.compile(r"^\s*(Integrated loudness|Loudness range|True peak|Sample peak):\s*$")
_VALUE_RE = re.compile(r"^\s*(I|LRA|Peak):\s*(-?inf|-?\d+(?:\.\d+)?)\s*(LUFS|LU|dBFS)\s*$")
_BLOCK_RE = re.compile(rb"lavfi\.r128\.M=(-?(?:inf|nan|\d+(?:\.\d+)?))")
_PROFILE_RE = re.compile(rb"lavfi\.r128\.([MS])=(-?(?:inf|nan|\d+(?:\.\d+)?))")
#: EBU Tech 3342 (loudness range): short-term values this far under their own loudness are left out, and the
#: range runs from this low percentile to this high one.
LRA_GATE_LU = 20.0
LRA_PERCENTILES = (0.10, 0.95)
#: Bytes of PCM per chunk when a WAV file is streamed.
_CHUNK = 1 << 18


def measure(path: Path) -> Loudness:
    """Integrated loudness, true peak and loudness range of an audio file (ffmpeg ebur128, peak=true)."""
    values = _ebur128(Path(path))
    return Loudness(integrated_lufs=values["I"], true_peak_dbtp=values["true"], lra=values["LRA"])


def blocks(path: Path, chain: str | None = None, *, seconds: float | None = None) -> tuple[float, ...]:
    """Loudness (LUFS) of every 400 ms block, one every 100 ms — the blocks BS.1770 gates (ffmpeg ebur128),
    of ``path`` as it is or as the ffmpeg filter ``chain`` makes it (its first ``seconds`` only, if given).

    ``gated(blocks(p))`` is ``measure(p).integrated_lufs``; blocks of several files (each shifted by the gain it will
    get) gate together into the loudness of the files joined.
    """
    path = Path(path)
    if not path.is_file():
        raise RecastError(f"cannot measure loudness: {path} does not exist")
    measure_chain = "ebur128=metadata=1:peak=none,ametadata=mode=print:key=lavfi.r128.M:file=/dev/stdout"
    args = [*(["-t", f"{seconds:g}"] if seconds else []), "-i", str(path), "-map", "0:a:0",
            "-af", f"{chain},{measure_chain}" if chain else measure_chain, "-f", "null", "-"]
    proc = _ffmpeg(args, path, loglevel="error")
    out = []
    for raw in _BLOCK_RE.findall(proc.stdout):
        value = float(raw.decode())
        out.append(value if math.isfinite(value) else -math.inf)
    return tuple(out)


@dataclass(frozen=True)
class Profile:
    """What :func:`profiles` reads of a file: enough to know the loudness of several files joined."""

    blocks: tuple[float, ...]
    """Momentary loudness (400 ms) every 100 ms: BS.1770's gating blocks."""
    short_term: tuple[float, ...]
    """Short-term loudness (3 s) every 100 ms: what the loudness range is taken from."""
    true_peak_dbtp: float
    """True peak of the file."""

    def to_dict(self) -> dict:
        return {"blocks": [_finite(v) for v in self.blocks], "short_term": [_finite(v) for v in self.short_term],
                "true_peak_dbtp": _finite(self.true_peak_dbtp)}

    @classmethod
    def from_dict(cls, data: dict) -> Profile:
        """The inverse of :meth:`to_dict` (KeyError/TypeError/ValueError on anything else)."""
        def values(name: str) -> tuple[float, ...]:
            return tuple(-math.inf if v is None else float(v) for v in data[name])
        peak = data["true_peak_dbtp"]
        return cls(values("blocks"), values("short_term"), -math.inf if peak is None else float(peak))


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def profiles(paths: Sequence[Path]) -> list[Profile]:
    """Block and short-term loudness and true peak of each of several files, in one pass of ffmpeg's ebur128
    (one process start for all; each file is measured alone). Its block values go to files beside the
    first one, named after it."""
    paths = [Path(p).resolve() for p in paths]
    for path in paths:
        if not path.is_file():
            raise RecastError(f"cannot measure loudness: {path} does not exist")
    folder = paths[0].parent
    # relative names in ffmpeg's working folder: nothing in the filter graph needs escaping
    logs = [f"{paths[0].name}.{i}.r128" for i in range(len(paths))]
    graph = ";".join(f"[{i}:a:0]ebur128=metadata=1:peak=true,ametadata=mode=print:file={log}[o{i}]"
                     for i, log in enumerate(logs))
    args = [arg for path in paths for arg in ("-i", str(path))]
    args += ["-filter_complex", graph, *(a for i in range(len(paths)) for a in ("-map", f"[o{i}]", "-f", "null", "-"))]
    try:
        proc = _ffmpeg(args, paths[0], loglevel="info", cwd=folder)
        blocks_of = [(folder / log).read_bytes() for log in logs]
    finally:
        for log in logs:
            (folder / log).unlink(missing_ok=True)
    # "[Parsed_ebur128_<n> @ 0x…] Summary:" per instance, in graph order (input i's is filter 2i); ffmpeg
    # builds a filter_complex graph once to learn its outputs before the real one: the last of each counts
    parts = re.split(r"\[Parsed_ebur128_(\d+) @ [^]]*\] Summary:", proc.stderr.decode("utf-8", "replace"))
    by_filter = dict(zip(parts[1::2], parts[2::2], strict=True))
    summaries = [by_filter.get(str(2 * i)) for i in range(len(paths))]
    if any(summary is None for summary in summaries):
        raise RecastError(f"ffmpeg printed no loudness summary for one of {', '.join(p.name for p in paths)}")
    out = []
    for path, raw, summary in zip(paths, blocks_of, summaries, strict=True):
        values: dict[bytes, list[float]] = {b"M": [], b"S": []}
        for key, number in _PROFILE_RE.findall(raw):
            value = float(number.decode())
            values[key].append(value if math.isfinite(value) else -math.inf)
        peak = _parse_summary(f"Summary:{summary}", path)["true"]
        out.append(Profile(tuple(values[b"M"]), tuple(values[b"S"]), peak))
    return out


def joined(profiles: Sequence[Profile]) -> Loudness:
    """The loudness of files played one after the other, from their :func:`profiles`: their blocks gated
    together, the loudness range of their short-term values, the highest true peak."""
    return Loudness(integrated_lufs=round(gated(v for p in profiles for v in p.blocks), 1),
                    true_peak_dbtp=max((p.true_peak_dbtp for p in profiles), default=-math.inf),
                    lra=loudness_range(v for p in profiles for v in p.short_term))


def loudness_range(short_term: Iterable[float]) -> float:
    """EBU Tech 3342's loudness range (LU) of short-term loudness values: gated absolutely at −70 LUFS and
    :data:`LRA_GATE_LU` under their own loudness, from the 10th to the 95th percentile."""
    kept = [v for v in short_term if v > SILENT_LUFS]
    if not kept:
        return 0.0
    gate = _lufs(sum(10 ** ((v + 0.691) / 10) for v in kept) / len(kept)) - LRA_GATE_LU
    kept = sorted(v for v in kept if v > gate)
    if len(kept) < 2:
        return 0.0
    low, high = (kept[round((len(kept) - 1) * q)] for q in LRA_PERCENTILES)
    return round(high - low, 1)


@dataclass(frozen=True)
class FinalGain:
    """The plan that takes audio to the target: a gain, then a limiter if the gain alone would break the
    ceiling."""

    loudness_lufs: float
    """Loudness of the audio as played, before the final gain."""
    gain_db: float
    """The final gain."""
    limit_dbfs: float | None
    """The limiter's level after the gain (sample peaks); None when the gain alone keeps under the ceiling."""
    final_lufs: float
    """Loudness expected after the gain and limiter."""


def plan_final(parts: Sequence[tuple[Path, float, Sequence[float]]], peak_dbfs: float, *,
               target_lufs: float = TARGET_LUFS, ceiling_dbtp: float | None = None,
               workers: int = 2) -> FinalGain:
    """Plan the final gain for audio made of ``parts``: each a file, the gain (dB) it is played with, and
    its :func:`blocks` (before that gain). ``peak_dbfs`` is the highest sample of the whole, as played.

    When the gain alone keeps the peaks under the ceiling it is exact: ``target − loudness``. Otherwise the
    limiter takes some loudness away, more the harder it works and depending on the voice: the first
    :data:`LIMITER_SAMPLE_S` seconds of every part are measured through the gain and limiter (in parallel),
    the loudness each part loses is applied to all its blocks, and the gain is corrected by the secant
    method until the whole is within 0.2 LU of the target — the cost does not grow with the edition.
    """
    played = {i: [v + gain for v in values] for i, (_p, gain, values) in enumerate(parts)}
    loudness_lufs = gated(v for values in played.values() for v in values)
    if loudness_lufs <= SILENT_LUFS or math.isinf(peak_dbfs):
        raise RecastError("the edition is silent; nothing to normalize (check the synthesized clips)")
    ceiling = TRUE_PEAK_DBTP - ENCODER_MARGIN_DB if ceiling_dbtp is None else ceiling_dbtp
    gain = target_lufs - loudness_lufs
    if peak_dbfs + gain + INTER_SAMPLE_DB <= ceiling:
        return FinalGain(loudness_lufs, gain, None, target_lufs)
    limit = ceiling - INTER_SAMPLE_DB
    sample = int(LIMITER_SAMPLE_S * 10)  # blocks come every 100 ms
    tried: list[tuple[float, float]] = []
    got = target_lufs
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="recast-loudness") as pool:
        for _ in range(6):
            chains = [(path, limiter_chain(part_gain + gain, limit)) for path, part_gain, _v in parts]
            limited = list(pool.map(lambda pc: blocks(pc[0], pc[1], seconds=LIMITER_SAMPLE_S), chains))
            shifted = []
            for i, values in played.items():
                loss = gated(v + gain for v in values[:sample]) - gated(limited[i])
                if not math.isfinite(loss):  # nothing gated in the sample
                    loss = 0.0
                shifted.extend(v + gain - loss for v in values)
            got = gated(shifted)
            tried.append((gain, got))
            error = target_lufs - got
            if abs(error) <= 0.2 or got <= SILENT_LUFS:
                break
            slope = 0.6  # limited loudness grows slower than the gain: ~0.5-0.8 dB per dB for speech
            if len(tried) > 1 and tried[-1][0] != tried[-2][0]:
                slope = (tried[-1][1] - tried[-2][1]) / (tried[-1][0] - tried[-2][0])
            gain += error / min(1.0, max(0.2, slope))
    return FinalGain(loudness_lufs, gain, limit, got)


def keep_final(plan: FinalGain, peak_dbfs: float, kept_gain_db: float | None,
               kept_limit_dbfs: float | None) -> FinalGain:
    """``plan`` with the final gain of the edition's last render instead while it is within
    :data:`STICKY_GAIN_DB`, with the same limiter, and (without a limiter) still under the ceiling."""
    if (kept_gain_db is None or kept_limit_dbfs != plan.limit_dbfs
            or abs(kept_gain_db - plan.gain_db) >= STICKY_GAIN_DB
            or (plan.limit_dbfs is None
                and peak_dbfs + kept_gain_db + INTER_SAMPLE_DB > TRUE_PEAK_DBTP - ENCODER_MARGIN_DB)):
        return plan
    # the expected loudness moves at most by the difference: a limiter gives back less
    return dataclasses.replace(plan, gain_db=kept_gain_db, final_lufs=plan.final_lufs + kept_gain_db - plan.gain_db)


def limiter_chain(gain_db: float, limit_dbfs: float | None, *, rate: int = 0) -> str:
    """ffmpeg filters: a fixed gain (linear: no loudness riding), then a limiter at ``limit_dbfs`` (none when
    None) working on the samples, or with ``rate`` at four times that rate so it also catches peaks between
    samples. The limiter's look-ahead delay is compensated: nothing moves in time."""
    chain = f"volume={gain_db:.4f}dB:precision=double"
    if limit_dbfs is None:
        return chain
    limiter = f"alimiter=limit={10 ** (limit_dbfs / 20):.6f}:attack=5:release=50:level=0:latency=1"
    if rate:
        return f"{chain},aresample={rate * 4}:filter_size=32,{limiter},aresample={rate}:filter_size=32"
    return f"{chain},{limiter}"


def gated(loudness_values: Iterable[float]) -> float:
    """Integrated loudness of a set of 400 ms blocks by BS.1770-4's gating (absolute −70 LUFS, relative
    −10 LU); :data:`SILENT_LUFS` when no block passes."""
    powers = [10 ** ((v + 0.691) / 10) for v in loudness_values if v > SILENT_LUFS]
    if not powers:
        return SILENT_LUFS
    threshold = _lufs(sum(powers) / len(powers)) - RELATIVE_GATE_LU
    kept = [p for p in powers if _lufs(p) > threshold]
    return _lufs(sum(kept) / len(kept)) if kept else SILENT_LUFS


def _lufs(power: float) -> float:
    return -0.691 + 10 * math.log10(power) if power > 0 else -math.inf


def sample_peak(path: Path) -> float:
    """The sample peak of an audio file in dBFS (ffmpeg's ebur128)."""
    return _ebur128(path, peak="sample")["sample"]


def final_chain(master: Master, *, offset_db: float = 0.0, limit_dbfs: float | None = None,
                oversample: bool = False) -> str:
    """The filters that take ``master`` to its target: its planned gain (plus ``offset_db``) and limiter
    (at ``limit_dbfs`` instead when given; on four times oversampled audio with ``oversample``)."""
    gain = master.gain_db + offset_db
    limit = master.limit_dbfs if limit_dbfs is None else limit_dbfs
    if limit is None and master.peak_dbfs + gain + INTER_SAMPLE_DB > TRUE_PEAK_DBTP - ENCODER_MARGIN_DB:
        limit = TRUE_PEAK_DBTP - ENCODER_MARGIN_DB - INTER_SAMPLE_DB  # a retry raised the gain
    return limiter_chain(gain, limit, rate=master.sample_rate if oversample else 0)


def encoder_compensation(drift_lu: float) -> str | None:
    """The filter that undoes an encoder's loudness drift (``drift_lu``: how much louder the encoder makes
    speech than the PCM it is given, as measured; a few tenths of a dB), None when there is none."""
    return f"volume={-drift_lu:.2f}dB" if abs(drift_lu) >= 0.01 else None


def within_spec(loud: Loudness, *, target_lufs: float = TARGET_LUFS, true_peak: float = TRUE_PEAK_DBTP,
                tolerance_lu: float = TOLERANCE_LU) -> bool:
    """True when ``loud`` is within ``tolerance_lu`` of the target and its true peak under the ceiling."""
    return abs(loud.integrated_lufs - target_lufs) <= tolerance_lu and loud.true_peak_dbtp <= true_peak


def meet_target(name: str, drift_lu: float, master: Master, measured: Loudness,
                again: Callable[[str], Loudness]) -> Loudness:
    """``measured`` (of the file ``name``, encoded from ``master`` by an encoder drifting ``drift_lu``) when
    it is within :data:`AIM_LU` of the target and under the true-peak ceiling; else the file is encoded again
    by ``again`` through the chain it is given — the gain aimed by the measured error, the ceiling lowered
    by the measured overshoot with a limiter that sees peaks between samples — until it is (a later attempt
    within the spec's :data:`TOLERANCE_LU` is kept), at most :data:`ATTEMPTS` times. Returns the last
    measurement; RecastError rather than shipping a file that misses Apple's requirement."""
    offset, limit, oversample = -drift_lu, None, False
    for attempt in range(ATTEMPTS):
        if attempt:
            measured = again(final_chain(master, offset_db=offset, limit_dbfs=limit, oversample=oversample))
        error = TARGET_LUFS - measured.integrated_lufs
        if abs(error) <= AIM_LU and measured.true_peak_dbtp <= TRUE_PEAK_DBTP:
            return measured
        if attempt == ATTEMPTS - 1:
            if within_spec(measured):
                return measured
            raise RecastError(f"{name} misses the loudness target after {ATTEMPTS} attempts "
                              f"({measured.integrated_lufs:.1f} LUFS, true peak {measured.true_peak_dbtp:.1f} "
                              "dBTP); report this with the episode")
        # what the plan and the encoder did: loudness error and true-peak overshoot
        offset = max(-6.0, min(6.0, offset + error))
        if measured.true_peak_dbtp > TRUE_PEAK_DBTP:
            base = limit if limit is not None else (master.limit_dbfs if master.limit_dbfs is not None
                                                    else TRUE_PEAK_DBTP - ENCODER_MARGIN_DB)
            limit = max(TRUE_PEAK_DBTP - 8.0, base - (measured.true_peak_dbtp - TRUE_PEAK_DBTP) - 0.25 * (attempt + 1))
            oversample = True
    raise AssertionError("unreachable")


def _ebur128(path: Path, peak: str = "true") -> dict[str, float]:
    """Run ffmpeg's ebur128 filter and parse its Summary into I, LRA and the requested peak."""
    if not path.is_file():
        raise RecastError(f"cannot measure loudness: {path} does not exist")
    log = _ffmpeg_log(["-i", str(path), "-map", "0:a:0", "-af", f"ebur128=peak={peak}", "-f", "null", "-"], path)
    return _parse_summary(log, path)


def _ffmpeg_log(args: list[str], path: Path) -> str:
    """Run ffmpeg at log level info and return its log (stderr), where ebur128 prints its Summary."""
    return _ffmpeg(args, path, loglevel="info").stderr.decode("utf-8", "replace")


def _ffmpeg(args: list[str], path: Path, *, loglevel: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run ffmpeg on ``path`` capturing stdout and stderr; RecastError with its last line when it fails.

    ``pipeline.ffmpeg.run`` discards stderr, so this runs ffmpeg itself (the program path still comes
    from ``pipeline.ffmpeg.require``).
    """
    cmd = [ffmpeg.require("ffmpeg"), "-hide_banner", "-nostdin", "-nostats", "-loglevel", loglevel, *args]
    proc = subprocess.run(cmd, capture_output=True, check=False, cwd=cwd)
    if proc.returncode != 0:
        lines = [ln for ln in proc.stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
        raise RecastError(f"ffmpeg failed on {path.name}: {lines[-1] if lines else 'exit ' + str(proc.returncode)}")
    return proc


def _parse_summary(text: str, path: Path) -> dict[str, float]:
    at = text.rfind("Summary:")
    if at < 0:
        raise RecastError(f"ffmpeg printed no loudness summary for {path.name}")
    values: dict[str, float] = {}
    section = ""
    for line in text[at:].splitlines():
        head = _SECTION_RE.match(line)
        if head:
            section = head.group(1)
            continue
        match = _VALUE_RE.match(line)
        if not match:
            continue
        key, raw = match.group(1), match.group(2)
        number = float(raw.replace("inf", "Infinity")) if "inf" in raw else float(raw)
        if key == "Peak":
            key = "true" if section == "True peak" else "sample"
        values.setdefault(key, number)
    if "I" not in values or "LRA" not in values:
        raise RecastError(f"cannot read ffmpeg's loudness summary for {path.name}")
    values.setdefault("true", -math.inf)
    values.setdefault("sample", -math.inf)
    return values
