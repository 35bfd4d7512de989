"""Target parsing and judging (DECISIONS 22, 41)."""

from __future__ import annotations

import pytest

from cskpi.engine.targets import NO_VALUE, evaluate, failure, parse_target, parse_targets
from cskpi.errors import UsageError
from cskpi.kpis import all_kpis
from cskpi.result import TargetStatus


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


# -- DECISIONS 41: ratio targets, failure messages, statuses -----------------------------------


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        # the number was meant as a percentage: 80 read as a share would be 8000 %
        (">= 80", ">= 80%"),
        ("1.5", "1.5%"),  # a bare value (>=) keeps its bare form
        ("< -0.1", "< -0.1%"),
    ],
)
def test_ratio_target_outside_0_1_names_the_percentage(text: str, meant: str) -> None:
    with pytest.raises(UsageError) as err:
        parse_target("csat", text, "ratio", "team.toml")
    assert str(err.value) == (
        f'team.toml: targets.csat: "{text}" is out of range: a ratio target is a percentage '
        f'or a number from 0 to 1; did you mean "{meant}"?'
    )
    assert err.value.exit_code == 2


@pytest.mark.parametrize(("text", "threshold"), [("0", 0.0), ("1", 1.0), ("85%", 0.85)])
def test_ratio_target_in_range_is_accepted(text: str, threshold: float) -> None:
    assert parse_target("csat", text, "ratio").threshold == threshold


def test_other_units_keep_their_scale() -> None:
    assert parse_target("nps", ">= 30", "nps").threshold == 30  # NPS runs -100..100
    assert parse_target("tickets_created", ">= 1000", "count").threshold == 1000


def test_target_errors_start_with_the_config_path() -> None:
    with pytest.raises(UsageError) as err:
        parse_targets([("csta", ">= 0.8")], all_kpis(), "/etc/cskpi.toml")
    assert str(err.value) == "/etc/cskpi.toml: targets.csta: unknown KPI (did you mean csat?)"


def status(kpi: str, text: str, value: float | None, unit: str) -> TargetStatus:
    met = parse_target(kpi, text, unit).met(value)
    return TargetStatus(kpi, text, value, met, kpi, unit)


@pytest.mark.parametrize(
    ("kpi", "text", "value", "unit", "message"),
    [
        ("csat", ">= 85%", 0.843, "ratio", "csat 84.3% < 85%"),
        ("csat", ">= 0.85", 0.843, "ratio", "csat 84.3% < 85%"),  # 0.85 shown as 85%
        # 84.96 % would read "85.0% < 85%" at one decimal: one more decimal
        ("csat", ">= 85%", 0.8496, "ratio", "csat 84.96% < 85%"),
        ("frt_median", "<= 4h", 4 * 3600 + 720, "seconds", "frt_median 4h 12m > 4h"),
        # bare seconds: 3600 s shown as a duration
        ("frt_median", "< 3600", 5400, "seconds", "frt_median 1h 30m >= 1h 00m"),
        ("backlog", "== 0", 3, "count", "backlog 3 != 0"),
        ("nps", "> 30", 30, "nps", "nps +30 <= 30"),
    ],
)
def test_missed_target_message_carries_the_value(
    kpi: str, text: str, value: float, unit: str, message: str
) -> None:
    assert failure(status(kpi, text, value, unit)) == f"target missed: {message}"


def test_met_target_is_no_failure() -> None:
    assert failure(status("csat", ">= 85%", 0.9, "ratio")) is None


def test_evaluate_gives_the_reason_of_each_target_not_evaluated() -> None:
    registry = all_kpis()
    targets = parse_targets(
        [("csat", ">= 85%"), ("nps", ">= 30"), ("tickets_created", ">= 5")], registry
    )
    statuses = evaluate(
        targets,
        registry,
        {"nps": None, "tickets_created": 5},  # csat not computed; nps null
        {"csat": "no surveys file given"},
    )
    assert [(s.kpi, s.status, s.reason) for s in statuses] == [
        ("csat", "not_evaluated", "no surveys file given"),
        ("nps", "not_evaluated", NO_VALUE),
        ("tickets_created", "met", None),
    ]
    assert [(s.name, s.unit) for s in statuses] == [
        ("CSAT", "ratio"),
        ("NPS", "nps"),
        ("Tickets created", "count"),
    ]
    assert failure(statuses[0]) == ("target not evaluated: csat >= 85% (no surveys file given)")
