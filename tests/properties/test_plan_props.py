"""Properties of request planning: every speakable character of every turn is requested once, in play order,
within the size limits, with the speaker's cast voice (both engines)."""

from __future__ import annotations

import dataclasses
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st
from prop_strategies import INVISIBLE, SLOW, scripts, xml_size

from pipeline.cast import cast_script
from pipeline.errors import BadInput
from pipeline.model import NARRATOR_ID, Script
from pipeline.prepare import DEFAULT_MAX_BYTES, EN_MAX, ZH_MAX, is_speakable, plan_requests, prepare

_INTROS = st.one_of(st.none(), st.sampled_from(["Hello, and welcome. This episode: “Test”.", "歡迎收聽。今天的來賓是林雅婷。",
                                                "……", "<speak>Intro & more</speak>"]))


def speakable(text: str) -> str:
    """The letters and digits of ``text`` after normalisation, in order."""
    return "".join(ch for ch in prepare(text) if is_speakable(ch))


def plan(script: Script, engine: str, intro: str | None, directions: bool):
    cast = cast_script(script, engine)
    try:
        return cast, plan_requests(script, cast, intro=intro, speak_directions=directions)
    except BadInput as err:
        assert "nothing to speak" in str(err)
        assert not any(speakable(t.text if directions else t.spoken_text) for t in script.turns)
        return cast, None


@SLOW
@given(scripts(), st.sampled_from(["edge", "espeak"]), _INTROS, st.booleans())
def test_plan_requests_every_turn_once_in_order(script: Script, engine: str, intro: str | None, directions: bool):
    cast, requests = plan(script, engine, intro, directions)
    if requests is None:
        return
    assert [r.index for r in requests] == list(range(len(requests)))
    # intro first (narrator), then turns in script order; parts numbered from 0 within each turn
    intro_reqs = [r for r in requests if r.turn is None]
    assert requests[: len(intro_reqs)] == tuple(intro_reqs)
    assert all(r.speaker == NARRATOR_ID and r.chapter is None for r in intro_reqs)
    turns = [r.turn for r in requests if r.turn is not None]
    assert turns == sorted(turns)
    previous: dict[int | None, int] = {}
    for r in requests:
        assert r.part == previous.get(r.turn, -1) + 1, (r.turn, r.part)
        previous[r.turn] = r.part
        if r.part == 0:
            assert not r.continues
    for r in requests:
        # clean, speakable, within the limits after XML escaping
        assert r.text == r.text.strip() and is_speakable(r.text), repr(r.text)
        assert not any(ch in INVISIBLE for ch in r.text), repr(r.text)
        assert not any(unicodedata.category(ch) == "Cc" for ch in r.text), repr(r.text)
        assert xml_size(r.text) <= DEFAULT_MAX_BYTES
        assert len(r.text) <= max(ZH_MAX, EN_MAX)
        # the cast voice (espeak-ng: another base voice for a script run, same prosody)
        cast_voice = cast.voice_for(r.speaker)
        if r.lang:
            assert engine == "espeak"
            assert dataclasses.replace(r.voice, voice=cast_voice.voice) == cast_voice
        else:
            assert r.voice == cast_voice
        if r.turn is not None:
            turn = script.turns[r.turn]
            assert r.speaker == turn.speaker and r.chapter == turn.chapter
    # nothing lost, nothing duplicated, per turn and for the intro
    for i, turn in enumerate(script.turns):
        said = "".join(speakable(r.text) for r in requests if r.turn == i)
        assert said == speakable(turn.text if directions else turn.spoken_text), i
    if intro:
        assert "".join(speakable(r.text) for r in intro_reqs) == speakable(intro)


@SLOW
@given(scripts())
def test_stage_directions_are_never_spoken_unless_asked(script: Script):
    """A turn whose only speakable text is a stage direction produces no request by default."""
    _cast, requests = plan(script, "edge", None, False)
    if requests is None:
        return
    for i, turn in enumerate(script.turns):
        if not speakable(turn.spoken_text):
            assert not [r for r in requests if r.turn == i]


@pytest.mark.parametrize("engine", ["edge", "espeak"])
def test_plan_of_a_megabyte_turn_is_bounded(engine: str):
    """One 1 MB turn without punctuation plans in a few seconds into requests under the limits."""
    from pipeline.model import Speaker, Turn

    line = ("we talk about many things and the day is long " * 23000)[: 1 << 20]
    script = Script("Long", "en", (Speaker("s1", "Ann", "Ann"), Speaker("s2", "Bob", "Bob")),
                    (Turn("s1", line), Turn("s2", "Thanks.")))
    import time

    start = time.perf_counter()
    requests = plan_requests(script, cast_script(script, engine))
    elapsed = time.perf_counter() - start
    assert elapsed < 15, f"{elapsed:.1f} s"
    assert all(len(r.text) <= EN_MAX and xml_size(r.text) <= DEFAULT_MAX_BYTES for r in requests)
    assert "".join(speakable(r.text) for r in requests if r.turn == 0) == speakable(line)
    assert len(requests) < len(line) / 400  # close to the size limit, not slivers
