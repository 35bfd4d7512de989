"""Business-hours clock: open seconds between two arrays of UTC instants, with no row loop.

Model. A calendar is an IANA zone, a weekly table of opening ranges per local weekday and a
set of closed dates. Each open local date `d` contributes the ranges of its weekday, a range
`[a, b)` (minutes of the day) becoming the UTC interval `[f(d, a), f(d, b))`, where `f(d, m)`
is the first instant at which the zone's wall clock reaches date `d`, minute `m`: a wall time
that occurs twice (clocks going back) takes its first occurrence, one that is skipped (clocks
going forward) the instant of the jump. `f` never decreases, so the intervals stay sorted and
disjoint; a 09:00-18:00 day is 9 h on both sides of a change, a 00:00-24:00 day is 23 h or
25 h, and a 24/7 calendar gives exactly calendar time. A holiday closes its whole local date,
00:00-24:00, including the after-midnight part of an overnight shift begun the evening before.

Algorithm. Business time is a difference of one monotone clock, `cum(t)` = open microseconds
before `t`. The open intervals of every local date in the span of the data (padded two days
each side) are built once with day x range broadcasting and one vectorised localisation;
then for each instant, with `i` the last interval starting at or before `t`,
`cum(t) = cum[i] + clamp(t - starts[i], 0, length[i])`. `i` is what
`searchsorted(starts, t, "right") - 1` gives, read from a table of fixed-width buckets instead
(see `_OpenClock`), so a row costs a handful of array passes whatever its duration.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from cskpi.errors import UsageError, did_you_mean

if TYPE_CHECKING:
    import numpy as np

__all__ = ["DAYS", "KEYS", "BusinessCalendar", "always_open", "business_seconds", "parse_calendar"]

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
KEYS = ("timezone", *DAYS, "holidays")

_MINUTES_PER_DAY = 1440
_US_PER_MINUTE = 60_000_000
_US_PER_DAY = 86_400_000_000
_EPOCH = datetime.date(1970, 1, 1)
_FIRST_DAY = (datetime.date(1, 1, 2) - _EPOCH).days
_LAST_DAY = (datetime.date(9999, 12, 30) - _EPOCH).days
_NAT = -(2**63)
"""How a missing instant is written in an int64 microsecond array (numpy's NaT)."""

_RANGE = re.compile(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*")
_DATE = re.compile(r"\s*(\d{4}-\d{2}-\d{2})\s*")

Ranges = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class BusinessCalendar:
    """Opening hours in one zone; build it with `parse_calendar` or `always_open`."""

    tz: str
    """IANA zone in which the opening hours and holidays are read."""
    weekly: tuple[Ranges, ...]
    """Seven entries, Monday first: sorted, disjoint `(start_minute, end_minute)` ranges of the
    local day, `end` at most 1440; overnight ranges are already split at midnight."""
    holidays: frozenset[datetime.date]
    """Local dates closed all day."""


def always_open(tz: str = "UTC") -> BusinessCalendar:
    """Open 24 hours, 7 days: business time equals calendar time."""
    return BusinessCalendar(tz=tz, weekly=(((0, _MINUTES_PER_DAY),),) * 7, holidays=frozenset())


def parse_calendar(table: Mapping[str, Any], *, where: str = "business_hours") -> BusinessCalendar:
    """A calendar from a config table such as `[business_hours]` or `[calendars.<name>]`.

    Keys: `timezone` (required, IANA), `mon`..`sun` (a `"HH:MM-HH:MM"` string or a list of
    them; a missing day is closed; `24:00` may end a range; a range ending before it starts runs
    past midnight into the next day, Sunday into Monday; overlapping ranges are merged) and
    `holidays` (ISO dates, TOML dates or inclusive `"a..b"` ranges). Any error is a
    `UsageError` naming `where` and the key; a calendar with no open minute is an error too.
    """
    for key in table:
        if key not in KEYS:
            hint = did_you_mean(str(key), KEYS) or f"; valid keys: {', '.join(KEYS)}"
            raise UsageError(f"{where}: unknown key {key!r}{hint}")
    tz = _parse_timezone(table.get("timezone"), where)
    pieces: list[list[tuple[int, int]]] = [[] for _ in DAYS]
    for day, name in enumerate(DAYS):
        if name not in table:
            continue
        for start, end in _parse_day(table[name], f"{where}.{name}"):
            if end > start:
                pieces[day].append((start, end))
            else:  # runs past midnight into the next day
                pieces[day].append((start, _MINUTES_PER_DAY))
                if end > 0:
                    pieces[(day + 1) % 7].append((0, end))
    weekly = tuple(_merge(p) for p in pieces)
    if not any(weekly):
        raise UsageError(
            f'{where}: no opening hours; give at least one day, e.g. mon = "09:00-18:00"'
        )
    holidays = _parse_holidays(table.get("holidays", []), f"{where}.holidays")
    return BusinessCalendar(tz=tz, weekly=weekly, holidays=holidays)


def business_seconds(start_us: np.ndarray, end_us: np.ndarray, cal: BusinessCalendar) -> np.ndarray:
    """Open seconds of `cal` in `[start, end)`, element-wise, as float64.

    `start_us` and `end_us` hold UTC instants as int64 microseconds since the epoch, missing
    ones as `np.iinfo(np.int64).min` (numpy's NaT); naive `datetime64` arrays, read as UTC, are
    accepted too. A row with either end missing gives NaN. Where `end < start` the result is
    the negative of `business_seconds(end, start)`, so callers can still see and count
    reversed timestamps. Additive: `bs(s, m) + bs(m, e) == bs(s, e)` exactly in microseconds.
    Cost: the intervals of every day between the earliest and the latest instant, then a few
    array passes per row. After 2100 (or the last holiday) opening times repeat with the
    400-year Gregorian cycle, as zone rules do, so a far-future placeholder such as 9999-12-31
    costs a few centuries of days. Instants before year 1 see no opening hours.
    """
    import numpy as np

    start = _as_us(start_us)
    end = _as_us(end_us)
    if start.shape != end.shape:
        raise ValueError(f"business_seconds: shapes differ: {start.shape} and {end.shape}")
    start, end = start.ravel(), end.ravel()
    present = (start != _NAT) & (end != _NAT)
    out = np.full(start.shape, np.nan)
    if not present.any():
        return out.reshape(np.shape(start_us))
    big = np.iinfo(np.int64).max
    lo = int(min(start.min(where=present, initial=big), end.min(where=present, initial=big)))
    hi = int(max(start.max(where=present, initial=_NAT), end.max(where=present, initial=_NAT)))
    clock = _OpenClock.build(cal, lo, hi)
    # Chunks keep the temporaries in cache; the loop runs over blocks of rows, not rows.
    for a in range(0, len(start), _CHUNK):
        b = a + _CHUNK
        # Clipped to [lo, hi] (the span of the rows with both ends) so every lookup is in
        # range: NaT is the smallest int64, and a row with one end missing may have its other
        # end past `hi`; such rows are NaN below anyway.
        diff = clock.open_before(np.clip(end[a:b], lo, hi)) - clock.open_before(
            np.clip(start[a:b], lo, hi)
        )
        np.divide(diff, 1e6, out=out[a:b])
    out[~present] = np.nan
    return out.reshape(np.shape(start_us))


# --- the clock ---------------------------------------------------------------------------

_CHUNK = 1 << 16
_MAX_BUCKETS = 1 << 22
_CYCLE_US = 146_097 * _US_PER_DAY
"""The Gregorian calendar repeats every 400 years (146097 days, a whole number of weeks)."""
_FOLD_YEAR = 2100
"""From here every zone follows its closing rule (Morocco lists transitions to 2087), so zone
offsets and opening times repeat with the 400-year cycle."""


@dataclass(frozen=True)
class _OpenClock:
    """`open_before(t)`: open microseconds of a calendar from `lo` to `t`, `t` in `[lo, hi]`.

    With open intervals `[start_j, start_j + length_j)` and `cum_j` the open time before
    `start_j`, the clock is `cum_i + clamp(t - start_i, 0, length_i)` for the last `i` with
    `start_i <= t`, written `min(t + offset_i, closing_i)` with `offset = cum - start` and
    `closing = cum + length`. Index 0 is a zero-length sentinel at `lo`, so every `t` finds one.
    Rather than a binary search per row, `i` is read from `first`, the last interval starting
    at or before the beginning of `t`'s bucket of `2**shift` microseconds after `lo`, then
    moved on `rounds` times (the most intervals starting inside one bucket; the bucket width
    is at most the shortest gap between starts, so usually one).

    Instants more than one cycle after `fold_at` (placeholders such as 9999-12-31) are moved
    back `k` whole cycles, adding `k * cycle_open`, so the intervals never run past
    `fold_at + _CYCLE_US`: a few centuries of days, not eight millennia.
    """

    lo: int
    shift: int
    rounds: int
    first: np.ndarray
    starts: np.ndarray
    """Interval starts, then int64 max so that `starts[i + 1]` always exists."""
    offset: np.ndarray
    closing: np.ndarray
    fold_at: int | None = None
    """Start of the first 400-year cycle free of holidays; None when no instant is folded."""
    cycle_open: int = 0
    """Open microseconds in one cycle."""

    @classmethod
    def build(cls, cal: BusinessCalendar, lo: int, hi: int) -> _OpenClock:
        import numpy as np

        fold_at = _fold_start(cal)
        if fold_at is not None and hi >= fold_at + _CYCLE_US:
            lo, hi = min(lo, fold_at), fold_at + _CYCLE_US
        else:
            fold_at = None
        starts, ends = _open_intervals(cal, lo, hi)
        length = ends - starts
        cum = np.cumsum(length) - length
        span = hi - lo
        gap = int(np.diff(starts).min()) if len(starts) > 1 else span
        shift = max(min(gap.bit_length() - 1, 40), 16, (span // _MAX_BUCKETS).bit_length())
        edges: np.ndarray = lo + (np.arange((span >> shift) + 2, dtype=np.int64) << shift)
        padded = np.concatenate([[lo], starts, [np.iinfo(np.int64).max]])
        first: np.ndarray = padded[:-1].searchsorted(edges, side="right") - 1
        clock = cls(
            lo=lo,
            shift=shift,
            rounds=int(np.diff(first).max()),
            first=first,
            starts=padded,
            offset=np.concatenate([[-lo], cum - starts]),
            closing=np.concatenate([[0], cum + length]),
        )
        if fold_at is None:
            return clock
        ends_of_cycle = clock.open_before(np.array([fold_at, fold_at + _CYCLE_US]))
        cycle_open = int(ends_of_cycle[1] - ends_of_cycle[0])
        return replace(clock, fold_at=fold_at, cycle_open=cycle_open)

    def open_before(self, t: np.ndarray) -> np.ndarray:
        import numpy as np

        if self.fold_at is not None:
            cycles = np.maximum(t - self.fold_at, 0) // _CYCLE_US
            return self._unfolded(t - cycles * _CYCLE_US) + cycles * self.cycle_open
        return self._unfolded(t)

    def _unfolded(self, t: np.ndarray) -> np.ndarray:
        import numpy as np

        i = self.first[(t - self.lo) >> self.shift]
        for _ in range(self.rounds):
            i += self.starts[i + 1] <= t
        return np.minimum(t + self.offset[i], self.closing[i])


def _fold_start(cal: BusinessCalendar) -> int | None:
    """UTC µs of 1 Jan of the first year from which opening times repeat every 400 years."""
    year = max([_FOLD_YEAR - 1, *(d.year for d in cal.holidays)]) + 1
    if year > 9999 - 400:  # the cycle must fit in the years the zone rules cover
        return None
    return (datetime.date(year, 1, 1) - _EPOCH).days * _US_PER_DAY


def _as_us(values: Any) -> np.ndarray:
    import numpy as np

    arr = np.asarray(values)
    if arr.dtype.kind == "M":
        return arr.astype("datetime64[us]").view(np.int64)
    return arr.astype(np.int64, copy=False)


def _open_intervals(cal: BusinessCalendar, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorted, disjoint open intervals `(starts, ends)` in UTC µs covering `[lo, hi]`, non-empty
    ones only, so starts strictly increase."""
    import numpy as np

    width = max((len(r) for r in cal.weekly), default=0)
    first: np.ndarray = np.zeros((7, width), dtype=np.int64)
    last: np.ndarray = np.zeros((7, width), dtype=np.int64)
    used: np.ndarray = np.zeros((7, width), dtype=bool)
    for day, ranges in enumerate(cal.weekly):
        for k, (a, b) in enumerate(ranges):
            first[day, k], last[day, k], used[day, k] = a, b, True

    # Local and UTC dates differ by at most one day (UTC offsets lie within -12 h..+14 h).
    # Zone rules need the standard library's years 1-9999 (later instants are folded back).
    first_day = max(lo // _US_PER_DAY - 2, _FIRST_DAY)
    last_day = min(hi // _US_PER_DAY + 2, _LAST_DAY)
    days: np.ndarray = np.arange(first_day, last_day + 1, dtype=np.int64)
    weekday: np.ndarray = (days + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    closed = np.isin(days, np.array([(d - _EPOCH).days for d in cal.holidays], dtype=np.int64))
    keep = used[weekday] & ~closed[:, None]
    midnight: np.ndarray = (days * _US_PER_DAY)[:, None]
    wall_start = (midnight + first[weekday] * _US_PER_MINUTE)[keep]
    wall_end = (midnight + last[weekday] * _US_PER_MINUTE)[keep]
    utc = _first_instant(np.concatenate([wall_start, wall_end]), cal.tz)
    starts, ends = utc[: len(wall_start)], utc[len(wall_start) :]
    nonempty = ends > starts  # a range inside a skipped hour has no instant
    starts, ends = starts[nonempty], ends[nonempty]
    # pandas' shift_forward is off for gaps longer than an hour (Pacific/Apia skipped
    # 2011-12-30 entirely): keep the intervals disjoint by ending each at the next start
    order = np.argsort(starts, kind="stable")
    starts, ends = starts[order], ends[order]
    ends = np.minimum(ends, np.append(starts[1:], np.iinfo(np.int64).max))
    keep = ends > starts
    return starts[keep], ends[keep]


def _first_instant(wall_us: np.ndarray, tz: str) -> np.ndarray:
    """UTC microseconds at which the wall clock of `tz` first reaches each naive local time."""
    import numpy as np
    import pandas as pd

    naive = pd.DatetimeIndex(wall_us.astype("datetime64[us]"))
    n = len(naive)
    # pandas picks one occurrence of a repeated wall time per flag; the earlier of the two
    # candidates is the first occurrence whatever the zone calls daylight time.
    early, late = (
        naive.tz_localize(tz, ambiguous=np.full(n, flag), nonexistent="shift_forward")
        .as_unit("us")
        .asi8
        for flag in (True, False)
    )
    return np.minimum(early, late)


# --- parsing ------------------------------------------------------------------------------


def _parse_timezone(value: object, where: str) -> str:
    import zoneinfo

    if value is None:
        raise UsageError(f"{where}: missing key 'timezone', e.g. timezone = \"Asia/Seoul\"")
    if isinstance(value, str) and value.strip():
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
        else:
            return value
        hint = did_you_mean(value, zoneinfo.available_timezones())
    else:
        hint = ""
    raise UsageError(f"{where}.timezone: unknown time zone {value!r}{hint}")


def _parse_day(value: object, where: str) -> list[tuple[int, int]]:
    """`(start, end)` minutes as written; `end <= start` means the range runs past midnight."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        raise UsageError(f'{where}: expected "HH:MM-HH:MM" or a list of them, got {value!r}')
    return [_parse_range(item, where) for item in items]


def _parse_range(item: object, where: str) -> tuple[int, int]:
    match = _RANGE.fullmatch(item) if isinstance(item, str) else None
    if match is None:
        raise UsageError(
            f'{where}: bad time range {item!r}; expected HH:MM-HH:MM, e.g. "09:00-18:00"'
        )
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or m1 > 59 or h2 > 24 or m2 > 59 or (h2 == 24 and m2 > 0):
        raise UsageError(f"{where}: bad time in {item!r}; times run from 00:00 to 24:00")
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if start == end:
        raise UsageError(f'{where}: empty range {item!r}; write "00:00-24:00" for a whole day')
    return start, end


def _merge(ranges: list[tuple[int, int]]) -> Ranges:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)


def _parse_holidays(value: object, where: str) -> frozenset[datetime.date]:
    items = [value] if isinstance(value, str | datetime.date) else value
    if not isinstance(items, list | tuple):
        raise UsageError(f"{where}: expected a list of dates, got {value!r}")
    found: set[datetime.date] = set()
    for item in items:
        first, last = _parse_holiday(item, where)
        found.update(first + datetime.timedelta(days=k) for k in range((last - first).days + 1))
    return frozenset(found)


def _parse_holiday(item: object, where: str) -> tuple[datetime.date, datetime.date]:
    if isinstance(item, datetime.date) and not isinstance(item, datetime.datetime):
        return item, item
    text = item if isinstance(item, str) else ""
    ends = [_DATE.fullmatch(part) for part in text.split("..")]
    try:
        if not 1 <= len(ends) <= 2 or None in ends:
            raise ValueError
        dates = [datetime.date.fromisoformat(m.group(1)) for m in ends if m is not None]
    except ValueError:
        raise UsageError(
            f"{where}: bad date {item!r}; expected YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD"
        ) from None
    if dates[-1] < dates[0]:
        raise UsageError(f"{where}: range {item!r} ends before it starts")
    return dates[0], dates[-1]
