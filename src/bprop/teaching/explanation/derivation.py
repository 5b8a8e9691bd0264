"""The derivation (推导过程) of BP1–BP4 by the chain rule, every factor measured.

Each equation is a chain-rule line: a product of partial derivatives (summed
over k for BP2, and for BP1 with a softmax output). This module puts a number
on every factor twice:

* analytically, by the formula the derivation arrives at (σ′(z^l_j),
  w^{l+1}_kj, a^{l−1}_k, 1, δ^{l+1}_k from backprop, ∇_a C from the cost);
* numerically, inside the real network: one quantity (z^l_j, a^l_j, w^l_jk or
  b^l_j) is nudged by ±ε, the rest of the forward pass is run again from that
  point, and the quantity the factor differentiates (C, a^l_j or z^{l+1}_k) is
  read off; the central difference (f(+ε) − f(−ε)) / 2ε, in float64.

The left-hand side of each equation is measured the same way, straight from
its definition (δ^l_j = ∂C/∂z^l_j: nudge z^l_j and recompute C), so the chain
rule itself is checked, not only its factors.

A training pass with dropout (its masks m^l/(1−p) held fixed while nudging)
adds the factor ∂ã^l_j/∂a^l_j = m^l_j/(1−p) to BP2; L2 / L1 terms of C add
(λ/n) w^l_jk and (λ₁/n) sgn(w^l_jk) to BP3, each also measured
(``nudged_pass`` runs the nudged passes).

    d = derive(net, x, y)            # data: d.equations[0].terms[0][0].numeric …
    d.max_error                      # the largest relative error of any factor
    render_text(d, lang="zh")        # the page, in the notes' words

Indices count from 1, as in the notes and the rest of ``bprop explain``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ...core import activations, costs
from ...core.arguments import as_targets, non_negative_float, positive_int
from ...core.dropout import check_masks, draw_masks, dropout_rates
from ...core.network import Network
from ...errors import InvalidArgument
from .nudged_pass import EPSILON, Nudge, NudgedPass, Run, a_of, dropped_of, l1_term, l2_term, z_of

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


@dataclass
class Derivation:
    """BP1–BP4 for one sample and chosen neurons, plus δ^l checked against its definition.

    x, y : the sample and its target as a vector (a class label one-hot).
    output_activation : a^L of the sample.
    shortcut : True when BP1 simplifies to δ^L = a^L − y for this σ and C (``costs.SHORTCUTS``).
    deltas : for every layer l = 2 … L, (analytic δ^l, numeric ∂C/∂z^l) as arrays.
    weight_row : BP3 for the chosen j and every input k (up to ``MAX_ROW``), as Factors.
    dropout, masks : p per hidden layer and the masks m^l/(1−p) (n_l,) of this pass, or None.
    l2, l1, n : the terms (λ/2n) Σ w² and (λ₁/n) Σ |w| of C.
    cost0, penalty : C₀ of the sample and the value of those terms (cost = cost0 + penalty).
    """

    sizes: list
    activation: str
    output: str
    cost_name: str
    cost: float
    epsilon: float
    equations: list
    deltas: list = field(default_factory=list)
    x: np.ndarray | None = None
    y: np.ndarray | None = None
    shortcut: bool = False
    output_activation: np.ndarray | None = None
    update: Update | None = None
    weight_row: list = field(default_factory=list)
    dropout: tuple | None = None
    masks: list | None = None
    l2: float = 0.0
    l1: float = 0.0
    n: int = 1
    cost0: float | None = None
    penalty: float = 0.0

    @property
    def delta_errors(self) -> list:
        """Per layer, the largest relative error of δ^l against ∂C/∂z^l measured by nudging z^l."""
        return [
            max(Factor("", "", float(a), float(n)).relative_error for a, n in zip(analytic, numeric))
            for analytic, numeric in self.deltas
        ]

    @property
    def max_error(self) -> float:
        """The largest relative error of any factor, chain sum, δ entry or BP3 of the other inputs k."""
        row = [f.relative_error for f in self.weight_row]
        return max([e.max_error for e in self.equations] + self.delta_errors + row)

    def passed(self, tolerance=1e-6) -> bool:
        return self.max_error <= tolerance


@dataclass(frozen=True)
class Update:
    """The step of gradient descent for BP3's weight w^l_jk and BP4's bias b^l_j, with η.

    w ← w − η ∂C/∂w and b ← b − η ∂C/∂b. ``cost_after_w`` is C of the sample
    with only that weight moved (and ``cost_after_b`` only that bias): the
    chain rule predicts the change ∂C/∂w · Δw = −η (∂C/∂w)², a first-order
    estimate that the measured change approaches as η shrinks.
    """

    lr: float
    layer: int
    j: int
    k: int
    weight: float
    grad_w: float
    bias: float
    grad_b: float
    cost: float
    cost_after_w: float
    cost_after_b: float

    @property
    def new_weight(self) -> float:
        return self.weight - self.lr * self.grad_w  # w ← w − η ∂C/∂w

    @property
    def new_bias(self) -> float:
        return self.bias - self.lr * self.grad_b  # b ← b − η ∂C/∂b

    @property
    def predicted_w(self) -> float:
        return -self.lr * self.grad_w**2  # ∂C/∂w · Δw with Δw = −η ∂C/∂w

    @property
    def predicted_b(self) -> float:
        return -self.lr * self.grad_b**2


# -- the derivation --------------------------------------------------------------


def derive(
    net,
    x,
    y,
    *,
    output_neuron=1,
    layer=None,
    neuron=None,
    input_neuron=None,
    lr=None,
    l2=0.0,
    l1=0.0,
    n=1,
    dropout=None,
    seed=0,
    masks=None,
) -> Derivation:
    """The chain-rule derivation of BP1–BP4 with every factor analytic and measured.

    net : a Network (its parameters are read in float64; it is unchanged).
    x : (n_1,) one input.  y : a class label, or a target (n_L,).
    output_neuron : j of BP1, 1 … n_L.
    layer : l of BP2–BP4, 2 … L (default: L − 1, the last hidden layer; L for
        a network without hidden layers). BP2 needs l < L and is left out for l = L.
    neuron : j of BP2–BP4 in layer l (default: the first neuron dropout kept, else 1).
    input_neuron : k of BP3's w^l_jk, in layer l − 1 (default: likewise).
    lr : η; when given, the derivation ends with the update of w^l_jk and b^l_j (``Update``).
    l2, l1, n : the terms (λ/2n) Σ w² and (λ₁/n) Σ |w| of C; BP3 gains (λ/n) w + (λ₁/n) sgn(w).
    dropout : p (or one p per hidden layer): derive the training pass with dropout,
        its masks drawn from ``seed`` as ``explain`` and training draw them; BP2
        gains the factor ∂ã^l_j/∂a^l_j = m^l_j/(1−p).  masks : or the masks m^l/(1−p)
        themselves, one (n_l,) array or None per hidden layer (``dropout`` then only
        names their p on the page, as ``explain`` passes both).
    """
    if not isinstance(net, Network):
        raise InvalidArgument(f"derive needs a bprop Network, got {type(net).__name__}.")
    net = net.to("cpu").copy("float64")
    x = np.asarray(x, dtype=np.float64)
    if x.shape != (net.sizes[0],):
        raise InvalidArgument(f"derive takes one sample: x must have shape ({net.sizes[0]},), got {x.shape}.")
    Y = np.asarray(y)
    Y = as_targets(Y.reshape(1) if Y.ndim == 0 else Y.reshape(1, -1), 1, net.sizes[-1], np.float64, parameter="y")
    l2, l1, n = non_negative_float(l2, "l2"), non_negative_float(l1, "l1"), positive_int(n, "n")
    rates = dropout_rates(dropout, len(net.sizes) - 2)
    if rates is not None and masks is None:
        masks = [
            None if m is None else m[0]
            for m in draw_masks(rates, net.sizes, 1, np.random.default_rng(seed), np.float64)
        ]
    elif masks is not None:
        masks = [None if m is None else np.asarray(m, dtype=np.float64).reshape(-1) for m in masks]
        check_masks([None if m is None else m.reshape(1, -1) for m in masks], net.sizes, 1)
    L = net.num_layers
    layer = (L - 1 if L > 2 else L) if layer is None else layer
    if isinstance(layer, bool) or not isinstance(layer, int | np.integer) or not 2 <= layer <= L:
        raise InvalidArgument(f"layer={layer} is not a layer with weights; give l from 2 to {L}.")
    mask_of = lambda l: None if masks is None or not 2 <= l < L else masks[l - 2]  # noqa: E731
    neuron = _first_kept(mask_of(layer)) if neuron is None else neuron
    input_neuron = _first_kept(mask_of(layer - 1)) if input_neuron is None else input_neuron
    _check_index(output_neuron, net.sizes[-1], "output_neuron", L)
    _check_index(neuron, net.sizes[layer - 1], "neuron", layer)
    _check_index(input_neuron, net.sizes[layer - 2], "input_neuron", layer - 1)

    placed = None if masks is None else [None if m is None else m.reshape(1, -1) for m in masks]
    g = net.backprop_placed(x.reshape(1, -1), Y, l2, n, l1=l1, masks=placed)  # BP1–BP4 as training computes them
    probe = NudgedPass(net, x, Y, masks, l2, l1, n)
    base = probe.run()
    at = _At(probe, base, [d[0] for d in g.deltas], mask_of)

    equations = [_bp1(at, output_neuron - 1)]
    if layer < L:
        equations.append(_bp2(at, layer - 2, neuron - 1))
    equations.append(_bp3(at, g, layer - 2, neuron - 1, input_neuron - 1))
    equations.append(_bp4(at, layer - 2, neuron - 1))

    measured = [np.array([probe.measure(Nudge("z", i, j)) for j in range(len(d))]) for i, d in enumerate(at.deltas)]
    i, j = layer - 2, neuron - 1
    weight_row = [
        Factor(
            f"∂C/∂w{_sup(layer, j, k)}",
            " + ".join(
                [f"{_a_symbol(at, layer - 1, k)} δ{_sup(layer, j)}"] + [r[1] for r in _regularizers(probe, i, j, k)]
            ),
            float(g.weights[i][j, k]),
            probe.measure(Nudge("w", i, j, k)),
        )
        for k in range(min(net.sizes[layer - 2], MAX_ROW))
    ]
    update = None
    if lr is not None:
        k = input_neuron - 1
        grad_w, grad_b = float(g.weights[i][j, k]), float(g.biases[i][j])
        update = Update(
            lr=float(lr),
            layer=layer,
            j=neuron,
            k=input_neuron,
            weight=float(net.weights[i][j, k]),
            grad_w=grad_w,
            bias=float(net.biases[i][j]),
            grad_b=grad_b,
            cost=float(g.cost),
            cost_after_w=probe.run(Nudge("w", i, j, k), -lr * grad_w).cost,
            cost_after_b=probe.run(Nudge("b", i, j), -lr * grad_b).cost,
        )
    return Derivation(
        sizes=list(net.sizes),
        activation=", ".join(getattr(s, "name", type(s).__name__) for s in net.hidden_activations) or "none",
        output=getattr(net.output, "name", type(net.output).__name__),
        cost_name=getattr(net.cost, "name", type(net.cost).__name__),
        cost=float(g.cost),
        epsilon=EPSILON,
        equations=equations,
        deltas=list(zip(at.deltas, measured)),
        x=x,
        y=Y[0],
        shortcut=costs.uses_shortcut(net.output, net.cost),
        output_activation=base.acts[-1][0],
        update=update,
        weight_row=weight_row,
        dropout=rates,
        masks=masks,
        l2=l2,
        l1=l1,
        n=n,
        cost0=base.cost0,
        penalty=base.penalty,
    )


MAX_ROW = 8
"""BP3 is also shown for every input k = 1 … MAX_ROW of the chosen neuron j."""


@dataclass(frozen=True)
class _At:
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


def _first_kept(mask) -> int:
    """The first neuron (1-based) that dropout kept in a layer, or 1 (no mask, or every neuron dropped)."""
    if mask is None or not np.any(mask):
        return 1
    return int(np.flatnonzero(mask)[0]) + 1


def _check_index(index, size, name, layer):
    if isinstance(index, bool) or not (isinstance(index, int | np.integer) and 1 <= index <= size):
        raise InvalidArgument(f"{name}={index!r} is not a neuron of layer {layer}; give 1 … {size}.")


def _sup(l, j, k=None):
    """The markup of an indexed symbol's indices, 1-based: ^{l}_{jk} (^{l}_{j,k} past 9)."""
    indices = [j + 1] + ([] if k is None else [k + 1])
    return f"^{{{l}}}_{{{(',' if max(indices) > 9 else '').join(map(str, indices))}}}"


def _a_symbol(at, l, k):
    """a^{l}_{k}, or ã^{l}_{k} when dropout masks layer l."""
    return f"{'ã' if at.mask_of(l) is not None else 'a'}{_sup(l, k)}"


def _bp1(at, j):
    """BP1: ∂C/∂z^L_j = ∂C/∂a^L_j · σ′(z^L_j), or Σ_k ∂C/∂a^L_k · ∂a^L_k/∂z^L_j (softmax)."""
    net, probe = at.probe.net, at.probe
    i = len(at.deltas) - 1
    L = i + 2
    z, a = at.z(i), at.a(i + 1)
    grad_a = net.cost.gradient(a.reshape(1, -1), probe.Y)[0]  # ∇_a C
    left = Factor(f"∂C/∂z{_sup(L, j)}", f"δ{_sup(L, j)}", float(at.deltas[i][j]), probe.measure(Nudge("z", i, j)))
    if activations.is_elementwise(net.output):
        sigma_prime = float(net.output.derivative(z.reshape(1, -1), a.reshape(1, -1))[0, j])
        terms = [
            [
                Factor(
                    f"∂C/∂a{_sup(L, j)}",
                    f"(∇_{{a}} C)_{{{j + 1}}}",
                    float(grad_a[j]),
                    probe.measure(Nudge("a", i + 1, j)),
                ),
                Factor(
                    f"∂a{_sup(L, j)}/∂z{_sup(L, j)}",
                    f"σ′(z{_sup(L, j)})",
                    sigma_prime,
                    probe.measure(Nudge("z", i, j), a_of(i + 1, j)),
                ),
            ]
        ]
    else:
        terms = []
        for k in range(len(a)):
            jacobian = float(a[k] * ((k == j) - a[j]))  # ∂a_k/∂z_j = a_k(δ_kj − a_j)
            terms.append(
                [
                    Factor(
                        f"∂C/∂a{_sup(L, k)}",
                        f"(∇_{{a}} C)_{{{k + 1}}}",
                        float(grad_a[k]),
                        probe.measure(Nudge("a", i + 1, k)),
                    ),
                    Factor(
                        f"∂a{_sup(L, k)}/∂z{_sup(L, j)}",
                        f"a{_sup(L, k)}({int(k == j)} − a{_sup(L, j)})",
                        jacobian,
                        probe.measure(Nudge("z", i, j), a_of(i + 1, k)),
                    ),
                ]
            )
    return Equation("BP1", L, j + 1, None, left, terms)


def _bp2(at, i, j):
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
        f"∂a{_sup(l, j)}/∂z{_sup(l, j)}",
        f"σ′(z{_sup(l, j)})",
        sigma_prime,
        probe.measure(Nudge("z", i, j), a_of(i + 1, j)),
    )
    a_seen = f"ã{_sup(l, j)}" if mask is not None else f"a{_sup(l, j)}"
    chain = [sigma_factor]
    if mask is not None:
        chain = [
            Factor(
                f"∂ã{_sup(l, j)}/∂a{_sup(l, j)}",
                f"m{_sup(l, j)}/(1 − p)",
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
                    f"∂C/∂z{_sup(l + 1, k)}",
                    f"δ{_sup(l + 1, k)}",
                    float(at.deltas[i + 1][k]),
                    probe.measure(Nudge("z", i + 1, k)),
                ),
                Factor(
                    f"∂z{_sup(l + 1, k)}/∂{a_seen}",
                    f"w{_sup(l + 1, k, j)}",
                    float(w_next[k, j]),
                    probe.measure(Nudge("d", i + 1, j), z_of(i + 1, k)),
                ),
                *chain,
            ]
        )
    left = Factor(f"∂C/∂z{_sup(l, j)}", f"δ{_sup(l, j)}", float(at.deltas[i][j]), probe.measure(Nudge("z", i, j)))
    return Equation("BP2", l, j + 1, None, left, terms)


def _bp3(at, g, i, j, k):
    """BP3: ∂C/∂w^l_jk = ∂C/∂z^l_j · ∂z^l_j/∂w^l_jk = a^{l−1}_k δ^l_j (ã^{l−1}_k with dropout).

    With L2 / L1 in C, ∂C/∂w^l_jk gains the derivative of the term itself:
    + (λ/n) w^l_jk and + (λ₁/n) sgn(w^l_jk), each measured by nudging w^l_jk and
    reading the term alone.
    """
    probe = at.probe
    l = i + 2
    a_in = _a_symbol(at, l - 1, k)
    left = Factor(
        f"∂C/∂w{_sup(l, j, k)}",
        f"{a_in} δ{_sup(l, j)}",
        float(g.weights[i][j, k]),  # backprop's, with the L2/L1 terms
        probe.measure(Nudge("w", i, j, k)),
    )
    terms = [
        [
            Factor(f"∂C/∂z{_sup(l, j)}", f"δ{_sup(l, j)}", float(at.deltas[i][j]), probe.measure(Nudge("z", i, j))),
            Factor(
                f"∂z{_sup(l, j)}/∂w{_sup(l, j, k)}",
                a_in,
                float(at.dropped(i)[k]),
                probe.measure(Nudge("w", i, j, k), z_of(i, j)),
            ),
        ]
    ]
    regularizers = _regularizers(probe, i, j, k)
    for term, formula, value, read in regularizers:
        terms.append([Factor(f"∂({term})/∂w{_sup(l, j, k)}", formula, value, probe.measure(Nudge("w", i, j, k), read))])
    if regularizers:
        formula = " + ".join([left.formula] + [f for _, f, _, _ in regularizers])
        left = Factor(left.symbol, formula, left.analytic, left.numeric)
    return Equation("BP3", l, j + 1, k + 1, left, terms)


def _regularizers(probe, i, j, k) -> list:
    """(term, its derivative's formula, value, reader) of the L2 / L1 terms of C at w^l_jk, l = i + 2."""
    l, w = i + 2, float(probe.net.weights[i][j, k])
    out = []
    if probe.l2:
        out.append(("(λ/2n) Σ w²", f"(λ/n) w{_sup(l, j, k)}", probe.l2 / probe.n * w, l2_term))
    if probe.l1:
        sgn = f"(λ_{{1}}/n) sgn(w{_sup(l, j, k)})"
        out.append(("(λ_{1}/n) Σ |w|", sgn, probe.l1 / probe.n * float(np.sign(w)), l1_term))
    return out


def _bp4(at, i, j):
    """BP4: ∂C/∂b^l_j = ∂C/∂z^l_j · ∂z^l_j/∂b^l_j = δ^l_j (∂z^l_j/∂b^l_j = 1)."""
    probe = at.probe
    l = i + 2
    delta = float(at.deltas[i][j])
    left = Factor(f"∂C/∂b{_sup(l, j)}", f"δ{_sup(l, j)}", delta, probe.measure(Nudge("b", i, j)))
    terms = [
        [
            Factor(f"∂C/∂z{_sup(l, j)}", f"δ{_sup(l, j)}", delta, probe.measure(Nudge("z", i, j))),
            Factor(f"∂z{_sup(l, j)}/∂b{_sup(l, j)}", "1", 1.0, probe.measure(Nudge("b", i, j), z_of(i, j))),
        ]
    ]
    return Equation("BP4", l, j + 1, None, left, terms)
