"""Who may use what: the students' package knows nothing of the benchmarks, and one module
(tools/nbio.py) reads, executes and writes notebook files for every tool and the benchmarks."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_utils_imports_nothing_from_benchmarks():
    # every module of utils imported, then no module of benchmarks may be loaded
    modules = sorted(f"utils.{p.stem}" for p in (ROOT / "utils").glob("*.py") if p.stem != "__init__")
    modules += sorted(f"utils.{p.name}" for p in (ROOT / "utils").iterdir() if (p / "__init__.py").exists())
    code = ("import importlib, sys\n"
            f"for name in {modules!r}:\n    importlib.import_module(name)\n"
            "print(sorted(m for m in sys.modules if m == 'benchmarks' or m.startswith('benchmarks.')))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_recipes_holds_no_benchmark_goals():
    text = (ROOT / "utils" / "recipes.py").read_text(encoding="utf-8")
    assert not re.search(r"^BENCH_\w+\s*=", text, re.M), "benchmark goals live in benchmarks/goals.py"


# Calls that read, execute or write a notebook file; only tools/nbio.py makes them.
NOTEBOOK_IO = {"NotebookClient", "ExecutePreprocessor", "nbformat.read", "nbformat.reads", "nbformat.write",
               "nbformat.writes"}


def _notebook_io_calls(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            f = node.func
            name = (f"{f.value.id}.{f.attr}" if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name)
                    else f.id if isinstance(f, ast.Name) else "")
            if name in NOTEBOOK_IO:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {name}(...)")
        elif isinstance(node, ast.ImportFrom) and node.module in ("nbclient", "nbconvert.preprocessors"):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: from {node.module} import ...")
    return found


@pytest.mark.parametrize("path", sorted((ROOT / "tools").glob("*.py")) + sorted((ROOT / "benchmarks").glob("*.py")),
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_only_nbio_reads_executes_or_writes_notebooks(path):
    if path == ROOT / "tools" / "nbio.py":
        return
    assert _notebook_io_calls(path) == [], "use tools.nbio (read_notebook, write_notebook, execute_notebook)"
