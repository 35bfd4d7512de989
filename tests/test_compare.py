"""`--compare` with periods, uncovered previous data, partial buckets and special groups
(DECISIONS 37, 38, 39, 42). Every expectation is worked out by hand from the fixtures below.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import cskpi
from cskpi import ReportRequest
from cskpi.cli import app
from cskpi.result import Compare, Period
from cskpi.time.window import WindowSpec

# Three months, UTC. First responses in seconds after creation in the comment column.
TICKETS = """\
ticket_id,created_at,first_response_at,agent
T1,2024-03-01T09:00:00Z,2024-03-01T09:20:00Z,kim
T2,2024-03-15T10:00:00Z,2024-03-15T11:00:00Z,lee
T3,2024-04-02T08:00:00Z,2024-04-02T08:10:00Z,kim
T4,2024-04-10T12:00:00Z,2024-04-10T12:30:00Z,kim
T5,2024-04-25T09:00:00Z,2024-04-25T10:00:00Z,lee
T6,2024-05-06T09:00:00Z,2024-05-06T09:40:00Z,kim
T7,2024-05-14T10:00:00Z,2024-05-14T10:05:00Z,
"""
"""FRT: T1 1200, T2 3600 | T3 600, T4 1800, T5 3600 | T6 2400, T7 300.

- March: 2 tickets, frt median (1200 + 3600) / 2 = 2400.
- April: 3 tickets, frt median 1800.
- May (to as_of): 2 tickets, frt median (2400 + 300) / 2 = 1350.
- The earliest record is T1: the inputs cover everything from 2024-03-01 00:00 UTC on.
"""

AS_OF = "2024-05-15T12:00:00Z"  # mid-May: the May bucket is partial


@pytest.fixture
def tickets(tmp_path: Path) -> str:
    path = tmp_path / "tickets.csv"
    path.write_text(TICKETS, encoding="utf-8")
    return str(path)


def report(path: str, *kpis: str, **request: Any) -> cskpi.Result:
    request.setdefault("as_of", AS_OF)
    request.setdefault("tz", "UTC")
    return cskpi.compute(cskpi.load(path), ReportRequest(kpis=kpis, **request))


def rows(result: cskpi.Result) -> list[dict[str, Any]]:
    return [
        {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()}
        for r in result.rows.to_dict("records")
    ]


# -- DECISIONS 37: each bucket with its own previous bucket ------------------------------


def test_quarter_by_month_compares_each_month_with_the_month_before(tickets: str) -> None:
    r = report(
        tickets,
        "tickets_created",
        "frt_median",
        window=WindowSpec(quarter="2024Q2"),
        period=Period.MONTH,
        compare=Compare.PREVIOUS,
    )
    got = {x["period"]: x for x in rows(r)}
    assert list(got) == ["2024-04", "2024-05"]  # June has no record: no row
    april, may = got["2024-04"], got["2024-05"]
    # April against March (not against January, the first month of the previous quarter)
    assert april["period_previous"] == "2024-03"
    assert (april["tickets_created"], april["tickets_created_previous"]) == (3, 2)
    assert april["tickets_created_change"] == 1  # 3 − 2
    assert (april["frt_median"], april["frt_median_previous"]) == (1800.0, 2400.0)
    assert april["frt_median_change"] == -600.0  # 1800 − 2400
    # May against April: 2 − 3 = −1; 1350 − 1800 = −450
    assert may["period_previous"] == "2024-04"
    assert (may["tickets_created_previous"], may["tickets_created_change"]) == (3, -1)
    assert (may["frt_median_previous"], may["frt_median_change"]) == (1800.0, -450.0)


def test_first_bucket_compares_with_the_unit_before_the_window(tickets: str) -> None:
    # [04-01, 06-01) by week: 2024-04-01 is a Monday, so W14 starts the window
    r = report(
        tickets,
        "tickets_created",
        window=WindowSpec(since="2024-04-01", until="2024-04-28"),
        period=Period.WEEK,
        compare=Compare.PREVIOUS,
    )
    got = [(x["period"], x["period_previous"], x["tickets_created"]) for x in rows(r)]
    # W14 (04-01..07) T3; W15 (04-08..14) T4; W16 (04-15..21) none: no row; W17 T5
    assert got == [
        ("2024-W14", "2024-W13", 1),
        ("2024-W15", "2024-W14", 1),
        ("2024-W17", "2024-W16", 1),
    ]
    # W13 (03-25..31) is covered (from 03-01) and empty: 0 before, not null → +1;
    # W14 had 1 → 0; W16 covered and empty → 0 → +1
    previous = [(x["tickets_created_previous"], x["tickets_created_change"]) for x in rows(r)]
    assert previous == [(0, 1), (1, 0), (0, 1)]


def test_day_buckets_compare_day_over_day(tickets: str) -> None:
    r = report(
        tickets,
        "tickets_created",
        window=WindowSpec(since="2024-04-10", until="2024-04-10"),
        period=Period.DAY,
        compare=Compare.PREVIOUS,
    )
    (only,) = rows(r)
    # 04-10 (T4) against 04-09 (covered, no record)
    assert (only["period"], only["period_previous"]) == ("2024-04-10", "2024-04-09")
    assert (only["tickets_created"], only["tickets_created_previous"]) == (1, 0)


def test_year_compares_each_bucket_with_the_same_bucket_a_year_earlier(tickets: str) -> None:
    r = report(
        tickets,
        "tickets_created",
        window=WindowSpec(since="2024-04-01", until="2024-05-31"),
        period=Period.MONTH,
        compare=Compare.YEAR,
    )
    got = [(x["period"], x["period_previous"], x["tickets_created_previous"]) for x in rows(r)]
    # 2023 lies before the first record (2024-03-01): not covered → null, never 0
    assert got == [("2024-04", "2023-04", None), ("2024-05", "2023-05", None)]


def test_year_with_iso_weeks(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(
        "ticket_id,created_at\n"
        "A,2024-04-01T10:00:00Z\n"  # Monday of 2024-W14: the first record
        "B,2024-04-07T12:00:00Z\n"  # Sunday: still 2024-W14
        "C,2024-04-09T10:00:00Z\n"  # 2024-W15 (04-08..14)
        "D,2024-04-10T10:00:00Z\n"  # 2024-W15
        "E,2025-04-08T10:00:00Z\n",  # 2025-W15 (2025-04-07..13)
        encoding="utf-8",
    )
    r = cskpi.compute(
        cskpi.load(str(path)),
        ReportRequest(
            kpis=("tickets_created",),
            window=WindowSpec(since="2025-04-07", until="2025-04-13"),
            period=Period.WEEK,
            compare=Compare.YEAR,
            tz="UTC",
        ),
    )
    (only,) = rows(r)
    # 2025-W15 against 2024-W15 (C, D); a date a year back (2024-04-07) would add B
    assert (only["period"], only["period_previous"]) == ("2025-W15", "2024-W15")
    assert (only["tickets_created"], only["tickets_created_previous"]) == (1, 2)
    assert only["tickets_created_change"] == -1
    # as_of = E (2025-04-08 10:00), the week runs to 04-14: partial
    assert only["partial"] is True


def test_without_a_period_entry_5_stands(tickets: str) -> None:
    r = report(
        tickets,
        "tickets_created",
        "frt_median",
        window=WindowSpec(month="2024-04"),
        compare=Compare.PREVIOUS,
    )
    # April against March, the previous calendar month: 3 vs 2, 1800 vs 2400
    o = r.overall
    assert (o["tickets_created"], o["tickets_created_previous"]) == (3, 2)
    assert (o["frt_median_previous"], o["frt_median_change"]) == (2400.0, -600.0)
    assert "period_previous" not in r.rows.columns and "partial" not in r.rows.columns
    assert rows(r)[0]["tickets_created_previous"] == 2


def test_groups_match_by_label(tickets: str) -> None:
    r = report(
        tickets,
        "tickets_created",
        window=WindowSpec(since="2024-04-01", until="2024-05-31"),
        period=Period.MONTH,
        group_by=("agent",),
        compare=Compare.PREVIOUS,
    )
    got = {(x["agent"], x["period"]): x["tickets_created_previous"] for x in rows(r)}
    # kim: April T3, T4 against March T1 → 1; May T6 against April 2
    # lee: April T5 against March T2 → 1; (unassigned): May T7, absent in April → null
    assert got == {
        ("kim", "2024-04"): 1,
        ("kim", "2024-05"): 2,
        ("lee", "2024-04"): 1,
        ("(unassigned)", "2024-05"): None,
    }


# -- DECISIONS 38: no data is not zero ----------------------------------------------------


def test_previous_before_the_first_record_is_null_not_zero(tickets: str) -> None:
    r = report(
        tickets, "tickets_created", "frt_median", period=Period.MONTH, compare=Compare.PREVIOUS
    )
    first = rows(r)[0]
    # the default window starts 2024-03-01; February is before the first record: null,
    # although a pass over February finds 0 tickets
    assert (first["period"], first["period_previous"]) == ("2024-03", "2024-02")
    assert first["tickets_created_previous"] is None and first["tickets_created_change"] is None
    assert first["frt_median_previous"] is None
    # April against March is covered: 3 − 2
    assert rows(r)[1]["tickets_created_change"] == 1
    # overall: the equal-length window before 03-01 is not covered either
    assert r.overall["tickets_created"] == 7
    assert r.overall["tickets_created_previous"] is None
    assert r.overall["tickets_created_change"] is None


def test_coverage_is_per_anchor(tmp_path: Path) -> None:
    """Resolutions start later than creations: March's previous is covered for tickets
    created, not for tickets resolved."""
    path = tmp_path / "t.csv"
    path.write_text(
        "ticket_id,created_at,resolved_at\n"
        "A,2024-02-01T10:00:00Z,2024-03-05T10:00:00Z\n"
        "B,2024-03-02T10:00:00Z,2024-03-03T10:00:00Z\n",
        encoding="utf-8",
    )
    r = cskpi.compute(
        cskpi.load(str(path)),
        ReportRequest(
            kpis=("tickets_created", "tickets_resolved"),
            window=WindowSpec(month="2024-03"),
            compare=Compare.PREVIOUS,
            tz="UTC",
        ),
    )
    o = r.overall
    # created: February covered from 02-01 (A) → 1 before, B now → 1 − 1 = 0
    assert (o["tickets_created"], o["tickets_created_previous"], o["tickets_created_change"]) == (
        1,
        1,
        0,
    )
    # resolved: the first resolution is on 03-03, so February is not covered → null
    assert (o["tickets_resolved"], o["tickets_resolved_previous"]) == (2, None)


def test_first_day_of_data_is_covered(tickets: str) -> None:
    """Coverage is by day (report zone): the first record, T1 at 09:00, covers its day."""
    r = report(
        tickets,
        "tickets_created",
        window=WindowSpec(since="2024-03-02", until="2024-03-02"),
        compare=Compare.PREVIOUS,
    )
    # the day before 03-02 is [03-01 00:00, 03-02): it starts before T1 but on its day
    assert r.overall["tickets_created_previous"] == 1  # T1


# -- DECISIONS 39: partial buckets --------------------------------------------------------


def test_partial_buckets(tickets: str) -> None:
    r = report(
        tickets,
        "tickets_created",
        window=WindowSpec(since="2024-03-10", until="2024-05-31"),
        period=Period.MONTH,
    )
    got = [(x["period"], x["partial"], x["tickets_created"]) for x in rows(r)]
    # March starts before the window (03-10): partial; April whole; May ends after as_of
    # (05-15 12:00): partial. Values are still computed: March T2, April 3, May 2.
    assert got == [("2024-03", True, 1), ("2024-04", False, 3), ("2024-05", True, 2)]
    assert list(r.rows.columns[:3]) == ["period", "partial", "tickets_created"]


def test_as_of_on_the_last_second_covers_the_month(tickets: str) -> None:
    """As-of counts through the end of its second: an export whose last record is at
    23:59:59 holds the whole day."""
    r = report(
        tickets,
        "tickets_created",
        window=WindowSpec(month="2024-04"),
        period=Period.MONTH,
        as_of="2024-04-30T23:59:59Z",
    )
    assert rows(r)[0]["partial"] is False
    r = report(
        tickets,
        "tickets_created",
        window=WindowSpec(month="2024-04"),
        period=Period.MONTH,
        as_of="2024-04-30T23:59:58Z",
    )
    assert rows(r)[0]["partial"] is True


def test_berlin_month_after_utc_data_is_partial(tmp_path: Path) -> None:
    """The issue's repro in small: UTC data read in Berlin, the last record just past
    midnight local time, gives a June bucket of half an hour."""
    path = tmp_path / "t.csv"
    path.write_text(
        "ticket_id,created_at\n"
        "A,2024-04-30T22:00:00Z\n"  # 2024-05-01 00:00 in Berlin (CEST)
        "B,2024-05-31T22:30:00Z\n",  # 2024-06-01 00:30 in Berlin: the default as_of
        encoding="utf-8",
    )
    r = cskpi.compute(
        cskpi.load(str(path)),
        ReportRequest(kpis=("tickets_created",), period=Period.MONTH, tz="Europe/Berlin"),
    )
    # window [05-01, 06-02) Berlin: May whole; June [06-01, 07-01) ends after as_of
    got = [(x["period"], x["partial"], x["tickets_created"]) for x in rows(r)]
    assert got == [("2024-05", False, 1), ("2024-06", True, 1)]


# -- DECISIONS 42: special groups last ----------------------------------------------------


def test_special_groups_sort_after_named_ones(tickets: str) -> None:
    r = report(tickets, "tickets_created", group_by=("agent",))
    # kim T1 T3 T4 T6, lee T2 T5, (unassigned) T7: label order, (unassigned) last
    assert [(x["agent"], x["tickets_created"]) for x in rows(r)] == [
        ("kim", 4),
        ("lee", 2),
        ("(unassigned)", 1),
    ]


def test_sort_ties_put_special_groups_last(tickets: str) -> None:
    r = report(
        tickets,
        "tickets_created",
        group_by=("agent",),
        window=WindowSpec(month="2024-05"),
        sort="tickets_created",
    )
    # May: kim T6 = 1, (unassigned) T7 = 1: a tie, named first; an explicit sort still
    # orders by value (asc: the same tie)
    assert [x["agent"] for x in rows(r)] == ["kim", "(unassigned)"]
    r = report(tickets, "tickets_created", group_by=("agent",), sort="tickets_created:asc")
    assert [x["agent"] for x in rows(r)] == ["(unassigned)", "lee", "kim"]  # 1, 2, 4


def test_unknown_group_last_with_surveys(tickets: str, tmp_path: Path) -> None:
    surveys = tmp_path / "s.csv"
    surveys.write_text(
        "response_id,ticket_id,submitted_at,kind,score\n"
        "R1,TX,2024-04-01T10:00:00Z,csat,5\n"  # no such ticket → (unknown)
        "R2,T3,2024-04-02T10:00:00Z,csat,2\n",
        encoding="utf-8",
    )
    inputs = cskpi.load(tickets, surveys=[str(surveys)])
    r = cskpi.compute(
        inputs, ReportRequest(kpis=("tickets_created", "csat"), group_by=("agent",), as_of=AS_OF)
    )
    # kim: R2 (2) → 0/1; (unknown): R1 (5) → 1/1, no ticket; lee, (unassigned): no survey
    got = [(x["agent"], x["tickets_created"], x["csat"]) for x in rows(r)]
    assert got == [
        ("kim", 4, 0.0),
        ("lee", 2, None),
        ("(unassigned)", 1, None),
        ("(unknown)", 0, 1.0),
    ]


# -- errors -------------------------------------------------------------------------------


def test_previous_bucket_out_of_range_is_a_usage_error(tickets: str) -> None:
    result = CliRunner().invoke(
        app,
        [
            "report",
            tickets,
            "-k",
            "tickets_created",
            "--since",
            "0001-01-01",
            "--until",
            "0001-02-28",
            "--period",
            "month",
            "--compare",
            "previous",
        ],
    )
    assert result.exit_code == 2, result.output
    assert "--compare previous: the earlier window is out of range" in result.stderr
    assert "Traceback" not in result.output
