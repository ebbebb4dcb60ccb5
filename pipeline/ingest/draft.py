"""Build a :class:`~pipeline.model.Script` from what a format parser found.

Parsers feed a :class:`Draft` with metadata, chapter headings, speaker labels and paragraphs; the draft
resolves one speaker written several ways into one :class:`Speaker`, merges consecutive turns of one
speaker within a chapter, drops chapters without turns, marks stage directions and detects the language.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import re
from dataclasses import dataclass, field

from pipeline.errors import BadInput
from pipeline.ingest import directions
from pipeline.ingest.clean import CJK
from pipeline.ingest.header import clean_title
from pipeline.ingest.labels import LabelParts, is_caps_name
from pipeline.ingest.language import detect_language
from pipeline.ingest.learn import Groups
from pipeline.model import Chapter, Script, SourceInfo, Speaker, Turn


@dataclass
class _Block:
    """One speaker label and the paragraphs under it."""

    label: LabelParts
    """The label as read."""
    chapter: int | None
    """Index of the heading it follows, or None."""
    paragraphs: list[tuple[str, bool]] = field(default_factory=list)
    """(text, spoken) paragraphs; spoken False for notes such as blockquotes."""


@dataclass
class Draft:
    """A transcript being read: metadata plus labelled blocks in order."""

    title: str = ""
    """Episode title ("" until found; the file name stands in at build time)."""
    published: _dt.date | None = None
    """Publication date, when found."""
    description: list[str] = field(default_factory=list)
    """Intro paragraphs."""
    key_points: list[str] = field(default_factory=list)
    """The source's key points."""
    _chapters: list[str] = field(default_factory=list)
    """Chapter headings in order."""
    _blocks: list[_Block] = field(default_factory=list)
    """One block per speaker label, in order."""

    def chapter(self, title: str) -> None:
        """A section heading: later turns belong to it."""
        self._chapters.append(title.strip())

    def turn(self, label: LabelParts) -> None:
        """A speaker label: the paragraphs that follow are theirs."""
        self._blocks.append(_Block(label, len(self._chapters) - 1 if self._chapters else None))

    def paragraph(self, text: str, spoken: bool = True) -> bool:
        """Add a paragraph to the current turn (``spoken=False`` for a note); False when there is none."""
        if not self._blocks:
            return False
        text = _MD_LINK.sub(lambda m: m.group("t"), text).strip()  # ``[《仁工智慧》](https://…)`` is its text
        if text:
            self._blocks[-1].paragraphs.append((text, spoken))
        return True

    def build(self, source: SourceInfo, fallback_title: str) -> Script:
        """The finished script; :class:`BadInput` when nothing is said in it."""
        groups = Groups()
        roots = [groups.add(b.label) for b in self._blocks]
        _askers_are_one(groups, [b.label for b in self._blocks])
        roots = [groups.find(r) for r in roots]
        members: dict[str, list[LabelParts]] = {}
        for r, b in zip(roots, self._blocks, strict=True):
            members.setdefault(r, []).append(b.label)
        # ``JUNO: [laughs]`` is no turn: a block with nothing to say does not split its neighbours
        speaking = [(r, b) for r, b in zip(roots, self._blocks, strict=True)
                    if any(spoken and not directions.is_direction_line(text) for text, spoken in b.paragraphs)]
        ids: dict[str, str] = {}
        for r, _ in speaking:
            ids.setdefault(r, f"s{len(ids) + 1}")
        merged: list[tuple[str, int | None, list[tuple[str, bool]]]] = []
        for r, b in speaking:
            if merged and merged[-1][0] == ids[r] and merged[-1][1] == b.chapter:
                merged[-1][2].extend(b.paragraphs)
            else:
                merged.append((ids[r], b.chapter, list(b.paragraphs)))
        chapter_map: dict[int, int] = {}
        chapters: list[Chapter] = []
        turns: list[Turn] = []
        for sid, chap, paragraphs in merged:
            if chap is not None and chap not in chapter_map:
                chapter_map[chap] = len(chapters)
                chapters.append(Chapter(self._chapters[chap], len(turns)))
            turns.append(make_turn(sid, paragraphs, chapter_map.get(chap) if chap is not None else None))
        spoken = "\n".join(t.spoken_text for t in turns)
        if not spoken.strip():
            raise BadInput(f"{source.path}: found no speech to read (no dialogue after the labels)")
        language = detect_language(spoken)
        speakers = _numbered([_speaker(sid, members[r], cjk_names=language.startswith(("zh", "ja", "ko")),
                                       language=language) for r, sid in ids.items()])
        return Script(
            title=clean_title(self.title) or untitled(spoken, language, speakers, fallback_title),
            language=language,
            speakers=tuple(speakers),
            turns=tuple(turns),
            chapters=tuple(chapters),
            published=self.published,
            description="\n".join(d.strip() for d in self.description if d.strip()),
            key_points=tuple(k.strip() for k in self.key_points if k.strip()),
            source=source,
        )


def without_own_intro(script: Script) -> Script:
    """A timed transcript Recast wrote (transcript.json/.vtt/.srt) opens with its narrator reading the
    generated intro: read back, that is no speaker of the conversation (a new render makes a new intro)."""
    from pipeline.lang import label

    narrators = {label("narrator", v) for v in ("zh-TW", "zh-CN", "en")}
    first = script.turns[0].speaker if script.turns else None
    lead = 0
    while lead < len(script.turns) and script.turns[lead].speaker == first:
        lead += 1
    names = {s.id: s.name for s in script.speakers}
    if (first is None or names.get(first) not in narrators or script.chapters or lead == len(script.turns)
            or any(t.speaker == first for t in script.turns[lead:])):
        return script
    return dataclasses.replace(script, turns=script.turns[lead:],
                               speakers=tuple(s for s in script.speakers if s.id != first))


#: File names that say nothing about the episode (saved pages, exports, copies): never a title.
_GENERIC_NAME = re.compile(
    r"^(?:index|default|page|untitled|transcripts?|captions?|subtitles?|subs|download(?:ed)?|export(?:ed)?|"
    r"file|document|doc|text|output|input|audio|video|copy|new|temp|tmp|test|逐字稿|文字稿|字幕|未命名|新文件)?"
    r"[\s_\-.]*(?:\(?\d+\)?|copy|副本|[0-9a-f]{8,}|[\d_\-\s]+)?$", re.IGNORECASE)


def untitled(spoken: str, language: str, speakers: list[Speaker] | tuple[Speaker, ...], file_title: str) -> str:
    """The title of a transcript that states none. The file's own name when someone chose it
    (``tide-note.txt``: it stays the same when the text is edited, and so does the edition's folder); for a
    name that says nothing (``index.html``, ``transcript (2).txt``, ``captions.srt``), what is said: its
    keyphrases."""
    if file_title and not _GENERIC_NAME.match(file_title.strip()):
        return file_title
    from pipeline.keyphrases import content_title

    names = [form for sp in speakers for form in (sp.name, sp.label, *sp.aliases)]
    return content_title(spoken, language, exclude=names) or file_title or "Untitled"


def make_turn(speaker: str, paragraphs: list[tuple[str, bool]], chapter: int | None) -> Turn:
    """One turn from its paragraphs (joined by newlines); unspoken paragraphs become direction spans."""
    parts: list[str] = []
    forced: list[tuple[int, int]] = []
    pos = 0
    for text, spoken in paragraphs:
        if parts:
            pos += 1
        parts.append(text)
        if not spoken:
            forced.append((pos, pos + len(text)))
        pos += len(text)
    text = "\n".join(parts)
    return Turn(speaker, text, chapter, directions.spans_for(text, forced))


def _speaker(sid: str, labels: list[LabelParts], *, cjk_names: bool, language: str) -> Speaker:
    """One speaker from every way the source writes them.

    The name is the form in the transcript's own script: ``勞勃·西原`` from ``勞勃·西原(Robert Nishihara)``
    (or from ``Robert Nishihara(勞勃·西原)``) in a Chinese transcript, ``Audrey Tang`` from
    ``Audrey Tang (唐鳳)`` in an English one; the label is the form first written.
    """
    first = labels[0]
    paired = next((p for p in labels if p.alt), None)
    name = first.name
    if not CJK.search(name):  # ``DAVIS`` first, ``SUSAN DAVIS`` later: the fullest form
        name = max((p.name for p in labels if not CJK.search(p.name)), key=lambda n: (len(n.split()), len(n)))
    if paired is not None:
        name = paired.name
        if bool(CJK.search(paired.alt)) == cjk_names and bool(CJK.search(paired.name)) != cjk_names:
            name = paired.alt
    name = display_name(name, language)
    forms: list[str] = []
    for p in labels:
        for form in (p.label, p.name, p.alt):
            if form and form not in forms and form not in (name, first.label):
                forms.append(form)
    role = next((p.role for p in labels if p.role), None)
    return Speaker(sid, name, first.label, tuple(forms), role)


_MD_LINK = re.compile(r"(?<![\\!])\[(?P<t>[^\[\]\n]+)\]\((?:https?://|www\.|/|#)[^)\s]*\)")

#: Question/answer labels and what a listener hears them called, by the transcript's script.
_QA_NAMES = {
    "q": {"en": "Interviewer", "zh-TW": "提問者", "zh-HK": "提問者", "zh-CN": "提问者"},
    "a": {"en": "Interviewee", "zh-TW": "受訪者", "zh-HK": "受訪者", "zh-CN": "受访者"},
}
_QA_KEYS = {"q": "q", "question": "q", "問": "q", "问": "q", "a": "a", "answer": "a", "答": "a"}
#: Labels that name nobody: ``SPEAKER_1``, ``Speaker 2``, ``Unknown``, ``Unknown Speaker``, ``>>``.
_ANONYMOUS = re.compile(r"^(?:(?:unknown|unidentified)(?:[ _]speaker)?|speaker|>>)$", re.IGNORECASE)
_NUMBERED_SPEAKER = re.compile(r"^speaker[ _#-]*(\d{1,3})$", re.IGNORECASE)


#: Who asks the questions, when the transcript also writes them as ``問：`` / ``Q:``: the same person.
_ASKERS = {"記者", "记者", "reporter", "interviewer", "採訪者", "采访者", "訪問者", "访问者", "提問者", "提问者"}


def _askers_are_one(groups: Groups, labels: list[LabelParts]) -> None:
    """In a ``問：``/``答：`` transcript, ``記者：`` (or ``Interviewer:``) asking once is the one who asks."""
    asks = [p for p in labels if _QA_KEYS.get(p.name.strip().casefold()) == "q"]
    if not asks:
        return
    for p in labels:
        if p.name.strip().casefold() in _ASKERS:
            groups.union(asks[0].keys[0], p.keys[0])


def display_name(name: str, language: str) -> str:
    """The name a listener and the show notes get: ``SUSAN DAVIS`` → ``Susan Davis``, ``Q`` → ``Interviewer``
    (``問`` → ``提問者``), ``SPEAKER_1`` → ``Speaker 1``; anything else as written."""
    qa = _QA_KEYS.get(name.strip().casefold())
    if qa is not None:
        table = _QA_NAMES[qa]
        return table.get(language, table["en"] if not language.startswith("zh") else table["zh-TW"])
    numbered = _NUMBERED_SPEAKER.match(name.strip())
    if numbered:
        return f"Speaker {int(numbered.group(1))}"
    if is_caps_name(name) and len(name) > 3:
        return " ".join(_capitalized(w) for w in name.split())
    return name


def _capitalized(word: str) -> str:
    """``REYES-BLACK`` → ``Reyes-Black``, ``O'BRIEN`` → ``O'Brien``, ``MCDONALD`` → ``Mcdonald``."""
    return re.sub(r"[^\W\d_]+", lambda m: m.group(0)[0] + m.group(0)[1:].lower(), word)


def _numbered(speakers: list[Speaker]) -> list[Speaker]:
    """Anonymous speakers (``Unknown``, ``>>``) take the next free ``Speaker N``."""
    taken = {int(m.group(1)) for sp in speakers if (m := _NUMBERED_SPEAKER.match(sp.name))}
    out = []
    for sp in speakers:
        if _ANONYMOUS.match(sp.name.strip()):
            n = next(i for i in range(1, len(speakers) + len(taken) + 2) if i not in taken)
            taken.add(n)
            sp = dataclasses.replace(sp, name=f"Speaker {n}")
        out.append(sp)
    return out
