"""Editing one turn of a long transcript and rendering again, through the real CLI: only the changed
turn is synthesized, only the sections around it (and the intro's) are encoded, and the joined files are
as sound as a first render's — by ffprobe, ffmpeg's ebur128 and mutagen. Rendering once more without a
change encodes nothing and writes the same audio, byte for byte.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import subprocess
from pathlib import Path

import pytest
from mutagen.mp3 import MP3

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("bench_corpus", ROOT / "bench" / "corpus.py")
corpus = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(corpus)

TURNS, WORDS, EDITED = 24, 60, 12  # ≈ 8 minutes of espeak-ng speech: several sections


def render(recast, src: Path, out: Path) -> dict:
    proc = recast("render", str(src), "-o", str(out), "--engine", "espeak", "--json", "--quiet")
    assert proc.returncode == 0, proc.stderr.decode()
    return json.loads(proc.stdout)


def loudness(path: Path) -> tuple[float, float]:
    err = subprocess.run(["ffmpeg", "-hide_banner", "-nostats", "-i", str(path), "-af", "ebur128=peak=true",
                          "-f", "null", "-"], capture_output=True, text=True, check=True).stderr
    summary = err[err.rindex("Summary:"):]
    return (float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1)),
            float(re.search(r"True peak:\s+Peak:\s+(-?[\d.]+|-inf) dBFS", summary).group(1)))


def audio_hashes(folder: Path) -> dict[str, str]:
    return {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in ("episode.mp3", "episode.m4a")}


@pytest.fixture(scope="module")
def renders(recast, tmp_path_factory, media_tools):
    base = tmp_path_factory.mktemp("edit-sections")
    src, out = base / "interview.md", base / "out"
    src.write_text(corpus.transcript(TURNS, WORDS, "en", chapter_every=8), "utf-8")
    first = render(recast, src, out)
    src.write_text(corpus.transcript(TURNS, WORDS, "en", chapter_every=8, edit=EDITED), "utf-8")
    edited = render(recast, src, out)
    hashes = audio_hashes(out / edited["slug"])
    again = render(recast, src, out)
    return first, edited, again, hashes, out


@pytest.mark.slow
def test_an_edit_encodes_only_the_sections_it_changed(renders):
    first, edited, _again, _hashes, out = renders
    sections = first["stats"]["sections"]
    assert sections["mp3"]["total"] >= 3 and all(f["encoded"] == f["total"] for f in sections.values())
    assert 1 <= edited["stats"]["synthesized"] <= 3  # the edited turn (and the intro, if it changed)
    for fmt, counts in edited["stats"]["sections"].items():
        assert 1 <= counts["encoded"] <= 3 and counts["total"] >= 3, (fmt, counts)
    store = out / ".sections" / first["slug"]
    levels = json.loads((store / "levels.json").read_text("utf-8"))
    assert set(levels["speaker_gains_db"]) >= {"narrator", "s1", "s2"}
    kept = [p for p in store.iterdir() if p.suffix in (".mp3", ".aac")]
    assert len(kept) == sum(f["total"] for f in edited["stats"]["sections"].values()), "the old sections are pruned"


@pytest.mark.slow
def test_the_edited_edition_is_sound(renders):
    _first, edited, _again, _hashes, out = renders
    folder = out / edited["slug"]
    for name in ("episode.mp3", "episode.m4a"):
        integrated, peak = loudness(folder / name)
        assert abs(integrated + 16) <= 1.0 and peak <= -1.0, (name, integrated, peak)
    mp3 = MP3(folder / "episode.mp3")
    assert mp3.info.length == pytest.approx(edited["duration_ms"] / 1000, abs=0.06)
    assert [t.text[0] for t in mp3.tags.getall("TIT2")] == [edited["title"]]
    chapters = json.loads(subprocess.run(["ffprobe", "-v", "error", "-print_format", "json", "-show_chapters",
                                          str(folder / "episode.m4a")], capture_output=True, check=True).stdout)
    starts = [round(float(c["start_time"]) * 1000) for c in chapters["chapters"]]
    assert starts == [c["start_ms"] for c in edited["chapters"]]
    duration = float(subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0",
                                     str(folder / "episode.m4a")], capture_output=True, text=True, check=True).stdout)
    assert duration == pytest.approx(edited["duration_ms"] / 1000, abs=0.06)


@pytest.mark.slow
def test_rendering_again_unchanged_encodes_nothing_and_writes_the_same_audio(renders):
    _first, edited, again, hashes, out = renders
    assert again["stats"]["synthesized"] == 0
    assert all(f["encoded"] == 0 for f in again["stats"]["sections"].values())
    assert audio_hashes(out / again["slug"]) == hashes
