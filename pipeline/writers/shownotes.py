"""Show notes (Markdown and standalone HTML) and Podcasting 2.0 JSON chapters.

Both show-note files carry the same content, built once as :class:`Notes`: title, date and length, the
description, the intro's points, the speakers with role and voice, the source's own key points, the
chapter list with ``HH:MM:SS`` timestamps (from 00:00:00) and a source credit.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import PurePath

from pipeline import __version__
from pipeline.lang import colon, hms, is_cjk_language, label, narrator_name, script_variant, seconds
from pipeline.model import Edition


def chapters_json(edition: Edition) -> dict:
    """Podcasting 2.0 JSON chapters (version 1.2.0), ascending, times in seconds with ms precision."""
    return {"version": "1.2.0", "chapters": [
        {"startTime": seconds(c.start_ms), "endTime": seconds(c.end_ms), "title": c.title}
        for c in edition.chapters]}


@dataclass(frozen=True)
class Notes:
    """What the show notes say, independent of markup."""

    language: str
    title: str
    meta: tuple[str, ...]
    description: tuple[str, ...]
    points: tuple[str, ...]
    speakers: tuple[tuple[str, str], ...]
    """(name, "role · voice …")."""
    key_points: tuple[str, ...]
    chapters: tuple[tuple[str, str], ...]
    """(HH:MM:SS, title)."""
    credit: str


def notes(edition: Edition) -> Notes:
    """Collect the show notes' content from the edition."""
    script, cast, lang = edition.script, edition.cast, edition.script.language
    words = script_variant(script)  # the written form of the labels, as every stage reads the tag
    sep = colon(lang)
    meta = []
    if script.published:
        meta.append(f"{label('published', words)}{sep}{script.published.isoformat()}")
    meta.append(f"{label('duration', words)}{sep}{hms(edition.duration_ms)}")
    meta.append(edition.show_title)
    speakers = []
    for sp in script.speakers:
        role = label(cast.role_of(sp.id), words)
        speakers.append((sp.name, f"{role} · {label('voice', words)} {cast.voice_for(sp.id).describe()}"))
    if edition.summary is not None:
        speakers.append((narrator_name(words), f"{label('voice', words)} {cast.narrator.describe()}"))
    source = PurePath(script.source.path).name or script.source.path
    engine = edition.engine_version if edition.engine in edition.engine_version else \
        f"{edition.engine} {edition.engine_version}".strip()
    facts = [script.source.format] + ([script.published.isoformat()] if script.published else [])
    details = ("，" if is_cjk_language(lang) else ", ").join(facts)
    if is_cjk_language(lang):
        credit = (f"{label('credit', words)}（Recast {__version__}，{engine}）。"
                  f"{label('source', words)}{sep}{source}（{details}）。")
    else:
        credit = (f"{label('credit', words)} (Recast {__version__}, {engine}). "
                  f"{label('source', words)}{sep}{source} ({details}).")
    return Notes(
        language=lang, title=script.title, meta=tuple(meta),
        description=tuple(p.strip() for p in script.description.split("\n") if p.strip()),
        points=tuple(edition.summary.points) if edition.summary else (),
        speakers=tuple(speakers), key_points=tuple(script.key_points),
        chapters=tuple((hms(c.start_ms), c.title) for c in edition.chapters), credit=credit,
    )


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")


def _md(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def to_markdown(n: Notes) -> str:
    """``shownotes.md``."""
    out = [f"# {_md(n.title)}", "", " · ".join(_md(m) for m in n.meta), ""]
    for para in n.description:
        out += [_md(para), ""]
    for key, items in (("summary", n.points), ("key_points", n.key_points)):
        if items:
            out += [f"## {label(key, n.language)}", "", *[f"- {_md(p)}" for p in items], ""]
    out += [f"## {label('speakers', n.language)}", "", *[f"- **{_md(a)}** — {_md(b)}" for a, b in n.speakers], ""]
    out += [f"## {label('chapters', n.language)}", "", *[f"- {t} {_md(title)}" for t, title in n.chapters], ""]
    out += [f"## {label('source', n.language)}", "", _md(n.credit), ""]
    return "\n".join(out)


def to_html(n: Notes) -> str:
    """``shownotes.html``: a standalone, valid HTML5 page (charset, lang, everything escaped)."""
    e = html.escape
    body = [f"<h1>{e(n.title)}</h1>", f"<p class=\"meta\">{' · '.join(e(m) for m in n.meta)}</p>"]
    body += [f"<p>{e(p)}</p>" for p in n.description]
    for key, items in (("summary", n.points), ("key_points", n.key_points)):
        if items:
            body.append(f"<h2>{e(label(key, n.language))}</h2>")
            body.append("<ul>" + "".join(f"<li>{e(p)}</li>" for p in items) + "</ul>")
    body.append(f"<h2>{e(label('speakers', n.language))}</h2>")
    body.append("<ul>" + "".join(f"<li><strong>{e(a)}</strong> — {e(b)}</li>" for a, b in n.speakers) + "</ul>")
    body.append(f"<h2>{e(label('chapters', n.language))}</h2>")
    body.append("<ol class=\"chapters\">" + "".join(
        f"<li><time>{t}</time> {e(title)}</li>" for t, title in n.chapters) + "</ol>")
    body.append(f"<h2>{e(label('source', n.language))}</h2>")
    body.append(f"<p>{e(n.credit)}</p>")
    return "\n".join([
        "<!DOCTYPE html>",
        f"<html lang=\"{e(n.language)}\">",
        "<head>",
        "<meta charset=\"utf-8\">",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
        f"<title>{e(n.title)}</title>",
        "<style>body{font-family:system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;"
        "line-height:1.6}.meta{color:#555}time{font-variant-numeric:tabular-nums;margin-right:.5em}</style>",
        "</head>",
        "<body>",
        "<article>",
        *body,
        "</article>",
        "</body>",
        "</html>",
        "",
    ])
