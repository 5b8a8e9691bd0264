"""What a user brings to the playground and takes away: their own data as CSV, and model files.

**CSV upload** (``data_from_csv``): a header row, then one sample per row with
two numeric feature columns (x₁, x₂) and a label column (the last, or the one
``label_column`` names), and optionally a column ``part`` holding ``train`` or
``test`` (without it the rows are split at ``test_fraction``, stratified by
class, from the session's seed). The header and row checks are
``bprop.datasets``' own (``tabular.table_of_rows``, ``tabular.encode_labels``);
the labels are

    classification   integers or names, 2 … MAX_CLASSES distinct values (``task`` "auto" reads
                     them so when they are all whole numbers or not numbers at all)
    regression       real numbers (``task`` "auto" reads them so when one of them is not whole)

At most ``data.MAX_POINTS`` rows; every number finite and within ±``data.MAX_COORDINATE``.
The request body carries the CSV as a JSON string (the server takes only
JSON), at most ``MAX_UPLOAD`` bytes (``guard`` refuses longer before reading).

**Model files** are bprop's own (``bprop.storage.modelfile``: arrays and a
JSON header, never a pickle). ``model_bytes`` saves the session's network with
the feature map in its metadata (``metadata["playground"]["features"]``), so
that a program can feed it the same columns (``bprop.playground.features.transform``).
``network_from_upload`` reads an uploaded one with ``modelfile.load``, the
loader that treats every file as hostile, and refuses it unless its inputs are
the session's features and its outputs fit the session's data.
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import numbers
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np

from ..datasets import tabular
from ..datasets.split import split_indices
from ..errors import DataError, InvalidArgument, ModelFileError
from ..storage import modelfile
from . import data as session_data
from . import features as feature_map
from .settings import (
    ACTIVATIONS,
    COSTS,
    MAX_HIDDEN_LAYERS,
    MAX_WIDTH,
    OUTPUTS,
    SettingError,
    check_regression,
)

MAX_UPLOAD = 1 << 20  # bytes of one upload request (a CSV of 2,000 rows is ~60 KB; a playground model ~20 KB)
MAX_CLASSES = 10  # distinct labels of an uploaded classification set
CSV_KEYS = ("csv", "task", "test_fraction", "label_column")
WHERE = "the uploaded CSV"
FILENAME = "playground.bprop"


# -- CSV ------------------------------------------------------------------------------------


def data_from_csv(body, settings) -> tuple[session_data.Data, object, list]:
    """(the data, the settings to train it with, notes on what changed in them) from {csv, task?, test_fraction?, label_column?}."""
    if not isinstance(body, dict) or not isinstance(body.get("csv"), str):
        raise SettingError("csv", 'send {"csv": "x1,x2,label\\n0.5,1.2,0\\n…"}: the CSV text as a JSON string.')
    unknown = [key for key in body if key not in CSV_KEYS]
    if unknown:
        raise SettingError(unknown[0], f"{unknown[0]!r} is not known here; use some of {', '.join(CSV_KEYS)}.")
    task = body.get("task", "auto")
    if task not in ("auto", *session_data.TASKS):
        raise SettingError("task", f"task={task!r} is not known; use auto, classification or regression.")
    test_fraction = body.get("test_fraction", settings.test_fraction)
    if isinstance(test_fraction, bool) or not isinstance(test_fraction, numbers.Real) or not 0 < test_fraction < 1:
        raise SettingError("test_fraction", f"test_fraction={test_fraction!r} must be a number between 0 and 1.")
    label_column = body.get("label_column")
    if label_column is not None and not isinstance(label_column, str):
        raise SettingError("label_column", f"label_column must be a column name, got {label_column!r}.")
    try:
        X, labels, parts = _table(body["csv"], label_column)
        task, y, names = _labels(labels, task)
    except DataError as error:
        raise SettingError("csv", str(error)) from None
    except InvalidArgument as error:  # a label_column that is not a column
        raise SettingError("label_column", str(error)) from None
    if parts is None:
        train, test = split_indices(
            y if task == "classification" else np.zeros(len(y), np.int64), test_fraction, settings.seed
        )
    else:
        train, test = np.flatnonzero(parts == "train"), np.flatnonzero(parts == "test")
        if not len(train) or not len(test):
            raise SettingError("csv", f"{WHERE}: the part column needs at least one train row and one test row.")
    if task == "regression":
        y = y[:, None]
    data = session_data.uploaded(
        {"train": X[train], "test": X[test]}, {"train": y[train], "test": y[test]}, task, names
    )
    return (data, *_fitted_settings(settings, task, len(train)))


def _table(text, label_column) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """(X (m, 2), labels (m,) str, parts (m,) str or None), every cell checked."""
    if text.count("\n") > session_data.MAX_POINTS + 100:  # before parsing: blank lines are allowed, not 100s of rows
        raise DataError(
            f"{WHERE} has more than {session_data.MAX_POINTS} rows; the playground takes at most that many."
        )
    try:
        rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    except csv.Error as e:
        raise DataError(f"{WHERE} cannot be read as CSV ({e}).") from None
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    parts = None
    header = [h.strip().lower() for h in rows[0]] if rows else []
    if "part" in header:  # taken out here; the other columns go through bprop.datasets' checks
        at = header.index("part")
        for i, r in enumerate(rows[1:], start=1):
            if len(r) != len(header):
                raise DataError(
                    f"{WHERE}: data row {i} has {len(r)} fields but the header has {len(header)}; "
                    "every row needs one value per column."
                )
        parts = np.array([r[at].strip().lower() for r in rows[1:]], dtype=str)
        rows = [r[:at] + r[at + 1 :] for r in rows]
    if rows and len(rows[0]) != 3:
        header = ", ".join(repr(h.strip()) for h in rows[0])
        raise DataError(
            f"{WHERE} has {len(rows[0])} columns ({header}); it needs 3: x1, x2 and the label "
            "(and optionally a column part with train or test)."
        )
    X, labels = tabular.table_of_rows(rows, WHERE, label_column=label_column)
    if len(X) > session_data.MAX_POINTS:
        raise DataError(f"{WHERE} has {len(X)} rows; the playground takes at most {session_data.MAX_POINTS}.")
    if len(X) < 2:
        raise DataError(f"{WHERE} has {len(X)} row; it needs at least 2 (one to train on, one to test).")
    _check_numbers(X, "feature")
    if parts is not None and not np.isin(parts, ("train", "test")).all():
        i = int(np.argmin(np.isin(parts, ("train", "test"))))
        raise DataError(f"{WHERE}: data row {i + 1} has part {str(parts[i])!r}; use train or test.")
    return X, labels, parts


def _labels(labels, task) -> tuple[str, np.ndarray, list | None]:
    """(task, y, class names): classes 0 … K−1 (int64) or targets (float64)."""
    try:
        numbers_ = labels.astype(np.float64)
    except ValueError:
        numbers_ = None
    if task == "auto":
        whole = numbers_ is None or (np.isfinite(numbers_).all() and (numbers_ == np.round(numbers_)).all())
        task = "classification" if whole else "regression"
    if task == "regression":
        if numbers_ is None:
            i = next(i for i, text in enumerate(labels) if not _is_number(text))
            raise DataError(
                f"{WHERE}: data row {i + 1} has the label {str(labels[i])!r}, which is not a number; "
                "regression targets must be numbers (or send task classification)."
            )
        _check_numbers(numbers_[:, None], "target")
        return task, numbers_, None
    y, names = tabular.encode_labels(labels, WHERE)
    if len(names) > MAX_CLASSES:
        raise DataError(
            f"{WHERE} has {len(names)} distinct labels; the playground classifies at most {MAX_CLASSES} "
            "(for real-valued targets, send task regression)."
        )
    return task, y, names


def _check_numbers(values, what) -> None:
    bad = ~np.isfinite(values) | (np.abs(values) > session_data.MAX_COORDINATE)
    if bad.any():
        row, col = np.argwhere(bad)[0]
        raise DataError(
            f"{WHERE}: data row {row + 1} has the {what} {values[row, col]} (column {col + 1}); every number must be "
            f"finite and within ±{session_data.MAX_COORDINATE:g} — remove or fill in that row."
        )


def _is_number(text) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _fitted_settings(settings, task, m_train) -> tuple[object, list]:
    """The session's settings adjusted to the data: a regression cost and output, a batch that fits."""
    changes, notes = {}, []
    if task == "regression":
        try:
            check_regression(settings.output, settings.cost, "the uploaded targets are real numbers")
        except SettingError:
            changes.update(output="identity", cost="quadratic")
            notes.append("the targets are real numbers: output identity and cost quadratic now (regression)")
    if settings.batch_size > m_train:
        changes["batch_size"] = m_train
        notes.append(f"batch size {m_train}: the training set has {m_train} samples")
    return replace(settings, **changes), notes


# -- model files ---------------------------------------------------------------------------------


def model_bytes(session) -> bytes:
    """The session's network as a bprop model file (``bprop.load`` reads it), with the feature map in its metadata."""
    s = session.settings
    metadata = {
        "playground": {
            "features": list(s.features),
            "feature_labels": feature_map.labels(s.features),
            "task": session.task,
            "class_names": session.data.class_names,
            "settings": s.to_dict(),
            "batches": session.batches,
            "data_source": session.data.source,
        }
    }
    with tempfile.TemporaryDirectory(prefix="bprop-playground-") as folder:
        path = modelfile.save(session.net, Path(folder) / FILENAME, metadata=metadata)
        return path.read_bytes()


def network_from_upload(session, body):
    """(network, settings) from {"model": base64 of a model file}, or SettingError naming what does not fit."""
    if not isinstance(body, dict) or not isinstance(body.get("model"), str) or set(body) != {"model"}:
        raise SettingError("model", 'send {"model": "<the model file, base64>"} (a data: URL is accepted too).')
    text = body["model"]
    if text.startswith("data:") and "," in text:
        text = text.split(",", 1)[1]
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise SettingError("model", "the model is not valid base64; send the file's bytes base64-encoded.") from None
    with tempfile.TemporaryDirectory(prefix="bprop-playground-") as folder:
        path = Path(folder) / FILENAME
        path.write_bytes(raw)
        try:
            net = modelfile.load(path)
        except ModelFileError as error:
            raise SettingError("model", str(error).replace(str(path), "the uploaded model file")) from None
    return net.copy("float64"), _settings_for(session, net)


def _settings_for(session, net):
    """The session's settings describing ``net``, or SettingError when the network does not fit the session."""
    s = session.settings
    sizes, names = (
        list(net.sizes),
        {key: getattr(getattr(net, key), "name", None) for key in ("activation", "output", "cost")},
    )
    kept = (net.metadata or {}).get("playground", {})
    trained_on = kept.get("features") if isinstance(kept, dict) else None
    if isinstance(trained_on, list) and trained_on != list(s.features):
        raise SettingError(
            "model",
            f"the model was trained on the features {', '.join(map(str, trained_on))}; this session feeds "
            f"{', '.join(s.features)}. Choose the model's features, then import it again.",
        )
    if sizes[0] != len(s.features):
        raise SettingError(
            "model",
            f"the model takes {sizes[0]} inputs, but this session feeds {len(s.features)} features "
            f"({', '.join(feature_map.labels(s.features))}); choose {sizes[0]} features, then import it again.",
        )
    for key, allowed in (("activation", ACTIVATIONS), ("output", OUTPUTS), ("cost", COSTS)):
        if names[key] not in allowed:
            raise SettingError(
                "model", f"the model's {key} is {names[key]!r}; the playground trains {', '.join(allowed)}."
            )
    hidden = sizes[1:-1]
    if len(hidden) > MAX_HIDDEN_LAYERS or any(n > MAX_WIDTH for n in hidden):
        raise SettingError(
            "model",
            f"the model's hidden layers are {hidden}; the playground draws at most {MAX_HIDDEN_LAYERS} "
            f"hidden layers of at most {MAX_WIDTH} neurons.",
        )
    if session.task == "regression":
        check_regression(names["output"], names["cost"], "this session's data is a regression set")
        outputs, what = 1, "one real target"
    else:
        outputs = session.classes if (names["output"] == "softmax" or session.classes > 2) else 1
        what = f"{session.classes} classes with output {names['output']}"
    if sizes[-1] != outputs:
        raise SettingError(
            "model",
            f"the model has {sizes[-1]} outputs, but this session's data needs {outputs} ({what}); "
            "import a model trained on data like this session's.",
        )
    return replace(s, hidden=hidden, activation=names["activation"], output=names["output"], cost=names["cost"])
