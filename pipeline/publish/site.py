"""The show's static site: ``index.html`` in the output folder and one page per episode in ``episodes/``.

Pages are built as lxml element trees (so every text and attribute is escaped) with small inline CSS and JS
from ``assets/``; they load nothing from elsewhere and link with relative URLs only, so the site works from
``file://``, from ``recast serve`` and under any base URL. Episode pages live in ``episodes/<slug>.html``
rather than inside the edition folder: the edition folder belongs to the renderer (its ``episode.json`` lists
its files), and unpublishing then removes exactly one page.

An episode page has an HTML5 ``<audio>`` player (mp3, with the m4a as an alternative source), the chapter
list (a click seeks the player to the chapter's start and plays), the show notes, the transcript rendered
into the page (the current segment and speaker are highlighted as playback moves) and subscribe links.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from lxml import etree
from lxml import html as lhtml

from pipeline.edition import AUDIO_FILES
from pipeline.fsutil import atomic_write_text
from pipeline.publish.catalogue import EpisodeRow
from pipeline.publish.feed import episode_page
from pipeline.publish.notes import notes_fragment, xml_safe
from pipeline.publish.segments import TimedLine, load_segments
from pipeline.publish.show import Show
from pipeline.publish.urls import rel_url, subscribe_links

SITE_INDEX = "index.html"
EPISODES_DIR = "episodes"

_LABELS = {
    "en": {"episodes": "Episodes", "chapters": "Chapters", "transcript": "Transcript", "notes": "Show notes",
           "subscribe": "Subscribe", "feed": "RSS feed", "podcast": "Open in a podcast app",
           "itpc": "itpc:// link", "none": "No episodes yet.", "all": "All episodes",
           "speakers": "Speakers", "made": "Made with", "no_audio": "Your browser cannot play this audio: "},
    "zh-Hant": {"episodes": "單集", "chapters": "章節", "transcript": "逐字稿", "notes": "節目筆記",
                "subscribe": "訂閱", "feed": "RSS 訂閱源", "podcast": "用 Podcast App 開啟",
                "itpc": "itpc:// 連結", "none": "還沒有單集。", "all": "全部單集", "speakers": "講者",
                "made": "製作工具", "no_audio": "瀏覽器無法播放，請下載："},
    "zh-Hans": {"episodes": "单集", "chapters": "章节", "transcript": "逐字稿", "notes": "节目笔记",
                "subscribe": "订阅", "feed": "RSS 订阅源", "podcast": "用播客应用打开",
                "itpc": "itpc:// 链接", "none": "还没有单集。", "all": "全部单集", "speakers": "讲者",
                "made": "制作工具", "no_audio": "浏览器无法播放，请下载："},
}


@dataclass(frozen=True)
class SiteContext:
    """Site-wide values decided by the publisher."""

    feed_url: str
    """Absolute public URL of ``feed.xml`` (for subscribe links)."""
    cover: str
    """Show artwork path relative to the output folder (``/``-separated), or empty when not local."""
    generator: str
    """``Recast <version>``."""


def labels(language: str) -> dict[str, str]:
    """UI words in the show's language (Traditional/Simplified Chinese or English)."""
    from pipeline.lang import SIMPLIFIED, TRADITIONAL, variant

    return _LABELS[{TRADITIONAL: "zh-Hant", SIMPLIFIED: "zh-Hans"}.get(variant(language), "en")]


def build_site(output_dir: Path, show: Show, rows: Sequence[EpisodeRow], ctx: SiteContext) -> Path:
    """Write ``index.html`` and every episode page; remove pages of unpublished episodes. Returns the index."""
    output_dir = Path(output_dir)
    pages = output_dir / EPISODES_DIR
    keep = set()
    for row in rows:
        name = episode_page(row.slug)[1]
        keep.add(name)
        atomic_write_text(pages / name, _episode_page(output_dir, show, row, ctx))
    if pages.is_dir():
        for stale in pages.glob("*.html"):
            if stale.name not in keep:
                stale.unlink(missing_ok=True)
    index = output_dir / SITE_INDEX
    atomic_write_text(index, _index_page(show, rows, ctx))
    return index


def clock(ms: int) -> str:
    """``1:02:03`` or ``2:03`` for a duration or position in ms."""
    s = max(0, ms) // 1000
    h, rest = divmod(s, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


# ------------------------------------------------------------------------------------------------ pages


def _index_page(show: Show, rows: Sequence[EpisodeRow], ctx: SiteContext) -> str:
    words = labels(show.language)
    doc, body = _document(show.language, show.title, prefix="", cover=ctx.cover)
    _site_header(body, show, ctx, prefix="", heading=True)
    main = _el(body, "main")
    if show.description and show.description != show.title:
        _el(main, "p", show.description, class_="description")
    _el(main, "h2", words["episodes"])
    if not rows:
        _el(main, "p", words["none"])
    listing = _el(main, "ol", class_="episodes")
    for row in rows:
        ed = row.edition
        li = _el(listing, "li")
        art = _el(li, "article")
        _el(_el(art, "h3"), "a", ed.title, href=rel_url(*episode_page(ed.slug)))
        _meta(art, row)
        _el(art, "p", ed.description, class_="summary")
    _subscribe(main, words, ctx)
    _footer(body, words, ctx)
    return _serialize(doc)


def _episode_page(output_dir: Path, show: Show, row: EpisodeRow, ctx: SiteContext) -> str:
    words = labels(show.language)
    ed = row.edition
    up = "../"
    media = lambda name: up + rel_url(ed.slug, name)  # noqa: E731
    doc, body = _document(show.language, f"{ed.title} · {show.title}", prefix=up, cover=ctx.cover)
    _site_header(body, show, ctx, prefix=up, heading=False)
    main = _el(body, "main")
    art = _el(main, "article", lang=ed.language) if ed.language != show.language else _el(main, "article")
    _el(art, "h1", ed.title)
    _meta(art, row)
    if ed.persons:
        _el(art, "p", f"{words['speakers']}: " + ", ".join(p.name for p in ed.persons), class_="meta")
    audio = _el(art, "audio", id="player", controls="controls", preload="metadata")
    for file in ed.audio:
        _el(audio, "source", src=media(file.name), type=_web_type(file))
    fallback = _el(audio, "p", words["no_audio"])
    _el(fallback, "a", ed.enclosure.name, href=media(ed.enclosure.name))
    _el(art, "p", "", id="now", class_="now", **{"aria-live": "off"})
    if ed.chapters:
        _el(art, "h2", words["chapters"])
        ol = _el(art, "ol", id="chapters", class_="chapters")
        for mark in ed.chapters:
            li = _el(ol, "li", **{"data-start": f"{mark.start_ms / 1000:.3f}"})
            button = _el(li, "button", type="button")
            _el(button, "span", clock(mark.start_ms), class_="clock").tail = " "
            _el(button, "span", mark.title)
    notes = notes_fragment(ed.shownotes_html)
    if notes:
        _el(art, "h2", words["notes"])
        section = _el(art, "section", class_="notes")
        parts = lhtml.fragments_fromstring(notes)
        if parts and isinstance(parts[0], str):
            section.text = parts.pop(0)
        for part in parts:
            section.append(part)
    segments = load_segments(output_dir / ed.slug)
    if segments:
        _el(art, "h2", words["transcript"])
        _transcript(_el(art, "div", class_="transcript-box"), segments)
    _subscribe(main, words, ctx, prefix=up)
    _footer(body, words, ctx)
    return _serialize(doc)


def _transcript(box: etree._Element, segments: list[TimedLine]) -> None:
    ol = _el(box, "ol", id="transcript", class_="transcript")
    previous = None
    for seg in segments:
        attrs = {"data-start": f"{seg.start_ms / 1000:.3f}", "data-end": f"{seg.end_ms / 1000:.3f}",
                 "data-speaker": seg.speaker}
        if seg.speaker == previous:
            attrs["class_"] = "cont"
        li = _el(ol, "li", **attrs)
        _el(li, "button", clock(seg.start_ms), type="button", class_="ts").tail = " "
        if seg.speaker:
            _el(li, "span", seg.speaker, class_="who").tail = " "
        _el(li, "span", seg.text, class_="said")
        previous = seg.speaker


# ---------------------------------------------------------------------------------------------- pieces


def _document(language: str, title: str, *, prefix: str, cover: str) -> tuple[etree._Element, etree._Element]:
    doc = etree.Element("html", lang=language)
    head = _el(doc, "head")
    _el(head, "meta", charset="utf-8")
    _el(head, "meta", name="viewport", content="width=device-width, initial-scale=1")
    _el(head, "title", title)
    _el(head, "link", rel="alternate", type="application/rss+xml", title=title, href=prefix + "feed.xml")
    _el(head, "link", rel="icon", href=prefix + cover if cover else "data:,")
    _el(head, "style", _asset("site.css"))
    body = _el(doc, "body")
    return doc, body


def _site_header(body: etree._Element, show: Show, ctx: SiteContext, *, prefix: str, heading: bool) -> None:
    header = _el(body, "header", class_="site")
    if ctx.cover:
        _el(header, "img", src=prefix + ctx.cover, alt="", width="72", height="72")
    holder = _el(header, "h1") if heading else _el(header, "div")
    _el(holder, "a", show.title, href=prefix + SITE_INDEX, class_="name")


def _meta(parent: etree._Element, row: EpisodeRow) -> None:
    p = _el(parent, "p", class_="meta")
    day = row.pub_date[:10]
    _el(p, "time", day, datetime=day)
    p[-1].tail = " · "
    _el(p, "span", clock(row.edition.duration_ms), class_="duration")


def _subscribe(main: etree._Element, words: dict, ctx: SiteContext, *, prefix: str = "") -> None:
    section = _el(main, "section", class_="subscribe")
    _el(section, "h2", words["subscribe"])
    links = subscribe_links(ctx.feed_url)
    p = _el(section, "p")
    _el(p, "a", words["feed"], href=links["feed"], type="application/rss+xml", class_="feed")
    _el(p, "a", words["podcast"], href=links["podcast"], class_="podcast-app")
    _el(p, "a", words["itpc"], href=links["itpc"], class_="itpc")
    _el(section, "p", links["feed"], class_="meta feed-url")


def _footer(body: etree._Element, words: dict, ctx: SiteContext) -> None:
    _el(body, "footer", f"{words['made']} {ctx.generator}", class_="site")
    _el(body, "script", _asset("player.js"))


def _el(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    el = etree.SubElement(parent, tag)
    for key, value in attrs.items():
        el.set(key.rstrip("_"), xml_safe(value))
    if text is not None:
        el.text = xml_safe(text)
    return el


def _web_type(file) -> str:
    """The ``<source type>`` browsers know for an audio file (the edition contract's HTTP type)."""
    known = {f.name: f.http_type for f in AUDIO_FILES.values()}
    return known.get(file.name, file.mime)


def _serialize(doc: etree._Element) -> str:
    return lhtml.tostring(doc, doctype="<!DOCTYPE html>", encoding="unicode", method="html") + "\n"


@functools.lru_cache(maxsize=None)
def _asset(name: str) -> str:
    return (Path(__file__).parent / "assets" / name).read_text("utf-8")
