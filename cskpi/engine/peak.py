"""Peak load: the weekday × hour grid of created tickets in the report zone (DECISIONS 31).

Each slot's value is the mean number of tickets per occurrence of that weekday-hour inside
the window (a window may hold five Mondays and four Tuesdays; a DST change adds or removes
an hour), so slots compare fairly. Raw counts and occurrences are kept for scripts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cskpi.config import Config
from cskpi.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

    from cskpi.engine.types import Inputs, ReportRequest

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class Peak:
    as_of: pd.Timestamp
    since: pd.Timestamp
    until: pd.Timestamp
    timezone: str
    slots: pd.DataFrame
    """168 rows (weekday 0 = Monday, hour), columns weekday, hour, tickets, occurrences, mean."""
    notes: tuple[str, ...] = ()
    """What loading said (tickets excluded for their status, the preset used), as `report`
    says it on stderr."""

    def ranked(self) -> pd.DataFrame:
        """Slots by mean, busiest first (ties: earlier weekday, then hour)."""
        return self.slots.sort_values(
            ["mean", "weekday", "hour"],
            ascending=[False, True, True],
            kind="stable",
            na_position="last",
        )


def _slot_of(utc: pd.DatetimeIndex, tz: str) -> Any:
    local = utc.tz_convert(tz)
    return local.day_of_week * 24 + local.hour


def peak(inputs: Inputs, request: ReportRequest, config: Config | None = None) -> Peak:
    """Count created tickets per local weekday × hour, and each slot's occurrences."""
    import numpy as np
    import pandas as pd

    from cskpi.engine.compute import report_zone
    from cskpi.engine.prepare import latest_time
    from cskpi.time.window import parse_as_of, resolve_window

    if inputs.tickets is None:
        raise InputError("peak needs a tickets file")
    tz = report_zone(request, config or Config(), inputs)
    latest = latest_time(inputs)
    as_of = parse_as_of(
        request.as_of, tz, latest if latest is not None else pd.Timestamp.now(tz="UTC")
    )
    created = inputs.tickets.frame["created_at"]
    created = created[created <= as_of]
    window = resolve_window(
        request.window, as_of=as_of, earliest=created.min() if len(created) else None, tz=tz
    )
    inside = created[(created >= window.since) & (created < window.until)]
    tickets = (
        np.bincount(np.asarray(_slot_of(pd.DatetimeIndex(inside), tz)), minlength=168)
        if len(inside)
        else np.zeros(168, dtype="int64")
    )
    start = window.since.tz_convert("UTC").floor("h")
    hours = pd.date_range(start, window.until.tz_convert("UTC"), freq="h", inclusive="left")
    occurrences = np.bincount(np.asarray(_slot_of(hours, tz)), minlength=168)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(occurrences > 0, tickets / np.maximum(occurrences, 1), np.nan)
    slots = pd.DataFrame(
        {
            "weekday": np.repeat(np.arange(7), 24),
            "hour": np.tile(np.arange(24), 7),
            "tickets": tickets.astype("int64"),
            "occurrences": occurrences.astype("int64"),
            "mean": mean,
        }
    )
    return Peak(as_of.tz_convert(tz), window.since, window.until, tz, slots, inputs.tickets.notes)


def peak_records(result: Peak) -> list[dict[str, Any]]:
    """Ranked slots as plain records (weekday as `Mon`…`Sun`, NaN → None)."""
    import numpy as np

    ranked = result.ranked()
    ranked = ranked.assign(
        weekday=np.asarray(WEEKDAYS, dtype=object)[ranked["weekday"]],
        mean=ranked["mean"].astype(object).where(ranked["mean"].notna(), None),
    )
    records: list[dict[str, Any]] = ranked.to_dict("records")
    return records
