"""KPIs that need message-level input or status history (README "Messages and status
history"; DECISIONS 21: new behaviours get new ids).

Their columns are derived when loading (`cskpi.load.fold`) as per-ticket lists of instants:
`reopened_at` / `next_response_at` (one per reopen) and `active_from` / `active_until` (the
intervals of the resolution clock outside paused statuses). Each list is flattened once into
arrays with the row each value came from, the spans are measured on the report's clock with
`Context.span` (business hours and per-team calendars included), then reduced per group.
Instants after `as_of` have not happened (DECISIONS 2): the engine has cut the history at
`as_of` before (`Conversation.at`, DECISIONS 45); the checks here keep a frame folded without
that cut honest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cskpi.kpis.registry import Anchor, Unit, kpi

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from cskpi.kpis.context import Context
    from cskpi.kpis.view import GroupView

    Out = tuple[np.ndarray, np.ndarray]

NAT = -(2**63)


def flatten(values: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A list-of-timestamps column → (µs values with NAT for nulls, the position of the row
    each value came from, whether each row holds a list at all)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    arrow = pa.array(values.array)
    if isinstance(arrow, pa.ChunkedArray):
        arrow = arrow.combine_chunks()
    flat = pc.list_flatten(arrow)
    parents = np.asarray(pc.list_parent_indices(arrow).to_numpy(), dtype="int64")
    stamps = flat.cast(pa.int64()).fill_null(NAT).to_numpy(zero_copy_only=False)
    valid = np.asarray(arrow.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    return np.asarray(stamps, dtype="int64"), parents, valid


def _rows(g: GroupView, ctx: Context, rows: np.ndarray) -> pd.DataFrame:
    """The tickets' calendar column (`calendar_by`) for each flattened value; nothing else is
    copied."""
    by = ctx.config.calendar_by
    keep = [by] if by is not None and by in g.frame else []
    return g.frame[keep].iloc[rows]


def _episodes(g: GroupView, ctx: Context) -> tuple[np.ndarray, GroupView]:
    """Seconds from each reopen to its next response, and a view grouping the episodes."""

    def run() -> tuple[np.ndarray, GroupView]:
        import numpy as np

        from cskpi.kpis.view import GroupView

        start, rows, _ = flatten(g.frame["reopened_at"])
        answer, _, _ = flatten(g.frame["next_response_at"])
        happened = (start != NAT) & (start <= ctx.as_of_us)
        answer = np.where(answer <= ctx.as_of_us, answer, NAT)
        start, answer, rows = start[happened], answer[happened], rows[happened]
        frame = _rows(g, ctx, rows)
        seconds = ctx.span(start, answer, rows=frame)
        view = GroupView(frame, g.codes[rows], g.ngroups, g.group_bucket, g.has_by)
        return seconds, view

    return g.cached("next_response", run)


@kpi(
    id="next_response_time_mean",
    name="Next response after reopen (mean)",
    unit=Unit.SECONDS,
    anchor=Anchor.CREATED,
    needs=("next_response_at",),
)
def next_response_time_mean(g: GroupView, ctx: Context) -> Out:
    """Mean time from each reopen (a resolved/closed ticket set back to open, from `--events`)
    to the next public human agent message (`--messages`) before any later reopen, over the
    answered reopens of tickets created in the window. Business-hours variant when business
    hours are on."""
    seconds, view = _episodes(g, ctx)
    return view.mean(seconds)


@kpi(
    id="next_response_time_median",
    name="Next response after reopen (median)",
    unit=Unit.SECONDS,
    anchor=Anchor.CREATED,
    needs=("next_response_at",),
)
def next_response_time_median(g: GroupView, ctx: Context) -> Out:
    """Median time from a reopen to the next agent response (as `next_response_time_mean`)."""
    seconds, view = _episodes(g, ctx)
    return view.quantile(seconds, 0.5, "next_response")


@kpi(
    id="next_response_time_p90",
    name="Next response after reopen (p90)",
    unit=Unit.SECONDS,
    anchor=Anchor.CREATED,
    needs=("next_response_at",),
)
def next_response_time_p90(g: GroupView, ctx: Context) -> Out:
    """90th percentile time from a reopen to the next agent response."""
    seconds, view = _episodes(g, ctx)
    return view.quantile(seconds, 0.9, "next_response")


def _active(g: GroupView, ctx: Context) -> np.ndarray:
    """Per ticket: seconds on the active resolution clock (NaN without status history)."""

    def run() -> np.ndarray:
        import numpy as np

        start, rows, valid = flatten(g.frame["active_from"])
        end, _, _ = flatten(g.frame["active_until"])
        spans = ctx.span(start, end, rows=_rows(g, ctx, rows))
        total = np.bincount(rows, weights=np.nan_to_num(spans), minlength=len(g.frame))
        return np.where(valid, total, np.nan)

    return g.cached("active_resolution", run)


@kpi(
    id="resolution_time_active_mean",
    name="Active resolution time (mean)",
    unit=Unit.SECONDS,
    anchor=Anchor.RESOLVED,
    needs=("active_from",),
)
def resolution_time_active_mean(g: GroupView, ctx: Context) -> Out:
    """Mean time from creation to (last) resolution with the clock stopped while the ticket is
    in a paused status (`[status] paused`, default pending and on_hold) or resolved before a
    reopen; from `--events`, over tickets resolved in the window that have status history."""
    return g.mean(_active(g, ctx))


@kpi(
    id="resolution_time_active_median",
    name="Active resolution time (median)",
    unit=Unit.SECONDS,
    anchor=Anchor.RESOLVED,
    needs=("active_from",),
)
def resolution_time_active_median(g: GroupView, ctx: Context) -> Out:
    """Median active resolution time (paused statuses stop the clock)."""
    return g.quantile(_active(g, ctx), 0.5, "active_resolution")


@kpi(
    id="resolution_time_active_p90",
    name="Active resolution time (p90)",
    unit=Unit.SECONDS,
    anchor=Anchor.RESOLVED,
    needs=("active_from",),
)
def resolution_time_active_p90(g: GroupView, ctx: Context) -> Out:
    """90th percentile active resolution time (paused statuses stop the clock)."""
    return g.quantile(_active(g, ctx), 0.9, "active_resolution")
