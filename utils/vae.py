"""The variational autoencoder: KL term, reparameterization layer, model, ELBO and log p(x).

Notebook 04 (``04_variational_autoencoder.ipynb``) introduces everything here;
it writes :class:`Sampling` and the KL term out inline first, and
``tests/test_inline_twins.py`` checks that those inline versions and this
module agree.

Notation of the course: the encoder gives the approximate posterior
``q_phi(z|x) = N(mu(x), diag sigma^2(x))`` through ``mu`` and
``log_var = log sigma^2``; the prior is ``p(z) = N(0, I)``; the decoder gives
Bernoulli logits for ``p_theta(x|z)``, one per pixel.

- :func:`kl_divergence` -- ``KL(q_phi(z|x) || N(0, I))`` in closed form, one value per example.
- :class:`Sampling` -- ``z = mu + sigma * epsilon`` with ``epsilon ~ N(0, I)``.
- :func:`build_encoder`, :func:`build_decoder`, :class:`VAE`, :func:`build_vae` -- the model;
  its loss is reconstruction (summed over pixels) + KL, both tracked as metrics.
- :func:`evaluate_elbo` -- the ELBO of each image (closed-form KL, Monte Carlo reconstruction).
- :func:`importance_sampled_log_likelihood` -- ``log p(x)`` by importance sampling with
  ``k`` draws from ``q_phi(z|x)``, batched so that memory stays small.
"""

from __future__ import annotations

import math

import keras
import numpy as np
from keras import layers, ops

LOG_2PI = math.log(2.0 * math.pi)


# --------------------------------------------------------------------------- KL and sampling
def _static_shape(a) -> tuple:
    shape = getattr(a, "shape", None)
    if shape is None:
        return np.shape(a)
    return tuple(None if d is None else int(d) for d in shape)


def kl_divergence(mu, log_var):
    """``KL(N(mu, diag exp(log_var)) || N(0, I))`` in closed form, one value per example.

    ``-1/2 * sum_j (1 + log sigma_j^2 - mu_j^2 - sigma_j^2)``, summed over the last axis
    (the latent coordinates j = 1..p).

    Parameters
    ----------
    mu : array or tensor of shape (n, p) (or (p,) for a single example): the means mu(x).
    log_var : same shape as ``mu``: log sigma^2(x).

    Returns
    -------
    numpy array of shape (n,) when both inputs are numpy arrays (or lists),
    otherwise a tensor of shape (n,).

    Raises
    ------
    ValueError
        If the shapes of ``mu`` and ``log_var`` differ, or they are scalars.
    """
    shape_mu, shape_lv = _static_shape(mu), _static_shape(log_var)
    if len(shape_mu) != len(shape_lv) or any(
            a is not None and b is not None and a != b for a, b in zip(shape_mu, shape_lv)):
        raise ValueError(f"mu has shape {shape_mu} but log_var has shape {shape_lv}; "
                         "expected the same shape, (n, p) for n examples in p latent coordinates")
    if len(shape_mu) == 0:
        raise ValueError("mu and log_var are scalars; expected arrays of shape (n, p) or (p,)")
    if isinstance(mu, (np.ndarray, list, tuple)) and isinstance(log_var, (np.ndarray, list, tuple)):
        mu = np.asarray(mu, dtype=np.float64)
        log_var = np.asarray(log_var, dtype=np.float64)
        return -0.5 * np.sum(1.0 + log_var - mu ** 2 - np.exp(log_var), axis=-1)
    return -0.5 * ops.sum(1.0 + log_var - ops.square(mu) - ops.exp(log_var), axis=-1)


@keras.saving.register_keras_serializable(package="ch11")
class Sampling(layers.Layer):
    """The reparameterization ``z = mu + sigma * epsilon``, ``epsilon ~ N(0, I)``.

    Randomness enters only through ``epsilon``, which does not depend on the
    encoder's weights, so gradients flow through ``mu`` and ``sigma`` to the encoder.
    Draws come from a seeded ``keras.random.SeedGenerator``.

    Call it on ``[mu, log_var]`` (both of shape (n, p)); it returns z of shape (n, p).
    """

    def __init__(self, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs):
        mu, log_var = inputs
        epsilon = keras.random.normal(ops.shape(mu), seed=self.seed_generator)
        return mu + ops.exp(0.5 * log_var) * epsilon

    def get_config(self) -> dict:
        return {**super().get_config(), "seed": self.seed}


def bernoulli_log_likelihood(x, logits):
    """``log p_theta(x|z)`` for Bernoulli pixels with the given logits, summed per image.

    ``sum_j [x_j * l_j - softplus(l_j)]`` over every axis but the first: the negative of
    the binary cross-entropy summed over the 784 pixels. Works on tensors and numpy arrays.
    """
    x = ops.cast(x, logits.dtype) if hasattr(logits, "dtype") else x
    per_pixel = x * logits - ops.softplus(logits)
    return ops.sum(ops.reshape(per_pixel, (ops.shape(per_pixel)[0], -1)), axis=-1)


# --------------------------------------------------------------------------- the model
def build_encoder(latent_dim: int, input_shape: tuple = (28, 28, 1), filters: tuple = (8, 16),
                  hidden: int = 128, name: str = "encoder") -> keras.Model:
    """Convolutional encoder x -> (mu(x), log sigma^2(x)).

    Two stride-2 convolutions (28 -> 14 -> 7) with ``filters`` channels, a Dense layer
    of ``hidden`` units, then two linear heads of ``latent_dim`` units each.
    """
    if int(latent_dim) < 1:
        raise ValueError(f"latent_dim is {latent_dim}; expected at least 1")
    x_in = keras.Input(input_shape, name="x")
    h = x_in
    for f in filters:
        h = layers.Conv2D(f, 3, strides=2, padding="same", activation="relu")(h)
    h = layers.Flatten()(h)
    h = layers.Dense(hidden, activation="relu")(h)
    mu = layers.Dense(latent_dim, name="mu")(h)
    log_var = layers.Dense(latent_dim, name="log_var")(h)
    return keras.Model(x_in, [mu, log_var], name=name)


def build_decoder(latent_dim: int, hidden: int = 256, channels: int = 32, final_kernel: int = 2,
                  name: str = "decoder") -> keras.Model:
    """Decoder z -> Bernoulli logits of a 28x28x1 image.

    Dense layers up to a 7x7 grid of ``channels`` maps, then two stride-2 transposed
    convolutions (7 -> 14 -> 28); the last one outputs logits (no activation). Its kernel,
    ``final_kernel`` = 2 by default, equals the stride, so each 14x14 position fills its own
    2x2 block of the output: on a CPU this single-channel layer was the decoder's slowest
    part with a 3x3 kernel, and the decoder's speed sets the cost of the importance-sampling
    estimate (10,000 x k decodes).
    """
    if int(latent_dim) < 1:
        raise ValueError(f"latent_dim is {latent_dim}; expected at least 1")
    z_in = keras.Input((int(latent_dim),), name="z")
    h = layers.Dense(hidden, activation="relu")(z_in)
    h = layers.Dense(7 * 7 * channels, activation="relu")(h)
    h = layers.Reshape((7, 7, channels))(h)
    h = layers.Conv2DTranspose(channels // 2, 3, strides=2, padding="same", activation="relu")(h)
    logits = layers.Conv2DTranspose(1, final_kernel, strides=2, padding="same", name="logits")(h)
    return keras.Model(z_in, logits, name=name)


def latent_size(decoder: keras.Model) -> int:
    """Length of the latent vector the decoder takes (its input's last axis)."""
    shape = decoder.inputs[0].shape if getattr(decoder, "inputs", None) else None
    if shape is None or shape[-1] is None:
        raise ValueError(f"cannot read the latent size of {type(decoder).__name__}; "
                         "expected a built Keras model with input shape (None, p)")
    return int(shape[-1])


@keras.saving.register_keras_serializable(package="ch11")
class VAE(keras.Model):
    """Variational autoencoder: encoder -> :class:`Sampling` -> decoder.

    Calling it on images returns ``(logits, mu, log_var)``. Its loss (``compute_loss``)
    is the negative ELBO per image, averaged over the batch:
    reconstruction ``-log p_theta(x|z)`` (Bernoulli, summed over pixels) plus
    ``KL(q_phi(z|x) || N(0, I))``. The metrics ``loss``, ``reconstruction`` and ``kl``
    are reported separately for every epoch. Compile it with ``loss=None``.

    Parameters
    ----------
    encoder : model x -> [mu, log_var], each (n, p).
    decoder : model z (n, p) -> logits of the images.
    seed : seed of the sampling layer.

    Raises
    ------
    ValueError
        If the encoder's latent size differs from the decoder's input size.
    """

    def __init__(self, encoder: keras.Model, decoder: keras.Model, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        p_enc = int(encoder.outputs[0].shape[-1])
        p_dec = latent_size(decoder)
        if p_enc != p_dec:
            raise ValueError(f"the encoder gives a {p_enc}-dimensional z but the decoder takes "
                             f"{p_dec} dimensions; expected the same latent size")
        self.encoder = encoder
        self.decoder = decoder
        self.latent_dim = p_enc
        self.sampling = Sampling(seed=seed, name="sampling")
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.reconstruction_tracker = keras.metrics.Mean(name="reconstruction")
        self.kl_tracker = keras.metrics.Mean(name="kl")

    def call(self, x, training=False):
        mu, log_var = self.encoder(x, training=training)
        z = self.sampling([mu, log_var])
        return self.decoder(z, training=training), mu, log_var

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        logits, mu, log_var = y_pred
        target = x if y is None else y
        reconstruction = -bernoulli_log_likelihood(target, logits)
        kl = kl_divergence(mu, log_var)
        loss = ops.mean(reconstruction + kl)
        self.loss_tracker.update_state(loss)
        self.reconstruction_tracker.update_state(ops.mean(reconstruction))
        self.kl_tracker.update_state(ops.mean(kl))
        return loss

    @property
    def metrics(self):
        return [self.loss_tracker, self.reconstruction_tracker, self.kl_tracker]


def build_vae(latent_dim: int, seed: int | None = None) -> VAE:
    """The notebook's VAE: :func:`build_encoder` and :func:`build_decoder` with ``latent_dim``."""
    return VAE(build_encoder(latent_dim), build_decoder(latent_dim), seed=seed, name=f"vae_{latent_dim}d")


def binarize(images, threshold: float = 0.5) -> np.ndarray:
    """Pixels above ``threshold`` become 1, the rest 0 (float32)."""
    return (np.asarray(images) > threshold).astype(np.float32)


# --------------------------------------------------------------------------- evaluation
def _check_images(x, name: str = "x") -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    if x.ndim < 2 or len(x) < 1:
        raise ValueError(f"{name} has shape {x.shape}; expected a batch of images, (n, 28, 28, 1)")
    return x


def _check_pair(encoder, decoder) -> int:
    p_enc = int(encoder.outputs[0].shape[-1])
    p_dec = latent_size(decoder)
    if p_enc != p_dec:
        raise ValueError(f"the encoder gives a {p_enc}-dimensional z but the decoder takes "
                         f"{p_dec} dimensions; expected the same latent size")
    return p_enc


def evaluate_elbo(encoder: keras.Model, decoder: keras.Model, x, n_samples: int = 1,
                  batch_size: int = 1000, seed: int = 0) -> np.ndarray:
    """ELBO of each image in nats: ``E_q[log p_theta(x|z)] - KL(q_phi(z|x) || N(0, I))``.

    The expectation is a Monte Carlo average over ``n_samples`` draws of z per image;
    the KL term is the closed form.

    Returns
    -------
    numpy array of shape (n,), float64.

    Raises
    ------
    ValueError
        For ``n_samples`` or ``batch_size`` below 1, images without a batch axis,
        or encoder and decoder of different latent sizes.
    """
    if int(n_samples) < 1:
        raise ValueError(f"n_samples is {n_samples}; expected at least 1")
    if int(batch_size) < 1:
        raise ValueError(f"batch_size is {batch_size}; expected at least 1")
    x = _check_images(x)
    p = _check_pair(encoder, decoder)
    rng = np.random.default_rng(seed)
    out = np.empty(len(x))
    for start in range(0, len(x), int(batch_size)):
        xb = x[start:start + int(batch_size)]
        mu, log_var = (np.asarray(a, dtype=np.float64) for a in encoder(xb, training=False))
        rec = np.zeros(len(xb))
        for _ in range(int(n_samples)):
            z = mu + np.exp(0.5 * log_var) * rng.standard_normal((len(xb), p))
            logits = decoder(z.astype(np.float32), training=False)
            rec += np.asarray(bernoulli_log_likelihood(xb, logits), dtype=np.float64)
        out[start:start + len(xb)] = rec / int(n_samples) - kl_divergence(mu, log_var)
    return out


def _logmeanexp(a: np.ndarray, axis: int = 0) -> np.ndarray:
    m = np.max(a, axis=axis, keepdims=True)
    return np.squeeze(m, axis) + np.log(np.mean(np.exp(a - m), axis=axis))


def importance_sampled_log_likelihood(encoder: keras.Model, decoder: keras.Model, x, k: int = 100,
                                      batch_size: int = 100, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Estimate ``log p_theta(x)`` of each image by importance sampling from ``q_phi(z|x)``.

    With ``z_1..z_k`` drawn from ``q_phi(z|x)`` and weights
    ``w_i = p_theta(x|z_i) p(z_i) / q_phi(z_i|x)``,
    ``log p(x) ~= log (1/k) sum_i w_i``. By Jensen's inequality its expectation lies
    below ``log p(x)`` but above the ELBO ``E_q[log w]``, and it approaches ``log p(x)``
    as k grows. The mean of the same ``log w_i`` is returned too: a k-sample
    estimate of the ELBO.

    Images are processed ``batch_size`` at a time, so ``batch_size * k`` decodes
    (and their logits) are held in memory at once.

    Parameters
    ----------
    encoder, decoder : the VAE's parts (encoder x -> [mu, log_var], decoder z -> logits).
    x : binary images, shape (n, 28, 28, 1).
    k : importance samples per image (at least 1).
    batch_size : images per decoder call group.
    seed : seed of the draws.

    Returns
    -------
    (log_px, elbo) : two numpy arrays of shape (n,), in nats.

    Raises
    ------
    ValueError
        For ``k`` or ``batch_size`` below 1, images without a batch axis,
        or encoder and decoder of different latent sizes.
    """
    if int(k) < 1:
        raise ValueError(f"k is {k}; expected at least 1 importance sample per image")
    if int(batch_size) < 1:
        raise ValueError(f"batch_size is {batch_size}; expected at least 1")
    k = int(k)
    x = _check_images(x)
    p = _check_pair(encoder, decoder)
    rng = np.random.default_rng(seed)
    log_px, elbo = np.empty(len(x)), np.empty(len(x))
    for start in range(0, len(x), int(batch_size)):
        xb = x[start:start + int(batch_size)]
        b = len(xb)
        mu, log_var = (np.asarray(a, dtype=np.float64) for a in encoder(xb, training=False))
        eps = rng.standard_normal((k, b, p))
        z = mu + np.exp(0.5 * log_var) * eps                       # (k, b, p)
        logits = decoder(z.reshape(k * b, p).astype(np.float32), training=False)
        x_rep = np.broadcast_to(xb, (k,) + xb.shape).reshape((k * b,) + xb.shape[1:])
        log_px_z = np.asarray(bernoulli_log_likelihood(x_rep, logits), dtype=np.float64).reshape(k, b)
        log_pz = -0.5 * np.sum(z ** 2, axis=-1) - 0.5 * p * LOG_2PI
        log_qz = -0.5 * np.sum(eps ** 2 + log_var, axis=-1) - 0.5 * p * LOG_2PI
        log_w = log_px_z + log_pz - log_qz                          # (k, b)
        log_px[start:start + b] = _logmeanexp(log_w, axis=0)
        elbo[start:start + b] = log_w.mean(axis=0)
    return log_px, elbo


# --------------------------------------------------------------------------- the training recipe
#: The notebook's recipe for :func:`train_vae`, tuned on 2 CPU cores (about 5 s per epoch on
#: 60,000 images). XLA is off, as in the shared training path: it gave no measurable speed-up
#: and adds compilation time (``benchmarks/RESULTS.md``).
VAE_BATCH_SIZE = 128
VAE_LEARNING_RATE = 3e-3
VAE_EPOCHS = 12          # notebook 04's default run; the benchmarks train with it too
VAE_SEED = 11            # notebook 04's seed


def train_vae(latent_dim: int, x, epochs: int | None = None, seed: int | None = None,
              batch_size: int | None = None, learning_rate: float | None = None,
              jit_compile: bool = False, callbacks: list | None = None):
    """Train :func:`build_vae` on binary images through the series' one training path.

    Sets ``keras.utils.set_random_seed(seed)`` right before the model is built (``seed`` also
    seeds the sampling layer and the shuffling of the batches), then calls
    :func:`utils.training.train_model` with ``loss=None`` (the model's own negative ELBO),
    Adam with warm-up and cosine decay from ``learning_rate``, and ``batch_size`` images per step.
    ``callbacks`` (optional Keras callbacks) are handed to ``fit``.

    Parameters left at None take notebook 04's recipe: :data:`VAE_EPOCHS`, :data:`VAE_SEED`,
    :data:`VAE_BATCH_SIZE`, :data:`VAE_LEARNING_RATE`.

    Returns
    -------
    utils.training.TrainResult
        ``model`` (a :class:`VAE`), ``history`` with ``loss``, ``reconstruction`` and ``kl``
        per epoch, ``seconds`` of training, and ``settings`` (with ``latent_dim``).
    """
    from utils.training import train_model

    x = _check_images(x)
    epochs = VAE_EPOCHS if epochs is None else epochs
    seed = VAE_SEED if seed is None else int(seed)
    batch_size = VAE_BATCH_SIZE if batch_size is None else batch_size
    learning_rate = VAE_LEARNING_RATE if learning_rate is None else learning_rate
    keras.utils.set_random_seed(seed)
    result = train_model(lambda: build_vae(latent_dim, seed=seed), x, None, epochs=epochs,
                         batch_size=batch_size, learning_rate=learning_rate, schedule="cosine", loss=None,
                         jit_compile=jit_compile, callbacks=callbacks, seed=seed)
    result.settings = {"latent_dim": latent_dim, **result.settings}
    return result
