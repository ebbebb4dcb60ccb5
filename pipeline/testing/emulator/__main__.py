"""``python -m pipeline.testing.emulator``: run the Edge emulator in the foreground and print its URL."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from pipeline.testing.emulator import EdgeEmulator


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.testing.emulator",
                                     description="Local Edge read-aloud emulator for edge-tts.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="delay before the first byte")
    parser.add_argument("--realtime-factor", type=float, default=0.0,
                        help="stream audio at this multiple of real time (0: as fast as possible)")
    parser.add_argument("--chunk-bytes", type=int, default=4096)
    parser.add_argument("--faults", default="", help='e.g. "drop@1,http429:2@3,truncate@p0.1,stall:5@text=Hi"')
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--samples", type=Path, help="folder of real Edge samples (<ShortName>.mp3 + texts.json)")
    parser.add_argument("--voices", type=Path, help="voice list JSON to serve at …/voices/list")
    args = parser.parse_args(argv)
    try:
        emu = EdgeEmulator(host=args.host, port=args.port, latency_ms=args.latency_ms,
                           realtime_factor=args.realtime_factor, chunk_bytes=args.chunk_bytes,
                           faults=args.faults, seed=args.seed, samples_dir=args.samples, voices_file=args.voices)
    except (ValueError, OSError) as err:
        sys.stderr.write(f"emulator: {err}\n")
        return 2

    def ready(e: EdgeEmulator) -> None:
        sys.stdout.write(e.url + "\n")
        sys.stdout.flush()

    try:
        asyncio.run(emu.serve(on_ready=ready))
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
