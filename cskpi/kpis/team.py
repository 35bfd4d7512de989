"""Team performance KPIs (KPIS.md "Team performance").

Each function receives the grouped view of its anchor and returns `(values, n)` per group.
Rules shared by all: empty optional values leave the population (DECISIONS 8); negative
durations leave every KPI built on that duration (DECISIONS 9); nothing after `as_of` exists.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cskpi.kpis.registry import Anchor, Unit, kpi

if TYPE_CHECKING:
    import numpy as np

    from cskpi.kpis.context import Context
    from cskpi.kpis.view import GroupView

    Out = tuple[np.ndarray, np.ndarray]

C, R = Anchor.CREATED, Anchor.RESOLVED


@kpi(
    id="tickets_created",
    name="Tickets created",
    unit=Unit.COUNT,
    anchor=C,
    needs=("created_at",),
    additive=True,
)
def tickets_created(g: GroupView, ctx: Context) -> Out:
    """Number of tickets whose `created_at` is in the window."""
    n = g.count()
    return n, n


@kpi(
    id="tickets_resolved",
    name="Tickets resolved",
    unit=Unit.COUNT,
    anchor=R,
    needs=("resolved_at",),
    additive=True,
)
def tickets_resolved(g: GroupView, ctx: Context) -> Out:
    """Number of tickets whose `resolved_at` is in the window (each ticket once)."""
    n = g.count()
    return n, n


@kpi(
    id="backlog",
    name="Backlog (open at end)",
    unit=Unit.COUNT,
    anchor=Anchor.WINDOW_END,
    needs=("created_at",),
)
def backlog(g: GroupView, ctx: Context) -> Out:
    """Tickets open at the end of the window (or of each bucket): created and not resolved by
    its last instant that has happened — just before its end (a ticket resolved exactly at
    the end is still open then, and resolved in the next bucket), or `as_of` when earlier
    (`as_of` has happened: a ticket resolved exactly then is not open). So each bucket's
    backlog is the previous one + created − resolved. Resolved tickets without a timestamp
    are not open."""
    n = g.extra["backlog"]
    return n, n


def _resolved_any(g: GroupView) -> np.ndarray:
    import numpy as np

    resolved = (
        g.present("resolved_at") if g.has("resolved_at") else np.zeros(len(g.frame), dtype=bool)
    )
    return resolved | g.frame["_resolved_unknown"].to_numpy(dtype=bool)


@kpi(
    id="resolution_rate",
    name="Resolution rate",
    unit=Unit.RATIO,
    anchor=C,
    needs=("resolved_at|status",),
)
def resolution_rate(g: GroupView, ctx: Context) -> Out:
    """Share of tickets created in the window that are resolved by `as_of` (a resolved status
    without a timestamp counts as resolved)."""
    import numpy as np

    return g.share(_resolved_any(g), np.ones(len(g.frame), dtype=bool))


@kpi(
    id="response_rate",
    name="Response rate",
    unit=Unit.RATIO,
    anchor=C,
    needs=("first_response_at",),
)
def response_rate(g: GroupView, ctx: Context) -> Out:
    """Share of tickets created in the window that received a first agent response, over
    those whose first-response clock has started: with `--messages`, an agent-opened ticket
    the customer never answered is not a non-response, and `[messages] agent_initiated =
    "exclude"` leaves agent-opened tickets out (DECISIONS 45)."""
    from cskpi.kpis.sla import response_start

    return g.share(g.present("first_response_at"), response_start(g) != -(2**63))


VENDOR_FRT = "first_response_business_seconds"


def _frt(g: GroupView, ctx: Context) -> np.ndarray:
    """First response seconds; in business-hours reports a vendor's business-hours duration
    fills tickets without a `first_response_at` (DECISIONS 24; counted when loading)."""
    import numpy as np

    from cskpi.kpis.sla import calendar_first_response, response_start

    if not ctx.business:  # shared with the service level's judgement
        return calendar_first_response(g, ctx)

    def run() -> np.ndarray:
        answered_at = g.times("first_response_at")
        frt = ctx.span(response_start(g), answered_at, rows=g.frame)
        if g.has(VENDOR_FRT):
            vendor = g.floats(VENDOR_FRT)
            fill = (answered_at == -(2**63)) & (vendor >= 0)
            frt = np.where(fill, vendor, frt)
        return frt

    return g.cached("frt", run)


def first_response_seconds(g: GroupView, ctx: Context) -> np.ndarray:
    """The FRT KPIs' durations per ticket (NaN: none), for the distribution KPIs."""
    return _frt(g, ctx)


def resolution_seconds(g: GroupView, ctx: Context) -> np.ndarray:
    """The resolution-time KPIs' durations per ticket (NaN: none), for the distribution KPIs."""
    return _resolution(g, ctx)


def _resolution(g: GroupView, ctx: Context) -> np.ndarray:
    """Resolution seconds, once per view (the mean, median and p90 share them)."""
    return g.cached("resolution", lambda: ctx.span_of(g, "created_at", "resolved_at"))


@kpi(
    id="frt_mean",
    name="First response time (mean)",
    unit=Unit.SECONDS,
    anchor=C,
    needs=("first_response_at",),
)
def frt_mean(g: GroupView, ctx: Context) -> Out:
    """Mean of `first_response_at − created_at` over created tickets with a first response."""
    return g.mean(_frt(g, ctx))


@kpi(
    id="frt_median",
    name="First response time (median)",
    unit=Unit.SECONDS,
    anchor=C,
    needs=("first_response_at",),
)
def frt_median(g: GroupView, ctx: Context) -> Out:
    """Median first response time (linear interpolation) over created tickets with one."""
    return g.quantile(_frt(g, ctx), 0.5, "frt")


@kpi(
    id="frt_p90",
    name="First response time (p90)",
    unit=Unit.SECONDS,
    anchor=C,
    needs=("first_response_at",),
)
def frt_p90(g: GroupView, ctx: Context) -> Out:
    """90th percentile first response time (linear interpolation)."""
    return g.quantile(_frt(g, ctx), 0.9, "frt")


@kpi(
    id="frt_sla_rate",
    name="First response SLA met",
    unit=Unit.RATIO,
    anchor=C,
    needs=("first_response_at",),
)
def frt_sla_rate(g: GroupView, ctx: Context) -> Out:
    """Share of created tickets whose first response met (≤) its policy target; unanswered
    tickets count as breaches once the target has elapsed at `as_of`; no policy → not counted.
    Without `[[sla]]`, the built-in policy is a 24 h first response in calendar time."""
    from cskpi.kpis.sla import first_response

    o = first_response(g, ctx)
    return g.share(o.met, o.counted)


@kpi(
    id="frt_sla_breaches",
    name="First response SLA breaches",
    unit=Unit.COUNT,
    anchor=C,
    needs=("first_response_at",),
    additive=True,
)
def frt_sla_breaches(g: GroupView, ctx: Context) -> Out:
    """Number of created tickets that breached their first-response target (as counted by
    `frt_sla_rate`)."""
    from cskpi.kpis.sla import first_response

    o = first_response(g, ctx)
    n = g.count(o.counted & ~o.met)
    return n, n


@kpi(
    id="service_level",
    name="Service level",
    unit=Unit.RATIO,
    anchor=C,
    needs=("first_response_at",),
)
def service_level(g: GroupView, ctx: Context) -> Out:
    """Share of created tickets first-responded within `service_level.threshold` (default 20 s,
    calendar time); unanswered tickets are misses once the threshold has elapsed."""
    import numpy as np

    from cskpi.kpis.sla import judge_first_response

    target = np.float64(ctx.config.service_level_threshold)  # one for every ticket
    counted, met, _ = judge_first_response(g, ctx, target, False, actual=False)
    return g.share(met, counted)


@kpi(
    id="resolution_time_mean",
    name="Resolution time (mean)",
    unit=Unit.SECONDS,
    anchor=R,
    needs=("resolved_at",),
)
def resolution_time_mean(g: GroupView, ctx: Context) -> Out:
    """Mean of `resolved_at − created_at` over tickets resolved in the window."""
    return g.mean(_resolution(g, ctx))


@kpi(
    id="resolution_time_median",
    name="Resolution time (median)",
    unit=Unit.SECONDS,
    anchor=R,
    needs=("resolved_at",),
)
def resolution_time_median(g: GroupView, ctx: Context) -> Out:
    """Median resolution time (linear interpolation) over tickets resolved in the window."""
    return g.quantile(_resolution(g, ctx), 0.5, "resolution")


@kpi(
    id="resolution_time_p90",
    name="Resolution time (p90)",
    unit=Unit.SECONDS,
    anchor=R,
    needs=("resolved_at",),
)
def resolution_time_p90(g: GroupView, ctx: Context) -> Out:
    """90th percentile resolution time (linear interpolation)."""
    return g.quantile(_resolution(g, ctx), 0.9, "resolution")


@kpi(
    id="resolution_sla_rate",
    name="Resolution SLA met",
    unit=Unit.RATIO,
    anchor=R,
    needs=("resolved_at",),
)
def resolution_sla_rate(g: GroupView, ctx: Context) -> Out:
    """Share of resolved tickets resolved within (≤) their policy's resolution target; null
    when no policy sets one."""
    from cskpi.kpis.sla import resolution

    o = resolution(g, ctx)
    return g.share(o.met, o.counted)


@kpi(
    id="resolution_sla_breaches",
    name="Resolution SLA breaches",
    unit=Unit.COUNT,
    anchor=R,
    needs=("resolved_at",),
    additive=True,
)
def resolution_sla_breaches(g: GroupView, ctx: Context) -> Out:
    """Number of tickets resolved in the window after their resolution target."""
    from cskpi.kpis.sla import resolution

    o = resolution(g, ctx)
    n = g.count(o.counted & ~o.met)
    return n, n


@kpi(
    id="fcr_rate",
    name="First contact resolution",
    unit=Unit.RATIO,
    anchor=R,
    needs=("agent_replies|first_contact_resolved",),
)
def fcr_rate(g: GroupView, ctx: Context) -> Out:
    """Share of resolved tickets resolved with exactly one agent reply and no reopen (an
    empty `reopens` leaves the derived rule undecided). An explicit `first_contact_resolved`
    flag wins per row; the derived rule fills rows where the flag is empty."""
    import numpy as np

    def rule(columns: dict[str, np.ndarray], size: int) -> tuple[np.ndarray, np.ndarray]:
        known: np.ndarray = np.zeros(size, dtype=bool)
        hit: np.ndarray = np.zeros(size, dtype=bool)
        if "agent_replies" in columns:
            replies = columns["agent_replies"]
            reopens = columns.get("reopens", np.zeros(size))
            known = ~np.isnan(replies) & ~np.isnan(reopens)
            hit = known & (replies == 1) & (reopens == 0)
        if "first_contact_resolved" in columns:
            flag = columns["first_contact_resolved"]
            has_flag = ~np.isnan(flag)
            known = known | has_flag
            hit = np.where(has_flag, flag == 1, hit)
        return hit, known

    read = [c for c in ("agent_replies", "reopens", "first_contact_resolved") if g.has(c)]
    hit, known = g.per_block(read, rule)
    return g.share(hit, known)


@kpi(id="reopen_rate", name="Reopen rate", unit=Unit.RATIO, anchor=R, needs=("reopens",))
def reopen_rate(g: GroupView, ctx: Context) -> Out:
    """Share of resolved tickets with `reopens > 0` (empty `reopens` not counted)."""
    import numpy as np

    reopens = g.floats("reopens")
    return g.share(reopens > 0, ~np.isnan(reopens))


@kpi(id="escalation_rate", name="Escalation rate", unit=Unit.RATIO, anchor=C, needs=("escalated",))
def escalation_rate(g: GroupView, ctx: Context) -> Out:
    """Share of created tickets flagged `escalated` (empty flags not counted)."""
    import numpy as np

    hit, known = g.per_block(
        ["escalated"],
        lambda columns, _: (columns["escalated"] == 1, ~np.isnan(columns["escalated"])),
    )
    return g.share(hit, known)


@kpi(id="aht", name="Average handle time", unit=Unit.SECONDS, anchor=R, needs=("handle_seconds",))
def aht(g: GroupView, ctx: Context) -> Out:
    """Mean `handle_seconds` (agent work time) over resolved tickets that have it; negative
    values are not counted. Work time, so no business-hours variant (DECISIONS 21)."""
    import numpy as np

    values = g.floats("handle_seconds")
    return g.mean(np.where(values >= 0, values, np.nan))


@kpi(
    id="agent_replies_mean",
    name="Agent replies per ticket",
    unit=Unit.SCORE,
    anchor=R,
    needs=("agent_replies",),
)
def agent_replies_mean(g: GroupView, ctx: Context) -> Out:
    """Mean `agent_replies` over resolved tickets that have it."""
    return g.mean(g.floats("agent_replies"))


@kpi(
    id="customer_replies_mean",
    name="Customer replies per ticket",
    unit=Unit.SCORE,
    anchor=R,
    needs=("customer_replies",),
)
def customer_replies_mean(g: GroupView, ctx: Context) -> Out:
    """Mean `customer_replies` over resolved tickets that have it."""
    return g.mean(g.floats("customer_replies"))


@kpi(id="tickets_per_agent", name="Tickets per agent", unit=Unit.SCORE, anchor=R, needs=("agent",))
def tickets_per_agent(g: GroupView, ctx: Context) -> Out:
    """Resolved tickets divided by the distinct agents who resolved them; tickets without an
    agent count in neither. `n` is the number of tickets counted."""
    import numpy as np

    agents = g.frame["agent"].cat.codes.to_numpy().astype("int64")
    has = agents >= 0
    tickets = g.count(has)
    distinct = g.distinct(agents, has)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(distinct > 0, tickets / np.maximum(distinct, 1), np.nan), tickets


@kpi(
    id="repeat_contact_rate",
    name="Repeat contact rate",
    unit=Unit.RATIO,
    anchor=R,
    needs=("resolved_at", "customer_id"),
)
def repeat_contact_rate(g: GroupView, ctx: Context) -> Out:
    """Share of tickets resolved in the window (with a `customer_id`, and whose horizon
    `resolved_at + repeat_contact.days` is ≤ `as_of`) whose customer opened another ticket
    created in `(resolved_at, resolved_at + days]`, inside the window or not (DECISIONS 19)."""
    import numpy as np
    import pandas as pd

    days_us = int(ctx.config.repeat_contact_days * 86400 * 1_000_000)
    resolved = g.times("resolved_at")
    customer = g.frame["customer_id"]
    population = customer.notna().to_numpy() & (resolved + days_us <= ctx.as_of_us)
    left = pd.DataFrame(
        {
            "customer_id": customer[population].astype("str").to_numpy(),
            "t": resolved[population],
            "row": np.flatnonzero(population),
        }
    )
    every = ctx.tickets
    right = pd.DataFrame(
        {
            "customer_id": every["customer_id"].astype("str").to_numpy(),
            "t": np.asarray(
                every["created_at"].dt.tz_localize(None).astype("datetime64[us]").to_numpy()
            ).view("int64"),
        }
    )
    right = right[every["customer_id"].notna().to_numpy()].sort_values("t", kind="stable")
    left["customer_id"] = left["customer_id"].astype("str")
    right["customer_id"] = right["customer_id"].astype("str")
    right["next"] = right["t"]
    nxt = pd.merge_asof(
        left.sort_values("t", kind="stable"),
        right,
        on="t",
        by="customer_id",
        direction="forward",
        allow_exact_matches=False,
    )
    hit: np.ndarray = np.zeros(len(g.frame), dtype=bool)
    repeat = nxt["next"].notna().to_numpy() & (
        nxt["next"].to_numpy() <= nxt["t"].to_numpy() + days_us
    )
    hit[nxt["row"].to_numpy()] = repeat
    return g.share(hit, population)
