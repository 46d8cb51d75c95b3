r"""Activation functions :math:`a = \sigma(z)` and their derivatives.

A batch is rows: ``z`` and ``a`` have shape ``(m, N)`` for ``m`` samples and ``N``
neurons. Each activation knows three things:

* ``forward(z)``: :math:`a = \sigma(z)`;
* ``derivative(z, a)``: :math:`\sigma'(z)` element by element, computed from ``a``
  where that is cheaper (sigmoid, tanh);
* ``backprop(z, a, grad_a)``: :math:`\partial C / \partial z` given
  :math:`\partial C / \partial a`. For an element-wise activation this is
  ``grad_a * derivative(z, a)``, the :math:`\odot\,\sigma'(z)` of steps 3 and 4.
  Softmax is not element-wise, so it overrides this with its Jacobian product.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "ACTIVATIONS",
    "Activation",
    "ELU",
    "Identity",
    "LeakyReLU",
    "ReLU",
    "Sigmoid",
    "Softmax",
    "Softplus",
    "Tanh",
    "get_activation",
    "sigmoid",
]


def sigmoid(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    r"""The logistic function :math:`1 / (1 + e^{-z})`, to full relative precision.

    For very negative ``z``, :math:`e^{-z}` overflows to infinity and the result is
    exactly 0, where the true value is below the smallest normal number (z < -87 in
    float32, z < -708 in float64); everywhere else the plain formula is accurate to the
    last bit, unlike :math:`(1 + \tanh(z/2))/2`, which cancels to 0 far sooner.
    """
    e = np.negative(z, out=out)
    with np.errstate(over="ignore"):
        np.exp(e, out=e)
    e += 1.0
    return np.reciprocal(e, out=e)


def row_max(z: np.ndarray) -> np.ndarray:
    """The largest entry of each row of ``z`` (shape ``(m, N)``), as ``(m, 1)``.

    numpy reduces along a short row one element at a time; down the columns of the
    transposed copy it uses vector instructions, 4x faster for 128 rows of 10 and
    10x for 1,024. Rows longer than 32 it vectorizes well enough itself.
    """
    if z.ndim == 2 and z.shape[1] <= 32:
        return z.T.copy().max(axis=0)[:, None]
    return z.max(axis=-1, keepdims=True)


class Activation:
    """Base class: an element-wise :math:`\\sigma` with its derivative."""

    name = "activation"
    elementwise = True

    def forward(self, z: np.ndarray) -> np.ndarray:
        """Return :math:`a = \\sigma(z)`, same shape as ``z``."""
        raise NotImplementedError

    def forward_inplace(self, z: np.ndarray) -> np.ndarray:
        """Return :math:`\\sigma(z)`, overwriting ``z`` where the activation can.

        For inference, where ``z`` is not kept: it saves allocating a large array per
        layer, which costs more than the arithmetic on big batches.
        """
        return self.forward(z)

    def derivative(self, z: np.ndarray, a: np.ndarray) -> np.ndarray:
        """Return :math:`\\sigma'(z)`, given ``z`` and ``a = forward(z)``."""
        raise NotImplementedError

    def backprop(self, z: np.ndarray, a: np.ndarray, grad_a: np.ndarray) -> np.ndarray:
        """Return :math:`\\partial C/\\partial z = \\partial C/\\partial a \\odot \\sigma'(z)`."""
        return grad_a * self.derivative(z, a)

    def config(self) -> dict:
        """The JSON description that :func:`get_activation` turns back into this object."""
        return {"name": self.name}

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Identity(Activation):
    r""":math:`\sigma(z) = z`, :math:`\sigma'(z) = 1`."""

    name = "identity"

    def forward(self, z):
        return z

    def derivative(self, z, a):
        return np.ones_like(z)

    def backprop(self, z, a, grad_a):
        return grad_a


class Sigmoid(Activation):
    r""":math:`\sigma(z) = 1 / (1 + e^{-z})`, :math:`\sigma'(z) = a (1 - a)`."""

    name = "sigmoid"

    def forward(self, z):
        return sigmoid(z)

    def forward_inplace(self, z):
        return sigmoid(z, out=z)

    def derivative(self, z, a):
        return a * (1.0 - a)

    def backprop(self, z, a, grad_a):
        # grad_a ⊙ a (1 - a) built up in one array: three passes and one new array
        # instead of three of each, which deep sigmoid networks feel.
        delta = np.subtract(1.0, a)
        delta *= a
        delta *= grad_a
        return delta


class Tanh(Activation):
    r""":math:`\sigma(z) = \tanh z`, :math:`\sigma'(z) = 1 - a^2`."""

    name = "tanh"

    def forward(self, z):
        return np.tanh(z)

    def forward_inplace(self, z):
        return np.tanh(z, out=z)

    def derivative(self, z, a):
        return 1.0 - a * a


class ReLU(Activation):
    r""":math:`\sigma(z) = \max(0, z)`, :math:`\sigma'(z) = [z > 0]`.

    At the kink :math:`z = 0` the derivative is taken as 0, as PyTorch does.
    """

    name = "relu"

    def forward(self, z):
        return np.maximum(z, 0.0)

    def forward_inplace(self, z):
        return np.maximum(z, 0.0, out=z)

    def derivative(self, z, a):
        return (z > 0).astype(z.dtype)

    def backprop(self, z, a, grad_a):
        # Multiplying by the 0/1 mask is several times faster than np.where here.
        return np.multiply(grad_a, z > 0, dtype=grad_a.dtype)


class LeakyReLU(Activation):
    r""":math:`\sigma(z) = z` for :math:`z > 0`, else :math:`\alpha z`.

    Parameters
    ----------
    alpha : float
        The slope for negative ``z`` (default 0.01, PyTorch's).
    """

    name = "leaky_relu"

    def __init__(self, alpha: float = 0.01):
        self.alpha = float(alpha)

    def forward(self, z):
        return np.where(z > 0, z, self.alpha * z)

    def derivative(self, z, a):
        return np.where(z > 0, 1.0, self.alpha).astype(z.dtype)

    def config(self):
        return {"name": self.name, "alpha": self.alpha}

    def __repr__(self):
        return f"LeakyReLU(alpha={self.alpha})"


class ELU(Activation):
    r""":math:`\sigma(z) = z` for :math:`z > 0`, else :math:`\alpha (e^z - 1)`.

    :math:`\sigma'(z) = 1` for :math:`z > 0`, else :math:`a + \alpha`.
    """

    name = "elu"

    def __init__(self, alpha: float = 1.0):
        self.alpha = float(alpha)

    def forward(self, z):
        # expm1 of min(z, 0): exact near 0 and never overflows for large positive z.
        negative = self.alpha * np.expm1(np.minimum(z, 0.0))
        return np.where(z > 0, z, negative)

    def derivative(self, z, a):
        return np.where(z > 0, 1.0, a + self.alpha).astype(z.dtype)

    def config(self):
        return {"name": self.name, "alpha": self.alpha}

    def __repr__(self):
        return f"ELU(alpha={self.alpha})"


class Softplus(Activation):
    r""":math:`\sigma(z) = \log(1 + e^z)`, :math:`\sigma'(z) = 1 / (1 + e^{-z})`."""

    name = "softplus"

    def forward(self, z):
        # log(1 + e^z) = max(z, 0) + log1p(e^-|z|): no overflow, no loss of precision.
        return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))

    def derivative(self, z, a):
        return sigmoid(z)


class Softmax(Activation):
    r""":math:`a_j = e^{z_j} / \sum_k e^{z_k}`, over each row.

    Softmax is not element-wise: every :math:`a_j` depends on every :math:`z_k`,
    with Jacobian :math:`\partial a_j / \partial z_k = a_j ([j = k] - a_k)`. So
    the backward rule is the Jacobian-vector product

    .. math:: \partial C / \partial z = a \odot (g - (g \cdot a)),
              \quad g = \partial C / \partial a.

    With the cross-entropy loss this collapses to :math:`a - y`; the loss module
    uses that fused form.
    """

    name = "softmax"
    elementwise = False

    def forward(self, z):
        return self.forward_inplace(z.copy())

    def forward_inplace(self, z):
        # Subtracting the row maximum changes nothing mathematically and keeps
        # every exponent <= 0, so exp never overflows.
        z -= row_max(z)
        np.exp(z, out=z)
        z /= z.sum(axis=-1, keepdims=True)
        return z

    def derivative(self, z, a):
        raise NotImplementedError(
            "softmax has no element-wise derivative: its Jacobian couples the outputs. "
            "Use Softmax.backprop(z, a, grad_a), which applies the Jacobian."
        )

    def backprop(self, z, a, grad_a):
        inner = np.sum(grad_a * a, axis=-1, keepdims=True)
        return a * (grad_a - inner)


ACTIVATIONS = {
    cls.name: cls
    for cls in (Identity, Sigmoid, Tanh, ReLU, LeakyReLU, ELU, Softplus, Softmax)
}
_ALIASES = {"linear": "identity", "leakyrelu": "leaky_relu", "leaky-relu": "leaky_relu"}


def get_activation(spec: str | dict | Activation) -> Activation:
    """Turn a name, a config dict or an :class:`Activation` into an activation.

    Parameters
    ----------
    spec : str, dict or Activation
        ``"relu"``, ``{"name": "leaky_relu", "alpha": 0.1}``, or an instance.

    Raises
    ------
    ValueError
        If the name is not one of :data:`ACTIVATIONS`.
    """
    if isinstance(spec, Activation):
        return spec

    options = dict(spec) if isinstance(spec, dict) else {"name": spec}
    name = str(options.pop("name", "")).lower()
    name = _ALIASES.get(name, name)
    if name not in ACTIVATIONS:
        raise ValueError(
            f"activation must be one of {sorted(ACTIVATIONS)}; got {spec!r}"
        )
    return ACTIVATIONS[name](**options)
