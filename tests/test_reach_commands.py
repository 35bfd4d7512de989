"""Issue 17: `validate` checks every input `report` reads; `peak --by` and `peak --preset`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from cskpi.cli import app

runner = CliRunner()

TICKETS = "ticket_id,created_at,agent\nT1,2024-01-02 09:00,ana\n"
CUSTOMERS = (
    "customer_id,started_at,plan\n"
    "C1,2024-01-05,pro\n"
    ",2024-01-06,pro\n"  # line 3: no customer_id → dropped
    "C3,yesterday-ish,free\n"  # line 4: started_at unreadable → dropped
)
ORDERS = (
    "order_id,customer_id,ordered_at,amount\n"
    "O1,C1,2024-02-01,10\n"
    "O2,C1,2024-02-03,12,5\n"  # five fields under a four-column header → malformed
)
COSTS = "period,amount\n2024-01,1000\n2024-13,5\n"  # month 13: unparseable period
SCHEDULES = "agent,date,scheduled_seconds\nana,2024-01-02,28800\nbob,,28800\n"


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CSKPI_DEBUG", raising=False)
    for name, text in (
        ("t.csv", TICKETS),
        ("customers.csv", CUSTOMERS),
        ("orders.csv", ORDERS),
        ("costs.csv", COSTS),
        ("schedules.csv", SCHEDULES),
    ):
        (tmp_path / name).write_text(text, encoding="utf-8")


def cli(*args: str) -> Result:
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output
    return result


# -- validate ----------------------------------------------------------------------------------


def test_validate_reports_every_business_input() -> None:
    result = cli(
        "validate", "t.csv", "--customers", "customers.csv", "--orders", "orders.csv",
        "--costs", "costs.csv", "--schedules", "schedules.csv", "-f", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert list(data) == ["tickets", "customers", "orders", "schedules", "costs"]
    customers = data["customers"]["data_quality"]
    # 3 rows: C1 kept, line 3 no id, line 4 no start
    assert customers["read"] == 3 and customers["used"] == 1
    assert customers["dropped"] == {"missing_customer_id": 1, "unparseable_started_at": 1}
    assert data["customers"]["mapping"]["customer_id"] == "customer_id"
    assert data["orders"]["data_quality"]["dropped"] == {"malformed_line": 1}
    assert data["costs"]["data_quality"]["dropped"] == {"unparseable_period": 1}
    assert data["schedules"]["data_quality"]["dropped"] == {"missing_date": 1}
    assert data["costs"]["files"][0]["path"] == "costs.csv"


def test_validate_table_names_each_input() -> None:
    result = cli("validate", "t.csv", "--orders", "orders.csv")
    assert result.exit_code == 0, result.stderr
    assert "orders: orders.csv (csv, utf-8, 1 rows)" in result.stdout  # the one well-formed
    assert "dropped: malformed_line × 1" in result.stdout


@pytest.mark.parametrize(
    ("option", "path", "line"),
    [
        ("--customers", "customers.csv", "data quality, customers: 3 read, 2 dropped"),
        ("--orders", "orders.csv", "data quality, orders: 2 read, 1 dropped"),
        ("--costs", "costs.csv", "data quality, costs: 2 read, 1 dropped"),
        ("--schedules", "schedules.csv", "data quality, schedules: 2 read, 1 dropped"),
    ],
)
def test_validate_strict_fails_on_a_business_input(option: str, path: str, line: str) -> None:
    result = cli("validate", "t.csv", option, path, "--strict", "-f", "json")
    assert result.exit_code == 4
    assert "--strict: the input has data-quality problems" in result.stderr
    assert line in result.stderr


def test_validate_strict_passes_clean_business_inputs(tmp_path: Path) -> None:
    (tmp_path / "clean.csv").write_text("customer_id,started_at\nC1,2024-01-05\n", "utf-8")
    result = cli("validate", "t.csv", "--customers", "clean.csv", "--strict", "-f", "json")
    assert result.exit_code == 0, result.stderr


def test_validate_missing_business_file() -> None:
    result = cli("validate", "t.csv", "--orders", "nope.csv")
    assert result.exit_code == 4
    assert "nope.csv: no such file" in result.stderr


# -- peak --by, --preset -----------------------------------------------------------------------

# 2024-03-04 is a Monday; the window 03-04 .. 03-17 holds two of every weekday-hour.
PEAK = (
    "Ticket ID,Created At,Group,Assignee\n"
    "A,2024-03-04T09:05:00Z,Billing,ana\n"
    "B,2024-03-04T09:55:00Z,Billing,bob\n"
    "C,2024-03-11T09:30:00Z,Tech,\n"
    "D,2024-03-05T10:00:00Z,Tech,ana\n"
)
WINDOW = ["--since", "2024-03-04", "--until", "2024-03-17"]


@pytest.fixture
def peak_file(tmp_path: Path) -> str:
    (tmp_path / "p.csv").write_text(PEAK, encoding="utf-8")
    return "p.csv"


def test_peak_by_team_csv_has_one_block_per_group(peak_file: str) -> None:
    """`--by Group` (the export's header, mapped to team): 168 slots per team, team first."""
    result = cli("peak", peak_file, *WINDOW, "--by", "Group", "-f", "csv")
    assert result.exit_code == 0, result.stderr
    rows = [line.split(",") for line in result.stdout.splitlines()]
    assert rows[0] == ["team", "weekday", "hour", "tickets", "occurrences", "mean"]
    assert len(rows) == 1 + 2 * 168
    # Billing: A and B on Monday 09 of week 1 → 2 tickets / 2 Mondays = 1.0, ranked first
    assert rows[1] == ["Billing", "Mon", "9", "2", "2", "1.0"]
    # Tech: C (Mon 09, week 2) and D (Tue 10) → 1 / 2 = 0.5 each; Mon before Tue on a tie
    assert rows[169] == ["Tech", "Mon", "9", "1", "2", "0.5"]
    assert rows[170] == ["Tech", "Tue", "10", "1", "2", "0.5"]
    assert {r[0] for r in rows[1:169]} == {"Billing"} and {r[0] for r in rows[169:]} == {"Tech"}
    # every group's slots add up to its tickets: Billing 2, Tech 2
    assert sum(int(r[3]) for r in rows[1:169]) == 2 and sum(int(r[3]) for r in rows[169:]) == 2


def test_peak_by_agent_json_busiest_per_group(peak_file: str) -> None:
    """ana: A (Mon 09) and D (Tue 10); bob: B; C has no agent → (unassigned), listed last."""
    result = cli("peak", peak_file, *WINDOW, "--by", "agent", "-f", "json")
    assert result.exit_code == 0, result.stderr
    body = json.loads(result.stdout)
    assert body["group_by"] == ["agent"]
    assert len(body["slots"]) == 3 * 168
    firsts = [body["slots"][at] for at in (0, 168, 336)]
    assert [(r["agent"], r["weekday"], r["hour"], r["mean"]) for r in firsts] == [
        ("ana", "Mon", 9, 0.5),  # 1 ticket / 2 Mondays
        ("bob", "Mon", 9, 0.5),
        ("(unassigned)", "Mon", 9, 0.5),
    ]
    assert len(body["busiest"]) == 3 * 5  # the first five of each group
    assert [r["agent"] for r in body["busiest"][::5]] == ["ana", "bob", "(unassigned)"]


def test_peak_by_comma_list(peak_file: str) -> None:
    result = cli("peak", peak_file, *WINDOW, "--by", "team,agent", "-f", "csv")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "team,agent,weekday,hour,tickets,occurrences,mean"
    # Billing/ana, Billing/bob, Tech/ana, Tech/(unassigned): four grids
    assert len(lines) == 1 + 4 * 168
    assert [lines[1 + 168 * i].split(",")[:2] for i in range(4)] == [
        ["Billing", "ana"],
        ["Billing", "bob"],
        ["Tech", "ana"],
        ["Tech", "(unassigned)"],
    ]


def test_peak_by_table_and_html_show_one_grid_per_group(peak_file: str, tmp_path: Path) -> None:
    table = cli("peak", peak_file, *WINDOW, "--by", "team", "-f", "table", "-q")
    assert table.exit_code == 0, table.stderr
    assert "team Billing" in table.stdout and "team Tech" in table.stdout
    assert table.stdout.count("Busiest: ") == 2
    assert "Busiest: Mon 09:00 (1.0)" in table.stdout  # Billing
    html = cli("peak", peak_file, *WINDOW, "--by", "team", "-o", "peak.html", "-q")
    assert html.exit_code == 0, html.stderr
    page = (tmp_path / "peak.html").read_text(encoding="utf-8")
    assert "<h2>team Billing</h2>" in page and "<h2>team Tech</h2>" in page
    assert page.count("<table>") == 2
    # one colour scale: Billing's Mon 09 (1.0) is the busiest slot of all → full shade;
    # Tech's busiest (0.5) half of it
    assert 'rgba(204, 51, 17, 1.00)">1.0</td>' in page
    assert 'rgba(204, 51, 17, 0.50)">0.5</td>' in page


def test_peak_by_markdown_escapes_labels(tmp_path: Path) -> None:
    (tmp_path / "m.csv").write_text(
        "id,created_at,team\nA,2024-03-04T09:05:00Z,a|b\n", encoding="utf-8"
    )
    result = cli("peak", "m.csv", *WINDOW, "--by", "team", "-f", "markdown")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[2].startswith("| a\\|b | Mon | 09:00 | 1 | 2 | 0.50 |")


def test_peak_by_unknown_column_lists_the_file(peak_file: str) -> None:
    result = cli("peak", peak_file, "--by", "Teem")
    assert result.exit_code == 2
    assert "--by Teem: no such column in the input" in result.stderr
    assert "columns: Ticket ID, Created At, Group, Assignee" in result.stderr


def test_peak_without_by_keeps_its_shape(peak_file: str) -> None:
    result = cli("peak", peak_file, *WINDOW, "-f", "csv")
    lines = result.stdout.splitlines()
    assert lines[0] == "weekday,hour,tickets,occurrences,mean"
    assert lines[1] == "Mon,9,3,2,1.5"  # A, B and C: 3 tickets / 2 Mondays
    assert len(lines) == 169


def test_peak_preset(peak_file: str) -> None:
    forced = cli("peak", peak_file, *WINDOW, "--preset", "zendesk_csv", "-f", "csv")
    assert forced.exit_code == 0, forced.stderr
    assert "--preset zendesk_csv: the file lacks" in forced.stderr
    assert forced.stdout.splitlines()[1] == "Mon,9,3,2,1.5"
    bad = cli("peak", peak_file, "--preset", "zendesk")
    assert bad.exit_code == 2
    assert "--preset zendesk: unknown preset" in bad.stderr


def test_peak_by_with_no_ticket_in_the_window(peak_file: str, tmp_path: Path) -> None:
    """No group has a ticket in 2023: no grid, the CSV is its header, the table says so."""
    window = ["--since", "2023-01-01", "--until", "2023-01-07", "--by", "team", "-q"]
    csv_out = cli("peak", peak_file, *window, "-f", "csv")
    assert csv_out.exit_code == 0, csv_out.stderr
    assert csv_out.stdout == "team,weekday,hour,tickets,occurrences,mean\n"
    table = cli("peak", peak_file, *window, "-f", "table")
    assert "No tickets in this window." in table.stdout
    body = json.loads(cli("peak", peak_file, *window, "-f", "json").stdout)
    assert body["slots"] == [] and body["busiest"] == []
    html = cli("peak", peak_file, *window, "-o", "empty.html")
    assert html.exit_code == 0, html.stderr
    assert "No tickets in this window." in (tmp_path / "empty.html").read_text(encoding="utf-8")
