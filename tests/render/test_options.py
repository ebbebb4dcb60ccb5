"""Render options are checked once, when made, against the registries that define the names."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import BadInput
from pipeline.render import RenderOptions


def test_every_registered_engine_resolves_to_its_class():
    from pipeline.synth.engines import ENGINES, engine_class

    for name in ENGINES:
        assert engine_class(name).name == name


def test_the_registries_are_the_only_lists_of_names(monkeypatch):
    """A name added to a registry is accepted by every stage that checks names; nothing else lists them."""
    from pipeline import synth
    from pipeline.model import VoiceSettings

    monkeypatch.setitem(synth.engines.ENGINES, "piper", "pipeline.synth.engines.espeak:EspeakEngine")
    assert RenderOptions(engine="piper").engine == "piper"
    assert VoiceSettings(engine="piper", voice="en_US-joe-medium").engine == "piper"
    with pytest.raises(BadInput, match="edge, espeak, piper"):
        VoiceSettings(engine="nope", voice="x")


def test_audio_writers_are_the_edition_formats():
    from pipeline.edition import AUDIO_FILES
    from pipeline.writers.audio import AUDIO_WRITERS

    assert {fmt: (w.name, w.mime) for fmt, w in AUDIO_WRITERS.items()} == \
        {fmt: (f.name, f.mime) for fmt, f in AUDIO_FILES.items()}


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
