"""Shared fixtures. Tests that read ../shared/ skip with a reason when it is absent."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
REFERENCE = SHARED / "examples" / "ray-summit-2024-kevin-weil.txt"


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared/ is not present beside the project")
    return SHARED


@pytest.fixture(scope="session")
def reference_input(shared_dir: Path) -> Path:
    if not REFERENCE.is_file():
        pytest.skip("../shared/examples/ray-summit-2024-kevin-weil.txt is not present")
    return REFERENCE


def _require_tools(*tools: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        pytest.fail(f"required system tools missing: {', '.join(missing)} (run `make test`, which installs them)")


@pytest.fixture(scope="session")
def media_tools() -> None:
    """ffmpeg, ffprobe and espeak-ng are real components here: fail (not skip) when they are missing."""
    _require_tools("ffmpeg", "ffprobe", "espeak-ng")


def run_recast(*args: str, cwd: Path | None = None, env: dict | None = None, timeout: float = 600,
               input: bytes | None = None) -> subprocess.CompletedProcess:
    """Run the real `recast` CLI in a subprocess (as a user would)."""
    full_env = dict(os.environ)
    full_env.pop("RECAST_EDGE_WSS_URL", None)
    if env:
        full_env.update(env)
    return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=cwd or ROOT, env=full_env,
                          capture_output=True, timeout=timeout, input=input)


@pytest.fixture(scope="session")
def recast():
    return run_recast
