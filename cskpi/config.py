"""`cskpi.toml` → one frozen `Config`. Unknown keys are errors that name the nearest valid key.

Precedence is applied by the caller: flag > config > default (the defaults live here).
Discovery (DECISIONS 43), first found: `-c`, `$CSKPI_CONFIG`, `./cskpi.toml`,
`$XDG_CONFIG_HOME/cskpi/cskpi.toml` (default `~/.config`). Every error in a config starts
with the file's path (`config` for a table parsed without one).
"""

from __future__ import annotations

import itertools
import math
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cskpi.errors import UsageError, did_you_mean

CONFIG_NAME = "cskpi.toml"
CONFIG_ENV = "CSKPI_CONFIG"

_DURATION_RE = re.compile(
    r"^\s*(?:(\d+(?:\.\d+)?)\s*d)?\s*(?:(\d+(?:\.\d+)?)\s*h)?\s*"
    r"(?:(\d+(?:\.\d+)?)\s*m)?\s*(?:(\d+(?:\.\d+)?)\s*s)?\s*$"
)


def parse_duration(text: str | float | int, *, where: str) -> float:
    """`45s`, `30m`, `4h`, `2d`, `1h30m` (or a bare number of seconds) → seconds; a number
    must be finite and not negative."""
    if isinstance(text, int | float) and not isinstance(text, bool):
        if not math.isfinite(text) or text < 0:
            raise UsageError(
                f"{where}: a duration must be a finite number of seconds ≥ 0, not {text!r}"
            )
        return float(text)
    match = _DURATION_RE.match(str(text))
    if not match or not any(match.groups()):
        raise UsageError(
            f"{where}: cannot read duration {text!r}; use e.g. 45s, 30m, 4h, 2d, 1h30m"
        )
    days, hours, minutes, seconds = (float(g) if g else 0.0 for g in match.groups())
    return days * 86400 + hours * 3600 + minutes * 60 + seconds


@dataclass(frozen=True)
class SlaPolicy:
    """One `[[sla]]` entry: filters (column → accepted values) and targets in seconds."""

    filters: tuple[tuple[str, tuple[str, ...]], ...]
    first_response: float | None
    resolution: float | None
    clock: str | None
    """"business", "calendar" or None (the report's clock)."""
    label: str
    """How the policy is named in output, e.g. `sla[1] priority=urgent`."""


@dataclass(frozen=True)
class Scale:
    low: float
    high: float


@dataclass(frozen=True)
class CsatConfig:
    scale: Scale = field(default_factory=lambda: Scale(1, 5))
    positive_min: float | None = None
    """Default: the top two points of the scale (4 on 1–5)."""
    negative_max: float | None = None
    """Default: the bottom two points of the scale (2 on 1–5)."""

    @property
    def positive(self) -> float:
        return self.positive_min if self.positive_min is not None else self.scale.high - 1

    @property
    def negative(self) -> float:
        return self.negative_max if self.negative_max is not None else self.scale.low + 1


@dataclass(frozen=True)
class CostsConfig:
    currency: str | None = None
    """`[costs] currency` (`EUR`, `€`): shown with money in the table, HTML and Excel, and in
    JSON's `currency`; None: money is shown as a bare number."""
    monthly: float | None = None
    file: Path | None = None


SMALL_N = 30
"""Below this population (`_n`), the terminal table marks a value as resting on few cases."""


@dataclass(frozen=True)
class Config:
    """The whole configuration, defaults applied."""

    path: Path | None = None
    """The file read (as found: relative to the working directory for `./cskpi.toml`), or None."""
    timezone: str | None = None
    source_timezone: str | None = None
    clock: str = "calendar"
    columns: tuple[tuple[str, str], ...] = ()
    business_hours: Mapping[str, Any] | None = None
    calendars: tuple[tuple[str, Mapping[str, Any]], ...] = ()
    calendar_by: str | None = None
    sla: tuple[SlaPolicy, ...] = ()
    service_level_threshold: float = 20.0
    csat: CsatConfig = field(default_factory=CsatConfig)
    ces_scale: Scale = field(default_factory=lambda: Scale(1, 7))
    esat_scale: Scale = field(default_factory=lambda: Scale(1, 5))
    targets: tuple[tuple[str, str], ...] = ()
    costs: CostsConfig = field(default_factory=CostsConfig)
    repeat_contact_days: float = 7.0
    paused_statuses: tuple[str, ...] = ("pending", "on_hold")
    """`[status] paused`: statuses that stop the resolution clock (resolution_time_active_*)."""
    distribution_buckets: tuple[float, ...] = (3600.0, 8 * 3600.0, 24 * 3600.0)
    """`[distribution] buckets`: the inner edges (seconds) of the `*_distribution` KPIs'
    buckets: 0–1h, 1–8h, 8–24h, over 24h by default."""
    agent_initiated: str = "measure"
    """`[messages] agent_initiated`: FRT of a ticket an agent opened is measured from the first
    customer message ("measure") or left out ("exclude"); never a breach without one."""
    small_n: int = SMALL_N
    """`[display] small_n`: the terminal table marks a value whose population `_n` is below it
    (0: no marks)."""

    @property
    def origin(self) -> str:
        """How an error about this config starts: the file's path, or `config` without one."""
        return origin(self.path)


def origin(path: Path | None) -> str:
    return str(path) if path is not None else "config"


_TOP_KEYS = {
    "timezone",
    "source_timezone",
    "clock",
    "columns",
    "business_hours",
    "calendars",
    "calendar_by",
    "sla",
    "service_level",
    "csat",
    "ces",
    "esat",
    "targets",
    "costs",
    "repeat_contact",
    "status",
    "messages",
    "display",
    "distribution",
}
_SECTION_KEYS = {
    "service_level": {"threshold"},
    "csat": {"scale", "positive_min", "negative_max"},
    "ces": {"scale"},
    "esat": {"scale"},
    "costs": {"currency", "monthly", "file"},
    "repeat_contact": {"days"},
    "status": {"paused"},
    "messages": {"agent_initiated"},
    "display": {"small_n"},
    "distribution": {"buckets"},
}
_SLA_TARGETS = {"first_response", "resolution", "clock"}


def _check_keys(table: Mapping[str, Any], valid: set[str], where: str) -> None:
    for key in table:
        if key not in valid:
            place = f"{where}." if where else ""
            raise UsageError(f"unknown key '{place}{key}'{did_you_mean(key, sorted(valid))}")


def _scale(value: Any, where: str) -> Scale:
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
        or not all(math.isfinite(v) for v in value)
        or value[0] >= value[1]
    ):
        raise UsageError(f"{where} must be two numbers [low, high], e.g. [1, 5]")
    return Scale(float(value[0]), float(value[1]))


def _number(value: Any, where: str) -> float:
    if not _finite(value) or value < 0:
        raise UsageError(f"{where} must be a non-negative number, not {value!r}")
    return float(value)


def _finite(value: Any) -> bool:
    """A TOML number that is neither a boolean nor nan/inf."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _point(table: Mapping[str, Any], key: str, scale: Scale, where: str) -> float | None:
    """`positive_min` / `negative_max`: a point on the scale, or None when not given."""
    if key not in table:
        return None
    value = table[key]
    if not _finite(value) or not scale.low <= value <= scale.high:
        raise UsageError(
            f"{where}.{key} must be a number from {scale.low:g} to {scale.high:g}, not {value!r}"
        )
    return float(value)


def _str(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise UsageError(f"{where} must be a string")
    return value


def _names(value: Any, where: str) -> tuple[str, ...]:
    """A list of status names, compared like normalised statuses (`On hold` → `on_hold`)."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UsageError(f'{where} must be a list of status names, e.g. ["pending", "on_hold"]')
    return tuple(re.sub(r"[\s\-]+", "_", v.strip().lower()) for v in value)


def _one_of(value: Any, choices: tuple[str, ...], where: str) -> str:
    if value not in choices:
        raise UsageError(f"{where} must be {' or '.join(map(repr, choices))}, not {value!r}")
    return str(value)


def _sla(entries: Any) -> tuple[SlaPolicy, ...]:
    if not isinstance(entries, list):
        raise UsageError("sla must be an array of tables ([[sla]])")
    policies = []
    for i, entry in enumerate(entries, 1):
        where = f"sla[{i}]"
        if not isinstance(entry, dict):
            raise UsageError(
                f"{where} must be a table ([[sla]] with first_response = "
                '"24h", ...), not {entry!r}'
            )
        filters = []
        for key, value in entry.items():
            if key in _SLA_TARGETS:
                continue
            values = value if isinstance(value, list) else [value]
            if not values or not all(isinstance(v, str | int | float) for v in values):
                raise UsageError(
                    f'{where}.{key} must be a value or a list of values, e.g. ["urgent", "high"]'
                )
            filters.append((key, tuple(str(v).strip().lower() for v in values)))
        clock = entry.get("clock")
        if clock is not None and clock not in ("business", "calendar"):
            raise UsageError(f'{where}.clock must be "business" or "calendar"')
        first = entry.get("first_response")
        resolution = entry.get("resolution")
        if first is None and resolution is None:
            raise UsageError(f"{where} sets no target; add first_response or resolution")
        label = " ".join(f"{k}={'|'.join(v)}" for k, v in filters) or "all tickets"
        policies.append(
            SlaPolicy(
                filters=tuple(filters),
                first_response=None
                if first is None
                else parse_duration(first, where=f"{where}.first_response"),
                resolution=None
                if resolution is None
                else parse_duration(resolution, where=f"{where}.resolution"),
                clock=clock,
                label=label,
            )
        )
    return tuple(policies)


def parse_config(data: Mapping[str, Any], path: Path | None = None) -> Config:
    """Validate a parsed TOML table and build the `Config`; an error starts with `path`."""
    try:
        return _build(data, path)
    except UsageError as exc:
        raise UsageError(f"{origin(path)}: {exc}") from None


def _zone(value: Any, where: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    text = _str(value, where)
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(
            f"{where}: unknown time zone {text!r} (use an IANA name such as Europe/Berlin)"
        ) from None
    return text


def _tables(data: Mapping[str, Any]) -> None:
    """Tables read later (calendars, targets) must at least be tables of the right shape."""
    for key in ("business_hours", "targets", "calendars"):
        if key in data and not isinstance(data[key], dict):
            raise UsageError(f"[{key}] must be a table")
    for name, table in data.get("calendars", {}).items():
        if not isinstance(table, dict):
            raise UsageError(f"[calendars.{name}] must be a table")
    for kpi, text in data.get("targets", {}).items():
        if isinstance(text, bool) or not isinstance(text, str | int | float):
            raise UsageError(f'targets.{kpi} must be a string such as "<= 4h" or ">= 85%"')
    if "calendar_by" in data:
        _str(data["calendar_by"], "calendar_by")


def _currency(value: Any) -> str:
    """A currency code or sign (`EUR`, `€`, `CHF`): 1 to 5 characters, no digits or spaces."""
    text = _str(value, "costs.currency").strip()
    if not 1 <= len(text) <= 5 or any(ch.isdigit() or ch.isspace() or ch in '"\\;' for ch in text):
        raise UsageError(
            f'costs.currency: {value!r} is not a currency; use a code or sign such as "EUR" or "€"'
        )
    return text


def _edges(value: Any) -> tuple[float, ...]:
    """`[distribution] buckets`: 1 to 9 increasing durations above 0 (the buckets' inner
    edges); None: the default 1h, 8h, 24h."""
    if value is None:
        return Config.distribution_buckets
    where = "distribution.buckets"
    if not isinstance(value, list) or not 1 <= len(value) <= 9:
        raise UsageError(f'{where} must be a list of 1 to 9 durations, e.g. ["1h", "8h", "24h"]')
    edges = tuple(parse_duration(v, where=where) for v in value)
    if edges[0] <= 0 or any(b <= a for a, b in itertools.pairwise(edges)):
        raise UsageError(f'{where} must increase and start above 0, e.g. ["1h", "8h", "24h"]')
    return edges


def _build(data: Mapping[str, Any], path: Path | None) -> Config:
    _check_keys(data, _TOP_KEYS, "")
    for section, keys in _SECTION_KEYS.items():
        if section in data:
            if not isinstance(data[section], dict):
                raise UsageError(f"[{section}] must be a table")
            _check_keys(data[section], keys, section)
    _tables(data)
    base = path.parent if path else Path(".")
    csat_t = data.get("csat", {})
    costs_t = data.get("costs", {})
    clock = data.get("clock", "calendar")
    if clock not in ("calendar", "business"):
        raise UsageError('clock must be "calendar" or "business"')
    columns = data.get("columns", {})
    if not isinstance(columns, dict) or not all(isinstance(v, str) for v in columns.values()):
        raise UsageError(
            '[columns] maps canonical names to source columns, e.g. created_at = "Created time"'
        )
    targets = data.get("targets", {})
    calendars = data.get("calendars", {})
    csat_scale = _scale(csat_t["scale"], "csat.scale") if "scale" in csat_t else Scale(1, 5)
    return Config(
        path=path,
        timezone=_zone(data["timezone"], "timezone") if "timezone" in data else None,
        source_timezone=(
            _zone(data["source_timezone"], "source_timezone") if "source_timezone" in data else None
        ),
        clock=clock,
        columns=tuple(columns.items()),
        business_hours=data.get("business_hours"),
        calendars=tuple(calendars.items()),
        calendar_by=data.get("calendar_by"),
        sla=_sla(data.get("sla", [])),
        service_level_threshold=parse_duration(
            data.get("service_level", {}).get("threshold", 20),
            where="service_level.threshold",
        ),
        csat=CsatConfig(
            scale=csat_scale,
            positive_min=_point(csat_t, "positive_min", csat_scale, "csat"),
            negative_max=_point(csat_t, "negative_max", csat_scale, "csat"),
        ),
        ces_scale=_scale(data["ces"]["scale"], "ces.scale")
        if "scale" in data.get("ces", {})
        else Scale(1, 7),
        esat_scale=(
            _scale(data["esat"]["scale"], "esat.scale")
            if "scale" in data.get("esat", {})
            else Scale(1, 5)
        ),
        targets=tuple((str(k), str(v)) for k, v in targets.items()),
        costs=CostsConfig(
            currency=_currency(costs_t["currency"]) if "currency" in costs_t else None,
            monthly=_number(costs_t["monthly"], "costs.monthly") if "monthly" in costs_t else None,
            file=(base / _str(costs_t["file"], "costs.file")) if "file" in costs_t else None,
        ),
        repeat_contact_days=_number(
            data.get("repeat_contact", {}).get("days", 7), "repeat_contact.days"
        ),
        paused_statuses=_names(
            data.get("status", {}).get("paused", ["pending", "on_hold"]), "status.paused"
        ),
        distribution_buckets=_edges(data.get("distribution", {}).get("buckets")),
        agent_initiated=_one_of(
            data.get("messages", {}).get("agent_initiated", "measure"),
            ("measure", "exclude"),
            "messages.agent_initiated",
        ),
        small_n=_count(data.get("display", {}).get("small_n", SMALL_N), "display.small_n"),
    )


def _count(value: Any, where: str) -> int:
    """A whole number ≥ 0 (`small_n = 30`)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise UsageError(f"{where} must be a whole number ≥ 0, e.g. 30 (0: off)")
    return value


def find_config(explicit: str | Path | None, cwd: Path | None = None) -> Path | None:
    """The config file a run uses (DECISIONS 43), first found: `explicit` (`-c`),
    `$CSKPI_CONFIG`, `cskpi.toml` in `cwd` (default: the working directory, named relatively),
    `$XDG_CONFIG_HOME/cskpi/cskpi.toml` (default `~/.config`). The first two must exist."""
    if explicit is not None:
        return Path(explicit)
    named = os.environ.get(CONFIG_ENV, "")
    if named:
        path = Path(named)
        if not path.is_file():
            raise UsageError(f"{path}: config file not found (named by ${CONFIG_ENV})")
        return path
    local = Path(CONFIG_NAME) if cwd is None else cwd / CONFIG_NAME
    if local.is_file():
        return local
    home = os.environ.get("XDG_CONFIG_HOME", "")
    try:
        # relative values are invalid by the XDG spec and ignored
        base = Path(home) if os.path.isabs(home) else Path.home() / ".config"
    except RuntimeError:  # no home directory to look in
        return None
    user = base / "cskpi" / CONFIG_NAME
    return user if user.is_file() else None


def load_config(path: str | Path | None, cwd: Path | None = None) -> Config:
    """Read the config `find_config` names (`path` is `-c`); none found → defaults."""
    path = find_config(path, cwd)
    if path is None:
        return Config()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise UsageError(f"{path}: config file not found") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read config ({exc})") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: not valid TOML ({exc})") from exc
    return parse_config(data, path)
