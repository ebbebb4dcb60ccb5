"""Learn a document's speaker labels from the document itself (never from a fixed list of names).

Article style: a label is a short name-shaped line that recurs and is followed by that speaker's
paragraphs. Inline style: a label is a name-shaped prefix before ``:``/``：`` that recurs at line starts.
One speaker written two ways (``勞勃·西原(Robert Nishihara)`` and ``Robert Nishihara``) counts as one.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Sequence

from pipeline.ingest import directions
from pipeline.ingest.clean import CJK
from pipeline.ingest.header import strip_bullet
from pipeline.ingest.labels import (
    LabelParts,
    is_caps_name,
    is_false_label,
    is_strong,
    is_title_case_name,
    key,
    parse_label,
    role_of,
    strip_leading_time,
)

_FINISHED = ("。", "！", "？", "!", "?", ".", "…", "」", "』", "”", '"', "）", ")", "~", "～")
_INLINE = re.compile(r"^(?P<label>(?:\*\*|__)?[^:：\n]{1,60}?)\s*[:：](?:\*\*|__)?[ \t]*(?P<rest>.*)$")
_BRACKET_LABEL = re.compile(r"^(?:【(?P<label>[^】\n]{1,30})】|\[(?P<square>[^\[\]\n]{1,40})\])[:：]?\s*(?P<rest>.*)$")
_TS = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
#: A timestamp written inside or right after the label: ``主持人 (00:00):``, ``**Ravi** [0:00]:``,
#: ``**Lex Fridman (00:00:00)**：``, ``**Sam:** [0:11](https://…&t=11s)`` — metadata, never speech.
_TS_IN_LABEL = re.compile(
    r"^(?P<pre>(?:\*\*|__)?[^:：\n\[(（*]{1,60}?(?:\*\*|__)?)\s*[\[(（]" + _TS + r"[\])）](?:\((?:https?://|#)[^)\s]*\))?"
    r"(?P<post>(?:\*\*|__)?\s*[:：]?(?:\*\*|__)?)"
)
_TS_AFTER_LABEL = re.compile(r"^\[" + _TS + r"\](?:\((?:https?://|#)[^)\s]*\))?\s*|^[\[(（]" + _TS + r"[\])）]\s*")
#: A name then its timestamp and no colon: ``Nell Ward (00:01:40) What does…``, ``Ann [00:12:34] hi``.
_TS_LABEL = re.compile(r"^(?P<label>[^:：\n\[\](（)*]{1,60}?)\s*[\[(（]" + _TS + r"[\])）]\s+(?P<rest>[^:：\s].*)$")
#: A bold name with no colon: ``**Nell Ward** The following is…`` (after the timestamp is taken out).
_BOLD_LABEL = re.compile(r"^(?:\*\*|__)(?P<label>[^*_:：\n]{1,60}?)(?:\*\*|__)\s+(?P<rest>\S.*)$")
_TRAILING_TS = re.compile(r"\s*[\[(（]?" + _TS + r"[\])）]?$")
_BARE_TS = re.compile(r"^" + _TS + r"\s+(?=\S)")
#: A caption's dialogue dash: ``- [主持人] 歡迎`` / ``- Ann: hi``.
_DASH = re.compile(r"^(?:[-–—]|>>)\s*(?=\S)")
#: A bare bracketed label on its own line: ``[主持人]``, ``[Guest 2]``.
_SQUARE_LINE = re.compile(r"^\[(?P<x>[^\[\]\n]{1,40})\]\s*[:：]?$")


class Groups:
    """Union of label keys: labels sharing a name or an alternative form are one speaker."""

    def __init__(self) -> None:
        self._parent: dict[str, str] = {}
        self._fuller: dict[str, set[str]] = {}
        self._single: dict[str, str] = {}

    def find(self, k: str) -> str:
        root = k
        while self._parent.setdefault(root, root) != root:
            root = self._parent[root]
        while self._parent[k] != root:
            self._parent[k], k = root, self._parent[k]
        return root

    def add(self, parts: LabelParts) -> str:
        keys = parts.keys
        root = self.find(keys[0])
        for k in keys[1:]:
            self._union(root, k)
        self._by_word(parts.name, root)
        return self.find(root)

    def union(self, a: str, b: str) -> None:
        """Make the speakers of keys ``a`` and ``b`` one."""
        self._union(a, b)

    def _union(self, root: str, k: str) -> None:
        other = self.find(k)
        root = self.find(root)
        if other != root:
            self._parent[other] = root

    def _by_word(self, name: str, root: str) -> None:
        """``DAVIS`` after ``SUSAN DAVIS``, ``JUNO`` after ``JUNO PARK``: a one-word label that is the first or
        last word of exactly one fuller name is that speaker (never when two speakers share the word)."""
        words = name.split()
        if CJK.search(name) or any(ch.isdigit() for ch in name) or not 1 <= len(words) <= 4 or role_of(name):
            return
        if len(words) == 1:
            w = key(words[0])
            fuller = self._fuller.get(w, set())
            if len(fuller) == 1:
                self._union(next(iter(fuller)), root)
            else:
                self._single.setdefault(w, root)
            return
        for w in {key(words[0]), key(words[-1])}:
            self._fuller.setdefault(w, set()).add(self.find(root))
            if w in self._single and len({self.find(r) for r in self._fuller[w]}) == 1:
                self._union(root, self._single[w])


@functools.lru_cache(maxsize=8192)
def line_label(line: str) -> LabelParts | None:
    """The label of a bare label line (``勞勃·西原(Robert Nishihara)``, ``問``, ``主持人：``), if shaped like one."""
    s = line.strip()
    if not s or len(s) > 64 or strip_bullet(s) is not None or directions.is_direction_line(s):
        return None
    square = _SQUARE_LINE.match(s)
    return parse_label(square.group("x") if square else s)


@functools.lru_cache(maxsize=8192)
def inline_label(line: str) -> tuple[LabelParts, str] | None:
    """(label, rest) of a ``Name: text`` line, if its prefix is shaped like a name."""
    s = _DASH.sub("", strip_leading_time(line.strip()))
    timed = _TS_LABEL.match(s)
    if timed:
        s = f"{timed.group('label')}: {timed.group('rest')}"
    s = _TS_IN_LABEL.sub(lambda t: t.group("pre").rstrip() + t.group("post").strip() + " ", s, count=1)
    m = _BRACKET_LABEL.match(s)
    if m and m.group("square") is not None and directions.is_direction(m.group("square")):
        m = None  # [MUSIC] Intro… / [laughs] yes: a direction, not a name
    m = m or _INLINE.match(s) or _BOLD_LABEL.match(s)
    if not m:
        return None
    rest = _TS_AFTER_LABEL.sub("", m.group("rest").strip(), count=1)
    if rest.startswith("//"):
        return None
    label = m.group("label") or m.groupdict().get("square") or ""
    if not label:
        return None
    if label[-1:].isdigit() and rest[:1].isdigit():
        return None
    parts = parse_label(label)
    if parts is None or is_false_label(parts):
        return None
    return parts, rest


def learn_line_labels(lines: Sequence[str]) -> dict[int, LabelParts]:
    """Indices of the label lines of an article-style transcript, with their labels.

    Candidates are name-shaped short lines. One that recurs (or reads ``Name(Latin Name)``) is a label
    unless most of its occurrences are not followed by a paragraph, or follow another label (then it
    is a reply such as ``OK``); the clearest non-label is dropped first and the rest re-scored.
    """
    cands: dict[int, LabelParts] = {}
    for i, line in enumerate(lines):
        parts = line_label(line)
        if parts is not None and not is_false_label(parts):
            cands[i] = parts
    if not cands:
        return {}
    root_of, occ = _group(cands)
    keep = {r for r, found in occ.items() if len(found) >= 2 or any(is_strong(cands[i]) for i in found)}
    nxt, prv = _neighbours(lines)
    while keep:
        labelled = {i for r in keep for i in occ[r]}
        scores = {}
        for r in keep:
            followed = sum(1 for i in occ[r] if nxt[i] is not None and nxt[i] not in labelled)
            after_label = sum(1 for i in occ[r] if prv[i] is not None and prv[i] in labelled
                              and root_of[prv[i]] != r)
            scores[r] = max(0.5 - followed / len(occ[r]), after_label / len(occ[r]) - 0.5)
        bad = sorted((score, r) for r, score in scores.items() if score > 0)
        if not bad:
            break
        # Drop the clearest non-label first; with many candidates, drop the clear ones in one go.
        drop = [r for score, r in bad if score >= 0.25] if len(bad) > 20 else []
        keep.difference_update(drop or [bad[-1][1]])
    labels = {i: cands[i] for i, r in root_of.items() if r in keep}
    if not labels:
        return labels
    colon_style = sum(1 for i in labels if _ends_with_colon(lines[i])) >= 0.8 * len(labels)
    known = list(labels.values())
    first = min(labels)
    for i, parts in cands.items():
        if i in labels or i < first:
            continue
        if colon_style and _ends_with_colon(lines[i]):
            labels[i] = parts  # the document writes "Name：" lines: a one-time one is a label too, even
            continue           # one with no speech after it (never words of the previous speaker)
        if nxt[i] is None or nxt[i] in labels:
            continue
        if (len(occ[root_of[i]]) == 1 and prv[i] is not None and prv[i] not in labels
              and lines[prv[i]].rstrip().endswith(_FINISHED) and _lookalike(parts, known)):
            labels[i] = parts  # someone who talks once, between two finished paragraphs
    return dict(sorted(labels.items()))


def _ends_with_colon(line: str) -> bool:
    """``Name：`` or ``Reporter 1: (00:31)``: a label line written with its colon (a timestamp may follow)."""
    return _TRAILING_TS.sub("", line.rstrip()).endswith((":", "："))


def learn_inline_labels(lines: Sequence[str], *, loose: bool = False) -> dict[int, tuple[LabelParts, str]]:
    """Indices of the ``Name: text`` lines of an inline transcript, with label and text.

    A prefix is a label when it recurs; a one-time prefix inside the dialogue counts when it is written
    like the learned names (``Audience Member:``). With ``loose`` (subtitle cues, where a line-leading
    ``Name:`` is hardly ever anything else) a short file's one-time name-shaped prefixes count too.
    """
    cands: dict[int, tuple[LabelParts, str]] = {}
    for i, line in enumerate(lines):
        found = inline_label(line)
        if found is not None:
            cands[i] = found
    if not cands:
        return {}
    root_of, occ = _group({i: p for i, (p, _) in cands.items()})
    keep = {r for r, found in occ.items() if len(found) >= 2 or any(is_strong(cands[i][0]) for i in found)}
    if not keep:
        # A very short exchange ("Ann: hi" / "Bo: hey"): name-shaped prefixes on most lines (on any
        # line for subtitle cues).
        looks = {r for i, r in root_of.items() if _lookalike(cands[i][0], []) and cands[i][1]}
        named = sum(len(occ[r]) for r in looks)
        if looks and (loose or (len(looks) >= 2 and named * 2 >= sum(1 for ln in lines if ln.strip()))):
            keep = looks
    if keep:
        known = [cands[i][0] for r in keep for i in occ[r]]
        first = min(i for r in keep for i in occ[r])
        for i, r in root_of.items():
            # a one-time label written like the others, even one with nothing after it ("Cleo:" at
            # the end): a label, never words of the previous speaker
            if r not in keep and i > first and (_lookalike(cands[i][0], known) or _walk_on(*cands[i])
                                                or directions.is_direction_line(cands[i][1])):
                keep.add(r)  # (or ``**ALL** (laughs)``: someone who only laughs is no speech of the last speaker)
    found = {i: cands[i] for i, r in root_of.items() if r in keep}
    timed = sum(1 for _, rest in found.values() if _BARE_TS.match(rest))
    if found and timed * 2 > len(found):  # ``Greta Lind: 0:11 Forty-one…`` on most lines: the time is metadata
        found = {i: (parts, _BARE_TS.sub("", rest, count=1)) for i, (parts, rest) in found.items()}
    return found


def _group(cands: dict[int, LabelParts]) -> tuple[dict[int, str], dict[str, list[int]]]:
    """Group candidate labels by speaker: (line → group, group → its lines)."""
    groups = Groups()
    first_root = {i: groups.add(p) for i, p in cands.items()}
    root_of = {i: groups.find(r) for i, r in first_root.items()}
    occ: dict[str, list[int]] = defaultdict(list)
    for i, r in root_of.items():
        occ[r].append(i)
    return root_of, occ


_ROLE_NUMBER = re.compile(r"^[A-Z][a-z]{2,15} \d{1,2}$")


def _numbered(name: str) -> str:
    """``Speaker 2`` → ``Speaker #``: numbered labels are written alike."""
    return re.sub(r"\d+", "#", name)


def _lookalike(parts: LabelParts, known: list[LabelParts]) -> bool:
    """Is a one-time label written like the known ones? Bracketed when they all are; a numbered label like a
    known numbered one; a CJK name no longer than theirs; a Title Case name with as many words as
    theirs. With nothing known, any Title Case or CJK name will do."""
    if known and parts.alt is None and all(p.alt for p in known):
        return False
    if known and is_caps_name(parts.name) and sum(is_caps_name(p.name) for p in known) * 2 > len(known):
        return len(parts.name.split()) <= 4  # broadcast style: ``UNIDENTIFIED PERSON #1:`` once, among capitals
    if any(ch.isdigit() for ch in parts.name):
        # ``Speaker 2`` like a known ``Speaker 1``; or ``Reporter 2`` / ``Caller 3`` among named speakers
        return bool(known) and (_numbered(parts.name) in {_numbered(p.name) for p in known}
                                or bool(_ROLE_NUMBER.match(parts.name)))
    cjk = [len(p.name) for p in known if CJK.search(p.name)]
    if known and len(cjk) != (len(known) if CJK.search(parts.name) else 0):
        return False
    if CJK.search(parts.name):
        return len(parts.name) <= (max(cjk) + 1 if cjk else 8)
    words = [len(p.name.split()) for p in known] or [1, 4]
    return is_title_case_name(parts.name) and min(words) <= len(parts.name.split()) <= max(words)


def _walk_on(parts: LabelParts, rest: str) -> bool:
    """``Conductor: Tickets, please.``, ``Patron: Is it still searchable?``: someone who speaks once and is
    named by what they are — one capitalised word, then a whole sentence."""
    word = parts.name
    return (" " not in word and word[:1].isupper() and word[1:].islower() and len(word) >= 4
            and len(rest.split()) >= 2 and rest.rstrip().endswith(_FINISHED))


def _neighbours(lines: Sequence[str]) -> tuple[list[int | None], list[int | None]]:
    """For each line, the index of the next and previous non-empty line."""
    n = len(lines)
    nxt: list[int | None] = [None] * n
    prv: list[int | None] = [None] * n
    last = None
    for i in range(n):
        prv[i] = last
        if lines[i].strip():
            last = i
    last = None
    for i in range(n - 1, -1, -1):
        nxt[i] = last
        if lines[i].strip():
            last = i
    return nxt, prv


#: A line that starts like a label of some style Recast does not learn: a short prefix, then a separator.
_LABEL_LIKE = re.compile(r"^(?P<p>[^\s:：,，。.!?;；]{1,24}(?:\s[^\s:：,，。.!?;；]{1,24}){0,2})\s*"
                         r"(?P<sep>[:：|>»]+|-{2,}|[—–]|=>|->)(?=\s|$)")


def label_candidates(lines: Sequence[str], limit: int = 3) -> list[str]:
    """Prefixes that look like speaker labels no style here reads (``ANN --``, ``<Bo> |``): at least two
    different ones, one of them recurring, together on a good share of the lines. [] when none."""
    counts: dict[str, int] = defaultdict(int)
    texts = [ln.strip() for ln in lines if ln.strip()]
    for line in texts:
        m = _LABEL_LIKE.match(line)
        if m and re.search(r"[^\W\d_]", m.group("p")):  # a label has letters ("0:" is none)
            counts[f"{m.group('p')} {m.group('sep')}"] += 1
    found = sorted(counts, key=lambda k: (-counts[k], k))
    if len(found) < 2 or counts[found[0]] < 2 or sum(counts.values()) * 3 < len(texts):
        return []
    return found[:limit]
