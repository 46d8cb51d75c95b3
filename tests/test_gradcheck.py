"""``chainrule.gradcheck``: it passes correct gradients and catches a broken one.

* on random smooth networks the worst relative error is <= 1e-6, and the analytic
  value it reports equals torch's gradient at that entry;
* a ReLU network gets ok verdicts (good or acceptable) on a fixed example;
* with a tanh derivative deliberately off by a factor, the report says ``wrong``
  and ``passed`` is False;
* the table names the arrays W1, b1, W2, b2, ... and the net is left unchanged.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from chainrule import GradcheckReport, Network, gradcheck
from chainrule.activations import Tanh
from chainrule.gradcheck import verdict

# Smooth everywhere, so no central difference straddles a kink.
SMOOTH = ["sigmoid", "tanh", "softplus", "identity", "softmax"]
LOSSES = {"mse": "tanh", "sse": "softmax", "cross_entropy": "softmax",
          "binary_cross_entropy": "sigmoid"}


def random_problem(sizes, hidden, loss, output, m, seed, dtype="float64"):
    """A network and a batch ``(X, Y)`` with targets suited to ``loss``."""
    net = Network(sizes, activation=hidden, output_activation=output, loss=loss, seed=seed,
                  dtype=dtype)
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, sizes[0]))
    if loss == "cross_entropy":
        Y = rng.integers(0, sizes[-1], size=m)
    elif loss == "binary_cross_entropy":
        Y = rng.integers(0, 2, size=(m, sizes[-1]))
    else:
        Y = rng.normal(size=(m, sizes[-1]))
    return net, X, Y


def names(n_layers: int) -> list[str]:
    return [f"{kind}{l}" for l in range(1, n_layers + 1) for kind in ("W", "b")]


def torch_gradients(net: Network, X, Y, loss: str, torch_sigma, torch_cost) -> list:
    """Torch's gradient of every array, in the order W1, b1, W2, b2, ..."""
    params, a = [], torch.from_numpy(np.asarray(X, dtype=np.float64))
    for layer in net.layers:
        W = torch.tensor(layer.W, dtype=torch.float64, requires_grad=True)
        b = torch.tensor(layer.b, dtype=torch.float64, requires_grad=True)
        z = a @ W.T + b
        a = torch_sigma(layer.activation.config())(z)
        params += [W, b]
    target = torch.from_numpy(np.asarray(Y, dtype=np.int64 if loss == "cross_entropy"
                                         else np.float64))
    torch_cost(loss, z, a, target).backward()
    return [p.grad.numpy() for p in params]


@settings(max_examples=25)
@given(
    widths=st.lists(st.integers(1, 6), min_size=3, max_size=5),
    data=st.data(),
    loss=st.sampled_from(sorted(LOSSES)),
    m=st.integers(1, 8),
    seed=st.integers(0, 10_000),
)
def test_smooth_networks_pass_within_1e_6(widths, data, loss, m, seed, torch_sigma,
                                          torch_cost):
    hidden = data.draw(st.lists(st.sampled_from(SMOOTH), min_size=len(widths) - 2,
                                max_size=len(widths) - 2))
    net, X, Y = random_problem(widths, hidden, loss, LOSSES[loss], m, seed)
    report = gradcheck(net, X, Y)

    assert report.passed
    assert report.worst <= 1e-6, report.table()
    assert [c.name for c in report.checks] == names(len(widths) - 1)

    # The analytic value shown at the worst entry is torch's gradient there.
    expected_grads = torch_gradients(net, X, Y, loss, torch_sigma, torch_cost)
    for check, expected in zip(report.checks, expected_grads, strict=True):
        assert check.analytic == pytest.approx(expected[check.index], rel=1e-9, abs=1e-15)
        assert check.numeric == pytest.approx(expected[check.index], rel=1e-5, abs=1e-8)


def test_relu_network_gets_ok_verdicts():
    net, X, Y = random_problem([4, 6, 5, 3], ["relu", "leaky_relu"], "cross_entropy",
                               "softmax", 10, seed=0)
    report = gradcheck(net, X, Y)
    assert report.passed
    assert {c.verdict for c in report.checks} <= {"good", "acceptable"}
    assert all(c.checked == np.prod(c.shape) for c in report.checks)


def test_a_broken_derivative_is_reported_wrong(monkeypatch):
    net, X, Y = random_problem([3, 5, 2], ["tanh"], "mse", "identity", 6, seed=1)
    assert gradcheck(net, X, Y).passed

    # sigma' off by a factor of 2 in the hidden layer: delta^(1), so W1 and b1, are wrong.
    monkeypatch.setattr(Tanh, "derivative", lambda self, z, a: 2.0 * (1.0 - a * a))
    report = gradcheck(net, X, Y)

    assert not report.passed
    by_name = {c.name: c for c in report.checks}
    assert by_name["W1"].verdict == "wrong"
    assert by_name["b1"].verdict == "wrong"
    # The output layer does not use the hidden derivative, so it still passes.
    assert by_name["W2"].verdict == "good"
    assert by_name["W1"].analytic == pytest.approx(2 * by_name["W1"].numeric, rel=1e-6)

    table = report.table()
    assert "wrong" in table
    assert table.splitlines()[2].split()[0] == "W1"


def test_table_names_every_array_in_order():
    net, X, Y = random_problem([2, 3, 4, 2], ["tanh", "sigmoid"], "binary_cross_entropy",
                               "sigmoid", 4, seed=2)
    report = gradcheck(net, X, Y)
    rows = report.table().splitlines()[2:]

    assert [row.split()[0] for row in rows] == ["W1", "b1", "W2", "b2", "W3", "b3"]
    assert [row.split()[1] for row in rows] == ["3x2", "3", "4x3", "4", "2x4", "2"]
    assert all(row.split()[-1] == "good" for row in rows)


def test_the_network_is_left_unchanged_and_float32_is_checked_in_float64():
    net, X, Y = random_problem([3, 4, 2], ["softplus"], "sse", "identity", 5, seed=3,
                               dtype="float32")
    before = [p.copy() for p in net.parameters()]
    report = gradcheck(net, X, Y)

    assert all(np.array_equal(p, q) and p.dtype == np.float32
               for p, q in zip(net.parameters(), before, strict=True))
    assert report.worst <= 1e-6


def test_max_per_array_limits_the_entries_checked():
    net, X, Y = random_problem([6, 7, 3], ["tanh"], "mse", "identity", 4, seed=4)
    report = gradcheck(net, X, Y, max_per_array=5)
    assert [c.checked for c in report.checks] == [5, 5, 5, 3]
    assert report.passed


@pytest.mark.parametrize("error, expected", [
    (0.0, "good"), (1e-7, "good"), (2e-7, "acceptable"), (1e-4, "acceptable"),
    (1e-3, "suspect"), (1e-2, "suspect"), (0.05, "wrong"), (np.inf, "wrong"),
])
def test_verdict_bands(error, expected):
    assert verdict(error) == expected


def test_an_empty_report_passes_with_zero_error():
    assert GradcheckReport().passed and GradcheckReport().worst == 0.0
