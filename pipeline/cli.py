"""The ``recast`` command line: commands only. Library code does the work; errors exit here, once.

Exit codes: 0 success, 1 other Recast error, 2 bad input, 3 synthesis/service failure, 130 interrupted.
Heavy libraries (jieba, pydub, aiohttp, edge_tts) are imported lazily inside the commands.
"""

from __future__ import annotations

import json
import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from pipeline.edition import AUDIO_FORMATS
from pipeline.errors import BadInput, RecastError
from pipeline.ingest import FORMATS
from pipeline.render import ENGINE_CHOICES, INTRO_CHOICES
from pipeline.synth.engines import engine_names

app = typer.Typer(
    name="recast",
    help="Re-synthesize a podcast transcript into a multi-voice audio edition with chapters, "
    "a spoken summary intro and a podcast feed.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: `recast --help` answers fast without importing rich
    context_settings={"help_option_names": ["-h", "--help"]},
)


# Choices come from where the names are defined: the ingest formats, the render options (engines, intro).
Format = Enum("Format", {name: name for name in FORMATS}, type=str)
EngineChoice = Enum("EngineChoice", {name: name for name in ENGINE_CHOICES}, type=str)
IntroChoice = Enum("IntroChoice", {name: name for name in INTRO_CHOICES}, type=str)


FileArg = Annotated[Path, typer.Argument(help="Transcript file (article text, Name: lines, Markdown, "
                                         "WebVTT, SRT or a JSON script).", show_default=False)]
FormatOpt = Annotated[Optional[Format], typer.Option("--format", "-f", help="Input format (default: detect).")]
LabelsOpt = Annotated[Optional[str], typer.Option(
    "--labels", help="Speaker labels as a regular expression matched at the start of each line, its group "
    "'name' (or first group) the label, e.g. '(?P<name>[A-Z]+) -- '; for label styles Recast does not learn.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON on stdout.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or notices.")]
EngineOpt = Annotated[EngineChoice, typer.Option("--engine", "-e", help="Speech engine: edge, espeak, or "
                                                 "auto (Edge when reachable, else espeak-ng).")]
CastOpt = Annotated[Optional[Path], typer.Option("--cast", help="TOML file mapping speaker names to voice, "
                                                 "rate, pitch and volume.")]


def _emit_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _ui(quiet: bool, json_out: bool = False):
    from pipeline.ui import Ui

    return Ui(quiet=quiet or json_out)


@app.command()
def inspect(
    file: FileArg,
    json_out: JsonOpt = False,
    fmt: FormatOpt = None,
    labels: LabelsOpt = None,
    engine: Annotated[Optional[EngineChoice], typer.Option("--engine", "-e", help="Also cast voices for "
                                                           "this engine (adds speakers[].voice).")] = None,
    cast: CastOpt = None,
) -> None:
    """Show what Recast reads in a transcript: title, date, language, speakers, chapters, key points."""
    from pipeline import ingest

    script = ingest.load_script(file, fmt.value if fmt else None, labels=labels)
    if cast is not None:
        from pipeline.cast.castfile import apply_names

        script = apply_names(script, cast)
    data = ingest.script_to_dict(script)
    data["warnings"] = list(script.warnings)  # what was read leniently (loose cue timings …)
    if not json_out:
        for warning in script.warnings:
            _ui(False).warning(warning)
    cast_obj = None
    if engine is not None or cast is not None:
        from pipeline.render import resolve_cast

        cast_obj = resolve_cast(script, (engine or EngineChoice.auto).value, cast, _ui(True))
        for sp in data["speakers"]:
            sp["voice"] = cast_obj.voice_for(sp["id"]).voice
            sp["role"] = cast_obj.role_of(sp["id"])
        data["narrator"] = {"voice": cast_obj.narrator.voice}
    if json_out:
        _emit_json(data)
    else:
        _ui(False).show_script(script, cast_obj)


@app.command()
def render(
    file: FileArg,
    output: Annotated[Path, typer.Option("--output", "-o", help="Output folder; the edition goes in "
                                         "OUTPUT/<slug>/.")] = Path("output"),
    engine: EngineOpt = EngineChoice.auto,
    cast: CastOpt = None,
    cover: Annotated[Optional[Path], typer.Option("--cover", help="Cover image (JPEG or PNG).")] = None,
    intro: Annotated[IntroChoice, typer.Option("--intro", help="auto: generated summary; source: the "
                                               "source's key points; none: no intro.")] = IntroChoice.auto,
    formats: Annotated[str, typer.Option("--formats", help="Audio formats, comma-separated: "
                                         f"{','.join(AUDIO_FORMATS)}.")] = ",".join(AUDIO_FORMATS),
    fmt: FormatOpt = None,
    labels: LabelsOpt = None,
    cache_dir: Annotated[Optional[Path], typer.Option("--cache-dir", help="Clip cache folder "
                                                      "(default OUTPUT/.cache).")] = None,
    concurrency: Annotated[Optional[int], typer.Option("--concurrency", "-j", min=1, max=32,
                                                       help="Requests in flight (default 4 for Edge, "
                                                       "CPU count for espeak-ng).")] = None,
    speak_directions: Annotated[bool, typer.Option("--speak-directions", help="Also speak stage "
                                                   "directions such as (laughs).")] = False,
    quiet: QuietOpt = False,
    json_out: JsonOpt = False,
) -> None:
    """Render a transcript into an edition: episode.mp3/.m4a with chapters, transcripts, show notes."""
    from pipeline.render import RenderOptions, render_file

    fmts = tuple(f for f in formats.split(",") if f.strip())
    ui = _ui(quiet, json_out)
    options = RenderOptions(
        output=output, engine=engine.value, cast_file=cast, cover=cover, intro=intro.value, formats=fmts,
        input_format=fmt.value if fmt else None, cache_dir=cache_dir, concurrency=concurrency,
        speak_directions=speak_directions, labels=labels,
    )
    result = render_file(file, options, ui)
    if json_out:
        _emit_json(result.manifest.to_dict())
    else:
        ui.show_render(result)


@app.command()
def summarize(
    file: FileArg,
    json_out: JsonOpt = False,
    fmt: FormatOpt = None,
    labels: LabelsOpt = None,
    intro: Annotated[IntroChoice, typer.Option("--intro", help="auto: generated from the dialogue; "
                                               "source: the source's own key points.")] = IntroChoice.auto,
) -> None:
    """Print the generated spoken summary intro of a transcript."""
    from pipeline import ingest
    from pipeline.summary import summarize as make_summary

    if intro is IntroChoice.none:
        raise BadInput("summarize needs --intro auto or source")
    script = ingest.load_script(file, fmt.value if fmt else None, labels=labels)
    summary = make_summary(script, mode=intro.value)
    if json_out:
        _emit_json(summary.to_dict())
    else:
        sys.stdout.write(summary.intro + "\n")


@app.command()
def voices(
    lang: Annotated[Optional[str], typer.Option("--lang", "-l", help="Only voices for this language, "
                                                "e.g. zh-TW, zh, en-US.")] = None,
    engine: Annotated[Optional[EngineChoice], typer.Option("--engine", "-e", help=f"{engine_names()}.")] = None,
    json_out: JsonOpt = False,
    refresh: Annotated[bool, typer.Option("--refresh", help="Update the Edge voice list from the live "
                                          "service.")] = False,
) -> None:
    """List the voices Recast can cast."""
    from pipeline.cast import voices as catalogue

    if engine is EngineChoice.auto:
        raise BadInput(f"--engine takes {engine_names()} here")
    ui = _ui(json_out)
    if refresh:
        count = catalogue.refresh_edge_voices()
        ui.note(f"updated the Edge voice list: {count} voices")
    found = catalogue.load_catalogue().find(lang=lang, engine=engine.value if engine else None)
    if json_out:
        _emit_json([catalogue.voice_to_dict(v) for v in found])
    else:
        ui.show_voices(found)


@app.command()
def publish(
    edition: Annotated[Path, typer.Argument(help="An edition folder made by `recast render`.")],
    base_url: Annotated[str, typer.Option("--base-url", help="Public URL where the output folder is "
                                          "served, e.g. https://example.org/podcast/.")],
    show: Annotated[Optional[Path], typer.Option("--show", help="Show file (TOML); default "
                                                 "OUTPUT/show.toml, created on first publish.")] = None,
    episode: Annotated[Optional[int], typer.Option("--episode", min=1, help="Episode number "
                                                   "(itunes:episode).")] = None,
    season: Annotated[Optional[int], typer.Option("--season", min=1, help="Season number "
                                                  "(itunes:season).")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Add or update an episode in the show's catalogue, then rewrite feed.xml and the site."""
    from pipeline.publish import publish_edition

    result = publish_edition(edition, base_url=base_url, show_file=show, number=episode, season=season)
    if json_out:
        _emit_json(result.to_dict())  # its warnings are in the JSON
    else:
        _ui(False).show_publish(result)


@app.command()
def unpublish(
    episode: Annotated[str, typer.Argument(help="Episode slug (its folder name) or guid.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Output folder holding the show.")] = Path("output"),
) -> None:
    """Remove an episode from the feed and the site (its edition folder is kept)."""
    from pipeline.publish import unpublish_episode

    result = unpublish_episode(output, episode)
    _ui(False).show_publish(result)


@app.command("show")
def show_cmd(
    output: Annotated[Path, typer.Argument(help="Output folder holding the show.")] = Path("output"),
    set_: Annotated[Optional[list[str]], typer.Option("--set", help="Set a field, e.g. --set "
                                                      "title='My Show' (repeatable).")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Print the show's metadata (show.toml), or change fields with --set key=value."""
    from pipeline.publish import edit_show, load_show_for

    show = edit_show(output, set_ or []) if set_ else load_show_for(output)
    if json_out:
        _emit_json(show.to_dict())
    else:
        sys.stdout.write(show.to_toml())


@app.command()
def serve(
    output: Annotated[Path, typer.Argument(help="Folder to serve (feed, audio, site).")] = Path("output"),
    port: Annotated[int, typer.Option("--port", "-p", min=0, max=65535)] = 8000,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
) -> None:
    """Serve the feed, audio, chapters, transcripts and site over HTTP (byte ranges supported)."""
    from pipeline.publish.serve import serve_folder

    serve_folder(output, host=host, port=port, announce=_ui(False).note)


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the app; turn every RecastError into one line on stderr and its exit code."""
    try:
        code = app(args=argv, prog_name="recast", standalone_mode=False)
        if code == 130:  # typer turns Ctrl-C into Exit(130) and, without standalone mode, returns it
            raise KeyboardInterrupt
        if isinstance(code, int) and code:
            return code
    except RecastError as err:
        sys.stderr.write(f"recast: error: {_one_line(str(err))}\n")
        return err.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("recast: interrupted; finished clips are cached, run the same command to resume\n")
        return 130
    except (typer.TyperException, typer.Exit, typer.Abort) as err:
        return _usage_exit(err)
    except BrokenPipeError:
        return 0
    except OSError as err:
        where = f" ({err.filename})" if getattr(err, "filename", None) else ""
        sys.stderr.write(_one_line(f"recast: error: {err.strerror or err}{where}") + "\n")
        return 1
    except Exception as err:  # last resort: a bug. Name it in one line; RECAST_DEBUG=1 shows the traceback.
        if os.environ.get("RECAST_DEBUG"):
            raise
        sys.stderr.write(_one_line(f"recast: internal error: {type(err).__name__}: {err} "
                                   "(a bug; rerun with RECAST_DEBUG=1 for details and please report it)") + "\n")
        return 1
    return 0


def _one_line(message: str) -> str:
    """Errors are one line with no terminal control sequences: escape what is not printable (file names
    may hold newlines or ESC)."""
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in message)


def _usage_exit(err: BaseException) -> int:
    """Typer/click signals: --help and friends exit quietly; usage errors become one line, exit 2."""
    if isinstance(err, typer.Exit):
        return err.exit_code
    if isinstance(err, typer.Abort):
        sys.stderr.write("recast: aborted\n")
        return 130
    assert isinstance(err, typer.TyperException)
    message = " ".join(err.format_message().split())
    ctx = getattr(err, "ctx", None)
    if type(err).__name__ == "NoArgsIsHelpError" and ctx is not None:
        sys.stdout.write(ctx.get_help() + "\n")
        return 0
    hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
    sys.stderr.write(_one_line(f"recast: error: {message}{hint}") + "\n")
    return 2 if err.exit_code in (1, 2) else err.exit_code


def run() -> None:
    """Console-script wrapper."""
    sys.exit(main())


if __name__ == "__main__":
    run()
