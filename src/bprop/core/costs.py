"""Cost functions C, each one object holding C and its gradient ∇_a C.

A cost is any object with two methods:

    value(a, y)     -> C of each sample, shape (m,)       a, y : (m, n_L)
    gradient(a, y)  -> ∇_a C of each sample, (m, n_L)     (used by BP1)

The cost of a batch is the mean of the per-sample costs. A user-defined cost
needs nothing more; pass the object as ``Network(cost=obj)``.

BP1 is δ^L = ∇_a C ⊙ σ′(z^L). For two pairings of output activation and cost
the product simplifies to δ^L = a^L − y, which is both cheaper and free of the
σ′ → 0 slowdown; ``SHORTCUTS`` lists them and the network uses the shortcut
whenever the pair matches. Pairings that make no sense are refused when the
network is built (``check_pairing``).
"""

from __future__ import annotations

from ..errors import InvalidArgument
from .arguments import name_of
from .backend import namespace, total


def _safe_log(a):
    """ln a, with a floored at the dtype's smallest normal number.

    ln 0 is −inf; a saturated output gives a large finite cost instead of a
    warning and an infinity.
    """
    xp = namespace(a)
    return xp.log(xp.maximum(a, _tiny(a)))


def _tiny(a):
    """The smallest normal number of a's dtype (1.2e−38 for float32)."""
    return namespace(a).finfo(a.dtype).smallest_normal


class Quadratic:
    """C = ½ Σ_j (y_j − a_j)²; ∇_a C = a − y. The cost of the derivation."""

    name = "quadratic"
    requires_output = None  # any output activation

    def value(self, a, y):
        d = a - y
        return 0.5 * total(d * d, axis=-1)

    def gradient(self, a, y):
        return a - y


class CrossEntropy:
    """C = −Σ_j [y_j ln a_j + (1 − y_j) ln(1 − a_j)], for sigmoid outputs.

    ∇_a C = (a − y) / (a(1 − a)); with σ′(z) = a(1 − a), BP1 becomes δ^L = a − y.
    """

    name = "cross_entropy"
    requires_output = ("sigmoid",)

    def value(self, a, y):
        return -total(y * _safe_log(a) + (1.0 - y) * _safe_log(1.0 - a), axis=-1)

    def gradient(self, a, y):
        return (a - y) / namespace(a).maximum(a * (1.0 - a), _tiny(a))


class LogLikelihood:
    """C = −ln a_y = −Σ_j y_j ln a_j (y one-hot), for softmax outputs.

    ∇_a C = −y / a; through the softmax Jacobian, BP1 becomes δ^L = a − y.
    """

    name = "log_likelihood"
    requires_output = ("softmax",)

    def value(self, a, y):
        return -total(y * _safe_log(a), axis=-1)

    def gradient(self, a, y):
        return -y / namespace(a).maximum(a, _tiny(a))


BUILTIN = {
    "quadratic": Quadratic,
    "cross_entropy": CrossEntropy,
    "log_likelihood": LogLikelihood,
}


def accepted_pairs(output_names) -> list:
    """Every (output activation, built-in cost) pair that ``check_pairing`` accepts, outputs first.

    output_names : the names of the output activations to pair, in the order wanted.
    """
    return [
        (output, name)
        for output in output_names
        for name, cost in BUILTIN.items()
        if output in (getattr(cost, "requires_output", None) or (output,))
    ]


# (output activation, cost) pairs for which BP1, δ^L = ∇_a C ⊙ σ′(z^L), equals
# a^L − y exactly: the sigmoid's σ′ = a(1 − a) cancels the cross-entropy's
# denominator, and the softmax Jacobian turns −y/a into a − y (Σ_j y_j = 1).
SHORTCUTS = {
    ("sigmoid", "cross_entropy"),
    ("softmax", "log_likelihood"),
}


def uses_shortcut(output, cost) -> bool:
    """True when BP1 for this pair is δ^L = a^L − y (see ``SHORTCUTS``)."""
    return (getattr(output, "name", None), getattr(cost, "name", None)) in SHORTCUTS


def check_pairing(output, cost) -> None:
    """Refuse an output activation and cost that make no sense together."""
    needed = getattr(cost, "requires_output", None)
    out_name = name_of(output)
    if needed and out_name not in needed:
        hint = {
            "log_likelihood": "it reads a^L as class probabilities that sum to 1. "
            "Use output='softmax', or cost='cross_entropy' with output='sigmoid'.",
            "cross_entropy": "it takes ln a and ln(1 − a), so each output must lie in (0, 1). "
            "Use output='sigmoid', or cost='log_likelihood' with output='softmax'.",
        }.get(getattr(cost, "name", ""), f"use output={needed[0]!r}.")
        raise InvalidArgument(
            f"cost={getattr(cost, 'name', cost)!r} needs output={' or '.join(map(repr, needed))}, "
            f"got output={out_name!r}: {hint}"
        )
