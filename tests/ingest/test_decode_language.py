"""Encodings, invisible characters and language detection."""

from __future__ import annotations

import codecs

import pytest

from pipeline.errors import BadInput
from pipeline.ingest import load_script, parse_text
from pipeline.ingest.decode import decode_bytes
from pipeline.ingest.language import detect_language

ZH_TW = "主持人：今天我們邀請到一位老師，來談談人工智慧在教室裡的應用。\n老師：謝謝邀請，很高興來到這裡。我想先說說學生怎麼使用這些工具。\n"
ZH_CN = "主持人：今天我们邀请到一位老师，来谈谈人工智能在教室里的应用。\n老师：谢谢邀请，很高兴来到这里。我想先说说学生怎么使用这些工具。\n"
EN = "Host: Welcome back – it’s a café “special” episode.\nGuest: Thanks, a naïve question first.\nHost: Go ahead.\n"


@pytest.mark.parametrize("data, encoding", [
    (ZH_TW.encode("cp950"), "cp950"),
    (ZH_CN.encode("gb18030"), "gb18030"),
    (codecs.BOM_UTF8 + ZH_TW.encode("utf-8"), "utf-8-sig"),
    (codecs.BOM_UTF16_LE + ZH_TW.encode("utf-16-le"), "utf-16-le"),
    (codecs.BOM_UTF16_BE + ZH_TW.encode("utf-16-be"), "utf-16-be"),
    (EN.encode("utf-16-le"), "utf-16-le"),
    (ZH_TW.encode("utf-16-be"), "utf-16-be"),
    (EN.encode("cp1252"), "cp1252"),
])
def test_encodings_decode_to_the_same_text(data, encoding):
    text, found = decode_bytes(data, "x.txt")
    assert found == encoding
    assert text.replace("\r\n", "\n") in (ZH_TW, ZH_CN, EN)


def test_encoding_is_recorded(tmp_path):
    path = tmp_path / "big5.txt"
    path.write_bytes(ZH_TW.encode("cp950"))
    script = load_script(path)
    assert script.source.encoding == "cp950"
    assert script.turns[0].text == "今天我們邀請到一位老師，來談談人工智慧在教室裡的應用。"
    assert len(script.source.sha256) == 64


def test_not_confident_is_refused_not_guessed():
    with pytest.raises(BadInput, match="save it as UTF-8"):
        decode_bytes("問：好嗎？".encode("cp950"), "short.txt")
    with pytest.raises(BadInput, match="invalid utf-16-le"):
        decode_bytes(codecs.BOM_UTF16_LE + b"\x00\xd8a\x00", "bad.txt")


def test_invisible_and_control_characters_never_reach_speech():
    text = ("Ann\u200b Lee: Hel\u202elo\x00 wor\u2066ld\x07.\r\nBo Chen: Hi\ufeff\u00ad there\x1b.\r"
            "Ann Lee: Bye\u00a0now.\u2028")
    script = parse_text(text)
    assert [s.name for s in script.speakers] == ["Ann Lee", "Bo Chen"]
    assert [t.text for t in script.turns] == ["Hello world.", "Hi there.", "Bye now."]


@pytest.mark.parametrize("text, lang", [
    (ZH_TW, "zh-TW"),
    (ZH_CN, "zh-CN"),
    (EN, "en"),
    ("こんにちは。今日はよろしくお願いします。私たちの会社について話します。", "ja"),
    ("안녕하세요. 오늘 이야기할 주제는 도시의 자전거 도로입니다.", "ko"),
    ("Bonjour à tous. Aujourd'hui nous parlons des pistes cyclables dans notre ville et de leur avenir.", "fr"),
    ("Guten Abend. Heute sprechen wir über die neuen Radwege in unserer Stadt und was sie bedeuten.", "de"),
    ("在 Ray Summit 2024 大會上,OpenAI 的首席產品官 Kevin Weil 將探討 AI 與 API 的新興技術及其未來發展方向。", "zh-TW"),
])
def test_language(text, lang):
    assert detect_language(text) == lang
    assert detect_language(text) == lang  # deterministic
