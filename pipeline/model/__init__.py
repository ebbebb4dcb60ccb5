"""Typed, frozen data passed between Recast's stages.

ingest → :class:`Script`; cast → :class:`Cast`; prepare text → :class:`Request`; synthesize → :class:`Clip`;
mix → :class:`Placement` / :class:`Mix`; write outputs → files described by ``episode.json``.
Objects validate themselves on construction so later stages never have to wonder.

The types live in one module per stage (``script``, ``cast``, ``audio``, ``edition``); import them from
here.
"""

from pipeline.model.audio import (  # noqa: F401
    Clip,
    Loudness,
    Master,
    Placement,
    Request,
    Section,
    SentenceTiming,
    Synthesis,
    TimedChapter,
)
from pipeline.model.cast import Cast, Voice, VoiceSettings  # noqa: F401
from pipeline.model.edition import Edition, Summary  # noqa: F401
from pipeline.model.script import NARRATOR_ID, Chapter, Script, SourceInfo, Span, Speaker, Turn  # noqa: F401

__all__ = ['Cast', 'Chapter', 'Clip', 'Edition', 'Loudness', 'Master', 'NARRATOR_ID', 'Placement', 'Request', 'Script', 'Section', 'SentenceTiming', 'SourceInfo', 'Span', 'Speaker', 'Summary', 'Synthesis', 'TimedChapter', 'Turn', 'Voice', 'VoiceSettings']
