"""Write the bad-input corpus (issue 8): broken exports in every input format.

    .venv/bin/python tests/data/bad/make_corpus.py      # rewrites the files next to this script

The output is deterministic (fixed seeds, pinned zip times), so rerunning it leaves
`git status` clean; only the Parquet and XLSX files (`LIBRARY_MADE`) change when pyarrow or
openpyxl write differently. Each file is a few hundred bytes; cases that need size (a 10 MB
field) or a file-system state (a directory, an unreadable file, a FIFO, a pipe) are made by the
tests in `tmp_path`. What each file exercises, and what the tool must say about it, is asserted
in `tests/test_bad_inputs.py`.
"""

from __future__ import annotations

import gzip
import io
import json
import random
import re
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent

GOOD_HEADER = "Ticket ID,Created At,First Response At,Resolved At,Status,Assignee,Channel\n"
GOOD_ROWS = (
    "T1,2024-03-01 09:00,2024-03-01 09:10,2024-03-01 10:00,solved,kim,email\n"
    "T2,2024-03-01 12:00,2024-03-01 12:30,2024-03-02 12:00,solved,kim,chat\n"
    "T3,2024-03-02 08:00,2024-03-02 09:00,,open,lee,email\n"
)
GOOD_CSV = GOOD_HEADER + GOOD_ROWS

TICKET_RECORDS = [
    {
        "id": "T1",
        "created_at": "2024-03-01T09:00:00Z",
        "first_response_at": "2024-03-01T09:10:00Z",
        "status": "solved",
        "assignee": "kim",
    },
    {
        "id": "T2",
        "created_at": "2024-03-01T12:00:00Z",
        "first_response_at": "2024-03-01T12:30:00Z",
        "status": "open",
        "assignee": "lee",
    },
]


def _random(n: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(n)


def _text(text: str, encoding: str = "utf-8") -> Callable[[], bytes]:
    return lambda: text.encode(encoding)


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def _parquet(rows: dict[str, list[object]]) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    sink = io.BytesIO()
    pq.write_table(pa.table(rows), sink, compression="snappy")
    return sink.getvalue()


def _xlsx(rows: list[list[object]] | None, extra_sheet: list[list[object]] | None = None) -> bytes:
    """A workbook whose first sheet holds `rows` (None: an empty sheet); zip times pinned."""
    import datetime as dt

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Tickets"
    for row in rows or []:
        sheet.append(row)
    if extra_sheet is not None:
        other = book.create_sheet("Other")
        for row in extra_sheet:
            other.append(row)
    stamp = dt.datetime(2024, 1, 1)
    book.properties.created = book.properties.modified = stamp
    raw = io.BytesIO()
    book.save(raw)
    return _pin_zip(raw.getvalue())


def _pin_zip(data: bytes) -> bytes:
    """The same zip with every entry dated 2024-01-01, so reruns give identical bytes."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            pinned = zipfile.ZipInfo(info.filename, date_time=(2024, 1, 1, 0, 0, 0))
            pinned.compress_type = zipfile.ZIP_DEFLATED
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps "modified" on save
                content = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2024-01-01T00:00:00Z", content
                )
            dst.writestr(pinned, content)
    return out.getvalue()


def _truncated_gzip() -> bytes:
    whole = _gzip((GOOD_CSV * 20).encode())
    return whole[: len(whole) // 2]


def _truncated_parquet() -> bytes:
    whole = _parquet({"ticket_id": ["T1", "T2"], "created_at": ["2024-03-01", "2024-03-02"]})
    return whole[: len(whole) // 2]


def _duplicate_columns() -> bytes:
    """Parquet allows a name twice (pandas, Spark exports): `id` is the ticket, then a user."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_arrays(
        [
            pa.array(["T1", "T2"]),
            pa.array(["2024-03-01 09:00", "2024-03-02 10:00"]),
            pa.array(["u1", "u2"]),
        ],
        names=["id", "created_at", "id"],
    )
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="snappy")
    return sink.getvalue()


def _mixed_encoding() -> bytes:
    utf8 = (GOOD_HEADER + "T1,2024-03-01 09:00,,,open,김민수,email\n").encode("utf-8")
    cp949 = "T2,2024-03-01 10:00,,,open,이서연,chat\n".encode("cp949")
    return utf8 + cp949 + b"T3,2024-03-01 11:00,,,open,kim,email\n"


def _nul_bytes() -> bytes:
    return GOOD_CSV.replace("kim,chat", "k\x00im,chat").encode()


CASES: dict[str, Callable[[], bytes]] = {
    # -- a file that holds nothing usable ------------------------------------------------------
    "empty.csv": _text(""),
    "empty.jsonl": _text("\n\n"),
    "header_only.csv": _text(GOOD_HEADER),
    "header_only.tsv": _text(GOOD_HEADER.replace(",", "\t")),
    # -- damaged or binary files ---------------------------------------------------------------
    "truncated.csv.gz": _truncated_gzip,
    "truncated.parquet": _truncated_parquet,
    "random_bytes.csv": lambda: _random(512, 1),
    "random_bytes.parquet": lambda: _random(512, 2),
    "random_bytes.xlsx": lambda: _random(512, 3),
    "random_bytes.json": lambda: _random(512, 4),
    "nul_bytes.csv": _nul_bytes,
    # -- the wrong format ----------------------------------------------------------------------
    "csv_content.json": _text(GOOD_CSV),
    "tickets.txt": _text(GOOD_CSV),
    "scalar.json": _text("42\n"),
    "nested_no_records.json": _text(
        json.dumps(
            {"meta": {"count": 2, "page": {"next": None}}, "tickets": {"T1": {"status": "open"}}}
        )
        + "\n"
    ),
    # -- broken lines --------------------------------------------------------------------------
    "field_counts.csv": _text(
        GOOD_HEADER
        + "T1,2024-03-01 09:00,2024-03-01 09:10,2024-03-01 10:00,solved,kim,email\n"
        + "T2,2024-03-01 12:00,2024-03-01 12:30,2024-03-02 12:00,solved,kim,chat,extra,more\n"
        + "T3,2024-03-02 08:00\n"
        + "T4,2024-03-03 10:00,2024-03-03 10:20,2024-03-03 11:00,solved,lee,email,,\n"
    ),
    "unterminated_quote.csv": _text(
        GOOD_HEADER
        + "T1,2024-03-01 09:00,2024-03-01 09:10,2024-03-01 10:00,solved,kim,email\n"
        + 'T2,2024-03-01 12:00,2024-03-01 12:30,2024-03-02 12:00,solved,"kim,chat\n'
        + "T3,2024-03-02 08:00,2024-03-02 09:00,,open,lee,email\n"
    ),
    "bad_line.jsonl": _text(
        json.dumps(TICKET_RECORDS[0])
        + "\n"
        + '{"id": "T9", "created_at": "2024-03-01T10:00:00Z", \n'
        + "[1, 2, 3]\n"
        + json.dumps(TICKET_RECORDS[1])
        + "\n"
    ),
    "cut_download.csv": _text(  # `head -c`: the file ends inside T3's reply time (DECISIONS 44)
        GOOD_HEADER
        + "T1,2024-03-01 09:00,2024-03-01 09:10,2024-03-01 10:00,solved,kim,email\n"
        + "T2,2024-03-01 12:00,2024-03-01 12:30,2024-03-02 12:00,solved,kim,chat\n"
        + "T3,2024-03-02 08:00,202"
    ),
    "mixed_encoding.csv": _mixed_encoding,
    # -- reach (DECISIONS 47; issue 19 items 1 and 11) ---------------------------------------
    "unbalanced_quote.csv": _text(  # T1's subject opens a quote, T4's closes it
        "Ticket ID,Created At,Subject,Channel\n"
        'T1,2024-03-01 09:00,"Urgent: printer down,email\n'
        "T2,2024-03-01 10:00,hi,email\n"
        "T3,2024-03-01 11:00,hi,chat\n"
        'T4,2024-03-01 12:00,box is 3 ft" tall,email\n'
    ),
    "unbalanced_quote.tsv": _text(  # the same as a TSV: read without quoting
        "Ticket ID\tCreated At\tSubject\tChannel\n"
        'T1\t2024-03-01 09:00\t"Urgent: printer down\temail\n'
        "T2\t2024-03-01 10:00\thi\temail\n"
        "T3\t2024-03-01 11:00\thi\tchat\n"
        'T4\t2024-03-01 12:00\tbox is 3 ft" tall\temail\n'
    ),
    "stray_byte.csv": lambda: (
        "Ticket ID,Created At,Assignee\nT1,2024-03-01 09:00,Zoë\n".encode()
        + b"T2,2024-03-01 10:00,kim\xff\nT3,2024-03-01 11:00,kim\n"
    ),
    "semicolon_cp1252.csv": _text(  # European Excel: `;`, decimal commas, CP1252
        "Ticket ID;Created At;Reply time (minutes);Assignee\n"
        "T1;2024-03-01 09:00;12,5;Renée\n"
        "T2;2024-03-01 10:00;7,5;Jürgen\n",
        "cp1252",
    ),
    "duplicate_headers.csv": _text(
        "Ticket ID,Created At,Assignee,Assignee,Created At\n"
        "T1,2024-03-01 09:00,kim,lee,2023-01-01 00:00\n"
        "T2,2024-03-01 12:00,lee,kim,2023-01-01 00:00\n"
    ),
    # -- line endings and byte-order marks that must just work --------------------------------
    "crlf.tsv": _text(GOOD_CSV.replace(",", "\t").replace("\n", "\r\n")),
    "bom_crlf.csv": lambda: b"\xef\xbb\xbf" + GOOD_CSV.replace("\n", "\r\n").encode(),
    # -- values the tool cannot use ------------------------------------------------------------
    "null_created_at.csv": _text(
        "Ticket ID,Created At,Status,Assignee\nT1,,open,kim\nT2,,open,lee\nT3,  ,solved,kim\n"
    ),
    "empty_group_column.csv": _text(
        "Ticket ID,Created At,Region,Escalated\nT1,2024-03-01 09:00,,\nT2,2024-03-01 12:00,,\n"
    ),
    "binary_column.parquet": lambda: _parquet(
        {"ticket_id": [b"T1", b"T2", None], "created_at": [b"2024-03-01 09:00", b"\xff\xfe", None]}
    ),
    "duplicate_columns.parquet": _duplicate_columns,
    "null_created_at.parquet": lambda: _parquet(
        {"ticket_id": ["T1", "T2"], "created_at": [None, None], "status": ["open", "open"]}
    ),
    "bad_timestamps.csv": _text(
        GOOD_HEADER
        + "T1,2024-03-01 09:00,2024-03-01 09:10,2024-03-01 10:00,solved,kim,email\n"
        + "T2,10000-01-01 00:00,,,open,kim,email\n"
        + "T3,2024-13-45 10:00,,,open,lee,email\n"
        + "T4,not a date,,,open,lee,chat\n"
        + "T5,2024-03-02 08:00,2024-13-45 09:00,yesterday,solved,lee,email\n"
    ),
    "extreme_years.csv": _text(
        GOOD_HEADER
        + "T1,2024-03-01 09:00,2024-03-01 09:10,2024-03-01 10:00,solved,kim,email\n"
        + "T2,0001-01-01 00:00,,,open,kim,email\n"
        + "T3,9999-12-31 23:00,,,open,lee,email\n"
        + "T4,2024-03-02 08:00,9999-12-31 23:59,0001-01-01 00:00,solved,lee,email\n"
    ),
    "sentinel_dates.csv": _text(  # "never", a typo'd year, Excel's day 0 (DECISIONS 40)
        GOOD_HEADER
        + "T1,2024-03-01 09:00,2024-03-01 09:10,2024-03-01 10:00,solved,kim,email\n"
        + "T2,2024-03-01 12:00,2024-03-01 12:30,9999-12-31,solved,kim,chat\n"
        + "T3,2024-03-02 08:00,2204-03-02 09:00,,open,lee,email\n"
        + "T4,1899-12-30,,,open,lee,email\n"
    ),
    "bad_timestamps.json": _text(
        json.dumps(
            {
                "tickets": [
                    {
                        "id": "T1",
                        "created_at": "2024-03-01T09:00:00Z",
                        "solved_at": "2024-03-01T10:00:00Z",
                    },
                    {"id": "T2", "created_at": "2024-13-45T10:00:00Z", "solved_at": None},
                    {"id": "T3", "created_at": 12345678901234567890, "solved_at": None},
                    {
                        "id": "T4",
                        "created_at": "2024-03-02T08:00:00Z",
                        "solved_at": {"at": "never"},
                    },
                ]
            },
            indent=1,
        )
        + "\n"
    ),
    "before_creation.csv": _text(
        GOOD_HEADER
        + "T1,2024-03-01 09:00,2024-03-01 08:50,2024-03-01 10:00,solved,kim,email\n"
        + "T2,2024-03-01 12:00,2024-03-01 12:30,2024-03-01 11:00,solved,kim,chat\n"
        + "T3,2024-03-02 08:00,2024-03-01 09:00,2024-03-01 09:30,solved,lee,email\n"
        + "T4,2024-03-03 10:00,2024-03-03 10:20,2024-03-03 11:00,solved,lee,email\n"
    ),
    "bad_durations.csv": _text(
        "Ticket ID,Created At,Assignee,First Reply Time (minutes),Resolution Time (seconds)\n"
        "T1,2024-03-01 09:00,kim,10,3600\n"
        "T2,2024-03-01 12:00,kim,-5,7200\n"
        "T3,2024-03-02 08:00,lee,15,1e20\n"
        "T4,2024-03-03 10:00,lee,soon,-1\n"
        "T5,2024-03-04 10:00,lee,inf,nan\n"
    ),
    "bad_durations.tsv": _text(
        "Ticket ID\tCreated At\tStatus\tHandle Time (s)\tFirst Response Time\n"
        "T1\t2024-03-01 09:00\tsolved\t120\t00:10:00\n"
        "T2\t2024-03-01 12:00\tsolved\t-30\t-00:10:00\n"
        "T3\t2024-03-02 08:00\tsolved\t1e300\t99999999:00:00\n"
    ),
    # -- durations named with a unit, never timestamps (issue 19 item 2) ------------------------
    "frt_seconds.csv": _text(
        "ticket_id,created_at,first_response_seconds\n"
        "T1,2024-03-01 09:00,600\nT2,2024-03-01 10:00,1200\nT3,2024-03-01 11:00,300\n"
    ),
    "frt_seconds_words.csv": _text(
        "Ticket ID,Created At,First Response (seconds)\n"
        "T1,2024-03-01 09:00,600\nT2,2024-03-01 10:00,1200\nT3,2024-03-01 11:00,300\n"
    ),
    "frt_minutes.csv": _text(
        "ticket_id,created_at,first_response_minutes\n"
        "T1,2024-03-01 09:00,10\nT2,2024-03-01 10:00,20\nT3,2024-03-01 11:00,5\n"
    ),
    "frt_hours.tsv": _text(
        "Ticket ID\tCreated At\tFirst response (hrs)\n"
        "T1\t2024-03-01 09:00\t0.25\nT2\t2024-03-01 10:00\t0.5\nT3\t2024-03-01 11:00\t0.1\n"
    ),
    # -- one export in several files whose headers are spelled differently (item 5) ------------
    "split_first.csv": _text(
        "Ticket ID,Created At,First Response At,Assignee\n"
        "T1,2024-03-01 09:00,2024-03-01 09:10,kim\n"
        "T2,2024-03-01 12:00,2024-03-01 12:30,lee\n"
        "T3,2024-03-02 08:00,,kim\n"
    ),
    "split_second.csv": _text(
        "id,created,first_reply_at,agent\n"
        "T4,2024-03-02 09:00,2024-03-02 09:20,lee\n"
        "T5,2024-03-02 10:00,2024-03-02 11:00,kim\n"
    ),
    # -- surveys -------------------------------------------------------------------------------
    "good_tickets.csv": _text(GOOD_CSV),
    "surveys_out_of_scale.csv": _text(
        "Response ID,Ticket ID,Submitted At,Survey,Score\n"
        "R1,T1,2024-03-01 11:00,csat,5\n"
        "R2,T2,2024-03-02 13:00,csat,9\n"
        "R3,T1,2024-03-01 11:05,nps,11\n"
        "R4,T2,2024-03-02 13:05,nps,-1\n"
        "R5,T3,2024-03-02 13:10,csat,-1\n"
        "R6,T3,2024-03-02 13:15,nps,10\n"
    ),
    "surveys_unknown_ticket.jsonl": _text(
        "".join(
            json.dumps(r) + "\n"
            for r in [
                {
                    "response_id": "R1",
                    "ticket_id": "T1",
                    "submitted_at": "2024-03-01T11:00:00Z",
                    "survey": "csat",
                    "score": 5,
                },
                {
                    "response_id": "R2",
                    "ticket_id": "T404",
                    "submitted_at": "2024-03-01T12:00:00Z",
                    "survey": "csat",
                    "score": 4,
                },
                {
                    "response_id": "R3",
                    "ticket_id": "NOPE",
                    "submitted_at": "2024-03-02T12:00:00Z",
                    "survey": "csat",
                    "score": 1,
                },
            ]
        )
    ),
    # -- spreadsheets --------------------------------------------------------------------------
    "empty_sheet.xlsx": lambda: _xlsx(
        None, extra_sheet=[["Ticket ID", "Created At"], ["T1", "2024-03-01 09:00"]]
    ),
    "bad_values.xlsx": lambda: _xlsx(
        [
            ["Ticket ID", "Created At", "First Response At", "Status"],
            ["T1", "2024-03-01 09:00", "2024-03-01 09:10", "open"],
            ["T2", "2024-13-45 10:00", None, "open"],
            ["T3", "2024-03-02 08:00", "2024-03-01 08:00", "open"],
            [None, "2024-03-02 09:00", None, "open"],
            ["T5", 106751992, None, "open"],  # an Excel serial day far past 9999-12-31
        ]
    ),
}


# -- issue 19: hostile values and values that used to crash (tests/test_hostile_inputs.py) ----

ESC = "\x1b"
TITLE = ESC + "]0;pwned" + "\x07"  # set the window title
CLEAR = ESC + "[2J"  # clear the screen
CLIPBOARD = ESC + "]52;c;ZXZpbA==" + "\x07"  # write the clipboard
LINK = ESC + "]8;;https://evil.example/" + ESC + "\\here" + ESC + "]8;;" + ESC + "\\"


def _nested_parquet() -> bytes:
    """A list, a struct and a map column beside the usual ones (pyarrow writes them nested)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table(
        {
            "id": ["T1", "T2", "T3"],
            "created_at": ["2024-03-01T09:00:00Z", "2024-03-01T10:00:00Z", "2024-03-01T11:00:00Z"],
            "tags": pa.array([["vip", "refund"], ["refund"], ["vip", "refund"]]),
            "customer": pa.array([{"tier": "gold"}, {"tier": "free"}, {"tier": "gold"}]),
            "attrs": pa.array(
                [[("k", "v")], [("k", "w")], None], pa.map_(pa.string(), pa.string())
            ),
        }
    )
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="snappy")
    return sink.getvalue()


def _invalid_utf8_parquet() -> bytes:
    """A *string* column holding bytes that are not UTF-8 (pyarrow does not check on write)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    raw = pa.array([b"\xff\xfekim", b"lee", b"lee"], pa.binary())
    agents = pa.Array.from_buffers(pa.string(), len(raw), raw.buffers())
    table = pa.table(
        {
            "id": ["T1", "T2", "T3"],
            "created_at": ["2024-03-01T09:00:00Z", "2024-03-01T10:00:00Z", "2024-03-01T11:00:00Z"],
            "assignee": agents,
        }
    )
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="snappy")
    return sink.getvalue()


CASES.update(
    {
        "terminal_escapes.jsonl": _text(
            "".join(
                json.dumps(record) + "\n"
                for record in (
                    {"id": "T1", "created_at": "2024-03-01T09:00:00Z", "assignee": CLEAR + "kim"},
                    {"id": "T2", "created_at": "2024-03-01T10:00:00Z", "assignee": LINK},
                    {"id": "T3" + CLIPBOARD, "created_at": "2024-03-01T10:30:00Z"},
                    {"id": "T3" + CLIPBOARD, "created_at": "2024-03-01T10:30:00Z"},
                    {"id": "T4", "created_at": "2024-03-01 xx" + TITLE, "team" + TITLE: "a"},
                )
            )
        ),
        "markdown_injection.csv": _text(
            "Ticket ID,Created At,Assignee\n"
            "T1,2024-03-01 09:00,<img src=x onerror=alert(1)>\n"
            "T2,2024-03-01 09:10,[click](javascript:alert(1))\n"
            "T3,2024-03-01 09:20,a & b | c\\d\n"
        ),
        "nested_columns.parquet": _nested_parquet,
        "invalid_utf8.parquet": _invalid_utf8_parquet,
        "big_number.jsonl": _text(
            json.dumps(TICKET_RECORDS[0])
            + "\n"
            + '{"id": "T2", "created_at": "2024-03-01T12:00:00Z", "replies": '
            + "9" * 5000
            + "}\n"
        ),
        "lone_surrogate.json": _text(
            '[{"id": "T1", "created_at": "2024-03-01T09:00:00Z", "assignee": "kim\\ud83d"},\n'
            ' {"id": "T2", "created_at": "2024-03-01T12:00:00Z", "assignee": "\\ud83d\\ude00"}]\n'
        ),
    }
)


def bare_xlsx(sheet_xml: str) -> bytes:
    """The smallest workbook openpyxl reads: one sheet of `sheet_xml`, no styles; zip pinned."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006"
    parts = {
        "[Content_Types].xml": f'<Types xmlns="{pkg}/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
        '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": f'<Relationships xmlns="{pkg}/relationships"><Relationship Id="r1" '
        f'Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets><sheet '
        'name="Tickets" sheetId="1" r:id="r1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{pkg}/relationships">'
        f'<Relationship Id="r1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
        "</Relationships>",
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{main}">{sheet_xml}</worksheet>',
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, text in parts.items():
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(info, text)
    return out.getvalue()


def inline_row(number: int, cells: dict[str, str]) -> str:
    inner = "".join(
        f'<c r="{col}{number}" t="inlineStr"><is><t>{value}</t></is></c>'
        for col, value in cells.items()
    )
    return f'<row r="{number}">{inner}</row>'


def _wide_sheet() -> bytes:
    """Three tickets whose used range claims A1:XFD1048576 (17 billion cells): refused before
    openpyxl reads a row (issue 19 item 8)."""
    rows = [inline_row(1, {"A": "Ticket ID", "B": "Created At"})] + [
        inline_row(n, {"A": f"T{n - 1}", "B": f"2024-03-0{n - 1} 09:00"}) for n in (2, 3, 4)
    ]
    return bare_xlsx('<dimension ref="A1:XFD1048576"/><sheetData>' + "".join(rows) + "</sheetData>")


def _gzip_bomb() -> bytes:
    """1 MB of one ticket repeated, in about 3 KB: over 32 times its size (the test lowers
    the 64 MiB floor so that the corpus stays small; a real-size bomb is made in the test)."""
    line = b"T1,2024-03-01 09:00,2024-03-01 09:10,2024-03-01 10:00,solved,kim,email\n"
    return gzip.compress(GOOD_HEADER.encode() + line * 14_000, compresslevel=9, mtime=0)


def _parquet_bomb() -> bytes:
    """1,100,000 rows of one ticket in a few KB (dictionary and run-length encoded): over
    the 1,000,000-row floor and far over one row per 2 bytes."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = 1_100_000
    table = pa.table(
        {
            "id": pa.repeat(pa.scalar("T1"), rows),
            "created_at": pa.repeat(pa.scalar("2024-03-01T09:00:00Z"), rows),
        }
    )
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd", row_group_size=rows)
    return sink.getvalue()


def _many_keys() -> bytes:
    """300 tickets, each with a key of its own: 302 columns, of which validate reads 200."""
    lines = (
        json.dumps({"id": f"T{i}", "created_at": "2024-03-01", f"k{i}": 1}, separators=(",", ":"))
        for i in range(300)
    )
    return gzip.compress(("\n".join(lines) + "\n").encode(), compresslevel=9, mtime=0)


CASES.update(
    {
        "wide_sheet.xlsx": _wide_sheet,
        "gzip_bomb.csv.gz": _gzip_bomb,
        "many_keys.jsonl.gz": _many_keys,
        "excel_serials.csv": _text(  # Excel dates saved as numbers in a CSV (issue 19 item 9)
            "Ticket ID,Created At,First Response At,Resolved At\n"
            "T1,45292.375,45292.390625,45293.375\n"
            "T2,45292.5,45292.53125,\n"
            "T3,45293.25,45293.2578125,\n"
        ),
        "serials_and_epochs.csv": _text(  # the same instant as a serial and as Unix seconds
            "Ticket ID,Created At\nT1,45292.375\nT2,1704099600\n"
        ),
        "rows_bomb.parquet": _parquet_bomb,
        "wide_header.csv.gz": lambda: _gzip(  # 16,385 columns: one more than Excel's limit
            ("Ticket ID,Created At" + "," * 16_383 + "\nT1,2024-03-01\n").encode()
        ),
        "repeated_header.csv": _text(  # 500 columns named x: renamed in linear time
            "Ticket ID,Created At" + ",x" * 500 + "\nT1,2024-03-01 09:00" + ",1" * 500 + "\n"
        ),
    }
)


LIBRARY_MADE = frozenset(
    name for name in CASES if name.endswith((".parquet", ".xlsx")) and "random" not in name
)
"""Files whose bytes depend on the pyarrow / openpyxl version that wrote them."""


def write(directory: Path = HERE) -> list[Path]:
    """Write every case into `directory`; returns the paths written."""
    written = []
    for name, make in CASES.items():
        path = directory / name
        path.write_bytes(make())
        written.append(path)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    paths = write(target)
    total = sum(p.stat().st_size for p in paths)
    print(f"wrote {len(paths)} files, {total} bytes, to {target}")
