"""The `.xlsx` report: machine values in the cells, human display through number formats.

Sheets, in order:

- `rows` — exactly the columns and values of a JSON row (DECISIONS 12), unrounded; header
  row and label columns frozen, an autofilter on the header; a partial bucket's row
  (`partial` true, DECISIONS 39) shaded.
- `overall` — one row per KPI: `kpi`, `name`, `unit`, `value`, `n`, (`previous`, `change`
  with `--compare`), and `shown`, the value as the terminal table writes it (`1h 02m`).
- `data quality` — one row per count: `input`, `measure` (read, used, out_of_window,
  dropped, issues), `reason`, `count`.
- `targets` — when any are configured: `kpi`, `target`, `value`, `met`, `status`, `reason`.
- `report` — what the numbers cover: window, time zone, clock, as-of, grouping, period.

**Durations read as time** (issue 17): a manager reads and charts `[h]:mm:ss`, not
`402,826 s`. A spreadsheet time format reads a cell as a fraction of a day, so duration cells
(values, `_previous`, `_change`, targets, breach target and actual) hold seconds / 86400,
shown `[h]:mm:ss` (`30:30:00` past a day; changes signed `+0:05:30`); the other formats (CSV,
JSON, Parquet) stay in seconds, and `overall` keeps the `shown` column (`1h 02m`). The
workbook uses the 1904 date system, the one in which Excel can show a negative time (a
duration that went down); it holds no dates, so nothing else moves. Ratios
are shown `0.0%`, counts and populations `#,##0`, NPS `+0`, scores `0.00`, money
`#,##0.00`; changes carry a sign.

Text cells are always text: a label such as `=cmd|' /c calc'!A1` is stored as a string,
never as a formula, and characters XML cannot hold are replaced with U+FFFD.

**Deterministic bytes** (DECISIONS 27): the document's created/modified properties are
`as_of` (naive UTC), and the zip is rewritten with its entries in name order, each dated
`as_of`, with fixed attributes and compression — the same `Result` gives the same file.
"""

from __future__ import annotations

import io
import math
import numbers
import unicodedata
import zipfile
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from cskpi.units import humanize
from cskpi.version import __version__

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

    from cskpi.result import Result

FORMATS: dict[str, str] = {
    "count": "#,##0",
    "seconds": "[h]:mm:ss",
    "ratio": "0.0%",
    "ratio_unbounded": "0.0%",
    "change": "+0.0%;-0.0%;0.0%",
    "score": "0.00",
    "nps": "+0;-0;0",
    "money": "#,##0.00",
}
"""Unit → number format of a value (and of `_previous`)."""

CHANGE_FORMATS: dict[str, str] = {
    "count": "+#,##0;-#,##0;0",
    "seconds": "+[h]:mm:ss;-[h]:mm:ss;0:00:00",
    "ratio": "+0.0%;-0.0%;0.0%",
    "ratio_unbounded": "+0.0%;-0.0%;0.0%",
    "change": "+0.0%;-0.0%;0.0%",
    "score": "+0.00;-0.00;0.00",
    "nps": "+0;-0;0",
    "money": "+#,##0.00;-#,##0.00;0.00",
}
"""Unit → number format of a `_change` (always signed)."""

DURATIONS = frozenset({FORMATS["seconds"], CHANGE_FORMATS["seconds"]})
"""The formats whose cells hold days: a number written with one is seconds / 86400."""
SECONDS_PER_DAY = 86400

GENERAL = "General"
PARTIAL_FILL = "FFF2CC"
"""Background of a partial bucket's row in the `rows` sheet (DECISIONS 39)."""
_MAX_WIDTH = 60
_MIN_WIDTH = 6


def render_xlsx(result: Result) -> bytes:
    """`result` as the bytes of an `.xlsx` workbook (see the module docstring)."""
    from openpyxl import Workbook
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    workbook = Workbook()
    workbook.epoch = CALENDAR_MAC_1904  # negative durations show as -0:05:00, not ####
    rows = workbook.active
    rows.title = "rows"
    _rows_sheet(rows, result)
    _overall_sheet(workbook.create_sheet("overall"), result)
    _quality_sheet(workbook.create_sheet("data quality"), result)
    if result.targets:
        _targets_sheet(workbook.create_sheet("targets"), result)
    if result.breaches is not None:
        _breaches_sheet(workbook.create_sheet("breaches"), result)
    _report_sheet(workbook.create_sheet("report"), result)

    stamp = _naive_utc(result.as_of)
    workbook.properties.creator = f"cskpi {__version__}"
    workbook.properties.created = stamp
    workbook.properties.modified = stamp
    return _pinned_zip(_save(workbook), stamp)


# -- cells ----------------------------------------------------------------------------------


def _naive_utc(stamp: Any) -> datetime:
    value: datetime = stamp.to_pydatetime() if hasattr(stamp, "to_pydatetime") else stamp
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.replace(microsecond=0)


def _number(value: Any) -> float | int | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, numbers.Integral):
        return int(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _text(value: Any) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return str(ILLEGAL_CHARACTERS_RE.sub("\ufffd", str(value)))


def _put(sheet: Worksheet, row: int, column: int, value: Any, fmt: str = GENERAL) -> None:
    """One cell: numbers with `fmt` (durations as days), text always as text (never a
    formula), None empty."""
    cell = sheet.cell(row=row, column=column)
    if value is None:
        return
    if isinstance(value, bool):
        cell.value = value
    elif isinstance(value, str):
        cell.value = _text(value)
        cell.data_type = "s"
    else:
        number = _number(value)
        if number is None:
            return
        cell.value = number / SECONDS_PER_DAY if fmt in DURATIONS else number
        cell.number_format = fmt


def _write_table(
    sheet: Worksheet,
    header: list[str],
    body: list[list[Any]],
    formats: list[str],
    *,
    freeze_columns: int = 0,
) -> None:
    """Bold header, body with one number format per column, frozen header, fitted widths."""
    from openpyxl.styles import Font

    bold = Font(bold=True)
    for column, name in enumerate(header, start=1):
        _put(sheet, 1, column, name)
        sheet.cell(row=1, column=column).font = bold
    for row, values in enumerate(body, start=2):
        for column, (value, fmt) in enumerate(zip(values, formats, strict=True), start=1):
            _put(sheet, row, column, value, fmt)
    sheet.freeze_panes = sheet.cell(row=2, column=freeze_columns + 1)
    _fit_widths(sheet, header, body, formats)


def _shown_width(value: Any, fmt: str) -> int:
    """Roughly how many characters a cell shows (East Asian wide characters count two)."""
    if value is None:
        return 0
    if isinstance(value, str):
        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in value)
    if isinstance(value, bool):
        return 5
    number = _number(value)
    if number is None:
        return 0
    if fmt in DURATIONS:
        text = f"+{abs(number) // 3600:.0f}:00:00"
    elif "%" in fmt:
        text = f"{number * 100:+.1f}%"
    elif "0.00" in fmt:
        text = f"{number:+,.2f}"
    else:
        text = f"{number:+,.0f}"
    return len(text) + (2 if '" s"' in fmt else 0)


def _fit_widths(
    sheet: Worksheet, header: list[str], body: list[list[Any]], formats: list[str]
) -> None:
    from openpyxl.utils import get_column_letter

    for index, name in enumerate(header):
        widest = max(
            [_shown_width(name, GENERAL)]
            + [_shown_width(row[index], formats[index]) for row in body]
        )
        width = min(max(widest + 2, _MIN_WIDTH), _MAX_WIDTH)
        sheet.column_dimensions[get_column_letter(index + 1)].width = width


# -- sheets ---------------------------------------------------------------------------------


def unit_formats(currency: str | None) -> tuple[dict[str, str], dict[str, str]]:
    """(FORMATS, CHANGE_FORMATS) with money in `currency` (`[costs] currency`): a code after
    the number (`#,##0.00 "EUR"`), a sign before it (`"€"#,##0.00`)."""
    if not currency:
        return FORMATS, CHANGE_FORMATS
    text = f'"{currency}"'
    code = currency.isascii() and currency.isalpha()

    def money(number: str) -> str:
        return f"{number} {text}" if code else f"{text}{number}"

    change = ";".join(
        part[0] + money(part[1:]) if part[0] in "+-" else money(part)
        for part in CHANGE_FORMATS["money"].split(";")
    )
    return {**FORMATS, "money": money(FORMATS["money"])}, {**CHANGE_FORMATS, "money": change}


def _column_formats(result: Result) -> dict[str, str]:
    formats: dict[str, str] = {}
    values, changes = unit_formats(result.currency)
    for k in result.kpis:
        unit = str(k.unit)
        formats[k.id] = formats[f"{k.id}_previous"] = values.get(unit, GENERAL)
        formats[f"{k.id}_n"] = FORMATS["count"]
        formats[f"{k.id}_change"] = changes.get(unit, GENERAL)
    return formats


def _rows_sheet(sheet: Worksheet, result: Result) -> None:
    from openpyxl.utils import get_column_letter

    from cskpi.render.text import row_records

    header = [str(c) for c in result.rows.columns]
    by_column = _column_formats(result)
    formats = [by_column.get(name, GENERAL) for name in header]
    body = [list(record.values()) for record in row_records(result)]
    labels = sum(1 for name in header if name not in by_column)
    _write_table(sheet, header, body, formats, freeze_columns=labels)
    if "partial" in header:
        from openpyxl.styles import PatternFill

        shade = PatternFill(fill_type="solid", start_color=PARTIAL_FILL, end_color=PARTIAL_FILL)
        at = header.index("partial")
        for row, values in enumerate(body, start=2):
            if values[at]:
                for column in range(1, len(header) + 1):
                    sheet.cell(row=row, column=column).fill = shade
    if header:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(body) + 1}"


def _overall_sheet(sheet: Worksheet, result: Result) -> None:
    from cskpi.render.text import clean_value, count_columns

    counts = count_columns(result.kpis)
    compare = result.compare is not None
    header = ["kpi", "name", "unit", "value", "n"]
    header += ["previous", "change"] if compare else []
    header.append("shown")
    body, formats = [], []
    values, changes = unit_formats(result.currency)
    for k in result.kpis:
        unit = str(k.unit)

        def value(suffix: str, kpi_id: str = k.id) -> Any:
            key = kpi_id + suffix
            return clean_value(key, result.overall.get(key), counts)

        line = [k.id, k.name, unit, value(""), value("_n")]
        line += [value("_previous"), value("_change")] if compare else []
        line.append(humanize(value(""), unit, result.currency))
        body.append(line)
        fmts = [GENERAL] * 3 + [values.get(unit, GENERAL), FORMATS["count"]]
        fmts += [values.get(unit, GENERAL), changes.get(unit, GENERAL)] if compare else []
        fmts.append(GENERAL)
        formats.append(fmts)
    _write_rows_with_formats(sheet, header, body, formats)


def _write_rows_with_formats(
    sheet: Worksheet, header: list[str], body: list[list[Any]], formats: list[list[str]]
) -> None:
    """Like `_write_table`, with a number format per cell (each row a different unit)."""
    from openpyxl.styles import Font

    bold = Font(bold=True)
    for column, name in enumerate(header, start=1):
        _put(sheet, 1, column, name)
        sheet.cell(row=1, column=column).font = bold
    for row, (values, fmts) in enumerate(zip(body, formats, strict=True), start=2):
        for column, (value, fmt) in enumerate(zip(values, fmts, strict=True), start=1):
            _put(sheet, row, column, value, fmt)
    sheet.freeze_panes = "A2"
    widest_formats = [
        max((f[i] for f in formats), key=len, default=GENERAL) for i in range(len(header))
    ]
    _fit_widths(sheet, header, body, widest_formats)


def _quality_sheet(sheet: Worksheet, result: Result) -> None:
    from cskpi.render.text import plain

    body: list[list[Any]] = []
    for frame, stats in plain(result.data_quality).items():
        if not isinstance(stats, dict):
            continue
        for measure in ("read", "used", "out_of_window"):
            if measure in stats:
                body.append([frame, measure, None, stats[measure]])
        for measure in ("dropped", "issues"):
            for reason, count in (stats.get(measure) or {}).items():
                body.append([frame, measure, reason, count])
    formats = [GENERAL, GENERAL, GENERAL, FORMATS["count"]]
    _write_table(sheet, ["input", "measure", "reason", "count"], body, formats)


def _targets_sheet(sheet: Worksheet, result: Result) -> None:
    """As in JSON: a target not evaluated has `met` empty, status `not_evaluated` and why."""
    header = ["kpi", "target", "value", "met", "status", "reason"]
    body = [[t.kpi, t.target, _number(t.value), t.met, t.status, t.reason] for t in result.targets]
    formats = [
        [GENERAL, GENERAL, FORMATS.get(t.unit, GENERAL), GENERAL, GENERAL, GENERAL]
        for t in result.targets
    ]
    _write_rows_with_formats(sheet, header, body, formats)


def _breaches_sheet(sheet: Worksheet, result: Result) -> None:
    """`--breaches`: one row per breaching ticket; target and actual in seconds."""
    from cskpi.render.text import breach_records

    header = ["ticket_id", "agent", "metric", "policy", "target", "actual", "clock"]
    body = [[r[c] for c in header] for r in breach_records(result)]
    seconds = FORMATS["seconds"]
    formats = [GENERAL, GENERAL, GENERAL, GENERAL, seconds, seconds, GENERAL]
    _write_table(sheet, header, body, formats)


def _report_sheet(sheet: Worksheet, result: Result) -> None:
    facts: list[list[Any]] = [
        ["since", result.since.isoformat()],
        ["until", result.until.isoformat()],
        ["timezone", result.timezone],
        ["clock", "business" if result.business_hours else "calendar"],
        ["as_of", result.as_of.isoformat()],
        ["group_by", ", ".join(str(g) for g in result.group_by)],
        ["period", "" if result.period is None else str(result.period)],
        ["compare", "" if result.compare is None else str(result.compare)],
        ["cskpi_version", __version__],
    ]
    _write_table(sheet, ["key", "value"], facts, [GENERAL, GENERAL])


# -- bytes ----------------------------------------------------------------------------------


def _save(workbook: Any) -> bytes:
    """The workbook's zip, without `Workbook.save`, which stamps `modified` with the clock.

    openpyxl writes numbers with `%.16g`, one digit short of a round trip (0.1 + 0.2 would
    come back as 0.3); for the duration of the write its cell writer gets `repr` instead, so
    the cells hold the unrounded value (DECISIONS 12).
    """
    import openpyxl.cell._writer as cell_writer
    from openpyxl.writer.excel import ExcelWriter

    original = cell_writer.safe_string

    def exact(value: Any) -> Any:
        if isinstance(value, float) and math.isfinite(value):
            return repr(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return original(value)

    buffer = io.BytesIO()
    cell_writer.safe_string = exact
    try:
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            ExcelWriter(workbook, archive).write_data()
    finally:
        cell_writer.safe_string = original
    return buffer.getvalue()


def _pinned_zip(data: bytes, stamp: datetime) -> bytes:
    """The same entries, in name order, each dated `stamp`, with fixed attributes."""
    # A zip date has two-second resolution and starts in 1980.
    date_time = (
        stamp.year,
        stamp.month,
        stamp.day,
        stamp.hour,
        stamp.minute,
        stamp.second - stamp.second % 2,
    )
    date_time = min(max(date_time, (1980, 1, 1, 0, 0, 0)), (2107, 12, 31, 23, 59, 58))
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for name in sorted(source.namelist()):
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(name), compresslevel=6)
    return out.getvalue()
