"""The canonical columns of every input frame (DATA.md): names, kinds and source aliases.

Kinds drive normalisation: `id` (text, kept verbatim), `time` (UTC timestamp), `duration`
(float seconds), `int`, `bool`, `float`, `label` (category), `text`; `money` and `period`
are passed through raw and parsed by the frame's finisher (`cskpi.load.business`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum


class Frame(StrEnum):
    TICKETS = "tickets"
    SURVEYS = "surveys"
    MESSAGES = "messages"
    """Message-level input (`cskpi.load.shapes`); folded into tickets when loading."""
    EVENTS = "events"
    """Status history (`cskpi.load.shapes`); folded into tickets when loading."""
    CUSTOMERS = "customers"
    ORDERS = "orders"
    SCHEDULES = "schedules"
    COSTS = "costs"


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    required: bool = False
    aliases: tuple[str, ...] = field(default=())


TICKET_COLUMNS: tuple[Column, ...] = (
    Column(
        "ticket_id",
        "id",
        True,
        (
            "id",
            "ticket",
            "ticket_number",
            "ticket_no",
            "number",
            "conversation_id",
            "case_id",
            "case_number",
            "request_id",
        ),
    ),
    Column(
        "created_at",
        "time",
        True,
        (
            "created",
            "creation_date",
            "creation_time",
            "created_time",
            "created_date",
            "opened_at",
            "opened",
            "open_date",
            "date_created",
            "submitted",
            "received_at",
            "conversation_started_at",
            "requested",
            "created_on",
        ),
    ),
    Column(
        "first_response_at",
        "time",
        False,
        (
            "first_reply_at",
            "first_replied_at",
            "first_response_time_at",
            "first_responded_at",
            "initial_response_time",
            "first_response_date",
            "first_agent_reply_at",
            "first_admin_reply_at",
            "first_response",
        ),
    ),
    Column(
        "resolved_at",
        "time",
        False,
        (
            "resolved",
            "resolved_time",
            "resolved_date",
            "resolution_date",
            "solved_at",
            "solved",
            "resolved_on",
            "date_resolved",
            "resolution_time_at",
        ),
    ),
    Column(
        "closed_at",
        "time",
        False,
        ("closed", "closed_time", "closed_date", "close_at", "date_closed", "closed_on"),
    ),
    Column(
        "updated_at",
        "time",
        False,
        (
            "updated",
            "last_updated",
            "last_updated_at",
            "updated_time",
            "modified_at",
            "last_modified",
        ),
    ),
    Column("status", "label", False, ("state", "ticket_status")),
    Column(
        "agent",
        "label",
        False,
        (
            "assignee",
            "assigned_to",
            "owner",
            "agent_name",
            "assignee_name",
            "responder",
            "teammate",
            "handler",
        ),
    ),
    Column(
        "team", "label", False, ("group", "queue", "inbox", "team_name", "group_name", "department")
    ),
    Column("channel", "label", False, ("via", "source", "medium", "ticket_channel")),
    Column("region", "label", False, ("country", "market", "geo", "locale_region")),
    Column("priority", "label", False, ("urgency", "severity", "ticket_priority")),
    Column(
        "topic",
        "label",
        False,
        ("category", "type", "ticket_type", "issue_type", "reason", "subject_category"),
    ),
    Column(
        "customer_id",
        "id",
        False,
        (
            "customer",
            "requester",
            "requester_id",
            "user_id",
            "contact_id",
            "requester_email",
            "customer_email",
            "contact",
            "client_id",
        ),
    ),
    Column(
        "agent_replies",
        "int",
        False,
        (
            "replies",
            "agent_reply_count",
            "public_replies",
            "agent_interactions",
            "number_of_replies",
        ),
    ),
    Column(
        "customer_replies",
        "int",
        False,
        ("customer_reply_count", "customer_interactions", "requester_replies"),
    ),
    Column(
        "reopens", "int", False, ("reopen_count", "reopened", "times_reopened", "number_of_reopens")
    ),
    Column("escalated", "bool", False, ("is_escalated", "escalation")),
    Column(
        "first_contact_resolved",
        "bool",
        False,
        ("fcr", "resolved_on_first_contact", "first_contact_resolution", "one_touch"),
    ),
    Column(
        "handle_seconds",
        "duration",
        False,
        (
            "handle_time",
            "aht",
            "handling_time",
            "handle_time_seconds",
            "work_time",
            "talk_time",
            "agent_work_time",
        ),
    ),
    Column(
        "first_response_seconds",
        "duration",
        False,
        ("first_response_time", "first_reply_time", "frt", "reply_time", "time_to_first_response"),
    ),
    Column(
        "resolution_seconds",
        "duration",
        False,
        ("resolution_time", "time_to_resolution", "full_resolution_time", "time_to_resolve"),
    ),
)

SURVEY_COLUMNS: tuple[Column, ...] = (
    Column(
        "submitted_at",
        "time",
        True,
        (
            "submitted",
            "created_at",
            "created",
            "responded_at",
            "response_date",
            "rated_at",
            "date",
            "timestamp",
            "survey_date",
            "answered_at",
        ),
    ),
    Column("kind", "label", True, ("survey", "survey_kind", "survey_type", "type", "metric")),
    Column(
        "score",
        "float",
        True,
        (
            "rating",
            "value",
            "answer",
            "csat",
            "csat_score",
            "nps_score",
            "ces_score",
            "esat_score",
            "score_value",
            "satisfaction",
            "satisfaction_score",
        ),
    ),
    Column("ticket_id", "id", False, ("ticket", "conversation_id", "ticket_number", "case_id")),
    Column("customer_id", "id", False, ("customer", "requester_id", "contact_id", "user_id")),
    Column("response_id", "id", False, ("id", "survey_id", "rating_id", "survey_response_id")),
    Column("agent", "label", False, ("assignee", "assigned_to", "agent_name", "teammate")),
    Column("channel", "label", False, ("via", "source")),
    Column("region", "label", False, ()),
    Column("team", "label", False, ("group", "inbox", "queue")),
    Column("comment", "text", False, ("feedback", "comments", "feedback_comment")),
)

# Business inputs: one row per customer, order, shift and cost period. `money`
# columns are numbers with currency signs and thousands separators allowed; `period` is a
# calendar month (`2024-03`), quarter (`2024-Q1`), year (`2024`) or a date (its month).
CUSTOMER_COLUMNS: tuple[Column, ...] = (
    Column(
        "customer_id",
        "id",
        True,
        (
            "customer",
            "id",
            "client_id",
            "account_id",
            "user_id",
            "contact_id",
            "customer_number",
            "account",
        ),
    ),
    Column(
        "started_at",
        "time",
        True,
        (
            "started",
            "start_date",
            "signup_date",
            "signed_up_at",
            "subscribed_at",
            "customer_since",
            "since",
            "activated_at",
            "joined_at",
            "created_at",
            "created",
        ),
    ),
    Column(
        "ended_at",
        "time",
        False,
        (
            "ended",
            "end_date",
            "churned_at",
            "churn_date",
            "cancelled_at",
            "canceled_at",
            "cancellation_date",
            "churned",
            "closed_at",
        ),
    ),
    Column("plan", "label", False, ("tier", "plan_name", "subscription", "package", "product")),
    Column(
        "mrr",
        "money",
        False,
        (
            "monthly_recurring_revenue",
            "monthly_revenue",
            "mrr_amount",
            "monthly_fee",
            "monthly_amount",
        ),
    ),
    Column("region", "label", False, ("country", "market", "geo")),
    Column("segment", "label", False, ("customer_segment", "company_size", "size", "tier_group")),
)

ORDER_COLUMNS: tuple[Column, ...] = (
    Column(
        "order_id",
        "id",
        True,
        ("id", "order", "order_number", "order_no", "invoice_id", "transaction_id"),
    ),
    Column(
        "customer_id",
        "id",
        True,
        ("customer", "client_id", "account_id", "user_id", "buyer_id", "contact_id"),
    ),
    Column(
        "ordered_at",
        "time",
        True,
        (
            "order_date",
            "ordered",
            "purchased_at",
            "purchase_date",
            "created_at",
            "created",
            "date",
            "timestamp",
        ),
    ),
    Column(
        "amount",
        "money",
        False,
        ("total", "order_total", "price", "value", "revenue", "sales", "amount_paid"),
    ),
    Column("product", "label", False, ("sku", "product_name", "item", "plan")),
    Column(
        "category",
        "label",
        False,
        ("product_category", "product_type", "product_line", "line", "type"),
    ),
)

SCHEDULE_COLUMNS: tuple[Column, ...] = (
    Column(
        "agent", "label", True, ("agent_name", "assignee", "employee", "staff", "name", "teammate")
    ),
    Column("date", "time", False, ("day", "shift_date", "work_date", "schedule_date")),
    Column("start", "time", False, ("shift_start", "start_at", "starts_at", "start_time", "from")),
    Column("end", "time", False, ("shift_end", "end_at", "ends_at", "end_time", "to")),
    Column(
        "scheduled_seconds",
        "duration",
        False,
        (
            "scheduled",
            "scheduled_time",
            "scheduled_hours",
            "scheduled_minutes",
            "shift_length",
            "shift_hours",
            "hours",
            "duration",
        ),
    ),
    Column("team", "label", False, ("group", "queue", "department")),
)

COST_COLUMNS: tuple[Column, ...] = (
    Column("period", "period", True, ("month", "date", "period_start", "quarter", "year")),
    Column("amount", "money", True, ("cost", "costs", "total", "spend", "expense", "value")),
    Column("team", "label", False, ("group", "queue", "department")),
)

# Message-level inputs (`cskpi.load.shapes`): one row per message / status change.
MESSAGE_COLUMNS: tuple[Column, ...] = (
    Column(
        "ticket_id",
        "id",
        True,
        ("ticket", "conversation_id", "conversation", "case_id", "ticket_number", "thread_id"),
    ),
    Column(
        "created_at",
        "time",
        True,
        (
            "at",
            "time",
            "timestamp",
            "sent_at",
            "posted_at",
            "date",
            "created",
            "message_at",
            "created_time",
        ),
    ),
    Column(
        "author_role",
        "label",
        True,
        (
            "role",
            "author_type",
            "sender_type",
            "sender_role",
            "from_role",
            "direction",
            "author_kind",
        ),
    ),
    Column("public", "bool", False, ("is_public", "visible", "public_reply")),
    Column(
        "author",
        "label",
        False,
        ("author_id", "author_name", "sender", "sender_id", "user_id", "from"),
    ),
    Column("via", "label", False, ("channel", "source", "via_channel")),
    Column("message_id", "id", False, ("id", "comment_id", "part_id", "message")),
)
EVENT_COLUMNS: tuple[Column, ...] = (
    Column(
        "ticket_id",
        "id",
        True,
        ("ticket", "conversation_id", "conversation", "case_id", "ticket_number"),
    ),
    Column(
        "at",
        "time",
        True,
        (
            "created_at",
            "changed_at",
            "updated_at",
            "updated",
            "timestamp",
            "time",
            "date",
            "event_time",
        ),
    ),
    Column(
        "status",
        "label",
        True,
        ("new_status", "to_status", "status_to", "state", "value", "new_value", "to"),
    ),
)

COLUMNS: dict[Frame, tuple[Column, ...]] = {
    Frame.TICKETS: TICKET_COLUMNS,
    Frame.SURVEYS: SURVEY_COLUMNS,
    Frame.MESSAGES: MESSAGE_COLUMNS,
    Frame.EVENTS: EVENT_COLUMNS,
    Frame.CUSTOMERS: CUSTOMER_COLUMNS,
    Frame.ORDERS: ORDER_COLUMNS,
    Frame.SCHEDULES: SCHEDULE_COLUMNS,
    Frame.COSTS: COST_COLUMNS,
}

TIME_COLUMNS: dict[Frame, tuple[str, ...]] = {
    frame: tuple(c.name for c in cols if c.kind == "time") for frame, cols in COLUMNS.items()
}

STATUS_VALUES = ("new", "open", "pending", "on_hold", "resolved", "closed")
EXCLUDED_STATUSES = ("merged", "deleted", "spam")
SURVEY_KINDS = ("csat", "nps", "ces", "esat")

UNASSIGNED = "(unassigned)"
NONE_LABEL = "(none)"
UNKNOWN = "(unknown)"


_NOT_ALNUM = re.compile(r"[\W_]+")
"""What `squash` drops: a regex word character is `str.isalnum()` or `_`, so this is exactly
the characters that are not `isalnum()` (checked over every code point)."""


def squash(name: str) -> str:
    """Header comparison key: lower case, letters and digits only (`Created At` → `createdat`).

    One pass in C, not a generator over characters: a header that is a 10 MB field took 0.9 s a
    key that way, 0.07 s now (0.3 s when something must be dropped)."""
    lower = name.lower()
    return lower if lower.isalnum() else _NOT_ALNUM.sub("", lower)


def column(frame: Frame, name: str) -> Column:
    for col in COLUMNS[frame]:
        if col.name == name:
            return col
    raise KeyError(name)
