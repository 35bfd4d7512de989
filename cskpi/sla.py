"""SLA policies → per-ticket targets, vectorised (first matching `[[sla]]` entry wins).

With no `[[sla]]` configured, one built-in policy applies to every ticket: first response
within 24 hours, calendar time (KPIS.md, DECISIONS 16), and no resolution target.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cskpi.config import SlaPolicy
from cskpi.errors import UsageError, did_you_mean

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

BUILT_IN = SlaPolicy(filters=(), first_response=24 * 3600.0, resolution=None,
                     clock="calendar", label="built-in: first response within 24h")


def policies_for(configured: tuple[SlaPolicy, ...]) -> tuple[SlaPolicy, ...]:
    return configured or (BUILT_IN,)


def check_filters(policies: tuple[SlaPolicy, ...], columns: list[str]) -> None:
    """Every filter key must name a canonical or input column (DECISIONS 30)."""
    for i, policy in enumerate(policies, 1):
        for key, _ in policy.filters:
            if key not in columns:
                raise UsageError(f"config: sla[{i}].{key}: no such column in the tickets"
                                 f"{did_you_mean(key, columns)}")


@dataclass(frozen=True)
class Targets:
    seconds: np.ndarray
    """Target per ticket in seconds; NaN where no policy sets this target."""
    business: np.ndarray
    """Per ticket: whether its clock is business time."""
    policy: np.ndarray
    """Per ticket: index of the matching policy, -1 for none."""


def assign(frame: pd.DataFrame, policies: tuple[SlaPolicy, ...], which: str,
           report_business: bool) -> Targets:
    """First matching policy per ticket, and its `which` target ("first_response"/"resolution")."""
    import numpy as np

    n = len(frame)
    chosen: np.ndarray = np.full(n, -1, dtype="int64")
    for i, policy in enumerate(policies):
        match = chosen < 0
        for key, values in policy.filters:
            column = frame[key].astype("str").str.strip().str.lower()
            match &= np.asarray(column.isin(values).fillna(False), dtype=bool)
        chosen[match] = i
    seconds = np.full(n, np.nan)
    business: np.ndarray = np.zeros(n, dtype=bool)
    for i, policy in enumerate(policies):
        target = getattr(policy, which)
        rows = chosen == i
        if target is not None:
            seconds[rows] = target
        clock = policy.clock or ("business" if report_business else "calendar")
        business[rows] = clock == "business"
    return Targets(seconds, business, chosen)
