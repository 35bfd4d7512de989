"""`cskpi kpis`: the catalogue from the registry, as a table, JSON, CSV or Markdown."""

from __future__ import annotations

import json
from typing import Any

from cskpi.kpis import all_kpis


def catalogue_rows() -> list[dict[str, Any]]:
    return [
        {
            "id": k.id,
            "name": k.name,
            "unit": k.unit.value,
            "anchor": k.anchor.value,
            "additive": k.additive,
            "definition": k.definition,
        }
        for k in all_kpis().values()
    ]


def markdown_table() -> str:
    """The README's KPI table (a test checks that the README holds exactly this)."""
    lines = ["| id | unit | anchor | definition |", "|----|------|--------|------------|"]
    for row in catalogue_rows():
        definition = row["definition"].replace("|", "\\|")
        lines.append(f"| `{row['id']}` | {row['unit']} | {row['anchor']} | {definition} |")
    return "\n".join(lines) + "\n"


def render_catalogue(fmt: str) -> Any:
    rows = catalogue_rows()
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        from cskpi.render.text import delimited

        names = list(rows[0])
        return delimited([names, *([r[n] for n in names] for r in rows)])
    if fmt == "markdown":
        return markdown_table()
    from rich.table import Table
    from rich.text import Text

    table = Table(title="KPIs", show_lines=False)
    for name in ("id", "unit", "anchor", "definition"):
        table.add_column(name, no_wrap=name != "definition", overflow="fold")
    for row in rows:  # Text, not markup: `[costs] monthly` is shown as written
        table.add_row(*(Text(row[name]) for name in ("id", "unit", "anchor", "definition")))
    return table
