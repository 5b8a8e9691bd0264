"""The chain-rule lines of BP1–BP4 for chosen neurons, each factor analytic and measured.

``bp1`` … ``bp4`` build one ``Equation`` each: the left side and the products
of the chain rule, every ``Factor`` worked out by the formula the derivation
arrives at and measured by a central difference in the network
(``nudged_pass``). ``derivation.derive`` calls them and holds the result.

With dropout BP2 gains ∂ã^l_j/∂a^l_j = m^l_j/(1−p); with L2 / L1 terms in C,
BP3 gains their derivatives (λ/n) w^l_jk and (λ₁/n) sgn(w^l_jk).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...core import activations
from .nudged_pass import Nudge, NudgedPass, Run, a_of, dropped_of, l1_term, l2_term, z_of

SCALE_FLOOR = 1e-4
"""A factor smaller than this (a σ′ in a flat region, a ∂C/∂a that is 0) is
judged by its absolute error over SCALE_FLOOR: a central difference cannot
resolve a relative error of a number that is itself ~1e-11."""


@dataclass(frozen=True)
class Factor:
    """One partial derivative of a chain-rule line, worked out two ways.

    symbol : the factor in markup, e.g. ``∂C/∂a^{3}_{1}``.
    formula : what the derivation says it equals, e.g. ``σ′(z^{3}_{1})``.
    analytic : its value by that formula.
    numeric : its value measured by a central difference in the network.
    """

    symbol: str
    formula: str
    analytic: float
    numeric: float

    @property
    def relative_error(self) -> float:
        """|analytic − numeric| / max(|analytic|, |numeric|, SCALE_FLOOR)."""
        scale = max(abs(self.analytic), abs(self.numeric), SCALE_FLOOR)
        return abs(self.analytic - self.numeric) / scale


@dataclass(frozen=True)
class Equation:
    """One of BP1–BP4 for chosen neurons: left side = Σ over terms of Π factors.

    name : 'BP1' … 'BP4'.
    layer, j, k : the (1-based) layer l and neuron indices of the left side;
        k is the input neuron of BP3's weight, else None.
    left : the left-hand side as a Factor (analytic: backprop's number;
        numeric: measured from its definition).
    terms : a list of products, each a list of Factors; the left side is
        Σ_terms Π_factors.
    """

    name: str
    layer: int
    j: int
    k: int | None
    left: Factor
    terms: list

    @property
    def chain_value(self) -> float:
        """Σ_terms Π analytic factors: the right-hand side of the chain rule."""
        return float(sum(np.prod([f.analytic for f in term]) for term in self.terms))

    @property
    def chain_error(self) -> float:
        """The relative error of the chain rule's sum against the measured left side."""
        return Factor("", "", self.chain_value, self.left.numeric).relative_error

    @property
    def factors(self) -> list:
        """Every Factor of the line, the left side first."""
        return [self.left] + [f for term in self.terms for f in term]

    @property
    def max_error(self) -> float:
        return max([f.relative_error for f in self.factors] + [self.chain_error])


@dataclass(frozen=True)
class At:
    """What every equation reads: the nudged pass, its unnudged run, backprop's δ^l (n_l,) and mask_of(l)."""

    probe: NudgedPass
    run: Run
    deltas: list
    mask_of: object

    def z(self, i):
        return self.run.zs[i][0]

    def a(self, i):
        """a^{i+1} = σ(z^{i+1}), before any mask."""
        return self.run.undropped[i][0]

    def dropped(self, i):
        """ã^{i+1}, what layer i + 2 sees."""
        return self.run.acts[i][0]


def sup(l, j, k=None):
    """The markup of an indexed symbol's indices, 1-based: ^{l}_{jk} (^{l}_{j,k} past 9)."""
    indices = [j + 1] + ([] if k is None else [k + 1])
    return f"^{{{l}}}_{{{(',' if max(indices) > 9 else '').join(map(str, indices))}}}"


def a_symbol(at, l, k):
    """a^{l}_{k}, or ã^{l}_{k} when dropout masks layer l."""
    return f"{'ã' if at.mask_of(l) is not None else 'a'}{sup(l, k)}"


def bp1(at, j):
    """BP1: ∂C/∂z^L_j = ∂C/∂a^L_j · σ′(z^L_j), or Σ_k ∂C/∂a^L_k · ∂a^L_k/∂z^L_j (softmax)."""
    net, probe = at.probe.net, at.probe
    i = len(at.deltas) - 1
    L = i + 2
    z, a = at.z(i), at.a(i + 1)
    grad_a = net.cost.gradient(a.reshape(1, -1), probe.Y)[0]  # ∇_a C
    left = Factor(f"∂C/∂z{sup(L, j)}", f"δ{sup(L, j)}", float(at.deltas[i][j]), probe.measure(Nudge("z", i, j)))
    elementwise = activations.is_elementwise(net.output)
    if elementwise:  # a^L_j depends on z^L_j alone: one term, σ′(z^L_j)
        sigma_prime = float(net.output.derivative(z.reshape(1, -1), a.reshape(1, -1))[0, j])
        through = {j: (f"σ′(z{sup(L, j)})", sigma_prime)}
    else:  # every a^L_k depends on z^L_j: ∂a_k/∂z_j, column j of the Jacobian, from the σ's own (∂a/∂z)ᵀ g
        through = {}
        for k in range(len(a)):
            e_k = np.zeros((1, len(a)), dtype=z.dtype)
            e_k[0, k] = 1.0
            jacobian = float(net.output.jacobian_product(z.reshape(1, -1), a.reshape(1, -1), e_k)[0, j])
            softmax = getattr(net.output, "name", None) == "softmax"
            label = f"a{sup(L, k)}({int(k == j)} − a{sup(L, j)})" if softmax else f"∂a{sup(L, k)}/∂z{sup(L, j)}"
            through[k] = (label, jacobian)
    terms = [
        [
            Factor(
                f"∂C/∂a{sup(L, k)}", f"(∇_{{a}} C)_{{{k + 1}}}", float(grad_a[k]), probe.measure(Nudge("a", i + 1, k))
            ),
            Factor(f"∂a{sup(L, k)}/∂z{sup(L, j)}", label, value, probe.measure(Nudge("z", i, j), a_of(i + 1, k))),
        ]
        for k, (label, value) in through.items()
    ]
    return Equation("BP1", L, j + 1, None, left, terms)


def bp2(at, i, j):
    """BP2: δ^l_j = Σ_k ∂C/∂z^{l+1}_k · ∂z^{l+1}_k/∂a^l_j · ∂a^l_j/∂z^l_j = Σ_k δ^{l+1}_k w^{l+1}_kj σ′(z^l_j).

    With dropout on layer l the next layer sees ã^l = a^l ⊙ m^l/(1−p), and the
    chain gains ∂ã^l_j/∂a^l_j = m^l_j/(1−p):
    δ^l_j = Σ_k δ^{l+1}_k · w^{l+1}_kj · m^l_j/(1−p) · σ′(z^l_j).
    """
    net, probe = at.probe.net, at.probe
    l = i + 2
    mask = at.mask_of(l)
    w_next = np.asarray(net.weights[i + 1], dtype=np.float64)
    sigma = net.hidden_activations[i]
    sigma_prime = float(sigma.derivative(at.z(i).reshape(1, -1), at.a(i + 1).reshape(1, -1))[0, j])
    sigma_factor = Factor(
        f"∂a{sup(l, j)}/∂z{sup(l, j)}",
        f"σ′(z{sup(l, j)})",
        sigma_prime,
        probe.measure(Nudge("z", i, j), a_of(i + 1, j)),
    )
    a_seen = f"ã{sup(l, j)}" if mask is not None else f"a{sup(l, j)}"
    chain = [sigma_factor]
    if mask is not None:
        chain = [
            Factor(
                f"∂ã{sup(l, j)}/∂a{sup(l, j)}",
                f"m{sup(l, j)}/(1 − p)",
                float(mask[j]),
                probe.measure(Nudge("a", i + 1, j), dropped_of(i + 1, j)),
            ),
            sigma_factor,
        ]
    terms = []
    for k in range(w_next.shape[0]):
        terms.append(
            [
                Factor(
                    f"∂C/∂z{sup(l + 1, k)}",
                    f"δ{sup(l + 1, k)}",
                    float(at.deltas[i + 1][k]),
                    probe.measure(Nudge("z", i + 1, k)),
                ),
                Factor(
                    f"∂z{sup(l + 1, k)}/∂{a_seen}",
                    f"w{sup(l + 1, k, j)}",
                    float(w_next[k, j]),
                    probe.measure(Nudge("d", i + 1, j), z_of(i + 1, k)),
                ),
                *chain,
            ]
        )
    left = Factor(f"∂C/∂z{sup(l, j)}", f"δ{sup(l, j)}", float(at.deltas[i][j]), probe.measure(Nudge("z", i, j)))
    return Equation("BP2", l, j + 1, None, left, terms)


def bp3(at, g, i, j, k):
    """BP3: ∂C/∂w^l_jk = ∂C/∂z^l_j · ∂z^l_j/∂w^l_jk = a^{l−1}_k δ^l_j (ã^{l−1}_k with dropout).

    With L2 / L1 in C, ∂C/∂w^l_jk gains the derivative of the term itself:
    + (λ/n) w^l_jk and + (λ₁/n) sgn(w^l_jk), each measured by nudging w^l_jk and
    reading the term alone.
    """
    probe = at.probe
    l = i + 2
    a_in = a_symbol(at, l - 1, k)
    left = Factor(
        f"∂C/∂w{sup(l, j, k)}",
        f"{a_in} δ{sup(l, j)}",
        float(g.weights[i][j, k]),  # backprop's, with the L2/L1 terms
        probe.measure(Nudge("w", i, j, k)),
    )
    terms = [
        [
            Factor(f"∂C/∂z{sup(l, j)}", f"δ{sup(l, j)}", float(at.deltas[i][j]), probe.measure(Nudge("z", i, j))),
            Factor(
                f"∂z{sup(l, j)}/∂w{sup(l, j, k)}",
                a_in,
                float(at.dropped(i)[k]),
                probe.measure(Nudge("w", i, j, k), z_of(i, j)),
            ),
        ]
    ]
    terms_of_c = regularizers(probe, i, j, k)
    for term, formula, value, read in terms_of_c:
        terms.append([Factor(f"∂({term})/∂w{sup(l, j, k)}", formula, value, probe.measure(Nudge("w", i, j, k), read))])
    if terms_of_c:
        formula = " + ".join([left.formula] + [f for _, f, _, _ in terms_of_c])
        left = Factor(left.symbol, formula, left.analytic, left.numeric)
    return Equation("BP3", l, j + 1, k + 1, left, terms)


def regularizers(probe, i, j, k) -> list:
    """(term, its derivative's formula, value, reader) of the L2 / L1 terms of C at w^l_jk, l = i + 2."""
    l, w = i + 2, float(probe.net.weights[i][j, k])
    out = []
    if probe.l2:
        out.append(("(λ/2n) Σ w²", f"(λ/n) w{sup(l, j, k)}", probe.l2 / probe.n * w, l2_term))
    if probe.l1:
        sgn = f"(λ_{{1}}/n) sgn(w{sup(l, j, k)})"
        out.append(("(λ_{1}/n) Σ |w|", sgn, probe.l1 / probe.n * float(np.sign(w)), l1_term))
    return out


def bp4(at, i, j):
    """BP4: ∂C/∂b^l_j = ∂C/∂z^l_j · ∂z^l_j/∂b^l_j = δ^l_j (∂z^l_j/∂b^l_j = 1)."""
    probe = at.probe
    l = i + 2
    delta = float(at.deltas[i][j])
    left = Factor(f"∂C/∂b{sup(l, j)}", f"δ{sup(l, j)}", delta, probe.measure(Nudge("b", i, j)))
    terms = [
        [
            Factor(f"∂C/∂z{sup(l, j)}", f"δ{sup(l, j)}", delta, probe.measure(Nudge("z", i, j))),
            Factor(f"∂z{sup(l, j)}/∂b{sup(l, j)}", "1", 1.0, probe.measure(Nudge("b", i, j), z_of(i, j))),
        ]
    ]
    return Equation("BP4", l, j + 1, None, left, terms)
