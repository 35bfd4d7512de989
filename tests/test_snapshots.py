"""Golden files: the text formats of one fixed report, byte for byte (STYLE 9).

Regenerate with `make snapshots` (CSKPI_UPDATE_SNAPSHOTS=1) and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cskpi.cli import app
from tests.test_engine import SURVEYS, TICKETS

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
FORMATS = ("csv", "tsv", "json", "jsonl", "markdown")
UPDATE = os.environ.get("CSKPI_UPDATE_SNAPSHOTS") == "1"


@pytest.mark.parametrize("fmt", FORMATS)
def test_report_snapshot(fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # fixed relative paths in data-quality examples
    Path("tickets.csv").write_text(TICKETS, encoding="utf-8")
    Path("surveys.csv").write_text(SURVEYS, encoding="utf-8")
    result = CliRunner().invoke(
        app,
        [
            "report",
            "tickets.csv",
            "--surveys",
            "surveys.csv",
            "-k",
            "tickets_created,frt_median,resolution_rate,csat,nps",
            "--by",
            "agent",
            "--period",
            "week",
            "--as-of",
            "2024-03-10T00:00:00Z",
            "--tz",
            "Europe/Berlin",
            "-f",
            fmt,
            "-q",
        ],
    )
    assert result.exit_code == 0, result.output
    golden = SNAPSHOTS / f"report.{fmt}"
    if UPDATE:
        golden.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == golden.read_text(encoding="utf-8")
