"""Every notebook of the series, run in the real JupyterLab UI by headless Chromium.

For each ``notebooks/NN_*.ipynb`` the test copies the notebook (outputs
cleared) to a temporary folder under ``build/`` (gitignored, and outside the
folders ``make test`` gives nbval), opens the copy at ``/lab/tree/...``, waits
for the kernel, chooses Run > Run All Cells, waits until every cell has run,
and fails on any error output, naming the cell. It saves a screenshot to
``build/screenshots/<notebook>.png`` (``CH11_SCREENSHOT_DIR`` overrides the
folder; ``make screenshots`` writes the ones README shows, in
``tests/browser/screenshots/``) and prints one line per notebook
(name, seconds, result). In the VAE notebook it also moves the latent slider
"z1" with the keyboard and checks that the readout and the decoded image change.

    .venv/bin/python -m pytest tests/browser -s

Kernels run in quick mode (``CH11_QUICK=1``). ``CH11_BROWSER_TIMEOUT`` sets the
seconds one notebook may take (default 600). ``CH11_BROWSER_NOTEBOOKS`` (paths
separated by ``os.pathsep``) replaces the list of notebooks, for trying the
test on other files.
"""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("CH11_SCREENSHOT_DIR", REPO / "build" / "screenshots"))
VIEWPORT = {"width": 1280, "height": 800}

NOTEBOOK_TIMEOUT = float(os.environ.get("CH11_BROWSER_TIMEOUT", "600"))
KERNEL_READY_TIMEOUT = 120.0
WIDGET_RENDER_TIMEOUT = 15.0
VAE_NOTEBOOK = "04_variational_autoencoder.ipynb"
SLIDER_DESCRIPTION = "z1"
SLIDER_KEY_PRESSES = 5


def series_notebooks() -> list[Path]:
    """The notebooks to run: notebooks/NN_*.ipynb, or the files named by CH11_BROWSER_NOTEBOOKS."""
    override = os.environ.get("CH11_BROWSER_NOTEBOOKS", "").strip()
    if override:
        return [Path(p).resolve() for p in override.split(os.pathsep) if p]
    return sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))


NOTEBOOKS = series_notebooks()

# One snapshot of the open notebook, read through window.jupyterapp (the server runs with
# --expose-app-in-browser): kernel status, and per cell its model state (execution count,
# error outputs) and what the DOM shows (prompt text, stderr outputs holding a traceback).
STATE_JS = """
(path) => {
  const app = window.jupyterapp;
  if (!app) return null;
  let panel = null;
  for (const w of app.shell.widgets('main')) {
    if (w.context && w.context.path === path) { panel = w; }
  }
  if (!panel || !panel.content.model) return null;
  const session = panel.sessionContext.session;
  const kernel = session ? session.kernel : null;
  const model = panel.content.model;
  const cells = [];
  for (let i = 0; i < model.cells.length; i++) {
    const c = model.cells.get(i);
    const source = c.sharedModel.getSource();
    const entry = {index: i, type: c.type, first_line: source.trim().split('\\n')[0].slice(0, 80),
                   empty: source.trim() === ''};
    if (c.type === 'code') {
      entry.count = c.executionCount;
      entry.errors = [];
      for (let j = 0; j < c.outputs.length; j++) {
        const o = c.outputs.get(j).toJSON();
        if (o.output_type === 'error') { entry.errors.push(`${o.ename}: ${o.evalue}`); }
      }
      const node = panel.content.widgets[i] ? panel.content.widgets[i].node : null;
      const prompt = node ? node.querySelector('.jp-InputArea-prompt') : null;
      entry.prompt = prompt ? prompt.textContent.trim() : null;
      entry.dom_tracebacks = node ? Array.from(node.querySelectorAll(
          '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'))
        .map(e => e.textContent).filter(t => t.includes('Traceback'))
        .map(t => t.trim().split('\\n').slice(-1)[0].slice(0, 200)) : [];
      // A widget the page cannot render shows this text instead of the widget.
      entry.widget_errors = node ? Array.from(node.querySelectorAll('.jp-OutputArea-output'))
        .map(e => e.textContent).filter(t => /Error displaying widget|Failed to (load|create) (model|view)|^\\s*Loading widget\\.\\.\\.\\s*$/.test(t))
        .map(t => t.trim().slice(0, 200)) : [];
    }
    cells.push(entry);
  }
  return {kernel_status: kernel ? kernel.status : null,
          kernel_name: kernel ? kernel.name : null,
          display_status: panel.sessionContext.kernelDisplayStatus,
          cells: cells};
}
"""


@dataclass
class NotebookRun:
    """A notebook copy open in a browser page after Run All Cells."""

    name: str
    page: object | None  # playwright Page; None when the run failed before it finished
    lab_path: str
    seconds: float
    state: dict
    problems: list[str]


def _cell_label(cell: dict, code_index: int | None = None) -> str:
    where = f"cell {cell['index'] + 1}"
    if code_index is not None:
        where += f" (code cell {code_index})"
    return f"{where} `{cell['first_line']}`"


def find_problems(state: dict) -> list[str]:
    """Everything wrong with a finished run: error outputs, tracebacks, cells not run, counts out of order."""
    problems = []
    counts = []
    code_index = 0
    for cell in state["cells"]:
        if cell["type"] != "code":
            continue
        code_index += 1
        label = _cell_label(cell, code_index)
        for err in cell["errors"]:
            problems.append(f"{label}: error output {err}")
        for tb in cell["dom_tracebacks"]:
            if not cell["errors"]:
                problems.append(f"{label}: traceback rendered in stderr output: {tb}")
        for text in cell["widget_errors"]:
            problems.append(f"{label}: widget not rendered: {text}")
        if cell["empty"]:
            continue
        if cell["count"] is None:
            problems.append(f"{label}: not run (prompt {cell['prompt']!r})")
        else:
            counts.append(cell["count"])
    if counts and counts != list(range(counts[0], counts[0] + len(counts))):
        problems.append(f"execution counts not consecutive: {counts}")
    return problems


def _wait_for_state(page, lab_path: str, predicate, timeout: float, what: str) -> dict:
    deadline = time.monotonic() + timeout
    state = None
    while time.monotonic() < deadline:
        state = page.evaluate(STATE_JS, lab_path)
        if state is not None:
            if state["kernel_status"] == "dead":
                pytest.fail(f"{lab_path}: the kernel died while {what}", pytrace=False)
            if predicate(state):
                return state
        page.wait_for_timeout(1000)
    pytest.fail(f"{lab_path}: timed out after {timeout:.0f} s while {what}; last state: "
                f"{json.dumps(_brief(state))}", pytrace=False)


def _brief(state: dict | None) -> dict | None:
    if state is None:
        return None
    return {"kernel": state["kernel_status"],
            "prompts": [c["prompt"] for c in state["cells"] if c["type"] == "code"]}


def _finished(state: dict) -> bool:
    code = [c for c in state["cells"] if c["type"] == "code"]
    if state["kernel_status"] != "idle" or any(c["prompt"] == "[*]:" for c in code):
        return False
    all_run = all(c["count"] is not None for c in code if not c["empty"])
    any_error = any(c["errors"] or c["dom_tracebacks"] for c in code)
    return all_run or any_error


def run_notebook_in_lab(server: LabServer, browser, notebook: Path, work_dir: Path) -> NotebookRun:
    """Open a cleared copy of ``notebook`` in JupyterLab, Run All Cells, wait until done."""
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    copy = work_dir / notebook.name
    nbformat.write(nb, copy)
    lab_path = copy.relative_to(server.root).as_posix()

    page = browser.new_page(viewport=VIEWPORT)
    start = time.monotonic()
    try:
        # ?reset: start from an empty workspace, so notebooks of earlier tests are not reopened.
        page.goto(server.url(f"lab/tree/{lab_path}?reset"))
        page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell", timeout=60_000)
        _wait_for_state(page, lab_path, lambda s: s["kernel_status"] == "idle" and s["kernel_name"],
                        KERNEL_READY_TIMEOUT, "waiting for the kernel to start")
        run_start = time.monotonic()
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
        # Settled = finished in two polls a second apart (the kernel may be idle between two cells).
        seen = {"stable": 0, "restarts": 0}

        def settled(state: dict) -> bool:
            if state["kernel_status"] in ("restarting", "autorestarting"):
                seen["restarts"] += 1
            seen["stable"] = seen["stable"] + 1 if _finished(state) else 0
            return seen["stable"] >= 2

        state = _wait_for_state(page, lab_path, settled, NOTEBOOK_TIMEOUT, "running all cells")
        # Widgets render after their cell has finished: give them time, then look again.
        try:
            page.wait_for_function("""() => !Array.from(document.querySelectorAll(
                '.jp-NotebookPanel .jp-OutputArea-output')).some(e => e.textContent.trim() === 'Loading widget...')""",
                timeout=WIDGET_RENDER_TIMEOUT * 1000, polling=500)
        except Exception:
            pass  # reported as "widget not rendered" by find_problems
        state = page.evaluate(STATE_JS, lab_path)
    except BaseException:
        # Timed out, or the page broke: keep a picture of it, stop the kernel, close the page.
        try:
            save_notebook_screenshot(page, SCREENSHOTS / f"{notebook.stem}.png")
        except Exception:
            pass
        close_run(server, NotebookRun(notebook.name, page, lab_path, 0.0, {}, []))
        raise
    seconds = time.monotonic() - start
    print(f"\n[browser] {notebook.name}: kernel ready after {run_start - start:.1f} s, "
          f"Run All Cells took {time.monotonic() - run_start:.1f} s", flush=True)
    problems = find_problems(state)
    if seen["restarts"]:
        problems.insert(0, "the kernel restarted during the run (did it run out of memory?)")
    return NotebookRun(notebook.name, page, lab_path, seconds, state, problems)


def first_problem_cell(state: dict) -> int | None:
    """Index of the first code cell with an error output, a traceback, or not run; None if none."""
    for cell in state.get("cells", []):
        if cell["type"] == "code" and (cell["errors"] or cell["dom_tracebacks"] or cell["widget_errors"]
                                       or (cell["count"] is None and not cell["empty"])):
            return cell["index"]
    return None


def save_notebook_screenshot(page, path: Path, cell_index: int | None = None) -> None:
    """Screenshot of the viewport, scrolled to cell ``cell_index`` or else to the first figure."""
    page.evaluate("""async (index) => {
        const app = window.jupyterapp;
        if (app && !app.shell.leftCollapsed) {  // hide the file browser: more room for the notebook
            await app.commands.execute('application:toggle-left-area');
        }
        const cells = document.querySelectorAll('.jp-NotebookPanel .jp-Notebook .jp-Cell');
        const img = document.querySelector('.jp-NotebookPanel .jp-OutputArea-output img');
        const cell = index !== null && cells[index] ? cells[index] : (img ? img.closest('.jp-Cell') : null);
        if (cell) { cell.scrollIntoView({block: 'start'}); }
    }""", cell_index)
    page.wait_for_timeout(500)
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), scale="css")


@pytest.fixture(scope="session")
def work_dir(scratch_dirs) -> Path:
    """A temporary folder for notebook copies under build/ (gitignored; nbval is never given it)."""
    return scratch_dirs("run-")


@pytest.fixture(scope="session")
def lab_runs(lab_server: LabServer, chromium, work_dir: Path) -> Iterator[dict[str, NotebookRun]]:
    """Runs done so far this session, by notebook name (the VAE run stays open for the slider test)."""
    runs: dict[str, NotebookRun] = {}
    yield runs
    for run in runs.values():
        close_run(lab_server, run)


def close_run(server: LabServer, run: NotebookRun) -> None:
    if run.page is not None and not run.page.is_closed():
        run.page.close()
    if not run.lab_path:
        return
    try:
        server.shutdown_sessions(run.lab_path)
    except Exception:
        pass


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_in_jupyterlab(notebook: Path, lab_server: LabServer, chromium, work_dir: Path,
                                     lab_runs: dict[str, NotebookRun], run_log: RunLog) -> None:
    start = time.monotonic()
    try:
        run = run_notebook_in_lab(lab_server, chromium, notebook, work_dir)
    except BaseException as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        run_log.add((notebook.name, time.monotonic() - start, "FAILED", reason))
        # Remembered, so the slider test does not run a broken notebook a second time.
        lab_runs[notebook.name] = NotebookRun(notebook.name, None, "", 0.0, {}, [f"the run failed: {reason}"])
        raise
    lab_runs[notebook.name] = run
    screenshot = SCREENSHOTS / f"{notebook.stem}.png"
    save_notebook_screenshot(run.page, screenshot, first_problem_cell(run.state))
    result = "FAILED" if run.problems else "passed"
    n_code = sum(c["type"] == "code" for c in run.state["cells"])
    run_log.add((notebook.name, run.seconds, result,
                 f"{len(run.problems)} problem(s)" if run.problems else f"{n_code} code cells"))
    if notebook.name != VAE_NOTEBOOK or run.problems:
        close_run(lab_server, run)
    if run.problems:
        pytest.fail(f"{notebook.name} in JupyterLab (screenshot {screenshot.relative_to(REPO)}):\n  "
                    + "\n  ".join(run.problems), pytrace=False)


# --- the VAE notebook's latent-space slider -----------------------------------------------

# The explorer's front end (utils/frame_explorer.js): the slider labelled z1, the decoded image
# (a canvas holding the stored frame) and the marker on the latent scatter.
READ_EXPLORER_JS = """
(label) => {
  const roots = Array.from(document.querySelectorAll('.jp-NotebookPanel .ch11-frames'));
  for (const root of roots) {
    const input = Array.from(root.querySelectorAll('input[type=range]')).find(i =>
      (root.querySelector(`label[for="${i.id}"]`) || {}).textContent === label);
    if (!input) continue;
    root.setAttribute('data-ch11-test', 'area');
    input.setAttribute('data-ch11-test', 'slider');
    const pic = root.querySelector('canvas');
    const marker = root.querySelector('.ch11-frames-marker');
    return {found: true, readout: input.parentElement.querySelector('output').textContent.trim(),
            frame: pic.getAttribute('data-frame'), pixels: pic.toDataURL(),
            marker: marker ? marker.style.left : null};
  }
  return {found: false, explorers: roots.length};
}
"""


def test_vae_latent_slider_moves_decoded_image(lab_server: LabServer, chromium, work_dir: Path,
                                               lab_runs: dict[str, NotebookRun], run_log: RunLog) -> None:
    vae = next((p for p in NOTEBOOKS if p.name == VAE_NOTEBOOK), None)
    if vae is None:
        pytest.skip(f"notebooks/{VAE_NOTEBOOK} does not exist yet")
    run = lab_runs.get(VAE_NOTEBOOK)
    if run is None:  # the run-all test was deselected (e.g. -k slider): run the notebook here
        run = run_notebook_in_lab(lab_server, chromium, vae, work_dir)
        lab_runs[VAE_NOTEBOOK] = run
    if run.problems or run.page is None or run.page.is_closed():
        pytest.fail(f"{VAE_NOTEBOOK} did not run cleanly, so its slider cannot be tried:\n"
                    + "\n".join(run.problems), pytrace=False)
    page = run.page
    start = time.monotonic()
    before = page.evaluate(READ_EXPLORER_JS, SLIDER_DESCRIPTION)
    assert before["found"], (f"no slider labelled {SLIDER_DESCRIPTION!r} in the frame explorers of {VAE_NOTEBOOK} "
                             f"({before.get('explorers')} explorers seen)")
    area = page.locator('[data-ch11-test="area"]')
    area.scroll_into_view_if_needed()
    # Keyboard only: focus the slider and press ArrowRight; the frames are in the page, so the image
    # changes at once, with no kernel round trip.
    page.locator('[data-ch11-test="slider"]').focus()
    for _ in range(SLIDER_KEY_PRESSES):
        page.keyboard.press("ArrowRight")
    after = page.evaluate(READ_EXPLORER_JS, SLIDER_DESCRIPTION)
    shot = SCREENSHOTS / "vae_slider.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    area.screenshot(path=str(shot), scale="css")
    seconds = time.monotonic() - start
    ok_readout = float(after["readout"]) > float(before["readout"])
    ok_image = after["frame"] != before["frame"] and after["pixels"] != before["pixels"]
    ok_marker = after["marker"] != before["marker"]
    result = "passed" if ok_readout and ok_image and ok_marker else "FAILED"
    run_log.add((f"{VAE_NOTEBOOK} slider {SLIDER_DESCRIPTION}", seconds, result,
                 f"{SLIDER_KEY_PRESSES} x ArrowRight, readout {before['readout']} -> {after['readout']}, "
                 f"frame {before['frame']} -> {after['frame']}"))
    close_run(lab_server, run)
    assert ok_readout, (f"after {SLIDER_KEY_PRESSES} x ArrowRight on slider {SLIDER_DESCRIPTION!r} the readout went "
                        f"{before['readout']!r} -> {after['readout']!r}; expected a larger number "
                        f"(screenshot {shot.relative_to(REPO)})")
    assert ok_image, f"the decoded image did not change after the slider moved (screenshot {shot.relative_to(REPO)})"
    assert ok_marker, "the marker on the latent scatter did not move with z1"
