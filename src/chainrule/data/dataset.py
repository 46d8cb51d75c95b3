"""The two records the data layer hands to the rest of chainrule.

Shape convention for the whole ``chainrule.data`` package: a batch is rows, so a
feature matrix ``X`` is ``(m, n)`` (``m`` samples, ``n`` features) and a label
vector ``y`` is ``(m,)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from chainrule.errors import DataError

__all__ = ["Dataset", "DatasetInfo", "TASKS", "SCALINGS"]

TASKS = ("classification", "regression")

# The feature scalings a Preprocessor knows; a Dataset recommends one of them.
SCALINGS = ("standard", "minmax", "divide255", "none")


@dataclass(frozen=True, eq=False)
class Dataset:
    """A dataset split into a training and a test part, features unscaled.

    Parameters
    ----------
    name : str
        The name it was loaded by (``"digits"``, ``"moons"``, a CSV file's stem).
    X_train : numpy.ndarray, shape (m, n), float64
        Raw training features, one sample per row.
    y_train : numpy.ndarray
        Classification: shape ``(m,)``, int64 labels ``0 .. k-1``.
        Regression: shape ``(m,)`` or ``(m, k)``, float64.
    X_test : numpy.ndarray, shape (m_test, n), float64
        Raw test features.
    y_test : numpy.ndarray
        Test targets, laid out as ``y_train``.
    task : str
        ``"classification"`` or ``"regression"``.
    class_names : list of str or None
        Classification: ``class_names[i]`` is the original label of class ``i``.
        Regression: None.
    feature_names : list of str or None
        One name per feature column, or None where the columns have no names.
    source : str
        One line: where the data comes from.
    licence : str
        One line: the terms the data is available under.
    scaling : str
        The feature scaling that suits this data (one of ``SCALINGS``):
        ``"divide255"`` for 8-bit images, ``"standard"`` otherwise.

    Raises
    ------
    DataError
        If the arrays disagree in shape or dtype with each other or with ``task``.

    Notes
    -----
    Equality is identity (``eq=False``): comparing arrays element-wise is the
    caller's decision.
    """

    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    task: str
    class_names: list[str] | None
    feature_names: list[str] | None
    source: str
    licence: str
    scaling: str = "standard"

    def __post_init__(self) -> None:
        if self.task not in TASKS:
            raise DataError(f"Dataset {self.name!r}: task must be one of {TASKS}; "
                            f"received task={self.task!r}.")

        if self.scaling not in SCALINGS:
            raise DataError(f"Dataset {self.name!r}: scaling must be one of {SCALINGS}; "
                            f"received scaling={self.scaling!r}.")

        for part in ("train", "test"):
            _check_part(self, part)

        n_train = self.X_train.shape[1]
        n_test = self.X_test.shape[1]
        if n_train != n_test:
            raise DataError(f"Dataset {self.name!r}: X_train has {n_train} features but "
                            f"X_test has {n_test}.")

        if self.feature_names is not None and len(self.feature_names) != n_train:
            raise DataError(f"Dataset {self.name!r}: {len(self.feature_names)} feature names "
                            f"for {n_train} feature columns.")

    def __repr__(self) -> str:
        # Shapes, not the arrays: a dataset's repr should fit on one line.
        classes = "" if self.class_names is None else f", {len(self.class_names)} classes"
        return (f"Dataset({self.name!r}, {self.task}{classes}, "
                f"train {self.X_train.shape}, test {self.X_test.shape})")

    @property
    def n_features(self) -> int:
        """Number of feature columns ``n``."""
        return int(self.X_train.shape[1])

    @property
    def n_classes(self) -> int | None:
        """Number of classes ``k`` for classification, None for regression."""
        if self.class_names is None:
            return None
        return len(self.class_names)


def _check_part(ds: Dataset, part: str) -> None:
    """Check dtype and shape of ``X_<part>`` and ``y_<part>``."""
    X = getattr(ds, f"X_{part}")
    y = getattr(ds, f"y_{part}")
    where = f"Dataset {ds.name!r}"

    if not isinstance(X, np.ndarray) or X.ndim != 2 or X.dtype != np.float64:
        raise DataError(f"{where}: X_{part} must be a 2-D float64 array; received "
                        f"{_describe(X)}.")

    if not isinstance(y, np.ndarray) or y.shape[:1] != X.shape[:1]:
        raise DataError(f"{where}: y_{part} must have one entry per row of X_{part} "
                        f"({X.shape[0]}); received {_describe(y)}.")

    if ds.task == "regression":
        if y.dtype != np.float64 or y.ndim not in (1, 2):
            raise DataError(f"{where}: regression y_{part} must be float64 of shape "
                            f"(m,) or (m, k); received {_describe(y)}.")
        return

    if y.dtype != np.int64 or y.ndim != 1:
        raise DataError(f"{where}: classification y_{part} must be int64 of shape (m,); "
                        f"received {_describe(y)}.")

    if ds.class_names is None:
        raise DataError(f"{where}: a classification dataset needs class_names.")

    k = len(ds.class_names)
    if y.size and (y.min() < 0 or y.max() >= k):
        raise DataError(f"{where}: y_{part} must hold labels 0..{k - 1} "
                        f"for {k} classes; found {y.min()}..{y.max()}.")


def _describe(a: object) -> str:
    """Say what ``a`` is: shape and dtype for arrays, the type otherwise."""
    if isinstance(a, np.ndarray):
        return f"shape {a.shape}, dtype {a.dtype}"
    return f"a {type(a).__name__}"


@dataclass(frozen=True)
class DatasetInfo:
    """One line of the dataset catalogue that ``chainrule datasets`` prints.

    Parameters
    ----------
    name : str
        The name ``load_dataset`` accepts.
    kind : str
        ``"built-in"``, ``"synthetic"``, ``"idx"`` or ``"csv"``.
    size : str
        Samples × features and the number of classes, for a person to read.
    source : str
        Where the data comes from.
    licence : str
        The terms the data is available under.
    description : str
        One sentence on what the data is.
    """

    name: str
    kind: str
    size: str
    source: str
    licence: str
    description: str
