"""Benchmarks of the notebooks' default models against the machine's ceiling and two anchors.

    python -m benchmarks.run                       # everything -> benchmarks/results.json, RESULTS.md
    python -m benchmarks.run --smoke --out build/bench-smoke   # 1 epoch, 2,000/1,000 images
    python -m benchmarks.run --only gemm,ae        # some parts, merged into the existing results.json

Parts, in the order they run: ``gemm`` (fp32 matmul ceiling), ``ae`` (notebook
02's autoencoder at 16 dims and PCA at 16 dims), ``dae`` (notebook 03's denoising
autoencoder at sigma 0.5 and the median filter), ``keras_dae`` (the Keras
example's DAE for the DAE's training seconds), ``tf_cvae`` (TensorFlow's
tutorial CVAE, 10 epochs), ``vae`` (notebook 04's VAE, 2-dim latent, with its
test ELBO after every epoch and the training time at which it first reaches the
anchor's final test ELBO), ``notebooks`` (each committed notebook's default run,
executed on a temporary copy).

Run it on a quiet machine: the timings are wall-clock times.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import traceback
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
PARTS = ("gemm", "ae", "dae", "keras_dae", "tf_cvae", "vae", "notebooks")
AE_CODE_SIZE = 16      # the comparison point: autoencoder and PCA at 16 dimensions
DAE_SIGMA = 0.5        # the noise level
VAE_LATENT_DIM = 2     # the VAE, and the tutorial's latent size
SMOKE_TRAIN, SMOKE_TEST = 2000, 1000

# What results.json must hold after a full sequence (the list), as paths of keys.
REQUIRED = (("gemm_gflops",),
            ("ae", "latent_dim"), ("ae", "test_sse"), ("ae", "pca_test_sse"), ("ae", "seconds"), ("ae", "gflops"),
            ("dae", "sigma"), ("dae", "psnr"), ("dae", "median_psnr"), ("dae", "seconds"),
            ("vae", "latent_dim"), ("vae", "test_elbo"), ("vae", "seconds"), ("vae", "seconds_to_anchor_elbo"),
            ("anchors", "tf_cvae", "test_elbo"), ("anchors", "tf_cvae", "seconds"),
            ("anchors", "keras_dae", "psnr"), ("anchors", "keras_dae", "seconds"),
            ("notebooks", "total_seconds"))


def missing_keys(results: dict) -> list[str]:
    """The required entries that ``results`` lacks, e.g. ``["vae.seconds_to_anchor_elbo"]``.

    ``vae.seconds_to_anchor_elbo`` may be None (the anchor's ELBO was not reached); it must be there.
    """
    out = []
    for path in REQUIRED:
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


class Data:
    """MNIST once per run, cut to a subset in smoke mode."""

    def __init__(self, smoke: bool, n_train: int | None, n_test: int | None):
        from utils.data import load_dataset

        (x_train, _), (x_test, _) = load_dataset("mnist")
        n_train = n_train or (SMOKE_TRAIN if smoke else len(x_train))
        n_test = n_test or (SMOKE_TEST if smoke else len(x_test))
        self.x_train, self.x_test = x_train[:n_train], x_test[:n_test]
        self._cache: dict = {}

    def noisy(self, sigma: float, seed_train: int = 1, seed_test: int = 2):
        """Noisy training and test images, made once by the notebooks' noise function."""
        from utils.noise import gaussian_noise as add_noise

        key = ("noisy", sigma)
        if key not in self._cache:
            self._cache[key] = (np.asarray(add_noise(self.x_train, sigma=sigma, seed=seed_train), "float32"),
                                np.asarray(add_noise(self.x_test, sigma=sigma, seed=seed_test), "float32"))
        return self._cache[key]

    def binary(self):
        from utils.vae import binarize

        if "binary" not in self._cache:
            self._cache["binary"] = (binarize(self.x_train), binarize(self.x_test))
        return self._cache["binary"]


# --------------------------------------------------------------------------- parts
def part_gemm(args, data, results) -> None:
    from benchmarks.machine import gemm_gflops

    g = gemm_gflops(n=2048, repeats=5 if args.smoke else 15)
    results["gemm"] = g
    results["gemm_gflops"] = g["gflops"]
    _log(f"gemm: {g['gflops']:.1f} GFLOP/s")


def part_ae(args, data, results) -> None:
    from benchmarks.flops import forward_flops
    from utils.metrics import sse_per_image
    from utils.models import AE_WIDTHS, build_autoencoder, predict_in_batches, train_autoencoder

    code = AE_CODE_SIZE
    overrides = {"epochs": 1} if args.smoke else {}
    result = train_autoencoder(code, data.x_train, **overrides)
    recipe = _jsonable(result.settings)
    epochs = len(result.history["loss"])
    test_sse = float(np.mean(sse_per_image(data.x_test, predict_in_batches(result.model, data.x_test))))
    pca_sse = _pca_test_sse(data, code)
    forward = forward_flops(build_autoencoder(code, AE_WIDTHS), (28, 28, 1))
    results["ae"] = {"latent_dim": code, "test_sse": test_sse, "pca_test_sse": pca_sse,
                     "ratio_to_pca": test_sse / pca_sse, "seconds": result.seconds, "epochs": epochs,
                     "batch_size": recipe.get("batch_size"), "train_images": len(data.x_train),
                     "test_images": len(data.x_test), "recipe": recipe,
                     "recipe_source": "utils.models.train_autoencoder with its defaults (notebook 02's call)",
                     **_speed(forward, len(data.x_train), epochs, result.seconds)}
    _log(f"ae: test SSE {test_sse:.2f} vs PCA {pca_sse:.2f}, {result.seconds:.1f} s")


def _pca_test_sse(data, k: int) -> float:
    """Mean test SSE per image of PCA with ``k`` components fitted on the training images (utils.pca)."""
    from utils.metrics import sse_per_image
    from utils.pca import fit_pca

    recon = np.asarray(fit_pca(data.x_train, k).reconstruct(data.x_test)).reshape(data.x_test.shape)
    return float(np.mean(sse_per_image(data.x_test, recon)))


def _jsonable(d: dict) -> dict:
    out = {}
    for k, v in d.items():
        out[k] = v if isinstance(v, (int, float, str, bool, type(None))) else repr(v)
    return out


def part_dae(args, data, results) -> None:
    from benchmarks.flops import forward_flops
    from utils.metrics import psnr
    from utils.models import (AE_WIDTHS, DAE_CODE_SIZE, DAE_EPOCHS, build_autoencoder, predict_in_batches,
                              train_autoencoder)
    from utils.noise import median_filter

    code, sigma = DAE_CODE_SIZE, DAE_SIGMA
    x_noisy, x_test_noisy = data.noisy(sigma)
    overrides = {"epochs": 1} if args.smoke else {}
    result = train_autoencoder(code, x_noisy, data.x_train, **{"epochs": DAE_EPOCHS, **overrides})
    recipe = _jsonable(result.settings)
    epochs = len(result.history["loss"])
    denoised = np.clip(predict_in_batches(result.model, x_test_noisy), 0.0, 1.0)
    forward = forward_flops(build_autoencoder(code, AE_WIDTHS), (28, 28, 1))
    results["dae"] = {"sigma": sigma, "psnr": float(psnr(data.x_test, denoised)),
                      "median_psnr": float(psnr(data.x_test, median_filter(x_test_noisy))),
                      "noisy_psnr": float(psnr(data.x_test, x_test_noisy)),
                      "latent_dim": code, "seconds": result.seconds, "epochs": epochs,
                      "batch_size": recipe.get("batch_size"), "train_images": len(data.x_train),
                      "test_images": len(data.x_test), "recipe": recipe,
                      "recipe_source": "utils.models.train_autoencoder with DAE_CODE_SIZE and DAE_EPOCHS "
                                       "(notebook 03's call)",
                      **_speed(forward, len(data.x_train), epochs, result.seconds)}
    _log(f"dae: PSNR {results['dae']['psnr']:.2f} dB (median filter {results['dae']['median_psnr']:.2f}), "
         f"{result.seconds:.1f} s")


def part_keras_dae(args, data, results) -> None:
    from benchmarks.anchors import KERAS_DAE_SETTINGS, build_keras_dae, train_keras_dae
    from benchmarks.flops import forward_flops
    from utils.metrics import psnr

    dae = results.get("dae")
    if not dae or not dae.get("seconds"):
        raise RuntimeError("the keras_dae part needs the dae part's seconds; run --only dae,keras_dae")
    x_noisy, x_test_noisy = data.noisy(dae["sigma"])
    run = train_keras_dae(x_noisy, data.x_train, seconds=dae["seconds"])
    denoised = np.clip(run["model"].predict(x_test_noisy, batch_size=1000, verbose=0), 0.0, 1.0)
    forward = forward_flops(build_keras_dae(), (28, 28, 1))
    results.setdefault("anchors", {})["keras_dae"] = {
        "psnr": float(psnr(data.x_test, denoised)), "seconds": run["seconds"],
        "budget_seconds": dae["seconds"], "epochs": run["epochs"], "steps": run["steps"],
        "batch_size": KERAS_DAE_SETTINGS["batch_size"], "train_images": len(data.x_train),
        **_speed(forward, len(data.x_train), run["epochs"], run["seconds"])}
    _log(f"keras_dae: PSNR {results['anchors']['keras_dae']['psnr']:.2f} dB after {run['epochs']:.2f} epochs")


def _elbo(encoder, decoder, x) -> float:
    from utils.vae import evaluate_elbo

    return float(np.mean(evaluate_elbo(encoder, decoder, x)))


ELBO_METHOD = ("utils.vae.evaluate_elbo: closed-form KL, one reparameterized draw per image (seed 0), "
               "Bernoulli likelihood, on the test images binarized at 0.5; mean over the test set, in nats.")


def part_tf_cvae(args, data, results) -> None:
    from benchmarks.anchors import TF_CVAE_SETTINGS, build_tf_cvae, split_encoder, train_tf_cvae
    from benchmarks.flops import forward_flops

    x_bin, x_test_bin = data.binary()
    epochs = args.tf_cvae_epochs or (1 if args.smoke else TF_CVAE_SETTINGS["epochs"])
    run = train_tf_cvae(x_bin, epochs=epochs)
    model = run["model"]
    elbo = _elbo(split_encoder(model), model.decoder, x_test_bin)
    mc = float(np.mean(np.concatenate([np.asarray(model.monte_carlo_elbo(x_test_bin[i:i + 1000]))
                                       for i in range(0, len(x_test_bin), 1000)])))
    forward = forward_flops(build_tf_cvae(), (28, 28, 1))
    results.setdefault("anchors", {})["tf_cvae"] = {
        "test_elbo": elbo, "test_elbo_monte_carlo_kl": mc, "seconds": run["seconds"], "epochs": epochs,
        "batch_size": TF_CVAE_SETTINGS["batch_size"], "learning_rate": TF_CVAE_SETTINGS["learning_rate"],
        "latent_dim": TF_CVAE_SETTINGS["latent_dim"], "train_images": len(x_bin),
        "seconds_per_epoch": run["seconds"] / epochs, "history": run["history"],
        **_speed(forward, len(x_bin), epochs, run["seconds"])}
    results["elbo_method"] = ELBO_METHOD
    _log(f"tf_cvae: test ELBO {elbo:.2f} after {epochs} epochs, {run['seconds']:.1f} s")


def part_vae(args, data, results) -> None:
    from benchmarks.flops import forward_flops
    from utils.vae import build_vae, train_vae

    latent = VAE_LATENT_DIM
    x_bin, x_test_bin = data.binary()
    target = (results.get("anchors", {}).get("tf_cvae") or {}).get("test_elbo")
    tracker = ElboTracker(x_test_bin, target)
    overrides = {"epochs": 1} if args.smoke else {}
    result = train_vae(latent, x_bin, callbacks=[tracker], **overrides)
    recipe = _jsonable(result.settings)
    source = "utils.vae.train_vae with its defaults (notebook 04's call)"
    epochs = len(result.history["loss"])
    train_seconds = result.seconds - tracker.eval_seconds
    forward = forward_flops(build_vae(latent, seed=recipe["seed"]), (28, 28, 1))
    results["vae"] = {"latent_dim": latent, "test_elbo": tracker.curve[-1]["test_elbo"],
                      "seconds": train_seconds, "fit_seconds_including_evaluation": result.seconds,
                      "seconds_to_anchor_elbo": tracker.reached_at, "epoch_reaching_anchor": tracker.reached_epoch,
                      "anchor_elbo": target, "elbo_curve": tracker.curve, "epochs": epochs,
                      "batch_size": recipe.get("batch_size"), "train_images": len(x_bin),
                      "test_images": len(x_test_bin), "recipe": recipe, "recipe_source": source,
                      **_speed(forward, len(x_bin), epochs, train_seconds)}
    results["elbo_method"] = ELBO_METHOD
    _log(f"vae: test ELBO {results['vae']['test_elbo']:.2f}, {train_seconds:.1f} s, "
         f"reached the anchor's {target} at {tracker.reached_at}")


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


def part_notebooks(args, data, results) -> None:
    from benchmarks.notebook_timing import time_all

    keep = Path(args.out) / "executed" if args.keep_notebooks else None
    timings = time_all(quick=args.smoke, keep_copy_in=keep)
    total = sum(d["seconds"] for d in timings.values())
    results["notebooks"] = {**timings, "total_seconds": total}
    _log(f"notebooks: {len(timings)} notebooks, {total:.0f} s in all"
         + (" (quick mode)" if args.smoke else ""))


# --------------------------------------------------------------------------- main
def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--smoke", action="store_true",
                   help=f"one epoch on {SMOKE_TRAIN:,} training / {SMOKE_TEST:,} test images, notebooks in quick mode")
    p.add_argument("--out", default=str(HERE), help="folder for results.json and RESULTS.md (default: benchmarks/)")
    p.add_argument("--only", default=None,
                   help=f"comma-separated parts to run, merged into the folder's results.json; parts: {','.join(PARTS)}")
    p.add_argument("--skip", default=None, help="comma-separated parts to leave out")
    p.add_argument("--train-images", type=int, default=None, help="training subset size (default: all, or smoke's)")
    p.add_argument("--test-images", type=int, default=None, help="test subset size")
    p.add_argument("--tf-cvae-epochs", type=int, default=None,
                   help="epochs of the tutorial CVAE (default: its published 10; 1 in smoke runs), "
                        "e.g. 1 to measure its time per epoch")
    p.add_argument("--keep-notebooks", action="store_true", help="write the executed copies to OUT/executed/")
    a = p.parse_args(argv)
    for opt in ("only", "skip"):
        val = getattr(a, opt)
        parts = [s.strip() for s in val.split(",") if s.strip()] if val else None
        bad = [s for s in (parts or []) if s not in PARTS]
        if bad:
            p.error(f"--{opt} got unknown parts {bad}; expected some of {list(PARTS)}")
        setattr(a, opt, parts)
    return a


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from utils.runtime import quiet_tensorflow

    quiet_tensorflow()
    from benchmarks.flops import __doc__ as flop_doc
    from benchmarks.machine import machine_info
    from benchmarks.report import write_report

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    results_path = out / "results.json"
    results: dict = {}
    if args.only and results_path.exists():
        results = json.loads(results_path.read_text(encoding="utf-8"))
    selected = [p for p in PARTS if (not args.only or p in args.only) and not (args.skip and p in args.skip)]
    results.update(mode="smoke" if args.smoke else "full", machine=machine_info(),
                   flop_rule=flop_doc.split("Counting rule (per image, forward pass)\n"
                                            "---------------------------------------\n", 1)[-1].strip())
    needs_data = [p for p in selected if p not in ("gemm", "notebooks")]
    data = Data(args.smoke, args.train_images, args.test_images) if needs_data else None
    failed = {}
    for part in selected:
        _log(f"part {part} ...")
        try:
            globals()[f"part_{part}"](args, data, results)
        except Exception as err:  # one failing part must not lose the others' numbers
            traceback.print_exc()
            failed[part] = f"{type(err).__name__}: {err}"
        results.setdefault("failed_parts", {}).pop(part, None)
        if part in failed:
            results["failed_parts"][part] = failed[part]
        results_path.write_text(json.dumps(results, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    if "gemm" in selected and len(selected) > 1:
        # the ceiling again at the end: a clearly lower figure means the machine got busier during the run
        from benchmarks.machine import gemm_gflops

        results["gemm_end_gflops"] = gemm_gflops(n=2048, repeats=5)["gflops"]
        _log(f"gemm at the end: {results['gemm_end_gflops']:.1f} GFLOP/s")
    if not results.get("failed_parts"):
        results.pop("failed_parts", None)
    results_path.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    exps = HERE / "experiments.json"
    report = write_report(results_path, out / "RESULTS.md", exps if exps.exists() else None)
    _log(f"wrote {results_path} and {report}")
    if failed:
        _log(f"failed parts: {failed}")
        return 1
    if set(selected) == set(PARTS) and missing_keys(results):
        _log(f"results.json lacks {missing_keys(results)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
