"""``chainrule explain``: one iteration of backpropagation with every number shown.

:func:`trace` runs the engine and keeps every intermediate array; the renderers turn
a :class:`Trace` into terminal text, Markdown or JSON, in English or Traditional
Chinese; :func:`make_exercise` writes a question sheet and its answer key.
"""

from .problem import build_network, load_weights, make_sample
from .trace import Iteration, LayerTrace, Trace, trace

__all__ = [
    "Iteration",
    "LayerTrace",
    "Trace",
    "build_network",
    "load_weights",
    "make_sample",
    "trace",
]
