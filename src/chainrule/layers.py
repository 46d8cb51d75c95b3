r"""A fully connected layer: :math:`z = W a_{prev} + b`, :math:`a = \sigma(z)`.

Shape convention: ``W`` is ``(n_out, n_in) = (N^{(l)}, N^{(l-1)})`` with
``W[j, i]`` the weight :math:`w_{ij}` from neuron ``i`` of the previous layer to
neuron ``j`` of this one, so row ``j`` holds every weight entering neuron ``j``
(the layout of PyTorch's ``nn.Linear.weight``). ``b`` has shape ``(n_out,)``.
A batch is rows: :math:`Z = A_{prev} W^\top + b`.
"""

from __future__ import annotations

import numpy as np

from .activations import Activation, get_activation
from .errors import ShapeError

__all__ = ["Dense"]


class Dense:
    r"""One layer :math:`l` of the network: its parameters and its activation.

    Parameters
    ----------
    W : array, shape (n_out, n_in)
        Weights, ``W[j, i]`` = :math:`w_{ij}`.
    b : array, shape (n_out,)
        Biases.
    activation : str, dict or Activation
        :math:`\sigma` of this layer.
    dtype : numpy dtype
        The dtype ``W`` and ``b`` are kept in; assignments are converted to it.

    ``W`` and ``b`` are plain numpy arrays: read them, change them in place, or
    assign new values of the same shape. Assignment copies into the existing array
    rather than replacing it, because in a :class:`~chainrule.network.Network` both are
    views of the network's single parameter vector ``theta``.
    """

    def __init__(self, W: np.ndarray, b: np.ndarray, activation, dtype=np.float64):
        self.dtype = np.dtype(dtype)
        self.activation: Activation = get_activation(activation)
        W = np.asarray(W)
        if W.ndim != 2:
            raise ShapeError(f"W must be 2-D, shape (n_out, n_in); got shape {W.shape}")
        self.n_out, self.n_in = W.shape
        self.W = W
        self.b = b

    @property
    def W(self) -> np.ndarray:
        """Weights, shape ``(n_out, n_in)``; ``W[j, i]`` connects input ``i`` to neuron ``j``."""
        return self._W

    @W.setter
    def W(self, value) -> None:
        value = np.asarray(value, dtype=self.dtype)
        if value.shape != (self.n_out, self.n_in):
            raise ShapeError(
                f"W of this layer must have shape (n_out, n_in) = {(self.n_out, self.n_in)}; "
                f"got {value.shape}"
            )
        self._W = _assign(getattr(self, "_W", None), value)

    @property
    def b(self) -> np.ndarray:
        """Biases, shape ``(n_out,)``."""
        return self._b

    @b.setter
    def b(self, value) -> None:
        value = np.asarray(value, dtype=self.dtype)
        if value.shape != (self.n_out,):
            raise ShapeError(
                f"b of this layer must have shape (n_out,) = ({self.n_out},); got {value.shape}"
            )
        self._b = _assign(getattr(self, "_b", None), value)

    def __repr__(self) -> str:
        return f"Dense({self.n_in} -> {self.n_out}, {self.activation.name})"


def _assign(current: np.ndarray | None, value: np.ndarray) -> np.ndarray:
    """Copy ``value`` into ``current`` in place; the first time, keep ``value`` itself."""
    if current is None:
        return value
    current[...] = value
    return current
