"""Convolution as a matrix product, and transposed convolution as its transpose.

Taught in ``notebooks/01_transposed_convolution.ipynb``, which builds the
convolution matrix inline, row by row, and checks it against
:func:`conv_matrix` here.

One channel, row-major flattening. For a 2-D ``kernel`` and an input ``x`` of
shape ``(in_h, in_w)``::

    C = conv_matrix(kernel, x.shape, strides, padding)      # (out_h*out_w, in_h*in_w)
    C @ x.ravel()      == tf.nn.conv2d(x[None, :, :, None], kernel[:, :, None, None],
                                       strides, padding.upper()).numpy().ravel()
    C.T @ y.ravel()    == tf.nn.conv2d_transpose(y[None, :, :, None], kernel[:, :, None, None],
                                                 output_shape=(1, in_h, in_w, 1),
                                                 strides=strides, padding=padding.upper())

"Convolution" is what TensorFlow and Keras compute: cross-correlation, the
kernel is not flipped. ``tf.nn.conv2d_transpose`` is, by definition, the
gradient of ``tf.nn.conv2d`` with respect to its input, i.e. multiplication by
``C.T`` of the convolution whose *input* has shape ``output_shape``; it takes
the very same kernel array (layout ``(kh, kw, out_channels, in_channels)``,
where "out" are the channels of the transposed convolution's output, which
are the forward convolution's input channels).

Several input sizes convolve down to the same output size (with stride 2,
"same": 7 and 8 both give 4), so the transpose alone does not fix its output
size; TensorFlow needs ``output_shape`` and Keras chooses one.
``keras.layers.Conv2DTranspose(1, (kh, kw), strides, padding, use_bias=False)``
with its kernel set to ``kernel[:, :, None, None]`` (Keras' layout is also
``(kh, kw, filters, in_channels)``) computes ``C.T @ y.ravel()`` where ``C`` is
the matrix of the convolution on an input of size (per axis, see
:func:`transpose_output_size`)::

    "valid":  in * s + max(k - s, 0)     # = (in - 1) * s + k whenever k >= s
    "same":   in * s

(``output_padding`` of the Keras layer would choose another of the admissible
sizes; the helpers here follow the default ``output_padding=None``.)

TensorFlow's "same" padding: the output size is ``ceil(in / s)``, the total
padding ``max((out - 1) * s + k - in, 0)``, of which ``pad_total // 2`` goes
before (top/left) and the rest after, so an even kernel gets the extra zero
row/column at the bottom/right (:func:`same_padding`).
"""

from __future__ import annotations

import numbers
from typing import Sequence, Union

import numpy as np

from utils.validation import check_array, check_int

Strides = Union[int, Sequence[int]]
PADDINGS = ("valid", "same")


# ---------------------------------------------------------------- input checks
def _check_kernel(kernel) -> np.ndarray:
    """A finite 2-D array of integers or floats with at least one row and one column."""
    k = check_array(kernel, "kernel", ndim=2, min_len=0, dtype=None)
    if k.dtype == bool:
        raise TypeError("kernel has dtype bool; expected a 2-D array of integers or floats")
    if k.size == 0:
        raise ValueError(f"kernel has shape {k.shape}; expected at least one row and one column")
    return k


def _check_pair(value, name: str, ints_allowed: bool = True) -> tuple[int, int]:
    """An int >= 1 used for both axes (if ``ints_allowed``) or a pair (h, w) of ints >= 1."""
    expected = ("an int >= 1 or " if ints_allowed else "") + "a pair (h, w) of ints >= 1"
    if isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_)) and ints_allowed:
        return (check_int(value, name),) * 2
    if isinstance(value, (str, bytes)) or not isinstance(value, (Sequence, np.ndarray)):
        raise TypeError(f"{name} is {value!r}; expected {expected}")
    if len(value) != 2:
        raise ValueError(f"{name} is {tuple(value)!r} with {len(value)} entries; expected a pair (h, w) of ints >= 1"
                         + ("" if ints_allowed else " (one channel, no batch axis)"))
    return check_int(value[0], f"{name}[0]"), check_int(value[1], f"{name}[1]")


def _check_padding(padding) -> str:
    if not isinstance(padding, str) or padding.lower() not in PADDINGS:
        raise ValueError(f"padding is {padding!r}; expected 'valid' or 'same' (any case)")
    return padding.lower()


def _check_axis(in_size, k, s, padding) -> tuple[int, int, int, str]:
    """One axis' input length, kernel length and stride (ints >= 1), and the padding."""
    return check_int(in_size, "in_size"), check_int(k, "k"), check_int(s, "s"), _check_padding(padding)


# ---------------------------------------------------------------- sizes
def output_size(in_size: int, k: int, s: int = 1, padding: str = "valid") -> int:
    """Length of a convolution's output along one axis (TensorFlow/Keras rule).

    Parameters
    ----------
    in_size : input length (>= 1).
    k : kernel length (>= 1); for "valid" at most ``in_size``.
    s : stride (>= 1).
    padding : "valid" -> ``(in_size - k) // s + 1``; "same" -> ``ceil(in_size / s)``.

    Returns
    -------
    int

    Raises
    ------
    TypeError, ValueError
        For a non-int or non-positive size, kernel or stride, an unknown
        padding, or a kernel longer than a "valid" input.
    """
    n, k, s, padding = _check_axis(in_size, k, s, padding)
    if padding == "same":
        return -(-n // s)
    if k > n:
        raise ValueError(f"kernel length {k} exceeds the input length {n}; with padding 'valid' "
                         "the kernel must fit inside the input (k <= in_size), or use padding 'same'")
    return (n - k) // s + 1


def same_padding(in_size: int, k: int, s: int = 1) -> tuple[int, int]:
    """Zeros added (before, after) along one axis by TensorFlow's "same" padding.

    ``pad_total = max((out - 1) * s + k - in_size, 0)`` with ``out = ceil(in_size / s)``;
    ``before = pad_total // 2`` and ``after = pad_total - before`` (the extra zero goes after).
    """
    out = output_size(in_size, k, s, "same")
    total = max((out - 1) * s + k - in_size, 0)
    return total // 2, total - total // 2


def transpose_output_size(in_size: int, k: int, s: int = 1, padding: str = "valid") -> int:
    """Output length of ``keras.layers.Conv2DTranspose`` (default ``output_padding``) along one axis.

    "valid": ``in_size * s + max(k - s, 0)``, which is ``(in_size - 1) * s + k`` when ``k >= s``;
    "same": ``in_size * s``. The result ``n`` always satisfies
    ``output_size(n, k, s, padding) == in_size``: the transposed convolution
    undoes the forward convolution's change of size.
    """
    n, k, s, padding = _check_axis(in_size, k, s, padding)
    return n * s if padding == "same" else n * s + max(k - s, 0)


# ---------------------------------------------------------------- the matrix
def conv_matrix(kernel, input_shape: Sequence[int], strides: Strides = 1, padding: str = "valid") -> np.ndarray:
    """The matrix ``C`` of a one-channel 2-D convolution (cross-correlation).

    ``C @ x.ravel()`` (row-major) equals ``tf.nn.conv2d`` of ``x`` with ``kernel``,
    flattened; ``C.T`` is the transposed convolution (see the module docstring).
    Row ``i * out_w + j`` holds the kernel placed over the input window of
    output pixel ``(i, j)``; kernel entries that fall on zero padding are dropped.

    Parameters
    ----------
    kernel : 2-D array (kh, kw) of integers or floats.
    input_shape : (in_h, in_w), ints >= 1.
    strides : int or (sh, sw), ints >= 1.
    padding : "valid" or "same" (TensorFlow's rule, any case).

    Returns
    -------
    np.ndarray of shape (out_h * out_w, in_h * in_w), with the kernel's dtype.

    Raises
    ------
    TypeError
        Kernel not numeric; strides or shape entries not ints.
    ValueError
        Kernel not 2-D or empty; strides < 1; shape not a pair of ints >= 1;
        unknown padding; kernel larger than a "valid" input.
    """
    k = _check_kernel(kernel)
    in_h, in_w = _check_pair(input_shape, "input_shape", ints_allowed=False)
    sh, sw = _check_pair(strides, "strides")
    padding = _check_padding(padding)
    kh, kw = k.shape
    if padding == "valid" and (kh > in_h or kw > in_w):
        raise ValueError(f"kernel of shape {k.shape} is larger than the input of shape {(in_h, in_w)}; "
                         "with padding 'valid' the kernel must fit inside the input (or use padding 'same')")
    out_h, out_w = output_size(in_h, kh, sh, padding), output_size(in_w, kw, sw, padding)
    top = same_padding(in_h, kh, sh)[0] if padding == "same" else 0
    left = same_padding(in_w, kw, sw)[0] if padding == "same" else 0
    # C[i, j]: the kernel over output pixel (i, j)'s window of the zero-padded input; cutting the padding off
    # the last two axes drops the kernel entries that fall on it (then a copy: C-ordered, as np.zeros gives)
    C = np.zeros((out_h, out_w, max((out_h - 1) * sh + kh, top + in_h), max((out_w - 1) * sw + kw, left + in_w)),
                 dtype=k.dtype)
    for i in range(out_h):
        for j in range(out_w):
            C[i, j, i * sh:i * sh + kh, j * sw:j * sw + kw] = k
    return C[:, :, top:top + in_h, left:left + in_w].reshape(out_h * out_w, in_h * in_w).copy()
