"""Benchmark: mixing time grows linearly with the number of clips (one run, prints a table).

Makes a handful of short espeak-ng clips (2–3 s, like one request each), then mixes N = 50, 100, 200, 400
clips that cycle through them (every clip is decoded, trimmed, level-matched and streamed as in a real
render). Linear joining gives a 400/50 time ratio near 8; a join by repeated ``AudioSegment + clip``
would approach 64 as N grows. Also reports the peak resident memory, which must stay flat.

Usage: .venv/bin/python bench/mix_bench.py [N ...]
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.mix import MixSettings, mix  # noqa: E402
from pipeline.model import Clip, Request, VoiceSettings  # noqa: E402

TEXTS = ["我們今天談談圖書館。", "好的，謝謝你的邀請。", "這是一個很有意思的問題。", "Let us talk about audio books.",
         "大家好，歡迎收聽。", "我同意你的看法。"]
VOICES = ["cmn+m3", "cmn+f4", "cmn+f2"]


def make_clips(folder: Path) -> list[Path]:
    paths = []
    for i, text in enumerate(TEXTS):
        wav = folder / f"c{i}.wav"
        subprocess.run(["espeak-ng", "-v", VOICES[i % 3], "-a", str(40 + 20 * i), "-w", str(wav), text], check=True)
        mp3 = folder / f"c{i}.mp3"
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(wav), "-ar", "24000", "-b:a", "48k", str(mp3)],
                       check=True)
        paths.append(mp3)
    return paths


def clips_for(n: int, files: list[Path]) -> list[Clip]:
    out = []
    for i in range(n):
        speaker = ("s1", "s2", "s3")[i // 2 % 3]
        req = Request(index=i, speaker=speaker, text=TEXTS[i % len(TEXTS)], voice=VoiceSettings("espeak", "cmn"),
                      turn=i // 2, part=i % 2, chapter=i // 40)
        out.append(Clip(req, files[i % len(files)], "mp3", 0, (), True))
    return out


def main(sizes: list[int]) -> None:
    with tempfile.TemporaryDirectory(prefix="mix-bench-") as tmp:
        folder = Path(tmp)
        files = make_clips(folder)
        print(f"{'clips':>6} {'seconds':>8} {'s/clip':>7} {'audio min':>9} {'peak RSS MB':>11}")
        times = {}
        for n in sizes:
            work = folder / f"w{n}"
            start = time.perf_counter()
            result = mix(clips_for(n, files), MixSettings(), work)
            times[n] = time.perf_counter() - start
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"{n:>6} {times[n]:>8.2f} {times[n] / n:>7.3f} {result.duration_ms / 60000:>9.1f} {rss:>11.0f}")
        lo, hi = min(sizes), max(sizes)
        print(f"time ratio {hi}/{lo} clips: {times[hi] / times[lo]:.1f} (linear: {hi / lo:.0f}, "
              f"quadratic: {(hi / lo) ** 2:.0f})")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [50, 100, 200, 400])
