"""compute(inputs, request) → Result: every requested KPI per group × period bucket.

Flow: choose KPIs → report zone and `as_of` → censor what happened after `as_of` (DECISIONS 2)
→ window and buckets → one group key per record (joint over tickets and surveys, so a group
means the same thing on every anchor) → per anchor, the in-window rows and their dense group
index → each KPI reduces its anchor's `GroupView` → rows, overall, compare, sort/top, targets.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from cskpi import frames
from cskpi.config import Config
from cskpi.errors import UsageError
from cskpi.grouping import NAT, GroupView, Rows, Table, countable, times_us
from cskpi.groups import ByColumn, group_codes, joint_codes, resolve_by
from cskpi.kpis.registry import Anchor, Kpi, all_kpis
from cskpi.kpis.team import VENDOR_FRT
from cskpi.load.schema import UNASSIGNED
from cskpi.result import Compare, KpiInfo, Period, Result
from cskpi.selection import select_kpis
from cskpi.shaping import (
    attach_previous,
    finish_rows,
    overall_change,
    overall_values,
    parse_sort,
)
from cskpi.window import Buckets, Window, WindowSpec

if TYPE_CHECKING:
    from collections.abc import Callable

    import numpy as np
    import pandas as pd

    from cskpi.calendar import BusinessCalendar
    from cskpi.frames import Coded
    from cskpi.load.business import Business
    from cskpi.load.normalize import Loaded
    from cskpi.load.quality import DataQuality


@dataclass(frozen=True)
class ReportRequest:
    """Everything the command line asks of one report (flags merged with config)."""

    kpis: tuple[str, ...] = ()
    """KPI ids in the order asked; empty = the default set the data supports."""
    window: WindowSpec = field(default_factory=WindowSpec)
    as_of: str | None = None
    """`now`, a datetime, or None for the latest timestamp in the inputs."""
    tz: str | None = None
    """Report zone; None = config `timezone`, else the source zone."""
    group_by: tuple[str, ...] = ()
    period: Period | None = None
    week_start: str = "mon"
    compare: Compare | None = None
    sort: str | None = None
    """`KPI`, `KPI:asc` or `KPI:desc` (default desc)."""
    top: int | None = None
    business_hours: bool | None = None
    """None = config `clock`."""
    breaches: bool = False
    """Also list the tickets that breached an SLA target (`--breaches`)."""
    overall: bool = True
    """Compute the whole-window values (`Result.overall`, targets). The CLI turns this off
    for the row-only formats (csv, tsv, jsonl) when no target is configured: a second pass
    over every anchor that nobody would see. Off, `Result.overall` is empty."""


@dataclass(frozen=True)
class Inputs:
    """The loaded canonical frames (either may be absent) and the source zone used."""

    tickets: Loaded | None = None
    surveys: Loaded | None = None
    source_tz: str = "UTC"
    business: Business | None = None
    """Customers, orders, schedules and costs, when given (issue 9)."""
    messages: Loaded | None = None
    """`--messages`, already folded into the tickets' columns (`cskpi.load.fold`)."""
    events: Loaded | None = None
    """`--events` (status history), likewise folded into the tickets."""
    transient: bool = False
    """The frames are handed over for this one report (the CLI): once the surveys are
    linked, `compute` deletes from them the columns only loading needed (`_SPENT`), so that
    10 million ticket ids do not stay in memory through the computation. The Python API
    leaves it False: a caller's frames are never changed."""


@dataclass
class Context:
    """What KPI functions may read besides their grouped view."""

    config: Config
    as_of_us: int
    business: bool
    calendar: BusinessCalendar | None
    tickets: pd.DataFrame
    """All kept tickets, censored at as_of (repeat contact looks outside the window)."""
    surveys: pd.DataFrame | None
    """The surveys read (for `csat_tickets`)."""
    window: Window
    buckets: Buckets

    calendars: dict[str, BusinessCalendar] = field(default_factory=dict)
    """Named calendars (`[calendars.<name>]`), chosen per ticket by `config.calendar_by`."""
    frames: dict[str, Coded] = field(default_factory=dict)
    """The business frames given (customers, orders, schedules, costs), censored at as_of,
    with their by-group codes (`cskpi.frames`)."""

    _memo: dict[str, Any] = field(default_factory=dict, repr=False)
    """Lazily computed values, shared by the copies made per pass (`replace`)."""

    @property
    def csat_tickets(self) -> np.ndarray:
        """Ticket ids that have at least one CSAT response (computed when first asked)."""
        if "csat_tickets" not in self._memo:
            import numpy as np

            ids: np.ndarray = np.zeros(0, dtype=object)
            surveys = self.surveys
            if surveys is not None and "ticket_id" in surveys:
                is_csat = (surveys["kind"] == "csat") & surveys["score"].notna()
                ids = surveys.loc[is_csat, "ticket_id"].dropna().unique()
            self._memo["csat_tickets"] = ids
        found: np.ndarray = self._memo["csat_tickets"]
        return found

    def span(
        self,
        start_us: np.ndarray,
        end_us: np.ndarray,
        business: np.ndarray | bool | None = None,
        rows: Table | None = None,
    ) -> np.ndarray:
        """Seconds from start to end on the report's clock (or per-row `business` flags);
        NaN where either end is missing or the span is negative (DECISIONS 9).

        Business time uses each ticket's calendar: the named calendar matching its
        `calendar_by` column (case-insensitive), else `[business_hours]`.
        """
        import numpy as np

        use_business = self.business if business is None else business
        if _exact_floats(start_us) and _exact_floats(end_us):
            # one array, not two: times within 2**53 µs are exact as floats, so this is the
            # integer difference divided (durations of 10 million tickets are 80 MB each)
            calendar = np.subtract(end_us, start_us, dtype=np.float64)
            calendar /= 1e6
        else:
            calendar = np.asarray((end_us - start_us) / 1e6, dtype="float64")
        unusable = start_us == NAT
        unusable |= end_us == NAT
        unusable |= calendar < 0
        out = calendar
        if np.any(use_business):
            out = np.where(use_business, self._business(start_us, end_us, rows), calendar)
        out[unusable] = np.nan  # in place: durations of 10 million tickets are 80 MB each
        return out

    def _business(self, start_us: np.ndarray, end_us: np.ndarray, rows: Table | None) -> np.ndarray:
        import numpy as np

        from cskpi.calendar import business_seconds

        by = self.config.calendar_by
        if not self.calendars or by is None or rows is None or by not in rows:
            if self.calendar is None:
                raise UsageError(
                    "business-hours clock needs a [business_hours] table in the "
                    "config (see README, Business hours)"
                )
            return business_seconds(start_us, end_us, self.calendar)
        names = list(self.calendars)
        keys = rows[by].astype("str").str.strip().str.lower().to_numpy(dtype=object)
        choice = np.full(len(keys), -1)
        for i, name in enumerate(names):  # one mask per named calendar, not per row
            choice[keys == name.lower()] = i
        if (choice < 0).any() and self.calendar is None:
            unmatched = sorted(set(keys[choice < 0].tolist()))[:3]
            raise UsageError(
                f"no calendar for {by} {', '.join(map(str, unmatched))} and no "
                "[business_hours] fallback in the config"
            )
        out = np.full(len(keys), np.nan)
        for i, cal in enumerate([*(self.calendars[n] for n in names), self.calendar]):
            mask = choice == (i if i < len(names) else -1)
            if cal is not None and mask.any():
                out[mask] = business_seconds(start_us[mask], end_us[mask], cal)
        return out


def _exact_floats(us: np.ndarray) -> bool:
    """Whether every time of `us` (NaT aside) is exact as a float64: within 2**53 µs of the
    epoch, the years 1685 to 2255."""
    import numpy as np

    if not len(us):
        return True
    return int(us.max()) < 2**53 and int(np.min(us, where=us != NAT, initial=0)) > -(2**53)


# -- the computation --------------------------------------------------------------------------


@dataclass
class _Prepared:
    """Inputs censored at as_of, with per-record group codes over the by-columns."""

    tickets: pd.DataFrame | None
    surveys: pd.DataFrame | None
    t_by: np.ndarray | None
    s_by: np.ndarray | None
    by_labels: list[np.ndarray]
    context: Context
    windowed: dict[tuple[Anchor, int, int], np.ndarray] = field(default_factory=dict)
    """Per (anchor, window): the mask of the in-window rows, shared by the grouped and the
    overall pass."""


def _censor(frame: pd.DataFrame, columns: list[str], as_of: pd.Timestamp) -> pd.DataFrame:
    """Timestamps after as_of have not happened (DECISIONS 2); columns copied only if hit."""
    frame = frame.copy(deep=False)
    for column in columns:
        if column in frame:
            later = frame[column] > as_of
            if later.any():
                frame[column] = frame[column].where(~later)
    return frame


def _not_after(frame: pd.DataFrame, column: str, as_of: pd.Timestamp) -> pd.DataFrame:
    """Rows whose `column` is not after as_of (the frame itself when all are)."""
    keep = frame[column] <= as_of
    return frame if keep.all() else frame[keep]


_ANCHOR_TIME = {
    Anchor.CREATED: "created_at",
    Anchor.RESOLVED: "resolved_at",
    Anchor.SUBMITTED: "submitted_at",
}


@dataclass
class _AnchorRows:
    frame: Table
    keys: np.ndarray
    extra: dict[str, Any]
    mask: np.ndarray


def _anchor_rows(
    anchor: Anchor, prep: _Prepared, buckets: Buckets, grouped: bool
) -> _AnchorRows | None:
    import numpy as np

    nb = len(buckets.labels)
    if anchor in frames.ANCHORS:  # business frames (issue 9)
        found = frames.ANCHORS[anchor](prep, buckets, grouped)
        return None if found is None else _AnchorRows(*found)
    if anchor is Anchor.SUBMITTED:
        frame, by = prep.surveys, prep.s_by
    else:
        frame, by = prep.tickets, prep.t_by
    if frame is None or by is None:
        return None
    if not grouped:
        by = np.zeros(len(by), dtype="int64")
    if anchor is Anchor.WINDOW_END:
        return _backlog_rows(frame, by, buckets, prep.context.as_of_us)
    if _ANCHOR_TIME[anchor] not in frame:
        return None
    edges = buckets.edges_us
    column = _ANCHOR_TIME[anchor]
    key = (anchor, int(edges[0]), int(edges[-1]))
    times = times_us(frame[column])  # read once: a conversion unless already µs UTC
    if key not in prep.windowed:
        prep.windowed[key] = (times >= edges[0]) & (times < edges[-1])
    inside = prep.windowed[key]
    rows = Rows(frame, inside)
    # in the window, so no -1: the bucket is the last edge at or before the time
    keys = np.searchsorted(edges, times[inside], side="right")
    keys -= 1
    wide = by[inside].astype(np.int64)  # by-codes may be int32: widened before multiplying
    wide *= nb
    keys += wide  # in place: no array of the rows' size but these
    return _AnchorRows(rows, keys, {}, inside)


def _backlog_rows(
    frame: pd.DataFrame, by: np.ndarray, buckets: Buckets, as_of_us: int
) -> _AnchorRows:
    """Tickets open at each bucket end (the earlier of the bucket end and as_of), per group.

    A ticket is open on buckets `[b0, b1)`: b0 = first bucket ending after its creation, b1 =
    first bucket ending after its resolution; counts come from a difference array.
    """
    import numpy as np

    nb = len(buckets.labels)
    # as_of itself has happened: a ticket resolved exactly at as_of is not open at the end
    ends = np.minimum(buckets.edges_us[1:], as_of_us + 1)
    created = times_us(frame["created_at"])
    resolved = (
        times_us(frame["resolved_at"]) if "resolved_at" in frame else np.full(len(frame), NAT)
    )
    unknown = frame["_resolved_unknown"].to_numpy(dtype=bool)
    b0 = np.asarray(np.searchsorted(ends, created, side="right"))
    b1: np.ndarray = np.where(resolved == NAT, nb, np.searchsorted(ends, resolved, side="right"))
    live = (b0 < b1) & ~unknown
    nby = int(by.max()) + 1 if len(by) else 1
    width = nb + 1
    size = nby * width
    base = by[live].astype(np.int64) * width  # by-codes may be int32: widened first
    diff: np.ndarray = np.bincount(base + b0[live], minlength=size) - np.bincount(
        base + b1[live], minlength=size
    )
    counts = np.cumsum(diff.reshape(nby, width), axis=1)[:, :nb].ravel()
    keys = np.flatnonzero(counts > 0)
    return _AnchorRows(frame.iloc[:0], keys, {"backlog": (keys, counts[keys])}, live)


def _pass(
    kpis: list[Kpi],
    prep: _Prepared,
    window: Window,
    buckets: Buckets,
    by_labels: list[np.ndarray],
    force_all: bool,
) -> tuple[pd.DataFrame, dict[Anchor, np.ndarray]]:
    """One computation over a window: a tidy frame of groups × buckets, and usage masks."""
    import numpy as np
    import pandas as pd

    nb = len(buckets.labels)
    anchors = list(dict.fromkeys(k.anchor for k in kpis))
    rows: dict[Anchor, _AnchorRows] = {}
    for anchor in {*anchors, Anchor.CREATED, Anchor.RESOLVED, Anchor.SUBMITTED}:
        found = _anchor_rows(anchor, prep, buckets, bool(by_labels))
        if found is not None:
            rows[anchor] = found
    key_parts = [rows[a].keys for a in anchors if a in rows]
    if force_all:
        key_parts.append(np.arange(nb, dtype="int64"))
    keys, index_of = _present_keys(key_parts)
    del key_parts  # each anchor's keys go once its codes are made (below), not at the end
    ctx = replace(prep.context, window=window, buckets=buckets)
    columns: dict[str, Any] = {}
    group_by_code: np.ndarray = keys // nb
    for j, labels in enumerate(by_labels):
        columns[f"_by{j}"] = labels[group_by_code] if len(labels) else labels
    columns["_bucket"] = keys % nb
    usage = {a: r.mask for a, r in rows.items()}
    views: dict[Anchor, GroupView] = {}
    for anchor in list(rows):
        found = rows.pop(anchor)
        if anchor not in anchors:  # read for the usage counts only
            continue
        extra = dict(found.extra)
        for name, value in found.extra.items():  # (keys, values) of the groups that have any
            bk, counts = value
            full: np.ndarray = np.zeros(len(keys), dtype=counts.dtype)
            full[np.searchsorted(keys, bk)] = counts
            extra[name] = full
        extra["keys"] = keys
        codes = index_of(found.keys)
        views[anchor] = GroupView(found.frame, codes, len(keys), keys % nb, bool(by_labels), extra)
        del found, codes
    # one anchor at a time, its KPIs in registry order (those that share a value are
    # neighbours: a value is let go once they have run); the view (taken columns, cached
    # arrays) is let go after the anchor's last KPI
    registry = {kpi_id: at for at, kpi_id in enumerate(all_kpis())}
    order = sorted(
        range(len(kpis)),
        key=lambda i: (anchors.index(kpis[i].anchor), registry.get(kpis[i].id, len(registry))),
    )
    last = {kpis[i].anchor: i for i in order}
    results: dict[int, tuple[Any, Any]] = {}
    for i in order:
        kpi = kpis[i]
        view = views.get(kpi.anchor)
        if view is None:  # the anchor's frame is absent: empty population
            view = GroupView(
                prep.tickets.iloc[:0] if prep.tickets is not None else pd.DataFrame(),
                np.zeros(0, dtype="int64"),
                len(keys),
                keys % nb,
                bool(by_labels),
                {"backlog": np.zeros(len(keys), dtype="int64"), "keys": keys},
            )
        results[i] = kpi.compute(view, ctx)
        view.forget_unread()
        if last[kpi.anchor] == i:
            views.pop(kpi.anchor, None)
    for i, kpi in enumerate(kpis):
        values, n = results[i]
        if kpi.unit == "count":
            columns[kpi.id] = np.asarray(values).astype("int64")
        else:
            columns[kpi.id] = np.asarray(values, dtype="float64")
        columns[f"{kpi.id}_n"] = np.asarray(n).astype("int64")
    return pd.DataFrame(columns), usage


def _present_keys(parts: list[np.ndarray]) -> tuple[np.ndarray, Callable[[np.ndarray], Any]]:
    """The sorted distinct group keys of `parts`, and key → its index in them.

    Keys are `by code × buckets + bucket`: usually a few thousand possible values, counted
    with one `bincount` instead of sorting millions of rows."""
    import numpy as np

    if not parts:
        return np.zeros(0, dtype="int64"), lambda k: np.asarray(k, dtype="int64")
    high = max((int(p.max()) for p in parts if len(p)), default=-1)
    low = min((int(p.min()) for p in parts if len(p)), default=0)
    size = sum(len(p) for p in parts)
    if low >= 0 and countable(high + 1, size):
        present: np.ndarray = np.zeros(high + 1, dtype=bool)
        for part in parts:
            present[part] = True
        # int32 codes where they fit: half the memory for each anchor's per-row codes
        small = np.int32 if high < 2**31 else np.int64
        rank = (np.cumsum(present) - 1).astype(small)
        return np.flatnonzero(present), lambda k: rank[k]
    keys = np.unique(np.concatenate(parts))
    return keys, lambda k: np.asarray(np.searchsorted(keys, k))


def prepare(
    inputs: Inputs,
    by: list[ByColumn],
    as_of: pd.Timestamp,
    config: Config,
    business: bool,
    quality: DataQuality,
    spent: dict[str, set[str]] | None = None,
) -> tuple[_Prepared, DataQuality]:
    """`spent`: columns to delete from the frames once linked (`Inputs.transient`)."""
    import numpy as np
    import pandas as pd

    if spent:  # all but the ids are not read here: gone before the link adds its arrays
        _let_go(
            {kind: columns - {"ticket_id"} for kind, columns in spent.items()},
            tickets=[inputs.tickets.frame if inputs.tickets else None],
            surveys=[inputs.surveys.frame if inputs.surveys else None],
        )
    tickets = surveys = linked = None
    link = None
    if inputs.tickets is not None:
        t = inputs.tickets.frame
        status_done = (
            t["status"].isin(["resolved", "closed"]).to_numpy(dtype=bool)
            if "status" in t
            else np.zeros(len(t), dtype=bool)
        )
        unknown = status_done & (t["resolved_at"].isna().to_numpy() if "resolved_at" in t else True)
        tickets = _censor(t, ["first_response_at", "resolved_at", "closed_at"], as_of)
        tickets["_resolved_unknown"] = unknown
        tickets = _not_after(tickets, "created_at", as_of)
    if inputs.surveys is not None:
        surveys = inputs.surveys.frame
        surveys = _not_after(surveys, "submitted_at", as_of)
        if inputs.tickets is not None:
            every = inputs.tickets.frame
            if inputs.tickets.excluded is not None and len(inputs.tickets.excluded):
                # surveys need only the id, the by-columns and customer_id of every ticket
                wanted = {"ticket_id", "customer_id", *(c.tickets for c in by if c.tickets)}
                kept = [c for c in every.columns if c in wanted]
                every = pd.concat([every[kept], inputs.tickets.excluded[kept]], ignore_index=True)
            if "ticket_id" in surveys:
                found = positions(surveys["ticket_id"], every["ticket_id"])
            else:
                found = np.full(len(surveys), -1)
            orphans = found < 0
            quality = replace(
                quality,
                surveys=quality.surveys.issue(
                    "survey_unknown_ticket",
                    int(orphans.sum()),
                    surveys.loc[orphans, "ticket_id"].fillna("(empty)").head(3)
                    if "ticket_id" in surveys
                    else (),
                ),
            )
            link, linked = found, every
    if business and tickets is not None and VENDOR_FRT in tickets:
        used = (
            tickets["first_response_at"].isna() & (tickets[VENDOR_FRT] >= 0)
            if "first_response_at" in tickets
            else tickets[VENDOR_FRT] >= 0
        )
        quality = replace(
            quality,
            tickets=quality.tickets.issue(
                "vendor_business_duration_used",
                int(used.sum()),
                tickets.loc[used, "ticket_id"].head(3),
            ),
        )
    from cskpi.calendar import parse_calendar

    if business and config.business_hours is None and not config.calendars:
        raise UsageError(
            "--business-hours needs a [business_hours] table in the config "
            "(see README, Business hours)"
        )
    calendar = parse_calendar(config.business_hours) if config.business_hours else None
    calendars = {
        name: parse_calendar(table, where=f"calendars.{name}") for name, table in config.calendars
    }
    empty = pd.DataFrame({"created_at": pd.Series(dtype="datetime64[us, UTC]")})
    ctx = Context(
        config,
        _us(as_of),
        business,
        calendar,
        tickets if tickets is not None else empty,
        surveys,
        None,  # type: ignore[arg-type]  # window and buckets are set per pass
        None,  # type: ignore[arg-type]
        calendars,
    )
    tickets, surveys, linked, by, extra = frames.attach(
        inputs, by, tickets, surveys, linked, as_of, ctx
    )
    if spent:  # before the group codes: those would add to the memory the ids hold
        _let_go(
            spent,
            tickets=[
                inputs.tickets.frame if inputs.tickets else None,
                tickets,
                ctx.tickets,
                linked,
            ],
            surveys=[inputs.surveys.frame if inputs.surveys else None, surveys, ctx.surveys],
        )
    nt = len(tickets) if tickets is not None else 0
    ns = len(surveys) if surveys is not None else 0
    columns = group_codes(by, tickets, surveys, link, linked)
    frames.extend_codes(by, columns, extra)
    codes, by_labels = joint_codes(columns, [nt, ns, *(len(f) for f in extra.values())])
    t_by, s_by = codes[0], codes[1]
    ctx.frames = frames.coded(extra, codes[2:], by)
    prep = _Prepared(
        tickets,
        surveys,
        t_by if tickets is not None else None,
        s_by if surveys is not None else None,
        by_labels,
        ctx,
    )
    from cskpi.memory import release

    release()
    return prep, quality


_SPENT = {"tickets": ("ticket_id", "updated_at"), "surveys": ("ticket_id", "response_id")}
"""Columns read for identity, de-duplication, as_of and the survey link, which are all done
once `prepare` has run; no KPI reads them unless its `needs` names them."""


def _spent(
    kpis: list[Kpi], by: list[ByColumn], config: Config, breaches: bool
) -> dict[str, set[str]]:
    """Per frame, the `_SPENT` columns that nothing after `prepare` reads for this report:
    not named by a requested KPI's needs (an id named on either frame keeps both: the
    survey response rate matches the two), a by-column, an SLA filter or the calendar
    column, nor the ticket ids when the breach list is asked for."""
    named = {need.rpartition(":")[2] for kpi in kpis for need in kpi.needs}
    named = {part for column in named for part in column.split("|")}
    named |= {c for col in by for c in (col.name, col.tickets, col.surveys) if c}
    named |= {key for policy in config.sla for key, _ in policy.filters}
    named |= {config.calendar_by} if config.calendar_by else set()
    if breaches:
        named.add("ticket_id")
    return {frame: set(columns) - named for frame, columns in _SPENT.items()}


def _let_go(spent: dict[str, set[str]], **held: list[pd.DataFrame | None]) -> None:
    """Delete the spent columns from every frame that holds them (per kind: the loaded
    frame, the censored copy, the context's), so that their memory is freed."""
    from cskpi.memory import release

    for kind, frames_held in held.items():
        seen: set[int] = set()
        for frame in frames_held:
            if frame is None or id(frame) in seen:
                continue
            seen.add(id(frame))
            for column in spent[kind] & set(frame.columns):
                del frame[column]
    release()


def positions(values: pd.Series, keys: pd.Series) -> np.ndarray:
    """Row position in `keys` (unique ids) of each value, -1 where absent.

    Ids that are `prefix + number` are looked up as integers (`cskpi.load.ids`); otherwise
    Arrow's `index_in` builds one hash table in C++; pandas' `get_indexer` first checks the
    index for uniqueness, which took 13 of 20 s on 10 million string ids.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from cskpi.load.ids import positions as int_positions

    by_number = int_positions(values, keys)
    if by_number is not None:
        return by_number
    try:
        found = pc.index_in(
            pa.array(values, from_pandas=True), value_set=pa.array(keys, from_pandas=True)
        )
    except (pa.ArrowException, TypeError):
        import pandas as pd

        return np.asarray(pd.Index(keys).get_indexer(values))
    return np.asarray(found.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64)


def _us(ts: pd.Timestamp) -> int:

    import numpy as np

    naive = ts.tz_convert("UTC").tz_localize(None).as_unit("us")
    return int(np.datetime64(naive.to_datetime64(), "us").astype(np.int64))


def _latest(inputs: Inputs) -> pd.Timestamp | None:
    """The latest timestamp anywhere in the inputs: the moment the export reflects."""
    import pandas as pd

    found = []
    for loaded in (inputs.tickets, inputs.surveys):
        if loaded is None:
            continue
        for column in loaded.frame.columns:
            if isinstance(loaded.frame[column].dtype, pd.DatetimeTZDtype):
                value = loaded.frame[column].max()
                if value is not pd.NaT and value == value:
                    found.append(value)
    return max(found) if found else None


def _earliest(prep: _Prepared) -> pd.Timestamp | None:
    found = []
    if prep.tickets is not None and len(prep.tickets):
        found.append(prep.tickets["created_at"].min())
    if prep.surveys is not None and len(prep.surveys):
        found.append(prep.surveys["submitted_at"].min())
    return min(found) if found else None


def report_zone(request: ReportRequest, config: Config, inputs: Inputs) -> str:
    """DECISIONS 3: --tz, config timezone, the source zone, UTC."""
    return request.tz or config.timezone or inputs.source_tz or "UTC"


def compute(inputs: Inputs, request: ReportRequest, config: Config | None = None) -> Result:
    """Compute the requested KPIs. The same `Result` feeds every output format."""
    import pandas as pd

    from cskpi.load.quality import DataQuality
    from cskpi.window import bucket_edges, parse_as_of, previous_window, resolve_window

    config = config or Config()
    kpis, notes = select_kpis(request.kpis, inputs, config)
    by = resolve_by(request.group_by, inputs, [k.id for k in kpis])
    tz = report_zone(request, config, inputs)
    latest = _latest(inputs)
    as_of = parse_as_of(
        request.as_of, tz, latest if latest is not None else pd.Timestamp.now(tz="UTC")
    )
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
    if inputs.tickets is not None:
        from cskpi.sla import check_filters

        check_filters(config.sla, [str(c) for c in inputs.tickets.frame.columns])
    spent = _spent(kpis, by, config, request.breaches) if inputs.transient else None
    prep, quality = prepare(inputs, by, as_of, config, business, quality, spent)
    window = resolve_window(request.window, as_of=as_of, earliest=_earliest(prep), tz=tz)
    buckets = bucket_edges(window, request.period, request.week_start)
    rows, usage = _pass(kpis, prep, window, buckets, prep.by_labels, force_all=False)
    whole_window = request.overall or bool(config.targets)
    overall: dict[str, Any] = {}
    if whole_window:
        whole = bucket_edges(window, None)
        overall_frame, _ = _pass(kpis, prep, window, whole, [], force_all=True)
        overall = overall_values(overall_frame, kpis)
    quality = _usage(quality, usage, prep)
    if request.compare is not None:
        before = previous_window(window, request.window, request.compare)
        prev_buckets = bucket_edges(before, request.period, request.week_start)
        prev_rows, _ = _pass(kpis, prep, before, prev_buckets, prep.by_labels, force_all=False)
        rows = attach_previous(rows, prev_rows, kpis, len(by))
        if whole_window:
            prev_overall = overall_values(
                _pass(kpis, prep, before, bucket_edges(before, None), [], force_all=True)[0],
                kpis,
            )
            overall = overall_change(overall, prev_overall, kpis)
    if request.sort or request.top is not None:
        rows = _sort_top(rows, request, kpis, prep, window, len(by))
    table = finish_rows(rows, by, buckets, request.period, kpis, request.compare)
    from cskpi.targets import evaluate

    targets, target_notes = evaluate(config.targets, kpis, overall)
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
        targets=targets,
        data_quality=quality.as_json(),
        compare=request.compare,
        notes=(*notes, *_load_notes(inputs), *target_notes),
        quality_lines=tuple(quality.summary_lines()),
        breaches=breaches,
    )


def _load_notes(inputs: Inputs) -> list[str]:
    return [n for loaded in (inputs.tickets, inputs.surveys) if loaded for n in loaded.notes]


def _usage(quality: DataQuality, usage: dict[Anchor, np.ndarray], prep: _Prepared) -> DataQuality:
    """used = kept records in the window on some anchor; the rest is out of window."""
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
    )


def _sort_top(
    rows: pd.DataFrame,
    request: ReportRequest,
    kpis: list[Kpi],
    prep: _Prepared,
    window: Window,
    nby: int,
) -> pd.DataFrame:
    """Rank groups by their whole-window value (DECISIONS 13); nulls last, ties by key."""
    import numpy as np

    from cskpi.window import bucket_edges

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
        whole, _ = _pass(
            kpis, prep, window, bucket_edges(window, None), prep.by_labels, force_all=False
        )
        ranking = whole[[*keys, kpi_id]]
    value = ranking[kpi_id].astype("float64").to_numpy()
    order_value = np.where(np.isnan(value), np.inf, value if ascending else -value)
    ranked = ranking.assign(_rank_value=order_value).sort_values(
        ["_rank_value", *keys], kind="stable"
    )
    if request.top:
        ranked = ranked.head(request.top)
    ranked = ranked[keys].assign(_rank=np.arange(len(ranked)))
    out = rows.merge(ranked, on=keys, how="inner")
    return out.sort_values(["_rank", "_bucket"], kind="stable").drop(columns="_rank")


def breach_table(prep: _Prepared, window: Window, buckets: Buckets) -> pd.DataFrame:
    """Tickets that breached an SLA target: first response among tickets created in the
    window, resolution among tickets resolved in it (the populations of the SLA KPIs)."""
    import numpy as np
    import pandas as pd

    from cskpi import sla

    columns = ["ticket_id", "agent", "metric", "policy", "target", "actual", "clock"]
    tickets = prep.tickets
    if tickets is None:
        return pd.DataFrame(columns=columns)
    ctx = replace(prep.context, window=window, buckets=buckets)
    policies = sla.policies_for(ctx.config.sla)
    labels = np.asarray([p.label for p in policies], dtype=object)
    parts = []
    for metric, anchor, judge in (
        ("first_response", "created_at", sla.first_response),
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
                    "ticket_id": frame["ticket_id"].to_numpy(dtype=object)[hit],
                    "agent": agent.to_numpy(dtype=object)[hit],
                    "metric": metric,
                    "policy": labels[np.maximum(outcome.targets.policy[hit], 0)],
                    "target": outcome.targets.seconds[hit],
                    "actual": outcome.actual[hit],
                    "clock": np.where(outcome.targets.business[hit], "business", "calendar"),
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=columns)
    table = pd.concat(parts, ignore_index=True)
    return table.sort_values(["metric", "ticket_id"], kind="stable").reset_index(drop=True)
