"""CSV files read as a stream: memory follows the data kept, not the text.

A CSV file is read line by line; each row's numbers go straight into a flat
``array('d')`` (8 bytes a value) and each label into a small table of the
distinct labels plus one int64 code per row, so reading m rows of n features
holds about 8·m·(n + 1) bytes, whatever the text looks like. Lines are bounded
(``MAX_LINE_CHARS``) before the csv module splits them, as are cells (the csv
module's field limit) and columns (``MAX_COLUMNS``), so a hostile file (one
200 MB line, a million commas) is refused after reading at most one line.

Messages quote at most ``EXCERPT_CHARS`` characters of the input.
"""

from __future__ import annotations

import csv
import io
from array import array
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from ..errors import DataError, InvalidArgument
from ..storage.files import open_regular

MAX_LINE_CHARS = 1 << 20
"""The longest CSV line accepted, in characters (1 MiB: 100,000 features of 10 digits)."""
MAX_COLUMNS = 100_000
"""The most columns a CSV file may have."""
MAX_CELL_CHARS = csv.field_size_limit()
"""The longest cell accepted (the csv module's own limit, 128 KiB)."""
EXCERPT_CHARS = 40
"""The most characters of the input a message quotes."""


def excerpt(text, limit: int = EXCERPT_CHARS) -> str:
    """repr(text), shortened to about ``limit`` characters with '…' when longer."""
    text = str(text)
    return repr(text) if len(text) <= limit else repr(text[:limit]) + f"… ({len(text)} characters)"


def columns_excerpt(header: list[str], limit: int = 8) -> str:
    """The first ``limit`` column names, quoted briefly, and how many more there are."""
    shown = ", ".join(excerpt(h, 20) for h in header[:limit])
    return shown + (f", … ({len(header)} columns)" if len(header) > limit else "")


def csv_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) for each row of a UTF-8 CSV file, lines and cells bounded."""
    try:
        with open_regular(path, "CSV data file", None) as raw, io.TextIOWrapper(raw, "utf-8-sig", newline="") as f:
            reader = csv.reader(_bounded_lines(f, path))
            for row in reader:
                yield reader.line_num, row
    except UnicodeDecodeError as e:
        raise DataError(
            f"{path}: is not UTF-8 text (it holds the byte 0x{e.object[e.start]:02x}, which UTF-8 "
            "does not allow there); save it as UTF-8 CSV."
        ) from None
    except csv.Error as e:
        line = getattr(reader, "line_num", 0)
        if "field larger than field limit" in str(e):
            raise DataError(
                f"{path}: line {line} has a cell longer than {MAX_CELL_CHARS} characters; "
                "a CSV cell holds one number or one label."
            ) from None
        raise DataError(f"{path}: line {line} cannot be read as CSV ({e}).") from None
    except OSError as e:
        raise DataError(f"{path}: cannot be read ({e.strerror or e}).") from None


def _bounded_lines(f, path) -> Iterator[str]:
    """The lines of text file f, refusing one longer than MAX_LINE_CHARS before it is split."""
    number = 0
    while line := f.readline(MAX_LINE_CHARS + 1):
        number += 1
        if len(line) > MAX_LINE_CHARS:
            raise DataError(
                f"{path}: line {number} is longer than {MAX_LINE_CHARS} characters (it starts "
                f"{excerpt(line)}); bprop reads CSV files of at most {MAX_COLUMNS} columns "
                "with one sample per line."
            )
        yield line


class LabelledTable:
    """The rows of a CSV table with a header, kept compactly as they arrive.

    features : array('d'), row after row, n values each
    codes    : array('q'), one per row: the index of its label in ``labels``
    labels   : the distinct labels (str), in order of first appearance
    """

    def __init__(self, header: list[str], label_at: int, path):
        self.header, self.label_at, self.path = header, label_at, path
        self.feature_cols = [j for j in range(len(header)) if j != label_at]
        self.features, self.codes = array("d"), array("q")
        self.labels: list[str] = []
        self._label_index: dict[str, int] = {}

    @property
    def m(self) -> int:
        return len(self.codes)

    def add(self, row: list[str], line: int) -> None:
        """Append one data row (cells as read) found on ``line``."""
        header, path = self.header, self.path
        if len(row) != len(header):
            raise DataError(
                f"{path}: data row {self.m + 1} has {len(row)} fields (line {line}) but the header "
                f"has {len(header)}; every row needs one value per column."
            )
        try:
            self.features.extend([float(row[j]) for j in self.feature_cols])
        except ValueError:
            j = next(j for j in self.feature_cols if not _is_number(row[j]))
            raise DataError(
                f"{path}: data row {self.m + 1} (line {line}), column {excerpt(header[j], 20)} holds "
                f"{excerpt(row[j])}, which is not a number; features must be numeric "
                f"(labels go in the column {excerpt(header[self.label_at], 20)}; choose another with "
                "--label-column, or label_column= in Python)."
            ) from None
        label = row[self.label_at].strip()
        if not label:
            raise DataError(
                f"{path}: data row {self.m + 1} (line {line}) has an empty label in column "
                f"{excerpt(header[self.label_at], 20)}; every sample needs a label."
            )
        code = self._label_index.setdefault(label, len(self.labels))
        if code == len(self.labels):
            self.labels.append(label)
        self.codes.append(code)

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """(X (m, n) float64, codes (m,) int64), sharing the memory read."""
        X = np.frombuffer(self.features, dtype=np.float64).reshape(self.m, len(self.feature_cols))
        return X, np.frombuffer(self.codes, dtype=np.int64)


def read_labelled_table(
    rows: Iterable[tuple[int, list[str]]], path, *, label_column: str | None = None
) -> LabelledTable:
    """The table of (line, cells) rows, the first non-blank one the header, checked row by row."""
    rows = ((line, r) for line, r in rows if any(cell.strip() for cell in r))  # blank lines carry no sample
    first = next(rows, None)
    if first is None:
        raise DataError(f"{path} is empty; a CSV file needs a header row and one row per sample.")
    header = [h.strip() for h in first[1]]
    if len(header) > MAX_COLUMNS:
        raise DataError(f"{path} has {len(header)} columns, more than the {MAX_COLUMNS} bprop reads.")
    if len(header) < 2:
        raise DataError(
            f"{path} has a single column ({excerpt(header[0])}); it needs at least one feature "
            "column and a label column, separated by commas."
        )
    if label_column is None:
        label_at = len(header) - 1
    elif label_column in header:
        label_at = header.index(label_column)
    else:
        raise InvalidArgument(
            f"the label column {excerpt(label_column)} (--label-column, label_column= in Python) is not a "
            f"column of {path}; its columns are {columns_excerpt(header)}."
        )
    table = LabelledTable(header, label_at, path)
    for line, row in rows:
        table.add(row, line)
    if table.m == 0:
        raise DataError(f"{path} has a header ({columns_excerpt(header)}) but no data rows; add one row per sample.")
    return table


def read_feature_rows(rows: Iterable[tuple[int, list[str]]], path) -> np.ndarray:
    """X (m, n) float64 from (line, cells) rows of numbers only; a first row with no number is a header."""
    values, n, m = array("d"), None, 0
    for line, row in rows:
        if not any(cell.strip() for cell in row):
            continue
        if n is None and m == 0 and not any(_is_number(cell) for cell in row):
            continue  # a header row: no cell is a number
        if n is None:
            n = len(row)
            if n > MAX_COLUMNS:
                raise DataError(f"{path} has {n} columns, more than the {MAX_COLUMNS} bprop reads.")
        if len(row) != n:
            raise DataError(
                f"{path}: line {line} has {len(row)} values but the first row has {n}; rows need the same number."
            )
        try:
            values.extend([float(cell) for cell in row])
        except ValueError:
            bad = next(c for c in row if not _is_number(c))
            raise DataError(
                f"{path}, line {line}: {excerpt(bad)} is not a number; predict needs numeric features only."
            ) from None
        m += 1
    if m == 0:
        raise DataError(f"{path} holds no rows of numbers.")
    return np.frombuffer(values, dtype=np.float64).reshape(m, n)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
