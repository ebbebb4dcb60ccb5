"""A full disk and a file-size limit during a render: one clear line, nothing half-written, the previous
edition intact.

The full disk is real: a small tmpfs (needs CAP_SYS_ADMIN, which root has in this sandbox; elsewhere the
tmpfs tests skip) holds the output folder, filled to leave a chosen number of bytes free, swept so the
render runs out of space in every stage (mixing, loudness, encoding, tagging, writing). The clip cache
lives outside the tmpfs (pre-warmed) except in the one case that fills the cache itself. The file-size
limit (``RLIMIT_FSIZE`` with SIGXFSZ ignored, so writes fail with EFBIG) needs no privilege and always runs.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from hostile import ROOT, check_manifest_files

pytestmark = pytest.mark.slow

V1 = """Ann: Welcome to the show. Today our guest runs the library in a small town.
Bob: Thanks for having me.
"""
V2 = """Ann: Welcome back to the show. Today our guest runs the library in a small town by the river.
Bob: Thanks for having me, it is good to be here again after such a long time away.
Ann: How did the reading programme start, and who came to help in the first weeks?
Bob: Three years ago we saw children waiting outside after school, so we asked retired teachers to read with them.
Ann: And how many children come now, on an ordinary afternoon in the middle of the week?
Bob: More than sixty every week, and some of them now read to the younger ones themselves.
"""
SLUG = "episode"  # both versions are rendered from a file called episode.txt


def _env(base: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RECAST_", "PULSE_"))}
    env["TMPDIR"] = str(base / "systmp")
    (base / "systmp").mkdir(exist_ok=True)
    return env


_LIMITED = """
import resource, signal, sys
from pipeline.synth.engines.espeak import espeak_version
espeak_version()  # espeak-ng itself ftruncates its stdout pipe to 2 GB: ask for its version before the limit
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail with EFBIG instead of killing us
resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[1]), int(sys.argv[1])))
from pipeline.cli import main
sys.exit(main(sys.argv[2:]))
"""


def _render(src: Path, out: Path, cache: Path, base: Path, *, file_size_limit: int | None = None
            ) -> subprocess.CompletedProcess:
    args = ["render", str(src), "-o", str(out), "--engine", "espeak", "--intro", "none", "--formats", "mp3,m4a",
            "--cache-dir", str(cache), "--json"]
    runner = [sys.executable, "-m", "pipeline"] if file_size_limit is None else \
        [sys.executable, "-c", _LIMITED, str(file_size_limit)]
    return subprocess.run([*runner, *args], cwd=ROOT, env=_env(base), capture_output=True, timeout=600)


def _hashes(edition: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(edition.iterdir()) if p.is_file()}


def _leftovers(out: Path) -> list[str]:
    found = [str(p) for p in out.rglob("*") if p.name.startswith(".tmp") or p.name.endswith(".tmp")]
    work = out / ".work" / SLUG
    if work.exists():
        found += [str(p) for p in work.rglob("*") if p.is_file()]
    return found


@dataclass(frozen=True)
class Run:
    """One render of V2 over V1's edition with ``free`` bytes left on the output's file system."""

    free: int
    returncode: int
    stderr: str
    before: dict[str, str]
    after: dict[str, str]
    manifest_ok: bool
    leftovers: list[str]


@pytest.fixture(scope="module")
def sources(tmp_path_factory, media_tools):
    """V1 and V2 as episode.txt, the clip cache pre-warmed with both, V1's edition and V2's sizes."""
    base = tmp_path_factory.mktemp("disk")
    for name, text in (("v1", V1), ("v2", V2)):
        (base / name).mkdir()
        (base / name / "episode.txt").write_text(text, "utf-8")
    cache = base / "cache"
    results = {}
    for name in ("v1", "v2"):
        proc = _render(base / name / "episode.txt", base / f"{name}-out", cache, base)
        assert proc.returncode == 0, proc.stderr.decode()
        results[name] = json.loads(proc.stdout)
    return base, cache, results


def _can_mount(base: Path) -> str | None:
    probe = base / "mount-probe"
    probe.mkdir(exist_ok=True)
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(probe)], capture_output=True)
    if proc.returncode != 0:
        return proc.stderr.decode().strip() or "mount failed"
    subprocess.run(["umount", str(probe)], check=True)
    return None


def _fill(folder: Path, leave_free: int) -> None:
    st = os.statvfs(folder)
    free = st.f_bavail * st.f_frsize
    if free > leave_free:
        fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            os.posix_fallocate(fd, 0, free - leave_free)
        finally:
            os.close(fd)


@pytest.fixture(scope="module")
def disk_runs(sources):
    base, cache, results = sources
    reason = _can_mount(base)
    if reason:
        pytest.skip(f"cannot mount a tmpfs here ({reason}); the RLIMIT_FSIZE test still runs")
    v2 = results["v2"]
    sizes = {f["name"]: f["bytes"] for f in v2["files"]}
    master = 44 + round(v2["duration_ms"] * 44.1) * 2  # mono 16-bit 44.1 kHz master WAV
    # The work folder peaks at under one master (the speakers' scratch WAVs: the trimmed speech; the edition
    # is streamed from them into the encoders, never written whole); the writers then need room for the
    # new mp3 and m4a while the old ones still exist. The sweep walks from a quarter of a master (the mix
    # starves) through the writers to room for everything.
    writers = sizes["episode.mp3"] + sizes["episode.m4a"] + 160 * 1024
    frees = [master * k // 8 for k in range(2, 12)] + [2 * master + writers]
    runs: list[Run] = []
    for i, free in enumerate(frees):
        mnt = base / f"mnt{i}"
        mnt.mkdir()
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs", str(mnt)], check=True)
        try:
            out = mnt / "out"
            shutil.copytree(base / "v1-out" / SLUG, out / SLUG)
            before = _hashes(out / SLUG)
            _fill(mnt, free)
            proc = _render(base / "v2" / "episode.txt", out, cache, base)
            after = _hashes(out / SLUG)
            try:
                check_manifest_files(out / SLUG, json.loads((out / SLUG / "episode.json").read_text("utf-8")))
                manifest_ok = True
            except (AssertionError, OSError, ValueError):
                manifest_ok = False
            runs.append(Run(free, proc.returncode, proc.stderr.decode("utf-8", "replace"), before, after,
                            manifest_ok, _leftovers(out)))
        finally:
            subprocess.run(["umount", str(mnt)], check=True)
    return runs


def test_the_sweep_runs_out_of_space_in_several_stages(disk_runs):
    failed = [r for r in disk_runs if r.returncode != 0]
    assert len(failed) >= 3 and disk_runs[-1].returncode == 0, [(r.free, r.returncode) for r in disk_runs]
    assert len({r.stderr for r in failed}) >= 2  # different stages fail with different messages


def test_full_disk_errors_are_one_line_exit_1(disk_runs):
    for r in disk_runs:
        if r.returncode == 0:
            continue
        assert "Traceback" not in r.stderr, r.stderr
        assert r.returncode == 1, (r.free, r.stderr)
        assert len(r.stderr.splitlines()) == 1, (r.free, r.stderr)


def test_full_disk_leaves_no_temporary_or_work_files(disk_runs):
    for r in disk_runs:
        assert not r.leftovers, (r.free, r.leftovers)


def test_full_disk_keeps_the_previous_edition_intact(disk_runs):
    for r in disk_runs:
        if r.returncode == 0:
            assert r.manifest_ok, r.free
        else:
            assert r.after == r.before, (r.free, r.stderr, {k for k in r.after if r.after[k] != r.before.get(k)})


def test_full_disk_message_says_no_space_and_what_to_do(disk_runs):
    for r in disk_runs:
        if r.returncode == 0:
            continue
        line = r.stderr.strip()
        assert line.startswith("recast: error: "), line
        assert "no space left" in line.lower() and "free some space" in line, (r.free, line)


def test_full_disk_in_the_clip_cache(sources):
    """The cache fills up first on a small disk: one line naming the cache and what to do."""
    base, _cache, _results = sources
    reason = _can_mount(base)
    if reason:
        pytest.skip(f"cannot mount a tmpfs here ({reason})")
    mnt = base / "mnt-cache"
    mnt.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mnt)], check=True)
    try:
        _fill(mnt, 96 * 1024)
        proc = _render(base / "v2" / "episode.txt", mnt / "out", mnt / "out" / ".cache", base)
        err = proc.stderr.decode()
        assert proc.returncode == 1 and len(err.splitlines()) == 1 and "Traceback" not in err, err
        assert err.startswith("recast: error: cannot write the clip cache in ")
        assert "No space left on device" in err and "free some space" in err, err
        assert not list((mnt / "out").glob("*/episode.json"))
        assert not [p for p in (mnt / "out").rglob("*") if p.name.startswith(".tmp") or p.name.endswith(".tmp")]
    finally:
        subprocess.run(["umount", str(mnt)], check=True)


def test_file_size_limit_fails_cleanly_and_keeps_the_previous_edition(sources, tmp_path):
    """RLIMIT_FSIZE (``ulimit -f``; no privilege needed): the speakers' scratch WAVs cannot be written; V1's
    edition stays as it was. Every clip is cached, so espeak-ng (which cannot run under such a limit) is not
    needed."""
    base, cache, results = sources
    out = tmp_path / "out"
    shutil.copytree(base / "v1-out" / SLUG, out / SLUG)
    before = _hashes(out / SLUG)
    master = 44 + round(results["v2"]["duration_ms"] * 44.1) * 2
    proc = _render(base / "v2" / "episode.txt", out, cache, base, file_size_limit=master // 8)
    err = proc.stderr.decode()
    assert proc.returncode == 1, err
    assert len(err.splitlines()) == 1 and err.startswith("recast: error: ") and "Traceback" not in err, err
    assert _hashes(out / SLUG) == before
    check_manifest_files(out / SLUG, json.loads((out / SLUG / "episode.json").read_text("utf-8")))
    assert not _leftovers(out)
