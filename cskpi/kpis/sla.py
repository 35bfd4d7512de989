"""SLA policies → per-ticket targets, vectorised (first matching `[[sla]]` entry wins).

With no `[[sla]]` configured, one built-in policy applies to every ticket: first response
within 24 hours, calendar time (KPIS.md, DECISIONS 16), and no resolution target.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cskpi.config import Config, SlaPolicy
from cskpi.errors import UsageError, did_you_mean

if TYPE_CHECKING:
    import numpy as np

    from cskpi.kpis.context import Context
    from cskpi.kpis.view import GroupView, Table

BUILT_IN = SlaPolicy(
    filters=(),
    first_response=24 * 3600.0,
    resolution=None,
    clock="calendar",
    label="built-in: first response within 24h",
)


def policies_for(configured: tuple[SlaPolicy, ...]) -> tuple[SlaPolicy, ...]:
    return configured or (BUILT_IN,)


def check_filters(config: Config, columns: list[str]) -> None:
    """Every filter key must name a canonical or input column (DECISIONS 30). Checked when
    the policies are applied, so only a report that computes an SLA judgement fails on a
    column its input lacks (DECISIONS 43)."""
    for i, policy in enumerate(config.sla, 1):
        for key, _ in policy.filters:
            if key not in columns:
                raise UsageError(
                    f"{config.origin}: sla[{i}].{key}: no such column in the tickets"
                    f"{did_you_mean(key, columns)}"
                )


def policy_targets(frame: Table, config: Config, which: str, report_business: bool) -> Targets:
    """`assign` for the configured policies (or the built-in one), filters checked first."""
    check_filters(config, [str(c) for c in frame.columns])
    return assign(frame, policies_for(config.sla), which, report_business)


@dataclass(frozen=True)
class Targets:
    seconds: np.ndarray
    """Target per ticket in seconds; NaN where no policy sets this target."""
    business: np.ndarray
    """Per ticket: whether its clock is business time."""
    policy: np.ndarray
    """Per ticket: index of the matching policy, -1 for none."""


def assign(
    frame: Table, policies: tuple[SlaPolicy, ...], which: str, report_business: bool
) -> Targets:
    """First matching policy per ticket, and its `which` target ("first_response"/"resolution")."""
    import numpy as np

    n = len(frame)
    if policies and not policies[0].filters:
        # the first policy holds every ticket (the usual single `[[sla]]`): one value each,
        # broadcast read-only over the rows instead of three arrays of their length
        first = policies[0]
        target = getattr(first, which)
        clock = first.clock or ("business" if report_business else "calendar")
        return Targets(
            np.broadcast_to(np.float64(np.nan if target is None else target), (n,)),
            np.broadcast_to(np.bool_(clock == "business"), (n,)),
            np.broadcast_to(np.int64(0), (n,)),
        )
    chosen: np.ndarray = np.full(n, -1, dtype="int64")
    for i, policy in enumerate(policies):
        match = chosen < 0
        for key, values in policy.filters:
            column = frame[key].astype("str").str.strip().str.lower()
            match &= np.asarray(column.isin(values).fillna(False), dtype=bool)
        chosen[match] = i
    seconds = np.full(n, np.nan)
    business: np.ndarray = np.zeros(n, dtype=bool)
    for i, policy in enumerate(policies):
        target = getattr(policy, which)
        rows = chosen == i
        if target is not None:
            seconds[rows] = target
        clock = policy.clock or ("business" if report_business else "calendar")
        business[rows] = clock == "business"
    return Targets(seconds, business, chosen)


@dataclass(frozen=True)
class Outcome:
    """Per ticket of a view: whether its target is judged, met, and the time it took."""

    counted: np.ndarray
    met: np.ndarray
    actual: np.ndarray | None
    """Seconds to the response/resolution; for an unanswered ticket, the time waited so far
    (to its resolution or to `as_of`). None for a first-response outcome not asked for it."""
    targets: Targets


FRT_START = "first_contact_at"


def response_start_column(g: GroupView) -> str:
    """Where the first-response clock starts: `created_at`, or with message-level input the
    first customer message (`first_contact_at`, DECISIONS 21); an agent-initiated ticket the
    customer never answered has no start, so it is neither measured nor a breach."""
    return FRT_START if g.has(FRT_START) else "created_at"


def response_start(g: GroupView) -> np.ndarray:
    """The times the first-response clock starts (`response_start_column`)."""
    return g.times(response_start_column(g))


def calendar_first_response(g: GroupView, ctx: Context) -> np.ndarray:
    """Calendar seconds from the clock's start to the first response, NaN where unanswered:
    computed once per view, shared by the FRT KPIs and every calendar-time judgement."""
    return g.cached(
        "frt:calendar",
        lambda: ctx.span_of(g, response_start_column(g), "first_response_at", False),
    )


def judge_first_response(
    g: GroupView,
    ctx: Context,
    target: np.ndarray | float,
    business: np.ndarray | bool,
    actual: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """(counted, met, actual) for a first-response target per ticket, or one target for all
    (KPIS.md, DECISIONS 16); `actual` None when not asked for.

    Answered: counted, met when the response came within (≤) the target. Unanswered: a
    breach once the target has elapsed at `as_of`, or — when resolved without a response —
    only if it was resolved after the target; otherwise pending and not counted.

    In calendar time without the actual durations (the service level), only the unanswered
    tickets' waits are computed: two arrays of the tickets' size fewer.
    """
    import numpy as np

    nat = -(2**63)
    start = response_start_column(g)
    answered = g.present("first_response_at")
    if np.any(business):
        elapsed = ctx.span_of(g, start, "first_response_at", business)
    else:  # the FRT KPIs' own durations, not a copy of them (80 MB on 10 million tickets)
        elapsed = calendar_first_response(g, ctx)
    has_target = ~np.isnan(target)
    if not actual and not np.any(business):
        # only the unanswered tickets' times are taken
        waiting = np.flatnonzero(~answered)
        if g.has("resolved_at"):
            until = g.times("resolved_at", waiting)
        else:
            until = np.full(len(waiting), nat)
        until[until == nat] = ctx.as_of_us
        waited = ctx.span(g.times(start, waiting), until, False)
        with np.errstate(invalid="ignore"):
            counted = answered & ~np.isnan(elapsed)
            limit = target[waiting] if isinstance(target, np.ndarray) and target.ndim else target
            counted[waiting] = waited > limit
            counted &= has_target
            met = counted & answered & (elapsed <= target)
        return counted, met, None
    created = g.times(start)
    resolved_at = g.times("resolved_at") if g.has("resolved_at") else np.full(len(created), nat)
    open_until = np.where(resolved_at != nat, resolved_at, ctx.as_of_us)
    del resolved_at
    waited = ctx.span(created, open_until, business, g.frame)
    del open_until
    with np.errstate(invalid="ignore"):
        counted = has_target & np.where(answered, ~np.isnan(elapsed), waited > target)
        met = counted & answered & (elapsed <= target)
    np.copyto(waited, elapsed, where=answered)  # actual: the response time, else the wait
    return counted, met, waited


def first_response(g: GroupView, ctx: Context, actual: bool = False) -> Outcome:
    """First-response SLA outcome of every ticket in the view (computed once per view).

    `actual`: also the seconds each ticket took or waited (the breach list). The rates need
    only counted and met, which in calendar time spares two arrays of the tickets' size
    (10 million tickets: 0.3 s)."""

    def run() -> Outcome:
        targets = policy_targets(g.frame, ctx.config, "first_response", ctx.business)
        counted, met, took = judge_first_response(g, ctx, targets.seconds, targets.business, actual)
        return Outcome(counted, met, took, targets)

    return g.cached(f"sla.first_response:{actual}", run)


def resolution(g: GroupView, ctx: Context) -> Outcome:
    """Resolution SLA outcome of every resolved ticket in the view (computed once per view)."""

    def run() -> Outcome:
        import numpy as np

        targets = policy_targets(g.frame, ctx.config, "resolution", ctx.business)
        elapsed = ctx.span_of(g, "created_at", "resolved_at", targets.business)
        counted = ~np.isnan(targets.seconds) & ~np.isnan(elapsed)
        with np.errstate(invalid="ignore"):
            met = counted & (elapsed <= targets.seconds)
        return Outcome(counted, met, elapsed, targets)

    return g.cached("sla.resolution", run)
