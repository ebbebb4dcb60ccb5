"""The metadata around a transcript: breadcrumb, title, date, duration stamp, intro, key points, footer.

All of it becomes :class:`~pipeline.model.Script` metadata (or is dropped as site boilerplate); none of
it is ever dialogue.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from pipeline.ingest import directions
from pipeline.ingest.clean import CJK

_BREADCRUMB = re.compile(
    r"^(?:當前位置|当前位置|目前位置|您的位置|你的位置|現在位置|所在位置|位置|首頁|首页|主頁|主页|Home|You are here)"
    r"\s*[:：>›»/|]|^\S{1,12}(?:\s*[>›»]\s*\S{1,20}){1,6}$",
    re.IGNORECASE,
)
_STAMP = re.compile(
    r"^(?:(?:時長|时长|片長|片长|長度|长度|影片長度|Duration|Length|Runtime)\s*[:：]?\s*)?"
    r"\d{1,2}:\d{2}(?::\d{2})?$",
    re.IGNORECASE,
)
_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
_DATE_PATTERNS = (
    re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})(?:\s*日)?(?!\d)"),
    re.compile(r"\b(?P<mon>[A-Za-z]{3,9})\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>(?:19|20)\d{2})\b"),
    re.compile(r"\b(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?P<mon>[A-Za-z]{3,9})\.?,?\s+(?P<y>(?:19|20)\d{2})\b"),
    # Taiwan's ROC calendar: 中華民國108年2月22日, 民國113年5月18日 (year 1 = 1912)
    re.compile(r"(?:中華民國|中华民国|民國|民国)\s*(?P<roc>\d{1,3})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日?"),
)
_DATE_LEAD = re.compile(r"^(?:日期|發布|发布|發佈|发表|發表|時間|时间|更新|Published|Date|Posted|Updated|On)"
                        r"[^:：]{0,6}[:：]?\s*", re.IGNORECASE)
_BULLET = re.compile(r"^\s*(?:[•●▪◦‧∙○■□◆◇►▶➤✓✔①-⑳]\s*|[·*+\-–—]\s+|\d{1,2}[.)]\s+|\d{1,2}、\s*|[（(]\d{1,2}[）)]\s*)")
_NOTE = re.compile(
    r"^(?:以下是|以下為|以下为|以下內容|以下内容|以下為您|編按|编按|編者按|编者按|編註|编注|"
    r"The following|Below is|This (?:is an? )?(?:edited |lightly edited |condensed )?transcript)|"
    r"刪減|删减|逐字稿|文字稿|完整轉譯|完整转译|完整翻譯|完整翻译|全文翻譯|全文翻译|"
    r"edited for (?:length|clarity)|condensed for|lightly edited",
    re.IGNORECASE,
)
_POINTS_LEAD = re.compile(r"(觀點|观点|重點|重点|要點|要点|摘要|亮點|亮点|精華|精华|看點|看点|takeaways?|"
                          r"highlights?|key points?|summary|in this episode|本期|本集)", re.IGNORECASE)
_FOOTER = re.compile(
    r"^[（(【\[]?\s*(?:"
    r"(?:責任編輯|责任编辑|責編|责编|編輯|编辑|校對|校对|審校|审校|來源|来源|原文連結|原文链接|原文|出處|出处|作者|"
    r"文章來源|文章来源|圖片來源|图片来源|延伸閱讀|延伸阅读|相關閱讀|相关阅读|相關文章|相关文章|推薦閱讀|推荐阅读|"
    r"標籤|标签|關鍵字|关键词|分享到|分享至|圖片|图片|圖|图|攝影|摄影|資料來源|资料来源|"
    r"(?i:source|editor|edited by|tags|share|related|read more|further reading|photo|image|credit))"
    r"\s*[:：|｜/／]"
    r"|(?:廣告|广告|贊助|赞助|(?i:advertisement|sponsored))\s*$"
    r"|本文(?:來源|来源|轉載|转载|來自|来自|經|经|為|为|作者|原載|原载|首發|首发|由)"
    r"|(?:未經|未经|請勿|请勿|禁止|歡迎|欢迎).{0,12}(?:轉載|转载)"
    r"|(?:點擊|点击|掃碼|扫码|長按|长按).{0,20}(?:訂閱|订阅|關注|关注|下載|下载|閱讀|阅读|連結|链接|原文)"
    r"|(?i:subscribe (?:to|now|for)|follow us)"
    r"|(?:完|全文完|END|End|The End|THE END)\s*[）)】\]]?\s*$"
    r"|[-—–=*]{2,}\s*(?:END|完)?\s*[-—–=*]*\s*$"
    r"|©|\(c\) ?(?:19|20)\d\d|版權所有|版权所有"
    r")"
    r"|(?:©|Copyright)\s*(?:19|20)\d\d|All rights reserved\.?\s*$",
)
_ENUMERATOR = re.compile(r"^(?:[一二三四五六七八九十]{1,3}\s*[、.．]|[（(][一二三四五六七八九十\d]{1,3}[）)]|\d{1,2}\s*[、.．])\s*")
_TERMINAL = "。！？!?.…;；:：，,、~～」』”\"’)）"
_PARTICLE = re.compile(r"[嗎吗呢吧啊呀喔哦嘛啦囉耶欸唷哇呃嗯]$")
_INNER_PUNCT = re.compile(r"[，、；。！？]")


@dataclass
class Header:
    """Metadata found before the dialogue."""

    title: str = ""
    """The first title-like line (empty when there is none)."""
    published: _dt.date | None = None
    """The date of the first date line."""
    description: list[str] = field(default_factory=list)
    """Intro paragraphs."""
    key_points: list[str] = field(default_factory=list)
    """Bullet items, editorial notes excluded."""


def find_date(line: str) -> tuple[_dt.date, str] | None:
    """A calendar date in ``line`` and the rest of the line without it (None when there is none)."""
    for pattern in _DATE_PATTERNS:
        m = pattern.search(line)
        if not m:
            continue
        try:
            month = int(m.group("m")) if "m" in pattern.groupindex else _MONTHS[m.group("mon")[:3].lower()]
            year = int(m.group("roc")) + 1911 if "roc" in pattern.groupindex else int(m.group("y"))
            day = _dt.date(year, month, int(m.group("d")))
        except (KeyError, ValueError):
            continue
        return day, (line[:m.start()] + " " + line[m.end():]).strip()
    return None


def date_line(line: str) -> _dt.date | None:
    """The date of a header line that is mostly a date (``2024-10-22科技``, ``日期：2024/10/22``)."""
    if len(line) > 60:
        return None
    found = find_date(line)
    if found is None:
        return None
    day, rest = found
    lead = _DATE_LEAD.match(line.strip())
    if lead and find_date(line.strip()[lead.end():lead.end() + 16]) is not None:
        return day  # ``時間：民國113年5月18日（六）下午兩點　地點：…``: a date line that goes on to the time and place
    rest = _DATE_LEAD.sub("", rest).strip(" |｜·•-–—,，")
    return day if len(rest) <= 12 else None


def split_title_date(title: str) -> tuple[str, _dt.date | None]:
    """``2017-02-08 Rufus Pollock visit`` → (``Rufus Pollock visit``, 2017-02-08)."""
    m = _DATE_PATTERNS[0].match(title.strip())
    if not m:
        return title.strip(), None
    try:
        day = _dt.date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
    except ValueError:
        return title.strip(), None
    rest = title.strip()[m.end():].strip(" -–—:：|｜,，")
    return (rest or title.strip()), day


#: A whole line of page furniture: a player's buttons, skip links, embed code, a transcription credit.
_FURNITURE = re.compile(
    r"^(?:[•·*\-–]\s*)?(?:"
    r"(?i:transcript|download|listen|play|embed|share|subscribe|print|email|more|menu|search|close|"
    r"skip to (?:main )?content|skip to (?:main )?navigation|jump to content|back to top|"
    r"listen(?: to (?:this|the) (?:episode|story))?|download (?:audio|mp3|transcript)|show transcript|"
    r"transcribed by \S+|this transcript was (?:auto-?)?generated.*|speakers|summary keywords|keywords|"
    r"summary|show notes|episode notes|table of contents|contents|links|resources|sponsors|chapters)"
    r"|目錄|目录|摘要|本集重點|本集重点|列印本頁|列印|打印本页|回上頁|回上页"
    r"|(?:首頁|首页|主頁|主页)[^。！？!?，,：:\s]{0,30}"
    r"|跳到主要內容區塊|跳到主要内容|跳至主要內容|跳至主要内容|跳到主內容|回到頂端|回到顶部|:::"
    r"|<iframe\b.*|<script\b.*|<embed\b.*"
    r")\s*$"
)


#: Words of a site's navigation bar; copied from a page, the bar runs together into one line.
_NAV_WORDS = re.compile(r"(?i:facebook|youtube|instagram|twitter|line|rss|email|menu|home|sitemap|login)|"
                        r"網站導覽|网站导览|加入好友|回首頁|回首页|首頁|首页|分享|友善列印|字級|字级|English|寫信給|写信给|"
                        r"網站地圖|网站地图|無障礙|无障碍|常見問答|常见问答")
_SENTENCE_MARK = re.compile(r"[。！？!?，,]")


def is_boilerplate(line: str) -> bool:
    """Site furniture: breadcrumbs, copyright, share/subscribe prompts, editor credits, (完), a player's
    buttons, skip links, embed code, a navigation bar run together into one line."""
    s = line.strip()
    if len(s) <= 160 and bool(_BREADCRUMB.match(s) or _FOOTER.search(s)) or bool(_FURNITURE.match(s)):
        return True
    return len(s) <= 120 and len(_NAV_WORDS.findall(s)) >= 3 and not _SENTENCE_MARK.search(s)


_TRANSCRIPT_WORDS = re.compile(r"^(?i:(?:full\s+)?transcript(?:\s+(?:for|of))?)\s*[:：\-–—|]?\s+(?=\S)|"
                               r"\s*[:：\-–—|(（]?\s*(?i:(?:full\s+)?transcript)[)）]?$|"
                               r"\s*[-–—|:：(（]?\s*(?:逐字稿|文字稿|文字實錄|文字实录)[)）]?$")
_TITLE_EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F\u200D]+")


def clean_title(title: str) -> str:
    """A title as a listener hears it: no "Transcript for …" / "… Transcript" wrapping, no emoji."""
    s = _TITLE_EMOJI.sub("", title).strip()
    cleaned = _TRANSCRIPT_WORDS.sub("", s).strip()
    return " ".join((cleaned or s).split())


def is_stamp(line: str) -> bool:
    """A video-length stamp such as ``36:07`` or ``時長：1:02:03``."""
    return bool(_STAMP.match(line.strip()))


def is_note(line: str) -> bool:
    """An editorial note about the transcript (``以下是本期播客內容的完整轉譯…``)."""
    return bool(_NOTE.search(line.strip()))


def strip_bullet(line: str) -> str | None:
    """The text of a bullet item, or None when ``line`` is not one."""
    m = _BULLET.match(line)
    if not m:
        return None
    return line[m.end():].strip()


def looks_like_heading(line: str) -> bool:
    """Short, unpunctuated, not a stage direction, not a trailing particle: could be a section heading.
    A leading enumerator (``一、``, ``（二）``, ``3.``) is allowed."""
    s = _ENUMERATOR.sub("", line.strip().lstrip("#").strip())
    if not s or s[-1] in _TERMINAL or directions.is_direction_line(s) or strip_bullet(s) is not None:
        return False
    if CJK.search(s):
        return len(s) <= 40 and not _INNER_PUNCT.search(s) and not _PARTICLE.search(s)
    words = s.split()
    return len(s) <= 80 and len(words) <= 12 and (s[0].isupper() or s[0].isdigit())


def title_like(line: str) -> bool:
    """A first line that can be a title: not too long, not a finished sentence."""
    s = line.strip()
    return 0 < len(s) <= 150 and not s.endswith(("。", ".", "，", ",", "；", ";"))


def strip_footer(lines: list[str]) -> list[str]:
    """Drop trailing site boilerplate (credits, copyright, share prompts, (完))."""
    end = len(lines)
    while end > 0 and (not lines[end - 1].strip() or is_boilerplate(lines[end - 1])):
        end -= 1
    return lines[:end]


def parse_header(lines: Sequence[str], *, allow_title: bool = True) -> Header:
    """Title, date, description and key points from the lines before the dialogue."""
    head = Header()
    texts = [ln.strip() for ln in lines if ln.strip()]
    first_content = True
    for n, s in enumerate(texts):
        if is_boilerplate(s) or is_stamp(s):
            continue
        day = date_line(s)
        if day is not None:
            head.published = head.published or day
            continue
        item = strip_bullet(s)
        if item is not None and item:
            if not is_note(item):
                head.key_points.append(item)
            continue
        bullets_follow = n + 1 < len(texts) and strip_bullet(texts[n + 1]) is not None
        if (s.endswith((":", "：")) and (_POINTS_LEAD.search(s) or bullets_follow)) or \
                (bullets_follow and _POINTS_LEAD.search(s) and len(s) <= 40):
            continue
        if is_note(s):
            continue
        if directions.is_direction_line(s):
            continue  # ``(Intro music: Lo-fi piano)``: a cue, never the title or the description
        if first_content and allow_title and title_like(s):
            head.title, day = split_title_date(s)
            head.published = head.published or day
            first_content = False
            continue
        first_content = False
        head.description.append(s)
    return _headline_repeated(_headline_above_date(head, texts))


def _headline_repeated(head: Header) -> Header:
    """``Headline : Show Name Description…`` copied from a page's title bar, and the headline again on its
    own line: the line is the title."""
    fuller = [head.title] if head.title else head.description[:1]
    for line in head.description:
        if (title_like(line) and len(line) >= 12
                and any(f != line and f.startswith(line) for f in fuller)):
            head.description.remove(line)
            if not head.title and fuller[0] in head.description:
                head.description.remove(fuller[0])  # the title bar's run-on copy
            head.title = line
            break
    return head


def _headline_above_date(head: Header, texts: list[str]) -> Header:
    """A page copied with its section name first (``新聞與公告``, then the headline, then the date): the
    headline is the title-shaped line right above the date, when it is fuller than the section name."""
    dated = next((n for n, s in enumerate(texts) if not is_boilerplate(s) and date_line(s) is not None), None)
    if dated is None or dated == 0 or not head.title:
        return head
    above = texts[dated - 1]
    if above in head.description and title_like(above) and len(above) > 2 * len(head.title):
        head.description.remove(above)
        head.title = split_title_date(above)[0]
    return head
