"""The hostile-input harness: load ``cases.toml``, build each input, run the real CLI, check what a user sees.

Every case, whatever it expects, must:

* never print a traceback; fail (if it fails) with exactly one line on stderr, starting ``recast: error:``,
  free of control characters, and the documented exit code (2 bad input, 3 service failure, 1 other);
* never leave an incomplete file at a final path (no ``.tmp`` leftovers; every file episode.json lists
  has its size and sha256; no episode.json at all when the render failed);
* never write outside the output folder (the case's folder, $HOME and $TMPDIR are snapshotted around
  the run; only jieba's dictionary cache may appear in $TMPDIR).

A case that renders must also give a sensible edition: the audio files decode with the manifest's duration,
chapters start at 0, are contiguous and end with the audio, cues are monotonic and inside the audio, and no
request sent to the engine holds an invisible character or nothing speakable.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import os
import re
import subprocess
import sys
import time
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from hostile_generators import GENERATORS

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
ROOT = HERE.parent.parent

EDITION_TEXT_FILES = {"chapters.json", "transcript.vtt", "transcript.srt", "transcript.json", "shownotes.md",
                      "shownotes.html", "episode.json"}
#: Characters that must never reach an engine (controls, zero-width, bidi controls, BOM, soft hyphen).
INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064"
                       "\u2066-\u2069\ufeff]")
#: What may appear outside the output folder: jieba's dictionary cache in $TMPDIR (jieba writes it there).
ALLOWED_OUTSIDE = {"jieba.cache"}


@dataclass(frozen=True)
class Case:
    """One row of cases.toml."""

    id: str
    why: str
    command: str = "inspect"
    args: tuple[str, ...] = ()
    expect: str = "ok"
    exit: int = 0
    message: str = ""
    message_lacks: tuple[str, ...] = ()
    file: str | None = None
    text: str | None = None
    generate: str | None = None
    name: str | None = None
    encoding: str | None = None
    bom: bool = False
    setup: str | None = None
    xfail: str | None = None
    slow: bool = False
    checks: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        sources = [x for x in (self.file, self.text, self.generate) if x is not None]
        if len(sources) != 1:
            raise ValueError(f"case {self.id}: give exactly one of file, text, generate")
        if self.command not in ("inspect", "render", "summarize", "plan"):
            raise ValueError(f"case {self.id}: unknown command {self.command!r}")
        if self.expect not in ("ok", "error"):
            raise ValueError(f"case {self.id}: expect must be ok or error")
        if self.expect == "error" and (self.exit not in (1, 2, 3) or not self.message):
            raise ValueError(f"case {self.id}: an error case needs exit 1/2/3 and a message fragment")
        if self.generate is not None and self.generate not in GENERATORS:
            raise ValueError(f"case {self.id}: unknown generator {self.generate!r}")


_CASE_KEYS = {"id", "why", "command", "args", "expect", "exit", "message", "message_lacks", "file", "text",
              "generate", "name", "encoding", "bom", "setup", "xfail", "slow"}


def load_cases(path: Path = HERE / "cases.toml") -> list[Case]:
    doc = tomllib.loads(path.read_text("utf-8"))
    cases = []
    for row in doc["case"]:
        known = {k: v for k, v in row.items() if k in _CASE_KEYS}
        for key in ("args", "message_lacks"):
            if key in known:
                known[key] = tuple(known[key])
        cases.append(Case(**known, checks={k: v for k, v in row.items() if k not in _CASE_KEYS}))
    ids = [c.id for c in cases]
    if len(set(ids)) != len(ids):
        raise ValueError("duplicate case ids in cases.toml")
    return cases


# ------------------------------------------------------------------------------------------------ input


def materialize(case: Case, folder: Path) -> Path:
    """Write the case's input into ``folder`` and return its path."""
    if case.generate is not None:
        return GENERATORS[case.generate](folder)
    if case.file is not None:
        raw = (HERE / case.file).read_bytes()
        name = case.name or Path(case.file).name
    else:
        raw = (case.text or "").encode("utf-8", "surrogatepass")
        name = case.name or "transcript.txt"
    if case.encoding:
        raw = raw.decode("utf-8").encode(case.encoding)
    if case.bom:
        raw = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE, "utf-8": codecs.BOM_UTF8,
               "utf-32-le": codecs.BOM_UTF32_LE}[(case.encoding or "utf-8").lower()] + raw
    path = folder / name
    path.write_bytes(raw)
    return path


def expand(arg: str, tmp: Path) -> str:
    return arg.replace("{data}", str(DATA)).replace("{tmp}", str(tmp))


# ---------------------------------------------------------------------------------------------- sandbox


@dataclass
class Sandbox:
    """Where a case runs: its own folder (cwd, input, output) plus a $HOME and $TMPDIR watched for writes."""

    folder: Path
    home: Path
    systmp: Path

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("RECAST_", "PULSE_"))}
        env.update(HOME=str(self.home), TMPDIR=str(self.systmp), XDG_CONFIG_HOME=str(self.home / ".config"),
                   XDG_CACHE_HOME=str(self.home / ".cache"), XDG_RUNTIME_DIR=str(self.systmp / "run"),
                   PYTHONDONTWRITEBYTECODE="1", COLUMNS="120")
        return env

    def snapshot(self, output: Path | None) -> dict[str, tuple[int, int]]:
        found: dict[str, tuple[int, int]] = {}
        for base in (self.folder, self.home, self.systmp):
            for p in base.rglob("*"):
                if output is not None and (p == output or output in p.parents):
                    continue
                st = p.lstat()
                found[str(p)] = (st.st_size, st.st_mtime_ns) if p.is_file() and not p.is_symlink() else (-1, 0)
        return found


def run_cli(sandbox: Sandbox, *args: str, timeout: float = 600) -> tuple[subprocess.CompletedProcess, float]:
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=sandbox.folder, env=sandbox.env,
                          capture_output=True, timeout=timeout)
    return proc, time.monotonic() - start


def check_outside_untouched(before: dict, after: dict) -> None:
    created = {p for p in after if p not in before and Path(p).name not in ALLOWED_OUTSIDE}
    changed = {p for p in after if p in before and after[p] != before[p]}
    removed = {p for p in before if p not in after}
    assert not (created or changed or removed), f"outside the output folder: created {sorted(created)}, " \
                                                f"changed {sorted(changed)}, removed {sorted(removed)}"


# ---------------------------------------------------------------------------------------------- checks


def check_error_line(proc: subprocess.CompletedProcess, exit_code: int, fragment: str,
                     lacks: tuple[str, ...] = ()) -> str:
    err = proc.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err, err
    assert proc.returncode == exit_code, f"exit {proc.returncode}, expected {exit_code}: {err}"
    lines = err.splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got {len(lines)}: {err!r}"
    line = lines[0]
    assert line.startswith("recast: error: "), line
    assert not any(unicodedata.category(ch) == "Cc" for ch in line), f"control characters in {line!r}"
    assert fragment in line, f"{fragment!r} not in {line!r}"
    for word in lacks:
        assert word not in line, f"{word!r} in {line!r}"
    assert proc.stdout == b"", proc.stdout[:200]
    return line


def check_no_partial_files(output: Path, *, edition_expected: bool) -> None:
    """No temp leftovers; manifests describe their folders exactly; no episode.json after a failure."""
    if not output.is_dir():
        return
    leftovers = [p for p in output.rglob("*") if p.name.startswith(".tmp") or p.name.endswith(".tmp")]
    assert not leftovers, leftovers
    manifests = list(output.glob("*/episode.json"))
    if not edition_expected:
        assert not manifests, f"episode.json after a failed render: {manifests}"
    for manifest in manifests:
        check_manifest_files(manifest.parent, json.loads(manifest.read_text("utf-8")))


def check_manifest_files(edition: Path, manifest: dict) -> None:
    for entry in manifest["files"]:
        path = edition / entry["name"]
        assert path.is_file(), path
        assert path.stat().st_size == entry["bytes"], entry["name"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"], entry["name"]


def ffprobe(path: Path) -> dict:
    out = subprocess.run(["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_chapters",
                          str(path)], capture_output=True, check=True).stdout
    return json.loads(out)


def longest_silence_s(path: Path, floor_s: float) -> float:
    """The longest stretch quieter than -50 dB (only stretches over ``floor_s`` are reported by ffmpeg)."""
    err = subprocess.run(["ffmpeg", "-hide_banner", "-nostats", "-i", str(path), "-af",
                          f"silencedetect=noise=-50dB:d={floor_s}", "-f", "null", "-"],
                         capture_output=True).stderr.decode("utf-8", "replace")
    found = [float(x) for x in re.findall(r"silence_duration: ([\d.]+)", err)]
    return max(found, default=0.0)


def requests_sent(output: Path) -> list[str]:
    """The text of every request the engine was asked to speak (the clip cache's sidecars)."""
    texts = []
    for sidecar in (output / ".cache").rglob("*.json"):
        texts.append(json.loads(sidecar.read_text("utf-8"))["text"])
    return texts


_STAMP = re.compile(r"^(\d\d):(\d\d):(\d\d)\.(\d{3}) --> (\d\d):(\d\d):(\d\d)\.(\d{3})")


def check_edition(output: Path, manifest: dict, formats: tuple[str, ...]) -> Path:
    """What a user would notice about a finished edition."""
    slug = manifest["slug"]
    assert re.fullmatch(r"[a-z0-9][a-z0-9-]{0,90}", slug), slug
    edition = (output / slug).resolve()
    assert edition.parent == output.resolve(), edition
    names = {p.name for p in edition.iterdir()}
    expected = EDITION_TEXT_FILES | {f"episode.{f}" for f in formats}
    assert names == expected, names ^ expected
    assert {f["name"] for f in manifest["files"]} == expected - {"episode.json"}
    check_manifest_files(edition, manifest)
    duration = manifest["duration_ms"]
    assert duration > 0
    for fmt in formats:
        probe = ffprobe(edition / f"episode.{fmt}")
        seconds = float(probe["format"]["duration"])
        assert abs(seconds * 1000 - duration) <= 250 + duration * 0.02, (fmt, seconds, duration)
        assert len(probe["chapters"]) == len(manifest["chapters"]), fmt
    chapters = manifest["chapters"]
    assert chapters and chapters[0]["start_ms"] == 0 and chapters[-1]["end_ms"] == duration
    for a, b in zip(chapters, chapters[1:], strict=False):
        assert a["end_ms"] == b["start_ms"] and a["start_ms"] <= b["start_ms"]
    assert all(c["title"].strip() for c in chapters)
    floor = 0
    for turn in manifest["turns"]:
        assert floor <= turn["start_ms"] < turn["end_ms"] <= duration, turn
        floor = turn["end_ms"]
    floor = 0
    for line in (edition / "transcript.vtt").read_text("utf-8").splitlines():
        if "-->" in line:
            m = _STAMP.match(line)
            assert m, f"a VTT line holding '-->' that is not a timing: {line!r}"
            g = [int(x) for x in m.groups()]
            a = ((g[0] * 60 + g[1]) * 60 + g[2]) * 1000 + g[3]
            b = ((g[4] * 60 + g[5]) * 60 + g[6]) * 1000 + g[7]
            assert floor <= a < b <= duration, line
            floor = b
    for text in requests_sent(output):
        assert re.search(r"[^\W_]", text), f"nothing speakable in request {text!r}"
        assert not INVISIBLE.search(text), f"invisible character in request {text!r}"
    return edition


def transcript_text(edition: Path) -> str:
    data = json.loads((edition / "transcript.json").read_text("utf-8"))
    return " ".join(seg["body"] for seg in data["segments"])
