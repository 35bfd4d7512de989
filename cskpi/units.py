"""Machine units → short human text, for the terminal table and markdown only.

Machine formats never go through here: they carry the unrounded values (DECISIONS 12).

| unit    | value          | shown                                             |
|---------|----------------|---------------------------------------------------|
| count   | 1234           | `1,234`                                           |
| seconds | 45 / 750 / ... | `45s`, `12m 30s`, `2h 05m`, `3d 4h`               |
| ratio   | 0.875          | `87.5%`                                           |
| ratio_unbounded | 1.6    | `160.0%` (a quotient that may exceed 1)           |
| change  | -0.125         | `-12.5%`, `+7.1%` (a signed relative change)      |
| score   | 4.2149         | `4.21`                                            |
| nps     | 41.6           | `+42` (`-7`, `0`)                                 |
| money   | 12.4           | `12.40`                                           |

Null (None, NaN, ±inf) is `—` in every unit. Durations are rounded to the precision they are
shown at, and the bracket is chosen after rounding, so 59.6 s is `1m 00s`, never `60s`.
Halves round away from zero everywhere we choose the rounding ourselves (durations, NPS).
"""

from __future__ import annotations

import math
from collections.abc import Callable

NULL = "—"
PERCENT_UNITS = ("ratio", "ratio_unbounded", "change")
"""Units whose machine value 1 means 100 % (only `ratio` is bounded to [0, 1])."""

_MINUTE = 60
_HOUR = 3600
_DAY = 86400


def humanize(value: float | int | None, unit: str, currency: str | None = None) -> str:
    """`value` (machine unit `unit`) as the terminal table shows it; `—` for null. Money
    carries `currency` (`[costs] currency`) when given: `€1,240.50`, `1,240.50 EUR`.

    An unknown unit falls back to four significant digits rather than failing a report.
    """
    number = _finite(value)
    if number is None:
        return NULL
    text = _FORMATTERS.get(str(unit), _general)(number)
    return with_currency(text, currency) if str(unit) == "money" else text


def with_currency(text: str, currency: str | None) -> str:
    """A money text with its currency: a code after it (`12.40 EUR`), a sign before the
    digits (`€12.40`, `-€3.00`); unchanged without a currency or for null."""
    if not currency or text == NULL:
        return text
    if currency.isascii() and currency.isalpha():
        return f"{text} {currency}"
    sign = text[0] if text[:1] in ("-", "+") else ""
    return f"{sign}{currency}{text[len(sign) :]}"


def humanize_change(value: float | int | None, unit: str) -> str:
    """A `_change` value (current − previous) in the KPI's unit, always signed when non-zero.

    Ratios (and the percentage units `ratio_unbounded`, `change`) change in points
    (`+2.5 pts`), not percent of percent; durations keep the duration brackets (`+12m 30s`,
    `-2h 05m`).
    """
    number = _finite(value)
    if number is None:
        return NULL
    if str(unit) == "nps":
        return _nps(number)
    if str(unit) in PERCENT_UNITS:
        magnitude = _fixed(abs(number) * 100, 1) + " pts"
    else:
        magnitude = humanize(abs(number), unit)
    if _is_zero_text(magnitude):
        return magnitude
    return ("+" if number > 0 else "-") + magnitude


def _finite(value: float | int | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _round_half_away(number: float) -> int:
    """Round to the nearest integer, halves away from zero (not banker's rounding)."""
    return int(math.copysign(math.floor(abs(number) + 0.5), number))


def _fixed(number: float, decimals: int, *, grouping: bool = False) -> str:
    """Fixed decimals without a `-0.0` (a tiny negative rounds to plain zero)."""
    text = format(number, f"{',' if grouping else ''}.{decimals}f")
    if text.startswith("-") and not any(ch in "123456789" for ch in text):
        text = text[1:]
    return text


def _is_zero_text(text: str) -> bool:
    return not any(ch in "123456789" for ch in text)


def _count(number: float) -> str:
    if number.is_integer():
        return f"{int(number):,}"
    return _fixed(number, 1, grouping=True)


def _seconds(number: float) -> str:
    sign = "-" if number < 0 else ""
    seconds = _round_half_away(abs(number))
    if seconds < _MINUTE:
        return f"{sign}{seconds}s"
    if seconds < _HOUR:
        minutes, rest = divmod(seconds, _MINUTE)
        return f"{sign}{minutes}m {rest:02d}s"
    minutes = _round_half_away(abs(number) / _MINUTE)
    if minutes < _DAY // _MINUTE:
        hours, rest = divmod(minutes, 60)
        return f"{sign}{hours}h {rest:02d}m"
    hours = _round_half_away(abs(number) / _HOUR)
    days, rest = divmod(hours, 24)
    return f"{sign}{days}d {rest}h"


def _ratio(number: float) -> str:
    return _fixed(number * 100, 1) + "%"


def _change(number: float) -> str:
    text = _ratio(number)
    return text if _is_zero_text(text) or text.startswith("-") else "+" + text


def _score(number: float) -> str:
    return _fixed(number, 2)


def _nps(number: float) -> str:
    rounded = _round_half_away(number)
    return f"{rounded:+d}" if rounded else "0"


def _money(number: float) -> str:
    return _fixed(number, 2, grouping=True)


def _general(number: float) -> str:
    return format(number, ".4g")


_FORMATTERS: dict[str, Callable[[float], str]] = {
    "count": _count,
    "seconds": _seconds,
    "ratio": _ratio,
    "ratio_unbounded": _ratio,
    "change": _change,
    "score": _score,
    "nps": _nps,
    "money": _money,
}


# -- text that reaches a terminal ----------------------------------------------------------------

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_INVISIBLE = [
    *range(0x20),  # C0 controls: ESC, BEL, backspace, carriage return ...
    0x7F,
    *range(0x80, 0xA0),  # C1 controls: CSI, OSC, ST as single bytes
    0x200B,  # zero-width space
    0x200E,  # bidi marks
    0x200F,
    0x2028,  # line and paragraph separators
    0x2029,
    *range(0x202A, 0x202F),  # bidi embeddings and overrides
    *range(0x2066, 0x206A),  # bidi isolates
    0xFEFF,  # byte order mark
]
_VISIBLE = {
    cp: _NAMED.get(chr(cp), f"\\x{cp:02x}" if cp < 0x100 else f"\\u{cp:04x}") for cp in _INVISIBLE
}


def visible(text: object) -> str:
    """`text` with every control or invisible formatting character written as an escape
    (`\\x1b`, `\\n`, `\\u202e`), so a value from an input file (an agent name, an id, a header)
    can never move the cursor, clear the screen, set the window title, plant a hidden link or
    write the clipboard when it is shown on a terminal. Everything printed for a person goes
    through here: the table, `validate`, markdown, the stderr notes and error messages."""
    return str(text).translate(_VISIBLE)
