"""Peak grid: mean tickets per occurrence of each weekday × hour (DECISIONS 31)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

import cskpi
from cskpi.cli import app
from cskpi.engine.peak import peak, peak_records
from cskpi.engine.types import ReportRequest
from cskpi.time.window import WindowSpec

# 2024-03-04 is a Monday. Window: two weeks, 03-04 .. 03-17.
TICKETS = """\
id,created_at
A,2024-03-04T09:05:00Z
B,2024-03-04T09:55:00Z
C,2024-03-11T09:30:00Z
D,2024-03-05T10:00:00Z
E,2024-03-17T23:59:00Z
"""


def _peak(tmp_path: Path, tz: str | None = None, **window: str) -> list[dict[str, object]]:
    path = tmp_path / "t.csv"
    path.write_text(TICKETS, encoding="utf-8")
    spec = WindowSpec(**window) if window else WindowSpec(since="2024-03-04", until="2024-03-17")
    return peak_records(peak(cskpi.load(str(path)), ReportRequest(window=spec, tz=tz)))


def test_mean_per_occurrence(tmp_path: Path) -> None:
    got = {(r["weekday"], r["hour"]): r for r in _peak(tmp_path)}
    # Monday 09:00 occurs twice in the two weeks; A, B (week 1) and C (week 2) → 3/2
    assert got[("Mon", 9)] == {
        "weekday": "Mon",
        "hour": 9,
        "tickets": 3,
        "occurrences": 2,
        "mean": 1.5,
    }
    assert got[("Tue", 10)]["mean"] == 0.5  # D once in two Tuesdays
    assert got[("Sun", 23)]["tickets"] == 1  # E at 23:59 on the last day
    # ranked: busiest first
    assert _peak(tmp_path)[0]["weekday"] == "Mon"


def test_occurrences_follow_dst(tmp_path: Path) -> None:
    # Berlin, week of 2024-03-25 .. 03-31: Sunday 02:00 does not exist (clocks jump to 03:00)
    got = {
        (r["weekday"], r["hour"]): r
        for r in _peak(tmp_path, tz="Europe/Berlin", since="2024-03-25", until="2024-03-31")
    }
    assert got[("Sun", 2)]["occurrences"] == 0 and got[("Sun", 2)]["mean"] is None
    assert got[("Sun", 3)]["occurrences"] == 1
    assert sum(r["occurrences"] for r in got.values()) == 7 * 24 - 1  # a 167-hour week


def test_cli_json_and_table(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(TICKETS, encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(
        app, ["peak", str(path), "--since", "2024-03-04", "--until", "2024-03-17", "-f", "json"]
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["busiest"][0] == {
        "weekday": "Mon",
        "hour": 9,
        "tickets": 3,
        "occurrences": 2,
        "mean": 1.5,
    }
    assert len(body["slots"]) == 168
    table = runner.invoke(app, ["peak", str(path), "-f", "table", "-q"])
    assert table.exit_code == 0 and "Busiest: Mon 09:00" in table.stdout


def test_html_heat_map(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(TICKETS, encoding="utf-8")
    out = tmp_path / "peak.html"
    result = CliRunner().invoke(
        app,
        ["peak", str(path), "--since", "2024-03-04", "--until", "2024-03-17", "-o", str(out), "-q"],
    )
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    # Monday 09:00 is the busiest slot: 3 tickets over 2 occurrences → 1.5, full shade
    assert "Busiest: Mon 09:00 (1.5)" in page
    assert 'rgba(204, 51, 17, 1.00)">1.5</td>' in page
    assert "http://" not in page and "https://" not in page  # self-contained
    bad = CliRunner().invoke(app, ["peak", str(path), "-o", str(tmp_path / "peak.xlsx")])
    assert bad.exit_code == 2 and "peak writes csv, json, markdown or html" in bad.stderr
