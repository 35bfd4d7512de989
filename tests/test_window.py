"""Windows and period buckets; every expectation is worked out by hand in a comment."""

from __future__ import annotations

import time
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cskpi.errors import UsageError
from cskpi.result import Compare, Period
from cskpi.time.window import (
    Window,
    WindowSpec,
    bucket_edges,
    parse_as_of,
    parse_instant,
    partial_buckets,
    previous_buckets,
    previous_window,
    resolve_window,
)

SEOUL = "Asia/Seoul"  # +09:00 all year, no DST
BERLIN = "Europe/Berlin"  # +01:00 winter, +02:00 summer
AS_OF = pd.Timestamp("2025-01-01T00:00Z")
H = 3_600_000_000  # µs per hour


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


def us(text: str) -> int:
    return int(pd.Timestamp(text).as_unit("us").asm8.astype("int64"))


def window(tz: str = SEOUL, as_of: pd.Timestamp = AS_OF, **options: str) -> Window:
    return resolve_window(WindowSpec(**options), as_of=as_of, earliest=None, tz=tz)


def hours(w: Window, period: Period | None) -> list[float]:
    edges = bucket_edges(w, period).edges_us
    return [float(x) / H for x in np.diff(edges)]


# --- parsing ---------------------------------------------------------------------------


def test_naive_is_report_zone_and_offset_keeps_instant() -> None:
    # naive 09:00 in Seoul = 00:00Z; 09:00+00:00 is the same instant as 18:00+09:00
    assert parse_instant("2024-03-01T09:00", SEOUL, what="--since") == ts("2024-03-01T00:00Z")
    got = parse_instant("2024-03-01T09:00+00:00", SEOUL, what="--since")
    assert got == ts("2024-03-01T18:00+09:00")
    assert str(got.tz) == SEOUL
    # a date alone is the start of that day in the zone
    assert parse_instant("2024-03-01", BERLIN, what="--since") == ts("2024-02-29T23:00Z")
    # DECISIONS 23: 02:30 happens twice on 2024-10-27 → the earlier (+02:00) instant;
    # 02:30 never happens on 2024-03-31 → shifted forward to 03:00+02:00
    assert parse_instant("2024-10-27T02:30", BERLIN, what="--since") == ts("2024-10-27T00:30Z")
    assert parse_instant("2024-03-31T02:30", BERLIN, what="--since") == ts("2024-03-31T01:00Z")


@pytest.mark.parametrize(
    ("option", "text"),
    [("since", "2024-02-30"), ("until", "yesterday"), ("since", "03/01/2024")],
)
def test_bad_date_names_the_option(option: str, text: str) -> None:
    with pytest.raises(UsageError, match=f"^--{option} '{text}': not a date or datetime"):
        window(**{option: text})


def test_as_of() -> None:
    default = ts("2024-03-01T00:00Z")
    assert parse_as_of(None, SEOUL, default) == default
    assert str(parse_as_of(None, SEOUL, default).tz) == SEOUL
    before = pd.Timestamp.now(tz="UTC")
    now = parse_as_of("now", SEOUL, default)
    assert before <= now <= pd.Timestamp.now(tz="UTC")
    assert parse_as_of("2024-03-01T09:00", SEOUL, default) == default  # 09:00+09 = 00:00Z
    with pytest.raises(UsageError, match=r"^--as-of 'soon'"):
        parse_as_of("soon", SEOUL, default)


def test_unknown_time_zone() -> None:
    with pytest.raises(UsageError, match=r"^unknown time zone 'Mars/Base'"):
        window(tz="Mars/Base")
    with pytest.raises(UsageError, match=r"^unknown time zone 'Mars/Base'"):
        parse_instant("2024-01-01", "Mars/Base", what="--since")


# --- windows ---------------------------------------------------------------------------


def test_date_only_until_is_inclusive() -> None:
    w = window(since="2024-03-01", until="2024-03-31")
    assert w.since == ts("2024-03-01T00:00+09:00")
    assert w.until == ts("2024-04-01T00:00+09:00")  # through the end of Mar 31
    # 2024-03-01T00:00+09:00 = 2024-02-29T15:00Z; 2024-01-01T00:00Z = 1_704_067_200 s,
    # + 59 days (Jan 31 + Feb 28) = 1_709_164_800, + 15 h (54_000 s) = 1_709_218_800
    assert w.since_us() == 1_709_218_800_000_000
    buckets = bucket_edges(w, None)
    inside, outside = us("2024-03-31T23:59:59.999999+09:00"), us("2024-04-01T00:00+09:00")
    assert buckets.index(np.array([inside, outside])).tolist() == [0, -1]
    # a datetime --until stays exclusive as given
    assert window(since="2024-03-01", until="2024-03-31T12:00").until == ts("2024-03-31T03:00Z")


def test_since_alone_until_alone_and_default() -> None:
    earliest = ts("2024-01-10T22:00Z")  # 2024-01-11T07:00 in Seoul
    w = resolve_window(WindowSpec(), as_of=AS_OF, earliest=earliest, tz=SEOUL)
    # an open end runs through the end of as_of's day (AS_OF is 2025-01-01 09:00 in Seoul)
    assert (w.since, w.until) == (ts("2024-01-11T00:00+09:00"), ts("2025-01-02T00:00+09:00"))
    w = resolve_window(WindowSpec(until="2024-06-30"), as_of=AS_OF, earliest=earliest, tz=SEOUL)
    assert (w.since, w.until) == (ts("2024-01-11T00:00+09:00"), ts("2024-07-01T00:00+09:00"))
    w = window(since="2024-12-01")
    assert (w.since, w.until) == (ts("2024-12-01T00:00+09:00"), ts("2025-01-02T00:00+09:00"))
    # no data: from the start of as_of's day (AS_OF is 09:00 on 2025-01-01 in Seoul)
    assert window().since == ts("2025-01-01T00:00+09:00")


def test_empty_or_reversed_window_refused() -> None:
    with pytest.raises(UsageError, match=r"^--since must be before --until$"):
        window(since="2024-04-01", until="2024-03-01")
    with pytest.raises(UsageError, match=r"^--since must be before the as-of time"):
        window(since="2025-02-01")


def test_last() -> None:
    # Day-aligned (DECISIONS 46): the N units ending with as_of's day, so the window ends at
    # the start of the next day (Jun 1 00:00) whatever the time of as_of.
    as_of = ts("2024-05-31T10:00+09:00")
    end = ts("2024-06-01T00:00+09:00")
    w = window(last="7d", as_of=as_of)
    assert (w.since, w.until) == (ts("2024-05-25T00:00+09:00"), end)  # Jun 1 - 7 d
    assert window(last="1d", as_of=as_of).since == ts("2024-05-31T00:00+09:00")  # as_of's day
    assert window(last="4w", as_of=as_of).since == ts("2024-05-04T00:00+09:00")  # Jun 1 - 28 d
    # Jun 1 - 3 months = Mar 1; Jun 1 - 1 year = 2023-06-01
    assert window(last="3mo", as_of=as_of).since == ts("2024-03-01T00:00+09:00")
    assert window(last="1y", as_of=as_of).since == ts("2023-06-01T00:00+09:00")
    # the case: as_of 2024-06-30 23:59:59 → [Jun 24, Jul 1), seven whole days
    w = window(last="7d", as_of=ts("2024-06-30T23:59:59+09:00"))
    assert (w.since, w.until) == (ts("2024-06-24T00:00+09:00"), ts("2024-07-01T00:00+09:00"))
    # 7 calendar days in Berlin across the spring change (Mar 31): [Mar 28, Apr 4) is
    # 7 × 24 − 1 = 167 h
    w = window(BERLIN, last="7d", as_of=ts("2024-04-03T12:00+02:00"))
    assert w.since == ts("2024-03-28T00:00+01:00")
    assert w.until == ts("2024-04-04T00:00+02:00")
    assert (w.until - w.since) == pd.Timedelta(hours=167)


def test_relative_calendar_units() -> None:
    # as_of Wednesday 2024-01-10 10:00 Seoul (ISO 2024-W02, Monday Jan 8)
    as_of = ts("2024-01-10T10:00+09:00")
    z = "+09:00"

    def span(**options: str) -> tuple[pd.Timestamp, pd.Timestamp]:
        w = window(as_of=as_of, **options)
        return w.since, w.until

    assert span(month="current") == (ts(f"2024-01-01T00:00{z}"), ts(f"2024-02-01T00:00{z}"))
    # previous month of January is December of the year before
    assert span(month="previous") == (ts(f"2023-12-01T00:00{z}"), ts(f"2024-01-01T00:00{z}"))
    assert span(quarter="Current") == (ts(f"2024-01-01T00:00{z}"), ts(f"2024-04-01T00:00{z}"))
    assert span(quarter="previous") == (ts(f"2023-10-01T00:00{z}"), ts(f"2024-01-01T00:00{z}"))
    assert span(year="current") == (ts(f"2024-01-01T00:00{z}"), ts(f"2025-01-01T00:00{z}"))
    assert span(year="previous") == (ts(f"2023-01-01T00:00{z}"), ts(f"2024-01-01T00:00{z}"))
    # weeks: Monday Jan 8 → Monday Jan 15; previous is Jan 1 → Jan 8
    assert span(week="current") == (ts(f"2024-01-08T00:00{z}"), ts(f"2024-01-15T00:00{z}"))
    assert span(week="previous") == (ts(f"2024-01-01T00:00{z}"), ts(f"2024-01-08T00:00{z}"))
    # 2021-W01 starts Monday 2021-01-04 (Jan 4 is always in week 1); 2020-W53 on Dec 28
    assert span(week="2021-W01") == (ts(f"2021-01-04T00:00{z}"), ts(f"2021-01-11T00:00{z}"))
    assert span(week="2020W53")[0] == ts(f"2020-12-28T00:00{z}")
    # relative to as_of in the report zone: 2024-03-31T23:30Z is already April 1 in Seoul
    w = window(month="previous", as_of=ts("2024-03-31T23:30Z"))
    assert (w.since, w.until) == (ts(f"2024-03-01T00:00{z}"), ts(f"2024-04-01T00:00{z}"))
    # the previous window of a week is the week before
    before = previous_window(window(week="2024-W02"), WindowSpec(week="2024-W02"), Compare.PREVIOUS)
    assert (before.since, before.until) == (ts(f"2024-01-01T00:00{z}"), ts(f"2024-01-08T00:00{z}"))


def test_relative_refusals() -> None:
    with pytest.raises(UsageError, match=r"^--week 2021-W54: no such week$"):
        window(week="2021-W54")  # 2021 has 52 ISO weeks
    with pytest.raises(UsageError, match=r"^--week last: expected YYYY-Www, current or previous"):
        window(week="last")
    with pytest.raises(UsageError, match=r"^--month last: expected YYYY-MM, current or previous"):
        window(month="last")
    with pytest.raises(UsageError, match=r"^--month and --week cannot be combined"):
        window(month="current", week="current")


def test_last_refusals() -> None:
    with pytest.raises(UsageError) as info:
        window(last="3m")
    assert str(info.value) == "--last 3m: use 3mo for months (m is minutes in durations)"
    for bad in ("3h", "0d", "mo", "7 days"):
        with pytest.raises(UsageError, match="expected N followed by d, w, mo or y"):
            window(last=bad)


def test_calendar_units() -> None:
    w = window(month="2024-02")
    assert (w.since, w.until) == (ts("2024-02-01T00:00+09:00"), ts("2024-03-01T00:00+09:00"))
    for q in ("2024Q1", "2024-Q1"):
        w = window(quarter=q)
        assert (w.since, w.until) == (ts("2024-01-01T00:00+09:00"), ts("2024-04-01T00:00+09:00"))
    w = window(year="2024")
    assert (w.since, w.until) == (ts("2024-01-01T00:00+09:00"), ts("2025-01-01T00:00+09:00"))
    # March in Berlin: 31 days, one hour lost on the 31st → 743 h
    w = window(BERLIN, month="2024-03")
    assert w.until - w.since == pd.Timedelta(hours=31 * 24 - 1)
    for option, bad in (("month", "2024-13"), ("quarter", "2024Q5"), ("year", "24")):
        with pytest.raises(UsageError, match=f"^--{option} {bad}: expected"):
            window(**{option: bad})


@pytest.mark.parametrize(
    ("options", "names"),
    [
        ({"since": "2024-01-01", "month": "2024-03"}, "--since and --month"),
        ({"until": "2024-01-01", "last": "7d"}, "--until and --last"),
        ({"quarter": "2024Q1", "year": "2024"}, "--quarter and --year"),
    ],
)
def test_conflicting_options(options: dict[str, str], names: str) -> None:
    with pytest.raises(UsageError, match=f"^{names} cannot be combined"):
        window(**options)


# --- previous windows ------------------------------------------------------------------


def prev(mode: Compare, tz: str = SEOUL, **options: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    w = previous_window(window(tz, **options), WindowSpec(**options), mode)
    return w.since, w.until


def test_previous_calendar_units() -> None:
    p = Compare.PREVIOUS
    # March (31 d) → February (29 d): the calendar unit, not 31 days back
    assert prev(p, month="2024-03") == (ts("2024-02-01T00:00+09:00"), ts("2024-03-01T00:00+09:00"))
    assert prev(p, quarter="2024Q1") == (ts("2023-10-01T00:00+09:00"), ts("2024-01-01T00:00+09:00"))
    assert prev(p, year="2024") == (ts("2023-01-01T00:00+09:00"), ts("2024-01-01T00:00+09:00"))


def test_previous_equal_length() -> None:
    # [Mar 10, Mar 17) is 7 days → [Mar 3, Mar 10)
    got = prev(Compare.PREVIOUS, since="2024-03-10", until="2024-03-16")
    assert got == (ts("2024-03-03T00:00+09:00"), ts("2024-03-10T00:00+09:00"))
    # --last 7d ([May 25, Jun 1)) → the 7 days before that, [May 18, May 25)
    as_of = ts("2024-05-31T10:00+09:00")
    w = window(last="7d", as_of=as_of)
    before = previous_window(w, WindowSpec(last="7d"), Compare.PREVIOUS)
    assert (before.since, before.until) == (ts("2024-05-18T00:00+09:00"), w.since)
    # Berlin [Mar 31, Apr 7) is 7 local days but 167 h; the previous window is the 7 local
    # days before it, so day buckets line up (not 167 h back, which would start at 01:00)
    got = prev(Compare.PREVIOUS, BERLIN, since="2024-03-31", until="2024-04-06")
    assert got == (ts("2024-03-24T00:00+01:00"), ts("2024-03-31T00:00+01:00"))


def test_previous_year_feb_29() -> None:
    # [2024-02-29, 2024-03-01) one year earlier: Feb 29 → Feb 28, Mar 1 → Mar 1
    got = prev(Compare.YEAR, since="2024-02-29", until="2024-02-29")
    assert got == (ts("2023-02-28T00:00+09:00"), ts("2023-03-01T00:00+09:00"))
    assert prev(Compare.YEAR, month="2024-02") == (
        ts("2023-02-01T00:00+09:00"),
        ts("2023-03-01T00:00+09:00"),
    )


def compared(mode: Compare, period: Period, tz: str = SEOUL, **options: str) -> list[str]:
    """The label each bucket of the window compares with (DECISIONS 37)."""
    p = previous_buckets(window(tz, **options), WindowSpec(**options), period, mode)
    return [p.buckets.labels[i] for i in p.index]


def test_previous_bucket_is_the_unit_before_each_bucket() -> None:
    # Q2 by month: April ← March, May ← April, June ← May (not Jan, Feb, Mar by position)
    p = Compare.PREVIOUS
    assert compared(p, Period.MONTH, quarter="2024Q2") == ["2024-03", "2024-04", "2024-05"]
    # a window starting mid-month: its first (partial) bucket compares with the whole month
    # before it
    assert compared(p, Period.MONTH, since="2024-01-15", until="2024-02-10") == [
        "2023-12",
        "2024-01",
    ]
    assert compared(p, Period.QUARTER, year="2024") == ["2023-Q4", "2024-Q1", "2024-Q2", "2024-Q3"]
    # 2024-01-01 is a Monday: 2024-W01 ← 2023-W52
    assert compared(p, Period.WEEK, since="2024-01-01", until="2024-01-14") == [
        "2023-W52",
        "2024-W01",
    ]
    got = previous_buckets(window(month="2024-03"), WindowSpec(month="2024-03"), Period.MONTH, p)
    # one whole previous month, February: [02-01, 03-01) in Seoul
    assert (got.window.since, got.window.until) == (
        ts("2024-02-01T00:00+09:00"),
        ts("2024-03-01T00:00+09:00"),
    )


def test_year_earlier_buckets() -> None:
    y = Compare.YEAR
    assert compared(y, Period.MONTH, quarter="2024Q1") == ["2023-01", "2023-02", "2023-03"]
    # Feb 28 and Feb 29 both compare with 2023-02-28; Mar 1 with Mar 1
    assert compared(y, Period.DAY, since="2024-02-28", until="2024-03-01") == [
        "2023-02-28",
        "2023-02-28",
        "2023-03-01",
    ]
    # the same ISO week a year earlier; 2020 has a week 53, 2019 has none → 2019-W52
    assert compared(y, Period.WEEK, since="2020-12-28", until="2021-01-10") == [
        "2019-W52",
        "2020-W01",
    ]
    # 2021-W01 (Mon 2021-01-04) ← 2020-W01 (Mon 2019-12-30), not 364 days back (2020-W02)
    p = previous_buckets(
        window(since="2021-01-04", until="2021-01-10"),
        WindowSpec(since="2021-01-04", until="2021-01-10"),
        Period.WEEK,
        y,
    )
    assert p.buckets.labels[p.index[0]] == "2020-W01"
    assert p.window.since == ts("2019-12-30T00:00+09:00")


def test_sunday_weeks_a_year_earlier_follow_the_iso_week_of_their_monday() -> None:
    # the week starting Sun 2024-04-07 (its Monday 04-08 is 2024-W15) ← Sun 2023-04-09
    # (its Monday 04-10 is 2023-W15)
    w = window(since="2024-04-07", until="2024-04-13")
    p = previous_buckets(w, WindowSpec(), Period.WEEK, Compare.YEAR, "sun")
    assert [p.buckets.labels[i] for i in p.index] == ["2023-04-09"]


def test_partial_buckets() -> None:
    as_of = ts("2024-03-15T12:00+09:00")
    w = window(since="2024-01-10", until="2024-03-31", as_of=as_of)
    # January starts before the window (01-10); February whole; March ends after as_of
    assert partial_buckets(w, Period.MONTH, as_of).tolist() == [True, False, True]
    # as_of at 23:59:59 covers the day (export timestamps are whole seconds); one second
    # earlier it does not
    w = window(month="2024-02", as_of=ts("2024-03-01T00:00+09:00"))
    last = ts("2024-02-29T23:59:59+09:00")
    assert partial_buckets(w, Period.MONTH, last).tolist() == [False]
    assert partial_buckets(w, Period.MONTH, last - pd.Timedelta(1, "s")).tolist() == [True]
    # weeks: Wed 2024-02-07 starts the window inside 2024-W06
    w = window(since="2024-02-07", until="2024-02-18", as_of=as_of)
    assert partial_buckets(w, Period.WEEK, as_of).tolist() == [True, False]


# --- buckets ---------------------------------------------------------------------------


def test_no_period_is_one_bucket() -> None:
    w = window(month="2024-02")
    b = bucket_edges(w, None)
    assert b.labels == ("",)
    assert b.edges_us.tolist() == [w.since_us(), w.until_us()]


def test_midnight_record_lands_in_exactly_one_bucket() -> None:
    w = window(since="2024-01-30", until="2024-02-01")
    b = bucket_edges(w, Period.DAY)
    assert b.labels == ("2024-01-30", "2024-01-31", "2024-02-01")
    times = np.array(
        [
            us("2024-01-30T23:59:59.999999+09:00"),  # last µs of day 0
            us("2024-01-31T00:00+09:00"),  # midnight: starts day 1, not the end of day 0
            us("2024-01-29T23:59:59.999999+09:00"),  # before since
            us("2024-02-02T00:00+09:00"),  # == until, excluded
        ]
    )
    assert b.index(times).tolist() == [0, 1, -1, -1]


def test_iso_week_labels() -> None:
    # 2024-12-30 is a Monday; its Thursday is 2025-01-02 → ISO week-year 2025, week 1
    b = bucket_edges(window(since="2024-12-30", until="2025-01-05"), Period.WEEK)
    assert b.labels == ("2025-W01",)
    # 2021-01-01 is a Friday; its week's Thursday is 2020-12-31 → 2020-W53, Mon Jan 4 → W01
    w = window(since="2021-01-01", until="2021-01-10")
    b = bucket_edges(w, Period.WEEK)
    assert b.labels == ("2020-W53", "2021-W01")
    assert b.edges_us.tolist() == [
        us("2021-01-01T00:00+09:00"),  # clipped to since, not the Monday Dec 28
        us("2021-01-04T00:00+09:00"),
        us("2021-01-11T00:00+09:00"),
    ]


def test_sunday_weeks_are_labelled_by_start_date() -> None:
    # 2024-12-31 is a Tuesday: its Sunday-start week began 2024-12-29; the next on 2025-01-05
    b = bucket_edges(window(since="2024-12-31", until="2025-01-06"), Period.WEEK, "sun")
    assert b.labels == ("2024-12-29", "2025-01-05")
    with pytest.raises(UsageError, match="--week-start"):
        bucket_edges(window(since="2024-12-31"), Period.WEEK, "tue")


def test_month_quarter_year_labels_and_clipping() -> None:
    w = window(since="2024-01-15", until="2024-03-10")
    b = bucket_edges(w, Period.MONTH)
    assert b.labels == ("2024-01", "2024-02", "2024-03")
    assert b.edges_us.tolist() == [
        us("2024-01-15T00:00+09:00"),
        us("2024-02-01T00:00+09:00"),
        us("2024-03-01T00:00+09:00"),
        us("2024-03-11T00:00+09:00"),
    ]
    w = window(since="2024-02-10", until="2025-01-31")
    assert bucket_edges(w, Period.QUARTER).labels == (
        "2024-Q1",
        "2024-Q2",
        "2024-Q3",
        "2024-Q4",
        "2025-Q1",
    )
    assert bucket_edges(w, Period.YEAR).labels == ("2024", "2025")


@pytest.mark.parametrize(
    ("since", "until", "expected"),
    [
        ("2024-03-30", "2024-04-01", [24.0, 23.0, 24.0]),  # Mar 31: 02:00 → 03:00
        ("2024-10-26", "2024-10-28", [24.0, 25.0, 24.0]),  # Oct 27: 03:00 → 02:00
    ],
)
def test_dst_days_in_berlin(since: str, until: str, expected: list[float]) -> None:
    w = window(BERLIN, since=since, until=until)
    assert hours(w, Period.DAY) == expected
    total = sum(expected)  # 71 h and 73 h: the buckets partition the window exactly
    assert w.until - w.since == pd.Timedelta(hours=total)
    # one record per UTC hour: each lands in exactly one bucket, none lost or doubled
    b = bucket_edges(w, Period.DAY)
    times = np.arange(w.since_us(), w.until_us(), H)
    assert np.bincount(b.index(times)).tolist() == [int(x) for x in expected]


def test_missing_local_midnight_shifts_forward() -> None:
    # Santiago skips 2024-09-08 00:00-04 → 01:00-03; that day starts 01:00 and lasts 23 h
    w = window("America/Santiago", since="2024-09-07", until="2024-09-09")
    assert hours(w, Period.DAY) == [24.0, 23.0, 24.0]
    assert bucket_edges(w, Period.DAY).edges_us[1] == us("2024-09-08T01:00-03:00")


@settings(max_examples=60, deadline=None)
@given(
    start=st.integers(0, 3 * 365 * 24),
    length=st.integers(1, 400 * 24),
    period=st.sampled_from(list(Period)),
    week_start=st.sampled_from(["mon", "sun"]),
)
def test_buckets_partition_window(start: int, length: int, period: Period, week_start: str) -> None:
    base = ts("2022-01-01T00:00+01:00")
    since = (base + pd.Timedelta(hours=start)).tz_convert(BERLIN)
    w = Window(since, since + pd.Timedelta(hours=length), BERLIN)
    b = bucket_edges(w, period, week_start)
    edges = b.edges_us
    assert edges[0] == w.since_us() and edges[-1] == w.until_us()
    assert (np.diff(edges) > 0).all()
    assert len(b.labels) == len(edges) - 1 == len(set(b.labels))
    assert b.index(edges[:-1]).tolist() == list(range(len(b.labels)))


# --- host TZ ---------------------------------------------------------------------------


@pytest.fixture
def restore_tz() -> Iterator[None]:
    yield
    time.tzset()  # monkeypatch has restored TZ by now (it is torn down first)


def snapshot() -> list[object]:
    spec = WindowSpec(since="2024-03-30", until="2024-04-01T06:30")
    w = resolve_window(spec, as_of=AS_OF, earliest=None, tz=BERLIN)
    out: list[object] = [w, previous_window(w, spec, Compare.PREVIOUS)]
    for period in Period:
        b = bucket_edges(w, period)
        out += [b.edges_us.tolist(), b.labels]
    out.append(parse_instant("2024-10-27T02:30", BERLIN, what="--since"))
    return out


def test_host_tz_does_not_matter(restore_tz: None, monkeypatch: pytest.MonkeyPatch) -> None:
    results = []
    for host in ("Pacific/Kiritimati", "America/Los_Angeles"):
        monkeypatch.setenv("TZ", host)
        time.tzset()
        results.append(snapshot())
    assert results[0] == results[1]
