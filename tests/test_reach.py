"""Input reach (DECISIONS 47; issue 19 items 1 and 11): semicolon CSV with decimal commas,
CP1252, stray bytes in UTF-8, unbalanced quotes, and `--delimiter/--quote/--decimal`.

Each reading test runs on the CSV paths it can take, forced as tests/test_cut_lines.py does
(`_PYARROW_MIN_BYTES`, and the other paths made to fail), so a path that ignores the dialect
fails here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from cskpi.cli import app
from cskpi.load.parse import decimal_commas
from cskpi.load.readers import Malformed, csv_arrow, csv_small, read_inputs
from cskpi.load.readers.csv_lines import record_scan, swallowed
from cskpi.load.readers.dialect import sniff

runner = CliRunner()
PATHS = ["csv-module", "pyarrow", "streamed"]


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CSKPI_DEBUG", raising=False)


def _refuse(*_: object, **__: object) -> None:
    raise AssertionError("this CSV path must not run here")


def force(kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Force one CSV path; the others fail the test if they are reached."""
    if kind == "csv-module":
        monkeypatch.setattr(csv_arrow, "_arrow_rows", _refuse)
        return
    monkeypatch.setattr(csv_arrow, "_PYARROW_MIN_BYTES", 0)
    monkeypatch.setattr(csv_arrow, "csv_module", _refuse)
    if kind == "pyarrow":
        monkeypatch.setattr(csv_arrow, "_csv_stream", lambda *args: None)
    else:
        monkeypatch.setattr(csv_arrow, "decode", _refuse)


def cli(*args: object) -> Result:
    result = runner.invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.stdout + result.stderr
    assert "internal error" not in result.stderr, result.stderr
    return result


def report(*args: object) -> dict[str, Any]:
    result = cli("report", *args, "-f", "json")
    assert result.exit_code == 0, (result.exit_code, result.stderr)
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


def refused(result: Result, code: int, message: str) -> None:
    assert result.exit_code == code, (result.exit_code, result.stderr)
    assert result.stderr.strip() == message
    assert result.stdout == ""


def values(frame: pd.DataFrame, column: str) -> list[Any]:
    return [None if pd.isna(v) else v for v in frame[column].tolist()]


# --- the delimiter ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Ticket ID;Created At;Agent", ";"),
        ("Ticket ID\tCreated At\tAgent", "\t"),
        ("Ticket ID|Created At|Agent", "|"),
        ("Ticket ID,Created At,Agent", ","),
        ("id", ","),  # one column: nothing to sniff
        ('"Agent; Team",id,created', ","),  # inside quotes does not count
        ("Note, short;id;created", ";"),  # 2 semicolons against 1 comma
        ("a,b;c", ","),  # a tie: the first of , ; tab |
    ],
)
def test_sniff_takes_the_most_frequent_candidate(header: str, expected: str) -> None:
    assert sniff(header) == expected


SEMICOLON = (
    "Ticket ID;Created At;Reply time (minutes);Assignee;Note\n"
    "T1;2024-03-01 09:00;12,5;Kim;a, b\n"
    "T2;2024-03-01 10:00;7,5;Lee;\n"
)


@pytest.mark.parametrize("kind", PATHS)
def test_semicolon_export_on_every_path(
    tmp_path: Path, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Excel export of Berlin: `;` between values, `12,5` minutes. The note `a, b`
    keeps its comma (it is not a delimiter here)."""
    path = tmp_path / "t.csv"
    path.write_text(SEMICOLON, encoding="utf-8")
    force(kind, monkeypatch)
    raw = read_inputs([str(path)])
    columns = ["Ticket ID", "Created At", "Reply time (minutes)", "Assignee", "Note"]
    assert list(raw.frame.columns) == columns
    assert values(raw.frame, "Note") == ["a, b", None]
    assert raw.files[0].decimal_comma
    # frt_mean = (12.5 + 7.5) / 2 minutes = 10 minutes = 600 s
    doc = report(path, "-k", "frt_mean", "--by", "agent")
    assert [(r["agent"], r["frt_mean"]) for r in doc["rows"]] == [("Kim", 750.0), ("Lee", 450.0)]
    assert doc["overall"]["frt_mean"] == 600.0


def test_decimal_point_forced_leaves_commas_unread(tmp_path: Path) -> None:
    """`--decimal .`: `12,5` is no number; both values are counted as unparseable."""
    path = tmp_path / "t.csv"
    path.write_text(SEMICOLON, encoding="utf-8")
    doc = report(path, "-k", "frt_mean", "--decimal", ".")
    assert doc["overall"]["frt_mean"] is None
    assert doc["data_quality"]["tickets"]["issues"] == {"unparseable_first_response_seconds": 2}


def test_decimal_comma_forced_in_a_comma_file(tmp_path: Path) -> None:
    """`,` between values and `"12,5"` quoted: a point file unless `--decimal ,`."""
    path = tmp_path / "t.csv"
    path.write_text(
        'Ticket ID,Created At,Reply time (minutes)\nT1,2024-03-01 09:00,"12,5"\n',
        encoding="utf-8",
    )
    assert report(path, "-k", "frt_mean")["overall"]["frt_mean"] is None
    # 12.5 minutes = 750 s
    assert report(path, "-k", "frt_mean", "--decimal", ",")["overall"]["frt_mean"] == 750.0


def test_decimal_commas_convert_only_numbers_with_one_comma() -> None:
    raw = pd.Series(
        ["12,5", "-0,75 h", "1.234,50 €", "1,2,3", "12.5", "12:30", None, "7", "3,5"],
        dtype="str",
    )
    rows = [True] * 8 + [False]  # the last row's file writes points
    out = decimal_commas(raw, pd.Series(rows).to_numpy())
    assert values(out.to_frame("v"), "v") == [
        "12.5",
        "-0.75 h",
        "1234.50 €",
        "1,2,3",
        "12.5",
        "12:30",
        None,
        "7",
        "3,5",
    ]


def test_decimal_comma_only_for_the_semicolon_file_of_two(tmp_path: Path) -> None:
    """Two files: the `;` one has decimal commas, the `,` one a quoted `"1,5"` that stays
    unreadable. FRT mean over the one readable value: 12.5 min = 750 s."""
    semi = tmp_path / "a.csv"
    semi.write_text(
        "Ticket ID;Created At;Reply time (minutes)\nT1;2024-03-01 09:00;12,5\n", encoding="utf-8"
    )
    comma = tmp_path / "b.csv"
    comma.write_text(
        'Ticket ID,Created At,Reply time (minutes)\nT2,2024-03-01 10:00,"1,5"\n',
        encoding="utf-8",
    )
    doc = report(semi, comma, "-k", "frt_mean")
    assert doc["overall"]["frt_mean"] == 750.0
    assert doc["data_quality"]["tickets"]["issues"] == {"unparseable_first_response_seconds": 1}


def test_delimiter_forced(tmp_path: Path) -> None:
    """A comma file whose last header holds three semicolons (against two commas) is
    sniffed as `;` (`Ticket ID,Created At,Note` is no ticket id): `--delimiter ,` reads it."""
    path = tmp_path / "t.csv"
    path.write_text("Ticket ID,Created At,Note;a;b;c\nT1,2024-03-01 09:00,x\n", encoding="utf-8")
    assert cli("report", path, "-k", "tickets_created", "-f", "json").exit_code == 4
    doc = report(path, "-k", "tickets_created", "--delimiter", ",")
    assert doc["overall"]["tickets_created"] == 1


def test_delimiter_tab_by_name(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("Ticket ID,Created At\tAgent\nT1,x\t2024-03-01 09:00\n", encoding="utf-8")
    # sniffed: one comma against one tab, a tie → `,`; forced: tab
    raw = read_inputs([str(path)], delimiter="tab")
    assert list(raw.frame.columns) == ["Ticket ID,Created At", "Agent"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--delimiter", "ab"], "cskpi: --delimiter 'ab': use one character such as , ; | or tab"),
        (["--delimiter", "x"], "cskpi: --delimiter 'x': use one character such as , ; | or tab"),
        (["--decimal", "x"], "cskpi: --decimal 'x': use , or ."),
        (
            ["--quote", "ab"],
            "cskpi: --quote 'ab': use one quote character such as \" or ', or none",
        ),
        (["--delimiter", ":", "--quote", ":"], "cskpi: --quote ':' is also the delimiter"),
    ],
)
@pytest.mark.parametrize("command", ["report", "peak", "validate"])
def test_dialect_option_errors(tmp_path: Path, command: str, args: list[str], message: str) -> None:
    path = tmp_path / "t.csv"
    path.write_text("Ticket ID,Created At\nT1,2024-03-01 09:00\n", encoding="utf-8")
    refused(cli(command, path, *args), 2, message)


# --- encodings -------------------------------------------------------------------------------

CP1252 = "Ticket ID;Created At;Assignee\nT1;2024-03-01 09:00;Renée\nT2;2024-03-01 10:00;José\n"


@pytest.mark.parametrize("kind", ["csv-module", "pyarrow"])  # streaming is for UTF-8 only
def test_cp1252_export(tmp_path: Path, kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(CP1252.encode("cp1252"))  # é is the byte 0xE9
    force(kind, monkeypatch)
    raw = read_inputs([str(path)])
    assert raw.files[0].encoding == "cp1252"
    assert values(raw.frame, "Assignee") == ["Renée", "José"]
    doc = report(path, "-k", "tickets_created", "--by", "agent")
    assert [(r["agent"], r["tickets_created"]) for r in doc["rows"]] == [("José", 1), ("Renée", 1)]


@pytest.mark.parametrize("kind", ["csv-module", "pyarrow"])
def test_stray_byte_keeps_a_utf8_file_utf8(
    tmp_path: Path, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 19 item 11: `Zoë` in UTF-8, one stray 0xFF on line 3. Not CP932 (which reads
    0xFF as a private-use character and made a group `kim\\uf8f3`): line 3 is malformed,
    counted, and the rest is UTF-8."""
    path = tmp_path / "t.csv"
    path.write_bytes(
        "Ticket ID,Created At,Agent\nT1,2024-03-01,Zoë\nT2,2024-03-01,kim".encode()
        + b"\xff\nT3,2024-03-01,kim\n"
    )
    if kind == "pyarrow":  # a dirty file is never read by pyarrow: the csv module reports
        monkeypatch.setattr(csv_arrow, "_PYARROW_MIN_BYTES", 0)
    raw = read_inputs([str(path)])
    assert raw.files[0].encoding == "utf-8"
    assert values(raw.frame, "Agent") == ["Zoë", "kim"]
    assert raw.malformed == (
        Malformed(str(path), 3, "not UTF-8 like the rest of the file (byte 0xff)"),
    )


def test_stray_byte_in_an_ascii_file(tmp_path: Path) -> None:
    """No other non-ASCII byte: a lone 0xFF is still not CP1252 (`ÿ`) nor CP932."""
    path = tmp_path / "t.csv"
    path.write_bytes(b"Ticket ID,Created At,Agent\nT1,2024-03-01,kim\xff\nT2,2024-03-01,kim\n")
    result = cli("report", path, "-k", "tickets_created", "--by", "agent", "-f", "json")
    doc = json.loads(result.stdout)
    assert [(r["agent"], r["tickets_created"]) for r in doc["rows"]] == [("kim", 1)]
    assert doc["data_quality"]["tickets"]["dropped"] == {"malformed_line": 1}
    strict = cli("report", path, "-k", "tickets_created", "--strict", "-f", "json")
    assert strict.exit_code == 4


# --- quotes ----------------------------------------------------------------------------------

ROWS = 30_000
OPEN, CLOSE = 10, 20_010  # 0-based ticket numbers: `"Urgent` and, 20,000 rows on, `3 ft"`


def tickets(path: Path, sep: str) -> None:
    """The issue's export: 30,000 tickets; T10's subject opens a quote, T20010's holds one."""
    lines = [sep.join(["Ticket ID", "Created At", "Subject", "Channel"])]
    for i in range(ROWS):
        subject = '"Urgent: printer' if i == OPEN else 'box is 3 ft" tall' if i == CLOSE else "hi"
        lines.append(sep.join([f"T{i}", "2024-03-01 09:00", subject, "email"]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize("kind", PATHS)
def test_tsv_is_read_without_quoting(
    tmp_path: Path, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tab-separated exports never quote: the quote is text, every row is there."""
    path = tmp_path / "t.tsv"
    tickets(path, "\t")
    force(kind, monkeypatch)
    raw = read_inputs([str(path)])
    assert len(raw.frame) == ROWS
    assert raw.malformed == ()
    assert raw.frame["Subject"].iloc[OPEN] == '"Urgent: printer'
    assert raw.frame["Subject"].iloc[CLOSE] == 'box is 3 ft" tall'


def swallow_reported(raw: Any, path: Path) -> None:
    """T10 (line 12) is dropped as an unbalanced quote; every other row is read."""
    assert len(raw.frame) == ROWS - 1  # read = 29,999 rows + 1 malformed = 30,000
    (bad,) = raw.malformed
    assert (bad.file, bad.line, bad.kind) == (str(path), OPEN + 2, "unbalanced_quote")
    assert bad.reason == "unbalanced quote: a quoted value holds 19999 lines that look like rows"
    assert raw.frame["Ticket ID"].iloc[OPEN] == f"T{OPEN + 1}"
    assert raw.frame["Subject"].iloc[CLOSE - 1] == 'box is 3 ft" tall'


@pytest.mark.parametrize("sep", [",", "\t"])
def test_unbalanced_quote_on_the_csv_module(
    tmp_path: Path, sep: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Quoting asked for (`--quote '"'` for the TSV): the value opened at T10 runs to T20010
    over 19,999 whole lines holding 3 delimiters each, the header's 4 fields - 1."""
    path = tmp_path / ("t.csv" if sep == "," else "t.tsv")
    tickets(path, sep)
    force("csv-module", monkeypatch)
    swallow_reported(read_inputs([str(path)], quote='"'), path)


def test_unbalanced_quote_on_the_pyarrow_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pyarrow reads the big file; the byte scan finds the swallowed rows and hands the file
    to the csv module, which reports the line."""
    path = tmp_path / "t.csv"
    tickets(path, ",")
    monkeypatch.setattr(csv_arrow, "_PYARROW_MIN_BYTES", 0)
    assert swallowed(path.read_bytes(), ",", '"', 4)
    tried: list[int] = []
    arrow_rows = csv_arrow._arrow_rows

    def spy(*args: Any) -> Any:
        tried.append(1)
        return arrow_rows(*args)

    monkeypatch.setattr(csv_arrow, "_arrow_rows", spy)
    swallow_reported(read_inputs([str(path)]), path)
    assert tried


def test_multi_line_text_is_not_a_swallow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A real description over three lines (its middle line holds no comma, fewer than the
    header's 3 fields - 1): read by pyarrow, not sent to the csv module."""
    text = 'id,created,body\n1,2024-03-01,"Hello,\nmy order\nthanks, Kim"\n2,2024-03-01,ok\n'
    assert not swallowed(text.encode(), ",", '"', 3)
    path = tmp_path / "t.csv"
    path.write_text(text, encoding="utf-8")
    force("pyarrow", monkeypatch)
    raw = read_inputs([str(path)])
    assert values(raw.frame, "body") == ["Hello,\nmy order\nthanks, Kim", "ok"]
    assert raw.source_line.tolist() == [2, 5]


def test_unbalanced_quote_fails_strict_and_reconciles(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    tickets(path, ",")
    doc = report(path, "-k", "tickets_created")
    quality = doc["data_quality"]["tickets"]
    assert quality["dropped"] == {"unbalanced_quote": 1}
    # read 30,000 = used 29,999 + dropped 1
    assert (quality["read"], quality["used"]) == (ROWS, ROWS - 1)
    assert doc["overall"]["tickets_created"] == ROWS - 1
    strict = cli("report", path, "-k", "tickets_created", "--strict", "-f", "json")
    assert strict.exit_code == 4
    assert f"1 unbalanced quote: dropped (e.g. {path}:12)" in strict.stderr
    tsv = tmp_path / "t.tsv"
    tickets(tsv, "\t")
    assert cli("report", tsv, "-k", "tickets_created", "--strict", "-f", "json").exit_code == 0
    asked = cli("report", tsv, "-k", "tickets_created", "--strict", "--quote", '"', "-f", "json")
    assert asked.exit_code == 4
    none = cli("report", path, "-k", "tickets_created", "--strict", "--quote", "none")
    assert none.exit_code == 0


def test_semicolon_export_named_tsv_names_the_delimiter(tmp_path: Path) -> None:
    """A `.tsv` is cut at tabs: the `;` header is one column; the message says which
    `--delimiter` reads it (not a `--map` onto that column), and that flag does."""
    path = tmp_path / "t.tsv"
    path.write_text(SEMICOLON, encoding="utf-8")
    result = cli("report", path, "-k", "frt_mean")
    assert result.exit_code == 4
    assert result.stderr.splitlines() == [
        f"cskpi: {path}: no column for ticket_id, created_at; found: Ticket ID;Created At;"
        "Reply time (minutes);Assignee;Note",
        "the header looks cut at the wrong delimiter: use --delimiter ';'",
    ]
    # (12.5 + 7.5) / 2 minutes = 600 s
    assert report(path, "-k", "frt_mean", "--delimiter", ";")["overall"]["frt_mean"] == 600.0


# --- the bad-input corpus (tests/data/bad, made by make_corpus.py) ---------------------------

CORPUS = Path(__file__).resolve().parent / "data" / "bad"


def test_corpus_unbalanced_quote_csv() -> None:
    """T1 opens a quote that T4 closes; T2 and T3 (3 commas each, the header's 4 fields - 1)
    are the lines inside it: T1 dropped as `unbalanced_quote`, T2-T4 read (4 = 3 + 1)."""
    path = CORPUS / "unbalanced_quote.csv"
    doc = report(path, "-k", "tickets_created", "--by", "channel")
    quality = doc["data_quality"]["tickets"]
    assert (quality["read"], quality["used"], quality["dropped"]) == (
        4,
        3,
        {"unbalanced_quote": 1},
    )
    assert [(r["channel"], r["tickets_created"]) for r in doc["rows"]] == [
        ("chat", 1),
        ("email", 2),
    ]
    strict = cli("report", path, "-k", "tickets_created", "--strict", "-f", "json")
    assert strict.exit_code == 4
    assert f"1 unbalanced quote: dropped (e.g. {path}:2)" in strict.stderr


def test_corpus_unbalanced_quote_tsv() -> None:
    """The same rows tab-separated: no quoting, all four tickets, nothing dropped."""
    path = CORPUS / "unbalanced_quote.tsv"
    result = cli("report", path, "-k", "tickets_created", "--strict", "-f", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["overall"]["tickets_created"] == 4
    assert doc["data_quality"]["tickets"]["dropped"] == {}


def test_corpus_stray_byte() -> None:
    """Zoë in UTF-8; T2's `kim\\xff` is the one line UTF-8 cannot read: dropped, counted,
    no group `kim\\uf8f3` (CP932's reading of 0xFF)."""
    doc = report(CORPUS / "stray_byte.csv", "-k", "tickets_created", "--by", "agent")
    assert [(r["agent"], r["tickets_created"]) for r in doc["rows"]] == [("Zoë", 1), ("kim", 1)]
    assert doc["data_quality"]["tickets"]["dropped"] == {"malformed_line": 1}


def test_corpus_semicolon_cp1252() -> None:
    """`;`, CP1252 and decimal commas at once: Renée 12.5 min = 750 s, Jürgen 7.5 min = 450 s."""
    doc = report(CORPUS / "semicolon_cp1252.csv", "-k", "frt_mean", "--by", "agent")
    assert [(r["agent"], r["frt_mean"]) for r in doc["rows"]] == [
        ("Jürgen", 450.0),
        ("Renée", 750.0),
    ]
    assert doc["data_quality"]["tickets"]["dropped"] == {}
    assert doc["data_quality"]["tickets"]["issues"] == {}


def test_money_with_decimal_commas_in_a_semicolon_costs_file(tmp_path: Path) -> None:
    """`1.234,50` is 1234.5 (points group thousands before a decimal comma), `99,5` is 99.5."""
    from cskpi.load.business import load_business

    path = tmp_path / "costs.csv"
    path.write_text("period;amount\n2024-03;1.234,50\n2024-04;99,5\n", encoding="utf-8")
    business = load_business(costs=str(path))
    assert business is not None and business.costs is not None
    assert business.costs.frame["amount"].tolist() == [1234.5, 99.5]


@settings(max_examples=300, deadline=None)
@given(body=st.lists(st.sampled_from(["a", ",", '"', "\n", "b,c,d", '"x"', "\r\n"]), max_size=40))
@example(body=['"', "\n", "b,c,d", "\n", "b,c,d", "\n", "a", '"', "\n"])  # a swallow
@example(body=['"', "a", "\n", "b", "\n", "a", '"', "\n"])  # text over three lines
# one value over three lines, a doubled quote on the second: one of its two inner lines
# looks like a row, not more than half (the scan once took the "" for the value's end)
@example(body=['"', "\n", "b,c,d", "\n", '"', '"', "\n", "a", "\n", '"'])
def test_the_byte_scan_and_the_csv_module_agree(body: list[str]) -> None:
    """`csv_lines.swallowed` (the pyarrow path's byte scan) finds a swallow exactly when the
    csv module reports one, wherever quoting is plain enough for the scan (record_scan)."""
    text = "h1,h2,h3\n" + "".join(body)
    data = text.encode()
    if record_scan(data, ",") is None:
        return
    reported = any(
        row is None and reason.startswith(csv_small.UNBALANCED)
        for _, row, reason in csv_small._csv_records(text, ",")
    )
    assert swallowed(data, ",", '"', 3) == reported


def test_parquet_binary_ids_that_differ_in_undecodable_bytes_stay_apart(tmp_path: Path) -> None:
    """Issue 19 item 11: `\\xff1` and `\\xfe1` were both `\\ufffd1`, one dropped as a
    duplicate. Escaped, they are two tickets."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "t.parquet"
    table = pa.table(
        {
            "ticket_id": pa.array([b"\xff1", b"\xfe1"], type=pa.binary()),
            "created_at": ["2024-03-01 09:00", "2024-03-01 10:00"],
        }
    )
    pq.write_table(table, path)
    raw = read_inputs([str(path)])
    assert values(raw.frame, "ticket_id") == ["\\xff1", "\\xfe1"]
    doc = report(path, "-k", "tickets_created")
    assert doc["overall"]["tickets_created"] == 2
    assert doc["data_quality"]["tickets"]["dropped"] == {}
