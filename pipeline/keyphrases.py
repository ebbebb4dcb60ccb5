"""Keyphrases of a text, and a title made of them (YAKE lives only here; Chinese words come from jieba
through :mod:`pipeline.segment`).

English (and other space-separated languages): YAKE, an unsupervised keyphrase extractor that scores
n-grams by position, frequency, case and spread over the text, with no model to load. Chinese: jieba's
TF-IDF keywords over the text's own words (the IDF table ships inside jieba), without stop words. Both are
deterministic. Speakers' own names are never keyphrases (a title that is only a name says nothing).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pipeline.lang import SIMPLIFIED, SYLLABLE_RE, is_cjk_language, variant
from pipeline.summary.stopwords import EN, ZH

#: Less text than this has no keyphrases worth a title (its opening sentence is the title then).
MIN_WORDS, MIN_SYLLABLES = 40, 80
#: How much of a long transcript is read (keyphrases of the first hour are the episode's).
MAX_CHARS = 60_000
_EN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
#: Conversational words that are frequent in talk but never a topic.
_CHATTER = {"hey", "hi", "hello", "bye", "goodbye", "thanks", "cheers", "okay", "ok", "yeah", "yes", "yep", "no", "oh", "um", "uh", "thank",
            "welcome", "everybody", "everyone", "guys", "folks", "today", "tonight", "episode", "show", "podcast",
            "lot", "lots", "thing", "things", "stuff", "kind", "sort", "way", "bit", "right", "sure", "gonna"}
_ZH_CHATTER = {"歡迎", "欢迎", "邀請", "邀请", "晚上", "早上", "今天", "明天", "昨天", "節目", "节目", "大家", "謝謝",
               "谢谢", "聽眾", "听众", "各位", "收聽", "收听", "朋友", "來賓", "来宾", "嘉賓", "嘉宾", "主持人",
               "本集", "這集", "这集", "一下", "時候", "时候", "東西", "东西", "感覺", "感觉"}
_ZH_NUMBER = re.compile(r"^[零〇一二三四五六七八九十百千萬万億亿兩两\d]+[年月日號号歲岁點点分秒個个]?$")
_SMALL_WORDS = {"a", "an", "and", "as", "at", "but", "by", "for", "in", "of", "on", "or", "the", "to", "vs",
                "with", "from", "into", "over"}


def keyphrases(text: str, language: str, n: int = 3, *, exclude: Iterable[str] = ()) -> list[str]:
    """Up to ``n`` keyphrases of ``text``, best first (none for a text too short to have any)."""
    text = text[:MAX_CHARS]
    banned = {e.casefold() for e in exclude if e}
    banned |= {w.casefold() for e in exclude for w in e.split()}
    if language.startswith(("zh", "ja", "ko", "yue", "cmn")) or len(SYLLABLE_RE.findall(text)) * 2 > len(text):
        return _chinese(text, n, banned)
    return _english(text, n, banned)


def content_title(text: str, language: str, *, exclude: Iterable[str] = ()) -> str:
    """A short title from what is said, for a transcript that states none: its two leading keyphrases
    (``Rain Gardens and Clay Soil``, ``雨水花園與黏土``); "" when nothing stands out."""
    if len(SYLLABLE_RE.findall(text)) < MIN_SYLLABLES and len(_EN_WORD.findall(text)) < MIN_WORDS:
        return _opening(text)  # a few lines: nothing can stand out of so little
    found = keyphrases(text, language, 2, exclude=exclude)
    if not found:
        return _opening(text)
    if SYLLABLE_RE.search(found[0]) or is_cjk_language(language):
        joiner = "与" if variant(language, text) == SIMPLIFIED else "與"
        return joiner.join(found)
    return " and ".join(_title_case(p) for p in found)


def _english(text: str, n: int, banned: set[str]) -> list[str]:
    import yake

    letters = [ch for ch in text if ch.isalpha()]
    if letters and sum(ch.isupper() for ch in letters) > 0.6 * len(letters):
        text = text.lower()  # captions in capitals: case says nothing about names then
    extractor = yake.KeywordExtractor(lan="en", n=3, dedupLim=0.6, top=max(20, 6 * n))
    found = []
    for rank, (phrase, _score) in enumerate(extractor.extract_keywords(text)):
        words = [w.casefold() for w in _EN_WORD.findall(phrase)]
        if not words or any(w in banned or w in _CHATTER for w in words) or all(w in EN for w in words):
            continue
        if any(w in EN for w in words):
            continue  # "the bank", "levels are weird": a title's phrase is content words only
        found.append((len(words) == 1, rank, phrase.strip(), set(words) - EN))
    out: list[str] = []
    used: set[str] = set()
    for _single, _rank, phrase, content in sorted(found):  # phrases of several words first, then by score
        if content & used:
            continue  # "Field Notes", then not "Back to Field"
        out.append(phrase)
        used |= content
        if len(out) == n:
            break
    return out


def _chinese(text: str, n: int, banned: set[str]) -> list[str]:
    from pipeline.segment import keywords

    out: list[str] = []
    for word in keywords(text, 10 * n):
        if len(word) < 2 or word in ZH or word in _ZH_CHATTER or _ZH_NUMBER.match(word):
            continue
        if word.casefold() in banned or any(word in b for b in banned):
            continue
        if not SYLLABLE_RE.search(word) and word.casefold() in EN:
            continue
        out.append(word)
        if len(out) == n:
            break
    return out


def _title_case(phrase: str) -> str:
    words = phrase.split()
    return " ".join(w if (w.isupper() or any(ch.isupper() for ch in w[1:])) else
                    (w if i and w.casefold() in _SMALL_WORDS else w[:1].upper() + w[1:])
                    for i, w in enumerate(words))


_SENTENCE = re.compile(r"^(.+?[。！？!?]|.+?\.(?=\s|$))")


def _opening(text: str) -> str:
    """The first sentence, shortened (for a transcript too short to have keyphrases)."""
    first = " ".join(text.split())
    m = _SENTENCE.match(first)
    sentence = (m.group(1) if m else first).strip().rstrip("。.!！")
    if all(w.casefold() in _CHATTER for w in _EN_WORD.findall(sentence)) and not SYLLABLE_RE.search(sentence):
        return ""  # "Hi." says nothing: the file's own name is the better title then
    if SYLLABLE_RE.search(sentence):
        return sentence[:16]
    return " ".join(sentence.split()[:8])
