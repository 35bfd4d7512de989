"""The command line: the typer `app` with its commands, and `main`, the console script.

options → one request → library → renderer → stdout. Each command lives in its own module
(`report`, `peak`, `validate`, `explain`, `kpis`, `sample`) and is registered here, in the
order `--help` lists them; the options several commands share are declared once in `options`,
the error boundary (exit codes), reading and writing helpers in `common`.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from cskpi.cli.common import quiet_pipe
from cskpi.cli.explain import explain as explain_command
from cskpi.cli.kpis import kpis as kpis_command
from cskpi.cli.options import name_values
from cskpi.cli.peak import peak as peak_command
from cskpi.cli.report import report as report_command
from cskpi.cli.sample import sample as sample_command
from cskpi.cli.shell import NamedCommand
from cskpi.cli.validate import validate as validate_command
from cskpi.version import __version__

__all__ = ["app", "main"]

app = typer.Typer(
    name="cskpi",
    help="Customer-service KPIs from helpdesk exports.\n\n"
    "Example: cskpi report tickets.csv --surveys surveys.csv --by agent --period month",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
)


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


# in the order `cskpi --help` lists them; each is named after its function
for command in (
    report_command,
    peak_command,
    validate_command,
    explain_command,
    kpis_command,
    sample_command,
):
    app.command(cls=NamedCommand)(name_values(command))


def main() -> None:
    """Console-script entry point."""
    try:
        app(prog_name="cskpi")
    except BrokenPipeError:
        quiet_pipe()
        sys.exit(0)
