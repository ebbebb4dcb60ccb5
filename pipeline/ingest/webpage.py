"""HTML transcripts: a saved web page, or a Podcasting 2.0 HTML transcript (lxml and trafilatura live here).

A **Podcasting 2.0 HTML transcript** (the namespace's transcript document: ``<cite>Name:</cite>``,
``<time>0:00</time>``, then the speech in ``<p>`` elements) is read element by element: each ``<cite>``
starts a turn, ``<p>`` paragraphs are its speech, ``<time>`` is metadata.

A **saved page** (a podcast site's episode page, a news article) is reduced to its main content by
trafilatura — navigation, skip links, players, share and subscribe boxes, sidebars, footers and embed code
fall away — and the text that is left is read like any copied transcript (speaker labels learned from the
document). The title comes from the page's own metadata (``og:title``, the headline) rather than the
``<title>`` with its site suffix; the date from the page's metadata when the text states none.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

from pipeline.errors import BadInput
from pipeline.ingest.draft import Draft
from pipeline.ingest.labels import LabelParts, parse_label
from pipeline.model import Script, SourceInfo

#: ``Episode 88: Title – Show Name``, ``標題 - 新聞與活動 - 某某全球資訊網``: a site name after the headline.
_SITE_SUFFIX = re.compile(r"\s+[|–—\-·•]\s+[^|–—\-·•]{2,60}$")
_BLOCKS = {"p", "div", "li", "br", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article", "blockquote",
           "dd", "dt", "pre"}


def parse_html(text: str, source: SourceInfo, fallback_title: str,
               read_text: Callable[[str], Script]) -> Script:
    """A script from HTML. ``read_text`` reads plain transcript text (the page's main content)."""
    from lxml import etree, html

    try:
        doc = html.fromstring(text)
    except (etree.ParserError, ValueError) as err:
        raise BadInput(f"{source.path}: not readable as HTML ({err})") from err
    if len(doc.xpath("//cite")) >= 2:
        return _podcasting_html(doc, source, fallback_title)
    body = _main_text(text) or _block_text(doc)
    if not body.strip():
        raise BadInput(f"{source.path}: the page has no text")
    title, published = _metadata(text, doc)
    if title and title not in body[:1000]:
        body = f"{title}\n\n{body}"  # the headline heads the text, where a copied transcript has it
    script = dataclasses.replace(read_text(body), source=source)
    if published is None and script.published is None:  # 中華民國108年2月22日 in a date <div>
        from pipeline.ingest.header import date_line

        published = next((d for line in _block_text(doc).split("\n") if (d := date_line(line)) is not None), None)
    if published is not None and script.published is None:
        script = dataclasses.replace(script, published=published)
    return script


def _podcasting_html(doc, source: SourceInfo, fallback_title: str) -> Script:
    titles = doc.xpath("//title/text()")
    draft = Draft(title=" ".join(titles[0].split()) if titles else "")
    for el in doc.iter("cite", "p"):
        said = " ".join(el.text_content().split())
        if el.tag == "cite":
            name = said.rstrip(":：").strip()
            if name:
                draft.turn(parse_label(name) or LabelParts(name, name))
        elif said and not draft.paragraph(said):
            draft.description.append(said)
    return draft.build(source, fallback_title)


def _main_text(text: str) -> str:
    """The page's main content as lines of text (trafilatura), or "" when it finds none."""
    import trafilatura

    found = trafilatura.extract(text, output_format="txt", include_comments=False, include_tables=True,
                                include_images=False, include_links=False, favor_recall=True,
                                deduplicate=False, with_metadata=False)
    return found or ""


def _block_text(doc) -> str:
    """Every block of the page on its own line (when the extractor finds no main content)."""
    for bad in doc.xpath("//script|//style|//noscript|//template|//iframe|//nav|//header|//footer"):
        bad.drop_tree()
    lines: list[str] = []
    current: list[str] = []
    for event, el in _walk(doc):
        if event == "text":
            current.append(el)
        elif el in _BLOCKS and current:
            lines.append(" ".join("".join(current).split()))
            current = []
    if current:
        lines.append(" ".join("".join(current).split()))
    return "\n".join(ln for ln in lines if ln)


def _walk(el):
    if isinstance(el.tag, str):
        yield "start", el.tag
        if el.text:
            yield "text", el.text
        for child in el:
            yield from _walk(child)
            if child.tail:
                yield "text", child.tail
        yield "end", el.tag


def _metadata(text: str, doc) -> tuple[str, object]:
    """(headline, publication date) from the page's metadata."""
    import datetime as dt

    import trafilatura

    meta = trafilatura.extract_metadata(text)
    title = ""
    og = doc.xpath("//meta[@property='og:title']/@content")
    h1 = [" ".join(h.text_content().split()) for h in doc.xpath("//h1")]
    for candidate in (og[0] if og else "", h1[0] if h1 else "", getattr(meta, "title", "") or ""):
        candidate = " ".join(str(candidate).split())
        if candidate:
            title = _SITE_SUFFIX.sub("", candidate) if candidate == (getattr(meta, "title", "") or "") else candidate
            break
    published = None
    raw = getattr(meta, "date", None)
    if raw:
        try:
            published = dt.date.fromisoformat(str(raw)[:10])
        except ValueError:
            published = None
    return title, published
