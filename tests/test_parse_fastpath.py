"""cskpi.load.parse: the Arrow fast paths for plain ISO 8601 timestamps and digit-only counts
give exactly what the general parsers give (values, unparseable rows, DST-shifted count).

`_parse_text` / `_parse_counts` are the general parsers the fast paths fall back to; each test
compares both on the same hand-made column and checks the values by hand as well.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cskpi.load.parse import (
    Parsed,
    TimeOptions,
    parse_ints,
    parse_times,
)
from cskpi.load.parse.times import _parse_text
from cskpi.load.parse.values import _parse_counts


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def shown(series: pd.Series) -> list[Any]:
    return [None if pd.isna(v) else v for v in series.tolist()]


def both(values: list[Any], dtype: str = "str", **opts: Any) -> tuple[Parsed, Parsed]:
    """(fast path, general parser) on the same column; a non-default index on purpose."""
    raw = pd.Series(values, dtype=dtype, index=pd.RangeIndex(10, 10 + len(values)))
    options = TimeOptions(**opts)
    return parse_times(raw, "c", options), _parse_text(raw, "c", options)


def assert_same(fast: Parsed, general: Parsed) -> None:
    assert fast.values.dtype == general.values.dtype
    assert shown(fast.values) == shown(general.values)
    assert fast.bad.tolist() == general.bad.tolist()
    assert fast.shifted == general.shifted
    assert fast.values.index.equals(general.values.index)


@pytest.mark.parametrize("dtype", ["str", "object"])
def test_offsets_and_z_agree_with_the_general_parser(dtype: str) -> None:
    fast, general = both(
        [
            "2024-03-01T09:00:00Z",  # 09:00Z
            "2024-03-01T18:00:00+09:00",  # 18 − 9 → 09:00Z
            "2024-03-01 04:00:00-0500",  # 4 + 5 → 09:00Z
            "2024-03-01T18:00+09",  # hour-only offset, no seconds → 09:00Z
            "2024-03-01T09:00:00.123456+0530",  # 09:00 − 5:30 → 03:30:00.123456Z
            None,
        ],
        dtype,
        source_tz="America/New_York",  # never applied to a value with an offset
    )
    assert_same(fast, general)
    assert shown(fast.values) == [utc("2024-03-01 09:00")] * 4 + [
        utc("2024-03-01 03:30:00.123456"),
        None,
    ]
    assert not fast.bad.any()


def test_naive_values_in_the_source_zone_with_dst_gap_and_overlap() -> None:
    fast, general = both(
        [
            "2024-07-01 12:00:00",  # New York summer, −4 → 16:00Z
            "2024-01-15",  # midnight, winter −5 → 05:00Z
            "2024-03-10 02:30:00",  # in the spring gap: shifted forward to 03:00 EDT → 07:00Z
            "2024-11-03 01:30",  # in the autumn overlap: the earlier (EDT, −4) → 05:30Z
        ],
        source_tz="America/New_York",
    )
    assert_same(fast, general)
    assert shown(fast.values) == [
        utc("2024-07-01 16:00"),
        utc("2024-01-15 05:00"),
        utc("2024-03-10 07:00"),
        utc("2024-11-03 05:30"),
    ]
    assert fast.shifted == 2  # the gap and the overlap


def test_invalid_and_other_forms_mixed_with_plain_iso() -> None:
    fast, general = both(
        [
            "2024-03-01T09:00:00Z",  # fast, aware
            "2024-03-01 09:00",  # fast, naive (UTC)
            "not a date",  # unparseable, counted
            "2024-03-01T25:00:00Z",  # hour 25: not the fast shape; unparseable, counted
            "2024/03/01 09:00",  # slashes: general parser → 09:00Z
            " 2024-03-01T09:00:00Z ",  # padded: general parser strips → 09:00Z
            "1709283600",  # epoch seconds: 2024-03-01T09:00Z
            "2024-03-01 09:00:00 UTC",  # named UTC (Chatwoot) → 09:00Z
            "1850-03-01T09:00:00Z",  # outside the fast years: general parser
            "",  # empty: missing, not counted
            "   ",  # blank: missing, not counted
        ]
    )
    assert_same(fast, general)
    nine = utc("2024-03-01 09:00")
    old = utc("1850-03-01 09:00")
    assert shown(fast.values) == [nine, nine, None, None, nine, nine, nine, nine, old, None, None]
    assert fast.bad.tolist() == [False] * 2 + [True] * 2 + [False] * 7


def test_a_fast_shaped_value_that_is_no_date_falls_back_for_the_column() -> None:
    # 2023 is no leap year: Feb 29 matches the fast shape but is no date → Arrow's cast
    # fails; the general parser reads the column and counts that one value.
    fast, general = both(["2023-02-29 10:00", "2024-02-29 10:00", "2024-03-01T09:00:00Z"])
    assert_same(fast, general)
    assert shown(fast.values) == [None, utc("2024-02-29 10:00"), utc("2024-03-01 09:00")]
    assert fast.bad.tolist() == [True, False, False]


def test_day_month_rows_are_settled_per_file_after_the_fast_rows() -> None:
    # file 0 has 25/02 → day first; file 1 has 02/25 → month first. The ISO rows are read by
    # the fast path and leave the per-file day/month decision unchanged.
    values = ["2024-03-01T09:00:00Z", "25/02/2018", "03/02/2018", "02/25/2018", "03/02/2018"]
    file_of = pd.Series([0, 0, 0, 1, 1], index=pd.RangeIndex(10, 15))
    fast, general = both(values, file_of=file_of)
    assert_same(fast, general)
    assert shown(fast.values) == [
        utc("2024-03-01 09:00"),
        utc("2018-02-25"),
        utc("2018-02-03"),  # file 0: day first → 3 February
        utc("2018-02-25"),
        utc("2018-03-02"),  # file 1: month first → 2 March
    ]


def test_date_format_skips_the_fast_path() -> None:
    # With --date-format every value is read with that format: an ISO value is unparseable.
    fast, general = both(["2024-03-01 09:00", "01.03.2024 09:00"], date_format="%d.%m.%Y %H:%M")
    assert_same(fast, general)
    assert shown(fast.values) == [None, utc("2024-03-01 09:00")]


def test_ints_fast_path_agrees_with_the_general_parser() -> None:
    raw = pd.Series(
        ["1", "007", "2.0", "2.5", "-1", " 3", "x", "", None, "999999999999999", "1e3"],
        dtype="str",
        index=pd.RangeIndex(5, 16),
    )
    fast, general = parse_ints(raw), _parse_counts(raw)
    assert str(fast.values.dtype) == str(general.values.dtype) == "Int64"
    assert shown(fast.values) == shown(general.values)
    assert fast.bad.tolist() == general.bad.tolist()
    # digits as they are; 2.0 and 1e3 are whole; 2.5, −1 and x are counted; blanks are not
    assert shown(fast.values) == [1, 7, 2, None, None, 3, None, None, None, 999999999999999, 1000]
    assert fast.bad.tolist() == [False] * 3 + [True] * 2 + [False] + [True] + [False] * 4


@pytest.mark.parametrize("first", ["2024-03-01 18:00", "2024-03-01T09:00:00Z", "garbage", None])
def test_the_first_value_only_orders_the_shapes(first: str | None) -> None:
    # Tokyo is +09:00: naive 18:00 → 09:00Z; whichever shape comes first, all are read.
    fast, general = both(
        [first, "2024-03-01 18:00", "2024-03-01T09:00:00Z", "2024-03-01T18:00:00+09:00"],
        source_tz="Asia/Tokyo",
    )
    assert_same(fast, general)
    nine = utc("2024-03-01 09:00")
    assert shown(fast.values)[1:] == [nine] * 3
    assert shown(fast.values)[0] == (None if first in ("garbage", None) else nine)
    assert fast.bad.tolist() == [first == "garbage", False, False, False]


@pytest.mark.parametrize(
    ("values", "aware", "expected"),
    [
        (["2024-01-01T00:00:57Z", None, "2023-12-31T23:59:59Z"], True, True),
        # two widths: the odd block is matched by the regex, which takes both
        (["2024-01-01T00:00:57Z", "2024-01-01T00:00:57+01:00"], True, True),
        (["", "2024-01-01T00:00:57Z", ""], True, True),  # blanks are missing values
        (["2024-01-01T00:00:57Z", " "], True, False),  # a space is another width
        (["2024-01-01 00:00:57", "2024-01-01 00:00:5x"], False, False),  # a letter for a digit
        (["2024-01-01 00:00:57", "2024-01-01T00:00:57"], False, True),  # another separator
        (["2024-01-01 00:00:57", "1899-01-01 00:00:57"], False, False),  # year outside 19xx/20xx
        (["2024-01-01 00:00:57", "2099-12-31 23:59:59"], False, True),
        (["2024-13-01 00:00:57"], False, False),  # the first value's form must be the shape
        ([None, None], False, False),
    ],
)
def test_uniform_fixed_width_forms_skip_the_regex(
    values: list[str | None], aware: bool, expected: bool
) -> None:
    import pyarrow as pa

    from cskpi.load.parse.times import _FAST_AWARE_RE, _FAST_NAIVE_RE, _uniform

    shape = _FAST_AWARE_RE if aware else _FAST_NAIVE_RE
    for kind in (pa.string(), pa.large_string()):
        array = pa.array(values, kind)
        found = _uniform(array, shape)
        assert (found is not None) is expected
        if found is not None:  # blanks become nulls, nothing else changes; all rows read
            assert found[0].to_pylist() == [v or None for v in values]
            assert found[1] is None
        # a slice (non-zero offset) and a chunked column read the same
        assert (_uniform(pa.array(["junk", *values], kind).slice(1), shape) is not None) is expected
        assert (_uniform(pa.chunked_array([array]), shape) is not None) is expected


def test_a_few_odd_values_leave_the_rest_on_the_fast_path() -> None:
    import pyarrow as pa

    from cskpi.load.parse.times import _FAST_AWARE_RE, _uniform

    # 300 rows in three reader blocks; the middle one holds a typo, a blank and a value of
    # another width: 1 odd value of 300 (under 1 %) is left to the general parser
    good = [f"2024-01-{d:02d}T00:00:57Z" for d in range(1, 29)] * 4
    middle = [*good[:97], "2024-01-01T00:00Zx", "", "2024-01-01T00:00:57+01:00"]
    column = pa.chunked_array([good[:100], middle, good[:100]], type=pa.large_string())
    found = _uniform(column, _FAST_AWARE_RE)
    assert found is not None
    values, read = found
    assert read is not None
    unread = [i for i, ok in enumerate(read.to_pylist()) if not ok]
    assert unread == [197]  # the typo only: the blank is read (missing), +01:00 by the regex
    assert values[197].as_py() is None and values[198].as_py() is None
    assert values[199].as_py() == "2024-01-01T00:00:57+01:00"
    # two odd values in 100 (2 %): the whole column takes the regex
    assert _uniform(pa.array([*good[:98], "x", "y"]), _FAST_AWARE_RE) is None
    # what parse_times makes of it equals the general parser
    raw = pd.Series(column.to_pylist(), dtype="str")
    fast, slow = parse_times(raw, "c", TimeOptions()), _parse_text(raw, "c", TimeOptions())
    assert fast.values.equals(slow.values)
    assert fast.bad.tolist() == slow.bad.tolist()
    assert fast.bad.sum() == 1 and bool(fast.bad.iloc[197])


def test_uniform_column_parses_like_the_general_parser() -> None:
    """A fixed-width column takes the byte-matrix check, not the regex; the values are the
    general parser's (2024-03-10T02:30 in New York falls in the spring gap: shifted)."""
    raw = pd.Series(["2024-03-10 02:30:00", "2024-01-01 12:00:00", None, ""], dtype="str")
    options = TimeOptions(source_tz="America/New_York")
    fast = parse_times(raw, "created", options)
    slow = _parse_text(raw, "created", options)
    assert fast.values.equals(slow.values)
    assert fast.bad.tolist() == slow.bad.tolist() == [False, False, False, False]
    assert fast.shifted == slow.shifted == 1


ID_TEXT = st.one_of(
    st.none(),
    st.sampled_from(["", " ", "T1", "T2 ", " T3", "\tT4", "T5\u00a0", "\u00e9T6", "T7\x1f", "007"]),
    st.text(max_size=5),
)


@settings(max_examples=200, deadline=None)
@given(values=st.lists(ID_TEXT, max_size=12))
def test_ids_without_spaces_skip_the_strip(values: list[str | None]) -> None:
    from cskpi.load.parse import parse_ids
    from cskpi.load.parse.values import _clean_ids

    raw = pd.Series(values, dtype="str")
    text = raw.str.strip()
    reference = text.where(raw.notna() & (text != "")).astype("str")
    got = parse_ids(raw)
    assert got.dtype == reference.dtype
    assert got.equals(reference)
    if all(v is None or (v == v.strip() and v.isascii() and v.isprintable()) for v in values):
        assert _clean_ids(raw) is not None  # nothing to strip: the text is not copied
