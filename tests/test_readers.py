"""cskpi.load.readers: every format, encodings, malformed lines, and each user error."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import gzip
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cskpi.errors import InputError, UsageError
from cskpi.load import readers
from cskpi.load.readers import (
    FORMATS,
    FileInfo,
    Malformed,
    csv_arrow,
    detect_format,
    read_inputs,
    source,
)


def write(path: Path, content: str | bytes) -> str:
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return str(path)


def values(frame: pd.DataFrame, column: str) -> list[Any]:
    """Column values with every kind of missing shown as None."""
    return [None if pd.isna(v) else v for v in frame[column].tolist()]


@pytest.fixture(params=["csv-module", "pyarrow"])
def csv_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a CSV test through the small-file path and the big-file (pyarrow) path."""
    if request.param == "pyarrow":
        monkeypatch.setattr(csv_arrow, "_PYARROW_MIN_BYTES", 0)
    return str(request.param)


# --- format detection ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("t.csv", "csv"),
        ("t.TSV", "tsv"),
        ("t.json", "json"),
        ("t.jsonl", "jsonl"),
        ("t.ndjson", "jsonl"),
        ("dir.v2/t.parquet", "parquet"),
        ("t.xlsx", "xlsx"),
        ("t.csv.gz", "csv"),
        ("t.NDJSON.GZ", "jsonl"),
    ],
)
def test_detect_format(name: str, fmt: str) -> None:
    assert detect_format(name) == fmt


def test_formats_constant() -> None:
    assert FORMATS == ("csv", "tsv", "json", "jsonl", "parquet", "xlsx")


def test_unsupported_extension(tmp_path: Path) -> None:
    path = write(tmp_path / "x.foo", "a\n1\n")
    with pytest.raises(InputError) as err:
        read_inputs([path])
    assert str(err.value) == (
        f"{path}: unsupported format '.foo'; use --input-format csv|tsv|json|jsonl|parquet|xlsx"
    )
    with pytest.raises(InputError, match="no extension to tell the format"):
        detect_format("export")


def test_input_format_overrides_extension(tmp_path: Path) -> None:
    path = write(tmp_path / "x.txt", "a\tb\n1\t2\n")
    raw = read_inputs([path], input_format="tsv")
    assert raw.frame.to_dict("list") == {"a": ["1"], "b": ["2"]}
    assert raw.files == (FileInfo(path, "tsv", "utf-8", 1),)


def test_unknown_input_format_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="unknown input format 'xls'"):
        read_inputs([write(tmp_path / "x.csv", "a\n1\n")], input_format="xls")


def test_module_top_imports_no_heavy_library() -> None:
    code = "import sys, cskpi.load.readers; print(sorted({'pandas','numpy','pyarrow'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --- CSV / TSV -----------------------------------------------------------------------------


def test_csv_values_stay_text(tmp_path: Path, csv_path: str) -> None:
    path = write(tmp_path / "t.csv", 'id,score,note\n000123,5,\n0042,4.50,"a, b"\n')
    raw = read_inputs([path])
    assert values(raw.frame, "id") == ["000123", "0042"]
    assert values(raw.frame, "score") == ["5", "4.50"]
    assert values(raw.frame, "note") == [None, "a, b"]
    assert all(not pd.api.types.is_numeric_dtype(t) for t in raw.frame.dtypes)
    assert raw.source_line.tolist() == [2, 3]
    assert raw.source_file.tolist() == [0, 0]
    assert raw.malformed == ()


def test_csv_big_file_path_uses_pyarrow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csv_arrow, "_PYARROW_MIN_BYTES", 0)
    called: list[str] = []
    monkeypatch.setattr(csv_arrow, "csv_module", lambda *a: called.append("module"))
    raw = read_inputs([write(tmp_path / "t.csv", 'a,b\n1,"x\ny"\n\n2,z\n')])
    assert called == []
    assert raw.frame.to_dict("list") == {"a": ["1", "2"], "b": ["x\ny", "z"]}
    assert raw.source_line.tolist() == [2, 5]


def test_tsv(tmp_path: Path, csv_path: str) -> None:
    raw = read_inputs([write(tmp_path / "t.tsv", "id\tteam\n007\tBilling, EU\n")])
    assert raw.frame.to_dict("list") == {"id": ["007"], "team": ["Billing, EU"]}


def test_malformed_lines_are_skipped_with_physical_line_numbers(
    tmp_path: Path, csv_path: str
) -> None:
    text = (
        "id,body,n\n"  # line 1
        '1,"two\nlines",1\n'  # lines 2-3
        "2,b,2,EXTRA\n"  # line 4: too many fields -> malformed
        "\n"  # line 5: empty, ignored
        "3,c\n"  # line 6: too few -> padded
        "4,d,4,,\n"  # line 7: extra fields all empty -> kept
        '5,"open,5\n'  # line 8: quote never closed -> malformed, reading resumes at 9
        "6,f,6\n"  # line 9
    )
    path = write(tmp_path / "t.csv", text)
    raw = read_inputs([path])
    assert raw.malformed == (
        Malformed(path, 4, "4 fields, expected 3"),
        Malformed(path, 8, "unterminated quoted field"),
    )
    assert values(raw.frame, "id") == ["1", "3", "4", "6"]
    assert values(raw.frame, "body") == ["two\nlines", "c", "d", "f"]
    assert values(raw.frame, "n") == ["1", None, "4", "6"]
    assert raw.source_line.tolist() == [2, 6, 7, 9]
    assert raw.files[0].rows == 4
    assert raw.short is not None and raw.short.tolist() == [1]  # "3,c": the second row kept


def test_crlf_and_no_final_newline(tmp_path: Path, csv_path: str) -> None:
    raw = read_inputs([write(tmp_path / "t.csv", 'a,b\r\n1,"x\r\ny"\r\n\r\n2,z')])
    assert raw.frame.to_dict("list") == {"a": ["1", "2"], "b": ["x\r\ny", "z"]}
    assert raw.source_line.tolist() == [2, 5]


def test_header_only_csv_gives_no_rows(tmp_path: Path, csv_path: str) -> None:
    raw = read_inputs([write(tmp_path / "t.csv", "id,status\n")])
    assert list(raw.frame.columns) == ["id", "status"]
    assert len(raw.frame) == 0
    assert raw.source_line.tolist() == []


def test_blank_only_csv_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", "\n\n")
    with pytest.raises(InputError, match="no header line"):
        read_inputs([path])


def test_duplicate_and_unnamed_columns(tmp_path: Path, csv_path: str) -> None:
    # trailing comma = unnamed empty column (dropped); second "id" read as "id.1"
    raw = read_inputs([write(tmp_path / "t.csv", "id,id,,\n1,2,x,\n")])
    assert raw.frame.to_dict("list") == {"id": ["1"], "id.1": ["2"], "Unnamed: 2": ["x"]}
    assert any("'id' appears more than once; read as 'id.1'" in w for w in raw.warnings)


def test_csv_column_pruning(tmp_path: Path, csv_path: str) -> None:
    seen: list[list[str]] = []

    def pick(header: list[str]) -> list[str]:
        seen.append(header)
        return ["c", "a", "missing"]

    raw = read_inputs([write(tmp_path / "t.csv", "a,b,c\n1,2,3\n")], columns=pick)
    assert seen == [["a", "b", "c"]]
    assert raw.frame.to_dict("list") == {"a": ["1"], "c": ["3"]}  # file order


def test_pruning_to_no_column_keeps_the_rows(tmp_path: Path, csv_path: str) -> None:
    raw = read_inputs([write(tmp_path / "t.csv", "a\n1\n2\n")], columns=lambda h: [])
    assert raw.frame.shape == (2, 0)


row_text = st.text(alphabet=st.sampled_from(list('ab,"\n\r 가')), max_size=6)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(st.lists(row_text, min_size=2, max_size=2), max_size=6))
def test_both_csv_paths_agree(tmp_path: Path, rows: list[list[str]]) -> None:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([["k", "v"], *rows])
    path = write(tmp_path / "p.csv", buf.getvalue())
    small = read_inputs([path])
    csv_arrow._PYARROW_MIN_BYTES, saved = 0, csv_arrow._PYARROW_MIN_BYTES
    try:
        big = read_inputs([path])
    finally:
        csv_arrow._PYARROW_MIN_BYTES = saved
    pd.testing.assert_frame_equal(small.frame, big.frame)
    assert small.source_line.tolist() == big.source_line.tolist()
    assert small.malformed == big.malformed


# --- gzip, globs, stdin, several files -----------------------------------------------------


def test_gzip_csv_and_jsonl(tmp_path: Path) -> None:
    a = write(tmp_path / "a.csv.gz", gzip.compress(b"id\n001\n"))
    b = write(tmp_path / "b.jsonl.gz", gzip.compress(b'{"id": "002"}\n'))
    raw = read_inputs([a, b])
    assert values(raw.frame, "id") == ["001", "002"]
    assert [f.format for f in raw.files] == ["csv", "jsonl"]


def test_truncated_gzip(tmp_path: Path) -> None:
    path = write(tmp_path / "x.csv.gz", gzip.compress(b"id\n1\n" * 100)[:20])
    with pytest.raises(InputError) as err:
        read_inputs([path])
    assert str(err.value) == f"{path}: truncated or corrupt gzip file"


def test_globs_are_read_in_sorted_order(tmp_path: Path) -> None:
    for name in ("b.csv", "a.csv", "c.csv"):
        write(tmp_path / name, f"id,src\n1,{name}\n")
    (tmp_path / "d.csv").mkdir()  # directories matching a glob are skipped
    raw = read_inputs([str(tmp_path / "*.csv")])
    assert values(raw.frame, "src") == ["a.csv", "b.csv", "c.csv"]
    assert raw.source_file.tolist() == [0, 1, 2]
    assert [Path(f.path).name for f in raw.files] == ["a.csv", "b.csv", "c.csv"]


def test_glob_matching_nothing(tmp_path: Path) -> None:
    pattern = str(tmp_path / "x*.csv")
    with pytest.raises(InputError) as err:
        read_inputs([pattern])
    assert str(err.value) == f"no file matches '{pattern}'"


def test_existing_name_with_brackets_is_not_a_glob(tmp_path: Path) -> None:
    raw = read_inputs([write(tmp_path / "export [1].csv", "id\n1\n")])
    assert len(raw.frame) == 1


def test_files_with_different_headers_are_united(tmp_path: Path) -> None:
    a = write(tmp_path / "a.csv", "id,agent\n1,kim\n2,lee\n")
    b = write(tmp_path / "b.json", '[{"id": "3", "team": "T1"}]')
    raw = read_inputs([a, b])
    assert list(raw.frame.columns) == ["id", "agent", "team"]
    assert values(raw.frame, "agent") == ["kim", "lee", None]
    assert values(raw.frame, "team") == [None, None, "T1"]
    assert raw.source_file.tolist() == [0, 0, 1]
    assert raw.source_line.tolist() == [2, 3, 1]


def test_stdin_needs_input_format() -> None:
    with pytest.raises(UsageError) as err:
        read_inputs(["-"], stdin=io.BytesIO(b"id\n1\n"))
    assert str(err.value) == "reading standard input needs --input-format"


def test_stdin_with_input_format() -> None:
    raw = read_inputs(["-"], input_format="csv", stdin=io.BytesIO(b"id\n0001\n"))
    assert values(raw.frame, "id") == ["0001"]
    assert raw.files == (FileInfo("-", "csv", "utf-8", 1),)


def test_stdin_gzip_parquet() -> None:
    buf = io.BytesIO()
    pq.write_table(pa.table({"id": [1, 2]}), buf)
    raw = read_inputs(
        ["-"], input_format="parquet", stdin=io.BytesIO(gzip.compress(buf.getvalue()))
    )
    assert raw.frame["id"].tolist() == [1, 2]


def test_stdin_that_is_a_terminal() -> None:
    class Terminal(io.BytesIO):
        def isatty(self) -> bool:
            return True

    with pytest.raises(UsageError, match="standard input is a terminal"):
        read_inputs(["-"], input_format="csv", stdin=Terminal(b""))


def test_empty_stdin() -> None:
    with pytest.raises(InputError, match="<stdin>: the input is empty"):
        read_inputs(["-"], input_format="csv", stdin=io.BytesIO(b""))


# --- file errors ---------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    path = str(tmp_path / "x.csv")
    with pytest.raises(InputError) as err:
        read_inputs([path])
    assert str(err.value) == f"{path}: no such file"


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        read_inputs([str(tmp_path)])
    assert str(err.value) == f"{tmp_path}: is a directory, not a file"


def test_empty_file(tmp_path: Path) -> None:
    path = write(tmp_path / "x.csv", b"")
    with pytest.raises(InputError) as err:
        read_inputs([path])
    assert str(err.value) == f"{path}: the file is empty"


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "x.csv", "id\n1\n")

    def denied(*args: object, **kwargs: object) -> Any:
        raise PermissionError(13, "Permission denied")

    # root ignores file modes, so simulate what open() does for an unreadable file
    monkeypatch.setattr(source, "open", denied, raising=False)
    with pytest.raises(InputError) as err:
        read_inputs([path])
    assert str(err.value) == f"{path}: cannot read the file (Permission denied)"


def test_binary_file(tmp_path: Path) -> None:
    path = write(tmp_path / "x.csv", b"PK\x03\x04\x00\x00binary")
    with pytest.raises(InputError) as err:
        read_inputs([path])
    assert str(err.value) == f"{path}: looks like a binary file, not CSV text"


# --- JSON / JSON Lines ---------------------------------------------------------------------


def test_json_array_values_are_text(tmp_path: Path) -> None:
    doc = [
        {"id": "000123", "n": 5, "x": 1.5, "ok": True, "none": None, "tags": ["a", 1]},
        {"id": 42, "via": {"channel": "email", "source": {"from": "a@b"}}, "tags": []},
    ]
    raw = read_inputs([write(tmp_path / "t.json", json.dumps(doc))])
    frame = raw.frame
    assert values(frame, "id") == ["000123", "42"]
    assert values(frame, "n") == ["5", None]
    assert values(frame, "x") == ["1.5", None]
    assert values(frame, "ok") == ["true", None]
    assert values(frame, "none") == [None, None]
    assert values(frame, "tags") == ['["a", 1]', None]
    assert values(frame, "via.channel") == [None, "email"]
    assert values(frame, "via.source.from") == [None, "a@b"]
    assert raw.source_line.tolist() == [1, 2]  # record index


@pytest.mark.parametrize(
    "doc",
    [
        {"tickets": [{"id": "1"}, {"id": "2"}], "count": 2},
        {"results": [{"id": "1"}, {"id": "2"}], "next_page": None},
        {"users": [{"name": "u"}], "tickets": [{"id": "1"}, {"id": "2"}]},
        {"tickets": [{"ticket": {"id": "1"}}, {"ticket": {"id": "2"}}]},
    ],
)
def test_json_api_objects(tmp_path: Path, doc: object) -> None:
    raw = read_inputs([write(tmp_path / "t.json", json.dumps(doc))])
    assert values(raw.frame, "id") == ["1", "2"]


def test_json_several_arrays_without_a_known_name(tmp_path: Path) -> None:
    path = write(tmp_path / "t.json", json.dumps({"users": [{"a": 1}], "groups": [{"b": 2}]}))
    with pytest.raises(InputError) as err:
        read_inputs([path])
    assert str(err.value) == (
        f"{path}: several arrays of records (users, groups); cannot tell which holds the rows"
    )


@pytest.mark.parametrize("doc", ["42", "[]", '{"tickets": [], "count": 0}', '{"id": 1}'])
def test_json_without_records(tmp_path: Path, doc: str) -> None:
    path = write(tmp_path / "t.json", doc)
    with pytest.raises(InputError) as err:
        read_inputs([path])
    assert str(err.value) == (
        f"{path}: no records found (expected an array of objects or an object holding one)"
    )


def test_json_invalid(tmp_path: Path) -> None:
    path = write(tmp_path / "t.json", '[{"id": 1,}]')
    with pytest.raises(InputError, match=r"t\.json: not valid JSON \(line 1, column 11"):
        read_inputs([path])


def test_json_array_with_a_non_object(tmp_path: Path) -> None:
    path = write(tmp_path / "t.json", '[{"id": 1}, 2]')
    with pytest.raises(InputError, match="record 2 is not an object"):
        read_inputs([path])


def test_json_lines_under_a_json_name(tmp_path: Path) -> None:
    raw = read_inputs([write(tmp_path / "t.json", '{"id": "1"}\n{"id": "2"}\n')])
    assert values(raw.frame, "id") == ["1", "2"]


def test_ndjson_ticket_wrapper_and_bad_lines(tmp_path: Path) -> None:
    lines = [
        json.dumps({"ticket": {"id": "0007", "via": {"channel": "web"}}}),  # 1
        "",  # 2
        "{not json",  # 3
        "[1, 2]",  # 4
        json.dumps({"ticket": {"id": 8}}),  # 5
    ]
    path = write(tmp_path / "t.ndjson", "\n".join(lines) + "\n")
    raw = read_inputs([path])
    assert values(raw.frame, "id") == ["0007", "8"]
    assert values(raw.frame, "via.channel") == ["web", None]
    assert raw.source_line.tolist() == [1, 5]
    assert [(m.line, m.reason.split(" (")[0]) for m in raw.malformed] == [
        (3, "not valid JSON"),
        (4, "not a JSON object"),
    ]


def test_jsonl_without_records(tmp_path: Path) -> None:
    path = write(tmp_path / "t.jsonl", "\n\n")
    with pytest.raises(InputError, match="no records found"):
        read_inputs([path])


def test_json_column_pruning(tmp_path: Path) -> None:
    path = write(tmp_path / "t.jsonl", '{"id": 1, "a": {"b": 2}, "c": 3}\n')
    raw = read_inputs([path], columns=lambda h: [n for n in h if n != "c"])
    assert list(raw.frame.columns) == ["id", "a.b"]


# --- encodings -----------------------------------------------------------------------------

KOREAN = "id,team,agent\n000123,고객지원팀,김민준\n2,기술지원,이서연\n"
JAPANESE = "id,team,agent\n000123,サポート,田中太郎\n2,技術サポート,佐藤花子\n"
# bytes that decode without error in both CP949 and CP932: only the heuristic can tell
KOREAN_AMBIGUOUS = "id,team,agent\n1,고객지원팀,김민준\n2,고객,정하은\n"
JAPANESE_AMBIGUOUS = "id,team,agent\n1,問い合わせ,田中太郎\n2,返金,佐藤花子\n"


def test_utf8_bom(tmp_path: Path, csv_path: str) -> None:
    data = codecs.BOM_UTF8 + "id,팀\n1,고객지원팀\n".encode()
    raw = read_inputs([write(tmp_path / "t.csv", data)])
    assert raw.frame.to_dict("list") == {"id": ["1"], "팀": ["고객지원팀"]}
    assert raw.files[0].encoding == "utf-8-sig"


@pytest.mark.parametrize(
    ("text", "encoding", "team", "agent", "ambiguous"),
    [
        (KOREAN, "cp949", "고객지원팀", "김민준", False),
        (JAPANESE, "cp932", "サポート", "田中太郎", False),
        (KOREAN_AMBIGUOUS, "cp949", "고객지원팀", "김민준", True),
        (JAPANESE_AMBIGUOUS, "cp932", "問い合わせ", "田中太郎", True),
    ],
)
def test_legacy_east_asian_encodings(
    tmp_path: Path, csv_path: str, text: str, encoding: str, team: str, agent: str, ambiguous: bool
) -> None:
    data = text.encode(encoding)
    if ambiguous:  # only meaningful when the other codec decodes the bytes too
        data.decode("cp932" if encoding == "cp949" else "cp949")
    raw = read_inputs([write(tmp_path / "t.csv", data)])
    assert raw.files[0].encoding == encoding
    assert values(raw.frame, "team")[0] == team
    assert values(raw.frame, "agent")[0] == agent
    assert values(raw.frame, "id")[0] in ("000123", "1")


def test_forced_encoding(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", KOREAN.encode("euc-kr"))
    raw = read_inputs([path], encoding="euc-kr")
    assert values(raw.frame, "agent")[0] == "김민준"
    assert raw.files[0].encoding == "euc_kr"


def test_forced_encoding_that_does_not_fit(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", "id\n" + "x" * 10 + "김\n")
    with pytest.raises(InputError) as err:
        read_inputs([path], encoding="ascii")
    assert str(err.value) == f"{path}: byte 0xea at offset 13 is not valid ascii"


def test_forced_utf8_skips_a_bom(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", codecs.BOM_UTF8 + b"id\n1\n")
    raw = read_inputs([path], encoding="UTF8")
    assert list(raw.frame.columns) == ["id"]
    assert raw.files[0].encoding == "utf-8-sig"


def test_unknown_encoding_name(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="unknown encoding 'klingon'"):
        read_inputs([write(tmp_path / "t.csv", "id\n1\n")], encoding="klingon")


def test_latin1_letters_read_as_cp1252(tmp_path: Path) -> None:
    # single non-ASCII bytes next to ASCII letters: Western European text (DECISIONS 47)
    path = write(tmp_path / "t.csv", "id,name\n1,Ærø\xff\n".encode("latin-1"))
    raw = read_inputs([path])
    assert raw.files[0].encoding == "cp1252"
    assert raw.frame["name"].tolist() == ["Ærøÿ"]


def test_undetectable_encoding(tmp_path: Path) -> None:
    # 0x80 0x82 twice: runs of two bytes (not CP1252's lone letters), and neither CP949 nor
    # CP932 decodes them
    path = write(tmp_path / "t.csv", b"id,name\n1,a\x80\x82\x80\x82\n")
    with pytest.raises(
        InputError, match=r"not UTF-8 \(byte 0x80 at offset 11\), CP1252, CP949 or CP932"
    ):
        read_inputs([path])


# --- Parquet ---------------------------------------------------------------------------------


def parquet_file(path: Path) -> str:
    table = pa.table(
        {
            "id": ["000123", "2"],
            "created": pa.array([dt.datetime(2024, 1, 2, 3, 4)] * 2, pa.timestamp("us")),
            "score": [5, 4],
            "note": ["x", None],
        }
    )
    pq.write_table(table, path)
    return str(path)


def test_parquet_keeps_types(tmp_path: Path) -> None:
    raw = read_inputs([parquet_file(tmp_path / "t.parquet")])
    assert values(raw.frame, "id") == ["000123", "2"]
    assert pd.api.types.is_datetime64_any_dtype(raw.frame["created"])
    assert pd.api.types.is_integer_dtype(raw.frame["score"])
    assert raw.source_line.tolist() == [1, 2]
    assert raw.files[0].encoding is None


def test_parquet_reads_only_the_requested_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    requested: list[Any] = []
    original = pq.ParquetFile.read_row_group  # read row group by row group (one here)

    def spy(self: pq.ParquetFile, i: int, columns: Any = None, **kwargs: Any) -> pa.Table:
        requested.append(columns)
        return original(self, i, columns=columns, **kwargs)

    monkeypatch.setattr(pq.ParquetFile, "read_row_group", spy)
    headers: list[list[str]] = []
    raw = read_inputs(
        [parquet_file(tmp_path / "t.parquet")],
        columns=lambda h: headers.append(h) or ["score", "id"],
    )
    assert headers == [["id", "created", "score", "note"]]
    assert requested == [["id", "score"]]
    assert list(raw.frame.columns) == ["id", "score"]


@pytest.mark.parametrize("statistics", [True, False])
def test_parquet_row_groups_into_arrays_convert_as_arrow_does(
    tmp_path: Path, statistics: bool
) -> None:
    """Seven rows in row groups of three: the columns copied a group at a time into one
    NumPy array each (timestamps without a zone, floats, integers and booleans with no null
    in any group's statistics) and the others (an integer with a null in the second group:
    float; a boolean with a null: object; a zoned time; text) come out as Arrow's own
    conversion of the whole table makes them; without statistics nothing is assumed
    null-free and the result is the same."""
    at = dt.datetime(2024, 1, 2, 3, 4)
    table = pa.table(
        {
            "id": pa.array(range(1, 8), pa.int64()),
            "small": pa.array([1, 2, 3, 4, 5, 6, 7], pa.int8()),
            "holey": pa.array([1, 2, 3, None, 5, 6, 7], pa.int64()),
            "flag": [True, False, True, True, False, False, True],
            "maybe": [True, None, True, True, False, False, True],
            "when": pa.array([at, None, at, at, None, at, at], pa.timestamp("us")),
            "ms": pa.array([at] * 7, pa.timestamp("ms")),
            "zoned": pa.array([at] * 7, pa.timestamp("us", tz="Europe/Paris")),
            "score": [1.5, None, 2.0, 3.0, 4.0, None, 5.0],
            "name": ["a", "b", None, "d", "e", "f", "g"],
        }
    )
    path = tmp_path / "t.parquet"
    pq.write_table(table, path, row_group_size=3, write_statistics=statistics)
    assert pq.ParquetFile(path).num_row_groups == 3
    from cskpi.load.readers.parquet import _fixed

    streamed = {table.column_names[j] for j in _fixed(pq.ParquetFile(path), list(range(10)))}
    null_free = {"id", "small", "flag"} if statistics else set()
    assert streamed == null_free | {"when", "ms", "score"}
    frame = read_inputs([str(path)]).frame
    expected = table.to_pandas()
    assert list(frame.columns) == list(expected.columns)
    for name in expected.columns:
        got, want = frame[name], expected[name]
        if name == "name":  # text: pandas' own text dtype, same values
            assert got.tolist()[:2] == ["a", "b"] and pd.isna(got[2])
            continue
        assert got.dtype == want.dtype, name
        pd.testing.assert_series_equal(got, want, check_names=False)
    assert frame["holey"].dtype == "float64" and frame["maybe"].dtype == object


def test_parquet_without_rows_keeps_columns_and_types(tmp_path: Path) -> None:
    table = pa.table({"id": pa.array([], pa.int64()), "when": pa.array([], pa.timestamp("us"))})
    path = tmp_path / "t.parquet"
    pq.write_table(table, path)
    frame = read_inputs([str(path)]).frame
    assert frame.shape == (0, 2)
    assert frame["id"].dtype == "int64" and frame["when"].dtype == "datetime64[us]"


def test_parquet_pruned_to_nothing_keeps_rows(tmp_path: Path) -> None:
    raw = read_inputs([parquet_file(tmp_path / "t.parquet")], columns=lambda h: [])
    assert raw.frame.shape == (2, 0)


def test_corrupt_parquet(tmp_path: Path) -> None:
    good = Path(parquet_file(tmp_path / "good.parquet")).read_bytes()
    path = write(tmp_path / "t.parquet", good[: len(good) // 2])
    with pytest.raises(InputError, match=r"t\.parquet: not a readable Parquet file"):
        read_inputs([path])


# --- XLSX ------------------------------------------------------------------------------------


def workbook(path: Path) -> str:
    book = openpyxl.Workbook()
    first = book.active
    first.title = "Tickets"
    first.append(["id", "created", "serial", "note", None])
    first.append(["000123", dt.datetime(2024, 3, 1, 9, 30), 45000, "", None])
    first["B2"].number_format = "yyyy-mm-dd hh:mm"
    first.append([])  # an empty worksheet row: skipped
    first.append([124, dt.date(2024, 3, 2), 45000.75, "x", None])
    first["B4"].number_format = "yyyy-mm-dd"
    other = book.create_sheet("Surveys")
    other.append(["ticket_id", "score"])
    other.append(["0009", 5])
    book.save(path)
    return str(path)


def test_xlsx_keeps_cell_values(tmp_path: Path) -> None:
    raw = read_inputs([workbook(tmp_path / "t.xlsx")])
    frame = raw.frame
    assert list(frame.columns) == ["id", "created", "serial", "note"]  # empty column dropped
    assert frame["id"].tolist() == ["000123", 124]
    assert frame["created"].tolist() == [dt.datetime(2024, 3, 1, 9, 30), dt.datetime(2024, 3, 2)]
    assert frame["serial"].tolist() == [45000, 45000.75]
    assert values(frame, "note") == [None, "x"]
    assert all(t == np.dtype(object) for t in frame.dtypes)
    assert raw.source_line.tolist() == [2, 4]  # worksheet rows
    assert raw.files[0].sheet == "Tickets"
    assert raw.files[0].encoding is None


def test_xlsx_sheet_option(tmp_path: Path) -> None:
    raw = read_inputs([workbook(tmp_path / "t.xlsx")], sheet="Surveys")
    assert raw.frame.to_dict("list") == {"ticket_id": ["0009"], "score": [5]}
    assert raw.files[0].sheet == "Surveys"


def test_xlsx_missing_sheet(tmp_path: Path) -> None:
    path = workbook(tmp_path / "t.xlsx")
    with pytest.raises(InputError) as err:
        read_inputs([path], sheet="Sheet9")
    assert str(err.value) == f"{path}: no sheet named 'Sheet9'; sheets: Tickets, Surveys"


def test_xlsx_gzip(tmp_path: Path) -> None:
    data = Path(workbook(tmp_path / "t.xlsx")).read_bytes()
    raw = read_inputs([write(tmp_path / "u.xlsx.gz", gzip.compress(data))])
    assert len(raw.frame) == 2


def test_corrupt_xlsx(tmp_path: Path) -> None:
    data = Path(workbook(tmp_path / "good.xlsx")).read_bytes()
    path = write(tmp_path / "t.xlsx", data[: len(data) // 2])
    with pytest.raises(InputError, match=r"t\.xlsx: not a readable \.xlsx workbook"):
        read_inputs([path])


# --- the result ------------------------------------------------------------------------------


def test_source_arrays_are_integer_arrays(tmp_path: Path) -> None:
    raw = read_inputs([write(tmp_path / "t.csv", "id\n1\n")])
    assert isinstance(raw.source_line, np.ndarray) and raw.source_line.dtype == np.int64
    assert isinstance(raw.source_file, np.ndarray) and raw.source_file.dtype == np.int64
    assert os.path.basename(raw.files[0].path) == "t.csv"


def test_a_text_export_too_big_for_memory_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 974 bytes of CSV need ~2,900 bytes to read; pretend only 2,000 bytes are available
    path = tmp_path / "huge.csv"
    path.write_text("id,created_at\n" + "T1,2024-03-01T00:00:00Z\n" * 40, encoding="utf-8")
    monkeypatch.setattr("cskpi.memory.available", lambda: 2000)
    with pytest.raises(InputError, match=r"huge.csv: .* convert it to Parquet"):
        readers.read_inputs([str(path)])
