"""Atomic, durable file writes: a reader sees the old file or the new one, never half of one.

The new content goes to a temporary file in the target's directory (same filesystem,
so the final rename is atomic), is flushed and ``fsync``-ed, then renamed onto the
target; the directory is ``fsync``-ed last so that the rename itself survives a power
failure. If anything fails before the rename, the temporary file is removed and the
old file is untouched. A process killed at the wrong moment may leave a temporary
file behind (``.NAME.XXXXXXXXXXXX.tmp``); it is never at the target's path.

This module leaves out cross-process locking: two writers of the same path race, and
the last rename wins.
"""

from __future__ import annotations

import logging
import os
import secrets
import stat
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import BinaryIO, overload

from ..errors import OutputExistsError, OutputPathError

__all__ = ["OutputExistsError", "OutputPathError", "atomic_write", "check_writable"]

log = logging.getLogger(__name__)

# O_BINARY matters on Windows only; O_EXCL makes the temporary name ours alone.
_TEMP_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)


Content = bytes | bytearray | memoryview | Callable[[BinaryIO], object]


@overload
def atomic_write(path: str | os.PathLike, content: None = None, *,
                 overwrite: bool = False) -> AbstractContextManager[BinaryIO]: ...


@overload
def atomic_write(path: str | os.PathLike, content: Content, *,
                 overwrite: bool = False) -> None: ...


def atomic_write(
    path: str | os.PathLike,
    content: Content | None = None,
    *,
    overwrite: bool = False,
) -> AbstractContextManager[BinaryIO] | None:
    """Write a file so that its path holds either the old content or all of the new.

    Three forms::

        with atomic_write(path) as f:      # a binary file; in place when the block ends
            f.write(data)
        atomic_write(path, data)           # bytes, written at once
        atomic_write(path, write_fn)       # write_fn(f) writes into the binary file f

    The file appears at ``path`` only if the writing ends without an exception.

    Parameters
    ----------
    path : str or path-like
        The file to create or replace. Its directory must exist.
    content : bytes or callable, optional
        What to write at once; without it, a context manager is returned.
    overwrite : bool
        Replace an existing file. Without it an existing file is an error.

    Returns
    -------
    context manager yielding BinaryIO, or None
        Without ``content``: a context manager whose file is a temporary file beside
        ``path``. With ``content``: nothing; the file is written.

    Raises
    ------
    OutputPathError
        If the directory of ``path`` does not exist or is not a directory, if ``path``
        is a directory, or if no file can be created in that directory.
    OutputExistsError
        If ``path`` exists and ``overwrite`` is false (checked before anything is
        written, and again, without a race, when the file is put in place).
    TypeError
        If ``content`` is neither bytes-like nor callable.
    """
    if content is None:
        return _atomic_file(path, overwrite)
    if not callable(content) and not isinstance(content, (bytes, bytearray, memoryview)):
        raise TypeError(
            f"content must be bytes or a function of a binary file; "
            f"got {type(content).__name__}"
        )

    with _atomic_file(path, overwrite) as file:
        if callable(content):
            content(file)
        else:
            file.write(content)
    return None


def check_writable(path: str | os.PathLike, *, overwrite: bool = False) -> None:
    """Check, before doing the work, that :func:`atomic_write` could write ``path``.

    Parameters
    ----------
    path : str or path-like
    overwrite : bool
        Whether an existing file may be replaced.

    Raises
    ------
    OutputPathError, OutputExistsError
        As :func:`atomic_write` would.
    """
    _check_target(Path(path), overwrite)


@contextmanager
def _atomic_file(path: str | os.PathLike, overwrite: bool) -> Iterator[BinaryIO]:
    target = Path(path)
    _check_target(target, overwrite)
    fd, temp = _create_temp(target)

    try:
        with os.fdopen(fd, "wb") as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        _keep_mode(target, temp, overwrite)
        _publish(temp, target, overwrite)
    except BaseException:
        _remove_quietly(temp)
        raise

    _sync_directory(target.parent)


def _check_target(target: Path, overwrite: bool) -> None:
    """Fail early, before any work is done, on a path that cannot be written."""
    directory = target.parent
    if not directory.exists():
        raise OutputPathError(
            f"cannot write {target}: the directory {directory} does not exist. "
            f"Create it first, or choose an output path in an existing directory."
        )
    if not directory.is_dir():
        raise OutputPathError(
            f"cannot write {target}: {directory} is a file, not a directory."
        )
    if target.is_dir():
        raise OutputPathError(
            f"cannot write {target}: it is a directory; expected a file name, "
            f"e.g. {target / 'model.npz'}."
        )
    if target.exists() and not overwrite:
        raise _exists_error(target)


def _exists_error(target: Path) -> OutputExistsError:
    return OutputExistsError(
        f"{target} already exists and was left unchanged; pass overwrite=True "
        f"(--force on the command line) to replace it."
    )


def _create_temp(target: Path) -> tuple[int, str]:
    """Open a new, uniquely named file beside ``target``; return its descriptor and path."""
    for _ in range(100):
        temp = str(target.parent / f".{target.name}.{secrets.token_hex(6)}.tmp")
        try:
            # Mode 0o666 lets the umask decide, as for any new file (mkstemp forces 0o600).
            return os.open(temp, _TEMP_FLAGS, 0o666), temp
        except FileExistsError:
            continue
        except OSError as error:
            raise OutputPathError(
                f"cannot write {target}: no file can be created in {target.parent} "
                f"({error.strerror})."
            ) from None
    raise OutputPathError(f"cannot write {target}: no unused temporary name was found.")


def _keep_mode(target: Path, temp: str, overwrite: bool) -> None:
    """A replaced file keeps its permission bits."""
    if not overwrite:
        return
    try:
        os.chmod(temp, stat.S_IMODE(os.stat(target).st_mode))
    except OSError:
        pass  # the target vanished, or its mode cannot be copied: keep the default


def _publish(temp: str, target: Path, overwrite: bool) -> None:
    """Put the finished temporary file at ``target`` in one atomic step."""
    if overwrite:
        os.replace(temp, target)
        return

    # A hard link fails if the target appeared meanwhile, where os.replace would clobber it.
    try:
        os.link(temp, target)
    except FileExistsError:
        raise _exists_error(target) from None
    except OSError:
        # This filesystem has no hard links: check, then rename (a narrow race remains).
        if target.exists():
            raise _exists_error(target) from None
        os.replace(temp, target)
        return
    _remove_quietly(temp)


def _remove_quietly(temp: str) -> None:
    try:
        os.unlink(temp)
    except OSError:
        pass  # already gone, or beyond our reach: a stray temporary file is harmless


def _sync_directory(directory: Path) -> None:
    """Make the rename durable; Windows has no way to fsync a directory."""
    if os.name == "nt":
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as error:
        # The file is complete and in place; only its survival of a power cut is uncertain.
        log.warning("could not fsync directory %s (%s); the file is written but a "
                    "power failure could still lose the rename", directory, error.strerror)
