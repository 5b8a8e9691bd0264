"""The input features of the playground: functions of the two coordinates (x₁, x₂).

As in TensorFlow Playground, a data set's 2-D points can be fed to the network
through more inputs than x₁ and x₂: the network's input layer has one neuron
per chosen feature, in the order of FEATURES.

    x1   x₁        x2   x₂
    x1sq x₁²       x2sq x₂²      x1x2 x₁x₂
    sin1 sin(x₁)   sin2 sin(x₂)
"""

from __future__ import annotations

import numpy as np

from ..errors import InvalidArgument

FEATURES = {
    "x1": ("x₁", lambda x1, x2: x1),
    "x2": ("x₂", lambda x1, x2: x2),
    "x1sq": ("x₁²", lambda x1, x2: x1 * x1),
    "x2sq": ("x₂²", lambda x1, x2: x2 * x2),
    "x1x2": ("x₁x₂", lambda x1, x2: x1 * x2),
    "sin1": ("sin(x₁)", lambda x1, x2: np.sin(x1)),
    "sin2": ("sin(x₂)", lambda x1, x2: np.sin(x2)),
}
DEFAULT = ("x1", "x2")


def checked(names) -> tuple:
    """The chosen feature keys in the canonical order; InvalidArgument for unknown, repeated or none."""
    if isinstance(names, str) or not isinstance(names, (list, tuple)):
        raise InvalidArgument(f'features must be a list of feature names such as ["x1", "x2"], got {names!r}.')
    unknown = [n for n in names if not isinstance(n, str) or n not in FEATURES]
    if unknown:
        raise InvalidArgument(f"features: {unknown[0]!r} is not a feature; use some of {', '.join(FEATURES)}.")
    if len(set(names)) != len(names):
        raise InvalidArgument("features: each feature may be chosen once; remove the repeated names.")
    if not names:
        raise InvalidArgument('features: choose at least one feature, e.g. ["x1", "x2"].')
    return tuple(n for n in FEATURES if n in names)


def labels(names) -> list:
    """Display labels (x₁, sin(x₁), …) of the chosen features."""
    return [FEATURES[n][0] for n in names]


def transform(points, names) -> np.ndarray:
    """points : (m, 2) → (m, len(names)) float64, one column per feature."""
    points = np.asarray(points, dtype=np.float64)
    x1, x2 = points[:, 0], points[:, 1]
    return np.stack([FEATURES[n][1](x1, x2) for n in names], axis=1)
