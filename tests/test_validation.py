"""Every bad input raises its documented error, with a message that helps.

Each case checks the exception class and the key words of its message: the
argument's name, what was expected, and what was received (both shapes for a
shape mismatch, the choices for an unknown name, the epoch, step and a smaller
learning rate for a diverged run).
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from chainrule import ChainruleError, DataError, Network, ShapeError, Trainer, TrainingDiverged
from chainrule.activations import ACTIVATIONS
from chainrule.initializers import INITIALIZERS
from chainrule.losses import LOSSES
from chainrule.optimizers import OPTIMIZERS
from chainrule.training import split_validation
from chainrule.validation import check_features


def classifier(n_classes: int = 3) -> Network:
    return Network([4, 5, n_classes], activation="tanh", loss="cross_entropy", seed=0)


def regressor(n_out: int = 1) -> Network:
    return Network([4, 5, n_out], activation="tanh", loss="mse", seed=0)


def features(m: int = 6) -> np.ndarray:
    return np.random.default_rng(0).normal(size=(m, 4))


def test_error_classes_are_catchable_as_the_builtin_kind():
    assert issubclass(ShapeError, ValueError) and issubclass(ShapeError, ChainruleError)
    assert issubclass(DataError, ValueError) and issubclass(DataError, ChainruleError)
    assert issubclass(TrainingDiverged, FloatingPointError)


# ----------------------------------------------------------------- X


@pytest.mark.parametrize("shape", [(6, 3), (6, 5), (6,), (2, 3, 4), (0, 4)])
def test_wrong_x_shape_shows_both_shapes(shape):
    net = regressor()
    for call in (net.forward, lambda X: net.loss(X, np.zeros(len(X))),
                 lambda X: net.fit(X, np.zeros(len(X)), epochs=1)):
        with pytest.raises(ShapeError) as caught:
            call(np.zeros(shape))
        message = str(caught.value)
        assert "(m, 4)" in message and str(shape) in message
        assert "X must have shape" in message


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_x_is_a_data_error(bad):
    X = features()
    X[2, 1] = bad
    with pytest.raises(DataError, match=r"X must hold finite numbers; found .* at X\[2, 1\]"):
        regressor().forward(X)


def test_huge_finite_x_whose_sums_overflow_is_accepted():
    X = np.full((8, 4), 3e38, dtype=np.float32)  # every column sums to inf in float32

    with np.errstate(over="ignore"):
        assert np.isinf(X.sum(axis=0)).all()
    assert check_features(X, 4, np.dtype(np.float32)).shape == (8, 4)


def test_non_numeric_x_is_a_data_error():
    with pytest.raises(DataError, match="X must be numeric"):
        regressor().forward([["a", "b", "c", "d"]])


def test_validation_data_is_checked_under_its_own_name():
    net = regressor()
    with pytest.raises(ShapeError, match=r"X_val must have shape \(m, 4\).*\(3, 2\)"):
        net.fit(features(), np.zeros(6), validation_data=(np.zeros((3, 2)), np.zeros(3)))


# ----------------------------------------------------------------- Y


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_targets_are_a_data_error(bad):
    y = np.zeros(6)
    y[4] = bad
    with pytest.raises(DataError, match=r"Y must hold finite numbers; found .* at Y\[4, 0\]"):
        regressor().loss(features(), y)


def test_targets_need_one_row_per_sample():
    with pytest.raises(ShapeError, match=r"one row per sample of X \(6 rows\); got shape \(5,\)"):
        regressor().loss(features(), np.zeros(5))


def test_targets_need_the_output_width():
    with pytest.raises(ShapeError, match=r"\(6, 2\).*2 neurons.*got shape \(6, 3\)"):
        regressor(n_out=2).loss(features(), np.zeros((6, 3)))


@pytest.mark.parametrize("labels, found", [([0, 1, 3, 0, 1, 2], "3"),
                                           ([0, -1, 2, 0, 1, 2], "-1")])
def test_labels_out_of_range(labels, found):
    with pytest.raises(DataError) as caught:
        classifier().loss(features(), np.array(labels))
    message = str(caught.value)
    assert "0..2" in message and f"found {found}" in message


@pytest.mark.parametrize("labels", [[0, 1.5, 2, 0, 1, 2], ["a", "b", "c", "a", "b", "c"]])
def test_non_integer_labels(labels):
    with pytest.raises(DataError, match="class labels must be integers 0..2"):
        classifier().fit(features(), np.array(labels), epochs=1)


def test_whole_float_labels_are_accepted():
    net = classifier()
    labels = np.array([0.0, 1.0, 2.0, 0.0, 1.0, 2.0])
    assert net.loss(features(), labels) == net.loss(features(), labels.astype(int))


def test_one_hot_rows_must_sum_to_one():
    Y = np.eye(3)[[0, 1, 2, 0, 1, 2]]
    Y[3] = [1.0, 1.0, 0.0]
    with pytest.raises(DataError) as caught:
        classifier().gradients(features(), Y)
    message = str(caught.value)
    assert "one-hot" in message and "row 3 sums to 2" in message


@pytest.mark.parametrize("bad", [-0.1, 1.5])
def test_binary_cross_entropy_targets_must_lie_in_0_1(bad):
    net = Network([4, 3, 2], loss="binary_cross_entropy", seed=0)
    Y = np.zeros((6, 2))
    Y[1, 1] = bad
    with pytest.raises(DataError, match=re.escape("must lie in [0, 1]") + r".*at Y\[1, 1\]"):
        net.loss(features(), Y)


# ----------------------------------------------------------------- names and architecture


def assert_lists_choices(caught, choices) -> None:
    message = str(caught.value)
    missing = [choice for choice in choices if choice not in message]
    assert not missing, f"{missing} not listed in: {message}"


def test_unknown_activation_lists_the_choices():
    with pytest.raises(ValueError, match="activation must be one of") as caught:
        Network([2, 3, 1], activation="swish")
    assert_lists_choices(caught, ACTIVATIONS)
    assert "swish" in str(caught.value)


def test_unknown_loss_lists_the_choices():
    with pytest.raises(ValueError, match="loss must be one of") as caught:
        Network([2, 3, 1], loss="hinge")
    assert_lists_choices(caught, LOSSES)


def test_unknown_init_lists_the_choices():
    with pytest.raises(ValueError, match="init must be one of") as caught:
        Network([2, 3, 1], init="orthogonal")
    assert_lists_choices(caught, list(INITIALIZERS) + ["auto"])


def test_unknown_optimizer_lists_the_choices():
    with pytest.raises(ValueError, match="optimizer must be one of") as caught:
        regressor().fit(features(), np.zeros(6), optimizer="lbfgs")
    assert_lists_choices(caught, OPTIMIZERS)


def test_wrong_number_of_per_layer_activations():
    with pytest.raises(ValueError, match=r"one entry per hidden layer \(2\); got 3") as caught:
        Network([2, 3, 3, 1], activation=["tanh", "relu", "elu"])
    assert "['tanh', 'relu', 'elu']" in str(caught.value)


def test_cross_entropy_needs_a_softmax_output():
    with pytest.raises(ValueError, match="output_activation='softmax'") as caught:
        Network([2, 3, 2], loss="cross_entropy", output_activation="sigmoid")
    assert "got output_activation='sigmoid'" in str(caught.value)
    assert "binary_cross_entropy" in str(caught.value)


def test_binary_cross_entropy_needs_a_sigmoid_output():
    with pytest.raises(ValueError, match="output_activation='sigmoid'.*got .*'identity'"):
        Network([2, 3, 2], loss="binary_cross_entropy", output_activation="identity")


@pytest.mark.parametrize("sizes, words", [([3], "at least an input and an output"),
                                          ([3, 0, 1], "must be >= 1"),
                                          ("abc", "list of layer widths")])
def test_bad_sizes(sizes, words):
    with pytest.raises(ValueError, match=words):
        Network(sizes)


def test_bad_dtype():
    with pytest.raises(ValueError, match="dtype must be 'float32' or 'float64'; got 'float16'"):
        Network([2, 1], dtype="float16")


def test_assigning_a_wrong_shaped_w_shows_both_shapes():
    net = Network([4, 5, 2], seed=0)
    with pytest.raises(ShapeError) as caught:
        net.layers[0].W = np.zeros((4, 5))
    message = str(caught.value)
    assert "(n_out, n_in) = (5, 4)" in message and "got (4, 5)" in message
    assert net.layers[0].W.shape == (5, 4)

    with pytest.raises(ShapeError, match=r"\(5,\); got \(4,\)"):
        net.layers[0].b = np.zeros(4)


# ----------------------------------------------------------------- training options


def test_training_divergence_names_epoch_and_step_and_suggests_a_smaller_rate():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(64, 4)), rng.normal(size=64)
    net = Network([4, 16, 1], activation="identity", loss="mse", seed=0, dtype="float64")
    with np.errstate(over="ignore", invalid="ignore"), pytest.raises(TrainingDiverged) as caught:
        net.fit(X, y, epochs=5, batch_size=8, lr=1e6)

    message = str(caught.value)
    match = re.search(r"epoch (\d+), step (\d+) of (\d+)", message)
    assert match, message
    assert int(match.group(1)) >= 1 and match.group(3) == "8"
    assert "smaller" in message and "lr=100000" in message


def test_early_stopping_needs_validation_data():
    with pytest.raises(ValueError, match="early_stopping.*validation_data"):
        regressor().fit(features(), np.zeros(6), early_stopping=3)


def test_validation_data_and_split_are_exclusive():
    with pytest.raises(ValueError, match="not both"):
        regressor().fit(features(), np.zeros(6), validation_split=0.2,
                        validation_data=(features(2), np.zeros(2)))


@pytest.mark.parametrize("fraction", [0.0, 1.0, -0.5, 1.5])
def test_validation_split_must_be_a_fraction(fraction):
    # fit reads 0.0 as "no split", so the helper that fit calls is tested directly.
    with pytest.raises(ValueError, match=r"validation_split must be in \(0, 1\)"):
        split_validation(features(), np.zeros(6), fraction, seed=0)


def test_a_tiny_validation_split_still_holds_out_one_sample():
    history = regressor().fit(features(), np.zeros(6), epochs=1, validation_split=1e-4)
    assert not np.isnan(history.val_loss[0])


@pytest.mark.parametrize("options, words", [({"batch_size": 0}, "batch_size must be >= 1"),
                                            ({"epochs": -1}, "epochs must be >= 0")])
def test_bad_trainer_options(options, words):
    with pytest.raises(ValueError, match=words):
        Trainer(regressor(), features(), np.zeros(6), **options)
