"""Headers that used to be misread (issue 19 items 2 and 5), through the CLI and the mapper.

A header ending in a unit (`first_response_seconds`, `First response (hrs)`) is a duration,
never the `first_response_at` timestamp its bare name resembles; and several files of one
export whose headers are spelled differently are each mapped on their own header, so every
row counts whatever the order of the files. The files are in tests/data/bad/ (written by
make_corpus.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cskpi.cli import app
from cskpi.load.normalize import resolve_mapping
from cskpi.load.schema import Frame

CORPUS = Path(__file__).resolve().parent / "data" / "bad"
runner = CliRunner()


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CSKPI_DEBUG", raising=False)


def report(*args: object) -> dict[str, Any]:
    result = runner.invoke(app, ["report", *map(str, args), "-f", "json"])
    assert result.exit_code == 0, (result.exit_code, result.stderr)
    assert "Traceback" not in result.stderr
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


CLEAN = {"read": 3, "used": 3, "out_of_window": 0, "dropped": {}, "issues": {}}


@pytest.mark.parametrize(
    ("name", "median"),
    [
        ("frt_seconds.csv", 600.0),  # 600, 1200, 300 s → median 600 s
        ("frt_seconds_words.csv", 600.0),  # the same numbers under "First Response (seconds)"
        ("frt_minutes.csv", 600.0),  # 10, 20, 5 min → 600, 1200, 300 s → median 600 s
        ("frt_hours.tsv", 900.0),  # 0.25, 0.5, 0.1 h → 900, 1800, 360 s → median 900 s
    ],
)
def test_a_unit_suffix_is_a_duration_not_a_timestamp(name: str, median: float) -> None:
    doc = report(CORPUS / name, "-k", "frt_median")
    assert doc["overall"]["frt_median"] == pytest.approx(median)
    assert doc["overall"]["frt_median_n"] == 3
    assert doc["data_quality"]["tickets"] == CLEAN  # nothing blamed on the data


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        # the exact canonical name wins over `first_response` (an alias of first_response_at)
        (
            ["ticket_id", "created_at", "first_response_seconds"],
            {"first_response_seconds": "first_response_seconds"},
        ),
        # the bare name is the timestamp; the one with a unit the duration, in either order
        (
            ["Ticket", "Created", "First Response (minutes)", "First Response"],
            {
                "first_response_at": "First Response",
                "first_response_seconds": "First Response (minutes)",
            },
        ),
        # a unit in words: `_in_hours`, ` in hrs`
        (
            ["id", "created", "resolution_in_hours"],
            {"resolution_seconds": "resolution_in_hours"},
        ),
        # a parenthesis that is not a unit still names the timestamp
        (["id", "Created At (UTC)", "Resolved (UTC)"], {"resolved_at": "Resolved (UTC)"}),
    ],
)
def test_mapping_of_unit_suffixes(headers: list[str], expected: dict[str, str]) -> None:
    mapping = resolve_mapping(headers, Frame.TICKETS, {}, "t.csv")
    for canon, source in expected.items():
        assert mapping.get(canon) == source, mapping
    durations = {h for h in headers if "(min" in h or h.endswith(("_seconds", "_hours"))}
    for canon in ("first_response_at", "resolved_at", "closed_at", "created_at"):
        assert mapping.get(canon) not in durations, mapping


SPLIT = [CORPUS / "split_first.csv", CORPUS / "split_second.csv"]


@pytest.mark.parametrize("order", [1, -1])
def test_files_with_differently_spelled_headers(order: int) -> None:
    """split_first.csv (`Ticket ID`, `Assignee`, ...) has T1-T3, split_second.csv (`id`,
    `agent`, ...) T4-T5; each file is mapped on its own header, in either order.
    kim: T1 (10 min), T3 (no reply), T5 (60 min) → 3 created, FRT median (600+3600)/2 = 2100 s;
    lee: T2 (30 min), T4 (20 min) → 2 created, FRT median (1800+1200)/2 = 1500 s."""
    doc = report(*SPLIT[::order], "--by", "agent", "-k", "tickets_created,frt_median")
    rows = {r["agent"]: (r["tickets_created"], r["frt_median"]) for r in doc["rows"]}
    assert rows == {"kim": (3, 2100.0), "lee": (2, 1500.0)}
    assert doc["data_quality"]["tickets"] == {
        "read": 5,
        "used": 5,
        "out_of_window": 0,
        "dropped": {},
        "issues": {},
    }


def test_files_with_the_same_duration_in_different_units_are_refused(tmp_path: Path) -> None:
    """Stacking `frt (min)` under `frt (s)` would mix minutes and seconds: exit 4."""
    (tmp_path / "a.csv").write_text("ticket_id,created_at,frt (min)\nT1,2024-03-01 09:00,10\n")
    (tmp_path / "b.csv").write_text("id,created,frt (s)\nT2,2024-03-01 10:00,600\n")
    result = runner.invoke(app, ["report", "a.csv", "b.csv", "-f", "json"])
    assert result.exit_code == 4, result.stderr
    assert "'frt (s)' and 'frt (min)' (both first_response_seconds) are in different units" in (
        result.stderr
    )
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""


def _intercom(zone: str, conversation: str) -> str:
    """An Intercom conversations export, its zone written in the headers."""
    stamps = [f"Conversation {what} ({zone})" for what in ("started at", "first replied at")]
    return (
        f"Conversation ID,{stamps[0]},{stamps[1]},Conversation last closed at ({zone}),"
        "Current conversation state,First response time (seconds)\n"
        f"{conversation},2024-03-01 09:00,2024-03-01 09:10,,open,600\n"
    )


def test_files_with_timestamps_in_different_zones_are_refused(tmp_path: Path) -> None:
    """09:00 in New York and 09:00 in Berlin are different instants: stacking the second
    under the first's header would read it in the wrong zone, so exit 4."""
    (tmp_path / "ny.csv").write_text(_intercom("America/New_York", "C1"))
    (tmp_path / "berlin.csv").write_text(_intercom("Europe/Berlin", "C2"))
    result = runner.invoke(app, ["report", "ny.csv", "berlin.csv", "-f", "json"])
    assert result.exit_code == 4, result.stderr
    assert (
        "ny.csv, berlin.csv: 'Conversation started at (Europe/Berlin)' and "
        "'Conversation started at (America/New_York)' (both created_at) are in different "
        "time zones" in result.stderr
    )
    assert result.stdout == ""


def test_files_in_one_zone_stack(tmp_path: Path) -> None:
    """The same export twice (C1, C2 created 09:00 New York): both rows count."""
    (tmp_path / "a.csv").write_text(_intercom("America/New_York", "C1"))
    (tmp_path / "b.csv").write_text(_intercom("America/New_York", "C2"))
    doc = report("a.csv", "b.csv", "-k", "tickets_created")
    assert doc["overall"]["tickets_created"] == 2
    # the latest created_at, 09:00 in New York (EST, -05:00), shown in the export's zone
    assert doc["as_of"] == "2024-03-01T09:00:00-05:00"
    assert doc["data_quality"]["tickets"]["read"] == 2
    assert doc["data_quality"]["tickets"]["used"] == 2


def test_a_name_that_means_another_column_in_a_later_file_is_refused(tmp_path: Path) -> None:
    """a.csv's ticket id is `number`; b.csv has `Ticket ID` and a `number` of its own: read
    under one name, b's two columns would collide, so exit 4 rather than mix them."""
    (tmp_path / "a.csv").write_text("number,created_at\nT1,2024-03-01 09:00\n")
    (tmp_path / "b.csv").write_text("Ticket ID,created_at,number\nT2,2024-03-01 10:00,7\n")
    result = runner.invoke(app, ["report", "a.csv", "b.csv", "--by", "number", "-f", "json"])
    assert result.exit_code == 4, result.stderr
    assert "a.csv, b.csv: 'number' names different columns in different files" in result.stderr
    assert result.stdout == ""
