"""Calling the learner's code in the forms learners write, and reading back what it returns.

Two forms, each per sample or batched (``batched=True``: X is (n_1, m), the
samples as columns, and the gradients are batch means):

    class    Network(sizes) with .weights, .biases (lists of (n_l, n_{l−1}) and
             (n_l, 1) arrays) and .backprop(x, y) -> (nabla_b, nabla_w), as in the
             book's network.py; the method's name may be changed (``method``)
    function backprop(weights, biases, x, y) -> (nabla_b, nabla_w[, deltas])

What comes back is read into a ``Returned``: the arrays in bprop's order and
shapes, with each convention that had to be undone noted (the two lists
swapped, listed from the output layer back, biases as flat or row vectors),
so that a convention is named as such and not taken for wrong numbers.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field

import numpy as np

from ...errors import LearnerCodeError
from .loading import learner_line


@dataclass
class Returned:
    """The learner's arrays, i = l − 2, in the order and shapes read; ``notes`` name what was undone.

    nabla_b[i], deltas[i] : as returned (compared by their n_l numbers);
    nabla_w[i] : as returned (compared with (n_l, n_{l−1}), so a transposed one shows);
    notes : ('swapped', None), ('reversed', None), ('bias_shape', shape seen), ('delta_shape', shape).
    """

    nabla_b: list
    nabla_w: list
    deltas: list | None = None
    notes: list = field(default_factory=list)


@dataclass
class Raised:
    """The learner's code raised on a probe: the one line that says where."""

    what: str  # 'backprop', 'feedforward', 'update_mini_batch', 'Network(sizes)'
    line: str


@dataclass
class Malformed:
    """What came back is not (nabla_b, nabla_w) with one array per layer: ``described`` says what it was."""

    described: str


class Learner:
    """The learner's class or function, set to a probe's parameters and called."""

    def __init__(self, target, method="backprop"):
        self.target = target
        self.method = method
        self.is_class = inspect.isclass(target.obj)
        # rows: the learner's code takes samples as rows, x (1, n_1), X (m, n_1), with w^l
        # stored (n_{l−1}, n_l): told by the shapes its own constructor makes (``instance``),
        # or, for a function, by trying rows when columns make every call raise (``runner``).
        self.rows = False
        self.layout_known = False
        # flat: the learner's constructor makes every b^l a 1-D (n_l,) vector, so one sample is a 1-D x (n_1,),
        # y (n_L,) too (np.dot(w, x) + b then stays (n_l,)); a column x would broadcast to (n_l, n_l).
        self.flat = False
        self.flat_allowed = True  # False: the learner's code raised on 1-D samples; give it columns after all
        self.flat_biases = False  # its constructor keeps b^l as (n_l,): ∂C/∂b^l (n_l,) is then its own shape
        if not callable(target.obj):
            raise LearnerCodeError(f"{target.name} in {target.path.name} is not a class or function.")
        if self.is_class and not callable(getattr(target.obj, method, None)):
            raise LearnerCodeError(
                f"class {target.name} in {target.path.name} has no method {method}(x, y); "
                "name the backprop method with --method."
            )

    @property
    def form(self) -> str:
        return "class" if self.is_class else "function"

    def instance(self, probe):
        """A fresh ``Network(sizes)`` of the learner's with the probe's w^l, b^l; or ``Raised``.

        The parameters are given in the shapes the learner's own constructor made
        (rows or columns, biases (n_l, 1), (1, n_l) or (n_l,)).
        """
        try:
            net = self.target.obj(list(probe.sizes))
        except Exception as e:
            return Raised(f"{self.target.name}({probe.sizes})", learner_line(e, self.target.path))
        self._learn_layout(net, probe)
        own_b = [np.shape(b) for b in getattr(net, "biases", [])]
        self.flat_biases = bool(own_b) and all(len(s) == 1 for s in own_b)
        self.flat = self.flat_allowed and self.flat_biases
        weights, biases = self.parameters(probe)
        if len(own_b) == len(biases) and all(np.prod(s) == b.size for s, b in zip(own_b, biases)):
            biases = [b.reshape(s) for b, s in zip(biases, own_b)]
        try:
            net.weights, net.biases = weights, biases
        except Exception as e:  # a read-only property, __slots__ …: the learner's class refuses them
            return Raised(f"{self.target.name} (as bprop set .weights and .biases)", learner_line(e, self.target.path))
        return net

    def _learn_layout(self, net, probe):
        """Rows when the constructor's w^l are all (n_{l−1}, n_l) on a network where that differs from (n_l, n_{l−1})."""
        shapes = [np.shape(w) for w in getattr(net, "weights", [])]
        pairs = list(zip(probe.sizes[:-1], probe.sizes[1:]))
        if self.layout_known or len(shapes) != len(pairs) or all(i == o for i, o in pairs):
            return
        if all(s == (o, i) for s, (i, o) in zip(shapes, pairs)):
            self.rows, self.layout_known = False, True
        elif all(s == (i, o) for s, (i, o) in zip(shapes, pairs)):
            self.rows, self.layout_known = True, True

    def parameters(self, probe):
        """Copies of the probe's w^l, b^l in the learner's layout."""
        if self.rows:
            return [w.T.copy() for w in probe.weights], [b.T.copy() for b in probe.biases]
        return [w.copy() for w in probe.weights], [b.copy() for b in probe.biases]

    def inputs(self, X):
        """X (n_1, m) of the probe as the learner takes it: itself, its rows (m, n_1), or one sample flat (n_1,)."""
        if self.flat and not self.rows and X.shape[1] == 1:  # a rows learner takes x (1, n_1) whatever its b^l
            return X[:, 0].copy()
        return (X.T if self.rows else X).copy()

    def weights_back(self, arrays) -> list:
        """The learner's w^l-shaped arrays in the notes' layout, (n_l, n_{l−1})."""
        arrays = [np.asarray(a, dtype=float) for a in arrays]
        return [a.T if self.rows and a.ndim == 2 else a for a in arrays]

    def call(self, probe, X, Y, method=None):
        """The learner's backprop on X, Y (columns), read into ``Returned``; ``Raised`` or ``Malformed``."""
        method = method or self.method
        if self.is_class:
            net = self.instance(probe)
            if isinstance(net, Raised):
                return net
            function, what = getattr(net, method), method
        else:
            function, what = self.target.obj, self.target.name
        try:
            if self.is_class:
                out = function(self.inputs(X), self.inputs(Y))
            else:
                out = function(*self.parameters(probe), self.inputs(X), self.inputs(Y))
        except Exception as e:
            return Raised(what, learner_line(e, self.target.path))
        returned = read_returned(out, probe)
        if isinstance(returned, Returned) and self.rows:
            returned.nabla_w = self.weights_back(returned.nabla_w)
        if isinstance(returned, Returned) and (self.rows or self.flat_biases):
            # a row is the rows layout's bias; a flat (n_l,) one is right for a learner whose b^l are (n_l,)
            returned.notes = [n for n in returned.notes if n[0] != "bias_shape"]
        return returned

    def has(self, name) -> bool:
        return self.is_class and callable(getattr(self.target.obj, name, None))


def read_returned(out, probe):
    """``Returned`` from the learner's return value, or ``Malformed`` saying what it was."""
    count = len(probe.sizes) - 1
    if not isinstance(out, (tuple, list)) or len(out) not in (2, 3):
        return Malformed(_describe(out))
    if not all(isinstance(part, (tuple, list)) for part in out):
        return Malformed(f"{_describe(out)} that are not lists (one list of arrays, not the two lists)")
    try:
        parts = [[np.asarray(a, dtype=float) for a in part] for part in out]
    except (TypeError, ValueError):
        return Malformed(_describe(out))
    if any(len(part) != count for part in parts):
        lengths = ", ".join(str(len(p)) for p in parts)
        return Malformed(f"lists of {lengths} arrays; a network of {len(probe.sizes)} layers has {count} (l = 2 … L)")
    first, second = parts[0], parts[1]
    deltas = parts[2] if len(parts) == 3 else None
    notes = []
    w_shapes = [w.shape for w in probe.weights]
    if not _fits(first, second, w_shapes):
        undone = [
            (("swapped", None),),
            (("reversed", None),),
            (("swapped", None), ("reversed", None)),
        ]
        for undo in undone:
            b, w = (second, first) if ("swapped", None) in undo else (first, second)
            d = deltas
            if ("reversed", None) in undo:
                b, w, d = b[::-1], w[::-1], None if d is None else d[::-1]
            if _fits(b, w, w_shapes):
                first, second, deltas = b, w, d
                notes.extend(undo)
                break
    for b, (n_out, _) in zip(first, w_shapes):
        if b.size == n_out and b.shape != (n_out, 1):
            notes.append(("bias_shape", tuple(b.shape)))
            break
    return Returned(first, second, deltas, notes)


def _fits(biases, weights, w_shapes) -> bool:
    """Each bias gradient holds n_l numbers and each weight gradient is (n_l, n_{l−1}) or its transpose."""
    return all(b.size == n_out for b, (n_out, _) in zip(biases, w_shapes)) and all(
        w.shape in ((n_out, n_in), (n_in, n_out)) for w, (n_out, n_in) in zip(weights, w_shapes)
    )


def _describe(out) -> str:
    if isinstance(out, (tuple, list)):
        return f"a {type(out).__name__} of {len(out)} items"
    if out is None:
        return "None (is a return statement missing?)"
    return f"a {type(out).__name__}"
