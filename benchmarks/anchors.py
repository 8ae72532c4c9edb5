"""Two anchor configurations, written in this project's code from their published settings.

The benchmarks compare the notebooks' default models with two well-known
reference setups, trained on the same data in the same run:

- :class:`TutorialCVAE`, the convolutional VAE of TensorFlow's generative
  tutorial ("Convolutional Variational Autoencoder"): encoder Conv2D 32 and 64
  (3x3, stride 2, relu, no padding), Flatten, Dense to ``2 * latent_size``
  (mean and log-variance); decoder Dense 7x7x32 (relu), Reshape,
  Conv2DTranspose 64 and 32 (3x3, stride 2, same, relu), Conv2DTranspose 1
  (3x3, stride 1, same) giving Bernoulli logits; latent 2; Adam 1e-4;
  batch 32; 10 epochs; images binarized at 0.5. Its training loss is the
  single-sample Monte Carlo estimate of the negative ELBO,
  ``-(log p(x|z) + log p(z) - log q(z|x))`` with ``z ~ q(z|x)``.
- :func:`build_keras_dae`, the denoising autoencoder of the Keras example
  ("Convolutional autoencoder for image denoising"): Conv2D 32 (3x3, relu,
  same) + MaxPooling2D 2 (same), twice; Conv2DTranspose 32 (3x3, stride 2,
  relu, same), twice; Conv2D 1 (3x3, sigmoid, same); binary cross-entropy;
  Adam (Keras default rate); batch 128. Here it is trained on the notebooks'
  noise for a fixed wall-clock budget (:class:`TimeBudget`).
"""

from __future__ import annotations

import math
import time

import keras
import numpy as np
from keras import layers, ops

from utils.vae import LOG_2PI, bernoulli_log_likelihood

TF_CVAE_SETTINGS = {"latent_size": 2, "learning_rate": 1e-4, "batch_size": 32, "epochs": 10}
KERAS_DAE_SETTINGS = {"batch_size": 128, "loss": "binary_crossentropy", "optimizer": "adam"}


def _log_normal(z, mean, logvar):
    """Log density of a diagonal normal at ``z``, summed over the latent axis."""
    return ops.sum(-0.5 * ((z - mean) ** 2 * ops.exp(-logvar) + logvar + LOG_2PI), axis=-1)


def build_tf_cvae_encoder(latent_size: int = 2) -> keras.Model:
    """The tutorial's encoder: image -> concatenated (mean, log-variance), ``2 * latent_size`` values."""
    return keras.Sequential([
        keras.Input((28, 28, 1)),
        layers.Conv2D(32, 3, strides=2, activation="relu"),
        layers.Conv2D(64, 3, strides=2, activation="relu"),
        layers.Flatten(),
        layers.Dense(2 * latent_size),
    ], name="tf_cvae_encoder")


def build_tf_cvae_decoder(latent_size: int = 2) -> keras.Model:
    """The tutorial's decoder: z -> 28x28x1 Bernoulli logits."""
    return keras.Sequential([
        keras.Input((latent_size,)),
        layers.Dense(7 * 7 * 32, activation="relu"),
        layers.Reshape((7, 7, 32)),
        layers.Conv2DTranspose(64, 3, strides=2, padding="same", activation="relu"),
        layers.Conv2DTranspose(32, 3, strides=2, padding="same", activation="relu"),
        layers.Conv2DTranspose(1, 3, strides=1, padding="same"),
    ], name="tf_cvae_decoder")


class TutorialCVAE(keras.Model):
    """The tutorial's convolutional VAE, trained on the single-sample Monte Carlo negative ELBO.

    ``call(x)`` runs encoder, one reparameterized draw and decoder and returns
    the decoder's logits. :meth:`encode` returns ``(mean, logvar)``;
    :meth:`decode` returns logits (``apply_sigmoid=True`` for probabilities).
    """

    def __init__(self, latent_size: int = 2, **kwargs):
        super().__init__(**kwargs)
        if isinstance(latent_size, bool) or not isinstance(latent_size, int) or latent_size < 1:
            raise ValueError(f"latent_size is {latent_size!r}; expected an int >= 1")
        self.latent_size = latent_size
        self.encoder = build_tf_cvae_encoder(latent_size)
        self.decoder = build_tf_cvae_decoder(latent_size)
        self.seed_generator = keras.random.SeedGenerator(0)
        self.loss_tracker = keras.metrics.Mean(name="loss")

    def encode(self, x):
        stats = self.encoder(x)
        return stats[:, : self.latent_size], stats[:, self.latent_size:]

    def reparameterize(self, mean, logvar):
        eps = keras.random.normal(ops.shape(mean), seed=self.seed_generator)
        return mean + ops.exp(0.5 * logvar) * eps

    def decode(self, z, apply_sigmoid: bool = False):
        logits = self.decoder(z)
        return ops.sigmoid(logits) if apply_sigmoid else logits

    def call(self, x):
        mean, logvar = self.encode(x)
        return self.decode(self.reparameterize(mean, logvar))

    def monte_carlo_elbo(self, x):
        """Single-sample ELBO estimate per image: ``log p(x|z) + log p(z) - log q(z|x)``."""
        mean, logvar = self.encode(x)
        z = self.reparameterize(mean, logvar)
        logits = self.decode(z)
        log_px_z = bernoulli_log_likelihood(x, logits)
        log_pz = _log_normal(z, ops.zeros_like(z), ops.zeros_like(z))
        log_qz_x = _log_normal(z, mean, logvar)
        return log_px_z + log_pz - log_qz_x

    @property
    def metrics(self):
        return [self.loss_tracker]

    def train_step(self, data):
        import tensorflow as tf  # the benchmarks run on the TensorFlow backend

        x = data[0] if isinstance(data, (tuple, list)) else data
        with tf.GradientTape() as tape:
            loss = -ops.mean(self.monte_carlo_elbo(x))
        grads = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply(grads, self.trainable_variables)
        self.loss_tracker.update_state(loss)
        return {"loss": self.loss_tracker.result()}

    def test_step(self, data):
        x = data[0] if isinstance(data, (tuple, list)) else data
        self.loss_tracker.update_state(-ops.mean(self.monte_carlo_elbo(x)))
        return {"loss": self.loss_tracker.result()}


def build_tf_cvae(latent_size: int = 2) -> TutorialCVAE:
    """A new, built :class:`TutorialCVAE` (not compiled)."""
    model = TutorialCVAE(latent_size)
    model(np.zeros((1, 28, 28, 1), "float32"))
    return model


def build_keras_dae() -> keras.Model:
    """The Keras example's denoising autoencoder (uncompiled): noisy image -> clean image."""
    inputs = keras.Input((28, 28, 1))
    x = layers.Conv2D(32, 3, activation="relu", padding="same")(inputs)
    x = layers.MaxPooling2D(2, padding="same")(x)
    x = layers.Conv2D(32, 3, activation="relu", padding="same")(x)
    x = layers.MaxPooling2D(2, padding="same")(x)
    x = layers.Conv2DTranspose(32, 3, strides=2, activation="relu", padding="same")(x)
    x = layers.Conv2DTranspose(32, 3, strides=2, activation="relu", padding="same")(x)
    outputs = layers.Conv2D(1, 3, activation="sigmoid", padding="same")(x)
    return keras.Model(inputs, outputs, name="keras_dae")


class TimeBudget(keras.callbacks.Callback):
    """Stop ``fit`` after the first batch that ends past ``seconds`` of training.

    Counts the optimizer steps it let run (``steps``), so the epochs done are
    ``steps / steps_per_epoch``.
    """

    def __init__(self, seconds: float):
        super().__init__()
        if not seconds > 0:
            raise ValueError(f"seconds is {seconds}; expected a positive time budget")
        self.seconds = float(seconds)
        self.steps = 0
        self.start = None
        self.elapsed = 0.0

    def on_train_begin(self, logs=None):
        self.start = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self.steps += 1
        self.elapsed = time.perf_counter() - self.start
        if self.elapsed >= self.seconds:
            self.model.stop_training = True


def train_keras_dae(x_noisy, x_clean, seconds: float, seed: int = 0, max_epochs: int = 1000) -> dict:
    """Train the Keras example's DAE for ``seconds`` of wall time; return model, seconds and epochs.

    Returns
    -------
    dict
        ``{"model": ..., "seconds": fit wall time, "epochs": optimizer steps / steps per epoch,
        "steps": ...}``.
    """
    x_noisy = np.asarray(x_noisy, "float32")
    x_clean = np.asarray(x_clean, "float32")
    if x_noisy.shape != x_clean.shape:
        raise ValueError(f"x_noisy has shape {x_noisy.shape}, x_clean {x_clean.shape}; expected equal shapes")
    keras.utils.set_random_seed(seed)
    model = build_keras_dae()
    model.compile(optimizer=KERAS_DAE_SETTINGS["optimizer"], loss=KERAS_DAE_SETTINGS["loss"])
    budget = TimeBudget(seconds)
    batch = KERAS_DAE_SETTINGS["batch_size"]
    start = time.perf_counter()
    model.fit(x_noisy, x_clean, batch_size=batch, epochs=max_epochs, shuffle=True, verbose=0,
              callbacks=[budget])
    fit_seconds = time.perf_counter() - start
    steps_per_epoch = math.ceil(len(x_noisy) / batch)
    return {"model": model, "seconds": fit_seconds, "steps": budget.steps,
            "epochs": budget.steps / steps_per_epoch}


def train_tf_cvae(x_train_binary, epochs: int = TF_CVAE_SETTINGS["epochs"],
                  batch_size: int = TF_CVAE_SETTINGS["batch_size"],
                  learning_rate: float = TF_CVAE_SETTINGS["learning_rate"],
                  latent_size: int = TF_CVAE_SETTINGS["latent_size"], seed: int = 0,
                  callbacks: list | None = None) -> dict:
    """Train the tutorial's CVAE with its published settings; return model, seconds and history.

    Parameters
    ----------
    x_train_binary : training images binarized at 0.5, shape (n, 28, 28, 1).
    epochs, batch_size, learning_rate, latent_size : the tutorial's settings by default.
    seed : seed set right before the model is built.
    callbacks : extra Keras callbacks for ``fit``.

    Returns
    -------
    dict
        ``{"model": ..., "seconds": fit wall time, "history": per-epoch losses}``.
    """
    import tensorflow as tf

    x = np.asarray(x_train_binary, "float32")
    keras.utils.set_random_seed(seed)
    model = build_tf_cvae(latent_size)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate))
    # fed as in the tutorial: the whole training set shuffled every epoch, then batched
    data = tf.data.Dataset.from_tensor_slices(x).shuffle(len(x), seed=seed).batch(int(batch_size))
    start = time.perf_counter()
    fitted = model.fit(data, epochs=int(epochs), verbose=0, callbacks=list(callbacks or []))
    seconds = time.perf_counter() - start
    return {"model": model, "seconds": seconds,
            "history": {k: [float(v) for v in vals] for k, vals in fitted.history.items()}}


def split_encoder(model: TutorialCVAE) -> keras.Model:
    """A view of the CVAE's encoder with two outputs, ``[mean, logvar]`` (weights shared).

    The tutorial's encoder ends in one Dense layer of ``2 * latent_size`` units; the
    project's ELBO evaluation (``utils.vae.evaluate_elbo``) takes an encoder with the
    two outputs separately.
    """
    enc = model.encoder
    p = model.latent_size
    stats = enc.outputs[0]
    return keras.Model(enc.inputs[0], [stats[:, :p], stats[:, p:]], name="tf_cvae_encoder_split")
