"""Slides from the notebooks: per-cell slide metadata, and one reveal.js deck per notebook.

    python -m tools.slides annotate [NOTEBOOK ...]   # write metadata.slideshow.slide_type (all notebooks by default)
    python -m tools.slides check    [NOTEBOOK ...]   # exit 1 if annotate would change anything
    python -m tools.slides build    [--out build/site] [NOTEBOOK ...]   # make slides: decks into OUT/slides/

``annotate`` gives every cell a ``metadata.slideshow.slide_type`` by one rule, in the cells' order:

1. the title cell (the first cell) starts a slide;
2. the ``# Colab setup`` code cell is skipped (it does nothing outside Colab);
3. a markdown cell that begins with a ``#`` or ``##`` heading starts a slide, one that begins with
   a ``###`` (or deeper) heading starts a sub-slide;
4. any other cell continues the current (sub-)slide (``-``), unless it would overflow it: each cell
   has an estimated height in lines (``cell_lines``: text lines wrapped at ``WRAP_COLUMNS`` columns, a
   Hangul syllable counting two; code lines; stored text output lines, at most ``MAX_OUTPUT_LINES``;
   each image by its pixel height), and a cell that would take the current (sub-)slide past
   ``SLIDE_LINES`` starts a new sub-slide instead. A cell taller than a whole slide therefore
   gets a sub-slide of its own (long outputs are split off), and scrolls there.

A slide type set by hand is kept: annotate records what it assigned in the notebook's metadata
(``metadata.ch11_slides``), so a cell whose slide type differs from that record (or that had
one before annotate ever ran) was set by a person and is left alone; ``fragment`` and ``notes``
are only ever set by hand. Cell contents are never changed. Running annotate twice changes nothing.

A deck is built from the notebook as committed; cells that have no slide type yet get the rule's
type in memory (annotate writes them into the notebook, where a person can then change them).
The decks follow the lecture's order (the notebooks' NN_ order); they use a local reveal.js copy
(``tools.sitekit`` assets) and ``navigationMode: "linear"``, so the right arrow steps through every
slide and sub-slide. ``build --out`` follows the site's rule (``tools.sitekit.check_out``): a new or
empty folder, or an earlier site; the decks go into its ``slides/``.
"""

from __future__ import annotations

import argparse
import base64
import math
import re
import shutil
import struct
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

from tools import course, sitekit
from tools.sitekit import SiteError

ROOT = Path(__file__).resolve().parent.parent
SLIDE_TYPES = ("slide", "subslide", "fragment", "skip", "notes", "-")
AUTO_KEY = "ch11_slides"   # notebook metadata: {"auto": {cell id: slide type annotate gave it}}
DECK_WIDTH, DECK_HEIGHT = 1280, 800   # reveal.js canvas (scaled to the screen)
SLIDE_LINES = 24           # lines of text that fit one slide of the canvas at the decks' font sizes
WRAP_COLUMNS = 90          # columns of a text line on the canvas (a Hangul syllable takes two)
MAX_OUTPUT_LINES = 12      # a stored text output counts at most this much (it scrolls beyond)
LINE_PX = 30               # pixel height of one line on the canvas
IMAGE_MAX_PX = 440         # deck.css caps an output image's height at this


def _src(cell: dict) -> str:
    s = cell.get("source", "")
    return "".join(s) if isinstance(s, list) else s


def _columns(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


def _text_lines(text: str, cap: int | None = None) -> float:
    n = 0.0
    for line in text.splitlines():
        n += 0.5 if not line.strip() else max(1, math.ceil(_columns(line) / WRAP_COLUMNS))
    return min(n, cap) if cap is not None else n


def _png_height(b64: str) -> int | None:
    try:
        head = base64.b64decode(b64[:64])
    except (ValueError, TypeError):
        return None
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    width, height = struct.unpack(">II", head[16:24])
    return height if width <= DECK_WIDTH else round(height * DECK_WIDTH / width)


def cell_lines(cell: dict) -> float:
    """A cell's estimated height on a slide, in text lines (see the module's rule 4)."""
    if cell["cell_type"] != "code":
        return _text_lines(_src(cell))
    n = _text_lines(_src(cell)) + 0.5
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            n += _text_lines(_src({"source": out.get("text", "")}), MAX_OUTPUT_LINES)
            continue
        data = out.get("data", {})
        if "image/png" in data:
            b64 = data["image/png"]
            height = _png_height("".join(b64) if isinstance(b64, list) else b64) or IMAGE_MAX_PX
            n += min(height, IMAGE_MAX_PX) / LINE_PX
        elif "application/vnd.jupyter.widget-view+json" in data or "image/svg+xml" in data:
            n += IMAGE_MAX_PX / LINE_PX
        elif "text/html" in data or "text/plain" in data or "text/markdown" in data:
            text = data.get("text/plain") or data.get("text/markdown") or data.get("text/html")
            n += _text_lines("".join(text) if isinstance(text, list) else text, MAX_OUTPUT_LINES)
    return n


def heading_level(cell: dict) -> int:
    """The level of the heading a markdown cell begins with (1 for '#'), 0 if none."""
    if cell["cell_type"] != "markdown":
        return 0
    m = re.match(r"\s*(#{1,6})\s", _src(cell))
    return len(m.group(1)) if m else 0


def rule_types(cells: list[dict]) -> list[str]:
    """The slide type of each cell by the module's rule (ignoring what is set by hand)."""
    types = []
    used = 0.0
    for i, cell in enumerate(cells):
        lines = cell_lines(cell)
        level = heading_level(cell)
        if i == 0 or level in (1, 2):
            kind = "slide"
        elif cell["cell_type"] == "code" and _src(cell).startswith(course.SETUP_MARKER):
            types.append("skip")
            continue
        elif level >= 3:
            kind = "subslide"
        elif used > 0 and used + lines > SLIDE_LINES:
            kind = "subslide"
        else:
            kind = "-"
        used = lines if kind in ("slide", "subslide") else used + lines
        types.append(kind)
    return types


def annotate_notebook(nb: dict) -> list[str]:
    """Give every cell of ``nb`` a slide type in place (the module's rule; hand-set types kept).

    Returns a description of each change ('cell 5: - -> subslide').
    """
    cells = nb["cells"]
    if not cells:
        return []
    record = nb.setdefault("metadata", {}).get(AUTO_KEY, {}).get("auto", {})
    rule = rule_types(cells)
    new_record = {}
    changes = []
    for i, (cell, kind) in enumerate(zip(cells, rule)):
        cid = cell.get("id")
        if not isinstance(cid, str):
            raise ValueError(f"{sitekit.cell_label(i)} has no id: run `python -m tools.course sync` first (nbformat 4.5 ids)")
        show = cell.setdefault("metadata", {}).get("slideshow") or {}
        current = show.get("slide_type")
        if current is not None and current not in SLIDE_TYPES:
            raise ValueError(f"{sitekit.cell_label(i)}, id {cid}, has slide_type {current!r}; expected one of {SLIDE_TYPES}")
        by_hand = current is not None and record.get(cid) != current
        if by_hand:
            continue
        new_record[cid] = kind
        if current != kind:
            cell["metadata"]["slideshow"] = {**show, "slide_type": kind}
            changes.append(f"{sitekit.cell_label(i)}: {current or 'none'} -> {kind}")
    if nb["metadata"].get(AUTO_KEY) != {"auto": new_record}:
        nb["metadata"][AUTO_KEY] = {"auto": new_record}
        if not changes:
            changes.append("record of the assigned slide types")
    return changes


def annotate(paths: list[Path], write: bool = True) -> list[str]:
    """Annotate the notebooks ``paths``; what changed (or would change), one line per notebook.

    Notebooks are read and written by ``tools.nbio`` (a damaged file is named with its cell; the
    write is atomic and keeps the file's permission bits).
    """
    report = []
    for p in paths:
        nb = sitekit.load_notebook(p)
        try:
            changes = annotate_notebook(nb)
        except ValueError as exc:
            raise ValueError(f"{p.name}: {exc}") from None
        if changes:
            slides = sum(1 for c in nb["cells"] if c["metadata"]["slideshow"]["slide_type"] in ("slide", "subslide"))
            report.append(f"{p.name}: {len(changes)} change(s), {slides} slides and sub-slides")
            if write:
                sitekit.write_notebook(nb, p)
    return report


# --- decks ------------------------------------------------------------------------------------------

def render_deck(path: Path, exporter=None, media: dict[str, Path] | None = None) -> str:
    """One notebook as a reveal.js deck (template tools/site_templates/deck)."""
    nb, info = sitekit.prepare(path, "deck", media)
    for i, cell in enumerate(nb.cells):
        cell.setdefault("id", f"cell-{i + 1}")   # in memory only (nbformat < 4.5 has no ids)
    try:
        annotate_notebook(nb)   # in memory: cells annotate has not seen yet get the rule's type
    except ValueError as exc:
        raise SiteError(f"{path.name}: {exc}") from None
    return sitekit.export(nb, info, "deck", {"assets": "../assets", "width": DECK_WIDTH, "height": DECK_HEIGHT},
                          exporter or sitekit.make_exporter("deck"))


def render_decks(paths: list[Path], media: dict[str, Path] | None = None) -> dict[str, str]:
    """Every notebook's deck (file name -> HTML), in memory; the local images they show go into ``media``."""
    exporter = sitekit.make_exporter("deck")
    return {f"{p.stem}.slides.html": render_deck(p, exporter, media) for p in paths}


def build_decks(site_dir: Path, paths: list[Path], media: dict[str, Path] | None = None,
                decks: dict[str, str] | None = None) -> None:
    """Write ``site_dir/slides/NN_name.slides.html`` for every notebook (``site_dir/assets`` must exist);
    the local images they show are recorded in ``media`` (``sitekit.copy_media`` copies them).
    ``decks`` gives them already rendered (``render_decks``)."""
    decks = decks if decks is not None else render_decks(paths, media)
    tmp = Path(tempfile.mkdtemp(prefix=".slides.tmp-", dir=site_dir))
    tmp.chmod(0o755)
    try:
        for name, html in decks.items():
            (tmp / name).write_text(html, encoding="utf-8")
        sitekit.swap_in(tmp, site_dir / "slides")
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def build(out: Path = sitekit.DEFAULT_OUT, paths: list[Path] | None = None) -> None:
    """make slides: the decks into ``out/slides`` (and the assets they need into ``out/assets``).

    ``out`` must be new, empty or an earlier site (``sitekit.check_out``); it is marked as a site.
    Every notebook is read, checked and rendered before ``out`` is touched.
    """
    paths = list(paths) if paths is not None else course.notebooks(ROOT)
    out = sitekit.check_out(out, "site")
    media: dict[str, Path] = {}
    decks = render_decks(paths, media)
    out.mkdir(parents=True, exist_ok=True)
    if sitekit.read_marker(out) is None:
        sitekit.write_marker(out, "site", notebooks=[p.name for p in paths], slides=True)
    build_decks(out, paths, media, decks)
    sitekit.install_assets(out / "assets")
    sitekit.copy_media(media, out)
    problems = sitekit.find_external_resources(out / "slides")
    if problems:
        raise SiteError("the decks would fetch files from other hosts:\n  " + "\n  ".join(problems[:20]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.slides", description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["annotate", "check", "build"])
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks (default: notebooks/NN_*.ipynb)")
    parser.add_argument("--out", type=Path, default=sitekit.DEFAULT_OUT, help="the site's folder (default build/site)")
    args = parser.parse_intermixed_args(argv)
    try:
        paths = sitekit.notebook_args(args.notebooks) or course.notebooks(ROOT)
        if args.command == "build":
            start = time.perf_counter()
            build(args.out, paths)
            print(f"slides: {args.out / 'slides'} built in {time.perf_counter() - start:.1f} s")
            return 0
        report = annotate(paths, write=args.command == "annotate")
    except (SiteError, ValueError) as exc:
        print(f"slides: {exc}", file=sys.stderr)
        return 1
    for line in report:
        print(("annotated " if args.command == "annotate" else "out of step: ") + line)
    return 1 if (report and args.command == "check") else 0


if __name__ == "__main__":
    sys.exit(main())
