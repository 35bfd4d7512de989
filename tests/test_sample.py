"""The synthetic export generator: determinism, shape, realism invariants and the dirty rows."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from cskpi.errors import UsageError
from cskpi.sample import tickets as sample
from cskpi.sample.tickets import (
    DIRTY_ROWS,
    SURVEY_HEADERS,
    TICKET_HEADERS,
    generate,
    write_sample,
)

N = 2_000
TIMES = ("Created At", "First Response At", "Resolved At", "Updated At")
LAST_SECOND = pd.Timestamp("2024-06-30T23:59:59Z")  # default start + 6 months, minus 1 s


@pytest.fixture(scope="module")
def frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    return generate(N, seed=7)


def _times(tickets: pd.DataFrame) -> dict[str, pd.Series]:
    return {
        col: pd.to_datetime(tickets[col], utc=True, format="%Y-%m-%dT%H:%M:%SZ", errors="coerce")
        for col in TIMES
    }


def test_generate_is_deterministic(frames: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    again = generate(N, seed=7)
    pd.testing.assert_frame_equal(frames[0], again[0])
    pd.testing.assert_frame_equal(frames[1], again[1])
    other = generate(N, seed=8)[0]
    assert not other["Created At"].equals(frames[0]["Created At"])


def test_write_sample_gives_the_same_bytes(tmp_path: Path) -> None:
    formats = ("csv", "parquet", "jsonl")
    first = write_sample(tmp_path / "a", 300, seed=3, formats=formats)
    second = write_sample(tmp_path / "b", 300, seed=3, formats=formats)
    assert [p.name for p in first] == [
        "tickets.csv", "surveys.csv", "tickets.parquet", "surveys.parquet",
        "tickets.jsonl", "surveys.jsonl",
        "customers.csv", "orders.csv", "schedules.csv", "costs.csv",  # issue 9, CSV only
    ]  # fmt: skip
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_headers_and_shapes(frames: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    tickets, surveys = frames
    assert tuple(tickets.columns) == TICKET_HEADERS
    assert tuple(surveys.columns) == SURVEY_HEADERS
    assert len(tickets) == N + DIRTY_ROWS["duplicate_ticket_id"]
    # CSAT 30% + NPS 10% + CES 5% of the ~90% solved/closed tickets
    assert 0.3 * N < len(surveys) < 0.5 * N
    assert tickets["Ticket ID"].iloc[0] == "T000001"
    assert surveys["Response ID"].iloc[0] == "R0000001"
    assert surveys["Response ID"].is_unique
    assert set(surveys["Survey"]) == {"csat", "nps", "ces"}
    assert set(tickets["Escalated"]) == {"true", "false"}


def test_dirty_rows_in_their_stated_numbers(frames: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    tickets, surveys = frames
    times = _times(tickets)
    created, first = times["Created At"], times["First Response At"]
    ids = tickets["Ticket ID"]
    dup = ids.notna() & ids.duplicated(keep=False)
    assert dup.sum() == 2 * DIRTY_ROWS["duplicate_ticket_id"]
    assert ids.isna().sum() == DIRTY_ROWS["missing_ticket_id"]
    assert (tickets["Created At"] == "not a date").sum() == DIRTY_ROWS["unparseable_created_at"]
    assert created.isna().sum() == DIRTY_ROWS["unparseable_created_at"]
    assert (first < created).sum() == DIRTY_ROWS["first_response_before_created"]
    # each duplicate is an older, still-open snapshot right after the newer row
    pairs = tickets[dup].assign(updated=times["Updated At"][dup])
    for _, pair in pairs.groupby("Ticket ID"):
        newer, older = pair.iloc[0], pair.iloc[1]
        assert pair.index[1] == pair.index[0] + 1
        assert older["updated"] < newer["updated"]
        assert newer["Status"] == "closed" and older["Status"] in ("new", "open")
    csat = surveys[surveys["Survey"] == "csat"]
    assert (~csat["Score"].between(1, 5)).sum() == DIRTY_ROWS["score_out_of_scale"]
    unknown = ~surveys["Ticket ID"].isin(set(ids.dropna()))
    assert unknown.sum() == DIRTY_ROWS["survey_unknown_ticket"]


def test_clean_rows_are_consistent(frames: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    tickets, _ = frames
    t = _times(tickets)
    created, first, resolved, updated = (t[c] for c in TIMES)
    assert not (resolved < created).any()
    assert not (resolved < first).any()
    latest = pd.concat([created, first, resolved], axis=1).max(axis=1)
    assert (updated >= latest).all()
    for col in TIMES:
        assert (t[col].dropna() <= LAST_SECOND).all()
    assert created.min() >= pd.Timestamp("2024-01-01T00:00:00Z")
    status = tickets["Status"].astype(str)
    regular = ~status.isin(["merged", "spam"])
    assert set(status[regular & resolved.notna()]) == {"solved", "closed"}
    assert set(status[regular & resolved.isna()]) == {"new", "open", "pending"}
    assert (status[regular & first.isna() & resolved.isna()] == "new").all()
    assert 0.0 < (~regular).mean() < 0.02
    assert 0.05 < resolved.isna().mean() < 0.11  # ~8% still open
    assert 0.02 < first.isna().mean() < 0.05  # ~3% never answered
    assert 0.01 < tickets["Assignee"].isna().mean() < 0.04
    assert (tickets.loc[first.isna(), "Agent Replies"] == 0).all()
    assert tickets["Customer ID"].duplicated().any()  # customers come back


def test_survey_scores_in_scale_except_the_deliberate_one(
    frames: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    tickets, surveys = frames
    scale = {"csat": (1, 5), "nps": (0, 10), "ces": (1, 7)}
    kind = surveys["Survey"].astype(str)
    low = kind.map(lambda k: scale[k][0])
    high = kind.map(lambda k: scale[k][1])
    outside = surveys[(surveys["Score"] < low) | (surveys["Score"] > high)]
    assert list(outside["Score"]) == [9] and list(outside["Survey"]) == ["csat"]
    # submitted after resolution, within about three days
    resolved = _times(tickets)["Resolved At"].groupby(tickets["Ticket ID"]).max()
    submitted = pd.to_datetime(surveys["Submitted At"], utc=True, format="%Y-%m-%dT%H:%M:%SZ")
    lag = submitted - surveys["Ticket ID"].map(resolved)
    assert ((lag > pd.Timedelta(0)) & (lag <= pd.Timedelta(days=3))).sum() == len(surveys) - 1
    assert (submitted <= LAST_SECOND).all()
    assert surveys["Comment"].notna().any() and surveys["Comment"].isna().mean() > 0.7


def test_csv_round_trip_keeps_zero_padding(tmp_path: Path) -> None:
    paths = write_sample(tmp_path, 150, seed=1, formats=("csv",))
    tickets, surveys = generate(150, seed=1)
    read = pd.read_csv(paths[0])
    assert "T000123" in set(read["Ticket ID"])
    assert read["Ticket ID"].dropna().str.fullmatch(r"T\d{6}").all()
    assert read["Customer ID"].str.fullmatch(r"C\d{6}").all()
    assert paths[0].read_text(encoding="utf-8") == tickets.to_csv(index=False, lineterminator="\n")
    assert paths[1].read_text(encoding="utf-8") == surveys.to_csv(index=False, lineterminator="\n")


def test_parquet_is_typed(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    paths = write_sample(tmp_path, 150, seed=1, formats=("parquet",))
    table = pq.read_table(paths[0])
    assert table.column_names == list(TICKET_HEADERS)
    assert table.schema.field("Created At").type == pa.timestamp("us", tz="UTC")
    assert pa.types.is_dictionary(table.schema.field("Channel").type)
    assert table.schema.field("Escalated").type == pa.bool_()
    assert table.column("Created At").null_count == DIRTY_ROWS["unparseable_created_at"]
    assert table.schema.metadata is None or b"pandas" not in table.schema.metadata


def test_chunked_output_equals_one_piece(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    whole = generate(700, seed=5)
    monkeypatch.setattr(sample, "CHUNK", 256)
    parts = generate(700, seed=5)
    assert len(parts[0]) == len(whole[0])  # same size, different (chunk-seeded) draws
    assert parts[1]["Response ID"].is_unique
    paths = write_sample(tmp_path, 700, seed=5, formats=("csv",))
    assert paths[0].read_text(encoding="utf-8") == parts[0].to_csv(index=False, lineterminator="\n")


def test_small_samples_are_clean_and_bad_arguments_refused(tmp_path: Path) -> None:
    tickets, _ = generate(50)
    assert len(tickets) == 50 and tickets["Ticket ID"].is_unique
    with pytest.raises(UsageError, match="xlsx"):
        write_sample(tmp_path, 10, formats=("xlsx",))
    with pytest.raises(UsageError):
        generate(0)
    with pytest.raises(UsageError, match="not a date"):
        generate(10, start="soon")
