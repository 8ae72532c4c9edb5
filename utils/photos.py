"""Real colour photographs for the colorization part of notebook 06 (``06_applications.ipynb``).

Two sources, both real photographs (no generated images):

- ``"skimage"`` (the offline default; CI and the stored outputs use it): the colour
  photographs that ship inside scikit-image's wheel (``skimage.data``; read from the
  package's own files, nothing is downloaded). Seven are for training
  (:data:`SKIMAGE_TRAIN`), two are held out for testing (:data:`SKIMAGE_TEST`).
  Large photographs are shrunk by an integer factor (block means) so that their
  longer side is at most about ``max_side`` pixels.
- ``"cifar10"`` (online: Colab, Binder, a laptop with internet): CIFAR-10's 32x32 colour
  photographs through ``keras.datasets.cifar10`` (downloaded on first use). Training
  images come from CIFAR-10's training split, test images from its test split.

:func:`load_color_images` returns both kinds in one form, :class:`ColorImages`. When
CIFAR-10 is asked for but cannot be downloaded, it falls back to ``"skimage"`` and its
``source`` and ``note`` say so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

COLOR_SOURCES = ("skimage", "cifar10")

#: Training photographs from ``skimage.data`` (the two motorcycle views are one stereo pair,
#: so both stay on the training side).
SKIMAGE_TRAIN = ("astronaut", "rocket", "motorcycle_left", "motorcycle_right")
#: Held-out test photographs from ``skimage.data``.
SKIMAGE_TEST = ("chelsea", "coffee")


@dataclass
class ColorImages:
    """Colour photographs split into training and test images.

    Attributes
    ----------
    train : list of float32 RGB arrays (h, w, 3) in [0, 1].
    test : list of float32 RGB arrays (h, w, 3) in [0, 1], sides multiples of ``multiple``.
    test_names : one name per test image.
    source : ``"skimage"`` or ``"cifar10"``: the source actually used.
    note : how the images were obtained (and why a fallback happened, if it did).
    """

    train: list
    test: list
    test_names: list
    source: str
    note: str = ""
    train_names: list = field(default_factory=list)


def _check_rgb(image, name: str) -> np.ndarray:
    a = np.asarray(image)
    if a.ndim != 3 or a.shape[-1] != 3:
        raise ValueError(f"{name} has shape {a.shape}; expected a colour image (h, w, 3)")
    return a


def shrink(image, max_side: int) -> np.ndarray:
    """Shrink an RGB image by the integer factor ``ceil(longer side / max_side)`` (block means).

    Returns float32 in [0, 1] (uint8 input is divided by 255). A factor of 1 leaves it as it is.

    Raises
    ------
    ValueError
        For an image that is not (h, w, 3) or ``max_side`` below 8.
    """
    a = _check_rgb(image, "image")
    if int(max_side) < 8:
        raise ValueError(f"max_side is {max_side}; expected at least 8 pixels")
    a = a.astype(np.float32) / np.float32(255.0) if a.dtype == np.uint8 else a.astype(np.float32)
    factor = int(np.ceil(max(a.shape[:2]) / int(max_side)))
    if factor <= 1:
        return a
    h, w = (a.shape[0] // factor) * factor, (a.shape[1] // factor) * factor
    return a[:h, :w].reshape(h // factor, factor, w // factor, factor, 3).mean(axis=(1, 3))


def crop_to_multiple(image, multiple: int) -> np.ndarray:
    """Crop an image (centred) so that height and width are multiples of ``multiple``."""
    a = np.asarray(image)
    if a.ndim < 2:
        raise ValueError(f"image has shape {a.shape}; expected (h, w, ...)")
    if int(multiple) < 1 or min(a.shape[:2]) < int(multiple):
        raise ValueError(f"multiple is {multiple} for an image of shape {a.shape}; "
                         "expected 1 <= multiple <= the shorter side")
    h, w = (a.shape[0] // multiple) * multiple, (a.shape[1] // multiple) * multiple
    top, left = (a.shape[0] - h) // 2, (a.shape[1] - w) // 2
    return a[top:top + h, left:left + w]


def skimage_photo(name: str) -> np.ndarray:
    """One colour photograph from scikit-image's bundled files, uint8 (h, w, 3).

    Raises
    ------
    ValueError
        For a name that is not in :data:`SKIMAGE_TRAIN` or :data:`SKIMAGE_TEST`.
    ImportError
        If scikit-image is not installed (``pip install scikit-image``).
    """
    known = SKIMAGE_TRAIN + SKIMAGE_TEST
    if name not in known:
        raise ValueError(f"unknown photograph {name!r}; expected one of {known}")
    try:
        import skimage.data
    except ImportError as exc:
        raise ImportError("the offline colour photographs come from scikit-image: "
                          "`pip install scikit-image` (or use source='cifar10' with internet)") from exc
    if name.startswith("motorcycle_"):
        left, right, _ = skimage.data.stereo_motorcycle()
        return left if name == "motorcycle_left" else right
    return getattr(skimage.data, name)()


def load_skimage_photos(max_side: int = 320, multiple: int = 4) -> ColorImages:
    """The offline source: :data:`SKIMAGE_TRAIN` for training, :data:`SKIMAGE_TEST` for testing."""
    train = [shrink(skimage_photo(n), max_side) for n in SKIMAGE_TRAIN]
    test = [crop_to_multiple(shrink(skimage_photo(n), max_side), multiple) for n in SKIMAGE_TEST]
    note = (f"scikit-image's bundled photographs (offline): {len(train)} for training "
            f"({', '.join(SKIMAGE_TRAIN)}), {len(test)} held out ({', '.join(SKIMAGE_TEST)})")
    return ColorImages(train, test, list(SKIMAGE_TEST), "skimage", note, list(SKIMAGE_TRAIN))


def load_cifar10_photos(n_train: int = 20000, n_test: int = 500) -> ColorImages:
    """The online source: the first ``n_train`` training and ``n_test`` test images of CIFAR-10.

    Raises
    ------
    ValueError
        For counts outside 1..50,000 (training) or 1..10,000 (test).
    Exception
        Whatever ``keras.datasets.cifar10.load_data()`` raises when it cannot download.
    """
    if not 1 <= int(n_train) <= 50000 or not 1 <= int(n_test) <= 10000:
        raise ValueError(f"n_train is {n_train} and n_test is {n_test}; expected 1..50000 and 1..10000")
    from utils.runtime import quiet_tensorflow

    quiet_tensorflow()
    import keras

    (x_train, _), (x_test, y_test) = keras.datasets.cifar10.load_data()
    classes = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
    train = list(x_train[:int(n_train)].astype(np.float32) / np.float32(255.0))
    test = list(x_test[:int(n_test)].astype(np.float32) / np.float32(255.0))
    names = [classes[int(c)] for c in np.ravel(y_test)[:int(n_test)]]
    note = f"CIFAR-10 through keras.datasets.cifar10: {len(train)} training and {len(test)} test images (32x32)"
    return ColorImages(train, test, names, "cifar10", note)


def load_color_images(source: str = "skimage", *, max_side: int = 320, n_train: int = 20000,
                      n_test: int = 500) -> ColorImages:
    """Colour photographs for colorization, from ``source`` (see the module docstring).

    Parameters
    ----------
    source : ``"skimage"`` (offline default) or ``"cifar10"`` (online; falls back to
        ``"skimage"`` when the download fails, saying so in ``note``).
    max_side : for ``"skimage"``: longer side after shrinking (about).
    n_train, n_test : for ``"cifar10"``: how many training and test images.

    Raises
    ------
    ValueError
        For an unknown ``source``.
    """
    if source not in COLOR_SOURCES:
        raise ValueError(f"source is {source!r}; expected one of {COLOR_SOURCES}")
    if source == "cifar10":
        try:
            return load_cifar10_photos(n_train, n_test)
        except Exception as exc:  # no network, blocked download, ...
            data = load_skimage_photos(max_side)
            data.note = (f"CIFAR-10 could not be downloaded ({type(exc).__name__}: {str(exc)[:120]}); "
                         f"fell back to {data.note}")
            return data
    return load_skimage_photos(max_side)
