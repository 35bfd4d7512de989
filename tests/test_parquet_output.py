"""Parquet output: the CSV's columns and values, typed, with the same bytes every time."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from cskpi.cli import app
from cskpi.render import render
from cskpi.render.parquet import parquet_table, render_parquet
from cskpi.render.text import render_text
from tests.results import HOSTILE, flat_result, trend_result


def read(data: bytes) -> pa.Table:
    return pq.read_table(io.BytesIO(data))


def test_registered_as_a_format() -> None:
    assert render(trend_result(), "parquet") == render_parquet(trend_result())


def test_types() -> None:
    schema = read(render_parquet(trend_result())).schema
    types = {field.name: field.type for field in schema}
    assert types == {
        "agent": pa.string(),
        "period": pa.string(),
        "tickets_created": pa.int64(),
        "tickets_created_n": pa.int64(),
        "tickets_created_previous": pa.int64(),  # a count, though the frame holds NaN
        "tickets_created_change": pa.int64(),
        "frt_median": pa.float64(),
        "frt_median_n": pa.int64(),
        "frt_median_previous": pa.float64(),
        "frt_median_change": pa.float64(),
        "csat": pa.float64(),
        "csat_n": pa.int64(),
        "csat_previous": pa.float64(),
        "csat_change": pa.float64(),
    }
    assert schema.field("frt_median").metadata == {b"unit": b"seconds"}
    assert schema.metadata[b"cskpi.timezone"] == b"Asia/Seoul"
    assert b"pandas" not in schema.metadata


def test_nulls_are_nulls_not_nan() -> None:
    table = read(render_parquet(trend_result()))
    frt = table.column("frt_median").to_pylist()
    assert frt[4] is None
    assert table.column("tickets_created_previous").to_pylist()[3] is None
    assert not any(
        isinstance(v, float) and math.isnan(v)
        for column in table.columns
        for v in column.to_pylist()
    )


@pytest.mark.parametrize("make", [trend_result, flat_result])
def test_same_columns_and_values_as_csv(make: object) -> None:
    result = make()  # type: ignore[operator]
    table = read(render_parquet(result))
    header, *lines = list(csv.reader(io.StringIO(render_text(result, "csv"))))
    assert table.column_names == header
    assert table.num_rows == len(lines)
    for line, row in zip(lines, table.to_pylist(), strict=True):
        for name, text in zip(header, line, strict=True):
            value = row[name]
            if text == "":
                assert value is None, name
            elif isinstance(value, str):
                assert value == text
            else:
                assert value == float(text), name  # repr in CSV: exact round trip
    assert HOSTILE in table.column("agent").to_pylist()


def test_unrounded() -> None:
    csat = read(render_parquet(trend_result())).column("csat").to_pylist()
    assert csat[3] == 0.1 + 0.2


def test_empty_rows_keep_the_schema() -> None:
    result = trend_result()
    table = read(render_parquet(trend_result(rows=result.rows.iloc[0:0])))
    assert table.num_rows == 0
    assert table.schema.field("tickets_created").type == pa.int64()
    assert table.schema.field("agent").type == pa.string()


def test_fractional_count_is_refused() -> None:
    rows = trend_result().rows.astype({"tickets_created_previous": "float64"})
    rows.loc[0, "tickets_created_previous"] = 1.5
    with pytest.raises(ValueError, match="tickets_created_previous"):
        parquet_table(trend_result(rows=rows))


def test_same_result_same_bytes() -> None:
    assert render_parquet(trend_result()) == render_parquet(trend_result())


def test_cli_writes_parquet(tiny_tickets: Path, tmp_path: Path) -> None:
    target = tmp_path / "report.parquet"
    result = CliRunner().invoke(
        app,
        [
            "report",
            str(tiny_tickets),
            "--by",
            "agent",
            "-k",
            "tickets_created,frt_median",
            "-o",
            str(target),
        ],
    )
    assert result.exit_code == 0, result.output
    table = pq.read_table(target)
    # conftest: kim 2, lee 2, (unassigned) 1; frt kim 1200, lee 2400, unassigned null.
    rows = {r["agent"]: r for r in table.to_pylist()}
    assert rows["kim"]["tickets_created"] == 2 and rows["kim"]["frt_median"] == 1200.0
    assert rows["(unassigned)"]["frt_median"] is None


@pytest.mark.parametrize(
    ("args", "passes"),
    [
        # Parquet carries the rows only: the grouped pass, no whole-window pass
        (["-o", "{out}/r.parquet"], 1),
        (["-f", "csv"], 1),
        # JSON shows `overall`: the whole-window pass too
        (["-f", "json"], 2),
        # --check judges the whole-window values, whatever the format
        (["-o", "{out}/r.parquet", "--check"], 2),
    ],
)
def test_row_formats_skip_the_whole_window_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], passes: int
) -> None:
    import cskpi.engine.compute as compute

    calls = []
    real = compute.run_pass

    def counted(*a: object, **k: object) -> object:
        calls.append(1)
        return real(*a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(compute, "run_pass", counted)
    sample = Path(__file__).resolve().parent.parent / "sample_data" / "tickets.csv"
    argv = ["report", str(sample), "-k", "tickets_created", "-q"]
    out = CliRunner().invoke(app, [*argv, *(a.format(out=tmp_path) for a in args)])
    assert out.exit_code == 0, out.output
    assert len(calls) == passes
