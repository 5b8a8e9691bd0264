"""``bprop evaluate`` and ``bprop predict``: using a saved model on data.

A model file carries the preprocessing fitted at training time, the class
names and the data set it was trained on, so both commands apply exactly what
training applied.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np

from .. import datasets, plots
from ..errors import DataError, InvalidArgument
from ..storage import modelfile


def model_and_preprocessor(model_path):
    net = modelfile.load(model_path)
    meta = getattr(net, "metadata", {}) or {}
    pre = meta.get("preprocessing")
    preprocessor = datasets.Preprocessor.from_dict(pre) if pre else None
    return net, meta, preprocessor


def class_names(net, meta):
    names = meta.get("class_names")
    return list(names) if names else [str(k) for k in range(max(net.sizes[-1], 2))]


def evaluate(model_path, data=None, data_dir=None, split="test", label_column=None) -> dict:
    """Accuracy, per-class precision/recall/F1 and the confusion matrix on a data split."""
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

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
    return plots.confusion_matrix(
        np.array(report["confusion_matrix"]),
        report["class_names"],
        path,
        title=f"{report['data']} ({report['split']}), accuracy {report['accuracy']:.4f}",
    )


# -- predict ------------------------------------------------------------------


def read_inputs(path, n_features, meta, invert=False) -> np.ndarray:
    """Raw feature rows from a CSV, NPZ (array X) or PNG file."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such file; pass a .csv, .npz or .png file of inputs.")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path)
    if suffix == ".npz":
        return _read_npz(path)
    if suffix == ".png":
        return _read_png(path, meta, invert)
    raise DataError(f"{path}: unknown input type {suffix!r}; predict reads .csv, .npz or .png files.")


def _read_csv(path):
    text = path.read_text(encoding="utf-8", errors="replace")
    rows = [r for r in csv.reader(io.StringIO(text)) if r and any(cell.strip() for cell in r)]
    if rows and not any(_is_number(cell) for cell in rows[0]):
        rows = rows[1:]  # a header row: no cell is a number
    if not rows:
        raise DataError(f"{path} holds no rows of numbers.")
    values = []
    for i, row in enumerate(rows, start=1):
        try:
            values.append([float(cell) for cell in row])
        except ValueError:
            bad = next(c for c in row if not _is_number(c))
            raise DataError(f"{path}, data row {i}: {bad!r} is not a number; predict needs numeric features only.")
    if len({len(r) for r in values}) != 1:
        raise DataError(f"{path}: rows have different numbers of columns ({sorted({len(r) for r in values})}).")
    return np.array(values)


def _is_number(cell):
    try:
        float(cell)
        return True
    except ValueError:
        return False


def _read_npz(path):
    try:
        with np.load(path, allow_pickle=False) as archive:
            if "X" not in archive:
                raise DataError(f"{path} has no array named 'X' (found: {', '.join(archive.files) or 'none'}).")
            X = archive["X"]
    except ValueError as e:
        raise DataError(f"{path} cannot be read safely as NPZ ({e}).")
    if X.dtype.kind not in "biuf":
        raise DataError(f"{path}: X has dtype {X.dtype}; it must hold numbers.")
    return X.reshape(1, -1) if X.ndim == 1 else X.reshape(len(X), -1)


def _read_png(path, meta, invert):
    from PIL import Image

    shape = meta.get("image_shape")
    if not shape:
        raise InvalidArgument("this model was not trained on images; predict it with a .csv or .npz file.")
    try:
        image = Image.open(path).convert("L").resize((shape[1], shape[0]), Image.LANCZOS)
    except OSError as e:
        raise DataError(f"{path} cannot be read as an image ({e}).")
    pixels = np.asarray(image, dtype=np.float64)
    if invert:
        pixels = 255.0 - pixels
    scale = (meta.get("value_range") or 255.0) / 255.0
    return (pixels * scale).reshape(1, -1)


def predict(model_path, input_path, invert=False) -> dict:
    net, meta, pre = model_and_preprocessor(model_path)
    X = read_inputs(input_path, net.sizes[0], meta, invert)
    if X.shape[1] != net.sizes[0]:
        raise InvalidArgument(f"{input_path} has {X.shape[1]} values per row but the model takes {net.sizes[0]}.")
    X = pre.transform(X) if pre else X
    outputs = net.feedforward(X)
    result = {"outputs": outputs.tolist(), "output_names": None}
    if net.is_classifier or meta.get("class_names"):  # trained on classes: label by the largest output
        names = class_names(net, meta)
        labels = net.labels_from_outputs(outputs)
        result["labels"] = [names[k] for k in labels]
        result["output_names"] = names if outputs.shape[1] == len(names) else None
    return result


def write_predictions_csv(result, path):
    from ..storage.files import atomic_write

    names = result["output_names"] or [f"a{j + 1}" for j in range(len(result["outputs"][0]))]
    with atomic_write(path, "w") as f:
        writer = csv.writer(f)
        writer.writerow((["label"] if "labels" in result else []) + names)
        for i, row in enumerate(result["outputs"]):
            writer.writerow(([result["labels"][i]] if "labels" in result else []) + [f"{v:.6g}" for v in row])
