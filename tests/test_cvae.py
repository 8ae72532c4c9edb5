"""Tests of utils.cvae: the conditional VAE, the beta-weighted VAE, their evaluation and widgets."""

from __future__ import annotations

import numpy as np
import pytest

from utils.runtime import quiet_tensorflow

tf = quiet_tensorflow()
import keras  # noqa: E402

from loss_terms import assert_loss_terms  # noqa: E402
from utils.cvae import (BetaVAE, ConditionalVAE, active_units, build_beta_vae, build_cvae,  # noqa: E402
                        decode_conditional, elbo_terms, encoder_means, evaluate_conditional_elbo,
                        kl_per_unit, manifold, one_hot, prior_samples, train_beta_vae,
                        train_cvae)
from utils.vae import binarize, build_decoder, build_encoder, evaluate_elbo, kl_divergence  # noqa: E402


def _images(n: int, seed: int = 0) -> np.ndarray:
    return binarize(np.random.default_rng(seed).random((n, 28, 28, 1), dtype=np.float32))


# ---------------------------------------------------------------- shapes
def test_one_hot():
    np.testing.assert_array_equal(one_hot([2, 0], 3), [[0, 0, 1], [1, 0, 0]])
    assert one_hot(np.arange(10)).dtype == np.float32


def test_shapes_of_the_conditional_model():
    model = build_cvae(3, seed=0)
    x, y = _images(5), one_hot([0, 1, 2, 3, 9])
    mu, log_var = model.encoder([x, y])
    assert mu.shape == log_var.shape == (5, 3)
    assert model.decoder([np.zeros((5, 3), np.float32), y]).shape == (5, 28, 28, 1)
    logits, mu2, _ = model([x, y])
    assert logits.shape == (5, 28, 28, 1) and mu2.shape == (5, 3)
    assert decode_conditional(model.decoder, np.zeros(3), range(10)).shape == (10, 28, 28)


def test_shapes_of_the_beta_model_and_helpers():
    model = build_beta_vae(4, beta=2.0, seed=0)
    logits, mu, _ = model(_images(3))
    assert logits.shape == (3, 28, 28, 1) and mu.shape == (3, 4) and model.beta == 2.0
    assert prior_samples(model.decoder, 6, seed=1).shape == (6, 28, 28)
    canvas = manifold(model.decoder, units=(1, 3), n_grid=5)
    assert canvas.shape == (140, 140) and 0 < canvas.min() and canvas.max() < 1


# ---------------------------------------------------------------- the conditional KL and ELBO reduce to 04's
def _label_blind_copies(p: int):
    """04's encoder and decoder, and conditional ones with the same weights and zero weights on y."""
    keras.utils.set_random_seed(1)
    enc, dec = build_encoder(p), build_decoder(p)
    cenc, cdec = build_encoder(p, n_classes=10), build_decoder(p, n_classes=10)
    for plain, cond in ((enc, cenc), (dec, cdec)):
        plain_layers = [layer for layer in plain.layers if layer.weights]
        cond_layers = [layer for layer in cond.layers if layer.weights]
        assert len(plain_layers) == len(cond_layers)
        for a, b in zip(plain_layers, cond_layers):
            weights = [np.asarray(w) for w in a.get_weights()]
            target = b.get_weights()
            if target[0].shape != weights[0].shape:       # the Dense layer that also reads y
                kernel = np.zeros_like(target[0])
                kernel[: weights[0].shape[0]] = weights[0]  # y's rows stay zero: the label is ignored
                weights[0] = kernel
            b.set_weights(weights)
    return enc, dec, cenc, cdec


def test_conditional_kl_equals_the_kl_of_04_when_the_label_is_ignored():
    enc, _, cenc, _ = _label_blind_copies(3)
    x = _images(50, seed=2)
    labels = np.random.default_rng(3).integers(0, 10, 50)
    mu, log_var = (np.asarray(a) for a in enc(x))
    cmu, clog_var = (np.asarray(a) for a in cenc([x, one_hot(labels)]))
    np.testing.assert_allclose(kl_divergence(cmu, clog_var), kl_divergence(mu, log_var), rtol=1e-5)
    assert np.all(kl_divergence(mu, log_var) > 0)
    # and the label weights matter once they are not zero
    k = cenc.get_layer(index=[i for i, layer in enumerate(cenc.layers) if layer.name.startswith("dense")][0])
    w = k.get_weights()
    w[0][-10:] = np.random.default_rng(4).normal(size=w[0][-10:].shape)
    k.set_weights(w)
    cmu2, _ = (np.asarray(a) for a in cenc([x, one_hot(labels)]))
    assert np.max(np.abs(cmu2 - mu)) > 1e-3


def test_conditional_elbo_equals_the_elbo_of_04_when_the_label_is_ignored():
    enc, dec, cenc, cdec = _label_blind_copies(2)
    x = _images(40, seed=5)
    labels = np.random.default_rng(6).integers(0, 10, 40)
    elbo_04 = evaluate_elbo(enc, dec, x, n_samples=2, batch_size=16, seed=7)
    elbo_05 = evaluate_conditional_elbo(cenc, cdec, x, labels, n_samples=2, batch_size=16, seed=7)
    np.testing.assert_allclose(elbo_05, elbo_04, rtol=1e-5)
    distortion, rate = elbo_terms(enc, dec, x, n_samples=2, batch_size=16, seed=7)
    np.testing.assert_allclose(-(distortion + rate), elbo_04, rtol=1e-10)
    assert np.all(rate > 0) and np.all(distortion > 0)


# ---------------------------------------------------------------- active units and the KL of each unit
def test_active_units_counts_units_whose_mean_varies():
    rng = np.random.default_rng(0)
    mu = np.column_stack([rng.normal(0, 1.0, 5000), rng.normal(0, 0.05, 5000), rng.normal(3, 0.2, 5000)])
    count, variances = active_units(mu)            # variances about 1, 0.0025, 0.04
    assert count == 2
    np.testing.assert_allclose(variances, [1.0, 0.0025, 0.04], rtol=0.1)
    assert active_units(mu, threshold=0.05)[0] == 1


def test_kl_per_unit_sums_to_the_mean_rate():
    model = build_beta_vae(5, beta=1.0, seed=0)
    x = _images(30, seed=8)
    per_unit = kl_per_unit(model.encoder, x, batch_size=7)
    _, rate = elbo_terms(model.encoder, model.decoder, x)
    assert per_unit.shape == (5,) and np.all(per_unit >= 0)
    np.testing.assert_allclose(per_unit.sum(), rate.mean(), rtol=1e-6)
    mu = encoder_means(model.encoder, x, batch_size=7)
    np.testing.assert_allclose(mu, np.asarray(model.encoder(x)[0]), rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------- trained models on real MNIST
@pytest.fixture(scope="module")
def mnist_small():
    from utils.data import load_dataset

    (x_train, y_train), (x_test, y_test) = load_dataset("mnist")
    return binarize(x_train[:6000]), y_train[:6000], binarize(x_test[:500]), y_test[:500]


@pytest.fixture(scope="module")
def trained_cvae(mnist_small):
    x, y, _, _ = mnist_small
    return train_cvae(2, x, y, epochs=3, seed=0)


def test_trained_cvae_reports_its_loss_terms_and_learns(trained_cvae):
    h = trained_cvae.history
    assert_loss_terms(h)
    assert isinstance(trained_cvae.model, ConditionalVAE)
    assert trained_cvae.settings["latent_size"] == 2 and trained_cvae.settings["epochs"] == 3


def test_trained_cvae_uses_the_label(trained_cvae, mnist_small):
    _, _, x_test, y_test = mnist_small
    m = trained_cvae.model
    right = evaluate_conditional_elbo(m.encoder, m.decoder, x_test, y_test, seed=0)
    wrong = evaluate_conditional_elbo(m.encoder, m.decoder, x_test, (y_test + 1) % 10, seed=0)
    assert right.shape == (len(x_test),) and np.all(np.isfinite(right))
    assert -250 < right.mean() < -60
    assert right.mean() > wrong.mean() + 5          # the true digit explains the image better
    digits = decode_conditional(m.decoder, np.zeros(2), range(10))
    # ten different images from one z: no two digits decode to (nearly) the same image
    gaps = [np.abs(digits[i] - digits[j]).mean() for i in range(10) for j in range(i + 1, 10)]
    assert min(gaps) > 0.005


def test_trained_beta_vae_weights_the_inference_loss(mnist_small):
    x, _, x_test, _ = mnist_small
    r = train_beta_vae(4, x[:3000], beta=4.0, epochs=2, seed=0)
    h = r.history
    for loss, rec, kl in zip(h["loss"], h["reconstruction"], h["kl"]):
        assert loss == pytest.approx(rec + 4.0 * kl, rel=1e-4)
    assert isinstance(r.model, BetaVAE) and r.settings["beta"] == 4.0
    distortion, rate = elbo_terms(r.model.encoder, r.model.decoder, x_test, seed=1)
    elbo = evaluate_elbo(r.model.encoder, r.model.decoder, x_test, seed=1)
    np.testing.assert_allclose(-(distortion + rate), elbo, rtol=1e-10)   # ELBO at weight 1


# ---------------------------------------------------------------- bad input
def test_bad_inputs_raise_clear_errors():
    with pytest.raises(ValueError, match=r"labels run from 0 to 10; expected 0..9"):
        one_hot([0, 10])
    with pytest.raises(ValueError, match=r"labels has shape \(2, 3\)"):
        one_hot(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="non-integer"):
        one_hot([0.5])
    with pytest.raises(ValueError, match="latent_size is 0"):
        build_cvae(0)
    with pytest.raises(ValueError, match="beta is -1"):
        build_beta_vae(2, beta=-1)
    with pytest.raises(TypeError, match="beta is 'big'"):
        train_beta_vae(2, _images(8), beta="big")
    model = build_cvae(2, seed=0)
    with pytest.raises(ValueError, match=r"expected a pair \[images, one-hot labels\]"):
        model(_images(2))
    with pytest.raises(ValueError, match="encoder gives a 2-dimensional z but the decoder takes 3"):
        ConditionalVAE(build_encoder(2, n_classes=10), build_decoder(3, n_classes=10))
    x = _images(8)
    with pytest.raises(ValueError, match="8 images but 7 labels"):
        train_cvae(2, x, np.zeros(7, int), epochs=1)
    bad = x.copy()
    bad[0, 0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="x holds 1 NaN or infinite pixel value"):
        train_cvae(2, bad, np.zeros(8, int), epochs=1)
    with pytest.raises(ValueError, match="labels is None"):
        evaluate_conditional_elbo(model.encoder, model.decoder, x, None)
    with pytest.raises(ValueError, match=r"z has shape \(3,\)"):
        decode_conditional(model.decoder, np.zeros(3), [1])
    with pytest.raises(ValueError, match=r"mu has shape \(1, 4\)"):
        active_units(np.zeros((1, 4)))
    with pytest.raises(ValueError, match=r"units is \(0, 0\)"):
        manifold(build_decoder(2), units=(0, 0))
