"""Bug 2: every stage reads a script's language tag the same way (chapter labels, the intro, the voice preset,
transcript and show-note labels), whatever spelling of the tag the JSON script uses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.cast.presets import load_preset
from pipeline.ingest import load_script
from pipeline.mix.chapters import timed_chapters
from pipeline.model import NARRATOR_ID, Cast, Edition, Placement, Request, VoiceSettings
from pipeline.summary import summarize
from pipeline.writers.shownotes import notes
from pipeline.writers.transcript import speaker_names

TRADITIONAL = {"intro": "節目簡介", "conversation": "對談", "opening": "開場", "narrator": "旁白",
               "hello": "歡迎收聽", "duration": "長度"}
SIMPLIFIED = {"intro": "节目简介", "conversation": "对谈", "opening": "开场", "narrator": "旁白",
              "hello": "欢迎收听", "duration": "时长"}
ENGLISH = {"intro": "Introduction", "conversation": "Conversation", "opening": "Opening", "narrator": "Narrator",
           "hello": "Hello, and welcome", "duration": "Duration"}

ZH_TURNS = ["大家好，今天我們談圖書館。圖書館不只是藏書的地方，也是鎮上的客廳。",
            "我覺得聲音和故事一樣重要，因為很多長輩已經看不清楚書上的字了，所以我們開始錄製有聲書。",
            "每個星期六下午都有志工來圖書館幫忙朗讀，孩子們也會來聽。這件事改變了整個小鎮。",
            "我們還發現，有聲書讓年輕人重新回到圖書館，因為他們可以一邊通勤一邊聽。",
            "謝謝你來分享。"]
EN_TURNS = ["Hello and welcome, today we talk about the library in a small town.",
            "I think sound matters as much as the story, because many older readers cannot read small print.",
            "Every Saturday afternoon volunteers come to the library to read aloud, and children come to listen.",
            "We also found that audio books bring younger people back, because they listen on the way to work.",
            "Thank you for sharing."]

CASES = [
    # tag, words expected, voice preset locale (Edge), espeak-ng base voice
    ("zh-Hant", TRADITIONAL, "zh-TW", "cmn-latn-pinyin"),
    ("zh-TW", TRADITIONAL, "zh-TW", "cmn-latn-pinyin"),
    ("zh-hant-tw", TRADITIONAL, "zh-TW", "cmn-latn-pinyin"),
    ("yue", TRADITIONAL, "zh-HK", "yue"),
    ("zh-yue", TRADITIONAL, "zh-HK", "yue"),
    ("zh-HK", TRADITIONAL, "zh-HK", "yue"),
    ("zh-MO", TRADITIONAL, "zh-HK", "yue"),
    ("zh-Hans", SIMPLIFIED, "zh-CN", "cmn-latn-pinyin"),
    ("zh-CN", SIMPLIFIED, "zh-CN", "cmn-latn-pinyin"),
    ("zh-SG", SIMPLIFIED, "zh-CN", "cmn-latn-pinyin"),
    ("cmn-Hans-CN", SIMPLIFIED, "zh-CN", "cmn-latn-pinyin"),
    ("en", ENGLISH, "en", "en-us"),
    ("en-GB", ENGLISH, "en-GB", "en-gb"),
]


def _json_script(tmp_path: Path, language: str, *, headings: bool) -> Path:
    text = EN_TURNS if language.startswith("en") else ZH_TURNS
    doc = {"title": "Library" if language.startswith("en") else "小鎮圖書館", "language": language,
           "speakers": [{"id": "s1", "name": "Ann", "role": "host"}, {"id": "s2", "name": "Bob", "role": "guest"}],
           "chapters": [{"title": "Books", "start_turn": 2}] if headings else [],
           "turns": [{"speaker": f"s{i % 2 + 1}", "text": t, "chapter": (0 if i >= 2 else None) if headings else None}
                     for i, t in enumerate(text)]}
    path = tmp_path / f"{language}-{headings}.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def _edition(script, summary) -> Edition:
    """The script placed back to back, one request per turn after the intro (no audio needed)."""
    voice = VoiceSettings("edge", "en-US-AvaNeural")
    requests = [Request(0, NARRATOR_ID, summary.intro, voice, None, 0, None)]
    requests += [Request(i + 1, t.speaker, t.text, voice, i, 0, t.chapter) for i, t in enumerate(script.turns)]
    placements = tuple(Placement(r, 1000 * r.index, 1000 * r.index + 900, ()) for r in requests)
    duration = 1000 * len(requests)
    cast = Cast("edge", tuple((s.id, voice) for s in script.speakers), voice, host="s1")
    return Edition(script, cast, summary, placements, timed_chapters(script, placements, duration),
                   duration, "library", "Show", "edge", "1")


@pytest.mark.parametrize("language, words, locale, espeak", CASES)
def test_every_stage_reads_the_language_tag_alike(tmp_path, language, words, locale, espeak):
    for headings in (False, True):
        script = load_script(_json_script(tmp_path, language, headings=headings))
        assert script.language == language  # the tag the script declares is kept as written
        summary = summarize(script)
        edition = _edition(script, summary)
        titles = [c.title for c in edition.chapters]
        assert titles == ([words["intro"], words["opening"], "Books"] if headings
                          else [words["intro"], words["conversation"]])
        assert words["hello"] in summary.intro
        assert speaker_names(edition)[NARRATOR_ID] == words["narrator"]
        assert any(line.startswith(words["duration"]) for line in notes(edition).meta)
    assert load_preset(language, "edge").locale == locale
    assert load_preset(language, "espeak").pool[0].split("+")[0] == espeak
