"""Ticket export presets (Zendesk, Freshdesk, Intercom, Zammad): one `Preset` each, as data,
with their vocabularies (`_keyed` shorthand: translated status labels, Freshdesk's scores).
"""

from __future__ import annotations

from cskpi.load.presets.model import HOURS, MINUTES, TZ, Duration, Preset, Ratings
from cskpi.load.schema import Frame


def _keyed(words: str) -> dict[str, str]:
    """`"a b=c; d=e"` → {a: c, b: c, d: e} (vocabulary shorthand)."""
    out = {}
    for part in words.split(";"):
        names, _, value = part.rpartition("=")
        for name in names.split("|"):
            out[name.strip()] = value.strip()
    return out


# Best effort, from the products' UI translations (de, fr, es, ja, ko): exports written in the
# account language. English labels fall through to the generic table.
_STATUS_I18N = _keyed(
    "Neu|Nouveau|Nuevo|新規|신규=new; Offen|Ouvert|Abierto|オープン|열림=open;"
    " Wartend|En attente|Pendiente|保留中|보류=pending; Angehalten|En pause|En espera|待機中|대기 중"
    "=on_hold; Gelöst|Résolu|Resuelto|解決済み|해결됨=resolved; Geschlossen|Clos|Cerrado|終了|종료됨"
    "=closed"
)
_FRESHDESK_SCORES = _keyed(
    "Extremely happy|Very happy|Awesome|103|102=5; Happy|101=4; Neutral|Just okay|100=3;"
    " Unhappy|-101=2; Very unhappy|Extremely unhappy|Not good|-102|-103=1"
)
"""Freshdesk's 103 … -103 scale on 1–5: positive (≥ 4) = above neutral (assumption, unconfirmed
by Freshdesk docs); the 3-point survey Awesome / Just Okay / Not Good maps to 5 / 3 / 1."""

ZENDESK_CSV = Preset(
    "zendesk_csv",
    "Zendesk ticket CSV export",
    Frame.TICKETS,
    signature=(
        "Id",
        "Requester",
        "Created at",
        "Solved at",
        "Reopens",
        "Replies",
        "First reply time in minutes",
        "First reply time in minutes within business hours",
        "Full resolution time in minutes",
    ),
    columns={
        "ticket_id": "Id",
        "created_at": "Created at",
        "updated_at": "Updated at",
        "resolved_at": "Solved at",
        "status": "Status",
        "priority": "Priority",
        "channel": "Via",
        "agent": "Assignee",
        "team": "Group",
        "topic": "Ticket type",
        "customer_id": "Requester id",
        "agent_replies": "Replies",
        "reopens": "Reopens",
    },
    durations=(
        Duration("first_response", "First reply time in minutes", MINUTES),
        Duration(
            "first_response",
            "First reply time in minutes within business hours",
            MINUTES,
            business=True,
        ),
        Duration("resolution", "Full resolution time in minutes", MINUTES),
        Duration(
            "resolution",
            "Full resolution time in minutes within business hours",
            MINUTES,
            business=True,
        ),
    ),
    vocab={
        "status": _STATUS_I18N,
        "channel": _keyed(
            "Web form|Web Widget|Help Center=web; Mail|Email=email;"
            " Phone call (incoming)|Phone call (outgoing)|Voicemail=phone;"
            " Chat|Messaging=chat; API|Web service=api; Mobile SDK=mobile;"
            " Twitter|Facebook|X Corp=social; Closed ticket=follow_up"
        ),
    },
    ignore=(
        "Resolution time",
        "Requester",
        "Submitter",
        "First resolution time in minutes",
        "First resolution time in minutes within business hours",
        "Summation column",
    ),
    ratings=Ratings("Satisfaction Score", unanswered=("Offered", "Not Offered", "Unoffered")),
    caveats=("dates are in the account's time zone at export time: pass --source-tz",),
)

_ZENDESK_CHANNEL = _keyed(
    "voice=phone; mobile_sdk=mobile; native_messaging|chat=chat;"
    " twitter|facebook=social; web|help_center=web"
)
ZENDESK_TICKETS_JSON = Preset(
    "zendesk_tickets_json",
    "Zendesk API tickets (JSON / incremental NDJSON)",
    Frame.TICKETS,
    signature=(
        "id",
        "created_at",
        "updated_at",
        "status",
        "requester_id",
        "submitter_id",
        "via.channel",
    ),
    columns={
        "ticket_id": "id",
        "created_at": "created_at",
        "updated_at": "updated_at",
        "status": "status",
        "priority": "priority",
        "channel": "via.channel",
        "agent": "assignee_id",
        "team": "group_id",
        "topic": "type",
        "customer_id": "requester_id",
    },
    vocab={"channel": _ZENDESK_CHANNEL},
    zone="utc",
    ratings=Ratings("satisfaction_rating.score", unanswered=("offered", "unoffered")),
)

ZENDESK_METRICS_JSON = Preset(
    "zendesk_ticket_metrics_json",
    "Zendesk API ticket_metrics (JSON)",
    Frame.TICKETS,
    signature=(
        "ticket_id",
        "created_at",
        "solved_at",
        "reopens",
        "replies",
        "reply_time_in_minutes.calendar",
        "reply_time_in_minutes.business",
        "full_resolution_time_in_minutes.calendar",
    ),
    columns={
        "ticket_id": "ticket_id",
        "created_at": "created_at",
        "updated_at": "updated_at",
        "resolved_at": "solved_at",
        "agent_replies": "replies",
        "reopens": "reopens",
    },
    durations=(
        Duration("first_response", "reply_time_in_minutes.calendar", MINUTES),
        Duration("first_response", "reply_time_in_minutes.business", MINUTES, True),
        Duration("resolution", "full_resolution_time_in_minutes.calendar", MINUTES),
        Duration("resolution", "full_resolution_time_in_minutes.business", MINUTES, True),
    ),
    zone="utc",
    ignore=("id",),
    supplement=True,
)

FRESHDESK_CSV = Preset(
    "freshdesk_csv",
    "Freshdesk ticket CSV export",
    Frame.TICKETS,
    signature=(
        "Ticket ID",
        "Status",
        "Priority",
        "Source",
        "Created time",
        "Initial response time",
        "Resolved time",
    ),
    columns={
        "ticket_id": "Ticket ID",
        "status": "Status",
        "priority": "Priority",
        "channel": "Source",
        "topic": "Type",
        "agent": "Agent",
        "team": "Group",
        "created_at": "Created time",
        "updated_at": "Last update time",
        "resolved_at": "Resolved time",
        "closed_at": "Closed time",
        "first_response_at": "Initial response time",
        "agent_replies": "Agent interactions",
        "customer_replies": "Customer interactions",
        "customer_id": "Contact ID",
    },
    durations=(
        Duration("first_response", "First response time (in hrs)", HOURS, True),
        Duration("resolution", "Resolution time (in hrs)", HOURS, True),
        Duration("handle", "Time tracked", HOURS),
    ),
    vocab={
        "status": {**_STATUS_I18N, **_keyed("Waiting on Customer|Waiting on Third Party=pending")},
        "channel": _keyed(
            "Portal|Feedback Widget=web; Outbound Email=email;"
            " Twitter|Facebook=social; Mobihelp=mobile; WhatsApp=chat"
        ),
        "score": _FRESHDESK_SCORES,
    },
    ignore=("Due by Time", "Resolution status", "First response status"),
    ratings=Ratings("Survey results"),
    caveats=(
        "the zone of Freshdesk CSV timestamps is not documented: pass --source-tz",
        "'(in hrs)' columns are business hours (HH:MM:SS), used only in business-hours "
        "reports where timestamps are missing",
    ),
)

INTERCOM_CSV = Preset(
    "intercom_csv",
    "Intercom conversations CSV export",
    Frame.TICKETS,
    signature=(
        "Conversation ID",
        f"Conversation started at ({TZ})",
        f"Conversation first replied at ({TZ})",
        f"Conversation last closed at ({TZ})",
        "Current conversation state",
        "First response time (seconds)",
    ),
    columns={
        "ticket_id": "Conversation ID",
        "created_at": f"Conversation started at ({TZ})",
        "updated_at": f"Conversation updated at ({TZ})",
        "first_response_at": f"Conversation first replied at ({TZ})",
        "resolved_at": f"Conversation last closed at ({TZ})",
        "status": "Current conversation state",
        "priority": "Conversation priority",
        "agent": "Teammate currently assigned",
        "team": "Team currently assigned",
        "channel": "Channel",
        "region": "Country",
        "customer_id": "User ID",
        "first_contact_resolved": "Resolved on first contact",
    },
    durations=(
        Duration("first_response", "First response time (seconds)"),
        Duration(
            "first_response",
            "First response time, only within office hours (seconds)",
            business=True,
        ),
        Duration("resolution", "Time to close (seconds)"),
        Duration("resolution", "Time to close, within office hours (seconds)", business=True),
        Duration("handle", "Handling time (seconds)"),
    ),
    vocab={
        "priority": _keyed("Priority|Prioritized=high; Not priority=normal"),
        "channel": _keyed("Messenger|Conversation=chat"),
    },
    zone="header",
    ignore=(
        f"Conversation created at ({TZ})",
        "Time to first close (seconds)",
        "Time to first close, within office hours (seconds)",
    ),
    ratings=Ratings("Last teammate rating", agent="Last teammate rated"),
)

ZAMMAD_XLSX = Preset(
    "zammad_xlsx",
    "Zammad ticket Excel export",
    Frame.TICKETS,
    signature=(
        "#",
        "Title",
        "State",
        "Priority",
        "Owner",
        "Created At",
        "First Response At",
        "First Response In Min",
        "Close In Min",
    ),
    columns={
        "ticket_id": "#",
        "status": "State",
        "priority": "Priority",
        "team": "Group",
        "agent": "Owner",
        "customer_id": "Customer",
        "channel": "Create Channel",
        "created_at": "Created At",
        "updated_at": "Updated At",
        "closed_at": "Closed At",
        "first_response_at": "First Response At",
    },
    durations=(
        Duration("first_response", "First Response In Min", MINUTES, True),
        Duration("resolution", "Close In Min", MINUTES, True),
    ),
    vocab={
        "status": _keyed("pending reminder|pending close=pending; merged=merged; removed=deleted"),
        "priority": _keyed("1 low=low; 2 normal=normal; 3 high=high"),
        "agent": {"-": ""},
    },
    ignore=(
        "Close Diff In Min",
        "First Response Diff In Min",
        "Update In Min",
        "Update Diff In Min",
        "Time Units Total",
        "Close Escalation At",
    ),
    caveats=("'In Min' values are working minutes of the SLA calendar (empty without an SLA)",),
)
