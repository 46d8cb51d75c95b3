"""A small reader of Fashion-MNIST's IDX files, for workload (e).

It stays inside ``benchmarks/`` so the benchmark does not depend on the data readers
that are being written in ``chainrule.data``; once ``load_dataset("fashion-mnist")``
is settled this module can defer to it.

An IDX file is a big-endian header (two zero bytes, a type code, the number of
dimensions, then one 32-bit size per dimension) followed by the values. Fashion-MNIST
uses unsigned bytes: images ``(n, 28, 28)`` and labels ``(n,)``.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import numpy as np

__all__ = ["DEFAULT_DIR", "load_fashion_mnist", "read_idx"]

DEFAULT_DIR = Path(os.environ.get("FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist"))
_UBYTE = 0x08


def read_idx(path: Path) -> np.ndarray:
    """Return the unsigned-byte array stored in the IDX file ``path`` (gzip or plain).

    Raises
    ------
    ValueError
        If the header is not an unsigned-byte IDX header or the size disagrees.
    """
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        raw = f.read()

    zero, dtype_code, ndim = int.from_bytes(raw[:2], "big"), raw[2], raw[3]
    if zero != 0 or dtype_code != _UBYTE:
        raise ValueError(
            f"{path} is not an unsigned-byte IDX file: expected header 00 00 08, "
            f"got {raw[:3].hex(' ')}"
        )
    shape = tuple(int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim))
    body = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if body.size != int(np.prod(shape)):
        raise ValueError(f"{path}: header says shape {shape}, but holds {body.size} values")
    return body.reshape(shape)


def load_fashion_mnist(data_dir: Path = DEFAULT_DIR, standardize: bool = True
                       ) -> tuple[np.ndarray, ...]:
    """Return ``X_train, y_train, X_test, y_test``: float32 rows of 784 pixels, int64 labels.

    Pixels are scaled to [0, 1]; with ``standardize`` each pixel then has the training
    set's mean subtracted and is divided by its standard deviation plus 0.01 (border
    pixels are nearly constant; the 0.01 keeps them from being blown up). The test set
    uses the training set's statistics.

    Raises
    ------
    FileNotFoundError
        If ``data_dir`` lacks one of the four files (set ``FASHION_MNIST_DIR``).
    """
    parts = []
    for stem in ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                 "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
        found = [data_dir / (stem + ext) for ext in (".gz", "")]
        found = [path for path in found if path.exists()]
        if not found:
            raise FileNotFoundError(
                f"Fashion-MNIST file {stem}[.gz] not found in {data_dir}; install the "
                "dataset-fashion-mnist package or set FASHION_MNIST_DIR"
            )
        parts.append(read_idx(found[0]))

    images_train, labels_train, images_test, labels_test = parts
    scale = np.float32(1.0 / 255.0)
    X_train = images_train.reshape(len(images_train), -1).astype(np.float32) * scale
    X_test = images_test.reshape(len(images_test), -1).astype(np.float32) * scale
    if standardize:
        mean = X_train.mean(axis=0)
        spread = X_train.std(axis=0) + np.float32(0.01)
        X_train = (X_train - mean) / spread
        X_test = (X_test - mean) / spread
    return X_train, labels_train.astype(np.int64), X_test, labels_test.astype(np.int64)
