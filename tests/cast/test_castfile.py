"""User cast files (--cast cast.toml): what they set, and every way they can be wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.cast import cast_script
from pipeline.cast.voices import load_catalogue
from pipeline.errors import BadInput


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "cast.toml"
    path.write_text(text, "utf-8")
    return path


def test_cast_file_sets_voice_and_prosody(interview, tmp_path: Path):
    path = write(tmp_path, """
[speakers."勞勃·西原"]
voice = "zh-TW-HsiaoChenNeural"
rate = 5
pitch = -2
volume = 10

[narrator]
voice = "zh-TW-YunJheNeural"
""")
    cast = cast_script(interview, "edge", cast_file=path)
    s1 = cast.voice_for("s1")
    assert (s1.voice, s1.rate, s1.pitch, s1.volume) == ("zh-TW-HsiaoChenNeural", 5, -2, 10)
    assert cast.narrator.voice == "zh-TW-YunJheNeural"
    # The other speaker is cast around the user's choices: a man, not the narrator's voice.
    assert cast.voice_for("s2").voice not in ("zh-TW-HsiaoChenNeural", "zh-TW-YunJheNeural")
    assert load_catalogue().get(cast.voice_for("s2").voice, "edge").gender == "male"


@pytest.mark.parametrize("key", ["勞勃·西原", "勞勃·西原(Robert Nishihara)", "Robert Nishihara", "robert  nishihara",
                                 "s1", "勞勃·西原（Robert Nishihara）"])
def test_speakers_are_found_by_name_label_alias_or_id(interview, tmp_path: Path, key: str):
    path = write(tmp_path, f'[speakers."{key}"]\nvoice = "zh-tw-hsiaoyuneural"\n')
    cast = cast_script(interview, "edge", cast_file=path)
    assert cast.voice_for("s1").voice == "zh-TW-HsiaoYuNeural"  # canonical spelling


def test_gender_and_role_from_the_cast_file(make_script, tmp_path: Path):
    script = make_script(["甲", "乙"], [(0, "你好嗎？"), (1, "很好。"), (0, "真的嗎？")])
    path = write(tmp_path, '[speakers."甲"]\ngender = "male"\nrole = "guest"\n[speakers."乙"]\ngender = "male"\n')
    cast = cast_script(script, "edge", cast_file=path)
    cat = load_catalogue()
    assert all(cat.get(vs.voice, "edge").gender == "male" for _, vs in cast.speakers)
    assert cast.host == "s2" and cast.role_of("s1") == "guest"


def test_same_user_voice_for_neighbours_gets_different_prosody(make_script, tmp_path: Path):
    script = make_script(["甲", "乙"], [(0, "你好。"), (1, "你好。")])
    path = write(tmp_path, '[speakers."甲"]\nvoice = "zh-TW-YunJheNeural"\n[speakers."乙"]\nvoice = "zh-TW-YunJheNeural"\n')
    cast = cast_script(script, "edge", cast_file=path)
    a, b = cast.voice_for("s1"), cast.voice_for("s2")
    assert a.voice == b.voice == "zh-TW-YunJheNeural" and a != b
    assert abs(a.pitch - b.pitch) >= 8 or abs(a.rate - b.rate) >= 8


def test_narrator_fully_fixed_equal_to_a_speaker_is_rejected(make_script, tmp_path: Path):
    script = make_script(["甲"], [(0, "你好。")])
    path = write(tmp_path, '[speakers."甲"]\nvoice = "zh-TW-YunJheNeural"\nrate = 0\npitch = 0\n'
                           '[narrator]\nvoice = "zh-TW-YunJheNeural"\nrate = 0\npitch = 0\n')
    with pytest.raises(BadInput, match="narrator"):
        cast_script(script, "edge", cast_file=path)


def test_narrator_sharing_a_speaker_voice_sounds_different(make_script, tmp_path: Path):
    script = make_script(["甲"], [(0, "你好。")])
    path = write(tmp_path, '[speakers."甲"]\nvoice = "zh-TW-YunJheNeural"\n[narrator]\nvoice = "zh-TW-YunJheNeural"\n')
    cast = cast_script(script, "edge", cast_file=path)
    a, n = cast.voice_for("s1"), cast.narrator
    assert n.voice == a.voice and (abs(a.pitch - n.pitch) >= 8 or abs(a.rate - n.rate) >= 8)


# ------------------------------------------------------------------------------------------------ errors


def rejected(script, tmp_path: Path, text: str, engine: str = "edge") -> str:
    with pytest.raises(BadInput) as err:
        cast_script(script, engine, cast_file=write(tmp_path, text))
    message = str(err.value)
    assert "\n" not in message and "cast.toml" in message
    return message


def test_unknown_voice_suggests_the_nearest(interview, tmp_path: Path):
    msg = rejected(interview, tmp_path, '[speakers."勞勃·西原"]\nvoice = "zh-TW-YunJeNeural"\n')
    assert "unknown voice 'zh-TW-YunJeNeural'" in msg and "did you mean zh-TW-YunJheNeural" in msg
    assert "recast voices --engine edge" in msg


def test_voice_of_the_other_engine_is_explained(interview, tmp_path: Path):
    msg = rejected(interview, tmp_path, '[speakers."勞勃·西原"]\nvoice = "cmn-latn-pinyin+m3"\n')
    assert "espeak-ng voice" in msg and "--engine espeak" in msg
    msg = rejected(interview, tmp_path, '[narrator]\nvoice = "zh-TW-HsiaoYuNeural"\n', engine="espeak")
    assert "Edge voice" in msg and "--engine edge" in msg


def test_invalid_toml_gives_the_line(interview, tmp_path: Path):
    msg = rejected(interview, tmp_path, '[speakers."勞勃·西原"]\nvoice = "zh-TW-YunJheNeural"\nrate = = 3\n')
    assert "not valid TOML" in msg and "line 3" in msg


def test_unknown_speaker_lists_the_speakers(interview, tmp_path: Path):
    msg = rejected(interview, tmp_path, '[speakers."唐鳳"]\nvoice = "zh-TW-HsiaoYuNeural"\n')
    assert "no speaker '唐鳳'" in msg and "勞勃·西原" in msg and "凱文·威爾" in msg


@pytest.mark.parametrize("body, fragment", [
    ("rate = 200", "rate must be an integer from -50 to 100"),
    ("pitch = -80", "pitch must be an integer from -50 to 50"),
    ("volume = 51", "volume must be an integer from -50 to 50"),
    ('rate = "fast"', "rate must be an integer"),
    ("rate = 1.5", "rate must be an integer"),
    ("rate = true", "rate must be an integer"),
    ('gender = "robot"', "gender must be female or male"),
    ('role = "star"', "role must be host or guest"),
    ("voice = 3", "voice must be a voice name"),
    ('speed = 3', "unknown key 'speed'"),
])
def test_wrong_types_and_ranges(interview, tmp_path: Path, body: str, fragment: str):
    msg = rejected(interview, tmp_path, f'[speakers."凱文·威爾"]\n{body}\n')
    assert fragment in msg


def test_structure_errors(interview, tmp_path: Path):
    assert "unknown entry 'voices'" in rejected(interview, tmp_path, '[voices]\na = 1\n')
    assert "must be tables" in rejected(interview, tmp_path, 'speakers = 3\n')
    assert "must be a table" in rejected(interview, tmp_path, '[speakers]\n"凱文·威爾" = "zh-TW-YunJheNeural"\n')
    assert "unknown key 'gender'" in rejected(interview, tmp_path, '[narrator]\ngender = "male"\n')
    assert "name the same speaker" in rejected(
        interview, tmp_path, '[speakers."Kevin Weil"]\nrate = 1\n[speakers."s2"]\nrate = 2\n')


def test_ambiguous_name_asks_for_an_id(make_script, tmp_path: Path):
    from pipeline.model import Speaker

    script = make_script([Speaker("s1", "王明", "王明"), Speaker("s2", "王明", "王明(記者)")],
                         [(0, "你好。"), (1, "你好。")])
    msg = rejected(script, tmp_path, '[speakers."王明"]\nrate = 3\n')
    assert "more than one speaker" in msg and "s1" in msg and "s2" in msg


def test_missing_and_undecodable_files(interview, tmp_path: Path):
    with pytest.raises(BadInput, match="cast file not found"):
        cast_script(interview, "edge", cast_file=tmp_path / "nope.toml")
    bad = tmp_path / "latin1.toml"
    bad.write_bytes('[narrator]\nvoice = "caf\xe9"\n'.encode("latin-1"))
    with pytest.raises(BadInput, match="not UTF-8"):
        cast_script(interview, "edge", cast_file=bad)


def test_the_documented_cast_file_works(interview, tmp_path: Path):
    import re

    readme = (Path(__file__).resolve().parents[2] / "voices" / "README.md").read_text("utf-8")
    block = re.search(r"```toml\n(.*?)```", readme, re.S).group(1)
    cast = cast_script(interview, "edge", cast_file=write(tmp_path, block))
    s1 = cast.voice_for("s1")
    assert (s1.voice, s1.rate, s1.pitch) == ("zh-TW-YunJheNeural", 5, -2)
    assert cast.narrator.voice == "zh-TW-HsiaoYuNeural"
