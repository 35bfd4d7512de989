"""Issue 17: the terminal table marks values from a small population (`_n` < small_n)."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from rich.console import Console
from typer.testing import CliRunner

from cskpi.cli import app
from cskpi.config import parse_config
from cskpi.errors import UsageError
from cskpi.render.table import SMALL_MARK, render_table
from tests.test_render import make_result

runner = CliRunner()


def shown(small_n: int | None = None, **changes: object) -> str:
    console = Console(record=True, width=200, color_system=None, file=io.StringIO())
    result = make_result(**changes)
    console.print(
        render_table(result) if small_n is None else render_table(result, small_n=small_n)
    )
    return console.export_text()


def line_of(text: str, label: str) -> str:
    return next(line for line in text.splitlines() if line.lstrip().startswith(label))


def test_values_under_30_are_marked_and_footnoted() -> None:
    """make_result: kim has frt n 10, csat n 8, nps n 5; all < 30, so each value is marked;
    tickets_created (a count, its own population) never is."""
    text = shown()
    kim = line_of(text, "kim")
    assert "30m 30s†" in kim and "87.5%†" in kim and "+42†" in kim
    assert "12†" not in kim
    # 김민준: csat has n 0 and no value (—): nothing to mark
    assert "—†" not in text
    assert "† n < 30: from fewer than 30 tickets or responses" in text


def test_threshold_is_strict_and_configurable() -> None:
    """small_n 9: kim's frt n 10 and csat n 8 → only csat (8 < 9) marked; nps n 5 marked;
    overall frt n 12 not, overall nps n 9 not (9 is not < 9)."""
    text = shown(9)
    kim = line_of(text, "kim")
    assert "30m 30s†" not in kim and "30m 30s" in kim
    assert "87.5%†" in kim and "+42†" in kim
    overall = line_of(text, "Overall")
    assert "33m 20s†" not in overall and "+25†" not in overall
    assert "80.0%†" not in overall  # overall csat n 10 ≥ 9
    assert "† n < 9:" in text


def test_no_mark_and_no_footnote_when_every_population_is_large() -> None:
    rows = make_result().rows.assign(frt_median_n=40, csat_n=40, nps_n=40)
    overall = {**make_result().overall, "frt_median_n": 40, "csat_n": 40, "nps_n": 40}
    text = shown(rows=rows, overall=overall)
    assert SMALL_MARK not in text


def test_zero_turns_marks_off() -> None:
    assert SMALL_MARK not in shown(0)


def test_a_missing_population_is_not_marked() -> None:
    rows = make_result().rows.assign(nps_n=pd.array([pd.NA] * 3, dtype="Int64"))
    rows = rows.drop(columns=["frt_median_n", "csat_n"])
    overall = {k: v for k, v in make_result().overall.items() if not k.endswith("_n")}
    assert SMALL_MARK not in shown(rows=rows, overall=overall)


def test_config_key() -> None:
    assert parse_config({}).small_n == 30
    assert parse_config({"display": {"small_n": 5}}).small_n == 5
    assert parse_config({"display": {"small_n": 0}}).small_n == 0


@pytest.mark.parametrize("value", [-1, 2.5, "30", True])
def test_config_key_must_be_a_whole_number(value: object) -> None:
    with pytest.raises(UsageError, match=r"cskpi.toml: display.small_n must be a whole number"):
        parse_config({"display": {"small_n": value}}, Path("cskpi.toml"))


def test_cli_table_uses_the_config(
    tiny_tickets: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tiny fixture has few tickets per agent: marked by default, not with small_n = 0."""
    import cskpi.cli.report as report_module

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(report_module.sys.stdout, "isatty", lambda: True, raising=False)
    args = ["report", str(tiny_tickets), "-k", "frt_median", "--by", "agent", "-f", "table"]
    marked = runner.invoke(app, args, env={"COLUMNS": "200"})
    assert marked.exit_code == 0, marked.stderr
    assert SMALL_MARK in marked.stdout and "n < 30" in marked.stdout
    (tmp_path / "cskpi.toml").write_text("[display]\nsmall_n = 0\n", encoding="utf-8")
    plain = runner.invoke(app, args, env={"COLUMNS": "200"})
    assert plain.exit_code == 0, plain.stderr
    assert SMALL_MARK not in plain.stdout


def test_cli_bad_config_value_is_exit_2(tiny_tickets: Path, tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text("[display]\nsmall_n = -3\n", encoding="utf-8")
    result = runner.invoke(app, ["report", str(tiny_tickets), "-c", str(config), "-f", "csv"])
    assert result.exit_code == 2
    assert f"{config}: display.small_n must be a whole number ≥ 0" in result.stderr
