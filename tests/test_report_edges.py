"""Smaller inconsistencies of issue 16 (item 10), each computed by hand.

The business fixture is tests/data/business (its numbers are in test_customer_kpis.py):
customers C1–C7, orders O1–O7, tickets T1–T6 (T5 has no agent), shifts of kim and lee, costs
for 2024-02 and 2024-03; window March 2024, as of 2024-04-15.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import cskpi
from cskpi.cli import app
from cskpi.config import parse_config
from cskpi.engine.types import ReportRequest
from cskpi.kpis import all_kpis
from cskpi.time.window import WindowSpec
from cskpi.units import humanize, humanize_change

runner = CliRunner()
DATA = Path(__file__).parent / "data" / "business"
AS_OF = "2024-04-15T00:00:00Z"
MARCH = WindowSpec(month="2024-03")


@pytest.fixture(scope="module")
def business() -> Any:
    return cskpi.load(
        str(DATA / "tickets.csv"),
        customers=str(DATA / "customers.csv"),
        orders=str(DATA / "orders.csv"),
        schedules=str(DATA / "schedules.csv"),
        costs=str(DATA / "costs.csv"),
    )


def _run(inputs: Any, kpis: tuple[str, ...], window: WindowSpec = MARCH, **more: Any) -> Any:
    request = ReportRequest(kpis=kpis, window=window, as_of=AS_OF, **more)
    return cskpi.compute(inputs, request, parse_config({}))


def test_by_agent_puts_customers_and_orders_under_none(business: Any) -> None:
    result = _run(
        business, ("tickets_created", "churn_rate", "repeat_purchase_rate"), group_by=("agent",)
    )
    rows = {r["agent"]: r for r in result.rows.to_dict("records")}
    # customers and orders have no agent: (none) (DECISIONS 10). Active at 03-01: C1, C2, C6;
    # C2 churns 03-10 → 1/3. Buyers in March: C1 (O2, O3), C2 (O4), C4 (O5, O6) → 2 of 3
    assert (rows["(none)"]["churn_rate"], rows["(none)"]["churn_rate_n"]) == (
        pytest.approx(1 / 3),
        3,
    )
    assert rows["(none)"]["repeat_purchase_rate"] == pytest.approx(2 / 3)
    assert rows["(none)"]["tickets_created"] == 0
    # the unassigned row holds T5 (created 03-20 without an agent) and nothing else
    assert rows["(unassigned)"]["tickets_created"] == 1
    assert rows["(unassigned)"]["churn_rate_n"] == 0
    assert rows["(unassigned)"]["repeat_purchase_rate_n"] == 0


def test_mrr_growth_and_utilization_are_not_ratios(business: Any) -> None:
    registry = all_kpis()
    assert registry["mrr_growth"].unit == "change"
    assert registry["agent_utilization"].unit == "ratio_unbounded"
    # human forms: a signed percentage for a change, a plain one above 100 % for utilization
    assert [humanize(v, "change") for v in (-0.125, 0.0714, 0.0)] == ["-12.5%", "+7.1%", "0.0%"]
    assert humanize(1.6, "ratio_unbounded") == "160.0%"
    assert humanize_change(-0.025, "change") == "-2.5 pts"
    result = _run(business, ("mrr_growth", "agent_utilization"))
    assert [(k.id, k.unit) for k in result.kpis] == [
        ("mrr_growth", "change"),
        ("agent_utilization", "ratio_unbounded"),
    ]


def test_out_of_window_counts_business_rows(business: Any) -> None:
    quality = _run(business, ("tickets_created",)).data_quality
    # March: customers C5 (gone 02-15) and C7 (starts 04-05) are in no bucket; orders O1
    # (02-20) and O7 (04-02) are outside; every shift is in March; the February cost is out
    assert {k: (quality[k]["used"], quality[k]["out_of_window"]) for k in quality} == {
        "tickets": (5, 1),  # T6 was created 04-12
        "surveys": (0, 0),
        "customers": (5, 2),
        "orders": (5, 2),
        "schedules": (3, 0),
        "costs": (1, 1),
    }
    day = _run(business, ("tickets_created",), WindowSpec(since="2024-03-01", until="2024-03-01"))
    quality = day.data_quality
    # 1 March: tickets T1, T2 created; customers C1, C2, C6 active; no order; kim's and lee's
    # shifts of 03-01 (kim's 03-02 is out); the March cost overlaps the day
    assert {k: (quality[k]["used"], quality[k]["out_of_window"]) for k in quality} == {
        "tickets": (2, 4),
        "surveys": (0, 0),
        "customers": (3, 4),
        "orders": (0, 7),
        "schedules": (2, 1),
        "costs": (1, 1),
    }
    for frame in quality.values():  # DECISIONS 32
        assert frame["read"] == frame["used"] + frame["out_of_window"] + sum(
            frame["dropped"].values()
        )


def test_peak_says_merged_tickets_were_excluded(tmp_path: Path) -> None:
    path = tmp_path / "tickets.csv"
    path.write_text(
        "ticket_id,created_at,status\n"
        "A,2024-03-04T10:00:00Z,open\n"
        "B,2024-03-04T11:00:00Z,merged\n"
        "C,2024-03-05T10:00:00Z,solved\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["peak", str(path), "-f", "csv"])
    assert result.exit_code == 0
    assert result.stderr == (
        "1 tickets with status merged/deleted/spam excluded (count them with --include-status)\n"
    )
    # Monday 10:00 holds A only: B, merged, is not counted
    assert "Mon,10,1,1,1.0" in result.stdout and "Mon,11,0" in result.stdout
    quiet = runner.invoke(app, ["peak", str(path), "-f", "csv", "-q"])
    assert quiet.exit_code == 0 and quiet.stderr == ""


BACKLOG = """\
ticket_id,created_at,resolved_at
A,2024-03-10T00:00:00Z,2024-04-01T00:00:00Z
B,2024-03-10T00:00:00Z,2024-04-10T00:00:00Z
C,2024-04-10T00:00:00Z,
D,2024-04-01T00:00:00Z,
E,2024-03-20T00:00:00Z,
"""


def test_backlog_one_rule_at_a_bucket_end_and_at_as_of(tmp_path: Path) -> None:
    path = tmp_path / "tickets.csv"
    path.write_text(BACKLOG, encoding="utf-8")
    inputs = cskpi.load(str(path))
    kpis = ("backlog", "tickets_created", "tickets_resolved")
    request = ReportRequest(kpis=kpis, as_of="2024-04-10T00:00:00Z", period="month")
    rows = cskpi.compute(inputs, request).rows.set_index("period")
    # March ends at 04-01 00:00, which belongs to April: A (resolved exactly then) is still
    # open at March's end, D (created exactly then) is not yet → A, B, E
    assert rows.loc["2024-03", kpis].tolist() == [3, 3, 0]
    # April ends at as_of, which has happened: B (resolved exactly at as_of) is gone, C
    # (created exactly then) is open → C, D, E; created C, D; resolved A, B
    assert rows.loc["2024-04", kpis].tolist() == [3, 2, 2]
    # one rule, so the buckets chain: 3 = 0 + 3 − 0 and 3 = 3 + 2 − 2
    # a window ending exactly at as_of ([03-10, 04-10)): B's solve at 04-10 00:00 is after the
    # window's last instant, as at a bucket end: B, D, E open; created A, B, D, E; resolved A
    window = WindowSpec(since="2024-03-10", until="2024-04-09")
    request = ReportRequest(kpis=kpis, as_of="2024-04-10T00:00:00Z", window=window)
    o = cskpi.compute(inputs, request).overall
    assert [o[k] for k in kpis] == [3, 4, 1]
