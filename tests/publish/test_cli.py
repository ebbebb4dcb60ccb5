"""`recast publish`, `recast show`, `recast unpublish` as a user runs them (subprocess, exit codes, JSON)."""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
import podcastparser
import pytest

BASE = "https://podcasts.example.com/recast/"


def test_publish_show_unpublish_round_trip(tmp_path: Path, make_edition, recast):
    out = tmp_path / "output"
    make_edition(out, "ep-one", title="One", published="2024-01-02")
    make_edition(out, "ep-two", title="Two", published="2024-02-03")

    done = recast("publish", str(out / "ep-one"), "--base-url", BASE, "--json")
    assert done.returncode == 0, done.stderr.decode()
    result = json.loads(done.stdout)
    assert result["action"] == "added" and result["slug"] == "ep-one" and result["episodes"] == 1
    assert result["feed_url"] == BASE + "feed.xml" and Path(result["feed_path"]) == out / "feed.xml"

    done = recast("publish", str(out / "ep-two"), "--base-url", BASE)
    assert done.returncode == 0, done.stderr.decode()
    assert "ep-two" in done.stdout.decode() and BASE + "feed.xml" in done.stdout.decode()

    again = json.loads(recast("publish", str(out / "ep-one"), "--base-url", BASE, "--json").stdout)
    assert again["action"] == "updated" and again["guid"] == result["guid"] and again["episodes"] == 2

    shown = recast("show", str(out), "--json")
    assert shown.returncode == 0 and json.loads(shown.stdout)["title"] == "Test Show"
    toml = recast("show", str(out)).stdout.decode()
    assert 'title = "Test Show"' in toml and "[owner]" in toml

    edited = recast("show", str(out), "--set", "title=Über Show", "--set", "owner.email=a@b.org", "--json")
    assert edited.returncode == 0, edited.stderr.decode()
    assert json.loads(edited.stdout)["owner"]["email"] == "a@b.org"
    feed = feedparser.parse((out / "feed.xml").read_bytes())
    assert feed.feed.title == "Über Show" and [e.title for e in feed.entries] == ["Two", "One"]

    gone = recast("unpublish", result["guid"], "--output", str(out))
    assert gone.returncode == 0, gone.stderr.decode()
    assert "ep-one" in gone.stdout.decode()
    assert [e.title for e in feedparser.parse((out / "feed.xml").read_bytes()).entries] == ["Two"]


def test_errors_are_one_line_with_exit_2(tmp_path: Path, make_edition, recast):
    out = tmp_path / "output"
    folder = make_edition(out, "ep")
    cases = [
        ("publish", str(folder), "--base-url", "https://example.org/no-slash"),
        ("publish", str(tmp_path / "missing"), "--base-url", BASE),
        ("unpublish", "ep", "--output", str(out)),
        ("show", str(out)),
    ]
    for args in cases:
        done = recast(*args)
        err = done.stderr.decode()
        assert done.returncode == 2, (args, err)
        assert err.startswith("recast: error: ") and err.count("\n") == 1, err
        assert "Traceback" not in err
    assert recast("publish", str(folder), "--base-url", BASE).returncode == 0
    bad = recast("show", str(out), "--set", "category=Cooking")
    assert bad.returncode == 2 and "Apple Podcasts category" in bad.stderr.decode()


@pytest.mark.slow
def test_a_rendered_edition_publishes(tmp_path: Path, recast, media_tools):
    """The real renderer's edition (espeak-ng) is accepted as is, and clients see its files."""
    source = tmp_path / "talk.txt"
    source.write_text("Ann: Welcome to the show. Today we talk about trains.\n"
                      "Bob: Thanks for having me. Trains move people well.\n", "utf-8")
    out = tmp_path / "output"
    done = recast("render", str(source), "--output", str(out), "--engine", "espeak", "--quiet")
    assert done.returncode == 0, done.stderr.decode()
    (edition,) = [p for p in out.iterdir() if (p / "episode.json").is_file()]
    done = recast("publish", str(edition), "--base-url", BASE, "--json")
    assert done.returncode == 0, done.stderr.decode()
    with open(out / "feed.xml", "rb") as fh:
        (episode,) = podcastparser.parse(BASE + "feed.xml", fh)["episodes"]
    manifest = json.loads((edition / "episode.json").read_text("utf-8"))
    assert episode["enclosures"][0]["file_size"] == (edition / "episode.mp3").stat().st_size
    assert episode["total_time"] == round(manifest["duration_ms"] / 1000)
    assert episode["chapters_json_url"] == f"{BASE}{edition.name}/chapters.json"
    page = (out / "episodes" / f"{edition.name}.html").read_text("utf-8")
    assert page.count('<li data-start=') >= 2 and "Ann" in page and "Bob" in page


def test_publish_warns_once_when_the_show_has_no_owner_email(tmp_path: Path, make_edition, recast):
    """Bug 6: Apple Podcasts Connect and Spotify verify ownership by the owner e-mail; say how to set it."""
    out = tmp_path / "output"
    make_edition(out, "ep")
    done = recast("publish", str(out / "ep"), "--base-url", BASE)
    assert done.returncode == 0, done.stderr.decode()
    lines = [ln for ln in done.stderr.decode().splitlines() if "owner" in ln]
    assert len(lines) == 1, done.stderr.decode()
    assert lines[0].startswith("recast: warning:") and "recast show --set owner_email=" in lines[0]
    assert "owner" not in done.stdout.decode()

    fixed = recast("show", str(out), "--set", "owner_email=me@example.org")
    assert fixed.returncode == 0, fixed.stderr.decode()
    again = recast("publish", str(out / "ep"), "--base-url", BASE)
    assert again.returncode == 0 and "owner" not in again.stderr.decode(), again.stderr.decode()
    assert "<itunes:email>me@example.org</itunes:email>" in (out / "feed.xml").read_text("utf-8")
