"""``recast render``: the orchestrator. It reads like its own table of contents:

ingest → cast → summarize (intro) → prepare text → synthesize → mix → write outputs (the final gain and
limiter are applied on the way into the encoders, from the loudness the mixer combined).

Each stage is a function in its own module taking and returning frozen data (``pipeline.model``).
This module only sequences them, times them, and guards the output folder (a lock per edition, work files
in a private folder, every final file renamed into place by the writers).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import __version__
from pipeline.errors import BadInput, OutputBusy, OutputError, RecastError, SynthesisError
from pipeline.model import Cast, Edition, Script, Summary
from pipeline.progress import NullProgress, Progress

Notice = Callable[[str], None]

#: How long a second render of the same episode waits for the first before giving up.
LOCK_WAIT_S = 1800.0


@dataclass(frozen=True)
class RenderOptions:
    """Options of one render (the CLI's flags)."""

    output: Path = Path("output")
    """Output folder; the edition goes in ``output/<slug>/``."""
    engine: str = "auto"
    """``auto``, ``edge`` or ``espeak``."""
    cast_file: Path | None = None
    """User cast file (TOML)."""
    cover: Path | None = None
    """Cover image for tags and the feed."""
    intro: str = "auto"
    """``auto`` (generated), ``source`` (the source's key points) or ``none``."""
    formats: tuple[str, ...] = ("mp3", "m4a")
    """Audio formats to write."""
    input_format: str | None = None
    """Force the transcript format instead of detecting it."""
    cache_dir: Path | None = None
    """Clip cache folder (default ``output/.cache``)."""
    concurrency: int | None = None
    """Requests in flight (default: the engine's)."""
    speak_directions: bool = False
    """Also speak stage directions."""
    show_title: str | None = None
    """Album/show name for tags (default: the show file's title, else ``Recast``)."""

    def __post_init__(self) -> None:
        if self.intro not in ("auto", "source", "none"):
            raise BadInput(f"--intro takes auto, source or none, not {self.intro!r}")
        if self.engine not in ("auto", "edge", "espeak"):
            raise BadInput(f"--engine takes auto, edge or espeak, not {self.engine!r}")
        if not self.formats or any(f not in ("mp3", "m4a") for f in self.formats):
            raise BadInput("--formats takes mp3 and/or m4a")
        if self.cover is not None and not Path(self.cover).is_file():
            raise BadInput(f"cover image not found: {self.cover}")


@dataclass(frozen=True)
class RenderResult:
    """What a render produced."""

    edition_dir: Path
    """The edition folder."""
    manifest: dict = field(default_factory=dict)
    """The episode.json manifest as written."""


# ---------------------------------------------------------------------------------------------- stages


def render_file(path: Path, options: RenderOptions, ui=None) -> RenderResult:
    """Render a transcript file. ``ui`` (pipeline.ui.Ui) is optional: library callers pass None."""
    from pipeline import ingest

    progress: Progress = ui.progress() if ui is not None else NullProgress()
    notice: Notice = ui.note if ui is not None else (lambda _m: None)
    timer = _Timer()
    with timer("ingest"):
        script = ingest.load_script(Path(path), options.input_format)
    return render_script(script, options, progress=progress, notice=notice, timer=timer)


def render_script(script: Script, options: RenderOptions, *, progress: Progress | None = None,
                  notice: Notice | None = None, timer: _Timer | None = None) -> RenderResult:
    """Render a parsed script into ``options.output/<slug>/`` and return the manifest."""
    from pipeline.prepare import plan_requests
    from pipeline.synth.cache import ClipCache
    from pipeline.synth.engines import get_engine
    from pipeline.synth.scheduler import synthesize

    progress = progress or NullProgress()
    notice = notice or (lambda _m: None)
    timer = timer or _Timer()
    output = _prepare_output(options.output)
    slug = edition_slug(script)
    edition_dir = _inside(output, slug)

    with _edition_lock(output, slug, notice), _work_dir(output, slug) as work, _explain_failures(output):
        if options.cover is not None:  # a bad cover fails now, not after every clip is synthesized
            from pipeline.writers.tags import load_cover

            load_cover(options.cover)
        with timer("cast"):
            engine = get_engine(options.engine, notice=notice)
            cast = _cast(script, engine.name, options.cast_file)
        show_title = options.show_title or _show_title(output)
        with timer("summarize"):
            summary = _summary(script, options.intro, cast, show_title)
        with timer("prepare"):
            requests = plan_requests(script, cast, intro=summary.intro if summary else None,
                                     speak_directions=options.speak_directions)
        cache = ClipCache(options.cache_dir or output / ".cache")
        with timer("synthesize"):
            synth = synthesize(requests, engine, cache, concurrency=options.concurrency, progress=progress,
                               speaker_names={s.id: s.name for s in script.speakers})
        progress.finish()
        sections = _sections_dir(output, slug)
        with timer("mix"):
            from pipeline.mix import MixSettings, mix

            mixed = mix(synth.clips, MixSettings(), work, keep=_load_levels(sections))
        from pipeline.mix.chapters import timed_chapters

        chapters = timed_chapters(script, summary, mixed.placements, mixed.duration_ms)
        edition = Edition(
            script=script, cast=cast, summary=summary, placements=mixed.placements, chapters=chapters,
            duration_ms=mixed.duration_ms, slug=slug, show_title=show_title or "Recast",
            engine=engine.name, engine_version=engine.version, cover=options.cover,
        )
        with timer("write"):
            from pipeline.writers import write_edition

            stats = {"requests": len(requests), "synthesized": synth.synthesized, "cached": synth.cached,
                     "timings": timer.timings()}
            stage = work / "edition"
            manifest = write_edition(edition, mixed.master, stage, formats=options.formats, stats=stats,
                                     source=_source_dict(script),
                                     extra={"speaker_gains_db": dict(mixed.speaker_gains_db)}, sections=sections)
        manifest = _finish_manifest(stage, manifest, timer)
        _move_into_place(stage, edition_dir, manifest)
        _save_levels(sections, mixed.levels)
    return RenderResult(edition_dir=edition_dir, manifest=manifest)


#: Where an edition's encoded sections wait for its next render (``pipeline.writers.audio``), under the output.
SECTIONS_DIR = ".sections"
#: The gains of the edition's last render, beside its sections (``pipeline.mix.Levels``).
LEVELS_FILE = "levels.json"


def _sections_dir(output: Path, slug: str) -> Path:
    folder = output / SECTIONS_DIR
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder} is not a folder (Recast keeps encoded sections there); move it away")
    return folder / slug


def _load_levels(sections: Path):
    """The gains of the edition's last render (none when it has not been rendered, or the file is damaged)."""
    import json

    from pipeline.mix import Levels

    try:
        return Levels.from_dict(json.loads((sections / LEVELS_FILE).read_text("utf-8")))
    except (OSError, ValueError):
        return Levels()


def _save_levels(sections: Path, levels) -> None:
    import json

    from pipeline.fsutil import atomic_write_text

    sections.mkdir(parents=True, exist_ok=True)
    atomic_write_text(sections / LEVELS_FILE, json.dumps(levels.to_dict(), indent=2) + "\n")


#: Files a render writes that a later render may no longer write (another --formats, no cover).
_EDITION_FILES = ("episode.mp3", "episode.m4a", "cover.jpg", "cover.png")


def _move_into_place(stage: Path, edition_dir: Path, manifest: dict) -> None:
    """Rename the staged edition's files into ``edition_dir``, episode.json last.

    Everything was written (and could fail, e.g. on a full disk) in the staging folder beside it on the
    same file system; renames need no space, so a failed render leaves the previous edition untouched.
    """
    from pipeline.fsutil import fsync_dir

    edition_dir.mkdir(parents=True, exist_ok=True)
    names = [f["name"] for f in manifest.get("files", [])]
    for name in names:
        os.replace(stage / name, edition_dir / name)
    for name in _EDITION_FILES:
        if name not in names:
            (edition_dir / name).unlink(missing_ok=True)
    os.replace(stage / "episode.json", edition_dir / "episode.json")
    fsync_dir(edition_dir)


@contextlib.contextmanager
def _explain_failures(output: Path) -> Iterator[None]:
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


def _finish_manifest(edition_dir: Path, manifest: dict, timer: _Timer) -> dict:
    """Record the final stage timings (incl. writing) in episode.json, atomically."""
    import json

    from pipeline.fsutil import atomic_write_text

    manifest = dict(manifest)
    manifest["stats"] = {**manifest.get("stats", {}), "timings": timer.timings()}
    atomic_write_text(edition_dir / "episode.json", json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    return manifest


def resolve_cast(script: Script, engine_name: str, cast_file: Path | None, ui=None) -> Cast:
    """Cast a script for an engine name (``auto`` probes Edge), as ``inspect --engine`` shows it."""
    from pipeline.synth.engines import get_engine

    engine = get_engine(engine_name, notice=ui.note if ui is not None else (lambda _m: None))
    return _cast(script, engine.name, cast_file)


def _cast(script: Script, engine: str, cast_file: Path | None) -> Cast:
    from pipeline.cast import cast_script

    return cast_script(script, engine, cast_file=cast_file)


def _summary(script: Script, intro: str, cast: Cast, show_title: str | None) -> Summary | None:
    if intro == "none":
        return None
    from pipeline.summary import summarize

    return summarize(script, mode=intro, cast=cast, show=show_title)


# ---------------------------------------------------------------------------------------------- output


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


def _prepare_output(output: Path) -> Path:
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


def _inside(output: Path, slug: str) -> Path:
    target = (output / slug).resolve()
    if target.parent != output:
        raise BadInput(f"refusing to write outside the output folder: {slug!r}")
    if target.exists() and not target.is_dir():
        raise OutputError(f"{target} exists and is not a folder; move it away or choose another --output")
    return target


@contextlib.contextmanager
def _edition_lock(output: Path, slug: str, notice: Notice) -> Iterator[None]:
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
def _work_dir(output: Path, slug: str) -> Iterator[Path]:
    """Private scratch folder for this edition; stale leftovers of killed runs are wiped first."""
    work = output / ".work" / slug
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _show_title(output: Path) -> str | None:
    """The show's title from ``output/show.toml`` (written by ``recast publish``), if there is one."""
    import tomllib

    show = output / "show.toml"
    with contextlib.suppress(OSError, ValueError):
        title = tomllib.loads(show.read_text("utf-8")).get("title")
        if isinstance(title, str) and title.strip():
            return title.strip()
    return None


def _source_dict(script: Script) -> dict:
    s = script.source
    return {"path": s.path, "format": s.format, "encoding": s.encoding, "sha256": s.sha256}


class _Timer:
    """Per-stage wall-clock timings for ``stats.timings`` (seconds)."""

    def __init__(self) -> None:
        self._t0 = time.monotonic()
        self._timings: dict[str, float] = {}

    @contextlib.contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        t = time.monotonic()
        try:
            yield
        finally:
            self._timings[stage] = round(self._timings.get(stage, 0.0) + time.monotonic() - t, 3)

    def timings(self) -> dict[str, float]:
        out = dict(self._timings)
        out["total"] = round(time.monotonic() - self._t0, 3)
        return out


__all__ = ["RenderOptions", "RenderResult", "render_file", "render_script", "resolve_cast", "edition_slug",
           "__version__"]
