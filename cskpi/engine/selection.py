"""Which KPIs a report computes: the requested ones (exit 2 for unknown ids, 4 for ones the
data cannot support) or the default set minus what the data cannot support (DECISIONS 14).
A distribution KPI becomes one ratio KPI per bucket (`kpis.distribution.expand`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cskpi.config import Config
from cskpi.errors import InputError, UsageError, did_you_mean
from cskpi.kpis import all_kpis
from cskpi.kpis.distribution import expand
from cskpi.kpis.registry import DEFAULT_KPIS, Kpi

if TYPE_CHECKING:
    from cskpi.engine.types import Inputs


def available(need: str, inputs: Inputs, config: Config) -> bool:
    if need.startswith("config:"):
        return (
            config.costs.monthly is not None
            or config.costs.file is not None
            or bool(inputs.business and inputs.business.costs)
        )
    frame_name, _, column = need.rpartition(":")
    loaded = inputs.surveys if frame_name == "surveys" else inputs.tickets
    if frame_name not in ("", "tickets", "surveys"):  # a business input
        loaded = inputs.business.get(frame_name) if inputs.business else None
    if loaded is None:
        return False
    if column.startswith("kind="):
        return bool((loaded.frame["kind"] == column[5:]).any())
    return any(alt in loaded.frame.columns for alt in column.split("|"))


def missing_needs(kpi: Kpi, inputs: Inputs, config: Config, soft: bool) -> list[str]:
    return [n for n in kpi.needs if (soft or "kind=" not in n) and not available(n, inputs, config)]


def describe_need(need: str) -> str:
    if need.startswith("config:"):
        return "a cost (--costs FILE, or [costs] monthly in the config)"
    frame_name, _, column = need.rpartition(":")
    if column.startswith("kind="):
        return f"{column[5:].upper()} survey responses"
    names = " or ".join(column.split("|"))
    if frame_name not in ("", "tickets"):
        return f"a {frame_name} file with {names}"
    return f"a {names} column"


def absence(need: str, inputs: Inputs) -> str:
    """What the inputs lack for `need`, as a target's reason: `no surveys file given`."""
    if need.startswith("config:"):
        return "no cost given: --costs FILE or [costs] monthly in the config"
    frame_name, _, column = need.rpartition(":")
    frame_name = frame_name or "tickets"
    if frame_name == "tickets":
        loaded = inputs.tickets
    elif frame_name == "surveys":
        loaded = inputs.surveys
    else:
        loaded = inputs.business.get(frame_name) if inputs.business else None
    if loaded is None:
        return f"no {frame_name} file given"
    if column.startswith("kind="):
        return f"no {column[5:].upper()} responses in the surveys"
    return f"no {' or '.join(column.split('|'))} column in the {frame_name}"


def unsupported(kpi: Kpi, inputs: Inputs, config: Config) -> str | None:
    """Why the inputs cannot support `kpi` (survey kinds included), or None."""
    missing = missing_needs(kpi, inputs, config, soft=True)
    return absence(missing[0], inputs) if missing else None


def select_kpis(
    requested: tuple[str, ...], inputs: Inputs, config: Config
) -> tuple[list[Kpi], list[str]]:
    """Requested KPIs (exit 2 for unknown ids, 4 for unsupported) or the supported defaults."""
    registry = all_kpis()
    notes: list[str] = []
    if requested:
        for kpi_id in requested:
            if kpi_id not in registry:
                raise UsageError(
                    f"unknown KPI '{kpi_id}'{did_you_mean(kpi_id, registry)}; "
                    "list them with: cskpi kpis"
                )
        chosen = [registry[k] for k in dict.fromkeys(requested)]
        for kpi in chosen:
            missing = missing_needs(kpi, inputs, config, soft=False)
            if missing:
                raise InputError(
                    f"KPI {kpi.id} needs {describe_need(missing[0])}, which the input does not have"
                )
        return expand(chosen, config.distribution_buckets), notes
    chosen, left = [], []
    for kpi_id in DEFAULT_KPIS:
        kpi = registry[kpi_id]
        missing = missing_needs(kpi, inputs, config, soft=True)
        if missing:
            left.append(f"{kpi_id} (no {describe_need(missing[0]).removeprefix('a ')})")
        else:
            chosen.append(kpi)
    if left:
        notes.append("left out of the default KPIs: " + ", ".join(left))
    if not chosen:
        raise InputError("the input supports none of the default KPIs; choose some with -k")
    return chosen, notes
