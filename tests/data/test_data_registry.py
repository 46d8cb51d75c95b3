"""Every named dataset loads with the right shapes, dtypes and seeded split."""

import csv
import gzip
import os

import numpy as np
import pytest
import sklearn

from chainrule.data import Dataset, list_datasets, load_dataset
from chainrule.data.registry import dataset_names
from chainrule.errors import DataError

# name -> (samples, features, classes or None for regression) at default options
EXPECTED = {
    "digits": (1797, 64, 10),
    "iris": (150, 4, 3),
    "wine": (178, 13, 3),
    "breast-cancer": (569, 30, 2),
    "xor": (200, 2, 2),
    "moons": (300, 2, 2),
    "circles": (300, 2, 2),
    "spirals": (400, 2, 2),
    "blobs": (300, 2, 3),
    "sine": (200, 1, None),
}


def all_rows(ds):
    return np.concatenate([ds.X_train, ds.X_test]), np.concatenate([ds.y_train, ds.y_test])


@pytest.mark.parametrize("name", EXPECTED)
def test_shapes_and_dtypes(name):
    m, n, k = EXPECTED[name]

    ds = load_dataset(name)

    assert isinstance(ds, Dataset) and ds.name == name
    assert ds.X_train.dtype == ds.X_test.dtype == np.float64
    assert ds.X_train.shape[1] == ds.X_test.shape[1] == n == len(ds.feature_names)
    assert len(ds.X_train) + len(ds.X_test) == m
    assert len(ds.y_train) == len(ds.X_train) and len(ds.y_test) == len(ds.X_test)
    assert abs(len(ds.X_test) - 0.2 * m) <= (k or 1)
    assert ds.source and ds.licence
    if k is None:
        assert ds.task == "regression" and ds.class_names is None
        assert ds.y_train.dtype == np.float64 and ds.y_train.ndim == 1
    else:
        assert ds.task == "classification" and len(ds.class_names) == k
        assert ds.y_train.dtype == np.int64
        assert set(np.unique(ds.y_train)) == set(range(k))
        assert set(np.unique(ds.y_test)) == set(range(k))


@pytest.mark.parametrize("name", EXPECTED)
def test_same_seed_same_data_other_seed_other_split(name):
    a, b, c = load_dataset(name), load_dataset(name, seed=0), load_dataset(name, seed=1)

    for field in ("X_train", "y_train", "X_test", "y_test"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    assert not np.array_equal(a.X_train, c.X_train)


@pytest.mark.parametrize("name", ["digits", "iris", "breast-cancer"])
def test_split_is_stratified(name):
    ds = load_dataset(name, test_fraction=0.25)

    X, y = all_rows(ds)
    for label in range(len(ds.class_names)):
        in_class = np.sum(y == label)
        in_test = np.sum(ds.y_test == label)
        assert abs(in_test - 0.25 * in_class) <= 0.5


def sklearn_copy(file_name):
    """The raw rows of scikit-learn's installed copy: features and integer target."""
    path = os.path.join(os.path.dirname(sklearn.__file__), "datasets", "data", file_name)
    opener = gzip.open if file_name.endswith(".gz") else open
    with opener(path, "rt") as f:
        rows = list(csv.reader(f))
    if file_name != "digits.csv.gz":
        rows = rows[1:]
    table = np.array(rows, dtype=np.float64)
    return table[:, :-1], table[:, -1].astype(np.int64)


@pytest.mark.parametrize("name, file_name", [
    ("digits", "digits.csv.gz"), ("iris", "iris.csv"), ("wine", "wine_data.csv"),
    ("breast-cancer", "breast_cancer.csv"),
])
def test_builtin_values_match_the_uci_source(name, file_name):
    X_ref, y_ref = sklearn_copy(file_name)

    X, y = all_rows(load_dataset(name))

    ours = np.column_stack([X, y])
    theirs = np.column_stack([X_ref, y_ref])
    np.testing.assert_array_equal(ours[np.lexsort(ours.T)], theirs[np.lexsort(theirs.T)])


def test_builtin_feature_ranges():
    digits = load_dataset("digits")
    assert digits.X_train.min() == 0 and digits.X_train.max() == 16
    assert digits.class_names == [str(d) for d in range(10)]
    assert load_dataset("iris").class_names == ["setosa", "versicolor", "virginica"]
    assert load_dataset("breast-cancer").class_names == ["malignant", "benign"]


def test_names_are_forgiving_about_case_and_underscores():
    assert load_dataset("Breast_Cancer").name == "breast-cancer"


def test_catalogue_covers_every_name():
    infos = list_datasets()

    names = [info.name for info in infos]
    assert names[:-1] == dataset_names() and infos[-1].kind == "csv"
    assert {info.kind for info in infos} == {"built-in", "synthetic", "idx", "csv"}
    for info in infos:
        assert info.size and info.source and info.licence and info.description
    sizes = {info.name: info.size for info in infos}
    assert sizes["digits"] == "1,797 × 64, 10 classes"


def test_unknown_name_lists_the_known_ones():
    with pytest.raises(DataError, match="Unknown dataset 'mnsit'.*digits.*fashion-mnist"):
        load_dataset("mnsit")


@pytest.mark.parametrize("name, options, words", [
    ("digits", {"noise": 0.1}, "noise=0.1 does not apply"),
    ("iris", {"n_samples": 10}, "n_samples=10 does not apply"),
    ("moons", {"data_dir": "/tmp"}, "data_dir='/tmp' does not apply"),
    ("mnist", {"noise": 0.1}, "noise=0.1 does not apply"),
])
def test_options_that_do_not_apply_are_refused(name, options, words):
    with pytest.raises(DataError, match=words):
        load_dataset(name, **options)


@pytest.mark.parametrize("fraction", [0, 1, -0.1, 1.5, "0.2", True])
def test_bad_test_fraction(fraction):
    with pytest.raises(DataError, match="test_fraction must be a number strictly between"):
        load_dataset("iris", test_fraction=fraction)


def test_dataset_checks_its_arrays():
    X, y = np.zeros((4, 2)), np.zeros(4, dtype=np.int64)
    common = dict(name="t", task="classification", class_names=["a"], feature_names=None,
                  source="s", licence="l")

    with pytest.raises(DataError, match="X_train must be a 2-D float64"):
        Dataset(X_train=X.astype(np.float32), y_train=y, X_test=X, y_test=y, **common)
    with pytest.raises(DataError, match=r"y_test must have one entry per row.*\(3,\)"):
        Dataset(X_train=X, y_train=y, X_test=X, y_test=y[:3], **common)
    with pytest.raises(DataError, match="labels 0..0 for 1 classes; found 0..1"):
        Dataset(X_train=X, y_train=y + np.arange(4) % 2, X_test=X, y_test=y, **common)
    with pytest.raises(DataError, match="X_train has 2 features but X_test has 3"):
        Dataset(X_train=X, y_train=y, X_test=np.zeros((4, 3)), y_test=y, **common)
