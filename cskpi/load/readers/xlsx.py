"""Excel workbooks (.xlsx, openpyxl): one worksheet's cell values in object columns.

The first worksheet unless `--sheet` names another; empty rows are skipped and `source_line`
is the worksheet row. A workbook that cannot be opened or read is refused.
"""

from __future__ import annotations

import zipfile
import zlib
from typing import Any, BinaryIO
from xml.etree.ElementTree import ParseError

from cskpi.errors import InputError
from cskpi.load.readers.frames import column_names, drop_unnamed, prune
from cskpi.load.readers.model import Options, Part
from cskpi.load.readers.source import Source

_XLSX_ERRORS = (zipfile.BadZipFile, KeyError, OSError, EOFError, zlib.error, ParseError, ValueError)


MAX_CELLS = 20_000_000
"""Cells (empty ones inside a row included) a sheet may hold: one cell in the last column
(XFD) makes openpyxl give 16,384 values for its row, so a 15 KB file could take minutes
(issue 19 item 8). Twenty million is a million rows of twenty columns."""
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


def _check_dimension(name: str, sheet: Any) -> None:
    """Refuse a sheet whose stored used range (`<dimension ref="A1:XFD1048576">`) spans more
    than `MAX_CELLS`, before reading it (the range is only a claim: reading counts too)."""
    bounds = (sheet.min_row, sheet.min_column, sheet.max_row, sheet.max_column)
    if all(isinstance(b, int) for b in bounds):
        cells = (bounds[2] - bounds[0] + 1) * (bounds[3] - bounds[1] + 1)
        if cells > MAX_CELLS:
            raise InputError(
                _too_many(
                    name, sheet.title, f"declares {cells:,} cells ({sheet.calculate_dimension()})"
                )
            )


def _too_many(name: str, sheet: str, what: str) -> str:
    return (
        f"{name}: sheet '{sheet}' {what}, more than the {MAX_CELLS:,} cskpi reads "
        "from a workbook; save the sheet as CSV"
    )


def read_xlsx(src: Source, opts: Options) -> Part:
    import openpyxl
    import pandas as pd
    from openpyxl.utils.exceptions import InvalidFileException

    handle = src.handle()
    _check_declared(src.name, handle)
    try:
        book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
    except (*_XLSX_ERRORS, InvalidFileException) as exc:
        raise InputError(f"{src.name}: not a readable .xlsx workbook ({exc})") from exc
    try:
        if opts.sheet is not None and opts.sheet not in book.sheetnames:
            raise InputError(
                f"{src.name}: no sheet named '{opts.sheet}'; sheets: {', '.join(book.sheetnames)}"
            )
        sheet = book[opts.sheet] if opts.sheet is not None else book.worksheets[0]
        _check_dimension(src.name, sheet)
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
        others = [name for name in book.sheetnames if name != sheet.title]
        hint = f"; other sheets: {', '.join(others)} (choose one with --sheet)" if others else ""
        raise InputError(f"{src.name}: sheet '{sheet.title}' is empty{hint}")
    width = max([len(header)] + [len(r) for r in rows])
    names, unnamed, warnings = column_names(src.name, header + [None] * (width - len(header)))
    cols = list(zip(*(r + (None,) * (width - len(r)) for r in rows), strict=True)) or [()] * width
    frame = pd.DataFrame(
        {names[i]: pd.Series(cols[i], dtype=object) for i in prune(names, opts.columns)},
        index=range(len(rows)),
    )
    return Part(drop_unnamed(frame, unnamed), lines, sheet=sheet.title, warnings=warnings)
