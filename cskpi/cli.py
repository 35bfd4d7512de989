"""The command line: options → one request → library → renderer → stdout. Exit codes live here.

Errors: a `CskpiError` prints its message (one or two lines) and exits with its code; anything
else is a bug: exit 1 with a one-line note, the traceback only with --verbose / CSKPI_DEBUG=1.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from cskpi.errors import CskpiError, UsageError, did_you_mean
from cskpi.result import Compare, Period
from cskpi.version import __version__

app = typer.Typer(
    name="cskpi",
    help="Customer-service KPIs from helpdesk exports.\n\n"
    "Example: cskpi report tickets.csv --surveys surveys.csv --by agent --period month",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
)


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


class ListFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"
    MARKDOWN = "markdown"


class PeakFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"
    MARKDOWN = "markdown"
    HTML = "html"


class WeekStart(StrEnum):
    MON = "mon"
    SUN = "sun"


def _err(message: str) -> None:
    sys.stderr.write(message.rstrip("\n") + "\n")


@contextmanager
def boundary(verbose: bool = False) -> Iterator[None]:
    """The one error boundary: user errors → message + code; bugs → exit 1."""
    try:
        yield
    except CskpiError as exc:
        _err(f"cskpi: {exc}")
        raise typer.Exit(exc.exit_code) from None
    except BrokenPipeError:
        _quiet_pipe()
        raise typer.Exit(0) from None
    except (typer.Exit, typer.Abort, KeyboardInterrupt):
        raise
    except Exception as exc:
        if verbose or os.environ.get("CSKPI_DEBUG") == "1":
            import traceback

            traceback.print_exc()
        _err(
            f"cskpi: internal error ({type(exc).__name__}: {exc}); "
            "rerun with --verbose and report it"
        )
        raise typer.Exit(1) from None


@contextmanager
def progress(text: str, quiet: bool) -> Iterator[None]:
    """A transient spinner on stderr for work that takes longer than a second — only on a
    terminal, never with --quiet or TERM=dumb, so pipes and cron logs stay clean."""
    if quiet or not sys.stderr.isatty() or os.environ.get("TERM") == "dumb":
        yield
        return
    import threading

    from rich.console import Console

    status = Console(stderr=True).status(text)
    timer = threading.Timer(1.0, status.start)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        status.stop()


def _quiet_pipe() -> None:
    """After a closed pipe, point stdout at devnull so interpreter shutdown stays quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cskpi {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Customer-service KPIs from helpdesk exports."""


# -- shared options ----------------------------------------------------------------------------


def _split_kpis(values: list[str] | None) -> list[str]:
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


Files = Annotated[
    list[str], typer.Argument(help="Ticket export files or globs; - for stdin.", show_default=False)
]
SurveysOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--surveys", help="Survey export file; KIND=FILE sets its kind (csat, nps, ces, esat)."
    ),
]
CustomersOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--customers",
        help="Customers file: customer_id, started_at, ended_at, plan, mrr, region, "
        "segment (churn, retention, MRR, CLV; --by plan).",
    ),
]
OrdersOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--orders",
        help="Orders file: order_id, customer_id, ordered_at, amount, product, "
        "category (repeat purchase, cross-sell, upsell).",
    ),
]
SchedulesOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--schedules",
        help="Agent schedules: agent, date (or start/end), scheduled_seconds (agent_utilization).",
    ),
]
CostsOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--costs", help="Costs file: period, amount, optional team (default: [costs] file)."
    ),
]
MessagesOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--messages",
        help="Messages (comments, conversation parts): ticket_id, created_at, "
        "author_role, public; first response, replies and the FRT start come "
        "from them.",
    ),
]
EventsOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--events",
        help="Status history: ticket_id, at, status; reopens, resolution and paused "
        "clocks ([status] paused) come from it.",
    ),
]
MapOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--map", help="CANON=SOURCE column mapping (repeatable), e.g. created_at='Opened at'."
    ),
]
ConfigOpt = Annotated[
    Path | None,
    typer.Option("--config", "-c", help="TOML config (default ./cskpi.toml if present)."),
]
EncodingOpt = Annotated[str | None, typer.Option(help="Force a text encoding (utf-8, cp949, ...).")]
InputFormatOpt = Annotated[
    str | None,
    typer.Option(
        "--input-format", help="csv, tsv, json, jsonl, parquet or xlsx (required for stdin)."
    ),
]
SheetOpt = Annotated[str | None, typer.Option(help="XLSX sheet to read (default: the first).")]
DayFirstOpt = Annotated[bool, typer.Option("--dayfirst", help="Read 03/02/2024 as 3 February.")]
DateFormatOpt = Annotated[
    str | None, typer.Option("--date-format", help="strptime format of timestamps.")
]
SourceTzOpt = Annotated[
    str | None, typer.Option("--source-tz", help="Zone of naive timestamps (default UTC).")
]
IncludeOpt = Annotated[
    str | None,
    typer.Option(
        "--include-status", help="Count statuses excluded by default: merged,deleted,spam."
    ),
]
StrictOpt = Annotated[bool, typer.Option("--strict", help="Exit 4 on any data-quality problem.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Hide info and warnings.")]
VerboseOpt = Annotated[
    bool, typer.Option("--verbose", "-v", help="More detail; tracebacks of internal errors.")
]
PresetOpt = Annotated[
    str,
    typer.Option(
        "--preset",
        help="Export preset: auto (recognise the export), none, or a name such as "
        "zendesk_csv, freshdesk_csv, intercom_csv, chatwoot_csat_csv, zammad_xlsx.",
    ),
]


def _load_options(
    config_path: Path | None,
    maps: list[str] | None,
    encoding: str | None,
    input_format: str | None,
    sheet: str | None,
    dayfirst: bool,
    date_format: str | None,
    source_tz: str | None,
    include_status: str | None,
    preset: str = "auto",
) -> Any:
    from cskpi.config import load_config
    from cskpi.load.normalize import LoadOptions
    from cskpi.load.presets import check_choice
    from cskpi.time.window import check_tz

    config = load_config(config_path)
    pairs = list(config.columns)
    for item in maps or []:
        canon, sep, source = item.partition("=")
        if not sep or not canon.strip() or not source.strip():
            raise UsageError(f"--map {item}: use CANON=SOURCE, e.g. --map created_at='Opened at'")
        pairs.append((canon.strip(), source.strip()))
    zone = source_tz or config.source_timezone or "UTC"
    check_tz(zone)
    statuses = tuple(s.strip().lower() for s in (include_status or "").split(",") if s.strip())
    if input_format is not None:
        from cskpi.load.readers import FORMATS

        if input_format not in FORMATS:
            raise UsageError(f"--input-format {input_format}: use one of {', '.join(FORMATS)}")
    return LoadOptions(
        input_format=input_format,
        encoding=encoding,
        sheet=sheet,
        dayfirst=dayfirst,
        date_format=date_format,
        source_tz=zone,
        mapping=tuple(pairs),
        include_status=statuses,
        config=config,
        preset=check_choice(preset),
    )


def _check_stdin(files: list[str]) -> None:
    if "-" in files and sys.stdin.isatty():
        raise UsageError(
            "reading tickets from standard input (-), but stdin is a terminal; "
            "pipe a file in or name the file"
        )


def _load(
    files: list[str],
    surveys: list[str] | None,
    options: Any,
    plan: Any = None,
    **business: list[str] | None,
) -> Any:
    """Load the inputs; `business`: customers, orders, schedules and costs paths (issue 9)."""
    from cskpi.api import load

    _check_stdin(files)
    return load(
        files,
        surveys or [],
        options,
        stdin=None,
        plan=plan,
        **{name: paths or [] for name, paths in business.items()},
    )


def _notes(lines: list[str] | tuple[str, ...], quiet: bool) -> None:
    if not quiet:
        for line in lines:
            _err(line)


def _console(file: Any = None) -> Any:
    from rich.console import Console

    return Console(
        file=file or sys.stdout, no_color=bool(os.environ.get("NO_COLOR")), soft_wrap=False
    )


def _emit(text: str | bytes, output: Path | None) -> None:
    from cskpi.render.files import write_atomic

    if output is not None:
        write_atomic(output, text)
        return
    if isinstance(text, bytes):
        sys.stdout.buffer.write(text)
    else:
        sys.stdout.write(text)
    sys.stdout.flush()


def _format_of(fmt: OutputFormat | None, output: Path | None) -> str:
    """The output format, checked before any file is read (with the output's directory)."""
    from cskpi.errors import InputError
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


def _render(result: Any, fmt: str, excel: bool) -> str | bytes | None:
    """The rendered bytes/text for file formats; None for the terminal table."""
    if fmt == "table":
        return None
    from cskpi.render import render

    return render(result, fmt, excel=excel)


# -- report ------------------------------------------------------------------------------------


@app.command()
def report(
    files: Files,
    surveys: SurveysOpt = None,
    customers: CustomersOpt = None,
    orders: OrdersOpt = None,
    schedules: SchedulesOpt = None,
    costs: CostsOpt = None,
    messages: MessagesOpt = None,
    events: EventsOpt = None,
    kpi: Annotated[
        list[str] | None,
        typer.Option(
            "--kpi", "-k", help="KPI id (repeatable or comma-separated); see `cskpi kpis`."
        ),
    ] = None,
    since: Annotated[str | None, typer.Option(help="Window start (date or datetime).")] = None,
    until: Annotated[
        str | None, typer.Option(help="Window end; a date-only value includes that day.")
    ] = None,
    last: Annotated[
        str | None, typer.Option(help="Window [as_of - N, as_of): 7d, 4w, 3mo, 1y.")
    ] = None,
    month: Annotated[str | None, typer.Option(help="Calendar month, e.g. 2024-03.")] = None,
    quarter: Annotated[str | None, typer.Option(help="Calendar quarter, e.g. 2024Q1.")] = None,
    year: Annotated[str | None, typer.Option(help="Calendar year, e.g. 2024.")] = None,
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
            "--by", "-b", help="Group by a column (repeatable): agent, team, channel, ..."
        ),
    ] = None,
    period: Annotated[
        Period | None, typer.Option("--period", "-p", help="One row per bucket.")
    ] = None,
    week_start: Annotated[WeekStart, typer.Option("--week-start")] = WeekStart.MON,
    compare: Annotated[
        Compare | None, typer.Option(help="Add each KPI's previous value and the change.")
    ] = None,
    sort: Annotated[str | None, typer.Option(help="KPI[:asc|desc] to order groups by.")] = None,
    top: Annotated[int | None, typer.Option(help="Keep the first N groups.")] = None,
    tz: Annotated[str | None, typer.Option("--tz", help="Report time zone (IANA name).")] = None,
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
        typer.Option("--output", "-o", help="Write to a file (format from the extension)."),
    ] = None,
    config: ConfigOpt = None,
    map_: MapOpt = None,
    preset: PresetOpt = "auto",
    encoding: EncodingOpt = None,
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
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Compute KPIs over a window, per group and period.

    Example: cskpi report tickets.csv --surveys surveys.csv -k frt_median,csat --by agent
    """
    with boundary(verbose):
        from cskpi.engine.compute import compute
        from cskpi.engine.types import ReportRequest
        from cskpi.errors import InputError, TargetMissed
        from cskpi.time.window import WindowSpec

        kpis = _split_kpis(kpi)
        options = _load_options(
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
        )
        out_format = _format_of(fmt, output)
        from cskpi.engine.plan import plan_for

        plan = plan_for(
            tuple(kpis),
            tuple(by or ()),
            options.config,
            breaches,
            customers=bool(customers or orders),
        )
        with progress(f"reading {', '.join(files)[:60]}…", quiet):
            inputs = _load(
                files,
                surveys,
                options,
                plan,
                customers=customers,
                orders=orders,
                schedules=schedules,
                costs=costs,
                messages=messages,
                events=events,
            )
        request = ReportRequest(
            kpis=tuple(kpis),
            window=WindowSpec(
                since=since, until=until, last=last, month=month, quarter=quarter, year=year
            ),
            as_of=as_of,
            tz=tz,
            group_by=tuple(by or ()),
            period=period,
            week_start=week_start.value,
            compare=compare,
            sort=sort,
            top=top,
            business_hours=business_hours,
            breaches=breaches,
            overall=out_format not in ("csv", "tsv", "jsonl") or check,
        )
        with progress("computing KPIs…", quiet):
            # handed over: the engine may drop columns it has done with (`Inputs.transient`)
            result = compute(replace(inputs, transient=True), request, options.config)
        if strict and _has_problems(result.data_quality):
            raise InputError(
                "--strict: the input has data-quality problems\n" + "\n".join(result.quality_lines)
            )
        _notes(result.notes, quiet)
        if not quiet:
            _err(_window_line(result))
            _notes(result.quality_lines, quiet)
        rendered = _render(result, out_format, excel)
        if rendered is None:
            from cskpi.render.table import render_table

            if output is not None:
                raise UsageError("--format table prints to the terminal; choose a file format")
            if result.breaches is not None:
                from cskpi.render.breaches import breaches_table

                _console().print(breaches_table(result))
            else:
                _console().print(render_table(result))
        else:
            _emit(rendered, output)
        if check and any(t.met is False for t in result.targets):
            missed = ", ".join(f"{t.kpi} {t.target}" for t in result.targets if t.met is False)
            raise TargetMissed(f"--check: target missed: {missed}")


BENIGN = (
    "excluded_status",
    "survey_not_answered",
    "derived_differs_first_response_at",
    "derived_differs_agent_replies",
    "derived_differs_customer_replies",
    "derived_differs_reopens",
    "derived_differs_resolved_at",
)
"""Rows removed (or vendor values replaced by derived ones) by rule, not by a fault in the
data: `--strict` does not fire on them."""


def _has_problems(data_quality: dict[str, Any]) -> bool:
    return any(
        count
        for frame in data_quality.values()
        for kind in ("dropped", "issues")
        for reason, count in frame[kind].items()
        if reason not in BENIGN
    )


def _window_line(result: Any) -> str:
    """`window 2024-01-01 00:00 → 2024-07-01 00:00, report zone UTC, as of …` for stderr."""

    def moment(ts: Any) -> str:
        # strftime writes year 1 as "1" on Linux: pad the year by hand
        return f"{ts.year:04d}-" + ts.strftime("%m-%d %H:%M:%S" if ts.second else "%m-%d %H:%M")

    return (
        f"window {moment(result.since)} → {moment(result.until)}, report zone "
        f"{result.timezone}, as of {moment(result.as_of)}"
    )


def _quality_of(inputs: Any) -> tuple[Any, Any]:
    from cskpi.load.quality import FrameQuality

    return (
        inputs.tickets.quality if inputs.tickets else FrameQuality(),
        inputs.surveys.quality if inputs.surveys else FrameQuality(),
    )


# -- peak --------------------------------------------------------------------------------------


@app.command()
def peak(
    files: Files,
    since: Annotated[str | None, typer.Option(help="Window start (date or datetime).")] = None,
    until: Annotated[
        str | None, typer.Option(help="Window end; a date-only value includes that day.")
    ] = None,
    last: Annotated[
        str | None, typer.Option(help="Window [as_of - N, as_of): 7d, 4w, 3mo, 1y.")
    ] = None,
    month: Annotated[str | None, typer.Option(help="Calendar month, e.g. 2024-03.")] = None,
    quarter: Annotated[str | None, typer.Option(help="Calendar quarter, e.g. 2024Q1.")] = None,
    year: Annotated[str | None, typer.Option(help="Calendar year, e.g. 2024.")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="DATETIME or now.")] = None,
    tz: Annotated[str | None, typer.Option("--tz", help="Report time zone (IANA name).")] = None,
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
    encoding: EncodingOpt = None,
    input_format: InputFormatOpt = None,
    sheet: SheetOpt = None,
    dayfirst: DayFirstOpt = False,
    date_format: DateFormatOpt = None,
    include_status: IncludeOpt = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Busiest weekday × hour slots: mean tickets created per hour, in the report zone.

    `-o peak.html` writes a self-contained heat map.

    Example: cskpi peak tickets.csv --last 3mo --tz Europe/Berlin
    """
    with boundary(verbose):
        from cskpi.engine.peak import peak as compute_peak
        from cskpi.engine.types import ReportRequest
        from cskpi.load.plan import ReadPlan
        from cskpi.render.peak import render_peak
        from cskpi.time.window import WindowSpec

        options = _load_options(
            config,
            map_,
            encoding,
            input_format,
            sheet,
            dayfirst,
            date_format,
            source_tz,
            include_status,
        )
        plan = ReadPlan(
            frozenset({"ticket_id", "created_at", "status", "updated_at"}), frozenset(), ()
        )
        inputs = _load(files, None, options, plan)
        request = ReportRequest(
            window=WindowSpec(
                since=since, until=until, last=last, month=month, quarter=quarter, year=year
            ),
            as_of=as_of,
            tz=tz,
        )
        result = compute_peak(inputs, request, options.config)
        chosen = fmt.value if fmt else ("table" if sys.stdout.isatty() else "csv")
        if output is not None:
            from cskpi.render.files import format_for_path

            chosen = fmt.value if fmt else format_for_path(str(output), None)
            if chosen not in set(PeakFormat) - {"table"}:
                raise UsageError(f"{output}: peak writes csv, json, markdown or html files")
        rendered = render_peak(result, chosen)
        if isinstance(rendered, str):
            _emit(rendered, output)
        else:
            _console().print(rendered)


# -- validate ----------------------------------------------------------------------------------


@app.command()
def validate(
    files: Files,
    surveys: SurveysOpt = None,
    messages: MessagesOpt = None,
    events: EventsOpt = None,
    fmt: Annotated[ListFormat, typer.Option("--format", "-f")] = ListFormat.TABLE,
    config: ConfigOpt = None,
    map_: MapOpt = None,
    preset: PresetOpt = "auto",
    encoding: EncodingOpt = None,
    input_format: InputFormatOpt = None,
    sheet: SheetOpt = None,
    dayfirst: DayFirstOpt = False,
    date_format: DateFormatOpt = None,
    source_tz: SourceTzOpt = None,
    include_status: IncludeOpt = None,
    strict: StrictOpt = False,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Show how the files are read: format, encoding, column mapping and data quality.

    Example: cskpi validate tickets.csv --surveys surveys.csv
    """
    with boundary(verbose):
        from cskpi.errors import InputError
        from cskpi.load.quality import DataQuality
        from cskpi.render.validate import render_validation

        options = _load_options(
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
        )
        inputs = _load(files, surveys, options, messages=messages, events=events)
        rendered = render_validation(inputs, fmt.value)
        if isinstance(rendered, str):
            _emit(rendered, None)
        else:
            _console().print(rendered)
        if strict and _has_problems(DataQuality(*_quality_of(inputs)).as_json()):
            raise InputError(
                "--strict: the input has data-quality problems\n"
                + "\n".join(DataQuality(*_quality_of(inputs)).summary_lines())
            )


# -- explain -----------------------------------------------------------------------------------


class ExplainFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


@app.command()
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
    fmt: Annotated[
        ExplainFormat | None,
        typer.Option("--format", "-f", help="Default: table on a terminal, json otherwise."),
    ] = None,
    config: ConfigOpt = None,
    map_: MapOpt = None,
    preset: PresetOpt = "auto",
    encoding: EncodingOpt = None,
    input_format: InputFormatOpt = None,
    sheet: SheetOpt = None,
    dayfirst: DayFirstOpt = False,
    date_format: DateFormatOpt = None,
    source_tz: SourceTzOpt = None,
    include_status: IncludeOpt = None,
    verbose: VerboseOpt = False,
) -> None:
    """Why a ticket's numbers are what they are: each message and status change, what counted.

    Example: cskpi explain 4711 tickets.csv --messages comments.json --events audits.json
    """
    with boundary(verbose):
        from cskpi.engine.explain import explain as explain_ticket
        from cskpi.render.explain import render_explain
        from cskpi.time.window import check_tz

        options = _load_options(
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
        )
        if tz is not None:
            check_tz(tz)
        inputs = _load(files, None, options, messages=messages, events=events)
        story = explain_ticket(inputs, ticket_id, options.config, business_hours, tz)
        chosen = fmt.value if fmt else ("table" if sys.stdout.isatty() else "json")
        rendered = render_explain(story, chosen)
        if isinstance(rendered, str):
            _emit(rendered, None)
        else:
            _console().print(rendered)


# -- kpis --------------------------------------------------------------------------------------


@app.command()
def kpis(
    fmt: Annotated[ListFormat, typer.Option("--format", "-f")] = ListFormat.TABLE,
) -> None:
    """List every KPI: id, unit, anchor and definition.

    Example: cskpi kpis -f json
    """
    with boundary():
        from cskpi.render.catalogue import render_catalogue

        rendered = render_catalogue(fmt.value)
        if isinstance(rendered, str):
            _emit(rendered, None)
        else:
            _console().print(rendered)


# -- sample ------------------------------------------------------------------------------------


@app.command()
def sample(
    tickets: Annotated[int, typer.Option("--tickets", min=1, help="Number of tickets.")] = 20_000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same files).")] = 7,
    out: Annotated[Path, typer.Option("--out", help="Directory to write into.")] = Path(
        "sample_data"
    ),
    months: Annotated[
        int, typer.Option("--months", min=1, help="Months of data from 2024-01.")
    ] = 6,
    quiet: QuietOpt = False,
) -> None:
    """Write realistic synthetic ticket and survey exports (CSV and Parquet).

    Example: cskpi sample --tickets 1000000 --out bench/data
    """
    with boundary():
        from cskpi.sample.tickets import write_sample

        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            from cskpi.errors import InputError

            raise InputError(f"{out}: cannot create the directory ({exc.strerror})") from exc
        paths = write_sample(out, tickets=tickets, seed=seed, months=months)
        _notes([f"wrote {p}" for p in paths], quiet)


def main() -> None:
    """Console-script entry point."""
    try:
        app(prog_name="cskpi")
    except BrokenPipeError:
        _quiet_pipe()
        sys.exit(0)
