"""The espeak-ng engine (real espeak-ng): Mandarin, timings, literal text, prosody, scheduling."""

from __future__ import annotations

import asyncio
import io
import wave
from dataclasses import replace

import pytest

from pipeline import ffmpeg
from pipeline.errors import SynthesisError
from pipeline.model import VoiceSettings
from pipeline.synth.cache import ClipCache
from pipeline.synth.engines import EngineBroken
from pipeline.synth.engines.espeak import EspeakEngine, prosody_args, resolve_voice, split_sentences
from pipeline.synth.scheduler import synthesize

from .conftest import load_batch


@pytest.fixture(scope="module")
def engine(media_tools) -> EspeakEngine:
    return EspeakEngine()


def speak(engine, text, voice="cmn-latn-pinyin", lang="", **prosody):
    return asyncio.run(engine.synthesize(text, VoiceSettings("espeak", voice, **prosody), lang=lang))


def pcm_peak(wav: bytes) -> int:
    with wave.open(io.BytesIO(wav)) as w:
        frames = w.readframes(w.getnframes())
    return max(abs(int.from_bytes(frames[i:i + 2], "little", signed=True)) for i in range(0, len(frames), 2))


@pytest.mark.parametrize("voice", ["cmn", "cmn-latn-pinyin", "cmn-latn-pinyin+f3", "zh"])
def test_mandarin_reads_han_characters_not_digit_strings(engine, voice):
    s = speak(engine, "你好世界", voice)
    # Debian's plain `cmn` spells 你好世界 out as English pinyin with tone digits: 4.6 s
    assert 700 <= s.duration_ms <= 2000, s.duration_ms


def test_traditional_and_simplified_take_about_as_long(engine):
    trad = speak(engine, "今天天氣很好，我們來談談人工智慧。")
    simp = speak(engine, "今天天气很好，我们来谈谈人工智能。")
    assert 2500 <= trad.duration_ms <= 6500
    assert abs(trad.duration_ms - simp.duration_ms) < 800


def test_sentence_timings_are_exact_and_monotonic(engine, tmp_path):
    text = "第一句話。Second sentence here! 第三句？最後，一句。"
    s = speak(engine, text)
    assert [t.text for t in s.sentences] == ["第一句話。", "Second sentence here!", "第三句？", "最後，一句。"]
    assert s.sentences[0].start_ms == 0
    for a, b in zip(s.sentences, s.sentences[1:], strict=False):
        assert a.start_ms < a.end_ms <= b.start_ms < b.end_ms
    assert s.sentences[-1].end_ms <= s.duration_ms
    path = tmp_path / "clip.wav"
    path.write_bytes(s.audio)
    assert s.format == "wav" and abs(ffmpeg.duration_ms(path) - s.duration_ms) <= 1
    stream = ffmpeg.probe(path)["streams"][0]
    assert (stream["codec_name"], stream["channels"]) == ("pcm_s16le", 1)


@pytest.mark.parametrize("text", ["-v en-us --help", "--stdout", "<speak>hello</speak>", "Tom &amp; Jerry",
                                  "<voice name='x'>not markup</voice> & more", "-"])
def test_text_is_spoken_literally(engine, text):
    s = speak(engine, text, "en-us")
    assert " ".join(t.text for t in s.sentences) == text
    assert s.duration_ms > 200


def test_markup_characters_are_read_not_swallowed(engine):
    plain = speak(engine, "hello", "en-us")
    tagged = speak(engine, "<speak>hello</speak>", "en-us")
    assert tagged.duration_ms > plain.duration_ms + 300  # the tag words are read out too


def test_prosody_changes_rate_and_volume(engine):
    base = speak(engine, "A sentence long enough to hear the rate change clearly.", "en-us")
    fast = speak(engine, "A sentence long enough to hear the rate change clearly.", "en-us", rate=60)
    slow = speak(engine, "A sentence long enough to hear the rate change clearly.", "en-us", rate=-40)
    assert fast.duration_ms < base.duration_ms * 0.8 < slow.duration_ms * 0.8
    quiet = speak(engine, "Volume.", "en-us", volume=-50)
    loud = speak(engine, "Volume.", "en-us", volume=50)
    assert pcm_peak(quiet.audio) < pcm_peak(loud.audio) * 0.6
    assert prosody_args(VoiceSettings("espeak", "en-us")) == ["-s", "175", "-p", "50", "-a", "100"]
    assert prosody_args(VoiceSettings("espeak", "en-us", rate=100, pitch=-50, volume=50)) == \
        ["-s", "350", "-p", "25", "-a", "150"]


def test_language_runs_switch_voice_but_keep_variant(engine):
    assert resolve_voice("cmn-latn-pinyin+f3", "en") == "en-us+f3"
    assert resolve_voice("en-us+m3", "zh-TW") == "cmn-latn-pinyin+m3"
    assert resolve_voice("cmn") == "cmn-latn-pinyin"
    assert resolve_voice("en-us", "zh-HK") == "yue"
    as_pinyin = speak(engine, "OpenAI Research", "cmn-latn-pinyin+f3")
    as_english = speak(engine, "OpenAI Research", "cmn-latn-pinyin+f3", lang="en")
    assert as_pinyin.audio != as_english.audio


def test_split_sentences():
    assert split_sentences("一。二！三？") == ["一。", "二！", "三？"]
    assert split_sentences("Version 3.5 is out. Next!") == ["Version 3.5 is out.", "Next!"]
    assert split_sentences("他說：「好。」然後走了。") == ["他說：「好。」", "然後走了。"]
    assert split_sentences("……好。") == ["……好。"]
    assert split_sentences("line one\nline two") == ["line one", "line two"]
    assert split_sentences("  ") == []


def test_unknown_voice_fails_clearly_without_retries(engine, tmp_path):
    with pytest.raises(EngineBroken, match="no voice"):
        speak(engine, "hello", "xx-nosuch")
    requests, names = load_batch("espeak")
    bad = [replace(requests[0], voice=VoiceSettings("espeak", "xx-nosuch")), *requests[1:3]]
    with pytest.raises(SynthesisError, match=r"^intro, part 1: espeak-ng has no voice 'xx-nosuch'"):
        synthesize(bad, engine, ClipCache(tmp_path), speaker_names=names)


def test_scheduler_with_espeak_batch_and_cache(engine, tmp_path):
    requests, names = load_batch("espeak")
    first = synthesize(requests, engine, ClipCache(tmp_path), speaker_names=names)
    assert (first.synthesized, first.cached) == (8, 0)
    assert all(c.format == "wav" and c.path.suffix == ".wav" for c in first.clips)
    again = synthesize(requests, engine, ClipCache(tmp_path))
    assert (again.synthesized, again.cached) == (0, 8)
    assert [c.path.read_bytes() for c in again.clips] == [c.path.read_bytes() for c in first.clips]


def test_engine_mismatch_is_bad_input(engine, tmp_path, batch):
    requests, names = batch  # cast for edge
    with pytest.raises(SynthesisError.__base__, match="cast for edge but the engine is espeak"):
        synthesize(requests, engine, ClipCache(tmp_path), speaker_names=names)
