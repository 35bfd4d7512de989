"""Targets: `"<= 4h"`, `">= 0.85"`, `">= 85%"`, `">= 30"` parsed and judged (DECISIONS 22, 41).

A bare value (no operator) means `>=`. Durations (`45s`, `4h`, `1h30m`) are seconds and
percentages are ratios (`85%` → 0.85); a ratio target is a percentage or a number in [0, 1].
`--check` judges `overall` only. Every configured target is judged: its KPI is computed for it
when the report does not show it; a target whose KPI the inputs cannot support, or whose
value is null, is *not evaluated* and carries the reason (a `--check` failure).
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cskpi.config import parse_duration
from cskpi.errors import UsageError, did_you_mean
from cskpi.kpis.distribution import DURATIONS
from cskpi.result import TargetStatus
from cskpi.units import humanize

if TYPE_CHECKING:
    from cskpi.kpis.registry import Kpi

_OPS: dict[str, Callable[[float, float], bool]] = {
    "<=": operator.le,
    "≤": operator.le,
    "<": operator.lt,
    ">=": operator.ge,
    "≥": operator.ge,
    ">": operator.gt,
    "==": operator.eq,
}
_MISSED_AS = {"<=": ">", "≤": ">", "<": ">=", ">=": "<", "≥": "<", ">": "<=", "==": "!="}
"""How a missed target reads: `csat 84.3% < 85%` for `>= 85%`."""
_TARGET_RE = re.compile(r"^\s*(<=|>=|==|≤|≥|<|>)?\s*(.+?)\s*$")
NO_VALUE = "no value in the window"


@dataclass(frozen=True)
class Target:
    kpi: str
    text: str
    op: str
    threshold: float
    written: str = ""
    """The threshold as written (`85%`, `4h`, `0.85`)."""

    def met(self, value: float | None) -> bool | None:
        if value is None or value != value:
            return None
        return _OPS[self.op](float(value), self.threshold)

    def threshold_text(self, unit: str) -> str:
        """The threshold in the KPI's terms: `85%` for a ratio, `4h` as written."""
        if unit == "ratio" and not self.written.endswith("%"):
            return f"{self.threshold * 100:g}%"
        if unit == "seconds" and not re.search(r"[dhms]$", self.written):
            return humanize(self.threshold, unit)
        return self.written


def parse_target(kpi: str, text: str, unit: str, origin: str = "config") -> Target:
    """Parse one target for a KPI of `unit`; an error starts with `origin` (the config's path)."""
    where = f"{origin}: targets.{kpi}"
    match = _TARGET_RE.match(str(text))
    if not match:
        raise UsageError(f'{where}: cannot read {text!r}; use e.g. "<= 4h"')
    op, value = match.group(1) or ">=", match.group(2)
    try:
        if value.endswith("%"):
            threshold = float(value[:-1]) / 100
        elif unit == "seconds" and re.search(r"[dhms]$", value):
            threshold = parse_duration(value, where=where)
        else:
            threshold = float(value)
        if not math.isfinite(threshold):
            raise ValueError(value)  # nan and inf are no target
    except ValueError as exc:
        example = '"<= 4h"' if unit == "seconds" else '">= 0.85"'
        raise UsageError(f"{where}: cannot read {text!r}; use e.g. {example}") from exc
    if unit == "ratio" and not value.endswith("%") and not 0 <= threshold <= 1:
        # `>= 80` on a share from 0 to 1 could never be met (DECISIONS 41)
        meant = f"{match.group(1) + ' ' if match.group(1) else ''}{threshold:g}%"
        raise UsageError(
            f'{where}: "{str(text).strip()}" is out of range: a ratio target is a percentage '
            f'or a number from 0 to 1; did you mean "{meant}"?'
        )
    return Target(kpi, str(text).strip(), op, threshold, value)


def parse_targets(
    pairs: Sequence[tuple[str, str]], registry: Mapping[str, Kpi], origin: str = "config"
) -> list[Target]:
    """Every configured target, checked against the registry (exit 2 on a mistake)."""
    out = []
    for kpi_id, text in pairs:
        if kpi_id not in registry:
            raise UsageError(
                f"{origin}: targets.{kpi_id}: unknown KPI{did_you_mean(kpi_id, registry)}"
            )
        if kpi_id in DURATIONS:
            raise UsageError(
                f"{origin}: targets.{kpi_id}: a distribution has one value per bucket, not one "
                "to judge; set a target on frt_p90 or an SLA rate instead"
            )
        out.append(parse_target(kpi_id, text, registry[kpi_id].unit.value, origin))
    return out


def evaluate(
    targets: Sequence[Target],
    registry: Mapping[str, Kpi],
    values: Mapping[str, Any],
    unavailable: Mapping[str, str],
) -> tuple[TargetStatus, ...]:
    """Judge each target on its KPI's whole-window value.

    `values`: KPI id → overall value (of the report's KPIs and of those computed for targets
    only); `unavailable`: KPI id → why the inputs cannot support it (the reason a null value
    is given, instead of `NO_VALUE`)."""
    statuses = []
    for target in targets:
        kpi = registry[target.kpi]
        value = values.get(target.kpi)
        met = target.met(value)
        reason = None if met is not None else unavailable.get(target.kpi, NO_VALUE)
        statuses.append(
            TargetStatus(
                target.kpi,
                target.text,
                None if met is None else value,
                met,
                name=kpi.name,
                unit=kpi.unit.value,
                reason=reason,
            )
        )
    return tuple(statuses)


def failure(status: TargetStatus) -> str | None:
    """How `--check` names a failed target (None when met): `target missed: csat 84.3% < 85%`,
    or `target not evaluated: csat >= 85% (no surveys file given)`."""
    if status.met is True:
        return None
    if status.met is None:
        return f"target not evaluated: {status.kpi} {status.target} ({status.reason or NO_VALUE})"
    target = parse_target(status.kpi, status.target, status.unit)
    return (
        f"target missed: {status.kpi} {_value_text(status.value, target, status.unit)} "
        f"{_MISSED_AS[target.op]} {target.threshold_text(status.unit)}"
    )


def _value_text(value: Any, target: Target, unit: str) -> str:
    """The value as shown, with more decimals for a ratio that would read as its threshold
    (`84.96%`, not `85.0% < 85%`)."""
    text = humanize(value, unit)
    if unit == "ratio" and value is not None:
        for decimals in (1, 2, 3, 4):
            text = f"{float(value) * 100:.{decimals}f}%"
            if float(text[:-1]) != round(target.threshold * 100, decimals):
                break
    return text
