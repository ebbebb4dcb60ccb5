"""The hostile-input corpus (cases.toml) through the real CLI: one test per case."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hostile import (
    DATA,
    Case,
    Sandbox,
    check_edition,
    check_error_line,
    check_no_partial_files,
    check_outside_untouched,
    expand,
    ffprobe,
    load_cases,
    longest_silence_s,
    materialize,
    requests_sent,
    run_cli,
    transcript_text,
)

CASES = load_cases()

# ------------------------------------------------------------------------------------- output set-ups

Setup = Callable[[Path], tuple[Path, Callable[[], None] | None]]
SETUPS: dict[str, Setup] = {}


def setup(fn: Setup) -> Setup:
    SETUPS[fn.__name__] = fn
    return fn


@setup
def output_is_file(folder: Path):
    out = folder / "out"
    out.write_text("not a folder\n")
    return out, None


@setup
def output_under_file(folder: Path):
    (folder / "afile").write_text("a regular file\n")
    return folder / "afile" / "sub", None


@setup
def output_in_proc(folder: Path):
    return Path("/proc/recast-hostile-test/out"), None


@setup
def output_in_sysfs(folder: Path):
    if not Path("/sys/kernel").is_dir():
        pytest.skip("no sysfs mounted at /sys")
    return Path("/sys/recast-hostile-test"), None


@setup
def output_read_only(folder: Path):
    out = folder / "read-only"
    out.mkdir()
    if os.geteuid() != 0:
        out.chmod(0o555)
        return out, lambda: out.chmod(0o755)
    # root ignores permission bits: a read-only tmpfs stops root too (needs CAP_SYS_ADMIN, as in this sandbox)
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(out)], capture_output=True)
    if proc.returncode != 0:
        pytest.skip(f"running as root and cannot mount a read-only tmpfs: {proc.stderr.decode().strip()}")
    return out, lambda: subprocess.run(["umount", str(out)], check=True)


@setup
def cache_is_file(folder: Path):
    out = folder / "out"
    out.mkdir()
    (out / ".cache").write_text("not a folder\n")
    return out, None


@setup
def edition_is_file(folder: Path):
    out = folder / "out"
    out.mkdir()
    (out / "en-interview").write_text("not a folder\n")  # the slug of data/en-interview.txt
    return out, None


@setup
def locks_is_file(folder: Path):
    out = folder / "out"
    out.mkdir()
    (out / ".locks").write_text("not a folder\n")
    return out, None


# ----------------------------------------------------------------------------------------------- tests


def _params():
    for case in CASES:
        marks = [pytest.mark.xfail(strict=True, reason=case.xfail)] if case.xfail else []
        if case.slow:
            marks.append(pytest.mark.slow)
        yield pytest.param(case, id=case.id, marks=marks)


@pytest.fixture(scope="session")
def watched_env(tmp_path_factory) -> tuple[Path, Path]:
    """A $HOME and a $TMPDIR shared by the cases (so jieba's dictionary cache is built once), watched."""
    base = tmp_path_factory.mktemp("hostile-env")
    home, systmp = base / "home", base / "tmp"
    home.mkdir()
    systmp.mkdir()
    return home, systmp


def test_corpus_is_big_enough_and_covers_every_outcome():
    assert len(CASES) >= 30
    outcomes = {(c.expect, c.exit) for c in CASES}
    assert {("ok", 0), ("error", 1), ("error", 2)} <= outcomes
    assert set(SETUPS) == {c.setup for c in CASES if c.setup}
    assert all(c.why.strip() for c in CASES)


@pytest.mark.parametrize("case", list(_params()))
def test_hostile_case(case: Case, tmp_path: Path, watched_env, media_tools):
    sandbox = Sandbox(tmp_path / "case", *watched_env)
    sandbox.folder.mkdir()
    source = materialize(case, sandbox.folder)
    output, cleanup = SETUPS[case.setup](sandbox.folder) if case.setup else (sandbox.folder / "out", None)
    try:
        before = sandbox.snapshot(output)
        if case.command == "plan":
            _plan(case, source)
            return
        args = [expand(a, sandbox.folder) for a in case.args]
        if case.command == "render":
            argv = ["render", str(source), "-o", str(output), "--engine", "espeak", "--intro", "none",
                    "--formats", "mp3", "--json", *args]
        else:
            argv = [case.command, str(source), "--json", *args]
        proc, elapsed = run_cli(sandbox, *argv)
        check_outside_untouched(before, sandbox.snapshot(output))
        stderr = proc.stderr.decode("utf-8", "replace")
        assert "Traceback" not in stderr, stderr
        if case.expect == "error":
            check_error_line(proc, case.exit, case.message, case.message_lacks)
            check_no_partial_files(output, edition_expected=False)
            if case.checks.get("no_synthesis"):
                clips = [p for p in (output / ".cache").rglob("*") if p.suffix in (".wav", ".mp3")]
                assert not clips, f"{len(clips)} clips synthesized before the error"
            return
        assert proc.returncode == 0, stderr
        if "max_seconds" in case.checks:
            assert elapsed <= case.checks["max_seconds"], f"{elapsed:.1f} s"
        data = json.loads(proc.stdout)
        if case.command == "render":
            _check_render(case, output, data, argv)
        elif case.command == "inspect":
            _check_inspect(case, data, source)
        else:
            assert data["intro"].strip()
    finally:
        if cleanup is not None:
            cleanup()


def _names(speakers: list[dict]) -> list[str]:
    return [s["name"] for s in speakers]


def _check_inspect(case: Case, data: dict, source: Path) -> None:
    c = case.checks
    texts = "\n".join(t["text"] for t in data["turns"])
    if "speakers" in c:
        assert _names(data["speakers"]) == c["speakers"]
    if "speaker_count" in c:
        assert len(data["speakers"]) == c["speaker_count"]
    if "turns" in c:
        assert len(data["turns"]) == c["turns"]
    if "language" in c:
        assert data["language"] == c["language"]
    for fragment in c.get("contains", []):
        assert fragment in texts, fragment
    for fragment in c.get("lacks", []):
        assert fragment not in texts and all(fragment not in n for n in _names(data["speakers"])), repr(fragment)
    assert not data["title"].startswith("\ufeff")
    if "cast_distinct" in c:
        _check_cast_distinct(source, c["cast_distinct"])


def _check_cast_distinct(source: Path, engines: list[str]) -> None:
    """Speakers who talk one after the other never share voice settings; the narrator shares nobody's."""
    from pipeline.cast import cast_script
    from pipeline.ingest import load_script

    script = load_script(source)
    for engine in engines:
        start = time.monotonic()
        cast = cast_script(script, engine)
        assert time.monotonic() - start < 60, f"casting {len(script.speakers)} speakers for {engine} is slow"
        for a, b in zip(script.turns, script.turns[1:], strict=False):
            if a.speaker != b.speaker:
                assert cast.voice_for(a.speaker) != cast.voice_for(b.speaker), (engine, a.speaker, b.speaker)
        assert cast.narrator not in {vs for _, vs in cast.speakers}, engine


def _check_render(case: Case, output: Path, manifest: dict, argv: list[str]) -> None:
    c = case.checks
    formats = tuple(argv[len(argv) - 1 - argv[::-1].index("--formats") + 1].split(","))
    edition = check_edition(output, manifest, formats)
    check_no_partial_files(output, edition_expected=True)
    spoken = transcript_text(edition)
    if "speakers" in c:
        assert _names(manifest["speakers"]) == c["speakers"]
    if "spoken_turns" in c:
        assert len(manifest["turns"]) == c["spoken_turns"]
    if "language" in c:
        assert manifest["language"] == c["language"]
    for fragment in c.get("contains", []):
        assert fragment in spoken, f"{fragment!r} not in the transcript: {spoken[:300]!r}"
    sent = requests_sent(output)
    files = [(edition / n).read_text("utf-8") for n in ("transcript.vtt", "transcript.srt", "transcript.json")]
    for fragment in c.get("lacks", []):
        assert not [t for t in sent if fragment in t], f"{fragment!r} reached the engine"
        assert not [f for f in files if fragment in f], f"{fragment!r} in a transcript file"
    if "voice_prefix" in c:
        assert all(s["voice"]["voice"].startswith(c["voice_prefix"]) for s in manifest["speakers"]), \
            [s["voice"]["voice"] for s in manifest["speakers"]]
    seconds = manifest["duration_ms"] / 1000
    if "min_duration_s" in c:
        assert seconds >= c["min_duration_s"], seconds
    if "max_duration_s" in c:
        assert seconds <= c["max_duration_s"], seconds
    if "max_silence_s" in c:
        assert longest_silence_s(edition / "episode.mp3", c["max_silence_s"]) == 0.0
    if "slug" in c:
        assert manifest["slug"] == c["slug"]
    if "title" in c:
        assert manifest["title"] == c["title"]
    if "title_length" in c:
        assert len(manifest["title"]) == c["title_length"]
        assert len(manifest["slug"]) <= 83
        tag = ffprobe(edition / "episode.mp3")["format"]["tags"]["title"]  # shortened for ffmpeg's 256-byte lines
        assert tag.endswith("…") and manifest["title"].startswith(tag[:-1]) and len(tag.encode()) <= 240, tag
    for fragment in c.get("html_lacks", []):
        assert fragment not in (edition / "shownotes.html").read_text("utf-8"), fragment


def _plan(case: Case, source: Path) -> None:
    """Plan requests in-process (the input is too long to render in CI): bounded time, limits, nothing lost."""
    from pipeline.cast import cast_script
    from pipeline.ingest import load_script
    from pipeline.prepare import DEFAULT_MAX_BYTES, EN_MAX, ZH_MAX, escaped_size, is_speakable, plan_requests

    def speakable(text: str) -> str:
        return "".join(ch for ch in text if is_speakable(ch))

    script = load_script(source)
    for engine in ("espeak", "edge"):
        start = time.monotonic()
        requests = plan_requests(script, cast_script(script, engine))
        elapsed = time.monotonic() - start
        assert elapsed <= case.checks.get("max_seconds", 60), f"{engine}: {elapsed:.1f} s"
        assert all(escaped_size(r.text) <= DEFAULT_MAX_BYTES and len(r.text) <= max(EN_MAX, ZH_MAX)
                   for r in requests)
        for i, turn in enumerate(script.turns):
            said = "".join(speakable(r.text) for r in requests if r.turn == i)
            assert said == speakable(turn.spoken_text), f"{engine}: turn {i} lost or duplicated text"


def test_data_files_are_plain_utf8():
    """Committed inputs stay readable; binary and re-encoded variants are built at test time."""
    for path in DATA.iterdir():
        try:
            path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            pytest.fail(f"{path.name} is not UTF-8; generate binary inputs in hostile_generators.py instead")
