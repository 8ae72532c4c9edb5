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
  its loss is reconstruction (summed over pixels) + KL, both tracked as metrics. With ``n_classes``
  the builders make notebook 05's conditional encoder and decoder (:mod:`utils.cvae`).
- :func:`pixel_probabilities` -- decode latent vectors to pixel probabilities (sigmoid of the logits).
- :func:`train_vae` -- notebook 04's training run (recipe in :mod:`utils.recipes`).
- :func:`evaluate_elbo` -- the ELBO of each image (closed-form KL, Monte Carlo reconstruction).
- :func:`importance_sampled_log_likelihood` -- ``log p(x)`` by importance sampling with
  ``k`` draws from ``q_phi(z|x)``, batched so that memory stays small.
"""

from __future__ import annotations

import math
from typing import Sequence

import keras
import numpy as np
from keras import layers, ops

from utils import recipes
from utils.autoencoder import check_architecture
from utils.validation import (check_array, check_images, check_int, check_model, check_probability,
                              check_same_shape, describe, keras_name, static_shape)

LOG_2PI = math.log(2.0 * math.pi)


# --------------------------------------------------------------------------- KL and sampling
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
    TypeError, ValueError
        If the shapes of ``mu`` and ``log_var`` differ, they are scalars, or numpy inputs
        hold NaN or infinite values.
    """
    check_same_shape(mu, log_var, ("mu", "log_var"))
    if len(static_shape(mu)) == 0:
        raise ValueError("mu and log_var are scalars; expected arrays of shape (n, p) or (p,)")
    if isinstance(mu, (np.ndarray, list, tuple)) and isinstance(log_var, (np.ndarray, list, tuple)):
        mu = check_array(mu, "mu", min_len=0, dtype=np.float64)
        log_var = check_array(log_var, "log_var", min_len=0, dtype=np.float64)
        return -0.5 * np.sum(1.0 + log_var - mu ** 2 - np.exp(log_var), axis=-1)
    # tensors (inside training): a common float dtype, that of whichever input is a tensor
    dtype = getattr(mu, "dtype", None) if not isinstance(mu, (np.ndarray, list, tuple)) else log_var.dtype
    mu, log_var = ops.cast(mu, dtype), ops.cast(log_var, dtype)
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

    Raises
    ------
    ValueError
        If ``x`` and ``logits`` have different shapes (nothing is broadcast).
    """
    check_same_shape(x, logits, ("x", "logits"))
    x = ops.cast(x, logits.dtype) if hasattr(logits, "dtype") else x
    per_pixel = x * logits - ops.softplus(logits)
    return ops.sum(ops.reshape(per_pixel, (ops.shape(per_pixel)[0], -1)), axis=-1)


# --------------------------------------------------------------------------- the model
def build_encoder(latent_size: int, widths: Sequence[int] = recipes.VAE_ENCODER_WIDTHS,
                  image_shape: Sequence[int] = (28, 28, 1), hidden: int = recipes.VAE_ENCODER_HIDDEN,
                  name: str = "encoder", n_classes: int | None = None) -> keras.Model:
    """Convolutional encoder x -> (mu(x), log sigma^2(x)).

    Stride-2 convolutions with ``widths`` channels (28 -> 14 -> 7 for two), a Dense layer
    of ``hidden`` units, then two linear heads of ``latent_size`` units each. With ``n_classes``
    it is conditional (notebook 05): it takes ``[x, one-hot y]`` and the label is concatenated to
    the flattened maps before the Dense layer.

    Raises
    ------
    TypeError, ValueError
        As :func:`utils.autoencoder.check_architecture`, ``hidden`` below 1 or ``n_classes`` below 2.
    """
    latent_size, widths, image_shape, _ = check_architecture(latent_size, widths, image_shape)
    hidden = check_int(hidden, "hidden", minimum=1)
    n_classes = None if n_classes is None else check_int(n_classes, "n_classes", minimum=2)
    name = keras_name(name)
    x_in = keras.Input(image_shape, name="x")
    y_in = None if n_classes is None else keras.Input((n_classes,), name="y")
    h = x_in
    for w in widths:
        h = layers.Conv2D(w, 3, strides=2, padding="same", activation="relu")(h)
    h = layers.Flatten()(h)
    if y_in is not None:
        h = layers.Concatenate(name="image_and_label")([h, y_in])
    h = layers.Dense(hidden, activation="relu")(h)
    mu = layers.Dense(latent_size, name="mu")(h)
    log_var = layers.Dense(latent_size, name="log_var")(h)
    return keras.Model(x_in if y_in is None else [x_in, y_in], [mu, log_var], name=name)


def build_decoder(latent_size: int, widths: Sequence[int] = recipes.VAE_DECODER_WIDTHS,
                  image_shape: Sequence[int] = (28, 28, 1), hidden: int = recipes.VAE_DECODER_HIDDEN,
                  final_kernel: int = recipes.VAE_DECODER_FINAL_KERNEL, name: str = "decoder",
                  n_classes: int | None = None) -> keras.Model:
    """Decoder z -> Bernoulli logits of an image (one logit per pixel).

    Dense layers (``hidden`` units, then a 7x7 grid of ``widths[-1]`` maps for 28x28 images),
    then one stride-2 transposed convolution per width, mirrored as in
    :func:`utils.autoencoder.build_decoder` (7 -> 14 -> 28); the last one outputs the
    logits (no activation). Its kernel, ``final_kernel``, equals the stride by default, so
    each 14x14 position fills its own 2x2 block of the output. With ``n_classes`` it is
    conditional (notebook 05): it takes ``[z, one-hot y]`` and its first Dense layer reads both.

    Raises
    ------
    TypeError, ValueError
        As :func:`utils.autoencoder.check_architecture` (widths whose stride-2 layers do not return to
        ``image_shape`` included), ``hidden``/``final_kernel`` below 1 or ``n_classes`` below 2.
    """
    latent_size, widths, image_shape, _ = check_architecture(latent_size, widths, image_shape)
    hidden = check_int(hidden, "hidden", minimum=1)
    final_kernel = check_int(final_kernel, "final_kernel", minimum=1)
    n_classes = None if n_classes is None else check_int(n_classes, "n_classes", minimum=2)
    name = keras_name(name)
    h_img, w_img, c = image_shape
    factor = 2 ** len(widths)
    z_in = keras.Input((latent_size,), name="z")
    y_in = None if n_classes is None else keras.Input((n_classes,), name="y")
    h = z_in if y_in is None else layers.Concatenate(name="code_and_label")([z_in, y_in])
    h = layers.Dense(hidden, activation="relu")(h)
    h = layers.Dense((h_img // factor) * (w_img // factor) * widths[-1], activation="relu")(h)
    h = layers.Reshape((h_img // factor, w_img // factor, widths[-1]))(h)
    for w in reversed(widths[:-1]):
        h = layers.Conv2DTranspose(w, 3, strides=2, padding="same", activation="relu")(h)
    logits = layers.Conv2DTranspose(c, final_kernel, strides=2, padding="same", name="logits")(h)
    return keras.Model(z_in if y_in is None else [z_in, y_in], logits, name=name)


def conditional_classes(model: keras.Model) -> int | None:
    """The number of label classes a conditional encoder or decoder takes (its second input), None if unconditional."""
    inputs = getattr(model, "inputs", None) or []
    return int(inputs[1].shape[-1]) if len(inputs) == 2 else None


def check_condition(model: keras.Model, name: str, conditional: bool, fix: str) -> None:
    """Refuse a conditional model where an unconditional one is expected, or the reverse; ``fix`` says what to do."""
    given = conditional_classes(model) is not None
    if given != conditional:
        what = "[images or z, one-hot labels] (a conditional model, notebook 05)" if given else \
            "its first input only (an unconditional model, notebook 04)"
        raise ValueError(f"{name} takes {what}; {fix}")


def latent_size_of(decoder: keras.Model) -> int:
    """p, the length of the latent vector the decoder takes (its input's last axis).

    Raises
    ------
    TypeError
        If ``decoder`` is not a built Keras model with input shape (None, p).
    """
    shape = decoder.inputs[0].shape if getattr(decoder, "inputs", None) else None
    if shape is None or len(shape) != 2 or shape[-1] is None:
        raise TypeError(f"decoder is {describe(decoder)}; expected a built Keras model with input shape (None, p)")
    return int(shape[-1])


def pixel_probabilities(decoder: keras.Model, z, batch_size: int = 1000) -> np.ndarray:
    """Decode latent vectors to pixel probabilities: the sigmoid of the decoder's logits.

    Parameters
    ----------
    decoder : Keras model z (n, p) -> logits (n, 28, 28, 1).
    z : latent vectors, shape (n, p); a single vector (p,) is read as n = 1.
    batch_size : vectors per decoder call.

    Returns
    -------
    numpy float32 array of shape (n, 28, 28, 1) with values in [0, 1].

    Raises
    ------
    TypeError, ValueError
        For a decoder that is not a Keras model or is conditional, or ``z`` that is not finite or not of length p.
    """
    check_model(decoder, "decoder")
    check_condition(decoder, "decoder", False, "decode with utils.cvae.decode_conditional(decoder, z, digits)")
    p = latent_size_of(decoder)
    z = np.atleast_2d(check_array(z, "z", ndim=(1, 2)))      # a single vector (p,) is one row
    if z.shape[1] != p:
        raise ValueError(f"z has shape {z.shape}; the decoder takes latent vectors of length p = {p}, "
                         f"expected shape (n, {p})")
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    parts = [ops.convert_to_numpy(ops.sigmoid(decoder(z[i:i + batch_size], training=False)))
             for i in range(0, len(z), batch_size)]
    return np.concatenate(parts, axis=0).astype(np.float32)


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
        self.latent_size = _check_pair(encoder, decoder)
        self.encoder = encoder
        self.decoder = decoder
        self.sampling = Sampling(seed=seed, name="sampling")
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.reconstruction_tracker = keras.metrics.Mean(name="reconstruction")
        self.kl_tracker = keras.metrics.Mean(name="kl")

    def call(self, x, training=False):
        mu, log_var = self.encoder(x, training=training)
        z = self.sampling([mu, log_var])
        return self.decoder(z, training=training), mu, log_var

    def _target(self, x, y):
        """The images the reconstruction is scored against (``y`` if given, else ``x``)."""
        return x if y is None else y

    def _inference_loss(self, kl):
        """Term (2) as it enters the loss: ``kl`` itself here (weight 1, the ELBO);
        :class:`utils.cvae.BetaVAE` weights it by ``beta``."""
        return kl

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        logits, mu, log_var = y_pred
        reconstruction = -bernoulli_log_likelihood(self._target(x, y), logits)
        kl = kl_divergence(mu, log_var)
        loss = ops.mean(reconstruction + self._inference_loss(kl))
        self.loss_tracker.update_state(loss)
        self.reconstruction_tracker.update_state(ops.mean(reconstruction))
        self.kl_tracker.update_state(ops.mean(kl))
        return loss

    @property
    def metrics(self):
        return [self.loss_tracker, self.reconstruction_tracker, self.kl_tracker]


def build_vae(latent_size: int, seed: int | None = None) -> VAE:
    """Notebook 04's VAE: :func:`build_encoder` and :func:`build_decoder` with ``latent_size``."""
    latent_size = check_int(latent_size, "latent_size", minimum=1)
    seed = None if seed is None else check_int(seed, "seed", minimum=0)
    return VAE(build_encoder(latent_size), build_decoder(latent_size), seed=seed, name=f"vae_{latent_size}d")


def binarize(images, threshold: float = recipes.VAE_BINARIZE_THRESHOLD) -> np.ndarray:
    """Pixels above ``threshold`` become 1, the rest 0 (float32, same shape).

    ``images`` are float pixels in [0, 1], shaped (n, h, w, c), (n, h, w) or (h, w)
    (:func:`utils.validation.check_images`); ``threshold`` lies in [0, 1].
    """
    threshold = check_probability(threshold, "threshold")
    x = check_images(images, "images", layouts=(2, 3, 4))
    return (x > threshold).astype(np.float32)


# --------------------------------------------------------------------------- evaluation
def _check_pair(encoder, decoder) -> int:
    check_model(encoder, "encoder")
    check_model(decoder, "decoder")
    outputs = getattr(encoder, "outputs", None)
    if not outputs or len(outputs) != 2:
        raise TypeError(f"encoder is {describe(encoder)} with {len(outputs or [])} outputs; "
                        "expected a model x -> [mu, log_var] (two outputs)")
    p_enc = int(outputs[0].shape[-1])
    p_dec = latent_size_of(decoder)
    if p_enc != p_dec:
        raise ValueError(f"the encoder gives a {p_enc}-dimensional z but the decoder takes "
                         f"{p_dec} dimensions; expected the same latent size")
    if conditional_classes(encoder) != conditional_classes(decoder):
        raise ValueError(f"the encoder takes {conditional_classes(encoder) or 'no'} label classes but the decoder "
                         f"{conditional_classes(decoder) or 'none'}; expected the parts of one model")
    return p_enc


def _check_evaluation(encoder, decoder, x, batch_size, seed) -> tuple[int, np.ndarray, int, np.random.Generator]:
    """The estimators' common checks: (latent size p, images x, batch size, random generator)."""
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    rng = np.random.default_rng(check_int(seed, "seed", minimum=0))
    p = _check_pair(encoder, decoder)
    x = check_images(x, "x")
    check_encoder_input(encoder, x)
    return p, x, batch_size, rng


def check_encoder_input(encoder: keras.Model, x: np.ndarray) -> None:
    """ValueError unless the images ``x`` have the shape the encoder (a Keras model) takes after the batch axis."""
    expected = tuple(encoder.inputs[0].shape[1:]) if getattr(encoder, "inputs", None) else tuple(x.shape[1:])
    if tuple(x.shape[1:]) != expected:
        raise ValueError(f"x has shape {x.shape}; the encoder takes images of shape {expected}, "
                         f"expected (n, {', '.join(map(str, expected))})")


def elbo_parts(encoder: keras.Model, decoder: keras.Model, x, y=None, n_samples: int = 1,
               batch_size: int = 1000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Reconstruction loss ``D`` and inference loss ``R`` of each image in nats; the ELBO is ``-(D + R)``.

    ``D = -E_q[log p_theta(x|z)]`` is a Monte Carlo average over ``n_samples`` draws of z per image,
    ``R = KL(q_phi(z|x) || N(0, I))`` the closed form. ``y``: the one-hot label rows (n, classes) of a
    conditional pair (notebook 05, :func:`utils.cvae.elbo_terms`), handed to both parts. Arguments and
    errors as :func:`evaluate_elbo`, which returns ``-(D + R)``.
    """
    n_samples = check_int(n_samples, "n_samples", minimum=1)
    p, x, batch_size, rng = _check_evaluation(encoder, decoder, x, batch_size, seed)
    check_condition(encoder, "encoder", y is not None, "pass the labels too" if y is None else "leave the labels out")
    if y is not None and np.shape(y) != (len(x), conditional_classes(encoder)):
        raise ValueError(f"y has shape {np.shape(y)}; expected one-hot rows ({len(x)}, {conditional_classes(encoder)})")
    distortion, rate = np.empty(len(x)), np.empty(len(x))
    for start in range(0, len(x), batch_size):
        xb = x[start:start + batch_size]
        yb = None if y is None else y[start:start + batch_size]
        mu, log_var = (np.asarray(a, dtype=np.float64) for a in encoder(xb if yb is None else [xb, yb], training=False))
        rec = np.zeros(len(xb))
        for _ in range(n_samples):
            z = (mu + np.exp(0.5 * log_var) * rng.standard_normal((len(xb), p))).astype(np.float32)
            logits = decoder(z if yb is None else [z, yb], training=False)
            rec += np.asarray(bernoulli_log_likelihood(xb, logits), dtype=np.float64)
        distortion[start:start + len(xb)] = -rec / n_samples
        rate[start:start + len(xb)] = kl_divergence(mu, log_var)
    return distortion, rate


def evaluate_elbo(encoder: keras.Model, decoder: keras.Model, x, n_samples: int = 1,
                  batch_size: int = 1000, seed: int = 0) -> np.ndarray:
    """ELBO of each image in nats: ``E_q[log p_theta(x|z)] - KL(q_phi(z|x) || N(0, I))``.

    The expectation is a Monte Carlo average over ``n_samples`` draws of z per image;
    the KL term is the closed form (:func:`elbo_parts` returns the two terms).

    Parameters
    ----------
    encoder, decoder : the VAE's parts (encoder x -> [mu, log_var], decoder z -> logits).
    x : images in [0, 1], shape (n, 28, 28, 1) (binarized for the lecture's Bernoulli model).
    n_samples : draws of z per image (>= 1).
    batch_size : images per encoder call (>= 1).
    seed : seed of the draws.

    Returns
    -------
    numpy array of shape (n,), float64.

    Raises
    ------
    TypeError, ValueError
        For ``n_samples`` or ``batch_size`` below 1, images that are not a batch in [0, 1] of the
        encoder's input shape, encoder and decoder of different latent sizes, or conditional parts.
    """
    distortion, rate = elbo_parts(encoder, decoder, x, None, n_samples, batch_size, seed)
    return -(distortion + rate)


def _logmeanexp(a: np.ndarray, axis: int = 0) -> np.ndarray:
    m = np.max(a, axis=axis, keepdims=True)
    return np.squeeze(m, axis) + np.log(np.mean(np.exp(a - m), axis=axis))


def importance_sampled_log_likelihood(encoder: keras.Model, decoder: keras.Model, x,
                                      k: int = recipes.VAE_IS_SAMPLES, batch_size: int = 100,
                                      seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
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
    x : binary images, shape (n, 28, 28, 1); one image is ``x[None]``.
    k : importance samples per image (at least 1).
    batch_size : images per decoder call group.
    seed : seed of the draws.

    Returns
    -------
    (log_px, elbo) : two numpy arrays of shape (n,), in nats.

    Raises
    ------
    TypeError, ValueError
        As :func:`evaluate_elbo`, and for ``k`` below 1.
    """
    k = check_int(k, "k", minimum=1)
    p, x, batch_size, rng = _check_evaluation(encoder, decoder, x, batch_size, seed)
    check_condition(encoder, "encoder", False, "importance sampling here is for notebook 04's VAE")
    log_px, elbo = np.empty(len(x)), np.empty(len(x))
    for start in range(0, len(x), batch_size):
        xb = x[start:start + batch_size]
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


# --------------------------------------------------------------------------- training
def train_vae_model(build, x, y, settings: dict, *, epochs, seed, batch_size, learning_rate, callbacks,
                    progress, validation_data=None, default_epochs: int, default_seed: int):
    """Train ``build(seed)`` (a model with its own loss) through ``train_model`` with notebook 04's recipe.

    The shared path of :func:`train_vae` and notebook 05's trainers (:mod:`utils.cvae`): arguments
    left at None take ``default_epochs``, ``default_seed``, ``VAE_BATCH_SIZE``, ``VAE_LEARNING_RATE``;
    every argument is checked before ``build`` runs. ``settings`` go first into the result's settings.
    """
    from utils.training import train_model

    seed = default_seed if seed is None else check_int(seed, "seed", minimum=0)
    result = train_model(lambda: build(seed), x, y, epochs=default_epochs if epochs is None else epochs,
                         batch_size=recipes.VAE_BATCH_SIZE if batch_size is None else batch_size,
                         learning_rate=recipes.VAE_LEARNING_RATE if learning_rate is None else learning_rate,
                         schedule=recipes.SCHEDULE, loss=None, validation_data=validation_data,
                         callbacks=callbacks, seed=seed, progress=progress)
    result.settings = {**settings, **result.settings}
    return result


def train_vae(latent_size: int, x, *, epochs: int | None = None, seed: int | None = None,
              callbacks: list | None = None, batch_size: int | None = None,
              learning_rate: float | None = None, validation_data: tuple | None = None,
              progress: bool = True):
    """Train :func:`build_vae` on binary images through the series' one training path.

    The same as ``train_model(lambda: build_vae(latent_size, seed=seed), x, None, loss=None, ...)``
    (:func:`utils.training.train_model`): the model's own negative ELBO, Adam with warm-up and
    cosine decay; ``seed`` seeds the weights, the sampling layer and the shuffling.
    Arguments left at None take notebook 04's recipe (:mod:`utils.recipes`):
    ``VAE_EPOCHS``, ``VAE_SEED``, ``VAE_BATCH_SIZE``, ``VAE_LEARNING_RATE``.

    Parameters
    ----------
    latent_size : p, the length of z.
    x : binarized images (n, 28, 28, 1).
    epochs, seed, callbacks, batch_size, learning_rate, validation_data, progress :
        as in :func:`utils.training.train_model` (``validation_data`` is ``(x_val,)``).

    Returns
    -------
    utils.training.TrainResult
        ``model`` (a :class:`VAE`), ``history`` with ``loss``, ``reconstruction`` and ``kl``
        per epoch, ``seconds`` of training, and ``settings`` (with ``latent_size``).
    """
    latent_size = check_int(latent_size, "latent_size", minimum=1)
    x = check_images(x, "x")
    return train_vae_model(lambda s: build_vae(latent_size, seed=s), x, None, {"latent_size": latent_size},
                           epochs=epochs, seed=seed, batch_size=batch_size, learning_rate=learning_rate,
                           callbacks=callbacks, progress=progress, validation_data=validation_data,
                           default_epochs=recipes.VAE_EPOCHS, default_seed=recipes.VAE_SEED)
