"""The terminal view of a `Result`: a rich renderable in human units, targets in colour.

The caller's `Console` decides whether colour is shown (NO_COLOR, TERM=dumb, not a
terminal); nothing here writes ANSI codes or prints. Populations (`_n`) and `_previous`
values are left to the machine formats; the table shows each KPI's value, and its change
with `--compare`. A value whose population is below `small_n` (`[display] small_n`, default
30; counts never) is marked `†` and a footnote says so (issue 17): an NPS of −100 from 3
responses should not read like one from 3,000.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from cskpi.config import SMALL_N
from cskpi.engine.targets import Target, parse_target
from cskpi.units import NULL, humanize, humanize_change, visible

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
    from rich.measure import Measurement
    from rich.text import Text

    from cskpi.result import KpiInfo, Result

MET_STYLE = "green"
MISSED_STYLE = "red"
UNKNOWN_STYLE = "yellow"
SMALL_MARK = "†"
"""After a value whose population `_n` is below `small_n`."""
_MARKS = {True: ("✓", MET_STYLE), False: ("✗", MISSED_STYLE), None: ("?", UNKNOWN_STYLE)}
"""A target that cannot be evaluated fails `--check` too (DECISIONS 41): marked, not dimmed."""


def render_table(result: Result, show: str = "change", small_n: int = SMALL_N) -> RenderableType:
    """Title (window, zone, as-of), the rows table (+ Overall), the trend sparklines with a
    period, and the targets, as a Group. `show` (with `--compare`): `change`, `previous` or
    `both` beside each value; values with `_n` < `small_n` marked (0: none)."""
    from rich.console import Group
    from rich.text import Text

    from cskpi.render.marks import partial_note

    table, marked = _rows_table(result, show, small_n)
    parts: list[RenderableType] = [_title(result, show), table]
    if len(result.rows) == 0:
        parts.append(Text("No records in this window.", style="dim"))
    note = partial_note(result)
    if note is not None:
        parts.append(Text(note, style="dim"))
    if marked:
        parts.append(Text(small_note(small_n), style="dim"))
    if result.period is not None:
        from cskpi.render.sparkline import trend_section

        trend = trend_section(result)
        if trend is not None:
            parts += [Text(""), trend]
    if result.targets:
        parts += [Text(""), _targets(result)]
    return Group(*parts)


def _meets(value: Any, target: Target | None) -> bool | None:
    return None if target is None else target.met(value)


def _style(met: bool | None) -> str:
    if met is None:
        return ""
    return MET_STYLE if met else MISSED_STYLE


# -- title ----------------------------------------------------------------------------------


def _is_midnight(stamp: datetime) -> bool:
    return stamp.hour == stamp.minute == stamp.second == stamp.microsecond == 0


def window_text(since: datetime, until: datetime) -> str:
    """Whole days read as inclusive dates (`until` is exclusive); otherwise times are shown."""
    if _is_midnight(since) and _is_midnight(until):
        first = since.strftime("%Y-%m-%d")
        last = (until - timedelta(microseconds=1)).strftime("%Y-%m-%d")
        return first if first == last else f"{first} → {last}"
    return f"{since:%Y-%m-%d %H:%M} → {until:%Y-%m-%d %H:%M}"


def moment_text(stamp: datetime, zone_of: datetime) -> str:
    if stamp.tzinfo is not None and zone_of.tzinfo is not None:
        stamp = stamp.astimezone(zone_of.tzinfo)
    return stamp.strftime("%Y-%m-%d %H:%M:%S" if stamp.second else "%Y-%m-%d %H:%M")


def _title(result: Result, show: str = "change") -> RenderableType:
    """`2024-01-01 → 2024-03-31 (Asia/Seoul) · as of 2024-03-31 18:00 · …`, two lines if narrow."""
    from rich.text import Text

    window = Text(window_text(result.since, result.until), style="bold")
    window.append(f" ({result.timezone})", style="not bold")
    notes = [f"as of {moment_text(result.as_of, result.since)}"]
    if result.business_hours:
        notes.append("business hours")
    if result.compare is not None:
        from cskpi.render.marks import compared_with

        said = {"change": "change vs", "previous": "was =", "both": "change and was vs"}[show]
        notes.append(f"{said} {compared_with(result)}")
    return _Fit(window, Text(" · ".join(notes), style="dim"), separator=" · ")


# -- rows -----------------------------------------------------------------------------------


def _kpi_header(kpi: KpiInfo) -> Text:
    from rich.text import Text

    return Text(kpi.name)


class _Fit:
    """Parts on one line when the width allows, else one part per line.

    A plain Text wraps at any space (`2h` / `05m (▲`); this keeps each part whole, so a value
    and its `(▲ change)` note, or the window and the as-of, break only between each other.
    """

    def __init__(self, *parts: Text, separator: str = " ") -> None:
        self.parts = parts
        self.separator = separator

    @property
    def width(self) -> int:
        from rich.cells import cell_len

        return sum(p.cell_len for p in self.parts) + cell_len(self.separator) * (
            len(self.parts) - 1
        )

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        from rich.measure import Measurement

        return Measurement(max(p.cell_len for p in self.parts), self.width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.text import Text

        joiner = self.separator if self.width <= options.max_width else "\n"
        yield Text(joiner).join(self.parts)


def small_note(small_n: int) -> str:
    """The footnote under a table with marked values."""
    return (
        f"{SMALL_MARK} n < {small_n}: from fewer than {small_n} tickets or responses "
        "([display] small_n)."
    )


def is_small(kpi: KpiInfo, values: dict[str, Any], small_n: int) -> bool:
    """Whether `values` (a row, or overall) holds a value of `kpi` from fewer than `small_n`
    cases (its `_n`); a count is its own population and never marked."""
    n = values.get(f"{kpi.id}_n")
    if small_n <= 0 or str(kpi.unit) == "count" or values.get(kpi.id) is None or n is None:
        return False
    return bool(n == n and n < small_n)  # n == n: not NaN


def _value_cell(
    kpi: KpiInfo,
    value: Any,
    change: Any,
    met: bool | None,
    compare: bool,
    previous: Any,
    show: str = "change",
    currency: str | None = None,
    small: bool = False,
) -> _Fit:
    """The value (marked when `small`), with `--compare` its change (`show`: or the previous
    value `(was 2h 05m)`, or both), or "no earlier data" when there is no previous value
    (DECISIONS 38)."""
    from rich.text import Text

    from cskpi.render.marks import NO_EARLIER

    text = Text(humanize(value, str(kpi.unit), currency), style=_style(met))
    if small:
        text.append(SMALL_MARK, style="dim")
    arrow = _arrow(change, str(kpi.unit)) if compare else None
    if compare and previous is not None and show != "change":
        was = f"was {humanize(previous, str(kpi.unit), currency)}"
        arrow = f"({was})" if show == "previous" or arrow is None else f"{arrow[:-1]}, {was})"
    if compare and previous is None:
        arrow = f"({NO_EARLIER})"
    return _Fit(text, Text(arrow, style="dim")) if arrow else _Fit(text)


def _arrow(change: Any, unit: str) -> str | None:
    """`(▲ 12m 00s)`, `(▼ 2.5 pts)`, `(=)`; None when there is nothing to compare with."""
    text = humanize_change(change, unit)
    if text == NULL:
        return None
    if text.startswith("+"):
        return f"(▲ {text[1:]})"
    if text.startswith("-"):
        return f"(▼ {text[1:]})"
    return "(=)"


def _rows_table(
    result: Result, show: str = "change", small_n: int = SMALL_N
) -> tuple[RenderableType, bool]:
    """The rows table (+ Overall) and whether any value in it is marked as from few cases."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from cskpi.render.marks import hidden_on_screen, period_text
    from cskpi.render.text import row_records

    names = [str(c) for c in result.rows.columns]
    kpi_columns: set[str] = hidden_on_screen(result)
    for k in result.kpis:
        kpi_columns.update({k.id, f"{k.id}_n", f"{k.id}_previous", f"{k.id}_change"})
    labels = [c for c in names if c not in kpi_columns]
    kpis = [k for k in result.kpis if k.id in names]
    compare = {k.id: f"{k.id}_change" in names for k in kpis} if result.compare else {}
    targets = {
        t.kpi: parse_target(t.kpi, t.target, str(k.unit))
        for t in result.targets
        for k in result.kpis
        if k.id == t.kpi
    }
    overall_met = {t.kpi: t.met for t in result.targets}

    records = list(row_records(result))
    # One row with no grouping is overall itself (DECISIONS 12): no need to repeat it.
    show_overall = len(records) > 1 or (not records and bool(labels))

    table = Table(box=box.SIMPLE, show_footer=show_overall, pad_edge=False)
    marked = False
    footers: list[RenderableType] = []

    def cell(k: KpiInfo, values: dict[str, Any], met: bool | None) -> _Fit:
        """The cell of `k` in `values` (a row, or overall), noting a small population."""
        nonlocal marked
        small = is_small(k, values, small_n)
        marked |= small
        change, previous = values.get(f"{k.id}_change"), values.get(f"{k.id}_previous")
        on = compare.get(k.id, False)
        return _value_cell(
            k, values.get(k.id), change, met, on, previous, show, result.currency, small
        )

    for name in labels:
        footer = Text("Overall") if show_overall and name == labels[0] else ""
        # Period labels are short (`2024-W05`) and unreadable when broken; group labels fold.
        fixed = name == "period" and result.period is not None
        table.add_column(
            Text(visible(name)), footer=footer, overflow="fold", no_wrap=fixed, vertical="top"
        )
    for k in kpis:
        footer_cell: _Fit | str = ""
        if show_overall:
            value = result.overall.get(k.id)
            met = overall_met.get(k.id)
            if k.id not in overall_met:
                met = _meets(value, targets.get(k.id))
            footer_cell = cell(k, result.overall, met)
        table.add_column(_kpi_header(k), footer=footer_cell, justify="right", vertical="top")
        footers.append(footer_cell)
    lines: list[tuple[list[RenderableType], list[RenderableType]]] = []
    for row in records:
        cells: list[RenderableType] = [
            Text(period_text(row) if c == "period" else "" if row[c] is None else visible(row[c]))
            for c in labels
        ]
        for k in kpis:
            cells.append(cell(k, row, _meets(row[k.id], targets.get(k.id))))
        table.add_row(*cells)
        lines.append((cells[: len(labels)], cells[len(labels) :]))
    if show_overall:
        overall: list[RenderableType] = [Text("Overall", style="bold")]
        lines.append((overall + [Text("")] * (len(labels) - 1), footers))
    return _Narrow(table, _one_kpi_per_line(labels, kpis, lines)), marked


def _one_kpi_per_line(
    labels: list[str],
    kpis: list[KpiInfo],
    lines: list[tuple[list[RenderableType], list[RenderableType]]],
) -> RenderableType:
    """The narrow layout: a line per KPI of each row (its labels on the first), so a value
    never shares the width with the others."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(box=box.SIMPLE, pad_edge=False)
    for name in labels:
        table.add_column(Text(visible(name)), overflow="fold", vertical="top")
    table.add_column("KPI", vertical="top")
    table.add_column("value", justify="right", vertical="top")
    for label_cells, values in lines:
        for i, (k, value) in enumerate(zip(kpis, values, strict=True)):
            shown = label_cells if i == 0 else [Text("")] * len(labels)
            table.add_row(*shown, _kpi_header(k), value, end_section=i == len(kpis) - 1)
    return table


class _Narrow:
    """The rows table when its values fit the width unwrapped, else one KPI per line.

    A value (`1h 03m`, `10,300`) is never broken inside its cell: every value column needs
    its widest value, and when the columns together need more than the terminal has
    (`COLUMNS=60`), each row's KPIs go on lines of their own."""

    def __init__(self, wide: RenderableType, narrow: RenderableType) -> None:
        self.wide = wide
        self.narrow = narrow

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        from rich.measure import Measurement

        wide = Measurement.get(console, options, self.wide)
        narrow = Measurement.get(console, options, self.narrow)
        return Measurement(min(wide.minimum, narrow.minimum), wide.maximum)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.wide if self._fits(console, options) else self.narrow

    def _fits(self, console: Console, options: ConsoleOptions) -> bool:
        """Whether rich's layout of the wide table at this width gives every column what its
        widest value (and its header's longest word) needs: rich squeezes columns below that
        when the table is too wide, breaking a value inside its cell."""
        from rich.measure import Measurement
        from rich.table import Table

        table = self.wide
        if not isinstance(table, Table):
            return True
        unlimited = options.update_width(10**6)
        # rich's own layout (no public API gives the widths it will use)
        extra = table._extra_width  # the borders and gaps rich adds to the columns
        widths = table._calculate_column_widths(
            console, options.update_width(options.max_width - extra)
        )
        last = len(widths) - 1
        for index, (column, width) in enumerate(zip(table.columns, widths, strict=True)):
            cells = [column.header, column.footer, *column.cells]
            need = max(
                (Measurement.get(console, unlimited, c).minimum for c in cells if c != ""),
                default=0,
            )
            padding = 2 - (index == 0) - (index == last)  # pad_edge=False: no outer padding
            if width - padding < need:
                return False
        return True


# -- targets section ------------------------------------------------------------------------


def _targets(result: Result) -> RenderableType:
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    grid.add_column(no_wrap=True)
    grid.add_column(justify="right", no_wrap=True)
    unknown = any(t.met is None for t in result.targets)
    if unknown:  # the reason, after the value
        grid.add_column(overflow="fold")
    for t in result.targets:
        cells = [Text(*_MARKS[t.met]), Text(visible(t.name or t.kpi)), Text(visible(t.target))]
        cells.append(Text(humanize(t.value, t.unit, result.currency)))
        if unknown:
            reason = f"not evaluated: {t.reason}" if t.met is None else ""
            cells.append(Text(reason, style=UNKNOWN_STYLE))
        grid.add_row(*cells)
    return Group(Text("Targets", style="bold"), grid)
