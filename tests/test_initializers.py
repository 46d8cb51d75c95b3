"""Initial weights: their spread matches each formula, and a seed reproduces them.

The empirical variance of a large ``W`` is compared with the formula of its docstring
(Xavier ``2 / (n_in + n_out)``, He ``2 / n_in``) and with PyTorch's own initializer
of the same name, so a wrong fan or a swapped ``(n_out, n_in)`` shows.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from chainrule import Network
from chainrule.initializers import INITIALIZERS, get_initializer, initialize

N_OUT, N_IN = 300, 500     # unequal, so a swapped fan changes the variance

FORMULAS = {
    "xavier_normal": 2.0 / (N_IN + N_OUT),
    "xavier_uniform": 2.0 / (N_IN + N_OUT),
    "he_normal": 2.0 / N_IN,
    "he_uniform": 2.0 / N_IN,
}
TORCH_INITS = {
    "xavier_normal": torch.nn.init.xavier_normal_,
    "xavier_uniform": torch.nn.init.xavier_uniform_,
    "he_normal": lambda W: torch.nn.init.kaiming_normal_(W, nonlinearity="relu"),
    "he_uniform": lambda W: torch.nn.init.kaiming_uniform_(W, nonlinearity="relu"),
}
# 150,000 draws: the sample variance is within ~1% of the truth (4 sigma ~ 1.5%).
VARIANCE_RTOL = 0.03


def test_every_initializer_has_a_formula():
    assert set(FORMULAS) == set(INITIALIZERS) == set(TORCH_INITS)


@pytest.mark.parametrize("name", sorted(INITIALIZERS))
def test_variance_matches_the_formula_and_torch(name):
    W, b = initialize(name, N_OUT, N_IN, np.random.default_rng(0), "tanh")
    assert W.shape == (N_OUT, N_IN)
    np.testing.assert_array_equal(b, np.zeros(N_OUT))

    assert W.var() == pytest.approx(FORMULAS[name], rel=VARIANCE_RTOL)
    assert abs(W.mean()) < 4 * np.sqrt(FORMULAS[name] / W.size)

    torch.manual_seed(0)
    W_torch = TORCH_INITS[name](torch.empty(N_OUT, N_IN, dtype=torch.float64))
    assert W.var() == pytest.approx(W_torch.var().item(), rel=2 * VARIANCE_RTOL)


@pytest.mark.parametrize("name", ["xavier_uniform", "he_uniform"])
def test_uniform_initializers_fill_their_interval(name):
    W, _ = initialize(name, N_OUT, N_IN, np.random.default_rng(1), "tanh")
    limit = np.sqrt(3 * FORMULAS[name])     # U(-r, r) has variance r^2 / 3
    assert np.abs(W).max() <= limit
    assert np.abs(W).max() > 0.999 * limit


@pytest.mark.parametrize("name", ["xavier_normal", "he_normal"])
def test_normal_initializers_have_gaussian_tails(name):
    W, _ = initialize(name, N_OUT, N_IN, np.random.default_rng(2), "tanh")
    std = np.sqrt(FORMULAS[name])
    # P(|w| > 2 std) = 4.55% for a Gaussian, 0 for a uniform of the same variance.
    assert np.mean(np.abs(W) > 2 * std) == pytest.approx(0.0455, abs=0.003)


@pytest.mark.parametrize("activation, expected", [
    ("relu", "he_normal"), ("leaky_relu", "he_normal"), ("elu", "he_normal"),
    ("tanh", "xavier_uniform"), ("sigmoid", "xavier_uniform"), ("softplus", "xavier_uniform"),
])
def test_auto_picks_by_activation(activation, expected):
    net = Network([N_IN, N_OUT, 2], activation=activation, seed=3, dtype="float64")
    W = net.layers[0].W
    assert W.var() == pytest.approx(FORMULAS[expected], rel=VARIANCE_RTOL)
    assert get_initializer("auto", activation) is INITIALIZERS[expected]


@pytest.mark.parametrize("alias, name", [
    ("xavier", "xavier_uniform"), ("glorot", "xavier_uniform"),
    ("glorot_normal", "xavier_normal"), ("he", "he_normal"), ("kaiming", "he_normal"),
    ("kaiming_uniform", "he_uniform"), ("HE_UNIFORM", "he_uniform"),
])
def test_aliases(alias, name):
    assert get_initializer(alias) is INITIALIZERS[name]


@pytest.mark.parametrize("init", ["auto", "xavier", "xavier_normal", "he", "he_uniform"])
def test_the_seed_reproduces_the_network(init):
    def params(seed):
        net = Network([5, 8, 7, 3], activation="relu", init=init, seed=seed, dtype="float64")
        return net.parameters()

    first, again, other = params(7), params(7), params(8)
    for p, q in zip(first, again, strict=True):
        np.testing.assert_array_equal(p, q)
    assert not np.array_equal(first[0], other[0])


def test_dtype_only_rounds_the_same_draw():
    net64 = Network([4, 6, 2], activation="tanh", seed=1, dtype="float64")
    net32 = Network([4, 6, 2], activation="tanh", seed=1, dtype="float32")
    for p64, p32 in zip(net64.parameters(), net32.parameters(), strict=True):
        assert p32.dtype == np.float32
        np.testing.assert_array_equal(p32, p64.astype(np.float32))
