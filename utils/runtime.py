"""Run-time switches shared by every notebook: quiet TensorFlow start-up and quick mode.

Quick mode (environment variable ``CH11_QUICK=1``) cuts epochs and data so a
notebook runs end to end in about a quarter of its default time or less, and still
shows what it teaches (recognizable digits, the same tables): for a slow laptop or
Binder, for the browser test and for the Colab-stack check. The committed notebooks
and ``make test`` use the default (full) run; every notebook's setup cell prints
:func:`mode_line`, which says which mode runs.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
from fractions import Fraction
from typing import Any, Iterator

from utils import recipes
from utils.validation import check_int


QUICK_VALUES = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False,
                "off": False, "": False}   # CH11_QUICK's accepted values (any case); unset or empty: the default run


def quick_mode() -> bool:
    """True when ``CH11_QUICK`` is 1, true, yes or on; False when it is 0, false, no, off, empty or unset.

    Case and surrounding spaces do not matter.

    Raises
    ------
    ValueError
        For any other value (``2``, ``quick``, ``y``, a full-width digit, ...), with the accepted list.
    """
    raw = os.environ.get("CH11_QUICK", "")
    value = QUICK_VALUES.get(raw.strip().lower())
    if value is None:
        raise ValueError(f"CH11_QUICK is {raw!r}; expected 1, true, yes or on for quick mode, 0, false, no, off or "
                         "empty for the default run (any case): set CH11_QUICK=1, or unset it")
    return value


def mode_line() -> str:
    """One line saying which mode runs and, in quick mode, what it cuts (every notebook's setup cell prints it).

    Raises
    ------
    ValueError
        For an unknown ``CH11_QUICK`` value, as :func:`quick_mode`.
    """
    if not quick_mode():
        return "run mode: default (the full run; CH11_QUICK=1 selects quick mode)"
    share = Fraction(recipes.QUICK_EPOCH_SHARE).limit_denominator(100)
    return (f"run mode: quick (CH11_QUICK={os.environ['CH11_QUICK'].strip()}): {share} of each training's epochs "
            f"(at least {recipes.QUICK_EPOCHS}) on the first {recipes.QUICK_TRAIN_IMAGES:,} training images, batches cut "
            f"to {Fraction(recipes.QUICK_BATCH_SHARE).limit_denominator(100)}, evaluations on the first "
            f"{recipes.QUICK_TEST_IMAGES:,} test images; the numbers differ from the stored outputs")


def _cut(arrays: tuple, n: int | None, name: str, example: str) -> Any:
    """The arrays cut to their first ``n`` examples (all of them when ``n`` is None)."""
    if not arrays:
        raise ValueError(f"{name}() got no arrays; expected one or more, e.g. {name}({example})")
    for i, a in enumerate(arrays):
        if len(getattr(a, "shape", ())) == 0:
            raise ValueError(f"arrays[{i}] is {type(a).__name__} without a first axis; expected an array of examples")
    cut = tuple(a[:n] for a in arrays)
    return cut[0] if len(cut) == 1 else cut


def quick_subset(*arrays: Any) -> Any:
    """The arrays cut to their first :data:`utils.recipes.QUICK_TRAIN_IMAGES` examples in quick mode.

    Outside quick mode they are returned unchanged. One array in, one array out;
    several in, a tuple out: ``x_train, y_train = quick_subset(x_train, y_train)``.

    Raises
    ------
    ValueError
        If no array is given or an array has no first axis.
    """
    n = recipes.QUICK_TRAIN_IMAGES if quick_mode() else None
    return _cut(arrays, n, "quick_subset", "x_train, y_train")


def quick_test_subset(*arrays: Any) -> Any:
    """The test arrays cut to their first :data:`utils.recipes.QUICK_TEST_IMAGES` examples in quick mode.

    Quick mode trains for a sixth of the time, but evaluating on all 10,000 test images
    does not shrink with the training; this keeps the evaluations (tables, curves, anomaly
    scores) in proportion. Outside quick mode the arrays are returned unchanged:
    ``x_test, y_test = quick_test_subset(x_test, y_test)``.

    Raises
    ------
    ValueError
        If no array is given or an array has no first axis.
    """
    n = recipes.QUICK_TEST_IMAGES if quick_mode() else None
    return _cut(arrays, n, "quick_test_subset", "x_test, y_test")


def quick_epochs(epochs: int) -> int:
    """``epochs`` outside quick mode; in quick mode :data:`utils.recipes.QUICK_EPOCH_SHARE` of them.

    The share is rounded half up and is at least :data:`utils.recipes.QUICK_EPOCHS`, so a
    12-epoch run becomes 2 epochs and a 3-epoch run 1 epoch.

    Raises
    ------
    TypeError, ValueError
        If ``epochs`` is not an int of at least 1.
    """
    epochs = check_int(epochs, "epochs", minimum=1)
    return max(recipes.QUICK_EPOCHS, math.floor(epochs * recipes.QUICK_EPOCH_SHARE + 0.5)) if quick_mode() else epochs


def quick_batch_size(batch_size: int) -> int:
    """``batch_size`` outside quick mode; in quick mode :data:`utils.recipes.QUICK_BATCH_SHARE` of it (at least 16).

    The MNIST trainings of notebooks 02, 03, 05 and 06 use it: a quick-mode epoch then takes twice the optimizer
    steps, which its one or two epochs need (notebook 04's VAEs go further, to a quarter:
    ``recipes.NB04_QUICK_VAE_BATCH_SIZE``). Measured: notebook 04's VAE, 2 epochs on 60,000 images, reaches a
    test ELBO of about -161 nats with batches of 64 against about -165 with 128; the autoencoder at
    p = 16, one epoch, gets 0.57 of PCA's test error on 20,000 images with batches of 64 against
    0.65 on 30,000 with 128.

    Raises
    ------
    TypeError, ValueError
        If ``batch_size`` is not an int of at least 1.
    """
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    return min(batch_size, max(16, int(batch_size * recipes.QUICK_BATCH_SHARE))) if quick_mode() else batch_size


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
