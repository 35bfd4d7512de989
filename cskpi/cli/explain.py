"""`cskpi explain`: one ticket's story: each message and status change, and what counted."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated

import typer

from cskpi.cli.common import boundary, load_inputs, load_options, show
from cskpi.cli.options import (
    ConfigOpt,
    DateFormatOpt,
    DayFirstOpt,
    DecimalOpt,
    DelimiterOpt,
    EncodingOpt,
    EventsOpt,
    Files,
    IncludeOpt,
    InputFormatOpt,
    MapOpt,
    MessagesOpt,
    PresetOpt,
    QuoteOpt,
    SheetOpt,
    SourceTzOpt,
    VerboseOpt,
)


class ExplainFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


def explain(
    ticket_id: Annotated[str, typer.Argument(help="The ticket to explain.", show_default=False)],
    files: Files,
    messages: MessagesOpt = None,
    events: EventsOpt = None,
    business_hours: Annotated[
        bool | None,
        typer.Option(
            "--business-hours/--calendar-hours", help="Spans in business hours from the config."
        ),
    ] = None,
    tz: Annotated[str | None, typer.Option("--tz", help="Time zone of the times shown.")] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Tell the story as of DATETIME or now, as report's --as-of does "
            "(default: the latest timestamp in the inputs).",
        ),
    ] = None,
    fmt: Annotated[
        ExplainFormat | None,
        typer.Option("--format", "-f", help="Default: table on a terminal, json otherwise."),
    ] = None,
    config: ConfigOpt = None,
    map_: MapOpt = None,
    preset: PresetOpt = "auto",
    encoding: EncodingOpt = None,
    delimiter: DelimiterOpt = None,
    quote: QuoteOpt = None,
    decimal: DecimalOpt = None,
    input_format: InputFormatOpt = None,
    sheet: SheetOpt = None,
    dayfirst: DayFirstOpt = False,
    date_format: DateFormatOpt = None,
    source_tz: SourceTzOpt = None,
    include_status: IncludeOpt = None,
    verbose: VerboseOpt = False,
) -> None:
    """Why one ticket's numbers are what they are.

    Each message and status change, and what counted.

    Example: cskpi explain 4711 tickets.csv --messages comments.json --events audits.json

    With --as-of, nothing after that moment is shown or counted, as in the report.
    """
    with boundary(verbose):
        from cskpi.engine.explain import explain as explain_ticket
        from cskpi.render.explain import render_explain
        from cskpi.time.window import check_tz

        options = load_options(
            config,
            map_,
            encoding,
            input_format,
            sheet,
            dayfirst,
            date_format,
            source_tz,
            include_status,
            preset,
            delimiter=delimiter,
            quote=quote,
            decimal=decimal,
        )
        if tz is not None:
            check_tz(tz)
        inputs = load_inputs(files, None, options, messages=messages, events=events)
        story = explain_ticket(inputs, ticket_id, options.config, business_hours, tz, as_of)
        chosen = fmt.value if fmt else ("table" if sys.stdout.isatty() else "json")
        show(render_explain(story, chosen))
