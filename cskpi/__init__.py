"""cskpi: customer-service KPIs from helpdesk exports.

The small public Python API (imported lazily, so `import cskpi` stays light):

    import cskpi
    inputs = cskpi.load("tickets.csv", surveys="surveys.csv")
    result = cskpi.compute(inputs, cskpi.ReportRequest(group_by=("agent",)))
"""

from __future__ import annotations

import types
from typing import Any

from cskpi import load as _load_package
from cskpi.version import __version__

__all__ = ["Inputs", "LoadOptions", "ReportRequest", "Result", "__version__", "compute", "load"]


def __getattr__(name: str) -> Any:
    if name in ("load", "compute", "Inputs", "LoadOptions", "ReportRequest"):
        from cskpi import api

        return getattr(api, name)
    if name == "Result":
        from cskpi.result import Result

        return Result
    raise AttributeError(name)


class _CallableModule(types.ModuleType):
    """`cskpi.load(...)` is the public loading function, yet `cskpi.load` is also the loading
    subpackage (a package attribute of that name is replaced by the subpackage on import):
    the subpackage is made callable and forwards to `cskpi.api.load`."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from cskpi.api import load

        return load(*args, **kwargs)


_load_package.__class__ = _CallableModule
