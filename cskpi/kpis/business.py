"""Business KPIs (KPIS.md "Business")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cskpi.kpis.registry import Anchor, Unit, kpi

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from cskpi.kpis.context import Context
    from cskpi.kpis.view import GroupView

    Out = tuple[np.ndarray, np.ndarray]


@kpi(
    id="customers", name="Customers", unit=Unit.COUNT, anchor=Anchor.CREATED, needs=("customer_id",)
)
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
    bounds = np.asarray(local.tz_convert("UTC").tz_localize(None).astype("datetime64[us]")).view(
        "int64"
    )
    m_start, m_end = bounds[:-1], bounds[1:]
    b_start, b_end = edges[:-1, None], edges[1:, None]
    overlap = np.clip(np.minimum(b_end, m_end) - np.maximum(b_start, m_start), 0, None)
    result: np.ndarray = (overlap / (m_end - m_start) * monthly).sum(axis=1)
    return result


def period_bounds(frame: pd.DataFrame, tz: str) -> tuple[np.ndarray, np.ndarray]:
    """Cost periods (local first day, length in months) → UTC µs [start, end) in `tz`."""
    import numpy as np
    import pandas as pd

    first = frame["_period_start"]
    month = (
        first.dt.year * 12 + first.dt.month - 1 + frame["_period_months"].astype("int64")
    ).to_numpy()
    last = pd.to_datetime(pd.DataFrame({"year": month // 12, "month": month % 12 + 1, "day": 1}))
    bounds = []
    for local in (first, last):
        aware = pd.DatetimeIndex(local).tz_localize(tz, nonexistent="shift_forward", ambiguous=True)
        bounds.append(
            np.asarray(aware.tz_convert("UTC").tz_localize(None).astype("datetime64[us]")).view(
                "int64"
            )
        )
    return bounds[0], bounds[1]


def group_cost(g: GroupView, ctx: Context) -> np.ndarray:
    """Cost per group of the view (NaN where unknown), DECISIONS 20.

    From the costs input when given: each row's amount spread over the buckets by
    overlapping time (its period's share), summed into the group of its by-columns; a group
    × bucket is known only when cost periods cover the whole bucket, and per group only when
    the costs input has every by-column. Else `[costs] monthly` per bucket, null per group.
    """
    import numpy as np

    nan = np.full(g.ngroups, np.nan)
    costs = ctx.frames.get("costs")
    if costs is None:
        return nan if g.has_by else window_cost(ctx)[g.group_bucket]
    if g.has_by and not costs.complete:
        return nan
    edges = ctx.buckets.edges_us
    nb = len(edges) - 1
    start, end = period_bounds(costs.frame, ctx.window.tz)
    overlap = np.clip(
        np.minimum(edges[None, 1:], end[:, None]) - np.maximum(edges[None, :-1], start[:, None]),
        0,
        None,
    )
    by = costs.by if g.has_by else np.zeros(len(start), dtype="int64")
    keys = g.extra["keys"]
    row_keys = (by[:, None] * nb + np.arange(nb)[None, :]).ravel()
    at = np.minimum(np.searchsorted(keys, row_keys), max(len(keys) - 1, 0))
    hit = (keys[at] == row_keys) if len(keys) else np.zeros(len(row_keys), dtype=bool)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = (
            overlap
            / (end - start)[:, None]
            * costs.frame["amount"].to_numpy(dtype="float64")[:, None]
        ).ravel()
    cost = np.bincount(at[hit], share[hit], minlength=g.ngroups)
    # coverage from distinct (group, period) rows: several cost lines of one month count once
    pairs = np.stack([by, start, end], axis=1)
    _, first = np.unique(pairs, axis=0, return_index=True)
    once: np.ndarray = np.zeros(len(start), dtype=bool)
    once[first] = True
    cover = np.bincount(
        at[hit], (overlap * once[:, None]).ravel()[hit].astype("float64"), minlength=g.ngroups
    )
    lengths = np.diff(edges)[g.group_bucket]
    result: np.ndarray = np.where(cover >= lengths, cost, np.nan)
    return result


def _per(cost: np.ndarray, count: np.ndarray) -> np.ndarray:
    import numpy as np

    with np.errstate(invalid="ignore", divide="ignore"):
        out: np.ndarray = np.where(count > 0, cost / np.maximum(count, 1), np.nan)
    return out


@kpi(
    id="cost_per_resolution",
    name="Cost per resolution",
    unit=Unit.MONEY,
    anchor=Anchor.RESOLVED,
    needs=("resolved_at", "config:costs"),
)
def cost_per_resolution(g: GroupView, ctx: Context) -> Out:
    """Operating cost of the window divided by tickets resolved in it. Cost: the costs input
    (`--costs` or `[costs] file`: `period`, `amount`, optional `team`), each period's amount
    spread over the window by overlapping time in the report zone; else `[costs] monthly`
    spread the same way. Null where the cost periods do not cover the whole window (or
    bucket), and per group unless the costs input has every `--by` column (a monthly cost is
    never known per group) (DECISIONS 20)."""
    resolved = g.count()
    return _per(group_cost(g, ctx), resolved), resolved


@kpi(
    id="cost_per_ticket",
    name="Cost per ticket",
    unit=Unit.MONEY,
    anchor=Anchor.CREATED,
    needs=("created_at", "config:costs"),
)
def cost_per_ticket(g: GroupView, ctx: Context) -> Out:
    """Operating cost of the window (as for `cost_per_resolution`) divided by tickets created
    in it; null where the cost is unknown or no ticket was created."""
    created = g.count()
    return _per(group_cost(g, ctx), created), created
