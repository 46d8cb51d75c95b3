r"""Loss functions :math:`C` and the output error :math:`\delta^{(L)}` they start.

A batch is rows: ``z``, ``a`` and ``y`` have shape ``(m, N)``, with ``m`` samples and
``N = N^{(L)}`` output neurons. Every loss is a *mean* over the ``m`` samples, so the
:math:`1/m` sits inside :math:`\partial C / \partial a` and hence inside
:math:`\delta^{(L)}`; the gradients that follow are those of the mean loss.

Step 3 of backpropagation is :meth:`Loss.output_delta`:
:math:`\delta^{(L)} = \nabla_{a} C \odot \sigma'(z^{(L)})`. Two pairings have a
shorter exact form, and use it:

* softmax output with cross-entropy: :math:`\delta^{(L)} = (a - y) / m`;
* sigmoid output with binary cross-entropy: :math:`\delta^{(L)} = (a - y) / (m N)`.

Both losses are computed from the logits ``z``, never from probabilities, so they
stay finite and exact for logits as large as :math:`\pm 10^4`.
"""

from __future__ import annotations

import numpy as np

from .activations import Activation, row_max, sigmoid

__all__ = [
    "LOSSES",
    "BinaryCrossEntropy",
    "CrossEntropy",
    "Loss",
    "MeanSquaredError",
    "SumSquaredError",
    "get_loss",
    "log_sum_exp",
]


def log_sum_exp(z: np.ndarray) -> np.ndarray:
    r"""Return :math:`\log \sum_k e^{z_k}` of each row of ``z`` (shape ``(m, N)``) as ``(m,)``.

    The row maximum is taken out first, :math:`\max z + \log \sum_k e^{z_k - \max z}`,
    so no exponent is positive and nothing overflows.
    """
    top = row_max(z)
    return top[..., 0] + np.log(np.exp(z - top).sum(axis=-1))


class Loss:
    """Base class. Subclasses define :meth:`value` and :meth:`gradient_a`."""

    name = "loss"
    #: The output activation this loss pairs with when none is given.
    default_output = "identity"
    #: Whether targets are class labels (integer labels are then one-hot encoded).
    classification = False

    def value(self, z: np.ndarray, a: np.ndarray, y: np.ndarray) -> float:
        """Return the mean loss of the batch, given logits ``z``, outputs ``a``, targets ``y``."""
        raise NotImplementedError

    def gradient_a(self, a: np.ndarray, y: np.ndarray) -> np.ndarray:
        r"""Return :math:`\nabla_a C`, shape ``(m, N)``, including the :math:`1/m`."""
        raise NotImplementedError

    def output_delta(
        self, z: np.ndarray, a: np.ndarray, y: np.ndarray, activation: Activation
    ) -> np.ndarray:
        r"""Step 3: :math:`\delta^{(L)} = \nabla_a C \odot \sigma'(z^{(L)})`, shape ``(m, N)``."""
        return activation.backprop(z, a, self.gradient_a(a, y))

    def check_output(self, activation: Activation) -> None:
        """Raise ``ValueError`` if this loss cannot follow ``activation``."""

    def config(self) -> dict:
        return {"name": self.name}

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class MeanSquaredError(Loss):
    r"""The derivation's loss: the mean over samples *and* outputs of the squared error.

    .. math:: C = \frac{1}{m N} \sum_r \sum_i (a_i^{(r)} - y_i^{(r)})^2,
              \qquad \nabla_a C = \frac{2}{m N} (a - y)
    """

    name = "mse"

    def value(self, z, a, y):
        diff = a - y
        return float(np.mean(diff * diff))

    def gradient_a(self, a, y):
        return (a - y) * (2.0 / a.size)


class SumSquaredError(Loss):
    r"""The textbook form: half the summed squared error per sample, averaged over samples.

    .. math:: C = \frac{1}{m} \sum_r \tfrac12 \lVert a^{(r)} - y^{(r)} \rVert^2,
              \qquad \nabla_a C = \frac{1}{m} (a - y)
    """

    name = "sse"

    def value(self, z, a, y):
        diff = a - y
        return float(0.5 * np.sum(diff * diff) / a.shape[0])

    def gradient_a(self, a, y):
        return (a - y) / a.shape[0]


class CrossEntropy(Loss):
    r"""Softmax cross-entropy, averaged over samples, computed from the logits.

    .. math:: C = -\frac{1}{m} \sum_r \sum_j y_j^{(r)} \log a_j^{(r)}
              = \frac{1}{m} \sum_r \Big( \log \sum_k e^{z_k^{(r)}}
                - \sum_j y_j^{(r)} z_j^{(r)} \Big)

    (the second form holds because each row of ``y`` sums to 1).

    Why :math:`\delta^{(L)} = (a - y)/m`: the softmax Jacobian
    :math:`\partial a_j / \partial z_k = a_j([j=k] - a_k)` applied to
    :math:`\partial C / \partial a_j = -y_j / (m a_j)` gives
    :math:`(a_k \sum_j y_j - y_k)/m`, and :math:`\sum_j y_j = 1`. The division by
    :math:`a_j` cancels, so the fused form is exact even where :math:`a_j` underflows to 0.
    """

    name = "cross_entropy"
    default_output = "softmax"
    classification = True

    def value(self, z, a, y):
        # With z shifted by its row maximum, C = (1/m) Σ_r (log Σ_k e^(z_k - max)
        # - Σ_j y_j (z_j - max)) is a sum of two non-negative terms: no exponent
        # overflows and nothing cancels, even for logits of 1e4. Summed over the
        # whole batch, the second term is one dot product.
        shifted = z - row_max(z)
        log_sums = np.log(np.exp(shifted).sum(axis=-1))
        return float(log_sums.sum() - np.vdot(y, shifted)) / z.shape[0]

    def gradient_a(self, a, y):
        # Only for showing the unfused step; training uses output_delta.
        with np.errstate(divide="ignore", invalid="ignore"):
            return -np.where(y != 0, y / a, 0.0) / a.shape[0]

    def output_delta(self, z, a, y, activation):
        return (a - y) / a.shape[0]

    def check_output(self, activation):
        if activation.name != "softmax":
            raise ValueError(
                "loss='cross_entropy' needs output_activation='softmax' (it is computed "
                f"from the softmax logits); got output_activation={activation.name!r}. "
                "For independent yes/no outputs use loss='binary_cross_entropy'."
            )


class BinaryCrossEntropy(Loss):
    r"""Sigmoid binary cross-entropy, the mean over samples and outputs, from the logits.

    .. math:: C = \frac{1}{m N} \sum_{r, i} \big( \log(1 + e^{z_i}) - y_i z_i \big)

    which equals :math:`-[y \log a + (1 - y) \log(1 - a)]` for :math:`a = \sigma(z)`.
    :math:`\log(1 + e^{z})` is evaluated as :math:`\max(z, 0) + \log(1 + e^{-|z|})`,
    so a logit of :math:`-800` with target 1 costs exactly 800. The sigmoid's
    :math:`\sigma' = a(1-a)` cancels the loss's :math:`1/(a(1-a))`, leaving
    :math:`\delta^{(L)} = (a - y)/(m N)`.
    """

    name = "binary_cross_entropy"
    default_output = "sigmoid"
    classification = True

    def value(self, z, a, y):
        softplus = np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))
        return float(np.mean(softplus - y * z))

    def gradient_a(self, a, y):
        # Only for showing the unfused step; training uses output_delta.
        with np.errstate(divide="ignore", invalid="ignore"):
            return (a - y) / (a * (1.0 - a) * a.size)

    def output_delta(self, z, a, y, activation):
        return (sigmoid(z) - y) / a.size

    def check_output(self, activation):
        if activation.name != "sigmoid":
            raise ValueError(
                "loss='binary_cross_entropy' needs output_activation='sigmoid' (it is "
                f"computed from the logits); got output_activation={activation.name!r}."
            )


LOSSES = {
    cls.name: cls
    for cls in (MeanSquaredError, SumSquaredError, CrossEntropy, BinaryCrossEntropy)
}
_ALIASES = {
    "mean_squared_error": "mse",
    "sum_squared_error": "sse",
    "crossentropy": "cross_entropy",
    "categorical_cross_entropy": "cross_entropy",
    "bce": "binary_cross_entropy",
}


def get_loss(spec: str | Loss) -> Loss:
    """Turn a name or a :class:`Loss` into a loss.

    Raises
    ------
    ValueError
        If the name is not one of :data:`LOSSES`.
    """
    if isinstance(spec, Loss):
        return spec

    name = str(spec.get("name") if isinstance(spec, dict) else spec).lower().replace("-", "_")
    name = _ALIASES.get(name, name)
    if name not in LOSSES:
        raise ValueError(f"loss must be one of {sorted(LOSSES)}; got {spec!r}")
    return LOSSES[name]()
