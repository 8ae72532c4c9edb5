"""Anomaly scores and their ROC analysis, for notebook 06 (``06_applications.ipynb``).

Convention: a larger score means "more unusual". An image is flagged when its score
exceeds a threshold ``t``. For inliers (the kind of data the model was trained on)
and outliers:

- false-alarm rate ``FPR(t)`` = share of inliers with score > t;
- detection rate ``TPR(t)`` = share of outliers with score > t.

:func:`roc_curve` traces (FPR, TPR) over every threshold; :func:`auc` is the area under
it, equal to ``P(S_out > S_in) + P(S_out = S_in)/2`` for a random outlier and a random
inlier (the Mann-Whitney statistic divided by the number of pairs), computed here from
ranks. :func:`auc_difference` compares two scores on the same images (DeLong's paired
standard error). :func:`threshold_at_false_alarm` picks ``t`` from inlier scores for a
chosen false-alarm rate.
"""

from __future__ import annotations

import numpy as np
from scipy import stats as _st

from utils.stats import Interval, _confidence, _placements, _values
from utils.validation import check_array, check_number


def _scores(values, name: str) -> np.ndarray:
    return check_array(values, name, ndim=1, dtype=np.float64)   # finite real numbers, at least one


def auc(inlier_scores, outlier_scores) -> float:
    """Area under the ROC curve: ``P(S_out > S_in) + P(S_out = S_in)/2``.

    Computed from the ranks of all scores (``scipy.stats.rankdata``; ties get their mean rank),
    so it costs ``O(n log n)`` rather than a loop over every pair: the rank sum of the outliers
    minus its smallest possible value is the Mann-Whitney ``U``, the number of (inlier, outlier)
    pairs the outlier wins (ties count half). 1 means every outlier scores above every inlier,
    0.5 is a coin toss, below 0.5 means outliers tend to score *lower*.

    Raises
    ------
    TypeError, ValueError
        For empty, non-1-d, complex or non-finite scores.
    """
    s_in = _scores(inlier_scores, "inlier_scores")
    s_out = _scores(outlier_scores, "outlier_scores")
    ranks = _st.rankdata(np.concatenate([s_in, s_out]))
    n_in, n_out = len(s_in), len(s_out)
    u = ranks[n_in:].sum() - n_out * (n_out + 1) / 2.0
    return float(u / (n_in * n_out))


def auc_difference(inliers_a, outliers_a, inliers_b, outliers_b, confidence: float = 0.95) -> Interval:
    """``AUC(a) - AUC(b)`` for two scores of the **same** images, with DeLong's paired interval.

    Both scores rank the same inliers and the same outliers (in the same order), so their
    AUCs are correlated; DeLong, DeLong and Clarke-Pearson (1988) estimate the variance of the
    difference from the per-image components of both AUCs. The interval covers the sampling of
    the test images, not the training of the models that made the scores.

    Raises
    ------
    TypeError, ValueError
        For score arrays that are not finite 1-d arrays of at least two numbers, or when the two
        scores do not cover the same number of inliers and outliers.
    """
    a_in, a_out, b_in, b_out = (_values(inliers_a, "inliers_a"), _values(outliers_a, "outliers_a"),
                                _values(inliers_b, "inliers_b"), _values(outliers_b, "outliers_b"))
    if a_in.shape != b_in.shape or a_out.shape != b_out.shape:
        raise ValueError(f"score a covers {len(a_in)} inliers and {len(a_out)} outliers, score b {len(b_in)} and "
                         f"{len(b_out)}; expected both scores of the same images in the same order")
    c = _confidence(confidence)
    ia, oa = _placements(a_in, a_out)
    ib, ob = _placements(b_in, b_out)
    diff = float(oa.mean() - ob.mean())
    var = np.var(oa - ob, ddof=1) / len(oa) + np.var(ia - ib, ddof=1) / len(ia)
    se = float(np.sqrt(var))
    z = float(_st.norm.ppf(0.5 + c / 2))
    return Interval(diff, se, diff - z * se, diff + z * se, len(a_in) + len(a_out), c)


def roc_curve(inlier_scores, outlier_scores) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ROC curve: false-alarm and detection rates at every distinct threshold.

    Returns
    -------
    (fpr, tpr, thresholds) : arrays of equal length, starting at (0, 0) with threshold +inf;
        point i flags the images whose score is >= ``thresholds[i]``. The curve ends at (1, 1).
        The trapezoid area under it equals :func:`auc`.

    Raises
    ------
    TypeError, ValueError
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
    rate : the false-alarm rate to allow, a number with 0 < rate < 1 (e.g. 0.05).

    Raises
    ------
    TypeError, ValueError
        For ``rate`` that is not a number strictly between 0 and 1, or bad scores.
    """
    s_in = np.sort(_scores(inlier_scores, "inlier_scores"))
    rate = check_number(rate, "rate", minimum=0.0, maximum=1.0)
    if not 0 < rate < 1:
        raise ValueError(f"rate is {rate:g}; expected a false-alarm rate strictly between 0 and 1, e.g. 0.05")
    allowed = int(np.floor(rate * len(s_in)))      # inliers that may lie above t
    return float(s_in[len(s_in) - allowed - 1])


def flagged_share(scores, threshold: float) -> float:
    """Share of ``scores`` above ``threshold``: the false-alarm rate for inliers, the detection rate for outliers.

    Raises
    ------
    TypeError, ValueError
        For bad scores, or a ``threshold`` that is not one finite number.
    """
    s = _scores(scores, "scores")
    threshold = check_number(threshold, "threshold")
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
    ax.set(xlabel="false-alarm rate (inliers flagged)", ylabel="detection rate (outliers flagged)",
           xlim=(0, 1), ylim=(0, 1.01))
    ax.legend(fontsize=7, loc="lower right")
    if title:
        ax.set_title(title, fontsize=9)
    return ax
