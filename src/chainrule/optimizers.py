r"""Optimizers: how step 5 turns gradients into new parameters.

Plain gradient descent is the derivation's update, :math:`\theta \leftarrow \theta - \eta g`.
The others keep a running state per parameter array and follow the update rules of
``torch.optim`` exactly (same defaults, same order of operations), so that forty steps
from the same start land on the same weights. ``g`` is the gradient of the mean
loss; ``weight_decay`` :math:`\lambda` adds :math:`\lambda \theta` to it (L2), except
in AdamW, which shrinks :math:`\theta` directly.

One departure, for speed only: every 32 steps, state entries smaller than 2^-100 are
set to 0, so that no subnormal number slows the arithmetic down
(:meth:`Optimizer._flush_subnormals`).

Parameters are updated in place; each optimizer's state is plain arrays and numbers,
so a checkpoint can save it without pickle (:meth:`Optimizer.state_dict`). Updates
write into a scratch array kept per parameter, so a step allocates nothing, and they
stay in the parameters' dtype (hyper-parameters are Python floats, which numpy does
not let widen a float32 array).
"""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "OPTIMIZERS",
    "SGD",
    "Adam",
    "AdamW",
    "Optimizer",
    "RMSprop",
    "get_optimizer",
]


#: Every this many steps, state entries smaller in magnitude than FLUSH_BELOW become 0.
FLUSH_EVERY = 32
FLUSH_BELOW = 2.0**-100


class Optimizer:
    """Base class. ``lr`` is :math:`\\eta`; a learning-rate schedule may change it per epoch."""

    name = "optimizer"
    default_lr = 0.01
    #: True where ``_update`` applies ``weight_decay`` itself (AdamW), instead of ``step``
    #: adding the L2 gradient ``weight_decay * theta``.
    decoupled = False

    def __init__(self, lr: float | None = None, weight_decay: float = 0.0):
        self.lr = float(self.default_lr if lr is None else lr)
        if not self.lr > 0:
            raise ValueError(f"lr must be a positive number; got {lr!r}")
        if weight_decay < 0:
            raise ValueError(f"weight_decay must be >= 0; got {weight_decay!r}")
        self.weight_decay = float(weight_decay)
        self.t = 0
        self.state: dict[str, list[np.ndarray]] = {}
        self._scratch: dict[int, np.ndarray] = {}

    def step(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        """Update every array of ``params`` in place from the matching ``grads``."""
        if not self.state:
            self.state = self._new_state(params)
        self.t += 1
        for i, (theta, g) in enumerate(zip(params, grads)):
            if self.weight_decay and not self.decoupled:
                g = g + self.weight_decay * theta
            self._update(i, theta, g)
        if self.t % FLUSH_EVERY == 0:
            self._flush_subnormals()

    def _flush_subnormals(self) -> None:
        """Set the state's entries below ``FLUSH_BELOW`` (about 8e-31) to exactly 0.

        A running average that stops receiving gradient, such as Adam's ``m`` for the
        weights of a ReLU unit that no longer fires, decays geometrically, ``m <- beta m``,
        and within a few hundred steps becomes subnormal (below 2^-126 in float32).
        Arithmetic on subnormal numbers takes the CPU's slow microcode path: 50,000 of
        them scattered through a 535,818-parameter Adam state made its step 4× slower,
        and the Fashion-MNIST recipe slowed down epoch after epoch. Flushing every
        ``FLUSH_EVERY`` steps keeps them out, since with the default decay rates no entry
        gets from 2^-100 down to 2^-126 in 32 steps (rates below 0.57 can, until the next
        flush). An entry that small moves no parameter by more than 2^-100 eta / eps.
        """
        for arrays in self.state.values():
            for x in arrays:
                np.putmask(x, np.abs(x) < FLUSH_BELOW, 0)

    def _new_state(self, params) -> dict[str, list[np.ndarray]]:
        return {}

    def _buffer(self, i: int, like: np.ndarray) -> np.ndarray:
        """A scratch array shaped like parameter ``i``; not part of the state."""
        buffer = self._scratch.get(i)
        if buffer is None or buffer.shape != like.shape or buffer.dtype != like.dtype:
            buffer = self._scratch[i] = np.empty_like(like)
        return buffer

    def _update(self, i: int, theta: np.ndarray, g: np.ndarray) -> None:
        raise NotImplementedError

    def state_dict(self) -> dict:
        """Hyper-parameters, step count and state arrays, for a checkpoint."""
        state = {k: [x.copy() for x in v] for k, v in self.state.items()}
        return {"name": self.name, "config": self.config(), "t": self.t, "state": state}

    def load_state_dict(self, saved: dict) -> None:
        """Restore what :meth:`state_dict` returned (arrays are copied)."""
        self.t = int(saved["t"])
        self.state = {k: [np.array(x) for x in v] for k, v in saved["state"].items()}

    def config(self) -> dict:
        return {"lr": self.lr, "weight_decay": self.weight_decay}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.config().items())
        return f"{type(self).__name__}({args})"


class SGD(Optimizer):
    r"""Gradient descent, optionally with (Nesterov) momentum :math:`\mu`.

    .. math:: v \leftarrow \mu v + g \;(v = g \text{ at the first step}), \qquad
              \theta \leftarrow \theta - \eta\, (g + \mu v \text{ if Nesterov else } v)

    With ``momentum=0`` this is step 5 exactly: :math:`\theta \leftarrow \theta - \eta g`.
    """

    name = "sgd"
    default_lr = 0.1

    def __init__(self, lr=None, momentum: float = 0.0, nesterov: bool = False,
                 weight_decay: float = 0.0):
        super().__init__(lr, weight_decay)
        if not 0 <= momentum < 1:
            raise ValueError(f"momentum must be in [0, 1); got {momentum!r}")
        if nesterov and momentum == 0:
            raise ValueError("nesterov=True needs a momentum > 0, e.g. momentum=0.9")
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)

    def _new_state(self, params):
        return {"velocity": [np.zeros_like(p) for p in params]} if self.momentum else {}

    def _update(self, i, theta, g):
        step = self._buffer(i, theta)
        if not self.momentum:
            # Step 5 of the derivation: theta <- theta - eta g.
            np.multiply(g, self.lr, out=step)
            theta -= step
            return

        v = self.state["velocity"][i]
        if self.t == 1:
            v[...] = g
        else:
            v *= self.momentum
            v += g

        if self.nesterov:
            np.multiply(v, self.momentum, out=step)
            step += g
            step *= self.lr
        else:
            np.multiply(v, self.lr, out=step)
        theta -= step

    def config(self):
        return dict(super().config(), momentum=self.momentum, nesterov=self.nesterov)


class RMSprop(Optimizer):
    r"""Divide the step by a running root mean square of the gradient.

    .. math:: s \leftarrow \alpha s + (1 - \alpha) g^2, \qquad
              \theta \leftarrow \theta - \eta\, g / (\sqrt{s} + \epsilon)
    """

    name = "rmsprop"
    default_lr = 0.01

    def __init__(self, lr=None, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0):
        super().__init__(lr, weight_decay)
        self.alpha = float(alpha)
        self.eps = float(eps)

    def _new_state(self, params):
        return {"square_avg": [np.zeros_like(p) for p in params]}

    def _update(self, i, theta, g):
        s = self.state["square_avg"][i]
        work = self._buffer(i, theta)

        # s <- alpha s + (1 - alpha) g^2
        s *= self.alpha
        np.multiply(g, g, out=work)
        work *= 1.0 - self.alpha
        s += work

        # theta <- theta - eta g / (sqrt(s) + eps)
        np.sqrt(s, out=work)
        work += self.eps
        np.divide(g, work, out=work)
        work *= self.lr
        theta -= work

    def config(self):
        return dict(super().config(), alpha=self.alpha, eps=self.eps)


class Adam(Optimizer):
    r"""Adam: running means of :math:`g` and :math:`g^2`, corrected for their zero start.

    .. math:: m \leftarrow \beta_1 m + (1-\beta_1) g, \quad
              v \leftarrow \beta_2 v + (1-\beta_2) g^2, \quad
              \theta \leftarrow \theta - \frac{\eta}{1-\beta_1^t}
              \frac{m}{\sqrt{v / (1-\beta_2^t)} + \epsilon}
    """

    name = "adam"
    default_lr = 0.001

    def __init__(self, lr=None, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8, weight_decay: float = 0.0):
        super().__init__(lr, weight_decay)
        for label, beta in (("beta1", beta1), ("beta2", beta2)):
            if not 0 <= beta < 1:
                raise ValueError(f"{label} must be in [0, 1); got {beta!r}")
        self.beta1 = float(beta1)
        self.beta2 = float(beta2)
        self.eps = float(eps)

    def _new_state(self, params):
        return {
            "m": [np.zeros_like(p) for p in params],
            "v": [np.zeros_like(p) for p in params],
        }

    def _update(self, i, theta, g):
        m = self.state["m"][i]
        v = self.state["v"][i]
        work = self._buffer(i, theta)

        # m <- beta1 m + (1 - beta1) g, written m += (1 - beta1)(g - m) as torch does.
        np.subtract(g, m, out=work)
        work *= 1.0 - self.beta1
        m += work

        # v <- beta2 v + (1 - beta2) g^2
        v *= self.beta2
        np.multiply(g, g, out=work)
        work *= 1.0 - self.beta2
        v += work

        # theta <- theta - eta / c1 * m / (sqrt(v) / sqrt(c2) + eps), c = 1 - beta^t.
        # math.sqrt keeps a Python float: numpy's float64 scalar would widen float32.
        correction1 = 1.0 - self.beta1**self.t
        correction2 = 1.0 - self.beta2**self.t
        np.sqrt(v, out=work)
        work /= math.sqrt(correction2)
        work += self.eps
        np.divide(m, work, out=work)
        work *= self.lr / correction1
        theta -= work

    def config(self):
        return dict(super().config(), beta1=self.beta1, beta2=self.beta2, eps=self.eps)


class AdamW(Adam):
    r"""Adam with decoupled weight decay: :math:`\theta \leftarrow \theta (1 - \eta\lambda)`
    before the Adam step, instead of adding :math:`\lambda\theta` to the gradient."""

    name = "adamw"

    def __init__(self, lr=None, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8, weight_decay: float = 0.01):
        super().__init__(lr, beta1, beta2, eps, weight_decay)

    decoupled = True

    def _update(self, i, theta, g):
        theta *= 1.0 - self.lr * self.weight_decay
        super()._update(i, theta, g)


OPTIMIZERS = {
    "sgd": lambda **kw: SGD(**kw),
    "momentum": lambda **kw: SGD(**{"momentum": 0.9, **kw}),
    "nesterov": lambda **kw: SGD(**{"momentum": 0.9, "nesterov": True, **kw}),
    "rmsprop": lambda **kw: RMSprop(**kw),
    "adam": lambda **kw: Adam(**kw),
    "adamw": lambda **kw: AdamW(**kw),
}


def get_optimizer(spec: str | Optimizer, **options) -> Optimizer:
    """Return an optimizer by name (``"sgd"``, ``"momentum"``, ``"nesterov"``,
    ``"rmsprop"``, ``"adam"``, ``"adamw"``) with ``options`` such as ``lr``.

    Raises
    ------
    ValueError
        On an unknown name or an invalid option value.
    TypeError
        On an option the optimizer does not take.
    """
    if isinstance(spec, Optimizer):
        return spec

    name = str(spec).lower()
    if name not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {sorted(OPTIMIZERS)}; got {spec!r}")
    options = {k: v for k, v in options.items() if v is not None}
    return OPTIMIZERS[name](**options)
