r"""Initial weights :math:`W^{(l)}`, shape ``(n_out, n_in) = (N^{(l)}, N^{(l-1)})``.

Both families scale the spread by the layer's fan so that the variance of
:math:`z` neither grows nor shrinks from layer to layer at the start of training:

* Xavier/Glorot (for tanh, sigmoid, softmax): :math:`\mathrm{Var}(w) = 2 / (n_{in} + n_{out})`;
* He (for the ReLU family): :math:`\mathrm{Var}(w) = 2 / n_{in}`, because ReLU zeroes
  half of its inputs.

Biases start at zero. ``"auto"`` picks He for ReLU-like hidden activations and
Xavier otherwise.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

__all__ = ["INITIALIZERS", "get_initializer", "initialize"]

Initializer = Callable[[int, int, np.random.Generator], np.ndarray]


def xavier_normal(n_out: int, n_in: int, rng: np.random.Generator) -> np.ndarray:
    r""":math:`w \sim \mathcal N(0, 2 / (n_{in} + n_{out}))`."""
    std = np.sqrt(2.0 / (n_in + n_out))
    return rng.normal(0.0, std, size=(n_out, n_in))


def xavier_uniform(n_out: int, n_in: int, rng: np.random.Generator) -> np.ndarray:
    r""":math:`w \sim U(-r, r)`, :math:`r = \sqrt{6 / (n_{in} + n_{out})}` (same variance)."""
    limit = np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-limit, limit, size=(n_out, n_in))


def he_normal(n_out: int, n_in: int, rng: np.random.Generator) -> np.ndarray:
    r""":math:`w \sim \mathcal N(0, 2 / n_{in})`."""
    return rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_out, n_in))


def he_uniform(n_out: int, n_in: int, rng: np.random.Generator) -> np.ndarray:
    r""":math:`w \sim U(-r, r)`, :math:`r = \sqrt{6 / n_{in}}` (same variance)."""
    limit = np.sqrt(6.0 / n_in)
    return rng.uniform(-limit, limit, size=(n_out, n_in))


INITIALIZERS: dict[str, Initializer] = {
    "xavier_normal": xavier_normal,
    "xavier_uniform": xavier_uniform,
    "he_normal": he_normal,
    "he_uniform": he_uniform,
}
_ALIASES = {
    "xavier": "xavier_uniform",
    "glorot": "xavier_uniform",
    "glorot_uniform": "xavier_uniform",
    "glorot_normal": "xavier_normal",
    "he": "he_normal",
    "kaiming": "he_normal",
    "kaiming_normal": "he_normal",
    "kaiming_uniform": "he_uniform",
}
_RELU_LIKE = {"relu", "leaky_relu", "elu"}


def get_initializer(name: str, activation_name: str = "sigmoid") -> Initializer:
    """Return the initializer called ``name``; ``"auto"`` chooses by ``activation_name``.

    Raises
    ------
    ValueError
        If ``name`` is not ``"auto"`` or one of :data:`INITIALIZERS` (or an alias).
    """
    key = str(name).lower()
    if key == "auto":
        key = "he_normal" if activation_name in _RELU_LIKE else "xavier_uniform"
    key = _ALIASES.get(key, key)
    if key not in INITIALIZERS:
        choices = sorted(INITIALIZERS) + sorted(_ALIASES) + ["auto"]
        raise ValueError(f"init must be one of {choices}; got {name!r}")
    return INITIALIZERS[key]


def initialize(
    name: str, n_out: int, n_in: int, rng: np.random.Generator, activation_name: str
) -> tuple[np.ndarray, np.ndarray]:
    """Return a fresh ``(W, b)`` in float64: ``W`` of shape ``(n_out, n_in)``, ``b`` zeros."""
    W = get_initializer(name, activation_name)(n_out, n_in, rng)
    return W, np.zeros(n_out)
