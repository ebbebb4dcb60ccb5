"""Broadcast loudness: measure EBU R128 / ITU-R BS.1770 loudness and normalize an edition to a target.

Measurement runs ffmpeg's ``ebur128`` filter (real K-weighting and gating, true peak by 4x oversampling)
and parses its Summary. Normalization is a fixed gain plus a true-peak limiter (``alimiter`` run at four
times the sample rate, lookahead delay compensated, so no timing shifts), repeated with a corrected gain
until the integrated loudness is on target: deterministic, and linear (no dynamic loudness riding).

Mono files are measured as one channel (ffmpeg's default, BS.1770 as written).
"""

from __future__ import annotations

import math
import re
import subprocess
from pathlib import Path

from pipeline import ffmpeg
from pipeline.errors import RecastError
from pipeline.model import Loudness

#: Apple Podcasts' loudness target (integrated, LUFS) and ceiling (true peak, dBTP).
TARGET_LUFS = -16.0
TRUE_PEAK_DBTP = -1.0

#: Integrated loudness ffmpeg reports when nothing passes the gate (silence or under 400 ms of audio).
SILENT_LUFS = -70.0

_SECTION_RE = re.compile(r"^\s*(Integrated loudness|Loudness range|True peak|Sample peak):\s*$")
_VALUE_RE = re.compile(r"^\s*(I|LRA|Peak):\s*(-?inf|-?\d+(?:\.\d+)?)\s*(LUFS|LU|dBFS)\s*$")


def measure(path: Path) -> Loudness:
    """Integrated loudness, true peak and loudness range of an audio file (ffmpeg ebur128, peak=true)."""
    values = _ebur128(Path(path))
    return Loudness(integrated_lufs=values["I"], true_peak_dbtp=values["true"], lra=values["LRA"])


def integrated(path: Path) -> float:
    """Integrated loudness only (faster: no true-peak oversampling)."""
    return _ebur128(Path(path), peak="none")["I"]


def sample_peak_dbfs(path: Path) -> float:
    """Highest absolute sample value of an audio file, in dBFS (−inf for digital silence)."""
    return _ebur128(Path(path), peak="sample")["sample"]


def normalize(master: Path, out: Path, *, target_lufs: float = TARGET_LUFS, true_peak: float = TRUE_PEAK_DBTP,
              margin_db: float = 1.5, sample_rate: int | None = None, tolerance_lu: float = 0.4) -> Loudness:
    """Write ``out``: ``master`` brought to ``target_lufs`` (±``tolerance_lu``) with its true peak limited.

    The limiter's ceiling is ``true_peak - margin_db`` so lossy encoding's overshoot stays under
    ``true_peak``. ``out`` is a 16-bit PCM WAV at ``sample_rate`` (default: the master's rate) of exactly
    the master's length. Returns the measurement of ``out``. Raises RecastError for silent input.
    """
    master, out = Path(master), Path(out)
    if not -40.0 <= target_lufs <= -5.0:
        raise ValueError(f"target_lufs {target_lufs} outside -40..-5")
    if not -9.0 <= true_peak <= 0.0 or not 0.0 <= margin_db <= 6.0:
        raise ValueError("true_peak must be in -9..0 dBTP and margin_db in 0..6 dB")
    before = measure(master)
    if before.integrated_lufs <= SILENT_LUFS or math.isinf(before.true_peak_dbtp):
        raise RecastError(f"{master.name} is silent; nothing to normalize (check the synthesized clips)")
    rate = sample_rate or _sample_rate(master)
    ceiling = true_peak - margin_db
    # Find the gain whose limited output sits on target: the limiter takes some loudness away, more as
    # the gain grows, so step with the slope seen so far (secant method; 2–3 passes in practice).
    # Each pass measures what it wrote (integrated loudness and true peak) in the same ffmpeg run, so a
    # long edition is read once per pass; the first pass is usually within tolerance.
    tried: list[tuple[float, float]] = []
    gain = target_lufs - before.integrated_lufs
    limit = before.true_peak_dbtp + gain > ceiling
    result = before
    for _ in range(6):
        result = _apply(master, out, gain, ceiling, rate, limit=limit)
        got = result.integrated_lufs
        tried.append((gain, got))
        error = target_lufs - got
        if abs(error) <= tolerance_lu and result.true_peak_dbtp <= true_peak - margin_db / 2:
            break
        if result.true_peak_dbtp > ceiling and not limit:
            limit = True
            continue
        slope = 1.0
        if len(tried) > 1 and tried[-1][0] != tried[-2][0]:
            slope = (tried[-1][1] - tried[-2][1]) / (tried[-1][0] - tried[-2][0])
        gain += error / min(1.0, max(0.2, slope))
    return result


def within_spec(loud: Loudness, *, target_lufs: float = TARGET_LUFS, true_peak: float = TRUE_PEAK_DBTP,
                tolerance_lu: float = 1.0) -> bool:
    """True when ``loud`` is within ``tolerance_lu`` of the target and its true peak under the ceiling."""
    return abs(loud.integrated_lufs - target_lufs) <= tolerance_lu and loud.true_peak_dbtp <= true_peak


def _apply(master: Path, out: Path, gain_db: float, ceiling_dbtp: float, rate: int, *, limit: bool = True) -> Loudness:
    """Gain, then (when ``limit``) a limiter at 4x the rate (so it limits inter-sample peaks too), back to
    ``rate``. Without the limiter it is a pure linear gain. Returns the measurement of what was written
    (integrated loudness, true peak and LRA, in the same ffmpeg pass).
    """
    chain = f"volume={gain_db:.4f}dB:precision=double,"
    if limit:
        level = 10 ** (ceiling_dbtp / 20)
        chain += (f"aresample={rate * 4}:filter_size=32,"
                  f"alimiter=limit={level:.6f}:attack=5:release=50:level=0:latency=1,"
                  f"aresample={rate}:filter_size=32,")
    chain += "asplit[w][m];[m]ebur128=peak=true,anullsink"
    log = _ffmpeg_log(["-y", "-i", str(master), "-filter_complex", f"[0:a:0]{chain}", "-map", "[w]", "-ac", "1",
                       "-c:a", "pcm_s16le", *ffmpeg.BITEXACT, "-f", "wav", str(out)], master)
    values = _parse_summary(log, master)
    return Loudness(integrated_lufs=values["I"], true_peak_dbtp=values["true"], lra=values["LRA"])


def _sample_rate(path: Path) -> int:
    info = ffmpeg.probe(path)
    for stream in info.get("streams", []):
        if stream.get("codec_type") == "audio":
            return int(stream["sample_rate"])
    raise RecastError(f"{path.name} has no audio stream")


def _ebur128(path: Path, peak: str = "true") -> dict[str, float]:
    """Run ffmpeg's ebur128 filter and parse its Summary into I, LRA and the requested peak."""
    if not path.is_file():
        raise RecastError(f"cannot measure loudness: {path} does not exist")
    log = _ffmpeg_log(["-i", str(path), "-map", "0:a:0", "-af", f"ebur128=peak={peak}", "-f", "null", "-"], path)
    return _parse_summary(log, path)


def _ffmpeg_log(args: list[str], path: Path) -> str:
    """Run ffmpeg at log level info and return its log (stderr), where ebur128 prints its Summary.

    ``pipeline.ffmpeg.run`` discards stderr, so this runs ffmpeg itself (the program path still comes
    from ``pipeline.ffmpeg.require``).
    """
    cmd = [ffmpeg.require("ffmpeg"), "-hide_banner", "-nostdin", "-nostats", "-loglevel", "info", *args]
    proc = subprocess.run(cmd, capture_output=True, check=False)
    text = proc.stderr.decode("utf-8", "replace")
    if proc.returncode != 0:
        lines = [ln for ln in text.splitlines() if ln.strip()]
        raise RecastError(f"ffmpeg failed on {path.name}: {lines[-1] if lines else 'exit ' + str(proc.returncode)}")
    return text


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
