"""The engine's request, its inputs and its prepared state: plain frozen values in, one
mutable `Prepared` per report (the censored frames with their group codes).

`ReportRequest` is what the command line (or a Python caller) asks of one report; `Inputs`
holds the loaded canonical frames; `Prepared` is built once by `cskpi.engine.prepare` and read
by every pass (`cskpi.engine.passes`) and by the business frames' hooks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cskpi.time.window import WindowSpec

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from cskpi.kpis.context import Context
    from cskpi.kpis.registry import Anchor
    from cskpi.load.business import Business
    from cskpi.load.fold import Conversation
    from cskpi.load.normalize import Loaded
    from cskpi.result import Compare, Period


@dataclass(frozen=True)
class ReportRequest:
    """Everything the command line asks of one report (flags merged with config)."""

    kpis: tuple[str, ...] = ()
    """KPI ids in the order asked; empty = the default set the data supports."""
    window: WindowSpec = field(default_factory=WindowSpec)
    as_of: str | None = None
    """`now`, a datetime, or None for the latest timestamp in the inputs."""
    tz: str | None = None
    """Report zone; None = config `timezone`, else the source zone."""
    group_by: tuple[str, ...] = ()
    where: tuple[str, ...] = ()
    """`--where` expressions, all met (`cskpi.engine.where`, DECISIONS 47)."""
    period: Period | None = None
    week_start: str = "mon"
    compare: Compare | None = None
    sort: str | None = None
    """`KPI`, `KPI:asc` or `KPI:desc` (default desc)."""
    top: int | None = None
    business_hours: bool | None = None
    """None = config `clock`."""
    breaches: bool = False
    """Also list the tickets that breached an SLA target (`--breaches`)."""
    overall: bool = True
    """Compute the whole-window values (`Result.overall`, targets). The CLI turns this off
    for the row-only formats (csv, tsv, jsonl, parquet) when --check is not given: a second pass
    over every anchor that nobody would see. Off, `Result.overall` is empty."""


@dataclass(frozen=True)
class Inputs:
    """The loaded canonical frames (either may be absent) and the source zone used."""

    tickets: Loaded | None = None
    surveys: Loaded | None = None
    source_tz: str = "UTC"
    business: Business | None = None
    """Customers, orders, schedules and costs, when given."""
    messages: Loaded | None = None
    """`--messages`, already folded into the tickets' columns (`cskpi.load.fold`)."""
    events: Loaded | None = None
    """`--events` (status history), likewise folded into the tickets."""
    transient: bool = False
    """The frames are handed over for this one report (the CLI): once the surveys are
    linked, `compute` deletes from them the columns only loading needed (`SPENT`), so that
    10 million ticket ids do not stay in memory through the computation. The Python API
    leaves it False: a caller's frames are never changed."""
    conversation: Conversation | None = None
    """The messages and status changes as one sorted stream over the tickets' rows, kept when
    loading so that `prepare` cuts the history at `as_of` (`cskpi.load.fold`, DECISIONS 45)."""


@dataclass
class Prepared:
    """Inputs censored at as_of, with per-record group codes over the by-columns."""

    tickets: pd.DataFrame | None
    surveys: pd.DataFrame | None
    t_by: np.ndarray | None
    s_by: np.ndarray | None
    by_labels: list[np.ndarray]
    context: Context
    windowed: dict[tuple[Anchor, int, int], np.ndarray] = field(default_factory=dict)
    """Per (anchor, window): the mask of the in-window rows, shared by the grouped and the
    overall pass."""
