"""Every emulated Edge fault at the first, a middle and the last request of a render: the render completes
(exit 0) and its audio is byte-identical to a clean render's.

The cases (matrix.py) render in the background from the session's first edge_render test on; each test here
compares one case with the clean reference render of this module.
"""

from __future__ import annotations

import pytest

from .conftest import TIDE, render, sha
from .matrix import ARGS, FAULTS, FULL, POSITIONS, REQUESTS, Case

#: EdgeEngine's receive timeout (pipeline/synth/engines/edge.py; no option or variable changes it).
RECEIVE_TIMEOUT_S = 12.0


@pytest.fixture(scope="module")
def reference(emulator, recast, tmp_path_factory):
    """The clean render (both formats) every fault case is compared with, and its request log."""
    emulator.set_faults(None)
    emulator.clear_log()
    out = tmp_path_factory.mktemp("reference")
    run = render(recast, TIDE, out, *ARGS, "--formats", "mp3,m4a", url=emulator.url)
    assert run.code == 0, run.stderr
    log = emulator.log
    assert run.stats["synthesized"] == len(log) == REQUESTS and all(r.status == "ok" for r in log)
    return run, log


@pytest.mark.parametrize("position", POSITIONS)
@pytest.mark.parametrize("fault", FAULTS)
def test_render_survives_fault(fault_matrix, reference, fault, position):
    ref, ref_log = reference
    case: Case = fault_matrix.result(fault, position)
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
