"""Model files: exact round trips, and one clear ModelFileError for each kind of bad file."""

import json
import math
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chainrule import Network
from chainrule.errors import ModelFileError
from chainrule.io import FORMAT_VERSION, OutputExistsError, load_model, save_model

HEADER_KEY = "__chainrule__"


def same_network(a: Network, b: Network) -> bool:
    return (
        a.config() == b.config()
        and len(a.parameters()) == len(b.parameters())
        and all(p.dtype == q.dtype and np.array_equal(p, q)
                for p, q in zip(a.parameters(), b.parameters()))
    )


def classifier(dtype="float64", seed=0):
    return Network([4, 6, 5, 3], activation=["tanh", {"name": "leaky_relu", "alpha": 0.2}],
                   loss="cross_entropy", seed=seed, dtype=dtype)


def header_bytes(header: dict) -> np.ndarray:
    return np.frombuffer(json.dumps(header).encode("utf-8"), dtype=np.uint8)


def saved_entries(path) -> dict:
    with np.load(path, allow_pickle=False) as npz:
        return {name: npz[name] for name in npz.files}


def rewrite(path, entries: dict) -> None:
    with open(path, "wb") as f:
        np.savez(f, **entries)


def load_error(path) -> str:
    with pytest.raises(ModelFileError) as info:
        load_model(path)
    message = str(info.value)
    assert "Traceback" not in message and "\n" not in message
    return message


# ----------------------------------------------------------------- round trips


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_round_trip_with_everything(tmp_path, dtype):
    net = classifier(dtype)
    net.layers[0].W[0, 0] = -0.0  # the sign of zero survives too
    preprocessing = {"format": "chainrule-preprocessor", "scaling": "standard",
                     "offset": [0.5, -1.25, 3.0, 1e-300], "scale": [1.0, 2.0, 0.1, 7.0]}
    recipe = {"optimizer": "adam", "lr": 1e-3, "epochs": 20, "layers": [6, 5],
              "nested": {"seed": 7, "flag": True, "note": None, "text": "ü ✓"}}
    metrics = {"test_accuracy": 0.9666666666666667, "val_loss": float("nan")}

    save_model(tmp_path / "m.npz", net, preprocessing=preprocessing,
               class_names=["setosa", "versicolor", "virginica"], recipe=recipe,
               metrics=metrics)
    loaded = load_model(tmp_path / "m.npz")

    assert same_network(loaded.net, net)
    assert loaded.net.dtype == np.dtype(dtype)
    assert math.copysign(1.0, loaded.net.layers[0].W[0, 0]) == -1.0
    assert loaded.preprocessing == preprocessing
    assert loaded.class_names == ["setosa", "versicolor", "virginica"]
    assert loaded.recipe == recipe
    assert loaded.metrics["test_accuracy"] == metrics["test_accuracy"]
    assert math.isnan(loaded.metrics["val_loss"])
    assert loaded.format_version == FORMAT_VERSION == 2
    assert loaded.chainrule_version == __import__("chainrule").__version__
    X = np.random.default_rng(1).normal(size=(7, 4))
    assert np.array_equal(loaded.net.forward(X), net.forward(X))


def test_round_trip_minimal(tmp_path):
    net = Network([2, 1], loss="mse", seed=3)

    save_model(tmp_path / "m.npz", net)
    loaded = load_model(tmp_path / "m.npz")

    assert same_network(loaded.net, net)
    assert loaded.preprocessing is None and loaded.class_names is None
    assert loaded.recipe is None and loaded.metrics is None


def test_arrays_and_numpy_scalars_in_dicts(tmp_path):
    offset = np.array([1.5, -2.0], dtype=np.float32)
    preprocessing = {"offset": offset, "n": np.int64(2), "ratio": np.float32(0.25)}

    save_model(tmp_path / "m.npz", Network([2, 1], seed=0), preprocessing=preprocessing)
    loaded = load_model(tmp_path / "m.npz").preprocessing

    assert loaded["offset"].dtype == np.float32 and np.array_equal(loaded["offset"], offset)
    assert loaded["n"] == 2 and type(loaded["n"]) is int
    assert loaded["ratio"] == 0.25


def test_file_layout(tmp_path):
    save_model(tmp_path / "m.npz", classifier(), recipe={"lr": 0.1})
    entries = saved_entries(tmp_path / "m.npz")

    assert set(entries) == {"W1", "b1", "W2", "b2", "W3", "b3", HEADER_KEY}
    assert entries["W1"].shape == (6, 4) and entries["b3"].shape == (3,)
    header = json.loads(entries[HEADER_KEY].tobytes().decode("utf-8"))
    assert header["format"] == "chainrule-model" and header["format_version"] == 2
    assert header["network"]["sizes"] == [4, 6, 5, 3]
    assert zipfile.is_zipfile(tmp_path / "m.npz")


def test_binary_classifier_takes_two_class_names(tmp_path):
    net = Network([3, 1], loss="binary_cross_entropy", seed=0)

    save_model(tmp_path / "m.npz", net, class_names=["no", "yes"])

    assert load_model(tmp_path / "m.npz").class_names == ["no", "yes"]


def test_wrong_number_of_class_names(tmp_path):
    with pytest.raises(ValueError, match="class_names must have 3 entries"):
        save_model(tmp_path / "m.npz", classifier(), class_names=["a", "b"])
    assert not (tmp_path / "m.npz").exists()


def test_unstorable_values_are_refused_before_writing(tmp_path):
    net = classifier()
    with pytest.raises(TypeError, match="recipe/when"):
        save_model(tmp_path / "m.npz", net, recipe={"when": object()})
    with pytest.raises(TypeError, match="keys of a saved dict must be strings"):
        save_model(tmp_path / "m.npz", net, recipe={1: "a"})
    with pytest.raises(TypeError, match="dtype=object"):
        save_model(tmp_path / "m.npz", net, metrics={"x": np.array([{}], dtype=object)})
    with pytest.raises(TypeError, match="reserve for references to arrays"):
        save_model(tmp_path / "m.npz", net, recipe={"x": {"__array__": "W1"}})
    with pytest.raises(TypeError, match="must be a chainrule Network"):
        save_model(tmp_path / "m.npz", "not a net")
    assert list(tmp_path.iterdir()) == []


def test_existing_file_needs_overwrite(tmp_path):
    save_model(tmp_path / "m.npz", classifier(seed=0))

    with pytest.raises(OutputExistsError, match="overwrite=True"):
        save_model(tmp_path / "m.npz", classifier(seed=1))
    assert same_network(load_model(tmp_path / "m.npz").net, classifier(seed=0))

    save_model(tmp_path / "m.npz", classifier(seed=1), overwrite=True)
    assert same_network(load_model(tmp_path / "m.npz").net, classifier(seed=1))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text()
    | st.floats(allow_nan=False),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(recipe=st.dictionaries(st.text(max_size=8), json_values, max_size=5))
def test_any_json_recipe_round_trips(tmp_path, recipe):
    path = tmp_path / "m.npz"

    save_model(path, Network([1, 1], seed=0), recipe=recipe, overwrite=True)

    assert load_model(path).recipe == recipe


# ----------------------------------------------------------------- bad files


def test_missing_file(tmp_path):
    message = load_error(tmp_path / "absent.npz")

    assert "cannot read" in message and "absent.npz" in message


def test_text_file_is_not_a_model(tmp_path):
    (tmp_path / "m.npz").write_text("sepal,petal\n1,2\n")

    message = load_error(tmp_path / "m.npz")

    assert "is not a chainrule model" in message and "zip" in message


def test_empty_file(tmp_path):
    (tmp_path / "m.npz").write_bytes(b"")

    assert "empty" in load_error(tmp_path / "m.npz")


def test_npy_file_is_not_a_model(tmp_path):
    with open(tmp_path / "m.npz", "wb") as f:
        np.save(f, np.arange(3.0))

    message = load_error(tmp_path / "m.npz")

    assert "not a chainrule model" in message and ".npy" in message


def test_raw_pickle_is_not_loaded(tmp_path):
    # The pickle of the int 1 (protocol 4), written by hand: loading it must not be tried.
    (tmp_path / "m.npz").write_bytes(b"\x80\x04K\x01.")

    message = load_error(tmp_path / "m.npz")

    assert "not a chainrule model" in message and "pickle" in message


def test_npz_without_header(tmp_path):
    rewrite(tmp_path / "m.npz", {"W1": np.zeros((2, 2)), "b1": np.zeros(2)})

    message = load_error(tmp_path / "m.npz")

    assert "no '__chainrule__' header" in message and "W1" in message


def test_truncated_file(tmp_path):
    save_model(tmp_path / "m.npz", classifier())
    data = (tmp_path / "m.npz").read_bytes()
    (tmp_path / "m.npz").write_bytes(data[: len(data) // 2])

    message = load_error(tmp_path / "m.npz")

    assert "damaged" in message and "cut short" in message


def test_corrupt_header_json(tmp_path):
    save_model(tmp_path / "m.npz", classifier())
    entries = saved_entries(tmp_path / "m.npz")
    entries[HEADER_KEY] = np.frombuffer(b'{"format": "chainrule-model", "form', np.uint8)
    rewrite(tmp_path / "m.npz", entries)

    message = load_error(tmp_path / "m.npz")

    assert "damaged header" in message and "JSON" in message


def test_header_that_is_not_utf8(tmp_path):
    save_model(tmp_path / "m.npz", classifier())
    entries = saved_entries(tmp_path / "m.npz")
    entries[HEADER_KEY] = np.frombuffer(b"\xff\xfe{}", np.uint8)
    rewrite(tmp_path / "m.npz", entries)

    assert "damaged header" in load_error(tmp_path / "m.npz")


def test_header_of_another_format(tmp_path):
    rewrite(tmp_path / "m.npz", {HEADER_KEY: header_bytes({"format": "keras"})})

    message = load_error(tmp_path / "m.npz")

    assert "'keras'" in message and "chainrule-model" in message


def test_newer_format_version(tmp_path):
    save_model(tmp_path / "m.npz", classifier())
    entries = saved_entries(tmp_path / "m.npz")
    header = json.loads(entries[HEADER_KEY].tobytes())
    header.update(format_version=3, chainrule_version="9.0.0")
    entries[HEADER_KEY] = header_bytes(header)
    rewrite(tmp_path / "m.npz", entries)

    message = load_error(tmp_path / "m.npz")

    assert "newer chainrule (format 3" in message and "9.0.0" in message
    assert "reads up to format 2" in message and "pip install -U chainrule" in message


def test_a_format_1_model_file_still_loads(tmp_path):
    net = classifier()
    save_model(tmp_path / "m.npz", net)
    entries = saved_entries(tmp_path / "m.npz")
    header = json.loads(entries[HEADER_KEY].tobytes())
    header["format_version"] = 1
    entries[HEADER_KEY] = header_bytes(header)
    rewrite(tmp_path / "m.npz", entries)

    loaded = load_model(tmp_path / "m.npz")

    assert loaded.format_version == 1
    for mine, theirs in zip(net.parameters(), loaded.net.parameters(), strict=True):
        np.testing.assert_array_equal(mine, theirs)


def test_invalid_format_version(tmp_path):
    save_model(tmp_path / "m.npz", classifier())
    entries = saved_entries(tmp_path / "m.npz")
    header = json.loads(entries[HEADER_KEY].tobytes())
    header["format_version"] = "one"
    entries[HEADER_KEY] = header_bytes(header)
    rewrite(tmp_path / "m.npz", entries)

    assert "format_version" in load_error(tmp_path / "m.npz")


def test_pickled_object_is_refused(tmp_path):
    save_model(tmp_path / "m.npz", classifier())
    entries = saved_entries(tmp_path / "m.npz")
    entries["payload"] = np.array([{"run": "code"}], dtype=object)
    rewrite(tmp_path / "m.npz", entries)  # numpy.savez pickles object arrays

    message = load_error(tmp_path / "m.npz")

    assert "pickled Python object" in message and "'payload'" in message
    assert "run arbitrary code" in message


def test_pickled_header_is_refused(tmp_path):
    rewrite(tmp_path / "m.npz", {HEADER_KEY: np.array([{"format": "x"}], dtype=object)})

    assert "pickled Python object" in load_error(tmp_path / "m.npz")


def test_weight_of_the_wrong_shape(tmp_path):
    save_model(tmp_path / "m.npz", classifier())
    entries = saved_entries(tmp_path / "m.npz")
    entries["W2"] = np.zeros((5, 7))
    rewrite(tmp_path / "m.npz", entries)

    message = load_error(tmp_path / "m.npz")

    assert "W2 has shape (5, 7)" in message and "(5, 6)" in message and "4-6-5-3" in message


def test_missing_weight(tmp_path):
    save_model(tmp_path / "m.npz", classifier())
    entries = saved_entries(tmp_path / "m.npz")
    del entries["b3"]
    rewrite(tmp_path / "m.npz", entries)

    assert "b3 is missing" in load_error(tmp_path / "m.npz")


def test_extra_layer(tmp_path):
    save_model(tmp_path / "m.npz", classifier())
    entries = saved_entries(tmp_path / "m.npz")
    entries["W4"] = np.zeros((2, 3))
    rewrite(tmp_path / "m.npz", entries)

    assert "W4, beyond the last layer" in load_error(tmp_path / "m.npz")


def test_weight_of_the_wrong_dtype(tmp_path):
    save_model(tmp_path / "m.npz", classifier("float32"))
    entries = saved_entries(tmp_path / "m.npz")
    entries["W1"] = entries["W1"].astype(np.float64)
    rewrite(tmp_path / "m.npz", entries)

    assert "W1 has dtype float64" in load_error(tmp_path / "m.npz")


def test_network_config_that_cannot_be_built(tmp_path):
    save_model(tmp_path / "m.npz", classifier())
    entries = saved_entries(tmp_path / "m.npz")
    header = json.loads(entries[HEADER_KEY].tobytes())
    header["network"]["activations"][0] = {"name": "swish-from-the-future"}
    entries[HEADER_KEY] = header_bytes(header)
    rewrite(tmp_path / "m.npz", entries)

    assert "cannot build" in load_error(tmp_path / "m.npz")


def test_dangling_array_reference(tmp_path):
    save_model(tmp_path / "m.npz", classifier(), recipe={"mean": np.zeros(3)})
    entries = saved_entries(tmp_path / "m.npz")
    del entries["recipe/mean"]
    rewrite(tmp_path / "m.npz", entries)

    assert "'recipe/mean'" in load_error(tmp_path / "m.npz")
