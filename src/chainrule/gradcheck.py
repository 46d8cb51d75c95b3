r"""Check backpropagation's gradients against central finite differences.

For every parameter :math:`\theta` the numeric estimate is

.. math:: n = \frac{C(\theta + h) - C(\theta - h)}{2h},

computed on a float64 copy of the network, and compared with the analytic
gradient :math:`g` from :meth:`Network.gradients` by the relative error

.. math:: \mathrm{err} = \frac{\max(|g - n| - \tau, 0)}{\max(|g| + |n|, \text{tiny})}

where :math:`\tau = 10\,\epsilon\,\max(|C|, 1) / h` is the rounding noise of the
difference quotient itself (a gradient of :math:`10^{-12}` cannot be measured with
:math:`h = 10^{-6}`, so a disagreement that small is not counted against it).

Verdicts follow the usual bands: ``good`` up to 1e-7, ``acceptable`` up to 1e-4 (a
ReLU kink inside :math:`[\theta - h, \theta + h]` does this), ``suspect`` up to
1e-2, and ``wrong`` beyond.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .network import Network

__all__ = ["ArrayCheck", "GradcheckReport", "gradcheck", "verdict"]

_TINY = 1e-300
_BANDS = ((1e-7, "good"), (1e-4, "acceptable"), (1e-2, "suspect"))


def verdict(error: float) -> str:
    """The band of a relative error: good, acceptable, suspect or wrong."""
    for limit, name in _BANDS:
        if error <= limit:
            return name
    return "wrong"


@dataclass
class ArrayCheck:
    """The worst entry of one parameter array (``W1``, ``b1``, ...)."""

    name: str
    shape: tuple
    checked: int
    error: float
    index: tuple
    analytic: float
    numeric: float
    largest_difference: float

    @property
    def verdict(self) -> str:
        return verdict(self.error)


@dataclass
class GradcheckReport:
    """Per-array results; ``passed`` is False when any array is ``wrong``.

    ``numeric[k]`` holds the finite-difference estimates of parameter array ``k``
    (``W1, b1, W2, ...``) in its shape, NaN at entries not checked.
    """

    checks: list = field(default_factory=list)
    numeric: list = field(default_factory=list)
    loss: float = float("nan")
    h: float = 1e-6
    noise: float = 0.0

    @property
    def worst(self) -> float:
        return max((c.error for c in self.checks), default=0.0)

    @property
    def passed(self) -> bool:
        return all(c.verdict != "wrong" for c in self.checks)

    def table(self) -> str:
        """The report as an aligned plain-text table."""
        head = f"{'param':<6} {'shape':>9} {'checked':>7} {'max |g-n|':>10} " \
               f"{'worst rel err':>13} {'at':>8} {'analytic':>14} {'numeric':>14}  verdict"
        lines = [head, "-" * len(head)]
        for c in self.checks:
            shape = "x".join(str(n) for n in c.shape)
            at = ",".join(str(i) for i in c.index)
            lines.append(
                f"{c.name:<6} {shape:>9} {c.checked:>7} {c.largest_difference:>10.2e} "
                f"{c.error:>13.3e} {at:>8} "
                f"{c.analytic:>14.6e} {c.numeric:>14.6e}  {c.verdict}"
            )
        return "\n".join(lines)


def gradcheck(
    net: Network,
    X: np.ndarray,
    Y: np.ndarray,
    h: float = 1e-6,
    max_per_array: int | None = None,
    seed: int = 0,
) -> GradcheckReport:
    """Compare analytic and finite-difference gradients of every parameter array.

    Parameters
    ----------
    net : Network
        Left unchanged; the check runs on a float64 copy.
    X : array, shape (m, N^(0))
    Y : array, shape (m,) labels or (m, N^(L))
    h : float
        The step of the central difference.
    max_per_array : int, optional
        Check at most this many randomly chosen entries of each array (all by
        default; a large network needs two forward passes per entry).
    seed : int
        Seed of that random choice.

    Returns
    -------
    GradcheckReport
    """
    twin = net.copy(dtype="float64")
    X, Y = twin._check_batch(X, Y)
    rng = np.random.default_rng(seed)

    def cost() -> float:
        fp = twin._feed_forward(X)
        return twin.loss_fn.value(fp.z[-1], fp.a[-1], Y)

    loss = cost()
    tau = 10 * np.finfo(np.float64).eps * max(abs(loss), 1.0) / h
    analytic = [g for pair in twin.gradients(X, Y) for g in pair]
    names = [f"{kind}{l}" for l in range(1, len(twin.layers) + 1) for kind in ("W", "b")]

    report = GradcheckReport(loss=loss, h=h, noise=tau)
    for name, theta, g in zip(names, twin.parameters(), analytic):
        indices = _choose(theta.size, max_per_array, rng)
        numeric = np.array([_central_difference(theta, i, h, cost) for i in indices])
        estimates = np.full(theta.size, np.nan)
        estimates[indices] = numeric
        report.numeric.append(estimates.reshape(theta.shape))

        g_flat = g.ravel()[indices]
        difference = np.abs(g_flat - numeric)
        excess = np.maximum(difference - tau, 0.0)
        errors = excess / np.maximum(np.abs(g_flat) + np.abs(numeric), _TINY)

        # The worst entry by relative error; among ties (all within noise), by |g - n|.
        worst = int(np.lexsort((difference, errors))[-1])
        report.checks.append(ArrayCheck(
            name=name,
            shape=theta.shape,
            checked=len(indices),
            error=float(errors[worst]),
            index=np.unravel_index(indices[worst], theta.shape),
            analytic=float(g_flat[worst]),
            numeric=float(numeric[worst]),
            largest_difference=float(difference.max()),
        ))
    return report


def _choose(size: int, limit: int | None, rng: np.random.Generator) -> np.ndarray:
    if limit is None or size <= limit:
        return np.arange(size)
    return np.sort(rng.choice(size, size=limit, replace=False))


def _central_difference(theta: np.ndarray, flat_index: int, h: float, cost) -> float:
    # An index into theta itself, never into theta.reshape(-1): W is a transposed view
    # of the network's parameter vector, and reshaping it would perturb a copy.
    index = np.unravel_index(flat_index, theta.shape)
    kept = theta[index]

    theta[index] = kept + h
    up = cost()
    theta[index] = kept - h
    down = cost()
    theta[index] = kept

    return (up - down) / (2 * h)
