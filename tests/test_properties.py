"""Properties of the metrics and of the convolution matrix on many random cases (seeded, so reproducible)."""

from __future__ import annotations

import numpy as np
import pytest

from utils.metrics import psnr, sse_per_image
from utils.transpose_conv import conv_matrix, output_size, transpose_output_size

RNG = np.random.default_rng(2024)


def _conv_cases(n=300):
    for _ in range(n):
        kh, kw = (int(v) for v in RNG.integers(1, 5, 2))
        in_h, in_w = int(RNG.integers(kh, 12)), int(RNG.integers(kw, 12))
        strides = tuple(int(v) for v in RNG.integers(1, 4, 2))
        padding = str(RNG.choice(["valid", "same", "SAME"]))
        yield RNG.normal(size=(kh, kw)), (in_h, in_w), strides, padding


@pytest.mark.parametrize("kernel, shape, strides, padding", list(_conv_cases()))
def test_conv_matrix_shape_and_transpose_size(kernel, shape, strides, padding):
    C = conv_matrix(kernel, shape, strides, padding)
    out = [output_size(shape[i], kernel.shape[i], strides[i], padding) for i in range(2)]
    assert C.shape == (out[0] * out[1], shape[0] * shape[1])
    assert np.count_nonzero(C) <= C.shape[0] * kernel.size          # at most one kernel per row
    # the transposed convolution's output size convolves back to the convolution's output size
    for i in range(2):
        t = transpose_output_size(out[i], kernel.shape[i], strides[i], padding)
        assert output_size(t, kernel.shape[i], strides[i], padding) == out[i]
    # every entry of C is an entry of the kernel (or a zero where it falls on padding)
    assert set(np.unique(C)) <= set(np.unique(kernel)) | {0.0}


def _image_pairs(n=200):
    for _ in range(n):
        shape = (int(RNG.integers(1, 6)), int(RNG.integers(1, 9)), int(RNG.integers(1, 9)), int(RNG.integers(1, 4)))
        a = RNG.random(shape)
        b = np.clip(a + RNG.normal(0, RNG.uniform(0.01, 0.5), shape), 0, 1)
        yield a, b


@pytest.mark.parametrize("a, b", list(_image_pairs()))
def test_metric_properties(a, b):
    sse = sse_per_image(a, b)
    d = a[0].size
    assert sse.shape == (len(a),) and np.all(sse >= 0)
    np.testing.assert_allclose(sse, sse_per_image(b, a))                    # symmetric
    np.testing.assert_allclose(sse_per_image(a, a), 0)
    values = psnr(a, b, per_image=True)
    with np.errstate(divide="ignore"):
        np.testing.assert_allclose(values, 10 * np.log10(d / sse))
    assert psnr(a, b) == pytest.approx(np.mean(values))
    assert np.all(values >= 0)                                             # errors below 1 per pixel
