"""utils.colorize and utils.photos: colour conversion, colourfulness, patches, the colorizer, the loaders."""

import hashlib
import struct
import zlib

import numpy as np
import pytest

import utils.photos as photos
from utils.colorize import (build_colorizer, colourfulness, colorize, constant_ab_version, extract_patches,
                            gray_version, join_lab, lab_to_rgb, mean_ab, mean_chroma, rgb_to_lab, split_lab)


def test_lab_round_trip_and_known_values():
    rng = np.random.default_rng(0)
    rgb = rng.uniform(0, 1, size=(500, 3))
    np.testing.assert_allclose(lab_to_rgb(rgb_to_lab(rgb)), rgb, atol=1e-9)
    np.testing.assert_allclose(rgb_to_lab([1.0, 1.0, 1.0]), [100.0, 0.0, 0.0], atol=5e-3)
    np.testing.assert_allclose(rgb_to_lab([0.0, 0.0, 0.0]), [0.0, 0.0, 0.0], atol=1e-9)
    # sRGB red and green in CIE Lab (D65), as colour-science tables give them
    np.testing.assert_allclose(rgb_to_lab([1.0, 0.0, 0.0]), [53.24, 80.09, 67.20], atol=0.02)
    np.testing.assert_allclose(rgb_to_lab([0.0, 1.0, 0.0]), [87.73, -86.18, 83.18], atol=0.02)


def test_split_and_join_keep_the_image_and_grey_has_zero_ab():
    rgb = np.random.default_rng(2).uniform(0, 1, size=(8, 12, 3))
    lum, ab = split_lab(rgb)
    assert lum.shape == (8, 12, 1) and ab.shape == (8, 12, 2) and lum.dtype == np.float32
    np.testing.assert_allclose(join_lab(lum, ab), rgb, atol=1e-4)
    grey = gray_version([rgb])[0]
    np.testing.assert_allclose(rgb_to_lab(grey)[..., 1:], 0.0, atol=1e-2)
    np.testing.assert_allclose(rgb_to_lab(grey)[..., 0], rgb_to_lab(rgb)[..., 0], atol=1e-3)
    np.testing.assert_allclose(grey[..., 0], grey[..., 1], atol=1e-3)      # R = G = B within 1/1000
    tinted = constant_ab_version([np.full((4, 4, 3), 0.5)], (10.0, -5.0))[0]
    np.testing.assert_allclose(mean_ab([tinted]), [10.0, -5.0], atol=1e-3)
    assert mean_chroma([tinted]) == pytest.approx(np.hypot(10.0, -5.0), abs=1e-3)
    assert mean_chroma([grey]) < 1e-2


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
    with pytest.raises(ValueError, match="non-empty list"):
        extract_patches([])


def test_colorizer_shapes_and_keeps_lightness():
    import keras
    keras.utils.set_random_seed(0)
    model = build_colorizer((4, 8, 8))
    assert model(np.zeros((2, 32, 48, 1), np.float32)).shape == (2, 32, 48, 2)
    rgb = np.random.default_rng(3).uniform(0.2, 0.8, size=(16, 20, 3))
    out = colorize(model, [rgb])[0]
    assert out.shape == rgb.shape and 0 <= out.min() and out.max() <= 1
    # the lightness is the input's wherever the predicted colour lies inside the sRGB gamut
    inside = (out > 1e-3).all(-1) & (out < 1 - 1e-3).all(-1)
    np.testing.assert_allclose(rgb_to_lab(out)[inside][:, 0], rgb_to_lab(rgb)[inside][:, 0], atol=0.05)
    with pytest.raises(ValueError, match="multiples of 4"):
        colorize(model, [np.zeros((10, 12, 3))])
    with pytest.raises(ValueError, match="widths"):
        build_colorizer((4, 8))
    with pytest.raises(ValueError, match=r"one array of shape \(16, 20, 3\).*\[image\]"):
        colorize(model, rgb)          # one image, not a list: refused instead of read as 16 rows


def test_conversion_bad_inputs():
    with pytest.raises(ValueError, match=r"rgb has shape \(4, 4\)"):
        rgb_to_lab(np.zeros((4, 4)))
    with pytest.raises(ValueError, match="divide 0..255 images by 255"):
        rgb_to_lab(np.full((2, 3), 255.0))
    with pytest.raises(ValueError, match=r"1\.0000001.*np\.clip"):
        rgb_to_lab(np.full(3, 1 + 1e-7))      # the message shows the value and says clip, not divide by 255
    with pytest.raises(TypeError, match="real numbers"):
        rgb_to_lab(np.full(3, 0.5 + 0.1j))    # complex: refused, not cut to its real part
    with pytest.raises(ValueError, match="NaN"):
        lab_to_rgb([np.nan, 0.0, 0.0])
    with pytest.raises(ValueError, match="lightness has shape"):
        join_lab(np.zeros((4, 4, 1)), np.zeros((4, 5, 2)))
    with pytest.raises(ValueError, match="divide L by 100"):
        join_lab(np.full((4, 4, 1), 50.0), np.zeros((4, 4, 2)))     # unscaled L: no white image


def test_image_list_bad_inputs():
    one = np.random.default_rng(4).uniform(0, 1, size=(12, 8, 3))
    with pytest.raises(ValueError, match=r"one array of shape \(12, 8, 3\)"):
        gray_version(one)
    assert len(gray_version(one[None])) == 1 and len(gray_version([one, one])) == 2
    with pytest.raises(ValueError, match="at least one pixel"):
        mean_ab([np.zeros((0, 0, 3))])
    with pytest.raises(ValueError, match="at least one pixel"):
        mean_chroma([np.zeros((0, 4, 3))])
    with pytest.raises(TypeError, match="flip is 'no'"):
        extract_patches([one], size=4, flip="no")
    with pytest.raises(TypeError, match="stride is 2.5"):
        extract_patches([one], size=4, stride=2.5)
    with pytest.raises(TypeError, match="size is"):
        extract_patches([one], size=4.0)
    with pytest.raises(ValueError, match=r"ab has shape \(3,\)"):
        constant_ab_version([one], (1.0, 2.0, 3.0))


def test_shrink_returns_unit_range_for_every_input_kind():
    assert photos.shrink(np.full((40, 64, 3), 255, np.uint8), 32).shape == (20, 32, 3)
    big = photos.shrink(np.full((16, 16, 3), 65535, np.uint16), 8)
    assert big.max() == pytest.approx(1.0) and big.dtype == np.float32
    with pytest.raises(ValueError, match="divide 0..255"):
        photos.shrink(np.full((16, 16, 3), 200.0), 8)
    with pytest.raises(TypeError, match="int32"):
        photos.shrink(np.full((16, 16, 3), 3, np.int32), 8)
    with pytest.raises(ValueError, match="max_side is 2"):
        photos.shrink(np.zeros((10, 10, 3), np.uint8), 2)
    with pytest.raises(ValueError, match=r"expected a colour image \(h, w, 3\)"):
        photos.shrink(np.zeros((10, 10)), 8)
    assert photos.crop_to_multiple(np.zeros((10, 13, 3)), 4).shape == (8, 12, 3)


def _rcc(entries: dict[str, tuple[bytes, bool]]) -> bytes:
    """A small Qt resource file (format 2) with files in one folder ``d``; (data, zlib-compressed) each."""
    names = ["d"] + list(entries)
    name_blob, name_at = b"", {}
    for n in names:
        name_at[n] = len(name_blob)
        name_blob += struct.pack(">HI", len(n), 0) + n.encode("utf-16-be")
    data_blob, data_at = b"", {}
    for n, (raw, packed) in entries.items():
        payload = struct.pack(">I", len(raw)) + zlib.compress(raw) if packed else raw
        data_at[n] = len(data_blob)
        data_blob += struct.pack(">I", len(payload)) + payload
    nodes = [struct.pack(">IHII", 0, 2, 1, 1) + bytes(8),                      # root: one child, node 1
             struct.pack(">IHII", name_at["d"], 2, len(entries), 2) + bytes(8)]  # folder d: files 2..
    for n, (_, packed) in entries.items():
        nodes.append(struct.pack(">IHHHI", name_at[n], 1 if packed else 0, 0, 0, data_at[n]) + bytes(8))
    header = 20
    body, names_off = header, header + len(data_blob)
    tree = names_off + len(name_blob)
    return b"qres" + struct.pack(">IIII", 2, tree, body, names_off) + data_blob + name_blob + b"".join(nodes)


def test_read_rcc_reads_plain_and_zlib_entries():
    blob = _rcc({"a.txt": (b"hello", False), "b.bin": (bytes(range(50)) * 3, True)})
    assert photos.read_rcc(blob) == {"/d/a.txt": b"hello", "/d/b.bin": bytes(range(50)) * 3}
    with pytest.raises(ValueError, match="qres"):
        photos.read_rcc(b"PK\x03\x04" + bytes(30))


def test_gcompris_files_are_refused_when_missing_or_changed(tmp_path):
    with pytest.raises(photos.PhotosUnavailable, match="install Debian's package gcompris-qt-data"):
        photos.gcompris_photographs(tmp_path)
    for name in photos.GCOMPRIS_FILES:
        (tmp_path / name).write_bytes(b"qres")
    with pytest.raises(photos.PhotosUnavailable, match="SHA-256"):
        photos.gcompris_photographs(tmp_path)


def test_fallback_to_scikit_image_says_why(monkeypatch, tmp_path):
    monkeypatch.setattr(photos, "GCOMPRIS_DIR", tmp_path)
    monkeypatch.setenv("CH11_DATA_DIR", str(tmp_path / "cache"))          # no cached photographs either
    data = photos.load_color_images("gcompris")
    assert data.source == "skimage" and "not available" in data.note and "gcompris-qt-data" in data.note
    assert data.test_names == list(photos.SKIMAGE_TEST) and len(data.train) == len(photos.SKIMAGE_TRAIN)
    for image in data.train + data.test:
        assert image.dtype == np.float32 and 0 <= image.min() and image.max() <= 1
        assert colourfulness(image) > 15          # real colour photographs, not grey ones
    assert all(im.shape[0] % 4 == 0 and im.shape[1] % 4 == 0 for im in data.test)


needs_gcompris = pytest.mark.skipif(
    not all((photos.GCOMPRIS_DIR / f).is_file() for f in photos.GCOMPRIS_FILES),
    reason="Debian's gcompris-qt-data is not installed")


@needs_gcompris
def test_gcompris_photographs_are_real_distinct_and_split_by_photograph():
    data = photos.load_color_images("gcompris", n_test=60, max_side=160, seed=0)
    assert data.source == "gcompris" and len(data.test) == 60 and len(data.train) == 178
    assert set(data.train_names).isdisjoint(data.test_names)
    assert not any(n in photos.DUPLICATES for n in data.train_names + data.test_names)
    images = data.train + data.test
    assert all(80 < max(im.shape[:2]) <= 160 and im.dtype == np.float32 for im in images)
    assert np.median([colourfulness(im) for im in images]) > 20
    # no photograph twice: small grey thumbnails of different photographs are not near-identical
    thumbs = np.stack([np.resize(rgb_to_lab(im[::8, ::8])[..., 0], (12, 12)).ravel() for im in images])
    digests = {hashlib.sha256(im.tobytes()).hexdigest() for im in images}
    assert len(digests) == len(images) and len(np.unique(thumbs.round(3), axis=0)) == len(images)
    again = photos.load_color_images("gcompris", n_test=60, max_side=160, seed=0)
    assert again.test_names == data.test_names                # the split is reproducible


def test_loader_bad_inputs():
    with pytest.raises(ValueError, match="source is 'imagenet'"):
        photos.load_color_images("imagenet")
    with pytest.raises(ValueError, match="name is 'lena'"):
        photos.skimage_photo("lena")
    with pytest.raises(TypeError, match="max_side is 1.5"):
        photos.load_color_images("skimage", max_side=1.5)


def test_photo_cache_round_trip_and_rebuild(monkeypatch, tmp_path):
    rng = np.random.default_rng(5)
    made = {"erase/a": rng.uniform(0, 1, (6, 8, 3)).astype(np.float32),
            "categorization/b": rng.uniform(0, 1, (8, 5, 3)).astype(np.float32)}
    calls = []

    def fake(folder=None, max_side=160):
        calls.append(max_side)
        return dict(made)

    monkeypatch.setattr(photos, "gcompris_photographs", fake)
    first = photos.cached_gcompris_photographs(160, cache_dir=tmp_path)
    again = photos.cached_gcompris_photographs(160, cache_dir=tmp_path)
    assert calls == [160] and list(again) == list(made)                  # the second call read the cache
    assert all(np.array_equal(again[k], made[k]) and again[k].dtype == np.float32 for k in made)
    assert first.keys() == made.keys()
    cache = tmp_path / "gcompris-photos-160.npz"
    cache.write_bytes(cache.read_bytes()[:100])                          # damaged: rebuilt from the package
    assert list(photos.cached_gcompris_photographs(160, cache_dir=tmp_path)) == list(made) and len(calls) == 2
    monkeypatch.setitem(photos.GCOMPRIS_FILES, "erase.rcc", "0" * 64)     # another package version: rebuilt
    photos.cached_gcompris_photographs(160, cache_dir=tmp_path)
    assert len(calls) == 3 and not list(tmp_path.glob(".*.tmp"))
