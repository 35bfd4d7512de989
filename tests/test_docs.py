"""The README is checked against the code: KPI table, commands, real output."""

from __future__ import annotations

import re
from pathlib import Path

from cskpi.kpis import all_kpis
from cskpi.render.catalogue import markdown_table

README = Path(__file__).resolve().parent.parent / "README.md"


def _readme() -> str:
    return README.read_text(encoding="utf-8")


def test_readme_kpi_table_matches_registry() -> None:
    text = _readme()
    block = re.search(r"<!-- kpi-table:start -->\n(.*?)<!-- kpi-table:end -->", text, re.S)
    assert block is not None
    assert block.group(1) == markdown_table()


def test_every_registered_kpi_is_documented() -> None:
    text = _readme()
    for kpi_id in all_kpis():
        assert f"| `{kpi_id}` |" in text


def test_readme_shows_the_two_commands() -> None:
    text = _readme()
    assert "make report" in text and "make test" in text
