"""Requests overlap up to the concurrency bound, and the result does not depend on completion order."""

from __future__ import annotations

import pytest

from pipeline.synth.cache import ClipCache
from pipeline.synth.scheduler import synthesize

from .conftest import FAST


def max_overlap(log) -> int:
    """Most requests in progress at once, from arrival to turn.end (after which the client lets go)."""
    events = sorted([(r.start, 1) for r in log] + [(r.turn_end, -1) for r in log], key=lambda e: (e[0], e[1]))
    now = peak = 0
    for _, step in events:
        now += step
        peak = max(peak, now)
    return peak


@pytest.mark.parametrize("concurrency", [1, 3])
def test_requests_overlap_up_to_the_bound(batch, edge, emu, tmp_path, concurrency):
    emu.configure(latency_ms=250, realtime_factor=20)
    requests, names = batch
    result = synthesize(requests, edge, ClipCache(tmp_path), concurrency=concurrency, backoff=FAST)
    assert result.synthesized == 8
    log = emu.log
    assert len(log) == 8 and all(r.status == "ok" for r in log)
    assert max_overlap(log) == concurrency
    if concurrency > 1:
        serial = sum(r.end - r.start for r in log)
        assert result.seconds < serial / concurrency * 1.6


def test_result_does_not_depend_on_completion_order(batch, edge, emu, tmp_path):
    requests, _ = batch
    fast = synthesize(requests, edge, ClipCache(tmp_path / "a"), concurrency=8, backoff=FAST)
    # submitted in reverse and streamed slower, so requests finish in another order
    emu.configure(latency_ms=0, realtime_factor=5)
    reordered = synthesize(list(reversed(requests)), edge, ClipCache(tmp_path / "b"), concurrency=8, backoff=FAST)
    assert [c.path.read_bytes() for c in fast.clips] == [c.path.read_bytes() for c in reversed(reordered.clips)]
    assert [c.request.index for c in fast.clips] == list(range(8))
    assert [c.sentences for c in fast.clips] == [c.sentences for c in reversed(reordered.clips)]
