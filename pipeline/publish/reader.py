"""Read and validate an edition folder (``output/<slug>/``) made by ``recast render``, for the feed.

The folder and its manifest are :mod:`pipeline.edition`'s contract: :func:`read_edition` reads the manifest
there (:func:`pipeline.edition.read_manifest`), checks every listed file (present, the listed size, and —
when asked — the listed SHA-256), then returns an :class:`EditionInfo`: exactly what the feed and the site
need, nothing else. An ``EditionInfo``
round-trips through :meth:`EditionInfo.to_dict` / :meth:`EditionInfo.from_dict`, which is how the catalogue
keeps a snapshot of what was published.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from pipeline import edition as contract
from pipeline.edition import MANIFEST_FILE, FileEntry, Manifest, read_manifest
from pipeline.errors import BadInput

_SLUG_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


@dataclass(frozen=True)
class MediaFile:
    """A file of the edition that the feed links to."""

    name: str
    """File name inside the edition folder (ASCII)."""
    bytes: int
    """Exact size in bytes (the enclosure length)."""
    mime: str
    """MIME type written into the feed."""


@dataclass(frozen=True)
class Person:
    """A speaker of the episode (podcast:person)."""

    name: str
    """Display name."""
    role: str
    """``host`` or ``guest``."""


@dataclass(frozen=True)
class ChapterMark:
    """An edition chapter with times."""

    title: str
    """Chapter title."""
    start_ms: int
    """Start in ms."""
    end_ms: int
    """End in ms."""


@dataclass(frozen=True)
class EditionInfo:
    """What publishing needs to know about one edition."""

    slug: str
    """Folder name and catalogue key (ASCII)."""
    title: str
    """Episode title."""
    published: str | None
    """ISO date (``2024-10-22``) of the source, or None."""
    language: str
    """BCP-47 language of the episode."""
    description: str
    """Plain-text summary for the feed's description (source intro, else the spoken summary)."""
    show: str
    """The show name the edition was rendered for."""
    key_points: tuple[str, ...]
    """Key points (summary points, else the source's)."""
    persons: tuple[Person, ...]
    """Speakers with their roles, in script order."""
    chapters: tuple[ChapterMark, ...]
    """Chapters in time order."""
    duration_ms: int
    """Duration of the audio."""
    audio: tuple[MediaFile, ...]
    """Audio files, preferred (mp3) first; never empty."""
    transcripts: tuple[MediaFile, ...]
    """Transcript files present (vtt, srt, json)."""
    chapters_file: MediaFile | None
    """``chapters.json`` when present."""
    cover: MediaFile | None
    """Episode artwork when present."""
    shownotes_html: str
    """Contents of ``shownotes.html`` (may be a whole document), or empty."""
    manifest_sha256: str
    """SHA-256 of ``episode.json`` as read: tells when an edition changed after publishing."""

    def to_dict(self) -> dict:
        """JSON form stored in the catalogue."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> EditionInfo:
        """Inverse of :meth:`to_dict`."""
        d = dict(data)
        d["key_points"] = tuple(d["key_points"])
        d["persons"] = tuple(Person(**p) for p in d["persons"])
        d["chapters"] = tuple(ChapterMark(**c) for c in d["chapters"])
        d["audio"] = tuple(MediaFile(**f) for f in d["audio"])
        d["transcripts"] = tuple(MediaFile(**f) for f in d["transcripts"])
        d["chapters_file"] = MediaFile(**d["chapters_file"]) if d["chapters_file"] else None
        d["cover"] = MediaFile(**d["cover"]) if d["cover"] else None
        return cls(**d)

    @property
    def enclosure(self) -> MediaFile:
        """The one audio file the feed's enclosure points at (mp3 preferred)."""
        return self.audio[0]

    def published_date(self) -> dt.date | None:
        """:attr:`published` as a date."""
        return dt.date.fromisoformat(self.published) if self.published else None


def read_edition(folder: Path, *, verify_hashes: bool = True) -> EditionInfo:
    """Validate the edition in ``folder`` and describe it; any problem → BadInput with one clear line."""
    folder = Path(folder)
    manifest, digest = read_manifest(folder)
    return _parse(folder, manifest, digest, verify_hashes)


def _parse(folder: Path, m: Manifest, manifest_sha: str, verify_hashes: bool) -> EditionInfo:
    where = str(folder / MANIFEST_FILE)
    if m.slug != folder.name:
        raise BadInput(f"{where} is for edition {m.slug!r} but the folder is named {folder.name!r}; "
                       "rename the folder back or render again")
    if not _SLUG_RE.match(m.slug):
        raise BadInput(f"edition slug {m.slug!r} is not an ASCII file name; render the edition again")
    title = m.title.strip()
    if not title:
        raise BadInput(f"{where} has an empty title")
    published = m.published
    if published is not None:
        try:
            published = dt.date.fromisoformat(published[:10]).isoformat()
        except ValueError as err:
            raise BadInput(f"{where}: 'published' is not an ISO date: {published!r}") from err
    if m.duration_ms <= 0:
        raise BadInput(f"{where}: duration_ms must be positive, not {m.duration_ms}")

    files = _listed_files(folder, m.files, verify_hashes)
    audio = tuple(MediaFile(f.name, files[f.name], f.mime) for f in contract.AUDIO_FILES.values() if f.name in files)
    if not audio:
        names = " or ".join(f.name for f in contract.AUDIO_FILES.values())
        raise BadInput(f"{folder} has no {names} listed in {MANIFEST_FILE}; render it again")
    transcripts = tuple(MediaFile(f.name, _size(folder, f.name, files), f.mime) for f in contract.TRANSCRIPTS
                        if (folder / f.name).is_file())
    chapters = contract.CHAPTERS
    chapters_file = (MediaFile(chapters.name, _size(folder, chapters.name, files), chapters.mime)
                     if (folder / chapters.name).is_file() else None)
    cover = next((MediaFile(n, _size(folder, n, files), contract.cover_mime(n))
                  for n in contract.COVER_FILES if (folder / n).is_file()), None)
    notes_path = folder / contract.SHOWNOTES_HTML.name
    try:
        notes = notes_path.read_text("utf-8") if notes_path.is_file() else ""
    except (OSError, UnicodeDecodeError) as err:
        raise BadInput(f"cannot read {notes_path}: {err}") from err

    summary = m.summary or {}
    points = summary.get("points") or m.key_points or []
    description = m.description.strip() or str(summary.get("intro") or "").strip()
    return EditionInfo(
        slug=m.slug, title=title, published=published, language=m.language,
        description=description or title, show=m.show,
        key_points=tuple(str(p) for p in points if str(p).strip()),
        persons=tuple(Person(s.name.strip(), s.role if s.role in ("host", "guest") else "guest")
                      for s in m.speakers),
        chapters=_chapters(m, where), duration_ms=m.duration_ms, audio=audio, transcripts=transcripts,
        chapters_file=chapters_file, cover=cover, shownotes_html=notes, manifest_sha256=manifest_sha,
    )


def _listed_files(folder: Path, entries: tuple[FileEntry, ...], verify_hashes: bool) -> dict[str, int]:
    sizes: dict[str, int] = {}
    for entry in entries:
        path = folder / entry.name
        try:
            actual = path.stat().st_size
        except FileNotFoundError as err:
            raise BadInput(f"{folder.name}/{entry.name} is missing (listed in {MANIFEST_FILE}); render the "
                           "edition again") from err
        if actual != entry.bytes:
            raise BadInput(f"{folder.name}/{entry.name} is {actual} bytes but {MANIFEST_FILE} says {entry.bytes}; "
                           "the edition changed after rendering — render it again")
        if verify_hashes and entry.sha256 and _sha256(path) != entry.sha256.lower():
            raise BadInput(f"{folder.name}/{entry.name} does not match its SHA-256 in {MANIFEST_FILE}; render the "
                           "edition again")
        sizes[entry.name] = entry.bytes
    return sizes


def _size(folder: Path, name: str, listed: dict[str, int]) -> int:
    return listed[name] if name in listed else (folder / name).stat().st_size


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _chapters(m: Manifest, where: str) -> tuple[ChapterMark, ...]:
    out: list[ChapterMark] = []
    for ch in m.chapters:
        mark = ChapterMark(ch.title, ch.start_ms, ch.end_ms)
        if mark.start_ms < 0 or mark.end_ms < mark.start_ms or (out and mark.start_ms < out[-1].start_ms):
            raise BadInput(f"{where}: chapter {mark.title!r} has bad times {mark.start_ms}..{mark.end_ms}")
        out.append(mark)
    return tuple(out)
