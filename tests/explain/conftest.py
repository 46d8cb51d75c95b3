"""Shared pieces of the ``chainrule explain`` tests: problems, engine numbers, parsing.

``engine_numbers`` asks the engine itself (feed_forward, backward,
parameter_gradients, gradient_a, derivative, sgd_step, loss) for every number an
iteration involves, independently of :mod:`chainrule.explain`, so a test can check
that whatever explain prints is one of them.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from chainrule.explain import build_network, make_sample

HERE = Path(__file__).parent

# A handful of problems that between them reach every branch of the renderers.
PROBLEMS = {
    "default": {"sizes": [2, 3, 2], "activation": "sigmoid", "loss": "mse"},
    "batch": {"sizes": [3, 4, 2, 2], "activation": "tanh", "loss": "sse",
              "inputs": [[0.1, -0.2, 0.3], [0.5, 0.4, -0.6]],
              "targets": [[0.2, 0.7], [0.9, 0.1]]},
    "softmax": {"sizes": [2, 3, 3], "activation": "relu", "loss": "cross_entropy",
                "inputs": [[0.3, 0.8]], "targets": [[2]]},
    "bce": {"sizes": [2, 2, 1], "activation": "softplus", "loss": "binary_cross_entropy"},
    "wide": {"sizes": [9, 10, 3], "activation": "sigmoid", "loss": "mse"},
}


def make_problem(name: str, seed: int = 3):
    """``(net, X, Y)`` of one of :data:`PROBLEMS`, float64, seeded."""
    spec = dict(PROBLEMS[name])
    inputs, targets = spec.pop("inputs", None), spec.pop("targets", None)
    net = build_network(spec["sizes"], spec["activation"], loss=spec["loss"], seed=seed)
    X, Y = make_sample(net, inputs, targets, seed=seed)
    return net, X, Y


def engine_numbers(net, X, Y, eta: float) -> list[float]:
    """Every number of one iteration, straight from the engine's public functions."""
    net = net.copy(dtype="float64")
    Y = net.encode_targets(Y, X.shape[0])
    fp = net.feed_forward(X)
    delta = net.backward(fp, Y)
    grads = net.parameter_gradients(fp, delta)

    arrays = [X, Y, np.array([eta, net.loss(X, Y)])]
    arrays += fp.z[1:] + fp.a[1:] + delta[1:]
    arrays += [g for pair in grads for g in pair] + [p.copy() for p in net.parameters()]
    arrays.append(net.loss_fn.gradient_a(fp.a[-1], Y))
    for l, layer in enumerate(net.layers, start=1):
        if layer.activation.elementwise:
            arrays.append(layer.activation.derivative(fp.z[l], fp.a[l]))
        if l < len(net.layers):
            arrays.append(delta[l + 1] @ net.layers[l].W)
    top = net.layers[-1].activation
    arrays.append(top.backprop(fp.z[-1], fp.a[-1], net.loss_fn.gradient_a(fp.a[-1], Y)))

    net.sgd_step(X, Y, eta)
    arrays += net.parameters() + [np.array([net.loss(X, Y)])]
    return [float(v) for array in arrays for v in np.ravel(array)]


_NUMBER = re.compile(r"(?<![\w.])-?[0-9]+(?:\.[0-9]+)?(?:e[-+][0-9]+)?")
_LATEX_POWER = re.compile(r"(-?[0-9.]+) \\times 10\^\{(-?[0-9]+)\}")
_LATEX_INDEX = re.compile(r"_\{[0-9,]+\}|\^\{\([0-9]+\)\}|\^\{?[0-9]\}?")


def numbers_in(text: str, latex: bool = False) -> list[str]:
    """Every number written in ``text``; for LaTeX, indices dropped and powers undone."""
    if latex:
        text = _LATEX_POWER.sub(lambda m: f"{m[1]}e{int(m[2]):+03d}", text)
        text = _LATEX_INDEX.sub("", text)
    return _NUMBER.findall(text)


@pytest.fixture
def problem():
    """:func:`make_problem` as a fixture."""
    return make_problem


@pytest.fixture
def engine():
    """:func:`engine_numbers` as a fixture."""
    return engine_numbers


@pytest.fixture
def numbers():
    """:func:`numbers_in` as a fixture."""
    return numbers_in


@pytest.fixture
def mazur_weights() -> Path:
    """The weights of Mazur's 2015 worked example, in ``--weights`` layout."""
    return HERE / "mazur_2015.json"
