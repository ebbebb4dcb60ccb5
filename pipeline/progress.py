"""Progress of long stages: the reporting protocol (no terminal code here; see ``pipeline.ui``) and the
per-stage :class:`Timer` behind ``stats.timings``."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import Protocol


class Progress(Protocol):
    """Receives progress of a long stage. Implementations must be cheap and thread-safe enough for asyncio."""

    def start(self, label: str, total: int) -> None:
        """A stage with ``total`` units of work begins."""

    def advance(self, units: int = 1, audio_seconds: float = 0.0) -> None:
        """``units`` more are done; ``audio_seconds`` of audio were produced by them."""

    def note(self, message: str) -> None:
        """A one-line notice for the user (e.g. engine fallback, retries)."""

    def finish(self) -> None:
        """The current stage is over."""


class NullProgress:
    """Progress that shows nothing (library use, ``--quiet``, tests)."""

    def start(self, label: str, total: int) -> None:  # noqa: D102
        pass

    def advance(self, units: int = 1, audio_seconds: float = 0.0) -> None:  # noqa: D102
        pass

    def note(self, message: str) -> None:  # noqa: D102
        pass

    def finish(self) -> None:  # noqa: D102
        pass


class Timer:
    """Per-stage wall-clock timings for ``stats.timings`` (seconds): ``with timer("mix"): …``."""

    def __init__(self) -> None:
        self._t0 = time.monotonic()
        self._timings: dict[str, float] = {}

    @contextlib.contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        t = time.monotonic()
        try:
            yield
        finally:
            self._timings[stage] = round(self._timings.get(stage, 0.0) + time.monotonic() - t, 3)

    def timings(self) -> dict[str, float]:
        """Every stage's seconds so far, and ``total`` since the timer was made."""
        out = dict(self._timings)
        out["total"] = round(time.monotonic() - self._t0, 3)
        return out
