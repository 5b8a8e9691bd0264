"""Checkpoints: where a training run is, saved so that it continues exactly.

``train(..., checkpoint=Checkpointer(path, every_epochs=1))`` saves one; ``train(...,
resume=path)`` continues from it, with the same weights, optimizer buffers,
random-number generator, position in the epoch and history, so that the
final weights equal those of a run that was never stopped (bit for bit: the
arithmetic is the same, in the same order).

``Checkpointer`` says where and how often; ``Checkpoint`` is what one holds, in
memory; ``save`` and ``load`` move it to and from a file (``checkpoint.ckpt``
in a run folder), whose layout and checks are ``checkpoint_file``'s.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..core.arguments import positive_int
from ..errors import InvalidArgument
from . import checkpoint_file
from .checkpoint_file import BIT_GENERATORS, FORMAT, FORMAT_VERSION

FILENAME = "checkpoint.ckpt"  # its name in a run folder

__all__ = ["Checkpoint", "Checkpointer", "save", "load", "FILENAME", "FORMAT", "FORMAT_VERSION", "BIT_GENERATORS"]


class Checkpointer:
    """Where and how often ``train`` saves a checkpoint.

    path : the checkpoint file; its folder is created when missing.
    every_epochs : save after every N-th epoch (epochs N, 2N, …), or
    every_batches : save after every N-th batch, counted over the whole run
        (so checkpoints fall inside epochs too). Give at most one of the two;
        with neither, a checkpoint is saved only when training is interrupted
        (``TrainingState.interrupt()``, which the command line calls on Ctrl-C).

    The cost: nothing per batch between checkpoints; each checkpoint writes
    the weights, the optimizer's buffers and (inside an epoch) the order of
    the samples and the epoch's starting weights, then fsyncs them.
    """

    def __init__(self, path, *, every_epochs=None, every_batches=None):
        if not isinstance(path, (str, os.PathLike)):
            raise InvalidArgument(
                f"checkpoint path must be a file path (str or os.PathLike), got {type(path).__name__}."
            )
        if every_epochs is not None and every_batches is not None:
            raise InvalidArgument(
                f"give every_epochs or every_batches, not both (got {every_epochs!r} and {every_batches!r})."
            )
        self.path = Path(path)
        self.every_epochs = None if every_epochs is None else positive_int(every_epochs, "every_epochs")
        self.every_batches = None if every_batches is None else positive_int(every_batches, "every_batches")

    def __repr__(self):
        every = (
            f", every_epochs={self.every_epochs}"
            if self.every_epochs
            else f", every_batches={self.every_batches}"
            if self.every_batches
            else ""
        )
        return f"Checkpointer({str(self.path)!r}{every})"


@dataclass
class Checkpoint:
    """What one checkpoint holds, in memory (see ``checkpoint_file`` for the file).

    network : {"sizes", "dtype", "activation", "output", "cost"}; names as the
        model file stores them (None for a user-defined object).
    weights, biases : the parameters now, shapes as ``Network.weights/biases``.
    optimizer : ``Optimizer.state_dict()``.
    rng : the shuffling (and dropout) generator's ``bit_generator.state`` —
        under MPI inside an epoch, its state at that epoch's start.
    training : {"epochs", "batch_size", "l2", "l2_divisor", "shuffle",
        "early_stopping", "samples", "processes", "data_sha256"}: what must
        match to continue.
        Under MPI (processes > 1) "samples" counts the whole training set,
        "data_sha256" hashes the shards' digests, and no epoch/order is
        stored: each rank recomputes its own from ``rng`` (the epoch's
        start), then draws that epoch's dropout masks again up to
        batches_done (``bprop.training.distributed``).
    history : ``History.to_dict()`` of the epochs done.
    epochs_done : whole epochs done.
    epoch : None at an epoch boundary; inside epoch epochs_done + 1:
        {"batches_done", "cost_sum", "correct", "seen", "seconds"}, the
        running sums of that epoch so far …
    order : … its order of the samples ((m,) int64; None without shuffling) …
    epoch_start : … and (weights, biases) at its start.
    best_cost, best : early stopping's best watched cost and (weights,
        biases) of that epoch (None when not watching, or nothing yet).
    """

    network: dict
    weights: list
    biases: list
    optimizer: dict
    rng: dict
    training: dict
    history: dict
    epochs_done: int
    epoch: dict | None = None
    order: np.ndarray | None = None
    epoch_start: tuple | None = None
    best_cost: float | None = None
    best: tuple | None = None


# -- save and load ------------------------------------------------------------


def save(checkpoint: Checkpoint, path) -> Path:
    """Write ``checkpoint`` to ``path`` atomically; returns the path."""
    path = Path(path)
    checkpoint_file.write(checkpoint, path)
    return path


def load(path) -> Checkpoint:
    """The checkpoint in the file at ``path``, every part checked.

    Raises ModelFileError (naming the file, the problem and the fix) for a
    file that is not a bprop checkpoint, was written by a newer bprop, or is
    corrupt or truncated; OSError (such as FileNotFoundError) when it cannot
    be opened. Memory and time are bounded by the file's size.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise InvalidArgument(f"path must be a file path (str or os.PathLike), got {type(path).__name__}.")
    path = Path(path)
    return Checkpoint(**checkpoint_file.read(path))
