"""`cskpi explain TICKET_ID`: every message and status change of one ticket, what counted and
why — the answer to "why does the report say 3 days?".

The ticket's rows go through the same derivation as the report (`cskpi.load.derive`), so the
verdicts cannot drift from the numbers. Spans are measured on the report's clock (calendar, or
business with `--business-hours`); each status interval shows both clocks when a calendar is
configured. Times are shown in the report zone (DECISIONS 3).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cskpi.errors import InputError, UsageError, did_you_mean
from cskpi.load.derive import AGENT, BOT, CUSTOMER, NAT, TERMINAL

if TYPE_CHECKING:
    import pandas as pd

    from cskpi.config import Config
    from cskpi.engine.types import Inputs
    from cskpi.time.calendar import BusinessCalendar


@dataclass(frozen=True)
class Story:
    """One ticket explained; plain values (seconds, ISO times), rendered by `render.explain`."""

    ticket_id: str
    timezone: str
    clock: str
    """`calendar` or `business`: the clock of every summary span."""
    ticket: dict[str, Any]
    messages: list[dict[str, Any]] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)
    """The key lines, in words (first response, resolution, reopens)."""
    as_of: str | None = None
    """The moment the story stops at (ISO, report zone)."""

    def as_json(self) -> dict[str, Any]:
        return {
            "ticket_id": self.ticket_id,
            "as_of": self.as_of,
            "timezone": self.timezone,
            "clock": self.clock,
            "ticket": self.ticket,
            "summary": self.summary,
            "lines": self.lines,
            "messages": self.messages,
            "status_changes": self.changes,
        }


def explain(
    inputs: Inputs,
    ticket_id: str,
    config: Config,
    business: bool | None = None,
    tz: str | None = None,
    as_of: str | None = None,
) -> Story:
    """The story of `ticket_id` as of `as_of` (report's `--as-of`: None is the latest timestamp
    in the inputs; nothing after it is shown or counted, DECISIONS 2 and 45); exit 4
    (InputError) when no ticket has that id, or when it was created after `as_of`."""
    import numpy as np
    import pandas as pd

    from cskpi.engine.prepare import instant_us, latest_time
    from cskpi.load import derive
    from cskpi.load.fold import conversation, paused_statuses, time_us
    from cskpi.load.ids import as_text
    from cskpi.time.window import parse_as_of

    if inputs.tickets is None:
        raise InputError("explain needs a ticket export")
    tickets = inputs.tickets.frame
    ids = as_text(tickets["ticket_id"])  # integer ids are named by their text
    hit = np.flatnonzero((ids == ticket_id).to_numpy(dtype=bool))
    if not len(hit):
        raise InputError(
            f"ticket {ticket_id}: no such ticket_id in "
            f"{', '.join(f.path for f in inputs.tickets.files)}"
            f"{did_you_mean(ticket_id, ids.dropna().unique())}"
        )
    row = tickets.iloc[hit[:1]].reset_index(drop=True)
    zone = tz or config.timezone or inputs.source_tz or "UTC"
    latest = latest_time(inputs)
    moment = parse_as_of(as_of, zone, latest if latest is not None else pd.Timestamp.now("UTC"))
    cut = instant_us(moment)
    if int(time_us(row["created_at"])[0]) > cut:
        raise InputError(
            f"ticket {ticket_id}: created {short(_iso(int(time_us(row['created_at'])[0]), zone))}"
            f", after --as-of {short(moment.tz_convert(zone).isoformat())}: nothing to explain"
        )
    use_business = config.clock == "business" if business is None else business
    calendar = _calendar(config, row)
    if use_business and calendar is None:
        raise UsageError(
            "--business-hours needs a [business_hours] table in the config "
            "(see README, Business hours)"
        )
    m = _subset(inputs.messages, ticket_id)
    e = _subset(inputs.events, ticket_id)
    history, _, _ = conversation(row, m, e, config)
    row = _censor(history.at(row, cut), cut)  # as the report sees it at as_of
    s = derive.until(history.stream, cut)
    created = time_us(row["created_at"])
    clock = _Clock(calendar, use_business)
    story = Story(
        ticket_id,
        zone,
        "business" if use_business else "calendar",
        _ticket(row, zone),
        as_of=moment.tz_convert(zone).isoformat(),
    )
    replies = derive.replies(s) if m is not None and len(s.time) else None
    h = (
        derive.history(s, created[:1] if len(s.starts) else created[:0], paused_statuses(config))
        if e is not None and len(s.time)
        else None
    )
    episodes = derive.episodes(s, h, replies) if h is not None else None
    start = _message_rows(story, s, m, replies, episodes, config, clock, zone)
    _change_rows(story, s, e, h, int(created[0]), clock, zone)
    _summary(story, row, start, h, episodes, clock, zone)
    return story


def _censor(row: pd.DataFrame, cut: int) -> pd.DataFrame:
    """Times after `cut` have not happened (as `cskpi.engine.prepare` censors them)."""
    from cskpi.load.fold import time_us

    for name in ("first_response_at", "resolved_at", "first_resolved_at", "closed_at"):
        if name in row and time_us(row[name])[0] > cut:
            row = row.assign(**{name: row[name].where(row[name].isna())})
    return row


class _Clock:
    """Seconds between two instants on the calendar and (when configured) business clock."""

    def __init__(self, calendar: BusinessCalendar | None, business: bool) -> None:
        self.calendar, self.business = calendar, business

    def both(self, start: int, end: int) -> tuple[float | None, float | None]:
        import numpy as np

        from cskpi.time.calendar import business_seconds

        if start == NAT or end == NAT or end < start:
            return None, None
        cal = (end - start) / 1e6
        if self.calendar is None:
            return cal, None
        biz = business_seconds(np.array([start]), np.array([end]), self.calendar)
        return cal, float(biz[0])

    def span(self, start: int, end: int) -> float | None:
        cal, biz = self.both(start, end)
        return biz if self.business else cal


def _calendar(config: Config, row: pd.DataFrame) -> BusinessCalendar | None:
    """The ticket's business calendar: its `calendar_by` calendar, else `[business_hours]`."""
    from cskpi.time.calendar import parse_calendar

    by = config.calendar_by
    if by is not None and by in row and config.calendars:
        key = str(row[by].iloc[0]).strip().lower()
        for name, table in config.calendars:
            if name.lower() == key:
                return parse_calendar(table, where=f"{config.origin}: calendars.{name}")
    if not config.business_hours:
        return None
    return parse_calendar(config.business_hours, where=f"{config.origin}: business_hours")


def _subset(loaded: Any, ticket_id: str) -> pd.DataFrame | None:
    if loaded is None:
        return None
    frame = loaded.frame
    return frame[(frame["ticket_id"] == ticket_id).to_numpy(dtype=bool)].reset_index(drop=True)


def _iso(us: int, zone: str) -> str | None:
    import pandas as pd

    if us == NAT:
        return None
    return pd.Timestamp(us, unit="us", tz="UTC").tz_convert(zone).isoformat()


def short(iso: str | None) -> str:
    """`2024-03-04T09:00:00+00:00` → `2024-03-04 09:00` (seconds only when not zero)."""
    if iso is None:
        return "—"
    text = iso[:19].replace("T", " ")
    return text[:16] if text.endswith(":00") else text


def _ticket(row: pd.DataFrame, zone: str) -> dict[str, Any]:
    """The ticket's own columns that the story refers to (derived ones included)."""
    from cskpi.load.fold import time_us

    out: dict[str, Any] = {}
    for name in (
        "created_at",
        "first_contact_at",
        "first_response_at",
        "first_resolved_at",
        "resolved_at",
        "status",
        "agent",
        "team",
        "channel",
        "agent_replies",
        "customer_replies",
        "reopens",
        "agent_initiated",
    ):
        if name not in row:
            continue
        value = row[name].iloc[0]
        if name.endswith("_at"):
            out[name] = _iso(int(time_us(row[name])[0]), zone)
        elif _text(value) is None:
            out[name] = None
        else:
            out[name] = value.item() if hasattr(value, "item") else str(value)
    return out


_ROLES = ("customer", "agent", "bot", "system")


def _message_rows(
    story: Story,
    s: Any,
    m: pd.DataFrame | None,
    replies: Any,
    episodes: Any,
    config: Config,
    clock: _Clock,
    zone: str,
) -> int:
    """One row per message with its verdict; returns the FRT start (µs, NAT: none)."""
    if m is None or replies is None:
        return NAT
    first_customer = int(replies.first_customer[0]) if len(replies.first_customer) else -1
    first_response = int(replies.first_response[0]) if len(replies.first_response) else -1
    start = int(s.time[first_customer]) if first_customer >= 0 else NAT
    excluded = config.agent_initiated == "exclude" and bool(replies.agent_initiated[0])
    if excluded:
        start = NAT
    answers = {int(r): k for k, r in enumerate(episodes.response_row)} if episodes else {}
    for i in range(len(s.time)):  # one ticket's messages: a handful of rows
        if s.kind[i] != 1:
            continue
        source = m.iloc[int(s.source[i])]
        role, public = int(s.role[i]), bool(s.public[i])
        counted, why = _verdict(
            i, role, public, first_customer, first_response, replies, answers, episodes, s, clock
        )
        story.messages.append(
            {
                "at": _iso(int(s.time[i]), zone),
                "role": _ROLES[role],
                "public": public,
                "author": _text(source.get("author")),
                "via": _text(source.get("via")),
                "counted": counted,
                "why": why,
            }
        )
    return start


def _verdict(
    i: int,
    role: int,
    public: bool,
    first_customer: int,
    first_response: int,
    replies: Any,
    answers: dict[int, int],
    episodes: Any,
    s: Any,
    clock: _Clock,
) -> tuple[str, str]:
    from cskpi.units import humanize

    if role == CUSTOMER:
        if i == first_customer:
            return "frt start", "first customer message: the first-response clock starts"
        return "customer reply", "a later customer message (counted in customer_replies)"
    if role == BOT:
        return "skipped", "bot message: bots never respond"
    if role != AGENT:
        return "skipped", "system message: not a response"
    if not public:
        return "skipped", "private note: not visible to the customer"
    if first_customer < 0 or i < first_customer:
        return "skipped", "before any customer message (agent-initiated): not a response"
    if i in answers:
        k = answers[i]
        took = clock.span(int(episodes.start[k]), int(s.time[i]))
        return "next response", (
            f"first agent response after reopen #{k + 1}: {humanize(took, 'seconds')}"
        )
    if i == first_response:
        took = clock.span(int(s.time[first_customer]), int(s.time[i]))
        return "first response", (
            f"first public human agent message after the first "
            f"customer message: {humanize(took, 'seconds')}"
        )
    return "agent reply", "a later public agent message (counted in agent_replies)"


def _text(value: Any) -> str | None:
    import pandas as pd

    return None if value is None or bool(pd.isna(value)) else str(value)


def _change_rows(
    story: Story, s: Any, e: pd.DataFrame | None, h: Any, created: int, clock: _Clock, zone: str
) -> None:
    """One row per status interval: its clock state and seconds on both clocks."""
    if e is None or h is None:
        return
    if len(h.lead_end) and h.lead_end[0] != NAT:
        cal, biz = clock.both(created, int(h.lead_end[0]))
        story.changes.append(
            {
                "at": _iso(created, zone),
                "status": "open",
                "until": _iso(int(h.lead_end[0]), zone),
                "clock": "active" if h.lead_active[0] else "not counted (never resolved)",
                "event": "created (open until the first recorded change)",
                "seconds": cal,
                "business_seconds": biz,
            }
        )
    reopen_count = 0
    for j, i in enumerate(h.rows):
        status = s.statuses[int(s.status[i])]
        end = int(h.end[j])
        event = ""
        if h.reopen[j]:
            reopen_count += 1
            event = f"reopen #{reopen_count}"
        elif h.resolution[j]:
            event = "resolution"
        if h.active[j]:
            state = "active"
        elif h.paused[j] and end != NAT:
            state = "paused"
        elif status in TERMINAL:
            state = "stopped (resolved)"
        elif end == NAT:
            state = "open-ended (no later change)"
        else:
            state = (
                "not counted (after the last resolution)"
                if h.resolved[0] != NAT
                else "not counted (never resolved)"
            )
        cal, biz = clock.both(int(h.start[j]), end)
        story.changes.append(
            {
                "at": _iso(int(s.time[i]), zone),
                "status": status,
                "until": _iso(end, zone),
                "clock": state,
                "event": event,
                "seconds": cal,
                "business_seconds": biz,
            }
        )


def _summary(
    story: Story, row: pd.DataFrame, start: int, h: Any, episodes: Any, clock: _Clock, zone: str
) -> None:
    from cskpi.load.fold import time_us
    from cskpi.units import humanize

    def at(name: str) -> int:
        return int(time_us(row[name])[0]) if name in row else NAT

    created, answered = at("created_at"), at("first_response_at")
    start = at("first_contact_at") if "first_contact_at" in row else created  # as the KPIs
    frt = clock.span(start, answered)
    resolved = at("resolved_at")
    out = story.summary
    out["first_response_seconds"] = frt
    out["resolution_seconds"] = clock.span(created, resolved)
    name = story.clock + " hours"
    if frt is not None:
        story.lines.append(
            f"first response: {humanize(frt, 'seconds')} ({name}), from "
            f"{short(_iso(start, zone))} to {short(_iso(answered, zone))}"
        )
    elif start == NAT and story.messages:
        story.lines.append("first response: not measured (no customer message: agent-initiated)")
    else:
        story.lines.append("first response: none yet")
    if h is not None:
        active = [c for c in story.changes if c["clock"] == "active"]
        paused = [c for c in story.changes if c["clock"] == "paused"]
        key = "business_seconds" if clock.business else "seconds"
        out["active_resolution_seconds"] = (
            sum(c[key] or 0.0 for c in active) if resolved != NAT else None
        )
        out["paused_seconds"] = sum(c[key] or 0.0 for c in paused)
        out["reopens"] = int(h.reopens[0]) if len(h.reopens) else 0
        out["next_response_seconds"] = [
            clock.span(int(a), int(b))
            for a, b in zip(episodes.start, episodes.response, strict=True)
        ]
    if out["resolution_seconds"] is not None:
        story.lines.append(
            f"resolution: {humanize(out['resolution_seconds'], 'seconds')} "
            f"({name}), created {short(_iso(created, zone))}, resolved "
            f"{short(_iso(resolved, zone))}"
        )
    if out.get("active_resolution_seconds") is not None:
        story.lines.append(
            f"active resolution: "
            f"{humanize(out['active_resolution_seconds'], 'seconds')} ({name}); "
            f"paused {humanize(out['paused_seconds'], 'seconds')}"
        )
    for k, took in enumerate(out.get("next_response_seconds", [])):
        story.lines.append(
            f"next response after reopen #{k + 1}: "
            f"{humanize(took, 'seconds') if took is not None else 'none yet'}"
        )
