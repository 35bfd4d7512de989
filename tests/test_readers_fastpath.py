"""cskpi.load.readers: the shortcuts of the big-file CSV path give what the long way gives.

Valid UTF-8 is checked by Arrow and decoded only when needed (`Text`); the first line and the
header are read from a prefix; pyarrow splits the file at every line end when no quoted value
holds one (`record_scan`).
"""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cskpi.errors import InputError
from cskpi.load.readers import csv_arrow, csv_lines, read_inputs
from cskpi.load.readers.csv_lines import record_scan
from cskpi.load.readers.text import Text, valid_utf8


@pytest.mark.parametrize(
    "data",
    [
        b"plain ascii",
        "caf\u00e9 \ud55c\uad6d\uc5b4 \U0001f600".encode(),  # 2-, 3- and 4-byte characters
        codecs.BOM_UTF8 + b"x",
        b"a\x00b",  # NUL is valid UTF-8 (the file is then checked record by record)
        b"\xed\xa0\x80",  # an encoded surrogate
        b"\xc0\x80",  # overlong NUL
        b"\xf4\x90\x80\x80",  # above U+10FFFF
        b"caf\xe9",  # Latin-1
        "\ud55c\uad6d".encode("cp949"),
        b"\xe2\x82",  # cut in the middle of a character
    ],
)
def test_utf8_check_agrees_with_python(data: bytes) -> None:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        assert not valid_utf8(data)
    else:
        assert valid_utf8(data)


@pytest.mark.parametrize("chars", [1, 2, 3, 5, 100])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
def test_head_of_undecoded_text_equals_the_decoded_prefix(chars: int, encoding: str) -> None:
    text = "\u00e9\ud55c\U0001f600a" * 3  # 2-, 3-, 4- and 1-byte characters: 12 in all
    data = text.encode(encoding)
    lazy = Text(None, encoding, data)
    head, whole = lazy.head(chars)
    assert head == text[:chars]
    assert whole == (chars >= len(text))
    assert lazy.text == text


@pytest.mark.parametrize("sniff", [1, 4, 8, 1000])
def test_first_line_from_a_prefix_or_the_whole_text(
    sniff: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(csv_arrow, "_HEADER_SNIFF", sniff)
    text = '\ufeff\n \r\n\t[{"a": 1}]\nnext'
    # blank lines, spaces and a stray BOM are skipped, whatever the prefix length
    assert csv_arrow._first_line(Text(None, "utf-8", text.encode())) == '[{"a": 1}]'
    assert csv_arrow._first_line(Text(text, "utf-8", text.encode())) == '[{"a": 1}]'
    assert csv_arrow._first_line(Text(None, "utf-8", b"\n\nonly")) == "only"


@pytest.mark.parametrize("sniff", [3, 1_000_000])
def test_json_in_a_big_csv_is_refused_with_any_prefix(
    sniff: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(csv_arrow, "_PYARROW_MIN_BYTES", 0)
    monkeypatch.setattr(csv_arrow, "_HEADER_SNIFF", sniff)
    path = tmp_path / "t.csv"
    path.write_text('\n\n{"id": "T1", "created": "2024-03-01"}\n', encoding="utf-8")
    with pytest.raises(InputError, match="holds JSON, not CSV; use --input-format jsonl"):
        read_inputs([str(path)])


@pytest.mark.parametrize(
    ("data", "lines", "quoted_breaks"),
    [
        (b"a,b\n1,2\n\n3,4\n", [1, 2, 4], False),  # no quotes; the empty line 3 is no record
        (b"a,b\r1,2\r\r\n3,4", [1, 2, 4], False),  # CR and CRLF line ends, no quotes
        (b'a,b\n1,"x,y"\n2,z\n', [1, 2, 3], False),  # quotes, but no line end inside them
        (b'a,b\n1,"x\ny"\n2,z\n', [1, 2, 4], True),  # a line end inside a quoted value
        (b'a,b\n1,"x\ry"\r\n2,z\r\n', [1, 2, 4], True),  # a lone CR inside one
    ],
)
def test_record_scan_reports_line_ends_inside_quotes(
    data: bytes, lines: list[int], quoted_breaks: bool
) -> None:
    scan = record_scan(data, ",")
    assert scan is not None
    assert scan[0].tolist() == lines
    assert scan[1] is quoted_breaks


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize("quoted", ["", "multi\nline", "a, b"])
def test_big_csv_path_with_and_without_quoted_line_ends(
    ending: str, quoted: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    value = f'"{quoted}"' if quoted else "plain"
    text = ending.join(["id,note", f"T1,{value}", "", "T2,x", ""])
    path = tmp_path / "t.csv"
    path.write_bytes(codecs.BOM_UTF8 + text.encode())
    small = read_inputs([str(path)])
    monkeypatch.setattr(csv_arrow, "_PYARROW_MIN_BYTES", 0)
    big = read_inputs([str(path)])
    assert big.frame.to_dict("list") == {"id": ["T1", "T2"], "note": [quoted or "plain", "x"]}
    assert big.frame.to_dict("list") == small.frame.to_dict("list")
    # the record after an empty line starts on line 4, or 5 after a two-line value
    assert big.source_line.tolist() == small.source_line.tolist() == [2, 5 if "\n" in quoted else 4]
    assert big.files[0].encoding == small.files[0].encoding == "utf-8-sig"


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(
        st.lists(st.sampled_from(["", "a", "b,c", 'q"q', "l\nm", "r\r\ns", "t\ru"]), min_size=2),
        max_size=6,
    ),
    crlf=st.booleans(),
    quote_all=st.booleans(),
    chunk=st.integers(1, 16),
)
def test_record_scan_flag_is_a_line_end_in_a_quoted_value(
    rows: list[list[str]], crlf: bool, quote_all: bool, chunk: int
) -> None:
    buffer = io.StringIO()
    quoting = csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL
    writer = csv.writer(buffer, lineterminator="\r\n" if crlf else "\n", quoting=quoting)
    writer.writerows([["k", "v"], *rows])
    saved, csv_lines._CHUNK = csv_lines._CHUNK, chunk  # any slice size gives the one-pass answer
    try:
        scan = record_scan(buffer.getvalue().encode(), ",")
    finally:
        csv_lines._CHUNK = saved
    assert scan is not None
    # the writer quotes a value holding a character of its line terminator (or every value);
    # a CR left unquoted ends a line, as in the csv module
    quoted_cr = crlf or quote_all
    assert scan[1] == any("\n" in v or ("\r" in v and quoted_cr) for row in rows for v in row)


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("id,note\nT1,a\nT2,b\n", [2, 3]),  # plain: lines counted, not scanned
        ("id,note\nT1,a\nT2,b", [2, 3]),  # no line end after the last record
        ("id,note\nT1,a\n\nT2,b\n", [2, 4]),  # an empty line: pyarrow skips it, the scan runs
        ("id,note\n\nT1,a\nT2,b\n\n", [3, 4]),
    ],
)
def test_plain_big_csv_line_numbers(
    text: str, lines: list[int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "t.csv"
    path.write_text(text, encoding="utf-8")
    small = read_inputs([str(path)])
    monkeypatch.setattr(csv_arrow, "_PYARROW_MIN_BYTES", 0)
    big = read_inputs([str(path)])
    assert (
        big.frame.to_dict("list")
        == small.frame.to_dict("list")
        == {
            "id": ["T1", "T2"],
            "note": ["a", "b"],
        }
    )
    assert big.source_line.tolist() == small.source_line.tolist() == lines
