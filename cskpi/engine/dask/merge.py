"""Merging on the client: the inputs' schema (for KPI selection and `--by`), data-quality
counts (summed, reasons in the order the local engine finds them), notes, and the group
buckets' finished rows into one `Result`."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from cskpi.engine.keys import SPECIAL
from cskpi.load.normalize.finish import SURVEY_DROPS, SURVEY_ISSUES, TICKET_DROPS, TIME_ISSUES
from cskpi.load.quality import DataQuality, FrameQuality

if TYPE_CHECKING:
    from cskpi.engine.dask.tasks import Facts
    from cskpi.engine.keys import ByColumn
    from cskpi.engine.types import Inputs
    from cskpi.load.normalize import LoadOptions
    from cskpi.result import Result


def schema_inputs(
    t_facts: list[Facts], s_facts: list[Facts], surveys: bool, options: LoadOptions
) -> Inputs:
    """`Inputs` with the columns of every part and one survey row per kind present: what
    the KPI selection and `--by` look at, without any row of the data."""
    import pandas as pd

    from cskpi.engine.dask.frames import stack
    from cskpi.engine.types import Inputs

    tickets = replace(t_facts[0].template, frame=stack([f.template.frame for f in t_facts]))
    loaded_s = None
    if surveys and s_facts:
        frame = stack([f.template.frame for f in s_facts])
        kinds = list(dict.fromkeys(k for f in s_facts for k in f.kinds))
        if kinds:
            rows = pd.DataFrame({"kind": pd.Series(kinds, dtype=object)})
            frame = pd.concat([frame.astype({"kind": object}) if "kind" in frame else frame, rows])
        loaded_s = replace(s_facts[0].template, frame=frame)
    zone = options.source_tz
    if zone == "UTC" and t_facts[0].zone:
        zone = t_facts[0].zone  # DECISIONS 3: a single zone named in the headers
    return Inputs(tickets, loaded_s, zone)


def ordered(sequences: list[list[str]]) -> list[str]:
    """Reasons in an order every sequence agrees with (each part finds them in the local
    engine's order); first seen first where none says."""
    seen = list(dict.fromkeys(r for seq in sequences for r in seq))
    after: dict[str, set[str]] = {r: set() for r in seen}
    for seq in sequences:
        for i, reason in enumerate(seq):
            after[reason].update(seq[:i])
    out: list[str] = []
    while len(out) < len(seen):
        ready = next(
            (r for r in seen if r not in out and after[r] <= set(out)),
            next(r for r in seen if r not in out),
        )
        out.append(ready)
    return out


def frame_quality(
    loads: list[FrameQuality],
    dropped: Counter[str],
    issues: Counter[str],
    parts: list[dict[str, Any]],
    across: dict[str, list[str]] | None = None,
    slots: list[tuple[tuple[str, int], ...]] | None = None,
) -> FrameQuality:
    """One frame's counts: every file's, the corrections made across files, and what each
    group bucket's computation counted (`--where`, links, used rows; with its examples, in
    `examples`). `across`: examples of the corrections (ids dropped as duplicates across
    files). `slots`: each file's `Loaded.slots`: the issues of the column-by-column parse
    go first, in the order one parse of every file would have met them (the earliest place
    any file counted each), which no file's own order can tell when files count different
    ones."""
    counts = {"dropped": Counter(dropped), "issues": Counter(issues)}
    first: dict[str, int] = {}
    for found in slots or ():
        for reason, place in found:
            first[reason] = min(place, first.get(reason, place))
    orders: dict[str, list[list[str]]] = {
        "dropped": [],
        "issues": [sorted(first, key=lambda r: first[r])] if first else [],
    }
    for q in loads:
        for kind, entries in (("dropped", q.dropped), ("issues", q.issues)):
            orders[kind].append([r for r, _ in entries])
            counts[kind].update(dict(entries))
    orders["dropped"].append(list(dropped))  # duplicates across files, then the rest
    # (the corrections to the issues only take back counts the files made: no order); the
    # finishing step's fixed orders decide where no file saw two reasons together
    orders["dropped"] += [list(TICKET_DROPS), list(SURVEY_DROPS)]
    orders["issues"] += [list(TIME_ISSUES), list(SURVEY_ISSUES)]
    for kind in ("dropped", "issues"):
        for part in parts:
            orders[kind].append(list(part[kind]))
            counts[kind].update(part[kind])
    quality = FrameQuality(read=sum(q.read for q in loads))
    examples: dict[str, list[str]] = {}
    for q in loads:
        for reason, shown in q.examples:
            examples.setdefault(reason, []).extend(shown)
    for reason, ids in (across or {}).items():
        examples.setdefault(reason, []).extend(ids)
    for part in parts:
        for reason, shown in part.get("examples", {}).items():
            examples.setdefault(reason, []).extend(shown)
    for reason in ordered(orders["dropped"]):
        quality = quality.drop(reason, counts["dropped"][reason], examples.get(reason, ()))
    for reason in ordered(orders["issues"]):
        quality = quality.issue(reason, counts["issues"][reason], examples.get(reason, ()))
    return quality.with_usage(sum(int(part["used"]) for part in parts))


def notes(lines: list[str], taken_back: int = 0) -> list[str]:
    """The parts' notes once each; `N tickets with status … excluded` summed, less the
    `taken_back` excluded tickets that were older versions of a ticket in another part (the
    local engine drops those as duplicates first: no note when none is left)."""
    import re

    out: dict[str, None] = {}
    excluded: Counter[str] = Counter()
    for line in lines:
        hit = re.fullmatch(r"(\d+) (tickets with status .*)", line)
        if hit:
            excluded[hit[2]] += int(hit[1])
            out.setdefault(f"\0{hit[2]}", None)
        else:
            out.setdefault(line, None)
    for key in excluded:  # one key: every part reads with the same --include-status
        excluded[key] -= taken_back
    return [
        f"{excluded[k[1:]]} {k[1:]}" if k.startswith("\0") else k
        for k in out
        if not k.startswith("\0") or excluded[k[1:]] > 0
    ]


def rows_in_order(frames: list[Any], by: list[ByColumn]) -> Any:
    """The group buckets' rows in the local engine's order: groups by label, the special
    ones last (DECISIONS 42), each group's buckets as computed."""
    import pandas as pd

    rows = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    if not by or len(frames) == 1:
        return rows.reset_index(drop=True)
    keys = {}
    order = []
    for j, col in enumerate(by):
        keys[f"_special{j}"] = rows[col.name].isin(SPECIAL)
        keys[f"_label{j}"] = rows[col.name]
        order += [f"_special{j}", f"_label{j}"]
    ranked = pd.DataFrame(keys).sort_values(order, kind="stable")
    return rows.iloc[ranked.index.to_numpy()].reset_index(drop=True)


def result(
    parts: list[Result],
    whole: Result | None,
    by: list[ByColumn],
    tickets: FrameQuality,
    surveys: FrameQuality,
    select_notes: list[str],
    load_notes: list[str],
) -> Result:
    """One `Result` from the group buckets' (and the whole-window computation's)."""
    import pandas as pd

    first = parts[0]
    breaches = None
    if first.breaches is not None:
        table = pd.concat([p.breaches for p in parts if p.breaches is not None], ignore_index=True)
        breaches = table.sort_values(["metric", "ticket_id"], kind="stable").reset_index(drop=True)
    quality = DataQuality(tickets=tickets, surveys=surveys)
    return replace(
        first,
        rows=rows_in_order([p.rows for p in parts], by),
        overall=whole.overall if whole is not None else {},
        targets=whole.targets if whole is not None else first.targets,
        data_quality=quality.as_json(),
        notes=(*select_notes, *first.notes, *load_notes),
        quality_lines=tuple(quality.summary_lines()),
        quality_examples=quality.examples(),
        breaches=breaches,
        engine="dask",
    )
