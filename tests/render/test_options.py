"""Render options are checked once, when made, against the registries that define the names."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import BadInput
from pipeline.render import ENGINE_CHOICES, INTRO_CHOICES, RenderOptions


def test_engine_choices_are_the_engine_registry():
    from pipeline.synth.engines import ENGINES

    assert ENGINE_CHOICES == ("auto", *ENGINES)


def test_choices_come_from_their_registries():
    from pipeline import cli
    from pipeline.edition import AUDIO_FORMATS
    from pipeline.ingest import FORMATS
    from pipeline.writers.audio import AUDIO_WRITERS

    assert AUDIO_FORMATS == tuple(AUDIO_WRITERS)
    assert [e.value for e in cli.Format] == list(FORMATS)
    assert [e.value for e in cli.EngineChoice] == list(ENGINE_CHOICES)
    assert [e.value for e in cli.IntroChoice] == list(INTRO_CHOICES)


@pytest.mark.parametrize("kwargs, says", [
    ({"engine": "nope"}, "--engine takes auto, edge or espeak"),
    ({"intro": "maybe"}, "--intro takes auto, source or none"),
    ({"formats": ("ogg",)}, "--formats takes mp3 and/or m4a"),
    ({"formats": ()}, "--formats"),
    ({"input_format": "docx"}, "--format takes article"),
    ({"cover": Path("/definitely/not/here.png")}, "cover image not found"),
])
def test_bad_options_are_refused_when_made(kwargs, says):
    with pytest.raises(BadInput, match=says):
        RenderOptions(**kwargs)


def test_formats_are_normalized():
    assert RenderOptions(formats=(" MP3", "m4a", "mp3")).formats == ("mp3", "m4a")
