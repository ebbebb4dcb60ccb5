"""Fixtures for the summary tests: our own scripts (JSON in the ``inspect --json`` schema) as Script objects."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from pipeline.model import Chapter, Script, Speaker, Turn

DATA = Path(__file__).resolve().parent / "data"
FIXTURES = sorted(p.stem for p in DATA.glob("*.json"))


def script_from_json(path: Path) -> Script:
    """Build a Script straight from the JSON schema (independent of the ingest stage)."""
    d = json.loads(path.read_text(encoding="utf-8"))
    return Script(
        title=d["title"],
        language=d["language"],
        speakers=tuple(Speaker(s["id"], s["name"], s["label"], role=s.get("role")) for s in d["speakers"]),
        turns=tuple(Turn(t["speaker"], t["text"], t.get("chapter")) for t in d["turns"]),
        chapters=tuple(Chapter(c["title"], c["start_turn"]) for c in d.get("chapters", [])),
        published=dt.date.fromisoformat(d["published"]) if d.get("published") else None,
        description=d.get("description", ""),
        key_points=tuple(d.get("key_points", [])),
    )


@pytest.fixture(scope="session")
def load():
    """``load("zh-tw-net-zero")`` → Script."""
    return lambda name: script_from_json(DATA / f"{name}.json")
