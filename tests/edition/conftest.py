"""Fixtures for the edition tests: real speech clips made with espeak-ng + ffmpeg, an edition built from them.

Each clip is built like an Edge clip: ~0.1 s of silence, the sentences (each one espeak-ng utterance with
its own padding cut off, so its start and end are known to the sample) separated by pauses, then ~0.9 s
of silence. The sentence timings handed to the mixer are therefore exact, which lets the tests check the
times in the transcripts and chapters against the audio.
"""

from __future__ import annotations

import array
import datetime as dt
import json
import re
import subprocess
import wave
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline.mix.chapters import timed_chapters
from pipeline.model import (
    NARRATOR_ID,
    Cast,
    Chapter,
    Clip,
    Edition,
    Request,
    Script,
    SentenceTiming,
    SourceInfo,
    Speaker,
    Summary,
    Turn,
    VoiceSettings,
)

RATE = 22050  # espeak-ng's native rate


# ------------------------------------------------------------------------------------------ clip making


def espeak_pcm(text: str, voice: str, amplitude: int, workdir: Path) -> array.array:
    """One utterance as 16-bit samples at 22050 Hz with espeak-ng's own leading/trailing silence removed."""
    out = workdir / "utt.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-a", str(amplitude), "-w", str(out), text], check=True,
                   capture_output=True)
    with wave.open(str(out), "rb") as w:
        assert w.getframerate() == RATE and w.getsampwidth() == 2
        samples = array.array("h", w.readframes(w.getnframes()))
    threshold = 60  # ≈ −55 dBFS
    first = next(i for i, v in enumerate(samples) if abs(v) > threshold)
    last = len(samples) - next(i for i, v in enumerate(reversed(samples)) if abs(v) > threshold)
    return samples[first:last]


def make_clip(path: Path, sentences: list[str], voice: str, amplitude: int, *, lead_ms: int = 100,
              pause_ms: int = 350, tail_ms: int = 900, fmt: str = "mp3") -> tuple[SentenceTiming, ...]:
    """Write a clip (``mp3`` at 24 kHz 48 kbps like Edge, or ``wav``) and return its exact sentence timings."""
    pcm = array.array("h", bytes(2 * (lead_ms * RATE // 1000)))
    timings = []
    for i, text in enumerate(sentences):
        if i:
            pcm.extend(array.array("h", bytes(2 * (pause_ms * RATE // 1000))))
        start = len(pcm)
        pcm.extend(espeak_pcm(text, voice, amplitude, path.parent))
        timings.append(SentenceTiming(text, round(start * 1000 / RATE), round(len(pcm) * 1000 / RATE)))
    pcm.extend(array.array("h", bytes(2 * (tail_ms * RATE // 1000))))
    wav = path.with_suffix(".wav")
    with wave.open(str(wav), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(pcm.tobytes())
    if fmt == "mp3":
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(wav), "-ar", "24000", "-ac", "1", "-c:a",
                        "libmp3lame", "-b:a", "48k", str(path)], check=True)
        wav.unlink()
    return tuple(timings)


def media_duration_ms(path: Path) -> int:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0",
                          str(path)], capture_output=True, text=True, check=True).stdout
    return round(float(out) * 1000)


# ----------------------------------------------------------------------------------------- measuring


def ebur128(path: Path, extra_filter: str = "") -> dict[str, float]:
    """Integrated loudness and true peak by ffmpeg's ebur128 (a tool we did not write)."""
    chain = (extra_filter + "," if extra_filter else "") + "ebur128=peak=true"
    err = subprocess.run(["ffmpeg", "-hide_banner", "-nostats", "-i", str(path), "-af", chain, "-f", "null", "-"],
                         capture_output=True, text=True).stderr
    summary = err[err.rindex("Summary:"):]
    return {"I": float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1)),
            "TP": float(re.search(r"True peak:\s+Peak:\s+(-?[\d.]+|-inf) dBFS", summary).group(1))}


def speech_onsets(path: Path, noise_db: int = -45, min_silence: float = 0.2) -> list[float]:
    """Seconds where sound resumes after silence (ffmpeg silencedetect), plus 0 when it starts loud."""
    err = subprocess.run(["ffmpeg", "-hide_banner", "-nostats", "-i", str(path), "-af",
                          f"silencedetect=noise={noise_db}dB:d={min_silence}", "-f", "null", "-"],
                         capture_output=True, text=True).stderr
    ends = [float(x) for x in re.findall(r"silence_end: (-?[\d.]+)", err)]
    starts = [float(x) for x in re.findall(r"silence_start: (-?[\d.]+)", err)]
    if not starts or starts[0] > 0.02:
        ends.insert(0, 0.0)
    return ends


def ffprobe_json(path: Path) -> dict:
    out = subprocess.run(["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams",
                          "-show_chapters", str(path)], capture_output=True, check=True).stdout
    return json.loads(out)


# ------------------------------------------------------------------------------------------- edition


@dataclass(frozen=True)
class Line:
    speaker: str
    turn: int | None
    chapter: int | None
    sentences: tuple[str, ...]


NAMES = {"s1": "陳志明", "s2": "林雅婷"}
VOICES = {NARRATOR_ID: ("cmn+f2", 70, "wav"), "s1": ("cmn+m3", 30, "mp3"), "s2": ("cmn+f4", 110, "mp3")}
CHAPTER_TITLES = ("開始的地方", "下一步 & <計畫>; 第二部")
#: The dialogue, in play order: (speaker, turn, chapter, sentences of one request).
LINES = (
    Line(NARRATOR_ID, None, None, ("歡迎收聽本集節目。", "今天我們聊聲音與圖書館。")),
    Line(NARRATOR_ID, None, None, ("本集共有兩個章節。",)),
    Line("s1", 0, 0, ("大家好，我是陳志明。", "今天的來賓是林雅婷。")),
    Line("s1", 0, 0, ("她在小鎮經營圖書館已經十年了。",)),
    Line("s2", 1, 0, ("謝謝邀請。", "很高興來到這裡，和大家分享我們的故事。")),
    Line("s1", 2, 1, ("我們來談談下一步。",)),
    Line("s2", 3, 1, ("好的。",)),
    Line("s2", 3, 1, ("我覺得聲音和故事一樣重要，因為很多長輩已經看不清楚書上的字了，所以我們開始錄製有聲書。",)),
)


def voice(speaker: str) -> VoiceSettings:
    return VoiceSettings(engine="espeak", voice=VOICES[speaker][0])


def build_clips(folder: Path, lines=LINES, voices=VOICES) -> list[Clip]:
    folder.mkdir(parents=True, exist_ok=True)
    clips = []
    parts: dict[object, int] = {}
    for index, line in enumerate(lines):
        name, amp, fmt = voices[line.speaker]
        path = folder / f"clip-{index:03d}.{fmt}"
        timings = make_clip(path, list(line.sentences), name, amp, fmt=fmt)
        key = (line.speaker, line.turn)
        part = parts[key] = parts.get(key, -1) + 1
        req = Request(index=index, speaker=line.speaker, text="".join(line.sentences),
                      voice=VoiceSettings("espeak", name), turn=line.turn, part=part, chapter=line.chapter)
        clips.append(Clip(request=req, path=path, format=fmt, duration_ms=media_duration_ms(path),
                          sentences=timings, cached=False))
    return clips


def make_script(lines=LINES) -> Script:
    turns: dict[int, list[str]] = {}
    chapter_of: dict[int, int | None] = {}
    speaker_of: dict[int, str] = {}
    for line in lines:
        if line.turn is None:
            continue
        turns.setdefault(line.turn, []).append("".join(line.sentences))
        chapter_of[line.turn] = line.chapter
        speaker_of[line.turn] = line.speaker
    turn_objs = tuple(Turn(speaker=speaker_of[t], text="".join(turns[t]), chapter=chapter_of[t]) for t in sorted(turns))
    chapters = []
    for c, title in enumerate(CHAPTER_TITLES):
        first = min(t for t in turns if chapter_of[t] == c)
        chapters.append(Chapter(title=title, start_turn=first))
    return Script(
        title="小鎮播客：聲音的實驗 <測試> & 更多", language="zh-TW",
        speakers=(Speaker("s1", NAMES["s1"], NAMES["s1"] + "(Chen)", role="host"),
                  Speaker("s2", NAMES["s2"], NAMES["s2"], role="guest")),
        turns=turn_objs, chapters=tuple(chapters), published=dt.date(2025, 3, 14),
        description="一座小鎮圖書館的十年。\n館長談聲音、故事與長輩。",
        key_points=("圖書館不只是藏書的地方", "聲音讓故事走得更遠"),
        source=SourceInfo(path="/data/in/library-talk.txt", format="article", encoding="utf-8", sha256="ab" * 32),
    )


def make_cast() -> Cast:
    return Cast(engine="espeak", speakers=(("s1", voice("s1")), ("s2", voice("s2"))), narrator=voice(NARRATOR_ID),
                host="s1", roles=(("s1", "host"), ("s2", "guest")))


def make_summary() -> Summary:
    points = ("小鎮圖書館經營了十年。", "長輩需要有聲書。", "聲音和故事一樣重要。")
    return Summary(points=points, intro="".join(LINES[0].sentences + LINES[1].sentences), mode="auto")


def make_edition(placements, duration_ms: int, *, cover: Path | None = None, summary=True,
                 slug: str = "2025-03-14-library-talk") -> Edition:
    script = make_script()
    return Edition(script=script, cast=make_cast(), summary=make_summary() if summary else None,
                   placements=placements, chapters=timed_chapters(script, placements, duration_ms),
                   duration_ms=duration_ms, slug=slug, show_title="小鎮之聲", engine="espeak",
                   engine_version="1.51", cover=cover)


def make_cover(path: Path) -> Path:
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "color=c=0x336699:s=64x64:d=1",
                    "-frames:v", "1", str(path)], check=True)
    return path


@dataclass(frozen=True)
class Built:
    """A whole edition written once per session: inputs, the mix and the written folder."""

    clips: tuple[Clip, ...]
    mix: object
    master: object
    """The mix's Master (streamed from the scratch files in ``work``)."""
    edition: Edition
    out: Path
    manifest: dict
    work: Path


STATS = {"requests": len(LINES), "synthesized": len(LINES), "cached": 0, "timings": {"mix": 1.0}}
SOURCE = {"path": "/data/in/library-talk.txt", "format": "article", "encoding": "utf-8", "sha256": "ab" * 32}


@pytest.fixture(scope="session")
def clips(tmp_path_factory, media_tools) -> tuple[Clip, ...]:
    return tuple(build_clips(tmp_path_factory.mktemp("clips")))


@pytest.fixture(scope="session")
def built(tmp_path_factory, clips) -> Built:
    from pipeline.mix import MixSettings, mix
    from pipeline.writers import write_edition

    work = tmp_path_factory.mktemp("work")
    mixed = mix(clips, MixSettings(), work)
    master = mixed.master
    cover = make_cover(work / "cover.png")
    edition = make_edition(mixed.placements, mixed.duration_ms, cover=cover)
    out = tmp_path_factory.mktemp("output") / edition.slug
    manifest = write_edition(edition, master, out, stats=STATS, source=SOURCE,
                             extra={"speaker_gains_db": dict(mixed.speaker_gains_db)})
    return Built(tuple(clips), mixed, master, edition, out, manifest, work)
