"""summarize(): what a listener and a publisher notice in the generated intro."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.errors import BadInput
from pipeline.model import Chapter, Script, Speaker, Turn
from pipeline.summary import estimate_seconds, intro_chapter_title, summarize
from pipeline.summary.text import bare

DATA = Path(__file__).resolve().parent / "data"
FIXTURES = sorted(p.stem for p in DATA.glob("*.json"))
_NON_WORD = re.compile(r"[^0-9A-Za-z\u3400-\u9fff]")


def _norm(text: str) -> str:
    return _NON_WORD.sub("", text).lower()


def _source_turn(script: Script, point: str) -> int:
    """Index of the turn a point was taken from (fails when it is not a piece of any turn)."""
    needle = _norm(bare(point))
    for i, t in enumerate(script.turns):
        if needle in _norm(t.spoken_text):
            return i
    raise AssertionError(f"point is not taken from the dialogue: {point!r}")


@pytest.fixture(scope="module", params=FIXTURES)
def case(request, load):
    script = load(request.param)
    return request.param, script, summarize(script)


def test_three_to_five_points(case):
    _, _, summary = case
    assert 3 <= len(summary.points) <= 5
    assert summary.mode == "auto"


def test_points_are_sentences_from_the_dialogue(case):
    _, script, summary = case
    for point in summary.points:
        _source_turn(script, point)
        assert point.rstrip()[-1] in "。！.!", point


def test_points_are_substantive_not_greetings_thanks_or_questions(case):
    _, script, summary = case
    for point in summary.points:
        assert not re.search(r"謝謝|谢谢|感謝|感谢|歡迎|欢迎|大家好|[Tt]hank|[Ww]elcome|[Hh]ello|[?？]", point), point
        cjk = script.language.startswith("zh")
        size = len(re.findall(r"[\u3400-\u9fff]", point)) if cjk else len(point.split())
        assert size >= (12 if cjk else 6), point
        assert size <= (60 if cjk else 30), point


def test_points_come_from_guests_answers(case):
    """The hosts ask; the key points are what the guests answer."""
    _, script, summary = case
    host = script.turns[0].speaker
    assert all(script.turns[_source_turn(script, p)].speaker != host for p in summary.points)


def test_points_spread_over_chapters_or_topics(case):
    _, script, summary = case
    turns = [_source_turn(script, p) for p in summary.points]
    if script.chapters:
        chapters = {script.turns[t].chapter for t in turns}
        assert len(chapters) == min(len(script.chapters), len(summary.points))
    else:
        # No chapters: the points must not all come from the opening; they span the conversation.
        assert max(turns) - min(turns) >= len(script.turns) // 2
        assert len(set(turns)) == len(turns)


def test_spoken_length_fits_45_to_90_seconds(case):
    _, _, summary = case
    assert 45 <= estimate_seconds(summary.intro) <= 90


def test_intro_names_every_speaker_and_the_title(case):
    _, script, summary = case
    assert script.title in summary.intro
    for sp in script.speakers:
        assert sp.name in summary.intro
    for point in summary.points:
        assert bare(point)[1:] in summary.intro


def test_zh_tw_template_is_traditional_with_chapter_overview(load):
    script = load("zh-tw-net-zero")
    intro = summarize(script).intro
    assert intro.startswith("大家好，歡迎收聽")
    assert "本期分為四個部分：第一部分，「從數據開始」；第二部分，「建築與交通」；第三部分，「市民參與」；第四部分，「下一個十年」。" in intro
    assert intro.endswith("讓我們從「從數據開始」開始。")
    assert "臺灣大學氣候研究中心主任陳志明" in intro  # role from the description, spoken before the name
    assert not re.search("[欢听节们为这个论简谈几]", intro)


def test_zh_cn_template_is_simplified(load):
    script = load("zh-cn-library")
    intro = summarize(script).intro
    assert intro.startswith("大家好，欢迎收听本期节目")
    assert "本期分为三个部分：第一部分，“从借书到聚会”；" in intro
    assert intro.endswith("让我们从“从借书到聚会”开始。")
    assert "市立图书馆馆长李静" in intro
    assert not re.search("[歡聽節們為這個論簡談幾]", intro)


def test_english_template(load):
    script = load("en-water")
    intro = summarize(script).intro
    assert intro.startswith("Hello, and welcome.")
    assert "host Maria Lopez" in intro
    assert "Daniel Reed, head of research at the Open Water Institute" in intro
    assert re.search(r"First, .+ Second, .+ Third, ", intro)
    assert intro.endswith("Let's begin.")  # no chapters: a plain hand-over


def test_english_chapter_overview_and_hand_over(load):
    script = load("en-water")
    chapters = (Chapter("Leaks", 0), Chapter("Rain", 6), Chapter("Prices", 10), Chapter("Trust", 14))
    turns = tuple(dataclasses.replace(t, chapter=sum(c.start_turn <= i for c in chapters) - 1)
                  for i, t in enumerate(script.turns))
    summary = summarize(dataclasses.replace(script, chapters=chapters, turns=turns))
    assert ("The episode has four parts: part one, “Leaks”; part two, “Rain”; part three, “Prices”; "
            "part four, “Trust”.") in summary.intro
    assert summary.intro.endswith("Let's begin with “Leaks”.")
    assert len({turns[_source_turn(script, p)].chapter for p in summary.points}) == 4


def test_other_languages_get_the_english_template(load):
    script = dataclasses.replace(load("en-water"), language="fr")
    assert summarize(script).intro.startswith("Hello, and welcome.")
    assert intro_chapter_title("fr") == "Introduction"


def test_intro_chapter_titles():
    assert intro_chapter_title("zh-TW") == "節目簡介"
    assert intro_chapter_title("zh-HK") == "節目簡介"
    assert intro_chapter_title("zh-CN") == "节目简介"
    assert intro_chapter_title("en") == "Introduction"


def test_show_name_in_greeting(load):
    intro = summarize(load("zh-tw-net-zero"), show="城市廣播").intro
    assert intro.startswith("大家好，歡迎收聽城市廣播。本期節目：「城市淨零轉型：從數據到街區」。")


def test_source_mode_reads_the_sources_key_points(load):
    summary = summarize(load("zh-tw-net-zero"), mode="source")
    assert summary.mode == "source"
    assert summary.points == ("數據是淨零的第一步。", "老屋改造的關鍵在共識。", "市民參與是政策設計的一部分。")
    assert "第一，數據是淨零的第一步。第二，老屋改造的關鍵在共識。第三，市民參與是政策設計的一部分。" in summary.intro
    assert summary.to_dict() == {"intro": summary.intro, "points": list(summary.points), "mode": "source"}


def test_source_mode_without_key_points_says_what_to_do(load):
    with pytest.raises(BadInput, match="this transcript has no key points; use --intro auto"):
        summarize(load("zh-cn-library"), mode="source")


def test_auto_mode_never_reads_the_key_points(load):
    script = load("zh-tw-net-zero")
    decoy = dataclasses.replace(script, key_points=("完全無關的句子：這段文字絕不應該出現在自動摘要裡。",))
    assert summarize(decoy) == summarize(script)


def test_bad_options(load):
    with pytest.raises(BadInput, match="auto or source"):
        summarize(load("en-water"), mode="llm")
    with pytest.raises(BadInput, match="max_points"):
        summarize(load("en-water"), max_points=0)


def test_max_points_is_respected(load):
    summary = summarize(load("zh-tw-net-zero"), max_points=3)
    assert len(summary.points) == 3
    assert "第四，" not in summary.intro


def test_deterministic_across_processes(load):
    """Same output twice, and in processes with different hash seeds (no set-order dependence)."""
    code = ("import json,sys; sys.path.insert(0, sys.argv[1]); from conftest import script_from_json, DATA; "
            "from pipeline.summary import summarize; "
            "print(json.dumps([summarize(script_from_json(DATA / f'{n}.json')).to_dict() "
            "for n in ('zh-tw-net-zero', 'zh-cn-library', 'en-water')], ensure_ascii=False))")
    outs = []
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        run = subprocess.run([sys.executable, "-c", code, str(DATA.parent)], env=env, capture_output=True,
                             text=True, check=True, cwd=DATA.parent.parent.parent)
        outs.append(json.loads(run.stdout))
    assert outs[0] == outs[1]
    assert outs[0][0] == summarize(load("zh-tw-net-zero")).to_dict()


def test_long_overview_is_shortened_to_fit_90_seconds():
    """Twelve long chapter titles and long answers: the intro drops detail to stay within 90 s."""
    answer = ("城市的水資源管理需要長期規劃與跨部門合作，我們必須把供水、排水和防洪放在同一張藍圖上思考，"
              "才能在乾旱和暴雨之間找到平衡。")
    speakers = (Speaker("h", "主持人甲", "主持人甲"), Speaker("g", "來賓乙", "來賓乙"))
    turns, chapters = [], []
    for i in range(12):
        chapters.append(Chapter(f"第{i + 1}個很長的章節標題：關於城市水資源與氣候調適的深入討論", len(turns)))
        turns.append(Turn("h", f"關於第{i + 1}個主題，您怎麼看？", i))
        turns.append(Turn("g", f"在第{i + 1}個議題上，{answer}這是我們在第{i + 1}個城市學到的經驗。", i))
    script = Script("一個標題相當長的節目：城市、氣候與水", "zh-TW", speakers, tuple(turns), tuple(chapters))
    summary = summarize(script)
    assert estimate_seconds(summary.intro) <= 90
    assert "本期分為十二個部分" in summary.intro
    assert len(summary.points) >= 3
    assert summary.intro.endswith("讓我們從「第1個很長的章節標題：關於城市水資源與氣候調適的深入討論」開始。")


def test_tiny_script_still_gets_an_intro():
    speakers = (Speaker("a", "Ann", "Ann"), Speaker("b", "Bo", "Bo"))
    turns = (Turn("a", "Hi Bo, thanks for coming."), Turn("b", "Thanks for having me."),
             Turn("a", "What is the one thing listeners should remember about soil?"),
             Turn("b", "Healthy soil stores more carbon than all the forests on the planet combined."))
    summary = summarize(Script("Soil", "en", speakers, turns))
    assert summary.points == ("Healthy soil stores more carbon than all the forests on the planet combined.",)
    assert "Ann" in summary.intro and "Bo" in summary.intro and "“Soil”" in summary.intro
