"""The Dask engine's tasks: plain functions of frames that run on the workers (pickled by
reference, so `cskpi` must be importable there). Nothing here imports Dask.

1. `load_part`: one file → the local readers and normaliser → a `Loaded` (kept rows, the
   excluded ones, quality counts); `describe` sends its small facts to the client.
2. `split_ids`: a loaded part's rows by ticket-id bucket (surveys; tickets too unless the
   parts' id ranges are disjoint, when whole parts make the buckets); `id_bucket` stacks one
   hashed bucket from every part and drops the duplicates across parts (latest `updated_at`,
   else the last read, as `cskpi.load.normalize.dedupe` does within a file), correcting the
   counts the parts made on rows that turn out to be duplicates; then links surveys to their
   tickets and gives every record the bucket of its group.
3. `split_groups` then `group_inputs`: each group bucket holds whole groups (and every survey
   of their tickets), on which `group_report` runs the local `compute` unchanged.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from cskpi.engine.dask.frames import combine, key_hash, label_hash, split, stack
from cskpi.engine.dask.sources import Part, local_copy
from cskpi.errors import UsageError
from cskpi.load.normalize.finish import DERIVED_BITS, DERIVED_FAR
from cskpi.load.quality import FrameQuality
from cskpi.load.schema import UNKNOWN, Frame

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from cskpi.config import Config
    from cskpi.engine.types import Inputs, ReportRequest
    from cskpi.load.normalize import Loaded, LoadOptions
    from cskpi.load.plan import ReadPlan
    from cskpi.result import Result


@dataclass
class Facts:
    """What the client needs to know of one loaded part (never its rows)."""

    rows: int
    columns: dict[str, str]
    quality: FrameQuality
    notes: tuple[str, ...]
    integer_ids: bool
    records: int
    """Rows kept and excluded for their status."""
    low: int | str | None
    high: int | str | None
    """The part's lowest and highest own id (tickets: `ticket_id` of the kept and the
    excluded rows; surveys: `response_id`), integers by number and text by its UTF-8 bytes;
    None without ids. The normaliser keeps one row per id within a file, so parts whose
    ranges do not overlap share no id (`cskpi.engine.dask.run.disjoint`)."""
    kinds: tuple[str, ...] = ()
    ratings: bool = False
    zone: str | None = None
    slots: tuple[tuple[str, int], ...] = ()
    """Where the parse first counted each issue (`Loaded.slots`)."""
    template: Any = None
    """The `Loaded` with no rows: mapping, preset and column types, for the group tasks."""


@dataclass
class Bucket:
    """One ticket-id bucket after the duplicates across parts are dropped: its tickets and
    excluded tickets as frames in read order (whole parts are not stacked), its surveys,
    and the group bucket of each row of each."""

    tickets: list[pd.DataFrame]
    excluded: list[pd.DataFrame]
    surveys: pd.DataFrame | None
    route_t: list[np.ndarray] = field(default_factory=list)
    route_x: list[np.ndarray] = field(default_factory=list)
    route_s: np.ndarray | None = None
    dropped: Counter[str] = field(default_factory=Counter)
    issues: Counter[str] = field(default_factory=Counter)
    latest: Any = None
    kinds: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    """Ids of tickets dropped as duplicates across parts (a few)."""


SEQ = "_cskpi_seq"
"""Each row's place in the order the local engine reads the inputs (part << 32 | row): the
group buckets put their rows back in it, so that sums add in the same order, to the bit."""


def load_part(
    part: Part, kind: Frame, options: LoadOptions, plan: ReadPlan | None, index: int = 0
) -> Loaded:
    """One file through the local readers and normaliser, its hive columns added, each row
    numbered in read order (`SEQ`); `index`: the file's place among all files read."""
    import numpy as np
    import pandas as pd

    from cskpi.load.normalize import read_frames

    if kind is Frame.TICKETS:  # counts a duplicate across parts takes back (`id_bucket`)
        options = replace(options, mark_derived=True)
    with local_copy(part.path) as path:
        loaded = read_frames([path], kind, options, None, plan)
    if len(loaded) != 1 or loaded[0].kind is not kind:
        raise UsageError(
            f"{part.path}: an export read as {'+'.join(p.kind.value for p in loaded)}; "
            "the Dask engine reads plain ticket and survey exports only (use --engine local)"
        )
    out = loaded[0]
    if part.hive:
        hive = {
            key: pd.Categorical([value] * len(out.frame))
            for key, value in part.hive
            if key not in out.frame
        }
        frame = out.frame.assign(**hive) if hive else out.frame
        excluded = out.excluded
        if excluded is not None:
            excluded = excluded.assign(
                **{
                    k: pd.Categorical([v] * len(excluded))
                    for k, v in part.hive
                    if k not in excluded
                }
            )
        out = replace(out, frame=frame, excluded=excluded)
    base = np.int64(index) << np.int64(32)
    excluded = out.excluded
    if excluded is not None:
        excluded = excluded.assign(**{SEQ: base + np.arange(len(excluded), dtype=np.int64)})
    frame = out.frame.assign(**{SEQ: base + np.arange(len(out.frame), dtype=np.int64)})
    return replace(out, frame=frame, excluded=excluded)


_OURS = (SEQ, DERIVED_FAR)
"""Columns the parts carry for the engine, not the report."""


def describe(loaded: Loaded) -> Facts:
    from cskpi.load.ids import is_integer

    frame = loaded.frame
    ids = frame.get("ticket_id", None)
    integer = ids is None or is_integer(ids)
    excluded = loaded.excluded if loaded.excluded is not None else frame.iloc[:0]
    own = "ticket_id" if loaded.kind is Frame.TICKETS else "response_id"
    low, high = id_range([f[own] for f in (frame, excluded) if own in f and len(f)])
    match = loaded.preset
    ratings = bool(
        match is not None
        and match.preset is not None
        and match.preset.ratings is not None
        and match.header(match.preset.ratings.score) in frame
    )
    kinds: tuple[str, ...] = ()
    if "kind" in frame:
        kinds = tuple(str(k) for k in frame["kind"].dropna().unique())
    return Facts(
        rows=len(frame),
        columns={str(c): str(frame[c].dtype) for c in frame.columns if c not in _OURS},
        quality=loaded.quality,
        notes=loaded.notes,
        integer_ids=integer
        and ("ticket_id" not in excluded or is_integer(excluded["ticket_id"]) or not len(excluded)),
        records=len(frame) + len(excluded),
        low=low,
        high=high,
        kinds=kinds,
        ratings=ratings,
        zone=match.preset.zone if match is not None and match.preset is not None else None,
        slots=loaded.slots,
        template=replace(
            loaded,
            frame=frame.iloc[:0].drop(columns=list(_OURS), errors="ignore"),
            excluded=None,
            notes=(),
            quality=FrameQuality(),
        ),
    )


def id_range(columns: list[pd.Series]) -> tuple[Any, Any]:
    """The lowest and highest id of the columns (missing ones aside), all integers or all
    text (compared by UTF-8 bytes, Arrow's order and Python's); (None, None) when there is
    none or the kinds differ."""
    import pyarrow.compute as pc

    from cskpi.load.ids import is_integer
    from cskpi.load.parse import text_array

    found = []
    for column in columns:
        if is_integer(column):
            found.append((int(column.min()), int(column.max())))
            continue
        arr = text_array(column)
        if arr is None or arr.null_count == len(arr):
            return None, None
        pair = pc.min_max(arr)
        found.append((pair["min"].as_py(), pair["max"].as_py()))
    if not found or len({type(low) for low, _ in found}) > 1:
        return None, None
    return min(low for low, _ in found), max(high for _, high in found)


@dataclass(frozen=True)
class IdRoute:
    """How ticket ids go to buckets: by hash (`n` buckets; `text`: ids hashed as text), or,
    when the ticket parts' ids lie in disjoint ranges, whole ticket parts make the buckets
    and surveys go to the bucket of the part whose range holds their ticket id (`lows`,
    sorted: integers, or text with `text`, then integer ids are compared as text; `order`)."""

    n: int
    text: bool = False
    lows: tuple[int, ...] | tuple[str, ...] | None = None
    order: tuple[int, ...] | None = None
    """With `lows`: the bucket of each sorted range (of the ticket part holding it)."""
    parts: tuple[int, ...] | None = None
    """With `lows`: the bucket of each ticket part, in read order."""


def id_buckets(ids: pd.Series | None, length: int, route: IdRoute) -> np.ndarray:
    import numpy as np

    if ids is None or route.n == 1:
        return np.zeros(length, dtype=np.int64)
    if route.lows is not None and route.order is not None:
        from cskpi.load.ids import as_text, is_integer

        order = np.asarray(route.order, dtype=np.int64)
        if route.text:
            return order[_text_ranges(as_text(ids), route.lows)]
        if not is_integer(ids):  # text ids against integer tickets: none is found
            return np.zeros(length, dtype=np.int64)
        at = np.searchsorted(np.asarray(route.lows), ids.to_numpy(dtype=np.int64), "right") - 1
        return order[np.maximum(at, 0)]
    return (key_hash(ids, route.text) % np.uint64(route.n)).astype(np.int64)


def _text_ranges(ids: pd.Series, lows: tuple[Any, ...]) -> np.ndarray:
    """The range of each text id among the sorted `lows`: how many of the others it is not
    below (a missing or a lower id: the first range, where it finds no ticket). A binary
    search of every id at once: one comparison pass over the ids per halving."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from cskpi.load.parse import text_array

    lo: Any = np.zeros(len(ids), dtype=np.int64)
    arr = text_array(ids)
    if arr is None or len(lows) < 2:
        return lo
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    bounds = pa.array(lows[1:], type=arr.type)
    k = len(bounds)
    hi: Any = np.full(len(ids), k, dtype=np.int64)
    for _ in range(k.bit_length()):  # the answer lies in lo … hi
        mid = (lo + hi) // 2
        ge = pc.greater_equal(arr, bounds.take(np.minimum(mid, k - 1))).fill_null(False)
        above = np.asarray(ge.to_numpy(zero_copy_only=False), dtype=bool)
        searching = lo < hi
        lo = np.where(searching & above, mid + 1, lo)
        hi = np.where(searching & ~above, mid, hi)
    return lo


def split_ids(loaded: Loaded | pd.DataFrame, route: IdRoute) -> list[Any]:
    """A part's rows by ticket-id bucket: a survey frame's pieces, or a ticket part's
    (kept, excluded or None) pairs. With text ids in some part (`route.text`), integer ids
    become the text the local engine matches them as
    (`cskpi.load.normalize.text_ids_if_mixed`), so every piece holds one kind."""
    from cskpi.load.ids import as_text, is_integer

    def cut(frame: pd.DataFrame) -> list[pd.DataFrame]:
        ids = frame.get("ticket_id", None)
        if route.text and ids is not None and is_integer(ids):
            frame = frame.assign(ticket_id=as_text(ids))
            ids = frame["ticket_id"]
        return split(frame, id_buckets(ids, len(frame), route), route.n)

    if not hasattr(loaded, "frame"):
        return cut(loaded)
    kept = cut(loaded.frame)
    if loaded.excluded is None or not len(loaded.excluded):
        return [(k, None) for k in kept]
    return list(zip(kept, cut(loaded.excluded), strict=True))


def frame_of(loaded: Loaded) -> pd.DataFrame:
    return loaded.frame


def dedupe_responses(pieces: list[pd.DataFrame]) -> tuple[pd.DataFrame, int]:
    """One survey bucket by response id: the last read of each id kept (as within a file)."""
    from cskpi.load.normalize.dedupe import dedupe

    frame = stack(pieces)
    if "response_id" not in frame or len(pieces) < 2:
        return frame, 0
    out, quality = dedupe(frame, FrameQuality(), "response_id", "duplicate_response_id", None)
    return out.reset_index(drop=True), sum(n for _, n in quality.dropped)


def first(pair: tuple[Any, Any]) -> Any:
    return pair[0]


def _without_duplicates(
    pieces: list[tuple[pd.DataFrame, pd.DataFrame | None]],
    dropped: Counter[str],
    issues: Counter[str],
    shown: list[str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The kept and the excluded tickets of the parts' pieces, each stacked once, less the
    duplicates across parts (latest `updated_at`, else the last read: the parts in read
    order, kept and excluded rows alike; within a part no id repeats), and the counts the
    parts made on those rows taken back (and a few of their ids put in `shown`). Only the ids
    and update times are stacked together to find them."""
    import numpy as np

    from cskpi.load.normalize.dedupe import duplicates, kept
    from cskpi.load.normalize.finish import time_issues

    held = [(k, x if x is not None and len(x) else None) for k, x in pieces]
    main = stack([k for k, _ in held])
    excluded = (
        stack([x for _, x in held if x is not None])
        if any(x is not None for _, x in held)
        else None
    )
    every = [main] if excluded is None else [main, excluded]
    newest = "updated_at" if any("updated_at" in f for f in every) else None
    keys = stack([f[[c for c in ("ticket_id", newest) if c and c in f]] for f in every])
    # read order: each part's kept rows (in `main`), then its excluded ones (after `main`)
    order, at_kept, at_excluded = [], 0, len(main)
    for k, x in held:
        order.append(np.arange(at_kept, at_kept + len(k)))
        at_kept += len(k)
        if x is not None:
            order.append(np.arange(at_excluded, at_excluded + len(x)))
            at_excluded += len(x)
    read: Any = np.concatenate(order) if order else np.zeros(0, dtype=np.int64)
    keys = keys.take(read).reset_index(drop=True)
    none: Any = np.zeros(len(keys), dtype=bool)
    found, quality = duplicates(keys, none, FrameQuality(), "ticket_id", "x", newest)
    if not found.any():
        return main, excluded
    if shown is not None:
        shown.extend(dict(quality.examples).get("x", ()))
    drop: Any = np.zeros(len(keys), dtype=bool)
    drop[read] = found
    drop_main, drop_excluded = drop[: len(main)], drop[len(main) :]
    # each part counted these rows as used (or excluded): now they are duplicates
    dropped["duplicate_ticket_id"] += int(drop.sum())
    dropped["excluded_status"] -= int(drop_excluded.sum())
    gone = main[drop_main]
    for reason, count in time_issues(gone, FrameQuality()).issues:
        issues[reason] -= count
    if DERIVED_FAR in gone:  # implausible derived times, judged on the kept rows
        marks = gone[DERIVED_FAR].fillna(0).to_numpy(dtype=np.int8)
        for bit, column in DERIVED_BITS:
            issues[f"implausible_{column}"] -= int(((marks & bit) != 0).sum())
    main = kept(main, ~drop_main).reset_index(drop=True)
    if excluded is not None and drop_excluded.any():
        excluded = kept(excluded, ~drop_excluded).reset_index(drop=True)
    return main, excluded if excluded is not None and len(excluded) else None


def id_bucket(
    tickets: list[Any],
    surveys: list[pd.DataFrame],
    by: list[tuple[str, str]],
    groups: int,
    disjoint: bool = False,
) -> Bucket:
    """Stack one ticket-id bucket of every part (`tickets`: whole `Loaded` parts, or the
    (kept, excluded) pieces of `split_ids`), drop the duplicates across parts (none when
    the parts' ids are `disjoint`) and route each record to its group bucket. `by`: (shown
    name, ticket column) per by-column."""
    import numpy as np

    from cskpi.engine.keys import empty_label
    from cskpi.engine.prepare import latest_in, positions

    pieces = [(t.frame, t.excluded) if hasattr(t, "frame") else t for t in tickets]
    kept_parts = [k for k, _ in pieces]
    excluded_parts = [x for _, x in pieces if x is not None and len(x)]
    dropped: Counter[str] = Counter()
    issues: Counter[str] = Counter()
    shown: list[str] = []
    if disjoint or len(pieces) < 2:  # no id in two parts: the parts as they are
        main = [k.drop(columns=DERIVED_FAR, errors="ignore") for k in kept_parts]
        excluded = [x.drop(columns=DERIVED_FAR, errors="ignore") for x in excluded_parts]
    else:
        whole, out = _without_duplicates(pieces, dropped, issues, shown)
        main = [whole.drop(columns=DERIVED_FAR, errors="ignore")]
        excluded = [out.drop(columns=DERIVED_FAR, errors="ignore")] if out is not None else []
    answers = stack(surveys) if surveys else None

    def route(part: pd.DataFrame) -> np.ndarray:
        hashes = [
            label_hash(part.get(col, None), len(part), empty_label(shown)) for shown, col in by
        ]
        return (combine(hashes, len(part)) % np.uint64(groups)).astype(np.int64)

    route_t, route_x = [route(f) for f in main], [route(f) for f in excluded]
    route_s: Any = None
    if answers is not None:
        unknown = combine([label_hash(None, 1, UNKNOWN) for _ in by], 1) % np.uint64(groups)
        route_s = np.full(len(answers), int(unknown[0]), dtype=np.int64)
        frames = [f for f in (*main, *excluded) if len(f)]
        if "ticket_id" in answers and len(answers) and frames:
            # one lookup in every ticket id of the bucket (kept and excluded: each once)
            every = stack([f[["ticket_id"]] for f in frames])["ticket_id"]
            routes = np.concatenate([r for r in (*route_t, *route_x) if len(r)])
            found = positions(answers["ticket_id"], every)
            route_s = np.where(found >= 0, routes[np.maximum(found, 0)], route_s)
    latest = latest_in([*main, answers])
    kinds = (
        tuple(str(k) for k in answers["kind"].dropna().unique())
        if answers is not None and "kind" in answers
        else ()
    )
    return Bucket(
        main,
        excluded,
        answers,
        route_t,
        route_x,
        route_s,
        dropped,
        issues,
        latest,
        kinds,
        tuple(shown),
    )


def bucket_facts(
    bucket: Bucket,
) -> tuple[Counter[str], Counter[str], Any, tuple[str, ...], tuple[str, ...]]:
    return bucket.dropped, bucket.issues, bucket.latest, bucket.kinds, bucket.examples


def split_groups(bucket: Bucket, groups: int) -> list[tuple[Any, Any, Any]]:
    """The bucket's tickets, excluded tickets (a list of at most one piece each) and surveys
    by group bucket: each frame is cut, and a group's pieces of the bucket's frames stacked
    here, where they lie, so that one piece a bucket travels to each group."""

    def parts(frames: list[pd.DataFrame], routes: list[np.ndarray]) -> list[list[Any]]:
        cut = [split(f, r, groups) for f, r in zip(frames, routes, strict=True)]
        return [[stack([c[g] for c in cut])] if cut else [] for g in range(groups)]

    t = parts(bucket.tickets, bucket.route_t)
    x = parts(bucket.excluded, bucket.route_x)
    s: list[Any] = [None] * groups
    if bucket.surveys is not None and bucket.route_s is not None:
        s = split(bucket.surveys, bucket.route_s, groups)
    return list(zip(t, x, s, strict=True))


def pick(items: list[Any], i: int) -> Any:
    return items[i]


def group_inputs(
    pieces: list[tuple[Any, Any, Any]],
    tickets: Loaded,
    surveys: Loaded | None,
    zone: str,
) -> tuple[Inputs, dict[str, Any]]:
    """One group bucket as the local engine's `Inputs`, its rows in read order (the
    templates give the mapping, the preset and the column types; the counts start at zero),
    and the read order of each frame (for the whole-window computation)."""
    t, t_seq = _in_order([tickets.frame, *(f for p in pieces for f in p[0])])
    xs = [f for p in pieces for f in p[1] if len(f)]
    x, x_seq = _in_order([tickets.frame, *xs]) if xs else (None, None)
    loaded_t = replace(tickets, frame=t, excluded=x)
    loaded_s, s_seq = None, None
    if surveys is not None:
        s, s_seq = _in_order([surveys.frame, *(p[2] for p in pieces if p[2] is not None)])
        loaded_s = replace(surveys, frame=s)
    return _inputs(loaded_t, loaded_s, zone), {"t": t_seq, "x": x_seq, "s": s_seq}


def _inputs(tickets: Loaded, surveys: Loaded | None, zone: str) -> Inputs:
    from cskpi.engine.types import Inputs

    return Inputs(tickets, surveys, zone)


def _in_order(frames: list[pd.DataFrame]) -> tuple[pd.DataFrame, Any]:
    """The frames stacked and sorted back into read order (`SEQ`, then dropped)."""
    import numpy as np

    frame = stack(frames)
    if SEQ not in frame:
        return frame, np.zeros(len(frame), dtype=np.int64)
    seq = frame[SEQ].to_numpy(dtype=np.int64)
    frame = frame.drop(columns=SEQ)
    if len(seq) < 2 or bool(np.all(seq[1:] > seq[:-1])):  # the pieces came in read order
        return frame, seq
    order = np.argsort(seq, kind="stable")
    return frame.take(order).reset_index(drop=True), seq[order]


def size(part: tuple[Inputs, Any]) -> int:
    inputs = part[0]
    return sum(
        len(frame)
        for frame in (
            inputs.tickets.frame if inputs.tickets else None,
            inputs.tickets.excluded if inputs.tickets else None,
            inputs.surveys.frame if inputs.surveys else None,
        )
        if frame is not None
    )


def earliest(part: tuple[Inputs, Any], as_of: pd.Timestamp, where: tuple[str, ...], tz: str) -> Any:
    """The earliest record not after `as_of` once `--where` is applied
    (`cskpi.engine.prepare.earliest_time` on the prepared frames)."""
    from cskpi.engine.where import apply_where

    inputs = part[0]
    if where:
        inputs = apply_where(inputs, where, tz)
    found = []
    for loaded, column in ((inputs.tickets, "created_at"), (inputs.surveys, "submitted_at")):
        if loaded is None or column not in loaded.frame:
            continue
        values = loaded.frame[column]
        values = values[values <= as_of]
        if len(values):
            found.append(values.min())
    return min(found) if found else None


def group_report(
    part: tuple[Inputs, Any],
    request: ReportRequest,
    config: Config,
    pinned: tuple[Any, Any],
    empty: bool = False,
) -> Result | None:
    """The local engine on one group bucket, in the frame of reference of all inputs; None
    for a bucket without rows unless `empty` (the report when every bucket is empty)."""
    from cskpi.engine.compute import compute

    if not empty and not size(part):
        return None
    return compute(part[0], request, config, pinned=pinned)


def overall_report(
    parts: list[tuple[Inputs, Any]], request: ReportRequest, config: Config, pinned: tuple[Any, Any]
) -> Result:
    """The whole-window values and targets: the local engine over every group bucket, the
    rows back in read order."""
    from cskpi.engine.compute import compute

    def whole(frames: list[Any], seqs: list[Any]) -> Any:
        import numpy as np

        frame = stack(frames)
        order = np.argsort(np.concatenate(seqs), kind="stable")
        return frame.take(order).reset_index(drop=True)

    first_t = parts[0][0].tickets
    assert first_t is not None
    t = whole([p.tickets.frame for p, _ in parts if p.tickets], [q["t"] for _, q in parts])
    pairs = [(p.tickets.excluded, q["x"]) for p, q in parts if p.tickets and q["x"] is not None]
    x = whole([f for f, _ in pairs], [q for _, q in pairs]) if pairs else None
    surveys = None
    first_s = parts[0][0].surveys
    if first_s is not None:
        s = whole([p.surveys.frame for p, _ in parts if p.surveys], [q["s"] for _, q in parts])
        surveys = replace(first_s, frame=s)
    inputs = _inputs(replace(first_t, frame=t, excluded=x), surveys, parts[0][0].source_tz)
    alone = replace(request, group_by=(), period=None, sort=None, top=None, breaches=False)
    return compute(inputs, replace(alone, overall=True), config, pinned=pinned)


def split_rows(frame: pd.DataFrame, key: str, route: IdRoute) -> list[pd.DataFrame]:
    """A frame's rows by the hash of `key` (missing: bucket 0)."""
    import numpy as np

    if key not in frame:
        return split(frame, np.zeros(len(frame), dtype=np.int64), route.n)
    return split(frame, id_buckets(frame[key], len(frame), route), route.n)


def second(pair: tuple[Any, Any]) -> Any:
    return pair[1]
