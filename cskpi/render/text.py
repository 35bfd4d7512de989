"""csv, tsv, json, jsonl and markdown renderings of a `Result` (CLI.md "JSON output").

Machine formats (csv, tsv, json, jsonl) carry machine units unrounded: floats are written
with `repr` (shortest round-trip), counts and `_n` stay integers, null is JSON `null` or an
empty cell, never NaN. Only markdown humanises. Same `Result` → identical text.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from cskpi.units import humanize, humanize_change, visible
from cskpi.version import __version__

if TYPE_CHECKING:
    from cskpi.result import KpiInfo, Result

SCHEMA_VERSION = 1

BOM = "\ufeff"
# OWASP "CSV injection": a text cell starting with one of these is a formula to a spreadsheet.
# The contract names = + - @; tab and carriage return are the same attack in other clothes.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def render_text(result: Result, fmt: str, *, excel: bool = False) -> str:
    """`result` as `fmt` (one of `TEXT_FORMATS`); `excel` applies to csv only (BOM + escaping).

    Raises ValueError for a format this module does not render (the CLI validates first).
    """
    try:
        renderer = _RENDERERS[str(fmt)]
    except KeyError:
        known = ", ".join(_RENDERERS)
        raise ValueError(f"render_text cannot render {fmt!r}; known: {known}") from None
    if result.breaches is not None and fmt != "json":
        return _breaches(result, str(fmt), excel)
    return renderer(result, excel)


def _breaches(result: Result, fmt: str, excel: bool) -> str:
    """`--breaches`: the table formats hold one row per breach instead of the KPI rows."""
    records = breach_records(result)
    header = [str(c) for c in result.breaches.columns] if result.breaches is not None else []
    if fmt == "jsonl":
        return "".join(json.dumps(r, ensure_ascii=False, allow_nan=False) + "\n" for r in records)
    if fmt == "markdown":
        body = [
            [
                md_escape(r["ticket_id"]),
                md_escape(r["agent"]),
                r["metric"],
                md_escape(r["policy"]),
                humanize(r["target"], "seconds"),
                humanize(r["actual"], "seconds"),
                r["clock"],
            ]
            for r in records
        ]
        return "\n".join(_md_table(header, [" --- "] * 4 + [" ---: "] * 2 + [" --- "], body)) + "\n"
    return _table_text(
        header,
        _record_columns(header, records),
        "," if fmt == "csv" else "\t",
        excel and fmt == "csv",
    )


# -- values ---------------------------------------------------------------------------------


def _scalar(value: Any) -> Any:
    """A JSON-ready Python scalar: numpy → int/float/bool, NaN/NA/NaT/±inf → None."""
    if value is None or isinstance(value, str | bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value) if math.isfinite(value) else None
    import numpy as np
    import pandas as pd

    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        number = float(value)
        return number if math.isfinite(number) else None
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def plain(value: Any) -> Any:
    """`_scalar` applied through dicts and lists (for data_quality)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return _scalar(value)


def _as_count(value: Any) -> Any:
    """Counts stay integers even when a column went float (NaN in `_previous`)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def count_columns(kpis: tuple[KpiInfo, ...]) -> set[str]:
    columns = {f"{k.id}_n" for k in kpis}
    for k in kpis:
        if str(k.unit) == "count":
            columns.update({k.id, f"{k.id}_previous", f"{k.id}_change"})
    return columns


def clean_value(key: str, value: Any, counts: set[str]) -> Any:
    value = _scalar(value)
    return _as_count(value) if key in counts else value


def _columns(result: Result) -> list[str]:
    return [str(c) for c in result.rows.columns]


def row_columns(result: Result) -> list[list[Any]]:
    """The rows' values column by column, as clean scalars (`clean_value`): column-wise
    `tolist()` turns numpy scalars into Python ones in C, and a numeric column is cleaned by
    its dtype in one comprehension instead of a call chain per cell (a 2,400-row W: 60,000
    cells)."""
    counts = count_columns(result.kpis)
    frame = result.rows
    return [
        _clean_column(name, frame.iloc[:, i], counts) for i, name in enumerate(_columns(result))
    ]


def _clean_column(name: str, column: Any, counts: set[str]) -> list[Any]:
    import numpy as np

    values = column.tolist()
    dtype = column.dtype
    kind = dtype.kind if isinstance(dtype, np.dtype) else ""
    if kind in ("i", "u", "b"):  # Python ints and bools already; never null
        return values
    if kind == "f":
        isfinite = math.isfinite
        if name in counts:
            return [(int(v) if v.is_integer() else v) if isfinite(v) else None for v in values]
        return [v if isfinite(v) else None for v in values]
    return [clean_value(name, v, counts) for v in values]


def row_records(result: Result) -> Iterator[dict[str, Any]]:
    """The rows as JSON objects: the DataFrame's columns in order, clean scalars."""
    names = _columns(result)
    for values in zip(*row_columns(result), strict=True):
        yield dict(zip(names, values, strict=True))


def _overall(result: Result) -> dict[str, Any]:
    counts = count_columns(result.kpis)
    return {str(k): clean_value(str(k), v, counts) for k, v in result.overall.items()}


def _iso(stamp: Any) -> str:
    return str(stamp.isoformat())


# -- json / jsonl ---------------------------------------------------------------------------


def _document(result: Result) -> dict[str, Any]:
    """The CLI.md JSON envelope, keys in contract order."""
    doc: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "cskpi_version": __version__,
        "engine": result.engine,
        "as_of": _iso(result.as_of),
        "window": {
            "since": _iso(result.since),
            "until": _iso(result.until),
            "timezone": result.timezone,
        },
        "business_hours": bool(result.business_hours),
        "config": result.config,
    }
    if result.currency is not None:  # `[costs] currency`: money values are in it
        doc["currency"] = result.currency
    doc |= {
        "group_by": [str(g) for g in result.group_by],
        "period": None if result.period is None else str(result.period),
    }
    if result.compare is not None:
        doc["compare"] = str(result.compare)
    doc["kpis"] = [{"id": k.id, "name": k.name, "unit": str(k.unit)} for k in result.kpis]
    doc["rows"] = list(row_records(result))
    doc["overall"] = _overall(result)
    doc["targets"] = [
        {
            "kpi": t.kpi,
            "target": t.target,
            "value": _scalar(t.value),
            "met": None if t.met is None else bool(t.met),
            "status": t.status,
            "reason": t.reason,
        }
        for t in result.targets
    ]
    doc["data_quality"] = plain(result.data_quality)
    if result.breaches is not None:
        doc["breaches"] = breach_records(result)
    return doc


def breach_records(result: Result) -> list[dict[str, Any]]:
    """`--breaches` rows as JSON objects (seconds unrounded)."""
    if result.breaches is None:
        return []
    frame = result.breaches
    names = [str(c) for c in frame.columns]
    columns = [frame.iloc[:, i].tolist() for i in range(len(names))]
    return [
        {n: _scalar(v) for n, v in zip(names, values, strict=True)}
        for values in zip(*columns, strict=True)
    ]


def _json(result: Result, excel: bool) -> str:
    return json.dumps(_document(result), ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def _jsonl(result: Result, excel: bool) -> str:
    return "".join(
        json.dumps(row, ensure_ascii=False, allow_nan=False) + "\n" for row in row_records(result)
    )


# -- csv / tsv ------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):  # `partial`: spelled as in JSON
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _neutralise(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _delimited(result: Result, delimiter: str, excel: bool) -> str:
    return _table_text(_columns(result), row_columns(result), delimiter, excel)


def _record_columns(header: list[str], records: list[dict[str, Any]]) -> list[list[Any]]:
    return [[r[h] for r in records] for h in header]


_ROW_END = "\r\ue000\n"
"""What the csv writer ends rows with while writing (`delimited`)."""


def delimited(rows: Iterable[Sequence[Any]], delimiter: str = ",") -> str:
    """Rows as CSV/TSV text, one `\n` after each, a value holding a line end of any kind
    quoted. Python 3.11's writer quotes only the characters of its own line terminator, so a
    label holding a bare `\r` came out unquoted and broke the row in two for every reader:
    rows are written ending in `\r`, a private-use character and `\n` (values holding any
    of them quoted), and each such end is then written `\n`."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator=_ROW_END).writerows(rows)
    return buffer.getvalue().replace(_ROW_END, "\n")


def _table_text(
    header: list[str],
    columns: list[list[Any]],
    delimiter: str,
    excel: bool,
) -> str:
    """Delimited text from clean columns. The csv writer spells None as an empty cell and a
    float as its `repr` itself; only columns holding text or booleans are spelled here."""
    cells = []
    for values in columns:
        kinds = set(map(type, values))
        if kinds & {bool, str} or not kinds <= {int, float, type(None)}:
            # Only text cells (labels) are neutralised; a negative number stays a number.
            values = [
                _neutralise(_cell(v)) if excel and isinstance(v, str) else _cell(v) for v in values
            ]
        cells.append(values)
    head = [_neutralise(h) for h in header] if excel else header
    return (BOM if excel else "") + delimited([head, *zip(*cells, strict=True)], delimiter)


def _csv(result: Result, excel: bool) -> str:
    return _delimited(result, ",", excel)


def _tsv(result: Result, excel: bool) -> str:
    # --excel is a CSV option (CLI.md); TSV stays plain.
    return _delimited(result, "\t", False)


# -- markdown -------------------------------------------------------------------------------


_MD_ESCAPES = str.maketrans(
    {"\\": "\\\\", "|": "\\|", "[": "\\[", "]": "\\]", "&": "&amp;", "<": "&lt;", ">": "&gt;"}
)


def md_escape(value: Any) -> str:
    """A value as markdown text that renders as itself: no raw HTML (`<`, `>`, `&` become
    entities), no link or image (`[` `]` escaped, so `[x](javascript:…)` stays text), no
    table break (`|`), one line, control characters shown as escapes (`units.visible`)."""
    text = "" if value is None else str(value)
    text = " ".join(text.splitlines())
    return visible(text.translate(_MD_ESCAPES))


def _md_table(header: list[str], aligns: list[str], body: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(aligns) + "|"]
    lines += ["| " + " | ".join(cells) + " |" for cells in body]
    return lines


def _kpi_columns(result: Result, available: set[str]) -> list[tuple[str, str, str]]:
    """(column, header, kind) per KPI: value, n, previous, change — the ones present."""
    out: list[tuple[str, str, str]] = []
    for k in result.kpis:
        for suffix, header, kind in (
            ("", k.name, "value"),
            ("_n", "n", "n"),
            ("_previous", "previous", "value"),
            ("_change", "change", "change"),
        ):
            if k.id + suffix in available:
                out.append((k.id + suffix, md_escape(header), kind))
    return out


def _md_value(value: Any, kind: str, unit: str) -> str:
    if kind == "n":
        return humanize(value, "count")
    if kind == "change":
        return humanize_change(value, unit)
    return humanize(value, unit)


def _markdown(result: Result, excel: bool) -> str:
    """A GitHub table: a partial bucket's label marked `2024-07*` with a footnote
    (DECISIONS 39); with `--compare`, `period_previous` and "no earlier data" where there is
    no previous value (DECISIONS 37, 38)."""
    from cskpi.render.marks import NO_EARLIER, PARTIAL, partial_note, period_text

    names = _columns(result)
    units: dict[str, str] = {}
    for k in result.kpis:
        for suffix in ("", "_n", "_previous", "_change"):
            units[k.id + suffix] = str(k.unit)
    labels = [c for c in names if c not in units and c != PARTIAL]
    kpi_cols = _kpi_columns(result, set(names))

    def change_cell(values: dict[str, Any], column: str, kind: str) -> str:
        if kind == "change" and values.get(column.removesuffix("_change") + "_previous") is None:
            return NO_EARLIER
        return _md_value(values[column], kind, units[column])

    header = [md_escape(c) for c in labels] + [h for _, h, _ in kpi_cols]
    aligns = [" --- "] * len(labels) + [" ---: "] * len(kpi_cols)
    body = []
    for row in row_records(result):
        cells = [
            md_escape(period_text(row) if c == "period" else row[c]) if row[c] is not None else ""
            for c in labels
        ]
        cells += [change_cell(row, c, kind) for c, _, kind in kpi_cols]
        body.append(cells)
    lines = _md_table(header, aligns, body)
    note = partial_note(result)
    if note is not None:
        lines += ["", md_escape(note).replace("*", "\\*", 1)]

    # With no --by and no --period the single row *is* overall (DECISIONS 12): say it once.
    if labels or len(body) != 1:
        overall = _overall(result)
        present = [(c, h, kind) for c, h, kind in _kpi_columns(result, set(overall))]
        lines += ["", "**Overall**", ""]
        lines += _md_table(
            [h for _, h, _ in present],
            [" ---: "] * len(present),
            [[change_cell(overall, c, kind) for c, _, kind in present]],
        )
    return "\n".join(lines) + "\n"


_RENDERERS: dict[str, Callable[[Result, bool], str]] = {
    "csv": _csv,
    "tsv": _tsv,
    "json": _json,
    "jsonl": _jsonl,
    "markdown": _markdown,
}

TEXT_FORMATS: tuple[str, ...] = tuple(_RENDERERS)
"""The formats `render_text` handles."""
