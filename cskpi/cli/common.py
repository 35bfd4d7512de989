"""What every command shares: the error boundary (exit codes live here), reading, writing.

Errors: a `CskpiError` prints its message (one or two lines) and exits with its code; anything
else is a bug: exit 1 with a one-line note, the traceback only with --verbose / CSKPI_DEBUG=1.
Heavy modules (pandas, the engine, the renderers) are imported inside the functions, so that
`--help` stays fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer

from cskpi.errors import CskpiError, UsageError
from cskpi.units import visible

# -- errors and exit codes ---------------------------------------------------------------------


def print_err(message: str) -> None:
    """One message on stderr, ending in exactly one newline; control characters in it (a
    value quoted from an input) are shown as escapes, line by line (`units.visible`)."""
    lines = message.rstrip("\n").split("\n")
    sys.stderr.write("\n".join(visible(line) for line in lines) + "\n")


@contextmanager
def boundary(verbose: bool = False) -> Iterator[None]:
    """The one error boundary: user errors → message + code; bugs → exit 1."""
    try:
        yield
    except CskpiError as exc:
        print_err(f"cskpi: {exc}")
        raise typer.Exit(exc.exit_code) from None
    except BrokenPipeError:
        quiet_pipe()
        raise typer.Exit(0) from None
    except (typer.Exit, typer.Abort, KeyboardInterrupt):
        raise
    except Exception as exc:
        if verbose or os.environ.get("CSKPI_DEBUG") == "1":
            import traceback

            traceback.print_exc()
        print_err(
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


def quiet_pipe() -> None:
    """After a closed pipe, point stdout at devnull so interpreter shutdown stays quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


# -- reading -----------------------------------------------------------------------------------


def wall_clock() -> datetime:
    """The run's wall clock, read here and nowhere below the command line (tests pin it)."""
    return datetime.now(UTC)


def run_now(as_of: str | None) -> datetime:
    """The "now" loading judges timestamps by (DECISIONS 40): the wall clock, or an explicit
    `--as-of` when it is later. A naive `--as-of` is read as UTC here (the report zone is not
    known before the inputs are read); the day of slack after "now" covers any zone's offset.
    An `--as-of` that cannot be read is left to the engine, which says why."""
    now = wall_clock()
    if as_of is None or as_of.strip().lower() == "now":
        return now
    from cskpi.time.window import parse_instant

    try:
        given: datetime = parse_instant(as_of, "UTC", what="--as-of").to_pydatetime()
    except UsageError:
        return now
    return max(now, given)


def load_options(
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
    quiet: bool = False,
    as_of: str | None = None,
    delimiter: str | None = None,
    quote: str | None = None,
    decimal: str | None = None,
) -> Any:
    """The `LoadOptions` of the reading flags, merged with the config file, which is named
    on stderr unless `quiet` (DECISIONS 43) and checked whole before any input is read;
    `now` is the wall clock, or `as_of` (`--as-of`) when it is later (`run_now`)."""
    from cskpi.config import load_config
    from cskpi.load.normalize import LoadOptions
    from cskpi.load.presets import check_choice
    from cskpi.load.readers.dialect import check_decimal, check_delimiter, check_quote
    from cskpi.time.window import check_tz

    config = load_config(config_path)
    if config.path is not None:
        notes([f"using config {config.path}"], quiet)
    check_config(config)
    pairs = list(config.columns)
    for item in maps or []:
        canon, sep, source = item.partition("=")
        if not sep or not canon.strip() or not source.strip():
            raise UsageError(f"--map {item}: use CANON=SOURCE, e.g. --map created_at='Opened at'")
        pairs.append((canon.strip(), source.strip()))
    zone = source_tz or config.source_timezone or "UTC"
    check_tz(zone)
    _check_date_format(date_format)
    statuses = tuple(s.strip().lower() for s in (include_status or "").split(",") if s.strip())
    _check_statuses(statuses)
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
        now=run_now(as_of),
        delimiter=check_delimiter(delimiter),
        quote=check_quote(quote),
        decimal=check_decimal(decimal),
    )


def _check_statuses(statuses: tuple[str, ...]) -> None:
    """`--include-status` names only statuses that are excluded by default (a typo would
    otherwise change nothing, silently)."""
    from cskpi.errors import did_you_mean
    from cskpi.load.schema import EXCLUDED_STATUSES

    for status in statuses:
        if status not in EXCLUDED_STATUSES:
            raise UsageError(
                f"--include-status {status}: not a status excluded by default; use "
                f"{', '.join(EXCLUDED_STATUSES)}{did_you_mean(status, EXCLUDED_STATUSES)}"
            )


def _check_date_format(date_format: str | None) -> None:
    """`--date-format` with a directive strptime does not know (`%Q`) or a stray `%`: exit 2."""
    if date_format is None:
        return
    try:
        datetime.strptime("", date_format)
    except ValueError as exc:
        if "does not match format" not in str(exc):
            raise UsageError(
                f"--date-format {date_format}: {exc}; use strptime codes, e.g. %d/%m/%Y %H:%M"
            ) from None


def check_config(config: Any) -> None:
    """What the engine reads of the config later (targets, calendars), checked now: a
    mistake in it is exit 2 naming the file before a large export is read."""
    from cskpi.engine.targets import parse_targets
    from cskpi.kpis import all_kpis
    from cskpi.time.calendar import parse_calendar

    parse_targets(config.targets, all_kpis(), config.origin)
    if config.business_hours:
        parse_calendar(config.business_hours, where=f"{config.origin}: business_hours")
    for name, table in config.calendars:
        parse_calendar(table, where=f"{config.origin}: calendars.{name}")


def _check_stdin(files: list[str]) -> None:
    if "-" in files and sys.stdin.isatty():
        raise UsageError(
            "reading tickets from standard input (-), but stdin is a terminal; "
            "pipe a file in or name the file"
        )


def load_inputs(
    files: list[str],
    surveys: list[str] | None,
    options: Any,
    plan: Any = None,
    **business: list[str] | None,
) -> Any:
    """Load the inputs; `business`: customers, orders, schedules, costs, messages, events and
    users paths."""
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


def window_spec(
    since: str | None,
    until: str | None,
    last: str | None,
    month: str | None,
    quarter: str | None,
    year: str | None,
    week: str | None = None,
) -> Any:
    """The `WindowSpec` of the window options (report, peak), exactly as given."""
    from cskpi.time.window import WindowSpec

    return WindowSpec(
        since=since, until=until, last=last, month=month, quarter=quarter, year=year, week=week
    )


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


def has_problems(data_quality: dict[str, Any]) -> bool:
    """Whether the data-quality summary holds anything `--strict` refuses (see `BENIGN`)."""
    return any(
        count
        for frame in data_quality.values()
        for kind in ("dropped", "issues")
        for reason, count in frame[kind].items()
        if reason not in BENIGN
    )


# -- writing -----------------------------------------------------------------------------------


def notes(lines: list[str] | tuple[str, ...], quiet: bool) -> None:
    """Info lines on stderr, unless --quiet."""
    if not quiet:
        for line in lines:
            print_err(line)


def console(file: Any = None) -> Any:
    """A rich console on stdout (or `file`) that honours NO_COLOR and never wraps."""
    return _safe_console()(
        file=file or sys.stdout, no_color=bool(os.environ.get("NO_COLOR")), soft_wrap=False
    )


def _safe_console() -> Any:
    """A rich `Console` whose printed text passes through `units.visible`: the renderers
    already escape the values they show, this catches any they missed (a control character
    from an input never reaches the terminal raw; rich's own styling is not text)."""
    from rich.console import Console
    from rich.segment import Segment

    class SafeConsole(Console):
        def render(self, renderable: Any, options: Any = None) -> Any:
            for segment in super().render(renderable, options):
                text = segment.text
                shown = text if segment.control else "\n".join(map(visible, text.split("\n")))
                yield segment if shown == text else Segment(shown, segment.style)

    return SafeConsole


def emit(text: str | bytes, output: Path | None) -> None:
    """Rendered text or bytes to `output` (written atomically) or to stdout."""
    from cskpi.render.files import write_atomic

    if output is not None:
        with cleanup_on_signals():
            write_atomic(output, text)
        return
    if isinstance(text, bytes):
        sys.stdout.buffer.write(text)
    else:
        sys.stdout.write(text)
    sys.stdout.flush()


class Signalled(BaseException):
    """SIGTERM or SIGHUP arrived during a write: unwinds it (the writer's `finally` removes
    its temporary file), then the process ends by that signal."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@contextmanager
def cleanup_on_signals() -> Iterator[None]:
    """While writing `-o`: SIGTERM and SIGHUP unwind the write like Ctrl-C does, so no
    `.report.html.XXXX.tmp` is left behind (the old report survives); then the default
    handlers are restored and the process ends by the signal it got. Only for signals left at
    their default (an ignored one stays ignored) and in the main thread (where Python delivers
    signals); the handlers are restored after the write."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def unwind(signum: int, _frame: object) -> None:
        raise Signalled(signum)

    wanted = (signal.SIGTERM, signal.SIGHUP)  # an ignored one (nohup) stays ignored
    default = [s for s in wanted if signal.getsignal(s) is signal.SIG_DFL]
    previous = {signum: signal.signal(signum, unwind) for signum in default}
    try:
        yield
    except Signalled as got:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        previous = {}
        os.kill(os.getpid(), got.signum)  # the default handler: ends the process
        raise typer.Exit(128 + got.signum) from None  # (not reached)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def refuse_overwriting_inputs(output: Path | None, inputs: list[str | Path | None]) -> None:
    """`-o` naming one of the inputs (directly, through a link, or a hard link to it) is
    refused before anything is read: the report would replace the export (exit 2)."""
    if output is None:
        return
    import glob

    try:
        out = os.stat(output)
    except OSError:
        return  # a new file cannot be an input
    for given in inputs:
        if given is None or str(given) == "-":
            continue
        text = str(given)
        for path in glob.glob(text) if glob.has_magic(text) else [text]:
            try:
                same = os.path.samestat(out, os.stat(path))
            except OSError:
                continue
            if same:
                raise UsageError(
                    f"-o {output}: that is the input {path}; write the report to another file"
                )


def show(rendered: Any, output: Path | None = None) -> None:
    """A renderer's answer: text is emitted, anything else (a rich table) printed to stdout."""
    if isinstance(rendered, str):
        emit(rendered, output)
    else:
        console().print(rendered)
