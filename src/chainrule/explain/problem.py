"""The small problem ``chainrule explain`` works through: a network and its sample(s).

Shape convention, as in the engine: ``W`` of layer ``l`` is ``(N^(l), N^(l-1))`` with
row ``j`` holding the weights that enter neuron ``j``; ``b`` is ``(N^(l),)``; samples
are the rows of ``X`` ``(m, N^(0))`` and ``Y`` ``(m, N^(L))``.

Everything here is user input, so every check raises
:class:`~chainrule.errors.ShapeError` or :class:`~chainrule.errors.DataError` with a
message that says what was expected and what was found.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..errors import DataError, ShapeError
from ..network import Network

__all__ = [
    "build_network",
    "load_weights",
    "make_sample",
    "output_activation_for",
    "parse_layers",
    "parse_rows",
]


def parse_layers(text: str) -> list[int]:
    """``"2-3-2"`` or ``"2,3,2"`` -> ``[2, 3, 2]``: every width, input first.

    Raises
    ------
    DataError
        If ``text`` is not at least two positive whole numbers.
    """
    parts = [p for p in text.replace(",", "-").replace("x", "-").split("-") if p.strip()]
    try:
        sizes = [int(p) for p in parts]
    except ValueError:
        raise DataError(
            f"--layers must be widths joined by '-', input first, such as 2-3-2; got {text!r}"
        ) from None

    if len(sizes) < 2 or min(sizes) < 1:
        raise DataError(
            "--layers needs at least an input and an output width, each >= 1, such as "
            f"2-3-2; got {text!r}"
        )
    return sizes


def parse_rows(text: str, name: str) -> list[list[float]]:
    """``"0.05,0.10;0.2,0.3"`` -> ``[[0.05, 0.1], [0.2, 0.3]]``: one row per sample.

    Raises
    ------
    DataError
        If a value is not a number.
    """
    rows = []
    for chunk in text.split(";"):
        values = [v for v in chunk.replace(" ", ",").split(",") if v.strip()]
        try:
            rows.append([float(v) for v in values])
        except ValueError:
            raise DataError(
                f"{name} must be numbers separated by commas, samples separated by ';', "
                f"such as 0.05,0.10; got {text!r}"
            ) from None
    return rows


def load_weights(path: str | Path) -> list[tuple[np.ndarray, np.ndarray]]:
    """Read ``{"layers": [{"W": [[...], ...], "b": [...]}, ...]}`` from a JSON file.

    Row ``j`` of ``W`` holds the weights entering neuron ``j``, so ``W`` of layer
    ``l`` is ``(N^(l), N^(l-1))``. Keys other than ``layers`` (a ``source`` note, say)
    are allowed and ignored.

    Returns
    -------
    list of (W, b)
        float64 arrays, one pair per layer, in order ``l = 1..L``.

    Raises
    ------
    DataError
        If the file cannot be read or is not of that form.
    ShapeError
        If a ``W`` is not rectangular, a ``b`` does not match its ``W``, or a layer's
        input width differs from the previous layer's output width.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise DataError(f"--weights: cannot read {str(path)!r}: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise DataError(f"--weights: {str(path)!r} is not valid JSON: {exc}") from None

    layers = data.get("layers") if isinstance(data, dict) else None
    if not isinstance(layers, list) or not layers:
        raise DataError(
            f'--weights: expected an object {{"layers": [{{"W": [[...]], "b": [...]}}, ...]}} '
            f"with at least one layer; {str(path)!r} holds {_describe(data)}"
        )
    return [_read_layer(entry, l, layers) for l, entry in enumerate(layers, start=1)]


def _read_layer(entry, l: int, layers: list) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(entry, dict) or "W" not in entry or "b" not in entry:
        raise DataError(
            f'--weights: layer {l} must be an object with keys "W" and "b"; '
            f"got {_describe(entry)}"
        )

    try:
        W = np.array(entry["W"], dtype=np.float64)
        b = np.array(entry["b"], dtype=np.float64)
    except (TypeError, ValueError):
        raise ShapeError(
            f"--weights: W and b of layer {l} must be a rectangular list of rows of numbers "
            "and a list of numbers"
        ) from None

    if W.ndim != 2 or b.shape != (W.shape[0],):
        raise ShapeError(
            f"--weights: layer {l} needs W as rows (one per neuron) and one bias per row; "
            f"got W of shape {W.shape} and b of shape {b.shape}"
        )
    if l > 1:
        n_prev = len(layers[l - 2]["W"])
        if W.shape[1] != n_prev:
            raise ShapeError(
                f"--weights: layer {l} receives the {n_prev} outputs of layer {l - 1}, so "
                f"each row of its W needs {n_prev} weights; got W of shape {W.shape}"
            )
    if not (np.isfinite(W).all() and np.isfinite(b).all()):
        raise DataError(f"--weights: layer {l} holds a NaN or infinite weight")
    return W, b


def _describe(value) -> str:
    if isinstance(value, dict):
        return f"an object with keys {sorted(value)}"
    return f"a {type(value).__name__}"


def output_activation_for(loss: str, activation: str) -> str:
    """The output activation ``explain`` uses when none is given.

    The derivation applies the same :math:`\\sigma` in every layer, so the output
    layer repeats the hidden activation; only the losses that are defined on a
    particular output (softmax for ``cross_entropy``, sigmoid for
    ``binary_cross_entropy``) take their own.
    """
    pairs = {"cross_entropy": "softmax", "binary_cross_entropy": "sigmoid"}
    return pairs.get(loss, activation)


def build_network(
    sizes: Sequence[int] | None = None,
    activation: str = "sigmoid",
    output_activation: str | None = None,
    loss: str = "mse",
    params: list[tuple[np.ndarray, np.ndarray]] | None = None,
    seed: int = 0,
    decimals: int | None = 2,
) -> Network:
    """A float64 network with given parameters, or seeded ones rounded for hand work.

    Parameters
    ----------
    sizes : sequence of int, optional
        Widths, input first. Taken from ``params`` when omitted.
    activation, output_activation, loss : str
        As for :class:`~chainrule.network.Network`; the output activation defaults
        to :func:`output_activation_for`.
    params : list of (W, b), optional
        ``W`` ``(N^(l), N^(l-1))`` and ``b`` ``(N^(l),)`` per layer, e.g. from
        :func:`load_weights`. Used exactly as given.
    seed : int
        Seed of the engine's initializer when ``params`` is omitted.
    decimals : int, optional
        Round seeded weights to this many decimals so a reader can redo the
        arithmetic; ``None`` keeps them as drawn.

    Raises
    ------
    ShapeError
        If ``params`` do not fit ``sizes``.
    DataError
        If an activation or loss is unknown, or the loss cannot follow the output
        activation (``cross_entropy`` needs softmax).
    """
    if params is not None:
        implied = [params[0][0].shape[1]] + [W.shape[0] for W, _ in params]
        if sizes is not None and list(sizes) != implied:
            raise ShapeError(
                f"--layers {'-'.join(map(str, sizes))} does not match the weights file, "
                f"whose shapes give {'-'.join(map(str, implied))}"
            )
        sizes = implied
    sizes = [2, 3, 2] if sizes is None else list(sizes)

    output = output_activation or output_activation_for(loss, activation)
    try:
        net = Network(sizes, activation=activation, output_activation=output, loss=loss,
                      seed=seed, dtype="float64")
    except ValueError as exc:
        # An unknown name, or a loss that cannot follow the output activation.
        raise DataError(str(exc)) from None

    for l, layer in enumerate(net.layers):
        if params is not None:
            layer.W, layer.b = params[l]
        elif decimals is not None:
            layer.W = np.round(layer.W, decimals)
            # The initializer starts biases at 0; seeded ones give step 5 more to show.
            rng = np.random.default_rng([seed, l])
            layer.b = np.round(rng.uniform(-0.5, 0.5, layer.n_out), decimals)
    return net


def make_sample(
    net: Network,
    inputs: list[list[float]] | None = None,
    targets: list[list[float]] | None = None,
    seed: int = 0,
    decimals: int = 2,
) -> tuple[np.ndarray, np.ndarray]:
    """The sample(s) ``X`` ``(m, N^(0))`` and targets ``Y`` ``(m, N^(L))`` to explain.

    Parameters
    ----------
    net : Network
        Fixes the widths and the loss.
    inputs : list of rows, optional
        One row of ``N^(0)`` numbers per sample; drawn from ``seed`` when omitted.
    targets : list of rows, optional
        One row of ``N^(L)`` numbers per sample, or for ``cross_entropy`` one class
        label (0-based) per sample; drawn from ``seed`` when omitted.
    seed : int
        Seed of the drawn values.
    decimals : int
        Decimals of the drawn values.

    Raises
    ------
    ShapeError
        If a row of ``inputs`` or ``targets`` has the wrong length, or their sample
        counts differ.
    DataError
        If a target is not what the loss accepts (see :meth:`Network.encode_targets`).
    """
    n_in, n_out = net.sizes[0], net.sizes[-1]
    rng = np.random.default_rng([seed, 99])
    if inputs is None:
        inputs = np.round(rng.uniform(0.0, 1.0, (1, n_in)), decimals).tolist()
    m = len(inputs)
    for r, row in enumerate(inputs, start=1):
        if len(row) != n_in:
            raise ShapeError(
                f"--input: each sample needs {n_in} numbers, the width of the input layer; "
                f"sample {r} has {len(row)}: {row}"
            )

    if targets is None:
        targets = _draw_targets(net.loss_fn.name, m, n_out, rng, decimals)
    if len(targets) != m:
        raise ShapeError(
            f"--target needs one row per sample of --input ({m}); got {len(targets)}"
        )

    labels = net.loss_fn.name == "cross_entropy" and all(len(t) == 1 for t in targets)
    if labels and n_out > 1:
        Y = net.encode_targets(np.array([t[0] for t in targets]), m)
        return np.array(inputs, dtype=np.float64), Y

    for r, row in enumerate(targets, start=1):
        if len(row) != n_out:
            raise ShapeError(
                f"--target: each sample needs {n_out} numbers, the width of the output "
                f"layer; sample {r} has {len(row)}: {row}"
            )
    return np.array(inputs, dtype=np.float64), net.encode_targets(np.array(targets), m)


def _draw_targets(loss: str, m: int, n_out: int, rng, decimals: int) -> list:
    if loss == "cross_entropy":
        return [[float(c)] for c in rng.integers(0, n_out, m)]
    if loss == "binary_cross_entropy":
        return rng.integers(0, 2, (m, n_out)).astype(float).tolist()
    return np.round(rng.uniform(0.0, 1.0, (m, n_out)), decimals).tolist()
