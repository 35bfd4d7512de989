"""Distribution KPIs (issue 22): shares of tickets per first-response / resolution bucket, one
flat column per bucket in every format, a stacked bar per group in HTML.

Fixture: conftest's TINY_TICKETS (UTC, as of 2024-03-04 15:00).
- first response (s): T1 600, T2 1800, T3 3600, T4 1200; T5 unanswered (not in `_n`).
- resolution (s): T1 3600, T2 86400, T4 3600.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cskpi.cli import app
from cskpi.kpis.distribution import bucket_labels, duration_label
from tests.conftest import TINY_TICKETS

runner = CliRunner()

FRT = ["frt_distribution_0_1h", "frt_distribution_1_8h", "frt_distribution_8_24h"]
FRT.append("frt_distribution_over_24h")


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CSKPI_DEBUG", raising=False)
    (tmp_path / "t.csv").write_text(TINY_TICKETS, encoding="utf-8")
    (tmp_path / "minutes.toml").write_text('[distribution]\nbuckets = ["20m", "30m"]\n')


def cli(*args: object) -> object:
    result = runner.invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.stderr, result.stderr
    return result


def doc(*args: object) -> dict:
    result = cli("report", "t.csv", "-f", "json", "-q", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_default_buckets_and_the_upper_edge_inclusive() -> None:
    overall = doc("-k", "frt_distribution,resolution_time_distribution")["overall"]
    # FRT 600, 1800, 3600, 1200: all within 1 h (3600 is exactly 1 h: in 0–1h) → 4/4
    assert [overall[c] for c in FRT] == [1.0, 0.0, 0.0, 0.0]
    assert [overall[f"{c}_n"] for c in FRT] == [4, 4, 4, 4]
    # resolution 3600, 86400, 3600: two in 0–1h, 86400 = 24 h exactly in 8–24h → 2/3, 0, 1/3, 0
    res = [overall[f"resolution_time_distribution_{s}"] for s in ("0_1h", "1_8h", "8_24h")]
    assert res == pytest.approx([2 / 3, 0.0, 1 / 3])
    assert overall["resolution_time_distribution_over_24h"] == 0.0
    assert overall["resolution_time_distribution_0_1h_n"] == 3


def test_configured_buckets_per_group() -> None:
    got = doc("-k", "frt_distribution", "--by", "agent", "-c", "minutes.toml")
    cols = ["frt_distribution_0_20m", "frt_distribution_20_30m", "frt_distribution_over_30m"]
    assert [k["id"] for k in got["kpis"]] == cols
    assert [k["name"] for k in got["kpis"]] == ["FRT 0–20m", "FRT 20–30m", "FRT > 30m"]
    rows = {r["agent"]: [r[c] for c in cols] + [r[f"{cols[0]}_n"]] for r in got["rows"]}
    # kim: 600 (≤ 20m), 1800 (20–30m] → ½, ½, 0 of 2; lee: 3600 (> 30m), 1200 → ½, 0, ½
    # of 2; (unassigned): T5 unanswered → no population, every share null
    assert rows == {
        "kim": [0.5, 0.5, 0.0, 2],
        "lee": [0.5, 0.0, 0.5, 2],
        "(unassigned)": [None, None, None, 0],
    }
    # overall: 600, 1200 | 1800 | 3600 → 2/4, 1/4, 1/4
    assert [got["overall"][c] for c in cols] == [0.5, 0.25, 0.25]


def test_csv_has_one_flat_column_per_bucket() -> None:
    result = cli("report", "t.csv", "-k", "frt_distribution", "-f", "csv", "-q")
    header = next(csv.reader(io.StringIO(result.stdout)))
    assert header == [name for c in FRT for name in (c, f"{c}_n")]


def test_parquet_and_excel_columns(tmp_path: Path) -> None:
    import openpyxl
    import pyarrow.parquet as pq

    assert cli("report", "t.csv", "-k", "frt_distribution", "-o", "r.parquet", "-q").exit_code == 0
    table = pq.read_table(tmp_path / "r.parquet")
    assert [table.schema.field(c).type for c in FRT] == ["double"] * 4
    assert table.column("frt_distribution_0_1h").to_pylist() == [1.0]
    assert cli("report", "t.csv", "-k", "frt_distribution", "-o", "r.xlsx", "-q").exit_code == 0
    sheet = openpyxl.load_workbook(tmp_path / "r.xlsx")["rows"]
    header = [c.value for c in sheet[1]]
    cell = sheet.cell(2, header.index("frt_distribution_0_1h") + 1)
    assert cell.value == 1.0 and "%" in cell.number_format


def test_table_shows_each_bucket(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    result = cli("report", "t.csv", "-k", "frt_distribution", "-c", "minutes.toml", "-f", "table")
    assert result.exit_code == 0, result.stderr
    for header, share in (("FRT 0–20m", "50.0%"), ("FRT 20–30m", "25.0%"), ("FRT > 30m", "25.0%")):
        assert header in result.stdout and share in result.stdout


def test_html_draws_a_stacked_bar_per_group(tmp_path: Path) -> None:
    args = ("-k", "frt_distribution", "--by", "agent", "-c", "minutes.toml", "-o", "r.html")
    assert cli("report", "t.csv", *args, "-q").exit_code == 0
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<h2>First response time distribution</h2>" in page
    # kim, lee, (unassigned) and Overall: one bar each; kim's two halves are 50% wide
    assert page.count('<tr><th scope="row">') == 4
    kim = page[page.index('<th scope="row">kim</th>') :].split("</tr>")[0]
    assert kim.count("width: 50.00%") == 2
    unassigned = page[page.index('<th scope="row">(unassigned)</th>') :].split("</tr>")[0]
    assert "no tickets" in unassigned
    # no card per bucket: the bars carry them
    assert '<div class="name">FRT 0–20m</div>' not in page


def test_compare_and_sort_treat_buckets_as_ratios() -> None:
    got = doc(
        "-k", "frt_distribution", "-c", "minutes.toml", "--since", "2024-03-03",
        "--until", "2024-03-04", "--compare", "previous",
    )  # fmt: skip
    # now: T4 1200 → 0–20m 1/1; before (03-01, 03-02): T1 600, T2 1800, T3 3600 → 1/3, 1/3, 1/3
    assert got["overall"]["frt_distribution_0_20m"] == 1.0
    assert got["overall"]["frt_distribution_0_20m_previous"] == pytest.approx(1 / 3)
    assert got["overall"]["frt_distribution_0_20m_change"] == pytest.approx(2 / 3)
    ranked = doc("-k", "frt_distribution", "-c", "minutes.toml", "--by", "agent",
                 "--sort", "frt_distribution_over_30m:desc")  # fmt: skip
    assert [r["agent"] for r in ranked["rows"]] == ["lee", "kim", "(unassigned)"]


def test_a_target_on_a_distribution_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "c.toml").write_text('[targets]\nfrt_distribution = ">= 50%"\n')
    result = cli("report", "t.csv", "-c", "c.toml")
    assert result.exit_code == 2
    assert "targets.frt_distribution: a distribution has one value per bucket" in result.stderr


@pytest.mark.parametrize(
    ("buckets", "message"),
    [
        ('["8h", "1h"]', "distribution.buckets must increase and start above 0"),
        ('"1h"', "distribution.buckets must be a list of 1 to 9 durations"),
        ('["1 hour"]', "cannot read duration '1 hour'"),
    ],
)
def test_bad_buckets_are_config_errors(tmp_path: Path, buckets: str, message: str) -> None:
    (tmp_path / "c.toml").write_text(f"[distribution]\nbuckets = {buckets}\n")
    result = cli("report", "t.csv", "-k", "frt_distribution", "-c", "c.toml")
    assert result.exit_code == 2
    assert message in result.stderr


def test_labels() -> None:
    assert [duration_label(s) for s in (45, 1800, 3600, 86400, 7 * 86400, 5400)] == [
        "45s", "30m", "1h", "24h", "7d", "90m",
    ]  # fmt: skip
    assert bucket_labels([1800, 3600, 86400]) == [
        ("0_30m", "0–30m"), ("30m_1h", "30m–1h"), ("1_24h", "1–24h"), ("over_24h", "> 24h"),
    ]  # fmt: skip
