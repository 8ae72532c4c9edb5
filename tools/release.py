"""Build the student release: a folder and a zip a lecturer hands out, without solutions or grader code.

    python -m tools.release OUT          # writes OUT/ch11-student/ and OUT/ch11-student.zip
    make student-release [OUT=build/student]

What goes in: the lessons ``notebooks/01_*.ipynb`` .. ``06_*.ipynb`` as committed (executed, with
outputs), the ``utils`` package and the ``exercises`` package (the public checkers the lessons call), the
files that install it and prepare the data (``pyproject.toml``, ``environment.yml``,
``tools/ensure_venv.sh`` and a small Makefile with ``make lab`` and ``make data``), ``LICENSE`` and a
README for students (``tools/release_readme.md``). What stays out: ``notebooks/solutions``, ``tests``,
``benchmarks``, every other tool (the batch grader and its hidden inputs among them), the site and
deck templates, CI files.

``OUT/ch11-student`` is written anew only when it is missing or was written by this command (its
marker file); anything else is refused, so no file the command did not write is replaced.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAME = "ch11-student"
MARKER = ".ch11-student-release"
LESSONS = ("01", "02", "03", "04", "05", "06")
COPIED_FILES = ("pyproject.toml", "environment.yml", "LICENSE", "tools/ensure_venv.sh")
README = Path(__file__).with_name("release_readme.md")

MAKEFILE = """\
# The student release's two commands (Python 3.11 or newer):
#   make lab    create .venv, install the lessons' packages and JupyterLab, prepare MNIST, open JupyterLab
#   make data   prepare the data only (MNIST and Fashion-MNIST, into ~/.cache/ch11-autoencoders)
# PYTHON=python3.12 chooses the interpreter for .venv; VENV=folder moves it.

PYTHON ?=
VENV   ?= .venv
BIN    := $(VENV)/bin
ENSURE := PYTHON="$(PYTHON)" VENV="$(VENV)" GOALS="$(MAKECMDGOALS)" bash tools/ensure_venv.sh

.PHONY: lab data venv-lab

venv-lab:
\t@$(ENSURE) lab

data: venv-lab
\t$(BIN)/python -c "from utils.data import load_arrays; load_arrays('mnist'); load_arrays('fashion_mnist')"

lab: venv-lab
\t$(BIN)/python -c "from utils.data import load_arrays; load_arrays('mnist')"
\t$(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" --ServerApp.default_url=/lab/tree/notebooks \\
\t\t$(if $(filter 0,$(shell id -u)),--allow-root)
"""


def release_files(root: Path = ROOT) -> list[tuple[Path, str]]:
    """(source file, path inside the release) for everything the release holds, except the written ones."""
    files = []
    for number in LESSONS:
        matches = sorted((root / "notebooks").glob(f"{number}_*.ipynb"))
        if len(matches) != 1:
            raise FileNotFoundError(f"{root / 'notebooks'}: expected one lesson {number}_*.ipynb, found {len(matches)}")
        files.append((matches[0], f"notebooks/{matches[0].name}"))
    for path in sorted(p for package in ("utils", "exercises") for p in (root / package).rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".pyc", ".pyo"):
            files.append((path, path.relative_to(root).as_posix()))
    for name in COPIED_FILES:
        if (root / name).is_file():
            files.append((root / name, name))
    return files


def _prepare(folder: Path) -> None:
    if folder.exists():
        if not folder.is_dir():
            raise ValueError(f"{folder} is a file; give OUT, the folder to write {NAME}/ into")
        if any(folder.iterdir()) and not (folder / MARKER).exists():
            raise ValueError(f"{folder} holds files this command did not write (no {MARKER}); remove it or give "
                             "another OUT")
        shutil.rmtree(folder)


def build_student_release(out: Path, root: Path = ROOT) -> tuple[Path, Path]:
    """Write ``out/ch11-student/`` and ``out/ch11-student.zip``; return their paths."""
    out = out.resolve()
    if out == root.resolve() or out in root.resolve().parents:
        raise ValueError(f"OUT={out} is the repository or one of its parents; give a folder of its own, e.g. "
                         "build/student")
    folder, archive = out / NAME, out / f"{NAME}.zip"
    if archive.exists() and not (folder / MARKER).exists():
        raise ValueError(f"{archive} exists and was not written by this command; move it away or give another OUT")
    files = release_files(root)
    _prepare(folder)
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{NAME}.", dir=out))
    try:
        for source, target in files:
            dest = staging / target
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest)
        (staging / "README.md").write_text(README.read_text(encoding="utf-8"), encoding="utf-8")
        (staging / "Makefile").write_text(MAKEFILE, encoding="utf-8")
        (staging / MARKER).write_text("written by python -m tools.release; replaced on the next run\n",
                                      encoding="utf-8")
        os.replace(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    tmp_zip = out / f".{NAME}.zip.tmp"
    with zipfile.ZipFile(tmp_zip, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.name != MARKER:
                info = zipfile.ZipInfo(f"{NAME}/{path.relative_to(folder).as_posix()}", date_time=(2026, 1, 1, 0, 0, 0))
                info.external_attr = (0o755 if os.access(path, os.X_OK) else 0o644) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                z.writestr(info, path.read_bytes())
    os.replace(tmp_zip, archive)
    return folder, archive


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.release", description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, nargs="?", default=ROOT / "build" / "student",
                        help="folder to write ch11-student/ and ch11-student.zip into (default build/student)")
    args = parser.parse_args(argv)
    try:
        folder, archive = build_student_release(args.out)
    except (ValueError, FileNotFoundError) as error:
        print(f"student release: {error}", file=sys.stderr)
        return 2
    count = sum(1 for p in folder.rglob("*") if p.is_file()) - 1
    print(f"student release: {folder} ({count} files) and {archive} ({archive.stat().st_size / 2**20:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
