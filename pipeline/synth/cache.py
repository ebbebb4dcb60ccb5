"""The cache of synthesized clips: a :class:`pipeline.store.Store`, safe for several renders sharing it at once.

Key: sha256 over (cache format, engine name, engine version, voice, rate, pitch, volume, lang, prepared
text). Layout: ``root/<key[:2]>/<key>.<fmt>`` plus ``<key>.json``, the sidecar holding sentences,
duration, format, size and the audio's sha256 (written last: it commits the entry). A corrupt or partial
entry is deleted and treated as a miss.
"""

from __future__ import annotations

import errno
import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.errors import OutputError
from pipeline.model import Clip, Request, SentenceTiming, Synthesis
from pipeline.store import Store

if TYPE_CHECKING:
    from pipeline.synth.engines import Engine

FORMAT_VERSION = 1
"""Bump when the sidecar layout or the meaning of cached audio changes."""


def cache_key(request: Request, engine: Engine) -> str:
    """The content address of a request's audio for an engine."""
    v = request.voice
    parts = [FORMAT_VERSION, engine.name, engine.version, v.voice, v.rate, v.pitch, v.volume, request.lang,
             request.text]
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode("utf-8")).hexdigest()


class ClipCache:
    """Clips on disk under ``root`` (the caller picks it, by default ``output/.cache``)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.store = Store(self.root, buckets=True, indent=1)

    def paths(self, key: str, fmt: str) -> tuple[Path, Path]:
        """(audio path, sidecar path) of a key."""
        return self.store.path(key, fmt), self.store.sidecar(key, fmt)

    def get(self, request: Request, engine: Engine) -> Clip | None:
        """The cached clip for a request, or None (a damaged entry is removed and counts as a miss)."""
        key = cache_key(request, engine)
        entry = self.store.get(key)
        if entry is None:
            return None
        meta = entry.meta
        try:
            if meta["key"] != key or meta["version"] != FORMAT_VERSION or meta["format"] not in ("mp3", "wav"):
                raise ValueError("sidecar does not match")
            sentences = tuple(SentenceTiming(t, int(s), int(e)) for t, s, e in meta["sentences"])
            duration = int(meta["duration_ms"])
        except (ValueError, KeyError, TypeError):
            self.store.discard(key)
            return None
        return Clip(request=request, path=entry.path, format=meta["format"], duration_ms=duration,
                    sentences=sentences, cached=True)

    def put(self, request: Request, engine: Engine, synthesis: Synthesis) -> Clip:
        """Store a synthesis (audio, then the sidecar that commits it) and return its clip."""
        key = cache_key(request, engine)
        meta = {
            "version": FORMAT_VERSION, "key": key, "format": synthesis.format,
            "duration_ms": synthesis.duration_ms,
            "sentences": [[s.text, s.start_ms, s.end_ms] for s in synthesis.sentences],
            "engine": engine.name, "engine_version": engine.version, "voice": request.voice.voice,
            "rate": request.voice.rate, "pitch": request.voice.pitch, "volume": request.voice.volume,
            "lang": request.lang, "text": request.text,
        }
        try:
            audio_path = self.store.put(key, synthesis.format, synthesis.audio, meta)
        except (OSError, OutputError) as failure:
            err = failure if isinstance(failure, OSError) else failure.__cause__
            if not isinstance(err, OSError):
                raise
            advice = ("free some space or pass another --cache-dir" if err.errno in (errno.ENOSPC, errno.EDQUOT)
                      else "pass another --cache-dir")
            raise OutputError(f"cannot write the clip cache in {self.root} ({err.strerror or err}); {advice}") from err
        return Clip(request=request, path=audio_path, format=synthesis.format,
                    duration_ms=synthesis.duration_ms, sentences=synthesis.sentences, cached=False)

    def clean_stale(self) -> int:
        """Delete leftovers of killed runs everywhere in the cache; return how many files went."""
        return self.store.sweep()
