"""show.sqlite: WAL, versioned schema, stable guids and dates, refresh of re-rendered editions."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from pipeline.errors import BadInput
from pipeline.publish import publish_edition, unpublish_episode
from pipeline.publish.catalogue import SCHEMA_VERSION, open_catalogue

BASE = "https://example.org/pod/"


def test_catalogue_is_wal_and_versioned(show_dir: Path):
    conn = sqlite3.connect(show_dir / "show.sqlite")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    rows = conn.execute("SELECT slug, seq FROM episodes ORDER BY seq").fetchall()
    assert rows == [("2024-10-22-trains", 1), ("2024-11-05-ai", 2), ("undated-talk", 3)]
    conn.close()


def test_result_and_guid_are_stable(tmp_path: Path, make_edition):
    out = tmp_path / "out"
    make_edition(out, "ep", published=None)
    first = publish_edition(out / "ep", base_url=BASE)
    assert first.action == "added" and first.episodes == 1
    assert first.feed_path == out / "feed.xml" and first.feed_url == BASE + "feed.xml"
    assert first.site_path == out / "index.html"
    assert set(first.to_dict()) >= {"action", "slug", "guid", "feed_path", "feed_url", "episodes", "site_path"}
    with open_catalogue(out, write=False) as cat:
        pub_date = cat.find("ep").pub_date
    again = publish_edition(out / "ep", base_url="https://new.example.net/cast/")
    assert again.action == "updated" and again.guid == first.guid and again.episodes == 1
    with open_catalogue(out, write=False) as cat:
        row = cat.find(first.guid)
        assert row.slug == "ep" and row.pub_date == pub_date  # undated: the first publish time, kept
        assert cat.meta("base_url") == "https://new.example.net/cast/"
        podcast_guid = cat.meta("podcast_guid")
    feed = (out / "feed.xml").read_text("utf-8")
    assert "https://new.example.net/cast/ep/episode.mp3" in feed
    assert f"<podcast:guid>{podcast_guid}</podcast:guid>" in feed  # stays with the show when it moves


def test_unknown_episode_is_bad_input(show_dir: Path):
    with pytest.raises(BadInput, match="no published episode 'nope'.*published: "):
        unpublish_episode(show_dir, "nope")
    with pytest.raises(BadInput, match="no published show"):
        unpublish_episode(show_dir / "2024-11-05-ai", "x")


def test_rerendered_edition_is_refreshed_and_missing_one_warned(show_dir: Path, make_edition):
    make_edition(show_dir, "2024-10-22-trains", lang="zh", title="Trains, re-rendered", m4a=False)
    new_size = (show_dir / "2024-10-22-trains" / "episode.mp3").stat().st_size
    import shutil

    shutil.rmtree(show_dir / "undated-talk")
    result = publish_edition(show_dir / "2024-11-05-ai", base_url=BASE)
    feed = (show_dir / "feed.xml").read_text("utf-8")
    assert "Trains, re-rendered" in feed and f'length="{new_size}"' in feed
    assert "An undated talk" in feed  # kept from the catalogue's snapshot
    from pipeline.publish.publisher import NO_OWNER_EMAIL

    missing = [w for w in result.warnings if w != NO_OWNER_EMAIL]
    assert len(missing) == 1 and missing[0].startswith("undated-talk:")


def test_corrupt_and_foreign_databases(tmp_path: Path, make_edition):
    out = tmp_path / "out"
    make_edition(out, "ep")
    (out / "show.sqlite").write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(BadInput, match="not a Recast catalogue"):
        publish_edition(out / "ep", base_url=BASE)
    (out / "show.sqlite").unlink()
    conn = sqlite3.connect(out / "show.sqlite")
    conn.execute("CREATE TABLE other(x)")
    conn.commit()
    conn.close()
    with pytest.raises(BadInput, match="not a Recast catalogue"):
        publish_edition(out / "ep", base_url=BASE)


def test_newer_schema_is_refused(show_dir: Path):
    conn = sqlite3.connect(show_dir / "show.sqlite")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    with pytest.raises(BadInput, match="newer Recast"):
        publish_edition(show_dir / "undated-talk", base_url=BASE)


def test_failed_publish_rolls_back(show_dir: Path, make_edition):
    make_edition(show_dir, "late", title="Late")
    (show_dir / "show.toml").write_text((show_dir / "show.toml").read_text("utf-8")
                                        .replace('cover = "cover.png"', 'cover = "gone.png"'), "utf-8")
    with pytest.raises(BadInput, match="gone.png"):
        publish_edition(show_dir / "late", base_url=BASE)
    with open_catalogue(show_dir, write=False) as cat:
        assert cat.find("late") is None and len(cat.episodes()) == 3


def test_concurrent_publishes_do_not_lose_episodes(tmp_path: Path, make_edition):
    out = tmp_path / "out"
    slugs = [f"ep-{i}" for i in range(6)]
    for s in slugs:
        make_edition(out, s, title=s)
    publish_edition(out / slugs[0], base_url=BASE)
    errors = []

    def run(slug):
        try:
            publish_edition(out / slug, base_url=BASE)
        except Exception as err:  # noqa: BLE001 — collected and asserted below
            errors.append(err)

    threads = [threading.Thread(target=run, args=(s,)) for s in slugs[1:]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with open_catalogue(out, write=False) as cat:
        assert sorted(r.slug for r in cat.episodes()) == slugs
    assert (out / "feed.xml").read_text("utf-8").count("<item>") == 6
    conn = sqlite3.connect(out / "show.sqlite")
    assert len({guid for (guid,) in conn.execute("SELECT guid FROM episodes")}) == 6
    conn.close()
