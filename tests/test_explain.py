"""`cskpi explain TICKET_ID`: key lines, verdicts per message, status intervals, exit codes.

Fixtures are those of test_messages.py (2024-03-04 is a Monday; business hours Mon–Fri
09:00–17:00 UTC)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cskpi.cli import app
from tests.test_messages import EVENTS, MESSAGES, TICKETS, write

runner = CliRunner()
CONFIG = """\
[business_hours]
timezone = "UTC"
mon = "09:00-17:00"
tue = "09:00-17:00"
wed = "09:00-17:00"
thu = "09:00-17:00"
fri = "09:00-17:00"
"""


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cfg.toml").write_text(CONFIG, encoding="utf-8")
    return write(tmp_path, tickets=TICKETS, messages=MESSAGES, events=EVENTS)


def explain(files: dict[str, str], ticket: str, *more: str) -> tuple[int, Any, str]:
    result = runner.invoke(
        app,
        [
            "explain",
            ticket,
            files["tickets"],
            "--messages",
            files["messages"],
            "--events",
            files["events"],
            "-f",
            "json",
            *more,
        ],
    )
    assert "Traceback" not in result.stderr
    story = json.loads(result.stdout) if result.exit_code == 0 else None
    return result.exit_code, story, result.stderr


def test_bot_is_skipped_and_the_human_reply_counts(files: dict[str, str]) -> None:
    code, story, _ = explain(files, "A")
    assert code == 0
    assert story["lines"] == [
        "first response: 30m 00s (calendar hours), from 2024-03-04 10:00 to 2024-03-04 10:30"
    ]
    assert [(m["role"], m["counted"]) for m in story["messages"]] == [
        ("customer", "frt start"),
        ("bot", "skipped"),
        ("agent", "first response"),
    ]
    assert story["messages"][1]["why"] == "bot message: bots never respond"
    assert story["summary"]["first_response_seconds"] == 1800


def test_private_note_and_agent_initiated(files: dict[str, str]) -> None:
    _, b, _ = explain(files, "B")
    assert b["messages"][1]["why"] == "private note: not visible to the customer"
    _, c, _ = explain(files, "C")
    assert c["messages"][0]["why"] == (
        "before any customer message (agent-initiated): not a response"
    )
    assert c["lines"][0] == (
        "first response: 20m 00s (calendar hours), from 2024-03-04 13:00 to 2024-03-04 13:20"
    )
    _, d, _ = explain(files, "D")
    assert d["lines"] == ["first response: not measured (no customer message: agent-initiated)"]
    assert d["ticket"]["agent_initiated"] is True


def test_business_hours_per_interval(files: dict[str, str]) -> None:
    code, g, _ = explain(files, "G", "--business-hours", "-c", "cfg.toml")
    assert code == 0 and g["clock"] == "business"
    assert g["lines"] == [
        "first response: none yet",
        # Mon 09–17 + Tue + Wed (8 h each) + Thu 09–11 = 26 h
        "resolution: 1d 2h (business hours), created 2024-03-04 09:00, resolved 2024-03-07 11:00",
        "active resolution: 2h 00m (business hours); paused 1d 0h",
    ]
    # pending Mon 10:00 → Thu 10:00: 72 h of calendar, 7 + 8 + 8 + 1 = 24 h of business time
    assert [
        (c["status"], c["clock"], c["seconds"], c["business_seconds"]) for c in g["status_changes"]
    ] == [
        ("open", "active", 3600.0, 3600.0),
        ("pending", "paused", 259200.0, 86400.0),
        ("open", "active", 3600.0, 3600.0),
        ("resolved", "stopped (resolved)", None, None),
    ]
    assert g["status_changes"][3]["event"] == "resolution"
    assert g["summary"]["active_resolution_seconds"] == 7200


def test_reopen_episode(files: dict[str, str]) -> None:
    _, f, _ = explain(files, "F")
    assert f["lines"][-1] == "next response after reopen #1: 10m 00s"
    assert f["messages"][3]["counted"] == "next response"
    assert [c["event"] for c in f["status_changes"]] == [
        "",
        "resolution",
        "reopen #1",
        "resolution",
    ]
    assert f["summary"]["reopens"] == 1 and f["summary"]["next_response_seconds"] == [600.0]


def test_table_on_a_terminal(files: dict[str, str]) -> None:
    result = runner.invoke(
        app,
        ["explain", "A", files["tickets"], "--messages", files["messages"], "-f", "table"],
        env={"COLUMNS": "160"},
    )
    assert result.exit_code == 0
    assert (
        "first response: 30m 00s (calendar hours), from 2024-03-04 10:00 to 2024-03-04 "
        "10:30" in result.stdout
    )
    assert "bot message: bots never respond" in result.stdout


def test_unknown_ticket_exits_4(files: dict[str, str]) -> None:
    code, _, err = explain(files, "Q")
    assert code == 4
    assert err.startswith("cskpi: ticket Q: no such ticket_id in ")


def test_business_hours_without_a_calendar_exits_2(files: dict[str, str]) -> None:
    code, _, err = explain(files, "A", "--business-hours")
    assert code == 2 and "needs a [business_hours] table" in err


def test_report_and_validate_take_the_same_options(files: dict[str, str]) -> None:
    report = runner.invoke(
        app,
        [
            "report",
            files["tickets"],
            "--messages",
            files["messages"],
            "--events",
            files["events"],
            "-k",
            "next_response_time_mean,resolution_time_active_mean",
            "--as-of",
            "2024-03-20",
            "-f",
            "json",
        ],
    )
    assert report.exit_code == 0, report.stderr
    overall = json.loads(report.stdout)["overall"]
    # F's reopen answered in 10 min; active resolution F 1 h, G 2 h → 1.5 h
    assert (overall["next_response_time_mean"], overall["resolution_time_active_mean"]) == (
        600,
        5400,
    )
    valid = runner.invoke(
        app,
        [
            "validate",
            files["tickets"],
            "--messages",
            files["messages"],
            "--events",
            files["events"],
            "-f",
            "json",
        ],
    )
    assert valid.exit_code == 0
    data = json.loads(valid.stdout)
    assert list(data) == ["tickets", "messages", "events"]
    assert data["messages"]["data_quality"]["read"] == 20
    assert data["events"]["mapping"] == {"ticket_id": "ticket_id", "at": "at", "status": "status"}


def test_kpi_without_its_input_names_it(files: dict[str, str]) -> None:
    result = runner.invoke(app, ["report", files["tickets"], "-k", "next_response_time_mean"])
    assert result.exit_code == 4
    assert "next_response_time_mean needs a next_response_at column" in result.stderr
