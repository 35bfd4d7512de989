"""Target parsing and judging (DECISIONS 22)."""

from __future__ import annotations

import pytest

from cskpi.engine.targets import parse_target, parse_targets
from cskpi.errors import UsageError
from cskpi.kpis import all_kpis


@pytest.mark.parametrize(
    ("kpi", "text", "value", "met"),
    [
        ("frt_median", "<= 4h", 4 * 3600, True),  # ≤ is inclusive
        ("frt_median", "<= 4h", 4 * 3600 + 1, False),
        ("frt_median", "< 1h30m", 5399, True),  # 1h30m = 5400 s
        ("frt_median", "< 1h30m", 5400, False),
        ("csat", ">= 0.85", 0.85, True),
        ("csat", ">= 85%", 0.849, False),  # 85% reads as 0.85
        ("nps", "> 30", 30.5, True),
        ("backlog", "== 0", 0, True),
        ("resolution_time_median", "<= 2d", 172800, True),
        ("frt_median", "<= 45s", 46, False),
        ("nps", "≥ 30", 30, True),
        ("csat", "85%", 0.85, True),  # a bare value means >=
        ("frt_median", "4h", 3600, False),
    ],
)
def test_parse_and_judge(kpi: str, text: str, value: float, met: bool) -> None:
    target = parse_target(kpi, text, all_kpis()[kpi].unit.value)
    assert target.met(value) is met


def test_null_is_not_evaluated() -> None:
    target = parse_target("csat", ">= 0.85", "ratio")
    assert target.met(None) is None
    assert target.met(float("nan")) is None


@pytest.mark.parametrize("text", ["about 4h", "<= soon", "<= 4x", "<= %"])
def test_unreadable_target_is_a_usage_error(text: str) -> None:
    with pytest.raises(UsageError, match=r"config: targets.frt_median: cannot read"):
        parse_target("frt_median", text, "seconds")


def test_unknown_kpi_in_targets() -> None:
    with pytest.raises(UsageError, match=r"targets\.csta: unknown KPI \(did you mean csat\?\)"):
        parse_targets([("csta", ">= 0.8")], all_kpis())
