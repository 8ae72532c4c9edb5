"""Real colour photographs for the colorization part of notebook 06 (``06_applications.ipynb``).

Two sources, both real photographs read from files a package installs (nothing is downloaded):

- ``"gcompris"`` (the default; the stored outputs use it): the photographs of animals,
  monuments and everyday objects in GCompris, the educational software suite, as Debian's
  package ``gcompris-qt-data`` (version 3.1) installs them: five Qt resource files in
  ``/usr/share/gcompris-qt/rcc/`` (:data:`GCOMPRIS_FILES`, each checked by its SHA-256), from
  which every WebP photograph whose shorter side has at least 160 pixels is taken, without the
  second copies of three photographs that two activities share (238 photographs). Each
  photograph's author and licence (public domain, CC0, CC BY, CC BY-SA, GPL-3+, GFDL) is listed
  in ``/usr/share/doc/gcompris-qt-data/copyright``. Install it with
  ``sudo apt-get install gcompris-qt-data`` (Debian 12), then run ``make data``
  (``python -m tools.offline_data prepare --dataset all``): it reads the package's files once and
  keeps the shrunk photographs in the data cache (``gcompris-photos-<max_side>.npz``, with the
  package files' SHA-256 and its own), which this module reads.
- ``"skimage"`` (the fallback, always there): six colour photographs that ship inside
  scikit-image's wheel (``skimage.data``): four for training, two held out.

:func:`load_color_images` returns either in one form, :class:`ColorImages`, with the
held-out photographs chosen by photograph (never patches of a training photograph). When
``"gcompris"`` is asked for but its prepared photographs are missing or differ, it falls back
to ``"skimage"`` and its ``source`` and ``note`` say so, and how to get the photographs.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from utils.data import default_cache_dir
from utils.validation import check_choice, check_int, describe

COLOR_SOURCES = ("gcompris", "skimage")

GCOMPRIS_PACKAGE = "gcompris-qt-data"
#: The Qt resource files of ``gcompris-qt-data`` 3.1 that hold the photographs, with their SHA-256.
GCOMPRIS_FILES = {
    "erase.rcc": "0c92974491a4a4e90bebe79156720122adaf084b2e2fcc4513ce6907c3e14d6b",
    "explore_world_animals.rcc": "85599f387a1f0da48d8e9e4502e6ef1ba9e826391bc4d6feb3b1f614d2d0ebdd",
    "explore_farm_animals.rcc": "1d17b5eb6c72b3a26aa37d6767fbeaf5a943064602c82b2d9c21ba006f748ba8",
    "explore_monuments.rcc": "337878371e443f7401d4fe4798c88dde44569953bf5fa8f2738d45be4ec59ab1",
    "categorization.rcc": "984852ac8377a224c94e26a5bc8a13d0a589612030902c6d76c14509fef3c984",
}
HOW_TO_GET = (f"install Debian's package {GCOMPRIS_PACKAGE} (sudo apt-get install {GCOMPRIS_PACKAGE}), then run "
              "`make data` (python -m tools.offline_data prepare --dataset all) in a checkout of the repository")

#: Training photographs from ``skimage.data`` (the stereo pair of motorcycle views stays on the training side).
SKIMAGE_TRAIN = ("astronaut", "rocket", "motorcycle_left", "motorcycle_right")
#: Held-out test photographs from ``skimage.data``.
SKIMAGE_TEST = ("chelsea", "coffee")


class PhotosUnavailable(RuntimeError):
    """The prepared GCompris photographs are not in the data cache, or not the pinned package's."""


@dataclass
class ColorImages:
    """Colour photographs split, by photograph, into training and test images.

    Attributes
    ----------
    train : list of float32 RGB arrays (h, w, 3) in [0, 1].
    test : list of float32 RGB arrays (h, w, 3) in [0, 1], sides multiples of ``multiple``.
    test_names : one name per test image.
    source : ``"gcompris"`` or ``"skimage"``: the source actually used.
    note : how the images were obtained (and why a fallback happened, if it did).
    train_names : one name per training image.
    """

    train: list
    test: list
    test_names: list
    source: str
    note: str = ""
    train_names: list = field(default_factory=list)


def shrink(image, max_side: int) -> np.ndarray:
    """Shrink an RGB image by the integer factor ``ceil(longer side / max_side)`` (block means).

    Returns float32 in [0, 1]: uint8 input is divided by 255 and uint16 input by 65535; float
    input must already lie in [0, 1]. A factor of 1 leaves the size as it is.

    Raises
    ------
    TypeError, ValueError
        For an image that is not (h, w, 3), other integer types, floats outside [0, 1],
        or ``max_side`` that is not an int >= 8.
    """
    max_side = check_int(max_side, "max_side", minimum=8)
    a = np.asarray(image)
    if a.ndim != 3 or a.shape[-1] != 3 or 0 in a.shape:
        raise ValueError(f"image is {describe(image)}; expected a colour image (h, w, 3)")
    scale = {np.dtype(np.uint8): 255.0, np.dtype(np.uint16): 65535.0}.get(a.dtype)
    if scale is None:
        if not np.issubdtype(a.dtype, np.floating):
            raise TypeError(f"image has dtype {a.dtype}; expected uint8 (0..255), uint16 or floats in [0, 1]")
        if not np.all(np.isfinite(a)) or a.min() < 0 or a.max() > 1:
            raise ValueError(f"image has float values from {a.min():.4g} to {a.max():.4g}; expected [0, 1] "
                             "(divide 0..255 values by 255)")
    factor = -(-max(a.shape[:2]) // max_side)
    if factor > 1:
        h, w = (a.shape[0] // factor) * factor, (a.shape[1] // factor) * factor
        blocks = a[:h, :w].reshape(h // factor, factor, w // factor, 3 * factor)
        sums = blocks.sum(axis=1, dtype=np.float64).reshape(h // factor, w // factor, factor, 3).sum(axis=2)
        a = sums / factor ** 2
    return (a / (scale or 1.0)).astype(np.float32)


def crop_to_multiple(image, multiple: int) -> np.ndarray:
    """Crop an image (centred) so that height and width are multiples of ``multiple``."""
    a = np.asarray(image)
    multiple = check_int(multiple, "multiple")
    if a.ndim < 2 or min(a.shape[:2]) < multiple:
        raise ValueError(f"image has shape {a.shape}; expected (h, w, ...) with both sides >= multiple = {multiple}")
    h, w = (a.shape[0] // multiple) * multiple, (a.shape[1] // multiple) * multiple
    top, left = (a.shape[0] - h) // 2, (a.shape[1] - w) // 2
    return a[top:top + h, left:left + w]


def photo_cache_path(max_side: int, cache_dir: str | Path | None = None) -> Path:
    """The prepared photographs' file, ``gcompris-photos-<max_side>.npz`` in the data cache (:mod:`utils.data`)."""
    max_side = check_int(max_side, "max_side", minimum=8)
    return Path(default_cache_dir() if cache_dir is None else cache_dir) / f"gcompris-photos-{max_side}.npz"


def photo_digest(names: np.ndarray, shapes: np.ndarray, pixels: np.ndarray) -> str:
    """SHA-256 of the prepared photographs' names, shapes and float32 pixels (the cache file's own checksum)."""
    h = hashlib.sha256("\n".join(names.tolist()).encode())
    h.update(shapes.astype("<i8").tobytes())
    h.update(pixels.astype("<f4").tobytes())
    return h.hexdigest()


def package_sources() -> str:
    """The pinned package files as the cache records them, one ``<file> <SHA-256>`` per line."""
    return "\n".join(f"{f} {d}" for f, d in GCOMPRIS_FILES.items())


def cached_gcompris_photographs(max_side: int = 160, cache_dir: str | Path | None = None) -> dict[str, np.ndarray]:
    """The shrunk GCompris photographs that ``make data`` prepared: ``{name: float32 (h, w, 3) in [0, 1]}``.

    The file holds them exactly, with the SHA-256 of the package files they came from and a SHA-256
    of its own content; it is used only when both match (:data:`GCOMPRIS_FILES`, :func:`photo_digest`).

    Raises
    ------
    PhotosUnavailable
        If the file is missing, damaged or made from other package files; the message says how to
        get the photographs.
    """
    path = photo_cache_path(max_side, cache_dir)
    try:
        with np.load(path, allow_pickle=False) as z:
            names, shapes, pixels = z["names"], z["shapes"], z["pixels"]
            if str(z["sources"]) != package_sources():
                problem = f"{path} was made from other files than {GCOMPRIS_PACKAGE} 3.1's"
            elif str(z["digest"]) != photo_digest(names, shapes, pixels):
                problem = f"{path} is damaged (its SHA-256 does not match)"
            else:
                ends = np.cumsum([0] + [int(np.prod(s)) for s in shapes])
                return {str(n): pixels[a:b].reshape(s) for n, a, b, s in zip(names, ends[:-1], ends[1:], shapes)}
    except FileNotFoundError:
        problem = f"the prepared photographs are not in {path}"
    except Exception as exc:           # a damaged or unreadable file: the caller falls back
        problem = f"{path} cannot be read ({type(exc).__name__}: {exc})"
    raise PhotosUnavailable(f"{problem}: {HOW_TO_GET}")


def skimage_photo(name: str) -> np.ndarray:
    """One colour photograph from scikit-image's bundled files, uint8 (h, w, 3).

    Raises
    ------
    ValueError
        For a name that is not in :data:`SKIMAGE_TRAIN` or :data:`SKIMAGE_TEST`.
    """
    import skimage.data

    name = check_choice(name, "name", SKIMAGE_TRAIN + SKIMAGE_TEST)
    if name.startswith("motorcycle_"):
        left, right, _ = skimage.data.stereo_motorcycle()
        return left if name == "motorcycle_left" else right
    return getattr(skimage.data, name)()


def load_skimage_photos(max_side: int = 320, multiple: int = 4) -> ColorImages:
    """The fallback source: :data:`SKIMAGE_TRAIN` for training, :data:`SKIMAGE_TEST` for testing."""
    train = [shrink(skimage_photo(n), max_side) for n in SKIMAGE_TRAIN]
    test = [crop_to_multiple(shrink(skimage_photo(n), max_side), multiple) for n in SKIMAGE_TEST]
    note = (f"scikit-image's bundled photographs: {len(train)} for training "
            f"({', '.join(SKIMAGE_TRAIN)}), {len(test)} held out ({', '.join(SKIMAGE_TEST)})")
    return ColorImages(train, test, list(SKIMAGE_TEST), "skimage", note, list(SKIMAGE_TRAIN))


def load_gcompris_photos(n_test: int, max_side: int = 160, multiple: int = 4, seed: int = 0,
                         cache_dir: str | Path | None = None) -> ColorImages:
    """The GCompris photographs, ``n_test`` of them held out (a random choice of photographs, ``seed``).

    Raises
    ------
    PhotosUnavailable
        As :func:`cached_gcompris_photographs`.
    TypeError, ValueError
        For ``n_test`` that is not an int that leaves at least one training photograph, or a bad ``seed``.
    """
    photos = cached_gcompris_photographs(max_side, cache_dir)
    n_test = check_int(n_test, "n_test", minimum=1, maximum=len(photos) - 1)
    names = sorted(photos)
    held_out = set(np.random.default_rng(check_int(seed, "seed", minimum=0)).permutation(len(names))[:n_test])
    train_names = [n for i, n in enumerate(names) if i not in held_out]
    test_names = [n for i, n in enumerate(names) if i in held_out]
    train = [photos[n] for n in train_names]
    test = [crop_to_multiple(photos[n], multiple) for n in test_names]
    note = (f"GCompris' photographs (Debian {GCOMPRIS_PACKAGE} 3.1; authors and licences in "
            f"/usr/share/doc/{GCOMPRIS_PACKAGE}/copyright): {len(train)} for training, "
            f"{len(test)} held out (chosen at random by photograph, seed {seed})")
    return ColorImages(train, test, test_names, "gcompris", note, train_names)


def load_color_images(source: str = "gcompris", *, n_test: int = 60, max_side: int = 160,
                      seed: int = 0) -> ColorImages:
    """Colour photographs for colorization, from ``source`` (see the module docstring).

    Parameters
    ----------
    source : ``"gcompris"`` (default; falls back to ``"skimage"``, saying so and how to get the
        photographs in ``note``, when the prepared photographs are missing or differ) or ``"skimage"``.
    n_test, seed : for ``"gcompris"``: how many photographs to hold out, and the seed of that choice.
    max_side : longer side after shrinking, in pixels (about, for ``"skimage"``).

    Raises
    ------
    TypeError, ValueError
        For an unknown ``source``, or bad ``n_test``, ``max_side`` or ``seed``.
    """
    source = check_choice(source, "source", COLOR_SOURCES)
    check_int(max_side, "max_side", minimum=8)
    if source == "gcompris":
        try:
            return load_gcompris_photos(n_test, max_side, seed=seed)
        except PhotosUnavailable as exc:
            data = load_skimage_photos(2 * max_side)
            data.note = f"the GCompris photographs are not available ({exc}); fell back to {data.note}"
            return data
    return load_skimage_photos(2 * max_side)
