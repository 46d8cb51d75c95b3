"""Reader for IDX files, the format MNIST and Fashion-MNIST are distributed in.

An IDX file is a 4-byte magic number ``0x00 0x00 <type> <ndim>``, then ``ndim``
big-endian uint32 dimensions, then the values in C order, big-endian. Files
may be gzip-compressed; compression is recognised by its magic bytes, not by
the file name.
"""

from __future__ import annotations

import gzip
import math
import os
import struct
import zlib
from pathlib import Path

import numpy as np

from chainrule.errors import DataError

__all__ = ["read_idx", "load_idx_pair"]

_GZIP_MAGIC = b"\x1f\x8b"

# IDX type byte -> big-endian numpy dtype.
_IDX_TYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file, gzip-compressed or not, into an array.

    Parameters
    ----------
    path : str or path-like
        The file.

    Returns
    -------
    numpy.ndarray
        Shape as the header's dimensions (``(m, rows, cols)`` for an image file,
        ``(m,)`` for a label file), dtype from the header's type byte in the
        machine's byte order.

    Raises
    ------
    DataError
        If the file cannot be read, is a corrupt gzip stream, has a wrong magic
        number or an unknown type byte, is truncated, or holds a number of data
        bytes that differs from the product of its dimensions.
    """
    path = Path(path)
    content = _read_bytes(path)

    if len(content) < 4:
        raise DataError(f"IDX file {path} is truncated: expected at least a 4-byte magic "
                        f"number, found {len(content)} bytes.")

    zero, type_code, ndim = content[:2], content[2], content[3]
    if zero != b"\x00\x00" or type_code not in _IDX_TYPES or ndim == 0:
        raise DataError(f"{path} is not an IDX file: expected a magic number "
                        "00 00 <type> <ndim> with type one of "
                        f"{', '.join(f'{t:02x}' for t in _IDX_TYPES)} and ndim >= 1; "
                        f"found {content[:4].hex(' ')}.")
    dtype = _IDX_TYPES[type_code]

    header_end = 4 + 4 * ndim
    if len(content) < header_end:
        raise DataError(f"IDX file {path} is truncated: its magic number announces "
                        f"{ndim} dimensions ({4 * ndim} header bytes) but only "
                        f"{len(content) - 4} header bytes follow.")
    shape = struct.unpack(f">{ndim}I", content[4:header_end])

    expected = math.prod(shape) * dtype.itemsize
    found = len(content) - header_end
    if found != expected:
        problem = "is truncated" if found < expected else "has bytes left over"
        raise DataError(f"IDX file {path} {problem}: its dimensions {shape} at "
                        f"{dtype.itemsize} byte(s) per value need {expected:,} data "
                        f"bytes, found {found:,}.")

    values = np.frombuffer(content, dtype=dtype, offset=header_end).reshape(shape)
    return values.astype(dtype.newbyteorder("="))


def load_idx_pair(images_path: str | os.PathLike, labels_path: str | os.PathLike
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Read an image file and its label file as a feature matrix and labels.

    Parameters
    ----------
    images_path : str or path-like
        IDX file of shape ``(m, rows, cols)`` (any ``(m, ...)`` is accepted).
    labels_path : str or path-like
        IDX file of shape ``(m,)`` holding integer labels.

    Returns
    -------
    X : numpy.ndarray, shape (m, rows * cols), float64
        One flattened image per row, raw values (0..255 for MNIST).
    y : numpy.ndarray, shape (m,), int64
        The labels.

    Raises
    ------
    DataError
        If either file is unreadable (see :func:`read_idx`), the label file is not
        one-dimensional integers, or the two files hold different counts.
    """
    images = read_idx(images_path)
    labels = read_idx(labels_path)

    if images.ndim < 2:
        raise DataError(f"Image file {images_path} must have at least 2 dimensions "
                        f"(samples, values...); found shape {images.shape}.")

    if labels.ndim != 1 or labels.dtype.kind not in "iu":
        raise DataError(f"Label file {labels_path} must hold a 1-D array of integers; "
                        f"found shape {labels.shape}, dtype {labels.dtype}.")

    if images.shape[0] != labels.shape[0]:
        raise DataError(f"Image and label counts differ: {images_path} holds "
                        f"{images.shape[0]:,} images but {labels_path} holds "
                        f"{labels.shape[0]:,} labels; expected one label per image.")

    X = images.reshape(images.shape[0], -1).astype(np.float64)
    y = labels.astype(np.int64)
    return X, y


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, decompressed when they start with the gzip magic."""
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise DataError(f"Cannot read IDX file {path}: {exc.strerror or exc}.") from exc

    if not content.startswith(_GZIP_MAGIC):
        return content

    try:
        return gzip.decompress(content)
    except (OSError, EOFError, zlib.error) as exc:
        raise DataError(f"{path} starts like a gzip file but is corrupt or cut short "
                        f"({exc}); expected a complete gzip-compressed IDX file. "
                        "Download it again.") from exc
