"""Read, execute and write the series' notebooks: the one module that does it.

Every tool that touches a notebook file (``tools.course``, ``tools.refresh``, the site,
the slides, the exercises, ``benchmarks``) goes through these three functions:

* :func:`read_notebook` checks the file before anyone indexes into it, so a damaged
  notebook (bad UTF-8 or JSON, ``{}``, no ``cells``, a cell without ``cell_type``,
  ``"source": null``, outputs that are not a list, ...) gives one line that names the
  file and the cell, and what to do, instead of a KeyError deep inside a tool;
* :func:`write_notebook` writes nbformat's canonical JSON atomically (a temporary file in
  the same folder, fsync, ``os.replace``) and keeps the file's permission bits;
* :func:`execute_notebook` runs a notebook top to bottom in a clean kernel, in memory.

Cells are named by their index in ``nb.cells``, counting from 0, as in ``cell 12 (the 13th)``.
"""

from __future__ import annotations

import copy
import json
import os
import stat
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

import nbformat
from nbformat import NotebookNode

CELL_TYPES = ("code", "markdown", "raw")
OUTPUT_TYPES = ("stream", "display_data", "execute_result", "error")
NEW_FILE_MODE = 0o644
CELL_TIMEOUT = 900   # seconds per cell; the longest cell of the series takes about 100 s on a 2-core CPU,
                     # so a cell past this has stalled (a kernel idle while the client waits for its reply)
QUICK_ENV = "CH11_QUICK"


class NotebookError(ValueError):
    """A notebook file that cannot be read, written or executed; the message is one line."""


class NotebookExecutionError(NotebookError):
    """A cell failed, timed out or the kernel died while a notebook ran.

    Attributes
    ----------
    notebook : the executed copy up to the failing cell (its outputs included).
    cell : index of the failing cell in ``notebook.cells`` (None when no cell was running).
    seconds : wall time until the failure, the kernel's start included.
    """

    def __init__(self, message: str, notebook: NotebookNode, cell: int | None, seconds: float) -> None:
        super().__init__(message)
        self.notebook = notebook
        self.cell = cell
        self.seconds = seconds


def _shown(path: Path) -> str:
    """The path as a maintainer typed it: relative to the working folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def cell_label(i: int) -> str:
    """How messages name the cell ``nb.cells[i]``: "cell 12 (the 13th)"."""
    return f"cell {i} (the {_ordinal(i + 1)})"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _kind(value: object) -> str:
    if value is None:
        return "null"
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean",
            int: "a number", float: "a number"}.get(type(value), type(value).__name__)


RESTORE = "restore it from git (git checkout -- {p}) or repair it by hand"


def check_notebook(nb: object, path: str | os.PathLike = "<notebook>") -> None:
    """Raise :class:`NotebookError` (one line: file, cell, what is wrong) unless ``nb`` is a valid v4 notebook.

    The structure every tool relies on is checked first, with messages of its own; then the
    notebook is validated against nbformat's schema (cell ids may be missing: ``tools.course
    sync`` adds them).
    """
    p = _shown(Path(path))
    fix = RESTORE.format(p=p)
    if not isinstance(nb, Mapping):
        raise NotebookError(f"{p}: the file holds {_kind(nb)}, not a notebook (a JSON object with "
                            f"'cells', 'metadata', 'nbformat' and 'nbformat_minor'); {fix}")
    missing = [k for k in ("cells", "metadata", "nbformat", "nbformat_minor") if k not in nb]
    if missing:
        raise NotebookError(f"{p}: not a notebook: no {', '.join(repr(k) for k in missing)} "
                            f"{'key' if len(missing) == 1 else 'keys'} at the top level; {fix}")
    if nb["nbformat"] != 4 or not isinstance(nb["nbformat_minor"], int) or isinstance(nb["nbformat_minor"], bool):
        raise NotebookError(f"{p}: nbformat {nb['nbformat']!r}.{nb['nbformat_minor']!r}; the series reads "
                            "version 4 notebooks (convert with `jupyter nbconvert --to notebook --inplace` "
                            "or re-save it from JupyterLab)")
    if not isinstance(nb["cells"], list):
        raise NotebookError(f"{p}: 'cells' is {_kind(nb['cells'])}, expected a list of cells; {fix}")
    if not isinstance(nb["metadata"], Mapping):
        raise NotebookError(f"{p}: the notebook's 'metadata' is {_kind(nb['metadata'])}, expected an object; {fix}")
    for i, cell in enumerate(nb["cells"]):
        _check_cell(cell, f"{p}: {cell_label(i)}", fix)
    _check_schema(nb, p, fix)


def _check_cell(cell: object, where: str, fix: str) -> None:
    if not isinstance(cell, Mapping):
        raise NotebookError(f"{where}: is {_kind(cell)}, expected an object with 'cell_type', 'metadata' "
                            f"and 'source'; {fix}")
    kind = cell.get("cell_type")
    if kind is None:
        raise NotebookError(f"{where}: no 'cell_type' (one of {', '.join(CELL_TYPES)}); {fix}")
    if kind not in CELL_TYPES:
        raise NotebookError(f"{where}: 'cell_type' is {kind!r}, expected one of {', '.join(CELL_TYPES)}; {fix}")
    if "source" not in cell:
        raise NotebookError(f"{where}: no 'source' (use \"\" for an empty cell); {fix}")
    src = cell["source"]
    if not (isinstance(src, str) or (isinstance(src, list) and all(isinstance(s, str) for s in src))):
        what = _kind(src) if not isinstance(src, list) else "a list with non-string items"
        raise NotebookError(f"{where}: 'source' is {what}, expected a string or a list of strings "
                            f"(\"\" for an empty cell); {fix}")
    if not isinstance(cell.get("metadata", {}), Mapping):
        raise NotebookError(f"{where}: 'metadata' is {_kind(cell['metadata'])}, expected an object; {fix}")
    if kind != "code":
        return
    outputs = cell.get("outputs", [])
    if not isinstance(outputs, list):
        raise NotebookError(f"{where}: 'outputs' is {_kind(outputs)}, expected a list ([] for no "
                            f"outputs); {fix}")
    for j, out in enumerate(outputs):
        if not isinstance(out, Mapping):
            raise NotebookError(f"{where}: output {j} is {_kind(out)}, expected an object; {fix}")
        if out.get("output_type") not in OUTPUT_TYPES:
            raise NotebookError(f"{where}: output {j} has 'output_type' {out.get('output_type')!r}, expected one "
                                f"of {', '.join(OUTPUT_TYPES)}; {fix}")


def _check_schema(nb: Mapping, p: str, fix: str) -> None:
    """nbformat's schema, with placeholder ids where ids are missing (never changes ``nb``)."""
    probe = copy.deepcopy(dict(nb))
    if probe["nbformat_minor"] >= 5:
        for i, cell in enumerate(probe["cells"]):
            cell.setdefault("id", f"missing-id-{i}")
    error = next(iter(nbformat.validator.iter_validate(probe)), None)
    if error is None:
        return
    where = list(getattr(error, "absolute_path", []) or [])
    cell = f" {cell_label(where[1])}:" if len(where) >= 2 and where[0] == "cells" and isinstance(where[1], int) else ""
    field = "/".join(str(k) for k in (where[2:] if cell else where))
    message = " ".join(str(getattr(error, "message", error)).split())
    if len(message) > 160:
        message = message[:157] + "..."
    raise NotebookError(f"{p}:{cell} {field + ': ' if field else ''}{message} (nbformat's schema); {fix}")


def read_notebook(path: str | os.PathLike) -> NotebookNode:
    """The notebook at ``path``, checked.

    Raises
    ------
    NotebookError
        One line naming the file (and the cell, where one is at fault) and what to do: a missing
        or unreadable file, bad UTF-8, bad JSON, a top level that is not a notebook, a cell
        without ``cell_type`` or with ``"source": null``, outputs that are not a list, and
        anything else nbformat's schema refuses.
    """
    path = Path(path)
    p = _shown(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise NotebookError(f"{p}: no such notebook; check the name (the lessons are notebooks/NN_*.ipynb)") from None
    except IsADirectoryError:
        raise NotebookError(f"{p}: is a folder, not a notebook file") from None
    except OSError as err:
        raise NotebookError(f"{p}: cannot be read ({err.strerror or err})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[:err.start].count(b"\n") + 1
        raise NotebookError(f"{p}: not UTF-8 text (byte 0x{raw[err.start]:02x} on line {line}); a notebook is "
                            f"UTF-8 JSON: {RESTORE.format(p=p)}") from None
    if not text.strip():
        raise NotebookError(f"{p}: the file is empty; {RESTORE.format(p=p)}")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise NotebookError(f"{p}: not valid JSON ({err.msg} at line {err.lineno}, column {err.colno}); "
                            f"{RESTORE.format(p=p)}") from None
    check_notebook(data, path)
    from nbformat.v4.rwbase import rejoin_lines, strip_transient

    # as nbformat.read gives it: each source and output text one string
    return strip_transient(rejoin_lines(nbformat.from_dict(data)))


def notebook_text(nb: Mapping) -> str:
    """``nb`` as the series stores it: nbformat's JSON (indent 1, sorted keys, sources as lists
    of lines, UTF-8 characters as they are) with a final newline."""
    from nbformat.v4.nbjson import writes

    text = writes(nbformat.from_dict(copy.deepcopy(dict(nb))))
    return text if text.endswith("\n") else text + "\n"


def write_notebook(nb: Mapping, path: str | os.PathLike) -> None:
    """Write ``nb`` to ``path`` atomically, keeping the file's permission bits.

    The notebook is checked first (:func:`check_notebook`), so nothing is written when it is
    not valid. The text goes to a temporary file in the same folder, is flushed to disk and
    replaces ``path`` in one ``os.replace``: a reader sees the old file or the new one, never
    half of one. An existing file keeps its mode; a new file gets 0o644. A symbolic link is
    followed (the file it points to is replaced, the link stays).

    Raises
    ------
    NotebookError
        If ``nb`` is not a valid notebook or the folder cannot be written.
    """
    path = Path(path)
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    check_notebook(nb, path)
    text = notebook_text(nb)
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mode = NEW_FILE_MODE
    except OSError as err:
        raise NotebookError(f"{_shown(path)}: cannot be written ({err.strerror or err})") from None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".nbio.tmp", dir=target.parent)
    except OSError as err:
        raise NotebookError(f"{_shown(path)}: cannot write into {_shown(target.parent)} "
                            f"({err.strerror or err})") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException as err:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(err, OSError):
            raise NotebookError(f"{_shown(path)}: not written ({err.strerror or err}); the file is "
                                "unchanged") from None
        raise
    try:  # the rename itself reaches the disk (best effort: not every file system allows it)
        dir_fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:
        pass


def kernel_env(quick: bool = False, env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The kernel's environment: ``env`` (default: this process's), with ``CH11_QUICK=1`` in
    quick mode and without ``CH11_QUICK`` in the default mode."""
    out = dict(os.environ if env is None else env)
    if quick:
        out[QUICK_ENV] = "1"
    else:
        out.pop(QUICK_ENV, None)
    return out


def execute_notebook(path: str | os.PathLike, *, quick: bool = False, timeout: int = CELL_TIMEOUT,
                     cwd: str | os.PathLike | None = None, env: Mapping[str, str] | None = None) -> NotebookNode:
    """Run the notebook at ``path`` top to bottom in a clean kernel; return the executed copy.

    Nothing is written: the file is read (:func:`read_notebook`), executed in memory and the
    result returned (write it with :func:`write_notebook`). The kernel is the current
    Python's (its environment and ``PYTHONPATH``), started fresh for this run. No timing
    metadata is recorded, so an executed notebook differs from the committed one only where
    outputs differ.

    Parameters
    ----------
    path : the notebook.
    quick : run in quick mode (``CH11_QUICK=1``); default mode (``CH11_QUICK`` unset) otherwise.
    timeout : seconds allowed per cell (default :data:`CELL_TIMEOUT`).
    cwd : the kernel's working folder (default: the notebook's folder, as in JupyterLab).
    env : the kernel's environment (default: this process's); ``CH11_QUICK`` follows ``quick``.

    Raises
    ------
    NotebookError
        If the file cannot be read (see :func:`read_notebook`).
    NotebookExecutionError
        If a cell raises (and is not tagged ``raises-exception``), runs past ``timeout``, or the
        kernel dies or does not start; the message names the file, the cell and the error, and
        the exception carries the partly executed copy.
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    path = Path(path)
    if not isinstance(timeout, int) or isinstance(timeout, bool) or timeout <= 0:
        raise ValueError(f"timeout={timeout!r}: expected a whole number of seconds per cell, e.g. {CELL_TIMEOUT}")
    nb = read_notebook(path)
    folder = Path(cwd) if cwd is not None else path.resolve().parent
    if not folder.is_dir():
        raise ValueError(f"cwd={str(folder)!r} is not a folder; give the folder the notebook should run in")
    running: list[int] = []
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(folder)}},
                            on_cell_start=lambda cell, cell_index: running.append(cell_index))
    p = _shown(path)
    start = time.perf_counter()

    def failed(what: str) -> NotebookExecutionError:
        at = running[-1] if running else None
        where = f" {cell_label(at)}" if at is not None else ""
        return NotebookExecutionError(f"{p}:{where} {what}", nb, at, time.perf_counter() - start)

    try:
        client.execute(env=kernel_env(quick, env))
    except CellExecutionError as err:
        last = f"{err.ename}: {' '.join(str(err.evalue).split())}" if getattr(err, "ename", "") else \
            (str(err).strip().splitlines() or ["error"])[-1]
        raise failed(f"raised {last[:300]}") from None
    except CellTimeoutError:
        raise failed(f"did not finish within {timeout} s (a stalled kernel, or a cell longer than the "
                     "timeout: raise it with timeout=...)") from None
    except DeadKernelError as err:
        raise failed(f"the kernel died ({' '.join(str(err).split())[:200]}); out of memory?") from None
    except RuntimeError as err:   # the kernel did not start or answer
        raise failed(f"the kernel failed: {' '.join(str(err).split())[:200]}") from None
    return nb
