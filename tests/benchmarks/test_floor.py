"""The benchmark's reference rows compute what they claim to.

The numpy floor (``benchmarks/floor.py``) is only a fair reference if it does the same
arithmetic as chainrule: after one unshuffled epoch from the same initial weights, both
must hold the same weights. The torch.matmul row must run the same products.
"""

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import blas_bound
import floor
import report
from chainrule_runner import initial_parameters
from workloads import make_data, resolve

import chainrule


@pytest.mark.parametrize("key", ["a-sgd", "a-adam", "b", "c"])
def test_the_floor_trains_exactly_like_chainrule(key):
    w = resolve(key, quick=True, repeats=1)
    X, y = make_data(w, n=1000)
    init = initial_parameters(w)

    layers = floor.train_session(w, init, X, y, shuffle=False)()
    net = chainrule.Network(list(w.sizes), activation=w.activation, loss="cross_entropy",
                            dtype="float32")
    for layer, (W, b) in zip(net.layers, init, strict=True):
        layer.W, layer.b = W, b
    chainrule.fit(net, X, y, epochs=1, batch_size=w.batch_size, optimizer=w.optimizer,
                  lr=w.lr, shuffle=False)

    for layer, (WT, b) in zip(net.layers, layers, strict=True):
        np.testing.assert_allclose(WT, layer.W.T, rtol=0, atol=1e-5 * np.abs(WT).max())
        np.testing.assert_allclose(b, layer.b, rtol=0, atol=1e-5 * max(np.abs(b).max(), 1))
    assert not np.allclose(layers[0][0], init[0][0].T)  # it did train


def test_the_torch_row_times_the_same_products():
    w = resolve("b", quick=True, repeats=1)

    numpy_run, torch_run = blas_bound.measure(w), blas_bound.measure(w, "torch")

    assert numpy_run["gemms"] == torch_run["gemms"]
    assert len(torch_run["seconds"]) == 1 and torch_run["seconds"][0] > 0


def test_the_floor_ceiling_is_the_peer_time_over_the_floor_time():
    summary = {"engines": {"pytorch": {"median_s": 3.0}},
               "references": {"floor": {"median_s": 2.0}}}

    assert report._floor_ceiling(summary, "vs_pytorch") == 1.5
    assert report._floor_ceiling(summary, "vs_sklearn") is None
