r"""The BLAS bound: plain ``numpy.matmul`` on exactly the GEMMs of the workload.

An engine built on numpy cannot train faster than the matrix products it must do.
This module times those products alone, in float32, with the shapes, the
transposes and the memory layout of the engine (samples as rows; ``W`` of shape
``(n_out, n_in)`` is a transposed view of its contiguous ``W.T``, as in
``Network.theta``, and so is the gradient):

* forward, layer ``l = 1..L``: ``Z = A @ W.T``, ``(m, n_in) @ (n_in, n_out)``;
* backward, ``l = L..1``: ``grad_W.T = A.T @ Delta``, ``(n_in, m) @ (m, n_out)``,
  and for ``l >= 2`` the propagated error ``Delta @ W``, ``(m, n_out) @ (n_out, n_in)``.

``A.T`` and ``W`` are views, as in the engine: BLAS reads them transposed, nothing
is copied. Results go to preallocated arrays (``out=``), so the bound holds
no allocation. An epoch is the same sequence of batch sizes the engines see (the
last batch may be short); an inference pass is the forward products only. The bound
runs in its own process with numpy's default BLAS threads, like the engines.

``measure(w, library="torch")`` runs the very same products through ``torch.matmul``
on the same memory (``torch.from_numpy``, all cores): PyTorch's own GEMMs (MKL here),
which tells how much of a gap to PyTorch is the two BLAS libraries, not the engines.
"""

from __future__ import annotations

import os
import time
from itertools import pairwise

import numpy as np
from workloads import Workload, batch_sizes

__all__ = ["gemm_shapes", "measure"]


def _operands(sizes: tuple[int, ...], m: int, rng: np.random.Generator) -> list[dict]:
    """Random float32 operands and output buffers of every layer for batch size ``m``."""
    layers = []
    for n_in, n_out in pairwise(sizes):
        layers.append({
            "A": rng.random((m, n_in), dtype=np.float32),
            "W": rng.random((n_in, n_out), dtype=np.float32).T,
            "Delta": rng.random((m, n_out), dtype=np.float32),
            "Z": np.empty((m, n_out), dtype=np.float32),
            "grad_W": np.empty((n_in, n_out), dtype=np.float32).T,
            "back": np.empty((m, n_in), dtype=np.float32),
        })
    return layers


def _step(layers: list[dict], train: bool, matmul=np.matmul) -> None:
    """The GEMMs of one training step (or one inference batch), in the engine's order."""
    for p in layers:
        matmul(p["A"], p["W"].T, out=p["Z"])
    if not train:
        return
    for l in range(len(layers) - 1, -1, -1):
        p = layers[l]
        matmul(p["A"].T, p["Delta"], out=p["grad_W"].T)
        if l > 0:
            matmul(p["Delta"], p["W"], out=p["back"])


def _as_torch(layers: list[dict]) -> tuple[list[dict], object]:
    """The same operands as tensors sharing their memory, and ``torch.matmul``."""
    import torch

    torch.set_num_threads(os.cpu_count() or 1)
    return [{k: torch.from_numpy(v) for k, v in p.items()} for p in layers], torch.matmul


def gemm_shapes(w: Workload) -> list[str]:
    """The products of one full-batch step, as ``"(m, k) @ (k, n)"`` strings, for the record."""
    m, shapes = w.batch_size, []
    pairs = list(pairwise(w.sizes))
    shapes += [f"({m}, {n_in}) @ ({n_in}, {n_out})" for n_in, n_out in pairs]
    if w.kind != "infer":
        for l in range(len(pairs) - 1, -1, -1):
            n_in, n_out = pairs[l]
            shapes.append(f"({n_in}, {m})ᵀ-view @ ({m}, {n_out})")
            if l > 0:
                shapes.append(f"({m}, {n_out}) @ ({n_out}, {n_in})ᵀ-view")
    return shapes


def measure(w: Workload, library: str = "numpy") -> dict:
    """Time the GEMMs of one epoch (or inference pass) ``w.repeats`` times after a warm-up.

    ``library`` is ``"numpy"`` (``numpy.matmul``, the bound) or ``"torch"``.

    Returns
    -------
    dict
        ``seconds`` (one entry per repetition) and ``gemms`` (the shapes of one step).
    """
    rng = np.random.default_rng(w.seed)
    train = w.kind != "infer"
    schedule = batch_sizes(w.n_samples, w.batch_size)
    by_size = {m: _operands(w.sizes, m, rng) for m in set(schedule)}
    matmul = np.matmul
    if library == "torch":
        for m, layers in by_size.items():
            by_size[m], matmul = _as_torch(layers)

    def epoch() -> None:
        for m in schedule:
            _step(by_size[m], train, matmul)

    epoch()
    seconds = []
    for _ in range(w.repeats):
        start = time.perf_counter()
        epoch()
        seconds.append(time.perf_counter() - start)
    return {"seconds": seconds, "gemms": gemm_shapes(w)}
