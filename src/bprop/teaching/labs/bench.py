"""What a lab runs: its data, its broken and correct networks, and the learner's tools on them.

Every tool calls bprop's own code on the broken network: ``bprop.train`` for
the training, ``bprop.core.gradcheck.gradcheck`` for the finite differences,
``Network.backprop`` for the δ and the gradients, the exercise's optimizer
for one update. The correct network is the same parameters in a plain
``bprop.Network`` (``PlantedNetwork.correct``). Everything runs in float64
from seed 0, so the numbers are the same on every run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...core.backend import mean_abs
from ...core.gradcheck import gradcheck
from ...core.optimizers import SGD
from ...datasets import load
from ...errors import TrainingDiverged
from ...training.loop import train
from ...training.monitors import LayerStats

SEED = 0
DELTA_BATCHES = 5  # batches averaged by delta_table
GRADCHECK_SAMPLE = 200  # weights (and biases) checked per layer, at most


def data(ex):
    """(X_train, y_train, X_test, y_test) of the exercise; digits scaled to [0, 1]."""
    d = load(ex.data, seed=SEED, n=ex.n)
    scale = d.value_range or 1.0
    return d.X_train / scale, d.y_train, d.X_test / scale, d.y_test


def broken_network(ex):
    """The exercise's network with its planted backprop, at its initial weights (seed 0)."""
    return ex.network(
        list(ex.sizes),
        activation=ex.activation,
        output=ex.output,
        cost=ex.cost,
        init=ex.init,
        seed=SEED,
        dtype="float64",
    )


def optimizer(ex):
    """The exercise's optimizer (plain SGD, or the planted one) with its η."""
    return (ex.optimizer or SGD)(ex.lr)


@dataclass
class Run:
    """One training run: per-epoch training cost and validation accuracy; diverged at an epoch, or None."""

    costs: list
    accuracies: list
    diverged: int | None = None
    history: object = None

    @property
    def final_accuracy(self) -> float:
        return self.accuracies[-1] if self.accuracies else float("nan")


def train_both(ex, callbacks=(), correct_callbacks=()) -> tuple[Run, Run]:
    """(broken, correct): the broken network trained as the lab says, and the correct one from the same weights.

    callbacks go to the broken network's training, correct_callbacks to the correct one's.
    """
    X, y, Xt, yt = data(ex)
    net = broken_network(ex)
    correct = net.correct()
    runs = []
    for network, opt in ((net, optimizer(ex)), (correct, SGD(ex.lr))):
        diverged = None
        try:
            history = train(
                network,
                X,
                y,
                epochs=ex.epochs,
                batch_size=ex.batch_size,
                optimizer=opt,
                validation=(Xt, yt),
                seed=SEED,
                callbacks=callbacks if network is net else correct_callbacks,
            )
        except TrainingDiverged as e:
            history = e.history
            diverged = len(history.train_cost) + 1
        runs.append(Run(list(history.train_cost), list(history.validation_accuracy), diverged, history))
    return runs[0], runs[1]


def first_batch(ex):
    """(X, y): the first ``batch_size`` training samples, the batch the probes look at."""
    X, y, _, _ = data(ex)
    return X[: ex.batch_size], y[: ex.batch_size]


def check_gradients(ex, net=None):
    """bprop's gradcheck of the broken network (or ``net``) on the first batch: a GradcheckReport.

    At most GRADCHECK_SAMPLE weights and biases per layer, drawn from seed 0, as
    ``bprop gradcheck --model`` does: a planted mistake changes nearly every
    entry of the gradient it touches, so a sample finds it.
    """
    X, y = first_batch(ex)
    return gradcheck(broken_network(ex) if net is None else net, X, y, max_per_layer=GRADCHECK_SAMPLE, seed=SEED)


@dataclass
class LayerDeltas:
    """Mean |δ^l| of layer l over the first batches, in the broken and in the correct network."""

    layer: int
    broken: float
    correct: float

    @property
    def ratio(self) -> float:
        return self.broken / self.correct if self.correct else float("inf")


def delta_table(ex, batches=DELTA_BATCHES) -> list:
    """One LayerDeltas per layer l = L … 2, at the initial weights, over the first ``batches`` batches."""
    X, y, _, _ = data(ex)
    net = broken_network(ex)
    correct = net.correct()
    sums = np.zeros((2, len(ex.sizes) - 1))
    for b in range(batches):
        rows = slice(b * ex.batch_size, (b + 1) * ex.batch_size)
        for r, network in enumerate((net, correct)):
            sums[r] += [mean_abs(delta) for delta in network.backprop(X[rows], y[rows]).deltas]
    means = sums / batches
    return [LayerDeltas(i + 2, means[0, i], means[1, i]) for i in reversed(range(len(ex.sizes) - 1))]


def plot_deltas(ex, path, lang="en"):
    """Train both networks with LayerStats; draw their per-layer |δ^l|, |∂C/∂w^l|, the correct one dashed."""
    from ...plots import layer_gradients
    from .words import say

    broken, correct = train_both(ex, callbacks=(LayerStats(),), correct_callbacks=(LayerStats(),))
    title = say("dl.plot_title", lang, n=ex.number)
    return layer_gradients(broken.history, path, title=title, reference=correct.history, lang=lang)


def explain_page(ex, lang="en") -> str:
    """``bprop explain``'s page of the broken network, for the first sample of the first batch.

    The page shows what the broken backprop returned, substituted in the right
    equations: the line whose arithmetic does not add up is where the numbers
    go wrong. Its update is bprop's own SGD (not a planted one).
    """
    from ..explanation import explain

    X, y = first_batch(ex)
    return explain(broken_network(ex), X[0], y[0], lr=ex.lr, lang=lang).render("text")


@dataclass
class Compared:
    """One array of one layer, as the broken code computes it and as the correct one does."""

    name: str
    equation: str
    layer: int
    broken: np.ndarray
    correct: np.ndarray

    @property
    def difference(self) -> float:
        return float(np.max(np.abs(self.broken - self.correct)))

    def agrees(self, tolerance=1e-9) -> bool:
        return self.broken.shape == self.correct.shape and self.difference <= tolerance * max(
            1.0, float(np.max(np.abs(self.correct)))
        )


def compare(ex) -> list:
    """BP1–BP4 and one update on the first batch, broken beside correct, in backward order.

    δ^l is that of the batch's first sample; ∂C/∂w^l, ∂C/∂b^l are the batch's
    (a batch, not one sample, because some mistakes only exist in a batch).
    The update is w^L after one step of the lab's optimizer against plain SGD.
    """
    X, y = first_batch(ex)
    net = broken_network(ex)
    correct = net.correct()
    g, h = net.backprop(X, y), correct.backprop(X, y)
    L = len(ex.sizes)
    rows = []
    for l in range(L, 1, -1):
        i = l - 2
        rows.append(Compared(f"δ^{l}", "BP1" if l == L else "BP2", l, g.deltas[i][0], h.deltas[i][0]))
    for l in range(L, 1, -1):
        i = l - 2
        rows.append(Compared(f"∂C/∂w^{l}", "BP3", l, np.asarray(g.weights[i]), np.asarray(h.weights[i])))
        rows.append(Compared(f"∂C/∂b^{l}", "BP4", l, np.asarray(g.biases[i]), np.asarray(h.biases[i])))
    stepped, reference = net.copy(), correct.copy()
    optimizer(ex).step(stepped, h)  # the same (correct) gradient, so only the update itself differs
    SGD(ex.lr).step(reference, h)
    for l in range(L, 1, -1):
        i = l - 2
        rows.append(Compared(f"w^{l}", "update", l, np.asarray(stepped.weights[i]), np.asarray(reference.weights[i])))
    return rows
