"""The printable handout: one PDF per lesson and one for the series, printed from the site's pages.

    python -m tools.handout [--site build/site] [--out build/handout]   # make handout

The site's notebook pages are opened in headless Chromium (Playwright, the system browser at
``/usr/bin/chromium`` or ``$CHROMIUM_PATH``; no browser is ever downloaded), served from
127.0.0.1 with every request to another host refused, so the handout is made offline. Each page
is printed once its Korean web font is loaded, its formulas typeset by KaTeX, its widgets drawn
and every slider turned into a small grid of frames (``assets/ch11/print-frames.js``); the print
style (``assets/ch11/print.css``) sets A4, wraps long code lines and keeps figures, formulas and
tables from being cut across two pages. What it writes into ``--out`` (refused unless it is new,
empty or an earlier handout, see ``tools.sitekit.check_out``):

    NN_name.pdf        one per lesson: the page as printed, its title and page numbers in the footer
    ch11_handout.pdf   the series: the index page (the lessons' table) then every lesson, in order
    handout.json       the page count of each file and the sliders printed as frame grids per lesson

``--site`` names a site built by ``make site``; when it is missing or was built from other notebooks
or other site sources (its marker's fingerprint differs), the pages are built afresh into a
temporary folder (``tools.site``, without the decks). The series file joins the PDFs with
``pdfunite`` (poppler-utils; the page counts come from ``pdfinfo``).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator
from urllib.parse import urlparse

from tools import course, site, sitekit
from tools.sitekit import ROOT, SiteError

DEFAULT_OUT = ROOT / "build" / "handout"
SERIES_NAME = "ch11_handout.pdf"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LOAD_TIMEOUT_MS = 120_000
MARGIN = {"top": "13mm", "bottom": "15mm", "left": "12mm", "right": "12mm"}
FOOTER = ('<div style="width:100%; font-size:8px; color:#444; padding:0 12mm; display:flex; '
          'font-family:\'Nanum Gothic\', sans-serif;"><span style="flex:1">{title}</span>'
          '<span><span class="pageNumber"></span> / <span class="totalPages"></span></span></div>')


def chromium_path() -> str:
    """The Chromium to print with: $CHROMIUM_PATH or /usr/bin/chromium; SiteError saying how to get one."""
    path = os.environ.get("CHROMIUM_PATH") or DEFAULT_CHROMIUM
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        raise SiteError(f"no Chromium at {path}: install the system browser (Debian/Ubuntu: `sudo apt-get "
                        "install chromium`) or set CHROMIUM_PATH; the handout never downloads a browser")
    return path


def poppler(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        raise SiteError(f"`{tool}` is not installed: install poppler-utils (Debian/Ubuntu: `sudo apt-get "
                        "install poppler-utils`)")
    return found


def page_count(pdf: Path) -> int:
    """The number of pages of ``pdf`` (pdfinfo)."""
    done = subprocess.run([poppler("pdfinfo"), str(pdf)], capture_output=True, text=True, timeout=60)
    m = re.search(r"^Pages:\s+(\d+)", done.stdout, re.MULTILINE)
    if done.returncode != 0 or not m:
        raise SiteError(f"{pdf.name}: pdfinfo could not read it ({done.stderr.strip()[-200:]})")
    return int(m.group(1))


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args) -> None:  # noqa: A002 - the base class's signature
        pass


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """A static HTTP server for ``folder`` on 127.0.0.1 (a free port); its base URL."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


def usable_site(folder: Path | None, paths: list[Path]) -> bool:
    """True when ``folder`` holds pages built from exactly these notebooks and the current site sources."""
    if folder is None or not (folder / "index.html").is_file():
        return False
    marker = sitekit.read_marker(folder)
    return bool(marker) and marker.get("kind") == "site" and marker.get("fingerprint") == sitekit.fingerprint(paths)


def print_page(browser, base: str, path: str, pdf: Path, title: str) -> tuple[list[str], int, int]:
    """Print the site page ``path`` to ``pdf`` once it is fully drawn.

    Returns the problems seen while loading, the number of frame explorers on the page and the
    number printed as a grid of frames.
    """
    context = browser.new_context(viewport={"width": 1100, "height": 1400})
    page = context.new_page()
    problems: list[str] = []
    origin = urlparse(base).netloc

    def route(r) -> None:
        if urlparse(r.request.url).netloc == origin or r.request.url.startswith("data:"):
            r.continue_()
        else:
            problems.append(f"refused a request to another host: {r.request.url[:120]}")
            r.abort()

    page.route("**/*", route)
    page.on("pageerror", lambda e: problems.append(f"uncaught exception: {str(e)[:200]}"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url[:120]}") if r.status >= 400 else None)
    from playwright.sync_api import Error as PlaywrightError

    try:
        page.goto(base + path, wait_until="load", timeout=LOAD_TIMEOUT_MS)
        page.wait_for_function(sitekit.ready_js(), timeout=LOAD_TIMEOUT_MS)
        page.evaluate("document.fonts.ready.then(() => true)")
        if page.evaluate("document.querySelectorAll('script[type=\"application/vnd.jupyter.widget-state+json\"]').length"):
            page.wait_for_selector(".jupyter-widgets .widget-slider, .jupyter-widgets .widget-output",
                                   state="attached", timeout=LOAD_TIMEOUT_MS)
        grids = page.evaluate("window.ch11PrintFrames ? window.ch11PrintFrames() : 0")
        explorers = page.evaluate("document.querySelectorAll('[data-ch11-frames]').length")
        page.emulate_media(media="print")
        page.evaluate("document.fonts.ready.then(() => true)")
        tmp = pdf.with_name(f".{pdf.name}.tmp")
        page.pdf(path=str(tmp), format="A4", print_background=True, margin=MARGIN, display_header_footer=True,
                 header_template="<div></div>", footer_template=FOOTER.format(title=title_html(title)))
        os.replace(tmp, pdf)
    except PlaywrightError as exc:
        raise SiteError(f"{path} could not be printed: {str(exc).splitlines()[0][:300]}"
                        + ("".join(f"\n  {p}" for p in problems[:10]))) from None
    finally:
        context.close()
    return problems, explorers, grids


def title_html(title: str) -> str:
    import html

    return html.escape(title)


def build(out: Path = DEFAULT_OUT, site_dir: Path | None = sitekit.DEFAULT_OUT,
          paths: list[Path] | None = None) -> dict:
    """Write the handout into ``out``; {file name: page count} plus the seconds each part took."""
    paths = list(paths) if paths is not None else course.notebooks(ROOT)
    out = sitekit.check_out(out, "handout")
    chromium = chromium_path()
    poppler("pdfunite")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    tmp.chmod(0o755)
    built_site = None
    times: dict[str, float] = {}
    try:
        t0 = time.perf_counter()
        if usable_site(site_dir, paths):
            pages = Path(site_dir)
        else:
            built_site = Path(tempfile.mkdtemp(prefix=".handout-site-", dir=out.parent))
            pages = built_site / "site"
            site.build(pages, with_slides=False, paths=paths)
        times["site"] = time.perf_counter() - t0
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            raise SiteError("the Python package `playwright` is not installed: `pip install playwright` (or the "
                            "test extras, `pip install -e '.[test]'`); the handout uses the system Chromium and "
                            "never downloads a browser") from None

        t0 = time.perf_counter()
        counts: dict[str, int] = {}
        grids: dict[str, int] = {}
        with serve(pages) as base, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            try:
                titles = {p.name: course.title_info(sitekit.load_notebook(p), p.name)["title"] for p in paths}
                cover = tmp / ".cover.pdf"
                problems, _, _ = print_page(browser, base, "index.html", cover, "11장 오토인코더와 변분 오토인코더")
                for p in paths:
                    pdf = tmp / f"{p.stem}.pdf"
                    seen, explorers, printed = print_page(browser, base, f"notebooks/{p.stem}.html", pdf, titles[p.name])
                    problems += seen
                    if printed != explorers:
                        problems.append(f"{p.stem}: {explorers} frame explorer(s), {printed} printed as frames")
                    grids[pdf.name] = printed
                    counts[pdf.name] = page_count(pdf)
            finally:
                browser.close()
        if problems:
            raise SiteError("the pages did not load cleanly for printing:\n  " + "\n  ".join(problems[:20]))
        times["print"] = time.perf_counter() - t0
        series = tmp / SERIES_NAME
        done = subprocess.run([poppler("pdfunite"), str(cover)] + [str(tmp / name) for name in counts] + [str(series)],
                              capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            raise SiteError(f"pdfunite could not join the lessons: {done.stderr.strip()[-300:]}")
        cover.unlink()
        counts[SERIES_NAME] = page_count(series)
        (tmp / "handout.json").write_text(json.dumps({"pages": counts, "frame_grids": grids}, indent=1,
                                                     ensure_ascii=False) + "\n", encoding="utf-8")
        sitekit.write_marker(tmp, "handout", notebooks=[p.name for p in paths])
        sitekit.swap_in(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        if built_site is not None:
            shutil.rmtree(built_site, ignore_errors=True)
    return {"pages": counts, "frame_grids": grids, "times": times}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.handout", description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks (default: notebooks/NN_*.ipynb)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="the handout's folder (default build/handout)")
    parser.add_argument("--site", type=Path, default=sitekit.DEFAULT_OUT,
                        help="a site built by `make site` to print from (default build/site; built afresh "
                             "when missing or out of date)")
    args = parser.parse_intermixed_args(argv)
    start = time.perf_counter()
    try:
        result = build(args.out, args.site, sitekit.notebook_args(args.notebooks))
    except (SiteError, ValueError) as exc:
        print(f"handout: {exc}", file=sys.stderr)
        return 1
    pages = ", ".join(f"{name} {n}" for name, n in result["pages"].items())
    grids = sum(result["frame_grids"].values())
    parts = ", ".join(f"{k} {v:.1f} s" for k, v in result["times"].items())
    print(f"handout: {args.out} written in {time.perf_counter() - start:.1f} s ({parts}); pages: {pages}; "
          f"{grids} slider group(s) printed as frame grids")
    return 0


if __name__ == "__main__":
    sys.exit(main())
