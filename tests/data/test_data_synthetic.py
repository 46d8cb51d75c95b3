"""Synthetic generators: the geometry each promises, options, and the split."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chainrule.data import load_dataset, synthetic
from chainrule.data.splitting import split_indices
from chainrule.errors import DataError


def noiseless(generator, n=400):
    return generator(n, 0.0, np.random.default_rng(0))


def test_xor_noiseless_is_the_truth_table():
    X, y = noiseless(synthetic.xor, 4)

    table = {(a, b): label for (a, b), label in zip(X.tolist(), y.tolist(), strict=False)}
    assert table == {(0.0, 0.0): 0, (0.0, 1.0): 1, (1.0, 0.0): 1, (1.0, 1.0): 0}


def test_moons_lie_on_their_circles():
    X, y = noiseless(synthetic.moons)

    upper = X[y == 0]
    lower = X[y == 1] - [1.0, 0.5]
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0)
    np.testing.assert_allclose(np.hypot(*lower.T), 1.0)
    assert (upper[:, 1] >= 0).all() and (lower[:, 1] <= 1e-12).all()


def test_circles_radii():
    X, y = noiseless(synthetic.circles)

    r = np.hypot(*X.T)
    np.testing.assert_allclose(r[y == 0], 1.0)
    np.testing.assert_allclose(r[y == 1], 0.5)


def test_spirals_are_each_others_half_turn():
    X, y = noiseless(synthetic.spirals)

    r = np.hypot(*X.T)
    assert 0.1 - 1e-12 <= r.min() and r.max() <= 1.0 + 1e-12
    # Rotating a point of one arm by pi lands on the other arm's curve:
    # angle(r) = 3 pi s + pi y with s = (r - 0.1) / 0.9.
    s = (r - 0.1) / 0.9
    expected = np.column_stack([r * np.cos(3 * np.pi * s + np.pi * y),
                                r * np.sin(3 * np.pi * s + np.pi * y)])
    np.testing.assert_allclose(X, expected, atol=1e-12)


def test_blobs_gather_round_fixed_centres():
    X, y = synthetic.blobs(3000, 0.3, np.random.default_rng(1))

    centres = np.array([X[y == c].mean(axis=0) for c in range(3)])
    np.testing.assert_allclose(np.hypot(*centres.T), 2.0, atol=0.05)
    np.testing.assert_allclose(centres[0], [0.0, 2.0], atol=0.05)
    np.testing.assert_allclose(X[y == 0].std(axis=0), 0.3, atol=0.03)


def test_sine_noise_has_the_requested_spread():
    X, y = synthetic.sine(5000, 0.2, np.random.default_rng(2))

    assert X.shape == (5000, 1) and y.shape == (5000,)
    assert abs(X.min() + np.pi) < 0.01 and abs(X.max() - np.pi) < 0.01
    assert abs(np.std(y - np.sin(X[:, 0])) - 0.2) < 0.01


@pytest.mark.parametrize("name", ["xor", "moons", "circles", "spirals", "blobs", "sine"])
def test_options_change_the_data(name):
    ds = load_dataset(name, n_samples=50, noise=0.0, seed=4)

    assert len(ds.X_train) + len(ds.X_test) == 50
    noisy = load_dataset(name, n_samples=50, noise=0.5, seed=4)
    jittered = "y_train" if name == "sine" else "X_train"
    assert not np.array_equal(getattr(ds, jittered), getattr(noisy, jittered))


@pytest.mark.parametrize("options, words", [
    ({"n_samples": 3}, "n_samples for 'moons' must be an integer of at least 4"),
    ({"n_samples": 100.0}, "received n_samples=100.0"),
    ({"noise": -0.1}, "noise for 'moons' must be a finite number >= 0"),
    ({"noise": float("nan")}, "received noise=nan"),
])
def test_bad_options(options, words):
    with pytest.raises(DataError) as err:
        load_dataset("moons", **options)
    assert words in str(err.value)


@settings(max_examples=40, deadline=None)
@given(labels=st.lists(st.integers(0, 3), min_size=2, max_size=60),
       fraction=st.floats(0.05, 0.95), seed=st.integers(0, 1000), stratify=st.booleans())
def test_split_is_a_partition(labels, fraction, seed, stratify):
    y = np.array(labels)
    try:
        train, test = split_indices(y, fraction, seed, stratify)
    except DataError:
        # Only when some side would be empty: every class a singleton (stratified).
        assert stratify and np.bincount(y).max() < 2
        return

    assert sorted(np.concatenate([train, test])) == list(range(len(y)))
    assert len(train) and len(test)
    if stratify:
        for label in np.unique(y):
            m_c, t_c = np.sum(y == label), np.sum(y[test] == label)
            assert t_c <= m_c - 1 if m_c >= 2 else t_c == 0
