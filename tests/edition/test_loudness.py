"""Loudness measurement, gating of parts, and the final gain + limiter, checked with ffmpeg's own ebur128 and silencedetect."""

from __future__ import annotations

import hashlib
import math
import subprocess
import wave
from pathlib import Path

import pytest

from pipeline import loudness
from pipeline.errors import RecastError
from pipeline.testing.masters import wav_master

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


def test_blocks_gate_into_ffmpegs_integrated_loudness(speech):
    for path in speech.values():
        assert loudness.gated(loudness.blocks(path)) == pytest.approx(ebur128(path)["I"], abs=0.1)


def test_blocks_of_parts_gate_into_the_loudness_of_the_whole(speech, tmp_path):
    """Two files measured apart, each shifted by the gain it will get, gate together into the loudness of
    the two joined (what the mixer does instead of measuring the edition)."""
    quiet, loud = speech["quiet"], speech["loud"]
    joined = tmp_path / "joined.wav"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(quiet), "-i", str(loud), "-filter_complex",
                    "[0:a]volume=12dB:precision=double[a];[a][1:a]concat=n=2:v=0:a=1", "-c:a", "pcm_s16le",
                    str(joined)], check=True)
    combined = loudness.gated([v + 12.0 for v in loudness.blocks(quiet)] + list(loudness.blocks(loud)))
    assert combined == pytest.approx(ebur128(joined)["I"], abs=0.3)
    assert loudness.gated([]) == loudness.SILENT_LUFS == loudness.gated([-80.0, -math.inf])


def test_gating_follows_bs1770():
    """Absolute gate at −70 LUFS, relative gate 10 LU under the ungated mean of what passed."""
    assert loudness.gated([-20.0] * 10) == pytest.approx(-20.0)
    assert loudness.gated([-20.0] * 10 + [-75.0] * 100) == pytest.approx(-20.0)  # under −70: ignored
    assert loudness.gated([-20.0] * 10 + [-35.0] * 10) == pytest.approx(-20.0)  # 15 LU under: gated out
    mixed = loudness.gated([-20.0] * 10 + [-25.0] * 10)  # 5 LU under: both count, in power
    assert mixed == pytest.approx(-0.691 + 10 * math.log10((10 ** (-19.309 / 10) + 10 ** (-24.309 / 10)) / 2))


@pytest.mark.parametrize("name", ["quiet", "loud"])
def test_planned_gain_and_limiter_hit_the_target_under_the_ceiling(speech, tmp_path, name):
    src = speech[name]
    master = wav_master(src)
    out = tmp_path / "n.wav"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(src), "-af", loudness.final_chain(master),
                    "-c:a", "pcm_s16le", str(out)], check=True)
    ref = ebur128(out)
    assert abs(ref["I"] - (-16.0)) <= 0.3, ref
    assert ref["TP"] <= -2.0, ref  # ceiling −2.5 dBTP leaves room for lossy encoding
    assert master.final_lufs == pytest.approx(ref["I"], abs=0.2)
    assert frames(out) == frames(src)  # same length, same rate: no timing shift
    gain = round(ref["I"] - ebur128(src)["I"])
    before, after = speech_onsets(src, -45 - gain, 0.2), speech_onsets(out, -45, 0.2)
    assert len(before) == len(after) and all(abs(a - b) <= 0.01 for a, b in zip(before, after, strict=True))
    assert master.limit_dbfs is not None and "alimiter" in loudness.final_chain(master)  # speech is peaky


def test_a_gain_that_keeps_peaks_low_needs_no_limiter(tmp_path, media_tools):
    """A 1 kHz tone at −30 dBFS (crest factor 3 dB): the planned gain alone reaches −16 LUFS exactly."""
    tone = tmp_path / "tone.wav"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=1000:duration=5",
                    "-af", "volume=-30dB", "-ar", "44100", "-c:a", "pcm_s16le", str(tone)], check=True)
    master = wav_master(tone)
    chain = loudness.final_chain(master)
    assert master.limit_dbfs is None and "alimiter" not in chain and master.final_lufs == -16.0
    out = tmp_path / "out.wav"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(tone), "-af", chain, "-c:a", "pcm_s16le", str(out)],
                   check=True)
    assert ebur128(out)["I"] == pytest.approx(-16.0, abs=0.15)


def test_an_oversampled_limiter_catches_peaks_between_samples(speech, tmp_path):
    master = wav_master(speech["loud"])
    out = tmp_path / "o.wav"
    chain = loudness.final_chain(master, limit_dbfs=-3.0, oversample=True)
    assert "aresample=176400" in chain
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(speech["loud"]), "-af", chain, "-c:a", "pcm_s16le",
                    str(out)], check=True)
    assert ebur128(out)["TP"] <= -2.9
    assert frames(out) == frames(speech["loud"])


def test_the_master_streams_the_whole_file(speech):
    master = wav_master(speech["loud"])
    data = b"".join(master.read())
    assert len(data) == 2 * master.frames == 2 * frames(speech["loud"])[0]
    assert b"".join(master.read()) == data  # every pass is fresh


def test_silence_cannot_be_normalized(tmp_path, media_tools):
    silent = tmp_path / "silent.wav"
    with wave.open(str(silent), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(44100)
        w.writeframes(bytes(2 * 44100))
    with pytest.raises(RecastError, match="silent"):
        wav_master(silent)
    with pytest.raises(RecastError, match="does not exist"):
        loudness.measure(tmp_path / "nope.wav")


# ------------------------------------------------------------------------------------------ the policy


def _master(gain_db: float = 4.0, limit_dbfs: float | None = None):
    from pipeline.model import Master

    return Master(sample_rate=44100, frames=44100, loudness_lufs=-20.0, peak_dbfs=-8.0, read=lambda: iter(()),
                  gain_db=gain_db, limit_dbfs=limit_dbfs, final_lufs=loudness.TARGET_LUFS)


def test_a_file_that_misses_is_encoded_again_aimed_by_its_error_and_overshoot():
    """One policy for every writer: the retry's gain moves by the measured error, its limiter comes down by
    the measured true-peak overshoot and sees peaks between samples; a file within AIM_LU is kept as it is."""
    from pipeline.model import Loudness

    chains: list[str] = []

    def again(chain: str) -> Loudness:
        chains.append(chain)
        return Loudness(loudness.TARGET_LUFS - 0.1, loudness.TRUE_PEAK_DBTP - 0.3, 4.0)

    kept = Loudness(loudness.TARGET_LUFS + 0.3, loudness.TRUE_PEAK_DBTP - 0.5, 4.0)
    assert loudness.meet_target("episode.mp3", -0.4, _master(), kept, again) == kept and not chains
    missed = Loudness(loudness.TARGET_LUFS - 1.2, loudness.TRUE_PEAK_DBTP + 0.6, 4.0)
    assert loudness.meet_target("episode.mp3", -0.4, _master(), missed, again).integrated_lufs == -16.1
    assert len(chains) == 1
    assert chains[0].startswith(f"volume={4.0 + 0.4 + 1.2:.4f}dB") and "aresample=176400" in chains[0]
    limit = float(chains[0].split("alimiter=limit=")[1].split(":")[0])
    assert 20 * math.log10(limit) == pytest.approx(loudness.TRUE_PEAK_DBTP - loudness.ENCODER_MARGIN_DB - 0.6 - 0.25,
                                                   abs=1e-4)


def test_a_file_that_keeps_missing_is_an_error_not_a_shipped_file():
    from pipeline.model import Loudness

    far = Loudness(loudness.TARGET_LUFS - 3.0, loudness.TRUE_PEAK_DBTP + 2.0, 4.0)
    with pytest.raises(RecastError, match=f"after {loudness.ATTEMPTS} attempts"):
        loudness.meet_target("episode.m4a", 0.0, _master(), far, lambda _chain: far)


def test_the_last_renders_final_gain_is_kept_only_while_close_and_under_the_ceiling():
    plan = loudness.FinalGain(loudness_lufs=-20.0, gain_db=4.0, limit_dbfs=None, final_lufs=-16.0)
    near = loudness.keep_final(plan, -8.0, 4.0 + loudness.STICKY_GAIN_DB / 2, None)
    assert near.gain_db == 4.0 + loudness.STICKY_GAIN_DB / 2 and near.final_lufs == -16.0 + loudness.STICKY_GAIN_DB / 2
    assert loudness.keep_final(plan, -8.0, 4.0 + loudness.STICKY_GAIN_DB, None) == plan  # too far
    assert loudness.keep_final(plan, -8.0, 4.1, -3.0) == plan  # another limiter
    assert loudness.keep_final(plan, -3.05, 4.1, None) == plan  # its peaks would break the ceiling
    assert loudness.keep_final(plan, -8.0, None, None) == plan
