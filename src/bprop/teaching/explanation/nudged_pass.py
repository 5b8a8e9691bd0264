"""The forward pass of one sample with one quantity nudged: what the derivation measures with.

``NudgedPass(net, x, Y, masks, l2, l1, n)`` holds one sample, the dropout masks
m^l/(1−p) drawn for its pass (kept fixed while nudging) and the L2/L1 terms of
C. ``run(nudge, h)`` recomputes the pass in float64 with one quantity moved by
h where it is computed: everything before it is unchanged, everything after it
is recomputed from the nudged value. ``measure(nudge, read)`` is the central
difference (read(+ε) − read(−ε)) / 2ε of the quantity ``read`` picks.

Quantities (``Nudge.kind``), at 0-based index i:

    'z'  z^l_j, l = i + 2                    'w'  w^l_jk, l = i + 2
    'a'  a^l_j = σ(z^l_j), l = i + 1         'b'  b^l_j, l = i + 2
    'd'  ã^l_j = a^l_j m^l_j/(1−p), l = i + 1 (the dropped activation; = a^l_j without a mask)

The cost is C = C₀ + (λ/2n) Σ w² + (λ₁/n) Σ |w|: ``Run.cost0`` is C₀ of the
sample, ``Run.penalty`` the two terms. A nudge of w^l_jk changes them by
``Run.l2_change`` = (λ/2n)((w + h)² − w²) and ``Run.l1_change`` = (λ₁/n)(|w + h| − |w|),
the only summands that move; the reader ``cost`` takes C₀ plus those changes,
which is C less the constant penalty of the unnudged weights: the same
derivative, without the rounding of a large constant (Σ w² of 80,000 weights
would cost the difference quotient about six digits).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

EPSILON = 1e-5
"""ε of the central differences: float64 rounding of C (~1e-16) over 2ε and the
ε² truncation term both stay near 1e-11."""


@dataclass(frozen=True)
class Nudge:
    """Add h to one quantity of the forward pass: kind 'z', 'a', 'd', 'w' or 'b' at 0-based index i."""

    kind: str
    i: int
    j: int
    k: int = 0


@dataclass(frozen=True)
class Run:
    """One forward pass: zs[i] = z^{i+2}; acts[i] = ã^{i+1} (what the next layer sees, acts[0] = x);
    undropped[i] = a^{i+1} = σ(z^{i+1}); cost0 = C₀; penalty = (λ/2n) Σ w² + (λ₁/n) Σ |w|;
    l2_change, l1_change: how much a nudge of one weight moved the two terms."""

    zs: list
    acts: list
    undropped: list
    cost0: float
    penalty: float
    l2_change: float = 0.0
    l1_change: float = 0.0

    @property
    def cost(self) -> float:
        return self.cost0 + self.penalty


class NudgedPass:
    """One sample's forward pass in float64, rerun with one quantity nudged (see the module docstring).

    net : a float64 Network on the CPU.  x : (n_1,).  Y : (1, n_L) targets.
    masks : one m^l/(1−p) (n_l,) array or None per hidden layer, or None (no dropout).
    l2, l1, n : the terms (λ/2n) Σ w² and (λ₁/n) Σ |w| of C.
    """

    def __init__(self, net, x, Y, masks=None, l2=0.0, l1=0.0, n=1):
        self.net, self.x, self.Y = net, x, Y
        self.masks = masks if masks is not None else [None] * (len(net.sizes) - 2)
        self.l2, self.l1, self.n = l2, l1, n
        self.weights = [np.array(w, dtype=np.float64) for w in net.weights]
        self.biases = [np.array(b, dtype=np.float64) for b in net.biases]
        self.penalty = l2 / (2 * n) * sum(float(np.sum(w * w)) for w in self.weights) + l1 / n * sum(
            float(np.sum(np.abs(w))) for w in self.weights
        )  # (λ/2n) Σ w² + (λ₁/n) Σ |w|

    def run(self, nudge=None, h=0.0) -> Run:
        """z^l, ã^l, a^l of every layer and C, with one quantity nudged by h."""
        kind, i, j = (nudge.kind, nudge.i, nudge.j) if nudge is not None else (None, -1, -1)
        weights, biases = list(self.weights), list(self.biases)  # only a nudged array is copied
        if kind == "w":
            weights[i] = weights[i].copy()
            weights[i][j, nudge.k] += h
        if kind == "b":
            biases[i] = biases[i].copy()
            biases[i][j] += h
        a = np.array(self.x, dtype=np.float64).reshape(1, -1)
        if kind in ("a", "d") and i == 0:
            a[0, j] += h
        zs, acts, undropped = [], [a], [a]
        last = len(weights) - 1
        for layer, (w, b) in enumerate(zip(weights, biases)):
            z = a @ w.T + b  # z^l = w^l ã^{l−1} + b^l
            if kind == "z" and i == layer:
                z[0, j] += h
            sigma = self.net.output if layer == last else self.net.hidden_activations[layer]
            a = np.array(sigma.value(z.copy()), dtype=np.float64)  # a^l = σ(z^l)
            if kind == "a" and i == layer + 1:
                a[0, j] += h
            undropped.append(a)
            if layer != last and self.masks[layer] is not None:
                a = a * self.masks[layer]  # ã^l = a^l ⊙ m^l/(1−p)
            if kind == "d" and i == layer + 1:
                a = a.copy()
                a[0, j] += h
            zs.append(z)
            acts.append(a)
        cost0 = float(self.net.cost.value(acts[-1], self.Y)[0])
        if kind != "w":
            return Run(zs, acts, undropped, cost0, self.penalty)
        w = float(self.weights[i][j, nudge.k])
        l2_change = self.l2 / (2 * self.n) * ((w + h) ** 2 - w**2)  # (λ/2n) Σ w² moves by this …
        l1_change = self.l1 / self.n * (abs(w + h) - abs(w))  # … and (λ₁/n) Σ |w| by this
        return Run(zs, acts, undropped, cost0, self.penalty + l2_change + l1_change, l2_change, l1_change)

    def measure(self, nudge, read=None) -> float:
        """(read(+ε) − read(−ε)) / 2ε; read(run) picks the quantity differentiated (default: C)."""
        read = read or cost
        return (read(self.run(nudge, EPSILON)) - read(self.run(nudge, -EPSILON))) / (2 * EPSILON)


def cost(run) -> float:
    """C less the constant penalty of the unnudged weights (its derivative is ∂C's; see the module docstring)."""
    return run.cost0 + run.l2_change + run.l1_change


def l2_term(run) -> float:
    """The change of (λ/2n) Σ w²: its derivative is that of the term."""
    return run.l2_change


def l1_term(run) -> float:
    """The change of (λ₁/n) Σ |w|."""
    return run.l1_change


def z_of(i, j):
    """Reads z^{i+2}_j."""
    return lambda run: float(run.zs[i][0, j])


def a_of(i, j):
    """Reads a^{i+1}_j = σ(z^{i+1}_j), before any mask."""
    return lambda run: float(run.undropped[i][0, j])


def dropped_of(i, j):
    """Reads ã^{i+1}_j, the activation the next layer sees."""
    return lambda run: float(run.acts[i][0, j])
