"""Widgets that walk a VAE's latent space: notebook 04's explorers and notebook 05's digit selector.

Notebook 04 (``04_variational_autoencoder.ipynb``) introduces them; notebook 05
(``05_conditional_and_beta_vae.ipynb``) uses :func:`conditional_explorer` and :func:`model_switcher`.

Every widget here is a :class:`FrameExplorer`: when the cell runs, the decoder decodes the
whole grid of slider positions in one batched call, and the frames go to the browser packed
in one PNG sheet (one frame per row, ``LEVELS + 1`` grey levels). Moving a slider then only
picks a frame in the browser: no kernel round trip, so the sliders also move on the static
site, in the slide decks and in a notebook whose kernel is not running. The front end is one
ES module, ``utils/frame_explorer.js``, served through anywidget (JupyterLab, Colab with
ipywidgets 7.7.1) or through the site's small host (``tools/widget_site.py``). The latent
scatter is drawn once as an image; the browser moves the marker on it. The kernel keeps the
current position in the synced trait ``value`` (a dict: control name -> value), so a cell
can read it (``explorer.value``, ``explorer.z``, ``explorer.image``) or set it.

- :func:`decode_point` -- one latent vector z in, one (28, 28) image of pixel probabilities out.
- :func:`principal_directions` -- the leading principal directions of the encoder's means,
  so that a model with many latent coordinates can be walked along a few sliders.
- :func:`draw_latent_point` -- a static figure: the decoded image beside the latent scatter.
- :func:`slider_positions` -- the grid of one slider: multiples of ``step`` within ``[-limit, limit]``.
- :func:`latent_explorer` -- sliders ``z1, z2`` (p = 2) or ``pc1, pc2, ...`` (p > 2).
- :func:`conditional_explorer` -- digit buttons and style sliders of a conditional decoder.
- :func:`model_switcher` -- a slider over options (e.g. beta) that shows one figure per option.
"""

from __future__ import annotations

import base64
import io
import itertools
import math
from pathlib import Path
from typing import Callable, Sequence

import matplotlib.pyplot as plt
import numpy as np
import traitlets
from matplotlib.figure import Figure
from PIL import Image

from utils.cvae import N_CLASSES, decode_conditional
from utils.pca import PCA, fit_pca
from utils.plotting import FIG_DPI, plot_latent_2d
from utils.validation import check_array, check_callable, check_images, check_int, check_number, describe
from utils.vae import latent_size_of, pixel_probabilities

try:
    import anywidget
except ModuleNotFoundError as exc:  # pragma: no cover - a dependency; Colab's setup cell installs it
    raise ModuleNotFoundError(
        "utils.widgets needs the package anywidget: `pip install anywidget` (on Colab, run the notebook's "
        "setup cell first)") from exc

# --------------------------------------------------------------------------- frame grids
LEVELS = 63                 # a frame's pixel is stored as round(p * LEVELS): 64 grey levels, error <= 1/126
FRAME_BUDGET = 1000         # the default step is the finest of DEFAULT_STEPS whose grid has at most this many frames
MAX_FRAMES = 4000           # more frames are refused (each adds about 250 bytes to the notebook)
DEFAULT_STEPS = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0)
PALETTE_COLOURS = 256       # colours of a stored figure (the scatter) that is not grey: a PNG palette
IMAGE_SCALE = 6             # a 28 x 28 frame is shown at 168 x 168 CSS pixels
FRONT_END = Path(__file__).with_name("frame_explorer.js")


def slider_positions(limit: float, step: float) -> np.ndarray:
    """The positions of one slider: the multiples of ``step`` in ``[-limit, limit]`` (0 included).

    Raises
    ------
    TypeError, ValueError
        If ``limit`` or ``step`` is not a positive finite number, or ``step > limit``.
    """
    limit = check_number(limit, "limit", positive=True)
    step = check_number(step, "step", positive=True)
    if step > limit:
        raise ValueError(f"step is {step:g} but limit is {limit:g}; expected a step no larger than the limit")
    n = int(math.floor(limit / step + 1e-9))
    return np.round(np.arange(-n, n + 1) * step, 12)


def _grid_step(limit: float, step, n_sliders: int, other_frames: int = 1) -> float:
    """``step`` checked, or (None) the finest default step whose grid stays within FRAME_BUDGET."""
    if step is not None:
        step = check_number(step, "step", positive=True)
        n = len(slider_positions(limit, step)) ** n_sliders * other_frames
        if n > MAX_FRAMES:
            raise ValueError(f"step is {step:g}: {n_sliders} slider(s) over [-{limit:g}, {limit:g}] give {n} frames "
                             f"to decode and store; expected at most {MAX_FRAMES}: choose a larger step "
                             "(or leave step=None for the default grid)")
        return step
    for candidate in DEFAULT_STEPS:
        if candidate <= limit and len(slider_positions(limit, candidate)) ** n_sliders * other_frames <= FRAME_BUDGET:
            return candidate
    raise ValueError(f"{n_sliders} slider(s) over [-{limit:g}, {limit:g}] need more than {FRAME_BUDGET} frames even "
                     f"at step {DEFAULT_STEPS[-1]:g}; expected fewer sliders or a smaller limit")


def encode_frames(images, levels: int = LEVELS) -> dict:
    """Pack (n, h, w) images in [0, 1] into the front end's grey sheet: one PNG, one frame per row.

    Returns ``{"kind": "gray", "png": base64, "width": w, "height": h, "count": n, "levels": levels,
    "scale": IMAGE_SCALE}``; :func:`decode_frames` reverses it (to the quantisation ``1 / (2 levels)``).
    """
    images = check_images(images, "images", layouts=(3,))
    levels = check_int(levels, "levels", minimum=1, maximum=255)
    n, h, w = images.shape
    rows = np.round(np.clip(images, 0.0, 1.0) * levels).astype(np.uint8).reshape(n, h * w)
    buffer = io.BytesIO()
    Image.fromarray(rows, mode="L").save(buffer, format="PNG", optimize=True)
    return {"kind": "gray", "png": base64.b64encode(buffer.getvalue()).decode("ascii"), "width": int(w),
            "height": int(h), "count": int(n), "levels": int(levels), "scale": IMAGE_SCALE}


def decode_frames(sheet: dict) -> np.ndarray:
    """The frames of a grey sheet (:func:`encode_frames`) as an (n, h, w) float array in [0, 1]."""
    rows = np.asarray(Image.open(io.BytesIO(base64.b64decode(sheet["png"]))), dtype=np.float64)
    return (rows / sheet["levels"]).reshape(sheet["count"], sheet["height"], sheet["width"])


def _figure_png(fig: Figure) -> tuple[str, int, int]:
    """A figure as a base64 PNG at its own dpi, not cropped (so that pixel positions stay known)."""
    buffer = io.BytesIO()
    with plt.rc_context({"savefig.bbox": "standard"}):
        fig.savefig(buffer, format="png", dpi=fig.dpi)
    plt.close(fig)
    image = Image.open(io.BytesIO(buffer.getvalue()))
    rgb = np.asarray(image.convert("RGB"))
    buffer = io.BytesIO()
    if np.all(rgb[..., 0] == rgb[..., 1]) and np.all(rgb[..., 1] == rgb[..., 2]):   # grey: a third of the bytes
        Image.fromarray(rgb[..., 0], mode="L").save(buffer, format="PNG", optimize=True)
    else:   # a palette (the scatter: ten hues and their blends): about a third of the bytes
        Image.fromarray(rgb).quantize(PALETTE_COLOURS, dither=Image.Dither.NONE).save(buffer, format="PNG", optimize=True)
    return base64.b64encode(buffer.getvalue()).decode("ascii"), image.width, image.height


# --------------------------------------------------------------------------- the widget
class FrameExplorer(anywidget.AnyWidget):
    """Sliders and choice buttons that show precomputed frames (front end: ``utils/frame_explorer.js``).

    Built by :func:`latent_explorer`, :func:`conditional_explorer` and :func:`model_switcher`.
    ``value`` (synced with the browser) maps each control's name to its current value; setting it
    from a cell moves the controls (slider values snap to the nearest grid position).
    """

    _esm = FRONT_END.read_text(encoding="utf-8")
    controls = traitlets.List(traitlets.Dict()).tag(sync=True)
    sheet = traitlets.Dict().tag(sync=True)
    scatter = traitlets.Dict().tag(sync=True)
    value = traitlets.Dict().tag(sync=True)
    title = traitlets.Unicode("").tag(sync=True)
    image_alt = traitlets.Unicode("").tag(sync=True)

    def __init__(self, *, controls: list[dict], sheet: dict, value: dict, scatter: dict | None = None,
                 title: str = "", image_alt: str = "", latent: Callable[[dict], np.ndarray] | None = None) -> None:
        self._latent = latent
        self._frames_cache: np.ndarray | None = None
        super().__init__(controls=controls, sheet=sheet, scatter=scatter or {}, value=value, title=title,
                         image_alt=image_alt)

    @traitlets.validate("value")
    def _snap(self, proposal) -> dict:
        given = proposal["value"]
        names = [c["name"] for c in self.controls]
        if not isinstance(given, dict) or sorted(given) != sorted(names):
            raise traitlets.TraitError(f"value is {describe(given)}; expected a dict with one entry for each "
                                       f"control: {names}")
        snapped = {}
        for c in self.controls:
            v = given[c["name"]]
            if c["kind"] == "slider" and isinstance(c["values"][0], float):
                v = check_number(v, f"value[{c['name']!r}]")
                snapped[c["name"]] = c["values"][int(np.argmin(np.abs(np.asarray(c["values"]) - v)))]
            elif v in c["values"] and type(v) is type(c["values"][c["values"].index(v)]):
                snapped[c["name"]] = v
            else:
                raise traitlets.TraitError(f"value[{c['name']!r}] is {describe(v)}; expected one of {c['values']}")
        return snapped

    def frame_index(self, value: dict | None = None) -> int:
        """The frame shown for ``value`` (default: the current value)."""
        value = self.value if value is None else self._snap({"value": value})
        index = 0
        for c in self.controls:
            index = index * len(c["values"]) + c["values"].index(value[c["name"]])
        return index

    @property
    def frames(self) -> np.ndarray:
        """Every stored frame, (n, h, w) in [0, 1] (grey sheets only)."""
        if self.sheet.get("kind") != "gray":
            raise AttributeError("this widget stores whole figures (model_switcher); see .sheet['images']")
        if self._frames_cache is None:
            self._frames_cache = decode_frames(self.sheet)
        return self._frames_cache

    @property
    def image(self) -> np.ndarray:
        """The frame the widget shows now, (h, w) in [0, 1] (quantised to ``LEVELS`` levels)."""
        return self.frames[self.frame_index()]

    @property
    def z(self) -> np.ndarray:
        """The latent vector the current position decodes."""
        if self._latent is None:
            raise AttributeError("this widget does not walk a latent space")
        return self._latent(self.value)


def _slider(name: str, values: np.ndarray, label: str | None = None) -> dict:
    vals = [float(v) for v in values]
    return {"name": name, "label": label or name, "kind": "slider", "values": vals, "text": [f"{v:.2f}" for v in vals]}


def _grid(controls: list[dict]) -> np.ndarray:
    """Every combination of the controls' value indices, first control slowest: (n_frames, n_controls)."""
    return np.array(list(itertools.product(*[range(len(c["values"])) for c in controls])), dtype=np.int64)


# --------------------------------------------------------------------------- decoding and figures
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
        ax_z.set(xlim=limits[0], ylim=limits[1])
    ax_z.set(xlabel=axis_names[0], ylabel=axis_names[1])
    ax_z.tick_params(labelsize=7)
    fig.tight_layout(pad=0.3)
    return fig


def _scatter_image(xy: np.ndarray, labels, names: Sequence[str], limits, max_points: int, alt: str) -> dict:
    """The latent scatter drawn once, with the data-to-pixel map of its axes for the browser's marker."""
    xy = xy[:max_points]
    fig, ax = plt.subplots(figsize=(3.9, 3.3), dpi=FIG_DPI)
    if labels is not None:
        plot_latent_2d(xy, np.asarray(labels)[:max_points], ax=ax)
    else:
        ax.scatter(xy[:, 0], xy[:, 1], s=2, alpha=0.5, linewidths=0, rasterized=True)
    ax.set(xlim=limits[0], ylim=limits[1], xlabel=names[0], ylabel=names[1])
    ax.tick_params(labelsize=7)
    fig.tight_layout(pad=0.3)
    fig.canvas.draw()
    corners = np.array([[limits[0][0], limits[1][0]], [limits[0][1], limits[1][1]]], dtype=np.float64)
    display = ax.transData.transform(corners)       # pixels at fig.dpi, origin bottom left
    height_px = fig.get_figheight() * fig.dpi
    px = [[float(u), float(height_px - v)] for u, v in display]
    png, width, height = _figure_png(fig)
    return {"png": png, "width": width, "height": height, "px": px, "data": corners.tolist(), "alt": alt}


def latent_explorer(decoder, mu, labels=None, n_sliders: int | None = None, limit: float = 3.0,
                    step: float | None = None, max_points: int = 3000) -> FrameExplorer:
    """Sliders that walk the latent space; the decoded image and the point in the scatter follow.

    For a decoder with p <= 2 latent coordinates there is one slider per coordinate, named
    ``z1``, ``z2``. For p > 2 the sliders walk the leading principal directions of ``mu``
    (named ``pc1``, ``pc2``, ...), measured from the mean of the mu's; every other direction
    stays at that mean. Every slider position of the grid is decoded once, in one batched call,
    when the function runs; moving a slider then shows the stored frame at once, also without a
    kernel (on the website, in the slides).

    Parameters
    ----------
    decoder : Keras model z -> logits.
    mu : (n, p) encoder means of the test images (the scatter, and the PCA for p > 2).
    labels : optional (n,) labels that colour the scatter.
    n_sliders : number of sliders; default p for p <= 2, else 3 principal directions.
    limit : slider range; for z the coordinates run over [-limit, limit] (prior standard
        deviations), for principal directions over [-limit, limit] times the mu's standard
        deviation along each direction.
    step : distance of two slider positions (same units as ``limit``); None: the finest of
        ``DEFAULT_STEPS`` whose grid has at most ``FRAME_BUDGET`` frames (0.25 for two sliders
        over [-3, 3]: 25 x 25 frames; 0.75 for three: 9 x 9 x 9).
    max_points : scatter points drawn at most (the first ones).

    Returns
    -------
    FrameExplorer
        ``value`` ({'z1': ..., 'z2': ...} or {'pc1': ...}), ``z`` (the latent vector shown),
        ``image`` (the frame shown), ``frames``, ``limits`` (the scatter's frame, which holds every
        reachable point) and ``directions`` (the PCA, p > 2).

    Raises
    ------
    TypeError, ValueError
        If ``mu`` is not a finite (n, p) array of the decoder's latent size with some spread,
        ``labels`` do not match it, ``n_sliders`` does not fit, ``limit`` or ``step`` is not a
        positive finite number (or the grid would hold more than ``MAX_FRAMES`` frames), or
        ``max_points`` is not a positive int.
    """
    p = latent_size_of(decoder)
    mu = _check_mu(mu, p)
    if labels is not None:
        labels = np.asarray(labels)
        if labels.shape != (len(mu),):
            raise ValueError(f"labels has shape {labels.shape} for {len(mu)} rows of mu; expected ({len(mu)},), "
                             "one label per row")
    n_sliders = check_int(p if p <= 2 else 3, "n_sliders") if n_sliders is None else \
        check_int(n_sliders, "n_sliders", minimum=1, maximum=p)
    limit = check_number(limit, "limit", positive=True)
    step = _grid_step(limit, step, n_sliders)
    positions = slider_positions(limit, step)
    max_points = check_int(max_points, "max_points", minimum=1)
    directions = None
    if p <= 2:
        prefix, scales, base = "z", np.ones(n_sliders), np.zeros(p)
        xy = mu if p == 2 else np.column_stack([mu[:, 0], np.zeros(len(mu))])
    else:
        directions = principal_directions(mu, max(2, n_sliders))
        scales = np.sqrt(np.asarray(directions.variances[:n_sliders], dtype=np.float64))
        if not np.all(scales > 0):
            raise ValueError(f"mu has no spread along {int(np.sum(scales <= 0))} of its leading "
                             f"{n_sliders} principal directions; expected n_sliders <= the number of "
                             "directions in which the mu's vary")
        prefix, base = "pc", np.asarray(directions.mean, dtype=np.float64)
        xy = np.asarray(directions.encode(mu), dtype=np.float64)[:, :2]
    controls = [_slider(f"{prefix}{i + 1}", positions * s) for i, s in enumerate(scales)]
    names = (f"{prefix}1", f"{prefix}2") if n_sliders >= 2 or p >= 2 else ("z1", "")

    def to_z(coords: np.ndarray) -> np.ndarray:
        """Latent vectors (m, p) of slider positions (m, n_sliders)."""
        if directions is None:
            z = np.tile(base, (len(coords), 1))
            z[:, :n_sliders] = coords
            return z
        full = np.zeros((len(coords), directions.n_components))
        full[:, :n_sliders] = coords
        return np.asarray(directions.decode(full), dtype=np.float64)

    def latent(value: dict) -> np.ndarray:
        return to_z(np.array([[value[c["name"]] for c in controls]], dtype=np.float64))[0]

    index = _grid(controls)
    z = to_z(np.stack([np.asarray(c["values"])[index[:, k]] for k, c in enumerate(controls)], axis=1))
    images = pixel_probabilities(decoder, z.astype(np.float32))[..., 0]

    reach = np.zeros(2)
    reach[: min(2, n_sliders)] = np.abs(positions).max() * np.asarray(scales[:2])
    pad = 0.05 * (np.ptp(xy, axis=0) + 2 * reach)
    limits = tuple((float(min(xy[:, i].min(), -reach[i]) - pad[i]), float(max(xy[:, i].max(), reach[i]) + pad[i]))
                   for i in range(2))
    what = "잠재 좌표 z" if directions is None else "주성분 방향 좌표"
    alt = (f"테스트 이미지 {min(len(xy), max_points):,}개의 인코더 평균 μ를 ({names[0]}, {names[1]}) 평면에 찍은 "
           f"산점도{'(색과 범례: 숫자 레이블)' if labels is not None else ''}; 검은 X 표시는 슬라이더가 가리키는 점")
    scatter = _scatter_image(xy, labels, names, limits, max_points, alt)
    scatter.update(x=0, y=1 if n_sliders >= 2 else None)
    widget = FrameExplorer(
        controls=controls, sheet=encode_frames(images), scatter=scatter,
        value={c["name"]: c["values"][len(positions) // 2] for c in controls},
        title=f"잠재공간 탐색기 ({what}: {', '.join(c['name'] for c in controls)})",
        image_alt="디코더가 그린 28×28 이미지", latent=latent)
    widget.limits = limits
    widget.directions = directions
    return widget


def _check_conditional_decoder(decoder, n_classes: int) -> int:
    inputs = getattr(decoder, "inputs", None)
    if not isinstance(inputs, (list, tuple)) or len(inputs) != 2:
        got = "no inputs" if inputs is None else f"{len(inputs)} input(s)"
        raise ValueError(f"decoder has {got}; conditional_explorer expects a conditional decoder with two inputs, "
                         "[z, one-hot digit] (e.g. the decoder of utils.cvae.build_cvae)")
    p, k = int(inputs[0].shape[-1]), int(inputs[1].shape[-1])
    if k != n_classes:
        raise ValueError(f"n_classes is {n_classes} but the decoder's label input takes {k} numbers; "
                         f"expected n_classes={k}")
    return p


def conditional_explorer(decoder, limit: float = 3.0, step: float | None = None, digit: int = 0,
                         n_classes: int = N_CLASSES) -> FrameExplorer:
    """Digit buttons and one style slider per latent unit (``z1, z2, ...``) of a conditional decoder.

    Every combination of digit and slider positions is decoded once, in one batched call
    ``decoder([z, one-hot digit])``, when the function runs; a click or a slider move then shows
    the stored frame at once, also without a kernel.

    Parameters
    ----------
    decoder : conditional Keras decoder [z (n, p), one-hot y (n, n_classes)] -> logits.
    limit : the style sliders run over [-limit, limit] (prior standard deviations).
    step : distance of two slider positions; None: the finest of ``DEFAULT_STEPS`` with at most
        ``FRAME_BUDGET`` frames for all digits together (0.75 for p = 2 and 10 digits: 10 x 9 x 9).
    digit : the digit shown first, an int in 0..n_classes-1.
    n_classes : number of digit buttons (the decoder's label size).

    Returns
    -------
    FrameExplorer
        ``value`` ({'digit': d, 'z1': ..., ...}), ``z`` (the style vector shown), ``image``, ``frames``.

    Raises
    ------
    TypeError, ValueError
        If the decoder does not take [z, one-hot label] with ``n_classes`` labels, ``limit`` or
        ``step`` is not a positive finite number (``step <= limit``), the grid would hold more
        than ``MAX_FRAMES`` frames, or ``digit`` is not an int in range.
    """
    n_classes = check_int(n_classes, "n_classes", minimum=2)
    p = _check_conditional_decoder(decoder, n_classes)
    limit = check_number(limit, "limit", positive=True)
    digit = check_int(digit, "digit", minimum=0, maximum=n_classes - 1)
    step = _grid_step(limit, step, p, other_frames=n_classes)
    positions = slider_positions(limit, step)
    digits = {"name": "digit", "label": "digit", "kind": "choice", "values": list(range(n_classes)),
              "text": [str(d) for d in range(n_classes)]}
    controls = [digits] + [_slider(f"z{j + 1}", positions) for j in range(p)]
    index = _grid(controls)
    z = np.stack([positions[index[:, k + 1]] for k in range(p)], axis=1).astype(np.float32)
    images = decode_conditional(decoder, z, index[:, 0], n_classes)

    def latent(value: dict) -> np.ndarray:
        return np.array([value[f"z{j + 1}"] for j in range(p)], dtype=np.float64)

    value = {"digit": digit, **{f"z{j + 1}": controls[j + 1]["values"][len(positions) // 2] for j in range(p)}}
    return FrameExplorer(controls=controls, sheet=encode_frames(images), value=value,
                         title=f"조건부 VAE 탐색기 (숫자 레이블 y와 스타일 z1..z{p})",
                         image_alt="조건부 디코더가 숫자 레이블 y와 스타일 z로 그린 28×28 이미지", latent=latent)


def model_switcher(draw: Callable[[str], Figure], options: Sequence[str], description: str = "beta") -> FrameExplorer:
    """A slider over ``options`` that shows ``draw(option)``, a figure per option drawn once.

    ``draw`` returns a matplotlib figure for one option (e.g. one trained model's samples); every
    option's figure is drawn when the function runs, stored as a PNG and closed, so the slider
    also moves without a kernel.

    Returns
    -------
    FrameExplorer
        ``value`` ({description: option}); ``sheet['images']`` holds the PNGs (base64).

    Raises
    ------
    TypeError, ValueError
        If ``draw`` is not callable or does not return a Figure, ``options`` is a string, empty
        or has repeated entries, or ``description`` is not a non-empty string.
    """
    draw = check_callable(draw, "draw")
    if isinstance(options, (str, bytes)) or not isinstance(options, Sequence):
        raise TypeError(f"options is {describe(options)}; expected a list of options such as ['0.5', '1', '4'] "
                        "(a string would offer its characters)")
    options = [str(o) for o in options]
    if not options:
        raise ValueError("options is empty; expected at least one model to show")
    if len(set(options)) != len(options):
        raise ValueError(f"options {options} repeat an entry; expected each option once")
    if not isinstance(description, str) or not description.strip():
        raise TypeError(f"description is {describe(description)}; expected a non-empty string such as 'beta'")
    images, size = [], None
    for option in options:
        fig = draw(option)
        if not isinstance(fig, Figure):
            raise TypeError(f"draw({option!r}) returned {describe(fig)}; expected a matplotlib Figure")
        png, width, height = _figure_png(fig)
        images.append(png)
        size = size or (width, height)
    controls = [{"name": description, "label": description, "kind": "slider", "values": options, "text": options}]
    return FrameExplorer(controls=controls, sheet={"kind": "images", "images": images, "width": size[0],
                                                   "height": size[1]},
                         value={description: options[0]}, title=f"모델 선택 ({description})",
                         image_alt=f"{description}별로 학습한 모델의 그림")
