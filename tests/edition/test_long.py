"""Bug 4 of issue 13: a 20-hour edition (one 960 KB turn) ended, after hours of synthesis, in ``internal error:
'L' format requires 0 <= number <= 4294967295`` — one voice's scratch WAV passed 4 GiB. It is refused up front
with one line saying how long it would be and what the limit is, and the mixer refuses the same way if an
edition the estimate let through does reach the limit."""

from __future__ import annotations

import time

import pytest

from pipeline.errors import BadInput
from pipeline.mix import MixSettings, check_length, mix
from pipeline.mix import clips as mix_clips
from pipeline.model import Script, Speaker, Turn

from .conftest import build_clips

#: About 20 hours at a typical speaking rate: 960 KB of English in one turn.
HUGE_TURN = " ".join(["The library opens early on winter mornings for the children of the town."] * 13_200)


def script(*turns: tuple[str, str]) -> Script:
    speakers = tuple(Speaker(id=sid, name=sid.upper(), label=sid.upper()) for sid in dict.fromkeys(s for s, _ in turns))
    return Script(title="Long", language="en", speakers=speakers,
                  turns=tuple(Turn(speaker=sid, text=text) for sid, text in turns))


def test_a_twenty_hour_edition_is_refused_up_front_through_the_cli(recast, media_tools, tmp_path):
    src = tmp_path / "long.txt"
    src.write_text(f"Ann: {HUGE_TURN}\nBob: Thank you.\n", "utf-8")
    assert len(src.read_bytes()) > 950_000
    began = time.monotonic()
    proc = recast("render", str(src), "-o", str(tmp_path / "out"), "--engine", "espeak", timeout=120)
    took = time.monotonic() - began
    err = proc.stderr.decode()
    assert proc.returncode == 2, err[-2000:]
    lines = [ln for ln in err.splitlines() if ln.startswith("recast:")]
    assert len(lines) == 1 and lines[0].startswith("recast: error: the edition would be about "), err
    assert "hours long" in lines[0] and "at most 13.5 hours of one voice" in lines[0] and "internal" not in err
    assert took < 60  # before synthesizing anything
    assert not list((tmp_path / "out").rglob("*.wav")) and not (tmp_path / "out" / ".cache").exists()


def test_the_estimate_names_the_length_and_the_limit():
    with pytest.raises(BadInput) as refused:
        check_length(script(("ann", HUGE_TURN), ("bob", "Thank you.")))
    hours = float(str(refused.value).split("about ")[1].split(" hours")[0])
    assert 15 <= hours <= 25
    assert "13.5 hours of one voice" in str(refused.value)


def test_long_editions_within_the_limit_pass():
    ten_hours = " ".join(["The library opens early on winter mornings for the children of the town."] * 6_500)
    check_length(script(("ann", ten_hours)))  # ~10 h of one voice
    check_length(script(("ann", HUGE_TURN[: len(HUGE_TURN) // 2]), ("bob", HUGE_TURN[: len(HUGE_TURN) // 2])))
    check_length(script())


def test_the_scratch_guard_refuses_with_the_same_line_not_a_struct_error(tmp_path, media_tools, monkeypatch):
    """An edition the estimate let through but whose voice reaches the scratch WAV's limit in the mixer."""
    clips = build_clips(tmp_path / "clips")
    monkeypatch.setattr(mix_clips, "SCRATCH_FRAMES", 44100)  # one second per voice instead of 13.5 hours
    with pytest.raises(BadInput) as refused:
        mix(clips, MixSettings(), tmp_path / "work")
    message = str(refused.value)
    assert message.startswith("the edition would be about ") and "hours of one voice" in message
    assert "format requires" not in message
    assert (tmp_path / "work" / "mix-scratch").is_dir()  # the scratch files were closed, nothing half-kept open
