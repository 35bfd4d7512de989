"""cskpi.load.readers: big plain UTF-8 CSVs are read by pyarrow from the file (`_csv_stream`),
after one pass in blocks (`_plain_file`) — and give what the whole-file path gives."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cskpi.errors import InputError
from cskpi.load.readers import csv_arrow, model, read_inputs, source

PIECES = st.sampled_from(
    [
        b"a",
        b",",
        b"\n",
        b"\xc3\xa9",
        b"\xed\x95\x9c",
        b"\xf0\x9f\x98\x80",
        b"\xc3",
        b"\xa9",
        b"\xff",
        b'"',
        b"\r",
        b"\x00",
        b"\xed\xa0\x80",
    ]
)


def expected(data: bytes) -> tuple[str, int, bool] | None:
    """What `_plain_file` should find, worked out on the whole bytes (quotes are reported,
    not refused: a file read without quoting streams with them)."""
    if data.startswith(codecs.BOM_UTF8) or any(c in data for c in (b"\x00", b"\r")):
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text, data.count(b"\n") + (not data.endswith(b"\n")), b'"' in data


@settings(max_examples=300, deadline=None)
@given(pieces=st.lists(PIECES, max_size=40), block=st.integers(min_value=1, max_value=9))
def test_block_pass_agrees_with_the_whole_bytes(
    tmp_path_factory: pytest.TempPathFactory, pieces: list[bytes], block: int
) -> None:
    data = b"".join(pieces)
    path = tmp_path_factory.mktemp("plain") / "t.csv"
    path.write_bytes(data)
    old = csv_arrow._STREAM_BLOCK
    csv_arrow._STREAM_BLOCK = block  # characters cut at every block boundary
    try:
        found = csv_arrow._plain_file(str(path))
    finally:
        csv_arrow._STREAM_BLOCK = old
    want = expected(data)
    if want is None:
        assert found is None
    else:
        assert found is not None
        assert (found.prefix, found.records, found.quotes) == want


def big_csv(path: Path, rows: int, extra: str = "") -> None:
    lines = "".join(f"T{i},2024-03-01T09:00:00Z,Zoë Ångström\n" for i in range(rows))
    path.write_text("Ticket ID,Created At,Assignee\n" + lines + extra, encoding="utf-8")


@pytest.fixture
def small_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csv_arrow, "_PYARROW_MIN_BYTES", 1000)


def test_streamed_read_equals_the_whole_file_read(
    tmp_path: Path, small_threshold: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "t.csv"
    big_csv(path, 200)
    streamed = read_inputs([str(path)])
    monkeypatch.setattr(csv_arrow, "_csv_stream", lambda *args: None)
    whole = read_inputs([str(path)])
    assert streamed.frame.equals(whole.frame)
    assert streamed.source_line.tolist() == whole.source_line.tolist() == list(range(2, 202))
    assert streamed.files == whole.files
    assert streamed.frame["Assignee"].iloc[0] == "Zoë Ångström"


def test_streamed_read_is_used_for_a_plain_file(tmp_path: Path, small_threshold: None) -> None:
    path = tmp_path / "t.csv"
    big_csv(path, 200)
    part = csv_arrow._csv_stream(
        source.open_source(str(path), None), ",", model.Options(None, None, None), "CSV"
    )
    assert part is not None and len(part.frame) == 200


@pytest.mark.parametrize(
    "extra",
    [
        '"T900",2024-03-01T09:00:00Z,"Quoted, Name"\n',  # quotes: records need a scan
        "\n\nT901,2024-03-01T09:00:00Z,x\n",  # blank lines pyarrow skips
        "T902,2024-03-01T09:00:00Z\n",  # a short row: the csv module pads it and says so
        "T903,2024-03-01T09:00:00Z,x",  # no line end after the last row
    ],
)
def test_other_files_read_as_before(
    tmp_path: Path, small_threshold: None, monkeypatch: pytest.MonkeyPatch, extra: str
) -> None:
    path = tmp_path / "t.csv"
    big_csv(path, 200, extra)
    got = read_inputs([str(path)])
    monkeypatch.setattr(csv_arrow, "_csv_stream", lambda *args: None)
    whole = read_inputs([str(path)])
    assert got.frame.equals(whole.frame)
    assert got.source_line.tolist() == whole.source_line.tolist()
    assert got.malformed == whole.malformed and got.warnings == whole.warnings


def quoted_csv(path: Path, rows: int, extra: str = "") -> None:
    lines = "".join(f'T{i},2024-03-01T09:00:00Z,"Lee, Kim",{i % 3}\n' for i in range(rows))
    path.write_text('"Ticket ID","Created At",Assignee,Reopens\n' + lines + extra, "utf-8")


def stream(path: Path, labels: set[str] | None = None) -> model.Part | None:
    opts = model.Options(None, None, None, None if labels is None else lambda kept: labels)
    return csv_arrow._csv_stream(source.open_source(str(path), None), ",", opts, "CSV")


def test_a_quoted_file_streams_when_its_rows_are_its_lines(
    tmp_path: Path, small_threshold: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "t.csv"
    quoted_csv(path, 200)
    part = stream(path)
    assert part is not None and len(part.frame) == 200
    assert part.frame["Assignee"].iloc[0] == "Lee, Kim"  # the comma inside quotes is text
    streamed = read_inputs([str(path)])
    monkeypatch.setattr(csv_arrow, "_csv_stream", lambda *args: None)
    whole = read_inputs([str(path)])
    assert streamed.frame.equals(whole.frame)
    # 200 rows after the header: lines 2..201
    assert streamed.source_line.tolist() == whole.source_line.tolist() == list(range(2, 202))


@pytest.mark.parametrize(
    "extra",
    [
        'T900,2024-03-01T09:00:00Z,"two\nlines",1\n',  # a line end in a value: 1 row, 2 lines
        'T901,2024-03-01T09:00:00Z,"open at the end,1\n',  # a quote the file's end cuts
        'T902,2024-03-01T09:00:00Z,"open at the end,1',  # ... with no line end after it
        'T903,2024-03-01T09:00:00Z,"opens here,1\nT904,x,y,1\n',  # a quote left open
    ],
)
def test_quoted_values_over_lines_take_the_whole_file_path(
    tmp_path: Path, small_threshold: None, monkeypatch: pytest.MonkeyPatch, extra: str
) -> None:
    """Rows that are not lines (or may not be: an odd number of quotes on the last line)
    are left to the whole-file path, which finds the records and the quotes left open."""
    path = tmp_path / "t.csv"
    quoted_csv(path, 200, extra)
    assert stream(path) is None
    got = read_inputs([str(path)])
    monkeypatch.setattr(csv_arrow, "_csv_stream", lambda *args: None)
    whole = read_inputs([str(path)])
    assert got.frame.equals(whole.frame) and got.malformed == whole.malformed
    assert got.source_line.tolist() == whole.source_line.tolist()


def test_columns_of_a_few_values_stream_as_categories(
    tmp_path: Path, small_threshold: None
) -> None:
    """The header's own name is no category: `Assignee` holds only `Lee, Kim`, and
    `Reopens` the counts 0, 1, 2 (row i holds i % 3)."""
    path = tmp_path / "t.csv"
    quoted_csv(path, 200)
    part = stream(path, {"Assignee", "Reopens"})
    assert part is not None
    assert list(part.frame["Assignee"].cat.categories) == ["Lee, Kim"]
    assert sorted(part.frame["Reopens"].cat.categories) == ["0", "1", "2"]
    assert part.frame["Reopens"].astype(str).tolist()[:4] == ["0", "1", "2", "0"]


def test_other_encodings_take_the_whole_file_path(
    tmp_path: Path, small_threshold: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "t.csv"
    rows = "".join(f"T{i},2024-03-01T09:00:00Z,\ud55c\uad6d\n" for i in range(200))
    path.write_bytes(("Ticket ID,Created At,Assignee\n" + rows).encode("cp949"))
    assert csv_arrow._plain_file(str(path)) is None  # not UTF-8: the encoding is guessed as before
    got = read_inputs([str(path)])
    assert got.files[0].encoding == "cp949"
    assert got.frame["Assignee"].iloc[0] == "\ud55c\uad6d"


def test_json_in_a_big_csv_is_refused_on_the_streamed_path(
    tmp_path: Path, small_threshold: None
) -> None:
    path = tmp_path / "t.csv"
    path.write_text('{"tickets": [' + ",".join(["1"] * 2000) + "]}\n", encoding="utf-8")
    with pytest.raises(InputError, match="--input-format json"):
        read_inputs([str(path)])
