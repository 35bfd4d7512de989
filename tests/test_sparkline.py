"""Terminal trend: sparklines under the table with `--period` (and the console's colour rules)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from rich.console import Console

from cskpi.render.sparkline import BLOCKS, sparkline, trend_section, trend_summary
from cskpi.render.table import render_table
from tests.results import HOSTILE, flat_result, many_groups_result, trend_result


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([1, 2, 3, 4, 5, 6, 7, 8], "▁▂▃▄▅▆▇█"),
        ([0.0, 10.0], "▁█"),
        ([5.0, None, 5.0], "▄ ▄"),  # flat: the middle, not a floor or a ceiling
        ([None, None], "  "),
        ([], ""),
        ([0.0, 5.0, 10.0], "▁▅█"),  # 5/10 × 7 = 3.5 → 4 (halves up)
        ([1.0, float("nan"), 3.0], "▁ █"),
    ],
)
def test_sparkline(values: list[Any], expected: str) -> None:
    assert sparkline(values) == expected


def test_summary_per_kpi_and_group() -> None:
    summary = trend_summary(trend_result())
    assert summary is not None
    assert summary.buckets == ("2024-01", "2024-02", "2024-03")
    # Three KPIs share eight lines: two groups each; kim first (more tickets).
    kpis = [line.kpi for line in summary.lines]
    assert kpis == ["Tickets created", "", "First response time (median)", "", "CSAT", ""]
    assert [line.group for line in summary.lines[:2]] == ["kim", HOSTILE]
    # kim tickets 12, 10, 14 → ▅▁█; the hostile agent 3, —, 1 → █ ▁.
    assert summary.lines[0].spark == "▅▁█" and summary.lines[1].spark == "█ ▁"
    assert (summary.lines[0].first, summary.lines[0].last) == ("12", "14")
    assert (summary.lines[2].first, summary.lines[2].last) == ("30m 30s", "15m 00s")


def test_at_most_eight_lines() -> None:
    summary = trend_summary(many_groups_result(12))
    assert summary is not None
    assert len(summary.lines) <= 8
    assert summary.groups_shown == 2 and summary.total_groups == 12


def test_long_series_keep_the_latest_buckets() -> None:
    summary = trend_summary(trend_result(), max_width=2)
    assert summary is not None
    assert summary.buckets == ("2024-02", "2024-03")
    assert summary.total_buckets == 3
    assert summary.lines[0].spark == "▁█"


def test_no_trend_without_a_period_or_with_one_bucket() -> None:
    assert trend_summary(flat_result()) is None
    assert trend_section(flat_result()) is None
    one = trend_result().rows
    assert trend_summary(trend_result(rows=one[one["period"] == "2024-01"])) is None


def text(renderable: Any, width: int, **options: Any) -> str:
    out = io.StringIO()
    Console(file=out, width=width, **options).print(renderable)
    return out.getvalue()


def test_table_shows_the_trend_under_the_rows() -> None:
    shown = text(render_table(trend_result()), 120)
    assert "Trend per month, 2024-01 → 2024-03" in shown
    assert shown.index("Overall") < shown.index("Trend per month") < shown.index("Targets")
    assert "▅▁█" in shown
    assert "Trend per" not in text(render_table(flat_result()), 120)


@pytest.mark.parametrize("width", [60, 80, 100])
def test_trend_fits_the_terminal(width: int) -> None:
    rows = trend_result().rows
    shown = text(trend_section(trend_result(rows=rows)), width)
    assert all(len(line.rstrip()) <= width for line in shown.splitlines())
    assert any(ch in shown for ch in BLOCKS)


def test_no_color_and_dumb_terminals_get_no_colour() -> None:
    """Item 6: NO_COLOR and TERM=dumb are the console's call; the table only sets styles."""
    coloured = text(render_table(trend_result()), 120, force_terminal=True, color_system="standard")
    assert "\x1b[31m" in coloured or "\x1b[32m" in coloured
    no_color = text(
        render_table(trend_result()),
        120,
        force_terminal=True,
        color_system="standard",
        _environ={"NO_COLOR": "1"},
    )
    assert "\x1b[31m" not in no_color and "\x1b[32m" not in no_color
    dumb = text(render_table(trend_result()), 120, force_terminal=True, _environ={"TERM": "dumb"})
    assert "\x1b[" not in dumb
    assert "▅▁█" in no_color and "▅▁█" in dumb
