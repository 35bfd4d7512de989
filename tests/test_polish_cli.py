"""Quiet confirmations and small CLI polish (issue 22): `cskpi kpis` piped and on a terminal,
`-o -`, `wrote FILE (N rows)`, `--show previous`, `--title`."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cskpi.cli import app
from cskpi.kpis import all_kpis

runner = CliRunner()


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CSKPI_DEBUG", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")


def cli(*args: object) -> object:
    result = runner.invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.stderr, result.stderr
    return result


# -- cskpi kpis --------------------------------------------------------------------------------


def test_kpis_piped_is_csv_like_report() -> None:
    result = cli("kpis")  # CliRunner's stdout is not a terminal
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["id"] for r in rows] == list(all_kpis())
    assert list(rows[0]) == ["id", "name", "unit", "anchor", "additive", "definition"]


def test_kpis_table_shows_brackets_as_written(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "400")  # one definition per line: the brackets unbroken
    result = cli("kpis", "-f", "table")
    assert result.exit_code == 0
    assert "[costs] monthly" in result.stdout  # rich markup would have eaten `[costs]`
    assert "┃" in result.stdout or "│" in result.stdout  # a box table, not CSV


# -- -o -, wrote FILE (N rows), --show -------------------------------------------------------


def _tickets(tmp_path: Path) -> Path:
    from tests.conftest import TINY_TICKETS

    path = tmp_path / "tickets.csv"
    path.write_text(TINY_TICKETS, encoding="utf-8")
    return path


def test_output_dash_is_stdout(tmp_path: Path) -> None:
    result = cli("report", _tickets(tmp_path), "-k", "tickets_created", "-f", "json", "-o", "-")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["overall"]["tickets_created"] == 5  # T1..T5
    assert not (tmp_path / "-").exists()
    assert "wrote" not in result.stderr


def test_a_written_file_is_confirmed_with_its_rows(tmp_path: Path) -> None:
    out = tmp_path / "by_agent.csv"
    result = cli("report", _tickets(tmp_path), "-k", "tickets_created", "--by", "agent", "-o", out)
    assert result.exit_code == 0, result.stderr
    # kim, lee and (unassigned): 3 rows
    assert f"wrote {out} (3 rows)" in result.stderr
    assert result.stdout == ""
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == 3


def test_one_row_is_singular_and_quiet_says_nothing(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    result = cli("report", _tickets(tmp_path), "-k", "tickets_created", "-o", out)
    assert f"wrote {out} (1 row)" in result.stderr
    result = cli("report", _tickets(tmp_path), "-k", "tickets_created", "-o", out, "-q")
    assert result.exit_code == 0
    assert result.stderr == ""


COMPARED = ("-k", "tickets_created", "--since", "2024-03-03", "--until", "2024-03-04")
"""Created 03-03 and 03-04: T4, T5 = 2; the two days before (03-01, 03-02): T1, T2, T3 = 3.
So the change is −1 and the previous value 3."""


@pytest.mark.parametrize(
    ("show", "cell"),
    [
        (None, "2 (▼ 1)"),
        ("change", "2 (▼ 1)"),
        ("previous", "2 (was 3)"),
        ("both", "2 (▼ 1, was 3)"),
    ],
)
def test_show_picks_what_the_compare_table_adds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, show: str | None, cell: str
) -> None:
    monkeypatch.setenv("COLUMNS", "120")
    extra = ("--show", show) if show else ()
    result = cli(
        "report", _tickets(tmp_path), *COMPARED, "--compare", "previous", "-f", "table", *extra
    )
    assert result.exit_code == 0, result.stderr
    assert cell in result.stdout, result.stdout


def test_show_without_compare_is_a_usage_error(tmp_path: Path) -> None:
    result = cli("report", _tickets(tmp_path), "--show", "previous")
    assert result.exit_code == 2
    assert "--show previous needs --compare previous|year" in result.stderr
