"""Is a clip complete? Checks against silent partial loss, run on every attempt's audio.

edge-tts ends quietly when the socket closes before ``turn.end`` (rany2/edge-tts#190), so a cut clip looks
like a good one. A clip counts as cut short (:class:`~pipeline.synth.engines.ShortAudio`) when it is shorter
than its text needs at the fastest rate anyone speaks (:data:`pipeline.lang.FASTEST`, scaled by the voice's
rate), shorter than the engine's own last sentence (beyond :data:`TOLERANCE_MS`), or when the engine's
sentences stop before the end of the text. The scheduler (:mod:`pipeline.synth.scheduler`) then asks again.
"""

from __future__ import annotations

import re

from pipeline.lang import FASTEST
from pipeline.model import Request, Synthesis
from pipeline.synth.engines import ShortAudio

TOLERANCE_MS = 120
"""How far the engine's last sentence may end past the audio before the clip counts as cut short."""

_NON_WORD = re.compile(r"\W+")


def minimum_ms(text: str, rate: int = 0) -> int:
    """The least audio any voice needs for ``text`` at ``rate`` percent (conservative)."""
    return int(FASTEST.ms(text, rate))


def _norm(text: str) -> str:
    return _NON_WORD.sub("", text).lower()


def check_complete(request: Request, synthesis: Synthesis) -> None:
    """Raise :class:`~pipeline.synth.engines.ShortAudio` when a clip is cut short (see the module docstring)."""
    duration = synthesis.duration_ms
    need = minimum_ms(request.text, request.voice.rate)
    if duration < need:
        raise ShortAudio(f"audio is {duration} ms long but the text needs at least {need} ms",
                         synthesis=synthesis)
    if not synthesis.sentences:
        return
    last = max(s.end_ms for s in synthesis.sentences)
    if last > duration + TOLERANCE_MS:
        raise ShortAudio(f"audio stops at {duration} ms but its last sentence ends at {last} ms",
                         synthesis=synthesis)
    text = _norm(request.text)
    spoken = _norm("".join(s.text for s in synthesis.sentences))
    if text and not (spoken.endswith(text[-6:]) or len(spoken) >= len(text)):
        raise ShortAudio("the engine's sentences stop before the end of the text", synthesis=synthesis)
