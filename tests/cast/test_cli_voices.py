"""`recast voices` as a user runs it (the catalogue through the real CLI)."""

from __future__ import annotations

import json


def test_voices_json_for_traditional_chinese(recast):
    out = recast("voices", "--lang", "zh-TW", "--engine", "edge", "--json")
    assert out.returncode == 0, out.stderr
    voices = json.loads(out.stdout)
    assert [v["name"] for v in voices] == ["zh-TW-HsiaoChenNeural", "zh-TW-HsiaoYuNeural", "zh-TW-YunJheNeural"]
    assert {v["gender"] for v in voices} == {"female", "male"}


def test_voices_json_espeak_mandarin(recast):
    out = recast("voices", "--lang", "zh", "--engine", "espeak", "--json")
    assert out.returncode == 0, out.stderr
    names = [v["name"] for v in json.loads(out.stdout)]
    assert "cmn-latn-pinyin+f3" in names and "yue+m3" in names
    assert not any(n.startswith("cmn+") for n in names)  # plain cmn misreads Han characters


def test_voices_lists_everything_by_default(recast):
    out = recast("voices", "--json")
    voices = json.loads(out.stdout)
    assert sum(v["engine"] == "edge" for v in voices) == 322
    assert any(v["engine"] == "espeak" for v in voices)
