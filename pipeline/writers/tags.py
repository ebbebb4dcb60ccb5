"""Tags, cover art and chapters inside the audio files (mutagen lives only here).

MP3: ID3v2.4 (UTF-8) with TIT2/TPE1/TALB/TDRC/TCON/COMM/USLT/APIC, and chapters as CHAP frames under one
top-level, ordered CTOC. mutagen sorts frames on save by (priority, frame size, HashKey), which would
scatter the CHAP frames out of time order (players and ffprobe list chapters in file order), so
:class:`_ChapterOrderedID3` writes CTOC then the CHAP frames in time order.

M4A: iTunes atoms (©nam, ©ART, ©alb, ©day, ©cmt, ©gen, ©lyr, covr). Its chapters are written by ffmpeg
(Nero ``chpl`` plus a QuickTime chapter track); mutagen keeps both when it rewrites the ``moov`` box.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mutagen import MutagenError
from mutagen.id3 import (
    APIC,
    CHAP,
    COMM,
    CTOC,
    ID3,
    TALB,
    TCON,
    TDRC,
    TIT2,
    TPE1,
    USLT,
    CTOCFlags,
    PictureType,
)
from mutagen.id3._tags import save_frame  # the one piece of mutagen's frame writer we reuse
from mutagen.mp4 import MP4, MP4Cover

from pipeline import ffmpeg
from pipeline.errors import BadInput, RecastError
from pipeline.model import TimedChapter

GENRE = "Podcast"


@dataclass(frozen=True)
class Cover:
    """A validated cover image."""

    data: bytes
    """The image file's bytes."""
    mime: str
    """``image/jpeg`` or ``image/png``."""


@dataclass(frozen=True)
class TagData:
    """Everything written into an audio file's tags."""

    title: str
    """Episode title (TIT2 / ©nam)."""
    artist: str
    """The speakers' names joined (TPE1 / ©ART)."""
    album: str
    """Show title (TALB / ©alb)."""
    date: str | None
    """Publication date, ISO ``YYYY-MM-DD`` (TDRC / ©day), or None."""
    comment: str
    """The summary intro or the description (COMM / ©cmt)."""
    language: str
    """ISO 639-2 code for COMM and USLT (``chi``, ``eng``)."""
    transcript: str
    """``Speaker: text`` lines (USLT / ©lyr)."""
    chapters: tuple[TimedChapter, ...]
    """Chapters in time order (CHAP/CTOC in MP3; M4A chapters come from ffmpeg)."""
    toc_title: str = "Chapters"
    """Title of the MP3 table of contents."""
    cover: Cover | None = None
    """Cover art (APIC / covr)."""


def load_cover(path: Path) -> Cover:
    """Read and validate a JPEG or PNG cover image; BadInput when it is not one."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise BadInput(f"cannot read the cover image {path}: {err.strerror or err}") from err
    if data.startswith(b"\xff\xd8\xff"):
        mime, codec = "image/jpeg", "mjpeg"
    elif data.startswith(b"\x89PNG\r\n\x1a\n"):
        mime, codec = "image/png", "png"
    else:
        raise BadInput(f"the cover {path.name} is not a JPEG or PNG image; convert it and pass it with --cover")
    try:
        streams = ffmpeg.probe(path).get("streams", [])
    except RecastError as err:
        raise BadInput(f"the cover {path.name} is damaged or not an image ({err}); use another file") from err
    if not streams or streams[0].get("codec_name") != codec or not streams[0].get("width"):
        raise BadInput(f"the cover {path.name} is damaged or not an image; use another JPEG or PNG file")
    return Cover(data=data, mime=mime)


class _ChapterOrderedID3(ID3):
    """ID3 tag that writes CTOC and then the CHAP frames in time order.

    Order: mutagen's priority text frames (TIT2, TPE1, TRCK, TALB, TPOS, TDRC, TCON), CTOC, CHAP frames by
    (start, end, element id), every other frame the way mutagen orders them (size, then HashKey), APIC last.
    """

    _PRIORITY = ("TIT2", "TPE1", "TRCK", "TALB", "TPOS", "TDRC", "TCON")

    def _write(self, config):
        def key(item):
            i, frame, data = item
            fid = frame.FrameID
            if fid in self._PRIORITY:
                return (0, self._PRIORITY.index(fid), 0, "")
            if fid == "CTOC":
                return (1, 0, 0, frame.element_id)
            if fid == "CHAP":
                return (2, frame.start_time, frame.end_time, frame.element_id)
            if fid == "APIC":
                return (4, i, 0, "")
            return (3, len(data), 0, frame.HashKey)

        items = [(i, f, save_frame(f, config=config)) for i, f in enumerate(self.values())]
        data = [d for _i, _f, d in sorted(items, key=key)]
        if self._unknown_v2_version == config.v2_version:
            data.extend(d for d in self.unknown_frames if len(d) > 10)
        return bytearray().join(data)


#: Longest line (UTF-8 bytes) of any tag value. ffmpeg's dump of a file's metadata (libavformat/dump.c)
#: prints each line of a value through a 256-byte buffer and drops the rest, cutting mid-character, so
#: every tool reading ffmpeg's output as UTF-8 text would fail on our files.
MAX_LINE_BYTES = 240
_BREAKS = "。！？；!?;…，,、 "


def _short_lines(text: str, limit: int = MAX_LINE_BYTES) -> str:
    """``text`` with every line broken (at sentence ends, else commas/spaces, else characters) to fit."""
    out: list[str] = []
    for line in text.split("\n"):
        while len(line.encode("utf-8")) > limit:
            cut = _fit_prefix(line, limit)
            at = max(line.rfind(ch, 0, cut) for ch in _BREAKS)
            cut = at + 1 if at >= cut // 2 else cut
            out.append(line[:cut].rstrip())
            line = line[cut:].lstrip()
        out.append(line)
    return "\n".join(out)


def one_line(text: str, limit: int = MAX_LINE_BYTES) -> str:
    """A single-line tag value cut (with an ellipsis) to fit ``limit`` bytes (see :data:`MAX_LINE_BYTES`)."""
    text = " ".join(text.split())
    if len(text.encode("utf-8")) <= limit:
        return text
    return text[:_fit_prefix(text, limit - 3)].rstrip() + "…"


def _fit_prefix(text: str, limit: int) -> int:
    """Number of leading characters of ``text`` whose UTF-8 encoding fits in ``limit`` bytes."""
    size = 0
    for i, ch in enumerate(text):
        size += len(ch.encode("utf-8"))
        if size > limit:
            return max(1, i)
    return len(text)


def _safe(tags: TagData) -> TagData:
    """Tag values whose every line fits ffmpeg's log line (see :data:`MAX_LINE_BYTES`)."""
    from dataclasses import replace

    chapters = tuple(replace(c, title=one_line(c.title)) for c in tags.chapters)
    return replace(tags, title=one_line(tags.title), artist=one_line(tags.artist), album=one_line(tags.album),
                   comment=_short_lines(tags.comment), transcript=_short_lines(tags.transcript),
                   chapters=chapters, toc_title=one_line(tags.toc_title))


def write_id3(path: Path, tags: TagData) -> None:
    """Replace the ID3 tag of an MP3 file with ``tags`` (ID3v2.4, no ID3v1)."""
    tags = _safe(tags)
    id3 = _ChapterOrderedID3()
    id3.add(TIT2(encoding=3, text=[tags.title]))
    if tags.artist:
        id3.add(TPE1(encoding=3, text=[tags.artist]))
    id3.add(TALB(encoding=3, text=[tags.album]))
    if tags.date:
        id3.add(TDRC(encoding=3, text=[tags.date]))
    id3.add(TCON(encoding=3, text=[GENRE]))
    if tags.comment:
        id3.add(COMM(encoding=3, lang=tags.language, desc="", text=[tags.comment]))
    if tags.transcript:
        id3.add(USLT(encoding=3, lang=tags.language, desc="", text=tags.transcript))
    ids = [f"chp{i}" for i in range(len(tags.chapters))]
    if tags.chapters:
        id3.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED, child_element_ids=ids,
                     sub_frames=[TIT2(encoding=3, text=[tags.toc_title])]))
        for eid, chapter in zip(ids, tags.chapters, strict=True):
            id3.add(CHAP(element_id=eid, start_time=int(chapter.start_ms), end_time=int(chapter.end_ms),
                         start_offset=0xFFFFFFFF, end_offset=0xFFFFFFFF,
                         sub_frames=[TIT2(encoding=3, text=[chapter.title])]))
    if tags.cover is not None:
        id3.add(APIC(encoding=3, mime=tags.cover.mime, type=PictureType.COVER_FRONT, desc="Cover",
                     data=tags.cover.data))
    try:
        id3.save(str(path), v1=0, v2_version=4)
    except (OSError, MutagenError) as err:
        raise RecastError(f"cannot write tags into {Path(path).name}: {err}") from err


def write_mp4(path: Path, tags: TagData) -> None:
    """Write iTunes tags into an M4A file (its chapters, written by ffmpeg, are kept)."""
    tags = _safe(tags)
    mp4 = MP4(str(path))
    if mp4.tags is None:
        mp4.add_tags()
    atoms = mp4.tags
    atoms.clear()
    atoms["©nam"] = [tags.title]
    if tags.artist:
        atoms["©ART"] = [tags.artist]
    atoms["©alb"] = [tags.album]
    if tags.date:
        atoms["©day"] = [tags.date]
    atoms["©gen"] = [GENRE]
    if tags.comment:
        atoms["©cmt"] = [tags.comment]
    if tags.transcript:
        atoms["©lyr"] = [tags.transcript]
    if tags.cover is not None:
        fmt = MP4Cover.FORMAT_PNG if tags.cover.mime == "image/png" else MP4Cover.FORMAT_JPEG
        atoms["covr"] = [MP4Cover(tags.cover.data, imageformat=fmt)]
    try:
        mp4.save()
    except (OSError, MutagenError) as err:
        raise RecastError(f"cannot write tags into {Path(path).name}: {err}") from err
