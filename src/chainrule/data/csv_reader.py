"""The user's own data as CSV: a training table, or features to predict from.

Rules, in the order they apply:

- The delimiter is the one of ``,`` ``;`` or tab that occurs most often in the
  first non-blank line (comma on a tie).
- The first row is a header when some column is numeric below it but not in
  it. Without a header the columns are named ``column 0``, ``column 1``, ...
- Every feature column must be numeric and complete: a missing or non-numeric
  cell is an error that gives the file's line number, the column and the cell.
- ``task=None`` infers the task from the target column: any non-numeric label,
  or only whole numbers with at most ``MAX_INFERRED_CLASSES`` distinct values,
  means classification; other numbers mean regression.

Files are read whole with the stdlib ``csv`` module: meant for tables of up to a
few hundred thousand cells. For MNIST-sized images use the IDX files.
"""

from __future__ import annotations

import csv
import io
import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from chainrule.data.dataset import TASKS, Dataset
from chainrule.data.preprocessing import label_key
from chainrule.data.splitting import split_arrays
from chainrule.errors import DataError

__all__ = ["MAX_INFERRED_CLASSES", "load_csv", "read_csv_features", "read_csv_labeled"]

# A whole-number target with more distinct values than this is taken as regression.
MAX_INFERRED_CLASSES = 20

_MISSING = {"", "na", "n/a", "nan", "null", "none", "?", "-"}
_DELIMITERS = (",", ";", "\t")


@dataclass
class _Table:
    """A parsed CSV: column names, rows of stripped cells, and their file lines."""

    path: Path
    names: list[str]
    has_header: bool
    rows: list[list[str]]
    lines: list[int]


def load_csv(path: str | os.PathLike, *, target: str | int = -1, task: str | None = None,
             test_fraction: float = 0.2, seed: int = 0) -> Dataset:
    """Read a CSV file of features and one target column, and split it.

    Parameters
    ----------
    path : str or path-like
        The CSV file.
    target : str or int
        The target column: a header name, or an index (negative counts from the
        right). A string that is not a column name but reads as an integer,
        such as ``"-1"`` from a command line, is taken as an index.
    task : {"classification", "regression"} or None
        None infers it from the target column (see the module notes).
    test_fraction : float
        Share of rows for the test set; stratified by class for classification.
    seed : int
        Seed of the split.

    Returns
    -------
    Dataset
        ``X_*`` float64 ``(m, n)`` with the other columns in file order.
        Classification: ``y_*`` int64 ``(m,)`` indexing ``class_names``, the
        original labels sorted (numerically when they are numbers).
        Regression: ``y_*`` float64 ``(m,)``.

    Raises
    ------
    DataError
        If the file is missing, unreadable, empty or ragged; if ``target`` names
        no column; if a feature or target cell is missing or not a number where
        a number is needed; if ``task`` is not a known task; if a classification
        target has only one class; or if the split leaves a side empty.
    """
    table = _read_table(path)
    j = _target_index(table, target)
    if task is not None and task not in TASKS:
        raise DataError(f"task must be one of {TASKS} or None; received task={task!r}.")

    feature_cols = [c for c in range(len(table.names)) if c != j]
    if not feature_cols:
        raise DataError(f"{table.path} has only the target column {table.names[j]!r}; "
                        "expected at least one feature column besides it.")
    X = _numeric_block(table, feature_cols)

    labels = _target_cells(table, j)
    task = task or _infer_task(labels)
    if task == "classification":
        y, class_names = _encode_classes(table, j, labels)
    else:
        y, class_names = _numeric_target(table, j, labels), None

    X_train, y_train, X_test, y_test = split_arrays(
        X, y, test_fraction, seed, stratify=task == "classification")
    return Dataset(name=table.path.stem, X_train=X_train, y_train=y_train, X_test=X_test,
                   y_test=y_test, task=task, class_names=class_names,
                   feature_names=[table.names[c] for c in feature_cols],
                   source=f"CSV file {table.path}",
                   licence="the user's own data; its terms are the user's to know")


def read_csv_features(path: str | os.PathLike, *, feature_names: list[str] | None = None,
                      n_features: int | None = None) -> np.ndarray:
    """Read the feature matrix to predict from, dropping any other columns.

    Parameters
    ----------
    path : str or path-like
        The CSV file.
    feature_names : list of str or None
        The model's feature names. When the file has a header, these columns are
        taken in this order and any other column (a target, an id) is dropped.
    n_features : int or None
        The number of features the model expects, checked against the result.

    Returns
    -------
    numpy.ndarray, shape (m, n), float64
        One sample per row.

    Raises
    ------
    DataError
        If the file is missing, unreadable, empty or ragged; if a named feature
        column is absent from the header; if a cell is missing or not a number;
        or if the number of columns differs from ``n_features``.
    """
    table = _read_table(path)

    columns = _feature_columns(table, feature_names, exclude=None)

    if n_features is not None and len(columns) != n_features:
        hint = "" if table.has_header else (
            " Without a header row the columns cannot be matched by name; add the "
            "header the model was trained with so extra columns can be dropped.")
        raise DataError(f"{table.path} gives {len(columns)} feature column(s); the model "
                        f"expects n_features={n_features}.{hint}")

    return _numeric_block(table, columns)


def read_csv_labeled(path: str | os.PathLike, *, target: str | int,
                     feature_names: list[str] | None = None, task: str = "classification"
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Read features and raw targets of a whole file, to score a trained model on it.

    Unlike :func:`load_csv` nothing is split or encoded: class labels come back as
    the text in the file, for the model's own label coding to map.

    Parameters
    ----------
    path : str or path-like
        The CSV file.
    target : str or int
        The target column, by name or index.
    feature_names : list of str or None
        The model's features, taken by name when the file has a header; otherwise
        every column but the target, in file order.
    task : {"classification", "regression"}
        Regression targets must be numbers.

    Returns
    -------
    X : numpy.ndarray, shape (m, n), float64
    y : numpy.ndarray, shape (m,)
        Text labels for classification, float64 for regression.

    Raises
    ------
    DataError
        As :func:`load_csv` and :func:`read_csv_features` do.
    """
    table = _read_table(path)
    j = _target_index(table, target)

    columns = _feature_columns(table, feature_names, exclude=j)

    X = _numeric_block(table, columns)
    labels = _target_cells(table, j)
    if task == "regression":
        return X, _numeric_target(table, j, labels)
    return X, np.array([label_key(cell) for cell in labels], dtype=str)


def _feature_columns(table: _Table, feature_names: list[str] | None,
                     exclude: int | None) -> list[int]:
    """The model's feature columns, by name where the file has a header.

    Without a header (or without names) every column but ``exclude`` is a feature.
    """
    if not (table.has_header and feature_names is not None):
        return [c for c in range(len(table.names)) if c != exclude]

    missing = [name for name in feature_names if name not in table.names]
    if missing:
        raise DataError(f"{table.path} lacks the feature column(s) {missing} the "
                        f"model was trained on; its columns are {table.names}.")
    return [table.names.index(name) for name in feature_names]


def _read_table(path: str | os.PathLike) -> _Table:
    """Parse ``path`` into a rectangular table, detecting delimiter and header."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(f"{path} is not UTF-8 text ({exc.reason} at byte {exc.start}); "
                        "expected a CSV file.") from exc
    except OSError as exc:
        raise DataError(f"Cannot read CSV file {path}: {exc.strerror or exc}.") from exc

    rows, lines = _parse_rows(path, text)
    if not rows:
        raise DataError(f"{path} is empty; expected a CSV table with at least one row.")

    width = len(rows[0])
    for row, line in zip(rows, lines, strict=False):
        if len(row) != width:
            raise DataError(f"{path} is ragged: line {line} has {len(row)} fields, but "
                            f"the first row (line {lines[0]}) has {width}.")

    if not _has_header(rows):
        names = [f"column {c}" for c in range(width)]
        return _Table(path, names, False, rows, lines)

    names = [cell or f"column {c}" for c, cell in enumerate(rows[0])]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise DataError(f"{path} has duplicate column names {duplicates} in its header "
                        f"(line {lines[0]}); expected each name once.")
    if len(rows) == 1:
        raise DataError(f"{path} has a header (line {lines[0]}) but no data rows.")
    return _Table(path, names, True, rows[1:], lines[1:])


def _parse_rows(path: Path, text: str) -> tuple[list[list[str]], list[int]]:
    """Split CSV text into rows of stripped cells and the line each row starts on."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(_DELIMITERS, key=first.count)

    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows, lines = [], []
    start = 1
    try:
        for row in reader:
            # A blank line is skipped; in a one-column file it is a blank line too.
            if any(cell.strip() for cell in row) or len(row) > 1:
                rows.append([cell.strip() for cell in row])
                lines.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:
        raise DataError(f"{path} is not valid CSV near line {reader.line_num}: "
                        f"{exc}.") from exc
    return rows, lines


def _has_header(rows: list[list[str]]) -> bool:
    """True if some column is non-numeric in the first row and numeric below it."""
    first, body = rows[0], rows[1:]
    if not body:
        return all(_number(cell) is None for cell in first)

    for c, cell in enumerate(first):
        if _number(cell) is not None:
            continue
        below = [row[c] for row in body if row[c].lower() not in _MISSING]
        if below and all(_number(v) is not None for v in below):
            return True
    return False


def _number(cell: str) -> float | None:
    """The cell's value as a float, or None when it is not a finite number."""
    try:
        value = float(cell)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _target_index(table: _Table, target: str | int) -> int:
    """Resolve ``target`` (name or possibly negative index) to a column index."""
    n = len(table.names)
    columns = ", ".join(f"{name!r} ({c})" for c, name in enumerate(table.names[:30]))
    if n > 30:
        columns += f", ... ({n} columns in all)"

    if isinstance(target, str) and target in table.names:
        return table.names.index(target)

    index = target
    if isinstance(target, str):
        try:
            index = int(target)
        except ValueError:
            index = None

    is_int = isinstance(index, (int, np.integer)) and not isinstance(index, bool)
    if not is_int or not -n <= index < n:
        raise DataError(f"target={target!r} is not a column of {table.path}; expected a "
                        f"column name or an index from {-n} to {n - 1}. The columns "
                        f"are: {columns}.")
    return int(index) % n


def _numeric_block(table: _Table, columns: list[int]) -> np.ndarray:
    """The given columns as a float64 matrix ``(m, len(columns))``."""
    cells = np.array([[row[c] for c in columns] for row in table.rows], dtype=str)
    cells = cells.reshape(len(table.rows), len(columns))
    try:
        X = cells.astype(np.float64)
    except ValueError:
        X = None
    if X is not None and np.isfinite(X).all():
        return X

    # Slow path, cell by cell in reading order, to name the first bad cell.
    X = np.empty(cells.shape, dtype=np.float64)
    for i, (row, line) in enumerate(zip(table.rows, table.lines, strict=False)):
        for k, c in enumerate(columns):
            value = _number(row[c])
            if value is None:
                _bad_cell(table, line, c, row[c], "feature")
            X[i, k] = value
    return X


def _bad_cell(table: _Table, line: int, c: int, cell: str, role: str) -> None:
    """Raise the DataError for a missing or non-numeric cell."""
    what = "a missing value" if cell.lower() in _MISSING else f"the value {cell!r}"
    raise DataError(f"{table.path}, line {line}, {role} column {table.names[c]!r}: "
                    f"found {what}; expected a finite number. Fill in or remove that "
                    "row.")


def _target_cells(table: _Table, j: int) -> list[str]:
    """The target column's cells; a missing one is an error."""
    labels = [row[j] for row in table.rows]
    for cell, line in zip(labels, table.lines, strict=False):
        if cell.lower() in _MISSING:
            raise DataError(f"{table.path}, line {line}, target column "
                            f"{table.names[j]!r}: found a missing value ({cell!r}); "
                            "expected a label or a number. Fill in or remove that row.")
    return labels


def _infer_task(labels: list[str]) -> str:
    """Classification for text or few whole-number labels, else regression."""
    values = [_number(cell) for cell in labels]
    if any(v is None for v in values):
        return "classification"

    whole = all(v.is_integer() for v in values)
    if whole and len(set(values)) <= MAX_INFERRED_CLASSES:
        return "classification"
    return "regression"


def _encode_classes(table: _Table, j: int, labels: list[str]
                    ) -> tuple[np.ndarray, list[str]]:
    """Integer labels ``(m,)`` and the sorted original labels they index."""
    keys = [label_key(cell) for cell in labels]
    distinct = set(keys)
    if all(_number(k) is not None for k in distinct):
        class_names = sorted(distinct, key=float)
    else:
        class_names = sorted(distinct)

    if len(class_names) < 2:
        raise DataError(f"{table.path}: the target column {table.names[j]!r} holds only "
                        f"the label {class_names[0]!r}; classification needs at least "
                        "two classes.")

    index = {name: i for i, name in enumerate(class_names)}
    y = np.array([index[k] for k in keys], dtype=np.int64)
    return y, class_names


def _numeric_target(table: _Table, j: int, labels: list[str]) -> np.ndarray:
    """The target column as float64 ``(m,)`` for regression."""
    for cell, line in zip(labels, table.lines, strict=False):
        if _number(cell) is None:
            raise DataError(f"{table.path}, line {line}, target column "
                            f"{table.names[j]!r}: found {cell!r}; regression needs a "
                            "finite number in every row (or pass task='classification').")
    return np.array([float(cell) for cell in labels], dtype=np.float64)
