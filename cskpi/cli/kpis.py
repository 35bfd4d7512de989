"""`cskpi kpis`: the KPI catalogue (id, unit, anchor, definition): table, JSON, CSV, Markdown."""

from __future__ import annotations

from cskpi.cli.common import boundary, show
from cskpi.cli.options import ListFormat, ListFormatOpt


def kpis(fmt: ListFormatOpt = ListFormat.TABLE) -> None:
    """List every KPI and its definition.

    Id, unit, anchor and definition of each.

    Example: cskpi kpis -f json
    """
    with boundary():
        from cskpi.render.catalogue import render_catalogue

        show(render_catalogue(fmt.value))
