"""Edition chapters in time: where each chapter's speech starts once the mixer has placed every clip."""

from __future__ import annotations

from pipeline.lang import label, script_variant
from pipeline.model import Placement, Script, TimedChapter


def timed_chapters(script: Script, placements: tuple[Placement, ...], duration_ms: int) -> tuple[TimedChapter, ...]:
    """Edition chapters: the intro (at 0) then the script's chapters, each starting where its speech starts.

    Turns before the first heading form an "Opening" chapter; a script without headings gets one
    chapter for the whole conversation. Chapters without speech are dropped. Titles the edition makes up
    (Introduction, Opening, Conversation) are in the script's language (:func:`pipeline.lang.script_variant`).
    """
    words = script_variant(script)
    starts: list[tuple[str, int]] = []
    seen: set[object] = set()
    for p in placements:
        req = p.request
        key: object = "intro" if req.turn is None else ("chapter", req.chapter)
        if key in seen:
            continue
        seen.add(key)
        if req.turn is None:
            title = label("introduction", words)
        elif req.chapter is None:
            title = label("opening" if script.chapters else "conversation", words)
        else:
            title = script.chapters[req.chapter].title
        starts.append((title, p.start_ms))
    if starts:
        starts[0] = (starts[0][0], 0)
    chapters = []
    for i, (title, start) in enumerate(starts):
        end = starts[i + 1][1] if i + 1 < len(starts) else duration_ms
        chapters.append(TimedChapter(title=title, start_ms=start, end_ms=max(end, start)))
    return tuple(chapters)
