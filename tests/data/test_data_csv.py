"""CSV reading: header detection, target choice, task inference, and each bad file."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chainrule.data import Preprocessor, load_csv, load_dataset, read_csv_features
from chainrule.errors import DataError

IRIS_LIKE = """sepal,petal,species
5.1,1.4,setosa
4.9,1.3,setosa
5.0,1.5,setosa
6.4,4.5,versicolor
6.9,4.9,versicolor
5.5,4.0,versicolor
6.3,6.0,virginica
5.8,5.1,virginica
7.1,5.9,virginica
6.5,5.8,virginica
"""


def write(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def all_rows(ds):
    return np.concatenate([ds.X_train, ds.X_test]), np.concatenate([ds.y_train, ds.y_test])


def test_header_and_string_labels(tmp_path):
    ds = load_csv(write(tmp_path, IRIS_LIKE), test_fraction=0.3)

    assert ds.name == "data" and ds.task == "classification"
    assert ds.feature_names == ["sepal", "petal"]
    assert ds.class_names == ["setosa", "versicolor", "virginica"]
    assert ds.X_train.dtype == np.float64 and ds.y_train.dtype == np.int64
    assert len(ds.y_train) + len(ds.y_test) == 10
    assert set(ds.y_test) == {0, 1, 2}


def test_string_labels_restored_by_decode(tmp_path):
    ds = load_csv(write(tmp_path, IRIS_LIKE))
    pre = Preprocessor().fit(ds.X_train, ds.y_train, class_names=ds.class_names)

    X, y = all_rows(ds)
    sepal_to_species = {5.1: "setosa", 6.9: "versicolor", 7.1: "virginica"}
    for sepal, species in sepal_to_species.items():
        row = np.flatnonzero(X[:, 0] == sepal)[0]
        assert pre.decode_labels(y[row:row + 1])[0] == species
        assert pre.encode_labels([species])[0] == y[row]


def test_no_header_detected(tmp_path):
    ds = load_csv(write(tmp_path, "1,2,0\n3,4,1\n5,6,0\n7,8,1\n"), test_fraction=0.5)

    assert ds.feature_names == ["column 0", "column 1"]
    assert ds.class_names == ["0", "1"]
    assert sorted(all_rows(ds)[0][:, 0]) == [1, 3, 5, 7]


def test_header_found_when_only_one_column_is_numeric_below(tmp_path):
    text = "x,label\n1.5,a\n2.5,b\n3.5,a\n4.5,b\n"

    ds = load_csv(write(tmp_path, text), target="label", test_fraction=0.5)
    assert ds.feature_names == ["x"] and ds.class_names == ["a", "b"]


@pytest.mark.parametrize("target", ["species", 2, -1, "-1", "2"])
def test_target_by_name_or_index(tmp_path, target):
    ds = load_csv(write(tmp_path, IRIS_LIKE), target=target)
    assert ds.class_names == ["setosa", "versicolor", "virginica"]


def test_target_in_the_middle(tmp_path):
    text = "a,b,c\n1,10,100\n2,20,200\n3,30,300\n4,40,400\n5,50,500\n"

    ds = load_csv(write(tmp_path, text), target="b", task="regression")

    assert ds.feature_names == ["a", "c"]
    X, y = all_rows(ds)
    np.testing.assert_array_equal(X[:, 1], X[:, 0] * 100)
    np.testing.assert_array_equal(y, X[:, 0] * 10)


def test_target_that_does_not_exist_lists_the_columns(tmp_path):
    path = write(tmp_path, IRIS_LIKE)

    with pytest.raises(DataError, match=r"target='kind'.*'sepal' \(0\), 'petal' \(1\)"):
        load_csv(path, target="kind")
    with pytest.raises(DataError, match="index from -3 to 2"):
        load_csv(path, target=3)


def test_task_inference(tmp_path):
    few_ints = "a,y\n" + "".join(f"{i},{i % 3}\n" for i in range(30))
    many_ints = "a,y\n" + "".join(f"{i},{i * 7}\n" for i in range(30))
    floats = "a,y\n" + "".join(f"{i},{i / 4}\n" for i in range(30))

    assert load_csv(write(tmp_path, few_ints, "f.csv")).task == "classification"
    assert load_csv(write(tmp_path, many_ints, "m.csv")).task == "regression"
    regression = load_csv(write(tmp_path, floats, "r.csv"))
    assert regression.task == "regression" and regression.y_train.dtype == np.float64
    quarters = "a,y\n" + "".join(f"{i},{i % 5 / 4}\n" for i in range(30))
    forced = load_csv(write(tmp_path, quarters, "q.csv"), task="classification")
    assert forced.class_names == ["0", "0.25", "0.5", "0.75", "1"]

    with pytest.raises(DataError, match="2 or more"):
        load_csv(write(tmp_path, floats, "r.csv"), task="classification")


def test_numeric_labels_sorted_as_numbers(tmp_path):
    text = "".join(f"{i},{label}\n" for i, label in enumerate([10, 9, 2, 10, 9, 2, 2.0]))

    ds = load_csv(write(tmp_path, text), test_fraction=0.4)
    assert ds.class_names == ["2", "9", "10"]


def test_semicolon_delimiter_and_blank_lines(tmp_path):
    text = "a;b;y\n1;2;0\n\n3;4;1\n5;6;0\n7;8;1\n\n"

    ds = load_csv(write(tmp_path, text), test_fraction=0.5)
    assert ds.feature_names == ["a", "b"] and len(all_rows(ds)[1]) == 4


@pytest.mark.parametrize("cell, words", [
    ("", "a missing value"),
    ("NA", "a missing value"),
    ("abc", "the value 'abc'"),
    ("inf", "the value 'inf'"),
])
def test_bad_feature_cell_names_line_column_and_value(tmp_path, cell, words):
    lines = IRIS_LIKE.splitlines()
    lines[2] = lines[2].replace("1.3", cell)  # line 3 of the file, column 'petal'

    with pytest.raises(DataError) as err:
        load_csv(write(tmp_path, "\n".join(lines) + "\n"))
    message = str(err.value)
    assert "line 3" in message and "'petal'" in message and words in message


def test_line_numbers_count_blank_lines(tmp_path):
    text = "a,b,y\n\n1,2,0\n\n\n3,x,1\n"

    with pytest.raises(DataError, match=r"line 6, feature column 'b'.*'x'"):
        load_csv(write(tmp_path, text))


def test_missing_target_value(tmp_path):
    with pytest.raises(DataError, match=r"line 3, target column 'y'.*missing"):
        load_csv(write(tmp_path, "a,y\n1,0\n2,\n3,1\n"))


def test_regression_target_must_be_numeric(tmp_path):
    with pytest.raises(DataError, match=r"line 3, target column 'y'.*'cat'"):
        load_csv(write(tmp_path, "a,y\n1,0.5\n2,cat\n3,1.5\n"), task="regression")


@pytest.mark.parametrize("text, words", [
    ("", "is empty"),
    ("\n\n  \n", "is empty"),
    ("a,b,c\n", "no data rows"),
    ("a,b,y\n1,2,0\n3,4\n5,6,1\n", "ragged: line 3 has 2 fields, but the first row"),
    ("a,a,y\n1,2,0\n3,4,1\n", "duplicate column names ['a']"),
    ("y\n0\n1\n", "only the target column"),
    ("a,y\n1,cat\n2,cat\n3,cat\n", "only the label 'cat'"),
])
def test_bad_files(tmp_path, text, words):
    with pytest.raises(DataError) as err:
        load_csv(write(tmp_path, text))
    assert words in str(err.value)


def test_missing_file_and_bad_task(tmp_path):
    with pytest.raises(DataError, match="Cannot read CSV file"):
        load_csv(tmp_path / "absent.csv")
    with pytest.raises(DataError, match="task must be one of"):
        load_csv(write(tmp_path, IRIS_LIKE), task="ranking")


def test_not_utf8(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("a,y\n1,caf\u00e9\n".encode("latin-1"))

    with pytest.raises(DataError, match="not UTF-8"):
        load_csv(path)


def test_load_dataset_accepts_a_csv_path(tmp_path):
    ds = load_dataset(str(write(tmp_path, IRIS_LIKE)), seed=3)
    assert ds.class_names == ["setosa", "versicolor", "virginica"]

    with pytest.raises(DataError, match="does not exist"):
        load_dataset(str(tmp_path / "absent.csv"))


def test_read_features_drops_the_target_by_name(tmp_path):
    path = write(tmp_path, "id,petal,species,sepal\n1,1.4,setosa,5.1\n2,4.5,x,6.4\n")

    X = read_csv_features(path, feature_names=["sepal", "petal"], n_features=2)

    np.testing.assert_array_equal(X, [[5.1, 1.4], [6.4, 4.5]])


def test_read_features_errors(tmp_path):
    headed = write(tmp_path, "sepal,petal\n5.1,1.4\n", "headed.csv")
    bare = write(tmp_path, "5.1,1.4,0\n6.4,4.5,1\n", "bare.csv")

    with pytest.raises(DataError, match=r"lacks the feature column\(s\) \['width'\]"):
        read_csv_features(headed, feature_names=["sepal", "width"])
    with pytest.raises(DataError, match="gives 3 feature column.*n_features=2.*header"):
        read_csv_features(bare, n_features=2)
    np.testing.assert_array_equal(read_csv_features(bare, n_features=3)[:, 2], [0, 1])


finite = st.floats(-1e6, 1e6, allow_nan=False).map(lambda v: round(v, 3))


@settings(max_examples=30, deadline=None)
@given(table=st.lists(st.tuples(finite, finite, st.sampled_from(["red", "green"])),
                      min_size=4, max_size=30),
       header=st.booleans())
def test_round_trip_of_any_numeric_table(tmp_path_factory, table, header):
    if len({row[2] for row in table}) < 2:
        table = table + [(0.0, 0.0, "red"), (1.0, 1.0, "green")]
    text = ("u,v,colour\n" if header else "") + "".join(
        f"{u!r},{v!r},{c}\n" for u, v, c in table)
    path = tmp_path_factory.mktemp("csv") / "t.csv"
    path.write_text(text)

    ds = load_csv(path, test_fraction=0.25)

    X, y = all_rows(ds)
    expected = sorted((u, v, c) for u, v, c in table)
    found = sorted((u, v, ds.class_names[k]) for (u, v), k in zip(X.tolist(), y, strict=False))
    assert found == expected
