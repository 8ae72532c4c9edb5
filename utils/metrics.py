"""Reconstruction quality: the lecture's per-image sum of squared errors, and PSNR.

Notebook 02 (``02_autoencoder.ipynb``) introduces :func:`sse_per_image`
(l(x, x~) = sum_j (x_j - x~_j)^2 for each image); notebook 03
(``03_denoising_autoencoder.ipynb``) introduces :func:`psnr`.
"""

from __future__ import annotations

import numpy as np


def _pair(x, x_hat, names: tuple[str, str]) -> tuple[np.ndarray, np.ndarray]:
    a = np.asarray(x, dtype=np.float64)
    b = np.asarray(x_hat, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"{names[0]} has shape {a.shape} but {names[1]} has shape {b.shape}; "
                         "expected the same shape")
    if a.ndim < 2 or a.shape[0] == 0:
        raise ValueError(f"{names[0]} has shape {a.shape}; expected a batch of images, (n, ...)")
    return a.reshape(len(a), -1), b.reshape(len(b), -1)


def sse_per_image(x, x_hat) -> np.ndarray:
    """Sum of squared errors of each image, ``l(x, x~) = sum_j (x_j - x~_j)^2``.

    Parameters
    ----------
    x, x_hat : arrays of the same shape (n, ...), originals and reconstructions.

    Returns
    -------
    numpy.ndarray of shape (n,)

    Raises
    ------
    ValueError
        If the shapes differ or there is no example axis.
    """
    a, b = _pair(x, x_hat, ("x", "x_hat"))
    return np.sum((a - b) ** 2, axis=1)


def mse_per_pixel(x, x_hat) -> float:
    """Mean squared error per pixel over all images: the per-image sum divided by the pixel count."""
    a, b = _pair(x, x_hat, ("x", "x_hat"))
    return float(np.mean((a - b) ** 2))


def psnr(clean, estimate, peak: float = 1.0, per_image: bool = False):
    """Peak signal-to-noise ratio in dB, ``10 log10(peak^2 / MSE)`` with the MSE of each image.

    Parameters
    ----------
    clean : clean images, (n, ...), values in [0, peak].
    estimate : estimates of the same shape, values in [0, peak] (clip them first).
    peak : largest possible pixel value.
    per_image : return the PSNR of every image instead of their mean.

    Returns
    -------
    float (mean over images) or numpy.ndarray of shape (n,). An exact estimate has infinite PSNR.

    Raises
    ------
    ValueError
        For different shapes, a non-positive peak or values outside [0, peak].
    """
    if not peak > 0:
        raise ValueError(f"peak is {peak}; expected a positive number")
    a, b = _pair(clean, estimate, ("clean", "estimate"))
    for name, v in (("clean", a), ("estimate", b)):
        if not np.all(np.isfinite(v)) or v.min() < 0 or v.max() > peak:
            raise ValueError(f"{name} has values in [{np.nanmin(v):.3g}, {np.nanmax(v):.3g}]; expected "
                             f"values in [0, {peak}] (clip estimates with np.clip(estimate, 0, {peak}))")
    mse = np.mean((a - b) ** 2, axis=1)
    with np.errstate(divide="ignore"):
        values = 10.0 * np.log10(peak ** 2 / mse)
    return values if per_image else float(np.mean(values))
