"""Options shared by several commands, each declared once: inputs, window, reading, verbosity.

A command lists them as parameters (`config: ConfigOpt = None`); typer reads the name, the
flags and the help from the `Annotated` alias, so every command shows the same text.
Options that only one command has, or whose help differs between commands, stay with it.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer


class ListFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"
    MARKDOWN = "markdown"


# -- input files -------------------------------------------------------------------------------

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

UsersOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--users",
        help="Agent names for agent ids: the Zendesk API users export (users.json) or a "
        "table id,name.",
    ),
]

# -- window (report, peak) ---------------------------------------------------------------------

SinceOpt = Annotated[str | None, typer.Option(help="Window start (date or datetime).")]
UntilOpt = Annotated[
    str | None, typer.Option(help="Window end; a date-only value includes that day.")
]
LastOpt = Annotated[
    str | None,
    typer.Option(help="The N days/weeks/months/years ending with the as-of day: 7d, 4w, 3mo, 1y."),
]
MonthOpt = Annotated[
    str | None, typer.Option(help="Calendar month: 2024-03, current or previous (of the as-of).")
]
QuarterOpt = Annotated[
    str | None, typer.Option(help="Calendar quarter: 2024Q1, current or previous.")
]
YearOpt = Annotated[str | None, typer.Option(help="Calendar year: 2024, current or previous.")]
WeekOpt = Annotated[
    str | None, typer.Option(help="ISO week (Monday start): 2024-W05, current or previous.")
]
TzOpt = Annotated[str | None, typer.Option("--tz", help="Report time zone (IANA name).")]

# -- reading -----------------------------------------------------------------------------------

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
EncodingOpt = Annotated[
    str | None, typer.Option(help="Force a text encoding (utf-8, cp1252, cp949, ...).")
]
DelimiterOpt = Annotated[
    str | None,
    typer.Option(
        "--delimiter", help="CSV delimiter: , ; | or tab (default: sniffed from the header)."
    ),
]
QuoteOpt = Annotated[
    str | None,
    typer.Option(
        "--quote", help='CSV quote character, or none (default: ", none for tab-separated).'
    ),
]
DecimalOpt = Annotated[
    str | None,
    typer.Option("--decimal", help="Decimal mark of numbers: , or . (default: , with ;)."),
]
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
PresetOpt = Annotated[
    str,
    typer.Option(
        "--preset",
        help="Export preset: auto (recognise the export), none, or a name such as "
        "zendesk_csv, freshdesk_csv, intercom_csv, chatwoot_csat_csv, zammad_xlsx.",
    ),
]

# -- output and verbosity ----------------------------------------------------------------------

ListFormatOpt = Annotated[ListFormat, typer.Option("--format", "-f")]
StrictOpt = Annotated[bool, typer.Option("--strict", help="Exit 4 on any data-quality problem.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Hide info and warnings.")]
VerboseOpt = Annotated[
    bool, typer.Option("--verbose", "-v", help="More detail; tracebacks of internal errors.")
]


METAVARS = {
    "files": "FILE", "surveys": "FILE", "customers": "FILE", "orders": "FILE",
    "schedules": "FILE", "costs": "FILE", "messages": "FILE", "events": "FILE", "users": "FILE",
    "config": "FILE", "output": "FILE", "out": "DIR", "map_": "CANON=SOURCE",
    "tz": "ZONE", "source_tz": "ZONE", "since": "DATETIME", "until": "DATETIME",
    "as_of": "DATETIME|now", "last": "N{d,w,mo,y}", "month": "YYYY-MM|current|previous",
    "quarter": "YYYYQn|current|previous", "year": "YYYY|current|previous",
    "week": "YYYY-Www|current|previous", "kpi": "KPI,...", "by": "COLUMN,...",
    "where": "EXPR", "sort": "KPI[:asc|desc]", "top": "N", "encoding": "ENCODING",
    "input_format": "FORMAT", "sheet": "NAME", "date_format": "FORMAT",
    "include_status": "STATUS,...", "preset": "NAME", "delimiter": "CHAR",
    "quote": "CHAR|none", "decimal": ",|.", "ticket_id": "TICKET_ID", "tickets": "N",
    "months": "N", "seed": "N", "start": "DATE",
}  # fmt: skip
"""What `--help` shows for each option's value, by parameter name, instead of a Python type
(`--surveys FILE`, not `--surveys <list[str]>`)."""


def name_values(command: Callable[..., Any]) -> Callable[..., Any]:
    """Give the options and arguments of `command` their `METAVARS` name where they have
    none; choices (enums) and flags keep typer's own display."""
    import inspect
    from typing import get_type_hints

    hints = get_type_hints(command, include_extras=True)
    # the evaluated annotations replace the texts (`from __future__ import annotations`): an
    # inline `typer.Option(...)` is made anew each time a text is evaluated, so typer must
    # read the very objects named here
    command.__annotations__ = hints
    for name, parameter in inspect.signature(command).parameters.items():
        infos = [*getattr(hints.get(name), "__metadata__", ()), parameter.default]
        for info in infos:
            if name in METAVARS and getattr(info, "metavar", "") is None:
                info.metavar = METAVARS[name]
    return command


# -- engine (DECISIONS 48) ---------------------------------------------------------------------


class Engine(StrEnum):
    LOCAL = "local"
    DASK = "dask"


EngineOpt = Annotated[
    Engine,
    typer.Option(
        "--engine",
        envvar="CSKPI_ENGINE",
        help="local: this process; dask: a Dask cluster (--scheduler, else a local one).",
    ),
]
SchedulerOpt = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        envvar="CSKPI_DASK_SCHEDULER",
        metavar="ADDRESS",
        help="The Dask scheduler to use with --engine dask, e.g. tcp://10.0.0.5:8786 "
        "(default: a local cluster, one worker process per core).",
    ),
]
