"""`cskpi peak` output: a heat-coloured weekday × hour grid on a terminal, CSV/JSON for scripts.

With `--by`, one grid per group (table, HTML), each with its busiest slots, all on one colour
scale so a quiet team reads as quiet; CSV, JSON and Markdown lead each slot with the group
columns, and JSON's `busiest` holds the first slots of each group.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from cskpi.engine.peak import SLOTS, WEEKDAYS, peak_records

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
            "group_by": list(result.group_by),
            "busiest": [r for block in _blocks(records) for r in block[:TOP]],
            "slots": records,
        }
        return json.dumps(body, ensure_ascii=False, indent=2) + "\n"
    if fmt == "html":
        return _html(result)
    if fmt == "markdown":
        from cskpi.render.text import md_escape as cell

        groups = list(result.group_by)
        lines = [
            "| "
            + " | ".join([*groups, "weekday", "hour", "tickets", "occurrences", "mean"])
            + " |",
            "|" + "---|" * len(groups) + "---|---:|---:|---:|---:|",
        ]
        lines += [
            "| "
            + "".join(f"{cell(r[g])} | " for g in groups)
            + f"{r['weekday']} | {r['hour']:02d}:00 | {r['tickets']} | {r['occurrences']} "
            f"| {'—' if r['mean'] is None else format(r['mean'], '.2f')} |"
            for r in records
        ]
        return "\n".join(lines) + "\n"
    if fmt == "csv":
        from cskpi.render.text import delimited

        names = [*result.group_by, "weekday", "hour", "tickets", "occurrences", "mean"]
        return delimited([names, *([r[n] for n in names] for r in records)])
    return _grid(result, records)


def _blocks(records: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The ranked records, group by group (168 each)."""
    return [records[at : at + SLOTS] for at in range(0, len(records), SLOTS)]


def _label(result: Peak, record: dict[str, Any]) -> str:
    """`team Billing · agent ana`: which group a grid is."""
    return " · ".join(f"{name} {record[name]}" for name in result.group_by)


def _grid(result: Peak, records: list[dict[str, Any]]) -> Any:
    from rich.console import Group
    from rich.text import Text

    from cskpi.units import visible

    means, share = _intensity(result)
    since, until = _days(result)
    title = Text(
        f"Tickets created per hour (mean per occurrence), {since} → {until} ({result.timezone})",
        style="bold",
    )
    if not result.group_by:
        return Group(title, _one_grid(means[0], share[0]), Text("Busiest: " + _busiest(records)))
    parts: list[Any] = [title]
    if not records:
        parts.append(Text("No tickets in this window.", style="dim"))
    for at, block in enumerate(_blocks(records)):
        parts += [Text(""), Text(visible(_label(result, block[0])), style="bold")]
        parts += [_one_grid(means[at], share[at]), Text("Busiest: " + _busiest(block))]
    return Group(*parts)


def _one_grid(means: Any, share: Any) -> Any:
    """One 7 × 24 grid, heat-coloured by `share` (of the busiest slot of all grids)."""
    from rich.table import Table
    from rich.text import Text

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
    return table


def _intensity(result: Peak) -> tuple[Any, Any]:
    """Per group, the 7 × 24 means and each slot's share of the busiest slot of all groups
    (0 where empty)."""
    import numpy as np

    means = result.slots["mean"].to_numpy(dtype="float64").reshape(-1, 7, 24)
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
{% for label, grid, busiest in grids %}{% if label %}<h2>{{ label }}</h2>
{% endif %}<table>
<thead><tr><th></th>{% for h in hours %}<th>{{ h }}</th>{% endfor %}</tr></thead>
<tbody>
{% for day, cells in grid %}<tr><th>{{ day }}</th>{% for text, shade in cells %}
<td style="background: rgba(204, 51, 17, {{ shade }})">{{ text }}</td>{% endfor %}</tr>
{% endfor %}</tbody></table>
<p>Busiest: {{ busiest }}</p>
{% else %}<p>No tickets in this window.</p>
{% endfor %}</body></html>
"""


def _html(result: Peak) -> str:
    """A self-contained heat map: cell shade ∝ mean tickets per occurrence (autoescaped)."""
    from jinja2 import Environment

    means, share = _intensity(result)
    blocks = _blocks(peak_records(result))
    grids = [
        (
            _label(result, block[0]),
            [
                (
                    WEEKDAYS[day],
                    [
                        ("—", "0") if value != value else (f"{value:.1f}", f"{level:.2f}")
                        for value, level in zip(means[at][day], share[at][day], strict=True)
                    ],
                )
                for day in range(7)
            ],
            _busiest(block),
        )
        for at, block in enumerate(blocks)
    ]
    since, until = _days(result)
    page = (
        Environment(autoescape=True)
        .from_string(_PAGE)
        .render(
            hours=[f"{h:02d}" for h in range(24)],
            grids=grids,
            since=since,
            until=until,
            zone=result.timezone,
            as_of=f"{result.as_of:%Y-%m-%d %H:%M}",
        )
    )
    return page.rstrip("\n") + "\n"
