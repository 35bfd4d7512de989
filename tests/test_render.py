"""Renderers: human units, csv/tsv/json/jsonl/markdown text, and the terminal table."""

from __future__ import annotations

import io
import json
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from rich.console import Console

from cskpi import __version__
from cskpi.render.table import render_table
from cskpi.render.text import TEXT_FORMATS, render_text
from cskpi.result import Compare, KpiInfo, Period, Result, TargetStatus
from cskpi.units import humanize, humanize_change

HOSTILE = "=cmd|'/c calc'!A1"
KPIS = (
    KpiInfo("tickets_created", "Tickets created", "count"),
    KpiInfo("frt_median", "First response time (median)", "seconds"),
    KpiInfo("csat", "CSAT", "ratio"),
    KpiInfo("nps", "NPS", "nps"),
)
TZ = "Asia/Seoul"


def make_result(**changes: Any) -> Result:
    """Three agents; 김민준 has no CSAT responses (null ratio, n = 0)."""
    rows = pd.DataFrame(
        {
            "agent": ["kim", "김민준", HOSTILE],
            "tickets_created": np.array([12, 3, 0], dtype="int64"),
            "tickets_created_n": np.array([12, 3, 0], dtype="int64"),
            "frt_median": [1830.0, 7500.5, np.nan],
            "frt_median_n": np.array([10, 2, 0], dtype="int64"),
            "csat": [0.875, np.nan, 0.1 + 0.2],
            "csat_n": np.array([8, 0, 2], dtype="int64"),
            "nps": [41.6, -7.0, 0.0],
            "nps_n": np.array([5, 3, 1], dtype="int64"),
        }
    )
    values: dict[str, Any] = {
        "as_of": pd.Timestamp("2024-03-31T18:00", tz=TZ),
        "since": pd.Timestamp("2024-01-01", tz=TZ),
        "until": pd.Timestamp("2024-04-01", tz=TZ),
        "timezone": TZ,
        "business_hours": False,
        "group_by": ("agent",),
        "period": None,
        "kpis": KPIS,
        "rows": rows,
        "overall": {
            "tickets_created": 15,
            "tickets_created_n": 15,
            "frt_median": 2000.25,
            "frt_median_n": 12,
            "csat": 0.8,
            "csat_n": 10,
            "nps": 25.0,
            "nps_n": 9,
        },
        "targets": (
            TargetStatus(
                "frt_median", "<= 1h", 2000.25, True, "First response time (median)", "seconds"
            ),
            TargetStatus("csat", ">= 85%", 0.8, False, "CSAT", "ratio"),
        ),
        "data_quality": {
            "tickets": {
                "read": np.int64(20),
                "used": 15,
                "out_of_window": 5,
                "dropped": {},
                "issues": {},
            }
        },
    }
    values.update(changes)
    return Result(**values)


def tiny_result() -> Result:
    """One agent, one ratio KPI that is null: the smallest complete JSON document."""
    kpis = (
        KpiInfo("csat", "CSAT", "ratio"),
        KpiInfo("tickets_created", "Tickets created", "count"),
    )
    rows = pd.DataFrame(
        {
            "agent": ["김민준"],
            "period": ["2024-01"],
            "csat": [np.nan],
            "csat_n": np.array([0], dtype="int64"),
            "tickets_created": np.array([3], dtype="int64"),
            "tickets_created_n": np.array([3], dtype="int64"),
        }
    )
    return Result(
        as_of=pd.Timestamp("2026-11-23T10:00", tz="UTC"),
        since=pd.Timestamp("2024-01-01", tz=TZ),
        until=pd.Timestamp("2024-02-01", tz=TZ),
        timezone=TZ,
        business_hours=True,
        group_by=("agent",),
        period=Period.MONTH,
        kpis=kpis,
        rows=rows,
        overall={"csat": None, "csat_n": 0, "tickets_created": 3, "tickets_created_n": 3},
        targets=(
            TargetStatus("csat", ">= 0.85", None, None, "CSAT", "ratio", "no value in the window"),
        ),
        data_quality={
            "tickets": {
                "read": 4,
                "used": 3,
                "out_of_window": 0,
                "dropped": {"duplicate_ticket_id": 1},
                "issues": {},
            }
        },
    )


def compare_result() -> Result:
    base = make_result()
    rows = base.rows.copy()
    # Counts' _previous went float because of the NaN (a group absent before): still integers.
    rows["tickets_created_previous"] = [10.0, np.nan, 1.0]
    rows["tickets_created_change"] = [2.0, np.nan, -1.0]
    rows["frt_median_previous"] = [1110.0, np.nan, np.nan]
    rows["frt_median_change"] = [720.0, np.nan, np.nan]
    rows["csat_previous"] = [0.85, 0.5, np.nan]
    rows["csat_change"] = [0.025, np.nan, np.nan]
    rows["nps_previous"] = [41.6, 0.0, np.nan]
    rows["nps_change"] = [0.0, -7.0, np.nan]
    overall = dict(base.overall)
    overall.update(
        tickets_created_previous=11,
        tickets_created_change=4,
        frt_median_previous=2100.25,
        frt_median_change=-100.0,
        csat_previous=0.9,
        csat_change=-0.1,
        nps_previous=20.0,
        nps_change=5.0,
    )
    return make_result(rows=rows, overall=overall, compare=Compare.PREVIOUS)


# -- humanize -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0, "0s"),
        (45, "45s"),
        (59.4, "59s"),
        (59.5, "1m 00s"),  # rounds to 60 s, so the minute bracket
        (60, "1m 00s"),
        (750, "12m 30s"),
        (3599, "59m 59s"),
        (3599.5, "1h 00m"),
        (3600, "1h 00m"),
        (7499, "2h 05m"),  # 2h 04m 59s → nearest minute
        (86369, "23h 59m"),
        (86370, "1d 0h"),  # 23h 59m 30s rounds to 24h → day bracket
        (86400, "1d 0h"),
        (3 * 86400 + 4 * 3600, "3d 4h"),
        (100 * 86400, "100d 0h"),
    ],
)
def test_humanize_seconds_boundaries(value: float, text: str) -> None:
    assert humanize(value, "seconds") == text


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (0, "count", "0"),
        (999, "count", "999"),
        (1234, "count", "1,234"),
        (np.int64(1234567), "count", "1,234,567"),
        (0.875, "ratio", "87.5%"),
        (1.0, "ratio", "100.0%"),
        (0.0, "ratio", "0.0%"),
        (-0.00001, "ratio", "0.0%"),  # never "-0.0%"
        (4.2149, "score", "4.21"),
        (4.0, "score", "4.00"),
        (41.6, "nps", "+42"),
        (41.5, "nps", "+42"),  # halves away from zero
        (-6.5, "nps", "-7"),
        (-7.0, "nps", "-7"),
        (0.4, "nps", "0"),
        (-0.4, "nps", "0"),
        (100.0, "nps", "+100"),
        (12.4, "money", "12.40"),
        (12345.678, "money", "12,345.68"),
    ],
)
def test_humanize_units(value: float, unit: str, text: str) -> None:
    assert humanize(value, unit) == text


@pytest.mark.parametrize("unit", ["count", "seconds", "ratio", "score", "nps", "money"])
@pytest.mark.parametrize("null", [None, float("nan"), np.nan, float("inf"), pd.NA])
def test_humanize_null_is_dash(unit: str, null: Any) -> None:
    assert humanize(null, unit) == "—"


def test_humanize_unknown_unit_does_not_fail() -> None:
    assert humanize(1234.5678, "furlongs") == "1235"


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (0.025, "ratio", "+2.5 pts"),  # points of ratio, not percent of percent
        (-0.01, "ratio", "-1.0 pts"),
        (0.0, "ratio", "0.0 pts"),
        (720, "seconds", "+12m 00s"),
        (-7500, "seconds", "-2h 05m"),
        (0.2, "seconds", "0s"),
        (3, "count", "+3"),
        (-1234, "count", "-1,234"),
        (-3.5, "nps", "-4"),
        (0.2, "score", "+0.20"),
        (None, "ratio", "—"),
    ],
)
def test_humanize_change(value: float | None, unit: str, text: str) -> None:
    assert humanize_change(value, unit) == text


# -- csv / tsv ------------------------------------------------------------------------------


def test_csv_exact() -> None:
    # Null ratio → empty cell; floats by repr (0.1 + 0.2 keeps all its digits); counts plain.
    assert render_text(make_result(), "csv") == (
        "agent,tickets_created,tickets_created_n,frt_median,frt_median_n,csat,csat_n,nps,nps_n\n"
        "kim,12,12,1830.0,10,0.875,8,41.6,5\n"
        "김민준,3,3,7500.5,2,,0,-7.0,3\n"
        "=cmd|'/c calc'!A1,0,0,,0,0.30000000000000004,2,0.0,1\n"
    )


def test_csv_quotes_per_rfc4180() -> None:
    rows = make_result().rows.copy()
    rows["agent"] = ['Lee, "JJ"', "line\nbreak", "plain"]
    text = render_text(make_result(rows=rows), "csv")
    lines = text.split("\n")
    assert lines[1].startswith('"Lee, ""JJ""",12,')
    assert lines[2] == '"line'
    assert lines[3].startswith('break",3,')


def test_tsv_exact() -> None:
    assert render_text(make_result(), "tsv") == (
        "agent\ttickets_created\ttickets_created_n\tfrt_median\tfrt_median_n\tcsat\tcsat_n"
        "\tnps\tnps_n\n"
        "kim\t12\t12\t1830.0\t10\t0.875\t8\t41.6\t5\n"
        "김민준\t3\t3\t7500.5\t2\t\t0\t-7.0\t3\n"
        "=cmd|'/c calc'!A1\t0\t0\t\t0\t0.30000000000000004\t2\t0.0\t1\n"
    )


def test_csv_excel_bom_and_neutralised_labels_only() -> None:
    rows = make_result().rows.copy()
    rows["agent"] = [HOSTILE, "+1 team", "@ops"]
    rows["nps"] = [-7.0, -0.5, 3.0]  # negative numbers are numbers: never quoted away
    text = render_text(make_result(rows=rows), "csv", excel=True)
    assert text.startswith("\ufeffagent,tickets_created,")
    lines = text.removeprefix("\ufeff").split("\n")
    assert lines[1] == "'=cmd|'/c calc'!A1,12,12,1830.0,10,0.875,8,-7.0,5"
    assert lines[2] == "'+1 team,3,3,7500.5,2,,0,-0.5,3"
    assert lines[3] == "'@ops,0,0,,0,0.30000000000000004,2,3.0,1"


def test_plain_csv_has_no_bom_and_no_escaping() -> None:
    text = render_text(make_result(), "csv")
    assert not text.startswith("\ufeff")
    assert f"\n{HOSTILE}," in text


def test_excel_does_not_touch_tsv() -> None:
    assert render_text(make_result(), "tsv", excel=True) == render_text(make_result(), "tsv")


def test_csv_counts_stay_integers_after_float_previous() -> None:
    lines = render_text(compare_result(), "csv").split("\n")
    header = lines[0].split(",")
    first = dict(zip(header, lines[1].split(","), strict=True))
    assert first["tickets_created_previous"] == "10"
    assert first["tickets_created_change"] == "2"
    assert first["frt_median_previous"] == "1110.0"
    assert first["csat_change"] == "0.025"
    second = dict(zip(header, lines[2].split(","), strict=True))
    assert second["tickets_created_previous"] == ""


# -- json / jsonl ---------------------------------------------------------------------------


def test_json_exact_tiny() -> None:
    expected = """{
  "schema_version": 1,
  "cskpi_version": "@VERSION@",
  "engine": "local",
  "as_of": "2026-11-23T10:00:00+00:00",
  "window": {
    "since": "2024-01-01T00:00:00+09:00",
    "until": "2024-02-01T00:00:00+09:00",
    "timezone": "Asia/Seoul"
  },
  "business_hours": true,
  "config": null,
  "group_by": [
    "agent"
  ],
  "period": "month",
  "kpis": [
    {
      "id": "csat",
      "name": "CSAT",
      "unit": "ratio"
    },
    {
      "id": "tickets_created",
      "name": "Tickets created",
      "unit": "count"
    }
  ],
  "rows": [
    {
      "agent": "김민준",
      "period": "2024-01",
      "csat": null,
      "csat_n": 0,
      "tickets_created": 3,
      "tickets_created_n": 3
    }
  ],
  "overall": {
    "csat": null,
    "csat_n": 0,
    "tickets_created": 3,
    "tickets_created_n": 3
  },
  "targets": [
    {
      "kpi": "csat",
      "target": ">= 0.85",
      "value": null,
      "met": null,
      "status": "not_evaluated",
      "reason": "no value in the window"
    }
  ],
  "data_quality": {
    "tickets": {
      "read": 4,
      "used": 3,
      "out_of_window": 0,
      "dropped": {
        "duplicate_ticket_id": 1
      },
      "issues": {}
    }
  }
}
""".replace("@VERSION@", __version__)
    assert render_text(tiny_result(), "json") == expected


def test_json_values_unrounded_and_typed() -> None:
    doc = json.loads(render_text(make_result(), "json"))
    assert doc["period"] is None
    assert "compare" not in doc
    first, second, third = doc["rows"]
    assert first["frt_median"] == 1830.0 and isinstance(first["frt_median"], float)
    assert first["tickets_created"] == 12 and isinstance(first["tickets_created"], int)
    assert second["csat"] is None
    assert third["csat"] == 0.1 + 0.2  # repr round-trip: 0.30000000000000004
    assert third["agent"] == HOSTILE
    assert doc["data_quality"]["tickets"]["read"] == 20
    assert doc["targets"][1] == {
        "kpi": "csat",
        "target": ">= 85%",
        "value": 0.8,
        "met": False,
        "status": "missed",
        "reason": None,
    }


def test_json_never_writes_nan() -> None:
    rows = make_result().rows.copy()
    rows["frt_median"] = [np.inf, np.nan, -np.inf]
    text = render_text(make_result(rows=rows), "json")
    assert "NaN" not in text and "Infinity" not in text
    assert [r["frt_median"] for r in json.loads(text)["rows"]] == [None, None, None]


def test_json_compare_key_follows_period() -> None:
    doc = json.loads(render_text(compare_result(), "json"))
    keys = list(doc)
    assert keys == [
        "schema_version", "cskpi_version", "engine", "as_of", "window", "business_hours",
        "config", "group_by", "period", "compare", "kpis", "rows", "overall", "targets", "data_quality",
    ]  # fmt: skip
    assert doc["compare"] == "previous"
    assert doc["rows"][0]["tickets_created_previous"] == 10
    assert isinstance(doc["rows"][0]["tickets_created_previous"], int)
    assert doc["rows"][1]["tickets_created_previous"] is None
    assert doc["overall"]["frt_median_change"] == -100.0


def test_jsonl_one_row_per_line_no_envelope() -> None:
    lines = render_text(make_result(), "jsonl").splitlines()
    assert len(lines) == 3
    assert lines[1] == (
        '{"agent": "김민준", "tickets_created": 3, "tickets_created_n": 3, "frt_median": 7500.5, '
        '"frt_median_n": 2, "csat": null, "csat_n": 0, "nps": -7.0, "nps_n": 3}'
    )
    assert [json.loads(line)["agent"] for line in lines] == ["kim", "김민준", HOSTILE]


def test_jsonl_empty_rows_is_empty() -> None:
    empty = make_result().rows.iloc[0:0]
    assert render_text(make_result(rows=empty), "jsonl") == ""


def test_machine_formats_carry_exactly_the_row_keys() -> None:
    result = compare_result()
    columns = list(result.rows.columns)
    assert render_text(result, "csv").split("\n")[0].split(",") == columns
    assert list(json.loads(render_text(result, "json"))["rows"][0]) == columns
    assert list(json.loads(render_text(result, "jsonl").splitlines()[0])) == columns


# -- markdown -------------------------------------------------------------------------------


def test_markdown_exact() -> None:
    assert render_text(make_result(), "markdown") == (
        "| agent | Tickets created | n | First response time (median) | n | CSAT | n | NPS | n |\n"
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n"
        "| kim | 12 | 12 | 30m 30s | 10 | 87.5% | 8 | +42 | 5 |\n"
        "| 김민준 | 3 | 3 | 2h 05m | 2 | — | 0 | -7 | 3 |\n"
        "| =cmd\\|'/c calc'!A1 | 0 | 0 | — | 0 | 30.0% | 2 | 0 | 1 |\n"
        "\n"
        "**Overall**\n"
        "\n"
        "| Tickets created | n | First response time (median) | n | CSAT | n | NPS | n |\n"
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n"
        "| 15 | 15 | 33m 20s | 12 | 80.0% | 10 | +25 | 9 |\n"
    )


def test_markdown_compare_columns_humanised_per_kpi() -> None:
    text = render_text(compare_result(), "markdown")
    header, _, kim, *_ = text.splitlines()
    assert header.startswith(
        "| agent | Tickets created | n | previous | change | First response time (median) | n"
        " | previous | change | CSAT | n | previous | change |"
    )
    assert kim == (
        "| kim | 12 | 12 | 10 | +2 | 30m 30s | 10 | 18m 30s | +12m 00s | 87.5% | 8 | 85.0%"
        " | +2.5 pts | +42 | 5 | +42 | 0 |"
    )
    assert "| 15 | 15 | 11 | +4 | 33m 20s | 12 | 35m 00s | -1m 40s | 80.0% | 10 | 90.0% |" in text


def test_markdown_single_overall_row_is_not_repeated() -> None:
    base = make_result()
    rows = base.rows.drop(columns="agent").iloc[0:1]
    text = render_text(make_result(rows=rows, group_by=()), "markdown")
    assert "Overall" not in text
    assert text.count("\n") == 3


# -- dispatch and determinism ---------------------------------------------------------------


def test_text_formats() -> None:
    assert TEXT_FORMATS == ("csv", "tsv", "json", "jsonl", "markdown")


def test_unknown_format_is_a_bug_not_a_silent_default() -> None:
    with pytest.raises(ValueError, match="html"):
        render_text(make_result(), "html")


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
def test_same_result_same_text(fmt: str) -> None:
    assert render_text(compare_result(), fmt) == render_text(compare_result(), fmt)


def test_renderers_do_not_mutate_the_result() -> None:
    result = make_result()
    before = result.rows.copy()
    for fmt in TEXT_FORMATS:
        render_text(result, fmt, excel=True)
    render_table(result)
    pd.testing.assert_frame_equal(result.rows, before)


# -- terminal table -------------------------------------------------------------------------


def table_text(result: Result, width: int) -> str:
    console = Console(record=True, width=width, color_system=None, file=io.StringIO())
    console.print(render_table(result))
    return console.export_text()


@pytest.mark.parametrize("width", [60, 200])
def test_table_renders_humanised_values(width: int) -> None:
    text = table_text(make_result(), width)
    assert "2024-01-01 → 2024-03-31 (Asia/Seoul)" in text
    assert "as of 2024-03-31 18:00" in text
    for value in ("30m 30s", "2h 05m", "87.5%", "30.0%", "+42", "-7", "Overall", "33m 20s"):
        assert value in text, value
    assert "김민준" in text
    assert "\x1b[" not in text
    assert "1830" not in text  # machine values stay out of the table


def test_table_wide_lines_fit_the_console() -> None:
    for width in (60, 80, 200):
        lines = table_text(compare_result(), width).splitlines()
        assert max(len(line) for line in lines) <= width


def test_table_hostile_label_is_not_markup() -> None:
    rows = make_result().rows.copy()
    rows["agent"] = ["[bold red]x[/]", "김민준", HOSTILE]
    text = table_text(make_result(rows=rows), 200)
    assert "[bold red]x[/]" in text
    assert HOSTILE in text


def test_table_cjk_label_aligns() -> None:
    lines = table_text(make_result(), 200).splitlines()
    kim = next(line for line in lines if line.startswith(" kim") or line.startswith("kim"))
    korean = next(line for line in lines if "김민준" in line)
    from rich.cells import cell_len

    # The value columns end at the same terminal column, whatever the label's script.
    assert cell_len(kim.rstrip()) == cell_len(korean.rstrip())


def test_table_targets_section() -> None:
    text = table_text(make_result(), 200)
    assert "Targets" in text
    assert "✓ First response time (median)" in text
    assert "✗ CSAT" in text


def test_table_null_target_not_evaluated() -> None:
    # DECISIONS 41: it fails --check, so it is marked (not a dim dash) and says why
    text = table_text(tiny_result(), 200)
    assert "? CSAT >= 0.85 — not evaluated: no value in the window" in text


def test_table_compare_shows_change_next_to_value() -> None:
    text = table_text(compare_result(), 200)
    # every population here is under 30 (frt n 10, csat n 8, nps n 5 and 3, overall frt n 12):
    # each value carries the small-n mark, before its change
    assert "30m 30s† (▲ 12m 00s)" in text
    assert "87.5%† (▲ 2.5 pts)" in text
    assert "+42† (=)" in text
    assert "-7† (▼ 7)" in text
    assert "33m 20s† (▼ 1m 40s)" in text
    assert "change vs previous period" in text


def test_table_single_row_has_no_overall() -> None:
    rows = make_result().rows.drop(columns="agent").iloc[0:1]
    text = table_text(make_result(rows=rows, group_by=()), 120)
    assert "Overall" not in text
    assert "30m 30s" in text


def test_table_empty_rows() -> None:
    empty = make_result().rows.iloc[0:0]
    text = table_text(make_result(rows=empty), 120)
    assert "No records in this window." in text


def test_table_colours_targets_per_row() -> None:
    coloured = io.StringIO()
    Console(file=coloured, width=200, color_system="standard", force_terminal=True).print(
        render_table(make_result())
    )
    # frt <= 1h: kim 30m 30s met (green), 김민준 2h 05m missed (red).
    assert "\x1b[32m" in coloured.getvalue() and "\x1b[31m" in coloured.getvalue()
    # The console decides: NO_COLOR on a terminal keeps bold/dim but shows no colour.
    plain = io.StringIO()
    Console(file=plain, width=200, no_color=True, force_terminal=True).print(
        render_table(make_result())
    )
    assert "\x1b[32m" not in plain.getvalue() and "\x1b[31m" not in plain.getvalue()
    assert "30m 30s" in plain.getvalue()


def test_table_window_with_times_and_single_day() -> None:
    partial = make_result(
        since=pd.Timestamp("2024-03-01T09:00", tz=TZ), until=pd.Timestamp("2024-03-08T09:00", tz=TZ)
    )
    assert "2024-03-01 09:00 → 2024-03-08 09:00" in table_text(partial, 200)
    day = make_result(
        since=pd.Timestamp("2024-03-05", tz=TZ), until=pd.Timestamp("2024-03-06", tz=TZ)
    )
    assert "2024-03-05 (Asia/Seoul)" in table_text(day, 200)


def test_humanize_is_pure_text() -> None:
    assert all(isinstance(humanize(v, "seconds"), str) for v in (0, 1.5, math.pi * 1e6))


def test_importing_renderers_stays_light() -> None:
    """`cskpi --help` must stay instant: pandas, numpy and rich load only when rendering."""
    import subprocess
    import sys

    code = (
        "import sys, cskpi.render.text, cskpi.render.table, cskpi.render.files, "
        "cskpi.units; "
        "print(sorted(m for m in ('pandas', 'numpy', 'rich') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("delimiter", [",", "\t"])
def test_delimited_quotes_every_line_end(delimiter: str) -> None:
    """A label holding a bare carriage return was written unquoted (Python 3.11's writer
    quotes only its own line terminator's characters), and every reader split its row in
    two (found by the fuzz tests: an agent `0\\r0`). Each value comes back as it was."""
    import csv

    from cskpi.render.text import delimited

    rows = [
        ["agent", "tickets"],
        ["0\r0", 3],
        ["a\nb", 2],
        ["c\r\nd", 1],
        ['say "hi"', None],
        ["\ue000x", 4.5],
        ["plain", 0],
    ]
    text = delimited(rows, delimiter)
    # five rows end in \n; the line ends inside quoted values are the values' own
    assert text.endswith("plain" + delimiter + "0\n")
    assert text.count("\n") == len(rows) + 2  # "a\nb" and "c\r\nd" hold one each
    back = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    assert back == [[str("" if v is None else v) for v in row] for row in rows]
    assert '"0\r0"' in text and "plain" + delimiter + "0" in text  # plain values unquoted
