"""``bprop evaluate MODEL``: accuracy, per-class figures and the confusion matrix of a saved model.

The model file carries the preprocessing fitted at training time, the class
names and the data set it was trained on (see ``saved_model``), so the
figures are those of exactly what training made.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.table import Table

from .. import plots
from ..errors import InvalidArgument
from .options import ModelArgument
from .saved_model import class_names, model_and_preprocessor
from .terminal import console, print_json


def evaluate(
    model: ModelArgument,
    data: Annotated[str | None, typer.Option(help="Data set (default: the one the model was trained on).")] = None,
    data_dir: Annotated[str | None, typer.Option()] = None,
    split: Annotated[str, typer.Option(help="test or train.")] = "test",
    label_column: Annotated[str | None, typer.Option()] = None,
    plot: Annotated[
        Path | None, typer.Option(help="Where to write the confusion matrix PNG (default: next to the model).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
):
    """Accuracy, per-class precision/recall/F1 and the confusion matrix."""
    if split not in ("test", "train"):
        raise typer.BadParameter(f"--split must be 'test' or 'train', got {split!r}.")
    report = evaluation_report(model, data, data_dir, split, label_column)
    png = write_confusion_png(report, plot or model.with_name(model.stem + "-confusion.png"))
    if as_json:
        print_json(report | {"plot": str(png)})
    else:
        print_report(report, png)


def print_report(report: dict, png) -> None:
    """The headline figures, a per-class table and the confusion matrix as a table."""
    console.print(
        f"[bold]{report['data']}[/] {report['split']} split, {report['samples']} samples: "
        f"accuracy {report['accuracy']:.4f}, cost {report['cost']:.5f}"
    )
    table = Table(title="per class")
    for column in ("class", "precision", "recall", "F1", "support"):
        table.add_column(column, justify="left" if column == "class" else "right")
    for row in report["classes"]:
        table.add_row(
            row["class"], f"{row['precision']:.3f}", f"{row['recall']:.3f}", f"{row['f1']:.3f}", str(row["support"])
        )
    console.print(table)
    matrix = Table(title="confusion matrix (rows: true class, columns: predicted)")
    matrix.add_column("")
    for name in report["class_names"]:
        matrix.add_column(name, justify="right")
    for name, row in zip(report["class_names"], report["confusion_matrix"]):
        matrix.add_row(name, *map(str, row))
    console.print(matrix)
    console.print(f"confusion matrix plot: {png}", markup=False, soft_wrap=True)


def evaluation_report(model_path, data=None, data_dir=None, split="test", label_column=None) -> dict:
    """Accuracy, per-class precision/recall/F1 and the confusion matrix on a data split."""
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    from .. import datasets

    net, meta, pre = model_and_preprocessor(model_path)
    name = data or meta.get("dataset")
    if not name:
        raise InvalidArgument("the model does not say which data it was trained on; pass --data NAME.")
    seed = (meta.get("training") or {}).get("seed", 0)
    dataset = datasets.load(name, data_dir=data_dir, seed=seed, label_column=label_column)
    X, y = (dataset.X_test, dataset.y_test) if split == "test" else (dataset.X_train, dataset.y_train)
    if X.shape[1] != net.sizes[0]:
        raise InvalidArgument(
            f"the model takes {net.sizes[0]} features per sample but {name!r} has {X.shape[1]}; "
            "evaluate it on the data it was trained on."
        )
    X = pre.transform(X) if pre else X
    if y.max() >= net.sizes[-1] and net.sizes[-1] > 1:
        raise InvalidArgument(
            f"the data {name!r} has labels up to {y.max()} but the model has only {net.sizes[-1]} outputs."
        )
    predicted = net.predict(X)
    names = class_names(net, meta)
    labels = list(range(len(names)))
    precision, recall, f1, support = precision_recall_fscore_support(y, predicted, labels=labels, zero_division=0)
    return {
        "data": name,
        "split": split,
        "samples": int(len(y)),
        "accuracy": float(np.mean(predicted == y)),
        "cost": net.evaluate(X, y)[0],
        "classes": [
            {
                "class": names[k],
                "precision": float(precision[k]),
                "recall": float(recall[k]),
                "f1": float(f1[k]),
                "support": int(support[k]),
            }
            for k in labels
        ],
        "confusion_matrix": confusion_matrix(y, predicted, labels=labels).tolist(),
        "class_names": names,
    }


def write_confusion_png(report, path):
    """The confusion matrix of ``report`` drawn to ``path``; returns the path written."""
    return plots.confusion_matrix(
        np.array(report["confusion_matrix"]),
        report["class_names"],
        path,
        title=f"{report['data']} ({report['split']}), accuracy {report['accuracy']:.4f}",
    )
