"""Where the benchmarks meet the notebooks' code: builders, training path, data and metrics from ``utils``.

Every model the benchmarks train is trained by its notebook's own trainer in
``utils`` (e.g. ``utils.vae.train_vae``, which goes through the one shared
``utils.training.train_model``), called with its defaults, which are the
notebook's default settings (:func:`find_trainer`, :func:`signature_defaults`);
the benchmarks never keep their own copy of them. Extra callbacks (the test
ELBO after each epoch) reach ``fit`` through :class:`fit_callbacks`.
Quality numbers (SSE, PSNR, the median filter, PCA, ELBO) come from the same
``utils`` functions the notebooks print.

When a piece is missing from ``utils`` this module raises an error naming it,
so a benchmark part fails loudly instead of measuring something else.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import json
from pathlib import Path
from typing import Any, Callable


class MissingFromUtils(RuntimeError):
    """``utils`` does not (yet) provide a function or default the benchmarks need."""


def lookup(module: str, *names: str) -> Any:
    """The first attribute of ``utils.<module>`` among ``names``.

    Raises
    ------
    MissingFromUtils
        If the module or every name is missing.
    """
    try:
        mod = importlib.import_module(f"utils.{module}")
    except ImportError as err:
        raise MissingFromUtils(f"utils.{module} cannot be imported ({err}); expected one of {names}") from err
    for name in names:
        if hasattr(mod, name):
            return getattr(mod, name)
    raise MissingFromUtils(f"utils.{module} has none of {names}")


def train_function() -> Callable:
    """The shared training function of the series."""
    return lookup("training", "train_model")


# Each kind's trainer in utils: a function (code or latent size, x[, y], **settings) -> TrainResult whose
# defaults are the notebook's default settings. Candidates in order; the first that exists is used.
TRAINERS = {
    "ae": (("models", "train_autoencoder"), ("training", "train_autoencoder")),
    "dae": (("models", "train_denoising_autoencoder"), ("noise", "train_denoising_autoencoder"),
            ("models", "train_dae"), ("training", "train_denoising_autoencoder")),
    "vae": (("vae", "train_vae"),),
}


def find_trainer(kind: str) -> tuple[Callable | None, str]:
    """The notebook's trainer for ``kind`` ("ae", "dae", "vae") and where it was found, or (None, reason)."""
    if kind not in TRAINERS:
        raise ValueError(f"kind is {kind!r}; expected one of {sorted(TRAINERS)}")
    for module, name in TRAINERS[kind]:
        try:
            mod = importlib.import_module(f"utils.{module}")
        except ImportError:
            continue
        fn = getattr(mod, name, None)
        if callable(fn):
            return fn, f"utils.{module}.{name}"
    names = ", ".join(f"utils.{m}.{n}" for m, n in TRAINERS[kind])
    return None, f"none of {names} exists"


def signature_defaults(fn: Callable) -> dict:
    """The keyword defaults of ``fn`` (its recipe, when ``fn`` is a notebook's trainer)."""
    return {k: p.default for k, p in inspect.signature(fn).parameters.items()
            if p.default is not inspect.Parameter.empty}


class fit_callbacks:  # noqa: N801  (used as a context manager: ``with fit_callbacks([...]):``)
    """Within the block, every ``keras.Model.fit`` call also runs ``callbacks``.

    Lets the benchmarks watch a notebook's own trainer (test ELBO after each epoch,
    a time budget) without copying it or changing it: the trainer's code runs as is,
    only ``fit`` receives the extra callbacks.
    """

    def __init__(self, callbacks: list):
        self.callbacks = list(callbacks)

    def __enter__(self):
        import keras

        self._had_own = "fit" in keras.Model.__dict__
        self._original = keras.Model.__dict__.get("fit")
        inherited = keras.Model.fit
        extra = self.callbacks

        def fit(model, *args, callbacks=None, **kwargs):
            return inherited(model, *args, callbacks=list(callbacks or []) + extra, **kwargs)

        keras.Model.fit = fit
        return self

    def __exit__(self, *exc):
        import keras

        if self._had_own:
            keras.Model.fit = self._original
        else:
            del keras.Model.fit
        return False


NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"


def notebook_settings(notebook: str, names: tuple[str, ...], quick: bool = False,
                      folder: Path = NOTEBOOK_DIR) -> dict:
    """Values a notebook assigns to upper-case settings, read from its code cells (default run).

    Only top-level assignments to the requested ``names`` are evaluated (plain
    names or tuples of names, e.g. ``CODE, WIDTHS = 64, (16, 64)``), with nothing
    but ``QUICK`` (False unless ``quick``) in scope, so ``EPOCHS = 1 if QUICK else 3``
    gives 3. This keeps the notebook the one place that states its settings until
    ``utils`` exposes them. A name the notebook does not assign is left out.

    Raises
    ------
    FileNotFoundError
        If ``notebooks/<notebook>.ipynb`` does not exist.
    """
    path = Path(folder) / f"{notebook}.ipynb"
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    wanted = set(names)
    found: dict = {}
    for cell in cells:
        if cell.get("cell_type") != "code":
            continue
        source = "".join(cell.get("source", ""))
        try:
            tree = ast.parse("\n".join(ln for ln in source.splitlines() if not ln.lstrip().startswith(("%", "!"))))
        except SyntaxError:
            continue
        for node in tree.body:
            if not isinstance(node, ast.Assign) or len(node.targets) != 1:
                continue
            target = node.targets[0]
            if isinstance(target, ast.Name):
                targets = [target.id]
            elif isinstance(target, ast.Tuple) and all(isinstance(e, ast.Name) for e in target.elts):
                targets = [e.id for e in target.elts]
            else:
                continue
            if not wanted.intersection(targets):
                continue
            try:
                value = eval(compile(ast.Expression(node.value), str(path), "eval"),  # noqa: S307
                             {"__builtins__": {}}, {"QUICK": bool(quick)})
            except Exception:  # an expression that needs more than QUICK: not a plain setting
                continue
            values = [value] if len(targets) == 1 else list(value)
            for name, v in zip(targets, values):
                if name in wanted:
                    found[name] = v
    return found
