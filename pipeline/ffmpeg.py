"""Thin wrappers around the ffmpeg and ffprobe programs (subprocess; no Python audio library here)."""

from __future__ import annotations

import contextlib
import functools
import json
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path

from pipeline.errors import RecastError, ToolMissing

#: Flags that keep ffmpeg's output byte-identical across runs (no encoder version strings, no timestamps).
BITEXACT = ("-fflags", "+bitexact", "-flags:a", "+bitexact", "-map_metadata", "-1", "-map_chapters", "-1")


@functools.lru_cache(maxsize=None)
def require(tool: str) -> str:
    """Absolute path of a system program, or ToolMissing naming the Debian package to install."""
    found = shutil.which(tool)
    if not found:
        package = {"ffprobe": "ffmpeg", "espeak-ng": "espeak-ng"}.get(tool, tool)
        raise ToolMissing(f"{tool} is not installed; install it with: sudo apt-get install {package}")
    return found


def run(tool: str, args: list[str], *, input: bytes | None = None, timeout: float | None = None) -> bytes:
    """Run ffmpeg/ffprobe with ``args``; return stdout. Raises RecastError with ffmpeg's last error line."""
    cmd = [require(tool), *args]
    if tool == "ffmpeg":
        cmd[1:1] = ["-hide_banner", "-nostdin", "-loglevel", "error"]
    try:
        proc = subprocess.run(cmd, input=input, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as err:
        raise RecastError(f"{tool} timed out after {timeout:.0f} s") from err
    if proc.returncode != 0:
        lines = [ln for ln in proc.stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
        raise RecastError(f"{tool} failed: {lines[-1] if lines else 'exit ' + str(proc.returncode)}")
    return proc.stdout


def run_fed(tool: str, args: list[str], chunks: Iterable[bytes]) -> None:
    """Run ffmpeg with ``args`` reading its input (``-i pipe:0``) from ``chunks`` as they come: nothing is
    held whole. Raises RecastError with ffmpeg's last error line when it fails."""
    cmd = [require(tool), "-hide_banner", "-nostdin", "-loglevel", "error", *args]
    # -nostdin only stops ffmpeg reading keys from stdin; "-i pipe:0" still reads the data from it.
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=err)
        assert proc.stdin is not None
        try:
            try:
                for chunk in chunks:
                    proc.stdin.write(chunk)
            except BrokenPipeError:
                pass  # ffmpeg stopped reading: it failed, and says why below
            finally:
                with contextlib.suppress(BrokenPipeError):
                    proc.stdin.close()
            code = proc.wait()
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        if code != 0:
            err.seek(0)
            lines = [ln for ln in err.read().decode("utf-8", "replace").splitlines() if ln.strip()]
            raise RecastError(f"{tool} failed: {lines[-1] if lines else 'exit ' + str(code)}")


def probe(path: Path) -> dict:
    """ffprobe's JSON description (format, streams, chapters) of a media file."""
    out = run("ffprobe", ["-v", "error", "-print_format", "json", "-show_format", "-show_streams",
                          "-show_chapters", str(path)])
    return json.loads(out)


def duration_ms(path: Path) -> int:
    """Duration of a media file in ms, by decoding it (exact for MP3 and WAV)."""
    out = run("ffprobe", ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(path)])
    try:
        return round(float(out.decode().strip()) * 1000)
    except ValueError as err:
        raise RecastError(f"cannot read the duration of {path.name}") from err


@functools.lru_cache(maxsize=1)
def version() -> str:
    """ffmpeg's version string, e.g. ``5.1.6-0+deb12u1``."""
    out = run("ffmpeg", ["-version"])
    first = out.decode("utf-8", "replace").splitlines()[0]
    parts = first.split()
    return parts[2] if len(parts) > 2 else first
