"""Partial buckets, `period_previous` and "no earlier data" in every output format
(DECISIONS 37, 38, 39), special groups last in charts (42), and the README's HTML example.

One report over `tests/test_compare.TICKETS`: `--since 2024-03-01 --until 2024-05-31
--by agent --period month --compare previous -k tickets_created`, as of 2024-05-15 12:00 UTC:

| agent        | period   | partial | previous | created | before | change |
|--------------|----------|---------|----------|---------|--------|--------|
| kim          | 2024-03  | false   | 2024-02  | 1 (T1)  | null (February is before the first record) |
| kim          | 2024-04  | false   | 2024-03  | 2 (T3, T4) | 1   | +1     |
| kim          | 2024-05  | true    | 2024-04  | 1 (T6)  | 2      | −1     |
| lee          | 2024-03  | false   | 2024-02  | 1 (T2)  | null   | null   |
| lee          | 2024-04  | false   | 2024-03  | 1 (T5)  | 1      | 0      |
| (unassigned) | 2024-05  | true    | 2024-04  | 1 (T7)  | null (absent in April) |

May is partial: it ends after as_of. Overall: 7 tickets; the equal-length window before
03-01 is not covered → previous null.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shlex
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from openpyxl import load_workbook
from rich.console import Console
from typer.testing import CliRunner

import cskpi
from cskpi import ReportRequest
from cskpi.cli import app
from cskpi.render import render
from cskpi.render.charts import trend_series
from cskpi.render.excel import PARTIAL_FILL
from cskpi.render.html import render_html
from cskpi.render.sparkline import trend_summary
from cskpi.render.table import render_table
from cskpi.render.text import render_text
from cskpi.result import Compare, Period, Result
from cskpi.time.window import WindowSpec
from tests.results import trend_result, trend_rows
from tests.test_compare import AS_OF, TICKETS

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> Result:
    path = tmp_path_factory.mktemp("compare") / "tickets.csv"
    path.write_text(TICKETS, encoding="utf-8")
    return cskpi.compute(
        cskpi.load(str(path)),
        ReportRequest(
            kpis=("tickets_created",),
            window=WindowSpec(since="2024-03-01", until="2024-05-31"),
            group_by=("agent",),
            period=Period.MONTH,
            compare=Compare.PREVIOUS,
            as_of=AS_OF,
            tz="UTC",
        ),
    )


def test_csv_and_tsv_carry_partial_after_the_period(result: Result) -> None:
    lines = render_text(result, "csv").splitlines()
    assert lines[0] == (
        "agent,period,partial,period_previous,tickets_created,tickets_created_n,"
        "tickets_created_previous,tickets_created_change"
    )
    assert lines[1:] == [
        "kim,2024-03,false,2024-02,1,1,,",
        "kim,2024-04,false,2024-03,2,2,1,1",
        "kim,2024-05,true,2024-04,1,1,2,-1",
        "lee,2024-03,false,2024-02,1,1,,",
        "lee,2024-04,false,2024-03,1,1,1,0",
        "(unassigned),2024-05,true,2024-04,1,1,,",
    ]
    tsv = list(csv.reader(io.StringIO(render_text(result, "tsv")), delimiter="\t"))
    assert tsv[3][:4] == ["kim", "2024-05", "true", "2024-04"]


def test_json_and_jsonl_rows(result: Result) -> None:
    doc = json.loads(render_text(result, "json"))
    may = doc["rows"][2]
    assert list(may)[:4] == ["agent", "period", "partial", "period_previous"]
    assert (may["partial"], may["period_previous"]) == (True, "2024-04")
    assert doc["rows"][0]["partial"] is False
    # DECISIONS 38: no earlier data is null, never 0
    assert doc["rows"][0]["tickets_created_previous"] is None
    assert doc["overall"]["tickets_created"] == 7
    assert doc["overall"]["tickets_created_previous"] is None
    assert doc["overall"]["tickets_created_change"] is None
    lines = [json.loads(line) for line in render_text(result, "jsonl").splitlines()]
    assert lines == doc["rows"]


def test_parquet_types_partial_as_bool(result: Result) -> None:
    table = pq.read_table(io.BytesIO(render(result, "parquet")))  # type: ignore[arg-type]
    assert table.schema.field("partial").type == pa.bool_()
    assert table.schema.field("period_previous").type == pa.string()
    assert table.column("partial").to_pylist() == [False, False, True, False, False, True]
    assert table.column("tickets_created_previous").to_pylist() == [None, 1, 2, None, 1, None]


def test_excel_shades_partial_rows(result: Result) -> None:
    book = load_workbook(io.BytesIO(render(result, "xlsx")))  # type: ignore[arg-type]
    sheet = book["rows"]
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["agent", "period", "partial", "period_previous"]
    shaded = [row[0].fill.fgColor.rgb.endswith(PARTIAL_FILL) for row in sheet.iter_rows(min_row=2)]
    assert shaded == [False, False, True, False, False, True]
    assert all(
        c.fill.fgColor.rgb.endswith(PARTIAL_FILL) for c in sheet[4]
    )  # the whole row, kim 2024-05
    assert sheet["C4"].value is True and sheet["C2"].value is False


def test_markdown_marks_the_label_and_says_no_earlier_data(result: Result) -> None:
    text = render_text(result, "markdown")
    header = text.splitlines()[0]
    assert (
        header == "| agent | period | period_previous | Tickets created | n | previous | change |"
    )
    assert "| kim | 2024-03 | 2024-02 | 1 | 1 | — | no earlier data |" in text
    assert "| kim | 2024-05* | 2024-04 | 1 | 1 | 2 | -1 |" in text
    assert "| (unassigned) | 2024-05* | 2024-04 | 1 | 1 | — | no earlier data |" in text
    # the footnote starts with an escaped `*` (not a list item)
    assert "\n\\* partial month (2024-05): only part of the month lies inside" in text
    assert "| 7 | 7 | — | no earlier data |" in text  # overall
    assert "vs 0" not in text and "| +7 |" not in text


def test_terminal_table(result: Result) -> None:
    out = io.StringIO()
    Console(file=out, width=140, color_system=None).print(render_table(result))
    shown = out.getvalue()
    # rows month over month (DECISIONS 37), overall against the window before (DECISIONS 5)
    assert "change vs previous month; overall: previous period" in shown
    assert "2024-05*" in shown and "2024-04*" not in shown
    assert "* partial month (2024-05)" in shown
    assert "(no earlier data)" in shown
    assert "period_previous" not in shown and "false" not in shown


def test_html_marks_partial_and_no_earlier_data(result: Result) -> None:
    page = render_html(result)
    table = page[page.index('<table class="rows">') : page.index("</table>")]
    assert '<td class="label period">2024-05*</td>' in table
    assert '<td class="label period">2024-04</td>' in table
    assert "period_previous" not in table and ">partial<" not in table
    assert "partial month (2024-05)" in page  # the footnote
    assert "<dt>Compared with</dt><dd>previous month; overall: previous period</dd>" in page
    # the card: "no earlier data", never "+7 vs 0"
    cards = page[page.index('class="cards"') : page.index("Trend per month")]
    assert '<div class="line neutral">no earlier data</div>' in cards
    assert "vs 0" not in page
    # the chart: a dashed segment to a hollow point, and a legend entry saying so
    assert '<span class="swatch hollow"></span>partial month: 2024-05' in page
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert "stroke-dasharray" in svg  # no target here: the only dashed line
    assert "fill: #ffffff; stroke: #1f77b4" in svg  # the hollow point, in the line's colour


def test_html_chart_without_partial_has_no_hollow_point() -> None:
    page = render_html(trend_result(targets=()))
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert "stroke-dasharray" not in svg and "fill: #ffffff; stroke:" not in svg
    assert "swatch hollow" not in page


def test_sparkline_leaves_partial_buckets_out(result: Result) -> None:
    summary = trend_summary(result)
    assert summary is not None
    # March and April only: May is partial. kim 1 → 2, lee 1 → 1
    assert summary.buckets == ("2024-03", "2024-04")
    assert summary.left_out == ("2024-05",)
    assert [(x.group, x.first, x.last) for x in summary.lines] == [
        ("kim", "1", "2"),
        ("lee", "1", "1"),
        ("(unassigned)", "—", "—"),
    ]


def test_charts_put_special_groups_last_in_the_legend() -> None:
    # (none) has 36 tickets, kim 4: by volume (none) would lead; special groups go last
    rows = trend_rows(agents=["(none)", "kim"])
    trend = trend_series(trend_result(rows=rows))
    assert trend.groups == ("kim", "(none)")


# -- the README's HTML example -------------------------------------------------------------


def _documented_command() -> list[str]:
    """The command that makes docs/report.png's HTML (docs/outputs.md, "Screenshot")."""
    text = (ROOT / "docs" / "outputs.md").read_text(encoding="utf-8")
    block = re.search(r"```sh\n(cskpi report sample_data/.*?)\nchromium", text, re.S)
    assert block is not None
    args = shlex.split(block.group(1).replace("\\\n", " "))
    assert args[:2] == ["cskpi", "report"] and "--compare" in args
    return args[1:]


def test_readme_html_example_shows_no_change_against_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DECISIONS 38: the sample starts 2024-01-01, so nothing before the window is known;
    the cards said "▲ +19,869 vs 0" (issue 16). README links this report (docs/report.png)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/report.png" in readme and "docs/outputs.md" in readme
    args = _documented_command()
    out = tmp_path / "r.html"
    args[args.index("-o") + 1] = str(out)
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(app, [*args, "-q"])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert not re.search(r"</span> vs 0(?![\d,])", page)  # "▲ +19,869</span> vs 0"
    cards = page[page.index('class="cards"') : page.index("</section>")]
    assert cards.count("no earlier data") == cards.count('<div class="card') == 6
    # month over month in the table: 2024-02 against 2024-01 has a change; 2024-01 has none
    assert "against the previous month" in page
