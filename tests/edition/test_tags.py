"""MP3 CHAP/CTOC order with many chapters, and M4A chapters as ffprobe and mutagen read them."""

from __future__ import annotations

import subprocess

import pytest
from mutagen.id3 import CHAP, ID3, TIT2

from pipeline.model import TimedChapter
from pipeline.writers.audio import M4aWriter, Mp3Writer, ffmetadata
from pipeline.writers.tags import TagData, load_cover, write_id3, write_mp4

from .conftest import ffprobe_json, make_cover

# Titles of very different lengths: mutagen's default frame order (by size, then "CHAP:chp10" < "CHAP:chp2")
# would scramble these.
TITLES = ["開場", "A much longer chapter title about the early days", "第三章", "x",
          "Chapter five: where it all = changes; #1", "六", "七七七七七七七七七七七七七七", "8",
          "Nine", "第十章：對談與回顧", "Eleven & <twelve>", "最後"]


@pytest.fixture(scope="module")
def tone(tmp_path_factory, media_tools):
    """A 13 s tone as the master the writers stream (13 s: one chapter a second, the last one longer)."""
    from pipeline.testing.masters import wav_master

    path = tmp_path_factory.mktemp("tone") / "tone.wav"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=440:duration=13",
                    "-ac", "1", "-ar", "44100", str(path)], check=True)
    return wav_master(path)


def chapters() -> tuple[TimedChapter, ...]:
    return tuple(TimedChapter(t, i * 1000, (i + 1) * 1000 + (1000 if i == 11 else 0)) for i, t in enumerate(TITLES))


def tag_data(cover=None) -> TagData:
    return TagData(title="T", artist="A, B", album="Show", date=None, comment="", language="eng", transcript="",
                   chapters=chapters(), cover=cover)


def test_plain_mutagen_would_scramble_them(tmp_path, tone):
    """Why the ordered subclass exists: the same frames saved by mutagen's own ID3 come out of order."""
    path = tmp_path / "plain.mp3"
    Mp3Writer().encode(tone, "anull", path, chapters(), tmp_path)
    tags = ID3()
    for i, c in enumerate(chapters()):
        tags.add(CHAP(element_id=f"chp{i}", start_time=c.start_ms, end_time=c.end_ms,
                      sub_frames=[TIT2(encoding=3, text=[c.title])]))
    tags.save(path)
    order = [c["tags"]["title"] for c in ffprobe_json(path)["chapters"]]
    assert sorted(order) == sorted(TITLES) and order != TITLES


def test_mp3_chapters_are_written_in_time_order(tmp_path, tone):
    path = tmp_path / "ordered.mp3"
    Mp3Writer().encode(tone, "anull", path, chapters(), tmp_path)
    write_id3(path, tag_data())
    probed = ffprobe_json(path)["chapters"]
    assert [c["tags"]["title"] for c in probed] == TITLES
    assert [round(float(c["start_time"]) * 1000) for c in probed] == [i * 1000 for i in range(12)]
    tags = ID3(path)
    assert [c.element_id for c in tags.getall("CHAP")] == [f"chp{i}" for i in range(12)]
    assert tags.getall("CTOC")[0].child_element_ids == [f"chp{i}" for i in range(12)]
    # file order, read from the bytes: each CHAP frame header (10 bytes) is followed by its element id
    raw = path.read_bytes()
    ids, at = [], raw.find(b"CHAP")
    while at >= 0:
        ids.append(raw[at + 10:raw.index(b"\x00", at + 10)].decode())
        at = raw.find(b"CHAP", at + 10)
    assert ids == [f"chp{i}" for i in range(12)]


def test_retagging_replaces_the_old_tag(tmp_path, tone):
    path = tmp_path / "again.mp3"
    Mp3Writer().encode(tone, "anull", path, chapters(), tmp_path)
    write_id3(path, tag_data())
    write_id3(path, TagData(title="New", artist="", album="Show", date="2024-01-02", comment="c", language="eng",
                            transcript="", chapters=chapters()[:2]))
    tags = ID3(path)
    assert str(tags["TIT2"]) == "New" and len(tags.getall("CHAP")) == 2 and "TPE1" not in tags


def test_m4a_chapters_for_ffprobe_and_mutagen(tmp_path, tone):
    from mutagen.mp4 import MP4

    path = tmp_path / "ch.m4a"
    M4aWriter().encode(tone, "anull", path, chapters(), tmp_path)
    cover = load_cover(make_cover(tmp_path / "cover.jpg"))
    assert cover.mime == "image/jpeg"
    write_mp4(path, tag_data(cover))
    probed = ffprobe_json(path)["chapters"]
    assert [c["tags"]["title"] for c in probed] == TITLES  # QuickTime chapter track
    assert [round(float(c["start_time"]) * 1000) for c in probed] == [i * 1000 for i in range(12)]
    m4a = MP4(path)
    assert [c.title for c in m4a.chapters] == TITLES  # Nero chpl
    assert [round(c.start * 1000) for c in m4a.chapters] == [i * 1000 for i in range(12)]
    assert m4a.tags["covr"][0].imageformat == m4a.tags["covr"][0].FORMAT_JPEG


def test_ffmetadata_escapes_special_characters():
    text = ffmetadata((TimedChapter("a=b;c#d\\e\nf", 0, 10),))
    assert text.splitlines() == [";FFMETADATA1", "[CHAPTER]", "TIMEBASE=1/1000", "START=0", "END=10",
                                 "title=a\\=b\\;c\\#d\\\\e f"]


def test_an_encoder_that_fails_says_why_in_one_line(tmp_path, tone):
    """The master is streamed into ffmpeg's stdin; when ffmpeg gives up, its own last error line is what the
    user reads, and nothing is left behind (the writer's temp name is removed by atomic_path)."""
    from pipeline.errors import RecastError

    with pytest.raises(RecastError, match="ffmpeg failed: .*no-such-filter") as err:
        Mp3Writer().encode(tone, "no-such-filter=1", tmp_path / "x.mp3", chapters(), tmp_path)
    assert "\n" not in str(err.value)
