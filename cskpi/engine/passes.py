"""One pass over a window: per anchor, the in-window rows and their dense group index, then
every requested KPI of that anchor reduces the same grouped view (docs/DECISIONS.md 34).

Group keys are `by code × buckets + bucket`; the keys present on any anchor form the rows of
the result, so a group means the same thing on every anchor. The backlog anchor (window end)
counts open tickets with a difference array instead of rows.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from cskpi.arrays import NAT, countable, look_up, remap, times_us
from cskpi.engine import business_frames as frames
from cskpi.kpis import all_kpis
from cskpi.kpis.registry import Anchor, Kpi
from cskpi.kpis.view import GroupView, Rows, Table

if TYPE_CHECKING:
    from collections.abc import Callable

    import numpy as np
    import pandas as pd

    from cskpi.engine.types import Prepared
    from cskpi.time.window import Buckets, Window


_BLOCK = 1 << 20
"""Rows per block where per-row arrays are made a block at a time (as in `kpis.view`)."""

_ANCHOR_TIME = {
    Anchor.CREATED: "created_at",
    Anchor.RESOLVED: "resolved_at",
    Anchor.SUBMITTED: "submitted_at",
}


@dataclass
class _AnchorRows:
    frame: Table
    keys: np.ndarray
    extra: dict[str, Any]
    mask: np.ndarray


def _anchor_rows(
    anchor: Anchor, prep: Prepared, buckets: Buckets, grouped: bool
) -> _AnchorRows | None:
    import numpy as np

    nb = len(buckets.labels)
    if anchor in frames.ANCHORS:  # business frames
        found = frames.ANCHORS[anchor](prep, buckets, grouped)
        return None if found is None else _AnchorRows(*found)
    if anchor is Anchor.SUBMITTED:
        frame, by = prep.surveys, prep.s_by
    else:
        frame, by = prep.tickets, prep.t_by
    if frame is None or by is None:
        return None
    if not grouped:
        by = np.zeros(len(by), dtype="int64")
    if anchor is Anchor.WINDOW_END:
        return _backlog_rows(frame, by, buckets, prep.context.as_of_us)
    if _ANCHOR_TIME[anchor] not in frame:
        return None
    edges = buckets.edges_us
    column = _ANCHOR_TIME[anchor]
    key = (anchor, int(edges[0]), int(edges[-1]))
    times = times_us(frame[column])  # read once: a conversion unless already µs UTC
    # a block of rows at a time: the mask and the keys are the only arrays of the rows' size
    # made here (each full-length temporary was fresh memory, issue 21)
    if key not in prep.windowed:
        mask: np.ndarray = np.empty(len(times), dtype=bool)
        for at in range(0, len(times), _BLOCK):  # blocks of rows, not rows
            part = times[at : at + _BLOCK]
            np.greater_equal(part, edges[0], out=mask[at : at + _BLOCK])
            mask[at : at + _BLOCK] &= part < edges[-1]
        prep.windowed[key] = mask
    inside = prep.windowed[key]
    rows = Rows(frame, inside)
    # int32 keys where every key fits (by codes × buckets): half the memory
    high = (int(by.max()) + 1) * nb if len(by) else nb
    keys: np.ndarray = np.empty(len(rows), dtype=np.int32 if high < 2**31 else np.int64)
    filled = 0
    for at in range(0, len(times), _BLOCK):  # blocks of rows, not rows
        here = inside[at : at + _BLOCK]
        # in the window, so no -1: the bucket is the last edge at or before the time
        block: np.ndarray = np.asarray(
            np.searchsorted(edges, times[at : at + _BLOCK][here], side="right")
        )
        block -= 1
        wide = by[at : at + _BLOCK][here].astype(np.int64)  # by-codes may be int32: widened
        wide *= nb
        block += wide
        keys[filled : filled + len(block)] = block
        filled += len(block)
    return _AnchorRows(rows, keys, {}, inside)


def _backlog_rows(
    frame: pd.DataFrame, by: np.ndarray, buckets: Buckets, as_of_us: int
) -> _AnchorRows:
    """Tickets open at each bucket end, per group (DECISIONS 15, KPIS.md `backlog`).

    One rule for both edges: the state after the bucket's last instant that has happened,
    `min(end − 1 µs, as_of)` — buckets are half-open, and as_of itself has happened
    (DECISIONS 2). A ticket resolved exactly at a bucket end stays in that bucket's backlog
    (its resolution is counted in the next bucket); one resolved exactly at as_of does not.
    So backlog(k) = backlog(k − 1) + created(k) − resolved(k).

    A ticket is open on buckets `[b0, b1)`: b0 = first bucket ending after its creation, b1 =
    first bucket ending after its resolution; counts come from a difference array.
    """
    import numpy as np

    nb = len(buckets.labels)
    # exclusive ends: `end`, or just after as_of (so that as_of itself has happened)
    ends = np.minimum(buckets.edges_us[1:], as_of_us + 1)
    created = times_us(frame["created_at"])
    resolved = (
        times_us(frame["resolved_at"]) if "resolved_at" in frame else np.full(len(frame), NAT)
    )
    unknown = frame["_resolved_unknown"].to_numpy(dtype=bool)
    b0 = np.asarray(np.searchsorted(ends, created, side="right"))
    b1: np.ndarray = np.where(resolved == NAT, nb, np.searchsorted(ends, resolved, side="right"))
    live = (b0 < b1) & ~unknown
    nby = int(by.max()) + 1 if len(by) else 1
    width = nb + 1
    size = nby * width
    base = by[live].astype(np.int64) * width  # by-codes may be int32: widened first
    diff: np.ndarray = np.bincount(base + b0[live], minlength=size) - np.bincount(
        base + b1[live], minlength=size
    )
    counts = np.cumsum(diff.reshape(nby, width), axis=1)[:, :nb].ravel()
    keys = np.flatnonzero(counts > 0)
    return _AnchorRows(frame.iloc[:0], keys, {"backlog": (keys, counts[keys])}, live)


def run_pass(
    kpis: list[Kpi],
    prep: Prepared,
    window: Window,
    buckets: Buckets,
    by_labels: list[np.ndarray],
    force_all: bool,
) -> tuple[pd.DataFrame, dict[Anchor, np.ndarray]]:
    """One computation over a window: a tidy frame of groups × buckets, and usage masks."""
    import numpy as np
    import pandas as pd

    nb = len(buckets.labels)
    anchors = list(dict.fromkeys(k.anchor for k in kpis))
    rows: dict[Anchor, _AnchorRows] = {}
    for anchor in {*anchors, Anchor.CREATED, Anchor.RESOLVED, Anchor.SUBMITTED}:
        found = _anchor_rows(anchor, prep, buckets, bool(by_labels))
        if found is not None:
            rows[anchor] = found
    key_parts = [rows[a].keys for a in anchors if a in rows]
    if force_all:
        key_parts.append(np.arange(nb, dtype="int64"))
    keys, index_of = _present_keys(key_parts)
    del key_parts  # each anchor's keys go once its codes are made (below), not at the end
    ctx = replace(prep.context, window=window, buckets=buckets)
    columns: dict[str, Any] = {}
    group_by_code: np.ndarray = keys // nb
    for j, labels in enumerate(by_labels):
        columns[f"_by{j}"] = labels[group_by_code] if len(labels) else labels
    columns["_bucket"] = keys % nb
    usage = {a: r.mask for a, r in rows.items()}
    views: dict[Anchor, GroupView] = {}
    for anchor in list(rows):
        found = rows.pop(anchor)
        if anchor not in anchors:  # read for the usage counts only
            continue
        extra = dict(found.extra)
        for name, value in found.extra.items():  # (keys, values) of the groups that have any
            bk, counts = value
            full: np.ndarray = np.zeros(len(keys), dtype=counts.dtype)
            full[np.searchsorted(keys, bk)] = counts
            extra[name] = full
        extra["keys"] = keys
        codes = index_of(found.keys)  # in place: the anchor's keys become its codes
        views[anchor] = GroupView(found.frame, codes, len(keys), keys % nb, bool(by_labels), extra)
        del found, codes
    # one anchor at a time, its KPIs in registry order (those that share a value are
    # neighbours: a value is let go once they have run); the view (taken columns, cached
    # arrays) is let go after the anchor's last KPI
    registry = {kpi_id: at for at, kpi_id in enumerate(all_kpis())}
    order = sorted(
        range(len(kpis)),
        key=lambda i: (anchors.index(kpis[i].anchor), registry.get(kpis[i].id, len(registry))),
    )
    last = {kpis[i].anchor: i for i in order}
    results: dict[int, tuple[Any, Any]] = {}
    for i in order:
        kpi = kpis[i]
        view = views.get(kpi.anchor)
        if view is None:  # the anchor's frame is absent: empty population
            view = GroupView(
                prep.tickets.iloc[:0] if prep.tickets is not None else pd.DataFrame(),
                np.zeros(0, dtype="int64"),
                len(keys),
                keys % nb,
                bool(by_labels),
                {"backlog": np.zeros(len(keys), dtype="int64"), "keys": keys},
            )
        results[i] = kpi.compute(view, ctx)
        view.forget_unread()
        if last[kpi.anchor] == i:
            views.pop(kpi.anchor, None)
    for i, kpi in enumerate(kpis):
        values, n = results[i]
        if kpi.unit == "count":
            columns[kpi.id] = np.asarray(values).astype("int64")
        else:
            columns[kpi.id] = np.asarray(values, dtype="float64")
        columns[f"{kpi.id}_n"] = np.asarray(n).astype("int64")
    return pd.DataFrame(columns), usage


def _present_keys(parts: list[np.ndarray]) -> tuple[np.ndarray, Callable[[np.ndarray], Any]]:
    """The sorted distinct group keys of `parts`, and key → its index in them.

    Keys are `by code × buckets + bucket`: usually a few thousand possible values, counted
    with one `bincount` instead of sorting millions of rows. The second function writes the
    indexes over the keys it is given (`arrays.remap`: an anchor's keys are read once), or
    into a new array where they need a wider type."""
    import numpy as np

    if not parts:
        return np.zeros(0, dtype="int64"), lambda k: np.asarray(k, dtype="int64")
    high = max((int(p.max()) for p in parts if len(p)), default=-1)
    low = min((int(p.min()) for p in parts if len(p)), default=0)
    size = sum(len(p) for p in parts)
    if low >= 0 and countable(high + 1, size):
        present: np.ndarray = np.zeros(high + 1, dtype=bool)
        for part in parts:
            present[part] = True
        # int32 codes where they fit: half the memory for each anchor's per-row codes
        small = np.int32 if high < 2**31 else np.int64
        rank = (np.cumsum(present) - 1).astype(small)
        return np.flatnonzero(present), lambda k: look_up(k, rank)
    keys = np.unique(np.concatenate(parts))
    return keys, lambda k: remap(k, lambda b: np.searchsorted(keys, b))
