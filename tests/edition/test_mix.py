"""The mixer: gaps, trimming, timing accuracy against the audio, per-speaker level matching, streaming."""

from __future__ import annotations

import array
import re
import subprocess
import wave
from pathlib import Path

import pytest

from pipeline.errors import BadInput, RecastError
from pipeline.mix import MixSettings, gap_before, mix, save_wav
from pipeline.model import NARRATOR_ID, Clip, Request, SentenceTiming, VoiceSettings

from .conftest import Line, build_clips, ebur128, make_clip, speech_onsets


def speaker_loudness(master, placements, work: Path) -> dict[str, float]:
    """Integrated loudness (ffmpeg ebur128) of each speaker's placed speech, cut out of the master."""
    with wave.open(str(save_wav(master, work / "master.wav")), "rb") as w:
        rate = w.getframerate()
        pcm = w.readframes(w.getnframes())
    parts: dict[str, bytearray] = {}
    for p in placements:
        a, b = p.start_ms * rate // 1000, p.end_ms * rate // 1000
        parts.setdefault(p.request.speaker, bytearray()).extend(pcm[2 * a:2 * b])
    out = {}
    for sid, data in parts.items():
        path = work / f"only-{sid}.wav"
        with wave.open(str(path), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(rate)
            w.writeframes(bytes(data))
        out[sid] = ebur128(path)["I"]
    return out


@pytest.fixture(scope="module")
def mixed(clips, tmp_path_factory):
    work = tmp_path_factory.mktemp("mix")
    return mix(clips, MixSettings(), work), work


def test_gaps_follow_the_conversation(mixed, clips):
    result, _ = mixed
    settings = MixSettings()
    places = result.placements
    assert [p.request.index for p in places] == [c.request.index for c in clips]
    expected = [settings.gap_part_ms, settings.gap_chapter_ms, settings.gap_part_ms, settings.gap_speaker_ms,
                settings.gap_chapter_ms, settings.gap_speaker_ms, settings.gap_part_ms]
    gaps = [b.start_ms - a.end_ms for a, b in zip(places, places[1:], strict=False)]
    assert gaps == pytest.approx(expected, abs=2)
    assert [gap_before(a, b, settings) for a, b in zip(clips, clips[1:], strict=False)] == expected
    assert places[0].start_ms <= 15  # the first clip starts (almost) at once


def test_gap_rules():
    def clip(i, speaker, turn, chapter, continues=False):
        req = Request(i, speaker, "x", VoiceSettings("espeak", "cmn"), turn, 0, chapter, continues=continues)
        return Clip(req, Path("x.wav"), "wav", 0, (), True)

    s = MixSettings()
    seq = [clip(0, NARRATOR_ID, None, None), clip(1, NARRATOR_ID, None, None), clip(2, "s1", 0, None),
           clip(3, "s1", 0, None, continues=True), clip(4, "s1", 0, None), clip(5, "s2", 1, 0), clip(6, "s2", 2, 0),
           clip(7, "s1", 3, 0), clip(8, "s1", 4, 1)]
    gaps = [gap_before(a, b, s) for a, b in zip([None, *seq], seq, strict=False)]
    assert gaps == [0, s.gap_part_ms, s.gap_chapter_ms, s.gap_join_ms, s.gap_part_ms, s.gap_chapter_ms,
                    s.gap_speaker_ms, s.gap_speaker_ms, s.gap_chapter_ms]


def test_edge_like_padding_is_trimmed(mixed, clips):
    """Each clip carries 100 ms of silence before and 900 ms after its speech; only speech is placed
    (the speech bounds may differ by a quiet decay: the clips were cut at −55 dBFS, the mixer listens
    down to 50 dB under each clip's peak)."""
    result, _ = mixed
    for clip, p in zip(clips, result.placements, strict=True):
        speech = clip.sentences[-1].end_ms - clip.sentences[0].start_ms
        assert speech - 80 <= p.end_ms - p.start_ms <= speech + 20, (clip.request.index, p)
    assert result.duration_ms == pytest.approx(result.placements[-1].end_ms + MixSettings().tail_ms, abs=5)


def test_placements_and_sentences_match_the_audio(mixed, clips):
    """Every placement and every sentence starts where ffmpeg's silencedetect hears speech resume."""
    result, work = mixed
    onsets = speech_onsets(save_wav(result.master, work / "master.wav"), noise_db=-45, min_silence=0.2)
    for clip, p in zip(clips, result.placements, strict=True):
        assert min(abs(o * 1000 - p.start_ms) for o in onsets) <= 50, p
        assert len(p.sentences) == len(clip.sentences)
        for s, orig in zip(p.sentences, clip.sentences, strict=True):
            assert p.start_ms <= s.start_ms <= s.end_ms <= p.end_ms
            # shifted, not stretched: distances to the first sentence are kept
            assert (s.start_ms - p.sentences[0].start_ms) == pytest.approx(orig.start_ms - clip.sentences[0].start_ms, abs=2)
            assert min(abs(o * 1000 - s.start_ms) for o in onsets) <= 50, s
    # and no speech where nothing was placed: every onset belongs to a sentence
    starts = [s.start_ms for p in result.placements for s in p.sentences]
    for o in onsets[1:]:
        if o * 1000 >= result.duration_ms - 50:  # silencedetect closes the trailing silence at the end
            continue
        assert min(abs(o * 1000 - s) for s in starts) <= 50, o


def test_mixing_the_same_clips_again_gives_the_same_bytes(mixed, clips, tmp_path):
    """Cached clips must give a byte-identical edition (wav clips at 22.05 kHz and mp3 clips at 24 kHz)."""
    result, _ = mixed
    again = mix(clips, MixSettings(), tmp_path)
    assert b"".join(again.master.read()) == b"".join(result.master.read())
    assert again.placements == result.placements and again.speaker_gains_db == result.speaker_gains_db
    assert (again.master.gain_db, again.master.limit_dbfs) == (result.master.gain_db, result.master.limit_dbfs)


def test_master_is_mono_16_bit_at_the_mix_rate(mixed, tmp_path):
    result, _ = mixed
    assert result.master.sample_rate == 44100 and result.master.duration_ms == result.duration_ms
    assert sum(len(chunk) for chunk in result.master.read()) == 2 * result.master.frames
    with wave.open(str(save_wav(result.master, tmp_path / "m.wav")), "rb") as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, 44100)
        assert w.getnframes() == result.master.frames


def test_combined_loudness_is_the_loudness_of_the_whole(mixed, tmp_path):
    """The mixer never measures the whole edition: it gates the speakers' blocks together. That agrees
    with ffmpeg's ebur128 on the whole master, and the planned gain + limiter land it on −16 LUFS."""
    from pipeline import loudness

    result, _ = mixed
    master = result.master
    wav = save_wav(master, tmp_path / "m.wav")
    assert master.loudness_lufs == pytest.approx(ebur128(wav)["I"], abs=0.5)
    detect = subprocess.run(["ffmpeg", "-hide_banner", "-nostats", "-i", str(wav), "-af", "volumedetect", "-f", "null",
                             "-"], capture_output=True, text=True).stderr
    assert float(re.search(r"max_volume: (-?[\d.]+) dB", detect).group(1)) == pytest.approx(master.peak_dbfs, abs=0.15)
    final = tmp_path / "final.wav"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(wav), "-af", loudness.final_chain(master),
                    "-c:a", "pcm_s16le", str(final)], check=True)
    got = ebur128(final)
    assert got["I"] == pytest.approx(-16.0, abs=0.4) and got["TP"] <= -2.0  # the plan aims within 0.2 LU
    assert master.final_lufs == pytest.approx(got["I"], abs=0.3)


def test_speakers_at_different_levels_come_out_matched(mixed, clips, tmp_path):
    result, _ = mixed
    # the inputs really differ: whisper-quiet host, loud guest
    before = {sid: ebur128(next(c.path for c in clips if c.request.speaker == sid))["I"] for sid in ("s1", "s2")}
    assert before["s2"] - before["s1"] >= 6.0
    after = speaker_loudness(result.master, result.placements, tmp_path)
    assert max(after.values()) - min(after.values()) <= 2.0, after
    for value in after.values():
        assert abs(value - sum(after.values()) / len(after)) <= 1.0, after
    gains = dict(result.speaker_gains_db)
    assert gains["s1"] > gains["s2"]


def test_level_matching_can_be_turned_off(clips, tmp_path):
    result = mix(clips, MixSettings(level_match=False), tmp_path)
    assert all(g == 0.0 for _sid, g in result.speaker_gains_db)
    after = speaker_loudness(result.master, result.placements, tmp_path)
    assert after["s2"] - after["s1"] >= 6.0


def test_real_edge_voices_are_level_matched(shared_dir, tmp_path, media_tools):
    """Real Edge audio: Yunyang (≈ −24.6 LUFS) and HiuGaai (≈ −18.1 LUFS), 6.5 LU apart, end up within ±1 LU."""
    samples = shared_dir / "data" / "edge-samples"
    files = {NARRATOR_ID: samples / "zh-TW-HsiaoChenNeural.mp3", "s1": samples / "zh-CN-YunyangNeural.mp3",
             "s2": samples / "zh-HK-HiuGaaiNeural.mp3"}
    if not all(f.is_file() for f in files.values()):
        pytest.skip("../shared/data/edge-samples/ lacks the zh voices used here")
    order = [(NARRATOR_ID, None, None), ("s1", 0, 0), ("s2", 1, 0), ("s1", 2, 0), ("s2", 3, 1), ("s1", 4, 1)]
    clips = [Clip(Request(i, sid, "x", VoiceSettings("edge", files[sid].stem), turn, 0, ch), files[sid], "mp3",
                  0, (), True) for i, (sid, turn, ch) in enumerate(order)]
    before = {sid: ebur128(f)["I"] for sid, f in files.items()}
    assert before["s2"] - before["s1"] >= 6.0
    result = mix(clips, MixSettings(), tmp_path)
    after = speaker_loudness(result.master, result.placements, tmp_path)
    mean = sum(after.values()) / len(after)
    assert all(abs(v - mean) <= 1.0 for v in after.values()), (before, after)
    # Edge's ~0.9 s of trailing silence is gone: speaker gaps are what was asked for
    gaps = [b.start_ms - a.end_ms for a, b in zip(result.placements, result.placements[1:], strict=False)]
    assert gaps == pytest.approx([1300, 600, 600, 1300, 600], abs=2)


def test_joining_is_streamed_not_concatenated(tmp_path, media_tools, monkeypatch):
    """Structural check of linear-time mixing: no AudioSegment is ever joined with + / append / sum, no
    segment or write is ever larger than one clip, and each clip is decoded exactly once.
    (bench/mix_bench.py measures the time: 400 clips take about 8x as long as 50.)"""
    from pydub import AudioSegment

    from pipeline.mix import clips as mix_decode

    lines = [Line("s1" if i % 3 else "s2", i // 2, i // 20, ("好。" if i % 2 else "我們繼續談。",)) for i in range(40)]
    voices = {"s1": ("cmn+m3", 60, "mp3"), "s2": ("cmn+f4", 90, "wav")}
    base = build_clips(tmp_path / "clips", lines[:4], voices)
    clips = [Clip(Request(i, ln.speaker, base[i % 4].request.text, base[i % 4].request.voice, ln.turn, i % 2,
                          ln.chapter), base[i % 4].path, base[i % 4].format, base[i % 4].duration_ms,
                  base[i % 4].sentences, True) for i, ln in enumerate(lines)]

    def forbidden(*_a, **_k):
        raise AssertionError("AudioSegments must not be concatenated")

    for name in ("__add__", "__radd__", "append", "overlay", "__mul__"):
        monkeypatch.setattr(AudioSegment, name, forbidden)
    sizes, writes, decodes = [], [], []
    original_init = AudioSegment.__init__

    def spy_init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        sizes.append(len(self._data))

    original_write = wave.Wave_write.writeframesraw

    def spy_write(self, data):
        writes.append(len(data))
        return original_write(self, data)

    original_decode = mix_decode.decode_batch

    def spy_decode(batch, rate, scratch):
        decodes.append([c.request.index for c in batch])
        return original_decode(batch, rate, scratch)

    monkeypatch.setattr(AudioSegment, "__init__", spy_init)
    monkeypatch.setattr(wave.Wave_write, "writeframesraw", spy_write)
    monkeypatch.setattr(mix_decode, "decode_batch", spy_decode)
    result = mix(clips, MixSettings(workers=2), tmp_path / "work")

    longest_clip = max(c.duration_ms for c in base) * 44100 // 1000 * 2
    assert sorted(i for batch in decodes for i in batch) == list(range(40))  # each clip decoded once
    assert len(decodes) == 40 // mix_decode.DECODE_BATCH  # by a handful of ffmpeg processes
    assert max(sizes) <= longest_clip + 4096
    assert max(writes) <= max(longest_clip, 65536 * 2) + 4096
    master_bytes = result.duration_ms * 44100 // 1000 * 2
    assert master_bytes > 5 * longest_clip  # the edition is much bigger than anything held in memory
    assert len(result.placements) == 40


def test_a_clip_without_speech_adds_no_audio_and_no_extra_gap(tmp_path, media_tools):
    lines = (Line("s1", 0, 0, ("我們開始吧。",)), Line("s1", 0, 0, ("好。",)), Line("s2", 1, 0, ("謝謝。",)))
    voices = {"s1": ("cmn+m3", 80, "wav"), "s2": ("cmn+f4", 80, "wav")}
    clips = build_clips(tmp_path / "clips", lines, voices)
    silent = tmp_path / "clips" / "silent.wav"
    with wave.open(str(silent), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(22050)
        w.writeframes(array.array("h", [0] * 22050).tobytes())
    clips[1] = Clip(clips[1].request, silent, "wav", 1000, (SentenceTiming("好。", 0, 500),), False)
    result = mix(clips, MixSettings(), tmp_path / "work")
    a, empty, b = result.placements
    assert empty.start_ms == empty.end_ms  # no audio of its own
    assert 0 <= empty.start_ms - a.end_ms <= 45  # placed right after the previous speech
    assert all(empty.start_ms <= s.start_ms <= s.end_ms <= empty.end_ms for s in empty.sentences)
    assert b.start_ms - a.end_ms == pytest.approx(MixSettings().gap_speaker_ms, abs=2)


def test_sentence_timings_are_clamped_into_the_speech(tmp_path, media_tools):
    path = tmp_path / "c.wav"
    timings = make_clip(path, ["你好。"], "cmn", 80, fmt="wav")
    wild = (SentenceTiming("你好。", 0, timings[0].end_ms + 5000),)
    clip = Clip(Request(0, "s1", "你好。", VoiceSettings("espeak", "cmn"), 0, 0, None), path, "wav", 0, wild, False)
    (p,) = mix([clip], MixSettings(), tmp_path / "work").placements
    assert p.sentences[0].start_ms == p.start_ms and p.sentences[0].end_ms == p.end_ms


def test_missing_or_broken_clip_is_one_clear_error(tmp_path, media_tools):
    req = Request(0, "s1", "x", VoiceSettings("espeak", "cmn"), 0, 0, None)
    with pytest.raises(RecastError, match="missing from the cache") as err:
        mix([Clip(req, tmp_path / "gone.mp3", "mp3", 0, (), True)], MixSettings(), tmp_path)
    assert "\n" not in str(err.value)
    broken = tmp_path / "broken.mp3"
    broken.write_bytes(b"this is not audio at all" * 10)
    with pytest.raises(RecastError, match="cannot decode clip broken.mp3"):
        mix([Clip(req, broken, "mp3", 0, (), True)], MixSettings(), tmp_path)


def test_clips_out_of_order_or_none_are_refused(clips, tmp_path):
    with pytest.raises(BadInput):
        mix([], MixSettings(), tmp_path)
    with pytest.raises(ValueError):
        mix([clips[1], clips[0]], MixSettings(), tmp_path)


@pytest.mark.parametrize("kwargs", [{"gap_part_ms": -1}, {"gap_chapter_ms": 20_000}, {"fade_ms": 500},
                                    {"sample_rate": 12345}, {"target_lufs": 0.0}, {"gap_speaker_ms": 1.5}])
def test_settings_are_validated(kwargs):
    with pytest.raises(BadInput):
        MixSettings(**kwargs)


def test_defaults_are_in_the_recommended_ranges():
    s = MixSettings()
    assert 250 <= s.gap_part_ms <= 350 and 500 <= s.gap_speaker_ms <= 700 and 1200 <= s.gap_chapter_ms <= 1500
    assert s.fade_ms > 0 and s.level_match
