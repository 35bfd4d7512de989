"""The HTML report: self-contained, escaped, one chart per KPI with a period, deterministic."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cskpi.cli import app
from cskpi.render import render
from cskpi.render.charts import (
    MAX_LINES,
    OTHER_COLOUR,
    _duration_tick,
    chart_lines,
    trend_charts,
    trend_series,
)
from cskpi.render.html import render_html
from tests.results import HOSTILE, KPIS, flat_result, many_groups_result, trend_result


@pytest.fixture(scope="module")
def page() -> str:
    return render_html(trend_result())


def test_registered_as_a_format() -> None:
    assert render(trend_result(), "html") == render_html(trend_result())


def test_self_contained(page: str) -> None:
    """Opens offline: nothing fetched — no script, no link, no remote src/href/url()/@import."""
    assert page.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in page
    assert "<script" not in page.lower()
    assert "<link" not in page.lower()
    assert "@import" not in page
    assert not re.search(r"""\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page, re.I)
    assert not re.search(r"""url\(\s*["']?\s*(?:https?:)?//""", page, re.I)
    assert not re.search(r"""\bsrc\s*=""", page, re.I)
    # Internal references only (`#c1-...` inside the inline charts).
    assert all(ref.startswith("#") for ref in re.findall(r'href="([^"]*)"', page))


def test_hostile_label_is_escaped(page: str) -> None:
    assert HOSTILE not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_one_chart_per_kpi_with_a_period(page: str) -> None:
    assert page.count("<svg") == len(KPIS)
    for kpi in KPIS:
        assert f'aria-label="{kpi.name} per month"' in page
    assert "Trend per month" in page


def test_no_chart_without_a_period() -> None:
    page = render_html(flat_result())
    assert "<svg" not in page
    assert "Trend per" not in page


def test_ids_are_unique_across_charts(page: str) -> None:
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert ids and len(ids) == len(set(ids))
    for ref in re.findall(r'(?:url\(#|href="#)([^")]+)', page):
        assert ref in ids


def test_header_facts(page: str) -> None:
    assert "<title>Customer-service KPIs — by agent, per month</title>" in page
    assert "2024-01-01 → 2024-03-31" in page  # until is exclusive
    assert "Asia/Seoul" in page
    assert "calendar hours" in page
    assert "2024-03-31 18:00" in page
    assert "previous month" in page  # each bucket against the one before (DECISIONS 37)
    assert "business hours" in render_html(trend_result(business_hours=True))


def test_cards_show_overall_target_and_change(page: str) -> None:
    cards = page[page.index('class="cards"') : page.index("Trend per month")]
    # frt 2000.25 s → 33m 20s, target <= 1h met, 399.75 s faster → ▼ -6m 40s (good: lower).
    assert "33m 20s" in cards and "n = 33" in cards
    assert "✓ met" in cards and "target &lt;= 1h" in cards
    assert '<span class="good">▼ -6m 40s</span> vs 40m 00s' in cards
    # CSAT 0.8 misses >= 85%; nothing to compare with (DECISIONS 38).
    assert "80.0%" in cards and "✗ missed" in cards and "target &gt;= 85%" in cards
    assert '<div class="line neutral">no earlier data</div>' in cards
    # A count without a target: the change is not coloured.
    assert '<span class="neutral">▲ +5</span> vs 35' in cards


def test_rows_table_in_human_units_with_nulls(page: str) -> None:
    table = page[page.index('<table class="rows">') : page.index("</table>")]
    assert table.count("<tr>") == 2 + 5 + 1  # two header rows, five rows, overall
    assert "30m 30s" in table  # kim 2024-01: 1830 s
    assert "2h 05m" in table  # 7500.5 s
    assert "30.0%" in table  # 0.1 + 0.2, rounded for reading
    assert '<td class="num null">—</td>' in table
    assert '<td class="label period">2024-02</td>' in table
    # Per-row target colours, as in the terminal table: 30m 30s <= 1h met, 2h 05m missed.
    # kim 2024-01 has no previous FRT: "no earlier data", never a change (DECISIONS 38)
    no_earlier = '<span class="delta neutral">no earlier data</span>'
    assert f'<td class="num met">30m 30s{no_earlier}</td>' in table
    assert f'<td class="num missed">2h 05m{no_earlier}</td>' in table
    assert "Overall" in table
    # --compare: the change in small type under the value; frt up 570.5 s is worse (<= 1h).
    assert "2400.5" not in table and '<span class="delta bad">▲ +9m 31s</span>' in table
    assert "Small type under a value" in page
    assert "Small type under a value" not in render_html(flat_result())


def test_data_quality_and_notes(page: str) -> None:
    quality = page[page.index("Data quality") :]
    assert "duplicate ticket id: 2" in quality
    assert "first response before created: 1" in quality
    assert "2 tickets with status spam excluded" in quality
    assert '<td class="num">45</td>' in quality


def test_printable_and_readable(page: str) -> None:
    assert "@media print" in page
    assert 'name="viewport"' in page


def test_empty_rows() -> None:
    result = flat_result()
    page = render_html(trend_result(rows=result.rows.iloc[0:0].assign(period=[])))
    assert "No records in this window." in page
    assert "<svg" not in page


def test_labels_are_never_markup_or_math() -> None:
    """Group names go in the HTML legend, escaped; `$x$` is not matplotlib mathtext."""
    result = trend_result(rows=trend_result().rows.replace({"kim": "$x$ & _hidden"}))
    page = render_html(result)
    assert "$x$ &amp; _hidden" in page


def test_more_than_eight_groups_fold_into_other() -> None:
    result = many_groups_result(MAX_LINES + 2)
    trend = trend_series(result)
    # By volume: agent09 has the most tickets, so it comes first.
    assert trend.groups[0] == "agent09" and trend.groups[-1] == "agent00"
    lines, legend = chart_lines(trend, KPIS[0])  # tickets_created: additive → summed
    assert len(lines) == MAX_LINES + 1
    assert lines[-1] == ((1.0 + 2.0, 1.0 + 2.0), OTHER_COLOUR)  # agent00 + agent01
    assert legend[-1].label == "other (2 groups)" and legend[-1].note == "summed"
    lines, legend = chart_lines(trend, KPIS[1])  # a median cannot be folded
    assert len(lines) == MAX_LINES
    assert legend[-1].colour is None and "not drawn" in legend[-1].note
    page = render_html(result)
    assert "other (2 groups)" in page and "not drawn" in page


def test_no_grouping_draws_one_line_without_legend() -> None:
    rows = trend_result().rows
    rows = rows[rows["agent"] == "kim"].drop(columns=["agent"]).reset_index(drop=True)
    result = trend_result(rows=rows, group_by=(), targets=())
    charts = trend_charts(result)
    assert len(charts) == len(KPIS)
    assert all(chart.legend == () for chart in charts)


def test_target_line_in_the_legend() -> None:
    charts = {c.kpi.id: c for c in trend_charts(trend_result())}
    assert charts["frt_median"].legend[-1].label == "target <= 1h"
    assert charts["frt_median"].legend[-1].dashed
    assert not any(entry.dashed for entry in charts["tickets_created"].legend)


def test_series_keep_gaps_for_missing_buckets() -> None:
    trend = trend_series(trend_result())
    assert trend.buckets == ("2024-01", "2024-02", "2024-03")
    assert trend.values["tickets_created"][HOSTILE] == (3.0, None, 1.0)
    assert trend.values["csat"]["kim"] == (0.875, None, 0.75)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0"), (30, "30s"), (1800, "30m"), (5400, "1h 30m"), (7200, "2h"), (90061, "1d 1h")],
)
def test_duration_ticks(seconds: float, text: str) -> None:
    assert _duration_tick(seconds) == text


def test_same_result_same_bytes() -> None:
    assert render_html(trend_result()) == render_html(trend_result())


def test_same_bytes_across_processes() -> None:
    """Hash seeds differ between processes; the charts' ids must not depend on them."""
    code = (
        "import hashlib, sys; from tests.results import trend_result; "
        "from cskpi.render import render; "
        "print(*(hashlib.sha256(out if isinstance(out := render(trend_result(), f), bytes) "
        "else out.encode()).hexdigest() for f in ('html', 'xlsx', 'parquet')))"
    )
    root = Path(__file__).resolve().parent.parent
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            cwd=root,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    }
    assert len(outputs) == 1


def test_heavy_libraries_load_only_when_rendering() -> None:
    code = (
        "import sys, cskpi.render, cskpi.render.html, cskpi.render.charts, "
        "cskpi.render.excel, cskpi.render.parquet, cskpi.render.sparkline; "
        "print(sorted(m for m in ('matplotlib', 'jinja2', 'openpyxl', 'pyarrow', 'pandas') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_cli_writes_the_report(tiny_tickets: Path, tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    result = CliRunner().invoke(
        app,
        [
            "report",
            str(tiny_tickets),
            "--by",
            "agent",
            "--period",
            "day",
            "-k",
            "tickets_created,frt_median",
            "-o",
            str(target),
        ],
    )
    assert result.exit_code == 0, result.output
    page = target.read_text(encoding="utf-8")
    assert page.count("<svg") == 2
    assert "(unassigned)" in page
