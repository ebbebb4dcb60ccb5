"""The fault matrix: every emulated Edge fault at the first, a middle and the last request of a render.

Each case renders the six-request ``tide-note.txt`` (``--intro none``, mp3 only; one case also m4a) into a
fresh output folder, so every clip is really synthesized, against an emulator of its own whose fault
schedule hits one request. The cases spend most of their time waiting (retry backoff, Retry-After, the
12 s receive timeout of a stall) or in single-threaded ffmpeg, so :class:`FaultMatrix` runs them on a few
background threads, started when the session's first edge_render test runs (see conftest.py), while the
other modules' tests run in the foreground; test_faults.py then checks each case's result.
"""

from __future__ import annotations

import queue
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from pipeline.testing.emulator import EdgeEmulator

from .conftest import LATENCY_MS, REALTIME, TIDE, Run, render

#: fault name → (emulator spec without the position, status the emulator logs for the hit request)
FAULTS = {
    "drop": ("drop", "dropped"),
    "truncate": ("truncate", "truncated"),
    "noaudio": ("noaudio", "no audio"),
    "http403-once": ("http403", "http 403"),  # edge-tts corrects its clock from Date and tries once more
    "http429-retry-after": ("http429:3", "http 429"),
    "http429": ("http429", "http 429"),
    "http503": ("http503", "http 503"),
    "stall": ("stall:20", None),  # longer than the engine's 12 s receive timeout
}
POSITIONS = ("first", "middle", "last")
#: Requests of tide-note.txt with --intro none, and the request number each position hits.
REQUESTS = 6
NUMBERS = {"first": 1, "middle": REQUESTS // 2, "last": REQUESTS}
#: The one case that also writes and compares episode.m4a.
FULL = ("drop", "middle")
#: Cases rendering at once.
WORKERS = 2
ARGS = ("--intro", "none")
TEST_NAME = "test_render_survives_fault"


@dataclass
class Case:
    """A finished case: the render and what the emulator saw."""

    run: Run
    log: list
    number: int


def selected(items, path: Path) -> list[tuple[str, str]]:
    """The (fault, position) cases of the matrix test in ``path`` among the session's ``items``, slow
    waits first so they overlap with the quick cases."""
    cases = [(item.callspec.params["fault"], item.callspec.params["position"]) for item in items
             if item.path == path and getattr(item, "originalname", "") == TEST_NAME]
    return sorted(cases, key=lambda c: (c[0] != "stall", not c[0].startswith("http429"), c))


class FaultMatrix:
    """Runs cases on ``WORKERS`` threads, each render against an emulator of its own."""

    def __init__(self, recast, base: Path, cases: list[tuple[str, str]]) -> None:
        self._recast, self._base = recast, base
        self._emulators: queue.Queue[EdgeEmulator] = queue.Queue()
        self._started: list[EdgeEmulator] = []
        for _ in range(min(WORKERS, len(cases))):
            emu = EdgeEmulator(latency_ms=LATENCY_MS, realtime_factor=REALTIME)
            emu.start()
            self._started.append(emu)
            self._emulators.put(emu)
        self._pool = ThreadPoolExecutor(WORKERS, thread_name_prefix="fault-case")
        self._futures: dict[tuple[str, str], Future] = {c: self._pool.submit(self._run, *c) for c in cases}

    def _run(self, fault: str, position: str) -> Case:
        spec, _status = FAULTS[fault]
        number = NUMBERS[position]
        emu = self._emulators.get()
        try:
            emu.set_faults(f"{spec}@{number}")
            emu.clear_log()
            formats = "mp3,m4a" if (fault, position) == FULL else "mp3"
            run = render(self._recast, TIDE, self._base / f"{fault}-{position}", *ARGS, "--formats", formats,
                         url=emu.url)
            return Case(run, emu.log, number)
        finally:
            self._emulators.put(emu)

    def result(self, fault: str, position: str, timeout: float = 600) -> Case:
        return self._futures[(fault, position)].result(timeout=timeout)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        for emu in self._started:
            emu.close()
