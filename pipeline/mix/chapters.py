"""Edition chapters in time: where each chapter's speech starts once the mixer has placed every clip."""

from __future__ import annotations

from pipeline.model import Placement, Script, Summary, TimedChapter


def intro_title(language: str) -> str:
    """Title of the intro chapter in the script's language."""
    from pipeline.summary import intro_chapter_title

    return intro_chapter_title(language)


_OPENING = {"zh-TW": "開場", "zh-CN": "开场", "zh-HK": "開場"}
_CONVERSATION = {"zh-TW": "對談", "zh-CN": "对谈", "zh-HK": "對談"}


def timed_chapters(script: Script, summary: Summary | None, placements: tuple[Placement, ...],
                   duration_ms: int) -> tuple[TimedChapter, ...]:
    """Edition chapters: the intro (at 0) then the script's chapters, each starting where its speech starts.

    Turns before the first heading form an "Opening" chapter; a script without headings gets one
    chapter for the whole conversation. Chapters without speech are dropped.
    """
    starts: list[tuple[str, int]] = []
    seen: set[object] = set()
    for p in placements:
        req = p.request
        key: object = "intro" if req.turn is None else ("chapter", req.chapter)
        if key in seen:
            continue
        seen.add(key)
        if req.turn is None:
            title = intro_title(script.language)
        elif req.chapter is None:
            title = (_OPENING if script.chapters else _CONVERSATION).get(
                script.language, "Opening" if script.chapters else "Conversation")
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
