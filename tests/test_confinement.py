"""Each third-party library lives in exactly the module(s) that own it, by a rule that fails when it leaks.

pyproject.toml bans every library for ruff (TID251) with the message "<name> only in <file>, <file>" and
lifts the ban per file. A lift covers every ban in its file, so ruff alone would let an owner of one library
import another; this test reads the same messages and holds the code to them exactly. It also holds the
heavy libraries (``banned-module-level-imports``, TID253) off the path of ``recast --help``.
"""

from __future__ import annotations

import ast
import fnmatch
import json
import re
import subprocess
import sys
import tomllib
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "pipeline"
#: Where a blanket lift is fine: test code and the benchmarks may use any library.
BLANKET = {"tests/**", "bench/**"}


@cache
def ruff_config() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["ruff"]["lint"]


def owners() -> dict[str, tuple[str, ...]]:
    """{import name: the files allowed to import it}, from the banned-api messages."""
    out = {}
    for name, rule in ruff_config()["flake8-tidy-imports"]["banned-api"].items():
        m = re.fullmatch(r"(\S+) only in (\S+(?:, \S+)*)", rule["msg"])
        assert m and m.group(1) == name, f"banned-api {name!r}: message must read '{name} only in <file>, …'"
        out[name] = tuple(m.group(2).split(", "))
    return out


def heavy() -> set[str]:
    return set(ruff_config()["flake8-tidy-imports"]["banned-module-level-imports"])


def lifts(code: str) -> set[str]:
    """Files (or globs) whose per-file-ignores lift ``code``."""
    return {path for path, codes in ruff_config()["per-file-ignores"].items() if code in codes}


def is_third_party(top: str) -> bool:
    return top != PACKAGE and top not in sys.stdlib_module_names and top != "__future__"


def _type_checking(node: ast.If) -> bool:
    t = node.test
    return (isinstance(t, ast.Name) and t.id == "TYPE_CHECKING") or (
        isinstance(t, ast.Attribute) and t.attr == "TYPE_CHECKING")


def imports(tree: ast.Module) -> list[tuple[str, int, bool]]:
    """(top-level name, line, runs when the module is imported) for every absolute import in a module.

    An import runs at import time unless it sits in a function (or under ``if TYPE_CHECKING:``); one in a
    module-level ``try`` or ``if`` still runs, which is stricter than ruff's TID253.
    """
    found: list[tuple[str, int, bool]] = []

    def visit(node: ast.AST, eager: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import):
                found.extend((a.name.split(".")[0], child.lineno, eager) for a in child.names)
            elif isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                found.append((child.module.split(".")[0], child.lineno, eager))
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                visit(child, False)
            elif isinstance(child, ast.If) and _type_checking(child):
                for stmt in child.body:
                    visit(ast.Module(body=[stmt], type_ignores=[]), False)
                for stmt in child.orelse:
                    visit(ast.Module(body=[stmt], type_ignores=[]), eager)
            else:
                visit(child, eager)

    visit(tree, True)
    return found


Imports = dict[str, list[tuple[str, int, bool]]]


def scan(planted: dict[str, str] | None = None) -> Imports:
    """{repo-relative path: its third-party imports} for every module of the package; ``planted`` appends
    source to some modules, to show that a leak is caught."""
    planted = planted or {}
    out = {}
    for path in sorted((ROOT / PACKAGE).rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        source = path.read_text("utf-8") + planted.get(rel, "")
        out[rel] = [i for i in imports(ast.parse(source, rel)) if is_third_party(i[0])]
    return out


def modules_importing(library: str, *, eager_only: bool = False, found: Imports | None = None) -> set[str]:
    return {rel for rel, imps in (found if found is not None else scan()).items()
            if any(t == library and (e or not eager_only) for t, _, e in imps)}


def leaks(found: Imports) -> dict[str, list[str]]:
    """{library: modules importing it that do not own it}."""
    out = {}
    for library, allowed in owners().items():
        outside = modules_importing(library, found=found) - set(allowed)
        if outside:
            out[library] = sorted(outside)
    return out


def test_every_library_the_package_imports_has_an_owner():
    used = {t for found in scan().values() for t, _, _ in found}
    assert used - set(owners()) == set(), "add each new library to banned-api with the module(s) owning it"


def test_each_library_is_imported_only_in_the_modules_that_own_it():
    assert leaks(scan()) == {}, "imported outside the modules that own them (see pyproject's banned-api)"


def test_each_owner_really_imports_its_library():
    stale = {lib: sorted(set(allowed) - modules_importing(lib)) for lib, allowed in owners().items()}
    assert {k: v for k, v in stale.items() if v} == {}, "an owner that no longer imports its library"


def test_tid251_is_lifted_exactly_for_the_owners():
    """No glob and no file lifting the bans except an owner of a library (and the blanket test/bench code)."""
    lifted = lifts("TID251")
    assert lifted - BLANKET == {f for files in owners().values() for f in files}
    for path in lifted - BLANKET:
        assert not set(path) & set("*?["), f"{path}: lift the ban for exact files, not a pattern"
        assert (ROOT / path).is_file(), path


def test_tid253_is_lifted_only_where_a_heavy_library_is_imported_at_module_level():
    """Ruff flags a module-level import of a heavy library; a file may keep one only by lifting TID253."""
    lifted = lifts("TID253") - BLANKET
    eager = {rel for lib in heavy() for rel in modules_importing(lib, eager_only=True)}
    assert eager - lifted == set(), "a heavy library imported at module level (in a try/if too)"
    assert lifted - eager == set(), "TID253 lifted where no heavy library is imported at module level"
    for path in lifted:
        assert any(fnmatch.fnmatch(path, f) for f in lifts("TID251")), path


def test_help_imports_no_heavy_library_and_no_module_that_imports_one_eagerly():
    """`recast --help` stays fast: none of the heavy libraries and none of the modules lifting TID253."""
    code = ("import json, sys\nfrom pipeline.cli import main\nrc = main(['--help'])\n"
            "print(json.dumps(sorted(sys.modules)))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    loaded = set(json.loads(proc.stdout.splitlines()[-1]))
    assert {m for m in loaded if m.split(".")[0] in heavy()} == set()
    eager_modules = {p.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
                     for p in lifts("TID253") - BLANKET}
    assert eager_modules & loaded == set()


# -- the rules fail when a library leaks: ruff where the module owns nothing, this test where it owns another --

@pytest.mark.parametrize("planted, where, codes", [
    ("import jieba\n", "pipeline/prepare.py", {"TID251", "TID253"}),        # not its owner, at module level
    ("def f():\n    from pydub import AudioSegment\n", "pipeline/prepare.py", {"TID251"}),   # lazily
    ("from jieba import cut\n", "pipeline/segment.py", {"TID253"}),          # its owner, but eagerly
])
def test_ruff_fails_a_planted_leak(planted: str, where: str, codes: set[str]):
    ruff = Path(sys.executable).with_name("ruff")
    if not ruff.exists():
        pytest.skip("ruff is part of the test extra")
    source = (ROOT / where).read_text("utf-8") + "\n\n" + planted  # the real module with one import more
    proc = subprocess.run([str(ruff), "check", "--no-cache", "--output-format", "json", "--stdin-filename",
                           where, "-"], cwd=ROOT, input=source, capture_output=True, text=True)
    found = {d["code"] for d in json.loads(proc.stdout)} & {"TID251", "TID253"}
    assert proc.returncode == 1 and found == codes, proc.stdout


def test_a_leak_into_a_module_that_owns_another_library_is_caught():
    """pipeline/ui.py lifts TID251 for rich, so ruff lets it import jieba; the owner map does not."""
    planted = {"pipeline/ui.py": "\n\ndef f():\n    import jieba\n"}
    assert "pipeline/ui.py" not in leaks(scan()).get("jieba", [])
    assert "pipeline/ui.py" in leaks(scan(planted)).get("jieba", [])


def test_the_scanner_sees_lazy_and_guarded_imports():
    tree = ast.parse("import os\ntry:\n    import lxml.etree\nexcept ImportError:\n    pass\n"
                     "if TYPE_CHECKING:\n    import pydub\n"
                     "def f():\n    from jieba import cut\n")
    assert [(t, e) for t, _, e in imports(tree) if is_third_party(t)] == [
        ("lxml", True), ("pydub", False), ("jieba", False)]
