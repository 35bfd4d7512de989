"""`cskpi report`: the flags → one `ReportRequest` → the engine → a renderer → stdout or -o.

The command itself only wires the steps together; each step is a named function below:
`split_kpis`, `format_of` (checked before any file is read), `read_inputs`, `build_request`,
`compute_report` (with the `--strict` check and the stderr notes), `write_report` and
`check_targets` (`--check`, exit 3).
"""

from __future__ import annotations

import sys
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from cskpi.cli.common import (
    boundary,
    console,
    emit,
    has_problems,
    load_inputs,
    load_options,
    notes,
    print_err,
    progress,
    refuse_overwriting_inputs,
    window_spec,
)
from cskpi.cli.options import (
    ConfigOpt,
    CostsOpt,
    CustomersOpt,
    DateFormatOpt,
    DayFirstOpt,
    DecimalOpt,
    DelimiterOpt,
    EncodingOpt,
    Engine,
    EngineOpt,
    EventsOpt,
    Files,
    IncludeOpt,
    InputFormatOpt,
    LastOpt,
    MapOpt,
    MessagesOpt,
    MonthOpt,
    OrdersOpt,
    PresetOpt,
    QuarterOpt,
    QuietOpt,
    QuoteOpt,
    SchedulerOpt,
    SchedulesOpt,
    SheetOpt,
    SinceOpt,
    SourceTzOpt,
    StrictOpt,
    SurveysOpt,
    TzOpt,
    UntilOpt,
    UsersOpt,
    VerboseOpt,
    WeekOpt,
    YearOpt,
)
from cskpi.cli.shell import complete_kpis
from cskpi.config import SMALL_N
from cskpi.errors import InputError, TargetMissed, UsageError, did_you_mean
from cskpi.result import Compare, Period


class OutputFormat(StrEnum):
    TABLE = "table"
    CSV = "csv"
    TSV = "tsv"
    JSON = "json"
    JSONL = "jsonl"
    MARKDOWN = "markdown"
    HTML = "html"
    XLSX = "xlsx"
    PARQUET = "parquet"


BINARY_FORMATS = ("xlsx", "parquet")
ROW_FORMATS = ("csv", "tsv", "jsonl", "parquet")
"""Formats that carry the rows only: the whole-window pass is skipped unless --check needs it
(a second pass over every anchor that nobody would see)."""


class WeekStart(StrEnum):
    MON = "mon"
    SUN = "sun"


class Show(StrEnum):
    """What the `--compare` table shows beside each value."""

    CHANGE = "change"
    PREVIOUS = "previous"
    BOTH = "both"


def report(
    files: Files,
    surveys: SurveysOpt = None,
    customers: CustomersOpt = None,
    orders: OrdersOpt = None,
    schedules: SchedulesOpt = None,
    costs: CostsOpt = None,
    messages: MessagesOpt = None,
    events: EventsOpt = None,
    users: UsersOpt = None,
    kpi: Annotated[
        list[str] | None,
        typer.Option(
            "--kpi",
            "-k",
            help="KPI id (repeatable or comma-separated); see `cskpi kpis`.",
            autocompletion=complete_kpis,
        ),
    ] = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    last: LastOpt = None,
    month: MonthOpt = None,
    quarter: QuarterOpt = None,
    year: YearOpt = None,
    week: WeekOpt = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="'Now' for open tickets and SLA clocks: DATETIME or now "
            "(default: the latest timestamp in the inputs).",
        ),
    ] = None,
    by: Annotated[
        list[str] | None,
        typer.Option(
            "--by",
            "-b",
            help="Group by a column (repeatable or comma-separated): agent, team, channel, "
            "or the export's own header.",
        ),
    ] = None,
    where: Annotated[
        list[str] | None,
        typer.Option(
            "--where",
            "-w",
            metavar="EXPR",
            help="Keep rows where EXPR holds (repeatable, all must): channel=email, "
            "team!=QA, 'type in (a,b)', 'created_at>=2024-03-01'.",
        ),
    ] = None,
    period: Annotated[
        Period | None, typer.Option("--period", "-p", help="One row per bucket.")
    ] = None,
    week_start: Annotated[WeekStart, typer.Option("--week-start")] = WeekStart.MON,
    compare: Annotated[
        Compare | None, typer.Option(help="Add each KPI's previous value and the change.")
    ] = None,
    show: Annotated[
        Show | None,
        typer.Option(
            help="With --compare, the table shows the change (default), the previous "
            "value, or both."
        ),
    ] = None,
    sort: Annotated[str | None, typer.Option(help="KPI[:asc|desc] to order groups by.")] = None,
    top: Annotated[int | None, typer.Option(help="Keep the first N groups.")] = None,
    tz: TzOpt = None,
    source_tz: SourceTzOpt = None,
    business_hours: Annotated[
        bool | None,
        typer.Option(
            "--business-hours/--calendar-hours",
            help="Durations and SLA clocks in business hours from the config.",
        ),
    ] = None,
    fmt: Annotated[
        OutputFormat | None,
        typer.Option("--format", "-f", help="Default: table on a terminal, csv otherwise."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write to a file (format from the extension); - is stdout."
        ),
    ] = None,
    title: Annotated[
        str | None,
        typer.Option(metavar="TEXT", help="The HTML report's heading (default: what it shows)."),
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
    check: Annotated[bool, typer.Option("--check", help="Exit 3 when a target is missed.")] = False,
    strict: StrictOpt = False,
    include_status: IncludeOpt = None,
    excel: Annotated[
        bool, typer.Option("--excel", help="CSV for spreadsheets (BOM, formula-safe cells).")
    ] = False,
    breaches: Annotated[
        bool,
        typer.Option(
            "--breaches", help="List the tickets that breached an SLA target (one row each)."
        ),
    ] = False,
    engine: EngineOpt = Engine.LOCAL,
    scheduler: SchedulerOpt = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """KPIs over a window, per group and period.

    Example: cskpi report tickets.csv --surveys surveys.csv -k frt_median,csat --by agent
    """
    with boundary(verbose):
        output = None if output is not None and str(output) == "-" else output  # -o -: stdout
        if show is not None and compare is None:
            raise UsageError(f"--show {show.value} needs --compare previous|year")
        given = [surveys, customers, orders, schedules, costs, messages, events, users]
        refuse_overwriting_inputs(output, [*files, *(p for g in given for p in g or []), config])
        kpis = split_kpis(kpi)
        by = split_list(by)
        where = list(where or ())
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
        out_format = format_of(fmt, output)
        if title is not None and out_format != "html":
            raise UsageError("--title is the HTML report's heading: use it with -o FILE.html")
        inputs = read_inputs(
            files,
            options,
            kpis,
            by,
            breaches,
            quiet,
            where=where,
            surveys=surveys,
            customers=customers,
            orders=orders,
            schedules=schedules,
            costs=costs,
            messages=messages,
            events=events,
            engine=engine,
            users=users,
        )
        request = build_request(
            kpis,
            window=window_spec(since, until, last, month, quarter, year, week),
            as_of=as_of,
            tz=tz,
            by=by,
            where=where,
            period=period,
            week_start=week_start,
            compare=compare,
            sort=sort,
            top=top,
            business_hours=business_hours,
            breaches=breaches,
            overall=out_format not in ROW_FORMATS or check,
        )
        result = None
        if engine is Engine.DASK:  # reads and computes on the cluster (DECISIONS 48)
            from cskpi.cli.distributed import dask_report

            business = {"customers": customers, "orders": orders, "schedules": schedules}
            business |= {"costs": costs, "messages": messages, "events": events, "users": users}
            result = dask_report(files, surveys, options, request, scheduler, quiet, business)
        result = compute_report(inputs, request, options.config, strict, quiet, result)
        write_report(
            result,
            out_format,
            output,
            excel,
            show=(show or Show.CHANGE).value,
            title=title,
            small_n=options.config.small_n,
        )
        if output is not None and not quiet:
            print_err(written(result, output))
        check_targets(result, check, quiet)


# -- the steps ---------------------------------------------------------------------------------


def split_list(values: list[str] | None) -> list[str]:
    """`--by a,b --by c` → [a, b, c]."""
    return [v.strip() for value in values or () for v in value.split(",") if v.strip()]


def split_kpis(values: list[str] | None) -> list[str]:
    """The `--kpi` ids (repeated or comma-separated), each checked against the registry."""
    if not values:
        return []
    from cskpi.kpis import all_kpis

    ids = [v.strip() for value in values for v in value.split(",") if v.strip()]
    registry = all_kpis()
    for kpi_id in ids:
        if kpi_id not in registry:
            # UsageError, not typer.BadParameter: this runs inside `boundary`, which would
            # report a BadParameter as an internal error (exit 1).
            raise UsageError(
                f"unknown KPI '{kpi_id}'{did_you_mean(kpi_id, registry)}; "
                "list them with: cskpi kpis"
            )
    return ids


def format_of(fmt: OutputFormat | None, output: Path | None) -> str:
    """The output format, checked before any file is read (with the output's directory)."""
    from cskpi.render import RENDERERS
    from cskpi.render.files import format_for_path

    if output is not None:
        chosen = format_for_path(str(output), fmt.value if fmt else None)
        if not output.parent.is_dir():
            raise InputError(f"{output}: cannot write (no directory {output.parent})")
    elif fmt is not None:
        chosen = fmt.value
    else:
        chosen = "table" if sys.stdout.isatty() else "csv"
    if chosen != "table" and chosen not in RENDERERS:
        raise UsageError(
            f"--format {chosen} is not available in this version; use one of "
            f"table, {', '.join(RENDERERS)}"
        )
    if chosen in BINARY_FORMATS and output is None and sys.stdout.isatty():
        raise UsageError(
            f"--format {chosen} is a binary file: write it with -o report."
            f"{chosen} (or redirect stdout)"
        )
    return chosen


def read_inputs(
    files: list[str],
    options: Any,
    kpis: list[str],
    by: list[str] | None,
    breaches: bool,
    quiet: bool,
    *,
    where: list[str] | None = None,
    surveys: list[str] | None,
    engine: Engine = Engine.LOCAL,
    **business: list[str] | None,
) -> Any:
    """Read only the columns the report needs (the read plan), under the progress bar.

    `business`: the customers, orders, schedules, costs, messages, events and users paths.
    With `--engine dask` nothing is read here (the workers read the files): None.
    """
    if engine is not Engine.LOCAL:
        return None
    from cskpi.engine.plan import plan_for
    from cskpi.engine.where import where_columns

    plan = plan_for(
        tuple(kpis),
        tuple(by or ()),
        options.config,
        breaches,
        customers=bool(business["customers"] or business["orders"]),
        where=where_columns(where or ()),  # a bad expression: exit 2 before any file is read
    )
    from cskpi.cli.progress import reading

    with reading(files, quiet):
        return load_inputs(files, surveys, options, plan, **business)


def build_request(
    kpis: list[str],
    *,
    window: Any,
    as_of: str | None,
    tz: str | None,
    by: list[str] | None,
    period: Period | None,
    week_start: WeekStart,
    where: list[str] | None = None,
    compare: Compare | None,
    sort: str | None,
    top: int | None,
    business_hours: bool | None,
    breaches: bool,
    overall: bool,
) -> Any:
    """The `ReportRequest` the flags ask for (the config is merged in by the engine)."""
    from cskpi.engine.types import ReportRequest

    return ReportRequest(
        kpis=tuple(kpis),
        window=window,
        as_of=as_of,
        tz=tz,
        group_by=tuple(by or ()),
        where=tuple(where or ()),
        period=period,
        week_start=week_start.value,
        compare=compare,
        sort=sort,
        top=top,
        business_hours=business_hours,
        breaches=breaches,
        overall=overall,
    )


def compute_report(
    inputs: Any, request: Any, config: Any, strict: bool, quiet: bool, result: Any = None
) -> Any:
    """Compute the result (unless another engine did: `result`); refuse it under `--strict`
    on data-quality problems; then the notes, the window line and the data-quality lines on
    stderr (unless --quiet)."""
    from cskpi.engine.compute import compute

    if result is None:
        with progress("computing KPIs…", quiet):
            # handed over: the engine may drop columns it has done with (`Inputs.transient`)
            result = compute(replace(inputs, transient=True), request, config)
    if strict and has_problems(result.data_quality):
        raise InputError(
            "--strict: the input has data-quality problems\n" + "\n".join(result.quality_lines)
        )
    notes(result.notes, quiet)
    if not quiet:
        print_err(window_line(result))
        notes(result.quality_lines, quiet)
    return result


def window_line(result: Any) -> str:
    """`window 2024-01-01 00:00 → 2024-07-01 00:00, report zone UTC, as of …` for stderr."""

    def moment(ts: Any) -> str:
        # strftime writes year 1 as "1" on Linux: pad the year by hand
        return f"{ts.year:04d}-" + ts.strftime("%m-%d %H:%M:%S" if ts.second else "%m-%d %H:%M")

    return (
        f"window {moment(result.since)} → {moment(result.until)}, report zone "
        f"{result.timezone}, as of {moment(result.as_of)}"
    )


def render_result(
    result: Any, fmt: str, excel: bool, title: str | None = None
) -> str | bytes | None:
    """The rendered bytes/text for file formats; None for the terminal table."""
    if fmt == "table":
        return None
    from cskpi.render import render

    return render(result, fmt, excel=excel, title=title)


def written(result: Any, output: Path) -> str:
    """`wrote report.csv (12 rows)` for stderr after a successful `-o`: the rows of the
    rows table (or of the breaches list with `--breaches`)."""
    rows = len(result.breaches if result.breaches is not None else result.rows)
    return f"wrote {output} ({rows:,} row{'' if rows == 1 else 's'})"


def write_report(
    result: Any,
    out_format: str,
    output: Path | None,
    excel: bool,
    show: str = "change",
    title: str | None = None,
    small_n: int = SMALL_N,
) -> None:
    """The result in `out_format`: to `output` or stdout; the table (or breaches) to a
    terminal, values from fewer than `small_n` cases marked."""
    rendered = render_result(result, out_format, excel, title)
    if rendered is None:
        from cskpi.render.table import render_table

        if output is not None:
            raise UsageError("--format table prints to the terminal; choose a file format")
        if result.breaches is not None:
            from cskpi.render.breaches import breaches_table

            console().print(breaches_table(result))
        else:
            console().print(render_table(result, show, small_n))
    else:
        emit(rendered, output)


def check_targets(result: Any, check: bool, quiet: bool = False) -> None:
    """`--check`: exit 3 (`TargetMissed`) when a target is missed or cannot be evaluated
    (DECISIONS 41), each failure with its value or its reason; without `--check`, a target
    that cannot be evaluated is a note."""
    from cskpi.engine.targets import failure

    if check:
        failures = [text for t in result.targets if (text := failure(t)) is not None]
        if failures:
            raise TargetMissed("--check: " + "; ".join(failures))
    else:
        notes([str(failure(t)) for t in result.targets if t.met is None], quiet)
