"""The peers: PyTorch (CPU, eager, ``torch.optim``) and scikit-learn's ``MLPClassifier``.

Both start from chainrule's initial weights (see ``chainrule_runner.initial_parameters``)
and train in float32 on the same data, batch size, optimizer and learning rate.

PyTorch
    ``nn.Sequential`` of ``nn.Linear`` and the activation modules; ``nn.Linear.weight``
    has chainrule's ``(n_out, n_in)`` layout, so ``W`` and ``b`` are copied as they are.
    The loss is ``F.cross_entropy`` on the logits (its fused log-softmax). Each epoch
    draws ``torch.randperm`` and gathers each batch with ``index_select``; the loop
    reads ``loss.item()`` each step, as chainrule's trainer records each loss. The
    optimizers are ``torch.optim.SGD`` and ``torch.optim.Adam`` with their defaults
    (on CPU that is the per-parameter loop, not ``foreach``). Threads: all cores.

scikit-learn
    ``MLPClassifier`` cannot be given initial weights, but ``partial_fit`` keeps the
    fitted ``coefs_`` it finds: the session calls ``partial_fit`` on one batch to
    build the model, overwrites ``coefs_`` (``W.T``, shape ``(n_in, n_out)``) and
    ``intercepts_`` in place with chainrule's, and deletes the solver so the timed
    ``partial_fit(X, y)`` (one epoch, shuffled) starts a fresh optimizer. It computes
    in float32 because it is given float32 input (float64 input would make it
    float64). With two classes it has a single logistic output instead of two
    softmax outputs; it gets the difference of chainrule's two output rows, which is
    the same function at the start.
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
from workloads import Workload

if TYPE_CHECKING:
    import torch
    from sklearn.neural_network import MLPClassifier

__all__ = ["SklearnRunner", "TorchRunner"]

Parameters = list[tuple[np.ndarray, np.ndarray]]


class TorchRunner:
    """Sessions for PyTorch; importing torch is deferred to the constructor."""

    def __init__(self) -> None:
        import torch

        self.torch = torch
        torch.set_num_threads(os.cpu_count() or 1)

    def _model(self, w: Workload, init: Parameters) -> torch.nn.Sequential:
        nn = self.torch.nn
        act = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}[w.activation]
        layers = []
        for l, (W, b) in enumerate(init, start=1):
            linear = nn.Linear(W.shape[1], W.shape[0])
            with self.torch.no_grad():
                linear.weight.copy_(self.torch.from_numpy(W))
                linear.bias.copy_(self.torch.from_numpy(b))
            layers.append(linear)
            if l < len(init):
                layers.append(act())
        return nn.Sequential(*layers)

    def _optimizer(self, w: Workload, model: torch.nn.Module) -> torch.optim.Optimizer:
        optim = self.torch.optim
        if w.optimizer == "sgd":
            return optim.SGD(model.parameters(), lr=w.lr)
        return optim.Adam(model.parameters(), lr=w.lr)

    def _epoch(self, model: torch.nn.Module, opt: torch.optim.Optimizer,
               X: torch.Tensor, y: torch.Tensor, batch_size: int,
               gen: torch.Generator) -> float:
        """One shuffled epoch; returns the mean training loss."""
        F = self.torch.nn.functional
        order = self.torch.randperm(X.shape[0], generator=gen)
        total = 0.0
        for start in range(0, X.shape[0], batch_size):
            rows = order[start:start + batch_size]
            xb, yb = X.index_select(0, rows), y.index_select(0, rows)
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            total += loss.item() * len(rows)
        return total / X.shape[0]

    def train_session(self, w: Workload, init: Parameters, X: np.ndarray, y: np.ndarray
                      ) -> Callable[[], None]:
        """One epoch over ``X`` ``(n, N^(0))`` float32 and labels ``y`` ``(n,)``."""
        model = self._model(w, init)
        opt = self._optimizer(w, model)
        Xt, yt = self.torch.from_numpy(X), self.torch.from_numpy(y)
        gen = self.torch.Generator().manual_seed(w.seed)
        return lambda: self._epoch(model, opt, Xt, yt, w.batch_size, gen)

    def infer_session(self, w: Workload, init: Parameters, X: np.ndarray
                      ) -> Callable[[], None]:
        """Softmax probabilities in ``torch.inference_mode``, ``w.batch_size`` rows at a time."""
        model = self._model(w, init)
        Xt = self.torch.from_numpy(X)

        def run() -> None:
            with self.torch.inference_mode():
                for start in range(0, Xt.shape[0], w.batch_size):
                    self.torch.softmax(model(Xt[start:start + w.batch_size]), dim=1)

        return run

    def accuracy_session(self, w: Workload, init: Parameters, X: np.ndarray, y: np.ndarray,
                         X_test: np.ndarray, y_test: np.ndarray) -> Callable[[], dict]:
        """Epochs until test accuracy reaches ``w.target``; evaluation is off the clock."""
        model = self._model(w, init)
        opt = self._optimizer(w, model)
        Xt, yt = self.torch.from_numpy(X), self.torch.from_numpy(y)
        X_test_t = self.torch.from_numpy(X_test)
        gen = self.torch.Generator().manual_seed(w.seed)

        def accuracy() -> float:
            with self.torch.inference_mode():
                predicted = model(X_test_t).argmax(dim=1).numpy()
            return float(np.mean(predicted == y_test))

        def epoch() -> None:
            self._epoch(model, opt, Xt, yt, w.batch_size, gen)

        return lambda: _train_until(epoch, accuracy, w)


class SklearnRunner:
    """Sessions for scikit-learn's ``MLPClassifier``."""

    def __init__(self) -> None:
        from sklearn.neural_network import MLPClassifier

        self.MLPClassifier = MLPClassifier

    def _classifier(self, w: Workload, init: Parameters, X: np.ndarray, y: np.ndarray
                    ) -> MLPClassifier:
        activation = {"relu": "relu", "tanh": "tanh", "sigmoid": "logistic"}[w.activation]
        clf = self.MLPClassifier(
            hidden_layer_sizes=w.sizes[1:-1], activation=activation,
            solver="sgd" if w.optimizer == "sgd" else "adam", batch_size=w.batch_size,
            learning_rate_init=w.lr or 1e-3, max_iter=1, momentum=0.0,
            nesterovs_momentum=False, alpha=0.0, shuffle=True, tol=0.0,
            random_state=w.seed,
        )
        first = slice(0, w.batch_size)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            clf.partial_fit(X[first], y[first], classes=np.arange(w.sizes[-1]))
        _load_parameters(clf, init)
        del clf._optimizer
        clf.t_ = 0
        return clf

    def train_session(self, w: Workload, init: Parameters, X: np.ndarray, y: np.ndarray
                      ) -> Callable[[], None]:
        """One shuffled epoch of ``partial_fit`` from chainrule's initial weights."""
        clf = self._classifier(w, init, X, y)
        return lambda: clf.partial_fit(X, y)

    def infer_session(self, w: Workload, init: Parameters, X: np.ndarray
                      ) -> Callable[[], None]:
        """``predict_proba`` on ``w.batch_size`` rows at a time."""
        labels = np.arange(X.shape[0]) % w.sizes[-1]
        clf = self._classifier(w, init, X, labels)

        def run() -> None:
            for start in range(0, X.shape[0], w.batch_size):
                clf.predict_proba(X[start:start + w.batch_size])

        return run

    def accuracy_session(self, w: Workload, init: Parameters, X: np.ndarray, y: np.ndarray,
                         X_test: np.ndarray, y_test: np.ndarray) -> Callable[[], dict]:
        """Epochs of ``partial_fit`` (the Adam state carries over) until the target."""
        clf = self._classifier(w, init, X, y)

        def accuracy() -> float:
            return float(np.mean(clf.predict(X_test) == y_test))

        return lambda: _train_until(lambda: clf.partial_fit(X, y), accuracy, w)


def _load_parameters(clf, init: Parameters) -> None:
    """Copy chainrule's ``(W, b)`` into ``clf.coefs_`` and ``clf.intercepts_`` in place."""
    for i, (W, b) in enumerate(init):
        coef, intercept = clf.coefs_[i], clf.intercepts_[i]
        if coef.shape == W.T.shape:
            coef[...] = W.T
            intercept[...] = b
        else:
            # One logistic output for two classes: sigmoid(z1 - z0) = softmax(z)[1].
            coef[:, 0] = W[1] - W[0]
            intercept[0] = b[1] - b[0]


def _train_until(epoch: Callable[[], None], accuracy: Callable[[], float], w: Workload
                 ) -> dict:
    """Run ``epoch`` until ``accuracy()`` reaches ``w.target``; time the epochs only."""
    seconds, history = 0.0, []
    while len(history) < w.max_epochs:
        start = time.perf_counter()
        epoch()
        seconds += time.perf_counter() - start
        history.append(accuracy())
        if history[-1] >= w.target:
            break
    return {"seconds": seconds, "epochs": len(history), "accuracy": history}
