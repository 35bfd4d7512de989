"""A file of another kind given in the tickets' place (issue 22): the error names what it looks
like and the option that takes it (exit 2), and never suggests mapping a column to itself."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cskpi.cli import app
from tests.conftest import TINY_SURVEYS, TINY_TICKETS

runner = CliRunner()


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CSKPI_DEBUG", raising=False)


def _report(*args: object) -> tuple[int, str]:
    result = runner.invoke(app, ["report", *(str(a) for a in args)])
    assert "Traceback" not in result.stderr
    return result.exit_code, result.stderr


def _file(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


KINDS = {
    "surveys": (TINY_SURVEYS, "--surveys", "survey responses"),
    "customers": (
        "Customer ID,Signup Date,Churn Date,Plan,MRR\nC1,2024-01-01,,Basic,29\n",
        "--customers",
        "customers",
    ),
    "orders": (
        "Order ID,Customer ID,Order Date,Total\nO1,C1,2024-03-01,10\n",
        "--orders",
        "orders",
    ),
    "messages": (
        "conversation_id,at,role,body\n1,2024-03-01 09:00,customer,hi\n",
        "--messages",
        "a messages file",
    ),
    "events": (
        "ticket_id,changed_at,new_status\nT1,2024-03-01 09:00,open\n",
        "--events",
        "a status-history file",
    ),
    "schedules": (
        "Agent,Date,Scheduled Hours\nkim,2024-03-01,8\n",
        "--schedules",
        "agent schedules",
    ),
    "costs": ("Month,Cost\n2024-03,1000\n", "--costs", "costs"),
}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_another_kind_in_the_tickets_place_names_its_option(tmp_path: Path, kind: str) -> None:
    text, option, looks = KINDS[kind]
    tickets = _file(tmp_path, "tickets.csv", TINY_TICKETS)
    other = _file(tmp_path, f"{kind}.csv", text)
    code, err = _report(tickets, other)
    assert code == 2, err
    assert f"looks like {looks}" in err, err
    assert f"give it with {option} FILE" in err, err
    assert "--map" not in err
    assert len(err.strip().splitlines()) == 2


def test_surveys_error_names_the_headers_that_say_so(tmp_path: Path) -> None:
    surveys = _file(tmp_path, "surveys.csv", TINY_SURVEYS)
    code, err = _report(surveys)
    assert code == 2
    # the headers mapped as survey columns, in the file's order
    assert "(Response ID, Ticket ID, Submitted At, Survey, Score)" in err, err
    assert "cskpi report TICKETS --surveys FILE" in err


def test_a_messages_file_that_would_pass_as_tickets_is_still_refused(tmp_path: Path) -> None:
    # ticket_id and created_at map as tickets, but nothing of a ticket's life does and the
    # author role says messages: one row per message would read as one ticket per message
    messages = _file(
        tmp_path,
        "m.csv",
        "ticket_id,created_at,author_role\nT1,2024-03-01 09:00,customer\n"
        "T1,2024-03-01 09:10,agent\n",
    )
    code, err = _report(messages)
    assert code == 2
    assert "give it with --messages FILE" in err


def test_a_broken_ticket_export_is_not_taken_for_customers(tmp_path: Path) -> None:
    # id + created_at alone would pass for customers (customer_id ← id, started_at ←
    # created_at) but both are ticket columns: the ticket error stands (no ticket_id here)
    tickets = _file(tmp_path, "t.csv", "Ref,Created At,Assignee\n1,2024-03-01 09:00,kim\n")
    code, err = _report(tickets)
    assert code == 4
    assert "no column for ticket_id" in err
    assert "looks like" not in err


def test_tickets_with_an_author_role_column_stay_tickets(tmp_path: Path) -> None:
    tickets = _file(tmp_path, "t.csv", "id,created_at,status,role\n1,2024-03-01 09:00,open,vip\n")
    code, err = _report(tickets, "-f", "json", "-q")
    assert code == 0, err


def test_a_column_held_back_by_a_near_preset_is_explained_not_mapped_to_itself(
    tmp_path: Path,
) -> None:
    # six of the seven signature columns of Zendesk's satisfaction_ratings (no `score`): the
    # near miss keeps its created_at away from the aliases, so tickets lack created_at
    rows = [
        {
            "id": 1,
            "ticket_id": 9,
            "created_at": "2024-03-01T09:00:00Z",
            "updated_at": "2024-03-02T09:00:00Z",
            "requester_id": 5,
            "assignee_id": 7,
        }
    ]
    path = tmp_path / "zd.json"
    path.write_text(json.dumps(rows), encoding="utf-8")
    code, err = _report(path)
    assert code == 4
    assert "--map created_at=created_at" not in err
    assert "created_at is set aside" in err
    assert "Zendesk API satisfaction_ratings (JSON) (it lacks score)" in err
    assert "use --preset none" in err
    # and the advice works: 1 ticket
    code, err = _report(path, "--preset", "none", "-f", "json", "-q")
    assert code == 0, err
