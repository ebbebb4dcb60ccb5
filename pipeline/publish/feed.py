"""``feed.xml``: the show's podcast RSS 2.0 feed, built as an element tree with lxml (never by string pasting).

Namespaces: ``itunes`` (Apple), ``content`` (show notes HTML), ``atom`` (self link), ``psc`` (Podlove Simple
Chapters, inline chapter marks) and ``podcast`` (Podcasting 2.0).

**The podcast namespace URL — decision.** The Podcasting 2.0 spec says to declare
``xmlns:podcast="https://podcastindex.org/namespace/1.0"``; that is what Podcast Index, prefix-matching parsers
(which look for the literal ``podcast:`` prefix) and current namespace-aware apps read. AntennaPod accepts it
and also the older GitHub document URL. gPodder's podcastparser (0.6.11 here) knows *only* the GitHub URL
(``https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md``), so with the official URL alone
it sees no chapters and no transcript. We therefore:

* write every Podcasting 2.0 element under the official namespace with the ``podcast`` prefix, and
* repeat the two URL-valued episode links gPodder uses — ``chapters`` and one ``transcript`` (WebVTT) — under
  the GitHub URL with the prefix ``podcastgh`` (:data:`PODCAST_NS_GITHUB`).

The repeats are harmless where both URLs are understood (AntennaPod): they carry the same URL, so the chapter
link and the chosen transcript are the same. Persons are *not* repeated — a list-valued element read twice
would show every speaker twice — so podcastparser lists no ``persons``. ``tests/publish/test_feed.py::
test_namespace_decision`` shows both consequences (chapters/transcript visible to podcastparser only with the
repeats; persons never). ``build_feed(..., github_compat=False)`` leaves the repeats out.

Everything in the feed is deterministic: ``lastBuildDate`` is the newest episode's ``pubDate`` (not the wall
clock), so writing the feed twice from the same catalogue gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from email.utils import format_datetime

from lxml import etree

from pipeline.edition import TRANSCRIPT_SRT, TRANSCRIPT_VTT
from pipeline.publish.catalogue import EpisodeRow
from pipeline.publish.notes import notes_fragment, xml_safe
from pipeline.publish.reader import EditionInfo
from pipeline.publish.show import Show
from pipeline.publish.urls import file_url

ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
ATOM_NS = "http://www.w3.org/2005/Atom"
PODCAST_NS = "https://podcastindex.org/namespace/1.0"
PODCAST_NS_GITHUB = "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md"
PSC_NS = "http://podlove.org/simple-chapters"
_DESCRIPTION_LIMIT = 4000  # Apple's limit for description / itunes:summary


@dataclass(frozen=True)
class FeedContext:
    """Feed-wide values decided by the publisher."""

    base_url: str
    """Public URL of the output folder, ending with ``/``."""
    feed_url: str
    """Public URL of ``feed.xml``."""
    podcast_guid: str
    """podcast:guid of the show (fixed at first publish)."""
    cover_url: str
    """Absolute URL of the show artwork, or empty."""
    generator: str
    """``Recast <version>``."""
    github_compat: bool = True
    """Repeat chapters and the VTT transcript under the GitHub namespace URL (see the module docstring)."""


def episode_page(slug: str) -> tuple[str, str]:
    """Path parts of an episode's page in the site (relative to the output folder)."""
    return ("episodes", f"{slug}.html")


def rfc2822(iso: str) -> str:
    """RFC 2822 date (``Tue, 22 Oct 2024 12:00:00 GMT``) of an ISO 8601 UTC time."""
    moment = dt.datetime.fromisoformat(iso).astimezone(dt.timezone.utc)
    return format_datetime(moment, usegmt=True)


def episode_numbers(show: Show, rows: Sequence[EpisodeRow]) -> dict[str, int]:
    """itunes:episode per slug: the number given at publish; serial shows number the rest in publish order."""
    numbers = {r.slug: r.number for r in rows if r.number is not None}
    if show.type == "serial":
        for rank, row in enumerate(sorted(rows, key=lambda r: r.seq), 1):
            numbers.setdefault(row.slug, rank)
    return numbers


def build_feed(show: Show, rows: Sequence[EpisodeRow], ctx: FeedContext) -> bytes:
    """The feed XML (UTF-8 bytes) for ``show`` with ``rows`` (newest first)."""
    nsmap = {"itunes": ITUNES_NS, "content": CONTENT_NS, "atom": ATOM_NS, "podcast": PODCAST_NS,
             "psc": PSC_NS}
    if ctx.github_compat:
        nsmap["podcastgh"] = PODCAST_NS_GITHUB
    rss = etree.Element("rss", nsmap=nsmap)
    rss.set("version", "2.0")
    ch = _sub(rss, "channel")
    link = show.link or ctx.base_url
    _sub(ch, "title", show.title)
    _sub(ch, "link", link)
    _sub(ch, "description", _clip(show.description or show.title))
    _sub(ch, "language", show.language)
    if show.copyright:
        _sub(ch, "copyright", show.copyright)
    _sub(ch, "generator", ctx.generator)
    if rows:
        _sub(ch, "lastBuildDate", rfc2822(max(r.pub_date for r in rows)))
    _sub(ch, f"{{{ATOM_NS}}}link", href=ctx.feed_url, rel="self", type="application/rss+xml")
    if show.author:
        _sub(ch, f"{{{ITUNES_NS}}}author", show.author)
    _sub(ch, f"{{{ITUNES_NS}}}type", show.type)
    if show.owner.email:
        owner = _sub(ch, f"{{{ITUNES_NS}}}owner")
        _sub(owner, f"{{{ITUNES_NS}}}name", show.owner.name or show.author or show.title)
        _sub(owner, f"{{{ITUNES_NS}}}email", show.owner.email)
    if ctx.cover_url:
        _sub(ch, f"{{{ITUNES_NS}}}image", href=ctx.cover_url)
        image = _sub(ch, "image")
        _sub(image, "url", ctx.cover_url)
        _sub(image, "title", show.title)
        _sub(image, "link", link)
    cat = _sub(ch, f"{{{ITUNES_NS}}}category", text=show.category)
    if show.subcategory:
        _sub(cat, f"{{{ITUNES_NS}}}category", text=show.subcategory)
    _sub(ch, f"{{{ITUNES_NS}}}explicit", "true" if show.explicit else "false")
    _sub(ch, f"{{{PODCAST_NS}}}guid", ctx.podcast_guid)
    locked = _sub(ch, f"{{{PODCAST_NS}}}locked", "yes" if show.locked else "no")
    if show.owner.email:
        locked.set("owner", show.owner.email)
    _sub(ch, f"{{{PODCAST_NS}}}medium", "podcast")
    numbers = episode_numbers(show, rows)
    for row in rows:
        _item(ch, show, row, numbers.get(row.slug), ctx)
    return etree.tostring(rss, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _item(ch: etree._Element, show: Show, row: EpisodeRow, number: int | None, ctx: FeedContext) -> None:
    ed: EditionInfo = row.edition
    url = _file_urls(ctx.base_url, ed.slug)
    item = _sub(ch, "item")
    _sub(item, "title", ed.title)
    _sub(item, "link", file_url(ctx.base_url, *episode_page(ed.slug)))
    _sub(item, "guid", row.guid, isPermaLink="false")
    _sub(item, "pubDate", rfc2822(row.pub_date))
    _sub(item, "description", _clip(ed.description))
    notes = notes_fragment(ed.shownotes_html)
    if notes:
        encoded = _sub(item, f"{{{CONTENT_NS}}}encoded")
        notes = xml_safe(notes)
        encoded.text = etree.CDATA(notes) if "]]>" not in notes else notes
    enc = ed.enclosure
    _sub(item, "enclosure", url=url(enc.name), length=str(enc.bytes), type=enc.mime)
    _sub(item, f"{{{ITUNES_NS}}}title", ed.title)
    _sub(item, f"{{{ITUNES_NS}}}duration", str(max(1, round(ed.duration_ms / 1000))))
    if number is not None:
        _sub(item, f"{{{ITUNES_NS}}}episode", str(number))
    if row.season is not None:
        _sub(item, f"{{{ITUNES_NS}}}season", str(row.season))
    _sub(item, f"{{{ITUNES_NS}}}episodeType", "full")
    if ed.cover is not None:
        _sub(item, f"{{{ITUNES_NS}}}image", href=url(ed.cover.name))
    _sub(item, f"{{{ITUNES_NS}}}summary", _clip(ed.description))
    _sub(item, f"{{{ITUNES_NS}}}explicit", "true" if show.explicit else "false")
    if ed.chapters_file is not None:
        _sub(item, f"{{{PODCAST_NS}}}chapters", url=url(ed.chapters_file.name), type=ed.chapters_file.mime)
    for tr in ed.transcripts:
        attrs = {"url": url(tr.name), "type": tr.mime, "language": ed.language}
        if tr.mime in (TRANSCRIPT_VTT.mime, TRANSCRIPT_SRT.mime):
            attrs["rel"] = "captions"
        _sub(item, f"{{{PODCAST_NS}}}transcript", **attrs)
    for person in ed.persons:
        _sub(item, f"{{{PODCAST_NS}}}person", person.name, role=person.role, group="cast")
    seconds = max(ed.duration_ms / 1000, 0.001)
    for i, audio in enumerate(ed.audio):
        alt = _sub(item, f"{{{PODCAST_NS}}}alternateEnclosure", type=audio.mime, length=str(audio.bytes),
                   bitrate=str(round(audio.bytes * 8 / seconds)), default="true" if i == 0 else "false")
        _sub(alt, f"{{{PODCAST_NS}}}source", uri=url(audio.name))
    if ed.chapters:
        psc = _sub(item, f"{{{PSC_NS}}}chapters", version="1.2")
        for mark in ed.chapters:
            _sub(psc, f"{{{PSC_NS}}}chapter", start=_npt(mark.start_ms), title=mark.title)
    if ctx.github_compat:
        if ed.chapters_file is not None:
            _sub(item, f"{{{PODCAST_NS_GITHUB}}}chapters", url=url(ed.chapters_file.name),
                 type=ed.chapters_file.mime)
        vtt = next((t for t in ed.transcripts if t.mime == TRANSCRIPT_VTT.mime), None)
        if vtt is not None:
            _sub(item, f"{{{PODCAST_NS_GITHUB}}}transcript", url=url(vtt.name), type=vtt.mime,
                 language=ed.language, rel="captions")


def _file_urls(base_url: str, slug: str):
    return lambda name: file_url(base_url, slug, name)


def _sub(parent: etree._Element, tag: str, text: str | None = None, /, **attrs: str) -> etree._Element:
    el = etree.SubElement(parent, tag)
    for key, value in attrs.items():
        el.set(key, xml_safe(value))
    if text is not None:
        el.text = xml_safe(text)
    return el


def _clip(text: str) -> str:
    text = text.strip()
    return text if len(text) <= _DESCRIPTION_LIMIT else text[: _DESCRIPTION_LIMIT - 1].rstrip() + "…"


def _npt(ms: int) -> str:
    """Normal play time ``HH:MM:SS.mmm`` (Podlove Simple Chapters)."""
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, milli = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{milli:03d}"
