"""Colorization (색채화): colour spaces, patches, the lightness-to-(a, b) autoencoder, colourfulness.

Notebook 06 (``06_applications.ipynb``) introduces it. An RGB image is split into
CIE Lab: the lightness ``L`` (this module's grey version of a photograph keeps it) and the
two colour-opponent coordinates ``a`` (green-red) and ``b`` (blue-yellow), whose length
``C = sqrt(a^2 + b^2)`` is the chroma. The model sees ``L`` and predicts ``(a, b)``; the
output image is ``L`` with the predicted ``(a, b)``, turned back into RGB.

- :func:`rgb_to_lab`, :func:`lab_to_rgb` -- sRGB (D65) <-> CIE Lab (``skimage.color``), checked.
- :func:`split_lab`, :func:`join_lab` -- the model's scaled input ``L/100`` and target ``(a, b)/AB_SCALE``.
- :func:`extract_patches` -- square training patches cut from photographs.
- :func:`build_colorizer` -- a fully convolutional encoder-decoder, L -> (a, b).
- :func:`colorize`, :func:`gray_version`, :func:`constant_ab_version` -- the model's
  prediction and the two baselines (``a = b = 0``; one constant ``(a, b)`` such as the training mean).
- :func:`mean_ab`, :func:`mean_chroma` -- the mean ``(a, b)`` and the mean chroma ``C`` of images.
- :func:`colourfulness` -- Hasler and Suesstrunk's (2003) colourfulness of an RGB image.
"""

from __future__ import annotations

import warnings
from typing import Sequence

import keras
import numpy as np
from keras import layers
from skimage import color

from utils.recipes import (COLOR_BATCH_SIZE, COLOR_EPOCHS, COLOR_LEARNING_RATE, COLOR_MAX_SIDE,  # noqa: F401
                           COLOR_PATCH, COLOR_STRIDE, COLOR_TEST_PHOTOS, COLOR_WIDTHS)
from utils.validation import check_array, check_bool, check_int, describe

AB_SCALE = 100.0    # (a, b) are divided by this for the model (they lie within about +-100)


def _check_channels(a, channels: int, name: str) -> np.ndarray:
    a = check_array(a, name, dtype=np.float64)          # real, finite numbers
    if a.ndim < 1 or a.shape[-1] != channels:
        raise ValueError(f"{name} has shape {a.shape}; expected (..., {channels}) with the channels last")
    return a


def rgb_to_lab(rgb) -> np.ndarray:
    """CIE Lab (D65) of sRGB values in [0, 1]; shape (..., 3) in, (..., 3) out (``skimage.color.rgb2lab``).

    ``L`` is the lightness, from 0 (black) to 100 (white); ``a`` and ``b`` are about 0 for greys
    (within 0.005: scikit-image's D65 white differs from sRGB's white in the fourth digit).

    Raises
    ------
    TypeError, ValueError
        If the last axis is not 3, or values are complex, not finite or outside [0, 1].
    """
    return _lab(_check_channels(rgb, 3, "rgb"))


def _lab(c: np.ndarray, name: str = "rgb") -> np.ndarray:
    """``skimage.color.rgb2lab`` of an array already checked as finite, real, channels last; refuses values outside [0, 1]."""
    lo, hi = (float(c.min()), float(c.max())) if c.size else (0.0, 0.0)
    if lo < 0 or hi > 1:
        advice = "divide 0..255 images by 255" if hi > 1.5 else "clip them with np.clip(rgb, 0, 1)"
        raise ValueError(f"{name} has values from {lo!r} to {hi!r}; expected [0, 1] ({advice})")
    return color.rgb2lab(c)


def lab_to_rgb(lab) -> np.ndarray:
    """sRGB in [0, 1] of CIE Lab (D65) values (``skimage.color.lab2rgb``); colours outside sRGB are clipped.

    Raises
    ------
    TypeError, ValueError
        If the last axis is not 3 or values are complex or not finite.
    """
    lab = _check_channels(lab, 3, "lab")
    with warnings.catch_warnings():       # out-of-gamut colours are clipped, as documented above
        warnings.simplefilter("ignore", UserWarning)
        return np.clip(color.lab2rgb(lab), 0.0, 1.0)


def split_lab(rgb) -> tuple[np.ndarray, np.ndarray]:
    """The model's input and target: ``L/100`` of shape (..., 1) and ``(a, b)/AB_SCALE`` (..., 2), float32."""
    lab = rgb_to_lab(rgb)
    return (lab[..., :1] / 100.0).astype(np.float32), (lab[..., 1:] / AB_SCALE).astype(np.float32)


def join_lab(lightness, ab) -> np.ndarray:
    """RGB in [0, 1] from the scaled ``L/100`` (..., 1) and ``(a, b)/AB_SCALE`` (..., 2) of :func:`split_lab`.

    Raises
    ------
    TypeError, ValueError
        For shapes that do not match, non-finite values, or a lightness outside [0, 1]
        (unscaled ``L`` in 0..100: divide it by 100 first).
    """
    lum = check_array(lightness, "lightness", dtype=np.float64)
    ab = check_array(ab, "ab", dtype=np.float64)
    if lum.shape[-1:] != (1,) or ab.shape[-1:] != (2,) or lum.shape[:-1] != ab.shape[:-1]:
        raise ValueError(f"lightness has shape {lum.shape} and ab {ab.shape}; "
                         "expected (..., 1) and (..., 2) over the same pixels")
    if lum.size and (lum.min() < -1e-6 or lum.max() > 1 + 1e-6):
        raise ValueError(f"lightness has values from {lum.min():.4g} to {lum.max():.4g}; expected L/100 in [0, 1] "
                         "as split_lab returns it (divide L by 100 first)")
    return lab_to_rgb(np.concatenate([lum * 100.0, ab * AB_SCALE], axis=-1))


def extract_patches(images: Sequence, size: int = COLOR_PATCH, stride: int = COLOR_STRIDE,
                    flip: bool = True) -> np.ndarray:
    """Square patches of side ``size`` taken every ``stride`` pixels from each image.

    Parameters
    ----------
    images : a list of arrays (h, w, c), or one array (n, h, w, c).
    size, stride : patch side and step, in pixels (ints >= 1).
    flip : True to also add every patch mirrored left-right (twice the patches, same photographs).

    Returns
    -------
    numpy array (n, size, size, c), float32.

    Raises
    ------
    TypeError, ValueError
        For ``size`` or ``stride`` that are not ints >= 1, ``flip`` that is not a bool, no images,
        or an image smaller than a patch.
    """
    size = check_int(size, "size")
    stride = check_int(stride, "stride")
    flip = check_bool(flip, "flip")
    out = []
    for i, a in enumerate(_image_list(images, channels=None)):
        if a.shape[0] < size or a.shape[1] < size:
            raise ValueError(f"images[{i}] has shape {a.shape}; expected (h, w, c) with h, w >= {size}")
        for top in range(0, a.shape[0] - size + 1, stride):
            for left in range(0, a.shape[1] - size + 1, stride):
                out.append(a[top:top + size, left:left + size])
    patches = np.stack(out).astype(np.float32)
    return np.concatenate([patches, patches[:, :, ::-1]]) if flip else patches


def build_colorizer(widths: Sequence[int] = COLOR_WIDTHS, kernel_size: int = 3,
                    name: str = "colorizer") -> keras.Model:
    """Encoder-decoder from lightness ``L/100`` (h, w, 1) to ``(a, b)/AB_SCALE`` (h, w, 2).

    Fully convolutional, so it takes images of any size whose sides are multiples of 4.
    Encoder: ``Conv2D(widths[0])``, then ``Conv2D(widths[1], stride 2)`` and
    ``Conv2D(widths[2], stride 2)`` (the grid shrinks by 4); decoder: two
    ``Conv2DTranspose`` with stride 2 back to full size, and a linear 1x1 convolution
    to the two channels ``a`` and ``b``.

    Raises
    ------
    ValueError
        For ``widths`` that are not three positive ints.
    """
    widths = tuple(widths)
    if len(widths) != 3 or any(isinstance(w, bool) or not isinstance(w, int) or w < 1 for w in widths):
        raise ValueError(f"widths is {widths}; expected three positive ints")
    w1, w2, w3 = widths
    x = inputs = keras.Input(shape=(None, None, 1), name="lightness")
    x = layers.Conv2D(w1, kernel_size, padding="same", activation="relu", name="conv1")(x)
    x = layers.Conv2D(w2, kernel_size, strides=2, padding="same", activation="relu", name="conv2")(x)
    x = layers.Conv2D(w3, kernel_size, strides=2, padding="same", activation="relu", name="conv3")(x)
    x = layers.Conv2DTranspose(w2, kernel_size, strides=2, padding="same", activation="relu", name="deconv1")(x)
    x = layers.Conv2DTranspose(w1, kernel_size, strides=2, padding="same", activation="relu", name="deconv2")(x)
    ab = layers.Conv2D(2, 1, name="ab")(x)
    return keras.Model(inputs, ab, name=name)


def _image_list(images, name: str = "images", channels: int | None = 3) -> list:
    """Images as a list of float64 arrays (h, w, c) with at least one pixel; one (h, w, 3) array is refused."""
    if isinstance(images, np.ndarray) and images.ndim == 3:
        raise ValueError(f"{name} is one array of shape {images.shape}; expected a list of images: "
                         f"pass [image] (or image[None])")
    if isinstance(images, (str, bytes)) or not hasattr(images, "__len__") or len(images) == 0:
        raise ValueError(f"{name} is {describe(images)}; expected a non-empty list of images (h, w, 3)")
    out = []
    for i, image in enumerate(images):
        a = check_array(image, f"{name}[{i}]", min_len=0, dtype=np.float64)
        if a.ndim != 3 or (channels is not None and a.shape[-1] != channels) or a.shape[0] * a.shape[1] == 0:
            want = f"(h, w, {channels})" if channels else "(h, w, c)"
            raise ValueError(f"{name}[{i}] has shape {a.shape}; expected one image {want} with at least one pixel")
        out.append(a)
    return out


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
    for i, image in enumerate(_image_list(images)):
        if image.shape[0] % 4 or image.shape[1] % 4:
            raise ValueError(f"images[{i}] has shape {image.shape}; expected sides that are multiples of 4 "
                             "(utils.photos.crop_to_multiple)")
        lum, _ = split_lab(image)
        ab = np.asarray(model(lum[None], training=False))[0]
        out.append(join_lab(lum, ab))
    return out


def constant_ab_version(images: Sequence, ab=(0.0, 0.0)) -> list:
    """Each image's own ``L`` with one constant ``(a, b)`` (in Lab units) everywhere.

    Raises
    ------
    TypeError, ValueError
        For images that are not a list of RGB images in [0, 1], or ``ab`` that is not two finite numbers.
    """
    ab = check_array(ab, "ab", dtype=np.float64)
    if ab.shape != (2,):
        raise ValueError(f"ab has shape {ab.shape}; expected two numbers (a, b)")
    out = []
    for i, image in enumerate(_image_list(images)):
        lab = _lab(image, f"images[{i}]")
        lab[..., 1:] = ab
        out.append(lab_to_rgb(lab))
    return out


def gray_version(images: Sequence) -> list:
    """The grey version of each image (``a = b = 0``, chroma 0): the colorizer's input shown as RGB."""
    return constant_ab_version(images, (0.0, 0.0))


def mean_ab(images: Sequence) -> np.ndarray:
    """Mean ``(a, b)`` over every pixel of the images (Lab units), shape (2,)."""
    total, count = np.zeros(2), 0
    for i, image in enumerate(_image_list(images)):
        ab = _lab(image, f"images[{i}]")[..., 1:].reshape(-1, 2)
        total += ab.sum(axis=0)
        count += len(ab)
    return total / count


def mean_chroma(images: Sequence) -> float:
    """Mean chroma ``C = sqrt(a^2 + b^2)`` over every pixel of the images (0 for grey images)."""
    values = [np.hypot(*np.moveaxis(_lab(im, f"images[{i}]")[..., 1:], -1, 0)).ravel()
              for i, im in enumerate(_image_list(images))]
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
