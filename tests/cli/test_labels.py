"""Reading help for the user: what was read leniently is said once (stderr, or ``warnings`` in --json); labels Recast
cannot learn are named with the way out (``--labels``), and the cast file renames speakers."""

from __future__ import annotations

import json
from pathlib import Path

LOOSE_SRT = ("1\n00:00:01,000 --> 00:00:03,000\nAnn: Hello there.\n\n"
             "2\n00:04,000 --> 00:06,000\nBo: Hi, Ann. Good to be here.\n\n"
             "3\n00:00:07,000 --> 00:00:09,000\nAnn: Let us begin.\n")


def test_loose_cue_timings_are_read_with_one_warning(tmp_path: Path, recast):
    src = tmp_path / "talk.srt"
    src.write_text(LOOSE_SRT, "utf-8")
    done = recast("inspect", str(src))
    assert done.returncode == 0, done.stderr.decode()
    lines = done.stderr.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("recast: warning:") and "first at line 6 '00:04,000'" in lines[0]
    done = recast("inspect", "--json", str(src))
    data = json.loads(done.stdout)
    assert done.stderr == b"" and len(data["warnings"]) == 1 and len(data["turns"]) == 3


def test_a_clean_file_has_no_warnings(tmp_path: Path, recast):
    src = tmp_path / "talk.srt"
    src.write_text(LOOSE_SRT.replace("00:04,000 --> 00:06,000", "00:00:04,000 --> 00:00:06,000"), "utf-8")
    done = recast("inspect", "--json", str(src))
    assert done.returncode == 0 and json.loads(done.stdout)["warnings"] == [] and done.stderr == b""


UNLEARNED = "ANN -- Hello there, this is a show.\nMore from Ann here.\nBOB -- Hi Ann.\nANN -- Bye now.\n"


def test_labels_it_cannot_learn_are_named_with_the_way_out(tmp_path: Path, recast):
    src = tmp_path / "talk.txt"
    src.write_text(UNLEARNED, "utf-8")
    done = recast("inspect", "--json", str(src))
    data = json.loads(done.stdout)
    assert len(data["speakers"]) == 1 and len(data["warnings"]) == 1
    assert "'ANN --'" in data["warnings"][0] and "--labels" in data["warnings"][0]
    done = recast("inspect", "--json", str(src), "--labels", "(?P<name>[A-Z]+) -- ")
    data = json.loads(done.stdout)
    assert [s["label"] for s in data["speakers"]] == ["ANN", "BOB"] and data["warnings"] == []
    assert [t["text"] for t in data["turns"]] == ["Hello there, this is a show.\nMore from Ann here.", "Hi Ann.",
                                                  "Bye now."]


def test_a_bad_label_pattern_is_refused_up_front(tmp_path: Path, recast):
    src = tmp_path / "talk.txt"
    src.write_text(UNLEARNED, "utf-8")
    for pattern, says in (("[A-Z", "is not a regular expression"), ("ANN", "needs a group")):
        done = recast("render", str(src), "--labels", pattern, "--output", str(tmp_path / "out"))
        assert done.returncode == 2 and says in done.stderr.decode() and not (tmp_path / "out").exists()


def test_the_cast_file_gives_speakers_the_names_listeners_hear(tmp_path: Path, recast):
    src, cast = tmp_path / "talk.txt", tmp_path / "cast.toml"
    src.write_text(UNLEARNED, "utf-8")
    cast.write_text('[speakers.ANN]\nname = "Ann Lee"\n\n[speakers.BOB]\nname = "Bob Tran"\n', "utf-8")
    done = recast("inspect", "--json", str(src), "--labels", "(?P<name>[A-Z]+) -- ", "--cast", str(cast),
                  "--engine", "espeak")
    data = json.loads(done.stdout)
    assert [(s["name"], s["label"]) for s in data["speakers"]] == [("Ann Lee", "ANN"), ("Bob Tran", "BOB")]
    cast.write_text('[speakers.ANN]\nname = ""\n', "utf-8")
    done = recast("inspect", str(src), "--labels", "(?P<name>[A-Z]+) -- ", "--cast", str(cast))
    assert done.returncode == 2 and "name must be a name of 1 to 60 characters" in done.stderr.decode()
