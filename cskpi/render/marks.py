"""What the human formats (terminal table, Markdown, HTML) share about the rows' marks:
partial buckets (DECISIONS 39), the previous bucket and "no earlier data" (DECISIONS 37, 38).

Machine formats carry `partial` and `period_previous` as row columns; the screens mark the
period label instead (`2024-07*`) and explain it in a footnote.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cskpi.result import Result

PARTIAL = "partial"
PERIOD_PREVIOUS = "period_previous"
MARK = "*"
NO_EARLIER = "no earlier data"
"""Shown where `--compare` has no previous value (DECISIONS 38), never a change against 0."""


def hidden_on_screen(result: Result) -> set[str]:
    """Row columns the table and HTML do not show as columns (the label carries them)."""
    return {PARTIAL, PERIOD_PREVIOUS} if result.period is not None else set()


def period_text(row: dict[str, Any]) -> str:
    """The period label, marked when the bucket is partial."""
    label = "" if row.get("period") is None else str(row["period"])
    return label + MARK if row.get(PARTIAL) else label


def partial_labels(result: Result) -> list[str]:
    """The partial buckets' labels, in order."""
    if result.period is None or PARTIAL not in result.rows.columns:
        return []
    flagged = result.rows.loc[result.rows[PARTIAL].astype(bool), "period"]
    return list(dict.fromkeys(str(label) for label in flagged.tolist()))


def partial_note(result: Result) -> str | None:
    """The footnote under a table with partial buckets, or None."""
    labels = partial_labels(result)
    if not labels:
        return None
    unit = str(result.period)
    many = len(labels) > 1
    return (
        f"{MARK} partial {unit}{'s' if many else ''} ({', '.join(labels)}): only part of "
        f"{'each' if many else 'the'} {unit} lies inside the window up to the as-of time "
        f"({_as_of(result)}); the values cover that part only."
    )


def _as_of(result: Result) -> str:
    stamp = result.as_of.tz_convert(result.timezone)
    return str(stamp.strftime("%Y-%m-%d %H:%M:%S" if stamp.second else "%Y-%m-%d %H:%M"))


def against(result: Result, *, overall: bool = False) -> str:
    """What `--compare` compares with, in words: each bucket's previous bucket with a period
    (DECISIONS 37), else — and always for `overall` — the previous window (DECISIONS 5)."""
    if result.compare is None:
        return ""
    unit = None if result.period is None or overall else str(result.period)
    if str(result.compare) == "previous":
        return f"previous {unit}" if unit else "previous period"
    return f"same {unit} a year earlier" if unit else "same window a year earlier"


def compared_with(result: Result) -> str:
    """`previous month; overall: previous period`, or one phrase without a period."""
    rows = against(result)
    if result.period is None or not rows:
        return rows
    return f"{rows}; overall: {against(result, overall=True)}"
