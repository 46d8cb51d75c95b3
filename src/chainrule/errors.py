"""The exceptions chainrule raises, so a caller can catch each kind of failure.

Every message says what was expected and what was found. The command line prints
the message of a :class:`ChainruleError` as one paragraph, without a traceback.
"""

from __future__ import annotations

__all__ = [
    "ChainruleError",
    "DataError",
    "ModelFileError",
    "OutputExistsError",
    "OutputPathError",
    "ShapeError",
    "TrainingDiverged",
]


class ChainruleError(Exception):
    """Base class of every error chainrule raises on purpose."""


class ShapeError(ChainruleError, ValueError):
    """An array has the wrong shape for the network or for another array."""


class DataError(ChainruleError, ValueError):
    """A dataset, a data file or a value in it is not what chainrule can use."""


class ModelFileError(ChainruleError, ValueError):
    """A file is not a chainrule model or checkpoint, or one chainrule cannot read."""


class TrainingDiverged(ChainruleError, FloatingPointError):
    """The loss became NaN or infinite during training."""


class OutputExistsError(ChainruleError, FileExistsError):
    """The output file exists and ``overwrite=True`` (``--force``) was not given."""


class OutputPathError(ChainruleError, OSError):
    """The output path cannot be written: its directory is missing, or it is a directory."""
