"""The grouped view of one anchor that every KPI function receives (DECISIONS 34).

Rows of the anchor that fall in the window carry a dense integer group index (`codes`, in
`0..ngroups-1`, shared by every anchor of the report). KPI functions reduce value columns per
group with `bincount` and one shared sort per column for percentiles — never a Python call per
group. Empty populations give NaN values (rendered as null) and `n = 0`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar, Union, overload

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

from cskpi.arrays import NAT, times_us

T = TypeVar("T")


_BLOCK = 1 << 20
"""Rows per block where a column is converted a block at a time (8 MB of float64)."""


def _gather(values: np.ndarray, where: np.ndarray) -> np.ndarray:
    """`values[where]`, a block of positions at a time: int32 positions are widened to
    numpy's index type one block at a time, not all at once."""
    import numpy as np

    out: np.ndarray = np.empty(len(where), dtype=values.dtype)
    for at in range(0, len(where), _BLOCK):  # blocks of rows, not rows
        np.take(values, where[at : at + _BLOCK], out=out[at : at + _BLOCK])
    return out


def as_floats(values: Any) -> np.ndarray:
    """A numeric, boolean or numeric-text array as float64 with NaN for missing."""
    import numpy as np
    import pandas as pd

    if pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype):
        return np.asarray(values.to_numpy(dtype="float64", na_value=np.nan))
    return np.asarray(values.astype("Float64").to_numpy(dtype="float64", na_value=np.nan))


class Rows:
    """Some rows of a frame, taken column by column when first asked for.

    An anchor's in-window rows are most of a large frame, and a KPI reads a few of its
    columns: copying the whole frame per anchor cost a second and a copy of every column
    (ticket ids included) on 10 million tickets. Supports what KPI functions use of a frame:
    `rows[column]` (a Series, cached), `rows[[columns]]`, `len`, `in` and `columns`. Taken
    rows are numbered 0..n-1 (as the per-row arrays KPIs compute), not by source row.
    """

    def __init__(self, source: pd.DataFrame, mask: np.ndarray) -> None:
        self._source = source
        self._mask = mask
        self._count = int(mask.sum())
        self._every = self._count == len(source)
        """Every row (a window that holds all the data): columns are read in place."""
        self._where: np.ndarray | None = None
        self._taken: dict[str, pd.Series] = {}

    @property
    def _positions(self) -> np.ndarray:
        """Row positions, found when a column is first taken (anchors wait their turn)."""
        import numpy as np

        if self._where is None:
            # int32 where they fit: half the memory, held for the anchor's life; found a
            # block at a time straight into them, and read a block at a time (`_gather`),
            # so never held as int64 at full length
            mask = self._mask
            where: np.ndarray = np.empty(
                self._count, dtype=np.int32 if len(mask) < 2**31 else np.int64
            )
            filled = 0
            for at in range(0, len(mask), _BLOCK):  # blocks of rows, not rows
                found = np.flatnonzero(mask[at : at + _BLOCK])
                found += at
                where[filled : filled + len(found)] = found
                filled += len(found)
            self._where = where
        return self._where

    def __len__(self) -> int:
        return self._count

    def __contains__(self, column: object) -> bool:
        return column in self._source.columns

    @property
    def columns(self) -> pd.Index:
        return self._source.columns

    def times(self, column: str, at: np.ndarray | None = None) -> np.ndarray:
        """`times_us` of a column's rows (or of the rows `at`, positions among them), without
        taking the column itself."""
        if column in self._taken:
            found = times_us(self._taken[column])
            return found if at is None else found[at]
        if at is not None:
            values = times_us(self._source[column])
            return values[at] if self._every else _gather(values, self._positions[at])
        if self._every:  # the frame's own buffer: read-only, so no KPI can write into it
            found = times_us(self._source[column]).view()
            found.flags.writeable = False
            return found
        return _gather(times_us(self._source[column]), self._positions)

    def taken(self, *columns: str) -> bool:
        """Whether any of `columns` has been taken (`rows[column]`)."""
        return any(column in self._taken for column in columns)

    def spans(
        self, start: str, end: str, measure: Callable[[np.ndarray, np.ndarray], np.ndarray]
    ) -> np.ndarray:
        """`measure(start times, end times)` of the rows, float64: for a measure where each
        row's value depends on that row only, this is the measure of all the rows, without
        gathering either column at full length (`_per_block`)."""
        import numpy as np

        first, last = times_us(self._source[start]), times_us(self._source[end])
        return self._per_block([first, last], measure, np.float64)

    def present(self, column: str) -> np.ndarray:
        """Whether each row's time in `column` is present (not NaT), with no gathered copy of
        the times (`_per_block`)."""
        return self._per_block([times_us(self._source[column])], lambda v: v != NAT, bool)

    def floats(self, column: str) -> np.ndarray:
        """A numeric or boolean column's rows as float64, NaN for missing (`as_floats`),
        converted a block of rows at a time straight into the result: no taken copy of the
        column (with its mask) is made on the way."""
        import numpy as np

        return self._per_block([self._source[column].array], as_floats, np.float64)

    def _per_block(self, sources: list[Any], rule: Callable[..., Any], dtype: Any) -> np.ndarray:
        """`rule` of the rows' values of `sources` (arrays over every row of the frame: NumPy
        or pandas), a block of rows at a time, into one array of the rows' size."""
        import numpy as np

        out: np.ndarray = np.empty(self._count, dtype=dtype)
        where = None if self._every else self._positions
        for at in range(0, self._count, _BLOCK):  # blocks of rows, not rows
            rows = slice(at, at + _BLOCK)
            out[rows] = rule(*(s[rows] if where is None else s.take(where[rows]) for s in sources))
        return out

    def floats_of(self, column: str, rows: slice) -> np.ndarray:
        """`floats(column)[rows]`, converting only those rows."""
        values = self._source[column].array
        if self._every:
            return as_floats(values[rows])
        return as_floats(values.take(self._positions[rows]))

    def _take(self, key: str) -> pd.Series:
        """The rows of one column, numbered 0..n-1: `iloc` would also build an index of
        the positions (80 MB on 10 million tickets) that no KPI reads."""
        import pandas as pd

        return pd.Series(self._source[key].array.take(self._positions), name=key, copy=False)

    @overload
    def __getitem__(self, key: str) -> pd.Series: ...

    @overload
    def __getitem__(self, key: list[str]) -> pd.DataFrame: ...

    def __getitem__(self, key: str | list[str]) -> pd.Series | pd.DataFrame:
        if self._every:
            return self._source[key]
        if isinstance(key, list):
            import pandas as pd

            return pd.DataFrame(
                {k: self[k] for k in key}, index=pd.RangeIndex(len(self)), copy=False
            )
        if key not in self._taken:
            self._taken[key] = self._take(key)
        return self._taken[key]


Table = Union["pd.DataFrame", Rows]
"""A frame, or some rows of one (`Rows`): what KPI functions read as `GroupView.frame`."""


@dataclass
class GroupView:
    """In-window rows of one anchor with their group index, plus shared reductions."""

    frame: Table
    codes: np.ndarray
    ngroups: int
    group_bucket: np.ndarray
    """Per group: the index of its period bucket (0 without --period)."""
    has_by: bool
    """Whether the report groups by any column (some KPIs are null per group then)."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Anchor-specific precomputed arrays (e.g. backlog counts per group)."""
    _sorted: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = field(
        default_factory=dict, repr=False
    )
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)
    _read: set[str] = field(default_factory=set, repr=False)
    """Keys of `_cache` and `_sorted` read since `forget_unread`."""

    def cached(self, key: str, compute: Callable[[], T]) -> T:
        """A per-row result shared by several KPIs of this view (e.g. SLA outcomes)."""
        self._read.add(key)
        if key not in self._cache:
            self._cache[key] = compute()
        result: T = self._cache[key]
        return result

    def forget_unread(self) -> None:
        """Drop the shared values that the KPI just computed did not read, and start over.

        The engine runs an anchor's KPIs in registry order, where the KPIs that share a
        value are neighbours (the FRT family, the SLA pair): a value lives while they run
        and is let go after, not kept to the anchor's last KPI (80 MB per value on 10
        million tickets). A later KPI that reads it again computes it again."""
        for key in [k for k in self._cache if k not in self._read]:
            del self._cache[key]
        for key in [k for k in self._sorted if f"sorted:{k}" not in self._read]:
            del self._sorted[key]
        self._read = set()

    # -- columns ---------------------------------------------------------------------------
    def has(self, column: str) -> bool:
        return column in self.frame.columns

    def times(self, column: str, at: np.ndarray | None = None) -> np.ndarray:
        """`times_us` of the column's rows, or of the rows `at` (positions in the view). Not
        cached: taking them again is a gather (30 ms on 10 million rows), and a view that kept
        every time column its KPIs read held 80 MB per column to its last KPI; per-row results
        built from them are cached."""
        frame = self.frame
        if isinstance(frame, Rows):
            return frame.times(column, at)
        found = times_us(frame[column])
        return found if at is None else found[at]

    def present(self, column: str) -> np.ndarray:
        """Whether each row's time in `column` is present (not NaT)."""
        import numpy as np

        frame = self.frame
        if isinstance(frame, Rows) and column not in frame._taken:
            return frame.present(column)
        return np.asarray(self.times(column) != NAT)

    def floats(self, column: str) -> np.ndarray:
        """A numeric/boolean column as float64 with NaN for missing."""
        frame = self.frame
        if isinstance(frame, Rows) and column not in frame._taken:
            return frame.floats(column)
        return as_floats(frame[column].array)

    def per_block(
        self,
        columns: list[str],
        rule: Callable[[dict[str, np.ndarray], int], tuple[np.ndarray, ...]],
    ) -> tuple[np.ndarray, ...]:
        """`rule(floats of the columns, number of rows)`, a block of rows at a time, its
        per-row results put together: for a rule where each row's results depend on that
        row only (flags and masks of a few numeric columns), this is the rule on all the
        rows, without a float64 copy of each column at full length."""
        import numpy as np

        frame = self.frame
        n = len(frame)
        if not isinstance(frame, Rows) or frame.taken(*columns):
            return rule({c: self.floats(c) for c in columns}, n)
        outs: tuple[np.ndarray, ...] = ()
        for at in range(0, n, _BLOCK):  # blocks of rows, not rows
            rows = slice(at, min(at + _BLOCK, n))
            found = rule({c: frame.floats_of(c, rows) for c in columns}, rows.stop - at)
            if not outs:
                outs = tuple(np.empty(n, dtype=part.dtype) for part in found)
            for out, part in zip(outs, found, strict=True):
                out[rows] = part
        return outs or rule({c: np.zeros(0) for c in columns}, 0)

    # -- reductions --------------------------------------------------------------------------
    # A block of rows at a time, summed into the groups with `np.add.at`: in row order, as
    # `bincount` adds, so sums are the same to the bit; the rows' masks, codes and values
    # are taken a block (1 MiB rows) at a time, never as arrays of the view's size, which
    # each were fresh memory (DECISIONS 34; issue 21).
    def count(self, mask: np.ndarray | None = None) -> np.ndarray:
        import numpy as np

        if mask is None:
            return np.bincount(self.codes, minlength=self.ngroups).astype("int64")
        out: np.ndarray = np.zeros(self.ngroups, dtype=np.int64)
        for at in range(0, len(self.codes), _BLOCK):  # blocks of rows, not rows
            rows = slice(at, at + _BLOCK)
            np.add.at(out, self.codes[rows][mask[rows]], 1)
        return out

    def sum(self, values: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
        import numpy as np

        total: np.ndarray = np.zeros(self.ngroups, dtype=np.float64)
        for at in range(0, len(self.codes), _BLOCK):  # blocks of rows, not rows
            rows = slice(at, at + _BLOCK)
            block = values[rows]
            keep = ~np.isnan(block)
            if mask is not None:
                keep &= mask[rows]
            np.add.at(total, self.codes[rows][keep], block[keep])
        return total

    def mean(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mean of the non-NaN values per group, and their count."""
        import numpy as np

        n: np.ndarray = np.zeros(self.ngroups, dtype=np.int64)
        total: np.ndarray = np.zeros(self.ngroups, dtype=np.float64)
        for at in range(0, len(self.codes), _BLOCK):  # blocks of rows, not rows
            rows = slice(at, at + _BLOCK)
            block = values[rows]
            keep = ~np.isnan(block)
            codes = self.codes[rows][keep]
            np.add.at(n, codes, 1)
            np.add.at(total, codes, block[keep])
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(n > 0, total / np.maximum(n, 1), np.nan), n

    def share(self, hit: np.ndarray, population: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Share of `population` rows that are `hit`, per group: (ratio, denominator)."""
        import numpy as np

        n: np.ndarray = np.zeros(self.ngroups, dtype=np.int64)
        k: np.ndarray = np.zeros(self.ngroups, dtype=np.int64)
        for at in range(0, len(self.codes), _BLOCK):  # blocks of rows, not rows
            rows = slice(at, at + _BLOCK)
            codes = self.codes[rows][population[rows]]
            np.add.at(n, codes, 1)
            np.add.at(k, codes[hit[rows][population[rows]]], 1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(n > 0, k / np.maximum(n, 1), np.nan), n

    def quantile(self, values: np.ndarray, q: float, key: str) -> tuple[np.ndarray, np.ndarray]:
        """Linear-interpolation quantile per group (numpy's default), one sort per `key`."""
        import numpy as np

        self._read.add(f"sorted:{key}")
        if key not in self._sorted:
            self._sorted[key] = _sorted_by_group(values, self.codes, self.ngroups)
        vals, n, starts = self._sorted[key]
        out = np.full(self.ngroups, np.nan)
        has = n > 0
        pos = (n[has] - 1) * q
        lo = np.floor(pos).astype("int64")
        hi = np.minimum(lo + 1, n[has] - 1)
        base = starts[has]
        low_v, high_v = vals[base + lo], vals[base + hi]
        out[has] = low_v + (high_v - low_v) * (pos - lo)
        return out, n.astype("int64")

    def distinct(self, labels: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Number of distinct non-negative integer `labels` among `mask` rows, per group."""
        import numpy as np

        codes, lab = self.codes[mask], labels[mask]
        if not len(codes):
            return np.zeros(self.ngroups, dtype="int64")
        pairs = np.unique(codes.astype("int64") * (int(lab.max()) + 1) + lab)
        return np.bincount(pairs // (int(lab.max()) + 1), minlength=self.ngroups).astype("int64")


def _sorted_by_group(
    values: np.ndarray, codes: np.ndarray, ngroups: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The non-NaN `values` ordered by group code, then by value; per group their count and
    where they start.

    Durations are whole microseconds in seconds (`span`): when every value survives the
    round trip to an integer count of microseconds, (group, microseconds) packs into one
    int64 and a plain `np.sort` orders both at once (no argsort, no gather); the values are
    then rebuilt bit for bit. The values are read a block at a time twice (to find their
    range and check the round trip, then to pack them), so the sort holds one array of the
    kept values' size, sorted in place. Otherwise: a float argsort, then a stable radix sort
    by group.
    """
    import numpy as np

    n: np.ndarray = np.zeros(ngroups, dtype=np.int64)
    low, high, exact = np.inf, -np.inf, True
    for at in range(0, len(values), _BLOCK):  # blocks of rows, not rows
        block = values[at : at + _BLOCK]
        keep = ~np.isnan(block)
        np.add.at(n, codes[at : at + _BLOCK][keep], 1)
        block = block[keep]
        if len(block):
            micros = np.rint(block * 1e6)
            low, high = min(low, float(micros.min())), max(high, float(micros.max()))
            exact = exact and np.array_equal(micros / 1e6, block)
    starts = np.concatenate(([0], np.cumsum(n)[:-1])).astype(np.int64)
    total = int(n.sum())
    span_bits = int(high - low).bit_length() if total and np.isfinite(high - low) else 64
    group_bits = max(int(ngroups - 1).bit_length(), 0)
    if total and exact and span_bits + group_bits <= 62 and abs(low) < 2**53 and abs(high) < 2**53:
        packed: np.ndarray = np.empty(total, dtype=np.int64)
        filled = 0
        for at in range(0, len(values), _BLOCK):  # blocks of rows, not rows
            block = values[at : at + _BLOCK]
            keep = ~np.isnan(block)
            micros = np.rint(block[keep] * 1e6).astype(np.int64)
            micros -= np.int64(low)
            part = packed[filled : filled + len(micros)]
            np.left_shift(codes[at : at + _BLOCK][keep], span_bits, out=part, dtype=np.int64)
            part |= micros
            filled += len(micros)
        packed.sort()
        packed &= np.int64((1 << span_bits) - 1)
        packed += np.int64(low)
        # in place: each block is read before it is written
        out: np.ndarray = packed.view(np.float64)
        for at in range(0, len(packed), _BLOCK):
            out[at : at + _BLOCK] = packed[at : at + _BLOCK] / 1e6
        return out, n, starts
    keep = ~np.isnan(values)
    vals, kept = values[keep], codes[keep]
    del keep
    order = np.argsort(vals)
    small = kept[order].astype(np.int16 if ngroups < 2**15 else np.int64)
    order = order[np.argsort(small, kind="stable")]
    return np.asarray(vals[order]), n, starts
