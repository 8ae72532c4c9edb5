"""Tests of utils.data: the real MNIST, the cache's checksums and atomic writes, clear errors.

The offline sources (the PyPI wheel, Debian's IDX files) are tools.offline_data's, tested in
tests/test_offline_data.py.
"""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from utils import data

REAL_CACHE = data.cache_path("mnist")


@pytest.fixture(scope="session")
def mnist():
    return data.load_mnist()


@pytest.fixture
def cached(tmp_path):
    """A cache folder holding a copy of the prepared (real) MNIST cache."""
    if not REAL_CACHE.is_file():
        pytest.skip("run `make data` first")
    shutil.copy(REAL_CACHE, data.cache_path("mnist", tmp_path))
    return tmp_path


def _no_keras(monkeypatch, message="URL fetch failure"):
    def from_keras(name):
        raise OSError(message)

    monkeypatch.setattr(data, "from_keras", from_keras)


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


def test_truncated_cache_is_detected_and_rebuilt(cached, monkeypatch):
    real = data.read_cache("mnist", cached)
    path = data.cache_path("mnist", cached)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.warns(RuntimeWarning, match="corrupted cache"):
        arrays = data.load_arrays("mnist", cached, use_keras=False, sources=[("a copy", lambda: real)])
    data.verify("mnist", arrays)
    assert data.read_cache("mnist", cached) is not None  # rebuilt and valid again


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


def test_interrupted_write_leaves_old_cache_and_no_temp_file(cached, monkeypatch):
    arrays = data.read_cache("mnist", cached)
    before = data.cache_path("mnist", cached).read_bytes()

    def crash(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(data.os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        data.write_cache("mnist", arrays, cached)
    assert data.cache_path("mnist", cached).read_bytes() == before
    assert sorted(p.name for p in cached.iterdir()) == [data.PARTIAL_DIR, "mnist.npz"]
    assert [p.name for p in (cached / data.PARTIAL_DIR).iterdir()] == [data.PARTIAL_MARKER]


def test_missing_source_error_says_what_was_tried_and_how_to_fix(tmp_path, monkeypatch):
    from tools import offline_data

    _no_keras(monkeypatch)
    for name in data.DATASETS:
        with pytest.raises(data.DataUnavailableError) as err:
            data.load_dataset(name, tmp_path)
        msg = str(err.value)
        assert "Tried, in order" in msg and "URL fetch failure" in msg and "not there" in msg
        assert "python -m utils.data prepare" in msg and "python -m tools.offline_data prepare" in msg
        assert "CH11_DATA_DIR" in msg and f"{name}.npz" in msg
    with pytest.raises(data.DataUnavailableError) as err:
        data.load_mnist(tmp_path)
    assert offline_data.MNIST_WHEEL_REQUIREMENT in str(err.value)        # the wheel the tool uses, by name
    with pytest.raises(data.DataUnavailableError) as err:
        data.load_fashion_mnist(tmp_path)
    assert str(offline_data.FASHION_IDX_DIR) in str(err.value) and "CH11_FASHION_IDX_DIR" in str(err.value)


def test_a_long_source_error_is_kept_in_whole_lines(tmp_path, monkeypatch):
    long = "\n".join(f"line {i}: " + "x" * 200 for i in range(3)) + "\nERROR: [Errno 28] No space left on device"
    _no_keras(monkeypatch, long)
    with pytest.raises(data.DataUnavailableError) as err:
        data.load_mnist(tmp_path)
    assert "ERROR: [Errno 28] No space left on device" in str(err.value)
    assert "x" * 200 in str(err.value)                                  # no line is cut


def test_unknown_dataset_name():
    with pytest.raises(ValueError, match="name is 'cifar10', an unknown data set"):
        data.load_dataset("cifar10")


def test_prepare_cli_fills_the_cache_through_keras(tmp_path, monkeypatch, capsys, cached):
    real = data.read_cache("mnist", cached)
    monkeypatch.setattr(data, "from_keras", lambda name: {k: v.copy() for k, v in real.items()})
    assert data.main(["prepare", "--dataset", "mnist", "--cache-dir", str(tmp_path)]) == 0
    assert f"ready: {data.cache_path('mnist', tmp_path)}" in capsys.readouterr().out
    assert data.read_cache("mnist", tmp_path) is not None
    _no_keras(monkeypatch)
    assert data.main(["prepare", "--dataset", "fashion_mnist", "--cache-dir", str(tmp_path)]) == 1
    assert "could not load fashion_mnist" in capsys.readouterr().err
