"""How bench/suite.py measures: the CLI in a subprocess (wall time, peak RSS), ffmpeg encodes, the emulator.

Peak RSS of a render (``rss_mb``) is ``ru_maxrss`` from ``os.wait4`` on the render process — what GNU
``time -f %M`` reports too. On Linux that is the larger of the process's own high-water mark and that of
its largest waited-for descendant (ffmpeg, espeak-ng): the peak of the largest single process of the
render, not the sum. So the suite also samples /proc every 50 ms while the process runs: the render
process's own ``VmHWM`` (``own_peak_mb``; monotone, so only growth in the last 50 ms can be missed), the
largest child's RSS and the largest total over the whole process tree.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
RECAST = [PY, "-m", "pipeline"]


class MeasurementError(Exception):
    """A measurement could not run (a command failed or gave something unexpected)."""


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to a temporary name beside ``path``, then rename it into place (Recast's own helper)."""
    from pipeline.fsutil import atomic_write_text

    atomic_write_text(path, text)


# ------------------------------------------------------------------------------------------ processes


def _kb(pid: int, field: str) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith(field):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children", encoding="ascii") as f:
                out += [int(c) for c in f.read().split()]
        except (OSError, ValueError):
            pass
    return out


class _Sampler(threading.Thread):
    """Samples the process's VmHWM, its largest descendant's RSS and the tree's total RSS (in kB)."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.hwm = self.child = self.tree = 0
        self.child_name = ""
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            self.hwm = max(self.hwm, _kb(self.pid, "VmHWM:"))  # the process's own peak
            total = _kb(self.pid, "VmRSS:")
            pending = _children(self.pid)
            while pending:
                child = pending.pop()
                rss = _kb(child, "VmRSS:")
                total += rss
                if rss > self.child:
                    self.child = rss
                    try:
                        self.child_name = Path(f"/proc/{child}/comm").read_text("ascii").strip()
                    except OSError:
                        pass
                pending += _children(child)
            self.tree = max(self.tree, total)
            self.stop.wait(self.interval)


def run_measured(cmd: list[str], *, env: dict | None = None, cwd: Path = ROOT, sample: bool = True,
                 timeout: float = 4 * 3600) -> dict:
    """Run ``cmd``; return wall time, exit code, stdout, stderr and memory figures (MB)."""
    import tempfile

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        sampler = _Sampler(proc.pid) if sample else None
        if sampler:
            sampler.start()
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.01)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        if sampler:
            sampler.stop.set()
            sampler.join()
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")
    result = {"wall_seconds": round(wall, 3), "returncode": proc.returncode, "stdout": stdout, "stderr": stderr,
              "rss_mb": round(usage.ru_maxrss / 1024, 1)}
    if sampler:
        result.update(own_peak_mb=round(sampler.hwm / 1024, 1), child_peak_mb=round(sampler.child / 1024, 1),
                      child_peak_name=sampler.child_name, tree_peak_mb=round(sampler.tree / 1024, 1))
    return result


def _check(run: dict, what: str) -> None:
    if run["returncode"] != 0:
        tail = " | ".join(run["stderr"].strip().splitlines()[-3:])
        raise MeasurementError(f"{what} exited {run['returncode']}: {tail}")


# ------------------------------------------------------------------------------------------ recast


def render(source: Path, out: Path, *, engine: str, extra: list[str] | None = None, env: dict | None = None) -> dict:
    """``recast render SOURCE -o OUT --engine ENGINE --json --quiet``: wall time, RSS and the manifest's stats."""
    full_env = {k: v for k, v in os.environ.items() if k != "RECAST_EDGE_WSS_URL"}
    full_env.update(env or {})
    cmd = [*RECAST, "render", str(source), "-o", str(out), "--engine", engine, "--json", "--quiet", *(extra or [])]
    run = run_measured(cmd, env=full_env)
    _check(run, f"recast render {source.name}")
    try:
        manifest = json.loads(run.pop("stdout"))
        stats = manifest["stats"]
    except (json.JSONDecodeError, KeyError) as err:
        raise MeasurementError(f"recast render {source.name} printed no manifest with stats: {err}") from err
    run.pop("stderr")
    return {**run, "audio_seconds": round(manifest["duration_ms"] / 1000, 2),
            "requests": stats["requests"], "synthesized": stats["synthesized"], "cached": stats.get("cached"),
            "timings": stats["timings"], "sections": stats.get("sections"),
            "episode": str(out / manifest["slug"] / "episode.mp3"),
            "bytes": {f["name"]: f["bytes"] for f in manifest.get("files", []) if f["name"].startswith("episode.")}}


def startup(args: list[str], runs: int) -> dict:
    """Wall time of ``recast ARGS`` in ``runs`` fresh processes: min, median and every run."""
    from cli_bench import timed  # bench/cli_bench.py

    try:
        times = timed([*RECAST, *args], runs)
    except SystemExit as err:  # cli_bench.timed exits when the command fails
        raise MeasurementError(str(err.code)) from err
    return {"min_seconds": round(min(times), 4), "median_seconds": round(statistics.median(times), 4),
            "runs": [round(t, 4) for t in times]}


def imported_by(args: list[str], modules: tuple[str, ...]) -> list[str]:
    """Which of ``modules`` ``recast ARGS`` imports (from ``python -X importtime``)."""
    proc = subprocess.run([PY, "-X", "importtime", "-m", "pipeline", *args], cwd=ROOT, capture_output=True,
                          text=True)
    if proc.returncode != 0:
        raise MeasurementError(f"recast {' '.join(args)} exited {proc.returncode}")
    seen = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}
    return [m for m in modules if m in seen]


# ------------------------------------------------------------------------------------------ ffmpeg


def _ffmpeg(args: list[str]) -> list[str]:
    return ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *args]


def bare_encode(episode: Path, work: Path) -> dict:
    """Time bare ffmpeg encodes (MP3 and AAC, 96 kb/s mono) of a 44.1 kHz s16 WAV as long as ``episode``:
    one after the other, both at once, and the AAC encode again with ``-aac_coder fast`` (the coder Recast's
    writer uses; ffmpeg's default AAC coder is several times slower)."""
    work.mkdir(parents=True, exist_ok=True)
    wav = work / "edition.wav"
    decoded = run_measured(_ffmpeg(["-i", str(episode), "-ar", "44100", "-ac", "1", "-c:a", "pcm_s16le", str(wav)]),
                           sample=False)
    _check(decoded, "ffmpeg decode")
    mp3 = _ffmpeg(["-i", str(wav), "-c:a", "libmp3lame", "-b:a", "96k", "-ac", "1", str(work / "bare.mp3")])
    m4a = _ffmpeg(["-i", str(wav), "-c:a", "aac", "-b:a", "96k", "-ac", "1", str(work / "bare.m4a")])
    one = run_measured(mp3, sample=False)
    _check(one, "ffmpeg mp3 encode")
    two = run_measured(m4a, sample=False)
    _check(two, "ffmpeg aac encode")
    fast = run_measured(_ffmpeg(["-i", str(wav), "-c:a", "aac", "-aac_coder", "fast", "-b:a", "96k", "-ac", "1",
                                 str(work / "bare-fast.m4a")]), sample=False)
    _check(fast, "ffmpeg aac (fast coder) encode")
    started = time.perf_counter()
    procs = [subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stderr=subprocess.PIPE) for cmd in (mp3, m4a)]
    codes = [p.wait() for p in procs]
    parallel = time.perf_counter() - started
    for p in procs:
        p.stderr.close()
    if any(codes):
        raise MeasurementError(f"ffmpeg encodes run at once exited {codes}")
    seconds = wav.stat().st_size / (44100 * 2)
    wav.unlink()
    return {"audio_seconds": round(seconds, 2), "mp3_seconds": one["wall_seconds"], "m4a_seconds": two["wall_seconds"],
            "m4a_fast_seconds": fast["wall_seconds"],
            "sequential_seconds": round(one["wall_seconds"] + two["wall_seconds"], 3),
            "parallel_seconds": round(parallel, 3), "mp3_rss_mb": one["rss_mb"], "m4a_rss_mb": two["rss_mb"]}


def naive(clips: Path, out: Path) -> dict:
    """bench/naive.py on ``clips`` in its own process: its timings, wall time and peak RSS."""
    run = run_measured([PY, str(ROOT / "bench" / "naive.py"), str(clips), str(out)])
    _check(run, "bench/naive.py")
    try:
        inner = json.loads(run.pop("stdout"))
    except json.JSONDecodeError as err:
        raise MeasurementError(f"bench/naive.py printed no JSON: {err}") from err
    run.pop("stderr")
    return {**run, **inner, "audio_seconds": round(inner["duration_ms"] / 1000, 2)}


# ------------------------------------------------------------------------------------------ emulator


class Emulator:
    """The Edge emulator in this process; renders through the CLI against it."""

    def __init__(self) -> None:
        from pipeline.testing.emulator import EdgeEmulator

        self.emu = EdgeEmulator()

    def __enter__(self) -> Emulator:
        self.emu.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.emu.close()

    def _env(self) -> dict:
        return {"RECAST_EDGE_WSS_URL": self.emu.url}

    def warm(self, sources: list[Path], out: Path) -> None:
        """Render each source once without latency so the emulator has every request's audio ready:
        its own espeak-ng and ffmpeg work then does not compete with the timed renders for the CPU."""
        self.emu.configure(latency_ms=0.0, realtime_factor=0.0)
        for source in sources:
            render(source, out, engine="edge", extra=["--formats", "mp3"], env=self._env())

    def render(self, source: Path, out: Path, *, latency_ms: float, realtime_factor: float,
               extra: list[str] | None = None) -> dict:
        """A timed ``render --engine edge`` with the emulator answering at the given pace, plus its log."""
        self.emu.configure(latency_ms=latency_ms, realtime_factor=realtime_factor)
        self.emu.clear_log()
        run = render(source, out, engine="edge", extra=extra, env=self._env())
        log = self.emu.log
        done = [r for r in log if r.end is not None]
        run.update(emulator_requests=len(log), not_ok=sum(1 for r in log if r.status != "ok"),
                   request_sum_seconds=round(sum(r.end - r.start for r in done), 3),
                   request_span_seconds=round(max((r.end for r in done), default=0)
                                              - min((r.start for r in done), default=0), 3))
        return run
