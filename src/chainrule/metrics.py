"""Scores of a trained network on held-out data: accuracy and its per-class parts, RMSE, R².

Labels are integer class indices ``0..k-1`` of shape ``(m,)``; regression targets are
``(m,)`` or ``(m, N)``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["classification_report", "confusion_matrix", "regression_report"]


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    """Counts ``C[t, p]`` of samples of true class ``t`` predicted as ``p``, shape ``(k, k)``."""
    counts = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(counts, (np.asarray(y_true, np.int64), np.asarray(y_pred, np.int64)), 1)
    return counts


def classification_report(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> dict:
    """Accuracy, per-class precision, recall, F1 and support, and the confusion matrix.

    precision_c = TP / (TP + FP), recall_c = TP / (TP + FN), F1 = their harmonic mean;
    a class never predicted (or never present) gets 0 rather than a division by zero.

    Returns
    -------
    dict
        ``accuracy`` (float), ``precision``, ``recall``, ``f1``, ``support`` (lists of
        length k) and ``confusion`` (k lists of k ints), all JSON-ready.
    """
    C = confusion_matrix(y_true, y_pred, n_classes)
    tp = np.diag(C).astype(float)
    predicted = C.sum(axis=0)
    actual = C.sum(axis=1)

    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(predicted > 0, tp / predicted, 0.0)
        recall = np.where(actual > 0, tp / actual, 0.0)
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0.0)

    return {
        "accuracy": float(tp.sum() / max(C.sum(), 1)),
        "precision": precision.tolist(),
        "recall": recall.tolist(),
        "f1": f1.tolist(),
        "support": actual.tolist(),
        "confusion": C.tolist(),
    }


def regression_report(y_true: np.ndarray, y_pred: np.ndarray) -> dict:
    """Root mean squared error, mean absolute error and R² = 1 − SS_res / SS_tot.

    For several outputs the R² is the mean over outputs. A constant target gives
    R² = 0 rather than a division by zero.
    """
    y_true = np.asarray(y_true, float).reshape(len(y_true), -1)
    y_pred = np.asarray(y_pred, float).reshape(len(y_pred), -1)
    residual = y_true - y_pred

    ss_res = (residual**2).sum(axis=0)
    ss_tot = ((y_true - y_true.mean(axis=0)) ** 2).sum(axis=0)
    r2 = np.where(ss_tot > 0, 1 - ss_res / np.where(ss_tot > 0, ss_tot, 1), 0.0)

    return {
        "rmse": float(np.sqrt(np.mean(residual**2))),
        "mae": float(np.mean(np.abs(residual))),
        "r2": float(r2.mean()),
    }
