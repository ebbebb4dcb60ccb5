"""Audio writers: stream the master through its final gain and limiter into every encoder at once (MP3 and
M4A on their own cores), add chapters and tags, and check the loudness of what was written.

One :class:`AudioWriter` encodes and joins every format; a format is data (:class:`Mp3Writer`,
:class:`M4aWriter`: codec and container options, codec frame, priming, how its sections join). A master
made of sections is encoded section by section into the edition's section store (:mod:`pipeline.writers.sections`).

Every audio file is measured after encoding (ffmpeg ebur128) and encoded again when it misses the target,
as :func:`pipeline.loudness.meet_target` says, rather than shipping a file that misses Apple's requirement.
Same master → byte-identical files: fixed encoder settings, ffmpeg's bitexact flags, no dates in tags.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from pipeline import ffmpeg, loudness
from pipeline.edition import AUDIO_FILES, AUDIO_FORMATS
from pipeline.errors import BadInput
from pipeline.fsutil import atomic_path
from pipeline.model import Loudness, Master, TimedChapter
from pipeline.writers import tags as tagging
from pipeline.writers.sections import SectionStore, write_sections

SAMPLE_RATE = 44100
BITRATE = "96k"


class AudioWriter:
    """Encodes the master into one container; the subclasses say which, as data."""

    format: str
    """The format's name (``--formats``), a key of :data:`pipeline.edition.AUDIO_FILES`."""
    name: str
    """File name in the edition folder (from :data:`pipeline.edition.AUDIO_FILES`)."""
    mime: str
    """MIME type for the manifest and the feed (from :data:`pipeline.edition.AUDIO_FILES`)."""
    drift_lu: float
    """How much louder (LU) the encoder makes speech than the PCM it is given, as measured."""
    codec: tuple[str, ...]
    """ffmpeg's encoder options."""
    container: tuple[str, ...]
    """ffmpeg's muxer options for the edition's file."""
    metadata: tuple[str, ...] = ffmpeg.BITEXACT
    """ffmpeg's options for what the file says besides the audio (bitexact: no versions, no dates)."""
    chapters_input: bool = False
    """True when ffmpeg writes the chapters (from an FFMETADATA input); else the tagger does."""
    ext: str
    """Suffix of its section files."""
    section_container: tuple[str, ...]
    """ffmpeg's muxer options for a section file."""
    frame: int
    """Samples per codec frame."""
    priming: int = 0
    """Samples the encoder puts before the audio that the joined file marks in its edit list (0: the
    container's own header says it)."""
    stream_demuxer: str | None = None
    """The demuxer reading the section files joined byte for byte as one stream; None when each section is
    a file of its own, joined by ffmpeg's concat demuxer."""

    def args(self, rate: int, chain: str | None, out: Path, chapters: tuple[TimedChapter, ...],
             work: Path) -> list[str]:
        """ffmpeg's arguments to encode mono s16le PCM at ``rate`` read from stdin, through the filter
        ``chain`` (if any), into ``out`` with ``chapters`` (tags come later)."""
        return [*ffmpeg.pcm_input(rate), *self._chapters(out, chapters, work), "-map", "0:a:0", *_filter(chain),
                *self.metadata, *self.codec, *self.container, str(out)]

    def encode(self, master: Master, chain: str | None, out: Path, chapters: tuple[TimedChapter, ...],
               work: Path) -> None:
        """Stream ``master`` through ``chain`` into ``out``."""
        ffmpeg.run_fed([self.args(master.sample_rate, chain, out, chapters, work)], master.read())

    def section_output(self, out: Path) -> list[str]:
        """ffmpeg's output options (after ``-map``) that encode a section into the file ``out``."""
        return [*ffmpeg.BITEXACT, *self.codec, *self.section_container, str(out)]

    def join(self, parts: list[Path], out: Path, chapters: tuple[TimedChapter, ...], work: Path) -> None:
        """Join section files (in order, without re-encoding) into ``out`` with ``chapters``."""
        if self.stream_demuxer:
            source = ["-f", self.stream_demuxer, "-thread_queue_size", str(ffmpeg.PCM_QUEUE_PACKETS), "-i", "pipe:0"]
        else:
            listing = work / f"sections-{out.name}.txt"
            listing.write_text("ffconcat version 1.0\n" + "".join(f"file {_concat_quote(p)}\n" for p in parts),
                               "utf-8")
            source = ["-f", "concat", "-safe", "0", "-i", str(listing)]
        # the first frame's timestamp moved back by the priming makes the MP4 muxer write the edit list
        # that skips it (as when it encodes itself)
        priming = ["-bsf:a", f"setts=ts=TS-{self.priming}"] if self.priming else []
        args = ["-y", *source, *self._chapters(out, chapters, work), "-map", "0:a:0", *self.metadata,
                "-c:a", "copy", *priming, *self.container, str(out)]
        if self.stream_demuxer:
            ffmpeg.run_fed([args], _read_files(parts))
        else:
            ffmpeg.run("ffmpeg", args)

    def tag(self, path: Path, data: tagging.TagData) -> None:
        """Write tags (and chapters when the container keeps them in tags)."""
        raise NotImplementedError

    def _chapters(self, out: Path, chapters: tuple[TimedChapter, ...], work: Path) -> list[str]:
        """The FFMETADATA input that gives ffmpeg the chapters, when it writes them."""
        if not self.chapters_input:
            return []
        meta = work / f"chapters-{out.name}.ffmeta"
        meta.write_text(ffmetadata(chapters), "utf-8")
        return ["-f", "ffmetadata", "-i", str(meta)]


class Mp3Writer(AudioWriter):
    """``episode.mp3``: mono 44.1 kHz, 96 kbps CBR LAME with a gapless (LAME/Info) header; ID3v2.4 tags
    and CHAP/CTOC chapters via mutagen. Each section is an MP3 of its own; the concat demuxer joins them
    (the LAME header keeps the first section's delay and the last one's padding: gapless)."""

    format = "mp3"
    name = AUDIO_FILES["mp3"].name
    mime = AUDIO_FILES["mp3"].mime
    #: LAME's low-pass (about 16 kHz at 96 kb/s mono) takes treble that K-weighting counts: measured
    #: −0.4 to −0.45 LU on espeak-ng and Edge speech.
    drift_lu = -0.4
    codec = ("-c:a", "libmp3lame", "-b:a", BITRATE, "-ar", str(SAMPLE_RATE), "-ac", "1")
    container = ("-id3v2_version", "0", "-write_id3v1", "0", "-write_xing", "1", "-f", "mp3")
    ext = "mp3"
    section_container = container
    frame = 1152

    def tag(self, path: Path, data: tagging.TagData) -> None:
        tagging.write_id3(path, data)


class M4aWriter(AudioWriter):
    """``episode.m4a``: AAC-LC 96 kbps mono 44.1 kHz, moov first (+faststart), chapters as both a Nero
    ``chpl`` box and a QuickTime chapter text track (ffmpeg writes both from an FFMETADATA file), iTunes
    tags via mutagen. Sections are ADTS, joined byte for byte into one stream, the first section's
    priming marked in the M4A's edit list.

    ffmpeg's ``fast`` AAC coder: at this rate (96 kbps for one channel) it is the better one according to
    ffmpeg's documentation, about 7x faster than the default ``twoloop`` here, and its true-peak overshoot
    was 0 dB instead of 1.6 dB on a 40-minute edition.
    """

    format = "m4a"
    name = AUDIO_FILES["m4a"].name
    mime = AUDIO_FILES["m4a"].mime
    #: measured −0.05 to +0.05 LU on speech
    drift_lu = 0.0
    codec = ("-c:a", "aac", "-aac_coder", "fast", "-profile:a", "aac_low", "-b:a", BITRATE,
             "-ar", str(SAMPLE_RATE), "-ac", "1")
    container = ("-movflags", "+faststart", "-f", "ipod")
    # Not pipeline.ffmpeg.BITEXACT: its "-map_metadata -1" also empties the chapter titles (and then the
    # QuickTime chapter track is lost). Only global metadata is dropped here.
    metadata = ("-map_metadata:g", "-1", "-map_chapters", "1", "-fflags", "+bitexact", "-flags:a", "+bitexact")
    chapters_input = True
    ext = "aac"
    section_container = ("-f", "adts")
    frame = 1024
    #: The AAC encoder puts a whole frame before the audio.
    priming = 1024
    stream_demuxer = "aac"

    def tag(self, path: Path, data: tagging.TagData) -> None:
        tagging.write_mp4(path, data)


def _filter(chain: str | None) -> list[str]:
    return ["-af", chain] if chain else []


def _concat_quote(path: Path) -> str:
    """A path quoted for an ffconcat file."""
    return "'" + str(path).replace("'", "'\\''") + "'"


def _read_files(paths: list[Path], size: int = 1 << 20) -> Iterator[bytes]:
    for path in paths:
        with open(path, "rb") as f:
            while chunk := f.read(size):
                yield chunk


#: Audio writers by format name (``--formats``): one for each audio file of the edition contract.
AUDIO_WRITERS: dict[str, type] = {w.format: w for w in (Mp3Writer, M4aWriter)}
if tuple(AUDIO_WRITERS) != AUDIO_FORMATS:  # a format in the contract has a writer, and no writer is unnamed
    raise ImportError(f"audio writers {tuple(AUDIO_WRITERS)} do not match the edition's formats {AUDIO_FORMATS}")


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
    sections: int = 1
    """Sections it was joined from (1: encoded in one pass)."""
    encoded: int = 1
    """Sections encoded by this render (the others were reused from the section store)."""


def write_audio(formats: tuple[str, ...], master: Master, out_dir: Path, chapters: tuple[TimedChapter, ...],
                data: tagging.TagData, work: Path, store: Path | None = None) -> list[Encoded]:
    """Encode, check and tag every format; each file appears atomically only when it meets the target.

    One ffmpeg applies the final gain and limiter to the streamed master; its output is fed to every
    encoder at once (one ffmpeg per format, each on its own core). A master with sections is encoded
    section by section, reusing the sections already in ``store`` (a folder kept between renders of one
    edition; the work folder when None) and leaving there only the sections of this edition. Each file is
    then measured and, if it misses, encoded again on its own (:func:`pipeline.loudness.meet_target`). In
    ``formats`` order.
    """
    writers = []
    for fmt in formats:
        try:
            writers.append(AUDIO_WRITERS[fmt]())
        except KeyError:
            raise BadInput(f"unknown audio format {fmt!r}; use {' or '.join(AUDIO_FORMATS)}") from None
    out_dir, work = Path(out_dir), Path(work)
    work.mkdir(parents=True, exist_ok=True)
    sectioned = bool(master.sections) and master.read_range is not None and master.sample_rate == SAMPLE_RATE
    with contextlib.ExitStack() as stack:
        tmps = [stack.enter_context(atomic_path(out_dir / w.name)) for w in writers]
        if sectioned:
            shelf = SectionStore(Path(store) if store is not None else work / "sections")
            measured = write_sections(writers, tmps, master, chapters, work, shelf)
            counts = [(len(master.sections), shelf.encoded.get(w.name, 0)) for w in writers]
        else:
            measured = _write_whole(writers, tmps, master, chapters, work)
            counts = [(1, 1) for _w in writers]
        for writer, tmp in zip(writers, tmps, strict=True):
            writer.tag(tmp, data)
    if sectioned:
        shelf.prune()
    return [Encoded(path=out_dir / w.name, mime=w.mime, loudness=m, sections=total, encoded=done)
            for w, m, (total, done) in zip(writers, measured, counts, strict=True)]


def _write_whole(writers: list, tmps: list[Path], master: Master, chapters: tuple[TimedChapter, ...],
                 work: Path) -> list[Loudness]:
    """The master in one pass into every encoder, then every file measured (and encoded again if it must)."""
    rate = master.sample_rate
    with contextlib.closing(_limited(master, loudness.final_chain(master))) as final:
        # closed (its ffmpeg stopped) even when an encoder fails first
        ffmpeg.run_fed([w.args(rate, loudness.encoder_compensation(w.drift_lu), tmp, chapters, work)
                        for w, tmp in zip(writers, tmps, strict=True)], final)

    def check(writer: AudioWriter, tmp: Path) -> Loudness:
        def again(chain: str) -> Loudness:
            writer.encode(master, chain, tmp, chapters, work)
            return loudness.measure(tmp)

        return loudness.meet_target(writer.name, writer.drift_lu, master, loudness.measure(tmp), again)

    with ThreadPoolExecutor(max_workers=len(writers), thread_name_prefix="recast-check") as pool:
        return list(pool.map(check, writers, tmps))


def _limited(master: Master, chain: str) -> Iterator[bytes]:
    """The master's PCM through the filter ``chain``."""
    return ffmpeg.piped([*ffmpeg.pcm_input(master.sample_rate), "-af", chain, "-c:a", "pcm_s16le", "-f", "s16le", "-ac", "1",
                         "pipe:1"], master.read())
