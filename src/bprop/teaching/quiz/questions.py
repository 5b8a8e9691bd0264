"""Numeric questions drawn from a real trace of a small network.

Each question draws its own small network from ``seed``: weights, biases,
input and target are rounded to ``DIGITS`` decimals *before* anything is
computed, so the numbers printed on a worksheet are exactly the numbers the
answers come from. The answer is then read off bprop's own pass on that one
sample (``explain``: z^l, a^l, δ^l, ∂C/∂w^l, ∂C/∂b^l and the SGD update, the
arrays ``backprop`` and ``SGD.step`` return), and the derivation shown for a
wrong answer is ``derive``'s (every chain-rule factor, measured too).

    questions = make_questions(seed=7, count=5, sizes=[2, 3, 2], kind="mixed")
    q = questions[0]
    q.symbol, q.answer, q.accepts(0.1234)

Kinds: z (weighted input), a (activation), delta_out (BP1), delta (BP2), dw
(BP3), db (BP4), update (w − η ∂C/∂w).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...core.arguments import positive_int, whole_number
from ...core.network import Network
from ...errors import InvalidArgument
from ..explanation.derivation import Derivation, derive
from ..explanation.trace import Trace, explain

KINDS = ("z", "a", "delta_out", "delta", "dw", "db", "update")
MIXED = "mixed"
EQUATION_KINDS = {"bp1": "delta_out", "bp2": "delta", "bp3": "dw", "bp4": "db"}
"""A kind named by its equation, as the notes number them: --kind BP3 is --kind dw."""


def kind_name(kind) -> str:
    """The kind ``kind`` names: itself, or the KINDS entry of an equation BP1 … BP4 (any case)."""
    return EQUATION_KINDS.get(str(kind).strip().lower(), kind)


DIGITS = 2
"""Decimals of the printed weights, biases, input and target (the network is rounded to them)."""

MAX_WIDTH = 5
MAX_LAYERS = 4
MAX_COUNT = 500
RATES = (0.5, 1.0, 2.0)
"""η of the update questions: steps large enough to see, small enough to stay near the slope."""

SMALLEST_ANSWER = 1e-3
"""An answer (or the step η ∂C/∂w of an update) smaller than this is drawn again: it tests nothing."""

KINK = 0.01
"""With relu-like σ, a network with some |z| below this is drawn again: σ′ jumps at 0."""


@dataclass(frozen=True)
class Tolerance:
    """An answer is right when |given − answer| ≤ max(absolute, relative · |scale|).

    scale is the answer itself, except for an update, where it is the step
    η ∂C/∂w: otherwise writing down the old weight would pass.
    """

    relative: float = 0.01
    absolute: float = 1e-5

    def band(self, scale) -> float:
        return max(self.absolute, self.relative * abs(float(scale)))

    def accepts(self, given, answer, scale) -> bool:
        return bool(np.isfinite(given)) and abs(float(given) - float(answer)) <= self.band(scale)


@dataclass(eq=False)
class Question:
    """One question: what is asked (kind, layer, j, k), its network and sample, and the answer.

    layer, j, k : 1-based, as in the notes (k only for dw and update).
    net : the float64 Network with the rounded parameters; x, y : the sample (y a vector).
    trace : bprop's pass on the sample (``explain``), the answer's source.
    derivation : ``derive`` for the equation asked (None for z and a).
    """

    number: int
    kind: str
    layer: int
    j: int
    k: int | None
    net: Network
    x: np.ndarray
    y: np.ndarray
    lr: float
    trace: Trace
    derivation: Derivation | None
    tolerance: Tolerance

    @property
    def answer(self) -> float:
        t, i, j = self.trace, self.layer - 2, self.j - 1
        if self.kind == "z":
            return float(t.zs[i][j])
        if self.kind == "a":
            return float(t.activations[i + 1][j])
        if self.kind in ("delta_out", "delta", "db"):
            return float(t.deltas[i][j]) if self.kind != "db" else float(t.grad_b[i][j])
        if self.kind == "dw":
            return float(t.grad_w[i][j, self.k - 1])
        return float(t.weights_after[i][j, self.k - 1])  # update: SGD's own step

    @property
    def scale(self) -> float:
        """What the relative tolerance is taken of: the answer, or the step η ∂C/∂w of an update."""
        if self.kind == "update":
            return self.lr * float(self.trace.grad_w[self.layer - 2][self.j - 1, self.k - 1])
        return self.answer

    @property
    def symbol(self) -> str:
        """What is asked, in markup: z^{3}_{1}, ∂C/∂w^{2}_{12}, …"""
        l, j, k = self.layer, self.j, self.k
        jk = f"{j}{k}" if k is not None and max(j, k) < 10 else f"{j},{k}"
        return {
            "z": f"z^{{{l}}}_{{{j}}}",
            "a": f"a^{{{l}}}_{{{j}}}",
            "delta_out": f"δ^{{{l}}}_{{{j}}}",
            "delta": f"δ^{{{l}}}_{{{j}}}",
            "dw": f"∂C/∂w^{{{l}}}_{{{jk}}}",
            "db": f"∂C/∂b^{{{l}}}_{{{j}}}",
            "update": f"w^{{{l}}}_{{{jk}}} − η ∂C/∂w^{{{l}}}_{{{jk}}}",
        }[self.kind]

    def accepts(self, given) -> bool:
        return self.tolerance.accepts(given, self.answer, self.scale)

    @property
    def uses_cost(self) -> bool:
        """True when the answer depends on y and C (everything after the forward pass)."""
        return self.kind not in ("z", "a")

    @property
    def last_layer_needed(self) -> int:
        """The forward pass a learner must do: up to the asked layer for z and a, else all of it."""
        return self.layer if not self.uses_cost else len(self.net.sizes)


def parse_answer(text):
    """A number from what a learner typed: '0.123', '-1.2e-3', '−0.5' (U+2212), '1/3'; None if it is none."""
    text = text.strip().replace("−", "-").replace(" ", "")
    try:
        if text.count("/") == 1:
            top, bottom = text.split("/")
            value = float(top) / float(bottom)
        else:
            value = float(text)
    except (ValueError, ZeroDivisionError):
        return None
    return value if np.isfinite(value) else None


def kinds_for(sizes) -> tuple:
    """The kinds a network of these sizes can ask: δ of a hidden layer (BP2) needs one."""
    return tuple(kind for kind in KINDS if kind != "delta" or len(sizes) > 2)


def check_settings(sizes, kind, count):
    """Validate the quiz's shape once, at the edge; returns the sizes as a list."""
    sizes = list(sizes)
    if not 2 <= len(sizes) <= MAX_LAYERS or not all(isinstance(n, int | np.integer) and n >= 1 for n in sizes):
        raise InvalidArgument(
            f"layers={','.join(map(str, sizes))}: a quiz network has 2 to {MAX_LAYERS} layers of 1 to "
            f"{MAX_WIDTH} neurons, such as 2,3,2 (it is worked by hand)."
        )
    if max(sizes) > MAX_WIDTH:
        raise InvalidArgument(
            f"layers={','.join(map(str, sizes))}: a layer of {max(sizes)} neurons is too wide to work by hand; "
            f"give at most {MAX_WIDTH} per layer, such as 2,3,2."
        )
    if kind != MIXED and kind not in KINDS:
        raise InvalidArgument(f"kind={kind!r} is not known; use one of {', '.join(KINDS)}, BP1 … BP4 or {MIXED}.")
    if kind == "delta" and len(sizes) == 2:
        raise InvalidArgument(
            "kind='delta' asks δ of a hidden layer (BP2), and this network has none; give 3 layers, such as 2,3,2."
        )
    positive_int(count, "count", maximum=MAX_COUNT)
    return sizes


def make_questions(
    seed=0,
    count=5,
    sizes=(2, 2, 2),
    kind=MIXED,
    activation="sigmoid",
    output=None,
    cost="quadratic",
    tolerance=None,
) -> list:
    """``count`` questions drawn from ``seed`` (the same seed gives the same questions).

    sizes : the quiz network's layer sizes (2 to 4 layers, ≤ 5 neurons each).
    kind : one of KINDS, or 'mixed' (the kinds in a shuffled cycle).
    activation, output, cost : σ of the hidden layers, of the output layer, and C, as ``Network`` takes them.
    tolerance : a Tolerance (default: 1 % relative, 1e-5 absolute).
    """
    kind = kind_name(kind)
    sizes = check_settings(sizes, kind, count)
    seed = whole_number(seed, "seed")
    Network(sizes, activation=activation, output=output, cost=cost, seed=0, dtype="float64")  # refuses bad pairs
    tolerance = tolerance or Tolerance()
    rng = np.random.default_rng(seed)
    available = kinds_for(sizes)
    order = []
    questions = []
    for number in range(1, count + 1):
        if kind == MIXED:
            if not order:
                order = [available[i] for i in rng.permutation(len(available))]
            chosen = order.pop(0)
        else:
            chosen = kind
        questions.append(_draw(rng, number, chosen, sizes, activation, output, cost, tolerance))
    return questions


def _draw(rng, number, kind, sizes, activation, output, cost, tolerance, tries=100) -> Question:
    """One question of ``kind``, drawn until its answer is worth asking (``SMALLEST_ANSWER``, ``KINK``)."""
    for attempt in range(tries):
        net = Network(sizes, activation=activation, output=output, cost=cost, seed=0, dtype="float64")
        net.weights = [_rounded(rng.uniform(-1.0, 1.0, w.shape)) for w in net.weights]
        net.biases = [_rounded(rng.uniform(-1.0, 1.0, b.shape)) for b in net.biases]
        x = _rounded(rng.uniform(0.0, 1.0, sizes[0]))
        y = _target(net, rng)
        lr = float(rng.choice(RATES))
        L = len(sizes)
        layer = L if kind == "delta_out" else int(rng.integers(2, L if kind == "delta" else L + 1))
        if kind in ("dw", "db", "update") and L > 2 and rng.random() < 0.5:
            layer = int(rng.integers(2, L))  # a hidden layer's weight half of the time: BP2 on the way
        j = int(rng.integers(1, sizes[layer - 1] + 1))
        k = int(rng.integers(1, sizes[layer - 2] + 1)) if kind in ("dw", "update") else None
        trace = explain(net, x, y, lr=lr)
        q = Question(number, kind, layer, j, k, net, x, y, lr, trace, None, tolerance)
        kinked = _relu_like(net) and min(np.min(np.abs(z)) for z in trace.zs) < KINK
        if (abs(q.scale) >= SMALLEST_ANSWER and not kinked) or attempt == tries - 1:
            q.derivation = _derivation(q)
            return q
    raise AssertionError("unreachable")


def _derivation(q) -> Derivation | None:
    """``derive`` for the asked equation: BP1 for δ^L, BP2 for δ^l, BP3/BP4 (and the update) for w, b."""
    if q.kind in ("z", "a"):
        return None
    if q.kind == "delta_out":
        return derive(q.net, q.x, q.y, output_neuron=q.j)
    options = {"layer": q.layer, "neuron": q.j, "input_neuron": q.k or 1}
    return derive(q.net, q.x, q.y, lr=q.lr if q.kind == "update" else None, **options)


def _rounded(values):
    """Rounded to DIGITS decimals; -0.0 becomes 0.0 so that it prints as it is used."""
    return np.round(values, DIGITS) + 0.0


def _target(net, rng):
    """A target the cost accepts: one-hot for softmax, values in [0, 1] for sigmoid, else in [−1, 1]."""
    n = net.sizes[-1]
    name = getattr(net.output, "name", "")
    if name == "softmax":
        return np.eye(n)[int(rng.integers(0, n))]
    if name == "sigmoid":
        return _rounded(rng.uniform(0.0, 1.0, n))
    return _rounded(rng.uniform(-1.0, 1.0, n))


def _relu_like(net) -> bool:
    names = [getattr(s, "name", "") for s in [*net.hidden_activations, net.output]]
    return any(name in ("relu", "leaky_relu") for name in names)
