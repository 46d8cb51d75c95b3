"""Preprocessor: fitted on training data only, constant features, labels, JSON."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from chainrule.data import Preprocessor, load_dataset
from chainrule.errors import DataError

SCALINGS = ["standard", "minmax", "divide255", "none"]


def test_standard_scaling_gives_zero_mean_unit_std_on_train():
    ds = load_dataset("wine")

    Z = Preprocessor("standard").fit(ds.X_train).transform(ds.X_train)

    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(Z.std(axis=0), 1.0, atol=1e-12)


def test_minmax_maps_train_range_to_unit_interval():
    ds = load_dataset("iris")

    Z = Preprocessor("minmax").fit(ds.X_train).transform(ds.X_train)

    np.testing.assert_allclose(Z.min(axis=0), 0.0)
    np.testing.assert_allclose(Z.max(axis=0), 1.0)


def test_fixed_scalings():
    X = np.array([[0.0, 255.0], [51.0, 102.0]])

    np.testing.assert_allclose(Preprocessor("divide255").fit(X).transform(X),
                               [[0.0, 1.0], [0.2, 0.4]])
    np.testing.assert_array_equal(Preprocessor("none").fit(X).transform(X), X)


@pytest.mark.parametrize("scaling", ["standard", "minmax"])
def test_test_set_does_not_influence_the_fit(scaling):
    ds = load_dataset("breast-cancer")
    before = Preprocessor(scaling).fit(ds.X_train).to_dict()

    wild_test = ds.X_test * 1000 + 5
    pre = Preprocessor(scaling).fit(ds.X_train)
    Z_test = pre.transform(wild_test)

    assert pre.to_dict() == before
    expected = (wild_test - np.array(before["offset"])) / np.array(before["scale"])
    np.testing.assert_allclose(Z_test, expected)
    # The test set keeps the training statistics, so it is not itself centred.
    assert np.abs(Z_test.mean(axis=0)).max() > 1


@pytest.mark.parametrize("scaling", SCALINGS)
def test_constant_feature_does_not_divide_by_zero(scaling):
    X = np.array([[3.0, 1.0], [3.0, 2.0], [3.0, 4.0]])

    with np.errstate(all="raise"):
        Z = Preprocessor(scaling).fit(X).transform(np.array([[3.0, 1.0], [7.0, 1.0]]))

    assert np.isfinite(Z).all()
    if scaling in ("standard", "minmax"):
        np.testing.assert_array_equal(Z[:, 0], [0.0, 4.0])


def test_transform_does_not_modify_its_input():
    X = np.array([[1.0, 2.0], [3.0, 5.0]])
    copy = X.copy()

    Preprocessor().fit(X).transform(X)

    np.testing.assert_array_equal(X, copy)


def test_transform_errors():
    pre = Preprocessor()
    with pytest.raises(DataError, match="not fitted"):
        pre.transform(np.ones((2, 2)))

    pre.fit(np.ones((3, 4)))
    with pytest.raises(DataError, match=r"4 feature columns.*\(2, 3\)"):
        pre.transform(np.ones((2, 3)))
    with pytest.raises(DataError, match="finite numbers; found nan at row 1, column 2"):
        pre.transform(np.array([[0, 0, 0, 0], [0, 0, np.nan, 0.0]]))
    with pytest.raises(DataError, match=r"received shape \(4,\)"):
        pre.transform(np.ones(4))


def test_unknown_scaling():
    with pytest.raises(DataError, match=r"scaling must be one of.*'zscore'"):
        Preprocessor("zscore")


def test_labels_round_trip_with_class_names():
    pre = Preprocessor().fit(np.zeros((3, 1)), class_names=["setosa", "versicolor"])

    codes = pre.encode_labels(["versicolor", "setosa", " versicolor "])

    assert codes.dtype == np.int64
    np.testing.assert_array_equal(codes, [1, 0, 1])
    np.testing.assert_array_equal(pre.decode_labels(codes),
                                  ["versicolor", "setosa", "versicolor"])


def test_numeric_labels_agree_across_types():
    pre = Preprocessor().fit(np.zeros((4, 1)), y=[10, 2, 2.0, "10"])

    assert pre.class_names == ["2", "10"]
    np.testing.assert_array_equal(pre.encode_labels([2, "2", 10.0, np.int64(10)]),
                                  [0, 0, 1, 1])


def test_unknown_label_names_it_and_lists_the_classes():
    pre = Preprocessor().fit(np.zeros((2, 1)), class_names=["cat", "dog"])

    with pytest.raises(DataError, match=r"Unknown label 'cow'.*\['cat', 'dog'\]"):
        pre.encode_labels(["dog", "cow"])


def test_decode_rejects_bad_indices():
    pre = Preprocessor().fit(np.zeros((2, 1)), class_names=["cat", "dog"])

    for bad in ([2], [-1], [0.5]):
        with pytest.raises(DataError, match="integers from 0 to 1"):
            pre.decode_labels(bad)


def test_regression_has_no_classes():
    pre = Preprocessor().fit(np.zeros((2, 1)), y=[0.5, 1.5], task="regression")

    with pytest.raises(DataError, match="no classes"):
        pre.encode_labels([0.5])


@settings(max_examples=30, deadline=None)
@given(X=hnp.arrays(np.float64, hnp.array_shapes(min_dims=2, max_dims=2, min_side=1,
                                                  max_side=6),
                    elements=st.floats(-1e6, 1e6)),
       scaling=st.sampled_from(SCALINGS))
def test_json_round_trip(X, scaling):
    names = [f"f{j}" for j in range(X.shape[1])]
    pre = Preprocessor(scaling).fit(X, class_names=["a", "b"], feature_names=names)

    text = json.dumps(pre.to_dict())
    back = Preprocessor.from_dict(json.loads(text))

    assert back.to_dict() == pre.to_dict()
    np.testing.assert_array_equal(back.transform(X), pre.transform(X))
    assert back.feature_names == names and back.class_names == ["a", "b"]


def good_dict():
    return Preprocessor().fit(np.array([[1.0, 2.0], [3.0, 5.0]]), y=["x", "y"]).to_dict()


@pytest.mark.parametrize("change, words", [
    (lambda d: d.pop("scale"), "lacks the key(s) ['scale']"),
    (lambda d: d.update(format="other"), "format='chainrule.preprocessor'"),
    (lambda d: d.update(version=99), "version 99"),
    (lambda d: d.update(scaling="zscore"), "scaling must be one of"),
    (lambda d: d.update(task="ranking"), "task must be one of"),
    (lambda d: d.update(n_features="2"), "n_features must be a positive integer"),
    (lambda d: d.update(offset=[0.0]), "offset must be a list of 2 finite numbers"),
    (lambda d: d.update(scale=[1.0, "2"]), "scale must be a list of 2"),
    (lambda d: d.update(scale=[1.0, 0.0]), "every scale must be positive"),
    (lambda d: d.update(feature_names=["a"]), "feature_names must be None or a list"),
    (lambda d: d.update(class_names=[1, 2]), "class_names must be a list of strings"),
])
def test_from_dict_rejects_malformed(change, words):
    d = good_dict()
    change(d)

    with pytest.raises(DataError) as err:
        Preprocessor.from_dict(d)
    assert words in str(err.value)


def test_from_dict_rejects_non_dict():
    with pytest.raises(DataError, match="received list"):
        Preprocessor.from_dict([1, 2])


def test_regression_targets_are_standardized_on_training_data_and_mapped_back():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 2))
    y = 1_000.0 + 250.0 * rng.normal(size=50)
    prep = Preprocessor().fit(X, y, task="regression")

    scaled = prep.scale_targets(y)
    assert abs(scaled.mean()) < 1e-12 and abs(scaled.std() - 1.0) < 1e-12
    assert np.allclose(prep.unscale_targets(scaled), y, rtol=0, atol=1e-9)

    again = Preprocessor.from_dict(json.loads(json.dumps(prep.to_dict())))
    assert np.array_equal(again.scale_targets(y[:5]), scaled[:5])


def test_targets_pass_through_for_classification_and_for_dicts_without_target_scaling():
    X = np.arange(12.0).reshape(6, 2)
    labels = np.array([0, 1, 0, 1, 0, 1])
    prep = Preprocessor().fit(X, labels, task="classification")
    assert np.array_equal(prep.scale_targets(labels), labels)

    regression = Preprocessor().fit(X, np.arange(6.0), task="regression").to_dict()
    del regression["target_offset"], regression["target_scale"]
    old = Preprocessor.from_dict(regression)
    assert np.array_equal(old.unscale_targets(np.array([0.5, 2.0])), [0.5, 2.0])


def test_a_constant_regression_target_is_not_divided_by_zero():
    prep = Preprocessor().fit(np.arange(8.0).reshape(4, 2), np.full(4, 7.0), task="regression")
    assert np.array_equal(prep.scale_targets(np.full(4, 7.0)), np.zeros(4))
