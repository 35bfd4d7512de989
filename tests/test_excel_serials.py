"""Issue 19 item 9: Excel serial dates saved in a text file (`45292.375`) are dates, not Unix
seconds of 1 January 1970 (docs/DATA.md, Timestamps).

A number of a timestamp column in 20,000–80,000 (1954-10-03 to 2119-01-11 as serial days;
05:33 to 22:13 on 1970-01-01 as Unix seconds) is a serial day when no number of the column is
an epoch time (≥ 1e8); a column holding both is refused. Files: tests/data/bad/.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_bad_inputs import bad, cli, frame, refused, report


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CSKPI_DEBUG", raising=False)
    monkeypatch.delenv("CSKPI_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))


def test_serials_in_a_csv_are_dates() -> None:
    """Serial 45292 is 2024-01-01 (45292 days after 1899-12-30); the fraction is the time.
    T1 created .375 (09:00), first response .390625: 0.015625 d × 86,400 = 1,350 s;
    T2 created .5 (12:00), response .53125: 0.03125 d = 2,700 s;
    T3 created 45293.25 (2024-01-02 06:00), response .2578125: 0.0078125 d = 675 s.
    FRT median of 675, 1,350, 2,700 = 1,350 s. T1 resolved 45293.375: 1 day = 86,400 s."""
    result, out = report(bad("excel_serials.csv"))
    assert out["data_quality"]["tickets"] == frame(3, 3)
    overall = out["overall"]
    assert overall["tickets_created"] == 3
    assert overall["frt_median"] == 1350.0
    assert overall["resolution_time_median"] == 86400.0
    # the window is January 2024, not 1970: created 2024-01-01 09:00 .. 2024-01-02 06:00
    assert "window 2024-01-01 00:00 → 2024-01-03 00:00" in result.stderr
    assert "as of 2024-01-02 09:00" in result.stderr  # the latest timestamp: T1's resolution


def test_serials_are_read_in_the_source_zone() -> None:
    """Naive like any timestamp without an offset: 09:00 in New York (EST, UTC−5) is 14:00
    UTC, the window starts at midnight New York time; durations are unchanged."""
    result, out = report(bad("excel_serials.csv"), "--source-tz", "America/New_York")
    assert out["overall"]["frt_median"] == 1350.0
    assert "window 2024-01-01 00:00 → 2024-01-03 00:00, report zone America/New_York" in (
        result.stderr
    )


def test_serials_and_epochs_in_one_column_are_refused() -> None:
    """T1 45292.375 and T2 1704099600 are the same instant (2024-01-01 09:00 UTC) written
    two ways: which form a number is cannot be told, so the file is refused with a hint."""
    refused(
        cli("report", bad("serials_and_epochs.csv")),
        4,
        "Created At: Excel serial dates (1, e.g. 45292.375 = 2024-01-01 09:00) and Unix "
        "epoch times (1) in one column; cannot tell which is which",
        "save the column in one form (ISO 8601 text, e.g. 2024-01-01 09:00, is best)",
    )


def test_numbers_outside_the_serial_range_stay_epochs(tmp_path: Path) -> None:
    """1704099600 s is 2024-01-01 09:00 UTC and 1704101400 is 30 minutes later: FRT 1,800 s."""
    path = tmp_path / "epochs.csv"
    path.write_text("id,created_at,first_response_at\nT1,1704099600,1704101400\n")
    result, out = report(path)
    assert out["overall"]["frt_median"] == 1800.0
    assert "as of 2024-01-01 09:30" in result.stderr


def test_serials_beside_iso_text(tmp_path: Path) -> None:
    """A column of ISO text with one pasted serial: T2's 45292.5 is 2024-01-01 12:00, its
    response 12:45 (ISO): FRT 2,700 s; T1's 09:00 → 09:10: 600 s. Median of two: 1,650 s."""
    path = tmp_path / "pasted.csv"
    path.write_text(
        "id,created_at,first_response_at\n"
        "T1,2024-01-01 09:00,2024-01-01 09:10\n"
        "T2,45292.5,2024-01-01 12:45\n"
    )
    _, out = report(path)
    assert out["data_quality"]["tickets"] == frame(2, 2)
    assert out["overall"]["frt_median"] == 1650.0
