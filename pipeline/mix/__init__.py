"""Mix synthesized clips into one edition.

Linear in the number of clips and flat in memory, whatever the length of the edition:

1. **Prepare** every clip (:mod:`~pipeline.mix.clips`): decode, find the speech inside it, keep a few ms
   around it, fade the edges so joins never click (:mod:`~pipeline.mix.pcm`, the one module that uses
   pydub), and append it to its speaker's scratch WAV.
2. **Level-match** (:mod:`~pipeline.mix.levels`): one gain per speaker brings every voice to the same
   loudness; the loudness of the whole edition is gated from the speakers' blocks, and its final gain and
   limiter planned by :mod:`pipeline.loudness` — known without ever writing the edition.
3. **Lay out** (:mod:`~pipeline.mix.layout`): the gap before every clip, where every clip's speech lies, and
   the sections the encoders encode apart and keep between renders.

The result is a :class:`pipeline.model.Master` that streams the edition on demand
(:mod:`~pipeline.mix.stream`) for the writers to pipe into the encoders.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline import loudness
from pipeline.errors import BadInput
from pipeline.mix.clips import DECODE_BATCH, SCRATCH_FRAMES, open_wav, prepare_all, too_long
from pipeline.mix.layout import (
    SECTION_GRID,
    SECTION_QUIET,
    SECTION_RATE,
    digest,
    gap_before,
    layout,
    sections,
)
from pipeline.mix.levels import STICKY_SPEAKER_DB, Levels, speaker_gains
from pipeline.mix.settings import MixSettings, ms
from pipeline.mix.stream import stream
from pipeline.model import Clip, Master, Placement, Script

__all__ = ["MixSettings", "Mix", "Levels", "mix", "save_wav", "check_length", "gap_before", "DECODE_BATCH",
           "SECTION_GRID", "SECTION_QUIET", "SECTION_RATE", "STICKY_SPEAKER_DB"]

#: Voices read up to this much faster than :data:`pipeline.lang.TYPICAL` (a preset's rate +20 %, espeak-ng's
#: English): :func:`check_length` refuses only editions too long even at that rate.
FASTEST_READING = 1.25


@dataclass(frozen=True)
class Mix:
    """The mixed edition."""

    master: Master
    """The edition's audio (mono 16-bit PCM, speakers level-matched, not yet at its final loudness),
    streamed from the speakers' scratch WAVs in ``workdir``: valid while those exist."""
    placements: tuple[Placement, ...]
    """Where every clip's speech lies in the master, in play order."""
    duration_ms: int
    """Length of the master."""
    speaker_gains_db: tuple[tuple[str, float], ...]
    """(speaker id, gain applied in dB) in order of first appearance."""
    levels: Levels
    """The gains exactly as applied, for the next render of the edition to keep (see :class:`Levels`)."""


def check_length(script: Script, settings: MixSettings | None = None) -> None:
    """BadInput, before anything is synthesized, when one voice of ``script`` would speak longer than the
    mixer holds (a scratch WAV's 4 GiB: about 13.5 hours at 44.1 kHz), by the typical speech rate of its
    turns; an edition near the limit passes here, and the mixer refuses it if it does reach the limit."""
    from pipeline.lang import TYPICAL

    rate = (settings or MixSettings()).sample_rate
    voices: dict[str, float] = {}
    for turn in script.turns:
        voices[turn.speaker] = voices.get(turn.speaker, 0.0) + TYPICAL.ms(turn.spoken_text) / 1000
    longest = max(voices.values(), default=0.0)
    if longest / FASTEST_READING > SCRATCH_FRAMES / rate:
        raise too_long(sum(voices.values()), longest, rate)


def mix(clips: Sequence[Clip], settings: MixSettings, workdir: Path, keep: Levels | None = None) -> Mix:
    """Join ``clips`` (in play order) into a streamed :class:`Master` and say where each one's speech lies.

    ``keep``: the gains of the previous render of this edition, used again where the new ones are within
    :data:`STICKY_SPEAKER_DB` / :data:`pipeline.loudness.STICKY_GAIN_DB` of them."""
    if not clips:
        raise BadInput("nothing to mix: no clips were synthesized")
    indices = [c.request.index for c in clips]
    if any(b <= a for a, b in zip(indices, indices[1:], strict=False)):
        raise ValueError("clips must be in play order (strictly increasing request.index)")
    keep = keep or Levels()
    scratch = Path(workdir) / "mix-scratch"
    scratch.mkdir(parents=True, exist_ok=True)
    speakers = list(dict.fromkeys(c.request.speaker for c in clips))
    files = {sid: scratch / f"speaker-{i:03d}.wav" for i, sid in enumerate(speakers)}

    prepared = prepare_all(clips, settings, files, scratch)
    gains, measured = speaker_gains(prepared, files, settings, dict(keep.speaker_gains_db))
    laid = layout(clips, prepared, settings, [digest(c.path) for c in clips])
    peak = max((p.peak_dbfs + gains[p.speaker] for p in prepared if p.frames), default=-float("inf"))
    final = loudness.plan_final([(files[sid], gains[sid], values) for sid, values in measured.items()], peak,
                                workers=settings.threads)
    final = loudness.keep_final(final, peak, keep.final_gain_db, keep.limit_dbfs)
    read = functools.partial(stream, laid.segments, dict(gains), dict(files), settings.sample_rate)
    master = Master(sample_rate=settings.sample_rate, frames=laid.frames, loudness_lufs=final.loudness_lufs,
                    peak_dbfs=peak, read=read, gain_db=final.gain_db, limit_dbfs=final.limit_dbfs,
                    final_lufs=final.final_lufs, sections=sections(laid, gains, settings), read_range=read)
    return Mix(master=master, placements=laid.placements, duration_ms=ms(laid.frames, settings.sample_rate),
               speaker_gains_db=tuple((sid, round(gains[sid], 2)) for sid in speakers),
               levels=Levels(speaker_gains_db=tuple((sid, gains[sid]) for sid in speakers),
                             final_gain_db=final.gain_db, limit_dbfs=final.limit_dbfs))


def save_wav(master: Master, path: Path) -> Path:
    """Write ``master`` as a mono 16-bit PCM WAV file (for listening to the raw mix, and for tests)."""
    out = open_wav(Path(path), master.sample_rate)
    try:
        for chunk in master.read():
            out.writeframesraw(chunk)
    finally:
        out.close()
    return Path(path)
