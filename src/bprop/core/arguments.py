"""Checks made once, at the edge, with messages that name the fix.

Each function either returns the argument in the form the math expects or
raises ``InvalidArgument`` naming the parameter, the value seen and what is
accepted. Inside the math code, data is trusted.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from ..errors import InvalidArgument
from .backend import to_numpy
from .fast import all_finite

DTYPES = {"float32": np.float32, "float64": np.float64}


def resolve(value, *, parameter, builtin, methods):
    """A built-in component by name, or a user object with the right methods.

    ``builtin`` maps names to classes; ``methods`` are the methods a user
    object must have (``parameter`` names the argument in messages).
    """
    if isinstance(value, str):
        if value not in builtin:
            raise InvalidArgument(
                f"{parameter}={value!r} is not known; use one of "
                f"{', '.join(repr(n) for n in builtin)}, or pass an object with "
                f"the methods {', '.join(methods)}."
            )
        return builtin[value]()
    missing = [m for m in methods if not callable(getattr(value, m, None))]
    if missing:
        raise InvalidArgument(
            f"{parameter}={value!r} is neither a name ({', '.join(repr(n) for n in builtin)}) "
            f"nor an object with the methods {', '.join(methods)} (missing: {', '.join(missing)})."
        )
    return value


def name_of(component) -> str:
    """The name a component goes by in messages: its ``name``, else its class's name.

    Built-in activations, costs and initializers carry a ``name`` ('sigmoid',
    'quadratic', ...); a user's object without one is called by its class.
    """
    return getattr(component, "name", type(component).__name__)


def dtype_of(dtype) -> type:
    """np.float32 or np.float64 from a name or a NumPy dtype."""
    try:
        name = np.dtype(dtype).name
    except TypeError:
        name = None
    if name not in DTYPES:
        raise InvalidArgument(f"dtype={dtype!r} is not supported; use 'float32' (fast) or 'float64' (exact checks).")
    return DTYPES[name]


def positive_int(value, parameter, *, maximum=None) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise InvalidArgument(f"{parameter} must be a positive whole number, got {value!r}.")
    if maximum is not None and value > maximum:
        raise InvalidArgument(f"{parameter}={value} is larger than the largest accepted, {maximum}.")
    return int(value)


def real_number(value, parameter, *, low=None, high=None, low_open=False, high_open=False, hint="") -> float:
    """A finite real number (never a bool) in the interval given, as a float.

    low/high : the bounds (None: unbounded); low_open/high_open: the bound itself excluded.
    The message names the parameter, the value seen and the interval accepted.
    """
    ok = _finite_real(value)
    if ok and low is not None:
        ok = value > low if low_open else value >= low
    if ok and high is not None:
        ok = value < high if high_open else value <= high
    if not ok:
        interval = _interval(low, high, low_open, high_open)
        raise InvalidArgument(f"{parameter} must be a finite number {interval}, got {value!r}{hint}.")
    return float(value)


def _finite_real(value) -> bool:
    """A real number (not a bool) whose float is finite: an int too large for a float is not."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:  # an int beyond ±1.8e308 (NumPy's isfinite raises TypeError on one beyond int64)
        return False


def _interval(low, high, low_open, high_open) -> str:
    if low is not None and high is not None:
        return f"in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
    if low is not None:
        return f"{'>' if low_open else '≥'} {low:g}"
    if high is not None:
        return f"{'<' if high_open else '≤'} {high:g}"
    return ""


def whole_number(value, parameter, *, low=0, high=None) -> int:
    """An integer (never a bool, never a float such as 30.9 or 30.0) in [low, high]."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise InvalidArgument(f"{parameter} must be a whole number ≥ {low}, got {value!r}.")
    if high is not None and value > high:
        raise InvalidArgument(f"{parameter}={value} is larger than the largest accepted, {high}.")
    return int(value)


MAX_LAYER_WIDTH = 2**31 - 1
"""The widest layer accepted in a layer list (n_l neurons)."""
MAX_LAYERS = 1000
"""The most layers accepted in a layer list."""


def layer_widths(value, parameter, *, minimum_layers=1) -> list[int]:
    """Layer widths from '784,30,10' or a list [784, 30, 10]: whole numbers in 1..MAX_LAYER_WIDTH.

    Every entry must be one: '64,,10', [64, true, 10] and [64, 30.9, 10] are refused,
    not read as [64, 10] or [64, 1, 10] or [64, 30, 10].
    """
    example = "such as 64,30,10"
    if isinstance(value, str):
        items = [item.strip() for item in value.split(",")]
        if not all(item.isascii() and item.isdigit() for item in items):
            bad = next(item for item in items if not (item.isascii() and item.isdigit()))
            raise InvalidArgument(
                f"{parameter} takes positive whole numbers separated by commas, {example}; got "
                f"{_brief(value)} ({'an empty entry' if bad == '' else repr(bad[:20]) + ' is not one'})."
            )
        items = [int(item) for item in items]
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        raise InvalidArgument(f"{parameter} takes a list of layer widths, {example}; got {_brief(value)}.")
    if not minimum_layers <= len(items) <= MAX_LAYERS:
        raise InvalidArgument(
            f"{parameter} takes {minimum_layers} to {MAX_LAYERS} layer widths, {example}; got {len(items)}."
        )
    for item in items:
        if isinstance(item, bool) or not isinstance(item, numbers.Integral) or not 1 <= item <= MAX_LAYER_WIDTH:
            raise InvalidArgument(
                f"{parameter} takes layer widths that are whole numbers from 1 to {MAX_LAYER_WIDTH}, {example}; "
                f"got {_brief(item)} in {_brief(value)}."
            )
    return [int(item) for item in items]


def _brief(value, limit=60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


def non_negative_float(value, parameter) -> float:
    if not _finite_real(value) or value < 0:
        raise InvalidArgument(f"{parameter} must be a finite number ≥ 0, got {value!r}.")
    return float(value)


def as_inputs(X, n_inputs, dtype, parameter="X", backend=None):
    """X as a C-contiguous (m, n_1) array of ``dtype`` with finite values.

    A single sample of shape (n_1,) is accepted and returned as (1, n_1).
    backend : a ``bprop.core.backend.Backend`` other than NumPy's: an X that is
        already an array of that library (a tensor on the GPU, say) is
        checked where it lives and returned there, without a trip through
        the host. Everything else is checked as a NumPy array.
    """
    if backend is not None and not backend.is_numpy and backend.owns(X):
        return _library_inputs(X, n_inputs, dtype, parameter, backend)
    X = _numeric(X, parameter, f"pass an (m, {n_inputs}) array of numbers")
    if X.ndim == 1:
        X = X[None, :]
    _check_input_shape(X.shape, n_inputs, parameter)
    _check_fits(X, dtype, parameter)
    X = np.ascontiguousarray(X, dtype=dtype)
    if not all_finite(X):
        bad = np.argwhere(~np.isfinite(X))[0]
        raise InvalidArgument(
            f"{parameter} contains NaN or infinite values (first at row {bad[0]}, column {bad[1]}); "
            "remove or impute them before training."
        )
    return X


def _check_fits(X, dtype, parameter):
    """Finite values of X that ``dtype`` cannot hold (1e308 in float32) are refused, not cast to inf."""
    largest = np.finfo(dtype).max
    if X.dtype.kind == "f" and np.finfo(X.dtype).max > largest:
        too_big = np.isfinite(X) & (np.abs(X) > largest)
        if too_big.any():
            row, col = np.argwhere(too_big)[0]
            raise InvalidArgument(
                f"{parameter} holds {X[row, col]:g} (row {row}, column {col}), beyond the largest "
                f"{np.dtype(dtype).name} ({largest:.3g}), the network's dtype; rescale that feature "
                "or use dtype float64."
            )


def _check_input_shape(shape, n_inputs, parameter):
    """(m, n_1) with m ≥ 1, or an InvalidArgument that says what was passed."""
    if len(shape) != 2:
        raise InvalidArgument(f"{parameter} must have shape (m, {n_inputs}) (samples are rows), got shape {shape}.")
    if shape[0] == 0:
        raise InvalidArgument(f"{parameter} is empty (shape {shape}); pass at least one sample.")
    if shape[1] != n_inputs:
        raise InvalidArgument(
            f"{parameter} has {shape[1]} features per sample but the network's input layer has "
            f"n_1 = {n_inputs} neurons; pass an (m, {n_inputs}) array or build the network with sizes[0] = {shape[1]}."
        )


def _library_inputs(X, n_inputs, dtype, parameter, backend):
    """as_inputs for an array of the network's own library: the same checks, made with its functions."""
    xp = backend.xp
    if not xp.isdtype(X.dtype, ("bool", "integral", "real floating")):
        raise InvalidArgument(
            f"{parameter} must hold real numbers, got an array of dtype {X.dtype}; "
            f"pass an (m, {n_inputs}) array of numbers."
        )
    if X.ndim == 1:
        X = xp.reshape(X, (1, -1))
    _check_input_shape(tuple(X.shape), n_inputs, parameter)
    X = backend.asarray(X, dtype)  # the network's dtype and device
    if not bool(xp.all(xp.isfinite(X))):
        raise InvalidArgument(f"{parameter} contains NaN or infinite values; remove or impute them first.")
    return X


def _numeric(value, parameter, fix):
    """``value`` as a NumPy array of numbers (bool, int or float)."""
    try:
        array = to_numpy(value)  # a PyTorch/CuPy array comes to the host, where it is checked
    except (ValueError, TypeError) as e:
        raise InvalidArgument(f"{parameter} cannot be read as a numeric array ({e}); {fix}.")
    if array.dtype.kind not in "biuf":
        raise InvalidArgument(f"{parameter} must hold numbers, got an array of dtype {array.dtype}; {fix}.")
    return array


def as_targets(Y, m, n_outputs, dtype, parameter="Y"):
    """Y as an (m, n_L) array of ``dtype``: targets y for the cost.

    Accepts integer class labels (m,) — turned into one-hot rows, or a 0/1
    column when n_L = 1 — or real targets (m, n_L), or (m,) when n_L = 1.
    """
    Y = _numeric(Y, parameter, f"encode class names as integers 0 … {n_outputs - 1}")
    if Y.ndim == 1 and Y.dtype.kind in "biu" and n_outputs > 1:
        return one_hot(Y, m, n_outputs, dtype, parameter)
    if Y.ndim == 1 and n_outputs == 1:
        Y = Y[:, None]
    if Y.ndim != 2 or Y.shape[1] != n_outputs:
        raise InvalidArgument(
            f"{parameter} has shape {Y.shape} but the output layer has n_L = {n_outputs} neurons; pass integer "
            f"class labels of shape ({m},) or targets of shape ({m}, {n_outputs})."
        )
    if Y.shape[0] != m:
        raise InvalidArgument(f"X has {m} samples but {parameter} has {Y.shape[0]}; they must match row for row.")
    Y = np.ascontiguousarray(Y, dtype=dtype)
    if not np.isfinite(Y).all():
        raise InvalidArgument(f"{parameter} contains NaN or infinite values; remove those samples.")
    return Y


def one_hot(labels, m, n_outputs, dtype, parameter="Y"):
    """Integer labels (m,) → one-hot rows (m, n_outputs)."""
    if labels.shape[0] != m:
        raise InvalidArgument(
            f"X has {m} samples but {parameter} has {labels.shape[0]} labels; they must match row for row."
        )
    if labels.size and (labels.min() < 0 or labels.max() >= n_outputs):
        bad = labels[(labels < 0) | (labels >= n_outputs)][0]
        raise InvalidArgument(
            f"{parameter} holds the label {bad}, outside 0 … {n_outputs - 1} for an output layer of "
            f"n_L = {n_outputs} neurons; relabel the classes as 0 … {n_outputs - 1} or widen the output layer."
        )
    Y = np.zeros((m, n_outputs), dtype=dtype)
    Y[np.arange(m), labels] = 1
    return Y
