"""Pieces every subcommand shares: parser set-up, option types and loading data."""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from contextlib import contextmanager

from ..errors import ChainruleError, DataError

__all__ = ["add_command", "int_list", "is_data_file", "load_data", "option_errors",
           "positive_int"]


def add_command(subparsers, name: str, summary: str, examples: str,
                run) -> argparse.ArgumentParser:
    """Add subcommand ``name`` whose ``--help`` ends with ``examples``."""
    parser = subparsers.add_parser(
        name,
        help=summary,
        description=summary,
        epilog="examples:\n" + examples,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.set_defaults(run=run)
    return parser


def int_list(text: str) -> list[int]:
    """``"128,64"`` -> ``[128, 64]``; ``""`` or ``"none"`` -> ``[]`` (no hidden layer)."""
    if text.strip().lower() in ("", "none"):
        return []
    try:
        values = [int(part) for part in text.replace("-", ",").split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected widths separated by commas, such as 128,64; got {text!r}"
        ) from None
    if any(v < 1 for v in values):
        raise argparse.ArgumentTypeError(f"every width must be >= 1; got {text!r}")
    return values


@contextmanager
def option_errors() -> Iterator[None]:
    """Report a value the library refuses (``--lr -1``, ``--activation foo``) as a usage error.

    The constructors check their arguments with ``ValueError``; inside this block such
    an error becomes a :class:`ChainruleError`, which ``main`` prints as one paragraph
    with exit status 2 instead of a traceback.
    """
    try:
        yield
    except ChainruleError:
        raise
    except ValueError as exc:
        raise ChainruleError(f"invalid option: {exc}") from None


def positive_int(text: str) -> int:
    """An integer >= 1, with a clear message otherwise."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number; got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number >= 1; got {value}")
    return value


def is_data_file(name: str) -> bool:
    """Whether a dataset argument names the user's CSV file rather than a known dataset."""
    return name.lower().endswith((".csv", ".csv.gz", ".txt")) or os.sep in name


def load_data(name: str, *, data_dir=None, target=None, task=None, seed: int = 0,
              n_samples=None, noise=None):
    """Load a named dataset, or the user's CSV file when ``name`` is a path to one.

    Raises
    ------
    DataError
        If ``name`` is neither a known dataset nor an existing CSV file.
    """
    from ..data import list_datasets, load_csv, load_dataset

    if is_data_file(name):
        if not os.path.isfile(name):
            raise DataError(f"no such data file: {name!r}")
        return load_csv(name, target=-1 if target is None else target, task=task, seed=seed)

    known = [info.name for info in list_datasets()]
    if name not in known:
        raise DataError(
            f"unknown dataset {name!r}; expected one of {', '.join(known)}, or the path "
            "of a CSV file (see `chainrule datasets`)"
        )
    return load_dataset(name, data_dir=data_dir, seed=seed, n_samples=n_samples, noise=noise)
