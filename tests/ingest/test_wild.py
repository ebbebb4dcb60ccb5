"""Transcripts as people have them: every ``data/wild/<name>.<ext>`` beside ``<name>.expected.json``.

The fixtures are written in the shapes of real transcripts (broadcast pages, caption files, tool exports,
Podcasting 2.0 transcripts, saved web pages; see data/wild/README.md) and say, turn by turn, who speaks
and how their speech starts as it must be *spoken*: no label, timestamp, markup, URL or emoji.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pipeline.ingest import load_script

WILD = Path(__file__).parent / "data" / "wild"
CASES = sorted(p for p in WILD.glob("*.expected.json"))
#: Known gaps, each a strict xfail: it fails the day the gap is closed, so the mark is removed then.
GAPS = {
    "npr-old-newspaper": "the host's unlabelled opening lines before her first label are not yet given to her",
}
FURNITURE = {"transcript", "skip to content", "跳到主要內容區塊", "download", "webvtt"}


def _source(expected: Path) -> Path:
    stem = expected.name[: -len(".expected.json")]
    return next(p for p in WILD.glob(stem + ".*") if not p.name.endswith(".expected.json"))


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _spoken(turn) -> str:
    return "".join(s.text for s in turn.spans if s.spoken) if turn.spans else turn.text


def test_the_corpus_is_there():
    assert len(CASES) >= 30
    for expected in CASES:
        assert _source(expected).is_file()


@pytest.mark.parametrize("expected", CASES, ids=lambda p: p.name[: -len(".expected.json")])
def test_wild_transcript(expected: Path, request, tmp_path: Path):
    stem = expected.name[: -len(".expected.json")]
    if stem in GAPS:
        request.applymarker(pytest.mark.xfail(reason=GAPS[stem], strict=True))
    want = json.loads(expected.read_text("utf-8"))
    script = load_script(_source(expected))
    names = {s.id: s.name for s in script.speakers}
    got = [(names[t.speaker], _norm(_spoken(t))) for t in script.turns]
    assert [s.name for s in script.speakers] == want["speakers"]
    assert [who for who, _ in got] == [who for who, _ in want["turns"]]
    for (who, said), (_, start) in zip(got, want["turns"], strict=True):
        assert said.startswith(_norm(start)), f"{who}: {said[:60]!r} should start {start!r}"
    assert [c.title for c in script.chapters] == want["chapters"]
    if want.get("title"):
        assert script.title == want["title"]
    else:  # no title in the source: the file's name, or what is said when the name says nothing
        assert script.title == stem
        saved = tmp_path / f"transcript{_source(expected).suffix}"
        saved.write_bytes(_source(expected).read_bytes())
        titled = load_script(saved).title
        assert titled not in ("transcript", "Untitled") and titled.casefold() not in FURNITURE, titled
    if want.get("published"):
        assert script.published is not None and script.published.isoformat() == want["published"]


@pytest.mark.parametrize("expected", CASES, ids=lambda p: p.name[: -len(".expected.json")])
def test_no_label_markup_or_address_is_spoken(expected: Path):
    script = load_script(_source(expected))
    labels = {s.label.casefold() for s in script.speakers} | {s.name.casefold() for s in script.speakers}
    for turn in script.turns:
        said = _spoken(turn)
        assert not re.search(r"https?://|www\.|\*\*|</?[a-z]+[ >]|&[a-z]+;|&#\d+;|\]\(", said), said[:80]
        assert not re.search("[\U0001F300-\U0001FAFF]", said), said[:80]
        head = re.split(r"[:：]", said.strip(), maxsplit=1)
        assert len(head) == 1 or head[0].strip().casefold() not in labels, f"label read aloud: {said[:60]!r}"
