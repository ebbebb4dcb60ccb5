"""Cue building: sentence times, line wrapping (Latin and CJK), splitting long sentences, VTT/SRT details."""

from __future__ import annotations

import dataclasses

import pytest

from pipeline.lang import hms, join_text, text_width
from pipeline.model import NARRATOR_ID, Placement, Request, SentenceTiming, VoiceSettings
from pipeline.writers import narrator_name
from pipeline.writers.transcript import (
    TimedSentence,
    cues,
    lyrics,
    segments,
    split_sentences,
    to_json,
    to_srt,
    to_vtt,
    wrap,
)

from .conftest import make_edition

LONG_EN = ("Today we talk with a librarian who has run a small town library for ten years, about audio books, "
           "about older readers who can no longer read small print, and about what a library is for.")
LONG_ZH = ("我覺得聲音和故事一樣重要，因為很多長輩已經看不清楚書上的字了，所以我們開始錄製有聲書，"
           "每個星期六下午都有志工來圖書館幫忙朗讀。")


def place(index, speaker, text, start, end, sentences=(), turn=0, chapter=0) -> Placement:
    req = Request(index, speaker, text, VoiceSettings("espeak", "cmn"), None if speaker == NARRATOR_ID else turn,
                  0, None if speaker == NARRATOR_ID else chapter)
    return Placement(req, start, end, tuple(SentenceTiming(t, a, b) for t, a, b in sentences))


def edition(placements, duration=None, language="zh-TW"):
    ed = make_edition(tuple(placements), duration or placements[-1].end_ms + 500)
    return dataclasses.replace(ed, script=dataclasses.replace(ed.script, language=language))


def test_narrator_names():
    assert narrator_name("zh-TW") == "旁白" and narrator_name("zh-CN") == "旁白"
    assert narrator_name("en") == "Narrator" and narrator_name("en-US") == "Narrator"


def test_sentences_split_at_terminal_punctuation():
    assert split_sentences("你好！！歡迎收聽。「這是引用。」然後呢？") == ["你好！！", "歡迎收聽。", "「這是引用。」", "然後呢？"]
    assert split_sentences("Version 3.5 is out. Really... Yes! And then") == [
        "Version 3.5 is out.", "Really...", "Yes!", "And then"]


@pytest.mark.parametrize("text, columns", [(LONG_EN, 42), (LONG_ZH, 40), (LONG_ZH + LONG_EN, 40)])
def test_wrap_respects_width_and_keeps_every_character(text, columns):
    lines = wrap(text, columns)
    assert len(lines) >= 3
    assert all(text_width(ln) <= columns for ln in lines), lines
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_wrap_does_not_split_words():
    lines = wrap(LONG_EN, 42)
    words = set(LONG_EN.split())
    for ln in lines:
        assert all(w in words for w in ln.split())
    # jieba keeps 圖書館 and 有聲書 whole
    zh = wrap(LONG_ZH, 40)
    assert any("有聲書" in ln for ln in zh) and any("圖書館" in ln for ln in zh)


def test_punctuation_never_starts_a_line_and_brackets_never_end_one():
    lines = wrap("第一，知識蒸餾技術將成為一個極為重要的領域，因為它能夠在更多場景中套用人工智慧。", 40)
    assert lines[-1] == "人工智慧。" and all(text_width(ln) <= 40 for ln in lines)
    lines = wrap("大家好，歡迎收聽本期節目，今天的來賓很特別：「OpenAI CPO 凱文·威爾」。", 40)
    assert not any(ln.endswith("「") for ln in lines) and not any(ln[0] in "，。」：" for ln in lines)


def test_language_runs_of_one_sentence_stay_one_segment():
    """espeak-ng reads "OpenAI" inside Chinese with another voice: three requests, one sentence."""
    ps = [place(0, "s1", "參與對談的是", 0, 1000), place(1, "s1", "OpenAI", 1050, 1500),
          place(2, "s1", "的產品長。", 1550, 2500), place(3, "s1", "歡迎。", 2800, 3300),
          place(4, "s2", "謝謝", 4000, 4500, turn=1)]
    segs = segments(edition(ps))
    assert [(s.text, s.start_ms, s.end_ms) for s in segs] == [
        ("參與對談的是 OpenAI 的產品長。", 0, 2500), ("歡迎。", 2800, 3300), ("謝謝", 4000, 4500)]


def test_an_unbreakable_token_is_cut_by_width():
    url = "https://example.org/" + "a" * 100
    lines = wrap(url, 42)
    assert len(lines) == 3 and "".join(lines) == url and all(len(ln) <= 42 for ln in lines)


def test_a_long_sentence_becomes_several_contiguous_cues():
    seg = TimedSentence("s2", "林雅婷", 10_000, 22_000, LONG_ZH)
    out = cues([seg], "zh-TW")
    assert len(out) >= 2 and all(1 <= len(c.lines) <= 2 for c in out)
    assert out[0].start_ms == 10_000 and out[-1].end_ms == 22_000
    assert all(a.end_ms == b.start_ms for a, b in zip(out, out[1:], strict=False))
    # time proportional to the characters shown
    widths = [sum(text_width(ln) for ln in c.lines) for c in out]
    for c, w in zip(out, widths, strict=True):
        assert (c.end_ms - c.start_ms) == pytest.approx(12_000 * w / sum(widths), abs=200)
    assert out[0].first_of_turn and not any(c.first_of_turn for c in out[1:])


def test_engine_timings_are_used_and_made_monotonic():
    a = place(0, "s1", "第一句。第二句。", 1000, 3000, [("第一句。", 1000, 2000), ("第二句。", 2100, 3000)])
    # an engine that overlaps the previous clip a little
    b = place(1, "s2", "好。", 2900, 3500, [("好。", 2900, 3500)], turn=1)
    segs = segments(edition([a, b]))
    assert [(s.start_ms, s.end_ms, s.text) for s in segs] == [
        (1000, 2000, "第一句。"), (2100, 3000, "第二句。"), (3000, 3500, "好。")]
    assert [s.name for s in segs] == ["陳志明", "陳志明", "林雅婷"]


def test_missing_or_broken_timings_fall_back_to_proportional():
    none = place(0, NARRATOR_ID, "第一句。第二句比較長一點。", 0, 3000)
    broken = place(1, "s1", "甲。乙。", 4000, 6000, [("甲。", 4000, 4000), ("乙。", 4000, 4010)])
    segs = segments(edition([none, broken]))
    assert [s.text for s in segs] == ["第一句。", "第二句比較長一點。", "甲。", "乙。"]
    assert segs[0].start_ms == 0 and segs[1].end_ms == 3000 and segs[0].end_ms == segs[1].start_ms
    assert segs[0].end_ms == pytest.approx(3000 * 4 / 13, abs=2)  # 4 of 13 characters
    assert (segs[2].start_ms, segs[2].end_ms, segs[3].start_ms, segs[3].end_ms) == (4000, 5000, 5000, 6000)
    assert segs[0].name == "旁白"


def test_times_never_leave_the_audio():
    p = place(0, "s1", "Hello there.", 1000, 5000, [("Hello there.", 1000, 5000)])
    segs = segments(edition([p], duration=4000, language="en"))
    assert segs[0].end_ms == 4000


def test_vtt_escapes_and_voice_tags():
    ed = edition([place(0, "s1", "x < y & z --> w", 0, 2000, [("x < y & z --> w", 0, 2000)])], language="en")
    ed = dataclasses.replace(ed, script=dataclasses.replace(ed.script, speakers=(
        dataclasses.replace(ed.script.speakers[0], name="Ann <B&C>"), ed.script.speakers[1])))
    vtt = to_vtt(cues(segments(ed), "en"))
    assert "<v Ann &lt;B&amp;C&gt;>x &lt; y &amp; z --&gt; w" in vtt
    assert vtt.count("-->") == 1


def test_srt_names_the_speaker_only_when_it_changes():
    ps = [place(0, "s1", "One.", 0, 1000, [("One.", 0, 1000)]), place(1, "s1", "Two.", 1300, 2000, [("Two.", 1300, 2000)]),
          place(2, "s2", "Three.", 2600, 3000, [("Three.", 2600, 3000)], turn=1)]
    srt = to_srt(cues(segments(edition(ps, language="en")), "en", prefix_names=True))
    blocks = srt.strip().split("\n\n")
    assert [b.split("\n")[2] for b in blocks] == ["陳志明: One.", "Two.", "林雅婷: Three."]
    assert blocks[0].split("\n")[1] == "00:00:00,000 --> 00:00:01,000"


def test_json_transcript_shape():
    data = to_json([TimedSentence("s1", "Ann", 1234, 2345, "Hi.")])
    assert data == {"version": "1.0.0", "segments": [{"speaker": "Ann", "startTime": 1.234, "endTime": 2.345,
                                                       "body": "Hi."}]}


def test_lyrics_one_line_per_turn():
    ps = [place(0, NARRATOR_ID, "歡迎。", 0, 500), place(1, "s1", "大家好。", 600, 900),
          place(2, "s1", "今天聊書。", 1000, 1500), place(3, "s2", "Hello.", 2000, 2500, turn=1),
          place(4, "s2", "Nice to be here.", 2600, 3000, turn=1)]
    assert lyrics(edition(ps)).split("\n") == ["旁白：歡迎。", "陳志明：大家好。今天聊書。", "林雅婷：Hello. Nice to be here."]


def test_small_helpers():
    assert join_text(["你好。", "我是", "Ann.", "Hi"]) == "你好。我是 Ann. Hi"
    assert join_text(["節目：「", "OpenAI CPO", "凱文：過渡到", "AI", "的時代」。"]) == "節目：「OpenAI CPO 凱文：過渡到 AI 的時代」。"
    assert join_text(["Hello,", "world", "!", "(see", "here)"]) == "Hello, world! (see here)"
    assert hms(0) == "00:00:00" and hms(3_723_999) == "01:02:03"
