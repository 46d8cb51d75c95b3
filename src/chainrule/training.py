"""The training loop: mini-batches, epochs, validation, early stopping, exact resume.

Each step is the derivation's iteration on one mini-batch: feed forward, output
error, back-propagated errors, gradients, then the optimizer's update. A
:class:`Trainer` holds everything that decides the next step (weights, optimizer
state, the epoch's shuffle order, the position in it and the random generator), so
a run stopped after any step and restored from :meth:`Trainer.state_dict` continues
bit for bit as if it had never stopped.

This module never prints: progress goes to callbacks (see :mod:`chainrule.progress`),
results to the returned :class:`History`.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field

import numpy as np

from .errors import TrainingDiverged
from .network import Network, split_parameters
from .optimizers import Optimizer, get_optimizer
from .schedules import Schedule, get_schedule
from .validation import check_features

__all__ = ["Callback", "History", "Trainer", "fit"]

log = logging.getLogger(__name__)


@dataclass
class History:
    """Per-epoch records: ``history.loss[e]`` is the mean training loss of epoch ``e``.

    ``accuracy`` and the ``val_`` lists hold ``nan`` where they do not apply
    (regression, or no validation data).
    """

    epoch: list = field(default_factory=list)
    loss: list = field(default_factory=list)
    accuracy: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_accuracy: list = field(default_factory=list)
    lr: list = field(default_factory=list)
    seconds: list = field(default_factory=list)

    def append(self, record: dict) -> None:
        for key, value in record.items():
            getattr(self, key).append(value)

    def as_dict(self) -> dict:
        return {key: list(values) for key, values in vars(self).items()}

    def __len__(self) -> int:
        return len(self.epoch)


class Callback:
    """Hooks the trainer calls; override the ones you need.

    Setting ``trainer.stop = True`` from a hook ends training after the current step.
    """

    def on_train_begin(self, trainer: "Trainer") -> None: ...

    def on_epoch_begin(self, trainer: "Trainer") -> None: ...

    def on_step_end(self, trainer: "Trainer", loss: float) -> None: ...

    def on_epoch_end(self, trainer: "Trainer", record: dict) -> None: ...

    def on_train_end(self, trainer: "Trainer") -> None: ...


def _labels_of(net: Network, y: np.ndarray) -> np.ndarray | None:
    """Integer labels of ``y`` for accuracy, or ``None`` when the loss is not a classifier's."""
    if net.loss_fn.name != "cross_entropy":
        return None
    y = np.asarray(y)
    return y.astype(np.int64) if y.ndim == 1 else y.argmax(axis=1)


class Trainer:
    """Trains ``net`` on ``(X, y)`` in mini-batches; see :func:`fit` for the parameters."""

    def __init__(
        self,
        net: Network,
        X: np.ndarray,
        y: np.ndarray,
        *,
        batch_size: int = 32,
        optimizer: str | Optimizer = "sgd",
        lr: float | None = None,
        weight_decay: float = 0.0,
        schedule: str | dict | Schedule | None = None,
        epochs: int = 10,
        validation_data: tuple | None = None,
        shuffle: bool = True,
        seed: int | None = 0,
        early_stopping: int | None = None,
        callbacks: list | tuple = (),
    ):
        if int(batch_size) < 1:
            raise ValueError(f"batch_size must be >= 1; got {batch_size!r}")
        if int(epochs) < 0:
            raise ValueError(f"epochs must be >= 0; got {epochs!r}")
        if early_stopping is not None and validation_data is None:
            raise ValueError(
                "early_stopping watches the validation loss, so it needs "
                "validation_data or validation_split > 0"
            )

        self.net = net
        self.X = check_features(X, net.sizes[0], net.dtype)
        self.Y = net.encode_targets(y, self.X.shape[0])
        self.labels = _labels_of(net, y)
        self.batch_size = int(batch_size)
        self.epochs = int(epochs)
        self.optimizer = get_optimizer(optimizer, lr=lr, weight_decay=weight_decay)
        self.eta0 = self.optimizer.lr
        self.schedule = get_schedule(schedule, self.epochs)
        self.shuffle = shuffle
        self.seed = seed
        self.rng = np.random.default_rng(seed)
        self.validation = self._check_validation(validation_data)
        self.patience = early_stopping
        self.callbacks = list(callbacks)

        self.grad = np.empty_like(net.theta)
        self.grad_views = split_parameters(self.grad, net.sizes)
        self.history = History()
        self.epoch = 0
        self.step_in_epoch = 0
        self.order: np.ndarray | None = None
        self.epoch_loss_sum = 0.0
        self.epoch_correct = 0
        self.epoch_seen = 0
        self.best: tuple[float, list[np.ndarray]] | None = None
        self.bad_epochs = 0
        self.early_stopped = False
        self.stop = False
        self.epoch_start = time.perf_counter()

    @property
    def steps_per_epoch(self) -> int:
        return math.ceil(self.X.shape[0] / self.batch_size)

    def _check_validation(self, validation_data):
        if validation_data is None:
            return None
        X_val, y_val = validation_data
        X_val = check_features(X_val, self.net.sizes[0], self.net.dtype, name="X_val")
        Y_val = self.net.encode_targets(y_val, X_val.shape[0])
        return X_val, Y_val, _labels_of(self.net, y_val)

    # ----------------------------------------------------------------- the loop

    def run(self) -> History:
        """Train until ``epochs`` are done or a callback sets ``stop``; return the history."""
        for cb in self.callbacks:
            cb.on_train_begin(self)

        while self.epoch < self.epochs and not self.stop and not self.early_stopped:
            if self.order is None:
                self._begin_epoch()
            while self.step_in_epoch < self.steps_per_epoch and not self.stop:
                self._step()
            if self.step_in_epoch == self.steps_per_epoch:
                self._end_epoch()

        # Only a finished run takes the best weights: one stopped by a callback (Ctrl-C,
        # say) keeps its current weights, so that a checkpoint of it resumes exactly.
        finished = self.early_stopped or self.epoch >= self.epochs
        if self.best is not None and finished:
            self._restore_best()
        for cb in self.callbacks:
            cb.on_train_end(self)
        return self.history

    def _begin_epoch(self) -> None:
        m = self.X.shape[0]
        self.order = self.rng.permutation(m) if self.shuffle else np.arange(m)
        self.step_in_epoch = 0
        self.epoch_loss_sum = 0.0
        self.epoch_correct = 0
        self.epoch_seen = 0
        self.epoch_start = time.perf_counter()
        self.optimizer.lr = self.schedule(self.eta0, self.epoch)
        for cb in self.callbacks:
            cb.on_epoch_begin(self)

    def _step(self) -> None:
        start = self.step_in_epoch * self.batch_size
        rows = self.order[start:start + self.batch_size]
        X = self.X.take(rows, axis=0)
        Y = self.Y.take(rows, axis=0)
        net = self.net

        fp = net._feed_forward(X)
        loss = net.loss_fn.value(fp.z[-1], fp.a[-1], Y)
        if not math.isfinite(loss):
            self._diverged(loss)
        delta = net.backward(fp, Y)
        net.parameter_gradients(fp, delta, out=self.grad_views)
        # One update of the flat parameter vector theta covers every W and b.
        self.optimizer.step([net.theta], [self.grad])

        self.epoch_loss_sum += loss * len(rows)
        self.epoch_seen += len(rows)
        if self.labels is not None:
            predicted = fp.a[-1].argmax(axis=1)
            self.epoch_correct += np.count_nonzero(predicted == self.labels[rows])
        self.step_in_epoch += 1
        for cb in self.callbacks:
            cb.on_step_end(self, loss)

    def _diverged(self, loss: float) -> None:
        lr = self.optimizer.lr
        raise TrainingDiverged(
            f"training diverged: the loss became {loss} at epoch {self.epoch + 1}, step "
            f"{self.step_in_epoch + 1} of {self.steps_per_epoch}. The learning rate "
            f"({lr:g}) is probably too large for this network and data; try a smaller "
            f"one, e.g. lr={lr / 10:g}, or scale the input features."
        )

    def _end_epoch(self) -> None:
        record = {
            "epoch": self.epoch + 1,
            "loss": self.epoch_loss_sum / max(self.epoch_seen, 1),
            "accuracy": (
                self.epoch_correct / self.epoch_seen if self.labels is not None else math.nan
            ),
            "val_loss": math.nan,
            "val_accuracy": math.nan,
            "lr": self.optimizer.lr,
            "seconds": time.perf_counter() - self.epoch_start,
        }
        if self.validation is not None:
            record["val_loss"], record["val_accuracy"] = self.evaluate(*self.validation)
            self._watch(record["val_loss"])

        self.history.append(record)
        log.info("epoch %d: %s", self.epoch + 1, record)
        self.epoch += 1
        self.order = None
        self.step_in_epoch = 0
        for cb in self.callbacks:
            cb.on_epoch_end(self, record)

    def evaluate(self, X: np.ndarray, Y: np.ndarray, labels=None) -> tuple[float, float]:
        """Mean loss and accuracy (``nan`` for regression) of encoded ``(X, Y)``."""
        losses, correct = 0.0, 0
        for start in range(0, X.shape[0], 4096):
            fp = self.net._feed_forward(X[start:start + 4096])
            Yb = Y[start:start + 4096]
            losses += self.net.loss_fn.value(fp.z[-1], fp.a[-1], Yb) * Yb.shape[0]
            if labels is not None:
                correct += int((fp.a[-1].argmax(axis=1) == labels[start:start + 4096]).sum())
        accuracy = correct / X.shape[0] if labels is not None else math.nan
        return losses / X.shape[0], accuracy

    # ----------------------------------------------------------------- early stopping

    def _watch(self, val_loss: float) -> None:
        if self.patience is None:
            return
        if self.best is None or val_loss < self.best[0]:
            self.best = (val_loss, [p.copy() for p in self.net.parameters()])
            self.bad_epochs = 0
            return
        self.bad_epochs += 1
        if self.bad_epochs >= self.patience:
            log.info("early stop after epoch %d: no better val_loss for %d epochs",
                     self.epoch + 1, self.patience)
            self.early_stopped = True

    def _restore_best(self) -> None:
        for param, best in zip(self.net.parameters(), self.best[1]):
            param[...] = best

    # ----------------------------------------------------------------- checkpoints

    def state_dict(self) -> dict:
        """Everything that decides the next step, as arrays and JSON-ready values."""
        return {
            "epoch": self.epoch,
            "step_in_epoch": self.step_in_epoch,
            "order": None if self.order is None else self.order.copy(),
            "rng": self.rng.bit_generator.state,
            "epoch_loss_sum": self.epoch_loss_sum,
            "epoch_correct": self.epoch_correct,
            "epoch_seen": self.epoch_seen,
            "optimizer": self.optimizer.state_dict(),
            "history": self.history.as_dict(),
            "best": None if self.best is None else (
                self.best[0], [p.copy() for p in self.best[1]]),
            "bad_epochs": self.bad_epochs,
            "early_stopped": self.early_stopped,
        }

    def load_state_dict(self, state: dict) -> None:
        """Continue from :meth:`state_dict`; the network's weights are restored separately."""
        self.epoch = int(state["epoch"])
        self.step_in_epoch = int(state["step_in_epoch"])
        self.order = None if state["order"] is None else np.asarray(state["order"])
        self.rng.bit_generator.state = state["rng"]
        self.epoch_loss_sum = float(state["epoch_loss_sum"])
        self.epoch_correct = int(state["epoch_correct"])
        self.epoch_seen = int(state["epoch_seen"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.optimizer.lr = self.schedule(self.eta0, self.epoch)
        self.history = History(**{k: list(v) for k, v in state["history"].items()})
        best = state.get("best")
        self.best = None if best is None else (float(best[0]), [np.array(p) for p in best[1]])
        self.bad_epochs = int(state.get("bad_epochs", 0))
        self.early_stopped = bool(state.get("early_stopped", False))
        self.epoch_start = time.perf_counter()


def split_validation(X, y, fraction: float, seed: int | None):
    """Hold out a seeded random ``fraction`` of ``(X, y)``; return ``(X, y), (X_val, y_val)``."""
    if not 0 < fraction < 1:
        raise ValueError(f"validation_split must be in (0, 1); got {fraction!r}")
    X, y = np.asarray(X), np.asarray(y)
    order = np.random.default_rng(seed).permutation(len(X))
    n_val = max(1, int(round(fraction * len(X))))
    val, train = order[:n_val], order[n_val:]
    return (X[train], y[train]), (X[val], y[val])


def fit(
    net: Network,
    X: np.ndarray,
    y: np.ndarray,
    *,
    epochs: int = 10,
    batch_size: int = 32,
    optimizer: str | Optimizer = "sgd",
    lr: float | None = None,
    weight_decay: float = 0.0,
    schedule: str | dict | Schedule | None = None,
    validation_data: tuple | None = None,
    validation_split: float = 0.0,
    early_stopping: int | None = None,
    shuffle: bool = True,
    seed: int | None = 0,
    verbose: int = 0,
    callbacks: list | tuple = (),
) -> History:
    """Train ``net`` by mini-batch backpropagation and return the per-epoch history.

    Parameters
    ----------
    net : Network
    X : array, shape (m, N^(0))
    y : array, shape (m,) labels or (m, N^(L)) targets
    epochs, batch_size : int
        Passes over the data, and samples per step (the last batch may be smaller).
    optimizer : str or Optimizer
        ``"sgd"`` (the derivation's update), ``"momentum"``, ``"nesterov"``,
        ``"rmsprop"``, ``"adam"`` or ``"adamw"``.
    lr : float, optional
        :math:`\\eta`; each optimizer has a default.
    weight_decay : float
        L2 penalty (decoupled for AdamW).
    schedule : str or dict, optional
        ``"step"``, ``"cosine"``, ``"exponential"``, or a dict such as
        ``{"kind": "step", "step_size": 5, "gamma": 0.5}``.
    validation_data : (X_val, y_val), optional
    validation_split : float
        Hold out this fraction of ``(X, y)`` for validation instead.
    early_stopping : int, optional
        Stop after this many epochs without a better validation loss, and restore
        the best weights.
    shuffle : bool
        Reshuffle the samples every epoch.
    seed : int, optional
        Seed of the shuffling; with the network's seed it fixes the whole run.
    verbose : int
        0 silent, 1 a progress bar on a terminal (one line per epoch otherwise),
        2 one line per epoch.
    callbacks : list of Callback

    Raises
    ------
    TrainingDiverged
        If the loss becomes NaN or infinite; the message names the epoch and step.
    ShapeError, DataError
        On inputs of the wrong shape or with non-finite values.
    """
    if validation_split:
        if validation_data is not None:
            raise ValueError("give validation_data or validation_split, not both")
        (X, y), validation_data = split_validation(X, y, validation_split, seed)

    callbacks = list(callbacks)
    if verbose:
        from .progress import progress_callback

        callbacks.append(progress_callback(verbose))

    trainer = Trainer(
        net, X, y, batch_size=batch_size, optimizer=optimizer, lr=lr,
        weight_decay=weight_decay, schedule=schedule, epochs=epochs,
        validation_data=validation_data, shuffle=shuffle, seed=seed,
        early_stopping=early_stopping, callbacks=callbacks,
    )
    return trainer.run()
