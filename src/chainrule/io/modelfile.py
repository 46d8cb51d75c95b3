"""Model files: a trained network and what is needed to use it, in one ``.npz`` file.

The file is a numpy zip archive. It holds the parameters as arrays ``W1, b1, W2, b2,
...`` (``W{l}`` is ``(N^(l), N^(l-1))``, ``b{l}`` is ``(N^(l),)``, as in
:mod:`chainrule.layers`) and a JSON header, UTF-8 bytes stored as a ``uint8`` array
under the key ``__chainrule__``. Any other array a header value refers to is stored
under its own key and written in the header as ``{"__array__": KEY}``. The format is
described in ``docs/model-format.md``.

Files are read with ``numpy.load(..., allow_pickle=False)``: loading never runs code,
and a file that carries a pickled object is refused.
"""

from __future__ import annotations

import json
import os
import re
import zipfile
import zlib
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import ModelFileError
from ..network import Network
from .atomic import atomic_write

__all__ = ["FORMAT_VERSION", "LoadedModel", "load_model", "save_model"]

# Format 2 stores a checkpoint's flat optimizer state in the layout of Network.theta,
# where each W is kept transposed; format 1 kept W row by row. load_checkpoint moves a
# format 1 state over; model files store every W by its shape and read the same in both.
FORMAT_VERSION = 2
HEADER_KEY = "__chainrule__"
MODEL_FORMAT = "chainrule-model"
CHECKPOINT_FORMAT = "chainrule-checkpoint"
_FORMATS = (MODEL_FORMAT, CHECKPOINT_FORMAT)
_ARRAY_REF = "__array__"
_PARAMETER_KEY = re.compile(r"[Wb][0-9]+")

# What zipfile, zlib and numpy raise on a cut-short, corrupted or exotic archive entry.
_READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError,
                NotImplementedError)


@dataclass
class LoadedModel:
    """What :func:`load_model` returns: the network and the facts saved with it.

    ``preprocessing``, ``class_names``, ``recipe`` and ``metrics`` are ``None`` when
    they were not saved.
    """

    net: Network
    preprocessing: dict | None
    class_names: list | None
    recipe: dict | None
    metrics: dict | None
    format_version: int
    chainrule_version: str


def save_model(
    path: str | os.PathLike,
    net: Network,
    *,
    preprocessing: dict | None = None,
    class_names: list | None = None,
    recipe: dict | None = None,
    metrics: dict | None = None,
    overwrite: bool = False,
) -> None:
    """Write ``net`` and what goes with it to one ``.npz`` file, atomically.

    The dicts hold JSON values (str, int, float, bool, None, lists, dicts with str
    keys); numpy arrays and numpy scalars in them are stored too.

    Parameters
    ----------
    path : str or path-like
        The file to write, conventionally ending in ``.npz``.
    net : Network
        The network; its architecture (``net.config()``) and every ``W``, ``b``.
    preprocessing : dict, optional
        How raw inputs become the network's inputs, e.g. ``Preprocessor.to_dict()``.
    class_names : list, optional
        The label of each class index: one per output for softmax or multi-label
        outputs, two for a single sigmoid output.
    recipe : dict, optional
        How the network was trained (options, data source, seed).
    metrics : dict, optional
        Scores of the trained network, e.g. ``{"test_accuracy": 0.97}``.
    overwrite : bool
        Replace an existing file.

    Raises
    ------
    TypeError
        If ``net`` is not a Network, or a dict holds a value that cannot be stored.
    ValueError
        If ``class_names`` has the wrong length for the network's outputs.
    OutputExistsError, OutputPathError
        If the file exists and ``overwrite`` is false, or its directory is missing.
    """
    _check_network(net)
    if class_names is not None:
        class_names = _check_class_names(class_names, net)

    arrays = _parameter_arrays(net)
    header = _base_header(MODEL_FORMAT, net)
    header["class_names"] = class_names
    for name, value in (("preprocessing", preprocessing), ("recipe", recipe),
                        ("metrics", metrics)):
        header[name] = None if value is None else _pack(_check_dict(value, name), arrays, name)

    _write_container(path, header, arrays, overwrite=overwrite)


def load_model(path: str | os.PathLike) -> LoadedModel:
    """Read a model file written by :func:`save_model` (or the model in a checkpoint).

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    LoadedModel
        The network with its saved weights, and the facts saved with it.

    Raises
    ------
    ModelFileError
        If the file cannot be read, is not a chainrule model or checkpoint, is
        damaged, carries a pickled object, was written by a newer chainrule, or holds
        arrays that do not fit the network its header describes.
    """
    header, arrays = _read_container(path)
    net = _build_network(path, header, arrays)

    return LoadedModel(
        net=net,
        preprocessing=_unpack(header.get("preprocessing"), arrays, path),
        class_names=header.get("class_names"),
        recipe=_unpack(header.get("recipe"), arrays, path),
        metrics=_unpack(header.get("metrics"), arrays, path),
        format_version=header["format_version"],
        chainrule_version=header.get("chainrule_version", "unknown"),
    )


# ----------------------------------------------------------------- writing


def _check_network(net: Any) -> None:
    if not isinstance(net, Network):
        raise TypeError(f"net must be a chainrule Network; got {type(net).__name__}")


def _check_dict(value: Any, name: str) -> dict:
    if not isinstance(value, dict):
        raise TypeError(f"{name} must be a dict or None; got {type(value).__name__}")
    return value


def _check_class_names(class_names: Any, net: Network) -> list:
    if isinstance(class_names, np.ndarray):
        class_names = class_names.tolist()
    if not isinstance(class_names, (list, tuple)):
        raise TypeError(
            f"class_names must be a list of labels; got {type(class_names).__name__}"
        )

    class_names = [_label(name) for name in class_names]
    if net.loss_fn.classification:
        n_out = net.sizes[-1]
        expected = 2 if n_out == 1 and net.loss_fn.name == "binary_cross_entropy" else n_out
        if len(class_names) != expected:
            raise ValueError(
                f"class_names must have {expected} entries for this network "
                f"({n_out} output{'s' if n_out > 1 else ''}, loss={net.loss_fn.name!r}); "
                f"got {len(class_names)}: {class_names[:10]}"
            )
    return class_names


def _label(name: Any) -> str | int | float | bool:
    if isinstance(name, np.generic):
        name = name.item()
    if not isinstance(name, (str, int, float, bool)):
        raise TypeError(
            f"class_names must hold strings or numbers; got {name!r} of type "
            f"{type(name).__name__}"
        )
    return name


def _parameter_arrays(net: Network) -> dict[str, np.ndarray]:
    """``W1, b1, W2, b2, ...``: layer ``l`` of the derivation is ``net.layers[l - 1]``."""
    arrays = {}
    for l, layer in enumerate(net.layers, start=1):
        arrays[f"W{l}"] = layer.W
        arrays[f"b{l}"] = layer.b
    return arrays


def _base_header(kind: str, net: Network) -> dict:
    return {
        "format": kind,
        "format_version": FORMAT_VERSION,
        "chainrule_version": _chainrule_version(),
        "network": net.config(),
    }


def _chainrule_version() -> str:
    # Imported here, not at the top: chainrule/__init__ may one day import this module.
    from .. import __version__

    return __version__


def _pack(value: Any, arrays: dict, key: str) -> Any:
    """Return ``value`` as JSON data; each array in it goes to ``arrays`` under a new key.

    Raises
    ------
    TypeError
        On a value JSON cannot hold without loss: an object array, a dict with a
        non-string key, or any other Python object.
    """
    if isinstance(value, np.ndarray):
        if value.dtype.hasobject:
            raise TypeError(
                f"{key} is an array of Python objects (dtype=object), which only pickle "
                f"could store; convert it to numbers or strings first"
            )
        name = key
        while name in arrays or name == HEADER_KEY or _PARAMETER_KEY.fullmatch(name):
            name += "_"
        arrays[name] = value
        return {_ARRAY_REF: name}

    if isinstance(value, dict):
        if set(value) == {_ARRAY_REF}:
            raise TypeError(
                f"{key} is a dict whose only key is {_ARRAY_REF!r}, which model files "
                f"reserve for references to arrays; rename the key"
            )
        packed = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise TypeError(
                    f"{key} has the key {k!r} of type {type(k).__name__}; "
                    f"the keys of a saved dict must be strings"
                )
            packed[k] = _pack(v, arrays, f"{key}/{k}")
        return packed

    if isinstance(value, (list, tuple)):
        return [_pack(v, arrays, f"{key}/{i}") for i, v in enumerate(value)]
    if isinstance(value, np.generic) and not isinstance(value, (np.object_, np.void)):
        return value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(
        f"{key} is a {type(value).__name__}; a saved value must be a str, number, bool, "
        f"None, list, dict or numpy array"
    )


def _write_container(path: str | os.PathLike, header: dict, arrays: dict,
                     *, overwrite: bool) -> None:
    """Write ``arrays`` and the JSON ``header`` as one npz archive, atomically."""
    # Python's json writes NaN and Infinity as bare words; its reader takes them back.
    text = json.dumps(header, ensure_ascii=False, allow_nan=True)
    entries = dict(arrays)
    entries[HEADER_KEY] = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)

    with atomic_write(path, overwrite=overwrite) as file:
        np.savez(file, allow_pickle=False, **entries)


# ----------------------------------------------------------------- reading


def _read_container(path: str | os.PathLike) -> tuple[dict, dict[str, np.ndarray]]:
    """Return the checked header and every array of a chainrule file.

    Raises
    ------
    ModelFileError
        On each way a file can fail to be a chainrule file this version reads.
    """
    try:
        with open(path, "rb") as file:
            _check_is_zip(path, file.read(8))
            file.seek(0)
            arrays = _read_arrays(path, file)
    except OSError as error:
        raise ModelFileError(f"cannot read the model file {path}: {error.strerror}.") from None

    header = _parse_header(path, arrays.pop(HEADER_KEY))
    return header, arrays


def _check_is_zip(path: str | os.PathLike, start: bytes) -> None:
    # Checked first because numpy.load tries pickle on anything it does not recognise.
    if start.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return

    if not start:
        found = "the file is empty"
    elif start.startswith(b"\x93NUMPY"):
        found = "it is a single numpy array (.npy), as numpy.save writes"
    elif start.startswith(b"\x80"):
        found = "it looks like a Python pickle, which chainrule never loads"
    else:
        found = f"it starts with the bytes {start!r}"
    raise ModelFileError(
        f"file {path} is not a chainrule model: expected a numpy .npz (zip) archive, "
        f"but {found}."
    )


def _read_arrays(path: str | os.PathLike, file) -> dict[str, np.ndarray]:
    try:
        npz = np.load(file, allow_pickle=False)
    except (zipfile.BadZipFile, ValueError, EOFError) as error:
        raise _damaged(path, error) from None

    with npz:
        if HEADER_KEY not in npz.files:
            names = ", ".join(npz.files[:10]) or "none"
            raise ModelFileError(
                f"file {path} is not a chainrule model: it is a numpy .npz archive, but "
                f"it has no '{HEADER_KEY}' header, which chainrule writes in every model "
                f"and checkpoint (its arrays: {names}). Was it saved with numpy.savez?"
            )
        return {name: _read_entry(path, npz, name) for name in npz.files}


def _read_entry(path: str | os.PathLike, npz, name: str) -> np.ndarray:
    try:
        value = npz[name]
    except ValueError as error:
        if "allow_pickle" in str(error) or "Object arrays" in str(error):
            raise ModelFileError(
                f"file {path} holds a pickled Python object (entry '{name}'). chainrule "
                f"refuses to load it, because unpickling can run arbitrary code; a "
                f"chainrule model holds only numeric arrays and a JSON header."
            ) from None
        raise _damaged(path, error, name) from None
    except _READ_ERRORS as error:
        raise _damaged(path, error, name) from None

    if not isinstance(value, np.ndarray):
        raise ModelFileError(
            f"file {path} is not a chainrule model: its entry '{name}' is not a numpy "
            f"array (expected only .npy entries in the archive)."
        )
    return value


def _damaged(path, error: Exception, name: str | None = None) -> ModelFileError:
    where = f"its entry '{name}' " if name else ""
    return ModelFileError(
        f"file {path} is damaged: {where}could not be read as a numpy .npz archive "
        f"({error}). It may have been cut short while being written or copied; "
        f"expected a complete file as chainrule writes it."
    )


def _parse_header(path: str | os.PathLike, raw: np.ndarray) -> dict:
    if raw.dtype != np.uint8 or raw.ndim != 1:
        raise ModelFileError(
            f"file {path} has a damaged header: expected '{HEADER_KEY}' to be a 1-D "
            f"uint8 array of UTF-8 JSON, found dtype {raw.dtype} with shape {raw.shape}."
        )

    try:
        header = json.loads(raw.tobytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ModelFileError(
            f"file {path} has a damaged header: expected UTF-8 JSON in '{HEADER_KEY}', "
            f"but it does not parse ({error})."
        ) from None
    if not isinstance(header, dict):
        raise ModelFileError(
            f"file {path} has a damaged header: expected a JSON object, found "
            f"{type(header).__name__}."
        )

    kind = header.get("format")
    if kind not in _FORMATS:
        raise ModelFileError(
            f"file {path} is not a chainrule model: its header names the format "
            f"{kind!r}; expected one of {list(_FORMATS)}."
        )
    _check_version(path, header)
    return header


def _check_version(path: str | os.PathLike, header: dict) -> None:
    version = header.get("format_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ModelFileError(
            f"file {path} has a damaged header: expected format_version to be a "
            f"positive integer, found {version!r}."
        )
    if version > FORMAT_VERSION:
        written_by = header.get("chainrule_version")
        by = f", chainrule {written_by}" if isinstance(written_by, str) else ""
        raise ModelFileError(
            f"file {path} was written by a newer chainrule (format {version}{by}); this "
            f"version ({_chainrule_version()}) reads up to format {FORMAT_VERSION}. "
            f"Upgrade with: pip install -U chainrule"
        )


def _build_network(path: str | os.PathLike, header: dict, arrays: dict) -> Network:
    """Rebuild the network the header describes and give it the saved weights."""
    config = header.get("network")
    try:
        net = Network.from_config(config)
    except (AttributeError, IndexError, KeyError, TypeError, ValueError) as error:
        raise ModelFileError(
            f"file {path} describes a network chainrule cannot build: expected the "
            f"header's 'network' to be what Network.config() returns, found {config!r} "
            f"({type(error).__name__}: {error})."
        ) from None

    L = len(net.layers)
    extra = sorted(k for k in arrays if _PARAMETER_KEY.fullmatch(k) and int(k[1:]) > L)
    if extra:
        raise _mismatch(path, net, f"it holds {', '.join(extra)}, beyond the last layer")

    for l, layer in enumerate(net.layers, start=1):
        for name, shape in ((f"W{l}", (layer.n_out, layer.n_in)), (f"b{l}", (layer.n_out,))):
            if name not in arrays:
                raise _mismatch(path, net, f"the array {name} is missing")
            found = arrays[name]
            if found.shape != shape:
                raise _mismatch(path, net, f"{name} has shape {found.shape}, but layer "
                                           f"{l} needs {shape}")
            if found.dtype != net.dtype:
                raise _mismatch(path, net, f"{name} has dtype {found.dtype}, but the "
                                           f"network is {net.dtype.name}")
        layer.W = arrays[f"W{l}"]
        layer.b = arrays[f"b{l}"]
    return net


def _mismatch(path, net: Network, found: str) -> ModelFileError:
    shape = "-".join(str(n) for n in net.sizes)
    return ModelFileError(
        f"file {path} does not match the network its header describes: expected W1, "
        f"b1, ... for a {shape} {net.dtype.name} network, but {found}. The file is "
        f"damaged or was not written by chainrule."
    )


def _unpack(value: Any, arrays: dict, path: str | os.PathLike) -> Any:
    """Undo :func:`_pack`: replace each ``{"__array__": KEY}`` with the array ``KEY``."""
    if isinstance(value, dict):
        if set(value) == {_ARRAY_REF}:
            key = value[_ARRAY_REF]
            if key not in arrays:
                raise ModelFileError(
                    f"file {path} is damaged: its header refers to the array {key!r}, "
                    f"which the archive does not hold."
                )
            return arrays[key]
        return {k: _unpack(v, arrays, path) for k, v in value.items()}
    if isinstance(value, list):
        return [_unpack(v, arrays, path) for v in value]
    return value
