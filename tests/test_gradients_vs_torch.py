"""Backpropagation against PyTorch autograd, the independent oracle, in float64.

For random architectures drawn by hypothesis (1-5 hidden layers of width 1-16, every
hidden activation, every loss, batches of 1-32) the torch model is built from the
very same ``W`` and ``b`` as ``nn.Linear`` layers (``W`` has ``nn.Linear.weight``'s
``(n_out, n_in)`` layout), the same loss is written in torch, and chainrule's
forward pass, loss and gradients must equal torch's to 1e-9 relative error.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from chainrule import Network
from chainrule.activations import ACTIVATIONS

TOLERANCE = 1e-9
ALL_ACTIVATIONS = sorted(ACTIVATIONS)
PAIRED_OUTPUT = {"cross_entropy": "softmax", "binary_cross_entropy": "sigmoid"}


@st.composite
def architectures(draw, loss: str) -> dict:
    """A random network description for ``loss``: sizes, activations, batch size, seed."""
    n_hidden = draw(st.integers(1, 5))
    widths = draw(st.lists(st.integers(1, 16), min_size=n_hidden + 2, max_size=n_hidden + 2))
    hidden = draw(st.lists(st.sampled_from(ALL_ACTIVATIONS), min_size=n_hidden,
                           max_size=n_hidden))
    if loss in PAIRED_OUTPUT:
        output = PAIRED_OUTPUT[loss]
    else:
        output = draw(st.sampled_from(ALL_ACTIVATIONS))
    return {
        "sizes": widths,
        "hidden": hidden,
        "output": output,
        "loss": loss,
        "m": draw(st.integers(1, 32)),
        "seed": draw(st.integers(0, 2**32 - 1)),
    }


def build_network(arch: dict) -> tuple[Network, np.ndarray, np.ndarray]:
    """A float64 network with random non-zero biases, and a random batch ``(X, Y)``."""
    net = Network(arch["sizes"], activation=arch["hidden"], output_activation=arch["output"],
                  loss=arch["loss"], seed=arch["seed"] % 1000, dtype="float64")
    rng = np.random.default_rng(arch["seed"])
    for layer in net.layers:
        layer.b = rng.normal(0.0, 0.5, size=layer.b.shape)

    m, n_in, n_out = arch["m"], arch["sizes"][0], arch["sizes"][-1]
    X = rng.normal(0.0, 1.0, size=(m, n_in))
    if arch["loss"] == "cross_entropy":
        Y = rng.integers(0, n_out, size=m)
    elif arch["loss"] == "binary_cross_entropy":
        Y = rng.uniform(0.0, 1.0, size=(m, n_out))
    else:
        Y = rng.normal(0.0, 1.0, size=(m, n_out))
    return net, X, Y


def torch_model(net: Network, torch_sigma) -> list:
    """``(nn.Linear, sigma)`` per layer, the Linear holding a copy of the layer's W and b."""
    model = []
    for layer in net.layers:
        linear = torch.nn.Linear(layer.n_in, layer.n_out, dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(layer.W))
            linear.bias.copy_(torch.from_numpy(layer.b))
        model.append((linear, torch_sigma(layer.activation.config())))
    return model


def torch_forward(model: list, X: np.ndarray) -> tuple[list, list]:
    """Every ``z^(l)`` and ``a^(l)`` of the torch model (lists indexed from layer 1)."""
    a = torch.from_numpy(X)
    zs, activations = [], []
    for linear, sigma in model:
        z = linear(a)
        a = sigma(z)
        zs.append(z)
        activations.append(a)
    return zs, activations


def torch_targets(loss: str, Y: np.ndarray) -> torch.Tensor:
    if loss == "cross_entropy":
        return torch.from_numpy(np.asarray(Y, dtype=np.int64))
    return torch.from_numpy(np.asarray(Y, dtype=np.float64))


def compare_with_torch(arch: dict, torch_sigma, torch_cost, rel_error) -> None:
    """Assert that forward, loss and every gradient equal torch's for ``arch``."""
    net, X, Y = build_network(arch)
    model = torch_model(net, torch_sigma)

    # Forward: every z and a, then the output.
    fp = net.feed_forward(X)
    zs, activations = torch_forward(model, X)
    for l in range(1, len(net.layers) + 1):
        assert rel_error(fp.z[l], zs[l - 1].detach().numpy()) <= TOLERANCE
        assert rel_error(fp.a[l], activations[l - 1].detach().numpy()) <= TOLERANCE
    assert rel_error(net.forward(X), activations[-1].detach().numpy()) <= TOLERANCE

    # Loss.
    cost = torch_cost(arch["loss"], zs[-1], activations[-1], torch_targets(arch["loss"], Y))
    assert rel_error(net.loss(X, Y), cost.item()) <= TOLERANCE

    # Gradients, in the order W1, b1, W2, b2, ...
    cost.backward()
    grads = net.gradients(X, Y)
    for l, ((grad_W, grad_b), (linear, _)) in enumerate(zip(grads, model, strict=True), start=1):
        assert grad_W.shape == linear.weight.shape
        error_W = rel_error(grad_W, linear.weight.grad.numpy())
        error_b = rel_error(grad_b, linear.bias.grad.numpy())
        assert error_W <= TOLERANCE, f"W{l}: relative error {error_W:.3e} vs torch"
        assert error_b <= TOLERANCE, f"b{l}: relative error {error_b:.3e} vs torch"


@pytest.mark.parametrize("loss", ["mse", "sse", "cross_entropy", "binary_cross_entropy"])
@settings(max_examples=60)
@given(data=st.data())
def test_random_networks_match_torch(loss, data, torch_sigma, torch_cost, rel_error):
    arch = data.draw(architectures(loss), label="architecture")
    compare_with_torch(arch, torch_sigma, torch_cost, rel_error)


@pytest.mark.parametrize("hidden", ALL_ACTIVATIONS)
@pytest.mark.parametrize("loss", ["mse", "sse", "cross_entropy", "binary_cross_entropy"])
def test_every_hidden_activation_with_every_loss(hidden, loss, torch_sigma, torch_cost,
                                                  rel_error):
    # The property above samples; this grid makes sure no pairing is ever left out.
    arch = {"sizes": [5, 7, 6, 4], "hidden": [hidden, hidden],
            "output": PAIRED_OUTPUT.get(loss, "identity"), "loss": loss, "m": 9, "seed": 11}
    compare_with_torch(arch, torch_sigma, torch_cost, rel_error)


@pytest.mark.parametrize("output", ALL_ACTIVATIONS)
@pytest.mark.parametrize("loss", ["mse", "sse"])
def test_regression_losses_after_every_output_activation(output, loss, torch_sigma,
                                                         torch_cost, rel_error):
    arch = {"sizes": [4, 8, 5], "hidden": ["tanh"], "output": output, "loss": loss,
            "m": 13, "seed": 5}
    compare_with_torch(arch, torch_sigma, torch_cost, rel_error)


def test_labels_and_one_hot_rows_give_the_same_gradients(rel_error):
    net = Network([3, 6, 4], activation="tanh", loss="cross_entropy", seed=2, dtype="float64")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(10, 3))
    labels = rng.integers(0, 4, size=10)
    one_hot = np.eye(4)[labels]

    from_labels = [g for pair in net.gradients(X, labels) for g in pair]
    from_rows = [g for pair in net.gradients(X, one_hot) for g in pair]
    for g_labels, g_rows in zip(from_labels, from_rows, strict=True):
        assert rel_error(g_labels, g_rows) <= 1e-15


def test_soft_cross_entropy_targets_match_torch(torch_sigma, rel_error):
    # Probability rows (label smoothing) instead of labels: torch accepts them too.
    net = Network([3, 5, 4], activation="elu", loss="cross_entropy", seed=4, dtype="float64")
    rng = np.random.default_rng(1)
    X = rng.normal(size=(7, 3))
    Y = rng.dirichlet(np.ones(4), size=7)

    model = torch_model(net, torch_sigma)
    zs, _ = torch_forward(model, X)
    cost = torch.nn.functional.cross_entropy(zs[-1], torch.from_numpy(Y))
    cost.backward()

    assert rel_error(net.loss(X, Y), cost.item()) <= TOLERANCE
    for (grad_W, grad_b), (linear, _) in zip(net.gradients(X, Y), model, strict=True):
        assert rel_error(grad_W, linear.weight.grad.numpy()) <= TOLERANCE
        assert rel_error(grad_b, linear.bias.grad.numpy()) <= TOLERANCE
