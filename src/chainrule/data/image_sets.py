"""MNIST and Fashion-MNIST: finding their four IDX files and loading them.

Both come as a directory of four files with the standard names
``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``,
``t10k-images-idx3-ubyte`` and ``t10k-labels-idx1-ubyte``, each possibly with
``.gz`` (a ``.`` in place of the last ``-``, as some mirrors spell it, is
accepted too). The official split is kept: 60,000 training and 10,000 test
images of 28×28 pixels.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from chainrule.data.dataset import Dataset, DatasetInfo
from chainrule.data.idx import load_idx_pair
from chainrule.errors import DataError

__all__ = ["IMAGE_SETS", "find_fashion_mnist", "find_idx_files", "load_image_set"]

# Where Debian's dataset-fashion-mnist package installs the four .gz files.
FASHION_MNIST_DIRS = [Path("/usr/share/datasets/fashion-mnist")]

_STEMS = {
    "train_images": ("train-images", "idx3-ubyte"),
    "train_labels": ("train-labels", "idx1-ubyte"),
    "test_images": ("t10k-images", "idx3-ubyte"),
    "test_labels": ("t10k-labels", "idx1-ubyte"),
}


@dataclass(frozen=True)
class ImageSetSpec:
    """Catalogue text and class names of one IDX image dataset."""

    class_names: tuple[str, ...]
    source: str
    licence: str
    description: str
    how_to_get: str


IMAGE_SETS: dict[str, ImageSetSpec] = {
    "mnist": ImageSetSpec(
        class_names=tuple(str(d) for d in range(10)),
        source="MNIST (LeCun, Cortes & Burges), files supplied by the user",
        licence="CC BY-SA 3.0",
        description="28×28 greyscale handwritten digits; needs --data DIR with the "
                    "four IDX files.",
        how_to_get="Download the four MNIST files (train-images-idx3-ubyte.gz, "
                   "train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, "
                   "t10k-labels-idx1-ubyte.gz) into one directory and pass it with "
                   "--data DIR (data_dir=DIR).",
    ),
    "fashion-mnist": ImageSetSpec(
        class_names=("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
                     "Shirt", "Sneaker", "Bag", "Ankle boot"),
        source="Fashion-MNIST (Xiao, Rasul & Vollgraf, 2017, Zalando Research)",
        licence="MIT",
        description="28×28 greyscale images of ten kinds of clothing; found in "
                    "/usr/share/datasets/fashion-mnist or --data DIR.",
        how_to_get="Install it with 'apt install dataset-fashion-mnist' (Debian and "
                   "Ubuntu put it in /usr/share/datasets/fashion-mnist), or download "
                   "the four files train-images-idx3-ubyte.gz, "
                   "train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and "
                   "t10k-labels-idx1-ubyte.gz from "
                   "https://github.com/zalandoresearch/fashion-mnist into one "
                   "directory and pass it with --data DIR (data_dir=DIR).",
    ),
}


def image_set_infos() -> list[DatasetInfo]:
    """Catalogue lines for the IDX image datasets."""
    return [DatasetInfo(name, "idx", "70,000 × 784, 10 classes", spec.source,
                        spec.licence, spec.description)
            for name, spec in IMAGE_SETS.items()]


def find_idx_files(data_dir: str | os.PathLike) -> dict[str, Path]:
    """Find the four standard IDX files in ``data_dir``.

    Parameters
    ----------
    data_dir : str or path-like
        Directory to look in.

    Returns
    -------
    dict of str to Path
        Keys ``train_images``, ``train_labels``, ``test_images``, ``test_labels``.

    Raises
    ------
    DataError
        If ``data_dir`` is not a directory or lacks one of the files; the message
        lists the names looked for and what the directory holds.
    """
    directory = Path(data_dir)
    if not directory.is_dir():
        raise DataError(f"data_dir must be a directory holding the four IDX files; "
                        f"received data_dir={str(data_dir)!r}, which is not a directory.")

    found, missing = {}, []
    for role, names in _candidate_names().items():
        hits = [directory / name for name in names if (directory / name).is_file()]
        if hits:
            found[role] = hits[0]
        else:
            missing.append(names[0])

    if missing:
        present = sorted(p.name for p in directory.iterdir())[:20]
        raise DataError(f"{directory} lacks {', '.join(missing)} (with or without .gz); "
                        f"expected the four standard IDX files, found "
                        f"{present or 'an empty directory'}.")
    return found


def find_fashion_mnist(data_dir: str | os.PathLike | None = None) -> Path:
    """Return the directory that holds the four Fashion-MNIST files.

    Parameters
    ----------
    data_dir : str, path-like or None
        Where the user put the files; None looks where Debian's
        ``dataset-fashion-mnist`` package installs them.

    Returns
    -------
    pathlib.Path
        A directory in which :func:`find_idx_files` finds all four files.

    Raises
    ------
    DataError
        If the files are not there; the message says how to get them.
    """
    how = IMAGE_SETS["fashion-mnist"].how_to_get
    given = data_dir is not None
    candidates = [Path(data_dir)] if given else FASHION_MNIST_DIRS

    problems = []
    for directory in candidates:
        if not given and not directory.is_dir():
            problems.append(f"{directory} does not exist.")
            continue
        try:
            find_idx_files(directory)
        except DataError as exc:
            problems.append(str(exc))
            continue
        return directory

    if not given:
        problems.insert(0, "No data directory was given, so the default places were searched:")
    raise DataError(f"Fashion-MNIST not found. {' '.join(problems)} {how}")


def load_image_set(name: str, *, data_dir: str | os.PathLike | None = None,
                   n_samples: int | None = None) -> Dataset:
    """Load MNIST or Fashion-MNIST with its official train/test split.

    Parameters
    ----------
    name : str
        ``"mnist"`` or ``"fashion-mnist"``.
    data_dir : str, path-like or None
        Directory of the four files; required for ``mnist``.
    n_samples : int or None
        Keep only the first ``n_samples`` training images (a faster run); the
        test set is always the full official one.

    Returns
    -------
    Dataset
        ``X_*`` float64 of shape ``(m, 784)`` with raw pixels 0..255, ``y_*``
        int64 of shape ``(m,)``, ``scaling="divide255"``.

    Raises
    ------
    DataError
        If the files cannot be found or read (see :func:`chainrule.data.read_idx`),
        or ``n_samples`` is not a positive integer.
    """
    if name not in IMAGE_SETS:
        raise DataError(f"name must be one of {sorted(IMAGE_SETS)}; received name={name!r}.")
    spec = IMAGE_SETS[name]

    if name == "fashion-mnist":
        files = find_idx_files(find_fashion_mnist(data_dir))
    elif data_dir is None:
        raise DataError(f"MNIST needs a data directory; none was given. {spec.how_to_get}")
    else:
        files = find_idx_files(data_dir)

    is_int = isinstance(n_samples, (int, np.integer)) and not isinstance(n_samples, bool)
    if n_samples is not None and (not is_int or n_samples < 1):
        raise DataError(f"n_samples must be a positive integer or None; "
                        f"received n_samples={n_samples!r}.")

    X_train, y_train = load_idx_pair(files["train_images"], files["train_labels"])
    X_test, y_test = load_idx_pair(files["test_images"], files["test_labels"])
    if n_samples is not None:
        # Copies, so the full 60,000-image array can be freed.
        X_train, y_train = X_train[:n_samples].copy(), y_train[:n_samples].copy()

    _check_labels(name, files, y_train, y_test, len(spec.class_names))
    return Dataset(name=name, X_train=X_train, y_train=y_train, X_test=X_test,
                   y_test=y_test, task="classification",
                   class_names=list(spec.class_names), feature_names=None,
                   source=spec.source, licence=spec.licence, scaling="divide255")


def _candidate_names() -> dict[str, list[str]]:
    """For each role, the file names accepted, preferred first."""
    names = {}
    for role, (stem, kind) in _STEMS.items():
        bases = [f"{stem}-{kind}", f"{stem}.{kind}"]
        names[role] = [name for base in bases for name in (base + ".gz", base)]
    return names


def _check_labels(name: str, files: dict[str, Path], y_train: np.ndarray,
                  y_test: np.ndarray, k: int) -> None:
    """Raise DataError if a label is outside ``0 .. k-1``."""
    for role, y in (("train_labels", y_train), ("test_labels", y_test)):
        if y.size and (y.min() < 0 or y.max() >= k):
            raise DataError(f"{files[role]} holds labels {y.min()}..{y.max()}; "
                            f"expected 0..{k - 1} for the {k} classes of {name}.")
