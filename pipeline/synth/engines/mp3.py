"""Exact duration of an MP3 stream by walking its frame headers (no decoder needed).

Edge sends 24 kHz, 48 kbps CBR mono MPEG-2 Layer III: 144-byte frames of 576 samples (24 ms). Counting
whole frames gives the decoded duration exactly and shows whether the last frame was cut (a dropped
socket mid-frame), which ``bytes * 8 / bitrate`` alone would hide.
"""

from __future__ import annotations

from dataclasses import dataclass

_BITRATES_V1 = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
_BITRATES_V2 = (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)
_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


@dataclass(frozen=True)
class Mp3Info:
    """What the frame walk found."""

    frames: int
    """Whole audio frames (a leading Xing/Info tag frame is not counted)."""
    samples: int
    """Decoded samples those frames hold."""
    sample_rate: int
    """Sample rate in Hz (0 when no frame was found)."""
    channels: int
    """1 (mono) or 2 (0 when no frame was found)."""
    bitrate_kbps: int
    """Bitrate of the first audio frame."""
    trailing: int
    """Bytes after the last whole frame that are not a whole frame (a cut last frame), excluding ID3v1."""

    @property
    def duration_ms(self) -> int:
        """Decoded duration in whole milliseconds (rounded)."""
        return round(self.samples * 1000 / self.sample_rate) if self.sample_rate else 0

    @property
    def complete(self) -> bool:
        """True when the stream ends on a frame boundary."""
        return self.trailing == 0 and self.frames > 0


def _header(data: bytes, pos: int) -> tuple[int, int, int, int, int] | None:
    """(frame length, samples, sample rate, channels, kbps) of a Layer III header at ``pos``, or None."""
    if pos + 4 > len(data):
        return None
    b1, b2, b3 = data[pos + 1], data[pos + 2], data[pos + 3]
    if data[pos] != 0xFF or (b1 & 0xE0) != 0xE0:
        return None
    version = (b1 >> 3) & 3
    layer = (b1 >> 1) & 3
    br_index = b2 >> 4
    sr_index = (b2 >> 2) & 3
    if version == 1 or layer != 1 or br_index in (0, 15) or sr_index == 3:
        return None
    kbps = (_BITRATES_V1 if version == 3 else _BITRATES_V2)[br_index]
    rate = _RATES[version][sr_index]
    padding = (b2 >> 1) & 1
    per_frame = 1152 if version == 3 else 576
    length = (144 if version == 3 else 72) * kbps * 1000 // rate + padding
    channels = 1 if (b3 >> 6) == 3 else 2
    return length, per_frame, rate, channels, kbps


def _id3v2_size(data: bytes) -> int:
    if len(data) >= 10 and data[:3] == b"ID3":
        size = 0
        for b in data[6:10]:
            size = (size << 7) | (b & 0x7F)
        return 10 + size + (10 if data[5] & 0x10 else 0)
    return 0


def inspect(data: bytes) -> Mp3Info:
    """Walk the frames of an MP3 byte string."""
    pos = _id3v2_size(data)
    end = len(data) - (128 if len(data) >= 128 and data[-128:-125] == b"TAG" else 0)
    frames = samples = rate = channels = kbps = 0
    first = True
    while pos < end:
        head = _header(data, pos)
        if head is None:
            break
        length, per_frame, f_rate, f_channels, f_kbps = head
        if pos + length > end:
            break
        if first:
            first = False
            body = data[pos + 4: pos + min(length, 64)]
            if b"Xing" in body or b"Info" in body:
                pos += length
                continue
        frames += 1
        samples += per_frame
        if not rate:
            rate, channels, kbps = f_rate, f_channels, f_kbps
        pos += length
    return Mp3Info(frames, samples, rate, channels, kbps, max(0, end - pos))
