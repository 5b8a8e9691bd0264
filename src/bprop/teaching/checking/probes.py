"""Probe networks: seeded parameters and samples, and bprop's own answers for them.

Everything here is in the column form of the derivation and of the book's
network.py: w^l is (n_l, n_{l−1}), b^l is (n_l, 1), a sample x is (n_1, 1),
a batch X holds its m samples as columns, (n_1, m). bprop's answers come from
``bprop.core.network.Network.backprop`` (BP1–BP4, float64), run one sample at
a time for the per-sample arrays (z^l, a^l, δ^l, ∂C/∂w^l, ∂C/∂b^l) and once
on the whole batch for the batch means; ``bprop.core.gradcheck`` confirms them
against central finite differences.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ...core.gradcheck import gradcheck
from ...core.network import Network
from ...errors import InvalidArgument
from .modified_neuron import ModifiedNeuron, fits, layer_sigmas

# A square network first: a mistake that only fits square matrices (w^{l+1}
# untransposed in BP2, a^l for a^{l−1} in BP3) gives numbers there, not a crash.
PROBE_SIZES = ([2, 3, 2], [3, 4, 3, 2], [2, 5, 4, 3, 2], [3, 3, 3, 3])
BATCH = 7  # samples per probe batch: wider than every probe layer, so no axis is ambiguous


@dataclass(frozen=True)
class Setting:
    """The activation and cost the learner declares, and the terms of the update checked."""

    activation: str = "sigmoid"
    output: str = "sigmoid"
    cost: str = "quadratic"
    l2: float = 0.0  # λ of the L2 term (λ/2n) Σ w², checked in the update
    n: int = 1000  # n of that term: the size of the whole training set
    eta: float = 0.5  # η of the update checked
    seed: int = 0
    neuron: ModifiedNeuron | None = None  # the book's exercise: one neuron with its own activation


@dataclass
class Sample:
    """bprop's forward and backward pass of one sample; lists indexed i = l − 2, columns.

    zs[i], deltas[i], grad_b[i] : (n_l, 1); activations[k] : a^{k+1}, (n_{k+1}, 1)
    (activations[0] = x); grad_w[i] : (n_l, n_{l−1}).
    """

    x: np.ndarray
    y: np.ndarray
    zs: list
    activations: list
    deltas: list
    grad_w: list
    grad_b: list


@dataclass
class Probe:
    """One probe network with its batch, and bprop's answers.

    weights[i] : (n_l, n_{l−1}); biases[i] : (n_l, 1); X : (n_1, m); Y : (n_L, m);
    samples : one ``Sample`` per column; mean_w, mean_b : the batch-mean gradients
    (BP3/BP4 averaged over the m samples); fd_error : bprop against finite differences.
    """

    sizes: list
    weights: list
    biases: list
    X: np.ndarray
    Y: np.ndarray
    net: Network
    samples: list = field(default_factory=list)
    mean_w: list = field(default_factory=list)
    mean_b: list = field(default_factory=list)
    fd_error: float = 0.0

    @property
    def label(self) -> str:
        return "[" + ", ".join(map(str, self.sizes)) + "]"

    @property
    def m(self) -> int:
        return self.X.shape[1]


def make_probes(setting: Setting, sizes_list=PROBE_SIZES, batch=BATCH) -> list:
    """The probe networks for ``setting``, each with seeded N(0, 1) parameters and a batch."""
    rng = np.random.default_rng(setting.seed)
    sizes_list = [sizes for sizes in sizes_list if fits(sizes, setting.neuron)]
    if not sizes_list:
        raise InvalidArgument(
            f"--neuron {setting.neuron.label}: no probe network has neuron j = {setting.neuron.j} in layer "
            f"l = {setting.neuron.layer}; choose l ≤ 3 and j ≤ 3 (the smallest probe is [2, 3, 2])."
        )
    return [make_probe(list(sizes), setting, rng, batch) for sizes in sizes_list]


def make_probe(sizes, setting: Setting, rng, batch=BATCH) -> Probe:
    """One probe: parameters as the book draws them (N(0, 1)), inputs in (0, 1), targets the cost accepts."""
    hidden, output = layer_sigmas(sizes, setting.activation, setting.output, setting.neuron)
    net = Network(sizes, activation=hidden, output=output, cost=setting.cost, dtype="float64")
    weights = [rng.standard_normal((n_out, n_in)) for n_in, n_out in zip(sizes[:-1], sizes[1:])]
    biases = [rng.standard_normal((n_out, 1)) for n_out in sizes[1:]]
    net.weights = [w.copy() for w in weights]
    net.biases = [b[:, 0].copy() for b in biases]
    X = rng.uniform(0.05, 0.95, (sizes[0], batch))
    if setting.cost == "log_likelihood":
        Y = np.eye(sizes[-1])[:, rng.integers(0, sizes[-1], batch)]
    else:
        Y = rng.uniform(0.05, 0.95, (sizes[-1], batch))
    probe = Probe(sizes, weights, biases, X, Y, net)
    probe.samples = [sample_of(net, X[:, [i]], Y[:, [i]]) for i in range(batch)]
    grads = net.backprop(X.T, Y.T)  # C₀'s gradient: the L2 term belongs to the update (updates.py)
    probe.mean_w = [np.asarray(g) for g in grads.weights]
    probe.mean_b = [np.asarray(g)[:, None] for g in grads.biases]
    probe.fd_error = gradcheck(net, X.T, Y.T).max_error
    return probe


def sample_of(net: Network, x, y) -> Sample:
    """bprop's BP1–BP4 for one column sample x (n_1, 1), y (n_L, 1), as columns."""
    g = net.backprop(x.T, y.T)
    column = lambda rows: [np.asarray(r)[0][:, None] for r in rows]  # noqa: E731 - row 0 as a column
    return Sample(
        x,
        y,
        column(g.zs),
        column(g.activations),
        column(g.deltas),
        [np.asarray(w) for w in g.weights],
        [np.asarray(b)[:, None] for b in g.biases],
    )
