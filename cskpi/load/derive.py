"""What messages and status changes say about each ticket, vectorised (no loop per ticket).

Messages and status changes of the known tickets are put in one order, by (ticket, time),
status changes before messages at the same instant, then file order. Every rule below is an
array pass over that order: group starts come from where the ticket changes, "the first X of
each ticket" from the first `True` of a mask after each start, counts from `bincount`, and the
reopen episode a message belongs to from a running count of reopens minus its ticket's base.

Rules (README "Messages and status history"; DECISIONS 21):

- **first response**: the first public message of a human agent after the ticket's first
  customer message. Bots, system messages and private notes never respond. The FRT start
  (`first_contact_at`) is that first customer message; a ticket with messages but none from
  the customer (agent-initiated, no answer yet) has no start, so it is neither measured nor a
  breach; with `[messages] agent_initiated = "exclude"` an agent-initiated ticket has none.
- **agent replies**: public human agent messages after the first customer message;
  **customer replies**: customer messages after the first one.
- **status**: before its first recorded change a ticket is open. A change from resolved or
  closed to any other status (merged, deleted, spam excepted) is a **reopen**; a change into
  resolved/closed from any other status is a **resolution**. `resolved_at` is the last
  resolution when the last recorded status is resolved/closed (else the ticket is open again:
  no `resolved_at`); `first_resolved_at` the first one.
- **active resolution clock**: the intervals from creation to the last resolution spent in a
  status that is neither paused (`[status] paused`, default pending and on_hold) nor
  resolved/closed.
- **next response** (per reopen): the first public human agent message at or after the reopen
  and before the next one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

NAT = -(2**63)
CUSTOMER, AGENT, BOT, SYSTEM = 0, 1, 2, 3
TERMINAL = ("resolved", "closed")
NOT_REOPEN = ("merged", "deleted", "spam")


@dataclass(frozen=True)
class Stream:
    """Messages (kind 1) and status changes (kind 0) of known tickets in (ticket, time) order."""

    ticket: np.ndarray
    """Row of the tickets frame."""
    time: np.ndarray
    """int64 microseconds (UTC)."""
    kind: np.ndarray
    source: np.ndarray
    """Row in the messages (kind 1) or events (kind 0) frame."""
    role: np.ndarray
    """0 customer, 1 agent, 2 bot, 3 system; -1 for status changes."""
    public: np.ndarray
    status: np.ndarray
    """Index into `statuses` for status changes; -1 for messages."""
    statuses: tuple[str, ...]
    group: np.ndarray
    """Per row, its ticket's group (0..G-1, in ticket order)."""
    starts: np.ndarray
    """Per group, its first row."""


def stream(
    ticket_m: np.ndarray,
    time_m: np.ndarray,
    role_m: np.ndarray,
    public_m: np.ndarray,
    ticket_e: np.ndarray,
    time_e: np.ndarray,
    status_e: np.ndarray,
    statuses: tuple[str, ...],
) -> Stream:
    """Sort once (skipped when the input is already in order) and find the group starts."""
    import numpy as np

    ne, nm = len(ticket_e), len(ticket_m)
    ticket = np.concatenate([ticket_e, ticket_m]).astype("int64", copy=False)
    time = np.concatenate([time_e, time_m]).astype("int64", copy=False)
    # one int32 per row carries what the rules read, so the sort moves three arrays, not six:
    # a message is its role + 4 if public (0..7), a status change 8 + its status
    packed = np.concatenate(
        [status_e.astype("int32") + 8, role_m.astype("int32") + 4 * public_m.astype("int32")]
    )
    kind = (packed < 8).astype("int8")
    if not _ordered(ticket, time * 2 + kind):  # status changes first at one instant
        order = _order(ticket, time, kind)
        ticket, time, packed = ticket[order], time[order], packed[order]
        kind = (packed < 8).astype("int8")
        source = np.where(order < ne, order, order - ne)
    else:
        source = np.concatenate([np.arange(ne), np.arange(nm)])
    said = kind == 1
    role = np.where(said, packed & 3, -1).astype("int8")
    public = said & (packed & 4 > 0)
    status = np.where(said, -1, packed - 8).astype("int32")
    new: np.ndarray = np.ones(len(ticket), dtype=bool)
    new[1:] = ticket[1:] != ticket[:-1]
    starts = np.flatnonzero(new)
    group = np.cumsum(new) - 1
    return Stream(ticket, time, kind, source, role, public, status, statuses, group, starts)


def until(s: Stream, as_of_us: int) -> Stream:
    """The stream without its rows after `as_of_us` (DECISIONS 2 and 45: they have not
    happened). The order is kept, so nothing is sorted again; groups are renumbered, and a
    ticket whose every row is later has no group left. `s` itself when nothing is later."""
    import numpy as np

    keep = s.time <= as_of_us
    if keep.all():
        return s
    ticket = s.ticket[keep]
    new: np.ndarray = np.ones(len(ticket), dtype=bool)
    new[1:] = ticket[1:] != ticket[:-1]
    return Stream(
        ticket,
        s.time[keep],
        s.kind[keep],
        s.source[keep] if len(s.source) == len(keep) else s.source,
        s.role[keep],
        s.public[keep],
        s.status[keep],
        s.statuses,
        np.cumsum(new) - 1,
        np.flatnonzero(new),
    )


def _order(ticket: np.ndarray, time: np.ndarray, kind: np.ndarray) -> np.ndarray:
    """The stable order by (ticket, time, kind): one sort of a single int64 key when it fits
    (times in whole seconds or milliseconds, as exports write them), else a lexsort (twice as
    slow)."""
    import numpy as np

    if not len(time):
        return np.zeros(0, dtype="int64")
    low, high = int(time.min()), int(time.max())
    unit = next((u for u in (1_000_000, 1000) if not np.any(time % u)), 1)
    width = ((high - low) // unit + 1) * 2
    if width * (int(ticket.max()) + 1) < 2**62:
        key = ticket * width + ((time - low) // unit) * 2 + kind
        return np.argsort(key, kind="stable")
    return np.lexsort((time * 2 + kind, ticket))


def _ordered(ticket: np.ndarray, key: np.ndarray) -> bool:
    """Whether rows are already sorted by (ticket, key): one vectorised pass."""
    import numpy as np

    if len(key) < 2:
        return True
    step = ticket[1:] - ticket[:-1]
    return bool(np.all((step > 0) | ((step == 0) & (key[1:] >= key[:-1]))))


def first(mask: np.ndarray, group: np.ndarray, ngroups: int, last: bool = False) -> np.ndarray:
    """Per group, the row of its first (or last) `True`; -1 where it has none."""
    import numpy as np

    idx = np.flatnonzero(mask)
    out: np.ndarray = np.full(ngroups, -1, dtype="int64")
    if len(idx):
        g = group[idx]
        edge: np.ndarray = np.ones(len(idx), dtype=bool)
        if last:
            edge[:-1] = g[:-1] != g[1:]
        else:
            edge[1:] = g[1:] != g[:-1]
        out[g[edge]] = idx[edge]
    return out


def pick(values: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """`values[rows]` (µs) where `rows >= 0`, NAT elsewhere; `values` may be empty."""
    import numpy as np

    out: np.ndarray = np.full(len(rows), NAT, dtype="int64")
    ok = rows >= 0
    out[ok] = values[rows[ok]]
    return out


@dataclass(frozen=True)
class Replies:
    """Per group: the message-derived values; per row: what each message counted as."""

    first_customer: np.ndarray
    first_response: np.ndarray
    """Row of the first response (-1: none)."""
    agent_replies: np.ndarray
    customer_replies: np.ndarray
    agent_initiated: np.ndarray
    has_messages: np.ndarray
    responds: np.ndarray
    """Per row: a public human agent message (the kind of message that can respond)."""
    reply: np.ndarray
    """Per row: counted as an agent reply (responds, after the first customer message)."""


def replies(s: Stream) -> Replies:
    import numpy as np

    g, n = s.group, len(s.starts)
    message = s.kind == 1
    customer = message & (s.role == CUSTOMER)
    responds = message & (s.role == AGENT) & s.public
    first_customer = first(customer, g, n)
    start = first_customer[g]
    reply = responds & (start >= 0) & (np.arange(len(g)) > start)
    talking = customer | responds
    opener = first(talking, g, n)
    initiated = (opener >= 0) & (s.role[np.maximum(opener, 0)] == AGENT)
    return Replies(
        first_customer,
        first(reply, g, n),
        np.bincount(g[reply], minlength=n),
        np.maximum(np.bincount(g[customer], minlength=n) - 1, 0),
        initiated,
        np.bincount(g[message], minlength=n) > 0,
        responds,
        reply,
    )


@dataclass(frozen=True)
class History:
    """Per status change (rows `rows` of the stream, in order) and per group."""

    rows: np.ndarray
    start: np.ndarray
    """Interval start of each change (its time; the leading interval starts at creation)."""
    end: np.ndarray
    """The next change's time in the same ticket (NAT after the last change)."""
    reopen: np.ndarray
    resolution: np.ndarray
    active: np.ndarray
    """The interval counts on the active resolution clock."""
    paused: np.ndarray
    reopens: np.ndarray
    first_resolved: np.ndarray
    resolved: np.ndarray
    """Per group: the last resolution when the ticket ends resolved/closed, else NAT."""
    has_events: np.ndarray
    lead_end: np.ndarray
    """Per group: end of the leading interval (creation → first change; NAT if none)."""
    lead_active: np.ndarray


def history(s: Stream, created: np.ndarray, paused: tuple[str, ...]) -> History:
    """Status changes → reopens, resolutions and the intervals of the resolution clock.

    `created` holds each group's creation time (µs)."""
    import numpy as np

    n = len(s.starts)
    rows = np.flatnonzero(s.kind == 0)
    eg, code, at = s.group[rows], s.status[rows], s.time[rows]
    names = np.asarray(s.statuses, dtype=object)
    terminal = np.isin(names, TERMINAL)[code] if len(code) else np.zeros(0, bool)
    excluded = np.isin(names, NOT_REOPEN)[code] if len(code) else np.zeros(0, bool)
    is_paused = np.isin(names, paused)[code] if len(code) else np.zeros(0, bool)
    same_prev: np.ndarray = np.zeros(len(rows), dtype=bool)
    same_prev[1:] = eg[1:] == eg[:-1]
    prev_terminal: np.ndarray = np.zeros(len(rows), dtype=bool)
    prev_terminal[1:] = terminal[:-1]
    prev_terminal &= same_prev
    reopen = prev_terminal & ~terminal & ~excluded
    resolution = terminal & ~prev_terminal
    local = np.arange(len(rows))
    last_change = first(np.ones(len(rows), bool), eg, n, last=True)
    ends_resolved: np.ndarray = np.zeros(n, dtype=bool)
    has = last_change >= 0
    ends_resolved[has] = terminal[last_change[has]]
    last_res = first(resolution, eg, n, last=True)
    first_res = first(resolution, eg, n)
    resolved = np.where(ends_resolved, pick(at, last_res), NAT)
    end: np.ndarray = np.full(len(rows), NAT, dtype="int64")
    same_next: np.ndarray = np.zeros(len(rows), dtype=bool)
    same_next[:-1] = same_prev[1:]
    end[:-1] = np.where(same_next[:-1], at[1:], NAT)
    begin = np.maximum(at, created[eg])
    end = np.where(end == NAT, NAT, np.maximum(end, begin))
    before_last = local < np.where(ends_resolved, last_res, -1)[eg]
    active = ~terminal & ~is_paused & ~excluded & before_last
    first_change = first(np.ones(len(rows), bool), eg, n)
    lead_end = pick(at, first_change)
    lead_end = np.where(lead_end > created, lead_end, NAT)
    lead_active = (lead_end != NAT) & ends_resolved & ("open" not in paused)
    return History(
        rows,
        begin,
        end,
        reopen,
        resolution,
        active,
        is_paused,
        np.bincount(eg[reopen], minlength=n),
        pick(at, first_res),
        resolved,
        has,
        lead_end,
        lead_active,
    )


@dataclass(frozen=True)
class Episodes:
    """One per reopen, in stream order: its group, start and next response (NAT: none)."""

    group: np.ndarray
    start: np.ndarray
    response: np.ndarray
    response_row: np.ndarray


def episodes(s: Stream, h: History, r: Replies | None) -> Episodes:
    """The next response of each reopen episode (needs messages for responses)."""
    import numpy as np

    opened = h.rows[h.reopen]
    count = len(opened)
    response: np.ndarray = np.full(count, NAT, dtype="int64")
    response_row: np.ndarray = np.full(count, -1, dtype="int64")
    if r is not None and count:
        flag: np.ndarray = np.zeros(len(s.group), dtype="int64")
        flag[opened] = 1
        running = np.cumsum(flag)
        before = running[s.starts] - flag[s.starts]
        local = running - before[s.group]
        idx = np.flatnonzero(r.responds & (local >= 1))
        episode = running[idx] - 1
        head: np.ndarray = np.ones(len(idx), dtype=bool)
        head[1:] = episode[1:] != episode[:-1]
        response[episode[head]] = s.time[idx[head]]
        response_row[episode[head]] = idx[head]
    return Episodes(s.group[opened], s.time[opened], response, response_row)
