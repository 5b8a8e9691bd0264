"""Step through one sample: every number of one forward and backward pass, stage by stage.

``trace(session, sample)`` runs ``net.backprop`` ONCE on training sample i (a
batch of one, so the numbers are exactly the derivation's) and lists, in the
order the algorithm computes them:

    forward   layer 1 … L    a^1 = x; z^l = w^l a^{l−1} + b^l, a^l = σ(z^l)    grads.zs, grads.activations
    BP1       layer L        δ^L = ∇_a C ⊙ σ′(z^L)                           grads.deltas[-1]
    BP2       layer L−1 … 2  δ^l = ((w^{l+1})ᵀ δ^{l+1}) ⊙ σ′(z^l)           grads.deltas[l-2]
    BP3, BP4  layer L … 2    ∂C/∂w^l_jk = a^{l−1}_k δ^l_j, ∂C/∂b^l_j = δ^l_j   grads.weights, grads.biases
                                                    (BP3 shows both factors, and w with L2/L1 on)
    update    layer 2 … L    w ← w − η ∂C/∂w, b ← b − η ∂C/∂b                 bprop.SGD(η).step on a copy

The update is plain gradient descent (``bprop.SGD`` with the session's η)
applied to a copy of the network: the session's weights do not change. With
L2 or L1 on, ∂C/∂w includes (λ/n) w or (λ₁/n) sgn(w), as in training, and the
BP3 equation shown says so, with λ, λ₁ and n. Dropout acts in training steps
only: this pass, like evaluation, uses every neuron (the page says so).
σ′(z^l) comes from the network's own activation objects; every other number
is an array backprop returned.
"""

from __future__ import annotations

import numbers

import numpy as np

from ..core import activations as activation_table
from ..core import costs as cost_table
from ..core.arguments import as_targets
from ..core.optimizers import SGD
from ..teaching.explanation.markup import to_html
from .settings import SettingError

EQUATIONS = {
    "forward": "z^{l} = w^{l} a^{l−1} + b^{l},  a^{l} = σ(z^{l})",
    "BP1": "δ^{L} = ∇_{a} C ⊙ σ′(z^{L})",
    "BP2": "δ^{l} = ((w^{l+1})ᵀ δ^{l+1}) ⊙ σ′(z^{l})",
    "BP3": "∂C/∂w^{l}_{jk} = a^{l−1}_{k} δ^{l}_{j}",
    "BP4": "∂C/∂b^{l}_{j} = δ^{l}_{j}",
    "update": "w^{l} ← w^{l} − η ∂C/∂w^{l},  b^{l} ← b^{l} − η ∂C/∂b^{l}",
}


def trace(session, sample=None) -> dict:
    """The stages of one backprop call on training sample ``sample`` (default: the next batch's first)."""
    m = len(session.y_train)
    if sample is None:
        sample = int(session.next_batch()[0])
    if isinstance(sample, bool) or not isinstance(sample, numbers.Integral) or not 0 <= sample < m:
        raise SettingError("sample", f"sample={sample!r} is out of range; use a training sample from 0 to {m - 1}.")
    net, s = session.net, session.settings
    X, y = session.X_train[sample : sample + 1], session.y_train[sample : sample + 1]
    eta = session.optimizer.learning_rate()
    with np.errstate(all="ignore"):
        g = net.backprop(X, y, l2=s.l2, n=m, l1=s.l1)  # the one call every number below comes from
        updated = net.copy()
        SGD(lr=eta).step(updated, g)
        sigma_primes = [_sigma_prime(net, i, g) for i in range(len(g.zs))]
    L = net.num_layers
    stages = [_stage("forward", 1, a=g.activations[0][0])]
    for l in range(2, L + 1):
        stages.append(_stage("forward", l, z=g.zs[l - 2][0], a=g.activations[l - 1][0]))
    target = as_targets(y, 1, net.sizes[-1], net.dtype)[0]
    stages.append(
        _stage(
            "BP1",
            L,
            delta=g.deltas[-1][0],
            y=target,
            sigma_prime=sigma_primes[-1],
            shortcut=cost_table.uses_shortcut(net.output, net.cost),  # δ^L = a^L − y
        )
    )
    for l in range(L - 1, 1, -1):
        stages.append(_stage("BP2", l, delta=g.deltas[l - 2][0], sigma_prime=sigma_primes[l - 2]))
    for l in range(L, 1, -1):
        factors = {"a_prev": g.activations[l - 2][0], "delta": g.deltas[l - 2][0]}  # a^{l−1}_k δ^l_j
        if s.l2 or s.l1:
            factors["w_before"] = net.weights[l - 2]  # the w of (λ/n) w and (λ₁/n) sgn(w)
        stages.append(_stage("BP3", l, grad_w=g.weights[l - 2], **factors))
        stages.append(_stage("BP4", l, grad_b=g.biases[l - 2]))
    for l in range(2, L + 1):
        i = l - 2
        stages.append(
            _stage(
                "update",
                l,
                w_before=net.weights[i],
                w_after=updated.weights[i],
                b_before=net.biases[i],
                b_after=updated.biases[i],
            )
        )
    return {
        "sample": sample,
        "point": session.points["train"][sample].tolist(),
        "label": session.data.labels("train")[sample],
        "sizes": list(net.sizes),
        "cost": float(g.cost) if np.isfinite(g.cost) else None,
        "eta": eta,
        "l2": s.l2,
        "l1": s.l1,
        "dropout": s.dropout,  # training steps only: this pass, like evaluation, draws no mask
        "optimizer": s.optimizer,  # the update shown is plain SGD whatever the session trains with
        "equations": {key: to_html(text) for key, text in _equations(s.l2, s.l1, m).items()},
        "stages": stages,
    }


def _equations(l2, l1, n) -> dict:
    """EQUATIONS, with BP3 carrying the L2 and L1 terms that the trace's ∂C/∂w holds, and their numbers."""
    equations = dict(EQUATIONS)
    terms, numbers = [], []
    if l2:
        terms.append(" + (λ/n) w^{l}_{jk}")  # ∂/∂w of (λ/2n) Σ w²
        numbers.append(f"λ = {l2:g}")
    if l1:
        terms.append(" + (λ₁/n) sgn(w^{l}_{jk})")  # ∂/∂w of (λ₁/n) Σ |w|
        numbers.append(f"λ₁ = {l1:g}")
    if terms:
        equations["BP3"] += "".join(terms) + "   (" + ", ".join([*numbers, f"n = {n}"]) + ")"
    return equations


def _sigma_prime(net, i, g):
    """σ′(z^l) of layer l = i + 2 from the network's activation object, or None (softmax: a Jacobian)."""
    sigma = net.output if i == len(g.zs) - 1 else net.hidden_activations[i]  # each hidden layer's own σ
    if not activation_table.is_elementwise(sigma):
        return None
    return sigma.derivative(g.zs[i], g.activations[i + 1])[0]


def _stage(name, layer, **arrays) -> dict:
    """One stage for JSON: arrays as nested lists at full precision, NaN and ±∞ as None."""
    stage = {"stage": name, "layer": layer}
    for key, value in arrays.items():
        if isinstance(value, np.ndarray):
            value = value.tolist() if np.isfinite(value).all() else np.where(np.isfinite(value), value, None).tolist()
        stage[key] = value
    return stage
