"""`cskpi sample`: write realistic synthetic exports to try the other commands on."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cskpi.cli.common import boundary, notes
from cskpi.cli.options import QuietOpt


def sample(
    tickets: Annotated[int, typer.Option("--tickets", min=1, help="Number of tickets.")] = 20_000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same files).")] = 7,
    out: Annotated[Path, typer.Option("--out", help="Directory to write into.")] = Path(
        "sample_data"
    ),
    months: Annotated[
        int,
        typer.Option(
            "--months", min=1, max=1200, help="Months of data from 2024-01 (at most 100 years)."
        ),
    ] = 6,
    quiet: QuietOpt = False,
) -> None:
    """Write synthetic sample exports.

    Realistic ticket and survey exports, as CSV and Parquet.

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
        notes([f"wrote {p}" for p in paths], quiet)
