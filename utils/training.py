"""The one training path of the series: in-memory arrays in, trained model, history and seconds out.

Notebook 02 (``02_autoencoder.ipynb``) introduces it; notebooks 03 (denoising
autoencoder) and the VAE notebook train through the same :func:`train_model`,
so every speed setting (batch size, learning-rate schedule, XLA, steps per
execution) lives here and never in a notebook; ``benchmarks/RESULTS.md`` records
the experiment behind each choice.

The model and its optimizer are built inside ``strategy.scope()`` when a
``tf.distribute`` strategy is given, so the same call runs unchanged under a
distribution strategy.
"""

from __future__ import annotations

import contextlib
import math
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import keras
import numpy as np
import tensorflow as tf
from keras import ops

SCHEDULES = ("cosine", "constant")
PIPELINES = ("tf.data", "arrays")


def sum_squared_error(y_true, y_pred):
    """The lecture's loss for each image: ``l(x, x~) = sum_j (x_j - x~_j)^2``.

    Sums over every axis but the first (all pixels and channels of an image)
    and returns one value per image; Keras then averages over the batch.
    """
    y_true = ops.cast(y_true, y_pred.dtype)
    squared = ops.square(y_true - y_pred)
    return ops.sum(ops.reshape(squared, (ops.shape(squared)[0], -1)), axis=-1)


@dataclass
class TrainResult:
    """What :func:`train_model` returns.

    Attributes
    ----------
    model : the trained Keras model.
    history : per-epoch values, ``{"loss": [...], "val_loss": [...], ...}``.
    seconds : wall time of ``model.fit`` (building and compiling excluded).
    settings : the training settings in effect (epochs, batch size, learning rate, schedule, ...),
        so a run can be reported with its recipe.
    """

    model: keras.Model
    history: dict[str, list[float]]
    seconds: float
    settings: dict[str, Any] = field(default_factory=dict)

    def summary(self, name: str = "model") -> str:
        """One compact line: epochs, final losses (rounded) and wall time."""
        parts = [f"{name}: {len(self.history.get('loss', []))} epochs"]
        for key in ("loss", "val_loss"):
            if self.history.get(key):
                parts.append(f"{key} {self.history[key][-1]:.3f}")
        parts.append(f"{self.seconds:.0f} s")
        return ", ".join(parts)


def learning_rate_schedule(learning_rate: float, total_steps: int, schedule: str = "cosine",
                           warmup_fraction: float = 0.05):
    """Learning rate (a float or a Keras schedule) for ``total_steps`` optimizer steps.

    ``"cosine"``: a short linear warm-up from ``learning_rate / 10`` over
    ``warmup_fraction`` of the steps, then cosine decay to 1 % of the peak
    (a one-cycle-like shape that tolerates a high peak rate).
    ``"constant"``: ``learning_rate`` throughout.

    Raises
    ------
    ValueError
        For a non-positive rate or step count, an unknown schedule name or a
        warm-up fraction outside [0, 1).
    """
    if not learning_rate > 0:
        raise ValueError(f"learning_rate is {learning_rate}; expected a positive number")
    if int(total_steps) < 1:
        raise ValueError(f"total_steps is {total_steps}; expected at least 1")
    if schedule not in SCHEDULES:
        raise ValueError(f"schedule is {schedule!r}; expected one of {SCHEDULES}")
    if not 0 <= warmup_fraction < 1:
        raise ValueError(f"warmup_fraction is {warmup_fraction}; expected a value in [0, 1)")
    if schedule == "constant":
        return float(learning_rate)
    warmup = int(round(warmup_fraction * total_steps))
    return keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=learning_rate / 10 if warmup else learning_rate,
        decay_steps=max(1, int(total_steps) - warmup), alpha=0.01,
        warmup_target=learning_rate if warmup else None, warmup_steps=warmup)


def _check_array(a, name: str) -> np.ndarray:
    a = np.asarray(a)
    if a.ndim < 2:
        raise ValueError(f"{name} has shape {a.shape}; expected an array of examples, (n, ...)")
    if a.shape[0] < 1:
        raise ValueError(f"{name} holds no examples (shape {a.shape})")
    return a


def batches(x: np.ndarray, y: np.ndarray | None, batch_size: int, shuffle: bool = True,
            seed: int = 0) -> tf.data.Dataset:
    """In-memory arrays as a ``tf.data`` pipeline of full, freshly shuffled batches.

    Only the example indices are shuffled (every epoch anew); each batch is then
    gathered from the arrays held as tensors, and gathered once when ``y`` is
    ``x`` itself (a plain autoencoder). The last incomplete batch is dropped so
    every step has the same shape (one traced step; one XLA compilation when ``jit_compile`` is on).

    Raises
    ------
    ValueError
        If ``batch_size`` is below 1 or larger than the number of examples.
    """
    n = len(x)
    if not 1 <= int(batch_size) <= n:
        raise ValueError(f"batch_size is {batch_size}; expected 1 to {n} (the number of examples)")
    same = y is x
    xs = tf.constant(x)
    ys = xs if (same or y is None) else tf.constant(y)
    index = tf.data.Dataset.range(n)
    if shuffle:
        index = index.shuffle(n, seed=seed, reshuffle_each_iteration=True)
    index = index.batch(int(batch_size), drop_remainder=True)

    def gather(i):
        xb = tf.gather(xs, i)
        if y is None:
            return xb
        return xb, (xb if same else tf.gather(ys, i))

    return index.map(gather, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)


def train_model(build_model: Callable[[], keras.Model], x, y=None, *, epochs: int = 5,
                batch_size: int = 128, learning_rate: float = 1e-2, schedule: str = "cosine",
                loss: Any = sum_squared_error, metrics: list | None = None,
                validation_data: tuple | None = None, callbacks: list | None = None, strategy=None,
                jit_compile: bool = False, steps_per_execution: int | None = None,
                pipeline: str = "tf.data", shuffle: bool = True, seed: int = 0) -> TrainResult:
    """Build, compile and fit a model on in-memory arrays; return it with its history and wall time.

    Parameters
    ----------
    build_model : function of no arguments that returns a new (uncompiled) Keras model;
        it is called inside ``strategy.scope()`` when ``strategy`` is given.
        Set the seed (``keras.utils.set_random_seed``) before calling ``train_model``.
    x : inputs, shape (n, ...); for an autoencoder the images.
    y : targets, shape (n, ...) (``x`` itself for a plain autoencoder, the clean images for a
        denoising one), or None when the model computes its own loss (e.g. a VAE with ``loss=None``).
    epochs : passes over the data.
    batch_size : examples per optimizer step.
    learning_rate : peak rate of Adam.
    schedule : ``"cosine"`` (warm-up then cosine decay) or ``"constant"``.
    loss : Keras loss; default :func:`sum_squared_error`, the lecture's per-image sum.
        None when the model adds its own losses.
    metrics : optional Keras metrics.
    validation_data : optional ``(x_val, y_val)`` (or ``(x_val,)``), evaluated after each epoch.
    callbacks : optional Keras callbacks handed to ``model.fit`` (e.g. one that evaluates the
        test set after each epoch); their time counts in ``seconds``.
    strategy : optional ``tf.distribute.Strategy``; model and optimizer are created in its scope.
    jit_compile : passed to ``model.compile``; True compiles each training step with XLA.
        Default False: on this series' models and a 2-core CPU XLA trained no faster and
        added seconds of compilation to every run (``benchmarks/RESULTS.md``).
    steps_per_execution : optimizer steps run per call into the compiled graph (less Python
        overhead). None (default): 16 without ``strategy``, 1 with one. (Keras 3 on TensorFlow
        fails under a ``MirroredStrategy`` with either speed-up, keras-team/keras#19246.)
    pipeline : ``"tf.data"`` (the arrays through :func:`batches`) or ``"arrays"`` (handed to
        ``model.fit`` as they are; Keras batches them and keeps the last, smaller batch).
    shuffle : reshuffle the examples every epoch.
    seed : seed of the ``tf.data`` shuffling.

    Returns
    -------
    TrainResult
        ``model``, ``history`` (dict of per-epoch lists) and ``seconds`` (wall time of the fit).

    Raises
    ------
    ValueError
        For arrays without an example axis, ``x`` and ``y`` of different lengths,
        ``epochs`` or ``batch_size`` below 1, or a bad learning rate / schedule.
    TypeError
        If ``build_model`` is not callable or does not return a Keras model.
    """
    if not callable(build_model):
        raise TypeError(f"build_model is {type(build_model).__name__}; expected a function returning a keras.Model")
    x = _check_array(x, "x")
    if y is not None:
        y = _check_array(y, "y")
        if len(y) != len(x):
            raise ValueError(f"x has {len(x)} examples but y has {len(y)}; expected the same number")
    if int(epochs) < 1:
        raise ValueError(f"epochs is {epochs}; expected at least 1")
    if not 1 <= int(batch_size) <= len(x):
        raise ValueError(f"batch_size is {batch_size}; expected 1 to {len(x)} (the number of examples)")
    if pipeline not in PIPELINES:
        raise ValueError(f"pipeline is {pipeline!r}; expected one of {PIPELINES}")
    if callbacks is not None and not isinstance(callbacks, (list, tuple)):
        raise TypeError(f"callbacks is {type(callbacks).__name__}; expected a list of keras.callbacks.Callback")
    if steps_per_execution is None:
        steps_per_execution = 16 if strategy is None else 1
    if int(steps_per_execution) < 1:
        raise ValueError(f"steps_per_execution is {steps_per_execution}; expected at least 1")
    per_epoch = len(x) // int(batch_size) if pipeline == "tf.data" else math.ceil(len(x) / int(batch_size))
    steps = int(epochs) * per_epoch
    lr = learning_rate_schedule(learning_rate, steps, schedule)

    scope = strategy.scope() if strategy is not None else contextlib.nullcontext()
    with scope:
        model = build_model()
        if not isinstance(model, keras.Model):
            raise TypeError(f"build_model returned {type(model).__name__}; expected a keras.Model")
        model.compile(optimizer=keras.optimizers.Adam(learning_rate=lr), loss=loss, metrics=metrics,
                      jit_compile=jit_compile, steps_per_execution=int(steps_per_execution))

    if pipeline == "tf.data":
        data = batches(x, y, batch_size, shuffle=shuffle, seed=seed)
        fit_args = dict(x=data, shuffle=False)  # the pipeline shuffles
    else:
        fit_args = dict(x=x, y=y, batch_size=int(batch_size), shuffle=shuffle)
    start = time.perf_counter()
    fitted = model.fit(epochs=int(epochs), validation_data=validation_data, callbacks=list(callbacks or []),
                       verbose=0, **fit_args)
    seconds = time.perf_counter() - start
    history = {k: [float(v) for v in vals] for k, vals in fitted.history.items()}
    settings = dict(epochs=int(epochs), batch_size=int(batch_size), learning_rate=float(learning_rate),
                    schedule=schedule, jit_compile=bool(jit_compile), steps_per_execution=int(steps_per_execution),
                    pipeline=pipeline, shuffle=bool(shuffle), seed=int(seed),
                    strategy=None if strategy is None else type(strategy).__name__)
    return TrainResult(model=model, history=history, seconds=seconds, settings=settings)
