"""A workbook's parts, read without its cells: the sheets in workbook order and where each
worksheet's XML lies (`sheets`), and a scan of one worksheet's XML (`scan`) that bounds the
rectangle the cell reader (`xlsx_cells`, calamine) will build, before it is built.

calamine holds a sheet as one dense rectangle, from the first to the last cell holding a
value, 32 bytes a cell: a value in A1 and one in XFD1048576 would ask for 512 GiB and abort
the process. So the scan first guesses the sheet's largest row and column from the cell
references among the first and the last 64 KiB of its `sheetData` (an export's header and
last rows), then proves the guess with one RE2 pass (pyarrow's regex kernel, no copy of the
XML) that looks for a cell written any other way than `<c r="A1" ...>` with a reference within
it. A proof that fails is no error: the caller reads that workbook with openpyxl, as before.

The same scan gives the declared used range (`<dimension ref>`) and the error cells
(`t="e"`: calamine reads `#N/A` as an empty cell, openpyxl as the text `#N/A`).
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree
from xml.sax.saxutils import unescape

WINDOW = 64 * 2**10
"""Bytes at each end of `sheetData` whose cell references give the guessed bounds (and the
declared used range, when the guess fails: Excel's is exact)."""

PATCHES = 1_000_000
"""Error cells, and integers of 16 digits or more, a sheet may hold for calamine to read it
(each is a tuple here, its value in openpyxl's form): a sheet with more goes to openpyxl."""

_PREFIX = rb"(?:[A-Za-z_][\w.-]*:)?"
_REF = re.compile(rb"<" + _PREFIX + rb'c r="([A-Z]{1,3})([1-9][0-9]{0,8})"')
_DIMENSION = re.compile(rb"<" + _PREFIX + rb'dimension\s[^>]*?\bref\s*=\s*["\']([^"\']*)["\']')
_DATA_START = re.compile(rb"<" + _PREFIX + rb"sheetData\b[^>]*?(/?)>")
_DATA_END = re.compile(rb"</" + _PREFIX + rb"sheetData\s*>")
_ERROR = b' t="e"'
_LONG = re.compile(rb"<(" + _PREFIX + rb")v>(-?[0-9]{16,})</\1v>")
_BLANK = re.compile(rb"<(" + _PREFIX + rb")is><(" + _PREFIX + rb")t>([ \t\r\n]+)</\2t></\1is>")
_BLANKS = re.compile(rb"<" + _PREFIX + rb"t>[ \t\r\n]+</")
_ODD_RE2 = "<" + _PREFIX.decode() + "(?:v>-?[0-9]{16,}<|t>[ \t\r\n]+</)"
"""A long integer, or a text of spaces without `xml:space="preserve"` (calamine: empty)."""
_RANGE = re.compile(rb"\$?([A-Za-z]{1,3})\$?([0-9]+)(?::\$?([A-Za-z]{1,3})\$?([0-9]+))?")
_CLOSE = re.compile(rb"</" + _PREFIX + rb"c\s*>")
_VALUE = re.compile(rb"<(" + _PREFIX + rb")v>([^<]*)</\1v>")
_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"


@dataclass(frozen=True)
class Sheets:
    names: list[str]
    """Every sheet whose part is in the zip, in workbook order (openpyxl's `sheetnames`)."""
    parts: dict[str, tuple[str, str]]
    """Sheet name → (relationship type, XML part)."""
    strings: str | None = None
    """The shared strings' part."""

    def first(self) -> str | None:
        """The first sheet that is no chart sheet (openpyxl's `worksheets[0]`)."""
        return next((n for n in self.names if "chartsheet" not in self.parts[n][0]), None)

    def worksheet(self, name: str) -> str | None:
        """The XML part of worksheet `name`, None for another kind of sheet."""
        kind, path = self.parts[name]
        return path if kind.endswith("/worksheet") else None


@dataclass(frozen=True)
class Scan:
    dimension: str | None
    """The used range the sheet declares (`A1:G301`), or None."""
    rows: int
    """The largest row number of a cell (0: no cell)."""
    columns: int
    """The largest column number of a cell (A = 1)."""
    cells: list[tuple[int, int, str | int | None]]
    """(row, column, value) of the cells calamine reads otherwise than openpyxl, with
    openpyxl's value: error cells (calamine: empty; openpyxl: `#N/A`) and integers of 16
    digits or more (calamine: the nearest float; openpyxl: the int)."""


def sheets(book: zipfile.ZipFile) -> Sheets | None:
    """The workbook's sheets, or None when its parts are not the usual ones."""
    names = set(book.namelist())
    workbook = _target(book, "_rels/.rels", "", "/officeDocument") or "xl/workbook.xml"
    if workbook not in names:
        return None
    rels = posixpath.join(posixpath.dirname(workbook), "_rels", posixpath.basename(workbook))
    targets = _relationships(book, rels + ".rels", posixpath.dirname(workbook))
    found: list[str] = []
    parts: dict[str, tuple[str, str]] = {}
    for sheet in ElementTree.fromstring(book.read(workbook)).iter():
        if not sheet.tag.endswith("}sheet") or sheet.get(_ID) not in targets:
            continue
        kind, path = targets[sheet.get(_ID, "")]
        name = sheet.get("name")
        if name is None or path not in names or name in parts:
            continue
        found.append(name)
        parts[name] = (kind, path)
    shared = next((p for k, p in targets.values() if k.endswith("/sharedStrings")), None)
    return Sheets(found, parts, shared)


def _target(book: zipfile.ZipFile, rels: str, base: str, kind: str) -> str | None:
    targets = _relationships(book, rels, base) or {}
    return next((path for k, path in targets.values() if k.endswith(kind)), None)


def _relationships(book: zipfile.ZipFile, rels: str, base: str) -> dict[str, tuple[str, str]]:
    """Id → (type, part) of a relationships part (targets resolved against `base`)."""
    if rels not in book.namelist():
        return {}
    out: dict[str, tuple[str, str]] = {}
    for rel in ElementTree.fromstring(book.read(rels)).iter(_RELS):
        target = rel.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.join(base, target)
        out[rel.get("Id", "")] = (rel.get("Type", ""), posixpath.normpath(path))
    return out


def scan(book: zipfile.ZipFile, path: str) -> Scan | None:
    """The worksheet at `path` scanned (see the module docstring), or None when a cell's
    reference cannot be vouched for (then openpyxl reads the workbook)."""
    xml = book.read(path)
    start = _DATA_START.search(xml)
    if start is None:
        return None
    found = _DIMENSION.search(xml, 0, start.start())
    dimension = found.group(1).decode("ascii", "replace") if found else None
    if start.group(1):  # <sheetData/>
        return Scan(dimension, 0, 0, [])
    end = _DATA_END.search(xml, start.end())
    if end is None:
        return None
    lo, hi = start.end(), end.start()
    refs = _REF.findall(xml, lo, min(hi, lo + WINDOW)) + _REF.findall(xml, max(lo, hi - WINDOW), hi)
    guess = (
        max((_column(c) for c, _ in refs), default=0),
        max((int(r) for _, r in refs), default=0),
    )
    guesses = [guess]
    declared = None if dimension is None else bounds(dimension)
    if declared is not None and guess[0] and (declared[2] > guess[0] or declared[3] > guess[1]):
        guesses.append((max(guess[0], declared[2]), max(guess[1], declared[3])))
    for columns, rows in guesses:  # the declared range may cover a row wider than both ends
        if not _found(xml, lo, hi, _strays(letters(columns), str(rows) if rows else "")):
            break
    else:
        return None
    cells = _errors(xml, lo, hi)
    if cells is not None and _found(xml, lo, hi, _ODD_RE2):
        more = _integers(xml, lo, hi, PATCHES - len(cells))
        cells = None if more is None else cells + more
        more = None if cells is None else _blanks(xml, lo, hi, PATCHES - len(cells))
        cells = None if more is None or cells is None else cells + more
    return None if cells is None else Scan(dimension, rows, columns, cells)


def blank_strings(book: zipfile.ZipFile, path: str | None) -> bool:
    """Whether the shared strings at `path` hold a text of spaces without
    `xml:space="preserve"`: calamine reads it as empty, openpyxl as it is."""
    if path is None or path not in book.namelist():
        return False
    strings = book.read(path)
    return _found(strings, 0, len(strings), "<" + _PREFIX.decode() + "t>[ \t\r\n]+</")


def _column(text: bytes) -> int:
    number = 0
    for byte in text.upper():
        number = number * 26 + byte - 64
    return number


def letters(column: int) -> str:
    """Column 28 → `AB`."""
    out = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        out = chr(65 + rest) + out
    return out


def bounds(ref: str) -> tuple[int, int, int, int] | None:
    """(first column, first row, last column, last row) of a range such as `A1:G301` or
    `B2`, as openpyxl reads it; None for any other form (openpyxl then reads it)."""
    found = _RANGE.fullmatch(ref.encode("ascii", "replace"))
    if found is None:
        return None
    col, row, last_col, last_row = found.groups()
    if last_col is None:
        last_col, last_row = col, row
    return _column(col), int(row), _column(last_col), int(last_row)


def _greater(text: str, alphabet: str) -> str:
    """A regex for the strings of `text`'s length, over `alphabet` (in order), above it."""
    ways = []
    every = f"[{alphabet[0]}-{alphabet[-1]}]"
    for i, char in enumerate(text):
        above = alphabet[alphabet.index(char) + 1 :]
        if above:
            ways.append(f"{text[:i]}[{above[0]}-{above[-1]}]" + every * (len(text) - i - 1))
    return "|".join(ways)


def _strays(letters: str, digits: str) -> str:
    """A regex that finds a cell not written `<c r="A1"` (with a reference within column
    `letters` and row `digits`) followed by attributes in double quotes."""
    c = "<" + _PREFIX.decode() + "c"
    if not letters:  # the guess found no cell: any cell is a stray
        return c + r"[\s/>]"
    width, depth = len(letters), len(digits)
    name = r"[A-Za-z_][\w.:-]*"
    ref = [
        "[^A-Z]",  # no letter first: $A$1, a1, "1"
        f"[A-Z]{{{width + 1}}}",  # more letters than the widest column
        f"[A-Z]{{1,{width}}}(?:[^A-Z0-9]|0)",  # no row, or a row with a leading zero
        f"[A-Z]{{1,{width}}}[0-9]{{{depth + 1}}}",  # more digits than the last row
        f'[A-Z]{{1,{width}}}[1-9][0-9]{{0,{depth - 1}}}[^0-9"]',  # something after the row
    ]
    if above := _greater(letters, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"):
        ref.append(f"(?:{above})")
    if above := _greater(digits, "0123456789"):
        ref.append(f"[A-Z]{{1,{width}}}(?:{above})")
    rest = [
        "[^ />]",  # another space (a tab, a line end)
        " [^A-Za-z_/>]",
        f" {name}[^\\w.:=-]",  # `a ="1"`, `a` alone
        f' {name}=[^"]',  # `a='1'`, `a= "1"`
        " r=",  # a second reference
        " ?/[^>]",
    ]
    return "|".join(
        [
            c + r"(?:[/>\t\r\n]| (?:[^r]|r[^=]|r=[^\"]))",  # no reference, or not first
            c + ' r="(?:' + "|".join(ref) + ")",
            c + f' r="[^"]*"(?: {name}="[^"<]*")*(?:' + "|".join(rest) + ")",
        ]
    )


def _found(xml: bytes, lo: int, hi: int, pattern: str) -> bool:
    """Whether `pattern` (RE2) matches in `xml[lo:hi]`, scanned where it lies."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    offsets = pa.py_buffer(np.array([lo, hi], dtype=np.int64))
    text = pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, pa.py_buffer(xml)])
    hit: Any = pc.match_substring_regex(text, pattern)
    return bool(hit[0].as_py())


def _errors(xml: bytes, lo: int, hi: int) -> list[tuple[int, int, str | int | None]] | None:
    """Each error cell's (row, column, `<v>` text or None), as openpyxl reads it; None past
    `PATCHES` of them."""
    out: list[tuple[int, int, str | int | None]] = []
    at = xml.find(_ERROR, lo, hi)
    while at >= 0:
        if len(out) >= PATCHES:
            return None
        cell = _REF.match(xml, xml.rfind(b"<", lo, at))  # None: `t="e"` in a text
        end = xml.find(b">", at, hi)
        if cell is not None and end >= 0:
            text = None
            close = _CLOSE.search(xml, end, hi) if xml[end - 1] != ord("/") else None
            value = _VALUE.search(xml, end, close.start()) if close is not None else None
            if value is not None:
                text = unescape(value.group(2).decode("utf-8", "replace")) or None
            out.append((int(cell.group(2)), _column(cell.group(1)), text))
        at = xml.find(_ERROR, at + len(_ERROR), hi)
    return out


def _cell_before(xml: bytes, lo: int, at: int) -> Any:
    """The match of the cell tag (`<c r="…"`) that a value found at `at` sits in, or None."""
    begin = xml.rfind(b'c r="', lo, at)
    return _REF.match(xml, xml.rfind(b"<", lo, begin)) if begin >= 0 else None


def _integers(
    xml: bytes, lo: int, hi: int, room: int
) -> list[tuple[int, int, str | int | None]] | None:
    """Each number cell of 16 digits or more: (row, column, the int); None when one's cell
    cannot be found (a formula holding `c r="`), or past `room` of them."""
    out: list[tuple[int, int, str | int | None]] = []
    for value in _LONG.finditer(xml, lo, hi):
        if len(out) >= room:
            return None
        cell = _cell_before(xml, lo, value.start())
        if cell is None:
            return None
        tag = xml[cell.start() : xml.find(b">", cell.end())]
        if b' t="' not in tag or b' t="n"' in tag:  # a number: no type, or `n`
            out.append((int(cell.group(2)), _column(cell.group(1)), int(value.group(2))))
    return out


def _blanks(
    xml: bytes, lo: int, hi: int, room: int
) -> list[tuple[int, int, str | int | None]] | None:
    """Each inline text of spaces without `xml:space="preserve"` (openpyxl's writer makes
    them, calamine reads them as empty): (row, column, the spaces); None past `room` of
    them, or for one in a run of rich text (`<r><t> </t></r>`: calamine drops it inside the
    text, which a value put back cannot mend)."""
    out: list[tuple[int, int, str | int | None]] = []
    for text in _BLANK.finditer(xml, lo, hi):
        if len(out) >= room:
            return None
        cell = _cell_before(xml, lo, text.start())
        if cell is None or xml.find(b">", cell.end()) + 1 != text.start():
            return None
        out.append((int(cell.group(2)), _column(cell.group(1)), text.group(3).decode("ascii")))
    if len(out) != len(_BLANKS.findall(xml, lo, hi)):
        return None
    return out
