"""Text writers of an edition (chapters, transcripts, show notes): one class per file, in a registry.

Each file's name and MIME type are the edition contract's (:mod:`pipeline.edition`).
"""

from __future__ import annotations

import json
from typing import Protocol

from pipeline import edition as contract
from pipeline.model import Edition
from pipeline.writers import shownotes, transcript


class TextWriter(Protocol):
    """Renders one text file of the edition."""

    name: str
    """File name in the edition folder."""
    mime: str
    """MIME type for the manifest and the feed."""

    def render(self, edition: Edition) -> str:
        """The file's content."""


def _json(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


class ChaptersJsonWriter:
    """``chapters.json``: Podcasting 2.0 JSON chapters."""

    name = contract.CHAPTERS.name
    mime = contract.CHAPTERS.mime

    def render(self, edition: Edition) -> str:
        return _json(shownotes.chapters_json(edition))


class VttWriter:
    """``transcript.vtt``: WebVTT captions with voice tags."""

    name = contract.TRANSCRIPT_VTT.name
    mime = contract.TRANSCRIPT_VTT.mime

    def render(self, edition: Edition) -> str:
        return transcript.to_vtt(transcript.cues(transcript.segments(edition), edition.script.language))


class SrtWriter:
    """``transcript.srt``: SubRip captions, ``Speaker: `` at speaker changes."""

    name = contract.TRANSCRIPT_SRT.name
    mime = contract.TRANSCRIPT_SRT.mime

    def render(self, edition: Edition) -> str:
        segs = transcript.segments(edition)
        return transcript.to_srt(transcript.cues(segs, edition.script.language, prefix_names=True))


class TranscriptJsonWriter:
    """``transcript.json``: Podcasting 2.0 JSON transcript (one segment per sentence)."""

    name = contract.TRANSCRIPT_JSON.name
    mime = contract.TRANSCRIPT_JSON.mime

    def render(self, edition: Edition) -> str:
        return _json(transcript.to_json(transcript.segments(edition)))


class MarkdownNotesWriter:
    """``shownotes.md``."""

    name = contract.SHOWNOTES_MD.name
    mime = contract.SHOWNOTES_MD.mime

    def render(self, edition: Edition) -> str:
        return shownotes.to_markdown(shownotes.notes(edition))


class HtmlNotesWriter:
    """``shownotes.html``."""

    name = contract.SHOWNOTES_HTML.name
    mime = contract.SHOWNOTES_HTML.mime

    def render(self, edition: Edition) -> str:
        return shownotes.to_html(shownotes.notes(edition))


#: Every text file of an edition, in the order they are written.
TEXT_WRITERS: dict[str, type] = {
    "chapters": ChaptersJsonWriter,
    "vtt": VttWriter,
    "srt": SrtWriter,
    "transcript-json": TranscriptJsonWriter,
    "shownotes-md": MarkdownNotesWriter,
    "shownotes-html": HtmlNotesWriter,
}
