"""Benchmarks of the notebooks' default models against the machine's ceiling and two anchors.

    python -m benchmarks.run                       # everything -> benchmarks/results.json, RESULTS.md
    python -m benchmarks.run --smoke --out build/bench-smoke   # 1 epoch, 2,000/1,000 images
    python -m benchmarks.run --only gemm,ae        # some parts, merged into the existing results.json
    python -m benchmarks.run --only notebooks --notebooks 06   # one notebook's time and its AUC table

Parts, in the order they run: ``gemm`` (fp32 matmul ceiling), ``ae`` (notebook
02's autoencoder at 16 dims and PCA at 16 dims), ``dae`` (notebook 03's denoising
autoencoder at sigma 0.5 and the median filter), ``keras_dae`` (the Keras
example's DAE for the DAE's training seconds), ``tf_cvae`` (TensorFlow's
tutorial CVAE, 10 epochs), ``vae`` (notebook 04's VAE, 2-dim latent, with its
test ELBO after every epoch and the training time at which it first reaches the
anchor's final test ELBO), ``cvae`` (notebook 05's conditional VAE, its test
conditional ELBO and seconds), ``notebooks`` (each committed notebook run on a temporary
copy in its default mode and in quick mode, ``CH11_QUICK=1``, one after the other; notebook
06's AUC table, notebook 04's quick-mode test ELBO and every training's per-epoch seconds read
from the executed copies), ``nbval`` (each notebook under strict nbval, the README's test
command, in a pytest subprocess; when the notebooks part runs too, each nbval run follows its
notebook's default run directly, inside that part). ``gemm`` runs again at the end.

Every part that trains or multiplies runs in a fresh Python subprocess (``--worker``, results
passed back as JSON), so no part inherits another's thread pools, traced functions or memory;
``--in-process`` runs them in this process instead (for debugging).

Smoke runs (``--smoke``) leave out the nbval part and run the notebooks in quick mode only;
``--notebooks 01,02`` or ``--skip notebooks`` shorten them further.

Run it on a quiet machine: the timings are wall-clock times.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from benchmarks import goals
from utils import recipes

HERE = Path(__file__).resolve().parent

# What results.json must hold after a full sequence (the list), as paths of keys.
REQUIRED = (("gemm_gflops",),
            ("ae", "latent_size"), ("ae", "test_sse"), ("ae", "pca_test_sse"), ("ae", "seconds"), ("ae", "gflops"),
            ("dae", "sigma"), ("dae", "psnr"), ("dae", "median_psnr"), ("dae", "seconds"),
            ("vae", "latent_size"), ("vae", "test_elbo"), ("vae", "seconds"), ("vae", "seconds_to_anchor_elbo"),
            ("anchors", "tf_cvae", "test_elbo"), ("anchors", "tf_cvae", "seconds"),
            ("anchors", "keras_dae", "psnr"), ("anchors", "keras_dae", "seconds"),
            ("cvae", "test_elbo"), ("cvae", "seconds"),
            ("notebooks", "total_seconds"))
# A full run adds the quick-mode runs, the strict nbval runs and the GEMM rate at the end;
# a smoke run has the quick-mode runs instead of the default ones and no nbval part.
REQUIRED_FULL = REQUIRED + (("notebooks_quick", "total_seconds"), ("nbval", "total_seconds"), ("gemm_end_gflops",))
REQUIRED_SMOKE = tuple(p for p in REQUIRED if p[0] != "notebooks") + (("notebooks_quick", "total_seconds"),)


def missing_keys(results: dict, required: tuple = REQUIRED) -> list[str]:
    """The ``required`` entries that ``results`` lacks, e.g. ``["vae.seconds_to_anchor_elbo"]``.

    ``vae.seconds_to_anchor_elbo`` may be None (the anchor's ELBO was not reached); it must be there.
    """
    out = []
    for path in required:
        d = results
        for key in path[:-1]:
            d = d.get(key) if isinstance(d, dict) else None
        if not isinstance(d, dict) or path[-1] not in d or (d[path[-1]] is None and path[-1] != "seconds_to_anchor_elbo"):
            out.append(".".join(path))
    return out


# --------------------------------------------------------------------------- helpers
def _log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def _speed(forward: int, images_per_epoch: int, epochs: float, seconds: float) -> dict:
    """Images/s and achieved GFLOP/s from a forward count, images seen and seconds."""
    from benchmarks.flops import train_flops_per_image

    per_image = train_flops_per_image(forward)
    images = images_per_epoch * epochs
    return {"forward_flops_per_image": int(forward), "train_flops_per_image": int(per_image),
            "images_per_second": images / seconds if seconds > 0 else None,
            "gflops": per_image * images / seconds / 1e9 if seconds > 0 else None}


def _jsonable(d: dict) -> dict:
    return {k: v if isinstance(v, (int, float, str, bool, type(None))) else repr(v) for k, v in d.items()}


def _make_epoch_timer():
    import keras

    class EpochTimer(keras.callbacks.Callback):
        """Seconds since training began at each epoch's end (``cumulative``)."""

        def __init__(self):
            super().__init__()
            self.cumulative: list[float] = []
            self.start = time.perf_counter()

        def on_train_begin(self, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.cumulative.append(time.perf_counter() - self.start)

    return EpochTimer()


def _epochs(cumulative: list[float]) -> dict:
    """``first_epoch``: the first epoch's seconds against the median later epoch (benchmarks.epochs)."""
    from benchmarks.epochs import epoch_summary

    return {"first_epoch": epoch_summary(cumulative)}


def _dae_corruption():
    """Notebook 03's corruption of the training batches: Gaussian noise redrawn every epoch, inside the pipeline."""
    from utils.noise import gaussian_corruption

    return gaussian_corruption(recipes.DAE_SIGMA)


def _previous_dae_corruption(x_batch: np.ndarray, batch_seed: int) -> np.ndarray:
    """The previous recipe's corruption: the same noise drawn with numpy, outside the graph (tf.numpy_function)."""
    from utils.noise import gaussian_noise

    return gaussian_noise(x_batch, recipes.DAE_SIGMA, seed=(recipes.DAE_NOISE_SEED, batch_seed))


def _previous_dae(data: Data, x_test_noisy: np.ndarray) -> dict:
    """The DAE as it was trained before its corruption moved into the pipeline: the same model, epochs and
    noise, drawn with numpy through ``tf.numpy_function``. Trained in the same run, so the two times compare."""
    from utils.autoencoder import predict_in_batches, train_autoencoder
    from utils.metrics import psnr

    result = train_autoencoder(recipes.DAE_LATENT_SIZE, data.x_train, epochs=recipes.DAE_EPOCHS,
                               corrupt=_previous_dae_corruption, progress=False)
    denoised = np.clip(predict_in_batches(result.model, x_test_noisy), 0.0, 1.0)
    return {"corruption": "numpy, through tf.numpy_function", "seconds": result.seconds,
            "psnr": float(psnr(data.x_test, denoised))}


class Data:
    """MNIST images and digit labels once per run, cut to a subset in smoke mode."""

    def __init__(self, smoke: bool, n_train: int | None, n_test: int | None):
        from utils.data import load_dataset

        (x_train, y_train), (x_test, y_test) = load_dataset("mnist")
        n_train = n_train or (goals.SMOKE_TRAIN_IMAGES if smoke else len(x_train))
        n_test = n_test or (goals.SMOKE_TEST_IMAGES if smoke else len(x_test))
        self.x_train, self.x_test = x_train[:n_train], x_test[:n_test]
        self.y_train, self.y_test = y_train[:n_train], y_test[:n_test]   # digit labels (the conditional VAE's y)
        self._cache: dict = {}

    def noisy(self) -> tuple[np.ndarray, np.ndarray]:
        """One fixed noisy copy of the training and test images (the notebooks' noise function and seeds)."""
        from utils.noise import gaussian_noise

        if "noisy" not in self._cache:
            self._cache["noisy"] = (
                gaussian_noise(self.x_train, recipes.DAE_SIGMA, seed=recipes.DAE_NOISE_SEED),
                gaussian_noise(self.x_test, recipes.DAE_SIGMA, seed=recipes.DAE_TEST_NOISE_SEED))
        return self._cache["noisy"]

    def binary(self) -> tuple[np.ndarray, np.ndarray]:
        from utils.vae import binarize

        if "binary" not in self._cache:
            self._cache["binary"] = (binarize(self.x_train), binarize(self.x_test))
        return self._cache["binary"]


# --------------------------------------------------------------------------- parts
# Each part takes its inputs as arguments (the run's settings, the data, and the earlier results it
# needs) and returns its outputs as ``{key: value}`` for the top level of results.json.

def part_gemm(smoke: bool) -> dict:
    from benchmarks.machine import gemm_gflops

    g = gemm_gflops(n=2048, repeats=5 if smoke else 15)
    _log(f"gemm: {g['gflops']:.1f} GFLOP/s")
    return {"gemm": g, "gemm_gflops": g["gflops"]}


def _pca_test_sse(data: Data, k: int) -> float:
    """Mean test SSE per image of PCA with ``k`` components fitted on the training images (utils.pca)."""
    from utils.metrics import sse_per_image
    from utils.pca import fit_pca

    recon = np.asarray(fit_pca(data.x_train, k).reconstruct(data.x_test)).reshape(data.x_test.shape)
    return float(np.mean(sse_per_image(data.x_test, recon)))


def part_ae(smoke: bool, data: Data) -> dict:
    """Notebook 02's second recipe at p = 16, the goal's model: sigmoid output, Bernoulli cross-entropy."""
    from benchmarks.flops import forward_flops
    from utils.autoencoder import build_autoencoder, predict_in_batches, train_autoencoder
    from utils.metrics import sse_per_image
    from utils.training import sum_cross_entropy

    p = recipes.AE_GOAL_LATENT_SIZE
    timer = _make_epoch_timer()
    result = train_autoencoder(p, data.x_train, widths=recipes.AE_CE_WIDTHS,
                               epochs=recipes.QUICK_EPOCHS if smoke else recipes.AE_CE_EPOCHS,
                               batch_size=recipes.AE_CE_BATCH_SIZE, output_activation="sigmoid",
                               loss=sum_cross_entropy, adam_betas=recipes.AE_CE_ADAM_BETAS, progress=False,
                               callbacks=[timer])
    recipe = _jsonable(result.settings)
    epochs = len(result.history["loss"])
    test_sse = float(np.mean(sse_per_image(data.x_test, predict_in_batches(result.model, data.x_test))))
    pca_sse = _pca_test_sse(data, p)
    forward = forward_flops(build_autoencoder(p, recipes.AE_CE_WIDTHS, output_activation="sigmoid"), (28, 28, 1))
    _log(f"ae: test SSE {test_sse:.2f} vs PCA {pca_sse:.2f}, {result.seconds:.1f} s (cross-entropy recipe)")
    return {"ae": {"latent_size": p, "test_sse": test_sse, "pca_test_sse": pca_sse,
                   "ratio_to_pca": test_sse / pca_sse, "seconds": result.seconds, "epochs": epochs,
                   "batch_size": recipe.get("batch_size"), "train_images": len(data.x_train),
                   "test_images": len(data.x_test), "recipe": recipe,
                   "recipe_source": "utils.autoencoder.train_autoencoder with AE_CE_WIDTHS, AE_CE_EPOCHS, "
                                    "AE_CE_BATCH_SIZE, AE_CE_ADAM_BETAS, a sigmoid output and sum_cross_entropy "
                                    "(notebook 02's second recipe)",
                   **_epochs(timer.cumulative), **_speed(forward, len(data.x_train), epochs, result.seconds)}}


def part_ae_plain(smoke: bool, data: Data) -> dict:
    """Notebook 02's first recipe at p = 16 (SSE, linear output): the time reference of the goal's model.

    It runs in a fresh process of its own like ``ae``, so neither inherits the other's warmed-up state.
    """
    from utils.autoencoder import predict_in_batches, train_autoencoder
    from utils.metrics import sse_per_image

    p = recipes.AE_GOAL_LATENT_SIZE
    timer = _make_epoch_timer()
    result = train_autoencoder(p, data.x_train, epochs=recipes.QUICK_EPOCHS if smoke else None, progress=False,
                               callbacks=[timer])
    test_sse = float(np.mean(sse_per_image(data.x_test, predict_in_batches(result.model, data.x_test))))
    _log(f"ae.plain: test SSE {test_sse:.2f}, {result.seconds:.1f} s (the SSE recipe)")
    return {"ae.plain": {"test_sse": test_sse, "seconds": result.seconds, "epochs": len(result.history["loss"]),
                         "batch_size": result.settings.get("batch_size"), "recipe": _jsonable(result.settings),
                         "recipe_source": "utils.autoencoder.train_autoencoder with its defaults (notebook 02's "
                                          "first recipe)", **_epochs(timer.cumulative)}}


def part_dae(smoke: bool, data: Data) -> dict:
    from benchmarks.flops import forward_flops
    from utils.autoencoder import build_autoencoder, predict_in_batches, train_autoencoder
    from utils.metrics import psnr
    from utils.noise import median_filter

    p, sigma = recipes.DAE_LATENT_SIZE, recipes.DAE_SIGMA
    _, x_test_noisy = data.noisy()
    timer = _make_epoch_timer()
    result = train_autoencoder(p, data.x_train, corrupt=_dae_corruption(), progress=False, callbacks=[timer],
                               epochs=recipes.QUICK_EPOCHS if smoke else recipes.DAE_EPOCHS)
    recipe = _jsonable(result.settings)
    epochs = len(result.history["loss"])
    denoised = np.clip(predict_in_batches(result.model, x_test_noisy), 0.0, 1.0)
    forward = forward_flops(build_autoencoder(p), (28, 28, 1))
    out = {"sigma": sigma, "psnr": float(psnr(data.x_test, denoised)),
           "median_psnr": float(psnr(data.x_test, median_filter(x_test_noisy))),
           "noisy_psnr": float(psnr(data.x_test, x_test_noisy)),
           "latent_size": p, "seconds": result.seconds, "epochs": epochs,
           "batch_size": recipe.get("batch_size"), "train_images": len(data.x_train),
           "test_images": len(data.x_test), "recipe": recipe,
           "recipe_source": "utils.autoencoder.train_autoencoder with DAE_LATENT_SIZE, DAE_EPOCHS and the "
                            "Gaussian corruption redrawn every epoch (notebook 03's call)",
           **_epochs(timer.cumulative), **_speed(forward, len(data.x_train), epochs, result.seconds)}
    _log(f"dae: PSNR {out['psnr']:.2f} dB (median filter {out['median_psnr']:.2f}), {result.seconds:.1f} s")
    out["previous"] = None
    if not smoke:
        out["previous"] = _previous_dae(data, x_test_noisy)
        _log(f"dae, numpy corruption: PSNR {out['previous']['psnr']:.2f} dB, {out['previous']['seconds']:.1f} s")
    return {"dae": out}


def part_keras_dae(data: Data, dae: dict) -> dict:
    from benchmarks.anchors import KERAS_DAE_SETTINGS, build_keras_dae, train_keras_dae
    from benchmarks.flops import forward_flops
    from utils.metrics import psnr

    if not dae or not dae.get("seconds"):
        raise RuntimeError("the keras_dae part needs the dae part's seconds; run --only dae,keras_dae")
    x_noisy, x_test_noisy = data.noisy()
    run = train_keras_dae(x_noisy, data.x_train, seconds=dae["seconds"])
    denoised = np.clip(run["model"].predict(x_test_noisy, batch_size=1000, verbose=0), 0.0, 1.0)
    forward = forward_flops(build_keras_dae(), (28, 28, 1))
    out = {"psnr": float(psnr(data.x_test, denoised)), "seconds": run["seconds"],
           "budget_seconds": dae["seconds"], "epochs": run["epochs"], "steps": run["steps"],
           "batch_size": KERAS_DAE_SETTINGS["batch_size"], "train_images": len(data.x_train),
           **_speed(forward, len(data.x_train), run["epochs"], run["seconds"])}
    _log(f"keras_dae: PSNR {out['psnr']:.2f} dB after {run['epochs']:.2f} epochs")
    return {"anchors.keras_dae": out}


def _elbo(encoder, decoder, x) -> float:
    from utils.vae import evaluate_elbo

    return float(np.mean(evaluate_elbo(encoder, decoder, x)))


ELBO_METHOD = ("utils.vae.evaluate_elbo: closed-form KL, one reparameterized draw per image (seed 0), "
               "Bernoulli likelihood, on the test images binarized at 0.5; mean over the test set, in nats.")


def part_tf_cvae(smoke: bool, data: Data, tf_cvae_epochs: int | None) -> dict:
    from benchmarks.anchors import TF_CVAE_SETTINGS, build_tf_cvae, split_encoder, train_tf_cvae
    from benchmarks.flops import forward_flops

    x_bin, x_test_bin = data.binary()
    epochs = tf_cvae_epochs or (1 if smoke else TF_CVAE_SETTINGS["epochs"])
    timer = _make_epoch_timer()
    run = train_tf_cvae(x_bin, epochs=epochs, callbacks=[timer])
    model = run["model"]
    elbo = _elbo(split_encoder(model), model.decoder, x_test_bin)
    mc = float(np.mean(np.concatenate([np.asarray(model.monte_carlo_elbo(x_test_bin[i:i + 1000]))
                                       for i in range(0, len(x_test_bin), 1000)])))
    forward = forward_flops(build_tf_cvae(), (28, 28, 1))
    _log(f"tf_cvae: test ELBO {elbo:.2f} after {epochs} epochs, {run['seconds']:.1f} s")
    return {"anchors.tf_cvae": {
        "test_elbo": elbo, "test_elbo_monte_carlo_kl": mc, "seconds": run["seconds"], "epochs": epochs,
        "batch_size": TF_CVAE_SETTINGS["batch_size"], "learning_rate": TF_CVAE_SETTINGS["learning_rate"],
        "latent_size": TF_CVAE_SETTINGS["latent_size"], "train_images": len(x_bin),
        "seconds_per_epoch": run["seconds"] / epochs, "history": run["history"],
        **_epochs(timer.cumulative), **_speed(forward, len(x_bin), epochs, run["seconds"])},
        "elbo_method": ELBO_METHOD}


def part_vae(smoke: bool, data: Data, tf_cvae: dict | None) -> dict:
    from benchmarks.flops import forward_flops
    from utils.vae import build_vae, train_vae

    p = recipes.VAE_GOAL_LATENT_SIZE
    x_bin, x_test_bin = data.binary()
    target = (tf_cvae or {}).get("test_elbo")
    tracker = ElboTracker(x_test_bin, target)
    result = train_vae(p, x_bin, callbacks=[tracker], progress=False,
                       epochs=recipes.QUICK_EPOCHS if smoke else None)
    recipe = _jsonable(result.settings)
    epochs = len(result.history["loss"])
    train_seconds = result.seconds - tracker.eval_seconds
    forward = forward_flops(build_vae(p, seed=recipe["seed"]), (28, 28, 1))
    _log(f"vae: test ELBO {tracker.curve[-1]['test_elbo']:.2f}, {train_seconds:.1f} s, "
         f"reached the anchor's {target} at {tracker.reached_at}")
    return {"vae": {"latent_size": p, "test_elbo": tracker.curve[-1]["test_elbo"],
                    "seconds": train_seconds, "fit_seconds_including_evaluation": result.seconds,
                    "seconds_to_anchor_elbo": tracker.reached_at, "epoch_reaching_anchor": tracker.reached_epoch,
                    "anchor_elbo": target, "elbo_curve": tracker.curve, "epochs": epochs,
                    "batch_size": recipe.get("batch_size"), "train_images": len(x_bin),
                    "test_images": len(x_test_bin), "recipe": recipe,
                    "recipe_source": "utils.vae.train_vae with its defaults (notebook 04's call)",
                    **_epochs([point["seconds"] for point in tracker.curve]), **_speed(forward, len(x_bin), epochs, train_seconds)},
            "elbo_method": ELBO_METHOD}


def _make_elbo_tracker():
    import keras

    class ElboTracker(keras.callbacks.Callback):
        """Test ELBO after every epoch; training seconds exclude the evaluations.

        ``curve`` lists ``{"epoch", "seconds", "test_elbo"}``; ``reached_at`` is the
        training time at the end of the first epoch whose test ELBO is at least
        ``target`` (None if never, or without a target).
        """

        def __init__(self, x_test, target: float | None):
            super().__init__()
            self.x_test, self.target = x_test, target
            self.curve: list[dict] = []
            self.eval_seconds = 0.0
            self.reached_at = None
            self.reached_epoch = None

        def on_train_begin(self, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            t0 = time.perf_counter()
            trained = t0 - self.start - self.eval_seconds
            elbo = _elbo(self.model.encoder, self.model.decoder, self.x_test)
            self.curve.append({"epoch": epoch + 1, "seconds": trained, "test_elbo": elbo})
            if self.target is not None and self.reached_at is None and elbo >= self.target:
                self.reached_at, self.reached_epoch = trained, epoch + 1
            self.eval_seconds += time.perf_counter() - t0

    return ElboTracker


def ElboTracker(x_test, target):  # noqa: N802  (a class made on first use, so importing run.py stays light)
    return _make_elbo_tracker()(x_test, target)


CVAE_ELBO_METHOD = ("utils.cvae.evaluate_conditional_elbo: closed-form KL, one reparameterized draw per image "
                    "(seed 0), Bernoulli likelihood, on the test images binarized at 0.5 with their digit labels; "
                    "mean over the test set, in nats (a lower bound of log p(x|y), not comparable with the "
                    "unconditional ELBO's log p(x)).")


def part_cvae(smoke: bool, data: Data) -> dict:
    from utils.cvae import evaluate_conditional_elbo, train_cvae

    p = recipes.CVAE_LATENT_SIZE
    x_bin, x_test_bin = data.binary()
    timer = _make_epoch_timer()
    result = train_cvae(p, x_bin, data.y_train, progress=False, callbacks=[timer],
                        epochs=recipes.QUICK_EPOCHS if smoke else None)
    recipe = _jsonable(result.settings)
    elbo = float(np.mean(evaluate_conditional_elbo(result.model.encoder, result.model.decoder,
                                                   x_test_bin, data.y_test)))
    _log(f"cvae: test conditional ELBO {elbo:.2f}, {result.seconds:.1f} s")
    return {"cvae": {"latent_size": p, "test_elbo": elbo, "seconds": result.seconds,
                     "epochs": len(result.history["loss"]), "batch_size": recipe.get("batch_size"),
                     "train_images": len(x_bin), "test_images": len(x_test_bin), "recipe": recipe,
                     "recipe_source": "utils.cvae.train_cvae with its defaults (notebook 05's conditional VAE)",
                     "elbo_method": CVAE_ELBO_METHOD, **_epochs(timer.cumulative)}}


def _notebook_record(timing: dict, nb) -> dict:
    """A notebook run's timing with the per-epoch seconds of every training it printed."""
    from benchmarks.epochs import training_runs

    try:
        runs = training_runs(nb)
    except ValueError as err:
        return {**timing, "trainings_error": str(err)}
    return {**timing, "trainings": runs}


NOTEBOOK_GEMM_REPEATS = 5   # the short GEMM measured right before and right after each notebook run (about 1 s)


def _gemm_now() -> float | None:
    """The machine's fp32 GEMM rate now (GFLOP/s, a short measurement), or None when it cannot be measured."""
    from benchmarks.machine import gemm_gflops

    try:
        return gemm_gflops(n=2048, repeats=NOTEBOOK_GEMM_REPEATS)["gflops"]
    except Exception as err:   # a failed measurement leaves the run without its own rate, not the bench without data
        _log(f"notebooks: GEMM measurement failed ({type(err).__name__}: {err})")
        return None


def _gemm_around(before: float, after: float | None) -> dict:
    """A notebook run's own GEMM rate: the mean of the rates measured right before and right after it."""
    rates = [x for x in (before, after) if x]
    return {"gemm_gflops_around": rates, "gemm_gflops": sum(rates) / len(rates)} if rates else {}


def part_notebooks(smoke: bool, keep_in: Path | None, notebooks: list[str] | None,
                   pair_nbval: bool = False) -> dict:
    """Each notebook's default run and quick run (smoke: the quick run only), what their copies printed.

    The runs of a notebook follow one another, so they see the same machine: its default run, with
    ``pair_nbval`` (a full run that also selects the nbval part) its strict nbval run right after
    it, then its quick run. The paired nbval runs are handed to the nbval part as ``paired_nbval``;
    this machine's speed drifts by a third within minutes, so an nbval run compared with a default
    run of twenty minutes earlier says more about the machine than about the harness.
    Outside smoke runs a short GEMM measurement right before and right after each run gives that run
    its own rate (``gemm_gflops``, the mean of the two): the machine's rate drifts within a bench run
    (293 to 232 GFLOP/s over 18 minutes was seen), so the run's start and end rates misstate the
    notebooks in its middle. The report converts each notebook's seconds with its own rate.
    From the executed copies: every training's per-epoch seconds, notebook 06's AUC table (default
    copy; quick copy in smoke runs) and notebook 04's test ELBO of the 2-D model (quick copy).
    ``keep_in`` receives the default copies in ``keep_in/`` and the quick ones in
    ``keep_in/../executed-quick/``.
    """
    from benchmarks.notebook_outputs import AUC_NOTEBOOK, ELBO_NOTEBOOK, auc_table_or_error, vae_elbo_or_error
    from benchmarks.notebook_timing import committed_notebooks, run_notebook, select_notebooks

    keep_quick = None if keep_in is None else Path(keep_in).parent / "executed-quick"
    default, quick, copies, paired = {}, {}, {}, {}
    for path in select_notebooks(committed_notebooks(), notebooks):
        for mode_quick in ((True,) if smoke else (False, True)):
            before = None if smoke else _gemm_now()
            timing, nb = run_notebook(path, quick=mode_quick, keep_copy_in=keep_quick if mode_quick else keep_in)
            if before is not None:
                timing.update(_gemm_around(before, _gemm_now()))
            (quick if mode_quick else default)[path.stem] = _notebook_record(timing, nb)
            copies[(path.stem, mode_quick)] = (nb, timing)
            _log(f"notebooks: {path.stem} {'quick' if mode_quick else 'default'} {timing['seconds']:.0f} s"
                 + (f" (GEMM {timing['gemm_gflops']:.0f} GFLOP/s around it)" if "gemm_gflops" in timing else "")
                 + ("" if timing["ok"] else f" FAILED: {timing.get('error')}"))
            if pair_nbval and not mode_quick:
                paired[path.stem] = _nbval_run(path, timing)

    def table(runs: dict) -> dict | None:
        if not runs:
            return None
        total = sum(d["seconds"] for d in runs.values())
        return {**runs, "total_seconds": total, **({"only": sorted(runs)} if notebooks else {})}

    out = {"notebooks": table(default), "notebooks_quick": table(quick),
           "paired_nbval": _nbval_table(paired, notebooks) if paired else None}
    auc_copy = copies.get((AUC_NOTEBOOK, smoke))
    out["anomaly_auc"] = (auc_table_or_error(*auc_copy) if auc_copy else
                          {"error": f"{AUC_NOTEBOOK} was not executed in this run"})
    if out["notebooks_quick"] is not None:
        qualities = {}
        elbo_copy = copies.get((ELBO_NOTEBOOK, True))
        qualities["vae_test_elbo_p2"] = (vae_elbo_or_error(*elbo_copy) if elbo_copy else
                                         {"error": f"{ELBO_NOTEBOOK} was not executed in this run"})
        if not smoke:
            auc_quick = copies.get((AUC_NOTEBOOK, True))
            qualities["anomaly_auc"] = (auc_table_or_error(*auc_quick) if auc_quick else
                                        {"error": f"{AUC_NOTEBOOK} was not executed in this run"})
        out["notebooks_quick"]["qualities"] = qualities
    for key in ("notebooks", "notebooks_quick"):
        if out[key] is not None:
            _log(f"{key}: {len([v for v in out[key].values() if isinstance(v, dict) and 'seconds' in v])} "
                 f"notebooks, {out[key]['total_seconds']:.0f} s in all")
    return out


def _nbval_run(path: Path, default: dict | None) -> dict:
    """One notebook under strict nbval; its seconds over ``default``'s (a default run's timing) when it ran cleanly."""
    from benchmarks.notebook_timing import nbval_notebook

    run = nbval_notebook(path)
    if default and default.get("ok") and default.get("seconds"):
        run["ratio_to_default"] = run["seconds"] / default["seconds"]
    _log(f"nbval: {path.stem} {run['seconds']:.0f} s, passed {run.get('passed', 0)}, "
         f"failed {run.get('failed', 0)}" + ("" if run["ok"] else f" ({run.get('error')})"))
    return run


def _nbval_table(runs: dict, notebooks: list[str] | None) -> dict:
    out = {**runs, "total_seconds": sum(r["seconds"] for r in runs.values()),
           "passed": sum(r.get("passed", 0) for r in runs.values()),
           "failed": sum(r.get("failed", 0) + r.get("errors", 0) for r in runs.values())}
    if notebooks:
        out["only"] = sorted(runs)
    return out


def part_nbval(notebooks: list[str] | None, notebook_times: dict | None, paired_nbval: dict | None = None) -> dict:
    """Each notebook under strict nbval (the README's test command), its seconds over its default run's.

    In a run that also ran the notebooks part, the nbval runs were made there, each right after its
    notebook's default run (``paired_nbval``); they are recorded as they are. Run alone
    (``--only nbval``), each notebook runs under nbval here and is compared with the default run
    stored in results.json, which may be from another day.
    """
    from benchmarks.notebook_timing import committed_notebooks, select_notebooks

    if paired_nbval:
        return {"nbval": {**paired_nbval, "paired": True}, "paired_nbval": None}
    runs = {path.stem: _nbval_run(path, (notebook_times or {}).get(path.stem))
            for path in select_notebooks(committed_notebooks(), notebooks)}
    return {"nbval": {**_nbval_table(runs, notebooks), "paired": False}, "paired_nbval": None}


@dataclass(frozen=True)
class Part:
    """One benchmark part: what it reads and what it writes.

    ``inputs`` name the function's arguments: ``smoke``, ``data``, ``tf_cvae_epochs``,
    ``keep_in``, ``notebooks`` (the run's settings) or earlier results (``dae``, ``tf_cvae``,
    ``notebook_times``); ``outputs`` are the keys it returns (dotted for nested ones, e.g.
    ``anchors.keras_dae``; a None value removes the key). ``isolated`` parts run in a fresh
    Python subprocess (they train or multiply with TensorFlow); the others only drive
    subprocesses of their own (notebook kernels, pytest) and run in the bench's process.
    """

    name: str
    run: Callable[..., dict]
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    isolated: bool = True


# The parts in the order they run; each reads only its inputs and writes only its outputs.
PART_LIST = (
    Part("gemm", part_gemm, ("smoke",), ("gemm", "gemm_gflops")),
    Part("ae", part_ae, ("smoke", "data"), ("ae",)),
    Part("ae_plain", part_ae_plain, ("smoke", "data"), ("ae.plain",)),
    Part("dae", part_dae, ("smoke", "data"), ("dae",)),
    Part("keras_dae", part_keras_dae, ("data", "dae"), ("anchors.keras_dae",)),
    Part("tf_cvae", part_tf_cvae, ("smoke", "data", "tf_cvae_epochs"), ("anchors.tf_cvae", "elbo_method")),
    Part("vae", part_vae, ("smoke", "data", "tf_cvae"), ("vae", "elbo_method")),
    Part("cvae", part_cvae, ("smoke", "data"), ("cvae",)),
    Part("notebooks", part_notebooks, ("smoke", "keep_in", "notebooks", "pair_nbval"),
         ("notebooks", "notebooks_quick", "anomaly_auc", "paired_nbval"), isolated=False),
    Part("nbval", part_nbval, ("notebooks", "notebook_times", "paired_nbval"), ("nbval", "paired_nbval"),
         isolated=False),
)
PARTS = tuple(p.name for p in PART_LIST)
SMOKE_SKIPS = ("nbval",)      # left out of smoke runs unless named in --only
RESULT_INPUTS = {"dae": ("dae",), "tf_cvae": ("anchors", "tf_cvae"),   # inputs read from earlier results
                 "notebook_times": ("notebooks",), "paired_nbval": ("paired_nbval",)}
WORKER_SETTINGS = ("smoke", "train_images", "test_images")   # what a subprocess needs to build ``data``


def _get_path(results: dict, path: tuple[str, ...]):
    for key in path:
        results = results.get(key) if isinstance(results, dict) else None
    return results


def _check_outputs(part: Part, out: dict) -> dict:
    if set(out) != set(part.outputs):
        raise RuntimeError(f"part {part.name} returned {sorted(out)}; it declares {sorted(part.outputs)}")
    return out


def _call(part: Part, kwargs: dict, settings: dict) -> dict:
    """Call the part in this process; ``data`` is built from the settings (once per process)."""
    if "data" in part.inputs:
        if settings.get("_data") is None:
            settings["_data"] = Data(settings["smoke"], settings.get("train_images"), settings.get("test_images"))
        kwargs = {**kwargs, "data": settings["_data"]}
    return part.run(**kwargs)


def run_part(part: Part, settings: dict, results: dict, isolate: bool = True) -> dict:
    """Call ``part`` with its declared inputs; check it returned exactly its declared outputs.

    With ``isolate`` an isolated part runs in a fresh ``python -m benchmarks.run --worker``
    process: its inputs go there as JSON, its outputs come back as JSON; the process's
    output goes to this one's stdout and stderr.
    """
    kwargs = {name: _get_path(results, RESULT_INPUTS[name]) if name in RESULT_INPUTS else settings[name]
              for name in part.inputs if name != "data"}
    if not (isolate and part.isolated):
        return _check_outputs(part, _call(part, kwargs, settings))
    request = {"part": part.name, "kwargs": kwargs, "settings": {k: settings.get(k) for k in WORKER_SETTINGS}}
    with tempfile.TemporaryDirectory(prefix=f"bench-{part.name}-") as tmp:
        req, res = Path(tmp) / "request.json", Path(tmp) / "result.json"
        req.write_text(json.dumps(request), encoding="utf-8")
        proc = subprocess.run([sys.executable, "-m", "benchmarks.run", "--worker", str(req), str(res)],
                              cwd=HERE.parent, check=False)
        if proc.returncode != 0 or not res.exists():
            raise RuntimeError(f"part {part.name}'s process exited with code {proc.returncode} "
                               "(its traceback is printed above)")
        return _check_outputs(part, json.loads(res.read_text(encoding="utf-8")))


def worker(request_path: str, result_path: str) -> int:
    """The subprocess side of :func:`run_part`: run one part, write its outputs as JSON."""
    from utils.data import atomic_write_text
    from utils.runtime import quiet_tensorflow

    quiet_tensorflow()
    request = json.loads(Path(request_path).read_text(encoding="utf-8"))
    part = next((p for p in PART_LIST if p.name == request.get("part")), None)
    if part is None:
        raise ValueError(f"--worker got the part {request.get('part')!r}; expected one of {list(PARTS)}")
    out = _check_outputs(part, _call(part, request["kwargs"], dict(request["settings"])))
    atomic_write_text(Path(result_path), json.dumps(out))
    return 0


def merge(results: dict, outputs: dict) -> None:
    """Write a part's outputs into ``results`` (dotted keys are nested; a None value removes the key)."""
    for key, value in outputs.items():
        *head, last = key.split(".")
        d = results
        for k in head:
            d = d.setdefault(k, {})
        if value is None:
            d.pop(last, None)
        else:
            d[last] = value


def _write_json(path: Path, results: dict) -> None:
    """Write results.json atomically (temporary file in the same folder, then rename)."""
    from utils.data import atomic_write_text

    atomic_write_text(path, json.dumps(results, indent=1) + "\n")


# --------------------------------------------------------------------------- main
def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--smoke", action="store_true",
                   help=f"one epoch on {goals.SMOKE_TRAIN_IMAGES:,} training / "
                        f"{goals.SMOKE_TEST_IMAGES:,} test images, notebooks in quick mode")
    p.add_argument("--out", default=str(HERE), help="folder for results.json and RESULTS.md (default: benchmarks/)")
    p.add_argument("--only", default=None,
                   help=f"comma-separated parts to run, merged into the folder's results.json; parts: {','.join(PARTS)}")
    p.add_argument("--skip", default=None, help="comma-separated parts to leave out")
    p.add_argument("--train-images", type=int, default=None, help="training subset size (default: all, or smoke's)")
    p.add_argument("--test-images", type=int, default=None, help="test subset size")
    p.add_argument("--tf-cvae-epochs", type=int, default=None,
                   help="epochs of the tutorial CVAE (default: its published 10; 1 in smoke runs), "
                        "e.g. 1 to measure its time per epoch")
    p.add_argument("--keep-notebooks", action="store_true",
                   help="write the executed copies: default runs to OUT/executed/, quick runs to OUT/executed-quick/")
    p.add_argument("--in-process", action="store_true",
                   help="run every part in this process instead of a fresh subprocess each (for debugging; "
                        "later parts then inherit earlier parts' TensorFlow state)")
    p.add_argument("--notebooks", default=None,
                   help="comma-separated notebooks for the notebooks part, by number or name (e.g. 06 or "
                        "06_applications); default: every committed notebook")
    a = p.parse_args(argv)
    for opt in ("only", "skip"):
        val = getattr(a, opt)
        parts = [s.strip() for s in val.split(",") if s.strip()] if val else None
        bad = [s for s in (parts or []) if s not in PARTS]
        if bad:
            p.error(f"--{opt} got unknown parts {bad}; expected some of {list(PARTS)}")
        setattr(a, opt, parts)
    if a.notebooks is not None:
        from benchmarks.notebook_timing import committed_notebooks, select_notebooks

        names = [s.strip() for s in a.notebooks.split(",") if s.strip()]
        try:
            select_notebooks(committed_notebooks(), names)
        except ValueError as err:
            p.error(f"--notebooks: {err}")
        a.notebooks = names
    return a


def selected_parts(only: list[str] | None, skip: list[str] | None, smoke: bool) -> list[str]:
    """The parts a run measures, in order: ``only`` (all by default) minus ``skip``; smoke runs
    leave out :data:`SMOKE_SKIPS` unless ``only`` names them."""
    return [p for p in PARTS if (p in only if only else not (smoke and p in SMOKE_SKIPS))
            and not (skip and p in skip)]


def _flop_rule() -> str:
    """The counting rule from benchmarks/flops.py's docstring (read without importing Keras here)."""
    import ast

    doc = ast.get_docstring(ast.parse((HERE / "flops.py").read_text(encoding="utf-8"))) or ""
    return doc.split("Counting rule (per image, forward pass)\n"
                     "---------------------------------------\n", 1)[-1].strip()


def main(argv: list[str] | None = None) -> int:
    if argv is None and len(sys.argv) == 4 and sys.argv[1] == "--worker":
        return worker(sys.argv[2], sys.argv[3])
    args = parse_args(argv)
    from benchmarks.machine import machine_info
    from benchmarks.report import write_report

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    results_path = out / "results.json"
    results: dict = {}
    if args.only and results_path.exists():
        results = json.loads(results_path.read_text(encoding="utf-8"))
    selected = selected_parts(args.only, args.skip, args.smoke)
    results.update(mode="smoke" if args.smoke else "full", machine=machine_info(), flop_rule=_flop_rule())
    if not args.in_process:
        results["isolation"] = "each training part in a fresh Python subprocess"
    else:
        results["isolation"] = "every part in one Python process (--in-process)"
    parts = [p for p in PART_LIST if p.name in selected]
    settings = {"smoke": args.smoke, "tf_cvae_epochs": args.tf_cvae_epochs, "notebooks": args.notebooks,
                "keep_in": Path(args.out) / "executed" if args.keep_notebooks else None,
                "pair_nbval": not args.smoke and {"notebooks", "nbval"} <= set(selected),
                "train_images": args.train_images, "test_images": args.test_images}
    failed = {}
    for part in parts:
        _log(f"part {part.name} ...")
        try:
            merge(results, run_part(part, settings, results, isolate=not args.in_process))
        except Exception as err:  # one failing part must not lose the others' numbers
            traceback.print_exc()
            failed[part.name] = f"{type(err).__name__}: {err}"
        results.setdefault("failed_parts", {}).pop(part.name, None)
        if part.name in failed:
            results["failed_parts"][part.name] = failed[part.name]
        _write_json(results_path, results)
    if "gemm" in selected and len(selected) > 1:
        # the ceiling again at the end: a clearly lower figure means the machine got busier during the run
        results.get("failed_parts", {}).pop("gemm_end", None)
        try:
            end = run_part(PART_LIST[0], {**settings, "smoke": True}, results, isolate=not args.in_process)
            results["gemm_end"], results["gemm_end_gflops"] = end["gemm"], end["gemm_gflops"]
            _log(f"gemm at the end: {results['gemm_end_gflops']:.1f} GFLOP/s")
        except Exception as err:
            traceback.print_exc()
            failed["gemm_end"] = f"{type(err).__name__}: {err}"
            results.setdefault("failed_parts", {})["gemm_end"] = failed["gemm_end"]
    if not results.get("failed_parts"):
        results.pop("failed_parts", None)
    _write_json(results_path, results)
    exps = HERE / "experiments.json"
    report = write_report(results_path, out / "RESULTS.md", exps if exps.exists() else None)
    _log(f"wrote {results_path} and {report}")
    if failed:
        _log(f"failed parts: {failed}")
        return 1
    required = REQUIRED_SMOKE if args.smoke else REQUIRED_FULL
    if set(selected) == set(selected_parts(None, None, args.smoke)) and missing_keys(results, required):
        _log(f"results.json lacks {missing_keys(results, required)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
