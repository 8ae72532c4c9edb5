"""Plots shared by the notebooks: image grids, originals over reconstructions, training curves.

Every helper returns the ``matplotlib.figure.Figure`` it drew (or draws on the
``ax`` it is given) and never calls ``plt.show()``. Titles and labels are
English or math, so they render with any font (Colab included).
Each notebook's Setup cell calls :func:`setup_figures` once: figures are laid
out and stored at :data:`FIG_DPI` (one stored pixel per screen pixel at their
display size, sharp on a projector and light in the notebook file). Photos are
shown as JPEG with :func:`show_as_jpeg`. Digit scatters (:func:`scatter_digits`,
:func:`plot_latent_2d`) tell the ten classes apart by a colour-blind-safe
palette, a marker shape per digit and the digit written at each class's centre.
"""

from __future__ import annotations

import io
from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import patheffects
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch, Polygon
from matplotlib.ticker import MaxNLocator

from utils.validation import check_array, check_bool, check_images, check_int, check_number

FIG_DPI = 100  # pixels per inch of a figure, as laid out and as stored (setup_figures)
JPEG_QUALITY = 85  # show_as_jpeg: no visible loss on photos, about a fifth of a PNG's bytes

# Ten digit classes told apart without relying on hue alone: Paul Tol's colour-blind-safe "muted"
# palette (nine colours) and black; a marker shape per digit; scatter_digits also writes each digit
# at its class's centre. Under simulated protanopia, deuteranopia and tritanopia (Machado et al.
# 2009) the closest two colours stay more than 15 CIELAB units apart (tab10's: under 5).
DIGIT_COLOURS = ("#332288", "#88CCEE", "#44AA99", "#117733", "#999933",
                 "#DDCC77", "#CC6677", "#882255", "#AA4499", "#000000")
DIGIT_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "<", ">")


def setup_figures(dpi: int = FIG_DPI, retina: bool = False) -> None:
    """Set the notebooks' figure resolution once, in the Setup cell.

    Figures are laid out and stored as PNG at ``dpi`` pixels per inch
    (``rcParams["figure.dpi"]`` and ``["savefig.dpi"]``): one stored pixel per
    screen pixel at the figure's display size, which is sharp on a projector
    and keeps the notebook file small. ``retina=True`` stores PNGs at twice
    the resolution instead (four times the bytes; for a high-DPI screen only).
    Outside IPython only the dpi is set.

    Raises
    ------
    TypeError, ValueError
        If ``dpi`` is not a positive number or ``retina`` not a bool.
    """
    dpi = check_number(dpi, "dpi", positive=True)
    retina = check_bool(retina, "retina")
    plt.rcParams["figure.dpi"] = dpi
    plt.rcParams["savefig.dpi"] = "figure"
    try:
        from IPython import get_ipython
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:  # plain Python: nothing is displayed inline
        return
    if get_ipython() is not None:
        set_matplotlib_formats("retina" if retina else "png")


def jpeg_bytes(fig: Figure, quality: int = JPEG_QUALITY) -> bytes:
    """``fig`` as a JPEG file's bytes, at the figure's dpi, cropped like an inline figure."""
    if not isinstance(fig, Figure):
        raise TypeError(f"fig is {type(fig).__name__}; expected a matplotlib Figure (e.g. from plt.subplots)")
    quality = check_int(quality, "quality", minimum=1, maximum=95)   # above 95 JPEG only grows
    buf = io.BytesIO()
    fig.savefig(buf, format="jpeg", dpi=fig.dpi, bbox_inches="tight", facecolor="white",
                pil_kwargs={"quality": quality, "optimize": True})
    return buf.getvalue()


def show_as_jpeg(fig: Figure, quality: int = JPEG_QUALITY) -> None:
    """Show ``fig`` in the notebook as a JPEG image and close it (for photos: a PNG of a photo is
    about five times larger). Use it instead of letting the cell display the figure::

        fig, axes = plt.subplots(...)
        ...                       # draw the photos
        show_as_jpeg(fig)

    The output is one image, like a PNG figure (its alt text goes in the cell's metadata 'alt').
    """
    data = jpeg_bytes(fig, quality)
    plt.close(fig)
    from IPython.display import Image, display

    display(Image(data=data, format="jpeg"))


def _as_images(images, name: str = "images", peak: float | None = 1.0) -> np.ndarray:
    """(n, h, w) grey images from (n, h, w, 1), (n, h, w), one (h, w, 1) or one (h, w) image.

    A 3-D array whose last axis is 1 is read as one (h, w, 1) image. Values follow
    :func:`utils.validation.check_images`.
    """
    a = check_images(images, name, layouts=(2, 3, 4), peak=peak)
    if a.ndim == 3 and a.shape[-1] == 1:
        a = a[None]
    if a.ndim == 4:
        if a.shape[-1] != 1:
            raise ValueError(f"{name} has shape {a.shape}; expected grey images, (n, h, w, 1)")
        a = a[..., 0]
    if a.ndim == 2:
        a = a[None]
    return a


def show_images(images, ncols: int = 10, titles: Sequence[str] | None = None,
                cell_size: float = 0.9, cmap: str = "gray", vmin: float | None = 0.0,
                vmax: float | None = 1.0, suptitle: str | None = None) -> Figure:
    """Draw images in a grid of ``ncols`` columns; return the figure.

    Parameters
    ----------
    images : array of shape (n, h, w), (n, h, w, 1), one image (h, w, 1) or (h, w); pixels in [0, 1]
        (any finite values when ``vmin`` or ``vmax`` is None).
    ncols : columns of the grid (rows follow from n).
    titles : optional title per image.
    cell_size : inches per image.
    vmin, vmax : grey-scale range (None lets matplotlib scale each image).
    """
    a = _as_images(images, peak=None if vmin is None or vmax is None else max(1.0, float(vmax)))
    ncols = check_int(ncols, "ncols", minimum=1)
    cell_size = check_number(cell_size, "cell_size", positive=True)
    if titles is not None and len(titles) != len(a):
        raise ValueError(f"{len(titles)} titles for {len(a)} images; expected one per image")
    ncols = min(ncols, len(a))
    nrows = int(np.ceil(len(a) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(cell_size * ncols, cell_size * nrows + (0.3 if suptitle else 0)),
                             dpi=FIG_DPI, squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < len(a):
            ax.imshow(a[i], cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest")
            if titles is not None:
                ax.set_title(titles[i], fontsize=8)
    if suptitle:
        fig.suptitle(suptitle, fontsize=10)
    fig.tight_layout(pad=0.2)
    return fig


def compare_rows(rows: Sequence, labels: Sequence[str], n: int = 10, cell_size: float = 0.8) -> Figure:
    """Draw several rows of images for the same examples, one labelled row per method.

    ``rows`` is a list of arrays of images (the same examples in each); the first
    ``n`` of each are drawn, e.g. ``[originals, reconstructions]`` with labels
    ``["original", "reconstruction"]``.
    """
    if isinstance(rows, np.ndarray) or not isinstance(rows, (list, tuple)) or not rows:
        raise TypeError(f"rows is {type(rows).__name__}; expected a non-empty list of image arrays, one per row")
    if isinstance(labels, str) or len(labels) != len(rows):
        raise ValueError(f"labels has {1 if isinstance(labels, str) else len(labels)} entries for {len(rows)} rows; "
                         "expected a list with one label per row")
    n = check_int(n, "n", minimum=1)
    arrays = [_as_images(r, f"rows[{i}]")[:n] for i, r in enumerate(rows)]
    if len({len(a) for a in arrays}) != 1:
        raise ValueError(f"rows hold {[len(a) for a in arrays]} images; expected the same number in each")
    n = len(arrays[0])
    fig, axes = plt.subplots(len(arrays), n, figsize=(cell_size * n + 1.2, cell_size * len(arrays)),
                             dpi=FIG_DPI, squeeze=False)
    for r, (a, label) in enumerate(zip(arrays, labels)):
        for c in range(n):
            ax = axes[r, c]
            ax.imshow(a[c], cmap="gray", vmin=0.0, vmax=1.0, interpolation="nearest")
            ax.set(xticks=[], yticks=[])
            ax.spines[:].set_visible(False)
        axes[r, 0].set_ylabel(label, rotation=0, ha="right", va="center", fontsize=9)
    fig.tight_layout(pad=0.2)
    return fig


def plot_history(history: dict[str, Sequence[float]], keys: Sequence[str] | None = None,
                 ax=None, ylabel: str = "loss", logy: bool = False):
    """Plot per-epoch curves from a Keras ``History.history`` dict; return the axes."""
    if not isinstance(history, dict) or not history:
        raise TypeError(f"history is {type(history).__name__}; expected a non-empty dict of per-epoch lists, "
                        "e.g. TrainResult.history")
    keys = list(keys) if keys is not None else list(history)
    missing = [k for k in keys if k not in history]
    if missing:
        raise ValueError(f"keys {missing} not in history; it has {sorted(history)}")
    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 3), dpi=FIG_DPI)
    for k in keys:
        ax.plot(np.arange(1, len(history[k]) + 1), history[k], marker="o", ms=3, label=k)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers
    ax.set(xlabel="epoch", ylabel=ylabel)
    if logy:
        ax.set_yscale("log")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return ax


def scatter_digits(ax, codes, labels, s: float = 3.0, alpha: float = 0.5, legend: bool = True,
                   centres: bool = True, **kwargs) -> list:
    """Scatter 2-D points of the ten digit classes on ``ax``; return one artist per class present.

    Each digit has its colour (:data:`DIGIT_COLOURS`, colour-blind-safe) and its marker shape
    (:data:`DIGIT_MARKERS`); with ``centres`` the digit is written at its class's median point, so
    the classes are told apart without colour. ``kwargs`` go to ``ax.scatter`` (e.g. ``zorder``).

    Parameters
    ----------
    codes : array of shape (n, 2).
    labels : n integer labels in 0..9.
    s, alpha : marker size (points squared) and opacity.
    legend : add a legend (digit, colour and marker).
    centres : write each digit at the median of its points.
    """
    z = check_array(codes, "codes", ndim=2)
    y = np.asarray(labels)
    if z.shape[1] != 2:
        raise ValueError(f"codes have shape {z.shape}; expected (n, 2)")
    if y.shape != (len(z),):
        raise ValueError(f"labels have shape {y.shape}; expected ({len(z)},), one per code")
    if y.size and (not np.issubdtype(y.dtype, np.integer) or y.min() < 0 or y.max() > 9):
        raise ValueError(f"labels are {y.dtype} in [{y.min()}, {y.max()}]; expected integer digits 0..9")
    artists = []
    for k in np.unique(y):
        pts = z[y == k]
        artists.append(ax.scatter(pts[:, 0], pts[:, 1], s=s, alpha=alpha, color=DIGIT_COLOURS[k],
                                  marker=DIGIT_MARKERS[k], label=str(k), linewidths=0,
                                  rasterized=True, **kwargs))  # no marker edges: a smaller PNG
    if centres:
        outline = [patheffects.withStroke(linewidth=2.5, foreground="white")]
        for k in np.unique(y):
            mx, my = np.median(z[y == k], axis=0)
            ax.text(mx, my, str(k), ha="center", va="center", fontsize=11, fontweight="bold",
                    color="black", path_effects=outline, zorder=5)
    if legend:
        leg = ax.legend(markerscale=max(1.0, 5.0 / np.sqrt(s)), fontsize=7, ncol=2, loc="best", frameon=True)
        for handle in leg.legend_handles:
            handle.set_alpha(1.0)
    return artists


def plot_latent_2d(codes, labels, ax=None, title: str | None = None, s: float = 3.0, alpha: float = 0.5):
    """Scatter 2-D codes by digit label (colour, marker and the digit at each class's centre, see
    :func:`scatter_digits`), with a legend; return the axes.

    Parameters
    ----------
    codes : array of shape (n, 2).
    labels : n integer labels 0..9.
    ax : axes to draw on (a new figure when None).
    title : optional axes title.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(4.2, 3.8), dpi=FIG_DPI)
    scatter_digits(ax, codes, labels, s=s, alpha=alpha)
    ax.set(xlabel="$z_1$", ylabel="$z_2$")
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def plot_curves(x, curves: dict, ax=None, xlabel: str = "", ylabel: str = "",
                logx: bool = False, logy: bool = False, mark_x: float | None = None, title: str | None = None):
    """One line with markers per entry of ``curves`` (name -> values at ``x``); return the axes.

    Used for error against code size (notebook 02) and PSNR against noise level
    (notebook 03). ``mark_x`` draws a dotted vertical line, e.g. at the noise
    level a model was trained on.
    """
    x = check_array(x, "x", ndim=1, dtype=float)
    if not isinstance(curves, dict) or not curves:
        raise TypeError(f"curves is {type(curves).__name__}; expected a non-empty dict name -> values at x")
    for name, values in curves.items():
        if np.shape(values) != x.shape:
            raise ValueError(f"curve {name!r} has shape {np.shape(values)}; expected {x.shape}, one value per x")
    if ax is None:
        _, ax = plt.subplots(figsize=(4.8, 3.2), dpi=FIG_DPI)
    for name, values in curves.items():
        ax.plot(x, values, marker="o", ms=4, label=name)
    if mark_x is not None:
        ax.axvline(mark_x, color="grey", ls=":", lw=1)
    if logx:
        ax.set_xscale("log", base=2)
        ax.set_xticks(x, [f"{v:g}" for v in x])
    if logy:
        ax.set_yscale("log")
    ax.set(xlabel=xlabel, ylabel=ylabel)
    if title:
        ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return ax


def draw_autoencoder(ax=None, latent_label: str = "p", image_label: str = "28x28x1"):
    """The lecture's picture of an autoencoder: x -> encoder f -> z -> decoder g -> x~; return the axes.

    Parameters
    ----------
    ax : axes to draw on (a new figure when None).
    latent_label : size written under z (e.g. ``"p"`` or ``"p = 16"``).
    image_label : shape written under x and x~.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(7.5, 2.2), dpi=FIG_DPI)
    ax.set(xlim=(0, 10), ylim=(0, 3))
    ax.axis("off")
    # the encoder narrows (k numbers in, p out), the decoder widens back
    ax.add_patch(Polygon([(2.0, 0.4), (4.0, 1.1), (4.0, 1.9), (2.0, 2.6)], closed=True, fc="#c6dbef", ec="#3182bd"))
    ax.add_patch(Polygon([(6.0, 1.1), (8.0, 0.4), (8.0, 2.6), (6.0, 1.9)], closed=True, fc="#fdd0a2", ec="#e6550d"))
    ax.add_patch(FancyBboxPatch((4.55, 0.9), 0.9, 1.2, boxstyle="round,pad=0.05", fc="#e5f5e0", ec="#31a354"))
    ax.text(3.0, 1.5, "encoder\n$f$", ha="center", va="center", fontsize=10)
    ax.text(7.0, 1.5, "decoder\n$g$", ha="center", va="center", fontsize=10)
    ax.text(5.0, 1.5, "$z$", ha="center", va="center", fontsize=13)
    ax.text(5.0, 0.55, latent_label, ha="center", va="top", fontsize=8)
    ax.text(0.9, 1.5, "$x$", ha="center", va="center", fontsize=15)
    ax.text(9.1, 1.5, r"$\tilde x$", ha="center", va="center", fontsize=15)
    for x_pos in (0.9, 9.1):
        ax.text(x_pos, 0.95, image_label, ha="center", va="top", fontsize=8)
    for start, end in [(1.3, 2.0), (4.0, 4.5), (5.5, 6.0), (8.0, 8.7)]:
        ax.annotate("", xy=(end, 1.5), xytext=(start, 1.5), arrowprops=dict(arrowstyle="->", lw=1.2))
    ax.text(5.0, 2.85, r"reconstruction loss $l(x, \tilde x) = \sum_j (x_j - \tilde x_j)^2$ compares the two ends",
            ha="center", va="center", fontsize=9)
    return ax
