"""`--check` and targets end to end (DECISIONS 41), and the config announced (DECISIONS 43).

Every configured target is judged, its KPI computed when not requested; a target that cannot
be judged fails `--check` (exit 3) with its reason; a miss carries its value. Expected values
come from the tiny fixtures in conftest.py (as_of = 2024-03-04 15:00 UTC, the latest stamp).
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner, Result

from cskpi.cli import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def _in_empty_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No stray ./cskpi.toml; conftest keeps the user's own config out."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CSKPI_DEBUG", raising=False)


def cli(*args: object) -> Result:
    result = runner.invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.stderr, result.stderr
    return result


def config(tmp_path: Path, text: str, name: str = "targets.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def last_line(result: Result) -> str:
    return result.stderr.rstrip("\n").splitlines()[-1]


# -- a target that cannot be evaluated fails --check ------------------------------------------


@pytest.mark.parametrize("quiet", [[], ["-q"]])
def test_csat_target_without_surveys_fails_check(
    tiny_tickets: Path, tmp_path: Path, quiet: list[str]
) -> None:
    # the cron case "the survey export did not arrive": exit 3 and why, also with -q
    cfg = config(tmp_path, '[targets]\ncsat = ">= 85%"\n')
    result = cli("report", tiny_tickets, "-c", cfg, "--check", "-f", "csv", *quiet)
    assert result.exit_code == 3
    assert last_line(result) == (
        "cskpi: --check: target not evaluated: csat >= 85% (no surveys file given)"
    )
    if quiet:
        assert result.stderr.count("\n") == 1  # the error alone


def test_target_without_survey_kind_fails_check(tiny_tickets: Path, tmp_path: Path) -> None:
    surveys = tmp_path / "nps_only.csv"
    surveys.write_text(
        "Response ID,Ticket ID,Submitted At,Survey,Score\nR1,T1,2024-03-01 11:00,nps,9\n",
        encoding="utf-8",
    )
    cfg = config(tmp_path, '[targets]\ncsat = ">= 85%"\n')
    args = ("report", tiny_tickets, "--surveys", surveys, "-c", cfg, "--check", "-f", "json")
    result = cli(*args, "-k", "tickets_created")
    assert result.exit_code == 3
    assert last_line(result) == (
        "cskpi: --check: target not evaluated: csat >= 85% (no CSAT responses in the surveys)"
    )
    # the same reason when csat is requested (a null column of its own)
    requested = cli(*args, "-k", "csat")
    assert requested.exit_code == 3
    assert json.loads(requested.stdout)["targets"][0]["reason"] == (
        "no CSAT responses in the surveys"
    )


def test_null_value_fails_check(tiny_tickets: Path, tmp_path: Path) -> None:
    # without [[sla]] the built-in policy sets no resolution target: resolution_sla_rate is
    # null over the window, so its target cannot be judged
    cfg = config(tmp_path, '[targets]\nresolution_sla_rate = ">= 90%"\n')
    result = cli(
        "report", tiny_tickets, "-k", "tickets_created", "-c", cfg, "--check", "-f", "json"
    )
    assert result.exit_code == 3
    assert last_line(result) == (
        "cskpi: --check: target not evaluated: resolution_sla_rate >= 90% (no value in the window)"
    )
    assert json.loads(result.stdout)["targets"] == [
        {
            "kpi": "resolution_sla_rate",
            "target": ">= 90%",
            "value": None,
            "met": None,
            "status": "not_evaluated",
            "reason": "no value in the window",
        }
    ]


def test_not_evaluated_without_check_is_a_note(tiny_tickets: Path, tmp_path: Path) -> None:
    cfg = config(tmp_path, '[targets]\ncsat = ">= 85%"\n')
    result = cli("report", tiny_tickets, "-k", "tickets_created", "-c", cfg, "-f", "csv")
    assert result.exit_code == 0
    assert "target not evaluated: csat >= 85% (no surveys file given)\n" in result.stderr
    quiet = cli("report", tiny_tickets, "-k", "tickets_created", "-c", cfg, "-f", "csv", "-q")
    assert (quiet.exit_code, quiet.stderr) == (0, "")


# -- a target's KPI is computed even when not requested ---------------------------------------


def test_sla_target_with_the_default_kpis_is_judged(tiny_tickets: Path, tmp_path: Path) -> None:
    # Built-in policy: first response within 24 h. T1..T4 answered in 10, 30, 60, 20 min →
    # 4 met; T5 unanswered and created at as_of (waited 0 s) → pending, not counted: 4/4 = 1.0.
    cfg = config(tmp_path, '[targets]\nfrt_sla_rate = ">= 90%"\n')
    result = cli("report", tiny_tickets, "-c", cfg, "--check", "-f", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["targets"] == [
        {
            "kpi": "frt_sla_rate",
            "target": ">= 90%",
            "value": 1.0,
            "met": True,
            "status": "met",
            "reason": None,
        }
    ]
    # shown under targets only
    assert "frt_sla_rate" not in doc["overall"]
    assert all("frt_sla_rate" not in row for row in doc["rows"])
    assert "frt_sla_rate" not in [k["id"] for k in doc["kpis"]]


def test_missed_target_of_an_unrequested_kpi_carries_its_value(
    tiny_tickets: Path, tmp_path: Path
) -> None:
    # frt_median over T1..T4 = median(600, 1800, 3600, 1200) = (1200 + 1800) / 2 = 1500 s,
    # read from the first-response column although only tickets_created is asked for
    cfg = config(tmp_path, '[targets]\nfrt_median = "<= 20m"\n')
    result = cli("report", tiny_tickets, "-k", "tickets_created", "-c", cfg, "--check", "-f", "csv")
    assert result.exit_code == 3
    assert last_line(result) == "cskpi: --check: target missed: frt_median 25m 00s > 20m"
    assert result.stdout.splitlines()[0] == "tickets_created,tickets_created_n"


def test_every_failure_is_named(tiny_tickets: Path, tiny_surveys: Path, tmp_path: Path) -> None:
    # tickets_created = 5 (met); CSAT = 2/3 = 66.7 % (missed); NPS = 0 (missed: 0 < 30)
    cfg = config(
        tmp_path,
        '[targets]\ntickets_created = ">= 5"\ncsat = "0.85"\nnps = "> 30"\n',
    )
    result = cli(
        "report", tiny_tickets, "--surveys", tiny_surveys, "-c", cfg, "--check", "-f", "csv"
    )
    assert result.exit_code == 3
    assert last_line(result) == (
        "cskpi: --check: target missed: csat 66.7% < 85%; target missed: nps 0 <= 30"
    )


# -- ratio targets ----------------------------------------------------------------------------


def test_ratio_target_above_one_is_a_config_error(tiny_tickets: Path, tmp_path: Path) -> None:
    # ">= 80" on a share from 0 to 1 could never be met: exit 2 before any input is read
    cfg = config(tmp_path, '[targets]\ncsat = ">= 80"\n')
    result = cli("report", tmp_path / "missing.csv", "-c", cfg, "-f", "csv")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        f'cskpi: {cfg}: targets.csat: ">= 80" is out of range: a ratio target is a percentage '
        'or a number from 0 to 1; did you mean ">= 80%"?'
    )


# -- the table, HTML and Excel show the states ------------------------------------------------


def test_table_marks_a_target_not_evaluated(tiny_tickets: Path, tmp_path: Path) -> None:
    cfg = config(tmp_path, '[targets]\ntickets_created = ">= 5"\ncsat = ">= 85%"\n')
    result = cli("report", tiny_tickets, "-k", "tickets_created", "-c", cfg, "-f", "table", "-q")
    assert result.exit_code == 0
    lines = [line.rstrip() for line in result.stdout.splitlines()]
    targets = lines[lines.index("Targets") + 1 :]
    assert targets == [
        "✓ Tickets created >= 5   5",
        "? CSAT            >= 85% — not evaluated: no surveys file given",
    ]


def test_html_shows_targets_of_unrequested_kpis(
    tiny_tickets: Path, tiny_surveys: Path, tmp_path: Path
) -> None:
    # under "Other targets", in the KPI's unit: CSAT 2/3 → 66.7 % (missed); resolution SLA
    # null (no resolution target in the built-in policy) → not evaluated, with why
    cfg = config(tmp_path, '[targets]\ncsat = ">= 85%"\nresolution_sla_rate = ">= 90%"\n')
    result = cli(
        "report",
        tiny_tickets,
        "--surveys",
        tiny_surveys,
        "-k",
        "tickets_created",
        "-c",
        cfg,
        "-f",
        "html",
        "-q",
    )
    assert result.exit_code == 0
    assert '<li><span class="status missed">✗</span> CSAT &gt;= 85%: 66.7%</li>' in result.stdout
    assert (
        '<li><span class="status unknown">?</span> Resolution SLA met &gt;= 90%: '
        "not evaluated: no value in the window</li>"
    ) in result.stdout


def test_html_card_says_why_not_evaluated(tiny_tickets: Path, tmp_path: Path) -> None:
    cfg = config(tmp_path, '[targets]\nresolution_sla_rate = ">= 90%"\n')
    result = cli("report", tiny_tickets, "-k", "resolution_sla_rate", "-c", cfg, "-f", "html", "-q")
    assert result.exit_code == 0
    assert '<div class="card unknown">' in result.stdout
    assert (
        '<span class="status unknown">? not evaluated: no value in the window</span>'
        in result.stdout
    )


def test_excel_targets_sheet_has_status_and_reason(tiny_tickets: Path, tmp_path: Path) -> None:
    cfg = config(tmp_path, '[targets]\ntickets_created = ">= 5"\ncsat = ">= 85%"\n')
    out = tmp_path / "r.xlsx"
    result = cli("report", tiny_tickets, "-k", "tickets_created", "-c", cfg, "-o", out, "-q")
    assert result.exit_code == 0, result.stderr
    sheet = load_workbook(io.BytesIO(out.read_bytes()))["targets"]
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["kpi", "target", "value", "met", "status", "reason"],
        ["tickets_created", ">= 5", 5, True, "met", None],
        ["csat", ">= 85%", None, None, "not_evaluated", "no surveys file given"],
    ]


# -- DECISIONS 43: the config is announced ----------------------------------------------------


def test_config_named_on_stderr_and_in_json(tiny_tickets: Path, tmp_path: Path) -> None:
    Path("cskpi.toml").write_text('timezone = "Asia/Seoul"\n', encoding="utf-8")
    result = cli("report", tiny_tickets, "-k", "tickets_created", "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[0] == "using config cskpi.toml"
    doc = json.loads(result.stdout)
    assert doc["config"] == "cskpi.toml"
    assert doc["window"]["timezone"] == "Asia/Seoul"  # it did act
    quiet = cli("report", tiny_tickets, "-k", "tickets_created", "-f", "json", "-q")
    assert "using config" not in quiet.stderr


def test_no_config_is_null_in_json(tiny_tickets: Path) -> None:
    result = cli("report", tiny_tickets, "-k", "tickets_created", "-f", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["config"] is None
    assert "using config" not in result.stderr


def test_user_config_under_xdg_config_home(
    tiny_tickets: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "xdg"
    (home / "cskpi").mkdir(parents=True)
    user = config(home / "cskpi", '[targets]\ntickets_created = ">= 1000"\n', "cskpi.toml")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    result = cli("report", tiny_tickets, "-k", "tickets_created", "--check", "-f", "csv")
    assert result.exit_code == 3
    assert result.stderr.splitlines()[0] == f"using config {user}"
    assert last_line(result) == "cskpi: --check: target missed: tickets_created 5 < 1000"


def test_config_errors_start_with_the_path(tiny_tickets: Path, tmp_path: Path) -> None:
    cfg = config(tmp_path, 'timezon = "UTC"\n', "team.toml")
    result = cli("report", tiny_tickets, "-c", cfg)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        f"cskpi: {cfg}: unknown key 'timezon' (did you mean timezone?)"
    )


def test_bad_calendar_is_reported_before_reading(tmp_path: Path) -> None:
    cfg = config(tmp_path, '[business_hours]\ntimezone = "UTC"\nmon = "9-18"\n')
    result = cli("report", tmp_path / "missing.csv", "-c", cfg)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        f"cskpi: {cfg}: business_hours.mon: bad time range '9-18'; expected HH:MM-HH:MM, "
        'e.g. "09:00-18:00"'
    )


# -- DECISIONS 43: an [[sla]] filter on a missing column ---------------------------------------

SLA_ON_TIER = '[[sla]]\ntier = "gold"\nfirst_response = "1h"\n'


def test_sla_filter_on_missing_column_spares_other_reports(
    tiny_tickets: Path, tmp_path: Path
) -> None:
    cfg = config(tmp_path, SLA_ON_TIER)
    result = cli("report", tiny_tickets, "-k", "tickets_created", "-c", cfg, "-f", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[1] == "5,5"


@pytest.mark.parametrize(
    ("extra", "toml"),
    [
        (["-k", "frt_sla_rate"], ""),
        (["-k", "tickets_created"], '[targets]\nfrt_sla_breaches = "<= 3"\n'),
        (["-k", "tickets_created", "--breaches"], ""),
    ],
)
def test_sla_filter_on_missing_column_fails_sla_reports(
    tiny_tickets: Path, tmp_path: Path, extra: list[str], toml: str
) -> None:
    cfg = config(tmp_path, toml + SLA_ON_TIER)
    result = cli("report", tiny_tickets, *extra, "-c", cfg, "-f", "csv")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        f"cskpi: {cfg}: sla[1].tier: no such column in the tickets"
    )


def test_read_plan_includes_the_targets_kpis() -> None:
    from cskpi.config import Config
    from cskpi.engine.plan import plan_for

    bare = plan_for(("tickets_created",), (), Config())
    assert "first_response_at" not in bare.tickets
    with_target = plan_for(("tickets_created",), (), Config(targets=(("frt_median", "<= 1h"),)))
    assert "first_response_at" in with_target.tickets
