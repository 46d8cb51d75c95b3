"""chainrule under benchmark, through its public API only.

Training is ``chainrule.fit(net, X, y, epochs=1, ...)``, exactly what a user calls, so
the timed region includes its input checks and the one-hot encoding of ``y`` as well
as the epoch itself (scikit-learn's ``partial_fit`` likewise validates its input).
Inference is ``net.predict_proba`` on batches of ``w.batch_size`` rows.

Each ``*_session`` function does the untimed set-up (a network holding the shared
initial weights) and returns a function that runs the timed work once.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
from workloads import Workload

from chainrule import Callback, Network, Trainer, fit

__all__ = [
    "accuracy_session",
    "infer_session",
    "initial_parameters",
    "train_session",
]

Parameters = list[tuple[np.ndarray, np.ndarray]]


def _network(w: Workload) -> Network:
    return Network(
        list(w.sizes), activation=w.activation, loss="cross_entropy", seed=w.seed,
        dtype="float32",
    )


def initial_parameters(w: Workload) -> Parameters:
    """The initial ``(W, b)`` of every layer, ``W`` of shape ``(n_out, n_in)``, float32.

    chainrule draws them from the workload's seed; the PyTorch and scikit-learn
    runners copy the same arrays into their models.
    """
    return [(layer.W.copy(), layer.b.copy()) for layer in _network(w).layers]


def _with_parameters(w: Workload, init: Parameters) -> Network:
    net = _network(w)
    for layer, (W, b) in zip(net.layers, init):
        layer.W = W.copy()
        layer.b = b.copy()
    return net


def train_session(w: Workload, init: Parameters, X: np.ndarray, y: np.ndarray
                  ) -> Callable[[], None]:
    """One epoch of ``fit`` over ``X`` ``(n, N^(0))`` and labels ``y`` ``(n,)``."""
    net = _with_parameters(w, init)

    def run() -> None:
        fit(net, X, y, epochs=1, batch_size=w.batch_size, optimizer=w.optimizer,
            lr=w.lr, seed=w.seed)

    return run


def infer_session(w: Workload, init: Parameters, X: np.ndarray) -> Callable[[], None]:
    """Class probabilities for every row of ``X``, ``w.batch_size`` rows at a time."""
    net = _with_parameters(w, init)

    def run() -> None:
        for start in range(0, X.shape[0], w.batch_size):
            net.predict_proba(X[start:start + w.batch_size])

    return run


class _UntilAccurate(Callback):
    """Measure test accuracy after each epoch, off the clock; stop at the target."""

    def __init__(self, X_test: np.ndarray, y_test: np.ndarray, target: float):
        self.X_test = X_test
        self.y_test = y_test
        self.target = target
        self.accuracy: list[float] = []
        self.eval_seconds = 0.0

    def on_epoch_end(self, trainer: Trainer, record: dict) -> None:
        start = time.perf_counter()
        accuracy = float(np.mean(trainer.net.predict(self.X_test) == self.y_test))
        self.accuracy.append(accuracy)
        trainer.stop = accuracy >= self.target
        self.eval_seconds += time.perf_counter() - start


def accuracy_session(w: Workload, init: Parameters, X: np.ndarray, y: np.ndarray,
                     X_test: np.ndarray, y_test: np.ndarray) -> Callable[[], dict]:
    """Train until test accuracy reaches ``w.target`` or ``w.max_epochs`` pass.

    The returned function gives ``seconds`` (training only: the evaluation after
    each epoch is subtracted), ``epochs`` and the per-epoch ``accuracy``.
    """
    net = _with_parameters(w, init)

    def run() -> dict:
        watch = _UntilAccurate(X_test, y_test, w.target)
        start = time.perf_counter()
        trainer = Trainer(
            net, X, y, batch_size=w.batch_size, optimizer=w.optimizer, lr=w.lr,
            epochs=w.max_epochs, seed=w.seed, callbacks=[watch],
        )
        trainer.run()
        seconds = time.perf_counter() - start - watch.eval_seconds
        return {"seconds": seconds, "epochs": len(watch.accuracy), "accuracy": watch.accuracy}

    return run
