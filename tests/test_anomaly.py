"""utils.anomaly: AUC against a brute-force count over every pair, the ROC curve, thresholds, bad inputs."""

import numpy as np
import pytest

from utils.anomaly import auc, flagged_share, roc_curve, threshold_at_false_alarm


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
    with pytest.raises(ValueError, match="inlier_scores.*non-empty"):
        auc([], [1.0])
    with pytest.raises(ValueError, match="outlier_scores.*NaN"):
        auc([1.0], [np.nan])
    with pytest.raises(ValueError, match="expected a non-empty 1-d"):
        roc_curve(np.zeros((2, 2)), [1.0])
    with pytest.raises(ValueError, match="rate is 1.5"):
        threshold_at_false_alarm([1.0, 2.0], 1.5)
    with pytest.raises(ValueError, match="threshold is nan"):
        flagged_share([1.0], float("nan"))
