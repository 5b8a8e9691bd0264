"""Diagnostics: a training callback that says when an equation explains slow or bad learning.

``Diagnostics(report)`` watches the arrays each step already computed and calls
``report(finding)`` with a ``Finding`` when one of three checks fires; it never
prints (the command line prints the findings). Each check names the equation
behind it:

    saturation  BP1     δ^L = ∇_a C ⊙ σ′(z^L) is small because σ′(z^L) ≈ 0 for most
                        output neurons that are far from their targets (only
                        where BP1 really multiplies by σ′)
    vanishing   BP2     δ^l = ((w^{l+1})ᵀ δ^{l+1}) ⊙ σ′(z^l) shrinks layer by layer:
    exploding   BP2     mean |δ^2| / mean |δ^L| < 1e-3, or grows: > 1e3
    step_size   update  w ← w − η ∂C/∂w raised the cost of the very batch it was
                        computed on: η may be too large (measured again with
                        the batch's own dropout masks and L1 term; not under
                        MPI, where a rank holds only its part of the batch and
                        the cost it has is the whole batch's)

Each kind fires at most once per ``repeat_after`` epochs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..core import activations, costs
from ..core.arguments import name_of, positive_int
from ..core.backend import mean_abs, namespace, sum_of_squares
from ..core.optimizers import SGD
from ..errors import InvalidArgument
from .state import SharedState


@dataclass(frozen=True)
class Finding:
    """One diagnosis.

    kind      'saturation', 'vanishing', 'exploding' or 'step_size'
    equation  'BP1', 'BP2' or 'update': the equation that explains it
    message   a few sentences for a person, starting with the equation label:
              what was seen, why (the equation), what to do
    epoch     the epoch (from 1) in which it was seen
    value     the measured figure: the saturated share, the δ ratio, or the
              measured/predicted cost change
    """

    kind: str
    equation: str
    message: str
    epoch: int
    value: float

    def __str__(self):
        return self.message


class Diagnostics:
    """Training callback: calls ``report(Finding)`` when a check fires.

    report : callable taking one Finding (the CLI prints it; a test collects it).
    repeat_after : a kind that fired in epoch e is not reported again before
        epoch e + repeat_after (default 10).
    every : read every k-th batch for the BP1/BP2 checks (default 1).
    saturated_below : σ′(z^L) below this counts as saturated (default 0.01).
    saturated_share : the BP1 finding fires when more than this share of the
        output neurons that are far from their targets, |a^L_j − y_j| ≥ ½
        (counted over the epoch's samples), is saturated (default 0.5) …
    min_far_share : … and those far outputs are at least this share of all
        outputs (default 0.01), so that a few confident mistakes of a network
        that has learned do not count.
    vanishing_ratio, exploding_ratio : the BP2 findings fire when
        mean |δ^2| / mean |δ^L| over the epoch is below / above these (1e-3, 1e3).

    The checks and what they cost:

    * BP1 (saturation), BP2 (vanishing/exploding): accumulated over the
      epoch's batches and judged at its end, from the arrays of the step
      (``state.grads``): σ′(z^L) and |a^L − y| of the batch, (m, n_L), and
      two means |δ|; a few elementwise operations on arrays of the output
      layer's size, no matrix product. BP1 counts only outputs far from their
      targets: an output that is right (a ≈ y = 0) has σ′ ≈ 0 too, and needs
      no learning, so σ′ < 0.01 alone would fire on every well-trained network.
      BP1 is checked only where it multiplies by σ′: not for the a − y
      shortcut pairs (``bprop.core.costs.uses_shortcut``), not for a softmax output
      (no elementwise σ′). BP2 needs a hidden layer.
    * update (step size): on the first batch of each epoch, compares the cost
      change that the gradient predicts for the step w ← w − η ∇C, namely
      −η‖∇C‖² (first order), with the change measured by re-evaluating the
      same batch after the step: one extra forward pass on one batch per
      epoch. It fires when the measured cost went up (beyond rounding), the
      sign of a step past the bottom of the valley. Only for plain SGD
      (``bprop.SGD`` with a numeric lr): with Momentum/Nesterov the step also
      carries the velocity, and Adam rescales each coordinate, so −η‖∇C‖² is
      not their predicted change; those optimizers and learning-rate schedules
      are skipped. A sigmoid network that a huge η drives into saturation may
      show no rise on the same batch (the step pushes that batch's outputs to
      its targets and then every σ′ ≈ 0); the BP1 finding speaks for it then.

    Measured: on [64, 30, 10] sigmoid/quadratic with batches of 10 (a whole
    training step there is only ≈ 50 µs) Diagnostics adds ≈ 15–20% to the
    training time, mostly NumPy call overhead; with ``every=10`` ≈ 3%. The
    relative cost falls as the layers grow.
    """

    def __init__(
        self,
        report,
        *,
        repeat_after=10,
        every=1,
        saturated_below=0.01,
        saturated_share=0.5,
        min_far_share=0.01,
        vanishing_ratio=1e-3,
        exploding_ratio=1e3,
    ):
        if not callable(report):
            raise InvalidArgument(f"report must be a callable taking a Finding, got {report!r}.")
        self.report = report
        self.repeat_after = positive_int(repeat_after, "repeat_after")
        self.every = positive_int(every, "every")
        self.saturated_below, self.saturated_share = float(saturated_below), float(saturated_share)
        self.min_far_share = float(min_far_share)
        self.vanishing_ratio, self.exploding_ratio = float(vanishing_ratio), float(exploding_ratio)
        self._last_fired, self._checks_bp1 = {}, False
        self._reset()

    def _reset(self):
        self._saturated = self._far = self._outputs = 0
        self._first = self._last = 0.0
        self._batches = 0

    # -- callback events ------------------------------------------------------

    def on_train_begin(self, state):
        self._last_fired, self._checks_bp1 = {}, _bp1_multiplies_by_sigma_prime(state.net)
        self._reset()

    def on_batch_end(self, state):
        if state.batch == 1:
            self._check_step_size(state)
        if (state.batch - 1) % self.every:
            return
        grads = state.grads
        if self._checks_bp1 and state.batch_targets is not None:
            a = grads.activations[-1]
            xp = namespace(a)
            far = xp.abs(a - state.batch_targets) >= 0.5  # |a^L − y| ≥ ½
            sigma_prime = state.net.output.derivative(grads.zs[-1], a)  # σ′(z^L)
            self._saturated += int(xp.count_nonzero(far & (sigma_prime < self.saturated_below)))
            self._far += int(xp.count_nonzero(far))
            self._outputs += math.prod(a.shape)
        if len(grads.deltas) > 1:
            self._first += mean_abs(grads.deltas[0])  # mean |δ^2|
            self._last += mean_abs(grads.deltas[-1])  # mean |δ^L|
        self._batches += 1

    def on_epoch_end(self, state):
        if self._far and self._far >= self.min_far_share * self._outputs:
            self._judge_saturation(state, self._saturated / self._far)
        if self._batches and self._last > 0:
            self._judge_ratio(state, self._first / self._last)
        self._reset()

    # -- the checks -----------------------------------------------------------

    def _fire(self, state, kind, equation, message, value):
        last = self._last_fired.get(kind)
        if last is not None and state.epoch < last + self.repeat_after:
            return
        self._last_fired[kind] = state.epoch
        self.report(Finding(kind, equation, message, state.epoch, float(value)))

    def _judge_saturation(self, state, share):
        if share <= self.saturated_share:
            return
        net = state.net
        cost, output = name_of(net.cost), name_of(net.output)
        if output == "sigmoid":
            fix = "Use cost=cross_entropy (sigmoid) or log_likelihood (softmax), for which δ^L = a − y."
        else:
            fix = (
                "Use output=sigmoid with cost=cross_entropy, or output=softmax with cost=log_likelihood, "
                "for which δ^L = a − y."
            )
        self._fire(
            state,
            "saturation",
            "BP1",
            f"BP1: δ^L = ∇_a C ⊙ σ′(z^L) is small because σ′ is saturated (σ′(z^L) < "
            f"{self.saturated_below:g}) for {100 * share:.0f}% of the output neurons that are far from "
            f"their targets (|a − y| ≥ ½): learning slows down ({cost} cost, {output} output). {fix}",
            share,
        )

    def _judge_ratio(self, state, ratio):
        L = state.net.num_layers
        equation = "δ^l = ((w^{l+1})ᵀ δ^{l+1}) ⊙ σ′(z^l)"
        if ratio < self.vanishing_ratio:
            why, fix = _VANISHING.get(state.net.activation_name, _VANISHING[None])
            self._fire(
                state,
                "vanishing",
                "BP2",
                f"BP2: the error vanishes towards the input: mean |δ^2| is {ratio:.1e} × mean |δ^{L}|. "
                f"Each step of {equation} multiplies by a weight matrix and by σ′{why}, so the first "
                f"layers barely learn. {fix}",
                ratio,
            )
        elif ratio > self.exploding_ratio:
            self._fire(
                state,
                "exploding",
                "BP2",
                f"BP2: the error explodes towards the input: mean |δ^2| is {ratio:.1e} × mean |δ^{L}|. "
                f"Each step of {equation} multiplies by a weight matrix that is too large, so the first "
                f"layers take huge steps. Use a smaller learning rate or a smaller init scale "
                f"(init=scaled_normal, xavier or he), or fewer layers.",
                ratio,
            )

    def _check_step_size(self, state):
        optimizer = state.optimizer
        if not isinstance(optimizer, SGD) or callable(optimizer.lr) or state.batch_targets is None:
            return
        if isinstance(state, SharedState):  # grads.cost is the global batch's; this rank holds only its rows
            return
        eta, grads, net = float(optimizer.lr), state.grads, state.net
        squared_norm = sum(float(sum_of_squares(g)) for g in (*grads.weights, *grads.biases))  # ‖∇C‖²
        predicted = -eta * squared_norm  # ΔC ≈ ∇C · Δw = −η‖∇C‖²
        X = grads.activations[0]
        with np.errstate(over="ignore", invalid="ignore"):
            # one extra forward pass, with the masks the step's cost was measured with
            outputs = net.feedforward_placed(X) if state.masks is None else net.forward_dropped(X, state.masks)[1][-1]
            after = float(net.batch_cost(outputs, state.batch_targets, state.l2, state.n, l1=state.l1))
        before = grads.cost
        measured = after - before
        rounding = 64 * float(np.finfo(net.dtype).eps) * max(abs(before), abs(after), 1e-30)
        if not math.isfinite(after) or measured > rounding:
            ratio = measured / predicted if predicted else math.inf
            self._fire(
                state,
                "step_size",
                "update",
                f"update: the step w ← w − η ∂C/∂w with η = {eta:g} raised the cost of the batch it was "
                f"computed on from {before:.4g} to {after:.4g}, where the gradient predicted a fall of "
                f"η‖∇C‖² = {-predicted:.3g}: the step overshoots, η may be too large. "
                f"Try η = {eta / 10:g}.",
                ratio,
            )


# Hidden σ → (what σ′ does in BP2, what to do), for the vanishing-error finding.
_VANISHING = {
    "sigmoid": (" (≤ ¼ for the sigmoid)", "Use activation=relu with init=he, or fewer layers."),
    "tanh": (
        " (≤ 1 for tanh, ≈ 0 where it saturates)",
        "Use activation=relu with init=he, init=xavier, or fewer layers.",
    ),
    "relu": (
        " (0 wherever z^l ≤ 0: dead ReLUs, often killed by a too large step)",
        "Use a smaller learning rate, activation=leaky_relu, or init=he.",
    ),
    None: ("", "Use activation=relu with init=he, or fewer layers."),
}


def _bp1_multiplies_by_sigma_prime(net) -> bool:
    """True when BP1 is computed as ∇_a C ⊙ σ′(z^L) (no a − y shortcut, elementwise σ)."""
    return not costs.uses_shortcut(net.output, net.cost) and activations.is_elementwise(net.output)
