"""Convolutional autoencoder builders: strided encoder, ``Conv2DTranspose`` decoder.

Notebook 02 (``02_autoencoder.ipynb``) introduces them (the upsampling layer
itself is taught in notebook 01, ``01_transposed_convolution.ipynb``);
notebook 03 (``03_denoising_autoencoder.ipynb``) reuses them for the
denoising autoencoder.

Shapes for 28x28x1 images and ``widths=(w1, w2)``::

    encoder  28x28x1 -> Conv2D(w1, stride 2) -> 14x14xw1 -> Conv2D(w2, stride 2) -> 7x7xw2
             -> Flatten -> Dense(code_size) = z
    decoder  z -> Dense(7*7*w2) -> Reshape 7x7xw2 -> Conv2DTranspose(w1, stride 2) -> 14x14xw1
             -> Conv2DTranspose(1, stride 2, linear) -> 28x28x1
"""

from __future__ import annotations

from typing import Sequence

import keras
import numpy as np
from keras import layers

# The notebooks' default recipes; the benchmarks (``make bench``) train with the same constants.
AE_WIDTHS = (16, 64)     # channels of the two stride-2 convolutions (notebooks 02 and 03)
AE_EPOCHS = 3            # notebook 02: each code size k is trained for 3 epochs
DAE_CODE_SIZE = 64       # notebook 03: the denoising autoencoder's code size
DAE_EPOCHS = 5           # notebook 03: epochs of the denoising autoencoder


def _check_args(code_size: int, widths: Sequence[int], image_shape: Sequence[int]) -> tuple:
    if isinstance(code_size, bool) or not isinstance(code_size, int):
        raise TypeError(f"code_size is {code_size!r}; expected an int >= 1")
    if code_size < 1:
        raise ValueError(f"code_size is {code_size}; expected at least 1")
    widths = tuple(widths)
    if not widths or any(isinstance(w, bool) or not isinstance(w, int) or w < 1 for w in widths):
        raise ValueError(f"widths is {widths}; expected a non-empty sequence of positive ints")
    image_shape = tuple(image_shape)
    if len(image_shape) != 3:
        raise ValueError(f"image_shape is {image_shape}; expected (height, width, channels)")
    h, w, c = image_shape
    factor = 2 ** len(widths)
    if h % factor or w % factor or c < 1:
        raise ValueError(f"image_shape is {image_shape}; with {len(widths)} stride-2 layers height and "
                         f"width must be multiples of {factor}")
    return code_size, widths, image_shape


def build_encoder(code_size: int = 16, widths: Sequence[int] = (16, 64),
                  image_shape: Sequence[int] = (28, 28, 1), kernel_size: int = 3,
                  name: str = "encoder") -> keras.Model:
    """Encoder f: image -> code z, each ``Conv2D`` with stride 2 halving the grid.

    Parameters
    ----------
    code_size : dimension of the latent code z (>= 1).
    widths : channels of the strided convolutions, one per halving of the grid.
    image_shape : (height, width, channels) of the input images.
    kernel_size : side of the square kernels.
    name : Keras name of the model.

    Raises
    ------
    ValueError
        For ``code_size < 1``, empty or non-positive ``widths``, or an image side that the
        stride-2 layers cannot halve evenly.
    """
    code_size, widths, image_shape = _check_args(code_size, widths, image_shape)
    x = inputs = keras.Input(shape=image_shape, name="image")
    for i, w in enumerate(widths, start=1):
        x = layers.Conv2D(w, kernel_size, strides=2, padding="same", activation="relu", name=f"conv{i}")(x)
    x = layers.Flatten(name="flatten")(x)
    z = layers.Dense(code_size, name="code")(x)
    return keras.Model(inputs, z, name=name)


def build_decoder(code_size: int = 16, widths: Sequence[int] = (16, 64),
                  image_shape: Sequence[int] = (28, 28, 1), kernel_size: int = 3,
                  output_activation: str = "linear", name: str = "decoder") -> keras.Model:
    """Decoder: code z -> image, each ``Conv2DTranspose`` with stride 2 doubling the grid.

    ``widths`` are the encoder's widths (the decoder mirrors them); the last
    transposed convolution outputs the image's channels. Its activation is
    linear by default: under the sum of squared errors a sigmoid output
    learns the many black (0) pixels slowly, since its gradient vanishes there;
    clip the output to [0, 1] where a valid image is needed.

    Raises
    ------
    ValueError
        As :func:`build_encoder`.
    """
    code_size, widths, image_shape = _check_args(code_size, widths, image_shape)
    h, w, c = image_shape
    factor = 2 ** len(widths)
    z = inputs = keras.Input(shape=(code_size,), name="z")
    x = layers.Dense((h // factor) * (w // factor) * widths[-1], activation="relu", name="expand")(z)
    x = layers.Reshape((h // factor, w // factor, widths[-1]), name="grid")(x)
    up_widths = list(reversed(widths[:-1])) + [c]
    for i, width in enumerate(up_widths, start=1):
        last = i == len(up_widths)
        x = layers.Conv2DTranspose(width, kernel_size, strides=2, padding="same",
                                   activation=output_activation if last else "relu",
                                   name="image" if last else f"deconv{i}")(x)
    return keras.Model(inputs, x, name=name)


def build_autoencoder(code_size: int = 16, widths: Sequence[int] = (16, 64),
                      image_shape: Sequence[int] = (28, 28, 1), kernel_size: int = 3,
                      output_activation: str = "linear", name: str = "autoencoder") -> keras.Model:
    """Encoder and decoder joined: image -> z -> reconstructed image.

    The parts are reachable as ``model.get_layer("encoder")`` and
    ``model.get_layer("decoder")``.

    Raises
    ------
    ValueError
        As :func:`build_encoder`.
    """
    encoder = build_encoder(code_size, widths, image_shape, kernel_size)
    decoder = build_decoder(code_size, widths, image_shape, kernel_size, output_activation)
    inputs = keras.Input(shape=tuple(image_shape), name="x")
    return keras.Model(inputs, decoder(encoder(inputs)), name=name)


def predict_in_batches(model: keras.Model, x, batch_size: int = 1000) -> np.ndarray:
    """Run ``model`` on ``x`` batch by batch and return a numpy array.

    Calls the model directly (no ``model.predict``), so evaluating several
    freshly trained models in a notebook triggers no ``tf.function`` retracing
    warnings.

    Raises
    ------
    ValueError
        If ``x`` holds no examples or ``batch_size`` is below 1.
    """
    x = np.asarray(x, dtype=np.float32)
    if x.ndim < 2 or len(x) == 0:
        raise ValueError(f"x has shape {x.shape}; expected a non-empty batch, (n, ...)")
    if int(batch_size) < 1:
        raise ValueError(f"batch_size is {batch_size}; expected at least 1")
    parts = [np.asarray(model(x[i:i + batch_size], training=False)) for i in range(0, len(x), int(batch_size))]
    return np.concatenate(parts, axis=0)


def train_autoencoder(code_size: int, x, y=None, *, widths: Sequence[int] | None = None,
                      epochs: int | None = None, seed: int = 0, callbacks: list | None = None,
                      **settings):
    """Train :func:`build_autoencoder` on ``x`` (input) and ``y`` (target) through the series' training path.

    The same as ``keras.utils.set_random_seed(seed)`` followed by
    ``train_model(lambda: build_autoencoder(code_size, widths), x, y, epochs=epochs, seed=seed)``
    (:func:`utils.training.train_model`, loss: the sum of squared errors per image).

    Parameters
    ----------
    code_size : dimension of the code z.
    x : input images, (n, 28, 28, 1) in [0, 1].
    y : target images; None (default) means ``x`` itself, a plain autoencoder.
        The clean images when ``x`` is their noisy copy (a denoising autoencoder).
    widths : channels of the stride-2 convolutions; None means :data:`AE_WIDTHS`, notebook 02's.
    epochs : passes over the data; None means :data:`AE_EPOCHS`, notebook 02's default run.
    seed : seeds the weights and the shuffling.
    callbacks : optional Keras callbacks for ``fit``.
    settings : further keyword arguments of :func:`utils.training.train_model`
        (``batch_size``, ``learning_rate``, ``strategy``, ...).

    Returns
    -------
    utils.training.TrainResult
        Its ``settings`` also hold ``code_size`` and ``widths``.
    """
    from utils.training import train_model

    widths = AE_WIDTHS if widths is None else tuple(widths)
    epochs = AE_EPOCHS if epochs is None else epochs
    keras.utils.set_random_seed(int(seed))
    result = train_model(lambda: build_autoencoder(code_size, widths), x, x if y is None else y,
                         epochs=epochs, seed=int(seed), callbacks=callbacks, **settings)
    result.settings = {"code_size": code_size, "widths": widths, **result.settings}
    return result
