"""Speech engines behind one small interface, and the faults they report to the scheduler.

An engine turns prepared text plus :class:`~pipeline.model.VoiceSettings` into a
:class:`~pipeline.model.Synthesis` (encoded audio, sentence timings, duration). Two engines exist:

* ``edge`` — Microsoft Edge's online neural voices through edge-tts (:mod:`pipeline.synth.engines.edge`);
* ``espeak`` — espeak-ng, offline (:mod:`pipeline.synth.engines.espeak`).

Engines raise :class:`EngineFault` subclasses (:mod:`pipeline.synth.engines.faults`); the scheduler
(:mod:`pipeline.synth.scheduler`) decides from ``retryable`` whether to try again. Importing this package loads
neither edge_tts nor aiohttp (the Edge engine imports them when it first synthesizes).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Callable, Protocol

from pipeline.errors import BadInput
from pipeline.synth.engines.faults import (
    ConnectionFault,
    EngineBroken,
    EngineFault,
    NoAudio,
    ProtocolFault,
    ServiceStatus,
    ShortAudio,
    TimeoutFault,
)

if TYPE_CHECKING:
    from pipeline.model import Synthesis, VoiceSettings


class Engine(Protocol):
    """What the scheduler needs from a speech engine."""

    name: str
    """``edge`` or ``espeak`` (matches :attr:`VoiceSettings.engine`)."""
    version: str
    """Engine and version, e.g. ``edge-tts 7.3.1`` or ``espeak-ng 1.51``; part of every cache key."""
    default_concurrency: int
    """Requests in flight when the caller does not say."""

    async def synthesize(self, text: str, voice: VoiceSettings, *, lang: str = "") -> Synthesis:
        """Speak ``text`` (plain text, never markup) with ``voice``; raise :class:`EngineFault` on failure."""
        ...


# ----------------------------------------------------------------------------------------- registry

#: Engine classes by name, as ``module:Class``: the registry is the one list of engine names (``--engine``,
#: voice settings, presets) and loads no engine until one is made (:func:`engine_class`).
ENGINES: dict[str, str] = {
    "edge": "pipeline.synth.engines.edge:EdgeEngine",
    "espeak": "pipeline.synth.engines.espeak:EspeakEngine",
}


def engine_class(name: str) -> type:
    """The engine class registered as ``name``."""
    module, _, cls = ENGINES[name].partition(":")
    return getattr(importlib.import_module(module), cls)


def engine_names(sep: str = " or ") -> str:
    """``edge or espeak``: the engine names for a message."""
    return sep.join(ENGINES)


AUTO_FALLBACK_NOTICE = "Edge TTS is unreachable; using espeak-ng (offline voices)"


def probe_edge(timeout: float = 3.0) -> bool:
    """True when the effective Edge endpoint answers a tiny synthesis within ``timeout`` seconds.

    Runs its own event loop: call it from synchronous code (before a render starts).
    """
    from pipeline.synth.engines.edge import probe

    return probe(timeout)


def get_engine(name: str, *, notice: Callable[[str], None] = lambda m: None) -> Engine:
    """The engine called ``name`` (``edge``, ``espeak`` or ``auto``).

    ``auto`` probes Edge (:func:`probe_edge`) and falls back to espeak-ng, calling ``notice`` once.
    """
    if name == "auto":
        if probe_edge(3.0):
            return engine_class("edge")()
        notice(AUTO_FALLBACK_NOTICE)
        return engine_class("espeak")()
    if name not in ENGINES:
        raise BadInput(f"unknown engine {name!r}: use edge, espeak or auto")
    return engine_class(name)()


__all__ = [
    "AUTO_FALLBACK_NOTICE", "ENGINES", "engine_class", "engine_names", "ConnectionFault", "Engine", "EngineBroken", "EngineFault", "NoAudio",
    "ProtocolFault", "ServiceStatus", "ShortAudio", "TimeoutFault", "get_engine", "probe_edge",
]
