"""Initial weights w^l and biases b^l.

An initializer is any object with one method:

    initial(n_out, n_in, rng) -> (w, b)     w : (n_out, n_in), b : (n_out,)

where ``rng`` is a ``numpy.random.Generator``: every random number comes from
it, so a network is reproducible from its seed.
"""

from __future__ import annotations

import numpy as np


class Normal:
    """w, b ~ N(0, 1): the classic initialization of the derivation."""

    name = "normal"

    def initial(self, n_out, n_in, rng):
        return rng.standard_normal((n_out, n_in)), rng.standard_normal(n_out)


class ScaledNormal:
    """w ~ N(0, 1/n_in), b ~ N(0, 1).

    Scaling by 1/√n_in keeps z = Σ_k w_jk a_k + b_j of order 1, so sigmoid
    neurons do not start saturated.
    """

    name = "scaled_normal"

    def initial(self, n_out, n_in, rng):
        return rng.standard_normal((n_out, n_in)) / np.sqrt(n_in), rng.standard_normal(n_out)


class Xavier:
    """w ~ U(−r, r), r = √(6 / (n_in + n_out)); b = 0.

    Glorot & Bengio (2010), "Understanding the difficulty of training deep
    feedforward neural networks", eq. 16.
    """

    name = "xavier"

    def initial(self, n_out, n_in, rng):
        r = np.sqrt(6.0 / (n_in + n_out))
        return rng.uniform(-r, r, (n_out, n_in)), np.zeros(n_out)


class He:
    """w ~ N(0, 2/n_in); b = 0.

    He et al. (2015), "Delving deep into rectifiers", for ReLU networks.
    """

    name = "he"

    def initial(self, n_out, n_in, rng):
        return rng.standard_normal((n_out, n_in)) * np.sqrt(2.0 / n_in), np.zeros(n_out)


BUILTIN = {
    "normal": Normal,
    "scaled_normal": ScaledNormal,
    "xavier": Xavier,
    "he": He,
}
