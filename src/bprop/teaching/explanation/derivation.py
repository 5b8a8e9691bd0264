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
    render_text(d, lang="zh")        # the page, in the notes' words (derivation_page)

Indices count from 1, as in the notes and the rest of ``bprop explain``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ...core import costs
from ...core.arguments import as_targets, non_negative_float, positive_int
from ...core.dropout import check_masks, draw_masks, dropout_rates
from ...core.network import Network
from ...errors import InvalidArgument
from .chain_rule import SCALE_FLOOR, At, Equation, Factor, a_symbol, bp1, bp2, bp3, bp4, regularizers, sup
from .nudged_pass import EPSILON, Nudge, NudgedPass


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
    at = At(probe, base, [d[0] for d in g.deltas], mask_of)

    equations = [bp1(at, output_neuron - 1)]
    if layer < L:
        equations.append(bp2(at, layer - 2, neuron - 1))
    equations.append(bp3(at, g, layer - 2, neuron - 1, input_neuron - 1))
    equations.append(bp4(at, layer - 2, neuron - 1))

    measured = [np.array([probe.measure(Nudge("z", i, j)) for j in range(len(d))]) for i, d in enumerate(at.deltas)]
    i, j = layer - 2, neuron - 1
    weight_row = [
        Factor(
            f"∂C/∂w{sup(layer, j, k)}",
            " + ".join(
                [f"{a_symbol(at, layer - 1, k)} δ{sup(layer, j)}"] + [r[1] for r in regularizers(probe, i, j, k)]
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


def _first_kept(mask) -> int:
    """The first neuron (1-based) that dropout kept in a layer, or 1 (no mask, or every neuron dropped)."""
    if mask is None or not np.any(mask):
        return 1
    return int(np.flatnonzero(mask)[0]) + 1


def _check_index(index, size, name, layer):
    if isinstance(index, bool) or not (isinstance(index, int | np.integer) and 1 <= index <= size):
        raise InvalidArgument(f"{name}={index!r} is not a neuron of layer {layer}; give 1 … {size}.")


__all__ = ["EPSILON", "SCALE_FLOOR", "Derivation", "Equation", "Factor", "Update", "derive"]
