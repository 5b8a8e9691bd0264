"""Activation functions σ, each one object holding σ and its derivative σ′.

An activation is any object with two methods:

    value(z)          -> a = σ(z)                 z, a : (m, n_l)
    derivative(z, a)  -> σ′(z), elementwise       (used by BP1 and BP2)

``derivative`` receives both z^l and a^l = σ(z^l) from the forward pass, so
that each activation can use whichever is cheaper (the sigmoid's σ′ is
a(1 − a), no second exponential). A user-defined activation needs nothing
more; pass the object as ``Network(activation=obj)``.

Softmax is the one activation whose Jacobian is not diagonal: a^L_j depends on
every z^L_k. It says so with ``elementwise = False`` and replaces
``derivative`` by ``jacobian_product(z, a, g)``, the product of its Jacobian
with a vector, which BP1 uses in place of the Hadamard product. It may only be
the output layer's activation.

All functions are numerically stable for |z| up to 1e4 and beyond: no
overflow or invalid-value warnings in float32 or float64.

Each function takes its array library from z (``xp = namespace(z)``, see
``bprop.core.backend``), so the same lines run on NumPy, PyTorch, CuPy and
array_api_strict arrays; NumPy's fast paths (a ReLU against a cached zero row,
tanh and exp written in place) are in ``bprop.core.fast``.
"""

from __future__ import annotations

import numpy as np

from ..errors import InvalidArgument
from . import backend
from .backend import largest, namespace, total
from .fast import exp_in_place, positive_part, tanh_in_place


class Sigmoid:
    """σ(z) = 1 / (1 + e^{−z}); σ′(z) = σ(z)(1 − σ(z)) = a(1 − a)."""

    name = "sigmoid"
    output_range = (0.0, 1.0)

    def value(self, z):
        # 1/(1+e^{−z}) = ½(1 + tanh(z/2)): the same function, but tanh never
        # overflows, so there is no warning at z = −1e4.
        a = tanh_in_place(z * 0.5)
        a += 1.0
        a *= 0.5
        return a

    def derivative(self, z, a):
        """σ′(z) computed from a = σ(z), which the forward pass already holds."""
        return a * (1.0 - a)


class Tanh:
    """σ(z) = tanh z; σ′(z) = 1 − tanh² z = 1 − a²."""

    name = "tanh"
    output_range = (-1.0, 1.0)

    def value(self, z):
        return namespace(z).tanh(z)

    def derivative(self, z, a):
        """σ′(z) computed from a = tanh z."""
        return 1.0 - a * a


class ReLU:
    """σ(z) = max(0, z); σ′(z) = 1 for z > 0, else 0 (0 taken at the kink)."""

    name = "relu"
    output_range = (0.0, np.inf)

    def value(self, z):
        return positive_part(z)  # max(0, z)

    def derivative(self, z, a):
        return namespace(z).astype(z > 0, z.dtype)  # 1[z > 0]


class LeakyReLU:
    """σ(z) = z for z > 0, else slope·z; σ′(z) = 1 for z > 0, else slope."""

    name = "leaky_relu"
    output_range = (-np.inf, np.inf)

    def __init__(self, slope: float = 0.01):
        self.slope = float(slope)

    def value(self, z):
        return namespace(z).where(z > 0, z, self.slope * z)

    def derivative(self, z, a):
        xp = namespace(z)
        return xp.where(z > 0, 1.0, xp.full_like(z, self.slope))


class Identity:
    """σ(z) = z; σ′(z) = 1. The output of a regression network."""

    name = "identity"
    output_range = (-np.inf, np.inf)

    def value(self, z):
        return backend.copy(z)

    def derivative(self, z, a):
        return namespace(z).ones_like(z)


class Softmax:
    """a_j = e^{z_j} / Σ_k e^{z_k}, per row; output layer only.

    Its Jacobian ∂a_j/∂z_i = a_j(δ_ij − a_i) is not diagonal, so BP1 cannot be a
    Hadamard product with a σ′ vector. ``jacobian_product`` applies the full
    Jacobian instead: (∂a/∂z)ᵀ g = a ⊙ (g − Σ_j g_j a_j), one row per sample.
    Paired with the log-likelihood cost, BP1 simplifies to δ^L = a − y and this
    product is never formed (see ``costs.SHORTCUTS``).
    """

    name = "softmax"
    output_range = (0.0, 1.0)
    elementwise = False

    def value(self, z):
        # Subtracting the row maximum leaves a unchanged and keeps e^{z} ≤ 1.
        e = exp_in_place(z - largest(z, axis=-1, keepdims=True))
        e /= total(e, axis=-1, keepdims=True)
        return e

    def jacobian_product(self, z, a, g):
        """(∂a/∂z)ᵀ g for each row: a ⊙ (g − ⟨g, a⟩). g, a : (m, n_L)."""
        return a * (g - total(g * a, axis=-1, keepdims=True))

    def derivative(self, z, a):
        raise InvalidArgument(
            "softmax has no elementwise derivative σ′(z): it can only be the "
            "output layer's activation (output='softmax'), not a hidden one."
        )


BUILTIN = {
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "identity": Identity,
    "softmax": Softmax,
}


def is_elementwise(activation) -> bool:
    """True when σ′(z) is elementwise, so BP1/BP2 may use a Hadamard product."""
    return getattr(activation, "elementwise", True)


def check_hidden(activation) -> None:
    """Refuse a σ whose Jacobian is not diagonal (softmax) as a hidden layer's activation."""
    if not is_elementwise(activation):
        raise InvalidArgument(
            f"activation={getattr(activation, 'name', activation)!r} cannot be a hidden layer's σ: "
            "its Jacobian is not diagonal. Use it as output='softmax' with a hidden activation such as 'relu'."
        )


def check_output(output, n_out) -> None:
    """Refuse an output σ that lacks what BP1 needs, or a softmax over n_out = 1 neuron."""
    if is_elementwise(output):
        if not callable(getattr(output, "derivative", None)):
            raise InvalidArgument(
                "output must have a derivative(z, a) method (or be non-elementwise with jacobian_product)."
            )
        return
    if not callable(getattr(output, "jacobian_product", None)):
        raise InvalidArgument("an output activation with elementwise = False needs a jacobian_product(z, a, g) method.")
    if n_out < 2:
        raise InvalidArgument(
            f"output={output.name!r} needs at least 2 output neurons (with one it always outputs 1); "
            f"got sizes[-1] = {n_out}. Use output='sigmoid' for a single yes/no output."
        )
