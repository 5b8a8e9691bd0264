"""The training loop: mini-batch gradient descent with BP1–BP4.

Each epoch shuffles the training set once, then for each mini-batch runs
``backprop`` and the optimizer's ``step``. The loop never prints: it returns a
``History``, and front ends attach callbacks (progress bars, plots,
checkpoints) that are called after every batch and every epoch.

A callback is any object with some of these methods, each taking the
``TrainingState``:

    on_train_begin(state)   on_batch_end(state)   on_epoch_end(state)   on_train_end(state)

Setting ``state.stop = True`` in a callback ends training after the current
batch.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field

import numpy as np

from .errors import InvalidArgument, TrainingDiverged
from .optimizers import SGD, Optimizer
from .validation import as_inputs, as_targets, non_negative_float, positive_int


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
    def from_dict(cls, data: dict) -> "History":
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


@dataclass
class TrainingState:
    """What callbacks see; ``epoch`` and ``batch`` count from 1.

    ``grads`` is the Gradients of the last batch (set before on_batch_end): the
    arrays that step used, already applied to the weights; ``batch_targets``
    are that batch's targets Y, (m, n_L), so that ``net._batch_cost(A,
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


def train(net, X, Y, epochs=30, batch_size=10, optimizer=None, *, l2=0.0, validation=None,
          seed=None, shuffle=True, early_stopping=None, callbacks=()) -> History:
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

    Raises TrainingDiverged (with the weights of the last finite epoch
    restored) when the cost becomes NaN or infinite.
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
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)

    m = X.shape[0]
    history = History()
    state = TrainingState(net, optimizer, history, epochs, batches=math.ceil(m / batch_size), l2=l2, n=m)
    watch = _BestEpoch(net, patience)
    _call(callbacks, "on_train_begin", state)

    # Overflow in a diverging run is caught as a non-finite cost, with a message
    # that says what to do; NumPy's own warnings would only add noise.
    with np.errstate(over="ignore", invalid="ignore"):
        for epoch in range(1, epochs + 1):
            state.epoch, started = epoch, time.perf_counter()
            order = rng.permutation(m) if shuffle else None
            cost, accuracy = _one_epoch(state, X, targets, labels, order, batch_size, l2, callbacks)
            history.train_cost.append(cost)
            history.train_accuracy.append(accuracy)
            val_cost, val_accuracy = net._evaluate(*val) if val else (None, None)
            history.validation_cost.append(val_cost)
            history.validation_accuracy.append(val_accuracy)
            history.epoch_seconds.append(time.perf_counter() - started)
            if watch.saw_last_chance(history, epoch, val_cost if val else cost):
                history.stopped_early = state.stop = True
            _call(callbacks, "on_epoch_end", state)
            if state.stop:
                break

    watch.restore_best()
    _call(callbacks, "on_train_end", state)
    return history


def _one_epoch(state, X, targets, labels, order, batch_size, l2, callbacks):
    """One pass over the data, in ``order`` (None: as stored); returns the running mean cost and accuracy.

    Each batch gathers its own rows, X[order[start:stop]]: no shuffled copy of
    the whole training set is ever made.
    """
    net, optimizer = state.net, state.optimizer
    m = X.shape[0]
    start_of_epoch = _snapshot(net)
    cost_sum, correct, seen = 0.0, 0, 0
    for batch, start in enumerate(range(0, m, batch_size), start=1):
        rows = slice(start, start + batch_size) if order is None else order[start:start + batch_size]
        grads = net._backprop(X[rows], targets[rows], l2, m)
        if not math.isfinite(grads.cost):
            _restore(net, start_of_epoch)
            raise TrainingDiverged(
                f"the cost became {grads.cost} in epoch {state.epoch}, batch {batch}: training diverged. "
                f"The weights from the start of epoch {state.epoch} were kept. Try a smaller learning rate "
                f"(now {getattr(optimizer, 'lr', '?')}) or scaled inputs.",
                history=state.history,
            )
        optimizer.step(net, grads)
        count = grads.activations[0].shape[0]
        seen += count
        cost_sum += grads.cost * count
        if labels is not None:
            correct += int(np.count_nonzero(net.labels_from_outputs(grads.activations[-1]) == labels[rows]))
        state.batch, state.batch_cost, state.grads, state.batch_targets = batch, grads.cost, grads, targets[rows]
        _call(callbacks, "on_batch_end", state)
        if state.stop:
            break
    return cost_sum / seen, (correct / seen if labels is not None else None)


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


def _snapshot(net):
    return [w.copy() for w in net.weights], [b.copy() for b in net.biases]


def _restore(net, snapshot):
    weights, biases = snapshot
    for w, saved in zip(net.weights, weights):
        w[...] = saved
    for b, saved in zip(net.biases, biases):
        b[...] = saved


def _call(callbacks, event, state):
    for callback in callbacks:
        method = getattr(callback, event, None)
        if method is not None:
            method(state)
