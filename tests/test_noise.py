"""utils.noise: corruption statistics, clipping, seeds, and the scipy.ndimage filters against their hand-written forms."""

import numpy as np
import pytest

from utils.noise import gaussian_corruption, gaussian_filter, gaussian_noise, mask_pixels, median_filter


def test_gaussian_noise_statistics_without_clipping_effect():
    x = np.full((200, 28, 28, 1), 0.5, np.float32)
    noisy = gaussian_noise(x, 0.05, seed=0)
    d = noisy - x
    assert abs(d.mean()) < 1e-3
    assert d.std() == pytest.approx(0.05, rel=0.01)


def test_gaussian_noise_is_clipped_and_seeded():
    x = np.random.default_rng(1).random((50, 28, 28, 1)).astype(np.float32)
    a = gaussian_noise(x, 0.5, seed=3)
    assert a.dtype == np.float32 and a.shape == x.shape
    assert a.min() == 0.0 and a.max() == 1.0
    np.testing.assert_array_equal(a, gaussian_noise(x, 0.5, seed=3))
    assert not np.array_equal(a, gaussian_noise(x, 0.5, seed=4))
    rng = np.random.default_rng(3)     # the formula the docstring (and notebook 03) states
    np.testing.assert_array_equal(a, np.clip(x + np.float32(0.5) * rng.standard_normal(x.shape, dtype=np.float32), 0, 1))
    np.testing.assert_array_equal(gaussian_noise(x, 0.0, seed=0), x)


def test_masking_fraction():
    x = np.full((100, 28, 28), 0.5, np.float32)
    m = mask_pixels(x, 0.3, seed=0)
    assert (m == 0).mean() == pytest.approx(0.3, abs=0.01)
    assert set(np.unique(m)) == {0.0, 0.5}


@pytest.mark.parametrize("call, match", [
    (lambda x: gaussian_noise(x, -0.1), "sigma is -0.1"),
    (lambda x: gaussian_noise(x + 1, 0.1), r"values in \[1.5, 1.5\]; expected pixel values in \[0, 1\]"),
    (lambda x: gaussian_noise(x, 25), r"sigma is 25; expected a standard deviation in \[0, 1\].*25 / 255 = 0.098"),
    (lambda x: gaussian_corruption(25), r"sigma is 25; .*sigma=25 / 255"),
    (lambda x: mask_pixels(x, -0.2), "fraction is -0.2"),
    (lambda x: gaussian_noise(x[0, 0, 0], 0.1), "shape"),
    (lambda x: median_filter(x, 2), "odd"),
    (lambda x: gaussian_filter(x, 0), "sigma is 0"),
])
def test_bad_input_raises_value_error(call, match):
    x = np.full((2, 4, 4, 1), 0.5, np.float32)
    with pytest.raises(ValueError, match=match):
        call(x)


def _reflect_pad(x: np.ndarray, r: int) -> np.ndarray:
    return np.pad(x, ((0, 0), (r, r), (r, r)), mode="reflect")


def _handwritten_gaussian(x: np.ndarray, sigma: float) -> np.ndarray:
    """The filter as the series first wrote it: a separable numpy sum over reflected edges, radius ceil(3 sigma)."""
    r = int(np.ceil(3 * sigma))
    t = np.arange(-r, r + 1, dtype=np.float64)
    w = np.exp(-0.5 * (t / sigma) ** 2)
    w = (w / w.sum()).astype(np.float32)
    p, (h, wd) = _reflect_pad(x, r), x.shape[1:]
    rows = sum(w[i] * p[:, i:i + h, :] for i in range(len(w)))
    return sum(w[i] * rows[:, :, i:i + wd] for i in range(len(w)))


def _handwritten_median(x: np.ndarray, size: int) -> np.ndarray:
    windows = np.lib.stride_tricks.sliding_window_view(_reflect_pad(x, size // 2), (size, size), axis=(1, 2))
    return np.median(windows.reshape(*x.shape, size * size), axis=-1)


@pytest.mark.parametrize("shape", [(6, 28, 28), (2, 9, 7), (1, 3, 3)])
def test_scipy_filters_give_the_hand_written_results(shape):
    """Notebook 03's baselines through scipy.ndimage: the same numbers as the numpy versions they replace."""
    x = np.random.default_rng(0).random(shape).astype(np.float32)
    noisy = gaussian_noise(x, 0.5, seed=1)
    for sigma in (0.5, 0.7, 1.0, 1.5, 2.0, 3.0):
        np.testing.assert_allclose(gaussian_filter(noisy, sigma), _handwritten_gaussian(noisy, sigma), atol=5e-7)
    for size in (1, 3, 5):
        np.testing.assert_array_equal(median_filter(noisy, size), _handwritten_median(noisy, size))
    np.testing.assert_allclose(gaussian_filter(noisy[..., None], 1.0)[..., 0], gaussian_filter(noisy, 1.0))
    np.testing.assert_allclose(gaussian_filter(np.full((1, 5, 5, 1), 0.3), 0.8), 0.3, atol=1e-6)


def test_gaussian_filter_radius():
    x = np.random.default_rng(2).random((2, 9, 9)).astype(np.float32)
    np.testing.assert_array_equal(gaussian_filter(x, 1.0, radius=0), x)        # a one-tap kernel
    assert not np.allclose(gaussian_filter(x, 1.0, radius=1), gaussian_filter(x, 1.0))


def test_median_filter_removes_isolated_salt():
    x = np.zeros((1, 5, 5, 1), np.float32)
    x[0, 2, 2, 0] = 1.0
    np.testing.assert_array_equal(median_filter(x), np.zeros_like(x))
    y = np.arange(9, dtype=np.float32).reshape(1, 3, 3) / 8
    assert median_filter(y)[0, 1, 1] == pytest.approx(4 / 8)   # centre: median of all nine
    assert median_filter(y).shape == y.shape
