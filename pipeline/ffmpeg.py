"""Thin wrappers around the ffmpeg and ffprobe programs (subprocess; no Python audio library here)."""

from __future__ import annotations

import contextlib
import functools
import json
import queue
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from pipeline.errors import RecastError, ToolMissing

#: Flags that keep ffmpeg's output byte-identical across runs (no encoder version strings, no timestamps).
BITEXACT = ("-fflags", "+bitexact", "-flags:a", "+bitexact", "-map_metadata", "-1", "-map_chapters", "-1")


#: Packets ffmpeg may queue from a PCM input. With a second input (the M4A's chapter file) ffmpeg reads each
#: input on its own thread and hands packets over through a queue of 8 by default; raw PCM comes in 2 KB
#: packets, so the two threads switched every few packets: the M4A encoder ran 40 % slower and held the MP3
#: encoder back (measured on a 1 h edition: both formats 48 s instead of 36 s). 1024 packets are 2 MB.
PCM_QUEUE_PACKETS = 1024


def pcm_input(rate: int) -> list[str]:
    """ffmpeg's input options for mono s16le PCM at ``rate`` streamed on its stdin (after ``-y``)."""
    return ["-y", "-f", "s16le", "-ar", str(rate), "-ac", "1", "-thread_queue_size", str(PCM_QUEUE_PACKETS),
            "-i", "pipe:0"]


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


def run_fed(args_list: list[list[str]], chunks: Iterable[bytes]) -> None:
    """Run one ffmpeg per ``args`` in ``args_list`` at once, each reading the same input (``-i pipe:0``)
    from ``chunks`` as they come: nothing is held whole. Raises RecastError with the failing ffmpeg's
    error when one fails (the others are stopped)."""
    procs: list[tuple[subprocess.Popen, IO[bytes]]] = []
    try:
        for args in args_list:
            err = tempfile.TemporaryFile()
            # -nostdin only stops ffmpeg reading keys from stdin; "-i pipe:0" still reads the data from it.
            procs.append((subprocess.Popen([require("ffmpeg"), *_QUIET, *args], stdin=subprocess.PIPE,
                                           stdout=subprocess.DEVNULL, stderr=err), err))
        # one writer thread per ffmpeg, each with a bounded queue: every encoder reads at its own pace (a
        # blocking write to one would starve the others), and at most QUEUED chunks wait per ffmpeg
        queues = [queue.Queue(maxsize=_QUEUED) for _ in procs]
        writers = [threading.Thread(target=_drain, args=(q, proc), name="recast-ffmpeg-feed", daemon=True)
                   for q, (proc, _err) in zip(queues, procs, strict=True)]
        for w in writers:
            w.start()
        try:
            for chunk in chunks:
                for q, w in zip(queues, writers, strict=True):
                    while w.is_alive():  # a writer whose ffmpeg died takes no more
                        try:
                            q.put(chunk, timeout=0.5)
                            break
                        except queue.Full:
                            continue
        finally:
            for q, w in zip(queues, writers, strict=True):
                while w.is_alive():
                    try:
                        q.put(None, timeout=0.5)
                        break
                    except queue.Full:
                        continue
            for w in writers:
                w.join()
        failed = [(proc.wait(), err) for proc, err in procs]
        for code, err in failed:
            if code != 0:
                raise RecastError(f"ffmpeg failed: {_said(err, code)}")
    finally:
        for proc, err in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            err.close()


def piped(args: list[str], chunks: Iterable[bytes], chunk_size: int = 1 << 17) -> Iterator[bytes]:
    """Stream ``chunks`` through one ffmpeg (reading ``-i pipe:0``, writing ``pipe:1``) and yield what it
    writes, as it writes it. Raises RecastError when ffmpeg fails; errors of ``chunks`` pass through."""
    err = tempfile.TemporaryFile()
    proc = subprocess.Popen([require("ffmpeg"), *_QUIET, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=err)
    failure: list[BaseException] = []

    def feed() -> None:
        try:
            for chunk in chunks:
                proc.stdin.write(chunk)  # type: ignore[union-attr]
        except BrokenPipeError:
            pass
        except BaseException as exc:  # noqa: BLE001 - handed to the reading thread, raised there
            failure.append(exc)
        finally:
            with contextlib.suppress(BrokenPipeError):
                proc.stdin.close()  # type: ignore[union-attr]

    feeder = threading.Thread(target=feed, name="recast-ffmpeg-feed", daemon=True)
    feeder.start()
    try:
        while block := proc.stdout.read(chunk_size):  # type: ignore[union-attr]
            yield block
        code = proc.wait()
        feeder.join()
        if failure:
            raise failure[0]
        if code != 0:
            raise RecastError(f"ffmpeg failed: {_said(err, code)}")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        feeder.join()
        proc.stdout.close()  # type: ignore[union-attr]
        err.close()


_QUIET = ("-hide_banner", "-nostdin", "-loglevel", "error")
#: Chunks waiting per ffmpeg in :func:`run_fed`.
_QUEUED = 32


def _drain(chunks: queue.Queue, proc: subprocess.Popen) -> None:
    """Write queued chunks to ``proc``'s stdin until None; stop early (draining nothing more) when it dies."""
    try:
        while (chunk := chunks.get()) is not None:
            proc.stdin.write(chunk)  # type: ignore[union-attr]
    except BrokenPipeError:
        pass  # ffmpeg stopped reading: it failed, and says why
    finally:
        with contextlib.suppress(BrokenPipeError):
            proc.stdin.close()  # type: ignore[union-attr]


def _said(err: IO[bytes], code: int) -> str:
    """What ffmpeg said on stderr: the first line names the cause (a filter, the disk), the last is its
    summary of it."""
    err.seek(0)
    lines = [re.sub(r"^\[[^]]* @ 0x[0-9a-f]+\] ", "", ln.strip())
             for ln in err.read().decode("utf-8", "replace").splitlines() if ln.strip()]
    return "; ".join(dict.fromkeys([lines[0], lines[-1]])) if lines else f"exit {code}"


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
