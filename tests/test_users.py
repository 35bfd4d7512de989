"""Issue 17: `--users` names the agents of exports that carry numeric ids (Zendesk API JSON).

Fixtures (tests/data/presets, see test_presets.py): zendesk_tickets.ndjson holds 501 (agent
9001), 502 (9002; its later line wins), 503 (9002), 504 (no agent);
zendesk_satisfaction_ratings.json: 7001 on 501 by 9001 good, 7002 on 503 by 9002 bad, one
offered (not an answer). zendesk_users.json (hand-made, the API's shape): 9001 Ana Lima,
9002 Bruno Díaz, 3001 an end-user.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner, Result

import cskpi
from cskpi.cli import app
from cskpi.errors import InputError
from cskpi.load.normalize import LoadOptions
from cskpi.load.users import read_users

DATA = Path(__file__).parent / "data" / "presets"
TICKETS = str(DATA / "zendesk_tickets.ndjson")
SURVEYS = str(DATA / "zendesk_satisfaction_ratings.json")
USERS = str(DATA / "zendesk_users.json")
runner = CliRunner()


def cli(*args: str) -> Result:
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output
    return result


def rows_by_agent(result: Result) -> dict[str, dict[str, object]]:
    assert result.exit_code == 0, result.stderr
    return {row["agent"]: row for row in json.loads(result.stdout)["rows"]}


def test_report_by_agent_uses_names() -> None:
    """tickets: Ana Lima 501 → 1; Bruno Díaz 502, 503 → 2; 504 (unassigned) → 1.
    CSAT by the survey's own assignee: Ana 1 good of 1 → 1.0; Bruno 0 good of 1 → 0.0."""
    result = cli(
        "report", TICKETS, "--surveys", SURVEYS, "--users", USERS,
        "--by", "agent", "-k", "tickets_created,csat", "-f", "json",
    )  # fmt: skip
    rows = rows_by_agent(result)
    assert list(rows) == ["Ana Lima", "Bruno Díaz", "(unassigned)"]
    assert [rows[a]["tickets_created"] for a in rows] == [1, 2, 1]
    assert (rows["Ana Lima"]["csat"], rows["Bruno Díaz"]["csat"]) == (1.0, 0.0)
    assert "agent_not_in_users" not in json.dumps(json.loads(result.stdout)["data_quality"])


def test_without_users_the_ids_stay() -> None:
    args = ["--surveys", SURVEYS, "--by", "agent", "-k", "tickets_created", "-f", "json"]
    result = cli("report", TICKETS, *args)
    assert list(rows_by_agent(result)) == ["9001", "9002", "(unassigned)"]


def test_an_id_missing_from_the_users_file_stays_and_is_counted(tmp_path: Path) -> None:
    """A CSV users file naming 9001 only: 9002 stays an id; its tickets 502 and 503 (2) and
    its survey 7002 (1) are counted as agent_not_in_users; --strict fails on them."""
    users = tmp_path / "users.csv"
    users.write_text("id,name\n9001,Ana Lima\n", encoding="utf-8")
    args = ["report", TICKETS, "--surveys", SURVEYS, "--users", str(users), "--by", "agent"]
    result = cli(*args, "-k", "tickets_created,csat", "-f", "json")
    rows = rows_by_agent(result)
    assert list(rows) == ["9002", "Ana Lima", "(unassigned)"]
    quality = json.loads(result.stdout)["data_quality"]
    assert quality["tickets"]["issues"]["agent_not_in_users"] == 2
    assert quality["surveys"]["issues"]["agent_not_in_users"] == 1
    assert "1 agent not in users: flagged" in result.stderr  # surveys
    strict = cli(*args, "-k", "tickets_created", "-f", "json", "--strict")
    assert strict.exit_code == 4
    assert "agent not in users" in strict.stderr


def test_users_file_without_id_and_name(tmp_path: Path) -> None:
    bad = tmp_path / "people.csv"
    bad.write_text("email,full_name\na@x.com,Ana\n", encoding="utf-8")
    result = cli("report", TICKETS, "--users", str(bad), "-f", "json")
    assert result.exit_code == 4
    assert f"{bad}: a users file needs an id and a name column" in result.stderr
    assert "found: email, full_name" in result.stderr


def test_users_file_missing(tmp_path: Path) -> None:
    result = cli("report", TICKETS, "--users", str(tmp_path / "nope.json"), "-f", "json")
    assert result.exit_code == 4
    assert "nope.json: no such file" in result.stderr


def test_read_users_header_spellings_and_repeats(tmp_path: Path) -> None:
    """`User ID`/`Name` headers; an id written 9001.0 matches 9001; a repeated id: the last
    file read wins; rows without id or name are ignored."""
    first = tmp_path / "a.csv"
    first.write_text("User ID,Name\n9001.0,Ana\n9002,Bruno\n,Nobody\n9003,\n", encoding="utf-8")
    second = tmp_path / "b.csv"
    second.write_text("id,name\n9002,Bruno Díaz\n", encoding="utf-8")
    users = read_users([str(first), str(second)], LoadOptions())
    assert users.to_dict() == {"9001": "Ana", "9002": "Bruno Díaz"}


def test_api_load_names_agents() -> None:
    inputs = cskpi.load(TICKETS, users=USERS)
    assert inputs.tickets is not None
    agents = inputs.tickets.frame.set_index("ticket_id")["agent"]
    assert agents["501"] == "Ana Lima" and agents["503"] == "Bruno Díaz"
    assert pd.isna(agents["504"])  # no agent stays no agent
    assert inputs.tickets.frame["customer_id"].astype(str).tolist().count("3001") >= 1  # ids


def test_peak_and_validate_take_users() -> None:
    peak = cli("peak", TICKETS, "--users", USERS, "--by", "agent", "-f", "csv", "-q")
    assert peak.exit_code == 0, peak.stderr
    groups = [line.split(",")[0] for line in peak.stdout.splitlines()[1::168]]
    assert groups == ["Ana Lima", "Bruno Díaz", "(unassigned)"]
    checked = cli("validate", TICKETS, "--users", USERS, "-f", "json")
    assert checked.exit_code == 0, checked.stderr
    assert "agent_not_in_users" not in checked.stdout


def test_read_users_error_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "u.json"
    path.write_text(json.dumps({"users": [{"id": 9001, "email": "a@x"}]}), "utf-8")
    with pytest.raises(InputError, match="needs an id and a name column"):
        read_users([str(path)], LoadOptions())
