"""The formulas that depend on the activation or the cost, in markup.

``SIGMA_DEFINITIONS`` and ``COST_DEFINITIONS`` state σ, σ′, C and ∇_a C by name
(the notation section); ``sigma_prime_line`` and ``grad_a_line`` write one
element of σ′(z^l) and ∇_a C with its numbers put in, from the formula the
activation's derivative or the cost's gradient uses.
"""

from __future__ import annotations

from .markup import number, operand

SIGMA_DEFINITIONS = {
    "sigmoid": "σ(z) = 1 / (1 + exp(−z)),  σ′(z) = σ(z)(1 − σ(z)) = a(1 − a)",
    "tanh": "σ(z) = tanh z,  σ′(z) = 1 − tanh² z = 1 − a²",
    "relu": "σ(z) = max(0, z),  σ′(z) = [z > 0]",
    "leaky_relu": "σ(z) = z (z > 0), αz (z ≤ 0),  σ′(z) = 1 (z > 0), α (z ≤ 0)",
    "identity": "σ(z) = z,  σ′(z) = 1",
    "softmax": "a_{j} = exp(z_{j}) / Σ_{k} exp(z_{k})",
}

COST_DEFINITIONS = {
    "quadratic": "C = ½ Σ_{j} (y_{j} − a^{L}_{j})²,  ∇_{a} C = a^{L} − y",
    "cross_entropy": "C = −Σ_{j} [y_{j} ln a^{L}_{j} + (1 − y_{j}) ln(1 − a^{L}_{j})],  ∇_{a} C = (a^{L} − y) / (a^{L}(1 − a^{L}))",
    "log_likelihood": "C = −Σ_{j} y_{j} ln a^{L}_{j},  ∇_{a} C = −y / a^{L}",
}


def sigma_prime_line(name, layer, z, a, value, p) -> str:
    """σ′(z^{l}_{1}) written from what the activation's derivative uses, with numbers."""
    s, ap = f"σ′(z^{{{layer}}}_{{1}})", f"a^{{{layer}}}_{{1}}"
    if name == "sigmoid":
        return f"{s} = {ap}(1 − {ap}) = {operand(a, p)} · (1 − {operand(a, p)}) = {number(value, p)}"
    if name == "tanh":
        return f"{s} = 1 − ({ap})² = 1 − {operand(a, p)}² = {number(value, p)}"
    return f"{s} = σ′({number(z, p)}) = {number(value, p)}"


def grad_a_line(name, layer, a, y, value, p) -> str:
    """∂C/∂a^{L}_{1} from the cost's gradient formula, with numbers."""
    g, al, yl = f"∂C/∂a^{{{layer}}}_{{1}}", f"a^{{{layer}}}_{{1}}", "y_{1}"
    A, Y, v = operand(a, p), operand(y, p), number(value, p)
    if name == "quadratic":
        return f"{g} = {al} − {yl} = {A} − {Y} = {v}"
    if name == "cross_entropy":
        return f"{g} = ({al} − {yl}) / ({al}(1 − {al})) = ({A} − {Y}) / ({A} · (1 − {A})) = {v}"
    if name == "log_likelihood":
        return f"{g} = −{yl} / {al} = −{Y} / {A} = {v}"
    return f"{g} = {v}"
