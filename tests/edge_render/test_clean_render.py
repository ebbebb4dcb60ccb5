"""A clean Edge render through the emulator: a complete edition, distinct voices, parallel requests;
a second render from the cache."""

from __future__ import annotations

import json
import re

import pytest

from pipeline import ffmpeg

from .conftest import AUDIO, EDITION_FILES, HARBOR, TIDE, max_overlap, render, sha

_NON_WORD = re.compile(r"\W+")


def norm(text: str) -> str:
    return _NON_WORD.sub("", text)


@pytest.fixture(scope="module")
def turns(recast):
    """The harbor transcript's turns as `recast inspect --json` reads them (speaker id, text)."""
    proc = recast("inspect", str(HARBOR), "--json")
    assert proc.returncode == 0, proc.stderr.decode()
    data = json.loads(proc.stdout)
    return data["turns"]


@pytest.fixture(scope="module")
def clean(emulator, recast, tmp_path_factory):
    """The harbor transcript rendered once with every default (intro, both formats, concurrency 4)."""
    emulator.set_faults(None)
    emulator.clear_log()
    out = tmp_path_factory.mktemp("clean")
    run = render(recast, HARBOR, out, url=emulator.url)
    assert run.code == 0, run.stderr
    return run, emulator.log


def test_edition_is_complete(clean):
    run, _log = clean
    m = run.manifest
    assert "Traceback" not in run.stderr
    ed = run.edition
    names = {p.name for p in ed.iterdir()}
    assert EDITION_FILES <= names
    assert not [n for n in names if n.startswith(".") or n.endswith(".tmp")]
    listed = {f["name"]: f for f in m["files"]}
    assert set(listed) == EDITION_FILES - {"episode.json"}
    for name, info in listed.items():
        assert (info["bytes"], info["sha256"]) == ((ed / name).stat().st_size, sha(ed / name)), name
    assert m["engine"]["name"] == "edge" and m["engine"]["version"].startswith("edge-tts 7.")
    assert [c["title"] for c in m["chapters"]][1:] == ["一座漁港的廣播站", "志工與下一代"]
    assert len(m["turns"]) == 11 and m["summary"]["intro"]
    for name in AUDIO:
        stream = ffmpeg.probe(ed / name)["streams"][0]
        assert stream["codec_type"] == "audio", name
        assert abs(ffmpeg.duration_ms(ed / name) - m["duration_ms"]) <= 100, name
    assert not (run.out / ".work" / m["slug"]).exists()


def test_speakers_get_distinct_zh_tw_voices_and_the_narrator_another(clean):
    run, _log = clean
    m = run.manifest
    voices = {s["name"]: s["voice"]["voice"] for s in m["speakers"]}
    assert set(voices) == {"張雅琪", "吳建宏", "林佩君"}
    # Edge has exactly three zh-TW voices: three speakers take all of them
    assert sorted(voices.values()) == ["zh-TW-HsiaoChenNeural", "zh-TW-HsiaoYuNeural", "zh-TW-YunJheNeural"]
    narrator = m["narrator"]["voice"]["voice"]
    assert narrator not in voices.values() and narrator.startswith("zh-")


def test_every_request_reaches_edge_with_its_speakers_voice(clean, turns):
    run, log = clean
    m = run.manifest
    voice_of = {s["id"]: s["voice"]["voice"] for s in m["speakers"]}
    narrator = m["narrator"]["voice"]["voice"]
    assert all(r.status == "ok" and r.fault is None for r in log), log
    texts = [r.text for r in log]
    assert len(set(texts)) == len(texts)  # nothing asked twice
    by_turn = {i: [] for i in range(len(turns))}
    intro = []
    for r in log:
        owners = [i for i, t in enumerate(turns) if norm(r.text) in norm(t["text"])]
        if r.voice == narrator:
            intro.append(r)
            continue
        assert len(owners) == 1, r.text
        assert r.voice == voice_of[turns[owners[0]]["speaker"]], r.text
        by_turn[owners[0]].append(r)
    assert all(by_turn.values()), "every turn was spoken"
    assert len(by_turn[1]) == 2  # the long turn needs two requests
    spoken = norm(m["summary"]["intro"])
    assert intro and all(norm(r.text) in spoken for r in intro)
    assert sum(len(norm(r.text)) for r in intro) == len(spoken)
    assert m["narrator"]["voice"]["rate"] == -5 and {r.rate for r in intro} == {"-5%"}


def test_synthesized_counts_the_edge_requests(clean):
    run, log = clean
    stats = run.stats
    assert stats["synthesized"] == stats["requests"] == len(log)
    assert stats["cached"] == 0
    narrator = run.manifest["narrator"]["voice"]["voice"]
    assert sum(1 for r in log if r.voice != narrator) == 12  # eleven turns, one of them in two requests


def test_requests_run_in_parallel_up_to_the_default_concurrency(clean):
    _run, log = clean
    assert max_overlap(log) == 4


def test_concurrency_option_bounds_requests_in_flight(emu, recast, tmp_path):
    run = render(recast, TIDE, tmp_path, "--intro", "none", "--formats", "mp3", "--concurrency", "2", url=emu.url)
    assert run.code == 0, run.stderr
    assert run.stats["synthesized"] == len(emu.log) == 6
    assert max_overlap(emu.log) == 2


def test_second_render_reuses_every_clip_and_is_byte_identical(clean, emu, recast):
    run, _log = clean
    before = {n: sha(run.edition / n) for n in (*AUDIO, "transcript.vtt", "chapters.json")}
    again = render(recast, HARBOR, run.out, url=emu.url)
    assert again.code == 0, again.stderr
    assert again.stats["synthesized"] == 0
    assert again.stats["cached"] == again.stats["requests"] == run.stats["requests"]
    assert emu.log == []  # Edge was not asked for anything
    assert {n: sha(again.edition / n) for n in before} == before


def test_two_speaker_interview_keeps_the_narrator_on_a_zh_tw_voice(recast, root):
    """voices/presets/zh-TW.toml: 'A two-person interview gets one female and one male zh-TW voice and the
    narrator the third'."""
    proc = recast("inspect", str(root / "tests" / "render" / "data" / "mini-article.txt"), "--engine", "edge",
                  "--json")
    assert proc.returncode == 0, proc.stderr.decode()
    data = json.loads(proc.stdout)
    voices = [s["voice"] for s in data["speakers"]]
    assert len(voices) == 2 and all(v.startswith("zh-TW-") for v in voices) and len(set(voices)) == 2
    assert data["narrator"]["voice"].startswith("zh-TW-") and data["narrator"]["voice"] not in voices


def test_a_fourth_speaker_gets_a_mainland_mandarin_voice_once_zh_tw_is_used_up(recast, tmp_path):
    src = tmp_path / "four.txt"
    src.write_text("張雅琪：大家好，今天來了三位來賓。\n吳建宏：大家好。\n林佩君：很高興來到這裡。\n"
                   "陳志明：謝謝邀請。\n張雅琪：我們開始吧。\n", "utf-8")
    proc = recast("inspect", str(src), "--engine", "edge", "--json")
    assert proc.returncode == 0, proc.stderr.decode()
    data = json.loads(proc.stdout)
    voices = [s["voice"] for s in data["speakers"]]
    assert len(set(voices)) == 4
    assert sorted(voices[:3]) == ["zh-TW-HsiaoChenNeural", "zh-TW-HsiaoYuNeural", "zh-TW-YunJheNeural"]
    assert voices[3].startswith("zh-CN-")
    assert data["narrator"]["voice"].startswith("zh-") and data["narrator"]["voice"] not in voices
