"""Money has a currency (issue 22): `[costs] currency` in the table, HTML, Excel number formats
and JSON's `currency`; the values themselves stay numbers.

TINY_TICKETS in March 2024: T1, T2 and T4 resolved. `[costs] monthly = 3100` over the whole
of March is 3100, so cost_per_resolution = 3100 / 3 = 1033.33.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cskpi.cli import app
from cskpi.units import humanize, with_currency
from tests.conftest import TINY_TICKETS

runner = CliRunner()
ARGS = ("-k", "cost_per_resolution", "--month", "2024-03", "-q")


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "120")
    (tmp_path / "t.csv").write_text(TINY_TICKETS, encoding="utf-8")
    for name, currency in (("eur", '"EUR"'), ("sign", '"€"')):
        (tmp_path / f"{name}.toml").write_text(
            f"[costs]\ncurrency = {currency}\nmonthly = 3100\n", encoding="utf-8"
        )
    (tmp_path / "none.toml").write_text("[costs]\nmonthly = 3100\n", encoding="utf-8")


def cli(*args: object) -> object:
    result = runner.invoke(app, ["report", "t.csv", *ARGS, *(str(a) for a in args)])
    assert result.exit_code == 0, result.stderr
    return result


def test_table_shows_the_currency() -> None:
    assert "1,033.33 EUR" in cli("-c", "eur.toml", "-f", "table").stdout
    assert "€1,033.33" in cli("-c", "sign.toml", "-f", "table").stdout
    bare = cli("-c", "none.toml", "-f", "table").stdout
    assert "1,033.33" in bare and "EUR" not in bare and "USD" not in bare


def test_json_keeps_numbers_and_names_the_currency() -> None:
    doc = json.loads(cli("-c", "eur.toml", "-f", "json").stdout)
    assert doc["currency"] == "EUR"
    assert list(doc)[list(doc).index("config") + 1] == "currency"
    assert doc["overall"]["cost_per_resolution"] == pytest.approx(3100 / 3)
    assert "currency" not in json.loads(cli("-c", "none.toml", "-f", "json").stdout)


def test_html_card_and_rows_show_it(tmp_path: Path) -> None:
    cli("-c", "sign.toml", "-o", "r.html")
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert '<div class="value">€1,033.33</div>' in page


def test_excel_number_formats_carry_it(tmp_path: Path) -> None:
    import openpyxl

    cli("-c", "eur.toml", "-o", "r.xlsx")
    book = openpyxl.load_workbook(tmp_path / "r.xlsx")
    rows = book["rows"]
    header = [c.value for c in rows[1]]
    cell = rows.cell(2, header.index("cost_per_resolution") + 1)
    assert cell.value == pytest.approx(3100 / 3)  # the number, not text
    assert cell.number_format == '#,##0.00 "EUR"'
    overall = book["overall"]
    names = [c.value for c in overall[1]]
    assert overall.cell(2, names.index("shown") + 1).value == "1,033.33 EUR"


def test_sign_goes_before_the_digits_and_after_the_minus() -> None:
    assert with_currency("-3.00", "€") == "-€3.00"
    assert humanize(12.4, "money", "CHF") == "12.40 CHF"
    assert humanize(None, "money", "EUR") == "—"  # null stays the null mark
    assert humanize(3, "count", "EUR") == "3"  # only money


@pytest.mark.parametrize("currency", ['"12"', '"EURO EUR"', '""', '"E;"'])
def test_a_currency_that_is_none_is_a_config_error(tmp_path: Path, currency: str) -> None:
    (tmp_path / "bad.toml").write_text(f"[costs]\ncurrency = {currency}\n", encoding="utf-8")
    result = runner.invoke(app, ["report", "t.csv", *ARGS, "-c", "bad.toml"])
    assert result.exit_code == 2
    assert "costs.currency:" in result.stderr and "is not a currency" in result.stderr
