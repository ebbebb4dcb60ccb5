"""Read and validate an edition folder (``output/<slug>/``) made by ``recast render``.

The folder holds ``episode.json`` (the manifest) beside the files it lists. :func:`read_edition` checks the
manifest and every listed file (present, the listed size, and — when asked — the listed SHA-256), then
returns an :class:`EditionInfo`: exactly what the feed and the site need, nothing else. An ``EditionInfo``
round-trips through :meth:`EditionInfo.to_dict` / :meth:`EditionInfo.from_dict`, which is how the catalogue
keeps a snapshot of what was published.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from pipeline.errors import BadInput

MANIFEST = "episode.json"
#: Audio files in order of preference for the feed's single enclosure.
AUDIO_FILES = (("episode.mp3", "audio/mpeg"), ("episode.m4a", "audio/x-m4a"))
#: Transcript files and their MIME types (Podcasting 2.0 podcast:transcript).
TRANSCRIPT_FILES = (("transcript.vtt", "text/vtt"), ("transcript.srt", "application/x-subrip"),
                    ("transcript.json", "application/json"))
CHAPTERS_FILE = "chapters.json"
COVER_FILES = ("cover.jpg", "cover.jpeg", "cover.png")
_SLUG_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


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
    if not folder.is_dir():
        raise BadInput(f"{folder} is not an edition folder; give the folder `recast render` made, "
                       "e.g. output/<slug>/")
    manifest_path = folder / MANIFEST
    try:
        raw = manifest_path.read_bytes()
    except FileNotFoundError as err:
        raise BadInput(f"{folder} has no {MANIFEST}; render the edition first (recast render …)") from err
    except OSError as err:
        raise BadInput(f"cannot read {manifest_path}: {err.strerror or err}") from err
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise BadInput(f"{manifest_path} is corrupt ({err}); render the edition again") from err
    if not isinstance(data, dict):
        raise BadInput(f"{manifest_path} is corrupt (not a JSON object); render the edition again")
    return _parse(folder, data, hashlib.sha256(raw).hexdigest(), verify_hashes)


def _parse(folder: Path, data: dict, manifest_sha: str, verify_hashes: bool) -> EditionInfo:
    where = str(folder / MANIFEST)

    def need(key: str, kind: type | tuple[type, ...]):
        if key not in data:
            raise BadInput(f"{where} lacks {key!r}; render the edition again")
        value = data[key]
        if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
            raise BadInput(f"{where}: {key!r} has the wrong type ({type(value).__name__})")
        return value

    slug = need("slug", str)
    if slug != folder.name:
        raise BadInput(f"{where} is for edition {slug!r} but the folder is named {folder.name!r}; "
                       "rename the folder back or render again")
    if not _SLUG_RE.match(slug):
        raise BadInput(f"edition slug {slug!r} is not an ASCII file name; render the edition again")
    title = need("title", str).strip()
    if not title:
        raise BadInput(f"{where} has an empty title")
    published = data.get("published")
    if published is not None:
        if not isinstance(published, str):
            raise BadInput(f"{where}: 'published' must be an ISO date or null")
        try:
            published = dt.date.fromisoformat(published[:10]).isoformat()
        except ValueError as err:
            raise BadInput(f"{where}: 'published' is not an ISO date: {published!r}") from err
    language = need("language", str)
    duration_ms = need("duration_ms", int)
    if duration_ms <= 0:
        raise BadInput(f"{where}: duration_ms must be positive, not {duration_ms}")

    files = _listed_files(folder, need("files", list), where, verify_hashes)
    audio = tuple(MediaFile(n, files[n], mime) for n, mime in AUDIO_FILES if n in files)
    if not audio:
        raise BadInput(f"{folder} has no episode.mp3 or episode.m4a listed in {MANIFEST}; render it again")
    transcripts = tuple(MediaFile(n, _size(folder, n, files), mime) for n, mime in TRANSCRIPT_FILES
                        if (folder / n).is_file())
    chapters_file = (MediaFile(CHAPTERS_FILE, _size(folder, CHAPTERS_FILE, files), "application/json+chapters")
                     if (folder / CHAPTERS_FILE).is_file() else None)
    cover = next((MediaFile(n, _size(folder, n, files), "image/png" if n.endswith("png") else "image/jpeg")
                  for n in COVER_FILES if (folder / n).is_file()), None)
    notes_path = folder / "shownotes.html"
    try:
        notes = notes_path.read_text("utf-8") if notes_path.is_file() else ""
    except (OSError, UnicodeDecodeError) as err:
        raise BadInput(f"cannot read {notes_path}: {err}") from err

    summary = data.get("summary") if isinstance(data.get("summary"), dict) else {}
    points = summary.get("points") or data.get("key_points") or []
    description = str(data.get("description") or "").strip() or str(summary.get("intro") or "").strip()
    return EditionInfo(
        slug=slug, title=title, published=published, language=language,
        description=description or title, show=str(data.get("show") or ""),
        key_points=tuple(str(p) for p in points if str(p).strip()),
        persons=_persons(data.get("speakers"), where), chapters=_chapters(data.get("chapters"), where),
        duration_ms=duration_ms, audio=audio, transcripts=transcripts, chapters_file=chapters_file,
        cover=cover, shownotes_html=notes, manifest_sha256=manifest_sha,
    )


def _listed_files(folder: Path, entries: list, where: str, verify_hashes: bool) -> dict[str, int]:
    sizes: dict[str, int] = {}
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise BadInput(f"{where}: every entry of 'files' needs a name")
        name = entry["name"]
        if not _NAME_RE.match(name):
            raise BadInput(f"{where}: file name {name!r} is not a plain ASCII name in the edition folder")
        size = entry.get("bytes")
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise BadInput(f"{where}: file {name} has no valid 'bytes'")
        path = folder / name
        try:
            actual = path.stat().st_size
        except FileNotFoundError as err:
            raise BadInput(f"{folder.name}/{name} is missing (listed in {MANIFEST}); render the edition "
                           "again") from err
        if actual != size:
            raise BadInput(f"{folder.name}/{name} is {actual} bytes but {MANIFEST} says {size}; the edition "
                           "changed after rendering — render it again")
        digest = entry.get("sha256")
        if verify_hashes and isinstance(digest, str) and digest and _sha256(path) != digest.lower():
            raise BadInput(f"{folder.name}/{name} does not match its SHA-256 in {MANIFEST}; render the "
                           "edition again")
        sizes[name] = size
    return sizes


def _size(folder: Path, name: str, listed: dict[str, int]) -> int:
    return listed[name] if name in listed else (folder / name).stat().st_size


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _persons(speakers: object, where: str) -> tuple[Person, ...]:
    if speakers is None:
        return ()
    if not isinstance(speakers, list):
        raise BadInput(f"{where}: 'speakers' must be a list")
    out = []
    for sp in speakers:
        if not isinstance(sp, dict) or not str(sp.get("name") or "").strip():
            raise BadInput(f"{where}: every speaker needs a name")
        role = sp.get("role") if sp.get("role") in ("host", "guest") else "guest"
        out.append(Person(str(sp["name"]).strip(), role))
    return tuple(out)


def _chapters(chapters: object, where: str) -> tuple[ChapterMark, ...]:
    if chapters is None:
        return ()
    if not isinstance(chapters, list):
        raise BadInput(f"{where}: 'chapters' must be a list")
    out = []
    for ch in chapters:
        try:
            mark = ChapterMark(str(ch["title"]), int(ch["start_ms"]), int(ch["end_ms"]))
        except (TypeError, KeyError, ValueError) as err:
            raise BadInput(f"{where}: every chapter needs title, start_ms and end_ms") from err
        if mark.start_ms < 0 or mark.end_ms < mark.start_ms or (out and mark.start_ms < out[-1].start_ms):
            raise BadInput(f"{where}: chapter {mark.title!r} has bad times {mark.start_ms}..{mark.end_ms}")
        out.append(mark)
    return tuple(out)
