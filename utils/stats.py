"""Uncertainty of the comparisons the lessons draw: intervals from the test images, spread over seeds.

Every lesson that compares two methods uses these (notebook 02 introduces them, beside the
test-error table of the autoencoder and PCA). Two different kinds of uncertainty:

- **Test-set sampling.** The 10,000 test images are a sample; another sample would give
  other means. :func:`mean_interval`, :func:`paired_difference`, :func:`ratio_of_means`,
  :func:`auc_interval` and :func:`binomial_interval` give 95 % intervals for that. They say
  nothing about training randomness: the trained models are held fixed.
- **Training randomness.** A recipe trained again from another seed gives another model.
  :func:`seed_summary` reports the mean and spread of a result over a few seeds.

The intervals are computed with ``scipy.stats`` (Student t quantiles, ``binomtest``); the AUC's
standard error is DeLong's (1988), from the ranks of the scores.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats as _st

from utils.validation import check_array, check_int, check_number

__all__ = ["Interval", "mean_interval", "paired_difference", "ratio_of_means", "auc_interval",
           "binomial_interval", "seed_summary", "SeedSummary"]


@dataclass(frozen=True)
class Interval:
    """An estimate with its standard error and a confidence interval ``[low, high]``."""

    estimate: float
    se: float
    low: float
    high: float
    n: int
    confidence: float = 0.95

    def __str__(self) -> str:
        return self.format()

    def format(self, digits: int = 3) -> str:
        """``'0.355 [0.351, 0.359]'``: the estimate and its interval, ``digits`` decimals."""
        return f"{self.estimate:.{digits}f} [{self.low:.{digits}f}, {self.high:.{digits}f}]"

    @property
    def excludes_zero(self) -> bool:
        """True when the whole interval lies on one side of 0."""
        return self.low > 0 or self.high < 0


def _values(values, name: str, min_len: int = 2) -> np.ndarray:
    return check_array(values, name, ndim=1, min_len=min_len, dtype=np.float64)


def _paired(a, b) -> tuple[np.ndarray, np.ndarray]:
    """Two finite 1-d arrays of the same length n >= 2: each test image's value under two methods."""
    a, b = _values(a, "a"), _values(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"a has {len(a)} values and b has {len(b)}; expected one value per test image "
                         "for both, the same images in the same order")
    return a, b


def _confidence(confidence) -> float:
    c = check_number(confidence, "confidence", minimum=0.0, maximum=1.0)
    if not 0.0 < c < 1.0:
        raise ValueError(f"confidence is {c:g}; expected a level strictly between 0 and 1, e.g. 0.95")
    return c


def mean_interval(values, confidence: float = 0.95) -> Interval:
    """Mean of per-image values with a Student-t interval (standard error ``sd / sqrt(n)``).

    Parameters
    ----------
    values : 1-d array of n >= 2 finite numbers, one per test image (e.g. each image's ELBO).
    confidence : level of the interval.

    Raises
    ------
    TypeError, ValueError
        If ``values`` is not a finite 1-d array of at least two numbers.
    """
    a = _values(values, "values")
    c = _confidence(confidence)
    n = len(a)
    mean = float(a.mean())
    se = float(a.std(ddof=1) / np.sqrt(n))
    half = float(_st.t.ppf(0.5 + c / 2, df=n - 1)) * se
    return Interval(mean, se, mean - half, mean + half, n, c)


def paired_difference(a, b, confidence: float = 0.95) -> Interval:
    """Mean of the per-image differences ``a - b``, with a t interval.

    Both methods are scored on the same test images, so the differences of each image's two
    scores are what varies from sample to sample; their spread is usually much smaller than
    either score's, and this interval much narrower than two separate ones.

    Raises
    ------
    TypeError, ValueError
        If ``a`` and ``b`` are not finite 1-d arrays of the same length n >= 2.
    """
    a, b = _paired(a, b)
    return mean_interval(a - b, confidence)


def ratio_of_means(a, b, confidence: float = 0.95) -> Interval:
    """``mean(a) / mean(b)`` for paired per-image values, with a delta-method interval.

    The interval is built on the log scale, ``log mean(a) - log mean(b)``, whose standard error
    comes from the per-image values ``a_i / mean(a) - b_i / mean(b)``, then mapped back; so it
    stays positive and is not symmetric about the ratio.

    Raises
    ------
    TypeError, ValueError
        If ``a`` and ``b`` are not finite, equal-length 1-d arrays with positive means.
    """
    a, b = _paired(a, b)
    ma, mb = float(a.mean()), float(b.mean())
    if ma <= 0 or mb <= 0:
        raise ValueError(f"the means are {ma:g} and {mb:g}; a ratio interval needs positive means "
                         "(e.g. squared errors)")
    c = _confidence(confidence)
    log_terms = a / ma - b / mb          # the influence of each image on log(ma / mb)
    n = len(a)
    se_log = float(log_terms.std(ddof=1) / np.sqrt(n))
    z = float(_st.t.ppf(0.5 + c / 2, df=n - 1))
    ratio = ma / mb
    return Interval(ratio, ratio * se_log, ratio * np.exp(-z * se_log), ratio * np.exp(z * se_log), n, c)


def _placements(s_in: np.ndarray, s_out: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """DeLong's components: each inlier's share of outliers above it, each outlier's share of inliers below it.

    Ties count half; computed from ranks (``scipy.stats.rankdata``).
    """
    m, n = len(s_in), len(s_out)
    both = _st.rankdata(np.concatenate([s_in, s_out]))
    v_out = (both[m:] - _st.rankdata(s_out)) / m
    v_in = 1.0 - (both[:m] - _st.rankdata(s_in)) / n
    return v_in, v_out


def auc_interval(inlier_scores, outlier_scores, confidence: float = 0.95) -> Interval:
    """AUC ``P(S_out > S_in) + P(=)/2`` with DeLong's standard error and a normal interval.

    DeLong, DeLong and Clarke-Pearson (1988): each outlier's share of inliers it beats, and each
    inlier's share of outliers that beat it, are the two samples whose variances make up the
    AUC's variance. The interval is clipped to [0, 1]. It covers the sampling of the test images
    (both groups), not the training of the model that made the scores.

    Raises
    ------
    TypeError, ValueError
        If either score array is not a finite 1-d array of at least two numbers.
    """
    s_in = _values(inlier_scores, "inlier_scores")
    s_out = _values(outlier_scores, "outlier_scores")
    c = _confidence(confidence)
    m, n = len(s_in), len(s_out)
    v_in, v_out = _placements(s_in, s_out)
    area = float(v_out.mean())
    se = float(np.sqrt(v_out.var(ddof=1) / n + v_in.var(ddof=1) / m))
    z = float(_st.norm.ppf(0.5 + c / 2))
    return Interval(area, se, max(0.0, area - z * se), min(1.0, area + z * se), m + n, c)


def binomial_interval(k: int, n: int, confidence: float = 0.95) -> Interval:
    """Share ``k / n`` with the Wilson score interval (``scipy.stats.binomtest``).

    For rates such as the false-alarm rate: k flagged among n images. The standard error
    given is ``sqrt(p (1 - p) / n)``.

    Raises
    ------
    TypeError, ValueError
        If ``k`` and ``n`` are not whole numbers with ``0 <= k <= n`` and ``n >= 1``.
    """
    n = check_int(n, "n", minimum=1)
    k = check_int(k, "k", minimum=0, maximum=n)
    c = _confidence(confidence)
    ci = _st.binomtest(k, n).proportion_ci(confidence_level=c, method="wilson")
    p = k / n
    return Interval(p, float(np.sqrt(p * (1 - p) / n)), float(ci.low), float(ci.high), n, c)


@dataclass(frozen=True)
class SeedSummary:
    """A result over several training seeds: each seed's value, their mean and standard deviation."""

    values: tuple
    mean: float
    sd: float

    @property
    def n(self) -> int:
        return len(self.values)

    def format(self, digits: int = 3) -> str:
        """``'0.355 ± 0.004 (3 seeds)'``: mean ± standard deviation over the seeds."""
        return f"{self.mean:.{digits}f} ± {self.sd:.{digits}f} ({self.n} seeds)"

    def __str__(self) -> str:
        return self.format()


def seed_summary(values) -> SeedSummary:
    """Mean and standard deviation (n - 1 in the denominator) of one result over training seeds.

    Raises
    ------
    TypeError, ValueError
        If ``values`` is not a finite 1-d array of at least two numbers (one per seed).
    """
    a = _values(values, "values")
    return SeedSummary(tuple(float(v) for v in a), float(a.mean()), float(a.std(ddof=1)))
