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
    try:
        k = np.asarray(kernel)
    except Exception as err:  # ragged nested lists and the like
        raise TypeError(f"kernel {kernel!r} cannot be read as an array ({err}); "
                        "expected a 2-D array of numbers") from None
    if k.dtype == bool or not (np.issubdtype(k.dtype, np.integer) or np.issubdtype(k.dtype, np.floating)):
        raise TypeError(f"kernel has dtype {k.dtype}; expected a 2-D array of integers or floats")
    if k.ndim != 2:
        raise ValueError(f"kernel has shape {k.shape} ({k.ndim}-D); expected a 2-D array (kh, kw)")
    if k.size == 0:
        raise ValueError(f"kernel has shape {k.shape}; expected at least one row and one column")
    if np.issubdtype(k.dtype, np.floating) and not np.all(np.isfinite(k)):
        raise ValueError("kernel holds NaN or infinite values; expected finite numbers")
    return k


def _check_plane(a, name: str) -> np.ndarray:
    """A 2-D finite numeric array (one channel, no batch axis)."""
    a = check_array(a, name, ndim=2, dtype=None)
    if a.dtype == bool:
        a = a.astype(np.int64)
    return a


def _wide(C: np.ndarray, a: np.ndarray) -> np.ndarray:
    """C in a dtype wide enough for the product with ``a`` (no uint8 overflow)."""
    return C.astype(np.result_type(C.dtype, a.dtype, np.int64), copy=False)


def _check_pair(value, name: str) -> tuple[int, int]:
    if isinstance(value, (str, bytes)) or not isinstance(value, (numbers.Integral, Sequence, np.ndarray)):
        raise TypeError(f"{name} is {value!r}; expected an int >= 1 or a pair (h, w) of ints >= 1")
    if isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_)):
        v = check_int(value, name)
        return v, v
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} is {value!r}; expected an int >= 1 or a pair (h, w) of ints >= 1")
    if len(value) != 2:
        raise ValueError(f"{name} is {tuple(value)!r} with {len(value)} entries; expected a pair (h, w) of ints >= 1")
    return check_int(value[0], f"{name}[0]"), check_int(value[1], f"{name}[1]")


def _check_strides(strides) -> tuple[int, int]:
    return _check_pair(strides, "strides")


def _check_padding(padding) -> str:
    if not isinstance(padding, str) or padding.lower() not in PADDINGS:
        raise ValueError(f"padding is {padding!r}; expected 'valid' or 'same' (any case)")
    return padding.lower()


def _check_shape(shape, name: str = "input_shape") -> tuple[int, int]:
    if isinstance(shape, (str, bytes)) or not isinstance(shape, (Sequence, np.ndarray)):
        raise TypeError(f"{name} is {shape!r}; expected a pair (h, w) of ints >= 1")
    if len(shape) != 2:
        raise ValueError(f"{name} is {tuple(shape)!r} with {len(shape)} entries; expected a pair (h, w) of ints >= 1 "
                         "(one channel, no batch axis)")
    return check_int(shape[0], f"{name}[0]"), check_int(shape[1], f"{name}[1]")


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
    n = check_int(in_size, "in_size")
    k = check_int(k, "k")
    s = check_int(s, "s")
    padding = _check_padding(padding)
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
    n = check_int(in_size, "in_size")
    k = check_int(k, "k")
    s = check_int(s, "s")
    padding = _check_padding(padding)
    if padding == "same":
        return n * s
    return n * s + max(k - s, 0)


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
    in_h, in_w = _check_shape(input_shape)
    sh, sw = _check_strides(strides)
    padding = _check_padding(padding)
    kh, kw = k.shape
    if padding == "valid" and (kh > in_h or kw > in_w):
        raise ValueError(f"kernel of shape {k.shape} is larger than the input of shape {(in_h, in_w)}; "
                         "with padding 'valid' the kernel must fit inside the input (or use padding 'same')")
    out_h, out_w = output_size(in_h, kh, sh, padding), output_size(in_w, kw, sw, padding)
    top = same_padding(in_h, kh, sh)[0] if padding == "same" else 0
    left = same_padding(in_w, kw, sw)[0] if padding == "same" else 0
    C = np.zeros((out_h * out_w, in_h * in_w), dtype=k.dtype)
    for i in range(out_h):
        for j in range(out_w):
            r0, c0 = i * sh - top, j * sw - left          # window's top-left corner in input coordinates
            for a in range(kh):
                r = r0 + a
                if not 0 <= r < in_h:
                    continue
                for b in range(kw):
                    c = c0 + b
                    if 0 <= c < in_w:
                        C[i * out_w + j, r * in_w + c] = k[a, b]
    return C


def conv2d_by_matrix(x, kernel, strides: Strides = 1, padding: str = "valid") -> np.ndarray:
    """Convolve a 2-D array ``x`` with ``kernel`` as ``C @ x.ravel()``; return (out_h, out_w).

    Integer inputs are multiplied in int64 (no uint8 overflow); floats keep their precision.

    Raises
    ------
    TypeError, ValueError
        ``x`` not a finite 2-D numeric array, or a bad kernel, stride or padding (:func:`conv_matrix`).
    """
    x = _check_plane(x, "x")
    k = _check_kernel(kernel)
    sh, sw = _check_strides(strides)
    padding = _check_padding(padding)
    C = conv_matrix(k, x.shape, (sh, sw), padding)
    out_shape = (output_size(x.shape[0], k.shape[0], sh, padding), output_size(x.shape[1], k.shape[1], sw, padding))
    return (_wide(C, x) @ x.ravel()).reshape(out_shape)


def conv_transpose_by_matrix(y, kernel, strides: Strides = 1, padding: str = "valid",
                             output_shape: Sequence[int] | None = None) -> np.ndarray:
    """Transposed convolution of a 2-D array ``y`` as ``C.T @ y.ravel()``; return the 2-D result.

    ``output_shape`` (h, w) is the shape of the forward convolution's input, i.e.
    of the result; by default the size ``keras.layers.Conv2DTranspose`` chooses
    (:func:`transpose_output_size`). It must convolve back to ``y.shape``.

    Raises
    ------
    ValueError
        ``y`` not 2-D, or an ``output_shape`` whose convolution does not have ``y``'s shape.
    """
    y = _check_plane(y, "y")
    k = _check_kernel(kernel)
    sh, sw = _check_strides(strides)
    padding = _check_padding(padding)
    if output_shape is None:
        output_shape = (transpose_output_size(y.shape[0], k.shape[0], sh, padding),
                        transpose_output_size(y.shape[1], k.shape[1], sw, padding))
    out_h, out_w = _check_shape(output_shape, "output_shape")
    C = conv_matrix(k, (out_h, out_w), (sh, sw), padding)
    back = (output_size(out_h, k.shape[0], sh, padding), output_size(out_w, k.shape[1], sw, padding))
    if back != y.shape:
        raise ValueError(f"output_shape {(out_h, out_w)} convolves to {back}, not to y's shape {y.shape}; "
                         f"expected an output_shape whose convolution (strides {(sh, sw)}, padding {padding!r}) "
                         "has y's shape")
    return (_wide(C, y).T @ y.ravel()).reshape(out_h, out_w)
