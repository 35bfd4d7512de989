"""`cskpi peak` output: a heat-coloured weekday × hour grid on a terminal, CSV/JSON for scripts."""

from __future__ import annotations

import csv
import io
import json
from typing import TYPE_CHECKING, Any

from cskpi.peak import WEEKDAYS, peak_records

if TYPE_CHECKING:
    from cskpi.peak import Peak

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
    import numpy as np
    import pandas as pd
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    means = result.slots["mean"].to_numpy(dtype="float64").reshape(7, 24)
    top = np.nanmax(means) if np.isfinite(means).any() else 0.0
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
            level = 0 if top <= 0 else round(value / top * (len(_HEAT) - 1))
            cells.append(Text(f"{value:3.0f}", style=_HEAT[level]))
        table.add_row(*cells)
    last_day = result.until - pd.Timedelta(1, "us")
    title = Text(
        f"Tickets created per hour (mean per occurrence), "
        f"{result.since:%Y-%m-%d} → {last_day:%Y-%m-%d} ({result.timezone})",
        style="bold",
    )
    busiest = Text(
        "Busiest: "
        + ", ".join(
            f"{r['weekday']} {r['hour']:02d}:00 ({r['mean']:.1f})"
            for r in records[:TOP]
            if r["mean"] is not None
        )
    )
    return Group(title, table, busiest)
