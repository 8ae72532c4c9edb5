"""Bad input to every public function of ``utils``: a clear error at the function, never a silent
wrong answer or a failure deep inside TensorFlow or numpy.

Each row is one distinct bad input: the call, the exception type it must raise, and the
argument its message must name (the message also says what it got and what to do, checked
for the recurring rules in the tests after the table). ``test_count_per_module`` reports how
many rows each module has.
"""

from __future__ import annotations

import collections
import math
import os
import random
import re
import tempfile
import warnings

import numpy as np
import pytest

from utils.runtime import quiet_tensorflow

tf = quiet_tensorflow()
import keras  # noqa: E402
import matplotlib  # noqa: E402

matplotlib.use("Agg")

from utils import autoencoder, cvae, data, metrics, noise, pca, plotting, runtime, training, transpose_conv  # noqa: E402
from utils import validation, vae, widgets  # noqa: E402

NAN, INF = float("nan"), float("inf")
RNG = np.random.default_rng(0)
IMG = RNG.random((4, 28, 28, 1)).astype(np.float32)            # a valid batch
ONE = IMG[0]                                                   # one image, (28, 28, 1)
U8 = (IMG * 255).astype(np.uint8)                              # raw 0..255 pixels
WITH_NAN = IMG.copy()
WITH_NAN[0, 3, 3, 0] = NAN
WITH_INF = IMG.copy()
WITH_INF[1, 0, 0, 0] = INF
SMALL = RNG.random((3, 4, 4, 1)).astype(np.float32)
MU = RNG.normal(size=(50, 3))
BIN = (IMG > 0.5).astype(np.float32)                           # binary images, as the VAEs take them
F255 = IMG * 255                                               # 0..255 floats
DIGITS = np.array([0, 3, 7, 9])
ONEHOT = np.eye(10, dtype=np.float32)[DIGITS]
TWO_HOT = ONEHOT.copy()
TWO_HOT[0, 5] = 1.0                                            # a row with two 1s
HALF_HOT = ONEHOT * 0.5                                        # rows that sum to 0.5


def with_quick(value: str, fn):
    """Call ``fn()`` with CH11_QUICK set to ``value`` (restored afterwards)."""
    before = os.environ.get("CH11_QUICK")
    os.environ["CH11_QUICK"] = value
    try:
        return fn()
    finally:
        os.environ.pop("CH11_QUICK") if before is None else os.environ.__setitem__("CH11_QUICK", before)


def cache_dir_that_is_a_file():
    """load_arrays with CH11_DATA_DIR naming a file and no download possible."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "a-file")
        with open(path, "w") as f:
            f.write("not a folder")
        before = os.environ.get("CH11_DATA_DIR")
        os.environ["CH11_DATA_DIR"] = path
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return data.load_arrays("mnist", use_keras=False)
        finally:
            os.environ.pop("CH11_DATA_DIR") if before is None else os.environ.__setitem__("CH11_DATA_DIR", before)


def numpy_noise_in_pipeline(xb, seed):
    """The mistake: numpy noise in a corruption marked to run as a TensorFlow graph."""
    return tf.clip_by_value(xb + np.random.default_rng().normal(0, 0.3, (2, 28, 28, 1)).astype(np.float32), 0, 1)


def numpy_only_in_pipeline(xb, seed):
    return np.clip(xb + np.random.default_rng(np.asarray(seed)).normal(0, 0.3, xb.shape), 0, 1).astype(np.float32)


class Models:
    """Tiny models, built once."""

    def __init__(self):
        keras.utils.set_random_seed(0)
        self.dec2 = vae.build_decoder(2, widths=(2, 4), hidden=8)
        self.dec3 = vae.build_decoder(3, widths=(2, 4), hidden=8)
        self.enc2 = vae.build_encoder(2, widths=(2, 4), hidden=8)
        self.ae = autoencoder.build_autoencoder(2, widths=(2, 2))
        self.pca = pca.fit_pca(IMG, 2)
        self.cenc2 = vae.build_encoder(2, widths=(2, 4), hidden=8, n_classes=10)
        self.cdec2 = vae.build_decoder(2, widths=(2, 4), hidden=8, n_classes=10)


@pytest.fixture(scope="module")
def m():
    return Models()


def ae_build():
    return autoencoder.build_autoencoder(2, widths=(2, 2))


# (module, id, call, exception, argument named in the message)
CASES = [
    # ------------------------------------------------------------------ metrics
    ("metrics", "psnr one image", lambda m: metrics.psnr(ONE, ONE), ValueError, "clean"),
    ("metrics", "psnr uint8", lambda m: metrics.psnr(U8, U8), ValueError, "clean"),
    ("metrics", "psnr uint8 estimate", lambda m: metrics.psnr(IMG, U8), ValueError, "estimate"),
    ("metrics", "psnr nan", lambda m: metrics.psnr(WITH_NAN, IMG), ValueError, "clean"),
    ("metrics", "psnr inf estimate", lambda m: metrics.psnr(IMG, WITH_INF), ValueError, "estimate"),
    ("metrics", "psnr estimate > 1", lambda m: metrics.psnr(IMG, IMG + 0.5), ValueError, "estimate"),
    ("metrics", "psnr negative clean", lambda m: metrics.psnr(IMG - 0.5, IMG), ValueError, "clean"),
    ("metrics", "psnr shapes", lambda m: metrics.psnr(IMG, IMG[:3]), ValueError, "estimate"),
    ("metrics", "psnr channel axis", lambda m: metrics.psnr(IMG, IMG[..., 0]), ValueError, "estimate"),
    ("metrics", "psnr peak 0", lambda m: metrics.psnr(IMG, IMG, peak=0), ValueError, "peak"),
    ("metrics", "psnr peak nan", lambda m: metrics.psnr(IMG, IMG, peak=NAN), ValueError, "peak"),
    ("metrics", "psnr peak str", lambda m: metrics.psnr(IMG, IMG, peak="1"), TypeError, "peak"),
    ("metrics", "psnr peak 255 on [0, 1]", lambda m: metrics.psnr(IMG, IMG * 0.9, peak=255), ValueError, "peak"),
    ("metrics", "psnr per_image str", lambda m: metrics.psnr(IMG, IMG, per_image="yes"), TypeError, "per_image"),
    ("metrics", "psnr strings", lambda m: metrics.psnr("a", "b"), TypeError, "clean"),
    ("metrics", "psnr empty", lambda m: metrics.psnr(IMG[:0], IMG[:0]), ValueError, "clean"),
    ("metrics", "sse one image", lambda m: metrics.sse_per_image(ONE, ONE), ValueError, "x"),
    ("metrics", "sse uint8", lambda m: metrics.sse_per_image(U8, IMG), ValueError, "x"),
    ("metrics", "sse broadcast", lambda m: metrics.sse_per_image(IMG[..., 0], IMG), ValueError, "x"),
    ("metrics", "sse nan x_hat", lambda m: metrics.sse_per_image(IMG, WITH_NAN), ValueError, "x_hat"),
    ("metrics", "sse 1-D", lambda m: metrics.sse_per_image(np.zeros(4), np.zeros(4)), ValueError, "x"),
    ("metrics", "sse object dtype", lambda m: metrics.sse_per_image(np.array([None] * 4), IMG), TypeError, "x"),
    ("metrics", "sse shapes", lambda m: metrics.sse_per_image(IMG, IMG[:2]), ValueError, "x_hat"),
    # ------------------------------------------------------------------ noise
    ("noise", "gaussian sigma -1", lambda m: noise.gaussian_noise(IMG, -1.0), ValueError, "sigma"),
    ("noise", "gaussian sigma nan", lambda m: noise.gaussian_noise(IMG, NAN), ValueError, "sigma"),
    ("noise", "gaussian sigma inf", lambda m: noise.gaussian_noise(IMG, INF), ValueError, "sigma"),
    ("noise", "gaussian sigma str", lambda m: noise.gaussian_noise(IMG, "0.5"), TypeError, "sigma"),
    ("noise", "gaussian uint8", lambda m: noise.gaussian_noise(U8, 0.5), ValueError, "images"),
    ("noise", "gaussian nan pixels", lambda m: noise.gaussian_noise(WITH_NAN, 0.5), ValueError, "images"),
    ("noise", "gaussian 1-D", lambda m: noise.gaussian_noise(np.zeros(5), 0.5), ValueError, "images"),
    ("noise", "gaussian 5-D", lambda m: noise.gaussian_noise(IMG[None], 0.5), ValueError, "images"),
    ("noise", "gaussian seed -1", lambda m: noise.gaussian_noise(IMG, 0.5, seed=-1), ValueError, "seed"),
    ("noise", "gaussian seed float", lambda m: noise.gaussian_noise(IMG, 0.5, seed=1.5), TypeError, "seed"),
    ("noise", "gaussian sigma 25", lambda m: noise.gaussian_noise(IMG, 25), ValueError, "sigma"),
    ("noise", "corruption sigma 25", lambda m: noise.gaussian_corruption(25), ValueError, "sigma"),
    ("noise", "corruption sigma str", lambda m: noise.gaussian_corruption("0.5"), TypeError, "sigma"),
    ("noise", "gaussian filter radius -1", lambda m: noise.gaussian_filter(IMG, 1.0, radius=-1), ValueError,
     "radius"),
    ("noise", "gaussian filter radius 1.5", lambda m: noise.gaussian_filter(IMG, 1.0, radius=1.5), TypeError,
     "radius"),
    ("noise", "mask fraction 2", lambda m: noise.mask_pixels(IMG, 2), ValueError, "fraction"),
    ("noise", "mask fraction None", lambda m: noise.mask_pixels(IMG, None), TypeError, "fraction"),
    ("noise", "mask uint8", lambda m: noise.mask_pixels(U8, 0.5), ValueError, "images"),
    ("noise", "gaussian filter sigma -1", lambda m: noise.gaussian_filter(IMG, -1), ValueError, "sigma"),
    ("noise", "gaussian filter colour", lambda m: noise.gaussian_filter(np.zeros((2, 8, 8, 3)), 1.0),
     ValueError, "images"),
    ("noise", "gaussian filter nan", lambda m: noise.gaussian_filter(WITH_NAN, 1.0), ValueError, "images"),
    ("noise", "median size 3.0", lambda m: noise.median_filter(IMG, size=3.0), TypeError, "size"),
    ("noise", "median size 2", lambda m: noise.median_filter(IMG, size=2), ValueError, "size"),
    ("noise", "median size 0", lambda m: noise.median_filter(IMG, size=0), ValueError, "size"),
    ("noise", "median size str", lambda m: noise.median_filter(IMG, size="3"), TypeError, "size"),
    ("noise", "median uint8", lambda m: noise.median_filter(U8), ValueError, "images"),
    ("noise", "median empty", lambda m: noise.median_filter(IMG[:0]), ValueError, "images"),
    # ------------------------------------------------------------------ pca
    ("pca", "fit one image", lambda m: pca.fit_pca(IMG[:1], 1), ValueError, "images"),
    ("pca", "fit uint8", lambda m: pca.fit_pca(U8, 2), ValueError, "images"),
    ("pca", "fit nan", lambda m: pca.fit_pca(WITH_NAN, 2), ValueError, "images"),
    ("pca", "fit k 0", lambda m: pca.fit_pca(IMG, 0), ValueError, "n_components"),
    ("pca", "fit k too large", lambda m: pca.fit_pca(SMALL, 17), ValueError, "n_components"),
    ("pca", "fit k float", lambda m: pca.fit_pca(IMG, 2.0), TypeError, "n_components"),
    ("pca", "fit k bool", lambda m: pca.fit_pca(IMG, True), TypeError, "n_components"),
    ("pca", "fit strings", lambda m: pca.fit_pca("images", 2), TypeError, "images"),
    ("pca", "encode wrong size", lambda m: m.pca.encode(SMALL), ValueError, "images"),
    ("pca", "encode nan", lambda m: m.pca.encode(WITH_NAN), ValueError, "images"),
    ("pca", "encode uint8", lambda m: m.pca.encode(U8), ValueError, "images"),
    ("pca", "decode wrong k", lambda m: m.pca.decode(np.zeros((3, 5))), ValueError, "z"),
    ("pca", "decode inf", lambda m: m.pca.decode(np.full((3, 2), INF)), ValueError, "z"),
    ("pca", "truncate 3", lambda m: m.pca.truncate(3), ValueError, "n_components"),
    # ------------------------------------------------------------------ transpose_conv
    ("transpose_conv", "kernel 1-D", lambda m: transpose_conv.conv_matrix([1, 2], (3, 3)), ValueError, "kernel"),
    ("transpose_conv", "kernel str", lambda m: transpose_conv.conv_matrix([["a"]], (3, 3)), TypeError, "kernel"),
    ("transpose_conv", "kernel nan", lambda m: transpose_conv.conv_matrix([[NAN]], (3, 3)), ValueError, "kernel"),
    ("transpose_conv", "kernel empty", lambda m: transpose_conv.conv_matrix(np.zeros((0, 2)), (3, 3)),
     ValueError, "kernel"),
    ("transpose_conv", "kernel bool", lambda m: transpose_conv.conv_matrix([[True]], (3, 3)), TypeError, "kernel"),
    ("transpose_conv", "shape 3 entries", lambda m: transpose_conv.conv_matrix([[1]], (3, 3, 1)),
     ValueError, "input_shape"),
    ("transpose_conv", "shape float", lambda m: transpose_conv.conv_matrix([[1]], (3.0, 3)), TypeError,
     "input_shape"),
    ("transpose_conv", "shape 0", lambda m: transpose_conv.conv_matrix([[1]], (0, 3)), ValueError, "input_shape"),
    ("transpose_conv", "strides 0", lambda m: transpose_conv.conv_matrix([[1]], (3, 3), strides=0), ValueError,
     "strides"),
    ("transpose_conv", "strides str", lambda m: transpose_conv.conv_matrix([[1]], (3, 3), strides="2"), TypeError,
     "strides"),
    ("transpose_conv", "strides triple", lambda m: transpose_conv.conv_matrix([[1]], (3, 3), strides=(1, 1, 1)),
     ValueError, "strides"),
    ("transpose_conv", "padding full", lambda m: transpose_conv.conv_matrix([[1]], (3, 3), padding="full"),
     ValueError, "padding"),
    ("transpose_conv", "padding None", lambda m: transpose_conv.conv_matrix([[1]], (3, 3), padding=None),
     ValueError, "padding"),
    ("transpose_conv", "kernel ragged", lambda m: transpose_conv.conv_matrix([[1, 2], [3]], (3, 3)), TypeError,
     "kernel"),
    ("transpose_conv", "kernel 2 x 0", lambda m: transpose_conv.conv_matrix(np.zeros((2, 0)), (3, 3)), ValueError,
     "kernel"),
    ("transpose_conv", "shape int", lambda m: transpose_conv.conv_matrix([[1]], 3), TypeError, "input_shape"),
    ("transpose_conv", "output_size k 0", lambda m: transpose_conv.output_size(5, 0), ValueError, "k"),
    ("transpose_conv", "output_size in float", lambda m: transpose_conv.output_size(5.5, 2), TypeError, "in_size"),
    ("transpose_conv", "same_padding s 0", lambda m: transpose_conv.same_padding(5, 3, 0), ValueError, "s"),
    ("transpose_conv", "transpose_output_size pad", lambda m: transpose_conv.transpose_output_size(2, 2, 1, "x"),
     ValueError, "padding"),
    # ------------------------------------------------------------------ autoencoder
    ("autoencoder", "encoder latent '2'", lambda m: autoencoder.build_encoder("2"), TypeError, "latent_size"),
    ("autoencoder", "encoder latent 0", lambda m: autoencoder.build_encoder(0), ValueError, "latent_size"),
    ("autoencoder", "encoder latent 2.5", lambda m: autoencoder.build_encoder(2.5), TypeError, "latent_size"),
    ("autoencoder", "encoder latent True", lambda m: autoencoder.build_encoder(True), TypeError, "latent_size"),
    ("autoencoder", "encoder widths ()", lambda m: autoencoder.build_encoder(2, widths=()), ValueError, "widths"),
    ("autoencoder", "encoder widths 0", lambda m: autoencoder.build_encoder(2, widths=(8, 0)), ValueError,
     "widths"),
    ("autoencoder", "encoder widths str", lambda m: autoencoder.build_encoder(2, widths="16"), TypeError,
     "widths"),
    ("autoencoder", "encoder widths float", lambda m: autoencoder.build_encoder(2, widths=(8.0,)), TypeError,
     "widths"),
    ("autoencoder", "encoder image 30", lambda m: autoencoder.build_encoder(2, image_shape=(30, 30, 1)),
     ValueError, "image_shape"),
    ("autoencoder", "encoder image 2-D", lambda m: autoencoder.build_encoder(2, image_shape=(28, 28)),
     ValueError, "image_shape"),
    ("autoencoder", "encoder image 0 channels", lambda m: autoencoder.build_encoder(2, image_shape=(28, 28, 0)),
     ValueError, "image_shape"),
    ("autoencoder", "encoder kernel 0", lambda m: autoencoder.build_encoder(2, kernel_size=0), ValueError,
     "kernel_size"),
    ("autoencoder", "decoder latent -1", lambda m: autoencoder.build_decoder(-1), ValueError, "latent_size"),
    ("autoencoder", "decoder activation", lambda m: autoencoder.build_decoder(2, output_activation="tanhh"),
     ValueError, "output_activation"),
    ("autoencoder", "autoencoder latent None", lambda m: autoencoder.build_autoencoder(None), TypeError,
     "latent_size"),
    ("autoencoder", "predict uint8", lambda m: autoencoder.predict_in_batches(m.ae, U8), ValueError, "x"),
    ("autoencoder", "predict one image", lambda m: autoencoder.predict_in_batches(m.ae, ONE), ValueError, "x"),
    ("autoencoder", "predict nan", lambda m: autoencoder.predict_in_batches(m.ae, WITH_NAN), ValueError, "x"),
    ("autoencoder", "predict batch 0", lambda m: autoencoder.predict_in_batches(m.ae, IMG, batch_size=0),
     ValueError, "batch_size"),
    ("autoencoder", "predict model str", lambda m: autoencoder.predict_in_batches("ae", IMG), TypeError, "model"),
    ("autoencoder", "train uint8", lambda m: autoencoder.train_autoencoder(2, U8), ValueError, "x"),
    ("autoencoder", "train nan", lambda m: autoencoder.train_autoencoder(2, WITH_NAN), ValueError, "x"),
    ("autoencoder", "train y one image", lambda m: autoencoder.train_autoencoder(2, IMG, ONE), ValueError, "y"),
    ("autoencoder", "train latent 0", lambda m: autoencoder.train_autoencoder(0, IMG), ValueError, "latent_size"),
    ("autoencoder", "train epochs 0", lambda m: autoencoder.train_autoencoder(2, IMG, epochs=0), ValueError,
     "epochs"),
    ("autoencoder", "train lr inf", lambda m: autoencoder.train_autoencoder(2, IMG, batch_size=2, learning_rate=INF),
     ValueError, "learning_rate"),
    ("autoencoder", "train corrupt str", lambda m: autoencoder.train_autoencoder(2, IMG, batch_size=2, corrupt="noise"),
     TypeError, "corrupt"),
    # ------------------------------------------------------------------ training
    ("training", "train_model build str", lambda m: training.train_model("ae", IMG, IMG, epochs=1), TypeError,
     "build_model"),
    ("training", "train_model x nan", lambda m: training.train_model(ae_build, WITH_NAN, IMG, epochs=1),
     ValueError, "x"),
    ("training", "train_model x inf", lambda m: training.train_model(ae_build, WITH_INF, IMG, epochs=1),
     ValueError, "x"),
    ("training", "train_model y nan", lambda m: training.train_model(ae_build, IMG, WITH_NAN, epochs=1),
     ValueError, "y"),
    ("training", "train_model x 1-D", lambda m: training.train_model(ae_build, np.zeros(4), None, epochs=1),
     ValueError, "x"),
    ("training", "train_model lengths", lambda m: training.train_model(ae_build, IMG, IMG[:2], epochs=1),
     ValueError, "y"),
    ("training", "train_model epochs 0", lambda m: training.train_model(ae_build, IMG, IMG, epochs=0),
     ValueError, "epochs"),
    ("training", "train_model epochs 1.5", lambda m: training.train_model(ae_build, IMG, IMG, epochs=1.5),
     TypeError, "epochs"),
    ("training", "train_model batch 5 > n", lambda m: training.train_model(ae_build, IMG, IMG, epochs=1,
                                                                            batch_size=5), ValueError, "batch_size"),
    ("training", "train_model lr inf", lambda m: training.train_model(ae_build, IMG, IMG, epochs=1, batch_size=2,
                                                                       learning_rate=INF), ValueError,
     "learning_rate"),
    ("training", "train_model lr nan", lambda m: training.train_model(ae_build, IMG, IMG, epochs=1, batch_size=2,
                                                                       learning_rate=NAN), ValueError,
     "learning_rate"),
    ("training", "train_model lr 0", lambda m: training.train_model(ae_build, IMG, IMG, epochs=1, batch_size=2,
                                                                     learning_rate=0), ValueError, "learning_rate"),
    ("training", "train_model schedule", lambda m: training.train_model(ae_build, IMG, IMG, epochs=1, batch_size=2,
                                                                         schedule="step"), ValueError, "schedule"),
    ("training", "train_model seed -1", lambda m: training.train_model(ae_build, IMG, IMG, epochs=1, batch_size=2, seed=-1),
     ValueError, "seed"),
    ("training", "train_model progress", lambda m: training.train_model(ae_build, IMG, IMG, epochs=1, batch_size=2,
                                                                         progress="yes"), TypeError, "progress"),
    ("training", "train_model validation (x,)", lambda m: training.train_model(
        ae_build, IMG, IMG, epochs=1, batch_size=2, validation_data=(IMG,)), ValueError, "validation_data"),
    ("training", "train_model validation array", lambda m: training.train_model(
        ae_build, IMG, IMG, epochs=1, batch_size=2, validation_data=IMG), TypeError, "validation_data"),
    ("training", "train_model validation nan", lambda m: training.train_model(
        ae_build, IMG, IMG, epochs=1, batch_size=2, validation_data=(WITH_NAN, IMG)), ValueError, "validation_data"),
    ("training", "train_model callbacks", lambda m: training.train_model(
        ae_build, IMG, IMG, epochs=1, batch_size=2, callbacks=keras.callbacks.History()), TypeError, "callbacks"),
    ("training", "train_model numpy noise in pipeline", lambda m: training.train_model(
        ae_build, IMG, IMG, epochs=1, batch_size=2, corrupt=training.in_pipeline(numpy_noise_in_pipeline)),
     ValueError, "corrupt"),
    ("training", "train_model numpy code in pipeline", lambda m: training.train_model(
        ae_build, IMG, IMG, epochs=1, batch_size=2, corrupt=training.in_pipeline(numpy_only_in_pipeline)),
     TypeError, "corrupt"),
    ("training", "train_model cross-entropy on 0..255", lambda m: training.train_model(
        ae_build, IMG, F255, epochs=1, batch_size=2, loss=training.sum_cross_entropy), ValueError, "y"),
    ("training", "cross-entropy targets 255", lambda m: training.sum_cross_entropy(
        F255, keras.ops.convert_to_tensor(IMG)), ValueError, "y_true"),
    ("training", "cross-entropy targets -1", lambda m: training.sum_cross_entropy(
        IMG - 1, keras.ops.convert_to_tensor(IMG)), ValueError, "y_true"),
    ("training", "train_model batch 2.5", lambda m: training.train_model(ae_build, IMG, IMG, epochs=1, batch_size=2.5),
     TypeError, "batch_size"),
    ("training", "train_model adam_betas 1", lambda m: training.train_model(
        ae_build, IMG, IMG, epochs=1, batch_size=2, adam_betas=(0.9, 1.0)), ValueError, "adam_betas"),
    ("training", "schedule steps 0", lambda m: training.learning_rate_schedule(1e-3, 0), ValueError,
     "total_steps"),
    ("training", "schedule warmup 1", lambda m: training.learning_rate_schedule(1e-3, 10, warmup_fraction=1.0),
     ValueError, "warmup_fraction"),
    ("training", "schedule lr -1", lambda m: training.learning_rate_schedule(-1, 10), ValueError, "learning_rate"),
    ("training", "batches batch 0", lambda m: training.batches(IMG, None, 0), ValueError, "batch_size"),
    ("training", "sse broadcast", lambda m: training.sum_squared_error(IMG[..., 0], keras.ops.convert_to_tensor(IMG)),
     ValueError, "y_true"),
    # ------------------------------------------------------------------ vae
    ("vae", "kl shapes", lambda m: vae.kl_divergence(np.zeros((3, 2)), np.zeros((3, 4))), ValueError, "mu"),
    ("vae", "kl scalars", lambda m: vae.kl_divergence(1.0, 1.0), ValueError, "mu"),
    ("vae", "kl nan", lambda m: vae.kl_divergence(np.full((2, 2), NAN), np.zeros((2, 2))), ValueError, "mu"),
    ("vae", "kl log_var inf", lambda m: vae.kl_divergence(np.zeros((2, 2)), np.full((2, 2), INF)), ValueError,
     "log_var"),
    ("vae", "bernoulli shapes", lambda m: vae.bernoulli_log_likelihood(IMG[..., 0], keras.ops.zeros(IMG.shape)),
     ValueError, "x"),
    ("vae", "encoder latent '2'", lambda m: vae.build_encoder("2"), TypeError, "latent_size"),
    ("vae", "encoder latent 2.5", lambda m: vae.build_encoder(2.5), TypeError, "latent_size"),
    ("vae", "encoder hidden 0", lambda m: vae.build_encoder(2, hidden=0), ValueError, "hidden"),
    ("vae", "encoder image", lambda m: vae.build_encoder(2, image_shape=(28, 28)), ValueError, "image_shape"),
    ("vae", "decoder latent 2.5", lambda m: vae.build_decoder(2.5), TypeError, "latent_size"),
    ("vae", "decoder latent 0", lambda m: vae.build_decoder(0), ValueError, "latent_size"),
    ("vae", "decoder widths 0", lambda m: vae.build_decoder(2, widths=(0, 1)), ValueError, "widths"),
    ("vae", "decoder channels=1", lambda m: vae.build_decoder(2, channels=1), TypeError, "channels"),
    ("vae", "decoder final kernel", lambda m: vae.build_decoder(2, final_kernel=0), ValueError, "final_kernel"),
    ("vae", "build_vae seed -1", lambda m: vae.build_vae(2, seed=-1), ValueError, "seed"),
    ("vae", "build_vae latent str", lambda m: vae.build_vae("2"), TypeError, "latent_size"),
    ("vae", "binarize threshold 1.5", lambda m: vae.binarize(IMG, 1.5), ValueError, "threshold"),
    ("vae", "binarize threshold -0.5", lambda m: vae.binarize(IMG, -0.5), ValueError, "threshold"),
    ("vae", "binarize threshold nan", lambda m: vae.binarize(IMG, NAN), ValueError, "threshold"),
    ("vae", "binarize nan pixels", lambda m: vae.binarize(WITH_NAN), ValueError, "images"),
    ("vae", "binarize uint8", lambda m: vae.binarize(U8), ValueError, "images"),
    ("vae", "pixel_probabilities p", lambda m: vae.pixel_probabilities(m.dec2, np.zeros((4, 3))), ValueError, "z"),
    ("vae", "pixel_probabilities nan", lambda m: vae.pixel_probabilities(m.dec2, [NAN, 0.0]), ValueError, "z"),
    ("vae", "pixel_probabilities 3-D", lambda m: vae.pixel_probabilities(m.dec2, np.zeros((1, 1, 2))),
     ValueError, "z"),
    ("vae", "pixel_probabilities decoder", lambda m: vae.pixel_probabilities("dec", [0.0, 0.0]), TypeError,
     "decoder"),
    ("vae", "latent_size_of layer", lambda m: vae.latent_size_of(keras.layers.Dense(2)), TypeError, "decoder"),
    ("vae", "elbo (N, 28, 28)", lambda m: vae.evaluate_elbo(m.enc2, m.dec2, IMG[..., 0]), ValueError, "x"),
    ("vae", "elbo uint8", lambda m: vae.evaluate_elbo(m.enc2, m.dec2, U8), ValueError, "x"),
    ("vae", "elbo one image", lambda m: vae.evaluate_elbo(m.enc2, m.dec2, ONE), ValueError, "x"),
    ("vae", "elbo n_samples 0", lambda m: vae.evaluate_elbo(m.enc2, m.dec2, IMG, n_samples=0), ValueError,
     "n_samples"),
    ("vae", "elbo batch 0", lambda m: vae.evaluate_elbo(m.enc2, m.dec2, IMG, batch_size=0), ValueError,
     "batch_size"),
    ("vae", "elbo latent sizes", lambda m: vae.evaluate_elbo(m.enc2, m.dec3, IMG), ValueError, "encoder"),
    ("vae", "elbo wrong image size", lambda m: vae.evaluate_elbo(m.enc2, m.dec2, SMALL), ValueError, "x"),
    ("vae", "elbo encoder str", lambda m: vae.evaluate_elbo("enc", m.dec2, IMG), TypeError, "encoder"),
    ("vae", "is one image", lambda m: vae.importance_sampled_log_likelihood(m.enc2, m.dec2, ONE), ValueError, "x"),
    ("vae", "is k 0", lambda m: vae.importance_sampled_log_likelihood(m.enc2, m.dec2, IMG, k=0), ValueError, "k"),
    ("vae", "is k float", lambda m: vae.importance_sampled_log_likelihood(m.enc2, m.dec2, IMG, k=2.0), TypeError,
     "k"),
    ("vae", "is seed -1", lambda m: vae.importance_sampled_log_likelihood(m.enc2, m.dec2, IMG, seed=-1),
     ValueError, "seed"),
    ("vae", "is decoder dense", lambda m: vae.importance_sampled_log_likelihood(m.enc2, m.ae, IMG), TypeError,
     "decoder"),
    ("vae", "train_vae uint8", lambda m: vae.train_vae(2, U8), ValueError, "x"),
    ("vae", "train_vae nan", lambda m: vae.train_vae(2, WITH_NAN), ValueError, "x"),
    ("vae", "train_vae latent 0", lambda m: vae.train_vae(0, IMG), ValueError, "latent_size"),
    ("vae", "train_vae lr inf", lambda m: vae.train_vae(2, IMG, batch_size=2, learning_rate=INF), ValueError, "learning_rate"),
    ("vae", "train_vae batch 1000", lambda m: vae.train_vae(2, IMG, batch_size=1000), ValueError, "batch_size"),
    ("vae", "encoder n_classes 1", lambda m: vae.build_encoder(2, n_classes=1), ValueError, "n_classes"),
    ("vae", "decoder n_classes 2.5", lambda m: vae.build_decoder(2, n_classes=2.5), TypeError, "n_classes"),
    ("vae", "decoder widths to 24x24", lambda m: vae.build_decoder(2, widths=(8, 16, 32)), ValueError, "widths"),
    ("vae", "pixel_probabilities conditional", lambda m: vae.pixel_probabilities(m.cdec2, [0.0, 0.0]), ValueError,
     "decoder"),
    ("vae", "elbo conditional pair", lambda m: vae.evaluate_elbo(m.cenc2, m.cdec2, BIN), ValueError, "encoder"),
    ("vae", "elbo mixed pair", lambda m: vae.evaluate_elbo(m.enc2, m.cdec2, BIN), ValueError, "encoder"),
    ("vae", "is conditional pair", lambda m: vae.importance_sampled_log_likelihood(m.cenc2, m.cdec2, BIN), ValueError,
     "encoder"),
    ("vae", "elbo_parts y rows", lambda m: vae.elbo_parts(m.cenc2, m.cdec2, BIN, ONEHOT[:3]), ValueError, "y"),
    ("vae", "train_vae seed 1.5", lambda m: vae.train_vae(2, BIN, seed=1.5), TypeError, "seed"),
    ("vae", "train_vae batch 2.5", lambda m: vae.train_vae(2, BIN, batch_size=2.5), TypeError, "batch_size"),
    # ------------------------------------------------------------------ cvae
    ("cvae", "train_cvae uint8", lambda m: cvae.train_cvae(2, U8, DIGITS), ValueError, "x"),
    ("cvae", "train_cvae 0..255 floats", lambda m: cvae.train_cvae(2, F255, DIGITS), ValueError, "x"),
    ("cvae", "train_beta_vae uint8", lambda m: cvae.train_beta_vae(2, U8, beta=1.0), ValueError, "x"),
    ("cvae", "elbo_terms uint8", lambda m: cvae.elbo_terms(m.cenc2, m.cdec2, U8, DIGITS), ValueError, "x"),
    ("cvae", "elbo_terms 0..255 unconditional", lambda m: cvae.elbo_terms(m.enc2, m.dec2, F255), ValueError, "x"),
    ("cvae", "encoder_means uint8", lambda m: cvae.encoder_means(m.enc2, U8), ValueError, "x"),
    ("cvae", "kl_per_unit one image", lambda m: cvae.kl_per_unit(m.enc2, BIN[0]), ValueError, "x"),
    ("cvae", "train_cvae two-hot rows", lambda m: cvae.train_cvae(2, BIN, TWO_HOT), ValueError, "labels"),
    ("cvae", "train_cvae half-hot rows", lambda m: cvae.train_cvae(2, BIN, HALF_HOT), ValueError, "labels"),
    ("cvae", "train_cvae rows of 3", lambda m: cvae.train_cvae(2, BIN, np.eye(3)[[0, 1, 2, 0]]), ValueError,
     "labels"),
    ("cvae", "train_cvae labels 10", lambda m: cvae.train_cvae(2, BIN, [0, 1, 2, 10]), ValueError, "labels"),
    ("cvae", "train_cvae labels 2.5", lambda m: cvae.train_cvae(2, BIN, [0, 1, 2, 2.5]), ValueError, "labels"),
    ("cvae", "train_cvae labels str", lambda m: cvae.train_cvae(2, BIN, "0123"), TypeError, "labels"),
    ("cvae", "train_cvae 3 labels", lambda m: cvae.train_cvae(2, BIN, DIGITS[:3]), ValueError, "labels"),
    ("cvae", "train_cvae labels forgotten", lambda m: cvae.train_cvae(2, BIN, None), TypeError, "labels"),
    ("cvae", "elbo_terms two-hot rows", lambda m: cvae.elbo_terms(m.cenc2, m.cdec2, BIN, TWO_HOT), ValueError,
     "labels"),
    ("cvae", "build_cvae n_classes 0", lambda m: cvae.build_cvae(2, n_classes=0), ValueError, "n_classes"),
    ("cvae", "build_cvae n_classes 2.5", lambda m: cvae.build_cvae(2, n_classes=2.5), TypeError, "n_classes"),
    ("cvae", "one_hot n_classes 0", lambda m: cvae.one_hot([0], 0), ValueError, "n_classes"),
    ("cvae", "one_hot 1e20", lambda m: cvae.one_hot(1e20), ValueError, "labels"),
    ("cvae", "one_hot [1e20]", lambda m: cvae.one_hot([1e20]), ValueError, "labels"),
    ("cvae", "one_hot nan", lambda m: cvae.one_hot([0, NAN]), ValueError, "labels"),
    ("cvae", "one_hot -1", lambda m: cvae.one_hot([-1, 2]), ValueError, "labels"),
    ("cvae", "build_cvae latent 2.5", lambda m: cvae.build_cvae(2.5), TypeError, "latent_size"),
    ("cvae", "build_cvae seed 1.5", lambda m: cvae.build_cvae(2, seed=1.5), TypeError, "seed"),
    ("cvae", "build_beta_vae seed -1", lambda m: cvae.build_beta_vae(2, 1.0, seed=-1), ValueError, "seed"),
    ("cvae", "build_beta_vae beta inf", lambda m: cvae.build_beta_vae(2, INF), ValueError, "beta"),
    ("cvae", "train_beta_vae beta -1", lambda m: cvae.train_beta_vae(2, BIN, beta=-1), ValueError, "beta"),
    ("cvae", "train_beta_vae beta nan", lambda m: cvae.train_beta_vae(2, BIN, beta=NAN), ValueError, "beta"),
    ("cvae", "train_beta_vae beta str", lambda m: cvae.train_beta_vae(2, BIN, beta="big"), TypeError, "beta"),
    ("cvae", "train_cvae seed 1.5", lambda m: cvae.train_cvae(2, BIN, DIGITS, seed=1.5), TypeError, "seed"),
    ("cvae", "train_beta_vae seed 1.5", lambda m: cvae.train_beta_vae(2, BIN, beta=1.0, seed=1.5), TypeError,
     "seed"),
    ("cvae", "train_cvae epochs 2.5", lambda m: cvae.train_cvae(2, BIN, DIGITS, epochs=2.5), TypeError, "epochs"),
    ("cvae", "train_cvae batch 0", lambda m: cvae.train_cvae(2, BIN, DIGITS, batch_size=0), ValueError,
     "batch_size"),
    ("cvae", "train_cvae batch -1", lambda m: cvae.train_cvae(2, BIN, DIGITS, batch_size=-1), ValueError,
     "batch_size"),
    ("cvae", "train_cvae batch 2.5", lambda m: cvae.train_cvae(2, BIN, DIGITS, batch_size=2.5), TypeError,
     "batch_size"),
    ("cvae", "train_beta_vae batch 0", lambda m: cvae.train_beta_vae(2, BIN, beta=1.0, batch_size=0), ValueError,
     "batch_size"),
    ("cvae", "train_cvae lr 0", lambda m: cvae.train_cvae(2, BIN, DIGITS, batch_size=2, learning_rate=0),
     ValueError, "learning_rate"),
    ("cvae", "train_cvae latent 0", lambda m: cvae.train_cvae(0, BIN, DIGITS), ValueError, "latent_size"),
    ("cvae", "elbo_terms n_samples 1.9", lambda m: cvae.elbo_terms(m.enc2, m.dec2, BIN, n_samples=1.9), TypeError,
     "n_samples"),
    ("cvae", "elbo_terms n_samples 0", lambda m: cvae.elbo_terms(m.enc2, m.dec2, BIN, n_samples=0), ValueError,
     "n_samples"),
    ("cvae", "elbo_terms batch 0", lambda m: cvae.elbo_terms(m.enc2, m.dec2, BIN, batch_size=0), ValueError,
     "batch_size"),
    ("cvae", "elbo_terms batch -1", lambda m: cvae.elbo_terms(m.enc2, m.dec2, BIN, batch_size=-1), ValueError,
     "batch_size"),
    ("cvae", "elbo_terms batch 2.5", lambda m: cvae.elbo_terms(m.enc2, m.dec2, BIN, batch_size=2.5), TypeError,
     "batch_size"),
    ("cvae", "elbo_terms seed 1.5", lambda m: cvae.elbo_terms(m.enc2, m.dec2, BIN, seed=1.5), TypeError, "seed"),
    ("cvae", "elbo_terms labels forgotten", lambda m: cvae.elbo_terms(m.cenc2, m.cdec2, BIN), ValueError, "labels"),
    ("cvae", "elbo_terms extra labels", lambda m: cvae.elbo_terms(m.enc2, m.dec2, BIN, DIGITS), ValueError,
     "labels"),
    ("cvae", "elbo_terms latent sizes", lambda m: cvae.elbo_terms(m.enc2, m.dec3, BIN), ValueError, "encoder"),
    ("cvae", "conditional elbo labels None", lambda m: cvae.evaluate_conditional_elbo(m.cenc2, m.cdec2, BIN, None),
     ValueError, "labels"),
    ("cvae", "kl_per_unit labels forgotten", lambda m: cvae.kl_per_unit(m.cenc2, BIN), ValueError, "labels"),
    ("cvae", "kl_per_unit batch 0", lambda m: cvae.kl_per_unit(m.enc2, BIN, batch_size=0), ValueError, "batch_size"),
    ("cvae", "encoder_means extra labels", lambda m: cvae.encoder_means(m.enc2, BIN, DIGITS), ValueError, "labels"),
    ("cvae", "encoder_means batch 2.5", lambda m: cvae.encoder_means(m.enc2, BIN, batch_size=2.5), TypeError,
     "batch_size"),
    ("cvae", "encoder_means wrong image size", lambda m: cvae.encoder_means(m.enc2, SMALL), ValueError, "x"),
    ("cvae", "encoder_means encoder str", lambda m: cvae.encoder_means("enc", BIN), TypeError, "encoder"),
    ("cvae", "decode z nan", lambda m: cvae.decode_conditional(m.cdec2, [NAN, 0.0], [1]), ValueError, "z"),
    ("cvae", "decode z length", lambda m: cvae.decode_conditional(m.cdec2, [0.0, 0.0, 0.0], [1]), ValueError, "z"),
    ("cvae", "decode digit 3.7", lambda m: cvae.decode_conditional(m.cdec2, [0.0, 0.0], 3.7), ValueError, "digits"),
    ("cvae", "decode digit 10", lambda m: cvae.decode_conditional(m.cdec2, [0.0, 0.0], [10]), ValueError, "digits"),
    ("cvae", "decode digits empty", lambda m: cvae.decode_conditional(m.cdec2, [0.0, 0.0], []), ValueError, "digits"),
    ("cvae", "decode pairs", lambda m: cvae.decode_conditional(m.cdec2, np.zeros((3, 2)), [1, 2]), ValueError,
     "digits"),
    ("cvae", "decode unconditional decoder", lambda m: cvae.decode_conditional(m.dec2, [0.0, 0.0], [1]), ValueError,
     "decoder"),
    ("cvae", "decode n_classes mismatch", lambda m: cvae.decode_conditional(m.cdec2, [0.0, 0.0], [1], 5), ValueError,
     "n_classes"),
    ("cvae", "prior_samples n 2.5", lambda m: cvae.prior_samples(m.dec2, 2.5), TypeError, "n"),
    ("cvae", "prior_samples n 0", lambda m: cvae.prior_samples(m.dec2, 0), ValueError, "n"),
    ("cvae", "prior_samples seed -1", lambda m: cvae.prior_samples(m.dec2, 2, seed=-1), ValueError, "seed"),
    ("cvae", "prior_samples conditional decoder", lambda m: cvae.prior_samples(m.cdec2, 2), ValueError, "decoder"),
    ("cvae", "manifold conditional decoder", lambda m: cvae.manifold(m.cdec2), ValueError, "decoder"),
    ("cvae", "manifold units equal", lambda m: cvae.manifold(m.dec3, units=(0, 0)), ValueError, "units"),
    ("cvae", "manifold unit 3", lambda m: cvae.manifold(m.dec3, units=(0, 3)), ValueError, "units"),
    ("cvae", "manifold units 1.5", lambda m: cvae.manifold(m.dec3, units=(0, 1.5)), TypeError, "units"),
    ("cvae", "manifold units str", lambda m: cvae.manifold(m.dec3, units="01"), TypeError, "units"),
    ("cvae", "manifold n_grid 0", lambda m: cvae.manifold(m.dec2, n_grid=0), ValueError, "n_grid"),
    ("cvae", "manifold n_grid 2.5", lambda m: cvae.manifold(m.dec2, n_grid=2.5), TypeError, "n_grid"),
    ("cvae", "manifold limit 0", lambda m: cvae.manifold(m.dec2, limit=0), ValueError, "limit"),
    ("cvae", "manifold limit nan", lambda m: cvae.manifold(m.dec2, limit=NAN), ValueError, "limit"),
    ("cvae", "manifold base length", lambda m: cvae.manifold(m.dec2, base=[0.0]), ValueError, "base"),
    ("cvae", "active_units threshold -1", lambda m: cvae.active_units(MU, -1), ValueError, "threshold"),
    ("cvae", "active_units threshold str", lambda m: cvae.active_units(MU, "0.1"), TypeError, "threshold"),
    ("cvae", "active_units mu nan", lambda m: cvae.active_units(np.full((5, 2), NAN)), ValueError, "mu"),
    ("cvae", "active_units one image", lambda m: cvae.active_units(MU[:1]), ValueError, "mu"),
    # ------------------------------------------------------------------ widgets
    ("widgets", "decode_point nan", lambda m: widgets.decode_point(m.dec2, [NAN, 0.0]), ValueError, "z"),
    ("widgets", "decode_point inf", lambda m: widgets.decode_point(m.dec2, [INF, 0.0]), ValueError, "z"),
    ("widgets", "decode_point length", lambda m: widgets.decode_point(m.dec2, [0.0, 0.0, 0.0]), ValueError, "z"),
    ("widgets", "decode_point 2-D", lambda m: widgets.decode_point(m.dec2, [[0.0, 0.0]]), ValueError, "z"),
    ("widgets", "decode_point str", lambda m: widgets.decode_point(m.dec2, "00"), TypeError, "z"),
    ("widgets", "directions constant mu", lambda m: widgets.principal_directions(np.ones((20, 3)), 2), ValueError,
     "mu"),
    ("widgets", "directions nan mu", lambda m: widgets.principal_directions(np.full((20, 3), NAN), 2), ValueError,
     "mu"),
    ("widgets", "directions empty mu", lambda m: widgets.principal_directions(np.zeros((0, 3)), 2), ValueError,
     "mu"),
    ("widgets", "directions 1-D mu", lambda m: widgets.principal_directions(np.zeros(3), 2), ValueError, "mu"),
    ("widgets", "directions k 4", lambda m: widgets.principal_directions(MU, 4), ValueError, "n_components"),
    ("widgets", "explorer negative limit", lambda m: widgets.latent_explorer(m.dec2, MU[:, :2], limit=-3),
     ValueError, "limit"),
    ("widgets", "explorer nan limit", lambda m: widgets.latent_explorer(m.dec2, MU[:, :2], limit=NAN),
     ValueError, "limit"),
    ("widgets", "explorer step 0", lambda m: widgets.latent_explorer(m.dec2, MU[:, :2], step=0), ValueError,
     "step"),
    ("widgets", "explorer step > limit", lambda m: widgets.latent_explorer(m.dec2, MU[:, :2], step=5), ValueError,
     "step"),
    ("widgets", "explorer constant mu", lambda m: widgets.latent_explorer(m.dec2, np.zeros((10, 2))), ValueError,
     "mu"),
    ("widgets", "explorer nan mu", lambda m: widgets.latent_explorer(m.dec2, np.full((10, 2), NAN)), ValueError,
     "mu"),
    ("widgets", "explorer empty mu", lambda m: widgets.latent_explorer(m.dec2, np.zeros((0, 2))), ValueError,
     "mu"),
    ("widgets", "explorer mu p", lambda m: widgets.latent_explorer(m.dec2, MU), ValueError, "mu"),
    ("widgets", "explorer n_sliders 3", lambda m: widgets.latent_explorer(m.dec2, MU[:, :2], n_sliders=3),
     ValueError, "n_sliders"),
    ("widgets", "explorer labels", lambda m: widgets.latent_explorer(m.dec2, MU[:, :2], labels=[1, 2]),
     ValueError, "labels"),
    ("widgets", "explorer max_points 0", lambda m: widgets.latent_explorer(m.dec2, MU[:, :2], max_points=0),
     ValueError, "max_points"),
    ("widgets", "draw image range", lambda m: widgets.draw_latent_point(np.full((28, 28), 2.0), (0, 0), MU[:, :2]),
     ValueError, "image"),
    ("widgets", "draw point nan", lambda m: widgets.draw_latent_point(np.zeros((28, 28)), (NAN, 0), MU[:, :2]),
     ValueError, "point"),
    ("widgets", "draw scatter 3 columns", lambda m: widgets.draw_latent_point(np.zeros((28, 28)), (0, 0), MU),
     ValueError, "scatter_xy"),
    ("widgets", "draw limits reversed", lambda m: widgets.draw_latent_point(
        np.zeros((28, 28)), (0, 0), MU[:, :2], limits=((1, -1), (-1, 1))), ValueError, "limits"),
    # ------------------------------------------------------------------ plotting
    ("plotting", "show empty", lambda m: plotting.show_images(IMG[:0]), ValueError, "images"),
    ("plotting", "show uint8", lambda m: plotting.show_images(U8), ValueError, "images"),
    ("plotting", "show nan", lambda m: plotting.show_images(WITH_NAN), ValueError, "images"),
    ("plotting", "show colour", lambda m: plotting.show_images(np.zeros((2, 8, 8, 3))), ValueError, "images"),
    ("plotting", "show ncols 0", lambda m: plotting.show_images(IMG, ncols=0), ValueError, "ncols"),
    ("plotting", "show ncols float", lambda m: plotting.show_images(IMG, ncols=2.5), TypeError, "ncols"),
    ("plotting", "show titles", lambda m: plotting.show_images(IMG, titles=["a"]), ValueError, "titles"),
    ("plotting", "compare labels", lambda m: plotting.compare_rows([IMG, IMG], ["a"]), ValueError, "labels"),
    ("plotting", "compare rows array", lambda m: plotting.compare_rows(IMG, ["a"]), TypeError, "rows"),
    ("plotting", "compare rows uint8", lambda m: plotting.compare_rows([U8], ["a"]), ValueError, "rows"),
    ("plotting", "compare n 0", lambda m: plotting.compare_rows([IMG], ["a"], n=0), ValueError, "n"),
    ("plotting", "compare rows nan", lambda m: plotting.compare_rows([IMG, WITH_NAN], ["a", "b"]), ValueError, "rows"),
    ("plotting", "history list", lambda m: plotting.plot_history([1.0, 2.0]), TypeError, "history"),
    ("plotting", "history keys", lambda m: plotting.plot_history({"loss": [1.0]}, ["kl"]), ValueError, "keys"),
    ("plotting", "latent 3 columns", lambda m: plotting.plot_latent_2d(MU, np.zeros(50)), ValueError, "codes"),
    ("plotting", "latent labels", lambda m: plotting.plot_latent_2d(MU[:, :2], np.zeros(3)), ValueError, "labels"),
    ("plotting", "curves shape", lambda m: plotting.plot_curves([1, 2], {"a": [1, 2, 3]}), ValueError, "curve"),
    ("plotting", "curves x nan", lambda m: plotting.plot_curves([1, NAN], {"a": [1, 2]}), ValueError, "x"),
    # ------------------------------------------------------------------ data
    ("data", "load unknown name", lambda m: data.load_dataset("cifar10"), ValueError, "name"),
    ("data", "load name None", lambda m: data.load_dataset(None), ValueError, "name"),
    ("data", "cache_path name", lambda m: data.cache_path("MNIST"), ValueError, "name"),
    ("data", "verify not a dict", lambda m: data.verify("mnist", [1, 2]), TypeError, "arrays"),
    ("data", "verify missing", lambda m: data.verify("mnist", {}), ValueError, "x_train"),
    ("data", "CH11_DATA_DIR is a file", lambda m: cache_dir_that_is_a_file(), data.DataUnavailableError,
     "CH11_DATA_DIR"),
    # ------------------------------------------------------------------ runtime
    ("runtime", "quick_subset nothing", lambda m: runtime.quick_subset(), ValueError, "quick_subset"),
    ("runtime", "quick_subset scalar", lambda m: runtime.quick_subset(3.0), ValueError, "arrays"),
    ("runtime", "quick_test_subset nothing", lambda m: runtime.quick_test_subset(), ValueError, "quick_test_subset"),
    ("runtime", "quick_test_subset scalar", lambda m: runtime.quick_test_subset(3.0), ValueError, "arrays"),
    ("runtime", "quick_epochs 0", lambda m: runtime.quick_epochs(0), ValueError, "epochs"),
    ("runtime", "quick_epochs str", lambda m: runtime.quick_epochs("3"), TypeError, "epochs"),
    ("runtime", "CH11_QUICK 2", lambda m: with_quick("2", runtime.quick_mode), ValueError, "CH11_QUICK"),
    ("runtime", "CH11_QUICK y", lambda m: with_quick("y", runtime.quick_mode), ValueError, "CH11_QUICK"),
    ("runtime", "CH11_QUICK quick", lambda m: with_quick("quick", runtime.quick_mode), ValueError, "CH11_QUICK"),
    ("runtime", "CH11_QUICK 1.0", lambda m: with_quick("1.0", runtime.quick_mode), ValueError, "CH11_QUICK"),
    ("runtime", "CH11_QUICK full-width 1", lambda m: with_quick("\uff11", runtime.quick_mode), ValueError,
     "CH11_QUICK"),
    ("runtime", "CH11_QUICK in quick_epochs", lambda m: with_quick("enabled", lambda: runtime.quick_epochs(3)),
     ValueError, "CH11_QUICK"),
    ("runtime", "CH11_QUICK in mode_line", lambda m: with_quick("nope", runtime.mode_line), ValueError, "CH11_QUICK"),
    # ------------------------------------------------------------------ validation itself
    ("validation", "check_int bool", lambda m: validation.check_int(True, "count"), TypeError, "count"),
    ("validation", "check_number str", lambda m: validation.check_number("1", "rate"), TypeError, "rate"),
    ("validation", "check_probability 2", lambda m: validation.check_probability(2, "share"), ValueError, "share"),
    ("validation", "check_choice", lambda m: validation.check_choice("c", "mode", ("a", "b")), ValueError, "mode"),
    ("validation", "check_seed list", lambda m: validation.check_seed([1, -2], "seed"), ValueError, "seed"),
    ("validation", "keras_name empty", lambda m: validation.keras_name(""), TypeError, "name"),
    ("validation", "check_same_shape", lambda m: validation.check_same_shape(IMG, IMG[..., 0], ("a", "b")),
     ValueError, "a"),
]


def test_cases_are_distinct():
    ids = [(mod, name) for mod, name, *_ in CASES]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("module, name, call, error, argument", CASES, ids=[f"{c[0]}: {c[1]}" for c in CASES])
def test_bad_input_is_refused_naming_the_argument(m, module, name, call, error, argument):
    with pytest.raises(error) as err:
        call(m)
    message = str(err.value)
    assert re.search(rf"(?<![\w]){re.escape(argument)}(?![\w])", message), (
        f"the message does not name {argument!r}: {message}")
    assert err.type is error   # the exact type, not a subclass raised from deep inside


def test_count_per_module():
    counts = collections.Counter(c[0] for c in CASES)
    print("bad inputs per module:", dict(sorted(counts.items())), "total", sum(counts.values()))
    assert sum(counts.values()) >= 150
    modules = {"metrics", "noise", "pca", "transpose_conv", "autoencoder", "training", "vae", "cvae", "widgets",
               "plotting", "data", "runtime", "validation"}
    assert set(counts) == modules


# ---------------------------------------------------------------------- one rule, one message
@pytest.mark.parametrize("call", [
    lambda m: metrics.psnr(U8, U8), lambda m: noise.gaussian_noise(U8, 0.1), lambda m: vae.binarize(U8),
    lambda m: pca.fit_pca(U8, 2), lambda m: plotting.show_images(U8), lambda m: autoencoder.predict_in_batches(m.ae, U8),
    lambda m: vae.evaluate_elbo(m.enc2, m.dec2, U8), lambda m: autoencoder.train_autoencoder(2, U8),
    lambda m: cvae.train_cvae(2, U8, DIGITS), lambda m: cvae.train_beta_vae(2, U8, beta=1.0),
    lambda m: cvae.elbo_terms(m.cenc2, m.cdec2, U8, DIGITS), lambda m: cvae.encoder_means(m.enc2, U8),
])
def test_uint8_pixels_get_the_same_divide_by_255_advice(m, call):
    with pytest.raises(ValueError, match=r"holds integers up to \d+ \(dtype uint8\); expected pixel values in "
                                         r"\[0, 1\]: divide by 255 first"):
        call(m)


@pytest.mark.parametrize("call", [
    lambda m: metrics.psnr(ONE, ONE), lambda m: metrics.sse_per_image(ONE, ONE),
    lambda m: vae.evaluate_elbo(m.enc2, m.dec2, ONE), lambda m: vae.importance_sampled_log_likelihood(m.enc2, m.dec2, ONE),
    lambda m: autoencoder.predict_in_batches(m.ae, ONE),
])
def test_one_image_gets_the_batch_of_one_advice(m, call):
    with pytest.raises(ValueError, match=r"has shape \(28, 28, 1\); expected \(n, height, width, channels\); it "
                                         r"looks like one image: pass a batch of one, \w+\[None\]"):
        call(m)


def test_the_advised_fixes_work(m):
    """Following the advice gives the right answer: one image as a batch of one, pixels / 255."""
    clean = IMG[:1]
    est = np.clip(clean + 0.05, 0, 1)
    expected = 10 * math.log10(1 / np.mean((clean - est) ** 2))
    assert metrics.psnr(clean[0][None], est[0][None]) == pytest.approx(expected, rel=1e-6)
    assert vae.binarize(U8.astype("float32") / 255).mean() == pytest.approx((U8 / 255 > 0.5).mean())
    img = plotting.show_images(ONE)                            # one (h, w, 1) image is one image in a plot
    assert len([a for a in img.axes if a.images]) == 1


def test_kl_accepts_mixed_float_tensors():
    mu = tf.constant([[0.5, -1.0]], tf.float64)
    log_var = tf.constant([[0.1, 0.2]], tf.float32)
    np.testing.assert_allclose(np.asarray(vae.kl_divergence(mu, log_var)),
                               vae.kl_divergence(np.array([[0.5, -1.0]]), np.array([[0.1, 0.2]])), rtol=1e-6)


def test_vae_trains_with_validation_data_of_inputs_only():
    x = vae.binarize(RNG.random((64, 28, 28, 1)).astype(np.float32))
    r = vae.train_vae(2, x, epochs=1, batch_size=32, validation_data=(x[:32],), progress=False)
    assert {"loss", "val_loss", "val_kl"} <= set(r.history)


# ---------------------------------------------------------------------- one bad argument never breaks the kernel
def _keras_state() -> tuple:
    """What a refused call must leave as it was: the global seeds and Keras' names and name scopes."""
    from keras.src.backend.common import global_state

    uids = global_state.get_global_attribute("object_name_uids") or {}
    scopes = global_state.get_global_attribute("name_scope_stack") or []
    return random.getstate(), np.random.get_state()[1].tobytes(), dict(uids), len(scopes)


def _tiny_training() -> float:
    x = np.random.default_rng(1).random((32, 8, 8, 1)).astype(np.float32)

    def build():
        inputs = keras.Input((8, 8, 1))
        h = keras.layers.Dense(4, activation="relu")(keras.layers.Flatten()(inputs))
        return keras.Model(inputs, keras.layers.Reshape((8, 8, 1))(keras.layers.Dense(64)(h)))

    r = training.train_model(build, x, x, epochs=1, batch_size=16, progress=False)
    return r.history["loss"][0]


REFUSED_BUILDS_AND_TRAININGS = [c for c in CASES if c[0] in {"autoencoder", "training", "vae", "cvae"}
                                and re.search(r"build|train|encoder |decoder |autoencoder ", c[1])]


@pytest.mark.parametrize("module, name, call, error, argument", REFUSED_BUILDS_AND_TRAININGS,
                         ids=[f"{c[0]}: {c[1]}" for c in REFUSED_BUILDS_AND_TRAININGS])
def test_a_refused_build_or_training_leaves_keras_untouched_and_training_works(m, module, name, call, error,
                                                                               argument):
    before = _keras_state()
    with pytest.raises(error):
        call(m)
    assert _keras_state() == before, "the refusal came after the seeds, a layer or a name scope were touched"
    assert np.isfinite(_tiny_training())                          # the kernel still trains


def test_count_of_refused_builds_and_trainings():
    assert len(REFUSED_BUILDS_AND_TRAININGS) >= 60


def test_a_huge_beta_trains_and_the_next_training_works():
    """beta = 1e6 (exercise 05-2 asks what a growing beta does) once named the model beta_vae_2d_1e+06, which Keras
    refused after opening a name scope that broke every later training in the kernel."""
    x = (np.random.default_rng(2).random((64, 28, 28, 1)) > 0.5).astype(np.float32)
    r = cvae.train_beta_vae(2, x, beta=1e6, epochs=1, batch_size=32, progress=False)
    assert r.model.name == "beta_vae_2d_1e_06" and np.isfinite(r.history["loss"][0])
    assert _keras_state()[3] == 0                                   # no name scope left open
    assert np.isfinite(cvae.train_beta_vae(2, x, beta=1.0, epochs=1, batch_size=32, progress=False).history["loss"][0])
    assert np.isfinite(_tiny_training())
