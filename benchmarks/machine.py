"""The machine under test: its fp32 matrix-multiply rate through TensorFlow and a description.

The matrix-multiply rate is the ceiling the models' achieved GFLOP/s are
compared with: an ``n x n`` by ``n x n`` float32 product costs ``2 n^3`` FLOPs,
and the median over repeats of the best dense kernel TensorFlow has on this
CPU is about as fast as this machine multiplies.
"""

from __future__ import annotations

import datetime as _dt
import os
import platform
import statistics
import time


def gemm_gflops(n: int = 2048, repeats: int = 15, warmup: int = 3) -> dict:
    """Median fp32 GFLOP/s of ``tf.linalg.matmul`` on two ``n x n`` matrices.

    Parameters
    ----------
    n : side of the square matrices.
    repeats : timed products (the median is reported).
    warmup : untimed products first (kernel selection, caches).

    Returns
    -------
    dict
        ``{"n": n, "repeats": repeats, "gflops": median, "gflops_best": max, "seconds_median": ...}``.

    Raises
    ------
    ValueError
        For ``n < 1`` or ``repeats < 1``.
    """
    if n < 1 or repeats < 1:
        raise ValueError(f"n={n}, repeats={repeats}; expected both >= 1")
    import tensorflow as tf

    a = tf.random.stateless_uniform((n, n), seed=(1, 2), dtype=tf.float32)
    b = tf.random.stateless_uniform((n, n), seed=(3, 4), dtype=tf.float32)

    @tf.function
    def product(a, b):
        return tf.reduce_sum(tf.linalg.matmul(a, b)[0, :1])  # a tiny read forces the product

    for _ in range(max(0, warmup)):
        product(a, b).numpy()
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        product(a, b).numpy()
        seconds.append(time.perf_counter() - start)
    flops = 2.0 * n ** 3
    med = statistics.median(seconds)
    return {"n": n, "repeats": repeats, "gflops": flops / med / 1e9,
            "gflops_best": flops / min(seconds) / 1e9, "seconds_median": med}


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo (or ``platform.processor()``)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def cpu_flags_of_interest() -> list[str]:
    """The vector-instruction flags that matter for TensorFlow's CPU kernels."""
    wanted = ("avx2", "fma", "avx512f", "avx512_bf16", "avx512_vnni", "amx_bf16", "amx_tile")
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    return [w for w in wanted if w in flags]
    except OSError:
        pass
    return []


def package_version(*names: str) -> str:
    """The installed version of the first of ``names`` that is installed (without importing it), or "?"."""
    from importlib import metadata

    for name in names:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return "?"


def machine_info() -> dict:
    """CPU, core count, memory, OS, Python/TensorFlow/Keras/numpy versions and the UTC date.

    The versions are read from the installed packages' metadata, so the bench's own process
    never imports TensorFlow (its parts run in subprocesses of their own).
    """
    info = {
        "cpu_model": cpu_model(),
        "cpu_flags": cpu_flags_of_interest(),
        "logical_cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "tensorflow": package_version("tensorflow", "tensorflow-cpu", "tf-nightly"),
        "keras": package_version("keras"),
        "numpy": package_version("numpy"),
        "onednn_opts": os.environ.get("TF_ENABLE_ONEDNN_OPTS", "default"),
        "date_utc": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }
    try:
        with open("/proc/meminfo", encoding="utf-8") as f:
            kb = int(f.readline().split()[1])
        info["memory_gb"] = round(kb / 1024 ** 2, 1)
    except (OSError, ValueError, IndexError):
        pass
    return info
