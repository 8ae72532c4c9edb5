"""utils.colorize and utils.photos: colour conversion, colourfulness, patches, the colorizer, the loaders."""

import numpy as np
import pytest

import utils.photos as photos
from utils.colorize import (build_colorizer, colourfulness, colorize, constant_chroma_version, extract_patches,
                            gray_version, join_lab, lab_to_rgb, mean_chroma, rgb_to_lab, split_lab)


def test_lab_round_trip_and_known_values():
    rng = np.random.default_rng(0)
    rgb = rng.uniform(0, 1, size=(500, 3))
    np.testing.assert_allclose(lab_to_rgb(rgb_to_lab(rgb)), rgb, atol=1e-9)
    np.testing.assert_allclose(rgb_to_lab([1.0, 1.0, 1.0]), [100.0, 0.0, 0.0], atol=1e-3)
    np.testing.assert_allclose(rgb_to_lab([0.0, 0.0, 0.0]), [0.0, 0.0, 0.0], atol=1e-9)
    # sRGB red in CIE Lab (D65): L 53.24, a 80.09, b 67.20
    np.testing.assert_allclose(rgb_to_lab([1.0, 0.0, 0.0]), [53.24, 80.09, 67.20], atol=0.02)


def test_lab_agrees_with_scikit_image():
    color = pytest.importorskip("skimage.color")
    rgb = np.random.default_rng(1).uniform(0, 1, size=(16, 16, 3))
    np.testing.assert_allclose(rgb_to_lab(rgb), color.rgb2lab(rgb), atol=0.01)   # white points differ in the 4th digit


def test_split_and_join_keep_the_image_and_grey_has_zero_chroma():
    rgb = np.random.default_rng(2).uniform(0, 1, size=(8, 12, 3))
    lum, ab = split_lab(rgb)
    assert lum.shape == (8, 12, 1) and ab.shape == (8, 12, 2) and lum.dtype == np.float32
    np.testing.assert_allclose(join_lab(lum, ab), rgb, atol=1e-4)
    grey = gray_version([rgb])[0]
    np.testing.assert_allclose(rgb_to_lab(grey)[..., 1:], 0.0, atol=1e-3)
    np.testing.assert_allclose(rgb_to_lab(grey)[..., 0], rgb_to_lab(rgb)[..., 0], atol=1e-3)
    np.testing.assert_allclose(grey[..., 0], grey[..., 1], atol=1e-6)      # R = G = B
    tinted = constant_chroma_version([np.full((4, 4, 3), 0.5)], (10.0, -5.0))[0]
    np.testing.assert_allclose(mean_chroma([tinted]), [10.0, -5.0], atol=1e-3)


def test_colourfulness_by_hand():
    assert colourfulness(np.full((4, 4, 3), 0.3)) == 0.0
    # two pixels, pure red and pure green: rg = +-255 (sd 255, mean 0), yb = 127.5 (sd 0, mean 127.5)
    image = np.array([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]])
    assert colourfulness(image) == pytest.approx(255.0 + 0.3 * 127.5)
    with pytest.raises(ValueError, match="values outside"):
        colourfulness(np.full((2, 2, 3), 2.0))
    with pytest.raises(ValueError, match="expected one RGB image"):
        colourfulness(np.zeros((2, 2)))


def test_patches_count_and_flip():
    image = np.arange(40 * 48 * 3, dtype=np.float32).reshape(40, 48, 3)
    p = extract_patches([image], size=16, stride=8, flip=False)
    assert p.shape == (4 * 5, 16, 16, 3)
    np.testing.assert_array_equal(p[1], image[0:16, 8:24])
    q = extract_patches([image], size=16, stride=8)
    assert len(q) == 40 and np.array_equal(q[20], p[0][:, ::-1])
    with pytest.raises(ValueError, match=r"images\[0\] has shape"):
        extract_patches([np.zeros((8, 8, 3))], size=16)
    with pytest.raises(ValueError, match="images is empty"):
        extract_patches([])


def test_colorizer_shapes_and_keeps_luminance():
    import keras
    keras.utils.set_random_seed(0)
    model = build_colorizer((4, 8, 8))
    assert model(np.zeros((2, 32, 48, 1), np.float32)).shape == (2, 32, 48, 2)
    rgb = np.random.default_rng(3).uniform(0.2, 0.8, size=(16, 20, 3))
    out = colorize(model, [rgb])[0]
    assert out.shape == rgb.shape and 0 <= out.min() and out.max() <= 1
    # the luminance is the input's wherever the predicted colour lies inside the sRGB gamut
    inside = (out > 1e-3).all(-1) & (out < 1 - 1e-3).all(-1)
    np.testing.assert_allclose(rgb_to_lab(out)[inside][:, 0], rgb_to_lab(rgb)[inside][:, 0], atol=0.05)
    with pytest.raises(ValueError, match="multiples of 4"):
        colorize(model, [np.zeros((10, 12, 3))])
    with pytest.raises(ValueError, match="widths"):
        build_colorizer((4, 8))


def test_conversion_bad_inputs():
    with pytest.raises(ValueError, match=r"rgb has shape \(4, 4\)"):
        rgb_to_lab(np.zeros((4, 4)))
    with pytest.raises(ValueError, match="divide uint8 images by 255"):
        rgb_to_lab(np.full((2, 3), 255.0))
    with pytest.raises(ValueError, match="NaN"):
        lab_to_rgb([np.nan, 0.0, 0.0])
    with pytest.raises(ValueError, match="luminance has shape"):
        join_lab(np.zeros((4, 4, 1)), np.zeros((4, 5, 2)))


def test_offline_photographs_are_real_and_split():
    pytest.importorskip("skimage")
    data = photos.load_color_images("skimage")
    assert data.source == "skimage" and data.test_names == list(photos.SKIMAGE_TEST)
    assert set(photos.SKIMAGE_TRAIN).isdisjoint(photos.SKIMAGE_TEST)
    assert len(data.train) == len(photos.SKIMAGE_TRAIN) and len(data.test) == len(photos.SKIMAGE_TEST)
    for image in data.train + data.test:
        assert image.ndim == 3 and image.shape[-1] == 3 and image.dtype == np.float32
        assert max(image.shape[:2]) <= 320 and 0 <= image.min() and image.max() <= 1
        assert colourfulness(image) > 15          # real colour photographs, not grey ones
    assert all(im.shape[0] % 4 == 0 and im.shape[1] % 4 == 0 for im in data.test)
    # the cat photograph, shrunk by 2 and cropped to multiples of 4
    assert data.test[0].shape == (148, 224, 3)


def test_cifar10_falls_back_to_the_offline_photographs(monkeypatch):
    pytest.importorskip("skimage")

    def no_network(*args, **kwargs):
        raise OSError("no network")

    monkeypatch.setattr(photos, "load_cifar10_photos", no_network)
    data = photos.load_color_images("cifar10")
    assert data.source == "skimage" and "could not be downloaded" in data.note and "OSError" in data.note


def test_loader_bad_inputs():
    with pytest.raises(ValueError, match="source is 'imagenet'"):
        photos.load_color_images("imagenet")
    with pytest.raises(ValueError, match="unknown photograph"):
        photos.skimage_photo("lena")
    with pytest.raises(ValueError, match="n_train is 0"):
        photos.load_cifar10_photos(0, 10)
    with pytest.raises(ValueError, match="max_side is 2"):
        photos.shrink(np.zeros((10, 10, 3), np.uint8), 2)
    assert photos.shrink(np.full((40, 64, 3), 255, np.uint8), 32).shape == (20, 32, 3)
    assert photos.crop_to_multiple(np.zeros((10, 13, 3)), 4).shape == (8, 12, 3)
