"""MLPRegressor's Poisson loss in bprop's terms: an exp output layer and the half Poisson deviance.

With ``loss="poisson"`` MLPRegressor predicts a = exp(z^L) (the log link) and
minimizes the half Poisson deviance per sample,

    C = Σ_j [ y_j ln(y_j / a_j) − y_j + a_j ]        (y ln y read as 0 at y = 0)

whose gradient ∂C/∂a_j = 1 − y_j/a_j times σ′(z) = exp(z) = a gives BP1's
δ^L = a − y, the same simple error as the other canonical pairs.
"""

from __future__ import annotations

import numpy as np
from scipy.special import xlogy


class Exp:
    """σ(z) = exp(z), σ′(z) = exp(z) = a: the inverse of Poisson's log link."""

    name = "exp"

    def value(self, z):
        return np.exp(z)

    def derivative(self, z, a):
        return a


class HalfPoissonDeviance:
    """C = Σ_j [y_j ln(y_j/a_j) − y_j + a_j], for exp outputs; ∂C/∂a = 1 − y/a."""

    name = "poisson"

    def value(self, a, y):
        a = np.maximum(a, np.finfo(a.dtype).tiny)
        return np.sum(xlogy(y, y / a) - y + a, axis=-1)

    def gradient(self, a, y):
        return 1.0 - y / np.maximum(a, np.finfo(a.dtype).tiny)
