"""Convolutional autoencoder builders: strided encoder, ``Conv2DTranspose`` decoder, and its trainer.

Notebook 02 (``02_autoencoder.ipynb``) introduces them (the upsampling layer
itself is taught in notebook 01, ``01_transposed_convolution.ipynb``);
notebook 03 (``03_denoising_autoencoder.ipynb``) reuses them for the
denoising autoencoder. Defaults come from :mod:`utils.recipes`.

Shapes for 28x28x1 images, ``widths=(w1, w2)`` and latent size p::

    encoder f  28x28x1 -> Conv2D(w1, stride 2) -> 14x14xw1 -> Conv2D(w2, stride 2) -> 7x7xw2
               -> Flatten -> Dense(p) = z
    decoder g  z -> Dense(7*7*w2) -> Reshape 7x7xw2 -> Conv2DTranspose(w1, stride 2) -> 14x14xw1
               -> Conv2DTranspose(1, stride 2, linear) -> 28x28x1
"""

from __future__ import annotations

from typing import Callable, Sequence

import keras
import numpy as np
from keras import layers

from utils import recipes
from utils.validation import check_choice, check_images, check_int, check_model

ACTIVATIONS = ("linear", "sigmoid", "relu")


def check_architecture(latent_size, widths, image_shape, kernel_size=recipes.AE_KERNEL_SIZE) -> tuple:
    """Validate a convolutional encoder/decoder's sizes; return them as ``(p, widths, image_shape, kernel)``.

    Shared by the autoencoder's and the VAE's builders.

    Raises
    ------
    TypeError
        For a non-int latent size, width, image side or kernel size.
    ValueError
        For values below 1, an empty ``widths``, or image sides the stride-2 layers cannot halve evenly.
    """
    latent_size = check_int(latent_size, "latent_size", minimum=1)
    kernel_size = check_int(kernel_size, "kernel_size", minimum=1)
    if isinstance(widths, (str, bytes)) or not isinstance(widths, (Sequence, np.ndarray)):
        raise TypeError(f"widths is {widths!r}; expected a sequence of ints >= 1, e.g. {recipes.AE_WIDTHS}")
    widths = tuple(check_int(w, f"widths[{i}]", minimum=1) for i, w in enumerate(widths))
    if not widths:
        raise ValueError(f"widths is (); expected at least one width, e.g. {recipes.AE_WIDTHS}")
    if isinstance(image_shape, (str, bytes)) or not isinstance(image_shape, (Sequence, np.ndarray)) \
            or len(image_shape) != 3:
        raise ValueError(f"image_shape is {image_shape!r}; expected (height, width, channels), e.g. (28, 28, 1)")
    image_shape = tuple(check_int(d, f"image_shape[{i}]", minimum=1) for i, d in enumerate(image_shape))
    h, w, _ = image_shape
    factor = 2 ** len(widths)
    if h % factor or w % factor:
        raise ValueError(f"widths is {widths} and image_shape is {image_shape}; expected image sides that the "
                         f"{len(widths)} stride-2 layers halve and the decoder doubles back evenly (multiples of "
                         f"{factor}); {h}x{w} images allow at most "
                         f"{max(k for k in range(8) if h % 2 ** k == 0 and w % 2 ** k == 0)} widths")
    return latent_size, widths, image_shape, kernel_size


def build_encoder(latent_size: int = recipes.AE_GOAL_LATENT_SIZE, widths: Sequence[int] = recipes.AE_WIDTHS,
                  image_shape: Sequence[int] = (28, 28, 1), kernel_size: int = recipes.AE_KERNEL_SIZE,
                  name: str = "encoder") -> keras.Model:
    """Encoder f: image -> latent vector z, each ``Conv2D`` with stride 2 halving the grid.

    Parameters
    ----------
    latent_size : p, the length of z (>= 1).
    widths : channels of the strided convolutions, one per halving of the grid.
    image_shape : (height, width, channels) of the input images.
    kernel_size : side of the square kernels.
    name : Keras name of the model.

    Raises
    ------
    TypeError, ValueError
        As :func:`check_architecture`.
    """
    latent_size, widths, image_shape, kernel_size = check_architecture(latent_size, widths, image_shape, kernel_size)
    x = inputs = keras.Input(shape=image_shape, name="image")
    for i, w in enumerate(widths, start=1):
        x = layers.Conv2D(w, kernel_size, strides=2, padding="same", activation="relu", name=f"conv{i}")(x)
    x = layers.Flatten(name="flatten")(x)
    z = layers.Dense(latent_size, name="code")(x)
    return keras.Model(inputs, z, name=name)


def build_decoder(latent_size: int = recipes.AE_GOAL_LATENT_SIZE, widths: Sequence[int] = recipes.AE_WIDTHS,
                  image_shape: Sequence[int] = (28, 28, 1), kernel_size: int = recipes.AE_KERNEL_SIZE,
                  output_activation: str = "linear", name: str = "decoder") -> keras.Model:
    """Decoder g: latent vector z -> image, each ``Conv2DTranspose`` with stride 2 doubling the grid.

    ``widths`` are the encoder's widths (the decoder mirrors them); the last
    transposed convolution outputs the image's channels. Its activation is
    linear by default: under the sum of squared errors a sigmoid output
    learns the many black (0) pixels slowly, since its gradient vanishes there;
    clip the output to [0, 1] where a valid image is needed.

    Raises
    ------
    TypeError, ValueError
        As :func:`check_architecture`, or an unknown ``output_activation``.
    """
    latent_size, widths, image_shape, kernel_size = check_architecture(latent_size, widths, image_shape, kernel_size)
    output_activation = check_choice(output_activation, "output_activation", ACTIVATIONS)
    h, w, c = image_shape
    factor = 2 ** len(widths)
    z = inputs = keras.Input(shape=(latent_size,), name="z")
    x = layers.Dense((h // factor) * (w // factor) * widths[-1], activation="relu", name="expand")(z)
    x = layers.Reshape((h // factor, w // factor, widths[-1]), name="grid")(x)
    up_widths = list(reversed(widths[:-1])) + [c]
    for i, width in enumerate(up_widths, start=1):
        last = i == len(up_widths)
        x = layers.Conv2DTranspose(width, kernel_size, strides=2, padding="same",
                                   activation=output_activation if last else "relu",
                                   name="image" if last else f"deconv{i}")(x)
    return keras.Model(inputs, x, name=name)


def build_autoencoder(latent_size: int = recipes.AE_GOAL_LATENT_SIZE, widths: Sequence[int] = recipes.AE_WIDTHS,
                      image_shape: Sequence[int] = (28, 28, 1), kernel_size: int = recipes.AE_KERNEL_SIZE,
                      output_activation: str = "linear", name: str = "autoencoder") -> keras.Model:
    """Encoder and decoder joined: image -> z -> reconstruction x~.

    The parts are reachable as ``model.get_layer("encoder")`` and
    ``model.get_layer("decoder")``.

    Raises
    ------
    TypeError, ValueError
        As :func:`build_decoder`.
    """
    encoder = build_encoder(latent_size, widths, image_shape, kernel_size)
    decoder = build_decoder(latent_size, widths, image_shape, kernel_size, output_activation)
    inputs = keras.Input(shape=tuple(encoder.inputs[0].shape[1:]), name="x")
    return keras.Model(inputs, decoder(encoder(inputs)), name=name)


def predict_in_batches(model: keras.Model, x, batch_size: int = 1000) -> np.ndarray:
    """Run ``model`` on the images ``x`` (n, h, w, c) batch by batch and return a numpy array.

    Calls the model directly (no ``model.predict``), so evaluating several
    freshly trained models in a notebook triggers no ``tf.function`` retracing
    warnings.

    Raises
    ------
    TypeError, ValueError
        If ``model`` is not a Keras model, ``x`` is not a batch of images in [0, 1]
        (:func:`utils.validation.check_images`) or ``batch_size`` is below 1.
    """
    check_model(model, "model")
    x = check_images(x, "x")
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    parts = [np.asarray(model(x[i:i + batch_size], training=False)) for i in range(0, len(x), batch_size)]
    return np.concatenate(parts, axis=0)


def train_autoencoder(latent_size: int, x, y=None, *, epochs: int | None = None, seed: int | None = None,
                      callbacks: list | None = None, widths: Sequence[int] | None = None,
                      batch_size: int | None = None, learning_rate: float | None = None,
                      validation_data: tuple | None = None,
                      corrupt: Callable[[np.ndarray, int], np.ndarray] | None = None,
                      progress: bool = True, output_activation: str = "linear",
                      loss=None, adam_betas: tuple | None = None):
    """Train :func:`build_autoencoder` on ``x`` (input) and ``y`` (target) through the series' training path.

    The same as ``train_model(lambda: build_autoencoder(latent_size, widths), x, x if y is None else y,
    epochs=epochs, seed=seed, ...)`` (:func:`utils.training.train_model`; loss: the sum of squared
    errors per image). Arguments left at None take :mod:`utils.recipes`' values.

    Parameters
    ----------
    latent_size : p, the length of z.
    x : input images, (n, 28, 28, 1) in [0, 1].
    y : target images; None (default) means ``x`` itself, a plain autoencoder.
    epochs : passes over the data (default :data:`~utils.recipes.AE_EPOCHS`).
    seed : seeds the weights and the shuffling (default :data:`~utils.recipes.SEED`).
    callbacks : optional Keras callbacks for ``fit``.
    widths : channels of the stride-2 convolutions (default :data:`~utils.recipes.AE_WIDTHS`).
    batch_size, learning_rate, validation_data, progress, adam_betas : as in
        :func:`utils.training.train_model`.
    output_activation : of the decoder's last layer, as in :func:`build_decoder` (``"sigmoid"`` with
        ``loss=sum_cross_entropy``: notebook 02's second recipe, :data:`~utils.recipes.AE_CE_WIDTHS` ...).
    loss : Keras loss (default :func:`utils.training.sum_squared_error`, the lecture's).
    corrupt : ``corrupt(x_batch, seed) -> corrupted batch``; for a denoising autoencoder, e.g.
        ``lambda xb, s: gaussian_noise(xb, sigma, seed=s)``: the inputs are corrupted afresh
        every epoch and the targets stay clean.

    Returns
    -------
    utils.training.TrainResult
        Its ``settings`` also hold ``latent_size`` and ``widths``.
    """
    from utils.training import sum_squared_error, train_model

    widths = recipes.AE_WIDTHS if widths is None else widths
    output_activation = check_choice(output_activation, "output_activation", ACTIVATIONS)
    latent_size, widths, _, _ = check_architecture(latent_size, widths, (28, 28, 1))
    epochs = recipes.AE_EPOCHS if epochs is None else epochs
    x = check_images(x, "x")
    y = x if y is None else check_images(y, "y")
    result = train_model(lambda: build_autoencoder(latent_size, widths, image_shape=x.shape[1:],
                                                   output_activation=output_activation), x, y,
                         epochs=epochs, batch_size=batch_size, learning_rate=learning_rate,
                         loss=sum_squared_error if loss is None else loss, validation_data=validation_data,
                         callbacks=callbacks, seed=seed, corrupt=corrupt, progress=progress, adam_betas=adam_betas)
    loss_name = "sum_squared_error" if loss is None else getattr(loss, "__name__", repr(loss))
    result.settings = {"latent_size": latent_size, "widths": widths, "output_activation": output_activation,
                       "loss": loss_name, **result.settings}
    return result
