"""Business inputs: customers, orders, agent schedules and costs.

Each is optional and read like tickets and surveys — any reader format, `--map`, the alias
table of `cskpi.load.schema` — into one canonical frame (no helpdesk presets apply):

- customers: one row per customer (`customer_id`, `started_at`, `ended_at` = churn time,
  empty while active, `plan`, `mrr`, `region`, `segment`); de-duplicated on `customer_id`
  (the last row read wins); a row that ends before it starts is dropped.
- orders: one row per order (`order_id`, `customer_id`, `ordered_at`, `amount`, `product`,
  `category`), de-duplicated on `order_id`, with three history columns computed over every
  order of the customer (not only the windowed ones): `_first_order` (the customer's first
  order, by time then id), `_new_category` (the first order of its customer in its category)
  and `_previous_amount` (the amount of the customer's previous order).
- schedules: one row per shift (`agent`, `date` or `start`/`end`, `scheduled_seconds`);
  `date` falls back to `start`, `scheduled_seconds` to `end − start`.
- costs: one row per cost period (`period`, `amount`, optional `team`): a month `2024-03`,
  a quarter `2024-Q1`, a year `2024` or a date (its month), as local calendar periods that
  the engine places in the report zone (DECISIONS 20). `--costs FILE` wins over the config's
  `[costs] file`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, Any

from cskpi.errors import InputError, UsageError
from cskpi.load.schema import Frame

if TYPE_CHECKING:
    from cskpi.load.normalize import Loaded, LoadOptions


Paths = str | Sequence[str]


@dataclass(frozen=True)
class Business:
    """The business frames that were given (each may be absent)."""

    customers: Loaded | None = None
    orders: Loaded | None = None
    schedules: Loaded | None = None
    costs: Loaded | None = None

    def get(self, name: str) -> Loaded | None:
        loaded: Loaded | None = getattr(self, name, None) if name in _NAMES else None
        return loaded

    def given(self) -> dict[str, Loaded]:
        """name → frame, for the inputs that were given, in a fixed order."""
        return {f.name: v for f in fields(self) if (v := getattr(self, f.name)) is not None}


_NAMES = ("customers", "orders", "schedules", "costs")


def load_business(
    customers: Paths = (),
    orders: Paths = (),
    schedules: Paths = (),
    costs: Paths = (),
    options: LoadOptions | None = None,
    stdin: Any = None,
) -> Business | None:
    """Read the business inputs that were given; None when there are none."""
    from cskpi.load.normalize import LoadOptions, read_frames

    options = replace(options or LoadOptions(), preset="none")
    paths = {
        name: [p] if isinstance(p, str) else list(p)
        for name, p in zip(_NAMES, (customers, orders, schedules, costs), strict=True)
    }
    from_config = not paths["costs"] and options.config.costs.file is not None
    if from_config:
        paths["costs"] = [str(options.config.costs.file)]
    found: dict[str, Loaded] = {}
    for name, given in paths.items():
        if given:
            try:
                parts = read_frames(given, Frame(name), options, stdin)
            except InputError as exc:
                if name == "costs" and from_config:
                    raise _config_costs_error(options.config, given[0]) from exc
                raise
            found[name] = parts[0]
    return Business(**found) if found else None


def _config_costs_error(config: Any, path: str) -> UsageError:
    """The config's `[costs] file` cannot be used: a config error (exit 2) that starts with
    the config's path and never quotes the file (its first line may hold a secret)."""
    import os

    why = (
        "no such file"
        if not os.path.exists(path)
        else "not a readable costs file with columns period and amount"
    )
    return UsageError(f"{config.origin}: costs.file {path}: {why}")
