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

    d = derive(net, x, y)            # data: d.equations[0].terms[0][0].numeric …
    d.max_error                      # the largest relative error of any factor
    render_text(d, lang="zh")        # the page, in the notes' words

Indices count from 1, as in the notes and the rest of ``bprop explain``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ...core import activations, costs
from ...core.arguments import as_targets
from ...core.network import Network
from ...errors import InvalidArgument

EPSILON = 1e-5
"""ε of the central differences: float64 rounding of C (~1e-16) over 2ε and the
ε² truncation term both stay near 1e-11."""

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

    @property
    def delta_errors(self) -> list:
        """Per layer, the largest relative error of δ^l against ∂C/∂z^l measured by nudging z^l."""
        return [
            max(Factor("", "", float(a), float(n)).relative_error for a, n in zip(analytic, numeric))
            for analytic, numeric in self.deltas
        ]

    @property
    def max_error(self) -> float:
        """The largest relative error of any factor, chain sum or δ entry."""
        return max([e.max_error for e in self.equations] + self.delta_errors)

    def passed(self, tolerance=1e-6) -> bool:
        return self.max_error <= tolerance


# -- measuring inside the network ----------------------------------------------


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


@dataclass(frozen=True)
class _Nudge:
    """Add h to one quantity of the forward pass: kind 'z', 'a', 'w' or 'b' at 0-based layer index i."""

    kind: str
    i: int  # index into zs/acts (layer l = i + 2 for z, w, b; acts[i] is layer i + 1)
    j: int
    k: int = 0


def _forward(net, x, Y, nudge=None, h=0.0):
    """z^l, a^l of every layer and C, with one quantity nudged by h.

    The whole forward pass runs in float64 with the nudge applied where its
    quantity is computed: everything before it is unchanged, everything after
    it is recomputed from the nudged value. Returns (zs, acts, C): zs[i] is z^{i+2}, acts[i] is a^{i+1} (acts[0] = x).
    """
    weights = [np.array(w, dtype=np.float64) for w in net.weights]
    biases = [np.array(b, dtype=np.float64) for b in net.biases]
    if nudge is not None and nudge.kind == "w":
        weights[nudge.i][nudge.j, nudge.k] += h
    if nudge is not None and nudge.kind == "b":
        biases[nudge.i][nudge.j] += h
    a = np.array(x, dtype=np.float64).reshape(1, -1)
    if nudge is not None and nudge.kind == "a" and nudge.i == 0:
        a[0, nudge.j] += h
    zs, acts = [], [a]
    last = len(weights) - 1
    for i, (w, b) in enumerate(zip(weights, biases)):
        z = a @ w.T + b  # z^l = w^l a^{l−1} + b^l
        if nudge is not None and nudge.kind == "z" and nudge.i == i:
            z[0, nudge.j] += h
        sigma = net.output if i == last else net.hidden_activations[i]
        a = np.array(sigma.value(z.copy()), dtype=np.float64)  # a^l = σ(z^l)
        if nudge is not None and nudge.kind == "a" and nudge.i == i + 1:
            a[0, nudge.j] += h
        zs.append(z)
        acts.append(a)
    cost = float(net.cost.value(acts[-1], Y)[0])
    return zs, acts, cost


def _measure(net, x, Y, nudge, read):
    """(read(+ε) − read(−ε)) / 2ε, where read(zs, acts, C) picks the quantity differentiated."""
    plus = read(*_forward(net, x, Y, nudge, EPSILON))
    minus = read(*_forward(net, x, Y, nudge, -EPSILON))
    return (plus - minus) / (2 * EPSILON)


def _cost(zs, acts, cost):
    return cost


def _z(i, j):
    return lambda zs, acts, cost: float(zs[i][0, j])


def _a(i, j):
    return lambda zs, acts, cost: float(acts[i][0, j])


# -- the derivation --------------------------------------------------------------


def derive(net, x, y, *, output_neuron=1, layer=None, neuron=1, input_neuron=1, lr=None) -> Derivation:
    """The chain-rule derivation of BP1–BP4 with every factor analytic and measured.

    net : a Network (its parameters are read in float64; it is unchanged).
    x : (n_1,) one input.  y : a class label, or a target (n_L,).
    output_neuron : j of BP1, 1 … n_L.
    layer : l of BP2–BP4, 2 … L (default: L − 1, the last hidden layer; L for
        a network without hidden layers). BP2 needs l < L and is left out for l = L.
    neuron : j of BP2–BP4 in layer l.  input_neuron : k of BP3's w^l_jk, in layer l − 1.
    lr : η; when given, the derivation ends with the update of w^l_jk and b^l_j (``Update``).
    """
    if not isinstance(net, Network):
        raise InvalidArgument(f"derive needs a bprop Network, got {type(net).__name__}.")
    net = net.to("cpu").copy("float64")
    x = np.asarray(x, dtype=np.float64)
    if x.shape != (net.sizes[0],):
        raise InvalidArgument(f"derive takes one sample: x must have shape ({net.sizes[0]},), got {x.shape}.")
    Y = np.asarray(y)
    Y = as_targets(Y.reshape(1) if Y.ndim == 0 else Y.reshape(1, -1), 1, net.sizes[-1], np.float64, parameter="y")
    L = net.num_layers
    layer = (L - 1 if L > 2 else L) if layer is None else layer
    if isinstance(layer, bool) or not isinstance(layer, int | np.integer) or not 2 <= layer <= L:
        raise InvalidArgument(f"layer={layer} is not a layer with weights; give l from 2 to {L}.")
    _check_index(output_neuron, net.sizes[-1], "output_neuron", L)
    _check_index(neuron, net.sizes[layer - 1], "neuron", layer)
    _check_index(input_neuron, net.sizes[layer - 2], "input_neuron", layer - 1)

    g = net.backprop_placed(x.reshape(1, -1), Y)  # BP1–BP4 as training computes them
    zs, acts = [z[0] for z in g.zs], [a[0] for a in g.activations]
    deltas = [d[0] for d in g.deltas]

    equations = [_bp1(net, x, Y, zs, acts, deltas, output_neuron - 1)]
    if layer < L:
        equations.append(_bp2(net, x, Y, zs, acts, deltas, layer - 2, neuron - 1))
    equations.append(_bp3(net, x, Y, acts, deltas, layer - 2, neuron - 1, input_neuron - 1))
    equations.append(_bp4(net, x, Y, deltas, layer - 2, neuron - 1))

    measured = [
        np.array([_measure(net, x, Y, _Nudge("z", i, j), _cost) for j in range(len(d))]) for i, d in enumerate(deltas)
    ]
    update = None
    if lr is not None:
        i, j, k = layer - 2, neuron - 1, input_neuron - 1
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
            cost_after_w=_forward(net, x, Y, _Nudge("w", i, j, k), -lr * grad_w)[2],
            cost_after_b=_forward(net, x, Y, _Nudge("b", i, j), -lr * grad_b)[2],
        )
    return Derivation(
        sizes=list(net.sizes),
        activation=", ".join(getattr(s, "name", type(s).__name__) for s in net.hidden_activations) or "none",
        output=getattr(net.output, "name", type(net.output).__name__),
        cost_name=getattr(net.cost, "name", type(net.cost).__name__),
        cost=float(g.cost),
        epsilon=EPSILON,
        equations=equations,
        deltas=list(zip(deltas, measured)),
        x=x,
        y=Y[0],
        shortcut=costs.uses_shortcut(net.output, net.cost),
        output_activation=acts[-1],
        update=update,
    )


def _check_index(index, size, name, layer):
    if isinstance(index, bool) or not (isinstance(index, int | np.integer) and 1 <= index <= size):
        raise InvalidArgument(f"{name}={index!r} is not a neuron of layer {layer}; give 1 … {size}.")


def _sup(l, j, k=None):
    """The markup of an indexed symbol's indices, 1-based: ^{l}_{jk} (^{l}_{j,k} past 9)."""
    indices = [j + 1] + ([] if k is None else [k + 1])
    return f"^{{{l}}}_{{{(',' if max(indices) > 9 else '').join(map(str, indices))}}}"


def _bp1(net, x, Y, zs, acts, deltas, j):
    """BP1: ∂C/∂z^L_j = ∂C/∂a^L_j · σ′(z^L_j), or Σ_k ∂C/∂a^L_k · ∂a^L_k/∂z^L_j (softmax)."""
    i = len(zs) - 1
    L = i + 2
    grad_a = net.cost.gradient(acts[-1].reshape(1, -1), Y)[0]  # ∇_a C
    left = Factor(
        f"∂C/∂z{_sup(L, j)}",
        f"δ{_sup(L, j)}",
        float(deltas[i][j]),
        _measure(net, x, Y, _Nudge("z", i, j), _cost),
    )
    if activations.is_elementwise(net.output):
        sigma_prime = float(net.output.derivative(zs[i].reshape(1, -1), acts[-1].reshape(1, -1))[0, j])
        terms = [
            [
                Factor(
                    f"∂C/∂a{_sup(L, j)}",
                    f"(∇_a C)_{{{j + 1}}}",
                    float(grad_a[j]),
                    _measure(net, x, Y, _Nudge("a", i + 1, j), _cost),
                ),
                Factor(
                    f"∂a{_sup(L, j)}/∂z{_sup(L, j)}",
                    f"σ′(z{_sup(L, j)})",
                    sigma_prime,
                    _measure(net, x, Y, _Nudge("z", i, j), _a(i + 1, j)),
                ),
            ]
        ]
    else:
        a = acts[-1]
        terms = []
        for k in range(len(a)):
            jacobian = float(a[k] * ((k == j) - a[j]))  # ∂a_k/∂z_j = a_k(δ_kj − a_j)
            terms.append(
                [
                    Factor(
                        f"∂C/∂a{_sup(L, k)}",
                        f"(∇_a C)_{{{k + 1}}}",
                        float(grad_a[k]),
                        _measure(net, x, Y, _Nudge("a", i + 1, k), _cost),
                    ),
                    Factor(
                        f"∂a{_sup(L, k)}/∂z{_sup(L, j)}",
                        f"a{_sup(L, k)}({int(k == j)} − a{_sup(L, j)})",
                        jacobian,
                        _measure(net, x, Y, _Nudge("z", i, j), _a(i + 1, k)),
                    ),
                ]
            )
    return Equation("BP1", L, j + 1, None, left, terms)


def _bp2(net, x, Y, zs, acts, deltas, i, j):
    """BP2: δ^l_j = Σ_k ∂C/∂z^{l+1}_k · ∂z^{l+1}_k/∂a^l_j · ∂a^l_j/∂z^l_j = Σ_k δ^{l+1}_k w^{l+1}_kj σ′(z^l_j)."""
    l = i + 2
    w_next = np.asarray(net.weights[i + 1], dtype=np.float64)
    sigma_prime = float(net.hidden_activations[i].derivative(zs[i].reshape(1, -1), acts[i + 1].reshape(1, -1))[0, j])
    measured_sigma_prime = _measure(net, x, Y, _Nudge("z", i, j), _a(i + 1, j))
    terms = []
    for k in range(w_next.shape[0]):
        terms.append(
            [
                Factor(
                    f"∂C/∂z{_sup(l + 1, k)}",
                    f"δ{_sup(l + 1, k)}",
                    float(deltas[i + 1][k]),
                    _measure(net, x, Y, _Nudge("z", i + 1, k), _cost),
                ),
                Factor(
                    f"∂z{_sup(l + 1, k)}/∂a{_sup(l, j)}",
                    f"w{_sup(l + 1, k, j)}",
                    float(w_next[k, j]),
                    _measure(net, x, Y, _Nudge("a", i + 1, j), _z(i + 1, k)),
                ),
                Factor(f"∂a{_sup(l, j)}/∂z{_sup(l, j)}", f"σ′(z{_sup(l, j)})", sigma_prime, measured_sigma_prime),
            ]
        )
    left = Factor(
        f"∂C/∂z{_sup(l, j)}", f"δ{_sup(l, j)}", float(deltas[i][j]), _measure(net, x, Y, _Nudge("z", i, j), _cost)
    )
    return Equation("BP2", l, j + 1, None, left, terms)


def _bp3(net, x, Y, acts, deltas, i, j, k):
    """BP3: ∂C/∂w^l_jk = ∂C/∂z^l_j · ∂z^l_j/∂w^l_jk = δ^l_j a^{l−1}_k."""
    l = i + 2
    left = Factor(
        f"∂C/∂w{_sup(l, j, k)}",
        f"δ{_sup(l, j)} a{_sup(l - 1, k)}",
        float(deltas[i][j] * acts[i][k]),
        _measure(net, x, Y, _Nudge("w", i, j, k), _cost),
    )
    terms = [
        [
            Factor(
                f"∂C/∂z{_sup(l, j)}",
                f"δ{_sup(l, j)}",
                float(deltas[i][j]),
                _measure(net, x, Y, _Nudge("z", i, j), _cost),
            ),
            Factor(
                f"∂z{_sup(l, j)}/∂w{_sup(l, j, k)}",
                f"a{_sup(l - 1, k)}",
                float(acts[i][k]),
                _measure(net, x, Y, _Nudge("w", i, j, k), _z(i, j)),
            ),
        ]
    ]
    return Equation("BP3", l, j + 1, k + 1, left, terms)


def _bp4(net, x, Y, deltas, i, j):
    """BP4: ∂C/∂b^l_j = ∂C/∂z^l_j · ∂z^l_j/∂b^l_j = δ^l_j · 1."""
    l = i + 2
    left = Factor(
        f"∂C/∂b{_sup(l, j)}", f"δ{_sup(l, j)}", float(deltas[i][j]), _measure(net, x, Y, _Nudge("b", i, j), _cost)
    )
    terms = [
        [
            Factor(
                f"∂C/∂z{_sup(l, j)}",
                f"δ{_sup(l, j)}",
                float(deltas[i][j]),
                _measure(net, x, Y, _Nudge("z", i, j), _cost),
            ),
            Factor(f"∂z{_sup(l, j)}/∂b{_sup(l, j)}", "1", 1.0, _measure(net, x, Y, _Nudge("b", i, j), _z(i, j))),
        ]
    ]
    return Equation("BP4", l, j + 1, None, left, terms)
