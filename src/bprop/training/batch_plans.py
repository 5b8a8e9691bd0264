"""Batch plans: which rows make each mini-batch, and how a batch's gradients are found.

``train`` runs the same loop on one process and on K MPI ranks; what differs
is answered by a ``BatchPlan``: ``OneProcess`` here, where batch j is rows
[(j−1)B, jB) of the epoch's order of X, and ``bprop.training.distributed.DataParallel``,
where each rank holds its part of every global batch and one Allreduce per
step combines the parts. ``PlacedData`` holds the training set on the
network's device and gathers a batch's rows from it.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from ..core.backend import namespace
from ..core.fast import count_equal
from ..errors import InvalidArgument
from .distributed import DataParallel, communicator
from .state import SharedState, TrainingState


class BatchPlan(Protocol):
    """What the training loop asks about batches; the answers for one process or for one MPI rank.

    Attributes
    ----------
    samples : rows of the whole training set (every rank's together): n of the L2 term.
    processes : how many processes share each batch (1 without MPI).
    is_root : whether this process writes checkpoints (rank 0, or the one process).
    recomputes_order : True when an epoch's order is recomputed from (seed,
        epoch), so that a checkpoint need not store it.
    bounds : batch j (from 1) is rows bounds[j-1]:bounds[j] of this process's
        epoch order; len(bounds) − 1 batches per epoch.
    batch_sizes : batch_sizes[j-1] is the number of samples in the whole
        (global) batch j, the m of its BP3/BP4 means.
    """

    samples: int
    processes: int
    is_root: bool
    recomputes_order: bool
    bounds: list
    batch_sizes: list

    def share_rng(self, rng: np.random.Generator) -> np.random.Generator:
        """The shuffling generator, the same on every process."""
        ...

    def order(self, rng: np.random.Generator, epoch: int) -> np.ndarray:
        """This process's order of its rows in ``epoch``: (rows,) int indices."""
        ...

    def part_rows(self, batch: int) -> slice | None:
        """The rows of global batch ``batch`` (from 1) this process holds, as a slice; None: all of them."""
        ...

    def gradients(self, state: TrainingState, X, Y, labels, batch: int) -> tuple:
        """(grads, samples, correct) of batch ``batch``: its Gradients (BP1–BP4, with
        state.l2, state.l1, state.n and the dropout masks state.masks), its number of samples and of correctly labelled
        ones, all of the whole batch. X (m_b, n_1), Y (m_b, n_L) and labels
        (m_b,) or None are this process's rows of it, on the network's device."""
        ...

    def evaluate(self, net, validation) -> tuple:
        """(cost, accuracy) on the placed validation data; (None, None) without it."""
        ...

    def fingerprint(self, digest: str) -> str:
        """The SHA-256 of the whole run's data, from this process's ``digest`` of its own."""
        ...


class OneProcess:
    """The batch plan of one process: batch j is rows [(j−1)B, jB) of the epoch's order of X.

    The last batch holds the remainder; nothing is combined with anyone.
    """

    processes, is_root, recomputes_order = 1, True, False

    def __init__(self, m: int, batch_size: int):
        self.samples = m
        self.bounds = [*range(0, m, batch_size), m]
        self.batch_sizes = [stop - start for start, stop in zip(self.bounds, self.bounds[1:])]

    def share_rng(self, rng):
        return rng

    def order(self, rng, epoch):
        return rng.permutation(self.samples)

    @staticmethod
    def part_rows(batch):
        return None

    def gradients(self, state, X, Y, labels, batch, sample_weight=None):
        net = state.net
        grads = net.backprop_placed(
            X, Y, state.l2, state.n, sample_weight=sample_weight, l1=state.l1, masks=state.masks
        )
        correct = 0 if labels is None else count_equal(net.labels_from_outputs(grads.activations[-1]), labels)
        return grads, X.shape[0], correct

    def gradients_without_cost(self, state, X, Y):
        """The Gradients of a batch without its cost (None): the loop finds many batches' costs at once."""
        return state.net.backprop_placed(X, Y, state.l2, state.n, l1=state.l1, masks=state.masks, with_cost=False)

    @staticmethod
    def gradients_on_device(state, X, Y, labels, sample_weight=None):
        """As ``gradients``, with the cost and the correct count left as 0-d arrays on the device.

        Reading either as a number waits for the GPU to finish the batch; the
        loop's GPU path (``batch_runs.BatchRuns.run_batches_on_device``) reads them once per
        epoch instead, so the host queues the next batches meanwhile.
        """
        net = state.net
        grads = net.backprop_placed(
            X, Y, state.l2, state.n, cost_on_host=False, sample_weight=sample_weight, l1=state.l1, masks=state.masks
        )
        correct = (
            None
            if labels is None
            else namespace(labels).count_nonzero(net.labels_from_outputs(grads.activations[-1]) == labels)
        )
        return grads, X.shape[0], correct

    @staticmethod
    def evaluate(net, validation):
        return net.evaluate_placed(*validation) if validation else (None, None)

    @staticmethod
    def fingerprint(digest):
        return digest


def batch_plan(net, m: int, batch_size: int, distributed, rng, facts=None):
    """(plan, shuffling generator, TrainingState class) for one process, or for a rank of an MPI job.

    ``distributed`` is train's argument (None: one process). Under MPI the
    generator is rank 0's, shared, and the state class is ``SharedState``,
    whose ``interrupt()`` travels with the next Allreduce so that every rank
    stops at the same batch. ``facts()``: what every rank must agree on
    (``distributed.training_facts``), compared before the first step.
    """
    if distributed is None:
        return OneProcess(m, batch_size), rng, TrainingState
    check_distributable(net)
    plan = DataParallel(communicator(distributed), m, batch_size, facts() if facts else None)
    return plan, plan.share_rng(rng), SharedState


def check_distributable(net) -> None:
    """Refuse a network that MPI training cannot combine: its arrays must be NumPy's, on the CPU."""
    if not net.backend.is_numpy:
        raise InvalidArgument(
            f"distributed training combines NumPy gradients over MPI; this network's arrays are "
            f"{net.backend.name}'s on {net.device}. Use a device='cpu' NumPy network "
            "(one GPU per rank is not supported yet)."
        )


class PlacedData:
    """The training set on the network's device: X (m, n_1), targets (m, n_L), labels (m,) or None.

    ``gather(array, rows)`` picks a batch's rows (a slice when the order is as
    stored, else indices): the standard's ``take``, for NumPy its ``take``
    method (measured 20 ms an epoch of Fashion-MNIST at batch 1024 against 25 ms
    for indexing with the same rows). ``placed_order`` moves an epoch's order to the device once.
    """

    def __init__(self, net, X, targets, labels):
        self.numpy = net.backend.is_numpy
        self.X, self.targets = net.place(X), net.place(targets)
        self.labels = None if labels is None else net.place(labels)
        self.xp = namespace(self.X)
        self.place = net.place
        self.gather = self.take

    def placed_order(self, order):
        return order if order is None or self.numpy else self.place(order)

    def take(self, array, rows):
        if isinstance(rows, slice):
            return array[rows, ...]
        if self.numpy:
            return array.take(rows, axis=0)  # the method: no array API wrapper on the hot path
        return self.xp.take(array, rows, axis=0)
