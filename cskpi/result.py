"""The frozen values that flow between the steps: the report request and its result.

Every output format is rendered from one `Result`, so table, CSV, JSON and HTML agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd


class Period(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


class Compare(StrEnum):
    PREVIOUS = "previous"
    YEAR = "year"


@dataclass(frozen=True)
class KpiInfo:
    """A KPI as it appears in a result: contract metadata only."""

    id: str
    name: str
    unit: str
    """One of count, seconds, ratio, ratio_unbounded, change, score, nps, money."""
    anchor: str = ""
    additive: bool = False


@dataclass(frozen=True)
class TargetStatus:
    """One configured target evaluated on the KPI's whole-window value (DECISIONS 41)."""

    kpi: str
    target: str
    """As written in the config, e.g. `<= 4h`."""
    value: float | None
    met: bool | None
    """None when the target cannot be evaluated (`reason` says why): a `--check` failure."""
    name: str = ""
    """The KPI's name; its unit below. The KPI may not be among `Result.kpis`: a target's
    KPI is computed for the target alone when the report does not show it."""
    unit: str = ""
    reason: str | None = None
    """Why it is not evaluated: the input the KPI needs is missing, or its value is null."""

    @property
    def status(self) -> str:
        """`met`, `missed` or `not_evaluated`."""
        return "not_evaluated" if self.met is None else ("met" if self.met else "missed")


@dataclass(frozen=True)
class Result:
    """What `compute()` returns and every renderer reads.

    `rows` is a pandas DataFrame whose columns are, in order: the group columns (strings),
    when a period was requested `period` (string label), `partial` (bool, DECISIONS 39) and
    with `--compare` `period_previous` (the label compared with, DECISIONS 37), then for
    each KPI `<id>` and `<id>_n`, followed by `<id>_previous` and `<id>_change` with
    `--compare`. Values are in machine units: counts int64, other KPIs float64 with NaN for
    null, `_n` int64.
    """

    as_of: pd.Timestamp
    """The "now" used, tz-aware."""
    since: pd.Timestamp
    """Window start, tz-aware in the report zone (inclusive)."""
    until: pd.Timestamp
    """Window end, tz-aware in the report zone (exclusive)."""
    timezone: str
    business_hours: bool
    group_by: tuple[str, ...]
    period: Period | None
    kpis: tuple[KpiInfo, ...]
    rows: pd.DataFrame
    overall: dict[str, Any]
    """`<id>`, `<id>_n` (and `_previous`/`_change`) → Python scalars, None for null."""
    targets: tuple[TargetStatus, ...] = ()
    data_quality: dict[str, Any] = field(default_factory=dict)
    """The JSON shape of DECISIONS 32: {"tickets": {...}, "surveys": {...}}."""
    compare: Compare | None = None
    notes: tuple[str, ...] = ()
    """One-line notes for stderr (KPIs left out of the default set, zone used, ...)."""
    breaches: pd.DataFrame | None = None
    """With `--breaches`: one row per ticket that breached an SLA target in the window:
    ticket_id, agent, metric (first_response / resolution), policy, target and actual
    (seconds), clock."""
    quality_lines: tuple[str, ...] = ()
    """The data-quality summary for stderr, one line per frame with problems (with examples)."""
    quality_examples: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    """The places shown beside each count of `quality_lines`, by frame and reason (the Dask
    engine gathers its group buckets' ones)."""
    config: str | None = None
    """The config file used (DECISIONS 43), or None."""
    engine: str = "local"
    """The engine that computed it: `local` (this process) or `dask` (DECISIONS 48)."""
    currency: str | None = None
    """`[costs] currency`: shown with money in the table, HTML and Excel; None: bare numbers."""
