"""One entry point for every dataset by name, and the catalogue of them all."""

from __future__ import annotations

import os
from pathlib import Path

from chainrule.data.builtin import BUILTIN, builtin_infos, load_builtin
from chainrule.data.csv_reader import load_csv
from chainrule.data.dataset import Dataset, DatasetInfo
from chainrule.data.image_sets import IMAGE_SETS, image_set_infos, load_image_set
from chainrule.data.synthetic import SYNTHETIC, load_synthetic, synthetic_infos
from chainrule.errors import DataError

__all__ = ["list_datasets", "load_dataset", "dataset_names"]

_CSV_INFO = DatasetInfo(
    name="PATH.csv",
    kind="csv",
    size="any: rows are samples",
    source="your own file",
    licence="yours to know",
    description="Your own table: numeric feature columns and one target column "
                "(the last, or --target NAME|INDEX); header detected.",
)


def dataset_names() -> list[str]:
    """The names :func:`load_dataset` knows, in catalogue order."""
    return [*BUILTIN, *SYNTHETIC, *IMAGE_SETS]


def list_datasets() -> list[DatasetInfo]:
    """Describe every dataset chainrule can load, for ``chainrule datasets``.

    Returns
    -------
    list of DatasetInfo
        The built-in, synthetic and IDX datasets, then one line for CSV files.
    """
    return [*builtin_infos(), *synthetic_infos(), *image_set_infos(), _CSV_INFO]


def load_dataset(name: str, *, data_dir: str | os.PathLike | None = None, seed: int = 0,
                 n_samples: int | None = None, noise: float | None = None,
                 test_fraction: float = 0.2) -> Dataset:
    """Load a dataset by name, or a CSV file by path, split into train and test.

    Parameters
    ----------
    name : str
        A name from :func:`list_datasets` (case and ``_``/``-`` do not matter),
        or the path of a ``.csv`` file (last column the target, task inferred;
        use :func:`load_csv` for more control).
    data_dir : str, path-like or None
        Directory of the IDX files; only for ``mnist`` and ``fashion-mnist``.
    seed : int
        Seed of the split, and of the draw for synthetic data. Not used by the
        IDX datasets, which keep their official split.
    n_samples : int or None
        Synthetic: samples to draw. IDX: keep the first ``n_samples`` training
        images. Not accepted for other datasets.
    noise : float or None
        Synthetic only: standard deviation of the noise.
    test_fraction : float
        Share of the data for the test set; not used by the IDX datasets.

    Returns
    -------
    Dataset
        Raw (unscaled) features ``(m, n)`` float64 and targets; see
        :class:`~chainrule.data.Dataset`.

    Raises
    ------
    DataError
        If the name is unknown, an option does not apply to this dataset, or
        loading fails (see the loader of each kind).
    """
    if not isinstance(name, (str, os.PathLike)):
        raise DataError(f"name must be a dataset name or a CSV path; received {name!r}.")
    key = str(name).strip().lower().replace("_", "-")

    if key in SYNTHETIC:
        _refuse(key, data_dir=data_dir)
        return load_synthetic(key, seed=seed, n_samples=n_samples, noise=noise,
                              test_fraction=test_fraction)

    if key in IMAGE_SETS:
        _refuse(key, noise=noise)
        return load_image_set(key, data_dir=data_dir, n_samples=n_samples)

    if key in BUILTIN:
        _refuse(key, data_dir=data_dir, n_samples=n_samples, noise=noise)
        return load_builtin(key, seed=seed, test_fraction=test_fraction)

    path = Path(name)
    if key.endswith(".csv") or path.is_file():
        _refuse(str(name), data_dir=data_dir, n_samples=n_samples, noise=noise)
        if not path.is_file():
            raise DataError(f"CSV file {str(name)!r} does not exist.")
        return load_csv(path, test_fraction=test_fraction, seed=seed)

    raise DataError(f"Unknown dataset {str(name)!r}; expected one of "
                    f"{', '.join(dataset_names())}, or the path of a .csv file.")


def _refuse(name: str, **options: object) -> None:
    """Raise DataError for any of ``options`` that was given (is not None)."""
    given = [f"{option}={value!r}" for option, value in options.items() if value is not None]
    if given:
        raise DataError(f"{', '.join(given)} does not apply to the dataset {name!r}; "
                        "leave it unset. (n_samples and noise apply to synthetic data, "
                        "data_dir and n_samples to mnist and fashion-mnist.)")
