"""A worksheet's cell values through calamine (Rust), as openpyxl gives them.

calamine parses a 10 MB export of 210,000 tickets in about 2 s where openpyxl took 20 (the
figures: `xlsx`). Its values are turned into openpyxl's, column by column with numpy, so that
the rest of cskpi sees the same cells:

- a number is a float in calamine: a whole one below 2**53 becomes an int (openpyxl makes an
  int of a number written without `.` or an exponent, so `5.0` or `1E3` in the XML, which no
  spreadsheet program writes for a whole number, stay floats there); one written with 16
  digits or more is the int of its digits, found by the scan (`xlsx_parts`);
- a date cell at midnight is a `date`: it becomes a `datetime`, as every other date cell;
- an empty cell is `""`: it becomes None, as an empty text does in the reader;
- an error cell is `""`: it becomes its text (`#N/A`), found by the scan;
- a text of spaces without `xml:space="preserve"` (openpyxl's writer makes them) is `""`: it
  becomes the spaces, found by the scan (in shared strings or rich text: openpyxl reads the
  sheet).

Still different: a date, time or duration cell whose value lies within a float's error of
half a millisecond may be a millisecond off openpyxl's (each rounds the day fraction its own
way; 3 in 3,000 random durations, never a time of whole seconds). And in cells no spreadsheet
program writes: a date-formatted negative serial is a time of day (openpyxl: a datetime
before 1900), one past 9999-12-31 a number (openpyxl: the text `#VALUE!`); text in `<t>`
without `xml:space="preserve"` loses its outer spaces (openpyxl keeps them; cskpi strips text
anyway); a number written with spaces around it stays text and one that is no number is
read as text (openpyxl refuses the workbook).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

WHOLE = 2.0**53
"""Floats below this size are whole numbers exactly: those become ints."""


def read_cells(handle: Any, title: str) -> tuple[np.ndarray, int, int]:
    """(values, first row, first column): the sheet `title`'s cells from its first to its
    last row and column holding a value, as a 2-D object array of calamine's values (`""` for
    an empty cell); the row and column are 0-based worksheet positions (A1 = 0, 0).

    Raises calamine's errors (`python_calamine.CalamineError`) as they come."""
    import numpy as np
    import python_calamine

    book = python_calamine.load_workbook(handle)
    try:
        sheet = book.get_sheet_by_name(title)
        start = sheet.start or (0, 0)
        rows = sheet.to_python(skip_empty_area=True)
        del sheet  # calamine's copy of the cells: 32 bytes a cell
    finally:
        book.close()
    width = len(rows[0]) if rows else 0
    values: np.ndarray = np.empty((len(rows), width), dtype=object)
    if rows:
        values[:] = rows
    return values, start[0], start[1]


def as_openpyxl(values: np.ndarray) -> np.ndarray:
    """`values` (1-D, calamine's) as openpyxl gives them: see the module docstring. In place."""
    import numpy as np

    if not len(values):
        return values
    kind = np.frompyfunc(type, 1, 1)(values)
    values[values == ""] = None
    floats = np.flatnonzero(np.equal(kind, float))
    if len(floats):
        numbers = values[floats].astype(np.float64)
        whole = (np.abs(numbers) < WHOLE) & (numbers == np.floor(numbers))
        values[floats[whole]] = numbers[whole].astype(np.int64).astype(object)
    dates = np.flatnonzero(np.equal(kind, dt.date))
    if len(dates):
        values[dates] = [dt.datetime(d.year, d.month, d.day) for d in values[dates]]
    return values
