"""Array helpers every layer shares: the missing-time sentinel, UTC times as int64
microseconds, the rule for integer keys few enough to count, lookups in place, and
membership masks.

Times inside the engine are int64 microseconds since the epoch with `NAT` for missing
(docs/DECISIONS.md 23): comparisons and bucket searches on them are plain integer work.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

NAT = -(2**63)


def countable(span: int, rows: int) -> bool:
    """Whether integer keys spanning `span` values over `rows` rows are few enough to count
    with `bincount` or index with a direct table (a few times the rows), instead of sorting
    or hashing them."""
    return span <= 4 * rows + 1_000_000


BLOCK = 1 << 20
"""Rows per block where a per-row array is remade a block at a time."""


def look_up(codes: np.ndarray, table: np.ndarray) -> np.ndarray:
    """`table[codes]`, written over `codes` where it fits (`remap`): a remap of per-row codes
    (label index → group code) makes no second array of the rows' size. Callers hand `codes`
    over."""
    return remap(codes, lambda block: table[block])


def remap(codes: np.ndarray, index: Callable[[np.ndarray], Any]) -> np.ndarray:
    """`index(codes)` for an `index` that maps each value on its own, written over `codes` a
    block at a time when the values it gives fit their type; otherwise (or when `codes` is
    read-only) a new array. Callers hand `codes` over."""
    import numpy as np

    kind = np.asarray(index(codes[:0])).dtype
    if not codes.flags.writeable or not np.can_cast(kind, codes.dtype, casting="safe"):
        return np.asarray(index(codes))
    for at in range(0, len(codes), BLOCK):  # blocks of rows, not rows
        codes[at : at + BLOCK] = index(codes[at : at + BLOCK])
    return codes


def times_us(series: pd.Series) -> np.ndarray:
    """UTC timestamp column → int64 microseconds since the epoch, NaT as `NAT`.

    A microsecond column (what the loaders make) is read in place, without a copy."""
    import numpy as np
    import pandas as pd

    if isinstance(series.dtype, pd.DatetimeTZDtype) and series.dtype.unit == "us":
        return np.asarray(series.array.asi8)  # epoch-based whatever the zone
    naive = series.dt.tz_convert("UTC").dt.tz_localize(None).astype("datetime64[us]")
    return np.asarray(naive.to_numpy()).view("int64")


def in_values(column: pd.Series, values: tuple[str, ...]) -> np.ndarray:
    """`column.isin(values)` as a mask; a categorical column by its codes through a table of
    its few categories (10 million statuses: 10 ms where `isin` took 0.2 s)."""
    import numpy as np
    import pandas as pd

    if not isinstance(column.dtype, pd.CategoricalDtype):
        return np.asarray(column.isin(list(values)).to_numpy(dtype=bool))
    hits: np.ndarray = np.append(
        column.cat.categories.isin(list(values)), False
    )  # code -1: missing
    return np.asarray(hits[column.cat.codes.to_numpy()])


def wrap(values: np.ndarray, index: Any = None) -> pd.Series:
    """`values` as a Series without the copy pandas 3 makes of every array it is given
    (10 million timestamps: 80 MB at the parse's peak). A read-only array (a view of Arrow
    memory) is still copied, so that the Series can be written."""
    import pandas as pd

    return pd.Series(values, index=index, copy=not values.flags.writeable)
