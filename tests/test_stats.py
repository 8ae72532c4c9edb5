"""utils.stats: intervals against direct formulas and scipy, coverage in simulation, bad inputs."""

import numpy as np
import pytest
from scipy import stats as st

from utils.anomaly import auc
from utils.stats import (auc_interval, binomial_interval, mean_interval, paired_difference, ratio_of_means,
                         seed_summary)


def test_mean_interval_is_the_t_interval():
    x = np.array([1.0, 2.0, 4.0, 7.0])
    iv = mean_interval(x)
    lo, hi = st.t.interval(0.95, df=3, loc=x.mean(), scale=st.sem(x))
    assert iv.estimate == pytest.approx(3.5)
    assert (iv.low, iv.high) == pytest.approx((lo, hi))
    assert iv.n == 4 and iv.format(1) == f"3.5 [{lo:.1f}, {hi:.1f}]"


def test_paired_difference_is_narrower_than_two_separate_intervals():
    rng = np.random.default_rng(0)
    base = rng.gamma(2.0, 5.0, 2000)                  # image difficulty, shared by both methods
    a, b = base * 0.9 + rng.normal(0, 0.3, 2000), base
    d = paired_difference(a, b)
    assert d.estimate == pytest.approx(np.mean(a - b))
    assert d.high < 0 and d.excludes_zero
    assert d.high - d.low < 0.2 * (mean_interval(a).high - mean_interval(a).low)


def test_ratio_of_means_covers_the_truth_about_95_percent():
    rng = np.random.default_rng(1)
    hits = 0
    for _ in range(400):
        b = rng.gamma(3.0, 2.0, 300)
        a = 0.5 * b * rng.gamma(20.0, 1 / 20.0, 300)   # E[a] / E[b] = 0.5
        iv = ratio_of_means(a, b)
        hits += iv.low <= 0.5 <= iv.high
    assert 0.92 <= hits / 400 <= 0.98
    assert ratio_of_means([2.0, 4.0], [4.0, 8.0]).estimate == pytest.approx(0.5)


def test_auc_interval_matches_auc_and_covers_in_simulation():
    rng = np.random.default_rng(2)
    s_in, s_out = rng.integers(0, 8, 300).astype(float), rng.integers(2, 10, 200).astype(float)  # ties
    iv = auc_interval(s_in, s_out)
    assert iv.estimate == pytest.approx(auc(s_in, s_out), abs=1e-12)
    # DeLong's variance equals the variance of the U statistic's Hoeffding projection: compare with a
    # large simulation of the same design (normal scores one sd apart, true AUC Phi(1/sqrt 2))
    truth = st.norm.cdf(1 / np.sqrt(2))
    hits, ses, aucs = 0, [], []
    for _ in range(300):
        a, b = rng.normal(0, 1, 150), rng.normal(1, 1, 100)
        iv = auc_interval(a, b)
        hits += iv.low <= truth <= iv.high
        ses.append(iv.se)
        aucs.append(iv.estimate)
    assert 0.91 <= hits / 300 <= 0.98
    assert np.mean(ses) == pytest.approx(np.std(aucs), rel=0.15)


def test_auc_interval_is_clipped_to_the_unit_interval():
    iv = auc_interval([0.0, 0.1, 0.2], [5.0, 6.0, 7.0])
    assert iv.estimate == 1.0 and iv.high == 1.0 and iv.low <= 1.0


def test_binomial_interval_is_wilson():
    iv = binomial_interval(40, 1000)
    ci = st.binomtest(40, 1000).proportion_ci(method="wilson")
    assert iv.estimate == pytest.approx(0.04)
    assert (iv.low, iv.high) == pytest.approx((ci.low, ci.high))
    assert binomial_interval(0, 10).low == 0.0


def test_seed_summary():
    s = seed_summary([0.30, 0.32, 0.31])
    assert s.mean == pytest.approx(0.31) and s.sd == pytest.approx(0.01) and s.n == 3
    assert s.format(2) == "0.31 ± 0.01 (3 seeds)"


@pytest.mark.parametrize("call, match", [
    (lambda: mean_interval([1.0]), "values"),
    (lambda: mean_interval([1.0, np.nan]), "values"),
    (lambda: paired_difference([1.0, 2.0], [1.0, 2.0, 3.0]), "one value per test image"),
    (lambda: ratio_of_means([-1.0, -2.0], [1.0, 2.0]), "positive means"),
    (lambda: mean_interval([1.0, 2.0], confidence=1.0), "strictly between 0 and 1"),
    (lambda: binomial_interval(11, 10), "k"),
    (lambda: binomial_interval(2.5, 10), "k"),
    (lambda: auc_interval([1.0], [2.0, 3.0]), "inlier_scores"),
    (lambda: seed_summary([0.3]), "values"),
])
def test_bad_inputs_name_the_argument(call, match):
    with pytest.raises((TypeError, ValueError), match=match):
        call()
