"""After editing one turn, a render asks Edge again for exactly that turn's requests (the clip cache answers
the rest), and the intro's requests only when the edit changed what the intro says."""

from __future__ import annotations

import re

from .conftest import HARBOR, render

_NON_WORD = re.compile(r"\W+")
ARGS = ("--formats", "mp3")


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


def voices(run) -> dict[str, str]:
    m = run.manifest
    return {**{s["name"]: s["voice"]["voice"] for s in m["speakers"]}, "narrator": m["narrator"]["voice"]["voice"]}


def test_one_turn_edit_resynthesizes_exactly_that_turn(emu, recast, tmp_path):
    out = tmp_path / "out"
    base = render(recast, HARBOR, out, "--intro", "none", *ARGS, url=emu.url)
    assert base.code == 0, base.stderr
    assert base.stats["synthesized"] == base.stats["requests"] == 12
    voice = voices(base)

    # a one-request turn of 張雅琪
    emu.clear_log()
    short = edited(tmp_path, "short", ("真的很辛苦。", "真的很辛苦，辛苦您了。"))
    run = render(recast, short, out, "--intro", "none", *ARGS, url=emu.url)
    assert run.code == 0, run.stderr
    assert (run.stats["synthesized"], run.stats["cached"]) == (1, 11)
    assert [(r.text, r.voice) for r in emu.log] == [("真的很辛苦，辛苦您了。", voice["張雅琪"])]
    assert run.edition == base.edition

    # the long turn of 吳建宏, which takes two requests: both change, both are asked for again
    emu.clear_log()
    long = edited(tmp_path, "long", ("十五年前", "二十年前"), ("讓每一艘船", "讓每一條船"))
    turn = next(t for t in long.read_text("utf-8").split("\n") if "二十年前" in t)
    run = render(recast, long, out, "--intro", "none", *ARGS, url=emu.url)
    assert run.code == 0, run.stderr
    assert (run.stats["synthesized"], run.stats["cached"]) == (2, 10)
    log = sorted(emu.log, key=lambda r: norm(turn).index(norm(r.text)))
    assert {r.voice for r in log} == {voice["吳建宏"]}
    assert norm("".join(r.text for r in log)) == norm(turn)


def test_with_the_intro_an_edit_quoted_by_it_also_redoes_that_intro_request(emu, recast, tmp_path):
    """The generated intro quotes key sentences: editing one of them changes the turn's request and the one
    intro request that carries the sentence; the other intro requests come from the cache."""
    out = tmp_path / "out"
    base = render(recast, HARBOR, out, *ARGS, url=emu.url)
    assert base.code == 0, base.stderr
    intro_requests = base.stats["requests"] - 12
    assert intro_requests >= 2
    assert "清晨四點起床" in base.manifest["summary"]["intro"]
    voice = voices(base)

    emu.clear_log()
    quoted = edited(tmp_path, "quoted", ("清晨四點起床", "清晨三點起床"))
    run = render(recast, quoted, out, *ARGS, url=emu.url)
    assert run.code == 0, run.stderr
    assert "清晨三點起床" in run.manifest["summary"]["intro"]
    assert (run.stats["synthesized"], run.stats["cached"]) == (2, base.stats["requests"] - 2)
    by_voice = sorted((r.voice, r.text) for r in emu.log)
    assert [v for v, _ in by_voice] == sorted([voice["林佩君"], voice["narrator"]])
    assert all("清晨三點起床" in t for _, t in by_voice)

