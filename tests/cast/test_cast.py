"""Casting: distinct, stable, gender-aware voices; host detection; reuse with different prosody."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.cast import assign_roles, cast_script, is_question
from pipeline.cast.voices import load_catalogue
from pipeline.model import Cast, Speaker, VoiceSettings

ROOT = Path(__file__).resolve().parents[2]


def gender_of(vs: VoiceSettings) -> str:
    return load_catalogue().get(vs.voice, vs.engine).gender


def voices(cast: Cast) -> dict[str, VoiceSettings]:
    return dict(cast.speakers)


def assert_neighbours_differ(script, cast: Cast, *, base_too: bool = False) -> None:
    v = voices(cast)
    for a, b in zip(script.turns, script.turns[1:], strict=False):
        if a.speaker != b.speaker:
            assert v[a.speaker] != v[b.speaker], f"{a.speaker} and {b.speaker} are adjacent with one voice"
            if base_too:
                assert v[a.speaker].voice != v[b.speaker].voice


def assert_clearly_different(cast: Cast) -> None:
    """Two uses of one base voice differ by ≥ 8 Hz pitch or ≥ 8 % rate (narrator included)."""
    settings = [vs for _, vs in cast.speakers] + [cast.narrator]
    for i, a in enumerate(settings):
        for b in settings[i + 1:]:
            if a.voice == b.voice:
                assert abs(a.pitch - b.pitch) >= 8 or abs(a.rate - b.rate) >= 8, (a, b)


def cyclic(n: int, rounds: int = 3) -> list[tuple[int, str]]:
    return [(i % n, f"第{i}句話。") for i in range(n * rounds)]


# ------------------------------------------------------------------------------------------- basics


def test_interview_gets_two_distinct_voices_and_a_distinct_narrator(interview):
    cast = cast_script(interview, "edge")
    v = voices(cast)
    assert [sid for sid, _ in cast.speakers] == ["s1", "s2"]
    assert v["s1"].voice != v["s2"].voice
    assert cast.narrator.voice not in {v["s1"].voice, v["s2"].voice}
    assert cast.narrator.voice.startswith("zh-TW-")
    # Robert and Kevin are both men (name table): two male voices, the Taiwan one first.
    assert gender_of(v["s1"]) == gender_of(v["s2"]) == "male"
    assert v["s1"].voice == "zh-TW-YunJheNeural" and v["s2"].voice.startswith("zh-CN-")
    assert cast.host == "s1" and dict(cast.roles) == {"s1": "host", "s2": "guest"}
    assert cast.engine == "edge" and all(vs.engine == "edge" for _, vs in cast.speakers)


def test_unknown_genders_contrast_and_prefer_taiwan_voices(make_script):
    script = make_script(["甲", "乙", "丙"], [(0, "你好嗎？"), (1, "很好。"), (2, "我也是。")])
    cast = cast_script(script, "edge")
    v = voices(cast)
    assert gender_of(v["s1"]) != gender_of(v["s2"])
    assert {vs.voice for vs in v.values()} | {cast.narrator.voice} >= {
        "zh-TW-HsiaoChenNeural", "zh-TW-YunJheNeural", "zh-TW-HsiaoYuNeural"}
    assert all(vs.voice.startswith("zh-TW-") for vs in v.values())
    assert cast.narrator.voice.startswith("zh-CN-")  # the three zh-TW voices are taken
    assert len({vs.voice for vs in v.values()} | {cast.narrator.voice}) == 4


@pytest.mark.parametrize("lang, prefix", [("zh-CN", "zh-CN-"), ("zh-HK", "zh-HK-"), ("en", "en-"),
                                          ("en-GB", "en-GB-"), ("fr", "fr-")])
def test_voices_in_the_script_language(make_script, lang: str, prefix: str):
    script = make_script(["A", "B"], [(0, "Hello?"), (1, "Hi.")], language=lang)
    cast = cast_script(script, "edge")
    assert all(vs.voice.startswith(prefix) for _, vs in cast.speakers)
    assert cast.narrator.voice.startswith(prefix)
    assert len({vs for _, vs in cast.speakers} | {cast.narrator}) == 3


def test_espeak_cast(interview):
    cast = cast_script(interview, "espeak")
    v = voices(cast)
    assert all(vs.engine == "espeak" and vs.voice.startswith("cmn-latn-pinyin+") for vs in v.values())
    assert v["s1"] != v["s2"] and cast.narrator not in v.values()
    assert len({vs.voice for vs in v.values()} | {cast.narrator.voice}) == 3
    assert all(gender_of(vs) == "male" for vs in v.values())


def test_single_speaker_is_the_host(make_script):
    cast = cast_script(make_script(["獨白者"], [(0, "大家好。")]), "edge")
    assert cast.host == "s1" and cast.narrator != cast.voice_for("s1")


def test_unknown_engine_is_bad_input(interview):
    from pipeline.errors import BadInput

    with pytest.raises(BadInput):
        cast_script(interview, "auto")


# --------------------------------------------------------------------------------- determinism, stability


def test_same_input_same_cast(interview):
    assert cast_script(interview, "edge") == cast_script(interview, "edge")


def test_cast_does_not_depend_on_hash_seed(tmp_path: Path):
    code = (
        "import json, sys\n"
        "sys.path.insert(0, sys.argv[1])\n"
        "from pipeline.model import Script, Speaker, Turn\n"
        "from pipeline.cast import cast_script\n"
        "sp = tuple(Speaker(f's{i}', f'講者{i}', f'講者{i}') for i in range(1, 31))\n"
        "ts = tuple(Turn(f's{(i * 7) % 30 + 1}', '好的？' if i % 3 else '是。') for i in range(120))\n"
        "c = cast_script(Script('t', 'zh-TW', sp, ts), 'edge')\n"
        "print(json.dumps([c.host, [[s, v.voice, v.rate, v.pitch] for s, v in c.speakers], c.narrator.voice]))\n"
    )
    outs = set()
    for seed in ("1", "2", "12345"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        out = subprocess.run([sys.executable, "-c", code, str(ROOT)], capture_output=True, text=True, env=env,
                             check=True, timeout=120).stdout
        outs.add(out)
    assert len(outs) == 1
    assert len(json.loads(outs.pop())[1]) == 30


@pytest.mark.parametrize("n", [2, 3, 5, 9, 12, 30])
def test_adding_a_speaker_keeps_the_others(make_script, n: int):
    turns = cyclic(n)
    before = cast_script(make_script([f"講者{i}" for i in range(n)], turns), "edge")
    after = cast_script(make_script([f"講者{i}" for i in range(n + 1)], turns + [(n, "我最後說一句。")]), "edge")
    old, new = voices(before), voices(after)
    assert all(new[sid] == vs for sid, vs in old.items())
    assert new[f"s{n + 1}"] not in {old[f"s{n}"]}  # differs from its neighbour
    assert after.host == before.host


def test_adding_a_named_speaker_keeps_the_others(interview, make_script):
    extra = Speaker("s3", "唐鳳", "唐鳳")
    script = make_script(list(interview.speakers) + [extra],
                         [(0 if t.speaker == "s1" else 1, t.text) for t in interview.turns] + [(2, "我補充一下。")])
    before, after = voices(cast_script(interview, "edge")), voices(cast_script(script, "edge"))
    assert after["s1"] == before["s1"] and after["s2"] == before["s2"]
    assert gender_of(after["s3"]) == "female"


# ------------------------------------------------------------------------------------------------ gender


def test_gender_from_the_source_is_respected(make_script):
    speakers = [Speaker("s1", "甲", "甲", gender="female"), Speaker("s2", "乙", "乙", gender="female"),
                Speaker("s3", "丙", "丙", gender="female")]
    cast = cast_script(make_script(speakers, cyclic(3)), "edge")
    assert all(gender_of(vs) == "female" for _, vs in cast.speakers)
    assert len({vs.voice for _, vs in cast.speakers}) == 3  # HsiaoChen, HsiaoYu, then Xiaoxiao


def test_gender_from_the_name_table(make_script):
    script = make_script(["Audrey Tang", "Janosch Delcker", "Mr. Brown"],
                         [(1, "Thanks for having me?"), (0, "Sure."), (2, "Indeed.")], language="en")
    v = voices(cast_script(script, "edge"))
    assert gender_of(v["s1"]) == "female" and gender_of(v["s3"]) == "male"


def test_more_men_than_male_voices_reuse_male_voices(make_script):
    names = ["陳文剛", "李志強", "王大偉", "張建軍", "劉子豪"]  # clearly male given names
    cast = cast_script(make_script(names, cyclic(5), language="zh-HK"), "edge")
    assert all(gender_of(vs) == "male" for _, vs in cast.speakers)  # zh-HK has one male voice
    assert len(set(voices(cast).values())) == 5
    assert_clearly_different(cast)


# ------------------------------------------------------------------------------------------------- roles


@pytest.mark.parametrize("text, expected", [
    ("這是什麼？", True), ("Why?", True), ("你也這樣想嗎", True), ("真的嗎。", True), ("好吧呢」", True),
    ("我同意。", False), ("Yes.", False), ("「為什麼？」他說。", False),
])
def test_question_turns(text: str, expected: bool):
    assert is_question(text) is expected


def test_host_is_who_asks_most_even_when_not_opening(make_script):
    turns = [(0, "今天我先說幾句。"), (1, "你怎麼看這件事？"), (0, "我覺得很好。"), (1, "為什麼呢？"), (0, "因為很好。")]
    host, roles = assign_roles(make_script(["來賓甲", "記者乙"], turns))
    assert host == "s2" and roles == {"s1": "guest", "s2": "host"}


def test_host_tie_goes_to_who_opens(make_script):
    turns = [(1, "大家好。"), (0, "你好。"), (1, "謝謝。")]
    host, _ = assign_roles(make_script(["甲", "乙"], turns))
    assert host == "s2"


def test_source_role_and_labels_override(make_script):
    speakers = [Speaker("s1", "甲", "甲"), Speaker("s2", "乙", "乙", role="host")]
    host, roles = assign_roles(make_script(speakers, [(0, "為什麼？"), (1, "因為。")]))
    assert host == "s2" and roles["s1"] == "guest"
    host, roles = assign_roles(make_script(["受訪者", "主持人"], [(0, "為什麼？"), (1, "因為。")]))
    assert host == "s2"


# ------------------------------------------------------------------------------------- many speakers


def test_forty_speakers_alternating(make_script):
    script = make_script([f"講者{i}" for i in range(40)], cyclic(40))
    cast = cast_script(script, "edge")
    assert len(set(voices(cast).values())) == 40  # 9 voices × prosody variants: all distinct
    assert_neighbours_differ(script, cast, base_too=True)
    assert cast.narrator not in voices(cast).values()
    assert_clearly_different(cast)
    assert all(-50 <= vs.pitch <= 50 and -50 <= vs.rate <= 100 for vs in voices(cast).values())


def test_forty_speakers_pairwise_dialogue_espeak(make_script):
    # s1 talks with everyone in turn: s1 s2 s1 s3 s1 s4 …, then everyone in a ring.
    turns = [t for i in range(1, 40) for t in ((0, "問題？"), (i, "回答。"))] + cyclic(40, 1)
    script = make_script([f"講者{i}" for i in range(40)], turns)
    cast = cast_script(script, "espeak")
    assert_neighbours_differ(script, cast)
    assert cast.narrator not in voices(cast).values()
    assert_clearly_different(cast)


def test_thousands_of_speakers_cast_quickly(make_script):
    n = 3000
    turns = [(i % n, "話。") for i in range(2 * n)] + [((i * 37) % n, "再說。") for i in range(n)]
    script = make_script([f"P{i}" for i in range(n)], turns)
    start = time.perf_counter()
    cast = cast_script(script, "edge")
    elapsed = time.perf_counter() - start
    assert elapsed < 5, f"casting {n} speakers took {elapsed:.1f} s"
    assert len(cast.speakers) == n
    assert_neighbours_differ(script, cast)
    assert cast.narrator not in voices(cast).values()


def test_reused_settings_never_go_to_neighbours(make_script):
    # zh-HK has one male Edge voice: 9 prosody variants for 14 men who all talk with the host in turn.
    names = ["陳文剛"] + [f"{s}志強" for s in "李王張劉黃吳趙周徐孫馬朱胡"]
    turns = [t for i in range(1, 14) for t in ((0, "你點睇？"), (i, "我覺得幾好。"))]
    script = make_script(names, turns, language="zh-HK")
    cast = cast_script(script, "edge")
    v = voices(cast)
    assert {vs.voice for vs in v.values()} == {"zh-HK-WanLungNeural"}
    assert len(set(v.values())) == 9  # every variant in use, so some settings repeat …
    assert_neighbours_differ(script, cast)  # … but never the host's
    assert list(v.values()).count(v["s1"]) == 1
