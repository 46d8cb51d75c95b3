"""``chainrule explain`` on the command line: options, formats and input errors."""

from __future__ import annotations

import json

import pytest

from chainrule.cli.main import build_parser, main


def _explain(capsys, *args) -> tuple[int, str, str]:
    status = main(["explain", *args])
    out, err = capsys.readouterr()
    return status, out, err


def test_help_shows_an_example(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["explain", "--help"])
    text = capsys.readouterr().out
    assert "examples:" in text and "chainrule explain --weights" in text


def test_default_runs_one_iteration_of_a_small_network(capsys):
    status, out, _ = _explain(capsys)
    assert status == 0
    assert "Network 2-3-2" in out and "Step 5" in out and "Iteration" not in out


@pytest.mark.parametrize("fmt, marker", [("markdown", "$$"), ("json", '"loss_before"')])
def test_formats(capsys, fmt, marker):
    status, out, _ = _explain(capsys, "--format", fmt, "--lang", "zh-TW")
    assert status == 0 and marker in out


def test_seed_changes_weights_and_sample(capsys):
    docs = []
    for seed in ("1", "2", "1"):
        _, out, _ = _explain(capsys, "--format", "json", "--seed", seed)
        docs.append(json.loads(out))
    assert docs[0] == docs[2]
    assert docs[0]["layers"][0]["W"] != docs[1]["layers"][0]["W"]


def _weights(tmp_path, text: str) -> str:
    path = tmp_path / "w.json"
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize("text, words", [
    ("{not json", ["not valid JSON"]),
    ('{"W": [[1]]}', ['"layers"', "keys ['W']"]),
    ('{"layers": [{"W": [[1, 2], [3]], "b": [0, 0]}]}', ["rectangular"]),
    ('{"layers": [{"W": [[1, 2]], "b": [0, 0]}]}', ["shape (1, 2)", "b of shape (2,)"]),
    ('{"layers": [{"W": [[1, 2]], "b": [0]}, {"W": [[1, 2]], "b": [0]}]}',
     ["layer 2", "1 outputs of layer 1", "shape (1, 2)"]),
])
def test_bad_weights_file(capsys, tmp_path, text, words):
    status, _, err = _explain(capsys, "--weights", _weights(tmp_path, text))
    assert status == 2
    for word in words:
        assert word in err.replace("\n", " ")


def test_missing_weights_file(capsys, tmp_path):
    status, _, err = _explain(capsys, "--weights", str(tmp_path / "nope.json"))
    assert status == 2 and "cannot read" in err


def test_layers_that_do_not_match_the_weights(capsys, mazur_weights):
    status, _, err = _explain(capsys, "--weights", str(mazur_weights), "--layers", "2-3-2")
    assert status == 2
    assert "--layers 2-3-2" in err and "2-2-2" in err


@pytest.mark.parametrize("args, words", [
    (["--input", "0.1,0.2,0.3"], ["2 numbers", "sample 1 has 3"]),
    (["--input", "0.1,x"], ["--input must be numbers"]),
    (["--target", "0.1"], ["2 numbers", "sample 1 has 1"]),
    (["--input", "0.1,0.2;0.3,0.4", "--target", "0.1,0.2"], ["one row per sample", "(2)"]),
    (["--layers", "2"], ["at least an input and an output"]),
    (["--layers", "2-a-2"], ["widths joined by '-'"]),
    (["--loss", "cross_entropy", "--target", "5"], ["0..1", "found 5"]),
    (["--loss", "cross_entropy", "--output-activation", "sigmoid"], ["needs", "softmax"]),
])
def test_bad_input_says_what_was_expected(capsys, args, words):
    status, _, err = _explain(capsys, *args)
    assert status == 2
    flat = " ".join(err.split())
    for word in words:
        assert word in flat, flat


def test_exercise_writes_sheet_and_key(capsys, tmp_path):
    status, out, _ = _explain(capsys, "--exercise", "--seed", "4", "--out", str(tmp_path))
    assert status == 0
    sheet = (tmp_path / "exercise-4.md").read_text()
    key = (tmp_path / "exercise-4-answers.md").read_text()
    assert "exercise-4.md" in out
    assert "## Tasks" in sheet and "Step 3" not in sheet
    assert "## Step 3" in key


def test_exercise_never_replaces_an_edited_sheet_without_force(capsys, tmp_path):
    sheet = tmp_path / "exercise-4.md"
    sheet.write_text("my edited sheet\n")

    status, _, err = _explain(capsys, "--exercise", "--seed", "4", "--out", str(tmp_path))
    assert status == 2 and "--force" in err
    assert sheet.read_text() == "my edited sheet\n"
    assert not (tmp_path / "exercise-4-answers.md").exists()

    status, _, _ = _explain(capsys, "--exercise", "--seed", "4", "--out", str(tmp_path),
                            "--force")
    assert status == 0 and "## Tasks" in sheet.read_text()


def test_exercise_from_the_teachers_weights(capsys, tmp_path, mazur_weights):
    status, _, _ = _explain(capsys, "--exercise", "--weights", str(mazur_weights),
                            "--input", "0.05,0.10", "--target", "0.01,0.99", "--loss", "sse",
                            "--out", str(tmp_path))
    assert status == 0
    sheet = (tmp_path / "exercise-0.md").read_text()
    assert "0.15 & 0.2" in sheet and "0.05" in sheet
    assert "0.7514" in (tmp_path / "exercise-0-answers.md").read_text()
