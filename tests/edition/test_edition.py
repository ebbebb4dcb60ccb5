"""A whole written edition, checked with tools we did not write: ffprobe, ffmpeg, mutagen, html.parser."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from mutagen.id3 import ID3, CTOCFlags
from mutagen.mp4 import MP4

from pipeline.errors import BadInput
from pipeline.writers import write_edition

from .conftest import NAMES, SOURCE, STATS, ebur128, ffprobe_json, make_edition, speech_onsets

AUDIO = ("episode.mp3", "episode.m4a")
TEXT = ("chapters.json", "transcript.vtt", "transcript.srt", "transcript.json", "shownotes.md", "shownotes.html")
MANIFEST_KEYS = ["recast_version", "slug", "title", "published", "language", "description", "show", "summary",
                 "key_points", "source", "engine", "versions", "speakers", "narrator", "chapters", "turns",
                 "duration_ms", "loudness", "files", "stats"]
CUE_RE = re.compile(r"^(\d\d):(\d\d):(\d\d)[.,](\d{3}) --> (\d\d):(\d\d):(\d\d)[.,](\d{3})$")


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def ms(h, m, s, frac) -> int:
    return ((int(h) * 60 + int(m)) * 60 + int(s)) * 1000 + int(frac)


def parse_cues(text: str) -> list[tuple[int, int, list[str]]]:
    cues = []
    for block in re.split(r"\n{2,}", text.strip()):
        lines = block.split("\n")
        for i, line in enumerate(lines):
            m = CUE_RE.match(line)
            if m:
                g = m.groups()
                cues.append((ms(*g[:4]), ms(*g[4:]), lines[i + 1:]))
                break
    return cues


def ffprobe_subtitles(path: Path) -> list[tuple[int, int]]:
    """Cue times as ffmpeg's own WebVTT/SRT demuxer reads them."""
    out = subprocess.run(["ffprobe", "-v", "error", "-of", "json", "-show_packets", str(path)],
                         capture_output=True, check=True).stdout
    return [(round(float(p["pts_time"]) * 1000), round((float(p["pts_time"]) + float(p["duration_time"])) * 1000))
            for p in json.loads(out)["packets"]]


# ------------------------------------------------------------------------------------------ the folder


def test_every_file_is_written_and_listed(built):
    names = {p.name for p in built.out.iterdir()}
    assert names == set(AUDIO) | set(TEXT) | {"cover.png", "episode.json"}
    listed = {f["name"]: f for f in built.manifest.to_dict()["files"]}
    assert set(listed) == set(AUDIO) | set(TEXT) | {"cover.png"}
    assert (built.out / "cover.png").read_bytes() == built.edition.cover.read_bytes()
    assert listed["cover.png"]["type"] == "image/png"
    for name, entry in listed.items():
        assert entry["bytes"] == (built.out / name).stat().st_size > 0
        assert entry["sha256"] == sha(built.out / name)
    assert listed["episode.mp3"]["type"] == "audio/mpeg" and listed["episode.m4a"]["type"] == "audio/x-m4a"


def test_manifest_keys_order_and_content(built):
    raw = (built.out / "episode.json").read_text("utf-8")
    assert "陳志明" in raw  # ensure_ascii=False
    on_disk = json.loads(raw)
    assert on_disk == built.manifest.to_dict()
    assert list(on_disk)[:len(MANIFEST_KEYS)] == MANIFEST_KEYS
    m = on_disk
    assert m["slug"] == "2025-03-14-library-talk" and m["published"] == "2025-03-14" and m["language"] == "zh-TW"
    assert m["source"] == SOURCE and m["show"] == "小鎮之聲"
    # the stats given, and how the audio was encoded: a short edition is one section, encoded this time
    assert m["stats"] == {**STATS, "sections": {"mp3": {"total": 1, "encoded": 1}, "m4a": {"total": 1, "encoded": 1}}}
    assert m["summary"]["mode"] == "auto" and len(m["summary"]["points"]) == 3
    assert m["engine"] == {"name": "espeak", "version": "1.51"}
    assert set(m["versions"]) >= {"recast", "ffmpeg", "python", "mutagen", "pydub"}
    assert [(s["id"], s["name"], s["role"], s["voice"]["voice"]) for s in m["speakers"]] == [
        ("s1", "陳志明", "host", "cmn+m3"), ("s2", "林雅婷", "guest", "cmn+f4")]
    assert m["narrator"] == {"name": "旁白", "voice": {"engine": "espeak", "voice": "cmn+f2", "rate": 0,
                                                      "pitch": 0, "volume": 0}}
    assert [t["index"] for t in m["turns"]] == [0, 1, 2, 3]
    assert [t["chapter"] for t in m["turns"]] == [0, 0, 1, 1]
    for t in m["turns"]:
        places = [p for p in built.mix.placements if p.request.turn == t["index"]]
        assert t["start_ms"] == places[0].start_ms and t["end_ms"] == places[-1].end_ms
    assert m["duration_ms"] == built.mix.duration_ms
    assert m["speaker_gains_db"] == dict(built.mix.speaker_gains_db)  # extra
    assert m["loudness"]["target_lufs"] == -16.0


# ------------------------------------------------------------------------------------------- chapters


@pytest.mark.parametrize("name", AUDIO)
def test_ffprobe_lists_the_chapters_in_time_order(built, name):
    chapters = ffprobe_json(built.out / name)["chapters"]
    expected = built.manifest.to_dict()["chapters"]
    assert [c["tags"]["title"] for c in chapters] == [c["title"] for c in expected]
    assert expected[1]["title"] == "開始的地方" and expected[2]["title"] == "下一步 & <計畫>; 第二部"
    starts = [round(float(c["start_time"]) * 1000) for c in chapters]
    assert starts[0] == 0 and starts == sorted(starts)
    for c, e in zip(chapters, expected, strict=True):
        assert abs(float(c["start_time"]) * 1000 - e["start_ms"]) <= 1
        assert abs(float(c["end_time"]) * 1000 - e["end_ms"]) <= 1
    assert abs(float(chapters[-1]["end_time"]) * 1000 - built.manifest.to_dict()["duration_ms"]) <= 50


def test_mutagen_reads_mp3_chap_and_ctoc_in_order(built):
    tags = ID3(built.out / "episode.mp3")
    assert tags.version[:2] == (2, 4)
    (toc,) = tags.getall("CTOC")
    assert toc.element_id == "toc" and toc.flags == CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED
    chaps = tags.getall("CHAP")  # in file order
    assert [c.element_id for c in chaps] == toc.child_element_ids == ["chp0", "chp1", "chp2"]
    assert [(c.sub_frames["TIT2"].text[0], c.start_time, c.end_time) for c in chaps] == [
        (c["title"], c["start_ms"], c["end_ms"]) for c in built.manifest.to_dict()["chapters"]]


def test_mutagen_reads_m4a_chapters(built):
    m4a = MP4(built.out / "episode.m4a")
    assert [c.title for c in m4a.chapters] == [c["title"] for c in built.manifest.to_dict()["chapters"]]
    for c, e in zip(m4a.chapters, built.manifest.to_dict()["chapters"], strict=True):
        assert abs(c.start * 1000 - e["start_ms"]) <= 1


def test_chapters_json(built):
    data = json.loads((built.out / "chapters.json").read_text("utf-8"))
    assert data["version"] == "1.2.0"
    chapters = data["chapters"]
    assert chapters[0]["startTime"] == 0 and chapters[0]["title"] == "節目簡介"
    assert [c["startTime"] for c in chapters] == sorted(c["startTime"] for c in chapters)
    for c, e in zip(chapters, built.manifest.to_dict()["chapters"], strict=True):
        assert c["startTime"] == e["start_ms"] / 1000 and c["endTime"] == e["end_ms"] / 1000
        assert c["title"] == e["title"]


# --------------------------------------------------------------------------------------- audio quality


@pytest.mark.parametrize("name", AUDIO)
def test_loudness_meets_the_target(built, name):
    measured = ebur128(built.out / name)
    assert abs(measured["I"] + 16.0) <= 1.0 and measured["TP"] <= -1.0, measured
    if name == "episode.mp3":
        assert built.manifest.to_dict()["loudness"]["integrated_lufs"] == measured["I"]
        assert built.manifest.to_dict()["loudness"]["true_peak_dbtp"] == measured["TP"]


@pytest.mark.parametrize("name", AUDIO)
def test_audio_format(built, name):
    info = ffprobe_json(built.out / name)
    (audio,) = [s for s in info["streams"] if s["codec_type"] == "audio"]
    assert audio["channels"] == 1 and audio["sample_rate"] == "44100"
    assert audio["codec_name"] == ("mp3" if name.endswith("mp3") else "aac")
    assert 88_000 <= int(audio["bit_rate"]) <= 100_000
    decoded = subprocess.run(["ffmpeg", "-hide_banner", "-i", str(built.out / name), "-map", "0:a", "-f", "null", "-"],
                             capture_output=True, text=True).stderr
    t = re.findall(r"time=(\d\d):(\d\d):(\d\d)\.(\d\d)", decoded)[-1]
    assert abs(ms(t[0], t[1], t[2], int(t[3]) * 10) - built.manifest.to_dict()["duration_ms"]) <= 50


@pytest.mark.parametrize("name", AUDIO)
def test_speech_starts_at_every_chapter_mark(built, name):
    onsets = speech_onsets(built.out / name, noise_db=-45, min_silence=0.25)
    for chapter in built.manifest.to_dict()["chapters"]:
        assert min(abs(o * 1000 - chapter["start_ms"]) for o in onsets) <= 150, (chapter, onsets)


def test_transcript_times_agree_with_the_audio(built):
    """Every sentence after a pause starts within 50 ms of where ffmpeg hears speech resume, and every
    resumption of speech is the start of a transcript sentence."""
    onsets = [o * 1000 for o in speech_onsets(built.out / "episode.mp3", noise_db=-45, min_silence=0.2)]
    segments = json.loads((built.out / "transcript.json").read_text("utf-8"))["segments"]
    starts = [s["startTime"] * 1000 for s in segments]
    for s in starts:
        assert min(abs(o - s) for o in onsets) <= 50, s
    for o in onsets[1:]:
        if o < built.manifest.to_dict()["duration_ms"] - 100:
            assert min(abs(o - s) for s in starts) <= 50, o


# ----------------------------------------------------------------------------------------------- tags


def test_mp3_tags(built):
    tags = ID3(built.out / "episode.mp3")
    assert str(tags["TIT2"]) == "小鎮播客：聲音的實驗 <測試> & 更多"
    assert str(tags["TPE1"]) == "陳志明, 林雅婷" and str(tags["TALB"]) == "小鎮之聲"
    assert str(tags["TDRC"]) == "2025-03-14"
    (comm,) = tags.getall("COMM")
    assert comm.text[0] == built.edition.summary.intro and comm.lang == "chi"
    (uslt,) = tags.getall("USLT")
    assert uslt.text.splitlines()[0].startswith("旁白：歡迎收聽")
    assert "\n陳志明：大家好" in uslt.text and "\n林雅婷：謝謝邀請" in uslt.text
    (apic,) = tags.getall("APIC")
    assert apic.mime == "image/png" and apic.data == built.edition.cover.read_bytes()
    data = (built.out / "episode.mp3").read_bytes()
    assert b"TAG" != data[-128:-125]  # no ID3v1
    fmt = ffprobe_json(built.out / "episode.mp3")["format"]["tags"]
    assert fmt["title"] == str(tags["TIT2"]) and fmt["artist"] == "陳志明, 林雅婷"


def test_m4a_tags(built):
    tags = MP4(built.out / "episode.m4a").tags
    assert tags["©nam"] == ["小鎮播客：聲音的實驗 <測試> & 更多"]
    assert tags["©ART"] == ["陳志明, 林雅婷"] and tags["©alb"] == ["小鎮之聲"] and tags["©day"] == ["2025-03-14"]
    assert tags["©cmt"] == [built.edition.summary.intro]
    assert bytes(tags["covr"][0]) == built.edition.cover.read_bytes()
    assert "©too" not in tags  # no encoder string


def test_audio_is_byte_identical_when_written_again(built, tmp_path):
    again = write_edition(built.edition, built.master, tmp_path / "again", stats=STATS, source=SOURCE,
                          extra={"speaker_gains_db": dict(built.mix.speaker_gains_db)})
    for name in AUDIO + TEXT:
        assert sha(tmp_path / "again" / name) == sha(built.out / name), name
    assert again == built.manifest


def test_an_off_target_plan_is_fixed_not_shipped(built, tmp_path):
    """A master whose planned gain is 4 dB short (as a wrong loudness prediction would be): the writer
    measures what it encoded, aims again, and ships only a file on target."""
    short = dataclasses.replace(built.master, gain_db=built.master.gain_db - 4.0)
    manifest = write_edition(built.edition, short, tmp_path / "raw", formats=("m4a",), stats=STATS,
                             source=SOURCE).to_dict()
    measured = ebur128(tmp_path / "raw" / "episode.m4a")
    assert abs(measured["I"] + 16.0) <= 0.5 and measured["TP"] <= -1.0
    assert manifest["loudness"]["measured_on"] == "episode.m4a"
    assert not (tmp_path / "raw" / "episode.mp3").exists()
    assert [f["name"] for f in manifest["files"]][0] == "episode.m4a"


# ------------------------------------------------------------------------------------------ transcripts


def test_vtt(built):
    text = (built.out / "transcript.vtt").read_text("utf-8")
    assert text.startswith("WEBVTT\n\n")
    cues = parse_cues(text)
    assert cues and [(a, b) for a, b, _ in cues] == ffprobe_subtitles(built.out / "transcript.vtt")
    prev_end = 0
    for start, end, lines in cues:
        assert prev_end <= start < end <= built.manifest.to_dict()["duration_ms"]
        prev_end = end
        assert 1 <= len(lines) <= 2
        m = re.match(r"<v ([^>]+)>", lines[0])
        assert m and m.group(1) in (*NAMES.values(), "旁白")
        for line in lines:
            plain = re.sub(r"<v [^>]+>", "", line)
            assert sum(2 if ord(c) > 0x2E80 else 1 for c in plain) <= 40, line
    spoken = "".join(re.sub(r"<v [^>]+>", "", ln) for _a, _b, lines in cues for ln in lines)
    for p in built.mix.placements:
        assert p.request.text in spoken
    # the long last sentence was split into several cues
    assert sum(1 for _a, _b, lines in cues if lines[0].startswith("<v 林雅婷>")) >= 4


def test_srt(built):
    text = (built.out / "transcript.srt").read_text("utf-8")
    cues = parse_cues(text)
    assert [(a, b) for a, b, _ in cues] == ffprobe_subtitles(built.out / "transcript.srt")
    vtt = parse_cues((built.out / "transcript.vtt").read_text("utf-8"))
    assert len(cues) == len(vtt)
    prefixed = [lines[0].split("：")[0] for _a, _b, lines in cues if re.match(r"^(旁白|陳志明|林雅婷)：", lines[0])]
    assert prefixed == ["旁白", "陳志明", "林雅婷", "陳志明", "林雅婷"]  # at speaker changes only
    assert [int(b.split("\n")[0]) for b in text.strip().split("\n\n")] == list(range(1, len(cues) + 1))


def test_transcript_json(built):
    data = json.loads((built.out / "transcript.json").read_text("utf-8"))
    assert data["version"] == "1.0.0"
    segs = data["segments"]
    assert [s["speaker"] for s in segs][:4] == ["旁白", "旁白", "旁白", "陳志明"]
    assert [s["body"] for s in segs] == [s for p in built.mix.placements for s in
                                        (t.text for t in p.sentences)]
    prev = 0.0
    for s in segs:
        assert prev <= s["startTime"] < s["endTime"] <= built.manifest.to_dict()["duration_ms"] / 1000
        prev = s["endTime"]


# ----------------------------------------------------------------------------------------- show notes


class _Checker(HTMLParser):
    VOID = {"meta", "br", "img", "link", "hr", "input"}

    def __init__(self):
        super().__init__()
        self.stack, self.errors, self.tags, self.text, self.attrs = [], [], [], [], {}

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.setdefault(tag, []).append(dict(attrs))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def test_shownotes_html_is_standalone_valid_and_escaped(built):
    raw = (built.out / "shownotes.html").read_text("utf-8")
    assert raw.startswith("<!DOCTYPE html>")
    checker = _Checker()
    checker.feed(raw)
    checker.close()
    assert not checker.errors and not checker.stack
    assert checker.attrs["html"][0]["lang"] == "zh-TW"
    assert {"charset": "utf-8"} in checker.attrs["meta"]
    assert "&lt;測試&gt; &amp; 更多" in raw and "<測試>" not in raw
    text = "".join(checker.text)
    for needle in ("本集重點", "小鎮圖書館經營了十年。", "核心觀點", "聲音讓故事走得更遠", "陳志明", "主持人",
                   "cmn+m3", "來賓", "旁白", "00:00:00", "節目簡介", "開始的地方", "library-talk.txt"):
        assert needle in text, needle
    times = re.findall(r"<time>(\d\d:\d\d:\d\d)</time>", raw)
    assert times[0] == "00:00:00" and times == sorted(times) and len(times) == 3


def test_shownotes_markdown(built):
    md = (built.out / "shownotes.md").read_text("utf-8")
    assert md.startswith("# 小鎮播客：聲音的實驗 \\<測試\\> & 更多\n")
    chapter_lines = [ln for ln in md.splitlines() if re.match(r"- \d\d:\d\d:\d\d ", ln)]
    assert [ln[2:10] for ln in chapter_lines] == [
        "00:00:00", *[f"{c['start_ms'] // 3600000:02d}:{c['start_ms'] // 60000 % 60:02d}:{c['start_ms'] // 1000 % 60:02d}"
                      for c in built.manifest.to_dict()["chapters"][1:]]]
    assert "- **陳志明** — 主持人 · 聲音 cmn+m3" in md and "## 核心觀點" in md and "## 來源" in md


# ----------------------------------------------------------------------------------------------- errors


def test_a_cover_that_is_not_an_image_is_bad_input(built, tmp_path):
    fake = tmp_path / "cover.jpg"
    fake.write_text("not an image")
    edition = dataclasses.replace(built.edition, cover=fake)
    with pytest.raises(BadInput, match="not a JPEG or PNG") as err:
        write_edition(edition, built.master, tmp_path / "x", stats=STATS, source=SOURCE)
    assert "\n" not in str(err.value)
    assert not (tmp_path / "x").exists() or not list((tmp_path / "x").iterdir())
    truncated = tmp_path / "cut.png"
    truncated.write_bytes(built.edition.cover.read_bytes()[:12])
    with pytest.raises(BadInput):
        write_edition(dataclasses.replace(built.edition, cover=truncated), built.master, tmp_path / "y",
                      stats=STATS, source=SOURCE)


def test_unknown_format_is_bad_input(built, tmp_path):
    with pytest.raises(BadInput, match="ogg"):
        write_edition(built.edition, built.master, tmp_path, formats=("ogg",), stats=STATS, source=SOURCE)


def test_one_format_alone_gives_the_same_audio_as_with_the_other(built, tmp_path):
    """``--formats mp3`` and ``--formats mp3,m4a`` make the same MP3 (the same gain, limiter and encoder
    input either way), so a fault-free render and a retried one can be compared by their audio."""
    write_edition(built.edition, built.master, tmp_path / "one", formats=("mp3",), stats=STATS, source=SOURCE)
    write_edition(built.edition, built.master, tmp_path / "m4a", formats=("m4a",), stats=STATS, source=SOURCE)
    assert sha(tmp_path / "one" / "episode.mp3") == sha(built.out / "episode.mp3")
    assert sha(tmp_path / "m4a" / "episode.m4a") == sha(built.out / "episode.m4a")


def test_without_intro_or_cover(built, tmp_path):
    edition = make_edition(built.mix.placements[3:], built.mix.duration_ms, summary=False)
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / "episode.m4a").write_bytes(b"left by an earlier render")
    manifest = write_edition(edition, built.master, tmp_path / "plain", formats=("mp3",), stats=STATS,
                             source=SOURCE)
    assert {p.name for p in (tmp_path / "plain").iterdir()} == {"episode.mp3", "episode.json", *TEXT}
    assert manifest.summary is None and manifest.to_dict()["summary"] is None
    tags = ID3(tmp_path / "plain" / "episode.mp3")
    assert not tags.getall("APIC") and tags.getall("COMM")[0].text[0] == edition.script.description
    md = (tmp_path / "plain" / "shownotes.md").read_text("utf-8")
    assert "本集重點" not in md and "旁白" not in md
