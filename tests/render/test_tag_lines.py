"""ffmpeg cuts log lines at 1 KiB, mid-character: long tag lines would make its stderr invalid UTF-8 and
break every tool that reads ffmpeg's output as text (e.g. an ebur128 check run with text=True)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from pipeline.model import TimedChapter
from pipeline.writers import tags


def _audio(tmp_path: Path, ext: str) -> Path:
    out = tmp_path / f"a.{ext}"
    codec = ["-c:a", "libmp3lame"] if ext == "mp3" else ["-c:a", "aac", "-f", "ipod"]
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=2", "-ac", "1",
                    *codec, str(out)], check=True)
    return out


@pytest.mark.parametrize("ext", ["mp3", "m4a"])
def test_long_tags_keep_ffmpeg_output_valid_utf8(tmp_path, media_tools, ext):
    # ~2.8 KB of UTF-8 on one line; the ASCII shifts the 3-byte characters off ffmpeg's 255-byte cut
    long_line = "這是一段很長的 AI 逐字稿內容，沒有換行也沒有停頓" * 40
    data = tags.TagData(title="Episode 標題" * 100, artist="甲, 乙", album="節目", date="2025-01-02",
                        comment=long_line, language="chi", transcript="主持人：" + long_line,
                        chapters=(TimedChapter("第一章", 0, 1000), TimedChapter("第二章", 1000, 2000)))
    path = _audio(tmp_path, ext)
    (tags.write_id3 if ext == "mp3" else tags.write_mp4)(path, data)
    err = subprocess.run(["ffmpeg", "-hide_banner", "-i", str(path), "-f", "null", "-"],
                         capture_output=True).stderr
    text = err.decode("utf-8")  # raises on a character cut in half
    assert "這是一段很長的 AI 逐字稿內容" in text


def test_short_lines_lose_nothing():
    text = "第一句話很長。" * 200 + "\n短行\n" + "x" * 3000
    wrapped = tags._short_lines(text)
    assert wrapped.replace("\n", "") == text.replace("\n", "")
    assert max(len(line.encode("utf-8")) for line in wrapped.split("\n")) <= tags.MAX_LINE_BYTES
