"""Issue 19, second round: hostile values never reach the terminal raw, ordinary problems are
never exit 1, nonsense config is refused, options are never silently ignored.

The files are in the bad-input corpus (tests/data/bad/, written by make_corpus.py); cases that
need a config file or a device are made here in tmp_path. Helpers are those of
tests/test_bad_inputs.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.test_bad_inputs import bad, cli, frame, refused, report

ESC = "\x1b"
BEL = "\x07"


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run in an empty directory (no stray ./cskpi.toml, no user config), no debug tracebacks."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CSKPI_DEBUG", raising=False)
    monkeypatch.delenv("CSKPI_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))


# -- 7: terminal injection -------------------------------------------------------------------


def _no_raw_controls(text: str) -> None:
    assert ESC not in text and BEL not in text, repr(text)


def test_escapes_in_values_are_shown_not_obeyed_in_the_table() -> None:
    """T1's agent clears the screen, T2's plants a hidden link: both are shown as `\\x1b…`."""
    result = cli("report", bad("terminal_escapes.jsonl"), "--by", "agent", "-f", "table")
    assert result.exit_code == 0, result.stderr
    _no_raw_controls(result.stdout)
    _no_raw_controls(result.stderr)
    assert "\\x1b[2Jkim" in result.stdout
    assert "\\x1b]8;;https://evil.example/\\x1b\\here" in result.stdout


def test_escapes_in_quality_examples_and_headers_on_stderr() -> None:
    """T3's id (a clipboard write) is the data-quality example of its duplicate; the header
    `team<title>` is shown by validate."""
    result = cli("report", bad("terminal_escapes.jsonl"), "-f", "json")
    assert result.exit_code == 0, result.stderr
    _no_raw_controls(result.stderr)
    assert "\\x1b]52;c;ZXZpbA==\\x07" in result.stderr
    # JSON keeps the value itself (escaped the JSON way): machine formats are not altered
    assert json.loads(result.stdout)["data_quality"]["tickets"] == frame(
        5, 3, dropped={"duplicate_ticket_id": 1, "unparseable_created_at": 1}
    )
    shown = cli("validate", bad("terminal_escapes.jsonl"))
    assert shown.exit_code == 0, shown.stderr
    _no_raw_controls(shown.stdout)
    assert "team\\x1b]0;pwned\\x07" in shown.stdout


def test_escapes_in_an_error_message() -> None:
    result = cli("report", bad("terminal_escapes.jsonl"), "--by", f"x{ESC}]0;t{BEL}")
    refused(result, 2, "--by x\\x1b]0;t\\x07: no such column")
    _no_raw_controls(result.stderr)


# -- 10: markdown ------------------------------------------------------------------------------


def test_markdown_shows_html_and_links_as_text() -> None:
    """Raw HTML becomes entities, `[x](javascript:…)` is no link, `|` keeps the table whole,
    `\\` stays itself; each agent has one ticket (3 in all)."""
    result = cli(
        "report",
        bad("markdown_injection.csv"),
        "--by",
        "agent",
        "-k",
        "tickets_created",
        "-f",
        "markdown",
    )
    assert result.exit_code == 0, result.stderr
    rows = result.stdout.splitlines()[2:5]
    assert rows == [
        "| &lt;img src=x onerror=alert(1)&gt; | 1 | 1 |",
        "| \\[click\\](javascript:alert(1)) | 1 | 1 |",
        "| a &amp; b \\| c\\\\d | 1 | 1 |",
    ]


# -- 6, 14: config values of the wrong type or out of sense: exit 2, starting with the path ---

BAD_CONFIG = [
    ('[csat]\npositive_min = "four"', "csat.positive_min must be a number from 1 to 5"),
    ("[csat]\nnegative_max = nan", "csat.negative_max must be a number from 1 to 5, not nan"),
    ("[csat]\npositive_min = 9", "csat.positive_min must be a number from 1 to 5, not 9"),
    ("[csat]\nscale = [1, inf]", "csat.scale must be two numbers [low, high]"),
    ("[ces]\nscale = [nan, 7]", "ces.scale must be two numbers [low, high]"),
    ("[repeat_contact]\ndays = nan", "repeat_contact.days must be a non-negative number"),
    ('[costs]\nmonthly = "lots"', "costs.monthly must be a non-negative number, not 'lots'"),
    ("[costs]\nmonthly = inf", "costs.monthly must be a non-negative number, not inf"),
    ("calendar_by = 5", "calendar_by must be a string"),
    ("[[sla]]\nfirst_response = -5", "sla[1].first_response: a duration must be a finite"),
    ("[[sla]]\nresolution = inf", "sla[1].resolution: a duration must be a finite number"),
    ('[[sla]]\nfirst_response = "-1h"', "sla[1].first_response: cannot read duration '-1h'"),
    ("[service_level]\nthreshold = nan", "service_level.threshold: a duration must be a finite"),
    ("[service_level]\nthreshold = -20", "service_level.threshold: a duration must be a finite"),
    (
        '[[sla]]\nfirst_response = "1h"\npriority = {level = "urgent"}',
        "sla[1].priority must be a value or a list of values",
    ),
    ('[targets]\nfrt_median = "<= inf"', "targets.frt_median: cannot read '<= inf'"),
]


@pytest.mark.parametrize(("toml", "message"), BAD_CONFIG, ids=[m for _, m in BAD_CONFIG])
def test_nonsense_config_values_are_config_errors(tmp_path: Path, toml: str, message: str) -> None:
    config = tmp_path / "bad.toml"
    config.write_text(toml + "\n")
    result = cli("report", bad("good_tickets.csv"), "-c", config, "-q")
    refused(result, 2, f"cskpi: {config}: {message}")


# -- 6: ordinary problems that were exit 1 -----------------------------------------------------


def test_weeks_from_sunday_back_to_year_one(tmp_path: Path) -> None:
    """The window from 0001-01-01 (a Monday) in Sunday weeks starts on 0000-12-31, which
    strftime cannot write. T1 (0001) is implausible (DECISIONS 40); T2, Friday 2024-03-01, is
    in the week of Sunday 2024-02-25, partial (the window ends with the as-of day, 03-02)."""
    path = tmp_path / "old.csv"
    path.write_text("Ticket ID,Created At\nT1,0001-01-01 00:00\nT2,2024-03-01 09:00\n")
    args = ("--period", "week", "--week-start", "sun", "--since", "0001-01-01")
    _, doc = report(path, *args, "-k", "tickets_created")
    assert doc["data_quality"]["tickets"] == frame(2, 1, dropped={"implausible_created_at": 1})
    assert doc["rows"] == [
        {"period": "2024-02-25", "partial": True, "tickets_created": 1, "tickets_created_n": 1}
    ]
    refused(
        cli("report", path, *args, "-k", "tickets_created", "--compare", "year", "-f", "json"),
        2,
        "--compare year: the earlier window is out of range",
    )


def test_an_unknown_date_format_directive() -> None:
    refused(
        cli("report", bad("good_tickets.csv"), "--date-format", "%d/%m/%Q"),
        2,
        "--date-format %d/%m/%Q: 'Q' is a bad directive",
    )


def test_sample_months_are_bounded(tmp_path: Path) -> None:
    result = cli("sample", "--months", "100000", "--out", tmp_path / "s")
    assert result.exit_code == 2, result.stderr
    assert "--months" in result.stderr and "1200" in result.stderr


def test_parquet_list_and_map_columns_group_as_their_json_text() -> None:
    """`tags` of T1 and T3 is ["vip", "refund"], of T2 ["refund"]: two groups, 2 + 1."""
    _, doc = report(bad("nested_columns.parquet"), "--by", "tags", "-k", "tickets_created")
    assert doc["data_quality"]["tickets"] == frame(3, 3)
    assert {r["tags"]: r["tickets_created"] for r in doc["rows"]} == {
        '["vip", "refund"]': 2,
        '["refund"]': 1,
    }
    _, doc = report(bad("nested_columns.parquet"), "--by", "attrs", "-k", "tickets_created")
    groups = {r["attrs"]: r["tickets_created"] for r in doc["rows"]}
    assert groups == {'[["k", "v"]]': 1, '[["k", "w"]]': 1, "(none)": 1}
    assert cli("validate", bad("nested_columns.parquet")).exit_code == 0


def test_parquet_text_that_is_not_utf8() -> None:
    """T1's agent is the bytes ff fe + `kim`: read with two U+FFFD, like a binary column."""
    _, doc = report(bad("invalid_utf8.parquet"), "--by", "agent", "-k", "tickets_created")
    assert doc["data_quality"]["tickets"] == frame(3, 3)
    assert {r["agent"]: r["tickets_created"] for r in doc["rows"]} == {
        "\ufffd\ufffdkim": 1,
        "lee": 2,
    }
    assert cli("validate", bad("invalid_utf8.parquet")).exit_code == 0


def test_a_json_number_of_5000_digits_costs_nothing() -> None:
    """Python's int refuses > 4,300 digits; the value is kept as text, both tickets count."""
    _, doc = report(bad("big_number.jsonl"), "-k", "tickets_created")
    assert doc["data_quality"]["tickets"]["read"] == 2
    assert doc["data_quality"]["tickets"]["used"] == 2
    assert doc["overall"]["tickets_created"] == 2


def test_a_lone_surrogate_in_json_is_replaced() -> None:
    """`kim\\ud83d` (half an emoji) becomes `kim\\ufffd`; the whole pair stays the emoji."""
    _, doc = report(bad("lone_surrogate.json"), "--by", "agent", "-k", "tickets_created")
    assert doc["data_quality"]["tickets"] == frame(2, 2)
    assert {r["agent"] for r in doc["rows"]} == {"kim\ufffd", "\U0001f600"}


@pytest.mark.parametrize("command", ["report", "validate"])
def test_a_device_is_never_read(command: str) -> None:
    """/dev/zero never ends (it filled the memory): refused before reading a byte."""
    refused(cli(command, "/dev/zero"), 4, "/dev/zero: is a device, not a file")


# -- 15: options and settings never silently ignored -------------------------------------------


def test_a_clock_duration_past_59_minutes_is_no_duration(tmp_path: Path) -> None:
    """`25:61` and `00:10:75` are unparseable (counted); `25:30` is 25.5 h = 91,800 s."""
    path = tmp_path / "durations.csv"
    path.write_text(
        "Ticket ID,Created At,First Response Time\n"
        "T1,2024-03-01 09:00,25:61\nT2,2024-03-01 09:00,25:30\nT3,2024-03-01 09:00,00:10:75\n"
    )
    _, doc = report(path, "-k", "frt_median")
    assert doc["data_quality"]["tickets"] == frame(
        3, 3, issues={"unparseable_first_response_seconds": 2}
    )
    assert (doc["overall"]["frt_median"], doc["overall"]["frt_median_n"]) == (91800.0, 1)


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (None, "no such file"),
        ("API_KEY=sk-secret\nmore\n", "not a readable costs file with columns period and amount"),
    ],
)
def test_a_wrong_costs_file_in_the_found_config_is_named_never_quoted(
    tmp_path: Path, content: str | None, why: str
) -> None:
    """The auto-loaded ./cskpi.toml names a costs file that is missing or holds a secret: a
    config error starting with the config's path; the file's first line is never shown."""
    (tmp_path / "cskpi.toml").write_text('[costs]\nfile = "costs.csv"\n')
    if content is not None:
        (tmp_path / "costs.csv").write_text(content)
    result = cli("report", bad("good_tickets.csv"), "-q")
    refused(result, 2, f"cskpi: cskpi.toml: costs.file costs.csv: {why}")
    assert "sk-secret" not in result.stderr


def test_a_typo_in_include_status_is_said() -> None:
    refused(
        cli("report", bad("good_tickets.csv"), "--include-status", "merged,spma"),
        2,
        "--include-status spma: not a status excluded by default; use merged, deleted, spam "
        "(did you mean spam?)",
    )


def test_validate_honours_csv_and_markdown() -> None:
    """bad_timestamps.csv: 5 rows read, 3 dropped (creation time), 2 + 1 issues (see
    tests/test_bad_inputs.py::test_unparseable_timestamps)."""
    result = cli("validate", bad("bad_timestamps.csv"), "-f", "csv", "-q")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "input,kind,name,value"
    assert "tickets,mapping,Created At,created_at" in lines
    assert lines[-4:] == [
        "tickets,read,rows,5",
        "tickets,dropped,unparseable_created_at,3",
        "tickets,issue,unparseable_timestamp,2",
        "tickets,issue,resolved_without_timestamp,1",
    ]
    shown = cli("validate", bad("terminal_escapes.jsonl"), "-f", "markdown", "-q")
    assert shown.exit_code == 0, shown.stderr
    assert shown.stdout.startswith("| input | kind | name | value |\n| --- | --- | --- | --- |\n")
    assert "| tickets | unmapped | team\\x1b\\]0;pwned\\x07 |  |" in shown.stdout


def test_no_matplotlib_warning_with_an_unwritable_home(tmp_path: Path) -> None:
    """A fresh process (matplotlib not yet imported) whose home cannot hold matplotlib's
    config: the HTML report with charts is written and stderr stays empty under -q."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith(("MPL", "XDG_"))}
    env.update(HOME="/proc/no-such-home", PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    out = tmp_path / "r.html"
    args = ["report", bad("good_tickets.csv"), "--period", "day", "-q", "-o", str(out)]
    done = subprocess.run(
        [sys.executable, "-m", "cskpi", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "<svg" in out.read_text()


# -- 13: no readable timestamp ------------------------------------------------------------------


def test_without_a_readable_time_as_of_is_fixed_not_the_clock() -> None:
    """Every creation time is empty: as_of is 1970-01-01 UTC (said on stderr), so two runs of
    the same file give the same bytes; --as-of still wins."""
    first, doc = report(bad("null_created_at.csv"))
    second, _ = report(bad("null_created_at.csv"))
    assert doc["as_of"] == "1970-01-01T00:00:00+00:00"
    assert first.stdout == second.stdout
    assert "no readable timestamp in the inputs: as of 1970-01-01 (UTC); give --as-of" in (
        first.stderr
    )
    _, given = report(bad("null_created_at.csv"), "--as-of", "2024-03-01")
    assert given["as_of"] == "2024-03-01T00:00:00+00:00"


def test_overnight_opening_hours(tmp_path: Path) -> None:
    """Mon and Tue open 17:00–09:00 (into the next morning). T1: Mon 20:00 → Tue 08:00, open
    throughout: 12 h. T2: Mon 08:00 (closed: Sunday has no shift) → reply Mon 18:00, open from
    17:00: 1 h. T3: Sun 03-10 08:00 → Mon 03-11 18:00, open from Mon 17:00: 1 h.
    Median of 43,200, 3,600 and 3,600 s: 3,600 s."""
    config = tmp_path / "hours.toml"
    config.write_text(
        '[business_hours]\ntimezone = "UTC"\nmon = "17:00-09:00"\ntue = "17:00-09:00"\n'
    )
    path = tmp_path / "night.csv"
    path.write_text(
        "Ticket ID,Created At,First Response At\n"
        "T1,2024-03-04 20:00,2024-03-05 08:00\n"
        "T2,2024-03-04 08:00,2024-03-04 18:00\n"
        "T3,2024-03-10 08:00,2024-03-11 18:00\n"
    )
    _, doc = report(path, "-c", config, "--business-hours", "-k", "frt_median")
    assert doc["data_quality"]["tickets"] == frame(3, 3)
    assert (doc["overall"]["frt_median"], doc["overall"]["frt_median_n"]) == (3600.0, 3)
