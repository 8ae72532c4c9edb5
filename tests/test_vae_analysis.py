"""Tests of utils.vae_analysis: the rate split, the nearest-neighbour label check, active units by threshold."""

from __future__ import annotations

import numpy as np
import pytest

from utils.runtime import quiet_tensorflow

quiet_tensorflow()

from utils.vae_analysis import active_unit_counts, encoder_outputs, knn_label_accuracy, rate_split  # noqa: E402


def test_rate_split_is_zero_when_every_posterior_is_the_prior() -> None:
    split = rate_split(np.zeros((50, 3)), np.zeros((50, 3)), n_draws=200)
    assert split.rate == pytest.approx(0.0, abs=1e-12)
    assert split.information == pytest.approx(0.0, abs=1e-12)
    assert split.marginal_kl == pytest.approx(0.0, abs=1e-12)


def test_rate_split_information_reaches_log_n_for_separate_posteriors() -> None:
    rng = np.random.default_rng(0)
    n = 300
    mu = rng.normal(size=(n, 4)) * 3.0
    split = rate_split(mu, np.full((n, 4), -12.0), n_draws=300)
    assert split.information == pytest.approx(np.log(n), abs=1e-6)
    assert split.log_n == pytest.approx(np.log(n))
    assert split.rate == pytest.approx(split.information + split.marginal_kl)
    assert split.marginal_kl > 10                      # narrow spikes are far from N(0, I)


def test_rate_split_matches_a_linear_gaussian_encoder() -> None:
    """x ~ N(0, 1), q(z|x) = N(a x, v): I = 0.5 log((a^2 + v) / v), q_bar = N(0, a^2 + v)."""
    rng = np.random.default_rng(1)
    a, v = 1.0, 0.25
    x = rng.normal(size=(20000, 1))
    split = rate_split(a * x, np.full_like(x, np.log(v)), n_draws=6000, seed=3)
    exact = 0.5 * np.log((a * a + v) / v)
    assert abs(split.information - exact) < 4 * split.information_se + 0.01
    exact_kl = 0.5 * ((a * a + v) - 1 - np.log(a * a + v))
    assert abs(split.marginal_kl - exact_kl) < 4 * split.information_se + 0.01


def test_rate_split_label_information() -> None:
    rng = np.random.default_rng(2)
    n = 600
    labels = rng.integers(0, 3, n)
    far = rate_split(labels[:, None] * 10.0 + rng.normal(size=(n, 2)), np.zeros((n, 2)), labels=labels, n_draws=600)
    assert far.label_information == pytest.approx(np.log(3), abs=0.05)     # z tells the label apart
    mixed = rate_split(rng.normal(size=(n, 2)), np.zeros((n, 2)), labels=labels, n_draws=600)
    assert mixed.label_information < 0.05                                   # z independent of the label
    assert mixed.label_information <= mixed.information + 1e-9
    assert rate_split(np.zeros((n, 2)), np.zeros((n, 2)), n_draws=10).label_information is None


@pytest.mark.parametrize("kwargs, message", [
    (dict(mu=np.zeros((5, 2)), log_var=np.zeros((5, 3))), "same images"),
    (dict(mu=np.zeros((5, 2)), log_var=np.zeros((5, 2)), labels=[0, 1]), "one whole-number label"),
    (dict(mu=np.zeros((5, 2)), log_var=np.zeros((5, 2)), labels=[0, 1, 0.5, 1, 0]), "one whole-number label"),
    (dict(mu=np.zeros((5, 2)), log_var=np.zeros((5, 2)), n_draws=1), "n_draws"),
    (dict(mu=np.full((5, 2), np.nan), log_var=np.zeros((5, 2))), "NaN"),
    (dict(mu=np.zeros(5), log_var=np.zeros(5)), "2-D"),
])
def test_rate_split_rejects_bad_input(kwargs, message) -> None:
    with pytest.raises(ValueError, match=message):
        rate_split(**kwargs)


def test_knn_accuracy_on_separate_and_on_uninformative_codes() -> None:
    rng = np.random.default_rng(4)
    ref_labels, labels = rng.integers(0, 4, 2000), rng.integers(0, 4, 1000)
    centres = np.array([[0, 0], [10, 0], [0, 10], [10, 10]], dtype=float)
    ref, codes = centres[ref_labels] + rng.normal(size=(2000, 2)), centres[labels] + rng.normal(size=(1000, 2))
    accuracy, predicted = knn_label_accuracy(ref, ref_labels, codes, labels, k=15)
    assert accuracy.estimate == pytest.approx(1.0) and np.array_equal(predicted, labels)
    noise, _ = knn_label_accuracy(rng.normal(size=(2000, 2)), ref_labels, rng.normal(size=(1000, 2)), labels, k=15)
    assert noise.low < 0.25 + 0.05 and noise.high > 0.25 - 0.05     # chance, with its Wilson interval
    assert noise.n == 1000 and noise.low <= noise.estimate <= noise.high


@pytest.mark.parametrize("args, message", [
    ((np.zeros((10, 2)), np.zeros(10), np.zeros((5, 3)), np.zeros(5)), "same latent size"),
    ((np.zeros((10, 2)), np.zeros(9), np.zeros((5, 2)), np.zeros(5)), "one label per code"),
    ((np.zeros((10, 2)), -np.ones(10), np.zeros((5, 2)), np.zeros(5)), "negative"),
])
def test_knn_rejects_bad_input(args, message) -> None:
    with pytest.raises(ValueError, match=message):
        knn_label_accuracy(*args)
    with pytest.raises(ValueError, match="k"):
        knn_label_accuracy(np.zeros((10, 2)), np.zeros(10), np.zeros((5, 2)), np.zeros(5), k=11)


def test_active_unit_counts_by_threshold() -> None:
    rows = active_unit_counts([0.5, 0.02, 0.001], [1.0, 0.02, 0.0005], [0.001, 0.01, 0.1, 1.0])
    assert rows[0] == (0.001, 2, 0.02)            # 0.001 itself is not above 0.001
    assert rows[1] == (0.01, 2, 0.02)
    assert rows[2] == (0.1, 1, 1.0)
    assert rows[3][1] == 0 and np.isnan(rows[3][2])
    with pytest.raises(ValueError, match="one of each"):
        active_unit_counts([0.1, 0.2], [0.1], [0.01])
    with pytest.raises(ValueError, match="threshold"):
        active_unit_counts([0.1], [0.1], [-1.0])


def test_encoder_outputs_plain_and_conditional() -> None:
    from utils.cvae import build_cvae
    from utils.vae import build_vae

    x = np.random.default_rng(5).random((7, 28, 28, 1)).astype(np.float32)
    vae = build_vae(3, seed=0)
    mu, log_var = encoder_outputs(vae.encoder, x, batch_size=3)
    expected = [np.asarray(a) for a in vae.encoder(x)]
    assert mu.shape == log_var.shape == (7, 3) and mu.dtype == np.float64
    np.testing.assert_allclose(mu, expected[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(log_var, expected[1], rtol=1e-5, atol=1e-6)
    cvae = build_cvae(2, seed=0)
    mu_c, _ = encoder_outputs(cvae.encoder, x, labels=np.arange(7) % 10)
    assert mu_c.shape == (7, 2)
    with pytest.raises(ValueError, match="labels"):
        encoder_outputs(cvae.encoder, x, labels=np.arange(6))
    with pytest.raises(TypeError):
        encoder_outputs("not a model", x)
