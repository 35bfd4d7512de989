"""cskpi.load.readers.csv_times: a streamed CSV's time columns read as timestamps block by
block, and written back as the very text they were when a block ends that; reports equal
the text path's, byte for byte."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cskpi.cli import app
from cskpi.load.readers import csv_arrow, read_inputs
from cskpi.load.readers.csv_times import Stamps, restore

FORMS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d",
]


def text(values: list[str | None]) -> Any:
    return pa.array(values, pa.large_string())


@settings(max_examples=200, deadline=None)
@given(
    form=st.sampled_from(FORMS),
    places=st.integers(min_value=0, max_value=6),
    utc=st.booleans(),
    seconds=st.lists(
        st.one_of(st.none(), st.integers(min_value=-2_208_988_800, max_value=4_102_444_799)),
        min_size=1,
        max_size=30,
    ),
    micros=st.integers(min_value=0, max_value=999_999),
)
def test_restore_gives_back_the_text_read(
    form: str, places: int, utc: bool, seconds: list[int | None], micros: int
) -> None:
    # every form Stamps takes (years 1900-2099), missing values between: the text written
    # back is the text read, character for character
    if places and form.endswith("%S"):
        form += ".%f"
    if utc and form == "%Y-%m-%d":
        utc = False  # a date alone has no `Z` form
    if all(s is None for s in seconds):
        seconds = [0, *seconds]  # a column of blanks alone has no form
    written: list[str | None] = []
    for s in seconds:
        if s is None:
            written.append(None)
            continue
        value = pd.Timestamp(s, unit="s") + pd.Timedelta(microseconds=micros)
        shown = value.strftime(form)
        if form.endswith("%f"):
            shown = shown[: len(shown) - 6 + places]
        written.append(shown + ("Z" if utc else ""))
    stamps = Stamps(len(written))
    assert stamps.add(text(written))
    assert stamps.aware is utc
    assert stamps.text().to_pylist() == written


def test_stamps_hold_the_instants() -> None:
    # 2024-03-01 09:00:05 = 1,709,283,605 s after 1970; a blank is NaT
    stamps = Stamps(3)
    assert stamps.add(text(["2024-03-01T09:00:05", None]))
    assert stamps.read().astype("int64").tolist()[0] == 1_709_283_605_000_000
    assert np.isnat(stamps.read()[1])
    assert restore(stamps.read(), stamps.form).to_pylist() == ["2024-03-01T09:00:05", None]


@pytest.mark.parametrize(
    "block",
    [
        ["2024-03-01 09:00:05", "2024-03-01T09:00:05"],  # another separator
        ["2024-03-01 09:00:05", "2024-03-01 09:00"],  # another width
        ["1899-12-31 09:00:05"],  # a year before 1900
        ["2100-01-01 09:00:05"],  # after 2099
        ["2023-02-29 09:00:05"],  # the right shape, no date
        ["2024-03-01 24:00:00"],  # hour 24
        ["2024-03-01 23:59:60"],  # a leap second
        ["2024-03-01 09:00:05+02:00"],  # an offset: its text cannot be written back
        ["2024-03-01 09:00:05.1234567"],  # seven fraction digits
        ["2024-03-01 09:00:05 "],  # a space after
        [" 2024-03-01 09:00"],  # a space before
        ["2024-03-01 0a:00:05"],  # a letter where a digit goes
        ["N/A"],
        ["1709283605"],  # epoch seconds: read by the general parser
        ["01/03/2024 09:00"],  # day/month: the order is settled over the column
    ],
)
def test_other_values_end_the_stamps(block: list[str]) -> None:
    # refused as a column's first block, and after a block of the form
    assert not Stamps(10).add(text(block))
    stamps = Stamps(10)
    assert stamps.add(text(["2024-03-01 09:00:05"]))
    assert not stamps.add(text(block))
    assert stamps.at == 1  # nothing of the refused block was kept


def test_digits_are_checked_in_every_place() -> None:
    # each digit of the form replaced by each non-digit: refused, whatever Arrow's cast makes
    # of it
    good = "2024-03-01 09:00:05.25"
    for place, char in enumerate(good):
        if not char.isdigit():
            continue
        for other in " +-.:/Ta":
            stamps = Stamps(2)
            assert stamps.add(text([good]))
            assert not stamps.add(text([good[:place] + other + good[place + 1 :]]))


def test_no_more_rows_than_made() -> None:
    stamps = Stamps(1)
    assert not stamps.add(text(["2024-03-01", "2024-03-02"]))


# --- the reader -----------------------------------------------------------------------------

HEADER = "ticket_id,created_at,solved_at,agent\n"


def rows(count: int, start: int = 0, created: str = "2024-03-01 09:{m:02d}:00") -> str:
    return "".join(
        f"T{start + i},{created.format(m=i % 60)},2024-03-02 10:00:00,ann\n" for i in range(count)
    )


@pytest.fixture
def streamed(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Big-file path for any file, 1 KB blocks (so a file of 100 rows has several); counts
    the columns handed on as stamps and the values written back."""
    monkeypatch.setattr(csv_arrow, "_PYARROW_MIN_BYTES", 0)
    monkeypatch.setattr(csv_arrow, "_READ_BLOCK", 1024)
    seen = {"stamped": 0, "restored": 0}
    handed, written = csv_arrow._stamped, Stamps.text

    def stamped(stamps: Stamps) -> Any:
        seen["stamped"] += 1
        return handed(stamps)

    def text_(self: Stamps) -> Any:
        seen["restored"] += 1
        return written(self)

    monkeypatch.setattr(csv_arrow, "_stamped", stamped)
    monkeypatch.setattr(Stamps, "text", text_)
    return seen


def read(paths: list[Path], times: set[str] | None) -> Any:
    return read_inputs(
        [str(p) for p in paths],
        columns=lambda names: names,
        times=None if times is None else (lambda kept: times & set(kept)),
    )


def test_a_plain_column_is_read_as_timestamps(tmp_path: Path, streamed: dict[str, int]) -> None:
    path = tmp_path / "t.csv"
    path.write_text(HEADER + rows(100), encoding="utf-8")
    raw = read([path], {"created_at", "solved_at"})
    assert streamed == {"stamped": 2, "restored": 0}
    assert raw.frame["created_at"].dtype == "datetime64[us]"
    assert raw.frame["created_at"].iloc[61] == pd.Timestamp("2024-03-01 09:01:00")
    assert raw.frame["agent"].tolist() == ["ann"] * 100
    assert raw.source_line.tolist() == list(range(2, 102))


def test_a_late_odd_value_gives_back_the_text(tmp_path: Path, streamed: dict[str, int]) -> None:
    # row 90 (past the first 1 KB block) is no plain timestamp: the column is text again,
    # every value as the file has it, equal to a read without stamps
    path = tmp_path / "t.csv"
    path.write_text(HEADER + rows(90) + "T90,N/A,,bob\n" + rows(9, 91), encoding="utf-8")
    raw = read([path], {"created_at", "solved_at"})
    assert streamed == {"stamped": 1, "restored": 1}  # solved_at stays stamps
    plain = read([path], None)
    assert raw.frame["created_at"].tolist() == plain.frame["created_at"].tolist()
    assert raw.frame["created_at"].dtype == plain.frame["created_at"].dtype
    assert raw.frame["created_at"].iloc[90] == "N/A"
    assert raw.frame["created_at"].iloc[89] == "2024-03-01 09:29:00"


def test_files_of_different_forms_stack_as_text(tmp_path: Path, streamed: dict[str, int]) -> None:
    # a.csv naive, b.csv UTC (`Z`), c.csv naive: created_at is written back as text in all;
    # solved_at is naive everywhere and stays stamps
    a, b, c = (tmp_path / f"{n}.csv" for n in "abc")
    a.write_text(HEADER + rows(20), encoding="utf-8")
    b.write_text(HEADER + rows(20, 20, "2024-03-01T09:{m:02d}:00Z"), encoding="utf-8")
    c.write_text(HEADER + rows(20, 40), encoding="utf-8")
    raw = read([a, b, c], {"created_at", "solved_at"})
    plain = read([a, b, c], None)
    assert raw.frame["created_at"].tolist() == plain.frame["created_at"].tolist()
    assert raw.frame["created_at"].iloc[20] == "2024-03-01T09:00:00Z"
    assert raw.frame["solved_at"].dtype == "datetime64[us]"
    assert streamed["stamped"] == 6


def test_only_the_named_columns(tmp_path: Path, streamed: dict[str, int]) -> None:
    path = tmp_path / "t.csv"
    path.write_text(HEADER + rows(30), encoding="utf-8")
    raw = read([path], set())
    assert streamed["stamped"] == 0
    assert raw.frame["created_at"].iloc[0] == "2024-03-01 09:00:00"


# --- reports --------------------------------------------------------------------------------


def report(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["report", *args])
    return result.exit_code, result.stdout, result.stderr


def tickets_csv(folder: Path, rows: str) -> str:
    """A tickets CSV of `rows` under the header the report tests use."""
    path = folder / "t.csv"
    path.write_text("ticket_id,created_at,resolved_at,status\n" + rows, encoding="utf-8")
    return str(path)


MARCH = ("--since", "2024-03-01", "--until", "2024-03-31")


def both_ways(monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str, str]:
    """The report with stamps, after checking it equals the report without them."""
    streamed = report(*args)
    original = csv_arrow._arrow_rows
    monkeypatch.setattr(csv_arrow, "_arrow_rows", lambda *given: original(*given[:7]))
    assert report(*args) == streamed
    monkeypatch.setattr(csv_arrow, "_arrow_rows", original)
    return streamed


def test_report_from_stamps(
    tmp_path: Path, streamed: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    # T1 created 09:00, solved 11:00 the same day: 7,200 s; T2 created 10:00 (UTC, `Z`),
    # solved 10:30: 1,800 s; T3 open. Mean resolution (7,200 + 1,800) / 2 = 4,500 s
    path = tickets_csv(
        tmp_path,
        "T1,2024-03-01T09:00:00Z,2024-03-01 11:00,solved\n"
        "T2,2024-03-01T10:00:00Z,2024-03-01 10:30,solved\n"
        "T3,2024-03-01T11:00:00Z,,open\n",
    )
    args = [path, "-k", "tickets_created,resolution_time_mean", "-f", "json", *MARCH]
    code, out, err = both_ways(monkeypatch, *args)
    assert code == 0, err
    assert streamed["stamped"] == 2  # the run with stamps: created_at and resolved_at
    overall = json.loads(out)["overall"]
    assert overall["tickets_created"] == 3
    assert overall["resolution_time_mean"] == 4500


def test_local_times_shift_as_text_does(
    tmp_path: Path, streamed: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    # New York skips 02:00-03:00 on 2024-03-10: T1's 02:30 is shifted forward to the gap's
    # end, 03:00 EDT = 07:00 UTC, and counted. T1 resolved 08:30 EDT = 12:30 UTC: 5.5 h =
    # 19,800 s; T2 created 2024-03-11 09:00 EDT, resolved 10:00 EDT: 3,600 s.
    # Mean (19,800 + 3,600) / 2 = 11,700 s
    path = tickets_csv(
        tmp_path,
        "T1,2024-03-10 02:30:00,2024-03-10 08:30:00,solved\n"
        "T2,2024-03-11 09:00:00,2024-03-11 10:00:00,solved\n",
    )
    zone = ("--source-tz", "America/New_York")
    args = [path, "-k", "resolution_time_mean", "-f", "json", *zone, *MARCH]
    code, out, err = both_ways(monkeypatch, *args)
    assert code == 0, err
    assert streamed["stamped"] == 2
    document = json.loads(out)
    assert document["overall"]["resolution_time_mean"] == 11700
    assert document["data_quality"]["tickets"]["issues"]["dst_shifted_local_time"] == 1


def test_a_date_format_keeps_the_text(
    tmp_path: Path, streamed: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    # --date-format reads every value with the format: no column is read as stamps.
    # T1: 09:00 → 10:00 = 3,600 s
    path = tickets_csv(tmp_path, "T1,2024-03-01 09:00:00,2024-03-01 10:00:00,solved\n")
    given = ("--date-format", "%Y-%m-%d %H:%M:%S")
    code, out, err = report(path, "-k", "resolution_time_mean", "-f", "json", *given)
    assert code == 0, err
    assert streamed["stamped"] == 0
    assert json.loads(out)["overall"]["resolution_time_mean"] == 3600


ODD = [
    "",
    " ",
    "N/A",
    "0000-00-00 00:00:00",
    "2023-02-29 10:00:00",
    "1899-12-31 10:00:00",
    "2150-01-01 00:00:00",
    "2024-03-10 02:30:00",
    "2024-11-03 01:30:00",
    "1709283605",
    "2024-01-05 10:00:00+02:00",
    "2024-01-05T10:00:00Z",
    "2024-01-05 10:00",
    "2024-1-5 10:00:00",
    "2024-01-05 10:00:00.1234567",
]


@settings(max_examples=40, deadline=None)
@given(
    files=st.lists(
        st.tuples(
            st.sampled_from(["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d"]),
            st.integers(min_value=20, max_value=120),  # rows
            st.lists(st.tuples(st.integers(min_value=0, max_value=119), st.sampled_from(ODD))),
        ),
        min_size=1,
        max_size=3,
    ),
    zone=st.sampled_from(["UTC", "America/New_York"]),
)
def test_random_time_columns_report_as_text_does(
    tmp_path_factory: pytest.TempPathFactory,
    files: list[tuple[str, int, list[tuple[int, str]]]],
    zone: str,
) -> None:
    # files of one form each, some values replaced by odd ones anywhere (past the first 1 KB
    # block too): the JSON report and its messages equal those of the text path, byte for
    # byte, exit code included
    folder = tmp_path_factory.mktemp("times")
    paths = []
    start = pd.Timestamp("2024-03-01")
    for k, (form, count, odd) in enumerate(files):
        created = [(start + pd.Timedelta(hours=7 * i + k)).strftime(form) for i in range(count)]
        resolved = [
            (start + pd.Timedelta(hours=7 * i + k + 3)).strftime(form) for i in range(count)
        ]
        for place, value in odd:
            (created if place % 2 else resolved)[place % count] = value
        lines = "".join(
            f"T{k}-{i},{c},{r},solved\n"
            for i, (c, r) in enumerate(zip(created, resolved, strict=True))
        )
        path = folder / f"p{k}.csv"
        path.write_text("ticket_id,created_at,resolved_at,status\n" + lines, encoding="utf-8")
        paths.append(str(path))
    args = [*paths, "-k", "tickets_created,resolution_time_mean", "-f", "json", "-p", "week"]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(csv_arrow, "_PYARROW_MIN_BYTES", 0)
        patch.setattr(csv_arrow, "_READ_BLOCK", 1024)
        streamed = report(
            *args, "--source-tz", zone, "--since", "2024-03-01", "--until", "2024-06-30"
        )
        original = csv_arrow._arrow_rows
        patch.setattr(csv_arrow, "_arrow_rows", lambda *given: original(*given[:7]))
        plain = report(*args, "--source-tz", zone, "--since", "2024-03-01", "--until", "2024-06-30")
    assert streamed == plain
