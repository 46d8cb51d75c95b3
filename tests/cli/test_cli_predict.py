"""``chainrule predict`` on a model trained from a CSV with string labels.

The inputs lie at the centres of the two clusters the model was trained on, so the
right label of each is known without asking chainrule. The input CSV has no target
column, its feature columns in another order and an extra ``id`` column.
"""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest

# Which cluster centre each input row sits on.
ROWS = ["cat", "dog", "dog", "cat"]


@pytest.fixture
def inputs(tmp_path, pets_model):
    path = tmp_path / "new.csv"
    lines = ["id,height,weight"]
    for i, label in enumerate(ROWS):
        weight, height = pets_model.centres[label]
        lines.append(f"{i},{height},{weight}")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_csv_to_stdout_has_the_original_labels(cli, pets_model, inputs):
    result = cli("predict", pets_model.model, inputs)
    assert result.status == 0, result.err

    rows = list(csv.reader(io.StringIO(result.out)))
    assert rows[0] == ["prediction"]
    assert [row[0] for row in rows[1:]] == ROWS


def test_csv_with_probabilities(cli, pets_model, inputs, tmp_path):
    out = tmp_path / "p.csv"
    result = cli("predict", pets_model.model, inputs, "--proba", "--out", out)
    assert result.status == 0, result.err
    assert str(out) in result.err and result.out == ""

    rows = list(csv.DictReader(out.open()))
    assert list(rows[0]) == ["prediction", "p_cat", "p_dog"]
    assert [row["prediction"] for row in rows] == ROWS
    P = np.array([[float(row["p_cat"]), float(row["p_dog"])] for row in rows])
    assert np.allclose(P.sum(axis=1), 1.0, atol=1e-6)
    assert [["cat", "dog"][k] for k in P.argmax(axis=1)] == ROWS


def test_json_with_probabilities(cli, pets_model, inputs, tmp_path):
    out = tmp_path / "p.json"
    result = cli("predict", pets_model.model, inputs, "--proba", "--out", out)
    assert result.status == 0, result.err

    records = json.loads(out.read_text())
    assert [r["prediction"] for r in records] == ROWS
    for record in records:
        assert set(record) == {"prediction", "p_cat", "p_dog"}
        assert record["p_cat"] + record["p_dog"] == pytest.approx(1.0, abs=1e-6)
        assert (record["p_dog"] > record["p_cat"]) == (record["prediction"] == "dog")


def test_json_format_to_stdout(cli, pets_model, inputs):
    result = cli("predict", pets_model.model, inputs, "--format", "json")
    assert result.status == 0, result.err
    assert json.loads(result.out) == [{"prediction": label} for label in ROWS]


def test_existing_out_needs_force(cli, pets_model, inputs, tmp_path, assert_clean_error):
    out = tmp_path / "p.csv"
    out.write_text("keep me\n")
    result = cli("predict", pets_model.model, inputs, "--out", out)
    assert_clean_error(result.status, result.err, str(out), "--force")
    assert out.read_text() == "keep me\n"

    assert cli("predict", pets_model.model, inputs, "--out", out, "--force").status == 0
    assert out.read_text().splitlines()[1:] == ROWS
