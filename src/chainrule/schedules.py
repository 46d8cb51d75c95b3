r"""Learning-rate schedules: :math:`\eta` as a function of the epoch (counted from 0).

Each schedule maps ``(eta0, epoch)`` to the rate used for every step of that epoch:

* ``constant``: :math:`\eta_0`;
* ``step``: :math:`\eta_0 \gamma^{\lfloor e / s \rfloor}`, a drop by :math:`\gamma`
  every ``s`` epochs;
* ``exponential``: :math:`\eta_0 \gamma^{e}`;
* ``cosine``: :math:`\eta_{min} + (\eta_0 - \eta_{min}) (1 + \cos(\pi e / T)) / 2`, from
  :math:`\eta_0` down to :math:`\eta_{min}` over ``T`` epochs (``T`` defaults to the
  length of training).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

__all__ = ["Schedule", "get_schedule"]

_KINDS = ("constant", "step", "exponential", "cosine")


@dataclass(frozen=True)
class Schedule:
    """A learning-rate schedule; call it with ``(eta0, epoch)``."""

    kind: str = "constant"
    step_size: int = 10
    gamma: float = 0.1
    T_max: int | None = None
    eta_min: float = 0.0

    def __post_init__(self):
        if self.kind not in _KINDS:
            raise ValueError(f"schedule must be one of {list(_KINDS)}; got {self.kind!r}")
        if self.step_size < 1:
            raise ValueError(f"step_size must be >= 1; got {self.step_size}")
        if not self.gamma > 0:
            raise ValueError(f"gamma must be > 0; got {self.gamma}")

    def __call__(self, eta0: float, epoch: int) -> float:
        if self.kind == "step":
            return eta0 * self.gamma ** (epoch // self.step_size)
        if self.kind == "exponential":
            return eta0 * self.gamma**epoch
        if self.kind == "cosine":
            T = max(self.T_max or 1, 1)
            progress = min(epoch, T) / T
            return self.eta_min + (eta0 - self.eta_min) * (1 + math.cos(math.pi * progress)) / 2
        return eta0

    def config(self) -> dict:
        return asdict(self)


def get_schedule(spec: str | dict | Schedule | None, epochs: int | None = None) -> Schedule:
    """Build a :class:`Schedule` from a name, a dict of its fields, or ``None`` (constant).

    A cosine schedule without ``T_max`` runs over ``epochs``.
    """
    if isinstance(spec, Schedule):
        return spec
    fields = {"kind": spec or "constant"} if not isinstance(spec, dict) else dict(spec)
    if fields.get("kind") == "cosine" and fields.get("T_max") is None:
        fields["T_max"] = epochs
    return Schedule(**fields)
