"""User data: a CSV file with a header row, or an NPZ file with arrays X and y.

CSV: one sample per row; ``label_column`` names the label column (default the
last); every other column is a numeric feature. NPZ: ``X`` (m, n) numeric and
``y`` (m,), read with allow_pickle=False. Labels may be integers or strings;
either way they are mapped to 0..K-1 in sorted order and class_names keeps
the original values as strings.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import DataError, InvalidArgument
from .csv_reader import csv_rows, excerpt, read_feature_rows, read_labelled_table
from .dataset import Dataset
from .npz_reader import read_npz_arrays
from .split import split_indices

DEFAULT_TEST_FRACTION = 0.2


def load_tabular(
    path, *, seed: int = 0, test_fraction: float | None = None, label_column: str | None = None
) -> Dataset:
    """A CSV or NPZ file as a Dataset, split into train/test from seed (stratified when possible).

    X_train : (m - m_test, n) float64, X_test : (m_test, n) with m_test = ceil(test_fraction·m)
    (test_fraction default 0.2); y int64 indices into class_names.
    """
    path = Path(path).expanduser()
    if not path.is_file():
        raise DataError(f"The data file {str(path)!r} does not exist (or is not a file); check the path.")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        table = read_labelled_table(csv_rows(path), path, label_column=label_column)
        X, codes = table.arrays()
        class_names, order = class_order(table.labels)
        if len(class_names) < 2:
            raise DataError(
                f"{path}: every label is {excerpt(class_names[0])}; classification needs at least 2 classes."
            )
        y = order[codes]
    elif suffix == ".npz":
        if label_column is not None:
            raise InvalidArgument(
                f"label_column={label_column!r} applies only to CSV files; "
                f"{path.name} is an NPZ file whose labels are the array 'y'."
            )
        X, labels = read_npz(path)
        y, class_names = encode_labels(labels, path)
    else:
        raise InvalidArgument(f"The data file {str(path)!r} must end in .csv or .npz.")
    if not np.isfinite(X).all():
        row, col = np.argwhere(~np.isfinite(X))[0]
        raise DataError(
            f"{path}: the features hold {X[row, col]} (first in data row {row + 1}, feature "
            f"{col + 1}); "
            "remove or fill in the missing or infinite values."
        )
    test_fraction = DEFAULT_TEST_FRACTION if test_fraction is None else test_fraction
    train, test = split_indices(y, test_fraction, seed)
    return Dataset(
        name=str(path),
        X_train=X[train],
        y_train=y[train],
        X_test=X[test],
        y_test=y[test],
        class_names=class_names,
    )


def read_csv(path: Path, *, label_column: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(X (m, n) float64, labels (m,) str) from a CSV file with a header row, read as a stream."""
    table = read_labelled_table(csv_rows(path), path, label_column=label_column)
    X, codes = table.arrays()
    return X, np.asarray(table.labels)[codes]


def table_of_rows(rows: list, path, *, label_column: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(X, labels) from CSV rows (lists of str), the first the header; ``path`` names the source in messages.

    The checks of ``read_csv``, for rows read from elsewhere (the playground's uploads).
    """
    table = read_labelled_table(enumerate(rows, start=1), path, label_column=label_column)
    X, codes = table.arrays()
    return X, np.asarray(table.labels)[codes]


def read_npz(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """(X (m, n) float64, labels (m,)) from an NPZ file with arrays X and y."""
    arrays = read_npz_arrays(path, ("X", "y"), required=("X", "y"))
    X, y = arrays["X"], arrays["y"]
    if X.ndim != 2 or X.dtype.kind not in "biuf" or X.shape[1] == 0:
        raise DataError(
            f"{path}: X must be a 2-D numeric array (m samples, n features), got dtype {X.dtype} and shape {X.shape}."
        )
    if y.ndim != 1 or len(y) != len(X):
        raise DataError(f"{path}: y must be 1-D with one label per row of X ({len(X)}), got shape {y.shape}.")
    if len(X) == 0:
        raise DataError(f"{path}: X has no rows; add one row per sample.")
    if y.dtype.kind not in "biufUS":
        raise DataError(f"{path}: y has dtype {y.dtype}; labels must be integers or strings.")
    return X.astype(np.float64), y


def read_features(path: Path) -> np.ndarray:
    """X (m, n) float64 of a CSV file of numbers (a header row optional) or an NPZ file's array X.

    The inputs of ``bprop predict``: no labels. An NPZ X of shape (n,) is one sample;
    one of more dimensions is flattened per row.
    """
    if path.suffix.lower() == ".csv":
        return read_feature_rows(csv_rows(path), path)
    X = read_npz_arrays(path, ("X",), required=("X",))["X"]
    if X.dtype.kind not in "biuf":
        raise DataError(f"{path}: X has dtype {X.dtype}; it must hold numbers.")
    if X.ndim == 0 or X.size == 0:
        raise DataError(f"{path}: X has shape {X.shape}; it must hold at least one sample of numbers.")
    X = X.reshape(1, -1) if X.ndim == 1 else X.reshape(len(X), -1)
    return X.astype(np.float64)


def encode_labels(labels: np.ndarray, path) -> tuple[np.ndarray, list[str]]:
    """(y (m,) int64 in 0..K-1, class_names) from integer or string labels, classes sorted.

    Strings that all read as integers ("0", "7", "-1") are sorted as numbers, and
    any size of integer is a label (it names a class; it is never computed with).
    """
    labels = np.asarray(labels)
    if labels.dtype.kind == "f":
        integral = np.isfinite(labels) & (labels == np.round(labels))
        if not integral.all():
            raise DataError(
                f"{path}: the labels hold non-integer numbers (e.g. {labels[~integral][0]}); "
                "bprop classifies, so labels must be class numbers or names."
            )
        classes, codes = np.unique(labels, return_inverse=True)
        names = [str(int(c)) for c in classes.tolist()]
    elif labels.dtype.kind in "biu":
        classes, codes = np.unique(labels, return_inverse=True)
        names = [str(c) for c in classes.tolist()]
    elif labels.dtype.kind in "US":
        try:
            classes, codes = np.unique(labels.astype(str), return_inverse=True)
        except UnicodeDecodeError:
            raise DataError(
                f"{path}: the labels are bytes that are not ASCII; store them as str or integers."
            ) from None
        names, order = class_order([str(c) for c in classes])
        codes = order[codes]
    else:
        raise DataError(f"{path}: labels of dtype {labels.dtype} cannot name classes; use integers or strings.")
    if len(names) < 2:
        raise DataError(f"{path}: every label is {excerpt(names[0])}; classification needs at least 2 classes.")
    return np.asarray(codes, dtype=np.int64).reshape(-1), names


def class_order(labels: list[str]) -> tuple[list[str], np.ndarray]:
    """(class_names sorted, index (len(labels),) of each label's class).

    Labels that all read as integers are sorted as numbers and named by their
    value ("07" and "7" are one class, "7"); otherwise they are sorted as text.
    """
    try:
        keys = [int(label) for label in labels]
    except ValueError:  # a name, or an integer of more than 4300 digits
        keys = list(labels)
    distinct = sorted(set(keys))
    position = {key: k for k, key in enumerate(distinct)}
    return [str(key) for key in distinct], np.array([position[key] for key in keys], dtype=np.int64)
