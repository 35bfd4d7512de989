"""The xlsx report (machine values, human number formats, pinned bytes), and `--excel` CSV."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from typer.testing import CliRunner

from cskpi.cli import app
from cskpi.render import render
from cskpi.render.excel import render_xlsx
from cskpi.render.text import row_records
from tests.results import FORMULA, HOSTILE, trend_result


def sheets(data: bytes) -> dict[str, Worksheet]:
    workbook = load_workbook(io.BytesIO(data))
    return {ws.title: ws for ws in workbook.worksheets}


@pytest.fixture(scope="module")
def book() -> dict[str, Worksheet]:
    return sheets(render_xlsx(trend_result()))


DURATION_SUFFIXES = ("", "_previous", "_change")


def as_time(seconds: object) -> object:
    """What openpyxl reads back from a `[h]:mm:ss` cell holding seconds / 86400."""
    return None if seconds is None else timedelta(seconds=float(seconds))  # type: ignore[arg-type]


def table(sheet: Worksheet) -> list[list[object]]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_registered_as_a_format() -> None:
    assert render(trend_result(), "xlsx") == render_xlsx(trend_result())


def test_sheets(book: dict[str, Worksheet]) -> None:
    assert list(book) == ["rows", "overall", "data quality", "targets", "report"]
    assert "targets" not in sheets(render_xlsx(trend_result(targets=())))


def test_rows_are_the_json_rows_unrounded(book: dict[str, Worksheet]) -> None:
    """DECISIONS 12: the cells carry exactly the keys and values of a JSON row."""
    result = trend_result()
    header, *body = table(book["rows"])
    assert header == [str(c) for c in result.rows.columns]
    durations = {k.id + s for k in result.kpis if k.unit == "seconds" for s in DURATION_SUFFIXES}
    expected = [
        [as_time(v) if name in durations else v for name, v in record.items()]
        for record in row_records(result)
    ]
    assert body == expected
    assert body[3][header.index("csat")] == 0.1 + 0.2  # 0.30000000000000004, not 0.3
    # issue 17: a duration is a time in Excel, 1830 s = 0:30:30 (the cell: 1830 / 86400 days)
    assert body[0][header.index("frt_median")] == timedelta(minutes=30, seconds=30)
    assert body[4][header.index("frt_median")] is None  # null is an empty cell


def test_number_formats(book: dict[str, Worksheet]) -> None:
    rows = book["rows"]
    header = [c.value for c in rows[1]]

    def fmt(column: str) -> str:
        return str(rows.cell(row=2, column=header.index(column) + 1).number_format)

    assert fmt("tickets_created") == "#,##0"
    assert fmt("tickets_created_n") == "#,##0"
    assert fmt("tickets_created_change") == "+#,##0;-#,##0;0"
    assert fmt("frt_median") == "[h]:mm:ss"
    filled = [
        str(cell.number_format)
        for at in (header.index("frt_median_previous") + 1, header.index("frt_median_change") + 1)
        for (cell,) in rows.iter_rows(min_row=2, min_col=at, max_col=at)
        if cell.value is not None
    ]
    assert filled and set(filled) <= {"[h]:mm:ss", "+[h]:mm:ss;-[h]:mm:ss;0:00:00"}
    assert "+[h]:mm:ss;-[h]:mm:ss;0:00:00" in filled
    assert fmt("csat") == "0.0%"
    assert fmt("agent") == "General"
    overall = {row[0].value: row for row in book["overall"].iter_rows(min_row=2)}
    assert overall["csat"][3].number_format == "0.0%"
    assert overall["frt_median"][3].number_format == "[h]:mm:ss"


def test_frozen_header_and_widths(book: dict[str, Worksheet]) -> None:
    assert book["rows"].freeze_panes == "C2"  # header row and the agent/period columns
    assert book["overall"].freeze_panes == "A2"
    assert book["rows"].auto_filter.ref == "A1:N6"
    widths = {k: v.width for k, v in book["rows"].column_dimensions.items()}
    assert widths["A"] >= len(HOSTILE)
    assert widths["C"] >= len("tickets_created")


def test_overall_sheet(book: dict[str, Worksheet]) -> None:
    header, *body = table(book["overall"])
    assert header == ["kpi", "name", "unit", "value", "n", "previous", "change", "shown"]
    assert body[0] == ["tickets_created", "Tickets created", "count", 40, 40, 35, 5, "40"]
    assert body[1] == [
        "frt_median",
        "First response time (median)",
        "seconds",
        timedelta(minutes=33, seconds=20.25),  # 2000.25 s
        33,
        timedelta(minutes=40),  # 2400 s
        -timedelta(minutes=6, seconds=39.75),  # 2000.25 − 2400 = −399.75 s
        "33m 20s",
    ]
    assert body[2][3:] == [0.8, 15, None, None, "80.0%"]


def test_quality_and_targets_sheets(book: dict[str, Worksheet]) -> None:
    assert table(book["data quality"]) == [
        ["input", "measure", "reason", "count"],
        ["tickets", "read", None, 45],
        ["tickets", "used", None, 40],
        ["tickets", "out_of_window", None, 3],
        ["tickets", "dropped", "duplicate_ticket_id", 2],
        ["tickets", "issues", "first_response_before_created", 1],
        ["surveys", "read", None, 16],
        ["surveys", "used", None, 15],
        ["surveys", "out_of_window", None, 1],
    ]
    assert table(book["targets"]) == [
        ["kpi", "target", "value", "met", "status", "reason"],
        ["frt_median", "<= 1h", timedelta(seconds=2000.25), True, "met", None],
        ["csat", ">= 85%", 0.8, False, "missed", None],
    ]
    report = {str(key): value for key, value in table(book["report"])[1:]}
    assert report["timezone"] == "Asia/Seoul" and report["period"] == "month"


def test_text_is_never_a_formula() -> None:
    rows = trend_result().rows.replace({"kim": FORMULA, HOSTILE: "bad\x01char"})
    data = render_xlsx(trend_result(rows=rows))
    cell = sheets(data)["rows"]["A2"]
    assert cell.value == FORMULA and cell.data_type == "s"
    assert sheets(data)["rows"]["A5"].value == "bad\ufffdchar"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")


def test_same_result_same_bytes_pinned_to_as_of() -> None:
    data = render_xlsx(trend_result())
    assert data == render_xlsx(trend_result())
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        assert names == sorted(names)
        # as_of 2024-03-31 18:00 Asia/Seoul = 09:00 UTC.
        assert {info.date_time for info in archive.infolist()} == {(2024, 3, 31, 9, 0, 0)}
        core = archive.read("docProps/core.xml").decode()
    assert core.count("2024-03-31T09:00:00Z") == 2  # created and modified
    props = load_workbook(io.BytesIO(data)).properties
    assert props.created == props.modified == datetime(2024, 3, 31, 9, 0)


def test_cli_writes_xlsx(tiny_tickets: Path, tmp_path: Path) -> None:
    target = tmp_path / "report.xlsx"
    result = CliRunner().invoke(
        app, ["report", str(tiny_tickets), "--by", "agent", "-o", str(target)]
    )
    assert result.exit_code == 0, result.output
    rows = sheets(target.read_bytes())["rows"]
    assert rows["A1"].value == "agent"


def test_cli_excel_csv_has_bom_and_neutralised_labels(tmp_path: Path) -> None:
    """Item 4 end to end: `--excel` only changes CSV; plain CSV stays RFC 4180."""
    tickets = tmp_path / "t.csv"
    tickets.write_text(
        "Ticket ID,Created At,Assignee\n"
        f'T1,2024-03-01 09:00,"{FORMULA}"\n'
        "T2,2024-03-01 10:00,-kim\n",
        encoding="utf-8",
    )
    args = ["report", str(tickets), "--by", "agent", "-k", "tickets_created", "-f", "csv"]
    runner = CliRunner()
    excel = runner.invoke(app, [*args, "--excel"])
    plain = runner.invoke(app, args)
    assert excel.exit_code == plain.exit_code == 0, excel.output
    assert excel.stdout.startswith("\ufeff") and not plain.stdout.startswith("\ufeff")
    cells = [row[0] for row in csv.reader(io.StringIO(excel.stdout.lstrip("\ufeff")))]
    assert "'" + FORMULA in cells and "'-kim" in cells
    assert FORMULA in [row[0] for row in csv.reader(io.StringIO(plain.stdout))]


def test_durations_are_day_fractions_in_the_1904_system() -> None:
    """Issue 17: the cell of 1830 s holds 1830 / 86400 days (what `[h]:mm:ss` reads); the
    workbook is in the 1904 system, where Excel shows a negative change (−399.75 s) as
    -0:06:40 instead of ####; no cell is a date, so nothing else depends on the epoch."""
    data = render_xlsx(trend_result())
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        workbook_xml = archive.read("xl/workbook.xml").decode()
        rows_xml = archive.read("xl/worksheets/sheet1.xml").decode()
        overall_xml = archive.read("xl/worksheets/sheet2.xml").decode()
    assert 'date1904="1"' in workbook_xml
    assert f"<v>{1830 / 86400!r}</v>" in rows_xml  # 0.021180555555555557
    assert f"<v>{-399.75 / 86400!r}</v>" in overall_xml
    # CSV, the machine format, stays in seconds
    assert "1830.0" in render(trend_result(), "csv")
