"""The spoken summary intro that opens every edition.

``summarize(script)`` picks 3–5 key points from the dialogue (extractive, offline, deterministic: see
:mod:`pipeline.summary.rank`) or takes the source's own key points (``mode="source"``), and words an intro
of about 45–90 seconds: greeting, episode title, who is talking, the key points, the chapter overview and
a hand-over into the first chapter (:mod:`pipeline.summary.templates`).
"""

from __future__ import annotations

import re

from pipeline.errors import BadInput
from pipeline.lang import label, script_variant
from pipeline.model import Cast, Script, Summary
from pipeline.summary import rank
from pipeline.summary import text as tx
from pipeline.summary.templates import TARGET_SECONDS, IntroParts, description_roles, estimate_seconds, fit

__all__ = ["summarize", "intro_chapter_title", "estimate_seconds", "TARGET_SECONDS"]

MIN_POINTS = 3
"""Fewest points the intro keeps when it has to shorten (fewer only when the dialogue has fewer)."""


def intro_chapter_title(language: str) -> str:
    """Title of the intro chapter: ``節目簡介`` (Traditional), ``节目简介`` (Simplified), else ``Introduction``."""
    return label("introduction", language)


def summarize(script: Script, *, mode: str = "auto", cast: Cast | None = None, max_points: int = 5,
              show: str | None = None) -> Summary:
    """The spoken intro of ``script``.

    ``mode="auto"`` generates the key points from the dialogue only (never from the source's key points);
    ``mode="source"`` reads the source's own key points. ``cast`` (optional) tells hosts from guests;
    ``show`` (optional) is the show name the greeting welcomes listeners to.
    """
    if mode not in ("auto", "source"):
        raise BadInput(f"unknown intro mode {mode!r}: use auto or source")
    if max_points < 1:
        raise BadInput(f"max_points must be at least 1, not {max_points}")
    sample = "".join(t.text for t in script.turns[:40])[:4000] + script.title
    lang = script_variant(script)
    cjk = lang != "en" or tx.is_cjk_text(sample)

    if mode == "source":
        if not script.key_points:
            raise BadInput("this transcript has no key points; use --intro auto")
        points = [p for p in (_source_point(kp, cjk) for kp in script.key_points) if p][:max_points]
        drop_order = list(reversed(range(len(points))))
        points_by = None
    else:
        sentences = rank.split_dialogue(script, cjk)
        picked = rank.select(rank.candidates(script, sentences, cjk, cast, n_blocks=max_points), max_points)
        points = [c.point for c in picked]
        # Trim the weakest points first, but those whose topic (chapter or block) another point already
        # covers before any that is the only one for its topic.
        group_size = {g: sum(1 for c in picked if c.group == g) for g in {c.group for c in picked}}
        drop_order = sorted(range(len(picked)), key=lambda i: (group_size[picked[i].group] == 1,
                                                               picked[i].score, -i))
        speakers = {c.sentence.speaker for c in picked}
        points_by = script.speaker(speakers.pop()).name if len(speakers) == 1 and len(script.speakers) > 1 else None

    parts = IntroParts(
        title=script.title.strip(),
        people=_people(script, lang),
        points=tuple(points),
        points_by=points_by,
        chapters=tuple(c.title for c in script.chapters),
        hand_over=script.chapters[0].title if script.chapters and script.chapters[0].start_turn == 0 else None,
        show=show,
        proper_words=frozenset() if cjk else _proper_words(script),
    )
    parts, intro = fit(parts, lang, drop_order, min(MIN_POINTS, max_points))
    return Summary(points=parts.points, intro=intro, mode=mode)


def _people(script: Script, lang: str) -> tuple[tuple[str, str, bool], ...]:
    """(name, role, role-before-name) for everyone who speaks; roles only when the source states them."""
    speaking = {t.speaker for t in script.turns}
    roles = description_roles(script)
    out = []
    for sp in script.speakers:
        if sp.id not in speaking:
            continue
        role, before = roles.get(sp.id, ("", True))
        if not role and sp.role == "host":
            role = label("host", lang)
        out.append((sp.name, role, before))
    return tuple(out)


def _proper_words(script: Script) -> frozenset[str]:
    """Capitalized words the source writes mid-sentence (names), plus the speakers' names."""
    text = " ".join([script.description, *(t.spoken_text for t in script.turns)])  # titles are Title Case
    names = {w for sp in script.speakers for w in re.findall(r"[A-Za-z]+", sp.name)}
    return frozenset(re.findall(r"(?<=[A-Za-z0-9,;:] )[A-Z][a-z]+", text)) | names


def _source_point(key_point: str, cjk: bool) -> str | None:
    """A source key point in spoken form: its lead phrase when written ``lead：explanation``, else condensed."""
    limits = rank.ZH_LIMITS if cjk else rank.EN_LIMITS
    text = " ".join(key_point.split())
    for sep in ("：", ":", " — ", " – "):
        head, found, tail = text.partition(sep)
        if found and tail.strip() and limits.min_units // 2 <= tx.units(head, cjk) <= limits.max_units:
            return tx.condense(head, cjk, limits.max_units)
    condensed = tx.condense(text, cjk, limits.max_units)
    if condensed:
        return condensed
    first = tx.sentences(text, cjk)
    return tx.condense(first[0], cjk, limits.max_units * 2) if first else None
