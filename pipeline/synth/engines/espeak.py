"""espeak-ng, offline: one subprocess per sentence, PCM joined into one WAV with exact sentence timings.

Text goes to espeak-ng on stdin (never as an argument, never with ``-m``), so a leading ``-`` is not an
option and ``<speak>`` or ``&amp;`` are read out literally rather than interpreted as markup.

Mandarin: on Debian's espeak-ng 1.51 the plain ``cmn`` voice has no entries for most Han characters and
reads them as pinyin spelled out in English with tone digits ("jin one tian one" for 今天, 4.6 s for
你好世界 instead of 1.3 s); ``cmn-latn-pinyin`` reads Traditional and Simplified characters properly. So
``cmn``/``zh`` voices are mapped to ``cmn-latn-pinyin`` here.
"""

from __future__ import annotations

import asyncio
import functools
import io
import os
import re
import struct
import subprocess
import wave

from pipeline.ffmpeg import require
from pipeline.model import SentenceTiming, Synthesis, VoiceSettings
from pipeline.synth.engines.faults import EngineBroken

#: Voices that read Han characters wrongly on Debian's build, and what to use instead.
HAN_SAFE = {"cmn": "cmn-latn-pinyin", "zh": "cmn-latn-pinyin", "zh-cmn": "cmn-latn-pinyin",
            "zh-yue": "yue"}

#: espeak-ng voice for a BCP-47 language tag (lower-case), used for ``Request.lang`` script runs.
LANG_VOICES = {
    "zh": "cmn-latn-pinyin", "zh-tw": "cmn-latn-pinyin", "zh-cn": "cmn-latn-pinyin", "zh-hant": "cmn-latn-pinyin",
    "zh-hans": "cmn-latn-pinyin", "cmn": "cmn-latn-pinyin", "zh-hk": "yue", "yue": "yue",
    "en": "en-us", "en-us": "en-us", "en-gb": "en-gb",
}

DEFAULT_SPEED = 175
"""espeak-ng's default words per minute (``-s``)."""
DEFAULT_PITCH = 50
"""espeak-ng's default pitch, 0–99 (``-p``)."""
DEFAULT_AMPLITUDE = 100
"""espeak-ng's default amplitude, 0–200 (``-a``)."""

# A sentence ends at CJK or Latin end punctuation (Latin ones only before a space or the end, so "3.5",
# "e.g.x", "Yahoo!com", "&lt;" and "<!--" stay whole), with any closing quotes or brackets that follow.
_CLOSERS = "」』”’\"')）\\]"
_SENTENCE_END = re.compile(rf"(?:[。！？；…]+|[.!?;]+(?=[{_CLOSERS}]*(?:\s|$)))[{_CLOSERS}]*\s*|\n+")
_SPEAKABLE = re.compile(r"\w", re.UNICODE)
_SILENCE_LEVEL = 300
"""Samples with a smaller magnitude count as silence when measuring where a sentence's speech ends."""

#: Debian's espeak-ng links PulseAudio (through libpcaudio) and, even with ``--stdout``, contacts a
#: PulseAudio server on every run, leaving ``$TMPDIR/pulse-*`` and ``~/.config/pulse/`` behind (files
#: outside the output folder) and costing ~10 ms per call. Pointing it at a path that is not a socket
#: makes that attempt fail at once; no audio device is needed to write WAV to stdout.
_NO_AUDIO_SERVER = {"PULSE_SERVER": "unix:/dev/null"}


def _env() -> dict[str, str]:
    return {**os.environ, **_NO_AUDIO_SERVER}


def split_sentences(text: str) -> list[str]:
    """Split text into sentences; pieces without letters or digits join the sentence before them.

    The pieces, stripped, cover the text's speakable content in order.
    """
    pieces: list[str] = []
    pos = 0
    for m in _SENTENCE_END.finditer(text):
        if m.end() > pos:
            pieces.append(text[pos:m.end()])
            pos = m.end()
    if pos < len(text):
        pieces.append(text[pos:])
    out: list[str] = []
    for piece in pieces:
        piece = " ".join(piece.split())
        if not piece:
            continue
        if out and not _SPEAKABLE.search(piece):
            out[-1] += piece
        elif out and not _SPEAKABLE.search(out[-1]):
            out[-1] += piece
        else:
            out.append(piece)
    return out


def prosody_args(voice: VoiceSettings) -> list[str]:
    """espeak-ng ``-s``/``-p``/``-a`` for the settings' rate (%), pitch (Hz) and volume (%)."""
    speed = max(80, min(450, round(DEFAULT_SPEED * (1 + voice.rate / 100))))
    # About 2 Hz per espeak pitch step around the default voice's base (so ±50 Hz → 25…75).
    pitch = max(0, min(99, round(DEFAULT_PITCH + voice.pitch / 2)))
    amplitude = max(0, min(200, round(DEFAULT_AMPLITUDE * (1 + voice.volume / 100))))
    return ["-s", str(speed), "-p", str(pitch), "-a", str(amplitude)]


def resolve_voice(voice: str, lang: str = "") -> str:
    """The espeak-ng voice to run: Han-safe Mandarin, and the ``lang`` voice (keeping a ``+variant``)."""
    base, _, variant = voice.partition("+")
    if lang:
        base = LANG_VOICES.get(lang.lower(), LANG_VOICES.get(lang.lower().split("-")[0], lang.lower()))
    base = HAN_SAFE.get(base.lower(), base)
    return f"{base}+{variant}" if variant else base


def parse_wav(data: bytes) -> tuple[bytes, int]:
    """(16-bit mono PCM, sample rate) of a WAV as espeak-ng writes it to stdout (its sizes are bogus)."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise EngineBroken("espeak-ng wrote no WAV audio", kind="engine")
    pos, rate = 12, 0
    while pos + 8 <= len(data):
        chunk, size = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])[0]
        if chunk == b"fmt ":
            channels, rate, _, _, bits = struct.unpack("<HIIHH", data[pos + 10:pos + 24])
            if channels != 1 or bits != 16:
                raise EngineBroken(f"espeak-ng wrote {channels}-channel {bits}-bit audio; expected mono 16-bit")
        elif chunk == b"data":
            pcm = data[pos + 8:]
            return pcm[: len(pcm) // 2 * 2], rate
        pos += 8 + size + (size & 1)
    raise EngineBroken("espeak-ng wrote a WAV without audio data")


def speech_end(pcm: bytes) -> int:
    """Number of samples up to the end of the last non-silent sample."""
    count = len(pcm) // 2
    samples = struct.unpack(f"<{count}h", pcm[: count * 2])
    for i in range(count - 1, -1, -1):
        if abs(samples[i]) > _SILENCE_LEVEL:
            return i + 1
    return 0


def wav_bytes(pcm: bytes, rate: int) -> bytes:
    """A complete mono 16-bit WAV file."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm)
    return buf.getvalue()


@functools.lru_cache(maxsize=1)
def espeak_version() -> str:
    """``espeak-ng 1.51`` (from ``espeak-ng --version``)."""
    out = subprocess.run([require("espeak-ng"), "--version"], capture_output=True, check=False, timeout=30,
                         env=_env())
    m = re.search(r"(\d+\.\d+(?:\.\d+)?)", out.stdout.decode("utf-8", "replace"))
    return f"espeak-ng {m.group(1) if m else 'unknown'}"


async def speak(text: str, voice: str, args: list[str]) -> tuple[bytes, int]:
    """Run espeak-ng once on ``text`` (stdin); return (PCM, sample rate). Does not block the loop."""
    proc = await asyncio.create_subprocess_exec(
        require("espeak-ng"), "-v", voice, *args, "-b", "1", "--stdout", "--stdin",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=_env())
    try:
        out, err = await proc.communicate(text.encode("utf-8") + b"\n")
    except asyncio.CancelledError:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        raise
    if proc.returncode != 0 or not out:
        reason = err.decode("utf-8", "replace").strip().splitlines()
        if "does not exist" in " ".join(reason):
            raise EngineBroken(f"espeak-ng has no voice {voice!r}; list voices with: recast voices --engine espeak")
        raise EngineBroken(f"espeak-ng failed on voice {voice!r}: {reason[-1] if reason else 'no audio'}")
    return parse_wav(out)


class EspeakEngine:
    """espeak-ng from the system, offline; returns WAV with per-sentence timings."""

    name = "espeak"

    def __init__(self) -> None:
        require("espeak-ng")
        self.version = espeak_version()
        self.default_concurrency = os.cpu_count() or 2

    async def synthesize(self, text: str, voice: VoiceSettings, *, lang: str = "") -> Synthesis:
        """Speak ``text`` sentence by sentence and join the audio; timings are exact sample counts."""
        name = resolve_voice(voice.voice, lang)
        args = prosody_args(voice)
        pieces: list[bytes] = []
        timings: list[SentenceTiming] = []
        rate = 0
        offset = 0
        for sentence in split_sentences(text) or [text.strip()]:
            pcm, rate = await speak(sentence, name, args)
            start_ms = offset * 1000 // rate
            end_ms = (offset + speech_end(pcm)) * 1000 // rate
            timings.append(SentenceTiming(sentence, start_ms, max(start_ms, end_ms)))
            pieces.append(pcm)
            offset += len(pcm) // 2
        audio = b"".join(pieces)
        return Synthesis(wav_bytes(audio, rate), "wav", tuple(timings), round(offset * 1000 / rate))
