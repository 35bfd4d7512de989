"""Customer, revenue and workforce KPIs: the business inputs' KPIs.

Customer-state KPIs read the `window start/end` anchor: per group and bucket, the customers
active at its start and end and what changed inside it (`cskpi.engine.states`; a customer is
active at instant t when `started_at < t ≤ ended_at`, an empty `ended_at` meaning still
active; nothing after `as_of` has happened). Order KPIs read orders whose `ordered_at` is in
the window; a customer's history (first order, categories bought, previous amount) looks at
all their orders up to `as_of`. A KPI grouped by a column the input lacks groups its records
under `(none)`; customer attributes reach tickets, surveys and orders through `customer_id`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cskpi.kpis.registry import Anchor, Unit, kpi

if TYPE_CHECKING:
    import numpy as np

    from cskpi.kpis.context import Context
    from cskpi.kpis.view import GroupView

    Out = tuple[np.ndarray, np.ndarray]

W, ORD = Anchor.WINDOW_BOUNDS, Anchor.ORDERED


def _state(g: GroupView, name: str) -> np.ndarray:
    import numpy as np

    value: np.ndarray = g.extra.get(name, np.zeros(g.ngroups))
    return value


def _ratio(top: np.ndarray, bottom: np.ndarray) -> np.ndarray:
    import numpy as np

    with np.errstate(invalid="ignore", divide="ignore"):
        out: np.ndarray = np.where(bottom > 0, top / np.where(bottom > 0, bottom, 1), np.nan)
    return out


@kpi(id="churn_rate", name="Churn rate", unit=Unit.RATIO, anchor=W, needs=("customers:ended_at",))
def churn_rate(g: GroupView, ctx: Context) -> Out:
    """Customers active at the start of the window whose `ended_at` falls in the window,
    divided by the customers active at its start (`n`). A customer who starts and churns
    inside the window is in neither (they were not in the starting population); with
    `--period`, per bucket. churn_rate + retention_rate = 1."""
    start = _state(g, "active_start")
    return _ratio(_state(g, "churned_start"), start), start


@kpi(
    id="retention_rate",
    name="Retention rate",
    unit=Unit.RATIO,
    anchor=W,
    needs=("customers:ended_at",),
)
def retention_rate(g: GroupView, ctx: Context) -> Out:
    """(E − N) ÷ S: customers active at the end of the window (E) minus those among them who
    started in the window (N), divided by the customers active at its start (S, `n`) — the
    share of the starting customers still active at the end. Customers who start and churn
    inside the window are in none of E, N and S."""
    start = _state(g, "active_start")
    return _ratio(start - _state(g, "churned_start"), start), start


@kpi(
    id="customers_active",
    name="Active customers",
    unit=Unit.COUNT,
    anchor=W,
    needs=("customers:customer_id",),
)
def customers_active(g: GroupView, ctx: Context) -> Out:
    """Customers active at the end of the window (or of each bucket): `started_at` before it
    and no `ended_at` before it."""
    n: np.ndarray = _state(g, "active_end").astype("int64")
    return n, n


@kpi(
    id="mrr", name="Monthly recurring revenue", unit=Unit.MONEY, anchor=W, needs=("customers:mrr",)
)
def mrr(g: GroupView, ctx: Context) -> Out:
    """Sum of `mrr` over the customers active at the end of the window (or of each bucket)
    that have one (`n`); null when none has."""
    import numpy as np

    n = _state(g, "mrr_end_n")
    return np.where(n > 0, _state(g, "mrr_end"), np.nan), n


@kpi(id="mrr_growth", name="MRR growth", unit=Unit.CHANGE, anchor=W, needs=("customers:mrr",))
def mrr_growth(g: GroupView, ctx: Context) -> Out:
    """(MRR at the end of the window − MRR at its start) ÷ MRR at its start, where MRR at an
    instant is the sum of `mrr` of the customers active then; the start of the window is the
    end of the previous window of equal length (with `--period`, of the previous bucket).
    Each customer's `mrr` is taken as constant over their lifetime. `n`: customers with an
    `mrr` active at the start; null when their MRR is 0. Unit `change`: a signed relative
    change, −0.125 is −12.5 %; it may be negative or above 1."""
    start = _state(g, "mrr_start")
    return _ratio(_state(g, "mrr_end") - start, start), _state(g, "mrr_start_n")


@kpi(
    id="clv",
    name="Customer lifetime value",
    unit=Unit.MONEY,
    anchor=W,
    needs=("customers:mrr", "customers:ended_at"),
)
def clv(g: GroupView, ctx: Context) -> Out:
    """Average revenue per customer per month × average lifetime in months, both estimated
    from the window: ARPA = Σ `mrr` × months active in the window ÷ months active in the
    window (customers with an `mrr`); lifetime = customer-months active in the window ÷
    customers whose `ended_at` is in the window (`n`; new customers' churn included), the
    mean lifetime under a constant monthly churn rate. A month is 30.436875 days. Assumes
    constant churn and `mrr`, counts revenue (not margin), no discounting, no order revenue;
    null when no customer churned in the window."""
    arpa = _ratio(_state(g, "revenue"), _state(g, "exposure_mrr"))
    churned = _state(g, "churned")
    return arpa * _ratio(_state(g, "exposure"), churned), churned


def _buyers(g: GroupView, hit: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per group: distinct customers with an order in the window (`n`), and those among
    them with at least two such orders (`hit` None) or with a `hit` order."""
    import numpy as np
    import pandas as pd

    customer, _ = pd.factorize(g.frame["customer_id"])
    pairs, counts = np.unique(
        g.codes.astype("int64") * (len(customer) + 1) + customer, return_counts=True
    )
    group = pairs // (len(customer) + 1)
    n = np.bincount(group, minlength=g.ngroups).astype("int64")
    if hit is None:
        return np.bincount(group[counts >= 2], minlength=g.ngroups), n
    flagged = np.unique(g.codes[hit].astype("int64") * (len(customer) + 1) + customer[hit])
    return np.bincount(flagged // (len(customer) + 1), minlength=g.ngroups), n


@kpi(
    id="repeat_purchase_rate",
    name="Repeat purchase rate",
    unit=Unit.RATIO,
    anchor=ORD,
    needs=("orders:order_id",),
)
def repeat_purchase_rate(g: GroupView, ctx: Context) -> Out:
    """Customers with two or more orders in the window divided by customers with at least
    one (`n`); customers without orders are in neither."""
    k, n = _buyers(g)
    return _ratio(k, n), n


@kpi(
    id="cross_sell_rate",
    name="Cross-sell rate",
    unit=Unit.RATIO,
    anchor=ORD,
    needs=("orders:category",),
)
def cross_sell_rate(g: GroupView, ctx: Context) -> Out:
    """Customers who, in the window, bought a category new to them after an earlier order
    (an order that is not their first and is their first in its `category`; earlier orders
    may precede the window), divided by customers with an order in the window (`n`)."""
    import numpy as np

    hit = g.frame["_new_category"].to_numpy(dtype=bool) & ~g.frame["_first_order"].to_numpy(
        dtype=bool
    )
    k, n = _buyers(g, np.asarray(hit))
    return _ratio(k, n), n


@kpi(id="upsell_rate", name="Upsell rate", unit=Unit.RATIO, anchor=ORD, needs=("orders:amount",))
def upsell_rate(g: GroupView, ctx: Context) -> Out:
    """Customers with an order in the window priced higher (`amount`) than their previous
    order (which may precede the window), divided by customers with an order in the window
    (`n`). Orders without an amount are never an upsell."""
    import numpy as np

    with np.errstate(invalid="ignore"):
        hit = g.floats("amount") > g.floats("_previous_amount")
    k, n = _buyers(g, hit)
    return _ratio(k, n), n


@kpi(
    id="agent_utilization",
    name="Agent utilisation",
    unit=Unit.RATIO_UNBOUNDED,
    anchor=Anchor.SCHEDULED,
    needs=("handle_seconds", "agent", "schedules:scheduled_seconds"),
)
def agent_utilization(g: GroupView, ctx: Context) -> Out:
    """Handle seconds ÷ scheduled seconds: Σ `handle_seconds` (≥ 0) of tickets resolved in
    the window by an agent with a shift in the same bucket, divided by Σ `scheduled_seconds`
    of the shifts whose `date` is in the window; per agent with `--by agent`. `n`: shifts.
    Null where no time is scheduled (an agent without a schedule), never a division by
    zero, and per group when the schedules lack a `--by` column. Unit `ratio_unbounded`:
    1.6 is 160 % (more handled than scheduled); it may exceed 1."""
    import numpy as np

    scheduled = g.floats("scheduled_seconds")
    shifts = g.count(~np.isnan(scheduled))
    return _ratio(g.sum(g.floats("handle_seconds")), g.sum(scheduled)), shifts
