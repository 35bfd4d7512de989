"""Narrow terminals (issue 22): at 60 columns no value wraps inside its cell and no sparkline
value is cut; the rows table switches to one KPI per line when its values do not fit side by
side.

Fixture: conftest's TINY_TICKETS (UTC, as of 2024-03-04 15:00); by agent, kim's first
responses are 600 and 1800 s (median 1200 s = 20m 00s), lee's 3600 and 1200 s (median 2400 s
= 40m 00s); resolution: kim 3600 and 86400 s (median 45000 s = 12h 30m), lee 3600 s (1h 00m).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console

import cskpi
from cskpi.engine.types import ReportRequest
from cskpi.render.table import render_table
from cskpi.result import Compare, Period
from cskpi.time.window import WindowSpec
from tests.conftest import TINY_TICKETS

KPIS = (
    "tickets_created",
    "frt_median",
    "frt_p90",
    "resolution_time_median",
    "resolution_rate",
    "response_rate",
    "fcr_rate",
    "reopen_rate",
)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> object:
    path = tmp_path_factory.mktemp("narrow") / "t.csv"
    path.write_text(TINY_TICKETS, encoding="utf-8")
    return cskpi.load(str(path))


def shown(result: object, width: int) -> list[str]:
    console = Console(width=width, record=True, no_color=True, soft_wrap=False)
    console.print(render_table(result))
    return console.export_text().splitlines()


def test_narrow_table_puts_one_kpi_per_line(inputs: object) -> None:
    result = cskpi.compute(inputs, ReportRequest(kpis=KPIS, group_by=("agent",)))
    lines = shown(result, 60)
    assert max(len(line) for line in lines) <= 60
    text = "\n".join(lines)
    for value in ("20m 00s", "40m 00s", "12h 30m", "1h 00m"):  # whole, on one line each
        assert value in text, value
    kim = next(line for line in lines if "kim" in line)
    assert "Tickets created" in kim and kim.rstrip().endswith("2")  # kim: T1, T2
    assert any("First response time (median)" in line and "20m 00s" in line for line in lines)


def test_wide_terminal_keeps_one_column_per_kpi(inputs: object) -> None:
    result = cskpi.compute(inputs, ReportRequest(kpis=KPIS, group_by=("agent",)))
    lines = shown(result, 240)
    kim = next(line for line in lines if line.lstrip().startswith("kim"))
    # every KPI of kim on its own row: 2 tickets, 20m 00s, …, 12h 30m
    assert "20m 00s" in kim and "12h 30m" in kim
    assert not any(line.split() == ["KPI", "value"] for line in lines)


def test_compare_changes_break_between_value_and_change_only(inputs: object) -> None:
    # 03-03 and 03-04 against 03-01 and 03-02 (covered): lee 1 ticket (T4) vs 1 (T3), kim
    # none vs 2 (T1, T2)
    request = ReportRequest(
        kpis=KPIS,
        group_by=("agent",),
        compare=Compare.PREVIOUS,
        window=WindowSpec(since="2024-03-03", until="2024-03-04"),
    )
    lines = shown(cskpi.compute(inputs, request), 60)
    assert max(len(line) for line in lines) <= 60
    notes = [line for line in lines if "▲" in line or "▼" in line or "(=)" in line]
    assert any("1 (=)" in line for line in notes)  # lee's tickets created: 1 vs 1
    for line in notes:  # an arrow note is whole where it appears: `(▲ 2)`, never `(▲` alone
        assert line.count("(") == line.count(")"), line


def test_sparkline_values_are_never_cut(tmp_path: Path, inputs: object) -> None:
    request = ReportRequest(
        kpis=("resolution_time_median", "frt_median"), group_by=("agent",), period=Period.DAY
    )
    lines = shown(cskpi.compute(inputs, request), 60)
    trend = lines[next(i for i, line in enumerate(lines) if line.startswith("Trend per")) :]
    assert max(len(line) for line in trend) <= 60
    # kim's first responses: 03-01 (600, 1800 → median 1200 = 20m 00s), then none; lee's
    # resolution: 03-03 T4 3600 s = 1h 00m; each value shown whole after its arrow
    body = "\n".join(trend)
    assert "→" in body and "…" not in body.split("→")[-1]
    for line in trend[1:]:
        if "→" in line:
            last = line.split("→")[1].strip()
            assert last and "…" not in last, line


@pytest.mark.parametrize("kpis", [KPIS[:4], KPIS])
def test_no_width_cuts_a_header_or_a_value(inputs: object, kpis: tuple[str, ...]) -> None:
    # at every width from 40 to 140 columns, either layout fits whole: no `…`, no line wider
    # than the terminal, each median whole on its line
    result = cskpi.compute(inputs, ReportRequest(kpis=kpis, group_by=("agent",)))
    for width in range(40, 141):
        lines = shown(result, width)
        assert max(len(line) for line in lines) <= width, width
        text = "\n".join(lines)
        assert "…" not in text, (width, text)
        assert "20m 00s" in text and "12h 30m" in text, width
