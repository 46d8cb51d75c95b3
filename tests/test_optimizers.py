"""Optimizers against ``torch.optim``: forty steps from the same start, in float64.

Both sides start from the same parameter arrays and receive the same sequence of
gradients; after every step the parameters must agree to 1e-12 relative error,
for each optimizer with and without weight decay. Then: state round trips, the
step count, float32, and the documented option checks.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import chainrule.optimizers
from chainrule.optimizers import OPTIMIZERS, get_optimizer

STEPS = 40  # past the first flush of subnormal state entries, at step 32
SHAPES = [(4, 3), (4,), (2, 4), (2,)]
LR = {"sgd": 0.1, "momentum": 0.05, "nesterov": 0.05, "rmsprop": 0.01, "adam": 0.01,
      "adamw": 0.01}


def torch_optimizer(name: str, params: list, lr: float, weight_decay: float):
    """The ``torch.optim`` counterpart of chainrule's ``name``, with torch's defaults."""
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, weight_decay=weight_decay)
    if name == "momentum":
        return torch.optim.SGD(params, lr=lr, momentum=0.9, weight_decay=weight_decay)
    if name == "nesterov":
        return torch.optim.SGD(params, lr=lr, momentum=0.9, nesterov=True,
                               weight_decay=weight_decay)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, weight_decay=weight_decay)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, weight_decay=weight_decay)
    if name == "adamw":
        return torch.optim.AdamW(params, lr=lr, weight_decay=weight_decay)
    raise KeyError(name)


def start_and_gradients(seed: int = 0) -> tuple[list, list]:
    """Random starting arrays, and ``STEPS`` lists of random gradients for them."""
    rng = np.random.default_rng(seed)
    start = [rng.normal(size=shape) for shape in SHAPES]
    grads = [[rng.normal(size=shape) for shape in SHAPES] for _ in range(STEPS)]
    return start, grads


def all_equal(arrays, others) -> bool:
    """Whether two lists of arrays are equal, entry for entry and bit for bit."""
    return all(np.array_equal(p, q) for p, q in zip(arrays, others, strict=True))


def test_every_optimizer_has_a_torch_twin():
    assert set(OPTIMIZERS) == set(LR)


@pytest.mark.parametrize("weight_decay", [0.0, 0.1])
@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_forty_steps_equal_torch(name, weight_decay, rel_error):
    start, grads = start_and_gradients()
    params = [p.copy() for p in start]
    ours = get_optimizer(name, lr=LR[name], weight_decay=weight_decay)

    tensors = [torch.tensor(p, requires_grad=True) for p in start]
    theirs = torch_optimizer(name, tensors, LR[name], weight_decay)

    for step, g in enumerate(grads, start=1):
        ours.step(params, g)
        for tensor, g_i in zip(tensors, g, strict=True):
            tensor.grad = torch.from_numpy(g_i.copy())
        theirs.step()

        for i, (p, tensor) in enumerate(zip(params, tensors, strict=True)):
            error = rel_error(p, tensor.detach().numpy())
            assert error <= 1e-12, f"step {step}, array {i}: relative error {error:.3e}"
    assert ours.t == STEPS
    # The parameters moved: the comparison above was not of two unchanged starts.
    assert not np.allclose(params[0], start[0])


def test_adamw_default_weight_decay_is_torchs(rel_error):
    start, grads = start_and_gradients(seed=1)
    params = [p.copy() for p in start]
    ours = get_optimizer("adamw", lr=0.01)
    tensors = [torch.tensor(p, requires_grad=True) for p in start]
    theirs = torch.optim.AdamW(tensors, lr=0.01)

    for g in grads:
        ours.step(params, g)
        for tensor, g_i in zip(tensors, g, strict=True):
            tensor.grad = torch.from_numpy(g_i.copy())
        theirs.step()
    for p, tensor in zip(params, tensors, strict=True):
        assert rel_error(p, tensor.detach().numpy()) <= 1e-12


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_state_round_trip_continues_exactly(name):
    start, grads = start_and_gradients(seed=2)
    straight = [p.copy() for p in start]
    optimizer = get_optimizer(name, lr=LR[name], weight_decay=0.01)
    for g in grads:
        optimizer.step(straight, g)

    resumed = [p.copy() for p in start]
    first = get_optimizer(name, lr=LR[name], weight_decay=0.01)
    for g in grads[:4]:
        first.step(resumed, g)
    second = get_optimizer(name, lr=LR[name], weight_decay=0.01)
    second.load_state_dict(first.state_dict())
    for g in grads[4:]:
        second.step(resumed, g)

    assert all_equal(straight, resumed)


@pytest.mark.parametrize("name", ["momentum", "rmsprop", "adam"])
def test_state_dict_is_a_snapshot(name):
    # A checkpoint kept in memory must not follow the optimizer's later steps.
    start, grads = start_and_gradients(seed=3)
    optimizer = get_optimizer(name, lr=LR[name])
    optimizer.step(start, grads[0])
    saved = optimizer.state_dict()
    before = {k: [x.copy() for x in v] for k, v in saved["state"].items()}

    optimizer.step(start, grads[1])
    for key, arrays in before.items():
        assert all_equal(saved["state"][key], arrays)
    assert saved["t"] == 1


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_float32_parameters_stay_float32(name):
    params = [np.ones((3, 2), dtype=np.float32), np.zeros(3, dtype=np.float32)]
    optimizer = get_optimizer(name, lr=0.01, weight_decay=0.1)
    for _ in range(3):
        optimizer.step(params, [np.full_like(p, 0.5) for p in params])
    assert all(p.dtype == np.float32 for p in params)
    assert all(p.dtype == np.float32 for arrays in optimizer.state.values() for p in arrays)


@pytest.mark.parametrize("name, default", [("sgd", 0.1), ("adam", 0.001), ("rmsprop", 0.01)])
def test_default_learning_rates(name, default):
    assert get_optimizer(name).lr == default


@pytest.mark.parametrize("options, words", [
    ({"lr": 0.0}, "lr must be a positive"),
    ({"lr": -1.0}, "lr must be a positive"),
    ({"weight_decay": -0.1}, "weight_decay must be >= 0"),
])
def test_bad_common_options(options, words):
    with pytest.raises(ValueError, match=words):
        get_optimizer("adam", **options)


def test_bad_optimizer_specific_options():
    with pytest.raises(ValueError, match=r"momentum must be in \[0, 1\)"):
        get_optimizer("sgd", momentum=1.0)
    with pytest.raises(ValueError, match="nesterov=True needs a momentum"):
        get_optimizer("sgd", nesterov=True)
    with pytest.raises(ValueError, match="beta2"):
        get_optimizer("adam", beta2=1.0)
    with pytest.raises(TypeError):
        get_optimizer("rmsprop", momentum=0.9)


def test_an_optimizer_instance_passes_through():
    optimizer = get_optimizer("adam", lr=0.5)
    assert get_optimizer(optimizer) is optimizer


def subnormal_count(optimizer) -> int:
    tiny = np.finfo(np.float32).tiny
    return sum(int(np.count_nonzero((x != 0) & (np.abs(x) < tiny)))
               for arrays in optimizer.state.values() for x in arrays)


def train_with_dead_entries(name: str, steps: int = 900, **options):
    """float32 steps where half the entries stop getting gradient after the first.

    Their state decays by 0.9 a step: below 2^-100 after about 640 steps, subnormal
    (unless flushed) after about 820, and only after about 970 exactly 0 by itself.
    """
    rng = np.random.default_rng(3)
    theta = [rng.normal(size=64).astype(np.float32)]
    optimizer = get_optimizer(name, lr=0.01, **options)
    dead = np.arange(64) % 2 == 0
    for t in range(steps):
        g = rng.normal(size=64).astype(np.float32)
        if t > 0:
            g[dead] = 0
        optimizer.step(theta, [g])
    return optimizer, dead


@pytest.mark.parametrize(("name", "options"), [
    ("adam", {}), ("adamw", {}), ("momentum", {}), ("rmsprop", {"alpha": 0.9})])
def test_state_of_entries_without_gradient_is_flushed_not_left_subnormal(name, options):
    optimizer, dead = train_with_dead_entries(name, **options)

    assert subnormal_count(optimizer) == 0
    decayed = "m" if name.startswith("adam") else next(iter(optimizer.state))
    assert np.all(optimizer.state[decayed][0][dead] == 0)
    assert np.all(optimizer.state[decayed][0][~dead] != 0)


def test_without_the_flush_the_state_would_go_subnormal(monkeypatch):
    monkeypatch.setattr(chainrule.optimizers, "FLUSH_EVERY", 10**9)

    optimizer, _ = train_with_dead_entries("adam")

    assert subnormal_count(optimizer) > 0
