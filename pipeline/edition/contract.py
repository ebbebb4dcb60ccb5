"""What an edition folder holds: its files' names and MIME types, and ``episode.json`` as a :class:`Manifest`.

Importing this module loads no third-party library (``recast --help`` reads the audio format names here).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.errors import BadInput

# ---------------------------------------------------------------------------------------------- files


@dataclass(frozen=True)
class EditionFile:
    """One file of an edition, by name and type."""

    name: str
    """File name inside the edition folder (plain ASCII)."""
    mime: str
    """MIME type in ``episode.json`` and the feed."""
    web_mime: str = ""
    """Type for browsers (``<source type>``) and HTTP, when it differs from :attr:`mime`."""

    @property
    def http_type(self) -> str:
        """:attr:`web_mime`, else :attr:`mime`."""
        return self.web_mime or self.mime


MANIFEST_FILE = "episode.json"
#: Audio files by format (``--formats``), in order of preference for the feed's single enclosure. The feed
#: and episode.json use the types of Apple's podcaster RSS guide (.m4a: audio/x-m4a); browsers and HTTP get
#: the registered audio/mp4 (RFC 4337), which every browser's ``canPlayType`` knows.
AUDIO_FILES: dict[str, EditionFile] = {
    "mp3": EditionFile("episode.mp3", "audio/mpeg"),
    "m4a": EditionFile("episode.m4a", "audio/x-m4a", web_mime="audio/mp4"),
}
#: Audio format names (the keys of ``pipeline.writers.audio.AUDIO_WRITERS``; a test keeps them equal).
AUDIO_FORMATS: tuple[str, ...] = tuple(AUDIO_FILES)
CHAPTERS = EditionFile("chapters.json", "application/json+chapters")
"""Podcasting 2.0 JSON chapters."""
TRANSCRIPT_VTT = EditionFile("transcript.vtt", "text/vtt")
TRANSCRIPT_SRT = EditionFile("transcript.srt", "application/x-subrip")
TRANSCRIPT_JSON = EditionFile("transcript.json", "application/json")
#: Transcripts in the order the feed lists them (podcast:transcript).
TRANSCRIPTS = (TRANSCRIPT_VTT, TRANSCRIPT_SRT, TRANSCRIPT_JSON)
SHOWNOTES_MD = EditionFile("shownotes.md", "text/markdown")
SHOWNOTES_HTML = EditionFile("shownotes.html", "text/html")
#: The cover image copied into the edition, by its MIME type.
COVER_NAMES = {"image/jpeg": "cover.jpg", "image/png": "cover.png"}
#: Cover names a folder may hold (``cover.jpeg`` from hand-made folders), in order of preference.
COVER_FILES = ("cover.jpg", "cover.jpeg", "cover.png")
#: Files a render writes that a later render may not write again (other ``--formats``, no cover).
OPTIONAL_FILES = tuple(f.name for f in AUDIO_FILES.values()) + COVER_FILES

_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


def cover_mime(name: str) -> str:
    """MIME type of a cover file by its name."""
    return "image/png" if name.lower().endswith(".png") else "image/jpeg"


# ------------------------------------------------------------------------------------------- manifest


@dataclass(frozen=True)
class FileEntry:
    """A file of the edition as ``episode.json`` lists it."""

    name: str
    """File name inside the edition folder."""
    bytes: int
    """Size in bytes."""
    type: str
    """MIME type."""
    sha256: str
    """SHA-256 of the content (hex; may be empty in hand-made folders)."""

    def to_dict(self) -> dict:
        """The JSON object."""
        return {"name": self.name, "bytes": self.bytes, "type": self.type, "sha256": self.sha256}

    @classmethod
    def of(cls, path: Path, mime: str) -> FileEntry:
        """The entry of the file at ``path`` (size and SHA-256 read from disk)."""
        digest = hashlib.sha256()
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        return cls(Path(path).name, Path(path).stat().st_size, mime, digest.hexdigest())


@dataclass(frozen=True)
class SpeakerEntry:
    """A speaker of the episode with its voice."""

    id: str
    """Speaker id in the script (``s1`` …)."""
    name: str
    """Display name."""
    label: str
    """The label the transcript used."""
    role: str
    """``host`` or ``guest``."""
    voice: Mapping[str, Any]
    """engine, voice, rate, pitch, volume."""

    def to_dict(self) -> dict:
        """The JSON object."""
        return {"id": self.id, "name": self.name, "label": self.label, "role": self.role, "voice": dict(self.voice)}


@dataclass(frozen=True)
class ChapterEntry:
    """A chapter with its times."""

    title: str
    """Chapter title."""
    start_ms: int
    """Start in ms."""
    end_ms: int
    """End in ms."""

    def to_dict(self) -> dict:
        """The JSON object."""
        return {"title": self.title, "start_ms": self.start_ms, "end_ms": self.end_ms}


@dataclass(frozen=True, kw_only=True)
class Manifest:
    """``episode.json``: what an edition holds. Fields are in the file's key order."""

    recast_version: str = ""
    """Recast version that rendered it."""
    slug: str
    """The edition folder's name."""
    title: str
    """Episode title."""
    published: str | None = None
    """ISO date of the source, or None."""
    language: str
    """BCP-47 language of the episode."""
    description: str = ""
    """The source's description (may be empty)."""
    show: str = ""
    """The show the edition was rendered for (album tag)."""
    summary: Mapping[str, Any] | None = None
    """The spoken intro (``Summary.to_dict()``), or None without an intro."""
    key_points: tuple[str, ...] = ()
    """The source's key points."""
    source: Mapping[str, Any] = field(default_factory=dict)
    """path, format, encoding and sha256 of the transcript."""
    engine: Mapping[str, Any] = field(default_factory=dict)
    """Speech engine name and version."""
    versions: Mapping[str, Any] = field(default_factory=dict)
    """Versions of Recast, ffmpeg, Python and the libraries that shaped the bytes."""
    speakers: tuple[SpeakerEntry, ...] = ()
    """Speakers in script order."""
    narrator: Mapping[str, Any] = field(default_factory=dict)
    """The narrator's name and voice."""
    chapters: tuple[ChapterEntry, ...] = ()
    """Chapters in time order."""
    turns: tuple[Mapping[str, Any], ...] = ()
    """Spoken turns: index, speaker, start_ms, end_ms, chapter."""
    duration_ms: int
    """Duration of the audio."""
    loudness: Mapping[str, Any] = field(default_factory=dict)
    """Measured loudness of the first audio file and the target."""
    files: tuple[FileEntry, ...]
    """Every other file of the folder."""
    stats: Mapping[str, Any] = field(default_factory=dict)
    """Requests, cache hits, sections and stage timings of the render."""
    extra: Mapping[str, Any] = field(default_factory=dict)
    """Further top-level keys, written after :attr:`stats` (e.g. ``speaker_gains_db``)."""

    def to_dict(self) -> dict:
        """The JSON object, keys in the file's order."""
        out: dict[str, Any] = {
            "recast_version": self.recast_version, "slug": self.slug, "title": self.title,
            "published": self.published, "language": self.language, "description": self.description,
            "show": self.show, "summary": dict(self.summary) if self.summary is not None else None,
            "key_points": list(self.key_points), "source": dict(self.source), "engine": dict(self.engine),
            "versions": dict(self.versions), "speakers": [s.to_dict() for s in self.speakers],
            "narrator": dict(self.narrator), "chapters": [c.to_dict() for c in self.chapters],
            "turns": [dict(t) for t in self.turns], "duration_ms": self.duration_ms,
            "loudness": dict(self.loudness), "files": [f.to_dict() for f in self.files], "stats": dict(self.stats),
        }
        for key, value in self.extra.items():
            out.setdefault(key, value)
        return out

    def to_json(self) -> str:
        """The text of ``episode.json``."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, where: str = MANIFEST_FILE) -> Manifest:
        """Inverse of :meth:`to_dict`; a missing or mistyped field → BadInput naming it (``where`` says where)."""
        if not isinstance(data, Mapping):
            raise BadInput(f"{where} is corrupt (not a JSON object); render the edition again")
        return cls(
            recast_version=str(data.get("recast_version") or ""),
            slug=_need(data, "slug", str, where), title=_need(data, "title", str, where),
            published=_published(data.get("published"), where),
            language=_need(data, "language", str, where), description=str(data.get("description") or ""),
            show=str(data.get("show") or ""),
            summary=data["summary"] if isinstance(data.get("summary"), Mapping) else None,
            key_points=tuple(str(p) for p in _list(data, "key_points", where)),
            source=_map(data, "source"), engine=_map(data, "engine"), versions=_map(data, "versions"),
            speakers=tuple(_speaker(s, where) for s in _list(data, "speakers", where)),
            narrator=_map(data, "narrator"),
            chapters=tuple(_chapter(c, where) for c in _list(data, "chapters", where)),
            turns=tuple(t for t in _list(data, "turns", where) if isinstance(t, Mapping)),
            duration_ms=_need(data, "duration_ms", int, where), loudness=_map(data, "loudness"),
            files=tuple(_file(f, where) for f in _need(data, "files", list, where)),
            stats=_map(data, "stats"),
            extra={k: v for k, v in data.items() if k not in _KEYS},
        )

    def file_names(self) -> list[str]:
        """Names of the listed files, in order."""
        return [f.name for f in self.files]

    def speaker_names(self) -> dict[str, str]:
        """Display names by speaker id, the narrator's under ``narrator``."""
        names = {s.id: s.name for s in self.speakers if s.id and s.name}
        if self.narrator.get("name"):
            names["narrator"] = str(self.narrator["name"])
        return names


_KEYS = ("recast_version", "slug", "title", "published", "language", "description", "show", "summary",
         "key_points", "source", "engine", "versions", "speakers", "narrator", "chapters", "turns", "duration_ms",
         "loudness", "files", "stats")


def _need(data: Mapping, key: str, kind: type, where: str):
    if key not in data:
        raise BadInput(f"{where} lacks {key!r}; render the edition again")
    value = data[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise BadInput(f"{where}: {key!r} has the wrong type ({type(value).__name__})")
    return value


def _published(value: object, where: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise BadInput(f"{where}: 'published' must be an ISO date or null")
    return value


def _list(data: Mapping, key: str, where: str) -> list:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise BadInput(f"{where}: {key!r} must be a list")
    return value


def _map(data: Mapping, key: str) -> dict:
    value = data.get(key)
    return dict(value) if isinstance(value, Mapping) else {}


def _speaker(sp: object, where: str) -> SpeakerEntry:
    if not isinstance(sp, Mapping) or not str(sp.get("name") or "").strip():
        raise BadInput(f"{where}: every speaker needs a name")
    voice = sp.get("voice")
    return SpeakerEntry(str(sp.get("id") or ""), str(sp["name"]), str(sp.get("label") or ""),
                        str(sp.get("role") or ""), dict(voice) if isinstance(voice, Mapping) else {})


def _chapter(ch: object, where: str) -> ChapterEntry:
    try:
        return ChapterEntry(str(ch["title"]), int(ch["start_ms"]), int(ch["end_ms"]))  # type: ignore[index]
    except (TypeError, KeyError, ValueError) as err:
        raise BadInput(f"{where}: every chapter needs title, start_ms and end_ms") from err


def _file(entry: object, where: str) -> FileEntry:
    if not isinstance(entry, Mapping) or not isinstance(entry.get("name"), str):
        raise BadInput(f"{where}: every entry of 'files' needs a name")
    name = entry["name"]
    if not _NAME_RE.match(name):
        raise BadInput(f"{where}: file name {name!r} is not a plain ASCII name in the edition folder")
    size = entry.get("bytes")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise BadInput(f"{where}: file {name} has no valid 'bytes'")
    digest = entry.get("sha256")
    return FileEntry(name, size, str(entry.get("type") or ""), digest if isinstance(digest, str) else "")


def read_manifest(folder: Path) -> tuple[Manifest, str]:
    """The manifest of the edition in ``folder`` and the SHA-256 of its bytes; any problem → BadInput."""
    folder = Path(folder)
    if not folder.is_dir():
        raise BadInput(f"{folder} is not an edition folder; give the folder `recast render` made, "
                       "e.g. output/<slug>/")
    path = folder / MANIFEST_FILE
    try:
        raw = path.read_bytes()
    except FileNotFoundError as err:
        raise BadInput(f"{folder} has no {MANIFEST_FILE}; render the edition first (recast render …)") from err
    except OSError as err:
        raise BadInput(f"cannot read {path}: {err.strerror or err}") from err
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise BadInput(f"{path} is corrupt ({err}); render the edition again") from err
    return Manifest.from_dict(data, where=str(path)), hashlib.sha256(raw).hexdigest()


def write_manifest(folder: Path, manifest: Manifest) -> None:
    """Write ``episode.json`` into ``folder`` atomically."""
    from pipeline.fsutil import atomic_write_text

    atomic_write_text(Path(folder) / MANIFEST_FILE, manifest.to_json())
