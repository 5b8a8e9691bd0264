"""Data-parallel training over MPI: K processes (ranks) share each mini-batch.

Run with ``mpiexec -n K bprop train ... --distributed``, or from Python with
``bp.train(net, X_shard, Y_shard, ..., distributed=True)`` under ``mpiexec``.
mpi4py is imported only here, and only when asked for (``pip install
'bprop[mpi]'`` brings mpi4py and the MPICH runtime, which gives ``mpiexec``).

The data. Rank r holds only its shard: the global rows ``shard_rows(m,
batch_size, K, r)`` of the training set (m rows). Global batch j is rows
[jB, (j+1)B) of the whole set (the last batch holds the remainder); its s rows
are split across the ranks in rank order, rank r taking s//K rows, plus one
when r < s mod K. Each rank's shard is those parts, batch after batch.

A step. Rank r runs BP1–BP4 on its part, dividing the BP3/BP4 sums by the
GLOBAL batch size s (``Network.backprop_placed(..., divisor=s)``):

    ∂C/∂W^l  =  Σ_r (Δ^l_r)ᵀ A^{l−1}_r / s        BP3, summed over the ranks
    ∂C/∂b^l  =  Σ_r Σ_i δ^l_{r,i} / s              BP4

so the sum over ranks is exactly the mean over the global batch. The
gradients, the batch cost, the count of correct labels, the sample count and
an interrupt flag go into one flat buffer, combined by ONE
``Allreduce(IN_PLACE, buffer, SUM)`` per step; every rank then applies the
identical update. The L2 term (λ/n) w and its cost (λ/2n) Σ w² are added on
rank 0 only, so the sum counts them once.

Shuffling. With shuffle=True each rank permutes its own shard every epoch,
from (the run's seed, epoch, rank); the sizes of the parts stay as above.
This is one process training on a particular global order: batch j is rank
0's part, then rank 1's, …, of the permuted shards. The permutation is
recomputed, not stored, so ``resume`` needs nothing more than one rank's
checkpoint.

Rank 0 alone writes checkpoints (train) and files (the command line);
validation is evaluated on rank 0 and its figures broadcast, so that early
stopping agrees on every rank.

Failure. When a rank dies, ``mpiexec`` (MPICH's hydra) kills the others and
exits with the dead rank's status within a second. A rank that raises an
error alone would leave the others waiting in the next Allreduce: the command
line calls ``Communicator.abort`` on such an error; Python scripts should run
as ``mpiexec -n K python -m mpi4py script.py``, which does the same.
"""

from __future__ import annotations

import contextlib
import hashlib
import sys

import numpy as np

from ..errors import InvalidArgument

INSTALL = "pip install 'bprop[mpi]'"


class Communicator:
    """The ranks of one MPI job (``MPI.COMM_WORLD`` by default): rank, size and the collectives bprop uses."""

    def __init__(self, comm=None):
        MPI = _mpi()
        self.MPI = MPI
        self.comm = MPI.COMM_WORLD if comm is None else comm
        self.rank, self.size = self.comm.Get_rank(), self.comm.Get_size()

    def __repr__(self):
        return f"Communicator(rank={self.rank}, size={self.size})"

    def allreduce_sum(self, buffer: np.ndarray) -> None:
        """buffer ← Σ over ranks of buffer, in place: one MPI Allreduce."""
        self.comm.Allreduce(self.MPI.IN_PLACE, buffer, op=self.MPI.SUM)

    def broadcast(self, value, root=0):
        """rank ``root``'s value, on every rank (a small Python object)."""
        return self.comm.bcast(value, root=root)

    def gather_all(self, value) -> list:
        """Every rank's value, in rank order, on every rank (small Python objects)."""
        return self.comm.allgather(value)

    def abort(self, code=1) -> None:
        """End every rank of the job now (after an error on this rank alone)."""
        self.comm.Abort(code)

    @contextlib.contextmanager
    def abort_on_error(self, agreed=()):
        """An error inside ends every rank (MPI Abort) instead of leaving the others waiting forever.

        ``agreed``: exception types that every rank raises together (such as
        TrainingDiverged, decided on the reduced cost); those pass through.
        Before aborting, the error is written to stderr with this rank's number.
        """
        try:
            yield
        except agreed:
            raise
        except BaseException as e:
            if self.size > 1:
                what = str(e) if isinstance(e, InvalidArgument) else f"{type(e).__name__}: {e}"
                sys.stderr.write(
                    f"bprop: error on rank {self.rank} of {self.size}: {what.rstrip('.')}; ending every rank.\n"
                )
                sys.stderr.flush()
                self.abort(1)
            raise


def communicator(distributed) -> Communicator:
    """``train``'s distributed argument as a Communicator: True means MPI.COMM_WORLD."""
    if isinstance(distributed, Communicator):
        return distributed
    if distributed is True:
        return Communicator()
    raise InvalidArgument(
        f"distributed must be True or a bprop.training.distributed.Communicator, got {distributed!r}."
    )


def _mpi():
    try:
        from mpi4py import MPI
    except ImportError as e:
        raise InvalidArgument(
            f"distributed training needs mpi4py and an MPI runtime ({e}); install them with "
            f"{INSTALL} and start the processes with mpiexec -n K."
        ) from None
    return MPI


# -- the shards ---------------------------------------------------------------


def part_sizes(m: int, batch_size: int, size: int, rank: int) -> np.ndarray:
    """Rows rank ``rank`` of ``size`` takes from each global batch: s//K, +1 when rank < s mod K."""
    batches = -(-m // batch_size)
    sizes = np.full(batches, batch_size, dtype=np.int64)
    sizes[-1] = m - (batches - 1) * batch_size
    return sizes // size + (rank < sizes % size)


def shard_rows(m: int, batch_size: int, size: int, rank: int) -> np.ndarray:
    """The global row indices (int64, increasing) that rank ``rank`` of ``size`` trains on.

    m : rows of the whole training set.  Rank r's rows of global batch j
    (rows [jB, (j+1)B)) start at jB + r·(s//K) + min(r, s mod K), s the
    batch's size. Read only these rows, in this order, and pass them to
    ``train(..., distributed=...)``.
    """
    if batch_size < size:
        raise InvalidArgument(
            f"batch_size={batch_size} is smaller than the {size} processes; each global batch "
            f"must give every process a row: use batch_size ≥ {size} or fewer processes."
        )
    parts = part_sizes(m, batch_size, size, rank)
    sizes = part_sizes(m, batch_size, 1, 0)
    first = np.arange(len(parts)) * batch_size + rank * (sizes // size) + np.minimum(rank, sizes % size)
    local_starts = np.concatenate(([0], np.cumsum(parts)[:-1]))
    return np.arange(parts.sum()) + np.repeat(first - local_starts, parts)


class DataParallel:
    """The batch plan of one rank: its part of each global batch, and the one Allreduce per step.

    Implements ``bprop.training.batch_plans.BatchPlan``: ``bounds`` (batch j is
    rows bounds[j-1]:bounds[j] of the epoch's order of the shard),
    ``batch_sizes`` (of the global batches), ``order`` (an epoch's order),
    ``gradients`` (one step's combined gradients), ``evaluate`` and
    ``fingerprint``, answered for rank ``comm.rank`` of ``comm.size``.
    """

    recomputes_order = True  # the epoch's order comes from (seed, epoch, rank); checkpoints omit it

    def __init__(self, comm: Communicator, shard_samples: int, batch_size: int):
        self.comm, self.rank, self.processes = comm, comm.rank, comm.size
        counts = comm.gather_all(int(shard_samples))
        self.samples = m = sum(counts)
        if m == 0:
            raise InvalidArgument("distributed training: every process was given an empty shard.")
        expected = [
            int(part_sizes(m, batch_size, self.processes, r).sum()) if batch_size >= self.processes else None
            for r in range(self.processes)
        ]
        shard_rows(m, batch_size, self.processes, self.rank)  # refuses batch_size < K
        if counts != expected:
            raise InvalidArgument(
                f"distributed training: the processes hold {counts} rows, but the shards of {m} rows in batches "
                f"of {batch_size} over {self.processes} processes hold {expected}; give rank r the rows "
                f"bprop.training.distributed.shard_rows({m}, {batch_size}, {self.processes}, r)."
            )
        parts = part_sizes(m, batch_size, self.processes, self.rank)
        self.batch_sizes = part_sizes(m, batch_size, 1, 0).tolist()  # of the global batches
        self.bounds = [0, *np.cumsum(parts).tolist()]
        self.is_root = self.rank == 0
        self.base_seed = None
        self.buffer = None

    # -- what train asks ----------------------------------------------------------

    def share_rng(self, rng) -> np.random.Generator:
        """The shuffling generator, the same on every rank: rank 0's state (it may be fresh randomness)."""
        return _copy_of(rng, self.comm.broadcast(rng.bit_generator.state))

    def order(self, rng, epoch) -> np.ndarray:
        """This rank's order of its shard in ``epoch``: a permutation from (rng's seed, epoch, rank).

        ``rng`` is only read (a copy draws the run's base seed), so that a
        resumed run, restoring the same generator, recomputes the same orders.
        """
        if self.base_seed is None:
            self.base_seed = int(_copy_of(rng).integers(2**63))
        rows = self.bounds[-1]
        return np.random.default_rng([self.base_seed, epoch, self.rank]).permutation(rows)

    def gradients(self, state, X, Y, labels, batch):
        """One step: BP1–BP4 on this rank's part, then one Allreduce of everything the step needs.

        Returns (grads, samples, correct) of the GLOBAL batch: grads.weights /
        grads.biases are ∂C/∂w, ∂C/∂b of the global batch mean (views into the
        reduced buffer), grads.cost its cost; deltas, zs and activations stay
        this rank's own. A pending ``state.interrupt()`` on any rank stops
        every rank after this step.
        """
        net = state.net
        grads = net.backprop_placed(
            X, Y, state.l2 if self.is_root else 0.0, state.n, divisor=self.batch_sizes[batch - 1]
        )
        correct = (
            0 if labels is None else int(np.count_nonzero(net.labels_from_outputs(grads.activations[-1]) == labels))
        )
        buffer = self._buffer(grads)
        at = 0
        for array in (*grads.weights, *grads.biases):
            buffer[at : at + array.size] = array.ravel()
            at += array.size
        buffer[at:] = (grads.cost, correct, X.shape[0], getattr(state, "interrupt_requested", False))
        self.comm.allreduce_sum(buffer)
        layers = len(grads.weights)
        grads.weights, grads.biases = self._views[:layers], self._views[layers:]
        cost, correct, samples, interrupt = buffer[at:].tolist()
        grads.cost = cost
        if interrupt:
            state.interrupted = state.stop = True
        return grads, int(samples), int(correct)

    def evaluate(self, net, validation):
        """(cost, accuracy) on the validation data, measured on rank 0 and shared: (None, None) without it."""
        figures = net.evaluate_placed(*validation) if validation and self.is_root else None
        return self.comm.broadcast(figures) or (None, None)

    def fingerprint(self, digest: str) -> str:
        """One SHA-256 of every rank's data digest, in rank order (the data of the whole run)."""
        return hashlib.sha256("".join(self.comm.gather_all(digest)).encode()).hexdigest()

    def _buffer(self, grads):
        """The step's flat buffer (made once): every ∂C/∂w^l, ∂C/∂b^l, then cost, correct, samples, interrupt."""
        if self.buffer is None:
            arrays = (*grads.weights, *grads.biases)
            total = sum(a.size for a in arrays)
            self.buffer = np.empty(total + 4, dtype=np.result_type(grads.weights[0], np.float32))
            self._views, at = [], 0
            for a in arrays:
                self._views.append(self.buffer[at : at + a.size].reshape(a.shape))
                at += a.size
        return self.buffer


def _copy_of(rng, state=None):
    """A new Generator of rng's kind, in ``state`` (default: rng's own): drawing from it leaves rng as it is."""
    generator = np.random.Generator(type(rng.bit_generator)())
    generator.bit_generator.state = rng.bit_generator.state if state is None else state
    return generator
