"""The command line, in process (typer's CliRunner), plus one subprocess smoke test.

Three kinds (STYLE 10): each user error's message and exit code (CLI.md "Exit codes"),
parity (`report -f json` equals the library's result), and meta (every command has help with
an example). Expected numbers come from the hand-checkable fixtures in conftest.py.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner, Result

import cskpi
from cskpi.cli import app
from cskpi.engine.types import ReportRequest
from cskpi.kpis import all_kpis
from cskpi.render.text import render_text

runner = CliRunner()

CORE_TICKET_KPIS = ["tickets_created", "frt_median", "resolution_time_median", "fcr_rate"]


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run in an empty directory (no stray ./cskpi.toml) without debug tracebacks."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CSKPI_DEBUG", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)


def cli(*args: object) -> Result:
    result = runner.invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.stderr, result.stderr
    assert "Traceback" not in result.stdout, result.stdout
    return result


def user_error(result: Result, code: int, *phrases: str) -> None:
    """A user error: the exit code, each phrase on stderr, no traceback, not a bug."""
    assert result.exit_code == code, (result.exit_code, result.stderr, result.exception)
    for phrase in phrases:
        assert phrase in result.stderr, (phrase, result.stderr)
    assert "internal error" not in result.stderr
    assert "Traceback" not in result.stderr


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


# -- meta --------------------------------------------------------------------------------------

COMMANDS = sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]


def test_version() -> None:
    result = cli("--version")
    assert result.exit_code == 0
    assert result.stdout == f"cskpi {cskpi.__version__}\n"
    assert result.stdout == "cskpi 0.1.0\n"


def test_root_help_has_an_example() -> None:
    result = cli("--help")
    assert result.exit_code == 0
    assert "Example:" in result.stdout
    for command in COMMANDS:
        assert command in result.stdout


def test_commands_are_registered() -> None:
    assert {"report", "validate", "kpis", "sample"} <= set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = cli(command, "--help")
    assert result.exit_code == 0, result.stderr
    assert re.search(rf"Example: cskpi {command}\b", result.stdout), result.stdout


# -- report: user errors -----------------------------------------------------------------------


def test_unknown_kpi_suggests_the_nearest(tiny_tickets: Path) -> None:
    result = cli("report", tiny_tickets, "-k", "frt_medain")
    user_error(result, 2, "unknown KPI 'frt_medain'", "did you mean frt_median?", "cskpi kpis")
    assert result.stdout == ""


def test_unknown_kpi_in_a_comma_list(tiny_tickets: Path) -> None:
    result = cli("report", tiny_tickets, "-k", "tickets_created,csatt")
    user_error(result, 2, "unknown KPI 'csatt'", "did you mean csat?")


def test_unknown_by_column(tiny_tickets: Path) -> None:
    result = cli("report", tiny_tickets, "--by", "nosuch")
    user_error(result, 2, "--by nosuch: no such column")
    assert result.stdout == ""


def test_by_period_collides(tiny_tickets: Path) -> None:
    result = cli("report", tiny_tickets, "--by", "period")
    user_error(result, 2, "--by period", "period column")


def test_missing_file_names_it(tmp_path: Path) -> None:
    result = cli("report", tmp_path / "missing.csv")
    user_error(result, 4, "missing.csv: no such file")
    assert result.stdout == ""


def test_missing_required_column_suggests_map(tmp_path: Path) -> None:
    path = write(
        tmp_path / "opened.csv",
        "Ticket ID,Opened Whenever,Resolved At\n"
        "T1,2024-03-01 09:00,2024-03-01 10:00\n"
        "T2,2024-03-02 09:00,\n",
    )
    result = cli("report", path)
    user_error(
        result, 4, "opened.csv: no column for created_at", "Opened Whenever", "--map created_at="
    )
    # ... and the suggested mapping works: 2 tickets created.
    fixed = cli(
        "report", path, "--map", "created_at=Opened Whenever", "-k", "tickets_created", "-f", "csv"
    )
    assert fixed.exit_code == 0, fixed.stderr
    assert csv_rows(fixed.stdout) == [{"tickets_created": "2", "tickets_created_n": "2"}]


def test_csat_without_surveys_names_surveys(tiny_tickets: Path) -> None:
    result = cli("report", tiny_tickets, "-k", "csat")
    user_error(result, 4, "csat", "surveys")
    assert result.stdout == ""


@pytest.mark.parametrize("option", ["--since", "--until"])
def test_bad_date(tiny_tickets: Path, option: str) -> None:
    result = cli("report", tiny_tickets, option, "2024-13-45")
    user_error(result, 2, f"{option} '2024-13-45': not a date")


def test_last_bare_m_is_refused_with_mo_hint(tiny_tickets: Path) -> None:
    result = cli("report", tiny_tickets, "--last", "3m")
    user_error(result, 2, "--last 3m", "3mo")


def test_bad_map_form(tiny_tickets: Path) -> None:
    result = cli("report", tiny_tickets, "--map", "created_at")
    user_error(result, 2, "--map created_at: use CANON=SOURCE")


def test_unknown_config_key_names_the_nearest(tiny_tickets: Path, tmp_path: Path) -> None:
    config = write(tmp_path / "cskpi.toml", 'timezon = "UTC"\n')
    result = cli("report", tiny_tickets, "-c", config)
    user_error(result, 2, "unknown key 'timezon'", "did you mean timezone?")


def test_missing_config_file(tiny_tickets: Path, tmp_path: Path) -> None:
    result = cli("report", tiny_tickets, "-c", tmp_path / "nope.toml")
    user_error(result, 2, "nope.toml: config file not found")


def test_check_target_missed_exits_3(tiny_tickets: Path, tmp_path: Path) -> None:
    config = write(tmp_path / "miss.toml", '[targets]\ntickets_created = ">= 1000"\n')
    result = cli("report", tiny_tickets, "-c", config, "--check", "-f", "csv")
    # DECISIONS 41: the message carries the value (5 tickets created)
    user_error(result, 3, "cskpi: --check: target missed: tickets_created 5 < 1000\n")
    # The report itself is still written: 5 tickets.
    assert csv_rows(result.stdout)[0]["tickets_created"] == "5"


def test_check_target_met_exits_0(tiny_tickets: Path, tmp_path: Path) -> None:
    # 5 tickets created; ">= 5" is met (inclusive).
    config = write(tmp_path / "met.toml", '[targets]\ntickets_created = ">= 5"\n')
    result = cli("report", tiny_tickets, "-c", config, "--check", "-f", "json")
    assert result.exit_code == 0, result.stderr
    targets = json.loads(result.stdout)["targets"]
    assert targets == [
        {
            "kpi": "tickets_created",
            "target": ">= 5",
            "value": 5,
            "met": True,
            "status": "met",
            "reason": None,
        }
    ]


def test_missed_target_without_check_exits_0(tiny_tickets: Path, tmp_path: Path) -> None:
    config = write(tmp_path / "miss.toml", '[targets]\ntickets_created = ">= 1000"\n')
    result = cli("report", tiny_tickets, "-c", config, "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["targets"][0]["met"] is False


DUPLICATES = """\
Ticket ID,Created At,Resolved At,Status
T1,2024-03-01 09:00,,open
T1,2024-03-02 09:00,,open
T2,2024-03-02 10:00,,open
"""


def test_strict_duplicate_id_exits_4(tmp_path: Path) -> None:
    path = write(tmp_path / "dup.csv", DUPLICATES)
    result = cli("report", path, "--strict", "-f", "csv")
    user_error(result, 4, "--strict", "duplicate ticket id")
    assert result.stdout == ""


def test_duplicate_id_without_strict_is_dropped_with_a_note(tmp_path: Path) -> None:
    path = write(tmp_path / "dup.csv", DUPLICATES)
    result = cli("report", path, "-k", "tickets_created", "-f", "csv")
    assert result.exit_code == 0, result.stderr
    assert "duplicate ticket id" in result.stderr
    assert csv_rows(result.stdout)[0]["tickets_created"] == "2"  # 3 rows, one duplicate


def test_strict_wins_over_check(tmp_path: Path) -> None:
    # DECISIONS 22: both would fire → 4.
    path = write(tmp_path / "dup.csv", DUPLICATES)
    config = write(tmp_path / "miss.toml", '[targets]\ntickets_created = ">= 1000"\n')
    result = cli("report", path, "-c", config, "--strict", "--check", "-f", "csv")
    user_error(result, 4, "--strict")


def test_output_with_unknown_extension(tiny_tickets: Path, tmp_path: Path) -> None:
    result = cli("report", tiny_tickets, "-o", tmp_path / "report.foo")
    user_error(result, 2, "report.foo: cannot tell the format from the extension", "--format")
    assert not (tmp_path / "report.foo").exists()


def test_output_into_missing_directory(tiny_tickets: Path, tmp_path: Path) -> None:
    target = tmp_path / "nodir" / "report.csv"
    result = cli("report", tiny_tickets, "-o", target)
    user_error(result, 4, "report.csv: cannot write")
    assert not target.parent.exists()
    assert result.stdout == ""


def test_failed_run_leaves_an_existing_report_untouched(tiny_tickets: Path, tmp_path: Path) -> None:
    target = write(tmp_path / "report.csv", "old report\n")
    result = cli("report", tiny_tickets, "--since", "nonsense", "-o", target)
    user_error(result, 2, "--since")
    assert target.read_text(encoding="utf-8") == "old report\n"


def test_table_format_cannot_go_to_a_file(tiny_tickets: Path, tmp_path: Path) -> None:
    result = cli("report", tiny_tickets, "-f", "table", "-o", tmp_path / "x.csv")
    user_error(result, 2, "--format table prints to the terminal")
    assert not (tmp_path / "x.csv").exists()


def test_check_reads_percent_targets(
    tiny_tickets: Path, tiny_surveys: Path, tmp_path: Path
) -> None:
    # DECISIONS 22: 85% reads as 0.85; CSAT is 2/3 → missed.
    config = write(tmp_path / "csat.toml", '[targets]\ncsat = ">= 85%"\n')
    result = cli(
        "report",
        tiny_tickets,
        "--surveys",
        tiny_surveys,
        "-k",
        "csat",
        "-c",
        config,
        "--check",
        "-f",
        "json",
    )
    # 2/3 = 66.67 % shown to one decimal
    user_error(result, 3, "cskpi: --check: target missed: csat 66.7% < 85%\n")
    assert json.loads(result.stdout)["targets"] == [
        {
            "kpi": "csat",
            "target": ">= 85%",
            "value": pytest.approx(2 / 3),
            "met": False,
            "status": "missed",
            "reason": None,
        }
    ]


def test_check_fails_on_a_target_it_cannot_evaluate(tiny_tickets: Path, tmp_path: Path) -> None:
    # DECISIONS 41 (changes 22): no surveys file, so the csat target cannot be judged: exit 3.
    config = write(tmp_path / "csat.toml", '[targets]\ncsat = ">= 85%"\n')
    result = cli(
        "report", tiny_tickets, "-k", "tickets_created", "-c", config, "--check", "-f", "csv"
    )
    user_error(
        result, 3, "cskpi: --check: target not evaluated: csat >= 85% (no surveys file given)\n"
    )


def test_internal_error_is_exit_1_without_traceback(
    tiny_tickets: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("cskpi.engine.compute.compute", broken)
    result = cli("report", tiny_tickets, "-f", "csv")
    assert result.exit_code == 1
    assert "internal error (RuntimeError: boom)" in result.stderr
    assert "--verbose" in result.stderr
    verbose = runner.invoke(app, ["report", str(tiny_tickets), "-f", "csv", "--verbose"])
    assert verbose.exit_code == 1
    assert "Traceback" in verbose.stderr


def test_bad_period_value(tiny_tickets: Path) -> None:
    result = cli("report", tiny_tickets, "--period", "weekly")
    user_error(result, 2, "--period", "weekly")


def test_report_without_resolved_column(tmp_path: Path) -> None:
    """Only the two required columns: resolved_at is optional (DATA.md), so this must work.

    Regression: this once failed with KeyError 'resolved_at' in engine._anchor_rows (exit 1).
    """
    path = write(
        tmp_path / "minimal.csv", "Ticket ID,Created At\nT1,2024-03-01 09:00\nT2,2024-03-02 10:00\n"
    )
    result = cli("report", path, "-k", "tickets_created", "-f", "csv")
    assert result.exit_code == 0, result.stderr
    assert csv_rows(result.stdout) == [{"tickets_created": "2", "tickets_created_n": "2"}]


# -- report: parity, values, determinism -------------------------------------------------------


def test_json_equals_the_library(tiny_tickets: Path, tiny_surveys: Path) -> None:
    kpis = ("tickets_created", "frt_median", "csat", "nps")
    result = cli(
        "report",
        tiny_tickets,
        "--surveys",
        tiny_surveys,
        "-k",
        ",".join(kpis),
        "--by",
        "agent",
        "-f",
        "json",
    )
    assert result.exit_code == 0, result.stderr

    library = cskpi.compute(
        cskpi.load(str(tiny_tickets), surveys=[str(tiny_surveys)]),
        ReportRequest(kpis=kpis, group_by=("agent",)),
    )
    expected = json.loads(render_text(library, "json"))
    got = json.loads(result.stdout)
    assert got == expected

    assert got["schema_version"] == 1
    assert got["cskpi_version"] == "0.1.0"
    assert got["group_by"] == ["agent"]
    assert [k["id"] for k in got["kpis"]] == list(kpis)
    overall = got["overall"]
    assert overall["tickets_created"] == 5
    assert overall["tickets_created_n"] == 5
    assert overall["frt_median"] == 1500.0  # (1200 + 1800) / 2
    assert overall["frt_median_n"] == 4  # T5 unanswered
    assert overall["csat"] == pytest.approx(2 / 3)
    assert overall["csat_n"] == 3
    assert overall["nps"] == 0.0
    assert overall["nps_n"] == 2
    rows = {row["agent"]: row for row in got["rows"]}
    assert set(rows) == {"kim", "lee", "(unassigned)"}
    assert rows["kim"]["tickets_created"] == 2
    assert rows["kim"]["frt_median"] == 1200.0  # 600, 1800
    assert rows["lee"]["frt_median"] == 2400.0  # 3600, 1200
    assert rows["kim"]["csat"] == 1.0 and rows["kim"]["csat_n"] == 2
    assert rows["lee"]["nps"] == -100.0 and rows["lee"]["nps_n"] == 1
    assert rows["(unassigned)"]["frt_median"] is None
    assert rows["(unassigned)"]["frt_median_n"] == 0
    quality = got["data_quality"]
    assert quality["tickets"]["read"] == 5 and quality["tickets"]["used"] == 5
    assert quality["surveys"]["read"] == 5


def test_default_kpis_registry_order_and_values(tiny_tickets: Path, tiny_surveys: Path) -> None:
    result = cli("report", tiny_tickets, "--surveys", tiny_surveys, "-f", "json")
    assert result.exit_code == 0, result.stderr
    got = json.loads(result.stdout)
    ids = [k["id"] for k in got["kpis"]]
    assert ids == [*CORE_TICKET_KPIS, "csat", "nps"]
    # DECISIONS 12: no --by, no --period → one row equal to overall.
    assert got["rows"] == [got["overall"]]
    overall = got["overall"]
    assert overall["resolution_time_median"] == 3600.0  # 3600, 3600, 86400
    assert overall["resolution_time_median_n"] == 3
    assert overall["fcr_rate"] == pytest.approx(1 / 3)  # only T1: one reply, no reopen
    assert overall["fcr_rate_n"] == 3


def test_kpi_order_follows_k(tiny_tickets: Path, tiny_surveys: Path) -> None:
    result = cli(
        "report",
        tiny_tickets,
        "--surveys",
        tiny_surveys,
        "-k",
        "csat,tickets_created",
        "-k",
        "frt_median",
        "-f",
        "csv",
    )
    assert result.exit_code == 0, result.stderr
    header = result.stdout.splitlines()[0]
    assert header == "csat,csat_n,tickets_created,tickets_created_n,frt_median,frt_median_n"


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_same_report_twice_is_byte_identical(
    tiny_tickets: Path, tiny_surveys: Path, fmt: str
) -> None:
    args = ("report", tiny_tickets, "--surveys", tiny_surveys, "--by", "agent", "-f", fmt)
    first, second = cli(*args), cli(*args)
    assert first.exit_code == second.exit_code == 0
    assert first.stdout_bytes == second.stdout_bytes
    assert first.stdout_bytes


def test_output_file_equals_stdout(tiny_tickets: Path, tiny_surveys: Path, tmp_path: Path) -> None:
    args = ("report", tiny_tickets, "--surveys", tiny_surveys, "--by", "agent")
    printed = cli(*args, "-f", "json")
    target = tmp_path / "out.json"
    written = cli(*args, "-o", target)  # format from the extension
    assert printed.exit_code == written.exit_code == 0, written.stderr
    assert written.stdout == ""
    assert target.read_bytes() == printed.stdout_bytes
    assert not list(tmp_path.glob(".out.json.*"))  # no temporary file left behind


# -- report: streams and formats ---------------------------------------------------------------


def test_csv_stdout_is_only_csv_and_notes_go_to_stderr(tiny_tickets: Path) -> None:
    result = cli("report", tiny_tickets, "-f", "csv")
    assert result.exit_code == 0, result.stderr
    reader = csv.DictReader(io.StringIO(result.stdout))
    rows = list(reader)
    assert reader.fieldnames == [c for k in CORE_TICKET_KPIS for c in (k, f"{k}_n")]
    assert rows == [
        {
            "tickets_created": "5",
            "tickets_created_n": "5",
            "frt_median": "1500.0",
            "frt_median_n": "4",
            "resolution_time_median": "3600.0",
            "resolution_time_median_n": "3",
            "fcr_rate": repr(1 / 3),
            "fcr_rate_n": "3",
        }
    ]
    # No surveys: csat and nps are left out of the default set with a note (DECISIONS 14).
    assert "left out of the default KPIs" in result.stderr
    assert "csat" in result.stderr
    assert "window " in result.stderr
    assert "window" not in result.stdout


def test_quiet_hides_notes(tiny_tickets: Path) -> None:
    result = cli("report", tiny_tickets, "-f", "csv", "--quiet")
    assert result.exit_code == 0
    assert result.stderr == ""
    assert csv_rows(result.stdout)[0]["tickets_created"] == "5"


def test_quiet_keeps_errors(tmp_path: Path) -> None:
    result = cli("report", tmp_path / "missing.csv", "-q")
    user_error(result, 4, "missing.csv: no such file")


def test_default_format_is_csv_when_stdout_is_not_a_terminal(tiny_tickets: Path) -> None:
    plain = cli("report", tiny_tickets, "-q")
    explicit = cli("report", tiny_tickets, "-q", "-f", "csv")
    assert plain.exit_code == 0
    assert plain.stdout.startswith("tickets_created,tickets_created_n,")
    assert plain.stdout == explicit.stdout


def test_table_renders(tiny_tickets: Path) -> None:
    result = cli("report", tiny_tickets, "-f", "table", "--by", "agent", "-q")
    assert result.exit_code == 0, result.stderr
    assert "kim" in result.stdout
    assert "Overall" in result.stdout


@pytest.mark.parametrize("fmt", ["tsv", "jsonl", "markdown"])
def test_other_text_formats(tiny_tickets: Path, fmt: str) -> None:
    result = cli("report", tiny_tickets, "-f", fmt, "-q", "-k", "tickets_created")
    assert result.exit_code == 0, result.stderr
    assert "5" in result.stdout


# -- kpis, validate, sample --------------------------------------------------------------------


def test_kpis_json_lists_the_registry_in_order() -> None:
    result = cli("kpis", "-f", "json")
    assert result.exit_code == 0
    listed = json.loads(result.stdout)
    registry = all_kpis()
    assert [k["id"] for k in listed] == list(registry)
    for entry in listed:
        kpi = registry[entry["id"]]
        assert entry["unit"] == kpi.unit.value
        assert entry["anchor"] == kpi.anchor.value
        assert entry["definition"]


def test_kpis_table_renders() -> None:
    result = cli("kpis", "-f", "table")
    assert result.exit_code == 0
    assert "tickets_created" in result.stdout
    assert "frt_median" in result.stdout


def test_validate_shows_the_mapping(tiny_tickets: Path, tiny_surveys: Path) -> None:
    result = cli("validate", tiny_tickets, "--surveys", tiny_surveys)
    assert result.exit_code == 0, result.stderr
    assert re.search(r"Created At\s+(→\s*)?created_at", result.stdout), result.stdout
    assert re.search(r"Assignee\s+(→\s*)?agent", result.stdout)
    assert re.search(r"Score\s+(→\s*)?score", result.stdout)


def test_validate_json(tiny_tickets: Path, tiny_surveys: Path) -> None:
    result = cli("validate", tiny_tickets, "--surveys", tiny_surveys, "-f", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["tickets"]["data_quality"]["read"] == 5
    assert data["surveys"]["data_quality"]["read"] == 5
    assert data["tickets"]["mapping"]["Created At"] == "created_at"
    assert data["tickets"]["mapping"]["Assignee"] == "agent"


def test_validate_strict(tmp_path: Path) -> None:
    path = write(tmp_path / "dup.csv", DUPLICATES)
    result = cli("validate", path, "--strict")
    user_error(result, 4, "--strict", "duplicate ticket id")


def test_validate_missing_file(tmp_path: Path) -> None:
    user_error(cli("validate", tmp_path / "missing.csv"), 4, "missing.csv: no such file")


def test_sample_writes_the_exports(tmp_path: Path) -> None:
    out = tmp_path / "sample"
    result = cli("sample", "--tickets", 200, "--out", out)
    assert result.exit_code == 0, result.stderr
    for name in ("tickets.csv", "surveys.csv", "tickets.parquet", "surveys.parquet"):
        assert (out / name).stat().st_size > 0, name
    assert "wrote" in result.stderr
    assert result.stdout == ""
    # Same seed, same files.
    again = tmp_path / "again"
    assert cli("sample", "--tickets", 200, "--out", again, "-q").exit_code == 0
    assert (again / "tickets.csv").read_bytes() == (out / "tickets.csv").read_bytes()


def test_sample_into_a_file_path(tmp_path: Path) -> None:
    blocker = write(tmp_path / "afile", "")
    result = cli("sample", "--tickets", 5, "--out", blocker / "x")
    user_error(result, 4, "cannot create the directory")


def test_sample_rejects_zero_tickets(tmp_path: Path) -> None:
    user_error(cli("sample", "--tickets", 0, "--out", tmp_path), 2, "--tickets")


# -- the installed entry point -----------------------------------------------------------------


def test_python_m_cskpi_kpis(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "cskpi", "kpis", "-f", "json"],
        capture_output=True,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert [k["id"] for k in json.loads(done.stdout)] == list(all_kpis())
    assert done.stderr == b""


def test_closed_pipe_exits_quietly(tmp_path: Path) -> None:
    """`cskpi report ... -f csv | head -1`: exit 0, nothing on stderr."""
    lines = ["Ticket ID,Created At,First Response At"]
    lines += [
        f"T{i},2024-02-{1 + i % 28:02d} {i % 24:02d}:00,2024-02-{1 + i % 28:02d} {i % 24:02d}:30"
        for i in range(5000)
    ]
    path = write(tmp_path / "big.csv", "\n".join(lines) + "\n")
    # One row per ticket: well over 64 KiB, so the writer hits the closed pipe.
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cskpi",
            "report",
            str(path),
            "-f",
            "csv",
            "--by",
            "ticket_id",
            "-k",
            "tickets_created,frt_median",
            "-q",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
    )
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()
    stderr = proc.stderr.read()
    proc.stderr.close()
    code = proc.wait(timeout=60)
    assert first.startswith(b"ticket_id,tickets_created,")
    assert code == 0, stderr
    assert stderr == b""


# -- the Python API ----------------------------------------------------------------------------


def test_python_api(tiny_tickets: Path, tiny_surveys: Path) -> None:
    inputs = cskpi.load(str(tiny_tickets), surveys=str(tiny_surveys))
    assert isinstance(inputs, cskpi.Inputs)
    assert inputs.tickets is not None and len(inputs.tickets.frame) == 5
    assert inputs.surveys is not None and len(inputs.surveys.frame) == 5
    result = cskpi.compute(
        inputs, cskpi.ReportRequest(kpis=("tickets_created", "frt_median", "csat"))
    )
    assert isinstance(result, cskpi.Result)
    assert result.overall["tickets_created"] == 5
    assert result.overall["frt_median"] == 1500.0
    assert result.overall["csat"] == pytest.approx(2 / 3)


def test_breaches_in_csv_and_json(tiny_tickets: Path) -> None:
    # built-in policy (24 h first response): the tiny fixture breaches nothing, so the CSV
    # is the header alone and JSON carries an empty list next to the usual report
    result = cli("report", tiny_tickets, "--breaches", "-f", "csv", "-q")
    assert result.exit_code == 0, result.output
    assert result.stdout == "ticket_id,agent,metric,policy,target,actual,clock\n"
    body = json.loads(cli("report", tiny_tickets, "--breaches", "-f", "json", "-q").stdout)
    assert body["breaches"] == [] and "rows" in body


def test_progress_is_silent_off_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    # not a terminal (pytest captures stderr): no spinner, whatever the work takes
    from cskpi.cli.common import progress

    with progress("reading…", quiet=False):
        pass
    assert capsys.readouterr().err == ""


def test_binary_formats_are_refused_on_a_terminal(
    tiny_tickets: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # xlsx/parquet bytes would garble a terminal: exit 2 with the -o hint before any reading
    import cskpi.cli.report as report_module

    monkeypatch.setattr(report_module.sys.stdout, "isatty", lambda: True, raising=False)
    with pytest.raises(
        report_module.UsageError,
        match=r"--format xlsx is a binary file: write it "
        r"with -o report.xlsx",
    ):
        report_module.format_of(report_module.OutputFormat.XLSX, None)


@pytest.mark.parametrize("command", ["report", "peak", "validate", "explain", "kpis", "sample"])
def test_help_names_option_values_not_python_types(command: str) -> None:
    """Issue 17: `--surveys <list[str]>`, `--top <int>` read as Python, not as what to type."""
    result = runner.invoke(app, [command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    options = [line for line in result.output.splitlines() if line.lstrip().startswith("-")]
    shown = [
        line for line in options if any(t in line for t in ("<str>", "<int", "<list[", "<path>"))
    ]
    assert shown == []
    if command == "report":
        assert any("--surveys FILE" in line for line in options)
        assert any("--top N" in line for line in options)
