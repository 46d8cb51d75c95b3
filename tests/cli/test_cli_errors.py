"""Bad input on the command line: each a one-paragraph error, no traceback, non-zero exit.

Data and model files are broken on purpose here (cut short, corrupt, mismatched,
from the future, not a model, carrying a pickle), each run in a real process so that
its exit status and standard error are what a person would see.
"""

from __future__ import annotations

import json
import pathlib

import numpy as np
import pytest


def _train_idx(run_cli, folder, dataset="mnist"):
    return run_cli("train", dataset, "--data", folder, "--epochs", "1", "--quiet",
                   cwd=folder.parent)


# ----------------------------------------------------------------- IDX files


def test_idx_folder_that_is_fine_trains(run_cli, idx_folder):
    # The control for the tests below: the same files, unbroken, are accepted.
    result = _train_idx(run_cli, idx_folder("ok"))
    assert result.returncode == 0, result.stderr


def test_truncated_idx(run_cli, idx_folder, assert_clean_error):
    folder = idx_folder("cut")
    images = folder / "train-images-idx3-ubyte"
    images.write_bytes(images.read_bytes()[:-100])
    result = _train_idx(run_cli, folder)
    assert_clean_error(result.returncode, result.stderr, str(images), "truncated")


def test_corrupt_gzip(run_cli, idx_folder, assert_clean_error):
    folder = idx_folder("gz", gz=True)
    labels = folder / "train-labels-idx1-ubyte.gz"
    labels.write_bytes(labels.read_bytes()[:20])
    result = _train_idx(run_cli, folder)
    assert_clean_error(result.returncode, result.stderr, str(labels), "gzip")


def test_image_and_label_counts_differ(run_cli, idx_folder, assert_clean_error):
    folder = idx_folder("counts", n_train=20, n_train_labels=19)
    result = _train_idx(run_cli, folder)
    assert_clean_error(result.returncode, result.stderr, "train-images-idx3-ubyte",
                       "train-labels-idx1-ubyte", "20 images", "19 labels")


def test_fashion_mnist_in_an_empty_folder_says_how_to_get_it(run_cli, tmp_path,
                                                             assert_clean_error):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = _train_idx(run_cli, empty, dataset="fashion-mnist")
    # The four file names, whole, and both ways to get them.
    assert_clean_error(result.returncode, result.stderr, str(empty),
                       "train-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
                       "apt install dataset-fashion-mnist", "https://", "--data DIR")


# ----------------------------------------------------------------- CSV files


@pytest.mark.parametrize("cell, words", [("", ["a missing value"]), ("abc", ["'abc'"])])
def test_bad_feature_cell(run_cli, tmp_path, assert_clean_error, cell, words):
    path = tmp_path / "bad.csv"
    path.write_text(f"a,b,y\n1,2,x\n3,{cell},y\n4,5,x\n6,7,y\n")
    result = run_cli("train", path, "--epochs", "1", "--quiet", cwd=tmp_path)
    assert_clean_error(result.returncode, result.stderr, str(path), "line 3", "'b'", *words)


def test_target_column_that_does_not_exist(run_cli, pets_csv, tmp_path, assert_clean_error):
    result = run_cli("train", pets_csv, "--target", "species", "--epochs", "1", cwd=tmp_path)
    assert_clean_error(result.returncode, result.stderr, "'species'", str(pets_csv),
                       "'weight'", "'height'", "'kind'")


def test_evaluate_with_a_label_the_model_never_saw(run_cli, pets_model, tmp_path,
                                                   assert_clean_error):
    path = tmp_path / "new-labels.csv"
    path.write_text("weight,height,kind\n0,4,cat\n4,0,dog\n2,2,bird\n")
    result = run_cli("evaluate", pets_model.model, path, cwd=tmp_path)
    assert_clean_error(result.returncode, result.stderr, str(path), "'bird'", "'cat'",
                       "'dog'")
    assert result.stdout == ""


# ----------------------------------------------------------------- model files


def _rewrite(model, path, header_change=None, **extra) -> None:
    """Copy the model file ``model`` to ``path``, editing its JSON header and adding arrays."""
    with np.load(model) as npz:
        arrays = {name: npz[name] for name in npz.files}
    header = json.loads(arrays["__chainrule__"].tobytes().decode("utf-8"))
    header.update(header_change or {})
    arrays["__chainrule__"] = np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)
    np.savez(path, **arrays, **extra)


def test_model_from_a_newer_format(run_cli, pets_model, tmp_path, assert_clean_error):
    path = tmp_path / "future.npz"
    _rewrite(pets_model.model, path, {"format_version": 99})
    result = run_cli("predict", path, pets_model.csv, cwd=tmp_path)
    assert_clean_error(result.returncode, result.stderr, str(path), "newer", "99")

    # The control: the same rewrite without the version change is still a model.
    _rewrite(pets_model.model, tmp_path / "same.npz")
    assert run_cli("predict", "same.npz", pets_model.csv, cwd=tmp_path).returncode == 0


def test_text_file_is_not_a_model(run_cli, pets_model, tmp_path, assert_clean_error):
    path = tmp_path / "notes.npz"
    path.write_text("not a model\n")
    result = run_cli("evaluate", path, pets_model.csv, cwd=tmp_path)
    assert_clean_error(result.returncode, result.stderr, str(path), "not a chainrule model")


def test_plain_npz_is_not_a_model(run_cli, pets_model, tmp_path, assert_clean_error):
    path = tmp_path / "plain.npz"
    np.savez(path, W1=np.zeros((3, 2)), b1=np.zeros(3))
    result = run_cli("predict", path, pets_model.csv, cwd=tmp_path)
    assert_clean_error(result.returncode, result.stderr, str(path), "not a chainrule model",
                       "__chainrule__")


class _Trap:
    """Unpickling this object creates the file ``marker``: proof that a pickle was loaded."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return pathlib.Path.touch, (pathlib.Path(self.marker),)


@pytest.mark.parametrize("with_header", [True, False])
def test_model_with_a_pickled_object_is_refused(run_cli, pets_model, tmp_path,
                                                assert_clean_error, with_header):
    marker = tmp_path / "unpickled"
    trap = np.array([_Trap(marker)], dtype=object)
    path = tmp_path / "pickle.npz"
    if with_header:
        _rewrite(pets_model.model, path, x=trap)
    else:
        np.savez(path, x=trap)

    for command in ("predict", "evaluate"):
        result = run_cli(command, path, pets_model.csv, cwd=tmp_path)
        words = ["pickled", "'x'"] if with_header else ["not a chainrule model"]
        assert_clean_error(result.returncode, result.stderr, str(path), *words)
    assert not marker.exists(), "chainrule unpickled an object from the model file"

    # The control: the trap does go off when numpy is allowed to unpickle.
    with np.load(path, allow_pickle=True) as npz:
        npz["x"]
    assert marker.exists()


# ----------------------------------------------------------------- output paths


@pytest.mark.parametrize("option", ["--out", "--metrics"])
def test_train_output_in_a_missing_directory(run_cli, tmp_path, assert_clean_error, option):
    target = tmp_path / "no-such-dir" / "file"
    result = run_cli("train", "moons", "--epochs", "1", "--verbose", "2", option, target,
                     cwd=tmp_path)
    assert_clean_error(result.returncode, result.stderr, str(target),
                       str(target.parent), "does not exist")
    # Refused before training: no epoch table, no scores.
    assert "epoch" not in result.stderr and result.stdout == ""


@pytest.mark.parametrize("command, option", [("evaluate", "--json"), ("predict", "--out")])
def test_scores_and_predictions_in_a_missing_directory(run_cli, pets_model, tmp_path,
                                                      assert_clean_error, command, option):
    target = tmp_path / "no-such-dir" / "file"
    result = run_cli(command, pets_model.model, pets_model.csv, option, target, cwd=tmp_path)
    assert_clean_error(result.returncode, result.stderr, str(target), "does not exist")
    assert result.stdout == ""


# ----------------------------------------------------------------- options


@pytest.mark.parametrize("args, words", [
    (["--lr", "-1"], ["lr", "-1"]),
    (["--epochs", "-1"], ["epochs", "-1"]),
    (["--activation", "nonsense"], ["activation", "'nonsense'", "relu"]),
    (["--optimizer", "foo"], ["optimizer", "'foo'", "adam"]),
    (["--weight-decay", "-1"], ["weight_decay", "-1"]),
    (["--validation-split", "2"], ["validation_split", "2"]),
    (["--early-stopping", "3"], ["early_stopping", "validation_split"]),
])
def test_option_values_the_library_refuses(cli, assert_clean_error, args, words):
    result = cli("train", "moons", "--epochs", "1", "--quiet", *args)
    assert result.status == 2
    assert_clean_error(result.status, result.err, *words)
