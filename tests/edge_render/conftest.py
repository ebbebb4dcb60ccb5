"""Render-level Edge tests: the real `recast render` CLI in a subprocess, the real edge-tts client inside it,
and the Edge emulator (``pipeline.testing.emulator``) standing in for Microsoft's service via RECAST_EDGE_WSS_URL.

Transcripts (our own, in tests/edge_render/data/):

* ``harbor-radio.txt`` — zh-TW news-site article: three speakers, two chapters, eleven turns (one long
  enough to need two requests), key points and an intro paragraph.
* ``tide-note.txt`` — six one-line ``Name：text`` turns of three speakers (six requests with
  ``--intro none``): the quick transcript every fault case renders.
"""

from __future__ import annotations

import hashlib
import json
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline.testing.emulator import EdgeEmulator

DATA = Path(__file__).parent / "data"
HARBOR = DATA / "harbor-radio.txt"
TIDE = DATA / "tide-note.txt"
AUDIO = ("episode.mp3", "episode.m4a")
EDITION_FILES = {"episode.mp3", "episode.m4a", "chapters.json", "transcript.vtt", "transcript.srt",
                 "transcript.json", "shownotes.md", "shownotes.html", "episode.json"}
#: Quick but not instant: 20 ms to the first byte, audio streamed at 50× real time.
LATENCY_MS = 20
REALTIME = 50


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tree(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (relative path → sha256)."""
    return {str(p.relative_to(folder)): sha(p) for p in sorted(folder.rglob("*")) if p.is_file()}


@dataclass
class Run:
    """One finished `recast render` subprocess."""

    proc: subprocess.CompletedProcess
    out: Path

    @property
    def code(self) -> int:
        return self.proc.returncode

    @property
    def stderr(self) -> str:
        return self.proc.stderr.decode("utf-8", "replace")

    @property
    def manifest(self) -> dict:
        assert self.code == 0, self.stderr
        return json.loads(self.proc.stdout)

    @property
    def edition(self) -> Path:
        return self.out / self.manifest["slug"]

    @property
    def stats(self) -> dict:
        return self.manifest["stats"]

    def audio(self, name: str = "episode.mp3") -> str:
        """SHA-256 of an audio file (a digest, so a failed comparison never makes pytest diff megabytes)."""
        import hashlib

        return hashlib.sha256((self.edition / name).read_bytes()).hexdigest()


def render(recast, src: Path, out: Path, *args: str, url: str | None, engine: str = "edge",
           json_out: bool = True, timeout: float = 300) -> Run:
    """``recast render SRC -o OUT --engine ENGINE [--json] ARGS`` with RECAST_EDGE_WSS_URL=url."""
    extra = ["--json"] if json_out else []
    env = {"RECAST_EDGE_WSS_URL": url} if url else None
    proc = recast("render", str(src), "-o", str(out), "--engine", engine, *extra, *args, env=env, timeout=timeout)
    return Run(proc, out)


def max_overlap(log) -> int:
    """Most requests in progress at once, from arrival to turn.end (after which the client lets go)."""
    events = sorted([(r.start, 1) for r in log] + [(r.turn_end or r.end, -1) for r in log])
    now = peak = 0
    for _, step in events:
        now += step
        peak = max(peak, now)
    return peak


def closed_port_url() -> str:
    """An Edge-shaped URL on a local port nobody listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"ws://127.0.0.1:{port}/consumer/speech/synthesize/readaloud/edge/v1?TrustedClientToken=x"


@pytest.fixture(scope="module")
def emulator(media_tools):
    """One emulator per test module (its render cache makes repeated requests cheap)."""
    with EdgeEmulator(latency_ms=LATENCY_MS, realtime_factor=REALTIME) as emu:
        yield emu


@pytest.fixture
def emu(emulator):
    """The module's emulator with no faults, numbering from 1 and an empty log."""
    emulator.set_faults(None)
    emulator.configure(latency_ms=LATENCY_MS, realtime_factor=REALTIME)
    emulator.clear_log()
    yield emulator
    emulator.set_faults(None)


@pytest.fixture(scope="session")
def fault_matrix(request, recast, media_tools, tmp_path_factory):
    """The fault matrix (matrix.py) for the cases of test_faults.py this session runs, rendering in the
    background."""
    from .matrix import FaultMatrix, selected

    matrix = FaultMatrix(recast, tmp_path_factory.mktemp("faults"),
                         selected(request.session.items, Path(__file__).parent / "test_faults.py"))
    yield matrix
    matrix.close()


@pytest.fixture(scope="session", autouse=True)
def _start_fault_matrix_early(request):
    """Start the fault matrix with the session's first edge_render test, so its renders (which mostly wait,
    or keep one core busy) overlap with the other modules' renders instead of running after them."""
    from .matrix import selected

    if selected(request.session.items, Path(__file__).parent / "test_faults.py"):
        request.getfixturevalue("fault_matrix")
