"""``recast render``: the orchestrator. It reads like its own table of contents:

ingest → cast → summarize (intro) → prepare text → synthesize → mix → write outputs (the final gain and
limiter are applied on the way into the encoders, from the loudness the mixer combined).

Each stage is a function in its own module taking and returning frozen data (``pipeline.model``); the
edition folder they fill — its files, its manifest, the lock and the move into place — is
:mod:`pipeline.edition`. This module only sequences the stages and times them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.errors import BadInput
from pipeline.progress import NullProgress, Progress, Timer
from pipeline.synth.engines import ENGINES

if TYPE_CHECKING:  # the CLI imports this module for its choices; the stages load what they need
    from pipeline.edition import Manifest
    from pipeline.model import Cast, Script, Summary

Notice = Callable[[str], None]

#: ``--intro``: the two summary modes, or no intro at all.
INTRO_CHOICES = ("auto", "source", "none")
#: ``--engine``: ``auto`` (Edge when it answers, else espeak-ng) and the registered engines.
ENGINE_CHOICES = ("auto", *ENGINES)


@dataclass(frozen=True)
class RenderOptions:
    """Options of one render (the CLI's flags), checked when made: a bad one is BadInput naming its flag."""

    output: Path = Path("output")
    """Output folder; the edition goes in ``output/<slug>/``."""
    engine: str = "auto"
    """``auto`` or a name in :data:`pipeline.synth.engines.ENGINES`."""
    cast_file: Path | None = None
    """User cast file (TOML)."""
    cover: Path | None = None
    """Cover image for tags and the feed."""
    intro: str = "auto"
    """One of :data:`INTRO_CHOICES`: ``auto`` (generated), ``source`` (the source's key points), ``none``."""
    formats: tuple[str, ...] = ("mp3", "m4a")
    """Audio formats to write (names in :data:`pipeline.edition.AUDIO_FORMATS`)."""
    input_format: str | None = None
    """Force the transcript format (one of :data:`pipeline.ingest.FORMATS`) instead of detecting it."""
    labels: str | None = None
    """The user's speaker-label pattern (``--labels``) instead of labels learned from the document."""
    cache_dir: Path | None = None
    """Clip cache folder (default ``output/.cache``)."""
    concurrency: int | None = None
    """Requests in flight (default: the engine's)."""
    speak_directions: bool = False
    """Also speak stage directions."""
    show_title: str | None = None
    """Album/show name for tags (default: the title of the output folder's show, else ``Recast``)."""

    def __post_init__(self) -> None:
        from pipeline.edition import AUDIO_FORMATS
        from pipeline.ingest import FORMATS, label_pattern

        if self.intro not in INTRO_CHOICES:
            raise BadInput(f"--intro takes {_alternatives(INTRO_CHOICES)}, not {self.intro!r}")
        if self.engine != "auto" and self.engine not in ENGINES:
            raise BadInput(f"--engine takes {_alternatives(('auto', *ENGINES))}, not {self.engine!r}")
        formats = tuple(dict.fromkeys(str(f).strip().lower() for f in self.formats))
        if not formats or any(f not in AUDIO_FORMATS for f in formats):
            raise BadInput(f"--formats takes {' and/or '.join(AUDIO_FORMATS)}, not {','.join(self.formats)!r}")
        object.__setattr__(self, "formats", formats)
        if self.input_format is not None and self.input_format not in FORMATS:
            raise BadInput(f"--format takes {_alternatives(FORMATS)}, not {self.input_format!r}")
        label_pattern(self.labels)  # a bad pattern is refused now, not after reading
        if self.cover is not None and not Path(self.cover).is_file():
            raise BadInput(f"cover image not found: {self.cover}")


def _alternatives(names: tuple[str, ...]) -> str:
    return ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else names[0]


@dataclass(frozen=True)
class RenderResult:
    """What a render produced."""

    edition_dir: Path
    """The edition folder."""
    manifest: Manifest
    """Its ``episode.json`` as written."""


# ---------------------------------------------------------------------------------------------- stages


def render_file(path: Path, options: RenderOptions, ui=None) -> RenderResult:
    """Render a transcript file. ``ui`` (pipeline.ui.Ui) is optional: library callers pass None."""
    from pipeline import ingest

    progress: Progress = ui.progress() if ui is not None else NullProgress()
    notice: Notice = ui.note if ui is not None else (lambda _m: None)
    timer = Timer()
    with timer("ingest"):
        script = ingest.load_script(Path(path), options.input_format, labels=options.labels)
    for warning in script.warnings:  # read, but leniently: the user should know (one line each)
        (ui.warning if ui is not None else notice)(warning)
    if options.cast_file is not None:  # the cast file's display names, before anything speaks of the speakers
        from pipeline.cast.castfile import apply_names

        script = apply_names(script, options.cast_file)
    return render_script(script, options, progress=progress, notice=notice, timer=timer)


def render_script(script: Script, options: RenderOptions, *, progress: Progress | None = None,
                  notice: Notice | None = None, timer: Timer | None = None) -> RenderResult:
    """Render a parsed script into ``options.output/<slug>/`` and return its manifest."""
    from pipeline import edition as folder
    from pipeline.mix import MixSettings, check_length, mix
    from pipeline.mix.chapters import timed_chapters
    from pipeline.model import Edition
    from pipeline.prepare import plan_requests
    from pipeline.synth.cache import ClipCache
    from pipeline.synth.engines import get_engine
    from pipeline.synth.scheduler import synthesize
    from pipeline.writers import write_edition

    progress = progress or NullProgress()
    notice = notice or (lambda _m: None)
    timer = timer or Timer()
    check_length(script)  # an edition longer than the mixer can hold is refused before anything is done
    output = folder.prepare_output(options.output)
    slug = folder.edition_slug(script)

    with folder.transaction(output, slug, notice) as tx:
        if options.cover is not None:  # a bad cover fails now, not after every clip is synthesized
            from pipeline.writers.tags import load_cover

            load_cover(options.cover)
        with timer("cast"):
            engine = get_engine(options.engine, notice=notice)
            cast = _cast(script, engine.name, options.cast_file)
        show_title = options.show_title or _show_title(output, notice)
        with timer("summarize"):
            summary = _summary(script, options.intro, cast, show_title)
        with timer("prepare"):
            requests = plan_requests(script, cast, intro=summary.intro if summary else None,
                                     speak_directions=options.speak_directions)
        with timer("synthesize"):
            synth = synthesize(requests, engine, ClipCache(options.cache_dir or output / ".cache"),
                               concurrency=options.concurrency, progress=progress,
                               speaker_names={s.id: s.name for s in script.speakers})
        progress.finish()
        sections = folder.sections_dir(output, slug)
        with timer("mix"):
            mixed = mix(synth.clips, MixSettings(), tx.work, keep=folder.load_levels(sections))
        edition = Edition(
            script=script, cast=cast, summary=summary, placements=mixed.placements,
            chapters=timed_chapters(script, mixed.placements, mixed.duration_ms),
            duration_ms=mixed.duration_ms, slug=slug, show_title=show_title or "Recast",
            engine=engine.name, engine_version=engine.version, cover=options.cover,
        )
        with timer("write"):
            stats = {"requests": len(requests), "synthesized": synth.synthesized, "cached": synth.cached,
                     "timings": timer.timings()}
            manifest = write_edition(edition, mixed.master, tx.stage, formats=options.formats, stats=stats,
                                     source=_source_dict(script),
                                     extra={"speaker_gains_db": dict(mixed.speaker_gains_db)}, sections=sections)
        manifest = tx.commit(manifest, timer.timings())
        folder.save_levels(sections, mixed.levels)
    return RenderResult(edition_dir=tx.edition_dir, manifest=manifest)


def resolve_cast(script: Script, engine_name: str, cast_file: Path | None, ui=None) -> Cast:
    """Cast a script for an engine name (``auto`` probes Edge), as ``inspect --engine`` shows it."""
    from pipeline.synth.engines import get_engine

    engine = get_engine(engine_name, notice=ui.note if ui is not None else (lambda _m: None))
    return _cast(script, engine.name, cast_file)


def _cast(script: Script, engine: str, cast_file: Path | None) -> Cast:
    from pipeline.cast import cast_script

    return cast_script(script, engine, cast_file=cast_file)


def _show_title(output: Path, notice: Notice) -> str | None:
    """The title of the show published from ``output``, wherever its show file lives (as publishing finds it).

    A show file that cannot be read does not stop a render: it says so, and the album is the default.
    """
    from pipeline.errors import OutputError
    from pipeline.publish.catalogue import show_title_for

    try:
        return show_title_for(output)
    except (BadInput, OutputError) as err:
        notice(f"the show's title cannot be read ({err}); the edition is tagged with the default album name. "
               "Fix the show with `recast show --set title=…`")
        return None


def _summary(script: Script, intro: str, cast: Cast, show_title: str | None) -> Summary | None:
    if intro == "none":
        return None
    from pipeline.summary import summarize

    return summarize(script, mode=intro, cast=cast, show=show_title)


def _source_dict(script: Script) -> dict:
    s = script.source
    return {"path": s.path, "format": s.format, "encoding": s.encoding, "sha256": s.sha256}


__all__ = ["ENGINE_CHOICES", "INTRO_CHOICES", "RenderOptions", "RenderResult", "render_file", "render_script", "resolve_cast"]
