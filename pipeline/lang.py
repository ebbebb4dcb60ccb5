"""Every language fact in one place: tags, Traditional/Simplified variant, CJK character classes, the
words listeners see, speech rates, and small formatting helpers.

* **Tags.** A script keeps the tag it declares (``zh-Hant``, ``yue``, ``en-GB`` …); :func:`region` says which
  regional form a Chinese tag stands for (``zh-TW``, ``zh-CN``, ``zh-HK``) and :func:`variant` which written
  form every listener-facing word takes (``zh-TW`` Traditional, ``zh-CN`` Simplified, ``en`` for every other
  language). A bare ``zh`` (or ``cmn``) is decided by the text, with the one detector in
  :func:`pipeline.ingest.language.chinese_variant` (opencc stays there); the voice preset, which sees only the
  tag, reads it as ``zh-CN``.
* **Characters.** One set of Unicode ranges (:data:`HAN`, :data:`KANA`, :data:`HANGUL` …) from which every
  character class is built.
* **Speech rates.** One table (:data:`FASTEST`, :data:`TYPICAL`, :data:`SLOW`) and one way of counting what
  takes time to say (:func:`speech_units`).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

# ------------------------------------------------------------------------------------------- characters

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
"""Han ideographs: extension A, the unified block, compatibility ideographs, extensions B–G."""
HAN_MARKS = "\u2e80-\u2fdf\u3005-\u3007\u3021-\u3029\u3038-\u303b"
"""Radicals, 々〆〇 and the Suzhou numerals: written inside Chinese text and read with it."""
BOPOMOFO = "\u3100-\u312f\u31a0-\u31bf"
"""Zhuyin (bopomofo) and its extension."""
KANA = "\u3040-\u30ff\u31f0-\u31ff"
"""Hiragana, katakana and the katakana phonetic extensions."""
HANGUL = "\uac00-\ud7af"
"""Precomposed hangul syllables (one spoken syllable each)."""
HANGUL_JAMO = "\u1100-\u11ff\u3130-\u318f"
"""Hangul letters (jamo), conjoining and compatibility: several make one syllable."""

CHINESE_SCRIPT = HAN_MARKS + KANA + BOPOMOFO + HAN
"""What a Mandarin voice reads in mixed text (regex class body): Han, its marks, bopomofo and kana."""
SYLLABIC = KANA + HAN + HANGUL
"""Characters spoken as one syllable each (regex class body): Han, kana, hangul syllables."""
CJK_PUNCTUATION = "\u3000-\u303f"
"""The ideographic space and CJK punctuation (、。「」『』【】…)."""
FULL_WIDTH = "\uff00-\uffef"
"""Full-width and half-width forms (，：！？（） and full-width Latin)."""

#: One character spoken as a syllable (:data:`SYLLABIC`).
SYLLABLE_RE = re.compile(f"[{SYLLABIC}]")
#: A word of any other script (letters or digits, joined by ``'’.+-`` inside it): ``GPT-4``, ``don't``, ``3.5``.
WORD_RE = re.compile(f"[^\\W_{SYLLABIC}](?:['’.+-]*[^\\W_{SYLLABIC}])*")


# -------------------------------------------------------------------------------------------- speech rates


@dataclass(frozen=True)
class SpeechRate:
    """How long speech takes at rate +0%: per syllabic (CJK) character and per other word."""

    ms_per_syllable: float
    """Milliseconds per Han/kana/hangul character."""
    ms_per_word: float
    """Milliseconds per word of another script (or number)."""

    def ms(self, text: str, rate: int = 0) -> float:
        """Spoken length of ``text`` at ``rate`` percent faster (negative: slower)."""
        syllables, words = speech_units(text)
        return (syllables * self.ms_per_syllable + words * self.ms_per_word) / (1 + rate / 100)


FASTEST = SpeechRate(ms_per_syllable=80, ms_per_word=130)
"""Faster than any voice speaks (real voices need 150–300 ms a character, 250–450 ms a word): audio shorter
than this has lost speech."""
TYPICAL = SpeechRate(ms_per_syllable=1000 / 4.5, ms_per_word=1000 / 2.6)
"""An Edge neural voice: ~4.5 Chinese characters or ~2.6 English words a second."""
SLOW = SpeechRate(ms_per_syllable=1000 / 3.4, ms_per_word=1000 / 2.3)
"""The slower of Edge and espeak-ng, pauses included (espeak-ng's Mandarin reads an intro at ~3.3
characters a second): what keeps the intro within its time on either engine."""


def speech_units(text: str) -> tuple[int, int]:
    """(syllabic characters, other words) of ``text``: what takes time to say."""
    return len(SYLLABLE_RE.findall(text)), len(WORD_RE.findall(text))


# ------------------------------------------------------------------------------------------------ tags

TRADITIONAL, SIMPLIFIED, OTHER = "zh-TW", "zh-CN", "en"
"""The three written forms of listener-facing words (:func:`variant`)."""

_CHINESE = ("zh", "cmn", "yue")
_HANT_REGIONS, _HANS_REGIONS = ("tw",), ("cn", "sg", "my")
_HK_REGIONS = ("hk", "mo")


def _chinese_region(language: str) -> str | None:
    """``zh-TW``, ``zh-CN`` or ``zh-HK`` for a Chinese tag, ``zh`` when the tag does not say, None otherwise."""
    parts = language.strip().replace("_", "-").casefold().split("-")
    if parts[0] not in _CHINESE:
        return None
    rest = parts[1:]
    if parts[0] == "yue" or "yue" in rest:
        return "zh-HK"
    if "hant" in rest:
        return "zh-HK" if any(r in rest for r in _HK_REGIONS) else "zh-TW"
    if "hans" in rest:
        return "zh-CN"
    for regions, tag in ((_HANT_REGIONS, "zh-TW"), (_HK_REGIONS, "zh-HK"), (_HANS_REGIONS, "zh-CN")):
        if any(r in rest for r in regions):
            return tag
    return "zh"


def is_chinese(language: str) -> bool:
    """True for any Chinese tag: ``zh``, ``zh-*``, ``cmn``, ``yue``, ``zh-yue`` …"""
    return _chinese_region(language) is not None


def region(language: str) -> str:
    """The regional tag a language tag stands for, as voice presets are named.

    ``zh-Hant`` → ``zh-TW``; ``zh-Hans``, ``zh-SG``, ``cmn`` and a bare ``zh`` → ``zh-CN``; ``yue``,
    ``zh-yue``, ``zh-MO``, ``zh-Hant-HK`` → ``zh-HK``; any other tag as given (stripped).
    """
    found = _chinese_region(language)
    if found is None:
        return language.strip()
    return SIMPLIFIED if found == "zh" else found


_NEAREST = {"zh-TW": "zh-CN", "zh-HK": "zh-TW", "zh-CN": "zh-TW"}


def nearest(region_tag: str) -> str | None:
    """The closest other regional form, for when nothing exists for ``region_tag`` itself
    (zh-TW → zh-CN, zh-HK → zh-TW, zh-CN → zh-TW); None for other tags."""
    return _NEAREST.get(region_tag)


def variant(language: str, sample: str = "") -> str:
    """The written form of listener-facing words: ``zh-TW`` (Traditional, also Hong Kong and Cantonese),
    ``zh-CN`` (Simplified) or ``en`` (every other language).

    A tag that names no region or script (``zh``, ``cmn``) is decided by the characters of ``sample``
    (Simplified when it has no Han characters).
    """
    found = _chinese_region(language)
    if found is None:
        return OTHER
    if found == "zh":
        return _sample_variant(sample)
    return SIMPLIFIED if found == "zh-CN" else TRADITIONAL


def script_variant(script) -> str:
    """:func:`variant` of a :class:`~pipeline.model.Script`, the text deciding a bare ``zh``: the one answer
    every stage uses (the intro, chapter titles, transcripts, show notes, tags)."""
    if _chinese_region(script.language) != "zh":
        return variant(script.language)
    return variant(script.language, "".join(t.text for t in script.turns[:40])[:4000] + script.title)


def script_region(script) -> str:
    """:func:`region` of a script's tag, the text deciding a bare ``zh`` (Traditional text → ``zh-TW``): the
    voices a script is cast from."""
    if _chinese_region(script.language) == "zh":
        return script_variant(script)
    return region(script.language)


_HAN_RE = re.compile(f"[{HAN}]")


@functools.lru_cache(maxsize=32)
def _sample_variant(sample: str) -> str:
    if not _HAN_RE.search(sample):
        return SIMPLIFIED  # what chinese_variant answers too, without loading opencc
    from pipeline.ingest.language import chinese_variant

    return chinese_variant(sample)


# ------------------------------------------------------------------------------------------------ labels

_LABELS = {
    "narrator": ("旁白", "旁白", "Narrator"),
    "introduction": ("節目簡介", "节目简介", "Introduction"),
    "opening": ("開場", "开场", "Opening"),
    "conversation": ("對談", "对谈", "Conversation"),
    "summary": ("本集重點", "本集重点", "In this episode"),
    "speakers": ("講者", "讲者", "Speakers"),
    "key_points": ("核心觀點", "核心观点", "Key points"),
    "chapters": ("章節", "章节", "Chapters"),
    "source": ("來源", "来源", "Source"),
    "host": ("主持人", "主持人", "host"),
    "guest": ("來賓", "嘉宾", "guest"),
    "voice": ("聲音", "声音", "voice"),
    "published": ("發布日期", "发布日期", "Published"),
    "duration": ("長度", "时长", "Duration"),
    "transcript": ("逐字稿", "逐字稿", "Transcript"),
    "credit": ("本集由 Recast 依逐字稿以合成語音重新製作", "本集由 Recast 依逐字稿以合成语音重新制作",
               "Re-voiced from the transcript with synthetic speech by Recast"),
}
_COLUMN = {TRADITIONAL: 0, SIMPLIFIED: 1, OTHER: 2}

#: ISO 639-2 codes for ID3 COMM/USLT frames.
_ISO639_2 = {"zh": "chi", "en": "eng", "ja": "jpn", "ko": "kor", "fr": "fre", "de": "ger", "es": "spa",
             "it": "ita", "pt": "por", "ru": "rus", "nl": "dut", "vi": "vie", "th": "tha", "id": "ind"}


def label(key: str, language: str) -> str:
    """A listener-facing word (``narrator``, ``chapters``, ``introduction`` …) in the written form of
    ``language`` (a tag, or a :func:`variant` / :func:`script_variant` answer)."""
    return _LABELS[key][_COLUMN[variant(language)]]


def narrator_name(language: str) -> str:
    """How transcripts and show notes name the narrator who reads the intro (旁白 / Narrator)."""
    return label("narrator", language)


def iso639_2(language: str) -> str:
    """Three-letter language code for ID3 frames (``und`` when unknown)."""
    return "chi" if is_chinese(language) else _ISO639_2.get(language.split("-")[0].lower(), "und")


def is_cjk_language(language: str) -> bool:
    """True for Chinese (Cantonese included), Japanese and Korean (wider glyphs, no spaces between words)."""
    return is_chinese(language) or language.strip().split("-")[0].lower() in ("ja", "ko")


def colon(language: str) -> str:
    """``：`` after a label in CJK text, ``: `` otherwise."""
    return "：" if is_cjk_language(language) else ": "


def char_width(ch: str) -> int:
    """Display columns of a character: 2 for wide (CJK) glyphs, 0 for combining marks, else 1."""
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def text_width(text: str) -> int:
    """Display columns of a string."""
    return sum(char_width(c) for c in text)


def join_text(parts: list[str]) -> str:
    """Join pieces of one turn: one space between words, none between two CJK characters and none
    next to full-width punctuation or inside brackets (``和 OpenAI 的``, ``「OpenAI」``)."""
    out = ""
    for part in (p.strip() for p in parts):
        if not part:
            continue
        if out and not _tight(out[-1], part[0]):
            out += " "
        out += part
    return out


def _tight(left: str, right: str) -> bool:
    if char_width(left) == 2 and char_width(right) == 2:
        return True
    if left in "「『“‘(（[" or right in "」』”’)）],.;:!?%":
        return True
    return any(char_width(c) == 2 and unicodedata.category(c).startswith("P") for c in (left, right))


def hms(ms: int) -> str:
    """``HH:MM:SS`` for show notes and chapter lists."""
    s = max(0, int(ms)) // 1000
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def seconds(ms: int) -> float:
    """Milliseconds as seconds with millisecond precision (for JSON)."""
    return round(int(ms) / 1000, 3)
