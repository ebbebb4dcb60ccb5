"""A local stand-in for Microsoft Edge's read-aloud service that the real edge-tts client talks to.

The real service cannot be reached from CI, so tests and benchmarks run edge-tts against this server via
``RECAST_EDGE_WSS_URL``. It speaks Edge's WebSocket protocol (see :mod:`pipeline.testing.emulator.server`),
answers with espeak-ng speech encoded exactly like Edge's audio (see :mod:`pipeline.testing.emulator.audio`), can
stream at a chosen pace, and injects faults on schedule (see :mod:`pipeline.testing.emulator.faults`)::

    with EdgeEmulator(latency_ms=50, faults="drop@2") as emu:
        os.environ["RECAST_EDGE_WSS_URL"] = emu.url
        ...
        emu.log  # one RequestRecord per request: times, voice, text, fault, status

From a shell: ``python -m pipeline.testing.emulator --port 0 --latency-ms 300 --faults "drop@1,http429@3"``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from pathlib import Path

from pipeline.testing.emulator.faults import Fault, parse_faults
from pipeline.testing.emulator.server import RequestRecord, Settings, State, load_voices, make_app

PATH = "/consumer/speech/synthesize/readaloud/edge/v1"
TOKEN = "RECAST-EMULATOR"


def _faults(faults: str | tuple[Fault, ...] | list[Fault] | None) -> tuple[Fault, ...]:
    if not faults:
        return ()
    return parse_faults(faults) if isinstance(faults, str) else tuple(faults)


class EdgeEmulator:
    """The emulator in a background thread with its own event loop (a context manager)."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, latency_ms: float = 0.0,
                 realtime_factor: float = 0.0, chunk_bytes: int = 4096,
                 faults: str | tuple[Fault, ...] | list[Fault] | None = None, seed: int = 0,
                 samples_dir: Path | None = None, voices_file: Path | None = None) -> None:
        from pipeline.testing.emulator.audio import Samples

        settings = Settings(latency_ms=latency_ms, realtime_factor=realtime_factor, chunk_bytes=chunk_bytes,
                            faults=_faults(faults), seed=seed,
                            samples=Samples(samples_dir) if samples_dir else None,
                            voices=load_voices(voices_file) if voices_file else [])
        self.host = host
        self.port = port
        self._state = State(settings)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._error: BaseException | None = None

    # ------------------------------------------------------------------------------------ lifecycle

    def __enter__(self) -> EdgeEmulator:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        """Start serving; returns when the port is bound."""
        self._thread = threading.Thread(target=self._run, name="edge-emulator", daemon=True)
        self._thread.start()
        self._ready.wait(30)
        if self._error is not None:
            raise self._error

    def close(self) -> None:
        """Stop serving and join the thread."""
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(30)
        self._thread = None

    def _run(self) -> None:
        try:
            asyncio.run(self.serve())
        except BaseException as err:  # noqa: B036 - reported to the starting thread
            self._error = err
            self._ready.set()

    async def serve(self, on_ready=None) -> None:
        """Serve in the running loop until :meth:`close` (or cancellation)."""
        from aiohttp import web

        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        runner = web.AppRunner(make_app(self._state), handle_signals=False, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # the real port when 0 was asked
        self._ready.set()
        if on_ready is not None:
            on_ready(self)
        try:
            await self._stop.wait()
        finally:
            await runner.cleanup()

    # ---------------------------------------------------------------------------------- control

    @property
    def url(self) -> str:
        """The WebSocket URL to put in ``RECAST_EDGE_WSS_URL``."""
        return f"ws://{self.host}:{self.port}{PATH}?TrustedClientToken={TOKEN}"

    def set_faults(self, faults: str | tuple[Fault, ...] | list[Fault] | None, *, seed: int | None = None,
                   reset_count: bool = True) -> None:
        """Replace the fault schedule; by default request numbering starts again at 1."""
        with self._state.lock:
            self._state.settings.faults = _faults(faults)
            if seed is not None:
                self._state.settings.seed = seed
            if reset_count:
                self._state.count = 0

    def configure(self, **changes: object) -> None:
        """Change ``latency_ms``, ``realtime_factor`` or ``chunk_bytes`` between runs."""
        with self._state.lock:
            self._state.settings = dataclasses.replace(self._state.settings, **changes)

    @property
    def log(self) -> list[RequestRecord]:
        """Copies of the request records so far, in order of arrival."""
        with self._state.lock:
            return [dataclasses.replace(r) for r in self._state.log]

    def clear_log(self) -> None:
        """Forget the records (request numbering is unchanged)."""
        with self._state.lock:
            self._state.log.clear()


__all__ = ["EdgeEmulator", "Fault", "RequestRecord", "parse_faults"]
