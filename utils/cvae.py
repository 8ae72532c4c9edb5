"""The conditional VAE and the beta-weighted VAE of notebook 05.

Notebook 05 (``05_conditional_and_beta_vae.ipynb``) introduces everything here; it builds
on notebook 04's :mod:`utils.vae` (the KL term, the sampling layer, the encoder and decoder,
the ELBO).

- **Conditional VAE** (Sohn et al. 2015; the conditional form of Kingma et al. 2014's M2):
  the encoder gives ``q_phi(z|x, y) = N(mu(x, y), diag sigma^2(x, y))`` and the decoder
  ``p_theta(x|z, y)``, with the digit label y as a one-hot vector concatenated to the
  encoder's dense input and to the decoder's input z. Its loss is the negative conditional
  ELBO ``-E_q[log p_theta(x|z, y)] + KL(q_phi(z|x, y) || N(0, I))``, a lower bound of
  ``log p_theta(x|y)``. :func:`build_cvae_encoder`, :func:`build_cvae_decoder`,
  :class:`ConditionalVAE`, :func:`build_cvae`, :func:`train_cvae`.
- **Beta-weighted VAE**: notebook 04's architecture with the loss
  ``reconstruction + beta * KL``. :class:`BetaVAE`, :func:`build_beta_vae`, :func:`train_beta_vae`.
- Evaluation: :func:`elbo_terms` (reconstruction loss ``D`` and inference loss ``R`` of each
  image, plain or conditional), :func:`evaluate_conditional_elbo`, :func:`active_units`,
  :func:`kl_per_unit`.
- Widgets: :func:`conditional_explorer` (digit buttons and style sliders over z) and
  :func:`model_switcher` (a selection slider that switches between trained models).

The constants below are notebook 05's recipe; batch size, learning rate and schedule are
notebook 04's (:mod:`utils.recipes`). They move to ``utils.recipes`` at integration.
"""

from __future__ import annotations

from typing import Callable, Sequence

import keras
import numpy as np
from keras import layers

from utils import recipes
from utils.recipes import (ACTIVE_UNIT_THRESHOLD, BETA_EPOCHS, BETA_LATENT_SIZE, BETA_SEED, BETA_VALUES,  # noqa: F401
                           CVAE_EPOCHS, CVAE_LATENT_SIZE, CVAE_SEED, N_CLASSES)
from utils.vae import (VAE, bernoulli_log_likelihood, build_decoder, build_encoder,
                       kl_divergence, latent_size_of, pixel_probabilities)

# --------------------------------------------------------------------------- notebook 05's recipe (the rest is in utils.recipes)
BATCH_SIZE = recipes.VAE_BATCH_SIZE          # as notebook 04
LEARNING_RATE = recipes.VAE_LEARNING_RATE    # as notebook 04


# --------------------------------------------------------------------------- labels
def one_hot(labels, n_classes: int = N_CLASSES) -> np.ndarray:
    """Integer labels (n,) as one-hot rows (n, n_classes), float32.

    Raises
    ------
    ValueError
        If ``labels`` is not a 1-D array of whole numbers in ``0..n_classes-1``.
    """
    a = np.asarray(labels)
    if a.ndim != 1:
        raise ValueError(f"labels has shape {a.shape}; expected a 1-D array of digit labels, shape (n,)")
    if a.size and not np.all(np.equal(np.mod(a, 1), 0)):
        raise ValueError(f"labels holds non-integer values (e.g. {a[np.mod(a, 1) != 0][0]}); "
                         f"expected whole numbers 0..{n_classes - 1}")
    a = a.astype(np.int64)
    if a.size and (a.min() < 0 or a.max() >= n_classes):
        raise ValueError(f"labels run from {a.min()} to {a.max()}; expected 0..{n_classes - 1}")
    return np.eye(n_classes, dtype=np.float32)[a]


def _check_condition(labels, n: int, n_classes: int = N_CLASSES) -> np.ndarray:
    """Labels as one-hot rows: accepts integer labels (n,) or one-hot rows (n, n_classes)."""
    a = np.asarray(labels)
    if a.ndim == 2 and a.shape[1] == n_classes:
        onehot = a.astype(np.float32)
    elif a.ndim == 1:
        onehot = one_hot(a, n_classes)
    else:
        raise ValueError(f"labels has shape {a.shape}; expected digit labels (n,) or one-hot rows "
                         f"(n, {n_classes})")
    if len(onehot) != n:
        raise ValueError(f"{n} images but {len(onehot)} labels; expected one label per image")
    return onehot


def _check_images(x, name: str = "x") -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    if x.ndim != 4 or len(x) < 1:
        raise ValueError(f"{name} has shape {x.shape}; expected a batch of images, (n, 28, 28, 1)")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} holds NaN or infinite values; expected pixel values in [0, 1]")
    return x


# --------------------------------------------------------------------------- conditional VAE
def build_cvae_encoder(latent_size: int, n_classes: int = N_CLASSES,
                       widths: Sequence[int] = recipes.VAE_ENCODER_WIDTHS, hidden: int = recipes.VAE_ENCODER_HIDDEN,
                       image_shape: tuple = (28, 28, 1), name: str = "cvae_encoder") -> keras.Model:
    """Encoder (x, y) -> (mu(x, y), log sigma^2(x, y)).

    Notebook 04's encoder (:func:`utils.vae.build_encoder`): stride-2 convolutions on the
    image, then the one-hot label is concatenated to the flattened maps before the Dense layer
    of ``hidden`` units, then the two linear heads of ``latent_size`` units.
    """
    p = _check_latent_size(latent_size)
    x_in = keras.Input(image_shape, name="x")
    y_in = keras.Input((int(n_classes),), name="y")
    h = x_in
    for w in widths:
        h = layers.Conv2D(int(w), 3, strides=2, padding="same", activation="relu")(h)
    h = layers.Concatenate(name="image_and_label")([layers.Flatten()(h), y_in])
    h = layers.Dense(int(hidden), activation="relu")(h)
    mu = layers.Dense(p, name="mu")(h)
    log_var = layers.Dense(p, name="log_var")(h)
    return keras.Model([x_in, y_in], [mu, log_var], name=name)


def build_cvae_decoder(latent_size: int, n_classes: int = N_CLASSES,
                       widths: Sequence[int] = recipes.VAE_DECODER_WIDTHS, hidden: int = recipes.VAE_DECODER_HIDDEN,
                       final_kernel: int = recipes.VAE_DECODER_FINAL_KERNEL,
                       name: str = "cvae_decoder") -> keras.Model:
    """Decoder (z, y) -> Bernoulli logits of a 28x28x1 image.

    Notebook 04's decoder (:func:`utils.vae.build_decoder`) whose first Dense layer reads
    ``[z, one-hot y]`` instead of z alone.
    """
    p = _check_latent_size(latent_size)
    widths = [int(w) for w in widths]
    factor = 2 ** len(widths)
    z_in = keras.Input((p,), name="z")
    y_in = keras.Input((int(n_classes),), name="y")
    h = layers.Concatenate(name="code_and_label")([z_in, y_in])
    h = layers.Dense(int(hidden), activation="relu")(h)
    h = layers.Dense((28 // factor) * (28 // factor) * widths[-1], activation="relu")(h)
    h = layers.Reshape((28 // factor, 28 // factor, widths[-1]))(h)
    for w in reversed(widths[:-1]):
        h = layers.Conv2DTranspose(w, 3, strides=2, padding="same", activation="relu")(h)
    logits = layers.Conv2DTranspose(1, int(final_kernel), strides=2, padding="same", name="logits")(h)
    return keras.Model([z_in, y_in], logits, name=name)


def _check_latent_size(latent_size) -> int:
    if isinstance(latent_size, bool) or not isinstance(latent_size, (int, np.integer)) or latent_size < 1:
        raise ValueError(f"latent_size is {latent_size!r}; expected a whole number >= 1 "
                         "(p, the length of the latent vector z)")
    return int(latent_size)


def _pair(inputs, what: str = "inputs"):
    if not isinstance(inputs, (list, tuple)) or len(inputs) != 2:
        raise ValueError(f"{what} is {type(inputs).__name__}; expected a pair [images, one-hot labels]: "
                         "the conditional VAE needs the label y next to every image x")
    return inputs[0], inputs[1]


@keras.saving.register_keras_serializable(package="ch11")
class ConditionalVAE(VAE):
    """Conditional VAE: encoder (x, y) -> :class:`~utils.vae.Sampling` -> decoder (z, y).

    Call it on ``[images, one_hot_labels]``; it returns ``(logits, mu, log_var)``. Its loss is
    the negative conditional ELBO per image, averaged over the batch: reconstruction
    ``-log p_theta(x|z, y)`` (Bernoulli, summed over the pixels) plus
    ``KL(q_phi(z|x, y) || N(0, I))``; the metrics ``loss``, ``reconstruction`` and ``kl``
    are reported for every epoch. Compile it with ``loss=None`` and fit it on pairs
    ``(images, one_hot_labels)``, as ``utils.training.train_model(build, images, labels, loss=None)``
    hands them over: :meth:`train_step` passes the pair to the model as its two inputs.

    It is :class:`utils.vae.VAE` with the label fed to the encoder and the decoder; the loss
    and the metrics are the VAE's.

    Raises
    ------
    ValueError
        If the encoder's latent size differs from the decoder's.
    """

    def call(self, inputs, training=False):
        x, y = _pair(inputs)
        mu, log_var = self.encoder([x, y], training=training)
        z = self.sampling([mu, log_var])
        return self.decoder([z, y], training=training), mu, log_var

    def _target(self, x, y):
        images, _ = _pair(x, "x")
        return images

    def train_step(self, data):
        images, labels = _pair(data, "each batch")
        return super().train_step(((images, labels),))

    def test_step(self, data):
        images, labels = _pair(data, "each batch")
        return super().test_step(((images, labels),))


def build_cvae(latent_size: int, seed: int | None = None, n_classes: int = N_CLASSES) -> ConditionalVAE:
    """Notebook 05's conditional VAE, built (called once on a zero batch) and ready to compile."""
    p = _check_latent_size(latent_size)
    model = ConditionalVAE(build_cvae_encoder(p, n_classes), build_cvae_decoder(p, n_classes),
                           seed=seed, name=f"cvae_{p}d")
    model([np.zeros((1, 28, 28, 1), np.float32), np.zeros((1, int(n_classes)), np.float32)])
    return model


# --------------------------------------------------------------------------- beta-weighted VAE
@keras.saving.register_keras_serializable(package="ch11")
class BetaVAE(VAE):
    """Notebook 04's VAE whose inference loss is weighted by ``beta``.

    Loss per image: reconstruction ``-log p_theta(x|z)`` plus ``beta * KL(q_phi(z|x) || N(0, I))``,
    averaged over the batch. ``beta = 1`` is the negative ELBO of :class:`utils.vae.VAE`.
    The metrics ``loss`` (the weighted sum), ``reconstruction`` and ``kl`` (unweighted) are
    reported for every epoch. Calling it on images returns ``(logits, mu, log_var)``.
    It is :class:`utils.vae.VAE` with the inference loss weighted.

    Raises
    ------
    ValueError
        If ``beta`` is negative or not finite, or the encoder's and decoder's latent sizes differ.
    """

    def __init__(self, encoder: keras.Model, decoder: keras.Model, beta: float = 1.0,
                 seed: int | None = None, **kwargs):
        beta = _check_beta(beta)
        super().__init__(encoder, decoder, seed=seed, **kwargs)
        self.beta = beta

    def _inference_loss(self, kl):
        return self.beta * kl


def _check_beta(beta) -> float:
    try:
        value = float(beta)
    except (TypeError, ValueError):
        raise ValueError(f"beta is {beta!r}; expected a number >= 0 (the weight of the inference loss)") from None
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"beta is {beta!r}; expected a finite number >= 0 (the weight of the inference loss)")
    return value


def build_beta_vae(latent_size: int, beta: float, seed: int | None = None) -> BetaVAE:
    """Notebook 04's encoder and decoder (:mod:`utils.vae`) with the loss ``D + beta * R``."""
    p = _check_latent_size(latent_size)
    beta = _check_beta(beta)
    return BetaVAE(build_encoder(p), build_decoder(p), beta=beta, seed=seed, name=f"beta_vae_{p}d_{beta:g}")


# --------------------------------------------------------------------------- training
def _train(build: Callable[[int], keras.Model], x, y, settings: dict, *, epochs, seed, batch_size,
           learning_rate, callbacks, progress, options, default_epochs: int, default_seed: int):
    from utils.training import train_model

    epochs = default_epochs if epochs is None else epochs
    seed = default_seed if seed is None else int(seed)
    batch_size = BATCH_SIZE if batch_size is None else batch_size
    learning_rate = LEARNING_RATE if learning_rate is None else learning_rate
    result = train_model(lambda: build(seed), x, y, epochs=epochs, batch_size=batch_size,
                         learning_rate=learning_rate, schedule=recipes.SCHEDULE, loss=None,
                         callbacks=callbacks, seed=seed, progress=progress, options=options)
    result.settings = {**settings, **result.settings}
    return result


def train_cvae(latent_size: int, x, labels, *, epochs: int | None = None, seed: int | None = None,
               callbacks: list | None = None, batch_size: int | None = None,
               learning_rate: float | None = None, progress: bool = True, options=None):
    """Train :func:`build_cvae` on binary images and their digit labels through ``train_model``.

    The same as ``train_model(lambda: build_cvae(latent_size, seed=seed), x, one_hot(labels),
    loss=None, ...)`` (:func:`utils.training.train_model`): the images as ``x``, the one-hot labels
    as ``y``, the model's own negative conditional ELBO, Adam with warm-up and cosine decay;
    ``seed`` seeds the weights, the sampling layer and the shuffling.

    Parameters
    ----------
    latent_size : p, the length of z.
    x : binary images (n, 28, 28, 1).
    labels : digit labels (n,) or one-hot rows (n, 10).
    epochs, seed, batch_size, learning_rate : None takes the recipe (:data:`CVAE_EPOCHS`,
        :data:`CVAE_SEED`, :data:`BATCH_SIZE`, :data:`LEARNING_RATE`).
    callbacks, progress, options : as in :func:`utils.training.train_model` (``progress`` prints
        one line per epoch).

    Returns
    -------
    utils.training.TrainResult
        ``model`` (a :class:`ConditionalVAE`), ``history`` with ``loss``, ``reconstruction``
        and ``kl`` per epoch, ``seconds``, ``settings`` (with ``latent_size``).

    Raises
    ------
    ValueError
        For images that are not (n, 28, 28, 1) or hold NaN/inf, labels that do not match them,
        or a bad latent size.
    """
    p = _check_latent_size(latent_size)
    x = _check_images(x)
    onehot = _check_condition(labels, len(x))
    return _train(lambda s: build_cvae(p, seed=s), x, onehot, {"model": "cvae", "latent_size": p},
                  epochs=epochs, seed=seed, batch_size=batch_size, learning_rate=learning_rate,
                  callbacks=callbacks, progress=progress, options=options,
                  default_epochs=CVAE_EPOCHS, default_seed=CVAE_SEED)


def train_beta_vae(latent_size: int, x, *, beta: float, epochs: int | None = None, seed: int | None = None,
                   callbacks: list | None = None, batch_size: int | None = None,
                   learning_rate: float | None = None, progress: bool = True, options=None):
    """Train :func:`build_beta_vae` (loss ``D + beta * R``) on binary images through ``train_model``.

    Same recipe as :func:`train_cvae` (defaults :data:`BETA_EPOCHS`, :data:`BETA_SEED`); the
    returned ``settings`` hold ``latent_size`` and ``beta``.
    """
    p = _check_latent_size(latent_size)
    beta = _check_beta(beta)
    x = _check_images(x)
    return _train(lambda s: build_beta_vae(p, beta, seed=s), x, None,
                  {"model": "beta_vae", "latent_size": p, "beta": beta},
                  epochs=epochs, seed=seed, batch_size=batch_size, learning_rate=learning_rate,
                  callbacks=callbacks, progress=progress, options=options,
                  default_epochs=BETA_EPOCHS, default_seed=BETA_SEED)


# --------------------------------------------------------------------------- evaluation
def _encode(encoder: keras.Model, xb: np.ndarray, yb: np.ndarray | None):
    out = encoder(xb if yb is None else [xb, yb], training=False)
    return tuple(np.asarray(a, dtype=np.float64) for a in out)


def elbo_terms(encoder: keras.Model, decoder: keras.Model, x, labels=None, n_samples: int = 1,
               batch_size: int = 1000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Reconstruction loss ``D`` and inference loss ``R`` of each image, in nats.

    ``D = -E_q[log p_theta(x|z(, y))]`` (Monte Carlo average over ``n_samples`` draws of z per
    image) and ``R = KL(q_phi(z|x(, y)) || N(0, I))`` (closed form); the ELBO is ``-(D + R)``.
    With ``labels`` the encoder and decoder are the conditional ones, each called on
    ``[input, one-hot y]``; without, they are notebook 04's, and ``-(D + R)`` equals
    :func:`utils.vae.evaluate_elbo` with the same ``seed`` and ``batch_size``.

    Parameters
    ----------
    encoder, decoder : the model's parts.
    x : binary images (n, 28, 28, 1).
    labels : None, or digit labels (n,) / one-hot rows (n, 10).
    n_samples : draws of z per image for the reconstruction term (at least 1).
    batch_size : images per encoder/decoder call.
    seed : seed of the draws.

    Returns
    -------
    (distortion, rate) : two numpy arrays of shape (n,), float64.

    Raises
    ------
    ValueError
        For ``n_samples`` or ``batch_size`` below 1, images that are not (n, 28, 28, 1),
        labels that do not match them, or encoder and decoder of different latent sizes.
    """
    if int(n_samples) < 1:
        raise ValueError(f"n_samples is {n_samples}; expected at least 1")
    if int(batch_size) < 1:
        raise ValueError(f"batch_size is {batch_size}; expected at least 1")
    x = _check_images(x)
    onehot = None if labels is None else _check_condition(labels, len(x))
    p = int(encoder.outputs[0].shape[-1])
    p_dec = int(decoder.inputs[0].shape[-1])
    if p != p_dec:
        raise ValueError(f"the encoder gives a {p}-dimensional z but the decoder takes "
                         f"{p_dec} dimensions; expected the same latent size")
    rng = np.random.default_rng(seed)
    distortion, rate = np.empty(len(x)), np.empty(len(x))
    for start in range(0, len(x), int(batch_size)):
        xb = x[start:start + int(batch_size)]
        yb = None if onehot is None else onehot[start:start + int(batch_size)]
        mu, log_var = _encode(encoder, xb, yb)
        rec = np.zeros(len(xb))
        for _ in range(int(n_samples)):
            z = (mu + np.exp(0.5 * log_var) * rng.standard_normal((len(xb), p))).astype(np.float32)
            logits = decoder(z if yb is None else [z, yb], training=False)
            rec += np.asarray(bernoulli_log_likelihood(xb, logits), dtype=np.float64)
        distortion[start:start + len(xb)] = -rec / int(n_samples)
        rate[start:start + len(xb)] = kl_divergence(mu, log_var)
    return distortion, rate


def evaluate_conditional_elbo(encoder: keras.Model, decoder: keras.Model, x, labels, n_samples: int = 1,
                              batch_size: int = 1000, seed: int = 0) -> np.ndarray:
    """Conditional ELBO of each image in nats, a lower bound of ``log p_theta(x|y)``.

    ``E_q[log p_theta(x|z, y)] - KL(q_phi(z|x, y) || N(0, I))``: Monte Carlo reconstruction
    term, closed-form KL, as :func:`utils.vae.evaluate_elbo` does for notebook 04's VAE.
    See :func:`elbo_terms` for the arguments and errors.
    """
    if labels is None:
        raise ValueError("labels is None; the conditional ELBO needs the digit label of every image")
    distortion, rate = elbo_terms(encoder, decoder, x, labels, n_samples=n_samples,
                                  batch_size=batch_size, seed=seed)
    return -(distortion + rate)


def encoder_means(encoder: keras.Model, x, labels=None, batch_size: int = 1000) -> np.ndarray:
    """``mu(x)`` (or ``mu(x, y)`` with labels) of every image, shape (n, p)."""
    x = _check_images(x)
    onehot = None if labels is None else _check_condition(labels, len(x))
    parts = [_encode(encoder, x[s:s + batch_size], None if onehot is None else onehot[s:s + batch_size])[0]
             for s in range(0, len(x), int(batch_size))]
    return np.concatenate(parts)


def active_units(mu, threshold: float = ACTIVE_UNIT_THRESHOLD) -> tuple[int, np.ndarray]:
    """Active latent units (Burda et al. 2016): coordinates whose ``mu_j(x)`` varies over the data.

    Unit j is active when ``Var_x(mu_j(x)) > threshold``: an inactive unit gives (almost) the
    same posterior mean for every image, so it carries no information about x.

    Parameters
    ----------
    mu : (n, p) encoder means of a data set (e.g. the test images), n >= 2.
    threshold : variance above which a unit counts as active.

    Returns
    -------
    (count, variances) : the number of active units and the (p,) variances of the mu's.

    Raises
    ------
    ValueError
        If ``mu`` is not (n, p) with n >= 2, holds NaN/inf, or ``threshold`` is negative.
    """
    mu = np.asarray(mu, dtype=np.float64)
    if mu.ndim != 2 or len(mu) < 2:
        raise ValueError(f"mu has shape {mu.shape}; expected (n, p) encoder means of n >= 2 images")
    if not np.all(np.isfinite(mu)):
        raise ValueError("mu holds NaN or infinite values; expected finite encoder means")
    if not threshold >= 0:
        raise ValueError(f"threshold is {threshold}; expected a variance >= 0")
    variances = mu.var(axis=0)
    return int(np.sum(variances > threshold)), variances


def kl_per_unit(encoder: keras.Model, x, labels=None, batch_size: int = 1000) -> np.ndarray:
    """Average inference loss of each latent unit over the images, shape (p,), in nats.

    ``mean_x 1/2 (mu_j^2 + sigma_j^2 - 1 - log sigma_j^2)``; the entries sum to the mean rate.
    A unit with (almost) zero KL has ``q_phi(z_j|x) = N(0, 1)`` for every x: it is collapsed.
    """
    x = _check_images(x)
    onehot = None if labels is None else _check_condition(labels, len(x))
    total, n = None, 0
    for s in range(0, len(x), int(batch_size)):
        mu, log_var = _encode(encoder, x[s:s + batch_size], None if onehot is None else onehot[s:s + batch_size])
        part = 0.5 * (mu ** 2 + np.exp(log_var) - 1.0 - log_var)
        total = part.sum(axis=0) if total is None else total + part.sum(axis=0)
        n += len(mu)
    return total / n


# --------------------------------------------------------------------------- decoding helpers
def decode_conditional(decoder: keras.Model, z, digits, n_classes: int = N_CLASSES) -> np.ndarray:
    """Pixel probabilities (n, 28, 28) of ``decoder([z, one-hot digit])``.

    ``z`` (n, p) or (p,) and ``digits`` (n,) or one digit: a single z or digit is repeated,
    so ``decode_conditional(decoder, z0, range(10))`` draws every digit from the same z.

    Raises
    ------
    ValueError
        If z has the wrong latent size, or z and digits cannot be paired.
    """
    p = int(decoder.inputs[0].shape[-1])
    given = np.shape(z)
    z = np.asarray(z, dtype=np.float32)
    if z.ndim == 1:
        z = z[None, :]
    if z.ndim != 2 or z.shape[1] != p:
        raise ValueError(f"z has shape {given}; the decoder takes latent vectors of {p} numbers, "
                         f"expected (n, {p}) or ({p},)")
    digits = np.atleast_1d(np.asarray(digits))
    if len(z) == 1 and len(digits) > 1:
        z = np.repeat(z, len(digits), axis=0)
    if len(digits) == 1 and len(z) > 1:
        digits = np.repeat(digits, len(z))
    if len(digits) != len(z):
        raise ValueError(f"{len(z)} latent vectors but {len(digits)} digits; expected the same number "
                         "(or one of either)")
    logits = np.asarray(decoder([z, one_hot(digits, n_classes)], training=False), dtype=np.float64)
    return (1.0 / (1.0 + np.exp(-logits)))[..., 0]


def prior_samples(decoder: keras.Model, n: int, seed: int = 0) -> np.ndarray:
    """``n`` images (pixel probabilities, (n, 28, 28)) decoded from z ~ N(0, I) (unconditional decoder)."""
    if int(n) < 1:
        raise ValueError(f"n is {n}; expected at least 1 sample")
    z = np.random.default_rng(seed).standard_normal((int(n), latent_size_of(decoder))).astype(np.float32)
    return pixel_probabilities(decoder, z)[..., 0]


def manifold(decoder: keras.Model, units: Sequence[int] = (0, 1), n_grid: int = 9, limit: float = 2.0,
             base=None) -> np.ndarray:
    """A grid of decoded images walking two latent units over ``[-limit, limit]``, the rest at ``base``.

    Returns one (n_grid * 28, n_grid * 28) canvas: columns walk ``units[0]`` left to right,
    rows walk ``units[1]`` bottom to top. ``base`` (p,) defaults to 0 (the prior's mean).
    """
    p = latent_size_of(decoder)
    u0, u1 = (int(u) for u in units)
    if not (0 <= u0 < p and 0 <= u1 < p) or u0 == u1:
        raise ValueError(f"units is {tuple(units)}; expected two different latent units in 0..{p - 1}")
    values = np.linspace(-limit, limit, int(n_grid))
    z = np.tile(np.zeros(p) if base is None else np.asarray(base, dtype=np.float64), (n_grid * n_grid, 1))
    a, b = np.meshgrid(values, values[::-1])
    z[:, u0], z[:, u1] = a.ravel(), b.ravel()
    images = pixel_probabilities(decoder, z.astype(np.float32))[..., 0]
    return images.reshape(n_grid, n_grid, 28, 28).transpose(0, 2, 1, 3).reshape(n_grid * 28, n_grid * 28)
