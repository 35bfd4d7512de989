"""`--where` (DECISIONS 47), `--by` by the export's header and comma lists, relative windows
(DECISIONS 46) on the command line. Every expectation is worked out by hand from the six
tickets below (export-style headers, one with spaces)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from cskpi.cli import app
from cskpi.engine.where import parse_where

runner = CliRunner()

TICKETS = """\
Ticket ID,Created At,First Response At,Resolved At,Status,Assignee,Channel,Ticket Type,Handle Time (s)
1,2024-03-04T09:00:00Z,2024-03-04T09:10:00Z,2024-03-04T12:00:00Z,resolved,Ann,email,Incident,100
2,2024-03-05T09:00:00Z,2024-03-05T09:30:00Z,,open,Bob,chat,Question,200
3,2024-03-06T09:00:00Z,2024-03-06T10:00:00Z,2024-03-07T09:00:00Z,resolved,Ann,email,Question,300
4,2024-04-02T09:00:00Z,2024-04-02T09:05:00Z,2024-04-02T10:00:00Z,resolved,Bob,email,Incident,
5,2024-04-03T09:00:00Z,,,open,,phone,Incident,50
6,2024-04-10T09:00:00Z,2024-04-10T09:20:00Z,2024-04-10T11:00:00Z,resolved,Ann,chat,,400
"""
# The latest timestamp is ticket 6's resolution, 2024-04-10 11:00Z (a Wednesday): the
# default as_of. ISO week 2024-W15 starts Monday April 8.
SURVEYS = """\
Ticket ID,Submitted At,Score
1,2024-03-05T10:00:00Z,5
2,2024-03-06T10:00:00Z,2
4,2024-04-03T10:00:00Z,4
99,2024-04-04T10:00:00Z,1
"""
EVENTS = """\
ticket_id,at,status
2,2024-03-05T09:00:00Z,open
3,2024-03-06T09:00:00Z,open
3,2024-03-06T12:00:00Z,solved
3,2024-03-06T13:00:00Z,open
3,2024-03-07T09:00:00Z,solved
"""


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CSKPI_DEBUG", raising=False)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    out = {}
    for name, text in (("tickets", TICKETS), ("surveys", SURVEYS), ("events", EVENTS)):
        path = tmp_path / f"{name}.csv"
        path.write_text(text, encoding="utf-8")
        out[name] = str(path)
    return out


def cli(*args: object) -> Result:
    result = runner.invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.stderr, result.stderr
    return result


def report_json(*args: object) -> dict[str, Any]:
    result = cli("report", *args, "--tz", "UTC", "-q", "-f", "json")
    assert result.exit_code == 0, result.stderr
    got: dict[str, Any] = json.loads(result.stdout)
    return got


def created(files: dict[str, str], *args: object) -> int:
    got = report_json(files["tickets"], "-k", "tickets_created", *args)
    return int(got["overall"]["tickets_created"])


def user_error(result: Result, code: int, *phrases: str) -> None:
    assert result.exit_code == code, (result.exit_code, result.stderr)
    for phrase in phrases:
        assert phrase in result.stderr, (phrase, result.stderr)
    assert len(result.stderr.strip().splitlines()) <= 2, result.stderr
    assert "internal error" not in result.stderr


# -- --where -----------------------------------------------------------------------------------


def test_where_channel_counts_and_quality(files: dict[str, str]) -> None:
    got = report_json(files["tickets"], "-k", "tickets_created", "--where", "channel=email")
    # email: tickets 1, 3, 4 → 3; chat 2, 6 and phone 5 are filtered out
    assert got["overall"]["tickets_created"] == 3
    quality = got["data_quality"]["tickets"]
    # read = used + out_of_window + Σ dropped: 6 = 3 + 0 + 3
    assert quality == {
        "read": 6,
        "used": 3,
        "out_of_window": 0,
        "dropped": {"filtered_out": 3},
        "issues": {},
    }


def test_where_on_an_export_with_no_tickets_judges_each_survey_itself(
    files: dict[str, str], tmp_path: Path
) -> None:
    """A ticket export with a header and no rows: no survey finds its ticket, so each is
    judged on its own columns; the surveys have no Channel, so `channel=email` keeps none
    of the 4 (was an internal error)."""
    empty = tmp_path / "empty.csv"
    empty.write_text(TICKETS.splitlines()[0] + "\n", encoding="utf-8")
    got = report_json(
        empty, "--surveys", files["surveys"], "-k", "csat", "--where", "channel=email"
    )
    assert got["overall"]["csat_n"] == 0
    assert got["data_quality"]["surveys"]["dropped"] == {"filtered_out": 4}


def test_where_case_and_forms(files: dict[str, str]) -> None:
    # text compares trimmed and case-folded: Email = email → 1, 3, 4
    assert created(files, "--where", "Channel = Email") == 3
    # != keeps the empty cells: all but email → 2, 5, 6
    assert created(files, "--where", "channel!=email") == 3
    # in / not in; quoted values
    assert created(files, "--where", "channel in (chat, 'phone')") == 3  # 2, 5, 6
    assert created(files, "--where", "channel not in (chat,phone)") == 3  # 1, 3, 4
    # repeated --where are ANDed: email and created in April → ticket 4
    assert created(files, "--where", "channel=email", "--where", "created_at>=2024-04-01") == 1


def test_where_header_with_spaces(files: dict[str, str]) -> None:
    # Ticket Type = Incident: tickets 1, 4, 5
    assert created(files, "--where", "Ticket Type=Incident") == 3
    # != Incident: 2, 3 (Question) and 6 (no type: an empty cell is not Incident)
    assert created(files, "--where", "Ticket Type!=Incident") == 3
    # `=` with nothing after it keeps the empty cells: ticket 6
    assert created(files, "--where", "Ticket Type=") == 1


def test_where_numbers_and_times(files: dict[str, str]) -> None:
    # Handle Time (s) >= 200: 2 (200), 3 (300), 6 (400); 4 is empty, 1 and 5 below
    assert created(files, "--where", "Handle Time (s)>=200") == 3
    assert created(files, "--where", "Handle Time (s)<100") == 1  # 5 (50)
    # email or phone, and Handle Time >= 100: 1 (100), 3 (300); 4 empty, 5 is 50
    both = ("--where", "channel in (email, phone)", "--where", "Handle Time (s)>=100")
    assert created(files, *both) == 2
    # a date alone with <= keeps that whole day: created on or before Mar 5 → 1, 2
    assert created(files, "--where", "created_at<=2024-03-05") == 2
    # and > means after that day: 3, 4, 5, 6
    assert created(files, "--where", "created_at>2024-03-05") == 4
    # = with a date alone is that whole day: created Mar 5 → 2; in (Mar 4, Apr 3) → 1, 5
    assert created(files, "--where", "created_at=2024-03-05") == 1
    assert created(files, "--where", "created_at in (2024-03-04, 2024-04-03)") == 2
    assert created(files, "--where", "created_at!=2024-03-05") == 5
    # with a time it is that instant: ticket 2 at 09:00 Z
    assert created(files, "--where", "Created At=2024-03-05T09:00:00Z") == 1
    # a datetime is an instant: after Mar 5 09:00 exactly → 3, 4, 5, 6
    assert created(files, "--where", "Created At>2024-03-05T09:00") == 4


def test_where_by_agent_header(files: dict[str, str]) -> None:
    # Assignee is mapped to agent; Ann has 1, 3, 6
    assert created(files, "--where", "Assignee=Ann") == 3
    assert created(files, "--where", "agent=ann") == 3


def test_surveys_follow_their_ticket(files: dict[str, str]) -> None:
    args = (files["tickets"], "--surveys", f"csat={files['surveys']}", "-k", "csat")
    # all four surveys: 5, 2, 4, 1 → satisfied (4-5) 2 of 4
    assert report_json(*args)["overall"]["csat"] == 0.5
    got = report_json(*args, "--where", "channel=email")
    # email tickets 1 and 4 keep their surveys (5, 4); ticket 2's survey (chat) goes; the
    # survey of unknown ticket 99 has no channel of its own (an empty cell): it goes too.
    # 5, 4 → 2 of 2
    assert got["overall"]["csat"] == 1.0
    assert got["overall"]["csat_n"] == 2
    surveys = got["data_quality"]["surveys"]
    assert surveys["dropped"] == {"filtered_out": 2}
    # != keeps empty cells: not chat → the surveys of 1, 4 and 99 (5, 4, 1) → 2 of 3
    got = report_json(*args, "--where", "channel!=chat")
    assert got["overall"]["csat"] == pytest.approx(2 / 3)
    assert got["data_quality"]["surveys"]["dropped"] == {"filtered_out": 1}
    # a column only the surveys have judges every survey itself: scores 5 and 4 of 5, 2, 4, 1
    # → 2 of 2 satisfied; the tickets have no score and stay (6 created)
    got = report_json(*args, "-k", "tickets_created", "--where", "score>=4")
    assert (got["overall"]["csat"], got["overall"]["csat_n"]) == (1.0, 2)
    assert got["overall"]["tickets_created"] == 6


def test_business_inputs_judged_by_their_own_columns(files: dict[str, str], tmp_path: Path) -> None:
    customers = tmp_path / "customers.csv"
    customers.write_text(
        "customer_id,started_at,ended_at,plan\n"
        "A,2024-01-01,,pro\n"
        "B,2024-01-01,,basic\n"
        "C,2024-01-01,2024-03-10,Pro\n",
        encoding="utf-8",
    )
    args = (files["tickets"], "--customers", customers, "-k", "customers_active,tickets_created")
    # active at the end of March: A and B (C ended Mar 10) → 2
    assert report_json(*args, "--month", "2024-03")["overall"]["customers_active"] == 2
    got = report_json(*args, "--month", "2024-03", "--where", "plan=pro")
    # pro (case-folded): A and C; active at the end of March: A → 1. The tickets have no
    # plan column and are not filtered: March tickets 1, 2, 3 → 3
    assert got["overall"]["customers_active"] == 1
    assert got["overall"]["tickets_created"] == 3
    assert got["data_quality"]["customers"]["dropped"] == {"filtered_out": 1}
    assert got["data_quality"]["tickets"]["dropped"] == {}


def test_filter_keeps_status_history_with_its_ticket(files: dict[str, str]) -> None:
    # As of Mar 6 12:30 ticket 3's history says solved at 12:00 (its export says Mar 7);
    # the filter removes ticket 2, the row between 1 and 3, so 3's history must move with it.
    # Ann (email): 1 resolved Mar 4, 3 resolved Mar 6 12:00 → 2 resolved.
    got = report_json(
        files["tickets"],
        "--events",
        files["events"],
        "-k",
        "tickets_resolved",
        "--by",
        "agent",
        "--as-of",
        "2024-03-06T12:30:00Z",
        "--where",
        "channel=email",
    )
    rows = {r["agent"]: r["tickets_resolved"] for r in got["rows"]}
    assert rows == {"Ann": 2}


def test_where_errors(files: dict[str, str]) -> None:
    t = files["tickets"]
    result = cli("report", t, "--where", "Chanel=email")
    user_error(
        result,
        2,
        "--where Chanel: no such column in the input (did you mean Channel?)",
        "columns: Ticket ID, Created At, First Response At, Resolved At, Status, Assignee, "
        "Channel, Ticket Type, Handle Time (s)",
    )
    result = cli("report", t, "--where", "channel ~ email")
    user_error(result, 2, "--where channel ~ email: expected COLUMN=VALUE")
    result = cli("report", t, "--where", "channel>=email")
    user_error(result, 2, "--where channel>=email: >= compares numbers and times; channel is text")
    result = cli("report", t, "--where", "Handle Time (s)>=fast")
    user_error(result, 2, "Handle Time (s) holds numbers; 'fast' is not one")
    result = cli("report", t, "--where", "created_at>=soon")
    user_error(result, 2, "'soon': not a date or datetime")
    result = cli("report", t, "--where", "channel in ()")
    user_error(result, 2, "--where channel in (): the list in ( ) is empty")
    result = cli("report", t, "--where", "=email")
    user_error(result, 2, "--where =email: expected COLUMN=VALUE")


def test_bad_expression_refused_before_reading() -> None:
    result = cli("report", "no-such-file.csv", "--where", "channel")
    user_error(result, 2, "--where channel: expected COLUMN=VALUE")


def test_parse_where_forms() -> None:
    got = [(c.column, c.op, c.values) for c in parse_where(["Ticket Type not in ('a, b', c)"])]
    assert got == [("Ticket Type", "not in", ("a, b", "c"))]
    got = [(c.column, c.op, c.values) for c in parse_where(["x != 'y'", "n<=3"])]
    assert got == [("x", "!=", ("y",)), ("n", "<=", ("3",))]


# -- --by ----------------------------------------------------------------------------------------


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_by_export_header_and_comma_list(files: dict[str, str]) -> None:
    result = cli("report", files["tickets"], "-q", "-k", "tickets_created", "--by", "Assignee")
    assert result.exit_code == 0, result.stderr
    got = report_json(files["tickets"], "-k", "tickets_created", "--by", "Assignee")
    # shown under the canonical name; Ann 1, 3, 6; Bob 2, 4; ticket 5 unassigned (last)
    assert [(r["agent"], r["tickets_created"]) for r in got["rows"]] == [
        ("Ann", 3),
        ("Bob", 2),
        ("(unassigned)", 1),
    ]
    got = report_json(files["tickets"], "-k", "tickets_created", "--by", "agent,channel")
    pairs = {(r["agent"], r["channel"]): r["tickets_created"] for r in got["rows"]}
    # Ann: email 1, 3; chat 6. Bob: chat 2, email 4. (unassigned): phone 5
    assert {k: v for k, v in pairs.items() if v} == {
        ("Ann", "email"): 2,
        ("Ann", "chat"): 1,
        ("Bob", "chat"): 1,
        ("Bob", "email"): 1,
        ("(unassigned)", "phone"): 1,
    }
    # a header with spaces groups too (mapped to the canonical topic): Incident 1, 4, 5;
    # Question 2, 3; (none) 6
    got = report_json(files["tickets"], "-k", "tickets_created", "--by", "Ticket Type")
    assert {r["topic"]: r["tickets_created"] for r in got["rows"]} == {
        "Incident": 3,
        "Question": 2,
        "(none)": 1,
    }


def test_by_unknown_lists_every_file_column(files: dict[str, str]) -> None:
    result = cli("report", files["tickets"], "-k", "frt_median", "--by", "Asignee")
    # every header, though frt_median reads only a few; the hint is the real header
    user_error(
        result,
        2,
        "--by Asignee: no such column in the input (did you mean Assignee?)",
        "Ticket Type, Handle Time (s)",
    )
    assert "agent_replies" not in result.stderr


# -- relative windows ----------------------------------------------------------------------------


def test_cron_previous_month_per_day_per_agent(files: dict[str, str]) -> None:
    # as_of 2024-04-10 11:00Z → the previous month is March: tickets 1 (Ann, Mar 4),
    # 2 (Bob, Mar 5), 3 (Ann, Mar 6)
    args = ("-k", "tickets_created", "--month", "previous", "--period", "day", "--by", "agent")
    got = report_json(files["tickets"], *args)
    assert (got["window"]["since"][:10], got["window"]["until"][:10]) == (
        "2024-03-01",
        "2024-04-01",
    )
    counts = {(r["period"], r["agent"]): r["tickets_created"] for r in got["rows"]}
    assert {k: v for k, v in counts.items() if v} == {
        ("2024-03-04", "Ann"): 1,
        ("2024-03-05", "Bob"): 1,
        ("2024-03-06", "Ann"): 1,
    }
    assert {p for p, _ in counts} <= {f"2024-03-{d:02d}" for d in range(1, 32)}


def test_relative_windows_on_the_command_line(files: dict[str, str]) -> None:
    # current month April: 4, 5, 6; current week (Mon Apr 8): 6; previous week Apr 1-7: 4, 5
    assert created(files, "--month", "current") == 3
    assert created(files, "--week", "current") == 1
    assert created(files, "--week", "previous") == 2
    assert created(files, "--week", "2024-W10") == 3  # Mar 4-10: 1, 2, 3
    assert created(files, "--quarter", "current") == 3  # Q2 (Apr-Jun): 4, 5, 6
    assert created(files, "--quarter", "previous") == 3  # Q1: 1, 2, 3
    assert created(files, "--year", "current") == 6
    # day-aligned --last: the 7 days ending with Apr 10 are [Apr 4, Apr 11) → 6;
    # 10 days [Apr 1, Apr 11) → 4, 5, 6
    got = report_json(files["tickets"], "-k", "tickets_created", "--last", "7d")
    assert (got["window"]["since"][:19], got["window"]["until"][:19]) == (
        "2024-04-04T00:00:00",
        "2024-04-11T00:00:00",
    )
    assert got["overall"]["tickets_created"] == 1
    assert created(files, "--last", "10d") == 3


def test_relative_window_errors(files: dict[str, str]) -> None:
    result = cli("report", files["tickets"], "--week", "2024-W60")
    user_error(result, 2, "--week 2024-W60: no such week")
    result = cli("report", files["tickets"], "--month", "last")
    user_error(result, 2, "--month last: expected YYYY-MM, current or previous")
    result = cli("report", files["tickets"], "--week", "current", "--month", "current")
    user_error(result, 2, "--month and --week cannot be combined")
    # peak shares the window options
    result = cli("peak", files["tickets"], "--week", "2024-W60")
    user_error(result, 2, "--week 2024-W60: no such week")


def test_peak_previous_week(files: dict[str, str]) -> None:
    # as_of Wed 2024-04-10 → previous ISO week Mon Apr 1 → Mon Apr 8: ticket 4 (Tue 09:00)
    # and 5 (Wed 09:00); one week, so each slot occurs once
    result = cli("peak", files["tickets"], "--week", "previous", "--tz", "UTC", "-q", "-f", "csv")
    assert result.exit_code == 0, result.stderr
    rows = rows_of(result.stdout)
    busy = {(r["weekday"], r["hour"]): r["tickets"] for r in rows if r["tickets"] != "0"}
    assert busy == {("Tue", "9"): "1", ("Wed", "9"): "1"}
    assert {r["occurrences"] for r in rows} == {"1"}  # 7 days × 24 hours, each once


def test_library_where_leaves_the_inputs_alone(files: dict[str, str]) -> None:
    import cskpi
    from cskpi.engine.types import ReportRequest

    inputs = cskpi.load(files["tickets"], events=files["events"])
    request = ReportRequest(kpis=("tickets_created",), where=("channel=email",), tz="UTC")
    assert cskpi.compute(inputs, request).overall["tickets_created"] == 3  # 1, 3, 4
    # the same inputs again, unfiltered: all six
    again = cskpi.compute(inputs, ReportRequest(kpis=("tickets_created",), tz="UTC"))
    assert again.overall["tickets_created"] == 6
    assert inputs.tickets is not None and len(inputs.tickets.frame) == 6
