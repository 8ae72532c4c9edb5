"""Does a training part inherit a slow first epoch from the part trained before it in the same process?

One measurement trains notebook 04's VAE (``benchmarks.run.part_vae``, the bench's own code
path, test ELBO after every epoch) on a subset of MNIST, either

- ``after-anchor``: in the same Python process right after the TensorFlow tutorial's CVAE
  (``part_tf_cvae`` with its test ELBO evaluations), as the bench did before its parts ran
  in separate processes, or
- ``alone``: in a fresh Python process.

Each measurement runs in its own subprocess; the two kinds alternate so a change in the
machine's speed affects both. Recorded per run: every VAE epoch's seconds, the first epoch
over the median later epoch, the process's thread count and resident memory before and after
the VAE, and the GEMM rate at the start.

    python -m benchmarks.first_epoch --rounds 2 --train-images 60000   # appended to benchmarks/first_epoch.json
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _proc_status() -> dict:
    """Threads and resident memory (MB) of this process, from /proc/self/status."""
    out = {}
    try:
        with open("/proc/self/status", encoding="utf-8") as f:
            for line in f:
                if line.startswith("Threads:"):
                    out["threads"] = int(line.split()[1])
                elif line.startswith("VmRSS:"):
                    out["rss_mb"] = round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return out


def measure(mode: str, train_images: int, test_images: int, anchor_epochs: int,
            anchor_images: int | None = None) -> dict:
    """One measurement in this process (``mode`` is ``after-anchor`` or ``alone``).

    The anchor trains on the first ``anchor_images`` training images (default: the VAE's).
    """
    from benchmarks.epochs import epoch_summary
    from utils.runtime import quiet_tensorflow

    quiet_tensorflow()
    from benchmarks.machine import gemm_gflops
    from benchmarks.run import Data, part_tf_cvae, part_vae

    out = {"mode": mode, "gemm_gflops": gemm_gflops(n=2048, repeats=5)["gflops"], "start": _proc_status()}
    data = Data(False, train_images, test_images)
    anchor = None
    if mode == "after-anchor":
        t0 = time.perf_counter()
        anchor_data = data if anchor_images is None else Data(False, anchor_images, test_images)
        anchor = part_tf_cvae(False, anchor_data, anchor_epochs)["anchors.tf_cvae"]
        out["anchor"] = {"epochs": anchor_epochs, "images": len(anchor_data.x_train), "seconds": anchor["seconds"],
                         "part_seconds": time.perf_counter() - t0, "test_elbo": anchor["test_elbo"]}
    out["before_vae"] = _proc_status()
    vae = part_vae(False, data, anchor)["vae"]
    out["after_vae"] = _proc_status()
    summary = epoch_summary([point["seconds"] for point in vae["elbo_curve"]])
    out["vae"] = {"epoch_seconds": summary["epoch_seconds"], "first_epoch_ratio": summary["first_epoch_ratio"],
                  "seconds": vae["seconds"], "test_elbo": vae["test_elbo"]}
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.first_epoch", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rounds", type=int, default=2, help="pairs of measurements (after-anchor, alone)")
    p.add_argument("--train-images", type=int, default=20000)
    p.add_argument("--test-images", type=int, default=2000)
    p.add_argument("--anchor-epochs", type=int, default=1)
    p.add_argument("--anchor-images", type=int, default=None,
                   help="train the anchor on this many images (default: as many as the VAE)")
    p.add_argument("--out", default=str(HERE / "first_epoch.json"))
    p.add_argument("--one", choices=("after-anchor", "alone"), help=argparse.SUPPRESS)  # the child's mode
    a = p.parse_args(argv)
    if a.anchor_images is not None and a.anchor_images < 32:
        p.error(f"--anchor-images {a.anchor_images}; expected at least one batch of 32")
    if a.rounds < 1 or a.train_images < 128 or a.test_images < 1 or a.anchor_epochs < 1:
        p.error(f"--rounds {a.rounds}, --train-images {a.train_images}, --test-images {a.test_images}, "
                f"--anchor-epochs {a.anchor_epochs}; expected >= 1, >= 128, >= 1, >= 1")
    if a.one:
        print("RESULT " + json.dumps(measure(a.one, a.train_images, a.test_images, a.anchor_epochs,
                                             a.anchor_images)), flush=True)
        return 0
    runs = []
    for r in range(a.rounds):
        for mode in ("after-anchor", "alone"):
            cmd = [sys.executable, "-m", "benchmarks.first_epoch", "--one", mode,
                   "--train-images", str(a.train_images), "--test-images", str(a.test_images),
                   "--anchor-epochs", str(a.anchor_epochs)]
            cmd += [] if a.anchor_images is None else ["--anchor-images", str(a.anchor_images)]
            proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
            line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")), None)
            if proc.returncode != 0 or line is None:
                raise RuntimeError(f"the {mode} measurement failed (exit {proc.returncode}): {proc.stderr[-2000:]}")
            run = json.loads(line[len("RESULT "):])
            run["round"] = r + 1
            runs.append(run)
            print(f"round {r + 1} {mode}: VAE epochs {[round(s, 2) for s in run['vae']['epoch_seconds']]} s, "
                  f"first/median later {run['vae']['first_epoch_ratio']:.2f}, threads {run['before_vae']}, "
                  f"GEMM {run['gemm_gflops']:.0f} GFLOP/s", flush=True)
    from utils.data import atomic_write_text

    record = {"measured": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "train_images": a.train_images,
              "test_images": a.test_images, "anchor_epochs": a.anchor_epochs,
              "anchor_images": a.anchor_images or a.train_images, "runs": runs}
    out = Path(a.out)
    studies = json.loads(out.read_text(encoding="utf-8")).get("studies", []) if out.exists() else []
    atomic_write_text(out, json.dumps({"studies": studies + [record]}, indent=1) + "\n")   # one record per call
    print(f"wrote {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
