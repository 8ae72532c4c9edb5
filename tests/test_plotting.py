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
