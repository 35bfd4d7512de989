"""Fuzzing the command line (issue 8): random exports × random options never crash it.

Hypothesis writes CSV, TSV, JSON and JSON Lines files whose headers are drawn from the real
column names and aliases (in any case and spelling) plus junk, and whose cells mix timestamps
in many formats, numbers, durations, labels, empty cells and odd Unicode; then it runs
`cskpi report` with a random combination of options. Whatever comes in:

- no traceback, and the exit code is 0, 2, 3 or 4 (1 would be a bug: "internal error");
- a failing run says why on stderr and writes nothing to stdout;
- a successful run's stdout parses in the requested format (csv, tsv, json, jsonl, markdown),
  and in JSON `read = used + out_of_window + Σ dropped` for both frames (DECISIONS 32).

The default run is bounded (`CSKPI_FUZZ_EXAMPLES`, default 30 per test); `make fuzz` runs
thousands. A failure prints the generated file and arguments; rerun it with the same seed.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cskpi.cli import app
from cskpi.kpis import all_kpis
from cskpi.load.readers import csv_lines, csv_small
from cskpi.load.schema import SURVEY_COLUMNS, TICKET_COLUMNS

EXAMPLES = int(os.environ.get("CSKPI_FUZZ_EXAMPLES", "30"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
runner = CliRunner()

KPI_IDS = sorted(all_kpis())
FORMATS = ("csv", "tsv", "json", "jsonl", "markdown")
EXIT_CODES = {0, 2, 3, 4}

# -- exports -----------------------------------------------------------------------------------


def _names(columns: Any) -> dict[str, str]:
    """Every canonical name and alias → the column's kind (time, duration, label, ...)."""
    return {name: col.kind for col in columns for name in (col.name, *col.aliases)}


NAMES = {"tickets": _names(TICKET_COLUMNS), "surveys": _names(SURVEY_COLUMNS)}

DATE_FORMATS = (
    "%Y-%m-%dT%H:%M:%SZ",
    "%Y-%m-%dT%H:%M:%S+09:00",
    "%Y-%m-%dT%H:%M:%S.%f-05:30",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d",
    "%d/%m/%Y %H:%M",
    "%m/%d/%Y",
    "%d.%m.%Y %H:%M",
    "%Y-%m-%d %H:%M:%S UTC",
    "%a, %d %b %Y %H:%M:%S +0000",
    "%Y%m%dT%H%M%S",
)
BROKEN_DATES = (
    "2024-13-45",
    "2024-02-30 10:00",
    "10000-01-01",
    "0000-00-00",
    "yesterday",
    "24:00",
    "2024-03-01T25:61:00Z",
    "1e20",
    "-1",
    "NaT",
    "null",
    "2024-03-10 02:30",
)


@st.composite
def dates(draw: st.DrawFn) -> str:
    moment = draw(st.datetimes(min_value=datetime(1998, 1, 1), max_value=datetime(2032, 12, 31)))
    style = draw(st.integers(0, len(DATE_FORMATS) + 2))
    seconds = int((moment - datetime(1970, 1, 1)).total_seconds())
    if style < len(DATE_FORMATS):
        return moment.strftime(DATE_FORMATS[style])
    if style == len(DATE_FORMATS):
        return str(seconds)  # Unix epoch seconds
    if style == len(DATE_FORMATS) + 1:
        return str(seconds * 1000)  # milliseconds
    return draw(st.sampled_from(BROKEN_DATES))


NUMBERS = st.one_of(
    st.integers(-(10**6), 10**6).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(
        [
            "0",
            "1",
            "2",
            "-5",
            "1.5",
            "1e20",
            "-1e300",
            "nan",
            "inf",
            "-0",
            "1,000",
            "00123",
            "0x1F",
            "5 ",
            " 3",
        ]
    ),
)
DURATIONS = st.one_of(
    NUMBERS,
    st.builds(
        lambda h, m, s: f"{h:02d}:{m:02d}:{s:02d}",
        st.integers(-2, 99999),
        st.integers(0, 59),
        st.integers(0, 59),
    ),
    st.sampled_from(
        [
            "1 day 3 hours",
            "2 hours 5 minutes",
            "--",
            "-",
            "45 minutes",
            "3h",
            "soon",
            "n/a",
            "1 fortnight",
            "5 days ago",
        ]
    ),
)
LABELS = st.sampled_from(
    [
        "kim",
        "lee",
        "Kim ",
        "",
        "(none)",
        "(unassigned)",
        "email",
        "Chat",
        "PHONE",
        "solved",
        "open",
        "pending",
        "closed",
        "merged",
        "spam",
        "deleted",
        "urgent",
        "Low",
        "p1",
        "=cmd|' /C calc'!A0",
        "a,b",
        'quo"te',
        "multi\nline",
        "日本語",
        "고객지원",
        "😀",
        "  ",
        "true",
        "false",
        "yes",
        "0",
        "1",
        "\u200b",
        "tab\there",
    ]
)
SCORES = st.one_of(
    st.integers(-2, 12).map(str),
    st.sampled_from(["good", "bad", "Satisfied", "😀", "5/5", "", "9.5", "NaN"]),
)
JUNK = st.text(max_size=12)
BY_KIND = {
    "time": st.one_of(dates(), dates(), dates(), JUNK),
    "duration": DURATIONS,
    "int": NUMBERS,
    "bool": LABELS,
    "float": SCORES,
    "label": LABELS,
    "id": st.one_of(st.sampled_from(["T1", "T2", "T3", "000123", "", "T1 "]), JUNK),
    "text": st.one_of(LABELS, JUNK),
}


def _spell(name: str, how: int) -> str:
    """A header as exports write it: `created_at`, `Created At`, `CREATED-AT`, ..."""
    words = name.split("_")
    return (
        name,
        " ".join(w.title() for w in words),
        "-".join(words).upper(),
        "".join(w.title() for w in words),
        name.replace("_", " "),
    )[how]


@st.composite
def exports(draw: st.DrawFn, frame: str, required: tuple[str, ...]) -> list[dict]:
    """Records (header → cell text or None) with real and junk headers."""
    names = NAMES[frame]
    columns: list[tuple[str, str]] = []
    for canonical in required:  # usually present, so the run gets past the mapping
        if draw(st.integers(0, 9)):
            columns.append((canonical, names[canonical]))
    extra = draw(st.lists(st.sampled_from(sorted(names)), max_size=6, unique=True))
    columns += [(n, names[n]) for n in extra]
    columns += [(j, "label") for j in draw(st.lists(JUNK, max_size=2))]
    spelled = [(_spell(n, draw(st.integers(0, 4))) if n in names else n, k) for n, k in columns]
    rows = draw(st.integers(0, 12))
    records = []
    for _ in range(rows):
        record: dict[str, Any] = {}
        for header, kind in spelled:
            cell = draw(st.one_of(BY_KIND[kind], BY_KIND[kind], BY_KIND[kind], st.none(), JUNK))
            record[header] = cell
        records.append(record)
    if not records:
        records.append({header: None for header, _ in spelled})
    return records


def _write(
    records: list[dict], fmt: str, path: Path, crlf: bool, bom: bool, broken: str | None
) -> None:
    header = list(dict.fromkeys(k for r in records for k in r))
    if fmt in ("csv", "tsv"):
        buffer = io.StringIO()
        writer = csv.writer(
            buffer, delimiter="," if fmt == "csv" else "\t", lineterminator="\r\n" if crlf else "\n"
        )
        writer.writerow(header)
        for record in records:
            writer.writerow(["" if record.get(h) is None else record[h] for h in header])
        text = buffer.getvalue()
    elif fmt == "json":
        text = json.dumps({"tickets": records} if crlf else records, ensure_ascii=bom)
    else:
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    if broken is not None:  # a line the format cannot parse, in the middle
        lines = text.split("\n")
        lines.insert(len(lines) // 2 + 1, broken)
        text = "\n".join(lines)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8", "surrogatepass"))


# -- options -----------------------------------------------------------------------------------

WINDOWS = st.one_of(
    st.just([]),
    st.tuples(dates(), dates()).map(lambda d: ["--since", d[0], "--until", d[1]]),
    st.tuples(st.sampled_from(["2024-01-01", "2023-06-15T12:00", "2024-02-30", "soon"])).map(
        lambda d: ["--since", d[0]]
    ),
    st.sampled_from(["7d", "4w", "3mo", "1y", "2m", "0d", "-1d", "x", "100000y"]).map(
        lambda n: ["--last", n]
    ),
    st.sampled_from(["2024-03", "2024-13", "1999-12"]).map(lambda m: ["--month", m]),
    st.sampled_from(["2024Q1", "2024Q5"]).map(lambda q: ["--quarter", q]),
    st.sampled_from(["2024", "0", "99999"]).map(lambda y: ["--year", y]),
)


@st.composite
def options(draw: st.DrawFn, headers: list[str]) -> list[str]:
    args: list[str] = []
    kpis = draw(st.lists(st.sampled_from([*KPI_IDS, "frt_medain"]), max_size=4, unique=True))
    if kpis:
        args += (
            ["-k", ",".join(kpis)] if draw(st.booleans()) else [a for k in kpis for a in ("-k", k)]
        )
    group = [
        "agent",
        "team",
        "channel",
        "region",
        "priority",
        "topic",
        "status",
        "nosuch",
        *headers[:8],
    ]
    for by in draw(st.lists(st.sampled_from(group), max_size=2, unique=True)):
        args += ["--by", by]
    period = draw(st.sampled_from([None, "day", "week", "month", "quarter", "year"]))
    args += ["--period", period] if period else []
    args += draw(WINDOWS)
    if draw(st.integers(0, 3)) == 0:
        args += ["--compare", draw(st.sampled_from(["previous", "year"]))]
    if draw(st.integers(0, 4)) == 0:
        args += [
            "--tz",
            draw(
                st.sampled_from(
                    [
                        "UTC",
                        "Asia/Seoul",
                        "America/Los_Angeles",
                        "Australia/Lord_Howe",
                        "Mars/Olympus",
                    ]
                )
            ),
        ]
    if draw(st.integers(0, 4)) == 0:
        args += [
            "--as-of",
            draw(st.sampled_from(["2024-03-01", "2031-01-01T00:00Z", "now", "never"])),
        ]
    if draw(st.integers(0, 4)) == 0:
        args += [
            "--sort",
            draw(
                st.sampled_from([*kpis, "tickets_created:desc", "x:up"])
                if kpis
                else st.just("tickets_created")
            ),
            "--top",
            str(draw(st.integers(0, 3))),
        ]
    for flag in ("--strict", "--dayfirst", "--business-hours", "--excel"):
        if draw(st.integers(0, 5)) == 0:
            args.append(flag)
    if draw(st.integers(0, 5)) == 0:
        args += ["--week-start", "sun"]
    if draw(st.integers(0, 5)) == 0:
        args += ["--include-status", "merged,spam"]
    return args


# -- checks ------------------------------------------------------------------------------------


def _no_constants(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def check_output(fmt: str, stdout: str) -> None:
    """The stdout of a successful run parses in its format."""
    if fmt == "json":
        doc = json.loads(stdout, parse_constant=_no_constants)
        assert isinstance(doc["rows"], list) and isinstance(doc["overall"], dict)
        for which, q in doc["data_quality"].items():
            assert q["read"] == q["used"] + q["out_of_window"] + sum(q["dropped"].values()), (
                which,
                q,
            )
            assert q["used"] >= 0 and q["out_of_window"] >= 0, (which, q)
    elif fmt == "jsonl":
        for line in stdout.splitlines():
            assert isinstance(json.loads(line, parse_constant=_no_constants), dict)
    elif fmt in ("csv", "tsv"):
        text = stdout.removeprefix("\ufeff")
        rows = list(
            csv.reader(io.StringIO(text, newline=""), delimiter="," if fmt == "csv" else "\t")
        )
        assert rows and rows[0], stdout
        assert all(len(row) == len(rows[0]) for row in rows), stdout
    else:
        check_markdown(stdout)


_PIPE = re.compile(r"(?<!\\)\|")


def check_markdown(text: str) -> None:
    """Every table: a header, a `---` line, rows with the header's number of cells."""
    tables: list[list[str]] = [[]]
    for line in text.splitlines():
        if line.startswith("|"):
            tables[-1].append(line)
        elif tables[-1]:
            tables.append([])
    tables = [t for t in tables if t]
    assert tables, text
    for table in tables:
        width = len(_PIPE.split(table[0]))
        assert re.fullmatch(r"\|( -{3,}:? \|)+", table[1]), table[1]
        assert all(len(_PIPE.split(row)) == width for row in table), table


def run_and_check(args: list[str], fmt: str) -> None:
    result = runner.invoke(app, ["report", *args, "-f", fmt])
    shown = f"args={args}\nstderr={result.stderr[-3000:]}"
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout, shown
    assert "internal error" not in result.stderr, shown
    assert result.exit_code in EXIT_CODES, shown
    if result.exit_code in (2, 4):
        assert "cskpi: " in result.stderr, shown
        assert result.stdout == "", shown
    if result.exit_code in (0, 3):
        check_output(fmt, result.stdout)


# -- the fuzz tests ----------------------------------------------------------------------------

INPUT_FORMATS = ("csv", "tsv", "json", "jsonl")


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CSKPI_DEBUG", raising=False)


@FUZZ
@given(
    data=st.data(),
    fmt=st.sampled_from(FORMATS),
    input_format=st.sampled_from(INPUT_FORMATS),
    crlf=st.booleans(),
    bom=st.booleans(),
    broken=st.one_of(
        st.none(),
        st.none(),
        st.sampled_from(
            [
                '"unterminated,quote',
                "a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p",
                "{not json",
                "[1, 2]",
                "\x00",
                "",
            ]
        ),
    ),
)
def test_random_tickets_and_options(
    data: st.DataObject, fmt: str, input_format: str, crlf: bool, bom: bool, broken: str | None
) -> None:
    records = data.draw(exports("tickets", ("ticket_id", "created_at")), label="tickets")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"tickets.{input_format}"
        _write(records, input_format, path, crlf, bom, broken)
        args = [str(path), *data.draw(options(list(records[0])), label="options")]
        run_and_check(args, fmt)


@FUZZ
@given(data=st.data(), fmt=st.sampled_from(FORMATS), input_format=st.sampled_from(INPUT_FORMATS))
@example(data=None, fmt="json", input_format="csv").via("scores outside every scale")
def test_random_surveys_and_options(
    data: st.DataObject | None, fmt: str, input_format: str
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tickets = Path(tmp) / "tickets.csv"
        start = datetime(2024, 3, 1, 9)
        tickets.write_text(
            "Ticket ID,Created At,Resolved At,Assignee,Channel\n"
            + "".join(
                f"T{i},{start + timedelta(hours=7 * i):%Y-%m-%d %H:%M},"
                f"{start + timedelta(hours=7 * i + 3):%Y-%m-%d %H:%M},{'kim' if i % 2 else 'lee'},"
                f"{'email' if i % 3 else 'chat'}\n"
                for i in range(1, 6)
            )
        )
        surveys = Path(tmp) / f"surveys.{input_format}"
        if data is None:
            records = [
                {"ticket": f"T{i}", "submitted": "2024-03-02 10:00", "survey": kind, "score": score}
                for i, (kind, score) in enumerate(
                    [("csat", "9"), ("nps", "11"), ("ces", "-1"), ("esat", "x")]
                )
            ]
            args = [str(tickets), "--surveys", str(surveys), "-k", "csat,nps,ces,esat"]
        else:
            records = data.draw(exports("surveys", ("submitted_at", "score")), label="surveys")
            spec = data.draw(st.sampled_from(["", "nps=", "csat=", "esat=", "bogus="]))
            args = [
                str(tickets),
                "--surveys",
                spec + str(surveys),
                *data.draw(options(["score", *records[0]]), label="options"),
            ]
        _write(records, input_format, surveys, False, False, None)
        run_and_check(args, fmt)


@settings(
    max_examples=max(10, EXAMPLES // 3), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    blob=st.binary(max_size=600),
    name=st.sampled_from(
        [
            "x.csv",
            "x.tsv",
            "x.json",
            "x.jsonl",
            "x.ndjson",
            "x.parquet",
            "x.xlsx",
            "x.csv.gz",
            "x.json.gz",
            "x.txt",
            "x",
        ]
    ),
    prefix=st.sampled_from(
        [
            b"",
            b"Ticket ID,Created At\n",
            b"\xef\xbb\xbf",
            b"\x1f\x8b",
            b"PAR1",
            b"PK\x03\x04",
            b"[",
            b'{"tickets": [',
            b"\xff\xfe",
        ]
    ),
)
def test_random_bytes(blob: bytes, name: str, prefix: bytes) -> None:
    """Any bytes under any name: refused with a message (4) or read — never a crash."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(prefix + blob)
        result = runner.invoke(app, ["report", str(path), "-f", "json"])
        shown = f"stderr={result.stderr[-2000:]}"
        assert "Traceback" not in result.stderr and "internal error" not in result.stderr, shown
        assert result.exit_code in (0, 4), shown
        if result.exit_code == 0:
            check_output("json", result.stdout)


# -- typed inputs: Parquet and XLSX ------------------------------------------------------------

TYPED = st.sampled_from(
    [
        "string",
        "binary",
        "large_string",
        "dictionary",
        "int",
        "float",
        "timestamp",
        "timestamp_tz",
        "date",
        "bool",
        "null",
    ]
)


@st.composite
def typed_column(draw: st.DrawFn, rows: int) -> tuple[str, list[Any]]:
    """(arrow type name, Python values) for one column of `rows` values."""
    kind = draw(TYPED)
    base = datetime(2024, 3, 1)
    cell: st.SearchStrategy[Any]
    if kind in ("string", "binary", "large_string", "dictionary"):
        cell = st.one_of(dates(), LABELS, JUNK)
    elif kind == "int":
        cell = st.integers(-(2**62), 2**62)
    elif kind == "float":
        cell = st.floats(allow_nan=True, allow_infinity=True)
    elif kind in ("timestamp", "timestamp_tz"):
        cell = st.integers(-(10**6), 10**6).map(lambda m: base + timedelta(minutes=m))
    elif kind == "date":
        cell = st.integers(-400, 400).map(lambda d: (base + timedelta(days=d)).date())
    elif kind == "bool":
        cell = st.booleans()
    else:
        cell = st.none()
    values = draw(st.lists(st.one_of(cell, cell, st.none()), min_size=rows, max_size=rows))
    return kind, values


def _arrow(kind: str, values: list[Any]) -> Any:
    import pyarrow as pa

    if kind == "binary":
        return pa.array(
            [None if v is None else v.encode("utf-8", "surrogatepass") for v in values], pa.binary()
        )
    if kind in ("string", "large_string", "dictionary"):
        array = pa.array(values, pa.large_string() if kind == "large_string" else pa.string())
        return array.dictionary_encode() if kind == "dictionary" else array
    types = {
        "int": pa.int64(),
        "float": pa.float64(),
        "timestamp": pa.timestamp("us"),
        "timestamp_tz": pa.timestamp("ms", tz="Asia/Seoul"),
        "date": pa.date32(),
        "bool": pa.bool_(),
        "null": pa.null(),
    }
    return pa.array(values, types[kind])


@FUZZ
@given(data=st.data(), fmt=st.sampled_from(FORMATS), workbook=st.booleans())
def test_random_parquet_and_xlsx(data: st.DataObject, fmt: str, workbook: bool) -> None:
    """Typed columns (binary, dictionary, timestamps with and without zone, NaN, ...) under real
    header names, as Parquet or as an XLSX sheet."""
    rows = data.draw(st.integers(0, 10), label="rows")
    required = [n for n in ("ticket_id", "created_at") if data.draw(st.integers(0, 9))]
    extra = data.draw(st.lists(st.sampled_from(sorted(NAMES["tickets"])), max_size=4))
    headers = [*required, *extra]
    columns = [data.draw(typed_column(rows), label=h) for h in headers]
    with tempfile.TemporaryDirectory() as tmp:
        if workbook:
            import openpyxl

            path = Path(tmp) / "tickets.xlsx"
            book = openpyxl.Workbook()
            sheet = book.active
            sheet.append(headers)
            for i in range(rows):
                sheet.append([_excel_cell(values[i]) for _, values in columns])
            book.save(path)
        else:
            import pyarrow as pa
            import pyarrow.parquet as pq

            path = Path(tmp) / "tickets.parquet"
            arrays = [_arrow(kind, values) for kind, values in columns]
            pq.write_table(pa.Table.from_arrays(arrays, names=headers), path)
        args = [str(path), *data.draw(options(headers), label="options")]
        run_and_check(args, fmt)


def _excel_cell(value: Any) -> Any:
    """What openpyxl can store: no NaN/inf (Excel has none), text without control characters."""
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, float) and abs(value) == float("inf"):
        return "inf"
    if isinstance(value, str):
        return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]", "", value)
    return value


# -- the pyarrow path's line numbers, scanned in chunks ------------------------------------------

CSV_BYTES = st.lists(
    st.sampled_from([b"a", b",", b'"', b"\n", b"\r", b"\r\n", b'""', b"x,y", b"\xc3\xa9"]),
    max_size=60,
).map(b"".join)


@settings(max_examples=max(50, EXAMPLES), deadline=None)
@given(data=CSV_BYTES, chunk=st.integers(1, 9))
def test_record_lines_do_not_depend_on_the_chunk_size(data: bytes, chunk: int) -> None:
    """`_record_lines` scans big files in slices: any slice size gives the one-pass answer."""
    whole = csv_lines._record_lines(data, ",")
    saved, csv_lines._CHUNK = csv_lines._CHUNK, chunk
    try:
        sliced = csv_lines._record_lines(data, ",")
    finally:
        csv_lines._CHUNK = saved
    assert (whole is None) == (sliced is None)
    if whole is not None and sliced is not None:
        assert whole.tolist() == sliced.tolist()


@settings(max_examples=max(50, EXAMPLES), deadline=None)
@given(
    rows=st.lists(
        st.lists(
            st.sampled_from(["", "a", "b,c", 'q"q', "l\nm", "r\r\ns", " "]), min_size=2, max_size=2
        ),
        max_size=8,
    ),
    crlf=st.booleans(),
    chunk=st.integers(1, 16),
)
def test_record_lines_match_the_csv_module(rows: list[list[str]], crlf: bool, chunk: int) -> None:
    """On well-quoted CSV the derived start lines equal the csv module's."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n" if crlf else "\n").writerows([["k", "v"], *rows])
    text = buffer.getvalue()
    expected = [line for line, row, _ in csv_small._csv_records(text, ",") if row]
    saved, csv_lines._CHUNK = csv_lines._CHUNK, chunk
    try:
        got = csv_lines._record_lines(text.encode(), ",")
    finally:
        csv_lines._CHUNK = saved
    assert got is not None and got.tolist() == expected
