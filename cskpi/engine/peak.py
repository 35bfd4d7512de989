"""Peak load: the weekday × hour grid of created tickets in the report zone (DECISIONS 31).

Each slot's value is the mean number of tickets per occurrence of that weekday-hour inside
the window (a window may hold five Mondays and four Tuesdays; a DST change adds or removes
an hour), so slots compare fairly. Raw counts and occurrences are kept for scripts.

With `--by` (issue 17, the per-team staffing question) there is one grid per group: the
slots repeat per group, each row led by the group's labels (the group columns come first in
CSV/JSON), in the report's group order (special groups last, DECISIONS 42). Only groups with a
ticket in the window appear; occurrences are the window's, the same for every group.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cskpi.config import Config
from cskpi.engine.keys import group_codes, joint_codes, no_such_column, resolve_by
from cskpi.errors import InputError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from cskpi.engine.types import Inputs, ReportRequest

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
SLOTS = 7 * 24


@dataclass(frozen=True)
class Peak:
    as_of: pd.Timestamp
    since: pd.Timestamp
    until: pd.Timestamp
    timezone: str
    slots: pd.DataFrame
    """168 rows per group (weekday 0 = Monday, hour): the group columns (with `--by`), then
    weekday, hour, tickets, occurrences, mean."""
    notes: tuple[str, ...] = ()
    """What loading said (tickets excluded for their status, the preset used), as `report`
    says it on stderr."""
    group_by: tuple[str, ...] = ()
    """The group columns of `slots` (`--by`), as shown."""

    @property
    def groups(self) -> int:
        """How many grids: 1 without `--by`, else the groups with tickets in the window."""
        return len(self.slots) // SLOTS

    def ranked(self) -> pd.DataFrame:
        """Slots by mean, busiest first (ties: earlier weekday, then hour), group by group."""
        import numpy as np

        mean = self.slots["mean"].to_numpy(dtype="float64")
        order = np.lexsort(
            (
                self.slots["hour"].to_numpy(),
                self.slots["weekday"].to_numpy(),
                np.where(np.isnan(mean), np.inf, -mean),  # busiest first, empty slots last
                np.arange(len(mean)) // SLOTS,  # the group's block
            )
        )
        return self.slots.iloc[order]


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
    frame = inputs.tickets.frame
    created = frame["created_at"]
    created = created[created <= as_of]  # for the default window's start
    window = resolve_window(
        request.window, as_of=as_of, earliest=created.min() if len(created) else None, tz=tz
    )
    every = frame["created_at"]
    mask = ((every <= as_of) & (every >= window.since) & (every < window.until)).to_numpy()
    inside = every[mask]
    slot = np.asarray(_slot_of(pd.DatetimeIndex(inside), tz), dtype="int64")
    codes, shown, labels = _groups(request.group_by, inputs, frame[mask])
    groups = len(labels[0]) if labels else 1
    tickets = np.bincount(codes * SLOTS + slot, minlength=groups * SLOTS)
    start = window.since.tz_convert("UTC").floor("h")
    hours = pd.date_range(start, window.until.tz_convert("UTC"), freq="h", inclusive="left")
    occurrences = np.tile(np.bincount(np.asarray(_slot_of(hours, tz)), minlength=SLOTS), groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(occurrences > 0, tickets / np.maximum(occurrences, 1), np.nan)
    slots = pd.DataFrame(
        {
            **{name: np.repeat(values, SLOTS) for name, values in zip(shown, labels, strict=True)},
            "weekday": np.tile(np.repeat(np.arange(7), 24), groups),
            "hour": np.tile(np.arange(24), 7 * groups),
            "tickets": tickets.astype("int64"),
            "occurrences": occurrences.astype("int64"),
            "mean": mean,
        }
    )
    return Peak(
        as_of.tz_convert(tz),
        window.since,
        window.until,
        tz,
        slots,
        inputs.tickets.notes,
        shown,
    )


def _groups(
    names: tuple[str, ...], inputs: Inputs, tickets: pd.DataFrame
) -> tuple[np.ndarray, tuple[str, ...], list[np.ndarray]]:
    """Each in-window ticket's group code, the group columns as shown, and each column's label
    per code — `report`'s grouping (`engine.keys`): the export's own headers, comma lists,
    `(unassigned)` for no agent, special groups last."""
    import numpy as np

    if not names:
        return np.zeros(len(tickets), dtype="int64"), (), []
    by = resolve_by(names, inputs, [])
    for col in by:
        if col.tickets is None:  # a survey or business column: peak reads tickets only
            raise no_such_column("--by", col.name, inputs)
    columns = group_codes(by, tickets, None, None, None)
    codes, labels = joint_codes(columns, [len(tickets), 0])
    return codes[0].astype("int64"), tuple(col.name for col in by), labels


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
