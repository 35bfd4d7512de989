"""Business KPIs (KPIS.md "Business")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cskpi.kpis.registry import Anchor, Unit, kpi

if TYPE_CHECKING:
    import numpy as np

    from cskpi.engine import Context
    from cskpi.grouping import GroupView

    Out = tuple[np.ndarray, np.ndarray]


@kpi(id="customers", name="Customers", unit=Unit.COUNT, anchor=Anchor.CREATED,
     needs=("customer_id",))
def customers(g: GroupView, ctx: Context) -> Out:
    """Distinct non-empty `customer_id`s among tickets created in the window."""
    import pandas as pd

    codes, _ = pd.factorize(g.frame["customer_id"])
    n = g.distinct(codes, codes >= 0)
    return n, n


def window_cost(ctx: Context) -> np.ndarray:
    """Cost per period bucket: `[costs] monthly` spread by overlapping time, month by month
    in the report zone (DECISIONS 20)."""
    import numpy as np
    import pandas as pd

    monthly = float(ctx.config.costs.monthly or 0.0)
    edges = ctx.buckets.edges_us
    tz = ctx.window.tz
    first = ctx.window.since.tz_convert(tz).tz_localize(None).to_period("M").to_timestamp()
    last = ctx.window.until.tz_convert(tz).tz_localize(None).to_period("M").to_timestamp()
    months = pd.date_range(first, last + pd.offsets.MonthBegin(1), freq="MS")
    local = months.tz_localize(tz, nonexistent="shift_forward", ambiguous=True)
    bounds = np.asarray(local.tz_convert("UTC").tz_localize(None)
                        .astype("datetime64[us]")).view("int64")
    m_start, m_end = bounds[:-1], bounds[1:]
    b_start, b_end = edges[:-1, None], edges[1:, None]
    overlap = np.clip(np.minimum(b_end, m_end) - np.maximum(b_start, m_start), 0, None)
    result: np.ndarray = (overlap / (m_end - m_start) * monthly).sum(axis=1)
    return result


@kpi(id="cost_per_resolution", name="Cost per resolution", unit=Unit.MONEY,
     anchor=Anchor.RESOLVED, needs=("resolved_at", "config:costs"))
def cost_per_resolution(g: GroupView, ctx: Context) -> Out:
    """Operating cost of the window (`[costs] monthly`, spread by overlapping time) divided
    by tickets resolved in it; null per group when grouping by a column (a cost is known
    per period, not per agent or channel)."""
    import numpy as np

    resolved = g.count()
    cost = window_cost(ctx)[g.group_bucket]
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(resolved > 0, cost / np.maximum(resolved, 1), np.nan)
    if g.has_by:
        value = np.full(g.ngroups, np.nan)
    return value, resolved
