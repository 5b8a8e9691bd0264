"""Two-dimensional data sets generated from a seed, for seeing a network learn.

Every generator returns X : (n, 2) float64 and y : (n,) int64, with the n
samples shared as evenly as possible between the classes and shuffled.
``noise`` is the standard deviation of Gaussian noise added to each
coordinate (for xor and gaussians: the spread of each blob).

    xor        4 blobs centred on (±1, ±1); label = 1 where the signs differ
    circles    ring of radius 1 (class 0) around a ring of radius 0.5 (class 1)
    moons      two interleaved half circles (as scikit-learn's make_moons)
    spiral     K arms winding 1.5 turns out of the origin (class k = arm k)
    gaussians  K blobs centred on a circle of radius 2

One regression set (``REGRESSION_GENERATORS``, ``make_toy_regression``): X : (n, 2)
float64 and a real target t : (n,) float64, ``noise`` the standard deviation of
Gaussian noise added to t.

    wave       x uniform in [−2, 2]²; t = sin(1.5 x₁) cos(1.5 x₂), in [−1, 1]
"""

from __future__ import annotations

import numpy as np

from ..errors import InvalidArgument
from .dataset import Dataset
from .split import split_indices

DEFAULT_N = 400
MAX_N = 10_000_000  # 160 MB of float64 features: more is a typo, not a toy
MAX_NOISE = 1e6  # beyond this the points are noise alone (and near 1e308 they overflow)
DEFAULT_TEST_FRACTION = 0.25
DEFAULT_NOISE = {"xor": 0.35, "circles": 0.08, "moons": 0.1, "spiral": 0.05, "gaussians": 0.6}
N_CLASSES = {"xor": 2, "circles": 2, "moons": 2, "spiral": None, "gaussians": None}  # None: any K ≥ 2
DESCRIPTIONS = {
    "xor": "2-D: four Gaussian blobs in the quadrants, label = quadrant parity",
    "circles": "2-D: two concentric rings",
    "moons": "2-D: two interleaved half circles",
    "spiral": "2-D: K spiral arms, one class per arm (default 2)",
    "gaussians": "2-D: K Gaussian blobs (default 2)",
}


def _classes(n: int, k: int, rng: np.random.Generator) -> np.ndarray:
    """(n,) labels 0..k-1 in near-equal counts, in random order."""
    return rng.permutation(np.arange(n) % k).astype(np.int64)


def xor(n: int, noise: float, rng: np.random.Generator, n_classes: int = 2):
    quadrant = _classes(n, 4, rng)  # 0: (+,+) 1: (-,+) 2: (-,-) 3: (+,-)
    sx = np.where((quadrant == 0) | (quadrant == 3), 1.0, -1.0)
    sy = np.where(quadrant <= 1, 1.0, -1.0)
    X = np.stack([sx, sy], axis=1) + noise * rng.standard_normal((n, 2))
    return X, (sx != sy).astype(np.int64)


def circles(n: int, noise: float, rng: np.random.Generator, n_classes: int = 2):
    y = _classes(n, 2, rng)
    radius = np.where(y == 0, 1.0, 0.5)
    angle = rng.uniform(0.0, 2 * np.pi, n)
    X = radius[:, None] * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    return X + noise * rng.standard_normal((n, 2)), y


def moons(n: int, noise: float, rng: np.random.Generator, n_classes: int = 2):
    y = _classes(n, 2, rng)
    t = rng.uniform(0.0, np.pi, n)
    upper = np.stack([np.cos(t), np.sin(t)], axis=1)
    lower = np.stack([1.0 - np.cos(t), 0.5 - np.sin(t)], axis=1)
    X = np.where((y == 0)[:, None], upper, lower)
    return X + noise * rng.standard_normal((n, 2)), y


def spiral(n: int, noise: float, rng: np.random.Generator, n_classes: int = 2):
    y = _classes(n, n_classes, rng)
    r = rng.uniform(0.05, 1.0, n)
    angle = 2 * np.pi * y / n_classes + 3 * np.pi * r
    X = r[:, None] * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    return X + noise * rng.standard_normal((n, 2)), y


def gaussians(n: int, noise: float, rng: np.random.Generator, n_classes: int = 2):
    y = _classes(n, n_classes, rng)
    angle = 2 * np.pi * y / n_classes
    centres = 2.0 * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    return centres + noise * rng.standard_normal((n, 2)), y


GENERATORS = {"xor": xor, "circles": circles, "moons": moons, "spiral": spiral, "gaussians": gaussians}


def make_toy(
    name: str,
    *,
    seed: int = 0,
    n: int | None = None,
    noise: float | None = None,
    test_fraction: float | None = None,
    n_classes: int | None = None,
) -> Dataset:
    """The 2-D set ``name`` with n samples (default 400), split from the same seed.

    X_train : (n - m_test, 2), X_test : (m_test, 2) with m_test = ceil(test_fraction·n)
    (test_fraction default 0.25); y int64; value_range None.
    """
    n = DEFAULT_N if n is None else n
    noise = DEFAULT_NOISE[name] if noise is None else noise
    test_fraction = DEFAULT_TEST_FRACTION if test_fraction is None else test_fraction
    fixed = N_CLASSES[name]
    if n_classes is None:
        n_classes = fixed or 2
    elif fixed is not None and n_classes != fixed:
        raise InvalidArgument(
            f"n_classes={n_classes} does not apply to {name!r}, which always has "
            f"{fixed} classes; n_classes can be chosen for 'spiral' and 'gaussians'."
        )
    if n > MAX_N:
        raise InvalidArgument(f"n={n} is more samples than a generated set may have ({MAX_N:,}); use a smaller n.")
    if not 0 <= noise <= MAX_NOISE:
        raise InvalidArgument(
            f"noise={noise!r} is outside 0 … {MAX_NOISE:g}; use a noise level such as "
            f"{DEFAULT_NOISE[name]} (the default for {name!r})."
        )
    if n < 2 * n_classes:
        raise InvalidArgument(
            f"n={n} is too few samples for {name!r} with {n_classes} classes; use n ≥ {2 * n_classes}."
        )
    X, y = GENERATORS[name](n, noise, np.random.default_rng(seed), n_classes=n_classes)
    train, test = split_indices(y, test_fraction, seed)
    return Dataset(
        name=name,
        X_train=X[train],
        y_train=y[train],
        X_test=X[test],
        y_test=y[test],
        class_names=[str(k) for k in range(n_classes)],
    )


# -- regression: a real target instead of a class --------------------------------------


def wave(n: int, noise: float, rng: np.random.Generator):
    """X uniform in [−2, 2]², t = sin(1.5 x₁) cos(1.5 x₂) + noise · N(0, 1): (n, 2), (n,)."""
    X = rng.uniform(-2.0, 2.0, (n, 2))
    t = np.sin(1.5 * X[:, 0]) * np.cos(1.5 * X[:, 1])
    return X, t + noise * rng.standard_normal(n)


REGRESSION_GENERATORS = {"wave": wave}
REGRESSION_NOISE = {"wave": 0.05}
REGRESSION_DESCRIPTIONS = {"wave": "2-D regression: t = sin(1.5 x₁) cos(1.5 x₂) plus noise"}


def make_toy_regression(
    name: str, *, seed: int = 0, n: int | None = None, noise: float | None = None, test_fraction: float | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(X_train, t_train, X_test, t_test) of the regression set ``name``, split from the same seed.

    X : (m, 2) float64, t : (m,) float64; m_test = ceil(test_fraction·n) as in ``make_toy``.
    """
    n = DEFAULT_N if n is None else n
    noise = REGRESSION_NOISE[name] if noise is None else noise
    test_fraction = DEFAULT_TEST_FRACTION if test_fraction is None else test_fraction
    if not 2 <= n <= MAX_N:
        raise InvalidArgument(f"n={n} is outside 2 … {MAX_N:,} samples; use n such as {DEFAULT_N}.")
    if not 0 <= noise <= MAX_NOISE:
        raise InvalidArgument(
            f"noise={noise!r} is outside 0 … {MAX_NOISE:g}; use a noise level such as {REGRESSION_NOISE[name]}."
        )
    X, t = REGRESSION_GENERATORS[name](n, noise, np.random.default_rng(seed))
    train, test = split_indices(np.zeros(n, dtype=np.int64), test_fraction, seed)  # one "class": a plain random split
    return X[train], t[train], X[test], t[test]
