"""Anomaly scores and their ROC analysis in numpy, for notebook 06 (``06_applications.ipynb``).

Convention: a larger score means "more unusual". An image is flagged when its score
exceeds a threshold ``t``. For inliers (the kind of data the model was trained on)
and outliers:

- false-alarm rate ``FPR(t)`` = share of inliers with score > t;
- detection rate ``TPR(t)`` = share of outliers with score > t.

:func:`roc_curve` traces (FPR, TPR) over every threshold; :func:`auc` is the area under
it, equal to ``P(S_out > S_in) + P(S_out = S_in)/2`` for a random outlier and a random
inlier (the Mann-Whitney statistic divided by the number of pairs), computed here from
ranks. :func:`threshold_at_false_alarm` picks ``t`` from inlier scores for a chosen
false-alarm rate.
"""

from __future__ import annotations

import numpy as np


def _scores(values, name: str) -> np.ndarray:
    a = np.asarray(values, dtype=np.float64)
    if a.ndim != 1 or a.size == 0:
        raise ValueError(f"{name} has shape {a.shape}; expected a non-empty 1-d array of scores")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} holds {int(np.sum(~np.isfinite(a)))} NaN or infinite scores; "
                         "expected finite numbers")
    return a


def _average_ranks(values: np.ndarray) -> np.ndarray:
    """Ranks 1..n of ``values``, tied values sharing the mean of their ranks."""
    order = np.argsort(values, kind="mergesort")
    sorted_values = values[order]
    starts = np.r_[True, sorted_values[1:] != sorted_values[:-1]]
    group = np.cumsum(starts) - 1
    first = np.flatnonzero(starts)
    last = np.r_[first[1:], len(values)] - 1
    mean_rank = (first + last) / 2.0 + 1.0
    ranks = np.empty(len(values))
    ranks[order] = mean_rank[group]
    return ranks


def auc(inlier_scores, outlier_scores) -> float:
    """Area under the ROC curve: ``P(S_out > S_in) + P(S_out = S_in)/2``.

    Computed from the ranks of all scores (ties get their mean rank), so it costs
    ``O(n log n)`` rather than a loop over every pair. 1 means every outlier scores
    above every inlier, 0.5 is a coin toss, below 0.5 means outliers tend to score *lower*.

    Raises
    ------
    ValueError
        For empty, non-1-d or non-finite scores.
    """
    s_in = _scores(inlier_scores, "inlier_scores")
    s_out = _scores(outlier_scores, "outlier_scores")
    ranks = _average_ranks(np.concatenate([s_in, s_out]))
    n_in, n_out = len(s_in), len(s_out)
    u = ranks[n_in:].sum() - n_out * (n_out + 1) / 2.0
    return float(u / (n_in * n_out))


def roc_curve(inlier_scores, outlier_scores) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ROC curve: false-alarm and detection rates at every distinct threshold.

    Returns
    -------
    (fpr, tpr, thresholds) : arrays of equal length, starting at (0, 0) with threshold +inf;
        point i flags the images whose score is >= ``thresholds[i]``. The curve ends at (1, 1).
        The trapezoid area under it equals :func:`auc`.

    Raises
    ------
    ValueError
        As :func:`auc`.
    """
    s_in = _scores(inlier_scores, "inlier_scores")
    s_out = _scores(outlier_scores, "outlier_scores")
    scores = np.concatenate([s_in, s_out])
    is_out = np.r_[np.zeros(len(s_in)), np.ones(len(s_out))]
    order = np.argsort(-scores, kind="mergesort")
    scores, is_out = scores[order], is_out[order]
    last_of_value = np.r_[scores[1:] != scores[:-1], True]
    tp = np.cumsum(is_out)[last_of_value]
    fp = np.cumsum(1 - is_out)[last_of_value]
    fpr = np.r_[0.0, fp / len(s_in)]
    tpr = np.r_[0.0, tp / len(s_out)]
    return fpr, tpr, np.r_[np.inf, scores[last_of_value]]


def threshold_at_false_alarm(inlier_scores, rate: float) -> float:
    """The smallest threshold ``t`` with at most ``rate`` of the inliers scoring above it.

    Parameters
    ----------
    inlier_scores : scores of inliers not used to train the model (a calibration set).
    rate : the false-alarm rate to allow, 0 < rate < 1 (e.g. 0.05).

    Raises
    ------
    ValueError
        For ``rate`` outside (0, 1) or bad scores.
    """
    s_in = np.sort(_scores(inlier_scores, "inlier_scores"))
    if not 0 < rate < 1:
        raise ValueError(f"rate is {rate}; expected a false-alarm rate strictly between 0 and 1")
    allowed = int(np.floor(rate * len(s_in)))      # inliers that may lie above t
    return float(s_in[len(s_in) - allowed - 1])


def flagged_share(scores, threshold: float) -> float:
    """Share of ``scores`` above ``threshold``: the false-alarm rate for inliers, the detection rate for outliers."""
    s = _scores(scores, "scores")
    if not np.isfinite(threshold):
        raise ValueError(f"threshold is {threshold}; expected a finite number")
    return float(np.mean(s > threshold))


def plot_roc(curves: dict, ax=None, title: str | None = None, mark_rate: float | None = None):
    """Draw ROC curves ``{label: (inlier_scores, outlier_scores)}`` with their AUC in the legend.

    ``mark_rate`` draws a dotted vertical line at that false-alarm rate. Returns the axes.
    """
    import matplotlib.pyplot as plt

    if not curves:
        raise ValueError("curves is empty; expected {label: (inlier_scores, outlier_scores)}")
    if ax is None:
        _, ax = plt.subplots(figsize=(4, 4))
    for label, (s_in, s_out) in curves.items():
        fpr, tpr, _ = roc_curve(s_in, s_out)
        ax.plot(fpr, tpr, label=f"{label} (AUC {auc(s_in, s_out):.3f})")
    ax.plot([0, 1], [0, 1], color="grey", lw=0.8, ls="--", label="chance (AUC 0.5)")
    if mark_rate is not None:
        ax.axvline(mark_rate, color="black", lw=0.8, ls=":")
    ax.set_xlabel("false-alarm rate (inliers flagged)")
    ax.set_ylabel("detection rate (outliers flagged)")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.01)
    ax.legend(fontsize=7, loc="lower right")
    if title:
        ax.set_title(title, fontsize=9)
    return ax
