"""A content-addressed store of files kept between renders: the clip cache (``output/.cache``) and each
edition's section store (``output/.sections/<edition>``).

An entry is a file named by its key (the sha256 hex digest of what made it), ``<key>.<ext>``, and a JSON
sidecar beside it — ``<key>.json``, or ``<key>.<ext>.json`` in a store of several files per key — holding the
file's size and sha256 and what the caller keeps with it. Each is written to a temporary name and renamed
into place (:func:`pipeline.fsutil.atomic_path`), the file first and the sidecar last: the sidecar commits
the entry. A reader trusts a file only when its sidecar is sound and its bytes match it; anything else is
not there (and is removed).

There is no lock: two processes writing one key write the same bytes, so either rename wins harmlessly
(renders of one edition are serialized by the edition's lock). Temporary files of killed runs are removed
once they are :data:`STALE_SECONDS` old: a younger one may be another process's write in progress.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.fsutil import TMP_PREFIX, atomic_path, atomic_write_bytes

STALE_SECONDS = 15 * 60
"""Temporary files and sidecar-less files older than this are leftovers of killed runs."""
#: Files of a store: entries and sidecars, temporary files (:func:`atomic_path`'s, and those of earlier
#: versions: ``.<name>.<pid>[.<random>].tmp``). Pruning and sweeping touch no other file.
_ENTRY = re.compile(r"^[0-9a-f]{64}\.")
_TEMP = re.compile(rf"^({re.escape(TMP_PREFIX)}.*|\..+\.tmp)$")


@dataclass(frozen=True)
class Entry:
    """A file found whole in a store."""

    path: Path
    """The file."""
    meta: dict
    """Its sidecar: ``size``, ``sha256`` and what the caller stored with it."""


@dataclass
class Pending:
    """A file being added (see :meth:`Store.adding`)."""

    tmp: Path
    """Where to write it."""
    meta: dict = field(default_factory=dict)
    """What to keep in its sidecar with its size and sha256."""


class Store:
    """Entries under ``root``; with ``buckets``, in folders named by their key's first two digits; with
    ``sidecar_per_file``, a sidecar per file (``<key>.<ext>.json``) rather than per key."""

    def __init__(self, root: Path, *, buckets: bool = False, sidecar_per_file: bool = False,
                 indent: int | None = None) -> None:
        self.root = Path(root)
        self.buckets = buckets
        self.sidecar_per_file = sidecar_per_file
        self.indent = indent
        """Indentation of the sidecars' JSON (None: one line)."""

    def folder(self, key: str) -> Path:
        return self.root / key[:2] if self.buckets else self.root

    def path(self, key: str, ext: str) -> Path:
        """Where the entry ``key`` with suffix ``ext`` lies (whether or not it is there)."""
        return self.folder(key) / f"{key}.{ext}"

    def sidecar(self, key: str, ext: str) -> Path:
        return self.folder(key) / (f"{key}.{ext}.json" if self.sidecar_per_file else f"{key}.json")

    # ------------------------------------------------------------------------------------------ read

    def get(self, key: str, ext: str | None = None) -> Entry | None:
        """The entry ``key`` when it is whole, else None (a damaged entry is removed). Without ``ext``
        (a store of one file per key), the file's suffix is its sidecar's ``format``."""
        sidecar = self.sidecar(key, ext or "")
        try:
            meta = json.loads(sidecar.read_bytes())
        except FileNotFoundError:
            self._drop_orphans(key, ext)
            return None
        except (OSError, ValueError):
            self.discard(key, ext)
            return None
        try:
            path = self.path(key, ext or meta["format"])
            data = path.read_bytes()
            if len(data) != meta["size"] or hashlib.sha256(data).hexdigest() != meta["sha256"]:
                raise ValueError("the file does not match its sidecar")
        except (OSError, ValueError, KeyError, TypeError):
            self.discard(key, ext)
            return None
        return Entry(path, meta)

    # ----------------------------------------------------------------------------------------- write

    def put(self, key: str, ext: str, data: bytes, meta: dict) -> Path:
        """Store ``data`` as the entry ``key`` (``meta`` in its sidecar, after its size and sha256)."""
        with self.adding(key, ext) as pending:
            pending.tmp.write_bytes(data)
            pending.meta.update(meta)
        return self.path(key, ext)

    @contextlib.contextmanager
    def adding(self, key: str, ext: str) -> Iterator[Pending]:
        """Yield a :class:`Pending` for the caller to write the entry's file into (and to fill its sidecar's
        ``meta``); on success the file is renamed into place, then its sidecar written. On an exception
        nothing is left behind. OSErrors become :class:`~pipeline.errors.OutputError` (from ``fsutil``)."""
        path = self.path(key, ext)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.sweep(path.parent)
        with atomic_path(path) as tmp:
            pending = Pending(tmp)
            yield pending
            hashed, size = hashlib.sha256(), 0
            with open(tmp, "rb") as f:
                while block := f.read(1 << 20):
                    hashed.update(block)
                    size += len(block)
        meta = {"size": size, "sha256": hashed.hexdigest(), **pending.meta}
        atomic_write_bytes(self.sidecar(key, ext), json.dumps(meta, ensure_ascii=False, indent=self.indent).encode("utf-8"))

    # --------------------------------------------------------------------------------------- cleanup

    def discard(self, key: str, ext: str | None = None) -> None:
        """Remove an entry (its sidecar first, so that no reader trusts the file meanwhile)."""
        folder = self.folder(key)
        paths = [self.sidecar(key, ext), self.path(key, ext)] if ext else [self.sidecar(key, ""),
                                                                           *folder.glob(f"{key}.*")]
        for path in paths:
            with contextlib.suppress(OSError):
                path.unlink()

    def _drop_orphans(self, key: str, ext: str | None) -> None:
        """A file without a sidecar: another process may be committing it now; old ones are leftovers."""
        folder = self.folder(key)
        limit = time.time() - STALE_SECONDS
        for path in ([self.path(key, ext)] if ext else folder.glob(f"{key}.*") if folder.is_dir() else ()):
            with contextlib.suppress(OSError):
                if path.stat().st_mtime < limit:
                    path.unlink()

    def sweep(self, folder: Path | None = None) -> int:
        """Remove the temporary files of killed runs (older than STALE_SECONDS) in ``folder`` (in every
        folder of the store when None); return how many went."""
        folders = [folder] if folder is not None else (
            [p for p in self.root.glob("??") if p.is_dir()] if self.buckets else [self.root])
        count = 0
        limit = time.time() - STALE_SECONDS
        for where in folders:
            for path in where.iterdir() if where.is_dir() else ():
                with contextlib.suppress(OSError):
                    if _TEMP.match(path.name) and path.stat().st_mtime < limit:
                        path.unlink()
                        count += 1
        return count

    def prune(self, used: set[str]) -> None:
        """Remove every file of the store's root but those named in ``used`` (entries of earlier versions of
        what it holds, temporary files): for a store whose one user holds a lock on it."""
        for entry in self.root.iterdir():
            if entry.name not in used and (_ENTRY.match(entry.name) or _TEMP.match(entry.name)) and entry.is_file():
                with contextlib.suppress(OSError):
                    entry.unlink()
