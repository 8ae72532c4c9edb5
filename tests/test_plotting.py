"""The figure settings and the concept diagram of utils.plotting."""

from __future__ import annotations

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from utils.plotting import FIG_DPI, compare_rows, draw_autoencoder, setup_figures  # noqa: E402


def test_setup_figures_sets_the_dpi_and_rejects_bad_values() -> None:
    saved = plt.rcParams["figure.dpi"]
    try:
        setup_figures()
        assert plt.rcParams["figure.dpi"] == FIG_DPI == 100
        setup_figures(dpi=80, retina=False)
        assert plt.rcParams["figure.dpi"] == 80
        for bad in (0, -5, float("nan")):
            with pytest.raises(ValueError, match="dpi"):
                setup_figures(dpi=bad)
        for bad in ("100", True, None):
            with pytest.raises(TypeError, match="dpi"):
                setup_figures(dpi=bad)
        with pytest.raises(TypeError, match="retina"):
            setup_figures(retina="yes")
    finally:
        plt.rcParams["figure.dpi"] = saved


def test_draw_autoencoder_shows_the_lecture_picture() -> None:
    ax = draw_autoencoder(latent_label="p = 16")
    texts = [t.get_text() for t in ax.texts]
    for wanted in ("$x$", r"$\tilde x$", "$z$", "encoder\n$f$", "decoder\n$g$", "p = 16"):
        assert wanted in texts, (wanted, texts)
    assert len(ax.patches) == 3  # encoder, latent vector, decoder
    plt.close(ax.figure)


def test_image_grids_show_pixels_as_they_are() -> None:
    fig = compare_rows([np.zeros((3, 28, 28, 1)), np.ones((3, 28, 28))], ["a", "b"])
    assert {im.get_interpolation() for ax in fig.axes for im in ax.images} == {"nearest"}
    plt.close(fig)


def _cvd_worst_pair(colours) -> dict[str, float]:
    """The smallest CIELAB distance between two of ``colours``, seen normally and under simulated
    protanopia, deuteranopia and tritanopia (Machado, Oliveira & Fernandes 2009, severity 1)."""
    import itertools

    import matplotlib.colors as mc
    from skimage.color import rgb2lab

    sims = {"normal": np.eye(3),
            "protan": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
            "deutan": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]],
            "tritan": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]]}
    rgb = np.array([mc.to_rgb(c) for c in colours])
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    worst = {}
    for name, m in sims.items():
        sim = np.clip(linear @ np.asarray(m).T, 0, 1)
        srgb = np.where(sim <= 0.0031308, 12.92 * sim, 1.055 * sim ** (1 / 2.4) - 0.055)
        lab = rgb2lab(srgb[None])[0]
        worst[name] = min(float(np.linalg.norm(lab[i] - lab[j])) for i, j in itertools.combinations(range(len(lab)), 2))
    return worst


def test_digit_colours_stay_apart_under_colour_blindness() -> None:
    from utils.plotting import DIGIT_COLOURS, DIGIT_MARKERS

    ours = _cvd_worst_pair(DIGIT_COLOURS)
    tab10 = _cvd_worst_pair([plt.get_cmap("tab10")(i) for i in range(10)])
    assert min(ours.values()) > 15, ours
    assert min(tab10.values()) < 5          # the old map: two classes nearly the same for a protanope
    assert len(set(DIGIT_COLOURS)) == len(set(DIGIT_MARKERS)) == 10


def test_digit_scatter_uses_markers_and_writes_each_digit_at_its_centre() -> None:
    from utils.plotting import DIGIT_MARKERS, plot_latent_2d

    rng = np.random.default_rng(0)
    y = np.repeat(np.arange(10), 30)
    centres = np.stack([np.cos(np.arange(10)), np.sin(np.arange(10))], axis=1) * 5
    z = centres[y] + rng.normal(0, 0.3, (300, 2))
    ax = plot_latent_2d(z, y)
    texts = {t.get_text(): t.get_position() for t in ax.texts}
    assert sorted(texts) == [str(k) for k in range(10)]
    for k in range(10):
        assert np.linalg.norm(np.array(texts[str(k)]) - centres[k]) < 0.3
    paths = [c.get_paths()[0] for c in ax.collections]
    assert len({tuple(np.round(p.vertices.ravel(), 3)) for p in paths}) == 10   # ten different marker shapes
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [str(k) for k in range(10)]
    assert len(DIGIT_MARKERS) == 10
    with pytest.raises(ValueError, match="digits 0..9"):
        plot_latent_2d(z, y + 1)
    plt.close(ax.figure)


def test_figures_are_stored_at_1x_and_photos_as_jpeg() -> None:
    from utils.plotting import jpeg_bytes

    saved = dict(plt.rcParams)
    try:
        setup_figures()
        assert plt.rcParams["figure.dpi"] == 100 and plt.rcParams["savefig.dpi"] == "figure"
        fig, ax = plt.subplots(figsize=(4, 3))
        from skimage import data as photos

        ax.imshow(photos.astronaut())   # a real photograph, shipped with scikit-image
        ax.axis("off")
        import io

        png = io.BytesIO()
        fig.savefig(png, format="png")
        from PIL import Image

        assert Image.open(io.BytesIO(png.getvalue())).size == (400, 300)   # 1x: 100 px per inch
        data = jpeg_bytes(fig)
        assert data[:3] == b"\xff\xd8\xff" and len(data) < len(png.getvalue()) / 2
        with pytest.raises(ValueError, match="quality"):
            jpeg_bytes(fig, quality=100)
        with pytest.raises(TypeError, match="Figure"):
            jpeg_bytes(ax)
        plt.close(fig)
    finally:
        plt.rcParams.update(saved)
