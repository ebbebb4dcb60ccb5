"""The static site as HTML: structure, escaping, relative links that resolve, nothing loaded from elsewhere."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import html

from pipeline.publish import unpublish_episode
from pipeline.publish.segments import load_segments


def _page(path: Path):
    raw = path.read_text("utf-8")
    assert raw.startswith("<!DOCTYPE html>")
    return raw, html.fromstring(raw.encode("utf-8"))


def _local_refs(doc) -> list[str]:
    refs = doc.xpath("//@src | //link/@href | //a/@href")
    return [r for r in refs if not urlsplit(r).scheme]


def test_index_lists_episodes_newest_first(shared_show_dir: Path):
    raw, doc = _page(shared_show_dir / "index.html")
    assert doc.get("lang") == "en"
    assert doc.xpath("//meta/@charset") == ["utf-8"]
    titles = [a.text_content() for a in doc.xpath("//ol[@class='episodes']/li//h3/a")]
    assert titles == ["An undated talk", "人工智慧的「未來」", "Trains & <Railways>"]
    assert "Trains &amp; &lt;Railways&gt;" in raw
    dates = doc.xpath("//ol[@class='episodes']//time/@datetime")
    assert dates[1:] == ["2024-11-05", "2024-10-22"] and dates == sorted(dates, reverse=True)
    durations = doc.xpath("//ol[@class='episodes']//span[@class='duration']/text()")
    assert all(d.startswith("0:") for d in durations)
    assert doc.xpath("//a[@class='podcast-app']/@href") == ["podcast://example.org/pod/feed.xml"]
    assert doc.xpath("//a[@class='itpc']/@href") == ["itpc://example.org/pod/feed.xml"]
    assert doc.xpath("//a[@class='feed']/@href") == ["https://example.org/pod/feed.xml"]


def test_pages_load_nothing_from_elsewhere_and_links_resolve(shared_show_dir: Path):
    pages = [shared_show_dir / "index.html", *sorted((shared_show_dir / "episodes").glob("*.html"))]
    assert len(pages) == 4
    for page in pages:
        _, doc = _page(page)
        # no external resources: every src (img, audio, script) and <link> is relative or data:
        for ref in doc.xpath("//@src | //link/@href"):
            assert not urlsplit(ref).scheme or ref.startswith("data:"), (page.name, ref)
        assert not doc.xpath("//script/@src | //link[@rel='stylesheet']")
        for ref in _local_refs(doc):
            target = (page.parent / unquote(ref.split("#")[0])).resolve()
            assert target.exists(), (page.name, ref)


def test_episode_page_has_player_chapters_notes_transcript(shared_show_dir: Path):
    raw, doc = _page(shared_show_dir / "episodes" / "2024-10-22-trains.html")
    sources = doc.xpath("//audio[@id='player']/source")
    assert [(s.get("src"), s.get("type")) for s in sources] == [
        ("../2024-10-22-trains/episode.mp3", "audio/mpeg"), ("../2024-10-22-trains/episode.m4a", "audio/mp4")]
    manifest = json.loads((shared_show_dir / "2024-10-22-trains" / "episode.json").read_text("utf-8"))
    starts = [float(s) for s in doc.xpath("//ol[@id='chapters']/li/@data-start")]
    assert starts == [c["start_ms"] / 1000 for c in manifest["chapters"]]
    assert [b.text_content().split(maxsplit=1)[1] for b in doc.xpath("//ol[@id='chapters']//button")] == [
        "Opening", "History"]
    segments = doc.xpath("//ol[@id='transcript']/li")
    assert [li.get("data-speaker") for li in segments] == ["Ann Host", "Bob Guest", "Ann Host"]
    assert segments[1].xpath("string(span[@class='said'])") == "Thanks for having me. Trains are great."
    assert [round(float(li.get("data-start")) * 1000) for li in segments] == [t["start_ms"] for t in
                                                                           manifest["turns"]]
    notes = doc.xpath("//section[@class='notes']")[0]
    assert notes.xpath("string(h2)") == "Key points"
    assert not doc.xpath("//section[@class='notes']//script") and "alert" not in raw.split("<script>")[0]
    assert not doc.xpath("//@onclick")
    assert doc.xpath("//h1/text()") == ["Trains & <Railways>"]


def test_chinese_show_labels(tmp_path: Path, make_edition):
    from pipeline.publish import publish_edition

    out = tmp_path / "out"
    make_edition(out, "zh", lang="zh", title="第一集", show="AI 講堂")
    publish_edition(out / "zh", base_url="https://example.org/")
    _, doc = _page(out / "episodes" / "zh.html")
    assert doc.get("lang") == "zh-TW"
    assert doc.xpath("//h2/text()")[:1] == ["章節"] and "逐字稿" in doc.xpath("//h2/text()")


def test_unpublish_removes_page(show_dir: Path):
    unpublish_episode(show_dir, "2024-11-05-ai")
    assert not (show_dir / "episodes" / "2024-11-05-ai.html").exists()
    _, doc = _page(show_dir / "index.html")
    assert len(doc.xpath("//ol[@class='episodes']/li")) == 2


def test_transcript_reader_shapes(tmp_path: Path):
    manifest = {"slug": tmp_path.name, "title": "T", "language": "en", "duration_ms": 2500, "files": [],
                "speakers": [{"id": "s1", "name": "Ann"}]}
    (tmp_path / "episode.json").write_text(json.dumps(manifest), "utf-8")
    (tmp_path / "transcript.json").write_text(json.dumps(
        [{"speaker": "s1", "start_ms": 1500, "end_ms": 2500, "text": "Hi"},
         {"speaker": "s1", "start_ms": 0, "end_ms": 1500, "text": "First"}]), "utf-8")
    assert [(s.start_ms, s.speaker, s.text) for s in load_segments(tmp_path)] == [(0, "Ann", "First"),
                                                                                  (1500, "Ann", "Hi")]
    (tmp_path / "transcript.json").write_text("{broken", "utf-8")
    (tmp_path / "transcript.vtt").write_text(
        "WEBVTT\n\n00:00:01.000 --> 00:00:02.500\n<v Bob>Tom &amp; Jerry\n\n1:02:03.004 --> 1:02:04.000\n"
        "plain\n", "utf-8")
    assert [(s.start_ms, s.end_ms, s.speaker, s.text) for s in load_segments(tmp_path)] == [
        (1000, 2500, "Bob", "Tom & Jerry"), (3723004, 3724000, "", "plain")]


def test_published_files_are_readable_by_a_web_server(shared_show_dir: Path):
    import os

    mask = os.umask(0)
    os.umask(mask)
    expected = 0o666 & ~mask
    for path in [shared_show_dir / "feed.xml", shared_show_dir / "index.html", shared_show_dir / "show.toml", shared_show_dir / "cover.png",
                 *(shared_show_dir / "episodes").glob("*.html")]:
        assert path.stat().st_mode & 0o777 == expected, path.name
