"""One way to find the show: a render names the show the feed names, wherever the show file lives."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

BASE = "https://podcasts.example.com/recast/"
TALK = ("Ann: Welcome to the show. Today we talk about trains.\n"
        "Bob: Thanks for having me. Trains move people well.\n")


def _album(path: Path) -> str:
    data = json.loads(subprocess.run(["ffprobe", "-v", "error", "-print_format", "json", "-show_format",
                                      str(path)], capture_output=True, check=True).stdout)
    return {k.lower(): v for k, v in data["format"].get("tags", {}).items()}.get("album", "")


def test_rerender_names_the_show_of_a_show_file_kept_elsewhere(tmp_path: Path, recast, media_tools):
    """Bug 1: `publish --show elsewhere/show.toml` + `show --set title=…`, then a re-render wrote "Recast"."""
    source = tmp_path / "talk.txt"
    source.write_text(TALK, "utf-8")
    out, show_file = tmp_path / "output", tmp_path / "elsewhere" / "show.toml"
    show_file.parent.mkdir()
    render = ("render", str(source), "--output", str(out), "--engine", "espeak", "--quiet", "--formats", "mp3")
    done = recast(*render)
    assert done.returncode == 0, done.stderr.decode()
    (edition,) = [p for p in out.iterdir() if (p / "episode.json").is_file()]
    done = recast("publish", str(edition), "--base-url", BASE, "--show", str(show_file))
    assert done.returncode == 0, done.stderr.decode()
    done = recast("show", str(out), "--set", "title=Elsewhere Show")
    assert done.returncode == 0, done.stderr.decode()
    assert not (out / "show.toml").exists() and 'title = "Elsewhere Show"' in show_file.read_text("utf-8")

    done = recast(*render)
    assert done.returncode == 0, done.stderr.decode()
    manifest = json.loads((edition / "episode.json").read_text("utf-8"))
    assert manifest["show"] == "Elsewhere Show"
    assert _album(edition / "episode.mp3") == "Elsewhere Show"
    done = recast("publish", str(edition), "--base-url", BASE)
    assert done.returncode == 0, done.stderr.decode()
    assert "<title>Elsewhere Show</title>" in (out / "feed.xml").read_text("utf-8")

    # a show file broken by hand: the render still goes on, and says why the album is the default
    show_file.write_text("title = [unclosed\n", "utf-8")
    done = recast(*(a for a in render if a != "--quiet"))
    assert done.returncode == 0, done.stderr.decode()
    said = [ln for ln in done.stderr.decode().splitlines() if ln.strip()]
    assert len(said) == 1 and "show's title cannot be read" in said[0] and "recast show --set" in said[0], said
    assert json.loads((edition / "episode.json").read_text("utf-8"))["show"] == "Recast"
