"""Properties every registered KPI must satisfy, parametrised over the registry (STYLE 11)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import cskpi
from cskpi.config import parse_config
from cskpi.engine.types import ReportRequest
from cskpi.kpis import all_kpis
from cskpi.kpis.registry import Anchor, Unit
from cskpi.time.window import WindowSpec
from tests.test_engine import SURVEYS, TICKETS

REGISTRY = all_kpis()
CONFIG: dict[str, Any] = {"costs": {"monthly": 3000}}
# business inputs (issue 9) whose every customer has left before 2030
BUSINESS = {
    "customers": "customer_id,started_at,ended_at,plan,mrr\nC1,2024-01-01,2024-03-03,pro,100\n",
    "orders": "order_id,customer_id,ordered_at,amount,category\nO1,C1,2024-03-01,50,a\n",
    "schedules": "agent,date,scheduled_seconds\nann,2024-03-01,28800\n",
}


# message-level inputs (issue 10): T1's customer message, reply and resolution, as its columns
CONVERSATION = {
    "messages": "ticket_id,created_at,author_role\nT1,2024-03-01T09:00:00Z,customer\n"
    "T1,2024-03-01T09:10:00Z,agent\n",
    "events": "ticket_id,at,status\nT1,2024-03-01T09:00:00Z,open\nT1,2024-03-01T10:00:00Z,solved\n",
}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Any:
    folder = tmp_path_factory.mktemp("registry")
    (folder / "t.csv").write_text(TICKETS, encoding="utf-8")
    (folder / "s.csv").write_text(SURVEYS, encoding="utf-8")
    for name, text in (BUSINESS | CONVERSATION).items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return cskpi.load(
        str(folder / "t.csv"),
        surveys=[str(folder / "s.csv")],
        **{name: str(folder / f"{name}.csv") for name in BUSINESS | CONVERSATION},
    )


@pytest.mark.parametrize("kpi_id", list(REGISTRY))
def test_metadata(kpi_id: str) -> None:
    kpi = REGISTRY[kpi_id]
    assert kpi.unit in Unit and kpi.anchor in Anchor
    assert kpi.name and kpi.definition, "every KPI states its formula"
    assert not kpi.additive or kpi.unit is Unit.COUNT, "only counts add up over groups"


@pytest.mark.parametrize("kpi_id", list(REGISTRY))
def test_empty_population(kpi_id: str, inputs: Any) -> None:
    # a window after every record: counts are 0, everything else null, n = 0
    request = ReportRequest(
        kpis=(kpi_id,),
        as_of="2030-01-10T00:00:00Z",
        window=WindowSpec(since="2030-01-01", until="2030-01-05"),
    )
    result = cskpi.compute(inputs, request, parse_config(CONFIG))
    columns = [k.id for k in result.kpis]  # a distribution is one column per bucket
    assert columns == [kpi_id] or (kpi_id.endswith("_distribution") and len(columns) == 4)
    for column in columns:
        value = result.overall[column]
        if kpi_id == "backlog":
            assert value == 2  # T3 and T4 are still open in 2030: backlog needs no window record
        elif REGISTRY[kpi_id].unit is Unit.COUNT:
            assert value == 0 and result.overall[f"{column}_n"] == 0
        else:
            assert value is None and result.overall[f"{column}_n"] == 0


@pytest.mark.parametrize("kpi_id", [k for k, v in REGISTRY.items() if v.additive])
def test_additive_kpis_reconcile(kpi_id: str, inputs: Any) -> None:
    result = cskpi.compute(
        inputs,
        ReportRequest(kpis=(kpi_id,), group_by=("channel",), as_of="2024-03-10T00:00:00Z"),
        parse_config(CONFIG),
    )
    assert int(result.rows[kpi_id].sum()) == result.overall[kpi_id]


def test_esat_and_cost_per_resolution(tmp_path: Path) -> None:
    tickets = tmp_path / "t.csv"
    tickets.write_text(
        "id,created_at,resolved_at\nA,2024-03-01T00:00:00Z,2024-03-02T00:00:00Z\n"
        "B,2024-03-01T00:00:00Z,2024-03-16T00:00:00Z\n",
        encoding="utf-8",
    )
    surveys = tmp_path / "s.csv"
    surveys.write_text(
        "submitted_at,kind,score\n2024-03-05T00:00:00Z,esat,4\n"
        "2024-03-06T00:00:00Z,esat,5\n2024-03-06T00:00:00Z,esat,9\n",
        encoding="utf-8",
    )
    inputs = cskpi.load(str(tickets), surveys=[str(surveys)])
    request = ReportRequest(
        kpis=("esat", "cost_per_resolution"),
        window=WindowSpec(month="2024-03"),
        as_of="2024-03-31T00:00:00Z",
    )
    result = cskpi.compute(inputs, request, parse_config({"costs": {"monthly": 3100}}))
    # eSat: 4 and 5 (9 is outside the default 1–5 scale) → 4.5 over 2
    assert (result.overall["esat"], result.overall["esat_n"]) == (4.5, 2)
    # March is the whole month: cost 3100, two tickets resolved in it → 1550 each
    assert result.overall["cost_per_resolution"] == pytest.approx(1550.0)
    half = cskpi.compute(
        inputs,
        ReportRequest(
            kpis=("cost_per_resolution",),
            window=WindowSpec(since="2024-03-01", until="2024-03-15"),
            as_of="2024-03-31T00:00:00Z",
        ),
        parse_config({"costs": {"monthly": 3100}}),
    )
    # 15 of March's 31 days: 3100 × 15/31 = 1500, one ticket (A) resolved → 1500
    assert half.overall["cost_per_resolution"] == pytest.approx(1500.0)
