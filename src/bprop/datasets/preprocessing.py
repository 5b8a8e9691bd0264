"""Per-feature input scaling, fitted on the training split only.

A Preprocessor is the affine map, applied to each column j of X,

    x'_j = (x_j − shift_j) / scale_j

Kinds:
    "scale"        to [0, 1]: shift 0 and scale = value_range when the data set
                   knows it (255 for MNIST, 16 for digits); otherwise shift =
                   the training minimum and scale = max − min (a zero range → 1)
    "standardize"  shift = the training mean, scale = the training standard
                   deviation (zero → 1)
    "none"         shift 0, scale 1

It is saved with a model as a JSON-able dict (``to_dict`` / ``from_dict``).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np

from ..errors import InvalidArgument

KINDS = ("scale", "standardize", "none")


@dataclass(frozen=True, eq=False)
class Preprocessor:
    """x' = (x − shift) / scale, column by column.

    kind  : one of KINDS
    shift : (n,) float64
    scale : (n,) float64, all > 0
    """

    kind: str
    shift: np.ndarray
    scale: np.ndarray

    @property
    def n_features(self) -> int:
        return len(self.shift)

    def transform(self, X) -> np.ndarray:
        """X : (m, n) → X' : (m, n) float64, a new array."""
        X = np.asarray(X)
        if X.ndim != 2 or X.shape[1] != self.n_features:
            shape = X.shape
            hint = " (for one sample, pass x.reshape(1, -1))" if X.ndim == 1 else ""
            raise InvalidArgument(
                f"Preprocessor.transform: X has shape {shape}, but this preprocessor was "
                f"fitted on {self.n_features} features; pass an (m, {self.n_features}) "
                f"array{hint}."
            )
        if X.dtype.kind not in "biuf":
            raise InvalidArgument(f"Preprocessor.transform: X has dtype {X.dtype}; it must hold numbers.")
        return (X - self.shift) / self.scale

    def to_dict(self) -> dict:
        """{"kind", "n_features", "shift", "scale"} with plain Python floats (JSON-able, exact)."""
        return {
            "kind": self.kind,
            "n_features": self.n_features,
            "shift": [float(v) for v in self.shift],
            "scale": [float(v) for v in self.scale],
        }

    @classmethod
    def from_dict(cls, d) -> Preprocessor:
        """The Preprocessor that to_dict described; InvalidArgument names what is wrong."""
        if not isinstance(d, dict):
            raise InvalidArgument(f"Preprocessor.from_dict takes a dict, got {type(d).__name__}.")
        expected = {"kind", "n_features", "shift", "scale"}
        if set(d) != expected:
            raise InvalidArgument(f"Preprocessor.from_dict: the keys are {sorted(d)}, expected {sorted(expected)}.")
        if d["kind"] not in KINDS:
            raise InvalidArgument(f"Preprocessor.from_dict: kind={d['kind']!r}; use one of {KINDS}.")
        n = d["n_features"]
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise InvalidArgument(f"Preprocessor.from_dict: n_features={n!r} must be a positive integer.")
        arrays = {}
        for key in ("shift", "scale"):
            values = d[key]
            if not (
                isinstance(values, (list, tuple))
                and len(values) == n
                and all(isinstance(v, numbers.Real) and not isinstance(v, bool) and math.isfinite(v) for v in values)
            ):
                raise InvalidArgument(
                    f"Preprocessor.from_dict: {key} must be a list of {n} finite numbers, got {_brief(values)}."
                )
            arrays[key] = np.array(values, dtype=np.float64)
        if (arrays["scale"] <= 0).any():
            raise InvalidArgument(
                f"Preprocessor.from_dict: scale holds {arrays['scale'].min()}; every scale must be > 0."
            )
        return cls(d["kind"], arrays["shift"], arrays["scale"])


def _brief(values) -> str:
    text = repr(values)
    return text if len(text) <= 80 else text[:77] + "..."


def fit(kind: str, X_train, value_range: float | None = None) -> Preprocessor:
    """The Preprocessor of ``kind`` fitted on X_train : (m, n) (the training split only)."""
    if kind not in KINDS:
        raise InvalidArgument(f"preprocessing kind={kind!r} is not known; use one of {', '.join(map(repr, KINDS))}.")
    X = np.asarray(X_train)
    if X.ndim != 2 or X.shape[0] < 1 or X.shape[1] < 1 or X.dtype.kind not in "biuf":
        raise InvalidArgument(
            f"fit: X_train must be a non-empty 2-D numeric (m, n) array, got dtype {X.dtype} and shape {X.shape}."
        )
    X = X.astype(np.float64, copy=False)
    n = X.shape[1]
    if value_range is not None and (
        isinstance(value_range, bool)
        or not isinstance(value_range, numbers.Real)
        or not math.isfinite(value_range)
        or value_range <= 0
    ):
        raise InvalidArgument(f"fit: value_range={value_range!r} must be a finite number > 0, or None.")
    if kind == "none":
        shift, scale = np.zeros(n), np.ones(n)
    elif kind == "scale" and value_range is not None:
        shift, scale = np.zeros(n), np.full(n, float(value_range))
    else:
        if not np.isfinite(X).all():
            raise InvalidArgument("fit: X_train holds NaN or infinite values; clean the data first.")
        with np.errstate(over="ignore", invalid="ignore"):  # an overflow is reported below, in words
            if kind == "scale":
                shift = X.min(axis=0)
                scale = X.max(axis=0) - shift
            else:
                shift, scale = X.mean(axis=0), X.std(axis=0)
        overflowed = ~(np.isfinite(shift) & np.isfinite(scale))
        if overflowed.any():
            j = int(np.argmax(overflowed))
            raise InvalidArgument(
                f"fit: feature {j + 1} of X_train spans {X[:, j].min():g} … {X[:, j].max():g}, too wide to "
                f"{kind} in float64 (its {'range' if kind == 'scale' else 'mean or spread'} overflows); "
                "divide that feature by a power of ten first, or use --preprocess none."
            )
    scale = np.where(scale > 0, scale, 1.0)
    return Preprocessor(kind, shift, scale)
