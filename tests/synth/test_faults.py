"""Every emulated Edge fault, at the first, a middle and the last request of an 8-request batch."""

from __future__ import annotations

import time

import pytest

from pipeline.errors import ServiceRefused, SynthesisError
from pipeline.synth.cache import ClipCache
from pipeline.synth.scheduler import REFUSED, synthesize

from .conftest import FAST

#: (fault spec without position, emulator status it leaves in the log)
FAULTS = {
    "drop": ("drop", "dropped"),
    "truncate": ("truncate", "truncated"),
    "noaudio": ("noaudio", "no audio"),
    "http403-once": ("http403", "http 403"),  # edge-tts fixes the clock from Date and retries itself
    "http429-retry-after": ("http429:1", "http 429"),
    "http429": ("http429", "http 429"),
    "http503": ("http503", "http 503"),
    "stall": ("stall:4", "open"),
}
POSITIONS = {"first": 1, "middle": 4, "last": 8}


def run(batch, engine, root, **kw):
    requests, names = batch
    return synthesize(requests, engine, ClipCache(root), concurrency=4, backoff=FAST, speaker_names=names, **kw)


@pytest.fixture(scope="module")
def clean_audio(batch, emulator, tmp_path_factory):
    from pipeline.synth.engines.edge import EdgeEngine

    emulator.set_faults(None)
    result = run(batch, EdgeEngine(url=emulator.url, receive_timeout=1.5), tmp_path_factory.mktemp("clean"))
    assert result.synthesized == 8 and result.cached == 0
    return [c.path.read_bytes() for c in result.clips]


@pytest.mark.parametrize("position", POSITIONS)
@pytest.mark.parametrize("fault", FAULTS)
def test_batch_survives_fault(batch, edge, emu, tmp_path, clean_audio, fault, position):
    spec, status = FAULTS[fault]
    number = POSITIONS[position]
    emu.set_faults(f"{spec}@{number}")
    started = time.monotonic()
    result = run(batch, edge, tmp_path)
    elapsed = time.monotonic() - started
    hit = [r for r in emu.log if r.number == number]
    assert hit and hit[0].fault == spec.split(":")[0], emu.log
    if fault != "stall":
        assert hit[0].status == status
    assert result.synthesized == 8
    assert [c.path.read_bytes() for c in result.clips] == clean_audio
    assert [c.request for c in result.clips] == batch[0]
    if fault == "http429-retry-after":
        assert elapsed >= 1.0  # Retry-After: 1 was honoured
    if fault == "stall":
        assert elapsed < 4.0  # gave up on the stalled request after the 1.5 s receive timeout


def test_repeated_403_stops_at_once_with_advice(batch, edge, emu, tmp_path):
    emu.set_faults("http403@*")
    started = time.monotonic()
    with pytest.raises(ServiceRefused) as info:
        run(batch, edge, tmp_path)
    assert str(info.value) == REFUSED
    assert "pip install -U edge-tts" in str(info.value) and "clock" in str(info.value)
    assert time.monotonic() - started < 3.0
    # edge-tts tried each request twice (clock-skew retry), we did not retry further
    assert len(emu.log) <= 2 * 4 + 2


@pytest.mark.parametrize("spec", ["drop", "truncate", "noaudio", "stall:4"])
def test_persistent_fault_names_the_turn_and_keeps_finished_clips(batch, edge, emu, tmp_path, spec):
    requests, _ = batch
    target = requests[3]  # turn 2 (index 1) of Robert Nishihara, part 2
    emu.set_faults(f"{spec}@text={target.text[:12]}")
    with pytest.raises(SynthesisError) as info:
        run(batch, edge, tmp_path, max_attempts=3)
    message = str(info.value)
    assert message.startswith("turn 2 (Robert Nishihara), part 2: ")
    assert "after 3 attempts" in message and "run the same command" in message
    assert "\n" not in message
    assert sum(1 for r in emu.log if r.text == target.text) == 3
    # every other clip finished before the failure is in the cache
    emu.set_faults(None)
    finished = {r.text for r in emu.log if r.status == "ok"}
    again = run(batch, edge, tmp_path)
    assert again.cached >= 1 and again.cached + again.synthesized == 8
    assert not again.clips[3].cached
    assert all(c.cached for c in again.clips if c.request.text in finished and c.request is not target) or \
        again.cached >= len(finished) - 4  # at most the in-flight ones were cancelled before caching


def test_persistent_503_gives_up_with_service_advice(batch, edge, emu, tmp_path):
    emu.set_faults("http503@*")
    with pytest.raises(SynthesisError) as info:
        run(batch, edge, tmp_path, max_attempts=2)
    assert "(503)" in str(info.value) and "gave up after 2 attempts" in str(info.value)
    assert not isinstance(info.value, ServiceRefused)


def test_random_faults_everywhere_still_give_identical_audio(batch, edge, emu, tmp_path, clean_audio):
    emu.set_faults("drop@p0.2,truncate@p0.2,noaudio@p0.1,http503@p0.1", seed=7)
    result = run(batch, edge, tmp_path, max_attempts=8)
    assert [c.path.read_bytes() for c in result.clips] == clean_audio
    assert any(r.fault for r in emu.log)


def test_retries_are_noted_once_per_kind(batch, edge, emu, tmp_path):
    notes = []

    class Recorder:
        def start(self, label, total):
            notes.append(("start", label, total))

        def advance(self, units=1, audio_seconds=0.0):
            notes.append(("advance", units, audio_seconds))

        def note(self, message):
            notes.append(("note", message))

        def finish(self):
            notes.append(("finish",))

    emu.set_faults("http503@1-6")
    run(batch, edge, tmp_path, progress=Recorder())
    assert notes[0] == ("start", "Synthesizing", 8)
    advances = [n for n in notes if n[0] == "advance"]
    assert sum(n[1] for n in advances) == 8 and all(n[2] > 0.5 for n in advances)
    assert notes[-1] == ("finish",)
    messages = [n[1] for n in notes if n[0] == "note"]
    assert 1 <= len(messages) <= 2 and "(503)" in messages[0] and "retrying in" in messages[0]


def test_identical_short_audio_twice_is_accepted_not_failed(batch, edge, emu, tmp_path, clean_audio):
    """A clip that trips the short-audio checks but comes back byte-identical is the engine's real output."""
    requests, _ = batch
    target = requests[2]
    emu.set_faults(f"truncate:0.4@text={target.text[:10]}")  # the same cut every time
    notes = []

    class Notes:
        def start(self, label, total): pass
        def advance(self, units=1, audio_seconds=0.0): pass
        def note(self, message): notes.append(message)
        def finish(self): pass

    result = run(batch, edge, tmp_path, progress=Notes())
    assert sum(1 for r in emu.log if r.text == target.text) == 2
    assert result.clips[2].path.read_bytes() == clean_audio[2][: len(result.clips[2].path.read_bytes())]
    assert len(result.clips[2].path.read_bytes()) < len(clean_audio[2])
    assert any("returns exactly this audio every time" in n for n in notes)
    assert [c.path.read_bytes() for i, c in enumerate(result.clips) if i != 2] == \
        [a for i, a in enumerate(clean_audio) if i != 2]
