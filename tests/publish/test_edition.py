"""Edition folders that cannot be published are refused with one clear line (BadInput, exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.errors import BadInput
from pipeline.publish import publish_edition
from pipeline.publish.reader import read_edition

BASE = "https://example.org/pod/"


def _manifest(folder: Path) -> dict:
    return json.loads((folder / "episode.json").read_text("utf-8"))


def _write(folder: Path, data: dict) -> None:
    (folder / "episode.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")


def test_reads_a_complete_edition(tmp_path: Path, make_edition, cover_png):
    folder = make_edition(tmp_path, "ep-1", title="Trains", cover=cover_png)
    ed = read_edition(folder)
    assert ed.slug == "ep-1" and ed.title == "Trains" and ed.published == "2024-10-22"
    assert [a.name for a in ed.audio] == ["episode.mp3", "episode.m4a"]
    assert ed.enclosure.bytes == (folder / "episode.mp3").stat().st_size
    assert [t.mime for t in ed.transcripts] == ["text/vtt", "application/x-subrip", "application/json"]
    assert ed.chapters_file is not None and ed.cover is not None and ed.cover.mime == "image/png"
    assert [(p.name, p.role) for p in ed.persons] == [("Ann Host", "host"), ("Bob Guest", "guest")]
    assert [c.title for c in ed.chapters] == ["Opening", "History"]
    assert ed.duration_ms == _manifest(folder)["duration_ms"]


def _break(case: str, folder: Path) -> None:
    data = _manifest(folder)
    if case == "no manifest":
        (folder / "episode.json").unlink()
    elif case == "corrupt manifest":
        (folder / "episode.json").write_text('{"slug": "ep-1", "title": ', "utf-8")
    elif case == "manifest not an object":
        (folder / "episode.json").write_text("[1, 2]", "utf-8")
    elif case == "missing audio":
        (folder / "episode.mp3").unlink()
    elif case == "size mismatch":
        with open(folder / "episode.mp3", "ab") as fh:
            fh.write(b"\0" * 10)
    elif case == "same size, other bytes":
        raw = bytearray((folder / "episode.mp3").read_bytes())
        raw[-1] ^= 0xFF
        (folder / "episode.mp3").write_bytes(bytes(raw))
    elif case == "no audio listed":
        data["files"] = [f for f in data["files"] if not f["name"].startswith("episode.")]
        _write(folder, data)
    elif case == "missing title":
        del data["title"]
        _write(folder, data)
    elif case == "bad date":
        data["published"] = "22/10/2024"
        _write(folder, data)
    elif case == "slug differs from folder":
        data["slug"] = "other"
        _write(folder, data)
    elif case == "file outside folder":
        data["files"].append({"name": "../secret", "bytes": 1, "type": "x", "sha256": ""})
        _write(folder, data)
    elif case == "duration not a number":
        data["duration_ms"] = "long"
        _write(folder, data)
    elif case == "chapters out of order":
        data["chapters"] = [{"title": "b", "start_ms": 500, "end_ms": 900}, {"title": "a", "start_ms": 0,
                                                                             "end_ms": 500}]
        _write(folder, data)


CASES = {
    "no manifest": "has no episode.json",
    "corrupt manifest": "is corrupt",
    "manifest not an object": "is corrupt",
    "missing audio": "episode.mp3 is missing",
    "size mismatch": "bytes but episode.json says",
    "same size, other bytes": "does not match its SHA-256",
    "no audio listed": "has no episode.mp3 or episode.m4a",
    "missing title": "lacks 'title'",
    "bad date": "not an ISO date",
    "slug differs from folder": "folder is named",
    "file outside folder": "not a plain ASCII name",
    "duration not a number": "'duration_ms' has the wrong type",
    "chapters out of order": "bad times",
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_broken_editions_are_refused(tmp_path: Path, make_edition, case: str):
    folder = make_edition(tmp_path / "out", "ep-1")
    _break(case, folder)
    with pytest.raises(BadInput) as info:
        publish_edition(folder, base_url=BASE)
    message = str(info.value)
    assert CASES[case] in message
    assert "\n" not in message
    assert not (tmp_path / "out" / "feed.xml").exists()


def test_not_a_folder(tmp_path: Path):
    with pytest.raises(BadInput, match="is not an edition folder"):
        publish_edition(tmp_path / "nope", base_url=BASE)


@pytest.mark.parametrize("url, hint", [
    ("ftp://example.org/pod/", "http:// or https://"),
    ("https://example.org/pod", "must end with '/'"),
    ("https://例え.jp/pod/", "ASCII"),
    ("https://example.org/my pod/", "ASCII without spaces"),
    ("https:///pod/", "name a host"),
    ("https://example.org/pod/?x=1/", "query"),
    ("", "http:// or https://"),
])
def test_base_url_is_validated(tmp_path: Path, make_edition, url: str, hint: str):
    folder = make_edition(tmp_path, "ep-1")
    with pytest.raises(BadInput, match="base URL") as info:
        publish_edition(folder, base_url=url)
    assert hint in str(info.value)


def test_reserved_folder_name_is_refused(tmp_path: Path, make_edition):
    folder = make_edition(tmp_path / "out", "episodes")
    with pytest.raises(BadInput, match="reserved"):
        publish_edition(folder, base_url=BASE)
    assert (folder / "shownotes.html").exists()


def test_relative_and_dotted_paths(tmp_path: Path, make_edition, monkeypatch):
    folder = make_edition(tmp_path / "out", "ep-1")
    monkeypatch.chdir(folder)
    result = publish_edition(Path("."), base_url=BASE)
    assert result.slug == "ep-1" and result.feed_path == tmp_path / "out" / "feed.xml"
    monkeypatch.chdir(tmp_path)
    assert publish_edition(Path("out/ep-1/../ep-1"), base_url=BASE).action == "updated"
