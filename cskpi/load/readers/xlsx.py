"""Excel workbooks (.xlsx): one worksheet's cell values in object columns.

The first worksheet unless `--sheet` names another; empty rows are skipped and `source_line`
is the worksheet row. A workbook that cannot be opened or read is refused.

Cells are read by calamine (`xlsx_cells`, in Rust) once a scan of the sheet's XML
(`xlsx_parts`) has shown that the rectangle calamine builds stays within `RECTANGLE` cells;
its values are turned into the ones openpyxl gives. A 10 MB export of 210,000 tickets (7
columns, shared strings, date cells) is read in 3.2 s, `cskpi report` on it takes 8.5 s and
peaks at 0.37 GB, where openpyxl's reader took 20 s and the report 26.5 s (2 cores, load ~1).
A workbook the scan cannot vouch for (a cell written in an unusual way, a sheet too wide or
too long for memory, a part calamine refuses) is read by openpyxl, a row at a time, as
before.
"""

from __future__ import annotations

import zipfile
import zlib
from typing import TYPE_CHECKING, Any, BinaryIO
from xml.etree.ElementTree import ParseError

from cskpi.errors import InputError
from cskpi.load.readers.frames import column_names, drop_unnamed, prune
from cskpi.load.readers.model import Options, Part
from cskpi.load.readers.source import Source
from cskpi.load.readers.xlsx_cells import as_openpyxl, read_cells
from cskpi.load.readers.xlsx_parts import Scan, blank_strings, bounds, letters, sheets
from cskpi.load.readers.xlsx_parts import scan as xml_scan

if TYPE_CHECKING:
    import numpy as np

_XLSX_ERRORS = (zipfile.BadZipFile, KeyError, OSError, EOFError, zlib.error, ParseError, ValueError)


MAX_CELLS = 20_000_000
"""Cells (empty ones inside a row included) a sheet may hold: one cell in the last column
(XFD) makes openpyxl give 16,384 values for its row, so a 15 KB file could take minutes
(issue 19 item 8). Twenty million is a million rows of twenty columns. A row counts from
column A to its last cell (with calamine, its last cell holding a value)."""
RECTANGLE = 10_000_000
"""Cells a sheet may span, from its first to its last row and column holding a value, for
calamine to read it: calamine holds 32 bytes a cell and the lists it hands over 8 more, so a
sheet at the limit peaks near 0.5 GiB before its values. A larger one is read by openpyxl."""
MAX_XML = 512 * 2**20
XML_RATIO = 30
"""The workbook's parts may declare at most `MAX_XML` bytes in all, and at most `XML_RATIO`
times the file's size beyond 64 MiB (exports compress about 10 times): checked on the zip's
directory before anything is decompressed; zipfile stops each part at its declared size."""


def _check_declared(name: str, handle: str | BinaryIO) -> None:
    """Refuse a workbook whose zip parts declare more XML than it can plausibly hold, from
    the zip's directory alone. A file that is no zip is left to openpyxl to refuse."""
    try:
        with zipfile.ZipFile(handle) as book:
            infos = book.infolist()
            size = sum(i.compress_size for i in infos)
            declared = sum(i.file_size for i in infos)
            limit = min(MAX_XML, max(64 * 2**20, XML_RATIO * size))
            if declared > limit:
                raise InputError(
                    f"{name}: its parts declare {declared / 2**20:,.0f} MiB of XML, more than "
                    f"{limit / 2**20:,.0f} MiB ({XML_RATIO} times the file's size at most); "
                    "not read (open it in Excel and save the sheet as CSV if it is an export)"
                )
    except (*_XLSX_ERRORS, RuntimeError, NotImplementedError):
        return  # openpyxl says what is wrong with it
    finally:
        if not isinstance(handle, str):
            handle.seek(0)


def _check_dimension(name: str, title: str, used: tuple[Any, Any, Any, Any]) -> None:
    """Refuse a sheet whose stored used range (`<dimension ref="A1:XFD1048576">`, bounds as
    openpyxl reads them: min column, min row, max column, max row) spans more than
    `MAX_CELLS`, before reading it (the range is only a claim: reading counts too)."""
    if all(isinstance(b, int) for b in used):
        min_col, min_row, max_col, max_row = used
        cells = (max_row - min_row + 1) * (max_col - min_col + 1)
        if cells > MAX_CELLS:
            span = f"{letters(min_col)}{min_row}:{letters(max_col)}{max_row}"
            raise InputError(_too_many(name, title, f"declares {cells:,} cells ({span})"))


def _too_many(name: str, sheet: str, what: str) -> str:
    return (
        f"{name}: sheet '{sheet}' {what}, more than the {MAX_CELLS:,} cskpi reads "
        "from a workbook; save the sheet as CSV"
    )


def _no_sheet(name: str, sheet: str, names: list[str]) -> InputError:
    return InputError(f"{name}: no sheet named '{sheet}'; sheets: {', '.join(names)}")


def _empty(name: str, title: str, names: list[str]) -> InputError:
    others = [n for n in names if n != title]
    hint = f"; other sheets: {', '.join(others)} (choose one with --sheet)" if others else ""
    return InputError(f"{name}: sheet '{title}' is empty{hint}")


def read_xlsx(src: Source, opts: Options) -> Part:
    handle = src.handle()
    _check_declared(src.name, handle)
    plan = _plan(src.name, handle, opts.sheet)
    if plan is not None:
        title, names, scan = plan
        try:
            cells = read_cells(handle, title)
        except BaseException as exc:
            if not _calamine_failed(exc):
                raise
        else:
            return _from_cells(src.name, opts, cells, title, names, scan)
        finally:
            if not isinstance(handle, str):
                handle.seek(0)
    return _read_openpyxl(src, opts, handle)


def _plan(
    name: str, handle: str | BinaryIO, sheet: str | None
) -> tuple[str, list[str], Scan] | None:
    """(sheet, every sheet's name, its scan) for calamine to read, or None for openpyxl: a
    workbook whose parts or cells are unusual, or whose sheet spans more than `RECTANGLE`.
    Refuses a `--sheet` the workbook lacks and a declared used range over `MAX_CELLS`."""
    try:
        with zipfile.ZipFile(handle) as book:
            found = sheets(book)
            if found is None:
                return None
            if sheet is not None and sheet not in found.names:
                raise _no_sheet(name, sheet, found.names)
            title = sheet if sheet is not None else found.first()
            path = None if title is None else found.worksheet(title)
            scan = None if path is None else xml_scan(book, path)
            if title is None or scan is None or blank_strings(book, found.strings):
                return None
    except (*_XLSX_ERRORS, RuntimeError, NotImplementedError):
        return None  # openpyxl says what is wrong with it
    finally:
        if not isinstance(handle, str):
            handle.seek(0)
    if scan.dimension is not None:
        declared = bounds(scan.dimension)
        if declared is None:
            return None
        _check_dimension(name, title, declared)
    if scan.rows * scan.columns > RECTANGLE:
        return None
    return title, found.names, scan


def _calamine_failed(exc: BaseException) -> bool:
    """calamine's own errors, and a panic in its Rust code (pyo3's `PanicException`, which
    is no `Exception`): the workbook goes to openpyxl."""
    from python_calamine import CalamineError

    return isinstance(exc, (CalamineError, *_XLSX_ERRORS)) or type(exc).__name__ == "PanicException"


def _from_cells(
    name: str,
    opts: Options,
    cells: tuple[np.ndarray, int, int],
    title: str,
    names: list[str],
    scan: Scan,
) -> Part:
    """The frame of calamine's cells: the first row holding a value is the header."""
    import numpy as np
    import pandas as pd

    values, top, left = cells
    height, width = values.shape
    for row, column, value in scan.cells:  # openpyxl's values where calamine's differ
        if 0 <= row - 1 - top < height and 0 <= column - 1 - left < width:
            values[row - 1 - top, column - 1 - left] = "" if value is None else value
    if not values.size:
        raise _empty(name, title, names)
    filled = values != ""
    held = filled.any(axis=1)
    # openpyxl's count: a row holds the cells from column A to its last one
    ends = left + width - np.argmax(filled[:, ::-1], axis=1)
    if int(ends[held].sum()) > MAX_CELLS:
        raise InputError(
            _too_many(name, title, "holds more cells (the empty ones inside its rows count)")
        )
    kept = np.flatnonzero(held)
    if not len(kept):
        raise _empty(name, title, names)
    header = [None] * left + as_openpyxl(values[kept[0]].copy()).tolist()
    rows = kept[1:]
    labels, unnamed, warnings = column_names(name, header)
    columns = {}
    for i in prune(labels, opts.columns):
        column = values[rows, i - left] if i >= left else np.full(len(rows), None, dtype=object)
        columns[labels[i]] = pd.Series(as_openpyxl(column), dtype=object, copy=False)
    frame = pd.DataFrame(columns, index=range(len(rows)))
    lines: np.ndarray = rows + top + 1  # worksheet rows
    return Part(drop_unnamed(frame, unnamed), lines, sheet=title, warnings=warnings)


def _read_openpyxl(src: Source, opts: Options, handle: str | BinaryIO) -> Part:
    import openpyxl
    import pandas as pd
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
    except (*_XLSX_ERRORS, InvalidFileException) as exc:
        raise InputError(f"{src.name}: not a readable .xlsx workbook ({exc})") from exc
    try:
        if opts.sheet is not None and opts.sheet not in book.sheetnames:
            raise _no_sheet(src.name, opts.sheet, book.sheetnames)
        sheet = book[opts.sheet] if opts.sheet is not None else book.worksheets[0]
        bounds = (sheet.min_column, sheet.min_row, sheet.max_column, sheet.max_row)
        _check_dimension(src.name, sheet.title, bounds)
        sheet.reset_dimensions()  # the stored used range is often wrong; read every cell
        header: list[Any] | None = None
        rows: list[tuple[Any, ...]] = []
        lines: list[int] = []
        cells = 0
        for number, row in enumerate(sheet.iter_rows(min_row=1, values_only=True), 1):
            cells += len(row)  # empty cells included: openpyxl fills the gaps
            if cells > MAX_CELLS:
                raise InputError(
                    _too_many(
                        src.name,
                        sheet.title,
                        "holds more cells (the empty ones inside its rows count)",
                    )
                )
            row = tuple(None if v == "" else v for v in row)
            if all(v is None for v in row):
                continue
            if header is None:
                header = list(row)
            else:
                rows.append(row)
                lines.append(number)
    except _XLSX_ERRORS as exc:
        raise InputError(f"{src.name}: not a readable .xlsx workbook ({exc})") from exc
    finally:
        book.close()
    if header is None:
        raise _empty(src.name, sheet.title, book.sheetnames)
    width = max([len(header)] + [len(r) for r in rows])
    names, unnamed, warnings = column_names(src.name, header + [None] * (width - len(header)))
    cols = list(zip(*(r + (None,) * (width - len(r)) for r in rows), strict=True)) or [()] * width
    frame = pd.DataFrame(
        {names[i]: pd.Series(cols[i], dtype=object) for i in prune(names, opts.columns)},
        index=range(len(rows)),
    )
    return Part(drop_unnamed(frame, unnamed), lines, sheet=sheet.title, warnings=warnings)
