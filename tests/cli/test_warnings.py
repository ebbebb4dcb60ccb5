"""What a reader accepted leniently is said once: a warning line on stderr, a ``warnings`` list in --json."""

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
