"""The Dask engine's client: connect (or start a local cluster), plan the partitions, submit
the tasks of `cskpi.engine.dask.tasks`, and merge their small results into one `Result`.

Only small things come back to the client: each part's facts, each bucket's count
corrections, and each group bucket's finished rows. The rows of the inputs stay on the
workers (Dask spills them to disk past its memory limit).
"""

from __future__ import annotations

import itertools
import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from cskpi.engine.dask import merge, tasks
from cskpi.engine.dask.sources import Part, partitions
from cskpi.engine.dask.support import check_by, check_kpis, check_request
from cskpi.errors import InputError, UsageError
from cskpi.load.schema import Frame

if TYPE_CHECKING:
    from cskpi.config import Config
    from cskpi.engine.types import ReportRequest
    from cskpi.load.normalize import LoadOptions
    from cskpi.load.plan import ReadPlan
    from cskpi.result import Result

INSTALL = "--engine dask needs Dask: pip install 'cskpi[dask]' (dask[distributed])"
CONNECT_TIMEOUT = "10s"
MAX_BUCKETS = 256


def compute_dask(
    tickets: Sequence[str],
    surveys: Sequence[tuple[str | None, str]],
    options: LoadOptions,
    plan: ReadPlan | None,
    request: ReportRequest,
    config: Config,
    scheduler: str | None = None,
) -> Result:
    """The report of `tickets` and `surveys` ((kind, path) pairs) computed on a Dask cluster:
    the one at `scheduler`, else a local one (one worker process per core) for this call."""
    check_request(request)
    t_parts = partitions(tickets, options.input_format)
    s_parts = [(kind, partitions([path], options.input_format)) for kind, path in surveys]
    client, cluster = connect(scheduler)
    try:
        return _compute(client, t_parts, s_parts, options, plan, request, config)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def connect(scheduler: str | None) -> tuple[Any, Any]:
    """A client of the cluster at `scheduler`, or of a new local cluster (closed by the
    caller): one single-threaded worker process per core."""
    import logging

    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise UsageError(INSTALL) from exc
    if scheduler:
        try:
            return Client(scheduler, timeout=CONNECT_TIMEOUT), None
        except (ValueError, TypeError) as exc:
            raise UsageError(f"--scheduler {scheduler}: not a scheduler address ({exc})") from exc
        except (OSError, TimeoutError) as exc:
            raise InputError(
                f"--scheduler {scheduler}: no Dask scheduler answered there within "
                f"{CONNECT_TIMEOUT} ({type(exc).__name__})"
            ) from exc
    cluster = LocalCluster(
        n_workers=os.cpu_count() or 1,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",
        silence_logs=logging.ERROR,
    )
    return Client(cluster), cluster


def _compute(
    client: Any,
    t_parts: list[Part],
    s_specs: list[tuple[str | None, list[Part]]],
    options: LoadOptions,
    plan: ReadPlan | None,
    request: ReportRequest,
    config: Config,
) -> Result:
    import pandas as pd

    from cskpi.engine.compute import NO_TIME_AS_OF, report_zone
    from cskpi.engine.keys import resolve_by
    from cskpi.engine.selection import select_kpis
    from cskpi.time.window import parse_as_of

    submit = client.submit
    # 1. every file read and normalised where it lies; its facts come back. Consecutive
    # ticket files are read by one worker: an id bucket of whole files then finds them
    # there, and its rows stay in read order.
    names = sorted(client.scheduler_info().get("workers", {}))
    t_loaded = [
        submit(
            tasks.load_part,
            p,
            Frame.TICKETS,
            options,
            plan,
            i,
            pure=False,
            **near(names[i * len(names) // len(t_parts)] if names else ""),
        )
        for i, p in enumerate(t_parts)
    ]
    s_loaded: list[list[Any]] = []
    at = 0  # the surveys' files numbered on from the tickets' (a read order of their own)
    for kind, parts in s_specs:
        opts = replace(options, survey_kind=kind) if kind else options
        s_loaded.append(
            [
                submit(tasks.load_part, p, Frame.SURVEYS, opts, plan, at + i, pure=False)
                for i, p in enumerate(parts)
            ]
        )
        at += len(parts)
    t_facts = client.gather([submit(tasks.describe, f) for f in t_loaded])
    s_facts = [client.gather([submit(tasks.describe, f) for f in spec]) for spec in s_loaded]
    if not s_specs and any(f.ratings for f in t_facts):
        raise UsageError(
            "--engine dask: survey ratings inside the ticket export are not read yet; "
            "give --surveys FILE or use --engine local"
        )
    schema = merge.schema_inputs(
        t_facts, [f for spec in s_facts for f in spec], bool(s_specs), options
    )
    kpis, select_notes = select_kpis(request.kpis, schema, config)
    by = resolve_by(request.group_by, schema, [k.id for k in kpis])
    check_by(by)
    check_kpis([k.id for k in kpis], by)
    ask = replace(request, kpis=tuple(k.id for k in kpis))
    workers = max(len(names), 1)
    # 2. surveys de-duplicated by response id across the files of one --surveys
    s_frames: list[Any] = []
    dup_responses = 0
    for spec, facts in zip(s_loaded, s_facts, strict=True):
        frames = [submit(tasks.frame_of, f) for f in spec]
        if (
            len(spec) > 1
            and any("response_id" in f.columns for f in facts)
            and disjoint(facts) is None  # else no response id is in two files
        ):
            rows = sum(f.rows for f in facts)
            route = tasks.IdRoute(id_bucket_count(len(spec), rows, workers), text=True)
            cut = [
                _fan(client, submit(tasks.split_rows, f, "response_id", route), route.n)
                for f in frames
            ]
            buckets = [submit(tasks.dedupe_responses, [c[i] for c in cut]) for i in range(route.n)]
            dup_responses += sum(client.gather([submit(tasks.second, b) for b in buckets]))
            frames = [submit(tasks.first, b) for b in buckets]
        s_frames.extend(frames)
    del s_loaded
    # 3. tickets (and surveys) by ticket id: duplicates across files dropped, groups routed
    held = client.who_has(t_loaded)  # rows already on a worker stay there where they can
    places = [min(held.get(f.key, ()), default="") for f in t_loaded]
    route = id_route(t_facts, [f for spec in s_facts for f in spec], workers, places)
    ranged = route.lows is not None
    if ranged:
        # several whole files to a bucket: each bucket is a task, and each survey file is
        # cut into one piece per bucket (40 files, 2 workers: 10 buckets, not 40)
        s_cut = [_fan(client, submit(tasks.split_ids, f, route), route.n) for f in s_frames]
        t_of: list[list[Any]] = [[] for _ in range(route.n)]
        for future, bucket in zip(t_loaded, route.parts or (), strict=True):
            t_of[bucket].append(future)
    else:
        t_cut = [_fan(client, submit(tasks.split_ids, f, route), route.n) for f in t_loaded]
        s_cut = [_fan(client, submit(tasks.split_ids, f, route), route.n) for f in s_frames]
        t_of = [[c[i] for c in t_cut] for i in range(route.n)]
        del t_cut
    del t_loaded, s_frames
    records = sum(f.rows for f in t_facts) + sum(f.rows for spec in s_facts for f in spec)
    groups = group_count(by, records, workers)
    pairs = [(c.name, c.tickets or c.name) for c in by]
    homes = [""] * route.n  # where a bucket's whole parts lie
    for place, bucket in zip(places, route.parts or (), strict=False):
        homes[bucket] = place
    buckets = [
        submit(
            tasks.id_bucket,
            t_of[i],
            [c[i] for c in s_cut],
            pairs,
            groups,
            ranged,
            **near(homes[i]),
        )
        for i in range(route.n)
    ]
    del s_cut, t_of
    bucket_facts = [submit(tasks.bucket_facts, b) for b in buckets]
    # 4. group buckets: whole groups, each computed by the local engine. Cut and gathered
    # while the client waits for the buckets' facts: no step waits for all of the one before
    # unless it needs all of it.
    cut = [_fan(client, submit(tasks.split_groups, b, groups), groups) for b in buckets]
    del buckets
    t_template = t_facts[0].template
    s_template = next((f.template for spec in s_facts for f in spec), None)
    zone = schema.source_tz
    inputs = [
        submit(tasks.group_inputs, [c[g] for c in cut], t_template, s_template, zone)
        for g in range(groups)
    ]
    del cut
    dropped: Counter[str] = Counter()
    issues: Counter[str] = Counter()
    latests = []
    duplicates: list[str] = []  # a few ids dropped as duplicates across files
    for d, i, latest, _, shown in client.gather(bucket_facts):
        dropped.update(d)
        issues.update(i)
        duplicates.extend(shown)
        if latest is not None:
            latests.append(latest)
    if dup_responses:
        dropped["duplicate_response_id"] = 0  # counted in the surveys' quality below
    latest = max(latests) if latests else None
    tz = report_zone(ask, config, schema)
    fallback = pd.Timestamp(NO_TIME_AS_OF, tz="UTC")
    as_of = parse_as_of(ask.as_of, tz, latest if latest is not None else fallback)
    early = None
    if default_start(ask):
        found = client.gather([submit(tasks.earliest, i, as_of, ask.where, tz) for i in inputs])
        found = [f for f in found if f is not None]
        early = min(found) if found else None
    pinned = (latest, early)
    reports = client.gather([submit(tasks.group_report, i, ask, config, pinned) for i in inputs])
    done: list[Result] = [r for r in reports if r is not None]
    if not done:  # every bucket empty: the report of no rows
        done = [submit(tasks.group_report, inputs[0], ask, config, pinned, True).result()]
    whole = None
    if ask.overall or config.targets:
        whole = client.submit(tasks.overall_report, inputs, ask, config, pinned).result()
    del inputs
    t_quality = merge.frame_quality(
        [f.quality for f in t_facts],
        dropped,
        issues,
        [_with_examples(p, "tickets") for p in done],
        {"duplicate_ticket_id": duplicates},
        [f.slots for f in t_facts],
    )
    s_quality = merge.frame_quality(
        [f.quality for spec in s_facts for f in spec],
        Counter({"duplicate_response_id": dup_responses}),
        Counter(),
        [_with_examples(p, "surveys") for p in done],
        slots=[f.slots for spec in s_facts for f in spec],
    )
    load_notes = merge.notes(
        [n for f in t_facts for n in f.notes]
        + [n for spec in s_facts for f in spec for n in f.notes],
        taken_back=-dropped["excluded_status"],
    )
    return merge.result(done, whole, by, t_quality, s_quality, [*select_notes], load_notes)


def _with_examples(part: Result, frame: str) -> dict[str, Any]:
    """A group bucket's counts of one frame, and the places it found beside them."""
    return {**part.data_quality[frame], "examples": part.quality_examples.get(frame, {})}


def _fan(client: Any, future: Any, n: int) -> list[Any]:
    """One future per item of a task's list result."""
    return [client.submit(tasks.pick, future, i) for i in range(n)]


def id_route(
    t_facts: list[tasks.Facts],
    s_facts: list[tasks.Facts],
    workers: int = 1,
    places: list[str] | None = None,
) -> tasks.IdRoute:
    """Ranges when the ticket parts' ids lie in ranges no other part overlaps (nothing to
    de-duplicate: tickets stay whole, `part_buckets` by the worker holding them (`places`),
    surveys go to the bucket whose range holds their ticket id); else hashing. Integer ranges need
    integer ids in every part (a text id would be matched as text); text ranges take a
    survey's integer ticket id as the text it is matched as."""
    integer = all(f.integer_ids for f in [*t_facts, *s_facts])
    k = id_bucket_count(len(t_facts), sum(f.rows for f in t_facts), workers)
    ranged = disjoint(t_facts)
    if ranged is not None and (integer or isinstance(ranged[0][0], str)):
        of = part_buckets(places or [""] * len(t_facts), k)
        return tasks.IdRoute(
            max(of) + 1,
            text=not integer,
            lows=tuple(r[0] for r in ranged),
            order=tuple(of[r[2]] for r in ranged),
            parts=tuple(of),
        )
    return tasks.IdRoute(k, text=not integer)


def disjoint(facts: list[tasks.Facts]) -> list[tuple[Any, Any, int]] | None:
    """(lowest id, highest id, part) of each part with records, sorted, when each has a
    range, all of one kind (integer or text) and no two overlap; else None."""
    ranged: list[tuple[Any, Any, int]] = [
        (f.low, f.high, i) for i, f in enumerate(facts) if f.records
    ]
    if not ranged or any(low is None for low, _, _ in ranged):
        return None
    if len({type(low) for low, _, _ in ranged}) > 1:
        return None
    ranged.sort(key=lambda r: r[0])
    if all(a[1] < b[0] for a, b in itertools.pairwise(ranged)):
        return ranged
    return None


def id_bucket_count(parts: int, rows: int, workers: int) -> int:
    """Id buckets for `rows` records read from `parts` files: four a worker, more when a
    bucket would hold more than `ROWS_PER_ID_BUCKET`, never more than the files (nor
    `MAX_BUCKETS`). Each file is cut into one piece per bucket: fewer buckets, fewer tasks."""
    wanted = max(4 * workers, -(-rows // ROWS_PER_ID_BUCKET))
    return max(min(parts, wanted, MAX_BUCKETS), 1)


def near(worker: str) -> dict[str, Any]:
    """Options of `submit` that prefer `worker` (where the task's rows lie; "": none)
    without requiring it: another worker may still take the task."""
    return {"workers": [worker], "allow_other_workers": True} if worker else {}


def part_buckets(places: list[str], buckets: int) -> list[int]:
    """The bucket of each whole ticket part, about `buckets` in all: the parts one worker
    holds (`places`) share theirs, so that their rows need not move, consecutive ones
    together (`bucket_of`); each worker gets buckets in proportion to its parts."""
    held: dict[str, list[int]] = {}
    for i, place in enumerate(places):
        held.setdefault(place, []).append(i)
    out = [0] * len(places)
    at = 0
    for parts in held.values():
        n = min(max(round(buckets * len(parts) / len(places)), 1), len(parts))
        for j, i in enumerate(parts):
            out[i] = at + bucket_of(j, len(parts), n)
        at += n
    return out


def bucket_of(part: int, parts: int, buckets: int) -> int:
    """The bucket of ticket part `part` when `parts` whole parts fill `buckets` buckets:
    consecutive parts together, as evenly as they divide."""
    return part * buckets // parts


ROWS_PER_ID_BUCKET = 1_000_000
"""About the most records one id bucket should hold (then cut into group buckets): fewer,
larger buckets are fewer tasks and pieces, but one bucket is held whole by one worker."""


ROWS_PER_GROUP_BUCKET = 1_000_000
"""About the most records a group bucket should hold: the local engine needs about 100
bytes per ticket, so a bucket's computation stays well under a worker's 2 GiB."""


def group_count(by: list[Any], records: int, workers: int) -> int:
    """Group buckets: one without --by (every record is one group); else four per worker
    (fewer, larger pieces: each piece is a task and a transfer), more when the records
    would make a bucket bigger than `ROWS_PER_GROUP_BUCKET`."""
    if not by:
        return 1
    return min(max(4 * workers, -(-records // ROWS_PER_GROUP_BUCKET)), MAX_BUCKETS)


def default_start(request: ReportRequest) -> bool:
    """Whether the window starts at the earliest record (no --since nor a whole unit)."""
    spec = request.window
    return all(
        getattr(spec, name) is None
        for name in ("since", "last", "month", "quarter", "year", "week")
    )
