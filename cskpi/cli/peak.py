"""`cskpi peak`: the busiest weekday × hour slots of ticket creation (table, files, heat map)."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from cskpi.cli.common import (
    boundary,
    load_inputs,
    load_options,
    notes,
    refuse_overwriting_inputs,
    show,
    window_spec,
)
from cskpi.cli.options import (
    ConfigOpt,
    DateFormatOpt,
    DayFirstOpt,
    DecimalOpt,
    DelimiterOpt,
    EncodingOpt,
    Files,
    IncludeOpt,
    InputFormatOpt,
    LastOpt,
    MapOpt,
    MonthOpt,
    PresetOpt,
    QuarterOpt,
    QuietOpt,
    QuoteOpt,
    SheetOpt,
    SinceOpt,
    SourceTzOpt,
    TzOpt,
    UntilOpt,
    UsersOpt,
    VerboseOpt,
    WeekOpt,
    YearOpt,
)
from cskpi.errors import UsageError


class PeakFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"
    MARKDOWN = "markdown"
    HTML = "html"


def peak(
    files: Files,
    since: SinceOpt = None,
    until: UntilOpt = None,
    last: LastOpt = None,
    month: MonthOpt = None,
    quarter: QuarterOpt = None,
    year: YearOpt = None,
    week: WeekOpt = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="DATETIME or now.")] = None,
    by: Annotated[
        list[str] | None,
        typer.Option(
            "--by",
            "-b",
            help="One grid per group (repeatable or comma-separated): team, agent, channel, "
            "or the export's own header.",
        ),
    ] = None,
    users: UsersOpt = None,
    tz: TzOpt = None,
    source_tz: SourceTzOpt = None,
    fmt: Annotated[
        PeakFormat | None,
        typer.Option("--format", "-f", help="Default: table on a terminal, csv otherwise."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to a file (e.g. peak.html).")
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
    include_status: IncludeOpt = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Busiest weekday × hour slots of the week.

    Mean tickets created per hour, in the report zone.

    `-o peak.html` writes a self-contained heat map; `--by team` one grid per team (a group
    column first in CSV and JSON).

    Example: cskpi peak tickets.csv --last 3mo --tz Europe/Berlin --by team
    """
    with boundary(verbose):
        from cskpi.cli.progress import reading
        from cskpi.cli.report import split_list
        from cskpi.engine.peak import peak as compute_peak
        from cskpi.engine.types import ReportRequest
        from cskpi.load.plan import ReadPlan
        from cskpi.render.peak import render_peak

        refuse_overwriting_inputs(output, [*files, *(users or ()), config])
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
            quiet=quiet,
            as_of=as_of,
            delimiter=delimiter,
            quote=quote,
            decimal=decimal,
        )
        groups = tuple(split_list(by))
        columns = frozenset({"ticket_id", "created_at", "status", "updated_at", *groups})
        plan = ReadPlan(columns, frozenset(), groups)
        with reading(files, quiet):
            inputs = load_inputs(files, None, options, plan, users=users)
        request = ReportRequest(
            window=window_spec(since, until, last, month, quarter, year, week),
            as_of=as_of,
            tz=tz,
            group_by=groups,
        )
        result = compute_peak(inputs, request, options.config)
        notes(result.notes, quiet)
        chosen = peak_format(fmt, output)
        show(render_peak(result, chosen), output)


def peak_format(fmt: PeakFormat | None, output: Path | None) -> str:
    """The format asked for, else from the output's extension, else table on a terminal."""
    chosen = fmt.value if fmt else ("table" if sys.stdout.isatty() else "csv")
    if output is not None:
        from cskpi.render.files import format_for_path

        chosen = fmt.value if fmt else format_for_path(str(output), None)
        if chosen not in set(PeakFormat) - {"table"}:
            raise UsageError(f"{output}: peak writes csv, json, markdown or html files")
    return chosen
