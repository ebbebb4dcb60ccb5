"""The README is checked: its first lines are the two commands, its commands exist, CI runs `make test`."""

from __future__ import annotations

import re
from pathlib import Path


def readme(root: Path) -> str:
    return (root / "README.md").read_text("utf-8")


def test_first_lines_hold_exactly_the_two_commands(root):
    lines = [ln for ln in readme(root).splitlines() if ln.strip()]
    assert lines[0].startswith("# ")
    block = lines[1:5]
    assert block[0].startswith("```") and block[3].startswith("```"), block
    assert [block[1].strip(), block[2].strip()] == ["make demo", "make test"]


def test_ci_runs_make_test_and_nothing_else(root):
    body = [ln.strip() for ln in (root / ".ci" / "run").read_text().splitlines()
            if ln.strip() and not ln.lstrip().startswith("#")]
    commands = [ln for ln in body if not ln.startswith(("set ", "cd "))]
    assert commands == ["exec make test"]


def test_makefile_targets_install_what_is_missing(root):
    make = (root / "Makefile").read_text()
    for target in ("demo:", "test:"):
        assert re.search(rf"^{target}", make, re.M), target
    assert "apt-get install" in make and "ffmpeg" in make and "espeak-ng" in make and "chromium" in make
    assert "-m venv" in make and "pip install" in make


def test_every_documented_command_exists(root, recast):
    documented = set(re.findall(r"`recast ([a-z]+)", readme(root)))
    assert {"inspect", "render", "summarize", "voices", "publish", "unpublish", "show", "serve"} <= documented
    for command in sorted(documented):
        proc = recast(command, "--help")
        assert proc.returncode == 0, (command, proc.stderr.decode())


def test_documented_exit_codes_match_the_error_classes(root):
    from pipeline.errors import BadInput, RecastError, SynthesisError

    table = dict(re.findall(r"^\| (\d) \| (.+?) \|$", readme(root), re.M))
    assert set(table) >= {"0", "1", "2", "3"}
    assert BadInput.exit_code == 2 and "bad input" in table["2"]
    assert SynthesisError.exit_code == 3 and "synthesis" in table["3"]
    assert RecastError.exit_code == 1
