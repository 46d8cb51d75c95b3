"""``--format json`` against PyTorch autograd in float64, an oracle that shares no code.

For each problem the network is rebuilt in torch from the JSON's own ``W`` and
``b``; autograd then gives ``z``, ``a``, ``delta = ∂C/∂z`` (via ``retain_grad``),
``grad_W`` and ``grad_b``, and the update and the loss after it follow.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from chainrule.cli.main import main

SIGMA = {
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "softplus": F.softplus,
    "identity": lambda z: z,
    "softmax": lambda z: torch.softmax(z, dim=-1),
}

CASES = [
    ["--layers", "2-3-2", "--loss", "mse"],
    ["--layers", "3-4-3-2", "--activation", "tanh", "--loss", "sse",
     "--input", "0.1,0.2,0.3;-0.4,0.5,0.6;0.7,-0.8,0.9", "--target", "0.1,0.9;0.5,0.5;1,0"],
    ["--layers", "2-5-3", "--activation", "relu", "--loss", "cross_entropy",
     "--input", "0.3,-0.7;0.9,0.2", "--target", "2;0"],
    ["--layers", "2-3-1", "--activation", "softplus", "--loss", "binary_cross_entropy",
     "--input", "0.5,0.1;0.2,0.8", "--target", "1;0"],
    ["--layers", "4-3-3", "--activation", "sigmoid", "--output-activation", "softmax",
     "--loss", "mse", "--seed", "5"],
]


def _torch_loss(name: str, z, a, y):
    if name == "mse":
        return ((a - y) ** 2).mean()
    if name == "sse":
        return 0.5 * ((a - y) ** 2).sum() / a.shape[0]
    if name == "cross_entropy":
        return -(y * torch.log_softmax(z, dim=-1)).sum(dim=-1).mean()
    return F.binary_cross_entropy_with_logits(z, y)


def _torch_iteration(doc: dict, params: list) -> tuple:
    x = torch.tensor(doc["x"], dtype=torch.float64)
    y = torch.tensor(doc["y"], dtype=torch.float64)
    a, zs, As = x, [], []
    for (W, b), name in zip(params, doc["network"]["activations"]):
        z = a @ W.T + b
        z.retain_grad()
        a = SIGMA[name](z)
        zs.append(z)
        As.append(a)
    loss = _torch_loss(doc["network"]["loss"], zs[-1], a, y)
    loss.backward()
    return loss, zs, As


def _run(capsys, args) -> dict:
    assert main(["explain", "--format", "json", *args]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("args", CASES, ids=lambda a: a[1] + "-" + a[a.index("--loss") + 1])
def test_json_equals_torch_autograd(capsys, args):
    doc = _run(capsys, args)
    params = [
        (torch.tensor(layer["W"], dtype=torch.float64, requires_grad=True),
         torch.tensor(layer["b"], dtype=torch.float64, requires_grad=True))
        for layer in doc["layers"]
    ]
    loss, zs, As = _torch_iteration(doc, params)

    close = {"rtol": 1e-10, "atol": 1e-13}
    assert doc["loss_before"] == pytest.approx(loss.item(), rel=1e-12)
    for layer, (W, b), z, a in zip(doc["layers"], params, zs, As):
        np.testing.assert_allclose(layer["z"], z.detach().numpy(), **close)
        np.testing.assert_allclose(layer["a"], a.detach().numpy(), **close)
        np.testing.assert_allclose(layer["delta"], z.grad.numpy(), **close)
        np.testing.assert_allclose(layer["grad_W"], W.grad.numpy(), **close)
        np.testing.assert_allclose(layer["grad_b"], b.grad.numpy(), **close)
        W_new = (W - doc["eta"] * W.grad).detach().numpy()
        b_new = (b - doc["eta"] * b.grad).detach().numpy()
        np.testing.assert_allclose(layer["W_updated"], W_new, **close)
        np.testing.assert_allclose(layer["b_updated"], b_new, **close)

    updated = [
        (torch.tensor(layer["W_updated"], dtype=torch.float64, requires_grad=True),
         torch.tensor(layer["b_updated"], dtype=torch.float64, requires_grad=True))
        for layer in doc["layers"]
    ]
    after, _, _ = _torch_iteration(doc, updated)
    assert doc["loss_after"] == pytest.approx(after.item(), rel=1e-12)


def test_json_is_complete_and_unelided(capsys):
    doc = _run(capsys, ["--layers", "12-9-3", "--max-shown", "2", "--steps", "2"])

    for key in ("loss_before", "loss_after", "loss_final", "layers", "iterations", "check"):
        assert key in doc
    sizes = doc["network"]["sizes"]
    for layer, n_in, n_out in zip(doc["layers"], sizes, sizes[1:]):
        for key in ("z", "a", "delta"):
            assert np.shape(layer[key]) == (1, n_out)
        for key in ("W", "grad_W", "W_updated"):
            assert np.shape(layer[key]) == (n_out, n_in)
        for key in ("b", "grad_b", "b_updated"):
            assert np.shape(layer[key]) == (n_out,)
    assert len(doc["iterations"]) == 2
    assert doc["iterations"][0]["layers"] == doc["layers"]
    assert doc["loss_final"] == doc["iterations"][1]["loss_after"]
    assert doc["iterations"][1]["loss_before"] == doc["loss_after"]
