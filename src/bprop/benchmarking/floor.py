"""The product floor: a training step's own matrix products, timed alone.

At large batch a training step can be no faster than its three matrix
products per layer (``flops``). The floor runs exactly those products, with
the shapes, memory layouts and dtype (float32) of bprop's step, on every
batch of an epoch (the full batches and the last, shorter one), and nothing
else: no σ, no bias, no cost, no update, no shuffle. Per batch of m rows and
per weight layer W (n_out, n_in), as in ``core/network.py`` (orientations from
``core/fast.py``):

    forward  Z = A Wᵀ      A (m, n_in), W (n_out, n_in)  → (m, n_out)   as (W Aᵀ)ᵀ below fast.SMALL_BATCH rows
    BP2      Δ W           Δ (m, n_out), W               → (m, n_in)    as (Wᵀ Δᵀ)ᵀ below fast.SMALL_BATCH rows; not for the first layer
    BP3      Δᵀ A          Δ (m, n_out), A               → (n_out, n_in)

``numpy_floor`` is bprop's floor g (NumPy's BLAS, the core's orientation);
``torch_floor`` is PyTorch's own floor h (torch.mm, the orientation of
nn.Linear's forward and backward). Each product writes into an array made
beforehand, so that no floor pays for allocations; the inputs are random
numbers, since the time of a dense product does not depend on its values.
When the core changes a product's orientation (fast.py), change it here too.
"""

from __future__ import annotations

import numpy as np

from ..core.fast import SMALL_BATCH


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
        pairs = list(zip(sizes[:-1], sizes[1:]))
        self.weights = [_random(rng, (n_out, n_in)) for n_in, n_out in pairs]
        self.grads = [np.empty((n_out, n_in), np.float32) for n_in, n_out in pairs]  # BP3's results
        self.arrays = {m: self._arrays(rng, m) for m in dict.fromkeys(self.batches)}

    def _arrays(self, rng, m):
        """An m-row batch's activations A^l and errors Δ^l (random numbers) and result arrays.

        The forward and BP2 results are laid out as the core's products leave
        them: (n, m), transposed, where it computes A Wᵀ as (W Aᵀ)ᵀ and Δ W as (Wᵀ Δᵀ)ᵀ.
        """
        acts = [_random(rng, (m, n)) for n in self.sizes[:-1]]
        deltas = [_random(rng, (m, n)) for n in self.sizes[1:]]
        flipped = m < SMALL_BATCH
        zs = [np.empty((n, m) if flipped else (m, n), np.float32) for n in self.sizes[1:]]
        back = [np.empty((n, m) if flipped else (m, n), np.float32) for n in self.sizes[:-1]]
        return acts, deltas, zs, back

    def step(self, m: int) -> None:
        """The products of one m-row step, in the order of a forward and a backward pass."""
        acts, deltas, zs, back = self.arrays[m]
        flipped = m < SMALL_BATCH
        for a, w, z in zip(acts, self.weights, zs):
            if flipped:
                np.matmul(w, a.T, out=z)  # forward: Z = A Wᵀ taken as (W Aᵀ)ᵀ, as fast.rows_times_transposed
            else:
                np.matmul(a, w.T, out=z)  # forward: Z = A Wᵀ
        for i in range(len(self.weights) - 1, -1, -1):
            if i > 0 and flipped:
                np.matmul(self.weights[i].T, deltas[i].T, out=back[i])  # BP2: Δ W as (Wᵀ Δᵀ)ᵀ, as fast.rows_times
            elif i > 0:
                np.matmul(deltas[i], self.weights[i], out=back[i])  # BP2: Δ W
            np.matmul(deltas[i].T, acts[i], out=self.grads[i])  # BP3: Δᵀ A

    def epoch(self) -> None:
        for m in self.batches:
            self.step(m)

    def shapes(self, m: int) -> list:
        """(name, left shape, right shape) of the products ``step(m)`` runs, read from its arrays."""
        acts, deltas, _, _ = self.arrays[m]
        listed = [("forward", a.shape, w.shape) for a, w in zip(acts, self.weights)]
        for i in range(len(self.weights) - 1, -1, -1):
            if i > 0:
                listed.append(("BP2", deltas[i].shape, self.weights[i].shape))
            listed.append(("BP3", deltas[i].shape, acts[i].shape))
        return listed


class TorchFloor:
    """PyTorch's own floor h: the same products with torch.mm, in nn.Linear's orientations."""

    def __init__(self, sizes, n: int, batch_size: int, seed: int = 0, threads: int | None = None):
        import torch

        if threads is not None:
            torch.set_num_threads(threads)
        self.mm = torch.mm
        numpy = NumpyFloor(sizes, n, batch_size, seed)
        self.batches = numpy.batches
        self.weights = [torch.from_numpy(w) for w in numpy.weights]
        self.grads = [torch.from_numpy(g) for g in numpy.grads]
        self.arrays = {}
        for m, (acts, deltas, _, _) in numpy.arrays.items():
            tensors = [[torch.from_numpy(x) for x in arrays] for arrays in (acts, deltas)]
            zs = [torch.empty(m, n) for n in sizes[1:]]  # nn.Linear's forward: (m, n_out) at every m
            back = [torch.empty(m, n) for n in sizes[:-1]]  # and its backward: (m, n_in)
            self.arrays[m] = (tensors[0], tensors[1], zs, back)

    def step(self, m: int) -> None:
        acts, deltas, zs, back = self.arrays[m]
        mm = self.mm
        for a, w, z in zip(acts, self.weights, zs):
            mm(a, w.t(), out=z)  # forward: nn.Linear's x Wᵀ
        for i in range(len(self.weights) - 1, -1, -1):
            if i > 0:
                mm(deltas[i], self.weights[i], out=back[i])  # grad of the input: Δ W
            mm(deltas[i].t(), acts[i], out=self.grads[i])  # grad of the weight: Δᵀ A

    def epoch(self) -> None:
        for m in self.batches:
            self.step(m)


def _random(rng, shape):
    return rng.standard_normal(shape, dtype=np.float32)
