"""The one training path of the series: in-memory arrays in, trained model, history and seconds out.

Notebook 02 (``02_autoencoder.ipynb``) introduces it; notebook 03 (denoising
autoencoder) and notebook 04 (variational autoencoder) train through the same
:func:`train_model`. Its defaults are :mod:`utils.recipes`' values;
``benchmarks/RESULTS.md`` records the experiment behind each.

- :func:`train_model` -- build, compile and fit; one ``seed`` seeds weights, sampling and shuffling;
  one short progress line per epoch; ``corrupt`` redraws the corruption of the inputs every epoch.
- :class:`TrainResult` -- the model, its per-epoch history, seconds and the settings in effect.
- :func:`sum_squared_error`, :func:`sum_cross_entropy` -- the per-image losses.
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from utils import recipes
from utils.validation import (check_array, check_bool, check_callable, check_choice, check_int, check_number,
                              check_same_shape, describe)

SCHEDULES = ("cosine", "constant")


def sum_squared_error(y_true, y_pred):
    """The lecture's loss for each image: ``l(x, x~) = sum_j (x_j - x~_j)^2``.

    Sums over every axis but the first (all pixels and channels of an image)
    and returns one value per image; Keras then averages over the batch.

    Raises
    ------
    ValueError
        If the two shapes differ (nothing is broadcast: (n, 28, 28) against (n, 28, 28, 1) is refused).
    """
    check_same_shape(y_true, y_pred, ("y_true", "y_pred"))
    y_true = ops.cast(y_true, y_pred.dtype)
    squared = ops.square(y_true - y_pred)
    return ops.sum(ops.reshape(squared, (ops.shape(squared)[0], -1)), axis=-1)


CROSS_ENTROPY_CLIP = 1e-6   # sum_cross_entropy clips the predicted pixels into [1e-6, 1 - 1e-6] (log 0 is -inf)


def sum_cross_entropy(y_true, y_pred):
    """The Bernoulli cross-entropy of each image, summed over its pixels (like :func:`sum_squared_error`).

    ``-sum_j [x_j log x~_j + (1 - x_j) log(1 - x~_j)]`` for targets ``x`` in [0, 1] and predicted
    pixel values ``x~`` in (0, 1) (a sigmoid output). It is ``-log p(x | x~)`` when every pixel is a
    Bernoulli draw with probability ``x~_j``, the reconstruction term of notebook 04's VAE; for a grey
    target pixel it is still smallest at ``x~_j = x_j``. Predictions are clipped into
    [:data:`CROSS_ENTROPY_CLIP`, 1 - :data:`CROSS_ENTROPY_CLIP`] first, so a saturated sigmoid gives a
    large finite loss instead of ``inf``.

    Raises
    ------
    ValueError
        If the two shapes differ (nothing is broadcast), as :func:`sum_squared_error`, or targets lie
        outside [0, 1] (checked on arrays given directly; :func:`train_model` checks its targets before training).
    """
    check_same_shape(y_true, y_pred, ("y_true", "y_pred"))
    if tf.executing_eagerly():       # inside the compiled training step train_model has checked the targets
        _check_targets(np.asarray(y_true), "y_true", sum_cross_entropy)
    y_true = ops.cast(y_true, y_pred.dtype)
    p = ops.clip(y_pred, CROSS_ENTROPY_CLIP, 1.0 - CROSS_ENTROPY_CLIP)
    per_pixel = -(y_true * ops.log(p) + (1.0 - y_true) * ops.log(1.0 - p))
    return ops.sum(ops.reshape(per_pixel, (ops.shape(per_pixel)[0], -1)), axis=-1)


sum_cross_entropy.target_range = (0.0, 1.0)   # train_model refuses targets outside it before training


def _check_targets(y: np.ndarray, name: str, loss) -> None:
    """ValueError if ``loss`` declares a ``target_range`` and ``y`` leaves it."""
    if not hasattr(loss, "target_range"):
        return
    low, high = loss.target_range
    if y.size and (y.min() < low or y.max() > high):
        advice = "; for 0..255 pixels divide by 255 first" if y.max() > 1 else ""
        raise ValueError(f"{name} holds values in [{float(y.min()):.4g}, {float(y.max()):.4g}]; "
                         f"{getattr(loss, '__name__', 'the loss')} expects targets in [{low:g}, {high:g}] "
                         f"(pixel intensities or probabilities){advice}")


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


def learning_rate_schedule(learning_rate: float, total_steps: int, schedule: str = recipes.SCHEDULE,
                           warmup_fraction: float = recipes.WARMUP_FRACTION):
    """Learning rate (a float or a Keras schedule) for ``total_steps`` optimizer steps.

    ``"cosine"``: a short linear warm-up from ``learning_rate / 10`` over
    ``warmup_fraction`` of the steps, then cosine decay to
    :data:`~utils.recipes.FINAL_LR_FRACTION` of the peak (a one-cycle-like shape that
    tolerates a high peak rate). ``"constant"``: ``learning_rate`` throughout.

    Raises
    ------
    TypeError, ValueError
        For a rate that is not a finite positive number, a step count below 1, an unknown
        schedule name or a warm-up fraction outside [0, 1).
    """
    learning_rate = check_number(learning_rate, "learning_rate", positive=True)
    total_steps = check_int(total_steps, "total_steps", minimum=1)
    schedule = check_choice(schedule, "schedule", SCHEDULES)
    warmup_fraction = check_number(warmup_fraction, "warmup_fraction", minimum=0.0)
    if warmup_fraction >= 1:
        raise ValueError(f"warmup_fraction is {warmup_fraction:g}; expected a value in [0, 1)")
    if schedule == "constant":
        return learning_rate
    warmup = int(round(warmup_fraction * total_steps))
    return keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=learning_rate / 10 if warmup else learning_rate,
        decay_steps=max(1, total_steps - warmup), alpha=recipes.FINAL_LR_FRACTION,
        warmup_target=learning_rate if warmup else None, warmup_steps=warmup)


def in_pipeline(corrupt: Callable) -> Callable:
    """Mark a corruption written with TensorFlow ops, so :func:`batches` runs it inside the pipeline.

    A marked ``corrupt(x_batch, seed)`` receives the batch as a float32 tensor and ``seed`` as an
    int64 tensor of shape (2,) (a fresh pair for every batch of every epoch, for
    ``tf.random.stateless_*`` ops), and returns a tensor of the batch's shape. It runs as part of
    the compiled input pipeline, with no Python call per batch. An unmarked ``corrupt`` gets numpy
    arrays and an int seed instead (through ``tf.numpy_function``: slower, but any numpy code works).

    Raises
    ------
    TypeError
        If ``corrupt`` is not callable.
    """
    check_callable(corrupt, "corrupt", "a function corrupt(x_batch, seed) written with TensorFlow ops")
    corrupt.in_pipeline = True
    return corrupt


def _check_corruption(corrupt: Callable, sample: np.ndarray, seed: int) -> None:
    """Refuse or warn about a ``corrupt`` whose randomness does not come from its seed.

    ``corrupt`` runs on a few examples twice with one seed and once with another (a marked one as
    the traced graph the pipeline runs, and eagerly). Different outputs for the same seed mean random
    numbers drawn elsewhere (``np.random``, an unseeded ``tf.random.normal``): in the pipeline a numpy
    draw runs once, when the graph is traced, so every batch would get the same noise (refused; an
    unmarked one only loses reproducibility: warned). The same output for two seeds means the same
    corruption for every batch (warned: a corruption without randomness may do so).
    """
    fix = "draw the noise from the seed argument, e.g. tf.random.stateless_normal(tf.shape(x_batch), seed=seed)"
    marked = getattr(corrupt, "in_pipeline", False)
    if marked:
        traced, seeds = tf.function(lambda xb, s: corrupt(xb, s)), [tf.constant([seed, k], tf.int64) for k in (1, 2)]
        try:
            eager = [np.asarray(corrupt(tf.constant(sample), seeds[0])) for _ in range(2)]
            outs = [np.asarray(traced(tf.constant(sample), s)) for s in seeds]
        except Exception as err:
            raise TypeError(f"corrupt failed as a TensorFlow graph ({type(err).__name__}: {err}); a corruption "
                            "marked with in_pipeline must be written with TensorFlow ops (unmarked, numpy works)") from None
    else:
        eager = [np.asarray(corrupt(sample.copy(), 1)) for _ in range(2)]
        outs = [eager[0], np.asarray(corrupt(sample.copy(), 2))]
    if not np.array_equal(*eager):
        message = ("corrupt gives different outputs for the same batch and seed: it draws random numbers that do "
                   "not come from its seed argument (np.random, tf.random.normal, ...), so the seed does not make "
                   "the run reproducible")
        if marked:
            raise ValueError(f"{message}; in the pipeline a numpy draw runs once, when the graph is traced, so every "
                             f"batch of every epoch would get the same noise: {fix}")
        warnings.warn(f"{message}: draw with numpy.random.default_rng(seed)", RuntimeWarning, stacklevel=3)
    elif np.array_equal(*outs):
        warnings.warn("corrupt gives the same output for two different seeds: every batch of every epoch gets the "
                      f"same corruption. If it draws noise, {fix} (numpy: numpy.random.default_rng(seed)); a "
                      "corruption without randomness may ignore its seed", RuntimeWarning, stacklevel=3)


def batches(x: np.ndarray, y: np.ndarray | None, batch_size: int, shuffle: bool = True, seed: int = recipes.SEED,
            corrupt: Callable[[np.ndarray, int], np.ndarray] | None = None) -> tf.data.Dataset:
    """In-memory arrays as a ``tf.data`` pipeline of full, freshly shuffled batches.

    Only the example indices are shuffled (every epoch anew); each batch is then
    gathered from the arrays held as tensors, and gathered once when ``y`` is
    ``x`` itself (a plain autoencoder). The last incomplete batch is dropped so
    every step has the same shape.

    ``corrupt(x_batch, batch_seed)`` is applied to each input batch; the targets stay as they are.
    Each batch gets its own seed from a random stream seeded by ``seed`` that continues from epoch
    to epoch, so every epoch draws a fresh corruption and the same ``seed`` gives the same run.
    A ``corrupt`` marked with :func:`in_pipeline` runs as TensorFlow ops inside the pipeline and
    gets the seed pair ``(seed, batch_seed)`` as a tensor; any other ``corrupt`` gets numpy arrays
    and an int seed (through ``tf.numpy_function``).

    Raises
    ------
    ValueError
        If ``batch_size`` is below 1 or larger than the number of examples, or ``corrupt`` returns
        another shape than its batch.
    """
    n = len(x)
    batch_size = check_int(batch_size, "batch_size", minimum=1, maximum=n)
    same = y is x
    xs = tf.constant(x)
    ys = xs if (same or y is None) else tf.constant(y)
    index = tf.data.Dataset.range(n)
    if shuffle:
        index = index.shuffle(n, seed=seed, reshuffle_each_iteration=True)
    index = index.batch(batch_size, drop_remainder=True)
    if corrupt is not None:
        seeds = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True)
        index = tf.data.Dataset.zip(index, seeds)
    else:
        index = index.map(lambda i: (i, tf.constant(0, tf.int64)))
    tensor_ops = corrupt is not None and getattr(corrupt, "in_pipeline", False)

    def check_shape(shape, expected) -> None:
        if tuple(shape) != tuple(expected):
            raise ValueError(f"corrupt returned shape {tuple(shape)} for a batch of shape {tuple(expected)}; "
                             "expected the same shape")

    def apply_corrupt(xb: np.ndarray, batch_seed) -> np.ndarray:
        out = np.asarray(corrupt(xb, int(batch_seed) % (2 ** 63)), dtype=np.float32)
        check_shape(out.shape, xb.shape)
        return out

    def gather(i, batch_seed):
        xb = tf.gather(xs, i)
        inputs = xb
        if tensor_ops:
            inputs = tf.cast(corrupt(xb, tf.stack([tf.constant(seed, tf.int64), batch_seed])), tf.float32)
            check_shape(inputs.shape, xb.shape)
        elif corrupt is not None:
            inputs = tf.numpy_function(apply_corrupt, [xb, batch_seed], tf.float32, stateful=False)
            inputs.set_shape(xb.shape)
        if y is None:
            return inputs
        return inputs, (xb if same else tf.gather(ys, i))

    return index.map(gather, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)


class ProgressLine(keras.callbacks.Callback):
    """Prints one short line per epoch: ``epoch 2/5  loss 12.345  val_loss 13.210  24 s``.

    The loss terms are those in the epoch's logs (for a VAE ``loss``, ``reconstruction`` and
    ``kl``); the seconds count from the start of training.
    """

    def __init__(self, epochs: int, printer: Callable[[str], None] = print):
        super().__init__()
        self.epochs = epochs
        self.printer = printer
        self.start = time.perf_counter()

    def on_train_begin(self, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        terms = "  ".join(f"{k} {float(v):.3f}" for k, v in (logs or {}).items()
                          if k != "learning_rate" and np.ndim(v) == 0)
        self.printer(f"epoch {epoch + 1}/{self.epochs}  {terms}  {time.perf_counter() - self.start:.0f} s")


class StopOnNonFiniteLoss(keras.callbacks.Callback):
    """Stops training with a ``FloatingPointError`` as soon as the loss is NaN or infinite."""

    def __init__(self):
        super().__init__()
        self.epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def _check(self, logs, where: str) -> None:
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(float(loss)):
            self.model.stop_training = True
            raise FloatingPointError(
                f"training stopped: the loss became {float(loss)} in epoch {self.epoch + 1} ({where}); "
                "expected a finite loss. Lower learning_rate, and check that the inputs are finite and "
                "scaled to [0, 1]")

    def on_train_batch_end(self, batch, logs=None):
        self._check(logs, f"step {batch + 1}")

    def on_epoch_end(self, epoch, logs=None):
        self._check(logs, "at its end")


def _check_validation_data(validation_data, has_y: bool):
    if validation_data is None:
        return None
    if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (1, 2):
        raise TypeError(f"validation_data is {describe(validation_data)}; expected (x_val, y_val), or (x_val,) "
                        "for a model that computes its own loss")
    if has_y and len(validation_data) != 2:
        raise ValueError("validation_data is (x_val,) but the model is trained on targets y; "
                         "expected (x_val, y_val)")
    parts = tuple(check_array(v, f"validation_data[{i}]", min_len=1) for i, v in enumerate(validation_data))
    if len(parts) == 2 and len(parts[0]) != len(parts[1]):
        raise ValueError(f"validation_data holds {len(parts[0])} inputs but {len(parts[1])} targets; "
                         "expected the same number")
    return parts if len(parts) == 2 else parts[0]


def check_adam_betas(adam_betas) -> tuple[float, float]:
    """Validate Adam's ``(beta_1, beta_2)``: two numbers in [0, 1); return them as floats.

    Raises
    ------
    TypeError, ValueError
        For anything but a pair of finite numbers, or a value outside [0, 1) (1 would never forget).
    """
    if isinstance(adam_betas, (str, bytes)) or not isinstance(adam_betas, (tuple, list)) or len(adam_betas) != 2:
        raise TypeError(f"adam_betas is {describe(adam_betas)}; expected two numbers (beta_1, beta_2) in [0, 1), "
                        f"e.g. {recipes.ADAM_BETAS}")
    betas = tuple(check_number(b, f"adam_betas[{i}]", minimum=0.0) for i, b in enumerate(adam_betas))
    if max(betas) >= 1:
        raise ValueError(f"adam_betas[{betas.index(max(betas))}] is {max(betas):g}; expected a value in [0, 1), "
                         f"e.g. {recipes.ADAM_BETAS}")
    return betas


def train_model(build_model: Callable[[], keras.Model], x, y=None, *, epochs: int,
                batch_size: int | None = None, learning_rate: float | None = None,
                schedule: str | None = None, loss: Any = sum_squared_error, metrics: list | None = None,
                validation_data: tuple | None = None, callbacks: list | None = None, seed: int | None = None,
                corrupt: Callable[[np.ndarray, int], np.ndarray] | None = None, progress: bool = True,
                adam_betas: tuple | None = None) -> TrainResult:
    """Build, compile and fit a model on in-memory arrays; return it with its history and wall time.

    Parameters
    ----------
    build_model : function of no arguments that returns a new (uncompiled) Keras model.
    x : inputs, shape (n, ...); for an autoencoder the images. Must be finite.
    y : targets, shape (n, ...) (``x`` itself for a plain autoencoder, the clean images for a
        denoising one), or None when the model computes its own loss (a VAE with ``loss=None``).
    epochs : passes over the data.
    batch_size : examples per optimizer step (default :data:`~utils.recipes.BATCH_SIZE`).
    learning_rate : peak rate of Adam (default :data:`~utils.recipes.LEARNING_RATE`).
    schedule : ``"cosine"`` (warm-up then cosine decay) or ``"constant"``
        (default :data:`~utils.recipes.SCHEDULE`).
    loss : Keras loss; default :func:`sum_squared_error`, the lecture's per-image sum.
        None when the model adds its own losses.
    metrics : optional Keras metrics.
    validation_data : optional ``(x_val, y_val)`` (or ``(x_val,)`` when ``y`` is None),
        evaluated after each epoch.
    callbacks : optional Keras callbacks handed to ``model.fit``; their time counts in ``seconds``.
    seed : seeds everything: ``keras.utils.set_random_seed(seed)`` right before the model is built
        (weights, and sampling layers without their own seed), the shuffling and the corruption
        stream (default :data:`~utils.recipes.SEED`).
    corrupt : optional ``corrupt(x_batch, batch_seed)`` applied to every input batch inside the
        ``tf.data`` pipeline, with a fresh seed for each batch of each epoch (:func:`batches`);
        mark one written with TensorFlow ops with :func:`in_pipeline` to keep Python out of the loop.
        One whose output does not follow its seed is refused (a marked one that draws numpy noise) or warned about.
    progress : print one line per epoch (``epoch 2/5  loss 12.345  val_loss 13.210  24 s``).
    adam_betas : Adam's ``(beta_1, beta_2)``, the decay rates of its running mean and mean square of
        the gradients, each in [0, 1) (default :data:`~utils.recipes.ADAM_BETAS`, Keras' own).

    Returns
    -------
    TrainResult
        ``model``, ``history`` (dict of per-epoch lists), ``seconds`` and ``settings``.

    Raises
    ------
    TypeError, ValueError
        For a bad argument (arrays without an example axis, NaN or infinite inputs, ``x`` and ``y``
        of different lengths, ``epochs`` or ``batch_size`` below 1, a learning rate that is not a
        finite positive number, an unknown schedule, ``adam_betas`` that is not two numbers in [0, 1),
        targets outside the loss's ``target_range``, a ``corrupt`` that draws noise outside its seed),
        all before the global seed is set or a layer is built.
    FloatingPointError
        If the loss becomes NaN or infinite during training.
    """
    check_callable(build_model, "build_model", "a function of no arguments returning a keras.Model")
    x = check_array(x, "x", min_len=1)
    if x.ndim < 2:
        raise ValueError(f"x has shape {x.shape}; expected an array of examples, (n, ...)")
    if y is not None:
        y = x if y is x else check_array(y, "y", min_len=1)
        if len(y) != len(x):
            raise ValueError(f"x has {len(x)} examples but y has {len(y)}; expected the same number")
    epochs = check_int(epochs, "epochs", minimum=1)
    batch_size = check_int(recipes.BATCH_SIZE if batch_size is None else batch_size, "batch_size", minimum=1)
    if batch_size > len(x):
        raise ValueError(f"batch_size is {batch_size} but x holds {len(x)} examples; expected a batch size "
                         f"of at most {len(x)}")
    learning_rate = check_number(recipes.LEARNING_RATE if learning_rate is None else learning_rate,
                                 "learning_rate", positive=True)
    schedule = check_choice(recipes.SCHEDULE if schedule is None else schedule, "schedule", SCHEDULES)
    seed = check_int(recipes.SEED if seed is None else seed, "seed", minimum=0)
    progress = check_bool(progress, "progress")
    if callbacks is not None and not isinstance(callbacks, (list, tuple)):
        raise TypeError(f"callbacks is {describe(callbacks)}; expected a list of keras.callbacks.Callback")
    if corrupt is not None:
        check_callable(corrupt, "corrupt", "a function corrupt(x_batch, seed) -> array of the same shape")
        _check_corruption(corrupt, x[:min(8, batch_size)], seed)
    validation = _check_validation_data(validation_data, y is not None)
    adam_betas = check_adam_betas(recipes.ADAM_BETAS if adam_betas is None else adam_betas)
    if y is not None:
        _check_targets(y, "y", loss)
    lr = learning_rate_schedule(learning_rate, epochs * (len(x) // batch_size), schedule)

    keras.utils.set_random_seed(seed)
    model = build_model()
    if not isinstance(model, keras.Model):
        raise TypeError(f"build_model returned {describe(model)}; expected a keras.Model")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=lr, beta_1=adam_betas[0], beta_2=adam_betas[1]),
                  loss=loss, metrics=metrics, jit_compile=False, steps_per_execution=recipes.STEPS_PER_EXECUTION)
    all_callbacks = [StopOnNonFiniteLoss(), *(callbacks or []), *([ProgressLine(epochs)] if progress else [])]
    start = time.perf_counter()
    fitted = model.fit(batches(x, y, batch_size, seed=seed, corrupt=corrupt), shuffle=False, epochs=epochs,
                       validation_data=validation, callbacks=all_callbacks, verbose=0)
    seconds = time.perf_counter() - start
    history = {k: [float(v) for v in vals] for k, vals in fitted.history.items()}
    settings = dict(epochs=epochs, batch_size=batch_size, learning_rate=learning_rate, schedule=schedule,
                    adam_betas=adam_betas, seed=seed,
                    corrupt=None if corrupt is None else getattr(corrupt, "__name__", "function"),
                    steps_per_execution=recipes.STEPS_PER_EXECUTION)
    return TrainResult(model=model, history=history, seconds=seconds, settings=settings)
