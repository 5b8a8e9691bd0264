"""One training run of ``bprop train``: data → network → training → a run folder.

``run(settings)`` does the work and returns the figures; ``train_command``
parses the flags into those settings and prints what comes back. The run
folder holds everything needed to use and to understand the run:

    model.bprop     the trained network, with its preprocessing and class names
    history.json    per-epoch figures
    curves.png      cost and accuracy per epoch, training against validation
    settings.json   the settings used (flags merged over --config over defaults)
    results.json    final accuracy and cost on train / validation / test; written
                    last, so that a folder holding it is complete
    checkpoint.ckpt while training, with --checkpoint-every or after Ctrl-C:
                    where the run stands (bprop.training.checkpoints), for --resume;
                    removed once results.json is written
    with --plots:   initial.bprop (the weights before training) and the
                    pictures of bprop.cli.plot_command (per-layer |δ^l| and
                    |∂C/∂w^l|, weight histograms, decision boundary, first-layer weights)
"""

from __future__ import annotations

import errno
import json
import math
import os
import secrets
import shutil
import signal
import sys
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

from .. import datasets, plots
from ..core import optimizers
from ..core.network import Network
from ..errors import InvalidArgument, TrainingDiverged, TrainingInterrupted
from ..storage import modelfile
from ..storage.files import fsync_folder, write_json
from ..training import checkpoints
from ..training.batch_plans import check_distributable
from ..training.diagnostics import Diagnostics
from ..training.loop import train
from ..training.monitors import LayerStats
from ..training.resume import data_fingerprint
from .mpi_job import agreed_facts
from .plot_command import write_run_plots
from .settings import TrainSettings, checkpoint_schedule

VALIDATION_SEED = 0  # the validation split never depends on --seed
SETTINGS, RESULTS = "settings.json", "results.json"


@dataclass
class Prepared:
    """The splits of a data set after preprocessing, ready for the network."""

    dataset: object
    preprocessor: object
    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray | None
    y_val: np.ndarray | None
    X_test: np.ndarray
    y_test: np.ndarray


def prepare_data(s: TrainSettings) -> Prepared:
    data = datasets.load(s.data, data_dir=s.data_dir, seed=s.seed, n=s.n, noise=s.noise, label_column=s.label_column)
    X, y = data.X_train, data.y_train
    X_val = y_val = None
    if s.validation_fraction > 0:
        from ..datasets.split import split_indices

        keep, held = split_indices(y, s.validation_fraction, VALIDATION_SEED)
        X, y, X_val, y_val = X[keep], y[keep], X[held], y[held]
    pre = datasets.fit_preprocessor(s.preprocess, X, value_range=data.value_range)
    return Prepared(
        data,
        pre,
        pre.transform(X),
        y,
        None if X_val is None else pre.transform(X_val),
        y_val,
        pre.transform(data.X_test),
        data.y_test,
    )


def layer_sizes(s: TrainSettings, data) -> list:
    """--layers as given (checked against the data), or [n_features, *hidden, n_classes]."""
    n_out = data.n_classes
    if s.layers is None:
        return [data.n_features, *s.hidden, n_out]
    if s.layers[0] != data.n_features:
        raise InvalidArgument(
            f"--layers starts with {s.layers[0]} inputs but the data {s.data!r} has {data.n_features} features "
            f"per sample; use --layers {data.n_features},{','.join(map(str, s.layers[1:]))}."
        )
    if s.layers[-1] != n_out:
        raise InvalidArgument(
            f"--layers ends with {s.layers[-1]} outputs but the data {s.data!r} has {n_out} classes; "
            f"use --layers {','.join(map(str, s.layers[:-1]))},{n_out}."
        )
    return list(s.layers)


def build_optimizer(s: TrainSettings, batches_per_epoch=1):
    """The optimizer the settings name; with lr_decay ≠ 1, η × lr_decay^(e−1) in epoch e.

    The schedule reads the optimizer's step count t (epoch e = t // batches_per_epoch + 1),
    which checkpoints save, so a resumed run continues the same schedule.
    """
    cls = optimizers.BUILTIN[s.optimizer]
    lr = s.learning_rate
    if s.lr_decay != 1.0:
        lr = EpochDecay(lr, s.lr_decay, batches_per_epoch)
    if s.optimizer in ("momentum", "nesterov"):
        return cls(lr=lr, momentum=s.momentum)
    return cls(lr=lr)


class EpochDecay:
    """η_t = η · decay^⌊t / batches_per_epoch⌋: the learning rate of step t, lowered once per epoch."""

    def __init__(self, lr, decay, batches_per_epoch):
        self.lr, self.decay, self.batches_per_epoch = lr, decay, batches_per_epoch

    def __call__(self, t):
        return self.lr * self.decay ** (t // self.batches_per_epoch)

    def __repr__(self):
        return f"{self.lr:g} × {self.decay:g}^(epoch − 1)"


def new_run_folder(s: TrainSettings) -> Path:
    """A run folder that does not exist yet, named by the time (and --name); not created here."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    base = Path(s.out) / (f"{stamp}-{s.name}" if s.name else stamp)
    folder, k = base, 1
    while folder.exists():
        k += 1
        folder = base.with_name(f"{base.name}-{k}")
    return folder


def create_run_folder(folder: Path, s: TrainSettings) -> None:
    """Create ``folder`` holding settings.json, atomically: it appears complete or not at all.

    The folder is filled under a hidden temporary name in the same parent and
    renamed into place, so that a crash never leaves an empty run folder.
    """
    parent = folder.parent
    parent.mkdir(parents=True, exist_ok=True)
    temp = parent / f".{folder.name}.{secrets.token_hex(6)}.tmp"
    temp.mkdir()
    try:
        write_json(temp / SETTINGS, s.to_dict())
        if folder.exists():
            raise FileExistsError(errno.EEXIST, "a run folder of that name appeared meanwhile; run again", str(folder))
        os.rename(temp, folder)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    fsync_folder(parent)


class _StartRunFolder:
    """Callback: creates the run folder when training begins, after every setting was checked."""

    def __init__(self, folder, settings):
        self.folder, self.settings = folder, settings

    def on_train_begin(self, state):
        if not self.folder.exists():
            create_run_folder(self.folder, self.settings)


class _StopOnSignal:
    """Ctrl-C (SIGINT) or SIGTERM while training: finish the current batch, save a checkpoint, stop.

    Used as a context manager around ``train`` and as its callback (to learn
    the TrainingState). A second signal, or one before training began, stops
    at once (KeyboardInterrupt) as usual. Outside the main thread, where
    Python cannot install signal handlers, it does nothing.
    """

    SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM") if hasattr(signal, name))

    def __init__(self):
        self.state, self.previous = None, {}

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            for sig in self.SIGNALS:
                self.previous[sig] = signal.signal(sig, self.handle)
        return self

    def __exit__(self, *exc):
        for sig, handler in self.previous.items():
            signal.signal(sig, handler)
        return False

    def on_train_begin(self, state):
        self.state = state

    def handle(self, signum, frame):
        if self.state is None or self.state.interrupted:
            again = " again" if self.state is not None else ""
            sys.stderr.write(f"bprop: interrupted{again}: stopping now, without saving\n")
            raise KeyboardInterrupt
        self.state.interrupt()


def run(s: TrainSettings, callbacks=(), report=None, resume_folder=None, communicator=None, agree=None) -> dict:
    """Train as the settings say and write the run folder; returns the results.

    ``report`` receives each diagnostic ``Finding`` as it fires (see
    bprop.training.diagnostics); they are also kept in results.json. On divergence the
    folder is still written, with the last finite weights, before the error
    is raised again.

    The run folder appears (atomically, with settings.json) when training
    begins; checkpoint.ckpt is written as --checkpoint-every says and on
    Ctrl-C/SIGTERM (then TrainingInterrupted is raised, naming the command
    that continues the run); results.json is written last, and then the
    checkpoint is removed. ``resume_folder``: continue the run in that folder
    (settings ``s`` read from it): from its checkpoint, or from the start
    when it has none; a finished run (results.json) is not trained again,
    its stored summary is returned.

    ``communicator`` (a ``bprop.training.distributed.Communicator``, under ``mpiexec``):
    train on its processes. Each loads the whole data set, keeps only its
    shard of the training split (``distributed.shard_rows``) and trains on
    it; rank 0 alone shows ``callbacks``, writes the run folder and returns
    the summary; the other ranks return {"run_folder", "rank"}. ``agree``
    (``mpi_job.MpiJob.agree``, under mpiexec): called once, with what every
    rank must hold equally, after the data and network are ready and before
    training; it raises when a rank failed or differs.
    """
    writes = communicator is None or communicator.rank == 0
    if resume_folder is not None:
        folder = Path(resume_folder)
        if (folder / RESULTS).is_file():
            summary = _finished_summary(folder)
            if summary is not None:
                if agree is not None:
                    agree({"the run to resume is finished": True})
                return summary
        if writes:
            _remove_stale_temporary_files(folder)
    prepared = prepare_data(s)
    X_fit, y_fit = prepared.X_train, prepared.y_train
    if communicator is not None:
        from ..training.distributed import shard_rows

        rows = shard_rows(len(X_fit), s.batch_size, communicator.size, communicator.rank)
        X_fit, y_fit = X_fit[rows], y_fit[rows]
    data = prepared.dataset
    net = Network(
        layer_sizes(s, data),
        activation=s.hidden_activations,
        output=s.output,
        cost=s.cost,
        init=s.init,
        seed=s.seed,
        dtype=s.dtype,
        device=s.device,
    )
    initial = net.to("cpu")
    # (a batch size < 1 is refused by train, with its message)
    optimizer = build_optimizer(s, batches_per_epoch=math.ceil(len(prepared.X_train) / max(s.batch_size, 1)))
    if agree is not None:
        check_distributable(net)
        whole = (data.X_train, data.y_train, data.X_test, data.y_test)  # the data as loaded, every split
        facts = agreed_facts(
            s.to_dict(), data.X_train, data.n_classes, data_fingerprint(*whole), resume_folder is not None
        )
        agree(facts)
    findings = []

    def keep(finding):
        findings.append(finding)
        if report is not None:
            report(finding)

    if resume_folder is None:
        folder = new_run_folder(s)
        if communicator is not None:
            folder = Path(communicator.broadcast(str(folder)))  # rank 0's: the clocks may differ
    checkpoint_path = folder / checkpoints.FILENAME
    every, unit = checkpoint_schedule(s.checkpoint_every) if s.checkpoint_every else (None, None)
    saver = checkpoints.Checkpointer(
        checkpoint_path,
        every_epochs=every if unit == "epochs" else None,
        every_batches=every if unit == "batches" else None,
    )
    # exists(), not is_file(): a checkpoint.ckpt that is a FIFO or a folder is refused, not silently skipped
    resume = checkpoint_path if resume_folder is not None and checkpoint_path.exists() else None
    # The checks read only what each step already holds, on every 10th batch.
    stop_on_signal = _StopOnSignal()
    callbacks = [_StartRunFolder(folder, s), stop_on_signal, *callbacks, Diagnostics(keep, every=10)]
    callbacks += [LayerStats()] if s.plots else []
    if not writes:
        callbacks = [stop_on_signal]
    validation = (prepared.X_val, prepared.y_val) if prepared.X_val is not None else None
    started = time.perf_counter()
    failure = None
    try:
        with stop_on_signal:
            history = train(
                net,
                X_fit,
                y_fit,
                epochs=s.epochs,
                batch_size=s.batch_size,
                optimizer=optimizer,
                l2=s.l2,
                l2_divisor=s.l2_divisor,
                l1=s.l1,
                dropout=s.dropout or None,
                validation=validation,
                seed=s.seed,
                shuffle=s.shuffle,
                early_stopping=s.early_stopping,
                callbacks=callbacks,
                checkpoint=saver,
                resume=resume,
                distributed=communicator,
            )
    except TrainingDiverged as e:
        failure, history = e, e.history
    except TrainingInterrupted as e:
        raise TrainingInterrupted(
            f"{e}. Continue with: bprop train --resume {folder}", history=e.history, checkpoint=e.checkpoint
        ) from None
    seconds = time.perf_counter() - started
    if not writes:
        if failure is not None:
            raise failure
        return {"run_folder": str(folder), "rank": communicator.rank}
    net = net.to("cpu")  # the figures, model file and pictures are made on the host

    results = {"train": _figures(net, prepared.X_train, prepared.y_train)}
    if validation:
        results["validation"] = _figures(net, *validation)
    results["test"] = _figures(net, prepared.X_test, prepared.y_test)
    metadata = {
        "dataset": s.data,
        "class_names": list(data.class_names),
        "image_shape": list(data.image_shape) if data.image_shape else None,
        "value_range": data.value_range,
        "preprocessing": prepared.preprocessor.to_dict(),
        "training": s.to_dict(),
    }
    summary = {
        "run_folder": str(folder),
        "model": str(folder / "model.bprop"),
        "epochs_run": len(history),
        "seconds": seconds,
        "results": results,
        "diverged": failure is not None,
        "diagnostics": [{"epoch": f.epoch, "equation": f.equation, "message": str(f)} for f in findings],
    }
    if not folder.exists():  # training raised before it began: nothing was written yet
        create_run_folder(folder, s)
    modelfile.save(net, folder / "model.bprop", metadata=metadata)
    write_json(folder / "history.json", history.to_dict())
    write_json(folder / SETTINGS, s.to_dict())
    title = f"{s.data}: {net.sizes} {s.activation}/{net.output.name}, {s.cost}"
    if s.plots:
        modelfile.save(initial, folder / "initial.bprop", metadata=metadata)
    if len(history) and s.plots:
        write_run_plots(
            folder,
            net,
            history,
            initial_net=initial,
            X=data.X_train,
            y=data.y_train,
            image_shape=data.image_shape,
            preprocessor=prepared.preprocessor,
            class_names=list(data.class_names),
            title=title,
        )
    elif len(history):
        plots.learning_curves(history, folder / "curves.png", title=title)
    write_json(folder / RESULTS, summary)  # last: a run folder with results.json is complete
    checkpoint_path.unlink(missing_ok=True)
    if failure is not None:
        raise TrainingDiverged(f"{failure} The run folder {folder} holds those weights.", history=history)
    return summary


def _finished_summary(folder):
    """The stored summary of a finished run, marked as such; None when results.json is unreadable."""
    try:
        summary = json.loads((folder / RESULTS).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    if not isinstance(summary, dict) or not isinstance(summary.get("results"), dict):
        return None
    return summary | {"already_finished": True}


def _remove_stale_temporary_files(folder):
    """Temporary files that a killed writer left (``.NAME.<12 hex>.tmp``, see bprop.storage.files.atomic_write)."""
    for path in folder.glob(".*.tmp"):
        parts = path.name.split(".")
        if len(parts) >= 4 and len(parts[-2]) == 12 and path.is_file():
            path.unlink(missing_ok=True)


def _figures(net, X, y) -> dict:
    # As in the training loop: inputs as large as 1e308 overflow z^l to ±inf, which σ
    # takes to its limit; NumPy's overflow warnings would only add noise.
    with np.errstate(over="ignore", invalid="ignore"):
        cost, accuracy = net.evaluate(X, y)
    return {"samples": int(len(X)), "accuracy": accuracy, "cost": cost}
