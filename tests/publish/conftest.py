"""Fixtures for the publishing tests: real edition folders with real (short) speech made by espeak-ng + ffmpeg.

Editions are written exactly in the ``episode.json`` schema of ``recast render`` (built here, not by the
renderer, so these tests stand alone). Audio is synthesized once per session and copied into each edition.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

TURNS = {
    "en": [("s1", "Ann Host", "host", "en-us", "Welcome to the show. Today we talk about trains."),
           ("s2", "Bob Guest", "guest", "en-gb", "Thanks for having me. Trains are great."),
           ("s1", "Ann Host", "host", "en-us", "Let us start with the history of railways.")],
    "zh": [("s1", "主持人小美", "host", "cmn", "歡迎收聽本節目。今天我們談人工智慧。"),
           ("s2", "來賓大明", "guest", "cmn", "謝謝邀請。這個題目很有意思。"),
           ("s1", "主持人小美", "host", "cmn", "我們先從歷史說起吧。")],
}


@dataclass(frozen=True)
class Speech:
    """Synthesized audio of one language variant with the turn timings."""

    mp3: Path
    m4a: Path
    turns: list[tuple[str, str, str, int, int, str]]  # (id, name, role, start_ms, end_ms, text)
    duration_ms: int


def _ffprobe_ms(path: Path) -> int:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0",
                          str(path)], capture_output=True, check=True, text=True).stdout
    return round(float(out.strip()) * 1000)


@pytest.fixture(scope="session")
def speech(tmp_path_factory, media_tools) -> dict[str, Speech]:
    """English and Chinese three-turn dialogues (~6–9 s each) as mp3 and m4a."""
    root = tmp_path_factory.mktemp("speech")
    out = {}
    for lang, turns in TURNS.items():
        wavs, timed, pos = [], [], 0
        for i, (sid, name, role, voice, text) in enumerate(turns):
            wav = root / f"{lang}-{i}.wav"
            subprocess.run(["espeak-ng", "-v", voice, "-s", "165", "-w", str(wav), text], check=True)
            ms = _ffprobe_ms(wav)
            timed.append((sid, name, role, pos, pos + ms, text))
            pos += ms
            wavs.append(wav)
        inputs = sum((["-i", str(w)] for w in wavs), [])
        concat = "".join(f"[{i}:a]" for i in range(len(wavs))) + f"concat=n={len(wavs)}:v=0:a=1[a]"
        joined = root / f"{lang}.wav"
        subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", *inputs, "-filter_complex", concat,
                        "-map", "[a]", "-ar", "22050", str(joined)], check=True)
        mp3, m4a = root / f"{lang}.mp3", root / f"{lang}.m4a"
        subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", str(joined), "-c:a",
                        "libmp3lame", "-b:a", "48k", "-ac", "1", str(mp3)], check=True)
        subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", str(joined), "-c:a", "aac",
                        "-b:a", "48k", "-ac", "1", "-movflags", "+faststart", str(m4a)], check=True)
        out[lang] = Speech(mp3, m4a, timed, _ffprobe_ms(mp3))
    return out


@pytest.fixture(scope="session")
def cover_png(tmp_path_factory, media_tools) -> Path:
    """A real 1400×1400 PNG."""
    path = tmp_path_factory.mktemp("art") / "cover.png"
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    "color=c=0x336699:s=1400x1400", "-frames:v", "1", str(path)], check=True)
    return path


def _clock(ms: int, sep: str) -> str:
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, milli = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{milli:03d}"


def write_edition(output: Path, slug: str, speech: Speech, *, title: str, published: str | None,
                  language: str, show: str = "Test Show", m4a: bool = True, cover: Path | None = None,
                  chapter_titles: tuple[str, ...] = ("Opening", "History"),
                  description: str = "An episode about trains.") -> Path:
    """Write a complete edition folder ``output/slug`` in the render schema; return the folder."""
    folder = output / slug
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(speech.mp3, folder / "episode.mp3")
    if m4a:
        shutil.copyfile(speech.m4a, folder / "episode.m4a")
    if cover is not None:
        shutil.copyfile(cover, folder / ("cover.png" if cover.suffix == ".png" else "cover.jpg"))
    turns = speech.turns
    dur = speech.duration_ms
    # Chapter 1 = first turn, chapter 2 = the rest.
    bounds = [0, turns[1][3]] if len(chapter_titles) > 1 else [0]
    chapters = [{"title": t, "start_ms": b, "end_ms": (bounds[i + 1] if i + 1 < len(bounds) else dur)}
                for i, (t, b) in enumerate(zip(chapter_titles, bounds, strict=False))]
    (folder / "chapters.json").write_text(json.dumps({"version": "1.2.0", "chapters": [
        {"startTime": c["start_ms"] / 1000, "endTime": c["end_ms"] / 1000, "title": c["title"]}
        for c in chapters]}, ensure_ascii=False, indent=2), "utf-8")
    vtt = ["WEBVTT", ""]
    srt = []
    segments = []
    for i, (_sid, name, _role, start, end, text) in enumerate(turns, 1):
        vtt += [f"{_clock(start, '.')} --> {_clock(end, '.')}", f"<v {name}>{text}", ""]
        srt += [str(i), f"{_clock(start, ',')} --> {_clock(end, ',')}", f"{name}: {text}", ""]
        segments.append({"speaker": name, "startTime": start / 1000, "endTime": end / 1000, "body": text})
    (folder / "transcript.vtt").write_text("\n".join(vtt), "utf-8")
    (folder / "transcript.srt").write_text("\n".join(srt), "utf-8")
    (folder / "transcript.json").write_text(json.dumps({"version": "1.0.0", "segments": segments},
                                                       ensure_ascii=False, indent=2), "utf-8")
    (folder / "shownotes.md").write_text(f"# {title}\n\n{description}\n", "utf-8")
    (folder / "shownotes.html").write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>notes</title>"
        "<script>alert('notes')</script></head><body>"
        f"<h2>Key points</h2><ul><li>{description.replace('&', '&amp;').replace('<', '&lt;')}</li></ul>"
        "<p onclick=\"alert(1)\">Contact: <a href=\"https://example.org/contact\">example.org</a></p>"
        "</body></html>", "utf-8")
    speakers, seen = [], set()
    for sid, name, role, *_ in turns:
        if sid not in seen:
            seen.add(sid)
            speakers.append({"id": sid, "name": name, "label": name, "role": role,
                             "voice": {"engine": "espeak", "voice": "en", "rate": 0, "pitch": 0, "volume": 0}})
    files = []
    for path in sorted(folder.iterdir()):
        if path.name != "episode.json":
            data = path.read_bytes()
            files.append({"name": path.name, "bytes": len(data), "type": _mime(path.name),
                          "sha256": hashlib.sha256(data).hexdigest()})
    manifest = {
        "recast_version": "0.1.0", "slug": slug, "title": title, "published": published, "language": language,
        "description": description, "show": show,
        "summary": {"intro": f"Welcome. In this episode: {title}.", "points": ["Trains matter."], "mode": "auto"},
        "key_points": ["Trains matter."],
        "source": {"path": "in.txt", "format": "inline", "encoding": "utf-8", "sha256": "0" * 64},
        "engine": {"name": "espeak", "version": "1.51"}, "versions": {"ffmpeg": "5.1"},
        "speakers": speakers,
        "narrator": {"name": "Narrator", "voice": {"engine": "espeak", "voice": "en", "rate": 0, "pitch": 0,
                                                   "volume": 0}},
        "chapters": chapters,
        "turns": [{"index": i, "speaker": t[0], "start_ms": t[3], "end_ms": t[4], "chapter": 0 if i == 0 else 1}
                  for i, t in enumerate(turns)],
        "duration_ms": dur,
        "loudness": {"integrated_lufs": -16.0, "true_peak_dbtp": -1.5, "lra": 3.0, "target_lufs": -16.0},
        "files": files, "stats": {"turns": len(turns)},
    }
    (folder / "episode.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), "utf-8")
    return folder


def _mime(name: str) -> str:
    return {".mp3": "audio/mpeg", ".m4a": "audio/mp4", ".json": "application/json", ".vtt": "text/vtt",
            ".srt": "application/x-subrip", ".md": "text/markdown", ".html": "text/html",
            ".png": "image/png", ".jpg": "image/jpeg"}.get(Path(name).suffix, "application/octet-stream")


@pytest.fixture(scope="session")
def make_edition(speech):
    """Factory: ``make_edition(output, slug, lang="en", **kwargs)`` → edition folder."""

    def make(output: Path, slug: str, lang: str = "en", **kwargs) -> Path:
        defaults = {"title": f"Episode {slug}", "published": "2024-10-22",
                    "language": "en" if lang == "en" else "zh-TW"}
        defaults.update(kwargs)
        return write_edition(output, slug, speech[lang], **defaults)

    return make


BASE = "https://example.org/pod/"


def build_show(out: Path, make_edition, cover_png: Path) -> Path:
    """Three editions published into ``out`` (en 2024-10-22 with cover and m4a; zh 2024-11-05 mp3 only;
    en undated), in that publish order."""
    from pipeline.publish import publish_edition

    make_edition(out, "2024-10-22-trains", title="Trains & <Railways>", cover=cover_png)
    make_edition(out, "2024-11-05-ai", lang="zh", title="人工智慧的「未來」", published="2024-11-05", m4a=False)
    make_edition(out, "undated-talk", title="An undated talk", published=None)
    for slug in ("2024-10-22-trains", "2024-11-05-ai", "undated-talk"):
        publish_edition(out / slug, base_url=BASE)
    return out


@pytest.fixture
def show_dir(tmp_path, make_edition, cover_png):
    """A published show of three episodes that the test may change."""
    return build_show(tmp_path / "output", make_edition, cover_png)


@pytest.fixture(scope="module")
def shared_show_dir(tmp_path_factory, make_edition, cover_png):
    """The same show, shared by a module's tests that only read it."""
    return build_show(tmp_path_factory.mktemp("shared") / "output", make_edition, cover_png)
