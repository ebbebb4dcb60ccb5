"""Fixtures for the engine-room tests: the Edge emulator (real edge-tts client) and request batches."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.model import NARRATOR_ID, Request, VoiceSettings
from pipeline.synth.engines.edge import EdgeEngine
from pipeline.synth.scheduler import Backoff
from pipeline.testing.emulator import EdgeEmulator

DATA = Path(__file__).parent / "data"

#: Quick retries so fault tests stay fast (Retry-After is still honoured as sent).
FAST = Backoff(initial=0.05, maximum=0.2, jitter=0.05, retry_after_cap=5.0)


def load_batch(engine: str = "edge") -> tuple[list[Request], dict[str, str]]:
    """The 8-request fixture batch (one intro request, seven turn parts), cast for ``engine``."""
    data = json.loads((DATA / "batch.json").read_text("utf-8"))
    espeak = {"s1": "cmn-latn-pinyin+f3", "s2": "cmn-latn-pinyin+m3", NARRATOR_ID: "cmn-latn-pinyin+f1"}
    requests = []
    for i, r in enumerate(data["requests"]):
        voice = data["voices"][r["speaker"]] if engine == "edge" else espeak[r["speaker"]]
        requests.append(Request(index=i, speaker=r["speaker"], text=r["text"], voice=VoiceSettings(engine, voice),
                                turn=r["turn"], part=r["part"], chapter=None))
    return requests, data["speakers"]


@pytest.fixture(scope="session")
def batch() -> tuple[list[Request], dict[str, str]]:
    return load_batch()


@pytest.fixture(scope="module")
def emulator(media_tools):
    """A quick emulator (20 ms first byte, streaming 50× real time) shared by a test module."""
    with EdgeEmulator(latency_ms=20, realtime_factor=50) as emu:
        yield emu


@pytest.fixture
def emu(emulator):
    """The module's emulator with no faults, numbering from 1 and an empty log."""
    emulator.set_faults(None)
    emulator.configure(latency_ms=20, realtime_factor=50)
    emulator.clear_log()
    yield emulator
    emulator.set_faults(None)


@pytest.fixture
def edge(emu) -> EdgeEngine:
    """The real Edge engine pointed at the emulator, with a short receive timeout."""
    return EdgeEngine(url=emu.url, receive_timeout=1.5, connect_timeout=2)
