"""Write voices/edge-voices.json from a saved ``edge_tts.list_voices()`` dump (run once, offline).

    .venv/bin/python voices/tools/import_edge_voices.py DUMP.json --source "..." --retrieved 2026-01

Online, ``recast voices --refresh`` does the same from the live service.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from pipeline.fsutil import atomic_write_text  # noqa: E402
from pipeline.cast.voices import EDGE_FILE, VOICES_DIR, edge_catalogue_json  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dump", type=Path, help="JSON list as edge_tts.list_voices() returns it")
    parser.add_argument("--source", required=True, help="where the dump came from")
    parser.add_argument("--retrieved", required=True, help="ISO date (or month) the list was retrieved")
    args = parser.parse_args()
    raw = json.loads(args.dump.read_text(encoding="utf-8"))
    text = edge_catalogue_json(raw, source=args.source, retrieved=args.retrieved)
    atomic_write_text(VOICES_DIR / EDGE_FILE, text)
    sys.stderr.write(f"wrote {VOICES_DIR / EDGE_FILE}: {json.loads(text)['count']} voices\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
