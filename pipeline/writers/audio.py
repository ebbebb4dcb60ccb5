"""Audio writers: stream the master through its final gain and limiter into every encoder at once (MP3 and
M4A on their own cores), add chapters and tags, and check the loudness of what was written.

A master made of sections (``pipeline.mix``) is encoded section by section into a **section store** kept
between renders (``output/.sections/<edition>/``): a section whose PCM, gain, limiter and encoder settings
are unchanged is not encoded again. Each section is encoded on its own — the MP3 sections with their own
LAME/Info header, the AAC ones as ADTS — from its first frame, and stops one codec frame before the next
section (silence: the mixer starts sections in the pause between two turns, on a whole number of MP3 and
AAC frames). So the codec frames of the sections, played one after the other, give the edition's timeline
sample for sample: the encoder delay of every section falls in the frame left out of the one before. The
files are then joined without re-encoding: the MP3's frames by ffmpeg's concat demuxer (its LAME header
keeps the first section's delay and the last one's padding: gapless), the AAC frames into the M4A with the
first section's 1024 priming samples marked in its edit list. Each section's loudness blocks and true
peak are measured once, when it is encoded, and kept beside it; the edition's loudness is their blocks
gated together.

Every audio file is measured after encoding (ffmpeg ebur128). When it misses the target (true peak above
−1 dBTP, or integrated loudness off −16 by more than :data:`AIM_LU`), that format is encoded again, aiming
the gain by the measured error and lowering the ceiling by the measured overshoot with a limiter that sees
peaks between samples, rather than shipping a file that misses Apple's requirement.
Same master → byte-identical files: fixed encoder settings, ffmpeg's bitexact flags, no dates in tags.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from pipeline import ffmpeg, loudness
from pipeline.errors import RecastError
from pipeline.fsutil import atomic_path, atomic_write_text
from pipeline.model import Loudness, Master, Section, TimedChapter
from pipeline.writers import tags as tagging

SAMPLE_RATE = 44100
BITRATE = "96k"
#: Encodes tried before giving up on meeting the loudness target.
ATTEMPTS = 3
#: A first encode within this many LU of the target is kept; later ones within the spec's 1 LU.
AIM_LU = 0.5
#: Sections encoded at once (each ffmpeg encodes on one core).
ENCODERS = max(2, min(4, os.cpu_count() or 1))
#: Bump when what a stored section holds, or how it is named, changes.
SECTION_FORMAT = 1
#: Names of the files a section store holds (sections, sidecars, temporary files): pruning touches no other.
_SECTION_FILE = re.compile(r"^\.?[0-9a-f]{64}\.")


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

    ext: str
    """Suffix of its section files."""
    frame: int
    """Samples per codec frame."""

    def section_output(self, out: Path) -> list[str]:
        """ffmpeg's output options (after ``-map``) that encode a section into the file ``out``."""

    def join(self, parts: list[Path], out: Path, chapters: tuple[TimedChapter, ...], work: Path) -> None:
        """Join section files (in order, without re-encoding) into ``out`` with ``chapters``."""


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

    ext = "mp3"
    frame = 1152

    def section_output(self, out: Path) -> list[str]:
        return [*ffmpeg.BITEXACT, "-c:a", "libmp3lame", "-b:a", BITRATE, "-ar", str(SAMPLE_RATE), "-ac", "1",
                "-id3v2_version", "0", "-write_id3v1", "0", "-write_xing", "1", "-f", "mp3", str(out)]

    def join(self, parts: list[Path], out: Path, chapters: tuple[TimedChapter, ...], work: Path) -> None:
        listing = work / f"sections-{out.name}.txt"
        listing.write_text("ffconcat version 1.0\n" + "".join(f"file {_concat_quote(p)}\n" for p in parts), "utf-8")
        ffmpeg.run("ffmpeg", ["-y", "-f", "concat", "-safe", "0", "-i", str(listing), "-map", "0:a:0",
                              *ffmpeg.BITEXACT, "-c:a", "copy", "-id3v2_version", "0", "-write_id3v1", "0",
                              "-write_xing", "1", "-f", "mp3", str(out)])


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

    ext = "aac"
    frame = 1024
    #: Samples the AAC encoder puts before the audio (a whole frame), marked in the M4A's edit list.
    priming = 1024

    def section_output(self, out: Path) -> list[str]:
        return [*ffmpeg.BITEXACT, "-c:a", "aac", "-aac_coder", "fast", "-profile:a", "aac_low", "-b:a", BITRATE,
                "-ar", str(SAMPLE_RATE), "-ac", "1", "-f", "adts", str(out)]

    def join(self, parts: list[Path], out: Path, chapters: tuple[TimedChapter, ...], work: Path) -> None:
        meta = work / f"chapters-{out.name}.ffmeta"
        meta.write_text(ffmetadata(chapters), "utf-8")
        # ADTS frames joined byte for byte are one stream; the first frame's timestamp moved back by the
        # priming makes the MP4 muxer write the edit list that skips it (as when it encodes itself)
        args = ["-y", "-f", "aac", "-thread_queue_size", str(PCM_QUEUE_PACKETS), "-i", "pipe:0",
                "-f", "ffmetadata", "-i", str(meta), "-map", "0:a:0", "-map_metadata:g", "-1", "-map_chapters", "1",
                "-fflags", "+bitexact", "-c:a", "copy", "-bsf:a", f"setts=ts=TS-{self.priming}",
                "-movflags", "+faststart", "-f", "ipod", str(out)]
        ffmpeg.run_fed([args], _read_files(parts))


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


def _trimmed(frames: int, chain: str | None) -> str:
    """``chain`` after keeping the first ``frames`` samples."""
    return f"atrim=end_sample={frames}" + (f",{chain}" if chain else "")


def _concat_quote(path: Path) -> str:
    """A path quoted for an ffconcat file."""
    return "'" + str(path).replace("'", "'\\''") + "'"


def _read_files(paths: list[Path], size: int = 1 << 20) -> Iterator[bytes]:
    for path in paths:
        with open(path, "rb") as f:
            while chunk := f.read(size):
                yield chunk


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
    then measured and, if it misses, encoded again on its own (see the module's docstring). In ``formats`` order.
    """
    writers = []
    for fmt in formats:
        try:
            writers.append(AUDIO_WRITERS[fmt]())
        except KeyError:
            raise RecastError(f"unknown audio format {fmt!r}; use mp3 or m4a") from None
    out_dir, work = Path(out_dir), Path(work)
    work.mkdir(parents=True, exist_ok=True)
    sectioned = bool(master.sections) and master.read_range is not None and master.sample_rate == SAMPLE_RATE
    with contextlib.ExitStack() as stack:
        tmps = [stack.enter_context(atomic_path(out_dir / w.name)) for w in writers]
        if sectioned:
            shelf = _Shelf(Path(store) if store is not None else work / "sections")
            measured = _write_sections(writers, tmps, master, chapters, work, shelf)
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
        ffmpeg.run_fed([w.args(rate, _compensate(w.drift_lu), tmp, chapters, work)
                        for w, tmp in zip(writers, tmps, strict=True)], final)

    def check(writer: AudioWriter, tmp: Path) -> Loudness:
        def again(chain: str) -> Loudness:
            writer.encode(master, chain, tmp, chapters, work)
            return loudness.measure(tmp)

        return _meet_target(writer, master, loudness.measure(tmp), again)

    with ThreadPoolExecutor(max_workers=len(writers), thread_name_prefix="recast-check") as pool:
        return list(pool.map(check, writers, tmps))


def _limited(master: Master, chain: str) -> Iterator[bytes]:
    """The master's PCM through the filter ``chain``."""
    return ffmpeg.piped([*_pcm_input(master.sample_rate), "-af", chain, "-c:a", "pcm_s16le", "-f", "s16le", "-ac", "1",
                         "pipe:1"], master.read())


def _write_sections(writers: list, tmps: list[Path], master: Master, chapters: tuple[TimedChapter, ...],
                    work: Path, shelf: _Shelf) -> list[Loudness]:
    """Every format from its sections (the stored ones reused, the others encoded and stored), checked as
    a whole from the sections' measurements, then joined into its file."""
    first = _encode_sections(master, [(w, _compensate(w.drift_lu)) for w in writers],
                             loudness.final_chain(master), shelf)
    measured, joins = [], []
    for writer in writers:
        parts = first[writer.name]

        def again(chain: str, writer: AudioWriter = writer) -> Loudness:
            nonlocal parts
            parts = _encode_sections(master, [(writer, None)], chain, shelf)[writer.name]
            return loudness.joined([p for _path, p in parts])

        measured.append(_meet_target(writer, master, loudness.joined([p for _path, p in parts]), again))
        joins.append([path for path, _p in parts])
    with ThreadPoolExecutor(max_workers=len(writers), thread_name_prefix="recast-join") as pool:
        for _done in pool.map(lambda w, t, j: w.join(j, t, chapters, work), writers, tmps, joins):
            pass
    return measured


def _encode_sections(master: Master, jobs: list[tuple[AudioWriter, str | None]], chain: str,
                     shelf: _Shelf) -> dict[str, list[tuple[Path, loudness.Profile]]]:
    """Each writer's sections of ``master`` through the limiter ``chain`` and its encoder filter (in
    ``jobs``): from the shelf when there, else encoded and measured. Each writer's (file, profile) in order.

    A section is encoded by one ffmpeg — the limiter, then a branch per format that needs it — and its
    new files measured by one more; two sections at once (one per core), the longest first so that no core
    is left alone with a long one at the end. With fewer sections to encode than cores (an edit), each
    format of a section gets an ffmpeg of its own instead. The limiter's output is 16-bit before it
    branches, so a section's file is the same bytes however the formats were grouped."""
    rate = master.sample_rate
    plans: list[list[tuple[AudioWriter, Path]]] = []
    work: list[tuple[Section, list[tuple[AudioWriter, str, Path, Path]]]] = []
    planned: set[Path] = set()  # two sections of the same audio (a repeated stretch) are encoded once
    for k, section in enumerate(master.sections):
        last = k == len(master.sections) - 1
        plan, todo = [], []
        for writer, encoder_filter in jobs:
            frames = section.end - section.start - (0 if last else writer.frame)
            branch = _trimmed(frames, encoder_filter)
            key = hashlib.sha256(json.dumps([SECTION_FORMAT, section.key, chain, branch,
                                             writer.section_output(Path("OUT"))]).encode()).hexdigest()
            path = shelf.path(key, writer.ext)
            plan.append((writer, path))
            if path not in planned and not shelf.has(path):
                planned.add(path)
                todo.append((writer, branch, path, shelf.temp(path)))
                shelf.encoded[writer.name] = shelf.encoded.get(writer.name, 0) + 1
        plans.append(plan)
        if todo:
            work.append((section, todo))
    if len(work) < ENCODERS:
        work = [(section, [one]) for section, todo in work for one in todo]
    work.sort(key=lambda item: item[0].end - item[0].start, reverse=True)

    def encode(item: tuple[Section, list[tuple[AudioWriter, str, Path, Path]]]) -> None:
        section, todo = item
        graph = f"[0:a]{chain},aformat=sample_fmts=s16,asplit={len(todo)}" + "".join(f"[s{i}]" for i in range(len(todo)))
        outputs: list[str] = []
        for i, (writer, branch, _path, tmp) in enumerate(todo):
            graph += f";[s{i}]{branch}[o{i}]"
            outputs += ["-map", f"[o{i}]", *writer.section_output(tmp)]
        try:
            ffmpeg.run_fed([[*_pcm_input(rate), "-filter_complex", graph, *outputs]],
                           master.read_range(section.start, section.end))  # type: ignore[misc]
            for (_writer, _branch, path, tmp), measured in zip(todo, loudness.profiles([t for *_x, t in todo]),
                                                                strict=True):
                shelf.put(path, tmp, measured)
        finally:  # a failed section (a full disk, a stopped render) leaves no partial file behind
            for *_x, tmp in todo:
                tmp.unlink(missing_ok=True)

    pool = ThreadPoolExecutor(max_workers=ENCODERS, thread_name_prefix="recast-encode")
    try:
        for future in [pool.submit(encode, item) for item in work]:
            future.result()
    finally:  # on a failure, the sections not yet started are not encoded at all
        pool.shutdown(wait=True, cancel_futures=True)
    out: dict[str, list[tuple[Path, loudness.Profile]]] = {w.name: [] for w, _f in jobs}
    for plan in plans:
        for writer, path in plan:
            out[writer.name].append((path, shelf.profile(path)))
    return out


class _Shelf:
    """The section store of one edition: ``<key>.<ext>`` (a section file) and ``<key>.<ext>.json`` (its
    size, sha256 and :class:`pipeline.loudness.Profile`), written to a temporary name and renamed, the
    sidecar last: a section without a sound sidecar, or whose bytes do not match it, is not there."""

    def __init__(self, root: Path) -> None:
        self.root = root
        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            from pipeline.fsutil import explain_os_error

            raise explain_os_error(err, root) from err
        self.used: set[str] = set()
        self.encoded: dict[str, int] = {}
        """Sections encoded, by writer name."""
        self._profiles: dict[Path, loudness.Profile] = {}

    def path(self, key: str, ext: str) -> Path:
        return self.root / f"{key}.{ext}"

    def temp(self, path: Path) -> Path:
        return path.with_name(f".{path.name}.{os.getpid()}.tmp")

    def has(self, path: Path) -> bool:
        """True when ``path`` is stored whole (its profile is then known)."""
        self.used.update((path.name, path.name + ".json"))
        try:
            meta = json.loads(path.with_name(path.name + ".json").read_text("utf-8"))
            data = path.read_bytes()
            if meta["size"] != len(data) or meta["sha256"] != hashlib.sha256(data).hexdigest():
                return False
            self._profiles[path] = loudness.Profile.from_dict(meta["profile"])
        except (OSError, ValueError, KeyError, TypeError):
            return False
        return True

    def put(self, path: Path, tmp: Path, measured: loudness.Profile) -> None:
        """Store the section encoded into ``tmp`` (and measured) as ``path``."""
        data = tmp.read_bytes()
        os.replace(tmp, path)
        atomic_write_text(path.with_name(path.name + ".json"), json.dumps(
            {"size": len(data), "sha256": hashlib.sha256(data).hexdigest(), "profile": measured.to_dict()}))
        self._profiles[path] = measured

    def profile(self, path: Path) -> loudness.Profile:
        return self._profiles[path]

    def prune(self) -> None:
        """Remove what this render did not use (sections of earlier versions of the edition, leftovers)."""
        for entry in self.root.iterdir():
            if entry.name not in self.used and _SECTION_FILE.match(entry.name) and entry.is_file():
                with contextlib.suppress(OSError):
                    entry.unlink()


def _meet_target(writer: AudioWriter, master: Master, measured: Loudness,
                 again: Callable[[str], Loudness]) -> Loudness:
    """``measured`` when it meets the target; else the file is encoded again by ``again`` with a corrected
    gain and ceiling (see the module's docstring) until it does. Returns the last measurement."""
    offset, limit, oversample = -writer.drift_lu, None, False
    for attempt in range(ATTEMPTS):
        if attempt:
            measured = again(loudness.final_chain(master, offset_db=offset, limit_dbfs=limit, oversample=oversample))
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
