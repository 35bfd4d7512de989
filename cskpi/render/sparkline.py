"""Terminal trend: with `--period`, a compact sparkline per KPI under the table.

    Trend per month, 2024-01 → 2024-06
    Tickets created   email  ▃▁▂▅█▁  1,264 → 1,180
                      chat   ▃▁▃▅█▇    812 → 862
    CSAT              email  █▇▅▁▆▇  85.3% → 84.2%

Each line is one group's series for one KPI, scaled to its own minimum and maximum (a
shape, not a comparison between lines), with its first and last values in human units.
A bucket with no value is a space; a partial bucket (DECISIONS 39) is left out, so a
window cut mid-month does not end the line in a false cliff. At most `MAX_LINES` lines: the KPIs share them, each
showing its first groups in the charts' order (volume, then first appearance); with no
`--by` each KPI has one line. Long series show their latest `MAX_WIDTH` buckets.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cskpi.units import humanize

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderableType, RenderResult

    from cskpi.result import Result

BLOCKS = "▁▂▃▄▅▆▇█"
GAP = " "
MAX_LINES = 8
MAX_WIDTH = 48


@dataclass(frozen=True)
class TrendLine:
    kpi: str
    """The KPI's name; empty on a KPI's second and later lines."""
    group: str
    """The group label; empty when there is no `--by`."""
    spark: str
    first: str
    last: str


@dataclass(frozen=True)
class TrendSummary:
    lines: tuple[TrendLine, ...]
    buckets: tuple[str, ...]
    """The buckets shown (the latest `MAX_WIDTH`)."""
    total_buckets: int
    groups_shown: int
    total_groups: int
    left_out: tuple[str, ...] = ()
    """Partial buckets, not drawn (DECISIONS 39)."""


def sparkline(values: Sequence[float | None]) -> str:
    """One block per value, lowest `▁` to highest `█`; null is a space.

    A flat series (every value equal) sits in the middle (`▄`), so it reads as "no change"
    rather than as a minimum or a maximum.
    """
    finite = [v for v in values if v is not None and math.isfinite(v)]
    if not finite:
        return GAP * len(values)
    low, high = min(finite), max(finite)
    top = len(BLOCKS) - 1
    out = []
    for value in values:
        if value is None or not math.isfinite(value):
            out.append(GAP)
        elif high == low:
            out.append(BLOCKS[top // 2])
        else:
            out.append(BLOCKS[math.floor((value - low) / (high - low) * top + 0.5)])
    return "".join(out)


def _finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def trend_summary(
    result: Result, *, max_lines: int = MAX_LINES, max_width: int = MAX_WIDTH
) -> TrendSummary | None:
    """The sparkline lines for `result`, or None without a period or with under two buckets."""
    if result.period is None or "period" not in result.rows.columns or len(result.rows) == 0:
        return None
    from cskpi.render.charts import trend_series

    trend = trend_series(result)
    whole = [i for i in range(len(trend.buckets)) if not trend.is_partial(i)]
    if len(whole) < 2:
        return None
    kpis = [k for k in result.kpis if k.id in trend.values][:max_lines]
    if not kpis:
        return None
    per_kpi = max(1, max_lines // len(kpis))
    groups = trend.groups[:per_kpi]
    shown = whole[max(0, len(whole) - max_width) :]
    lines = []
    for k in kpis:
        for index, group in enumerate(groups):
            values = trend.values[k.id].get(group, (None,) * len(trend.buckets))
            series = tuple(values[i] for i in shown)
            present = [v for v in series if _finite(v)]
            lines.append(
                TrendLine(
                    kpi=k.name if index == 0 else "",
                    group="" if result.group_by == () else group,
                    spark=sparkline(series),
                    first=humanize(present[0] if present else None, str(k.unit), result.currency),
                    last=humanize(present[-1] if present else None, str(k.unit), result.currency),
                )
            )
    return TrendSummary(
        lines=tuple(lines),
        buckets=tuple(trend.buckets[i] for i in shown),
        total_buckets=len(whole),
        groups_shown=len(groups) if result.group_by else 0,
        total_groups=len(trend.groups) if result.group_by else 0,
        left_out=tuple(b for i, b in enumerate(trend.buckets) if trend.is_partial(i)),
    )


def trend_section(result: Result) -> RenderableType | None:
    """The rich renderable shown under the terminal table, or None when there is no trend.

    The sparklines shrink (keeping the latest buckets) to fit the console's width.
    """
    if trend_summary(result) is None:
        return None
    return _TrendSection(result)


_NAME_WIDTH = 28
_GROUP_WIDTH = 16
_MIN_SPARK = 8
_MIN_LABEL = 6


class _TrendSection:
    def __init__(self, result: Result) -> None:
        self.result = result

    def _widths(self, summary: TrendSummary, room: int) -> tuple[int, int, int]:
        """(name, group, sparkline) widths: the values are never cut (issue 22); on a narrow
        terminal the names give way first (down to `_MIN_LABEL`, ellipsised), then the
        sparkline (down to `_MIN_SPARK`, keeping its latest buckets)."""
        from rich.cells import cell_len

        def widest(texts: list[str], cap: int = 10**6) -> int:
            return min(max((cell_len(t) for t in texts), default=0), cap)

        lines = summary.lines
        values = widest([x.first for x in lines]) + widest([f"→ {x.last}" for x in lines])
        name = widest([x.kpi for x in lines], _NAME_WIDTH)
        group = widest([x.group for x in lines], _GROUP_WIDTH) if self.result.group_by else 0
        gaps = 4 if self.result.group_by else 3  # one space between columns
        labels = room - values - gaps - _MIN_SPARK  # what the names may have
        if name + group > labels:
            group = min(group, max(_MIN_LABEL, labels // 3)) if group else 0
            name = min(name, max(_MIN_LABEL, labels - group))
        spark = max(_MIN_SPARK, min(MAX_WIDTH, room - values - gaps - name - group))
        return name, group, spark

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.table import Table
        from rich.text import Text

        result = self.result
        summary = trend_summary(result)
        if summary is None:
            return
        name_width, group_width, width = self._widths(summary, options.max_width)
        if width < len(summary.buckets):
            summary = trend_summary(result, max_width=width) or summary

        heading = Text(f"Trend per {result.period}", style="bold")
        heading.append(f", {summary.buckets[0]} → {summary.buckets[-1]}", style="not bold")
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True, max_width=name_width, overflow="ellipsis")
        if result.group_by:
            grid.add_column(no_wrap=True, style="dim", max_width=group_width, overflow="ellipsis")
        grid.add_column(no_wrap=True)
        grid.add_column(no_wrap=True, justify="right")
        grid.add_column(no_wrap=True)
        for line in summary.lines:
            cells = [Text(line.kpi)]
            if result.group_by:
                cells.append(Text(line.group))
            cells += [Text(line.spark), Text(line.first), Text(f"→ {line.last}")]
            grid.add_row(*cells)
        yield heading
        yield grid
        notes = []
        if summary.total_buckets > len(summary.buckets):
            notes.append(
                f"latest {len(summary.buckets)} of {summary.total_buckets} {result.period}s"
            )
        if summary.groups_shown < summary.total_groups:
            notes.append(f"{summary.groups_shown} of {summary.total_groups} groups, by volume")
        if summary.left_out:
            notes.append(f"partial {', '.join(summary.left_out)} left out")
        if notes:
            yield Text("; ".join(notes), style="dim")
