"""Reading exports: readers, canonical schema, normalisation, data quality.

`cskpi.load` is also the public loading function (`cskpi.load("tickets.csv")`, ARCHITECTURE):
a package attribute of the same name would be replaced by this subpackage on import, so the
subpackage itself is made callable and forwards to `cskpi.api.load`.
"""

from __future__ import annotations

import sys
import types
from typing import Any


class _CallableModule(types.ModuleType):
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from cskpi.api import load

        return load(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
