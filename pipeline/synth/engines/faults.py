"""Failures an engine reports for one attempt; the scheduler (:mod:`pipeline.synth.scheduler`) reads ``retryable``.

They are :class:`~pipeline.errors.SynthesisError` subclasses, so a caller that uses an engine directly
still gets one clear line and exit code 3.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pipeline.errors import SynthesisError

if TYPE_CHECKING:
    from pipeline.model import Synthesis


class EngineFault(SynthesisError):
    """One failed attempt. ``retryable`` says whether trying the same request again may succeed."""

    retryable: bool = True
    kind: str = "fault"
    """Short name used in notices and messages (``timeout``, ``connection``, ``http 429`` …)."""

    def __init__(self, message: str, *, kind: str | None = None, retryable: bool | None = None) -> None:
        super().__init__(message)
        if kind is not None:
            self.kind = kind
        if retryable is not None:
            self.retryable = retryable


class ServiceStatus(EngineFault):
    """The service answered the WebSocket upgrade with an HTTP error status."""

    def __init__(self, status: int, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message, kind=f"http {status}", retryable=status == 429 or status >= 500)
        self.status = status
        self.retry_after = retry_after
        """Seconds the service asked us to wait (``Retry-After``), when it said."""


class ConnectionFault(EngineFault):
    """The service could not be reached or the connection broke."""

    kind = "connection"
    reached = False
    """True when a connection was made and then broke (the service exists but failed us)."""


class TimeoutFault(EngineFault):
    """The service went quiet for longer than the receive timeout."""

    kind = "timeout"


class NoAudio(EngineFault):
    """The service ended the turn without sending any audio."""

    kind = "no audio"


class ProtocolFault(EngineFault):
    """The service sent something the client could not understand."""

    kind = "protocol"


class ShortAudio(EngineFault):
    """The audio came back cut short without an error (dropped socket, truncated stream)."""

    kind = "short audio"

    def __init__(self, message: str, *, synthesis: Synthesis | None = None) -> None:
        super().__init__(message)
        self.synthesis = synthesis
        """The suspicious result, when it decodes: the scheduler accepts it if a retry returns the very
        same audio (a real cut differs from try to try; a heuristic's false alarm does not)."""


class EngineBroken(EngineFault):
    """A local failure that retrying cannot fix (bad voice name, engine program crashed on this text)."""

    kind = "engine"
    retryable = False
