"""Seeded train/test splits: stratified by class for classification.

A split is a pair of index arrays into the rows of ``X`` (shape ``(m, n)``).
The same ``(y, test_fraction, seed)`` always gives the same split.
"""

from __future__ import annotations

import math

import numpy as np

from chainrule.errors import DataError

__all__ = ["check_test_fraction", "split_indices", "split_arrays"]


def check_test_fraction(test_fraction: float) -> float:
    """Return ``test_fraction`` as a float after checking ``0 < test_fraction < 1``.

    Raises
    ------
    DataError
        If it is not a number strictly between 0 and 1.
    """
    is_number = isinstance(test_fraction, (int, float)) and not isinstance(test_fraction, bool)
    if not is_number or not 0.0 < test_fraction < 1.0:
        raise DataError("test_fraction must be a number strictly between 0 and 1; "
                        f"received test_fraction={test_fraction!r}.")
    return float(test_fraction)


def split_indices(y: np.ndarray, test_fraction: float, seed: int,
                  stratify: bool) -> tuple[np.ndarray, np.ndarray]:
    """Choose which rows go to the test set.

    With ``stratify``, each class sends ``round(test_fraction * m_c)`` of its
    ``m_c`` rows to the test set (at least one, and never all of them when
    ``m_c >= 2``), so both parts keep the class proportions.

    Parameters
    ----------
    y : numpy.ndarray, shape (m,) or (m, k)
        Targets; with ``stratify`` they are class labels of shape ``(m,)``.
    test_fraction : float
        Share of the rows for the test set, ``0 < test_fraction < 1``.
    seed : int
        Seed of the random permutation.
    stratify : bool
        Split each class separately.

    Returns
    -------
    train_idx, test_idx : numpy.ndarray, int64
        Disjoint row indices covering ``0 .. m-1``, each in shuffled order.

    Raises
    ------
    DataError
        If ``test_fraction`` is out of range or either part would be empty.
    """
    test_fraction = check_test_fraction(test_fraction)
    rng = np.random.default_rng(seed)
    m = len(y)

    if stratify:
        test_parts = []
        for label in np.unique(y):
            rows = rng.permutation(np.flatnonzero(y == label))
            test_parts.append(rows[:_n_test(len(rows), test_fraction)])
        test_idx = np.concatenate(test_parts) if test_parts else np.empty(0, np.int64)
    else:
        test_idx = rng.permutation(m)[:_n_test(m, test_fraction)]

    in_test = np.zeros(m, dtype=bool)
    in_test[test_idx] = True
    train_idx = np.flatnonzero(~in_test)

    if len(train_idx) == 0 or len(test_idx) == 0:
        why = " (a class sends rows to the test set only when it has 2 or more)"
        raise DataError(f"Cannot split {m} samples with test_fraction={test_fraction}: "
                        "both the training and the test set need at least one sample"
                        f"{why if stratify else ''}.")

    # Shuffle within each part so that classes are interleaved, not in blocks.
    train_idx = rng.permutation(train_idx).astype(np.int64)
    test_idx = rng.permutation(test_idx).astype(np.int64)
    return train_idx, test_idx


def split_arrays(X: np.ndarray, y: np.ndarray, test_fraction: float, seed: int,
                 stratify: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split ``X`` (m, n) and ``y`` (m, ...) into ``X_train, y_train, X_test, y_test``.

    See :func:`split_indices` for the parameters and the errors.
    """
    train_idx, test_idx = split_indices(y, test_fraction, seed, stratify)
    return X[train_idx], y[train_idx], X[test_idx], y[test_idx]


def _n_test(m: int, test_fraction: float) -> int:
    """Rows of a group of ``m`` that go to the test set."""
    if m < 2:
        return 0

    # Round half up (not Python's round-half-even) so 0.5 * 5 gives 3, as a
    # reader would expect; keep at least one row on each side.
    n_test = math.floor(test_fraction * m + 0.5)
    return min(max(n_test, 1), m - 1)
