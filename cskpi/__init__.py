"""cskpi: customer-service KPIs from helpdesk exports.

The small public Python API (imported lazily, so `import cskpi` stays light):

    import cskpi
    inputs = cskpi.load("tickets.csv", surveys="surveys.csv")
    result = cskpi.compute(inputs, cskpi.ReportRequest(group_by=("agent",)))
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

__all__ = ["Inputs", "LoadOptions", "ReportRequest", "Result", "__version__", "compute", "load"]


def __getattr__(name: str) -> Any:
    if name in ("load", "compute", "Inputs", "LoadOptions", "ReportRequest"):
        from cskpi import api

        return getattr(api, name)
    if name == "Result":
        from cskpi.result import Result

        return Result
    raise AttributeError(name)
