"""Synthesis scheduler benchmark: does concurrency turn into wall-time savings? (target ratio ≤ 1.15)

Runs the Edge emulator with realistic latency (first byte after 300 ms, audio streamed at 10× real time),
synthesizes 40 requests at concurrency 4 through the real edge-tts client, and reports in one run:
wall time, the sum of per-request times ÷ concurrency (the ideal wall time for that work), and their
ratio. Per-request times are measured both by the emulator (arrival → last message) and by the client
(call → return). The emulator renders every text once before the timed run so its espeak-ng/ffmpeg work
does not compete with the client for the CPU.

Usage: .venv/bin/python bench/synth_bench.py [--requests 40] [--concurrency 4] [--latency-ms 300]
       [--realtime-factor 10] [--out results.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.model import Request, VoiceSettings  # noqa: E402
from pipeline.synth.cache import ClipCache  # noqa: E402
from pipeline.synth.engines.edge import EdgeEngine  # noqa: E402
from pipeline.synth.scheduler import synthesize_all  # noqa: E402
from pipeline.testing.emulator import EdgeEmulator  # noqa: E402

ZH = [
    "我們今天談的是開源軟體怎麼改變研究的方式。",
    "其實最困難的部分不是技術，而是讓大家願意一起合作。",
    "你可以把它想成一個分散式的作業系統。",
    "如果推理成本繼續下降，很多應用都會變得可能。",
]
EN = [
    "The first version took us about six months to build.",
    "When the cluster grew past a thousand machines, everything changed.",
    "We made many mistakes early on, and we learned from each one.",
    "That is why we care so much about latency.",
]
VOICES = ["zh-TW-HsiaoChenNeural", "en-US-AvaNeural", "zh-TW-YunJheNeural", "en-US-AndrewNeural"]


def make_requests(n: int) -> list[Request]:
    """``n`` distinct requests of one to three sentences in their voice's language, over four voices."""
    out = []
    for i in range(n):
        zh = i % 2 == 0
        pool = ZH if zh else EN
        text = " ".join(pool[(i + k) % len(pool)] for k in range(1 + i % 3))
        text += f" 這是第{i + 1}段。" if zh else f" This is part {i + 1}."
        out.append(Request(index=i, speaker=f"s{i % 4 + 1}", text=text,
                           voice=VoiceSettings("edge", VOICES[i % len(VOICES)]), turn=i, part=0, chapter=None))
    return out


class TimedEngine:
    """Delegates to an engine and records each call's duration (client-side per-request time)."""

    def __init__(self, engine: EdgeEngine) -> None:
        self.engine = engine
        self.name, self.version = engine.name, engine.version
        self.default_concurrency = engine.default_concurrency
        self.times: list[float] = []

    async def synthesize(self, text, voice, *, lang=""):
        started = time.monotonic()
        try:
            return await self.engine.synthesize(text, voice, lang=lang)
        finally:
            self.times.append(time.monotonic() - started)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--latency-ms", type=float, default=300.0)
    parser.add_argument("--realtime-factor", type=float, default=10.0)
    parser.add_argument("--out", type=Path, help="also write the results as JSON here")
    args = parser.parse_args(argv)
    requests = make_requests(args.requests)

    with EdgeEmulator() as emu, tempfile.TemporaryDirectory() as tmp:
        engine = EdgeEngine(url=emu.url)
        # warm the emulator's render cache (no latency), then time a cold clip cache
        asyncio.run(synthesize_all(requests, engine, ClipCache(Path(tmp) / "warm"), concurrency=2))
        emu.configure(latency_ms=args.latency_ms, realtime_factor=args.realtime_factor)
        emu.clear_log()
        timed = TimedEngine(engine)
        started = time.monotonic()
        result = asyncio.run(synthesize_all(requests, timed, ClipCache(Path(tmp) / "run"),
                                            concurrency=args.concurrency))
        wall = time.monotonic() - started
        log = emu.log

    server_sum = sum(r.end - r.start for r in log)
    client_sum = sum(timed.times)
    audio_s = sum(c.duration_ms for c in result.clips) / 1000
    ideal_server = server_sum / args.concurrency
    ideal_client = client_sum / args.concurrency
    results = {
        "requests": args.requests, "concurrency": args.concurrency, "latency_ms": args.latency_ms,
        "realtime_factor": args.realtime_factor, "synthesized": result.synthesized,
        "audio_seconds": round(audio_s, 2), "wall_seconds": round(wall, 3),
        "server_sum_seconds": round(server_sum, 3), "client_sum_seconds": round(client_sum, 3),
        "ideal_seconds_server": round(ideal_server, 3), "ideal_seconds_client": round(ideal_client, 3),
        "ratio": round(wall / ideal_server, 3), "ratio_client": round(wall / ideal_client, 3),
        "target_ratio": 1.15,
    }
    rows = [
        ("requests × concurrency", f"{args.requests} × {args.concurrency}"),
        ("audio synthesized", f"{audio_s:.1f} s"),
        ("wall time", f"{wall:.2f} s"),
        ("Σ per-request (emulator) ÷ concurrency", f"{ideal_server:.2f} s"),
        ("Σ per-request (client) ÷ concurrency", f"{ideal_client:.2f} s"),
        ("ratio wall ÷ ideal (emulator times)", f"{results['ratio']:.3f}  (target ≤ 1.15)"),
        ("ratio wall ÷ ideal (client times)", f"{results['ratio_client']:.3f}"),
    ]
    width = max(len(k) for k, _ in rows)
    sys.stdout.write("\n".join(f"{k:<{width}}  {v}" for k, v in rows) + "\n")
    sys.stdout.write(json.dumps(results) + "\n")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2) + "\n", "utf-8")
    return 0 if results["ratio"] <= results["target_ratio"] else 1


if __name__ == "__main__":
    sys.exit(main())
