"""A newcomer's first screen is clean: building the project says nothing, and `make demo` says each thing once.

The builds run pip as the Makefile does (quiet, build isolation: the setuptools that ``build-system.requires``
names), on a copy of the project so that nothing is written into the work tree.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

#: What this machine's own pip configuration prints (index locations that are absent): not the project's.
MACHINE_NOISE = re.compile(r"^WARNING: Location '.*' is ignored")


def pip(*args: str, cwd: Path) -> str:
    proc = subprocess.run([sys.executable, "-m", "pip", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout + proc.stderr


def noise(output: str) -> list[str]:
    return [ln for ln in output.splitlines() if ln.strip() and not MACHINE_NOISE.match(ln)]


@pytest.fixture(scope="module")
def project_copy(root: Path, tmp_path_factory) -> Path:
    """What a build reads: pyproject.toml, the README (the long description) and the package."""
    dest = tmp_path_factory.mktemp("project") / "recast"
    dest.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(root / name, dest / name)
    shutil.copytree(root / "pipeline", dest / "pipeline", ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def test_license_is_an_spdx_expression_with_a_setuptools_that_reads_it(root: Path):
    data = tomllib.loads((root / "pyproject.toml").read_text("utf-8"))
    assert data["project"]["license"] == "MIT"
    requires = data["build-system"]["requires"]
    pinned = [r for r in requires if r.replace(" ", "").startswith("setuptools>=")]
    assert pinned, requires
    assert int(pinned[0].split(">=")[1].split(".")[0]) >= 77  # SPDX `project.license` came in setuptools 77


def test_building_the_wheel_prints_nothing(project_copy: Path, tmp_path: Path):
    out = pip("wheel", "-q", "--no-deps", "-w", str(tmp_path), ".", cwd=project_copy)
    assert noise(out) == []
    (wheel,) = tmp_path.glob("recast-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        metadata = zf.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert "License-Expression: MIT" in metadata.splitlines()
    assert any(n.startswith("pipeline/publish/assets/") for n in names)  # package data is still shipped


def test_editable_install_prints_nothing(project_copy: Path, tmp_path: Path):
    """`make demo` installs the project editable: no deprecation wall, no "Editable installation" notice."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    out = pip("--python", str(venv / "bin" / "python"), "install", "-q", "--no-deps", "-e", ".",
              cwd=project_copy)
    assert noise(out) == []
    probe = subprocess.run([str(venv / "bin" / "python"), "-c", "import pipeline; print(pipeline.__file__)"],
                           cwd=tmp_path, capture_output=True, text=True, check=True)
    assert Path(probe.stdout.strip()) == project_copy / "pipeline" / "__init__.py"


def demo_recipe(makefile: str) -> list[str]:
    lines = makefile.splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith("demo:"))
    recipe = []
    for ln in lines[start + 1:]:
        if not ln.startswith("\t"):
            break
        recipe.append(ln.strip())
    return recipe


def test_make_demo_leaves_play_it_to_the_cli(root: Path):
    """The render summary ends with its own "Play it:" line (naming the real file); the Makefile adds none."""
    recipe = demo_recipe((root / "Makefile").read_text("utf-8"))
    assert any("recast render" in ln for ln in recipe), recipe
    assert not [ln for ln in recipe if "Play it" in ln or ln.lstrip("@").startswith("echo")], recipe
