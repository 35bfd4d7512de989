"""Helpdesk export presets (DATA.md "Column mapping"; DECISIONS 24, 25): data, and detection.

A preset is data: the header signature that recognises an export (every signature column must
be present), the column map, each duration's unit and calendar/business clock, vocabularies,
where naive timestamps get their zone (the `--source-tz` flag, the header, or UTC), summary
lines to skip, and the ratings a ticket export carries. Facts: docs/helpdesk-exports.md,
section 2. `{tz}` in a header stands for the zone written in it
(Intercom: `Conversation started at (America/New_York)`).

Mapping order (normalize): explicit `--map`, then the preset, then the alias table; headers a
preset knows to be traps (rounded hours, business minutes) are never alias-mapped.

Modules: `model` (the Preset, Duration and Ratings types), `tickets` and `surveys` (the
presets, by the frame they read), `core` (the registry, detection and value translation).
This package re-exports their names; its modules import one another directly, never it.
"""

from __future__ import annotations

from cskpi.load.presets.core import (
    BY_NAME,
    CHOICES,
    PRESETS,
    Match,
    check_choice,
    detect,
    extract,
    find,
    summary_rows,
    translate,
)
from cskpi.load.presets.model import (
    BUSINESS_COLUMNS,
    HOURS,
    MINUTES,
    TZ,
    Duration,
    Preset,
    Ratings,
)
from cskpi.load.presets.surveys import CHATWOOT_CSAT_CSV, ZENDESK_RATINGS_JSON
from cskpi.load.presets.tickets import (
    FRESHDESK_CSV,
    INTERCOM_CSV,
    ZAMMAD_XLSX,
    ZENDESK_CSV,
    ZENDESK_METRICS_JSON,
    ZENDESK_TICKETS_JSON,
)

__all__ = [
    "BUSINESS_COLUMNS",
    "BY_NAME",
    "CHATWOOT_CSAT_CSV",
    "CHOICES",
    "FRESHDESK_CSV",
    "HOURS",
    "INTERCOM_CSV",
    "MINUTES",
    "PRESETS",
    "TZ",
    "ZAMMAD_XLSX",
    "ZENDESK_CSV",
    "ZENDESK_METRICS_JSON",
    "ZENDESK_RATINGS_JSON",
    "ZENDESK_TICKETS_JSON",
    "Duration",
    "Match",
    "Preset",
    "Ratings",
    "check_choice",
    "detect",
    "extract",
    "find",
    "summary_rows",
    "translate",
]
