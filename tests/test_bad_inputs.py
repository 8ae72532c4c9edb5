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
import re

import numpy as np
import pytest

from utils.runtime import quiet_tensorflow

tf = quiet_tensorflow()
import keras  # noqa: E402
import matplotlib  # noqa: E402

matplotlib.use("Agg")

from utils import autoencoder, data, metrics, noise, pca, plotting, runtime, training, transpose_conv  # noqa: E402
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


class Models:
    """Tiny models, built once."""

    def __init__(self):
        keras.utils.set_random_seed(0)
        self.dec2 = vae.build_decoder(2, widths=(2, 4), hidden=8)
        self.dec3 = vae.build_decoder(3, widths=(2, 4), hidden=8)
        self.enc2 = vae.build_encoder(2, widths=(2, 4), hidden=8)
        self.ae = autoencoder.build_autoencoder(2, widths=(2, 2))
        self.pca = pca.fit_pca(IMG, 2)


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
    ("metrics", "mse one image", lambda m: metrics.mse_per_pixel(ONE, ONE), ValueError, "x"),
    ("metrics", "mse complex", lambda m: metrics.mse_per_pixel(IMG.astype(complex), IMG), TypeError, "x"),
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
    ("noise", "salt amount 1.5", lambda m: noise.salt_and_pepper(IMG, 1.5), ValueError, "amount"),
    ("noise", "salt amount -0.1", lambda m: noise.salt_and_pepper(IMG, -0.1), ValueError, "amount"),
    ("noise", "salt amount nan", lambda m: noise.salt_and_pepper(IMG, NAN), ValueError, "amount"),
    ("noise", "salt images > 1", lambda m: noise.salt_and_pepper(IMG * 2, 0.1), ValueError, "images"),
    ("noise", "mask fraction 2", lambda m: noise.mask_pixels(IMG, 2), ValueError, "fraction"),
    ("noise", "mask fraction None", lambda m: noise.mask_pixels(IMG, None), TypeError, "fraction"),
    ("noise", "mask uint8", lambda m: noise.mask_pixels(U8, 0.5), ValueError, "images"),
    ("noise", "kernel sigma 0", lambda m: noise.gaussian_kernel(0), ValueError, "sigma"),
    ("noise", "kernel radius -1", lambda m: noise.gaussian_kernel(1.0, radius=-1), ValueError, "radius"),
    ("noise", "kernel radius 1.5", lambda m: noise.gaussian_kernel(1.0, radius=1.5), TypeError, "radius"),
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
    ("transpose_conv", "conv2d x 1-D", lambda m: transpose_conv.conv2d_by_matrix(np.zeros(9), [[1]]), ValueError,
     "x"),
    ("transpose_conv", "conv2d x nan", lambda m: transpose_conv.conv2d_by_matrix(np.full((3, 3), NAN), [[1]]),
     ValueError, "x"),
    ("transpose_conv", "conv2d x str", lambda m: transpose_conv.conv2d_by_matrix("x", [[1]]), TypeError, "x"),
    ("transpose_conv", "transpose y 3-D", lambda m: transpose_conv.conv_transpose_by_matrix(np.zeros((1, 2, 2)),
                                                                                             [[1]]), ValueError, "y"),
    ("transpose_conv", "transpose output_shape", lambda m: transpose_conv.conv_transpose_by_matrix(
        np.zeros((2, 2)), [[1, 1], [1, 1]], output_shape=(5, 5)), ValueError, "output_shape"),
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
    ("training", "train_model options dict", lambda m: training.train_model(
        ae_build, IMG, IMG, epochs=1, batch_size=2, options={"jit_compile": True}), TypeError, "options"),
    ("training", "train_model corrupt arrays", lambda m: training.train_model(
        ae_build, IMG, IMG, epochs=1, batch_size=2, corrupt=lambda x, s: x, options=training.TrainOptions(pipeline="arrays")),
     ValueError, "corrupt"),
    ("training", "options pipeline", lambda m: training.TrainOptions(pipeline="disk"), ValueError, "pipeline"),
    ("training", "options jit str", lambda m: training.TrainOptions(jit_compile="no"), TypeError, "jit_compile"),
    ("training", "options steps 0", lambda m: training.TrainOptions(steps_per_execution=0), ValueError,
     "steps_per_execution"),
    ("training", "options strategy", lambda m: training.TrainOptions(strategy="mirrored"), TypeError, "strategy"),
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
    ("plotting", "reconstructions nan", lambda m: plotting.plot_reconstructions(IMG, WITH_NAN), ValueError, "rows"),
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
    # ------------------------------------------------------------------ runtime
    ("runtime", "quick_subset nothing", lambda m: runtime.quick_subset(), ValueError, "quick_subset"),
    ("runtime", "quick_subset scalar", lambda m: runtime.quick_subset(3.0), ValueError, "arrays"),
    ("runtime", "quick_test_subset nothing", lambda m: runtime.quick_test_subset(), ValueError, "quick_test_subset"),
    ("runtime", "quick_test_subset scalar", lambda m: runtime.quick_test_subset(3.0), ValueError, "arrays"),
    ("runtime", "quick_epochs 0", lambda m: runtime.quick_epochs(0), ValueError, "epochs"),
    ("runtime", "quick_epochs str", lambda m: runtime.quick_epochs("3"), TypeError, "epochs"),
    # ------------------------------------------------------------------ validation itself
    ("validation", "check_int bool", lambda m: validation.check_int(True, "count"), TypeError, "count"),
    ("validation", "check_number str", lambda m: validation.check_number("1", "rate"), TypeError, "rate"),
    ("validation", "check_probability 2", lambda m: validation.check_probability(2, "share"), ValueError, "share"),
    ("validation", "check_choice", lambda m: validation.check_choice("c", "mode", ("a", "b")), ValueError, "mode"),
    ("validation", "check_seed list", lambda m: validation.check_seed([1, -2], "seed"), ValueError, "seed"),
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
    modules = {"metrics", "noise", "pca", "transpose_conv", "autoencoder", "training", "vae", "widgets",
               "plotting", "data", "runtime", "validation"}
    assert set(counts) == modules


# ---------------------------------------------------------------------- one rule, one message
@pytest.mark.parametrize("call", [
    lambda m: metrics.psnr(U8, U8), lambda m: noise.gaussian_noise(U8, 0.1), lambda m: vae.binarize(U8),
    lambda m: pca.fit_pca(U8, 2), lambda m: plotting.show_images(U8), lambda m: autoencoder.predict_in_batches(m.ae, U8),
    lambda m: vae.evaluate_elbo(m.enc2, m.dec2, U8), lambda m: autoencoder.train_autoencoder(2, U8),
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
    assert transpose_conv.conv2d_by_matrix(np.full((3, 3), 255, np.uint8), np.full((2, 2), 255, np.uint8)).max() \
        == 4 * 255 * 255                                       # no uint8 overflow
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
