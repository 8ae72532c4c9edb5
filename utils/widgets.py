"""Slider widgets that walk a VAE's latent space, decoding one point per move.

Notebook 04 (``04_variational_autoencoder.ipynb``) introduces them.

- :func:`decode_point` -- one latent vector z in, one (28, 28) image of pixel
  probabilities out (:func:`utils.vae.pixel_probabilities`).
- :func:`principal_directions` -- the leading principal directions of the encoder's means
  (a :class:`utils.pca.PCA`), so that a model with many latent coordinates can be walked
  along a few sliders.
- :func:`draw_latent_point` -- the figure a slider move redraws: the decoded image next to
  the latent scatter with the point marked.
- :func:`latent_explorer` -- the widget: ``FloatSlider`` s named ``z1, z2, ...`` (walking the
  coordinates) or ``pc1, pc2, ...`` (walking the principal directions), and an ``Output``
  beside them that holds the figure.

Only widgets that ipywidgets 7.7 (Colab) and 8.x both have are used:
``FloatSlider``, ``Output``, ``HBox``/``VBox``; a slider's ``observe`` redraws the figure,
and with ``continuous_update=False`` a drag redraws once on release while every
keyboard step (arrow keys) commits and redraws at once.
"""

from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from utils.pca import PCA, fit_pca
from utils.plotting import FIG_DPI
from utils.validation import check_array, check_images, check_int, check_number
from utils.vae import latent_size_of, pixel_probabilities


def decode_point(decoder, z) -> np.ndarray:
    """Decode one latent point into a (28, 28) array of pixel probabilities.

    Parameters
    ----------
    decoder : Keras model z (1, p) -> logits (1, 28, 28, 1).
    z : sequence of p finite numbers.

    Returns
    -------
    numpy array of shape (28, 28) with values in [0, 1].

    Raises
    ------
    TypeError, ValueError
        If ``z`` is not a flat vector of p finite numbers (p: the decoder's latent size).
    """
    p = latent_size_of(decoder)
    z = check_array(z, "z", ndim=1, min_len=0)
    if z.shape[0] != p:
        raise ValueError(f"z has shape {z.shape}; the decoder takes a latent vector of {p} "
                         f"numbers, expected shape ({p},)")
    image = pixel_probabilities(decoder, z)
    return image.reshape(image.shape[1], image.shape[2])


def _check_mu(mu, p: int | None = None) -> np.ndarray:
    mu = check_array(mu, "mu", ndim=2, min_len=2, dtype=np.float64)
    if p is not None and mu.shape[1] != p:
        raise ValueError(f"mu has shape {mu.shape}; the decoder takes {p} latent coordinates, "
                         f"expected (n, {p})")
    if not np.any(np.ptp(mu, axis=0) > 0):
        raise ValueError(f"mu has shape {mu.shape} but all its rows are equal (no spread to draw or walk); "
                         "expected the encoder's means of many different images")
    return mu


def principal_directions(mu, n_components: int = 2) -> PCA:
    """PCA of the encoder's means ``mu`` (n, p): the ``n_components`` leading directions.

    A thin use of :func:`utils.pca.fit_pca`: the result's ``mean`` is the centre of the mu's,
    ``components[:, i]`` the i-th direction, ``np.sqrt(variances)`` the spread along each,
    ``explained`` each direction's share of the total variance; ``encode(z)`` gives the
    coordinates of latent vectors along the directions and ``decode(coords)`` the latent vectors.

    Raises
    ------
    TypeError, ValueError
        If ``mu`` is not a finite (n, p) array of n >= 2 rows that are not all equal, or
        ``n_components`` is not between 1 and p.
    """
    mu = _check_mu(mu)
    n_components = check_int(n_components, "n_components", minimum=1, maximum=mu.shape[1])
    return fit_pca(mu, n_components)


def draw_latent_point(image, point, scatter_xy, labels=None, axis_names: Sequence[str] = ("z1", "z2"),
                      max_points: int = 3000, limits: Sequence[Sequence[float]] | None = None) -> Figure:
    """The explorer's figure: the decoded image (left) and the latent scatter with ``point`` (right).

    Parameters
    ----------
    image : (28, 28) array of pixel values in [0, 1], e.g. from :func:`decode_point`.
    point : the current position in the scatter's two coordinates.
    scatter_xy : (n, 2) positions of the test images (their mu, or mu projected on two directions).
    labels : optional (n,) digit labels that colour the scatter.
    axis_names : names of the scatter's axes.
    max_points : at most this many scatter points are drawn (the first ones), to keep redraws fast.
    limits : optional ``((x_min, x_max), (y_min, y_max))`` of the scatter, so that its frame stays
        put while the point moves.
    """
    image = check_images(image, "image", layouts=(2,))
    point = check_array(point, "point", ndim=1, min_len=2, dtype=np.float64)
    if point.shape != (2,):
        raise ValueError(f"point has shape {point.shape}; expected (2,), a position in the scatter's two coordinates")
    xy = check_array(scatter_xy, "scatter_xy", ndim=2, dtype=np.float64)
    if xy.shape[1] != 2:
        raise ValueError(f"scatter_xy has shape {xy.shape}; expected (n, 2)")
    if labels is not None and len(labels) != len(xy):
        raise ValueError(f"labels has {len(labels)} entries for {len(xy)} points; expected one per point")
    max_points = check_int(max_points, "max_points", minimum=1)
    if limits is not None:
        lim = check_array(limits, "limits", ndim=2, dtype=np.float64)
        if lim.shape != (2, 2) or not np.all(lim[:, 1] > lim[:, 0]):
            raise ValueError(f"limits is {lim.tolist()}; expected ((x_min, x_max), (y_min, y_max)) with min < max")
    xy = xy[:max_points]
    fig, (ax_img, ax_z) = plt.subplots(1, 2, figsize=(6.4, 3.0), dpi=FIG_DPI,
                                       gridspec_kw={"width_ratios": [1, 1.25]})
    ax_img.imshow(np.asarray(image), cmap="gray", vmin=0.0, vmax=1.0)
    ax_img.set_title("decoded x~", fontsize=9)
    ax_img.axis("off")
    colours = None if labels is None else np.asarray(labels)[:max_points]
    style = {} if colours is None else {"c": colours, "cmap": "tab10", "vmin": -0.5, "vmax": 9.5}
    sc = ax_z.scatter(xy[:, 0], xy[:, 1], s=2, alpha=0.5, **style)
    if labels is not None:
        fig.colorbar(sc, ax=ax_z, ticks=range(10), fraction=0.05, pad=0.02)
    ax_z.plot([point[0]], [point[1]], marker="X", ms=11, color="black", mec="white")
    if limits is not None:
        ax_z.set_xlim(*limits[0])
        ax_z.set_ylim(*limits[1])
    ax_z.set_xlabel(axis_names[0])
    ax_z.set_ylabel(axis_names[1])
    ax_z.tick_params(labelsize=7)
    fig.tight_layout(pad=0.3)
    return fig


def _scatter_point(values: Sequence[float], base: np.ndarray, directions: PCA | None) -> tuple:
    """Position of the marker in the scatter's coordinates and the latent vector to decode."""
    if directions is None:
        z = base.copy()
        z[: len(values)] = values
        return (z[0], z[1] if len(z) > 1 else 0.0), z
    coords = np.zeros(directions.n_components)
    coords[: len(values)] = values
    z = np.asarray(directions.decode(coords[None]), dtype=np.float64)[0]
    return (coords[0], coords[1] if len(coords) > 1 else 0.0), z


def latent_explorer(decoder, mu, labels=None, n_sliders: int | None = None, limit: float = 3.0,
                    step: float = 0.1, max_points: int = 3000):
    """Slider widget that walks the latent space and redraws the decoded image.

    For a decoder with p = 2 latent coordinates there is one slider per coordinate,
    named ``z1``, ``z2``. For p > 2 the sliders walk the leading principal directions of
    ``mu`` (named ``pc1``, ``pc2``, ...), measured from the mean of the mu's; every other
    direction stays at that mean. Each slider move decodes one point with one direct
    decoder call (:func:`decode_point`) and redraws :func:`draw_latent_point` into an
    ``Output`` widget beside the sliders.

    Parameters
    ----------
    decoder : Keras model z -> logits.
    mu : (n, p) encoder means of the test images (the scatter, and the PCA for p > 2).
    labels : optional (n,) labels that colour the scatter.
    n_sliders : number of sliders; default p for p = 2, else 3 principal directions.
    limit : slider range; for z the coordinates run over [-limit, limit] (prior standard
        deviations), for principal directions over [-limit, limit] times the mu's standard
        deviation along each direction.
    step : slider step (in the same units as the range, before scaling).
    max_points : scatter points drawn at most.

    Returns
    -------
    ipywidgets.HBox ``[VBox(sliders), Output]``. Attributes set on the box: ``sliders``,
    ``output``, ``redraw()`` (redraws the current state), ``state``, a dict with the last
    decoded ``z``, its scatter ``point``, the ``image`` and the count of ``redraws``, and
    ``frame``, the fixed scatter limits (they hold every point the sliders can reach).

    Raises
    ------
    TypeError, ValueError
        If ``mu`` is not a finite (n, p) array of the decoder's latent size with some spread,
        ``n_sliders`` does not fit, or ``limit``, ``step`` or ``max_points`` are not positive.
    """
    import ipywidgets as widgets
    from IPython.display import display

    p = latent_size_of(decoder)
    mu = _check_mu(mu, p)
    if labels is not None and len(labels) != len(mu):
        raise ValueError(f"labels has {len(labels)} entries for {len(mu)} rows of mu; expected one per row")
    n_sliders = check_int(p if p <= 2 else 3, "n_sliders") if n_sliders is None else \
        check_int(n_sliders, "n_sliders", minimum=1, maximum=p)
    limit = check_number(limit, "limit", positive=True)
    step = check_number(step, "step", positive=True)
    if step > limit:
        raise ValueError(f"step is {step:g} but limit is {limit:g}; expected a step no larger than the limit")
    max_points = check_int(max_points, "max_points", minimum=1)
    if p <= 2:
        directions, prefix, scales = None, "z", np.ones(n_sliders)
        base = np.zeros(p)
        xy = mu if p == 2 else np.column_stack([mu[:, 0], np.zeros(len(mu))])
        names = ("z1", "z2")
    else:
        directions = principal_directions(mu, max(2, n_sliders))
        scales = np.sqrt(np.asarray(directions.variances[:n_sliders], dtype=np.float64))
        if not np.all(scales > 0):
            raise ValueError(f"mu has no spread along {int(np.sum(scales <= 0))} of its leading "
                             f"{n_sliders} principal directions; expected n_sliders <= the number of "
                             "directions in which the mu's vary")
        prefix, base = "pc", np.asarray(directions.mean, dtype=np.float64)
        xy = np.asarray(directions.encode(mu), dtype=np.float64)[:, :2]
        names = ("pc1", "pc2")
    sliders = [widgets.FloatSlider(value=0.0, min=-limit * s, max=limit * s, step=step * s,
                                   description=f"{prefix}{i + 1}", continuous_update=False,
                                   readout=True, readout_format=".2f")
               for i, s in enumerate(scales)]
    out = widgets.Output()
    reach = np.zeros(2)
    reach[: min(2, n_sliders)] = limit * np.asarray(scales[:2])
    pad = 0.05 * (np.ptp(xy, axis=0) + 2 * reach)
    frame = tuple((min(xy[:, i].min(), -reach[i]) - pad[i], max(xy[:, i].max(), reach[i]) + pad[i])
                  for i in range(2))

    state: dict = {}

    def redraw(_change=None) -> None:
        point, z = _scatter_point([s.value for s in sliders], base, directions)
        image = decode_point(decoder, z)
        state.update(z=z, point=point, image=image, redraws=state.get("redraws", 0) + 1)
        fig = draw_latent_point(image, point, xy, labels, names, max_points, limits=frame)
        with out:
            out.clear_output(wait=True)
            display(fig)
        plt.close(fig)

    for s in sliders:
        s.observe(redraw, names="value")
    box = widgets.HBox([widgets.VBox(sliders), out])
    box.sliders = sliders
    box.output = out
    box.redraw = redraw
    box.state = state
    box.frame = frame
    redraw()
    return box
