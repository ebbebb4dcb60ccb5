"""Golden pairs: every ``data/<case>.<ext>`` beside ``data/<case>.expected.json`` (the inspect --json form).

The expected files were generated once and then checked by hand line by line; a change in parsing that
alters any of them must be looked at, not regenerated blindly.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.ingest import load_script, script_from_dict, script_to_dict

DATA = Path(__file__).parent / "data"
PAIRS = sorted(p for p in DATA.iterdir() if not p.name.endswith(".expected.json") and p.is_file()
               and (DATA / (p.name.rsplit(".", 1)[0] + ".expected.json")).is_file())

#: Which reader and which text encoding each fixture must be read with.
SOURCES = {
    "article-rooftop-farm.txt": ("article", "utf-8"),
    "article-qa.txt": ("article", "utf-8"),
    "article-host-zh-cn.txt": ("article", "utf-8"),
    "big5-article.txt": ("article", "cp950"),
    "inline-zh.txt": ("inline", "utf-8"),
    "inline-en.txt": ("inline", "utf-8"),
    "gb18030-inline.txt": ("inline", "gb18030"),
    "utf8-bom-inline.txt": ("inline", "utf-8-sig"),
    "markdown-library.md": ("markdown", "utf-8"),
    "markdown-podcast-en.md": ("markdown", "utf-8"),
    "utf16-interview.md": ("markdown", "utf-16-le"),
    "night-market.vtt": ("vtt", "utf-8"),
    "ferry-interview.srt": ("srt", "utf-8"),
    "exact-script.json": ("json", "utf-8"),
    "plain-essay.txt": ("plain", "utf-8"),
}


def test_every_fixture_is_a_golden_pair():
    assert {p.name for p in PAIRS} == set(SOURCES)


@pytest.mark.parametrize("path", PAIRS, ids=lambda p: p.name)
def test_golden(path: Path):
    expected = json.loads((DATA / (path.name.rsplit(".", 1)[0] + ".expected.json")).read_text("utf-8"))
    script = load_script(path)
    assert script_to_dict(script) == expected
    assert (script.source.format, script.source.encoding) == SOURCES[path.name]


@pytest.mark.parametrize("path", PAIRS, ids=lambda p: p.name)
def test_json_round_trip(path: Path):
    script = load_script(path)
    back = script_from_dict(script_to_dict(script))
    assert back.turns == script.turns  # spans included
    assert back.speakers == script.speakers
    assert (back.title, back.language, back.published, back.description, back.key_points, back.chapters) == (
        script.title, script.language, script.published, script.description, script.key_points, script.chapters)
    assert script_to_dict(back) == script_to_dict(script)


def test_no_labels_headings_or_boilerplate_in_any_turn():
    """What a listener would notice first: a label, a heading or site furniture read as dialogue."""
    for path in PAIRS:
        script = load_script(path)
        text = "\n".join(t.spoken_text for t in script.turns)
        for sp in script.speakers:
            for form in (sp.label, *sp.aliases):
                if form != sp.name:
                    assert form not in text, (path.name, form)
        for ch in script.chapters:
            assert all(ch.title != line.strip() for line in text.split("\n")), (path.name, ch.title)
        for furniture in ("目前位置", "當前位置", "首页 >", "責任編輯", "(完)", "核心觀點", "28:45", "WEBVTT"):
            assert furniture not in text, (path.name, furniture)
