"""Where the learner's backprop first departs from BP1–BP4, and which common mistake explains it.

Locating. The backward pass computes, in order, δ^L (BP1), ∂C/∂b^L (BP4),
∂C/∂w^L (BP3), then for l = L−1 … 2: δ^l (BP2), ∂C/∂b^l, ∂C/∂w^l. The first
array in that order that differs from bprop's names the equation: a wrong
∂C/∂b^L with no δ returned is BP1 (∂C/∂b^L = δ^L); a right ∂C/∂b^L with a wrong
∂C/∂b^{L−1} is BP2 at layer L−1; right biases with a wrong ∂C/∂w^l is BP3.

Explaining. Each mistake of ``mistakes.MISTAKES`` is run on every probe the
learner's code answered; the first whose arrays all match the learner's on
every one of them is named. When none does, the located equation, layer and
neuron are still reported, with the numbers expected and got.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .adapters import Malformed, Raised, Returned
from .mistakes import MISTAKES, mistaken_gradients

RTOL = 1e-6  # relative to the largest |entry| of the array: the learner's float64 sums in another order


@dataclass
class Finding:
    """The verdict on the learner's backprop.

    verdict : 'pass' (every array agrees), 'convention' (the numbers agree but a
        shape or order convention differs), 'mistake' (a common mistake matches),
        'differs' (located, no known mistake matches), 'raised', 'malformed'.
    equation : 'forward', 'BP1' … 'BP4', 'mean', 'update' (None when passing).
    layer : l (1-based, as in the notes); neuron : (j,) or (j, k), 1-based.
    array : 'delta', 'nabla_b', 'nabla_w', 'output', 'weights', 'biases' (what differed).
    notes : conventions undone (``Returned.notes``); raised : (probe, what, line) of probes that raised.
    """

    verdict: str
    equation: str | None = None
    layer: int | None = None
    neuron: tuple | None = None
    array: str | None = None
    expected: float | None = None
    got: float | None = None
    expected_shape: tuple | None = None
    got_shape: tuple | None = None
    probe: str | None = None
    mistake: str | None = None
    notes: list = field(default_factory=list)
    raised: list = field(default_factory=list)
    malformed: str | None = None
    sigmas: tuple | None = None  # (hidden, output) σ names the learner's forward pass computes instead
    probes_checked: int = 0
    largest_difference: float = 0.0

    @property
    def passed(self) -> bool:
        return self.verdict == "pass"


def same(got, want) -> bool:
    """True when ``got`` holds ``want``'s numbers (a weight in its shape; a bias or δ by its n_l numbers)."""
    if got.size != want.size or (want.ndim == 2 and want.shape[1] > 1 and got.shape != want.shape):
        return False
    return bool(np.allclose(got.ravel(), want.ravel(), rtol=0.0, atol=RTOL * max(1.0, np.abs(want).max())))


def expected_arrays(probe, batched):
    """bprop's (nabla_b, nabla_w, deltas) for what the learner was given: sample 0, or the batch means."""
    if batched:
        return probe.mean_b, probe.mean_w, None
    s = probe.samples[0]
    return s.grad_b, s.grad_w, s.deltas


def diagnose(probes, answers, batched=False) -> Finding:
    """The verdict from the learner's answer on each probe (``Returned``, ``Raised`` or ``Malformed``)."""
    raised = [(p.label, a.what, a.line) for p, a in zip(probes, answers) if isinstance(a, Raised)]
    for p, a in zip(probes, answers):
        if isinstance(a, Malformed):
            return Finding("malformed", probe=p.label, malformed=a.described, raised=raised)
    answered = [(p, a) for p, a in zip(probes, answers) if isinstance(a, Returned)]
    if not answered:
        return Finding("raised", probe=raised[0][0], raised=raised)
    notes = []
    for _, a in answered:
        notes += [n for n in a.notes if n[0] not in {k for k, _ in notes}]
    for _, a in answered:  # a square network cannot show a reversed order by its shapes: undo it there too
        if ("reversed", None) in notes and ("reversed", None) not in a.notes:
            a.nabla_b, a.nabla_w = a.nabla_b[::-1], a.nabla_w[::-1]
            a.deltas = None if a.deltas is None else a.deltas[::-1]
    first_break = None
    largest = 0.0
    for p, a in answered:
        located = locate(p, a, batched)
        if located is not None and first_break is None:
            first_break = located
        largest = max(largest, _largest_difference(p, a, batched))
    if first_break is None:
        verdict = "raised" if raised else ("convention" if notes else "pass")
        return Finding(
            verdict,
            probe=raised[0][0] if raised else None,
            notes=notes,
            raised=raised,
            probes_checked=len(answered),
            largest_difference=largest,
        )
    first_break.notes, first_break.raised, first_break.probes_checked = notes, raised, len(answered)
    first_break.largest_difference = largest
    mistake = explain(answered, batched)
    if mistake is not None:
        first_break.verdict, first_break.mistake = "mistake", mistake.key
        first_break.equation = (
            mistake.equation or first_break.equation
        )  # the line the mistake is in (a wrong ∂C/∂b^l may be BP4's, not BP2's)
    return first_break


def locate(probe, answer: Returned, batched) -> Finding | None:
    """The first array, in the order the backward pass computes them, that differs from bprop's."""
    want_b, want_w, want_d = expected_arrays(probe, batched)
    last = len(want_b) - 1
    for i in range(last, -1, -1):
        layer = i + 2
        delta_eq = "BP1" if i == last else "BP2"
        if answer.deltas is not None and want_d is not None and not same(answer.deltas[i], want_d[i]):
            return _differs(delta_eq, layer, "delta", answer.deltas[i], want_d[i], probe)
        if not same(answer.nabla_b[i], want_b[i]):
            equation = "BP4" if answer.deltas is not None and want_d is not None else delta_eq
            return _differs(equation, layer, "nabla_b", answer.nabla_b[i], want_b[i], probe)
        if not same(answer.nabla_w[i], want_w[i]):
            return _differs("BP3", layer, "nabla_w", answer.nabla_w[i], want_w[i], probe)
    return None


def _differs(equation, layer, array, got, want, probe) -> Finding:
    """A Finding at the first differing entry of ``got`` (or at its shape, when that differs)."""
    finding = Finding(
        "differs", equation, layer, array=array, probe=probe.label, expected_shape=want.shape, got_shape=got.shape
    )
    if got.size != want.size or (array == "nabla_w" and got.shape != want.shape):
        return finding
    diff = ~(np.abs(got.reshape(want.shape) - want) <= RTOL * max(1.0, np.abs(want).max()))  # NaN differs too
    index = tuple(int(i) for i in np.argwhere(diff)[0])
    finding.neuron = (index[0] + 1,) if array != "nabla_w" else (index[0] + 1, index[1] + 1)
    finding.expected, finding.got = float(want[index]), float(got.reshape(want.shape)[index])
    return finding


def explain(answered, batched):
    """The first known mistake whose gradients match the learner's on every answered probe, or None."""
    for mistake in MISTAKES:
        if mistake.batched_only and not batched:
            continue
        if all(_matches(p, a, mistake, batched) for p, a in answered):
            return mistake
    return None


def _matches(probe, answer, mistake, batched) -> bool:
    X, Y = (probe.X, probe.Y) if batched else (probe.X[:, [0]], probe.Y[:, [0]])
    try:
        nabla_b, nabla_w = mistaken_gradients(probe.net, probe.weights, probe.biases, X, Y, mistake, batched)
    except ValueError:  # the mistake does not fit this network's shapes: the learner's code would have raised
        return False
    return all(same(g, w) for g, w in zip(answer.nabla_b, nabla_b)) and all(
        same(g, w) for g, w in zip(answer.nabla_w, nabla_w)
    )


def _largest_difference(probe, answer, batched) -> float:
    """max |got − expected| / max(1, max |expected|) over the arrays that can be compared entry by entry."""
    want_b, want_w, _ = expected_arrays(probe, batched)
    largest = 0.0
    for got, want in [*zip(answer.nabla_b, want_b), *zip(answer.nabla_w, want_w)]:
        if got.size == want.size and (want.shape[1] == 1 or got.shape == want.shape):
            d = np.abs(got.reshape(want.shape) - want).max() / max(1.0, np.abs(want).max())
            largest = max(largest, float(d))
    return largest
