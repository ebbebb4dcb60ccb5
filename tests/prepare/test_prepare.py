"""Text preparation: normalisation, request splitting (properties + huge input), script runs."""

from __future__ import annotations

import time
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.prepare import (
    EN_MAX,
    ZH_MAX,
    escaped_size,
    is_speakable,
    prepare,
    split_requests,
    split_scripts,
)
from pipeline.segment import words

# ------------------------------------------------------------------------------------------- prepare


@pytest.mark.parametrize("raw, expected", [
    ("Ｏｐｅｎ ＡＩ　２０２４年", "Open AI 2024年"),  # full-width letters/digits and ideographic space
    ("我有３．５個蘋果", "我有3.5個蘋果"),
    ("你好, 世界! 今天好嗎? 我們來談談.", "你好，世界！今天好嗎？我們來談談。"),
    ("使用 GPT, 我們可以", "使用 GPT，我們可以"),
    ("我想...好吧", "我想…好吧"),
    ("在 OpenAI ，Sam 展現", "在 OpenAI，Sam 展現"),
    ("各家公司， 各具特色 。", "各家公司，各具特色。"),
    ("Hello, world. How are you?", "Hello, world. How are you?"),  # English punctuation stays
    ("版本 v1.5 很好.", "版本 v1.5 很好。"),
    ("價格：￥100", "價格：¥100"),
    ("a\u200bb\u200fc\u202ed\ufeffe\u00adf\x07g", "abcdefg"),  # zero-width, bidi, BOM, soft hyphen, BEL
    ("  第一段。\n\n第二段。\r\n  third  line\t", "第一段。第二段。third line"),
    ("A & B < C > D", "A & B < C > D"),  # plain text: engines escape, nothing is markup
    ("<speak>hi</speak>", "<speak>hi</speak>"),
    ("word — word", "word — word"),
])
def test_prepare_examples(raw: str, expected: str):
    assert prepare(raw) == expected


def test_prepare_is_idempotent_on_examples():
    for raw in ("你好, 世界!", "Ｈｅｌｌｏ，Ｗｏｒｌｄ！", "a\u200bb  c", "我想...好吧"):
        once = prepare(raw)
        assert prepare(once) == once


# ----------------------------------------------------------------------------------------- properties

_ALPHABET = st.sampled_from(list("我們正在過渡到人工智慧時代的產品嗎呢") + list("abcXYZ019") +
                            list("。，！？；、…,.!?;:") + list("  \n") + list("&<>\"'") + ["——", "「", "」"])
_TEXT = st.lists(_ALPHABET, max_size=400).map("".join)


def _check_pieces(text: str, pieces: list[str], max_chars: int, max_bytes: int) -> None:
    for p in pieces:
        assert p == p.strip() and p
        assert is_speakable(p), f"punctuation-only piece {p!r}"
        assert len(p) <= max_chars
        assert escaped_size(p) <= max_bytes
        assert len(escape(p, {'"': "&quot;", "'": "&apos;"}).encode("utf-8")) <= max_bytes
    # Nothing lost, nothing duplicated: the joined pieces are the text minus whitespace, except that
    # punctuation-only stretches may be dropped.
    joined = "".join("".join(p.split()) for p in pieces)
    source = "".join(text.split())
    i = 0
    for ch in source:
        if i < len(joined) and joined[i] == ch:
            i += 1
        else:
            assert not is_speakable(ch), f"lost {ch!r}"
    assert i == len(joined), "pieces hold text that is not in the input (duplicated or invented)"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_TEXT, lang=st.sampled_from(["zh-TW", "en"]), max_chars=st.integers(8, 400),
       max_bytes=st.integers(32, 1200))
def test_split_properties(text: str, lang: str, max_chars: int, max_bytes: int):
    pieces = split_requests(text, lang, max_chars=max_chars, max_bytes=max_bytes)
    _check_pieces(text, pieces, max_chars, max_bytes)


@settings(max_examples=150, deadline=None)
@given(text=_TEXT.map(prepare))
def test_split_prepared_text_loses_nothing(text: str):
    pieces = split_requests(text, "zh-TW")
    _check_pieces(text, pieces, ZH_MAX, 1000)
    if is_speakable(text) and len(text) < 150:
        assert len(pieces) == 1  # short text is one request


def test_defaults_pack_sentences_to_a_target():
    sentence = "我們常常是在探索中前行，因為世界和技術變化如此迅速。"  # 26 characters
    pieces = split_requests(sentence * 40, "zh-TW")
    assert all(p.endswith("。") for p in pieces)  # cut at sentence ends only
    assert all(100 <= len(p) <= ZH_MAX for p in pieces[:-1])
    english = "We are moving into an era where AI completes tasks for us. " * 40
    en_pieces = split_requests(english, "en")
    assert all(p.endswith(".") and 300 <= len(p) <= EN_MAX for p in en_pieces[:-1])
    assert "".join(en_pieces).replace(" ", "") == english.replace(" ", "")


def test_long_sentence_cuts_at_commas_first():
    clause = "這種不確定性要求產品管理必須在探索中前行，"
    text = clause * 30 + "完。"
    pieces = split_requests(text, "zh-TW", max_chars=100)
    assert len(pieces) > 1 and all(p.endswith("，") for p in pieces[:-1])


def test_no_punctuation_cuts_at_jieba_word_boundaries():
    phrase = "我們正在過渡到人工智慧為我們完成任務的時代"
    text = phrase * 100
    boundaries = set()
    pos = 0
    for w in words(phrase * 3):
        pos += len(w)
        boundaries.add(pos % len(phrase))
    pieces = split_requests(text, "zh-TW", max_chars=50)
    assert "".join(pieces) == text
    cut = 0
    for p in pieces[:-1]:
        cut += len(p)
        assert cut % len(phrase) in boundaries, f"cut inside a word at {p[-4:]}|"


def test_latin_without_punctuation_cuts_between_words():
    text = " ".join(f"word{i}" for i in range(2000))
    pieces = split_requests(text, "en", max_chars=120)
    assert all(len(p) <= 120 for p in pieces)
    assert " ".join(pieces).split() == text.split()


def test_escaping_counts_against_the_byte_limit():
    text = "R&D " * 400  # & becomes &amp; (5 bytes)
    pieces = split_requests(text, "en", max_bytes=200)
    assert all(escaped_size(p) <= 200 for p in pieces)
    assert all(len(escape(p).encode()) <= 200 for p in pieces)
    assert max(len(p) for p in pieces) < 200


def test_punctuation_only_text_is_not_a_request():
    assert split_requests("……。！？", "zh-TW") == []
    assert split_requests("   ", "en") == []
    assert split_requests("", "en") == []
    assert split_requests("好。……", "zh-TW") == ["好。……"]  # trailing punctuation stays with its sentence
    assert split_requests("「」好。", "zh-TW") == ["「」好。"]


@pytest.mark.slow
def test_one_megabyte_line_without_punctuation_splits_fast():
    line = "我們正在過渡到人工智慧為我們完成任務的時代" * 16000  # 1 MB of UTF-8, no punctuation
    assert len(line.encode("utf-8")) >= 1_000_000
    words("預熱")  # jieba's dictionary load (≈1 s) is not the splitter's cost
    start = time.perf_counter()
    pieces = split_requests(line, "zh-TW")
    elapsed = time.perf_counter() - start
    assert elapsed < 5, f"{elapsed:.1f} s"
    assert "".join(pieces) == line
    assert all(escaped_size(p) <= 1000 and len(p) <= ZH_MAX for p in pieces)
    assert len(pieces) < len(line) / 200  # close to the limit, not tiny slivers


def test_one_megabyte_latin_line_hard_cut():
    line = "a" * 1_000_000
    start = time.perf_counter()
    pieces = split_requests(line, "en")
    assert time.perf_counter() - start < 5
    assert "".join(pieces) == line and all(len(p) <= EN_MAX for p in pieces)


# --------------------------------------------------------------------------------------------- scripts


def test_split_scripts_mixed_text():
    text = "在 OpenAI 的產品管理中，GPT-4 模型在 2024 年發布。Hello 世界!"
    assert split_scripts(text) == [("在 ", "zh"), ("OpenAI ", "en"), ("的產品管理中，", "zh"), ("GPT-4 ", "en"),
                                   ("模型在 2024 年發布。", "zh"), ("Hello ", "en"), ("世界!", "zh")]


@pytest.mark.parametrize("text, expected", [
    ("2024 年", [("2024 年", "zh")]),  # leading digits join the first run
    ("123。", [("123。", "zh")]),  # no letters: the default
    ("OpenAI, 你好", [("OpenAI, ", "en"), ("你好", "zh")]),
    ("iPhone 15 很好", [("iPhone 15 ", "en"), ("很好", "zh")]),
    ("café 咖啡", [("café ", "en"), ("咖啡", "zh")]),
    ("", []),
])
def test_split_scripts_attachment(text: str, expected: list):
    assert split_scripts(text) == expected


def test_split_scripts_default_and_roundtrip():
    assert split_scripts("42!", default="en") == [("42!", "en")]
    text = "我們用 Python 3.12 和 jieba，跑得很快。Done."
    assert "".join(run for run, _ in split_scripts(text)) == text
