"""`--breaches` on a terminal: one line per ticket that breached an SLA target."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cskpi.render.text import breach_records
from cskpi.units import humanize

if TYPE_CHECKING:
    from cskpi.result import Result


def breaches_table(result: Result) -> Any:
    from rich.table import Table
    from rich.text import Text

    records = breach_records(result)
    table = Table(title=f"SLA breaches: {len(records)}", title_justify="left")
    for name, justify in (
        ("ticket", "left"),
        ("agent", "left"),
        ("metric", "left"),
        ("policy", "left"),
        ("target", "right"),
        ("actual", "right"),
        ("clock", "left"),
    ):
        table.add_column(name, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for r in records:
        table.add_row(
            Text(str(r["ticket_id"])),
            Text(str(r["agent"])),
            r["metric"],
            Text(str(r["policy"])),
            humanize(r["target"], "seconds"),
            humanize(r["actual"], "seconds"),
            r["clock"],
        )
    return table
