"""Scoring a network on test data and showing the scores: shared by train and evaluate."""

from __future__ import annotations

import numpy as np

from ..metrics import classification_report, regression_report
from ..network import Network

__all__ = ["evaluate_network", "print_summary"]


def evaluate_network(net: Network, X: np.ndarray, y: np.ndarray, prep) -> dict:
    """Test loss and scores of ``net`` on preprocessed ``X`` and targets ``y``.

    ``y`` holds class indices, or regression targets in the data's own units: the
    loss is taken in the units the network trained in (targets scaled by ``prep``),
    RMSE, MAE and R² in the data's units.
    """
    y_trained = prep.scale_targets(y) if prep.task == "regression" else y
    metrics = {"test_loss": net.loss(X, y_trained), "test_samples": int(X.shape[0])}
    if prep.task == "classification":
        report = classification_report(y, net.predict(X), len(prep.class_names))
        metrics["test_accuracy"] = report.pop("accuracy")
        metrics["per_class"] = report
    else:
        scores = regression_report(y, prep.unscale_targets(net.predict(X)))
        metrics.update({f"test_{k}": v for k, v in scores.items()})
    return metrics


def print_summary(metrics: dict, class_names: list | None, console=None) -> None:
    """Print the headline scores, then per-class precision/recall/F1 and the confusion matrix."""
    from rich.console import Console
    from rich.table import Table

    console = console or Console(highlight=False)
    if "test_accuracy" not in metrics:
        console.print(
            f"test loss {metrics['test_loss']:.4f}   RMSE {metrics['test_rmse']:.4f}   "
            f"MAE {metrics['test_mae']:.4f}   R² {metrics['test_r2']:.4f}   "
            f"({metrics['test_samples']} samples)"
        )
        return

    console.print(
        f"test accuracy [bold]{100 * metrics['test_accuracy']:.2f}%[/bold]   "
        f"test loss {metrics['test_loss']:.4f}   ({metrics['test_samples']} samples)"
    )
    per = metrics["per_class"]
    table = Table(title="per class", title_justify="left")
    for column in ("class", "precision", "recall", "F1", "support"):
        table.add_column(column, justify="right")
    for c, name in enumerate(class_names):
        table.add_row(str(name), f"{per['precision'][c]:.3f}", f"{per['recall'][c]:.3f}",
                      f"{per['f1'][c]:.3f}", str(per["support"][c]))
    console.print(table)

    if len(class_names) <= 20:
        confusion = Table(title="confusion matrix (rows: true class, columns: predicted)",
                          title_justify="left")
        confusion.add_column("")
        for name in class_names:
            confusion.add_column(str(name)[:8], justify="right")
        for name, row in zip(class_names, per["confusion"]):
            confusion.add_row(str(name)[:12], *(str(v) for v in row))
        console.print(confusion)
