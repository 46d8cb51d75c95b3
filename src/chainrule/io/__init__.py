"""Reading and writing files: models, checkpoints, and the atomic writes beneath them.

>>> from chainrule.io import save_model, load_model
>>> save_model("model.npz", net, class_names=["cat", "dog"])   # doctest: +SKIP
>>> load_model("model.npz").net                                 # doctest: +SKIP
"""

from .atomic import OutputExistsError, OutputPathError, atomic_write, check_writable
from .checkpoint import (
    Checkpoint,
    dataset_fingerprint,
    load_checkpoint,
    restore,
    save_checkpoint,
)
from .modelfile import FORMAT_VERSION, LoadedModel, load_model, save_model

__all__ = [
    "FORMAT_VERSION",
    "Checkpoint",
    "LoadedModel",
    "OutputExistsError",
    "OutputPathError",
    "atomic_write",
    "check_writable",
    "dataset_fingerprint",
    "load_checkpoint",
    "load_model",
    "restore",
    "save_checkpoint",
    "save_model",
]
