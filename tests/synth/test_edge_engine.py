"""The Edge engine: the real edge-tts client against the emulator."""

from __future__ import annotations

import asyncio
import json
import socket
import time

import pytest

from pipeline import ffmpeg
from pipeline.errors import BadInput, SynthesisError
from pipeline.model import VoiceSettings
from pipeline.synth.engines import AUTO_FALLBACK_NOTICE, EngineBroken, get_engine, probe_edge
from pipeline.synth.engines import edge as edge_mod
from pipeline.synth.engines.edge import EdgeEngine
from pipeline.synth.engines.mp3 import inspect

TEXT = "你好，歡迎來到節目！今天我們談 OpenAI 的新模型。最後一句話。"


HSIAO_CHEN = VoiceSettings("edge", "zh-TW-HsiaoChenNeural")


def synth(engine, text=TEXT, voice=HSIAO_CHEN):
    return asyncio.run(engine.synthesize(text, voice))


def test_audio_and_sentence_timings_come_back(edge, emu, tmp_path):
    s = synth(edge)
    assert s.format == "mp3"
    assert [t.text for t in s.sentences] == ["你好，歡迎來到節目！", "今天我們談 OpenAI 的新模型。", "最後一句話。"]
    starts = [t.start_ms for t in s.sentences]
    assert starts == sorted(starts) and starts[0] >= 100  # Edge's ~100 ms lead
    assert all(t.end_ms > t.start_ms for t in s.sentences)
    assert s.sentences[-1].end_ms + 250 <= s.duration_ms  # inside the audio, trailing silence after
    path = tmp_path / "clip.mp3"
    path.write_bytes(s.audio)
    info = ffmpeg.probe(path)
    stream = info["streams"][0]
    assert (stream["codec_name"], stream["sample_rate"], stream["channels"]) == ("mp3", "24000", 1)
    assert int(info["format"]["bit_rate"]) == 48000
    assert abs(ffmpeg.duration_ms(path) - s.duration_ms) <= 1
    record = emu.log[-1]
    assert (record.voice, record.text, record.status) == ("zh-TW-HsiaoChenNeural", TEXT, "ok")


def test_prosody_reaches_the_service_and_changes_the_audio(edge, emu):
    normal = synth(edge, "A short sentence to compare speaking rates.", VoiceSettings("edge", "en-US-AvaNeural"))
    fast = synth(edge, "A short sentence to compare speaking rates.",
                 VoiceSettings("edge", "en-US-AvaNeural", rate=50, pitch=-10, volume=-20))
    assert (emu.log[-1].rate, emu.log[-1].pitch, emu.log[-1].volume) == ("+50%", "-10Hz", "-20%")
    assert fast.duration_ms < normal.duration_ms * 0.85


def test_markup_in_text_is_spoken_literally(edge, emu):
    text = "Use <speak> & </voice> tags; 5 > 3 isn't markup."
    s = synth(edge, text, VoiceSettings("edge", "en-US-GuyNeural"))
    assert emu.log[-1].text == text
    assert "".join(t.text for t in s.sentences).replace(" ", "") == text.replace(" ", "")


def test_mp3_frame_walk_matches_ffprobe_and_sees_a_cut_frame(edge, tmp_path):
    s = synth(edge)
    info = inspect(s.audio)
    assert info.complete and info.sample_rate == 24000 and info.channels == 1 and info.bitrate_kbps == 48
    assert info.duration_ms == s.duration_ms == len(s.audio) * 8 // 48
    cut = inspect(s.audio[:-50])
    assert not cut.complete and cut.trailing == 94 and cut.frames == info.frames - 1


def test_invalid_voice_is_not_retried(edge):
    with pytest.raises(EngineBroken, match="invalid Edge voice"):
        synth(edge, "hello", VoiceSettings("edge", "not a voice"))


def _closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"ws://127.0.0.1:{port}/consumer/speech/synthesize/readaloud/edge/v1?TrustedClientToken=x"


def test_auto_picks_edge_when_the_endpoint_answers(emu, monkeypatch):
    monkeypatch.setenv(edge_mod.URL_ENV, emu.url)
    notices = []
    assert probe_edge(3.0)
    engine = get_engine("auto", notice=notices.append)
    assert engine.name == "edge" and notices == []
    assert engine.url == emu.url and engine.version.startswith("edge-tts 7.")


def test_auto_falls_back_to_espeak_once_with_a_notice(monkeypatch, media_tools):
    monkeypatch.setenv(edge_mod.URL_ENV, _closed_port_url())
    notices = []
    assert not probe_edge(1.0)
    engine = get_engine("auto", notice=notices.append)
    assert engine.name == "espeak" and notices == [AUTO_FALLBACK_NOTICE]


def test_probe_fails_fast_against_a_stalled_service(emu, monkeypatch):
    emu.set_faults("stall:10@*")
    monkeypatch.setenv(edge_mod.URL_ENV, emu.url)
    start = time.monotonic()
    assert not probe_edge(1.0)
    assert time.monotonic() - start < 3.0


def test_url_without_query_gets_the_client_token(monkeypatch):
    monkeypatch.setenv(edge_mod.URL_ENV, "ws://127.0.0.1:9/consumer/speech/synthesize/readaloud/edge/v1")
    url = edge_mod.effective_url()
    assert url.startswith("ws://127.0.0.1:9/consumer/") and "?TrustedClientToken=" in url
    assert len(url.split("=", 1)[1]) == 32
    monkeypatch.setenv(edge_mod.URL_ENV, "http://example.invalid/")
    with pytest.raises(BadInput, match="ws:// or wss://"):
        edge_mod.effective_url()


def test_endpoint_patch_is_scoped(edge):
    import edge_tts.communicate as communicate

    before = communicate.WSS_URL
    synth(edge, "Scoped.", VoiceSettings("edge", "en-US-AvaNeural"))
    assert communicate.WSS_URL == before and before.startswith("wss://speech.platform.bing.com/")
    with edge_mod.endpoint("ws://a/x?T=1"), pytest.raises(SynthesisError, match="two different"):
        with edge_mod.endpoint("ws://b/x?T=1"):
            pass
    assert communicate.WSS_URL == before


def test_voice_list_comes_from_the_effective_endpoint(emu, monkeypatch, tmp_path):
    monkeypatch.setenv(edge_mod.URL_ENV, emu.url)
    voices = edge_mod.fetch_voice_list()
    names = {v["ShortName"]: v for v in voices}
    assert names["zh-TW-HsiaoChenNeural"]["Gender"] == "Female"
    assert names["zh-TW-YunJheNeural"]["Locale"] == "zh-TW"
    json.dumps(voices)
    monkeypatch.setenv(edge_mod.URL_ENV, _closed_port_url())
    with pytest.raises(SynthesisError, match="cannot fetch the Edge voice list"):
        edge_mod.fetch_voice_list(timeout=3)


def test_engine_registry(media_tools):
    assert get_engine("edge").name == "edge" and get_engine("edge").default_concurrency == 4
    espeak = get_engine("espeak")
    assert espeak.name == "espeak" and espeak.version.startswith("espeak-ng 1.")
    with pytest.raises(BadInput, match="unknown engine"):
        get_engine("festival")


@pytest.mark.network
def test_live_edge(monkeypatch, tmp_path):
    import os

    if os.environ.get("RECAST_LIVE_EDGE") != "1":
        pytest.skip("set RECAST_LIVE_EDGE=1 to call the live Microsoft Edge service")
    monkeypatch.delenv(edge_mod.URL_ENV, raising=False)
    s = synth(EdgeEngine(), "你好，這是一個測試。", VoiceSettings("edge", "zh-TW-HsiaoChenNeural"))
    assert s.sentences and s.duration_ms > 1000
    path = tmp_path / "live.mp3"
    path.write_bytes(s.audio)
    assert ffmpeg.probe(path)["streams"][0]["sample_rate"] == "24000"
