"""Notebook 05's widgets live in the real JupyterLab: the digit selector, the style sliders, the beta switcher.

Runs ``05_conditional_and_beta_vae.ipynb`` (a cleared copy, quick mode) in headless Chromium with
the helpers of ``test_notebooks_in_lab.py``. Then, with the kernel running, it clicks another digit,
moves the style slider ``z1`` and the ``beta`` slider with the keyboard, checks that the picture
changed at once (the frames are in the page: no kernel round trip), and runs a new cell that prints
the widgets' synced ``value`` in the kernel: the kernel must see the digit and positions chosen in
the browser. The widget area is saved to ``build/screenshots/cvae_digit_selector.png``
(``CH11_SCREENSHOT_DIR`` overrides the folder).

    .venv/bin/python -m pytest tests/browser/test_05_widgets.py -s
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from test_frame_explorers import copy_notebook  # noqa: E402
from test_notebooks_in_lab import NOTEBOOKS, REPO, SCREENSHOTS, close_run, run_notebook_in_lab  # noqa: E402

CVAE_NOTEBOOK = "05_conditional_and_beta_vae.ipynb"
NEW_DIGIT = 3            # the widget starts at 7
SCREENSHOT = SCREENSHOTS / "cvae_digit_selector.png"

READ_JS = """
() => Array.from(document.querySelectorAll('.jp-NotebookPanel .ch11-frames')).map(root => {
  const pic = root.querySelector('canvas, img.ch11-frames-picture');
  const checked = root.querySelector('fieldset input:checked');
  return {frame: pic.getAttribute('data-frame'), pixels: pic.tagName === 'CANVAS' ? pic.toDataURL() : pic.src,
          digit: checked ? Number(checked.value) : null,
          ranges: Array.from(root.querySelectorAll('input[type=range]')).map(i => Number(i.value)),
          labels: Array.from(root.querySelectorAll('label')).map(l => l.textContent.trim())};
})
"""

RUN_CELL_JS = """
async (code) => {
  const app = window.jupyterapp;
  const panel = app.shell.currentWidget;
  const nb = panel.content;
  nb.activeCellIndex = nb.widgets.length - 1;
  await app.commands.execute('notebook:insert-cell-below');
  nb.activeCell.model.sharedModel.setSource(code);
  await app.commands.execute('notebook:run-cell');
  return nb.widgets.length - 1;
}
"""

OUTPUT_JS = """
(i) => { const cell = window.jupyterapp.shell.currentWidget.content.widgets[i];
         return cell.model.outputs.length ? JSON.stringify(cell.model.outputs.toJSON()) : null; }
"""


@pytest.fixture(scope="module")
def nb05_work_dir(scratch_dirs) -> Path:
    """A temporary folder for the notebook copy under build/ (gitignored; nbval never looks there)."""
    return scratch_dirs("run05-")


def test_cvae_widgets_move_at_once_and_the_kernel_reads_their_value(lab_server, chromium, nb05_work_dir,
                                                                   scratch_dirs, run_log) -> None:
    notebook = next((p for p in NOTEBOOKS if p.name == CVAE_NOTEBOOK), REPO / "notebooks" / CVAE_NOTEBOOK)
    if not notebook.exists():
        pytest.skip(f"notebooks/{CVAE_NOTEBOOK} does not exist")
    source = copy_notebook(notebook, scratch_dirs("src05-"))
    run = run_notebook_in_lab(lab_server, chromium, source, nb05_work_dir)
    try:
        if run.problems:
            pytest.fail(f"{CVAE_NOTEBOOK} did not run cleanly in JupyterLab:\n  " + "\n  ".join(run.problems),
                        pytrace=False)
        page = run.page
        start = time.monotonic()
        page.wait_for_function("() => document.querySelectorAll('.jp-NotebookPanel .ch11-frames[data-ready=\"true\"]')"
                               ".length >= 2", timeout=60_000)
        first = page.evaluate(READ_JS)
        assert len(first) == 2, f"{len(first)} frame explorers in {CVAE_NOTEBOOK}; expected the digit selector and the beta switcher"
        cvae, beta = first
        assert cvae["digit"] == 7, f"the digit selector starts at {cvae['digit']}, expected 7 (digit=7 in the cell)"
        assert {"digit", "z1", "z2"} <= set(cvae["labels"]) or "z1" in cvae["labels"], cvae["labels"]
        roots = page.locator(".jp-NotebookPanel .ch11-frames")
        area = roots.nth(0)
        area.scroll_into_view_if_needed()

        area.locator("fieldset label").nth(NEW_DIGIT).click()                 # 1. another digit (mouse)
        after_digit = page.evaluate(READ_JS)[0]
        area.locator("input[type=range]").first.focus()                      # 2. z1 by keyboard
        for _ in range(2):
            page.keyboard.press("ArrowRight")
        after_z1 = page.evaluate(READ_JS)[0]
        roots.nth(1).scroll_into_view_if_needed()
        roots.nth(1).locator("input[type=range]").first.focus()              # 3. beta by keyboard
        page.keyboard.press("ArrowRight")
        after_beta = page.evaluate(READ_JS)[1]
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        area.screenshot(path=str(SCREENSHOT), scale="css")

        cell = page.evaluate(RUN_CELL_JS, "print(explorer_c.value, switcher.value)")
        page.wait_for_function("(i) => { const c = window.jupyterapp.shell.currentWidget.content.widgets[i];"
                               " return c.model.outputs.length > 0; }", arg=cell, timeout=60_000)
        printed = page.evaluate(OUTPUT_JS, cell)
        seconds = time.monotonic() - start

        ok_digit = after_digit["digit"] == NEW_DIGIT and after_digit["pixels"] != cvae["pixels"]
        ok_z1 = after_z1["ranges"][0] == cvae["ranges"][0] + 2 and after_z1["pixels"] != after_digit["pixels"]
        ok_beta = after_beta["ranges"][0] == 1 and after_beta["pixels"] != beta["pixels"]
        ok_kernel = printed is not None and f"'digit': {NEW_DIGIT}" in printed and "'z1': 1.5" in printed \
            and "'beta':" in printed and "'beta': '0.5'" not in printed
        result = "passed" if ok_digit and ok_z1 and ok_beta and ok_kernel else "FAILED"
        run_log.add((f"{CVAE_NOTEBOOK} digit, z1 and beta", seconds, result,
                     f"kernel printed {printed and json.loads(printed)[0].get('text')!r}, screenshot {SCREENSHOT}"))
        assert ok_digit, f"clicking digit {NEW_DIGIT} gave digit {after_digit['digit']} and {'a new' if after_digit['pixels'] != cvae['pixels'] else 'the same'} image"
        assert ok_z1, f"two ArrowRight on z1: position {cvae['ranges'][0]} -> {after_z1['ranges'][0]}, image changed: {after_z1['pixels'] != after_digit['pixels']}"
        assert ok_beta, f"ArrowRight on beta: position {beta['ranges'][0]} -> {after_beta['ranges'][0]}"
        assert ok_kernel, f"the kernel does not see the browser's choice: {printed}"
    finally:
        close_run(lab_server, run)
