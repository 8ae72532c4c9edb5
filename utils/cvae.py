"""The conditional VAE and the beta-weighted VAE of notebook 05.

Notebook 05 (``05_conditional_and_beta_vae.ipynb``) introduces everything here; it builds
on notebook 04's :mod:`utils.vae` (the KL term, the sampling layer, the encoder and decoder,
the ELBO, the training path).

- **Conditional VAE** (Sohn et al. 2015; the conditional form of Kingma et al. 2014's M2):
  the encoder gives ``q_phi(z|x, y) = N(mu(x, y), diag sigma^2(x, y))`` and the decoder
  ``p_theta(x|z, y)``, with the digit label y as a one-hot vector concatenated to the
  encoder's dense input and to the decoder's input z. Its loss is the negative conditional
  ELBO ``-E_q[log p_theta(x|z, y)] + KL(q_phi(z|x, y) || N(0, I))``, a lower bound of
  ``log p_theta(x|y)``. Its encoder and decoder are notebook 04's with ``n_classes``
  (:func:`utils.vae.build_encoder`, :func:`utils.vae.build_decoder`); :class:`ConditionalVAE`,
  :func:`build_cvae`, :func:`train_cvae`.
- **Beta-weighted VAE**: notebook 04's architecture with the loss
  ``reconstruction + beta * KL``. :class:`BetaVAE`, :func:`build_beta_vae`, :func:`train_beta_vae`.
- Evaluation: :func:`elbo_terms` (reconstruction loss ``D`` and inference loss ``R`` of each
  image, plain or conditional), :func:`evaluate_conditional_elbo`, :func:`active_units`,
  :func:`kl_per_unit`; decoding: :func:`decode_conditional`, :func:`prior_samples`, :func:`manifold`.
- Its widgets (the digit selector with style sliders, the beta switcher) are in :mod:`utils.widgets`.

Notebook 05's settings are in :mod:`utils.recipes` (``CVAE_*``, ``BETA_*``, ``N_CLASSES``,
``ACTIVE_UNIT_THRESHOLD``); batch size, learning rate and schedule are notebook 04's.
A model's label classes are read from the model itself; images are pixels in [0, 1], labels are
digit labels (n,) or one-hot rows (n, classes), every argument is checked before Keras is touched.
"""

from __future__ import annotations

from typing import Sequence

import keras
import numpy as np

from utils.recipes import ACTIVE_UNIT_THRESHOLD, BETA_EPOCHS, BETA_SEED, CVAE_EPOCHS, CVAE_SEED, N_CLASSES
from utils.validation import (check_array, check_callable, check_images, check_int, check_model, check_number,
                              keras_name)
from utils.vae import (VAE, build_decoder, build_encoder, check_condition, check_encoder_input,
                       conditional_classes, elbo_parts, latent_size_of, pixel_probabilities, train_vae_model)


# --------------------------------------------------------------------------- labels
def one_hot(labels, n_classes: int = N_CLASSES, name: str = "labels") -> np.ndarray:
    """Integer labels (n,) as one-hot rows (n, n_classes), float32.

    Raises
    ------
    TypeError, ValueError
        If ``labels`` is not a 1-D array of whole numbers in ``0..n_classes-1`` or ``n_classes``
        is not an int >= 2 (``name`` is the argument named in the message).
    """
    n_classes = check_int(n_classes, "n_classes", minimum=2)
    a = check_array(labels, name, ndim=1, min_len=0, dtype=np.float64)
    if np.any(a != np.round(a)):
        raise ValueError(f"{name} holds non-integer values (e.g. {a[a != np.round(a)][0]:g}); "
                         f"expected whole numbers 0..{n_classes - 1}")
    if a.size and (a.min() < 0 or a.max() > n_classes - 1):
        raise ValueError(f"{name} run from {a.min():g} to {a.max():g}; expected 0..{n_classes - 1}, "
                         "one digit label per image")
    return np.eye(n_classes, dtype=np.float32)[a.astype(np.int64)]


def _labels(labels, n: int, classes: int) -> np.ndarray:
    """Digit labels (n,) or one-hot rows (n, classes) as one-hot rows, one per image."""
    a = check_array(labels, "labels", ndim=(1, 2), min_len=0, dtype=None)
    if a.ndim == 1:
        a = one_hot(a, classes)
    elif a.shape[1] != classes or not np.all((a == 0) | (a == 1)) or not np.all(a.sum(axis=1) == 1):
        raise ValueError(f"labels has shape {a.shape} with rows that are not one-hot {classes}-vectors; expected "
                         f"digit labels (n,) or one-hot rows (n, {classes}) with a single 1 each: one_hot(digits)")
    if len(a) != n:
        raise ValueError(f"{n} images but {len(a)} labels; expected one label per image")
    return a.astype(np.float32)


def _condition(model: keras.Model, name: str, labels, n: int) -> np.ndarray | None:
    """The one-hot rows a conditional ``model`` needs with ``n`` images, None for an unconditional one.

    A missing ``labels`` (conditional model) or an extra one (notebook 04's model) is refused.
    """
    if not isinstance(model, keras.Model):
        check_callable(model, name, "a keras.Model (or a function x -> [mu, log_var])")
    classes = conditional_classes(model)
    if labels is None or classes is None:
        check_condition(model, name, labels is not None, "pass labels=..., one digit label per image"
                        if classes else "leave labels out (notebook 04's model takes the images alone)")
        return None
    return _labels(labels, n, classes)


# --------------------------------------------------------------------------- conditional VAE
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
        return _pair(x, "x")[0]

    def train_step(self, data):
        return super().train_step((_pair(data, "each batch"),))

    def test_step(self, data):
        return super().test_step((_pair(data, "each batch"),))


def _check_seed(seed) -> int | None:
    return None if seed is None else check_int(seed, "seed", minimum=0)


def build_cvae(latent_size: int, seed: int | None = None, n_classes: int = N_CLASSES) -> ConditionalVAE:
    """Notebook 05's conditional VAE, built (called once on a zero batch) and ready to compile.

    Its parts are ``utils.vae.build_encoder(p, n_classes=n_classes, name="cvae_encoder")`` and the
    matching decoder: notebook 04's, with the one-hot label concatenated to the encoder's flattened
    maps and to the decoder's z.
    """
    p, seed = check_int(latent_size, "latent_size", minimum=1), _check_seed(seed)
    n_classes = check_int(n_classes, "n_classes", minimum=2)
    model = ConditionalVAE(build_encoder(p, n_classes=n_classes, name="cvae_encoder"),
                           build_decoder(p, n_classes=n_classes, name="cvae_decoder"), seed=seed, name=f"cvae_{p}d")
    model([np.zeros((1, 28, 28, 1), np.float32), np.zeros((1, n_classes), np.float32)])
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
    TypeError, ValueError
        If ``beta`` is not a finite number >= 0, or the encoder's and decoder's latent sizes differ.
    """

    def __init__(self, encoder: keras.Model, decoder: keras.Model, beta: float = 1.0,
                 seed: int | None = None, **kwargs):
        beta = check_number(beta, "beta", minimum=0.0)
        super().__init__(encoder, decoder, seed=seed, **kwargs)
        self.beta = beta

    def _inference_loss(self, kl):
        return self.beta * kl


def build_beta_vae(latent_size: int, beta: float, seed: int | None = None) -> BetaVAE:
    """Notebook 04's encoder and decoder (:mod:`utils.vae`) with the loss ``D + beta * R``."""
    p, seed = check_int(latent_size, "latent_size", minimum=1), _check_seed(seed)
    beta = check_number(beta, "beta", minimum=0.0)
    return BetaVAE(build_encoder(p), build_decoder(p), beta=beta, seed=seed,
                   name=keras_name(f"beta_vae_{p}d_{beta:g}"))


# --------------------------------------------------------------------------- training
def train_cvae(latent_size: int, x, labels, *, epochs: int | None = None, seed: int | None = None,
               callbacks: list | None = None, batch_size: int | None = None,
               learning_rate: float | None = None, progress: bool = True):
    """Train :func:`build_cvae` on binary images and their digit labels through ``train_model``.

    The same as ``train_model(lambda: build_cvae(latent_size, seed=seed), x, one_hot(labels),
    loss=None, ...)`` (:func:`utils.training.train_model`): the images as ``x``, the one-hot labels
    as ``y``, the model's own negative conditional ELBO, Adam with warm-up and cosine decay;
    ``seed`` seeds the weights, the sampling layer and the shuffling.

    Parameters
    ----------
    latent_size : p, the length of z.
    x : binary images (n, 28, 28, 1), pixels in [0, 1].
    labels : digit labels (n,) or one-hot rows (n, 10).
    epochs, seed, batch_size, learning_rate : None takes the recipe (``utils.recipes.CVAE_EPOCHS``,
        ``CVAE_SEED``, ``VAE_BATCH_SIZE``, ``VAE_LEARNING_RATE``).
    callbacks, progress : as in :func:`utils.training.train_model` (``progress`` prints one line per epoch).

    Returns
    -------
    utils.training.TrainResult
        ``model`` (a :class:`ConditionalVAE`), ``history`` with ``loss``, ``reconstruction``
        and ``kl`` per epoch, ``seconds``, ``settings`` (with ``latent_size``).

    Raises
    ------
    TypeError, ValueError
        For images that are not (n, 28, 28, 1) pixels in [0, 1], labels that do not match them or are not
        one-hot, or any bad argument of ``train_model``: all before a layer is built.
    """
    p = check_int(latent_size, "latent_size", minimum=1)
    x = check_images(x, "x")
    onehot = _labels(labels, len(x), N_CLASSES)
    return train_vae_model(lambda s: build_cvae(p, seed=s), x, onehot, {"model": "cvae", "latent_size": p},
                           epochs=epochs, seed=seed, batch_size=batch_size, learning_rate=learning_rate,
                           callbacks=callbacks, progress=progress, default_epochs=CVAE_EPOCHS, default_seed=CVAE_SEED)


def train_beta_vae(latent_size: int, x, *, beta: float, epochs: int | None = None, seed: int | None = None,
                   callbacks: list | None = None, batch_size: int | None = None,
                   learning_rate: float | None = None, progress: bool = True):
    """Train :func:`build_beta_vae` (loss ``D + beta * R``) on binary images through ``train_model``.

    Same recipe as :func:`train_cvae` (defaults ``utils.recipes.BETA_EPOCHS``, ``BETA_SEED``); the
    returned ``settings`` hold ``latent_size`` and ``beta``. Every argument is checked before a layer is built.
    """
    p = check_int(latent_size, "latent_size", minimum=1)
    beta = check_number(beta, "beta", minimum=0.0)
    x = check_images(x, "x")
    return train_vae_model(lambda s: build_beta_vae(p, beta, seed=s), x, None,
                           {"model": "beta_vae", "latent_size": p, "beta": beta},
                           epochs=epochs, seed=seed, batch_size=batch_size, learning_rate=learning_rate,
                           callbacks=callbacks, progress=progress, default_epochs=BETA_EPOCHS, default_seed=BETA_SEED)


# --------------------------------------------------------------------------- evaluation
def elbo_terms(encoder: keras.Model, decoder: keras.Model, x, labels=None, n_samples: int = 1,
               batch_size: int = 1000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Reconstruction loss ``D`` and inference loss ``R`` of each image, in nats.

    ``D = -E_q[log p_theta(x|z(, y))]`` (Monte Carlo average over ``n_samples`` draws of z per
    image) and ``R = KL(q_phi(z|x(, y)) || N(0, I))`` (closed form); the ELBO is ``-(D + R)``.
    With ``labels`` the encoder and decoder are the conditional ones, each called on
    ``[input, one-hot y]``; without, they are notebook 04's, and ``-(D + R)`` equals
    :func:`utils.vae.evaluate_elbo` with the same ``seed`` and ``batch_size``
    (:func:`utils.vae.elbo_parts` computes both).

    Parameters
    ----------
    encoder, decoder : the model's parts.
    x : binary images (n, 28, 28, 1).
    labels : digit labels (n,) / one-hot rows (n, 10) for a conditional model, None for notebook 04's.
    n_samples : draws of z per image for the reconstruction term (at least 1).
    batch_size : images per encoder/decoder call.
    seed : seed of the draws.

    Returns
    -------
    (distortion, rate) : two numpy arrays of shape (n,), float64.

    Raises
    ------
    TypeError, ValueError
        For ``n_samples``, ``batch_size`` or ``seed`` that are not whole numbers in range, images that
        are not (n, 28, 28, 1) pixels in [0, 1], labels that do not match them or the model (missing for
        a conditional one, given for notebook 04's), or encoder and decoder of different latent sizes.
    """
    x = check_images(x, "x")
    onehot = _condition(encoder, "encoder", labels, len(x))
    return elbo_parts(encoder, decoder, x, onehot, n_samples, batch_size, seed)


def evaluate_conditional_elbo(encoder: keras.Model, decoder: keras.Model, x, labels, n_samples: int = 1,
                              batch_size: int = 1000, seed: int = 0) -> np.ndarray:
    """Conditional ELBO of each image in nats, a lower bound of ``log p_theta(x|y)``.

    ``E_q[log p_theta(x|z, y)] - KL(q_phi(z|x, y) || N(0, I))``: Monte Carlo reconstruction
    term, closed-form KL, as :func:`utils.vae.evaluate_elbo` does for notebook 04's VAE.
    See :func:`elbo_terms` for the arguments and errors.
    """
    if labels is None:
        raise ValueError("labels is None; expected the digit label of every image (the conditional ELBO bounds "
                         "log p(x|y)); for notebook 04's model use elbo_terms(encoder, decoder, x)")
    distortion, rate = elbo_terms(encoder, decoder, x, labels, n_samples=n_samples,
                                  batch_size=batch_size, seed=seed)
    return -(distortion + rate)


def _posterior(encoder: keras.Model, x, labels, batch_size) -> tuple[np.ndarray, np.ndarray]:
    """``mu`` and ``log sigma^2`` of every image (float64, (n, p) each), encoded ``batch_size`` at a time."""
    x = check_images(x, "x")
    onehot = _condition(encoder, "encoder", labels, len(x))
    check_encoder_input(encoder, x)
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    parts = [encoder(x[s:s + batch_size] if onehot is None else [x[s:s + batch_size], onehot[s:s + batch_size]],
                     training=False) for s in range(0, len(x), batch_size)]
    return tuple(np.concatenate([np.asarray(part[i], dtype=np.float64) for part in parts]) for i in (0, 1))


def encoder_means(encoder: keras.Model, x, labels=None, batch_size: int = 1000) -> np.ndarray:
    """``mu(x)`` (or ``mu(x, y)`` with labels) of every image, shape (n, p). Errors as :func:`elbo_terms`."""
    return _posterior(encoder, x, labels, batch_size)[0]


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
    TypeError, ValueError
        If ``mu`` is not (n, p) with n >= 2, holds NaN/inf, or ``threshold`` is not a number >= 0.
    """
    mu = check_array(mu, "mu", ndim=2, min_len=2, dtype=np.float64)
    threshold = check_number(threshold, "threshold", minimum=0.0)
    variances = mu.var(axis=0)
    return int(np.sum(variances > threshold)), variances


def kl_per_unit(encoder: keras.Model, x, labels=None, batch_size: int = 1000) -> np.ndarray:
    """Average inference loss of each latent unit over the images, shape (p,), in nats.

    ``mean_x 1/2 (mu_j^2 + sigma_j^2 - 1 - log sigma_j^2)``; the entries sum to the mean rate.
    A unit with (almost) zero KL has ``q_phi(z_j|x) = N(0, 1)`` for every x: it is collapsed.
    Errors as :func:`elbo_terms`.
    """
    mu, log_var = _posterior(encoder, x, labels, batch_size)
    return np.mean(0.5 * (mu ** 2 + np.exp(log_var) - 1.0 - log_var), axis=0)


# --------------------------------------------------------------------------- decoding helpers
def decode_conditional(decoder: keras.Model, z, digits, n_classes: int | None = None) -> np.ndarray:
    """Pixel probabilities (n, 28, 28) of ``decoder([z, one-hot digit])``.

    ``z`` (n, p) or (p,) and ``digits`` (n,) or one digit: a single z or digit is repeated,
    so ``decode_conditional(decoder, z0, range(10))`` draws every digit from the same z.
    ``n_classes``, if given, must be the decoder's number of label classes.

    Raises
    ------
    TypeError, ValueError
        If the decoder is not a conditional one, z is not finite or has the wrong latent size,
        a digit is not a whole number in range, or z and digits cannot be paired.
    """
    check_model(decoder, "decoder")
    check_condition(decoder, "decoder", True, "decode z alone with utils.vae.pixel_probabilities(decoder, z)")
    classes = conditional_classes(decoder)
    if n_classes is not None and check_int(n_classes, "n_classes", minimum=2) != classes:
        raise ValueError(f"n_classes is {n_classes} but the decoder takes {classes} label classes; leave it out")
    p = latent_size_of(decoder)
    given = np.shape(z)
    z = np.atleast_2d(check_array(z, "z", ndim=(1, 2)))
    if z.shape[1] != p:
        raise ValueError(f"z has shape {given}; the decoder takes latent vectors of {p} numbers, "
                         f"expected (n, {p}) or ({p},)")
    onehot = one_hot(np.atleast_1d(check_array(digits, "digits", ndim=(0, 1), min_len=1, dtype=np.float64)),
                     classes, "digits")
    if len(z) == 1 and len(onehot) > 1:
        z = np.repeat(z, len(onehot), axis=0)
    if len(onehot) == 1 and len(z) > 1:
        onehot = np.repeat(onehot, len(z), axis=0)
    if len(onehot) != len(z):
        raise ValueError(f"{len(z)} latent vectors but {len(onehot)} digits; expected the same number "
                         "(or one of either)")
    logits = np.asarray(decoder([z, onehot], training=False), dtype=np.float64)
    return (1.0 / (1.0 + np.exp(-logits)))[..., 0]


def prior_samples(decoder: keras.Model, n: int, seed: int = 0) -> np.ndarray:
    """``n`` images (pixel probabilities, (n, 28, 28)) decoded from z ~ N(0, I) (notebook 04's decoder).

    Raises
    ------
    TypeError, ValueError
        For ``n`` below 1, a seed that is not an int >= 0, or a conditional decoder (use :func:`decode_conditional`).
    """
    n, seed = check_int(n, "n", minimum=1), check_int(seed, "seed", minimum=0)
    check_model(decoder, "decoder")
    check_condition(decoder, "decoder", False, "draw its digits with decode_conditional(decoder, z, digits)")
    z = np.random.default_rng(seed).standard_normal((n, latent_size_of(decoder))).astype(np.float32)
    return pixel_probabilities(decoder, z)[..., 0]


def manifold(decoder: keras.Model, units: Sequence[int] = (0, 1), n_grid: int = 9, limit: float = 2.0,
             base=None) -> np.ndarray:
    """A grid of decoded images walking two latent units over ``[-limit, limit]``, the rest at ``base``.

    Returns one (n_grid * 28, n_grid * 28) canvas: columns walk ``units[0]`` left to right,
    rows walk ``units[1]`` bottom to top. ``base`` (p,) defaults to 0 (the prior's mean).

    Raises
    ------
    TypeError, ValueError
        For units that are not two different ints in ``0..p-1``, ``n_grid`` below 1, a ``limit`` that is
        not a finite positive number, a ``base`` that is not p finite numbers, or a conditional decoder.
    """
    check_model(decoder, "decoder")
    check_condition(decoder, "decoder", False, "walk it with decode_conditional(decoder, z, digit)")
    p = latent_size_of(decoder)
    if isinstance(units, (str, bytes)) or not isinstance(units, (Sequence, np.ndarray)) or len(units) != 2:
        raise TypeError(f"units is {units!r}; expected two different latent units in 0..{p - 1}, e.g. (0, 1)")
    u0, u1 = (check_int(u, f"units[{i}]", minimum=0, maximum=p - 1) for i, u in enumerate(units))
    if u0 == u1:
        raise ValueError(f"units is {tuple(units)}; expected two different latent units in 0..{p - 1}")
    n_grid, limit = check_int(n_grid, "n_grid", minimum=1), check_number(limit, "limit", positive=True)
    values = np.linspace(-limit, limit, n_grid)
    base = np.zeros(p) if base is None else check_array(base, "base", ndim=1, dtype=np.float64)
    if base.shape != (p,):
        raise ValueError(f"base has shape {base.shape}; expected ({p},), one value per latent unit")
    z = np.tile(base, (n_grid * n_grid, 1))
    a, b = np.meshgrid(values, values[::-1])
    z[:, u0], z[:, u1] = a.ravel(), b.ravel()
    images = pixel_probabilities(decoder, z.astype(np.float32))[..., 0]
    return images.reshape(n_grid, n_grid, 28, 28).transpose(0, 2, 1, 3).reshape(n_grid * 28, n_grid * 28)
