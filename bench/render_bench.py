"""Render benchmark: a whole `recast render --engine edge` through the Edge emulator at realistic speed.

Does the synthesis stage of a real render turn concurrency into wall-time savings? One run renders a
generated zh-TW transcript (three speakers, three chapters, ~50 requests with the generated intro) with the
real CLI in a subprocess and the real edge-tts client inside it, against the emulator answering like Edge:
first byte after 300 ms, audio streamed at 10× real time. It reports

* the synthesis stage's wall time (``stats.timings.synthesize`` in episode.json),
* the sum of the per-request times the emulator logged (arrival → connection closed) ÷ the concurrency —
  the least wall time that work can take with that many requests in flight —, and their ratio
  (target ≤ 1.15),
* every stage's timing from episode.json.

The emulator first renders every request once (in-process, no latency), so its espeak-ng and ffmpeg work
does not compete with the render for the CPU during the timed run; the timed run starts with an empty
clip cache, so every request really goes to the emulator.

Usage: .venv/bin/python bench/render_bench.py [--turns 46] [--concurrency 4] [--latency-ms 300]
       [--realtime-factor 10] [--transcript FILE] [--out results.json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.testing.emulator import EdgeEmulator  # noqa: E402

TARGET_RATIO = 1.15
SPEAKERS = ("何思妤", "吳建宏", "林佩君")
CHAPTERS = ("港口的早晨", "颱風季節", "下一代的廣播")
PLACES = ("北門漁港", "東石漁港", "南方澳", "富基漁港", "八斗子", "梧棲漁港", "安平港", "將軍漁港")
THINGS = ("無線電", "氣象圖", "潮汐表", "備用電源", "天線", "錄音室", "值班表", "求救頻道")
OPENERS = ("我記得", "老實說", "其實", "說起來", "那時候", "後來")
REMARKS = (
    "大家都以為這件事很簡單，可是真的做起來才知道有多少細節。",
    "我們花了好幾個月，才讓每一艘船都聽得清楚。",
    "最重要的是讓岸上的家人安心。",
    "很多老船長一開始不相信，後來卻成了最熱心的聽眾。",
    "有時候一句提醒，就能讓一艘船早一點回港。",
    "這些經驗，我們都整理成筆記，留給下一批志工。",
)


def transcript(turns: int) -> str:
    """A Markdown interview (``## chapter`` / ``### Speaker：``) with ``turns`` distinct turns."""
    lines = [f"# 2025-06-01 漁港廣播站的{turns}個故事", ""]
    per_chapter = -(-turns // len(CHAPTERS))
    for i in range(turns):
        if i % per_chapter == 0:
            lines += [f"## {CHAPTERS[i // per_chapter]}", ""]
        speaker = SPEAKERS[0] if i % 2 == 0 else SPEAKERS[1 + (i // 2) % 2]
        place, thing = PLACES[i % len(PLACES)], THINGS[(i * 3) % len(THINGS)]
        if speaker == SPEAKERS[0]:
            text = f"第{i // 2 + 1}個問題想請教：在{place}，{thing}平常是怎麼用的？"
        else:
            text = f"{OPENERS[i % len(OPENERS)]}，{1990 + i}年我們在{place}第一次用{thing}。"
            text += "".join(REMARKS[(i + k) % len(REMARKS)] for k in range(1 + i % 3))
        lines += [f"### {speaker}：", text, ""]
    return "\n".join(lines)


def warm(emu: EdgeEmulator, path: Path, cache: Path) -> int:
    """Have the emulator render every request of the edition once (same plan as the CLI's); return the count."""
    from pipeline import ingest
    from pipeline.prepare import plan_requests
    from pipeline.render import resolve_cast
    from pipeline.summary import summarize
    from pipeline.synth.cache import ClipCache
    from pipeline.synth.engines.edge import EdgeEngine
    from pipeline.synth.scheduler import synthesize

    script = ingest.load_script(path)
    cast = resolve_cast(script, "edge", None)
    summary = summarize(script, mode="auto", cast=cast)
    requests = plan_requests(script, cast, intro=summary.intro)
    synthesize(requests, EdgeEngine(url=emu.url), ClipCache(cache), concurrency=2)
    return len(requests)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=46, help="turns of the generated transcript")
    parser.add_argument("--transcript", type=Path, help="render this transcript instead of the generated one")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--latency-ms", type=float, default=300.0)
    parser.add_argument("--realtime-factor", type=float, default=10.0)
    parser.add_argument("--out", type=Path, help="also write the results as JSON here")
    args = parser.parse_args(argv)

    with EdgeEmulator() as emu, tempfile.TemporaryDirectory(prefix="render-bench-") as tmp:
        tmp_path = Path(tmp)
        source = args.transcript or tmp_path / "harbor-stories.md"
        if args.transcript is None:
            source.write_text(transcript(args.turns), "utf-8")
        warmed = warm(emu, source, tmp_path / "warm-cache")
        emu.configure(latency_ms=args.latency_ms, realtime_factor=args.realtime_factor)
        emu.clear_log()
        env = {**os.environ, "RECAST_EDGE_WSS_URL": emu.url}
        started = time.monotonic()
        proc = subprocess.run([sys.executable, "-m", "pipeline", "render", str(source), "-o", str(tmp_path / "out"),
                               "--engine", "edge", "--concurrency", str(args.concurrency), "--json", "--quiet"],
                              cwd=ROOT, env=env, capture_output=True)
        wall = time.monotonic() - started
        log = emu.log
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr.decode("utf-8", "replace"))
        return 2
    manifest = json.loads(proc.stdout)
    stats = manifest["stats"]
    timings = stats["timings"]
    synth = timings["synthesize"]
    request_sum = sum(r.end - r.start for r in log)
    ideal = request_sum / args.concurrency
    span = max(r.end for r in log) - min(r.start for r in log)
    results = {
        "requests": stats["requests"], "synthesized": stats["synthesized"], "emulator_requests": len(log),
        "warmed_requests": warmed, "failed_or_retried": sum(1 for r in log if r.status != "ok"),
        "concurrency": args.concurrency, "latency_ms": args.latency_ms, "realtime_factor": args.realtime_factor,
        "audio_seconds": round(manifest["duration_ms"] / 1000, 1),
        "synthesize_seconds": synth, "request_sum_seconds": round(request_sum, 3),
        "ideal_seconds": round(ideal, 3), "request_span_seconds": round(span, 3),
        "ratio": round(synth / ideal, 3), "target_ratio": TARGET_RATIO,
        "stage_seconds": timings, "process_wall_seconds": round(wall, 3),
    }

    rows = [
        ("requests (synthesized / emulator log)", f"{stats['requests']} ({stats['synthesized']} / {len(log)})"),
        ("concurrency", str(args.concurrency)),
        ("emulator", f"first byte {args.latency_ms:.0f} ms, streaming {args.realtime_factor:g}× real time"),
        ("edition length", f"{manifest['duration_ms'] / 60000:.1f} min"),
        ("synthesis wall time (stats.timings)", f"{synth:.2f} s"),
        ("Σ request times ÷ concurrency", f"{request_sum:.2f} s ÷ {args.concurrency} = {ideal:.2f} s"),
        ("first request → last request", f"{span:.2f} s"),
        ("ratio synthesis ÷ ideal", f"{results['ratio']:.3f}  (target ≤ {TARGET_RATIO})"),
    ]
    rows += [(f"stage: {name}", f"{seconds:.2f} s") for name, seconds in timings.items()]
    rows.append(("process wall time", f"{wall:.2f} s"))
    width = max(len(k) for k, _ in rows)
    sys.stdout.write("\n".join(f"{k:<{width}}  {v}" for k, v in rows) + "\n")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", "utf-8")
    return 0 if results["ratio"] <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
