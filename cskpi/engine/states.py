"""Customer states per group and period bucket: the rows of the `window start/end` anchor.

A customer is **active at instant t** when `started_at < t ≤ ended_at` (an empty `ended_at`
is +∞): a customer who starts exactly at a bucket's start is new in that bucket, one who
ends exactly at it churns in it. For bucket `[b0, b1)`:

- `active_start` / `active_end`: customers active at `b0` / at `b1`;
- `churned_start`: customers active at `b0` whose `ended_at` is in the bucket (the starting
  cohort's churn); `churned`: every `ended_at` in the bucket (new customers' too);
- `started`: `started_at` in the bucket;
- `mrr_start` / `mrr_end`: Σ `mrr` of the customers active at `b0` / `b1` that have one
  (`*_n`: how many);
- `exposure`: customer-months lived inside the bucket (the overlap of `[started_at,
  ended_at)` with it, in months of `MONTH_SECONDS`); `exposure_mrr`: the same over customers
  with an `mrr`; `revenue`: Σ `mrr` × months lived inside the bucket.

Each customer adds to a contiguous range of buckets, so every array comes from one
difference array (`bincount` at both ends of the range, `cumsum` along buckets) — no row
× bucket expansion, like the backlog. A bucket has a row when some customer is active at its
start or end, or starts or ends in it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cskpi.arrays import NAT, times_us

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

MONTH_SECONDS = 365.2425 / 12 * 86400
"""The mean Gregorian month (30.436875 days): what `mrr` is per."""


def customer_states(
    frame: pd.DataFrame, by: np.ndarray, edges: np.ndarray
) -> tuple[np.ndarray, dict[str, Any], np.ndarray]:
    """(keys with a row, {state: (keys, values)}, mask of customers relevant to some bucket);
    keys are `group × len(buckets) + bucket`."""
    import numpy as np

    nb = len(edges) - 1
    nby = int(by.max()) + 1 if len(by) else 1
    start = times_us(frame["started_at"])
    end = times_us(frame["ended_at"]) if "ended_at" in frame else np.full(len(frame), NAT)
    end = np.where(end == NAT, np.iinfo("int64").max, end)
    mrr = (
        frame["mrr"].astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
        if "mrr" in frame
        else np.full(len(frame), np.nan)
    )
    has_mrr = ~np.isnan(mrr)
    mrr0 = np.where(has_mrr, mrr, 0.0)
    width = nb + 1

    def ranged(
        lo: np.ndarray,
        hi: np.ndarray,
        mask: np.ndarray | None = None,
        weights: np.ndarray | None = None,
    ) -> np.ndarray:
        """Per key: Σ weight (or count) of customers whose bucket range [lo, hi) holds it."""
        live = lo < hi if mask is None else mask & (lo < hi)
        w = None if weights is None else weights[live]
        diff = np.bincount(by[live] * width + lo[live], w, minlength=nby * width) - np.bincount(
            by[live] * width + hi[live], w, minlength=nby * width
        )
        out: np.ndarray = np.cumsum(diff.reshape(nby, width), axis=1)[:, :nb].ravel()
        return out

    def at(bucket: np.ndarray, mask: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        """Per key: Σ weight (or count) of customers placed in one bucket each."""
        ok = mask & (bucket >= 0) & (bucket < nb)
        w = None if weights is None else weights[ok]
        out: np.ndarray = np.bincount(by[ok] * nb + bucket[ok], w, minlength=nby * nb)
        return out

    firsts, lasts = edges[:-1], edges[1:]
    a_lo = np.asarray(np.searchsorted(firsts, start, side="right"))  # b0 > started_at
    a_hi = np.asarray(np.searchsorted(firsts, end, side="right"))  # b0 ≤ ended_at
    z_lo = np.asarray(np.searchsorted(lasts, start, side="right"))
    z_hi = np.asarray(np.searchsorted(lasts, end, side="right"))
    ended_in = np.asarray(np.searchsorted(edges, end, side="right")) - 1
    started_in = np.asarray(np.searchsorted(edges, start, side="right")) - 1
    everyone: np.ndarray = np.ones(len(frame), dtype=bool)
    cohort = start < edges[np.clip(ended_in, 0, nb)]
    months = exposure_months(start, end, edges, ranged, at)
    state = {
        "active_start": ranged(a_lo, a_hi),
        "active_end": ranged(z_lo, z_hi),
        "churned_start": at(ended_in, cohort),
        "churned": at(ended_in, everyone),
        "started": at(started_in, everyone),
        "mrr_start": ranged(a_lo, a_hi, has_mrr, mrr0),
        "mrr_start_n": ranged(a_lo, a_hi, has_mrr),
        "mrr_end": ranged(z_lo, z_hi, has_mrr, mrr0),
        "mrr_end_n": ranged(z_lo, z_hi, has_mrr),
        "exposure": months(everyone, None),
        "exposure_mrr": months(has_mrr, None),
        "revenue": months(has_mrr, mrr0),
    }
    relevant = ranged(z_lo, a_hi)
    keys = np.flatnonzero(relevant > 0)
    return keys, {name: (keys, values[keys]) for name, values in state.items()}, z_lo < a_hi


def exposure_months(
    start: np.ndarray, end: np.ndarray, edges: np.ndarray, ranged: Any, at: Any
) -> Any:
    """A function (mask, weights) → per key Σ weight × months of `[start, end)` inside the
    bucket: the partial first and last buckets placed directly, whole buckets in between
    through the difference array."""
    import numpy as np

    nb = len(edges) - 1
    lo = np.maximum(start, edges[0])
    hi = np.minimum(end, edges[-1])
    valid = lo < hi
    first = np.searchsorted(edges, lo, side="right") - 1
    last = np.searchsorted(edges, hi, side="left") - 1
    lengths = np.diff(edges).astype("float64")
    single = valid & (first == last)
    multi = valid & (first < last)
    head = (edges[np.clip(first + 1, 0, nb)] - lo).astype("float64")
    tail = (hi - edges[np.clip(last, 0, nb)]).astype("float64")
    whole = (hi - lo).astype("float64")
    us = MONTH_SECONDS * 1e6

    def months(mask: np.ndarray, weights: np.ndarray | None) -> np.ndarray:
        w = np.ones(len(start)) if weights is None else weights
        inner = ranged(first + 1, last, mask & multi, w)
        nby = len(inner) // max(nb, 1)
        total = (
            at(first, mask & single, w * whole)
            + at(first, mask & multi, w * head)
            + at(last, mask & multi, w * tail)
            + inner * np.tile(lengths, nby)
        )
        out: np.ndarray = total / us
        return out

    return months
