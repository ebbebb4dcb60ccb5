"""Write an edition's files: audio with chapters and tags, the cover, transcripts, chapters JSON, show
notes, and the manifest.

:func:`write_edition` is the one entry point. Writers are small classes in two registries
(``audio.AUDIO_WRITERS`` by format, ``files.TEXT_WRITERS``); every file goes to a temporary name in the
edition folder and is renamed into place; ``episode.json`` (a :class:`pipeline.edition.Manifest`) is written
last and lists every other file. File names and MIME types come from :mod:`pipeline.edition`.
"""

from __future__ import annotations

import platform
import tempfile
from importlib import metadata
from pathlib import Path

from pipeline import __version__, ffmpeg, loudness
from pipeline.edition import (
    AUDIO_FILES,
    COVER_FILES,
    COVER_NAMES,
    ChapterEntry,
    FileEntry,
    Manifest,
    SpeakerEntry,
)
from pipeline.edition import write_manifest as _write_manifest
from pipeline.errors import BadInput
from pipeline.fsutil import atomic_write_bytes, atomic_write_text
from pipeline.lang import iso639_2, label, narrator_name, script_variant
from pipeline.model import NARRATOR_ID, Edition, Master, VoiceSettings
from pipeline.writers.audio import AUDIO_WRITERS, Encoded, write_audio
from pipeline.writers.tags import TagData, load_cover
from pipeline.writers.text import TEXT_WRITERS
from pipeline.writers.transcript import lyrics

__all__ = ["write_edition", "build_manifest", "narrator_name", "AUDIO_WRITERS", "TEXT_WRITERS"]


def write_edition(edition: Edition, master: Master, out_dir: Path, *, formats: tuple[str, ...] = ("mp3", "m4a"),
                  stats: dict, source: dict, extra: dict | None = None, sections: Path | None = None) -> Manifest:
    """Write every file of ``edition`` into ``out_dir``, its audio streamed from ``master`` (brought to
    −16 LUFS on the way into the encoders).

    Audio files of formats not asked for this time (left by an earlier render) are removed, so the folder
    holds exactly what the manifest lists. Returns the manifest (``episode.json``) as written. Raises
    BadInput for an unknown format or a cover that is not a JPEG/PNG image, RecastError when an encoded file
    cannot meet the loudness target.
    """
    formats = tuple(dict.fromkeys(f.lower() for f in formats))
    unknown = [f for f in formats if f not in AUDIO_WRITERS]
    if unknown or not formats:
        raise BadInput(f"audio formats must be among {', '.join(AUDIO_WRITERS)}, not {', '.join(unknown) or 'none'}")
    cover = load_cover(edition.cover) if edition.cover is not None else None
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tag_data = _tag_data(edition, cover)
    with tempfile.TemporaryDirectory(prefix="recast-write-") as tmp:  # the chapters for ffmpeg
        encoded = write_audio(formats, master, out_dir, edition.chapters, tag_data, Path(tmp), store=sections)
    mimes = {f.name: f.mime for f in AUDIO_FILES.values()}
    files = [(e.path, mimes[e.path.name]) for e in encoded]
    stats = {**stats, "sections": {e.path.suffix.lstrip("."): {"total": e.sections, "encoded": e.encoded}
                                   for e in encoded}}
    if cover is not None:  # the episode's artwork beside the audio, for the feed and the site
        name = COVER_NAMES[cover.mime]
        atomic_write_bytes(out_dir / name, cover.data)
        files.append((out_dir / name, cover.mime))
        for other in COVER_FILES:
            if other != name:
                (out_dir / other).unlink(missing_ok=True)
    for cls in TEXT_WRITERS.values():
        writer = cls()
        path = out_dir / writer.name
        atomic_write_text(path, writer.render(edition))
        files.append((path, writer.mime))
    manifest = build_manifest(edition, encoded[0], files, stats=stats, source=source, extra=extra)
    _write_manifest(out_dir, manifest)
    for fmt, cls in AUDIO_WRITERS.items():  # an earlier render's audio in a format not asked for now
        if fmt not in formats:
            (out_dir / cls.name).unlink(missing_ok=True)
    return manifest


def _tag_data(edition: Edition, cover) -> TagData:
    script = edition.script
    comment = edition.summary.intro if edition.summary is not None else script.description
    return TagData(
        title=script.title, artist=", ".join(s.name for s in script.speakers), album=edition.show_title,
        date=script.published.isoformat() if script.published else None, comment=comment.strip(),
        language=iso639_2(script.language), transcript=lyrics(edition), chapters=edition.chapters,
        toc_title=label("chapters", script_variant(script)), cover=cover,
    )


def _voice(v: VoiceSettings) -> dict:
    return {"engine": v.engine, "voice": v.voice, "rate": v.rate, "pitch": v.pitch, "volume": v.volume}


def _versions() -> dict:
    out = {"recast": __version__, "ffmpeg": ffmpeg.version(), "python": platform.python_version()}
    for dist in ("mutagen", "pydub"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = None
    return out


def _turns(edition: Edition) -> list[dict]:
    turns: list[dict] = []
    for p in edition.placements:
        req = p.request
        if req.turn is None or req.speaker == NARRATOR_ID:
            continue
        if turns and turns[-1]["index"] == req.turn:
            turns[-1]["end_ms"] = max(turns[-1]["end_ms"], p.end_ms)
            continue
        turns.append({"index": req.turn, "speaker": req.speaker, "start_ms": p.start_ms, "end_ms": p.end_ms,
                      "chapter": req.chapter})
    return turns


def build_manifest(edition: Edition, measured: Encoded, files: list[tuple[Path, str]], *, stats: dict,
                   source: dict, extra: dict | None = None) -> Manifest:
    """The ``episode.json`` manifest of ``edition`` (its files listed as they are on disk now)."""
    script, cast = edition.script, edition.cast
    return Manifest(
        recast_version=__version__,
        slug=edition.slug,
        title=script.title,
        published=script.published.isoformat() if script.published else None,
        language=script.language,
        description=script.description,
        show=edition.show_title,
        summary=edition.summary.to_dict() if edition.summary is not None else None,
        key_points=tuple(script.key_points),
        source=dict(source),
        engine={"name": edition.engine, "version": edition.engine_version},
        versions=_versions(),
        speakers=tuple(SpeakerEntry(s.id, s.name, s.label, cast.role_of(s.id), _voice(cast.voice_for(s.id)))
                       for s in script.speakers),
        narrator={"name": narrator_name(script_variant(script)), "voice": _voice(cast.narrator)},
        chapters=tuple(ChapterEntry(c.title, c.start_ms, c.end_ms) for c in edition.chapters),
        turns=tuple(_turns(edition)),
        duration_ms=edition.duration_ms,
        loudness={"integrated_lufs": measured.loudness.integrated_lufs,
                  "true_peak_dbtp": measured.loudness.true_peak_dbtp, "lra": measured.loudness.lra,
                  "target_lufs": loudness.TARGET_LUFS, "measured_on": measured.path.name},
        files=tuple(FileEntry.of(path, mime) for path, mime in files),
        stats=dict(stats),
        extra=dict(extra or {}),
    )
