"""Words the outputs show to listeners, in the edition's language, and small formatting helpers."""

from __future__ import annotations

import unicodedata

_LABELS = {
    "narrator": ("旁白", "旁白", "Narrator"),
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

#: ISO 639-2 codes for ID3 COMM/USLT frames.
_ISO639_2 = {"zh": "chi", "en": "eng", "ja": "jpn", "ko": "kor", "fr": "fre", "de": "ger", "es": "spa",
             "it": "ita", "pt": "por", "ru": "rus", "nl": "dut", "vi": "vie", "th": "tha", "id": "ind"}


def family(language: str) -> int:
    """0 for Traditional Chinese, 1 for Simplified Chinese, 2 for everything else."""
    tag = language.replace("_", "-").lower()
    if not (tag == "zh" or tag.startswith("zh-")):
        return 2
    return 0 if any(p in tag for p in ("-tw", "-hk", "-mo", "hant")) else 1


def label(key: str, language: str) -> str:
    """A listener-facing word (``narrator``, ``chapters`` …) in the edition's language."""
    return _LABELS[key][family(language)]


def narrator_name(language: str) -> str:
    """How transcripts and show notes name the narrator who reads the intro (旁白 / Narrator)."""
    return label("narrator", language)


def iso639_2(language: str) -> str:
    """Three-letter language code for ID3 frames (``und`` when unknown)."""
    return _ISO639_2.get(language.split("-")[0].lower(), "und")


def is_cjk_language(language: str) -> bool:
    """True for Chinese, Japanese and Korean editions (wider glyphs, no spaces between words)."""
    return language.split("-")[0].lower() in ("zh", "ja", "ko")


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
