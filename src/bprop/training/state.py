"""What a training run holds: its History, the TrainingState callbacks see, the epoch in progress.

``History`` is what ``train`` returns; ``TrainingState`` is what it hands to
callbacks after each batch and epoch; ``EpochProgress`` is how far the
current epoch has gone (what a checkpoint saves inside an epoch). The three
parameter helpers at the end copy and restore a network's weights and
biases, for divergence, early stopping and checkpoints alike.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

from ..core.backend import copy as copied_array
from ..core.optimizers import Optimizer


@dataclass
class History:
    """Per-epoch figures of one training run; index e is epoch e + 1.

    train_cost / train_accuracy are running means over the epoch's batches (as
    the weights changed during the epoch); train_cost is the cost each step
    minimized, its L2 term included. The validation figures are measured after
    the epoch, without an L2 term. Accuracies are None for regression networks;
    validation figures are None without validation data.

    layer_stats holds what monitors record per layer (``bprop.training.monitors.LayerStats``:
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
    measured with (``n`` is the L2 term's divisor: the training set's size, or
    the batch's with ``train(..., l2_divisor="batch")``); pass ``l1=state.l1``
    too when L1 is on. ``masks`` are the dropout masks m^l/(1−p) of the
    current batch (None without dropout), drawn before its backprop. Read
    these arrays; don't keep or modify them.
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
    l1: float = 0.0
    masks: list | None = None

    def interrupt(self) -> None:
        """Stop after the current batch, save a checkpoint there and raise TrainingInterrupted.

        Safe to call from a signal handler (the command line does, on Ctrl-C):
        it only sets two flags, which the loop reads after each batch.
        """
        self.interrupted = self.stop = True


@dataclass
class SharedState(TrainingState):
    """The TrainingState of one rank of a distributed run.

    ``interrupt()`` only asks: the request travels with the next step's
    Allreduce, after which every rank stops at the same batch. (A callback
    that sets ``stop`` itself must do so alike on every rank, as early
    stopping does, or the ranks part ways.)
    """

    interrupt_requested: bool = False

    def interrupt(self) -> None:
        self.interrupt_requested = True


@dataclass
class EpochProgress:
    """How far the epoch in progress is: its order, starting weights, batches done and running sums."""

    order: object  # (m,) sample indices (NumPy), or None: as stored
    start: tuple  # (weights, biases) at the epoch's start, restored if it diverges
    started: float  # time.perf_counter() at its start (moved back by a resume)
    done: int = 0
    cost_sum: float = 0.0
    correct: int = 0
    seen: int = 0
    placed_order: object = None  # order on the network's device (set by the loop)
    rng_start: dict | None = None  # under MPI: the generator's state at the epoch's start, which a checkpoint saves


# -- the network's parameters, copied and written back -----------------------------


def snapshot(net):
    """A copy of the network's (weights, biases), in its own library and on its own device."""
    return copied((net.weights, net.biases))


def copied(parameters, copy=copied_array):
    """A copy of a (weights, biases) pair of array lists (``copy``: to_numpy for the host)."""
    weights, biases = parameters
    return [copy(w) for w in weights], [copy(b) for b in biases]


def restore(net, parameters):
    """Write saved (weights, biases), of any library, into the network's own arrays."""
    weights, biases = parameters
    for param, saved in zip((*net.weights, *net.biases), (*weights, *biases)):
        param[...] = saved if type(saved) is type(param) else net.backend.asarray(saved)
