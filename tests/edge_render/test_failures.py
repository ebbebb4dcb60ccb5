"""Renders that cannot finish: retries exhausted for one turn, Edge refusing us (403) again and again,
and Ctrl-C while Edge stalls.

Exit 3 (Ctrl-C: 130), one line on stderr naming what failed and what to do, no traceback; finished clips stay
in the cache and the edition already in the output folder is left exactly as it was.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import TIDE, render, sha, tree

ROOT = Path(__file__).resolve().parents[2]
ARGS = ("--intro", "none", "--formats", "mp3")
#: Turn 5 of tide-note.txt, spoken by 吳建宏.
FAILING_TEXT = "大約傍晚五點。"


@pytest.fixture
def source(tmp_path):
    src = tmp_path / "src" / TIDE.name
    src.parent.mkdir()
    shutil.copy(TIDE, src)
    return src


def leftovers(out):
    """Temporary or partial files anywhere in an output folder."""
    return [p for p in out.rglob("*") if p.is_file() and (p.name.endswith(".tmp") or p.name.startswith(".tmp"))]


def test_exhausted_retries_exit_3_naming_the_turn_and_keep_everything(emu, recast, source, tmp_path):
    out = tmp_path / "out"
    first = render(recast, source, out, *ARGS, "--cache-dir", str(tmp_path / "cache-a"), url=emu.url)
    assert first.code == 0, first.stderr
    edition = first.edition
    before = tree(edition)

    # every attempt at turn 5 loses its socket half-way; a fresh cache makes the render ask for every clip
    emu.set_faults(f"drop@text={FAILING_TEXT}")
    emu.clear_log()
    cache = tmp_path / "cache-b"
    failed = render(recast, source, out, *ARGS, "--cache-dir", str(cache), url=emu.url)
    assert failed.code == 3, failed.stderr
    lines = failed.stderr.splitlines()
    assert len(lines) == 1, failed.stderr
    line = lines[0]
    assert line.startswith("recast: error: turn 5 (吳建宏), part 1: "), line
    assert "gave up after 5 attempts" in line and "run the same command" in line and "cached" in line
    assert "Traceback" not in failed.stderr and failed.proc.stdout == b""
    attempts = [r for r in emu.log if r.text == FAILING_TEXT]
    assert len(attempts) == 5 and all(r.status == "dropped" for r in attempts)
    finished = {r.text for r in emu.log if r.status == "ok"}
    assert len(finished) == 5  # the other turns were done while turn 5 was being retried

    # the earlier edition is untouched, nothing half-written is left behind
    assert tree(edition) == before
    assert leftovers(out) == [] and leftovers(cache) == []
    assert not (out / ".work" / edition.name).exists()

    # the next clean render asks Edge only for what failed, and matches the earlier edition
    emu.set_faults(None)
    emu.clear_log()
    again = render(recast, source, out, *ARGS, "--cache-dir", str(cache), url=emu.url)
    assert again.code == 0, again.stderr
    assert (again.stats["synthesized"], again.stats["cached"]) == (1, 5)
    assert [r.text for r in emu.log] == [FAILING_TEXT]
    assert sha(again.edition / "episode.mp3") == before["episode.mp3"]


def test_repeated_403_stops_at_once_with_upgrade_and_clock_advice(emu, recast, source, tmp_path):
    emu.set_faults("http403@*")
    out = tmp_path / "out"
    run = render(recast, source, out, *ARGS, url=emu.url)
    assert run.code == 3, run.stderr
    lines = run.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("recast: error: Edge refused the request (403)"), run.stderr
    line = lines[0]
    assert "upgrade edge-tts" in line and "pip install -U edge-tts" in line and "clock" in line
    assert "Traceback" not in run.stderr
    # only edge-tts's own clock-correcting second try per request: Recast did not retry a refusal
    log = emu.log
    assert log and all(r.status == "http 403" for r in log)
    assert len(log) <= 2 * 6, log
    assert not (out / "tide-note").exists() and leftovers(out) == []


@pytest.fixture(scope="module")
def interrupted(emulator, tmp_path_factory):
    """A render stopped with Ctrl-C (SIGINT) while Edge stalls on turn 5, after the other clips were cached."""
    emulator.set_faults(f"stall:60@text={FAILING_TEXT}")
    emulator.clear_log()
    out = tmp_path_factory.mktemp("interrupted")
    env = {k: v for k, v in os.environ.items() if k != "RECAST_EDGE_WSS_URL"}
    env["RECAST_EDGE_WSS_URL"] = emulator.url
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "render", str(TIDE), "-o", str(out), "--engine",
                             "edge", "--json", *ARGS], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while len(list((out / ".cache").glob("??/*.json"))) < 5 or not emulator.log:
            assert time.monotonic() < deadline and proc.poll() is None, "the other five clips never arrived"
            time.sleep(0.1)
        assert [r.status for r in emulator.log if r.text == FAILING_TEXT] == ["open"]  # still stalled
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    emulator.set_faults(None)
    return proc.returncode, stdout, stderr.decode("utf-8", "replace"), out


def test_ctrl_c_keeps_finished_clips_and_the_same_command_resumes(interrupted, emu, recast):
    _code, _stdout, stderr, out = interrupted
    assert "Traceback" not in stderr
    assert not (out / "tide-note").exists() and leftovers(out) == []
    run = render(recast, TIDE, out, *ARGS, url=emu.url)
    assert run.code == 0, run.stderr
    assert (run.stats["synthesized"], run.stats["cached"]) == (1, 5)
    assert [r.text for r in emu.log] == [FAILING_TEXT]


def test_ctrl_c_exits_130_with_a_resume_hint(interrupted):
    code, stdout, stderr, _out = interrupted
    assert stdout == b""
    assert code == 130, (code, stderr)
    assert stderr == "recast: interrupted; finished clips are cached, run the same command to resume\n"
