"""Microsoft Edge's online neural voices through edge-tts 7.x (the only module that imports edge_tts).

One :class:`edge_tts.Communicate` per attempt, ``boundary="SentenceBoundary"``; audio bytes and sentence
boundaries (100-ns ticks → ms) become a :class:`~pipeline.model.Synthesis`. Failures become
:mod:`pipeline.synth.engines.faults` so the scheduler can retry the right ones.

Endpoint override: ``RECAST_EDGE_WSS_URL`` (read when the engine is made) points the real client at
another server speaking Edge's protocol, e.g. ``pipeline.testing.emulator``. edge-tts builds its URL from the
module globals ``edge_tts.communicate.WSS_URL`` and ``edge_tts.voices.VOICE_LIST``; :func:`endpoint`
sets them only while requests are in flight and restores them after the last one. All requests of a
process share one endpoint at a time (a second, different one at once is an error).

edge-tts's own ``receive_timeout`` does not bound WebSocket reads (aiohttp resets the read timeout after
the upgrade), so every message is awaited here under :attr:`EdgeEngine.receive_timeout`.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import math
import os
import threading
import time
import urllib.parse
from collections.abc import Iterator
from importlib import metadata

from pipeline.errors import BadInput, SynthesisError
from pipeline.model import SentenceTiming, Synthesis, VoiceSettings
from pipeline.synth.engines import mp3
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

URL_ENV = "RECAST_EDGE_WSS_URL"
"""Environment variable overriding the Edge WebSocket endpoint."""
TICKS_PER_MS = 10_000
"""Edge reports offsets and durations in 100-ns ticks."""
RETRY_AFTER_CAP = 60.0
"""Longest Retry-After (seconds) we pass on to the scheduler."""
PROBE_VOICE = "en-US-EmmaMultilingualNeural"
MIN_TAIL_MS = 250
"""Edge pads about 0.8 s of silence after the last sentence; audio ending sooner after it was cut."""


def _client_version() -> str:
    try:
        return metadata.version("edge-tts")
    except metadata.PackageNotFoundError:
        return "unknown"


def effective_url() -> str | None:
    """The endpoint from ``RECAST_EDGE_WSS_URL`` (with edge-tts's client token added when it has no
    query string), or None for edge-tts's built-in Microsoft endpoint."""
    raw = os.environ.get(URL_ENV, "").strip()
    if not raw:
        return None
    parts = urllib.parse.urlsplit(raw)
    if parts.scheme not in ("ws", "wss") or not parts.netloc:
        raise BadInput(f"{URL_ENV} must be a ws:// or wss:// URL, not {raw!r}")
    if not parts.query:
        from edge_tts.constants import TRUSTED_CLIENT_TOKEN

        raw = f"{raw}?TrustedClientToken={TRUSTED_CLIENT_TOKEN}"
    return raw


def voice_list_url(wss_url: str) -> str:
    """The voice-list URL that belongs with a WebSocket endpoint (same host, ``…/voices/list``)."""
    parts = urllib.parse.urlsplit(wss_url)
    scheme = "https" if parts.scheme == "wss" else "http"
    path = parts.path
    path = path[: -len("/edge/v1")] if path.endswith("/edge/v1") else path.rstrip("/")
    token = dict(urllib.parse.parse_qsl(parts.query)).get("TrustedClientToken", "")
    return urllib.parse.urlunsplit((scheme, parts.netloc, f"{path}/voices/list",
                                    f"trustedclienttoken={token}", ""))


_lock = threading.Lock()
_active = {"count": 0, "url": None, "saved": None}


@contextlib.contextmanager
def endpoint(url: str | None) -> Iterator[None]:
    """Point edge-tts at ``url`` while the block runs (nested and concurrent uses share one URL)."""
    if url is None:
        yield
        return
    from edge_tts import communicate, voices

    with _lock:
        if _active["count"] and _active["url"] != url:
            raise SynthesisError("two different Edge endpoints are in use at once; use one per process")
        if not _active["count"]:
            _active["saved"] = (communicate.WSS_URL, voices.VOICE_LIST)
            communicate.WSS_URL = url
            voices.VOICE_LIST = voice_list_url(url)
            _active["url"] = url
        _active["count"] += 1
    try:
        yield
    finally:
        with _lock:
            _active["count"] -= 1
            if not _active["count"]:
                communicate.WSS_URL, voices.VOICE_LIST = _active["saved"]
                _active["url"] = None


def _retry_after(headers) -> float | None:
    value = (headers or {}).get("Retry-After") if headers is not None else None
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), RETRY_AFTER_CAP)
    try:
        when = email.utils.parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, min(when - time.time(), RETRY_AFTER_CAP))


def _fault(err: BaseException, where: str) -> EngineFault:
    """Translate an edge-tts / aiohttp failure into an engine fault; anything else (a bug) propagates."""
    import aiohttp
    from edge_tts import exceptions as ex

    if isinstance(err, aiohttp.ClientResponseError):  # includes WSServerHandshakeError
        status = err.status
        reason = {403: "refused the request", 429: "asked us to slow down"}.get(status, "failed")
        return ServiceStatus(status, f"Edge {reason} ({status}) at {where}",
                             retry_after=_retry_after(err.headers))
    if isinstance(err, ex.SkewAdjustmentError):
        return ServiceStatus(403, f"Edge refused the request (403) without a usable Date header at {where}")
    if isinstance(err, ex.NoAudioReceived):
        return NoAudio(f"Edge ended the turn without audio at {where}")
    if isinstance(err, (ex.UnexpectedResponse, ex.UnknownResponse)):
        return ProtocolFault(f"Edge sent an unexpected message at {where}: {err}")
    if isinstance(err, ex.WebSocketError):
        return _reached(ConnectionFault(f"Edge WebSocket error at {where}: {err}"))
    if isinstance(err, (asyncio.TimeoutError, aiohttp.ServerTimeoutError)):
        return TimeoutFault(f"Edge timed out at {where}")
    if isinstance(err, aiohttp.ClientConnectorError) or (isinstance(err, OSError)
                                                         and not isinstance(err, aiohttp.ClientError)):
        return ConnectionFault(f"cannot reach Edge at {where}: {err or type(err).__name__}")
    if isinstance(err, aiohttp.ClientError):
        return _reached(ConnectionFault(f"the connection to Edge at {where} broke: {err or type(err).__name__}"))
    raise err


def _reached(fault: ConnectionFault) -> ConnectionFault:
    fault.reached = True
    return fault


class EdgeEngine:
    """Edge read-aloud voices (24 kHz 48 kbps mono MP3) via edge-tts."""

    name = "edge"
    default_concurrency = 4

    def __init__(self, *, receive_timeout: float = 12.0, connect_timeout: float = 10.0,
                 url: str | None = None) -> None:
        self.version = f"edge-tts {_client_version()}"
        self.receive_timeout = receive_timeout
        """Seconds of silence from the service before an attempt fails (edge-tts's default is 60)."""
        self.connect_timeout = connect_timeout
        """Seconds to open the connection."""
        self.url = url or effective_url()
        """The WebSocket endpoint, or None for Microsoft's."""
        if self.url is not None:
            host = urllib.parse.urlsplit(self.url).hostname
            # Audio from another endpoint is not Microsoft's: keep it apart in the clip cache.
            self.version += f" (endpoint {host})"

    async def synthesize(self, text: str, voice: VoiceSettings, *, lang: str = "") -> Synthesis:
        """Speak ``text`` with an Edge voice. ``lang`` is ignored (Edge voices read mixed scripts)."""
        import edge_tts

        where = urllib.parse.urlsplit(self.url).netloc if self.url else "speech.platform.bing.com"
        try:
            comm = edge_tts.Communicate(
                text, voice.voice, rate=voice.edge_rate, pitch=voice.edge_pitch, volume=voice.edge_volume,
                boundary="SentenceBoundary", connect_timeout=max(1, math.ceil(self.connect_timeout)),
                receive_timeout=max(1, math.ceil(self.receive_timeout)))
        except ValueError as err:
            raise EngineBroken(f"invalid Edge voice settings for {voice.voice!r}: {err}") from err
        audio = bytearray()
        sentences: list[SentenceTiming] = []
        with endpoint(self.url):
            stream = comm.stream()
            wait = max(self.connect_timeout, self.receive_timeout)
            try:
                while True:
                    try:
                        async with asyncio.timeout(wait):
                            chunk = await anext(stream)
                    except StopAsyncIteration:
                        break
                    except TimeoutError as err:
                        raise TimeoutFault(f"Edge at {where} sent nothing for {wait:g} s") from err
                    wait = self.receive_timeout
                    if chunk["type"] == "audio":
                        audio += chunk["data"]
                    elif chunk["type"] == "SentenceBoundary":
                        start = int(chunk["offset"]) // TICKS_PER_MS
                        end = int(chunk["offset"] + chunk["duration"]) // TICKS_PER_MS
                        sentences.append(SentenceTiming(chunk["text"], start, max(start, end)))
            except EngineFault:
                raise
            except Exception as err:  # translated by _fault (cause kept); unknown errors re-raised as they are
                raise _fault(err, where) from err
            finally:
                await stream.aclose()
        info = mp3.inspect(bytes(audio))
        if not info.frames:
            raise NoAudio(f"Edge sent no decodable audio at {where}")
        if info.trailing:
            raise ShortAudio(f"Edge audio ends in the middle of a frame at {where} (connection dropped)")
        result = Synthesis(bytes(audio), "mp3", tuple(sentences), info.duration_ms)
        last = max((s.end_ms for s in sentences), default=0)
        if sentences and info.duration_ms < last + MIN_TAIL_MS:
            raise ShortAudio(f"Edge audio from {where} stops at {info.duration_ms} ms, too soon after its last "
                             f"sentence ends ({last} ms) to hold Edge's trailing silence: cut short",
                             synthesis=result)
        return result


def probe(timeout: float = 3.0) -> bool:
    """True when the effective endpoint speaks a tiny text within ``timeout`` seconds."""
    try:
        engine = EdgeEngine(receive_timeout=timeout, connect_timeout=timeout)
    except SynthesisError:
        return False
    voice = VoiceSettings("edge", PROBE_VOICE)

    async def attempt() -> Synthesis:
        return await asyncio.wait_for(engine.synthesize("Hi.", voice), timeout)

    # The question is whether the service can be REACHED. An HTTP answer (403, 429, 5xx) or a socket that
    # connected and then dropped means it can: synthesis retries those and explains a repeated 403. Only
    # failures to connect at all (DNS, refused, connect timeout) send `--engine auto` to espeak-ng. A
    # transient fault gets one more try.
    for _ in range(2):
        try:
            asyncio.run(attempt())
            return True
        except ServiceStatus:
            return True
        except ConnectionFault as fault:
            if not fault.reached:
                return False
        except asyncio.TimeoutError:
            return False
        except EngineFault:
            pass
    return True


def fetch_voice_list(timeout: float = 20.0) -> list[dict]:
    """The live Edge voice list (``edge_tts.list_voices()``), from the effective endpoint."""
    import aiohttp
    import edge_tts

    url = effective_url()

    async def fetch() -> list[dict]:
        with endpoint(url):
            return await asyncio.wait_for(edge_tts.list_voices(), timeout)

    try:
        voices = asyncio.run(fetch())
    except (aiohttp.ClientError, OSError, asyncio.TimeoutError, edge_tts.exceptions.EdgeTTSException) as err:
        raise SynthesisError(f"cannot fetch the Edge voice list ({type(err).__name__}: {err}); "
                             "check the network, or keep using the bundled list") from err
    return [dict(v) for v in voices]
