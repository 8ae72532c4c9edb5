"""utils.noise: corruption statistics, clipping, seeds, and the numpy filters."""

import numpy as np
import pytest

from utils.noise import (gaussian_filter, gaussian_kernel, gaussian_noise, mask_pixels, median_filter,
                         salt_and_pepper)


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


def test_salt_and_pepper_and_masking_fractions():
    x = np.full((100, 28, 28), 0.5, np.float32)
    sp = salt_and_pepper(x, 0.2, seed=0)
    changed = sp != 0.5
    assert changed.mean() == pytest.approx(0.2, abs=0.01)
    assert set(np.unique(sp[changed])) == {0.0, 1.0}
    assert (sp[changed] == 1.0).mean() == pytest.approx(0.5, abs=0.02)
    m = mask_pixels(x, 0.3, seed=0)
    assert (m == 0).mean() == pytest.approx(0.3, abs=0.01)
    assert set(np.unique(m)) == {0.0, 0.5}


@pytest.mark.parametrize("call, match", [
    (lambda x: gaussian_noise(x, -0.1), "sigma is -0.1"),
    (lambda x: gaussian_noise(x + 1, 0.1), r"values in \[1.5, 1.5\]; expected pixel values in \[0, 1\]"),
    (lambda x: salt_and_pepper(x, 1.5), "amount is 1.5"),
    (lambda x: mask_pixels(x, -0.2), "fraction is -0.2"),
    (lambda x: gaussian_noise(x[0, 0, 0], 0.1), "shape"),
    (lambda x: median_filter(x, 2), "odd"),
    (lambda x: gaussian_filter(x, 0), "sigma is 0"),
])
def test_bad_input_raises_value_error(call, match):
    x = np.full((2, 4, 4, 1), 0.5, np.float32)
    with pytest.raises(ValueError, match=match):
        call(x)


def test_gaussian_filter_against_direct_2d_sum():
    rng = np.random.default_rng(0)
    x = rng.random((3, 9, 9)).astype(np.float32)
    w = gaussian_kernel(1.0)
    assert w.sum() == pytest.approx(1.0) and len(w) == 7
    out = gaussian_filter(x, 1.0)
    p = np.pad(x, ((0, 0), (3, 3), (3, 3)), mode="reflect")
    k2 = np.outer(w, w)
    direct = np.array([[[np.sum(k2 * p[n, i:i + 7, j:j + 7]) for j in range(9)] for i in range(9)] for n in range(3)])
    np.testing.assert_allclose(out, direct, atol=1e-6)
    np.testing.assert_allclose(gaussian_filter(np.full((1, 5, 5, 1), 0.3), 0.8), 0.3, atol=1e-6)


def test_median_filter_removes_isolated_salt():
    x = np.zeros((1, 5, 5, 1), np.float32)
    x[0, 2, 2, 0] = 1.0
    np.testing.assert_array_equal(median_filter(x), np.zeros_like(x))
    y = np.arange(9, dtype=np.float32).reshape(1, 3, 3) / 8
    assert median_filter(y)[0, 1, 1] == pytest.approx(4 / 8)   # centre: median of all nine
    assert median_filter(y).shape == y.shape
