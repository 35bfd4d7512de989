"""Ticket and response ids a file types as integers stay integers (`cskpi.load.ids`), and
match text ids of other files exactly as text ids would."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import cskpi
from cskpi.cli import app
from cskpi.engine.types import ReportRequest
from cskpi.load import ids
from cskpi.load.parse import parse_ids

runner = CliRunner()


def tickets_parquet(path: Path, numbers: list[int]) -> str:
    """Typed tickets: int64 ids, naive UTC times; ticket n created on 2024-03-0n 09:00 and
    answered 1 h later (n = 1..)."""
    created = [pd.Timestamp(f"2024-03-{n:02d} 09:00") for n in range(1, len(numbers) + 1)]
    table = pa.table(
        {
            "ticket_id": pa.array(numbers, pa.int64()),
            "created_at": pa.array(created, pa.timestamp("us")),
            "first_response_at": pa.array(
                [c + pd.Timedelta(hours=1) for c in created], pa.timestamp("us")
            ),
            "agent": ["ann"] * len(numbers),
            "status": ["open"] * len(numbers),
        }
    )
    pq.write_table(table, path)
    return str(path)


def test_integer_ids_stay_integers_only_when_asked_and_clean() -> None:
    assert parse_ids(pd.Series([3, 1, 2]), keep_integers=True).dtype == "int64"
    assert parse_ids(pd.Series([3, 1, 2])).tolist() == ["3", "1", "2"]  # other id columns
    # a negative or missing id keeps the text path
    assert parse_ids(pd.Series([3, -1]), keep_integers=True).tolist() == ["3", "-1"]
    assert parse_ids(pd.Series([3, None], dtype="Int64"), keep_integers=True).isna().tolist() == [
        False,
        True,
    ]


def test_codes_and_positions_of_integer_ids_do_not_write_the_column() -> None:
    keys = pd.Series([10, 12, 11], dtype="int64")
    before = keys.copy()
    # codes: 10, 12, 11 less the lowest (10) → 0, 2, 1
    assert ids.codes(keys).tolist() == [0, 2, 1]
    # 12 is row 1, 10 row 0, 13 nowhere; the text "11" is the integer 11 (row 2), but "011"
    # is another id (its text differs from "11")
    assert ids.positions(pd.Series([12, 10, 13]), keys).tolist() == [1, 0, -1]
    assert ids.positions(pd.Series(["11", "011"], dtype="str"), keys).tolist() == [2, -1]
    assert keys.equals(before)


def test_survey_text_ids_link_to_integer_ticket_ids(tmp_path: Path) -> None:
    tickets = tickets_parquet(tmp_path / "t.parquet", [101, 102, 103])
    surveys = tmp_path / "s.csv"
    # 101 and 103 are known tickets; 0101 is not 101 as text, so it is an unknown ticket
    surveys.write_text(
        "ticket_id,submitted_at,kind,score\n"
        "101,2024-03-05T10:00:00Z,csat,5\n"
        "103,2024-03-05T11:00:00Z,csat,2\n"
        "0101,2024-03-05T12:00:00Z,csat,5\n",
        encoding="utf-8",
    )
    inputs = cskpi.load(tickets, surveys=str(surveys))
    assert inputs.tickets is not None and inputs.surveys is not None
    # the surveys are text: the tickets' ids become text to match them
    assert inputs.tickets.frame["ticket_id"].tolist() == ["101", "102", "103"]
    result = cskpi.compute(inputs, ReportRequest(kpis=("csat",), group_by=("agent",)))
    rows = result.rows.set_index("agent")
    # ann: 101 (5) and 103 (2) → 1 of 2 satisfied = 0.5; 0101's survey is (unknown)'s
    assert rows.loc["ann", "csat"] == 0.5
    assert rows.loc["ann", "csat_n"] == 2
    assert result.data_quality["surveys"]["issues"] == {"survey_unknown_ticket": 1}


def test_integer_and_text_ticket_files_stack_as_text(tmp_path: Path) -> None:
    typed = tickets_parquet(tmp_path / "t.parquet", [7, 8])
    text = tmp_path / "t.csv"
    text.write_text(
        "ticket_id,created_at,status\n8,2024-03-09T09:00:00Z,open\nX9,2024-03-09T10:00:00Z,open\n",
        encoding="utf-8",
    )
    inputs = cskpi.load([typed, str(text)])
    assert inputs.tickets is not None
    # 7, 8 from Parquet and 8, X9 from CSV: "8" twice, the later row read wins → 3 tickets
    assert sorted(inputs.tickets.frame["ticket_id"].tolist()) == ["7", "8", "X9"]
    assert inputs.tickets.quality.as_json()["dropped"] == {"duplicate_ticket_id": 1}


def test_breach_list_and_explain_name_integer_ids_as_text(tmp_path: Path) -> None:
    tickets = tickets_parquet(tmp_path / "t.parquet", [5, 40])
    loaded = cskpi.load(tickets).tickets
    assert loaded is not None and loaded.frame["ticket_id"].dtype == "int64"
    config = tmp_path / "c.toml"
    config.write_text('[[sla]]\nfirst_response = "30m"\n', encoding="utf-8")
    out = runner.invoke(
        app,
        ["report", tickets, "-c", str(config), "-k", "frt_sla_rate", "--breaches", "-f", "json"],
    )
    assert out.exit_code == 0, out.output
    breaches = json.loads(out.stdout)["breaches"]
    # both answered after 1 h > 30 min: "40" sorts before "5" as text, as text ids always did
    assert [b["ticket_id"] for b in breaches] == ["40", "5"]
    found = runner.invoke(app, ["explain", "40", tickets, "-f", "json"])
    assert found.exit_code == 0, found.output
    assert json.loads(found.stdout)["ticket_id"] == "40"
    missing = runner.invoke(app, ["explain", "41", tickets])
    assert missing.exit_code == 4
    assert "ticket 41: no such ticket_id" in missing.output


def test_increasing_integer_ids_are_unique_without_counting() -> None:
    assert ids.increasing(pd.Series([1, 5, 9]))
    assert not ids.increasing(pd.Series([1, 5, 5]))  # a repeat is not increasing
    assert not ids.increasing(pd.Series([5, 1]))
    assert not ids.increasing(pd.Series(["1", "2"], dtype="str"))  # text: counted as before


def test_duplicates_of_integer_ids_still_found_when_not_increasing(tmp_path: Path) -> None:
    # ids 3, 1, 3: not increasing, so counted; the later 3 wins → 2 tickets, 1 dropped
    loaded = cskpi.load(tickets_parquet(tmp_path / "t.parquet", [3, 1, 3])).tickets
    assert loaded is not None
    assert loaded.frame["ticket_id"].tolist() == [1, 3]
    assert loaded.quality.as_json()["dropped"] == {"duplicate_ticket_id": 1}
    # 1, 2, 3: increasing, nothing dropped
    clean = cskpi.load(tickets_parquet(tmp_path / "u.parquet", [1, 2, 3])).tickets
    assert clean is not None and clean.quality.as_json()["dropped"] == {}


def test_in_values_by_category_codes() -> None:
    from cskpi.engine.prepare import in_values

    status = pd.Series(pd.Categorical(["open", "closed", None, "resolved"]))
    # closed and resolved hit; the missing value (code -1) does not
    assert in_values(status, ("resolved", "closed")).tolist() == [False, True, False, True]
    assert in_values(pd.Series(["closed", "x"]), ("closed",)).tolist() == [True, False]


def test_typed_counts_keep_their_width_and_values() -> None:
    from cskpi.load.parse import parse_ints

    # int16 reopens 0, 3, 7: the same numbers, nothing bad, in 2 bytes a value
    parsed = parse_ints(pd.Series([0, 3, 7], dtype="int16"))
    assert parsed.values.dtype == "Int16"
    assert parsed.values.tolist() == [0, 3, 7] and not parsed.bad.any()
    # a negative count is unusable: the general path (missing, flagged bad)
    negative = parse_ints(pd.Series([-1, 2], dtype="int16"))
    assert negative.values.isna().tolist() == [True, False] and negative.bad.tolist() == [
        True,
        False,
    ]


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(st.integers(min_value=-5, max_value=2**53 + 5), max_size=20),
    unsigned=st.booleans(),
)
def test_typed_int64_counts_equal_the_general_path(values: list[int], unsigned: bool) -> None:
    # int64 (or uint64) counts: the values as they are when every one is usable (0 to
    # 2**53 - 1), else the general path; either way what the general path gives
    from cskpi.load.parse import parse_ints
    from cskpi.load.parse.values import _parse_counts

    if unsigned:
        values = [abs(v) for v in values]
    raw = pd.Series(
        values, dtype="uint64" if unsigned else "int64", index=range(3, 3 + len(values))
    )
    fast, general = parse_ints(raw), _parse_counts(raw)
    assert fast.values.dtype == general.values.dtype == "Int64"
    assert fast.values.equals(general.values)
    assert fast.bad.equals(general.bad)


def test_positions_written_a_block_at_a_time_keep_the_first_row(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The id → row table is written in blocks of rows (`ids._BLOCK`), here 2 rows: a
    repeated id still finds its first row, whichever block holds the repeat."""
    monkeypatch.setattr(ids, "_BLOCK", 2)
    keys = pd.Series([5, 7, 5, 9, 7])  # 5 at rows 0 and 2, 7 at rows 1 and 4: 0 and 1 win
    assert ids.positions(pd.Series([5, 7, 9, 4]), keys).tolist() == [0, 1, 3, -1]
    gaps = pd.Series([None, "7", "5", "7", "6"], dtype="str")  # no id in row 0: rows 1-4
    assert ids.positions(pd.Series(["7", "5", "6", "8"], dtype="str"), gaps).tolist() == [
        1,
        2,
        4,
        -1,
    ]


def test_positions_of_keys_in_increasing_order() -> None:
    """Strictly increasing keys are found without a table of their range: a run without gaps
    by offset, others by binary search; repeated or missing keys take the general path."""
    run = pd.Series([100, 101, 102, 103], dtype="int64")
    # 102 - 100 = row 2, 100 → row 0; 99 and 104 lie outside 100..103; -1 is no id at all
    assert ids.positions(pd.Series([102, 100, 99, 104, 103]), run).tolist() == [2, 0, -1, -1, 3]
    gaps = pd.Series([3, 8, 20, 21], dtype="int64")
    # 8 is row 1, 21 row 3; 9 falls between 8 and 20 and 2 below 3: absent
    assert ids.positions(pd.Series([21, 9, 8, 2, 3]), gaps).tolist() == [3, -1, 1, -1, 0]
    text = pd.Series(["T1", "T2", "T4"], dtype="str")  # the numbers 1, 2, 4 under prefix "T"
    assert ids.positions(pd.Series(["T4", "T3", "T1"], dtype="str"), text).tolist() == [2, -1, 0]
    assert ids.positions(pd.Series([5]), pd.Series([5, 5, 6])).tolist() == [0]  # first row
