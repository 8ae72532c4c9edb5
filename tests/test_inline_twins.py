"""What a notebook writes out inline and what ``utils`` holds must not drift apart.

Each test takes the function a notebook defines inline for the student to read
(found by name in the notebook's code cells), runs only that definition, and
compares it with its twin in ``utils`` over many cases. Add a test here for
every inline definition that has a twin in ``utils``.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Callable

import numpy as np
import pytest

from utils.transpose_conv import conv_matrix

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def _inline_definition(notebook: str, name: str, kind: type, namespace: dict | None) -> object:
    """Execute the one top-level ``def``/``class`` (``kind``) named ``name`` in the notebook's code cells.

    Only that statement runs (not the rest of its cell), in a namespace holding
    ``np`` plus ``namespace``. Exactly one code cell must define ``name``.
    """
    nb = json.loads((NOTEBOOKS / notebook).read_text(encoding="utf-8"))
    found = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        try:
            tree = ast.parse(src)
        except SyntaxError:  # e.g. cells with IPython magics; they cannot hold our definitions
            continue
        lines = src.splitlines()
        found += ["\n".join(lines[min([node.lineno] + [d.lineno for d in node.decorator_list]) - 1:node.end_lineno])
                  for node in tree.body if isinstance(node, kind) and node.name == name]   # with its decorators
    if len(found) != 1:
        raise AssertionError(f"{notebook}: expected exactly one code cell defining {name}, found {len(found)}")
    ns = {"np": np, **(namespace or {})}
    exec(compile(found[0], f"<{notebook}: {name}>", "exec"), ns)
    return ns[name]


def inline_function(notebook: str, name: str, namespace: dict | None = None) -> Callable:
    """Return the function ``name`` as defined in a code cell of ``notebooks/<notebook>``."""
    return _inline_definition(notebook, name, ast.FunctionDef, namespace)


# ---------------------------------------------------------------- notebook 01: the convolution matrix
@pytest.fixture(scope="module")
def conv_matrix_by_rows():
    return inline_function("01_transposed_convolution.ipynb", "conv_matrix_by_rows")


def test_inline_conv_matrix_reproduces_the_lecture_examples(conv_matrix_by_rows):
    C_a = conv_matrix_by_rows(np.array([[2, 1], [4, 3]]), (3, 3))
    np.testing.assert_array_equal(C_a @ np.arange(1, 10), [35, 45, 65, 75])
    C_b = conv_matrix_by_rows(np.array([[1, 2], [3, 4]]), (4, 4), stride=2)
    x_b = np.array([[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]])
    np.testing.assert_array_equal(C_b @ x_b.ravel(), [10, 20, 30, 40])


def test_inline_conv_matrix_agrees_with_utils(conv_matrix_by_rows):
    rng = np.random.default_rng(2024)
    n = 0
    for _ in range(300):
        kh, kw = (int(v) for v in rng.integers(1, 6, size=2))
        shape = (int(rng.integers(kh, 11)), int(rng.integers(kw, 11)))
        stride = int(rng.integers(1, 5))
        kernel = rng.integers(-9, 10, size=(kh, kw))
        if rng.random() < 0.5:
            kernel = kernel * rng.random()  # float kernels too
        inline = conv_matrix_by_rows(kernel, shape, stride)
        library = conv_matrix(kernel, shape, stride, "valid")
        assert inline.shape == library.shape, (kernel.shape, shape, stride)
        np.testing.assert_array_equal(inline, library, err_msg=f"kernel {kernel.shape}, input {shape}, stride {stride}")
        n += 1
    assert n == 300


# ---------------------------------------------------------------- notebook 02: the autoencoder's encoder and decoder
AE_NOTEBOOK = "02_autoencoder.ipynb"
AE_BUILDERS = ("build_encoder", "build_decoder", "build_autoencoder")


@pytest.fixture(scope="module")
def inline_autoencoder(keras_module) -> dict:
    """The notebook's three builders; its build_autoencoder calls its own build_encoder/build_decoder."""
    ns = {"keras": keras_module, "layers": keras_module.layers}
    ns["build_encoder"] = inline_function(AE_NOTEBOOK, "build_encoder", ns)
    ns["build_decoder"] = inline_function(AE_NOTEBOOK, "build_decoder", ns)
    return {name: (ns[name] if name in ns else inline_function(AE_NOTEBOOK, name, ns)) for name in AE_BUILDERS}


def _layer_table(model) -> list:
    return [(layer.name, type(layer).__name__, tuple(layer.output.shape), layer.count_params())
            for layer in model.layers]


@pytest.mark.parametrize("name", AE_BUILDERS)
@pytest.mark.parametrize("latent_size", [2, 16])
def test_inline_autoencoder_agrees_with_utils(inline_autoencoder, keras_module, name, latent_size):
    from utils import autoencoder, recipes

    keras_module.utils.set_random_seed(7)
    inline = inline_autoencoder[name](latent_size, recipes.AE_WIDTHS)
    keras_module.utils.set_random_seed(7)
    library = getattr(autoencoder, name)(latent_size, recipes.AE_WIDTHS)
    # the same layers, by name, type, output shape and number of weights
    assert _layer_table(inline) == _layer_table(library)
    assert inline.count_params() == library.count_params() > 0
    # the same seed gives the same initial weights (same initializers, same order)
    for a, b in zip(inline.get_weights(), library.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    # weights trained in one line up, layer by layer and by name, with the other: the same function
    keras_module.utils.set_random_seed(8)
    other = inline_autoencoder[name](latent_size, recipes.AE_WIDTHS)
    x = np.random.default_rng(latent_size).random((5, *library.inputs[0].shape[1:]), dtype=np.float32)
    assert not np.allclose(np.asarray(other(x)), np.asarray(library(x)))
    for layer in library.layers:
        other.get_layer(layer.name).set_weights(layer.get_weights())
    np.testing.assert_allclose(np.asarray(other(x)), np.asarray(library(x)), rtol=1e-5, atol=1e-5)


# ---------------------------------------------------------------- notebook 04: the VAE, piece by piece
VAE_NOTEBOOK = "04_variational_autoencoder.ipynb"


def inline_class(notebook: str, name: str, namespace: dict | None = None) -> type:
    """Return the class ``name`` as defined in a code cell of ``notebooks/<notebook>``."""
    return _inline_definition(notebook, name, ast.ClassDef, namespace)


@pytest.fixture(scope="module")
def keras_module():
    from utils.runtime import quiet_tensorflow

    quiet_tensorflow()
    import keras

    return keras


def test_inline_kl_term_agrees_with_utils(keras_module):
    from utils.vae import kl_divergence

    kl_term = inline_function(VAE_NOTEBOOK, "kl_term", {"keras": keras_module})
    rng = np.random.default_rng(4)
    for p in (1, 2, 16):
        mu = rng.normal(size=(50, p)).astype(np.float32) * 2
        log_var = rng.normal(size=(50, p)).astype(np.float32)
        inline = np.asarray(kl_term(mu, log_var))
        assert inline.shape == (50,)
        np.testing.assert_allclose(inline, kl_divergence(mu, log_var), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(np.asarray(kl_term(np.zeros((3, 4), np.float32), np.zeros((3, 4), np.float32))), 0.0)


def test_inline_sampling_layer_agrees_with_utils(keras_module):
    from utils.vae import Sampling

    InlineSampling = inline_class(VAE_NOTEBOOK, "Sampling", {"keras": keras_module})
    rng = np.random.default_rng(5)
    mu = rng.normal(size=(300, 3)).astype(np.float32)
    log_var = rng.normal(size=(300, 3)).astype(np.float32)
    for seed in (0, 1, 123):
        a, b = InlineSampling(seed=seed), Sampling(seed=seed)
        for _ in range(3):  # successive calls advance both seed generators alike
            np.testing.assert_array_equal(np.asarray(a([mu, log_var])), np.asarray(b([mu, log_var])))


def _vae_namespace(keras) -> dict:
    """Notebook 04's inline pieces, each taken from its own cell, as the namespace its model class sees."""
    ns = {"keras": keras, "layers": keras.layers}
    ns["Sampling"] = inline_class(VAE_NOTEBOOK, "Sampling", ns)
    ns["kl_term"] = inline_function(VAE_NOTEBOOK, "kl_term", ns)
    ns["bernoulli_log_lik"] = inline_function(VAE_NOTEBOOK, "bernoulli_log_lik", ns)
    return ns


def _binary_images(n: int, seed: int) -> np.ndarray:
    return (np.random.default_rng(seed).random((n, 28, 28, 1)) < 0.15).astype(np.float32)


def test_inline_bernoulli_log_lik_agrees_with_utils(keras_module):
    from utils.vae import bernoulli_log_likelihood

    inline = _vae_namespace(keras_module)["bernoulli_log_lik"]
    x = _binary_images(40, 8)
    logits = np.random.default_rng(9).normal(scale=3.0, size=x.shape).astype(np.float32)
    got = np.asarray(inline(x, logits))
    assert got.shape == (40,) and np.all(got < 0)
    np.testing.assert_allclose(got, np.asarray(bernoulli_log_likelihood(x, logits)), rtol=1e-6)
    # logits 0 give every pixel probability 1/2: log p = -784 log 2 for any image
    np.testing.assert_allclose(np.asarray(inline(x, np.zeros_like(x))), -784 * np.log(2.0), rtol=1e-6)


@pytest.mark.parametrize("p", [2, 16])
def test_inline_encoder_and_decoder_match_utils(keras_module, p):
    from utils import vae

    keras = keras_module
    ns = _vae_namespace(keras)
    build_encoder = inline_function(VAE_NOTEBOOK, "build_encoder", ns)
    build_decoder = inline_function(VAE_NOTEBOOK, "build_decoder", ns)
    for inline_build, library_build, x in [(build_encoder, vae.build_encoder, _binary_images(16, 1)),
                                           (build_decoder, vae.build_decoder,
                                            np.random.default_rng(2).normal(size=(16, p)).astype(np.float32))]:
        keras.utils.set_random_seed(21)
        ours = inline_build(p)
        keras.utils.set_random_seed(21)
        theirs = library_build(p)
        assert ours.name == theirs.name
        assert [type(layer).__name__ for layer in ours.layers] == [type(layer).__name__ for layer in theirs.layers]
        assert [tuple(layer.output.shape) for layer in ours.layers] == [tuple(layer.output.shape) for layer in theirs.layers]
        named = {"x", "mu", "log_var", "z", "logits"}
        assert ({layer.name for layer in ours.layers} & named) == ({layer.name for layer in theirs.layers} & named)
        assert ours.count_params() == theirs.count_params()
        for u, v in zip(ours.get_weights(), theirs.get_weights(), strict=True):  # same seed, same weights
            np.testing.assert_array_equal(u, v)
        out_ours, out_theirs = ours(x), theirs(x)
        if not isinstance(out_ours, (list, tuple)):
            out_ours, out_theirs = [out_ours], [out_theirs]
        for u, v in zip(out_ours, out_theirs, strict=True):
            np.testing.assert_allclose(keras.ops.convert_to_numpy(u), keras.ops.convert_to_numpy(v),
                                       rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("p", [2, 16])
def test_inline_vae_gives_the_utils_loss_and_training_step(keras_module, p):
    from utils.vae import build_vae

    import tensorflow as tf

    keras = keras_module
    ns = _vae_namespace(keras)
    ns["build_encoder"] = inline_function(VAE_NOTEBOOK, "build_encoder", ns)
    ns["build_decoder"] = inline_function(VAE_NOTEBOOK, "build_decoder", ns)
    InlineVAE = inline_class(VAE_NOTEBOOK, "VAE", ns)
    keras.utils.set_random_seed(11)
    ours = InlineVAE(ns["build_encoder"](p), ns["build_decoder"](p), seed=11)
    keras.utils.set_random_seed(11)
    theirs = build_vae(p, seed=11)
    x = _binary_images(64, 3)
    out_ours, out_theirs = ours(x), theirs(x)  # (logits, mu, log_var), with the same draw of z
    for u, v in zip(out_ours, out_theirs, strict=True):
        np.testing.assert_allclose(keras.ops.convert_to_numpy(u), keras.ops.convert_to_numpy(v), rtol=1e-6, atol=1e-6)
    loss_ours = float(ours.compute_loss(x, y_pred=out_ours))
    loss_theirs = float(theirs.compute_loss(x, y_pred=out_theirs))
    assert 300 < loss_ours < 800  # near 784 log 2 = 543 nats per image before training
    np.testing.assert_allclose(loss_ours, loss_theirs, rtol=1e-6)
    assert [m.name for m in ours.metrics] == [m.name for m in theirs.metrics] == ["loss", "reconstruction", "kl"]
    for m_ours, m_theirs in zip(ours.metrics, theirs.metrics):
        np.testing.assert_allclose(float(m_ours.result()), float(m_theirs.result()), rtol=1e-6)
    # one training step (forward, loss, gradient, Adam) moves both models to the same weights
    before = [w.copy() for w in ours.get_weights()]
    for model in (ours, theirs):
        optimizer = keras.optimizers.Adam(learning_rate=1e-3)
        with tf.GradientTape() as tape:
            loss = model.compute_loss(x, y_pred=model(x, training=True))
        optimizer.apply(tape.gradient(loss, model.trainable_weights), model.trainable_weights)
    for u, v in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(u, v, rtol=1e-5, atol=1e-6)
    assert not all(np.array_equal(u, w) for u, w in zip(ours.get_weights(), before))


# ---------------------------------------------------------------- notebook 03: the corruptions
@pytest.mark.parametrize("inline_name, utils_name, level", [
    ("add_gaussian_noise", "gaussian_noise", 0.5),
    ("add_gaussian_noise", "gaussian_noise", 0.2),
    ("mask_random_pixels", "mask_pixels", 0.5),
    ("mask_random_pixels", "mask_pixels", 0.1),
])
def test_inline_corruptions_agree_with_utils(inline_name, utils_name, level):
    from utils import noise

    inline = inline_function("03_denoising_autoencoder.ipynb", inline_name)
    library = getattr(noise, utils_name)
    x = np.random.default_rng(3).random((64, 28, 28, 1), dtype=np.float32)
    for seed in (0, 1, 7):
        got, want = inline(x, level, seed=seed), library(x, level, seed=seed)
        assert got.shape == want.shape and np.array_equal(got, want)
    assert not np.array_equal(inline(x, level, seed=0), inline(x, level, seed=1))


def test_inline_training_corruption_agrees_with_utils():
    """Notebook 03's ``corrupt`` (TensorFlow ops, run inside the input pipeline) equals utils.noise.gaussian_corruption."""
    import tensorflow as tf

    from utils import recipes
    from utils.noise import gaussian_corruption
    from utils.training import in_pipeline

    inline = inline_function("03_denoising_autoencoder.ipynb", "corrupt",
                             {"tf": tf, "in_pipeline": in_pipeline, "SIGMA": recipes.DAE_SIGMA})
    library = gaussian_corruption(recipes.DAE_SIGMA)
    assert getattr(inline, "in_pipeline", False)
    x = np.random.default_rng(3).random((64, 28, 28, 1), dtype=np.float32)
    for seed in ((0, 1), (0, 2), (5, 1)):
        got, want = np.asarray(inline(x, seed)), np.asarray(library(x, seed))
        assert got.shape == x.shape and np.array_equal(got, want)
    assert not np.array_equal(np.asarray(inline(x, (0, 1))), np.asarray(inline(x, (0, 2))))
