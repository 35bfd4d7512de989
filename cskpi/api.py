"""The small public Python API: `load` the exports, `compute` a report.

    import cskpi
    inputs = cskpi.load("tickets.csv", surveys=["surveys.csv"])
    result = cskpi.compute(inputs, cskpi.ReportRequest(kpis=("frt_median",), group_by=("agent",)))
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from cskpi.engine import Inputs, ReportRequest, compute
from cskpi.errors import UsageError
from cskpi.load.normalize import Loaded, LoadOptions, read_frame
from cskpi.load.schema import SURVEY_KINDS, Frame
from cskpi.plan import ReadPlan

__all__ = ["Inputs", "LoadOptions", "ReportRequest", "compute", "load", "split_survey_kind"]


def split_survey_kind(spec: str) -> tuple[str | None, str]:
    """`nps=answers.csv` → ("nps", "answers.csv"); a plain path has no kind."""
    kind, sep, path = spec.partition("=")
    if sep and kind.lower() in SURVEY_KINDS:
        return kind.lower(), path
    if sep and kind and "/" not in kind and "." not in kind:
        raise UsageError(f"--surveys {spec}: unknown survey kind '{kind}'; "
                         f"use one of {', '.join(SURVEY_KINDS)}")
    return None, spec


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
    frame["kind"] = frame["kind"].astype(pd.CategoricalDtype(list(SURVEY_KINDS)))
    return replace(parts[0], frame=frame, quality=quality,
                   files=tuple(f for p in parts for f in p.files),
                   notes=tuple(n for p in parts for n in p.notes))


def load(tickets: str | Sequence[str] = (), surveys: str | Sequence[str] = (),
         options: LoadOptions | None = None, stdin: Any = None,
         plan: ReadPlan | None = None) -> Inputs:
    """Read ticket and survey exports into canonical frames (DATA.md).

    With a `plan` (see `cskpi.plan.plan_for`), only the columns it names are read.
    """
    options = options or LoadOptions()
    ticket_paths = [tickets] if isinstance(tickets, str) else list(tickets)
    survey_specs = [surveys] if isinstance(surveys, str) else list(surveys)
    loaded_tickets = read_frame(ticket_paths, Frame.TICKETS, options, stdin, plan) \
        if ticket_paths else None
    parts = []
    for spec in survey_specs:
        kind, path = split_survey_kind(spec)
        opts = replace(options, survey_kind=kind) if kind else options
        parts.append(read_frame([path], Frame.SURVEYS, opts, stdin, plan))
    return Inputs(loaded_tickets, _merge(parts) if parts else None, options.source_tz)
