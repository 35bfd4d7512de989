"""KPI definitions. Importing this package registers every KPI, in catalogue order.

`registry` holds the `Kpi` type and the decorator; `team`, `distribution`, `satisfaction`, `business`,
`customers` and `conversation` hold the definitions; `view` and `context` are what a KPI
function receives; `sla` holds the SLA clocks the SLA KPIs (and the breach list) judge by.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

# isort: off
import cskpi.kpis.team
import cskpi.kpis.distribution
import cskpi.kpis.satisfaction
import cskpi.kpis.business
import cskpi.kpis.customers
import cskpi.kpis.conversation  # noqa: F401

# isort: on
from cskpi.kpis.registry import REGISTRY

if TYPE_CHECKING:
    from cskpi.kpis.registry import Kpi


def all_kpis() -> dict[str, Kpi]:
    """The registry, filled: importing this package has registered every definition."""
    return REGISTRY
