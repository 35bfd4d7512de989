"""Workbooks read by calamine (`xlsx_cells`) after the scan of their XML (`xlsx_parts`): the
values openpyxl gave, the scan's refusals (openpyxl reads those workbooks, as before), and a
generated export through `cskpi report`."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pytest
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from cskpi.load.readers import read_inputs, xlsx, xlsx_parts
from cskpi.load.readers.model import Options, Part
from cskpi.load.readers.source import Source
from tests.test_bad_inputs import frame, make_corpus, report

OPENPYXL = xlsx._read_openpyxl
"""The openpyxl reader, kept from `no_openpyxl`."""


@pytest.fixture
def no_openpyxl(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if a workbook is read by openpyxl rather than calamine."""

    def refuse(*args: Any) -> Part:
        raise AssertionError("read by openpyxl")

    monkeypatch.setattr(xlsx, "_read_openpyxl", refuse)


def openpyxl_part(path: Path, sheet: str | None = None) -> Part:
    """The workbook as the openpyxl reader reads it (the reader before calamine)."""
    src = Source(str(path), str(path), b"PK")
    return OPENPYXL(src, Options(None, sheet, None), str(path))


def cells(part: Part) -> list[list[tuple[type, Any]]]:
    """Each row's (type, value) pairs, None for a missing cell."""
    return [[(type(v), v) for v in row] for row in part.frame.itertuples(index=False)]


# -- a generated export, end to end ----------------------------------------------------------


def export(path: Path, epoch: dt.datetime | None = None) -> Path:
    """300 tickets written by openpyxl's streaming writer, times as date cells. Ticket i
    (0-based) is created 2024-03-01 09:00 + i minutes; its first reply comes 10, 20 or 30
    minutes later (i % 3); the even ones are solved a day after creation."""
    book = openpyxl.Workbook(write_only=True)
    if epoch is not None:
        book.epoch = epoch
    sheet = book.create_sheet("Tickets")
    sheet.append(["Ticket ID", "Created At", "First Response At", "Resolved At", "Status"])
    for i in range(300):
        created = dt.datetime(2024, 3, 1, 9) + dt.timedelta(minutes=i)
        reply = created + dt.timedelta(minutes=10 * (i % 3 + 1))
        solved = created + dt.timedelta(days=1) if i % 2 == 0 else None
        sheet.append([f"T{i:04d}", created, reply, solved, "solved" if solved else "open"])
    book.save(path)
    return path


@pytest.mark.parametrize("epoch", [None, CALENDAR_MAC_1904], ids=["1900", "1904"])
def test_a_generated_export_is_read_by_calamine(
    tmp_path: Path, epoch: dt.datetime | None, no_openpyxl: None
) -> None:
    """300 tickets: FRT 600, 1,200 and 1,800 s, 100 of each, median 1,200 s; the 150 even
    tickets are solved in 86,400 s; every row used. The window runs from the first day
    (2024-03-01) through the as-of day, the latest timestamp: ticket 298's resolution,
    2024-03-01 09:00 + 298 min + 1 day = 2024-03-02 13:58."""
    result, out = report(export(tmp_path / "export.xlsx", epoch))
    assert out["data_quality"]["tickets"] == frame(300, 300)
    overall = out["overall"]
    assert overall["tickets_created"] == 300
    assert overall["frt_median"] == 1200.0
    assert overall["frt_median_n"] == 300
    assert overall["resolution_time_median"] == 86400.0
    assert overall["resolution_time_median_n"] == 150
    assert "as of 2024-03-02 13:58" in result.stderr


# -- cell values --------------------------------------------------------------------------


def typed_book(path: Path, epoch: dt.datetime | None, corner: str = "A1") -> Path:
    """One cell of each kind under a header, the table's top left at `corner`."""
    book = openpyxl.Workbook()
    if epoch is not None:
        book.epoch = epoch
    sheet = book.active
    sheet.title = "Tickets"
    top = sheet[corner]
    rows: list[list[Any]] = [
        ["id", "number", "when", "flag", "note"],
        ["T1", 5, dt.datetime(2024, 3, 1, 9, 30, 15), True, "x"],
        ["T2", 2.5, dt.datetime(2024, 3, 2), False, ""],
        [124, -3, dt.time(9, 30), None, "#N/A"],
        ["T4", 45292, dt.timedelta(hours=1, minutes=30), 1, "=1+1"],
    ]
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            cell = sheet.cell(top.row + i, top.column + j, value)
            if isinstance(value, dt.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm:ss"
            elif isinstance(value, dt.timedelta):
                cell.number_format = "[h]:mm:ss"
    sheet.cell(top.row + 4, top.column + 4).data_type = "s"  # the text "=1+1", no formula
    book.save(path)
    return path


EXPECTED = [
    [(str, "T1"), (int, 5), (dt.datetime, dt.datetime(2024, 3, 1, 9, 30, 15)), (bool, True)],
    [(str, "T2"), (float, 2.5), (dt.datetime, dt.datetime(2024, 3, 2)), (bool, False)],
    [(int, 124), (int, -3), (dt.time, dt.time(9, 30)), (type(None), None)],
    [(str, "T4"), (int, 45292), (dt.timedelta, dt.timedelta(hours=1, minutes=30)), (int, 1)],
]
NOTES = [(str, "x"), (type(None), None), (str, "#N/A"), (str, "=1+1")]
"""The note column: text, the empty text (read as missing), an error cell, text like a
formula."""


@pytest.mark.parametrize("epoch", [None, CALENDAR_MAC_1904], ids=["1900", "1904"])
@pytest.mark.parametrize("corner", ["A1", "C3"])
def test_cell_values_are_openpyxl_s(
    tmp_path: Path, epoch: dt.datetime | None, corner: str, no_openpyxl: None
) -> None:
    """Whole numbers are ints (5, -3, 45292), others floats; midnight is a datetime like
    any date cell; the error cell keeps its text; the lines are the worksheet's rows."""
    path = typed_book(tmp_path / "t.xlsx", epoch, corner)
    raw = read_inputs([str(path)])
    assert list(raw.frame.columns) == ["id", "number", "when", "flag", "note"]
    got = [[(type(v), v) for v in row] for row in raw.frame.itertuples(index=False)]
    assert [row[:4] for row in got] == EXPECTED
    assert [row[4] for row in got] == NOTES
    top = 1 if corner == "A1" else 3
    assert raw.source_line.tolist() == [top + 1, top + 2, top + 3, top + 4]


@pytest.mark.parametrize("epoch", [None, CALENDAR_MAC_1904], ids=["1900", "1904"])
def test_cell_values_match_the_openpyxl_reader(tmp_path: Path, epoch: dt.datetime | None) -> None:
    """The same workbook through both readers: the same frame, value for value and type
    for type, and the same lines."""
    path = typed_book(tmp_path / "t.xlsx", epoch, "B2")
    before = openpyxl_part(path)
    raw = read_inputs([str(path)])
    assert list(raw.frame.columns) == list(before.frame.columns)
    assert cells(Part(raw.frame, [])) == cells(before)
    assert raw.source_line.tolist() == list(before.lines)


def test_long_integers_are_exact(tmp_path: Path, no_openpyxl: None) -> None:
    """A snowflake id (19 digits) or 2**53 + 1 is no float: calamine's nearest float would
    merge ids, the scan gives the written digits (openpyxl's int). A formula's text result
    and a float stay as they are."""
    body = (
        make_corpus.inline_row(1, {"A": "id", "B": "n"})
        + '<row r="2"><c r="A2"><v>1234567890123456789</v></c><c r="B2" t="n"><v>1</v></c></row>'
        + '<row r="3"><c r="A3" s="0" t="n"><v>9007199254740993</v></c>'
        + '<c r="B3"><v>-9007199254740993</v></c></row>'
        + '<row r="4"><c r="A4" t="str"><f>"1"</f><v>1234567890123456789</v></c>'
        + '<c r="B4"><v>1.234567890123457e+18</v></c></row>'
    )
    path = tmp_path / "ids.xlsx"
    path.write_bytes(make_corpus.bare_xlsx(f"<sheetData>{body}</sheetData>"))
    raw = read_inputs([str(path)])
    assert raw.frame.to_dict("list") == {
        "id": [1234567890123456789, 9007199254740993, "1234567890123456789"],
        "n": [1, -9007199254740993, 1.234567890123457e18],
    }
    assert cells(Part(raw.frame, [])) == cells(openpyxl_part(path))


def test_texts_of_spaces_are_kept(tmp_path: Path, no_openpyxl: None) -> None:
    """openpyxl writes `"  "` as `<t>  </t>`, which calamine reads as empty: the scan puts
    the spaces back, so row 3 (spaces only) is a row, as openpyxl read it, not a gap."""
    book = openpyxl.Workbook()
    for row in [["id", "note"], ["T1", "  "], ["  ", " "], ["T3", "x"]]:
        book.active.append(row)
    path = tmp_path / "spaces.xlsx"
    book.save(path)
    assert b"<t>  </t>" in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    raw = read_inputs([str(path)])
    assert raw.frame.to_dict("list") == {"id": ["T1", "  ", "T3"], "note": ["  ", " ", "x"]}
    assert raw.source_line.tolist() == [2, 3, 4]


@pytest.mark.parametrize(
    "where",
    ["rich", "shared"],
)
def test_spaces_calamine_loses_go_to_openpyxl(tmp_path: Path, where: str) -> None:
    """A run of spaces inside rich text, or a shared string of spaces, cannot be put back
    in a cell's value: openpyxl reads those workbooks (`p q`, `  `)."""
    if where == "rich":
        cell = '<c r="B2" t="inlineStr"><is><r><t>p</t></r><r><t> </t></r><r><t>q</t></r></is></c>'
        book = make_corpus.bare_xlsx(
            "<sheetData>"
            + make_corpus.inline_row(1, {"A": "id", "B": "note"})
            + f'<row r="2"><c r="A2" t="inlineStr"><is><t>T1</t></is></c>{cell}</row>'
            + "</sheetData>"
        )
        expected = "p q"
    else:
        source = io.BytesIO()
        workbook = openpyxl.Workbook()
        for row in [["id", "note"], ["T1", "  "]]:
            workbook.active.append(row)
        workbook.save(source)
        book = _shared(source.getvalue())
        expected = "  "
    path = tmp_path / "w.xlsx"
    path.write_bytes(book)
    assert xlsx._plan(str(path), str(path), None) is None
    assert read_inputs([str(path)]).frame.to_dict("list") == {"id": ["T1"], "note": [expected]}


def _shared(data: bytes) -> bytes:
    """The workbook with its inline strings moved to a shared strings part (as Excel writes
    them), the text `<t>` without `xml:space`."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    out = io.BytesIO()
    strings: list[bytes] = []

    def shared(found: re.Match[bytes]) -> bytes:
        strings.append(found.group(2))
        return found.group(1) + b' t="s"><v>' + str(len(strings) - 1).encode() + b"</v></c>"

    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            part = src.read(name)
            if name == "xl/worksheets/sheet1.xml":
                pattern = (
                    rb'(<c r="[A-Z]+[0-9]+")[^>]*t="inlineStr"><is><t[^>]*>([^<]*)</t></is></c>'
                )
                part = re.sub(pattern, shared, part)
            elif name == "xl/_rels/workbook.xml.rels":
                part = part.replace(
                    b"</Relationships>",
                    f'<Relationship Id="rS" Type="{rel}/sharedStrings" '
                    'Target="sharedStrings.xml"/></Relationships>'.encode(),
                )
            elif name == "[Content_Types].xml":
                part = part.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
                )
            dst.writestr(name, part)
        items = b"".join(b"<si><t>" + s + b"</t></si>" for s in strings)
        dst.writestr("xl/sharedStrings.xml", f'<sst xmlns="{main}">'.encode() + items + b"</sst>")
    return out.getvalue()


def test_an_unknown_error_code_goes_to_openpyxl(tmp_path: Path) -> None:
    """calamine refuses the whole sheet for an error it does not know (`#SPILL!`, Excel
    365's): openpyxl reads it, the error's text as the value."""
    body = make_corpus.inline_row(1, {"A": "id", "B": "x"}) + (
        '<row r="2"><c r="A2" t="inlineStr"><is><t>T1</t></is></c>'
        '<c r="B2" t="e"><v>#SPILL!</v></c></row>'
    )
    path = tmp_path / "spill.xlsx"
    path.write_bytes(make_corpus.bare_xlsx(f"<sheetData>{body}</sheetData>"))
    raw = read_inputs([str(path)])
    assert raw.frame.to_dict("list") == {"id": ["T1"], "x": ["#SPILL!"]}


# -- the scan -------------------------------------------------------------------------------


def sheet_xml(tmp_path: Path, body: str, before: str = "") -> tuple[zipfile.ZipFile, str]:
    path = tmp_path / "s.xlsx"
    path.write_bytes(make_corpus.bare_xlsx(f"{before}<sheetData>{body}</sheetData>"))
    return zipfile.ZipFile(path), "xl/worksheets/sheet1.xml"


def test_the_scan_bounds_the_cells(tmp_path: Path) -> None:
    """Largest row 12 and column AB (28) among the cells; the declared range as written;
    the error cells with their text (one without a value: None)."""
    body = (
        make_corpus.inline_row(1, {"A": "id", "AB": "x"})
        + '<row r="12"><c r="B12" t="e"><v>#N/A</v></c><c r="C12" s="1" t="e"/></row>'
    )
    book, part = sheet_xml(tmp_path, body, '<dimension ref="A1:AB12"/>')
    found = xlsx_parts.scan(book, part)
    assert found == xlsx_parts.Scan("A1:AB12", 12, 28, [(12, 2, "#N/A"), (12, 3, None)])


def test_patches_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two error cells and a long integer: three values to put back, read by calamine at a
    limit of three, left to openpyxl at two (errors) or one."""
    body = make_corpus.inline_row(1, {"A": "id", "B": "x"}) + (
        '<row r="2"><c r="A2" t="e"><v>#N/A</v></c><c r="B2" t="e"><v>#REF!</v></c></row>'
        '<row r="3"><c r="A3"><v>1234567890123456789</v></c></row>'
    )
    book, part = sheet_xml(tmp_path, body)
    monkeypatch.setattr(xlsx_parts, "PATCHES", 3)
    expected = [(2, 1, "#N/A"), (2, 2, "#REF!"), (3, 1, 1234567890123456789)]
    assert xlsx_parts.scan(book, part) == xlsx_parts.Scan(None, 3, 2, expected)
    for limit in (1, 2):
        monkeypatch.setattr(xlsx_parts, "PATCHES", limit)
        assert xlsx_parts.scan(book, part) is None


def test_prefixed_tags_are_scanned(tmp_path: Path) -> None:
    body = '<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>id</x:t></x:is></x:c></x:row>'
    book, part = sheet_xml(tmp_path, body)
    assert xlsx_parts.scan(book, part) == xlsx_parts.Scan(None, 1, 1, [])


@pytest.mark.parametrize(
    "cell",
    [
        '<c r="XFD1048576"><v>1</v></c>',  # past the guess: 17 billion cells
        '<c r="C10"><v>1</v></c>',  # a column past the guess
        '<c r="A21"><v>1</v></c>',  # a row past the guess
        '<c r="A1" r="C7"><v>1</v></c>',  # calamine takes the second reference
        "<c r='A3'><v>1</v></c>",  # single quotes
        '<c r = "A3"><v>1</v></c>',  # spaces around `=`
        '<c r="a3"><v>1</v></c>',  # a lower-case column
        '<c r="$A$3"><v>1</v></c>',
        "<c><v>1</v></c>",  # no reference: placed after the previous cell
        '<c s="1" r="A3"><v>1</v></c>',  # the reference not first
        "<c r=\"A3\" t='e'><v>#N/A</v></c>",  # an error cell the search would not see
        '<c r="A03"><v>1</v></c>',
    ],
)
def test_a_cell_the_scan_cannot_vouch_for(
    tmp_path: Path, cell: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows 1-20 hold A and B, row 10 the cell; with windows of 200 bytes the guess is
    A1:B20 (from rows 1-2 and 19-20). The cell proves it wrong, or is written in a way the
    proof does not read: no scan, openpyxl reads the workbook."""
    monkeypatch.setattr(xlsx_parts, "WINDOW", 200)
    rows = [make_corpus.inline_row(n, {"A": f"T{n}", "B": "x"}) for n in range(1, 21)]
    rows[9] = f'<row r="10">{cell}</row>'
    book, part = sheet_xml(tmp_path, "".join(rows))
    assert xlsx_parts.scan(book, part) is None
    rows[9] = '<row r="10"><c r="B10"><v>1</v></c></row>'
    book, part = sheet_xml(tmp_path, "".join(rows))
    assert xlsx_parts.scan(book, part) == xlsx_parts.Scan(None, 20, 2, [])


def test_the_guess_comes_from_both_ends(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With windows of 200 bytes, a wide row in the middle is outside both: the proof finds
    it (column AA past B) and the scan gives up, unless the declared used range covers it
    (Excel's is exact): then the guess is that range, AA (27) by 20."""
    monkeypatch.setattr(xlsx_parts, "WINDOW", 200)
    rows = [make_corpus.inline_row(n, {"A": f"T{n}", "B": "x"}) for n in range(1, 21)]
    rows[10] = make_corpus.inline_row(11, {"A": "T11", "AA": "wide"})
    book, part = sheet_xml(tmp_path, "".join(rows))
    assert xlsx_parts.scan(book, part) is None
    book, part = sheet_xml(tmp_path, "".join(rows), '<dimension ref="A1:AA20"/>')
    assert xlsx_parts.scan(book, part) == xlsx_parts.Scan("A1:AA20", 20, 27, [])
    book, part = sheet_xml(tmp_path, "".join(rows), '<dimension ref="A1:Z20"/>')
    assert xlsx_parts.scan(book, part) is None  # a range that is wrong proves nothing
    rows[10] = make_corpus.inline_row(11, {"A": "T11", "B": "narrow"})
    book, part = sheet_xml(tmp_path, "".join(rows))
    assert xlsx_parts.scan(book, part) == xlsx_parts.Scan(None, 20, 2, [])


def test_a_sheet_far_from_a1_is_left_to_openpyxl(tmp_path: Path) -> None:
    """A1 and XFD1048576 (both in the guessed bounds): 17 billion cells for calamine, more
    than `RECTANGLE`; openpyxl reads the two rows."""
    body = make_corpus.inline_row(1, {"A": "id", "B": "x"}) + make_corpus.inline_row(
        1048576, {"A": "T1", "XFD": "far"}
    )
    path = tmp_path / "far.xlsx"
    path.write_bytes(make_corpus.bare_xlsx(f"<sheetData>{body}</sheetData>"))
    with zipfile.ZipFile(path) as book:
        assert xlsx_parts.scan(book, "xl/worksheets/sheet1.xml") == xlsx_parts.Scan(
            None, 1048576, 16384, []
        )
    assert xlsx._plan(str(path), str(path), None) is None


def test_rectangle_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The typed book spans A1:E5, 25 cells: calamine's at 25, openpyxl's at 24."""
    path = str(typed_book(tmp_path / "t.xlsx", None))
    monkeypatch.setattr(xlsx, "RECTANGLE", 25)
    assert xlsx._plan(path, path, None) is not None
    monkeypatch.setattr(xlsx, "RECTANGLE", 24)
    assert xlsx._plan(path, path, None) is None


def test_a_chart_sheet_first_is_skipped(tmp_path: Path, no_openpyxl: None) -> None:
    """The first sheet that is no chart sheet is read (openpyxl's `worksheets[0]`)."""
    book = openpyxl.Workbook()
    chart = book.create_chartsheet("Chart", 0)
    assert chart is book.chartsheets[0]
    book["Sheet"].append(["id"])
    book["Sheet"].append(["T1"])
    path = tmp_path / "c.xlsx"
    book.save(path)
    raw = read_inputs([str(path)])
    assert raw.frame.to_dict("list") == {"id": ["T1"]}
    assert raw.files[0].sheet == "Sheet"


def test_values_are_converted_column_by_column() -> None:
    """calamine's `""` → None, whole floats → int (below 2**53), dates → datetimes."""
    from cskpi.load.readers.xlsx_cells import as_openpyxl

    column = np.array(
        ["", 3.0, 2.5, 2.0**53, dt.date(2024, 3, 1), dt.datetime(2024, 3, 1, 9), "a", True],
        dtype=object,
    )
    out = as_openpyxl(column).tolist()
    assert [(type(v), v) for v in out] == [
        (type(None), None),
        (int, 3),
        (float, 2.5),
        (float, 2.0**53),
        (dt.datetime, dt.datetime(2024, 3, 1)),
        (dt.datetime, dt.datetime(2024, 3, 1, 9)),
        (str, "a"),
        (bool, True),
    ]
    assert pd.Series(out, dtype=object).dtype == object
