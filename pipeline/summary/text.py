"""Text handling for the summary: length, sentences, tokens, filters and condensing.

Chinese is tokenized with jieba through :func:`pipeline.segment.words`; English with a word regex and a
light suffix stemmer. Everything here is pure and deterministic.
"""

from __future__ import annotations

import re

from pipeline.lang import SYLLABIC
from pipeline.summary import stopwords

# ----------------------------------------------------------------------------------------------- length

_CJK = SYLLABIC  # kana, Han, hangul (regex class body)
_CJK_RE = re.compile(f"[{_CJK}]")
_LATIN_WORD_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’.+-]*")


def is_cjk_text(text: str) -> bool:
    """True when CJK characters make up a fair share of the text's letters."""
    cjk = len(_CJK_RE.findall(text))
    return cjk > 0 and cjk >= 0.3 * (cjk + len(_LATIN_WORD_RE.findall(text)))


def units(text: str, cjk: bool) -> int:
    """Length as the limits count it: CJK characters plus two per Latin word for Chinese; words for English."""
    if cjk:
        return len(_CJK_RE.findall(text)) + 2 * len(_LATIN_WORD_RE.findall(text))
    return len(_LATIN_WORD_RE.findall(text))


# ------------------------------------------------------------------------------------------- sentences

_CLOSERS = "」』”’）)】\"'"
_ZH_SPLIT_RE = re.compile(rf"(?:[。！？!?]+|…{{2,}}|……|\.(?=\s|$)(?<![0-9]\.))[{_CLOSERS}]*")
_EN_ABBREV = ("mr.", "mrs.", "ms.", "dr.", "prof.", "st.", "vs.", "e.g.", "i.e.", "etc.", "u.s.", "u.k.", "no.")
_EN_SPLIT_RE = re.compile(rf"(?<=[.!?…])[{_CLOSERS}]*\s+(?=[\"“‘(\[]?[A-Z0-9])")


def sentences(text: str, cjk: bool) -> list[str]:
    """Split a turn's text into sentences (paragraph breaks always split)."""
    out: list[str] = []
    for para in text.splitlines():
        para = para.strip()
        if not para:
            continue
        if cjk:
            start = 0
            for m in _ZH_SPLIT_RE.finditer(para):
                out.append(para[start:m.end()].strip())
                start = m.end()
            out.append(para[start:].strip())
        else:
            start = 0
            for m in _EN_SPLIT_RE.finditer(para):
                head = para[start:m.start()].strip()
                last = head.rsplit(None, 1)[-1].lower() if head else ""
                if last in _EN_ABBREV or re.search(r"\b[A-Z]\.$", head):
                    continue
                out.append(head)
                start = m.end()
            out.append(para[start:].strip())
    return [s for s in out if s and any(ch.isalnum() for ch in s)]


# ---------------------------------------------------------------------------------------------- tokens

_EN_TOKEN_RE = re.compile(r"[a-z][a-z'’-]*[a-z]|[a-z]|\d+(?:\.\d+)?")


def _stem(word: str) -> str:
    """A light, deterministic English suffix stemmer (enough to match plural and verb forms)."""
    for suffix, repl, minimum in (("ies", "y", 5), ("sses", "ss", 5), ("ing", "", 6), ("ed", "", 5),
                                  ("ly", "", 6), ("s", "", 4)):
        if word.endswith(suffix) and len(word) >= minimum and not (suffix == "s" and word[-2] in "su"):
            return word[: len(word) - len(suffix)] + repl
    return word


def _en_tokens(text: str) -> list[str]:
    out = []
    for w in _EN_TOKEN_RE.findall(text.lower().replace("’", "'")):
        w = w.removesuffix("'s")
        if w in stopwords.EN or len(w) < 2 and not w.isdigit():
            continue
        out.append(_stem(w))
    return out


def tokens(text: str, cjk: bool) -> list[str]:
    """Content tokens of a sentence: stop words, punctuation and single Chinese characters removed."""
    if not cjk:
        return _en_tokens(text)
    from pipeline.segment import words

    out: list[str] = []
    for w in words(text):
        w = w.strip()
        if not w:
            continue
        if _CJK_RE.match(w):
            if len(w) >= 2 and w not in stopwords.ZH:
                out.append(w)
        elif any(ch.isalnum() for ch in w):
            out.extend(_en_tokens(w))
    return out


# --------------------------------------------------------------------------------------------- filters

_QUESTION_END_RE = re.compile(rf"[?？][{_CLOSERS}]*$|[嗎吗呢][。.]?[{_CLOSERS}]*$")
_ZH_SMALLTALK_RE = re.compile(
    r"^(?:大家好|你好|您好|哈囉|嗨|謝謝|谢谢|感謝|感谢|多謝|多谢|恭喜|歡迎|欢迎|很高興|很高兴|好的|沒問題|没问题|"
    r"沒錯|没错|對的|对的|是的|確實如此|确实如此|不客氣|不客气|再見|再见)"
    r"|謝謝|谢谢|感謝你|感谢你|感謝您|感谢您|邀請我|邀请我|聽得到|听得到|錄音|录音|逐字稿")
_EN_SMALLTALK_RE = re.compile(
    r"^(?:hi|hello|hey|thanks|thank you|welcome|congratulations|good (?:morning|afternoon|evening)|"
    r"nice to (?:meet|see)|great to (?:be|see)|it'?s a pleasure|my pleasure|sure|of course|okay|ok|right|"
    r"exactly|absolutely)\b"
    r"|\bthank(?:s| you)\b|\bcan you hear me\b|\brecord(?:ing)?\b|\btranscript\b|\bget started\b",
    re.IGNORECASE)


def is_continuation(sentence: str) -> bool:
    """True for a sentence that continues someone else's (opens with an ellipsis or a lower-case word)."""
    s = sentence.lstrip()
    return s.startswith(("…", "...", "—", "–", "-")) or s[:1].islower()


def is_question(sentence: str) -> bool:
    """True for questions (they introduce topics; they are not key points)."""
    return bool(_QUESTION_END_RE.search(sentence.rstrip()))


def is_smalltalk(sentence: str, cjk: bool) -> bool:
    """Greetings, thanks, agreement tokens and talk about the recording itself."""
    return bool((_ZH_SMALLTALK_RE if cjk else _EN_SMALLTALK_RE).search(sentence.strip()))


_ZH_EXAMPLE_RE = re.compile(r"^(?:比如|例如|舉例來說|举例来说|舉個例子|举个例子|好比|像是|譬如)")
_EN_EXAMPLE_RE = re.compile(r"^(?:for (?:example|instance)|e\.g\.|say|like)\b", re.IGNORECASE)


def is_example(sentence: str, cjk: bool) -> bool:
    """True when the sentence opens as an example (比如… / For example …) rather than a claim."""
    return bool((_ZH_EXAMPLE_RE if cjk else _EN_EXAMPLE_RE).match(sentence.strip()))


_ZH_ANECDOTE_RE = re.compile(r"^(?:昨天|前天|今天早上|不久前|幾周前|几周前|幾天前|几天前|上週|上周|去年|當時|当时|那時|那时|"
                             r"我記得|我记得|有一次|有一天|後來|后来)")
_EN_ANECDOTE_RE = re.compile(r"^(?:yesterday|last (?:week|month|year)|a (?:few|couple of) (?:days|weeks|months) ago|"
                             r"i remember|once|one day|back then|at the time|when i was)\b", re.IGNORECASE)


def is_anecdote(sentence: str, cjk: bool) -> bool:
    """True when the sentence opens a story (昨天… / I remember …): colour, rarely the point itself."""
    return bool((_ZH_ANECDOTE_RE if cjk else _EN_ANECDOTE_RE).match(sentence.strip()))


_ZH_DANGLING_RE = re.compile(r"^(?:這|那|它|他|她|此|该|該|这|其|上述|前者|後者|后者|第[一二三四五六七八九十]+[個个點点]?是)")
_EN_DANGLING_RE = re.compile(r"^(?:this|that|these|those|it|they|he|she|them|there)\b", re.IGNORECASE)


def dangles(sentence: str, cjk: bool) -> bool:
    """True when the sentence opens with a pronoun pointing back at context the listener does not have."""
    return bool((_ZH_DANGLING_RE if cjk else _EN_DANGLING_RE).match(sentence.strip()))


# ------------------------------------------------------------------------------------------- condensing

_ZH_MARKERS = (
    "我想說的是", "我想说的是", "總體而言", "总体而言", "總的來說", "总的来说", "換句話說", "换句话说", "實際上",
    "实际上", "事實上", "事实上", "基本上", "坦白說", "坦白说", "老實說", "老实说", "老實講", "老实讲", "可以說",
    "可以说", "就是說", "就是说", "我認為", "我认为", "我覺得", "我觉得", "我相信", "我發現", "我发现", "其實",
    "其实", "所以", "因此", "然而", "不過", "不过", "但是", "而且", "另外", "此外", "當然", "当然", "顯然",
    "显然", "那麼", "那么", "然後", "然后", "首先")
# stripped only when punctuation or a space follows them
_ZH_SOFT_MARKERS = ("我後來想一下", "我后来想一下", "現在是這樣", "现在是这样", "我跟你講", "我跟你讲", "你知道",
                    "是這樣", "是这样", "我想一下", "這樣子", "这样子", "對啊", "对啊", "好的", "是的", "沒錯", "没错", "而", "但", "那", "好", "是", "對", "对", "嗯",
                    "喔", "哦", "欸", "啊")
_ZH_MARKER_TAIL_RE = re.compile(r"^[，,、：:\s]*")
_EN_MARKERS_RE = re.compile(
    r"^(?:and|so|well|but|now|actually|basically|of course|i think(?: that)?|i believe(?: that)?|i mean|"
    r"what i(?:'m|’m| am) (?:trying to say|saying) is(?: that)?|what i mean is(?: that)?|i would say(?: that)?|"
    r"i'd say(?: that)?|as (?:i|you) (?:said|mentioned)|like i said|let's say|"
    r"(?:i know|i see|i agree|true|that's true|that's right|exactly|absolutely|great question)(?=,)|"
    r"you know|yes|yeah|no|okay|ok|right|sure|also|then|indeed|in fact|honestly|obviously|clearly|"
    r"again|anyway|look|see)\b[,:;]?\s+", re.IGNORECASE)


def strip_markers(sentence: str, cjk: bool) -> str:
    """Remove leading discourse markers (我認為、其實、所以 / And, So, Well, I think …)."""
    s = sentence.strip()
    for _ in range(4):
        before = s
        if cjk:
            for m in _ZH_MARKERS:
                if s.startswith(m) and len(s) > len(m) + 4:
                    s = _ZH_MARKER_TAIL_RE.sub("", s[len(m):])
                    break
            else:
                for m in _ZH_SOFT_MARKERS:
                    if s.startswith(m) and len(s) > len(m) + 4 and s[len(m)] in "，, 、：:":
                        s = _ZH_MARKER_TAIL_RE.sub("", s[len(m):])
                        break
        else:
            s = _EN_MARKERS_RE.sub("", s, count=1)
            if s != before and s[:1].islower() and not s.startswith(("iPhone", "iPad", "eBay")):
                s = s[0].upper() + s[1:]
        if s == before:
            break
    return s


_ZH_CLAUSE_RE = re.compile(r"(?<=[，；：])|(?<=[,;:])(?!\d)")
_EN_CLAUSE_RE = re.compile(r"(?<=[,;:])\s+|\s+(?=—)|\s+(?=–\s)")
_END_PUNCT_RE = re.compile(r"[\s，,；;：:、…。.！!？?—–-]*$")


def _close(text: str, cjk: bool) -> str:
    text = text.strip()
    if len(text) >= 2 and text[-1] in _CLOSERS and text[-2] in "。.！!？?":
        return text
    body = _END_PUNCT_RE.sub("", text)
    if text.endswith(("！", "!")):
        return body + ("！" if cjk else "!")
    return body + ("。" if cjk else ".")


_ZH_SUBORDINATE_RE = re.compile(r"^(?:如果|假如|要是|假設|假设|雖然|虽然|儘管|尽管|因為|因为|由於|由于|[當当](?=.*[時时後后])|為了|为了|"
                                r"除非|只要|即使|一旦|無論|无论)")
_ZH_CONTINUING_RE = re.compile(r"^(?:但|而|因為|因为|所以|如果|雖然|虽然|當|当|並|并|且|或|以及|以便|從而|从而|甚至|"
                               r"例如|比如|像是|就像|包括|尤其|特別是|特别是|也就是|不僅|不仅)|(?:的時候|的时候|時|时)$")
_EN_SUBORDINATE_RE = re.compile(r"^(?:if|because|although|though|when|whenever|while|unless|since|as|whether|"
                                r"which|who|where|so that|even if)\b", re.IGNORECASE)
_EN_CONTINUING_RE = re.compile(r"^(?:and|but|or|so|because|if|when|which|that|who|where|while|although|though|as|"
                               r"since|unless|whether|to|like|such as|including|especially|for example)\b",
                               re.IGNORECASE)
_ASCII_IN_CJK_RE = re.compile(rf"(?<=[{_CJK}])\s*([,;:?!])\s*|\s*([,;:?!])\s*(?=[{_CJK}])")
_FULL_WIDTH = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！"}


def _fragment(clause: str, cjk: bool) -> bool:
    """True when a clause only sets up a condition or a reason (如果… / because …) without the main clause."""
    return bool((_ZH_SUBORDINATE_RE if cjk else _EN_SUBORDINATE_RE).match(clause.strip()))


def condense(sentence: str, cjk: bool, limit: int) -> str | None:
    """The sentence without leading markers, trimmed to whole clauses within ``limit`` units.

    Returns None when nothing readable fits: one very long clause, or only a dependent clause
    (如果… / If … without its main clause).
    """
    s = strip_markers(sentence, cjk)
    if cjk:
        s = _ASCII_IN_CJK_RE.sub(lambda m: _FULL_WIDTH[m.group(1) or m.group(2)], s)
    parts = [p for p in (_ZH_CLAUSE_RE if cjk else _EN_CLAUSE_RE).split(s) if p.strip()]
    if units(s, cjk) <= limit:
        return None if len(parts) == 1 and _fragment(s, cjk) else _close(s, cjk)
    kept: list[str] = []
    for part in parts:
        if units("".join(kept) + part, cjk) > limit:
            break
        kept.append(part)
    continuing = _ZH_CONTINUING_RE if cjk else _EN_CONTINUING_RE
    while len(kept) > 1 and continuing.search(_END_PUNCT_RE.sub("", kept[-1]).strip()):
        kept.pop()
    text = "".join(kept) if cjk else " ".join(k.strip() for k in kept)
    if not kept or (len(kept) == 1 and _fragment(text, cjk)) or not balanced(text):
        return None
    return _close(text, cjk)


def balanced(text: str) -> bool:
    """True when every opening quote or bracket in the text is closed in it."""
    return all(text.count(a) == text.count(b) for a, b in ("「」", "『』", "“”", "（）", "()", "【】"))


def bare(point: str) -> str:
    """A point without its closing punctuation, for listing inside a sentence."""
    return _END_PUNCT_RE.sub("", point.strip())
