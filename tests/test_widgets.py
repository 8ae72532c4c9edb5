"""Tests of utils.widgets without a browser: decoding one point, the PCA directions, the explorer's state."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from utils.runtime import quiet_tensorflow  # noqa: E402

tf = quiet_tensorflow()
import keras  # noqa: E402

from utils.vae import build_decoder  # noqa: E402
from utils.widgets import decode_point, draw_latent_point, latent_explorer, principal_directions  # noqa: E402


@pytest.fixture(scope="module")
def decoders():
    keras.utils.set_random_seed(0)
    return build_decoder(2, hidden=16, widths=(2, 4)), build_decoder(5, hidden=16, widths=(2, 4))


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
    assert d.explained[0] > 0.99 and d.explained.sum() <= 1 + 1e-6
    np.testing.assert_allclose(d.mean, mu.mean(axis=0), atol=1e-5)
    coords = d.encode(mu[:3])
    np.testing.assert_allclose(d.decode(coords), d.mean + coords @ d.components.T, atol=1e-5)
    with pytest.raises(ValueError, match=r"n_components is 4; expected an int in \[1, 3\]"):
        principal_directions(mu, 4)
    with pytest.raises(ValueError, match="mu has shape .* all its rows are equal"):
        principal_directions(np.ones((10, 3)), 2)


def test_draw_latent_point_returns_a_figure():
    fig = draw_latent_point(np.zeros((28, 28)), (0.0, 1.0), np.zeros((10, 2)), labels=np.arange(10))
    assert len(fig.axes) == 3   # image, scatter, colour bar


def test_explorer_two_dimensional(decoders):
    dec2, _ = decoders
    mu = np.random.default_rng(1).normal(size=(200, 2))
    box = latent_explorer(dec2, mu, labels=np.arange(200) % 10)
    assert [s.description for s in box.sliders] == ["z1", "z2"]
    assert all(type(s).__name__ == "FloatSlider" and s.readout and not s.continuous_update for s in box.sliders)
    assert box.state["redraws"] == 1
    before = box.state["image"].copy()
    box.sliders[0].value = 2.5                      # what a slider move (mouse or arrow key) does
    assert box.state["redraws"] == 2
    np.testing.assert_allclose(box.state["z"], [2.5, 0.0])
    np.testing.assert_allclose(box.state["image"], decode_point(dec2, [2.5, 0.0]))
    assert not np.allclose(before, box.state["image"])


def test_explorer_principal_directions(decoders):
    _, dec5 = decoders
    mu = np.random.default_rng(2).normal(size=(300, 5)) * np.array([3, 2, 1, 0.5, 0.1])
    box = latent_explorer(dec5, mu, n_sliders=3)
    assert [s.description for s in box.sliders] == ["pc1", "pc2", "pc3"]
    np.testing.assert_allclose(box.state["z"], mu.mean(axis=0), atol=1e-5)
    box.sliders[1].value = 1.0
    d = principal_directions(mu, 3)
    np.testing.assert_allclose(box.state["z"], d.mean + 1.0 * d.components[:, 1], atol=1e-5)
    with pytest.raises(ValueError, match=r"mu has shape \(300, 5\); the decoder takes 2"):
        latent_explorer(decoders[0], mu)


def test_explorer_frame_holds_every_slider_position(decoders):
    dec2, _ = decoders
    mu = np.random.default_rng(3).normal(size=(100, 2)) * 0.1 - 1.5   # a small cloud away from 0
    box = latent_explorer(dec2, mu, limit=3.0)
    box.sliders[0].value = 3.0
    box.sliders[1].value = -3.0
    assert box.state["point"] == (3.0, -3.0)
    assert box.state["redraws"] == 3
    (x_lo, x_hi), (y_lo, y_hi) = box.frame
    assert x_lo < -3.0 and x_hi > 3.0 and y_lo < -3.0 and y_hi > 3.0
