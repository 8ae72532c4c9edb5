"""Tests of utils.widgets without a browser: the frames are the decoder's output, the grids, the
synced value, the bad inputs, and the site's conversion of an explorer (tools.widget_site).

The browser tests (tests/browser/test_frame_explorers.py) move the sliders on the site, in a deck
and in JupyterLab with the kernel shut down.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import traitlets  # noqa: E402

from utils.runtime import quiet_tensorflow  # noqa: E402

tf = quiet_tensorflow()
import keras  # noqa: E402

from utils import widgets  # noqa: E402
from utils.cvae import decode_conditional  # noqa: E402
from utils.vae import build_decoder, pixel_probabilities  # noqa: E402
from utils.widgets import (LEVELS, MAX_FRAMES, FrameExplorer, conditional_explorer, decode_frames,  # noqa: E402
                           decode_point, draw_latent_point, encode_frames, latent_explorer, model_switcher,
                           principal_directions, slider_positions)

# A stored frame is round(p * LEVELS) / LEVELS: at most half a level from the decoder's output.
QUANTISATION = 0.5 / LEVELS + 1e-6


@pytest.fixture(scope="module")
def decoders():
    keras.utils.set_random_seed(0)
    return build_decoder(2, hidden=16, widths=(2, 4)), build_decoder(5, hidden=16, widths=(2, 4))


@pytest.fixture(scope="module")
def cdecoder():
    keras.utils.set_random_seed(1)
    return build_decoder(2, hidden=16, widths=(2, 4), n_classes=10, name="cvae_decoder")


@pytest.fixture(scope="module")
def mu2():
    return np.random.default_rng(1).normal(size=(200, 2))


@pytest.fixture(scope="module")
def explorer_2(decoders, mu2):
    return latent_explorer(decoders[0], mu2, labels=np.arange(200) % 10)


def test_decode_point_shape_and_values(decoders):
    dec2, _ = decoders
    img = decode_point(dec2, [0.3, -1.2])
    assert img.shape == (28, 28)
    assert np.all((img > 0) & (img < 1))
    logits = np.asarray(dec2(np.array([[0.3, -1.2]], np.float32)))[0, :, :, 0]
    np.testing.assert_allclose(img, 1 / (1 + np.exp(-logits)), rtol=1e-5)


def test_decode_point_rejects_wrong_latent_size(decoders):
    dec2, _ = decoders
    with pytest.raises(ValueError, match=r"z has shape \(3,\); the decoder takes a latent vector of 2"):
        decode_point(dec2, [0.0, 0.0, 0.0])


def test_principal_directions_find_the_long_axis():
    rng = np.random.default_rng(0)
    u = np.array([3.0, 4.0, 0.0]) / 5
    mu = 1.0 + rng.normal(size=(5000, 1)) * 4 * u + rng.normal(size=(5000, 3)) * 0.1
    d = principal_directions(mu, 2)           # a utils.pca.PCA fitted on the mu's
    np.testing.assert_allclose(d.components.T @ d.components, np.eye(2), atol=1e-6)
    np.testing.assert_allclose(d.components[:, 0], u, atol=0.01)       # sign fixed: largest entry positive
    assert np.sqrt(d.variances[0]) == pytest.approx(4.0, rel=0.05)
    with pytest.raises(ValueError, match=r"n_components is 4; expected an int in \[1, 3\]"):
        principal_directions(mu, 4)
    with pytest.raises(ValueError, match="mu has shape .* all its rows are equal"):
        principal_directions(np.ones((10, 3)), 2)


def test_draw_latent_point_returns_a_figure():
    fig = draw_latent_point(np.zeros((28, 28)), (0.0, 1.0), np.zeros((10, 2)), labels=np.arange(10))
    assert len(fig.axes) == 3   # image, scatter, colour bar
    plt.close(fig)


# --------------------------------------------------------------------------- grids and frames
def test_slider_positions_are_symmetric_multiples_of_the_step():
    np.testing.assert_allclose(slider_positions(3.0, 0.5), np.arange(-6, 7) * 0.5)
    np.testing.assert_allclose(slider_positions(1.0, 0.3), [-0.9, -0.6, -0.3, 0.0, 0.3, 0.6, 0.9])
    assert 0.0 in slider_positions(2.0, 0.75)


@pytest.mark.parametrize("limit, step, message", [
    (0, 0.5, "limit is 0"), (float("nan"), 0.5, "limit is nan"), (-1.0, 0.5, "limit is -1"),
    (3.0, 0, "step is 0"), (3.0, float("nan"), "step is nan"), (3.0, 4.0, "step is 4 but limit is 3"),
])
def test_slider_positions_refuse_bad_limits_and_steps(limit, step, message):
    with pytest.raises(ValueError, match=message):
        slider_positions(limit, step)


def test_frames_pack_and_unpack_to_the_quantisation():
    images = np.random.default_rng(0).uniform(size=(7, 28, 28))
    sheet = encode_frames(images)
    assert sheet["count"] == 7 and (sheet["width"], sheet["height"]) == (28, 28) and sheet["levels"] == LEVELS
    back = decode_frames(sheet)
    assert back.shape == (7, 28, 28)
    assert np.abs(back - images).max() <= QUANTISATION


def test_explorer_frames_are_the_decoder_output_at_each_grid_point(decoders, explorer_2):
    """Every stored frame equals the decoder's output at the same z, to the stored quantisation."""
    dec2, _ = decoders
    controls = explorer_2.controls
    assert [c["name"] for c in controls] == ["z1", "z2"]
    values = [np.asarray(c["values"]) for c in controls]
    np.testing.assert_allclose(values[0], slider_positions(3.0, 0.25))   # the default grid: 25 x 25
    z = np.array(np.meshgrid(values[0], values[1], indexing="ij")).reshape(2, -1).T
    want = pixel_probabilities(dec2, z.astype(np.float32))[..., 0]
    frames = explorer_2.frames
    assert frames.shape == (625, 28, 28)
    assert np.abs(frames - want).max() <= QUANTISATION
    assert np.ptp(frames.reshape(625, -1).mean(axis=1)) > 0      # the frames differ


def test_explorer_value_is_synced_snapped_and_decodes_z(decoders, explorer_2):
    dec2, _ = decoders
    assert explorer_2.value == {"z1": 0.0, "z2": 0.0}
    assert "value" in explorer_2.keys                             # a synced trait: the browser writes it
    explorer_2.value = {"z1": 1.1, "z2": -2.0}                    # what a slider move does, from Python
    assert explorer_2.value == {"z1": 1.0, "z2": -2.0}
    np.testing.assert_allclose(explorer_2.z, [1.0, -2.0])
    assert np.abs(explorer_2.image - decode_point(dec2, [1.0, -2.0])).max() <= QUANTISATION
    assert explorer_2.frame_index() == 16 * 25 + 4
    with pytest.raises(traitlets.TraitError, match=r"expected a dict with one entry for each control: \['z1', 'z2'\]"):
        explorer_2.value = {"z1": 0.0}
    with pytest.raises(ValueError, match=r"value\['z2'\] is nan"):
        explorer_2.value = {"z1": 0.0, "z2": float("nan")}
    explorer_2.value = {"z1": 0.0, "z2": 0.0}


def test_explorer_scatter_maps_data_to_pixels(explorer_2):
    s = explorer_2.scatter
    (u0, v0), (u1, v1) = s["px"]
    assert 0 < u0 < u1 < s["width"] and 0 < v1 < v0 < s["height"]       # y grows upwards in data, down in pixels
    (x_lo, x_hi), (y_lo, y_hi) = explorer_2.limits
    assert s["data"] == [[x_lo, y_lo], [x_hi, y_hi]]
    assert x_lo < -3.0 and x_hi > 3.0 and y_lo < -3.0 and y_hi > 3.0    # every slider position is inside
    assert s["x"] == 0 and s["y"] == 1 and "산점도" in s["alt"]


def test_explorer_principal_directions(decoders):
    _, dec5 = decoders
    mu = np.random.default_rng(2).normal(size=(300, 5)) * np.array([3, 2, 1, 0.5, 0.1])
    box = latent_explorer(dec5, mu, n_sliders=3)
    assert [c["name"] for c in box.controls] == ["pc1", "pc2", "pc3"]
    assert [len(c["values"]) for c in box.controls] == [9, 9, 9]      # default step 0.75: 729 frames
    np.testing.assert_allclose(box.z, mu.mean(axis=0), atol=1e-5)
    d = principal_directions(mu, 3)
    sd = np.sqrt(d.variances)
    box.value = {"pc1": 0.0, "pc2": 1.5 * sd[1], "pc3": -3 * sd[2]}
    z = d.mean + 1.5 * sd[1] * d.components[:, 1] - 3 * sd[2] * d.components[:, 2]
    np.testing.assert_allclose(box.z, z, atol=1e-5)
    assert np.abs(box.image - decode_point(dec5, z)).max() <= QUANTISATION
    with pytest.raises(ValueError, match=r"mu has shape \(300, 5\); the decoder takes 2"):
        latent_explorer(decoders[0], mu)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"limit": 0}, ValueError, "limit is 0"),
    ({"limit": float("nan")}, ValueError, "limit is nan"),
    ({"step": 0}, ValueError, "step is 0"),
    ({"step": 0.01}, ValueError, r"frames to decode and store; expected at most 4000"),
    ({"n_sliders": 3}, ValueError, "n_sliders is 3"),
    ({"n_sliders": 1.5}, TypeError, "n_sliders is 1.5"),
    ({"max_points": 0}, ValueError, "max_points is 0"),
    ({"labels": np.arange(5)}, ValueError, r"labels has shape \(5,\) for 200 rows of mu"),
])
def test_explorer_refuses_bad_arguments(decoders, mu2, kwargs, error, message):
    with pytest.raises(error, match=message):
        latent_explorer(decoders[0], mu2, **kwargs)
    assert MAX_FRAMES == 4000


# --------------------------------------------------------------------------- notebook 05's widgets
def test_conditional_frames_are_the_decoder_output(cdecoder):
    box = conditional_explorer(cdecoder, digit=7)
    assert [c["name"] for c in box.controls] == ["digit", "z1", "z2"]
    assert box.controls[0]["kind"] == "choice" and box.controls[0]["values"] == list(range(10))
    positions = np.asarray(box.controls[1]["values"])
    np.testing.assert_allclose(positions, slider_positions(3.0, 0.75))     # 10 x 9 x 9 = 810 frames
    assert box.value == {"digit": 7, "z1": 0.0, "z2": 0.0}
    digits, i, j = np.meshgrid(np.arange(10), np.arange(9), np.arange(9), indexing="ij")
    z = np.stack([positions[i.ravel()], positions[j.ravel()]], axis=1)
    want = decode_conditional(cdecoder, z, digits.ravel())
    assert np.abs(box.frames - want).max() <= QUANTISATION
    box.value = {"digit": 3, "z1": 2.2, "z2": -0.7}
    assert box.value == {"digit": 3, "z1": 2.25, "z2": -0.75}
    np.testing.assert_allclose(box.z, [2.25, -0.75])
    assert np.abs(box.image - decode_conditional(cdecoder, [2.25, -0.75], [3])[0]).max() <= QUANTISATION
    with pytest.raises(traitlets.TraitError, match=r"value\['digit'\] is 3.0 .*; expected one of"):
        box.value = {"digit": 3.0, "z1": 0.0, "z2": 0.0}


@pytest.mark.parametrize("kwargs, error, message", [
    ({"limit": 0}, ValueError, "limit is 0"),
    ({"limit": float("nan")}, ValueError, "limit is nan"),
    ({"step": 0}, ValueError, "step is 0"),
    ({"step": -0.5}, ValueError, "step is -0.5"),
    ({"digit": 3.7}, TypeError, "digit is 3.7"),
    ({"digit": 10}, ValueError, "digit is 10"),
    ({"digit": "3"}, TypeError, "digit is '3'"),
    ({"n_classes": 5}, ValueError, "n_classes is 5 but the decoder's label input takes 10"),
])
def test_conditional_explorer_refuses_bad_arguments(cdecoder, kwargs, error, message):
    with pytest.raises(error, match=message):
        conditional_explorer(cdecoder, **kwargs)


def test_conditional_explorer_refuses_an_unconditional_decoder(decoders):
    with pytest.raises(ValueError, match=r"decoder has 1 input\(s\); conditional_explorer expects .* two inputs"):
        conditional_explorer(decoders[0])


def _figure(option: str):
    fig, ax = plt.subplots(figsize=(2, 1), dpi=50)
    ax.imshow(np.full((4, 4), float(option) / 4), cmap="gray", vmin=0, vmax=1)
    ax.set_title(option)
    return fig


def test_model_switcher_stores_one_figure_per_option():
    plt.close("all")                                               # figures other tests left open
    box = model_switcher(_figure, [0.5, 1.0, 4.0])
    assert box.controls[0]["values"] == ["0.5", "1.0", "4.0"] and box.controls[0]["kind"] == "slider"
    assert box.value == {"beta": "0.5"}
    assert len(box.sheet["images"]) == 3 and len(set(box.sheet["images"])) == 3
    assert (box.sheet["width"], box.sheet["height"]) == (100, 50)
    box.value = {"beta": "4.0"}
    assert box.frame_index() == 2
    assert not plt.get_fignums()                                   # every figure was closed


@pytest.mark.parametrize("options, error, message", [
    ("0.5", TypeError, r"options is '0.5' \(str\); expected a list of options"),
    ([], ValueError, "options is empty"),
    (["1", "1"], ValueError, r"repeat an entry"),
    (None, TypeError, "options is None"),
])
def test_model_switcher_refuses_bad_options(options, error, message):
    with pytest.raises(error, match=message):
        model_switcher(_figure, options)


def test_model_switcher_refuses_a_draw_that_returns_no_figure():
    with pytest.raises(TypeError, match=r"draw\('1'\) returned None \(NoneType\); expected a matplotlib Figure"):
        model_switcher(lambda option: None, ["1"])
    with pytest.raises(TypeError, match="draw is"):
        model_switcher("draw", ["1"])


# --------------------------------------------------------------------------- the front end and the site
def test_widget_state_is_json_and_carries_the_front_end(explorer_2):
    state = explorer_2.get_state()
    assert state["_model_module"] == "anywidget" and state["_anywidget_id"] == "utils.widgets.FrameExplorer"
    assert "export default { render }" in state["_esm"]
    json.dumps({k: v for k, v in state.items() if k != "layout"})
    data, _ = explorer_2._repr_mimebundle_()
    assert data["application/vnd.jupyter.widget-view+json"]["model_id"] == explorer_2.model_id


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_front_end_module_parses():
    done = subprocess.run(["node", "--input-type=module", "--check"], input=widgets.FRONT_END.read_text(),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_site_turns_explorer_outputs_into_self_contained_html(explorer_2):
    from tools import widget_site

    state = {k: v for k, v in explorer_2.get_state().items()}
    layout = state["layout"]
    other = {"model_name": "IntSliderModel", "model_module": "@jupyter-widgets/controls", "state": {}}
    nb = {"metadata": {"widgets": {widget_site.WIDGET_STATE: {"state": {
        explorer_2.model_id: {"model_module": "anywidget", "model_name": "AnyModel", "state": state},
        layout[len("IPY_MODEL_"):]: {"model_module": "@jupyter-widgets/base", "state": {}},
        "other": other}}}},
        "cells": [{"cell_type": "code", "outputs": [{"output_type": "display_data", "data": {
            widget_site.WIDGET_VIEW: {"model_id": explorer_2.model_id}, "text/plain": "FrameExplorer()"}}]}]}
    assert widget_site.prepare_notebook(nb) == 1
    out = nb["cells"][0]["outputs"][0]["data"]
    assert set(out) == {"text/html", "text/plain"}
    html = out["text/html"]
    assert f'data-ch11-frames="{explorer_2.model_id}"' in html and "import(url)" in html
    payload = html.split('data-ch11-frames-state="', 1)[1].split(">", 1)[1].split("</script>", 1)[0]
    assert json.loads(payload)["sheet"] == explorer_2.sheet            # the stored state, unchanged
    assert list(nb["metadata"]["widgets"][widget_site.WIDGET_STATE]["state"]) == ["other"]
    nb["metadata"]["widgets"][widget_site.WIDGET_STATE]["state"].pop("other")
    nb["cells"][0]["outputs"][0]["data"] = {widget_site.WIDGET_VIEW: {"model_id": "gone"}}
    assert widget_site.prepare_notebook(nb) == 0


def test_frame_explorer_is_the_one_widget_class(explorer_2):
    assert isinstance(explorer_2, FrameExplorer)


def test_widget_displays_and_embeds_as_ipywidgets_stores_it(explorer_2):
    """What a notebook stores (ipywidgets 7.7.1 on Colab and 8.x alike): the view output and the model state."""
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.display import display
    from IPython.utils.capture import capture_output
    from ipywidgets.embed import embed_data

    InteractiveShell.instance()          # ipywidgets 7 displays through the shell's display publisher
    with capture_output() as shown:
        display(explorer_2)
    data = shown.outputs[0].data
    assert data["application/vnd.jupyter.widget-view+json"]["model_id"] == explorer_2.model_id
    stored = embed_data(views=[explorer_2], drop_defaults=False)["manager_state"]["state"][explorer_2.model_id]
    assert stored["model_module"] == "anywidget" and stored["model_name"] == "AnyModel"
    assert stored["state"]["sheet"]["png"] == explorer_2.sheet["png"] and "_esm" in stored["state"]


def test_stored_state_renders_in_a_browser_without_a_kernel(explorer_2, tmp_path):
    """The embedded state, drawn by the site's host in headless Chromium: the canvas holds the stored frame."""
    import os

    from tools import widget_site

    chromium = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (pip install playwright; never `playwright install`)")
    if not os.path.isfile(chromium):
        pytest.skip(f"no Chromium at {chromium}")
    from ipywidgets.embed import embed_data

    explorer_2.value = {"z1": -1.5, "z2": 2.25}
    state = embed_data(views=[explorer_2], drop_defaults=False)["manager_state"]["state"][explorer_2.model_id]["state"]
    page_html = tmp_path / "explorer.html"
    page_html.write_text("<!doctype html><html lang='ko'><head><meta charset='utf-8'></head><body>"
                         + widget_site.explorer_html(explorer_2.model_id, state) + "</body></html>", encoding="utf-8")
    want = np.round(np.round(explorer_2.image * LEVELS) * 255 / LEVELS).astype(int).ravel()
    errors, result = [], {}

    def look() -> None:   # in a thread of its own: Playwright's sync API refuses a thread with a running event loop
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=["--headless", "--no-sandbox"])
            try:
                page = browser.new_page()
                page.on("pageerror", lambda e: errors.append(str(e)))
                page.goto(page_html.as_uri())
                page.wait_for_selector(".ch11-frames[data-ready='true']", timeout=30_000)
                result["got"] = page.evaluate("""() => { const c = document.querySelector('.ch11-frames canvas');
                    const d = c.getContext('2d').getImageData(0, 0, 28, 28).data;
                    return {pixels: Array.from({length: 784}, (_, i) => d[4 * i]), frame: c.getAttribute('data-frame'),
                            label: c.getAttribute('aria-label')}; }""")
            except Exception as exc:   # reported below, in the test's own thread
                errors.append(f"{type(exc).__name__}: {exc}")
            finally:
                browser.close()

    import threading

    worker = threading.Thread(target=look)
    worker.start()
    worker.join(timeout=120)
    got = result.get("got")
    assert got is not None, errors or ["the browser did not answer within 120 s"]
    assert not errors, errors
    assert int(got["frame"]) == explorer_2.frame_index()
    np.testing.assert_array_equal(np.asarray(got["pixels"]), want)
    assert "z1 = -1.50" in got["label"] and "z2 = 2.25" in got["label"]
    explorer_2.value = {"z1": 0.0, "z2": 0.0}
