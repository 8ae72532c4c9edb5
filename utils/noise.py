"""Corrupting images, and the classical filters a denoising autoencoder is compared with.

Notebook 03 (``03_denoising_autoencoder.ipynb``) introduces the corruptions
(written inline there and checked against these functions) and compares the
denoising autoencoder with :func:`gaussian_filter` and :func:`median_filter`.
All functions take images with values in [0, 1], shaped (n, h, w, c), (n, h, w)
or (h, w), and return float32 arrays of the same shape. Random draws come from
``numpy.random.default_rng(seed)``, so the same seed gives the same corruption.
"""

from __future__ import annotations

import numpy as np

from utils.validation import check_images, check_int, check_number, check_probability, check_seed


def _check_images(images, name: str = "images") -> np.ndarray:
    return check_images(images, name, layouts=(2, 3, 4))


def gaussian_noise(images, sigma: float, seed: int | None = None) -> np.ndarray:
    """Add N(0, sigma^2) noise to every pixel, then clip to [0, 1].

    Equals ``np.clip(x + sigma * rng.standard_normal(x.shape, dtype=np.float32), 0, 1)``
    with ``rng = np.random.default_rng(seed)``.

    Raises
    ------
    TypeError, ValueError
        For a negative ``sigma`` or images outside [0, 1].
    """
    sigma = check_number(sigma, "sigma", minimum=0.0)
    x = _check_images(images)
    rng = np.random.default_rng(check_seed(seed))
    noise = np.float32(sigma) * rng.standard_normal(x.shape, dtype=np.float32)
    return np.clip(x + noise, 0.0, 1.0)


def salt_and_pepper(images, amount: float, seed: int | None = None) -> np.ndarray:
    """Replace a fraction ``amount`` of the pixels by 0 or 1 (each with probability 1/2).

    Raises
    ------
    TypeError, ValueError
        For ``amount`` outside [0, 1] or images outside [0, 1].
    """
    amount = check_probability(amount, "amount")
    x = _check_images(images).copy()
    rng = np.random.default_rng(check_seed(seed))
    hit = rng.random(x.shape) < amount
    salt = rng.random(x.shape) < 0.5
    x[hit] = salt[hit].astype(np.float32)
    return x


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


def _as_stack(images) -> tuple[np.ndarray, tuple]:
    """(n, h, w) view of the images plus the shape to restore."""
    x = _check_images(images)
    shape = x.shape
    if x.ndim == 2:
        return x[None], shape
    if x.ndim == 4:
        if shape[-1] != 1:
            raise ValueError(f"images has shape {shape} with {shape[-1]} channels; the filters expect grey "
                             "images (1 channel)")
        return x[..., 0], shape
    return x, shape


def gaussian_kernel(sigma: float, radius: int | None = None) -> np.ndarray:
    """1-D Gaussian weights on -radius..radius (default radius: ceil(3 sigma)), summing to 1.

    Raises
    ------
    TypeError, ValueError
        For ``sigma <= 0`` or a negative radius.
    """
    sigma = check_number(sigma, "sigma", positive=True)
    radius = int(np.ceil(3 * sigma)) if radius is None else check_int(radius, "radius", minimum=0)
    t = np.arange(-radius, radius + 1, dtype=np.float64)
    w = np.exp(-0.5 * (t / sigma) ** 2)
    return (w / w.sum()).astype(np.float32)


def gaussian_filter(images, sigma: float = 1.0, radius: int | None = None) -> np.ndarray:
    """Blur each image with a separable Gaussian kernel (edges padded by reflection).

    Parameters
    ----------
    images : grey images in [0, 1].
    sigma : kernel width in pixels (> 0).
    radius : kernel half-width; default ``ceil(3 * sigma)``.

    Raises
    ------
    TypeError, ValueError
        For ``sigma <= 0``, colour images or values outside [0, 1].
    """
    w = gaussian_kernel(sigma, radius)
    x, shape = _as_stack(images)
    r = len(w) // 2
    p = np.pad(x, ((0, 0), (r, r), (r, r)), mode="reflect")
    h, wd = x.shape[1:]
    rows = sum(w[i] * p[:, i:i + h, :] for i in range(len(w)))        # along the height
    out = sum(w[i] * rows[:, :, i:i + wd] for i in range(len(w)))     # along the width
    return out.reshape(shape).astype(np.float32)


def median_filter(images, size: int = 3) -> np.ndarray:
    """Replace each pixel by the median of its ``size`` x ``size`` neighbourhood (edges reflected).

    Raises
    ------
    TypeError, ValueError
        For an even or non-positive ``size``, colour images or values outside [0, 1].
    """
    size = check_int(size, "size", minimum=1)
    if size % 2 == 0:
        raise ValueError(f"size is {size}; expected an odd positive int such as 3")
    x, shape = _as_stack(images)
    r = int(size) // 2
    p = np.pad(x, ((0, 0), (r, r), (r, r)), mode="reflect")
    windows = np.lib.stride_tricks.sliding_window_view(p, (size, size), axis=(1, 2))
    out = np.median(windows.reshape(*x.shape, size * size), axis=-1)
    return out.reshape(shape).astype(np.float32)


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
        For a negative or non-numeric ``sigma``.
    """
    import tensorflow as tf

    from utils.training import in_pipeline

    sigma = check_number(sigma, "sigma", minimum=0.0)

    def corrupt(x_batch, seed):
        noise = tf.random.stateless_normal(tf.shape(x_batch), seed=seed, dtype=tf.float32)
        return tf.clip_by_value(x_batch + np.float32(sigma) * noise, 0.0, 1.0)

    corrupt.__name__ = f"gaussian_corruption({sigma:g})"
    return in_pipeline(corrupt)
