"""Issue 17, what the shell shows: argument names in --help, command summaries, completion."""

from __future__ import annotations

import re

import pytest
import typer
from typer.testing import CliRunner

from cskpi.cli import app
from cskpi.cli.shell import complete_kpis
from cskpi.kpis import all_kpis

runner = CliRunner()
COMMANDS = typer.main.get_command(app).commands  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("command", "usage", "argument"),
    [
        ("report", "Usage: cskpi report [OPTIONS] FILE...", "FILE..."),
        ("peak", "Usage: cskpi peak [OPTIONS] FILE...", "FILE..."),
        ("validate", "Usage: cskpi validate [OPTIONS] FILE...", "FILE..."),
        ("explain", "Usage: cskpi explain [OPTIONS] TICKET_ID FILE...", "TICKET_ID"),
    ],
)
def test_positional_arguments_read_as_names(command: str, usage: str, argument: str) -> None:
    """`{FILE}...` and `FILE <list[str]>` were typer's view; the user types `FILE...`."""
    result = runner.invoke(app, [command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == usage
    arguments = result.output.split("Arguments:\n", 1)[1].split("\n\n", 1)[0]
    assert arguments.splitlines()[0].split()[0] == argument
    assert "{" not in result.output.splitlines()[0]
    assert re.search(r"<list\[|<str>|<int>", arguments) is None


@pytest.mark.parametrize("columns", ["60", "80", "200"])
def test_command_summaries_are_whole_sentences(columns: str) -> None:
    """`cskpi --help` cut `peak`'s summary (`…per hour,...`): each first line is now one short
    sentence, shown whole down to a 60-column terminal (click cuts at width − 6 − 8)."""
    result = runner.invoke(app, ["--help"], env={"COLUMNS": columns})
    assert result.exit_code == 0
    listing = result.output.split("Commands:\n", 1)[1].splitlines()
    shown = {line.split()[0]: line.split(None, 1)[1] for line in listing if line.strip()}
    assert set(shown) == set(COMMANDS)
    for name, summary in shown.items():
        first = (COMMANDS[name].help or "").splitlines()[0]
        assert summary == first, (name, summary)
        assert summary.endswith(".") and not summary.endswith("...")
        assert len(first) <= 45, first


def test_completion_offers_kpi_ids_by_prefix() -> None:
    offered = [value for value, _ in complete_kpis("frt_")]
    assert offered == sorted(k for k in all_kpis() if k.startswith("frt_"))
    assert "frt_median" in offered
    assert all(value.startswith("frt_") for value in offered)
    # the help of each item is the KPI's name
    assert dict(complete_kpis("frt_median"))["frt_median"] == all_kpis()["frt_median"].name


def test_completion_completes_the_last_item_of_a_comma_list() -> None:
    offered = [value for value, _ in complete_kpis("frt_median,csat_")]
    expected = sorted(f"frt_median,{k}" for k in all_kpis() if k.startswith("csat_"))
    assert offered == expected and offered
    # an id already in the list is not offered again; an empty last item offers the rest
    rest = [value for value, _ in complete_kpis("frt_median,")]
    assert "frt_median,frt_median" not in rest
    assert len(rest) == len(all_kpis()) - 1


def test_completion_of_an_unknown_prefix_is_empty() -> None:
    assert complete_kpis("zz") == []


def test_completion_through_the_shell_protocol(monkeypatch: pytest.MonkeyPatch) -> None:
    """What bash receives for `cskpi report t.csv -k frt_median,csat<TAB>`."""
    monkeypatch.setenv("_CSKPI_COMPLETE", "complete_bash")
    monkeypatch.setenv("COMP_WORDS", "cskpi report t.csv -k frt_median,csat")
    monkeypatch.setenv("COMP_CWORD", "4")
    result = runner.invoke(app, [], prog_name="cskpi")
    offered = result.output.split()
    assert offered == sorted(f"frt_median,{k}" for k in all_kpis() if k.startswith("csat"))
