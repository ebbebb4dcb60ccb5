"""bench/identity.py: the byte-for-byte comparison that a refactor's renders are checked with."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "identity.py"


def _edition(root: Path, audio: bytes, total: float) -> None:
    ed = root / "2024-01-01-talk"
    ed.mkdir(parents=True)
    (ed / "episode.mp3").write_bytes(audio)
    (ed / "episode.json").write_text(json.dumps({"title": "Talk", "stats": {"timings": {"total": total}},
                                                 "source": {"path": str(root)}}), "utf-8")


def _compare(a: Path, b: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), "compare", str(a), str(b)], capture_output=True, text=True)


def test_renders_that_differ_only_in_timings_and_paths_are_identical(tmp_path: Path):
    _edition(tmp_path / "a", b"ID3 audio", 1.5)
    _edition(tmp_path / "b", b"ID3 audio", 9.0)
    done = _compare(tmp_path / "a", tmp_path / "b")
    assert done.returncode == 0 and done.stdout.strip().endswith("identical")


def test_one_changed_byte_or_a_missing_file_is_named(tmp_path: Path):
    _edition(tmp_path / "a", b"ID3 audio", 1.5)
    _edition(tmp_path / "b", b"ID3 audio!", 1.5)
    (tmp_path / "b" / "2024-01-01-talk" / "chapters.json").write_text("{}", "utf-8")
    done = _compare(tmp_path / "a", tmp_path / "b")
    assert done.returncode == 1
    assert "differs: 2024-01-01-talk/episode.mp3" in done.stdout
    assert "only in after: 2024-01-01-talk/chapters.json" in done.stdout
