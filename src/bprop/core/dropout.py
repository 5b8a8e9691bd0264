"""Inverted dropout: the masks m^l that switch hidden neurons off during training.

During a training step each hidden neuron j of layer l (2 ≤ l ≤ L − 1) is
kept with probability 1 − p and dropped (its activation set to 0) with
probability p. Inverted dropout scales the kept ones by 1/(1 − p), so that the
expected activation is unchanged and the trained network is used as it is,
with no mask and no rescaling, for evaluation and prediction:

    m^l_j ~ Bernoulli(1 − p)                 one draw per sample, per hidden neuron
    ã^l = a^l ⊙ m^l / (1 − p)                what layer l + 1 sees:  z^{l+1} = w^{l+1} ã^l + b^{l+1}

The chain rule through ã^l adds one factor to BP2 and changes nothing else
(BP3 uses ã^{l−1}, the activation the next layer actually saw):

    BP2  δ^l = ((w^{l+1})ᵀ δ^{l+1}) ⊙ m^l/(1 − p) ⊙ σ′(z^l)

A mask array here is the whole factor m^l/(1 − p): shape (m, n_l), entries
0 (dropped) or 1/(1 − p) (kept), one row per sample. ``masks`` is a list with
one entry per hidden layer, None for a layer with p = 0.
"""

from __future__ import annotations

import numbers

import numpy as np

from ..errors import InvalidArgument


def dropout_rates(dropout, hidden_layers: int):
    """``dropout`` (one p for every hidden layer, or a list of p_2 … p_{L−1}) as a tuple, or None for none.

    Each p must satisfy 0 ≤ p < 1 (p = 1 would drop every neuron). All zero → None,
    so that training without dropout runs the very same code as before.
    """
    if dropout is None:
        return None
    if isinstance(dropout, (list, tuple)):
        rates = list(dropout)
        if len(rates) != hidden_layers:
            raise InvalidArgument(
                f"dropout has {len(rates)} rate(s) but the network has {hidden_layers} hidden layer(s); "
                "give one p per hidden layer, or a single p for all of them."
            )
    else:
        rates = [dropout] * max(hidden_layers, 1)
    for i, p in enumerate(rates):
        if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0.0 <= float(p) < 1.0:
            raise InvalidArgument(
                f"dropout={p!r} (hidden layer l = {i + 2}) must be a number with 0 ≤ p < 1, "
                "the probability of dropping a neuron; e.g. dropout=0.2."
            )
    if not any(rates):
        return None
    if not hidden_layers:
        raise InvalidArgument("dropout needs a hidden layer to act on; this network has none (sizes has 2 layers).")
    return tuple(float(p) for p in rates)


def draw_masks(rates, sizes, m: int, rng: np.random.Generator, dtype) -> list:
    """One mask m^l/(1 − p) per hidden layer for a batch of m samples, drawn from ``rng``.

    rates : p_2 … p_{L−1} (``dropout_rates``).  sizes : the network's layer widths.
    Returns NumPy arrays (m, n_l) of ``dtype`` with entries 0 or 1/(1 − p); None
    where p = 0 (no draw is made for that layer). Uniform numbers in [0, 1) are
    drawn in float64 whatever ``dtype``, so a seed gives the same masks in
    float32 and float64; neuron j is kept when its number is ≥ p.
    """
    masks = []
    for p, width in zip(rates, sizes[1:-1]):
        if not p:
            masks.append(None)
            continue
        kept = rng.random((m, width)) >= p  # m^l ~ Bernoulli(1 − p)
        masks.append(kept.astype(dtype) * dtype(1.0 / (1.0 - p)))  # m^l / (1 − p)
    return masks


def check_masks(masks, sizes, m: int) -> None:
    """Refuse masks that do not fit a batch of m samples of a network with ``sizes``."""
    hidden = sizes[1:-1]
    if len(masks) != len(hidden):
        raise InvalidArgument(
            f"masks has {len(masks)} entries but the network has {len(hidden)} hidden layer(s); "
            "give one (m, n_l) mask (or None) per hidden layer."
        )
    for i, (mask, width) in enumerate(zip(masks, hidden)):
        if mask is not None and tuple(mask.shape) != (m, width):
            raise InvalidArgument(
                f"masks[{i}] (layer l = {i + 2}) must have shape {(m, width)}, got {tuple(mask.shape)}."
            )
