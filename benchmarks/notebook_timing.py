"""Wall time of each committed notebook's default run, executed on a temporary copy.

The committed notebooks are never modified: each one is read and executed by
:func:`tools.nbio.execute_notebook` (a fresh kernel whose working directory is the
notebook's folder, as in JupyterLab), and the executed copy is thrown away (or
written to a scratch folder when asked, as a complete ``.ipynb`` with its outputs).

:func:`nbval_notebook` runs one notebook under strict nbval exactly as the README's
test command does (``NBVAL_ARGS``, the Makefile's ``test`` target), in a pytest
subprocess in default mode; nbval does not write the notebook.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = REPO / "notebooks"
# The flags of the README's test command (`make test`): pytest tests notebooks <NBVAL_ARGS>
NBVAL_ARGS = ("--nbval", "--nbval-current-env", "--nbval-cell-timeout=900", "-v", "-rs")


def committed_notebooks(folder: Path = NOTEBOOK_DIR) -> list[Path]:
    """The series' notebooks ``NN_*.ipynb`` that git tracks, in teaching order.

    Outside a git checkout (e.g. an unpacked archive) every ``NN_*.ipynb`` in the folder counts.
    """
    found = sorted(p for p in Path(folder).glob("[0-9][0-9]_*.ipynb"))
    try:
        out = subprocess.run(["git", "ls-files", "--", "."], cwd=folder, capture_output=True, text=True,
                             check=True).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        return found
    tracked = {Path(folder, name).resolve() for name in out}
    return [p for p in found if p.resolve() in tracked]


def select_notebooks(paths: list[Path], names: list[str] | None) -> list[Path]:
    """The notebooks among ``paths`` named in ``names`` (a number such as ``"06"`` or a stem), in order.

    ``names`` None selects all of them.

    Raises
    ------
    ValueError
        For a name that matches no notebook (the message lists the ones there are).
    """
    if names is None:
        return list(paths)
    chosen = []
    for name in names:
        hits = [p for p in paths if p.stem == name or p.stem.split("_", 1)[0] == name]
        if not hits:
            raise ValueError(f"no committed notebook is called {name!r}; expected a number or a name "
                             f"among {[p.stem for p in paths]}")
        chosen += [p for p in hits if p not in chosen]
    return [p for p in paths if p in chosen]


CELL_TIMEOUT = 600   # seconds per cell under nbclient; the longest cell takes about 100 s here, so a cell past
                     # this has stalled (a kernel idle in epoll_wait was seen twice) rather than run long


def time_notebook(path: Path, timeout: int = CELL_TIMEOUT, quick: bool = False,
                  keep_copy_in: Path | None = None) -> dict:
    """Execute a copy of the notebook at ``path`` top to bottom; return its wall time.

    The same as ``run_notebook(...)[0]``.
    """
    return run_notebook(path, timeout=timeout, quick=quick, keep_copy_in=keep_copy_in)[0]


def run_notebook(path: Path, timeout: int = CELL_TIMEOUT, quick: bool = False,
                 keep_copy_in: Path | None = None) -> tuple[dict, "object"]:
    """Execute a copy of the notebook at ``path`` top to bottom; return its wall time and the executed copy.

    The run is :func:`tools.nbio.execute_notebook`'s: a clean kernel in the notebook's folder,
    in memory (the committed file is not written), no timing metadata.

    Parameters
    ----------
    path : the notebook.
    timeout : seconds allowed per cell (default :data:`CELL_TIMEOUT`); a cell past it counts as a
        failed run (``"ok": False``) and the bench goes on with the next notebook.
    quick : run in quick mode (``CH11_QUICK=1``), as the smoke run does.
    keep_copy_in : optional folder where the executed copy is written.

    Returns
    -------
    (dict, nbformat.NotebookNode)
        ``{"seconds": wall time of the execution, kernel start included, "quick": quick,
        "ok": True}`` or, when a cell fails, ``"ok": False`` and ``"error"`` (one line naming the
        notebook, the cell and the error); and the executed in-memory copy with its new outputs
        (up to the failing cell). A cell past ``timeout`` or a dead kernel gives ``"ok": False``
        as well, with an error that says so.
    """
    from tools.nbio import NotebookExecutionError, execute_notebook

    path = Path(path)
    result = {"quick": quick, "ok": True}
    start = time.perf_counter()
    try:
        nb = execute_notebook(path, quick=quick, timeout=timeout)
    except NotebookExecutionError as err:
        nb = err.notebook
        result.update(ok=False, error=str(err)[:300])
    result["seconds"] = time.perf_counter() - start
    if keep_copy_in is not None:
        write_notebook(nb, Path(keep_copy_in) / path.name)
    return result, nb


def write_notebook(nb, path: Path) -> Path:
    """Write ``nb`` (with its outputs) to ``path`` atomically (:func:`tools.nbio.write_notebook`)."""
    from tools.nbio import write_notebook as write

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write(nb, path)
    return path


_COUNT = re.compile(r"(\d+) (passed|failed|errors?|skipped|xfailed|xpassed)\b")


def pytest_counts(text: str) -> dict:
    """``{"passed": n, "failed": n, ...}`` from pytest's last summary line (``== 20 passed, 1 failed in 9.1s ==``).

    Raises
    ------
    ValueError
        If ``text`` has no summary line with counts.
    """
    lines = [ln for ln in text.splitlines() if ln.startswith("=") and re.search(r"\bin [\d.]+s\b", ln)]
    counts = {}
    for n, word in _COUNT.findall(lines[-1] if lines else ""):
        key = "errors" if word.startswith("error") else word
        counts[key] = counts.get(key, 0) + int(n)
    if not counts:
        raise ValueError("pytest's output has no summary line like '== 20 passed in 9.1s =='; "
                         f"its last lines were: {text.strip().splitlines()[-3:]}")
    return counts


_DURATION = re.compile(r"^\s*([\d.]+)s (setup|call|teardown)\s+\S", re.M)


def cell_seconds(text: str) -> float | None:
    """Sum of the ``call`` durations in pytest's ``--durations=0`` report (nbval: one per cell), or None."""
    calls = [float(sec) for sec, phase in _DURATION.findall(text) if phase == "call"]
    return sum(calls) if calls else None


def nbval_notebook(path: Path, python: str = sys.executable, timeout: float = 3600) -> dict:
    """Run ``python -m pytest <notebook> <NBVAL_ARGS>`` from the repository's root, in default mode.

    pytest's duration report (``--durations=0 --durations-min=0``, which changes only what is
    printed) gives the seconds the cells themselves took; the rest of the process's wall time is
    what the harness adds (pytest's start, collection, the kernel's start and shutdown, comparing).

    Returns
    -------
    dict
        ``{"seconds": wall time of the pytest process, "cell_seconds", "harness_seconds",
        "returncode", "ok": returncode == 0, "passed", "failed", ... (pytest's counts),
        "command"}``; a failing run is recorded (``ok`` False, with ``"error"``), never raised.
    """
    path = Path(path).resolve()
    shown = path.relative_to(REPO) if path.is_relative_to(REPO) else path
    cmd = [python, "-m", "pytest", str(shown), *NBVAL_ARGS, "--durations=0", "--durations-min=0"]
    env = {k: v for k, v in os.environ.items() if k != "CH11_QUICK"}   # the default run
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"seconds": time.perf_counter() - start, "returncode": None, "ok": False,
                "error": f"pytest did not finish within {timeout:g} s", "command": " ".join(cmd[1:])}
    out = {"seconds": time.perf_counter() - start, "returncode": proc.returncode, "ok": proc.returncode == 0,
           "command": "python " + " ".join(cmd[1:])}
    cells = cell_seconds(proc.stdout)
    if cells is not None:
        out.update(cell_seconds=cells, harness_seconds=out["seconds"] - cells)
    try:
        out.update(pytest_counts(proc.stdout))
    except ValueError as err:
        out["error"] = str(err)
    if proc.returncode != 0 and "error" not in out:
        # -v prints "notebooks/x.ipynb::Cell 3 FAILED [ 10%]" per failing cell
        failed = [m.group(1) for m in re.finditer(r"^(\S+::.*?) (?:FAILED|ERROR)\b", proc.stdout, re.M)]
        out["error"] = ("failed: " + ", ".join(failed[:5]))[:300] if failed else f"pytest exited with code {proc.returncode}"
    return out


def time_all(quick: bool = False, keep_copy_in: Path | None = None, only: list[str] | None = None,
             on_executed: Callable[[str, "object"], None] | None = None) -> dict:
    """Time every committed notebook (or those named in ``only``, see :func:`select_notebooks`).

    ``on_executed(stem, executed_copy)`` is called after each run, so a caller can read the
    copy's outputs; the committed files are never written.
    """
    out = {}
    for path in select_notebooks(committed_notebooks(), only):
        out[path.stem], nb = run_notebook(path, quick=quick, keep_copy_in=keep_copy_in)
        if on_executed is not None:
            on_executed(path.stem, nb)
    return out
