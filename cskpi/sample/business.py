"""Synthetic business inputs that match the sample tickets: customers, orders, schedules, costs.

Written by `cskpi sample` beside tickets.csv, as CSV with headers a CRM, a shop,
a rota and a budget sheet would use, so the tool maps them by alias. Deterministic: every
draw comes from `numpy.random.default_rng([seed, 2, part, chunk])`, all array arithmetic.

- customers: every customer id the tickets can name (`C000001` …), plan (Basic 29, Pro 99,
  Enterprise 499 a month; the MRR), segment (follows the plan), region (the same hash of the
  id as the tickets'), start (30% new during the span, before their first ticket; the rest
  up to two years earlier), churn (10% base, +15 points when one of the customer's tickets
  missed the 24-hour first-response rule, +5 on Basic; at a time after their last ticket);
- orders: Poisson counts per customer (more on higher plans) at times while the customer is
  active, products from a small catalogue in four categories; later orders drift to
  pricier products (upsell) and to other categories (cross-sell);
- schedules: every agent on working days (Mon–Fri), 8 hours, the third agent of each team
  part-time (4 hours), 5% days off;
- costs: per month and team, three agents' cost plus tooling, growing 1% a month.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from cskpi.sample import common

if TYPE_CHECKING:
    import pandas as pd

PLANS = (("Basic", 29.0, 0.55), ("Pro", 99.0, 0.35), ("Enterprise", 499.0, 0.10))
SEGMENTS = ("SMB", "Mid-market", "Enterprise")
PRODUCTS = (
    ("Starter pack", "Accessories", 19.0),
    ("Cable kit", "Accessories", 29.0),
    ("Extra seats", "Licences", 49.0),
    ("Pro licence", "Licences", 99.0),
    ("Training", "Services", 150.0),
    ("Hardware hub", "Hardware", 250.0),
    ("Onboarding", "Services", 400.0),
    ("Enterprise licence", "Licences", 499.0),
)
CUSTOMER_HEADERS = ("Customer ID", "Signup Date", "Churn Date", "Plan", "MRR", "Region", "Segment")
ORDER_HEADERS = ("Order ID", "Customer ID", "Order Date", "Total", "Product", "Category")
SCHEDULE_HEADERS = ("Agent", "Team", "Date", "Scheduled Hours")
COST_HEADERS = ("Month", "Team", "Cost")
_DAY = 86400


class TicketStats:
    """Per customer, from the ticket chunks: first and last ticket, any first-response breach."""

    def __init__(self, customers: int) -> None:
        import numpy as np

        big = np.iinfo("int64").max
        self.first: Any = np.full(customers + 1, big, dtype="int64")
        self.last: Any = np.full(customers + 1, -1, dtype="int64")
        self.breached: Any = np.zeros(customers + 1, dtype=bool)

    def add(self, t: dict[str, Any], end: int) -> None:
        import numpy as np

        cust = t["cust"]
        np.minimum.at(self.first, cust, t["created"])
        np.maximum.at(self.last, cust, t["created"])
        waited = np.where(t["has_first"], t["first"], end) - t["created"]
        self.breached[cust[waited > _DAY]] = True


def write_business(
    out: Path,
    plan: Any,
    stats: TicketStats,
    agents: tuple[tuple[str, int, int], ...],
    teams: tuple[str, ...],
    chunk: int,
) -> list[Path]:
    """Write customers.csv, orders.csv, schedules.csv and costs.csv; return their paths."""
    paths = [out / f"{name}.csv" for name in ("customers", "orders", "schedules", "costs")]
    with (
        paths[0].open("w", encoding="utf-8", newline="") as cfh,
        paths[1].open("w", encoding="utf-8", newline="") as ofh,
    ):
        numbered = 0
        for k, lo in enumerate(range(1, plan.customers + 1, chunk)):
            hi = min(lo + chunk, plan.customers + 1)
            customers, orders = _customers(plan, stats, lo, hi, k, numbered)
            numbered += len(orders)
            customers.to_csv(cfh, index=False, header=k == 0, lineterminator="\n")
            orders.to_csv(ofh, index=False, header=k == 0, lineterminator="\n")
    _schedules(plan, agents, teams).to_csv(paths[2], index=False, lineterminator="\n")
    _costs(plan, teams).to_csv(paths[3], index=False, lineterminator="\n")
    return paths


def _text(seconds: Any, valid: Any) -> Any:
    return common.iso_text(seconds, valid).to_numpy(zero_copy_only=False)


def _customers(
    plan: Any, stats: TicketStats, lo: int, hi: int, k: int, numbered: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng([plan.seed, 2, 0, k])
    ids: Any = np.arange(lo, hi, dtype=np.int64)
    n = len(ids)
    t0, t1 = plan.t0, plan.t1
    first, last, breached = stats.first[ids], stats.last[ids], stats.breached[ids]
    has_ticket = last >= 0
    tier = common.bucket(rng.random(n), [p[2] for p in PLANS]).astype(np.int64)
    segment = np.clip(tier + (rng.random(n) < 0.2) * rng.choice([-1, 1], n), 0, 2)
    mix = ((ids - 1).astype(np.uint64) * np.uint64(2654435761)) & np.uint64(0xFFFFFFFF)
    region = common.bucket(mix / 2.0**32, common.REGION_W)
    new = rng.random(n) < 0.3
    latest_start = np.where(has_ticket, first, t1 - 1)
    start = np.where(
        new,
        t0 + (rng.random(n) * np.maximum(latest_start - t0, 0)).astype(np.int64),
        np.minimum(latest_start, t0 - (rng.random(n) * 730 * _DAY).astype(np.int64)),
    )
    churn_p = 0.10 + 0.15 * breached + 0.05 * (tier == 0)
    churned = rng.random(n) < churn_p
    from_time = np.maximum(np.maximum(start, last), t0)
    end = from_time + (rng.random(n) * np.maximum(t1 - 1 - from_time, 0)).astype(np.int64)
    churned &= end < t1
    customers = pd.DataFrame(
        {
            "Customer ID": common.ids("C", ids, plan.widths[1], None).to_numpy(
                zero_copy_only=False
            ),
            "Signup Date": _text(start, np.ones(n, dtype=bool)),
            "Churn Date": _text(end, churned),
            "Plan": np.asarray([p[0] for p in PLANS], dtype=object)[tier],
            "MRR": np.asarray([p[1] for p in PLANS])[tier],
            "Region": np.asarray(common.REGIONS, dtype=object)[region],
            "Segment": np.asarray(SEGMENTS, dtype=object)[segment],
        }
    )
    # orders while active inside the span; later orders drift up the catalogue
    active_from = np.maximum(start, t0)
    active_to = np.where(churned, end, t1)
    span = np.maximum(active_to - active_from, 0)
    count = rng.poisson((0.5 + 0.4 * tier) * span / max(t1 - t0, 1))
    owner: Any = np.repeat(np.arange(n), count)
    when = active_from[owner] + (rng.random(len(owner)) * span[owner]).astype(np.int64)
    order = np.lexsort((when, owner))
    owner, when = owner[order], when[order]
    rank = np.arange(len(owner)) - np.repeat(np.cumsum(count) - count, count)
    pick = np.clip(
        common.bucket(rng.random(len(owner)), (0.3, 0.25, 0.15, 0.1, 0.08, 0.06, 0.04, 0.02))
        + tier[owner]
        + np.minimum(rank, 3) * (rng.random(len(owner)) < 0.3),
        0,
        len(PRODUCTS) - 1,
    )
    quantity = 1 + (rng.random(len(owner)) < 0.15)
    orders = pd.DataFrame(
        {
            "Order ID": common.ids(
                "O", numbered + 1 + np.arange(len(owner)), max(7, plan.widths[1] + 1), None
            ).to_numpy(zero_copy_only=False),
            "Customer ID": customers["Customer ID"].to_numpy()[owner],
            "Order Date": _text(when, np.ones(len(owner), dtype=bool)),
            "Total": np.asarray([p[2] for p in PRODUCTS])[pick] * quantity,
            "Product": np.asarray([p[0] for p in PRODUCTS], dtype=object)[pick],
            "Category": np.asarray([p[1] for p in PRODUCTS], dtype=object)[pick],
        }
    )
    return customers, orders


def _schedules(
    plan: Any, agents: tuple[tuple[str, int, int], ...], teams: tuple[str, ...]
) -> pd.DataFrame:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng([plan.seed, 2, 1])
    days = np.arange(plan.t0 // _DAY, plan.t1 // _DAY, dtype=np.int64)
    days = days[(days + 3) % 7 < 5]  # Mon–Fri (1970-01-01 was a Thursday)
    who: Any = np.repeat(np.arange(len(agents)), len(days))
    day = np.tile(days, len(agents))
    keep = rng.random(len(day)) >= 0.05
    who, day = who[keep], day[keep]
    hours = np.where(who % 3 == 2, 4.0, 8.0)
    return pd.DataFrame(
        {
            "Agent": np.asarray([a[0] for a in agents], dtype=object)[who],
            "Team": np.asarray(teams, dtype=object)[np.asarray([a[1] for a in agents])[who]],
            "Date": np.datetime_as_string(day.astype("datetime64[D]")),
            "Scheduled Hours": hours,
        }
    )


def _costs(plan: Any, teams: tuple[str, ...]) -> pd.DataFrame:
    import numpy as np
    import pandas as pd

    months = pd.period_range(
        pd.Timestamp(plan.t0, unit="s"), pd.Timestamp(plan.t1 - 1, unit="s"), freq="M"
    )
    month: Any = np.repeat(np.arange(len(months)), len(teams))
    team = np.tile(np.arange(len(teams)), len(months))
    amount = np.round((3 * 4200.0 + 1500.0) * 1.01**month * (1 + 0.1 * team), 2)
    return pd.DataFrame(
        {
            "Month": months.strftime("%Y-%m").to_numpy()[month],
            "Team": np.asarray(teams, dtype=object)[team],
            "Cost": amount,
        }
    )
