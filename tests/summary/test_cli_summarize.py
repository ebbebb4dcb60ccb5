"""`recast summarize` prints what the library returns (library first, thin CLI)."""

from __future__ import annotations

import json
from pathlib import Path

from pipeline.ingest import load_script
from pipeline.summary import summarize

DATA = Path(__file__).resolve().parent / "data"


def test_summarize_json_matches_the_library(recast):
    path = DATA / "zh-tw-net-zero.json"
    run = recast("summarize", str(path), "--json")
    assert run.returncode == 0, run.stderr.decode()
    printed = json.loads(run.stdout)
    assert set(printed) == {"intro", "points", "mode"}
    assert printed == summarize(load_script(path)).to_dict()


def test_summarize_plain_prints_the_intro_and_source_mode(recast):
    path = DATA / "en-water.json"
    run = recast("summarize", str(path), "--intro", "source")
    assert run.returncode == 0, run.stderr.decode()
    out = run.stdout.decode()
    assert out.startswith("Hello, and welcome.") and "First, fixing leaks is the cheapest new water" in out


def test_summarize_source_without_key_points_exits_2(recast):
    run = recast("summarize", str(DATA / "zh-cn-library.json"), "--intro", "source")
    assert run.returncode == 2
    assert "this transcript has no key points; use --intro auto" in run.stderr.decode()
