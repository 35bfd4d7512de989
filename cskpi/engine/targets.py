"""Targets: `"<= 4h"`, `">= 0.85"`, `">= 85%"`, `">= 30"` parsed and judged (DECISIONS 22).

A bare value (no operator) means `>=`. Durations (`45s`, `4h`, `1h30m`) are seconds and
percentages are ratios (`85%` → 0.85). `--check` judges `overall` only; a null value is
"not evaluated".
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cskpi.config import parse_duration
from cskpi.errors import UsageError, did_you_mean
from cskpi.result import TargetStatus

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
_TARGET_RE = re.compile(r"^\s*(<=|>=|==|≤|≥|<|>)?\s*(.+?)\s*$")


@dataclass(frozen=True)
class Target:
    kpi: str
    text: str
    op: str
    threshold: float

    def met(self, value: float | None) -> bool | None:
        if value is None or value != value:
            return None
        return _OPS[self.op](float(value), self.threshold)


def parse_target(kpi: str, text: str, unit: str) -> Target:
    """Parse one target for a KPI of `unit`."""
    match = _TARGET_RE.match(str(text))
    if not match:
        raise UsageError(f'config: targets.{kpi}: cannot read {text!r}; use e.g. "<= 4h"')
    op, value = match.group(1) or ">=", match.group(2)
    try:
        if value.endswith("%"):
            threshold = float(value[:-1]) / 100
        elif unit == "seconds" and re.search(r"[dhms]$", value):
            threshold = parse_duration(value, where=f"config: targets.{kpi}")
        else:
            threshold = float(value)
    except ValueError as exc:
        example = '"<= 4h"' if unit == "seconds" else '">= 0.85"'
        raise UsageError(
            f"config: targets.{kpi}: cannot read {text!r}; use e.g. {example}"
        ) from exc
    return Target(kpi, str(text).strip(), op, threshold)


def parse_targets(pairs: Sequence[tuple[str, str]], registry: dict[str, Kpi]) -> list[Target]:
    out = []
    for kpi_id, text in pairs:
        if kpi_id not in registry:
            raise UsageError(
                f"config: targets.{kpi_id}: unknown KPI{did_you_mean(kpi_id, registry)}"
            )
        out.append(parse_target(kpi_id, text, registry[kpi_id].unit.value))
    return out


def evaluate(
    pairs: Sequence[tuple[str, str]], kpis: Sequence[Kpi], overall: dict[str, Any]
) -> tuple[tuple[TargetStatus, ...], list[str]]:
    """Judge each configured target on `overall`; unrequested KPIs get a note instead."""
    from cskpi.kpis import all_kpis

    targets = parse_targets(pairs, all_kpis())
    requested = {k.id for k in kpis}
    statuses, notes = [], []
    for target in targets:
        if target.kpi not in requested:
            notes.append(f"target for {target.kpi} not evaluated: the KPI is not in this report")
            continue
        value = overall.get(target.kpi)
        statuses.append(TargetStatus(target.kpi, target.text, value, target.met(value)))
    return tuple(statuses), notes
