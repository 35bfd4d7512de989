"""Excel workbooks (.xlsx, openpyxl): one worksheet's cell values in object columns.

The first worksheet unless `--sheet` names another; empty rows are skipped and `source_line`
is the worksheet row. A workbook that cannot be opened or read is refused.
"""

from __future__ import annotations

import zipfile
import zlib
from typing import Any
from xml.etree.ElementTree import ParseError

from cskpi.errors import InputError
from cskpi.load.readers.frames import column_names, drop_unnamed, prune
from cskpi.load.readers.model import Options, Part
from cskpi.load.readers.source import Source

_XLSX_ERRORS = (zipfile.BadZipFile, KeyError, OSError, EOFError, zlib.error, ParseError, ValueError)


def read_xlsx(src: Source, opts: Options) -> Part:
    import openpyxl
    import pandas as pd
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(src.handle(), read_only=True, data_only=True)
    except (*_XLSX_ERRORS, InvalidFileException) as exc:
        raise InputError(f"{src.name}: not a readable .xlsx workbook ({exc})") from exc
    try:
        if opts.sheet is not None and opts.sheet not in book.sheetnames:
            raise InputError(
                f"{src.name}: no sheet named '{opts.sheet}'; sheets: {', '.join(book.sheetnames)}"
            )
        sheet = book[opts.sheet] if opts.sheet is not None else book.worksheets[0]
        sheet.reset_dimensions()  # the stored used range is often wrong; read every cell
        header: list[Any] | None = None
        rows: list[tuple[Any, ...]] = []
        lines: list[int] = []
        for number, row in enumerate(sheet.iter_rows(min_row=1, values_only=True), 1):
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
