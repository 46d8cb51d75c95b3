"""The trace holds exactly the engine's numbers, and the check agrees with them."""

from __future__ import annotations

import numpy as np
import pytest

from chainrule.explain import trace

NAMES = ["default", "batch", "softmax", "bce", "wide"]


@pytest.mark.parametrize("name", NAMES)
def test_trace_arrays_are_the_engines(problem, name):
    net, X, Y = problem(name)
    t = trace(net, X, Y, eta=0.3)
    it = t.iterations[0]

    Y = net.encode_targets(Y, X.shape[0])
    fp = net.feed_forward(X)
    delta = net.backward(fp, Y)
    grads = net.parameter_gradients(fp, delta)
    for layer, z, a, d, (gW, gb) in zip(it.layers, fp.z[1:], fp.a[1:], delta[1:], grads):
        np.testing.assert_array_equal(layer.z, z)
        np.testing.assert_array_equal(layer.a, a)
        np.testing.assert_array_equal(layer.delta, d)
        np.testing.assert_array_equal(layer.grad_W, gW)
        np.testing.assert_array_equal(layer.grad_b, gb)
    np.testing.assert_array_equal(it.output.grad_a, net.loss_fn.gradient_a(fp.a[-1], Y))
    assert it.loss_before == net.loss(X, Y)


@pytest.mark.parametrize("name", NAMES)
def test_update_is_the_engines_sgd_step(problem, name):
    net, X, Y = problem(name)
    t = trace(net, X, Y, eta=0.3)

    twin = net.copy()
    twin.sgd_step(X, Y, 0.3)
    for layer, engine in zip(t.iterations[0].layers, twin.layers):
        np.testing.assert_array_equal(layer.W_updated, engine.W)
        np.testing.assert_array_equal(layer.b_updated, engine.b)
        np.testing.assert_allclose(layer.W_updated, layer.W - 0.3 * layer.grad_W, rtol=1e-15)
    assert t.iterations[0].loss_after == twin.loss(X, Y)


@pytest.mark.parametrize("name", NAMES)
def test_step_3_and_4_pieces_multiply_to_delta(problem, name):
    net, X, Y = problem(name)
    it = trace(net, X, Y, eta=0.1).iterations[0]

    for layer in it.layers[:-1]:
        np.testing.assert_allclose(layer.back * layer.sigma_prime, layer.delta, rtol=1e-13)
    top = it.layers[-1]
    np.testing.assert_allclose(it.output.unfused, top.delta, rtol=1e-12, atol=1e-15)
    if top.sigma_prime is not None and not it.output.fused:
        np.testing.assert_array_equal(it.output.grad_a * top.sigma_prime, top.delta)


@pytest.mark.parametrize("name", NAMES)
def test_finite_differences_agree(problem, name):
    net, X, Y = problem(name)
    it = trace(net, X, Y, eta=0.1).iterations[0]

    names = [f"{kind}{l}" for l in range(1, len(net.sizes)) for kind in "Wb"]
    assert [c.name for c in it.checks] == names
    for check in it.checks:
        assert check.verdict in ("good", "acceptable")
        np.testing.assert_allclose(check.numeric, check.analytic, rtol=1e-5, atol=1e-9)


def test_steps_chain_and_leave_the_network_alone(problem):
    net, X, Y = problem("default")
    kept = [p.copy() for p in net.parameters()]
    t = trace(net, X, Y, eta=0.5, steps=3)

    assert len(t.iterations) == 3
    for before, after in zip(t.iterations, t.iterations[1:]):
        assert after.loss_before == before.loss_after
        for old, new in zip(before.layers, after.layers):
            np.testing.assert_array_equal(new.W, old.W_updated)
    for p, q in zip(kept, net.parameters()):
        np.testing.assert_array_equal(p, q)


def test_bad_steps_and_eta_are_refused(problem):
    net, X, Y = problem("default")
    with pytest.raises(ValueError, match="steps"):
        trace(net, X, Y, eta=0.5, steps=0)
    with pytest.raises(ValueError, match="eta"):
        trace(net, X, Y, eta=-1.0)
