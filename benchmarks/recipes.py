"""Where the benchmarks meet the notebooks' code: builders, training path, data and metrics from ``utils``.

Every model the benchmarks train is built by the builder its notebook uses and
trained by the one shared training function (``utils.training.train_model``),
with the notebook's default settings. Those defaults are read from ``utils``
(:func:`default_recipe`); the benchmarks never keep their own copy of them.
Quality numbers (SSE, PSNR, the median filter, PCA, ELBO) come from the same
``utils`` functions the notebooks print.

When a piece is missing from ``utils`` this module raises an error naming it,
so a benchmark part fails loudly instead of measuring something else.
"""

from __future__ import annotations

import functools
import importlib
import inspect
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


def default_recipe(kind: str) -> dict:
    """The notebook's default settings for ``kind`` in {"ae", "dae", "vae"}, as ``utils`` exposes them.

    Looks for ``utils.training.DEFAULTS[kind]`` first, then ``DEFAULT_<KIND>`` in
    ``utils.training``, the model's module, ``utils.noise`` (DAE) and ``utils.vae`` (VAE).
    """
    if kind not in ("ae", "dae", "vae"):
        raise ValueError(f"kind is {kind!r}; expected 'ae', 'dae' or 'vae'")
    places = {"ae": ("training", "models"), "dae": ("training", "models", "noise"),
              "vae": ("training", "vae")}[kind]
    for module in places:
        try:
            mod = importlib.import_module(f"utils.{module}")
        except ImportError:
            continue
        table = getattr(mod, "DEFAULTS", None)
        if isinstance(table, dict) and isinstance(table.get(kind), dict):
            return {**table[kind], "_source": f"utils.{module}.DEFAULTS[{kind!r}]"}
        for name in (f"DEFAULT_{kind.upper()}", f"{kind.upper()}_DEFAULTS", f"DEFAULT_{kind.upper()}_RECIPE"):
            value = getattr(mod, name, None)
            if isinstance(value, dict):
                return {**value, "_source": f"utils.{module}.{name}"}
    raise MissingFromUtils(f"no default recipe for {kind!r} in utils ({', '.join('utils.' + p for p in places)}); "
                           f"expected e.g. utils.training.DEFAULTS[{kind!r}] or DEFAULT_{kind.upper()}")


def train_function() -> Callable:
    """The shared training function of the series."""
    return lookup("training", "train_model")


def train_kwargs(recipe: dict) -> dict:
    """The subset of ``recipe`` that the training function accepts as keyword arguments."""
    params = inspect.signature(train_function()).parameters
    return {k: v for k, v in recipe.items() if k in params and k not in ("build_model", "x", "y")}


def with_callbacks(build_model: Callable, callbacks: list) -> tuple[Callable, dict]:
    """Make the training function run ``callbacks`` during ``fit``.

    If the training function takes a ``callbacks`` argument it is used (returns
    ``(build_model, {"callbacks": callbacks})``); otherwise the built model's ``fit``
    is wrapped so that the same call passes them (the training path itself is unchanged).
    """
    if "callbacks" in inspect.signature(train_function()).parameters:
        return build_model, {"callbacks": list(callbacks)}

    def build():
        model = build_model()
        model.fit = functools.partial(model.fit, callbacks=list(callbacks))
        return model

    return build, {}
