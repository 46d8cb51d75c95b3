"""``chainrule evaluate``: the printed report and ``--json`` for both tasks.

Classification is scored on the pets CSV, whose labels and counts the test wrote;
regression on ``sine``, whose scores must equal those ``train --metrics`` wrote for
the same test part.
"""

from __future__ import annotations

import json

import numpy as np


def test_classification_report(cli, pets_model, tmp_path):
    out = tmp_path / "scores.json"
    result = cli("evaluate", pets_model.model, pets_model.csv, "--json", out)
    assert result.status == 0, result.err

    for word in ("test accuracy", "precision", "recall", "F1", "support",
                 "confusion matrix", "cat", "dog"):
        assert word in result.out, f"{word!r} missing:\n{result.out}"

    scores = json.loads(out.read_text())
    per_class = scores["per_class"]
    confusion = np.array(per_class["confusion"])
    n = pets_model.per_class
    # Every row of the file is scored; rows are the true classes cat, dog.
    assert confusion.shape == (2, 2) and confusion.sum() == 2 * n
    assert confusion.sum(axis=1).tolist() == [n, n] == per_class["support"]
    assert scores["test_accuracy"] == np.trace(confusion) / confusion.sum()
    recall = np.diag(confusion) / confusion.sum(axis=1)
    assert np.allclose(per_class["recall"], recall)
    for name in ("precision", "recall", "f1"):
        assert all(0.0 <= v <= 1.0 for v in per_class[name])


def test_regression_report(cli, tmp_path):
    trained = cli("train", "sine", "--epochs", "5", "--quiet", "--out", "s.npz",
                  "--metrics", "train.json")
    assert trained.status == 0, trained.err

    result = cli("evaluate", "s.npz", "sine", "--json", "eval.json")
    assert result.status == 0, result.err
    assert "RMSE" in result.out and "R²" in result.out
    assert "confusion" not in result.out

    scores = json.loads((tmp_path / "eval.json").read_text())
    at_training = json.loads((tmp_path / "train.json").read_text())
    for key in ("test_rmse", "test_r2", "test_loss", "test_samples"):
        assert scores[key] == at_training[key], key
    assert "test_accuracy" not in scores
