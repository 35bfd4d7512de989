"""HTML polish (issue 22): `--title` for the heading; chart text is SVG text, not glyph paths."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cskpi.cli import app
from cskpi.render import render
from cskpi.render.html import render_html
from tests.conftest import TINY_TICKETS
from tests.results import trend_result

runner = CliRunner()


def test_chart_text_is_selectable_text() -> None:
    page = render_html(trend_result())
    svg = page[page.index("<svg") : page.index("</svg>")]
    ticks = re.findall(r"<text[^>]*>([^<]+)</text>", svg)
    # the month buckets of trend_result (2024-01 … 2024-03) are written as text
    assert {"2024-01", "2024-02", "2024-03"} <= set(ticks), ticks
    # glyphs drawn as paths are <path id="DejaVuSans-32"> definitions, each <use>d per letter
    assert "DejaVuSans-" not in svg


def test_title_replaces_heading_and_page_title_escaped() -> None:
    page = render(trend_result(), "html", title="Q1 <review> & plan")
    assert "<h1>Q1 &lt;review&gt; &amp; plan</h1>" in page
    assert "<title>Q1 &lt;review&gt; &amp; plan</title>" in page
    default = render(trend_result(), "html")
    # without --title, the heading says what the report shows
    assert "<h1>Customer-service KPIs — by agent, per month</h1>" in default


def test_title_option(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "t.csv").write_text(TINY_TICKETS, encoding="utf-8")
    result = runner.invoke(app, ["report", "t.csv", "-o", "r.html", "--title", "March", "-q"])
    assert result.exit_code == 0, result.stderr
    assert "<h1>March</h1>" in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_title_with_another_format_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "t.csv").write_text(TINY_TICKETS, encoding="utf-8")
    result = runner.invoke(app, ["report", "t.csv", "-f", "json", "--title", "March"])
    assert result.exit_code == 2
    assert "--title is the HTML report's heading: use it with -o FILE.html" in result.stderr
    assert not result.stdout
