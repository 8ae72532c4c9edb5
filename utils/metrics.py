"""Reconstruction quality: the lecture's per-image sum of squared errors, and PSNR.

Notebook 02 (``02_autoencoder.ipynb``) introduces :func:`sse_per_image`
(l(x, x~) = sum_j (x_j - x~_j)^2 for each image); notebook 03
(``03_denoising_autoencoder.ipynb``) introduces :func:`psnr`.

Both take batches of images, shape (n, height, width, channels): a single
(28, 28, 1) image is refused with the advice ``x[None]`` (it would otherwise be
read as 28 images). The originals must be pixels in [0, 1]; reconstructions may
stray outside (a linear output layer), but must be finite and of the same shape.
"""

from __future__ import annotations

import numpy as np

from utils.validation import check_images, check_number, check_same_shape


def _pair(x, x_hat, names: tuple[str, str], peak: float = 1.0,
          estimate_in_range: bool = False) -> tuple[np.ndarray, np.ndarray]:
    a = check_images(x, names[0], peak=peak, dtype=np.float64)
    b = check_images(x_hat, names[1], peak=peak if estimate_in_range else None, dtype=np.float64)
    check_same_shape(a, b, names)
    return a.reshape(len(a), -1), b.reshape(len(b), -1)


def sse_per_image(x, x_hat) -> np.ndarray:
    """Sum of squared errors of each image, ``l(x, x~) = sum_j (x_j - x~_j)^2``.

    Parameters
    ----------
    x, x_hat : originals (pixels in [0, 1]) and reconstructions, both (n, height, width, channels).

    Returns
    -------
    numpy.ndarray of shape (n,)

    Raises
    ------
    TypeError, ValueError
        As :func:`utils.validation.check_images`, or if the shapes differ.
    """
    a, b = _pair(x, x_hat, ("x", "x_hat"))
    return np.sum((a - b) ** 2, axis=1)


def psnr(clean, estimate, peak: float = 1.0, per_image: bool = False):
    """Peak signal-to-noise ratio in dB, ``10 log10(peak^2 / MSE)`` with the MSE of each image.

    Parameters
    ----------
    clean : clean images, (n, height, width, channels), values in [0, peak].
    estimate : estimates of the same shape, values in [0, peak] (clip them first).
    peak : largest possible pixel value.
    per_image : return the PSNR of every image instead of their mean.

    Returns
    -------
    float (mean over images) or numpy.ndarray of shape (n,). An exact estimate has infinite PSNR.

    Raises
    ------
    TypeError, ValueError
        For different shapes, a peak that is not a finite positive number, values outside
        [0, peak] (:func:`utils.validation.check_images`), or a peak above 1 for images in [0, 1]
        (``peak=255`` on [0, 1] floats would add 48 dB).
    """
    peak = check_number(peak, "peak", positive=True)
    a, b = _pair(clean, estimate, ("clean", "estimate"), peak=peak, estimate_in_range=True)
    if peak > 1 and a.max() <= 1:
        raise ValueError(f"peak is {peak:g} but clean holds values in [0, 1]; expected the images' own peak: "
                         "peak=1 (the default) for [0, 1] pixels, or pass 0..255 pixels unscaled with peak=255")
    mse = np.mean((a - b) ** 2, axis=1)
    with np.errstate(divide="ignore"):
        values = 10.0 * np.log10(peak ** 2 / mse)
    if not isinstance(per_image, (bool, np.bool_)):
        raise TypeError(f"per_image is {per_image!r}; expected True or False")
    return values if per_image else float(np.mean(values))
