"""Are two trees' renders the same? For a refactor that must not change a byte of what Recast writes.

    python bench/identity.py render OUT [--code DIR]   # the bundled example (and the shared reference, when
                                                      # ../shared is there) with espeak-ng, into OUT
    python bench/identity.py compare BEFORE AFTER      # every edition file byte for byte; episode.json as data
                                                      # without what differs by nature (timings, source path)

Render with the old tree (``--code`` a checkout of it, e.g. ``git worktree add /tmp/old <commit>``) and the
new one, then compare. Exit 0 when every file is the same, 1 otherwise (each difference named).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INPUTS = [ROOT / "examples" / "ai-classroom-interview.txt",
          ROOT.parent / "shared" / "examples" / "ray-summit-2024-kevin-weil.txt"]


def render(out: Path, code: Path) -> int:
    env = {**os.environ, "PYTHONPATH": str(code)}
    for source in (p for p in INPUTS if p.is_file()):
        done = subprocess.run([sys.executable, "-m", "pipeline", "render", str(source), "--engine", "espeak",
                               "--output", str(out), "--quiet"], cwd=code, env=env)
        if done.returncode:
            return done.returncode
    return 0


def _manifest(path: Path) -> dict:
    data = json.loads(path.read_text("utf-8"))
    data.get("stats", {}).pop("timings", None)
    data.get("source", {}).pop("path", None)
    return data


def compare(before: Path, after: Path) -> int:
    differences = 0
    for edition in sorted(p for p in before.iterdir() if p.is_dir() and not p.name.startswith(".")):
        other = after / edition.name
        names = {p.name for p in edition.iterdir()} | ({p.name for p in other.iterdir()} if other.is_dir() else set())
        for name in sorted(names):
            a, b = edition / name, other / name
            if not (a.is_file() and b.is_file()):
                print(f"only in {'before' if a.is_file() else 'after'}: {edition.name}/{name}")
                differences += 1
                continue
            if name == "episode.json":
                x, y = _manifest(a), _manifest(b)
                for key in sorted(set(x) | set(y)):
                    if x.get(key) != y.get(key):
                        print(f"differs: {edition.name}/episode.json at {key}")
                        differences += 1
            elif hashlib.sha256(a.read_bytes()).digest() != hashlib.sha256(b.read_bytes()).digest():
                print(f"differs: {edition.name}/{name}")
                differences += 1
    print("identical" if not differences else f"{differences} difference(s)")
    return 1 if differences else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    sub = parser.add_subparsers(dest="verb", required=True)
    r = sub.add_parser("render")
    r.add_argument("out", type=Path)
    r.add_argument("--code", type=Path, default=ROOT)
    c = sub.add_parser("compare")
    c.add_argument("before", type=Path)
    c.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    if args.verb == "render":
        return render(args.out, args.code.resolve())
    return compare(args.before, args.after)


if __name__ == "__main__":
    sys.exit(main())
