"""Speaker labels: what a label looks like, how one speaker written two ways is one speaker.

A label is a name (``唐鳳``, ``Audrey Tang``, ``問``, ``Speaker 1``), optionally with a second form or a
role in brackets (``勞勃·西原(Robert Nishihara)``, ``王小明（主持人）``). Nothing here knows any particular
name: which short lines or line prefixes are labels is learned per document in :mod:`.learn`.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from pipeline.ingest.clean import CJK

_PAREN = re.compile(r"^(?P<out>.+?)\s*[（(]\s*(?P<in>[^（）()]+?)\s*[）)]$")
_NAME_CHARS = re.compile(r"^[\w\s·・‧•.\-'’]+$")
_KEY_DROP = re.compile(r"[\s·・‧•．.\-‐–_'’]")
#: Characters that do not occur in Chinese names or titles but do in clauses ("我覺得…的…").
_CLAUSE = re.compile(r"[的了是我你們们他她這这那就都也嗎吗呢吧啊說说有在不要著着]")
_TIME = re.compile(r"^\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?$")
_TRAILING_TIME = re.compile(r"(?:\s*[:：])?\s+[\[(（]?\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?[\])）]?$")
_LEADING_TIME = re.compile(r"^[\[(（]?\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?[\])）]?\s*(?:[-–—]\s*)?")
_WRAP = re.compile(r"^(?:\*\*|__|\*|_)?【?(?P<x>.*?)】?(?:\*\*|__|\*|_)?$")
#: Old newspaper / broadcast house style: ``Mr. STEVE HELY``, ``Ms. TALBOT``.
_HONORIFIC = re.compile(r"^(?:Mr|Mrs|Ms|Miss|Mx|MR|MRS|MS|MISS)\.?\s+(?=\S)")
#: A role or outlet after the name: ``SUSAN DAVIS, HOST``, ``ASMA KHALID, BYLINE``, ``Jo Li, host``.
_COMMA_ROLE = re.compile(r"^(?P<name>[^,，]{1,40}?)\s*[,，]\s*(?P<role>[A-Za-z][A-Za-z.\-]*(?:\s+[A-Za-z][A-Za-z.\-]*){0,3})$")
#: Numbered questions and answers of a press transcript: ``Q1``, ``A12``, ``問3``.
_QA_NUMBERED = re.compile(r"^(?P<x>[QqAa問问答])\s*\d{1,3}$")
_ROLE_DASH = re.compile(r"^(?P<role>[A-Za-z][A-Za-z\-]{1,15})\s+[-–—]\s+(?P<name>\S.{0,39})$")
_NUMBER_SIGN = re.compile(r"\s*#\s*(\d{1,3})$")
#: Roles a broadcast transcript writes after a name (``DAVIS, HOST``): metadata, never part of the name.
_ROLE_WORDS = {"host", "cohost", "byline", "guest", "anchor", "correspondent", "reporter", "moderator",
               "presenter", "producer", "narrator", "announcer", "caller", "panelist", "interviewer"}
_HOST_WORDS = {"host", "cohost", "co-host", "anchor", "moderator", "presenter"}
_CONNECTORS = {"de", "da", "di", "van", "von", "der", "den", "bin", "binti", "al", "el", "la", "le", "du",
               "dos", "das", "del", "y", "of", "the", "st", "mc"}

_HOST = {"主持人", "主持", "主播", "主講人", "主持人甲", "記者", "记者", "採訪者", "采访者", "訪問者",
         "访问者", "提問者", "提问者", "問", "问", "q", "host", "cohost", "moderator", "interviewer",
         "anchor", "presenter"}
_GUEST = {"來賓", "嘉賓", "嘉宾", "来宾", "受訪者", "受访者", "答", "a", "guest", "interviewee",
          "panelist"}

#: Line prefixes that end in a colon but are not speakers ("Note: …", "例如：…").
_NOT_LABELS = {
    "note", "notes", "nb", "ps", "pps", "eg", "ie", "example", "examples", "warning", "caution", "tip",
    "hint", "update", "updated", "source", "sources", "via", "url", "link", "links", "email", "tel",
    "phone", "fax", "address", "date", "time", "location", "venue", "website", "summary", "tldr",
    "important", "reminder", "disclaimer", "result", "results", "reason", "problem", "step", "first",
    "second", "third", "finally", "however", "also", "so", "but", "and", "then", "because", "why", "what",
    "how", "where", "when", "who", "yes", "no", "ok", "okay", "well", "transcript", "title", "subject",
    "keywords", "tags", "category", "author", "editor", "credits", "photo", "image", "caption", "http",
    "https", "ftp", "mailto", "file", "remember", "definition", "context", "background", "rule", "goal",
    "例如", "比如", "譬如", "例子", "舉例", "举例", "注", "註", "注意", "備註", "备注", "提示", "警告",
    "更新", "來源", "来源", "出處", "出处", "網址", "网址", "連結", "链接", "電話", "电话", "地址", "日期",
    "時間", "时间", "地點", "地点", "總結", "总结", "結論", "结论", "重點", "重点", "摘要", "關鍵字",
    "关键词", "標籤", "标签", "作者", "編輯", "编辑", "責任編輯", "责任编辑", "原文", "翻譯", "翻译",
    "譯者", "译者", "圖", "图", "圖片", "图片", "圖說", "图说", "攝影", "摄影", "主題", "主题", "題目",
    "题目", "標題", "标题", "也就是說", "也就是说", "換句話說", "换句话说", "另外", "首先", "其次",
    "第一", "第二", "第三", "最後", "最后", "所以", "但是", "不過", "不过", "然後", "然后", "因此",
    "結果", "结果", "答案", "問題", "问题", "原因", "理由", "定義", "定义", "其實", "其实", "比方說",
    "比方说", "包括", "特別是", "特别是", "尤其是", "就是", "像是", "譬如說", "簡單來說", "简单来说",
    "yeah", "yep", "right", "sure", "thanks", "thankyou", "exactly", "absolutely", "indeed", "wow", "great",
    "good", "fine", "alright", "true", "really", "hmm", "mhm", "uh", "um", "oh", "ah", "agreed", "correct",
    "接下來", "接下来", "總之", "总之", "那麼", "那么", "好", "對", "对", "嗯", "喔", "哦", "謝謝", "谢谢",
    "沒錯", "没错", "當然", "当然", "真的", "確實", "确实", "好的", "沒問題", "没问题", "對啊", "对啊",
    "是啊", "然而", "而且", "同時", "同时", "另一方面", "換言之", "换言之", "例如說", "比如說", "比如说",
}
#: Headings and enumerations that look like names: 第三點, 第二部分, 一、, Part One, Chapter 2.
_ENUMERATION = re.compile(r"^(?:第[\w]{1,4}[點点章節节部段回集篇步輪轮題题]|[一二三四五六七八九十]+[、.]|"
                          r"(?i:part|chapter|section|step|round|episode|season|act|scene|day|week|lesson)\b)")
_SPEECH_VERB = re.compile(r".(說|说|道|表示|指出|認為|认为|回答|是|如下|包括|包含|強調|强调|提到|寫道|写道)$")
_EN_VERB = re.compile(r"\b(said|says|asked|asks|wrote|writes|replied|replies|is|are|was|were|means)$",
                      re.IGNORECASE)


@dataclass(frozen=True)
class LabelParts:
    """A speaker label taken apart."""

    label: str
    """The label as written, without a trailing colon or emphasis markers."""
    name: str
    """The name outside brackets (``勞勃·西原``)."""
    alt: str | None = None
    """The bracketed second form (``Robert Nishihara``), if any."""
    role: str | None = None
    """``host``/``guest`` when the label says so."""

    @property
    def keys(self) -> tuple[str, ...]:
        """Normalised forms that identify this speaker."""
        return (key(self.name),) + ((key(self.alt),) if self.alt else ())


@functools.lru_cache(maxsize=8192)
def key(name: str) -> str:
    """Normalised form of a name for matching: no spaces or dots, case-folded."""
    return _KEY_DROP.sub("", name).casefold()


def unwrap(text: str) -> str:
    """Strip emphasis markers, 【】 and a trailing colon or timestamp from a candidate label."""
    s = text.strip()
    s = _WRAP.match(s).group("x").strip()
    s = _TRAILING_TIME.sub("", s)
    s = s.rstrip("：:").strip()
    return _WRAP.match(s).group("x").strip()


def strip_leading_time(line: str) -> str:
    """Remove a leading timestamp such as ``[00:01:02]`` or ``00:12 -``."""
    return _LEADING_TIME.sub("", line, count=1)


@functools.lru_cache(maxsize=8192)
def parse_label(text: str) -> LabelParts | None:
    """Take a label apart, or None when ``text`` cannot be a speaker label."""
    s = unwrap(text)
    if not s or len(s) > 60:
        return None
    s = _NUMBER_SIGN.sub(r" \1", s)  # ``UNIDENTIFIED PERSON #1``
    numbered = _QA_NUMBERED.match(s)
    if numbered:
        s = numbered.group("x")
    name, alt, role = _HONORIFIC.sub("", s), None, None
    dashed = _ROLE_DASH.match(name)
    if dashed and key(dashed.group("role")) in _ROLE_WORDS:
        name = dashed.group("name")  # ``[Caller - Dee]``
    m = _PAREN.match(name)
    if m:
        name, inner = m.group("out").strip(), m.group("in").strip()
        inner_role = role_of(inner)
        if _TIME.match(inner):
            s = name
        elif inner_role:
            role = inner_role
        elif is_caps_name(name):
            pass  # ``Mr. DESMOND PARRY (Author, "The Last Lamp")``: the bracket describes them
        elif key(inner) in _ROLE_WORDS and inner.islower():
            role = "host" if key(inner) in _HOST_WORDS else None  # ``Tessa (producer)``: a name and a role
        elif key(name) in _ROLE_WORDS and _is_name(inner, 40) and not CJK.search(name):
            name, role = inner, "host" if key(name) in _HOST_WORDS else None  # ``Producer (Kemi)``
        elif _is_name(inner, 40):
            alt = inner
        elif re.fullmatch(r"[a-z][a-z .\-]{1,20}", inner):
            s = name  # ``Marco (chat)``, ``Ann (off mic)``: a note about how they speak
        else:
            return None
    comma = _COMMA_ROLE.match(name) if m is None else None
    if (comma and _is_name(comma.group("name").strip(), 40) and not CJK.search(name)
            and (comma.group("role").isupper() or key(comma.group("role")) in _ROLE_WORDS)):
        name = comma.group("name").strip()
        role = "host" if comma.group("role").casefold() in _HOST_WORDS else role_of(comma.group("role"))
    if not _is_name(name, 16 if CJK.search(name) else 40):
        return None
    first, _, rest = name.partition(" ")
    if rest and role is None and (role_of(first) or key(first) in _ROLE_WORDS) and \
            _is_name(rest.strip(), 16 if CJK.search(rest) else 40):
        name, role = rest.strip(), role_of(first)  # "主持人 陳大文", "Host Jane Doe", "Producer Jess"
    return LabelParts(s, name, alt, role or role_of(name))


def is_caps_name(name: str) -> bool:
    """``SUSAN DAVIS``, ``REYES-BLACK``: a Latin name written in capitals (broadcast transcript style)."""
    letters = [ch for ch in name if ch.isalpha()]
    return len(letters) >= 2 and not CJK.search(name) and all(ch.isupper() for ch in letters)


def role_of(name: str) -> str | None:
    """``host`` / ``guest`` when a name is a role word (主持人, Host, 問, 答 …)."""
    k = key(name)
    if k in _HOST:
        return "host"
    if k in _GUEST:
        return "guest"
    return None


def is_false_label(parts: LabelParts) -> bool:
    """Prefixes such as ``Note``, ``例如`` or ``他說`` that precede a colon but are not speakers."""
    k = key(parts.name)
    if k in _NOT_LABELS or parts.name.casefold() in _NOT_LABELS:
        return True
    return bool(_SPEECH_VERB.search(parts.name) or _EN_VERB.search(parts.name) or _ENUMERATION.match(parts.name))


def is_strong(parts: LabelParts) -> bool:
    """A label whose shape alone says it is one: ``Name(Latin Name)`` or a role word."""
    if parts.role and parts.alt is None and key(parts.name) in (_HOST | _GUEST) - {"a", "q"}:
        return True
    paren = _PAREN.match(parts.label)
    if paren and key(paren.group("out")) in _ROLE_WORDS and parts.name == paren.group("in").strip():
        return True  # ``Producer (Kemi)``: a role and a name
    if paren and key(paren.group("in")) in _ROLE_WORDS and parts.name == paren.group("out").strip():
        return True  # ``Tessa (producer)``
    return bool(parts.alt and re.fullmatch(r"[A-Za-z][A-Za-z .'’\-]{1,39}", parts.alt))


def is_title_case_name(name: str) -> bool:
    """``Audrey Tang``, ``Dr. Jane Smith``: every word capitalised (connectors aside)."""
    words = name.split()
    if not 1 <= len(words) <= 4 or CJK.search(name):
        return False
    return all(w[0].isupper() or w[0].isdigit() or w.casefold() in _CONNECTORS for w in words)


def _is_name(text: str, limit: int) -> bool:
    if not text or len(text) > limit or not _NAME_CHARS.match(text):
        return False
    if not re.search(r"[^\W\d_]", text) or text.endswith("."):
        return False
    if CJK.search(text):
        if _CLAUSE.search(text):
            return False
        latin_words = re.findall(r"[A-Za-z]+", text)
        return len(latin_words) <= 3 and all(w[0].isupper() or len(w) == 1 for w in latin_words)
    words = text.split()
    if len(words) > 5:
        return False
    return all(w[0].isupper() or w[0].isdigit() or w.casefold() in _CONNECTORS for w in words)
