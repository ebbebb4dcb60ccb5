"""The clip cache: hits, corruption, edits, concurrent writers, stale leftovers."""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import replace

import pytest

from pipeline.synth.cache import ClipCache, cache_key
from pipeline.synth.scheduler import synthesize

from .conftest import FAST


def run(requests, engine, root):
    return synthesize(requests, engine, ClipCache(root), concurrency=4, backoff=FAST)


@pytest.fixture
def warm(batch, edge, tmp_path):
    requests, _ = batch
    first = run(requests, edge, tmp_path)
    return requests, first


def test_second_run_is_all_cache_and_identical(warm, edge, emu, tmp_path):
    requests, first = warm
    emu.clear_log()
    again = run(requests, edge, tmp_path)
    assert (again.synthesized, again.cached) == (0, 8)
    assert emu.log == []  # the engine was not touched
    assert all(c.cached for c in again.clips) and not any(c.cached for c in first.clips)
    for a, b in zip(first.clips, again.clips, strict=True):
        assert (a.path, a.path.read_bytes(), a.sentences, a.duration_ms, a.format) == \
            (b.path, b.path.read_bytes(), b.sentences, b.duration_ms, b.format)


def test_layout_and_sidecar(warm, edge, tmp_path):
    requests, first = warm
    clip = first.clips[2]
    key = cache_key(requests[2], edge)
    assert clip.path == tmp_path / key[:2] / f"{key}.mp3"
    meta = json.loads((tmp_path / key[:2] / f"{key}.json").read_text("utf-8"))
    assert meta["size"] == clip.path.stat().st_size and meta["format"] == "mp3"
    assert meta["duration_ms"] == clip.duration_ms and meta["text"] == requests[2].text
    assert [s[0] for s in meta["sentences"]] == [s.text for s in clip.sentences]


@pytest.mark.parametrize("damage", ["truncate-audio", "flip-byte", "delete-sidecar", "delete-audio",
                                    "garbage-sidecar", "empty-audio"])
def test_damaged_entry_is_detected_and_resynthesized(warm, edge, emu, tmp_path, damage):
    requests, first = warm
    clip = first.clips[5]
    original = clip.path.read_bytes()
    sidecar = clip.path.with_suffix(".json")
    if damage == "truncate-audio":
        clip.path.write_bytes(original[: len(original) // 2])
    elif damage == "flip-byte":
        data = bytearray(original)
        data[len(data) // 3] ^= 0x40
        clip.path.write_bytes(bytes(data))
    elif damage == "delete-sidecar":
        sidecar.unlink()
    elif damage == "delete-audio":
        clip.path.unlink()
    elif damage == "garbage-sidecar":
        sidecar.write_text("{not json", "utf-8")
    elif damage == "empty-audio":
        clip.path.write_bytes(b"")
    assert ClipCache(tmp_path).get(requests[5], edge) is None
    emu.clear_log()
    again = run(requests, edge, tmp_path)
    assert (again.synthesized, again.cached) == (1, 7)
    assert [r.text for r in emu.log] == [requests[5].text]
    assert again.clips[5].path.read_bytes() == original and not again.clips[5].cached


def test_editing_one_request_resynthesizes_only_it(warm, edge, emu, tmp_path):
    requests, first = warm
    edited = list(requests)
    edited[4] = replace(requests[4], text=requests[4].text.replace("五年", "十年"))
    emu.clear_log()
    again = run(edited, edge, tmp_path)
    assert (again.synthesized, again.cached) == (1, 7)
    assert [r.text for r in emu.log] == [edited[4].text]
    # a voice or prosody change is a different clip too
    emu.clear_log()
    slower = list(requests)
    slower[0] = replace(requests[0], voice=replace(requests[0].voice, rate=-20))
    third = run(slower, edge, tmp_path)
    assert (third.synthesized, third.cached) == (1, 7)
    assert third.clips[0].duration_ms > first.clips[0].duration_ms


def test_identical_requests_are_synthesized_once(batch, edge, emu, tmp_path):
    requests, _ = batch
    doubled = requests + [replace(r, index=r.index + 8) for r in requests[:3]]
    result = run(doubled, edge, tmp_path)
    assert (result.synthesized, result.cached, len(result.clips)) == (11, 0, 11)
    assert len(emu.log) == 8  # one engine call per distinct clip
    assert [c.request.index for c in result.clips] == list(range(11))
    assert result.clips[9].path == result.clips[1].path


def test_engine_version_is_part_of_the_key(batch, edge, tmp_path):
    requests, _ = batch
    other = type("Other", (), {"name": "edge", "version": "edge-tts 9.9.9"})()
    assert cache_key(requests[0], edge) != cache_key(requests[0], other)
    assert cache_key(requests[0], edge) == cache_key(replace(requests[0], index=40, turn=7), edge)


def test_two_processes_sharing_the_cache(batch, edge, emu, tmp_path):
    """Two renders at once (threads with their own loops here): both finish with identical clips."""
    requests, _ = batch
    results = {}

    def render(name):
        results[name] = run(requests, edge, tmp_path)

    threads = [threading.Thread(target=render, args=(n,)) for n in "ab"]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    a, b = results["a"], results["b"]
    assert [c.path.read_bytes() for c in a.clips] == [c.path.read_bytes() for c in b.clips]
    assert not list(tmp_path.glob("??/.*.tmp")) and not list(tmp_path.glob("??/.tmp-*"))
    assert all(ClipCache(tmp_path).get(r, edge) is not None for r in requests)


def test_stale_temp_files_are_cleaned_fresh_ones_kept(warm, edge, tmp_path):
    requests, first = warm
    bucket = first.clips[0].path.parent
    old = bucket / ".tmp-k2j4x9qa-deadbeef.mp3"  # pipeline.fsutil.atomic_path's temporary names
    fresh = bucket / ".tmp-p0w8e1rz-cafe.mp3"
    legacy = bucket / ".deadbeef.mp3.123.abcd.tmp"  # an earlier version's
    for path in (old, fresh, legacy):
        path.write_bytes(b"partial")
    long_ago = time.time() - 3600
    os.utime(old, (long_ago, long_ago))
    os.utime(legacy, (long_ago, long_ago))
    assert ClipCache(tmp_path).clean_stale() == 2
    assert not old.exists() and not legacy.exists() and fresh.exists()
    # a killed run's audio without a sidecar is never used
    key = cache_key(requests[1], edge)
    orphan = first.clips[1].path
    orphan.with_suffix(".json").unlink()
    assert ClipCache(tmp_path).get(requests[1], edge) is None
    assert orphan.exists()  # young: maybe another process is committing it right now
    os.utime(orphan, (long_ago, long_ago))
    assert ClipCache(tmp_path).get(requests[1], edge) is None
    assert not orphan.exists() and key
