"""Progress reporting protocol for long stages (no terminal code here; see ``pipeline.ui``)."""

from __future__ import annotations

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
