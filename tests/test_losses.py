"""Each loss, its gradient and the output error delta^(L) it starts, against PyTorch.

* ``value`` equals torch's loss (mse, half-sum sse, ``F.cross_entropy``,
  ``F.binary_cross_entropy_with_logits``);
* ``gradient_a`` equals torch's dC/da, and ``output_delta`` (step 3, fused or not)
  equals torch's dC/dz through the output activation;
* computed from logits, the losses stay finite and exact for logits of +-800 and
  +-1e4, and ``log_sum_exp`` matches ``torch.logsumexp`` there.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from chainrule.activations import ACTIVATIONS, get_activation
from chainrule.losses import LOSSES, get_loss, log_sum_exp

M, N = 6, 4
PAIRED_OUTPUT = {"mse": "identity", "sse": "identity", "cross_entropy": "softmax",
                 "binary_cross_entropy": "sigmoid"}


def batch(loss: str, seed: int = 0, scale: float = 2.0) -> tuple[np.ndarray, np.ndarray]:
    """Random logits ``z`` ``(M, N)`` and targets ``Y`` ``(M, N)`` suited to ``loss``."""
    rng = np.random.default_rng(seed)
    z = rng.normal(0.0, scale, size=(M, N))
    if loss == "cross_entropy":
        Y = np.eye(N)[rng.integers(0, N, size=M)]
    elif loss == "binary_cross_entropy":
        Y = rng.uniform(0.0, 1.0, size=(M, N))
    else:
        Y = rng.normal(size=(M, N))
    return z, Y


def torch_delta(loss: str, output: str, z: np.ndarray, Y: np.ndarray, torch_sigma,
                torch_cost) -> tuple[float, np.ndarray]:
    """Torch's loss and dC/dz for outputs ``sigma(z)``."""
    z_t = torch.tensor(z, requires_grad=True)
    a_t = torch_sigma({"name": output})(z_t)
    cost = torch_cost(loss, z_t, a_t, torch.from_numpy(Y))
    cost.backward()
    return cost.item(), z_t.grad.numpy()


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_value_and_output_delta_match_torch(name, torch_sigma, torch_cost, rel_error):
    loss = get_loss(name)
    sigma = get_activation(PAIRED_OUTPUT[name])
    z, Y = batch(name)
    a = sigma.forward(z)

    expected_value, expected_delta = torch_delta(name, sigma.name, z, Y, torch_sigma,
                                                 torch_cost)
    assert rel_error(loss.value(z, a, Y), expected_value) <= 1e-14
    assert rel_error(loss.output_delta(z, a, Y, sigma), expected_delta) <= 1e-14


@pytest.mark.parametrize("output", sorted(ACTIVATIONS))
@pytest.mark.parametrize("name", ["mse", "sse"])
def test_unfused_output_delta_through_any_activation(name, output, torch_sigma, torch_cost,
                                                     rel_error):
    # Step 3 as the derivation writes it: grad_a C ⊙ sigma'(z), softmax by its Jacobian.
    loss, sigma = get_loss(name), get_activation(output)
    z, Y = batch(name, seed=1)
    a = sigma.forward(z)

    expected_value, expected_delta = torch_delta(name, output, z, Y, torch_sigma, torch_cost)
    assert rel_error(loss.value(z, a, Y), expected_value) <= 1e-14
    assert rel_error(loss.output_delta(z, a, Y, sigma), expected_delta) <= 1e-13


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_gradient_a_matches_torch(name, rel_error):
    # The unfused dC/da, differentiated in torch from the probability form of each loss.
    loss = get_loss(name)
    z, Y = batch(name, seed=2)
    a = get_activation(PAIRED_OUTPUT[name]).forward(z)

    a_t = torch.tensor(a, requires_grad=True)
    Y_t = torch.from_numpy(Y)
    if name == "cross_entropy":
        cost = -(Y_t * torch.log(a_t)).sum() / M
    elif name == "binary_cross_entropy":
        cost = F.binary_cross_entropy(a_t, Y_t)
    elif name == "mse":
        cost = F.mse_loss(a_t, Y_t)
    else:
        cost = 0.5 * ((a_t - Y_t) ** 2).sum() / M
    cost.backward()

    assert rel_error(loss.gradient_a(a, Y), a_t.grad.numpy()) <= 1e-12


@pytest.mark.parametrize("name, output", [("cross_entropy", "softmax"),
                                          ("binary_cross_entropy", "sigmoid")])
def test_fused_delta_equals_the_chain_rule_product(name, output, rel_error):
    # The fused (a - y) form must be what gradient_a ⊙ sigma' gives where a is not 0 or 1.
    loss, sigma = get_loss(name), get_activation(output)
    z, Y = batch(name, seed=3, scale=1.0)
    a = sigma.forward(z)
    unfused = sigma.backprop(z, a, loss.gradient_a(a, Y))
    assert rel_error(loss.output_delta(z, a, Y, sigma), unfused) <= 1e-12


# ----------------------------------------------------------------- numerical safety


def test_binary_cross_entropy_of_far_logits_costs_the_logit():
    bce, sigma = get_loss("binary_cross_entropy"), get_activation("sigmoid")
    for logit, target in [(-800.0, 1.0), (800.0, 0.0)]:
        z, Y = np.array([[logit]]), np.array([[target]])
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            value = bce.value(z, sigma.forward(z), Y)
            delta = bce.output_delta(z, sigma.forward(z), Y, sigma)
        assert value == 800.0
        # The output is saturated and wrong: the error is the whole (a - y).
        assert delta[0, 0] == 1.0 - 2.0 * target


def test_cross_entropy_of_huge_logits_is_finite_and_right(torch_cost):
    ce, softmax = get_loss("cross_entropy"), get_activation("softmax")
    z = np.array([[1e4, -1e4, 0.0], [1e4, -1e4, 0.0], [-1e4, -1e4, -1e4]])
    Y = np.eye(3)[[0, 1, 2]]
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        a = softmax.forward(z)
        value = ce.value(z, a, Y)
        delta = ce.output_delta(z, a, Y, softmax)

    # Per sample: 0 (right with certainty), 2e4 (wrong by 2e4), log 3 (uniform).
    assert value == pytest.approx((0.0 + 2e4 + np.log(3.0)) / 3, rel=1e-15)
    expected = torch_cost("cross_entropy", torch.from_numpy(z), None, torch.tensor([0, 1, 2]))
    assert value == pytest.approx(expected.item(), rel=1e-15)
    assert np.all(np.isfinite(delta))
    np.testing.assert_allclose(delta[1], [1 / 3, -1 / 3, 0.0], atol=1e-15)


def test_log_sum_exp_of_huge_values_matches_torch():
    z = np.array([[1e4, 1e4, -1e4], [-1e4, -1e4, -1e4], [0.0, 1.0, 2.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        got = log_sum_exp(z)
    expected = torch.logsumexp(torch.from_numpy(z), dim=-1).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-15)
    assert got[0] == pytest.approx(1e4 + np.log(2.0), rel=1e-15)


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_float32_delta_stays_float32(name):
    loss, sigma = get_loss(name), get_activation(PAIRED_OUTPUT[name])
    z, Y = (x.astype(np.float32) for x in batch(name))
    a = sigma.forward(z)
    assert loss.output_delta(z, a, Y, sigma).dtype == np.float32
    assert loss.gradient_a(a, Y).dtype == np.float32


# ----------------------------------------------------------------- lookup and pairing


@pytest.mark.parametrize("alias, name", [
    ("mean_squared_error", "mse"),
    ("sum-squared-error", "sse"),
    ("CrossEntropy", "cross_entropy"),
    ("bce", "binary_cross_entropy"),
])
def test_aliases(alias, name):
    assert get_loss(alias).name == name


@pytest.mark.parametrize("name, output", [("cross_entropy", "sigmoid"),
                                          ("binary_cross_entropy", "softmax")])
def test_a_classification_loss_refuses_the_wrong_output(name, output):
    with pytest.raises(ValueError, match=output):
        get_loss(name).check_output(get_activation(output))
