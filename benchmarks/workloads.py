r"""The benchmark workloads, their data and their floating-point work.

A workload fixes everything the three engines must share: the layer widths, the
hidden activation, the batch size, the optimizer with its learning rate, the number
of samples and the seed. Data are rows, ``X`` of shape ``(n, N^(0))`` in float32 and
integer labels ``y`` of shape ``(n,)``; every network ends in softmax cross-entropy.

Workloads (a) to (d) run on seeded synthetic data of MNIST's shape, so they need no
files; (e) reads Fashion-MNIST (see :mod:`fashion_mnist`).

FLOPs count the matrix products only (element-wise work is ignored). For a layer
with ``n_in`` inputs and ``n_out`` outputs on a batch of ``m`` rows:

* forward, :math:`Z = A W^\top`: ``2 m n_in n_out``;
* backward, :math:`\partial C/\partial W = \Delta^\top A`: ``2 m n_in n_out``, and the
  propagated error :math:`\Delta W`: ``2 m n_in n_out`` for every layer but the
  first (the input needs no error).

So one training step costs ``6 m Σ n_in n_out − 2 m N^(0) N^(1)`` and one inference
batch ``2 m Σ n_in n_out``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from itertools import pairwise

import numpy as np

__all__ = [
    "GROUPS",
    "WORKLOADS",
    "Workload",
    "batch_sizes",
    "epoch_flops",
    "expand",
    "make_data",
    "quick_version",
    "resolve",
]

MNIST_SHAPE = (784, 10)


@dataclass(frozen=True)
class Workload:
    """One benchmark: a network, a recipe and what is measured.

    ``kind`` is ``"train"`` (one epoch), ``"infer"`` (forward passes over the data)
    or ``"accuracy"`` (epochs until ``target`` test accuracy on Fashion-MNIST).
    """

    key: str
    title: str
    sizes: tuple[int, ...]
    activation: str
    batch_size: int
    optimizer: str
    lr: float
    n_samples: int
    kind: str = "train"
    data: str = "mnist-shape"
    seed: int = 0
    repeats: int = 5
    target: float = 0.0
    max_epochs: int = 1

    @property
    def architecture(self) -> str:
        return "-".join(str(n) for n in self.sizes)


WIDE = (784, 256, 128, 10)
DEEP = (784,) + (64,) * 10 + (10,)

WORKLOADS: dict[str, Workload] = {
    w.key: w
    for w in (
        Workload("a-sgd", "(a) wide, SGD", WIDE, "relu", 128, "sgd", 0.05, 60_000),
        Workload("a-adam", "(a) wide, Adam", WIDE, "relu", 128, "adam", 1e-3, 60_000),
        Workload("b", "(b) small", (2, 16, 16, 2), "tanh", 32, "sgd", 0.05, 60_000,
                 data="two-d"),
        Workload("c", "(c) deep and narrow", DEEP, "sigmoid", 128, "sgd", 0.1, 60_000),
        Workload("d", "(d) inference", WIDE, "relu", 1024, "none", 0.0, 60_000,
                 kind="infer"),
        Workload("e", "(e) time to 89% on Fashion-MNIST", WIDE, "relu", 128, "adam",
                 1e-3, 60_000, kind="accuracy", data="fashion-mnist", repeats=3,
                 target=0.89, max_epochs=20),
    )
}

#: What a letter on the command line stands for.
GROUPS = {"a": ["a-sgd", "a-adam"], "b": ["b"], "c": ["c"], "d": ["d"], "e": ["e"]}


def expand(spec: str) -> list[str]:
    """Turn ``"a,c"`` or ``"a-adam,e"`` into workload keys, in the order given.

    Raises
    ------
    ValueError
        On a name that is neither a group letter nor a workload key.
    """
    keys: list[str] = []
    for name in (part.strip() for part in spec.split(",") if part.strip()):
        if name not in GROUPS and name not in WORKLOADS:
            choices = sorted(set(GROUPS) | set(WORKLOADS))
            raise ValueError(f"workload must be one of {choices}; got {name!r}")
        keys += [k for k in GROUPS.get(name, [name]) if k not in keys]
    return keys


def quick_version(w: Workload) -> Workload:
    """A tenth of the data and one repetition, for a smoke run; (e) gets a lower bar."""
    if w.kind == "accuracy":
        return replace(w, title="(e) time to 80% on Fashion-MNIST", n_samples=12_000,
                       repeats=1, target=0.80, max_epochs=2)
    return replace(w, n_samples=w.n_samples // 10, repeats=1)


def resolve(key: str, quick: bool = False, repeats: int | None = None) -> Workload:
    """The workload ``key`` as a run uses it: quick-sized if asked, ``repeats`` if given."""
    w = WORKLOADS[key]
    if quick:
        w = quick_version(w)
    return replace(w, repeats=int(repeats)) if repeats else w


def batch_sizes(n: int, batch_size: int) -> list[int]:
    """Rows of each mini-batch of an epoch over ``n`` samples; the last may be short."""
    full, rest = divmod(n, batch_size)
    return [batch_size] * full + ([rest] if rest else [])


def epoch_flops(w: Workload, n: int | None = None) -> float:
    """Matrix-product FLOPs of one epoch (or one inference pass) over ``n`` samples."""
    n = w.n_samples if n is None else n
    pairs = list(pairwise(w.sizes))
    macs = sum(n_in * n_out for n_in, n_out in pairs)
    if w.kind == "infer":
        return 2.0 * n * macs
    first = pairs[0][0] * pairs[0][1]
    return 6.0 * n * macs - 2.0 * n * first


def make_data(w: Workload, n: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Seeded synthetic ``(X, y)``: ``X`` float32 ``(n, N^(0))``, ``y`` int64 ``(n,)``.

    MNIST-shaped data are uniform pixels in [0, 1) labelled by a random linear
    teacher, so the problem is learnable. The two-feature data are Gaussian points
    labelled by quadrant (XOR). Everything is drawn in float32, so no float64
    temporary inflates the memory baseline.
    """
    n = w.n_samples if n is None else n
    rng = np.random.default_rng(w.seed)
    if w.data == "two-d":
        X = rng.standard_normal((n, 2), dtype=np.float32)
        y = (X[:, 0] * X[:, 1] > 0).astype(np.int64)
        return X, y

    n_in, n_classes = MNIST_SHAPE
    X = rng.random((n, n_in), dtype=np.float32)
    teacher = rng.standard_normal((n_in, n_classes), dtype=np.float32)
    y = np.empty(n, dtype=np.int64)
    for start in range(0, n, 4096):
        chunk = X[start:start + 4096] - np.float32(0.5)
        y[start:start + 4096] = (chunk @ teacher).argmax(axis=1)
    return X, y
