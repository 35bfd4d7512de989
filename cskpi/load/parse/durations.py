"""Durations: numbers in a unit (from the header's name or a preset), `HH:MM[:SS]` or
`1 day 3 hours` text → float seconds; `--` and blanks are no value, a century or more unusable.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from cskpi.load.parse.text import Parsed, is_present, matches

if TYPE_CHECKING:
    import pandas as pd

MAX_DURATION = 100 * 366 * 86400.0
"""Durations longer than a century (either sign) are unusable values, counted as such."""


_UNIT_WORDS = (
    (re.compile(r"(milli|_ms\b|\(ms\))"), 0.001),
    (re.compile(r"(minute|\bmins?\b|_mins?\b|in ?mins?\b|\(m\)|\(min\))"), 60.0),
    (re.compile(r"(hour|hrs?\b|\(h\))"), 3600.0),
    (re.compile(r"(\bdays?\b|_days?\b|\(d\))"), 86400.0),
)
_HUMAN_UNITS = {
    "d": 86400.0,
    "day": 86400.0,
    "days": 86400.0,
    "h": 3600.0,
    "hr": 3600.0,
    "hrs": 3600.0,
    "hour": 3600.0,
    "hours": 3600.0,
    "m": 60.0,
    "min": 60.0,
    "mins": 60.0,
    "minute": 60.0,
    "minutes": 60.0,
    "s": 1.0,
    "sec": 1.0,
    "secs": 1.0,
    "second": 1.0,
    "seconds": 1.0,
}


def unit_from_name(name: str) -> float:
    """Seconds per unit implied by a header: `reply_time_in_minutes` → 60; default seconds."""
    lowered = name.lower()
    for pattern, factor in _UNIT_WORDS:
        if pattern.search(lowered):
            return factor
    return 1.0


def parse_durations(raw: pd.Series, unit: float) -> Parsed:
    """Numbers (in `unit` seconds), `HH:MM[:SS]`, or `1 day 3 hours` text → float seconds.

    `--` and empty cells mean "no value" (NaN), never zero.
    """
    import numpy as np
    import pandas as pd

    present = is_present(raw)
    if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        seconds = raw.astype("float64") * unit
        sane = seconds.abs() <= MAX_DURATION  # as for text below (NaN is not sane: missing)
        return Parsed(seconds.where(sane), raw.notna() & ~sane)
    text = raw.astype("str").str.strip().where(present)
    none = text.isin(["--", "-", "—", "n/a", "N/A"])
    present = present & ~none
    out = pd.to_numeric(text.where(present), errors="coerce") * unit
    clock = present & out.isna() & matches(text, r"^-?\d+:\d{2}(:\d{2})?$")
    if clock.any():
        parts = text[clock].str.split(":", expand=True).astype("float64")
        seconds = parts[2].fillna(0.0) if 2 in parts else 0.0  # all `HH:MM`: no third part
        secs = parts[0].abs() * 3600 + parts[1] * 60 + seconds
        sign = np.where(text[clock].str.startswith("-"), -1.0, 1.0)
        # hours may pass 24 (`30:15` is 30 h 15 min); minutes and seconds stop at 59
        clock_face = (parts[1] < 60) & (pd.Series(seconds, index=parts.index) < 60)
        out[clock] = (secs * sign).where(clock_face)
    human = present & out.isna()
    if human.any():
        pairs = text[human].str.lower().str.extractall(r"(\d+(?:\.\d+)?)\s*([a-z]+)")
        factor = pairs[1].astype(object).map(_HUMAN_UNITS).astype("float64")
        amount = pd.to_numeric(pairs[0].astype(object), errors="coerce").astype("float64")
        seconds = (amount * factor).groupby(level=0).sum(min_count=1)
        complete = factor.notna().groupby(level=0).all()
        out[seconds.index] = seconds.where(complete)
    out = out.astype("float64")
    out = out.where(out.abs() <= MAX_DURATION)  # a century or more is no real duration
    return Parsed(out, present & out.isna())
