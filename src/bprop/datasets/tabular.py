"""User data: a CSV file with a header row, or an NPZ file with arrays X and y.

CSV: one sample per row; ``label_column`` names the label column (default the
last); every other column is a numeric feature. NPZ: ``X`` (m, n) numeric and
``y`` (m,), read with allow_pickle=False. Labels may be integers or strings;
either way they are mapped to 0..K-1 in sorted order and class_names keeps
the original values as strings.
"""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

import numpy as np

from ..errors import DataError, InvalidArgument
from .dataset import Dataset
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
        X, labels = read_csv(path, label_column=label_column)
    elif suffix == ".npz":
        if label_column is not None:
            raise InvalidArgument(
                f"label_column={label_column!r} applies only to CSV files; "
                f"{path.name} is an NPZ file whose labels are the array 'y'."
            )
        X, labels = read_npz(path)
    else:
        raise InvalidArgument(f"The data file {str(path)!r} must end in .csv or .npz.")
    if not np.isfinite(X).all():
        row, col = np.argwhere(~np.isfinite(X))[0]
        raise DataError(
            f"{path}: the features hold {X[row, col]} (first in data row {row + 1}, feature "
            f"{col + 1}); "
            "remove or fill in the missing or infinite values."
        )
    y, class_names = encode_labels(labels, path)
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
    """(X (m, n) float64, labels (m,) str) from a CSV file with a header row."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = list(csv.reader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise DataError(f"{path}: cannot be read as a UTF-8 CSV file ({e}).") from None
    return table_of_rows(rows, path, label_column=label_column)


def table_of_rows(rows: list, path, *, label_column: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(X, labels) from CSV rows (lists of str), the first the header; ``path`` names the source in messages.

    The checks of ``read_csv``, for rows read from elsewhere (the playground's uploads).
    """
    rows = [r for r in rows if any(cell.strip() for cell in r)]  # blank lines carry no sample
    if not rows:
        raise DataError(f"{path} is empty; a CSV file needs a header row and one row per sample.")
    header = [h.strip() for h in rows[0]]
    if len(rows) == 1:
        raise DataError(f"{path} has a header ({', '.join(header)}) but no data rows; add one row per sample.")
    if len(header) < 2:
        raise DataError(
            f"{path} has a single column ({header[0]!r}); it needs at least one feature "
            "column and a label column, separated by commas."
        )
    if label_column is None:
        label_at = len(header) - 1
    elif label_column in header:
        label_at = header.index(label_column)
    else:
        raise InvalidArgument(
            f"label_column={label_column!r} is not a column of {path}; its columns are {', '.join(map(repr, header))}."
        )
    for i, r in enumerate(rows[1:], start=1):
        if len(r) != len(header):
            raise DataError(
                f"{path}: data row {i} has {len(r)} fields but the header has "
                f"{len(header)}; every row needs one value per column."
            )
    cells = np.array(rows[1:], dtype=str)
    feature_cols = [j for j in range(len(header)) if j != label_at]
    try:
        X = cells[:, feature_cols].astype(np.float64)
    except ValueError:
        X = None
    if X is None:
        i, j = _first_non_number(cells, feature_cols)
        raise DataError(
            f"{path}: data row {i + 1} (line {i + 2}), column {header[j]!r} holds "
            f"{cells[i, j]!r}, which is not a number; features must be numeric "
            f"(labels go in the column {header[label_at]!r}; choose another with label_column)."
        )
    labels = np.char.strip(cells[:, label_at])
    if (labels == "").any():
        i = int(np.argmax(labels == ""))
        raise DataError(
            f"{path}: data row {i + 1} (line {i + 2}) has an empty label in column "
            f"{header[label_at]!r}; every sample needs a label."
        )
    return X, labels


def _first_non_number(cells: np.ndarray, columns: list[int]) -> tuple[int, int]:
    """(row, column) of the first cell, row by row, in columns that float() refuses."""
    for i in range(len(cells)):
        for j in columns:
            if not _is_number(cells[i, j]):
                return i, j
    raise AssertionError("called only when a cell is not a number")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def read_npz(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """(X (m, n) float64, labels (m,)) from an NPZ file with arrays X and y."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            missing = [k for k in ("X", "y") if k not in archive.files]
            if missing:
                raise DataError(
                    f"{path} lacks the array(s) {', '.join(missing)}; it holds "
                    f"{', '.join(archive.files) or 'nothing'}. Save it with "
                    "np.savez(path, X=features, y=labels)."
                )
            X, y = archive["X"], archive["y"]
    except ValueError as e:
        if isinstance(e, DataError):
            raise
        raise DataError(
            f"{path}: cannot be read without pickle ({e}); object arrays are refused. "
            "Save plain numeric arrays (labels as integers or strings)."
        ) from None
    except (OSError, zipfile.BadZipFile, EOFError) as e:
        raise DataError(f"{path}: cannot be read as an NPZ file ({e}).") from None
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


def encode_labels(labels: np.ndarray, path) -> tuple[np.ndarray, list[str]]:
    """(y (m,) int64 in 0..K-1, class_names) from integer or string labels, classes sorted.

    Strings that all read as integers ("0", "7", "-1") are sorted as numbers.
    """
    if labels.dtype.kind in "US":
        try:
            labels = labels.astype(np.int64)
        except ValueError:
            pass
    if labels.dtype.kind == "f":
        if not (np.isfinite(labels).all() and (labels == np.round(labels)).all()):
            raise DataError(
                f"{path}: the labels hold non-integer numbers (e.g. "
                f"{labels[~np.isfinite(labels) | (labels != np.round(labels))][0]}); "
                "bprop classifies, so labels must be class numbers or names."
            )
        labels = labels.astype(np.int64)
    if labels.dtype.kind == "S":
        labels = labels.astype(str)
    classes, y = np.unique(labels, return_inverse=True)
    if len(classes) < 2:
        raise DataError(f"{path}: every label is {str(classes[0])!r}; classification needs at least 2 classes.")
    return y.astype(np.int64).reshape(-1), [str(c) for c in classes]
