"""The README's printed output is real output: its render summary and its ffprobe chapter table have the shape,
labels, file names and order of what Recast and ffprobe print today.

A small real render (espeak-ng, through the CLI, with ``--engine auto`` and an Edge endpoint that refuses, as on
a machine without network) gives the output to compare with; sizes, timings and loudness may differ, the
lines may not. The README's own numbers are checked against the bundled example they describe.
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = "examples/ai-classroom-interview.txt"
MINI = ROOT / "tests" / "render" / "data" / "mini-article.txt"
SECTION = ("## What a render produces", "## Performance")

#: Each line of the render summary, by kind. Only the values in groups may differ between runs.
LINE_KINDS = (
    ("fallback", r"recast: Edge TTS is unreachable; using espeak-ng \(offline voices\)"),
    ("ready", r"Edition ready: (?P<dir>output/\d{4}-\d\d-\d\d-[a-z0-9-]+)"),
    ("totals", r"  Duration (?P<clock>\d\d:\d\d:\d\d), (?P<chapters>\d+) chapters, (?P<speakers>\d+) speakers, "
               r"engine (?P<engine>espeak|edge); loudness -?\d+\.\d LUFS, true peak -?\d+\.\d dBTP"),
    ("clips", r"  Clips: \d+ synthesized, \d+ from cache; took \d+\.\d s"),
    ("file", r"  (?P<name>[a-z]+\.[a-z0-9]+) +\d{1,3}(?:,\d{3})* bytes"),
    ("play", r"Play it: ffplay -nodisp (?P<path>output/\S+)"),
    ("title", r"  (?P<title>\S.*)"),
)
#: ffprobe -show_chapters -of csv=p=0: id, time base, start, start_time, end, end_time, title.
CHAPTER_ROW = re.compile(r"(?P<id>\d+),1/1000,(?P<start>\d+),(?P<start_s>\d+\.\d{6}),(?P<end>\d+),"
                         r"(?P<end_s>\d+\.\d{6}),(?P<title>.+)")


@dataclass(frozen=True)
class Line:
    kind: str
    text: str
    fields: dict


def classify(text: str) -> Line:
    for kind, pattern in LINE_KINDS:
        m = re.fullmatch(pattern, text)
        if m:
            return Line(kind, text, m.groupdict())
    raise AssertionError(f"a line of no known kind: {text!r}")


def readme_blocks() -> tuple[list[str], list[str], str]:
    """(the summary block's lines, the chapter table's lines, the section's text) of the README."""
    text = (ROOT / "README.md").read_text("utf-8")
    section = text[text.index(SECTION[0]):text.index(SECTION[1])]
    blocks = re.findall(r"^```text\n(.*?)^```$", section, re.M | re.S)
    summary = next(b for b in blocks if "Edition ready:" in b)
    chapters = next(b for b in blocks if CHAPTER_ROW.fullmatch(b.splitlines()[0]))
    return summary.splitlines(), chapters.splitlines(), section


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def real(tmp_path_factory, recast, media_tools) -> tuple[list[str], Path]:
    """What a render prints (stderr's notice, then stdout) when Edge cannot be reached, and its edition."""
    work = tmp_path_factory.mktemp("readme")
    refused = f"ws://127.0.0.1:{free_port()}/edge/v1?TrustedClientToken=0"  # nothing listens there
    proc = recast("render", str(MINI), "--output", "output", cwd=work, env={"RECAST_EDGE_WSS_URL": refused})
    assert proc.returncode == 0, proc.stderr.decode()
    lines = proc.stderr.decode().splitlines() + proc.stdout.decode().splitlines()
    (edition,) = [p for p in (work / "output").iterdir() if not p.name.startswith(".")]
    return lines, edition


@pytest.fixture(scope="module")
def example(recast) -> dict:
    proc = recast("inspect", EXAMPLE, "--json")
    assert proc.returncode == 0, proc.stderr.decode()
    return json.loads(proc.stdout)


def test_readme_summary_has_the_lines_of_a_real_render(real):
    documented = [classify(t) for t in readme_blocks()[0]]
    printed = [classify(t) for t in real[0]]
    assert [ln.kind for ln in documented] == [ln.kind for ln in printed]
    assert [ln.fields["name"] for ln in documented if ln.kind == "file"] == \
        [ln.fields["name"] for ln in printed if ln.kind == "file"]
    # the file table's columns: names padded alike, sizes right-aligned to one column
    assert {ln.text.index(" bytes") for ln in documented + printed if ln.kind == "file"} == {
        next(ln.text.index(" bytes") for ln in printed if ln.kind == "file")}
    for lines in (documented, printed):
        ready = next(ln for ln in lines if ln.kind == "ready")
        play = next(ln for ln in lines if ln.kind == "play")
        assert play.fields["path"] == f"{ready.fields['dir']}/episode.mp3"
    assert sum(ln.kind == "play" for ln in printed) == 1  # said once (the Makefile adds none)


def test_readme_summary_describes_the_bundled_example(example):
    lines = [classify(t) for t in readme_blocks()[0]]
    title = next(ln for ln in lines if ln.kind == "title")
    totals = next(ln for ln in lines if ln.kind == "totals")
    assert title.fields["title"] == example["title"]
    assert int(totals.fields["chapters"]) == len(example["chapters"]) + 1  # the generated intro comes first
    assert int(totals.fields["speakers"]) == len(example["speakers"])
    assert totals.fields["engine"] == "espeak"  # as on a machine without network, which the fallback line says
    ready = next(ln for ln in lines if ln.kind == "ready")
    assert ready.fields["dir"].startswith(f"output/{example['published'][:10]}-")


def test_readme_chapter_table_is_what_ffprobe_prints(real, example):
    """The README's exact ffprobe command gives rows of the README's form; its titles are the example's."""
    _, table, section = readme_blocks()
    command = re.search(r"^(ffprobe .*?) output/\S+/episode\.m4a$", section, re.M).group(1).split()
    out = subprocess.run([*command, str(real[1] / "episode.m4a")], capture_output=True, text=True, check=True)
    printed = [CHAPTER_ROW.fullmatch(r) for r in out.stdout.splitlines()]
    documented = [CHAPTER_ROW.fullmatch(r) for r in table]
    assert all(printed) and all(documented), (out.stdout, table)
    # the intro's label is the one a Traditional Chinese render gives (the mini article is one too)
    assert documented[0]["title"] == printed[0]["title"]
    assert [m["title"] for m in documented[1:]] == [c["title"] for c in example["chapters"]]
    for i, m in enumerate(documented):
        assert int(m["id"]) == i
        assert f"{int(m['start']) / 1000:.6f}" == m["start_s"] and f"{int(m['end']) / 1000:.6f}" == m["end_s"]
        if i:
            assert m["start"] == documented[i - 1]["end"]
    assert documented[0]["start"] == "0"
    totals = next(classify(t) for t in readme_blocks()[0] if t.startswith("  Duration"))
    h, mi, s = map(int, totals.fields["clock"].split(":"))
    assert abs(int(documented[-1]["end"]) / 1000 - (h * 3600 + mi * 60 + s)) <= 0.5  # one edition described
