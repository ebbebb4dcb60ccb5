"""The Edge emulator itself: wire format, determinism, samples mode, fault specs, CLI."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

import aiohttp
import pytest

from pipeline.model import VoiceSettings
from pipeline.synth.engines.edge import EdgeEngine
from pipeline.synth.engines.mp3 import inspect
from pipeline.testing.emulator import EdgeEmulator, Fault, parse_faults

GEC = "A" * 16 + "-" + "B" * 64
CONFIG = ("X-Timestamp:now\r\nContent-Type:application/json; charset=utf-8\r\nPath:speech.config\r\n\r\n"
          '{"context":{"synthesis":{"audio":{"metadataoptions":{"sentenceBoundaryEnabled":"%s",'
          '"wordBoundaryEnabled":"%s"},"outputFormat":"audio-24khz-48kbitrate-mono-mp3"}}}}\r\n')
SSML = ("X-RequestId:req1\r\nContent-Type:application/ssml+xml\r\nX-Timestamp:nowZ\r\nPath:ssml\r\n\r\n"
        "<speak version='1.0' xmlns='http://www.w3.org/2001/10/synthesis' xml:lang='en-US'>"
        "<voice name='Microsoft Server Speech Text to Speech Voice (en-US, AvaNeural)'>"
        "<prosody pitch='+0Hz' rate='+0%' volume='+0%'>Fish &amp; chips. Two &lt;b&gt; tags!</prosody>"
        "</voice></speak>")


async def raw_turn(url: str, sentences: str = "true", words: str = "false") -> list[aiohttp.WSMessage]:
    async with aiohttp.ClientSession() as session, session.ws_connect(
            f"{url}&ConnectionId=c1&Sec-MS-GEC={GEC}&Sec-MS-GEC-Version=1-143.0") as ws:
        await ws.send_str(CONFIG % (sentences, words))
        await ws.send_str(SSML)
        out = []
        async for msg in ws:
            out.append(msg)
            if msg.type == aiohttp.WSMsgType.TEXT and "Path:turn.end" in msg.data:
                break
        return out


def headers_of(text: str) -> dict[str, str]:
    head = text.split("\r\n\r\n", 1)[0]
    return dict(line.split(":", 1) for line in head.split("\r\n"))


def test_wire_format_matches_edge(emu):
    msgs = asyncio.run(raw_turn(emu.url))
    texts = [m.data for m in msgs if m.type == aiohttp.WSMsgType.TEXT]
    paths = [headers_of(t)["Path"] for t in texts]
    assert paths[:2] == ["turn.start", "response"] and paths[-1] == "turn.end"
    assert paths.count("audio.metadata") == 2
    assert all(headers_of(t)["X-RequestId"] == "req1" for t in texts)
    metas = [json.loads(t.split("\r\n\r\n", 1)[1]) for t in texts if headers_of(t)["Path"] == "audio.metadata"]
    data = [m["Metadata"][0]["Data"] for m in metas]
    assert [m["Metadata"][0]["Type"] for m in metas] == ["SentenceBoundary"] * 2
    assert [d["text"]["Text"] for d in data] == ["Fish &amp; chips.", "Two &lt;b&gt; tags!"]
    assert data[0]["text"]["Length"] == len("Fish &amp; chips.")
    assert data[0]["text"]["BoundaryType"] == "SentenceBoundary"
    assert 1_000_000 <= data[0]["Offset"] < 2_000_000  # Edge's ~100 ms lead, in 100-ns ticks
    assert data[1]["Offset"] >= data[0]["Offset"] + data[0]["Duration"]
    binary = [m.data for m in msgs if m.type == aiohttp.WSMsgType.BINARY]
    audio = b""
    for i, frame in enumerate(binary):
        size = int.from_bytes(frame[:2], "big")
        header = frame[2:2 + size].decode()
        assert header.endswith("\r\n") and header.split("\r\n")[-2] == "Path:audio"
        body = frame[2 + size:]
        if i == len(binary) - 1:
            assert "Content-Type" not in header and body == b""
        else:
            assert "Content-Type:audio/mpeg" in header and body
        audio += body
    info = inspect(audio)
    assert info.complete and (info.sample_rate, info.channels, info.bitrate_kbps) == (24000, 1, 48)
    assert len(binary) > 2  # streamed in chunks
    # the last boundary lies inside the audio, with Edge's trailing silence after it
    assert (data[1]["Offset"] + data[1]["Duration"]) / 10_000 + 500 < info.duration_ms


def test_word_boundaries_when_asked(emu):
    msgs = asyncio.run(raw_turn(emu.url, sentences="false", words="true"))
    metas = [json.loads(m.data.split("\r\n\r\n", 1)[1]) for m in msgs
             if m.type == aiohttp.WSMsgType.TEXT and "Path:audio.metadata" in m.data]
    assert [m["Metadata"][0]["Data"]["text"]["Text"] for m in metas] == ["Fish", "chips", "Two", "b", "tags"]
    assert all(m["Metadata"][0]["Type"] == "WordBoundary" for m in metas)


def test_missing_query_parameters_are_rejected(emu):
    async def connect():
        async with aiohttp.ClientSession() as session:
            async with session.get(emu.url.split("?")[0]) as resp:
                return resp.status

    assert asyncio.run(connect()) == 400
    assert emu.log[-1].status == "bad request"


def test_audio_is_deterministic_across_emulators(media_tools):
    voice = VoiceSettings("edge", "zh-CN-YunxiNeural", rate=10, pitch=-5)
    out = []
    for _ in range(2):
        with EdgeEmulator() as emu:
            engine = EdgeEngine(url=emu.url, receive_timeout=5)
            out.append(asyncio.run(engine.synthesize("同一句話，兩次合成。", voice)))
    assert out[0].audio == out[1].audio and out[0].sentences == out[1].sentences


def test_distinct_voices_sound_different(edge):
    a = asyncio.run(edge.synthesize("Same words.", VoiceSettings("edge", "en-US-AvaNeural")))
    b = asyncio.run(edge.synthesize("Same words.", VoiceSettings("edge", "en-US-GuyNeural")))
    assert a.audio != b.audio


def _samples_dir(tmp_path, edge):
    """A samples folder in the shape of ../shared/data/edge-samples, made from our own audio."""
    folder = tmp_path / "samples"
    folder.mkdir()
    text = "A sample sentence for the samples mode."
    clip = asyncio.run(edge.synthesize(text, VoiceSettings("edge", "en-US-GuyNeural")))
    (folder / "en-US-AriaNeural.mp3").write_bytes(clip.audio)
    (folder / "texts.json").write_text(json.dumps({"en": {"language": "English", "text": text}}), "utf-8")
    return folder, text, clip.audio


def test_samples_mode_serves_recordings_when_the_text_matches(edge, tmp_path, media_tools):
    folder, text, recording = _samples_dir(tmp_path, edge)
    with EdgeEmulator(samples_dir=folder) as emu:
        engine = EdgeEngine(url=emu.url, receive_timeout=5)
        served = asyncio.run(engine.synthesize(text, VoiceSettings("edge", "en-US-AriaNeural")))
        other = asyncio.run(engine.synthesize("Another text.", VoiceSettings("edge", "en-US-AriaNeural")))
    assert served.audio == recording
    assert len(served.sentences) == 1 and 50 <= served.sentences[0].start_ms < served.sentences[0].end_ms
    assert other.audio != recording


def test_real_edge_samples(shared_dir, media_tools):
    folder = shared_dir / "data" / "edge-samples"
    if not (folder / "texts.json").is_file():
        pytest.skip("../shared/data/edge-samples is not present")
    text = json.loads((folder / "texts.json").read_text("utf-8"))["zh"]["text"]
    with EdgeEmulator(samples_dir=folder) as emu:
        engine = EdgeEngine(url=emu.url, receive_timeout=5)
        s = asyncio.run(engine.synthesize(text, VoiceSettings("edge", "zh-TW-HsiaoChenNeural")))
    assert s.audio == (folder / "zh-TW-HsiaoChenNeural.mp3").read_bytes()
    assert 100 <= s.sentences[0].start_ms and s.sentences[0].end_ms + 500 < s.duration_ms


def test_fault_spec_parsing():
    faults = parse_faults("drop@1,http429:2@3+5,truncate:0.3@p0.25,stall:5@2-4,noaudio@*,drop@text=你好")
    assert faults[0] == Fault("drop", at=frozenset({1}))
    assert faults[1] == Fault("http429", at=frozenset({3, 5}), arg=2.0)
    assert faults[2] == Fault("truncate", probability=0.25, arg=0.3)
    assert faults[3] == Fault("stall", at=frozenset({2, 3, 4}), arg=5.0)
    assert faults[4].every and faults[5].text == "你好"
    for bad in ("explode@1", "drop", "http403@text=x", "drop@p2"):
        with pytest.raises(ValueError):
            parse_faults(bad)


def test_cli_prints_the_url_and_serves(media_tools, root):
    proc = subprocess.Popen([sys.executable, "-m", "pipeline.testing.emulator", "--port", "0", "--latency-ms", "10",
                             "--faults", "http503@1"], cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        url = proc.stdout.readline().decode().strip()
        assert url.startswith("ws://127.0.0.1:") and "/consumer/speech/synthesize/readaloud/edge/v1?" in url
        engine = EdgeEngine(url=url, receive_timeout=5)
        from pipeline.synth.engines import ServiceStatus

        with pytest.raises(ServiceStatus) as info:
            asyncio.run(engine.synthesize("First.", VoiceSettings("edge", "en-US-AvaNeural")))
        assert info.value.status == 503 and info.value.retryable
        s = asyncio.run(engine.synthesize("Second.", VoiceSettings("edge", "en-US-AvaNeural")))
        assert s.duration_ms > 500
    finally:
        proc.terminate()
        proc.wait(10)
