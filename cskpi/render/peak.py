"""`cskpi peak` output: a heat-coloured weekday × hour grid on a terminal, CSV/JSON for scripts."""

from __future__ import annotations

import csv
import io
import json
from typing import TYPE_CHECKING, Any

from cskpi.engine.peak import WEEKDAYS, peak_records

if TYPE_CHECKING:
    from cskpi.engine.peak import Peak

TOP = 5
_HEAT = ("grey35", "blue", "cyan", "green", "yellow", "dark_orange", "red")


def render_peak(result: Peak, fmt: str) -> Any:
    """A rich renderable for `table`, text for `csv`, `json`, `markdown`."""
    records = peak_records(result)
    if fmt == "json":
        body = {
            "schema_version": 1,
            "as_of": result.as_of.isoformat(),
            "window": {
                "since": result.since.isoformat(),
                "until": result.until.isoformat(),
                "timezone": result.timezone,
            },
            "busiest": records[:TOP],
            "slots": records,
        }
        return json.dumps(body, ensure_ascii=False, indent=2) + "\n"
    if fmt == "html":
        return _html(result)
    if fmt == "markdown":
        lines = ["| weekday | hour | tickets | occurrences | mean |", "|---|---:|---:|---:|---:|"]
        lines += [
            f"| {r['weekday']} | {r['hour']:02d}:00 | {r['tickets']} | {r['occurrences']} "
            f"| {'—' if r['mean'] is None else format(r['mean'], '.2f')} |"
            for r in records
        ]
        return "\n".join(lines) + "\n"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(records[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
        return buffer.getvalue()
    return _grid(result, records)


def _grid(result: Peak, records: list[dict[str, Any]]) -> Any:
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    means, share = _intensity(result)
    table = Table(box=None, pad_edge=False, padding=(0, 0), show_edge=False)
    table.add_column("", no_wrap=True)
    for hour in range(24):
        table.add_column(f"{hour:02d}"[-2:], justify="right", no_wrap=True, min_width=3)
    for day in range(7):
        cells: list[Any] = [Text(f"{WEEKDAYS[day]} ", style="bold")]
        for hour in range(24):
            value = means[day, hour]
            if value != value:
                cells.append(Text("  —", style="dim"))
                continue
            level = round(share[day, hour] * (len(_HEAT) - 1))
            cells.append(Text(f"{value:3.0f}", style=_HEAT[level]))
        table.add_row(*cells)
    since, until = _days(result)
    title = Text(
        f"Tickets created per hour (mean per occurrence), {since} → {until} ({result.timezone})",
        style="bold",
    )
    return Group(title, table, Text("Busiest: " + _busiest(records)))


def _intensity(result: Peak) -> tuple[Any, Any]:
    """The 7 × 24 means and each slot's share of the busiest one (0 where empty)."""
    import numpy as np

    means = result.slots["mean"].to_numpy(dtype="float64").reshape(7, 24)
    top = float(np.nanmax(means)) if np.isfinite(means).any() else 0.0
    share = np.nan_to_num(means / top) if top > 0 else np.zeros_like(means)
    return means, share


def _busiest(records: list[dict[str, Any]]) -> str:
    return ", ".join(
        f"{r['weekday']} {r['hour']:02d}:00 ({r['mean']:.1f})"
        for r in records[:TOP]
        if r["mean"] is not None
    )


def _days(result: Peak) -> tuple[str, str]:
    """The window as inclusive dates (its end is exclusive)."""
    import pandas as pd

    last_day = result.until - pd.Timedelta(1, "us")
    return f"{result.since:%Y-%m-%d}", f"{last_day:%Y-%m-%d}"


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Peak load</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; }
table { border-collapse: collapse; font-size: 0.8rem; }
th, td { padding: 0.3rem 0.4rem; text-align: right; }
td { min-width: 2.2rem; }
th { color: #555; font-weight: 600; }
p.meta { color: #555; }
</style></head><body>
<h1>Peak load: tickets created per hour</h1>
<p class="meta">Mean per occurrence of each weekday × hour, {{ since }} → {{ until }}
({{ zone }}), as of {{ as_of }}.</p>
<table>
<thead><tr><th></th>{% for h in hours %}<th>{{ h }}</th>{% endfor %}</tr></thead>
<tbody>
{% for day, cells in grid %}<tr><th>{{ day }}</th>{% for text, shade in cells %}
<td style="background: rgba(204, 51, 17, {{ shade }})">{{ text }}</td>{% endfor %}</tr>
{% endfor %}</tbody></table>
<p>Busiest: {{ busiest }}</p>
</body></html>
"""


def _html(result: Peak) -> str:
    """A self-contained heat map: cell shade ∝ mean tickets per occurrence (autoescaped)."""
    from jinja2 import Environment

    means, share = _intensity(result)
    grid = [
        (
            WEEKDAYS[day],
            [
                ("—", "0") if value != value else (f"{value:.1f}", f"{level:.2f}")
                for value, level in zip(means[day], share[day], strict=True)
            ],
        )
        for day in range(7)
    ]
    since, until = _days(result)
    page = (
        Environment(autoescape=True)
        .from_string(_PAGE)
        .render(
            hours=[f"{h:02d}" for h in range(24)],
            grid=grid,
            busiest=_busiest(peak_records(result)),
            since=since,
            until=until,
            zone=result.timezone,
            as_of=f"{result.as_of:%Y-%m-%d %H:%M}",
        )
    )
    return page.rstrip("\n") + "\n"
