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

Where the rest lives. ``batch_runs``: the hot loop over a stretch of an
epoch's batches, and divergence. ``state``: History, TrainingState and the epoch in
progress. ``batch_plans``: which rows make each batch and how its gradients
are found — ``OneProcess``, or ``distributed.DataParallel`` for many MPI
processes, where one Allreduce per step combines the ranks' BP3/BP4 sums so
that every rank applies the update one process would. ``resume``: saving a
checkpoint from the loop's position (``checkpoint=``) and continuing from
one (``resume=``) bit for bit; between checkpoints the batches run the very
same loop as without them.

Devices. For a network on a GPU (``Network(..., device="cuda")``) the
training data move to the device once, when ``train`` starts; each epoch's
shuffled order moves once per epoch, and every batch is gathered there.
"""

from __future__ import annotations

import math
import sys
import time
from contextlib import nullcontext

import numpy as np

from ..core.arguments import as_inputs, as_targets, non_negative_float, positive_int
from ..core.backend import to_numpy, total
from ..core.dropout import draw_masks, dropout_rates
from ..core.fast import blas_single_threaded
from ..core.optimizers import SGD
from ..errors import InvalidArgument, TrainingDiverged, TrainingInterrupted
from .batch_plans import OneProcess, PlacedData, batch_plan
from .batch_runs import EXPLOSION_FACTOR, BatchRuns, advice, call_back
from .distributed import training_facts
from .resume import Checkpointing, checkpointer, run_identity, run_record
from .state import EpochProgress, History, TrainingState, restore, snapshot

__all__ = ["EXPLOSION_FACTOR", "L2_DIVISORS", "History", "TrainingState", "train"]

L2_DIVISORS = ("training_set", "batch")
"""The n of the L2 term (λ/2n) Σ w²: the training set's size (the derivation's), or each batch's (scikit-learn's)."""


def train(
    net,
    X,
    Y,
    epochs=30,
    batch_size=10,
    optimizer=None,
    *,
    l2=0.0,
    l2_divisor="training_set",
    l1=0.0,
    dropout=None,
    validation=None,
    seed=None,
    shuffle=True,
    early_stopping=None,
    callbacks=(),
    checkpoint=None,
    resume=None,
    distributed=None,
    sample_weight=None,
) -> History:
    """Train ``net`` in place by mini-batch gradient descent and return its History.

    Parameters
    ----------
    X : (m, n_1) inputs.  Y : integer class labels (m,) or targets (m, n_L).
    epochs : passes over the training set (default 30, as in the classic setup).
    batch_size : samples per gradient step (default 10); the last batch of an
        epoch holds the remainder.
    optimizer : an Optimizer; default ``SGD(lr=3.0)``, the classic setup.
    l2 : λ of the L2 term; biases are not decayed. Its divisor n is set by
        ``l2_divisor``.
    l2_divisor : "training_set" (default), the derivation's convention: every
        batch minimizes C = C₀ + (λ/2n) Σ w² with n = len(X) (under MPI, all
        ranks' rows), so a step adds (λ/n) w to ∂C₀/∂w. "batch", scikit-learn's
        ``alpha`` convention: a batch of m_b samples minimizes
        C = C₀ + (λ/2m_b) Σ w² and a step adds (λ/m_b) w — the smaller last
        batch of an epoch decays the weights more. Checkpoints record it.
    l1 : λ₁ of the L1 term C = C₀ + (λ₁/n) Σ |w| (biases excluded; n as for
        l2, which it may join: elastic net). A step adds (λ₁/n) sgn(w) to
        ∂C₀/∂w, sgn(0) = 0 — the plain subgradient, not a proximal
        (soft-thresholding) step: it works unchanged with every optimizer, and
        gradcheck checks it, but it does not make weights exactly 0. Under SGD a
        weight that L1 pushes to zero ends up oscillating within about ηλ₁/n of
        0; read "small" as |w| below a threshold, not as w == 0.
    dropout : p, or a list of p_2 … p_{L−1} (one per hidden layer): inverted
        dropout during training (``bprop.core.dropout``), 0 ≤ p < 1. Each batch
        draws its masks m^l ~ Bernoulli(1 − p) from the shuffling generator
        (``seed``), after that epoch's order, so a seed gives the same masks
        and a checkpoint (which saves the generator) resumes them bit for bit.
        Dropout is an argument of ``train``, not of ``Network``, because it is
        part of how a network is trained, not of the function it computes: the
        trained network evaluates and predicts with no mask (inverted dropout
        already scaled the kept activations by 1/(1 − p) during training), so
        nothing about it belongs in the model file. None or 0: no dropout, and
        the very same computation as before it existed. With ``distributed``
        every rank draws the masks of the whole global batch from the shared
        generator, the stream one process would draw, and applies the rows of
        its own part: K ranks train the weights of one process, masks and all.
    validation : (X_val, Y_val), measured after each epoch.
    seed : int or Generator for the shuffling (None: fresh randomness).
    early_stopping : N — stop when the validation cost (the training cost
        without validation data) has not improved for N epochs, and restore
        the weights of the best epoch. None: run all epochs.
    callbacks : objects with on_train_begin/on_batch_end/on_epoch_end/on_train_end.
    checkpoint : a ``bprop.training.checkpoints.Checkpointer`` (the file, and every how
        many epochs or batches), or a path: a checkpoint after every epoch.
    resume : a checkpoint to continue from (its path, or a loaded
        ``bprop.training.checkpoints.Checkpoint``). ``net``'s parameters, the
        optimizer's state, the shuffling generator (``seed`` is not used), the
        position in the run and the history are restored from it, then
        training goes on to ``epochs``. It must come from the same network
        (sizes, dtype, σ, cost), optimizer class, batch_size, l2, shuffle,
        early_stopping and data (X, Y, validation); ``epochs`` may be larger.
    distributed : True (MPI.COMM_WORLD) or a ``bprop.training.distributed.Communicator``:
        train on many processes started by ``mpiexec -n K``. X, Y are then this
        rank's shard (``bprop.training.distributed.shard_rows``), batch_size the global
        batch size B ≥ K, rank 0's seed shuffles every shard; validation is measured
        on rank 0 (other ranks may pass None) and only rank 0 writes the
        checkpoint. Every rank returns the same History and weights.
    sample_weight : None, or s (m,) ≥ 0: weighted means. Each batch's cost and
        BP3/BP4 are Σ_i s_i (…)_i / Σ_i s_i over its rows (rows of Δ^L scaled
        by s_i; ``Network.backprop_placed``), the L2 term's n is Σ s_i (of the
        batch with l2_divisor="batch", of the whole set otherwise), and the
        epoch's training cost is the weighted mean over the set. Whole-number
        weights train as if each row were repeated s_i times in its batch.
        Accuracy stays a plain count. One process only (not with ``distributed``).

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
    l1 = non_negative_float(l1, "l1")
    rates = dropout_rates(dropout, len(net.sizes) - 2)
    if l2_divisor not in L2_DIVISORS:
        raise InvalidArgument(f"l2_divisor must be 'training_set' or 'batch', got {l2_divisor!r}.")
    optimizer = SGD(lr=3.0) if optimizer is None else optimizer
    if not callable(getattr(optimizer, "step", None)):
        raise InvalidArgument(f"optimizer must be an Optimizer such as bprop.SGD(lr=3.0), got {optimizer!r}.")
    patience = None if early_stopping is None else positive_int(early_stopping, "early_stopping")
    val = _prepared_validation(net, validation)
    weights = _checked_sample_weight(sample_weight, X.shape[0], net.dtype, distributed)
    saver = checkpointer(checkpoint)
    _check_checkpoints_possible(saver is not None or resume is not None, optimizer)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)

    def facts():  # what every rank must agree on, compared before the first step (under MPI)
        every = (saver.every_epochs, saver.every_batches) if saver is not None else None
        return training_facts(
            net,
            optimizer,
            epochs=epochs,
            batch_size=batch_size,
            l2=l2,
            l2_divisor=l2_divisor,
            l1=l1,
            dropout=None if rates is None else list(rates),
            shuffle=bool(shuffle),
            early_stopping=patience,
            checkpoint=every and list(every),
            resume=resume is not None,
        )

    plan, rng, State = batch_plan(net, X.shape[0], batch_size, distributed, rng, facts)
    state = State(net, optimizer, History(), epochs, batches=len(plan.bounds) - 1, l2=l2, n=plan.samples, l1=l1)
    checkpointing = None
    if saver is not None or resume is not None:
        hashed = (X, targets, *(val[:2] if val else ()))  # the data a resumed call must repeat
        hashed += () if weights is None else (weights,)
        record = run_record(plan, epochs, batch_size, l2, l2_divisor, shuffle, patience, hashed, l1=l1, dropout=rates)
        record |= run_identity(optimizer, seed)
        checkpointing = Checkpointing(saver, record, plan)
    l2_n = plan.batch_sizes if l2_divisor == "batch" else [plan.samples] * state.batches
    if weights is not None and l2_divisor != "batch":
        l2_n = [float(weights.sum())] * state.batches  # n = Σ s over the set (per batch: see weighted_gradients)
    data = PlacedData(net, X, targets, labels)  # on the network's device, once
    data.weights = None if weights is None else net.place(weights)
    data.l2_by_batch = l2_divisor == "batch"
    val = None if val is None else (net.place(val[0]), net.place(val[1]), val[2])  # labels stay NumPy
    loop = _Loop(state, data, val, rng, plan, l2_n, shuffle, BestEpoch(net, patience), callbacks, checkpointing)
    loop.dropout = rates
    first_epoch, progress = 1, None
    if resume is not None:
        loop.rng, first_epoch, progress = checkpointing.restore(resume, state, loop.watch, shuffle)
        if progress is not None and plan.recomputes_order and rates is not None:
            loop.skip_masks(progress.done)  # MPI saves the generator of the epoch's start (resume.Checkpointing)
    call_back(callbacks, "on_train_begin", state)
    with blas_single_threaded(net.sizes, batch_size) if net.backend.is_numpy else nullcontext():
        loop.run(first_epoch, progress)
    call_back(callbacks, "on_train_end", state)
    return state.history


class _Loop(BatchRuns):
    """The epochs of one call to ``train``: their batches, and the checkpoints between them.

    ``run`` walks the epochs and records each in the History; ``run_epoch``
    runs an epoch's remaining batches, stopping for a checkpoint every N
    batches; ``run_batches`` (``batch_runs.BatchRuns``) is the hot loop over a stretch of batches.

    l2_n : l2_n[j-1] is the n of batch j's L2 term (λ/2n) Σ w² (and L1 term).
    dropout : the rates p_2 … p_{L−1}, or None: before each batch, its masks
        are drawn from ``rng`` into ``state.masks``.
    """

    dropout = None

    def __init__(self, state, data, val, rng, plan, l2_n, shuffle, watch, callbacks, checkpointing):
        self.state, self.data, self.val = state, data, val
        self.rng, self.plan, self.l2_n, self.shuffle = rng, plan, l2_n, shuffle
        self.watch, self.callbacks, self.checkpointing = watch, callbacks, checkpointing
        weights = data.weights
        self.total_weight = None if weights is None else float(total(weights))  # Σ s over the set
        self.saver = checkpointing and checkpointing.saver  # when to save: None, or every N epochs or batches
        # On a GPU, unless a callback wants each batch's cost, the costs are read once per run of batches
        watched = any(hasattr(callback, "on_batch_end") for callback in callbacks)
        self.costs_on_device = not state.net.backend.is_numpy and not watched
        # With NumPy on one process, plain means and no callback reading each batch's cost,
        # the costs of a run of batches are found together after it (run_batches_deferred)
        self.costs_deferred = (
            state.net.backend.is_numpy
            and isinstance(plan, OneProcess)
            and weights is None
            and not state.l2
            and not state.l1
            and not watched
        )

    def run(self, first_epoch, progress):
        """Epochs first_epoch … state.epochs; ``progress`` is how far the first one had gone (None: not begun)."""
        state, net, val = self.state, self.state.net, self.val
        history = state.history
        # Overflow in a diverging run is caught as a non-finite cost, with a message
        # that says what to do; NumPy's own warnings would only add noise.
        with np.errstate(over="ignore", invalid="ignore"):
            for epoch in range(first_epoch, state.epochs + 1):
                state.epoch = epoch
                if progress is None:
                    at_start = self.rng.bit_generator.state if self.plan.recomputes_order else None
                    order = self.plan.order(self.rng, epoch) if self.shuffle else None
                    progress = EpochProgress(order, snapshot(net), time.perf_counter(), rng_start=at_start)
                self.run_epoch(progress)
                if state.interrupted:
                    self.stop_here(progress)
                if not _finite(net):  # the epoch's last step, which no cost has seen
                    restore(net, progress.start)
                    raise TrainingDiverged(
                        f"a step in epoch {epoch} made a weight NaN or infinite: training diverged. The weights "
                        f"from the start of epoch {epoch} were kept. {advice(state.optimizer)}",
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
                call_back(self.callbacks, "on_epoch_end", state)
                if state.interrupted:
                    self.stop_here(None)
                if state.stop:
                    break
                if self.saver is not None and self.saver.every_epochs and epoch % self.saver.every_epochs == 0:
                    self.save(None)
        self.watch.restore_best()

    def run_epoch(self, progress):
        """The epoch's remaining batches, with a checkpoint after each every_batches-th batch of the run."""
        state, total = self.state, self.state.batches
        limit = self.explosion_limit()
        every = self.saver.every_batches if self.saver is not None else None
        if progress.placed_order is None:
            progress.placed_order = self.data.placed_order(progress.order)
        if not every:
            self.run_batches(progress, total, limit)
            return
        before = (state.epoch - 1) * total  # batches of the epochs before this one
        while progress.done < total:
            until = min(total, ((before + progress.done) // every + 1) * every - before)
            self.run_batches(progress, until, limit)
            if state.stop:
                break
            if (before + until) % every == 0:
                self.save(progress)

    def draw_masks(self, batch):
        """Batch ``batch``'s dropout masks m^l/(1−p), from the shuffling generator, placed: this process's rows.

        The masks of the whole (global) batch are drawn, one row per sample,
        and this process keeps the rows of its own part (``plan.part_rows``;
        all of them on one process). Every MPI rank draws the same numbers from
        the same generator, so K ranks apply the masks one process would.
        """
        net = self.state.net
        masks = draw_masks(self.dropout, net.sizes, self.plan.batch_sizes[batch - 1], self.rng, net.dtype)
        mine = self.plan.part_rows(batch)
        return [None if mask is None else net.place(mask if mine is None else mask[mine]) for mask in masks]

    def skip_masks(self, batches):
        """Advance the generator past the masks of the epoch's first ``batches`` batches (a resumed MPI run)."""
        net = self.state.net
        for batch in range(1, batches + 1):
            draw_masks(self.dropout, net.sizes, self.plan.batch_sizes[batch - 1], self.rng, net.dtype)

    def explosion_limit(self) -> float:
        """|C| above this is divergence: EXPLOSION_FACTOR × the first epoch's mean cost, once there is one."""
        costs = self.state.history.train_cost
        first = abs(costs[0]) if costs else 0.0
        return min(sys.float_info.max, EXPLOSION_FACTOR * first) if first > 0 else sys.float_info.max

    def save(self, progress):
        """A checkpoint of the run as it stands: after epoch state.epoch (progress None), or inside it."""
        return self.checkpointing.save(self.state, self.rng, self.watch, progress)

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


class BestEpoch:
    """Early stopping: remembers the best epoch's weights and counts epochs without improvement.

    patience : epochs without a lower watched cost before stopping (None: never stop).
    best_cost, best_params : the lowest watched cost so far and the (weights, biases) it was measured with.
    """

    def __init__(self, net, patience):
        self.net, self.patience = net, patience
        self.best_cost, self.best_params = math.inf, None

    def saw_last_chance(self, history, epoch, cost) -> bool:
        """Record this epoch's watched cost; True when patience has run out."""
        if self.patience is None:
            return False
        if cost < self.best_cost:
            self.best_cost, self.best_params, history.best_epoch = cost, snapshot(self.net), epoch
            return False
        return epoch - history.best_epoch >= self.patience

    def restore_best(self):
        if self.best_params is not None:
            restore(self.net, self.best_params)


def _check_checkpoints_possible(wanted, optimizer):
    """Checkpoints need an optimizer that saves its state."""
    if not wanted:
        return
    if not all(callable(getattr(optimizer, name, None)) for name in ("state_dict", "load_state_dict")):
        raise InvalidArgument(
            f"checkpoints need an optimizer with state_dict() and load_state_dict(), such as "
            f"bprop.SGD or bprop.Adam; got {optimizer!r}."
        )


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


def _checked_sample_weight(sample_weight, m, dtype, distributed):
    """None, or the weights s as a NumPy (m,) array of the network's dtype: finite, ≥ 0, Σ s > 0."""
    if sample_weight is None:
        return None
    if distributed:
        raise InvalidArgument("sample_weight is for training in one process; leave it out with distributed.")
    s = np.asarray(to_numpy(sample_weight), dtype=np.float64)
    if s.shape != (m,):
        raise InvalidArgument(f"sample_weight must have one weight per row of X, shape ({m},); got {s.shape}.")
    if not np.isfinite(s).all() or (s < 0).any() or not s.sum() > 0:
        raise InvalidArgument("sample_weight must hold finite weights ≥ 0, not all zero (each row's share).")
    return s.astype(dtype)


def _finite(net) -> bool:
    xp = net.backend.xp
    return all(bool(xp.all(xp.isfinite(p))) for p in (*net.weights, *net.biases))
