"""The business frames inside the engine: customers, orders, schedules and costs.

The engine calls three hooks, so a business frame behaves like tickets and surveys:

- `attach` censors the frames at `as_of` (DECISIONS 2: a customer who starts after `as_of`
  does not exist yet, an `ended_at` after it has not happened, later orders and shifts are
  dropped; cost periods are plans and stay) and joins customer attributes to the records
  that lack them through `customer_id` — `--by plan` groups tickets, surveys (their own
  `customer_id`, else their ticket's value) and orders by their customer's plan — and
  derives `sla_breached` (`--by sla_breached`): per ticket `true`/`false` from its
  first-response SLA outcome (pending or no policy: empty); per customer (and order) `true`
  when any of the customer's tickets breached, else `false`.
- `extend_codes` gives every business row a label index in each by-column's label table, so
  one group means the same thing on every anchor; a column a frame lacks is `(none)`, also
  for `agent` (whose empty values are `(unassigned)`, DECISIONS 10).
- `used_rows` counts each frame's rows in the report's window, so that the rest is
  `out_of_window` in `data_quality`, as for tickets (DECISIONS 32).
- `ANCHORS` builds the rows of the business anchors: `ordered` (orders by `ordered_at`),
  `scheduled` (shifts by `date`, together with tickets by `resolved_at`, whose handle time
  counts only where the agent has a shift in the same bucket) and `window start/end`
  (customer states per group and bucket, `cskpi.engine.states`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from cskpi.arrays import times_us
from cskpi.engine.keys import DERIVED
from cskpi.errors import InputError
from cskpi.kpis.context import Coded
from cskpi.kpis.registry import Anchor

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from cskpi.engine.keys import ByColumn, ColumnCodes
    from cskpi.engine.types import Inputs, Prepared
    from cskpi.kpis.context import Context
    from cskpi.time.window import Buckets

    Rows = tuple[pd.DataFrame, np.ndarray, dict[str, Any], np.ndarray]

_CENSOR = {"customers": "started_at", "orders": "ordered_at", "schedules": "date"}


def attach(
    inputs: Inputs,
    by: list[ByColumn],
    tickets: pd.DataFrame | None,
    surveys: pd.DataFrame | None,
    linked: pd.DataFrame | None,
    as_of: pd.Timestamp,
    ctx: Context,
) -> tuple[
    pd.DataFrame | None,
    pd.DataFrame | None,
    pd.DataFrame | None,
    list[ByColumn],
    dict[str, pd.DataFrame],
]:
    """Censored business frames, and the joins of the module docstring for each by-column."""
    from cskpi.engine.keys import find_column

    given = inputs.business.given() if inputs.business else {}
    frames = {name: _censor(name, loaded.frame, as_of) for name, loaded in given.items()}
    customers = frames.get("customers")
    out = []
    for col in by:
        if col.name in DERIVED and col.tickets is None and tickets is not None:
            ticket_label, customer_label = _breached(tickets, ctx)
            tickets = tickets.assign(**{col.name: ticket_label})
            if linked is not None:
                linked = linked.assign(
                    **{col.name: _lookup(tickets, "ticket_id", col.name, linked["ticket_id"])}
                )
            for name in ("customers", "orders"):
                if name in frames and "customer_id" in frames[name]:
                    frames[name] = frames[name].assign(
                        **{col.name: customer_label(frames[name]["customer_id"])}
                    )
            out.append(replace(col, tickets=col.name))
            continue
        source = find_column(col.name, customers) if customers is not None else None
        if customers is None or source is None:
            out.append(col)
            continue
        if source != col.name:
            frames["customers"] = customers = customers.assign(**{col.name: customers[source]})
        if col.tickets is None and tickets is not None and "customer_id" in tickets:
            tickets = _join(tickets, customers, col.name)
            if linked is not None:  # every ticket read, for surveys (DECISIONS 7)
                linked = (
                    _join(linked, customers, col.name)
                    if "customer_id" in linked
                    else linked.assign(
                        **{col.name: _lookup(tickets, "ticket_id", col.name, linked["ticket_id"])}
                    )
                )
            col = replace(col, tickets=col.name)
        if col.surveys is None and surveys is not None and "customer_id" in surveys:
            surveys = _join(surveys, customers, col.name)
            col = replace(col, surveys=col.name)
        if "orders" in frames and find_column(col.name, frames["orders"]) is None:
            frames["orders"] = _join(frames["orders"], customers, col.name)
        out.append(col)
    return tickets, surveys, linked, out, frames


def _censor(name: str, frame: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    column = _CENSOR.get(name)
    if column is not None:
        keep = frame[column] <= as_of
        frame = frame if keep.all() else frame[keep]
    if name == "customers" and "ended_at" in frame:
        later = frame["ended_at"] > as_of
        if later.any():
            frame = frame.assign(ended_at=frame["ended_at"].where(~later))
    return frame


def _lookup(table: pd.DataFrame, key: str, column: str, ids: pd.Series) -> pd.Series:
    """`table[column]` of the row whose `key` equals each id (first match), else empty."""
    import numpy as np
    import pandas as pd

    keys, _ = pd.factorize(pd.concat([table[key], ids], ignore_index=True))  # one hash pass
    own, asked = keys[: len(table)], keys[len(table) :]
    # row of each key in `table` (the first wins); an empty key (-1) lands in the spare slot
    first = np.full(int(keys.max()) + 2 if len(keys) else 1, -1)
    first[own[::-1]] = np.arange(len(table))[::-1]
    at = np.where(asked >= 0, first[asked], -1)
    values = table[column]
    cat = values if isinstance(values.dtype, pd.CategoricalDtype) else values.astype("category")
    codes = cat.cat.codes.to_numpy()
    picked = np.where(at >= 0, codes[np.maximum(at, 0)] if len(codes) else -1, -1)
    return pd.Series(pd.Categorical.from_codes(picked, cat.cat.categories), index=ids.index)


def _join(frame: pd.DataFrame, customers: pd.DataFrame, column: str) -> pd.DataFrame:
    """`frame` with the `column` of its customer (by `customer_id`)."""
    return frame.assign(**{column: _lookup(customers, "customer_id", column, frame["customer_id"])})


def _breached(
    tickets: pd.DataFrame, ctx: Context
) -> tuple[pd.Series, Callable[[pd.Series], pd.Series]]:
    """Per ticket `true`/`false`/empty (first-response SLA breached, met, not judged), and a
    function giving `true`/`false` per customer id (any breached ticket)."""
    import numpy as np
    import pandas as pd

    from cskpi.kpis import sla
    from cskpi.kpis.view import GroupView

    if "first_response_at" not in tickets:
        raise InputError("--by sla_breached needs a first_response_at column in the tickets")
    n = len(tickets)
    view = GroupView(tickets, np.zeros(n, dtype="int64"), 1, np.zeros(1, dtype="int64"), False)
    outcome = sla.first_response(view, ctx)
    codes = np.where(outcome.counted, np.where(outcome.met, 0, 1), -1)
    label = pd.Series(pd.Categorical.from_codes(codes, ["false", "true"]), index=tickets.index)
    breached: Any = (
        tickets["customer_id"][codes == 1].dropna().unique()
        if "customer_id" in tickets
        else np.zeros(0, dtype=object)
    )

    def per_customer(ids: pd.Series) -> pd.Series:
        hit = ids.isin(breached).to_numpy().astype("int64")
        return pd.Series(pd.Categorical.from_codes(hit, ["false", "true"]), index=ids.index)

    return label, per_customer


# -- group codes -----------------------------------------------------------------------------


def extend_codes(
    by: list[ByColumn], columns: list[ColumnCodes], frames: dict[str, pd.DataFrame]
) -> None:
    """Add each business frame's label indices to every by-column (`ColumnCodes.extra`, in
    the order of `frames`), merging their labels into the column's label table.

    DECISIONS 10: an empty value takes the column's empty label (`(unassigned)` for `agent`);
    a frame without the column is `(none)` — customers and orders have no agent, and are not
    the unassigned tickets."""
    import numpy as np

    from cskpi.arrays import look_up
    from cskpi.engine.keys import empty_label, find_column, label_codes
    from cskpi.load.schema import NONE_LABEL

    for col, codes in zip(by, columns, strict=True):
        parts, has = [], []
        for frame in frames.values():
            source = find_column(col.name, frame)
            parts.append(label_codes(frame[source] if source is not None else None, len(frame)))
            has.append(source is not None)
        every = np.concatenate(
            [
                codes.labels,
                *(labels for _, labels in parts),
                np.array([empty_label(col.name), NONE_LABEL], dtype=object),
            ]
        )
        uniques, inverse = np.unique(every.astype(str), return_inverse=True)
        base = inverse[: len(codes.labels)].astype(np.int32)  # int32 per row, not int64
        # in place: the label indices are the group codes' own (no second array of them)
        codes.tickets = look_up(codes.tickets, base) if len(base) else codes.tickets
        codes.surveys = look_up(codes.surveys, base) if len(base) else codes.surveys
        empty, none, at = inverse[-2], inverse[-1], len(codes.labels)
        for (found, labels), present in zip(parts, has, strict=True):
            mine = inverse[at : at + len(labels)]
            at += len(labels)
            blank = empty if present else none
            codes.extra.append(
                np.where(found >= 0, mine[np.maximum(found, 0)] if len(mine) else blank, blank)
            )
        codes.labels = uniques.astype(object)


def coded(
    frames: dict[str, pd.DataFrame], codes: list[np.ndarray], by: list[ByColumn]
) -> dict[str, Coded]:
    from cskpi.engine.keys import find_column

    return {
        name: Coded(frame, code, all(find_column(c.name, frame) is not None for c in by))
        for (name, frame), code in zip(frames.items(), codes, strict=True)
    }


# -- anchors ---------------------------------------------------------------------------------


def _in_buckets(
    coded: Coded, column: str, buckets: Buckets, grouped: bool
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Rows whose `column` is in a bucket, their report keys (group × bucket), and the mask."""
    import numpy as np

    by = coded.by if grouped else np.zeros(len(coded.frame), dtype="int64")
    bucket = buckets.index(times_us(coded.frame[column]))
    inside = bucket >= 0
    return coded.frame[inside], by[inside] * len(buckets.labels) + bucket[inside], inside


def _ordered(prep: Prepared, buckets: Buckets, grouped: bool) -> Rows | None:
    orders = prep.context.frames.get("orders")
    if orders is None:
        return None
    frame, keys, inside = _in_buckets(orders, "ordered_at", buckets, grouped)
    return frame, keys, {}, inside


def _scheduled(prep: Prepared, buckets: Buckets, grouped: bool) -> Rows | None:
    """Shifts in the window and tickets resolved in it, as one frame: `scheduled_seconds`
    from shifts (unknown per group when the schedules lack a by-column); `handle_seconds`
    from tickets whose agent has a shift in the same bucket."""
    import numpy as np
    import pandas as pd

    schedules = prep.context.frames.get("schedules")
    tickets = prep.tickets
    if schedules is None or tickets is None or prep.t_by is None or "resolved_at" not in tickets:
        return None
    nb = len(buckets.labels)
    shifts, s_keys, inside = _in_buckets(schedules, "date", buckets, grouped)
    t_bucket = buckets.index(times_us(tickets["resolved_at"]))
    resolved = t_bucket >= 0
    work = tickets[resolved]
    t_by = prep.t_by if grouped else np.zeros(len(tickets), dtype="int64")
    t_keys = t_by[resolved].astype(np.int64) * nb + t_bucket[resolved]  # by may be int32
    agents, _ = pd.factorize(
        pd.concat(
            [
                shifts["agent"].astype("str").str.strip().where(shifts["agent"].notna()),
                work["agent"].astype("str").str.strip().where(work["agent"].notna())
                if "agent" in work
                else pd.Series(np.nan, index=work.index),
            ],
            ignore_index=True,
        )
    )
    s_pairs = agents[: len(shifts)] * nb + s_keys % nb
    t_agent = agents[len(shifts) :]
    covered = (t_agent >= 0) & np.isin(t_agent * nb + t_keys % nb, s_pairs)
    handle = work["handle_seconds"].astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
    scheduled = shifts["scheduled_seconds"].to_numpy(dtype="float64")
    if grouped and not schedules.complete:  # grouped by a column the schedules lack: unknown
        scheduled = np.full(len(shifts), np.nan)
    frame = pd.DataFrame(
        {
            "scheduled_seconds": np.concatenate([scheduled, np.full(len(work), np.nan)]),
            "handle_seconds": np.concatenate(
                [np.full(len(shifts), np.nan), np.where(covered & (handle >= 0), handle, np.nan)]
            ),
        }
    )
    return frame, np.concatenate([s_keys, t_keys]), {}, inside


def _states(prep: Prepared, buckets: Buckets, grouped: bool) -> Rows | None:
    import numpy as np

    from cskpi.engine.states import customer_states

    customers = prep.context.frames.get("customers")
    if customers is None:
        return None
    by = customers.by if grouped else np.zeros(len(customers.frame), dtype="int64")
    keys, extra, mask = customer_states(customers.frame, by, buckets.edges_us)
    return customers.frame.iloc[:0], keys, extra, mask


def used_rows(prep: Prepared, since_us: int, until_us: int, tz: str) -> dict[str, int]:
    """Per business frame given, its rows in the window `[since, until)` (the censored
    frames: a row after `as_of` is out of the window too): orders by `ordered_at`, shifts by
    `date`, customers whose state it reads (`started_at` before its end, no `ended_at` before
    its start: the customers `cskpi.engine.states` places in some bucket), cost periods
    overlapping it."""
    import numpy as np

    from cskpi.arrays import NAT
    from cskpi.kpis.business import period_bounds

    out = {}
    for name, coded in prep.context.frames.items():
        frame = coded.frame
        if name in ("orders", "schedules"):
            at = times_us(frame["ordered_at" if name == "orders" else "date"])
            inside = (at >= since_us) & (at < until_us)
        elif name == "customers":
            start = times_us(frame["started_at"])
            end = times_us(frame["ended_at"]) if "ended_at" in frame else np.full(len(start), NAT)
            inside = (start < until_us) & ((end == NAT) | (end >= since_us))
        elif name == "costs":
            start, end = period_bounds(frame, tz)
            inside = (start < until_us) & (end > since_us)
        else:
            continue
        out[name] = int(np.count_nonzero(inside))
    return out


ANCHORS: dict[Anchor, Callable[[Prepared, Buckets, bool], Rows | None]] = {
    Anchor.ORDERED: _ordered,
    Anchor.SCHEDULED: _scheduled,
    Anchor.WINDOW_BOUNDS: _states,
}
"""Rows of each business anchor: (in-window rows, their report keys, per-key arrays as
(keys, values) pairs, usage mask over the frame)."""
