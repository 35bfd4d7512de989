"""Issue 7, memory: the ways the load and the pass avoid holding two copies of the data give
the same answers as the plain ones.

- `cskpi.memory.release` hands freed memory back and never imports anything;
- rows are dropped column by column (`normalize.dedupe.kept`);
- a released raw input keeps no view of the raw columns;
- `Rows` over every row reads the frame in place, read-only;
- `GroupView.floats` converts numeric columns directly;
- one service-level threshold for every ticket judges like a per-ticket array of it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import cskpi
from cskpi.arrays import times_us
from cskpi.engine.types import ReportRequest
from cskpi.kpis.view import GroupView, Rows
from cskpi.load.normalize import LoadOptions
from cskpi.load.normalize.dedupe import kept
from cskpi.load.readers import read_inputs


def test_release_imports_nothing() -> None:
    code = (
        "import sys; from cskpi.memory import release; release(); "
        "print('pyarrow' in sys.modules, 'pandas' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False"]


def test_kept_rows_equal_the_mask_and_empty_the_frame() -> None:
    frame = pd.DataFrame(
        {
            "ticket_id": pd.Series(["T1", "T2", "T3"], dtype="str"),
            "created_at": pd.to_datetime(
                ["2024-03-01T00:00Z", None, "2024-03-03T00:00Z"], utc=True
            ).as_unit("us"),
            "n": pd.array([1, None, 3], dtype="Int64"),
            "agent": pd.Categorical(["ann", "bob", "ann"]),
        },
        index=[10, 11, 12],
    )
    keep = np.array([True, False, True])
    expected = frame[keep]
    got = kept(frame, keep)
    pd.testing.assert_frame_equal(got, expected)
    assert list(got.index) == [10, 12]  # labels kept: messages name the source rows
    assert frame.columns.empty  # each column let go once taken


def test_released_raw_input_lets_go_of_the_columns(tmp_path: Path) -> None:
    import gc

    import pyarrow as pa
    import pyarrow.parquet as pq

    n = 100_000
    path = tmp_path / "t.parquet"
    # times in a zone other than UTC stay in Arrow's buffer (zero copy; naive and UTC times
    # are copied into NumPy a row group at a time, outside Arrow's pool)
    kind = pa.timestamp("us", tz="Europe/Berlin")
    stamps = pa.array(np.arange(n, dtype="int64") * 1_000_000, kind)
    pq.write_table(pa.table({"Ticket ID": [f"T{i}" for i in range(n)], "Created At": stamps}), path)
    raw = read_inputs([str(path)])
    gc.collect()
    before = pa.total_allocated_bytes()
    raw.release()
    gc.collect()
    # the 100,000 times (8 bytes each) are freed: an empty slice of the frame would have
    # kept a view of every buffer
    assert before - pa.total_allocated_bytes() >= 8 * n
    assert len(raw.frame) == 0 and list(raw.frame.columns) == ["Ticket ID", "Created At"]


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "created_at": pd.to_datetime(
                ["2024-03-01T00:00Z", None, "2024-03-02T00:00Z"], utc=True
            ).as_unit("us"),
            "n": pd.array([1, None, 3], dtype="Int64"),
            "flag": pd.array([True, None, False], dtype="boolean"),
            "x": [0.5, 1.5, np.nan],
        }
    )


def test_rows_over_every_row_read_the_frame_in_place() -> None:
    frame = _frame()
    rows = Rows(frame, np.ones(3, dtype=bool))
    times = rows.times("created_at")
    # 2024-03-01 = 1709251200 s after the epoch; the missing one is NaT
    assert times.tolist() == [1_709_251_200_000_000, -(2**63), 1_709_337_600_000_000]
    assert np.shares_memory(times, times_us(frame["created_at"]))  # no copy
    with pytest.raises(ValueError, match="read-only"):
        times[0] = 0  # a KPI cannot write into the frame
    assert rows["n"].equals(frame["n"])
    assert rows[["n", "x"]].equals(frame[["n", "x"]])


@pytest.mark.parametrize("mask", [[True, True, True], [True, False, True]])
def test_floats_on_rows_and_frames(mask: list[bool]) -> None:
    frame = _frame()
    keep = np.array(mask)
    codes = np.zeros(int(keep.sum()), dtype=np.int32)
    rows = GroupView(Rows(frame, keep), codes, 1, np.zeros(1, dtype=np.int64), False)
    plain = GroupView(frame[keep], codes, 1, np.zeros(1, dtype=np.int64), False)
    for column, full in (
        ("n", [1.0, np.nan, 3.0]),
        ("flag", [1.0, np.nan, 0.0]),
        ("x", [0.5, 1.5, np.nan]),
    ):
        want = np.array(full)[keep]
        np.testing.assert_array_equal(rows.floats(column), want)
        np.testing.assert_array_equal(plain.floats(column), want)
    assert "n" not in rows.frame._taken  # a column converted once is not kept


SLA_TICKETS = """\
Ticket ID,Created At,First Response At,Resolved At,Assignee
T1,2024-03-01T09:00:00Z,2024-03-01T09:00:10Z,,ann
T2,2024-03-01T09:00:00Z,2024-03-01T09:00:40Z,,ann
T3,2024-03-01T09:00:00Z,,2024-03-01T09:00:05Z,bob
T4,2024-03-01T09:00:00Z,,,bob
"""


def test_service_level_with_one_threshold(tmp_path: Path) -> None:
    from cskpi.config import parse_config

    path = tmp_path / "t.csv"
    path.write_text(SLA_TICKETS, encoding="utf-8")
    inputs = cskpi.load(str(path))
    config = parse_config({"service_level": {"threshold": "20s"}})
    request = ReportRequest(kpis=("service_level",), group_by=("agent",), as_of="2024-03-02")
    rows = cskpi.compute(inputs, request, config).rows.set_index("agent")
    # ann: T1 answered in 10 s (met), T2 in 40 s (missed): 1 / 2
    # bob: T3 resolved after 5 s without a response, within 20 s: pending, not counted;
    #      T4 unanswered for a day at as_of: a miss. 0 / 1
    assert rows.loc["ann", "service_level"] == pytest.approx(0.5)
    assert rows.loc["ann", "service_level_n"] == 2
    assert rows.loc["bob", "service_level"] == 0.0
    assert rows.loc["bob", "service_level_n"] == 1


def test_pyarrow_csv_lets_go_of_the_bytes_once_read() -> None:
    from cskpi.load.readers import csv_arrow
    from cskpi.load.readers.model import Options
    from cskpi.load.readers.text import Text

    rows = "".join(f"T{i},2024-03-01T09:00:00Z\n" for i in range(3))
    data = ("Ticket ID,Created At\n" + rows).encode()
    decoded = Text(None, "utf-8", data)
    part = csv_arrow._csv_arrow("t.csv", decoded, ",", Options(None, None, None))
    assert part is not None
    assert part.frame["Ticket ID"].tolist() == ["T0", "T1", "T2"]
    assert list(part.lines) == [2, 3, 4]  # the header is line 1
    assert decoded.data == b"" and decoded.decoded is None  # forgotten

    # a short row: pyarrow gives up, and the text stays for the csv module to read
    bad = ("Ticket ID,Created At\nT0\n" + rows).encode()
    kept = Text(None, "utf-8", bad)
    assert csv_arrow._csv_arrow("t.csv", kept, ",", Options(None, None, None)) is None
    assert kept.data == bad


def test_one_source_column_read_for_two_canonical_columns(tmp_path: Path) -> None:
    # each raw column is dropped after its last reader: `when` feeds both times
    path = tmp_path / "t.csv"
    path.write_text(
        "id,when,agent\nT1,2024-03-01T09:00:00Z,ann\nT2,2024-03-02T09:00:00Z,bob\n",
        encoding="utf-8",
    )
    mapping = (("ticket_id", "id"), ("created_at", "when"), ("resolved_at", "when"))
    inputs = cskpi.load(str(path), options=LoadOptions(mapping=mapping))
    frame = inputs.tickets.frame
    assert frame["created_at"].equals(frame["resolved_at"])
    assert frame["created_at"].iloc[1] == pd.Timestamp("2024-03-02T09:00:00Z")
    request = ReportRequest(kpis=("tickets_resolved", "resolution_time_mean"), as_of="2024-03-05")
    overall = cskpi.compute(inputs, request).overall
    # both tickets resolved the moment they were created: 2 resolved, mean 0 s
    assert overall["tickets_resolved"] == 2
    assert overall["resolution_time_mean"] == 0.0


def test_taken_rows_are_numbered_without_an_index_of_positions() -> None:
    frame = _frame()
    rows = Rows(frame, np.array([False, True, True]))
    taken = rows["n"]
    assert isinstance(taken.index, pd.RangeIndex) and list(taken.index) == [0, 1]
    assert taken.tolist()[1] == 3 and pd.isna(taken.tolist()[0])
    both = rows[["n", "x"]]
    assert isinstance(both.index, pd.RangeIndex) and both["x"].tolist()[0] == 1.5
    assert rows[[]].shape == (2, 0)  # no columns, still the rows' length
