"""Generators for hostile inputs too big or too binary to commit: each writes one file and returns its path.

Every generator is deterministic (seeded), so a failure reproduces byte for byte.
"""

from __future__ import annotations

import gzip
import io
import json
import random
import struct
import subprocess
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

DATA = Path(__file__).parent / "data"

Generator = Callable[[Path], Path]
GENERATORS: dict[str, Generator] = {}

_WORDS = ("the a of and to in that it was for on are with as his they be at one have this from or had by word "
          "but what some we can out other were all there when up use your how said an each she which do their "
          "time if will way about many then them write would like so these her long make thing see him two has "
          "look more day could go come did number sound most people my over know water than call first who may "
          "down side been now find").split()


def generator(fn: Generator) -> Generator:
    GENERATORS[fn.__name__] = fn
    return fn


def _png(width: int = 16, height: int = 16) -> bytes:
    """A real, decodable RGB PNG."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    raw = bytearray()
    for y in range(height):
        raw.append(0)  # filter type: none
        for x in range(width):
            raw += bytes((x * 16 % 256, y * 16 % 256, 128))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(bytes(raw))) + chunk(b"IEND", b""))


@generator
def png_named_txt(folder: Path) -> Path:
    path = folder / "transcript.txt"
    path.write_bytes(_png())
    return path


@generator
def jpeg_named_txt(folder: Path) -> Path:
    """A real JPEG made by ffmpeg."""
    path = folder / "interview.txt"
    jpg = folder / "frame.jpg"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=1", "-frames:v",
                    "1", str(jpg)], check=True, capture_output=True)
    path.write_bytes(jpg.read_bytes())
    jpg.unlink()
    return path


@generator
def docx_named_txt(folder: Path) -> Path:
    """A Word document (a ZIP archive) saved with a .txt name."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<?xml version='1.0'?><Types/>")
        zf.writestr("word/document.xml", "<w:document><w:body><w:p><w:r><w:t>Ann: hello</w:t></w:r></w:p>"
                                         "</w:body></w:document>")
    path = folder / "transcript.txt"
    path.write_bytes(buf.getvalue())
    return path


@generator
def gzip_named_txt(folder: Path) -> Path:
    path = folder / "transcript.txt"
    path.write_bytes(gzip.compress(b"Ann: Hello there.\nBob: Hi.\n" * 50, mtime=0))
    return path


@generator
def random_binary(folder: Path) -> Path:
    """64 KB of random bytes (NULs included)."""
    path = folder / "random.txt"
    path.write_bytes(random.Random(7).randbytes(65536))
    return path


@generator
def high_bytes_no_nul(folder: Path) -> Path:
    """Random bytes 0x80–0xFF: no NUL, not UTF-8, no legacy encoding makes sense of them."""
    rng = random.Random(11)
    path = folder / "noise.txt"
    path.write_bytes(bytes(rng.randint(0x80, 0xFF) for _ in range(8192)))
    return path


@generator
def utf8_broken_chinese(folder: Path) -> Path:
    """A UTF-8 Chinese interview with a stray 0xFF byte and a multibyte character cut in half."""
    data = (DATA / "zh-tw-interview.txt").read_bytes()
    cut = data.index("節目".encode()) + 1  # inside the three bytes of 節
    path = folder / "broken-utf8.txt"
    path.write_bytes(data[:40] + b"\xff" + data[40:cut] + data[cut + 2:])
    return path


@generator
def sparse_nul(folder: Path) -> Path:
    """An English interview with one stray NUL byte (a copy-paste accident), otherwise clean UTF-8."""
    text = (DATA / "en-interview.txt").read_bytes()
    at = text.index(b"library") + 3
    path = folder / "stray-nul.txt"
    path.write_bytes(text[:at] + b"\x00" + text[at:])
    return path


@generator
def megabyte_line(folder: Path) -> Path:
    """A 1 MB turn of English words without any punctuation, then a one-line reply."""
    rng = random.Random(1)
    words: list[str] = []
    size = 0
    while size < 1 << 20:
        w = rng.choice(_WORDS)
        words.append(w)
        size += len(w) + 1
    line = " ".join(words)[: 1 << 20]
    path = folder / "megabyte-line.txt"
    path.write_text(f"Ann: {line}\nBob: Thanks.\n", "utf-8")
    return path


@generator
def long_line_no_punctuation(folder: Path) -> Path:
    """A 2 KB turn without punctuation (renderable in CI: about 40 s of speech) between two short ones."""
    rng = random.Random(3)
    line = " ".join(rng.choice(_WORDS) for _ in range(600))[:2048].rsplit(" ", 1)[0]
    path = folder / "long-line.txt"
    path.write_text(f"Ann: Tell me everything.\nBob: {line}\nAnn: Thank you.\n", "utf-8")
    return path


@generator
def thousands_of_speakers(folder: Path) -> Path:
    """3,000 speakers who each say hello once, then the first two again (so the label shape recurs)."""
    lines = [f"Speaker{i:04d}: Hello there." for i in range(1, 3001)]
    lines += ["Speaker0001: Goodbye everyone.", "Speaker0002: Goodbye."]
    path = folder / "crowd.txt"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


@generator
def thousand_char_title(folder: Path) -> Path:
    """A Markdown transcript whose title is 1,000 characters long."""
    title = ("A Very Long Title About Libraries, Reading and Community " * 20)[:1000]
    assert len(title) == 1000
    path = folder / "long-title.md"
    path.write_text(f"# {title}\n\n### Ann:\n\nHello there.\n\n### Bob:\n\nHi Ann.\n\n### Ann:\n\nWelcome.\n", "utf-8")
    return path


@generator
def title_absolute_path(folder: Path) -> Path:
    path = folder / "absolute.json"
    path.write_text(json.dumps({
        "title": "/etc/passwd", "language": "en",
        "speakers": [{"id": "a", "name": "Ann", "label": "Ann"}, {"id": "b", "name": "Bob", "label": "Bob"}],
        "turns": [{"speaker": "a", "text": "Hello there."}, {"speaker": "b", "text": "Hi Ann."}]}), "utf-8")
    return path


@generator
def truncated_json(folder: Path) -> Path:
    """A valid JSON script cut off in the middle (a download that stopped)."""
    full = (DATA / "script.json").read_text("utf-8")
    path = folder / "truncated.json"
    path.write_text(full[: len(full) * 2 // 3], "utf-8")
    return path


@generator
def fifo_named_txt(folder: Path) -> Path:
    """A named pipe: reading it would block forever."""
    import os

    path = folder / "pipe.txt"
    os.mkfifo(path)
    return path


@generator
def newline_in_file_name(folder: Path) -> Path:
    """A missing file whose name holds a newline and a forged error line."""
    return folder / "nope\nrecast: error: forged second line.txt"


@generator
def escape_in_file_name(folder: Path) -> Path:
    """A missing file whose name holds a terminal escape sequence (clears the screen when printed raw)."""
    return folder / "nope\x1b[2J\x1b[31m.txt"


@generator
def over_ten_megabytes(folder: Path) -> Path:
    """An 11 MB file (sparse: the disk holds almost nothing)."""
    path = folder / "huge.txt"
    with path.open("wb") as fh:
        fh.truncate(11 * 1024 * 1024)
    return path


@generator
def missing_file(folder: Path) -> Path:
    return folder / "no-such-transcript.txt"


@generator
def a_directory(folder: Path) -> Path:
    path = folder / "transcripts"
    path.mkdir()
    return path
