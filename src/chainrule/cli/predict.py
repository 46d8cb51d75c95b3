"""``chainrule predict``: run a saved model on new inputs and write its predictions."""

from __future__ import annotations

import csv
import io
import json
import sys

import numpy as np

from ..errors import DataError
from .common import add_command

__all__ = ["add_parser", "run"]

EXAMPLES = """\
  chainrule predict iris.npz flowers.csv                   CSV of labels to standard output
  chainrule predict iris.npz flowers.csv --proba --out predictions.csv
  chainrule predict fmnist.npz t10k-images-idx3-ubyte.gz --format json --out p.json
  chainrule predict model.npz inputs.npy
"""


def add_parser(subparsers) -> None:
    p = add_command(subparsers, "predict",
                    "Predict with a saved model from a CSV, IDX or .npy file.", EXAMPLES, run)
    p.add_argument("model", help="a model file written by `chainrule train --out`")
    p.add_argument("input", help="CSV (features; other columns are dropped by name), "
                                 "IDX images (gzipped or not) or a .npy array")
    p.add_argument("--out", metavar="FILE", help="where to write (default: standard output)")
    p.add_argument("--format", choices=["csv", "json"],
                   help="output format (default: from --out's extension, else csv)")
    p.add_argument("--proba", action="store_true", help="also write class probabilities")
    p.add_argument("--force", action="store_true", help="overwrite --out if it exists")


def read_inputs(path: str, n_features: int, feature_names) -> np.ndarray:
    """Features ``(m, n_features)`` from a CSV, IDX or ``.npy`` file.

    Raises
    ------
    DataError
        If the file cannot be read or its samples do not have ``n_features`` values.
    """
    from ..data import read_csv_features, read_idx

    lower = path.lower()
    if lower.endswith(".npy"):
        try:
            X = np.load(path, allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise DataError(f"cannot read {path} as a numpy .npy array: {exc}") from None
    elif lower.endswith((".csv", ".csv.gz", ".txt")):
        X = read_csv_features(path, feature_names=feature_names, n_features=n_features)
    else:
        X = read_idx(path)

    X = np.asarray(X, dtype=np.float64)
    X = X.reshape(len(X), -1) if X.ndim > 1 else X.reshape(1, -1)
    if X.shape[1] != n_features:
        raise DataError(
            f"{path} gives samples of {X.shape[1]} values; the model expects {n_features}"
        )
    return X


def run(args) -> int:
    from ..data import Preprocessor
    from ..io import load_model

    model = load_model(args.model)
    prep = Preprocessor.from_dict(model.preprocessing)
    net = model.net
    X = prep.transform(read_inputs(args.input, net.sizes[0], prep.feature_names))

    columns, rows = _predictions(net, X, prep, args.proba)
    fmt = args.format or ("json" if (args.out or "").lower().endswith(".json") else "csv")
    text = _as_json(columns, rows) if fmt == "json" else _as_csv(columns, rows)

    if args.out is None:
        sys.stdout.write(text)
        return 0
    from ..io.atomic import atomic_write

    with atomic_write(args.out, overwrite=args.force) as f:
        f.write(text.encode())
    print(f"{len(rows)} predictions written to {args.out}", file=sys.stderr)
    return 0


def _predictions(net, X, prep, proba: bool) -> tuple[list[str], list[list]]:
    if prep.task != "classification":
        out = prep.unscale_targets(net.forward(X))
        n_out = out.shape[1]
        columns = ["prediction"] if n_out == 1 else [f"output_{j}" for j in range(n_out)]
        return columns, out.tolist()

    labels = prep.decode_labels(net.predict(X)).tolist()
    if not proba:
        return ["prediction"], [[label] for label in labels]
    P = net.predict_proba(X)
    columns = ["prediction"] + [f"p_{name}" for name in prep.class_names]
    return columns, [[label, *row] for label, row in zip(labels, P.tolist())]


def _as_csv(columns, rows) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue()


def _as_json(columns, rows) -> str:
    records = [dict(zip(columns, row)) for row in rows]
    return json.dumps(records, indent=1) + "\n"
