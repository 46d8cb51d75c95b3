"""``chainrule train``: the default run, metrics and model files, options, seeds, output.

Scores are never compared with numbers chainrule printed before: a test checks that
they are in range and that they agree with the saved model scored independently.
"""

from __future__ import annotations

import json
import math
import re

import numpy as np

from chainrule.data import Preprocessor, load_dataset
from chainrule.io import load_model
from chainrule.recipes import recipe_for

# One row of the per-epoch table: the epoch number, then the loss.
EPOCH_ROW = re.compile(r"^\s*(\d+)\s+\d+\.\d+\s", re.MULTILINE)


def test_without_a_dataset_trains_digits(run_cli, tmp_path):
    result = run_cli("train", "--epochs", "2", "--verbose", "0", "--metrics", "m.json",
                     cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr

    shown = re.search(r"test accuracy (\d+\.\d+)%", result.stdout)
    assert shown, result.stdout
    metrics = json.loads((tmp_path / "m.json").read_text())
    assert metrics["dataset"] == "digits" and metrics["epochs_run"] == 2
    assert shown.group(1) == f"{100 * metrics['test_accuracy']:.2f}"


def test_metrics_agree_with_the_saved_model(cli, tmp_path):
    result = cli("train", "moons", "--epochs", "5", "--quiet", "--out", "m.npz",
                 "--metrics", "m.json")
    assert result.status == 0, result.err

    metrics = json.loads((tmp_path / "m.json").read_text())
    assert 0.0 <= metrics["test_accuracy"] <= 1.0
    assert math.isfinite(metrics["test_loss"]) and metrics["test_loss"] >= 0.0

    # The same test part, scored here from the file alone.
    model = load_model(tmp_path / "m.npz")
    data = load_dataset("moons", seed=0)
    X = Preprocessor.from_dict(model.preprocessing).transform(data.X_test)
    accuracy = float(np.mean(model.net.predict(X) == data.y_test))
    assert metrics["test_accuracy"] == accuracy
    assert metrics["test_samples"] == len(data.y_test)


def test_out_is_not_overwritten_without_force(cli, tmp_path, assert_clean_error,
                                              parameters):
    model = tmp_path / "m.npz"
    assert cli("train", "moons", "--epochs", "2", "--quiet", "--out", model).status == 0
    first = model.read_bytes()

    again = cli("train", "moons", "--epochs", "2", "--verbose", "2", "--seed", "1",
                "--out", model)
    assert_clean_error(again.status, again.err, str(model), "already exists", "--force")
    assert model.read_bytes() == first
    assert "epoch" not in again.err, "it should refuse before training"

    forced = cli("train", "moons", "--epochs", "2", "--quiet", "--seed", "1", "--out", model,
                 "--force")
    assert forced.status == 0, forced.err
    assert model.read_bytes() != first
    assert load_model(model).recipe["seed"] == 1


def test_options_reach_the_saved_recipe_and_network(cli, tmp_path):
    options = {"--layers": "7,5", "--activation": "sigmoid", "--loss": "binary_cross_entropy",
               "--optimizer": "sgd", "--lr": "0.05", "--epochs": "3", "--batch-size": "8",
               "--seed": "3"}
    args = [item for pair in options.items() for item in pair]
    assert cli("train", "moons", *args, "--quiet", "--out", "m.npz").status == 0

    model = load_model(tmp_path / "m.npz")
    recipe = model.recipe
    assert recipe["hidden"] == [7, 5]
    assert recipe["activation"] == "sigmoid" and recipe["loss"] == "binary_cross_entropy"
    assert recipe["optimizer"] == "sgd" and recipe["lr"] == 0.05
    assert (recipe["epochs"], recipe["batch_size"], recipe["seed"]) == (3, 8, 3)
    assert recipe["dataset"] == "moons"
    assert model.metrics["epochs_run"] == 3

    config = model.net.config()
    # Two inputs for moons; one sigmoid output for two classes with binary cross-entropy.
    assert config["sizes"] == [2, 7, 5, 1]
    assert [a["name"] for a in config["activations"]] == ["sigmoid", "sigmoid", "sigmoid"]
    assert config["loss"] == "binary_cross_entropy"


def test_same_seed_gives_identical_weights(cli, same_parameters):
    for name, seed in (("a.npz", "4"), ("b.npz", "4"), ("c.npz", "5")):
        args = ("train", "moons", "--epochs", "3", "--seed", seed, "--quiet", "--out", name)
        assert cli(*args).status == 0
    assert same_parameters("a.npz", "b.npz")
    assert not same_parameters("a.npz", "c.npz")


def test_quiet_prints_nothing(run_cli, tmp_path):
    result = run_cli("train", "moons", "--epochs", "2", "--quiet", "--out", "m.npz",
                     "--metrics", "m.json", cwd=tmp_path)
    assert result.returncode == 0
    assert (result.stdout, result.stderr) == ("", "")
    assert (tmp_path / "m.npz").is_file() and (tmp_path / "m.json").is_file()


def test_verbose_prints_one_row_per_epoch_when_not_a_terminal(run_cli, tmp_path):
    # Standard error is a pipe here, so even level 1 falls back to rows.
    for level in ("1", "2"):
        result = run_cli("train", "moons", "--epochs", "3", "--verbose", level, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert "epoch" in result.stderr and "loss" in result.stderr
        assert [int(n) for n in EPOCH_ROW.findall(result.stderr)] == [1, 2, 3]
        # The rows are progress, not results: standard output has the scores only.
        assert not EPOCH_ROW.search(result.stdout)
        assert "test accuracy" in result.stdout


def test_regression_reports_rmse_and_r2(cli, tmp_path):
    result = cli("train", "sine", "--epochs", "5", "--verbose", "0", "--out", "s.npz",
                 "--metrics", "s.json")
    assert result.status == 0, result.err
    assert "RMSE" in result.out and "R²" in result.out
    assert "accuracy" not in result.out

    metrics = json.loads((tmp_path / "s.json").read_text())
    assert "test_accuracy" not in metrics
    assert metrics["test_rmse"] >= 0.0 and metrics["test_r2"] <= 1.0

    model = load_model(tmp_path / "s.npz")
    data = load_dataset("sine", seed=0)
    prep = Preprocessor.from_dict(model.preprocessing)
    predicted = prep.unscale_targets(model.net.forward(prep.transform(data.X_test))[:, 0])
    error = predicted - data.y_test
    assert np.isclose(metrics["test_rmse"], np.sqrt(np.mean(error**2)), rtol=1e-6)


def test_string_labels_are_kept(cli, pets_csv, tmp_path):
    result = cli("train", pets_csv, "--epochs", "3", "--quiet", "--out", "p.npz")
    assert result.status == 0, result.err

    model = load_model(tmp_path / "p.npz")
    assert model.class_names == ["cat", "dog"]
    assert model.recipe["dataset"] == "pets"
    assert Preprocessor.from_dict(model.preprocessing).feature_names == ["weight", "height"]


def test_regression_targets_far_from_zero_are_learnt_through_target_scaling(cli, tmp_path):
    """Targets around 50,000 with a spread of 10,000: unscaled, an MSE network that starts
    near 0 would spend its whole budget walking out to them."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(400, 3))
    y = 50_000 + 10_000 * (X[:, 0] - 0.5 * X[:, 1])
    rows = ["a,b,c,price"] + [f"{a:.6f},{b:.6f},{c:.6f},{t:.3f}" for (a, b, c), t in zip(X, y)]
    (tmp_path / "houses.csv").write_text("\n".join(rows) + "\n")

    result = cli("train", "houses.csv", "--target", "price", "--epochs", "40", "--quiet",
                 "--metrics", "m.json", "--out", "h.npz")
    assert result.status == 0, result.err
    metrics = json.loads((tmp_path / "m.json").read_text())
    assert metrics["test_r2"] > 0.95

    new = tmp_path / "new.csv"
    new.write_text("a,b,c\n1.0,0.0,0.0\n")
    predicted = cli("predict", "h.npz", str(new))
    assert predicted.status == 0, predicted.err
    value = float(predicted.out.splitlines()[1])
    assert abs(value - 60_000) < 3_000


def test_a_csv_named_like_a_built_in_dataset_takes_the_default_recipe(cli, tmp_path):
    rng = np.random.default_rng(5)
    X = rng.normal(size=(60, 2))
    rows = ["x1,x2,label"] + [f"{a:.4f},{b:.4f},{int(a > 0)}" for a, b in X]
    (tmp_path / "digits.csv").write_text("\n".join(rows) + "\n")

    result = cli("train", "digits.csv", "--epochs", "1", "--quiet", "--out", "d.npz")
    assert result.status == 0, result.err
    recipe = load_model(tmp_path / "d.npz").recipe
    assert recipe["hidden"] == recipe_for("default", "classification")["hidden"]
    assert recipe["hidden"] != recipe_for("digits", "classification")["hidden"]
