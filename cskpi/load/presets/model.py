"""Helpdesk export presets as data (DATA.md "Column mapping"; DECISIONS 24, 25): the types.

A preset is data: the header signature that recognises an export (every signature column must
be present), the column map, each duration's unit and calendar/business clock, vocabularies,
where naive timestamps get their zone (the `--source-tz` flag, the header, or UTC), summary
lines to skip, and the ratings a ticket export carries. Facts: docs/helpdesk-exports.md,
section 2. `{tz}` in a header stands for the zone written in it
(Intercom: `Conversation started at (America/New_York)`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from cskpi.load.schema import Frame

TZ = "{tz}"
MINUTES, HOURS = 60.0, 3600.0
BUSINESS_COLUMNS = ("first_response_business_seconds", "resolution_business_seconds")
"""Vendor business-hours durations (DECISIONS 24): kept beside the calendar ones, never used to
derive timestamps; the engine uses them only in business-hours reports where timestamps lack."""


@dataclass(frozen=True)
class Duration:
    """A vendor duration column: `metric` is first_response, resolution or handle."""

    metric: str
    header: str
    unit: float = 1.0
    """Seconds per number; `HH:MM:SS` and `2 hours 5 minutes` text is read as such."""
    business: bool = False

    @property
    def column(self) -> str:
        return f"{self.metric}_business_seconds" if self.business else f"{self.metric}_seconds"


@dataclass(frozen=True)
class Ratings:
    """Survey rows a ticket export carries; used only when no survey file is given."""

    score: str
    kind: str = "csat"
    agent: str | None = None
    """Header naming the rated agent (else the ticket's agent)."""
    submitted_at: str | None = None
    """Header of the rating time; without one, `resolved_at` (flagged in validate)."""
    unanswered: tuple[str, ...] = ()
    """Values meaning a survey offered (or not) without an answer: not a response."""


@dataclass(frozen=True)
class Preset:
    name: str
    title: str
    frame: Frame
    signature: tuple[str, ...]
    columns: Mapping[str, str]
    """canonical column → header."""
    durations: tuple[Duration, ...] = ()
    vocab: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """canonical column → {value: canonical value}; "" means no value."""
    zone: str = "flag"
    """Naive timestamps: `flag` (--source-tz), `header` (written in the header) or `utc`."""
    ignore: tuple[str, ...] = ()
    """Headers never alias-mapped (traps: rounded hours, first vs full resolution)."""
    extract: Mapping[str, str] = field(default_factory=dict)
    """canonical column → regex whose group 1 is the value (`Name (email)` → Name)."""
    summary: tuple[str, str] | None = None
    """(header, regex): rows whose header cell matches and are otherwise empty are skipped."""
    ratings: Ratings | None = None
    survey_kind: str | None = None
    supplement: bool = False
    """Given with a ticket export, fills its columns by ticket id (Zendesk ticket_metrics)."""
    caveats: tuple[str, ...] = ()
