"""Corrupting images, and the classical filters a denoising autoencoder is compared with.

Notebook 03 (``03_denoising_autoencoder.ipynb``) introduces the corruptions
(written inline there and checked against these functions) and compares the
denoising autoencoder with :func:`gaussian_filter` and :func:`median_filter`,
the classical baselines (``scipy.ndimage``'s filters, applied to each image).
All functions take images with values in [0, 1], shaped (n, h, w, c), (n, h, w)
or (h, w), and return float32 arrays of the same shape. Random draws come from
``numpy.random.default_rng(seed)``, so the same seed gives the same corruption.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from utils.validation import check_images, check_int, check_number, check_probability, check_seed


def _check_images(images, name: str = "images") -> np.ndarray:
    return check_images(images, name, layouts=(2, 3, 4))


def check_sigma(sigma) -> float:
    """The noise's standard deviation on the [0, 1] pixel scale: a number in [0, 1].

    Raises
    ------
    TypeError, ValueError
        For anything else; a value above 1 (noise far beyond the pixel range, e.g. 25 meant on the
        0..255 scale) gets the advice to divide by 255.
    """
    sigma = check_number(sigma, "sigma", minimum=0.0)
    if sigma > 1:
        raise ValueError(f"sigma is {sigma:g}; expected a standard deviation in [0, 1] on the [0, 1] pixel scale "
                         f"(noise this large turns most pixels to 0 or 1); for {sigma:g} on the 0..255 scale "
                         f"use sigma={sigma:g} / 255 = {sigma / 255:.3g}")
    return sigma


def gaussian_noise(images, sigma: float, seed: int | None = None) -> np.ndarray:
    """Add N(0, sigma^2) noise to every pixel, then clip to [0, 1].

    Equals ``np.clip(x + sigma * rng.standard_normal(x.shape, dtype=np.float32), 0, 1)``
    with ``rng = np.random.default_rng(seed)``.

    Raises
    ------
    TypeError, ValueError
        For ``sigma`` outside [0, 1] (:func:`check_sigma`) or images outside [0, 1].
    """
    sigma = check_sigma(sigma)
    x = _check_images(images)
    rng = np.random.default_rng(check_seed(seed))
    noise = np.float32(sigma) * rng.standard_normal(x.shape, dtype=np.float32)
    return np.clip(x + noise, 0.0, 1.0)


def mask_pixels(images, fraction: float, seed: int | None = None) -> np.ndarray:
    """Masking noise: set a fraction ``fraction`` of the pixels, chosen at random, to 0.

    Raises
    ------
    TypeError, ValueError
        For ``fraction`` outside [0, 1] or images outside [0, 1].
    """
    fraction = check_probability(fraction, "fraction")
    x = _check_images(images)
    rng = np.random.default_rng(check_seed(seed))
    return np.where(rng.random(x.shape) < fraction, np.float32(0.0), x)


def _grey(images) -> tuple[np.ndarray, tuple[int, int]]:
    """The checked grey images and their (height, width) axes, which the filters smooth over."""
    x = _check_images(images)
    if x.ndim == 4 and x.shape[-1] != 1:
        raise ValueError(f"images has shape {x.shape} with {x.shape[-1]} channels; expected grey images "
                         "(n, height, width, 1), (n, height, width) or (height, width)")
    return x, ((1, 2) if x.ndim >= 3 else (0, 1))


def gaussian_filter(images, sigma: float = 1.0, radius: int | None = None) -> np.ndarray:
    """Blur each image with a Gaussian kernel: ``scipy.ndimage.gaussian_filter`` over height and width.

    Edges are mirrored (``mode="mirror"``: ``c b | a b c d | c b``).

    Parameters
    ----------
    images : grey images in [0, 1].
    sigma : kernel width in pixels (> 0).
    radius : kernel half-width; default ``ceil(3 * sigma)``.

    Raises
    ------
    TypeError, ValueError
        For ``sigma <= 0``, a negative ``radius``, colour images or values outside [0, 1].
    """
    sigma = check_number(sigma, "sigma", positive=True)
    radius = int(np.ceil(3 * sigma)) if radius is None else check_int(radius, "radius", minimum=0)
    x, axes = _grey(images)
    return ndimage.gaussian_filter(x, sigma, mode="mirror", radius=radius, axes=axes).astype(np.float32)


def median_filter(images, size: int = 3) -> np.ndarray:
    """Replace each pixel by the median of its ``size`` x ``size`` neighbourhood: ``scipy.ndimage.median_filter``.

    Edges are mirrored (``mode="mirror"``).

    Raises
    ------
    TypeError, ValueError
        For an even or non-positive ``size``, colour images or values outside [0, 1].
    """
    size = check_int(size, "size", minimum=1)
    if size % 2 == 0:
        raise ValueError(f"size is {size}; expected an odd positive int such as 3")
    x, axes = _grey(images)
    return ndimage.median_filter(x, size=size, mode="mirror", axes=axes).astype(np.float32)


def gaussian_corruption(sigma: float):
    """Notebook 03's training corruption: ``corrupt(x_batch, seed)`` in TensorFlow ops, marked to run in the pipeline.

    ``corrupt(x_batch, seed)`` returns ``clip(x_batch + sigma * eps, 0, 1)`` with
    ``eps = tf.random.stateless_normal(shape, seed)``; ``seed`` is a pair of ints. Handed to
    ``train_autoencoder(..., corrupt=...)`` it draws fresh noise for every batch of every epoch
    inside the ``tf.data`` pipeline (:func:`utils.training.in_pipeline`). The draws follow
    TensorFlow's stateless generator, so they differ from :func:`gaussian_noise`'s numpy draws
    for the same seed; their distribution is the same.

    Raises
    ------
    TypeError, ValueError
        For ``sigma`` outside [0, 1] (:func:`check_sigma`).
    """
    import tensorflow as tf

    from utils.training import in_pipeline

    sigma = check_sigma(sigma)

    def corrupt(x_batch, seed):
        noise = tf.random.stateless_normal(tf.shape(x_batch), seed=seed, dtype=tf.float32)
        return tf.clip_by_value(x_batch + np.float32(sigma) * noise, 0.0, 1.0)

    corrupt.__name__ = f"gaussian_corruption({sigma:g})"
    return in_pipeline(corrupt)
