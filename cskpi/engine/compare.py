"""`--compare`: the previous value of every KPI, per row and overall (DECISIONS 5, 37, 38).

Without `--period` the rows and `overall` compare with the previous window of entry 5. With
one, each bucket compares with its own previous bucket — the unit just before it, or the same
unit a year earlier (entry 37) — computed in one pass over the previous buckets
(`time.window.previous_buckets`), while `overall` keeps entry 5's previous window.

No data is not zero (entry 38): a previous window or bucket that starts before the first
day (report zone) holding a record of the KPI's anchor is not covered by the inputs, and
every `_previous` there is null, so `_change` is null too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cskpi.arrays import NAT, times_us
from cskpi.engine.passes import run_pass
from cskpi.engine.shaping import attach_previous, overall_change, overall_values
from cskpi.kpis.registry import Anchor

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from cskpi.engine.types import Prepared, ReportRequest
    from cskpi.kpis.registry import Kpi
    from cskpi.time.window import Previous, Window

_TIMES: dict[Anchor, tuple[tuple[str, str], ...]] = {
    Anchor.CREATED: (("tickets", "created_at"),),
    Anchor.WINDOW_END: (("tickets", "created_at"),),
    Anchor.RESOLVED: (("tickets", "resolved_at"),),
    Anchor.SUBMITTED: (("surveys", "submitted_at"),),
    Anchor.ORDERED: (("orders", "ordered_at"),),
    Anchor.WINDOW_BOUNDS: (("customers", "started_at"),),
    Anchor.SCHEDULED: (("schedules", "date"), ("tickets", "resolved_at")),
}
"""The records of each anchor, by (frame, time column); an anchor reading two frames is
covered where both are."""


def _frame(prep: Prepared, name: str) -> pd.DataFrame | None:
    if name == "tickets":
        return prep.tickets
    if name == "surveys":
        return prep.surveys
    found = prep.context.frames.get(name)
    return None if found is None else found.frame


def _earliest_us(prep: Prepared, name: str, column: str) -> int | None:
    import numpy as np

    frame = _frame(prep, name)
    if frame is None or column not in frame or not len(frame):
        return None
    times = times_us(frame[column])
    none = np.iinfo(np.int64).max
    first = int(np.min(times, where=times != NAT, initial=none))
    return None if first == none else first


def anchor_starts(prep: Prepared, tz: str, anchors: set[Anchor]) -> dict[Anchor, int | None]:
    """Per anchor: the start of the first day (in `tz`) holding one of its records, as UTC µs;
    None when the anchor has no record (nothing before any time is covered)."""
    import pandas as pd

    from cskpi.time.window import day_start_us

    out: dict[Anchor, int | None] = {}
    for anchor, sources in _TIMES.items():
        if anchor not in anchors:
            continue
        firsts = [_earliest_us(prep, name, column) for name, column in sources]
        if any(first is None for first in firsts):
            out[anchor] = None
            continue
        latest_first = max(first for first in firsts if first is not None)
        out[anchor] = day_start_us(pd.Timestamp(latest_first, unit="us", tz="UTC"), tz)
    return out


def covered(starts_us: np.ndarray, anchor: Anchor, firsts: dict[Anchor, int | None]) -> np.ndarray:
    """Per previous window or bucket (by its start): whether the inputs cover it."""
    import numpy as np

    first = firsts.get(anchor)
    if first is None:
        return np.zeros(len(starts_us), dtype=bool)
    result: np.ndarray = np.asarray(starts_us) >= first
    return result


def compare(
    kpis: list[Kpi],
    prep: Prepared,
    window: Window,
    request: ReportRequest,
    rows: pd.DataFrame,
    overall: dict[str, Any],
    nby: int,
) -> tuple[pd.DataFrame, dict[str, Any], Previous]:
    """`rows` with `_previous`/`_change` per KPI and `_prev` (the previous bucket of each
    row); `overall` likewise when it was computed; and the previous buckets."""
    import numpy as np

    from cskpi.time.window import bucket_edges, previous_buckets, previous_window

    assert request.compare is not None
    firsts = anchor_starts(prep, window.tz, {k.anchor for k in kpis})
    previous = previous_buckets(
        window, request.window, request.period, request.compare, request.week_start
    )
    # with no --by every previous bucket is a row: a covered bucket with no record is 0
    before, _ = run_pass(
        kpis, prep, previous.window, previous.buckets, prep.by_labels, force_all=nby == 0
    )
    starts = previous.buckets.edges_us[:-1]
    cover = {k.id: covered(starts, k.anchor, firsts) for k in kpis}
    rows = attach_previous(rows, before, kpis, nby, previous.index, cover)
    if overall:
        whole = previous_window(window, request.window, request.compare)
        before_all = overall_values(
            run_pass(kpis, prep, whole, bucket_edges(whole, None), [], force_all=True)[0], kpis
        )
        start = np.array([whole.since_us()], dtype="int64")
        for kpi in kpis:
            if not covered(start, kpi.anchor, firsts)[0]:
                before_all[kpi.id] = None
        overall = overall_change(overall, before_all, kpis)
    return rows, overall, previous
