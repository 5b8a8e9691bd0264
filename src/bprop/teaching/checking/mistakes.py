"""The common mistakes of a hand-written backprop, each one a variant of BP1–BP4 that can be run.

``mistaken_gradients(net, weights, biases, X, Y, mistake)`` is the backward
pass of the derivation in column form, per sample, with one line changed as
``mistake`` says; the diagnosis compares the learner's arrays with each
variant and names the one that matches. The lines, for one sample x, y:

    z^l = w^l a^{l−1} + b^l,  a^l = σ(z^l)                    forward pass
    BP1  δ^L = ∇_a C ⊙ σ′(z^L)        (a^L − y for the paired costs)
    BP2  δ^l = ((w^{l+1})ᵀ δ^{l+1}) ⊙ σ′(z^l)
    BP3  ∂C/∂w^l = δ^l (a^{l−1})ᵀ
    BP4  ∂C/∂b^l = δ^l
    batch: the mean over the m samples (columns) of BP3 and BP4

A variant whose shapes do not fit the network (w^{l+1} untransposed when
n_l ≠ n_{l+1}) raises ValueError, as the learner's NumPy code would: it is
then not a candidate on that network.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...core import activations, costs


@dataclass(frozen=True)
class Mistake:
    """One planted change to the equations; ``equation`` is the first line it breaks.

    forward : 'no_bias' (z^l = w^l a^{l−1})
    bp1     : 'no_prime', 'prime_of_a', 'sign', 'prime_again' (a − y, then ⊙ σ′ once more)
    bp2     : 'no_prime', 'prime_of_a', 'untransposed', 'w_of_layer' (w^l for w^{l+1}),
              'prime_of_next' (σ′(z^{l+1}))
    bp3     : 'a_same_layer' (a^l for a^{l−1}), 'transposed' (a^{l−1} (δ^l)ᵀ)
    bp34    : 'next_delta' (BP3 and BP4 of layer l < L take δ^{l+1}), 'bias_next_delta' (BP4 only)
    batch   : 'sum' (the 1/m forgotten; 'sum_b', 'sum_w': in BP4 or BP3 only), 'bias_wrong_axis', 'bias_wrong_axis_sum'
    """

    key: str
    equation: str
    forward: str = ""
    bp1: str = ""
    bp2: str = ""
    bp3: str = ""
    bp34: str = ""
    batch: str = ""
    batched_only: bool = False
    bp3_layers: str = "all"  # BP3's change in 'all' layers, or only the 'hidden' ones (the loop) or the 'output' one
    modified: str = ""  # 'old_prime': the modified neuron (--neuron) keeps the layer's σ′
    words: str = ""  # the key of its sentences in ``wording.SAYS`` (default: ``key``)

    @property
    def words_key(self) -> str:
        return self.words or self.key


MISTAKES = (
    Mistake("forward_no_bias", "forward", forward="no_bias"),
    Mistake("bp1_no_sigma_prime", "BP1", bp1="no_prime"),
    Mistake("bp1_sigma_prime_of_a", "BP1", bp1="prime_of_a"),
    Mistake("sigma_prime_of_a", "BP1", bp1="prime_of_a", bp2="prime_of_a"),
    Mistake("bp1_sign", "BP1", bp1="sign"),
    Mistake("bp1_sigma_prime_again", "BP1", bp1="prime_again"),
    # with softmax outputs, the σ′ applied again may be the sigmoid's of z^L, not a(1 − a)
    Mistake("bp1_sigmoid_prime_again", "BP1", bp1="sigmoid_prime_again", words="bp1_sigma_prime_again"),
    Mistake("bp2_no_sigma_prime", "BP2", bp2="no_prime"),
    Mistake("bp2_sigma_prime_of_a", "BP2", bp2="prime_of_a"),
    Mistake("bp2_untransposed", "BP2", bp2="untransposed"),
    Mistake("bp2_weights_of_layer", "BP2", bp2="w_of_layer"),
    Mistake("bp2_sigma_prime_of_next", "BP2", bp2="prime_of_next"),
    # --neuron: f in the forward pass, but the old σ′ kept for that neuron (BP1 or BP2, where it sits)
    Mistake("modified_neuron_old_prime", "", modified="old_prime"),
    Mistake("bp3_a_same_layer", "BP3", bp3="a_same_layer"),
    Mistake("bp3_transposed", "BP3", bp3="transposed"),
    # Nielsen's backprop writes BP3 twice, for layer L and in the loop: a slip in one line only
    Mistake("bp3_a_same_layer_hidden", "BP3", bp3="a_same_layer", bp3_layers="hidden", words="bp3_a_same_layer"),
    Mistake("bp3_a_same_layer_output", "BP3", bp3="a_same_layer", bp3_layers="output", words="bp3_a_same_layer"),
    Mistake("bp3_transposed_hidden", "BP3", bp3="transposed", bp3_layers="hidden", words="bp3_transposed"),
    Mistake("bp3_transposed_output", "BP3", bp3="transposed", bp3_layers="output", words="bp3_transposed"),
    Mistake("delta_of_next_layer", "BP4", bp34="next_delta"),
    Mistake("bp4_delta_of_next_layer", "BP4", bp34="bias_next_delta"),
    Mistake("mean_forgotten", "mean", batch="sum", batched_only=True),
    Mistake("mean_forgotten_biases", "mean", batch="sum_b", batched_only=True),
    Mistake("mean_forgotten_weights", "mean", batch="sum_w", batched_only=True),
    Mistake("bias_wrong_axis", "BP4", batch="bias_wrong_axis", batched_only=True),
    Mistake("bias_wrong_axis_sum", "BP4", batch="bias_wrong_axis_sum", batched_only=True),
)
BY_KEY = {m.key: m for m in MISTAKES}
CORRECT = Mistake("correct", "")


def value(sigma, z):
    """σ(z) of a column (or of columns): bprop's σ works on rows."""
    return sigma.value(z.T).T


def prime(sigma, z):
    """σ′(z), elementwise, of a column."""
    return sigma.derivative(z.T, sigma.value(z.T)).T


def mistaken_gradients(net, weights, biases, X, Y, mistake=CORRECT, batched=False):
    """(nabla_b, nabla_w) of the batch X (n_1, m), Y (n_L, m) under ``mistake``.

    net : bprop's ``Network`` of the probe, for its σ of each layer and its cost.
    batched=False: X holds one sample and the result is its gradient.
    """
    per_sample = [_one_sample(net, weights, biases, X[:, [i]], Y[:, [i]], mistake) for i in range(X.shape[1])]
    m = X.shape[1]
    scale_w = 1.0 if (mistake.batch in ("sum", "sum_w") or not batched) else 1.0 / m
    scale_b = 1.0 if (mistake.batch in ("sum", "sum_b") or not batched) else 1.0 / m
    nabla_w = [sum(s[1][i] for s in per_sample) * scale_w for i in range(len(weights))]
    nabla_b = [sum(s[0][i] for s in per_sample) * scale_b for i in range(len(weights))]
    if mistake.batch in ("bias_wrong_axis", "bias_wrong_axis_sum"):
        divisor = m if mistake.batch == "bias_wrong_axis" else 1
        nabla_b = [
            np.hstack([s[2][i].sum(axis=0, keepdims=True) for s in per_sample]) / divisor for i in range(len(weights))
        ]
    return nabla_b, nabla_w


def deltas_of(net, weights, biases, x, y, mistake=CORRECT) -> list:
    """δ^l of one sample under ``mistake`` (columns, i = l − 2)."""
    return _one_sample(net, weights, biases, x, y, mistake)[2]


def _one_sample(net, weights, biases, x, y, mistake):
    """(nabla_b, nabla_w, deltas) of one column sample, the equations changed as ``mistake`` says."""
    sigmas = [*net.hidden_activations, net.output]
    if mistake.modified == "old_prime":
        if not any(hasattr(s, "with_base_prime") for s in sigmas):
            raise ValueError("no modified neuron")
        sigmas = [s.with_base_prime() if hasattr(s, "with_base_prime") else s for s in sigmas]
    zs, acts = [], [x]
    for w, b, sigma in zip(weights, biases, sigmas):
        z = w @ acts[-1] + (0.0 if mistake.forward == "no_bias" else b)  # z^l = w^l a^{l−1} + b^l
        zs.append(z)
        acts.append(value(sigma, z))  # a^l = σ(z^l)
    count = len(weights)
    deltas = [None] * count
    deltas[-1] = _output_error(net, sigmas[-1], zs[-1], acts[-1], y, mistake.bp1)  # BP1
    for i in range(count - 2, -1, -1):
        deltas[i] = _hidden_error(weights, zs, acts, deltas[i + 1], sigmas, i, mistake.bp2)  # BP2
    nabla_b, nabla_w = [], []
    for i in range(count):
        delta = deltas[i]
        if i < count - 1 and mistake.bp34 in ("next_delta", "bias_next_delta"):
            nabla_b.append(deltas[i + 1])  # BP4 with δ^{l+1}
            delta = deltas[i + 1] if mistake.bp34 == "next_delta" else delta
        else:
            nabla_b.append(delta)  # BP4  ∂C/∂b^l = δ^l
        in_scope = {"all": True, "hidden": i < count - 1, "output": i == count - 1}[mistake.bp3_layers]
        if mistake.bp3 == "a_same_layer" and in_scope:
            nabla_w.append(delta @ acts[i + 1].T)
        elif mistake.bp3 == "transposed" and in_scope:
            nabla_w.append(acts[i] @ delta.T)
        else:
            nabla_w.append(delta @ acts[i].T)  # BP3  ∂C/∂w^l = δ^l (a^{l−1})ᵀ
    return nabla_b, nabla_w, deltas


def _output_error(net, output, z, a, y, variant):
    """δ^L by BP1 with the output σ ``output``, or by the variant named."""
    shortcut = costs.uses_shortcut(output, net.cost)
    elementwise = activations.is_elementwise(output)
    if shortcut:
        right = a - y
    elif elementwise:
        right = net.cost.gradient(a.T, y.T).T * prime(output, z)
    else:
        right = output.jacobian_product(z.T, a.T, net.cost.gradient(a.T, y.T)).T
    if variant == "sign":
        return -right
    if variant == "no_prime":
        if shortcut or not elementwise:
            raise ValueError("no σ′ to leave out")
        return net.cost.gradient(a.T, y.T).T
    if variant == "prime_of_a":
        if shortcut or not elementwise:
            raise ValueError("no σ′ in this BP1")
        return net.cost.gradient(a.T, y.T).T * prime(output, a)
    if variant == "sigmoid_prime_again":
        if not shortcut:
            raise ValueError("BP1 has no shortcut here")
        return (a - y) * prime(activations.Sigmoid(), z)  # the sigmoid's σ′(z^L), whatever the output σ
    if variant == "prime_again":
        if not shortcut:
            raise ValueError("BP1 has no shortcut here")
        return (a - y) * a * (1.0 - a)  # σ′ of the sigmoid (or softmax's diagonal), a(1 − a), once too often
    return right


def _hidden_error(weights, zs, acts, delta_next, sigmas, i, variant):
    """δ^l (index i = l − 2) by BP2, or by the variant named."""
    w_next, z, sigma = weights[i + 1], zs[i], sigmas[i]
    if variant == "untransposed":
        return (w_next @ delta_next) * prime(sigma, z)
    if variant == "w_of_layer":
        return (weights[i].T @ delta_next) * prime(sigma, z)
    back = w_next.T @ delta_next  # (w^{l+1})ᵀ δ^{l+1}
    if variant == "no_prime":
        return back
    if variant == "prime_of_a":
        return back * prime(sigma, acts[i + 1])
    if variant == "prime_of_next":
        return back * prime(sigma, zs[i + 1])
    return back * prime(sigma, z)
