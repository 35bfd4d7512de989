"""The KPI registry: one `@kpi(...)` declaration per KPI, the only list of KPIs.

Metadata lives here and in the definition modules, which import nothing heavy at module level
(numpy/pandas are imported inside the compute functions), so `cskpi --help` stays instant.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cskpi.kpis.context import Context
    from cskpi.kpis.view import GroupView

    ComputeFn = Callable[[GroupView, Context], tuple[Any, Any]]
else:
    ComputeFn = Callable[..., Any]


class Unit(StrEnum):
    COUNT = "count"
    SECONDS = "seconds"
    RATIO = "ratio"
    """A share in [0, 1]."""
    RATIO_UNBOUNDED = "ratio_unbounded"
    """A quotient shown as a percentage that may exceed 1 (utilization 1.6 = 160 %)."""
    CHANGE = "change"
    """A signed relative change (growth −0.125 = −12.5 %), any real number."""
    SCORE = "score"
    NPS = "nps"
    MONEY = "money"


class Anchor(StrEnum):
    CREATED = "created"
    RESOLVED = "resolved"
    SUBMITTED = "submitted"
    WINDOW_END = "window end"
    WINDOW_BOUNDS = "window start/end"
    """Customers' state at the start and end of the window (or bucket), and what changed."""
    ORDERED = "ordered"
    SCHEDULED = "scheduled"
    """Shifts whose `date` and tickets whose `resolved_at` are in the window."""


@dataclass(frozen=True)
class Kpi:
    """One KPI: its contract (id, unit, anchor) and its vectorised compute function."""

    id: str
    name: str
    unit: Unit
    anchor: Anchor
    needs: tuple[str, ...]
    """Canonical columns the KPI reads. `a|b` means either will do."""
    compute: ComputeFn
    definition: str
    additive: bool = False
    """Sums over groups equal `overall` (counts of records)."""
    needs_surveys: bool = False

    @property
    def frame(self) -> str:
        return "surveys" if self.needs_surveys else "tickets"


REGISTRY: dict[str, Kpi] = {}

DEFAULT_KPIS = (
    "tickets_created",
    "frt_median",
    "resolution_time_median",
    "fcr_rate",
    "csat",
    "nps",
)


def kpi(
    *,
    id: str,
    name: str,
    unit: Unit,
    anchor: Anchor,
    needs: tuple[str, ...] = (),
    additive: bool = False,
    surveys: bool = False,
) -> Callable[[ComputeFn], ComputeFn]:
    """Register the decorated function as KPI `id`; its docstring is the definition."""

    def register(fn: ComputeFn) -> ComputeFn:
        if id in REGISTRY:
            raise ValueError(f"KPI {id} registered twice")
        doc = " ".join((fn.__doc__ or "").split())
        REGISTRY[id] = Kpi(id, name, unit, anchor, needs, fn, doc, additive, surveys)
        return fn

    return register
