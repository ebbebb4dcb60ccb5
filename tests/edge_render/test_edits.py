"""After editing one turn, a render asks Edge again for exactly that turn's requests (the clip cache answers
the rest), and for an intro request only when the edit changed what the intro says.

One base render of the harbor transcript (generated intro, mp3) fills the output folder's clip cache; every
test then renders an edited copy into the same folder and reads, from ``stats`` and the emulator's log,
what was asked for again.
"""

from __future__ import annotations

import re

import pytest

from .conftest import HARBOR, render

_NON_WORD = re.compile(r"\W+")
ARGS = ("--formats", "mp3")
#: Requests of the harbor transcript's eleven turns (the long one takes two).
TURN_REQUESTS = 12


def norm(text: str) -> str:
    return _NON_WORD.sub("", text)


def edited(tmp_path, name: str, *changes: tuple[str, str]):
    """The harbor transcript with ``changes`` applied, under its own name in a folder of its own."""
    text = HARBOR.read_text("utf-8")
    for old, new in changes:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / name / HARBOR.name
    path.parent.mkdir()
    path.write_text(text, "utf-8")
    return path


@pytest.fixture(scope="module")
def base(emulator, recast, tmp_path_factory):
    emulator.set_faults(None)
    out = tmp_path_factory.mktemp("edits")
    run = render(recast, HARBOR, out, *ARGS, url=emulator.url)
    assert run.code == 0, run.stderr
    m = run.manifest
    voices = {**{s["name"]: s["voice"]["voice"] for s in m["speakers"]}, "narrator": m["narrator"]["voice"]["voice"]}
    return run, voices


def test_editing_both_parts_of_a_two_request_turn_redoes_both(base, emu, recast, tmp_path):
    run0, voice = base
    src = edited(tmp_path, "long", ("十五年前", "二十年前"), ("讓每一艘船", "讓每一條船"))
    turn = next(line for line in src.read_text("utf-8").splitlines() if "二十年前" in line)
    run = render(recast, src, run0.out, "--intro", "none", *ARGS, url=emu.url)
    assert run.code == 0, run.stderr
    assert (run.stats["synthesized"], run.stats["cached"]) == (2, TURN_REQUESTS - 2)
    log = sorted(emu.log, key=lambda r: norm(turn).index(norm(r.text)))
    assert {r.voice for r in log} == {voice["吳建宏"]}
    assert norm("".join(r.text for r in log)) == norm(turn)  # the whole turn, nothing else


def test_with_the_intro_an_edit_it_quotes_also_redoes_that_intro_request(base, emu, recast, tmp_path):
    """The generated intro quotes key sentences: editing one of them redoes the turn's request and the one
    intro request that carries the sentence; the other intro request comes from the cache."""
    run0, voice = base
    intro_requests = run0.stats["requests"] - TURN_REQUESTS
    assert intro_requests >= 2 and "先看氣象資料" in run0.manifest["summary"]["intro"]
    src = edited(tmp_path, "quoted", ("先看氣象資料", "先查氣象資料"))
    run = render(recast, src, run0.out, *ARGS, url=emu.url)
    assert run.code == 0, run.stderr
    assert "先查氣象資料" in run.manifest["summary"]["intro"]
    assert (run.stats["synthesized"], run.stats["cached"]) == (2, run0.stats["requests"] - 2)
    asked = sorted((r.voice, r.text) for r in emu.log)
    assert [v for v, _ in asked] == sorted([voice["林佩君"], voice["narrator"]])
    assert all("先查氣象資料" in t for _, t in asked)


def test_editing_a_turn_the_intro_does_not_quote_leaves_the_intro_alone(base, emu, recast, tmp_path):
    run0, voice = base
    src = edited(tmp_path, "unquoted", ("謝謝妳的邀請。", "謝謝妳的邀請，再見。"))
    run = render(recast, src, run0.out, *ARGS, url=emu.url)
    assert run.code == 0, run.stderr
    assert run.manifest["summary"]["intro"] == run0.manifest["summary"]["intro"]
    assert (run.stats["synthesized"], run.stats["cached"]) == (1, run0.stats["requests"] - 1)
    assert [(r.text, r.voice) for r in emu.log] == [("謝謝妳的邀請，再見。", voice["吳建宏"])]
