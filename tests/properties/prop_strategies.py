"""Hypothesis strategies shared by the property tests: hostile text, transcript-shaped documents, scripts.

Example counts stay moderate (the suite runs on 2 CI cores); every test states its own ``settings``.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from pipeline.model import Chapter, Script, Span, Speaker, Turn

#: Settings for cheap properties (pure functions on short text).
FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
#: Settings for properties over whole editions (cue wrapping runs jieba on every Chinese sentence).
MEDIUM = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
#: Settings for properties that parse, cast or plan whole scripts.
SLOW = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

#: Characters that must never reach speech: C0/C1 controls, zero-width, bidi controls, BOM, soft hyphen.
INVISIBLE = ("\x00\x01\x07\x08\x0b\x0c\x1b\x7f\x85\x9f\u00ad\u061c\u180e\u200b\u200c\u200d\u200e\u200f"
             "\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2066\u2067\u2068\u2069\ufeff\ufff9\ufffa\ufffb")

_PIECES = (
    list("我們正在過渡到人工智慧時代的產品嗎呢說話") + list("abcXYZé019") + list("。，！？；、…,.!?;:—-")
    + list("  \t\n\r") + list("&<>\"'") + list(INVISIBLE)
    + ["「", "」", "（笑）", "(laughs)", "😀", "👍🏽", "مرحبا", "שלום", "Ｈｅｌｌｏ１２", "３．５", "\u3000",
       "<speak>", "<break time='10s'/>", "&amp;", "]]>", "<voice name='x'>", "e\u0301", "ﬁ", "\ud7ff", "\U00020000"]
)

#: Text made of the characters and pieces transcripts (and attackers) actually contain.
HOSTILE_TEXT = st.lists(st.sampled_from(_PIECES), max_size=120).map("".join)
#: Any Unicode text (no surrogates), short.
ANY_TEXT = st.text(max_size=200)
#: Either kind.
TEXT = st.one_of(HOSTILE_TEXT, ANY_TEXT)

_NAMES = ["Ann", "Bob", "Audrey Tang", "主持人", "林雅婷", "勞勃·西原(Robert Nishihara)", "Q", "A", "Speaker 1",
          "Speaker 2", "أحمد", "דוד", "Dr. Who", "", "**Ann**", "【記者】", "12:30 Ann"]
_SPECIAL_LINES = [
    "WEBVTT", "", "00:00:01.000 --> 00:00:02.000", "1", "00:00:01,000 --> 00:00:02,000",
    "99:99:99,999 --> 00:00:00,000", "# Title", "## Heading", "### Ann：", "<v Ann>hi", "（笑）", "[inaudible]",
    "NOTE x", "-->", "{", "}", "[", "]", "2024-01-02", "當前位置: 新聞 > 科技", "核心觀點", "  • point", "---", "```",
    "> quote", "Transcript", "<script>alert(1)</script>", "\x00", "\u202e", "\ufeff",
]

#: One line of a transcript-shaped document.
LINE = st.one_of(
    st.text(max_size=40),
    HOSTILE_TEXT.map(lambda s: s[:80]),
    st.builds(lambda n, sep, t: f"{n}{sep}{t}", st.sampled_from(_NAMES), st.sampled_from([": ", "：", ":", " : "]),
              TEXT.map(lambda s: s[:80])),
    st.sampled_from(_SPECIAL_LINES),
)
#: A transcript-shaped document (lines of labels, markup, timings, headings and noise).
DOCUMENT = st.lists(LINE, max_size=25).map("\n".join)


def xml_size(text: str) -> int:
    """Bytes of ``text`` as it goes into SSML: XML-escaped, quotes included, UTF-8."""
    return len(escape(text, {'"': "&quot;", "'": "&apos;"}).encode("utf-8"))


# ---------------------------------------------------------------------------------------------- scripts

_SPEECH = st.one_of(
    st.sampled_from(["Hello there, how are you?", "I am fine. Thanks!", "Well...", "OK", "我們正在過渡到人工智慧時代。",
                     "在 OpenAI 的產品管理中，GPT-4 很重要。", "嗯，對啊！", "（笑）", "(laughs)", "……", "?!", "—",
                     "A & B < C > D", "<speak>hi</speak>", "😀", "一" * 700, "word " * 200]),
    HOSTILE_TEXT,
)


@st.composite
def scripts(draw, languages=("en", "zh-TW", "zh-CN")) -> Script:
    """A valid :class:`Script`: 1–6 speakers, 0–14 turns with hostile text and stage directions, chapters."""
    language = draw(st.sampled_from(languages))
    n_speakers = draw(st.integers(1, 6))
    names = draw(st.lists(st.sampled_from(["Ann", "Bob", "Cleo", "Dan", "林雅婷", "陳志明", "Q", "A", "主持人", "Eve"]),
                          min_size=n_speakers, max_size=n_speakers, unique=True))
    genders = draw(st.lists(st.sampled_from([None, "female", "male"]), min_size=n_speakers, max_size=n_speakers))
    speakers = tuple(Speaker(f"s{i + 1}", name, name, gender=g) for i, (name, g) in enumerate(zip(names, genders,
                                                                                                   strict=True)))
    n_turns = draw(st.integers(0, 14))
    n_chapters = draw(st.integers(0, 3))
    starts = sorted(draw(st.lists(st.integers(0, n_turns), min_size=n_chapters, max_size=n_chapters)))
    chapters = tuple(Chapter(f"Chapter {i + 1}", s) for i, s in enumerate(starts))
    turns = []
    for t in range(n_turns):
        who = draw(st.integers(0, n_speakers - 1))
        parts = draw(st.lists(st.tuples(_SPEECH, st.booleans()), min_size=1, max_size=3))
        spans = tuple(Span(text, spoken) for text, spoken in parts if text)
        text = "".join(s.text for s in spans)
        if not text:
            text, spans = "…", (Span("…"),)
        chapter = None
        for ci, c in enumerate(chapters):
            if c.start_turn <= t:
                chapter = ci
        turns.append(Turn(speakers[who].id, text, chapter=chapter, spans=spans))
    return Script(title=draw(st.sampled_from(["Episode", "節目", "../../etc/passwd", "<b>x</b>"])),
                  language=language, speakers=speakers, turns=tuple(turns), chapters=chapters)
