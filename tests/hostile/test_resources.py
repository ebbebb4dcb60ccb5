"""Resource bounds: memory does not grow with the edition's length; open files and subprocesses stay bounded
by ``--concurrency``.

Renders run as real CLI subprocesses; a poller samples /proc every few milliseconds: the render's own
VmHWM (peak resident set, kept by the kernel), the summed RSS of its whole process tree, its open file
descriptors, and its live descendants (espeak-ng, ffmpeg).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hostile import ROOT

pytestmark = pytest.mark.slow

_WORDS = ("library children reading teachers afternoon volunteers books stories town river winter evening "
          "programme school parents table chairs window light voices questions answers music").split()


def transcript(turns: int, words_per_turn: int, seed: int) -> str:
    rng = random.Random(seed)
    lines = []
    for i in range(turns):
        who = ("Ann", "Bob", "Cleo")[i % 3]
        words = [rng.choice(_WORDS) for _ in range(words_per_turn)]
        sentences = [" ".join(words[k:k + 12]).capitalize() + "." for k in range(0, len(words), 12)]
        lines.append(f"{who}: {' '.join(sentences)}")
    return "\n".join(lines) + "\n"


@dataclass
class Usage:
    """What the poller saw during one render."""

    peak_hwm_kb: int = 0
    """The render process's own peak resident set (VmHWM)."""
    peak_tree_kb: int = 0
    """The largest sum of resident sets over the render and all its descendants at one moment."""
    peak_child_kb: int = 0
    """The largest resident set of any one descendant (ffmpeg, espeak-ng)."""
    peak_fds: int = 0
    """Most file descriptors the render process held open at once."""
    peak_children: int = 0
    """Most live descendants at once."""
    peak_espeak: int = 0
    """Most espeak-ng processes at once."""
    samples: int = 0
    manifest: dict = field(default_factory=dict)
    seconds: float = 0.0


def _status_kb(pid: int, key: str) -> int:
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def _descendants(root: int) -> list[tuple[int, str]]:
    parents: dict[int, list[tuple[int, str]]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as fh:
                stat = fh.read()
        except OSError:
            continue
        name = stat[stat.index("(") + 1: stat.rindex(")")]
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        parents.setdefault(ppid, []).append((int(entry.name), name))
    found, todo = [], [root]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child[0])
    return found


def render_measured(src: Path, out: Path, *extra: str) -> Usage:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RECAST_")}
    usage = Usage()
    start = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "render", str(src), "-o", str(out), "--engine",
                             "espeak", "--intro", "none", "--formats", "mp3", "--json", *extra],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    done = threading.Event()

    def poll() -> None:
        while not done.is_set():
            try:
                usage.peak_hwm_kb = max(usage.peak_hwm_kb, _status_kb(proc.pid, "VmHWM"))
                usage.peak_fds = max(usage.peak_fds, len(os.listdir(f"/proc/{proc.pid}/fd")))
                kids = _descendants(proc.pid)
                tree = _status_kb(proc.pid, "VmRSS")
                for pid, name in kids:
                    if name.startswith("python"):
                        continue  # forked, not yet exec'd: its RSS is the render's own pages, shared
                    try:
                        rss = _status_kb(pid, "VmRSS")
                    except OSError:
                        continue
                    tree += rss
                    usage.peak_child_kb = max(usage.peak_child_kb, rss)
            except (OSError, ValueError):
                break  # the render has exited
            usage.peak_tree_kb = max(usage.peak_tree_kb, tree)
            usage.peak_children = max(usage.peak_children, len(kids))
            usage.peak_espeak = max(usage.peak_espeak, sum(1 for _, name in kids if name.startswith("espeak")))
            usage.samples += 1
            time.sleep(0.005)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    stdout, stderr = proc.communicate(timeout=900)
    done.set()
    poller.join()
    usage.seconds = time.monotonic() - start
    assert proc.returncode == 0, stderr.decode()
    usage.manifest = json.loads(stdout)
    return usage


@pytest.fixture(scope="module")
def inputs(tmp_path_factory, media_tools):
    """Short and long transcripts of the same shape: only the number of turns differs. Turn length decides
    clip length and so how much the mixer decodes at once (a bounded window of clips); the short one already
    fills that window (30 clips), so any growth beyond it comes from the length of the edition."""
    base = tmp_path_factory.mktemp("resources")
    short, long = base / "short.txt", base / "long.txt"
    short.write_text(transcript(30, 5, seed=1), "utf-8")
    long.write_text(transcript(100, 5, seed=2), "utf-8")
    return base, short, long


def test_memory_does_not_grow_with_the_length_of_the_edition(inputs):
    """Peak memory of a ~5-minute edition stays within a fixed margin of a ~1.5-minute one of the same shape.

    The bound: the master is mono 16-bit PCM at 44.1 kHz, 88.2 KB per second, so one in-memory copy of the
    long edition costs ~25 MB, and pydub-style concatenation (a new AudioSegment per clip) several times
    that. The render may use at most 8 MB more for the long edition — a third of one copy of its audio —
    and no ffmpeg or espeak-ng process may grow by more than 8 MB either (the tree's total varies with how
    many of them overlap, not with the length). Default concurrency: at most one espeak-ng per CPU.
    """
    base, short, long = inputs
    small = render_measured(short, base / "out-short")
    big = render_measured(long, base / "out-long")
    big_s, small_s = big.manifest["duration_ms"] / 1000, small.manifest["duration_ms"] / 1000
    one_copy_kb = big_s * 88.2
    assert big_s >= 3 * small_s and big_s >= 240, (small_s, big_s)
    assert small.samples > 10 and big.samples > 10
    assert one_copy_kb >= 3 * 8 * 1024  # the bound below is at most a third of one copy of the long edition
    growth = big.peak_hwm_kb - small.peak_hwm_kb
    assert growth <= 8 * 1024, (f"render peak {small.peak_hwm_kb} KB for {small_s:.0f} s, {big.peak_hwm_kb} KB "
                                f"for {big_s:.0f} s (+{growth} KB; one copy of the audio is {one_copy_kb:.0f} KB)")
    assert big.peak_child_kb - small.peak_child_kb <= 8 * 1024, (small, big)
    assert 1 <= big.peak_espeak <= (os.cpu_count() or 2), big


def test_open_files_and_subprocesses_bounded_under_high_concurrency(inputs):
    """--concurrency 16: at most 16 espeak-ng processes at once, open files bounded by the concurrency.

    Each espeak-ng run holds three pipes in the render process; the mixer adds at most four ffmpeg decoders.
    Bounds: descendants ≤ 16 + 4 + 2, open descriptors ≤ 64 (baseline: ~12) + 3 × 16 + 4 × 4.
    """
    base, short, _long = inputs
    usage = render_measured(short, base / "out-concurrency", "--concurrency", "16")
    assert usage.peak_espeak >= 4, "the render never ran espeak-ng requests in parallel: the bound proves nothing"
    assert usage.peak_espeak <= 16, usage
    assert usage.peak_children <= 16 + 4 + 2, usage
    assert usage.peak_fds <= 64 + 3 * 16 + 4 * 4, usage
