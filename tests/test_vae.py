"""Tests of utils.vae: the closed-form KL, the sampling layer, the model and the log p(x) estimators."""

from __future__ import annotations

import math

import numpy as np
import pytest

from utils.runtime import quiet_tensorflow

tf = quiet_tensorflow()
import keras  # noqa: E402

from loss_terms import assert_loss_terms  # noqa: E402
from utils.vae import (VAE, Sampling, bernoulli_log_likelihood, binarize, build_decoder,  # noqa: E402
                       build_encoder, build_vae, evaluate_elbo, importance_sampled_log_likelihood,
                       kl_divergence, latent_size_of, pixel_probabilities)


# ---------------------------------------------------------------- KL
def test_kl_is_zero_when_q_is_the_prior():
    np.testing.assert_array_equal(kl_divergence(np.zeros((3, 5)), np.zeros((3, 5))), np.zeros(3))
    t = kl_divergence(tf.zeros((2, 4)), tf.zeros((2, 4)))
    np.testing.assert_array_equal(np.asarray(t), np.zeros(2))


def test_kl_hand_computed_one_dimension():
    # mu = 1, sigma^2 = e: -1/2 (1 + 1 - 1 - e) = (e - 1) / 2
    np.testing.assert_allclose(kl_divergence(np.array([[1.0]]), np.array([[1.0]])), [(math.e - 1) / 2])


def test_kl_matches_monte_carlo():
    rng = np.random.default_rng(0)
    mu = np.array([[0.5, -1.0, 2.0], [0.0, 0.3, -0.7]])
    log_var = np.array([[-1.0, 0.5, 0.0], [1.2, -2.0, 0.1]])
    closed = kl_divergence(mu, log_var)
    assert closed.shape == (2,)
    n = 400_000
    for i in range(2):
        sd = np.exp(0.5 * log_var[i])
        eps = rng.standard_normal((n, 3))
        z = mu[i] + sd * eps
        log_q = -0.5 * np.sum(eps ** 2 + log_var[i] + np.log(2 * np.pi), axis=1)
        log_p = -0.5 * np.sum(z ** 2 + np.log(2 * np.pi), axis=1)
        d = log_q - log_p
        se = d.std() / np.sqrt(n)
        assert abs(d.mean() - closed[i]) < 4 * se, (d.mean(), closed[i], se)


def test_kl_numpy_and_tensor_agree():
    rng = np.random.default_rng(1)
    mu, lv = rng.normal(size=(6, 4)).astype(np.float32), rng.normal(size=(6, 4)).astype(np.float32)
    a = kl_divergence(mu, lv)
    b = kl_divergence(tf.constant(mu), tf.constant(lv))
    assert isinstance(a, np.ndarray) and not isinstance(b, np.ndarray)
    np.testing.assert_allclose(np.asarray(b), a, rtol=1e-5)


def test_kl_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match=r"mu has shape \(3, 2\) but log_var has shape \(3, 4\)"):
        kl_divergence(np.zeros((3, 2)), np.zeros((3, 4)))
    with pytest.raises(ValueError, match="same shape"):
        kl_divergence(tf.zeros((2, 2)), tf.zeros((2,)))


# ---------------------------------------------------------------- sampling layer
def test_sampling_mean_and_variance():
    n = 200_000
    mu = np.tile(np.array([[1.0, -2.0]], np.float32), (n, 1))
    log_var = np.tile(np.log(np.array([[0.25, 4.0]], np.float32)), (n, 1))
    z = np.asarray(Sampling(seed=3)([mu, log_var]))
    assert z.shape == (n, 2)
    se = np.sqrt(np.array([0.25, 4.0]) / n)
    assert np.all(np.abs(z.mean(axis=0) - [1.0, -2.0]) < 4 * se), z.mean(axis=0)
    np.testing.assert_allclose(z.var(axis=0), [0.25, 4.0], rtol=0.02)


def test_sampling_is_reproducible_with_a_seed():
    mu, lv = np.zeros((5, 3), np.float32), np.zeros((5, 3), np.float32)
    a = np.asarray(Sampling(seed=7)([mu, lv]))
    b = np.asarray(Sampling(seed=7)([mu, lv]))
    np.testing.assert_array_equal(a, b)


def test_gradient_passes_through_the_reparameterization():
    layer = Sampling(seed=0)
    mu = tf.Variable([[0.5, -1.0]])
    log_var = tf.Variable([[0.0, 0.0]])
    with tf.GradientTape() as tape:
        z = layer([mu, log_var])
        y = tf.reduce_sum(z)
    g_mu, g_lv = tape.gradient(y, [mu, log_var])
    np.testing.assert_allclose(g_mu.numpy(), [[1.0, 1.0]])   # dz/dmu = 1
    eps = (z - mu).numpy()                                      # sigma = 1 here
    np.testing.assert_allclose(g_lv.numpy(), 0.5 * eps, rtol=1e-5)  # dz/dlog_var = sigma * eps / 2


# ---------------------------------------------------------------- likelihood pieces
def test_bernoulli_log_likelihood_by_hand():
    x = np.array([[1.0, 0.0, 1.0]], np.float32)
    logits = tf.constant([[0.0, 2.0, -1.0]])
    p = 1 / (1 + np.exp(-np.array([0.0, 2.0, -1.0])))
    expected = np.log(p[0]) + np.log(1 - p[1]) + np.log(p[2])
    np.testing.assert_allclose(np.asarray(bernoulli_log_likelihood(x, logits)), [expected], rtol=1e-5)


def test_binarize():
    np.testing.assert_array_equal(binarize(np.array([[0.2, 0.5, 0.51, 1.0]])), [[0, 0, 1, 1]])
    np.testing.assert_array_equal(binarize(np.array([[0.2, 0.5]]), threshold=0.1), [[1, 1]])


def test_vae_rejects_mismatched_latent_sizes():
    with pytest.raises(ValueError, match="encoder gives a 2-dimensional z but the decoder takes 3"):
        VAE(build_encoder(2, widths=(4,), hidden=8), build_decoder(3, hidden=8, widths=(2, 4)))


# ---------------------------------------------------------------- a tiny trained model
@pytest.fixture(scope="module")
def tiny_vae():
    from utils.data import load_dataset
    from utils.training import train_model

    (x_train, _), (x_test, _) = load_dataset("mnist")
    x_train, x_test = binarize(x_train[:4000]), binarize(x_test[:300])

    def build():
        return VAE(build_encoder(2, widths=(4, 8), hidden=32),
                   build_decoder(2, hidden=32, widths=(4, 8)), seed=0)

    result = train_model(build, x_train, None, epochs=3, batch_size=128, learning_rate=3e-3, loss=None,
                         seed=0, progress=False)
    return result, x_test


def test_training_reports_reconstruction_and_kl(tiny_vae):
    result, _ = tiny_vae
    h = result.history
    assert_loss_terms(h)


def test_importance_sampling_bounds_the_elbo(tiny_vae):
    result, x = tiny_vae
    m = result.model
    log_px, elbo_k = importance_sampled_log_likelihood(m.encoder, m.decoder, x, k=50, batch_size=64, seed=1)
    assert log_px.shape == elbo_k.shape == (len(x),)
    assert np.all(log_px >= elbo_k - 1e-9)            # log-mean-exp >= mean, image by image
    elbo = evaluate_elbo(m.encoder, m.decoder, x, n_samples=4, seed=2)
    assert log_px.mean() > elbo.mean()               # IS estimate above the ELBO on average
    assert abs(elbo_k.mean() - elbo.mean()) < 3.0    # two estimates of the same ELBO
    assert np.all(log_px < 0)


def test_importance_sampling_with_one_sample_is_the_elbo_sample(tiny_vae):
    result, x = tiny_vae
    m = result.model
    log_px, elbo_k = importance_sampled_log_likelihood(m.encoder, m.decoder, x[:20], k=1, seed=5)
    np.testing.assert_allclose(log_px, elbo_k, rtol=1e-12)


def test_estimators_reject_bad_input(tiny_vae):
    result, x = tiny_vae
    m = result.model
    with pytest.raises(ValueError, match="k is 0; expected an int >= 1"):
        importance_sampled_log_likelihood(m.encoder, m.decoder, x, k=0)
    with pytest.raises(ValueError, match="encoder gives a 2-dimensional z but the decoder takes 3"):
        importance_sampled_log_likelihood(m.encoder, build_decoder(3, hidden=8, widths=(2, 4)), x, k=2)
    with pytest.raises(ValueError, match="n_samples is 0"):
        evaluate_elbo(m.encoder, m.decoder, x, n_samples=0)


def test_train_vae_uses_the_notebook_recipe_and_callbacks():
    from utils.recipes import VAE_BATCH_SIZE, VAE_LEARNING_RATE, VAE_SEED
    from utils.vae import train_vae

    x = binarize(np.random.default_rng(0).random((256, 28, 28, 1), dtype=np.float32))
    ends = []

    class Count(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            ends.append(epoch)

    r = train_vae(2, x, epochs=2, batch_size=64, callbacks=[Count()], progress=False)
    assert ends == [0, 1]
    assert r.settings["latent_size"] == 2 and r.settings["seed"] == VAE_SEED
    assert r.settings["learning_rate"] == VAE_LEARNING_RATE and r.settings["batch_size"] == 64
    assert r.settings["epochs"] == 2 and r.settings["schedule"] == "cosine"
    assert VAE_BATCH_SIZE != 64  # the override above took effect, not the recipe's value
    with pytest.raises(ValueError, match=r"x has shape \(0, 28, 28, 1\); expected at least 1 image"):
        train_vae(2, x[:0])


def test_default_builders_are_the_notebook_architecture():
    vae = build_vae(2, seed=0)
    assert [tuple(l.output.shape[1:]) for l in vae.decoder.layers[1:]] == [
        (256,), (7 * 7 * 32,), (7, 7, 32), (14, 14, 16), (28, 28, 1)]
    assert [tuple(l.output.shape[1:]) for l in vae.encoder.layers[1:4]] == [(14, 14, 8), (7, 7, 16), (7 * 7 * 16,)]
    assert vae.latent_size == latent_size_of(vae.decoder) == 2


def test_pixel_probabilities_is_the_sigmoid_of_the_logits():
    keras.utils.set_random_seed(0)
    dec = build_decoder(2, hidden=8, widths=(2, 4))
    z = np.random.default_rng(0).normal(size=(5, 2)).astype(np.float32)
    probs = pixel_probabilities(dec, z, batch_size=2)
    assert probs.shape == (5, 28, 28, 1) and probs.dtype == np.float32
    np.testing.assert_allclose(probs, 1 / (1 + np.exp(-np.asarray(dec(z)))), rtol=1e-5)
    np.testing.assert_allclose(pixel_probabilities(dec, z[0]), probs[:1], rtol=1e-6)
    with pytest.raises(ValueError, match=r"z has shape \(5, 3\); the decoder takes latent vectors of length p = 2"):
        pixel_probabilities(dec, np.zeros((5, 3)))
