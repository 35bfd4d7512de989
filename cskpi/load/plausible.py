"""Implausible timestamps (DECISIONS 40): before 1970-01-01, or more than a day after "now".

A `9999-12-31` that a warehouse export writes for "never", or a year typed as 2204, is no
moment the export can reflect: left in, it becomes the default `as_of` and stretches the
default window over centuries. Such a value is treated as missing for its field and counted
under `implausible_<column>`; the loaders decide whether that drops the row (the time that
places it: a ticket's `created_at`, a survey's `submitted_at`, ...) or only empties the value.

"Now" is the run's clock, read once at the edge (the command line, `cskpi.load`) and passed
down in `LoadOptions.now`; nothing here reads the clock. An explicit `--as-of` later than the
clock takes its place. Without a `now` (a caller below the edge that passed none) only the
1970 bound applies.

One comparison per bound on the int64 microseconds of each column: cheap at 10 M rows.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from cskpi.arrays import NAT, times_us

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

SLACK = timedelta(days=1)
"""How far after "now" a timestamp may lie: clocks and zones of the exporting system."""
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def latest_us(now: datetime | None) -> int | None:
    """The last plausible instant (`now` + `SLACK`) in µs since the epoch; None without `now`.
    A naive `now` is UTC."""
    if now is None:
        return None
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    micro = timedelta(microseconds=1)
    return (now - _EPOCH) // micro + SLACK // micro  # no datetime past year 9999 is made


def implausible(values: pd.Series, now: datetime | None) -> np.ndarray | None:
    """The mask of `values` (a UTC timestamp column) before 1970-01-01 or after `now` +
    `SLACK`; missing values never are. None when no value is implausible (the common case:
    nothing to mask or count)."""
    import pandas as pd

    if not len(values) or not isinstance(values.dtype, pd.DatetimeTZDtype):
        return None
    us = times_us(values)
    late = latest_us(now)
    mask: np.ndarray = us < 0
    if mask.any():
        mask &= us != NAT  # missing is the smallest int64, not a moment before 1970
    if late is not None:
        mask |= us > late
    return mask if mask.any() else None


def without(values: pd.Series, mask: np.ndarray) -> pd.Series:
    """`values` with the masked ones missing (a new column; the given one is not written)."""
    import pandas as pd

    return values.mask(pd.Series(mask, index=values.index))
