"""Survey export presets (Zendesk satisfaction ratings, Chatwoot CSAT): one `Preset` each, as
data; the rows are survey responses (read as the surveys frame even when given as tickets).
"""

from __future__ import annotations

from cskpi.load.presets.model import Preset, Ratings
from cskpi.load.schema import Frame

ZENDESK_RATINGS_JSON = Preset(
    "zendesk_satisfaction_json",
    "Zendesk API satisfaction_ratings (JSON)",
    Frame.SURVEYS,
    signature=(
        "id",
        "ticket_id",
        "score",
        "assignee_id",
        "requester_id",
        "created_at",
        "updated_at",
    ),
    columns={
        "response_id": "id",
        "ticket_id": "ticket_id",
        "score": "score",
        "submitted_at": "updated_at",
        "agent": "assignee_id",
        "team": "group_id",
        "customer_id": "requester_id",
        "comment": "comment",
    },
    zone="utc",
    survey_kind="csat",
    ignore=("created_at",),
    ratings=Ratings("score", unanswered=("offered", "unoffered")),
    caveats=("submitted_at = updated_at (a rating can be changed; the last change counts)",),
)

CHATWOOT_CSAT_CSV = Preset(
    "chatwoot_csat_csv",
    "Chatwoot CSAT responses CSV",
    Frame.SURVEYS,
    signature=(
        "Agent Name",
        "Rating",
        "Feedback Comment",
        "Contact Name",
        "Link to the conversation",
        "Recorded date",
    ),
    columns={
        "agent": "Agent Name",
        "score": "Rating",
        "comment": "Feedback Comment",
        "customer_id": "Contact Email Address",
        "ticket_id": "Link to the conversation",
        "submitted_at": "Recorded date",
    },
    extract={"agent": r"^\s*(.*?)\s*\([^()]*\)\s*$", "ticket_id": r"/conversations/(\d+)"},
    summary=("Agent Name", r"^Reporting period\b"),
    survey_kind="csat",
    zone="utc",
    caveats=(
        "headers are translated to the exporting user's language; this preset knows the "
        "English ones",
    ),
)
