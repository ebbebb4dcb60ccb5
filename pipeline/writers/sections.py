"""The section store: a master made of sections (``pipeline.mix``) is encoded section by section into a store
kept between renders (``output/.sections/<edition>/``, a :class:`pipeline.store.Store`): a section whose PCM,
gain, limiter and encoder settings are unchanged is not encoded again.

Each section is encoded on its own — the MP3 sections with their own LAME/Info header, the AAC ones as
ADTS — from its first frame, and stops one codec frame before the next section (silence: the mixer starts
sections in the pause between two turns, on a whole number of MP3 and AAC frames). So the codec frames of
the sections, played one after the other, give the edition's timeline sample for sample: the encoder delay
of every section falls in the frame left out of the one before. The files are then joined without
re-encoding (:meth:`pipeline.writers.audio.AudioWriter.join`). Each section's loudness blocks and true peak
are measured once, when it is encoded, and kept in its sidecar; the edition's loudness is their blocks
gated together.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline import ffmpeg, loudness
from pipeline.model import Loudness, Master, Section, TimedChapter
from pipeline.store import Pending, Store

if TYPE_CHECKING:
    from pipeline.writers.audio import AudioWriter

#: Sections encoded at once (each ffmpeg encodes on one core).
ENCODERS = max(2, min(4, os.cpu_count() or 1))
#: Bump when what a stored section holds, or how it is named, changes.
SECTION_FORMAT = 1


class SectionStore:
    """The section store of one edition: ``<key>.<ext>`` (a section file) and ``<key>.<ext>.json`` (its size,
    sha256 and :class:`pipeline.loudness.Profile`). Remembers what this render used, to prune the rest."""

    def __init__(self, root: Path) -> None:
        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            from pipeline.fsutil import explain_os_error

            raise explain_os_error(err, root) from err
        self.store = Store(root, sidecar_per_file=True)
        self.used: set[str] = set()
        self.encoded: dict[str, int] = {}
        """Sections encoded, by writer name."""
        self._profiles: dict[Path, loudness.Profile] = {}

    def path(self, key: str, ext: str) -> Path:
        return self.store.path(key, ext)

    def has(self, key: str, ext: str) -> bool:
        """True when the section is stored whole (its profile is then known)."""
        self.used.update((f"{key}.{ext}", f"{key}.{ext}.json"))
        entry = self.store.get(key, ext)
        if entry is None:
            return False
        try:
            self._profiles[entry.path] = loudness.Profile.from_dict(entry.meta["profile"])
        except (ValueError, KeyError, TypeError):
            self.store.discard(key, ext)
            return False
        return True

    def adding(self, key: str, ext: str) -> contextlib.AbstractContextManager[Pending]:
        """Where to encode a section into; stored when it is measured (:meth:`measured`) and the block ends."""
        return self.store.adding(key, ext)

    def measured(self, key: str, ext: str, pending: Pending, profile: loudness.Profile) -> None:
        pending.meta["profile"] = profile.to_dict()
        self._profiles[self.path(key, ext)] = profile

    def profile(self, path: Path) -> loudness.Profile:
        return self._profiles[path]

    def prune(self) -> None:
        """Remove what this render did not use (sections of earlier versions of the edition, leftovers)."""
        self.store.prune(self.used)


def write_sections(writers: list[AudioWriter], tmps: list[Path], master: Master,
                   chapters: tuple[TimedChapter, ...], work: Path, shelf: SectionStore) -> list[Loudness]:
    """Every format from its sections (the stored ones reused, the others encoded and stored), checked as
    a whole from the sections' measurements, then joined into its file."""
    first = _encode(master, [(w, loudness.encoder_compensation(w.drift_lu)) for w in writers],
                    loudness.final_chain(master), shelf)
    measured, joins = [], []
    for writer in writers:
        parts = first[writer.name]

        def again(chain: str, writer: AudioWriter = writer) -> Loudness:
            nonlocal parts
            parts = _encode(master, [(writer, None)], chain, shelf)[writer.name]
            return loudness.joined([p for _path, p in parts])

        measured.append(loudness.meet_target(writer.name, writer.drift_lu, master,
                                             loudness.joined([p for _path, p in parts]), again))
        joins.append([path for path, _p in parts])
    with ThreadPoolExecutor(max_workers=len(writers), thread_name_prefix="recast-join") as pool:
        for _done in pool.map(lambda w, t, j: w.join(j, t, chapters, work), writers, tmps, joins):
            pass
    return measured


def _encode(master: Master, jobs: list[tuple[AudioWriter, str | None]], chain: str,
            shelf: SectionStore) -> dict[str, list[tuple[Path, loudness.Profile]]]:
    """Each writer's sections of ``master`` through the limiter ``chain`` and its encoder filter (in
    ``jobs``): from the shelf when there, else encoded and measured. Each writer's (file, profile) in order.

    A section is encoded by one ffmpeg — the limiter, then a branch per format that needs it — and its
    new files measured by one more; two sections at once (one per core), the longest first so that no core
    is left alone with a long one at the end. With fewer sections to encode than cores (an edit), each
    format of a section gets an ffmpeg of its own instead. The limiter's output is 16-bit before it
    branches, so a section's file is the same bytes however the formats were grouped."""
    rate = master.sample_rate
    plans: list[list[tuple[AudioWriter, Path]]] = []
    work: list[tuple[Section, list[tuple[AudioWriter, str, str]]]] = []
    planned: set[Path] = set()  # two sections of the same audio (a repeated stretch) are encoded once
    for k, section in enumerate(master.sections):
        last = k == len(master.sections) - 1
        plan, todo = [], []
        for writer, encoder_filter in jobs:
            frames = section.end - section.start - (0 if last else writer.frame)
            branch = f"atrim=end_sample={frames}" + (f",{encoder_filter}" if encoder_filter else "")
            key = hashlib.sha256(json.dumps([SECTION_FORMAT, section.key, chain, branch,
                                             writer.section_output(Path("OUT"))]).encode()).hexdigest()
            path = shelf.path(key, writer.ext)
            plan.append((writer, path))
            if path not in planned and not shelf.has(key, writer.ext):
                planned.add(path)
                todo.append((writer, branch, key))
                shelf.encoded[writer.name] = shelf.encoded.get(writer.name, 0) + 1
        plans.append(plan)
        if todo:
            work.append((section, todo))
    if len(work) < ENCODERS:
        work = [(section, [one]) for section, todo in work for one in todo]
    work.sort(key=lambda item: item[0].end - item[0].start, reverse=True)

    def encode(item: tuple[Section, list[tuple[AudioWriter, str, str]]]) -> None:
        section, todo = item
        # a failed section (a full disk, a stopped render) leaves no partial file behind
        with contextlib.ExitStack() as stack:
            pending = [stack.enter_context(shelf.adding(key, writer.ext)) for writer, _branch, key in todo]
            graph = (f"[0:a]{chain},aformat=sample_fmts=s16,asplit={len(todo)}"
                     + "".join(f"[s{i}]" for i in range(len(todo))))
            outputs: list[str] = []
            for i, ((writer, branch, _key), adding) in enumerate(zip(todo, pending, strict=True)):
                graph += f";[s{i}]{branch}[o{i}]"
                outputs += ["-map", f"[o{i}]", *writer.section_output(adding.tmp)]
            ffmpeg.run_fed([[*ffmpeg.pcm_input(rate), "-filter_complex", graph, *outputs]],
                           master.read_range(section.start, section.end))  # type: ignore[misc]
            for (writer, _branch, key), adding, profile in zip(
                    todo, pending, loudness.profiles([p.tmp for p in pending]), strict=True):
                shelf.measured(key, writer.ext, adding, profile)

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
