"""The fast paths of issue 7 give the same answers as the general ones they stand in for.

- integer-shaped ids (`cskpi.load.ids`): de-duplication and the survey link;
- quantiles from one packed (group, microseconds) sort (`grouping._sorted_by_group`);
- group keys counted with `bincount` instead of sorted (`groups.joint_codes`,
  `engine._present_keys`);
- the whole-window pass skipped when nothing shows it (`ReportRequest.overall`).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import cskpi
from cskpi import arrays
from cskpi.cli import app
from cskpi.config import parse_config
from cskpi.engine.keys import ColumnCodes, joint_codes
from cskpi.engine.passes import _present_keys
from cskpi.engine.prepare import positions
from cskpi.engine.types import ReportRequest
from cskpi.kpis.view import GroupView, _sorted_by_group
from cskpi.load import ids

runner = CliRunner()


def text(*values: str | None) -> pd.Series:
    return pd.Series(list(values), dtype="str")


# -- ids ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "numbers", "scheme"),
    [
        # one prefix, same width: the number alone is the id
        (("T001", "T010", None), [1, 10, -1], ids.Scheme("T", 3)),
        # varying widths without leading zeros (Zendesk's plain numbers)
        (("7", "12", "12345"), [7, 12, 12345], ids.Scheme("", None)),
        (("SUP-9", "SUP-10"), [9, 10], ids.Scheme("SUP-", None)),
    ],
)
def test_integer_shaped_ids(
    values: tuple[str | None, ...], numbers: list[int], scheme: ids.Scheme
) -> None:
    found = ids.int_ids(text(*values))
    assert found is not None
    assert found[0].tolist() == numbers
    assert found[1] == scheme


@pytest.mark.parametrize(
    "values",
    [
        ("T1", "T007"),  # T007 next to T7 would both be 7: widths vary and one starts with 0
        ("T1", "X2"),  # two prefixes
        ("12", "-3"),  # a sign is not a digit
        ("12", "٣"),  # an Arabic-Indic digit is not ASCII
        ("7", "1234567890123456789"),  # 19 digits do not fit
        ("A1B", "A2B"),  # letters after the digits
        (None, None),
    ],
)
def test_ids_that_stay_text(values: tuple[str | None, ...]) -> None:
    assert ids.int_ids(text(*values)) is None


def test_id_codes_match_factorize() -> None:
    # dense integer path, sparse integer path, and the text fallback
    for values in (
        ("T02", "T01", None, "T02", "T03", "T01"),
        ("5", "90000000000000", None, "5", "7"),
        ("a", "b", None, "a", "c"),
    ):
        series = text(*values)
        mine = ids.codes(series)
        theirs = pd.factorize(series)[0]
        # same partition: equal codes exactly where the ids are equal, -1 for missing
        assert ((mine < 0) == (theirs < 0)).all()
        for i in range(len(values)):
            for j in range(len(values)):
                if mine[i] >= 0 and mine[j] >= 0:
                    assert (mine[i] == mine[j]) == (values[i] == values[j])


def test_positions_by_number_and_by_text() -> None:
    keys = text("T001", "T002", "T010")
    # T010 is row 2, T02 has another width (no such id), T001 row 0, missing, other prefix
    assert positions(text("T010", "T02", "T001", None, "x"), keys).tolist() == [2, -1, 0, -1, -1]
    # sparse numbers: looked up by sorting (5 → row 2, 10**13 → row 1, 7 → row 0)
    sparse = text("7", "10000000000000", "5")
    assert positions(text("5", "10000000000000", None, "7", "8"), sparse).tolist() == [
        2,
        1,
        -1,
        0,
        -1,
    ]
    assert ids.positions(text("a"), text("a", "b")) is None  # text: Arrow's hash lookup
    assert positions(text("b", "z", None), text("a", "b")).tolist() == [1, -1, -1]


@pytest.mark.parametrize("block", [1, 2, 3, 1 << 20])
def test_duplicates_found_block_by_block(block: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Repeated ids are looked for a block of rows at a time: T1 three times (the last read
    stays), T7 twice (the later update stays), T2 once; an empty id and a row dropped
    before are never duplicates."""
    from cskpi.load.normalize import dedupe
    from cskpi.load.quality import FrameQuality

    monkeypatch.setattr(dedupe, "_BLOCK", block)
    frame = pd.DataFrame(
        {
            "ticket_id": pd.Series(["T1", "T7", None, "T1", "T2", "T7", "T1", None, "T2"]),
            "updated_at": pd.to_datetime(
                [
                    "2024-03-01",
                    "2024-03-05",
                    None,
                    "2024-03-02",
                    None,
                    "2024-03-04",
                    "2024-03-01",
                    None,
                    None,
                ],
            ),
        }
    )
    dropped = np.zeros(9, dtype=bool)
    dropped[8] = True  # the second T2 was dropped for another reason: T2 is not repeated
    drop, quality = dedupe.duplicates(
        frame, dropped, FrameQuality(), "ticket_id", "duplicate_ticket_id", "updated_at"
    )
    # T1 rows 0 (03-01), 3 (03-02), 6 (03-01): the latest update, row 3, stays; T7 rows 1
    # (03-05) and 5 (03-04): row 1 stays
    assert np.flatnonzero(drop).tolist() == [0, 5, 6]
    assert dict(quality.dropped) == {"duplicate_ticket_id": 3}


def test_numeric_duplicates_keep_the_latest_update(tmp_path: Path) -> None:
    """Integer-shaped ids de-duplicate like text ids: 12 appears twice, the later update (the
    first line, updated 03-05) wins over the second (03-03); 7 and 120 are distinct."""
    tickets = tmp_path / "t.csv"
    tickets.write_text(
        "Ticket ID,Created At,First Response At,Updated At,Assignee\n"
        "12,2024-03-01T09:00:00Z,2024-03-01T09:30:00Z,2024-03-05T00:00:00Z,ann\n"
        "12,2024-03-01T09:00:00Z,2024-03-01T10:00:00Z,2024-03-03T00:00:00Z,bob\n"
        "7,2024-03-01T09:00:00Z,2024-03-01T09:10:00Z,2024-03-02T00:00:00Z,bob\n"
        "120,2024-03-01T09:00:00Z,,2024-03-02T00:00:00Z,ann\n",
        encoding="utf-8",
    )
    inputs = cskpi.load(str(tickets))
    assert inputs.tickets is not None
    frame = inputs.tickets.frame
    assert sorted(frame["ticket_id"]) == ["12", "120", "7"]
    assert frame.loc[frame["ticket_id"] == "12", "agent"].tolist() == ["ann"]
    assert dict(inputs.tickets.quality.dropped) == {"duplicate_ticket_id": 1}


# -- quantiles ----------------------------------------------------------------------------------


def test_packed_sort_matches_lexsort() -> None:
    rng = np.random.default_rng(7)
    for trial in range(60):
        n, groups = int(rng.integers(0, 40)), int(rng.integers(1, 6))
        codes = rng.integers(0, groups, n)
        if trial % 3 == 0:  # not whole microseconds: the argsort path
            values = rng.normal(size=n)
        else:  # spans in seconds of whole microseconds, some negative: the packed path
            values = rng.integers(-(10**9), 10**12, n) / 1e6
        if trial % 4 == 1:  # missing values leave the sort and the counts
            values[rng.random(n) < 0.3] = np.nan
        keep = ~np.isnan(values)
        expected = values[keep][np.lexsort((values[keep], codes[keep]))]
        ordered, n_per_group, starts = _sorted_by_group(values, codes, groups)
        assert np.array_equal(ordered, expected)
        assert n_per_group.tolist() == np.bincount(codes[keep], minlength=groups).tolist()
        assert starts.tolist() == [0, *np.cumsum(n_per_group)[:-1].tolist()]


def test_quantiles_by_group_on_both_paths() -> None:
    # group 0: [1.5, 0.25, 3.0] → sorted [0.25, 1.5, 3.0]: median 1.5,
    #   p90 at rank 0.9 * 2 = 1.8 → 1.5 + 0.8 * 1.5 = 2.7
    # group 1: [10.0] → 10.0 for both; group 2: no values → NaN, n 0
    codes = np.array([0, 1, 0, 0, 2])
    for values in (
        np.array([1.5, 10.0, 0.25, 3.0, np.nan]),  # whole microseconds: packed
        np.array([1.5 + 1e-9, 10.0, 0.25, 3.0, np.nan]),  # a nanosecond: the argsort path
    ):
        view = GroupView(pd.DataFrame(), codes, 3, np.zeros(3, dtype="int64"), True)
        median, n = view.quantile(values, 0.5, "x")
        p90, _ = view.quantile(values, 0.9, "x")
        assert median[:2] == pytest.approx([1.5, 10.0]) and np.isnan(median[2])
        assert p90[:2] == pytest.approx([2.7, 10.0]) and np.isnan(p90[2])
        assert n.tolist() == [3, 1, 0]


# -- group keys ---------------------------------------------------------------------------------


def test_joint_codes_count_or_sort() -> None:
    """Two by-columns (3 and 2 labels): keys are a*2 + b; tickets (0,1) (2,0) (0,1), surveys
    (1,1) → keys 1, 4, 1, 3 → dense codes in key order 1→0, 3→1, 4→2."""
    columns = [
        ColumnCodes(np.array([0, 2, 0]), np.array([1]), np.array(["a", "b", "c"], dtype=object)),
        ColumnCodes(np.array([1, 0, 1]), np.array([1]), np.array(["x", "y"], dtype=object)),
    ]
    (t, s), labels = joint_codes(columns, [3, 1])
    assert t.tolist() == [0, 2, 0] and s.tolist() == [1]
    assert [lab.tolist() for lab in labels] == [["a", "b", "c"], ["y", "y", "x"]]


def test_joint_codes_one_column_special_label_last_and_a_business_frame() -> None:
    """One by-column, labels (unassigned)=0, ann=1, bob=2, cy=3: (unassigned) moves last,
    so the order is ann, bob, cy, (unassigned). Present: tickets 0, 2, 2, 1; surveys 0;
    a business frame 3 → all four, dense codes ann 0, bob 1, cy 2, (unassigned) 3:
    tickets [3, 1, 1, 0], surveys [3], business [2] (int64); cy appears in the business
    frame only and still has a code."""
    labels = np.array(["(unassigned)", "ann", "bob", "cy"], dtype=object)
    business = np.array([3], dtype=np.int64)
    column = ColumnCodes(
        np.array([0, 2, 2, 1], dtype=np.int32), np.array([0], dtype=np.int32), labels, [business]
    )
    (t, s, b), (shown,) = joint_codes([column], [4, 1, 1])
    assert t.tolist() == [3, 1, 1, 0] and t.dtype == np.int32
    assert s.tolist() == [3] and b.tolist() == [2] and b.dtype == np.int64
    assert shown.tolist() == ["ann", "bob", "cy", "(unassigned)"]
    # a label no frame uses gets no code: without the business frame, cy is gone
    column = ColumnCodes(np.array([0, 2], dtype=np.int32), np.zeros(0, np.int32), labels)
    (t, _), (shown,) = joint_codes([column], [2, 0])
    assert t.tolist() == [1, 0] and shown.tolist() == ["bob", "(unassigned)"]


@pytest.mark.parametrize("block", [1, 2, 1 << 20])
def test_present_keys_dense_and_sparse(block: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(arrays, "BLOCK", block)  # the codes written over the keys (`remap`)
    for parts in (
        [np.array([5, 1, 5]), np.array([3])],  # few possible keys: counted
        [np.array([5, 1, 5], dtype=np.int32), np.array([3])],  # int32 keys: int32 codes
        [np.array([5, 10**12]), np.array([3])],  # far apart: sorted
        [np.array([5, 2**31 + 1, 5]), np.array([3])],  # codes in place of int64 keys
    ):
        given = parts[0].copy()
        keys, index_of = _present_keys(parts)
        assert keys.tolist() == sorted({int(v) for p in parts for v in p})
        codes = index_of(parts[0])
        assert codes.tolist() == [keys.tolist().index(int(v)) for v in given]
        assert codes is parts[0]  # written over the keys: no array of the rows' size


def test_present_keys_widen_into_a_new_array() -> None:
    # int32 keys far apart are sorted; their index (int64) does not fit int32 safely: a new
    # array, and the keys are left as they were
    parts = [np.array([2**30, 1, 2**30], dtype=np.int32)]
    keys, index_of = _present_keys(parts)
    assert keys.tolist() == [1, 2**30]
    codes = index_of(parts[0])
    assert codes.tolist() == [1, 0, 1] and codes is not parts[0]
    assert parts[0].tolist() == [2**30, 1, 2**30]


# -- the whole-window pass ----------------------------------------------------------------------

TICKETS = """\
Ticket ID,Created At,First Response At,Assignee
T1,2024-03-01T09:00:00Z,2024-03-01T09:10:00Z,ann
T2,2024-03-02T09:00:00Z,2024-03-02T09:30:00Z,bob
T3,2024-03-03T09:00:00Z,2024-03-03T10:00:00Z,ann
"""


def test_overall_skipped_only_when_nothing_shows_it(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(TICKETS, encoding="utf-8")
    inputs = cskpi.load(str(path))
    request = ReportRequest(kpis=("frt_mean",), group_by=("agent",), as_of="2024-03-10")
    full = cskpi.compute(inputs, request)
    # FRT 600, 1800, 3600 s: overall mean 6000 / 3 = 2000
    assert full.overall["frt_mean"] == pytest.approx(2000.0)
    rows_only = cskpi.compute(inputs, ReportRequest(**{**request.__dict__, "overall": False}))
    assert rows_only.overall == {}
    assert rows_only.rows.equals(full.rows)
    # a target needs the whole-window value even when the rows are all that is shown
    config = parse_config({"targets": {"frt_mean": "<= 1h"}})
    targeted = cskpi.compute(
        inputs, ReportRequest(**{**request.__dict__, "overall": False}), config
    )
    assert targeted.overall["frt_mean"] == pytest.approx(2000.0)
    assert [t.met for t in targeted.targets] == [True]


def test_csv_rows_equal_json_rows(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(TICKETS, encoding="utf-8")
    common = [str(path), "-k", "frt_mean", "--by", "agent", "--as-of", "2024-03-10", "-q"]
    csv_out = runner.invoke(app, ["report", *common, "-f", "csv"])
    json_out = runner.invoke(app, ["report", *common, "-f", "json"])
    assert csv_out.exit_code == 0 and json_out.exit_code == 0
    doc = json.loads(json_out.stdout)
    # ann: (600 + 3600) / 2 = 2100; bob: 1800
    assert csv_out.stdout.splitlines()[1:] == ["ann,2100.0,2", "bob,1800.0,1"]
    assert [(r["agent"], r["frt_mean"]) for r in doc["rows"]] == [("ann", 2100.0), ("bob", 1800.0)]
    assert doc["overall"]["frt_mean"] == pytest.approx(2000.0)


def test_rows_read_like_the_filtered_frame() -> None:
    from cskpi.arrays import times_us
    from cskpi.kpis.view import Rows

    frame = pd.DataFrame(
        {
            "ticket_id": pd.Series(["T1", "T2", "T3", "T4"], dtype="str"),
            "created_at": pd.to_datetime(
                ["2024-03-01T00:00Z", None, "2024-03-02T00:00Z", "2024-03-03T00:00Z"], utc=True
            ).as_unit("us"),
            "n": pd.array([1, None, 3, 4], dtype="Int64"),
        }
    )
    mask = np.array([False, True, True, False])
    rows, expected = Rows(frame, mask), frame[mask]
    assert len(rows) == 2 and "n" in rows and "x" not in rows
    assert list(rows.columns) == list(frame.columns)
    expected = expected.reset_index(drop=True)  # taken rows are numbered 0..n-1
    assert rows["ticket_id"].equals(expected["ticket_id"])
    assert rows["n"] is rows["n"]  # taken once
    assert rows[["ticket_id", "n"]].equals(expected[["ticket_id", "n"]])
    # row 1 has no time (NaT), row 2 is 2024-03-02 = 1709337600 s after the epoch
    assert rows.times("created_at").tolist() == [-(2**63), 1_709_337_600_000_000]
    assert rows.times("created_at").tolist() == times_us(expected["created_at"]).tolist()


@pytest.mark.parametrize(
    "values",
    [
        ["5", "10", None, "0"],  # digits: the fast path
        ["5", " 4", None],  # padded: the general path
        ["5", "good", ""],  # a word and a blank
        ["٣"],  # a non-ASCII digit is no score
        [None, None],
    ],
)
def test_text_scores_fast_path_agrees(values: list[str | None]) -> None:
    from cskpi.config import Config
    from cskpi.load.normalize import columns

    raw = pd.Series(values, dtype="str")
    score, missing = columns.scores(raw, Config())
    # the general path on the same values as Python objects (the fast path needs text dtype)
    general, general_missing = columns.scores(raw.astype(object), Config())
    assert score.equals(general) and missing.tolist() == general_missing.tolist()
    fast = columns._digit_scores(raw)
    assert (fast is not None) is (values == ["5", "10", None, "0"])
    if fast is not None:  # 5, 10, missing, 0
        assert fast.tolist()[:2] == [5.0, 10.0] and fast.isna().tolist()[2] and fast[3] == 0.0


def test_text_columns_judged_per_distinct_value() -> None:
    from cskpi.load.normalize import labels
    from cskpi.load.parse import distinct, parse_bools

    raw = pd.Series(["b", "a", None, "b", ""], dtype="str")
    codes, values = distinct(raw)
    assert [values[c] if c >= 0 else None for c in codes] == ["b", "a", None, "b", ""]
    # booleans: " FALSE " is false, "1" true, "maybe" unreadable (bad), blank and None missing
    flags = parse_bools(pd.Series(["true", " FALSE ", None, "", "maybe", "1"], dtype="str"))
    assert flags.values.tolist() == [True, False, pd.NA, pd.NA, pd.NA, True]
    assert flags.bad.tolist() == [False, False, False, False, True, False]
    # the same through the object path (Python strings, not Arrow text)
    slow = parse_bools(pd.Series(["true", " FALSE ", None, "", "maybe", "1"], dtype=object))
    assert slow.values.tolist() == flags.values.tolist() and slow.bad.equals(flags.bad)
    # labels: "Solved" and " solved" are one status (resolved), blank is no status
    status = labels(pd.Series(["Solved", " solved", "", None, "open"], dtype="str"), "status")
    assert status.tolist()[:2] == ["resolved", "resolved"] and status.isna().tolist()[2:4] == [
        True,
        True,
    ]
    assert list(status.cat.categories) == ["open", "resolved"]


def test_categories_keep_their_code_width() -> None:
    """A categorical column (what the readers make of labels) is coded by its own codes: int8
    for a few labels, int16 past 127, with -1 for missing (no int32 copy per row)."""
    from cskpi.load.normalize import labels
    from cskpi.load.parse import distinct, parse_bools

    few = pd.Series(["b", None, "a", "b"], dtype="category")
    codes, values = distinct(few)
    assert codes.dtype == np.int8 and codes.tolist() == [1, -1, 0, 1]
    assert values.tolist() == ["a", "b"]
    # 300 agents: int16 codes; agent 299 (" A299 ") is cleaned to "A299", a missing one stays
    names = [f" A{i} " for i in range(300)]
    many = pd.Series(pd.Categorical([names[299], None, names[5]], categories=names))
    codes, _ = distinct(many)
    assert codes.dtype == np.int16 and codes.tolist() == [299, -1, 5]
    agents = labels(many, "agent")
    assert agents.tolist()[0] == "A299" and agents.isna().tolist() == [False, True, False]
    assert agents.tolist()[2] == "A5"
    flags = parse_bools(pd.Series(["yes", None, "no", "maybe"], dtype="category"))
    assert flags.values.tolist() == [True, pd.NA, False, pd.NA]
    assert flags.bad.tolist() == [False, False, False, True]


def test_customer_id_read_for_grouping_only_with_customer_inputs() -> None:
    from cskpi.config import Config
    from cskpi.engine.plan import plan_for

    # --by agent: the customer id joins customer attributes, so it is read only when a
    # customers or orders file can supply them
    assert (
        "customer_id"
        not in plan_for(("frt_median",), ("agent",), Config(), customers=False).tickets
    )
    assert "customer_id" in plan_for(("frt_median",), ("agent",), Config(), customers=True).tickets
    # a KPI that needs it still reads it
    assert (
        "customer_id" in plan_for(("repeat_contact_rate",), (), Config(), customers=False).tickets
    )


@pytest.mark.parametrize(
    "values",
    [
        ["T001", "T010", None, "T999"],  # fixed width, a missing id
        ["T001", "X010", "T0a1", "T01"],  # another prefix, a letter, another width
        ["0042", "1000", "0000"],  # no prefix, leading zeros
        ["T001", "T\u00e90", "T002"],  # a non-ASCII byte
    ],
)
def test_fixed_width_ids_read_as_the_general_path(values: list[str | None]) -> None:
    import pyarrow as pa

    scheme = ids.Scheme("" if values[0] == "0042" else "T", 4 if values[0] == "0042" else 3)
    one_length = len({len(v.encode()) for v in values if v is not None}) == 1
    for kind in (pa.string(), pa.large_string()):
        for arr in (pa.array(values, kind), pa.array(["T000", *values], kind).slice(1)):
            general = ids._numbers(*ids._digits(arr, scheme))
            fixed = ids._fixed(arr, scheme)
            if not one_length:
                assert fixed is None  # another length: the general path
                continue
            assert fixed is not None
            assert fixed[0].tolist() == general.tolist()
    # T001 → 1 and T999 → 999; the missing id is -1
    found = ids.int_ids(text("T001", "T010", None, "T999"))
    assert found is not None
    assert found[0].tolist() == [1, 10, -1, 999]


# -- Parquet surveys read alongside the tickets -------------------------------------------------


def _parquet_pair(tmp_path: Path) -> tuple[str, str]:
    """Tickets 1-4 (ann, bob, ann, bob); CSAT surveys on tickets 1 (5), 2 (2), 3 (4) and an
    NPS answer (10) on ticket 4."""
    created = pd.Timestamp("2024-05-01")
    pd.DataFrame(
        {
            "ticket_id": [1, 2, 3, 4],
            "created_at": created + pd.to_timedelta([0, 1, 2, 3], unit="h"),
            "agent": ["ann", "bob", "ann", "bob"],
        }
    ).to_parquet(tmp_path / "t.parquet", index=False)
    pd.DataFrame(
        {
            "ticket_id": [1, 2, 3, 4],
            "submitted_at": created + pd.Timedelta(days=1),
            "kind": ["csat", "csat", "csat", "nps"],
            "score": [5, 2, 4, 10],
        }
    ).to_parquet(tmp_path / "s.parquet", index=False)
    return str(tmp_path / "t.parquet"), str(tmp_path / "s.parquet")


def test_parquet_surveys_on_a_second_thread_give_what_one_thread_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ann: CSAT 5 and 4 → 2/2 = 1.0; bob: CSAT 2 → 0/1 = 0.0, NPS 10 → 100. The same with
    the surveys read on the tickets' thread."""
    import cskpi.api

    tickets, surveys = _parquet_pair(tmp_path)
    started = []
    alongside = cskpi.api._surveys_alongside

    def spy(*args: object) -> object:
        future = alongside(*args)  # type: ignore[arg-type]
        started.append(future is not None)
        return future

    def run() -> dict[str, object]:
        args = [tickets, "--surveys", surveys, "--by", "agent", "-k", "csat,nps", "-f", "json"]
        result = runner.invoke(app, ["report", *args, "-q"])
        assert result.exit_code == 0, result.output
        doc: dict[str, object] = json.loads(result.stdout)
        return doc

    monkeypatch.setattr(cskpi.api, "_surveys_alongside", spy)
    two = run()
    assert started == [True]
    rows = {r["agent"]: (r["csat"], r["nps"]) for r in two["rows"]}  # type: ignore[attr-defined]
    assert rows == {"ann": (1.0, None), "bob": (0.0, 100.0)}
    monkeypatch.setattr(cskpi.api, "_surveys_alongside", lambda *args: None)
    assert run() == two


def test_surveys_alongside_only_for_parquet_and_errors_in_order(tmp_path: Path) -> None:
    """A CSV survey file is read after the tickets, as before, and so are Parquet files when
    memory is short. With a broken ticket file and
    a broken survey file, the tickets' error is the one shown (exit 4, as with one thread)."""
    from cskpi.api import _surveys_alongside
    from cskpi.load.normalize import LoadOptions

    tickets, surveys = _parquet_pair(tmp_path)
    options = LoadOptions()
    assert _surveys_alongside([tickets], [str(tmp_path / "s.csv")], options, None, None) is None
    assert _surveys_alongside([tickets], ["bogus=x.parquet"], options, None, None) is None
    future = _surveys_alongside([tickets], [f"nps={surveys}"], options, None, None)
    assert future is not None and future.result()[0].frame["kind"].tolist() == ["nps"] * 4
    # a directory spelled key=value is a path, not a survey kind
    hive = tmp_path / "year=2024"
    hive.mkdir()
    (hive / "s.parquet").write_bytes(Path(surveys).read_bytes())
    future = _surveys_alongside([tickets], [str(hive / "s.parquet")], options, None, None)
    assert future is not None and len(future.result()[0].frame) == 4
    # memory for 10× the files' size, not twice that: one after the other
    size = Path(tickets).stat().st_size + Path(surveys).stat().st_size
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("cskpi.memory.available", lambda: 15 * size)
        assert _surveys_alongside([tickets], [surveys], options, None, None) is None
        mp.setattr("cskpi.memory.available", lambda: 21 * size)
        assert _surveys_alongside([tickets], [surveys], options, None, None) is not None
    (tmp_path / "bad.parquet").write_bytes(b"PAR1 not really")
    (tmp_path / "bad_s.parquet").write_bytes(b"PAR1 nor this")
    result = runner.invoke(
        app,
        ["report", str(tmp_path / "bad.parquet"), "--surveys", str(tmp_path / "bad_s.parquet")],
    )
    assert result.exit_code == 4, result.output
    assert "bad.parquet: not a readable Parquet file" in result.stderr
    assert "bad_s.parquet" not in result.stderr


def test_group_codes_with_no_linked_ticket_rows_but_their_categories() -> None:
    """A bucket with no ticket rows whose agent column still carries its categories (as a
    Dask group bucket's does): both surveys find no ticket (link -1) → `(unknown)`."""
    from cskpi.engine.keys import ByColumn, group_codes

    tickets = pd.DataFrame({"agent": pd.Categorical([], categories=["ann", "bob"])})
    surveys = pd.DataFrame({"score": [5.0, 3.0]})
    link = np.array([-1, -1])
    (col,) = group_codes([ByColumn("agent", "agent", None)], tickets, surveys, link, tickets)
    assert col.tickets.tolist() == []
    assert col.labels[col.surveys].tolist() == ["(unknown)", "(unknown)"]
