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
* in each deck the right arrow key moves to the next slide;
* accessibility (``test_accessibility``): axe-core (pinned in tools/site_templates/assets.json, run in
  the page) finds no serious or critical WCAG 2.1 A/AA violation on the index, any page or any deck
  (every slide of a deck: it is opened in reveal.js' scroll view with all slides exposed), the page
  declares ``lang="ko"``, headings never skip a level downwards, and every image has a real alt text
  (nbconvert's English placeholder for a missing one counts as missing);
* the handout (``tools.handout``, printed from the same site): a PDF per lesson and the series',
  their page counts, and ``pdftotext`` finds each lesson's title and the text of its typeset formulas.

Screenshots: ``site_index.png`` (the index) and ``slides_04.png`` (a slide of deck 04 with a
figure) into ``CH11_SCREENSHOT_DIR`` (default ``build/screenshots``; ``make screenshots`` writes
``tests/browser/screenshots``).

    .venv/bin/python -m pytest tests/browser/test_site.py -s
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import subprocess
import sys
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
        if notebook.name.startswith("04_") and visit.page.locator("[data-ch11-frames]").count():
            explorer_screenshots(visit.page)
    finally:
        visit.page.context.close()


def explorer_screenshots(page) -> None:
    """README's pictures of the moving slider: 04's first explorer on the site at two slider positions
    (site_slider_1.png with z1 at its lowest, site_slider_2.png at its highest), moved by keyboard."""
    page.wait_for_function(FRAMES_DRAWN_JS, timeout=LOAD_TIMEOUT_MS)
    root = page.locator(".ch11-frames[data-ready]").first
    slider = root.locator('input[type="range"]').first
    picture = root.locator("canvas.ch11-frames-image, img.ch11-frames-picture").first
    root.scroll_into_view_if_needed()
    frames = []
    for key, name in (("Home", "site_slider_1.png"), ("End", "site_slider_2.png")):
        slider.focus()
        slider.press(key)
        page.wait_for_timeout(150)
        frames.append(picture.get_attribute("data-frame"))
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        tmp = SCREENSHOTS / name.replace(".png", ".tmp.png")
        root.screenshot(path=str(tmp))
        os.replace(tmp, SCREENSHOTS / name)
    assert frames[0] != frames[1], f"the explorer showed frame {frames[0]} at both ends of the slider"


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


# --- accessibility ---------------------------------------------------------------------------------

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")
NBCONVERT_PLACEHOLDER_ALT = "No description has been provided for this image"
PAGES = (["index.html"] + [f"notebooks/{nb.stem}.html" for nb in NOTEBOOKS]
         + [f"slides/{nb.stem}.slides.html" for nb in NOTEBOOKS])

# the kernel-free explorers the widget hook puts on a page (tools/widget_site.py) are drawn
FRAMES_DRAWN_JS = """[...document.querySelectorAll('[data-ch11-frames]')]
    .every(h => h.querySelector('.ch11-frames[data-ready], .ch11-frames[data-error]'))"""

A11Y_STATE_JS = """
(placeholder) => ({
  lang: document.documentElement.lang,
  headings: [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map(h => [+h.tagName[1], h.textContent.trim().slice(0, 60)]),
  images: [...document.images].map(img => ({src: img.currentSrc.slice(0, 60), alt: img.getAttribute('alt')}))
    .filter(i => i.alt === null || i.alt.trim() === '' || i.alt === placeholder),
})
"""


@functools.lru_cache(maxsize=1)
def axe_source() -> str:
    from tools import sitekit

    pkg = next(p for p in sitekit.packages(use="test") if p.name == "axe-core")
    return sitekit.package_file(pkg, "axe.min.js").decode("utf-8")


def run_axe(page) -> list[dict]:
    """axe-core's WCAG 2.1 A/AA violations on the page as shown: id, impact, count, first targets."""
    page.add_script_tag(content=axe_source())
    return page.evaluate("""async (tags) => {
      const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
      return r.violations.map(v => ({id: v.id, impact: v.impact, count: v.nodes.length, help: v.help,
        where: v.nodes.slice(0, 3).map(n => n.target.join(' ').slice(0, 120))}));
    }""", AXE_TAGS)


def heading_skips(headings: list) -> list[str]:
    """Where a heading goes down more than one level (h2 -> h4), or the first is not h1."""
    skips = []
    if headings and headings[0][0] != 1:
        skips.append(f"first heading is h{headings[0][0]} ({headings[0][1]!r}), not h1")
    for (a, _), (b, text) in zip(headings, headings[1:]):
        if b > a + 1:
            skips.append(f"h{a} -> h{b} at {text!r}")
    return skips


def test_heading_skips_finds_a_skip() -> None:
    assert heading_skips([[1, "a"], [2, "b"], [3, "c"], [2, "d"], [4, "e"]]) == ["h2 -> h4 at 'e'"]
    assert heading_skips([[2, "x"]]) == ["first heading is h2 ('x'), not h1"]


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.split("/")[-1].split(".")[0] + ("-deck" if "slides/" in p else ""))
def test_accessibility(chromium, server: str, path: str) -> None:
    deck = path.startswith("slides/")
    # a deck in reveal.js' scroll view shows every slide; the slides not in view are aria-hidden there
    # (as in the presentation), so that is lifted to let axe check each slide as it is when shown
    visit = open_page(chromium, server, path + ("?view=scroll" if deck else ""))
    page = visit.page
    try:
        if deck:
            page.wait_for_function("window.Reveal && Reveal.isReady()", timeout=LOAD_TIMEOUT_MS)
            page.evaluate("document.querySelectorAll('.reveal .slides section[aria-hidden]')"
                          ".forEach(s => s.removeAttribute('aria-hidden'))")
        from tools import sitekit

        page.wait_for_function(sitekit.ready_js(), timeout=LOAD_TIMEOUT_MS)
        page.wait_for_function(FRAMES_DRAWN_JS, timeout=LOAD_TIMEOUT_MS)
        if page.evaluate("document.querySelectorAll('script[type=\"application/vnd.jupyter.widget-state+json\"]').length"):
            page.wait_for_selector(".jupyter-widgets .widget-slider", state="attached", timeout=LOAD_TIMEOUT_MS)
        state = page.evaluate(A11Y_STATE_JS, NBCONVERT_PLACEHOLDER_ALT)
        violations = run_axe(page)
        summary = ", ".join(f"{v['id']} ({v['impact']}, {v['count']})" for v in violations) or "none"
        print(f"\n[a11y] {path}: axe {summary}; {len(state['headings'])} headings; "
              f"{len(state['images'])} image(s) without alt text", flush=True)
        problems = [f"axe {v['impact']}: {v['id']} x{v['count']} ({v['help']}) at {v['where']}"
                    for v in violations if v["impact"] in BLOCKING]
        if state["lang"] != "ko":
            problems.append(f'<html lang="{state["lang"]}">, expected "ko"')
        problems += [f"heading order: {s}" for s in ([] if deck else heading_skips(state["headings"]))]
        problems += [f"image without alt text: {i['src']}... (alt {i['alt']!r}; the cell's metadata 'alt', "
                     "see `python -m tools.alttext`)" for i in state["images"]]
        assert not problems, f"{path}:\n" + "\n".join(problems)
    finally:
        page.context.close()


# --- the handout ----------------------------------------------------------------------------------

def pdf_text(pdf: Path) -> str:
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text.replace("\u200b", ""))


@pytest.fixture(scope="module")
def handout(site_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The handout printed from the site under test (``python -m tools.handout``, in its own process)."""
    import shutil
    import time

    if shutil.which("pdftotext") is None or shutil.which("pdfunite") is None:
        from conftest import skip_or_fail

        skip_or_fail("poppler-utils (pdftotext, pdfunite) are not installed", "`sudo apt-get install poppler-utils`")
    out = tmp_path_factory.mktemp("handout") / "handout"
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "tools.handout", "--site", str(site_dir), "--out", str(out)],
                          capture_output=True, text=True, cwd=REPO, timeout=1800,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    print(f"\n[handout] {time.perf_counter() - start:.1f} s: {done.stdout.strip()}", flush=True)
    assert done.returncode == 0, done.stderr
    return out


def test_handout_page_counts(handout: Path) -> None:
    from tools.handout import SERIES_NAME, page_count

    summary = json.loads((handout / "handout.json").read_text(encoding="utf-8"))
    pages = summary["pages"]
    lessons = {f"{nb.stem}.pdf" for nb in NOTEBOOKS}
    assert set(summary["frame_grids"]) == lessons   # tools.handout refuses to finish unless every explorer printed
    assert set(pages) == lessons | {SERIES_NAME}
    for name, n in pages.items():
        assert page_count(handout / name) == n, name
    for name in lessons:
        assert 3 <= pages[name] <= 80, f"{name}: {pages[name]} pages"
    cover = pages[SERIES_NAME] - sum(pages[name] for name in lessons)
    assert 1 <= cover <= 3, f"the series has {pages[SERIES_NAME]} pages, the lessons {pages[SERIES_NAME] - cover}"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[nb.stem for nb in NOTEBOOKS])
def test_handout_text_has_the_title_and_the_formulas(chromium, server: str, handout: Path, notebook: Path) -> None:
    from tools import course, sitekit

    title = course.title_info(sitekit.load_notebook(notebook), notebook.name)["title"]
    text = flat(pdf_text(handout / f"{notebook.stem}.pdf"))
    assert flat(title) in text, f"title {title!r} not in {notebook.stem}.pdf"
    assert flat(title) in flat(pdf_text(handout / "ch11_handout.pdf"))
    # the inline formulas as KaTeX typeset them on the page: their text is in the PDF only if typeset
    # (those with sub- and superscript struts, accents or arrows above a letter are left out: pdftotext
    # reads them in another order)
    visit = open_page(chromium, server, f"notebooks/{notebook.stem}.html")
    try:
        visit.page.wait_for_function("document.documentElement.dataset.math === 'done'", timeout=LOAD_TIMEOUT_MS)
        formulas = visit.page.evaluate("""[...document.querySelectorAll('.katex')].filter(e => !e.closest('.katex-display'))
            .map(e => e.querySelector('.katex-html').textContent)
            .filter(t => t.length >= 5 && !/[\\u200b\\ue000-\\uf8ff~ˇˉ^˙¨´`→]/.test(t))""")
    finally:
        visit.page.context.close()
    found = [f for f in formulas if flat(f) in text]
    print(f"\n[handout] {notebook.stem}: {len(found)} of {len(formulas)} inline formulas found, e.g. {found[:3]}", flush=True)
    assert len(formulas) >= 5 and len(found) >= 0.75 * len(formulas), (len(found), len(formulas))
    assert any(re.search(r"[^\x00-\x7f]", f) for f in found), "no typeset formula with a math symbol found"
