"""cskpi: customer-service KPIs from helpdesk exports.

The small public Python API: `load`, `compute` and the `Result` they produce.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
