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


def _check_images(images, name: str = "images", min_ndim: int = 2) -> np.ndarray:
    a = np.asarray(images, dtype=np.float32)
    if a.ndim < min_ndim or a.ndim > 4 or a.size == 0:
        raise ValueError(f"{name} has shape {np.shape(images)}; expected (h, w), (n, h, w) or (n, h, w, c)")
    if not np.all(np.isfinite(a)) or a.min() < 0.0 or a.max() > 1.0:
        raise ValueError(f"{name} has values in [{np.nanmin(a):.3g}, {np.nanmax(a):.3g}]; "
                         "expected pixel values in [0, 1]")
    return a


def _check_fraction(value: float, name: str) -> float:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} is {value}; expected a fraction in [0, 1]")
    return float(value)


def gaussian_noise(images, sigma: float, seed: int | None = None) -> np.ndarray:
    """Add N(0, sigma^2) noise to every pixel, then clip to [0, 1].

    Equals ``np.clip(x + sigma * rng.standard_normal(x.shape, dtype=np.float32), 0, 1)``
    with ``rng = np.random.default_rng(seed)``.

    Raises
    ------
    ValueError
        For a negative ``sigma`` or images outside [0, 1].
    """
    if not sigma >= 0:
        raise ValueError(f"sigma is {sigma}; expected a standard deviation >= 0")
    x = _check_images(images)
    rng = np.random.default_rng(seed)
    noise = np.float32(sigma) * rng.standard_normal(x.shape, dtype=np.float32)
    return np.clip(x + noise, 0.0, 1.0)


def salt_and_pepper(images, amount: float, seed: int | None = None) -> np.ndarray:
    """Replace a fraction ``amount`` of the pixels by 0 or 1 (each with probability 1/2).

    Raises
    ------
    ValueError
        For ``amount`` outside [0, 1] or images outside [0, 1].
    """
    amount = _check_fraction(amount, "amount")
    x = _check_images(images).copy()
    rng = np.random.default_rng(seed)
    hit = rng.random(x.shape) < amount
    salt = rng.random(x.shape) < 0.5
    x[hit] = salt[hit].astype(np.float32)
    return x


def mask_pixels(images, fraction: float, seed: int | None = None) -> np.ndarray:
    """Masking noise: set a fraction ``fraction`` of the pixels, chosen at random, to 0.

    Raises
    ------
    ValueError
        For ``fraction`` outside [0, 1] or images outside [0, 1].
    """
    fraction = _check_fraction(fraction, "fraction")
    x = _check_images(images)
    rng = np.random.default_rng(seed)
    return np.where(rng.random(x.shape) < fraction, np.float32(0.0), x)


def _as_stack(images) -> tuple[np.ndarray, tuple]:
    """(n, h, w) view of the images plus the shape to restore."""
    x = _check_images(images)
    shape = x.shape
    if x.ndim == 2:
        return x[None], shape
    if x.ndim == 4:
        if shape[-1] != 1:
            raise ValueError(f"images have {shape[-1]} channels; the filters expect grey images (1 channel)")
        return x[..., 0], shape
    return x, shape


def gaussian_kernel(sigma: float, radius: int | None = None) -> np.ndarray:
    """1-D Gaussian weights on -radius..radius (default radius: ceil(3 sigma)), summing to 1.

    Raises
    ------
    ValueError
        For ``sigma <= 0`` or a negative radius.
    """
    if not sigma > 0:
        raise ValueError(f"sigma is {sigma}; expected a positive width in pixels")
    radius = int(np.ceil(3 * sigma)) if radius is None else int(radius)
    if radius < 0:
        raise ValueError(f"radius is {radius}; expected >= 0")
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
    ValueError
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
    ValueError
        For an even or non-positive ``size``, colour images or values outside [0, 1].
    """
    if int(size) != size or size < 1 or size % 2 == 0:
        raise ValueError(f"size is {size}; expected an odd positive int such as 3")
    x, shape = _as_stack(images)
    r = int(size) // 2
    p = np.pad(x, ((0, 0), (r, r), (r, r)), mode="reflect")
    windows = np.lib.stride_tricks.sliding_window_view(p, (size, size), axis=(1, 2))
    out = np.median(windows.reshape(*x.shape, size * size), axis=-1)
    return out.reshape(shape).astype(np.float32)
