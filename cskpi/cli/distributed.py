"""`cskpi report --engine dask`: the same request computed on a Dask cluster (DECISIONS 48).

The read plan is made here as for the local engine; the files are read by the workers.
"""

from __future__ import annotations

from typing import Any

from cskpi.cli.common import progress


def dask_report(
    files: list[str],
    surveys: list[str] | None,
    options: Any,
    request: Any,
    scheduler: str | None,
    quiet: bool,
    business: dict[str, list[str] | None],
) -> Any:
    """The `Result` of `request` on the cluster at `scheduler` (else a local one)."""
    from cskpi.api import split_survey_kind
    from cskpi.engine.dask import check_inputs, compute_dask
    from cskpi.engine.plan import plan_for
    from cskpi.engine.where import where_columns

    check_inputs(**business)
    plan = plan_for(
        request.kpis,
        request.group_by,
        options.config,
        request.breaches,
        customers=False,
        where=where_columns(request.where),
    )
    specs = [split_survey_kind(spec) for spec in surveys or ()]
    where = scheduler or "a local cluster"
    with progress(f"computing KPIs on {where}…", quiet):
        return compute_dask(files, specs, options, plan, request, options.config, scheduler)
