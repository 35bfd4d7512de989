"""What the Dask engine cannot serve yet: each refused with exit 2, naming it (DECISIONS 48),
rather than approximated."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cskpi.errors import UsageError

if TYPE_CHECKING:
    from cskpi.engine.keys import ByColumn
    from cskpi.engine.types import ReportRequest

LOCAL = "use --engine local"


def refuse(what: str) -> UsageError:
    return UsageError(f"--engine dask cannot serve {what} yet; {LOCAL}")


def check_request(request: ReportRequest) -> None:
    """Options whose rows depend on every group at once (ranking, previous windows)."""
    if request.compare is not None:
        raise refuse(f"--compare {request.compare}")
    if request.sort is not None:
        raise refuse("--sort")
    if request.top is not None:
        raise refuse("--top")


def check_inputs(**given: object) -> None:
    """Inputs beyond tickets and surveys (business files, messages, status history)."""
    for name, value in given.items():
        if value:
            raise refuse(f"--{name}")


def check_by(by: list[ByColumn]) -> None:
    """Groups are routed by the tickets' own columns: a survey column or a derived one is
    not served yet."""
    for col in by:
        if col.tickets is None:
            raise refuse(f"--by {col.name} (not a column of the tickets)")
        if col.surveys is not None:
            raise refuse(f"--by {col.name} (a column the surveys carry themselves)")


ACROSS_GROUPS = ("repeat_contact_rate",)
"""KPIs that look at tickets of other groups (a customer's next ticket may be in another
agent's or channel's group): exact on the Dask engine only without --by."""


def check_kpis(kpi_ids: list[str], by: list[ByColumn]) -> None:
    for kpi_id in kpi_ids:
        if by and kpi_id in ACROSS_GROUPS:
            raise refuse(f"{kpi_id} with --by (a customer's tickets span groups)")
