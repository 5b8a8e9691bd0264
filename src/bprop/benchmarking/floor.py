"""The product floor: a training step's own matrix products, timed alone.

At large batch a training step can be no faster than its three matrix
products per layer (``flops``). The floor runs exactly those products, with
the shapes, memory layouts and dtype (float32) of bprop's step, on every
batch of an epoch (the full batches and the last, shorter one), and nothing
else: no σ, no bias, no cost, no update, no shuffle. Per batch of m rows and
per weight layer W (n_out, n_in), as in ``core/network.py`` (orientations from
``core/fast.py``):

    forward  Z = A Wᵀ      A (m, n_in), W (n_out, n_in)  → (m, n_out)   fast.rows_times_transposed
    BP2      Δ W           Δ (m, n_out), W               → (m, n_in)    not for the first layer
    BP3      Δᵀ A          Δ (m, n_out), A               → (n_out, n_in)

``numpy_floor`` is bprop's floor g (NumPy's BLAS, the core's orientation);
``torch_floor`` is PyTorch's own floor h (torch.mm, the orientation of
nn.Linear's forward and backward). Each product returns a new array, as it
does in bprop's step and in autograd; the inputs are random numbers, since
the time of a dense product does not depend on its values. When the core
changes a product's orientation (fast.py), change it here too.
"""

from __future__ import annotations

import numpy as np

from ..core.fast import rows_times_transposed


def batch_sizes(n: int, batch_size: int) -> list:
    """The rows of each batch of an epoch over n samples: full batches, then the remainder."""
    full, rest = divmod(n, batch_size)
    return [batch_size] * full + ([rest] if rest else [])


def products(sizes, m: int) -> list:
    """The products of one step on m rows: (name, layer, left shape, right shape, result shape).

    ``layer`` counts weight layers from 1 (W^2 of the notation is layer 1 here).
    For sizes [3, 4, 2] and m = 5: forward (5,3)·(4,3)ᵀ, BP3 (5,4)ᵀ·(5,3) for
    layer 1; forward (5,4)·(2,4)ᵀ, BP2 (5,2)·(2,4), BP3 (5,2)ᵀ·(5,4) for layer 2.
    """
    listed = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        listed.append(("forward", i + 1, (m, n_in), (n_out, n_in), (m, n_out)))
        if i > 0:
            listed.append(("BP2", i + 1, (m, n_out), (n_out, n_in), (m, n_in)))
        listed.append(("BP3", i + 1, (m, n_out), (m, n_in), (n_out, n_in)))
    return listed


class NumpyFloor:
    """bprop's floor g: ``epoch()`` runs the products of every batch of one epoch in NumPy."""

    def __init__(self, sizes, n: int, batch_size: int, seed: int = 0):
        rng = np.random.default_rng(seed)
        self.sizes, self.batches = list(sizes), batch_sizes(n, batch_size)
        self.weights = [_random(rng, (n_out, n_in)) for n_in, n_out in zip(sizes[:-1], sizes[1:])]
        self.arrays = {m: self._arrays(rng, m) for m in dict.fromkeys(self.batches)}

    def _arrays(self, rng, m):
        """Activations A^l and errors Δ^l of an m-row batch (random numbers)."""
        return [_random(rng, (m, n)) for n in self.sizes[:-1]], [_random(rng, (m, n)) for n in self.sizes[1:]]

    def step(self, m: int) -> None:
        """The products of one m-row step, in the order of a forward and a backward pass."""
        acts, deltas = self.arrays[m]
        for a, w in zip(acts, self.weights):
            rows_times_transposed(a, w)  # forward: Z = A Wᵀ, in the orientation bprop picks for m
        for i in range(len(self.weights) - 1, -1, -1):
            if i > 0:
                deltas[i] @ self.weights[i]  # BP2: Δ W
            deltas[i].T @ acts[i]  # BP3: Δᵀ A

    def epoch(self) -> None:
        for m in self.batches:
            self.step(m)

    def shapes(self, m: int) -> list:
        """(name, left shape, right shape) of the products ``step(m)`` runs, read from its arrays."""
        acts, deltas = self.arrays[m]
        listed = [("forward", a.shape, w.shape) for a, w in zip(acts, self.weights)]
        for i in range(len(self.weights) - 1, -1, -1):
            if i > 0:
                listed.append(("BP2", deltas[i].shape, self.weights[i].shape))
            listed.append(("BP3", deltas[i].shape, acts[i].shape))
        return listed


class TorchFloor:
    """PyTorch's own floor h: the same products with torch.mm."""

    def __init__(self, sizes, n: int, batch_size: int, seed: int = 0, threads: int | None = None):
        import torch

        if threads is not None:
            torch.set_num_threads(threads)
        self.mm = torch.mm
        numpy = NumpyFloor(sizes, n, batch_size, seed)
        self.batches = numpy.batches
        self.weights = [torch.from_numpy(w) for w in numpy.weights]
        self.arrays = {
            m: ([torch.from_numpy(a) for a in acts], [torch.from_numpy(d) for d in deltas])
            for m, (acts, deltas) in numpy.arrays.items()
        }

    def step(self, m: int) -> None:
        acts, deltas = self.arrays[m]
        mm = self.mm
        for a, w in zip(acts, self.weights):
            mm(a, w.t())  # forward: nn.Linear's x Wᵀ
        for i in range(len(self.weights) - 1, -1, -1):
            if i > 0:
                mm(deltas[i], self.weights[i])  # grad of the input: Δ W
            mm(deltas[i].t(), acts[i])  # grad of the weight: Δᵀ A

    def epoch(self) -> None:
        for m in self.batches:
            self.step(m)


def _random(rng, shape):
    return rng.standard_normal(shape, dtype=np.float32)
