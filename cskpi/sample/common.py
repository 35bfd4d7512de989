"""Helpers both sample generators share: id text, ISO timestamps as Arrow text, weighted
category draws, and the region mix (customers and tickets agree on it)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa

DAY = 86400
REGIONS = ("EMEA", "NA", "APAC", "LATAM")
REGION_W = (0.40, 0.35, 0.15, 0.10)


def ids(prefix: str, numbers: Any, width: int, missing: Any) -> pa.Array:
    import pyarrow as pa
    import pyarrow.compute as pc

    digits = pc.utf8_lpad(pc.cast(pa.array(numbers, mask=missing), pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, digits, "")


def iso_text(seconds: Any, valid: Any) -> pa.Array:
    """`2024-01-03T09:15:27Z` (null where not valid), by lookup of day and time-of-day text."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    if not valid.any():
        return pa.nulls(len(seconds), pa.string())
    day = seconds // DAY
    first, last = int(day[valid].min()), int(day[valid].max())
    days = pa.array(np.datetime_as_string(np.arange(first, last + 1).astype("datetime64[D]")))
    day_text = days.take(pa.array(np.where(valid, day - first, 0), mask=~valid))
    return pc.binary_join_element_wise(day_text, clock_text().take(seconds % DAY), "")


@lru_cache(maxsize=1)
def clock_text() -> pa.Array:
    """'T00:00:00Z' ... 'T23:59:59Z', indexed by second of the day."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    stamps = np.datetime_as_string(np.arange(DAY).astype("datetime64[s]"), unit="s")
    return pc.binary_join_element_wise(pc.utf8_slice_codeunits(pa.array(stamps), 10), "Z", "")


def bucket(u: Any, weights: Sequence[float]) -> Any:
    """Category codes (int8) for uniforms `u` in [0, 1) under `weights`."""
    import numpy as np

    cum = np.cumsum(weights) / np.sum(weights)
    return np.searchsorted(cum[:-1], u, side="right").astype(np.int8)
