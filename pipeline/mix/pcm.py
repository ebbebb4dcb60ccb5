"""Sample-level work on one clip's PCM: find its speech, trim and fade it, apply a gain (pydub lives only here).

Every function takes and returns mono 16-bit PCM (``bytes``) at the given rate; nothing here reads files.
"""

from __future__ import annotations

import math

from pipeline.mix.settings import KEEP_LEAD_MS, KEEP_TAIL_MS, WIDTH


def trim(pcm: bytes, rate: int, fade_ms: int) -> tuple[bytes, float, int, int, float]:
    """The speech inside ``pcm``: leading/trailing silence below a threshold 50 dB under the clip's own peak
    (floored at −65 dBFS) cut away but for :data:`KEEP_LEAD_MS` / :data:`KEEP_TAIL_MS`, the edges faded
    over ``fade_ms``.

    Returns (kept PCM, speech start in the original clip in ms, speech from/to frame in the kept PCM, peak
    dBFS of the kept PCM); empty PCM and −inf for a clip without speech."""
    from pydub import AudioSegment
    from pydub.silence import detect_leading_silence

    seg = AudioSegment(data=pcm, sample_width=WIDTH, frame_rate=rate, channels=1)
    total = int(seg.frame_count())
    peak = seg.max_dBFS
    if total == 0 or math.isinf(peak):
        return b"", 0.0, 0, 0, -math.inf
    threshold = max(peak - 50.0, -65.0)
    lead_ms = _onset_ms(seg, threshold, detect_leading_silence)
    tail_ms = _onset_ms(seg.reverse(), threshold, detect_leading_silence)
    start = min(total, round(lead_ms * rate / 1000))
    end = max(start, total - round(tail_ms * rate / 1000))
    if end <= start:
        return b"", 0.0, 0, 0, -math.inf
    keep_from = max(0, start - KEEP_LEAD_MS * rate // 1000)
    keep_to = min(total, end + KEEP_TAIL_MS * rate // 1000)
    kept = seg.get_sample_slice(keep_from, keep_to)
    if fade_ms:
        fade = min(fade_ms, len(kept) // 2)
        kept = kept.fade_in(fade).fade_out(fade)
    return kept.raw_data, start * 1000 / rate, start - keep_from, end - keep_from, kept.max_dBFS


def _onset_ms(seg, threshold: float, detect) -> int:
    """First ms at which ``seg`` rises above ``threshold`` (coarse 10 ms scan, then 1 ms refinement)."""
    coarse = detect(seg, silence_threshold=threshold, chunk_size=10)
    if coarse >= len(seg):
        return len(seg)
    back = max(0, coarse - 10)
    return back + detect(seg[back:], silence_threshold=threshold, chunk_size=1)


def gain(pcm: bytes, rate: int, gain_db: float) -> bytes:
    """``pcm`` made ``gain_db`` louder (clipped at full scale); unchanged under 0.005 dB."""
    if abs(gain_db) < 0.005:
        return pcm
    from pydub import AudioSegment

    return AudioSegment(data=pcm, sample_width=WIDTH, frame_rate=rate, channels=1).apply_gain(gain_db).raw_data
