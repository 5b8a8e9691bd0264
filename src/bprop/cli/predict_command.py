"""``bprop predict MODEL INPUTS``: labels and outputs a^L of a saved model for new inputs.

Inputs are raw feature rows (a CSV of numbers, an NPZ holding an array ``X``)
or one picture (PNG, for a model trained on images); the model file's stored
preprocessing is applied to them exactly as training applied it.
"""

from __future__ import annotations

import csv
import io
import warnings
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.table import Table

from ..datasets.tabular import read_features
from ..errors import DataError, InvalidArgument
from ..storage.files import read_regular
from .options import ModelArgument
from .saved_model import class_names, model_and_preprocessor
from .terminal import console, print_json


def predict(
    model: ModelArgument,
    inputs: Annotated[Path, typer.Argument(help="A .csv (numeric features), .npz (array X) or .png file.")],
    output: Annotated[Path | None, typer.Option(help="Write labels and outputs to this CSV file.")] = None,
    invert: Annotated[bool, typer.Option(help="PNG: invert grey levels (dark ink on light paper → as MNIST).")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
):
    """Labels and outputs a^L for new inputs."""
    result = predictions(model, inputs, invert)
    if output:
        write_predictions_csv(result, output)
        console.print(f"wrote {len(result['outputs'])} predictions to {output}", markup=False, soft_wrap=True)
    elif as_json:
        print_json(result)
    else:
        print_predictions(result)


def print_predictions(result: dict) -> None:
    """Label and largest output per row; every output when there are few (all of them: --json, --output)."""
    outputs = np.asarray(result["outputs"])
    names = result["output_names"] or [f"a{j + 1}" for j in range(outputs.shape[1])]
    table = Table(caption="all outputs: --json or --output FILE" if outputs.shape[1] > 4 else None)
    table.add_column("row", justify="right")
    if "labels" in result:
        table.add_column("label")
        table.add_column("largest output a^L", justify="right")
    columns = names if outputs.shape[1] <= 4 else []
    for name in columns:
        table.add_column(name, justify="right")
    for i, row in enumerate(outputs):
        cells = [result["labels"][i], f"{row.max():.4f}"] if "labels" in result else []
        table.add_row(str(i), *cells, *(f"{v:.4f}" for v in row[: len(columns)]))
    console.print(table)


def predictions(model_path, input_path, invert=False) -> dict:
    """{"outputs": a^L per row, "output_names", and "labels" (class names) for a classifier}."""
    net, meta, pre = model_and_preprocessor(model_path)
    X = read_inputs(input_path, net.sizes[0], meta, invert)
    if X.shape[1] != net.sizes[0]:
        raise InvalidArgument(f"{input_path} has {X.shape[1]} values per row but the model takes {net.sizes[0]}.")
    X = pre.transform(X) if pre else X
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is refused just below, in one message
        outputs = net.feedforward(X)
    finite = np.isfinite(outputs).all(axis=1)
    if not finite.all():
        row = int(np.flatnonzero(~finite)[0]) + 1
        raise DataError(
            f"{input_path}, row {row}: the model's outputs a^L overflow to NaN or infinity "
            f"({(~finite).sum()} such row(s)); its inputs are far outside the range the model was trained on."
        )
    result = {"outputs": outputs.tolist(), "output_names": None}
    if net.is_classifier or meta.get("class_names"):  # trained on classes: label by the largest output
        names = class_names(net, meta)
        labels = net.labels_from_outputs(outputs)
        result["labels"] = [names[k] for k in labels]
        result["output_names"] = names if outputs.shape[1] == len(names) else None
    return result


def write_predictions_csv(result, path):
    """One row per input: its label (for a classifier), then every output, written atomically."""
    from ..storage.files import atomic_write

    names = result["output_names"] or [f"a{j + 1}" for j in range(len(result["outputs"][0]))]
    with atomic_write(path, "w") as f:
        writer = csv.writer(f)
        writer.writerow((["label"] if "labels" in result else []) + names)
        for i, row in enumerate(result["outputs"]):
            writer.writerow(([result["labels"][i]] if "labels" in result else []) + [f"{v:.6g}" for v in row])


# -- reading the inputs ---------------------------------------------------------


MAX_INPUT_BYTES = {".csv": 256 << 20, ".npz": 1 << 30, ".png": 64 << 20}  # refused before it is read when larger
MAX_PICTURE_PIXELS = 1 << 24  # a picture is decoded only up to 16.7 megapixels (4096 × 4096)
MAX_INPUT_VALUES = 1 << 28  # values an NPZ's X may hold once decompressed (2 GiB of float64)


def read_inputs(path, n_features, meta, invert=False) -> np.ndarray:
    """Raw feature rows from a CSV, NPZ (array X) or PNG file: a regular file within MAX_INPUT_BYTES.

    Every value must be a finite number: a NaN or infinite input is refused,
    naming its row, as is a file that is not a regular file (a directory, a
    device, a FIFO).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".npz", ".png"):
        raise DataError(f"{path}: unknown input type {suffix!r}; predict reads .csv, .npz or .png files.")
    if suffix == ".png":
        try:
            raw = read_regular(path, "picture (.png)", MAX_INPUT_BYTES[suffix], DataError)
        except FileNotFoundError:
            raise DataError(f"{path}: no such file; pass a .csv, .npz or .png file of inputs.") from None
        X = _read_png(path, raw, meta, invert)
    else:
        X = read_features(path)  # the data readers' bounded, streamed CSV and NPZ
    finite = np.isfinite(X).all(axis=1)
    if not finite.all():
        row = int(np.flatnonzero(~finite)[0]) + 1
        raise DataError(
            f"{path}, row {row}: holds a NaN or infinite value ({(~finite).sum()} such row(s)); "
            "predict needs finite numbers."
        )
    return X


def _excerpt(value, limit=60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _read_png(path, raw, meta, invert):
    from PIL import Image

    shape = meta.get("image_shape")  # checked on load: two sides whose product is the network's input width
    if not shape:
        raise InvalidArgument("this model was not trained on images; predict it with a .csv or .npz file.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(raw))  # reads the header only: the size is checked before decoding
            if image.width * image.height > MAX_PICTURE_PIXELS:
                raise DataError(
                    f"{path} is a {image.width} × {image.height} picture, more than the {MAX_PICTURE_PIXELS:,} "
                    "pixels predict decodes; scale it down first."
                )
            image = image.convert("L").resize((shape[1], shape[0]), Image.LANCZOS)
    except (OSError, ValueError, Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        if isinstance(e, DataError):
            raise
        raise DataError(f"{path} cannot be read as an image ({_excerpt(str(e), 200)}).") from None
    pixels = np.asarray(image, dtype=np.float64)
    if invert:
        pixels = 255.0 - pixels
    scale = (meta.get("value_range") or 255.0) / 255.0
    return (pixels * scale).reshape(1, -1)
