"""Broken exports (issue 8): the bad-input corpus in tests/data/bad/ through the CLI.

Every case asserts the exit code (CLI.md "Exit codes"), the words on stderr that say what is
wrong and where, that there is no traceback and no "internal error", and — where the run goes
on — the exact `data_quality` counts of `report -f json` (DECISIONS 32). The corpus is written
by tests/data/bad/make_corpus.py; `test_corpus_is_current` keeps the checked-in files equal to
its output. Cases that need size (a 10 MB field) or a file system state (a directory, an
unreadable file, a glob that matches nothing) are made here, in tmp_path.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import re
import signal
import threading
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from cskpi.cli import app
from cskpi.load.readers import source

CORPUS = Path(__file__).resolve().parent / "data" / "bad"
runner = CliRunner()


def _corpus_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_corpus", CORPUS / "make_corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_corpus = _corpus_module()
FILES = sorted(make_corpus.CASES)


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run in an empty directory (no stray ./cskpi.toml), without debug tracebacks."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CSKPI_DEBUG", raising=False)


def bad(name: str) -> str:
    return str(CORPUS / name)


def cli(*args: object) -> Result:
    result = runner.invoke(app, [str(a) for a in args])
    for stream in (result.stdout, result.stderr):
        assert "Traceback" not in stream, stream
    assert "internal error" not in result.stderr, result.stderr
    return result


def refused(result: Result, code: int, *phrases: str) -> None:
    """A user error: the code, each phrase on stderr, at most two plain lines, no output."""
    assert result.exit_code == code, (result.exit_code, result.stderr)
    for phrase in phrases:
        assert phrase in result.stderr, (phrase, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert 1 <= len(lines) <= 2, result.stderr
    assert all(line.startswith("cskpi: ") for line in lines[:1]), result.stderr
    assert len(result.stderr) < 1000, result.stderr[:2000]
    assert result.stdout == ""


def report(*args: object) -> tuple[Result, dict[str, Any]]:
    """`cskpi report ... -f json`: must succeed; returns the result and the parsed JSON."""
    result = cli("report", *args, "-f", "json")
    assert result.exit_code == 0, (result.exit_code, result.stderr)
    return result, json.loads(result.stdout)


def frame(
    read: int,
    used: int,
    out: int = 0,
    dropped: dict[str, int] | None = None,
    issues: dict[str, int] | None = None,
) -> dict[str, Any]:
    return {
        "read": read,
        "used": used,
        "out_of_window": out,
        "dropped": dropped or {},
        "issues": issues or {},
    }


NO_SURVEYS = frame(0, 0)


# -- the corpus itself -------------------------------------------------------------------------


def test_corpus_is_current(tmp_path: Path) -> None:
    """The checked-in files are exactly what make_corpus.py writes (rerun it after editing)."""
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    for path in make_corpus.write(fresh):
        assert (CORPUS / path.name).is_file(), path.name
        if path.name not in make_corpus.LIBRARY_MADE:  # those depend on library versions
            assert (CORPUS / path.name).read_bytes() == path.read_bytes(), path.name


def test_corpus_covers_every_format_and_stays_small() -> None:
    assert len(FILES) >= 25
    suffixes = {Path(name).suffixes[0] for name in FILES}
    assert {".csv", ".tsv", ".json", ".jsonl", ".parquet", ".xlsx", ".txt"} <= suffixes
    assert any(name.endswith(".gz") for name in FILES)
    assert sum((CORPUS / name).stat().st_size for name in FILES) < 64 * 1024


# -- files the tool must refuse: exit 4, one or two lines naming the file ---------------------

REFUSED = [
    ("empty.csv", (), "empty.csv: the file is empty"),
    ("empty.jsonl", (), "empty.jsonl: no records found"),
    ("truncated.csv.gz", (), "truncated.csv.gz: truncated or corrupt gzip file"),
    ("truncated.parquet", (), "truncated.parquet: not a readable Parquet file"),
    ("random_bytes.csv", (), "random_bytes.csv: looks like a binary file, not CSV text"),
    ("random_bytes.json", (), "random_bytes.json: looks like a binary file, not JSON text"),
    ("random_bytes.parquet", (), "random_bytes.parquet: not a readable Parquet file"),
    ("random_bytes.xlsx", (), "random_bytes.xlsx: not a readable .xlsx workbook"),
    ("csv_content.json", (), "csv_content.json: not valid JSON (line 1, column 1"),
    ("tickets.txt", (), "tickets.txt: unsupported format '.txt'; use --input-format csv|"),
    ("scalar.json", (), "scalar.json: no records found (expected an array of objects"),
    ("nested_no_records.json", (), "nested_no_records.json: no records found"),
    ("empty_sheet.xlsx", (), "empty_sheet.xlsx: sheet 'Tickets' is empty; other sheets: Other"),
    ("good_tickets.csv", ("--input-format", "parquet"), "good_tickets.csv: not a readable Parquet"),
    ("good_tickets.csv", ("--input-format", "xlsx"), "good_tickets.csv: not a readable .xlsx"),
    ("bad_values.xlsx", ("--input-format", "json"), "looks like a binary file, not JSON text"),
]


@pytest.mark.parametrize(
    ("name", "args", "message"),
    REFUSED,
    ids=[f"{n}{'-' + a[1] if a else ''}" for n, a, _ in REFUSED],
)
@pytest.mark.parametrize("command", ["report", "validate"])
def test_refused_with_a_plain_message(
    command: str, name: str, args: tuple[str, ...], message: str
) -> None:
    refused(cli(command, bad(name), *args), 4, message)


def test_csv_named_json_says_which_format_to_use() -> None:
    result = cli("report", bad("csv_content.json"))
    refused(result, 4, "it looks like CSV: use --input-format csv")
    _, doc = report(bad("csv_content.json"), "--input-format", "csv")
    assert doc["data_quality"]["tickets"] == frame(3, 3)


def test_json_named_csv_says_which_format_to_use(tmp_path: Path) -> None:
    lines = (CORPUS / "bad_line.jsonl").read_text().splitlines()
    jsonl = tmp_path / "export.csv"
    jsonl.write_text(lines[0] + "\n" + lines[3] + "\n")
    refused(cli("report", jsonl), 4, "export.csv: holds JSON, not CSV; use --input-format jsonl")
    array = tmp_path / "array.csv"
    array.write_text(json.dumps(make_corpus.TICKET_RECORDS, indent=1))
    refused(cli("report", array), 4, "array.csv: holds JSON, not CSV; use --input-format json")


def test_empty_first_sheet_then_the_named_sheet() -> None:
    _, doc = report(bad("empty_sheet.xlsx"), "--sheet", "Other", "-k", "tickets_created")
    assert doc["data_quality"]["tickets"] == frame(1, 1)
    refused(
        cli("report", bad("empty_sheet.xlsx"), "--sheet", "Nope"),
        4,
        "no sheet named 'Nope'; sheets: Tickets, Other",
    )


@pytest.mark.parametrize("command", ["report", "validate"])
def test_a_survey_export_as_tickets_names_the_surveys_option(command: str) -> None:
    # a survey export given where tickets go: a usage error naming --surveys (issue 22), not
    # a --map of the survey's submitted_at as the tickets' created_at
    result = cli(command, bad("surveys_unknown_ticket.jsonl"))
    refused(result, 2, "looks like survey responses (response_id, ticket_id, submitted_at")
    assert "give it with --surveys FILE" in result.stderr
    assert "--map" not in result.stderr


# -- file-system problems ----------------------------------------------------------------------


def test_a_directory_as_input() -> None:
    refused(cli("report", CORPUS), 4, f"{CORPUS}: is a directory, not a file")


def test_a_directory_as_survey_input() -> None:
    refused(cli("report", bad("good_tickets.csv"), "--surveys", CORPUS), 4, "is a directory")


def test_a_missing_file() -> None:
    refused(cli("report", bad("no_such_export.csv")), 4, "no_such_export.csv: no such file")


def test_a_glob_that_matches_nothing() -> None:
    pattern = bad("nothing_like_this_*.csv")
    refused(cli("report", pattern), 4, f"no file matches '{pattern}'")
    refused(cli("report", bad("good_tickets.csv"), "--surveys", pattern), 4, "no file matches")


def test_a_glob_that_matches_only_directories(tmp_path: Path) -> None:
    (tmp_path / "exports.csv").mkdir()
    refused(cli("report", str(tmp_path / "export*.csv")), 4, "no file matches")


def test_a_path_through_a_file() -> None:
    """Unreadable even for root: a path whose parent is a file (ENOTDIR)."""
    path = bad("good_tickets.csv") + "/tickets.csv"
    refused(cli("report", path), 4, "good_tickets.csv/tickets.csv: cannot read the file")


def test_an_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Mode 000; root ignores modes, so there the reader's open() is made to refuse too."""
    path = tmp_path / "locked.csv"
    path.write_text(make_corpus.GOOD_CSV)
    path.chmod(0)
    if os.access(path, os.R_OK):  # running as root
        real_open = open

        def denied(file: Any, *args: Any, **kwargs: Any) -> Any:
            if str(file) == str(path):
                raise PermissionError(13, "Permission denied", str(file))
            return real_open(file, *args, **kwargs)

        monkeypatch.setattr(source, "open", denied, raising=False)
    try:
        refused(cli("report", path), 4, "locked.csv: cannot read the file (Permission denied)")
    finally:
        path.chmod(0o644)


def test_a_glob_skips_a_fifo(tmp_path: Path) -> None:
    """A FIFO matched by a glob is not opened (nothing may ever write to it: no hang)."""
    os.mkfifo(tmp_path / "pipe.csv")
    (tmp_path / "real.csv").write_text(make_corpus.GOOD_CSV)
    previous = signal.signal(signal.SIGALRM, _timeout)
    signal.alarm(30)
    try:
        _, doc = report(str(tmp_path / "*.csv"))
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert doc["data_quality"]["tickets"] == frame(3, 3)


def _timeout(*_: object) -> None:
    raise TimeoutError("cskpi blocked opening a FIFO")


def test_a_pipe_is_read_whole(tmp_path: Path) -> None:
    """`cskpi report <(zcat export.csv.gz) --input-format csv`: the path is a pipe that can be
    read once; its first 8 KiB (the header) must not be lost."""
    rows = "".join(f"T{i},2024-03-01 09:{i % 60:02d},,,open,kim,email\n" for i in range(2000))
    data = (make_corpus.GOOD_HEADER + rows).encode()
    assert len(data) > 3 * 8192
    read_end, write_end = os.pipe()
    writer = threading.Thread(target=_feed, args=(write_end, data))
    writer.start()
    try:
        _, doc = report(f"/dev/fd/{read_end}", "--input-format", "csv", "-k", "tickets_created")
    finally:
        os.close(read_end)  # a run that never read would leave the writer blocked
        writer.join(timeout=30)
    assert doc["data_quality"]["tickets"] == frame(2000, 2000)


def _feed(fd: int, data: bytes) -> None:
    with contextlib.suppress(BrokenPipeError), os.fdopen(fd, "wb") as out:
        out.write(data)


# -- the run goes on: exact counts ------------------------------------------------------------


def test_header_only_csv() -> None:
    _, doc = report(bad("header_only.csv"))
    assert doc["data_quality"] == {"tickets": frame(0, 0), "surveys": NO_SURVEYS}
    assert doc["overall"]["tickets_created"] == 0


def test_header_only_tsv() -> None:
    _, doc = report(bad("header_only.tsv"))
    assert doc["data_quality"]["tickets"] == frame(0, 0)


def test_inconsistent_field_counts() -> None:
    """Too many fields: skipped and counted with its line; too few: padded, used and flagged
    (DECISIONS 44, line 4: T3); trailing empty extra fields: kept."""
    result, doc = report(bad("field_counts.csv"))
    assert doc["data_quality"]["tickets"] == frame(
        4, 3, dropped={"malformed_line": 1}, issues={"short_line": 1}
    )
    assert "field_counts.csv:3" in result.stderr
    assert "1 short line: flagged (e.g. " in result.stderr
    assert "field_counts.csv:4)" in result.stderr


def test_unterminated_quote_costs_one_line() -> None:
    result, doc = report(bad("unterminated_quote.csv"))
    assert doc["data_quality"]["tickets"] == frame(3, 2, dropped={"malformed_line": 1})
    assert "unterminated_quote.csv:3" in result.stderr


def test_jsonl_with_bad_lines() -> None:
    result, doc = report(bad("bad_line.jsonl"))
    assert doc["data_quality"]["tickets"] == frame(
        4, 2, dropped={"malformed_line": 2}, issues={"resolved_without_timestamp": 1}
    )
    assert "bad_line.jsonl:2" in result.stderr and "bad_line.jsonl:3" in result.stderr


def test_mixed_encodings_cost_the_foreign_line() -> None:
    """A UTF-8 file with one CP949 line: the Korean UTF-8 rows survive, the CP949 line is a
    malformed line with its number."""
    result, doc = report(bad("mixed_encoding.csv"), "--by", "agent", "-k", "tickets_created")
    assert doc["data_quality"]["tickets"] == frame(3, 2, dropped={"malformed_line": 1})
    assert "mixed_encoding.csv:3" in result.stderr
    assert {row["agent"] for row in doc["rows"]} == {"김민수", "kim"}


def test_mixed_encodings_under_strict() -> None:
    result = cli("report", bad("mixed_encoding.csv"), "--strict", "-f", "json")
    assert result.exit_code == 4
    assert "malformed line" in result.stderr and "mixed_encoding.csv:3" in result.stderr


def test_mixed_encodings_in_json_lines_and_json(tmp_path: Path) -> None:
    """JSON Lines skips the foreign line like CSV; a JSON document cannot skip a line, so it is
    refused with the line number."""
    records = [
        dict(r, assignee=name)
        for r, name in zip(make_corpus.TICKET_RECORDS, ["김민수", "이서연"], strict=True)
    ]
    lines = [json.dumps(r, ensure_ascii=False).encode("utf-8") for r in records]
    lines[1] = json.dumps(records[1], ensure_ascii=False).encode("cp949")
    jsonl = tmp_path / "mixed.jsonl"
    jsonl.write_bytes(b"\n".join(lines) + b"\n")
    result, doc = report(jsonl, "-k", "tickets_created")
    assert doc["data_quality"]["tickets"]["read"] == 2
    assert doc["data_quality"]["tickets"]["dropped"] == {"malformed_line": 1}
    assert "mixed.jsonl:2" in result.stderr
    document = tmp_path / "mixed.json"
    document.write_bytes(b"[\n" + b",\n".join(lines) + b"\n]\n")
    refused(
        cli("report", document),
        4,
        "mixed.json: line 3: not UTF-8 like the rest of the file",
        "save the file as UTF-8",
    )


def test_unknown_encoding_names_the_line(tmp_path: Path) -> None:
    # 0x80 0x82: a run of two bytes (no CP1252 letter alone in a word), neither CP949 nor CP932
    path = tmp_path / "odd.csv"
    path.write_bytes(b"Ticket ID,Created At,Agent\nT1,2024-03-01,Jo\x80\x82\x80\x82\n")
    refused(
        cli("report", path),
        4,
        "odd.csv: line 2: not UTF-8 (byte 0x80 at offset 43), CP1252, CP949 or CP932 text",
        "use --encoding NAME",
    )
    _, doc = report(path, "--encoding", "latin-1", "--by", "agent", "-k", "tickets_created")
    assert doc["rows"][0]["agent"] == "Jo\x80\x82\x80\x82"


def test_latin1_export_reads_as_cp1252(tmp_path: Path) -> None:
    """`José` saved by a European Excel (0xE9 alone in a word): CP1252, not refused."""
    path = tmp_path / "latin1.csv"
    path.write_bytes("Ticket ID,Created At,Agent\nT1,2024-03-01,José\n".encode("latin-1"))
    _, doc = report(path, "--by", "agent", "-k", "tickets_created")
    assert doc["rows"][0]["agent"] == "José"


def test_utf16_with_and_without_a_bom(tmp_path: Path) -> None:
    with_bom = tmp_path / "excel.tsv"
    with_bom.write_bytes(make_corpus.GOOD_CSV.replace(",", "\t").encode("utf-16"))
    _, doc = report(with_bom)
    assert doc["data_quality"]["tickets"] == frame(3, 3)
    bare = tmp_path / "bare.csv"
    bare.write_bytes(make_corpus.GOOD_CSV.encode("utf-16-le"))
    refused(cli("report", bare), 4, "bare.csv: looks like UTF-16-LE text", "--encoding utf-16-le")
    _, doc = report(bare, "--encoding", "utf-16-le")
    assert doc["data_quality"]["tickets"] == frame(3, 3)


def test_nul_bytes_cost_their_line() -> None:
    result, doc = report(bad("nul_bytes.csv"))
    assert doc["data_quality"]["tickets"] == frame(3, 2, dropped={"malformed_line": 1})
    assert "nul_bytes.csv:3" in result.stderr


def test_nul_byte_in_the_header(tmp_path: Path) -> None:
    path = tmp_path / "nul.csv"
    path.write_bytes(make_corpus.GOOD_CSV.replace("Status", "Sta\x00tus").encode())
    refused(cli("report", path), 4, "nul.csv: line 1: cannot read the header (NUL byte")


def test_duplicate_headers_read_the_first() -> None:
    """`Created At` twice: the first one is the creation time (2024), the copy is kept as
    `Created At.1` and not used."""
    _, doc = report(bad("duplicate_headers.csv"), "--by", "agent", "-k", "tickets_created")
    assert doc["data_quality"]["tickets"] == frame(2, 2)
    assert doc["window"]["since"].startswith("2024-03-01")
    assert {r["agent"]: r["tickets_created"] for r in doc["rows"]} == {"kim": 1, "lee": 1}


@pytest.mark.parametrize(
    ("name", "phrase"),
    [
        ("duplicate_headers.csv", "column 'Assignee' appears more than once; read as 'Assignee.1'"),
    ],
)
def test_reader_warnings_reach_stderr(name: str, phrase: str) -> None:
    """What the reader noticed but did not count as a dropped row is still said (stderr)."""
    result, _ = report(bad(name))
    assert phrase in result.stderr, result.stderr
    # each line names the file once (the reader names it; normalising added it again)
    said = [line for line in result.stderr.splitlines() if phrase in line]
    assert said and all(line.count(f"{name}: ") == 1 for line in said), result.stderr


@pytest.mark.parametrize("name", ["crlf.tsv", "bom_crlf.csv"])
def test_line_endings_and_bom_change_nothing(name: str) -> None:
    """No `\\r` left in the last column, no BOM in the first header: same numbers as LF."""
    _, doc = report(bad(name), "--by", "channel", "-k", "tickets_created,frt_median")
    _, plain = report(
        bad("good_tickets.csv"), "--by", "channel", "-k", "tickets_created,frt_median"
    )
    assert doc["data_quality"]["tickets"] == frame(3, 3)
    assert doc["rows"] == plain["rows"]
    assert {r["channel"] for r in doc["rows"]} == {"chat", "email"}
    assert doc["overall"]["frt_median"] == 1800.0


def test_all_null_created_at_csv() -> None:
    result, doc = report(bad("null_created_at.csv"))
    assert doc["data_quality"]["tickets"] == frame(3, 0, dropped={"missing_created_at": 3})
    assert "3 missing created at" in result.stderr
    assert doc["overall"]["tickets_created"] == 0


@pytest.mark.parametrize("column", ["region", "escalated"])
def test_grouping_by_an_empty_column(column: str) -> None:
    """A column present but empty in every row groups everything under (none) (DECISIONS 10)."""
    _, doc = report(bad("empty_group_column.csv"), "--by", column, "-k", "tickets_created")
    assert doc["data_quality"]["tickets"] == frame(2, 2)
    assert doc["rows"] == [{column: "(none)", "tickets_created": 2, "tickets_created_n": 2}]


def test_all_null_created_at_parquet() -> None:
    _, doc = report(bad("null_created_at.parquet"))
    assert doc["data_quality"]["tickets"] == frame(2, 0, dropped={"missing_created_at": 2})


def test_binary_parquet_columns_are_read_as_text() -> None:
    """Binary columns decode as UTF-8; bytes that do not are an unparseable value, counted."""
    result, doc = report(bad("binary_column.parquet"), "-k", "tickets_created")
    assert doc["data_quality"]["tickets"] == frame(
        3, 1, dropped={"missing_ticket_id": 1, "unparseable_created_at": 1}
    )
    assert "binary_column.parquet:2" in result.stderr


def test_repeated_parquet_column_names() -> None:
    """`id` twice: the first is the ticket id, the second is kept as `id.1`."""
    _, doc = report(bad("duplicate_columns.parquet"), "--by", "id.1", "-k", "tickets_created")
    assert doc["data_quality"]["tickets"] == frame(2, 2)
    assert [r["id.1"] for r in doc["rows"]] == ["u1", "u2"]


def test_all_null_created_at_is_a_strict_failure() -> None:
    result = cli("report", bad("null_created_at.csv"), "--strict")
    assert result.exit_code == 4
    assert "--strict" in result.stderr


def test_unparseable_timestamps() -> None:
    """Year 10000 and month 13 cannot be read: the creation time drops the row; a bad reply
    or resolution time is an issue and leaves the ticket in."""
    result, doc = report(bad("bad_timestamps.csv"))
    assert doc["data_quality"]["tickets"] == frame(
        5,
        2,
        dropped={"unparseable_created_at": 3},
        issues={"unparseable_timestamp": 2, "resolved_without_timestamp": 1},
    )
    assert "bad_timestamps.csv:3" in result.stderr


def test_quality_examples_are_distinct() -> None:
    """One row with two bad timestamps is one place, shown once."""
    result, _ = report(bad("bad_timestamps.csv"))
    line = next(x for x in result.stderr.splitlines() if "unparseable timestamp" in x)
    found = re.search(r"\(e\.g\. ([^)]*)\)", line)
    assert found is not None, line
    places = found.group(1).split(", ")
    assert len(places) == len(set(places)), line


def test_unparseable_timestamps_json() -> None:
    _, doc = report(bad("bad_timestamps.json"))
    assert doc["data_quality"]["tickets"] == frame(2 + 2, 2, dropped={"unparseable_created_at": 2})


def test_unparseable_timestamps_xlsx() -> None:
    """Month 13 as text and serial day 106751992 (past 9999-12-31) cannot be read."""
    result, doc = report(bad("bad_values.xlsx"))
    assert doc["data_quality"]["tickets"] == frame(
        5,
        2,
        dropped={"missing_ticket_id": 1, "unparseable_created_at": 2},
        issues={"first_response_before_created": 1},
    )
    assert "bad_values.xlsx:5" in result.stderr and "bad_values.xlsx:6" in result.stderr


def test_years_0001_and_9999_parse_but_are_implausible() -> None:
    """DECISIONS 23: years 0001–9999 parse; DECISIONS 40: before 1970 or after the clock + 1
    day they are implausible. T2 (created 0001) and T3 (created 9999) are dropped; T4 keeps
    its row but loses its reply (9999) and its resolution (0001), so its `solved` status has
    no time. as_of = the latest plausible time: T4 created 2024-03-02 08:00; the window runs
    from the day of T1 (2024-03-01) through the as-of day."""
    _, doc = report(bad("extreme_years.csv"))
    assert doc["data_quality"]["tickets"] == frame(
        4,
        2,
        dropped={"implausible_created_at": 2},
        issues={
            "implausible_first_response_at": 1,
            "implausible_resolved_at": 1,
            "resolved_without_timestamp": 1,
        },
    )
    assert doc["as_of"] == "2024-03-02T08:00:00+00:00"
    assert doc["window"]["since"] == "2024-03-01T00:00:00+00:00"
    assert doc["window"]["until"] == "2024-03-03T00:00:00+00:00"


def test_year_0001_in_the_window_line(tmp_path: Path) -> None:
    """The stderr window line writes four-digit years (strftime gives `1-01-01` on Linux)."""
    path = tmp_path / "old.csv"
    path.write_text("Ticket ID,Created At\nT1,0001-01-01 00:00\nT2,2024-03-01 09:00\n")
    result, doc = report(path, "-k", "tickets_created", "--since", "0001-01-01")
    assert doc["data_quality"]["tickets"] == frame(2, 1, dropped={"implausible_created_at": 1})
    assert "window 0001-01-01 00:00 → 2024-03-02 00:00" in result.stderr, result.stderr


def test_responses_and_resolutions_before_creation() -> None:
    """DECISIONS 9: negative durations leave FRT/resolution populations, and are counted."""
    _, doc = report(
        bad("before_creation.csv"),
        "-k",
        "tickets_created,frt_median,resolution_time_median,response_rate",
    )
    assert doc["data_quality"]["tickets"] == frame(
        4, 4, issues={"first_response_before_created": 2, "resolved_before_created": 2}
    )
    overall = doc["overall"]
    assert (overall["frt_median"], overall["frt_median_n"]) == (1500.0, 2)
    assert (overall["resolution_time_median"], overall["resolution_time_median_n"]) == (3600.0, 2)
    assert overall["response_rate"] == 1.0


def test_negative_and_absurd_durations() -> None:
    """`-5` minutes is a reply before creation (counted); `1e20` s, `inf`, `nan` and `soon`
    are not durations: counted, never a crash, never in a mean."""
    _, doc = report(bad("bad_durations.csv"), "-k", "frt_median,resolution_time_median")
    tickets = doc["data_quality"]["tickets"]
    assert (tickets["read"], tickets["used"], tickets["dropped"]) == (5, 5, {})
    issues = dict(tickets["issues"])
    assert issues.pop("first_response_before_created") == 1  # T2: -5 minutes
    assert issues.pop("resolved_before_created") == 1  # T4: -1 second
    assert sum(issues.values()) == 4, issues  # soon, inf (FRT); 1e20, nan (resolution)
    overall = doc["overall"]
    assert (overall["frt_median"], overall["frt_median_n"]) == (750.0, 2)  # 10 and 15 min
    assert (overall["resolution_time_median"], overall["resolution_time_median_n"]) == (5400.0, 2)


def test_negative_and_absurd_durations_tsv() -> None:
    """Clock durations: `-00:10:00` is before creation; `99999999:00:00` (year 13432) is out of
    the timestamp range; handle times -30 s and 1e300 s are not usable."""
    _, doc = report(bad("bad_durations.tsv"), "-k", "frt_median,aht")
    tickets = doc["data_quality"]["tickets"]
    assert (tickets["read"], tickets["used"], tickets["dropped"]) == (3, 3, {})
    issues = dict(tickets["issues"])
    issues.pop("resolved_without_timestamp", None)
    assert issues.pop("first_response_before_created") == 1
    assert sum(issues.values()) == 3, issues  # 99999999 h reply; -30 s, 1e300 s handle time
    assert (doc["overall"]["frt_median"], doc["overall"]["frt_median_n"]) == (600.0, 1)


def test_absurd_counts_are_not_numbers(tmp_path: Path) -> None:
    """Counts must be whole, finite and not negative: `1e20`, `inf`, `2.5`, `-1`, `abc` are
    counted as issues and never reach a mean (1e20 must not wrap to -9223372036854775808)."""
    path = tmp_path / "counts.csv"
    path.write_text(
        "Ticket ID,Created At,Resolved At,Status,Agent Replies,Reopens\n"
        "T1,2024-03-01 09:00,2024-03-01 10:00,solved,1,0\n"
        "T2,2024-03-01 12:00,2024-03-01 13:00,solved,3,0\n"
        "T3,2024-03-02 08:00,2024-03-02 10:00,solved,1e20,0\n"
        "T4,2024-03-02 09:00,2024-03-02 10:00,solved,inf,-1\n"
        "T5,2024-03-02 11:00,2024-03-02 12:00,solved,2.5,abc\n"
    )
    _, doc = report(path, "-k", "agent_replies_mean,reopen_rate")
    tickets = doc["data_quality"]["tickets"]
    assert (tickets["read"], tickets["used"], tickets["dropped"]) == (5, 5, {})
    assert (doc["overall"]["agent_replies_mean"], doc["overall"]["agent_replies_mean_n"]) == (
        2.0,
        2,
    )
    assert doc["overall"]["reopen_rate_n"] == 3
    issues = tickets["issues"]
    assert sum(n for r, n in issues.items() if "agent_replies" in r) == 3, issues
    assert sum(n for r, n in issues.items() if "reopens" in r) == 2, issues


def test_survey_scores_outside_the_scale() -> None:
    """CSAT 9 and -1 on 1–5, NPS 11 and -1 on 0–10: counted, kept out of CSAT/NPS."""
    result, doc = report(
        bad("good_tickets.csv"), "--surveys", bad("surveys_out_of_scale.csv"), "-k", "csat,nps"
    )
    assert doc["data_quality"]["surveys"] == frame(6, 6, issues={"score_out_of_scale": 4})
    assert doc["data_quality"]["tickets"] == frame(3, 3)
    overall = doc["overall"]
    assert (overall["csat"], overall["csat_n"]) == (1.0, 1)
    assert (overall["nps"], overall["nps_n"]) == (100.0, 1)
    assert "4 score out of scale" in result.stderr


def test_surveys_pointing_at_unknown_tickets() -> None:
    """Kept and counted; grouped under (unknown) for ticket columns (DECISIONS 7)."""
    result, doc = report(
        bad("good_tickets.csv"),
        "--surveys",
        bad("surveys_unknown_ticket.jsonl"),
        "-k",
        "csat",
        "--by",
        "agent",
    )
    assert doc["data_quality"]["surveys"] == frame(3, 3, issues={"survey_unknown_ticket": 2})
    rows = {r["agent"]: r["csat_n"] for r in doc["rows"]}
    assert rows == {"(unknown)": 2, "kim": 1}
    assert sum(rows.values()) == doc["overall"]["csat_n"] == 3
    assert "T404" in result.stderr


def test_surveys_from_a_broken_file() -> None:
    refused(
        cli("report", bad("good_tickets.csv"), "--surveys", bad("truncated.csv.gz")),
        4,
        "truncated.csv.gz: truncated or corrupt gzip file",
    )


# -- size ------------------------------------------------------------------------------------

TEN_MB = 10 * 2**20


def test_ten_megabyte_field_in_a_row(tmp_path: Path) -> None:
    """A 10 MB quoted description with commas and newlines: big enough for the pyarrow path."""
    body = ("lorem ipsum, dolor\n" * (TEN_MB // 19 + 1))[:TEN_MB]
    path = tmp_path / "long.csv"
    path.write_text(
        "Ticket ID,Created At,Status,Description\n"
        f'T1,2024-03-01 09:00,open,"{body}"\n'
        "T2,2024-03-01 10:00,open,short\n"
    )
    _, doc = report(path, "-k", "tickets_created")
    assert doc["data_quality"]["tickets"] == frame(2, 2)


def test_ten_megabyte_single_field(tmp_path: Path) -> None:
    """The whole file one 10 MB field: no header the tool can use, said in a short message
    (the column name it found is not echoed in full)."""
    path = tmp_path / "blob.csv"
    path.write_text("x" * TEN_MB)
    refused(cli("report", path), 4, "blob.csv: no column for ticket_id, created_at")


def test_ten_megabyte_json_string(tmp_path: Path) -> None:
    path = tmp_path / "blob.json"
    path.write_text(json.dumps("x" * TEN_MB))
    refused(cli("report", path), 4, "blob.json: no records found")


def test_deeply_nested_json(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    refused(cli("report", path), 4, "deep.json: JSON nested too deeply")
    lines = tmp_path / "deep.jsonl"
    lines.write_text(
        json.dumps(make_corpus.TICKET_RECORDS[0])
        + "\n"
        + '{"a":' * 100_000
        + "1"
        + "}" * 100_000
        + "\n"
    )
    _, doc = report(lines, "-k", "tickets_created")
    assert doc["data_quality"]["tickets"] == frame(
        2, 1, dropped={"malformed_line": 1}, issues={"resolved_without_timestamp": 1}
    )


# -- invariant over the whole corpus (DECISIONS 32) -------------------------------------------

SURVEY_FILES = {"surveys_out_of_scale.csv", "surveys_unknown_ticket.jsonl"}


@pytest.mark.parametrize("name", FILES)
def test_nothing_is_lost(name: str) -> None:
    """Every corpus file that loads: read = used + out_of_window + Σ dropped, both frames, and
    the same with a window that leaves rows out. Files that do not load exit 4, never 1."""
    if name in SURVEY_FILES:
        args: tuple[str, ...] = (bad("good_tickets.csv"), "--surveys", bad(name))
    else:
        args = (bad(name),)
    for window in ((), ("--since", "2024-03-01T10:00", "--until", "2024-03-01")):
        result = cli("report", *args, *window, "-f", "json")
        assert result.exit_code in (0, 4), (result.exit_code, result.stderr)
        if result.exit_code == 4:
            break
        quality = json.loads(result.stdout)["data_quality"]
        for which in ("tickets", "surveys"):
            q = quality[which]
            assert q["read"] == q["used"] + q["out_of_window"] + sum(q["dropped"].values()), (
                which,
                window,
                q,
            )
            assert min(q["used"], q["out_of_window"], *q["dropped"].values(), 0) == 0, q


LOADABLE = [name for name in FILES if name not in {n for n, a, _ in REFUSED if not a}]
"""The files the readers accept (the refused ones are checked for `validate` above)."""


@pytest.mark.parametrize("name", LOADABLE)
@pytest.mark.parametrize("command", ["validate", "peak"])
def test_other_commands_never_crash(command: str, name: str) -> None:
    # peak over the default window of extreme_years.csv (0001 → 9999) takes seconds: one week
    window = ("--last", "7d") if name == "extreme_years.csv" and command == "peak" else ()
    result = cli(command, bad(name), *window)
    # a survey file in the tickets' place is a usage error naming --surveys (issue 22)
    expected = (2,) if name in SURVEY_FILES else (0, 4)
    assert result.exit_code in expected, (result.exit_code, result.stderr)


def test_repeat_contact_without_resolution_times_is_refused(tmp_path: Path) -> None:
    """`repeat_contact_rate` measures its horizon from `resolved_at`: an export without it
    (nor a duration or a close time to derive it from) is refused by name, like the other
    resolution KPIs, where it was an internal error (found by `make fuzz`)."""
    path = tmp_path / "tickets.csv"
    path.write_text(
        "ticket_id,conversation_started_at,customer,agent_replies\nT1,2000-01-01T00:00:00Z,C1,0\n",
        encoding="utf-8",
    )
    result = cli("report", path, "-k", "repeat_contact_rate")
    refused(result, 4, "KPI repeat_contact_rate needs a resolved_at column")
    # with resolution times it is computed: T1 resolved 01-01 01:00, its 7-day horizon is
    # before as_of, and its customer opened no later ticket → 0 of 1
    path.write_text(
        "ticket_id,created_at,resolved_at,customer_id\n"
        "T1,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,C1\n",
        encoding="utf-8",
    )
    result = cli(
        "report",
        path,
        "-k",
        "repeat_contact_rate",
        "-f",
        "json",
        "--since",
        "2024-01-01",
        "--until",
        "2024-03-31",
        "--as-of",
        "2024-03-31T00:00:00Z",
    )
    assert result.exit_code == 0, result.stderr
    overall = json.loads(result.stdout)["overall"]
    assert overall["repeat_contact_rate"] == 0.0 and overall["repeat_contact_rate_n"] == 1
