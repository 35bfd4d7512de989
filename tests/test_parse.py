"""cskpi.load.parse: timestamps, durations, ids, ints and booleans from hand-made columns.

Every expected value is worked out by hand in the comment next to it. Epoch reference used
throughout: 2024-03-01T00:00Z is day 19783 after 1970-01-01 (2024-01-01 is day 19723, plus 31
days of January and 29 of February), i.e. 19783 × 86400 = 1_709_251_200 s.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import cskpi
from cskpi.errors import InputError
from cskpi.load.normalize import LoadOptions
from cskpi.load.parse import (
    Parsed,
    TimeOptions,
    decimal_commas,
    parse_bools,
    parse_durations,
    parse_ids,
    parse_ints,
    parse_times,
    unit_from_name,
)

MAR1_9H = 1_709_283_600
"""2024-03-01T09:00Z in epoch seconds: 1_709_251_200 + 9 × 3600."""


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def times(values: list[Any], column: str = "created_at", **opts: Any) -> Parsed:
    return parse_times(pd.Series(values, dtype=object), column, TimeOptions(**opts))


def shown(series: pd.Series) -> list[Any]:
    """Values with every kind of missing shown as None."""
    return [None if pd.isna(v) else v for v in series.tolist()]


def write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.fixture
def host_tz(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], None]]:
    """Change the process time zone (TZ + tzset) and restore it afterwards."""

    def use(zone: str) -> None:
        monkeypatch.setenv("TZ", zone)
        time.tzset()

    yield use
    monkeypatch.undo()
    time.tzset()


# --- timestamp forms -----------------------------------------------------------------------


def test_iso_forms_all_become_utc_microseconds() -> None:
    p = times(
        [
            "2024-03-01T09:00:00Z",  # Z = UTC → 09:00Z
            "2024-03-01T18:00:00+09:00",  # 18:00 at +09:00 → 18 − 9 = 09:00Z
            "2024-03-01T04:00:00-0500",  # 04:00 at −05:00 → 4 + 5 = 09:00Z
            "2024-03-01 09:00",  # naive, source zone UTC by default → 09:00Z
            "2024/03/01 09:00",  # YYYY/MM/DD HH:MM → 09:00Z
            "2024-03-01",  # date only → midnight UTC
        ]
    )
    assert str(p.values.dtype) == "datetime64[us, UTC]"
    assert shown(p.values) == [utc("2024-03-01 09:00")] * 5 + [utc("2024-03-01")]
    assert not p.bad.any()
    assert p.shifted == 0


def test_fractional_seconds_with_offset_keep_microseconds() -> None:
    # 09:00:00.123456 at +09:00 → 00:00:00.123456Z
    p = times(["2024-03-01T09:00:00.123456+09:00"])
    assert shown(p.values) == [utc("2024-03-01 00:00:00.123456")]


def test_hour_only_offset_mixed_with_naive_values() -> None:
    # ISO 8601 allows ±hh offsets (PostgreSQL-backed exports write `+09`).
    # 18:00+09 → 09:00Z; the naive 18:00 is in the source zone Tokyo → 09:00Z too.
    p = times(["2024-03-01 18:00:00+09", "2024-03-01 18:00"], source_tz="Asia/Tokyo")
    assert shown(p.values) == [utc("2024-03-01 09:00")] * 2
    assert not p.bad.any()


def test_naive_values_are_read_in_the_source_zone() -> None:
    # Tokyo is +09:00 all year: 18:00 local → 09:00Z. Seoul likewise (+09:00).
    p = times(["2024-03-01 18:00", "2024/03/01 18:00:00"], source_tz="Asia/Tokyo")
    assert shown(p.values) == [utc("2024-03-01 09:00")] * 2
    # An explicit offset is never re-interpreted in the source zone.
    p = times(["2024-03-01T09:00:00Z"], source_tz="Asia/Tokyo")
    assert shown(p.values) == [utc("2024-03-01 09:00")]


def test_epoch_seconds_and_milliseconds() -> None:
    p = times([str(MAR1_9H), str(MAR1_9H * 1000), f"{MAR1_9H}.5"])
    # seconds; the same instant × 1000 (≥ 1e11 → milliseconds); half a second later
    assert shown(p.values) == [
        utc("2024-03-01 09:00"),
        utc("2024-03-01 09:00"),
        utc("2024-03-01 09:00:00.5"),
    ]
    # Numeric dtype (JSON/Parquet) takes the same path.
    p = parse_times(pd.Series([MAR1_9H, MAR1_9H * 1000]), "c", TimeOptions())
    assert shown(p.values) == [utc("2024-03-01 09:00")] * 2


def test_epoch_milliseconds_threshold_is_1e11() -> None:
    p = parse_times(pd.Series([99_999_999_999, 100_000_000_000]), "c", TimeOptions())
    # 99_999_999_999 < 1e11 → seconds: far future (year 5138), still in range.
    # 1e11 → milliseconds = 1e8 s = 1157 days + 35_200 s. 1970..1972 hold 365+365+366 = 1096
    # days → 1973-01-01 is day 1096; +59 (Jan 31 + Feb 28) → Mar 1 = day 1155 → day 1157 is
    # 1973-03-03; 35_200 s = 9:46:40.
    assert shown(p.values) == [utc("5138-11-16 09:46:39"), utc("1973-03-03 09:46:40")]


def test_years_0001_and_9999_fit_and_beyond_is_unparseable() -> None:
    p = times(
        [
            "0001-01-01T00:00:00Z",
            "9999-12-31 23:59:59",
            "0001-01-01 00:00",
            "-62135596800",
            "10000-01-01",
            "-62135596801",
        ]
    )
    # −62_135_596_800 s is 0001-01-01T00:00Z (DECISIONS 23: us precision, years 0001–9999);
    # one second earlier (year 0) and year 10000 do not fit → unparseable, counted.
    assert shown(p.values) == [
        utc("0001-01-01"),
        utc("9999-12-31 23:59:59"),
        utc("0001-01-01"),
        utc("0001-01-01"),
        None,
        None,
    ]
    assert p.bad.tolist() == [False, False, False, False, True, True]


def test_garbage_is_unparseable_but_empty_is_just_missing() -> None:
    p = times(["not a date", "", "   ", None, "2024-03-01"])
    assert shown(p.values) == [None, None, None, None, utc("2024-03-01")]
    assert p.bad.tolist() == [True, False, False, False, False]  # only the non-empty garbage


def test_excel_serial_dates() -> None:
    # Excel day 0 is 1899-12-30; 2024-03-01 is serial 45352 (checked against Excel's own
    # =DATE(2024,3,1)); .5 of a day = 12:00.
    p = parse_times(pd.Series([45352.0, 45352.5]), "c", TimeOptions(excel_serials=True))
    assert shown(p.values) == [utc("2024-03-01"), utc("2024-03-01 12:00")]


def test_typed_datetimes_from_parquet_or_xlsx() -> None:
    aware = pd.Series(pd.to_datetime(["2024-03-01T18:00:00+09:00"]))
    p = parse_times(aware, "c", TimeOptions(source_tz="America/New_York"))
    assert shown(p.values) == [utc("2024-03-01 09:00")]  # aware: the offset wins
    naive = pd.Series(pd.to_datetime(["2024-03-01 18:00"]))
    p = parse_times(naive, "c", TimeOptions(source_tz="Asia/Tokyo"))
    assert shown(p.values) == [utc("2024-03-01 09:00")]  # naive: in the source zone
    assert str(p.values.dtype) == "datetime64[us, UTC]"


# --- host TZ independence --------------------------------------------------------------------


@pytest.mark.parametrize("host", ["America/Los_Angeles", "Asia/Tokyo"])
def test_results_do_not_depend_on_host_tz(
    host: str, host_tz: Callable[[str], None], tmp_path: Path
) -> None:
    host_tz(host)
    assert time.tzname[0] != "UTC"  # the host zone really changed
    # Naive 18:00 in Tokyo, 09:00Z and 18:00+09:00 are the same instant: 09:00Z.
    p = times(
        ["2024-03-01 18:00", "2024-03-01T09:00:00Z", "2024-03-01T18:00:00+09:00"],
        source_tz="Asia/Tokyo",
    )
    assert shown(p.values) == [utc("2024-03-01 09:00")] * 3
    # Naive in the default source zone (UTC) is UTC whatever the host says.
    assert shown(times(["2024-03-01 09:00"]).values) == [utc("2024-03-01 09:00")]
    # Epoch numbers are absolute.
    assert shown(times([str(MAR1_9H)]).values) == [utc("2024-03-01 09:00")]
    # End to end through a CSV file: a naive file and an offset file agree.
    naive = write(tmp_path / "naive.csv", "Ticket ID,Created At\nT1,2024-03-01 18:00\n")
    offset = write(tmp_path / "offset.csv", "Ticket ID,Created At\nT1,2024-03-01T18:00:00+09:00\n")
    opts = LoadOptions(source_tz="Asia/Tokyo")
    for path in (naive, offset):
        tickets = cskpi.load(path, options=opts).tickets
        assert tickets is not None
        assert shown(tickets.frame["created_at"]) == [utc("2024-03-01 09:00")]


# --- DST -------------------------------------------------------------------------------------


def test_dst_gap_shifts_forward_and_overlap_takes_earlier_instant() -> None:
    # Europe/Berlin 2024: 2024-03-31 02:00 CET jumps to 03:00 CEST (02:xx does not exist);
    # 2024-10-27 03:00 CEST falls back to 02:00 CET (02:xx happens twice).
    p = times(
        ["2024-03-31 02:30", "2024-10-27 02:30", "2024-06-01 12:00"], source_tz="Europe/Berlin"
    )
    gap, overlap, summer = p.values.tolist()
    # Gap: shifted forward, i.e. at or after 03:00 CEST (= 01:00Z) and before 04:00 CEST.
    assert utc("2024-03-31 01:00") <= gap < utc("2024-03-31 02:00")
    # Overlap: the earlier instant, 02:30 CEST (+02:00) = 00:30Z (not 02:30 CET = 01:30Z).
    assert overlap == utc("2024-10-27 00:30")
    # Ordinary summer time: 12:00 CEST = 10:00Z, not counted.
    assert summer == utc("2024-06-01 10:00")
    assert p.shifted == 2
    assert not p.bad.any()


def test_dst_shift_is_counted_in_data_quality(tmp_path: Path) -> None:
    path = write(
        tmp_path / "t.csv",
        "Ticket ID,Created At\nT1,2024-03-31 02:30\nT2,2024-10-27 02:30\nT3,2024-06-01 12:00\n",
    )
    tickets = cskpi.load(path, options=LoadOptions(source_tz="Europe/Berlin")).tickets
    assert tickets is not None
    assert dict(tickets.quality.issues) == {"dst_shifted_local_time": 2}
    assert len(tickets.frame) == 3  # counted, never dropped


# --- day/month order ------------------------------------------------------------------------


def test_ambiguous_day_month_column_is_refused_naming_the_column() -> None:
    with pytest.raises(InputError) as err:
        times(["03/02/2024", "04/05/2024 10:00"], column="Opened")
    message = str(err.value)
    assert "Opened" in message
    assert "--dayfirst" in message
    assert "--date-format" in message
    assert err.value.exit_code == 4


def test_ambiguous_date_through_load_names_the_source_header(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", "Ticket ID,Created At\nT1,03/02/2024\nT2,04/05/2024\n")
    with pytest.raises(InputError, match="Created At"):
        cskpi.load(path)


def test_suggested_date_format_parses_the_example_it_names() -> None:
    """The hint must work when followed: for date-only values, a format without a time."""
    values = ["03/02/2024", "04/05/2024"]
    with pytest.raises(InputError) as err:
        times(values, column="Opened")
    found = re.search(r"--date-format '([^']+)'", str(err.value))
    assert found, str(err.value)
    followed = times(values, date_format=found.group(1))
    # Either reading is fine; the hint must not turn every value unparseable.
    assert not followed.bad.any(), f"hint {found.group(1)!r} does not parse {values}"


def test_day_over_12_settles_day_first() -> None:
    # 13 cannot be a month → the whole column is day/month: 03/02 = 3 February.
    p = times(["03/02/2024", "13/05/2024 10:30", "01.12.2024 08:15:30"])
    assert shown(p.values) == [
        utc("2024-02-03"),
        utc("2024-05-13 10:30"),
        utc("2024-12-01 08:15:30"),
    ]


def test_second_field_over_12_settles_month_first() -> None:
    # 13 in the second field cannot be a month → month/day: 03/02 = 2 March.
    p = times(["03/02/2024", "02/13/2024 17:45"])
    assert shown(p.values) == [utc("2024-03-02"), utc("2024-02-13 17:45")]


def test_day_month_order_is_settled_per_file(tmp_path: Path) -> None:
    """DECISIONS 23: per column *per file*. A UK export and a US export read together."""
    uk = write(tmp_path / "uk.csv", "Ticket ID,Created At\nA1,13/02/2024\nA2,03/02/2024\n")
    us = write(tmp_path / "us.csv", "Ticket ID,Created At\nB1,02/13/2024\nB2,03/02/2024\n")
    loaded = cskpi.load([uk, us]).tickets
    assert loaded is not None
    got = dict(zip(loaded.frame["ticket_id"], loaded.frame["created_at"], strict=True))
    # uk.csv: 13 in the first field → day/month: 13 Feb, 3 Feb.
    # us.csv: 13 in the second field → month/day: 13 Feb, 2 Mar.
    assert got == {
        "A1": utc("2024-02-13"),
        "A2": utc("2024-02-03"),
        "B1": utc("2024-02-13"),
        "B2": utc("2024-03-02"),
    }
    assert dict(loaded.quality.dropped) == {}


def test_dayfirst_flag() -> None:
    p = times(["03/02/2024 14:00", "04-05-2024"], dayfirst=True)
    assert shown(p.values) == [utc("2024-02-03 14:00"), utc("2024-05-04")]


def test_date_format_option_in_source_zone() -> None:
    # 03 Feb 2024 14:00 in Tokyo (+09:00) → 05:00Z.
    p = times(["03 Feb 2024 14:00", "nope"], date_format="%d %b %Y %H:%M", source_tz="Asia/Tokyo")
    assert shown(p.values) == [utc("2024-02-03 05:00"), None]
    assert p.bad.tolist() == [False, True]


def test_date_format_option_settles_ambiguity() -> None:
    p = times(["03/02/2024 14:00"], date_format="%m/%d/%Y %H:%M")
    assert shown(p.values) == [utc("2024-03-02 14:00")]


# --- durations -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("reply_time_in_minutes", 60.0),
        ("First response time (in hrs)", 3600.0),
        ("Handle Time (s)", 1.0),
        ("handle_seconds", 1.0),
        ("Resolution time (mins)", 60.0),
        ("first_reply_time_mins", 60.0),  # `_mins` is a unit suffix to the mapper too
        ("reply_time_in_mins", 60.0),
        ("Full resolution time (hours)", 3600.0),
        ("resolution_time_ms", 0.001),
        ("Time to resolve (days)", 86400.0),
    ],
)
def test_unit_from_header(header: str, seconds: float) -> None:
    assert unit_from_name(header) == seconds


def test_durations_numbers_scaled_by_unit() -> None:
    p = parse_durations(pd.Series(["12", "1.5", " 0 "], dtype=object), 60.0)
    assert p.values.tolist() == [720.0, 90.0, 0.0]  # 12 × 60, 1.5 × 60, a real zero stays 0
    p = parse_durations(pd.Series([1.5, None]), 3600.0)  # numeric dtype: 1.5 h = 5400 s
    assert shown(p.values) == [5400.0, None]
    assert not p.bad.any()


def test_durations_clock_and_humanised_text() -> None:
    p = parse_durations(
        pd.Series(
            [
                "01:02:03",  # 3600 + 120 + 3 = 3723
                "1:30",  # HH:MM → 1 h 30 min = 5400
                "1 day 3 hours",  # 86400 + 3 × 3600 = 97200
                "2 hours 5 minutes",  # 7200 + 300 = 7500
                "1h 30m",  # 3600 + 1800 = 5400
                "45 secs",  # 45
            ],
            dtype=object,
        ),
        60.0,
    )  # the unit applies to bare numbers only
    assert p.values.tolist() == [3723.0, 5400.0, 97200.0, 7500.0, 5400.0, 45.0]
    assert not p.bad.any()


def test_duration_placeholders_are_missing_not_zero() -> None:
    p = parse_durations(
        pd.Series(["--", "", None, "n/a", "soon", "3 fortnights"], dtype=object), 1.0
    )
    assert shown(p.values) == [None] * 6  # never 0.0
    # `--`/empty/n/a mean "no value"; text that is not a duration is unreadable (counted).
    assert p.bad.tolist() == [False, False, False, False, True, True]


# --- ids, ints, booleans ---------------------------------------------------------------------


def test_ids_are_verbatim_text() -> None:
    out = parse_ids(pd.Series(["000123", " 42 ", "A-7", None, ""], dtype=object))
    assert shown(out) == ["000123", "42", "A-7", None, None]


def test_float_ids_lose_the_point_zero() -> None:
    # XLSX / JSON numbers typed into an id column.
    assert shown(parse_ids(pd.Series([123.0, 4.5, None]))) == ["123", "4.5", None]
    assert shown(parse_ids(pd.Series([123.0, "0007", None], dtype=object))) == ["123", "0007", None]


def test_ints() -> None:
    p = parse_ints(pd.Series(["1", "2.0", "2.5", "x", "", None], dtype=object))
    assert shown(p.values) == [1, 2, None, None, None, None]
    assert p.bad.tolist() == [False, False, True, True, False, False]  # empty ≠ bad


def test_bools() -> None:
    p = parse_bools(pd.Series(["yes", "No", "1", "0", "TRUE", "maybe", ""], dtype=object))
    assert shown(p.values) == [True, False, True, False, True, None, None]
    assert p.bad.tolist() == [False, False, False, False, False, True, False]


def test_ints_and_bools_read_as_categories_parse_per_category() -> None:
    """A CSV reads counts and flags as categories (a few distinct values each): every row
    gets its category's value, a missing row stays missing and not bad."""
    counts = pd.Series(["1", " 2 ", "2.5", None, "1", "", "x"], dtype="category")
    p = parse_ints(counts)
    # "1" → 1 and " 2 " → 2 (spaces around a whole number), "2.5" not whole and "x" no
    # number: bad; None and "" are missing, not bad
    assert shown(p.values) == [1, 2, None, None, 1, None, None]
    assert p.bad.tolist() == [False, False, True, False, False, False, True]
    assert str(p.values.dtype) == "Int16"  # counts up to 2: the width typed files keep
    none = parse_ints(pd.Series([None, None], dtype="category"))
    assert shown(none.values) == [None, None] and not none.bad.any()
    # a `;` file's counts read as categories get their decimal commas read too: "1,0" → 1
    commas = pd.Series(["1,0", "2", None], dtype="str").astype("category")
    fixed = decimal_commas(commas, np.ones(3, dtype=bool))
    assert shown(parse_ints(fixed).values) == [1, 2, None]
    flags = parse_bools(pd.Series(["yes", "No", None, "maybe", "yes"], dtype="category"))
    assert shown(flags.values) == [True, False, None, None, True]
    assert flags.bad.tolist() == [False, False, False, True, False]


def test_numeric_durations_over_a_century_are_unparseable() -> None:
    """Numbers get the century cap that text gets: 2**63 µs in seconds (9.2e12 s, about
    292,000 years) is no duration, and adding it to a timestamp overflowed (found by fuzz)."""
    p = parse_durations(pd.Series([60.0, 9223372036851.0, None, -30.0]), 1.0)
    assert p.values.tolist()[0] == 60.0 and p.values.tolist()[3] == -30.0
    assert p.values.isna().tolist() == [False, True, True, False]
    assert p.bad.tolist() == [False, True, False, False]


def test_huge_numeric_duration_is_counted_not_a_crash(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "t.parquet"
    pq.write_table(
        pa.table(
            {
                "ticket_id": pa.array(["T1", "T2"]),
                "created_at": pa.array(["2024-03-01T00:00:00Z", "2024-03-01T01:00:00Z"]),
                "time_to_first_response": pa.array([600.0, 9223372036851.0]),
            }
        ),
        path,
    )
    inputs = cskpi.load(str(path))
    assert inputs.tickets is not None
    # T1 answered 600 s after creation; T2's duration is unusable: no response time
    stamps = inputs.tickets.frame["first_response_at"]
    assert str(stamps.iloc[0]) == "2024-03-01 00:10:00+00:00" and pd.isna(stamps.iloc[1])
    assert dict(inputs.tickets.quality.issues) == {"unparseable_first_response_seconds": 1}


def test_float_ids_that_are_no_whole_number_stay_text() -> None:
    """inf and 1e300 are floats no int64 holds (found by fuzz: a crash); 12.0 is id 12."""
    from cskpi.load.parse import parse_ids

    ids = parse_ids(pd.Series([12.0, float("inf"), 1e300, 1.5, None]))
    assert ids.tolist()[:4] == ["12", "inf", "1e+300", "1.5"] and pd.isna(ids.tolist()[4])


def test_hour_with_zone_next_to_naive_values() -> None:
    """`2024-03-01T09Z` (an hour and a zone, valid ISO 8601) among naive times crashed with
    pandas' "Mixed timezones detected"; it is read as 09:00 UTC, the naive ones in the
    source zone (New York, UTC-5 in March before DST: 09:00 → 14:00 UTC)."""
    raw = pd.Series(["2024-03-01 09:00", "2024-03-01T09Z", "2024-03-01T09+01"], dtype="str")
    p = parse_times(raw, "created", TimeOptions(source_tz="America/New_York"))
    assert [str(v) for v in p.values] == [
        "2024-03-01 14:00:00+00:00",
        "2024-03-01 09:00:00+00:00",
        "2024-03-01 08:00:00+00:00",
    ]
    assert not p.bad.any()
