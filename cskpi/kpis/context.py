"""What a KPI function may read besides its grouped view: the `Context` of one pass.

A KPI receives the grouped view of its anchor (`cskpi.kpis.view`) and this context: the
config, `as_of`, the clock (calendar or business hours, per ticket when named calendars are
configured), all kept tickets (repeat contact looks outside the window), the surveys, the
window and buckets of the pass, and the business frames with their group codes. `span` is the
one way to measure a duration, so that every KPI follows the same clock and the same rule for
unusable spans (docs/DECISIONS.md 9).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cskpi.arrays import NAT
from cskpi.errors import UsageError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from cskpi.config import Config
    from cskpi.kpis.view import GroupView, Table
    from cskpi.time.calendar import BusinessCalendar
    from cskpi.time.window import Buckets, Window


@dataclass
class Coded:
    """A business frame inside the engine: censored rows and their joint by-group code."""

    frame: pd.DataFrame
    by: np.ndarray
    complete: bool
    """Every by-column is a column of this frame (its own, or joined): costs per group are
    known only then (DECISIONS 20)."""


@dataclass
class Context:
    """What KPI functions may read besides their grouped view."""

    config: Config
    as_of_us: int
    business: bool
    calendar: BusinessCalendar | None
    tickets: pd.DataFrame
    """All kept tickets, censored at as_of (repeat contact looks outside the window)."""
    surveys: pd.DataFrame | None
    """The surveys read (for `csat_tickets`)."""
    window: Window
    buckets: Buckets

    calendars: dict[str, BusinessCalendar] = field(default_factory=dict)
    """Named calendars (`[calendars.<name>]`), chosen per ticket by `config.calendar_by`."""
    frames: dict[str, Coded] = field(default_factory=dict)
    """The business frames given (customers, orders, schedules, costs), censored at as_of,
    with their by-group codes (`cskpi.engine.business_frames`)."""

    _memo: dict[str, Any] = field(default_factory=dict, repr=False)
    """Lazily computed values, shared by the copies made per pass (`replace`)."""

    @property
    def csat_tickets(self) -> np.ndarray:
        """Ticket ids that have at least one CSAT response (computed when first asked)."""
        if "csat_tickets" not in self._memo:
            import numpy as np

            ids: np.ndarray = np.zeros(0, dtype=object)
            surveys = self.surveys
            if surveys is not None and "ticket_id" in surveys:
                is_csat = (surveys["kind"] == "csat") & surveys["score"].notna()
                ids = surveys.loc[is_csat, "ticket_id"].dropna().unique()
            self._memo["csat_tickets"] = ids
        found: np.ndarray = self._memo["csat_tickets"]
        return found

    def span(
        self,
        start_us: np.ndarray,
        end_us: np.ndarray,
        business: np.ndarray | bool | None = None,
        rows: Table | None = None,
    ) -> np.ndarray:
        """Seconds from start to end on the report's clock (or per-row `business` flags);
        NaN where either end is missing or the span is negative (DECISIONS 9).

        Business time uses each ticket's calendar: the named calendar matching its
        `calendar_by` column (case-insensitive), else `[business_hours]`.
        """
        import numpy as np

        use_business = self.business if business is None else business
        if exact_floats(start_us) and exact_floats(end_us):
            # one array, not two: times within 2**53 µs are exact as floats, so this is the
            # integer difference divided (durations of 10 million tickets are 80 MB each)
            calendar = np.subtract(end_us, start_us, dtype=np.float64)
            calendar /= 1e6
        else:
            calendar = np.asarray((end_us - start_us) / 1e6, dtype="float64")
        unusable = start_us == NAT
        unusable |= end_us == NAT
        unusable |= calendar < 0
        out = calendar
        if np.any(use_business):
            out = np.where(use_business, self._business(start_us, end_us, rows), calendar)
        out[unusable] = np.nan  # in place: durations of 10 million tickets are 80 MB each
        return out

    def span_of(
        self, g: GroupView, start: str, end: str, business: np.ndarray | bool | None = None
    ) -> np.ndarray:
        """`span` from one time column of a view's rows to another. On the calendar clock
        each duration depends on its own row only, so it is measured a block of rows at a
        time (`Rows.spans`): neither column is gathered at full length, nor are the masks of
        `span` made at it."""
        import numpy as np

        from cskpi.kpis.view import Rows

        rows = g.frame
        clock = self.business if business is None else business
        if isinstance(rows, Rows) and not np.any(clock) and not rows.taken(start, end):
            return rows.spans(start, end, lambda first, last: self.span(first, last, False))
        return self.span(g.times(start), g.times(end), business, rows)

    def _business(self, start_us: np.ndarray, end_us: np.ndarray, rows: Table | None) -> np.ndarray:
        import numpy as np

        from cskpi.time.calendar import business_seconds

        by = self.config.calendar_by
        if not self.calendars or by is None or rows is None or by not in rows:
            if self.calendar is None:
                raise UsageError(
                    "business-hours clock needs a [business_hours] table in the "
                    "config (see README, Business hours)"
                )
            return business_seconds(start_us, end_us, self.calendar)
        names = list(self.calendars)
        keys = rows[by].astype("str").str.strip().str.lower().to_numpy(dtype=object)
        choice = np.full(len(keys), -1)
        for i, name in enumerate(names):  # one mask per named calendar, not per row
            choice[keys == name.lower()] = i
        if (choice < 0).any() and self.calendar is None:
            unmatched = sorted(set(keys[choice < 0].tolist()))[:3]
            raise UsageError(
                f"no calendar for {by} {', '.join(map(str, unmatched))} and no "
                "[business_hours] fallback in the config"
            )
        out = np.full(len(keys), np.nan)
        for i, cal in enumerate([*(self.calendars[n] for n in names), self.calendar]):
            mask = choice == (i if i < len(names) else -1)
            if cal is not None and mask.any():
                out[mask] = business_seconds(start_us[mask], end_us[mask], cal)
        return out


def exact_floats(us: np.ndarray) -> bool:
    """Whether every time of `us` (NaT aside) is exact as a float64: within 2**53 µs of the
    epoch, the years 1685 to 2255."""
    import numpy as np

    if not len(us):
        return True
    return int(us.max()) < 2**53 and int(np.min(us, where=us != NAT, initial=0)) > -(2**53)
