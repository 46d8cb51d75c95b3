"""Peak memory of a measured region, as resident set size (RSS).

Why RSS and not ``tracemalloc``: tracemalloc sees numpy's allocations (so chainrule's
and scikit-learn's) but not PyTorch's, which come from its own C++ allocator. RSS sees
every engine alike, temporaries included.

How: each engine runs in a fresh process (see ``worker.py``). After the imports, the
data, the initial weights and a short warm-up, the worker asks glibc to give freed heap
memory back (``malloc_trim(0)``: what the warm-up freed would otherwise sit in the
baseline and be reused unseen), reads the current RSS as the baseline and resets the
kernel's high-water mark (writing ``5`` to
``/proc/self/clear_refs``, Linux 4.0 and later). After the timed repetitions, the
high-water mark ``VmHWM`` minus that baseline is the peak the training itself needed,
above the dataset (which is already in the baseline). Where the reset is not allowed,
the high-water mark since the process started is used and the result says so.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from pathlib import Path

__all__ = ["PeakMemory"]

_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


def _status_kib(field: str) -> int | None:
    try:
        text = _STATUS.read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return None


def _trim_heap() -> bool:
    """Return freed heap memory to the kernel (glibc only); ``False`` where unavailable."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim(0)
        return True
    except (OSError, AttributeError):
        return False


class PeakMemory:
    """Measure the RSS high-water mark above a baseline taken by :meth:`start`.

    Use ``meter.start()`` before the region and ``meter.peak_mib()`` after it.
    """

    def __init__(self) -> None:
        self.baseline_kib: int | None = None
        self.reset_ok = False

    def start(self) -> None:
        """Trim the heap, take the baseline RSS and reset the high-water mark to it."""
        _trim_heap()
        try:
            _CLEAR_REFS.write_text("5")
            self.reset_ok = True
        except OSError:
            self.reset_ok = False
        self.baseline_kib = _status_kib("VmRSS")

    def peak_mib(self) -> float | None:
        """MiB of RSS above the baseline at the region's peak; ``None`` off Linux."""
        peak = _status_kib("VmHWM")
        if peak is None or self.baseline_kib is None:
            return None
        return max(peak - self.baseline_kib, 0) / 1024.0

    def baseline_mib(self) -> float | None:
        """The baseline RSS in MiB (imports, data and warm-up included)."""
        return None if self.baseline_kib is None else self.baseline_kib / 1024.0
