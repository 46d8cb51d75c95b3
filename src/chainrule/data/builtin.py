"""The small tabular datasets that ship inside chainrule.

Each lives in ``chainrule/data/files/<name>.csv.gz``: a gzip-compressed CSV whose
header names the feature columns and ends with ``target``, the class index
``0 .. k-1``. The files are read with numpy alone. ``docs/datasets.md`` says
where each one comes from and how the files were made.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from importlib import resources

import numpy as np

from chainrule.data.dataset import Dataset, DatasetInfo
from chainrule.data.splitting import split_arrays
from chainrule.errors import DataError

__all__ = ["BUILTIN", "BuiltinSpec", "load_builtin"]

_UCI_LICENCE = "CC BY 4.0, via the UCI Machine Learning Repository"


@dataclass(frozen=True)
class BuiltinSpec:
    """What chainrule knows about one shipped dataset besides its numbers."""

    size: str
    class_names: tuple[str, ...]
    source: str
    description: str


BUILTIN: dict[str, BuiltinSpec] = {
    "digits": BuiltinSpec(
        size="1,797 × 64, 10 classes",
        class_names=tuple(str(d) for d in range(10)),
        source="UCI Optical Recognition of Handwritten Digits (Alpaydin & Kaynak, "
               "1998), test part",
        description="8×8 images of handwritten digits, each pixel a count 0..16.",
    ),
    "iris": BuiltinSpec(
        size="150 × 4, 3 classes",
        class_names=("setosa", "versicolor", "virginica"),
        source="Fisher (1936), as kept by the UCI Machine Learning Repository",
        description="Sepal and petal sizes in cm of three species of iris.",
    ),
    "wine": BuiltinSpec(
        size="178 × 13, 3 classes",
        class_names=("class_0", "class_1", "class_2"),
        source="UCI Wine (Forina et al., PARVUS)",
        description="Chemical analysis of Italian wines from three cultivars.",
    ),
    "breast-cancer": BuiltinSpec(
        size="569 × 30, 2 classes",
        class_names=("malignant", "benign"),
        source="UCI Breast Cancer Wisconsin (Diagnostic) (Wolberg, Street & "
               "Mangasarian, 1995)",
        description="Cell-nucleus measurements from breast-mass images, "
                    "malignant or benign.",
    ),
}


def builtin_infos() -> list[DatasetInfo]:
    """Catalogue lines for the shipped datasets."""
    return [DatasetInfo(name, "built-in", spec.size, spec.source, _UCI_LICENCE,
                        spec.description)
            for name, spec in BUILTIN.items()]


def load_builtin(name: str, *, seed: int = 0, test_fraction: float = 0.2) -> Dataset:
    """Load a shipped dataset with a stratified, seeded train/test split.

    Parameters
    ----------
    name : str
        One of ``BUILTIN``: ``"digits"``, ``"iris"``, ``"wine"``, ``"breast-cancer"``.
    seed : int
        Seed of the split; the default 0 gives the split chainrule's results use.
    test_fraction : float
        Share of each class that goes to the test set.

    Returns
    -------
    Dataset
        ``X_*`` float64 of shape ``(m, n)``, ``y_*`` int64 of shape ``(m,)``.

    Raises
    ------
    DataError
        If ``name`` is not a shipped dataset, its file is missing from the
        installation, or ``test_fraction`` is out of range.
    """
    if name not in BUILTIN:
        raise DataError(f"name must be one of the built-in datasets {sorted(BUILTIN)}; "
                        f"received name={name!r}.")
    spec = BUILTIN[name]

    feature_names, table = _read_file(name)
    X = table[:, :-1]
    y = table[:, -1].astype(np.int64)

    X_train, y_train, X_test, y_test = split_arrays(X, y, test_fraction, seed,
                                                    stratify=True)
    return Dataset(name=name, X_train=X_train, y_train=y_train, X_test=X_test,
                   y_test=y_test, task="classification",
                   class_names=list(spec.class_names), feature_names=feature_names,
                   source=spec.source, licence=_UCI_LICENCE)


def _read_file(name: str) -> tuple[list[str], np.ndarray]:
    """Read ``files/<name>.csv.gz``: the header's feature names and the float table."""
    resource = resources.files("chainrule.data").joinpath("files", f"{name}.csv.gz")
    try:
        with resource.open("rb") as raw, gzip.open(raw, "rt", encoding="ascii") as text:
            header = text.readline().strip().split(",")
            table = np.loadtxt(text, delimiter=",", dtype=np.float64, ndmin=2)
    except FileNotFoundError as exc:
        raise DataError(f"The built-in dataset file {name}.csv.gz is missing from the "
                        "chainrule installation; reinstall chainrule.") from exc

    return header[:-1], table
