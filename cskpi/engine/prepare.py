"""Prepare once per report: censor at `as_of`, link surveys to tickets, code the groups.

Timestamps after `as_of` have not happened (docs/DECISIONS.md 2): the status history and
messages are cut first (`Conversation.at`, DECISIONS 45: a reopen after `as_of` does not undo
an earlier solve), then later timestamps are blanked, and records created or submitted later
are dropped. Surveys are linked to every ticket read (excluded ones too, so a survey of a
merged ticket is not an orphan). The business frames are attached, and one joint group key per record is made over tickets, surveys and business
frames, so a group means the same thing on every anchor. Columns only loading needed are
let go when the frames were handed over (`Inputs.transient`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from cskpi.arrays import in_values
from cskpi.engine import business_frames as frames
from cskpi.engine.keys import ByColumn, group_codes, joint_codes
from cskpi.engine.types import Inputs, Prepared
from cskpi.errors import UsageError
from cskpi.kpis.context import Context
from cskpi.kpis.team import VENDOR_FRT

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from cskpi.config import Config
    from cskpi.kpis.registry import Kpi
    from cskpi.load.quality import DataQuality


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


def prepare(
    inputs: Inputs,
    by: list[ByColumn],
    as_of: pd.Timestamp,
    config: Config,
    business: bool,
    quality: DataQuality,
    spent: dict[str, set[str]] | None = None,
) -> tuple[Prepared, DataQuality]:
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
        history = inputs.conversation
        if history is not None:  # the status history and messages cut first (DECISIONS 45)
            t = history.at(t, instant_us(as_of))
        status_done = (
            in_values(t["status"], ("resolved", "closed"))
            if "status" in t
            else np.zeros(len(t), dtype=bool)
        )
        if history is not None and history.events:  # the history decides, not the status
            status_done = status_done & ~history.changed
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
    from cskpi.time.calendar import parse_calendar

    if business and config.business_hours is None and not config.calendars:
        raise UsageError(
            "--business-hours needs a [business_hours] table in the config "
            "(see README, Business hours)"
        )
    calendar = (
        parse_calendar(config.business_hours, where=f"{config.origin}: business_hours")
        if config.business_hours
        else None
    )
    calendars = {
        name: parse_calendar(table, where=f"{config.origin}: calendars.{name}")
        for name, table in config.calendars
    }
    empty = pd.DataFrame({"created_at": pd.Series(dtype="datetime64[us, UTC]")})
    ctx = Context(
        config,
        instant_us(as_of),
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
    prep = Prepared(
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


SPENT = {"tickets": ("ticket_id", "updated_at"), "surveys": ("ticket_id", "response_id")}
"""Columns read for identity, de-duplication, as_of and the survey link, which are all done
once `prepare` has run; no KPI reads them unless its `needs` names them."""


def spent_columns(
    kpis: list[Kpi], by: list[ByColumn], config: Config, breaches: bool
) -> dict[str, set[str]]:
    """Per frame, the `SPENT` columns that nothing after `prepare` reads for this report:
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
    return {frame: set(columns) - named for frame, columns in SPENT.items()}


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
    from cskpi.load.ids import same_kind

    values, keys = same_kind(values, keys)  # integer ids from one file, text from another
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


def instant_us(ts: pd.Timestamp) -> int:
    """An aware instant as int64 microseconds (UTC)."""
    import numpy as np

    naive = ts.tz_convert("UTC").tz_localize(None).as_unit("us")
    return int(np.datetime64(naive.to_datetime64(), "us").astype(np.int64))


def latest_time(inputs: Inputs) -> pd.Timestamp | None:
    """The latest timestamp anywhere in the inputs: the moment the export reflects."""
    return latest_in([x.frame for x in (inputs.tickets, inputs.surveys) if x is not None])


def latest_in(frames: list[pd.DataFrame | None]) -> pd.Timestamp | None:
    """The latest timestamp in any time column of the frames (None where there is none)."""
    import pandas as pd

    found = []
    for frame in frames:
        if frame is None:
            continue
        for column in frame.columns:
            series = frame[column]
            if isinstance(series.dtype, pd.DatetimeTZDtype) and len(series):
                # the row holding the largest epoch integer (NaT is the smallest): what
                # `max()` gives, without its masked copy (10 million tickets: 0.1 s a column)
                value = series.iloc[int(series.array.asi8.argmax())]
                if value is not pd.NaT and value == value:
                    found.append(value)
    return max(found) if found else None


def earliest_time(prep: Prepared) -> pd.Timestamp | None:
    found = []
    if prep.tickets is not None and len(prep.tickets):
        found.append(prep.tickets["created_at"].min())
    if prep.surveys is not None and len(prep.surveys):
        found.append(prep.surveys["submitted_at"].min())
    return min(found) if found else None
