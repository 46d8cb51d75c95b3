r"""Every number of one backpropagation iteration, taken from the engine itself.

:func:`trace` calls the engine's own functions in float64
(:meth:`~chainrule.network.Network.feed_forward`,
:meth:`~chainrule.network.Network.backward`,
:meth:`~chainrule.network.Network.parameter_gradients`,
:meth:`~chainrule.network.Network.sgd_step`, and the loss's ``gradient_a`` for the
unfused view of step 3) and keeps what they return. Nothing here recomputes the
mathematics, so what the renderers show is what the engine computed.

Shape convention: as in the engine, samples are rows. ``z``, ``a``, ``delta`` of
layer ``l`` are ``(m, N^(l))``; ``W`` is ``(N^(l), N^(l-1))`` with row ``j`` holding
the weights that enter neuron ``j``.

The finite-difference check evaluates :math:`(C(\theta + h) - C(\theta - h)) / 2h`
entry by entry for display; the verdict per array is :func:`chainrule.gradcheck`'s.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..gradcheck import gradcheck
from ..losses import Loss
from ..network import Network
from ..validation import check_features

__all__ = ["Iteration", "LayerTrace", "OutputError", "ParamCheck", "Trace", "trace"]


@dataclass
class LayerTrace:
    r"""What layer :math:`l` computes in one iteration.

    Attributes
    ----------
    l : int
        The layer, counted from 1 as in the derivation.
    activation : str
        Name of :math:`\sigma` in this layer.
    W, b : array, shapes (N^(l), N^(l-1)) and (N^(l),)
        The parameters before the update.
    z, a : array, shape (m, N^(l))
        Step 2: :math:`z^{(l)} = W^{(l)} a^{(l-1)} + b^{(l)}`, :math:`a^{(l)} = \sigma(z^{(l)})`.
    sigma_prime : array, shape (m, N^(l)), or None
        :math:`\sigma'(z^{(l)})`; ``None`` where :math:`\sigma` is softmax, which has
        a Jacobian instead.
    back : array, shape (m, N^(l)), or None
        Step 4's weighted sum :math:`(W^{(l+1)})^\top \delta^{(l+1)}`, that is
        :math:`\sum_k \delta_k^{(l+1)} w_{jk}^{(l+1)}`; ``None`` for the output layer.
    delta : array, shape (m, N^(l))
        :math:`\delta^{(l)} = \partial C / \partial z^{(l)}`, from ``Network.backward``.
    grad_W, grad_b : array, shapes of W and b
        Step 5: :math:`\partial C/\partial w_{kj}^{(l)} = \delta_j^{(l)} a_k^{(l-1)}`
        summed over samples, and :math:`\partial C/\partial b_j^{(l)} = \delta_j^{(l)}`.
    W_updated, b_updated : array, shapes of W and b
        :math:`W - \eta\, \partial C/\partial W`, as ``Network.sgd_step`` left them.
    """

    l: int
    activation: str
    W: np.ndarray
    b: np.ndarray
    z: np.ndarray
    a: np.ndarray
    sigma_prime: np.ndarray | None
    back: np.ndarray | None
    delta: np.ndarray
    grad_W: np.ndarray
    grad_b: np.ndarray
    W_updated: np.ndarray
    b_updated: np.ndarray


@dataclass
class OutputError:
    r"""Step 3 seen two ways.

    Attributes
    ----------
    grad_a : array, shape (m, N^(L))
        :math:`\nabla_a C` from the loss's ``gradient_a``, the :math:`1/m` included.
    fused : bool
        True when the loss replaces :math:`\nabla_a C \odot \sigma'` by a shorter exact
        form (softmax with cross-entropy, sigmoid with binary cross-entropy).
    elementwise : bool
        True when :math:`\sigma` of the output layer acts entry by entry.
    unfused : array, shape (m, N^(L))
        The general form, ``activation.backprop(z, a, grad_a)``; equal to
        :math:`\delta^{(L)}` up to rounding, which is the point of showing it.
    """

    grad_a: np.ndarray
    fused: bool
    elementwise: bool
    unfused: np.ndarray


@dataclass
class ParamCheck:
    """Backprop's gradient of one parameter array against central differences.

    ``analytic`` and ``numeric`` have the shape of the array; ``error`` and
    ``verdict`` are :func:`chainrule.gradcheck`'s worst relative error and its band.
    """

    name: str
    l: int
    analytic: np.ndarray
    numeric: np.ndarray
    error: float
    verdict: str


@dataclass
class Iteration:
    """One pass of the five steps and the check that follows it."""

    index: int
    loss_before: float
    loss_after: float
    layers: list[LayerTrace]
    output: OutputError
    checks: list[ParamCheck]


@dataclass
class Trace:
    """The whole explanation: the problem and every iteration, in order.

    ``X`` is ``(m, N^(0))`` and ``Y`` ``(m, N^(L))``, already encoded; ``eta`` is the
    learning rate; ``h`` the step of the finite differences.
    """

    sizes: list[int]
    activations: list[str]
    loss: str
    eta: float
    X: np.ndarray
    Y: np.ndarray
    h: float
    iterations: list[Iteration] = field(default_factory=list)

    @property
    def m(self) -> int:
        """The number of samples."""
        return self.X.shape[0]

    @property
    def L(self) -> int:
        """The number of layers that compute."""
        return len(self.sizes) - 1


def trace(
    net: Network, X: np.ndarray, Y: np.ndarray, eta: float, steps: int = 1, h: float = 1e-6
) -> Trace:
    r"""Run ``steps`` iterations of plain gradient descent and keep every number.

    Parameters
    ----------
    net : Network
        Left unchanged: the iterations run on a float64 copy.
    X : array, shape (m, N^(0))
    Y : array, shape (m,) labels or (m, N^(L))
    eta : float
        The learning rate :math:`\eta` of :math:`w \leftarrow w - \eta\,\partial C/\partial w`.
    steps : int
        How many iterations, all on the same samples.
    h : float
        The step of the central differences.

    Returns
    -------
    Trace

    Raises
    ------
    ValueError
        If ``steps`` < 1 or ``eta`` is not a positive number.
    """
    if steps < 1:
        raise ValueError(f"steps must be >= 1; got {steps}")
    if not eta > 0:
        raise ValueError(f"eta (the learning rate) must be > 0; got {eta}")

    net = net.copy(dtype="float64")
    X = check_features(X, net.sizes[0], net.dtype)
    Y = net.encode_targets(Y, X.shape[0])
    result = Trace(list(net.sizes), net.activations, net.loss_fn.name, float(eta), X, Y, h)

    for index in range(1, steps + 1):
        result.iterations.append(_iteration(net, X, Y, eta, h, index))
    return result


def _iteration(net: Network, X, Y, eta: float, h: float, index: int) -> Iteration:
    L = len(net.layers)
    before = [(layer.W.copy(), layer.b.copy()) for layer in net.layers]

    # Steps 2-5 by the engine, without the update.
    fp = net.feed_forward(X)
    delta = net.backward(fp, Y)
    grads = net.parameter_gradients(fp, delta)
    loss_before = net.loss(X, Y)
    output = _output_error(net, fp, Y)
    checks = _checks(net, X, Y, grads, h)

    # Step 5's update, by the engine's own step.
    net.sgd_step(X, Y, eta)
    loss_after = net.loss(X, Y)

    layers = []
    for l in range(1, L + 1):
        layer = net.layers[l - 1]
        sigma = layer.activation
        sigma_prime = sigma.derivative(fp.z[l], fp.a[l]) if sigma.elementwise else None
        # Step 4's sum over k, as Network.backward forms it: delta^(l+1) @ W^(l+1).
        back = delta[l + 1] @ before[l][0] if l < L else None
        layers.append(LayerTrace(
            l=l,
            activation=sigma.name,
            W=before[l - 1][0],
            b=before[l - 1][1],
            z=fp.z[l],
            a=fp.a[l],
            sigma_prime=sigma_prime,
            back=back,
            delta=delta[l],
            grad_W=grads[l - 1][0],
            grad_b=grads[l - 1][1],
            W_updated=layer.W.copy(),
            b_updated=layer.b.copy(),
        ))
    return Iteration(index, loss_before, loss_after, layers, output, checks)


def _output_error(net: Network, fp, Y) -> OutputError:
    loss_fn = net.loss_fn
    sigma = net.layers[-1].activation
    z, a = fp.z[-1], fp.a[-1]

    grad_a = loss_fn.gradient_a(a, Y)
    fused = type(loss_fn).output_delta is not Loss.output_delta
    with np.errstate(invalid="ignore", over="ignore"):
        unfused = sigma.backprop(z, a, grad_a)
    return OutputError(grad_a, fused, sigma.elementwise, unfused)


def _checks(net: Network, X, Y, grads, h: float) -> list[ParamCheck]:
    # Every entry is checked (no max_per_array), so report.numeric is complete.
    report = gradcheck(net, X, Y, h=h)
    analytic = [g for pair in grads for g in pair]

    checks = []
    for k, (g, numeric, summary) in enumerate(zip(analytic, report.numeric, report.checks)):
        checks.append(ParamCheck(summary.name, k // 2 + 1, g, numeric, summary.error,
                                 summary.verdict))
    return checks
