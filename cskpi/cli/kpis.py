"""`cskpi kpis`: the KPI catalogue (id, unit, anchor, definition): table, JSON, CSV, Markdown.

Like `report`: a table on a terminal, CSV when stdout is not one (a pipe, a file)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from cskpi.cli.common import boundary, show
from cskpi.cli.options import ListFormat

FormatOpt = Annotated[
    ListFormat | None,
    typer.Option("--format", "-f", help="Default: table on a terminal, csv otherwise."),
]


def kpis(fmt: FormatOpt = None) -> None:
    """List every KPI and its definition.

    Id, unit, anchor and definition of each: a table on a terminal, CSV otherwise.

    Example: cskpi kpis -f json
    """
    with boundary():
        from cskpi.render.catalogue import render_catalogue

        chosen = fmt or (ListFormat.TABLE if sys.stdout.isatty() else ListFormat.CSV)
        show(render_catalogue(chosen.value))
