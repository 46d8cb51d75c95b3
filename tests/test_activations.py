"""Each activation's value and derivative, against finite differences and PyTorch.

* ``forward`` equals torch's function, ``derivative`` equals central finite
  differences of ``forward`` and torch autograd (kinks included, where the
  convention must be torch's);
* softmax's ``backprop`` equals torch's vector-Jacobian product;
* sigmoid and softmax stay finite, warning-free and right for inputs of +-1e4;
* float32 stays float32.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from chainrule.activations import ACTIVATIONS, get_activation, sigmoid

ELEMENTWISE = sorted(name for name, cls in ACTIVATIONS.items() if cls.elementwise)
CONFIGS = [{"name": name} for name in sorted(ACTIVATIONS)] + [
    {"name": "leaky_relu", "alpha": 0.2},
    {"name": "elu", "alpha": 0.5},
]
H = 1e-6


def central_difference(forward, z: np.ndarray) -> np.ndarray:
    """Element-wise ``(sigma(z + h) - sigma(z - h)) / 2h``, the oracle for ``sigma'``."""
    return (forward(z + H) - forward(z - H)) / (2 * H)


def torch_value_and_derivative(config: dict, z: np.ndarray, torch_sigma):
    """``sigma(z)`` and, for element-wise activations, ``sigma'(z)`` from torch autograd."""
    z_t = torch.tensor(z, dtype=torch.float64, requires_grad=True)
    a_t = torch_sigma(config)(z_t)
    a_t.sum().backward()
    return a_t.detach().numpy(), z_t.grad.numpy()


def test_every_activation_has_a_torch_twin(torch_sigma):
    # Guards the two lists below against a new activation that nothing tests.
    for name in ACTIVATIONS:
        assert callable(torch_sigma({"name": name}))


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: "-".join(map(str, c.values())))
def test_forward_matches_torch(config, torch_sigma, rel_error):
    sigma = get_activation(config)
    z = np.random.default_rng(0).normal(0.0, 3.0, size=(6, 5))
    expected, _ = torch_value_and_derivative(config, z, torch_sigma)
    assert rel_error(sigma.forward(z), expected) <= 1e-15


@pytest.mark.parametrize("config", [c for c in CONFIGS if c["name"] != "softmax"],
                         ids=lambda c: "-".join(map(str, c.values())))
def test_derivative_matches_torch_including_the_kink(config, torch_sigma, rel_error):
    sigma = get_activation(config)
    z = np.random.default_rng(1).normal(0.0, 3.0, size=(4, 7))
    z[0, :3] = [0.0, -0.0, 1e-300]    # the kink of relu, leaky_relu and elu

    _, expected = torch_value_and_derivative(config, z, torch_sigma)
    assert rel_error(sigma.derivative(z, sigma.forward(z)), expected) <= 1e-15
    grad_a = np.random.default_rng(2).normal(size=z.shape)
    assert rel_error(sigma.backprop(z, sigma.forward(z), grad_a), grad_a * expected) <= 1e-15


def away_from_kinks(z: np.ndarray) -> np.ndarray:
    """Move entries within 1e-3 of 0 out to +-1e-3, so a central difference never spans a kink."""
    return np.where(np.abs(z) < 1e-3, np.copysign(1e-3, z), z)


@pytest.mark.parametrize("name", ELEMENTWISE)
@settings(max_examples=40)
@given(z=arrays(np.float64, (3, 4), elements=st.floats(-12, 12)))
def test_derivative_matches_central_differences(name, z):
    sigma = get_activation(name)
    z = away_from_kinks(z)
    numeric = central_difference(sigma.forward, z)
    analytic = sigma.derivative(z, sigma.forward(z))

    # The difference quotient is good to ~h^2 (truncation) plus ~eps/h (rounding).
    np.testing.assert_allclose(analytic, numeric, rtol=1e-7, atol=1e-8)


@settings(max_examples=40)
@given(z=arrays(np.float64, (5, 4), elements=st.floats(-20, 20)),
       g=arrays(np.float64, (5, 4), elements=st.floats(-5, 5)))
def test_softmax_backprop_is_torchs_vector_jacobian_product(z, g):
    softmax = get_activation("softmax")
    z_t = torch.tensor(z, requires_grad=True)
    (expected,) = torch.autograd.grad(torch.softmax(z_t, dim=-1), z_t,
                                      grad_outputs=torch.from_numpy(g))

    got = softmax.backprop(z, softmax.forward(z), g)
    # Absolute bounds, scaled by g: entries that cancel to ~0 have no relative precision.
    rounding = 1e-14 * max(1.0, np.abs(g).max())
    assert np.abs(got - expected.numpy()).max() <= rounding
    # Adding a constant to every z changes nothing, so each row sums to zero.
    assert np.abs(got.sum(axis=1)).max() <= rounding


def test_softmax_backprop_matches_central_differences_of_a_dot_g():
    # d(a . g)/dz is the Jacobian-vector product, so differencing the scalar checks it.
    softmax = get_activation("softmax")
    rng = np.random.default_rng(3)
    z, g = rng.normal(size=(1, 5)), rng.normal(size=(1, 5))
    numeric = np.array([
        (softmax.forward(z + H * e) @ g[0] - softmax.forward(z - H * e) @ g[0]) / (2 * H)
        for e in np.eye(5)
    ]).reshape(1, 5)
    np.testing.assert_allclose(softmax.backprop(z, softmax.forward(z), g), numeric,
                               rtol=1e-7, atol=1e-9)


def test_softmax_has_no_elementwise_derivative():
    softmax = get_activation("softmax")
    z = np.zeros((1, 3))
    with pytest.raises(NotImplementedError, match="backprop"):
        softmax.derivative(z, softmax.forward(z))


# ----------------------------------------------------------------- numerical safety
# Underflow to 0 is the right answer in the tails; overflow, 0/0 or log(0) would not be.


def test_sigmoid_is_finite_and_exact_in_both_tails():
    z = np.array([-1e4, -800.0, -700.0, -30.0, 0.0, 30.0, 700.0, 1e4])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        a = sigmoid(z)
        a_class = get_activation("sigmoid").forward(z)

    assert np.array_equal(a, a_class)
    assert np.all(np.isfinite(a))
    assert a[0] == 0.0 and a[-1] == 1.0 and a[4] == 0.5
    # exp(-700) is a normal float64: the small tail keeps full relative precision.
    assert abs(a[2] / np.exp(-700.0) - 1.0) < 1e-14
    expected = torch.sigmoid(torch.from_numpy(z)).numpy()
    np.testing.assert_allclose(a, expected, rtol=1e-15, atol=0)


def test_softmax_of_huge_logits_is_finite_and_right():
    z = np.array([[1e4, -1e4, 0.0], [1e4, 1e4, -1e4], [-1e4, -1e4, -1e4]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        a = get_activation("softmax").forward(z)

    assert np.all(np.isfinite(a))
    np.testing.assert_array_equal(a, torch.softmax(torch.from_numpy(z), dim=-1).numpy())
    np.testing.assert_allclose(a, [[1, 0, 0], [0.5, 0.5, 0], [1 / 3, 1 / 3, 1 / 3]],
                               rtol=1e-15, atol=0)


@pytest.mark.parametrize("name", ["softplus", "elu", "tanh", "sigmoid"])
def test_saturating_activations_do_not_overflow(name, torch_sigma):
    z = np.array([[-1e4, -800.0, 800.0, 1e4]])
    sigma = get_activation(name)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        a = sigma.forward(z)
        derivative = sigma.derivative(z, a)

    expected_a, expected_derivative = torch_value_and_derivative({"name": name}, z, torch_sigma)
    np.testing.assert_allclose(a, expected_a, rtol=1e-15, atol=0)
    np.testing.assert_allclose(derivative, expected_derivative, rtol=1e-15, atol=0)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_float32_stays_float32(name):
    sigma = get_activation(name)
    z = np.random.default_rng(4).normal(size=(3, 4)).astype(np.float32)
    a = sigma.forward(z)
    assert a.dtype == np.float32
    assert sigma.backprop(z, a, np.ones_like(z)).dtype == np.float32
    if sigma.elementwise:
        assert sigma.derivative(z, a).dtype == np.float32


# ----------------------------------------------------------------- lookup


@pytest.mark.parametrize("alias, name", [("linear", "identity"), ("LeakyReLU", "leaky_relu"),
                                         ("leaky-relu", "leaky_relu"), ("TANH", "tanh")])
def test_aliases_and_case(alias, name):
    assert get_activation(alias).name == name


def test_config_round_trip_keeps_the_parameter():
    sigma = get_activation({"name": "leaky_relu", "alpha": 0.3})
    twin = get_activation(sigma.config())
    z = np.array([[-2.0, 3.0]])
    assert twin.alpha == 0.3
    np.testing.assert_array_equal(twin.forward(z), [[-0.6, 3.0]])
    assert get_activation(sigma) is sigma
