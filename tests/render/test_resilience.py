"""Crash and resume, and concurrent renders of one episode into one output folder."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
MINI = DATA / "mini-article.txt"
AUDIO = ("episode.mp3", "episode.m4a")


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def start(root: Path, out: Path, *extra: str) -> subprocess.Popen:
    env = dict(os.environ)
    env.pop("RECAST_EDGE_WSS_URL", None)
    return subprocess.Popen([sys.executable, "-m", "pipeline", "render", str(MINI), "-o", str(out),
                             "--engine", "espeak", "--json", "--quiet", *extra],
                            cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def finish(proc: subprocess.Popen) -> dict:
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err.decode()
    return json.loads(out)


@pytest.fixture(scope="module")
def clean(tmp_path_factory, root, media_tools):
    out = tmp_path_factory.mktemp("clean")
    t = time.monotonic()
    m = finish(start(root, out))
    return {n: sha(out / m["slug"] / n) for n in AUDIO}, time.monotonic() - t, m


@pytest.mark.slow
@pytest.mark.parametrize("fraction", [0.15, 0.45, 0.8, 0.97])
def test_kill_9_then_resume_is_byte_identical(root, tmp_path, clean, fraction):
    expected, duration, first = clean
    out = tmp_path / "out"
    proc = start(root, out)
    time.sleep(duration * fraction)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    m = finish(start(root, out))
    ed = out / m["slug"]
    assert {n: sha(ed / n) for n in AUDIO} == expected
    assert m["stats"]["synthesized"] + m["stats"]["cached"] == first["stats"]["synthesized"]
    assert not [p for p in ed.iterdir() if p.name.startswith(".tmp")]
    listed = {f["name"]: f for f in m["files"]}
    for name, info in listed.items():
        assert (ed / name).stat().st_size == info["bytes"]


@pytest.mark.slow
def test_two_renders_of_one_episode_at_once(root, tmp_path, clean):
    expected, _duration, _first = clean
    out = tmp_path / "out"
    a = start(root, out)
    b = start(root, out)
    ma, mb = finish(a), finish(b)
    assert ma["slug"] == mb["slug"]
    ed = out / ma["slug"]
    assert {n: sha(ed / n) for n in AUDIO} == expected
    # the one that ran second found every clip in the cache
    assert min(ma["stats"]["synthesized"], mb["stats"]["synthesized"]) == 0
    manifest = json.loads((ed / "episode.json").read_text("utf-8"))
    for f in manifest["files"]:
        assert sha(ed / f["name"]) == f["sha256"]


@pytest.mark.slow
def test_different_episodes_render_side_by_side(root, tmp_path, media_tools):
    other = tmp_path / "other.txt"
    other.write_text(MINI.read_text("utf-8").replace("小鎮圖書館館長", "山城圖書館館長").replace(
        "2025-03-14", "2025-04-01"), "utf-8")
    out = tmp_path / "out"
    env = dict(os.environ)
    env.pop("RECAST_EDGE_WSS_URL", None)
    a = start(root, out)
    b = subprocess.Popen([sys.executable, "-m", "pipeline", "render", str(other), "-o", str(out), "--engine",
                          "espeak", "--json", "--quiet"], cwd=root, env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    ma, mb = finish(a), finish(b)
    assert ma["slug"] != mb["slug"]
    for m in (ma, mb):
        for f in m["files"]:
            assert sha(out / m["slug"] / f["name"]) == f["sha256"]
