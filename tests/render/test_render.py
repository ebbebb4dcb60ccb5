"""End-to-end renders through the real CLI, checked with tools we did not write (ffprobe, ffmpeg, mutagen)."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
MINI = DATA / "mini-article.txt"
AUDIO = ("episode.mp3", "episode.m4a")
EXPECTED_FILES = {"episode.mp3", "episode.m4a", "chapters.json", "transcript.vtt", "transcript.srt",
                  "transcript.json", "shownotes.md", "shownotes.html", "episode.json"}


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def render(recast, src: Path, out: Path, *extra: str, env: dict | None = None) -> dict:
    proc = recast("render", str(src), "-o", str(out), "--engine", "espeak", "--json", *extra, env=env)
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stderr.decode().count("Traceback") == 0
    return json.loads(proc.stdout)


def edition_dir(out: Path, manifest: dict) -> Path:
    return out / manifest["slug"]


def ffprobe_chapters(path: Path) -> list[tuple[str, float, float]]:
    data = json.loads(subprocess.run(["ffprobe", "-v", "error", "-print_format", "json", "-show_chapters",
                                      str(path)], capture_output=True, check=True).stdout)
    return [(c["tags"]["title"], float(c["start_time"]), float(c["end_time"])) for c in data["chapters"]]


def ebur128(path: Path) -> tuple[float, float]:
    err = subprocess.run(["ffmpeg", "-hide_banner", "-nostats", "-i", str(path), "-af", "ebur128=peak=true",
                          "-f", "null", "-"], capture_output=True).stderr.decode("utf-8", "replace")
    summary = err[err.rindex("Summary:"):]
    integrated = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))
    peak = float(re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary).group(1))
    return integrated, peak


def speech_starts(path: Path) -> list[float]:
    """Times where speech resumes after silence, by ffmpeg's silencedetect (plus 0 if it starts loud)."""
    err = subprocess.run(["ffmpeg", "-hide_banner", "-nostats", "-i", str(path), "-af",
                          "silencedetect=noise=-45dB:d=0.25", "-f", "null", "-"],
                         capture_output=True).stderr.decode("utf-8", "replace")
    ends = [float(x) for x in re.findall(r"silence_end: (-?[\d.]+)", err)]
    starts = [float(x) for x in re.findall(r"silence_start: (-?[\d.]+)", err)]
    out = list(ends)
    if not starts or starts[0] > 0.05:
        out.insert(0, 0.0)
    return out


@pytest.fixture(scope="module")
def mini_render(tmp_path_factory, recast, media_tools):
    out = tmp_path_factory.mktemp("render")
    manifest = render(recast, MINI, out)
    return out, manifest


def test_edition_files_and_manifest(mini_render):
    out, m = mini_render
    ed = edition_dir(out, m)
    assert re.fullmatch(r"2025-03-14-[a-z0-9-]+", m["slug"])
    names = {p.name for p in ed.iterdir()}
    assert EXPECTED_FILES <= names
    assert not [n for n in names if n.startswith(".tmp")]
    listed = {f["name"]: f for f in m["files"]}
    for name in EXPECTED_FILES - {"episode.json"}:
        assert listed[name]["bytes"] == (ed / name).stat().st_size
        assert listed[name]["sha256"] == sha(ed / name)
    on_disk = json.loads((ed / "episode.json").read_text("utf-8"))
    assert on_disk["stats"]["synthesized"] > 0 and on_disk["stats"]["cached"] == 0
    assert set(on_disk["stats"]["timings"]) >= {"synthesize", "mix", "write", "total"}


def test_chapters_in_both_containers(mini_render):
    out, m = mini_render
    ed = edition_dir(out, m)
    expected = [c["title"] for c in m["chapters"]]
    assert expected[1:] == ["從一張借書證開始", "讓大人也回到圖書館"]
    for name in AUDIO:
        chapters = ffprobe_chapters(ed / name)
        assert [c[0] for c in chapters] == expected, name
        starts = [c[1] for c in chapters]
        assert starts[0] == 0 and starts == sorted(starts)
        for (title, start, _end), mc in zip(chapters, m["chapters"], strict=True):
            assert abs(start * 1000 - mc["start_ms"]) <= 50, (name, title)
    from mutagen.mp4 import MP4

    m4a = MP4(ed / "episode.m4a")
    assert [c.title for c in m4a.chapters] == expected
    cj = json.loads((ed / "chapters.json").read_text("utf-8"))
    assert cj["version"] == "1.2.0" and cj["chapters"][0]["startTime"] == 0
    assert [c["title"] for c in cj["chapters"]] == expected


def test_loudness_and_speech_at_chapter_marks(mini_render):
    out, m = mini_render
    ed = edition_dir(out, m)
    for name in AUDIO:
        integrated, peak = ebur128(ed / name)
        assert -17.0 <= integrated <= -15.0, (name, integrated)
        assert peak <= -1.0, (name, peak)
    starts = speech_starts(ed / "episode.mp3")
    for chapter in m["chapters"]:
        t = chapter["start_ms"] / 1000
        assert min(abs(s - t) for s in starts) <= 0.150, (chapter, starts)


def test_transcripts_agree_with_audio(mini_render):
    out, m = mini_render
    ed = edition_dir(out, m)
    vtt = (ed / "transcript.vtt").read_text("utf-8")
    assert vtt.startswith("WEBVTT")
    assert "<v 陳志明>" in vtt and "<v 林雅婷>" in vtt
    times = re.findall(r"(\d\d):(\d\d):(\d\d)\.(\d{3}) --> (\d\d):(\d\d):(\d\d)\.(\d{3})", vtt)
    assert times
    ends = [int(h) * 3600 + int(mi) * 60 + int(s) + int(ms) / 1000 for *_, h, mi, s, ms in times]
    assert max(ends) * 1000 <= m["duration_ms"] + 50
    assert "（笑）" not in vtt and "(笑)" not in vtt  # stage directions are not spoken
    voices = [s["voice"]["voice"] + str(s["voice"]["pitch"]) + str(s["voice"]["rate"]) for s in m["speakers"]]
    assert len(set(voices)) == len(voices) == 2
    narrator = m["narrator"]["voice"]
    assert all(s["voice"] != narrator for s in m["speakers"])


def test_second_render_reuses_every_clip_and_is_byte_identical(mini_render, recast, tmp_path):
    out, first = mini_render
    ed = edition_dir(out, first)
    before = {n: sha(ed / n) for n in AUDIO}
    again = render(recast, MINI, out)
    assert again["stats"]["synthesized"] == 0
    assert again["stats"]["cached"] == first["stats"]["synthesized"]
    assert {n: sha(ed / n) for n in AUDIO} == before


def test_one_turn_edit_resynthesizes_only_that_turn(recast, tmp_path, media_tools):
    src = tmp_path / "episode.txt"
    src.write_text(MINI.read_text("utf-8"), "utf-8")
    first = render(recast, src, tmp_path / "out", "--intro", "none")
    src.write_text(MINI.read_text("utf-8").replace("真不容易!", "真是不容易啊!"), "utf-8")
    second = render(recast, src, tmp_path / "out", "--intro", "none")
    assert second["stats"]["synthesized"] == 1
    assert second["stats"]["cached"] == first["stats"]["synthesized"] - 1


def test_unwritable_output_is_one_line(recast, tmp_path, media_tools):
    target = tmp_path / "file-not-folder"
    target.write_text("x")
    proc = recast("render", str(MINI), "-o", str(target), "--engine", "espeak")
    err = proc.stderr.decode()
    assert proc.returncode == 2 and err.count("\n") == 1 and "not a folder" in err


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_reference_render(recast, reference_input, tmp_path, media_tools):
    """The judged render: intro + 4 chapters in MP3 and M4A, loudness, speech at chapter marks."""
    m = render(recast, reference_input, tmp_path)
    ed = edition_dir(tmp_path, m)
    titles = [c["title"] for c in m["chapters"]]
    assert titles[1:] == ["在探索中前行", "O1 和一般推理能力將變得更加重要", "模型的響應需要更具多樣性",
                          "OpenAI 的漸進式部署"]
    for name in AUDIO:
        assert [c[0] for c in ffprobe_chapters(ed / name)] == titles
        integrated, peak = ebur128(ed / name)
        assert -17.0 <= integrated <= -15.0 and peak <= -1.0, (name, integrated, peak)
    starts = speech_starts(ed / "episode.mp3")
    for chapter in m["chapters"]:
        assert min(abs(s - chapter["start_ms"] / 1000) for s in starts) <= 0.150, chapter
    assert len({s["voice"]["voice"] for s in m["speakers"]}) == 2


def test_readme_lists_exactly_the_files_a_render_writes(mini_render, root):
    out, m = mini_render
    text = (root / "README.md").read_text("utf-8")
    section = text[text.index("## What a render produces"):text.index("## Troubleshooting")]
    documented: set[str] = set()
    for cell in re.findall(r"^\| `([^|]+)` \|", section, re.M):
        names = [n.strip(" `") for n in cell.split("/")]
        stem = names[0].rsplit(".", 1)[0]
        documented |= {names[0]} | {f"{stem}.{n.lstrip('.')}" for n in names[1:]}
    assert documented == {p.name for p in edition_dir(out, m).iterdir()}

