"""plan_requests: the edition's speech requests in play order."""

from __future__ import annotations

import pytest

from pipeline.cast import cast_script
from pipeline.errors import BadInput
from pipeline.model import NARRATOR_ID
from pipeline.prepare import ZH_MAX, plan_requests

INTRO = "歡迎收聽。本集邀請到 OpenAI 的首席產品官凱文·威爾，談產品管理與推理模型。我們開始吧。"


def test_intro_first_then_turns_in_order(interview):
    cast = cast_script(interview, "edge")
    reqs = plan_requests(interview, cast, intro=INTRO)
    assert [r.index for r in reqs] == list(range(len(reqs)))
    intro = [r for r in reqs if r.speaker == NARRATOR_ID]
    assert intro and reqs[:len(intro)] == tuple(intro)
    assert all(r.turn is None and r.chapter is None and r.voice == cast.narrator for r in intro)
    assert [r.part for r in intro] == list(range(len(intro)))
    turns = [r.turn for r in reqs[len(intro):]]
    assert turns == sorted(turns) and set(turns) == set(range(len(interview.turns)))
    for r in reqs[len(intro):]:
        t = interview.turns[r.turn]
        assert r.speaker == t.speaker and r.chapter == t.chapter and r.voice == cast.voice_for(t.speaker)
        assert r.lang == ""
    assert [r.chapter for r in reqs if r.turn == 5] == [1]


def test_stage_directions_are_dropped_unless_asked(interview):
    cast = cast_script(interview, "edge")
    quiet = plan_requests(interview, cast)
    assert all("笑" not in r.text for r in quiet)
    assert any("導致在行動上受到限制" in r.text for r in quiet)
    spoken = plan_requests(interview, cast, speak_directions=True)
    assert any("（笑）" in r.text for r in spoken)
    assert quiet[0].speaker == "s1" and quiet[0].index == 0  # no intro: the dialogue starts at 0


def test_long_turn_is_split_into_parts(make_script):
    long = "我們常常是在探索中前行，因為世界和技術變化如此迅速。" * 30
    script = make_script(["甲", "乙"], [(0, "請說？"), (1, long), (0, "謝謝。")])
    reqs = plan_requests(script, cast_script(script, "edge"))
    parts = [r for r in reqs if r.turn == 1]
    assert len(parts) > 1 and [r.part for r in parts] == list(range(len(parts)))
    assert all(len(r.text) <= ZH_MAX for r in parts)
    assert "".join(r.text for r in parts) == long
    assert [r.turn for r in reqs] == [0] + [1] * len(parts) + [2]


def test_turns_without_speakable_text_make_no_request(make_script):
    script = make_script(["甲", "乙"], [(0, "你好？"), (1, "（笑）"), (1, "……"), (0, "好。")])
    reqs = plan_requests(script, cast_script(script, "edge"))
    assert [r.turn for r in reqs] == [0, 3]
    assert [r.index for r in reqs] == [0, 1]


def test_nothing_to_speak_is_bad_input(make_script):
    script = make_script(["甲"], [(0, "（笑）"), (0, "。。。")])
    cast = cast_script(script, "edge")
    with pytest.raises(BadInput, match="nothing to speak"):
        plan_requests(script, cast, intro=INTRO)


def test_espeak_splits_scripts_and_keeps_speakers_distinguishable(make_script):
    script = make_script(["甲", "乙"], [(0, "在 OpenAI 的產品管理中，GPT-4 很重要嗎？"), (1, "是的，Sam 說過。")])
    cast = cast_script(script, "espeak")
    reqs = plan_requests(script, cast)
    assert [(r.text, r.lang) for r in reqs] == [
        ("在", ""), ("OpenAI", "en"), ("的產品管理中，", ""), ("GPT-4", "en"), ("很重要嗎？", ""),
        ("是的，", ""), ("Sam", "en"), ("說過。", "")]
    s1, s2 = cast.voice_for("s1"), cast.voice_for("s2")
    for r in reqs:
        own = cast.voice_for(r.speaker)
        if r.lang == "en":
            variant = own.voice.split("+")[1]
            assert r.voice.voice == f"en-us+{variant}"
            assert (r.voice.rate, r.voice.pitch) == (own.rate, own.pitch)
        else:
            assert r.voice == own
    english = {r.speaker: r.voice for r in reqs if r.lang == "en"}
    assert english["s1"] != english["s2"] and s1 != s2
    assert [r.part for r in reqs if r.turn == 0] == [0, 1, 2, 3, 4]


def test_espeak_english_script_sends_han_to_mandarin(make_script):
    script = make_script(["Ann", "Bob"], [(0, "We met in 台北 last year?"), (1, "Yes.")], language="en")
    reqs = plan_requests(script, cast_script(script, "espeak"))
    han = [r for r in reqs if r.lang == "zh"]
    assert [r.text for r in han] == ["台北"] and han[0].voice.voice.startswith("cmn-latn-pinyin+")
    assert all(r.voice.voice.startswith("en-us+") for r in reqs if r.lang == "")


def test_edge_reads_mixed_text_whole(make_script):
    script = make_script(["甲", "乙"], [(0, "在 OpenAI 的產品管理中，GPT-4 很重要嗎？"), (1, "是的。")])
    reqs = plan_requests(script, cast_script(script, "edge"))
    assert [r.text for r in reqs] == ["在 OpenAI 的產品管理中，GPT-4 很重要嗎？", "是的。"]


def test_text_is_prepared(make_script):
    script = make_script(["甲", "乙"], [(0, "Ｏｐｅｎ ＡＩ 好嗎?"), (1, "好\u200b的 , R&D <3")])
    reqs = plan_requests(script, cast_script(script, "edge"))
    assert [r.text for r in reqs] == ["Open AI 好嗎？", "好的，R&D <3"]


def test_reference_input_plans_within_limits(reference_input):
    from pipeline import ingest
    from pipeline.prepare import escaped_size

    script = ingest.load_script(reference_input, None)
    for engine in ("edge", "espeak"):
        cast = cast_script(script, engine)
        reqs = plan_requests(script, cast, intro=INTRO)
        assert {r.turn for r in reqs if r.turn is not None} == set(range(len(script.turns)))
        assert all(escaped_size(r.text) <= 1000 and len(r.text) <= ZH_MAX for r in reqs)
        assert cast.host == script.turns[0].speaker
