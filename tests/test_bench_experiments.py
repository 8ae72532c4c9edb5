"""benchmarks.experiments: its training with options is the lessons' training path without them.

``train_with_options`` carries the settings only the speed experiments change (XLA, steps per
execution, the "arrays" pipeline, a distribution strategy), which ``utils.training.train_model``
no longer has; with ``TrainOptions()`` it must train exactly as ``train_model`` (a group's baseline is
the lessons' path). Under a strategy: tests/test_distribute.py.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from utils.runtime import quiet_tensorflow

tf = quiet_tensorflow()

from benchmarks.experiments import TrainOptions, run_config, train_with_options  # noqa: E402
from utils.autoencoder import build_autoencoder  # noqa: E402
from utils.training import train_model  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


def _images(n=256, seed=0):
    rng = np.random.default_rng(seed)
    x = np.zeros((n, 28, 28, 1), np.float32)
    for i, r in enumerate(rng.integers(4, 24, n)):
        x[i, r:r + 3, 4:24, 0] = 1.0
    return x


def test_default_options_train_exactly_as_train_model():
    x = _images()
    ours = train_with_options(lambda: build_autoencoder(3, (4, 8)), x, x, epochs=2, batch_size=32, seed=5)
    lesson = train_model(lambda: build_autoencoder(3, (4, 8)), x, x, epochs=2, batch_size=32, seed=5, progress=False)
    assert ours.history["loss"] == lesson.history["loss"]                       # to the last bit
    for a, b in zip(ours.model.get_weights(), lesson.model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert ours.settings["steps_per_execution"] == lesson.settings["steps_per_execution"]
    assert {k: ours.settings[k] for k in ("jit_compile", "pipeline", "shuffle", "strategy")} == \
        {"jit_compile": False, "pipeline": "tf.data", "shuffle": True, "strategy": None}


@pytest.mark.parametrize("options", [TrainOptions(pipeline="arrays"), TrainOptions(steps_per_execution=1),
                                     TrainOptions(strategy=tf.distribute.OneDeviceStrategy("/cpu:0"))])
def test_each_option_trains(options):
    x = _images(128)
    r = train_with_options(lambda: build_autoencoder(2, (4, 4)), x, x, epochs=2, batch_size=32, seed=0,
                           options=options, learning_rate=1e-2)
    assert np.all(np.isfinite(r.history["loss"])) and r.history["loss"][-1] < r.history["loss"][0]
    if options.strategy is not None:
        assert r.settings["strategy"] == "OneDeviceStrategy" and r.settings["steps_per_execution"] == 1


@pytest.mark.parametrize("kwargs, error, argument", [
    (dict(pipeline="disk"), ValueError, "pipeline"),
    (dict(jit_compile="no"), TypeError, "jit_compile"),
    (dict(steps_per_execution=0), ValueError, "steps_per_execution"),
    (dict(strategy="mirrored"), TypeError, "strategy"),
    (dict(shuffle=1), TypeError, "shuffle"),
])
def test_bad_options_are_refused(kwargs, error, argument):
    with pytest.raises(error, match=rf"^{argument} is "):
        TrainOptions(**kwargs)


def test_options_must_be_train_options():
    with pytest.raises(TypeError, match=r"options is \{'jit_compile': True\} \(dict\); expected benchmarks"):
        train_with_options(lambda: build_autoencoder(2, (4, 4)), _images(8), _images(8), epochs=1, batch_size=4,
                           options={"jit_compile": True})


def test_one_experiment_configuration_runs():
    """A group's child process, shortened: its record names the settings in effect."""
    from benchmarks.experiments import BASE

    out = run_config({**BASE, "images": 512, "epochs": 2, "pipeline": "arrays"})
    assert out["settings"]["pipeline"] == "arrays" and out["images_per_second"] > 0
    assert np.isfinite(out["final_loss"])


def test_the_students_package_imports_no_benchmark_code():
    code = ("import importlib, pkgutil, sys, utils\n"
            "for m in pkgutil.walk_packages(utils.__path__, 'utils.'):\n"
            "    importlib.import_module(m.name)\n"
            "print(sorted(m for m in sys.modules if m.startswith(('benchmarks', 'tools'))))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO,
                          env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "TF_CPP_MIN_LOG_LEVEL": "3"},
                          timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"
