"""Checkpoints: a training run saved after any step, which resumes bit for bit.

A checkpoint is a model file (see :mod:`chainrule.io.modelfile`) whose header says
``"format": "chainrule-checkpoint"`` and also holds the trainer's
:meth:`~chainrule.training.Trainer.state_dict` (epoch, position in the epoch, shuffle
order, random generator, optimizer state, history, early-stopping best weights), the
trainer's own settings, the caller's recipe and a fingerprint of the training data.
The weights ``W1, b1, ...`` are those after the last step taken.

:func:`restore` refuses a checkpoint saved for another network, other settings, another
recipe or other data, unless forced, so a resumed run is the run that was stopped.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import DataError, ModelFileError
from ..network import Network, split_parameters
from ..training import Trainer
from .modelfile import (
    CHECKPOINT_FORMAT,
    MODEL_FORMAT,
    _base_header,
    _build_network,
    _check_dict,
    _pack,
    _parameter_arrays,
    _read_container,
    _unpack,
    _write_container,
)

__all__ = ["Checkpoint", "dataset_fingerprint", "load_checkpoint", "restore",
           "save_checkpoint"]

# Keys of Trainer.state_dict() that Trainer.load_state_dict() cannot do without.
_STATE_KEYS = ("epoch", "step_in_epoch", "order", "rng", "epoch_loss_sum",
               "epoch_correct", "epoch_seen", "optimizer", "history")

# The network's seed and init only decide the initial weights, which a restore replaces.
_NOT_ARCHITECTURE = ("seed", "init")

_MAX_LISTED = 8


@dataclass
class Checkpoint:
    """What :func:`load_checkpoint` returns; pass it to :func:`restore`.

    ``net`` has the weights after the last step taken; ``state`` is what
    ``Trainer.state_dict()`` returned; ``settings`` are the trainer's batch size,
    optimizer, schedule and the like, as :func:`restore` compares them.
    """

    net: Network
    state: dict
    recipe: dict
    dataset_fingerprint: str
    settings: dict
    format_version: int
    chainrule_version: str
    path: str = ""


def dataset_fingerprint(X: np.ndarray, y: np.ndarray) -> str:
    """A SHA-256 digest of the training data: bytes, shapes and dtypes of ``X`` and ``y``.

    Parameters
    ----------
    X : array, shape (m, N^(0))
    y : array, shape (m,) labels or (m, N^(L)) targets

    Returns
    -------
    str
        ``"sha256:"`` followed by 64 hex digits; equal data give equal strings.

    Raises
    ------
    DataError
        If an array holds Python objects, whose bytes are addresses, not data.
    """
    digest = hashlib.sha256(b"chainrule-dataset-1\0")
    for name, values in (("X", X), ("y", y)):
        values = np.ascontiguousarray(values)
        if values.dtype.hasobject:
            raise DataError(
                f"{name} must be an array of numbers or strings to be fingerprinted; "
                f"got dtype=object"
            )
        digest.update(f"{name}:{values.dtype.str}:{values.shape}\0".encode())
        digest.update(memoryview(values.reshape(-1).view(np.uint8)))
    return "sha256:" + digest.hexdigest()


def save_checkpoint(
    path: str | os.PathLike,
    trainer: Trainer,
    *,
    recipe: dict,
    dataset_fingerprint: str,
    overwrite: bool = True,
) -> None:
    """Write the trainer's network and state to ``path``, atomically.

    Call it between steps, e.g. from a callback's ``on_step_end`` or after ``run``
    returns: the file then resumes exactly where the trainer stands.

    Parameters
    ----------
    path : str or path-like
    trainer : Trainer
    recipe : dict
        How the run was set up (JSON values and arrays); :func:`restore` compares it.
    dataset_fingerprint : str
        :func:`dataset_fingerprint` of the training data.
    overwrite : bool
        Replace an existing checkpoint (the default: checkpoints are rewritten).

    Raises
    ------
    TypeError
        If ``trainer`` is not a Trainer, or ``recipe`` holds a value that cannot be stored.
    OutputExistsError, OutputPathError
        If the file exists and ``overwrite`` is false, or its directory is missing.
    """
    if not isinstance(trainer, Trainer):
        raise TypeError(f"trainer must be a chainrule Trainer; got {type(trainer).__name__}")
    if not isinstance(dataset_fingerprint, str):
        raise TypeError(
            f"dataset_fingerprint must be the str dataset_fingerprint(X, y) returns; "
            f"got {type(dataset_fingerprint).__name__}"
        )

    arrays = _parameter_arrays(trainer.net)
    header = _base_header(CHECKPOINT_FORMAT, trainer.net)
    header["recipe"] = _pack(_check_dict(recipe, "recipe"), arrays, "recipe")
    header["dataset_fingerprint"] = dataset_fingerprint
    header["trainer_settings"] = _settings(trainer)
    header["trainer_state"] = _pack(trainer.state_dict(), arrays, "trainer")

    _write_container(path, header, arrays, overwrite=overwrite)


def load_checkpoint(path: str | os.PathLike) -> Checkpoint:
    """Read a checkpoint written by :func:`save_checkpoint`.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    Checkpoint

    Raises
    ------
    ModelFileError
        On every failure :func:`~chainrule.io.load_model` reports, on a model file
        that is not a checkpoint, and on a checkpoint whose training state is incomplete.
    """
    header, arrays = _read_container(path)
    if header["format"] == MODEL_FORMAT:
        raise ModelFileError(
            f"file {path} is a chainrule model, not a checkpoint: it holds a trained "
            f"network but not the training state a resume needs. Load it with "
            f"load_model, or resume from a file written by save_checkpoint."
        )
    net = _build_network(path, header, arrays)

    missing = [k for k in ("recipe", "dataset_fingerprint", "trainer_settings",
                           "trainer_state") if k not in header]
    state = _unpack(header.get("trainer_state"), arrays, path)
    if not missing and isinstance(state, dict):
        missing = [f"trainer_state['{k}']" for k in _STATE_KEYS if k not in state]
    if missing:
        raise ModelFileError(
            f"file {path} is a damaged checkpoint: expected a header with the training "
            f"state, but it lacks {', '.join(missing)}."
        )
    if header["format_version"] == 1:
        _optimizer_state_from_format_1(state["optimizer"], net)

    return Checkpoint(
        net=net,
        state=state,
        recipe=_unpack(header["recipe"], arrays, path),
        dataset_fingerprint=header["dataset_fingerprint"],
        settings=header["trainer_settings"],
        format_version=header["format_version"],
        chainrule_version=header.get("chainrule_version", "unknown"),
        path=str(path),
    )


def restore(
    checkpoint: Checkpoint,
    trainer: Trainer,
    *,
    recipe: dict,
    dataset_fingerprint: str,
    force: bool = False,
) -> list[str]:
    """Put the checkpoint's weights and state into ``trainer``; ``trainer.run()`` resumes.

    The trainer must be built as the checkpointed one was (same architecture, batch
    size, optimizer, schedule, data); its network's weights are replaced.

    Parameters
    ----------
    checkpoint : Checkpoint
        From :func:`load_checkpoint`.
    trainer : Trainer
        A trainer for the resumed run, e.g. ``Trainer(Network.from_config(...), X, y, ...)``.
    recipe : dict
        The recipe of this run; it must equal the checkpoint's.
    dataset_fingerprint : str
        :func:`dataset_fingerprint` of this run's training data; it must equal the
        checkpoint's.
    force : bool
        Resume even if the architecture, settings, recipe or data differ.

    Returns
    -------
    list of str
        The differences that ``force`` overrode; empty when everything matched.

    Raises
    ------
    ModelFileError
        If something differs and ``force`` is false (the message lists each
        difference), or, even with ``force``, if the checkpoint cannot fit this
        trainer: other weight shapes, another optimizer, or another number of samples.
    """
    differences = _differences(checkpoint, trainer, recipe, dataset_fingerprint)
    if differences and not force:
        listed = differences[:_MAX_LISTED]
        if len(differences) > _MAX_LISTED:
            listed.append(f"and {len(differences) - _MAX_LISTED} more")
        raise ModelFileError(
            f"checkpoint {checkpoint.path} was saved for a different run: "
            f"{'; '.join(listed)}. Resume with the network, settings, recipe and data it "
            f"was saved with, or pass force=True (--force on the command line) to "
            f"resume anyway."
        )
    _check_fits(checkpoint, trainer)

    for mine, saved in zip(trainer.net.layers, checkpoint.net.layers):
        # Copies: training updates W and b in place, and the checkpoint must stay intact.
        mine.W = saved.W.copy()
        mine.b = saved.b.copy()
    trainer.load_state_dict(_copy(checkpoint.state))
    return differences


# ----------------------------------------------------------------- comparing


def _optimizer_state_from_format_1(optimizer: dict, net: Network) -> None:
    """Format 1 laid each ``W`` out row by row in the flat optimizer state; format 2
    stores ``W`` transposed, as :attr:`Network.theta` does. Move every entry over."""
    for key, vectors in optimizer.get("state", {}).items():
        optimizer["state"][key] = [_weights_transposed(np.asarray(v), net) for v in vectors]


def _weights_transposed(old: np.ndarray, net: Network) -> np.ndarray:
    if old.shape != net.theta.shape:
        return old  # does not fit this network: _check_fits says so
    new, start = np.empty_like(old), 0
    for W, b in split_parameters(new, net.sizes):
        n_out, n_in = W.shape
        W[...] = old[start:start + n_out * n_in].reshape(n_out, n_in)
        start += n_out * n_in
        b[...] = old[start:start + n_out]
        start += n_out
    return new


def _settings(trainer: Trainer) -> dict:
    """What decides the steps besides the state: compared on restore."""
    optimizer = _pack(trainer.optimizer.config(), {}, "optimizer")
    optimizer["lr"] = trainer.eta0
    return {
        "batch_size": trainer.batch_size,
        "shuffle": bool(trainer.shuffle),
        "optimizer": trainer.optimizer.name,
        "optimizer_config": optimizer,
        "schedule": _pack(trainer.schedule.config(), {}, "schedule"),
        "early_stopping": trainer.patience,
        "validation": trainer.validation is not None,
        "n_samples": int(trainer.X.shape[0]),
    }


def _architecture(config: dict) -> dict:
    return {k: v for k, v in config.items() if k not in _NOT_ARCHITECTURE}


def _differences(checkpoint: Checkpoint, trainer: Trainer, recipe: dict,
                 fingerprint: str) -> list[str]:
    _check_dict(recipe, "recipe")
    out: list[str] = []
    _diff("network", _architecture(checkpoint.net.config()),
          _architecture(trainer.net.config()), out)
    _diff("trainer", checkpoint.settings, _settings(trainer), out)
    _diff("recipe", checkpoint.recipe, recipe, out)
    _diff("the dataset fingerprint", checkpoint.dataset_fingerprint, fingerprint, out)
    return out


_ABSENT = object()


def _diff(where: str, saved: Any, given: Any, out: list[str]) -> None:
    """Append to ``out`` one line per leaf where ``saved`` and ``given`` differ."""
    if isinstance(saved, dict) and isinstance(given, dict):
        keys = list(saved) + [k for k in given if k not in saved]
        for key in keys:
            _diff(f"{where}[{key!r}]", saved.get(key, _ABSENT), given.get(key, _ABSENT), out)
        return

    if _canonical(saved) != _canonical(given):
        out.append(f"{where} is {_show(saved)} in the checkpoint but {_show(given)} here")


def _canonical(value: Any) -> str:
    # JSON text compares numbers exactly, tells 1 from 1.0 and True, and NaN equals NaN.
    if value is _ABSENT:
        return "absent"
    return json.dumps(_plain(value), sort_keys=True, allow_nan=True)


def _plain(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return {"dtype": value.dtype.str, "values": value.tolist()}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _show(value: Any) -> str:
    if value is _ABSENT:
        return "absent"
    text = repr(_plain(value))
    return text if len(text) <= 60 else text[:57] + "..."


def _check_fits(checkpoint: Checkpoint, trainer: Trainer) -> None:
    """Refuse, even when forced, a state this trainer cannot continue from."""
    problems = []
    saved_shapes = [p.shape for p in checkpoint.net.parameters()]
    shapes = [p.shape for p in trainer.net.parameters()]
    if saved_shapes != shapes:
        problems.append(f"its weights have shapes {saved_shapes}, this network's {shapes}")

    saved = checkpoint.state["optimizer"]
    if saved.get("name") != trainer.optimizer.name:
        problems.append(f"its optimizer state is for {saved.get('name')!r}, this trainer "
                        f"uses {trainer.optimizer.name!r}")
    else:
        for key, values in saved.get("state", {}).items():
            # The trainer's optimizer works on the one flat vector theta.
            if [np.shape(v) for v in values] != [trainer.net.theta.shape]:
                problems.append(f"its optimizer state '{key}' does not fit the weights")

    order = checkpoint.state["order"]
    m = trainer.X.shape[0]
    if order is not None and np.shape(order) != (m,):
        problems.append(f"its shuffle order covers {np.size(order)} samples, this data {m}")
    if checkpoint.state["step_in_epoch"] > trainer.steps_per_epoch:
        problems.append(f"it stopped after step {checkpoint.state['step_in_epoch']} of an "
                        f"epoch that has {trainer.steps_per_epoch} steps here")

    if problems:
        raise ModelFileError(
            f"checkpoint {checkpoint.path} cannot be restored into this trainer, even "
            f"with force: {'; '.join(problems)}. To start a new run from its weights, "
            f"load them with load_model instead."
        )


def _copy(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_copy(v) for v in value]
    return value
