"""Recast reads back its own timed transcripts (transcript.json, .vtt, .srt) into the same speakers and turns."""

from __future__ import annotations

import re

import pytest

from pipeline.ingest import load_script
from pipeline.lang import label


def _turns(script) -> list[tuple[str, str]]:
    """(speaker name, spoken text) per turn, consecutive turns of one speaker joined (transcripts carry no
    chapters, so a turn that a heading split reads back as one)."""
    names = {s.id: s.name for s in script.speakers}
    out: list[tuple[str, str]] = []
    for t in script.turns:
        said = re.sub(r"\s+", "", t.spoken_text)
        if out and out[-1][0] == names[t.speaker]:
            out[-1] = (out[-1][0], out[-1][1] + said)
        else:
            out.append((names[t.speaker], said))
    return out


@pytest.mark.parametrize("name", ["transcript.json", "transcript.vtt", "transcript.srt"])
def test_an_editions_transcript_reads_back_into_its_speakers_and_turns(built, name):
    back = load_script(built.out / name)
    script = built.edition.script
    assert [s.name for s in back.speakers] == [s.name for s in script.speakers]
    assert label("narrator", script.language) not in {s.name for s in back.speakers}  # the intro is no speaker
    want, got = _turns(script), _turns(back)
    assert [who for who, _ in got] == [who for who, _ in want]
    for (_, said), (_, expected) in zip(got, want, strict=True):
        assert said[:12] == expected[:12]
