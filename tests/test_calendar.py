"""Business-hours clock: hand-computed cases, config errors, and properties against an oracle."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cskpi.errors import UsageError
from cskpi.time.calendar import (
    DAYS,
    BusinessCalendar,
    always_open,
    business_seconds,
    parse_calendar,
)

BERLIN = "Europe/Berlin"
NEW_YORK = "America/New_York"
NAT = np.iinfo(np.int64).min
H = 3600
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")


def at(wall: str, tz: str = BERLIN) -> int:
    """UTC microseconds of a local wall time (never an ambiguous one in these tests)."""
    local = dt.datetime.fromisoformat(wall).replace(tzinfo=ZoneInfo(tz))
    return int(local.timestamp()) * 1_000_000


def bs(start: int, end: int, cal: BusinessCalendar) -> float:
    return float(business_seconds(np.array([start]), np.array([end]), cal)[0])


def calendar(
    tz: str = BERLIN,
    days: tuple[str, ...] = WEEKDAYS,
    hours: object = "09:00-18:00",
    holidays: list[str] | None = None,
) -> BusinessCalendar:
    table: dict[str, object] = {"timezone": tz, **dict.fromkeys(days, hours)}
    if holidays is not None:
        table["holidays"] = holidays
    return parse_calendar(table)


OFFICE = calendar()  # Mon-Fri 09:00-18:00, Berlin
NIGHT = calendar(hours="22:00-06:00")  # Mon-Fri nights, each running into the next morning


# --- hand-computed cases (Berlin unless said) ------------------------------------------------


def test_friday_close_to_monday_morning() -> None:
    # Fri 18:00 is closing time; the weekend is closed; Mon 09:00-09:05 = 300 s.
    assert bs(at("2024-03-01 18:00"), at("2024-03-04 09:05"), OFFICE) == 300


def test_weekend_arrival() -> None:
    # Sat 10:00 -> Mon 10:30: only Mon 09:00-10:30 = 1.5 h = 5400 s.
    assert bs(at("2024-03-02 10:00"), at("2024-03-04 10:30"), OFFICE) == 5400


def test_holiday_in_the_middle() -> None:
    # Tue 17:00-18:00 (1 h) + Wed 1 May holiday (0) + Thu 09:00-10:00 (1 h) = 7200 s.
    cal = calendar(holidays=["2024-05-01"])
    assert bs(at("2024-04-30 17:00"), at("2024-05-02 10:00"), cal) == 2 * H
    # The same span without the holiday adds Wed's 9 h.
    assert bs(at("2024-04-30 17:00"), at("2024-05-02 10:00"), OFFICE) == 11 * H


def test_both_ends_before_opening_on_the_same_day() -> None:
    assert bs(at("2024-03-04 07:00"), at("2024-03-04 08:30"), OFFICE) == 0


def test_both_ends_inside_one_closed_stretch() -> None:
    assert bs(at("2024-03-01 19:00"), at("2024-03-03 23:00"), OFFICE) == 0  # Fri eve -> Sun
    assert bs(at("2024-03-06 18:30"), at("2024-03-07 08:59"), OFFICE) == 0  # Wed eve -> Thu
    assert bs(at("2024-03-06 12:00"), at("2024-03-06 12:00"), OFFICE) == 0  # empty span


def test_partial_days_inside_opening_hours() -> None:
    # Mon 10:00 -> Tue 11:30: Mon 10:00-18:00 (8 h) + Tue 09:00-11:30 (2.5 h) = 10.5 h.
    assert bs(at("2024-03-04 10:00"), at("2024-03-05 11:30"), OFFICE) == 10.5 * H
    # Sub-second precision: 1.5 s inside opening hours.
    start = at("2024-03-04 10:00")
    assert bs(start, start + 1_500_000, OFFICE) == 1.5


def test_overnight_shift() -> None:
    # Fri 22:00 -> Sat 06:00 is open: Fri 23:00 -> Sat 05:30 = 6.5 h.
    assert bs(at("2024-03-01 23:00"), at("2024-03-02 05:30"), NIGHT) == 6.5 * H
    # Sat 05:00 -> Mon 23:00: Sat 05:00-06:00 (1 h) + no Sunday night, so Mon 00:00-06:00 is
    # closed + Mon 22:00-23:00 (1 h) = 2 h.
    assert bs(at("2024-03-02 05:00"), at("2024-03-04 23:00"), NIGHT) == 2 * H
    # Tue 03:00 -> 07:00: the tail of Monday's shift, 03:00-06:00 = 3 h.
    assert bs(at("2024-03-05 03:00"), at("2024-03-05 07:00"), NIGHT) == 3 * H


def test_start_on_a_holiday_eve() -> None:
    cal = calendar(holidays=["2024-12-24..2024-12-26"])
    # Mon 23 Dec 17:00-18:00 (1 h) + 24-26 closed + Fri 27 09:00-10:00 (1 h) = 2 h.
    assert bs(at("2024-12-23 17:00"), at("2024-12-27 10:00"), cal) == 2 * H
    # Starting on the holiday itself: only Fri 27 09:00-10:00.
    assert bs(at("2024-12-24 10:00"), at("2024-12-27 10:00"), cal) == 1 * H


def test_holiday_closes_the_after_midnight_part_of_an_overnight_shift() -> None:
    # Sat 2 Mar is a holiday: Fri's 22:00-06:00 shift keeps Fri 22:00-24:00 only = 2 h.
    cal = calendar(hours="22:00-06:00", holidays=["2024-03-02"])
    assert bs(at("2024-03-01 21:00"), at("2024-03-02 08:00"), cal) == 2 * H
    assert bs(at("2024-03-01 21:00"), at("2024-03-02 08:00"), NIGHT) == 8 * H


@pytest.mark.parametrize(
    ("tz", "saturday", "sunday", "monday", "day_hours"),
    [
        (BERLIN, "2024-03-30", "2024-03-31", "2024-04-01", 23),  # CET -> CEST
        (BERLIN, "2024-10-26", "2024-10-27", "2024-10-28", 25),  # CEST -> CET
        (NEW_YORK, "2024-03-09", "2024-03-10", "2024-03-11", 23),  # EST -> EDT
        (NEW_YORK, "2024-11-02", "2024-11-03", "2024-11-04", 25),  # EDT -> EST
    ],
)
def test_dst_change_keeps_a_nine_hour_day(
    tz: str, saturday: str, sunday: str, monday: str, day_hours: int
) -> None:
    cal = calendar(tz=tz, days=DAYS)
    # The change happens at 02:00/03:00 on Sunday: 09:00-18:00 is 9 h on Saturday and Sunday.
    assert bs(at(f"{sunday} 09:00", tz), at(f"{sunday} 18:00", tz), cal) == 9 * H
    assert bs(at(f"{saturday} 08:00", tz), at(f"{monday} 08:00", tz), cal) == 18 * H
    # Sat 17:00-18:00 (1 h) + Sun 09:00-10:00 (1 h), across the change.
    assert bs(at(f"{saturday} 17:00", tz), at(f"{sunday} 10:00", tz), cal) == 2 * H
    # A whole-day calendar counts the real length of the Sunday: 23 h or 25 h.
    whole = always_open(tz)
    assert bs(at(f"{sunday} 00:00", tz), at(f"{monday} 00:00", tz), whole) == day_hours * H


def test_overnight_shift_across_dst_changes() -> None:
    cal = calendar(days=DAYS, hours="22:00-06:00")
    # Spring: Sat 22:00 CET -> Sun 06:00 CEST is 8 h on the wall, 7 h of time.
    assert bs(at("2024-03-30 22:00"), at("2024-03-31 06:00"), cal) == 7 * H
    # Autumn: 8 h on the wall plus the repeated hour = 9 h.
    assert bs(at("2024-10-26 22:00"), at("2024-10-27 06:00"), cal) == 9 * H


def test_range_edges_inside_a_changing_hour() -> None:
    # The rule: a range opens and closes when the wall clock *first* shows its times.
    cal = calendar(days=("sun",), hours="02:30-04:00")
    # Spring: 02:30 does not exist; open from the jump (03:00 CEST = 01:00Z) to 04:00 CEST
    # (02:00Z) = 1 h.
    assert bs(at("2024-03-31 00:00"), at("2024-03-31 12:00"), cal) == 1 * H
    # Autumn: first 02:30 is CEST (00:30Z); 04:00 CET is 03:00Z: 2.5 h.
    assert bs(at("2024-10-27 00:00"), at("2024-10-27 12:00"), cal) == 2.5 * H


def test_span_across_a_year_boundary_with_holidays() -> None:
    cal = calendar(holidays=["2024-12-24..2024-12-26", "2025-01-01"])
    # Mon 23 Dec 12:00-18:00 (6 h) + 24-26 holidays + Fri 27 (9 h) + weekend + Mon 30 (9 h)
    # + Tue 31 (9 h) + Wed 1 Jan holiday + Thu 2 Jan 09:00-12:00 (3 h) = 36 h = 129600 s.
    assert bs(at("2024-12-23 12:00"), at("2025-01-02 12:00"), cal) == 129_600


def test_reversed_span_is_negative() -> None:
    assert bs(at("2024-03-04 09:05"), at("2024-03-01 18:00"), OFFICE) == -300


def test_missing_instants_give_nan() -> None:
    start = np.array([at("2024-03-01 18:00"), NAT, at("2024-03-01 18:00"), NAT])
    end = np.array([at("2024-03-04 09:05"), at("2024-03-04 09:05"), NAT, NAT])
    out = business_seconds(start, end, OFFICE)
    assert out.dtype == np.float64
    assert out[0] == 300
    assert np.isnan(out[1:]).all()
    assert np.isnan(business_seconds(start[1:2], end[2:3], OFFICE)).all()  # nothing present
    assert business_seconds(start[:0], end[:0], OFFICE).shape == (0,)


def test_accepts_naive_datetime64_as_utc_and_keeps_shape() -> None:
    start = np.array([[at("2024-03-01 18:00")], [NAT]]).astype("datetime64[us]")
    end = np.array([[at("2024-03-04 09:05")], [at("2024-03-04 09:05")]]).astype("datetime64[us]")
    assert start[1, 0] != start[1, 0]  # NaT
    out = business_seconds(start.astype("datetime64[ns]"), end, OFFICE)
    assert out.shape == (2, 1)
    assert out[0, 0] == 300 and np.isnan(out[1, 0])


def test_shapes_must_match() -> None:
    with pytest.raises(ValueError, match="shapes differ"):
        business_seconds(np.array([1, 2]), np.array([3]), OFFICE)


def test_long_span_with_dense_ranges() -> None:
    # Thirty 1-minute ranges per Monday over a 60-year span: buckets hold several range starts.
    hours = [f"09:{m:02d}-09:{m + 1:02d}" for m in range(0, 60, 2)]
    cal = calendar(days=("mon",), hours=hours)
    start = np.array([at("1990-01-01 09:00"), at("2024-03-04 09:00"), at("2024-03-04 09:01")])
    end = np.array([at("1990-01-01 10:00"), at("2024-03-04 09:30"), at("2050-01-03 09:03")])
    out = business_seconds(start, end, cal)
    # 30 open minutes per Monday: 1800 s; 09:00-09:30 holds 15 of them = 900 s.
    assert out[:2].tolist() == [1800, 900]
    # 2024-03-04 -> 2050-01-03 is 1348 weeks exactly. Starting at 09:01 loses 09:00-09:01;
    # ending at 09:03 adds 09:00-09:01 and 09:02-09:03: 1348 x 1800 s - 60 s + 120 s.
    weeks = (dt.date(2050, 1, 3) - dt.date(2024, 3, 4)).days / 7
    assert weeks == 1348
    assert out[2] == 1348 * 1800 + 60


CYCLE_US = 146_097 * 86_400 * 1_000_000  # 400 Gregorian years = 20871 weeks


def test_far_future_placeholder_repeats_the_400_year_cycle() -> None:
    # Mon 09:00 -> Tue 09:00 is 9 h; each further 400-year cycle adds 20871 weeks x 45 h.
    start = at("2024-03-04 09:00")
    end = np.array([at("2024-03-05 09:00") + k * CYCLE_US for k in (0, 1, 20)])
    out = business_seconds(np.full(3, start), end, OFFICE)
    assert out.tolist() == [(9 + k * 20871 * 45) * H for k in (0, 1, 20)]
    # A 9999-12-31 placeholder costs a few centuries of days, and stays exact (Fri 31 Dec).
    placeholder = np.array(["9999-12-31T12:00"], dtype="datetime64[us]")
    friday = business_seconds(placeholder - np.timedelta64(3, "h"), placeholder, OFFICE)
    assert friday.tolist() == [3 * H]  # 09:00-12:00 UTC = 10:00-13:00 CET


def test_cycles_start_after_the_last_holiday() -> None:
    # 1 Jan 2200 and 1 Jan 2600 are both Wednesdays, 400 years apart; only the first is a
    # holiday, so 2600's 09:00-18:00 stays open.
    cal = calendar(holidays=["2200-01-01"])
    start = np.array([at("2200-01-01 09:00"), at("2600-01-01 09:00")])
    assert business_seconds(start, start + 9 * H * 10**6, cal).tolist() == [0, 9 * H]


def test_folded_and_unfolded_clocks_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    # Japan has kept one offset since 1952, so its hours repeat from 1960 on; folding at 1960
    # must then agree with the plain clock, which stays fast to build up to 2400.
    cal = calendar("Asia/Tokyo", DAYS, ["08:00-12:00", "22:00-03:00"])
    rng = np.random.default_rng(7)
    lo, hi = at("1960-01-01 00:00", "UTC"), at("2400-01-01 00:00", "UTC")
    start = rng.integers(lo, hi, 50)
    end = start + rng.integers(0, 400 * 86_400 * 1_000_000, 50)
    end[0] = hi  # past the end of the first cycle (1960-2360), so folding applies
    monkeypatch.setattr("cskpi.time.calendar._FOLD_YEAR", 1960)
    folded = business_seconds(start, end, cal)
    monkeypatch.setattr("cskpi.time.calendar._FOLD_YEAR", 9000)
    assert business_seconds(start, end, cal).tolist() == folded.tolist()


# --- config -----------------------------------------------------------------------------------


def test_parse_weekly_table() -> None:
    cal = parse_calendar(
        {
            "timezone": "Asia/Seoul",
            "mon": "09:00-18:00",
            "tue": ["13:00-18:00", "09:00-12:00"],
            "wed": ["09:00-12:00", "11:00-13:00", "13:00-14:00"],  # overlapping and touching
            "fri": "22:00-06:00",
            "sat": "20:00-24:00",
            "sun": "23:00-01:30",
            "holidays": ["2024-01-01", dt.date(2024, 2, 9), "2024-12-24..2024-12-26"],
        }
    )
    assert cal.tz == "Asia/Seoul"
    assert cal.weekly == (
        ((0, 90), (540, 1080)),  # Sunday's shift runs into Monday
        ((540, 720), (780, 1080)),
        ((540, 840),),
        (),
        ((1320, 1440),),
        ((0, 360), (1200, 1440)),
        ((1380, 1440),),
    )
    assert cal.holidays == {
        dt.date(2024, 1, 1),
        dt.date(2024, 2, 9),
        dt.date(2024, 12, 24),
        dt.date(2024, 12, 25),
        dt.date(2024, 12, 26),
    }


def test_parse_single_values_and_midnight_end() -> None:
    cal = parse_calendar({"timezone": "UTC", "sat": "22:00-00:00", "holidays": "2024-01-01"})
    assert cal.weekly[5] == ((1320, 1440),) and cal.weekly[6] == ()
    assert cal.holidays == {dt.date(2024, 1, 1)}
    assert always_open().weekly == (((0, 1440),),) * 7


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (
            {"timezone": BERLIN, "mon": "09:00-18:00", "tuesday": "09:00-18:00"},
            "business_hours: unknown key 'tuesday' (did you mean tue?)",
        ),
        (
            {"timezone": BERLIN, "mon": "09:00-18:00", "holiday": ["2024-01-01"]},
            "business_hours: unknown key 'holiday' (did you mean holidays?)",
        ),
        (
            {"timezone": BERLIN, "opening": "09:00-18:00"},
            "business_hours: unknown key 'opening'; "
            "valid keys: timezone, mon, tue, wed, thu, fri, sat, sun, holidays",
        ),
        (
            {"timezone": BERLIN, "mon": "9am-6pm"},
            "business_hours.mon: bad time range '9am-6pm'; expected HH:MM-HH:MM, "
            'e.g. "09:00-18:00"',
        ),
        (
            {"timezone": BERLIN, "tue": ["09:00-12:00", "13:00-25:00"]},
            "business_hours.tue: bad time in '13:00-25:00'; times run from 00:00 to 24:00",
        ),
        (
            {"timezone": BERLIN, "wed": "24:00-06:00"},
            "business_hours.wed: bad time in '24:00-06:00'; times run from 00:00 to 24:00",
        ),
        (
            {"timezone": BERLIN, "thu": "09:00-09:00"},
            "business_hours.thu: empty range '09:00-09:00'; write \"00:00-24:00\" for a whole day",
        ),
        (
            {"timezone": BERLIN, "fri": 9},
            'business_hours.fri: expected "HH:MM-HH:MM" or a list of them, got 9',
        ),
        (
            {"timezone": BERLIN},
            'business_hours: no opening hours; give at least one day, e.g. mon = "09:00-18:00"',
        ),
        (
            {"timezone": BERLIN, "mon": [], "holidays": ["2024-01-01"]},
            'business_hours: no opening hours; give at least one day, e.g. mon = "09:00-18:00"',
        ),
        (
            {"mon": "09:00-18:00"},
            "business_hours: missing key 'timezone', e.g. timezone = \"Asia/Seoul\"",
        ),
        (
            {"timezone": "Europe/Berlinn", "mon": "09:00-18:00"},
            "business_hours.timezone: unknown time zone 'Europe/Berlinn' "
            "(did you mean Europe/Berlin?)",
        ),
        (
            {"timezone": BERLIN, "mon": "09:00-18:00", "holidays": ["2024-02-30"]},
            "business_hours.holidays: bad date '2024-02-30'; "
            "expected YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD",
        ),
        (
            {"timezone": BERLIN, "mon": "09:00-18:00", "holidays": ["2024-12-26..2024-12-24"]},
            "business_hours.holidays: range '2024-12-26..2024-12-24' ends before it starts",
        ),
        (
            {"timezone": BERLIN, "mon": "09:00-18:00", "holidays": 20240101},
            "business_hours.holidays: expected a list of dates, got 20240101",
        ),
    ],
)
def test_parse_errors(table: dict[str, object], message: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_calendar(table)
    assert str(caught.value) == message
    assert caught.value.exit_code == 2


def test_parse_errors_name_the_table() -> None:
    with pytest.raises(UsageError, match=r"^calendars\.support\.sat: bad time range"):
        parse_calendar({"timezone": BERLIN, "sat": "10-14"}, where="calendars.support")


# --- properties -------------------------------------------------------------------------------

ZONES = [
    "UTC",
    BERLIN,
    NEW_YORK,
    "Asia/Seoul",
    "Asia/Kathmandu",  # +05:45
    "Australia/Lord_Howe",  # 30-minute DST
    "America/Santiago",  # changes at midnight
    "Europe/Dublin",  # "negative" DST in tzdata
    "Pacific/Apia",  # skipped 30 Dec 2011 entirely
]
LO = at("2010-01-01 00:00", "UTC")
HI = at("2027-01-01 00:00", "UTC")
instants = st.integers(LO, HI)
US_PER_DAY = 86_400 * 1_000_000


@st.composite
def spans(draw: st.DrawFn, size: int = 20) -> tuple[np.ndarray, np.ndarray]:
    """Pairs with start <= end: durations from a second to years, with NaT sprinkled in."""
    n = draw(st.integers(1, size))
    start = np.array(draw(st.lists(instants, min_size=n, max_size=n)), dtype=np.int64)
    scale = draw(st.sampled_from([10**6, 3600 * 10**6, US_PER_DAY, 400 * US_PER_DAY]))
    length = np.array(draw(st.lists(st.integers(0, scale), min_size=n, max_size=n)))
    return start, start + length


@settings(max_examples=200, deadline=None)
@given(tz=st.sampled_from(ZONES), pairs=spans())
def test_always_open_is_calendar_time(tz: str, pairs: tuple[np.ndarray, np.ndarray]) -> None:
    start, end = pairs
    assert business_seconds(start, end, always_open(tz)).tolist() == ((end - start) / 1e6).tolist()


@st.composite
def office_like(draw: st.DrawFn) -> BusinessCalendar:
    tz = draw(st.sampled_from(ZONES))
    hours = draw(st.sampled_from(["09:00-18:00", ["08:00-12:00", "13:00-17:30"], "22:00-06:00"]))
    days = draw(st.sampled_from([WEEKDAYS, DAYS, ("sat", "sun")]))
    return calendar(tz=tz, days=days, hours=hours, holidays=["2024-12-24..2024-12-26"])


@settings(max_examples=200, deadline=None)
@given(data=st.data(), pairs=spans())
def test_additive_bounded_and_antisymmetric(
    data: st.DataObject, pairs: tuple[np.ndarray, np.ndarray]
) -> None:
    cal = data.draw(office_like())
    start, end = pairs
    cut = start + ((end - start) * data.draw(st.floats(0, 1))).astype(np.int64)
    whole = business_seconds(start, end, cal)
    first = business_seconds(start, cut, cal)
    second = business_seconds(cut, end, cal)
    # Exact in microseconds: every result is an integer number of µs divided by 1e6.
    us = [np.round(x * 1e6).astype(np.int64) for x in (whole, first, second)]
    assert (us[1] + us[2] == us[0]).all()
    assert (whole >= 0).all()
    assert (whole <= (end - start) / 1e6).all()
    assert (business_seconds(end, start, cal) == -whole).all()


def _oracle(start: int, end: int, cal: BusinessCalendar, step: int) -> float:
    """Open seconds by walking UTC in `step`-µs steps and reading the local wall clock."""
    zone = ZoneInfo(cal.tz)
    open_steps = 0
    for t in range(start, end, step):
        local = dt.datetime.fromtimestamp(t // 1_000_000, zone)
        minute = local.hour * 60 + local.minute
        if local.date() not in cal.holidays and any(
            a <= minute < b for a, b in cal.weekly[local.weekday()]
        ):
            open_steps += 1
    return open_steps * step / 1e6


QUARTER = 15 * 60 * 1_000_000
# Range edges on a 15-minute grid, avoiding the inside of the hours that Berlin (02:00-03:00)
# and New York (02:00-03:00 in spring, 01:00-02:00 in autumn) skip or repeat: there the
# oracle's "is this wall time open" reading and the documented "first time the clock shows
# it" rule differ on purpose.
EDGES = [m for m in range(0, 1441, 15) if not (60 < m < 180 and m % 60)]


@st.composite
def random_calendars(draw: st.DrawFn) -> BusinessCalendar:
    table: dict[str, object] = {
        "timezone": draw(st.sampled_from([BERLIN, NEW_YORK, "Asia/Kathmandu"]))
    }
    for day in draw(st.sets(st.sampled_from(DAYS), min_size=1)):
        ranges = []
        for _ in range(draw(st.integers(1, 3))):
            a = draw(st.sampled_from(EDGES[:-1]))
            b = draw(st.sampled_from([m for m in EDGES if m != a]))
            ranges.append(f"{a // 60:02d}:{a % 60:02d}-{b // 60:02d}:{b % 60:02d}")
        table[day] = ranges
    first = draw(st.dates(dt.date(2024, 1, 1), dt.date(2024, 12, 31)))
    table["holidays"] = [f"{first}..{first + dt.timedelta(days=draw(st.integers(0, 3)))}"]
    return parse_calendar(table)


# Around the 2024 changes in Berlin and New York, plus ordinary weeks.
ANCHORS = ["2024-03-10", "2024-03-31", "2024-07-15", "2024-10-27", "2024-11-03", "2024-12-30"]


@settings(max_examples=150, deadline=None)
@given(cal=random_calendars(), data=st.data())
def test_matches_a_step_by_step_oracle(cal: BusinessCalendar, data: st.DataObject) -> None:
    anchor = at(f"{data.draw(st.sampled_from(ANCHORS))} 00:00", "UTC")
    offsets = st.integers(-5 * 96, 5 * 96).map(lambda k: anchor + k * QUARTER)
    pairs = data.draw(st.lists(st.tuples(offsets, offsets), min_size=1, max_size=4))
    start = np.array([min(p) for p in pairs])
    end = np.array([max(p) for p in pairs])
    got = business_seconds(start, end, cal)
    want = [_oracle(s, e, cal, QUARTER) for s, e in zip(start.tolist(), end.tolist(), strict=True)]
    assert got.tolist() == want


def test_a_skipped_day_is_not_counted_twice() -> None:
    # Pacific/Apia skipped 2011-12-30 (UTC-10 → UTC+14): pandas shifts its midnight an hour
    # past the gap, which overlapped two days. 24/7 over the jump equals calendar time:
    # 2011-12-29T00:00Z → 2011-12-31T00:00Z is 48 h.
    start = np.array([1325116800 * 10**6])  # 2011-12-29T00:00Z
    end = np.array([1325289600 * 10**6])  # 2011-12-31T00:00Z
    assert business_seconds(start, end, always_open("Pacific/Apia")).tolist() == [172800.0]


def test_a_row_with_one_end_missing_and_the_other_far_out_is_nan() -> None:
    # Row 0: Mon 2024-03-04 09:00 → 10:00 with a split day (09:00-12:00, 13:00-17:00) = 3600 s.
    # Row 1: no start, its end a year past every complete row: NaN, and it must not send the
    # clock's lookup past the span it was built for (it raised IndexError).
    cal = calendar(hours=["09:00-12:00", "13:00-17:00"])
    start = np.array([at("2024-03-04 09:00"), NAT])
    end = np.array([at("2024-03-04 10:00"), at("2025-03-04 10:00")])
    out = business_seconds(start, end, cal)
    assert out[0] == 3600 and np.isnan(out[1])
