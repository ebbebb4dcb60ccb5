"""Recast's footprint: it writes only inside the output folder (speech engines leave nothing in $HOME or
$TMPDIR), and `recast --help` starts at once (which heavy libraries it may not load: tests/test_confinement.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

SCRIPT = """
import asyncio
from pipeline.synth.engines.espeak import EspeakEngine
from pipeline.model import VoiceSettings
engine = EspeakEngine()
result = asyncio.run(engine.synthesize("Hello there. How are you?", VoiceSettings("espeak", "en-us+f3")))
assert result.duration_ms > 500, result.duration_ms
"""


def test_espeak_engine_leaves_nothing_in_home_or_tmp(tmp_path: Path, media_tools):
    """espeak-ng links PulseAudio and, left alone, creates $TMPDIR/pulse-* and ~/.config/pulse/ on every run."""
    home, tmp = tmp_path / "home", tmp_path / "tmp"
    home.mkdir()
    tmp.mkdir()
    env = {**os.environ, "HOME": str(home), "TMPDIR": str(tmp), "XDG_CONFIG_HOME": str(home / ".config"),
           "XDG_RUNTIME_DIR": str(tmp / "run")}
    env.pop("PULSE_SERVER", None)
    proc = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode()
    left = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p not in (home, tmp))
    assert left == [], left


def test_help_answers_within_0_3_s(root: Path):
    """The best of five fresh `recast --help` runs (0.12 s here); jieba or edge_tts on the way adds 0.4 s."""
    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "pipeline", "--help"], cwd=root, capture_output=True,
                              timeout=30)
        best = min(best, time.perf_counter() - t0)
        assert proc.returncode == 0 and b"Usage: recast" in proc.stdout, proc.stderr.decode()
    assert best < 0.3, f"recast --help took {best:.3f} s at best"
