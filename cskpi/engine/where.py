"""`--where EXPR` (DECISIONS 47): keep only the records that meet every condition.

Forms: `col=value`, `col!=value`, `col in (a,b)`, `col not in (a,b)`, and `col>=value`
(`>`, `<`, `<=`) for numbers and times. Columns are named canonically (`channel`) or by the
export's own header (`Ticket Type`, `Assignee`). Values may be quoted (`'a, b'`).

Semantics:

- Text compares after trimming and case-folding (`channel=Email` keeps `email`). Numbers
  compare as numbers; times as instants, a naive value in the report zone (DECISIONS 3); a
  date alone is its whole day for `=`, `!=`, `in`, `not in`, `<=` and `>`
  (`created_at<=2024-03-10` keeps the 10th, as `--until` does), its start for `>=` and `<`.
- An empty cell is not equal to any value: `=`, `in` and the comparisons drop it, `!=` and
  `not in` keep it (`type!=test` keeps tickets without a type). `col=` (nothing after the
  sign) keeps the empty cells, `col!=` the filled ones.
- Each frame that has the column is filtered by it: tickets first. A survey linked to a
  ticket (kept or excluded by status) follows its ticket, and is judged by its own column
  only for a condition on a column the tickets lack (`score>=4`); a survey with no ticket is
  judged by its own column, as empty cells when it has none (`channel=email` drops it,
  `type!=test` keeps it). Customers, orders, schedules and costs are judged by their own
  columns, and not by a condition on a column they lack. A condition whose column no input
  has is a usage error (exit 2) that lists the files' columns.
- Removed rows are counted under `dropped` as `filtered_out` in each frame's data quality,
  so read = used + out_of_window + Σ dropped still holds.

**Where it is applied**: in `compute`, after the report zone and the default `as_of` are
known (so a filter changes neither `as_of` nor a relative window: `--month previous` means
the same month with or without `--where`) and before `prepare`. The ticket rows are removed
from the frame, and the status history and messages (`Inputs.conversation`, kept by ticket
row position) are renumbered to match (`Conversation.rows`): one mask, no re-sort.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from cskpi.engine.keys import locate, no_such_column
from cskpi.errors import UsageError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from cskpi.engine.types import Inputs
    from cskpi.load.normalize import Loaded

_LIST = re.compile(r"(?P<col>.+?)\s+(?P<op>not\s+in|in)\s*\((?P<values>.*)\)", re.I | re.S)
_COMPARE = re.compile(r"(?P<col>[^!<>=]+?)\s*(?P<op>!=|>=|<=|=|>|<)\s*(?P<value>.*)", re.S)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
ORDERED = (">=", ">", "<", "<=")
NEGATIVE = ("!=", "not in")


@dataclass(frozen=True)
class Condition:
    text: str
    """The expression as given, for messages."""
    column: str
    op: str
    """`=`, `!=`, `in`, `not in`, `>=`, `>`, `<` or `<=`."""
    values: tuple[str, ...]


def parse_where(expressions: tuple[str, ...] | list[str]) -> list[Condition]:
    """Parse each `--where` expression; exit 2 with the expected forms for a bad one."""
    out = []
    for text in expressions:
        m = _LIST.fullmatch(text.strip())
        if m:
            op = " ".join(m["op"].lower().split())
            values = tuple(_unquote(v) for v in _split(m["values"]))
            if not any(values):
                raise UsageError(f"--where {text}: the list in ( ) is empty")
        else:
            m = _COMPARE.fullmatch(text.strip())
            if not m:
                raise UsageError(
                    f"--where {text}: expected COLUMN=VALUE, COLUMN!=VALUE, COLUMN in (A,B), "
                    "COLUMN not in (A,B) or COLUMN>=VALUE (also >, <, <=)"
                )
            op, values = m["op"], (_unquote(m["value"]),)
            if op in ORDERED and not values[0]:
                raise UsageError(f"--where {text}: {op} needs a value")
        column = _unquote(m["col"])
        if not column:
            raise UsageError(f"--where {text}: no column before {op}")
        out.append(Condition(text, column, op, values))
    return out


def where_columns(expressions: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The columns the expressions name (for the read plan); exit 2 for a bad expression."""
    return tuple(dict.fromkeys(c.column for c in parse_where(expressions)))


def apply_where(inputs: Inputs, expressions: tuple[str, ...], tz: str) -> Inputs:
    """`inputs` with only the records that meet every condition (module docstring)."""
    import numpy as np
    import pandas as pd

    conditions = parse_where(expressions)
    if not conditions:
        return inputs
    business = inputs.business.given() if inputs.business else {}
    for c in conditions:
        frames = (inputs.tickets, inputs.surveys, *business.values())
        if all(locate(c.column, loaded) is None for loaded in frames):
            raise no_such_column("--where", c.column, inputs)
    tickets, surveys, conversation = inputs.tickets, inputs.surveys, inputs.conversation
    if tickets is not None:
        keep = _keep(tickets.frame, tickets, conditions, tz)
        excluded = tickets.excluded
        keep_excluded = None
        if excluded is not None and len(excluded):
            keep_excluded = _keep(excluded, tickets, conditions, tz)
        if surveys is not None and "ticket_id" in surveys.frame and "ticket_id" in tickets.frame:
            from cskpi.engine.prepare import positions

            ids = tickets.frame["ticket_id"]
            kept = keep
            if excluded is not None and keep_excluded is not None:
                ids = pd.concat([ids, excluded["ticket_id"]], ignore_index=True)
                kept = np.concatenate([keep, keep_excluded])
            found = positions(surveys.frame["ticket_id"], ids)
            own = _keep(surveys.frame, surveys, conditions, tz, missing_empty=True)
            # a condition on a column the tickets lack (`score`) judges every survey itself
            alone = [c for c in conditions if locate(c.column, tickets) is None]
            kept_too = _keep(surveys.frame, surveys, alone, tz)
            linked = kept[np.maximum(found, 0)] if len(kept) else np.zeros(len(found), bool)
            survey_keep = np.where(found >= 0, linked & kept_too, own)
            surveys = _filtered(surveys, survey_keep, "ticket_id")
        elif surveys is not None:
            surveys = _filtered(surveys, _keep(surveys.frame, surveys, conditions, tz), None)
        if conversation is not None:
            conversation = conversation.rows(keep)
        tickets = _filtered(tickets, keep, "ticket_id")
        if excluded is not None and keep_excluded is not None and not keep_excluded.all():
            tickets = replace(tickets, excluded=excluded[keep_excluded].reset_index(drop=True))
    elif surveys is not None:
        surveys = _filtered(surveys, _keep(surveys.frame, surveys, conditions, tz), None)
    if business and inputs.business is not None:
        changed = {
            name: _filtered(loaded, _keep(loaded.frame, loaded, conditions, tz), None)
            for name, loaded in business.items()
        }
        inputs = replace(inputs, business=replace(inputs.business, **changed))
    return replace(inputs, tickets=tickets, surveys=surveys, conversation=conversation)


def _filtered(loaded: Loaded, keep: np.ndarray, id_column: str | None) -> Loaded:
    """`loaded` with the rows where `keep`; the others counted as `filtered_out`."""
    removed = int(len(keep) - keep.sum())
    if not removed:
        return loaded
    frame = loaded.frame
    examples = (
        frame.loc[~keep, id_column].astype(str).head(3).tolist()
        if id_column and id_column in frame
        else ()
    )
    quality = loaded.quality.drop("filtered_out", removed, examples)
    return replace(loaded, frame=frame[keep].reset_index(drop=True), quality=quality)


def _keep(
    frame: pd.DataFrame,
    loaded: Loaded,
    conditions: list[Condition],
    tz: str,
    *,
    missing_empty: bool = False,
) -> np.ndarray:
    """Per row of `frame`: it meets every condition whose column `loaded` has; with
    `missing_empty`, a column it lacks counts as empty cells (surveys with no ticket)."""
    import numpy as np

    keep: np.ndarray = np.ones(len(frame), dtype=bool)
    for c in conditions:
        column = locate(c.column, loaded)
        if column is not None and column in frame:
            keep &= _meets(frame[column], c, tz)
        elif missing_empty:  # an empty cell meets `!=`, `not in` and `col=` only
            keep &= (c.op in NEGATIVE) != ("" in c.values)
    return keep


def _meets(series: pd.Series, c: Condition, tz: str) -> np.ndarray:
    """Per cell: it meets the condition (empty cells per the module docstring)."""
    import numpy as np
    import pandas as pd

    wanted = [v for v in c.values if v]
    asks_empty = len(wanted) < len(c.values)  # `col=` / `col in (a,)`: the empty cells
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        empty = series.isna().to_numpy()
        hit = _compare_times(series, c, wanted, tz)
    elif pd.api.types.is_bool_dtype(series.dtype):
        empty = series.isna().to_numpy()
        if c.op in ORDERED:
            raise UsageError(f"--where {c.text}: {c.column} is yes/no; use = or !=")
        flags = [_flag(v, c) for v in wanted]
        hit = series.isin(flags).to_numpy(dtype=bool)
    elif pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_timedelta64_dtype(
        series.dtype
    ):
        numbers = series.dt.total_seconds() if series.dtype.kind == "m" else series
        empty = numbers.isna().to_numpy()
        hit = _compare_numbers(numbers, c, [_number(v, c) for v in wanted])
    else:
        if c.op in ORDERED:
            raise UsageError(
                f"--where {c.text}: {c.op} compares numbers and times; {c.column} is text "
                "(use =, !=, in or not in)"
            )
        cat = series if isinstance(series.dtype, pd.CategoricalDtype) else series.astype("category")
        names = pd.Index(cat.cat.categories.astype(str)).str.strip().str.casefold()
        codes = cat.cat.codes.to_numpy()
        folded = [v.strip().casefold() for v in wanted]
        hit = np.append(np.asarray(names.isin(folded), dtype=bool), False)[codes]
        empty = np.append(np.asarray(names == "", dtype=bool), True)[codes]
    hit = hit & ~empty
    if asks_empty:
        hit = hit | empty
    if c.op in NEGATIVE:
        return np.asarray(~hit)
    return np.asarray(hit)


def _compare_times(series: pd.Series, c: Condition, values: list[str], tz: str) -> np.ndarray:
    """Instants compared; a date alone is its whole day for `=`, `in`, `<=` and `>` (and
    their negations), its start for `>=` and `<`."""
    import numpy as np

    from cskpi.time.window import parse_instant

    what = f"--where {c.column}{c.op}"
    if c.op in ORDERED:
        value = values[0].strip()
        if c.op in ("<=", ">") and _DATE.fullmatch(value):  # the whole day
            return _ordered(series, "<" if c.op == "<=" else ">=", _day_end(value, tz, what))
        return _ordered(series, c.op, parse_instant(value, tz, what=what))
    hit: np.ndarray = np.zeros(len(series), dtype=bool)
    for value in values:
        start = parse_instant(value, tz, what=what)
        if _DATE.fullmatch(value.strip()):
            hit |= _ordered(series, ">=", start) & _ordered(series, "<", _day_end(value, tz, what))
        else:
            hit |= (series == start).to_numpy(dtype=bool)
    return hit


def _day_end(value: str, tz: str, what: str) -> pd.Timestamp:
    """The start of the day after the date `value`, in `tz`."""
    from datetime import date, timedelta

    from cskpi.time.window import parse_instant

    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        return parse_instant(value, tz, what=what)  # raises the usual message
    return parse_instant((day + timedelta(days=1)).isoformat(), tz, what=what)


def _compare_numbers(series: pd.Series, c: Condition, values: list[float]) -> np.ndarray:
    if c.op in ORDERED:
        return _ordered(series, c.op, values[0])
    return series.isin(values).to_numpy(dtype=bool)


def _ordered(series: pd.Series, op: str, value: object) -> np.ndarray:
    import numpy as np

    result = {
        ">=": series >= value,
        ">": series > value,
        "<": series < value,
        "<=": series <= value,
    }[op]
    return np.asarray(result.fillna(False).to_numpy(dtype=bool))


def _number(value: str, c: Condition) -> float:
    try:
        return float(value.strip())
    except ValueError:
        raise UsageError(
            f"--where {c.text}: {c.column} holds numbers; {value!r} is not one"
        ) from None


def _flag(value: str, c: Condition) -> bool:
    s = value.strip().lower()
    if s in ("true", "yes", "1"):
        return True
    if s in ("false", "no", "0"):
        return False
    raise UsageError(f"--where {c.text}: expected true or false")


def _split(text: str) -> list[str]:
    """Comma-separated values; a quoted value may hold commas."""
    return re.split(r",(?=(?:[^'\"]*['\"][^'\"]*['\"])*[^'\"]*$)", text)


def _unquote(text: str) -> str:
    s = text.strip()
    if len(s) >= 2 and s[0] == s[-1] and s[0] in "'\"":
        return s[1:-1]
    return s
