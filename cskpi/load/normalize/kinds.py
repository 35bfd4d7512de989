"""Which kind of input a header belongs to, when it was given in the tickets' place.

`cskpi report tickets.csv surveys.csv` is the most natural first mistake: the second file is
read as tickets and fails for want of `created_at`. Rather than suggest mapping a survey's
`Submitted At` as the ticket's creation time, the error names the kind of file it looks like
and the option that takes it (issue 22).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from cskpi.load.schema import Frame

KIND_OPTION: dict[Frame, str] = {
    Frame.SURVEYS: "--surveys",
    Frame.MESSAGES: "--messages",
    Frame.EVENTS: "--events",
    Frame.ORDERS: "--orders",
    Frame.CUSTOMERS: "--customers",
    Frame.SCHEDULES: "--schedules",
    Frame.COSTS: "--costs",
}
"""The other inputs a report reads, in the order they are tried, and the option of each."""

KIND_TEXT: dict[Frame, str] = {
    Frame.SURVEYS: "survey responses",
    Frame.MESSAGES: "a messages file",
    Frame.EVENTS: "a status-history file",
    Frame.ORDERS: "orders",
    Frame.CUSTOMERS: "customers",
    Frame.SCHEDULES: "agent schedules",
    Frame.COSTS: "costs",
}

_NEEDS: dict[Frame, tuple[str, ...]] = {
    Frame.SURVEYS: ("submitted_at", "score"),
    Frame.MESSAGES: ("ticket_id", "created_at", "author_role"),
    Frame.EVENTS: ("ticket_id", "at", "status"),
    Frame.ORDERS: ("order_id", "customer_id", "ordered_at"),
    Frame.CUSTOMERS: ("customer_id", "started_at"),
    Frame.SCHEDULES: ("agent", "date|start", "scheduled_seconds|end"),
    Frame.COSTS: ("period", "amount"),
}
"""What a header must have to pass for each kind (`a|b`: either); stricter than the required
columns where those are few (a schedule is more than an `agent` column)."""

TICKET_LIFE = (
    "first_response_at",
    "resolved_at",
    "closed_at",
    "status",
    "agent_replies",
    "first_response_seconds",
    "resolution_seconds",
)
"""Ticket columns a message file never has: a file that maps only ticket_id and created_at
as tickets but has an author role is a message file."""


def looks_like(
    headers: Sequence[str], resolve: Callable[[Frame], dict[str, str]]
) -> tuple[Frame, dict[str, str]] | None:
    """The other kind `headers` fully passes for (most headers mapped wins; ties: the order of
    `KIND_OPTION`), with its mapping, or None. `resolve(frame)` maps the headers as that
    frame. One of the columns a kind needs must come from a header that is no ticket column
    (`id` and `created_at` alone are a broken ticket export, not customers)."""
    tickets = set(resolve(Frame.TICKETS).values())
    best: tuple[Frame, dict[str, str]] | None = None
    for kind, needs in _NEEDS.items():
        mapping = resolve(kind)
        found = {h for need in needs for alt in need.split("|") if (h := mapping.get(alt))}
        if not all(any(alt in mapping for alt in need.split("|")) for need in needs):
            continue
        if found <= tickets:
            continue
        if best is None or len(mapping) > len(best[1]):
            best = (kind, mapping)
    return best


def wrong_kind_message(
    label: str, headers: Sequence[str], kind: Frame, mapping: dict[str, str]
) -> str:
    """Two lines: what the file looks like (the headers that say so) and the option."""
    used = set(mapping.values())
    shown = ", ".join(h for h in headers if h in used)
    option = KIND_OPTION[kind]
    return (
        f"{label}: a file given as tickets looks like {KIND_TEXT[kind]} ({shown}), "
        "not a ticket export\n"
        f"give it with {option} FILE after the ticket export: cskpi report TICKETS {option} FILE"
    )
