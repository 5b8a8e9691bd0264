"""The learner's forward pass (``feedforward``) and gradient-descent step (``update_mini_batch``), when present.

Forward pass, a^l = σ(w^l a^{l−1} + b^l) up to a^L, compared with bprop's.

Update, on a mini-batch of m samples, as in the notes and the book's network2.py:

    w^l ← (1 − ηλ/n) w^l − (η/m) Σ_x ∂C_x/∂w^l       (λ = 0: no L2 term)
    b^l ← b^l − (η/m) Σ_x ∂C_x/∂b^l

The (1 − ηλ/n) is the L2 term's derivative: ∂/∂w of (λ/2n) Σ w² is (λ/n) w.
The common slips are each written as a candidate, ``UPDATE_MISTAKES``.
"""

from __future__ import annotations

import numpy as np

from ...core import activations
from .adapters import Raised
from .diagnosis import Finding, same
from .loading import learner_line
from .mistakes import value


def check_feedforward(learner, probe) -> Finding | None:
    """A Finding when the learner's ``feedforward(x)`` is not a^L (or raises); None when it agrees."""
    net = learner.instance(probe)
    if isinstance(net, Raised):
        return Finding("raised", probe=probe.label, raised=[(probe.label, net.what, net.line)])
    x = probe.X[:, [0]]
    try:
        got = np.asarray(net.feedforward(learner.inputs(x)), dtype=float)
    except Exception as e:
        return Finding(
            "raised", probe=probe.label, raised=[(probe.label, "feedforward", learner_line(e, learner.target.path))]
        )
    want = probe.samples[0].activations[-1]
    if same(got, want):
        return None
    finding = Finding("differs", "forward", len(probe.sizes), array="output", probe=probe.label)
    finding.expected_shape, finding.got_shape = want.shape, got.shape
    if got.size == want.size:
        j = int(np.argmax(np.abs(got.reshape(want.shape) - want)[:, 0]))
        finding.neuron, finding.expected, finding.got = (j + 1,), float(want[j, 0]), float(got.ravel()[j])
        if same(got, _output_without_biases(probe, x)):
            finding.verdict, finding.mistake = "mistake", "forward_no_bias"
        elif sigmas := _built_in_sigmas_giving(got, probe, x):
            finding.verdict, finding.sigmas = "mistake", sigmas
            finding.mistake = "forward_other_sigma" if sigmas != _declared(probe) else "forward_neuron_not_modified"
    return finding


# The σ a learner's network may use in place of the declared ones (hidden, then output), tried in this order.
HIDDEN_SIGMAS = ("sigmoid", "tanh", "relu", "identity")
OUTPUT_SIGMAS = (*HIDDEN_SIGMAS, "softmax")


def _built_in_sigmas_giving(got, probe, x) -> tuple | None:
    """(hidden, output): built-in σ names whose forward pass is the learner's output, or None.

    The flags describe the learner's network and do not change it: a sigmoid
    network checked with --output softmax gives a sigmoid's a^L, not a mistake.
    """
    for hidden in HIDDEN_SIGMAS:
        for output in OUTPUT_SIGMAS:
            sigmas = [activations.BUILTIN[hidden]()] * (len(probe.sizes) - 2) + [activations.BUILTIN[output]()]
            if same(got, _output_with(probe, x, sigmas)):
                return hidden, output
    return None


def _declared(probe) -> tuple:
    """The (hidden, output) σ names the probe network was built with, a modified neuron's layer by its own σ."""
    hidden, output = probe.net.hidden_activations[0], probe.net.output
    return getattr(hidden, "base", hidden).name, getattr(output, "base", output).name


def _output_with(probe, x, sigmas):
    """a^L of the probe's parameters with the σ of each layer l = 2 … L given."""
    a = x
    for w, b, sigma in zip(probe.weights, probe.biases, sigmas):
        a = value(sigma, w @ a + b)
    return a


def _output_without_biases(probe, x):
    a = x
    for w, sigma in zip(probe.weights, [*probe.net.hidden_activations, probe.net.output]):
        a = value(sigma, w @ a)
    return a


# (key, weight factor given η, λ, n, m; its sum's factor; biases decayed too?)
UPDATE_MISTAKES = (
    ("update_plus", lambda e, lam, n: 1 - e * lam / n, lambda e, m: +e / m, False),
    ("update_mean_forgotten", lambda e, lam, n: 1 - e * lam / n, lambda e, m: -e, False),
    ("l2_missing", lambda e, lam, n: 1.0, lambda e, m: -e / m, False),
    ("l2_half", lambda e, lam, n: 1 - e * lam / (2 * n), lambda e, m: -e / m, False),
    ("l2_sign", lambda e, lam, n: 1 + e * lam / n, lambda e, m: -e / m, False),
    ("l2_without_n", lambda e, lam, n: 1 - e * lam, lambda e, m: -e / m, False),
    ("l2_without_eta", lambda e, lam, n: 1 - lam / n, lambda e, m: -e / m, False),
    ("l2_on_biases", lambda e, lam, n: 1 - e * lam / n, lambda e, m: -e / m, True),
)


def check_update(learner, probe, setting) -> Finding | None:
    """A Finding when ``update_mini_batch`` does not take the step above (or raises); None when it agrees."""
    net = learner.instance(probe)
    if isinstance(net, Raised):
        return Finding("raised", probe=probe.label, raised=[(probe.label, net.what, net.line)])
    batch = [(learner.inputs(probe.X[:, [i]]), learner.inputs(probe.Y[:, [i]])) for i in range(probe.m)]
    args = (batch, setting.eta) + ((setting.l2, setting.n) if setting.l2 else ())
    try:
        net.update_mini_batch(*args)
        got_w = learner.weights_back(net.weights)
        got_b = [np.asarray(b, dtype=float) for b in net.biases]
    except Exception as e:
        return Finding(
            "raised",
            probe=probe.label,
            raised=[(probe.label, "update_mini_batch", learner_line(e, learner.target.path))],
        )
    want_w, want_b = _stepped(probe, setting, 1 - setting.eta * setting.l2 / setting.n, -setting.eta / probe.m, False)
    located = _first_difference(probe, got_w, got_b, want_w, want_b)
    if located is None:
        return None
    for key, decay, step, on_biases in UPDATE_MISTAKES:
        if key.startswith("l2") and not setting.l2:
            continue
        w, b = _stepped(
            probe, setting, decay(setting.eta, setting.l2, setting.n), step(setting.eta, probe.m), on_biases
        )
        if _first_difference(probe, got_w, got_b, w, b) is None:
            located.verdict, located.mistake = "mistake", key
            break
    return located


def _stepped(probe, setting, decay, step, on_biases):
    """w^l, b^l after w ← decay·w + step·Σ∇w, b ← (decay·)b + step·Σ∇b, the sums over the mini-batch."""
    m = probe.m
    weights = [decay * w + step * m * g for w, g in zip(probe.weights, probe.mean_w)]
    biases = [(decay if on_biases else 1.0) * b + step * m * g for b, g in zip(probe.biases, probe.mean_b)]
    return weights, biases


def _first_difference(probe, got_w, got_b, want_w, want_b) -> Finding | None:
    for i in range(len(want_w) - 1, -1, -1):
        for array, got, want in (("biases", got_b[i], want_b[i]), ("weights", got_w[i], want_w[i])):
            if not same(got, want):
                finding = Finding("differs", "update", i + 2, array=array, probe=probe.label)
                finding.expected_shape, finding.got_shape = want.shape, got.shape
                if got.size == want.size:
                    got = got.reshape(want.shape)
                    index = tuple(int(k) for k in np.unravel_index(np.argmax(np.abs(got - want)), want.shape))
                    finding.neuron = (index[0] + 1,) if array == "biases" else (index[0] + 1, index[1] + 1)
                    finding.expected, finding.got = float(want[index]), float(got[index])
                return finding
    return None
