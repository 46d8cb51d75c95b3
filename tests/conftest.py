"""Shared pieces of the engine tests: the hypothesis profile, an error metric, torch oracles.

Every exactness test compares chainrule with an independent oracle, PyTorch autograd
or central finite differences, in float64; nothing here is computed by chainrule.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

# Property tests choose their own max_examples; none may time out on a slow machine.
settings.register_profile(
    "chainrule",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("chainrule")

# Below this, a reference array is treated as all zeros and the error as absolute.
TINY = 1e-300


def relative_error(actual, expected) -> float:
    """``max|actual - expected| / max|expected|``, one number for a whole array.

    Scaling by the largest reference entry, not entry by entry, keeps entries
    that are zero up to rounding from dominating the error.
    """
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    assert actual.shape == expected.shape, (actual.shape, expected.shape)

    scale = max(float(np.max(np.abs(expected), initial=0.0)), TINY)
    return float(np.max(np.abs(actual - expected), initial=0.0)) / scale


def _torch_activations() -> dict:
    import torch
    import torch.nn.functional as F

    return {
        "identity": lambda z, **_: z,
        "sigmoid": lambda z, **_: torch.sigmoid(z),
        "tanh": lambda z, **_: torch.tanh(z),
        "relu": lambda z, **_: torch.relu(z),
        "leaky_relu": lambda z, alpha=0.01: F.leaky_relu(z, negative_slope=alpha),
        "elu": lambda z, alpha=1.0: F.elu(z, alpha=alpha),
        "softplus": lambda z, **_: F.softplus(z),
        "softmax": lambda z, **_: torch.softmax(z, dim=-1),
    }


def torch_activation(config: dict):
    """The PyTorch function for an activation config such as ``{"name": "elu", "alpha": 1}``."""
    options = dict(config)
    function = _torch_activations()[options.pop("name")]
    return lambda z: function(z, **options)


def torch_loss(name: str, z, a, Y):
    """The mean loss ``name`` in torch, from logits ``z`` or outputs ``a`` ``(m, N)``.

    mse: mean over samples and outputs; sse: half the sum, over ``m``;
    cross_entropy: ``F.cross_entropy`` on the logits; binary_cross_entropy:
    ``F.binary_cross_entropy_with_logits``, the mean over every element.
    """
    import torch.nn.functional as F

    if name == "mse":
        return F.mse_loss(a, Y, reduction="mean")
    if name == "sse":
        return 0.5 * ((a - Y) ** 2).sum() / a.shape[0]
    if name == "cross_entropy":
        return F.cross_entropy(z, Y, reduction="mean")
    if name == "binary_cross_entropy":
        return F.binary_cross_entropy_with_logits(z, Y, reduction="mean")
    raise KeyError(name)


@pytest.fixture(scope="session")
def rel_error():
    """:func:`relative_error`, as a fixture so that test modules need not import conftest."""
    return relative_error


@pytest.fixture(scope="session")
def torch_sigma():
    """:func:`torch_activation`: config dict -> torch callable."""
    return torch_activation


@pytest.fixture(scope="session")
def torch_cost():
    """:func:`torch_loss`: ``(name, z, a, Y) -> torch scalar``."""
    return torch_loss
