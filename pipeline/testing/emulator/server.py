"""The emulator's aiohttp application: Edge's read-aloud WebSocket protocol, message for message.

In: ``speech.config`` (JSON) then ``ssml`` (parsed with an XML parser). Out: ``turn.start``,
``response``, binary audio frames (2-byte big-endian header length, headers, MP3 data) interleaved with
``audio.metadata`` boundaries, a final binary message with no Content-Type and no data, ``turn.end``.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import random
import re
import threading
import time
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from aiohttp import WSMsgType, web

from pipeline.testing.emulator import audio as edge_audio
from pipeline.testing.emulator.faults import Fault, choose

SSML_NS = "{http://www.w3.org/2001/10/synthesis}"
FRAME_BYTES = 144
"""One 24 kHz 48 kbps MPEG-2 Layer III frame (24 ms)."""
_GEC = re.compile(r"^(?:[0-9A-F]{64}|[0-9A-F]{16}-[0-9A-F]{64})$")
_REQUIRED = ("TrustedClientToken", "Sec-MS-GEC", "Sec-MS-GEC-Version", "ConnectionId")


@dataclass
class RequestRecord:
    """What happened to one WebSocket request (times from :func:`time.monotonic`)."""

    number: int
    """1-based, in order of arrival."""
    start: float
    """When the upgrade request arrived."""
    end: float | None = None
    """When the emulator finished with it."""
    first_byte: float | None = None
    """When ``turn.start`` was sent."""
    turn_end: float | None = None
    """When ``turn.end`` was sent (the client is done with the request from then on)."""
    voice: str = ""
    """Edge ShortName from the SSML."""
    text: str = ""
    """The unescaped SSML text."""
    rate: str = ""
    pitch: str = ""
    volume: str = ""
    fault: str | None = None
    """Fault kind injected, if any."""
    status: str = "open"
    """``ok``, ``http 429``, ``dropped``, ``truncated``, ``no audio``, ``bad request``, ``closed by client``."""
    audio_bytes: int = 0
    """MP3 bytes sent."""


@dataclass
class Settings:
    """How the emulator behaves; changed between runs through :class:`~pipeline.testing.emulator.EdgeEmulator`."""

    latency_ms: float = 0.0
    """Delay from the SSML's arrival to ``turn.start`` (the first byte)."""
    realtime_factor: float = 0.0
    """Stream audio at this multiple of real time (10 → one second of audio per 100 ms); 0 = no pacing."""
    chunk_bytes: int = 4096
    """MP3 bytes per binary message."""
    faults: tuple[Fault, ...] = ()
    seed: int = 0
    samples: edge_audio.Samples | None = None
    voices: list[dict] = field(default_factory=list)
    """Voice list served at ``…/voices/list`` (also gives genders)."""


class State:
    """Shared by the server loop and the thread that controls it."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.lock = threading.Lock()
        self.count = 0
        self.log: list[RequestRecord] = []
        self._renders: dict[tuple, asyncio.Future] = {}
        self._cuts: dict[tuple, set[int]] = {}

    def new_record(self) -> RequestRecord:
        with self.lock:
            self.count += 1
            record = RequestRecord(self.count, time.monotonic())
            self.log.append(record)
        return record

    def cut_point(self, key: tuple, total: int, fault: Fault, number: int) -> int:
        """Units (frames or bytes) of ``total`` kept by a drop/truncate: the fault's fraction when it
        gives one, else 30–70 % drawn from the seed and never the same twice for one request content,
        as real cuts vary from try to try."""
        if fault.arg is not None:
            return max(1, int(total * fault.arg))
        used = self._cuts.setdefault((fault.kind, key), set())
        keep = max(1, int(total * random.Random(f"{self.settings.seed}:cut:{number}").uniform(0.3, 0.7)))
        while keep in used and keep > 1:
            keep -= 1
        used.add(keep)
        return keep

    def gender(self, name: str) -> str | None:
        for v in self.settings.voices:
            if v.get("ShortName") == name:
                return v.get("Gender")
        return edge_audio.KNOWN_GENDERS.get(name)

    async def render(self, name: str, locale: str, text: str, rate: str, pitch: str,
                     volume: str) -> edge_audio.Rendered:
        """Audio for a request; identical requests render once (byte-identical every time)."""
        key = (name, rate, pitch, volume, text)
        future = self._renders.get(key)
        if future is None:
            future = asyncio.get_running_loop().create_future()
            self._renders[key] = future
            try:
                sample = self.settings.samples.find(name, locale, text) if self.settings.samples else None
                if sample is not None:
                    result = await self.settings.samples.render(sample, text)
                else:
                    voice = edge_audio.espeak_voice(name, locale, self.gender(name))
                    result = await edge_audio.render_speech(text, voice, edge_audio.prosody(rate, pitch, volume))
                future.set_result(result)
            except BaseException as err:
                self._renders.pop(key, None)
                future.set_exception(err)
                future.exception()  # mark retrieved; waiters re-raise it
                raise
        return await asyncio.shield(future)


def _parse_message(data: str) -> tuple[dict[str, str], str]:
    head, _, body = data.partition("\r\n\r\n")
    headers = {}
    for line in head.split("\r\n"):
        key, _, value = line.partition(":")
        headers[key.strip()] = value.strip()
    return headers, body


def _text_message(request_id: str, path: str, body: dict) -> str:
    return (f"X-RequestId:{request_id}\r\nContent-Type:application/json; charset=utf-8\r\n"
            f"Path:{path}\r\n\r\n{json.dumps(body, ensure_ascii=False)}")


def _audio_message(request_id: str, stream_id: str, data: bytes) -> bytes:
    content = "Content-Type:audio/mpeg\r\n" if data else ""
    header = f"X-RequestId:{request_id}\r\n{content}X-StreamId:{stream_id}\r\nPath:audio\r\n".encode()
    return len(header).to_bytes(2, "big") + header + data


def _metadata(kind: str, b: edge_audio.Boundary) -> dict:
    text = escape(b.text)
    return {"Metadata": [{"Type": kind, "Data": {"Offset": b.offset, "Duration": b.duration,
                                                 "text": {"Text": text, "Length": len(text),
                                                          "BoundaryType": kind}}}]}


def parse_ssml(ssml: str) -> tuple[str, str, str, str, str]:
    """(voice name, rate, pitch, volume, text) of an SSML document; entities are unescaped."""
    root = ET.fromstring(ssml)
    voice = root.find(f"{SSML_NS}voice")
    if voice is None:
        voice = root.find("voice")
    if voice is None:
        raise ValueError("SSML has no <voice>")
    prosody = voice.find(f"{SSML_NS}prosody")
    if prosody is None:
        prosody = voice.find("prosody")
    node = prosody if prosody is not None else voice
    attrs = prosody.attrib if prosody is not None else {}
    return (voice.get("name", ""), attrs.get("rate", "+0%"), attrs.get("pitch", "+0Hz"),
            attrs.get("volume", "+0%"), "".join(node.itertext()))


async def handle(request: web.Request) -> web.StreamResponse:
    """One WebSocket request (or the voice list)."""
    state: State = request.app[STATE]
    if request.path.endswith("/voices/list"):
        return web.json_response(state.settings.voices or _builtin_voices())
    record = state.new_record()
    try:
        return await _handle(request, state, record)
    finally:
        record.end = time.monotonic()


async def _handle(request: web.Request, state: State, record: RequestRecord) -> web.StreamResponse:
    settings = state.settings
    missing = [k for k in _REQUIRED if not request.query.get(k)]
    if missing or not _GEC.match(request.query.get("Sec-MS-GEC", "")):
        record.status = "bad request"
        return web.Response(status=400, text=f"missing or malformed query parameters: {missing or 'Sec-MS-GEC'}")
    fault = choose(settings.faults, record.number, None, settings.seed)
    if fault is not None and fault.kind.startswith("http"):
        status = int(fault.kind[4:])
        record.fault, record.status = fault.kind, f"http {status}"
        headers = {"Date": email.utils.formatdate(usegmt=True)}
        if status == 429 and fault.arg is not None:
            headers["Retry-After"] = str(int(fault.arg))
        return web.Response(status=status, headers=headers, text=f"emulated {status}")
    transport = request.transport
    ws = web.WebSocketResponse(compress=True, max_msg_size=1 << 22)
    await ws.prepare(request)
    config: dict = {}
    async for msg in ws:
        if msg.type != WSMsgType.TEXT:
            break
        headers, body = _parse_message(msg.data)
        if headers.get("Path") == "speech.config":
            config = json.loads(body)
        elif headers.get("Path") == "ssml":
            voice, rate, pitch, volume, text = parse_ssml(body)
            name, locale = edge_audio.short_name(voice)
            record.voice, record.text, record.rate, record.pitch, record.volume = name, text, rate, pitch, volume
            if fault is None:
                fault = choose(settings.faults, record.number, text, settings.seed)
            record.fault = fault.kind if fault else None
            try:
                await _turn(ws, transport, state, record, fault, config, headers.get("X-RequestId", ""),
                            (name, locale, text, rate, pitch, volume))
            except ConnectionError:  # includes aiohttp.ClientConnectionResetError
                record.status = "closed by client"  # e.g. the client timed out during a stall
                return ws
            if record.status == "dropped":
                return ws
    if record.status == "open":
        record.status = "closed by client"
    await ws.close()
    return ws


async def _turn(ws: web.WebSocketResponse, transport, state: State, record: RequestRecord, fault: Fault | None,
                config: dict, request_id: str, what: tuple) -> None:
    settings = state.settings
    arrived = time.monotonic()
    if fault is not None and fault.kind == "stall":
        await asyncio.sleep(30.0 if fault.arg is None else fault.arg)
    rendered = await state.render(*what)
    wait = settings.latency_ms / 1000 - (time.monotonic() - arrived)
    if wait > 0:
        await asyncio.sleep(wait)
    options = config.get("context", {}).get("synthesis", {}).get("audio", {}).get("metadataoptions", {})
    marks: list[tuple[str, edge_audio.Boundary]] = []
    if str(options.get("sentenceBoundaryEnabled", "false")).lower() == "true":
        marks += [("SentenceBoundary", b) for b in rendered.sentences]
    if str(options.get("wordBoundaryEnabled", "false")).lower() == "true":
        marks += [("WordBoundary", b) for b in rendered.words]
    marks.sort(key=lambda m: m[1].offset)
    audio = rendered.audio
    kind = fault.kind if fault else None
    if kind == "noaudio":
        audio, marks = b"", []
    elif kind == "truncate":
        frames = state.cut_point(what, len(audio) // FRAME_BYTES, fault, record.number)
        audio = audio[: frames * FRAME_BYTES]
    cut = len(audio)
    if kind == "drop":
        cut = state.cut_point(what, len(audio), fault, record.number)
    stream_id = uuid.uuid4().hex.upper()
    service = {"context": {"serviceTag": uuid.uuid4().hex}}
    record.first_byte = time.monotonic()
    await ws.send_str(_text_message(request_id, "turn.start", service))
    await ws.send_str(_text_message(request_id, "response", {**service, "audio": {
        "type": "inline", "streamId": stream_id}}))
    sent = 0
    while sent < len(audio):
        chunk = audio[sent: sent + settings.chunk_bytes]
        if sent and settings.realtime_factor:
            await asyncio.sleep(len(chunk) * 8 / 48000 / settings.realtime_factor)
        # Boundaries go out just before the audio in which they start.
        horizon = (sent + len(chunk)) * 8 * edge_audio.TICKS_PER_SECOND // 48000
        while marks and (marks[0][1].offset < horizon or kind == "truncate"):
            mark_kind, mark = marks.pop(0)
            await ws.send_str(_text_message(request_id, "audio.metadata", _metadata(mark_kind, mark)))
        if sent + len(chunk) >= cut and kind == "drop":
            await ws.send_bytes(_audio_message(request_id, stream_id, audio[sent:cut]))
            record.audio_bytes = cut
            record.status = "dropped"
            if transport is not None:
                transport.abort()  # the socket just goes away: no close frame, no turn.end
            else:
                await ws.close()
            return
        await ws.send_bytes(_audio_message(request_id, stream_id, chunk))
        sent += len(chunk)
        record.audio_bytes = sent
    for mark_kind, mark in marks:
        await ws.send_str(_text_message(request_id, "audio.metadata", _metadata(mark_kind, mark)))
    await ws.send_bytes(_audio_message(request_id, stream_id, b""))
    await ws.send_str(_text_message(request_id, "turn.end", service))
    record.turn_end = time.monotonic()
    record.status = {"noaudio": "no audio", "truncate": "truncated"}.get(kind or "", "ok")


def _builtin_voices() -> list[dict]:
    out = []
    for name, gender in sorted(edge_audio.KNOWN_GENDERS.items()):
        locale = "-".join(name.split("-")[:-1])
        short = name.split("-")[-1]
        out.append({"Name": f"Microsoft Server Speech Text to Speech Voice ({locale}, {short})", "ShortName": name,
                    "Gender": gender, "Locale": locale, "SuggestedCodec": "audio-24khz-48kbitrate-mono-mp3",
                    "FriendlyName": f"Microsoft {short[:-6]} Online (Natural) - {locale}", "Status": "GA",
                    "VoiceTag": {"ContentCategories": ["General"], "VoicePersonalities": ["Friendly"]}})
    return out


STATE = web.AppKey("state", State)


def make_app(state: State) -> web.Application:
    """The aiohttp application (any path: WebSocket requests; ``…/voices/list``: the voice list)."""
    app = web.Application()
    app[STATE] = state
    app.router.add_route("GET", "/{tail:.*}", handle)
    return app


def load_voices(path: Path) -> list[dict]:
    """A voice list in ``edge_tts.list_voices()`` form."""
    return json.loads(path.read_text(encoding="utf-8"))
