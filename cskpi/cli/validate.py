"""`cskpi validate`: how the files are read (format, encoding, mapping) and their data quality.

Every input `report` reads can be checked: tickets, `--surveys`, `--messages`, `--events` and
the business inputs (`--customers`, `--orders`, `--schedules`, `--costs`); `--strict` fails on
a problem in any of them.
"""

from __future__ import annotations

from typing import Any

from cskpi.cli.common import boundary, has_problems, load_inputs, load_options, show
from cskpi.cli.options import (
    ConfigOpt,
    CostsOpt,
    CustomersOpt,
    DateFormatOpt,
    DayFirstOpt,
    DecimalOpt,
    DelimiterOpt,
    EncodingOpt,
    EventsOpt,
    Files,
    IncludeOpt,
    InputFormatOpt,
    ListFormat,
    ListFormatOpt,
    MapOpt,
    MessagesOpt,
    OrdersOpt,
    PresetOpt,
    QuietOpt,
    QuoteOpt,
    SchedulesOpt,
    SheetOpt,
    SourceTzOpt,
    StrictOpt,
    SurveysOpt,
    UsersOpt,
    VerboseOpt,
)


def validate(
    files: Files,
    surveys: SurveysOpt = None,
    customers: CustomersOpt = None,
    orders: OrdersOpt = None,
    schedules: SchedulesOpt = None,
    costs: CostsOpt = None,
    messages: MessagesOpt = None,
    events: EventsOpt = None,
    users: UsersOpt = None,
    fmt: ListFormatOpt = ListFormat.TABLE,
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
    strict: StrictOpt = False,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Check how the files are read.

    Format, encoding, column mapping and data quality of every input given.

    Example: cskpi validate tickets.csv --surveys surveys.csv --customers customers.csv
    """
    with boundary(verbose):
        from cskpi.errors import InputError
        from cskpi.load.quality import DataQuality
        from cskpi.render.validate import render_validation

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
            delimiter=delimiter,
            quote=quote,
            decimal=decimal,
        )
        from cskpi.cli.progress import reading

        with reading(files, quiet):
            inputs = load_inputs(
                files,
                surveys,
                options,
                customers=customers,
                orders=orders,
                schedules=schedules,
                costs=costs,
                messages=messages,
                events=events,
                users=users,
            )
        show(render_validation(inputs, fmt.value))
        quality = DataQuality(*_quality_of(inputs))
        if strict and has_problems(quality.as_json()):
            raise InputError(
                "--strict: the input has data-quality problems\n"
                + "\n".join(quality.summary_lines())
            )


def _quality_of(inputs: Any) -> tuple[Any, Any, tuple[tuple[str, Any], ...]]:
    """Tickets', surveys' and every other given input's counts, for `--strict`."""
    from cskpi.load.quality import FrameQuality

    others = {"messages": inputs.messages, "events": inputs.events}
    if inputs.business is not None:
        others.update(inputs.business.given())
    return (
        inputs.tickets.quality if inputs.tickets else FrameQuality(),
        inputs.surveys.quality if inputs.surveys else FrameQuality(),
        tuple((name, loaded.quality) for name, loaded in others.items() if loaded is not None),
    )
