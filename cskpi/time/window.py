"""The report window and its period buckets (KPIS.md "Anchors and windows", DECISIONS 1-6).

Everything is computed in the report zone with wall-clock arithmetic, then kept as instants:
a local midnight that does not exist (DST gap) moves forward, an ambiguous one takes the
earlier instant (DECISIONS 23). Nothing here reads the host's TZ.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

from cskpi.errors import UsageError
from cskpi.result import Compare, Period

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

_LAST = re.compile(r"(\d+)(d|w|mo|y)")
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_QUARTER = re.compile(r"(\d{4})-?[Qq]([1-4])")
_YEAR = re.compile(r"\d{4}")
_WEEK = re.compile(r"(\d{4})-?[Ww](\d{1,2})")
_RELATIVE = ("current", "previous")
_UNIT_ARGS = {"d": "days", "w": "weeks", "mo": "months", "y": "years"}


@dataclass(frozen=True)
class WindowSpec:
    """The window options exactly as given on the command line (None = not given).

    `last` is `7d`, `4w`, `3mo` or `1y`; `month` `2024-03`; `quarter` `2024Q1` or `2024-Q1`;
    `week` `2024-W05` (ISO, Monday start). Month, quarter, year and week also take `current`
    and `previous`, relative to `as_of` in the report zone (DECISIONS 46).
    """

    since: str | None = None
    until: str | None = None
    last: str | None = None
    month: str | None = None
    quarter: str | None = None
    year: str | None = None
    week: str | None = None


@dataclass(frozen=True)
class Window:
    """A half-open window `[since, until)`, both tz-aware in the report zone."""

    since: pd.Timestamp
    until: pd.Timestamp
    tz: str
    """IANA name of the report zone."""

    def since_us(self) -> int:
        """`since` as UTC microseconds since the epoch."""
        return _to_us(self.since)

    def until_us(self) -> int:
        """`until` as UTC microseconds since the epoch."""
        return _to_us(self.until)


@dataclass(frozen=True, eq=False)
class Buckets:
    """Period buckets partitioning a window exactly: bucket i is `[edges[i], edges[i+1])`."""

    edges_us: np.ndarray
    """int64 UTC microseconds, length B+1; first = window.since, last = window.until."""
    labels: tuple[str, ...]
    """Length B: `2024-01-31`, `2025-W01`, `2024-01`, `2024-Q1`, `2024`, or "" for no period."""

    def index(self, times_us: np.ndarray) -> np.ndarray:
        """Bucket index per time (int64 UTC µs); -1 outside `[since, until)`."""
        import numpy as np

        times = np.asarray(times_us, dtype="int64")
        found = np.searchsorted(self.edges_us, times, side="right") - 1
        outside = (times < self.edges_us[0]) | (times >= self.edges_us[-1])
        result: np.ndarray = np.where(outside, -1, found)
        return result


def parse_instant(text: str, tz: str, *, what: str) -> pd.Timestamp:
    """A date (its start) or datetime, naive = in `tz` (DECISIONS 3); result expressed in `tz`."""
    return _parse(text, tz, what)


def parse_as_of(text: str | None, tz: str, default: pd.Timestamp) -> pd.Timestamp:
    """`--as-of`: None → `default` (a naive default is UTC); `now` → the clock; else an instant."""
    import pandas as pd

    check_tz(tz)
    if text is None:
        return _in_tz(default, tz)
    if text.strip().lower() == "now":
        return _in_tz(pd.Timestamp.now(tz="UTC"), tz)
    return parse_instant(text, tz, what="--as-of")


def resolve_window(
    spec: WindowSpec, *, as_of: pd.Timestamp, earliest: pd.Timestamp | None, tz: str
) -> Window:
    """Turn the options into `[since, until)` in the report zone (DECISIONS 4).

    Without `--until` (default window, `--since` alone) the window runs through the end of
    `as_of`'s day, so it includes `as_of` itself.
    """
    import pandas as pd

    check_tz(tz)
    as_of = _in_tz(as_of, tz)
    groups = [("--since", "--until"), ("--last",), ("--month",), ("--quarter",), ("--year",)]
    groups.append(("--week",))
    used = [[o for o in g if getattr(spec, o[2:]) is not None] for g in groups]
    if sum(bool(u) for u in used) > 1:
        names = " and ".join("/".join(u) for u in used if u)
        raise UsageError(
            f"{names} cannot be combined; give one of --since/--until, --last, --month, "
            "--quarter, --year, --week"
        )
    if spec.last is not None:
        # Day-aligned (DECISIONS 46): the N units ending with as_of's day.
        n, unit = _parse_last(spec.last)
        try:
            until = _day_start(_wall(as_of, tz).date() + timedelta(days=1), tz)
            return Window(_shift(until, -n, unit, tz), until, tz)
        except (ValueError, OverflowError) as exc:
            raise UsageError(f"--last {spec.last}: out of range") from exc
    today = _wall(as_of, tz).date()
    if spec.month is not None:
        what = f"--month {spec.month}"
        rel = _relative(spec.month)
        if rel is not None:
            return _unit(today.year, today.month - rel, 1, tz, what)
        m = _MONTH.fullmatch(spec.month.strip())
        if not m or not 1 <= int(m[2]) <= 12:
            raise UsageError(f"{what}: expected YYYY-MM, current or previous, e.g. 2024-03")
        return _unit(int(m[1]), int(m[2]), 1, tz, what)
    if spec.quarter is not None:
        what = f"--quarter {spec.quarter}"
        rel = _relative(spec.quarter)
        if rel is not None:
            return _unit(today.year, today.month - (today.month - 1) % 3 - 3 * rel, 3, tz, what)
        m = _QUARTER.fullmatch(spec.quarter.strip())
        if not m:
            raise UsageError(f"{what}: expected YYYYQn, YYYY-Qn, current or previous, e.g. 2024Q1")
        return _unit(int(m[1]), 3 * int(m[2]) - 2, 3, tz, what)
    if spec.year is not None:
        what = f"--year {spec.year}"
        rel = _relative(spec.year)
        if rel is not None:
            return _unit(today.year - rel, 1, 12, tz, what)
        if not _YEAR.fullmatch(spec.year.strip()):
            raise UsageError(f"{what}: expected YYYY, current or previous, e.g. 2024")
        return _unit(int(spec.year), 1, 12, tz, what)
    if spec.week is not None:
        return _week(spec.week, today, tz)
    start = as_of if earliest is None else min(_in_tz(earliest, tz), as_of)
    # An open end runs through the end of as_of's day: the record that defines the default
    # as_of — the latest in the export — belongs in the window, and nothing after as_of
    # exists (DECISIONS 2), so whole days change no number and give clean labels.
    since = _day_start(_wall(start, tz).date(), tz)
    try:
        until = _day_start(_wall(as_of, tz).date() + timedelta(days=1), tz)
    except (OverflowError, ValueError):  # as_of on 9999-12-31: end just after it instead
        until = as_of + pd.Timedelta(1, "us")
    if spec.since is not None:
        since = parse_instant(spec.since, tz, what="--since")
    if spec.until is not None:
        until = _parse(spec.until, tz, "--until", day_end=True)
    if spec.since is not None and spec.until is not None:
        message = "--since must be before --until"
    elif spec.since is not None:
        message = f"--since must be before the as-of time ({as_of.isoformat()})"
    elif spec.until is not None:
        message = f"--until must be after the start of the data ({since.isoformat()})"
    else:
        message = f"empty window: --as-of {as_of.isoformat()} is the start of the first day"
    if not since < until:
        raise UsageError(message)
    return Window(since, until, tz)


def previous_window(window: Window, spec: WindowSpec, mode: Compare) -> Window:
    """The window to compare with (DECISIONS 5), computed on the local wall clock."""
    tz, since = window.tz, window.since
    try:
        if mode == Compare.YEAR:
            return Window(_shift(since, -1, "y", tz), _shift(window.until, -1, "y", tz), tz)
        if spec.week is not None:
            return Window(_shift(since, -1, "w", tz), since, tz)
        if spec.month is not None or spec.quarter is not None or spec.year is not None:
            months = 1 if spec.month is not None else 3 if spec.quarter is not None else 12
            return Window(_shift(since, -months, "mo", tz), since, tz)
        # Equal length on the local clock, so day buckets of both windows line up across DST.
        length = _wall(window.until, tz) - _wall(since, tz)
        return Window(_localize(_wall(since, tz) - length, tz), since, tz)
    except (ValueError, OverflowError) as exc:
        raise UsageError(f"--compare {mode}: the earlier window is out of range") from exc


def bucket_edges(window: Window, period: Period | None, week_start: str = "mon") -> Buckets:
    """Edges at local midnights of each unit start, clipped to the window (DECISIONS 6)."""
    if period is None:
        return _buckets([window.since_us(), window.until_us()], [""])
    period = Period(period)
    starts = unit_starts(window, period, week_start)
    instants = _localize(starts, window.tz).as_unit("us").asi8.tolist()
    edges = [window.since_us(), *instants[1:], window.until_us()]
    return _buckets(edges, [_label(d, period, week_start) for d in starts])


def unit_starts(window: Window, period: Period, week_start: str = "mon") -> pd.DatetimeIndex:
    """The local wall-clock start of each bucket's whole unit (the first may be before the
    window's start: the window clips it)."""
    import numpy as np
    import pandas as pd

    if week_start not in ("mon", "sun"):
        raise UsageError(f"--week-start {week_start}: expected mon or sun")
    period = Period(period)
    first = _wall(window.since, window.tz).normalize()
    if period is Period.WEEK:
        first -= pd.Timedelta(days=(first.weekday() + (week_start == "sun")) % 7)
    elif period is not Period.DAY:
        step = {Period.MONTH: 1, Period.QUARTER: 3, Period.YEAR: 12}[period]
        first = first.replace(day=1, month=first.month - (first.month - 1) % step)
    freq = {"day": "D", "week": "7D", "month": "MS", "quarter": "QS-JAN", "year": "YS"}[period]
    starts = pd.date_range(first, _wall(window.until, window.tz), freq=freq)
    instants = _localize(starts, window.tz)
    inside = np.asarray((instants > window.since) & (instants < window.until))
    inside[0] = True
    return starts[inside]


def _step(starts: pd.DatetimeIndex, period: Period, n: int) -> pd.DatetimeIndex:
    """Unit starts moved `n` units on the wall clock."""
    import pandas as pd

    if period in (Period.DAY, Period.WEEK):
        return starts + pd.Timedelta(days=n * (7 if period is Period.WEEK else 1))
    months = {Period.MONTH: 1, Period.QUARTER: 3, Period.YEAR: 12}[period] * n
    return starts + pd.DateOffset(months=months)


def partial_buckets(
    window: Window, period: Period, as_of: pd.Timestamp, week_start: str = "mon"
) -> np.ndarray:
    """Per bucket: its whole unit is not inside `[window start, min(window end, as_of))`
    (DECISIONS 39). As-of counts through the end of its second (the precision of export
    timestamps): an export whose last record is at 23:59:59 covers that day."""
    import pandas as pd

    period = Period(period)
    starts = unit_starts(window, period, week_start)
    first = _localize(starts, window.tz).as_unit("us").asi8
    last = _localize(_step(starts, period, 1), window.tz).as_unit("us").asi8
    known = _in_tz(as_of, window.tz).floor("s") + pd.Timedelta(1, "s")
    end = min(window.until_us(), _to_us(known))
    partial: np.ndarray = (first < window.since_us()) | (last > end)
    return partial


@dataclass(frozen=True, eq=False)
class Previous:
    """What `--compare` compares each bucket with (DECISIONS 5 and 37).

    `buckets` partition `window`: the previous buckets (whole units) and any gap between
    them; current bucket i compares with `buckets` bucket `index[i]`."""

    window: Window
    buckets: Buckets
    index: np.ndarray


def previous_buckets(
    window: Window,
    spec: WindowSpec,
    period: Period | None,
    mode: Compare,
    week_start: str = "mon",
) -> Previous:
    """Without a period, the previous window of DECISIONS 5 as one bucket. With one, each
    bucket's previous bucket (DECISIONS 37): `previous` the unit just before it, `year` the
    same unit one year earlier (Feb 29 → Feb 28; ISO week 53 → week 52 when the earlier year
    has none)."""
    import numpy as np
    import pandas as pd

    if period is None:
        before = previous_window(window, spec, mode)
        return Previous(before, bucket_edges(before, None), np.zeros(1, dtype="int64"))
    period = Period(period)
    starts = unit_starts(window, period, week_start)
    try:
        if mode != Compare.YEAR:
            earlier = _step(starts, period, -1)
        elif period is Period.WEEK:
            earlier = _iso_year_earlier(starts, week_start)
        else:
            earlier = starts + pd.DateOffset(years=-1)
        points = earlier.append(_step(earlier, period, 1)).unique().sort_values()
        if points[0].year < 1:  # an earlier unit before year 1 is out of range
            raise ValueError(points[0])
        instants = _localize(points, window.tz)
        labels = [_label(d, period, week_start) for d in points[:-1]]
    except (ValueError, OverflowError, NotImplementedError) as exc:
        raise UsageError(f"--compare {mode}: the earlier window is out of range") from exc
    before = Window(instants[0], instants[-1], window.tz)
    buckets = _buckets(instants.as_unit("us").asi8.tolist(), labels)
    return Previous(before, buckets, np.asarray(points.get_indexer(earlier), dtype="int64"))


def _iso_year_earlier(starts: pd.DatetimeIndex, week_start: str) -> pd.DatetimeIndex:
    """The start of the same ISO week one ISO year earlier (week 53 → 52 where it lacks one);
    Sunday weeks follow the ISO week of their Monday."""
    import numpy as np
    import pandas as pd

    shift = pd.Timedelta(days=int(week_start == "sun"))
    iso = (starts + shift).isocalendar()
    year = iso["year"].to_numpy(dtype="int64") - 1
    week = iso["week"].to_numpy(dtype="int64")
    jan4 = pd.to_datetime(pd.DataFrame({"year": year, "month": 1, "day": 4}))
    dec28 = pd.to_datetime(pd.DataFrame({"year": year, "month": 12, "day": 28}))
    weeks = dec28.dt.isocalendar()["week"].to_numpy(dtype="int64")
    first_monday = jan4 - pd.to_timedelta(jan4.dt.day_of_week, unit="D")
    monday = first_monday + pd.to_timedelta((np.minimum(week, weeks) - 1) * 7, unit="D")
    return pd.DatetimeIndex(monday - shift)


def day_start_us(instant: pd.Timestamp, tz: str) -> int:
    """The start of `instant`'s day in `tz`, as UTC microseconds."""
    return _to_us(_day_start(_wall(_in_tz(instant, tz), tz).date(), tz))


def _label(d: pd.Timestamp, period: Period, week_start: str) -> str:
    # components, not strftime: the Sunday before 0001-01-01 is in year 0, past strftime
    if period is Period.DAY or (period is Period.WEEK and week_start == "sun"):
        return f"{d.year:04d}-{d.month:02d}-{d.day:02d}"
    if period is Period.WEEK:
        iso = d.isocalendar()
        return f"{iso[0]}-W{iso[1]:02d}"
    if period is Period.MONTH:
        return f"{d.year:04d}-{d.month:02d}"
    if period is Period.QUARTER:
        return f"{d.year}-Q{(d.month - 1) // 3 + 1}"
    return f"{d.year}"


def _buckets(edges: list[int], labels: list[str]) -> Buckets:
    import numpy as np

    arr = np.array(edges, dtype="int64")
    arr.setflags(write=False)
    return Buckets(arr, tuple(labels))


@lru_cache(maxsize=64)
def check_tz(tz: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise UsageError(
            f"unknown time zone '{tz}' (use an IANA name such as Europe/Berlin)"
        ) from exc


def _parse(text: str, tz: str, what: str, *, day_end: bool = False) -> pd.Timestamp:
    """The instant in `tz`; a date only is its start, or with `day_end` the next day's start."""
    import pandas as pd

    check_tz(tz)
    s = text.strip()
    try:
        try:
            day = date.fromisoformat(s)
            return _day_start(day + timedelta(days=int(day_end)), tz)
        except ValueError:
            dt = datetime.fromisoformat(s)
        if dt.tzinfo is None:
            return _localize(pd.Timestamp(dt), tz)
        return _in_tz(pd.Timestamp(dt), tz)
    except (ValueError, OverflowError) as exc:
        raise UsageError(
            f"{what} {text!r}: not a date or datetime; use e.g. 2024-03-01, "
            "2024-03-01T09:00 or 2024-03-01T09:00+09:00"
        ) from exc


def _parse_last(text: str) -> tuple[int, str]:
    s = text.strip().lower()
    if re.fullmatch(r"\d+m", s):
        raise UsageError(f"--last {text}: use {s[:-1]}mo for months (m is minutes in durations)")
    m = _LAST.fullmatch(s)
    if not m or int(m[1]) == 0:
        raise UsageError(f"--last {text}: expected N followed by d, w, mo or y (7d, 4w, 3mo, 1y)")
    return int(m[1]), m[2]


def _relative(text: str) -> int | None:
    """`current` → 0, `previous` → 1 (units back from as_of's); anything else → None."""
    s = text.strip().lower()
    return _RELATIVE.index(s) if s in _RELATIVE else None


def _week(text: str, today: date, tz: str) -> Window:
    """`--week current|previous|YYYY-Www`: an ISO week (Monday start) in the report zone."""
    what = f"--week {text}"
    rel = _relative(text)
    try:
        if rel is not None:
            monday = today - timedelta(days=today.weekday() + 7 * rel)
        else:
            m = _WEEK.fullmatch(text.strip())
            if not m:
                raise UsageError(f"{what}: expected YYYY-Www, current or previous, e.g. 2024-W05")
            monday = date.fromisocalendar(int(m[1]), int(m[2]), 1)
        since = _day_start(monday, tz)
        return Window(since, _day_start(monday + timedelta(days=7), tz), tz)
    except (ValueError, OverflowError) as exc:
        raise UsageError(f"{what}: no such week") from exc


def _unit(year: int, month: int, months: int, tz: str, what: str) -> Window:
    """`months` calendar months from `year`-`month` (a month <= 0 counts back into earlier
    years: `previous` in January is December of the year before)."""
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    try:
        since = _day_start(date(year, month, 1), tz)
        return Window(since, _shift(since, months, "mo", tz), tz)
    except (ValueError, OverflowError) as exc:
        raise UsageError(f"{what}: out of range") from exc


def _shift(ts: pd.Timestamp, n: int, unit: str, tz: str) -> pd.Timestamp:
    """`ts` moved n calendar units on the `tz` wall clock (Feb 29 - 1y → Feb 28)."""
    import pandas as pd

    return _localize(_wall(ts, tz) + pd.DateOffset(**{_UNIT_ARGS[unit]: n}), tz)


def _day_start(d: date, tz: str) -> pd.Timestamp:
    import pandas as pd

    return _localize(pd.Timestamp(d.year, d.month, d.day), tz)


def _in_tz(ts: pd.Timestamp, tz: str) -> pd.Timestamp:
    """`ts` in `tz` at µs resolution; a naive value is UTC (the internal convention)."""
    import pandas as pd

    ts = pd.Timestamp(ts).as_unit("us")
    return (ts.tz_localize("UTC") if ts.tzinfo is None else ts).tz_convert(tz)


def _wall(ts: pd.Timestamp, tz: str) -> pd.Timestamp:
    """The naive local wall time of `ts` in `tz`."""
    return ts.tz_convert(tz).tz_localize(None)


def _localize(naive: pd.Timestamp | pd.DatetimeIndex, tz: str) -> pd.Timestamp:
    """Local wall time → instant: DST gaps shift forward, overlaps take the earlier instant."""
    import numpy as np
    import pandas as pd

    earlier: bool | np.ndarray = (
        True if isinstance(naive, pd.Timestamp) else np.ones(len(naive), dtype=bool)
    )
    return naive.as_unit("us").tz_localize(tz, nonexistent="shift_forward", ambiguous=earlier)


def _to_us(ts: pd.Timestamp) -> int:
    return int(ts.as_unit("us").asm8.astype("int64"))
