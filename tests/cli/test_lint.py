"""Code shape is enforced, not hoped for: ruff (incl. each third-party library confined to one module)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path


def test_ruff_clean(root: Path):
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    assert ruff, "ruff is part of the test extra; run `make test`"
    proc = subprocess.run([ruff, "check", "pipeline", "tests", "bench"], cwd=root, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
