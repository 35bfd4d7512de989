"""`--breaches` in the file formats: an xlsx sheet, a Parquet table, an HTML section."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pyarrow.parquet as pq
from openpyxl import load_workbook
from typer.testing import CliRunner

from cskpi.cli import app
from tests.test_engine import TICKETS

# urgent: 1 h first response; high/normal: 2 h resolution. From the engine fixture: T3
# (urgent) answered after 25 h breaches first response; T2 (23.5 h), T5 (6 h), T6 (4 h)
# breach the 2 h resolution target. T1 (1 h) meets it.
CONFIG = """
[[sla]]
priority = "urgent"
first_response = "1h"
[[sla]]
priority = ["high", "normal"]
resolution = "2h"
"""


def run(tmp_path: Path, name: str) -> Path:
    (tmp_path / "t.csv").write_text(TICKETS, encoding="utf-8")
    (tmp_path / "c.toml").write_text(CONFIG, encoding="utf-8")
    out = tmp_path / name
    result = CliRunner().invoke(
        app,
        [
            "report",
            str(tmp_path / "t.csv"),
            "-c",
            str(tmp_path / "c.toml"),
            "--breaches",
            "--as-of",
            "2024-03-10T00:00:00Z",
            "-q",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    return out


def test_parquet_holds_the_breaches(tmp_path: Path) -> None:
    table = pq.read_table(io.BytesIO(run(tmp_path, "b.parquet").read_bytes()))
    assert table.column_names == [
        "ticket_id",
        "agent",
        "metric",
        "policy",
        "target",
        "actual",
        "clock",
    ]
    assert table.column("ticket_id").to_pylist() == ["T3", "T2", "T5", "T6"]
    assert table.column("actual").to_pylist() == [90000.0, 84600.0, 21600.0, 14400.0]


def test_xlsx_has_a_breaches_sheet(tmp_path: Path) -> None:
    sheet = load_workbook(run(tmp_path, "b.xlsx"))["breaches"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["ticket_id", "agent", "metric", "policy", "target", "actual", "clock"]
    # issue 17: target and actual read as times, 3600 s = 1:00:00 and 90000 s = 25:00:00
    hour, day_and_hour = timedelta(hours=1), timedelta(hours=25)
    assert rows[1] == [
        "T3",
        "bob",
        "first_response",
        "priority=urgent",
        hour,
        day_and_hour,
        "calendar",
    ]
    assert sheet["E2"].number_format == "[h]:mm:ss"
    assert len(rows) == 5


def test_html_lists_the_breaches(tmp_path: Path) -> None:
    page = run(tmp_path, "b.html").read_text(encoding="utf-8")
    assert "SLA breaches (4)" in page
    assert "<td>T3</td>" in page and "1d 1h" in page  # 90000 s humanised
