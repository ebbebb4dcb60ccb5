"""The language facts in pipeline.lang: tags, the variant, character classes, speech rates; each defined once."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import lang
from pipeline.synth.completeness import minimum_ms

PIPELINE = Path(lang.__file__).parent


@pytest.mark.parametrize("tag, region, variant", [
    ("zh-TW", "zh-TW", "zh-TW"), ("zh-Hant", "zh-TW", "zh-TW"), ("zh_TW", "zh-TW", "zh-TW"),
    ("zh-HK", "zh-HK", "zh-TW"), ("zh-MO", "zh-HK", "zh-TW"), ("zh-Hant-HK", "zh-HK", "zh-TW"),
    ("yue", "zh-HK", "zh-TW"), ("zh-yue", "zh-HK", "zh-TW"), ("yue-Hant-HK", "zh-HK", "zh-TW"),
    ("zh-CN", "zh-CN", "zh-CN"), ("zh-Hans", "zh-CN", "zh-CN"), ("zh-SG", "zh-CN", "zh-CN"),
    ("zh-Hans-HK", "zh-CN", "zh-CN"), ("cmn-Hans-CN", "zh-CN", "zh-CN"), ("zh", "zh-CN", "zh-CN"),
    ("cmn", "zh-CN", "zh-CN"), ("en", "en", "en"), ("en-GB", "en-GB", "en"), ("ja", "ja", "en"), ("fr", "fr", "en"),
])
def test_tags(tag, region, variant):
    assert lang.region(tag) == region
    assert lang.variant(tag) == variant
    assert lang.is_chinese(tag) == (tag.split("-")[0].split("_")[0] in ("zh", "cmn", "yue"))


def test_a_bare_zh_is_decided_by_the_text_with_the_one_detector():
    from pipeline.ingest.language import chinese_variant

    for text, expected in (("這個問題我們說過了", "zh-TW"), ("这个问题我们说过了", "zh-CN")):
        assert lang.variant("zh", text) == chinese_variant(text) == expected
        assert lang.variant("cmn", text) == expected
    assert lang.variant("zh", "no Han at all") == "zh-CN"
    assert lang.variant("zh-CN", "這個問題我們說過了") == "zh-CN"  # the tag wins when it says


def test_labels_follow_the_variant():
    assert [lang.label("conversation", t) for t in ("zh-Hant", "yue", "zh-SG", "de")] == \
        ["對談", "對談", "对谈", "Conversation"]
    assert lang.iso639_2("yue") == lang.iso639_2("zh-Hant") == "chi"
    assert lang.colon("yue") == "："


def test_speech_units_and_rates():
    assert lang.speech_units("在 OpenAI 的 GPT-4 裡，don't 說 3.5 次") == (5, 4)
    assert lang.speech_units("café привет 안녕 かな") == (4, 2)
    assert minimum_ms("字" * 10) == 10 * lang.FASTEST.ms_per_syllable == 800
    assert minimum_ms("one two three") == 390 and minimum_ms("one two three", rate=100) == 195
    assert lang.SLOW.ms("字" * 34) == pytest.approx(10_000)
    assert lang.FASTEST.ms_per_syllable < lang.TYPICAL.ms_per_syllable < lang.SLOW.ms_per_syllable


# Files whose owners still spell a CJK range of their own (each should use pipeline.lang's classes).
def test_cjk_ranges_are_spelled_only_in_lang():
    spelled = re.compile(r"\\u(?:3400|4e00|3040|ac00)|[\u3400\u4e00\u3040\uac00]-")
    found = {str(p.relative_to(PIPELINE)) for p in PIPELINE.rglob("*.py")
             if p.name != "lang.py" and "testing" not in p.parts and spelled.search(p.read_text("utf-8"))}
    assert not found, sorted(found)


def test_language_facts_load_no_heavy_library():
    code = ("import sys, pipeline.lang, pipeline.mix.chapters, pipeline.summary, pipeline.synth.completeness; "
            "pipeline.lang.variant('zh-Hant'); "
            "print(sorted(m for m in ('opencc', 'jieba', 'langdetect') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=PIPELINE.parent).stdout
    assert out.strip() == "[]"


def test_both_variant_answers_agree_when_the_text_has_no_han():
    from pipeline.ingest.language import chinese_variant
    from pipeline.lang import variant

    for sample in ("", "OK, GPT-4 and Python 3.12", "かな"):
        assert chinese_variant(sample) == variant("zh", sample) == "zh-CN"
