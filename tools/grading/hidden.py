"""The grader's hidden inputs for the function exercises: arguments the public checkers never show.

Each entry lists argument tuples for a function exercise of ``exercises``; the grader calls the
student's function on them in the submission's kernel and judges the results with the exercise's
own ``make_case``/``judge``, so a function tuned to the public inputs is caught. This file is the
grader's: the student release leaves it out.
"""

from __future__ import annotations

import numpy as np


def _stamp() -> list:
    rng = np.random.default_rng(90_001)
    shapes = [((2, 4), (3, 2), 2), ((4, 3), (1, 3), 1), ((3, 2), (2, 2), 3), ((1, 3), (3, 1), 2)]
    return [(rng.normal(size=ys).round(2), rng.integers(-4, 6, size=ks).astype(float), s) for ys, ks, s in shapes]


def _sse() -> list:
    rng = np.random.default_rng(90_002)
    x = rng.random((7, 28, 28, 1))
    single = rng.random((1, 28, 28, 1)).astype(np.float32)
    return [(x, np.clip(x + 0.3 * rng.standard_normal(x.shape), 0, 1)),
            (single, np.zeros_like(single))]


def _cosines() -> list:
    rng = np.random.default_rng(90_003)
    shared = rng.standard_normal((40, 1))
    A = np.hstack([shared, rng.standard_normal((40, 2))]) * np.array([3.0, 0.5, 1.0])
    B = np.hstack([rng.standard_normal((40, 2)), 2 * shared])
    C = rng.standard_normal((25, 5))
    return [(A, B), (C, C @ rng.standard_normal((5, 5)))]


def _psnr() -> list:
    rng = np.random.default_rng(90_004)
    clean = rng.random((3, 28, 28, 1))
    scale = np.array([0.001, 0.03, 0.5]).reshape(3, 1, 1, 1)
    return [(clean, np.clip(clean + scale * rng.standard_normal(clean.shape), 0, 1))]


def _kl_diag() -> list:
    rng = np.random.default_rng(90_005)
    wide = tuple(rng.normal(0.0, s, size=(8, 5)) for s in (2.0, 1.5, 1.0, 1.5))
    one = tuple(rng.normal(size=(1, 2)) for _ in range(4))
    return [wide, one]


def _logmeanexp() -> list:
    rng = np.random.default_rng(90_006)
    rows = np.stack([rng.normal(-1500.0, 5.0, 40),            # very small, every row its own scale
                     np.linspace(-1500.0, 10.0, 40),           # spread over 1,510 nats
                     rng.normal(3.0, 1.0, 40)], axis=0)        # near 0
    return [(rows, 1), (rng.normal(-600.0, 20.0, size=64), 0)]


def _kl_units() -> list:
    rng = np.random.default_rng(90_007)
    mu = rng.normal(size=(30, 4)) * np.array([2.0, 0.3, 0.0, 1.0])
    log_var = rng.normal(-0.5, 1.0, size=(30, 4))
    return [(mu, log_var)]


def _active() -> list:
    from exercises.lesson05 import active_test_means

    mu = active_test_means((0.5, 0.08, 0.02, 0.006, 0.0, 0.0), (0.0, 1.0, 0.0, 0.0, -2.0, 0.0), n=300, seed=90_008)
    return [(mu, t) for t in (0.01, 0.05, 0.003)]


def _auc() -> list:
    rng = np.random.default_rng(90_009)
    tied = np.full(40, 2.0)
    return [(tied, np.full(15, 2.0)),                                        # every pair tied: 0.5
            (rng.random(60), 2.0 + rng.random(25)),                          # perfectly separated: 1.0
            (rng.normal(size=200).astype(np.float32), rng.normal(0.7, 1.0, 80).astype(np.float32))]


def _threshold() -> list:
    rng = np.random.default_rng(90_010)
    scores = rng.lognormal(3.0, 0.8, 1000)
    return [(scores, 0.2), (scores, 0.05)]


HIDDEN_ARGS = {"01-3": _stamp, "02-2": _sse, "02-3": _cosines, "03-2": _psnr, "04-1b": _kl_diag, "04-3": _logmeanexp,
               "05-3a": _kl_units, "05-3b": _active, "06-2": _auc, "06-3": _threshold}


def hidden_args(label: str) -> list:
    """The hidden argument tuples of the function exercise ``label`` (an empty list if it has none)."""
    make = HIDDEN_ARGS.get(label)
    return make() if make else []
