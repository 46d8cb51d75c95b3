"""``--format json``: every number of the trace, nothing elided, nothing rounded.

Schema (``"format": "chainrule-explain"``, ``"version": 1``). Arrays are nested
lists of floats (``null`` where a number is not finite) in the engine's layout:
samples are rows, so ``x``, ``y``, ``z``, ``a``, ``delta`` are ``m x N`` even for
one sample, and ``W`` is ``N^(l) x N^(l-1)`` with row ``j`` holding the weights that
enter neuron ``j``.

The top level describes the first iteration, the one computed from the given
parameters; ``iterations`` repeats it and adds the later ones (``--steps``)::

    format, version        "chainrule-explain", 1
    network                {"sizes": [...], "activations": [...], "loss": str}
    eta, h                 learning rate; step of the finite differences
    x, y                   the samples (m x N^(0)) and encoded targets (m x N^(L))
    loss_before            C with the given parameters
    loss_after             C after the first update
    loss_final             C after the last update (equals loss_after for one step)
    output                 step 3: {"grad_a": ∇_a C, "fused": bool,
                           "elementwise": bool, "unfused": J^T ∇_a C or ∇_a C ⊙ σ'}
    layers                 one entry per layer l = 1..L:
        l, activation
        W, b               before the update
        z, a               step 2
        sigma_prime        σ'(z), or null for softmax
        back               step 4's (W^(l+1))^T δ^(l+1), or null for l = L
        delta              δ^(l) = ∂C/∂z^(l)
        grad_W, grad_b     step 5's gradients (summed over the samples)
        W_updated, b_updated   W - η grad_W, b - η grad_b
    check                  one entry per parameter array (W1, b1, W2, ...):
        name, l, analytic, numeric, error, verdict
    iterations             [{"index", "loss_before", "loss_after", "output",
                             "layers", "check"}, ...]
"""

from __future__ import annotations

import json

import numpy as np

from .trace import Iteration, Trace

__all__ = ["render_json", "to_dict"]


def to_dict(trace: Trace) -> dict:
    """The trace as JSON-ready data, in the schema of this module's docstring."""
    first = _iteration(trace.iterations[0])
    return {
        "format": "chainrule-explain",
        "version": 1,
        "network": {
            "sizes": list(trace.sizes),
            "activations": list(trace.activations),
            "loss": trace.loss,
        },
        "eta": trace.eta,
        "h": trace.h,
        "x": trace.X.tolist(),
        "y": trace.Y.tolist(),
        "loss_before": first["loss_before"],
        "loss_after": first["loss_after"],
        "loss_final": trace.iterations[-1].loss_after,
        "output": first["output"],
        "layers": first["layers"],
        "check": first["check"],
        "iterations": [first] + [_iteration(it) for it in trace.iterations[1:]],
    }


def render_json(trace: Trace, indent: int | None = 2) -> str:
    """The trace as a JSON document; floats keep every digit (Python's shortest repr)."""
    return json.dumps(to_dict(trace), indent=indent, ensure_ascii=False) + "\n"


def _list(array):
    if array is None:
        return None
    if np.isfinite(array).all():
        return array.tolist()

    # JSON has no NaN or infinity; such an entry (1/a of an a that rounded to 0) is null.
    cells = array.astype(object)
    cells[~np.isfinite(array)] = None
    return cells.tolist()


def _iteration(it: Iteration) -> dict:
    layers = [
        {
            "l": layer.l,
            "activation": layer.activation,
            "W": _list(layer.W),
            "b": _list(layer.b),
            "z": _list(layer.z),
            "a": _list(layer.a),
            "sigma_prime": _list(layer.sigma_prime),
            "back": _list(layer.back),
            "delta": _list(layer.delta),
            "grad_W": _list(layer.grad_W),
            "grad_b": _list(layer.grad_b),
            "W_updated": _list(layer.W_updated),
            "b_updated": _list(layer.b_updated),
        }
        for layer in it.layers
    ]
    checks = [
        {
            "name": check.name,
            "l": check.l,
            "analytic": _list(check.analytic),
            "numeric": _list(check.numeric),
            "error": check.error,
            "verdict": check.verdict,
        }
        for check in it.checks
    ]
    output = {
        "grad_a": _list(it.output.grad_a),
        "fused": it.output.fused,
        "elementwise": it.output.elementwise,
        "unfused": _list(it.output.unfused),
    }
    return {
        "index": it.index,
        "loss_before": it.loss_before,
        "loss_after": it.loss_after,
        "output": output,
        "layers": layers,
        "check": checks,
    }
