"""Language of a transcript (opencc and langdetect live only here); the facts it uses are in :mod:`pipeline.lang`.

Chinese is recognised by its share of Han characters, then told Traditional (``zh-TW``) from Simplified
(``zh-CN``) by which characters OpenCC would change in each direction. Other languages come from
langdetect (seeded, so the answer is stable) as a primary subtag (``en``, ``ja``, ``fr`` …).
"""

from __future__ import annotations

import functools
import re

from pipeline.lang import HAN, HANGUL, HANGUL_JAMO, KANA

_HAN = re.compile(f"[{HAN}]")
_KANA = re.compile(f"[{KANA}]")
_HANGUL = re.compile(f"[{HANGUL}{HANGUL_JAMO}]")
_LETTER = re.compile(r"[^\W\d_]")

_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
_ENGLISH = frozenset("the and to of is that you it for with this have are be not we they what but my your our "
                     "there would about think just it's i'm don't can".split())

#: How much dialogue text is examined (detection is about the whole, not every character).
SAMPLE_CHARS = 20000


def detect_language(text: str) -> str:
    """BCP-47 tag for ``text``: ``zh-TW``, ``zh-CN``, ``ja``, ``ko``, ``en``, ``fr`` …"""
    sample = _sample(text)
    letters = len(_LETTER.findall(sample))
    if not letters:
        return "en"
    han = len(_HAN.findall(sample))
    kana = len(_KANA.findall(sample))
    hangul = len(_HANGUL.findall(sample))
    if kana >= 0.05 * letters and kana >= 0.1 * (han + kana):
        return "ja"
    if hangul >= 0.2 * letters:
        return "ko"
    if han >= 0.2 * letters:
        return chinese_variant(sample)
    if _plainly_english(sample):
        return "en"
    return _langdetect(sample)


def _plainly_english(sample: str) -> bool:
    """English function words make up a large share of any English text and of no other language's;
    a clear case needs no language model (langdetect takes most of a second to load)."""
    words = _WORD.findall(sample.lower())
    if len(words) < 40 or any(ord(ch) > 0x24F for ch in sample if ch.isalpha()):
        return False
    return sum(1 for w in words if w in _ENGLISH) >= 0.15 * len(words)


def chinese_variant(text: str) -> str:
    """``zh-TW`` when the text uses Traditional characters, ``zh-CN`` when Simplified: the one
    Traditional/Simplified detector (ingest uses it for transcripts, :func:`pipeline.lang.variant` for a
    script tagged plain ``zh``)."""
    chars = sorted(set(_HAN.findall(text)))
    if not chars:
        return "zh-CN"  # nothing to tell by: Simplified, as a bare "zh" tag reads (pipeline.lang.region)
    joined = "\n".join(chars)
    to_simplified = _converter("t2s").convert(joined).split("\n")
    to_traditional = _converter("s2t").convert(joined).split("\n")
    counts = {c: text.count(c) for c in chars} if len(text) <= SAMPLE_CHARS else None
    traditional = simplified = 0
    for i, ch in enumerate(chars):
        weight = counts[ch] if counts else 1
        if i < len(to_simplified) and to_simplified[i] != ch:
            traditional += weight
        if i < len(to_traditional) and to_traditional[i] != ch:
            simplified += weight
    return "zh-CN" if simplified > traditional else "zh-TW"


@functools.lru_cache(maxsize=2)
def _converter(config: str):
    import opencc

    return opencc.OpenCC(config)


def _langdetect(sample: str) -> str:
    from langdetect import DetectorFactory, LangDetectException, detect

    DetectorFactory.seed = 0
    try:
        code = detect(sample)
    except LangDetectException:
        return "en"
    if code.startswith("zh"):
        return chinese_variant(sample)
    return code.split("-")[0]


def _sample(text: str) -> str:
    if len(text) <= SAMPLE_CHARS:
        return text
    third = SAMPLE_CHARS // 3
    middle = len(text) // 2
    return text[:third] + "\n" + text[middle:middle + third] + "\n" + text[-third:]
