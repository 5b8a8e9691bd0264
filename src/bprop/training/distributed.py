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

Agreement. Before the first step, ``train`` compares what every rank was
asked to do (``agree``: network sizes, σ, cost, dtype, initial weights,
optimizer and its hyper-parameters, epochs, batch size, L2, shuffle, early
stopping, checkpointing), in the one allgather that also collects the shard
sizes; any difference raises ``RanksDisagree`` on every rank at once, naming
the first difference, before any Allreduce could pair buffers of different
shapes.

Failure. When a rank dies, ``mpiexec`` (MPICH's hydra) kills the others and
exits with the dead rank's status within a second. A rank that raises an
error alone would leave the others waiting in the next Allreduce: the command
line calls ``Communicator.abort`` on such an error; Python scripts should run
as ``mpiexec -n K python -m mpi4py script.py``, which does the same. Every
rank of more than one watches its parent process (``watch_launcher``): when
``mpiexec`` or its proxy is killed, the rank ends within a second instead of
waiting in a collective forever.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
import threading
import time

import numpy as np

from ..errors import InvalidArgument

INSTALL = "pip install 'bprop[mpi]'"
LAUNCHER_SIZE_VARIABLES = ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "MV2_COMM_WORLD_SIZE")
LAUNCHER_RANK_VARIABLES = ("PMI_RANK", "OMPI_COMM_WORLD_RANK", "MV2_COMM_WORLD_RANK")


class RanksDisagree(InvalidArgument):
    """The ranks of one MPI job were asked different things; raised on every rank together."""


def launched_ranks() -> tuple[int, int]:
    """(rank, size) of this process as ``mpiexec`` announced it in the environment; (0, 1) outside an MPI job.

    Read without importing MPI: MPICH and Intel MPI set PMI_RANK/PMI_SIZE,
    Open MPI OMPI_COMM_WORLD_RANK/_SIZE, MVAPICH MV2_COMM_WORLD_RANK/_SIZE.
    """
    for size_name, rank_name in zip(LAUNCHER_SIZE_VARIABLES, LAUNCHER_RANK_VARIABLES):
        size, rank = os.environ.get(size_name, ""), os.environ.get(rank_name, "0")
        if size.isdigit() and rank.isdigit() and int(size) >= 1:
            return int(rank), int(size)
    return 0, 1


def watch_launcher(interval=0.25) -> None:
    """End this process (status 1) within ``interval`` s once its parent (mpiexec's proxy) is gone.

    A rank whose ``mpiexec`` was killed would otherwise wait in a collective,
    spinning, forever: its parent dies, and the rank is re-parented (its
    ``getppid()`` changes). A daemon thread polls for that; MPI calls release
    the GIL, so it runs while the main thread waits in one. Started once.
    """
    global _watching
    if _watching:
        return
    _watching = True
    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(interval)
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.write(f"bprop: mpiexec is gone (process {parent} ended); ending this rank.\n")
            sys.stderr.flush()
        os._exit(1)

    threading.Thread(target=watch, name="bprop-watch-launcher", daemon=True).start()


_watching = False


ABORT_GRACE = 0.5  # s between writing this rank's last words and MPI_Abort (see Communicator.abort)


class Communicator:
    """The ranks of one MPI job (``MPI.COMM_WORLD`` by default): rank, size and the collectives bprop uses."""

    def __init__(self, comm=None):
        MPI = _mpi()
        self.MPI = MPI
        self.comm = MPI.COMM_WORLD if comm is None else comm
        self.rank, self.size = self.comm.Get_rank(), self.comm.Get_size()
        if self.size > 1:
            watch_launcher()

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

    def gather_when_ready(self, record, give_up=None, poll=0.005):
        """Every rank's ``record`` in rank order, once every rank has called this; None when ``give_up()`` says so.

        Waits in a non-blocking barrier (Ibarrier), polled, so that Python's
        signal handlers run meanwhile and a wait can be abandoned; the records
        then travel in one allgather, which every rank has reached. ``record``
        may be a callable, asked for the record once every rank is there (a
        signal received while waiting may have changed it).
        """
        request = self.comm.Ibarrier()
        while not request.Test():
            if give_up is not None and give_up():
                return None
            time.sleep(poll)
        return self.comm.allgather(record() if callable(record) else record)

    def abort(self, code=1) -> None:
        """End every rank of the job now (after an error on this rank alone); does not return.

        MPI_Abort asks ``mpiexec`` to end the job and may return before it
        does: this process then ends itself, without unwinding (a traceback
        written while being killed would only be cut short). It first gives
        mpiexec's proxy ABORT_GRACE s to forward what this rank wrote: the proxy
        drops output it has not read yet when the job ends (measured: the
        error line lost in 2 runs of 25 without the pause).
        """
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.flush()
            sys.stdout.flush()
        time.sleep(ABORT_GRACE)
        self.comm.Abort(code)
        os._exit(code)

    @contextlib.contextmanager
    def abort_on_error(self, agreed=(), active=None):
        """An error inside ends every rank (MPI Abort) instead of leaving the others waiting forever.

        ``agreed``: exception types that every rank raises together (such as
        TrainingDiverged, decided on the reduced cost); those pass through.
        ``active()``: False while errors are still the caller's to share in
        another way (the command line's meeting before training). Before
        aborting, the error is written to stderr with this rank's number.
        """
        try:
            yield
        except (*agreed, RanksDisagree):
            raise
        except BaseException as e:
            if self.size > 1 and (active is None or active()):
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


# -- agreement ------------------------------------------------------------------


def first_difference(records: list, name=str) -> str | None:
    """The first way in which a rank's record (a flat dict) differs from rank 0's, as a phrase; None when all agree.

    ``name(key)`` is how the message calls a key (a flag, an argument). The
    phrase reads "rank 2's lr 0.5 differs from rank 0's 0.1".
    """
    first = records[0]
    for rank, record in enumerate(records[1:], 1):
        for key in [*first, *(k for k in record if k not in first)]:
            mine, theirs = first.get(key), record.get(key)
            if not (mine == theirs or repr(mine) == repr(theirs)):
                return f"rank {rank}'s {name(key)} {_shown(theirs)} differs from rank 0's {_shown(mine)}"
    return None


def _shown(value) -> str:
    """A value in a message: lists as 4,5; hashes cut to 12 digits; long texts to 60 characters."""
    if value is None:
        return "(none)"
    text = ",".join(map(str, value)) if isinstance(value, list | tuple) else str(value)
    if len(text) == 64 and all(c in "0123456789abcdef" for c in text):
        return f"{text[:12]}…"
    return text if len(text) <= 60 else f"{text[:57]}…"


def training_facts(net, optimizer, **arguments) -> dict:
    """What ``train`` was asked to do, as one flat dict that every rank must hold equally.

    The network's sizes, σ of the hidden and output layers, cost, dtype and
    the SHA-256 of its initial w^l, b^l (the seed that drew them); the
    optimizer's class and its numeric hyper-parameters (η, μ, β₁, β₂, ε);
    then ``arguments`` (epochs, batch_size, l2, shuffle, checkpointing, …).
    """
    digest = hashlib.sha256()
    for array in (*net.weights, *net.biases):
        digest.update(np.ascontiguousarray(np.asarray(array)).tobytes())
    facts = {
        "sizes": list(net.sizes),
        "activation": net.activation_name,  # 'relu', or one σ per hidden layer: 'relu,tanh'
        "output": getattr(net.output, "name", type(net.output).__name__),
        "cost": getattr(net.cost, "name", type(net.cost).__name__),
        "dtype": str(np.dtype(net.dtype)),
        "initial weights": digest.hexdigest(),
        "optimizer": type(optimizer).__name__,
    }
    for key, value in vars(optimizer).items():
        if key not in ("steps", "state") and isinstance(value, int | float | str | bool):
            facts[f"optimizer's {key}"] = value
    return facts | arguments


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

    def __init__(self, comm: Communicator, shard_samples: int, batch_size: int, facts=None):
        self.comm, self.rank, self.processes = comm, comm.rank, comm.size
        # polled, not blocking: a signal (SIGTERM) is handled while a slower rank is still on its way
        gathered = comm.gather_when_ready((int(shard_samples), facts or {}))
        difference = first_difference([f for _, f in gathered])
        if difference is not None:  # every rank finds the same one: every rank raises
            raise RanksDisagree(
                f"distributed training: {difference}; every rank must train the same network the same way "
                "(the same sizes, σ, cost, dtype, initial weights, optimizer and train arguments)."
            )
        counts = [count for count, _ in gathered]
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
            X,
            Y,
            state.l2 if self.is_root else 0.0,
            state.n,
            divisor=self.batch_sizes[batch - 1],
            l1=state.l1 if self.is_root else 0.0,
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
