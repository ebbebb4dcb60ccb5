"""The naive mixing approach peers use, for comparison: repeated pydub ``+`` and pydub's export.

Loads every clip, appends it and 600 ms of silence to one growing ``AudioSegment`` (each ``+=`` copies the
whole edition so far: quadratic in the edition's length, and the whole edition sits in memory), then
exports MP3 and M4A (96 kb/s mono, 44.1 kHz, like Recast's edition). No level matching, no loudness pass,
no chapters or tags — it only does the joining and encoding, so it is a lower bound on what the naive
approach costs. The benchmark suite runs it in its own process so its peak RSS is its own.

Prints one JSON object: clips, duration_ms, join_seconds, mp3_seconds, m4a_seconds, total_seconds.

Usage: .venv/bin/python bench/naive.py CLIP_DIR OUT_DIR [--gap-ms 600]
       (CLIP_DIR: every *.wav/*.mp3 under it, in name order — e.g. a render's .cache folder)
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from pydub import AudioSegment  # noqa: TID251 - the naive approach is pydub itself

AUDIO = (".wav", ".mp3")


def clips_in(folder: Path) -> list[Path]:
    """Every audio clip under ``folder``, in path order."""
    return sorted(p for p in folder.rglob("*") if p.suffix in AUDIO and p.is_file())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("clips", type=Path, help="folder with the clips (searched recursively)")
    ap.add_argument("out", type=Path, help="folder for naive.mp3 and naive.m4a")
    ap.add_argument("--gap-ms", type=int, default=600)
    args = ap.parse_args(argv)
    clips = clips_in(args.clips)
    if not clips:
        sys.stderr.write(f"no .wav or .mp3 clips under {args.clips}\n")
        return 2
    args.out.mkdir(parents=True, exist_ok=True)

    started = time.perf_counter()
    edition = AudioSegment.empty()
    for clip in clips:
        edition += AudioSegment.from_file(clip) + AudioSegment.silent(args.gap_ms)
    joined = time.perf_counter()
    edition.export(args.out / "naive.mp3", format="mp3", bitrate="96k", parameters=["-ac", "1", "-ar", "44100"])
    mp3_done = time.perf_counter()
    edition.export(args.out / "naive.m4a", format="ipod", codec="aac", bitrate="96k",
                   parameters=["-ac", "1", "-ar", "44100"])
    done = time.perf_counter()
    json.dump({"clips": len(clips), "duration_ms": len(edition), "join_seconds": round(joined - started, 3),
               "mp3_seconds": round(mp3_done - joined, 3), "m4a_seconds": round(done - mp3_done, 3),
               "total_seconds": round(done - started, 3)}, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
