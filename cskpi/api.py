"""The small public Python API: `load` the exports, `compute` a report.

import cskpi
inputs = cskpi.load("tickets.csv", surveys=["surveys.csv"])
result = cskpi.compute(inputs, cskpi.ReportRequest(kpis=("frt_median",), group_by=("agent",)))
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from cskpi.engine.compute import compute
from cskpi.engine.types import Inputs, ReportRequest
from cskpi.errors import UsageError
from cskpi.load.business import load_business
from cskpi.load.messages import TICKET_COLUMNS as MESSAGE_TICKET_COLUMNS
from cskpi.load.messages import load_conversation
from cskpi.load.normalize import (
    Loaded,
    LoadOptions,
    join_supplement,
    ratings_as_surveys,
    read_frames,
    text_ids,
    text_ids_if_mixed,
)
from cskpi.load.plan import ReadPlan
from cskpi.load.schema import SURVEY_KINDS, Frame
from cskpi.load.users import name_agents, read_users

if TYPE_CHECKING:
    from concurrent.futures import Future

__all__ = ["Inputs", "LoadOptions", "ReportRequest", "compute", "load", "split_survey_kind"]


def split_survey_kind(spec: str) -> tuple[str | None, str]:
    """`nps=answers.csv` → ("nps", "answers.csv"); a plain path has no kind."""
    kind, sep, path = spec.partition("=")
    if sep and kind.lower() in SURVEY_KINDS:
        return kind.lower(), path
    if sep and kind and "/" not in kind and "." not in kind:
        raise UsageError(
            f"--surveys {spec}: unknown survey kind '{kind}'; use one of {', '.join(SURVEY_KINDS)}"
        )
    return None, spec


def _surveys(
    specs: list[str], options: LoadOptions, stdin: Any, plan: ReadPlan | None
) -> list[Loaded]:
    parts: list[Loaded] = []
    for spec in specs:
        kind, path = split_survey_kind(spec)
        opts = replace(options, survey_kind=kind) if kind else options
        parts.extend(read_frames([path], Frame.SURVEYS, opts, stdin, plan))
    return parts


def _surveys_alongside(
    tickets: list[str], specs: list[str], options: LoadOptions, stdin: Any, plan: ReadPlan | None
) -> Future[list[Loaded]] | None:
    """The survey files read on a second thread while the tickets are read, when every file
    is Parquet and memory is plentiful (`_roomy`): the tickets' decode leaves a core idle
    between row groups, and Arrow and NumPy release the interpreter for their work (10
    million typed tickets: the surveys' 0.3 s mostly hidden). Text files are read one after
    the other, as before: their reading is the memory peak of a report, and two at once
    would raise it. The result is taken where the surveys were read before, so errors come
    in the same order. A ticket error leaves the surveys' thread to finish (at most their
    reading time before the process exits)."""
    from concurrent.futures import ThreadPoolExecutor

    try:
        every = [*tickets, *(split_survey_kind(spec)[1] for spec in specs)]
    except UsageError:  # said after the tickets are read, as before
        return None
    parquet = options.input_format == "parquet" or (
        options.input_format is None and all(p.lower().endswith(".parquet") for p in every)
    )
    if not tickets or not specs or not parquet or "-" in every or not _roomy(every):
        return None
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cskpi-surveys")
    future = pool.submit(_surveys, specs, options, stdin, plan)
    pool.shutdown(wait=False)
    return future


def _roomy(paths: list[str]) -> bool:
    """Whether memory is plentiful for reading these files at once: the surveys' reading
    then overlaps the tickets' peak (10 million `cskpi sample` tickets: 1.45 → 1.64 GB). A
    Parquet file takes up to about 10 times its size once read; twice the whole of that
    must be available. Paths that are no plain file (globs, directories) make it no."""
    import os

    from cskpi.memory import available

    try:
        need = 10 * sum(os.path.getsize(p) for p in paths)
    except OSError:
        return False
    free = available()
    return free is not None and free > 2 * need


def _merge(parts: list[Loaded]) -> Loaded:
    import pandas as pd

    from cskpi.load.quality import FrameQuality

    if len(parts) == 1:
        return parts[0]
    quality = FrameQuality(read=sum(p.quality.read for p in parts))
    for part in parts:
        examples = dict(part.quality.examples)
        for reason, count in part.quality.dropped:
            quality = quality.drop(reason, count, examples.get(reason, ()))
        for reason, count in part.quality.issues:
            quality = quality.issue(reason, count, examples.get(reason, ()))
    frame = pd.concat([p.frame for p in parts], ignore_index=True)
    if parts[0].kind is Frame.SURVEYS:
        frame["kind"] = frame["kind"].astype(pd.CategoricalDtype(list(SURVEY_KINDS)))
    for column in frame.columns:
        if (
            any(
                isinstance(p.frame[column].dtype, pd.CategoricalDtype)
                for p in parts
                if column in p.frame
            )
            and column != "kind"
        ):
            frame[column] = frame[column].astype("category")
    return replace(
        parts[0],
        frame=frame,
        quality=quality,
        files=tuple(f for p in parts for f in p.files),
        notes=tuple(n for p in parts for n in p.notes),
    )


def load(
    tickets: str | Sequence[str] = (),
    surveys: str | Sequence[str] = (),
    options: LoadOptions | None = None,
    stdin: Any = None,
    plan: ReadPlan | None = None,
    *,
    customers: str | Sequence[str] = (),
    orders: str | Sequence[str] = (),
    schedules: str | Sequence[str] = (),
    costs: str | Sequence[str] = (),
    messages: str | Sequence[str] = (),
    events: str | Sequence[str] = (),
    users: str | Sequence[str] = (),
) -> Inputs:
    """Read ticket and survey exports into canonical frames (DATA.md).

    `users`: files mapping agent ids to names (the Zendesk API users export, or id,name):
    the tickets' and surveys' `agent` ids become names (`cskpi.load.users`).

    The business inputs (customers, orders, schedules, costs; `cskpi.load.business`) are read
    whole, without presets; costs default to the config's `[costs] file`.

    With a `plan` (see `cskpi.engine.plan.plan_for`), only the columns it names are read.
    `options.now` (default: the wall clock, read here) bounds plausible timestamps: one more
    than a day after it, or before 1970, is treated as missing and counted (DECISIONS 40);
    pass a later `now` to report as of a future instant.
    Helpdesk presets (DECISIONS 25): a survey export given as a ticket file is read as
    surveys; a supplement (Zendesk ticket_metrics) is joined to the tickets on ticket id;
    ratings a ticket export carries become survey rows when no survey file is given.
    """
    options = options or LoadOptions()
    if options.now is None:  # the edge: the run's clock, read once (DECISIONS 40)
        options = replace(options, now=datetime.now(UTC))
    ticket_paths = [tickets] if isinstance(tickets, str) else list(tickets)
    survey_specs = [surveys] if isinstance(surveys, str) else list(surveys)
    talk = (
        [messages] if isinstance(messages, str) else list(messages),
        [events] if isinstance(events, str) else list(events),
    )
    if plan is not None and (talk[0] or talk[1]):  # what derived values are compared with
        plan = replace(plan, tickets=plan.tickets | MESSAGE_TICKET_COLUMNS)
    early = _surveys_alongside(ticket_paths, survey_specs, options, stdin, plan)
    read = read_frames(ticket_paths, Frame.TICKETS, options, stdin, plan) if ticket_paths else []
    loaded_tickets = _tickets([p for p in read if p.kind is Frame.TICKETS])
    said = changed = history = None
    if talk[0] or talk[1]:  # messages and status history fold into the tickets
        if loaded_tickets is not None:  # message ids are text: so are the tickets' then
            loaded_tickets = text_ids(loaded_tickets)
        loaded_tickets, said, changed, history = load_conversation(
            loaded_tickets, *talk, options, stdin
        )
    parts = [p for p in read if p.kind is Frame.SURVEYS]
    parts.extend(
        early.result() if early is not None else _surveys(survey_specs, options, stdin, plan)
    )
    if not parts and loaded_tickets is not None:
        derived = ratings_as_surveys(loaded_tickets, options)
        parts += [derived] if derived is not None else []
    zone = options.source_tz
    header_zone = loaded_tickets.preset.zone if loaded_tickets and loaded_tickets.preset else None
    if zone == "UTC" and header_zone:
        zone = header_zone  # DECISIONS 3: a single zone named in the headers (Intercom)
    business = load_business(customers, orders, schedules, costs, options, stdin)
    parts = text_ids_if_mixed(text_ids_if_mixed(parts), "response_id")
    loaded_surveys = _merge(parts) if parts else None
    if loaded_tickets is not None and loaded_surveys is not None:  # linked on ticket id
        loaded_tickets, loaded_surveys = text_ids_if_mixed([loaded_tickets, loaded_surveys])
    if users:
        names = read_users([users] if isinstance(users, str) else list(users), options)
        loaded_tickets = name_agents(loaded_tickets, names)
        loaded_surveys = name_agents(loaded_surveys, names)
    return Inputs(
        loaded_tickets,
        loaded_surveys,
        zone,
        business,
        said,
        changed,
        conversation=history,
    )


def _tickets(parts: list[Loaded]) -> Loaded | None:
    """One tickets frame: exports concatenated, supplements (ticket_metrics) joined on id."""
    bases = [p for p in parts if not (p.preset and p.preset.preset and p.preset.preset.supplement)]
    extras = [p for p in parts if all(p is not b for b in bases)]
    if not bases and extras:
        bases, extras = extras[:1], extras[1:]
    if not bases:
        return None
    if len(bases) + len(extras) > 1:  # stacked or joined on ticket id
        same = text_ids_if_mixed(bases + extras)
        bases, extras = same[: len(bases)], same[len(bases) :]
    loaded = _merge(bases)
    for extra in extras:
        loaded = join_supplement(loaded, extra)
    return loaded
