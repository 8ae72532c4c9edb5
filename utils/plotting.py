"""Plots shared by the notebooks: image grids, originals over reconstructions, training curves.

Every helper returns the ``matplotlib.figure.Figure`` it drew (or draws on the
``ax`` it is given) and never calls ``plt.show()``. Titles and labels are
English or math, so they render with any font (Colab included).
"""

from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from utils.validation import check_array, check_images, check_int, check_number

FIG_DPI = 72  # keeps stored notebook outputs light


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
            ax.imshow(a[i], cmap=cmap, vmin=vmin, vmax=vmax)
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
            ax.imshow(a[c], cmap="gray", vmin=0.0, vmax=1.0)
            ax.set_xticks([])
            ax.set_yticks([])
            for side in ax.spines.values():
                side.set_visible(False)
        axes[r, 0].set_ylabel(label, rotation=0, ha="right", va="center", fontsize=9)
    fig.tight_layout(pad=0.2)
    return fig


def plot_reconstructions(originals, reconstructions, n: int = 10) -> Figure:
    """Originals (top row) over their reconstructions (bottom row)."""
    return compare_rows([originals, reconstructions], ["original", "reconstruction"], n=n)


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
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    if logy:
        ax.set_yscale("log")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return ax


def plot_latent_2d(codes, labels, ax=None, title: str | None = None, s: float = 2.0, alpha: float = 0.5):
    """Scatter 2-D codes coloured by their digit label, with a legend; return the axes.

    Parameters
    ----------
    codes : array of shape (n, 2).
    labels : n integer labels (the colour of each point).
    ax : axes to draw on (a new figure when None).
    title : optional axes title.
    """
    z = check_array(codes, "codes", ndim=2)
    y = np.asarray(labels)
    if z.shape[1] != 2:
        raise ValueError(f"codes have shape {z.shape}; expected (n, 2)")
    if y.shape != (len(z),):
        raise ValueError(f"labels have shape {y.shape}; expected ({len(z)},), one per code")
    if ax is None:
        _, ax = plt.subplots(figsize=(4.2, 3.8), dpi=FIG_DPI)
    cmap = plt.get_cmap("tab10")
    for k in np.unique(y):
        pts = z[y == k]
        ax.scatter(pts[:, 0], pts[:, 1], s=s, alpha=alpha, color=cmap(int(k) % 10), label=str(k), rasterized=True)
    ax.legend(markerscale=4, fontsize=7, ncol=2, loc="best", frameon=True)
    ax.set_xlabel("$z_1$")
    ax.set_ylabel("$z_2$")
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
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return ax
