"""Keyphrases of a text, and a title made of them (YAKE lives only here).

English (and other space-separated languages): YAKE, an unsupervised keyphrase extractor that scores
n-grams by position, frequency, case and spread over the text, with no model to load. Chinese: the runs of
2–4 Han characters that recur most (the longest form of a repeated phrase), without stop words and talk's
glue — no dictionary to load, so ``inspect`` stays fast. Both are deterministic. Speakers' own names are never keyphrases (a title that is only a name says nothing).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from pipeline.lang import HAN, SIMPLIFIED, SYLLABLE_RE, is_cjk_language, variant
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
#: Characters a Chinese topic phrase neither starts nor ends with (particles, pronouns, function words).
_ZH_EDGE = set("的了是在我你他她它們们這这那就都也還还而及與与和跟或嗎吗呢吧啊呀喔哦嘛啦個个一不有要會会說说到對对把被讓让給给很更最")
#: Words that glue talk together and so recur without being a topic.
_ZH_GLUE = {"我們", "我们", "你們", "你们", "他們", "他们", "就是", "其實", "其实", "所以", "因為", "因为", "然後", "然后",
            "可以", "什麼", "什么", "這個", "这个", "那個", "那个", "一個", "一个", "覺得", "觉得", "知道", "沒有", "没有",
            "現在", "现在", "如果", "但是", "還是", "还是", "已經", "已经", "應該", "应该", "需要", "非常"}
_HAN_RUN = re.compile(f"[{HAN}]+")
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
    """Chinese keyphrases by the recurring runs of characters (2–4 Han characters that come back often,
    the longest form of a repeated phrase preferred over its parts): no dictionary to load, so a transcript
    is titled in milliseconds."""
    runs = _HAN_RUN.findall(text)
    counts: Counter[str] = Counter()
    for run in runs:
        for size in (2, 3, 4):
            for k in range(len(run) - size + 1):
                counts[run[k:k + size]] += 1
    extended: dict[str, int] = {}  # a run → how often its most frequent one-character-longer form comes back
    for gram, count in counts.items():
        if len(gram) > 2:
            for part in (gram[1:], gram[:-1]):
                extended[part] = max(extended.get(part, 0), count)
    scored = []
    for gram, count in counts.items():
        if count < 3 or _stop(gram) or any(gram in b or b in gram for b in banned if len(b) >= 2):
            continue
        scored.append((count * len(gram) ** 1.5, count, gram))
    out: list[str] = []
    for _score, count, gram in sorted(scored, key=lambda x: (-x[0], x[2])):
        # a part of a chosen phrase, or a phrase that only extends one, says nothing new
        if any(gram in o or o in gram for o in out):
            continue
        if extended.get(gram, 0) >= 0.8 * count:
            continue  # "模型" when "語言模型" comes back just as often: the longer phrase is the topic
        out.append(gram)
        if len(out) == n:
            break
    return out


def _stop(gram: str) -> bool:
    """A run that is no topic: made of stop words or chatter, a number, or starting/ending on a particle."""
    if gram in ZH or gram in _ZH_CHATTER or _ZH_NUMBER.match(gram):
        return True
    if gram[0] in _ZH_EDGE or gram[-1] in _ZH_EDGE:
        return True
    return any(w in gram for w in _ZH_CHATTER | _ZH_GLUE)


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
