"""feed.xml as real podcast clients read it (gPodder's podcastparser, feedparser) and as XML."""

from __future__ import annotations

import io
import json
import os
import re
from pathlib import Path

import feedparser
import podcastparser
import pytest
from lxml import etree

from pipeline.publish import publish_edition, unpublish_episode
from pipeline.publish.catalogue import EpisodeRow
from pipeline.publish.feed import PODCAST_NS, PODCAST_NS_GITHUB, FeedContext, build_feed
from pipeline.publish.reader import EditionInfo
from pipeline.publish.show import Show
from pipeline.publish.urls import podcast_guid

BASE = "https://example.org/pod/"
FEED_URL = BASE + "feed.xml"
NS = {"itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd", "podcast": PODCAST_NS,
      "atom": "http://www.w3.org/2005/Atom", "content": "http://purl.org/rss/1.0/modules/content/"}
GOLDEN = Path(__file__).parent / "data" / "golden"


def _pp(feed: Path) -> dict:
    with open(feed, "rb") as fh:
        return podcastparser.parse(FEED_URL, fh)


def test_podcast_guid_test_vector():
    assert podcast_guid("https://podnews.net/rss") == "9b024349-ccf0-5f69-a609-6b82873eab3c"
    assert podcast_guid("http://podnews.net/rss/") == "9b024349-ccf0-5f69-a609-6b82873eab3c"


def test_podcastparser_sees_every_episode(shared_show_dir: Path):
    parsed = _pp(shared_show_dir / "feed.xml")
    assert parsed["title"] == "Test Show"
    assert parsed["cover_url"] == BASE + "cover.png"
    episodes = parsed["episodes"]
    assert [e["title"] for e in episodes] == ["An undated talk", "人工智慧的「未來」", "Trains & <Railways>"]
    guids = [e["guid"] for e in episodes]
    assert len(set(guids)) == 3 and all(re.fullmatch(r"[0-9a-f-]{36}", g) for g in guids)
    for e in episodes:
        slug = {"An undated talk": "undated-talk", "人工智慧的「未來」": "2024-11-05-ai",
                "Trains & <Railways>": "2024-10-22-trains"}[e["title"]]
        folder = shared_show_dir / slug
        manifest = json.loads((folder / "episode.json").read_text("utf-8"))
        (enc,) = e["enclosures"]
        assert enc["url"] == f"{BASE}{slug}/episode.mp3"
        assert enc["file_size"] == (folder / "episode.mp3").stat().st_size
        assert enc["mime_type"] == "audio/mpeg"
        assert e["total_time"] == round(manifest["duration_ms"] / 1000) > 0
        assert e["chapters_json_url"] == f"{BASE}{slug}/chapters.json"
        assert e["transcript_url"] == f"{BASE}{slug}/transcript.vtt"
        # inline Podlove chapters: titles and starts (whole seconds) match the manifest
        assert [(c["title"], c["start"]) for c in e["chapters"]] == [
            (c["title"], c["start_ms"] // 1000) for c in manifest["chapters"]]
        assert "<script" not in e["description_html"] and "Key points" in e["description_html"]
        assert e["link"] == f"{BASE}episodes/{slug}.html"
    assert episodes[2]["published"] == 1729598400  # 2024-10-22 12:00 UTC
    assert episodes[1]["published"] == 1730808000  # 2024-11-05 12:00 UTC


def test_feedparser_sees_every_episode(shared_show_dir: Path):
    d = feedparser.parse((shared_show_dir / "feed.xml").read_bytes())
    assert not d.bozo, d.get("bozo_exception")
    assert d.version == "rss20"
    assert d.feed.podcast_guid == podcast_guid(FEED_URL)
    assert d.feed.language == "en"
    assert d.feed.tags[0]["term"] == "Society & Culture"
    assert len(d.entries) == 3
    for e in d.entries:
        slug = e.link.rsplit("/", 1)[1].removesuffix(".html")
        (enc,) = [link for link in e.links if link.rel == "enclosure"]
        assert int(enc.length) == (shared_show_dir / slug / "episode.mp3").stat().st_size
        assert e.itunes_duration.isdigit()
        assert e.guidislink is False
        assert e.podcast_chapters["url"] == f"{BASE}{slug}/chapters.json"
        assert e.podcast_chapters["type"] == "application/json+chapters"
        assert e.podcast_transcript["url"].startswith(f"{BASE}{slug}/transcript.")
        assert [c.title for c in e.psc_chapters.chapters] == ["Opening", "History"]
        assert e.content[0].value.startswith("<h2>Key points</h2>")
    assert d.entries[2].title == "Trains & <Railways>"
    assert d.entries[2].published == "Tue, 22 Oct 2024 12:00:00 GMT"


def test_feed_structure(shared_show_dir: Path):
    doc = etree.parse(str(shared_show_dir / "feed.xml"))
    ch = doc.find("channel")
    x = lambda path, node=ch: node.xpath(path, namespaces=NS)  # noqa: E731
    assert x("string(podcast:guid)") == podcast_guid(FEED_URL)
    assert x("string(atom:link[@rel='self']/@href)") == FEED_URL
    assert x("string(itunes:explicit)") == "false"
    assert x("string(itunes:type)") == "episodic"
    assert x("string(itunes:image/@href)") == BASE + "cover.png"
    assert x("string(podcast:locked)") == "no"
    # lastBuildDate is the newest pubDate, not the wall clock
    assert x("string(lastBuildDate)") == x("string(item[1]/pubDate)")
    for item in x("item"):
        assert len(item.findall("enclosure")) == 1
        assert item.find("guid").get("isPermaLink") == "false"
        transcripts = {t.get("type"): t.get("language") for t in x("podcast:transcript", item)}
        assert set(transcripts) == {"text/vtt", "application/x-subrip", "application/json"}
        persons = [(p.text, p.get("role"), p.get("group")) for p in x("podcast:person", item)]
        assert [r for _, r, _ in persons] == ["host", "guest"] and {g for *_, g in persons} == {"cast"}
        assert x("string(itunes:episodeType)", item) == "full"
        assert not x("itunes:episode", item)  # episodic show, no numbers given
        for url in x(".//@url | .//@href | .//@uri", item) + [e.text for e in item.iter("link")]:
            assert url.isascii() and " " not in url
    zh = x("item[podcast:transcript/@language='zh-TW']")[0]
    assert [p.text for p in x("podcast:person", zh)] == ["主持人小美", "來賓大明"]
    # the edition with an m4a offers it as an alternate enclosure, the enclosure stays mp3
    trains = x("item[title='Trains & <Railways>']")[0]
    alts = x("podcast:alternateEnclosure", trains)
    assert [a.get("type") for a in alts] == ["audio/mpeg", "audio/x-m4a"]
    m4a = shared_show_dir / "2024-10-22-trains" / "episode.m4a"
    assert alts[1].get("length") == str(m4a.stat().st_size)
    assert x("string(itunes:image/@href)", trains) == BASE + "2024-10-22-trains/cover.png"


def test_feed_is_reproducible(show_dir: Path):
    first = (show_dir / "feed.xml").read_bytes()
    publish_edition(show_dir / "2024-11-05-ai", base_url=BASE)  # re-publish: nothing changed
    assert (show_dir / "feed.xml").read_bytes() == first


def test_republish_keeps_guid_and_does_not_duplicate(show_dir: Path, make_edition):
    before = {e["title"]: e["guid"] for e in _pp(show_dir / "feed.xml")["episodes"]}
    make_edition(show_dir, "2024-11-05-ai", lang="zh", title="人工智慧（修訂版）", published="2024-11-05",
                 m4a=True)
    result = publish_edition(show_dir / "2024-11-05-ai", base_url=BASE)
    assert result.action == "updated" and result.episodes == 3
    assert result.guid == before["人工智慧的「未來」"]
    episodes = _pp(show_dir / "feed.xml")["episodes"]
    assert len(episodes) == 3
    updated = [e for e in episodes if e["guid"] == result.guid]
    assert [e["title"] for e in updated] == ["人工智慧（修訂版）"]


def test_unpublish_removes_from_feed(show_dir: Path):
    guid = next(e["guid"] for e in _pp(show_dir / "feed.xml")["episodes"] if e["title"] == "An undated talk")
    result = unpublish_episode(show_dir, guid)
    assert result.action == "removed" and result.slug == "undated-talk" and result.episodes == 2
    episodes = _pp(show_dir / "feed.xml")["episodes"]
    assert [e["title"] for e in episodes] == ["人工智慧的「未來」", "Trains & <Railways>"]
    assert (show_dir / "undated-talk" / "episode.mp3").exists()  # the edition folder is kept
    unpublish_episode(show_dir, "2024-11-05-ai")
    unpublish_episode(show_dir, "2024-10-22-trains")
    parsed = _pp(show_dir / "feed.xml")
    assert parsed["episodes"] == [] and parsed["title"] == "Test Show"


def test_namespace_decision(shared_show_dir: Path):
    """The official podcast namespace for everything, plus chapters/VTT repeated under the GitHub URL.

    Consequence shown here: podcastparser (which knows only the GitHub URL) sees chapters and the transcript
    only thanks to the repeats, and never sees persons; feedparser and namespace-aware readers of the official
    URL see all of it.
    """
    raw = (shared_show_dir / "feed.xml").read_bytes()
    doc = etree.fromstring(raw)
    assert doc.nsmap["podcast"] == PODCAST_NS
    assert doc.nsmap["podcastgh"] == PODCAST_NS_GITHUB
    item = doc.find("channel/item")
    assert len(item.findall(f"{{{PODCAST_NS_GITHUB}}}chapters")) == 1
    assert [t.get("type") for t in item.findall(f"{{{PODCAST_NS_GITHUB}}}transcript")] == ["text/vtt"]
    assert item.findall(f"{{{PODCAST_NS_GITHUB}}}person") == []
    with_compat = podcastparser.parse(FEED_URL, io.BytesIO(raw))["episodes"][0]
    assert with_compat["chapters_json_url"].endswith("/chapters.json")
    assert with_compat["transcript_url"].endswith("/transcript.vtt")
    assert "persons" not in with_compat

    # The same feed without the repeats: podcastparser loses chapters and transcript links.
    for repeat in doc.iter(f"{{{PODCAST_NS_GITHUB}}}chapters", f"{{{PODCAST_NS_GITHUB}}}transcript"):
        repeat.getparent().remove(repeat)
    etree.cleanup_namespaces(doc)
    stripped = etree.tostring(doc, xml_declaration=True, encoding="UTF-8")
    assert PODCAST_NS_GITHUB.encode() not in stripped
    without = podcastparser.parse(FEED_URL, io.BytesIO(stripped))["episodes"][0]
    assert "chapters_json_url" not in without and "transcript_url" not in without
    assert without["chapters"]  # inline psc chapters do not depend on the podcast namespace
    assert feedparser.parse(stripped).entries[0].podcast_chapters["url"].endswith("/chapters.json")

    # Declaring the GitHub URL for the podcast prefix itself makes podcastparser see persons too — the road
    # not taken, because prefix-matching and official-URL readers would then lose everything.
    github_only = stripped.replace(PODCAST_NS.encode(), PODCAST_NS_GITHUB.encode())
    persons = podcastparser.parse(FEED_URL, io.BytesIO(github_only))["episodes"][0]["persons"]
    assert [(p["name"], p["role"]) for p in persons] == [("Ann Host", "host"), ("Bob Guest", "guest")]


def test_serial_show_numbers_episodes_in_publish_order(show_dir: Path):
    from pipeline.publish import edit_show

    edit_show(show_dir, ["type=serial"])
    items = etree.parse(str(show_dir / "feed.xml")).getroot().findall("channel/item")
    numbers = {i.findtext("title"): i.findtext(f"{{{NS['itunes']}}}episode") for i in items}
    assert numbers == {"Trains & <Railways>": "1", "人工智慧的「未來」": "2", "An undated talk": "3"}
    parsed = {e["title"]: e["number"] for e in _pp(show_dir / "feed.xml")["episodes"]}
    assert parsed["An undated talk"] == 3
    publish_edition(show_dir / "undated-talk", base_url=BASE, number=7, season=2)
    edit_show(show_dir, ["type=episodic"])
    items = etree.parse(str(show_dir / "feed.xml")).getroot().findall("channel/item")
    numbers = {i.findtext("title"): (i.findtext(f"{{{NS['itunes']}}}episode"),
                                     i.findtext(f"{{{NS['itunes']}}}season")) for i in items}
    assert numbers == {"Trains & <Railways>": (None, None), "人工智慧的「未來」": (None, None),
                       "An undated talk": ("7", "2")}


def test_hostile_text_is_escaped(tmp_path: Path, make_edition):
    out = tmp_path / "out"
    nasty = 'A ]]> B <script>alert("x")</script> & \x07bell'
    make_edition(out, "nasty", title=nasty, description="d ]]> <b>bold</b> & more")
    publish_edition(out / "nasty", base_url="https://example.org/a%20b/")
    raw = (out / "feed.xml").read_bytes()
    doc = etree.fromstring(raw)  # well-formed
    item = doc.find("channel/item")
    assert item.findtext("title") == 'A ]]> B <script>alert("x")</script> & bell'
    assert item.findtext("description") == "d ]]> <b>bold</b> & more"
    assert b"<script>" not in raw
    assert item.find("enclosure").get("url") == "https://example.org/a%20b/nasty/episode.mp3"
    d = feedparser.parse(raw)
    assert not d.bozo and d.entries[0].title.startswith("A ]]> B")


def _golden_cases() -> list[Path]:
    return sorted(GOLDEN.glob("*.json"))


@pytest.mark.parametrize("case", _golden_cases(), ids=lambda p: p.stem)
def test_golden_feed(case: Path):
    """Catalogue rows + show → feed.xml, byte for byte (RECAST_UPDATE_GOLDEN=1 rewrites the .xml files)."""
    spec = json.loads(case.read_text("utf-8"))
    show = Show.from_dict(spec["show"])
    rows = [EpisodeRow(**{**r, "edition": EditionInfo.from_dict(r["edition"])}) for r in spec["rows"]]
    feed = build_feed(show, rows, FeedContext(**spec["context"]))
    expected = case.with_suffix(".xml")
    if os.environ.get("RECAST_UPDATE_GOLDEN"):
        expected.write_bytes(feed)
    assert feed.decode("utf-8") == expected.read_text("utf-8")
    parsed = podcastparser.parse(spec["context"]["feed_url"], io.BytesIO(feed))
    assert len(parsed["episodes"]) == len(rows)


def test_golden_cases_exist():
    assert len(_golden_cases()) >= 2


def _schema() -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(Path(__file__).parent / "data" / "podcast-rss.rng")))


def test_feed_validates_against_the_structure_schema(shared_show_dir: Path):
    schema = _schema()
    doc = etree.parse(str(shared_show_dir / "feed.xml"))
    assert schema.validate(doc), schema.error_log.last_error
    # the schema is not a rubber stamp: a feed without enclosure length or with a bad date fails it
    broken = etree.fromstring(etree.tostring(doc))
    del broken.find("channel/item/enclosure").attrib["length"]
    assert not schema.validate(broken)
    broken = etree.fromstring(etree.tostring(doc))
    broken.find("channel/item/pubDate").text = "2024-10-22"
    assert not schema.validate(broken)


@pytest.mark.parametrize("case", _golden_cases(), ids=lambda p: p.stem)
def test_golden_feeds_validate(case: Path):
    schema = _schema()
    doc = etree.parse(str(case.with_suffix(".xml")))
    assert schema.validate(doc), schema.error_log.last_error
