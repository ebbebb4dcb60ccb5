"""Loudness measurement and normalization, checked with ffmpeg's own ebur128 and silencedetect."""

from __future__ import annotations

import hashlib
import math
import subprocess
import wave
from pathlib import Path

import pytest

from pipeline import loudness
from pipeline.errors import RecastError

from .conftest import ebur128, make_clip, speech_onsets

SUMMARY = """[Parsed_ebur128_0 @ 0x55] t: 2.3   TARGET:-23 LUFS    M: -20.0 S:-120.7     I: -19.0 LUFS
[Parsed_ebur128_0 @ 0x55] Summary:

  Integrated loudness:
    I:         -21.4 LUFS
    Threshold: -31.9 LUFS

  Loudness range:
    LRA:         3.2 LU
    Threshold:  -42.0 LUFS
    LRA low:    -23.3 LUFS
    LRA high:   -20.1 LUFS

  True peak:
    Peak:       -5.4 dBFS
"""


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def frames(path: Path) -> tuple[int, int]:
    with wave.open(str(path), "rb") as w:
        return w.getnframes(), w.getframerate()


@pytest.fixture(scope="module")
def speech(tmp_path_factory, media_tools) -> dict[str, Path]:
    """A quiet (≈ −35 LUFS) and a loud, peaky (≈ −20 LUFS, peaks near 0 dBFS) speech file at 44.1 kHz."""
    folder = tmp_path_factory.mktemp("loud")
    out = {}
    for name, amp in (("quiet", 8), ("loud", 190)):
        raw = folder / f"{name}-22k.wav"
        make_clip(raw, ["我們來談談聲音。", "今天的節目很長，請耐心收聽。", "謝謝大家。"], "cmn+m3", amp, fmt="wav")
        path = folder / f"{name}.wav"
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(raw), "-ar", "44100", str(path)], check=True)
        out[name] = path
    return out


def test_summary_is_parsed():
    values = loudness._parse_summary(SUMMARY, Path("x.wav"))
    assert values["I"] == -21.4 and values["LRA"] == 3.2 and values["true"] == -5.4
    assert math.isinf(values["sample"])  # not requested
    with pytest.raises(RecastError):
        loudness._parse_summary("no summary here", Path("x.wav"))


def test_measure_agrees_with_ffmpeg(speech):
    for path in speech.values():
        ours = loudness.measure(path)
        ref = ebur128(path)
        assert ours.integrated_lufs == ref["I"] and ours.true_peak_dbtp == ref["TP"]
        assert ours.lra >= 0
        assert loudness.integrated(path) == ref["I"]


@pytest.mark.parametrize("name", ["quiet", "loud"])
def test_normalize_hits_the_target_under_the_ceiling(speech, tmp_path, name):
    src = speech[name]
    out = tmp_path / "n.wav"
    result = loudness.normalize(src, out)
    ref = ebur128(out)
    assert abs(ref["I"] - (-16.0)) <= 0.3, ref
    assert ref["TP"] <= -1.8, ref  # ceiling −2 dBTP leaves room for lossy encoding
    assert result.integrated_lufs == ref["I"] and result.true_peak_dbtp == ref["TP"]
    assert frames(out) == frames(src)  # same length, same rate: no timing shift
    gain = round(ref["I"] - ebur128(src)["I"])
    before, after = speech_onsets(src, -45 - gain, 0.2), speech_onsets(out, -45, 0.2)
    assert len(before) == len(after) and all(abs(a - b) <= 0.01 for a, b in zip(before, after, strict=True))


def test_normalize_is_deterministic(speech, tmp_path):
    loudness.normalize(speech["loud"], tmp_path / "a.wav")
    loudness.normalize(speech["loud"], tmp_path / "b.wav")
    assert sha(tmp_path / "a.wav") == sha(tmp_path / "b.wav")


def test_other_targets_and_rates(speech, tmp_path):
    out = tmp_path / "n.wav"
    result = loudness.normalize(speech["quiet"], out, target_lufs=-19.0, true_peak=-2.0, sample_rate=24000)
    assert abs(result.integrated_lufs + 19.0) <= 0.4 and result.true_peak_dbtp <= -2.75
    assert frames(out)[1] == 24000
    assert loudness.within_spec(result, target_lufs=-19.0, true_peak=-2.0)
    assert not loudness.within_spec(result)  # 3 LU away from −16


def test_silence_cannot_be_normalized(tmp_path, media_tools):
    silent = tmp_path / "silent.wav"
    with wave.open(str(silent), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(44100)
        w.writeframes(bytes(2 * 44100))
    with pytest.raises(RecastError, match="silent"):
        loudness.normalize(silent, tmp_path / "out.wav")
    with pytest.raises(RecastError, match="does not exist"):
        loudness.measure(tmp_path / "nope.wav")
