"""Wall time of each committed notebook's default run, executed on a temporary copy.

The committed notebooks are never modified: each one is read, executed with
``nbclient`` in a fresh kernel whose working directory is ``notebooks/`` (as
in JupyterLab), and the executed copy is thrown away (or written to a scratch
folder when asked).
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = REPO / "notebooks"


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


def time_notebook(path: Path, timeout: int = 1800, quick: bool = False,
                  keep_copy_in: Path | None = None) -> dict:
    """Execute a copy of the notebook at ``path`` top to bottom; return its wall time.

    The same as ``run_notebook(...)[0]``.
    """
    return run_notebook(path, timeout=timeout, quick=quick, keep_copy_in=keep_copy_in)[0]


def run_notebook(path: Path, timeout: int = 1800, quick: bool = False,
                 keep_copy_in: Path | None = None) -> tuple[dict, "object"]:
    """Execute a copy of the notebook at ``path`` top to bottom; return its wall time and the executed copy.

    Parameters
    ----------
    path : the notebook.
    timeout : seconds allowed per cell.
    quick : run in quick mode (``CH11_QUICK=1``), as the smoke run does.
    keep_copy_in : optional folder where the executed copy is written.

    Returns
    -------
    (dict, nbformat.NotebookNode)
        ``{"seconds": wall time of the execution, kernel start included, "quick": quick,
        "ok": True}`` or, when a cell fails, ``"ok": False`` and ``"error"``; and the executed
        in-memory copy with its new outputs (up to the failing cell).
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    path = Path(path)
    nb = nbformat.read(path, as_version=4)  # an in-memory copy; the file is not written back
    env_quick = os.environ.get("CH11_QUICK")
    if quick:
        os.environ["CH11_QUICK"] = "1"
    else:
        os.environ.pop("CH11_QUICK", None)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    result = {"quick": quick, "ok": True}
    start = time.perf_counter()
    try:
        client.execute()
    except CellExecutionError as err:
        result.update(ok=False, error=str(err).strip().splitlines()[-1][:300])
    finally:
        result["seconds"] = time.perf_counter() - start
        if env_quick is None:
            os.environ.pop("CH11_QUICK", None)
        else:
            os.environ["CH11_QUICK"] = env_quick
    if keep_copy_in is not None:
        Path(keep_copy_in).mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, Path(keep_copy_in) / path.name)
    return result, nb


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
