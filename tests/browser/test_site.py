"""The static website and the reveal.js decks (tools.site, tools.slides), opened in headless Chromium.

The site is built from the committed notebooks into a temporary folder (``CH11_SITE_DIR`` names an
already built site instead, e.g. ``build/site`` after ``make site``) and served by a local HTTP
server on 127.0.0.1. Every request to any other host is refused and reported, so the test proves
the pages work offline. For the index, every notebook page and every deck it checks:

* no console error, no uncaught exception, no failed request, no HTTP error;
* every image loaded (natural width > 0) and every link to a page of the site answers 200;
* Korean text is set in the site's web font: Nanum Gothic is the computed font family of a Hangul
  text node, its @font-face files were fetched from assets/nanum-gothic, ``document.fonts.check``
  holds for Hangul, and a Hangul string in that font has a non-zero width;
* math: KaTeX output (``.katex``) on every notebook page and deck, no ``.katex-error`` and no unknown
  command (drawn in render-math.js's error colour);
* the stored widget state is drawn (sliders) on the pages and decks of notebooks that store one;
* in each deck the right arrow key moves to the next slide.

Screenshots: ``site_index.png`` (the index) and ``slides_04.png`` (a slide of deck 04 with a
figure) into ``CH11_SCREENSHOT_DIR`` (default ``build/screenshots``; ``make screenshots`` writes
``tests/browser/screenshots``).

    .venv/bin/python -m pytest tests/browser/test_site.py -s
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator
from urllib.parse import urljoin, urlparse

import pytest

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("CH11_SCREENSHOT_DIR", REPO / "build" / "screenshots"))
VIEWPORT = {"width": 1280, "height": 800}
NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
FONT_FAMILY = "Nanum Gothic"
LOAD_TIMEOUT_MS = 60_000

# What the page shows about its Korean text, its math and its images, read after fonts and math are done.
PAGE_STATE_JS = """
async (family) => {
  await document.fonts.ready;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {
    acceptNode: (n) => /[\\uac00-\\ud7a3]/.test(n.nodeValue) && n.parentElement.offsetParent !== null
      ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_SKIP});
  const node = walker.nextNode();
  const el = node ? node.parentElement : null;
  const hangul = node ? node.nodeValue.match(/[\\uac00-\\ud7a3]+/)[0] : '';
  let width = 0;
  if (hangul) {
    const probe = document.createElement('span');
    probe.textContent = hangul;
    probe.style.cssText = `font-family: "${family}"; font-size: 20px; position: absolute; white-space: nowrap;`;
    document.body.appendChild(probe);
    width = probe.getBoundingClientRect().width;
    probe.remove();
  }
  const faces = [...document.fonts].filter(f => f.family.replace(/["']/g, '') === family);
  const images = [...document.images].map(img => ({src: img.currentSrc.slice(0, 80), ok: img.complete && img.naturalWidth > 0}));
  return {
    hangul_text: hangul.slice(0, 20),
    font_family: el ? getComputedStyle(el).fontFamily : null,
    hangul_width: width,
    fonts_check: hangul ? document.fonts.check(`20px "${family}"`, hangul) : false,
    faces_loaded: faces.filter(f => f.status === 'loaded').length,
    math_done: document.documentElement.dataset.math === 'done',
    katex: document.querySelectorAll('.katex').length,
    // a formula KaTeX cannot parse (.katex-error), or an unknown command drawn in render-math.js's errorColor
    katex_errors: [...document.querySelectorAll('.katex-error, .katex mstyle[mathcolor="#cc0000"]')]
      .map(e => e.textContent.slice(0, 80)),
    images: images,
    links: [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href')),
    widget_scripts: document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]').length,
    sliders: document.querySelectorAll('.jupyter-widgets .widget-slider').length,
    widget_errors: [...document.querySelectorAll('.jupyter-widgets')].map(e => e.textContent)
      .filter(t => /Error displaying widget|Failed to (load|create)/.test(t)).map(t => t.slice(0, 120)),
  };
}
"""


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args) -> None:  # noqa: A002 - the base class's signature
        pass


@pytest.fixture(scope="module")
def site_dir(browser_requirements: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built site: $CH11_SITE_DIR, or a fresh build of the committed notebooks (tools.site)."""
    given = os.environ.get("CH11_SITE_DIR")
    if given:
        path = Path(given).resolve()
        if not (path / "index.html").is_file():
            pytest.fail(f"CH11_SITE_DIR={given!r} holds no index.html: run `make site` first", pytrace=False)
        return path
    from conftest import skip_or_fail
    from tools import site, sitekit

    out = tmp_path_factory.mktemp("site") / "site"
    try:
        times = site.build(out)
    except site.AssetsUnavailable as exc:   # no npm and nothing cached: like a missing browser
        skip_or_fail(f"the site cannot be built here: {exc}", "install npm (or fill build/cache/npm) and run again")
    print("\n[site] built in " + ", ".join(f"{k} {v:.1f} s" for k, v in times.items()), flush=True)
    return out


@pytest.fixture(scope="module")
def server(site_dir: Path) -> Iterator[str]:
    """A static HTTP server for the site on 127.0.0.1 (a free port); its base URL."""
    handler = functools.partial(QuietHandler, directory=str(site_dir))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


@dataclass
class Visit:
    """A page opened in the browser and everything that went wrong while it loaded."""

    page: object
    url: str
    problems: list[str] = field(default_factory=list)
    font_files: list[str] = field(default_factory=list)


def open_page(browser, base: str, path: str) -> Visit:
    """Open ``base + path`` in a fresh context; requests to other hosts are refused and reported."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    visit = Visit(page, urljoin(base, path))
    origin = urlparse(base).netloc

    def route(r) -> None:
        if urlparse(r.request.url).netloc == origin or r.request.url.startswith("data:"):
            r.continue_()
        else:
            visit.problems.append(f"request to another host: {r.request.url[:120]}")
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: visit.problems.append(f"console {m.type}: {m.text[:200]}")
            if m.type == "error" else None)
    page.on("pageerror", lambda e: visit.problems.append(f"uncaught exception: {str(e)[:200]}"))
    page.on("requestfailed", lambda r: visit.problems.append(
        f"request failed: {r.url[:120]} ({r.failure})") if urlparse(r.url).netloc == origin else None)

    def response(r) -> None:
        if r.status >= 400:
            visit.problems.append(f"HTTP {r.status}: {r.url[:120]}")
        elif "/assets/nanum-gothic/files/" in r.url:
            visit.font_files.append(r.url.rsplit("/", 1)[-1])

    page.on("response", response)
    page.goto(visit.url, wait_until="load", timeout=LOAD_TIMEOUT_MS)
    return visit


def screenshot(page, name: str, full_page: bool = False) -> None:
    """Save a screenshot as SCREENSHOTS/name (through a temporary file, so a failure leaves the old one)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tmp = SCREENSHOTS / name.replace(".png", ".tmp.png")
    page.screenshot(path=str(tmp), full_page=full_page)
    os.replace(tmp, SCREENSHOTS / name)


def page_state(visit: Visit) -> dict:
    visit.page.wait_for_function("document.documentElement.dataset.math === 'done'", timeout=LOAD_TIMEOUT_MS)
    return visit.page.evaluate(PAGE_STATE_JS, FONT_FAMILY)


def check_common(visit: Visit, state: dict, base: str) -> list[str]:
    """What is wrong with a loaded page: requests, console, images, links, Korean font, math errors."""
    problems = list(visit.problems)
    problems += [f"image not loaded: {img['src']}" for img in state["images"] if not img["ok"]]
    for href in state["links"]:
        url = urljoin(visit.url, href)
        if urlparse(url).netloc != urlparse(base).netloc or href.startswith("#"):
            continue
        status = visit.page.request.get(url.split("#")[0]).status
        if status != 200:
            problems.append(f"broken link {href} (HTTP {status})")
    if not state["hangul_text"]:
        problems.append("no visible Korean text found")
    else:
        if not (state["font_family"] or "").replace('"', "").startswith(FONT_FAMILY):
            problems.append(f"Korean text {state['hangul_text']!r} is set in {state['font_family']!r}, "
                            f"not {FONT_FAMILY}")
        if not state["fonts_check"] or state["faces_loaded"] == 0 or not visit.font_files:
            problems.append(f"the {FONT_FAMILY} web font is not loaded for Korean text (check "
                            f"{state['fonts_check']}, faces loaded {state['faces_loaded']}, "
                            f"font files fetched {len(visit.font_files)})")
        if state["hangul_width"] <= 0:
            problems.append(f"Korean text {state['hangul_text']!r} has zero width in {FONT_FAMILY}")
    problems += [f"KaTeX could not typeset: {e}" for e in state["katex_errors"]]
    if not state["math_done"]:
        problems.append("render-math.js did not finish")
    return problems


def test_no_external_resources_in_output(site_dir: Path) -> None:
    from tools import site, sitekit

    assert sitekit.find_external_resources(site_dir) == []
    for nb in NOTEBOOKS:
        assert (site_dir / "notebooks" / f"{nb.stem}.html").is_file(), f"no page for {nb.name}"
        assert (site_dir / "slides" / f"{nb.stem}.slides.html").is_file(), f"no deck for {nb.name}"


def test_index(chromium, server: str) -> None:
    visit = open_page(chromium, server, "index.html")
    try:
        state = page_state(visit)
        problems = check_common(visit, state, server)
        assert visit.page.evaluate("document.documentElement.lang") == "ko"
        rows = visit.page.locator("table tbody tr").count()
        pages = [h for h in state["links"] if re.fullmatch(r"notebooks/\d\d_\w+\.html", h)]
        decks = [h for h in state["links"] if re.fullmatch(r"slides/\d\d_\w+\.slides\.html", h)]
        badges = visit.page.locator("td.ch11-open img").count()
        screenshot(visit.page, "site_index.png", full_page=True)
        print(f"\n[site] index: {rows} rows, {len(pages)} pages, {len(decks)} decks, {badges} badges, "
              f"font {state['font_family']}, {len(visit.font_files)} font files", flush=True)
        assert not problems, "\n".join(problems)
        assert rows == len(NOTEBOOKS)
        assert pages == [f"notebooks/{nb.stem}.html" for nb in NOTEBOOKS]
        assert decks == [f"slides/{nb.stem}.slides.html" for nb in NOTEBOOKS]
        assert badges == 2 * len(NOTEBOOKS)
    finally:
        visit.page.context.close()


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[nb.stem for nb in NOTEBOOKS])
def test_page(chromium, server: str, notebook: Path) -> None:
    visit = open_page(chromium, server, f"notebooks/{notebook.stem}.html")
    try:
        state = page_state(visit)
        if state["widget_scripts"]:
            visit.page.wait_for_selector(".jupyter-widgets .widget-slider", timeout=LOAD_TIMEOUT_MS)
            state = visit.page.evaluate(PAGE_STATE_JS, FONT_FAMILY)
        problems = check_common(visit, state, server)
        figures = sum(1 for img in state["images"] if img["src"].startswith("data:image"))
        print(f"\n[site] {notebook.stem}: {state['katex']} formulas, {figures} figures, "
              f"{state['widget_scripts']} widgets ({state['sliders']} sliders), "
              f"{len(visit.font_files)} font files", flush=True)
        assert not problems, "\n".join(problems)
        assert state["katex"] > 0, "no formula typeset by KaTeX"
        assert figures > 0, "no stored figure on the page"
        if state["widget_scripts"]:
            assert state["sliders"] > 0 and state["widget_errors"] == []
    finally:
        visit.page.context.close()


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[nb.stem for nb in NOTEBOOKS])
def test_deck(chromium, server: str, notebook: Path) -> None:
    visit = open_page(chromium, server, f"slides/{notebook.stem}.slides.html")
    page = visit.page
    try:
        try:
            page.wait_for_function("window.Reveal && Reveal.isReady()", timeout=LOAD_TIMEOUT_MS)
        except Exception as exc:  # playwright's TimeoutError
            pytest.fail(f"reveal.js did not start: {str(exc)[:200]}\n" + "\n".join(visit.problems),
                        pytrace=False)
        state = page_state(visit)
        if state["widget_scripts"]:
            page.wait_for_selector(".jupyter-widgets .widget-slider", state="attached", timeout=LOAD_TIMEOUT_MS)
            state = page.evaluate(PAGE_STATE_JS, FONT_FAMILY)
        problems = check_common(visit, state, server)
        total = page.evaluate("Reveal.getTotalSlides()")
        before = page.evaluate("[Reveal.getIndices(), Reveal.getCurrentSlide().textContent.slice(0, 60)]")
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(800)
        after = page.evaluate("[Reveal.getIndices(), Reveal.getCurrentSlide().textContent.slice(0, 60)]")
        print(f"\n[site] deck {notebook.stem}: {total} slides, {state['katex']} formulas, "
              f"{state['widget_scripts']} widgets ({state['sliders']} sliders), "
              f"ArrowRight {before[0]} -> {after[0]}", flush=True)
        if notebook.name.startswith("04_"):
            # for README: the first slide with a heading, a formula and a figure (else the first with a figure)
            where = page.evaluate("""() => {
                const all = Reveal.getSlides(), fig = s => s.querySelector('img[src^="data:image"]');
                const s = all.find(s => fig(s) && s.querySelector('h2, h3') && s.querySelector('.katex'))
                          || all.find(fig);
                return s ? Reveal.getIndices(s) : null; }""")
            if where is not None:
                page.evaluate("(i) => Reveal.slide(i.h, i.v)", where)
                page.wait_for_timeout(1200)
            screenshot(page, "slides_04.png")
        assert not problems, "\n".join(problems)
        assert total > 1
        assert state["katex"] > 0, "no formula typeset by KaTeX"
        assert after[0] != before[0], "the right arrow key did not move to the next slide"
        assert after[1] != before[1], "the slide shown did not change"
        if state["widget_scripts"]:
            assert state["sliders"] > 0 and state["widget_errors"] == []
    finally:
        page.context.close()
