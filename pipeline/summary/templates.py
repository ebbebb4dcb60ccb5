"""The spoken intro: templates for zh-TW, zh-CN and English, speaker roles, and the duration estimate.

Duration is estimated from text length at :data:`pipeline.lang.SLOW`, the slower of Edge's neural voices
and espeak-ng with their pauses (Chinese 3.4 characters per second, English 2.3 words per second), so the
intro stays within 90 s on either engine; Latin words inside Chinese text are read at the English word rate.
Kana and hangul count as Chinese characters (an over-estimate, so the intro errs on the short side in those
languages).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from pipeline.lang import HAN, SLOW
from pipeline.model import Script

TARGET_SECONDS = (45.0, 90.0)
"""The intro aims to last between these many seconds."""

FIT_SECONDS = 84.0
"""Estimated length the intro is trimmed to: 90 s less the pauses between its requests and sentences,
which the text-length estimate does not see."""

def estimate_seconds(text: str) -> float:
    """Estimated spoken duration of ``text`` in seconds (see the module docstring for the rates)."""
    return SLOW.ms(text) / 1000


# ------------------------------------------------------------------------------------------ numbers

_ZH_DIGITS = "零一二三四五六七八九"
_EN_NUMBERS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
               "fifteen sixteen seventeen eighteen nineteen twenty").split()


def zh_number(n: int, *, count: bool = False, simplified: bool = False) -> str:
    """Chinese numeral for 0…99; ``count=True`` gives the counting form (兩/两 for 2)."""
    if not 0 <= n < 100:
        return str(n)
    if n == 2 and count:
        return "两" if simplified else "兩"
    if n < 10:
        return _ZH_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _ZH_DIGITS[tens]) + "十" + (_ZH_DIGITS[ones] if ones else "")


def en_number(n: int) -> str:
    """English number word for 0…20, digits beyond."""
    return _EN_NUMBERS[n] if 0 <= n < len(_EN_NUMBERS) else str(n)


_EN_ORDINALS = ("First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth", "Ninth", "Tenth")


def en_ordinal(i: int) -> str:
    """``First`` … ``Tenth`` for 0 … 9, then ``Point 11`` …"""
    return _EN_ORDINALS[i] if 0 <= i < len(_EN_ORDINALS) else f"Point {i + 1}"


# -------------------------------------------------------------------------------------------- roles

_ZH_ROLE_WORD = (r"(?:官|長|长|師|师|家|者|員|员|監|监|席|授|編|编|裁|任|理|主持人|創辦人|创办人|負責人|负责人|"
                 r"主播|記者|记者|作者|代表|部長|部长|委員|委员|董事)")
_ZH_LEAD_IN = (r"(?:邀請到|邀请到|請到|请到|邀請|邀请|請來|请来|專訪|专访|對談|对谈|對話|对话|訪問|访问|以及|與|与|和|跟|"
               r"由|是|為|为|及|本期|本集|本節目|本节目|今天|今日)")
# The whole clause before the name must be a role phrase (optionally after a lead-in verb such as 邀請到).
_ZH_ROLE_RE = re.compile(
    rf"^(?:.*{_ZH_LEAD_IN})?\s*((?:[A-Za-z0-9][A-Za-z0-9 .&'-]{{0,30}}?\s*的\s*)?"
    rf"[{HAN}A-Za-z0-9 ]{{0,14}}?{_ZH_ROLE_WORD})\s*$")
_ZH_NOT_ROLE = re.compile(r"[在將将會会說说讓让被把從从向給给]|們|们|大家|許多|许多|很多|一直|已經|已经")
_EN_ROLE_WORDS = (r"(?i:officer|director|founder|co-founder|ceo|cto|cpo|coo|cfo|president|minister|editor|"
                  r"reporter|journalist|correspondent|professor|researcher|host|engineer|manager|chair|chairman|"
                  r"chairwoman|designer|author|scientist|head|partner|producer|analyst|lead|advisor|adviser)")
_EN_LEAD_IN = (r"(?i:with|by|and|from|featuring|joined by|welcomes?|meet|interviews?|talks? (?:to|with)|"
               r"speaks? (?:to|with)|guest|our guest is|today'?s guest is)")
_EN_ROLE_BEFORE_RE = re.compile(
    rf"^(?:.*\b{_EN_LEAD_IN})?\s*((?:[A-Z][\w&.-]*(?:['’]s)?\s+){{0,3}}(?:[a-z-]+\s+){{0,3}}{_EN_ROLE_WORDS})\s*$")
_EN_ROLE_AFTER_RE = re.compile(r"^\s*,\s*([^,.;()]{3,70}?)\s*[,.;)]")
_EN_NOT_ROLE = re.compile(r"\b(?:is|are|was|were|who|will|would|talks?|says?|said|speaks?|joins?|discuss\w*)\b",
                          re.IGNORECASE)
_CLAUSE_BREAK_RE = re.compile(r"[，,。．；;：:！!？?\n（）()「」“”]|\.\s")


def _name_forms(name: str, label: str, aliases: tuple[str, ...]) -> list[str]:
    forms = {name, *aliases}
    m = re.match(r"^(.+?)\s*[（(](.+?)[)）]\s*$", label)
    forms.update(m.groups() if m else (label,))
    return sorted((f.strip() for f in forms if len(f.strip()) >= 2), key=lambda f: (-len(f), f))


def description_roles(script: Script) -> dict[str, tuple[str, bool]]:
    """Role phrases the description states right next to a speaker's name.

    Maps speaker id → (role phrase, True when the phrase goes before the name). Only the nearest clause
    before the name (e.g. ``OpenAI 的首席產品官`` Kevin Weil) or an English appositive after it
    (``Kevin Weil, chief product officer at OpenAI,``) counts; anything else is left unsaid.
    """
    desc = script.description
    out: dict[str, tuple[str, bool]] = {}
    if not desc:
        return out
    for sp in script.speakers:
        for form in _name_forms(sp.name, sp.label, sp.aliases):
            for m in re.finditer(re.escape(form), desc):
                found = _role_near(desc[: m.start()], desc[m.end():])
                if found:
                    out[sp.id] = found
                    break
            if sp.id in out:
                break
    return out


def _role_near(before_text: str, after_text: str) -> tuple[str, bool] | None:
    before = _CLAUSE_BREAK_RE.split(before_text)[-1]
    zh = _ZH_ROLE_RE.match(before)
    if zh and not _ZH_NOT_ROLE.search(zh.group(1)):
        return re.sub(r"\s+", " ", zh.group(1)).strip(), True
    en = _EN_ROLE_BEFORE_RE.match(before)
    if en:
        return en.group(1).strip(), True
    after = _EN_ROLE_AFTER_RE.match(after_text)
    if after and re.search(rf"\b{_EN_ROLE_WORDS}\b", after.group(1)) and not _EN_NOT_ROLE.search(after.group(1)):
        return after.group(1).strip(), False
    return None


# ----------------------------------------------------------------------------------------- templates


@dataclass(frozen=True)
class IntroParts:
    """What the intro says, before wording."""

    title: str
    """Episode title."""
    people: tuple[tuple[str, str, bool], ...]
    """(name, role phrase or "", role goes before the name) for every speaker."""
    points: tuple[str, ...]
    """Key points, each a sentence with its closing punctuation."""
    points_by: str | None
    """Name of the one speaker all points come from, else None."""
    chapters: tuple[str, ...]
    """Chapter titles, in order."""
    hand_over: str | None
    """Title of the chapter the edition starts with, or None."""
    show: str | None = None
    """Show name, when known."""
    chapter_titles: bool = True
    """False lists only the number of parts (used to fit the time budget)."""
    proper_words: frozenset[str] = frozenset()
    """Words the source capitalizes mid-sentence (names): an English point opening with any other
    capitalized word is lower-cased after "First, "."""


def _zh_join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return "、".join(items[:-1]) + "和" + items[-1]


def _en_join(items: list[str]) -> str:
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + ", and " + items[-1]


def _zh_person(name: str, role: str, before: bool) -> str:
    if not role:
        return name
    return f"{role}{name}" if before else f"{name}（{role}）"


def render(parts: IntroParts, variant: str) -> str:
    """The intro text in the template of ``variant`` (``zh-TW``, ``zh-CN`` or ``en``)."""
    if variant in ("zh-TW", "zh-CN"):
        return _render_zh(parts, simplified=variant == "zh-CN")
    return _render_en(parts)


def _render_zh(p: IntroParts, simplified: bool) -> str:
    q = ("“", "”") if simplified else ("「", "」")
    t = {
        "hello": "大家好，欢迎收听" if simplified else "大家好，歡迎收聽",
        "episode": "本期节目" if simplified else "本期節目",
        "with": "参与对谈的是" if simplified else "參與對談的是",
        "speaks": "本期由{}主讲。" if simplified else "本期由{}主講。",
        "points_by": "{}谈到了几个重点。" if simplified else "{}談到了幾個重點。",
        "points": "本期有几个重点。" if simplified else "本期有幾個重點。",
        "parts": "本期分为{}个部分" if simplified else "本期分為{}個部分",
        "begin": "让我们从{}开始。" if simplified else "讓我們從{}開始。",
        "go": "现在，让我们进入正题。" if simplified else "現在，讓我們進入正題。",
    }
    out = [f"{t['hello']}{p.show}。{t['episode']}：{q[0]}{p.title}{q[1]}。" if p.show
           else f"{t['hello']}{t['episode']}：{q[0]}{p.title}{q[1]}。"]
    people = [_zh_person(n, r, b) for n, r, b in p.people]
    if len(people) == 1:
        out.append(t["speaks"].format(people[0]))
    elif people:
        out.append(f"{t['with']}{_zh_join(people)}。")
    if p.points:
        out.append(t["points_by"].format(p.points_by) if p.points_by else t["points"])
        out.extend(f"第{zh_number(i + 1)}，{point}" for i, point in enumerate(p.points))
    if len(p.chapters) >= 2:
        head = t["parts"].format(zh_number(len(p.chapters), count=True, simplified=simplified))
        if p.chapter_titles:
            listing = "；".join(f"第{zh_number(i + 1)}部分，{q[0]}{c}{q[1]}" for i, c in enumerate(p.chapters))
            out.append(f"{head}：{listing}。")
        else:
            out.append(f"{head}。")
    out.append(t["begin"].format(f"{q[0]}{p.hand_over}{q[1]}") if p.hand_over else t["go"])
    return "".join(out)


def _render_en(p: IntroParts) -> str:
    out = [f"Hello, and welcome to {p.show}. This episode: “{p.title}”." if p.show
           else f"Hello, and welcome. This episode: “{p.title}”."]
    people = [(f"{r} {n}" if b else f"{n}, {r},") if r else n for n, r, b in p.people]
    if people:
        joined = _en_join(people).replace(",,", ",").rstrip(",")
        out.append(f"You will hear {joined}." if len(people) > 1 else f"Your speaker is {joined}.")
    if p.points:
        out.append(f"Here is what {p.points_by} talks about." if p.points_by else "Here are the key points.")
        out.extend(f"{en_ordinal(i)}, {_lower_first(point, p.proper_words)}" for i, point in enumerate(p.points))
    if len(p.chapters) >= 2:
        head = f"The episode has {en_number(len(p.chapters))} parts"
        if p.chapter_titles:
            listing = "; ".join(f"part {en_number(i + 1)}, “{c}”" for i, c in enumerate(p.chapters))
            out.append(f"{head}: {listing}.")
        else:
            out.append(f"{head}.")
    out.append(f"Let's begin with “{p.hand_over}”." if p.hand_over else "Let's begin.")
    return " ".join(out)


def _lower_first(point: str, proper: frozenset[str]) -> str:
    """The point with its first letter lower-cased unless its first word is a name, an acronym or I."""
    first = re.match(r"[A-Za-z]+", point)
    if first and first.group(0) != "I" and first.group(0)[1:].islower() and first.group(0) not in proper:
        return point[0].lower() + point[1:]
    return point


def fit(parts: IntroParts, variant: str, drop_order: list[int], min_points: int) -> tuple[IntroParts, str]:
    """Shorten the intro until it fits :data:`TARGET_SECONDS` (upper bound).

    In order: list only the number of parts when there are more than five chapters; drop points (the
    lowest-ranked first, given by ``drop_order`` as indexes into ``parts.points``) down to ``min_points``;
    list only the number of parts; drop the role phrases. Returns the parts actually used and the text.
    """
    limit = FIT_SECONDS

    def fits(p: IntroParts) -> bool:
        return estimate_seconds(render(p, variant)) <= limit

    if len(parts.chapters) > 5 and not fits(parts):
        parts = replace(parts, chapter_titles=False)
    original = parts.points
    kept = list(range(len(original)))
    for idx in drop_order:
        if fits(parts) or len(kept) <= min_points:
            break
        kept.remove(idx)
        parts = replace(parts, points=tuple(original[i] for i in kept))
    if not fits(parts):
        parts = replace(parts, chapter_titles=False)
    if not fits(parts):
        parts = replace(parts, people=tuple((n, "", False) for n, _, _ in parts.people))
    return parts, render(parts, variant)

