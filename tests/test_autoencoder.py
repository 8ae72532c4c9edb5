"""utils.autoencoder: layer-by-layer shapes of the convolutional autoencoder, and bad arguments."""

import pytest

from utils.runtime import quiet_tensorflow

tf = quiet_tensorflow()
import keras  # noqa: E402
import numpy as np  # noqa: E402

from utils.autoencoder import build_autoencoder, build_decoder, build_encoder  # noqa: E402
from utils.recipes import AE_WIDTHS  # noqa: E402


@pytest.mark.parametrize("latent_size", [2, 16])
def test_shapes_layer_by_layer(latent_size):
    enc = build_encoder(latent_size, widths=(8, 12))
    assert [tuple(l.output.shape[1:]) for l in enc.layers[1:]] == [
        (14, 14, 8), (7, 7, 12), (7 * 7 * 12,), (latent_size,)]
    dec = build_decoder(latent_size, widths=(8, 12))
    assert [tuple(l.output.shape[1:]) for l in dec.layers[1:]] == [
        (7 * 7 * 12,), (7, 7, 12), (14, 14, 8), (28, 28, 1)]
    assert isinstance(dec.get_layer("deconv1"), keras.layers.Conv2DTranspose)


def test_autoencoder_output_shape_and_parts():
    ae = build_autoencoder(4, widths=(4, 8))
    x = np.random.default_rng(0).random((3, 28, 28, 1)).astype(np.float32)
    assert ae(x).shape == (3, 28, 28, 1)
    assert ae.get_layer("encoder")(x).shape == (3, 4)
    sig = build_autoencoder(4, widths=(4, 8), output_activation="sigmoid")
    out = np.asarray(sig(x))
    assert out.min() > 0 and out.max() < 1


def test_other_image_sizes_and_depths():
    ae = build_autoencoder(3, widths=(4, 4, 4), image_shape=(32, 16, 3))
    assert ae.output.shape[1:] == (32, 16, 3)


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(latent_size=0), ValueError, "latent_size is 0; expected an int >= 1"),
    (dict(latent_size=-3), ValueError, "latent_size is -3"),
    (dict(latent_size=2.5), TypeError, "latent_size is 2.5"),
    (dict(widths=()), ValueError, "widths"),
    (dict(widths=(8, 0)), ValueError, "widths"),
    (dict(image_shape=(30, 30, 1)), ValueError, "multiples of 4"),
    (dict(image_shape=(28, 28)), ValueError, "height, width, channels"),
])
def test_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        build_autoencoder(**kwargs)


def test_predict_in_batches_matches_one_call():
    from utils.autoencoder import predict_in_batches
    ae = build_autoencoder(3, widths=(4, 4))
    x = np.random.default_rng(1).random((7, 28, 28, 1)).astype(np.float32)
    np.testing.assert_allclose(predict_in_batches(ae, x, batch_size=3), np.asarray(ae(x)), atol=1e-6)
    with pytest.raises(ValueError, match="batch_size is 0"):
        predict_in_batches(ae, x, batch_size=0)


def test_builders_default_to_the_notebooks_recipe():
    import inspect

    for fn in (build_encoder, build_decoder, build_autoencoder):
        assert inspect.signature(fn).parameters["widths"].default == AE_WIDTHS
