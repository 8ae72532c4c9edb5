"""What a trained VAE's codes hold, measured: notebook 05 (``05_conditional_and_beta_vae.ipynb``).

Notebook 05 introduces these beside its beta table and its conditional VAE; notebook 04's
:mod:`utils.vae` and notebook 05's :mod:`utils.cvae` build and train the models.

- :func:`encoder_outputs`: ``mu`` and ``log sigma^2`` of every image (plain or conditional encoder).
- :func:`rate_split`: the average rate split into information and prior mismatch,
  ``E_x KL(q(z|x) || p(z)) = I_q(x; z) + KL(q_bar(z) || p(z))``, where ``q_bar`` is the
  aggregate posterior, the mixture of the images' ``q(z|x)``, and ``x`` runs over the given
  images with equal weight (so ``I_q(x; z) <= log n``). With labels, ``I_q(x; z)`` is split once
  more into ``I_q(y; z) + I_q(x; z | y)``: the label information z carries, and the rest.
- :func:`knn_label_accuracy`: how well a k-nearest-neighbour vote on the codes ``mu`` predicts the
  digit label, with a Wilson interval (:func:`utils.stats.binomial_interval`).
- :func:`active_unit_counts`: the number of active units at several thresholds of ``Var_x mu_j(x)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
from scipy.spatial import cKDTree
from scipy.stats import mode

from utils.cvae import _posterior
from utils.stats import Interval, binomial_interval
from utils.vae import LOG_2PI, _logmeanexp, kl_divergence
from utils.validation import check_array, check_int, check_model, check_number

__all__ = ["encoder_outputs", "RateSplit", "rate_split", "knn_label_accuracy", "active_unit_counts"]


def encoder_outputs(encoder, x, labels=None, batch_size: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """``mu`` and ``log sigma^2`` of every image, each (n, p), float64.

    ``labels`` (digit labels (n,) or one-hot rows (n, 10)) are handed to a conditional encoder
    (:func:`utils.vae.build_encoder` with ``n_classes=10``) as its second input; without them the encoder is
    notebook 04's.

    Raises
    ------
    TypeError, ValueError
        For an encoder that is not a Keras model, images that are not a finite (n, 28, 28, 1)
        batch, labels that do not match the images, or ``batch_size`` below 1.
    """
    check_model(encoder, "encoder")
    return _posterior(encoder, x, labels, batch_size)


def _log_q_matrix(z: np.ndarray, mu: np.ndarray, log_var: np.ndarray) -> np.ndarray:
    """``log q(z_m | x_i)`` for every draw m (rows) and image i (columns): diagonal Gaussians."""
    precision = np.exp(-log_var)                                     # (n, p)
    quad = (z ** 2) @ precision.T - 2.0 * z @ (mu * precision).T + np.sum(mu ** 2 * precision, axis=1)
    return -0.5 * (mu.shape[1] * LOG_2PI + np.sum(log_var, axis=1) + quad)


@dataclass(frozen=True)
class RateSplit:
    """The average rate of n images split as ``rate = information + marginal_kl`` (nats).

    ``information`` is ``I_q(x; z)`` with x uniform over the n images (at most ``log n``),
    ``marginal_kl`` is ``KL(q_bar(z) || p(z))``; ``information_se`` is the Monte Carlo standard
    error of ``information`` (and of ``marginal_kl``, which is ``rate - information``). With labels,
    ``label_information`` is ``I_q(y; z)`` (at most the label entropy) with its standard error;
    otherwise both are None.
    """

    rate: float
    information: float
    marginal_kl: float
    information_se: float
    n_images: int
    n_draws: int
    label_information: float | None = None
    label_information_se: float | None = None

    @property
    def log_n(self) -> float:
        """``log n``: the most information z can carry about one of n equally likely images."""
        return float(np.log(self.n_images))


def rate_split(mu, log_var, labels=None, n_draws: int = 2000, seed: int = 0, chunk: int = 250) -> RateSplit:
    """Split the average rate into the information z carries and the aggregate posterior's mismatch.

    With x uniform over the n images, ``q_bar(z) = (1/n) sum_i q(z|x_i)`` and, exactly,
    ``(1/n) sum_i KL(q(z|x_i) || N(0, I)) = I_q(x; z) + KL(q_bar(z) || N(0, I))``. The rate on the
    left is the closed form; ``I_q(x; z) = E[log q(z|x) - log q_bar(z)]`` is a Monte Carlo average
    over ``n_draws`` pairs (x_i uniform, z ~ q(z|x_i)), in which ``q_bar`` is evaluated exactly as
    the mixture of all n Gaussians. Each draw's term is at most ``log n``.

    With ``labels`` (one per image), also ``I_q(y; z) = E[log q_bar(z|y) - log q_bar(z)]``, with
    ``q_bar(z|y)`` the mixture over the images of label y: the label information z carries.

    Parameters
    ----------
    mu, log_var : (n, p) encoder outputs of n >= 2 images.
    labels : optional (n,) integer labels.
    n_draws : Monte Carlo draws (>= 2).
    seed : seed of the draws.
    chunk : draws per block (memory: chunk x n numbers).

    Raises
    ------
    TypeError, ValueError
        For codes that are not two finite (n, p) arrays of the same shape, labels that are not one
        whole number per image, or ``n_draws`` below 2.
    """
    mu = check_array(mu, "mu", ndim=2, min_len=2, dtype=np.float64)
    log_var = check_array(log_var, "log_var", ndim=2, min_len=2, dtype=np.float64)
    if mu.shape != log_var.shape:
        raise ValueError(f"mu has shape {mu.shape} and log_var {log_var.shape}; expected the encoder's two "
                         "outputs for the same images, both (n, p)")
    n_draws = check_int(n_draws, "n_draws", minimum=2)
    chunk = check_int(chunk, "chunk", minimum=1)
    n = len(mu)
    groups = None
    if labels is not None:
        lab = check_array(labels, "labels", ndim=1, dtype=None)
        if len(lab) != n or not np.all(np.equal(np.mod(lab, 1), 0)):
            raise ValueError(f"labels has {len(lab)} entries; expected one whole-number label per image ({n})")
        classes, groups = np.unique(lab.astype(np.int64), return_inverse=True)
    rng = np.random.default_rng(check_int(seed, "seed", minimum=0))
    pick = rng.integers(0, n, size=n_draws)
    z_all = mu[pick] + np.exp(0.5 * log_var[pick]) * rng.standard_normal((n_draws, mu.shape[1]))
    info_terms = np.empty(n_draws)
    label_terms = np.empty(n_draws) if groups is not None else None
    for s in range(0, n_draws, chunk):
        idx = np.arange(s, min(s + chunk, n_draws))
        log_q = _log_q_matrix(z_all[idx], mu, log_var)           # (draws, n)
        log_q_bar = _logmeanexp(log_q, axis=1)
        info_terms[idx] = log_q[np.arange(len(idx)), pick[idx]] - log_q_bar
        if groups is not None:
            own = groups[pick[idx]]
            for g in np.unique(own):
                rows = np.flatnonzero(own == g)
                label_terms[idx[rows]] = _logmeanexp(log_q[np.ix_(rows, np.flatnonzero(groups == g))],
                                                     axis=1) - log_q_bar[rows]
    rate = float(np.mean(kl_divergence(mu, log_var)))
    info, se = float(info_terms.mean()), float(info_terms.std(ddof=1) / np.sqrt(n_draws))
    labelled = () if groups is None else (float(label_terms.mean()), float(label_terms.std(ddof=1) / np.sqrt(n_draws)))
    return RateSplit(rate, info, rate - info, se, n, n_draws, *labelled)


def knn_label_accuracy(reference_mu, reference_labels, mu, labels,
                       k: int = 25) -> tuple[Interval, np.ndarray]:
    """Accuracy of a k-nearest-neighbour vote on the codes, with a Wilson 95 % interval.

    Each image of ``mu`` gets the most common label among its ``k`` nearest codes (Euclidean,
    ``scipy.spatial.cKDTree``) in ``reference_mu`` (ties go to the smallest label). The reference images are other images than
    the scored ones (e.g. training images), so the n correct-or-not outcomes are independent given
    the reference set, and :func:`utils.stats.binomial_interval` applies.

    Returns
    -------
    (interval, predicted) : the accuracy with its interval, and the predicted labels (n,).

    Raises
    ------
    TypeError, ValueError
        For codes that are not finite 2-d arrays with the same number of columns, labels that do not
        match them, or ``k`` not in 1..len(reference_mu).
    """
    ref = check_array(reference_mu, "reference_mu", ndim=2, dtype=np.float64)
    mu = check_array(mu, "mu", ndim=2, dtype=np.float64)
    if ref.shape[1] != mu.shape[1]:
        raise ValueError(f"reference_mu has {ref.shape[1]} columns and mu {mu.shape[1]}; expected codes of the "
                         "same latent size p")
    ref_lab = check_array(reference_labels, "reference_labels", ndim=1, dtype=np.int64)
    lab = check_array(labels, "labels", ndim=1, dtype=np.int64)
    if len(ref_lab) != len(ref) or len(lab) != len(mu):
        raise ValueError(f"{len(ref)} reference codes with {len(ref_lab)} labels and {len(mu)} codes with "
                         f"{len(lab)} labels; expected one label per code")
    if ref_lab.min() < 0 or lab.min() < 0:
        raise ValueError("labels hold negative values; expected digit labels 0, 1, 2, ...")
    k = check_int(k, "k", minimum=1, maximum=len(ref))
    _, nearest = cKDTree(ref).query(mu, k=k)                        # (n, k) indices into the reference set
    predicted = mode(ref_lab[nearest.reshape(len(mu), k)], axis=1, keepdims=False).mode   # ties: smallest label
    correct = int(np.sum(predicted == lab))
    return binomial_interval(correct, len(lab)), predicted


def active_unit_counts(variances, kl_units, thresholds: Sequence[float]) -> list[tuple[float, int, float]]:
    """For each threshold t: (t, number of units with ``Var_x mu_j > t``, smallest KL among them).

    ``variances`` and ``kl_units`` are the (p,) outputs of :func:`utils.cvae.active_units` and
    :func:`utils.cvae.kl_per_unit` for one model; the smallest KL is ``nan`` when no unit is active.

    Raises
    ------
    TypeError, ValueError
        For arrays that are not finite, 1-d and of the same length, or a negative threshold.
    """
    var = check_array(variances, "variances", ndim=1, dtype=np.float64)
    kl = check_array(kl_units, "kl_units", ndim=1, dtype=np.float64)
    if var.shape != kl.shape:
        raise ValueError(f"variances has {len(var)} entries and kl_units {len(kl)}; expected one of each per unit")
    rows = []
    for t in thresholds:
        t = check_number(t, "threshold", minimum=0.0)
        on = var > t
        rows.append((t, int(on.sum()), float(kl[on].min()) if on.any() else float("nan")))
    return rows
