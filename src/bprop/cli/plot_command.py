"""``bprop plot RUN_DIR``: the pictures of a run folder, drawn (again) from its files.

``write_run_plots`` writes every picture that applies to a run into its folder;
``bprop train --plots`` calls it after training and ``bprop plot`` calls it on a
run folder written earlier:

    curves.png              cost and accuracy per epoch              (always)
    layer_gradients.png     mean |δ^l|, |∂C/∂w^l| per layer, log scale (history.layer_stats)
    weights.png             histograms of w^l, start against end       (initial.bprop)
    decision_boundary.png   predicted class over the plane              (2-D data)
    first_layer_weights.png each hidden neuron's w^2_j· as an image      (image data)

plus the same names in .svg with ``--svg``. No math here: the pictures come
from ``bprop.plots``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from .. import plots
from ..core.arguments import name_of
from ..errors import BpropError, InvalidArgument
from .terminal import console

FORMATS = ("png", "svg", "pdf")


def write_run_plots(
    folder,
    net,
    history,
    initial_net=None,
    X=None,
    y=None,
    image_shape=None,
    preprocessor=None,
    formats=("png",),
    class_names=None,
    title=None,
) -> list:
    """Write every picture that applies into ``folder``; returns the written paths.

    net : the trained Network.  history : its History.
    initial_net : the network before training (for weights.*), or None.
    X, y : samples (m, n_1) and labels (m,) for decision_boundary.* when n_1 = 2;
        X as the data set gives it when ``preprocessor`` (the run's
        ``bprop.datasets.Preprocessor``) is passed, else as the network sees it.
    image_shape : (h, w) when a sample is an image (for first_layer_weights.*).
    formats : file suffixes to write, any of 'png', 'svg', 'pdf'.
    class_names : legend of decision_boundary.* (default: 0, 1, …).
    """
    folder = Path(folder)
    formats = _checked_formats(formats)
    metadata = getattr(net, "metadata", None) or {}
    class_names = class_names or metadata.get("class_names")
    drawings = []
    if len(history):
        drawings.append(("curves", lambda p: plots.learning_curves(history, p, title=title or _title(net))))
    if (history.layer_stats or {}).get("mean_abs_delta"):
        drawings.append(("layer_gradients", lambda p: plots.layer_gradients(history, p)))
    if initial_net is not None:
        drawings.append(("weights", lambda p: plots.weight_histograms(initial_net, net, p)))
    if X is not None and y is not None and np.ndim(X) == 2 and np.shape(X)[1] == 2 and net.sizes[0] == 2:
        drawings.append(
            (
                "decision_boundary",
                lambda p: plots.decision_boundary(net, X, y, p, preprocessor=preprocessor, class_names=class_names),
            )
        )
    if image_shape and len(image_shape) == 2 and int(np.prod(image_shape)) == net.sizes[0] and len(net.sizes) > 2:
        drawings.append(("first_layer_weights", lambda p: plots.first_layer_weights(net, image_shape, p)))
    return [draw(folder / f"{name}.{suffix}") for name, draw in drawings for suffix in formats]


def _checked_formats(formats):
    formats = [formats] if isinstance(formats, str) else list(formats)
    wrong = [f for f in formats if f not in FORMATS]
    if wrong or not formats:
        raise InvalidArgument(f"formats={formats!r}: use one or more of {', '.join(map(repr, FORMATS))}.")
    return formats


def _title(net):
    data = (getattr(net, "metadata", None) or {}).get("dataset")
    return f"{data + ': ' if data else ''}{net.sizes} {net.activation_name}/{name_of(net.output)}, {name_of(net.cost)}"


# -- reading a run folder ---------------------------------------------------------


def read_run_folder(run_dir) -> tuple[dict, list]:
    """The arguments of ``write_run_plots`` for a run folder, and notes on what could not be drawn.

    Reads history.json, model.bprop, initial.bprop (if present), and, for a
    network with 2 inputs, the data set named in the model's metadata (with
    the same settings, so a generated set is generated again identically).
    """
    from .. import datasets
    from ..storage.modelfile import load, load_trained

    folder = Path(run_dir)
    if not folder.is_dir():
        raise InvalidArgument(
            f"{folder}: no such run folder; pass a folder written by 'bprop train' "
            "(it holds model.bprop and history.json)."
        )
    for needed in ("model.bprop", "history.json"):
        if not (folder / needed).exists():  # not a regular file: refused when read, saying what it is
            raise InvalidArgument(f"{folder} holds no {needed}: it is not a run folder written by 'bprop train'.")
    history = read_history(folder / "history.json")
    net = load_trained(folder / "model.bprop")
    initial = folder / "initial.bprop"
    meta = getattr(net, "metadata", None) or {}
    kwargs = {
        "net": net,
        "history": history,
        "initial_net": load(initial) if initial.exists() else None,
        "image_shape": meta.get("image_shape") or None,
        "class_names": meta.get("class_names"),
    }
    notes = []
    if net.sizes[0] == 2 and meta.get("dataset"):
        training = meta.get("training") or {}
        try:
            data = datasets.load(
                meta["dataset"],
                data_dir=training.get("data_dir"),
                seed=training.get("seed", 0),
                n=training.get("n"),
                noise=training.get("noise"),
                label_column=training.get("label_column"),
            )
            kwargs.update(X=data.X_train, y=data.y_train)
            if meta.get("preprocessing"):
                kwargs["preprocessor"] = datasets.Preprocessor.from_dict(meta["preprocessing"])
        except (BpropError, OSError) as e:
            notes.append(f"no decision boundary: the data {meta['dataset']!r} could not be loaded ({e})")
    return kwargs, notes


MAX_HISTORY_BYTES = 256 << 20  # history.json of a very long run, with per-layer figures, fits easily


def read_history(path):
    """The History in a run folder's history.json, every field held to ``bprop.storage.schema.HISTORY``."""
    from ..storage import schema
    from ..storage.files import read_json_file
    from ..training.loop import History

    data = read_json_file(path, "training history (history.json)", MAX_HISTORY_BYTES, InvalidArgument, allow_nan=True)

    def refuse(problem):
        return InvalidArgument(
            f"{path}: {problem}; it is not a history written by 'bprop train'. Train again, or restore the file."
        )

    checked = schema.check(schema.HISTORY, data, refuse)
    problem = schema.history_problem(checked)
    if problem:
        raise refuse(problem)
    return History.from_dict({key: value for key, value in checked.items() if value is not None})


def plot(
    run_dir: Annotated[Path, typer.Argument(help="A run folder written by 'bprop train'.")],
    svg: Annotated[bool, typer.Option("--svg", help="Also write each picture as SVG.")] = False,
):
    """Draw the pictures of a run folder again: curves, per-layer gradients, weights, decision boundary."""
    kwargs, notes = read_run_folder(run_dir)
    paths = write_run_plots(Path(run_dir), formats=("png", "svg") if svg else ("png",), **kwargs)
    for path in paths:
        console.print(f"wrote {path}", markup=False, soft_wrap=True)
    for note in notes:
        console.print(note, markup=False, soft_wrap=True)
