"""Implausible timestamps (DECISIONS 40): before 1970-01-01, or more than a day after the run's
clock, a time is treated as missing for its field and counted as `implausible_<column>`; the
time that places a row (a ticket's `created_at`, a survey's `submitted_at`, a customer's
`started_at`, an order's `ordered_at`, a message's `created_at`, an event's `at`) drops it.
Such a time never sets the default as_of or window; `--strict` fails on it; an explicit later
`--as-of` moves the limit. The clock is pinned: `LoadOptions.now` below the command line,
`cskpi.cli.common.wall_clock` through it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import cskpi
from cskpi.cli import app, common
from cskpi.load.business import load_business
from cskpi.load.normalize import LoadOptions, read_frame
from cskpi.load.plausible import implausible, latest_us
from cskpi.load.schema import Frame

NOW = datetime(2024, 6, 1, tzinfo=UTC)  # the pinned clock: the limit is 2024-06-02 00:00Z
PINNED = LoadOptions(now=NOW)
CORPUS = Path(__file__).resolve().parent / "data" / "bad"
runner = CliRunner()


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no stray ./cskpi.toml
    monkeypatch.delenv("CSKPI_DEBUG", raising=False)


def write(folder: Path, name: str, text: str) -> str:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


# -- the bounds ----------------------------------------------------------------------------------


def test_bounds_are_1970_and_a_day_after_now() -> None:
    """Exactly 1970-01-01T00:00Z and exactly now + 1 day are plausible; one second outside
    either is not; a missing value never is."""
    values = pd.Series(
        [
            utc("1969-12-31T23:59:59"),
            utc("1970-01-01T00:00:00"),
            utc("2024-06-02T00:00:00"),
            utc("2024-06-02T00:00:01"),
            pd.NaT,
            utc("9999-12-31T00:00:00"),
        ],
        dtype="datetime64[us, UTC]",
    )
    mask = implausible(values, NOW)
    assert mask is not None
    assert mask.tolist() == [True, False, False, True, False, True]
    # without a clock (below the edge, none passed) only the 1970 bound applies
    low = implausible(values, None)
    assert low is not None and low.tolist() == [True, False, False, False, False, False]
    assert implausible(values.iloc[1:3], NOW) is None  # nothing to mask: no work


def test_limit_in_microseconds_past_year_9999() -> None:
    """2024-06-01 is 1_717_200_000 s after the epoch; the limit is one day (86_400 s) later.
    A clock at year 9999 (an explicit --as-of) must not overflow `datetime`."""
    assert latest_us(NOW) == (1_717_200_000 + 86_400) * 1_000_000
    assert latest_us(datetime(2024, 6, 1)) == latest_us(NOW)  # naive = UTC
    assert latest_us(datetime(9999, 12, 31, 23, 59, tzinfo=UTC)) is not None
    assert latest_us(None) is None


# -- tickets and surveys, loaded with a pinned clock ---------------------------------------------

TICKETS = """\
Ticket ID,Created At,First Response At,Resolved At,Closed At,Updated At,Status
T1,2024-03-01 09:00,2024-03-01 09:10,2024-03-01 10:00,,2024-03-02 00:00,closed
T2,2024-03-01 12:00,2024-03-01 12:30,9999-12-31,2024-03-03 12:00,2024-03-04 00:00,closed
T3,2024-03-02 08:00,2204-03-02 09:00,,,9999-12-31,open
T4,2204-03-02 08:00,,,,,open
,1900-01-01,,,,,open
T6,1969-12-31 23:00,,,,,open
"""


def test_ticket_times(tmp_path: Path) -> None:
    """T2: its 9999 resolution is missing, so its close (2024-03-03 12:00) resolves it (DATA.md:
    closed without a solve). T3: its 2204 reply and 9999 update are missing. T4 (2204) and T6
    (1969) are dropped as implausible_created_at; the row without an id is dropped as
    missing_ticket_id, its first reason."""
    loaded = cskpi.load(write(tmp_path, "t.csv", TICKETS), options=PINNED).tickets
    assert loaded is not None
    frame = loaded.frame.set_index("ticket_id")
    assert frame.index.tolist() == ["T1", "T2", "T3"]
    assert frame.loc["T2", "resolved_at"] == utc("2024-03-03T12:00")
    assert pd.isna(frame.loc["T3", "first_response_at"]) and pd.isna(frame.loc["T3", "updated_at"])
    assert dict(loaded.quality.dropped) == {"missing_ticket_id": 1, "implausible_created_at": 2}
    assert dict(loaded.quality.issues) == {
        "implausible_first_response_at": 1,
        "implausible_resolved_at": 1,
        "implausible_updated_at": 1,
    }
    examples = dict(loaded.quality.examples)
    assert [e.rsplit(":", 1)[1] for e in examples["implausible_created_at"]] == ["5", "7"]
    assert loaded.quality.read == 6


def test_derived_times_are_checked_once(tmp_path: Path) -> None:
    """Durations fill missing times: T1 2024-03-01 09:00 + 3_000_000_000 s (95 years, under
    the century a duration may last) is in 2119: implausible. T2's own 9999 resolution was
    emptied, and its duration gives 2119 as well: one count for T2, not two. T3's 3600 s
    gives 10:00 on its day."""
    text = (
        "Ticket ID,Created At,Resolved At,Resolution Time (seconds)\n"
        "T1,2024-03-01 09:00,,3000000000\n"
        "T2,2024-03-01 09:00,9999-12-31,3000000000\n"
        "T3,2024-03-01 09:00,,3600\n"
    )
    loaded = cskpi.load(write(tmp_path, "t.csv", text), options=PINNED).tickets
    assert loaded is not None
    resolved = loaded.frame.set_index("ticket_id")["resolved_at"]
    assert resolved.isna().tolist() == [True, True, False]
    assert resolved["T3"] == utc("2024-03-01T10:00")
    assert dict(loaded.quality.issues) == {"implausible_resolved_at": 2}


def test_survey_submitted_at_drops_the_response(tmp_path: Path) -> None:
    """A survey is placed by `submitted_at`: R2 (9999) and R3 (1950) are dropped as
    implausible_submitted_at, before R4's missing time is counted as missing."""
    tickets = write(tmp_path, "t.csv", "Ticket ID,Created At\nT1,2024-03-01 09:00\n")
    surveys = write(
        tmp_path,
        "s.csv",
        "Response ID,Ticket ID,Submitted At,Survey,Score\n"
        "R1,T1,2024-03-01 11:00,csat,5\n"
        "R2,T1,9999-12-31,csat,1\n"
        "R3,T1,1950-01-01,csat,1\n"
        "R4,T1,,csat,1\n",
    )
    loaded = cskpi.load(tickets, surveys, options=PINNED).surveys
    assert loaded is not None
    assert loaded.frame["response_id"].tolist() == ["R1"]
    assert dict(loaded.quality.dropped) == {
        "implausible_submitted_at": 2,
        "missing_submitted_at": 1,
    }


def test_without_a_clock_only_1970_applies(tmp_path: Path) -> None:
    """Below the edge with no `now` (read_frame, LoadOptions()): nothing reads the clock, so
    9999 stays; 1969 is still implausible."""
    text = "Ticket ID,Created At\nT1,9999-12-31\nT2,1969-12-31\n"
    loaded = read_frame([write(tmp_path, "t.csv", text)], Frame.TICKETS, LoadOptions())
    assert loaded.frame["ticket_id"].tolist() == ["T1"]
    assert dict(loaded.quality.dropped) == {"implausible_created_at": 1}


def test_the_api_reads_the_clock_when_none_is_given(tmp_path: Path) -> None:
    """`cskpi.load` is an edge: with no `now` it takes the wall clock, so 9999 is implausible."""
    text = "Ticket ID,Created At,Resolved At\nT1,2024-03-01 09:00,9999-12-31\n"
    loaded = cskpi.load(write(tmp_path, "t.csv", text)).tickets
    assert loaded is not None
    assert dict(loaded.quality.issues) == {"implausible_resolved_at": 1}


# -- business, message and event inputs ------------------------------------------------------


def test_business_times(tmp_path: Path) -> None:
    """Customers: C1's `ended_at` 9999-12-31 ("never churned") is missing, so C1 is active;
    C2 starting in 2204 is dropped. Orders: O2 (1900) is dropped. Schedules: a shift end in
    2204 is missing, its length falls back to nothing (scheduled_seconds empty)."""
    business = load_business(
        customers=write(
            tmp_path,
            "c.csv",
            "customer_id,started_at,ended_at\nC1,2023-01-01,9999-12-31\nC2,2204-01-01,\n",
        ),
        orders=write(
            tmp_path,
            "o.csv",
            "order_id,customer_id,ordered_at\nO1,C1,2024-01-05\nO2,C1,1900-01-01\n",
        ),
        schedules=write(
            tmp_path,
            "s.csv",
            "agent,start,end\nkim,2024-03-01 09:00,2024-03-01 17:00\nlee,2024-03-01 09:00,2204-03-01\n",
        ),
        options=PINNED,
    )
    assert business is not None
    customers, orders, schedules = business.customers, business.orders, business.schedules
    assert customers is not None and orders is not None and schedules is not None
    assert customers.frame["customer_id"].tolist() == ["C1"]
    assert customers.frame["ended_at"].isna().all()
    assert dict(customers.quality.dropped) == {"implausible_started_at": 1}
    assert dict(customers.quality.issues) == {"implausible_ended_at": 1}
    assert orders.frame["order_id"].tolist() == ["O1"]
    assert dict(orders.quality.dropped) == {"implausible_ordered_at": 1}
    assert dict(schedules.quality.issues) == {
        "implausible_end": 1,
        "missing_scheduled_seconds": 1,
    }
    seconds = schedules.frame.set_index("agent")["scheduled_seconds"]
    assert seconds["kim"] == 8 * 3600 and np.isnan(seconds["lee"])


def test_message_and_event_times(tmp_path: Path) -> None:
    """A message at 9999 would be the first reply (and as_of); it is dropped, so the reply
    is the one at 10:20 (20 min). The 2204 solve event is dropped: A stays unresolved. Both
    reach the tickets' issues as `<input>_implausible_<column>`."""
    tickets = write(tmp_path, "t.csv", "ticket_id,created_at\nA,2024-03-04T10:00:00Z\n")
    messages = write(
        tmp_path,
        "m.csv",
        "ticket_id,created_at,author_role\n"
        "A,2024-03-04T10:00:00Z,customer\n"
        "A,9999-12-31T00:00:00Z,agent\n"
        "A,2024-03-04T10:20:00Z,agent\n",
    )
    events = write(
        tmp_path,
        "e.csv",
        "ticket_id,at,status\nA,2024-03-04T10:00:00Z,open\nA,2204-03-04T11:00:00Z,solved\n",
    )
    inputs = cskpi.load(tickets, messages=messages, events=events, options=PINNED)
    assert inputs.messages is not None and inputs.events is not None and inputs.tickets
    assert dict(inputs.messages.quality.dropped) == {"implausible_created_at": 1}
    assert dict(inputs.events.quality.dropped) == {"implausible_at": 1}
    frame = inputs.tickets.frame.set_index("ticket_id")
    assert frame.loc["A", "first_response_at"] == utc("2024-03-04T10:20")
    assert pd.isna(frame.loc["A", "resolved_at"])
    issues = dict(inputs.tickets.quality.issues)
    assert issues["messages_implausible_created_at"] == 1
    assert issues["events_implausible_at"] == 1


# -- through the command line --------------------------------------------------------------------


def report(*args: object) -> tuple[int, dict[str, Any] | None, str]:
    result = runner.invoke(app, ["report", *[str(a) for a in args], "-f", "json"])
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    doc = json.loads(result.stdout) if result.exit_code == 0 else None
    return result.exit_code, doc, result.stderr


def test_sentinels_never_set_as_of_or_the_window() -> None:
    """sentinel_dates.csv: T2 resolved 9999-12-31 ("never"), T3 replied in 2204 (a typo), T4
    created 1899-12-30 (Excel's day 0). as_of is the latest plausible time, T3's creation
    2024-03-02 08:00; the window is the two days 03-01 and 03-02, so `--period day` gives
    two rows (the sentinel made it 2.9 million). Created: T1, T2 on 03-01, T3 on 03-02.
    FRT: T1 10 min, T2 30 min → median 1200 s over 2 (T3's reply is missing). Resolution:
    T1 alone, 1 h."""
    code, doc, stderr = report(
        CORPUS / "sentinel_dates.csv",
        "-k",
        "tickets_created,frt_median,resolution_time_median",
        "--period",
        "day",
    )
    assert code == 0 and doc is not None
    assert doc["as_of"] == "2024-03-02T08:00:00+00:00"
    assert (doc["window"]["since"], doc["window"]["until"]) == (
        "2024-03-01T00:00:00+00:00",
        "2024-03-03T00:00:00+00:00",
    )
    assert [(r["period"], r["tickets_created"]) for r in doc["rows"]] == [
        ("2024-03-01", 2),
        ("2024-03-02", 1),
    ]
    overall = doc["overall"]
    assert (overall["frt_median"], overall["frt_median_n"]) == (1200.0, 2)
    assert (overall["resolution_time_median"], overall["resolution_time_median_n"]) == (3600.0, 1)
    assert doc["data_quality"]["tickets"] == {
        "read": 4,
        "used": 3,
        "out_of_window": 0,
        "dropped": {"implausible_created_at": 1},
        "issues": {
            "implausible_first_response_at": 1,
            "implausible_resolved_at": 1,
            "resolved_without_timestamp": 1,
        },
    }
    assert "1 implausible resolved at: flagged (e.g. " in stderr
    assert "sentinel_dates.csv:3)" in stderr


def test_strict_fails_on_an_implausible_time() -> None:
    code, _, stderr = report(CORPUS / "sentinel_dates.csv", "-k", "tickets_created", "--strict")
    assert code == 4
    assert "--strict: the input has data-quality problems" in stderr
    assert "1 implausible created at: dropped" in stderr


def test_an_explicit_later_as_of_moves_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Clock pinned at 2024-03-05 00:00Z. T2, created 2024-03-10, is five days ahead of it:
    dropped by default and with `--as-of now`. `--as-of 2024-03-20` is later than the clock
    and takes its place: T2 is plausible and in the window. T3 (2024-03-25) is more than a
    day after even that: still dropped."""
    monkeypatch.setattr(common, "wall_clock", lambda: datetime(2024, 3, 5, tzinfo=UTC))
    path = write(
        tmp_path,
        "t.csv",
        "Ticket ID,Created At\nT1,2024-03-01 09:00\nT2,2024-03-10 09:00\nT3,2024-03-25 09:00\n",
    )
    for as_of in ((), ("--as-of", "now")):
        code, doc, _ = report(path, "-k", "tickets_created", *as_of)
        assert code == 0 and doc is not None
        assert doc["data_quality"]["tickets"]["dropped"] == {"implausible_created_at": 2}
        assert doc["overall"]["tickets_created"] == 1
    code, doc, _ = report(path, "-k", "tickets_created", "--as-of", "2024-03-20")
    assert code == 0 and doc is not None
    assert doc["data_quality"]["tickets"]["dropped"] == {"implausible_created_at": 1}
    assert doc["overall"]["tickets_created"] == 2  # T1 and T2, window 03-01 → as_of


def test_an_unreadable_as_of_is_still_reported_by_the_engine(tmp_path: Path) -> None:
    """`run_now` leaves a bad `--as-of` alone; the report says what is wrong (exit 2)."""
    path = write(tmp_path, "t.csv", "Ticket ID,Created At\nT1,2024-03-01 09:00\n")
    result = runner.invoke(app, ["report", path, "--as-of", "soon", "-f", "json"])
    assert result.exit_code == 2, result.stderr
    assert "--as-of" in result.stderr and "soon" in result.stderr
