"""Matt Mazur's worked example (2015) reproduced from its published weights.

M. Mazur, "A Step by Step Backpropagation Example", 17 March 2015,
https://mattmazur.com/2015/03/17/a-step-by-step-backpropagation-example/

A 2-2-2 sigmoid network, inputs 0.05 and 0.10, targets 0.01 and 0.99, learning rate
0.5, and the error E = Σ ½(target − out)², which is chainrule's ``sse`` for one
sample. Mazur's w1..w8 name the weights i1→h1, i2→h1, i1→h2, i2→h2, h1→o1, h2→o1,
h1→o2, h2→o2; in chainrule's layout row j of W holds the weights entering neuron j,
so W1 = [[w1, w2], [w3, w4]] and W2 = [[w5, w6], [w7, w8]]. He leaves the biases
fixed, so only the weights he updates are compared after the step.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from chainrule.cli.main import main
from chainrule.explain import build_network

ARGS = ["--input", "0.05,0.10", "--target", "0.01,0.99", "--loss", "sse", "--lr", "0.5"]


def _agrees(value: float, published: float, digits: int = 8) -> bool:
    """Whether ``value`` and ``published`` agree to ``digits`` significant digits."""
    scale = 10.0 ** (math.floor(math.log10(abs(published))) - digits + 1)
    return abs(value - published) <= 0.5 * scale


@pytest.fixture
def doc(capsys, mazur_weights):
    assert main(["explain", "--weights", str(mazur_weights), *ARGS, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_forward_pass_and_error(doc):
    hidden, output = doc["layers"]
    published = {
        "net_h1": (hidden["z"][0][0], 0.3775),
        "out_h1": (hidden["a"][0][0], 0.593269992),
        "out_h2": (hidden["a"][0][1], 0.596884378),
        "net_o1": (output["z"][0][0], 1.105905967),
        "out_o1": (output["a"][0][0], 0.75136507),
        "out_o2": (output["a"][0][1], 0.772928465),
        "E_total": (doc["loss_before"], 0.298371109),
    }
    for name, (value, expected) in published.items():
        assert _agrees(value, expected), (name, value, expected)


def test_gradients_and_updated_weights(doc):
    hidden, output = doc["layers"]
    assert _agrees(output["delta"][0][0], 0.138498562)
    assert _agrees(output["grad_W"][0][0], 0.082167041)
    # Published with six significant digits only.
    assert _agrees(hidden["grad_W"][0][0], 0.000438568, digits=6)

    W1, W2 = hidden["W_updated"], output["W_updated"]
    published = {
        "w1": (W1[0][0], 0.149780716), "w2": (W1[0][1], 0.19956143),
        "w3": (W1[1][0], 0.24975114), "w4": (W1[1][1], 0.29950229),
        "w5": (W2[0][0], 0.35891648), "w6": (W2[0][1], 0.408666186),
        "w7": (W2[1][0], 0.511301270), "w8": (W2[1][1], 0.561370121),
    }
    for name, (value, expected) in published.items():
        assert _agrees(value, expected), (name, value, expected)


def test_error_after_the_update_with_biases_kept(doc):
    # Mazur keeps b1, b2 and reports 0.291027924 after the step, from intermediates he
    # rounded to nine digits; exact arithmetic agrees with it to six.
    params = [(np.array(layer["W_updated"]), np.array(layer["b"])) for layer in doc["layers"]]
    net = build_network(params=params, loss="sse")
    after = net.loss(np.array([[0.05, 0.10]]), np.array([[0.01, 0.99]]))
    assert _agrees(after, 0.291027924, digits=6)


def test_terminal_shows_the_published_numbers(capsys, mazur_weights):
    main(["explain", "--weights", str(mazur_weights), *ARGS, "--digits", "9"])
    text = capsys.readouterr().out
    for number in ("0.593269992", "0.75136507", "0.138498562", "0.35891648", "0.149780716"):
        assert number in text
