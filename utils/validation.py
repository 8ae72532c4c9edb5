"""Argument checks shared by every public function of ``utils``: one mistake, one message.

Each check returns the cleaned value or raises ``TypeError`` (wrong kind of
thing) or ``ValueError`` (right kind, wrong value) with a message that names
the argument, says what it got and what to do, e.g.::

    x holds integers up to 255 (dtype uint8); expected pixel values in [0, 1]:
    divide by 255 first, x = x.astype("float32") / 255

Image rules, the same in every function:

- a batch of images is a 4-D array ``(n, height, width, channels)``; functions
  that also take other layouts say so in their docstrings;
- a single image ``(28, 28, 1)`` given where a batch is expected is refused
  (it would be read as 28 images), with the advice ``x[None]``;
- pixel values are floats in [0, 1]; integer pixels 0..255 (as
  ``keras.datasets`` returns them) are refused with the advice to divide by 255;
- NaN and infinite values are refused.
"""

from __future__ import annotations

import math
import numbers
import re
from typing import Any, Sequence

import numpy as np

__all__ = ["check_array", "check_images", "check_same_shape", "check_int", "check_number",
           "check_probability", "check_seed", "check_choice", "check_bool", "check_model", "check_callable",
           "describe", "keras_name", "static_shape"]


def describe(value: Any, limit: int = 60) -> str:
    """Short description of ``value`` for an error message: its repr, or shape and dtype for arrays."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        return f"a {type(value).__name__} of shape {tuple(value.shape)} and dtype {value.dtype}"
    text = repr(value)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return f"{text} ({type(value).__name__})"


# --------------------------------------------------------------------------- scalars
def check_bool(value: Any, name: str) -> bool:
    """A real bool (``True``/``False``, numpy bools included)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} is {describe(value)}; expected True or False")
    return bool(value)


def check_int(value: Any, name: str, minimum: int | None = 1, maximum: int | None = None) -> int:
    """An int (numpy ints included; bools and floats such as 3.0 are refused) within the bounds."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        hint = f"; write {int(value)}" if isinstance(value, float) and math.isfinite(value) and value == int(value) else ""
        raise TypeError(f"{name} is {describe(value)}; expected an int{_bounds(minimum, maximum)}{hint}")
    value = int(value)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ValueError(f"{name} is {value}; expected an int{_bounds(minimum, maximum)}")
    return value


def _bounds(minimum, maximum, low_open: bool = False) -> str:
    if minimum is not None and maximum is not None:
        return f" in {'(' if low_open else '['}{minimum}, {maximum}]"
    if minimum is not None:
        return f" {'>' if low_open else '>='} {minimum}"
    if maximum is not None:
        return f" <= {maximum}"
    return ""


def check_number(value: Any, name: str, minimum: float | None = None, maximum: float | None = None,
                 positive: bool = False) -> float:
    """A finite real number (int or float, not bool, not NaN or infinite) within the bounds.

    ``positive=True`` requires ``value > 0`` (``minimum`` then defaults to 0, excluded).
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} is {describe(value)}; expected a number")
    value = float(value)
    low = 0 if positive and minimum is None else minimum
    what = f"a finite number{_bounds(low, maximum, low_open=positive)}"
    if not math.isfinite(value):
        raise ValueError(f"{name} is {value}; expected {what}")
    if (positive and value <= (low or 0)) or (low is not None and value < low) \
            or (maximum is not None and value > maximum):
        raise ValueError(f"{name} is {value:g}; expected {what}")
    return value


def check_probability(value: Any, name: str) -> float:
    """A number in [0, 1] (a fraction, a probability or a pixel threshold)."""
    return check_number(value, name, minimum=0.0, maximum=1.0)


def check_seed(value: Any, name: str = "seed") -> Any:
    """None, an int >= 0, or a sequence of ints >= 0 (what ``numpy.random.default_rng`` takes)."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)) and value:
        return tuple(check_int(v, f"{name}[{i}]", minimum=0) for i, v in enumerate(value))
    return check_int(value, name, minimum=0)


def check_choice(value: Any, name: str, choices: Sequence[str]) -> str:
    """One of the strings ``choices``."""
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} is {describe(value)}; expected one of {', '.join(repr(c) for c in choices)}")
    return value


def check_callable(value: Any, name: str, what: str = "a function") -> Any:
    if not callable(value):
        raise TypeError(f"{name} is {describe(value)}; expected {what}")
    return value


def keras_name(value: Any, name: str = "name") -> str:
    """A Keras model or layer name: every character but letters, digits, ``_``, ``.`` and ``-`` becomes ``_``.

    Keras refuses other characters (``beta_vae_2d_1e+06``) only once training has opened a name
    scope, which then stays open and breaks every later training in the kernel.
    """
    if not isinstance(value, str) or not value:
        raise TypeError(f"{name} is {describe(value)}; expected a non-empty string")
    clean = re.sub(r"[^A-Za-z0-9_.-]", "_", value)
    return clean if clean[0].isalnum() or clean[0] == "." else "m" + clean


def check_model(value: Any, name: str) -> Any:
    """A Keras model (anything with Keras' ``Model`` in its class hierarchy)."""
    import keras

    if not isinstance(value, keras.Model):
        raise TypeError(f"{name} is {describe(value)}; expected a keras.Model")
    return value


# --------------------------------------------------------------------------- arrays
def _real_array(value: Any, name: str, expected: str, expected_dtype: str) -> np.ndarray:
    """``value`` as a numpy array of real numbers or bools; TypeError naming ``name`` otherwise."""
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} is {describe(value)}; expected {expected}")
    try:
        raw = np.asarray(value)
    except Exception as err:  # ragged nested lists and the like
        raise TypeError(f"{name} cannot be read as an array ({err}); expected {expected}") from None
    if not (np.issubdtype(raw.dtype, np.number) or raw.dtype == bool) or np.issubdtype(raw.dtype, np.complexfloating):
        raise TypeError(f"{name} has dtype {raw.dtype}; expected {expected_dtype}")
    return raw


def check_array(value: Any, name: str, ndim: int | Sequence[int] | None = None, min_len: int = 1,
                finite: bool = True, dtype: Any = np.float32) -> np.ndarray:
    """A numeric array (bools and ints allowed, converted to ``dtype``) of the given rank, finite.

    ``min_len`` is the least number of entries along the first axis (for arrays of rank >= 1).
    """
    raw = _real_array(value, name, "an array of numbers", "an array of real numbers")
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if raw.ndim not in allowed:
            rank = " or ".join(f"{d}-D" for d in allowed)
            raise ValueError(f"{name} has shape {raw.shape} ({raw.ndim}-D); expected a {rank} array")
    if raw.ndim >= 1 and raw.shape[0] < min_len:
        raise ValueError(f"{name} has shape {raw.shape}; expected at least {min_len} "
                         f"entr{'y' if min_len == 1 else 'ies'} along the first axis")
    out = raw.astype(dtype, copy=False) if dtype is not None else raw
    if finite and np.issubdtype(out.dtype, np.floating) and not np.all(np.isfinite(out)):
        bad = int(np.size(out) - np.count_nonzero(np.isfinite(out)))
        raise ValueError(f"{name} holds {bad} NaN or infinite value{'s' if bad != 1 else ''}; "
                         "expected finite numbers (find them with np.argwhere(~np.isfinite(...)))")
    return out


def _check_pixel_range(raw: np.ndarray, out: np.ndarray, name: str, peak: float | None) -> None:
    if np.issubdtype(raw.dtype, np.integer) and out.size and out.max() > 1 and (peak is None or peak <= 1):
        raise ValueError(f"{name} holds integers up to {int(out.max())} (dtype {raw.dtype}); expected pixel "
                         f"values in [0, 1]: divide by 255 first, {name} = {name}.astype(\"float32\") / 255")
    if peak is None:
        return
    if out.size and (out.min() < 0 or out.max() > peak):
        lo, hi = float(out.min()), float(out.max())
        advice = ("; if these are 0..255 pixels, divide by 255 first" if peak == 1 and hi > 1 and hi <= 255
                  else " (clip estimates with np.clip(..., 0, 1))" if peak == 1 and lo > -0.5 and hi < 1.5 else "")
        raise ValueError(f"{name} has values in [{lo:.4g}, {hi:.4g}]; expected pixel values in [0, {peak:g}]{advice}")


def check_images(value: Any, name: str = "x", *, layouts: Sequence[int] = (4,), peak: float | None = 1.0,
                 min_len: int = 1, dtype: Any = np.float32) -> np.ndarray:
    """Images with float pixel values in [0, ``peak``], returned as a ``dtype`` array.

    Parameters
    ----------
    value : the images.
    name : the argument's name, for messages.
    layouts : ranks accepted: 4 for a batch ``(n, h, w, c)`` (the default); a function that also
        takes ``(n, h, w)`` or one ``(h, w)`` image passes ``(2, 3, 4)``.
    peak : largest pixel value; None for outputs that may stray outside the pixel range (a linear
        output layer's reconstructions): then only integer 0..255 pixels are refused.
    min_len : least number of images (for batch layouts).

    Raises
    ------
    TypeError
        For non-numeric data.
    ValueError
        For a wrong rank (a single ``(28, 28, 1)`` image where a batch is expected included),
        too few images, NaN or infinite values, integer pixels above 1, or values outside [0, peak].
    """
    top = "1" if peak is None else f"{peak:g}"
    raw = _real_array(value, name, "images, an array of shape (n, height, width, channels)",
                      f"images with real pixel values in [0, {top}]")
    if raw.ndim not in layouts:
        if 4 in layouts and raw.ndim == 3 and raw.shape[-1] in (1, 3):
            advice = f"; it looks like one image: pass a batch of one, {name}[None]"
        elif 4 in layouts and raw.ndim == 3:
            advice = f"; for (n, height, width) grey images add the channel axis, {name}[..., None]"
        elif 4 in layouts and raw.ndim == 2:
            advice = f"; for one (height, width) image pass {name}[None, :, :, None]"
        else:
            advice = ""
        shapes = {4: "(n, height, width, channels)", 3: "(n, height, width)", 2: "(height, width)"}
        expected = " or ".join(shapes.get(d, f"{d}-D") for d in sorted(layouts, reverse=True))
        raise ValueError(f"{name} has shape {raw.shape}; expected {expected}{advice}")
    if raw.ndim >= 3 and raw.shape[0] < min_len or raw.size == 0:
        raise ValueError(f"{name} has shape {raw.shape}; expected at least {max(min_len, 1)} image(s) "
                         "with at least one pixel")
    out = raw.astype(dtype, copy=False)
    if not np.all(np.isfinite(out)):
        bad = int(out.size - np.count_nonzero(np.isfinite(out)))
        raise ValueError(f"{name} holds {bad} NaN or infinite pixel value{'s' if bad != 1 else ''}; "
                         f"expected finite pixel values in [0, {top}]")
    _check_pixel_range(raw, out, name, peak)
    return out


def static_shape(value: Any) -> tuple:
    """The shape of an array, list or tensor, with None for a tensor's unknown axes."""
    shape = value.shape if hasattr(value, "shape") else np.shape(value)
    return tuple(None if d is None else int(d) for d in shape)


def check_same_shape(a: Any, b: Any, names: tuple[str, str]) -> None:
    """Refuse arrays or tensors of different shapes (no broadcasting between images).

    Works on numpy arrays and on (symbolic) tensors, whose unknown axes (None) match any length.
    """
    shape_a, shape_b = (static_shape(v) for v in (a, b))
    if len(shape_a) != len(shape_b) or any(x is not None and y is not None and x != y for x, y in zip(shape_a, shape_b)):
        raise ValueError(f"{names[0]} has shape {shape_a} but {names[1]} has shape {shape_b}; expected the "
                         "same shape (nothing is broadcast: add or drop the channel axis with [..., None] / [..., 0])")
