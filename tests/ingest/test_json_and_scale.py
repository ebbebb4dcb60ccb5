"""JSON scripts (strict schema) and large inputs."""

from __future__ import annotations

import copy
import json
import time

import pytest

from pipeline.errors import BadInput
from pipeline.ingest import load_script, parse_text, script_from_dict, script_to_dict
from pipeline.model import Span

SCRIPT = {
    "title": "T", "published": None, "language": "en", "description": "", "key_points": [],
    "speakers": [{"id": "a", "name": "Ann", "label": "Ann"}, {"id": "b", "name": "Bo", "label": "Bo (host)"}],
    "chapters": [{"title": "One", "start_turn": 0}],
    "turns": [{"speaker": "a", "text": "Hi. (laughs)", "chapter": 0}, {"speaker": "b", "text": "Hello.", "chapter": 0}],
}


def test_json_input_is_taken_as_given():
    script = script_from_dict(SCRIPT)
    assert [s.id for s in script.speakers] == ["a", "b"]
    assert script.turns[0].spans == (Span("Hi. ", True), Span("(laughs)", False))
    assert script_to_dict(script) == SCRIPT


def test_inspect_engine_output_is_accepted_back():
    data = copy.deepcopy(SCRIPT)
    data["speakers"][0].update(voice="en-US-AvaNeural", role="guest")
    data["narrator"] = {"voice": "en-US-AndrewNeural"}
    script = script_from_dict(data)
    assert script.speakers[0].role == "guest"


@pytest.mark.parametrize("change, words", [
    (lambda d: d["speakers"][0].pop("id"), "'speakers[0]' is missing 'id'"),
    (lambda d: d["speakers"][0].update(role="boss"), "role must be host or guest"),
    (lambda d: (d["speakers"][1].update(id="a"), d["turns"][1].update(speaker="a")), "duplicate speaker ids"),
    (lambda d: d["turns"][1].update(chapter=3), "chapter 3"),
    (lambda d: d["turns"][1].update(chapter=True), "'turns[1].chapter' must be a non-negative integer"),
    (lambda d: d["turns"][0].update(text=""), "'turns[0].text' must not be empty"),
    (lambda d: d["turns"][0].update(spans=[{"text": "Hi.", "spoken": True}]), "must join to the turn's text"),
    (lambda d: d.update(key_points="one"), "'key_points' must be a list"),
    (lambda d: d.update(language="Chinese!"), "BCP-47"),
    (lambda d: d["chapters"][0].update(start_turn=-1), "start_turn"),
    (lambda d: d.update(turns=[]), "no speech"),
])
def test_json_schema_errors_name_the_field(change, words):
    data = copy.deepcopy(SCRIPT)
    change(data)
    with pytest.raises(BadInput) as err:
        script_from_dict(data)
    assert words in str(err.value)


def test_json_file_with_bom_is_read(tmp_path):
    path = tmp_path / "s.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(SCRIPT).encode())
    assert script_to_dict(load_script(path)) == SCRIPT


def _big(lines_per_turn: int, target: int, inline: bool) -> str:
    parts = ["A Long Conversation", ""]
    size, k = 0, 0
    while size < target:
        name = ("王大明", "李小華", "陳先生")[k % 3]
        par = f"這是第 {k} 段發言,我們談到城市、交通與教育的許多細節。" * 3
        block = [f"{name}：{par}"] if inline else [name, par]
        block += [par] * (lines_per_turn - 1)
        parts += block
        size += sum(len(x.encode()) + 1 for x in block)
        k += 1
    return "\n".join(parts)


@pytest.mark.parametrize("inline", [True, False], ids=["inline", "article"])
def test_five_megabytes_parse_in_a_few_seconds(inline):
    text = _big(3, 5 * 1024 * 1024, inline)
    t0 = time.process_time()
    script = parse_text(text)
    elapsed = time.process_time() - t0
    assert len(script.speakers) == 3
    assert script.source.format == ("inline" if inline else "article")
    assert len(script.turns) > 5000
    assert elapsed < 8, f"{elapsed:.1f}s of CPU for 5 MB"


def test_json_text_is_cleaned_of_invisible_characters():
    data = copy.deepcopy(SCRIPT)
    data["turns"][1]["text"] = "Hel\u200blo\u202e\x00."
    data["speakers"][0]["name"] = "A\u2066nn"
    script = script_from_dict(data)
    assert script.turns[1].text == "Hello."
    assert script.speakers[0].name == "Ann"
