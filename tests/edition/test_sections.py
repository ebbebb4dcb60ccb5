"""Sections: a long edition is cut on whole MP3/AAC frames in the pauses between turns, each section is
encoded on its own and kept, and a render after an edit encodes only the sections whose audio changed —
while the joined files still play the master's timeline sample for sample, at the target loudness.

The cuts are made frequent (``section_min_s=1``, every change of turn a candidate) so that the short test
conversation has several sections.
"""

from __future__ import annotations

import array
import dataclasses
import subprocess
from pathlib import Path

import pytest

from pipeline import loudness
from pipeline.mix import (
    SECTION_GRID,
    SECTION_QUIET,
    STICKY_SPEAKER_DB,
    Levels,
    MixSettings,
    mix,
)
from pipeline.model import NARRATOR_ID, TimedChapter
from pipeline.writers import tags as tagging
from pipeline.writers.audio import write_audio

from .conftest import LINES, Line, build_clips, ebur128, ffprobe_json

SETTINGS = MixSettings(section_min_s=1, section_odds=1)
#: The conversation with turn 2 (one line, in the middle) saying something else, longer.
EDITED = tuple(Line(line.speaker, line.turn, line.chapter, ("我們來談談下一步，還有明年的新計畫，以及更多的有聲書。",))
               if line.turn == 2 else line for line in LINES)
CHAPTERS = (TimedChapter("一", 0, 3000), TimedChapter("二", 3000, 6000))


@pytest.fixture(scope="module")
def edited_clips(tmp_path_factory, media_tools):
    return tuple(build_clips(tmp_path_factory.mktemp("edited-clips"), EDITED))


def pcm(master) -> bytes:
    return b"".join(master.read())


def decode(path: Path) -> array.array:
    out = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-f", "s16le", "-ac", "1", "-ar", "44100", "-"],
                         capture_output=True, check=True).stdout
    return array.array("h", out)


def test_sections_start_on_whole_frames_in_silence_and_cover_the_master(clips, tmp_path):
    master = mix(clips, SETTINGS, tmp_path).master
    sections = master.sections
    assert len(sections) >= 3
    assert sections[0].start == 0 and sections[-1].end == master.frames
    assert all(a.end == b.start for a, b in zip(sections, sections[1:], strict=False))
    whole = pcm(master)
    for s in sections[1:]:
        assert s.start % SECTION_GRID == 0 and s.start % 1152 == 0 and s.start % 1024 == 0
        assert not any(whole[2 * (s.start - SECTION_QUIET):2 * s.start]), "a cut must lie in digital silence"
    assert b"".join(b"".join(master.read_range(s.start, s.end)) for s in sections) == whole
    assert len({s.key for s in sections}) == len(sections)


def test_the_intro_is_a_section_of_its_own(clips, tmp_path):
    mixed = mix(clips, SETTINGS, tmp_path)
    first_turn = next(p for p in mixed.placements if p.request.speaker != NARRATOR_ID)
    cut = mixed.master.sections[1].start
    assert cut <= first_turn.start_ms * 44100 // 1000 < cut + 44100 * 0.05  # the turn's kept lead: ≤ 10 ms


def test_a_short_edition_or_another_rate_is_one_section(clips, tmp_path):
    assert len(mix(clips, MixSettings(), tmp_path / "a").master.sections) == 1  # 2 × 120 s not reached
    assert len(mix(clips, dataclasses.replace(SETTINGS, sample_rate=48000), tmp_path / "b").master.sections) == 1


def test_an_edit_keeps_every_other_section_and_moves_later_ones_by_whole_frames(clips, edited_clips, tmp_path):
    before = mix(clips, SETTINGS, tmp_path / "before")
    after = mix(edited_clips, SETTINGS, tmp_path / "after", keep=before.levels)
    old = {s.key: s for s in before.master.sections}
    new = after.master.sections
    changed = [s for s in new if s.key not in old]
    assert len(changed) == 1, "only the edited turn's section changes"
    kept = [s for s in new if s.key in old]
    assert len(kept) >= len(new) - 2
    for s in kept:
        assert (s.start - old[s.key].start) % SECTION_GRID == 0
        assert s.end - s.start == old[s.key].end - old[s.key].start
        # the same key is the same samples
        assert b"".join(after.master.read_range(s.start, s.end)) == \
            b"".join(before.master.read_range(old[s.key].start, old[s.key].end))
    assert after.master.gain_db == before.master.gain_db  # kept: the edit moved it by less than the threshold
    assert dict(after.levels.speaker_gains_db) == dict(before.levels.speaker_gains_db)


def test_gains_are_kept_while_close_and_only_their_balance_counts(clips, tmp_path):
    fresh = mix(clips, SETTINGS, tmp_path / "fresh").levels
    gains = dict(fresh.speaker_gains_db)

    def again(name: str, shift: dict[str, float], final: float) -> Levels:
        keep = Levels(tuple((sid, g + shift.get(sid, 0.0)) for sid, g in gains.items()), fresh.final_gain_db + final,
                      fresh.limit_dbfs)
        return mix(clips, SETTINGS, tmp_path / name, keep=keep).levels

    lower = {sid: -STICKY_SPEAKER_DB / 3 for sid in gains}  # lower: the peaks stay under the ceiling
    # the final gain makes up for the lower speaker gains; kept within STICKY_GAIN_DB of what that gives
    final = STICKY_SPEAKER_DB / 3 - loudness.STICKY_GAIN_DB / 2
    near = again("near", lower, final)
    assert dict(near.speaker_gains_db) == pytest.approx({sid: g - STICKY_SPEAKER_DB / 3 for sid, g in gains.items()})
    assert near.final_gain_db == pytest.approx(fresh.final_gain_db + final)
    # one speaker's balance far off: that one gain is made anew, the others are kept
    uneven = again("uneven", {"s2": -3 * STICKY_SPEAKER_DB}, 0.0)
    assert dict(uneven.speaker_gains_db)["s2"] == pytest.approx(gains["s2"], abs=0.01)
    assert dict(uneven.speaker_gains_db)["narrator"] == gains["narrator"]
    # all moved together: the balance is the same, so every gain is kept and the final gain makes up for it
    together = again("together", {sid: -3.0 for sid in gains}, 0.0)
    assert dict(together.speaker_gains_db) == pytest.approx({sid: g - 3.0 for sid, g in gains.items()})
    assert together.final_gain_db == pytest.approx(fresh.final_gain_db + 3.0, abs=0.3)
    assert Levels.from_dict(fresh.to_dict()) == fresh
    assert Levels.from_dict("damaged") == Levels() and Levels.from_dict({"speaker_gains_db": 3}) == Levels()
    odd = Levels.from_dict({"speaker_gains_db": {"s1": float("nan"), "s2": True, "s3": 1}, "final_gain_db": float("inf"),
                            "limit_dbfs": "x"})
    assert odd == Levels(speaker_gains_db=(("s3", 1.0),))


@pytest.fixture(scope="module")
def written(clips, tmp_path_factory):
    """Both formats written from sections into a store, then written again from the same store."""
    root = tmp_path_factory.mktemp("sections")
    master = mix(clips, SETTINGS, root / "mix").master
    data = tagging.TagData(title="t", artist="a", album="b", date=None, comment="", language="zho",
                           transcript="", chapters=CHAPTERS, toc_title="Chapters", cover=None)
    store = root / "store"
    first = write_audio(("mp3", "m4a"), master, root / "one", CHAPTERS, data, root / "w1", store=store)
    again = write_audio(("mp3", "m4a"), master, root / "two", CHAPTERS, data, root / "w2", store=store)
    return master, first, again, store, data, root


def test_joined_files_play_the_master_timeline(written):
    master, first, _again, _store, _data, _root = written
    assert all(e.sections == len(master.sections) >= 3 and e.encoded == e.sections for e in first)
    reference = array.array("h", pcm(master))
    for encoded in first:
        audio = decode(encoded.path)
        if encoded.path.suffix == ".mp3":  # the LAME header's delay and padding: exactly the master's length
            assert len(audio) == master.frames
        else:  # the edit list skips the priming; AAC's last frame is padding
            assert 0 <= len(audio) - master.frames < 2048
        # where sound starts after each cut: the same sample, within the codec's smearing
        for s in master.sections[1:]:
            want = next(i for i in range(s.start, s.end) if abs(reference[i]) > 300)
            got = next(i for i in range(s.start - 2000, s.end) if abs(audio[i]) > 300 * 10 ** (master.gain_db / 20))
            assert abs(got - want) <= 64, (encoded.path.name, s.start, got - want)


def test_joined_files_meet_the_target_as_measured_on_them(written):
    _master, first, _again, _store, _data, _root = written
    for encoded in first:
        real = ebur128(encoded.path)
        assert abs(real["I"] - encoded.loudness.integrated_lufs) <= 0.15, encoded.path.name
        assert real["TP"] <= loudness.TRUE_PEAK_DBTP and abs(real["TP"] - encoded.loudness.true_peak_dbtp) <= 0.15
        assert loudness.within_spec(encoded.loudness)
    probe = ffprobe_json(first[1].path)
    assert [c["tags"]["title"] for c in probe["chapters"]] == ["一", "二"]
    assert probe["streams"][0]["codec_name"] == "aac" and probe["format"]["format_name"].startswith("mov")
    assert float(probe["streams"][0]["start_time"]) == 0.0


def test_a_second_write_reuses_every_section_byte_for_byte(written):
    _master, first, again, store, _data, _root = written
    assert [e.encoded for e in again] == [0, 0]
    for a, b in zip(first, again, strict=True):
        assert a.path.read_bytes() == b.path.read_bytes()
        assert a.loudness == b.loudness
    names = sorted(p.name for p in store.iterdir())
    assert not [n for n in names if n.startswith(".")], "no temporary file is left"
    assert len(names) == 2 * 2 * len(_master.sections)  # a file and its sidecar per section and format


def test_a_section_encoded_alone_is_the_same_bytes_as_with_the_other_format(written, tmp_path):
    """The first write encoded both formats of a section in one ffmpeg; with one section missing (an edit),
    each format gets an ffmpeg of its own: the files must not change."""
    master, first, _again, store, data, _root = written
    mp3s, aacs = sorted(store.glob("*.mp3")), sorted(store.glob("*.aac"))
    for path in (mp3s[0], aacs[-1]):
        path.unlink()
    redone = write_audio(("mp3", "m4a"), master, tmp_path / "out", CHAPTERS, data, tmp_path / "w", store=store)
    assert [e.encoded for e in redone] == [1, 1]
    for a, b in zip(first, redone, strict=True):
        assert a.path.read_bytes() == b.path.read_bytes(), a.path.name


def test_a_damaged_section_is_encoded_again_and_stale_ones_are_pruned(written, tmp_path):
    master, first, _again, store, data, _root = written
    victim = sorted(store.glob("*.mp3"))[1]
    victim.write_bytes(victim.read_bytes()[:-100])
    (store / ("f" * 64 + ".mp3")).write_bytes(b"an old section")
    (store / "levels.json").write_text("{}")
    redone = write_audio(("mp3",), master, tmp_path / "out", CHAPTERS, data, tmp_path / "w", store=store)
    assert redone[0].encoded == 1
    assert redone[0].path.read_bytes() == first[0].path.read_bytes()
    assert not (store / ("f" * 64 + ".mp3")).exists()
    assert (store / "levels.json").exists(), "pruning touches only section files"
    assert not list(store.glob("*.aac")), "sections of formats not written this time are pruned"


def test_a_repeated_stretch_is_encoded_once_and_played_twice(clips, tmp_path):
    """The same two turns twice (same clip files): their sections have one key, encoded once, joined twice."""
    intro = [c for c in clips if c.request.speaker == NARRATOR_ID]
    a, b = next(c for c in clips if c.request.turn == 0), next(c for c in clips if c.request.turn == 1)
    order = [*intro, a, b, a, b, a]
    repeated = [dataclasses.replace(c, request=dataclasses.replace(c.request, index=i, turn=None if c in intro else i,
                                                                   part=0))
                for i, c in enumerate(order)]
    master = mix(repeated, SETTINGS, tmp_path / "mix").master
    keys = [s.key for s in master.sections]
    assert len(set(keys)) < len(keys), "the repeated turns make sections of one key"
    data = tagging.TagData(title="t", artist="a", album="b", date=None, comment="", language="zho",
                           transcript="", chapters=CHAPTERS, toc_title="Chapters", cover=None)
    (written,) = write_audio(("mp3",), master, tmp_path / "out", CHAPTERS, data, tmp_path / "w", store=tmp_path / "s")
    assert written.encoded == len(set(keys)) and written.sections == len(keys)
    assert len(decode(written.path)) == master.frames
