"""Audio writers: stream the master through its final gain and limiter into every encoder at once (MP3 and
M4A on their own cores), add chapters and tags, and check the loudness of what was written.

Every audio file is measured after encoding (ffmpeg ebur128). When it misses the target (true peak above
−1 dBTP, or integrated loudness off −16 by more than :data:`AIM_LU`), that format is encoded again, aiming
the gain by the measured error and lowering the ceiling by the measured overshoot with a limiter that sees
peaks between samples, rather than shipping a file that misses Apple's requirement.
Same master → byte-identical files: fixed encoder settings, ffmpeg's bitexact flags, no dates in tags.
"""

from __future__ import annotations

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

    def encode(self, master: Master, chain: str, out: Path, chapters: tuple[TimedChapter, ...], work: Path) -> None:
        """Stream ``master`` through the filter ``chain`` into ``out`` with ``chapters`` (tags come later)."""

    def tag(self, path: Path, data: tagging.TagData) -> None:
        """Write tags (and chapters when the container keeps them in tags)."""


class Mp3Writer:
    """``episode.mp3``: mono 44.1 kHz, 96 kbps CBR LAME with a gapless (LAME/Info) header; ID3v2.4 tags
    and CHAP/CTOC chapters via mutagen."""

    name = "episode.mp3"
    mime = "audio/mpeg"

    def encode(self, master: Master, chain: str, out: Path, chapters: tuple[TimedChapter, ...], work: Path) -> None:
        ffmpeg.run_fed("ffmpeg", [*_pcm_input(master), "-map", "0:a:0", "-af", chain, *ffmpeg.BITEXACT,
                                  "-c:a", "libmp3lame", "-b:a", BITRATE, "-ar", str(SAMPLE_RATE), "-ac", "1",
                                  "-id3v2_version", "0", "-write_id3v1", "0", "-write_xing", "1", "-f", "mp3",
                                  str(out)], master.read())

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

    def encode(self, master: Master, chain: str, out: Path, chapters: tuple[TimedChapter, ...], work: Path) -> None:
        meta = work / f"chapters-{out.name}.ffmeta"
        meta.write_text(ffmetadata(chapters), "utf-8")
        # Not pipeline.ffmpeg.BITEXACT: its "-map_metadata -1" also empties the chapter titles (and then
        # the QuickTime chapter track is lost). Only global metadata is dropped here.
        ffmpeg.run_fed("ffmpeg", [*_pcm_input(master), "-f", "ffmetadata", "-i", str(meta),
                                  "-map", "0:a:0", "-af", chain, "-map_metadata:g", "-1", "-map_chapters", "1",
                                  "-fflags", "+bitexact", "-flags:a", "+bitexact",
                                  "-c:a", "aac", "-aac_coder", "fast", "-profile:a", "aac_low", "-b:a", BITRATE,
                                  "-ar", str(SAMPLE_RATE),
                                  "-ac", "1", "-movflags", "+faststart", "-f", "ipod", str(out)], master.read())

    def tag(self, path: Path, data: tagging.TagData) -> None:
        tagging.write_mp4(path, data)


def _pcm_input(master: Master) -> list[str]:
    """ffmpeg's input options for the master streamed on its stdin."""
    return ["-y", "-f", "s16le", "-ar", str(master.sample_rate), "-ac", "1", "-i", "pipe:0"]


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
    """Encode, check and tag every format at once (one thread and one ffmpeg per format, each streaming
    the master itself); each file appears atomically only when it meets the target. In ``formats`` order.
    """
    writers = []
    for fmt in formats:
        try:
            writers.append(AUDIO_WRITERS[fmt]())
        except KeyError:
            raise RecastError(f"unknown audio format {fmt!r}; use mp3 or m4a") from None
    with ThreadPoolExecutor(max_workers=len(writers), thread_name_prefix="recast-encode") as pool:
        futures = [pool.submit(_write_one, w, master, Path(out_dir), chapters, data, Path(work)) for w in writers]
        return [f.result() for f in futures]


def _write_one(writer: AudioWriter, master: Master, out_dir: Path, chapters: tuple[TimedChapter, ...],
               data: tagging.TagData, work: Path) -> Encoded:
    """Encode one format until it is on target (see the module's docstring), tag it, rename it into place."""
    target = out_dir / writer.name
    offset, limit, oversample = 0.0, None, False
    with atomic_path(target) as tmp:
        for attempt in range(ATTEMPTS):
            chain = loudness.final_chain(master, offset_db=offset, limit_dbfs=limit, oversample=oversample)
            writer.encode(master, chain, tmp, chapters, work)
            measured = loudness.measure(tmp)
            error = loudness.TARGET_LUFS - measured.integrated_lufs
            if abs(error) <= AIM_LU and measured.true_peak_dbtp <= loudness.TRUE_PEAK_DBTP:
                break
            if attempt == ATTEMPTS - 1:
                if loudness.within_spec(measured):
                    break
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
        writer.tag(tmp, data)
    return Encoded(path=target, mime=writer.mime, loudness=measured)
