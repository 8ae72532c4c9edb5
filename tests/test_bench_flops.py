"""The benchmarks' FLOP counter (``benchmarks.flops``) against counts done by hand."""

from __future__ import annotations

import keras
import pytest

from benchmarks.flops import (TRAIN_FACTOR, conv2d_flops, conv2d_transpose_flops, dense_flops,
                              forward_flops, train_flops_per_image)


def test_dense_by_hand():
    # Dense(10) on 20 inputs: 20 * 10 multiply-adds, 2 FLOPs each
    assert dense_flops(20, 10) == 400
    model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(10)])
    assert forward_flops(model, (20,)) == 400


def test_conv2d_by_hand():
    # Conv2D(8, 3x3, same) on 28x28x1: 28*28 positions * 8 filters * 9 taps * 1 channel, 2 FLOPs each
    assert conv2d_flops((28, 28), (3, 3), 1, 8) == 2 * 28 * 28 * 8 * 9 == 112_896
    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Conv2D(8, 3, padding="same")])
    assert forward_flops(model, (28, 28, 1)) == 112_896


def test_strided_valid_conv2d_counts_output_positions():
    # 3x3 stride 2, no padding, 28x28x4 -> 13x13x6: 13*13*6 outputs, each 3*3*4 multiply-adds
    model = keras.Sequential([keras.Input((28, 28, 4)), keras.layers.Conv2D(6, 3, strides=2)])
    assert forward_flops(model, (28, 28, 4)) == 2 * 13 * 13 * 6 * 36 == 73_008


def test_conv2d_transpose_counts_input_positions():
    # 7x7x4 -> 14x14x2: every input value is spread over a 3x3x2 block
    assert conv2d_transpose_flops((7, 7), (3, 3), 4, 2) == 2 * 49 * 4 * 9 * 2
    model = keras.Sequential([keras.Input((7, 7, 4)),
                              keras.layers.Conv2DTranspose(2, 3, strides=2, padding="same")])
    assert forward_flops(model, (7, 7, 4)) == 7056


def test_nested_models_and_uncounted_layers():
    enc = keras.Sequential([keras.Input((6, 6, 1)), keras.layers.Conv2D(2, 3, padding="same"),
                            keras.layers.MaxPooling2D(2), keras.layers.Flatten(), keras.layers.Dense(3)])
    dec = keras.Sequential([keras.Input((3,)), keras.layers.Dense(5, activation="relu")])
    model = keras.Sequential([keras.Input((6, 6, 1)), enc, dec])
    expected = 2 * 36 * 2 * 9 + 2 * 18 * 3 + 2 * 3 * 5
    assert forward_flops(model, (6, 6, 1)) == expected
    # counting leaves the model callable as before
    assert tuple(model(keras.ops.zeros((2, 6, 6, 1))).shape) == (2, 5)


def test_training_is_three_forward_passes():
    assert TRAIN_FACTOR == 3
    assert train_flops_per_image(400) == 1200


def test_bad_input():
    with pytest.raises(TypeError, match="expected a keras.Model"):
        forward_flops("not a model", (3,))
    with pytest.raises(ValueError, match="nothing to count"):
        forward_flops(keras.Sequential([keras.Input((4,)), keras.layers.ReLU()]), (4,))
