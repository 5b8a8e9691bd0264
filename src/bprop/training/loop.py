"""The training loop: mini-batch gradient descent with BP1–BP4.

Each epoch shuffles the training set once, then for each mini-batch runs
``backprop`` and the optimizer's ``step``. The loop never prints: it returns a
``History``, and front ends attach callbacks (progress bars, plots) that are
called after every batch and every epoch.

A callback is any object with some of these methods, each taking the
``TrainingState``:

    on_train_begin(state)   on_batch_end(state)   on_epoch_end(state)   on_train_end(state)

Setting ``state.stop = True`` in a callback ends training after the current
batch. ``state.interrupt()`` (the command line calls it on Ctrl-C) also stops
after the current batch, but saves a checkpoint there and raises
TrainingInterrupted, so that ``train(..., resume=...)`` continues as if
nothing had happened.

Divergence. Training stops with TrainingDiverged, and the weights of the
start of the epoch restored, when a batch's cost C is NaN or infinite, when
it explodes — |C| > EXPLOSION_FACTOR (10⁶) × the mean training cost of the
first epoch, checked from the second epoch on — or when a step leaves a
weight NaN or infinite (checked at the end of each epoch). The checks cost
one comparison per batch and one pass over the parameters per epoch.

Checkpoints (``bprop.checkpoint``). With ``checkpoint=Checkpointer(path,
every_epochs=N or every_batches=N)`` the loop saves, atomically, everything
it needs to continue: weights, optimizer buffers and step count, the
shuffling generator's state, the position (epoch, batches done, the epoch's
order and running sums, its starting weights), the history and early
stopping's best weights. ``resume=path`` restores all of that first; the
final weights then equal, bit for bit, those of a run never stopped.
Between checkpoints the batches run the very same loop as without them.

Many processes (``bprop.distributed``). With ``distributed=True`` under
``mpiexec -n K``, X and Y are this rank's shard, each global batch is split
across the ranks, and one Allreduce per step combines their BP3/BP4 sums, so
that every rank applies the same update as one process would. The loop is the
same; a batch plan (``_OneProcess`` here, ``distributed.DataParallel`` there)
says which rows make each batch and how its gradients are found.

Devices. For a network on a GPU (``Network(..., device="cuda")``) the
training data move to the device once, when ``train`` starts; each epoch's
shuffled order moves once per epoch, and every batch is gathered there.
"""

from __future__ import annotations

import copy
import hashlib
import math
import operator
import sys
import time
from dataclasses import asdict, dataclass, field

import numpy as np

from ..core.arguments import as_inputs, as_targets, non_negative_float, positive_int
from ..core.backend import copy as copied_array
from ..core.backend import namespace, to_numpy
from ..core.optimizers import SGD, Optimizer
from ..errors import InvalidArgument, TrainingDiverged, TrainingInterrupted
from . import checkpoints

EXPLOSION_FACTOR = 1e6
"""A batch cost above this many times the first epoch's mean training cost counts as divergence."""


@dataclass
class History:
    """Per-epoch figures of one training run; index e is epoch e + 1.

    train_cost / train_accuracy are running means over the epoch's batches (as
    the weights changed during the epoch); the validation figures are measured
    after the epoch. Accuracies are None for regression networks; validation
    figures are None without validation data. Costs include no L2 term.

    layer_stats holds what monitors record per layer (``bprop.monitors.LayerStats``:
    "layers", "mean_abs_delta", "mean_abs_grad_w"); empty when none was attached.
    It must stay JSON-able: plain lists, numbers and strings.
    """

    train_cost: list = field(default_factory=list)
    train_accuracy: list = field(default_factory=list)
    validation_cost: list = field(default_factory=list)
    validation_accuracy: list = field(default_factory=list)
    epoch_seconds: list = field(default_factory=list)
    best_epoch: int | None = None
    stopped_early: bool = False
    layer_stats: dict = field(default_factory=dict)

    def __len__(self):
        return len(self.train_cost)

    def to_dict(self) -> dict:
        """Plain lists and numbers, ready for ``json.dump``."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> History:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


@dataclass
class TrainingState:
    """What callbacks see; ``epoch`` and ``batch`` count from 1.

    ``grads`` is the Gradients of the last batch (set before on_batch_end): the
    arrays that step used, already applied to the weights; ``batch_targets``
    are that batch's targets Y, (m, n_L), so that ``net.batch_cost(A,
    state.batch_targets, state.l2, state.n)`` is the cost ``grads.cost`` was
    measured with. Read these arrays; don't keep or modify them.
    """

    net: object
    optimizer: Optimizer
    history: History
    epochs: int
    batches: int
    epoch: int = 0
    batch: int = 0
    batch_cost: float = math.nan
    stop: bool = False
    grads: object = None
    batch_targets: object = None
    l2: float = 0.0
    n: int = 0
    interrupted: bool = False

    def interrupt(self) -> None:
        """Stop after the current batch, save a checkpoint there and raise TrainingInterrupted.

        Safe to call from a signal handler (the command line does, on Ctrl-C):
        it only sets two flags, which the loop reads after each batch.
        """
        self.interrupted = self.stop = True


@dataclass
class _SharedState(TrainingState):
    """The TrainingState of one rank of a distributed run.

    ``interrupt()`` only asks: the request travels with the next step's
    Allreduce, after which every rank stops at the same batch. (A callback
    that sets ``stop`` itself must do so alike on every rank, as early
    stopping does, or the ranks part ways.)
    """

    interrupt_requested: bool = False

    def interrupt(self) -> None:
        self.interrupt_requested = True


def train(
    net,
    X,
    Y,
    epochs=30,
    batch_size=10,
    optimizer=None,
    *,
    l2=0.0,
    validation=None,
    seed=None,
    shuffle=True,
    early_stopping=None,
    callbacks=(),
    checkpoint=None,
    resume=None,
    distributed=None,
) -> History:
    """Train ``net`` in place by mini-batch gradient descent and return its History.

    Parameters
    ----------
    X : (m, n_1) inputs.  Y : integer class labels (m,) or targets (m, n_L).
    epochs : passes over the training set (default 30, as in the classic setup).
    batch_size : samples per gradient step (default 10); the last batch of an
        epoch holds the remainder.
    optimizer : an Optimizer; default ``SGD(lr=3.0)``, the classic setup.
    l2 : λ of C = C₀ + (λ/2n) Σ w², n = len(X); biases are not decayed.
    validation : (X_val, Y_val), measured after each epoch.
    seed : int or Generator for the shuffling (None: fresh randomness).
    early_stopping : N — stop when the validation cost (the training cost
        without validation data) has not improved for N epochs, and restore
        the weights of the best epoch. None: run all epochs.
    callbacks : objects with on_train_begin/on_batch_end/on_epoch_end/on_train_end.
    checkpoint : a ``bprop.checkpoint.Checkpointer`` (the file, and every how
        many epochs or batches), or a path: a checkpoint after every epoch.
    resume : a checkpoint to continue from (its path, or a loaded
        ``bprop.checkpoint.Checkpoint``). ``net``'s parameters, the
        optimizer's state, the shuffling generator (``seed`` is not used), the
        position in the run and the history are restored from it, then
        training goes on to ``epochs``. It must come from the same network
        (sizes, dtype, σ, cost), optimizer class, batch_size, l2, shuffle,
        early_stopping and data (X, Y, validation); ``epochs`` may be larger.
    distributed : True (MPI.COMM_WORLD) or a ``bprop.distributed.Communicator``:
        train on many processes started by ``mpiexec -n K``. X, Y are then this
        rank's shard (``bprop.distributed.shard_rows``), batch_size the global
        batch size B ≥ K, rank 0's seed shuffles every shard; validation is measured
        on rank 0 (other ranks may pass None) and only rank 0 writes the
        checkpoint. Every rank returns the same History and weights.

    Raises TrainingDiverged (the weights of the start of the epoch restored)
    when the cost becomes NaN or infinite or explodes (see the module
    docstring); TrainingInterrupted after ``state.interrupt()``, with the
    checkpoint saved where it stopped.
    """
    X = as_inputs(X, net.sizes[0], net.dtype)
    targets = as_targets(Y, X.shape[0], net.sizes[-1], net.dtype)
    labels = net.labels_from_targets(Y, targets)
    epochs = positive_int(epochs, "epochs")
    batch_size = positive_int(batch_size, "batch_size")
    l2 = non_negative_float(l2, "l2")
    optimizer = SGD(lr=3.0) if optimizer is None else optimizer
    if not callable(getattr(optimizer, "step", None)):
        raise InvalidArgument(f"optimizer must be an Optimizer such as bprop.SGD(lr=3.0), got {optimizer!r}.")
    patience = None if early_stopping is None else positive_int(early_stopping, "early_stopping")
    val = _prepared_validation(net, validation)
    saver = _checkpointer(checkpoint)
    if (saver is not None or resume is not None) and not all(
        callable(getattr(optimizer, name, None)) for name in ("state_dict", "load_state_dict")
    ):
        raise InvalidArgument(
            f"checkpoints need an optimizer with state_dict() and load_state_dict(), such as "
            f"bprop.SGD or bprop.Adam; got {optimizer!r}."
        )
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)

    plan, rng, State = _batch_plan(net, X.shape[0], batch_size, distributed, rng)
    state = State(net, optimizer, History(), epochs, batches=len(plan.bounds) - 1, l2=l2, n=plan.samples)
    training = None
    if saver is not None or resume is not None:
        training = {
            "epochs": epochs,
            "batch_size": batch_size,
            "l2": l2,
            "shuffle": bool(shuffle),
            "early_stopping": patience,
            "samples": plan.samples,
            "processes": plan.processes,
            "data_sha256": plan.fingerprint(_fingerprint(X, targets, *(val[:2] if val else ()))),
        }
    data = _Data(net, X, targets, labels)  # on the network's device, once
    val = val and (net.place(val[0]), net.place(val[1]), val[2])
    loop = _Loop(state, data, val, rng, plan, shuffle, _BestEpoch(net, patience), callbacks, saver)
    loop.training = training
    first_epoch, progress = 1, None
    if resume is not None:
        first_epoch, progress = loop.restore(resume)
    _call(callbacks, "on_train_begin", state)
    loop.run(first_epoch, progress)
    _call(callbacks, "on_train_end", state)
    return state.history


class _Data:
    """The training set on the network's device: X (m, n_1), targets (m, n_L), labels (m,) or None.

    ``gather(array, rows)`` picks a batch's rows (a slice when the order is as
    stored, else indices): NumPy's plain indexing, or the standard's ``take``
    for other libraries. ``placed_order`` moves an epoch's order to the device once.
    """

    def __init__(self, net, X, targets, labels):
        self.numpy = net.backend.is_numpy
        self.X, self.targets = net.place(X), net.place(targets)
        self.labels = None if labels is None else net.place(labels)
        self.xp = namespace(self.X)
        self.place = net.place
        # NumPy: plain indexing, called without a Python frame (this runs 3× per batch).
        self.gather = operator.getitem if self.numpy else self._take

    def placed_order(self, order):
        return order if order is None or self.numpy else self.place(order)

    def _take(self, array, rows):
        if isinstance(rows, slice):
            return array[rows, ...]
        return self.xp.take(array, rows, axis=0)


@dataclass
class _EpochProgress:
    """How far the epoch in progress is: its order, starting weights, batches done and running sums."""

    order: object  # (m,) sample indices (NumPy), or None: as stored
    start: tuple  # (weights, biases) at the epoch's start, restored if it diverges
    started: float  # time.perf_counter() at its start (moved back by a resume)
    done: int = 0
    cost_sum: float = 0.0
    correct: int = 0
    seen: int = 0
    placed_order: object = None  # order on the network's device (set by the loop)


def _batch_plan(net, m, batch_size, distributed, rng):
    """(plan, shuffling generator, TrainingState class) for one process, or for a rank of an MPI job."""
    if distributed is None:
        return _OneProcess(m, batch_size), rng, TrainingState
    from . import distributed as parallel

    if not net.backend.is_numpy:
        raise InvalidArgument(
            f"distributed training combines NumPy gradients over MPI; this network's arrays are "
            f"{net.backend.name}'s on {net.device}. Use a device='cpu' NumPy network "
            "(one GPU per rank is not supported yet)."
        )
    plan = parallel.DataParallel(parallel.communicator(distributed), m, batch_size)
    return plan, plan.share_rng(rng), _SharedState


class _OneProcess:
    """The batch plan of one process: batch j is rows [(j−1)B, jB) of the epoch's order of X.

    The same questions as ``bprop.distributed.DataParallel``, answered for
    one process: which rows make each batch (``bounds``), the epoch's order,
    a batch's gradients (BP1–BP4 on it, nothing to combine), validation.
    """

    processes, is_root, recomputes_order = 1, True, False

    def __init__(self, m, batch_size):
        self.samples = m
        self.bounds = [*range(0, m, batch_size), m]

    def order(self, rng, epoch):
        return rng.permutation(self.samples)

    @staticmethod
    def gradients(state, X, Y, labels, batch):
        """(grads, samples, correct labels) of one batch."""
        net = state.net
        grads = net.backprop_placed(X, Y, state.l2, state.n)
        correct = (
            0
            if labels is None
            else int(namespace(labels).count_nonzero(net.labels_from_outputs(grads.activations[-1]) == labels))
        )
        return grads, X.shape[0], correct

    @staticmethod
    def evaluate(net, validation):
        return net.evaluate_placed(*validation) if validation else (None, None)

    @staticmethod
    def fingerprint(digest):
        return digest


class _Loop:
    """The epochs of one call to ``train``: their batches, and the checkpoints between them."""

    def __init__(self, state, data, val, rng, plan, shuffle, watch, callbacks, saver):
        self.state, self.data, self.val = state, data, val
        self.rng, self.plan, self.shuffle = rng, plan, shuffle
        self.watch, self.callbacks, self.saver = watch, callbacks, saver
        self.training = None  # what a checkpoint records about the run (with a saver or resume)

    def run(self, first_epoch, progress):
        state, net, val = self.state, self.state.net, self.val
        history = state.history
        # Overflow in a diverging run is caught as a non-finite cost, with a message
        # that says what to do; NumPy's own warnings would only add noise.
        with np.errstate(over="ignore", invalid="ignore"):
            for epoch in range(first_epoch, state.epochs + 1):
                state.epoch = epoch
                if progress is None:
                    order = self.plan.order(self.rng, epoch) if self.shuffle else None
                    progress = _EpochProgress(order, _snapshot(net), time.perf_counter())
                self.batches(progress)
                if state.interrupted:
                    self.stop_here(progress)
                if not _finite(net):  # the epoch's last step, which no cost has seen
                    _restore(net, progress.start)
                    raise TrainingDiverged(
                        f"a step in epoch {epoch} made a weight NaN or infinite: training diverged. The weights "
                        f"from the start of epoch {epoch} were kept. {_advice(state.optimizer)}",
                        history=history,
                    )
                history.train_cost.append(progress.cost_sum / progress.seen)
                history.train_accuracy.append(
                    progress.correct / progress.seen if self.data.labels is not None else None
                )
                val_cost, val_accuracy = self.plan.evaluate(net, val)
                history.validation_cost.append(val_cost)
                history.validation_accuracy.append(val_accuracy)
                history.epoch_seconds.append(time.perf_counter() - progress.started)
                progress = None
                watched = val_cost if val_cost is not None else history.train_cost[-1]
                if self.watch.saw_last_chance(history, epoch, watched):
                    history.stopped_early = state.stop = True
                _call(self.callbacks, "on_epoch_end", state)
                if state.interrupted:
                    self.stop_here(None)
                if state.stop:
                    break
                if self.saver is not None and self.saver.every_epochs and epoch % self.saver.every_epochs == 0:
                    self.save(None)
        self.watch.restore_best()

    def batches(self, progress):
        """The epoch's remaining batches, with a checkpoint after each every_batches-th batch of the run."""
        state, total = self.state, self.state.batches
        limit = self.explosion_limit()
        every = self.saver.every_batches if self.saver is not None else None
        if progress.placed_order is None:
            progress.placed_order = self.data.placed_order(progress.order)
        if not every:
            _run_batches(state, self.data, progress, total, self.plan, limit, self.callbacks)
            return
        before = (state.epoch - 1) * total  # batches of the epochs before this one
        while progress.done < total:
            until = min(total, ((before + progress.done) // every + 1) * every - before)
            _run_batches(state, self.data, progress, until, self.plan, limit, self.callbacks)
            if state.stop:
                break
            if (before + until) % every == 0:
                self.save(progress)

    def explosion_limit(self) -> float:
        """|C| above this is divergence: EXPLOSION_FACTOR × the first epoch's mean cost, once there is one."""
        costs = self.state.history.train_cost
        first = abs(costs[0]) if costs else 0.0
        return min(sys.float_info.max, EXPLOSION_FACTOR * first) if first > 0 else sys.float_info.max

    # -- checkpoints -------------------------------------------------------------

    def save(self, progress):
        """Write a checkpoint: at the end of epoch state.epoch (progress None), or inside it.

        Under MPI only rank 0 writes (every rank holds the same state); the
        others return the path it writes to.
        """
        state, net, watch = self.state, self.state.net, self.watch
        if not self.plan.is_root:
            return self.saver.path
        c = checkpoints.Checkpoint(
            network=_description(net),
            weights=[to_numpy(w) for w in net.weights],
            biases=[to_numpy(b) for b in net.biases],
            optimizer=state.optimizer.state_dict(),
            rng=self.rng.bit_generator.state,
            training=self.training,
            history=state.history.to_dict(),
            epochs_done=state.epoch - (progress is not None),
            best_cost=watch.best_cost if watch.best_params is not None else None,
            best=None if watch.best_params is None else _copied(watch.best_params, to_numpy),
        )
        if progress is not None:
            c.epoch = {
                "batches_done": progress.done,
                "cost_sum": progress.cost_sum,
                "correct": progress.correct,
                "seen": progress.seen,
                "seconds": time.perf_counter() - progress.started,
            }
            c.order = None if self.plan.recomputes_order else progress.order
            c.epoch_start = _copied(progress.start, to_numpy)
        return checkpoints.save(c, self.saver.path)

    def stop_here(self, progress):
        """After state.interrupt(): save where training stands and raise TrainingInterrupted."""
        state = self.state
        path = self.save(progress) if self.saver is not None else None
        where = (
            f"in epoch {state.epoch} of {state.epochs}, after batch {progress.done} of {state.batches}"
            if progress is not None
            else f"after epoch {state.epoch} of {state.epochs}"
        )
        saved = f"; the checkpoint {path} holds the run there" if path is not None else ""
        raise TrainingInterrupted(f"training was interrupted {where}{saved}", history=state.history, checkpoint=path)

    def restore(self, resume):
        """Continue from a checkpoint: returns (first epoch to run, its progress or None)."""
        if isinstance(resume, checkpoints.Checkpoint):
            c, source = resume, "the checkpoint"
        else:
            c, source = checkpoints.load(resume), f"the checkpoint {resume}"
        state, net = self.state, self.state.net
        mine = _description(net)
        if c.network != mine:
            raise InvalidArgument(
                f"resume: {source} is of the network {c.network}, but net is {mine}; build the "
                "network the checkpoint was saved from."
            )
        if c.training["processes"] != self.training["processes"]:
            raise InvalidArgument(
                f"resume: {source} was saved by a run on {c.training['processes']} process(es); "
                f"this one has {self.training['processes']}: continue it on as many "
                "(mpiexec -n K for K > 1)."
            )
        for key in ("batch_size", "l2", "shuffle", "early_stopping", "samples"):
            if c.training[key] != self.training[key]:
                raise InvalidArgument(
                    f"resume: {source} was saved with {key}={c.training[key]!r}, but this call "
                    f"has {key}={self.training[key]!r}; pass the same value to continue that run."
                )
        if c.training["data_sha256"] != self.training["data_sha256"]:
            raise InvalidArgument(
                f"resume: the training or validation data are not those {source} was trained "
                "on (their SHA-256 differs); pass the same X, Y and validation."
            )
        if c.epochs_done + (c.epoch is not None) > state.epochs:
            raise InvalidArgument(
                f"resume: {source} is already {c.epochs_done} epochs in"
                f"{' and inside the next' if c.epoch is not None else ''}; "
                f"epochs={state.epochs} is too few to continue it."
            )
        state.optimizer.load_state_dict(c.optimizer)
        _restore(net, (c.weights, c.biases))
        bit_generator = checkpoints.BIT_GENERATORS[c.rng["bit_generator"]]()
        bit_generator.state = c.rng
        self.rng = np.random.Generator(bit_generator)
        state.history = History.from_dict(copy.deepcopy(c.history))
        if c.best is not None:
            self.watch.best_cost = c.best_cost
            self.watch.best_params = _copied(c.best)
        if c.epoch is None:
            return c.epochs_done + 1, None
        if self.plan.recomputes_order:
            order = self.plan.order(self.rng, c.epochs_done + 1) if self.shuffle else None
        else:
            order = None if c.order is None else c.order.copy()
        progress = _EpochProgress(
            order,
            _copied(c.epoch_start),
            time.perf_counter() - c.epoch["seconds"],
            c.epoch["batches_done"],
            c.epoch["cost_sum"],
            c.epoch["correct"],
            c.epoch["seen"],
        )
        return c.epochs_done + 1, progress


def _run_batches(state, data, progress, until, plan, limit, callbacks):
    """Batches progress.done + 1 … until of the epoch, in progress.order (None: as stored).

    Batch j is rows plan.bounds[j-1]:plan.bounds[j] of the order; plan.gradients
    runs BP1–BP4 on them (and, under MPI, combines the ranks' parts). Adds to
    the epoch's running sums of cost and correct labels. Each batch gathers
    its own rows, X[order[start:stop]]: no shuffled copy of the whole training
    set is ever made. This is the hot loop: per batch, backprop, one
    comparison, the step and the callbacks.
    """
    net, optimizer, gradients = state.net, state.optimizer, plan.gradients
    X, targets, labels, gather = data.X, data.targets, data.labels, data.gather
    order, bounds, done = progress.placed_order, plan.bounds, progress.done
    cost_sum, correct, seen, batch = progress.cost_sum, progress.correct, progress.seen, done
    for batch, start, stop in zip(range(done + 1, until + 1), bounds[done:until], bounds[done + 1 : until + 1]):
        rows = slice(start, stop) if order is None else order[start:stop]
        batch_targets = gather(targets, rows)
        grads, count, right = gradients(
            state, gather(X, rows), batch_targets, None if labels is None else gather(labels, rows), batch
        )
        if not abs(grads.cost) <= limit:  # NaN, ±inf, or exploded
            _restore(net, progress.start)
            raise _diverged(state, batch, grads.cost)
        optimizer.step(net, grads)
        seen += count
        cost_sum += grads.cost * count
        correct += right
        state.batch, state.batch_cost, state.grads, state.batch_targets = batch, grads.cost, grads, batch_targets
        _call(callbacks, "on_batch_end", state)
        if state.stop:
            break
    progress.done, progress.cost_sum, progress.correct, progress.seen = batch, cost_sum, correct, seen


def _diverged(state, batch, cost) -> TrainingDiverged:
    if math.isfinite(cost):
        first = state.history.train_cost[0]
        what = (
            f"the cost rose to {cost:.4g} in epoch {state.epoch}, batch {batch}, more than "
            f"{EXPLOSION_FACTOR:g} times the first epoch's mean cost ({first:.4g})"
        )
    else:
        what = f"the cost became {cost} in epoch {state.epoch}, batch {batch}"
    return TrainingDiverged(
        f"{what}: training diverged. The weights from the start of epoch {state.epoch} were "
        f"kept. {_advice(state.optimizer)}",
        history=state.history,
    )


def _advice(optimizer) -> str:
    return f"Try a smaller learning rate (now {getattr(optimizer, 'lr', '?')}) or scaled inputs."


def _checkpointer(checkpoint):
    if checkpoint is None or isinstance(checkpoint, checkpoints.Checkpointer):
        return checkpoint
    return checkpoints.Checkpointer(checkpoint, every_epochs=1)


def _description(net) -> dict:
    """What a checkpoint records of the network, to check it on resume."""

    def name(component):
        value = getattr(component, "name", None)
        return value if isinstance(value, str) else None

    return {
        "sizes": [int(n) for n in net.sizes],
        "dtype": np.dtype(net.dtype).name,
        "activation": name(net.activation),
        "output": name(net.output),
        "cost": name(net.cost),
    }


def _fingerprint(*arrays) -> str:
    """SHA-256 of the arrays' dtypes, shapes and bytes (C-contiguous: hashed in place, no copy)."""
    digest = hashlib.sha256()
    for array in arrays:
        digest.update(f"{array.dtype.str}{array.shape};".encode())
        digest.update(np.ascontiguousarray(array))
    return digest.hexdigest()


class _BestEpoch:
    """Early stopping: remembers the best epoch's weights and counts epochs without improvement."""

    def __init__(self, net, patience):
        self.net, self.patience = net, patience
        self.best_cost, self.best_params = math.inf, None

    def saw_last_chance(self, history, epoch, cost) -> bool:
        """Record this epoch's watched cost; True when patience has run out."""
        if self.patience is None:
            return False
        if cost < self.best_cost:
            self.best_cost, self.best_params, history.best_epoch = cost, _snapshot(self.net), epoch
            return False
        return epoch - history.best_epoch >= self.patience

    def restore_best(self):
        if self.best_params is not None:
            _restore(self.net, self.best_params)


def _prepared_validation(net, validation):
    if validation is None:
        return None
    try:
        X_val, Y_val = validation
    except (TypeError, ValueError):
        raise InvalidArgument("validation must be a pair (X_val, Y_val).")
    X_val = as_inputs(X_val, net.sizes[0], net.dtype, parameter="validation X")
    targets = as_targets(Y_val, X_val.shape[0], net.sizes[-1], net.dtype, parameter="validation Y")
    return X_val, targets, net.labels_from_targets(Y_val, targets)


def _finite(net) -> bool:
    xp = net.backend.xp
    return all(bool(xp.all(xp.isfinite(p))) for p in (*net.weights, *net.biases))


def _snapshot(net):
    return _copied((net.weights, net.biases))


def _copied(parameters, copy=copied_array):
    """A copy of a (weights, biases) pair of array lists (``copy``: to_numpy for the host)."""
    weights, biases = parameters
    return [copy(w) for w in weights], [copy(b) for b in biases]


def _restore(net, snapshot):
    """Write saved (weights, biases), of any library, into the network's own arrays."""
    weights, biases = snapshot
    for param, saved in zip((*net.weights, *net.biases), (*weights, *biases)):
        param[...] = saved if type(saved) is type(param) else net.backend.asarray(saved)


def _call(callbacks, event, state):
    for callback in callbacks:
        method = getattr(callback, event, None)
        if method is not None:
            method(state)
