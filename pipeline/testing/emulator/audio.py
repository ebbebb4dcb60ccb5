"""Audio the emulator serves: espeak-ng speech encoded exactly as Edge encodes, or real Edge samples.

Edge's ``audio-24khz-48kbitrate-mono-mp3`` is MPEG-2 Layer III, 24 kHz, 48 kbps CBR, mono, with no ID3 or
Xing header, about 100 ms of silence before the speech and about 0.9 s after it. Sentence boundaries are
in 100-ns ticks from the start of the decoded audio.
"""

from __future__ import annotations

import asyncio
import json
import re
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

from pipeline.model import VoiceSettings
from pipeline.synth.engines import espeak

TICKS_PER_SECOND = 10_000_000
LEAD_MS = 100
"""Silence before the first sentence, as Edge has."""
TAIL_MS = 900
"""Silence after the last sentence, as Edge pads."""
ENCODER_DELAY_MS = 48
"""libmp3lame's delay at 24 kHz after resampling (measured): decoded speech starts this much later."""

_VOICE_NAME = re.compile(r"^Microsoft Server Speech Text to Speech Voice \((?P<locale>[^,]+),\s*(?P<name>[^)]+)\)$")

#: Genders of the Edge voices Recast casts most (zh-TW, zh-CN, zh-HK, en-US); others come from a voice
#: list given to the emulator, or are picked from the name's hash.
KNOWN_GENDERS = {
    "zh-TW-HsiaoChenNeural": "Female", "zh-TW-HsiaoYuNeural": "Female", "zh-TW-YunJheNeural": "Male",
    "zh-CN-XiaoxiaoNeural": "Female", "zh-CN-XiaoyiNeural": "Female", "zh-CN-YunjianNeural": "Male",
    "zh-CN-YunxiNeural": "Male", "zh-CN-YunxiaNeural": "Male", "zh-CN-YunyangNeural": "Male",
    "zh-CN-liaoning-XiaobeiNeural": "Female", "zh-CN-shaanxi-XiaoniNeural": "Female",
    "zh-HK-HiuGaaiNeural": "Female", "zh-HK-HiuMaanNeural": "Female", "zh-HK-WanLungNeural": "Male",
    "en-US-AnaNeural": "Female", "en-US-AndrewNeural": "Male", "en-US-AndrewMultilingualNeural": "Male",
    "en-US-AriaNeural": "Female", "en-US-AvaNeural": "Female", "en-US-AvaMultilingualNeural": "Female",
    "en-US-BrianNeural": "Male", "en-US-BrianMultilingualNeural": "Male", "en-US-ChristopherNeural": "Male",
    "en-US-EmmaNeural": "Female", "en-US-EmmaMultilingualNeural": "Female", "en-US-EricNeural": "Male",
    "en-US-GuyNeural": "Male", "en-US-JennyNeural": "Female", "en-US-MichelleNeural": "Female",
    "en-US-RogerNeural": "Male", "en-US-SteffanNeural": "Male",
}

_FEMALE_VARIANTS = ("f1", "f2", "f3", "f4", "f5")
_MALE_VARIANTS = ("m1", "m2", "m3", "m4", "m5", "m6", "m7")


@dataclass(frozen=True)
class Boundary:
    """One SentenceBoundary (or WordBoundary) as Edge reports it."""

    text: str
    offset: int
    """Ticks from the start of the audio."""
    duration: int
    """Ticks."""


@dataclass(frozen=True)
class Rendered:
    """A whole turn's audio plus its boundaries."""

    audio: bytes
    sentences: tuple[Boundary, ...]
    words: tuple[Boundary, ...]


def short_name(ssml_voice: str) -> tuple[str, str]:
    """(ShortName, locale) of an SSML voice name such as ``Microsoft Server Speech Text to Speech Voice
    (zh-TW, HsiaoChenNeural)``; a short name passes through."""
    m = _VOICE_NAME.match(ssml_voice.strip())
    if m:
        locale, name = m.group("locale").strip(), m.group("name").strip()
        return f"{locale}-{name}", locale
    parts = ssml_voice.split("-")
    return ssml_voice, "-".join(parts[:2]) if len(parts) >= 3 else "en-US"


def espeak_voice(name: str, locale: str, gender: str | None) -> str:
    """A distinct espeak-ng voice for an Edge voice: language from the locale, variant from gender+name."""
    lower = locale.lower()
    if lower.startswith("zh-hk") or lower.startswith("yue"):
        base = "yue"
    elif lower.startswith("zh"):
        base = "cmn-latn-pinyin"
    elif lower.startswith("en-gb"):
        base = "en-gb"
    elif lower.startswith("en"):
        base = "en-us"
    else:
        base = espeak.resolve_voice(lower.split("-")[0])
    h = zlib.crc32(name.encode())
    if gender is None:
        gender = "Female" if h % 2 else "Male"
    variants = _FEMALE_VARIANTS if gender.lower() == "female" else _MALE_VARIANTS
    return f"{base}+{variants[h % len(variants)]}"


def _percent(value: str, default: int = 0) -> int:
    m = re.match(r"^([+-]?\d+)\s*(%|Hz)?$", value.strip()) if value else None
    return int(m.group(1)) if m else default


def prosody(rate: str, pitch: str, volume: str) -> VoiceSettings:
    """Edge prosody strings (``+10%``, ``-5Hz``, ``+0%``) as clamped settings for espeak-ng."""
    clamp = lambda v, lo, hi: max(lo, min(hi, v))  # noqa: E731
    return VoiceSettings("espeak", "x", clamp(_percent(rate), -50, 100), clamp(_percent(pitch), -50, 50),
                         clamp(_percent(volume), -50, 50))


async def _encode(pcm: bytes, rate: int) -> bytes:
    from pipeline.ffmpeg import BITEXACT, require

    proc = await asyncio.create_subprocess_exec(
        require("ffmpeg"), "-hide_banner", "-nostdin", "-loglevel", "error", "-f", "s16le", "-ar", str(rate),
        "-ac", "1", "-i", "-", "-ar", "24000", "-ac", "1", "-c:a", "libmp3lame", "-b:a", "48k",
        "-write_xing", "0", "-id3v2_version", "0", *BITEXACT, "-f", "mp3", "-",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await proc.communicate(pcm)
    if proc.returncode != 0:
        raise RuntimeError(f"ffmpeg could not encode emulator audio: {err.decode(errors='replace')[-200:]}")
    return out


def _ticks(samples: int, rate: int) -> int:
    return samples * TICKS_PER_SECOND // rate


def _words(sentence: str, offset: int, duration: int) -> list[Boundary]:
    """Word boundaries spread over a sentence by character count (CJK characters count as words)."""
    tokens = re.findall(r"[\u3400-\u9fff]|[^\s\u3400-\u9fff\W]+", sentence)
    if not tokens:
        return []
    total = sum(len(t) for t in tokens)
    out, pos = [], offset
    for t in tokens:
        d = duration * len(t) // total
        out.append(Boundary(t, pos, d))
        pos += d
    return out


async def render_speech(text: str, voice: str, settings: VoiceSettings) -> Rendered:
    """Speak ``text`` sentence by sentence with espeak-ng and encode it like Edge."""
    args = espeak.prosody_args(settings)
    pieces: list[bytes] = []
    marks: list[tuple[str, int, int]] = []
    rate = 22050
    pos = 0
    for sentence in espeak.split_sentences(text) or [text.strip()]:
        pcm, rate = await espeak.speak(sentence, voice, args)
        marks.append((sentence, pos, espeak.speech_end(pcm)))
        pieces.append(pcm)
        pos += len(pcm) // 2
    lead = rate * LEAD_MS // 1000
    body = b"".join(pieces)
    end = espeak.speech_end(body)
    tail = max(0, end + rate * TAIL_MS // 1000 - len(body) // 2)
    pcm = b"\0\0" * lead + body + b"\0\0" * tail
    audio = await _encode(pcm, rate)
    delay = ENCODER_DELAY_MS * TICKS_PER_SECOND // 1000
    sentences = tuple(Boundary(s, _ticks(lead + start, rate) + delay, _ticks(length, rate))
                      for s, start, length in marks)
    words = tuple(w for b in sentences for w in _words(b.text, b.offset, b.duration))
    return Rendered(audio, sentences, words)


class Samples:
    """Real Edge recordings (``<ShortName>.mp3`` + ``texts.json``) served when the text matches."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.texts = {lang: entry["text"] for lang, entry in
                      json.loads((folder / "texts.json").read_text(encoding="utf-8")).items()}

    def find(self, name: str, locale: str, text: str) -> Path | None:
        """The recording of ``name`` speaking ``text``, when there is one."""
        if self.texts.get(locale.split("-")[0]) != text.strip():
            return None
        path = self.folder / f"{name}.mp3"
        return path if path.is_file() else None

    async def render(self, path: Path, text: str) -> Rendered:
        """One sentence spanning the recording's speech (found by decoding it)."""
        from pipeline.ffmpeg import require

        audio = path.read_bytes()
        proc = await asyncio.create_subprocess_exec(
            require("ffmpeg"), "-hide_banner", "-nostdin", "-loglevel", "error", "-i", str(path), "-f", "s16le",
            "-ac", "1", "-ar", "24000", "-", stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        pcm, _ = await proc.communicate()
        count = len(pcm) // 2
        samples = struct.unpack(f"<{count}h", pcm[: count * 2])
        start = next((i for i, s in enumerate(samples) if abs(s) > 300), 0)
        end = espeak.speech_end(pcm)
        sentence = Boundary(text.strip(), _ticks(start, 24000), _ticks(max(0, end - start), 24000))
        return Rendered(audio, (sentence,), tuple(_words(sentence.text, sentence.offset, sentence.duration)))
