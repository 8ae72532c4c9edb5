"""Run-time switches shared by every notebook: quiet TensorFlow start-up and quick mode.

Quick mode (environment variable ``CH11_QUICK=1``) cuts epochs and data so a
notebook runs end to end in a fraction of its default time: for a slow laptop,
for the browser test and for the Colab-stack check. The committed notebooks
and ``make test`` use the default (full) run.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Iterator


def quick_mode() -> bool:
    """True when ``CH11_QUICK`` is set to 1/true/yes (case-insensitive)."""
    return os.environ.get("CH11_QUICK", "").strip().lower() in {"1", "true", "yes"}


@contextlib.contextmanager
def _stderr_fd_silenced() -> Iterator[None]:
    """Send file descriptor 2 to /dev/null for the duration (C++ log lines write there)."""
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def quiet_tensorflow():
    """Import TensorFlow with its start-up log lines kept out of notebook outputs.

    TensorFlow's C++ runtime prints device probes (oneDNN, CUDA) to stderr while
    it starts; Jupyter would store them as cell output. Call this before
    importing ``keras``. Returns the ``tensorflow`` module.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    with _stderr_fd_silenced():
        import tensorflow as tf

        tf.config.list_physical_devices()  # the CUDA probe happens here, silently
    return tf
