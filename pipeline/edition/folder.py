"""Making an edition folder: its name (:func:`edition_slug`), the transaction that replaces it (one render per
edition at a time, work files in a private folder, every file renamed into place with ``episode.json`` last, a
full disk explained in one line) and its section store beside the output, which the next render reuses.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.edition.contract import MANIFEST_FILE, OPTIONAL_FILES, Manifest, write_manifest
from pipeline.errors import BadInput, OutputBusy, OutputError, RecastError, SynthesisError

if TYPE_CHECKING:
    from pipeline.model import Script


# ----------------------------------------------------------------------------------------------- slug


def edition_slug(script: Script, max_len: int = 72) -> str:
    """ASCII, filesystem- and URL-safe folder name from the date and the title."""
    from unidecode import unidecode

    words = re.sub(r"[^a-z0-9]+", "-", unidecode(script.title).lower()).strip("-")
    if len(words) > max_len:
        cut = words[:max_len]
        words = cut.rsplit("-", 1)[0] if "-" in cut[max_len // 2:] else cut
    words = words.strip("-")
    if not words:
        words = "episode-" + hashlib.sha256(script.title.encode("utf-8")).hexdigest()[:8]
    date = script.published.isoformat() if script.published else ""
    return f"{date}-{words}" if date else words


# ---------------------------------------------------------------------------------------- transaction

Notice = Callable[[str], None]
#: How long a second render of the same episode waits for the first before giving up.
LOCK_WAIT_S = 1800.0


def prepare_output(output: Path) -> Path:
    """The output folder, created and checked writable (resolved); BadInput/OutputError otherwise."""
    output = Path(output)
    if output.exists() and not output.is_dir():
        raise BadInput(f"output path is not a folder: {output}")
    try:
        output.mkdir(parents=True, exist_ok=True)
        import tempfile

        with tempfile.NamedTemporaryFile(dir=output, prefix=".tmp-write-test-"):
            pass  # a unique name: renders started at once must not remove each other's probe
    except OSError as err:
        raise OutputError(f"cannot write to the output folder {output}: {err.strerror or err}; "
                          "choose another --output") from err
    return output.resolve()


def edition_dir(output: Path, slug: str) -> Path:
    """``output/slug``, refusing a slug that leads elsewhere or a file in the way."""
    target = (output / slug).resolve()
    if target.parent != output:
        raise BadInput(f"refusing to write outside the output folder: {slug!r}")
    if target.exists() and not target.is_dir():
        raise OutputError(f"{target} exists and is not a folder; move it away or choose another --output")
    return target


@dataclass(frozen=True)
class Transaction:
    """An edition being replaced: write into :attr:`stage`, then :meth:`commit`."""

    edition_dir: Path
    """The final edition folder."""
    work: Path
    """Private scratch folder (removed afterwards)."""

    @property
    def stage(self) -> Path:
        """Where the new edition's files are written before they move into place."""
        return self.work / "edition"

    def commit(self, manifest: Manifest, timings: Mapping[str, float]) -> Manifest:
        """Record the final ``timings`` in the staged manifest, then move the edition into place."""
        manifest = _with_timings(manifest, timings)
        write_manifest(self.stage, manifest)
        move_into_place(self.stage, self.edition_dir, manifest)
        return manifest


@contextlib.contextmanager
def transaction(output: Path, slug: str, notice: Notice) -> Iterator[Transaction]:
    """Hold the edition's lock and a private work folder; explain a full disk in one line."""
    target = edition_dir(output, slug)
    with edition_lock(output, slug, notice), work_dir(output, slug) as work, explain_failures(output):
        yield Transaction(target, work)


def _with_timings(manifest: Manifest, timings: Mapping[str, float]) -> Manifest:
    import dataclasses

    return dataclasses.replace(manifest, stats={**manifest.stats, "timings": dict(timings)})


def move_into_place(stage: Path, target: Path, manifest: Manifest) -> None:
    """Rename the staged edition's files into ``target``, episode.json last.

    Everything was written (and could fail, e.g. on a full disk) in the staging folder beside it on the
    same file system; renames need no space, so a failed render leaves the previous edition untouched.
    """
    from pipeline.fsutil import fsync_dir

    target.mkdir(parents=True, exist_ok=True)
    names = manifest.file_names()
    for name in names:
        os.replace(stage / name, target / name)
    for name in OPTIONAL_FILES:
        if name not in names:
            (target / name).unlink(missing_ok=True)
    os.replace(stage / MANIFEST_FILE, target / MANIFEST_FILE)
    fsync_dir(target)


@contextlib.contextmanager
def explain_failures(output: Path) -> Iterator[None]:
    """OS errors and tool failures caused by a full disk become one clear line saying what to do."""
    try:
        yield
    except OSError as err:
        from pipeline.fsutil import explain_os_error

        raise explain_os_error(err, Path(err.filename) if err.filename else output) from err
    except (BadInput, SynthesisError, OutputError):
        raise
    except RecastError as err:
        if shutil.disk_usage(output).free < 4 * 1024 * 1024:
            raise OutputError(f"no space left on the device holding {output} ({err}); free some space and "
                              "run again (finished clips are cached)") from err
        raise


@contextlib.contextmanager
def edition_lock(output: Path, slug: str, notice: Notice) -> Iterator[None]:
    """One render per edition at a time. flock-based: a killed run's lock vanishes with its process."""
    from filelock import FileLock, Timeout

    locks = output / ".locks"
    if locks.exists() and not locks.is_dir():
        raise OutputError(f"{locks} is not a folder (Recast keeps its render locks there); move it away")
    locks.mkdir(exist_ok=True)
    lock = FileLock(str(locks / f"{slug}.lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        notice(f"another render of this episode is running; waiting for it (lock {locks / (slug + '.lock')})")
        try:
            lock.acquire(timeout=LOCK_WAIT_S)
        except Timeout as err:
            raise OutputBusy(f"another render of {slug} still holds {locks / (slug + '.lock')} after "
                             f"{LOCK_WAIT_S / 60:.0f} min; wait for it or stop it") from err
    try:
        yield
    finally:
        lock.release()


@contextlib.contextmanager
def work_dir(output: Path, slug: str) -> Iterator[Path]:
    """Private scratch folder for this edition; stale leftovers of killed runs are wiped first."""
    work = output / ".work" / slug
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


# ---------------------------------------------------------------------------------------------- sections

#: Where an edition's encoded sections wait for its next render (``pipeline.writers.audio``), under the output.
SECTIONS_DIR = ".sections"
#: The gains of the edition's last render, beside its sections (``pipeline.mix.Levels``).
LEVELS_FILE = "levels.json"


def sections_dir(output: Path, slug: str) -> Path:
    """The section store of edition ``slug`` (``output/.sections/<slug>``)."""
    folder = output / SECTIONS_DIR
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder} is not a folder (Recast keeps encoded sections there); move it away")
    return folder / slug


def load_levels(sections: Path):
    """The gains of the edition's last render (none when it has not been rendered, or the file is damaged)."""
    from pipeline.mix import Levels

    try:
        return Levels.from_dict(json.loads((sections / LEVELS_FILE).read_text("utf-8")))
    except (OSError, ValueError):
        return Levels()


def save_levels(sections: Path, levels) -> None:
    """Keep ``levels`` (``pipeline.mix.Levels``) beside the sections for the next render."""
    from pipeline.fsutil import atomic_write_text

    sections.mkdir(parents=True, exist_ok=True)
    atomic_write_text(sections / LEVELS_FILE, json.dumps(levels.to_dict(), indent=2) + "\n")
