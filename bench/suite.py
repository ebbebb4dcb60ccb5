"""Recast's benchmark suite: one command, one run, every target measured on this machine (`make bench`).

Drives Recast only through its CLI (``python -m pipeline render … --json --quiet``, ``inspect``,
``--help``) and the Edge emulator, plus ffmpeg, so it keeps measuring the same things while the internals
change. Measurements (``--only`` takes these names):

* ``renders``   — espeak-ng renders of 10, 100, 1,000 turns (≈ 20 min, 1 h, 3.5 h of audio) and of the
  scaling pair, 40 and 400 turns of one shape: wall time, audio length, stage timings (episode.json
  ``stats.timings``), peak RSS (``os.wait4`` rusage of the render process, as GNU ``time -f %M``: the
  peak of its largest single process, itself or an ffmpeg/espeak-ng child; its own peak and the whole
  tree's total are sampled from /proc — see bench/suite_measure.py).
* ``cached``    — the same render again into the same output and clip cache (nothing synthesized: mix,
  loudness and both encodes) against bare ffmpeg encodes (libmp3lame and aac, 96 kb/s mono) of a WAV of
  the same length: one after the other, and both at once.
* ``naive``     — the peers' approach on the clips of the 100-turn render: repeated pydub ``+``, then
  pydub's MP3 and M4A export (bench/naive.py, in its own process).
* ``synthesis`` — ``render --engine edge`` against the emulator answering like Edge (≈ 300 ms to first
  audio, 15× real time per stream), ≈ 40 requests at concurrency 1, 4 and 8: synthesis time against the
  ideal Σ request times ÷ concurrency; concurrency 1 is the peers' sequential synthesis.
* ``edit``      — the 100-turn transcript rendered on the emulator, then one turn's words changed and
  rendered again into the same output: second wall time ÷ first.
* ``startup``   — ``recast --help`` and ``recast inspect`` (min and median of 5 fresh processes) and the
  heavy modules ``--help`` imports.

Results: a JSON file (``--json``, default bench/results.json) and a table with the machine's details
written into BENCHMARKS.md between ``<!-- results:start -->`` and ``<!-- results:end -->`` (everything
outside the markers is kept). Exits 0 when every measurement ran, even if a target fails (marked FAIL);
1 when a measurement could not run.

Usage: .venv/bin/python bench/suite.py [--quick] [--only renders,cached,...] [--out BENCHMARKS.md]
       [--json bench/results.json] [--work DIR] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

import corpus  # noqa: E402
import suite_measure as measure  # noqa: E402
import suite_report as report  # noqa: E402

NAMES = ("renders", "cached", "naive", "synthesis", "edit", "startup")
HEAVY = ("jieba", "pydub", "aiohttp", "edge_tts")
PRE_MIX_STAGES = ("ingest", "cast", "summarize", "prepare", "synthesize", "total")  # stats.timings names

# transcript key -> (turns, words per turn, chapter every)
FULL_SIZES = {"t10": (10, corpus.SIZES[10], 3), "t100": (100, corpus.SIZES[100], 10),
              "t1000": (1000, corpus.SIZES[1000], 25),
              "t40": (corpus.SCALING[0], corpus.SCALING_WORDS, 25), "t400": (corpus.SCALING[1], corpus.SCALING_WORDS, 25)}
QUICK_SIZES = {"t40": (2, 8, 25), "t400": (12, 8, 25)}
QUICK_ALIASES = {"t10": "t40", "t100": "t40", "t1000": "t400"}  # --quick renders two sizes, not five


class Suite:
    """Shared state of one run: the work folder, the transcripts and the renders already made."""

    def __init__(self, work: Path, quick: bool) -> None:
        self.work = work
        self.quick = quick
        self.sizes = QUICK_SIZES if quick else FULL_SIZES
        self.fresh: dict[str, dict] = {}
        self.cached_runs: dict[str, dict] = {}
        self.started = time.monotonic()

    def log(self, message: str) -> None:
        elapsed = int(time.monotonic() - self.started)
        sys.stderr.write(f"[bench {elapsed // 60:02d}:{elapsed % 60:02d}] {message}\n")
        sys.stderr.flush()

    def key(self, key: str) -> str:
        return QUICK_ALIASES.get(key, key) if self.quick else key

    def transcript(self, key: str, *, edit: int | None = None) -> Path:
        key = self.key(key)
        turns, words, every = self.sizes[key]
        path = self.work / f"{key}{'' if edit is None else '-edit'}.md"
        if not path.exists():
            path.write_text(corpus.transcript(turns, words, "en", chapter_every=every, edit=edit), "utf-8")
        return path

    def out_dir(self, key: str) -> Path:
        return self.work / f"out-{self.key(key)}"

    def render_fresh(self, key: str) -> dict:
        """The espeak-ng render of ``key`` into an empty output and cache (made once per run)."""
        key = self.key(key)
        if key not in self.fresh:
            turns, words, _ = self.sizes[key]
            self.log(f"render {turns} turns × ~{words} words (espeak-ng, empty cache)")
            run = measure.render(self.transcript(key), self.out_dir(key), engine="espeak")
            self.fresh[key] = {"turns": turns, "words_per_turn": words, **run}
            self.log(f"  {run['wall_seconds']:.1f} s for {run['audio_seconds'] / 60:.1f} min of audio, "
                     f"peak RSS {run['rss_mb']:.0f} MB")
        return self.fresh[key]

    def render_cached(self, key: str) -> dict:
        """The same render again into the same output and cache (nothing to synthesize)."""
        key = self.key(key)
        if key not in self.cached_runs:
            self.render_fresh(key)
            self.log(f"cached re-render of {self.sizes[key][0]} turns")
            # the encoded sections the first render kept would make this a copy: mix and encode it all again
            shutil.rmtree(self.out_dir(key) / ".sections", ignore_errors=True)
            run = measure.render(self.transcript(key), self.out_dir(key), engine="espeak")
            if run["synthesized"]:
                raise measure.MeasurementError(f"the cached re-render of {key} synthesized {run['synthesized']} "
                                               "requests (the clip cache was not used)")
            if any(f["encoded"] != f["total"] for f in (run.get("sections") or {}).values()):
                raise measure.MeasurementError(f"the cached re-render of {key} reused encoded sections")
            self.log(f"  {run['wall_seconds']:.1f} s; once more, unchanged (every section kept)")
            same = measure.render(self.transcript(key), self.out_dir(key), engine="espeak")
            run["unchanged"] = {k: same[k] for k in ("wall_seconds", "rss_mb", "sections", "timings")}
            self.cached_runs[key] = run
            self.log(f"  {same['wall_seconds']:.1f} s")
        return self.cached_runs[key]

    def drop(self, key: str) -> None:
        shutil.rmtree(self.out_dir(key), ignore_errors=True)


# ------------------------------------------------------------------------------------------ measurements


def bench_renders(s: Suite) -> dict:
    """Fresh espeak-ng renders of every size; the scaling ratios."""
    out = {key: s.render_fresh(key) for key in ("t10", "t100", "t40", "t400", "t1000")}  # --quick: aliases
    lo, hi = out["t40"], out["t400"]
    stages = {name: round(hi["timings"][name] / lo["timings"][name], 2)
              for name in lo["timings"] if lo["timings"].get(name) and name in hi["timings"]}
    return {"sizes": out, "scaling_pair": ["t40", "t400"],
            "scaling_ratio": round(hi["wall_seconds"] / lo["wall_seconds"], 3),
            "scaling_stage_ratios": stages,
            "seconds_per_audio_minute": {k: round(v["wall_seconds"] / (v["audio_seconds"] / 60), 3)
                                         for k, v in out.items()}}


def bench_cached(s: Suite) -> dict:
    """Cached re-renders against bare ffmpeg encodes of the same length and format."""
    out = {}
    for key in dict.fromkeys(s.key(k) for k in ("t100", "t400")):  # t1000: 20 min more for the same ratio
        fresh = s.render_fresh(key)
        run = s.render_cached(key)
        s.log(f"bare ffmpeg encodes of {run['audio_seconds'] / 60:.1f} min")
        bare = measure.bare_encode(Path(fresh["episode"]), s.work / f"bare-{key}")
        t = run["timings"]
        stages = sum(v for name, v in t.items() if name not in PRE_MIX_STAGES)  # mix, loudness, write…
        out[key] = {"turns": fresh["turns"], "rerender": run, "bare": bare,
                    "ratio_sequential": round(run["wall_seconds"] / bare["sequential_seconds"], 3),
                    "ratio_parallel": round(run["wall_seconds"] / bare["parallel_seconds"], 3),
                    "ratio_fast_aac": round(run["wall_seconds"] / (bare["mp3_seconds"] + bare["m4a_fast_seconds"]), 3),
                    "after_synthesis_seconds": round(stages, 3),
                    "ratio_stages_sequential": round(stages / bare["sequential_seconds"], 3)}
        s.log(f"  re-render {run['wall_seconds']:.1f} s vs bare {bare['sequential_seconds']:.1f} s sequential, "
              f"{bare['parallel_seconds']:.1f} s both at once")
        if key == "t1000" and not s.quick:
            s.drop(key)  # half a gigabyte of clips
    return out


def bench_naive(s: Suite) -> dict:
    """Repeated pydub ``+`` and pydub export of the 100-turn render's clips against Recast's re-render."""
    key = s.key("t100")
    recast = s.render_cached(key)
    s.log(f"naive pydub join + export of the {s.sizes[key][0]}-turn clips")
    run = measure.naive(s.out_dir(key) / ".cache", s.work / "naive-out")
    return {"turns": s.sizes[key][0], "naive": run, "recast_cached": {k: recast[k] for k in (
                "wall_seconds", "rss_mb", "tree_peak_mb", "audio_seconds")},
            "ratio_wall": round(run["wall_seconds"] / recast["wall_seconds"], 3),
            "ratio_rss": round(run["rss_mb"] / recast["rss_mb"], 3)}


def bench_synthesis(s: Suite) -> dict:
    """Synthesis on the Edge emulator at concurrency 1, 4 and 8 against Σ request times ÷ concurrency."""
    turns, words = (4, 6) if s.quick else (36, 22)
    latency, factor = (100.0, 30.0) if s.quick else (300.0, 15.0)
    source = s.work / "synthesis.md"
    source.write_text(corpus.transcript(turns, words, "en", chapter_every=12, seed=7), "utf-8")
    runs = {}
    with measure.Emulator() as emu:
        if not s.quick:  # --quick: the emulator renders on demand (not timed seriously anyway)
            s.log(f"emulator warm-up: {turns} turns")
            emu.warm([source], s.work / "synth-warm")
        for concurrency in (1, 4, 8):
            s.log(f"synthesis at concurrency {concurrency} (latency {latency:.0f} ms, {factor:g}× real time)")
            run = emu.render(source, s.work / f"synth-c{concurrency}", latency_ms=latency, realtime_factor=factor,
                             extra=["--concurrency", str(concurrency), "--formats", "mp3"])
            synth = run["timings"]["synthesize"]
            run["ideal_seconds"] = round(run["request_sum_seconds"] / concurrency, 3)
            run["ratio"] = round(synth / run["ideal_seconds"], 3)
            runs[str(concurrency)] = run
            s.log(f"  {run['requests']} requests: {synth:.2f} s vs ideal {run['ideal_seconds']:.2f} s")
    return {"latency_ms": latency, "realtime_factor": factor, "turns": turns, "runs": runs,
            "speedup_c4_vs_c1": round(runs["1"]["timings"]["synthesize"] / runs["4"]["timings"]["synthesize"], 3),
            "ratio_c4_vs_c1": round(runs["4"]["timings"]["synthesize"] / runs["1"]["timings"]["synthesize"], 3)}


def bench_edit(s: Suite) -> dict:
    """A one-turn edit re-rendered on the emulator, against the full render."""
    key = s.key("t100")
    turns = s.sizes[key][0]
    edited_turn = turns // 2
    original, edited = s.transcript(key), s.transcript(key, edit=edited_turn)
    latency, factor = 300.0, 15.0
    source = s.work / "edit" / "interview.md"
    source.parent.mkdir(parents=True, exist_ok=True)
    with measure.Emulator() as emu:
        if not s.quick:
            s.log(f"emulator warm-up: {turns} turns and the edited turn")
            emu.warm([_with_edited_turn(original, edited)], s.work / "edit-warm")
        shutil.copyfile(original, source)
        s.log(f"full render of {turns} turns on the emulator")
        full = emu.render(source, s.work / "edit" / "out", latency_ms=latency, realtime_factor=factor)
        s.log(f"  {full['wall_seconds']:.1f} s; now turn {edited_turn + 1} edited")
        shutil.copyfile(edited, source)
        again = emu.render(source, s.work / "edit" / "out", latency_ms=latency, realtime_factor=factor)
        s.log(f"  {again['wall_seconds']:.1f} s ({again['synthesized']} requests synthesized)")
    return {"turns": turns, "edited_turn": edited_turn, "latency_ms": latency, "realtime_factor": factor,
            "full": full, "edited": again, "ratio": round(again["wall_seconds"] / full["wall_seconds"], 3)}


def _with_edited_turn(original: Path, edited: Path) -> Path:
    """One warm-up transcript: the original with the edited turn appended (same speaker, so the same
    requests), so one warm-up render covers both timed renders — only the intro, if the edit changes the
    summary, is left for the emulator to render during the timed edit."""
    text = original.read_text("utf-8")
    before, after = text.split("\n### "), edited.read_text("utf-8").split("\n### ")
    turns = [b.split("\n## ")[0].strip() for a, b in zip(before, after, strict=True) if a != b]  # no chapter line
    path = original.with_name(f"{original.stem}-warm.md")
    path.write_text(text.rstrip("\n") + "".join(f"\n\n### {turn}\n" for turn in turns), "utf-8")
    return path


def bench_startup(s: Suite) -> dict:
    """``recast --help`` and ``recast inspect`` in fresh processes; heavy modules imported by ``--help``."""
    runs = 5
    s.log("start-up: recast --help, recast inspect")
    key = s.key("t100")
    out = {"help": measure.startup(["--help"], runs),
           "inspect": measure.startup(["inspect", str(s.transcript(key)), "--json"], runs),
           "inspect_turns": s.sizes[key][0],
           "help_heavy_imports": measure.imported_by(["--help"], HEAVY)}
    return out


MEASUREMENTS = {"renders": bench_renders, "cached": bench_cached, "naive": bench_naive,
                "synthesis": bench_synthesis, "edit": bench_edit, "startup": bench_startup}


# ------------------------------------------------------------------------------------------ main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="tiny sizes (checks the suite itself, in about a minute)")
    ap.add_argument("--only", help=f"comma-separated measurements: {','.join(NAMES)}")
    ap.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md", help="Markdown file to update")
    ap.add_argument("--json", type=Path, default=ROOT / "bench" / "results.json", help="results as JSON")
    ap.add_argument("--work", type=Path, help="work folder (default: a temporary folder)")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    args = ap.parse_args(argv)
    names = NAMES if not args.only else tuple(n.strip() for n in args.only.split(",") if n.strip())
    unknown = [n for n in names if n not in MEASUREMENTS]
    if unknown:
        ap.error(f"unknown measurement(s): {', '.join(unknown)} (choose from {', '.join(NAMES)})")

    results: dict = {"machine": report.details(ROOT), "quick": args.quick, "measurements": {}, "errors": {}}
    work = args.work or Path(tempfile.mkdtemp(prefix="recast-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    suite = Suite(work, args.quick)
    suite.log(f"work folder {work}; measurements: {', '.join(names)}")
    try:
        for name in NAMES:
            if name not in names:
                continue
            started = time.monotonic()
            try:
                results["measurements"][name] = MEASUREMENTS[name](suite)
            except (measure.MeasurementError, OSError, subprocess.SubprocessError, KeyError, ValueError) as err:
                suite.log(f"{name}: could not run: {err}")
                if os.environ.get("RECAST_DEBUG"):
                    traceback.print_exc()
                results["errors"][name] = str(err)
            suite.log(f"{name} done in {time.monotonic() - started:.0f} s")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    results["suite_seconds"] = round(time.monotonic() - suite.started, 1)
    results["espeak_renders_made"] = {"fresh": suite.fresh, "cached": suite.cached_runs}

    args.json.parent.mkdir(parents=True, exist_ok=True)
    measure.write_atomic(args.json, json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    rows = report.rows(results)
    report.update_markdown(args.out, report.render(results, rows))
    sys.stdout.write(report.plain(rows))
    suite.log(f"results in {args.out} and {args.json}")
    return 1 if results["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
