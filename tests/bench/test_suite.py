"""bench/suite.py --quick: one run writes every measurement into BENCHMARKS.md and a JSON whose ratios add up."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
START, END = "<!-- results:start -->", "<!-- results:end -->"
ROWS = [  # (row name starts with, has a target)
    ("espeak render, 2 turns", False), ("espeak render, 12 turns", False), ("scaling 2 → 12 turns", True),
    ("render s per audio minute", False), ("peak RSS, 12-turn render", True),
    ("cached re-render vs bare encode, 2 turns", True), ("cached re-render vs bare encode, 12 turns", True),
    ("naive pydub", False), ("synthesis on emulator, concurrency 1", False),
    ("synthesis on emulator, concurrency 4", True), ("synthesis on emulator, concurrency 8", False),
    ("synthesis concurrency 4 vs sequential", False), ("re-render after a one-turn edit", True),
    ("`recast --help` (median", True), ("`recast --help` heavy imports", True), ("`recast inspect --json`", False),
]


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory, media_tools):
    tmp = tmp_path_factory.mktemp("bench")
    md = tmp / "BENCHMARKS.md"
    md.write_text(f"# Benchmarks\n\nProfile notes by hand.\n\n{START}\nold table\n{END}\n\n## After\nkept\n", "utf-8")
    env = {k: v for k, v in os.environ.items() if k != "RECAST_EDGE_WSS_URL"}
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "suite.py"), "--quick", "--out", str(md),
                           "--json", str(tmp / "results.json")], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)
    return proc, md.read_text("utf-8"), tmp / "results.json"


def _table(text: str) -> dict[str, list[str]]:
    inside = text.split(START, 1)[1].split(END, 1)[0]
    rows = {}
    for line in inside.splitlines():
        if line.startswith("| ") and not line.startswith(("| measurement", "| ---")):
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
            rows[cells[0]] = cells
    return rows


@pytest.mark.slow
def test_every_measurement_runs_and_the_file_keeps_the_rest(quick_run):
    proc, text, _ = quick_run
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "[bench " in proc.stderr  # progress lines
    assert text.startswith("# Benchmarks\n\nProfile notes by hand.\n\n" + START)
    assert text.endswith(END + "\n\n## After\nkept\n")
    assert "old table" not in text
    inside = text.split(START, 1)[1].split(END, 1)[0]
    for detail in ("CPU:", "cores", "RAM", "OS:", "Python 3", "ffmpeg version", "eSpeak NG", "load average", "UTC"):
        assert detail in inside


@pytest.mark.slow
def test_the_table_has_every_row_with_numbers(quick_run):
    proc, text, _ = quick_run
    rows = _table(text)
    for prefix, has_target in ROWS:
        match = [cells for name, cells in rows.items() if name.startswith(prefix)]
        assert len(match) == 1, f"{prefix!r} not exactly once in {list(rows)}"
        name, value, target, ratio, status = match[0]
        assert re.search(r"\d", value) or value == "none", match[0]
        if has_target:
            assert target and status in ("PASS", "FAIL"), match[0]
            if prefix != "`recast --help` heavy imports":
                assert float(ratio) > 0
        else:
            assert status == "info"
    assert not [r for r in rows.values() if r[4] == "ERROR"]


@pytest.mark.slow
def test_results_json_is_sane_and_ratios_follow_from_the_numbers(quick_run):
    _, text, path = quick_run
    results = json.loads(path.read_text("utf-8"))
    assert results["quick"] is True and results["errors"] == {}
    m = results["measurements"]
    rows = _table(text)

    sizes = m["renders"]["sizes"]
    for v in sizes.values():
        assert v["wall_seconds"] > 0 and v["audio_seconds"] > 5
        assert v["synthesized"] == v["requests"] > 0
        assert 20 < v["rss_mb"] < 2048 and v["rss_mb"] >= v["own_peak_mb"] * 0.95
        assert v["tree_peak_mb"] >= v["own_peak_mb"]
        assert v["timings"]["total"] <= v["wall_seconds"]
    assert sizes["t400"]["audio_seconds"] > 3 * sizes["t40"]["audio_seconds"]
    scaling = sizes["t400"]["wall_seconds"] / sizes["t40"]["wall_seconds"]
    assert m["renders"]["scaling_ratio"] == pytest.approx(scaling, abs=1e-3)
    assert rows["scaling 2 → 12 turns (render wall)"][3] == f"{m['renders']['scaling_ratio']:.2f}"

    for v in m["cached"].values():
        re_, bare = v["rerender"], v["bare"]
        assert re_["synthesized"] == 0 and re_["cached"] == re_["requests"]
        # timed with every section encoded again; once more unchanged, every section is kept
        assert all(f["encoded"] == f["total"] >= 1 for f in re_["sections"].values())
        assert all(f["encoded"] == 0 for f in re_["unchanged"]["sections"].values())
        assert bare["audio_seconds"] == pytest.approx(re_["audio_seconds"], abs=1.0)
        assert bare["sequential_seconds"] == pytest.approx(bare["mp3_seconds"] + bare["m4a_seconds"], abs=2e-3)
        assert 0 < bare["parallel_seconds"] and 0 < bare["m4a_fast_seconds"]
        assert v["ratio_sequential"] == pytest.approx(re_["wall_seconds"] / bare["sequential_seconds"], abs=1e-3)
        assert v["ratio_parallel"] == pytest.approx(re_["wall_seconds"] / bare["parallel_seconds"], abs=1e-3)
        strict = re_["wall_seconds"] / (bare["mp3_seconds"] + bare["m4a_fast_seconds"])
        assert v["ratio_fast_aac"] == pytest.approx(strict, abs=1e-3)  # the target row: the same codecs

    naive = m["naive"]
    assert naive["naive"]["clips"] == sizes["t100"]["requests"]
    assert naive["naive"]["audio_seconds"] == pytest.approx(naive["recast_cached"]["audio_seconds"], rel=0.25)
    assert naive["ratio_wall"] == pytest.approx(naive["naive"]["wall_seconds"] / naive["recast_cached"]["wall_seconds"],
                                                abs=1e-3)

    synth = m["synthesis"]
    for c, run in synth["runs"].items():
        assert run["not_ok"] == 0 and run["emulator_requests"] == run["synthesized"] == run["requests"]
        assert run["ideal_seconds"] == pytest.approx(run["request_sum_seconds"] / int(c), abs=1e-3)
        assert run["ratio"] == pytest.approx(run["timings"]["synthesize"] / run["ideal_seconds"], abs=1e-3)
        # the emulator's latency alone bounds every request from below
        assert run["request_sum_seconds"] >= run["requests"] * synth["latency_ms"] / 1000
    assert synth["runs"]["1"]["timings"]["synthesize"] > synth["runs"]["4"]["timings"]["synthesize"]

    edit = m["edit"]
    assert edit["full"]["synthesized"] == edit["full"]["requests"]
    assert 1 <= edit["edited"]["synthesized"] < edit["edited"]["requests"]
    assert edit["ratio"] == pytest.approx(edit["edited"]["wall_seconds"] / edit["full"]["wall_seconds"], abs=1e-3)

    start = m["startup"]
    for key in ("help", "inspect"):
        assert len(start[key]["runs"]) == 5 and 0 < start[key]["min_seconds"] <= start[key]["median_seconds"]
    assert start["help_heavy_imports"] == []


def test_edit_warm_up_transcript_holds_every_turn_of_both_versions(tmp_path):
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import corpus
        import suite
    finally:
        sys.path.remove(str(ROOT / "bench"))
    original, edited = tmp_path / "t.md", tmp_path / "e.md"
    original.write_text(corpus.transcript(10, 30, chapter_every=3), "utf-8")
    edited.write_text(corpus.transcript(10, 30, chapter_every=3, edit=5), "utf-8")  # turn 5 ends a chapter
    warm = suite._with_edited_turn(original, edited).read_text("utf-8")
    blocks = lambda text: {b.split("\n## ")[0].strip() for b in text.split("\n### ")[1:]}  # noqa: E731
    assert blocks(original.read_text("utf-8")) | blocks(edited.read_text("utf-8")) == blocks(warm)
    assert warm.count("\n## ") == original.read_text("utf-8").count("\n## ")
    assert warm.startswith(original.read_text("utf-8").rstrip("\n"))
