"""Audio writers: stream the master through its final gain and limiter into every encoder at once (MP3 and
M4A on their own cores), add chapters and tags, and check the loudness of what was written.

Every audio file is measured after encoding (ffmpeg ebur128). When it misses the target (true peak above
−1 dBTP, or integrated loudness off −16 by more than :data:`AIM_LU`), that format is encoded again, aiming
the gain by the measured error and lowering the ceiling by the measured overshoot with a limiter that sees
peaks between samples, rather than shipping a file that misses Apple's requirement.
Same master → byte-identical files: fixed encoder settings, ffmpeg's bitexact flags, no dates in tags.
"""

from __future__ import annotations

import contextlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from pipeline import ffmpeg, loudness
from pipeline.errors import RecastError
from pipeline.fsutil import atomic_path
from pipeline.model import Loudness, Master, TimedChapter
from pipeline.writers import tags as tagging

SAMPLE_RATE = 44100
BITRATE = "96k"
#: Encodes tried before giving up on meeting the loudness target.
ATTEMPTS = 3
#: A first encode within this many LU of the target is kept; later ones within the spec's 1 LU.
AIM_LU = 0.5


class AudioWriter(Protocol):
    """Encodes the master into one container."""

    name: str
    """File name in the edition folder."""
    mime: str
    """MIME type for the manifest and the feed."""
    drift_lu: float
    """How much louder (LU) the encoder makes speech than the PCM it is given, as measured."""

    def args(self, rate: int, chain: str | None, out: Path, chapters: tuple[TimedChapter, ...],
             work: Path) -> list[str]:
        """ffmpeg's arguments to encode mono s16le PCM at ``rate`` read from stdin, through the filter
        ``chain`` (if any), into ``out`` with ``chapters`` (tags come later)."""

    def encode(self, master: Master, chain: str | None, out: Path, chapters: tuple[TimedChapter, ...],
               work: Path) -> None:
        """Stream ``master`` through ``chain`` into ``out``."""

    def tag(self, path: Path, data: tagging.TagData) -> None:
        """Write tags (and chapters when the container keeps them in tags)."""


class Mp3Writer:
    """``episode.mp3``: mono 44.1 kHz, 96 kbps CBR LAME with a gapless (LAME/Info) header; ID3v2.4 tags
    and CHAP/CTOC chapters via mutagen."""

    name = "episode.mp3"
    mime = "audio/mpeg"
    #: LAME's low-pass (about 16 kHz at 96 kb/s mono) takes treble that K-weighting counts: measured
    #: −0.4 to −0.45 LU on espeak-ng and Edge speech.
    drift_lu = -0.4

    def args(self, rate: int, chain: str | None, out: Path, chapters: tuple[TimedChapter, ...],
             work: Path) -> list[str]:
        return [*_pcm_input(rate), "-map", "0:a:0", *_filter(chain), *ffmpeg.BITEXACT,
                "-c:a", "libmp3lame", "-b:a", BITRATE, "-ar", str(SAMPLE_RATE), "-ac", "1",
                "-id3v2_version", "0", "-write_id3v1", "0", "-write_xing", "1", "-f", "mp3", str(out)]

    def encode(self, master: Master, chain: str | None, out: Path, chapters: tuple[TimedChapter, ...],
               work: Path) -> None:
        ffmpeg.run_fed([self.args(master.sample_rate, chain, out, chapters, work)], master.read())

    def tag(self, path: Path, data: tagging.TagData) -> None:
        tagging.write_id3(path, data)


class M4aWriter:
    """``episode.m4a``: AAC-LC 96 kbps mono 44.1 kHz, moov first (+faststart), chapters as both a Nero
    ``chpl`` box and a QuickTime chapter text track (ffmpeg writes both from an FFMETADATA file), iTunes
    tags via mutagen.

    ffmpeg's ``fast`` AAC coder: at this rate (96 kbps for one channel) it is the better one according to
    ffmpeg's documentation, about 7x faster than the default ``twoloop`` here, and its true-peak overshoot
    was 0 dB instead of 1.6 dB on a 40-minute edition.
    """

    name = "episode.m4a"
    mime = "audio/mp4"
    #: measured −0.05 to +0.05 LU on speech
    drift_lu = 0.0

    def args(self, rate: int, chain: str | None, out: Path, chapters: tuple[TimedChapter, ...],
             work: Path) -> list[str]:
        meta = work / f"chapters-{out.name}.ffmeta"
        meta.write_text(ffmetadata(chapters), "utf-8")
        # Not pipeline.ffmpeg.BITEXACT: its "-map_metadata -1" also empties the chapter titles (and then
        # the QuickTime chapter track is lost). Only global metadata is dropped here.
        return [*_pcm_input(rate), "-f", "ffmetadata", "-i", str(meta),
                "-map", "0:a:0", *_filter(chain), "-map_metadata:g", "-1", "-map_chapters", "1",
                "-fflags", "+bitexact", "-flags:a", "+bitexact",
                "-c:a", "aac", "-aac_coder", "fast", "-profile:a", "aac_low", "-b:a", BITRATE,
                "-ar", str(SAMPLE_RATE), "-ac", "1", "-movflags", "+faststart", "-f", "ipod", str(out)]

    def encode(self, master: Master, chain: str | None, out: Path, chapters: tuple[TimedChapter, ...],
               work: Path) -> None:
        ffmpeg.run_fed([self.args(master.sample_rate, chain, out, chapters, work)], master.read())

    def tag(self, path: Path, data: tagging.TagData) -> None:
        tagging.write_mp4(path, data)


#: Packets ffmpeg may queue from the PCM input. With a second input (the M4A's chapter file) ffmpeg reads each
#: input on its own thread and hands packets over through a queue of 8 by default; raw PCM comes in 2 KB
#: packets, so the two threads switched every few packets: the M4A encoder ran 40 % slower and held the MP3
#: encoder back (measured on a 1 h edition: both formats 48 s instead of 36 s). 1024 packets are 2 MB.
PCM_QUEUE_PACKETS = 1024


def _pcm_input(rate: int) -> list[str]:
    """ffmpeg's input options for mono s16le PCM streamed on its stdin."""
    return ["-y", "-f", "s16le", "-ar", str(rate), "-ac", "1", "-thread_queue_size", str(PCM_QUEUE_PACKETS),
            "-i", "pipe:0"]


def _compensate(drift_lu: float) -> str | None:
    """The gain that undoes an encoder's loudness drift (on the limited PCM: a few tenths of a dB)."""
    return f"volume={-drift_lu:.2f}dB" if abs(drift_lu) >= 0.01 else None


def _filter(chain: str | None) -> list[str]:
    return ["-af", chain] if chain else []


#: Audio writers by format name (``--formats``).
AUDIO_WRITERS: dict[str, type] = {"mp3": Mp3Writer, "m4a": M4aWriter}


def ffmetadata(chapters: tuple[TimedChapter, ...]) -> str:
    """An FFMETADATA1 document with the chapters in ms (``TIMEBASE=1/1000``)."""
    lines = [";FFMETADATA1"]
    for ch in chapters:
        lines += ["[CHAPTER]", "TIMEBASE=1/1000", f"START={int(ch.start_ms)}", f"END={int(ch.end_ms)}",
                  f"title={_ffmeta_escape(ch.title)}"]
    return "\n".join(lines) + "\n"


def _ffmeta_escape(value: str) -> str:
    value = tagging.one_line(value)
    for ch in ("\\", "=", ";", "#"):
        value = value.replace(ch, "\\" + ch)
    return value


@dataclass(frozen=True)
class Encoded:
    """An audio file written into the edition."""

    path: Path
    """Where it is."""
    mime: str
    """Its MIME type."""
    loudness: Loudness
    """Its measured loudness."""


def write_audio(formats: tuple[str, ...], master: Master, out_dir: Path, chapters: tuple[TimedChapter, ...],
                data: tagging.TagData, work: Path) -> list[Encoded]:
    """Encode, check and tag every format; each file appears atomically only when it meets the target.

    One ffmpeg applies the final gain and limiter to the streamed master; its output is fed to every
    encoder at once (one ffmpeg per format, each on its own core). Each file is then measured (in
    parallel) and, if it misses, encoded again on its own (see the module's docstring). In ``formats`` order.
    """
    writers = []
    for fmt in formats:
        try:
            writers.append(AUDIO_WRITERS[fmt]())
        except KeyError:
            raise RecastError(f"unknown audio format {fmt!r}; use mp3 or m4a") from None
    out_dir, work = Path(out_dir), Path(work)
    with contextlib.ExitStack() as stack:
        tmps = [stack.enter_context(atomic_path(out_dir / w.name)) for w in writers]
        rate = master.sample_rate
        # the gain and limiter once, for every encoder (one format or two: the same bytes either way)
        final = stack.enter_context(contextlib.closing(ffmpeg.piped(
            [*_pcm_input(rate), "-af", loudness.final_chain(master), "-c:a", "pcm_s16le", "-f", "s16le", "-ac", "1",
             "pipe:1"], master.read())))  # closed (its ffmpeg stopped) even when an encoder fails first
        ffmpeg.run_fed([w.args(rate, _compensate(w.drift_lu), tmp, chapters, work)
                        for w, tmp in zip(writers, tmps, strict=True)], final)
        with ThreadPoolExecutor(max_workers=len(writers), thread_name_prefix="recast-check") as pool:
            measured = list(pool.map(lambda wt: _check(wt[0], wt[1], master, chapters, work),
                                     zip(writers, tmps, strict=True)))
        for writer, tmp in zip(writers, tmps, strict=True):
            writer.tag(tmp, data)
    return [Encoded(path=out_dir / w.name, mime=w.mime, loudness=m) for w, m in zip(writers, measured, strict=True)]


def _check(writer: AudioWriter, tmp: Path, master: Master, chapters: tuple[TimedChapter, ...],
           work: Path) -> Loudness:
    """Measure an encoded file; while it misses the target, encode it again with a corrected gain and
    ceiling (see the module's docstring). Returns the measurement of what is finally in ``tmp``."""
    offset, limit, oversample = -writer.drift_lu, None, False
    for attempt in range(ATTEMPTS):
        if attempt:
            chain = loudness.final_chain(master, offset_db=offset, limit_dbfs=limit, oversample=oversample)
            writer.encode(master, chain, tmp, chapters, work)
        measured = loudness.measure(tmp)
        error = loudness.TARGET_LUFS - measured.integrated_lufs
        if abs(error) <= AIM_LU and measured.true_peak_dbtp <= loudness.TRUE_PEAK_DBTP:
            return measured
        if attempt == ATTEMPTS - 1:
            if loudness.within_spec(measured):
                return measured
            raise RecastError(f"{writer.name} misses the loudness target after {ATTEMPTS} attempts "
                              f"({measured.integrated_lufs:.1f} LUFS, true peak {measured.true_peak_dbtp:.1f} "
                              "dBTP); report this with the episode")
        # what the plan and the encoder did: loudness error and true-peak overshoot
        offset = max(-6.0, min(6.0, offset + error))
        if measured.true_peak_dbtp > loudness.TRUE_PEAK_DBTP:
            base = limit if limit is not None else (master.limit_dbfs if master.limit_dbfs is not None
                                                    else loudness.TRUE_PEAK_DBTP - loudness.ENCODER_MARGIN_DB)
            limit = max(loudness.TRUE_PEAK_DBTP - 8.0,
                        base - (measured.true_peak_dbtp - loudness.TRUE_PEAK_DBTP) - 0.25 * (attempt + 1))
            oversample = True
    raise AssertionError("unreachable")
