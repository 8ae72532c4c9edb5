"""utils.anomaly: AUC against a brute-force count and scipy's Mann-Whitney U, the paired AUC difference,
the ROC curve, thresholds, bad inputs."""

import numpy as np
import pytest
from scipy import stats

from utils.anomaly import auc, auc_difference, flagged_share, roc_curve, threshold_at_false_alarm
from utils.stats import auc_interval


def brute_force_auc(s_in, s_out):
    s_in, s_out = np.asarray(s_in, float), np.asarray(s_out, float)
    wins = (s_out[:, None] > s_in[None, :]).sum()
    ties = (s_out[:, None] == s_in[None, :]).sum()
    return (wins + 0.5 * ties) / (len(s_in) * len(s_out))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_auc_equals_the_pairwise_count_with_ties(seed):
    rng = np.random.default_rng(seed)
    s_in = rng.integers(0, 12, size=300).astype(float)        # integer scores: many ties
    s_out = rng.integers(3, 15, size=170).astype(float)
    assert auc(s_in, s_out) == pytest.approx(brute_force_auc(s_in, s_out), abs=1e-12)


def test_auc_continuous_scores_and_symmetry():
    rng = np.random.default_rng(3)
    s_in, s_out = rng.normal(0, 1, 500), rng.normal(1, 1, 400)
    a = auc(s_in, s_out)
    assert a == pytest.approx(brute_force_auc(s_in, s_out), abs=1e-12)
    assert auc(s_out, s_in) == pytest.approx(1 - a, abs=1e-12)
    # two normals one sd apart: P(X_out > X_in) = Phi(1 / sqrt 2) = 0.760
    assert a == pytest.approx(0.760, abs=0.04)


@pytest.mark.parametrize("seed", [0, 1])
def test_auc_is_mann_whitney_u_over_the_pairs(seed):
    rng = np.random.default_rng(seed)
    s_in = rng.integers(0, 9, size=120).astype(float)
    s_out = rng.normal(5, 3, size=80).round(1)
    u = stats.mannwhitneyu(s_out, s_in, alternative="two-sided").statistic      # U of the outliers
    assert auc(s_in, s_out) == pytest.approx(u / (len(s_in) * len(s_out)), abs=1e-12)


def brute_force_delong_difference(a_in, a_out, b_in, b_out):
    """DeLong's paired variance written with the pairwise kernel, for a check of the rank form."""
    def comps(s_in, s_out):
        k = (s_out[:, None] > s_in[None, :]) + 0.5 * (s_out[:, None] == s_in[None, :])
        return k.mean(axis=0), k.mean(axis=1)          # per inlier, per outlier
    ia, oa = comps(np.asarray(a_in, float), np.asarray(a_out, float))
    ib, ob = comps(np.asarray(b_in, float), np.asarray(b_out, float))
    var = np.var(oa - ob, ddof=1) / len(oa) + np.var(ia - ib, ddof=1) / len(ia)
    return oa.mean() - ob.mean(), np.sqrt(var)


def test_auc_difference_matches_the_pairwise_form_and_the_single_aucs():
    rng = np.random.default_rng(7)
    x_in, x_out = rng.normal(0, 1, 300), rng.normal(1, 1, 200)
    a_in, a_out = x_in + rng.normal(0, 0.5, 300), x_out + rng.normal(0, 0.5, 200)   # two noisy views
    b_in, b_out = np.round(x_in + rng.normal(0, 1.0, 300)), np.round(x_out + rng.normal(0, 1.0, 200))
    iv = auc_difference(a_in, a_out, b_in, b_out)
    diff, se = brute_force_delong_difference(a_in, a_out, b_in, b_out)
    assert iv.estimate == pytest.approx(auc(a_in, a_out) - auc(b_in, b_out), abs=1e-12)
    assert iv.estimate == pytest.approx(diff, abs=1e-12) and iv.se == pytest.approx(se, rel=1e-9)
    # pairing helps: the paired standard error is below the one of two independent AUCs
    assert iv.se < np.hypot(auc_interval(a_in, a_out).se, auc_interval(b_in, b_out).se)
    same = auc_difference(a_in, a_out, a_in, a_out)
    assert same.estimate == 0 and same.se == 0


def test_auc_difference_covers_in_simulation():
    rng = np.random.default_rng(8)
    hits = 0
    for _ in range(200):
        x_in, x_out = rng.normal(0, 1, 150), rng.normal(1, 1, 100)
        a = (x_in + rng.normal(0, 0.7, 150), x_out + rng.normal(0, 0.7, 100))
        b = (x_in + rng.normal(0, 0.7, 150), x_out + rng.normal(0, 0.7, 100))   # the same score law: true difference 0
        iv = auc_difference(a[0], a[1], b[0], b[1])
        hits += iv.low <= 0 <= iv.high
    assert 0.90 <= hits / 200 <= 0.99


def test_auc_extremes():
    assert auc([1, 2, 3], [4, 5]) == 1.0
    assert auc([4, 5], [1, 2, 3]) == 0.0
    assert auc([2, 2], [2, 2, 2]) == 0.5


def test_roc_curve_area_is_the_auc_and_ends_at_one_one():
    rng = np.random.default_rng(4)
    s_in, s_out = rng.integers(0, 20, 250).astype(float), rng.integers(5, 25, 150).astype(float)
    fpr, tpr, thr = roc_curve(s_in, s_out)
    assert (fpr[0], tpr[0], fpr[-1], tpr[-1]) == (0.0, 0.0, 1.0, 1.0)
    assert np.all(np.diff(fpr) >= 0) and np.all(np.diff(tpr) >= 0) and np.all(np.diff(thr) < 0)
    area = np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2)
    assert area == pytest.approx(brute_force_auc(s_in, s_out), abs=1e-12)
    # each point flags the scores >= its threshold
    i = len(thr) // 2
    assert fpr[i] == pytest.approx(np.mean(s_in >= thr[i])) and tpr[i] == pytest.approx(np.mean(s_out >= thr[i]))


def test_threshold_keeps_the_false_alarm_rate():
    rng = np.random.default_rng(5)
    s_in = rng.normal(size=1000)
    for rate in (0.01, 0.05, 0.2):
        t = threshold_at_false_alarm(s_in, rate)
        assert flagged_share(s_in, t) <= rate
        assert np.mean(s_in >= t) > rate - 1.5 / len(s_in)     # the smallest such threshold
    assert flagged_share([1.0, 2.0, 3.0, 4.0], 2.5) == 0.5


def test_bad_inputs_name_the_argument():
    with pytest.raises(ValueError, match=r"inlier_scores has shape \(0,\)"):
        auc([], [1.0])
    with pytest.raises(ValueError, match="outlier_scores.*NaN"):
        auc([1.0], [np.nan])
    with pytest.raises(ValueError, match="expected a 1-D array"):
        roc_curve(np.zeros((2, 2)), [1.0])
    with pytest.raises(ValueError, match="rate is 1.5"):
        threshold_at_false_alarm([1.0, 2.0], 1.5)
    with pytest.raises(ValueError, match="threshold is nan"):
        flagged_share([1.0], float("nan"))


@pytest.mark.parametrize("bad", ["0.05", None, np.array([0.05]), [0.05]])
def test_rate_and_threshold_must_be_one_number(bad):
    with pytest.raises(TypeError, match="rate is .*expected a number"):
        threshold_at_false_alarm([1.0, 2.0, 3.0], bad)
    with pytest.raises(TypeError, match="threshold is .*expected a number"):
        flagged_share([1.0, 2.0, 3.0], bad)


def test_complex_scores_are_refused_not_cut_to_their_real_part():
    with pytest.raises(TypeError, match="outlier_scores has dtype complex128"):
        auc([1.0, 2.0], np.array([1.0 + 2j, 3.0]))
    with pytest.raises(TypeError, match="inlier_scores has dtype complex128"):
        roc_curve(np.array([1j, 2.0]), [1.0])
    with pytest.raises(ValueError, match="same images"):
        auc_difference([1.0, 2.0], [3.0, 4.0], [1.0, 2.0, 3.0], [3.0, 4.0])
    assert threshold_at_false_alarm([1.0, 2.0, 3.0], np.float32(0.5)) == 2.0
    assert flagged_share([1.0, 2.0, 3.0], np.int64(1)) == pytest.approx(2 / 3)
