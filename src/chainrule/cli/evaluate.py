"""``chainrule evaluate``: score a saved model on a dataset's test part or on a CSV file."""

from __future__ import annotations

import json

import numpy as np

from ..errors import DataError
from .common import add_command, is_data_file, load_data
from .report import evaluate_network, print_summary

__all__ = ["add_parser", "run"]

EXAMPLES = """\
  chainrule evaluate digits.npz digits           the test part of a built-in dataset
  chainrule evaluate fmnist.npz fashion-mnist    the official 10,000 test images
  chainrule evaluate houses.npz new-houses.csv   every row of your own CSV file
  chainrule evaluate model.npz data.csv --json scores.json
"""


def add_parser(subparsers) -> None:
    p = add_command(subparsers, "evaluate",
                    "Score a saved model: accuracy, per-class precision/recall/F1 and the "
                    "confusion matrix, or RMSE and R² for regression.", EXAMPLES, run)
    p.add_argument("model", help="a model file written by `chainrule train --out`")
    p.add_argument("data", help="a dataset name (its test part is used) or a CSV file "
                                "(every row is used)")
    p.add_argument("--data-dir", metavar="DIR", help="folder of IDX files (mnist)")
    p.add_argument("--target", help="CSV target column (default: the one trained on)")
    p.add_argument("--json", metavar="FILE", help="also write the scores as JSON")


def run(args) -> int:
    from ..data import Preprocessor, read_csv_labeled
    from ..io import load_model
    from ..io.atomic import atomic_write, check_writable

    if args.json:
        check_writable(args.json, overwrite=True)
    model = load_model(args.model)
    prep = Preprocessor.from_dict(model.preprocessing)
    recipe = model.recipe or {}
    task = prep.task

    if is_data_file(args.data):
        target = args.target if args.target is not None else recipe.get("target")
        X, raw = read_csv_labeled(args.data, target=-1 if target is None else target,
                                  feature_names=prep.feature_names, task=task)
        y = _encode(prep, raw, args) if task == "classification" else raw
    else:
        data = load_data(args.data, data_dir=args.data_dir)
        X, y = data.X_test, data.y_test
        if task == "classification":
            y = prep.encode_labels(np.asarray(data.class_names)[y])

    if X.shape[1] != model.net.sizes[0]:
        raise DataError(
            f"{args.data} has {X.shape[1]} features per sample; the model in {args.model} "
            f"was trained on {model.net.sizes[0]}"
        )
    metrics = evaluate_network(model.net, prep.transform(X), y, prep)
    print_summary(metrics, prep.class_names)
    if args.json:
        with atomic_write(args.json, overwrite=True) as f:
            f.write((json.dumps(metrics, indent=2) + "\n").encode())
    return 0


def _encode(prep, raw: np.ndarray, args) -> np.ndarray:
    """The model's class indices of the CSV's labels; a label it never saw names both files."""
    try:
        return prep.encode_labels(raw)
    except DataError as exc:
        raise DataError(f"{args.data} holds a label the model in {args.model} was not "
                        f"trained on. {exc}") from None
