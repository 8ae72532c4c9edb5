"""Notebook 05's conditional-VAE widget in the real JupyterLab: digit buttons and style sliders.

Runs ``05_conditional_and_beta_vae.ipynb`` (a cleared copy, quick mode) in headless Chromium
with the helpers of ``test_notebooks_in_lab.py``, then clicks another digit in the widget's
``digit`` buttons and moves the style slider ``z1`` with the keyboard, and checks that the
decoded image changes each time. The widget area is saved to
``build/screenshots/cvae_digit_selector.png`` (``CH11_SCREENSHOT_DIR`` overrides the folder).

    .venv/bin/python -m pytest tests/browser/test_05_widgets.py -s
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from test_notebooks_in_lab import (HANDLE, NOTEBOOKS, REPO, SCREENSHOTS, WIDGET_AREA_JS, close_run,  # noqa: E402
                                   run_notebook_in_lab)

CVAE_NOTEBOOK = "05_conditional_and_beta_vae.ipynb"
DIGIT_DESCRIPTION = "digit"
SLIDER_DESCRIPTION = "z1"
NEW_DIGIT = "3"          # the widget starts at 7
KEY_PRESSES = 5
SCREENSHOT = SCREENSHOTS / "cvae_digit_selector.png"

FIND_WIDGET_JS = """
([digitLabel, sliderLabel]) => {""" + WIDGET_AREA_JS + """
  const labelled = (e, text) => { const l = e.querySelector('.widget-label');
                                  return l && l.textContent.trim() === text; };
  const groups = Array.from(document.querySelectorAll('.jp-NotebookPanel .widget-toggle-buttons'));
  const group = groups.find(e => labelled(e, digitLabel));
  if (!group) return {found: false, groups: groups.length};
  group.setAttribute('data-ch11-test', 'digits');
  const area = widgetArea(group);
  if (!area) return {found: true, area: false};
  area.setAttribute('data-ch11-test', 'cvae-area');
  const slider = Array.from(area.querySelectorAll('.widget-slider')).find(e => labelled(e, sliderLabel));
  if (slider) slider.setAttribute('data-ch11-test', 'cvae-slider');
  return {found: true, area: true, slider: !!slider,
          buttons: Array.from(group.querySelectorAll('button')).map(b => b.textContent.trim())};
}
"""

READ_JS = """
(handleSelector) => {
  const area = document.querySelector('[data-ch11-test="cvae-area"]');
  const img = area.querySelector('.widget-output img') || area.querySelector('img');
  const active = area.querySelector('[data-ch11-test="digits"] button.mod-active');
  const slider = area.querySelector('[data-ch11-test="cvae-slider"]');
  return {src: img ? img.getAttribute('src') : null,
          digit: active ? active.textContent.trim() : null,
          readout: slider ? slider.querySelector('.widget-readout').textContent.trim() : null};
}
"""

WAIT_NEW_IMAGE_JS = """
([src]) => {
  const area = document.querySelector('[data-ch11-test="cvae-area"]');
  const img = area.querySelector('.widget-output img') || area.querySelector('img');
  return img && img.getAttribute('src') && img.getAttribute('src') !== src;
}
"""


@pytest.fixture(scope="module")
def nb05_work_dir(scratch_dirs) -> Path:
    """A temporary folder for the notebook copy under build/ (gitignored; nbval never looks there)."""
    return scratch_dirs("run05-")


def _wait_for_new_image(page, src: str | None) -> None:
    try:
        page.wait_for_function(WAIT_NEW_IMAGE_JS, arg=[src], timeout=30_000, polling=250)
    except Exception:
        pass  # the assertions say what did not change
    page.wait_for_timeout(500)  # let a redraw that is still streaming in finish


def test_cvae_digit_buttons_and_style_slider_change_the_image(lab_server, chromium, nb05_work_dir,
                                                              run_log) -> None:
    notebook = next((p for p in NOTEBOOKS if p.name == CVAE_NOTEBOOK), REPO / "notebooks" / CVAE_NOTEBOOK)
    if not notebook.exists():
        pytest.skip(f"notebooks/{CVAE_NOTEBOOK} does not exist")
    run = run_notebook_in_lab(lab_server, chromium, notebook, nb05_work_dir)
    try:
        if run.problems:
            pytest.fail(f"{CVAE_NOTEBOOK} did not run cleanly in JupyterLab:\n  " + "\n  ".join(run.problems),
                        pytrace=False)
        page = run.page
        start = time.monotonic()
        found = page.evaluate(FIND_WIDGET_JS, [DIGIT_DESCRIPTION, SLIDER_DESCRIPTION])
        assert found["found"], (f"no ToggleButtons with description {DIGIT_DESCRIPTION!r} in {CVAE_NOTEBOOK} "
                                f"({found.get('groups')} toggle-button groups seen)")
        assert found["area"], "no image (decoded digit) next to the digit buttons"
        assert found["slider"], f"no slider {SLIDER_DESCRIPTION!r} next to the digit buttons"
        assert NEW_DIGIT in found["buttons"], f"digit buttons {found['buttons']} lack {NEW_DIGIT!r}"
        area = page.locator('[data-ch11-test="cvae-area"]')
        area.scroll_into_view_if_needed()
        first = page.evaluate(READ_JS, HANDLE)
        assert first["src"], "the image next to the digit buttons has no src"

        # 1. another digit
        page.locator('[data-ch11-test="digits"] button', has_text=re.compile(rf"^\s*{NEW_DIGIT}\s*$")).click()
        _wait_for_new_image(page, first["src"])
        after_digit = page.evaluate(READ_JS, HANDLE)

        # 2. the style slider, by keyboard
        page.locator(f'[data-ch11-test="cvae-slider"] :is({HANDLE})').first.focus()
        for _ in range(KEY_PRESSES):
            page.keyboard.press("ArrowRight")
            page.wait_for_timeout(150)
        _wait_for_new_image(page, after_digit["src"])
        after_slider = page.evaluate(READ_JS, HANDLE)
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        area.screenshot(path=str(SCREENSHOT), scale="css")

        ok_digit = after_digit["digit"] == NEW_DIGIT and after_digit["src"] not in (None, first["src"])
        ok_readout = (after_slider["readout"] is not None and first["readout"] is not None
                      and float(after_slider["readout"]) > float(first["readout"]))
        ok_slider_image = after_slider["src"] not in (None, after_digit["src"])
        result = "passed" if ok_digit and ok_readout and ok_slider_image else "FAILED"
        run_log.add((f"{CVAE_NOTEBOOK} digit buttons + slider {SLIDER_DESCRIPTION}", time.monotonic() - start,
                     result, f"digit {first['digit']} -> {after_digit['digit']}, readout {first['readout']} -> "
                             f"{after_slider['readout']}, screenshot {SCREENSHOT}"))
        assert ok_digit, (f"clicking digit {NEW_DIGIT} gave active button {after_digit['digit']!r} and "
                          f"{'a new' if after_digit['src'] != first['src'] else 'the same'} image; expected "
                          f"{NEW_DIGIT!r} and a new image (screenshot {SCREENSHOT})")
        assert ok_readout, (f"after {KEY_PRESSES} x ArrowRight the readout of {SLIDER_DESCRIPTION!r} went "
                            f"{first['readout']!r} -> {after_slider['readout']!r}; expected a larger number")
        assert ok_slider_image, f"the decoded image did not change when the slider moved (screenshot {SCREENSHOT})"
    finally:
        close_run(lab_server, run)
