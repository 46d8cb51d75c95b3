r"""Feature scaling and label coding, learnt from the training set alone.

Every scaling is one affine map per feature column ``j``:

.. math:: x'_j = (x_j - \mathrm{offset}_j) / \mathrm{scale}_j

========== ======================= ==============================
scaling    offset                  scale
========== ======================= ==============================
standard   training mean           training standard deviation
minmax     training minimum        training maximum - minimum
divide255  0                       255 (8-bit images to [0, 1])
none       0                       1
========== ======================= ==============================

Regression targets are standardized the same way (training mean and standard
deviation per output), so that a network whose outputs start near 0 can reach
targets in the thousands; :meth:`Preprocessor.unscale_targets` maps predictions
back to the original units.

A feature that is constant in the training set (or whose spread under- or
overflows a float) gets ``scale = 1``, so a constant maps to
0 under ``standard`` and ``minmax`` instead of dividing by zero. The test set
is transformed with the training statistics, never its own. ``X`` is
``(m, n)``: one sample per row.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from chainrule.data.dataset import SCALINGS, TASKS
from chainrule.errors import DataError

__all__ = ["Preprocessor", "label_key"]

_FORMAT = "chainrule.preprocessor"
_VERSION = 1


def label_key(label: object) -> str:
    """The text a class label is known by, so ``3``, ``3.0`` and ``"3"`` agree.

    Whole numbers become their integer text, other numbers their shortest
    float text, strings are stripped of surrounding blanks.
    """
    if isinstance(label, (str, np.str_)):
        text = label.strip()
        try:
            value = float(text)
        except ValueError:
            return text
    elif isinstance(label, (bool, np.bool_)):
        return str(label)
    elif isinstance(label, (int, float, np.integer, np.floating)):
        value = float(label)
    else:
        return str(label)

    if math.isfinite(value) and value.is_integer():
        return str(int(value))
    return repr(value) if math.isfinite(value) else str(label).strip()


class Preprocessor:
    """Scale features and code class labels with statistics of the training set.

    Parameters
    ----------
    scaling : {"standard", "minmax", "divide255", "none"}
        How features are scaled (see the module table). Use ``"divide255"`` for
        8-bit images; a :class:`~chainrule.data.Dataset` recommends one in its
        ``scaling`` field.

    Raises
    ------
    DataError
        If ``scaling`` is not one of the four.
    """

    def __init__(self, scaling: str = "standard") -> None:
        if scaling not in SCALINGS:
            raise DataError(f"scaling must be one of {SCALINGS}; "
                            f"received scaling={scaling!r}.")
        self.scaling = scaling
        self.task = "classification"
        self.offset: np.ndarray | None = None
        self.scale: np.ndarray | None = None
        self.feature_names: list[str] | None = None
        self.class_names: list[str] | None = None
        self.target_offset: np.ndarray | None = None
        self.target_scale: np.ndarray | None = None

    @property
    def n_features(self) -> int | None:
        """Feature columns seen by :meth:`fit`, None before it."""
        return None if self.offset is None else len(self.offset)

    def fit(self, X: np.ndarray, y: np.ndarray | Sequence | None = None,
            task: str = "classification", class_names: Sequence[str] | None = None,
            feature_names: Sequence[str] | None = None) -> Preprocessor:
        """Learn the scaling from training features and the classes from labels.

        Parameters
        ----------
        X : array-like, shape (m, n)
            Training features only; the test set must not be passed here.
        y : array-like, shape (m,), or None
            Original training labels (strings or numbers). Used only to find the
            classes when ``class_names`` is None for classification.
        task : {"classification", "regression"}
            Regression keeps no classes.
        class_names : sequence of str or None
            The original label of each class index, e.g. ``Dataset.class_names``.
        feature_names : sequence of str or None
            One name per column of ``X``, kept for reading prediction input.

        Returns
        -------
        Preprocessor
            ``self``, fitted.

        Raises
        ------
        DataError
            If ``X`` is not a non-empty 2-D array of finite numbers, ``task`` is
            unknown, or the names do not match ``X``.
        """
        X = _as_matrix(X, "X")
        if task not in TASKS:
            raise DataError(f"task must be one of {TASKS}; received task={task!r}.")

        self.task = task
        self.class_names = _classes(task, y, class_names)
        self.feature_names = _names(feature_names, X.shape[1])

        if self.scaling == "standard":
            offset, scale = X.mean(axis=0), X.std(axis=0)
        elif self.scaling == "minmax":
            offset, scale = X.min(axis=0), X.max(axis=0) - X.min(axis=0)
        else:
            divisor = 255.0 if self.scaling == "divide255" else 1.0
            offset, scale = np.zeros(X.shape[1]), np.full(X.shape[1], divisor)

        # A constant feature (range exactly 0, though round-off may leave its std
        # slightly above 0) or one whose spread underflows or overflows: divide by 1.
        constant = X.max(axis=0) == X.min(axis=0)
        usable = (scale >= np.finfo(np.float64).tiny) & np.isfinite(scale)
        if self.scaling in ("standard", "minmax"):
            scale = np.where(constant | ~usable, 1.0, scale)

        self.offset, self.scale = offset, scale
        if task == "regression" and y is not None:
            self._fit_targets(np.asarray(y, dtype=np.float64))
        return self

    def _fit_targets(self, y: np.ndarray) -> None:
        columns = y.reshape(len(y), -1)
        scale = columns.std(axis=0)
        usable = (scale >= np.finfo(np.float64).tiny) & np.isfinite(scale)
        self.target_offset = columns.mean(axis=0)
        self.target_scale = np.where(usable, scale, 1.0)

    def scale_targets(self, y: np.ndarray) -> np.ndarray:
        """Regression targets in training units: ``(y - mean) / std``, same shape as ``y``.

        Targets pass through unchanged when no target scaling was fitted
        (classification, or ``fit`` without ``y``).
        """
        y = np.asarray(y, dtype=np.float64)
        if self.target_offset is None:
            return y
        columns = (y.reshape(len(y), -1) - self.target_offset) / self.target_scale
        return columns.reshape(y.shape)

    def unscale_targets(self, y: np.ndarray) -> np.ndarray:
        """The inverse of :meth:`scale_targets`: network outputs back in the data's units."""
        y = np.asarray(y, dtype=np.float64)
        if self.target_offset is None:
            return y
        columns = y.reshape(len(y), -1) * self.target_scale + self.target_offset
        return columns.reshape(y.shape)

    def transform(self, X: np.ndarray) -> np.ndarray:
        r"""Scale features: ``x' = (x - offset) / scale`` column by column.

        Parameters
        ----------
        X : array-like, shape (m, n)
            Features with the ``n`` columns seen by :meth:`fit`.

        Returns
        -------
        numpy.ndarray, shape (m, n), float64
            A new array; ``X`` is not modified.

        Raises
        ------
        DataError
            If not fitted, or ``X`` is not finite numbers of ``n`` columns.
        """
        self._check_fitted()
        X = _as_matrix(X, "X", allow_empty=True)

        if X.shape[1] != self.n_features:
            raise DataError(f"X must have {self.n_features} feature columns, as in "
                            f"training; received shape {X.shape}.")
        return (X - self.offset) / self.scale

    def encode_labels(self, labels: np.ndarray | Sequence) -> np.ndarray:
        """Map original labels (strings or numbers) to class indices.

        Parameters
        ----------
        labels : array-like, shape (m,)
            Original labels, as found in the data file.

        Returns
        -------
        numpy.ndarray, shape (m,), int64
            ``class_names.index(label)`` for each label.

        Raises
        ------
        DataError
            If there are no classes, or a label is not one of them.
        """
        classes = self._check_classes()
        index = {label_key(name): i for i, name in enumerate(classes)}
        labels = np.asarray(labels, dtype=object).ravel()

        codes = np.empty(len(labels), dtype=np.int64)
        for position, label in enumerate(labels):
            key = label_key(label)
            if key not in index:
                raise DataError(f"Unknown label {label!r} at position {position}; "
                                f"expected one of the known classes {classes}.")
            codes[position] = index[key]
        return codes

    def decode_labels(self, indices: np.ndarray | Sequence[int]) -> np.ndarray:
        """Map class indices back to the original labels.

        Parameters
        ----------
        indices : array-like of int, shape (m,)
            Class indices ``0 .. k-1``, e.g. a network's arg-max predictions.

        Returns
        -------
        numpy.ndarray of str, shape (m,)
            ``class_names[i]`` for each index.

        Raises
        ------
        DataError
            If there are no classes, or an index is not an integer in ``0 .. k-1``.
        """
        classes = self._check_classes()
        indices = np.asarray(indices)

        k = len(classes)
        if indices.size and (indices.dtype.kind not in "iu"
                             or indices.min() < 0 or indices.max() >= k):
            raise DataError(f"indices must be integers from 0 to {k - 1}; received dtype "
                            f"{indices.dtype} with values {indices.ravel()[:10]}.")
        return np.array(classes, dtype=str)[indices.astype(np.int64)]

    def to_dict(self) -> dict:
        """The fitted state as plain lists, strings and floats (JSON-ready).

        Raises
        ------
        DataError
            If not fitted.
        """
        self._check_fitted()
        return {
            "format": _FORMAT,
            "version": _VERSION,
            "scaling": self.scaling,
            "task": self.task,
            "n_features": int(self.n_features),
            "offset": [float(v) for v in self.offset],
            "scale": [float(v) for v in self.scale],
            "feature_names": None if self.feature_names is None else list(self.feature_names),
            "class_names": None if self.class_names is None else list(self.class_names),
            "target_offset": _list_or_none(self.target_offset),
            "target_scale": _list_or_none(self.target_scale),
        }

    @classmethod
    def from_dict(cls, d: dict) -> Preprocessor:
        """Rebuild a fitted Preprocessor from :meth:`to_dict`'s output.

        Raises
        ------
        DataError
            If ``d`` is not such a dictionary: a key missing, a value of the
            wrong type or length, a scale that is not positive and finite.
        """
        if not isinstance(d, dict) or d.get("format") != _FORMAT:
            raise DataError(f"Expected a preprocessor dictionary with "
                            f"format={_FORMAT!r}; received {_summary(d)}.")
        if d.get("version") != _VERSION:
            raise DataError(f"Preprocessor dictionary version {d.get('version')!r} is not "
                            f"supported; this chainrule reads version {_VERSION}.")

        missing = [key for key in ("scaling", "task", "n_features", "offset", "scale",
                                   "feature_names", "class_names") if key not in d]
        if missing:
            raise DataError(f"Preprocessor dictionary lacks the key(s) {missing}.")

        pre = cls(d["scaling"])
        if d["task"] not in TASKS:
            raise DataError(f"Preprocessor dictionary: task must be one of {TASKS}; "
                            f"found {d['task']!r}.")
        pre.task = d["task"]

        n = d["n_features"]
        if not isinstance(n, int) or isinstance(n, bool) or n < 1:
            raise DataError(f"Preprocessor dictionary: n_features must be a positive "
                            f"integer; found {n!r}.")

        pre.offset = _float_list(d["offset"], "offset", n)
        pre.scale = _float_list(d["scale"], "scale", n)
        if (pre.scale <= 0).any():
            raise DataError("Preprocessor dictionary: every scale must be positive; "
                            f"found {pre.scale[pre.scale <= 0][:5].tolist()}.")

        pre.feature_names = _names(d["feature_names"], n)
        pre.class_names = _classes(pre.task, None, d["class_names"])

        # Target scaling came later; a dictionary without it scales no targets.
        if d.get("target_offset") is not None:
            k = len(d["target_offset"]) if isinstance(d["target_offset"], list) else 0
            pre.target_offset = _float_list(d["target_offset"], "target_offset", k)
            pre.target_scale = _float_list(d.get("target_scale"), "target_scale", k)
            if k < 1 or (pre.target_scale <= 0).any():
                raise DataError("Preprocessor dictionary: target_offset and target_scale "
                                "must be lists of the same positive length, every scale > 0; "
                                f"found {d['target_offset']!r} and {d.get('target_scale')!r}.")
        return pre

    def _check_fitted(self) -> None:
        if self.offset is None:
            raise DataError("This Preprocessor is not fitted; call fit(X_train) first.")

    def _check_classes(self) -> list[str]:
        if not self.class_names:
            raise DataError(f"This Preprocessor has no classes (task={self.task!r}); "
                            "fit it on a classification dataset with labels or "
                            "class_names.")
        return self.class_names


def _as_matrix(X: object, name: str, allow_empty: bool = False) -> np.ndarray:
    """``X`` as a float64 ``(m, n)`` array of finite numbers, or a DataError."""
    try:
        A = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise DataError(f"{name} must be a 2-D array of numbers; it could not be read "
                        f"as one ({exc}).") from exc

    if A.ndim != 2 or A.shape[1] == 0 or (A.shape[0] == 0 and not allow_empty):
        raise DataError(f"{name} must be a 2-D array (samples, features) with at least "
                        f"one {'column' if allow_empty else 'row and column'}; "
                        f"received shape {A.shape}.")

    if not np.isfinite(A).all():
        row, col = np.argwhere(~np.isfinite(A))[0]
        raise DataError(f"{name} must hold finite numbers; found {A[row, col]} at row "
                        f"{row}, column {col}.")
    return A


def _classes(task: str, y: object, class_names: object) -> list[str] | None:
    """The class list for ``task`` from ``class_names`` or, failing that, ``y``."""
    if task == "regression":
        if class_names is not None:
            raise DataError("class_names must be None for regression; "
                            f"received class_names={class_names!r}.")
        return None

    if class_names is not None:
        is_list = isinstance(class_names, (list, tuple))
        if not is_list or not all(isinstance(c, str) for c in class_names):
            raise DataError("class_names must be a list of strings; "
                            f"received {class_names!r}.")
        keys = [label_key(c) for c in class_names]
        if len(set(keys)) != len(keys):
            raise DataError(f"class_names must be distinct; received {class_names!r}.")
        return list(class_names)

    if y is None:
        return None
    keys = {label_key(label) for label in np.asarray(y, dtype=object).ravel()}
    try:
        return sorted(keys, key=float)
    except ValueError:
        return sorted(keys)


def _names(names: object, n: int) -> list[str] | None:
    """Check that ``names`` is None or ``n`` strings."""
    if names is None:
        return None

    is_list = isinstance(names, (list, tuple))
    if not is_list or len(names) != n or not all(isinstance(v, str) for v in names):
        raise DataError(f"feature_names must be None or a list of {n} strings; "
                        f"received {_summary(names)}.")
    return list(names)


def _float_list(values: object, key: str, n: int) -> np.ndarray:
    """Check a dictionary entry holds ``n`` finite numbers; return them as float64."""
    ok = isinstance(values, list) and len(values) == n and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
    if not ok or not all(math.isfinite(v) for v in values):
        raise DataError(f"Preprocessor dictionary: {key} must be a list of {n} finite "
                        f"numbers; found {_summary(values)}.")
    return np.array(values, dtype=np.float64)


def _summary(value: object) -> str:
    """A short description of a value for an error message."""
    text = repr(value)
    if len(text) > 80:
        text = text[:77] + "..."
    return f"{type(value).__name__} {text}"


def _list_or_none(values: np.ndarray | None) -> list[float] | None:
    return None if values is None else [float(v) for v in values]
