"""Pieces every renderer of ``chainrule explain`` shares: wording, numbers, elision.

The prose and labels live in ``lang/<code>.json`` beside this module, one file per
language; the mathematics is the same in every language and is written by the
renderers themselves. Numbers are shown with a fixed count of significant digits,
and a dimension longer than a limit is shown by its first and last entries only.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

__all__ = [
    "LANGUAGES",
    "format_error",
    "format_number",
    "load_lang",
    "shown",
    "subscript",
    "superscript",
]

#: The languages ``--lang`` accepts, each with a file ``lang/<code>.json``.
LANGUAGES = ("en", "zh-TW")

# Term-by-term lines beyond these sizes would bury the matrix form they explain:
# step 4 expands a neuron while the layer above has at most TERMS_MAX_TO neurons,
# step 3 and 4 while the layer itself has at most TERMS_MAX_NEURONS, step 5 while W
# has at most TERMS_MAX_WEIGHTS entries, and each for at most TERMS_MAX_SAMPLES samples.
TERMS_MAX_TO = 4
TERMS_MAX_NEURONS = 8
TERMS_MAX_WEIGHTS = 16
TERMS_MAX_SAMPLES = 3

_SUPERSCRIPT = str.maketrans("0123456789()-+L", "⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾⁻⁺ᴸ")
_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


@cache
def load_lang(code: str) -> dict:
    """Return the wording of language ``code`` as a dict of format strings.

    Parameters
    ----------
    code : str
        One of :data:`LANGUAGES`.

    Raises
    ------
    ValueError
        If there is no wording for ``code``.
    """
    if code not in LANGUAGES:
        raise ValueError(f"lang must be one of {list(LANGUAGES)}; got {code!r}")

    text = resources.files("chainrule.explain").joinpath("lang", f"{code}.json").read_text(
        encoding="utf-8"
    )
    return json.loads(text)


def fill(template: str, values: dict) -> str:
    """``template.format(**values)``; wording without values is returned as is.

    Wording that takes no values may hold LaTeX braces, which are not fields.
    """
    return template.format(**values) if values else template


def in_full(iterations: list) -> list:
    """The iterations written out step by step: the first and, if there are more, the last."""
    return iterations[:1] if len(iterations) == 1 else [iterations[0], iterations[-1]]


def format_number(x: float, digits: int) -> str:
    """``x`` with ``digits`` significant digits, ``"0"`` for zero of either sign.

    >>> format_number(0.593269992, 4)
    '0.5933'
    """
    if x == 0:
        return "0"
    return f"{float(x):.{digits}g}"


def format_error(error: float) -> str:
    """A relative error in two digits, ``"0"`` when it is within rounding noise."""
    return "0" if error == 0 else f"{error:.1e}"


def shown(n: int, limit: int) -> list:
    """The indices of a dimension of length ``n`` to show, ``None`` marking the gap.

    At most ``limit`` indices are kept: the first half and the last half, so that a
    reader still sees where the dimension starts and ends.

    >>> shown(10, 4)
    [0, 1, None, 8, 9]
    """
    if n <= limit:
        return list(range(n))

    head = (limit + 1) // 2
    tail = limit - head
    return list(range(head)) + [None] + list(range(n - tail, n))


def superscript(text) -> str:
    """``superscript("(2)")`` is ``"⁽²⁾"``: the layer index the derivation writes above."""
    return str(text).translate(_SUPERSCRIPT)


def subscript(*indices: int) -> str:
    """One-based indices written below, ``subscript(1, 2)`` is ``"₁₂"``.

    Indices of two digits or more are separated by commas so that ``w₁,₁₂`` stays
    readable.
    """
    parts = [str(i).translate(_SUBSCRIPT) for i in indices]
    if any(i >= 10 for i in indices):
        return ",".join(parts)
    return "".join(parts)
