"""The read plan (DECISIONS 33): which columns to read, decided before any file is opened.

The requested KPIs (or the default set), the configured targets' KPIs (DECISIONS 41: each is
computed for its target), the `--by` and `--where` columns and the SLA filter columns name
the canonical columns a report needs; the reader keeps only the source columns mapped to them
(Parquet prunes at read time). A column a KPI can do without is read when present
("companions": a duration that can stand in for a missing timestamp, `reopens` for FCR).
"""

from __future__ import annotations

from cskpi.config import Config
from cskpi.kpis import all_kpis
from cskpi.kpis.registry import DEFAULT_KPIS
from cskpi.load.plan import ReadPlan

TICKET_BASE = frozenset(
    {
        "ticket_id",
        "created_at",
        "status",
        "updated_at",
        "resolved_at",
        "closed_at",
        "resolution_seconds",
    }
)
"""Always read: identity, de-duplication, exclusion, the resolved anchor."""
SURVEY_BASE = frozenset({"submitted_at", "kind", "score", "ticket_id", "response_id"})
COMPANIONS = {
    "first_response_at": ("first_response_seconds",),
    "agent_replies": ("reopens",),
}


def plan_for(
    kpi_ids: tuple[str, ...],
    group_by: tuple[str, ...],
    config: Config,
    breaches: bool = False,
    customers: bool = True,
    where: tuple[str, ...] = (),
) -> ReadPlan:
    """The columns a report reads. `customers`: whether a customers or orders file is given,
        whose attributes `--by` may join through `customer_id` (else that id is not read for
        grouping: 150 MB and a second of parsing for 10 million tickets). `where`: the columns
    the `--where` conditions name (canonical names or the export's headers), read like `--by`."""
    registry = all_kpis()
    tickets, surveys = set(TICKET_BASE), set(SURVEY_BASE)
    if breaches:  # the breach list names each ticket's agent and judges first responses
        tickets |= {"agent", "first_response_at", "first_response_seconds"}
    targets = tuple(kpi_id for kpi_id, _ in config.targets if kpi_id in registry)
    for kpi_id in dict.fromkeys((*(kpi_ids or DEFAULT_KPIS), *targets)):
        for need in registry[kpi_id].needs:
            frame, _, column = need.rpartition(":")
            if frame not in ("", "tickets", "surveys") or column.startswith("kind="):
                continue  # config, business inputs (read whole), survey kinds
            target = surveys if frame == "surveys" else tickets
            for name in column.split("|"):
                target.add(name)
                target.update(COMPANIONS.get(name, ()))
    filters = tuple(key for policy in config.sla for key, _ in policy.filters)
    if config.calendar_by:
        filters = (*filters, config.calendar_by)
    extras = tuple(dict.fromkeys((*group_by, *where, *filters)))
    if group_by and customers:  # customer attributes join through customer_id
        tickets.add("customer_id")
        surveys.add("customer_id")
    if "sla_breached" in group_by:
        tickets.update(("first_response_at", *COMPANIONS["first_response_at"]))
    return ReadPlan(frozenset(tickets | set(extras)), frozenset(surveys | set(extras)), extras)
