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
