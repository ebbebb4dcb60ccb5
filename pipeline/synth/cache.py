"""Content-addressed cache of synthesized clips, safe for several renders sharing it at once.

Key: sha256 over (cache format, engine name, engine version, voice, rate, pitch, volume, lang, prepared
text). Layout: ``root/<key[:2]>/<key>.<fmt>`` plus ``<key>.json``, the sidecar holding sentences,
duration, format, size and the audio's sha256. Writes go to a temp name in the same folder, are fsynced
and renamed into place: audio first, sidecar last — the sidecar is the commit marker. A reader checks
the sidecar and the audio's checksum; a corrupt or partial entry is deleted and treated as a miss.
Two processes writing one key write identical content, so either rename wins harmlessly.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.errors import OutputError
from pipeline.fsutil import fsync_dir
from pipeline.model import Clip, Request, SentenceTiming, Synthesis

if TYPE_CHECKING:
    from pipeline.synth.engines import Engine

FORMAT_VERSION = 1
"""Bump when the sidecar layout or the meaning of cached audio changes."""
STALE_SECONDS = 15 * 60
"""Temp files and sidecar-less audio older than this are leftovers of killed runs."""
_TMP = ".tmp"


def cache_key(request: Request, engine: Engine) -> str:
    """The content address of a request's audio for an engine."""
    v = request.voice
    parts = [FORMAT_VERSION, engine.name, engine.version, v.voice, v.rate, v.pitch, v.volume, request.lang,
             request.text]
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode("utf-8")).hexdigest()


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}{_TMP}")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


class ClipCache:
    """Clips on disk under ``root`` (the caller picks it, by default ``output/.cache``)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def paths(self, key: str, fmt: str) -> tuple[Path, Path]:
        """(audio path, sidecar path) of a key."""
        folder = self.root / key[:2]
        return folder / f"{key}.{fmt}", folder / f"{key}.json"

    # -------------------------------------------------------------------------------------- read

    def get(self, request: Request, engine: Engine) -> Clip | None:
        """The cached clip for a request, or None (a damaged entry is removed and counts as a miss)."""
        key = cache_key(request, engine)
        folder = self.root / key[:2]
        sidecar = folder / f"{key}.json"
        try:
            meta = json.loads(sidecar.read_bytes())
        except FileNotFoundError:
            self._drop_orphans(folder, key)
            return None
        except (OSError, ValueError):
            self._discard(folder, key)
            return None
        try:
            fmt = meta["format"]
            if meta["key"] != key or meta["version"] != FORMAT_VERSION or fmt not in ("mp3", "wav"):
                raise ValueError("sidecar does not match")
            audio_path = folder / f"{key}.{fmt}"
            data = audio_path.read_bytes()
            if len(data) != meta["size"] or hashlib.sha256(data).hexdigest() != meta["sha256"]:
                raise ValueError("audio does not match its checksum")
            sentences = tuple(SentenceTiming(t, int(s), int(e)) for t, s, e in meta["sentences"])
            duration = int(meta["duration_ms"])
        except (OSError, ValueError, KeyError, TypeError):
            self._discard(folder, key)
            return None
        return Clip(request=request, path=audio_path, format=fmt, duration_ms=duration, sentences=sentences,
                    cached=True)

    # ------------------------------------------------------------------------------------- write

    def put(self, request: Request, engine: Engine, synthesis: Synthesis) -> Clip:
        """Store a synthesis (audio, then the sidecar that commits it) and return its clip."""
        key = cache_key(request, engine)
        audio_path, sidecar = self.paths(key, synthesis.format)
        meta = {
            "version": FORMAT_VERSION, "key": key, "format": synthesis.format,
            "duration_ms": synthesis.duration_ms, "size": len(synthesis.audio),
            "sha256": hashlib.sha256(synthesis.audio).hexdigest(),
            "sentences": [[s.text, s.start_ms, s.end_ms] for s in synthesis.sentences],
            "engine": engine.name, "engine_version": engine.version, "voice": request.voice.voice,
            "rate": request.voice.rate, "pitch": request.voice.pitch, "volume": request.voice.volume,
            "lang": request.lang, "text": request.text,
        }
        try:
            audio_path.parent.mkdir(parents=True, exist_ok=True)
            self._clean_stale(audio_path.parent)
            _write_atomic(audio_path, synthesis.audio)
            _write_atomic(sidecar, json.dumps(meta, ensure_ascii=False, indent=1).encode("utf-8"))
            fsync_dir(audio_path.parent)
        except OSError as err:
            advice = ("free some space or pass another --cache-dir" if err.errno in (errno.ENOSPC, errno.EDQUOT)
                      else "pass another --cache-dir")
            raise OutputError(f"cannot write the clip cache in {self.root} ({err.strerror or err}); {advice}") from err
        return Clip(request=request, path=audio_path, format=synthesis.format,
                    duration_ms=synthesis.duration_ms, sentences=synthesis.sentences, cached=False)

    # ----------------------------------------------------------------------------------- cleanup

    def _discard(self, folder: Path, key: str) -> None:
        """Remove a damaged entry (sidecar first, so no reader trusts the audio meanwhile)."""
        for path in [folder / f"{key}.json", *folder.glob(f"{key}.*")]:
            with contextlib.suppress(OSError):
                path.unlink()

    def _drop_orphans(self, folder: Path, key: str) -> None:
        """Audio without a sidecar: another process may be committing it now; old ones are leftovers."""
        limit = time.time() - STALE_SECONDS
        for path in folder.glob(f"{key}.*") if folder.is_dir() else ():
            with contextlib.suppress(OSError):
                if path.stat().st_mtime < limit:
                    path.unlink()

    def _clean_stale(self, folder: Path) -> None:
        """Delete temp files of killed runs in one bucket folder."""
        limit = time.time() - STALE_SECONDS
        for path in folder.glob(f".*{_TMP}"):
            with contextlib.suppress(OSError):
                if path.stat().st_mtime < limit:
                    path.unlink()

    def clean_stale(self) -> int:
        """Delete leftovers of killed runs everywhere in the cache; return how many files went."""
        count = 0
        limit = time.time() - STALE_SECONDS
        for path in self.root.glob(f"??/.*{_TMP}"):
            with contextlib.suppress(OSError):
                if path.stat().st_mtime < limit:
                    path.unlink()
                    count += 1
        return count
