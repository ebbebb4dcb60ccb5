"""The show's episode catalogue: ``show.sqlite`` beside the editions (stdlib sqlite3, WAL, versioned schema).

One row per published episode, keyed by slug, holding what must stay stable across re-publishing — the
guid, the pubDate, the episode number — and a snapshot of the edition as published (so the feed can still be
written if an edition folder later goes missing). Feed-wide values (base URL, podcast:guid, show file path)
live in ``meta``. Writers hold SQLite's write lock for the whole publish (``BEGIN IMMEDIATE``), so two
``recast publish`` runs on one folder queue up instead of interleaving feed writes.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import BadInput, OutputError
from pipeline.publish.reader import EditionInfo
from pipeline.publish.show import SHOW_FILE, load_show

CATALOGUE_FILE = "show.sqlite"
SCHEMA_VERSION = 1

_MIGRATIONS: dict[int, str] = {
    1: """
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE episodes (
        slug            TEXT PRIMARY KEY,
        guid            TEXT NOT NULL UNIQUE,
        seq             INTEGER NOT NULL UNIQUE,   -- publish order (first publish), never reused
        number          INTEGER,                   -- itunes:episode, NULL when not numbered
        season          INTEGER,                   -- itunes:season, NULL when not set
        pub_date        TEXT NOT NULL,             -- ISO 8601 UTC, e.g. 2024-10-22T12:00:00+00:00
        first_published TEXT NOT NULL,             -- ISO 8601 UTC wall-clock time of the first publish
        updated         TEXT NOT NULL,             -- ISO 8601 UTC wall-clock time of the last change
        snapshot        TEXT NOT NULL              -- EditionInfo.to_dict() as JSON
    );
    """,
}


@dataclass(frozen=True)
class EpisodeRow:
    """One published episode as the catalogue stores it."""

    slug: str
    """Edition folder name."""
    guid: str
    """RSS guid, fixed on first publish."""
    seq: int
    """Publish order."""
    number: int | None
    """itunes:episode, or None."""
    season: int | None
    """itunes:season, or None."""
    pub_date: str
    """ISO 8601 UTC publication time."""
    first_published: str
    """When it was first published (ISO 8601 UTC)."""
    updated: str
    """When its row last changed (ISO 8601 UTC)."""
    edition: EditionInfo
    """The edition as last published or refreshed."""


class Catalogue:
    """An open ``show.sqlite``. Use :func:`open_catalogue`."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path

    # ------------------------------------------------------------------------------------------- meta

    def meta(self, key: str) -> str | None:
        """A feed-wide value, or None."""
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        """Store a feed-wide value."""
        self.conn.execute("INSERT INTO meta(key, value) VALUES(?, ?) "
                          "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))

    # --------------------------------------------------------------------------------------- episodes

    def episodes(self) -> list[EpisodeRow]:
        """Every episode, newest first (pubDate, then publish order)."""
        rows = self.conn.execute("SELECT slug, guid, seq, number, season, pub_date, first_published, updated, "
                                 "snapshot FROM episodes ORDER BY pub_date DESC, seq DESC").fetchall()
        return [_row(r, self.path) for r in rows]

    def find(self, key: str) -> EpisodeRow | None:
        """The episode whose slug or guid is ``key``."""
        row = self.conn.execute("SELECT slug, guid, seq, number, season, pub_date, first_published, updated, "
                                "snapshot FROM episodes WHERE slug = ? OR guid = ?", (key, key)).fetchone()
        return _row(row, self.path) if row else None

    def next_seq(self) -> int:
        """The publish-order number for a new episode."""
        return int(self.conn.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM episodes").fetchone()[0])

    def show_file(self) -> Path:
        """The show file: the one recorded at publish (``recast publish --show``), else ``show.toml`` beside."""
        recorded = self.meta("show_file")
        return Path(recorded) if recorded else self.path.parent / SHOW_FILE

    def put(self, row: EpisodeRow) -> None:
        """Insert or replace the row for ``row.slug``."""
        self.conn.execute(
            "INSERT INTO episodes(slug, guid, seq, number, season, pub_date, first_published, updated, snapshot) "
            "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(slug) DO UPDATE SET guid = excluded.guid, "
            "seq = excluded.seq, number = excluded.number, season = excluded.season, "
            "pub_date = excluded.pub_date, updated = excluded.updated, snapshot = excluded.snapshot",
            (row.slug, row.guid, row.seq, row.number, row.season, row.pub_date, row.first_published,
             row.updated, json.dumps(row.edition.to_dict(), ensure_ascii=False, sort_keys=True)))

    def delete(self, slug: str) -> None:
        """Remove an episode."""
        self.conn.execute("DELETE FROM episodes WHERE slug = ?", (slug,))


def _row(r: tuple, path: Path) -> EpisodeRow:
    try:
        edition = EditionInfo.from_dict(json.loads(r[8]))
    except (ValueError, TypeError, KeyError) as err:
        raise BadInput(f"{path}: the stored record of {r[0]!r} is damaged; unpublish and publish it again") from err
    return EpisodeRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], edition)


def catalogue_path(output_dir: Path) -> Path:
    """Where the catalogue of the show in ``output_dir`` lives."""
    return Path(output_dir) / CATALOGUE_FILE


def show_file_for(output_dir: Path) -> Path:
    """Where the show of ``output_dir`` is kept (:meth:`Catalogue.show_file`; ``show.toml`` before any publish).

    The one way to find the show: publishing, ``recast show`` and the renderer (the album name) all ask here.
    """
    if catalogue_path(output_dir).exists():
        with open_catalogue(output_dir, write=False) as cat:
            return cat.show_file()
    return Path(output_dir) / SHOW_FILE


def show_title_for(output_dir: Path) -> str | None:
    """The title of the show of ``output_dir``, or None when it has none yet; a show file that cannot be
    read is :class:`BadInput` (the caller decides whether that stops it)."""
    path = show_file_for(output_dir)
    return load_show(path).title.strip() if path.is_file() else None


@contextlib.contextmanager
def open_catalogue(output_dir: Path, *, write: bool, create: bool = False) -> Iterator[Catalogue]:
    """Open the catalogue; with ``write`` hold the write lock for the whole block (one transaction).

    The transaction commits when the block succeeds and rolls back on any exception. A missing catalogue
    is created only with ``create``; otherwise it is BadInput (no show published in that folder yet).
    """
    path = catalogue_path(output_dir)
    if not path.exists() and not create:
        raise BadInput(f"no published show in {output_dir} (no {CATALOGUE_FILE}); publish an episode first "
                       "with: recast publish OUTPUT/<slug> --base-url URL")
    try:
        Path(output_dir).mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=30.0, isolation_level=None)
    except (OSError, sqlite3.Error) as err:
        raise OutputError(f"cannot open {path}: {err}") from err
    try:
        try:
            conn.execute("PRAGMA busy_timeout = 30000")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            _migrate(conn, path, write)
        except sqlite3.DatabaseError as err:
            raise BadInput(f"{path} is not a Recast catalogue ({err}); move it away and publish again") from err
        try:
            yield Catalogue(conn, path)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        try:
            conn.execute("COMMIT")
        except sqlite3.Error as err:
            raise OutputError(f"cannot save {path}: {err}") from err
    finally:
        conn.close()


def _migrate(conn: sqlite3.Connection, path: Path, write: bool) -> None:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise BadInput(f"{path} was written by a newer Recast (schema {version}, this one knows "
                       f"{SCHEMA_VERSION}); upgrade Recast")
    if version == SCHEMA_VERSION:
        return
    if version == 0 and conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
        raise BadInput(f"{path} is an SQLite file but not a Recast catalogue; move it away and publish again")
    if not write:
        raise BadInput(f"{path} needs an upgrade; run recast publish once to upgrade it")
    for step in range(version + 1, SCHEMA_VERSION + 1):
        for statement in _MIGRATIONS[step].split(";"):
            if statement.strip():
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {step}")
