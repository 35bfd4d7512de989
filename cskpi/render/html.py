"""The HTML report: one self-contained file a support lead can open offline, print or forward.

Everything is inline — styles in a `<style>` element, charts as inline SVG (see
`render/charts.py`) — and nothing is fetched: no scripts, fonts, stylesheets or images.
The page is rendered by Jinja2 from `templates/report.html.j2` with autoescaping on, so a
group label such as `<script>` is shown as text; the only markup inserted unescaped is the
SVG that matplotlib wrote (its text is escaped by matplotlib's XML writer and holds no
group labels anyway).

Contents: title, window, time zone, clock, as-of; one card per KPI (overall value, `n`,
target status, `--compare` change); the rows table in human units (null is `—`); a trend
chart per KPI with `--period`; the data-quality summary and the run's notes. Values are
humanised with `render/human.py`, the same text as the terminal table. The output has no
run timestamp: the same `Result` gives the same bytes (DECISIONS 27).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from cskpi.engine.targets import Target, parse_target
from cskpi.render.marks import NO_EARLIER, hidden_on_screen, partial_note, period_text
from cskpi.units import NULL, humanize, humanize_change
from cskpi.version import __version__

if TYPE_CHECKING:
    from jinja2 import Environment

    from cskpi.result import KpiInfo, Result

TEMPLATE = "report.html.j2"


@dataclass(frozen=True)
class Cell:
    text: str
    css: str = ""
    note: str = ""
    """A second line in small type (the `--compare` change)."""
    note_css: str = ""


@dataclass(frozen=True)
class Card:
    name: str
    unit: str
    value: str
    n: str
    target: str
    met: bool | None
    change: str
    change_css: str
    previous: str
    reason: str = ""
    """Why its target is not evaluated (DECISIONS 41)."""
    no_earlier: bool = False
    """With `--compare`, no previous value: the card says so (DECISIONS 38)."""


def render_html(result: Result, title: str | None = None) -> str:
    """`result` as one self-contained HTML document (UTF-8 text, ends with a newline);
    `title` (`--title`) replaces the heading and the page title, escaped like any text."""
    from markupsafe import Markup

    from cskpi.render.charts import trend_charts
    from cskpi.render.distribution import distribution_bars, distribution_parts

    charts = [
        {"name": c.kpi.name, "svg": Markup(c.svg), "legend": c.legend} for c in trend_charts(result)
    ]
    cards, business = _cards(result), _business_ids()
    # a distribution's buckets make one bar per row, not a card per bucket
    bars = {k.id for parts in distribution_parts(result).values() for k in parts}
    page = (
        _environment()
        .get_template(TEMPLATE)
        .render(
            title=_title(result) if title is None else title,
            facts=_facts(result),
            cards=[
                c for c, k in zip(cards, result.kpis, strict=True) if k.id not in business | bars
            ],
            business_cards=[c for c, k in zip(cards, result.kpis, strict=True) if k.id in business],
            distributions=distribution_bars(result),
            table=_table(result),
            partial_note=partial_note(result),
            no_earlier=NO_EARLIER,
            charts=charts,
            period=None if result.period is None else str(result.period),
            compare=result.compare is not None,
            against=_against(result),
            other_targets=_other_targets(result),
            quality=_quality(result.data_quality),
            notes=list(result.notes),
            breaches=_breaches(result),
            version=__version__,
        )
    )
    return page.rstrip("\n") + "\n"


def _breaches(result: Result) -> list[dict[str, Any]] | None:
    """`--breaches` rows with durations in human units (None without --breaches)."""
    from cskpi.render.text import breach_records

    if result.breaches is None:
        return None
    return [
        {
            **r,
            "target": humanize(r["target"], "seconds"),
            "actual": humanize(r["actual"], "seconds"),
        }
        for r in breach_records(result)
    ]


@cache
def _environment() -> Environment:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    return Environment(
        loader=PackageLoader("cskpi.render", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


# -- header ---------------------------------------------------------------------------------


def _title(result: Result) -> str:
    parts = []
    if result.group_by:
        parts.append("by " + ", ".join(str(g) for g in result.group_by))
    if result.period is not None:
        parts.append(f"per {result.period}")
    return "Customer-service KPIs" + (" — " + ", ".join(parts) if parts else "")


def _facts(result: Result) -> list[tuple[str, str]]:
    from cskpi.render.table import moment_text, window_text

    facts = [
        ("Window", window_text(result.since, result.until)),
        ("Time zone", result.timezone),
        ("Clock", "business hours" if result.business_hours else "calendar hours"),
        ("As of", moment_text(result.as_of, result.since)),
    ]
    if result.compare is not None:
        facts.append(("Compared with", _against(result)))
    return facts


def _against(result: Result) -> str:
    from cskpi.render.marks import compared_with

    return compared_with(result)


# -- cards ----------------------------------------------------------------------------------


def _business_ids() -> set[str]:
    """KPIs of the catalogue's Business section (customers, revenue, workforce, cost): their
    cards get their own "Business" heading."""
    from cskpi.kpis import all_kpis

    return {
        k.id
        for k in all_kpis().values()
        if k.compute.__module__ in ("cskpi.kpis.business", "cskpi.kpis.customers")
    }


def _targets(result: Result) -> dict[str, Target]:
    units = {k.id: str(k.unit) for k in result.kpis}
    return {
        t.kpi: parse_target(t.kpi, t.target, units[t.kpi]) for t in result.targets if t.kpi in units
    }


def _change_css(change: Any, target: Target | None) -> str:
    """Colour a change only when a target tells which direction is better."""
    number = _number(change)
    if target is None or number is None or number == 0 or target.op == "==":
        return "neutral"
    lower_is_better = target.op in ("<", "<=", "≤")
    return "good" if (number < 0) == lower_is_better else "bad"


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _arrow(change: Any, unit: str) -> str:
    text = humanize_change(change, unit)
    if text == NULL:
        return ""
    if text.startswith("+"):
        return f"▲ {text}"
    if text.startswith("-"):
        return f"▼ {text}"
    return f"= {text}"


def _cards(result: Result) -> list[Card]:
    targets = _targets(result)
    status = {t.kpi: t for t in result.targets}
    cards = []
    for k in result.kpis:
        unit = str(k.unit)
        value = result.overall.get(k.id)
        target = status.get(k.id)
        met = target.met if target is not None else None
        change = result.overall.get(f"{k.id}_change")
        previous = result.overall.get(f"{k.id}_previous")
        cards.append(
            Card(
                name=k.name,
                unit=unit,
                value=humanize(value, unit, result.currency),
                n=humanize(result.overall.get(f"{k.id}_n"), "count"),
                target="" if target is None else target.target,
                met=met,
                change=_arrow(change, unit) if result.compare is not None else "",
                change_css=_change_css(change, targets.get(k.id)),
                previous=humanize(previous, unit, result.currency),
                reason="" if target is None else target.reason or "",
                no_earlier=result.compare is not None and previous is None,
            )
        )
    return cards


def _other_targets(result: Result) -> list[tuple[str, str, str, bool | None, str]]:
    """Targets on KPIs without a card (computed for the target alone): KPI name, target,
    value, met, why not evaluated."""
    shown = {k.id for k in result.kpis}
    return [
        (
            t.name or t.kpi,
            t.target,
            humanize(t.value, t.unit, result.currency),
            t.met,
            t.reason or "",
        )
        for t in result.targets
        if t.kpi not in shown
    ]


# -- rows table -----------------------------------------------------------------------------


def _value_cell(
    kpi: KpiInfo,
    value: Any,
    change: Any,
    target: Target | None,
    compare: bool,
    previous: Any,
    currency: str | None = None,
) -> Cell:
    """The value, coloured by its target, with the `--compare` change in small type below
    ("no earlier data" without a previous value, DECISIONS 38)."""
    unit = str(kpi.unit)
    text = humanize(value, unit, currency)
    css = "num"
    if target is not None:
        met = target.met(value)
        css += "" if met is None else (" met" if met else " missed")
    css += " null" if text == NULL else ""
    if compare and previous is None:
        return Cell(text, css, note=NO_EARLIER, note_css="neutral")
    note = _arrow(change, unit) if compare else ""
    return Cell(text, css, note=note, note_css=_change_css(change, target) if note else "")


def _label_cell(column: str, record: dict[str, Any], has_period: bool) -> Cell:
    value = record[column]
    if value is None:
        return Cell(NULL, "label null")
    # Period labels (`2024-W05`) are unreadable when broken; group labels may wrap.
    if has_period and column == "period":
        return Cell(period_text(record), "label period")
    return Cell(str(value), "label")


def _kpi_cells(
    values: dict[str, Any],
    targets: dict[str, Target],
    kpis: list[KpiInfo],
    compare: dict[str, bool],
    currency: str | None = None,
) -> list[Cell]:
    cells = []
    for k in kpis:
        cells.append(
            _value_cell(
                k,
                values.get(k.id),
                values.get(f"{k.id}_change"),
                targets.get(k.id),
                compare[k.id],
                values.get(f"{k.id}_previous"),
                currency,
            )
        )
        cells.append(Cell(humanize(values.get(f"{k.id}_n"), "count"), "num n"))
    return cells


def _table(result: Result) -> dict[str, Any]:
    """Per KPI two columns: the value (with its change) and `n`. `_previous` stays in the
    machine formats and the cards: a column each would make the table too wide to read."""
    from cskpi.render.text import row_records

    names = [str(c) for c in result.rows.columns]
    kpis = [k for k in result.kpis if k.id in names]
    taken = {k.id + s for k in result.kpis for s in ("", "_n", "_previous", "_change")}
    taken |= hidden_on_screen(result)
    labels = [c for c in names if c not in taken]
    compare = {k.id: result.compare is not None and f"{k.id}_change" in names for k in kpis}
    targets = _targets(result)
    rows = []
    for record in row_records(result):
        cells = [_label_cell(c, record, result.period is not None) for c in labels]
        rows.append(cells + _kpi_cells(record, targets, kpis, compare, result.currency))
    # One row with no grouping is overall itself (DECISIONS 12): no need to repeat it.
    footer: list[Cell] = []
    if labels and rows:
        footer = [Cell("Overall", "label")] + [Cell("") for _ in labels[1:]]
        footer += _kpi_cells(result.overall, targets, kpis, compare, result.currency)
    return {
        "labels": labels,
        "kpis": [(k.name, "value") for k in kpis],
        "rows": rows,
        "footer": footer,
    }


# -- data quality ---------------------------------------------------------------------------


def _reasons(counts: Any) -> list[tuple[str, str]]:
    if not isinstance(counts, dict):
        return []
    return [
        (str(reason).replace("_", " "), humanize(n, "count")) for reason, n in counts.items() if n
    ]


def _quality(data_quality: dict[str, Any]) -> list[dict[str, Any]]:
    frames = []
    for frame, stats in data_quality.items():
        if not isinstance(stats, dict):
            continue
        frames.append(
            {
                "frame": str(frame),
                "read": humanize(stats.get("read"), "count"),
                "used": humanize(stats.get("used"), "count"),
                "out_of_window": humanize(stats.get("out_of_window"), "count"),
                "dropped": _reasons(stats.get("dropped")),
                "issues": _reasons(stats.get("issues")),
            }
        )
    return frames
