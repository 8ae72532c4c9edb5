"""utils.transpose_conv: the lecture's worked matrices, TensorFlow/Keras agreement, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from utils.runtime import quiet_tensorflow
from utils.transpose_conv import conv_matrix, output_size, same_padding, transpose_output_size

tf = quiet_tensorflow()
import keras  # noqa: E402  (after quiet_tensorflow, as in the notebooks)

KERNEL_A = np.array([[2, 1], [4, 3]])
X_A = np.arange(1, 10).reshape(3, 3)
KERNEL_B = np.array([[1, 2], [3, 4]])
X_B = np.array([[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]])


# ---------------------------------------------------------------- the lecture's numbers, by hand
def test_example_a_matrix_rows():
    expected = np.array([
        [2, 1, 0, 4, 3, 0, 0, 0, 0],
        [0, 2, 1, 0, 4, 3, 0, 0, 0],
        [0, 0, 0, 2, 1, 0, 4, 3, 0],
        [0, 0, 0, 0, 2, 1, 0, 4, 3],
    ])
    C = conv_matrix(KERNEL_A, (3, 3))
    assert C.shape == (4, 9)
    np.testing.assert_array_equal(C, expected)


def test_example_a_forward_is_35_45_65_75():
    C = conv_matrix(KERNEL_A, X_A.shape)
    np.testing.assert_array_equal(C @ X_A.ravel(), [35, 45, 65, 75])  # the slide's 67 is a misprint


def test_example_a_transpose():
    C = conv_matrix(KERNEL_A, (3, 3))
    np.testing.assert_array_equal(C.T @ np.array([1, 2, 3, 4]), [2, 5, 2, 10, 22, 10, 12, 25, 12])


def test_example_b_stride_2():
    expected = np.zeros((4, 16), dtype=int)
    expected[0, [0, 1, 4, 5]] = [1, 2, 3, 4]
    expected[1, [2, 3, 6, 7]] = [1, 2, 3, 4]
    expected[2, [8, 9, 12, 13]] = [1, 2, 3, 4]
    expected[3, [10, 11, 14, 15]] = [1, 2, 3, 4]
    C = conv_matrix(KERNEL_B, (4, 4), strides=2)
    np.testing.assert_array_equal(C, expected)
    np.testing.assert_array_equal((C @ X_B.ravel()).reshape(2, 2), [[10, 20], [30, 40]])
    # the transpose doubles the grid: each input value stamps the kernel into its own 2x2 block
    up = (C.T @ np.array([1, 2, 3, 4])).reshape(4, 4)
    np.testing.assert_array_equal(up, np.kron([[1, 2], [3, 4]], KERNEL_B))


def test_dtype_follows_kernel():
    assert np.issubdtype(conv_matrix(KERNEL_A, (3, 3)).dtype, np.integer)
    assert conv_matrix(KERNEL_A.astype(np.float32), (3, 3)).dtype == np.float32


# ---------------------------------------------------------------- sizes
@pytest.mark.parametrize("n,k,s,pad,expected", [
    (3, 2, 1, "valid", 2), (4, 2, 2, "valid", 2), (28, 3, 2, "valid", 13), (5, 5, 3, "valid", 1),
    (28, 3, 2, "same", 14), (7, 3, 2, "same", 4), (8, 3, 2, "same", 4), (2, 5, 1, "same", 2),
])
def test_output_size(n, k, s, pad, expected):
    assert output_size(n, k, s, pad) == expected


@pytest.mark.parametrize("n,k,s,expected", [
    (4, 2, 1, (0, 1)),   # even kernel: the extra zero goes after (bottom/right)
    (5, 4, 2, (1, 2)),
    (4, 3, 2, (0, 1)),
    (5, 3, 1, (1, 1)),
    (6, 1, 3, (0, 0)),
    (2, 5, 1, (2, 2)),   # kernel larger than the input is fine with "same"
])
def test_same_padding_split(n, k, s, expected):
    assert same_padding(n, k, s) == expected


@pytest.mark.parametrize("n,k,s,pad,expected", [
    (2, 2, 1, "valid", 3), (2, 2, 2, "valid", 4), (13, 3, 2, "valid", 27), (3, 2, 3, "valid", 9),
    (3, 1, 3, "valid", 9), (14, 3, 2, "same", 28), (4, 3, 2, "same", 8), (3, 4, 2, "same", 6),
])
def test_transpose_output_size(n, k, s, pad, expected):
    got = transpose_output_size(n, k, s, pad)
    assert got == expected
    assert output_size(got, k, s, pad) == n  # it convolves back to the size it came from


# ---------------------------------------------------------------- against TensorFlow and Keras
def _random_cases(n_cases: int, seed: int):
    rng = np.random.default_rng(seed)
    for _ in range(n_cases):
        kh, kw = rng.integers(1, 6, size=2)
        padding = ["valid", "same"][rng.integers(2)]
        lo_h, lo_w = (kh, kw) if padding == "valid" else (1, 1)
        in_h, in_w = rng.integers(lo_h, 10), rng.integers(lo_w, 10)
        strides = int(rng.integers(1, 4)) if rng.random() < 0.5 else tuple(int(v) for v in rng.integers(1, 4, size=2))
        kernel = rng.integers(-4, 5, size=(kh, kw)).astype(np.float64)
        yield kernel, (int(in_h), int(in_w)), strides, padding, rng


def _pair(strides):
    return (strides, strides) if isinstance(strides, int) else strides


def test_matrix_matches_tf_conv2d_and_conv2d_transpose():
    n = 0
    for kernel, shape, strides, padding, rng in _random_cases(300, seed=11):
        C = conv_matrix(kernel, shape, strides, padding)
        x = rng.normal(size=shape)
        want = tf.nn.conv2d(x[None, :, :, None], kernel[:, :, None, None], strides, padding.upper())
        np.testing.assert_allclose(C @ x.ravel(), want.numpy().ravel(), atol=1e-10,
                                   err_msg=f"conv2d k={kernel.shape} in={shape} s={strides} {padding}")
        out_shape = want.shape[1:3]
        y = rng.normal(size=out_shape)
        back = tf.nn.conv2d_transpose(y[None, :, :, None], kernel[:, :, None, None],
                                      output_shape=(1, *shape, 1), strides=strides, padding=padding.upper())
        np.testing.assert_allclose(C.T @ y.ravel(), back.numpy().ravel(), atol=1e-10,
                                   err_msg=f"conv2d_transpose k={kernel.shape} out={shape} s={strides} {padding}")
        n += 1
    assert n == 300


def test_matrix_transpose_matches_keras_conv2d_transpose():
    for kernel, _, strides, padding, rng in _random_cases(120, seed=12):
        in_h, in_w = (int(v) for v in rng.integers(1, 7, size=2))
        y = rng.normal(size=(in_h, in_w)).astype(np.float32)
        layer = keras.layers.Conv2DTranspose(1, kernel.shape, strides=strides, padding=padding, use_bias=False)
        layer.build((None, in_h, in_w, 1))
        assert tuple(layer.kernel.shape) == (*kernel.shape, 1, 1)   # (kh, kw, filters, in_channels)
        layer.set_weights([kernel[:, :, None, None].astype(np.float32)])
        got = layer(y[None, :, :, None]).numpy()[0, :, :, 0]
        sh, sw = _pair(strides)
        expected_shape = (transpose_output_size(in_h, kernel.shape[0], sh, padding),
                          transpose_output_size(in_w, kernel.shape[1], sw, padding))
        assert got.shape == expected_shape, (kernel.shape, (in_h, in_w), strides, padding)
        C = conv_matrix(kernel, expected_shape, strides, padding)
        np.testing.assert_allclose((C.T @ y.ravel()).reshape(expected_shape), got, atol=1e-4,
                                   err_msg=f"Conv2DTranspose k={kernel.shape} in={(in_h, in_w)} s={strides} {padding}")


def test_every_admissible_output_shape_of_conv2d_transpose():
    """All output sizes n with output_size(n) == in are valid for tf.nn.conv2d_transpose; C.T follows each."""
    rng = np.random.default_rng(13)
    kernel = rng.integers(-3, 4, size=(3, 2)).astype(np.float64)
    y = rng.normal(size=(3, 2))
    for padding in ("valid", "same"):
        for s in (2, 3):
            hs = [n for n in range(1, 16) if n >= 3 * (padding == "valid") and output_size(n, 3, s, padding) == 3]
            ws = [n for n in range(1, 16) if n >= 2 * (padding == "valid") and output_size(n, 2, s, padding) == 2]
            assert len(hs) == s and len(ws) == s
            for h in hs:
                for w in ws:
                    back = tf.nn.conv2d_transpose(y[None, :, :, None], kernel[:, :, None, None], (1, h, w, 1),
                                                  s, padding.upper()).numpy()[0, :, :, 0]
                    C = conv_matrix(kernel, (h, w), s, padding)
                    np.testing.assert_allclose((C.T @ y.ravel()).reshape(h, w), back, atol=1e-10)


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize("kernel,err,match", [
    (np.ones(3), ValueError, r"shape \(3,\).*expected a 2-D array"),
    (np.ones((2, 2, 1)), ValueError, r"3-D.*expected a 2-D array"),
    (np.ones((0, 2)), ValueError, r"shape \(0, 2\).*at least one row"),
    ([["a", "b"], ["c", "d"]], TypeError, r"dtype <U1; expected an array of real numbers"),
    (np.ones((2, 2), dtype=bool), TypeError, r"dtype bool.*integers or floats"),
    (np.ones((2, 2), dtype=complex), TypeError, r"dtype complex128"),
    ([[1, 2], [3]], TypeError, r"kernel cannot be read as an array.*expected an array of numbers"),
])
def test_bad_kernel(kernel, err, match):
    with pytest.raises(err, match=match):
        conv_matrix(kernel, (4, 4))


@pytest.mark.parametrize("strides,err,match", [
    (0, ValueError, r"strides is 0; expected an int >= 1"),
    (-2, ValueError, r"strides is -2; expected an int >= 1"),
    (1.5, TypeError, r"strides is 1\.5.*expected an int >= 1 or a pair"),
    (2.0, TypeError, r"strides is 2\.0"),
    ("2", TypeError, r"strides is '2'"),
    (True, TypeError, r"strides is True"),
    ((1, 0), ValueError, r"strides\[1\] is 0; expected an int >= 1"),
    ((2, 1.5), TypeError, r"strides\[1\] is 1\.5 \(float\); expected an int"),
    ((1, 2, 3), ValueError, r"3 entries; expected a pair"),
    (None, TypeError, r"strides is None"),
])
def test_bad_strides(strides, err, match):
    with pytest.raises(err, match=match):
        conv_matrix(KERNEL_A, (4, 4), strides=strides)


@pytest.mark.parametrize("padding", ["full", "causal", "", None, 1])
def test_bad_padding(padding):
    with pytest.raises(ValueError, match=r"padding is .*; expected 'valid' or 'same'"):
        conv_matrix(KERNEL_A, (4, 4), padding=padding)


def test_padding_any_case():
    np.testing.assert_array_equal(conv_matrix(KERNEL_A, (3, 3), padding="SAME"),
                                  conv_matrix(KERNEL_A, (3, 3), padding="same"))


@pytest.mark.parametrize("shape", [(1, 5), (5, 1), (1, 1)])
def test_kernel_larger_than_valid_input(shape):
    with pytest.raises(ValueError, match=r"kernel of shape \(2, 2\) is larger than the input of shape .*'same'"):
        conv_matrix(KERNEL_A, shape, padding="valid")
    assert conv_matrix(KERNEL_A, shape, padding="same").shape[1] == shape[0] * shape[1]  # fine with "same"


@pytest.mark.parametrize("shape,err,match", [
    ((), ValueError, r"input_shape is \(\) with 0 entries; expected a pair"),
    ((3,), ValueError, r"1 entries; expected a pair"),
    ((3, 3, 1), ValueError, r"3 entries; expected a pair .*one channel, no batch axis"),
    ((0, 3), ValueError, r"input_shape\[0\] is 0; expected an int >= 1"),
    ((3, -1), ValueError, r"input_shape\[1\] is -1"),
    ((3.0, 3), TypeError, r"input_shape\[0\] is 3\.0 \(float\); expected an int"),
    ("33", TypeError, r"input_shape is '33'; expected a pair"),
    (9, TypeError, r"input_shape is 9; expected a pair"),
])
def test_bad_input_shape(shape, err, match):
    with pytest.raises(err, match=match):
        conv_matrix(KERNEL_A, shape)


def test_bad_sizes_in_helpers():
    with pytest.raises(ValueError, match=r"kernel length 5 exceeds the input length 3"):
        output_size(3, 5, 1, "valid")
    with pytest.raises(ValueError, match=r"s is 0"):
        output_size(3, 2, 0, "same")
    with pytest.raises(TypeError, match=r"in_size is 2\.5"):
        transpose_output_size(2.5, 2, 1, "valid")
    with pytest.raises(ValueError, match=r"padding is 'full'"):
        transpose_output_size(2, 2, 1, "full")
