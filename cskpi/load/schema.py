"""The canonical tickets and surveys columns (DATA.md): names, kinds and source aliases.

Kinds drive normalisation: `id` (text, kept verbatim), `time` (UTC timestamp), `duration`
(float seconds), `int`, `bool`, `float`, `label` (category), `text`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Frame(StrEnum):
    TICKETS = "tickets"
    SURVEYS = "surveys"


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    required: bool = False
    aliases: tuple[str, ...] = field(default=())


TICKET_COLUMNS: tuple[Column, ...] = (
    Column("ticket_id", "id", True, ("id", "ticket", "ticket_number", "ticket_no", "number",
                                      "conversation_id", "case_id", "case_number", "request_id")),
    Column("created_at", "time", True, ("created", "creation_date", "creation_time",
                                         "created_time", "created_date", "opened_at", "opened",
                                         "open_date", "date_created", "submitted", "received_at",
                                         "conversation_started_at", "requested", "created_on")),
    Column("first_response_at", "time", False, ("first_reply_at", "first_replied_at",
                                                 "first_response_time_at", "first_responded_at",
                                                 "initial_response_time", "first_response_date",
                                                 "first_agent_reply_at", "first_admin_reply_at",
                                                 "first_response")),
    Column("resolved_at", "time", False, ("resolved", "resolved_time", "resolved_date",
                                           "resolution_date", "solved_at", "solved",
                                           "resolved_on", "date_resolved", "resolution_time_at")),
    Column("closed_at", "time", False, ("closed", "closed_time", "closed_date", "close_at",
                                         "date_closed", "closed_on")),
    Column("updated_at", "time", False, ("updated", "last_updated", "last_updated_at",
                                          "updated_time", "modified_at", "last_modified")),
    Column("status", "label", False, ("state", "ticket_status")),
    Column("agent", "label", False, ("assignee", "assigned_to", "owner", "agent_name",
                                      "assignee_name", "responder", "teammate", "handler")),
    Column("team", "label", False, ("group", "queue", "inbox", "team_name", "group_name",
                                     "department")),
    Column("channel", "label", False, ("via", "source", "medium", "ticket_channel")),
    Column("region", "label", False, ("country", "market", "geo", "locale_region")),
    Column("priority", "label", False, ("urgency", "severity", "ticket_priority")),
    Column("topic", "label", False, ("category", "type", "ticket_type", "issue_type", "reason",
                                      "subject_category")),
    Column("customer_id", "id", False, ("customer", "requester", "requester_id", "user_id",
                                         "contact_id", "requester_email", "customer_email",
                                         "contact", "client_id")),
    Column("agent_replies", "int", False, ("replies", "agent_reply_count", "public_replies",
                                            "agent_interactions", "number_of_replies")),
    Column("customer_replies", "int", False, ("customer_reply_count", "customer_interactions",
                                               "requester_replies")),
    Column("reopens", "int", False, ("reopen_count", "reopened", "times_reopened",
                                      "number_of_reopens")),
    Column("escalated", "bool", False, ("is_escalated", "escalation")),
    Column("first_contact_resolved", "bool", False, ("fcr", "resolved_on_first_contact",
                                                      "first_contact_resolution", "one_touch")),
    Column("handle_seconds", "duration", False, ("handle_time", "aht", "handling_time",
                                                  "handle_time_seconds", "work_time",
                                                  "talk_time", "agent_work_time")),
    Column("first_response_seconds", "duration", False, ("first_response_time",
                                                          "first_reply_time", "frt",
                                                          "reply_time", "time_to_first_response")),
    Column("resolution_seconds", "duration", False, ("resolution_time", "time_to_resolution",
                                                      "full_resolution_time", "time_to_resolve")),
)

SURVEY_COLUMNS: tuple[Column, ...] = (
    Column("submitted_at", "time", True, ("submitted", "created_at", "created", "responded_at",
                                           "response_date", "rated_at", "date", "timestamp",
                                           "survey_date", "answered_at")),
    Column("kind", "label", True, ("survey", "survey_kind", "survey_type", "type", "metric")),
    Column("score", "float", True, ("rating", "value", "answer", "csat", "csat_score",
                                     "nps_score", "ces_score", "esat_score", "score_value",
                                     "satisfaction", "satisfaction_score")),
    Column("ticket_id", "id", False, ("ticket", "conversation_id", "ticket_number", "case_id")),
    Column("customer_id", "id", False, ("customer", "requester_id", "contact_id", "user_id")),
    Column("response_id", "id", False, ("id", "survey_id", "rating_id", "survey_response_id")),
    Column("agent", "label", False, ("assignee", "assigned_to", "agent_name", "teammate")),
    Column("channel", "label", False, ("via", "source")),
    Column("region", "label", False, ()),
    Column("team", "label", False, ("group", "inbox", "queue")),
    Column("comment", "text", False, ("feedback", "comments", "feedback_comment")),
)

COLUMNS: dict[Frame, tuple[Column, ...]] = {Frame.TICKETS: TICKET_COLUMNS,
                                            Frame.SURVEYS: SURVEY_COLUMNS}

TIME_COLUMNS: dict[Frame, tuple[str, ...]] = {
    frame: tuple(c.name for c in cols if c.kind == "time") for frame, cols in COLUMNS.items()
}

STATUS_VALUES = ("new", "open", "pending", "on_hold", "resolved", "closed")
EXCLUDED_STATUSES = ("merged", "deleted", "spam")
SURVEY_KINDS = ("csat", "nps", "ces", "esat")

UNASSIGNED = "(unassigned)"
NONE_LABEL = "(none)"
UNKNOWN = "(unknown)"


def squash(name: str) -> str:
    """Header comparison key: lower case, letters and digits only (`Created At` → `createdat`)."""
    return "".join(ch for ch in name.lower() if ch.isalnum())


def column(frame: Frame, name: str) -> Column:
    for col in COLUMNS[frame]:
        if col.name == name:
            return col
    raise KeyError(name)
