"""Short and cut CSV lines (DECISIONS 44) on every CSV path of `cskpi.load.readers`.

A last line without a line end and with fewer fields than the header is a cut file (`head -c`,
a partial download): the row is dropped as `truncated_line`. A short line anywhere else is
padded, used and flagged `short_line`. Both fail `--strict`. The three CSV paths are forced
the way tests/test_readers.py and tests/test_csv_stream.py do (`_PYARROW_MIN_BYTES`), and each
test makes sure the path it names is the one that ran.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cskpi.cli import app
from cskpi.load.readers import Malformed, csv_arrow, read_inputs

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "tickets.csv"
CORPUS = Path(__file__).resolve().parent / "data" / "bad"
CUT = "truncated_line"


def write(path: Path, text: str) -> str:
    path.write_bytes(text.encode("utf-8"))
    return str(path)


def values(frame: pd.DataFrame, column: str) -> list[Any]:
    return [None if pd.isna(v) else v for v in frame[column].tolist()]


def _refuse(*_: object, **__: object) -> None:
    raise AssertionError("this CSV path must not run here")


@pytest.fixture(params=["csv-module", "pyarrow", "streamed"])
def path_kind(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Force one CSV path and fail the test if another one reads the file."""
    kind = str(request.param)
    if kind == "csv-module":  # small files: pyarrow is never asked
        monkeypatch.setattr(csv_arrow, "_arrow_rows", _refuse)
        return kind
    monkeypatch.setattr(csv_arrow, "_PYARROW_MIN_BYTES", 0)
    monkeypatch.setattr(csv_arrow, "csv_module", _refuse)
    if kind == "pyarrow":  # the whole file in memory, read by pyarrow
        monkeypatch.setattr(csv_arrow, "_csv_stream", lambda *args: None)
    else:  # pyarrow reads the file itself; the whole-file path is never reached
        monkeypatch.setattr(csv_arrow, "decode", _refuse)
    return kind


def test_cut_last_line_is_dropped_on_every_path(tmp_path: Path, path_kind: str) -> None:
    """Line 4 `3,x` has 2 of 3 fields and no line end: dropped; lines 2-3 are read."""
    path = write(tmp_path / "t.csv", "id,a,b\n1,x,y\n2,x,y\n3,x")
    raw = read_inputs([path])
    assert values(raw.frame, "id") == ["1", "2"]
    assert raw.source_line.tolist() == [2, 3]
    assert raw.malformed == (
        Malformed(path, 4, "2 fields, expected 3, and no line end: the file ends inside it", CUT),
    )
    assert raw.short is None
    assert raw.files[0].rows == 2


def test_a_full_last_line_without_a_line_end_is_used(tmp_path: Path, path_kind: str) -> None:
    """All three fields and no line end: nothing shows a cut, so the row is used (the rule
    asks for fewer fields)."""
    raw = read_inputs([write(tmp_path / "t.csv", "id,a,b\n1,x,y\n2,x,y")])
    assert values(raw.frame, "b") == ["y", "y"]
    assert raw.malformed == ()
    assert raw.short is None


@pytest.mark.parametrize(
    ("text", "ids", "kinds"),
    [
        ("id,a,b\n1,x,y\n2,x,y,z", ["1"], ["malformed_line"]),  # a field too many: malformed
        ("id,a,b", [], []),  # the header alone: nothing was cut
        ("id,a,b\r1,x,y\r3,x\r", ["1", "3"], []),  # a CR ends the short line: only short
    ],
)
def test_other_last_lines(tmp_path: Path, text: str, ids: list[str], kinds: list[str]) -> None:
    """The csv module's cases (pyarrow hands each of these files to it)."""
    raw = read_inputs([write(tmp_path / "t.csv", text)])
    assert values(raw.frame, "id") == ids
    assert [m.kind for m in raw.malformed] == kinds
    assert (raw.short.tolist() if raw.short is not None else []) == ([1] if "\r" in text else [])


def test_quoted_crlf_file_cut_on_the_pyarrow_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Quotes and CRLF (record lines found by a scan): record 2 spans lines 3-4; the cut
    record starts on line 5. Same answer from the csv module."""
    text = 'id,a,b\r\n1,"x, z",y\r\n2,"multi\r\nline",y\r\n3,x'
    path = write(tmp_path / "t.csv", text)
    small = read_inputs([path])
    monkeypatch.setattr(csv_arrow, "_PYARROW_MIN_BYTES", 0)
    monkeypatch.setattr(csv_arrow, "csv_module", _refuse)
    big = read_inputs([path])
    for raw in (small, big):
        assert values(raw.frame, "a") == ["x, z", "multi\r\nline"]
        assert raw.source_line.tolist() == [2, 3]
        assert [(m.line, m.kind) for m in raw.malformed] == [(5, CUT)]


def test_short_line_inside_the_file_is_padded_and_kept(tmp_path: Path) -> None:
    """Line 3 `2,x` is short but ends with a line end: padded (b missing) and kept, its
    position (second row) in `short`; the last line, also short and not ended, is cut."""
    path = write(tmp_path / "t.csv", "id,a,b\n1,x,y\n2,x\n3,x,y\n4,x")
    raw = read_inputs([path])
    assert values(raw.frame, "id") == ["1", "2", "3"]
    assert values(raw.frame, "b") == ["y", None, "y"]
    assert raw.short is not None and raw.short.tolist() == [1]
    assert [(m.line, m.kind) for m in raw.malformed] == [(5, CUT)]


@pytest.mark.parametrize("stream", [True, False])
def test_short_line_in_a_big_file_goes_to_the_csv_module(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stream: bool
) -> None:
    """pyarrow cannot pad: a short row inside the file sends it to the csv module, which
    pads and flags it, then finds the cut last line; the same answer as the small path."""
    path = write(tmp_path / "t.csv", "id,a,b\n1,x,y\n2,x\n3,x,y\n4,x")
    monkeypatch.setattr(csv_arrow, "_PYARROW_MIN_BYTES", 0)
    if not stream:
        monkeypatch.setattr(csv_arrow, "_csv_stream", lambda *args: None)
    raw = read_inputs([path])
    assert values(raw.frame, "id") == ["1", "2", "3"]
    assert raw.short is not None and raw.short.tolist() == [1]
    assert [(m.line, m.kind) for m in raw.malformed] == [(5, CUT)]


def test_several_files_place_short_rows_in_the_whole_frame(tmp_path: Path) -> None:
    """File b's short row (its first) is row 2 of the concatenated frame (a holds 2 rows)."""
    a = write(tmp_path / "a.csv", "id,a\n1,x\n2\n")
    b = write(tmp_path / "b.csv", "id,a\n3\n4,y\n")
    raw = read_inputs([a, b])
    assert values(raw.frame, "id") == ["1", "2", "3", "4"]
    assert raw.short is not None and raw.short.tolist() == [1, 2]


row_text = st.text(alphabet=st.sampled_from(list('ab,"\n\r 가')), max_size=5)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(st.lists(row_text, min_size=3, max_size=3), min_size=1, max_size=5),
    cut=st.floats(min_value=0.0, max_value=1.0),
    ending=st.sampled_from(["\n", "\r\n"]),
)
def test_any_cut_reads_the_same_on_every_path(
    tmp_path: Path, rows: list[list[str]], cut: float, ending: str
) -> None:
    """A well-formed CSV cut anywhere (`head -c`, on a character boundary): the csv module,
    pyarrow on the whole file and, for plain files, pyarrow streaming the file give the same
    rows, lines, skipped lines (with their kind) and short rows."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator=ending).writerows([["k", "v", "w"], *rows])
    text = buf.getvalue()
    header = len("k,v,w" + ending)
    path = write(tmp_path / "c.csv", text[: header + round(cut * (len(text) - header))])
    answers = []
    for threshold, stream in ((2**30, False), (0, False), (0, True)):
        csv_arrow._PYARROW_MIN_BYTES, saved = threshold, csv_arrow._PYARROW_MIN_BYTES
        streamer = csv_arrow._csv_stream
        if not stream:
            csv_arrow._csv_stream = lambda *args: None
        try:
            raw = read_inputs([path])
        finally:
            csv_arrow._PYARROW_MIN_BYTES, csv_arrow._csv_stream = saved, streamer
        short = [] if raw.short is None else raw.short.tolist()
        answers.append((raw.frame.to_dict("list"), raw.source_line.tolist(), raw.malformed, short))
    assert answers[0] == answers[1] == answers[2]


# -- through the command line: counts, reconciliation, --strict ------------------------------

runner = CliRunner()


def report(*args: object) -> tuple[int, dict[str, Any] | None, str]:
    result = runner.invoke(app, ["report", *[str(a) for a in args], "-f", "json"])
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    doc = json.loads(result.stdout) if result.exit_code == 0 else None
    return result.exit_code, doc, result.stderr


def test_cut_download_is_dropped_and_fails_strict() -> None:
    """cut_download.csv ends inside T3's reply time (`202`): T3 is dropped, so no reply at
    epoch 202 s reaches FRT. FRT of T1, T2: 10 and 30 min → median 1200 s over 2."""
    path = CORPUS / "cut_download.csv"
    code, doc, stderr = report(path, "-k", "tickets_created,frt_median")
    assert code == 0 and doc is not None
    assert doc["data_quality"]["tickets"] == {
        "read": 3,
        "used": 2,
        "out_of_window": 0,
        "dropped": {CUT: 1},
        "issues": {},
    }
    assert (doc["overall"]["tickets_created"], doc["overall"]["frt_median"]) == (2, 1200.0)
    assert "1 truncated line: dropped (e.g. " in stderr and "cut_download.csv:4)" in stderr
    code, doc, stderr = report(path, "-k", "tickets_created", "--strict")
    assert code == 4
    assert "--strict: the input has data-quality problems" in stderr
    assert "1 truncated line: dropped" in stderr


def test_short_line_fails_strict() -> None:
    """field_counts.csv line 4 (`T3,2024-03-02 08:00`) is short: used, flagged, refused."""
    code, _, stderr = report(CORPUS / "field_counts.csv", "--strict")
    assert code == 4
    assert "1 short line: flagged (e.g. " in stderr and "field_counts.csv:4)" in stderr


@pytest.mark.parametrize("threshold", [None, 0])
def test_head_c_of_the_sample_reconciles_on_both_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, threshold: int | None
) -> None:
    """`head -c 1500000 tickets.csv` (1.43 MiB of plain UTF-8): streamed by pyarrow with the
    threshold at 0, read by the csv module with it above the size. Every complete line is
    one ticket read; the cut one is dropped; read = used + out_of_window + Σ dropped."""
    data = SAMPLE.read_bytes()[:1_500_000]
    assert not data.endswith(b"\n")
    path = tmp_path / "partial.csv"
    path.write_bytes(data)
    if threshold is None:
        monkeypatch.setattr(csv_arrow, "_PYARROW_MIN_BYTES", 2**21)
        monkeypatch.setattr(csv_arrow, "_arrow_rows", _refuse)
    else:
        monkeypatch.setattr(csv_arrow, "_PYARROW_MIN_BYTES", threshold)
        monkeypatch.setattr(csv_arrow, "decode", _refuse)  # the streamed path, not the whole
        monkeypatch.setattr(csv_arrow, "csv_module", _refuse)
    code, doc, _ = report(path, "-k", "tickets_created")
    assert code == 0 and doc is not None
    quality = doc["data_quality"]["tickets"]
    complete = data.count(b"\n") - 1  # line ends, less the header's
    assert quality["read"] == complete + 1
    assert quality["dropped"][CUT] == 1
    assert quality["read"] == (
        quality["used"] + quality["out_of_window"] + sum(quality["dropped"].values())
    )
