"""Floating-point operations of a Keras model, counted from its layers.

Counting rule (per image, forward pass)
---------------------------------------
A multiply-add counts as 2 FLOPs; only the layers that multiply by weights are
counted, everything else (bias adds, activations, pooling, reshapes, the
sampling step, the loss) is left out, since on these models it is a few
percent of the total at most.

- ``Dense`` with ``n_in`` inputs and ``n_out`` units: ``2 * n_in * n_out``
  (times the number of positions when applied to a tensor with more axes).
- ``Conv2D`` producing an ``H_out x W_out x C_out`` map with a ``k_h x k_w``
  kernel on ``C_in`` channels: ``2 * H_out * W_out * C_out * k_h * k_w * C_in / groups``.
- ``Conv2DTranspose`` reading an ``H_in x W_in x C_in`` map with a ``k_h x k_w``
  kernel into ``C_out`` channels: every input pixel is scattered through the
  whole kernel, ``2 * H_in * W_in * C_in * k_h * k_w * C_out``.

A training step costs forward + backward; the backward pass computes the
gradient with respect to the layer's input and with respect to its weights,
each about as costly as the forward product, so training FLOPs per image are
counted as ``3 x forward`` (:data:`TRAIN_FACTOR`).

Layers are found by running one zero image through the model eagerly while
recording the input and output shapes of every Dense/Conv2D/Conv2DTranspose
call, so nested models (an encoder and a decoder inside a VAE) are counted
as they are actually used.
"""

from __future__ import annotations

import math
from typing import Sequence

import keras
import numpy as np

TRAIN_FACTOR = 3  # forward + backward (~2x forward)


def dense_flops(n_in: int, n_out: int, positions: int = 1) -> int:
    """FLOPs of a Dense layer: ``2 * n_in * n_out`` per position."""
    return 2 * int(n_in) * int(n_out) * int(positions)


def conv2d_flops(out_hw: Sequence[int], kernel_hw: Sequence[int], c_in: int, c_out: int,
                 groups: int = 1) -> int:
    """FLOPs of a Conv2D layer from its output size, kernel size and channels."""
    h, w = out_hw
    kh, kw = kernel_hw
    return 2 * int(h) * int(w) * int(c_out) * int(kh) * int(kw) * (int(c_in) // int(groups))


def conv2d_transpose_flops(in_hw: Sequence[int], kernel_hw: Sequence[int], c_in: int, c_out: int) -> int:
    """FLOPs of a Conv2DTranspose layer from its input size, kernel size and channels."""
    h, w = in_hw
    kh, kw = kernel_hw
    return 2 * int(h) * int(w) * int(c_in) * int(kh) * int(kw) * int(c_out)


def layer_flops(layer: keras.layers.Layer, input_shape: Sequence[int], output_shape: Sequence[int]) -> int:
    """FLOPs of one call of ``layer`` for one example (shapes without the batch axis).

    Returns 0 for layers outside the counting rule. Only ``channels_last`` convolutions
    are supported.

    Raises
    ------
    ValueError
        For a convolution with ``data_format="channels_first"``.
    """
    input_shape = tuple(int(s) for s in input_shape)
    output_shape = tuple(int(s) for s in output_shape)
    if isinstance(layer, (keras.layers.Conv2D, keras.layers.Conv2DTranspose)):
        if getattr(layer, "data_format", "channels_last") != "channels_last":
            raise ValueError(f"layer {layer.name} uses data_format={layer.data_format!r}; "
                             "expected 'channels_last'")
    if isinstance(layer, keras.layers.Conv2DTranspose):
        return conv2d_transpose_flops(input_shape[:2], layer.kernel_size, input_shape[-1], output_shape[-1])
    if isinstance(layer, keras.layers.Conv2D):
        return conv2d_flops(output_shape[:2], layer.kernel_size, input_shape[-1], output_shape[-1],
                            getattr(layer, "groups", 1))
    if isinstance(layer, keras.layers.Dense):
        return dense_flops(input_shape[-1], output_shape[-1], math.prod(input_shape[:-1]))
    return 0


def _all_layers(model: keras.layers.Layer) -> list[keras.layers.Layer]:
    """Every layer reachable from ``model`` (nested models included), each once."""
    seen: dict[int, keras.layers.Layer] = {}
    stack = [model]
    while stack:
        layer = stack.pop()
        if id(layer) in seen:
            continue
        seen[id(layer)] = layer
        stack.extend(getattr(layer, "_layers", []) or [])
        stack.extend(getattr(layer, "layers", []) or [])
    return list(seen.values())


def _shape_of(t) -> tuple[int, ...]:
    return tuple(int(s) for s in keras.ops.shape(t))


def forward_flops(model: keras.layers.Layer, input_shape: Sequence[int]) -> int:
    """Forward FLOPs for one example of ``model``, found by tracing one zero input.

    Parameters
    ----------
    model : a built or unbuilt Keras model (or layer); nested models are counted too.
    input_shape : shape of one example, without the batch axis, e.g. ``(28, 28, 1)``.

    Returns
    -------
    int
        FLOPs per example by the module's counting rule.

    Raises
    ------
    TypeError
        If ``model`` is not a Keras layer or model.
    ValueError
        If no Dense, Conv2D or Conv2DTranspose layer ran.
    """
    if not isinstance(model, keras.layers.Layer):
        raise TypeError(f"model is {type(model).__name__}; expected a keras.Model or keras.layers.Layer")
    counted = (keras.layers.Dense, keras.layers.Conv2D, keras.layers.Conv2DTranspose)
    records: list[int] = []
    patched = []
    for layer in _all_layers(model):
        if isinstance(layer, counted):
            original = layer.call

            def recording_call(*args, _layer=layer, _original=original, **kwargs):
                out = _original(*args, **kwargs)
                x = args[0] if args else kwargs["inputs"]
                in_shape, out_shape = _shape_of(x), _shape_of(out)
                records.append(layer_flops(_layer, in_shape[1:], out_shape[1:]) * 1)
                return out

            layer.call = recording_call
            patched.append(layer)
    x = np.zeros((1, *tuple(int(s) for s in input_shape)), dtype="float32")
    try:
        model(x)
    finally:
        for layer in patched:
            del layer.call  # the instance attribute; the class method shows through again
    if not records:
        raise ValueError(f"no Dense, Conv2D or Conv2DTranspose layer ran in {model.name}; nothing to count")
    return int(sum(records))


def train_flops_per_image(forward: int) -> int:
    """Training FLOPs per image: forward plus backward, ``TRAIN_FACTOR * forward``."""
    return TRAIN_FACTOR * int(forward)
