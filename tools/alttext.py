"""Which figures of the notebooks still lack a Korean alt text.

    python -m tools.alttext [NOTEBOOK ...]   # default: the lessons and notebooks/solutions/*

A code cell whose outputs show images carries its alt texts in the cell metadata, one short Korean
sentence per image output, in output order (``tools.sitekit.ALT_KEY``)::

    "metadata": {"alt": ["잠재 공간 z1, z2에 놓인 시험 이미지 1만 개의 산점도; 숫자마다 다른 색과 모양"]}

JupyterLab: select the cell, open the property inspector (the gear icon on the right), and add the
key under "Cell Metadata". Cell metadata survives re-execution. The site, the decks and the handout
write the texts into ``<img alt>``. Prints one line per cell that lacks them (as tools.nbio names
cells: "cell 12 (the 13th)", counting all cells) and exits 1 if there is any.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tools import sitekit
from tools.sitekit import ROOT, SiteError


def series_notebooks(root: Path = ROOT) -> list[Path]:
    """The lessons and their solution notebooks."""
    return sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb")) + \
        sorted((root / "notebooks" / "solutions").glob("*.ipynb"))


def missing(path: Path) -> list[str]:
    """One line per cell of ``path`` whose images lack alt texts (see ``sitekit.alt_problems``)."""
    nb = sitekit.load_notebook(path)
    name = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)
    lines = []
    for i, images, what in sitekit.alt_problems(nb):
        first = sitekit.source(nb["cells"][i]).strip().splitlines()
        code = first[0][:60] if first else ""
        lines.append(f"{name} {sitekit.cell_label(i)}: {images} image(s), {what}  [{code}]")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.alttext", description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks (default: lessons and solutions)")
    args = parser.parse_args(argv)
    try:
        paths = sitekit.notebook_args(args.notebooks) or series_notebooks()
        lines = [line for p in paths for line in missing(p)]
    except SiteError as exc:
        print(f"alttext: {exc}", file=sys.stderr)
        return 1
    for line in lines:
        print(line)
    images = sum(int(line.split("): ", 1)[1].split(" ", 1)[0]) for line in lines)
    print(f"alttext: {len(lines)} cell(s) with {images} image(s) to describe in {len(paths)} notebook(s)"
          if lines else f"alttext: every figure of {len(paths)} notebook(s) has its alt text")
    return 1 if lines else 0


if __name__ == "__main__":
    sys.exit(main())
