"""``bprop train``: data → network → training → a run folder.

The run folder holds everything needed to use and to understand the run:

    model.bprop     the trained network, with its preprocessing and class names
    history.json    per-epoch figures
    curves.png      cost and accuracy per epoch, training against validation
    settings.json   the settings used (flags merged over --config over defaults)
    results.json    final accuracy and cost on train / validation / test
    with --plots:   initial.bprop (the weights before training) and the
                    pictures of bprop.cli.plot_command (per-layer |δ^l| and
                    |∂C/∂w^l|, weight histograms, decision boundary, first-layer weights)
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

from .. import datasets, modelfile, optimizers, plots
from ..diagnostics import Diagnostics
from ..errors import InvalidArgument, TrainingDiverged
from ..monitors import LayerStats
from ..files import write_json
from ..network import Network
from ..train import train
from .plot_command import write_run_plots
from .settings import TrainSettings

VALIDATION_SEED = 0   # the validation split never depends on --seed


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
    return Prepared(data, pre, pre.transform(X), y, None if X_val is None else pre.transform(X_val), y_val,
                    pre.transform(data.X_test), data.y_test)


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


def build_optimizer(s: TrainSettings):
    cls = optimizers.BUILTIN[s.optimizer]
    if s.optimizer in ("momentum", "nesterov"):
        return cls(lr=s.learning_rate, momentum=s.momentum)
    return cls(lr=s.learning_rate)


def new_run_folder(s: TrainSettings) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    base = Path(s.out) / (f"{stamp}-{s.name}" if s.name else stamp)
    folder, k = base, 1
    while folder.exists():
        k += 1
        folder = base.with_name(f"{base.name}-{k}")
    folder.mkdir(parents=True)
    return folder


def run(s: TrainSettings, callbacks=(), report=None) -> dict:
    """Train as the settings say and write the run folder; returns the results.

    ``report`` receives each diagnostic ``Finding`` as it fires (see
    bprop.diagnostics); they are also kept in results.json. On divergence the
    folder is still written, with the last finite weights, before the error
    is raised again.
    """
    prepared = prepare_data(s)
    data = prepared.dataset
    net = Network(layer_sizes(s, data), activation=s.activation, output=s.output, cost=s.cost,
                  init=s.init, seed=s.seed, dtype=s.dtype)
    initial = net.copy()
    findings = []

    def keep(finding):
        findings.append(finding)
        if report is not None:
            report(finding)

    # The checks read only what each step already holds, on every 10th batch.
    callbacks = [*callbacks, Diagnostics(keep, every=10)] + ([LayerStats()] if s.plots else [])
    validation = (prepared.X_val, prepared.y_val) if prepared.X_val is not None else None
    started = time.perf_counter()
    failure = None
    try:
        history = train(net, prepared.X_train, prepared.y_train, epochs=s.epochs, batch_size=s.batch_size,
                        optimizer=build_optimizer(s), l2=s.l2, validation=validation, seed=s.seed,
                        early_stopping=s.early_stopping, callbacks=callbacks)
    except TrainingDiverged as e:
        failure, history = e, e.history
    seconds = time.perf_counter() - started

    results = {"train": _figures(net, prepared.X_train, prepared.y_train)}
    if validation:
        results["validation"] = _figures(net, *validation)
    results["test"] = _figures(net, prepared.X_test, prepared.y_test)
    folder = new_run_folder(s)
    metadata = {
        "dataset": s.data,
        "class_names": list(data.class_names),
        "image_shape": list(data.image_shape) if data.image_shape else None,
        "value_range": data.value_range,
        "preprocessing": prepared.preprocessor.to_dict(),
        "training": s.to_dict(),
    }
    summary = {"run_folder": str(folder), "model": str(folder / "model.bprop"), "epochs_run": len(history),
               "seconds": seconds, "results": results, "diverged": failure is not None,
               "diagnostics": [{"epoch": f.epoch, "equation": f.equation, "message": str(f)} for f in findings]}
    modelfile.save(net, folder / "model.bprop", metadata=metadata)
    write_json(folder / "history.json", history.to_dict())
    write_json(folder / "settings.json", s.to_dict())
    write_json(folder / "results.json", summary)
    title = f"{s.data}: {net.sizes} {s.activation}/{net.output.name}, {s.cost}"
    if s.plots:
        modelfile.save(initial, folder / "initial.bprop", metadata=metadata)
    if len(history) and s.plots:
        write_run_plots(folder, net, history, initial_net=initial, X=data.X_train, y=data.y_train,
                        image_shape=data.image_shape, preprocessor=prepared.preprocessor,
                        class_names=list(data.class_names), title=title)
    elif len(history):
        plots.learning_curves(history, folder / "curves.png", title=title)
    if failure is not None:
        raise TrainingDiverged(f"{failure} The run folder {folder} holds those weights.", history=history)
    return summary


def _figures(net, X, y) -> dict:
    cost, accuracy = net.evaluate(X, y)
    return {"samples": int(len(X)), "accuracy": accuracy, "cost": cost}
