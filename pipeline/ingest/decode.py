"""Read a transcript file's bytes and decode them (charset-normalizer lives only here).

Order: byte-order marks, strict UTF-8, then charset-normalizer restricted to the encodings transcripts
really come in. When detection is not confident we refuse instead of guessing: a mis-decoded transcript
would be spoken as gibberish.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import BadInput
from pipeline.lang import CJK_PUNCTUATION, FULL_WIDTH, HAN

#: Largest transcript Recast reads (bytes).
MAX_BYTES = 10 * 1024 * 1024

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

#: Magic numbers of files people pass by mistake, with a name for the error message.
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or a .docx/.epub)"),
    (b"PK\x05\x06", "a ZIP archive"),
    (b"\x7fELF", "an ELF executable"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"BZh", "a bzip2 archive"),
    (b"\xfd7zXZ\x00", "an xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"ID3", "an MP3 audio file"),
    (b"OggS", "an Ogg audio file"),
    (b"fLaC", "a FLAC audio file"),
    (b"RIFF", "a RIFF (WAV/AVI/WebP) file"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office document"),
    (b"\x00asm", "a WebAssembly module"),
    (b"\xca\xfe\xba\xbe", "a Java class or Mach-O file"),
    (b"\xcf\xfa\xed\xfe", "a Mach-O executable"),
)

#: Legacy encodings worth trying (charset-normalizer names); anything else is refused.
_CANDIDATES = ["big5hkscs", "cp950", "gb18030", "shift_jis", "euc_jp", "euc_kr", "cp1252", "cp1251", "latin_1",
               "utf_8"]
#: How a detected encoding is really decoded (supersets of what the detector names).
_DECODE_AS = {"big5": "cp950", "big5hkscs": "cp950", "cp950": "cp950", "gb2312": "gb18030",
              "gbk": "gb18030", "gb18030": "gb18030", "latin_1": "cp1252", "iso8859_1": "cp1252"}
_FALLBACK = {"cp950": "big5hkscs"}


@dataclass(frozen=True)
class Source:
    """A transcript's decoded text with where it came from."""

    text: str
    """The decoded text (newlines not yet normalised)."""
    encoding: str
    """The encoding the bytes were decoded with."""
    sha256: str
    """Hex digest of the raw bytes."""


def read_source(path: Path) -> Source:
    """Read and decode a transcript file; every problem becomes one clear :class:`BadInput` line."""
    if not path.exists():
        raise BadInput(f"{path}: no such file")
    if path.is_dir():
        raise BadInput(f"{path} is a folder; give a transcript file")
    if not path.is_file():
        raise BadInput(f"{path} is not a regular file")
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise BadInput(f"{path} is {_mb(size)}; the limit is {_mb(MAX_BYTES)} (split the transcript)")
        with path.open("rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as err:
        raise BadInput(f"cannot read {path}: {err.strerror or err}") from err
    if len(data) > MAX_BYTES:
        raise BadInput(f"{path} is over {_mb(MAX_BYTES)}, the limit (split the transcript)")
    text, encoding = decode_bytes(data, str(path))
    return Source(text, encoding, hashlib.sha256(data).hexdigest())


def decode_bytes(data: bytes, name: str = "<bytes>") -> tuple[str, str]:
    """Decode transcript bytes; return (text, encoding name)."""
    if not data.strip():
        raise BadInput(f"{name} is empty")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _strict(data[len(bom):], encoding, name), encoding
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise BadInput(f"{name} looks like {kind}, not a text transcript")
    head = data[:8192]
    if b"\x00" in head:
        encoding = _bomless_utf16(head)
        if encoding is not None:
            return _strict(data, encoding, name), encoding
        # a stray NUL or two in otherwise plain text is dropped (like other control characters);
        # real binary data has many
        if head.count(b"\x00") > max(2, len(head) // 1000):
            raise BadInput(f"{name} is a binary file, not a text transcript")
        data = data.replace(b"\x00", b"")
    try:
        text, encoding = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        text, encoding = _detect(data, name)
    if _binary_share(text) > 0.01:
        raise BadInput(f"{name} is a binary file, not a text transcript")
    return text, encoding


def _strict(data: bytes, encoding: str, name: str) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as err:
        raise BadInput(f"{name}: invalid {encoding} at byte {err.start}; save it as UTF-8 and try again") from err
    if _binary_share(text) > 0.01:
        raise BadInput(f"{name} is a binary file, not a text transcript")
    return text


def _bomless_utf16(sample: bytes) -> str | None:
    """UTF-16 without a byte-order mark: the byte order whose decoding reads as text (NULs in every
    other byte for ASCII, CJK characters for Chinese), or None for binary data."""
    best, best_share = None, 0.0
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            text = sample[: len(sample) // 2 * 2].decode(encoding)
        except UnicodeDecodeError:
            continue
        readable = sum(1 for ch in text if ch in "\n\r\t" or (ch.isprintable() and not 0xE000 <= ord(ch) <= 0xF8FF))
        share = readable / max(1, len(text))
        if share > best_share:
            best, best_share = encoding, share
    return best if best_share >= 0.97 else None


def _detect(data: bytes, name: str) -> tuple[str, str]:
    import charset_normalizer

    matches = [m for m in charset_normalizer.from_bytes(data, cp_isolation=_CANDIDATES) if m.chaos <= 0.15]
    refuse = BadInput(f"{name} is not UTF-8 and its encoding cannot be detected with confidence; "
                      "save it as UTF-8 and try again")
    if not matches:
        raise refuse
    best = matches[0]
    rivals = [m for m in matches[1:] if str(m) != str(best)]
    if rivals and best.coherence < 0.05:
        # Too little text to judge by language (a few dozen bytes): a Chinese file is the candidate that
        # reads as Han characters and CJK punctuation throughout (GB18030 over cp949's Hangul for 主持人：…).
        han = max(matches, key=lambda m: _han_share(str(m)))
        if _han_share(str(han)) < 0.9 or sum(_han_share(str(m)) >= 0.9 for m in matches if str(m) != str(han)):
            raise refuse
        best = han
    encoding = _DECODE_AS.get(best.encoding, best.encoding)
    for candidate in (encoding, _FALLBACK.get(encoding)):
        if candidate is None:
            continue
        try:
            return data.decode(candidate), candidate
        except UnicodeDecodeError:
            continue
    return str(best), best.encoding


_HAN_TEXT = re.compile(f"[{HAN}{CJK_PUNCTUATION}{FULL_WIDTH}\\s0-9A-Za-z.,!?:;'\"()\\-]")


def _han_share(text: str) -> float:
    """Share of a decoded text that is Han characters, CJK/ASCII punctuation, digits or Latin letters."""
    text = text[:4096]
    return sum(1 for ch in text if _HAN_TEXT.match(ch)) / max(1, len(text))


def _binary_share(text: str) -> float:
    sample = text[:65536]
    if not sample:
        return 0.0
    bad = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\n\r\t\f\v") or ch == "\ufffd")
    return bad / len(sample)


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"
