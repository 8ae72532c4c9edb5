"""utils.metrics: the per-image sum of squared errors and PSNR, against hand computation."""

import numpy as np
import pytest

from utils.metrics import psnr, sse_per_image


def test_sse_per_image_sums_over_pixels():
    x = np.zeros((2, 2, 2, 1), np.float32)
    x_hat = x.copy()
    x_hat[0, 0, 0, 0] = 0.5          # 0.25
    x_hat[1] = 1.0                   # 4 pixels * 1
    np.testing.assert_allclose(sse_per_image(x, x_hat), [0.25, 4.0])


def test_psnr_of_known_arrays():
    clean = np.zeros((2, 4, 4, 1), np.float32)
    est = np.full_like(clean, 0.1)   # MSE 0.01 -> 20 dB
    est[1] = 0.01                    # MSE 1e-4 -> 40 dB
    np.testing.assert_allclose(psnr(clean, est, per_image=True), [20.0, 40.0], rtol=1e-5)
    assert psnr(clean, est) == pytest.approx(30.0, rel=1e-5)
    assert psnr(clean + 1.5, est * 2 + 1.5, peak=2.0) == pytest.approx(30.0, rel=1e-5)


def test_psnr_matches_tensorflow():
    tf = pytest.importorskip("tensorflow")
    rng = np.random.default_rng(0)
    a = rng.random((5, 8, 8, 1)).astype(np.float32)
    b = np.clip(a + 0.1 * rng.standard_normal(a.shape).astype(np.float32), 0, 1)
    np.testing.assert_allclose(psnr(a, b, per_image=True), tf.image.psnr(a, b, max_val=1.0).numpy(), rtol=1e-4)


def test_exact_estimate_has_infinite_psnr():
    x = np.full((1, 3, 3, 1), 0.5)
    assert np.isinf(psnr(x, x))


@pytest.mark.parametrize("clean, est, match", [
    (np.zeros((2, 4, 4, 1)), np.zeros((2, 4, 5, 1)), "same shape"),
    (np.zeros((2, 4, 4, 1)), np.full((2, 4, 4, 1), 1.2), r"values in \[0, 1"),
    (np.full((2, 4, 4, 1), -0.1), np.zeros((2, 4, 4, 1)), "clean has values"),
])
def test_psnr_rejects_bad_input(clean, est, match):
    with pytest.raises(ValueError, match=match):
        psnr(clean, est)


def test_psnr_rejects_bad_peak_and_sse_bad_shapes():
    with pytest.raises(ValueError, match="peak"):
        psnr(np.zeros((1, 2, 2, 1)), np.zeros((1, 2, 2, 1)), peak=0)
    with pytest.raises(ValueError, match="same shape"):
        sse_per_image(np.zeros((3, 4, 4, 1)), np.zeros((2, 4, 4, 1)))
    with pytest.raises(ValueError, match="expected \\(n, height, width, channels\\)"):
        sse_per_image(np.zeros(4), np.zeros(4))


def test_one_image_is_refused_not_read_as_28_images():
    x = np.random.default_rng(0).random((28, 28, 1))
    for fn in (psnr, sse_per_image):
        with pytest.raises(ValueError, match=r"clean|x.* has shape \(28, 28, 1\); .*looks like one image: pass a batch of one"):
            fn(x, x)
    assert psnr(x[None], np.clip(x[None] + 0.05, 0, 1)) == pytest.approx(26.0, abs=0.5)


def test_psnr_matches_scikit_image_per_image():
    """The kept hand-written PSNR (students write it in exercise 03-2) against skimage.metrics."""
    from skimage.metrics import peak_signal_noise_ratio

    rng = np.random.default_rng(5)
    clean = rng.random((6, 28, 28, 1))
    noisy = np.clip(clean + rng.normal(0, 0.2, clean.shape), 0, 1)
    ours = psnr(clean, noisy, per_image=True)
    theirs = [peak_signal_noise_ratio(c, e, data_range=1.0) for c, e in zip(clean, noisy)]
    np.testing.assert_allclose(ours, theirs, rtol=1e-10)
    c255, e255 = np.round(clean * 255), np.round(noisy * 255)
    np.testing.assert_allclose(psnr(c255, e255, peak=255, per_image=True),
                               [peak_signal_noise_ratio(c, e, data_range=255) for c, e in zip(c255, e255)], rtol=1e-10)


def test_psnr_refuses_a_peak_of_255_for_pixels_in_0_1():
    clean = np.random.default_rng(0).random((2, 4, 4, 1))
    with pytest.raises(ValueError, match=r"peak is 255 but clean holds values in \[0, 1\]; .*peak=1 \(the default\)"):
        psnr(clean, clean * 0.9, peak=255)
    assert psnr(clean, clean * 0.9) == pytest.approx(psnr(clean * 255, clean * 0.9 * 255, peak=255))   # the fix
