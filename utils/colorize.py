"""Colorization (색채화): colour spaces, patches, the luminance-to-chroma autoencoder, colourfulness.

Notebook 06 (``06_applications.ipynb``) introduces it. An RGB image is split into
CIE Lab: the luminance ``L`` (what a grey photograph keeps) and the two chroma
channels ``a`` (green-red) and ``b`` (blue-yellow). The model sees ``L`` and predicts
``(a, b)``; the output image is ``L`` with the predicted chroma, turned back into RGB.

- :func:`rgb_to_lab`, :func:`lab_to_rgb` -- sRGB (D65) <-> CIE Lab in numpy.
- :func:`split_lab`, :func:`join_lab` -- the model's scaled input ``L/100`` and target ``(a, b)/AB_SCALE``.
- :func:`extract_patches` -- square training patches cut from photographs.
- :func:`build_colorizer` -- a fully convolutional encoder-decoder, L -> (a, b).
- :func:`colorize`, :func:`gray_version`, :func:`constant_chroma_version` -- the model's
  prediction and the two baselines (zero chroma; one constant chroma such as the training mean).
- :func:`colourfulness` -- Hasler and Suesstrunk's (2003) colourfulness of an RGB image.
"""

from __future__ import annotations

from typing import Sequence

import keras
import numpy as np
from keras import layers

from utils.recipes import (COLOR_BATCH_SIZE, COLOR_EPOCHS, COLOR_LEARNING_RATE, COLOR_PATCH,  # noqa: F401
                           COLOR_STRIDE, COLOR_WIDTHS)

AB_SCALE = 100.0    # (a, b) are divided by this for the model (they lie within about +-100)

# sRGB (D65) primaries: linear RGB -> CIE XYZ, and the D65 white point (XYZ of white).
_RGB_TO_XYZ = np.array([[0.412453, 0.357580, 0.180423],
                        [0.212671, 0.715160, 0.072169],
                        [0.019334, 0.119193, 0.950227]])
_XYZ_TO_RGB = np.linalg.inv(_RGB_TO_XYZ)
_WHITE = _RGB_TO_XYZ.sum(axis=1)   # XYZ of RGB white, so that greys get a = b = 0 exactly
_DELTA = 6.0 / 29.0


def _check_channels(a, channels: int, name: str) -> np.ndarray:
    a = np.asarray(a, dtype=np.float64)
    if a.ndim < 1 or a.shape[-1] != channels:
        raise ValueError(f"{name} has shape {a.shape}; expected (..., {channels}) with the channels last")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} holds NaN or infinite values; expected finite numbers")
    return a


def rgb_to_lab(rgb) -> np.ndarray:
    """CIE Lab (D65) of sRGB values in [0, 1]; shape (..., 3) in, (..., 3) out.

    ``L`` runs from 0 (black) to 100 (white); ``a`` and ``b`` are 0 for greys.

    Raises
    ------
    ValueError
        If the last axis is not 3, or values lie outside [0, 1] or are not finite.
    """
    c = _check_channels(rgb, 3, "rgb")
    if c.min(initial=0.0) < 0 or c.max(initial=0.0) > 1:
        raise ValueError(f"rgb has values in [{c.min():.3g}, {c.max():.3g}]; expected [0, 1] "
                         "(divide uint8 images by 255)")
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    xyz = linear @ _RGB_TO_XYZ.T / _WHITE
    f = np.where(xyz > _DELTA ** 3, np.cbrt(xyz), xyz / (3 * _DELTA ** 2) + 4.0 / 29.0)
    return np.stack([116.0 * f[..., 1] - 16.0, 500.0 * (f[..., 0] - f[..., 1]),
                     200.0 * (f[..., 1] - f[..., 2])], axis=-1)


def lab_to_rgb(lab) -> np.ndarray:
    """sRGB in [0, 1] of CIE Lab (D65) values; colours outside the sRGB gamut are clipped.

    Raises
    ------
    ValueError
        If the last axis is not 3 or values are not finite.
    """
    lab = _check_channels(lab, 3, "lab")
    fy = (lab[..., 0] + 16.0) / 116.0
    f = np.stack([fy + lab[..., 1] / 500.0, fy, fy - lab[..., 2] / 200.0], axis=-1)
    xyz = np.where(f > _DELTA, f ** 3, 3 * _DELTA ** 2 * (f - 4.0 / 29.0)) * _WHITE
    linear = np.clip(xyz @ _XYZ_TO_RGB.T, 0.0, None)
    rgb = np.where(linear <= 0.0031308, 12.92 * linear, 1.055 * linear ** (1 / 2.4) - 0.055)
    return np.clip(rgb, 0.0, 1.0)


def split_lab(rgb) -> tuple[np.ndarray, np.ndarray]:
    """The model's input and target: ``L/100`` of shape (..., 1) and ``(a, b)/AB_SCALE`` (..., 2), float32."""
    lab = rgb_to_lab(rgb)
    return ((lab[..., :1] / 100.0).astype(np.float32),
            (lab[..., 1:] / AB_SCALE).astype(np.float32))


def join_lab(luminance, chroma) -> np.ndarray:
    """RGB in [0, 1] from the scaled ``L/100`` (..., 1) and ``(a, b)/AB_SCALE`` (..., 2) of :func:`split_lab`."""
    lum = np.asarray(luminance, dtype=np.float64)
    ab = np.asarray(chroma, dtype=np.float64)
    if lum.shape[-1:] != (1,) or ab.shape[-1:] != (2,) or lum.shape[:-1] != ab.shape[:-1]:
        raise ValueError(f"luminance has shape {lum.shape} and chroma {ab.shape}; "
                         "expected (..., 1) and (..., 2) over the same pixels")
    return lab_to_rgb(np.concatenate([lum * 100.0, ab * AB_SCALE], axis=-1))


def extract_patches(images: Sequence, size: int = COLOR_PATCH, stride: int = COLOR_STRIDE,
                    flip: bool = True) -> np.ndarray:
    """Square patches of side ``size`` taken every ``stride`` pixels from each image.

    Parameters
    ----------
    images : sequence of arrays (h, w, c).
    size, stride : patch side and step, in pixels.
    flip : also add every patch mirrored left-right (twice the patches, same photographs).

    Returns
    -------
    numpy array (n, size, size, c), float32.

    Raises
    ------
    ValueError
        For ``size`` or ``stride`` below 1, no images, or an image smaller than a patch.
    """
    if int(size) < 1 or int(stride) < 1:
        raise ValueError(f"size is {size} and stride is {stride}; expected positive integers")
    if len(images) == 0:
        raise ValueError("images is empty; expected at least one image (h, w, c)")
    out = []
    for i, image in enumerate(images):
        a = np.asarray(image, dtype=np.float32)
        if a.ndim != 3 or a.shape[0] < size or a.shape[1] < size:
            raise ValueError(f"images[{i}] has shape {a.shape}; expected (h, w, c) with h, w >= {size}")
        for top in range(0, a.shape[0] - size + 1, int(stride)):
            for left in range(0, a.shape[1] - size + 1, int(stride)):
                out.append(a[top:top + size, left:left + size])
    patches = np.stack(out)
    return np.concatenate([patches, patches[:, :, ::-1]]) if flip else patches


def build_colorizer(widths: Sequence[int] = COLOR_WIDTHS, kernel_size: int = 3,
                    name: str = "colorizer") -> keras.Model:
    """Encoder-decoder from luminance ``L/100`` (h, w, 1) to chroma ``(a, b)/AB_SCALE`` (h, w, 2).

    Fully convolutional, so it takes images of any size whose sides are multiples of 4.
    Encoder: ``Conv2D(widths[0])``, then ``Conv2D(widths[1], stride 2)`` and
    ``Conv2D(widths[2], stride 2)`` (the grid shrinks by 4); decoder: two
    ``Conv2DTranspose`` with stride 2 back to full size, and a linear 1x1 convolution
    to the two chroma channels.

    Raises
    ------
    ValueError
        For ``widths`` that are not three positive ints.
    """
    widths = tuple(widths)
    if len(widths) != 3 or any(isinstance(w, bool) or not isinstance(w, int) or w < 1 for w in widths):
        raise ValueError(f"widths is {widths}; expected three positive ints")
    w1, w2, w3 = widths
    x = inputs = keras.Input(shape=(None, None, 1), name="luminance")
    x = layers.Conv2D(w1, kernel_size, padding="same", activation="relu", name="conv1")(x)
    x = layers.Conv2D(w2, kernel_size, strides=2, padding="same", activation="relu", name="conv2")(x)
    x = layers.Conv2D(w3, kernel_size, strides=2, padding="same", activation="relu", name="conv3")(x)
    x = layers.Conv2DTranspose(w2, kernel_size, strides=2, padding="same", activation="relu", name="deconv1")(x)
    x = layers.Conv2DTranspose(w1, kernel_size, strides=2, padding="same", activation="relu", name="deconv2")(x)
    chroma = layers.Conv2D(2, 1, name="chroma")(x)
    return keras.Model(inputs, chroma, name=name)


def _check_image_list(images, name: str = "images") -> list:
    if len(images) == 0:
        raise ValueError(f"{name} is empty; expected at least one RGB image (h, w, 3)")
    return [_check_channels(im, 3, f"{name}[{i}]") for i, im in enumerate(images)]


def colorize(model: keras.Model, images: Sequence) -> list:
    """The model's colour version of each image: its own ``L`` with the predicted ``(a, b)``.

    Parameters
    ----------
    model : a trained :func:`build_colorizer`.
    images : RGB images (h, w, 3) in [0, 1], sides multiples of 4 (only their ``L`` is used).

    Returns
    -------
    list of RGB arrays in [0, 1], one per image.
    """
    out = []
    for i, image in enumerate(_check_image_list(images)):
        if image.shape[0] % 4 or image.shape[1] % 4:
            raise ValueError(f"images[{i}] has shape {image.shape}; expected sides that are multiples of 4 "
                             "(utils.photos.crop_to_multiple)")
        lum, _ = split_lab(image)
        chroma = np.asarray(model(lum[None], training=False))[0]
        out.append(join_lab(lum, chroma))
    return out


def constant_chroma_version(images: Sequence, chroma=(0.0, 0.0)) -> list:
    """Each image's own ``L`` with one constant chroma ``(a, b)`` (in Lab units) everywhere."""
    ab = np.asarray(chroma, dtype=np.float64)
    if ab.shape != (2,) or not np.all(np.isfinite(ab)):
        raise ValueError(f"chroma is {chroma!r}; expected two finite numbers (a, b)")
    out = []
    for image in _check_image_list(images):
        lab = rgb_to_lab(image)
        lab[..., 1:] = ab
        out.append(lab_to_rgb(lab))
    return out


def gray_version(images: Sequence) -> list:
    """The grey (zero-chroma) version of each image: the colorizer's input shown as RGB."""
    return constant_chroma_version(images, (0.0, 0.0))


def mean_chroma(images: Sequence) -> np.ndarray:
    """Mean ``(a, b)`` over every pixel of the images (Lab units), shape (2,)."""
    total, count = np.zeros(2), 0
    for image in _check_image_list(images):
        ab = rgb_to_lab(image)[..., 1:].reshape(-1, 2)
        total += ab.sum(axis=0)
        count += len(ab)
    return total / count


def chroma_magnitude(images: Sequence) -> float:
    """Mean chroma ``sqrt(a^2 + b^2)`` over every pixel of the images (0 for grey images)."""
    values = [np.hypot(*np.moveaxis(rgb_to_lab(im)[..., 1:], -1, 0)).ravel() for im in _check_image_list(images)]
    return float(np.concatenate(values).mean())


def colourfulness(image) -> float:
    """Hasler and Suesstrunk's (2003) colourfulness of one RGB image in [0, 1].

    With ``rg = R - G`` and ``yb = (R + G)/2 - B`` on the 0..255 scale,
    ``M = sqrt(sd(rg)^2 + sd(yb)^2) + 0.3 sqrt(mean(rg)^2 + mean(yb)^2)``.
    0 for a grey image; their survey put "moderately colourful" near 33 and
    "extremely colourful" above about 109.

    Raises
    ------
    ValueError
        For an array that is not (h, w, 3) or values outside [0, 1].
    """
    a = np.asarray(image, dtype=np.float64)
    if a.ndim != 3 or a.shape[-1] != 3:
        raise ValueError(f"image has shape {a.shape}; expected one RGB image (h, w, 3)")
    if not np.all(np.isfinite(a)) or a.min() < 0 or a.max() > 1:
        raise ValueError("image has values outside [0, 1] (or non-finite ones); expected RGB in [0, 1]")
    r, g, b = np.moveaxis(a * 255.0, -1, 0)
    rg, yb = r - g, 0.5 * (r + g) - b
    return float(np.hypot(rg.std(), yb.std()) + 0.3 * np.hypot(rg.mean(), yb.mean()))
