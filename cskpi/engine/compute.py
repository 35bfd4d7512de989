"""compute(inputs, request) → Result: every requested KPI per group × period bucket.

Flow: choose KPIs (`selection`) → report zone and `as_of` → `prepare` (censor what happened
after `as_of`, link surveys, group codes) → window and buckets → one pass per window
(`passes`) → rows, overall, compare, sort/top (`shaping`), targets → one `Result` that every
output format renders.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Any

from cskpi.arrays import times_us
from cskpi.config import Config
from cskpi.engine import business_frames as frames
from cskpi.engine.keys import SPECIAL, resolve_by
from cskpi.engine.passes import run_pass
from cskpi.engine.prepare import earliest_time, latest_time, prepare, spent_columns
from cskpi.engine.selection import select_kpis, unsupported
from cskpi.engine.shaping import finish_rows, overall_values, parse_sort
from cskpi.engine.targets import evaluate, parse_targets
from cskpi.engine.where import apply_where
from cskpi.errors import UsageError
from cskpi.kpis import all_kpis
from cskpi.kpis.registry import Anchor, Kpi
from cskpi.kpis.view import GroupView
from cskpi.load.schema import UNASSIGNED
from cskpi.result import KpiInfo, Result

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from cskpi.engine.types import Inputs, Prepared, ReportRequest
    from cskpi.load.quality import DataQuality
    from cskpi.time.window import Buckets, Window


def report_zone(request: ReportRequest, config: Config, inputs: Inputs) -> str:
    """DECISIONS 3: --tz, config timezone, the source zone, UTC."""
    return request.tz or config.timezone or inputs.source_tz or "UTC"


def compute(
    inputs: Inputs,
    request: ReportRequest,
    config: Config | None = None,
    *,
    pinned: tuple[pd.Timestamp | None, pd.Timestamp | None] | None = None,
) -> Result:
    """Compute the requested KPIs. The same `Result` feeds every output format.

    `pinned`: (latest, earliest) timestamps of the whole data set, used in place of these
    inputs' own for the default `as_of` and window (the Dask engine computes each partition
    of groups in the frame of reference of all inputs, `cskpi.engine.dask`)."""
    import pandas as pd

    from cskpi.load.quality import DataQuality
    from cskpi.time.window import bucket_edges, parse_as_of, partial_buckets, resolve_window

    config = config or Config()
    registry = all_kpis()
    targets = parse_targets(config.targets, registry, config.origin)
    kpis, notes = select_kpis(request.kpis, inputs, config)
    # DECISIONS 41: every target is judged; its KPI is computed in the overall pass alone
    # when the report does not show it, unless the inputs cannot support it
    unavailable = {
        t.kpi: why for t in targets if (why := unsupported(registry[t.kpi], inputs, config))
    }
    shown = {k.id for k in kpis}
    for_targets = [
        registry[i]
        for i in dict.fromkeys(t.kpi for t in targets)
        if i not in shown | set(unavailable)
    ]
    tz = report_zone(request, config, inputs)
    latest = latest_time(inputs) if pinned is None else pinned[0]
    if latest is None and request.as_of is None:
        # nothing to take the as-of time from: a fixed instant, so that every run of the same
        # files gives the same output (the clock would differ run to run; issue 19)
        notes = [
            *notes,
            f"no readable timestamp in the inputs: as of {NO_TIME_AS_OF} (UTC); give --as-of",
        ]
    as_of = parse_as_of(
        request.as_of, tz, latest if latest is not None else pd.Timestamp(NO_TIME_AS_OF, tz="UTC")
    )
    if request.where:  # after as_of: a filter moves neither as_of nor a relative window
        inputs = apply_where(inputs, request.where, tz)
    by = resolve_by(request.group_by, inputs, [k.id for k in kpis])
    business = (
        config.clock == "business" if request.business_hours is None else request.business_hours
    )
    quality = DataQuality(
        tickets=inputs.tickets.quality if inputs.tickets else DataQuality().tickets,
        surveys=inputs.surveys.quality if inputs.surveys else DataQuality().surveys,
        others=tuple(
            (name, loaded.quality)
            for name, loaded in (inputs.business.given() if inputs.business else {}).items()
        ),
    )
    spent = (
        spent_columns([*kpis, *for_targets], by, config, request.breaches)
        if inputs.transient
        else None
    )
    prep, quality = prepare(inputs, by, as_of, config, business, quality, spent)
    window = resolve_window(
        request.window,
        as_of=as_of,
        earliest=earliest_time(prep) if pinned is None else pinned[1],
        tz=tz,
    )
    buckets = bucket_edges(window, request.period, request.week_start)
    rows, usage = run_pass(kpis, prep, window, buckets, prep.by_labels, force_all=False)
    whole_window = request.overall or bool(config.targets)
    overall: dict[str, Any] = {}
    target_values: dict[str, Any] = {}
    if whole_window:
        whole = bucket_edges(window, None)
        overall_frame, _ = run_pass([*kpis, *for_targets], prep, window, whole, [], force_all=True)
        overall = overall_values(overall_frame, kpis)
        target_values = {**overall, **overall_values(overall_frame, for_targets)}
    quality = _usage(quality, usage, prep, frames.used_rows(prep, *_edges(buckets), tz))
    previous = None
    if request.compare is not None:
        from cskpi.engine.compare import compare

        rows, overall, previous = compare(kpis, prep, window, request, rows, overall, len(by))
    if request.sort or request.top is not None:
        rows = _sort_top(rows, request, kpis, prep, window, len(by))
    partial = None
    if request.period is not None:
        partial = partial_buckets(window, request.period, as_of, request.week_start)
    table = finish_rows(rows, by, buckets, request.period, kpis, request.compare, partial, previous)
    breaches = breach_table(prep, window, buckets) if request.breaches else None
    return Result(
        as_of=as_of.tz_convert(tz),
        since=window.since,
        until=window.until,
        timezone=tz,
        business_hours=business,
        group_by=tuple(c.name for c in by),
        period=request.period,
        kpis=tuple(KpiInfo(k.id, k.name, k.unit.value, k.anchor.value, k.additive) for k in kpis),
        rows=table,
        overall=overall,
        targets=evaluate(targets, registry, target_values, unavailable),
        data_quality=quality.as_json(),
        compare=request.compare,
        notes=(*notes, *_load_notes(inputs)),
        quality_lines=tuple(quality.summary_lines()),
        quality_examples=quality.examples(),
        breaches=breaches,
        config=None if config.path is None else str(config.path),
        currency=config.costs.currency,
    )


NO_TIME_AS_OF = "1970-01-01"
"""`as_of` when no input row has a readable time and no `--as-of` is given."""


def _load_notes(inputs: Inputs) -> list[str]:
    return [n for loaded in (inputs.tickets, inputs.surveys) if loaded for n in loaded.notes]


def _edges(buckets: Buckets) -> tuple[int, int]:
    return int(buckets.edges_us[0]), int(buckets.edges_us[-1])


def _usage(
    quality: DataQuality,
    usage: dict[Anchor, np.ndarray],
    prep: Prepared,
    business: dict[str, int],
) -> DataQuality:
    """used = kept records in the window on some anchor (business frames: `business`, their
    rows in the window); the rest is out of window."""
    import numpy as np

    t_used: np.ndarray = np.zeros(len(prep.tickets) if prep.tickets is not None else 0, dtype=bool)
    for anchor in (Anchor.CREATED, Anchor.RESOLVED, Anchor.WINDOW_END):
        if anchor in usage and len(usage[anchor]) == len(t_used):
            t_used |= usage[anchor]
    s_used = usage.get(Anchor.SUBMITTED)
    return replace(
        quality,
        tickets=quality.tickets.with_usage(int(t_used.sum())),
        surveys=quality.surveys.with_usage(int(s_used.sum()) if s_used is not None else 0),
        others=tuple(
            (name, fq.with_usage(business[name]) if name in business else fq)
            for name, fq in quality.others
        ),
    )


def _sort_top(
    rows: pd.DataFrame,
    request: ReportRequest,
    kpis: list[Kpi],
    prep: Prepared,
    window: Window,
    nby: int,
) -> pd.DataFrame:
    """Rank groups by their whole-window value (DECISIONS 13); nulls last, ties by key."""
    import numpy as np

    from cskpi.time.window import bucket_edges

    if request.top is not None and request.top < 1:
        raise UsageError("--top must be at least 1")
    keys = [f"_by{j}" for j in range(nby)]
    if request.sort:
        kpi_id, ascending = parse_sort(request.sort, kpis)
    else:
        kpi_id, ascending = kpis[0].id, False
    if not keys:
        return rows.head(request.top) if request.top and request.period is None else rows
    if request.period is None:
        ranking = rows[[*keys, kpi_id]]
    else:
        whole, _ = run_pass(
            kpis, prep, window, bucket_edges(window, None), prep.by_labels, force_all=False
        )
        ranking = whole[[*keys, kpi_id]]
    value = ranking[kpi_id].astype("float64").to_numpy()
    order_value = np.where(np.isnan(value), np.inf, value if ascending else -value)
    # ties by group as everywhere: named groups, then the special ones (DECISIONS 42)
    special = {f"_special{j}": ranking[key].isin(SPECIAL) for j, key in enumerate(keys)}
    ties = [name for j, key in enumerate(keys) for name in (f"_special{j}", key)]
    ranked = ranking.assign(_rank_value=order_value, **special).sort_values(
        ["_rank_value", *ties], kind="stable"
    )
    if request.top:
        ranked = ranked.head(request.top)
    ranked = ranked[keys].assign(_rank=np.arange(len(ranked)))
    out = rows.merge(ranked, on=keys, how="inner")
    return out.sort_values(["_rank", "_bucket"], kind="stable").drop(columns="_rank")


def breach_table(prep: Prepared, window: Window, buckets: Buckets) -> pd.DataFrame:
    """Tickets that breached an SLA target: first response among tickets created in the
    window, resolution among tickets resolved in it (the populations of the SLA KPIs)."""
    import numpy as np
    import pandas as pd

    from cskpi.kpis import sla
    from cskpi.load.ids import as_text

    columns = ["ticket_id", "agent", "metric", "policy", "target", "actual", "clock"]
    tickets = prep.tickets
    if tickets is None:
        return pd.DataFrame(columns=columns)
    ctx = replace(prep.context, window=window, buckets=buckets)
    policies = sla.policies_for(ctx.config.sla)
    labels = np.asarray([p.label for p in policies], dtype=object)
    parts = []
    for metric, anchor, judge in (
        ("first_response", "created_at", partial(sla.first_response, actual=True)),
        ("resolution", "resolved_at", sla.resolution),
    ):
        if anchor not in tickets or (
            metric == "first_response" and "first_response_at" not in tickets
        ):
            continue
        inside = buckets.index(times_us(tickets[anchor])) >= 0
        frame = tickets[inside]
        view = GroupView(
            frame, np.zeros(len(frame), dtype="int64"), 1, np.zeros(1, dtype="int64"), False
        )
        outcome = judge(view, ctx)
        hit = outcome.counted & ~outcome.met
        agent = (
            frame["agent"].astype("str").where(frame["agent"].notna(), UNASSIGNED)
            if "agent" in frame
            else pd.Series(UNASSIGNED, index=frame.index)
        )
        parts.append(
            pd.DataFrame(
                {
                    "ticket_id": as_text(frame["ticket_id"]).to_numpy(dtype=object)[hit],
                    "agent": agent.to_numpy(dtype=object)[hit],
                    "metric": metric,
                    "policy": labels[np.maximum(outcome.targets.policy[hit], 0)],
                    "target": outcome.targets.seconds[hit],
                    "actual": np.asarray(outcome.actual)[hit],  # asked for: never None
                    "clock": np.where(outcome.targets.business[hit], "business", "calendar"),
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=columns)
    table = pd.concat(parts, ignore_index=True)
    return table.sort_values(["metric", "ticket_id"], kind="stable").reset_index(drop=True)
