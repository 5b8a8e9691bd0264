"""A hand-edited weight: the gradient as a local linear estimate of the cost.

Moving one parameter p (a weight w^l_jk, or a bias b^l_j) by Δp changes the
training cost by ΔC = C(p + Δp) − C(p). To first order

    ΔC ≈ ∂C/∂p · Δp        (∂C/∂p by BP3, or BP4 for a bias, at the weights BEFORE the edit)

and the gap ΔC − ∂C/∂p Δp = ½ ∂²C/∂p² Δp² + O(Δp³) is what the linear estimate
leaves out: tiny for a small Δp, plain to see for a large one. That gap is why
gradient descent takes small steps.

``edit(session, body)`` computes both sides with the network's own
``backprop`` on the whole training set, at the cost training descends
(C = C₀ + (λ/2n) Σ w² + (λ₁/n) Σ |w| when L2 and L1 are on; no dropout mask): one call before the edit (C and ∂C/∂p),
one after (C and the new ∂C/∂p). Nothing here differentiates anything.
Indices count from 1, as in the notation: w^l_jk is ``net.weights[l-2][j-1, k-1]``.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from .settings import SettingError

MAX_VALUE = 1000.0  # |value| of an edited weight or bias
KEYS = ("layer", "j", "k", "value", "preview")


def checked(session, body) -> tuple[int, int, int | None, float]:
    """(layer, j, k, value) from {layer, j, k, value}; k left out (or null) edits the bias b^l_j."""
    if not isinstance(body, dict):
        raise SettingError("body", 'send {"layer": l, "j": j, "k": k, "value": v} (leave out k to set the bias b^l_j).')
    unknown = [key for key in body if key not in KEYS]
    if unknown:
        raise SettingError(unknown[0], f"{unknown[0]!r} is not known here; use some of {', '.join(KEYS)}.")
    sizes = session.net.sizes
    L = len(sizes)
    layer = _index(body.get("layer"), "layer", 2, L, " (layer 1, the input, has no weights)")
    j = _index(body.get("j"), "j", 1, sizes[layer - 1], f" (layer {layer} has {sizes[layer - 1]} neurons)")
    k = body.get("k")
    if k is not None:
        k = _index(k, "k", 1, sizes[layer - 2], f" (layer {layer - 1} has {sizes[layer - 2]} neurons)")
    value = body.get("value")
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise SettingError(
            "value", f"value must be a finite number, got {value!r}.", zh=f"值须为有限的数，收到的是 {value!r}。"
        )
    if abs(value) > MAX_VALUE:
        raise SettingError(
            "value",
            f"value={value!r} is out of range; use a number between ±{MAX_VALUE:g}.",
            zh=f"值 {value!r} 超出范围；请用 ±{MAX_VALUE:g} 之内的数。",
        )
    return layer, j, k, float(value)


def edit(session, body) -> dict:
    """Set the parameter (or, with ``"preview": true``, only compute) and compare ∂C/∂p·Δp with ΔC.

    Returns {parameter, layer, j, k, before, after, delta, gradient, predicted,
    cost_before, cost_after, actual, gradient_after, preview}: ``predicted`` is
    ∂C/∂p·Δp, ``actual`` is ΔC (None when a cost overflows).
    """
    layer, j, k, value = checked(session, body)
    preview = body.get("preview", False)
    if not isinstance(preview, bool):
        raise SettingError("preview", f"preview must be true or false, got {preview!r}.")
    X, Y = session.X_train, session.y_train
    l2, l1, n = session.settings.l2, session.settings.l1, len(Y)
    net = session.net.copy() if preview else session.net
    with np.errstate(all="ignore"):
        before = net.backprop(X, Y, l2=l2, n=n, l1=l1)
    old, gradient = _read(net, before, layer, j, k)
    if preview:
        _write(net, layer, j, k, value)  # on the copy
    else:
        session.set_parameter(layer, j, k, value)  # recorded, so that a shared link replays it
    with np.errstate(all="ignore"):
        after = net.backprop(X, Y, l2=l2, n=n, l1=l1)
    _, gradient_after = _read(net, after, layer, j, k)
    delta = value - old
    return {
        "parameter": "b" if k is None else "w",
        "layer": layer,
        "j": j,
        "k": k,
        "before": old,
        "after": value,
        "delta": delta,
        "gradient": _finite(gradient),
        "predicted": _finite(gradient * delta),
        "cost_before": _finite(before.cost),
        "cost_after": _finite(after.cost),
        "actual": _finite(after.cost - before.cost),
        "gradient_after": _finite(gradient_after),
        "preview": preview,
    }


def _read(net, grads, layer, j, k) -> tuple[float, float]:
    """(the parameter's value, its ∂C/∂p from ``grads``)."""
    i = layer - 2
    if k is None:
        return float(net.biases[i][j - 1]), float(grads.biases[i][j - 1])  # BP4
    return float(net.weights[i][j - 1, k - 1]), float(grads.weights[i][j - 1, k - 1])  # BP3


def _write(net, layer, j, k, value) -> None:
    if k is None:
        net.biases[layer - 2][j - 1] = value
    else:
        net.weights[layer - 2][j - 1, k - 1] = value


def _index(value, name, low, high, why) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not low <= value <= high:
        raise SettingError(name, f"{name}={value!r} is out of range; use a whole number from {low} to {high}{why}.")
    return int(value)


def _finite(x):
    return float(x) if math.isfinite(x) else None
