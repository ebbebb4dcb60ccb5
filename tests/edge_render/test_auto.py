"""``--engine auto``: Edge when the endpoint answers, espeak-ng (with one notice) when it cannot be reached,
and what a service that answers badly does to the choice."""

from __future__ import annotations

import json

import pytest

from .conftest import TIDE, closed_port_url, render


def test_auto_uses_edge_when_it_answers(emu, recast, tmp_path):
    run = render(recast, TIDE, tmp_path, "--intro", "none", "--formats", "mp3", url=emu.url, engine="auto")
    assert run.code == 0, run.stderr
    m = run.manifest
    assert m["engine"]["name"] == "edge"
    assert all(s["voice"]["engine"] == "edge" for s in m["speakers"])
    assert run.stats["synthesized"] == 6
    # Edge saw the probe first, then the six requests of the transcript
    log = emu.log
    assert len(log) == 7 and all(r.status == "ok" for r in log)
    assert (log[0].text, log[0].voice) == ("Hi.", "en-US-EmmaMultilingualNeural")
    assert {r.text for r in log[1:]} >= {"早安，今天的海況怎麼樣？", "我們晚上再播一次。"}


def test_auto_falls_back_to_espeak_with_one_notice(recast, tmp_path, media_tools):
    run = render(recast, TIDE, tmp_path, "--intro", "none", "--formats", "mp3", url=closed_port_url(),
                 engine="auto", json_out=False)
    assert run.code == 0, run.stderr
    lines = run.stderr.splitlines()
    notices = [line for line in lines if "Edge" in line]
    assert notices == ["recast: Edge TTS is unreachable; using espeak-ng (offline voices)"], run.stderr
    assert "Traceback" not in run.stderr
    m = json.loads((tmp_path / "tide-note" / "episode.json").read_text("utf-8"))
    assert m["engine"]["name"] == "espeak"
    assert all(s["voice"]["engine"] == "espeak" for s in m["speakers"])
    assert m["stats"]["synthesized"] == 6 and (tmp_path / "tide-note" / "episode.mp3").stat().st_size > 10_000



@pytest.mark.parametrize("fault", ["http503@1", "http429@1", "drop@1"])
def test_auto_is_not_put_off_edge_by_one_transient_fault(emu, recast, fault):
    emu.set_faults(fault)
    proc = recast("inspect", str(TIDE), "--engine", "auto", "--json", env={"RECAST_EDGE_WSS_URL": emu.url})
    assert proc.returncode == 0, proc.stderr.decode()
    assert emu.log[0].fault == fault.split("@")[0]  # the probe met the fault, then tried again
    voices = [s["voice"] for s in json.loads(proc.stdout)["speakers"]]
    assert all(v.startswith("zh-TW-") for v in voices), voices


def test_auto_with_edge_refusing_us_stops_with_the_403_advice(emu, recast, tmp_path):
    """A 403 means Edge is there but refuses this client: auto must not hide that behind an espeak-ng
    edition and an 'unreachable' notice."""
    emu.set_faults("http403@*")
    run = render(recast, TIDE, tmp_path, "--intro", "none", "--formats", "mp3", url=emu.url, engine="auto",
                 json_out=False)
    assert run.code == 3, run.stderr
    assert emu.log and all(r.status == "http 403" for r in emu.log)
    lines = run.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("recast: error: Edge refused the request (403)"), run.stderr
    assert "pip install -U edge-tts" in lines[0] and "clock" in lines[0]
    assert not (tmp_path / "tide-note").exists()


def test_auto_names_a_malformed_endpoint_variable(recast, tmp_path, media_tools):
    run = render(recast, TIDE, tmp_path, "--intro", "none", "--formats", "mp3", url="http://127.0.0.1:9/edge",
                 engine="auto", json_out=False)
    assert "RECAST_EDGE_WSS_URL" in run.stderr and "ws://" in run.stderr, run.stderr
    assert run.code == 2 and len(run.stderr.splitlines()) == 1, run.stderr
