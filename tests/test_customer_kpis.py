"""Customer, revenue, workforce and cost KPIs (issue 9), hand-computed on tests/data/business.

The fixture, all UTC, window March 2024 ([03-01, 04-01)), as_of 2024-04-15:

customers (started, ended, plan, mrr)
  C1 2023-06-01  —           pro         100   active throughout
  C2 2023-09-15  2024-03-10  basic        20   active at the start, churns in March
  C3 2024-03-05  2024-03-20  basic        20   starts and churns inside March
  C4 2024-03-15  —           pro         100   starts in March, active at the end
  C5 2024-01-01  2024-02-15  basic        20   gone before March
  C6 2023-12-01  2024-04-10  enterprise 1000   ("1,000") active through March
  C7 2024-04-05  —           pro         100   starts after March
orders (customer, day, amount, category): O1 C1 02-20 50 hardware (before March); O2 C1 03-03
  80 hardware; O3 C1 03-25 30 books; O4 C2 03-05 50 hardware; O5 C4 03-16 200 hardware;
  O6 C4 03-18 200 hardware; O7 C6 04-02 500 hardware (after March). C3, C5, C7: no orders.
tickets (agent, resolved, handle s): T1 kim 03-01 1800; T2 kim 03-02 3600; T3 lee 03-02 7200;
  T4 park 03-03 900; T5 open (created 03-20); T6 kim 04-12 600.
schedules: kim 03-01 8 h, kim 03-02 8 h, lee 03-01 4 h; park has none.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import cskpi
from cskpi.config import parse_config
from cskpi.engine.types import ReportRequest
from cskpi.errors import InputError, UsageError
from cskpi.time.window import WindowSpec

DATA = Path(__file__).parent / "data" / "business"
AS_OF = "2024-04-15T00:00:00Z"
MONTH_DAYS = 30.436875
MARCH = WindowSpec(month="2024-03")


def _inputs(**business: str) -> Any:
    return cskpi.load(
        str(DATA / "tickets.csv"),
        surveys=[str(DATA / "surveys.csv")],
        **{name: str(DATA / path) for name, path in business.items()},
    )


@pytest.fixture(scope="module")
def inputs() -> Any:
    return _inputs(
        customers="customers.csv", orders="orders.csv", schedules="schedules.csv", costs="costs.csv"
    )


def _run(
    inputs: Any,
    kpis: tuple[str, ...],
    window: WindowSpec = MARCH,
    by: tuple[str, ...] = (),
    period: str | None = None,
    config: dict[str, Any] | None = None,
) -> Any:
    request = ReportRequest(kpis=kpis, window=window, as_of=AS_OF, group_by=by, period=period)  # type: ignore[arg-type]
    return cskpi.compute(inputs, request, parse_config(config or {}))


def _rows(result: Any, key: str) -> dict[str, dict[str, Any]]:
    return {str(r[key]): r for r in result.rows.to_dict("records")}


# -- customer states ---------------------------------------------------------------------------


def test_churn_and_retention_with_customers_who_start_and_churn_inside(inputs: Any) -> None:
    o = _run(inputs, ("churn_rate", "retention_rate", "customers_active")).overall
    # active at 03-01: C1, C2, C6 (C3/C4 start later, C5 ended 02-15) → S = 3
    # of them, C2 ends 03-10 → churn 1/3; C3 starts and churns inside: in neither
    assert (o["churn_rate"], o["churn_rate_n"]) == (pytest.approx(1 / 3), 3)
    # active at 04-01: C1, C4, C6 (C6 ends 04-10) → E = 3; N (new, still active) = {C4}
    # (E − N) / S = 2/3 = 1 − churn
    assert (o["retention_rate"], o["retention_rate_n"]) == (pytest.approx(2 / 3), 3)
    assert (o["customers_active"], o["customers_active_n"]) == (3, 3)


def test_mrr_and_growth(inputs: Any) -> None:
    o = _run(inputs, ("mrr", "mrr_growth")).overall
    # end: C1 100 + C4 100 + C6 1000 = 1200 over 3; start: C1 100 + C2 20 + C6 1000 = 1120
    assert (o["mrr"], o["mrr_n"]) == (1200.0, 3)
    assert o["mrr_growth"] == pytest.approx((1200 - 1120) / 1120)  # 0.0714
    assert o["mrr_growth_n"] == 3


def test_clv(inputs: Any) -> None:
    o = _run(inputs, ("clv",)).overall
    # days active in March: C1 31, C2 9, C3 15, C4 17, C6 31 = 103
    # mrr × days: 3100 + 180 + 300 + 1700 + 31000 = 36280; churned in March: C2, C3 = 2
    # ARPA = 36280/103 a month; lifetime = (103 / 30.436875) / 2 months
    arpa = 36280 / 103
    lifetime = 103 / MONTH_DAYS / 2
    assert o["clv"] == pytest.approx(arpa * lifetime)  # = 36280 / 30.436875 / 2 ≈ 595.99
    assert o["clv_n"] == 2


def test_customer_states_by_plan(inputs: Any) -> None:
    rows = _rows(
        _run(inputs, ("churn_rate", "customers_active", "mrr", "mrr_growth", "clv"), by=("plan",)),
        "plan",
    )
    assert set(rows) == {"basic", "enterprise", "pro"}  # C5, C7 have no row in March
    # basic: S = {C2}, churned → 1.0; nobody active at the end → mrr null; 20 → 0: −100%
    basic = rows["basic"]
    assert (basic["churn_rate"], basic["churn_rate_n"]) == (1.0, 1)
    assert basic["customers_active"] == 0 and basic["mrr_n"] == 0
    assert basic["mrr"] != basic["mrr"]  # NaN in rows = null
    assert basic["mrr_growth"] == -1.0
    # C2 9 days + C3 15 days at 20 → 480 mrr·days, 2 churned → 480 / 30.436875 / 2
    assert basic["clv"] == pytest.approx(480 / MONTH_DAYS / 2)
    # pro: S = {C1}, no churn; end {C1, C4} → 200; 100 → 200 = +100%; CLV null (no churn)
    pro = rows["pro"]
    assert (pro["churn_rate"], pro["customers_active"], pro["mrr"]) == (0.0, 2, 200.0)
    assert pro["mrr_growth"] == 1.0 and pro["clv_n"] == 0 and pro["clv"] != pro["clv"]


def test_customer_states_per_month_bucket(inputs: Any) -> None:
    result = _run(
        inputs,
        ("customers_active", "churn_rate"),
        WindowSpec(since="2024-02-01", until="2024-04-30"),
        period="month",
    )
    rows = _rows(result, "period")
    # end of Feb: C1, C2, C6 (C5 ended 02-15) = 3; Feb churn: C5 of {C1, C2, C5, C6} → 1/4
    assert rows["2024-02"]["customers_active"] == 3
    assert rows["2024-02"]["churn_rate"] == pytest.approx(1 / 4)
    assert rows["2024-03"]["customers_active"] == 3
    # April (to as_of 04-15, C7 started 04-05): start {C1, C4, C6}; C6 ends 04-10 → 1/3
    # end: C1, C4, C7 = 3 (the window ends after as_of: nothing later has happened)
    assert rows["2024-04"]["churn_rate"] == pytest.approx(1 / 3)
    assert rows["2024-04"]["customers_active"] == 3


# -- orders ------------------------------------------------------------------------------------


def test_order_kpis_ignore_customers_without_orders(inputs: Any) -> None:
    o = _run(inputs, ("repeat_purchase_rate", "cross_sell_rate", "upsell_rate")).overall
    # March orders: C1 (O2, O3), C2 (O4), C4 (O5, O6) → 3 buyers; C3, C5, C6, C7 in neither
    # repeat: C1, C4 → 2/3
    assert (o["repeat_purchase_rate"], o["repeat_purchase_rate_n"]) == (pytest.approx(2 / 3), 3)
    # cross-sell: C1's O3 is its first "books" order after O1 (02-20) → 1/3
    # (C4's O6 repeats a category; C2's O4 is a first order)
    assert (o["cross_sell_rate"], o["cross_sell_rate_n"]) == (pytest.approx(1 / 3), 3)
    # upsell: C1's O2 80 > O1 50 (before the window) → 1/3; C4's O6 200 = 200 is not higher
    assert (o["upsell_rate"], o["upsell_rate_n"]) == (pytest.approx(1 / 3), 3)


def test_order_kpis_by_a_customer_attribute(inputs: Any) -> None:
    rows = _rows(_run(inputs, ("repeat_purchase_rate",), by=("segment",)), "segment")
    # orders take their customer's segment: smb C1 (2), C2 (1) → 1/2; enterprise C4 (2) → 1
    assert rows["smb"]["repeat_purchase_rate"] == 0.5
    assert rows["enterprise"]["repeat_purchase_rate"] == 1.0


# -- agent utilisation -------------------------------------------------------------------------


def test_agent_utilization_overall_and_per_agent(inputs: Any) -> None:
    result = _run(inputs, ("agent_utilization",), by=("agent",))
    # kim: (1800 + 3600) / (2 × 28800) = 0.09375; lee: 7200 / 14400 = 0.5
    # park resolved T4 but has no schedule: null, n = 0 (no division by zero)
    rows = _rows(result, "agent")
    assert rows["kim"]["agent_utilization"] == pytest.approx(0.09375)
    assert rows["lee"]["agent_utilization"] == 0.5
    assert rows["park"]["agent_utilization_n"] == 0
    assert rows["park"]["agent_utilization"] != rows["park"]["agent_utilization"]
    # overall: scheduled agents' handle 12600 s / 72000 s; park's 900 s is not counted
    overall = _run(inputs, ("agent_utilization",)).overall
    assert overall["agent_utilization"] == pytest.approx(12600 / 72000)
    assert overall["agent_utilization_n"] == 3


def test_agent_utilization_per_day_needs_a_shift_that_day(inputs: Any) -> None:
    result = _run(
        inputs,
        ("agent_utilization",),
        WindowSpec(since="2024-03-01", until="2024-03-02"),
        by=("agent",),
        period="day",
    )
    rows = {(r["agent"], r["period"]): r for r in result.rows.to_dict("records")}
    assert rows[("kim", "2024-03-01")]["agent_utilization"] == 1800 / 28800
    assert rows[("lee", "2024-03-01")]["agent_utilization"] == 0.0  # a shift, no tickets
    assert rows[("kim", "2024-03-02")]["agent_utilization"] == 3600 / 28800
    # lee resolved T3 on 03-02 without a shift that day: null
    assert rows[("lee", "2024-03-02")]["agent_utilization_n"] == 0


def test_agent_utilization_is_unknown_per_group_the_schedules_lack(inputs: Any) -> None:
    rows = _run(inputs, ("agent_utilization",), by=("channel",)).rows
    assert (rows["agent_utilization_n"] == 0).all()
    assert rows["agent_utilization"].isna().all()


# -- costs ------------------------------------------------------------------------------------


def test_costs_across_partial_periods(inputs: Any) -> None:
    # window 02-15 … 03-21 inclusive: Feb 15 of 29 days × 2900 = 1500; Mar 21 of 31 days ×
    # 3100 = 2100 → 3600; resolved T1–T4 = 4 → 900; created T1–T5 = 5 → 720
    o = _run(
        inputs,
        ("cost_per_resolution", "cost_per_ticket"),
        WindowSpec(since="2024-02-15", until="2024-03-21"),
    ).overall
    assert (o["cost_per_resolution"], o["cost_per_resolution_n"]) == (pytest.approx(900), 4)
    assert (o["cost_per_ticket"], o["cost_per_ticket_n"]) == (pytest.approx(720), 5)


def test_costs_not_covering_the_window_are_unknown(inputs: Any) -> None:
    result = _run(
        inputs,
        ("cost_per_resolution",),
        WindowSpec(since="2024-03-01", until="2024-04-14"),
        period="month",
    )
    rows = _rows(result, "period")
    assert rows["2024-03"]["cost_per_resolution"] == pytest.approx(3100 / 4)
    # no cost row for April: null (not 0), though T6 was resolved
    assert rows["2024-04"]["cost_per_resolution_n"] == 1
    assert rows["2024-04"]["cost_per_resolution"] != rows["2024-04"]["cost_per_resolution"]
    assert result.overall["cost_per_resolution"] is None


def test_costs_per_team_only_with_a_team_column() -> None:
    inputs = _inputs(costs="costs_teams.csv")
    rows = _rows(_run(inputs, ("cost_per_resolution",), by=("team",)), "team")
    # support: 3100 + 310 over T1, T2, T3; sales: "$1,550.00" over T4
    assert rows["support"]["cost_per_resolution"] == pytest.approx(3410 / 3)
    assert rows["sales"]["cost_per_resolution"] == pytest.approx(1550)
    by_agent = _run(inputs, ("cost_per_resolution",), by=("agent",)).rows
    assert by_agent["cost_per_resolution"].isna().all()  # the costs have no agent column


def test_costs_file_wins_over_monthly_and_monthly_still_works(inputs: Any) -> None:
    half = WindowSpec(since="2024-03-01", until="2024-03-15")
    monthly = _run(_inputs(), ("cost_per_resolution",), half, config={"costs": {"monthly": 3100}})
    # 15 of March's 31 days × 3100 = 1500 over T1–T4 → 375
    assert monthly.overall["cost_per_resolution"] == pytest.approx(375)
    both = _run(inputs, ("cost_per_resolution",), half, config={"costs": {"monthly": 99999}})
    assert both.overall["cost_per_resolution"] == pytest.approx(375)  # the file's 3100


def test_config_costs_file(tmp_path: Path) -> None:
    path = tmp_path / "cskpi.toml"
    path.write_text(f'[costs]\nfile = "{(DATA / "costs.csv").as_posix()}"\n', encoding="utf-8")
    from cskpi.config import load_config
    from cskpi.load.normalize import LoadOptions

    config = load_config(path)
    inputs = cskpi.load(str(DATA / "tickets.csv"), options=LoadOptions(config=config))
    result = cskpi.compute(
        inputs, ReportRequest(kpis=("cost_per_resolution",), window=MARCH, as_of=AS_OF), config
    )
    assert result.overall["cost_per_resolution"] == pytest.approx(3100 / 4)


# -- support impact view -------------------------------------------------------------------------


def test_ticket_and_survey_kpis_by_customer_plan(inputs: Any) -> None:
    rows = _rows(_run(inputs, ("tickets_created", "csat"), by=("plan",)), "plan")
    # T1 C1 pro, T2 C2 basic, T3 C1 pro, T4 C4 pro, T5 C3 basic
    assert (rows["pro"]["tickets_created"], rows["basic"]["tickets_created"]) == (3, 2)
    # CSAT through the survey's ticket: R1 T1 5, R3 T4 4 (pro) → 1.0; R2 T2 2 (basic) → 0.0
    assert (rows["pro"]["csat"], rows["pro"]["csat_n"]) == (1.0, 2)
    assert (rows["basic"]["csat"], rows["basic"]["csat_n"]) == (0.0, 1)


def test_by_sla_breached(inputs: Any) -> None:
    rows = _rows(
        _run(inputs, ("tickets_created", "csat", "churn_rate"), by=("sla_breached",)),
        "sla_breached",
    )
    # built-in rule, 24 h first response: T2 (25 h) and T5 (unanswered at as_of) breached
    assert (rows["true"]["tickets_created"], rows["false"]["tickets_created"]) == (2, 3)
    assert (rows["true"]["csat"], rows["false"]["csat"]) == (0.0, 1.0)
    # customers with a breach: C2, C3 → of {C2} active at the start, C2 churned → 1.0;
    # the others: {C1, C6} active at the start, none churned → 0.0
    assert (rows["true"]["churn_rate"], rows["true"]["churn_rate_n"]) == (1.0, 1)
    assert (rows["false"]["churn_rate"], rows["false"]["churn_rate_n"]) == (0.0, 2)


def test_requested_business_kpi_without_its_input_exits_4() -> None:
    with pytest.raises(InputError, match="churn_rate needs a customers file with ended_at"):
        _run(_inputs(), ("churn_rate",))
    with pytest.raises(InputError, match="agent_utilization needs a schedules file"):
        _run(_inputs(), ("agent_utilization",))


def test_unknown_customer_attribute_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="--by plan"):
        _run(_inputs(), ("tickets_created",), by=("plan",))


def test_default_kpis_do_not_change(inputs: Any) -> None:
    with_business = cskpi.compute(inputs, ReportRequest(as_of=AS_OF), parse_config({}))
    without = cskpi.compute(_inputs(), ReportRequest(as_of=AS_OF), parse_config({}))
    # no agent_replies in the fixture: fcr_rate is left out; no NPS responses
    assert [k.id for k in with_business.kpis] == [
        "tickets_created",
        "frt_median",
        "resolution_time_median",
        "csat",
    ]
    assert with_business.overall == without.overall
