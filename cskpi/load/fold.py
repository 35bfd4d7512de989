"""Fold messages and status changes into the tickets frame (README "Messages and status
history"): the derived values replace the ticket-level ones for the tickets they cover, and
each disagreement with a value the export filled is counted (`derived_differs_<column>`).

Columns written (only for tickets that have messages / status changes; others keep theirs):

- messages: `first_response_at`, `first_contact_at` (the FRT start), `agent_replies`,
  `customer_replies`, `agent_initiated`. Tickets without messages get `first_contact_at =
  created_at`, so FRT means the same for them as before.
- status changes: `reopens`, `resolved_at`, `first_resolved_at`, `seconds_in_<status>` (calendar
  seconds up to the last change), and the active resolution clock as list columns
  `active_from` / `active_until` (intervals; summed on the report's clock by
  `resolution_time_active_*`). The history decides whether and when such a ticket was
  resolved (DECISIONS 45): the export's status no longer counts for it, so it is never
  `resolved_without_timestamp`.
- both: `reopened_at` / `next_response_at` (lists, one per reopen; `next_response_time_*`).
- `last_activity_at`: the latest message or change, so the default `as_of` covers them.

**The cut at `as_of`** (DECISIONS 2 and 45). Loading happens before the report's `as_of` is
known: it depends on the report zone and, by default, on the latest timestamp of every input.
So loading folds the whole history, and keeps it as a `Conversation`: the stream sorted once,
and which tickets have messages / status changes in the files. The engine calls
`Conversation.at(frame, as_of)`, which drops the stream's rows after `as_of` (a boolean mask
on the sorted arrays: no new sort, no new id lookup), derives again and overwrites the covered
tickets' columns. A reopen, a solve, a paused interval or a message after `as_of` then does not
exist: a ticket solved before `as_of` and reopened after it is resolved as of then. Which
tickets are covered comes from the whole files, so a ticket whose first change is after
`as_of` is covered with no change yet (open, no reopen; with messages: no FRT start yet). By
default `as_of` is the latest timestamp, nothing is after it and `at` returns the frame as it
is, at no cost. The disagreements with the export are counted once, on the whole history,
which is what the export reflects too. The alternative, folding with `as_of` at load time,
would make `cskpi.load` depend on the report's options and zone, and a second report on the
same inputs at another `as_of` would need loading again.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, Any

from cskpi.arrays import in_values
from cskpi.load import derive
from cskpi.load.derive import NAT
from cskpi.load.quality import FrameQuality

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from cskpi.config import Config
    from cskpi.load.normalize import Loaded

TOLERANCE_US = 60_000_000
"""Timestamps within a minute agree: ticket exports round durations to the minute."""
LIST_COLUMNS = ("active_from", "active_until", "reopened_at", "next_response_at")
UNKNOWN_TIME = "resolved_without_timestamp"


def paused_statuses(config: Config) -> tuple[str, ...]:
    """`[status] paused` names as canonical statuses (`hold` → on_hold)."""
    import pandas as pd

    from cskpi.load.normalize import labels

    names = labels(pd.Series(list(config.paused_statuses), dtype=object), "status")
    return tuple(str(v) for v in names.astype(object) if isinstance(v, str))


def codes(tickets: pd.DataFrame, ids: pd.Series) -> np.ndarray:
    """Row of each id in the tickets frame (-1: no such ticket), hashed once."""
    import numpy as np
    import pandas as pd

    both = pd.concat([tickets["ticket_id"], ids], ignore_index=True)
    found, _ = pd.factorize(both)
    nt = len(tickets)
    row: np.ndarray = np.full(int(found.max()) + 1 if len(found) else 0, -1, dtype="int64")
    row[found[:nt][::-1]] = np.arange(nt)[::-1]  # first row of a repeated id
    return np.asarray(row[found[nt:]]) if len(ids) else np.zeros(0, dtype="int64")


def time_us(series: pd.Series) -> np.ndarray:
    from cskpi.arrays import times_us

    return times_us(series)


def build_stream(
    tickets: pd.DataFrame, messages: pd.DataFrame | None, events: pd.DataFrame | None
) -> tuple[derive.Stream, np.ndarray, np.ndarray]:
    """The sorted stream over known tickets, and the messages'/events' unknown-ticket masks."""
    import numpy as np

    empty: np.ndarray = np.zeros(0, dtype="int64")
    tm = codes(tickets, messages["ticket_id"]) if messages is not None else empty
    te = codes(tickets, events["ticket_id"]) if events is not None else empty
    km, ke = tm >= 0, te >= 0
    role = public = empty
    status: np.ndarray = empty
    statuses: tuple[str, ...] = ()
    t_m = t_e = empty
    if messages is not None:
        role = messages["author_role"].cat.codes.to_numpy()[km]
        public = messages["public"].to_numpy(dtype=bool)[km]
        t_m = time_us(messages["created_at"])[km]
    if events is not None:
        statuses = tuple(str(c) for c in events["status"].cat.categories)
        status = events["status"].cat.codes.to_numpy()[ke]
        t_e = time_us(events["at"])[ke]
    s = derive.stream(tm[km], t_m, role, public, te[ke], t_e, status, statuses)
    src = s.source.copy()  # rows among the known ones → rows of the frames
    said = s.kind == 1
    src[said] = np.flatnonzero(km)[s.source[said]]
    src[~said] = np.flatnonzero(ke)[s.source[~said]]
    s = replace(s, source=src)
    return s, ~km, ~ke


@dataclass(frozen=True, eq=False)
class Conversation:
    """The whole history of the tickets, kept after loading so that the engine can cut it at
    `as_of` (module docstring)."""

    stream: derive.Stream
    said: np.ndarray
    """Per ticket row: it has messages in the files."""
    changed: np.ndarray
    """Per ticket row: it has status changes in the files (the history decides its
    resolution, DECISIONS 45)."""
    messages: bool
    events: bool
    paused: tuple[str, ...]
    exclude_initiated: bool
    """`[messages] agent_initiated = "exclude"`."""
    latest: int
    """The stream's latest instant (µs; NAT when empty)."""

    def at(self, frame: pd.DataFrame, as_of_us: int) -> pd.DataFrame:
        """`frame` (the folded tickets, same rows) with the covered tickets' derived columns
        as of `as_of_us`; `frame` itself when nothing in the stream is later."""
        if len(frame) != len(self.said):
            raise ValueError("the conversation covers the tickets as folded: same rows only")
        if as_of_us >= self.latest:
            return frame
        s = derive.until(self.stream, as_of_us)
        out = frame.copy(deep=False)
        columns, lists = _derived(self, s, time_us(out["created_at"]), out)
        out, _ = _write(out, columns, None)
        groups = s.ticket[s.starts]
        for name, (group, values, valid) in lists.items():
            out[name] = _list_column(group, values, valid, groups, len(out)).set_axis(out.index)
        return out

    def rows(self, keep: np.ndarray) -> Conversation:
        """The history of the ticket rows where `keep` is true, numbered as in `frame[keep]`
        (a row filter applied before `at`: `cskpi.engine.where`); itself when all are kept."""
        import numpy as np

        if keep.all():
            return self
        s = self.stream
        row = np.cumsum(keep) - 1  # old ticket row → new row
        on = keep[s.ticket]  # still in (ticket, time) order: no new sort
        ticket = row[s.ticket[on]]
        new: np.ndarray = np.ones(len(ticket), dtype=bool)
        new[1:] = ticket[1:] != ticket[:-1]
        # per stream row arrays (`source` may be let go: then it is empty and stays so)
        per_row = {
            f.name: getattr(s, f.name)[on]
            for f in fields(s)
            if f.name in ("time", "kind", "source", "role", "public", "status")
            and len(getattr(s, f.name)) == len(on)
        }
        stream = replace(
            s, ticket=ticket, group=np.cumsum(new) - 1, starts=np.flatnonzero(new), **per_row
        )
        latest = int(stream.time.max()) if len(stream.time) else NAT
        return replace(
            self, stream=stream, said=self.said[keep], changed=self.changed[keep], latest=latest
        )


def conversation(
    tickets: pd.DataFrame,
    messages: pd.DataFrame | None,
    events: pd.DataFrame | None,
    config: Config,
) -> tuple[Conversation, np.ndarray, np.ndarray]:
    """The stream of `messages` and `events` over `tickets`, which tickets they cover, and the
    messages'/events' unknown-ticket masks."""
    import numpy as np

    s, lost_m, lost_e = build_stream(tickets, messages, events)
    nt = len(tickets)
    said: np.ndarray = np.bincount(s.ticket[s.kind == 1], minlength=nt) > 0
    changed: np.ndarray = np.bincount(s.ticket[s.kind == 0], minlength=nt) > 0
    latest = int(s.time.max()) if len(s.time) else NAT
    conv = Conversation(
        s,
        said,
        changed,
        messages is not None,
        events is not None,
        paused_statuses(config),
        config.agent_initiated == "exclude",
        latest,
    )
    return conv, lost_m, lost_e


def fold(
    tickets: Loaded, messages: Loaded | None, events: Loaded | None, config: Config
) -> tuple[Loaded, Loaded | None, Loaded | None, Conversation]:
    """The tickets with derived columns; the message/event frames with their unknown-ticket
    rows counted (as dropped there, and as `messages_*` / `events_*` issues on tickets); the
    history kept for the cut at `as_of`."""
    import numpy as np

    frame = tickets.frame.copy()
    m = messages.frame if messages is not None else None
    e = events.frame if events is not None else None
    conv, lost_m, lost_e = conversation(frame, m, e, config)
    s = conv.stream
    quality = tickets.quality
    notes = list(tickets.notes)
    excluded = (
        set(tickets.excluded["ticket_id"])
        if tickets.excluded is not None and len(tickets.excluded)
        else set()
    )
    out: list[Loaded | None] = []
    for name, loaded, lost in (("messages", messages, lost_m), ("events", events, lost_e)):
        if loaded is None:
            out.append(None)
            continue
        ids = loaded.frame["ticket_id"][lost]
        gone = ids.isin(excluded).to_numpy() if excluded else np.zeros(len(ids), bool)
        fq = loaded.quality.drop("excluded_ticket", int(gone.sum()), ids[gone].head(3))
        fq = fq.drop("unknown_ticket", int((~gone).sum()), ids[~gone].head(3))
        quality = quality.issue(f"{name}_unknown_ticket", int((~gone).sum()), ids[~gone].head(3))
        for reason, count in loaded.quality.dropped:
            if reason not in ("not_a_status_change", "not_a_message", "duplicate_event"):
                quality = quality.issue(f"{name}_{reason}", count)
        out.append(replace(loaded, quality=fq))
    groups = s.ticket[s.starts]
    nt = len(frame)
    columns, lists = _derived(conv, s, time_us(frame["created_at"]), frame)
    if m is not None:
        covered = int(conv.said.sum())
        notes.append(
            f"messages: {covered:,} of {nt:,} tickets have messages; "
            "first response, replies and the FRT start come from them"
            + ("" if covered == nt else " (the others keep their columns)")
        )
    if e is not None:
        notes.append(
            f"events: {int(conv.changed.sum()):,} of {nt:,} tickets have status changes; "
            "reopens, resolution and the paused clock come from them"
        )
    frame, counted = _write(frame, columns, quality)
    assert counted is not None
    quality = counted
    vendor = "first_response_business_seconds"  # derived values win here too (DECISIONS 24)
    if m is not None and vendor in frame:
        seconds = frame[vendor].to_numpy(dtype="float64", copy=True)
        seconds[conv.said] = np.nan
        frame[vendor] = seconds
    for name, (group, values, valid) in lists.items():
        frame[name] = _list_column(group, values, valid, groups, nt)
    if len(s.time):
        last = derive.first(np.ones(len(s.time), bool), s.group, len(s.starts), last=True)
        latest: np.ndarray = np.full(nt, NAT, dtype="int64")
        latest[groups] = s.time[last]
        frame["last_activity_at"] = _stamp(latest)
    if e is not None:
        quality = _unknown_resolution_time(frame, conv.changed, quality)
    loaded = replace(tickets, frame=frame, quality=quality, notes=tuple(notes))
    # kept for the cut, which needs no source rows (`explain` builds its own stream)
    kept = replace(conv, stream=replace(s, source=np.zeros(0, dtype="int64")))
    return loaded, out[0], out[1], kept


def _unknown_resolution_time(
    frame: pd.DataFrame, changed: np.ndarray, quality: FrameQuality
) -> FrameQuality:
    """`resolved_without_timestamp` counted again: a resolved status without a time, on the
    tickets without status history (loading counted it before the history was known)."""
    quality = replace(
        quality,
        issues=tuple(i for i in quality.issues if i[0] != UNKNOWN_TIME),
        examples=tuple(x for x in quality.examples if x[0] != UNKNOWN_TIME),
    )
    if "status" not in frame:
        return quality
    done = in_values(frame["status"], ("resolved", "closed"))
    unknown = done & frame["resolved_at"].isna().to_numpy() & ~changed
    return quality.issue(UNKNOWN_TIME, int(unknown.sum()), frame["ticket_id"][unknown].head(3))


def _derived(
    conv: Conversation, s: derive.Stream, created: np.ndarray, frame: pd.DataFrame
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The derived columns of the covered tickets from the stream `s` (the whole stream, or
    the one cut at `as_of`): `{name: (rows or None for a whole column, values)}`, and the
    list columns `{name: (group, values, valid)}`. A covered ticket absent from `s` (its
    first message or change is later) takes the values of "nothing yet"."""
    import numpy as np

    nt = len(created)
    groups = s.ticket[s.starts]
    columns: dict[str, Any] = {}
    lists: dict[str, Any] = {}

    def spread(rows: np.ndarray, have: np.ndarray, values: np.ndarray, empty: Any) -> np.ndarray:
        """`values` (per group of `s`, where `have`) on the covered `rows`, `empty` elsewhere."""
        full: np.ndarray = np.full(nt, empty, dtype=values.dtype)
        full[groups[have]] = values[have]
        out: np.ndarray = full[rows]
        return out

    replies = derive.replies(s) if conv.messages else None
    if replies is not None:
        rows, have = np.flatnonzero(conv.said), replies.has_messages
        start = derive.pick(s.time, replies.first_customer)
        if conv.exclude_initiated:
            start = np.where(replies.agent_initiated, NAT, start)
        contact = created.copy()
        contact[rows] = spread(rows, have, start, NAT)
        columns["first_contact_at"] = (None, contact)
        answered = derive.pick(s.time, replies.first_response)
        columns["first_response_at"] = (rows, spread(rows, have, answered, NAT))
        columns["agent_replies"] = (rows, spread(rows, have, replies.agent_replies, 0))
        columns["customer_replies"] = (rows, spread(rows, have, replies.customer_replies, 0))
        columns["agent_initiated"] = (rows, spread(rows, have, replies.agent_initiated, False))
    if conv.events:
        h = derive.history(s, created[groups], conv.paused)
        rows, have = np.flatnonzero(conv.changed), h.has_events
        columns["reopens"] = (rows, spread(rows, have, h.reopens, 0))
        columns["resolved_at"] = (rows, spread(rows, have, h.resolved, NAT))
        columns["first_resolved_at"] = (rows, spread(rows, have, h.first_resolved, NAT))
        written = [str(c) for c in frame.columns if str(c).startswith("seconds_in_")]
        _time_in_status(columns, s, h, groups, rows, created, written)
        lists.update(_active_lists(s, h, groups, created))
        ep = derive.episodes(s, h, replies)
        lists["reopened_at"] = (ep.group, ep.start, h.has_events)
        if replies is not None:
            lists["next_response_at"] = (ep.group, ep.response, h.has_events)
    return columns, lists


def _stamp(us: np.ndarray) -> pd.Series:
    import numpy as np
    import pandas as pd

    values = np.asarray(us, dtype="int64").view("datetime64[us]")
    return pd.Series(values).dt.tz_localize("UTC")


def _write(
    frame: pd.DataFrame, columns: dict[str, Any], quality: FrameQuality | None
) -> tuple[pd.DataFrame, FrameQuality | None]:
    """Derived values replace the frame's for the covered rows; with a `quality`, each
    disagreement with a value the export filled is counted (an empty cell is no
    disagreement, DECISIONS 45)."""
    import numpy as np
    import pandas as pd

    for name, (rows, values) in columns.items():
        is_time = name.endswith("_at")
        if rows is None:  # a whole column
            frame[name] = (
                _stamp(values).set_axis(frame.index)
                if is_time
                else pd.Series(values, index=frame.index)
            )
            continue
        if name in frame and quality is not None:
            old = frame[name].iloc[rows]
            if is_time:
                before = time_us(old)
                differs = (before != NAT) & (
                    (values == NAT) | (np.abs(before - values) > TOLERANCE_US)
                )
            else:
                known = old.notna().to_numpy()
                differs = known & (old.to_numpy(dtype="float64", na_value=np.nan) != values)
            ids = frame["ticket_id"].iloc[rows[differs][:3]]
            quality = quality.issue(f"derived_differs_{name}", int(differs.sum()), ids)
        if is_time:
            full = (
                time_us(frame[name]).copy() if name in frame else np.full(len(frame), NAT, "int64")
            )
            full[rows] = values
            frame[name] = _stamp(full).set_axis(frame.index)
        else:  # counts (Int64) and flags (boolean): empty where not derived nor given
            kind = "boolean" if values.dtype == bool else "Int64"
            data: np.ndarray = np.zeros(len(frame), dtype=bool if kind == "boolean" else "int64")
            empty: np.ndarray = np.ones(len(frame), dtype=bool)
            if name in frame:
                given = frame[name].astype(kind)
                data[:] = given.to_numpy(dtype=data.dtype, na_value=0)
                empty = given.isna().to_numpy().copy()
            data[rows], empty[rows] = values, False
            frame[name] = (
                pd.array(data, dtype=kind)
                if not empty.any()
                else pd.Series(data).astype(kind).mask(empty).array
            )
    return frame, quality


def _time_in_status(
    columns: dict[str, Any],
    s: derive.Stream,
    h: derive.History,
    groups: np.ndarray,
    rows: np.ndarray,
    created: np.ndarray,
    written: list[str],
) -> None:
    """`seconds_in_<status>`: calendar seconds per status up to the last change (the time
    before the first change counts as open), on the covered `rows` (0 for a ticket with no
    change yet); a column is written when some ticket spent time in its status, or when the
    frame already has it (`written`: a cut at `as_of` replaces it whole)."""
    import numpy as np

    names = list(s.statuses) + (["open"] if "open" not in s.statuses else [])
    code = s.status[h.rows]
    closed = h.end != NAT
    ng, ns = len(s.starts), len(names)
    key = s.group[h.rows][closed] * ns + code[closed]
    secs = np.bincount(key, weights=(h.end - h.start)[closed] / 1e6, minlength=ng * ns).astype(
        "float64"
    )  # int64 when there is no row
    lead = h.lead_end != NAT
    opened = names.index("open")
    secs[np.flatnonzero(lead) * ns + opened] += (h.lead_end - created[groups])[lead] / 1e6
    table = secs.reshape(ng, ns)
    for j, name in enumerate(names):
        if (table[:, j] > 0).any() or f"seconds_in_{name}" in written:
            values = np.full(len(created), np.nan)
            values[rows] = 0.0
            values[groups[h.has_events]] = table[h.has_events, j]
            columns[f"seconds_in_{name}"] = (None, values)


def _active_lists(
    s: derive.Stream, h: derive.History, groups: np.ndarray, created: np.ndarray
) -> dict[str, Any]:
    """Intervals on the active resolution clock, per group in time order (leading first)."""
    import numpy as np

    eg = s.group[h.rows]
    lead = np.flatnonzero(h.lead_active)
    group = np.concatenate([lead, eg[h.active]])
    start = np.concatenate([created[groups][lead], h.start[h.active]])
    end = np.concatenate([h.lead_end[lead], h.end[h.active]])
    order = np.argsort(group, kind="stable")
    resolved = h.resolved != NAT
    return {
        "active_from": (group[order], start[order], resolved),
        "active_until": (group[order], end[order], resolved),
    }


def _list_column(
    group: np.ndarray, values: np.ndarray, valid: np.ndarray, groups: np.ndarray, nt: int
) -> pd.Series:
    """Per ticket row, the list of `values` of its group (`group` sorted); a null list where
    the group is not `valid` or the ticket has no group."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    ng = len(valid)
    counts = np.bincount(group, minlength=ng)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype("int32")
    stamps = pa.array(
        np.asarray(values, dtype="int64"), mask=np.asarray(values) == NAT, type=pa.int64()
    ).cast(pa.timestamp("us", tz="UTC"))
    lists = pa.ListArray.from_arrays(
        pa.array(offsets), stamps, mask=pa.array(~np.asarray(valid, dtype=bool))
    )
    index: np.ndarray = np.full(nt, -1, dtype="int64")
    index[groups] = np.arange(ng)
    taken = lists.take(pa.array(index, mask=index < 0))
    return pd.Series(pd.arrays.ArrowExtensionArray(taken))
