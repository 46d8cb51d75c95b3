"""Learning-rate schedules against ``torch.optim.lr_scheduler``, epoch by epoch.

``step``, ``exponential`` and ``cosine`` must give the rate torch's ``StepLR``,
``ExponentialLR`` and ``CosineAnnealingLR`` give at every epoch of training; the
training loop must use that rate, as ``History.lr`` records.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from chainrule import Network
from chainrule.schedules import Schedule, get_schedule

ETA0 = 0.3


def torch_rates(make_scheduler, epochs: int, eta0: float = ETA0) -> list[float]:
    """The rate torch's scheduler sets for each epoch ``0 .. epochs - 1``."""
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=eta0)
    scheduler = make_scheduler(optimizer)
    rates = []
    for _ in range(epochs):
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return rates


@pytest.mark.parametrize("step_size, gamma", [(1, 0.5), (3, 0.1), (4, 0.9)])
def test_step_matches_torch_step_lr(step_size, gamma):
    schedule = get_schedule({"kind": "step", "step_size": step_size, "gamma": gamma})
    expected = torch_rates(
        lambda opt: torch.optim.lr_scheduler.StepLR(opt, step_size=step_size, gamma=gamma), 15)
    np.testing.assert_allclose([schedule(ETA0, e) for e in range(15)], expected, rtol=1e-12)


@pytest.mark.parametrize("T_max, eta_min", [(10, 0.0), (7, 0.01), (1, 0.05)])
def test_cosine_matches_torch_cosine_annealing(T_max, eta_min):
    schedule = get_schedule({"kind": "cosine", "T_max": T_max, "eta_min": eta_min})
    expected = torch_rates(
        lambda opt: torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max, eta_min), T_max + 1)
    got = [schedule(ETA0, e) for e in range(T_max + 1)]
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)
    assert got[0] == ETA0 and got[-1] == pytest.approx(eta_min, abs=1e-15)


def test_cosine_rests_at_eta_min_after_T_max():
    # Torch's scheduler would climb back up; chainrule anneals once and stays down.
    schedule = get_schedule({"kind": "cosine", "T_max": 5, "eta_min": 0.01})
    assert [schedule(ETA0, e) for e in (5, 6, 50)] == [pytest.approx(0.01, abs=1e-15)] * 3


def test_exponential_matches_torch_exponential_lr():
    schedule = get_schedule({"kind": "exponential", "gamma": 0.8})
    expected = torch_rates(lambda opt: torch.optim.lr_scheduler.ExponentialLR(opt, 0.8), 12)
    np.testing.assert_allclose([schedule(ETA0, e) for e in range(12)], expected, rtol=1e-12)


def test_constant_and_none():
    for spec in (None, "constant", Schedule()):
        assert [get_schedule(spec)(ETA0, e) for e in range(5)] == [ETA0] * 5


def test_cosine_without_T_max_runs_over_the_epochs():
    schedule = get_schedule("cosine", epochs=8)
    assert schedule.T_max == 8
    assert schedule(ETA0, 4) == pytest.approx(ETA0 / 2, rel=1e-15)


@pytest.mark.parametrize("spec, words", [
    ("warmup", "schedule must be one of"),
    ({"kind": "step", "step_size": 0}, "step_size must be >= 1"),
    ({"kind": "step", "gamma": 0.0}, "gamma must be > 0"),
])
def test_bad_schedules(spec, words):
    with pytest.raises(ValueError, match=words) as caught:
        get_schedule(spec)
    if spec == "warmup":
        for kind in ("constant", "step", "exponential", "cosine"):
            assert kind in str(caught.value)


def test_training_uses_the_scheduled_rate_each_epoch():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 3)), rng.normal(size=20)
    net = Network([3, 4, 1], activation="tanh", seed=0, dtype="float64")
    history = net.fit(X, y, epochs=7, lr=0.2, optimizer="momentum",
                      schedule={"kind": "step", "step_size": 2, "gamma": 0.5})

    expected = torch_rates(
        lambda opt: torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5), 7, eta0=0.2)
    np.testing.assert_allclose(history.lr, expected, rtol=1e-12)
