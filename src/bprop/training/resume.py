"""Checkpoints from inside the loop: save where a run stands, and continue one from there.

``Checkpointing.save`` turns the loop's position — the epoch, the batches
done in it with their running sums, its order and starting weights — together
with the weights, the optimizer's buffers, the shuffling generator, the
history and early stopping's best weights, into a ``checkpoints.Checkpoint``
and writes it atomically. ``Checkpointing.restore`` checks that a checkpoint
belongs to this run (network, settings, data) and puts all of that back, so
that the resumed run ends with the same weights, bit for bit, as one never
stopped. What a checkpoint holds is ``checkpoints.Checkpoint``; its file
layout is ``checkpoint_file``'s.
"""

from __future__ import annotations

import copy
import hashlib
import time

import numpy as np

from ..core.backend import to_numpy
from ..errors import InvalidArgument
from . import checkpoints
from .state import EpochProgress, History, copied, restore

SETTINGS = ("batch_size", "l2", "l2_divisor", "shuffle", "early_stopping", "samples", "l1", "dropout")
"""The settings a resumed call must repeat (``epochs`` may grow)."""

LATER_SETTINGS = {"l1": 0.0, "dropout": None}
"""Settings newer than the first checkpoints, with the value an older checkpoint's run had."""


def checkpointer(checkpoint):
    """``train``'s checkpoint argument as a Checkpointer (a path: one after every epoch), or None."""
    if checkpoint is None or isinstance(checkpoint, checkpoints.Checkpointer):
        return checkpoint
    return checkpoints.Checkpointer(checkpoint, every_epochs=1)


def run_record(plan, epochs, batch_size, l2, l2_divisor, shuffle, patience, data, *, l1=0.0, dropout=None) -> dict:
    """What a checkpoint records about the run (its "training" entry), to check it on resume.

    data : the arrays trained and validated on (X, targets[, X_val, targets_val]), hashed.
    """
    return {
        "epochs": epochs,
        "batch_size": batch_size,
        "l2": l2,
        "l2_divisor": l2_divisor,
        "shuffle": bool(shuffle),
        "early_stopping": patience,
        "samples": plan.samples,
        "l1": l1,
        "dropout": None if dropout is None else list(dropout),
        "processes": plan.processes,
        "data_sha256": plan.fingerprint(data_fingerprint(*data)),
    }


HYPERPARAMETERS = ("lr", "momentum", "beta1", "beta2", "eps")
"""The optimizer settings a checkpoint records, where the optimizer has them."""


def run_identity(optimizer, seed) -> dict:
    """The optimizer's type and hyper-parameters (η, μ, β₁, β₂, ε) and the seed: recorded, checked on resume.

    A learning-rate schedule (a function) and a seed that is a Generator or None
    cannot be compared; they are recorded as None and not checked.
    """
    settings = {"type": type(optimizer).__name__}
    for name in HYPERPARAMETERS:
        value = getattr(optimizer, name, None)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            settings[name] = float(value)
    plain_seed = isinstance(seed, int) and not isinstance(seed, bool)
    return {"optimizer": settings, "seed": int(seed) if plain_seed else None}


class Checkpointing:
    """Saving the loop's position to ``saver.path``, and restoring a run from a checkpoint.

    saver : the Checkpointer (None when only resuming). record : ``run_record``'s dict.
    plan : the BatchPlan (only its root process writes; MPI recomputes orders).
    """

    def __init__(self, saver, record, plan):
        self.saver, self.record, self.plan = saver, record, plan

    def save(self, state, rng, watch, progress) -> str:
        """Write a checkpoint: at the end of epoch state.epoch (progress None), or inside it.

        watch : early stopping's record (best_cost, best_params). Under MPI only
        rank 0 writes (every rank holds the same state); the others return
        the path it writes to.
        """
        net = state.net
        if not self.plan.is_root:
            return self.saver.path
        c = checkpoints.Checkpoint(
            network=network_description(net),
            weights=[to_numpy(w) for w in net.weights],
            biases=[to_numpy(b) for b in net.biases],
            optimizer=state.optimizer.state_dict(),
            rng=progress.rng_start if progress is not None and self.plan.recomputes_order else rng.bit_generator.state,
            training=self.record,
            history=state.history.to_dict(),
            epochs_done=state.epoch - (progress is not None),
            best_cost=watch.best_cost if watch.best_params is not None else None,
            best=None if watch.best_params is None else copied(watch.best_params, to_numpy),
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
            c.epoch_start = copied(progress.start, to_numpy)
        return checkpoints.save(c, self.saver.path)

    def restore(self, resume, state, watch, shuffle):
        """Continue from a checkpoint (a path or a loaded Checkpoint).

        Puts back the network's parameters, the optimizer's state, the history
        (into ``state``) and early stopping's best weights (into ``watch``).
        Returns (the shuffling generator, the first epoch to run, the progress
        of that epoch or None when it starts afresh). Under MPI a checkpoint
        inside an epoch holds the generator of the epoch's start, from which
        the ranks recompute the epoch's order; the caller then draws again the
        dropout masks of the batches done (``_Loop.skip_masks``).
        """
        c = self.checked(resume, state)
        net = state.net
        state.optimizer.load_state_dict(c.optimizer)
        restore(net, (c.weights, c.biases))
        bit_generator = checkpoints.BIT_GENERATORS[c.rng["bit_generator"]]()
        bit_generator.state = c.rng
        rng = np.random.Generator(bit_generator)
        state.history = History.from_dict(copy.deepcopy(c.history))
        if c.best is not None:
            watch.best_cost, watch.best_params = c.best_cost, copied(c.best)
        if c.epoch is None:
            return rng, c.epochs_done + 1, None
        if self.plan.recomputes_order:  # c.rng is the generator at the epoch's start: the order comes from it
            order = self.plan.order(rng, c.epochs_done + 1) if shuffle else None
        else:
            order = None if c.order is None else c.order.copy()
        progress = EpochProgress(
            order,
            copied(c.epoch_start),
            time.perf_counter() - c.epoch["seconds"],
            c.epoch["batches_done"],
            c.epoch["cost_sum"],
            c.epoch["correct"],
            c.epoch["seen"],
            rng_start=c.rng if self.plan.recomputes_order else None,
        )
        return rng, c.epochs_done + 1, progress

    def checked(self, resume, state):
        """The loaded Checkpoint; refused (InvalidArgument) unless it continues this very run."""
        if isinstance(resume, checkpoints.Checkpoint):
            c, source = resume, "the checkpoint"
        else:
            c, source = checkpoints.load(resume), f"the checkpoint {resume}"
        mine = network_description(state.net)
        if c.network != mine:
            raise InvalidArgument(
                f"resume: {source} is of the network {c.network}, but net is {mine}; build the "
                "network the checkpoint was saved from."
            )
        if c.training["processes"] != self.record["processes"]:
            raise InvalidArgument(
                f"resume: {source} was saved by a run on {c.training['processes']} process(es); "
                f"this one has {self.record['processes']}: continue it on as many "
                "(mpiexec -n K for K > 1)."
            )
        for key in SETTINGS:
            saved = c.training.get(key, LATER_SETTINGS.get(key))  # a checkpoint from before l1/dropout had none
            if saved != self.record[key]:
                raise InvalidArgument(
                    f"resume: {source} was saved with {key}={saved!r}, but this call "
                    f"has {key}={self.record[key]!r}; pass the same value to continue that run."
                )
        self._check_identity(c, source)
        if c.training["data_sha256"] != self.record["data_sha256"]:
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
        return c

    def _check_identity(self, c, source) -> None:
        """The optimizer, its hyper-parameters and the seed are those of the run saved (when it recorded them)."""
        old, new = c.training.get("optimizer"), self.record["optimizer"]
        if old is not None:
            for key in ("type", *HYPERPARAMETERS):
                if key in old and old.get(key) != new.get(key):
                    label = "the optimizer" if key == "type" else f"the optimizer's {key}"
                    raise InvalidArgument(
                        f"resume: {source} was saved with {label} = {old[key]!r}, but this call has "
                        f"{new.get(key)!r}; pass the same value to continue that run, or start a new run "
                        "without resume."
                    )
        # the seed is recorded but not checked: a resumed call continues the saved generator,
        # whatever seed it passes (the CLI refuses --seed with --resume).


def network_description(net) -> dict:
    """What a checkpoint records of the network, to check it on resume."""

    def name(component):
        value = getattr(component, "name", None)
        return value if isinstance(value, str) else None

    return {
        "sizes": [int(n) for n in net.sizes],
        "dtype": np.dtype(net.dtype).name,
        "activation": name(net.activation) if net.uniform_activation else [name(s) for s in net.activation],
        "output": name(net.output),
        "cost": name(net.cost),
    }


def data_fingerprint(*arrays) -> str:
    """SHA-256 of the arrays' dtypes, shapes and bytes (C-contiguous: hashed in place, no copy)."""
    digest = hashlib.sha256()
    for array in arrays:
        digest.update(f"{array.dtype.str}{array.shape};".encode())
        digest.update(np.ascontiguousarray(array))
    return digest.hexdigest()
