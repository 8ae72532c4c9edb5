"""A fresh clone, opened in JupyterLab without running anything, as a student first sees it.

The committed notebook 04 (stored outputs, stored widget state) is copied byte for byte into a
temporary folder under ``build/`` and opened in the real JupyterLab. Nobody has trusted it (the
server's data folder is new), so JupyterLab shows only the outputs that are safe without trust:
stored figures and text, never the widgets themselves. The test asserts what the student sees:

* the notebook is untrusted (otherwise this test would not test the fresh-clone case);
* every stored figure is there and decoded, and the title cell's fields are separate lines;
* where the sliders will be, the note telling them to run the notebook, in Korean and English;
* no raw widget repr (``HBox(children=...``) and no widget error anywhere.

    .venv/bin/python -m pytest tests/browser/test_fresh_clone.py -s

No cell runs, so it costs a kernel start and a page load only.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pytest

from tools.course import WIDGET_NOTE, WIDGET_VIEW

REPO = Path(__file__).resolve().parents[2]
NOTEBOOK = REPO / "notebooks" / "04_variational_autoencoder.ipynb"
SCREENSHOT = REPO / "build" / "screenshots" / "04_fresh_clone.png"
RENDER_TIMEOUT_MS = 90_000

# What the open notebook shows, read from the DOM and from JupyterLab's model (window.jupyterapp).
SEEN_JS = """
(path) => {
  const app = window.jupyterapp;
  let panel = null;
  for (const w of app.shell.widgets('main')) { if (w.context && w.context.path === path) panel = w; }
  if (!panel || !panel.content.model) return null;
  const model = panel.content.model;
  const trusted = [];
  for (let i = 0; i < model.cells.length; i++) {
    const c = model.cells.get(i);
    if (c.type === 'code' && c.outputs.length) trusted.push(c.trusted);
  }
  const node = panel.content.node;
  const imgs = Array.from(node.querySelectorAll('.jp-OutputArea-output img'));
  const first = node.querySelector('.jp-MarkdownCell .jp-RenderedMarkdown');
  return {
    cells: model.cells.length,
    trusted: trusted,
    text: node.textContent,
    outputs_text: Array.from(node.querySelectorAll('.jp-OutputArea-output')).map(e => e.textContent),
    images: imgs.length,
    decoded: imgs.filter(i => i.complete && i.naturalWidth > 0).length,
    widgets: node.querySelectorAll('.jupyter-widgets, .widget-slider').length,
    title_items: first ? Array.from(first.querySelectorAll('li')).map(e => e.textContent.trim()) : [],
  };
}
"""


def _stored(nb: dict) -> tuple[int, int]:
    """(stored PNG figures, stored widget views) in the notebook's outputs."""
    pngs = widgets = 0
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            widgets += WIDGET_VIEW in data
            pngs += "image/png" in data and WIDGET_VIEW not in data
    return pngs, widgets


def test_fresh_clone_of_notebook_04_shows_figures_and_the_run_note(lab_server, chromium):
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    n_png, n_widgets = _stored(nb)
    assert n_png >= 10 and n_widgets >= 1, "notebook 04 should carry stored figures and stored sliders"

    parent = REPO / "build" / "browser-test"
    parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="fresh-", dir=parent))
    copy = folder / NOTEBOOK.name
    shutil.copyfile(NOTEBOOK, copy)  # as cloned: outputs, widget state and all
    lab_path = copy.relative_to(lab_server.root).as_posix()
    page = chromium.new_page(viewport={"width": 1280, "height": 800})
    try:
        page.goto(lab_server.url(f"lab/tree/{lab_path}?reset"))
        page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell", timeout=60_000)
        page.wait_for_function(
            """([path, n]) => {
                const app = window.jupyterapp;
                if (!app) return false;
                const imgs = Array.from(document.querySelectorAll('.jp-NotebookPanel .jp-OutputArea-output img'));
                return imgs.length >= n && imgs.every(i => i.complete && i.naturalWidth > 0);
            }""", arg=[lab_path, n_png], timeout=RENDER_TIMEOUT_MS, polling=500)
        page.wait_for_timeout(1000)  # let any late renderer (a widget manager) have its turn
        seen = page.evaluate(SEEN_JS, lab_path)
        note = page.locator(".jp-NotebookPanel .jp-OutputArea-output",
                            has_text=WIDGET_NOTE.splitlines()[0])
        if note.count():
            note.first.scroll_into_view_if_needed()
        notes_visible = [note.nth(i).is_visible() for i in range(note.count())]
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), scale="css")
    finally:
        page.close()
        try:
            lab_server.shutdown_sessions(lab_path)
        except Exception:
            pass
        shutil.rmtree(folder, ignore_errors=True)

    print(f"\n[browser] fresh clone of {NOTEBOOK.name}: {seen['images']} figures shown "
          f"({seen['decoded']} decoded, {n_png} stored), {len(notes_visible)} run-notes visible, "
          f"{seen['widgets']} live widgets, trusted outputs: {sum(seen['trusted'])}; screenshot "
          f"{SCREENSHOT.relative_to(REPO)}", flush=True)
    assert seen["trusted"] and not any(seen["trusted"]), \
        "the copy opened as trusted, so this is not what a fresh clone shows"
    assert "HBox(children=" not in seen["text"] and "VBox(children=" not in seen["text"], \
        "a stored widget shows its raw repr instead of the note"
    assert not [t for t in seen["outputs_text"] if "Error displaying widget" in t or "Loading widget" in t]
    assert seen["images"] == n_png and seen["decoded"] == n_png, "every stored figure is shown"
    assert notes_visible == [True] * n_widgets, "each stored slider shows the run-the-notebook note"
    for line in WIDGET_NOTE.splitlines():
        assert sum(line in t for t in seen["outputs_text"]) == n_widgets
    assert [item.split(":")[0] for item in seen["title_items"]][:3] == \
        ["목표(goal)", "선수 지식(prerequisites)", "실행 시간(run time)"], \
        f"the title cell's fields should render as separate list items: {seen['title_items']}"
