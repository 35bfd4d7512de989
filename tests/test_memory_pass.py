"""Issue 7, memory (second part): what the load, `prepare` and the pass no longer hold gives
the same answers.

- `Inputs.transient`: the CLI hands its frames over, and the engine deletes the columns
  only loading needed (ids, `updated_at`, `response_id`) once the surveys are linked;
- Parquet is read row group by row group and converted column by column;
- rows' places are kept per file (`Places`), not as two arrays of the rows' size;
- fixed-width ids are read chunk by chunk; ids and their positions without copies;
- `span` computes calendar seconds in one array, exactly;
- `Rows.floats` converts taken rows a block at a time;
- by-codes are int32, widened before they are multiplied by a bucket count.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import cskpi
from cskpi import arrays
from cskpi.engine.passes import _anchor_rows
from cskpi.engine.prepare import SPENT
from cskpi.engine.types import Prepared, ReportRequest
from cskpi.kpis import all_kpis
from cskpi.kpis import view as grouping
from cskpi.kpis.registry import Anchor
from cskpi.kpis.view import GroupView, Rows
from cskpi.load import ids
from cskpi.load.readers import Places, read_inputs
from cskpi.load.readers.frames import arrow_frame
from cskpi.time.window import Window, bucket_edges

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"


def _sample() -> cskpi.Inputs:
    return cskpi.load(
        str(SAMPLE / "tickets.csv"),
        surveys=str(SAMPLE / "surveys.csv"),
        customers=str(SAMPLE / "customers.csv"),
        orders=str(SAMPLE / "orders.csv"),
        schedules=str(SAMPLE / "schedules.csv"),
        costs=str(SAMPLE / "costs.csv"),
    )


@functools.cache
def _computable() -> tuple[str, ...]:
    """Every KPI the sample data can give (some need message-level columns it lacks); the
    same for each parameter below, so worked out once."""
    from cskpi.config import Config
    from cskpi.engine.selection import select_kpis
    from cskpi.errors import InputError

    inputs, found = _sample(), []
    for kpi_id in all_kpis():
        try:
            select_kpis((kpi_id,), inputs, Config())
        except InputError:
            continue
        found.append(kpi_id)
    return tuple(found)


@pytest.mark.parametrize("by", [(), ("agent",), ("channel", "ticket_id")])
def test_transient_inputs_give_the_same_report(by: tuple[str, ...]) -> None:
    """Every KPI, with and without handing the frames over: the same rows and overall."""
    kpis = _computable()
    assert {"survey_response_rate", "repeat_contact_rate", "csat", "fcr_rate"} <= set(kpis)
    request = ReportRequest(kpis=kpis, group_by=by, period="month", as_of="2024-07-01")
    kept = cskpi.compute(_sample(), request)
    handed = _sample()
    spent = cskpi.compute(replace(handed, transient=True), request)
    pd.testing.assert_frame_equal(spent.rows, kept.rows)
    assert spent.overall == kept.overall
    assert spent.data_quality == kept.data_quality
    assert handed.tickets is not None and handed.surveys is not None
    # the ids go unless the report names them (--by ticket_id keeps the tickets' ids, and
    # the survey response rate, among all KPIs, reads both frames' ids)
    assert "updated_at" not in handed.tickets.frame
    assert "response_id" not in handed.surveys.frame
    assert "ticket_id" in handed.tickets.frame and "ticket_id" in handed.surveys.frame


def test_transient_frames_lose_only_what_no_step_reads() -> None:
    request = ReportRequest(kpis=("frt_median", "csat"), group_by=("agent",), as_of="2024-07-01")
    given = _sample()
    before = {
        kind: set(loaded.frame.columns)
        for kind, loaded in (("tickets", given.tickets), ("surveys", given.surveys))
        if loaded is not None
    }
    kept = cskpi.compute(given, request)
    assert given.tickets is not None and given.surveys is not None
    # not handed over: the caller's frames are untouched
    assert set(given.tickets.frame.columns) == before["tickets"]
    assert set(given.surveys.frame.columns) == before["surveys"]
    spent = cskpi.compute(replace(given, transient=True), request)
    pd.testing.assert_frame_equal(spent.rows, kept.rows)
    assert set(given.tickets.frame.columns) == before["tickets"] - set(SPENT["tickets"])
    assert set(given.surveys.frame.columns) == before["surveys"] - set(SPENT["surveys"])
    # the breach list names tickets: their ids stay
    again = _sample()
    listed = cskpi.compute(
        replace(again, transient=True), replace(request, kpis=("frt_sla_rate",), breaches=True)
    )
    assert listed.breaches is not None and len(listed.breaches)
    assert again.tickets is not None and "ticket_id" in again.tickets.frame


def test_parquet_read_by_row_group_and_converted_column_by_column(tmp_path: Path) -> None:
    table = pa.table(
        {
            "id": pa.array([f"T{i}" for i in range(10)]),
            "at": pa.array(np.arange(10) * 1_000_000, pa.timestamp("us", tz="UTC")),
            "n": pa.array([1, None, 3, 4, 5, 6, 7, 8, 9, 10], pa.int64()),
            "team": pa.array([*list("abababab"), None, "a"]).dictionary_encode(),
        }
    )
    path = tmp_path / "t.parquet"
    pq.write_table(table, path, row_group_size=3)  # four row groups: 3, 3, 3, 1 rows
    raw = read_inputs([str(path)])
    whole = table.to_pandas()
    assert raw.frame["id"].tolist() == whole["id"].tolist()
    assert raw.frame["at"].equals(whole["at"].astype("datetime64[us, UTC]"))
    assert raw.frame["n"].isna().tolist() == whole["n"].isna().tolist()
    assert raw.frame["n"].fillna(-1).tolist() == whole["n"].fillna(-1).tolist()
    assert isinstance(raw.frame["team"].dtype, pd.CategoricalDtype)
    assert raw.frame["team"].tolist()[-1] == "a" and pd.isna(raw.frame["team"].tolist()[-2])
    assert raw.source_line.tolist() == list(range(1, 11))  # the record index


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
def test_parquet_utc_times_copied_by_row_group_as_arrow_converts_them(
    tmp_path: Path, unit: str
) -> None:
    # UTC times (nulls among them) are copied a row group at a time like naive ones, and
    # made UTC without a copy: the same dtype and values as Arrow's own conversion; another
    # zone takes Arrow's conversion as before
    seconds = [0, None, 1_709_283_605, 86_400, None, 4_102_444_799, 7]
    scale = {"s": 1, "ms": 10**3, "us": 10**6, "ns": 10**9}[unit]
    stamps = [None if v is None else v * scale for v in seconds]
    table = pa.table(
        {
            "utc": pa.array(stamps, pa.timestamp(unit, tz="UTC")),
            "berlin": pa.array(stamps, pa.timestamp(unit, tz="Europe/Berlin")),
        }
    )
    path = tmp_path / "t.parquet"
    pq.write_table(table, path, row_group_size=3)
    raw = read_inputs([str(path)])
    whole = pq.read_table(path).to_pandas()  # seconds are stored as milliseconds
    for name in ("utc", "berlin"):
        assert raw.frame[name].dtype == whole[name].dtype
        assert raw.frame[name].equals(whole[name])


def test_arrow_frame_takes_the_table_over() -> None:
    table = pa.table({"a": [1, 2], "b": ["x", None]})
    handed = [table]
    frame = arrow_frame(handed, 2)
    assert handed == []  # emptied: the table is the frame's now
    assert frame["a"].tolist() == [1, 2] and frame["b"].tolist()[0] == "x"
    assert pd.isna(frame["b"].tolist()[1])
    assert arrow_frame([pa.table({})], 3).shape == (3, 0)  # no columns: the rows stay


def test_places_per_file() -> None:
    # file 0: three rows on lines 2-4 (a range); file 1: rows on lines 2, 5 (a list)
    places = Places((range(2, 5), [2, 5]))
    assert places.rows == 5
    rows = np.array([0, 2, 3, 4])
    assert places.file(rows).tolist() == [0, 0, 1, 1]
    assert places.line(rows).tolist() == [2, 4, 2, 5]
    assert places.line(np.array([], dtype=np.int64)).tolist() == []

    class File:
        def __init__(self, path: str) -> None:
            self.path = path

    named = places.named([File("a.csv"), File("b.csv")], np.array([1, 4]))  # type: ignore[list-item]
    assert named == ["a.csv:3", "b.csv:5"]


def test_places_name_the_file_and_line_of_a_bad_row(tmp_path: Path) -> None:
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text("Ticket ID,Created At\nT1,2024-03-01\nT2,2024-03-02\n", encoding="utf-8")
    second.write_text("Ticket ID,Created At\nT3,2024-03-03\n\nT4,someday\n", encoding="utf-8")
    loaded = cskpi.load([str(first), str(second)]).tickets
    assert loaded is not None
    # T4 is on line 4 of b.csv (a blank line before it), the fourth row read
    assert dict(loaded.quality.examples)["unparseable_created_at"] == (f"{second}:4",)


@pytest.mark.parametrize("kind", [pa.string(), pa.large_string()])
def test_fixed_width_ids_read_chunk_by_chunk(kind: pa.DataType) -> None:
    scheme = ids.Scheme("T", 3)
    chunks = [["T001", None, "T010"], ["T999"], [None, None], ["T0a1", "T002"]]
    arr = pa.chunked_array([pa.array(c, kind) for c in chunks])
    fixed = ids._fixed(arr, scheme)
    assert fixed is not None
    numbers, shaped = fixed
    # the general path over the same ids: T0a1 has no number (-1), missing ids are -1
    general = ids._numbers(*ids._digits(arr, scheme))
    assert numbers.tolist() == general.tolist() == [1, -1, 10, 999, -1, -1, -1, 2]
    assert shaped.tolist() == [True, False, True, True, False, False, False, True]
    # another length in a later chunk: not fixed-width
    other = pa.chunked_array([pa.array(["T001"], kind), pa.array(["T0001"], kind)])
    assert ids._fixed(other, scheme) is None


def test_positions_and_codes_of_chunked_ids() -> None:
    keys = pd.Series(
        pd.arrays.ArrowStringArray(pa.chunked_array([["T003", "T001"], ["T002", "T001"]]))
    )
    # T001 appears twice: the first row (1) wins; T004 is absent
    found = ids.positions(pd.Series(["T001", "T002", "T004", None], dtype="str"), keys)
    assert found is not None and found.tolist() == [1, 2, -1, -1]
    # codes: numbers less the smallest (1), missing -1
    codes = ids.codes(pd.Series(["T003", None, "T001", "T003"], dtype="str"))
    assert codes.tolist() == [2, -1, 0, 2]


def test_span_exact_with_far_times() -> None:
    from cskpi.config import Config
    from cskpi.kpis.context import Context

    ctx = Context(Config(), 0, False, None, pd.DataFrame(), None, None, None)  # type: ignore[arg-type]
    far = 253_402_214_400_000_000  # 9999-12-31 in µs: beyond 2**53, not exact as a float
    start = np.array([0, far - 1_500_001, 10, arrays.NAT, 5], dtype=np.int64)
    end = np.array([1_500_000, far, 5, 7, arrays.NAT], dtype=np.int64)
    out = ctx.span(start, end)
    # 1.5 s; 1.500001 s (exact only in integers); negative → NaN; NaT at either end → NaN
    assert out[0] == 1.5 and out[1] == 1.500001
    assert np.isnan(out[2:]).all()
    near = ctx.span(start[[0]], end[[0]])
    assert near.tolist() == [1.5]


@pytest.mark.parametrize("every", [False, True])
@pytest.mark.parametrize("block", [1, 2, 3, 1 << 20])
def test_spans_of_columns_block_by_block(
    block: int, every: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`Context.span_of` on the calendar clock, a block of rows at a time, equals `span` of
    the gathered times to the bit: exact and far times (9999-12-31, beyond 2**53 µs) in
    different blocks, NaT at either end, a negative span."""
    from cskpi.config import Config
    from cskpi.kpis.context import Context

    monkeypatch.setattr(grouping, "_BLOCK", block)
    ctx = Context(Config(), 0, False, None, pd.DataFrame(), None, None, None)  # type: ignore[arg-type]
    far = 253_402_214_400_000_000
    start = [0, far - 1_500_001, 10, arrays.NAT, 5, 3, 1_000_000_123]
    end = [1_500_000, far, 5, 7, arrays.NAT, 1_000_003, 2_000_000_000]
    frame = pd.DataFrame(
        {
            "a": pd.to_datetime(start, unit="us", utc=True),
            "b": pd.to_datetime(end, unit="us", utc=True),
        }
    ).astype("datetime64[us, UTC]")
    mask = np.ones(7, bool) if every else np.array([1, 1, 0, 1, 1, 1, 1], bool)
    view = GroupView(Rows(frame, mask), np.zeros(int(mask.sum()), np.int32), 1, np.zeros(1), False)
    got = ctx.span_of(view, "a", "b")
    expected = ctx.span(view.times("a"), view.times("b"))
    assert got.tobytes() == expected.tobytes()
    # 1.5 s, 1.500001 s, (10 → 5: negative), NaT, NaT, 1.000000 s, 999.999877 s
    want = [1.5, 1.500001, np.nan, np.nan, np.nan, 1.0, 999.999877]
    assert np.array_equal(got, np.array(want)[mask], equal_nan=True)


@pytest.mark.parametrize("block", [1, 2, 1 << 20])
def test_floats_taken_block_by_block(block: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(grouping, "_BLOCK", block)
    frame = pd.DataFrame(
        {
            "n": pd.array([1, None, 3, 4, None], dtype="Int64"),
            "flag": pd.array([True, None, False, True, True], dtype="boolean"),
            "x": [0.5, 1.5, np.nan, 2.0, 3.0],
            "text": pd.Series(["1", "2.5", None, "4", "5"], dtype="str"),
        }
    )
    keep = np.array([True, True, False, True, True])
    rows = GroupView(Rows(frame, keep), np.zeros(4, dtype=np.int32), 1, np.zeros(1), False)
    want = {
        "n": [1.0, np.nan, 4.0, np.nan],
        "flag": [1.0, np.nan, 1.0, 1.0],
        "x": [0.5, 1.5, 2.0, 3.0],
        "text": [1.0, 2.5, 4.0, 5.0],
    }
    for column, values in want.items():
        np.testing.assert_array_equal(rows.floats(column), np.array(values))


def test_int32_by_codes_widened_before_the_bucket_count() -> None:
    # 2**20 groups × 4,018 daily buckets overflow int32 (4.2 billion)
    window = Window(
        pd.Timestamp("2010-01-01", tz="UTC"), pd.Timestamp("2021-01-01", tz="UTC"), "UTC"
    )
    buckets = bucket_edges(window, "day")
    nb = len(buckets.labels)
    assert nb * 2**20 > 2**31
    tickets = pd.DataFrame(
        {"created_at": pd.to_datetime(["2020-12-31T12:00Z"], utc=True).as_unit("us")}
    )
    t_by = np.array([2**20], dtype=np.int32)
    prep = Prepared(tickets, None, t_by, None, [], None)  # type: ignore[arg-type]
    found = _anchor_rows(Anchor.CREATED, prep, buckets, True)
    assert found is not None
    # the last bucket (nb - 1) of group 2**20
    assert found.keys.tolist() == [2**20 * nb + nb - 1]


@pytest.mark.parametrize("block", [1, 3, 1 << 20])
def test_packed_sort_block_by_block(block: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(grouping, "_BLOCK", block)
    rng = np.random.default_rng(11)
    for trial in range(30):
        n, groups = int(rng.integers(0, 30)), int(rng.integers(1, 5))
        codes = rng.integers(0, groups, n)
        values = rng.integers(-(10**9), 10**12, n) / 1e6 if trial % 2 else rng.normal(size=n)
        if trial % 3 == 1:  # missing values leave the sort and the counts
            values[rng.random(n) < 0.3] = np.nan
        given = values.copy()
        keep = ~np.isnan(values)
        expected = values[keep][np.lexsort((values[keep], codes[keep]))]
        ordered, n_per_group, _ = grouping._sorted_by_group(values, codes, groups)
        assert np.array_equal(ordered, expected)
        assert n_per_group.tolist() == np.bincount(codes[keep], minlength=groups).tolist()
        assert np.array_equal(values, given, equal_nan=True)  # the caller's are not written


@pytest.mark.parametrize("block", [1, 3, 1 << 20])
def test_reductions_block_by_block_equal_bincount(
    block: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """count, sum, mean and share a block of rows at a time equal one `bincount` over all
    rows, to the bit: the groups' sums are added in row order either way."""
    monkeypatch.setattr(grouping, "_BLOCK", block)
    rng = np.random.default_rng(5)
    for _ in range(40):
        n, groups = int(rng.integers(0, 25)), int(rng.integers(1, 5))
        codes = rng.integers(0, groups, n).astype(np.int32)
        values = rng.normal(size=n) * 10.0 ** rng.integers(-3, 9, n)
        values[rng.random(n) < 0.25] = np.nan
        mask, hit = rng.random(n) < 0.6, rng.random(n) < 0.5
        view = grouping.GroupView(pd.DataFrame(index=range(n)), codes, groups, codes, True)
        keep = ~np.isnan(values)
        n_kept = np.bincount(codes[keep], minlength=groups)
        sums = np.bincount(codes[keep], weights=values[keep], minlength=groups)
        assert view.count().tolist() == np.bincount(codes, minlength=groups).tolist()
        assert view.count(mask).tolist() == np.bincount(codes[mask], minlength=groups).tolist()
        assert view.sum(values).tobytes() == sums.tobytes()
        masked = np.bincount(codes[keep & mask], weights=values[keep & mask], minlength=groups)
        assert view.sum(values, mask).tobytes() == masked.tobytes()
        means, counted = view.mean(values)
        assert counted.tolist() == n_kept.tolist()
        with np.errstate(invalid="ignore", divide="ignore"):
            assert means.tobytes() == np.where(n_kept > 0, sums / n_kept, np.nan).tobytes()
        ratio, population = view.share(hit, mask)
        hits = np.bincount(codes[mask & hit], minlength=groups)
        assert population.tolist() == np.bincount(codes[mask], minlength=groups).tolist()
        with np.errstate(invalid="ignore", divide="ignore"):
            expected = np.where(population > 0, hits / population, np.nan)
        assert ratio.tobytes() == expected.tobytes()


@pytest.mark.parametrize("block", [1, 2, 1 << 20])
def test_taken_times_gathered_block_by_block(block: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(grouping, "_BLOCK", block)
    stamps = pd.to_datetime(
        ["2024-03-01T00:00Z", None, "2024-03-02T00:00Z", "2024-03-03T00:00Z", None], utc=True
    ).as_unit("us")
    frame = pd.DataFrame({"at": stamps})
    keep = np.array([True, True, False, True, True])
    rows = Rows(frame, keep)
    assert rows._positions.dtype == np.int32  # half the memory of numpy's index type
    expected = arrays.times_us(frame["at"])[keep]
    assert rows.times("at").tolist() == expected.tolist()
    assert rows._positions.tolist() == [0, 1, 3, 4]
    # present: rows 0, 1, 3, 4 hold 03-01, NaT, 03-03, NaT
    assert rows.present("at").tolist() == [True, False, True, False]
    view = GroupView(rows, np.zeros(4, np.int32), 1, np.zeros(1), False)
    assert view.present("at").tolist() == [True, False, True, False]
    assert GroupView(frame, np.zeros(5, np.int32), 1, np.zeros(1), False).present(
        "at"
    ).tolist() == [True, False, True, True, False]


@pytest.mark.parametrize("block", [1, 2, 3, 1 << 20])
def test_anchor_rows_block_by_block(block: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The window's mask and the rows' keys made a block of rows at a time."""
    from cskpi.engine import passes

    monkeypatch.setattr(passes, "_BLOCK", block)
    window = Window(
        pd.Timestamp("2024-01-01", tz="UTC"), pd.Timestamp("2024-04-01", tz="UTC"), "UTC"
    )
    buckets = bucket_edges(window, "month")  # Jan, Feb, Mar: 3 buckets
    created = ["2023-12-31T23:59Z", "2024-01-05T00:00Z", "2024-03-31T23:59Z", "2024-04-01T00:00Z"]
    created += ["2024-02-01T00:00Z", "2024-02-29T12:00Z", None]
    tickets = pd.DataFrame({"created_at": pd.to_datetime(created, utc=True).as_unit("us")})
    t_by = np.array([0, 1, 2, 0, 1, 2, 1], dtype=np.int32)
    prep = Prepared(tickets, None, t_by, None, [], None)  # type: ignore[arg-type]
    found = _anchor_rows(Anchor.CREATED, prep, buckets, True)
    assert found is not None
    # in the window: rows 1 (Jan), 2 (Mar), 4 (Feb), 5 (Feb); key = by × 3 + bucket:
    # 1×3+0 = 3, 2×3+2 = 8, 1×3+1 = 4, 2×3+1 = 7
    assert found.mask.tolist() == [False, True, True, False, True, True, False]
    assert found.keys.tolist() == [3, 8, 4, 7]
    assert found.keys.dtype == np.int32  # 3 by codes × 3 buckets fit int32


def test_a_view_forgets_what_the_last_kpi_did_not_read() -> None:
    view = GroupView(pd.DataFrame({"x": [1.0]}), np.zeros(1, np.int32), 1, np.zeros(1), False)
    runs: list[str] = []

    def make(name: str) -> Any:
        def compute() -> str:
            runs.append(name)
            return name

        return compute

    view.cached("a", make("a"))
    view.quantile(np.array([2.0]), 0.5, "q")
    view.forget_unread()  # both were read by this KPI: kept
    view.cached("a", make("a"))
    view.forget_unread()  # the quantile's sort was not read: let go
    assert "q" not in view._sorted and "a" in view._cache
    view.cached("b", make("b"))
    view.forget_unread()
    assert "a" not in view._cache
    view.cached("a", make("a"))  # read again later: computed again, with the same value
    assert runs == ["a", "b", "a"]


def _sla_view(outside: bool = False) -> tuple[GroupView, Any]:
    """Five tickets; `outside`: after a sixth, first row that is not in the view (so the
    view's rows are gathered by their positions)."""
    from cskpi.config import Config
    from cskpi.kpis.context import Context

    us = 1_000_000
    base = 1_709_280_000 * us  # 2024-03-01 08:00 UTC
    nat = arrays.NAT
    first = [base - 7 * us] if outside else []  # answered and resolved: changes every count
    frame = pd.DataFrame(
        {
            "created_at": pd.to_datetime(first + [base] * 5, unit="us", utc=True),
            # answered in 10 s and 40 s; unanswered: resolved at 5 s, at 60 s, still open
            "first_response_at": pd.to_datetime(
                [*first, base + 10 * us, base + 40 * us, nat, nat, nat], unit="us", utc=True
            ),
            "resolved_at": pd.to_datetime(
                [*first, nat, nat, base + 5 * us, base + 60 * us, nat], unit="us", utc=True
            ),
        }
    ).astype("datetime64[us, UTC]")
    mask = np.array([False] * len(first) + [True] * 5)
    view = GroupView(Rows(frame, mask), np.zeros(5, np.int32), 1, np.zeros(1), False)
    as_of = base + 3600 * us
    ctx = Context(Config(), as_of, False, None, frame, None, None, None)  # type: ignore[arg-type]
    return view, ctx


@pytest.mark.parametrize("outside", [False, True])
@pytest.mark.parametrize("per_row", [False, True])
def test_judgement_without_actual_durations_agrees(per_row: bool, outside: bool) -> None:
    from cskpi.kpis.sla import judge_first_response

    view, ctx = _sla_view(outside)
    target: Any = np.array([20.0, 20.0, 20.0, 20.0, np.nan]) if per_row else 20.0
    counted, met, actual = judge_first_response(view, ctx, target, False)
    lean, lean_met, none = judge_first_response(view, ctx, target, False, actual=False)
    # 10 s met; 40 s missed; resolved at 5 s unanswered: pending; resolved at 60 s and
    # open for an hour: missed (the last has no target when per row: not counted)
    assert counted.tolist() == [True, True, False, True, not per_row]
    assert met.tolist() == [True, False, False, False, False]
    assert lean.tolist() == counted.tolist() and lean_met.tolist() == met.tolist()
    assert none is None and actual is not None
    assert actual.tolist() == [10.0, 40.0, 5.0, 60.0, 3600.0]


def test_first_response_outcome_computes_durations_only_when_asked() -> None:
    from cskpi.kpis.sla import first_response

    view, ctx = _sla_view()
    # the built-in policy (24 h): 10 s and 40 s met; resolved unanswered at 5 s and 60 s and
    # open for an hour: within 24 h, pending, not counted
    rates = first_response(view, ctx)
    listed = first_response(view, ctx, actual=True)
    assert rates.actual is None
    assert listed.actual is not None and listed.actual.tolist() == [10.0, 40.0, 5.0, 60.0, 3600.0]
    assert rates.counted.tolist() == listed.counted.tolist() == [True, True, False, False, False]
    assert rates.met.tolist() == listed.met.tolist() == [True, True, False, False, False]


def test_parquet_without_row_groups(tmp_path: Path) -> None:
    schema = pa.schema([("Ticket ID", pa.string()), ("Created At", pa.timestamp("us", tz="UTC"))])
    path = tmp_path / "none.parquet"
    pq.ParquetWriter(path, schema).close()  # a schema and no row group at all
    assert pq.ParquetFile(path).num_row_groups == 0
    raw = read_inputs([str(path)])
    assert list(raw.frame.columns) == ["Ticket ID", "Created At"] and len(raw.frame) == 0
    assert str(raw.frame["Created At"].dtype) == "datetime64[us, UTC]"
    assert raw.places.rows == 0


@pytest.mark.parametrize("block", [1, 2, 1 << 20])
def test_look_up_in_place_when_the_table_fits(block: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(arrays, "BLOCK", block)
    table = np.array([7, 5, 9], dtype=np.int32)
    codes = np.array([2, 0, 0, 1, 2], dtype=np.int32)
    found = arrays.look_up(codes, table)
    assert found is codes and found.tolist() == [9, 7, 7, 5, 9]  # written over the codes
    # int32 values into int64 codes fit: in place, the codes keep their type
    wide = np.array([1, 2], dtype=np.int64)
    assert arrays.look_up(wide, table) is wide and wide.tolist() == [5, 9]
    # int64 values do not fit int32 codes, and read-only codes cannot be written: new arrays
    narrow = np.array([0, 2], dtype=np.int32)
    big = arrays.look_up(narrow, np.array([2**40, 1, 3], dtype=np.int64))
    assert big is not narrow and big.tolist() == [2**40, 3] and narrow.tolist() == [0, 2]
    frozen = np.array([1, 0], dtype=np.int32)
    frozen.flags.writeable = False
    assert arrays.look_up(frozen, table).tolist() == [5, 7] and frozen.tolist() == [1, 0]


@pytest.mark.parametrize("every", [False, True])
@pytest.mark.parametrize("block", [1, 2, 1 << 20])
def test_flag_rules_block_by_block(
    block: int, every: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """fcr_rate and escalation_rate read their columns a block of rows at a time
    (`GroupView.per_block`): the same shares as by hand."""
    from cskpi.config import Config
    from cskpi.kpis.context import Context
    from cskpi.kpis.team import escalation_rate, fcr_rate

    monkeypatch.setattr(grouping, "_BLOCK", block)
    frame = pd.DataFrame(
        {
            "agent_replies": pd.array([1, 1, 2, None, 1, 1], dtype="Int64"),
            "reopens": pd.array([0, 1, 0, 0, None, 0], dtype="Int64"),
            "first_contact_resolved": pd.array([None, None, True, None, None, False], "boolean"),
            "escalated": pd.array([True, False, None, True, False, True], dtype="boolean"),
        }
    )
    # row 0 is outside the view unless `every`; groups: rows 0–2 → 0, rows 3–5 → 1
    mask = np.ones(6, bool) if every else np.array([False, True, True, True, True, True])
    codes = np.array([0, 0, 0, 1, 1, 1], np.int32)[mask]
    view = GroupView(Rows(frame, mask), codes, 2, np.zeros(2), True)
    ctx = Context(Config(), 0, False, None, frame, None, None, None)  # type: ignore[arg-type]
    # fcr per row: 0 hit (1 reply, 0 reopens); 1 known, miss (a reopen); 2 the flag: hit;
    # 3 replies empty, no flag: unknown; 4 reopens empty: unknown; 5 the flag: miss
    # group 0: rows 0, 1, 2 → 2 of 3 (without row 0: 1 of 2); group 1: row 5 only → 0 of 1
    rates, known = fcr_rate(view, ctx)
    assert known.tolist() == ([3, 1] if every else [2, 1])
    assert rates.tolist() == ([2 / 3, 0.0] if every else [0.5, 0.0])
    # escalated: group 0 rows 0 (yes), 1 (no), 2 (empty); group 1: 3 yes, 4 no, 5 yes
    rates, known = escalation_rate(view, ctx)
    assert known.tolist() == ([2, 3] if every else [1, 3])
    assert rates.tolist() == ([0.5, 2 / 3] if every else [0.0, 2 / 3])
