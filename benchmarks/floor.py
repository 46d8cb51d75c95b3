r"""The numpy floor: the least any numpy engine must do for a workload, written out.

The BLAS bound (``blas_bound.py``) counts the matrix products alone. A numpy engine
also pays for every other array operation of a step, at about a microsecond of
dispatch each plus its memory traffic. This runner is that engine stripped to the
bone: one plain loop, no input checks, no loss value, no accuracy, no callbacks, no
object per layer; each line one numpy call on preallocated or in-place arrays, with
the layout chainrule uses (``Wᵀ`` contiguous, samples as rows). A step of one epoch:

* gather the batch: ``X.take(rows)``, ``y.take(rows)``;
* step 2, per layer: ``Z = A Wᵀ``, ``Z += b``, the activation in place
  (``maximum``; ``tanh``; ``1 / (1 + e^{-z})`` in four calls);
* step 3, softmax cross-entropy: row max, subtract, ``exp``, row sum, divide, subtract 1
  at the labels, scale by ``1/m``: :math:`\Delta^{(L)} = (p - y) / m`;
* step 4, per hidden layer: ``Δ W``, then :math:`\odot \sigma'` from the kept
  activation (``a > 0``; ``1 - a²``; ``a (1 - a)``);
* step 5: ``grad_Wᵀ = Aᵀ Δ`` and ``grad_b = 1ᵀ Δ`` into one flat gradient vector, and
  one update of the flat parameter vector (SGD: two calls; Adam: thirteen, as in
  ``torch.optim.Adam``'s arithmetic).

Inference is step 2 and the softmax, in place. Whatever chainrule spends above this
is its own overhead; whatever a target asks below it, no numpy engine can reach on
this machine without changing what is computed.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from workloads import Workload

__all__ = ["infer_session", "train_session"]

Parameters = list[tuple[np.ndarray, np.ndarray]]


def _flat(init: Parameters) -> tuple[np.ndarray, list]:
    """One float32 vector ``W1ᵀ, b1, W2ᵀ, b2, ...`` and its ``(Wᵀ, b)`` views."""
    theta = np.concatenate([p.ravel() for W, b in init for p in (W.T, b)]).astype(np.float32)
    return theta, _views(theta, init)


def _views(flat: np.ndarray, init: Parameters) -> list:
    views, start = [], 0
    for W, b in init:
        n_out, n_in = W.shape
        WT = flat[start:start + n_in * n_out].reshape(n_in, n_out)
        start += n_in * n_out
        views.append((WT, flat[start:start + n_out]))
        start += n_out
    return views


def _forward_inplace(z: np.ndarray, activation: str) -> None:
    if activation == "relu":
        np.maximum(z, 0, out=z)
    elif activation == "tanh":
        np.tanh(z, out=z)
    else:
        np.negative(z, out=z)
        np.exp(z, out=z)
        z += 1
        np.reciprocal(z, out=z)


def _softmax_inplace(z: np.ndarray) -> None:
    z -= z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)


def _derivative(g: np.ndarray, a: np.ndarray, activation: str) -> None:
    """``g *= σ'(z)``, from the activation ``a = σ(z)``."""
    if activation == "relu":
        g *= a > 0
    elif activation == "tanh":
        d = a * a
        np.subtract(1, d, out=d)
        g *= d
    else:
        d = 1 - a
        d *= a
        g *= d


def _sgd(lr: float) -> Callable[[np.ndarray, np.ndarray], None]:
    def update(theta: np.ndarray, grad: np.ndarray) -> None:
        grad *= lr
        theta -= grad
    return update


def _adam(lr: float, size: int, beta1=0.9, beta2=0.999, eps=1e-8) -> Callable:
    m, v, work = (np.zeros(size, np.float32) for _ in range(3))
    t = 0

    def update(theta: np.ndarray, g: np.ndarray) -> None:
        # ufuncs with out=, not augmented assignment: m, v and work belong to _adam.
        nonlocal t
        t += 1
        np.subtract(g, m, out=work)
        np.multiply(work, 1 - beta1, out=work)
        np.add(m, work, out=m)
        np.multiply(v, beta2, out=v)
        np.multiply(g, g, out=work)
        np.multiply(work, 1 - beta2, out=work)
        np.add(v, work, out=v)
        np.sqrt(v, out=work)
        np.divide(work, math.sqrt(1 - beta2**t), out=work)
        np.add(work, eps, out=work)
        np.divide(m, work, out=work)
        np.multiply(work, lr / (1 - beta1**t), out=work)
        theta -= work
    return update


def train_session(w: Workload, init: Parameters, X: np.ndarray, y: np.ndarray,
                  shuffle: bool = True) -> Callable[[], list]:
    """One epoch of the minimal loop over ``X`` ``(n, N^(0))`` and labels ``y``.

    The returned function gives the final ``(Wᵀ, b)`` views, for a correctness check.
    """
    theta, layers = _flat(init)
    grad = np.empty_like(theta)
    grads = _views(grad, init)
    update = (_sgd(w.lr) if w.optimizer == "sgd" else _adam(w.lr, theta.size))
    rng = np.random.default_rng(w.seed)
    L, n, activation = len(layers), X.shape[0], w.activation
    ones = {m: np.ones(m, np.float32) for m in {w.batch_size, n % w.batch_size or 1}}

    def run() -> list:
        order = rng.permutation(n) if shuffle else np.arange(n)
        for start in range(0, n, w.batch_size):
            rows = order[start:start + w.batch_size]
            m = rows.shape[0]
            a = [X.take(rows, axis=0)]
            labels = y.take(rows)

            for l, (WT, b) in enumerate(layers, start=1):
                z = a[-1] @ WT
                z += b
                if l < L:
                    _forward_inplace(z, activation)
                a.append(z)
            delta = a[L]
            _softmax_inplace(delta)
            delta[np.arange(m), labels] -= 1
            delta *= 1 / m

            for l in range(L, 0, -1):
                gWT, gb = grads[l - 1]
                np.matmul(a[l - 1].T, delta, out=gWT)
                np.matmul(ones[m], delta, out=gb)
                if l > 1:
                    back = delta @ layers[l - 1][0].T
                    _derivative(back, a[l - 1], activation)
                    delta = back
            update(theta, grad)
        return layers

    return run


def infer_session(w: Workload, init: Parameters, X: np.ndarray) -> Callable[[], None]:
    """Class probabilities for every row of ``X``, ``w.batch_size`` rows at a time."""
    _, layers = _flat(init)

    def run() -> None:
        for start in range(0, X.shape[0], w.batch_size):
            a = X[start:start + w.batch_size]
            for l, (WT, b) in enumerate(layers, start=1):
                a = a @ WT
                a += b
                if l < len(layers):
                    _forward_inplace(a, w.activation)
            _softmax_inplace(a)

    return run
