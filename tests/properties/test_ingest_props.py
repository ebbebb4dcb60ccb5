"""Properties of ingest: arbitrary text and bytes never raise anything but BadInput, and what parses is clean.

``parse_text`` and ``load_script`` are the two entry points (text already decoded; a file of bytes).
"""

from __future__ import annotations

import dataclasses
import json
import unicodedata
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from prop_strategies import DOCUMENT, FAST, INVISIBLE, SLOW, TEXT

from pipeline.errors import BadInput
from pipeline.ingest import FORMATS, load_script, parse_text, script_from_dict, script_to_dict
from pipeline.model import Script

_BIDI_CONTROLS = {"LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"}


def parsed_or_bad_input(fn, *args) -> Script | None:
    """Call ``fn``; a BadInput is an accepted outcome (None), any other exception fails the property."""
    try:
        return fn(*args)
    except BadInput as err:
        message = str(err)
        assert message and "\n" not in message.strip(), repr(message)
        return None


def check_clean(script: Script) -> None:
    """What ingest hands on is clean: no invisible or control characters anywhere a voice or a file sees."""
    texts = [script.title, script.description, *script.key_points, *(c.title for c in script.chapters)]
    texts += [s.name for s in script.speakers] + [s.label for s in script.speakers]
    texts += [t.text for t in script.turns]
    for text in texts:
        bad = [ch for ch in text if ch in INVISIBLE and ch not in "\n"
               or unicodedata.bidirectional(ch) in _BIDI_CONTROLS
               or (unicodedata.category(ch) == "Cc" and ch not in "\n\t")]
        assert not bad, f"{bad!r} in {text!r}"
    assert script.turns, "a parsed script has at least one turn"
    assert any(t.spoken_text.strip() for t in script.turns), "a parsed script has something to say"
    used = {t.speaker for t in script.turns}
    assert used <= {s.id for s in script.speakers}


def check_round_trip(script: Script) -> None:
    """``inspect --json`` output read back as a JSON script is the same script (the documented promise)."""
    data = json.loads(json.dumps(script_to_dict(script), ensure_ascii=False))
    again = script_from_dict(data)
    assert dataclasses.replace(again, source=script.source) == script


@SLOW
@given(DOCUMENT)
@example("Ann: hi\nBob: hello\nAnn: bye\n")
@example("\ufeffAnn:\u202e hi\x00\nBob: \u200bhello\n")
@example("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Ann>hi\n")
def test_any_document_parses_or_is_bad_input(text: str):
    script = parsed_or_bad_input(parse_text, text)
    if script is not None:
        check_clean(script)
        check_round_trip(script)


@SLOW
@given(DOCUMENT, st.sampled_from(FORMATS))
def test_any_document_in_a_forced_format_parses_or_is_bad_input(text: str, fmt: str):
    script = parsed_or_bad_input(parse_text, text, fmt)
    if script is not None:
        check_clean(script)


@FAST
@given(TEXT)
def test_any_text_parses_or_is_bad_input(text: str):
    script = parsed_or_bad_input(parse_text, text)
    if script is not None:
        check_clean(script)


_JSON_KEYS = st.sampled_from(["title", "language", "speakers", "turns", "chapters", "published", "description",
                              "key_points", "id", "name", "label", "speaker", "text", "chapter", "role",
                              "gender", "aliases", "start_turn", "spans", "spoken"])
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 5) | st.floats(allow_nan=True) | st.text(max_size=6)
    | st.sampled_from(["s1", "a", "host", "female", "2024-01-01", "en", "zh-TW", "narrator"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_JSON_KEYS, inner, max_size=8),
    max_leaves=30)
_SCRIPTISH = st.fixed_dictionaries(
    {"title": st.text(max_size=5), "language": st.sampled_from(["en", "zh-TW", "xx", "", "EN", "zh_tw", "12"]),
     "speakers": st.lists(st.fixed_dictionaries(
         {"id": st.sampled_from(["a", "b", "narrator", "", "a b", "A", "../x"]), "name": st.text(max_size=4),
          "label": st.text(max_size=4)}, optional={"role": _JSON, "gender": _JSON, "aliases": _JSON}), max_size=3),
     "turns": st.lists(st.fixed_dictionaries({"speaker": st.sampled_from(["a", "b", "A", ""]),
                                              "text": TEXT}, optional={"chapter": _JSON, "spans": _JSON}),
                       max_size=4)},
    optional={"chapters": st.lists(st.fixed_dictionaries({"title": _JSON, "start_turn": _JSON}), max_size=3),
              "published": _JSON, "key_points": _JSON, "description": _JSON})


@SLOW
@given(st.one_of(_JSON, _SCRIPTISH))
def test_json_of_any_schema_parses_or_is_bad_input(doc):
    script = parsed_or_bad_input(parse_text, json.dumps(doc), "json")
    if script is not None:
        check_clean(script)
        check_round_trip(script)


@SLOW
@given(st.binary(max_size=400))
@example(b"\xff\xfeA\x00n\x00n\x00:\x00 \x00h\x00i\x00\n\x00B\x00o\x00:\x00 \x00y\x00o\x00")
@example(b"\x89PNG\r\n\x1a\n" + bytes(40))
@example("安：你好。\n博：再見。\n".encode("big5"))
def test_any_bytes_load_or_are_bad_input(tmp_path_factory: pytest.TempPathFactory, data: bytes):
    path: Path = tmp_path_factory.mktemp("bytes") / "transcript.txt"
    path.write_bytes(data)
    script = parsed_or_bad_input(load_script, path)
    if script is not None:
        check_clean(script)
