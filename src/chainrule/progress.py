"""What a person sees while a network trains: a progress bar and one row per epoch.

``verbose=1`` draws a bar within each epoch (steps, samples per second, time left)
when the output is a terminal, and falls back to one row per epoch when it is not
(a log file, CI); ``verbose=2`` always prints one row per epoch. Everything goes to
standard error, so standard output stays free for results. Drawing uses ``rich``.
"""

from __future__ import annotations

import math
import time

from .training import Callback, Trainer

__all__ = ["EpochPrinter", "progress_callback"]

_COLUMNS = ("epoch", "loss", "accuracy", "val_loss", "val_accuracy", "lr", "seconds")
_HEADERS = ("epoch", "loss", "acc", "val_loss", "val_acc", "lr", "time")


def _cell(key: str, value) -> str:
    if isinstance(value, float) and math.isnan(value):
        return "-"
    if key == "epoch":
        return str(value)
    if key in ("accuracy", "val_accuracy"):
        return f"{100 * value:.2f}%"
    if key == "seconds":
        return f"{value:.2f}s"
    if key == "lr":
        return f"{value:.3g}"
    return f"{value:.4f}"


class EpochPrinter(Callback):
    """Prints a header, then a row per epoch; with ``bar=True`` also a bar within epochs.

    Parameters
    ----------
    bar : bool
        Draw the in-epoch progress bar (only honoured on a terminal).
    console : rich.console.Console, optional
        Where to draw; standard error by default.
    """

    def __init__(self, bar: bool = True, console=None):
        from rich.console import Console

        self.console = console or Console(stderr=True, highlight=False)
        self.bar = bar and self.console.is_terminal
        self.progress = None
        self.widths = [7, 9, 8, 9, 8, 9, 8]

    def _row(self, cells) -> str:
        return "  ".join(str(c).rjust(w) for c, w in zip(cells, self.widths))

    def on_train_begin(self, trainer: Trainer) -> None:
        self.console.print(self._row(_HEADERS), style="bold")

    def on_epoch_begin(self, trainer: Trainer) -> None:
        if not self.bar:
            return
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                                   TimeRemainingColumn)

        self.progress = Progress(
            TextColumn(f"epoch {trainer.epoch + 1}/{trainer.epochs}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeRemainingColumn(),
            console=self.console,
            transient=True,
        )
        self.progress.start()
        self.task = self.progress.add_task("", total=trainer.steps_per_epoch, rate="")
        self.start = time.perf_counter()
        self.every = max(1, trainer.steps_per_epoch // 100)

    def on_step_end(self, trainer: Trainer, loss: float) -> None:
        if self.progress is None or trainer.step_in_epoch % self.every:
            return
        elapsed = max(time.perf_counter() - self.start, 1e-9)
        rate = f"{trainer.epoch_seen / elapsed:,.0f} samples/s"
        self.progress.update(self.task, completed=trainer.step_in_epoch, rate=rate)

    def on_epoch_end(self, trainer: Trainer, record: dict) -> None:
        self._close_bar()
        self.console.print(self._row(_cell(k, record[k]) for k in _COLUMNS))

    def on_train_end(self, trainer: Trainer) -> None:
        self._close_bar()

    def _close_bar(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None


def progress_callback(verbose: int, console=None) -> Callback | None:
    """The callback for a ``verbose`` level: 0 none, 1 bar and rows, 2 rows only."""
    if verbose not in (0, 1, 2):
        raise ValueError(f"verbose must be 0, 1 or 2; got {verbose!r}")
    if verbose == 0:
        return Callback()
    return EpochPrinter(bar=verbose == 1, console=console)
