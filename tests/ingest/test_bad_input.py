"""Bad input through the real CLI: exit 2, exactly one line on stderr, no traceback."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from pipeline.errors import BadInput
from pipeline.ingest import load_script, parse_text

GOOD_VTT = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Ann>Hello.\n\n00:00:02.000 --> 00:00:03.000\n<v Bo>Hi.\n"
SCRIPT = {"title": "T", "language": "en", "speakers": [{"id": "a", "name": "Ann", "label": "Ann"}],
          "turns": [{"speaker": "a", "text": "Hello there.", "chapter": None}]}


def _write(tmp: Path, name: str, data: bytes | str) -> Path:
    path = tmp / name
    if isinstance(data, str):
        path.write_text(data, "utf-8")
    else:
        path.write_bytes(data)
    return path


def _zip(tmp: Path) -> bytes:
    zpath = tmp / "x.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        zf.writestr("a.txt", "hello")
    return zpath.read_bytes()


CASES = {
    "empty": ("empty.txt", b"", "is empty"),
    "whitespace": ("blank.txt", " \n\t\r\n  \n", "is empty"),
    "png": ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64), "PNG image"),
    "elf": ("program.txt", b"\x7fELF\x02\x01\x01" + bytes(100), "ELF executable"),
    "nul-binary": ("blob.txt", bytes(range(256)) * 8, "binary file"),
    "undecodable": ("short-big5.txt", "問：好嗎？".encode("cp950"), "UTF-8"),
    "no-speech": ("direction.txt", "(laughter)\n", "no speech"),
    "labels-only": ("labels.md", "# Title\n\n### Ann:\n\n### Bo:\n", "no speech"),
    "vtt-backwards": ("back.vtt", "WEBVTT\n\n00:00:05.000 --> 00:00:01.000\n<v A>Hi\n", "before it starts"),
    "vtt-garbage-timing": ("bad.vtt", "WEBVTT\n\n00:00:xx.000 --> 00:00:01.000\n<v A>Hi\n", "timing"),
    "vtt-no-cues": ("none.vtt", "WEBVTT\n\nNOTE nothing here\n", "no cues"),
    "vtt-out-of-order": ("order.vtt", GOOD_VTT.replace("00:00:02.000 --> 00:00:03.000",
                                                        "00:00:00.500 --> 00:00:03.000"), "time order"),
    "srt-no-timing": ("bad.srt", "1\n00:00:01,000 --> 00:00:02,000\nA: hi\n\n2\nB: hello\n", "line 6: expected an SRT timing"),
    "srt-impossible-time": ("time.srt", "1\n00:00:01,000 --> 00:00:02,000\nA: hi\n\n2\n00:61:00,000 --> "
                                         "00:62:00,000\nB: hello\n", "impossible time"),
    "json-syntax": ("bad.json", '{"title": "x", "turns": [}', "malformed JSON at line 1"),
    "json-missing-field": ("missing.json", json.dumps({k: v for k, v in SCRIPT.items() if k != "turns"}),
                           "missing the field 'turns'"),
    "json-unknown-speaker": ("who.json", json.dumps({**SCRIPT, "turns": [{"speaker": "zz", "text": "Hi"}]}),
                             "turns[0].speaker"),
    "json-wrong-type": ("type.json", json.dumps({**SCRIPT, "title": 5}), "'title' must be a string"),
    "json-array": ("array.json", "[]", "must be an object"),
    "json-bad-date": ("date.json", json.dumps({**SCRIPT, "published": "yesterday"}), "'published'"),
    "json-no-speech": ("quiet.json", json.dumps({**SCRIPT, "turns": [{"speaker": "a", "text": "(laughs)"}]}),
                       "no speech"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_file_is_one_line_exit_2(case, tmp_path, recast):
    name, data, words = CASES[case]
    if case == "nul-binary":
        data = b"\x00\x01" + data
    path = _write(tmp_path, name, data)
    proc = recast("inspect", str(path), "--json")
    _assert_one_line_error(proc, words)


def test_zip_named_txt(tmp_path, recast):
    path = _write(tmp_path, "notes.txt", _zip(tmp_path))
    _assert_one_line_error(recast("inspect", str(path), "--json"), "ZIP archive")


def test_missing_file(tmp_path, recast):
    _assert_one_line_error(recast("inspect", str(tmp_path / "nope.txt"), "--json"), "no such file")


def test_directory(tmp_path, recast):
    _assert_one_line_error(recast("inspect", str(tmp_path), "--json"), "is a folder")


def test_over_ten_megabytes_names_size_and_limit(tmp_path, recast):
    path = tmp_path / "huge.txt"
    with path.open("wb") as fh:
        fh.truncate(11 * 1024 * 1024)
    _assert_one_line_error(recast("inspect", str(path), "--json"), "11.0 MB; the limit is 10.0 MB")


def test_unknown_format_name(tmp_path, recast):
    path = _write(tmp_path, "a.txt", "Ann: hi\nBo: hello\nAnn: bye\n")
    _assert_one_line_error(recast("inspect", str(path), "--json", "--format", "docx"), "docx")
    with pytest.raises(BadInput, match="unknown input format 'docx'"):
        load_script(path, "docx")


def test_forced_format_that_does_not_fit(tmp_path, recast):
    path = _write(tmp_path, "a.txt", "Just some prose without any speakers at all.\n")
    _assert_one_line_error(recast("inspect", str(path), "--json", "--format", "vtt"), "not a WebVTT file")
    _assert_one_line_error(recast("inspect", str(path), "--json", "--format", "inline"), "--format plain")
    _assert_one_line_error(recast("inspect", str(path), "--json", "--format", "json"), "malformed JSON")


def test_library_raises_badinput_for_text_without_speech():
    with pytest.raises(BadInput):
        parse_text("   \n\u200b\n")
    with pytest.raises(BadInput, match="no speech"):
        parse_text("[inaudible]\n\n(laughter)\n")


def _assert_one_line_error(proc, words: str) -> None:
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 2, err
    assert proc.stdout == b""
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("recast: error: ")
    assert words in lines[0], lines[0]
