"""CLI start-up benchmark: `recast --help` (target < 0.3 s) and `recast inspect` of the reference (< 2 s cold).

Runs each command several times in fresh processes and reports min/median wall time, plus which heavy
modules `--help` imported (must be none of jieba, pydub, aiohttp, edge_tts).
Usage: .venv/bin/python bench/cli_bench.py [--runs 5] [--input PATH]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT.parent / "shared" / "examples" / "ray-summit-2024-kevin-weil.txt"
HEAVY = ("jieba", "pydub", "aiohttp", "edge_tts")


def timed(cmd: list[str], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True)
        out.append(time.perf_counter() - t)
        if proc.returncode != 0:
            sys.exit(f"command failed: {' '.join(cmd)}\n{proc.stderr.decode()}")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--input", type=Path, default=REFERENCE if REFERENCE.exists() else
                    ROOT / "examples" / "ai-classroom-interview.txt")
    args = ap.parse_args()
    py = sys.executable
    rows = [("recast --help", timed([py, "-m", "pipeline", "--help"], args.runs), 0.3),
            (f"recast inspect {args.input.name} --json",
             timed([py, "-m", "pipeline", "inspect", str(args.input), "--json"], args.runs), 2.0)]
    probe = subprocess.run([py, "-c", "import sys\nfrom pipeline.cli import main\nmain(['--help'])\n"
                            f"print(','.join(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)"],
                           cwd=ROOT, capture_output=True, text=True)
    print(f"{'command':<60} {'min s':>7} {'median s':>9} {'target s':>9}")
    for name, times, target in rows:
        print(f"{name:<60} {min(times):7.3f} {statistics.median(times):9.3f} {target:9.1f}")
    heavy = probe.stderr.strip().splitlines()[-1] if probe.stderr.strip() else ""
    print(f"heavy modules imported by --help: {heavy or 'none'}")


if __name__ == "__main__":
    main()
