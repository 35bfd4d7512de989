"""Trend series of a `Result` with `--period`, and their SVG line charts (HTML report).

`trend_series` reshapes the rows (group × bucket, machine units) into one series per group
and KPI; the HTML charts and the terminal sparklines both read it, so they show the same
groups in the same order.

Groups are ranked by volume — the sum of every KPI's population (`_n`) over the window,
so ticket KPIs dominate — then by first appearance in the rows. A chart draws one line per
group for the first `MAX_LINES`; the rest are folded into "other": summed per bucket for an
additive KPI (DECISIONS 11), and not drawn at all for any other KPI, since a median or a
ratio of several groups cannot be recovered from the groups' values (the legend says so).

Charts are matplotlib figures — a bare `Figure` saved through the SVG backend, so no
pyplot state and no GUI backend is ever touched — with a fixed `svg.hashsalt`, no metadata
(no date) and matplotlib's bundled DejaVu Sans for the layout, so the same `Result` gives
the same bytes on any machine with the same matplotlib (DECISIONS 27). Text stays SVG text
(`svg.fonttype = "none"`, issue 22): selectable and searchable in the page, drawn by the
browser in DejaVu Sans or its own sans-serif.

Text in the charts is only tick labels (bucket labels and humanised numbers); group names go
in the HTML legend, where the browser's fonts render any script and the template escapes
them (and matplotlib never parses `$…$` as maths or hides `_`-prefixed labels). Element ids
are prefixed per chart, so several charts inline in one page never share an id.
"""

from __future__ import annotations

import html
import io
import math
import re
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cskpi.units import PERCENT_UNITS, humanize

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from cskpi.result import KpiInfo, Result

MAX_LINES = 8
"""Groups drawn as their own line; the rest are folded into "other"."""

PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
)
"""One colour per drawn group (matplotlib's tab10 less grey and olive), in rank order."""
OTHER_COLOUR = "#7f7f7f"
TARGET_COLOUR = "#57606a"
OTHER = "other"
ALL = "all"
"""The series label when there is no `--by`: each row is the whole population of a bucket."""

Series = tuple[float | None, ...]


@dataclass(frozen=True)
class Trend:
    """The rows as series: `values[kpi_id][group]` holds one value per bucket (None = null)."""

    buckets: tuple[str, ...]
    """Period labels in order (`2024-01`, `2024-W05`, ...)."""
    groups: tuple[str, ...]
    """Group labels (`kim`, `kim / email`), by volume then first appearance, groups with a
    special label (`(unassigned)`, `(none)`, `(unknown)`) last (DECISIONS 42); `all` alone
    when there is no grouping."""
    values: dict[str, dict[str, Series]]
    partial: tuple[bool, ...] = ()
    """Per bucket: partial (DECISIONS 39); empty = none is."""

    def is_partial(self, index: int) -> bool:
        return bool(self.partial) and self.partial[index]


@dataclass(frozen=True)
class LegendEntry:
    label: str
    colour: str | None
    """None: not drawn (the note says why)."""
    note: str = ""
    dashed: bool = False
    hollow: bool = False
    """The partial-bucket mark: a hollow point."""


@dataclass(frozen=True)
class Chart:
    kpi: KpiInfo
    svg: str
    legend: tuple[LegendEntry, ...]


def _finite(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def trend_series(result: Result) -> Trend:
    """Reshape `result.rows` (which must have a `period` column) into per-group series."""
    from cskpi.engine.keys import SPECIAL
    from cskpi.render.text import row_records

    labels = [str(g) for g in result.group_by]
    kpis = [k for k in result.kpis if k.id in result.rows.columns]
    records = list(row_records(result))
    buckets = tuple(sorted({str(r["period"]) for r in records if r.get("period") is not None}))
    position = {b: i for i, b in enumerate(buckets)}
    partial = [False] * len(buckets)
    volume: dict[str, int] = {}
    special: dict[str, bool] = {}
    values: dict[str, dict[str, list[float | None]]] = {k.id: {} for k in kpis}
    for record in records:
        group = " / ".join("—" if record.get(c) is None else str(record[c]) for c in labels)
        group = group or ALL
        volume.setdefault(group, 0)
        special[group] = any(record.get(c) in SPECIAL for c in labels)
        if record.get("partial") and record.get("period") is not None:
            partial[position[str(record["period"])]] = True
        for k in kpis:
            volume[group] += int(_finite(record.get(f"{k.id}_n")) or 0)
            series = values[k.id].setdefault(group, [None] * len(buckets))
            if record.get("period") is not None:
                series[position[str(record["period"])]] = _finite(record.get(k.id))
    first_seen = {g: i for i, g in enumerate(volume)}
    groups = tuple(sorted(volume, key=lambda g: (special[g], -volume[g], first_seen[g])))
    return Trend(
        buckets=buckets,
        groups=groups,
        values={kid: {g: tuple(s) for g, s in per.items()} for kid, per in values.items()},
        partial=tuple(partial) if any(partial) else (),
    )


def _summed(series: list[Series]) -> Series:
    """Per-bucket sum of additive values; null where every group is null."""
    out: list[float | None] = []
    for column in zip(*series, strict=True):
        present = [v for v in column if v is not None]
        out.append(math.fsum(present) if present else None)
    return tuple(out)


def chart_lines(trend: Trend, kpi: KpiInfo) -> tuple[list[tuple[Series, str]], list[LegendEntry]]:
    """(series, colour) to draw for `kpi`, and the legend describing them."""
    per_group = trend.values.get(kpi.id, {})
    shown = trend.groups[:MAX_LINES]
    rest = trend.groups[MAX_LINES:]
    empty: Series = (None,) * len(trend.buckets)
    lines: list[tuple[Series, str]] = []
    legend: list[LegendEntry] = []
    for i, group in enumerate(shown):
        lines.append((per_group.get(group, empty), PALETTE[i % len(PALETTE)]))
        legend.append(LegendEntry(group, PALETTE[i % len(PALETTE)]))
    if rest:
        label = f"{OTHER} ({len(rest)} groups)"
        if kpi.additive:
            lines.append((_summed([per_group.get(g, empty) for g in rest]), OTHER_COLOUR))
            legend.append(LegendEntry(label, OTHER_COLOUR, "summed"))
        else:
            legend.append(
                LegendEntry(label, None, "not drawn: this KPI cannot be combined across groups")
            )
    return lines, legend


def trend_charts(result: Result) -> list[Chart]:
    """One chart per KPI when the result has a period; none otherwise."""
    if result.period is None or "period" not in result.rows.columns or len(result.rows) == 0:
        return []
    from cskpi.engine.targets import parse_target

    trend = trend_series(result)
    targets = {t.kpi: t.target for t in result.targets}
    charts = []
    for index, kpi in enumerate(k for k in result.kpis if k.id in trend.values):
        lines, legend = chart_lines(trend, kpi)
        if trend.groups == (ALL,):
            legend = []
        threshold = None
        if kpi.id in targets:
            threshold = parse_target(kpi.id, targets[kpi.id], str(kpi.unit)).threshold
            legend.append(LegendEntry(f"target {targets[kpi.id]}", TARGET_COLOUR, dashed=True))
        if trend.partial:
            marked = [b for i, b in enumerate(trend.buckets) if trend.is_partial(i)]
            legend.append(
                LegendEntry(f"partial {result.period}: {', '.join(marked)}", None, hollow=True)
            )
        title = f"{kpi.name} per {result.period}"
        svg = _svg(
            trend.buckets,
            lines,
            str(kpi.unit),
            title,
            threshold=threshold,
            prefix=f"c{index + 1}-",
            partial=trend.partial,
        )
        charts.append(Chart(kpi=kpi, svg=svg, legend=tuple(legend)))
    return charts


# -- drawing --------------------------------------------------------------------------------

_NO_METADATA = {"Date": None, "Creator": None, "Format": None, "Type": None}
_SECOND_STEPS = (
    1,
    2,
    5,
    10,
    15,
    30,
    60,
    120,
    300,
    600,
    900,
    1800,
    3600,
    7200,
    10800,
    14400,
    21600,
    43200,
    86400,
    172800,
    604800,
)


def _svg(
    buckets: tuple[str, ...],
    lines: list[tuple[Series, str]],
    unit: str,
    title: str,
    *,
    threshold: float | None,
    prefix: str,
    partial: tuple[bool, ...] = (),
) -> str:
    """A partial bucket (DECISIONS 39) is a hollow point reached by a dashed segment."""
    quiet_matplotlib()
    import matplotlib
    from matplotlib.figure import Figure

    # A literal here, so mypy checks each key against matplotlib's rc keys.
    with matplotlib.rc_context(
        {
            "svg.hashsalt": "cskpi",
            "svg.fonttype": "none",
            "font.family": "sans-serif",
            "font.sans-serif": ["DejaVu Sans"],
            "font.size": 9.0,
            "axes.edgecolor": "#b0b0b0",
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "axes.grid.axis": "y",
            "grid.color": "#e5e5e5",
            "xtick.color": "#555555",
            "ytick.color": "#555555",
        }
    ):
        figure = Figure(figsize=(6.4, 2.8), layout="constrained")
        axes = figure.add_subplot()
        xs = list(range(len(buckets)))
        markers = len(buckets) <= 24
        width = 1.6 if len(buckets) <= 60 else 0.9
        marked = [bool(partial) and partial[i] for i in xs]
        for series, colour in lines:
            ys = [math.nan if v is None else v for v in series]
            whole = [math.nan if p else y for y, p in zip(ys, marked, strict=True)]
            if any(marked):  # under the solid line: shows only next to a partial bucket
                axes.plot(xs, ys, color=colour, linewidth=width, linestyle=(0, (3, 2)))
            # Unclipped, so a marker on the axis limit (a zero count) shows whole.
            axes.plot(
                xs,
                whole,
                color=colour,
                linewidth=width,
                marker="o" if markers else None,
                markersize=3.5,
                clip_on=False,
            )
            if any(marked):
                hollow = [y if p else math.nan for y, p in zip(ys, marked, strict=True)]
                axes.plot(
                    xs,
                    hollow,
                    linestyle="none",
                    marker="o",
                    markersize=4.5,
                    markerfacecolor="white",
                    markeredgecolor=colour,
                    markeredgewidth=1.2,
                    clip_on=False,
                )
        if threshold is not None:
            axes.axhline(threshold, color=TARGET_COLOUR, linewidth=1.0, linestyle=(0, (4, 3)))
        _x_axis(axes, buckets)
        _y_axis(axes, unit, lines, threshold)
        buffer = io.StringIO()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            figure.savefig(buffer, format="svg", metadata=_NO_METADATA)
    return _inline(buffer.getvalue(), prefix, title)


def _x_axis(axes: Axes, buckets: tuple[str, ...]) -> None:
    from matplotlib.ticker import FixedLocator, NullLocator

    longest = max((len(b) for b in buckets), default=0)
    room = 12 if longest <= 7 else 7
    step = max(1, math.ceil(len(buckets) / room))
    ticks = list(range(0, len(buckets), step))
    axes.xaxis.set_major_locator(FixedLocator(ticks))
    axes.xaxis.set_minor_locator(NullLocator())
    axes.set_xticks(ticks, [buckets[i] for i in ticks])
    axes.set_xlim(-0.5, max(len(buckets) - 0.5, 0.5))


def _y_axis(
    axes: Axes, unit: str, lines: list[tuple[Series, str]], threshold: float | None
) -> None:
    from matplotlib.ticker import FuncFormatter, MaxNLocator, MultipleLocator

    present = [v for series, _ in lines for v in series if v is not None]
    present += [] if threshold is None else [threshold]
    if unit in ("count", "seconds", "money") and present and min(present) >= 0:
        axes.set_ylim(bottom=0)
    if unit == "seconds" and present:
        low, high = axes.get_ylim()
        span = max(high - low, 1.0)
        step = next((s for s in _SECOND_STEPS if span / s <= 6), _SECOND_STEPS[-1])
        axes.yaxis.set_major_locator(MultipleLocator(step))
    elif unit == "count":
        axes.yaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
    else:
        axes.yaxis.set_major_locator(MaxNLocator(nbins=6))
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: _tick(value, unit)))


def _tick(value: float, unit: str) -> str:
    if unit == "seconds":
        return _duration_tick(value)
    if unit in PERCENT_UNITS:
        # Ticks sit on round values: `96%`, `87.5%`, not `96.0%`.
        return format(round(value * 100, 6), "g") + "%"
    return humanize(value, unit)


def _duration_tick(seconds: float) -> str:
    """Axis labels on round durations: `30m`, `2h`, `1h 30m`, `2d` (no `00s` noise)."""
    whole = round(seconds)
    if whole == 0:
        return "0"
    sign = "-" if whole < 0 else ""
    whole = abs(whole)
    parts = []
    for size, name in ((86400, "d"), (3600, "h"), (60, "m"), (1, "s")):
        amount, whole = divmod(whole, size)
        if amount:
            parts.append(f"{amount}{name}")
    return sign + " ".join(parts[:2])


_ID = re.compile(r'\bid="([^"]+)"')
_REF = re.compile(r'(url\(#|href="#)([^")]+)')


def _inline(svg: str, prefix: str, title: str) -> str:
    """The bare `<svg>` element for inlining: no XML prolog, ids prefixed, sized by CSS."""
    svg = svg[svg.index("<svg") :]
    svg = _ID.sub(lambda m: f'id="{prefix}{m.group(1)}"', svg)
    svg = _REF.sub(lambda m: f"{m.group(1)}{prefix}{m.group(2)}", svg)
    # Width/height in pt would pin the size; the viewBox keeps the aspect ratio in CSS.
    svg = re.sub(r'^<svg([^>]*?) width="[^"]+" height="[^"]+"', r"<svg\1", svg, count=1)
    label = html.escape(title, quote=True)
    return svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1).rstrip() + "\n"


def quiet_matplotlib() -> None:
    """matplotlib logs warnings of its own on stderr (an unwritable home: "created a temporary
    cache directory"), even under `-q`; a chart never needs them said. Before its import."""
    import logging

    logging.getLogger("matplotlib").setLevel(logging.ERROR)
