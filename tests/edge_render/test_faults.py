"""Every emulated Edge fault at the first, a middle and the last request of a render: the render completes
(exit 0) and its audio is byte-identical to a clean render's.

Each case renders the six-request ``tide-note.txt`` (``--intro none``, mp3 only; one case also m4a) into a
fresh output folder, so every clip is really synthesized, against its own emulator. The cases mostly wait
(retry backoff, Retry-After, the 12 s receive timeout of a stall), so a few run side by side in threads:
each test then checks the result of its own case.
"""

from __future__ import annotations

import queue
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline.emulator import EdgeEmulator

from .conftest import LATENCY_MS, REALTIME, TIDE, Run, render, sha

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
#: The one case that also writes and compares episode.m4a.
FULL = ("drop", "middle")
#: Renders in flight at once (they mostly sleep: backoff, Retry-After, receive timeout).
WORKERS = 3
#: EdgeEngine's receive timeout (pipeline/engines/edge.py; no option or variable changes it).
RECEIVE_TIMEOUT_S = 12.0
ARGS = ("--intro", "none")


@dataclass
class Case:
    run: Run
    log: list
    number: int


@pytest.fixture(scope="module")
def reference(emulator, recast, tmp_path_factory):
    """The clean render (both formats) every fault case is compared with, and its request log."""
    emulator.set_faults(None)
    emulator.clear_log()
    out = tmp_path_factory.mktemp("reference")
    run = render(recast, TIDE, out, *ARGS, "--formats", "mp3,m4a", url=emulator.url)
    assert run.code == 0, run.stderr
    log = emulator.log
    assert run.stats["synthesized"] == len(log) == 6 and all(r.status == "ok" for r in log)
    return run, log


def _selected(request) -> list[tuple[str, str]]:
    """The (fault, position) cases of this module that this pytest session runs."""
    here = Path(__file__)
    cases = [(item.callspec.params["fault"], item.callspec.params["position"]) for item in request.session.items
             if item.path == here and getattr(item, "originalname", "") == "test_render_survives_fault"]
    # the slow waits first, so they overlap with the quick cases
    return sorted(cases, key=lambda c: (c[0] != "stall", not c[0].startswith("http429"), c))


@pytest.fixture(scope="module")
def matrix(request, reference, recast, tmp_path_factory):
    """Futures of every selected case, run by a few threads, each with an emulator of its own."""
    _run, ref_log = reference
    count = len(ref_log)
    numbers = {"first": 1, "middle": count // 2, "last": count}
    base = tmp_path_factory.mktemp("faults")
    emulators: queue.Queue[EdgeEmulator] = queue.Queue()
    started = []
    for _ in range(WORKERS):
        emu = EdgeEmulator(latency_ms=LATENCY_MS, realtime_factor=REALTIME)
        emu.start()
        started.append(emu)
        emulators.put(emu)

    def run_case(fault: str, position: str) -> Case:
        spec, _status = FAULTS[fault]
        number = numbers[position]
        emu = emulators.get()
        try:
            emu.set_faults(f"{spec}@{number}")
            emu.clear_log()
            formats = "mp3,m4a" if (fault, position) == FULL else "mp3"
            run = render(recast, TIDE, base / f"{fault}-{position}", *ARGS, "--formats", formats, url=emu.url)
            return Case(run, emu.log, number)
        finally:
            emulators.put(emu)

    pool = ThreadPoolExecutor(WORKERS, thread_name_prefix="fault-case")
    futures: dict[tuple[str, str], Future] = {c: pool.submit(run_case, *c) for c in _selected(request)}
    try:
        yield futures
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        for emu in started:
            emu.close()


@pytest.mark.parametrize("position", POSITIONS)
@pytest.mark.parametrize("fault", FAULTS)
def test_render_survives_fault(matrix, reference, fault, position):
    ref, ref_log = reference
    case: Case = matrix[(fault, position)].result(timeout=300)
    run, log = case.run, case.log
    spec, status = FAULTS[fault]

    # the render finished as if nothing happened
    assert run.code == 0, run.stderr
    assert run.stderr.strip() == ""
    assert run.stats["synthesized"] == run.stats["requests"] == len(ref_log) and run.stats["cached"] == 0
    assert run.audio("episode.mp3") == ref.audio("episode.mp3")
    assert sha(run.edition / "transcript.vtt") == sha(ref.edition / "transcript.vtt")
    if (fault, position) == FULL:
        assert run.audio("episode.m4a") == ref.audio("episode.m4a")

    # Edge really failed where it was told to, exactly once, and the request was made again
    hit = [r for r in log if r.number == case.number]
    assert hit and hit[0].fault == spec.split(":")[0], log
    hit = hit[0]
    if status is not None:
        assert hit.status == status, log
    assert len(log) == len(ref_log) + 1, log
    ok = sorted(r.text for r in log if r.status == "ok")
    assert ok == sorted(r.text for r in ref_log), log

    if fault == "http429-retry-after":  # Retry-After: 3 was honoured (the backoff alone waits 1–2 s)
        assert max(r.start for r in log) - hit.end >= 2.9, log
    if fault == "stall":  # given up after the receive timeout, not after the 20 s stall
        again = [r for r in log if r.text == hit.text and r is not hit]
        assert len(again) == 1, log
        assert RECEIVE_TIMEOUT_S - 0.5 <= again[0].start - hit.start < 19.0, log


@pytest.mark.xfail(strict=True, reason="a clean-ending stream missing its last ~10 % (here ~290 ms of Edge's "
                   "~900 ms trailing silence) passes the completeness checks (MIN_TAIL_MS = 250 ms after the last "
                   "sentence), is cached for good, and shifts the edition (turn 4 ends 6 ms later, 張雅琪's gain "
                   "moves 0.1 dB): the episode is no longer byte-identical to a clean render")
def test_a_stream_cut_in_its_trailing_silence_is_requested_again(emu, recast, reference, tmp_path):
    ref, ref_log = reference
    text = "漁船幾點回港？"
    emu.set_faults(f"truncate:0.9@text={text}")
    run = render(recast, TIDE, tmp_path, *ARGS, "--formats", "mp3", url=emu.url)
    assert run.code == 0, run.stderr
    assert [r.status for r in emu.log if r.text == text][0] == "truncated"
    assert run.audio("episode.mp3") == ref.audio("episode.mp3")
