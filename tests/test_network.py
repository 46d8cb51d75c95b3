"""The Network: its shapes, one derivation step against torch, its bookkeeping, float32.

* ``feed_forward`` keeps ``z[l]`` and ``a[l]`` indexed like the derivation, with the
  documented shapes; ``W`` is ``(n_out, n_in)``;
* ``sgd_step`` is one ``torch.optim.SGD`` step on the torch twin of the network and
  returns the loss before the update;
* ``predict`` / ``predict_proba`` give labels and probabilities in scikit-learn's form;
* ``copy`` and ``config`` round trips keep everything and share nothing;
* a float32 network keeps float32 end to end: z, a, delta, gradients, parameters.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from chainrule import Network
from chainrule.activations import ACTIVATIONS
from chainrule.losses import LOSSES


def data(m: int, n_in: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(m, n_in))


def test_feed_forward_is_indexed_like_the_derivation():
    net = Network([5, 7, 3, 2], activation=["tanh", "relu"], seed=0, dtype="float64")
    X = data(4, 5)
    fp = net.feed_forward(X)

    assert fp.z[0] is None
    np.testing.assert_array_equal(fp.a[0], X)
    assert [z.shape for z in fp.z[1:]] == [(4, 7), (4, 3), (4, 2)]
    assert [a.shape for a in fp.a[1:]] == [(4, 7), (4, 3), (4, 2)]
    assert [layer.W.shape for layer in net.layers] == [(7, 5), (3, 7), (2, 3)]
    assert net.activations == ["tanh", "relu", "identity"]

    # z^(1) = W^(1) a^(0) + b^(1) for one sample, written out with explicit sums.
    W, b = net.layers[0].W, net.layers[0].b
    z_1 = [sum(W[j, i] * X[2, i] for i in range(5)) + b[j] for j in range(7)]
    np.testing.assert_allclose(fp.z[1][2], z_1, rtol=1e-14)
    np.testing.assert_array_equal(fp.a[1], np.tanh(fp.z[1]))


def test_backward_returns_delta_indexed_like_the_derivation():
    net = Network([3, 4, 2], activation="sigmoid", seed=1, dtype="float64")
    X, Y = data(5, 3), data(5, 2, seed=1)
    delta = net.backward(net.feed_forward(X), Y)
    assert delta[0] is None
    assert [d.shape for d in delta[1:]] == [(5, 4), (5, 2)]


def test_a_single_sample_may_be_one_dimensional():
    net = Network([3, 4, 2], activation="tanh", seed=2, dtype="float64")
    x = data(1, 3)
    np.testing.assert_array_equal(net.forward(x[0]), net.forward(x))
    assert net.forward(x[0]).shape == (1, 2)


@pytest.mark.parametrize("loss", sorted(LOSSES))
def test_sgd_step_is_one_torch_sgd_step(loss, torch_sigma, torch_cost, rel_error):
    net = Network([4, 6, 3], activation="tanh", loss=loss, seed=3, dtype="float64")
    rng = np.random.default_rng(3)
    X = rng.normal(size=(8, 4))
    Y = rng.integers(0, 3, size=8) if loss == "cross_entropy" else rng.uniform(size=(8, 3))

    params = [torch.tensor(p, requires_grad=True) for p in net.parameters()]
    a = torch.from_numpy(X)
    for l, layer in enumerate(net.layers):
        z = a @ params[2 * l].T + params[2 * l + 1]
        a = torch_sigma(layer.activation.config())(z)
    target = torch.from_numpy(Y)
    cost = torch_cost(loss, z, a, target)
    cost.backward()
    torch.optim.SGD(params, lr=0.5).step()

    loss_before = net.sgd_step(X, Y, eta=0.5)
    assert rel_error(loss_before, cost.item()) <= 1e-12
    for ours, theirs in zip(net.parameters(), params, strict=True):
        assert rel_error(ours, theirs.detach().numpy()) <= 1e-12


def test_predict_and_predict_proba_for_cross_entropy():
    net = Network([3, 5, 4], activation="tanh", loss="cross_entropy", seed=4, dtype="float64")
    X = data(6, 3)
    probabilities = net.predict_proba(X)

    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-15)
    np.testing.assert_array_equal(net.predict(X), np.argmax(probabilities, axis=1))
    z_L = net.feed_forward(X).z[-1]
    expected = torch.softmax(torch.from_numpy(z_L), dim=1).numpy()
    np.testing.assert_allclose(probabilities, expected, rtol=1e-14)


def test_a_single_sigmoid_output_gives_two_columns():
    net = Network([3, 4, 1], activation="tanh", loss="binary_cross_entropy", seed=5,
                  dtype="float64")
    X = data(7, 3)
    p = net.forward(X)[:, 0]
    np.testing.assert_array_equal(net.predict_proba(X), np.column_stack([1 - p, p]))
    np.testing.assert_array_equal(net.predict(X), (p > 0.5).astype(int))
    assert net.predict(X).shape == (7,)


def test_multi_output_binary_cross_entropy_predicts_a_0_1_matrix():
    net = Network([3, 4, 3], activation="tanh", loss="binary_cross_entropy", seed=6)
    X = data(5, 3)
    np.testing.assert_array_equal(net.predict(X), (net.forward(X) > 0.5).astype(int))


def test_regression_predicts_outputs_and_has_no_probabilities():
    net = Network([3, 4, 1], activation="relu", loss="mse", seed=7, dtype="float64")
    X = data(5, 3)
    np.testing.assert_array_equal(net.predict(X), net.forward(X)[:, 0])
    with pytest.raises(TypeError, match="classification loss"):
        net.predict_proba(X)


def test_copy_is_independent_and_converts_dtype():
    net = Network([3, 5, 2], activation="leaky_relu", seed=8, dtype="float64")
    twin = net.copy()
    twin.layers[0].W[0, 0] += 1.0
    assert twin.layers[0].W[0, 0] != net.layers[0].W[0, 0]

    single = net.copy(dtype="float32")
    assert all(p.dtype == np.float32 for p in single.parameters())
    np.testing.assert_array_equal(single.layers[1].W, net.layers[1].W.astype(np.float32))


def test_config_round_trip_keeps_the_architecture():
    net = Network([4, 6, 5, 3], activation=[{"name": "leaky_relu", "alpha": 0.2}, "elu"],
                  loss="cross_entropy", init="he_uniform", seed=9, dtype="float64")
    rebuilt = Network.from_config(net.config())

    assert rebuilt.config() == net.config()
    assert rebuilt.layers[0].activation.alpha == 0.2
    # The same seed in the config rebuilds the same initial weights.
    for p, q in zip(rebuilt.parameters(), net.parameters(), strict=True):
        np.testing.assert_array_equal(p, q)


def test_a_network_without_hidden_layers():
    net = Network([3, 2], loss="cross_entropy", seed=10, dtype="float64")
    assert net.activations == ["softmax"]
    rebuilt = Network.from_config(net.config())
    assert rebuilt.activations == ["softmax"]
    assert len(net.gradients(data(4, 3), [0, 1, 1, 0])) == 1


@pytest.mark.parametrize("loss, default", [("mse", "identity"), ("sse", "identity"),
                                           ("cross_entropy", "softmax"),
                                           ("binary_cross_entropy", "sigmoid")])
def test_the_loss_chooses_the_output_activation(loss, default):
    assert Network([2, 3, 2], loss=loss).activations[-1] == default


def test_parameters_are_the_arrays_themselves():
    net = Network([2, 3, 1], seed=11, dtype="float64")
    net.parameters()[0][0, 0] = 42.0
    assert net.layers[0].W[0, 0] == 42.0
    assert len(net.parameters()) == 4


def test_repr_names_the_shape():
    net = Network([2, 3, 1], activation="tanh")
    assert "2-3-1" in repr(net) and "tanh" in repr(net)


# ----------------------------------------------------------------- float32 end to end


@pytest.mark.parametrize("loss", sorted(LOSSES))
def test_float32_end_to_end(loss):
    hidden = sorted(ACTIVATIONS)
    net = Network([3] + [4] * len(hidden) + [2], activation=hidden, loss=loss, seed=12,
                  dtype="float32")
    rng = np.random.default_rng(12)
    X = rng.normal(size=(10, 3))                  # float64 input is converted
    y = rng.integers(0, 2, size=10) if net.loss_fn.classification else rng.normal(size=10)
    Y = y if loss == "cross_entropy" else np.column_stack([y, y])

    fp = net.feed_forward(X)
    delta = net.backward(fp, net.encode_targets(Y))
    grads = net.gradients(X, Y)
    assert all(z.dtype == np.float32 for z in fp.z[1:])
    assert all(a.dtype == np.float32 for a in fp.a)
    assert all(d.dtype == np.float32 for d in delta[1:])
    assert all(g.dtype == np.float32 for pair in grads for g in pair)

    for optimizer in ("sgd", "nesterov", "rmsprop", "adam", "adamw"):
        net.fit(X, Y, epochs=2, batch_size=4, optimizer=optimizer, weight_decay=0.01)
        assert all(p.dtype == np.float32 for p in net.parameters())
    assert net.forward(X).dtype == np.float32
