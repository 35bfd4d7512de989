"""What the readers keep of a file: the canonical columns per frame and other names to keep
when present. The engine decides it from the request before any file is opened
(`cskpi.engine.plan`); the loaders only obey it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReadPlan:
    tickets: frozenset[str]
    """Canonical ticket columns to keep."""
    surveys: frozenset[str]
    """Canonical survey columns to keep."""
    extras: tuple[str, ...]
    """Other column names to keep when present (`--by product`, SLA filters)."""
