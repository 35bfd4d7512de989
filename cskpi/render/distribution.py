"""The HTML report's distribution bars: one stacked bar per row (group, bucket) and one for
Overall, per distribution KPI (`kpis.distribution`), its buckets side by side in one bar.

Widths are the bucket shares themselves (they sum to 100 % of the tickets with a duration);
a row whose population is empty has no bar ("no tickets"). Plain HTML and CSS (no chart
library): the text is the page's own, selectable, and the bytes never depend on fonts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cskpi.kpis import all_kpis
from cskpi.kpis.distribution import SHORT, family
from cskpi.units import humanize

if TYPE_CHECKING:
    from cskpi.result import KpiInfo, Result

PALETTE = ("#2e7d32", "#7cb342", "#c0ca33", "#fdd835", "#ffb300", "#fb8c00", "#f4511e", "#e53935")
"""Fast to slow: green to red; buckets pick evenly spread colours from it."""


@dataclass(frozen=True)
class Segment:
    width: str
    """CSS width, `41.25%`."""
    colour: str
    text: str
    """The share, `41.3%`; shown inside the segment when it is wide enough."""
    title: str
    """`FRT 0–1h: 41.3%`, the segment's tooltip."""


@dataclass(frozen=True)
class Bar:
    label: str
    n: str
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class Distribution:
    name: str
    legend: tuple[tuple[str, str], ...]
    """(colour, bucket range) per bucket."""
    bars: tuple[Bar, ...]


def distribution_parts(result: Result) -> dict[str, list[KpiInfo]]:
    """Distribution id → its bucket columns among the result's KPIs, in order."""
    parts: dict[str, list[KpiInfo]] = {}
    for kpi in result.kpis:
        found = family(kpi.id)
        if found is not None:
            parts.setdefault(found, []).append(kpi)
    return parts


def _colours(count: int) -> list[str]:
    if count <= 1:
        return [PALETTE[0]]
    step = (len(PALETTE) - 1) / (count - 1)
    return [PALETTE[round(i * step)] for i in range(count)]


def _bar(label: str, record: dict[str, Any], parts: list[KpiInfo], colours: list[str]) -> Bar:
    n = record.get(f"{parts[0].id}_n")
    segments = []
    for kpi, colour in zip(parts, colours, strict=True):
        share = record.get(kpi.id)
        if share is None or not share > 0:
            continue
        text = humanize(share, "ratio")
        segments.append(
            Segment(
                f"{share * 100:.2f}%", colour, text if share >= 0.08 else "", f"{kpi.name}: {text}"
            )
        )
    return Bar(label, humanize(n, "count") if n is not None else "0", tuple(segments))


def distribution_bars(result: Result) -> list[Distribution]:
    """One `Distribution` per distribution KPI of the report: a bar per row, then Overall."""
    from cskpi.render.marks import hidden_on_screen, period_text
    from cskpi.render.text import row_records

    found = distribution_parts(result)
    if not found:
        return []
    names = [str(c) for c in result.rows.columns]
    taken = {k.id + s for k in result.kpis for s in ("", "_n", "_previous", "_change")}
    labels = [c for c in names if c not in taken | hidden_on_screen(result)]
    records = list(row_records(result))
    registry = all_kpis()
    out = []
    for kpi_id, parts in found.items():
        colours = _colours(len(parts))
        bars = []
        for record in records:
            shown = [period_text(record) if c == "period" else str(record[c] or "") for c in labels]
            bars.append(_bar(" · ".join(shown) or "all", record, parts, colours))
        if labels and result.overall:
            bars.append(_bar("Overall", result.overall, parts, colours))
        legend = tuple(
            (colour, kpi.name.removeprefix(f"{SHORT[kpi_id]} "))
            for kpi, colour in zip(parts, colours, strict=True)
        )
        out.append(Distribution(registry[kpi_id].name, legend, tuple(bars)))
    return out
