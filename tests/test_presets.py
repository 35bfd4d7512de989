"""Helpdesk presets (issue 6): each fixture under tests/data/presets/ is a realistic export
written from the documented headers (docs/helpdesk-exports.md,
section 2). For each: auto-detection picks its preset, `cskpi report FILE` needs no --map, and
the numbers equal the hand-checked expectations in the comments.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

import cskpi
from cskpi.cli import app
from cskpi.config import parse_config
from cskpi.engine.types import ReportRequest
from cskpi.load import presets
from cskpi.load.normalize import LoadOptions
from cskpi.load.schema import COLUMNS, SURVEY_KINDS, Frame

DATA = Path(__file__).resolve().parent / "data" / "presets"
runner = CliRunner()


def data(name: str) -> str:
    return str(DATA / name)


def report(*args: object) -> dict[str, Any]:
    """`cskpi report ARGS -f json`, checked to succeed; the parsed JSON."""
    result = runner.invoke(app, ["report", *(str(a) for a in args), "-f", "json"])
    assert result.exit_code == 0, (result.exit_code, result.stderr)
    out: dict[str, Any] = json.loads(result.stdout)
    out["stderr"] = result.stderr
    return out


def at(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No stray ./cskpi.toml."""
    monkeypatch.chdir(tmp_path)


# -- detection ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("files", "frame", "name"),
    [
        (["zendesk_tickets.csv"], "tickets", "zendesk_csv"),
        (["zendesk_tickets.ndjson"], "tickets", "zendesk_tickets_json"),
        (["zendesk_ticket_metrics.json"], "tickets", "zendesk_ticket_metrics_json"),
        (["zendesk_satisfaction_ratings.json"], "surveys", "zendesk_satisfaction_json"),
        (["freshdesk_tickets.csv"], "tickets", "freshdesk_csv"),
        (["intercom_conversations.csv"], "tickets", "intercom_csv"),
        (["chatwoot_csat.csv"], "surveys", "chatwoot_csat_csv"),
        (["zammad_tickets.xlsx"], "tickets", "zammad_xlsx"),
    ],
)
def test_auto_detection_picks_the_preset(files: list[str], frame: str, name: str) -> None:
    inputs = cskpi.load([data(f) for f in files])
    loaded = inputs.tickets if frame == "tickets" else inputs.surveys
    assert loaded is not None and loaded.preset is not None and loaded.preset.preset is not None
    assert loaded.preset.preset.name == name
    assert not loaded.preset.missing
    assert list(loaded.preset.matched) == [
        h.replace("{tz}", "America/New_York") for h in presets.BY_NAME[name].signature
    ]


def test_presets_are_consistent_data() -> None:
    """Column maps name canonical columns of the frame the preset declares; durations name
    a known metric; signatures are unique."""
    for preset in presets.PRESETS:
        names = {c.name for c in COLUMNS[preset.frame]}
        assert set(preset.columns) <= names, preset.name
        assert set(preset.vocab) <= names | {"score"}, preset.name
        assert set(preset.extract) <= names, preset.name
        for duration in preset.durations:
            assert duration.column in names | set(presets.BUSINESS_COLUMNS), duration
        assert preset.survey_kind in (None, *SURVEY_KINDS)
        assert preset.zone in ("flag", "header", "utc")
    signatures = [frozenset(p.signature) for p in presets.PRESETS]
    assert len(set(signatures)) == len(signatures)


# -- Zendesk ticket CSV export ------------------------------------------------------------------

# zendesk_tickets.csv: six tickets, naive times in the account zone (Asia/Seoul, UTC+9).
# - created: 6 (1001..1006).
# - first reply, "First reply time in minutes": 45, 30, 600, (1004 none), 5, 60
#   → sorted 5, 30, 45, 60, 600 → median 45 min = 2700 s, n = 5.
# - resolution, "Solved at" − "Created at" (= "Full resolution time in minutes"):
#   1001 120, 1002 1140, 1005 1560 (reopened; the last solve counts), 1006 75
#   → sorted 75, 120, 1140, 1560 → median (120 + 1140) / 2 = 630 min = 37800 s, n = 4.
#   ("Resolution time" holds rounded hours (2, 19, 26, 1): never read as seconds.)
# - CSAT from "Satisfaction Score" (no --surveys): Good 1001, Bad 1002, Good 1005
#   → 2 / 3; Offered (1003) and Not Offered (1004, 1006) are not responses.


def test_zendesk_csv_report() -> None:
    out = report(
        data("zendesk_tickets.csv"),
        "--source-tz",
        "Asia/Seoul",
        "-k",
        "tickets_created,frt_median,resolution_time_median,csat",
    )
    overall = out["overall"]
    assert overall["tickets_created"] == 6
    assert (overall["frt_median"], overall["frt_median_n"]) == (2700.0, 5)
    assert (overall["resolution_time_median"], overall["resolution_time_median_n"]) == (37800.0, 4)
    assert overall["csat"] == pytest.approx(2 / 3) and overall["csat_n"] == 3
    assert out["data_quality"]["surveys"]["read"] == 3
    assert "3 offered without an answer left out" in out["stderr"]


def test_zendesk_csv_in_seoul_lands_in_the_right_day() -> None:
    """1001 was created 2024-03-04 08:30 in Seoul = 2024-03-03 23:30 UTC."""
    inputs = cskpi.load(data("zendesk_tickets.csv"), options=LoadOptions(source_tz="Asia/Seoul"))
    assert inputs.tickets is not None
    first = inputs.tickets.frame.set_index("ticket_id").loc["1001"]
    assert first["created_at"] == at("2024-03-03 23:30")
    assert first["resolved_at"] == at("2024-03-04 01:30")
    # Reported in UTC, 1001 is a 3 March ticket; 1005 (09:00 Seoul = 00:00 UTC) a 6 March one.
    utc = report(
        data("zendesk_tickets.csv"),
        "--source-tz",
        "Asia/Seoul",
        "--tz",
        "UTC",
        "--period",
        "day",
        "-k",
        "tickets_created",
    )
    assert [(r["period"], r["tickets_created"]) for r in utc["rows"]] == [
        ("2024-03-03", 1),
        ("2024-03-04", 1),
        ("2024-03-05", 2),
        ("2024-03-06", 2),
    ]
    # Reported in the source zone (the default report zone), the days are Seoul's.
    seoul = report(
        data("zendesk_tickets.csv"),
        "--source-tz",
        "Asia/Seoul",
        "--period",
        "day",
        "-k",
        "tickets_created",
    )
    assert seoul["window"]["timezone"] == "Asia/Seoul"
    assert [(r["period"], r["tickets_created"]) for r in seoul["rows"]][:3] == [
        ("2024-03-04", 2),
        ("2024-03-05", 2),
        ("2024-03-06", 2),
    ]


def test_zendesk_csv_units_vocabulary_and_business_minutes() -> None:
    inputs = cskpi.load(data("zendesk_tickets.csv"))
    assert inputs.tickets is not None
    frame = inputs.tickets.frame.set_index("ticket_id")
    # minutes → seconds, calendar and business kept apart (DECISIONS 24)
    assert frame.loc["1001", "first_response_seconds"] == 45 * 60
    assert frame.loc["1001", "first_response_business_seconds"] == 15 * 60
    assert frame.loc["1002", "resolution_business_seconds"] == 240 * 60
    assert pd.isna(frame.loc["1004", "first_response_business_seconds"])
    mapping = dict(inputs.tickets.mapping)
    assert "Resolution time" not in mapping
    assert (
        mapping["First reply time in minutes within business hours"]
        == "first_response_business_seconds"
    )
    assert frame.loc["1004", "status"] == "on_hold"  # "On-hold"
    assert frame.loc["1002", "channel"] == "web"  # "Web form"
    assert frame.loc["1005", "channel"] == "phone"  # "Phone call (incoming)"
    assert frame.loc["1005", "reopens"] == 1 and frame.loc["1005", "agent_replies"] == 3
    assert "Product [list]" in frame.columns  # custom field, usable with --by


def test_zendesk_ratings_only_without_a_survey_file(tmp_path: Path) -> None:
    """DECISIONS 25: a given survey file wins over the ratings inside the ticket export."""
    surveys = tmp_path / "nps.csv"
    surveys.write_text("Ticket ID,Submitted At,Score\n1001,2024-03-05 10:00,9\n")
    inputs = cskpi.load(data("zendesk_tickets.csv"), surveys=[f"nps={surveys}"])
    assert inputs.surveys is not None
    assert list(inputs.surveys.frame["kind"]) == ["nps"]


# -- Zendesk API JSON -------------------------------------------------------------------------

# zendesk_tickets.ndjson: incremental export, one {"ticket": …} per line; 502 appears twice (the
# later line, updated 2024-05-03, wins). zendesk_ticket_metrics.json adds solved_at and the
# {calendar, business} minute objects, joined on ticket_id (499 matches no ticket).
# - created: 4 (501..504).
# - first reply (reply_time_in_minutes.calendar): 501 30, 502 90, 503 15, 504 none
#   → median 30 min = 1800 s, n = 3.
# - resolution: 501 240 min, 503 1470 min (09:30 → next day 10:00) → median 855 min
#   = 51300 s, n = 2.
# - CSAT (zendesk_satisfaction_ratings.json): 501 good, 503 bad, 504 offered (not an answer)
#   → 1 / 2 = 0.5.


def test_zendesk_api_json_joined() -> None:
    out = report(
        data("zendesk_tickets.ndjson"),
        data("zendesk_ticket_metrics.json"),
        data("zendesk_satisfaction_ratings.json"),
        "-k",
        "tickets_created,frt_median,resolution_time_median,csat",
    )
    overall = out["overall"]
    assert overall["tickets_created"] == 4
    assert (overall["frt_median"], overall["frt_median_n"]) == (1800.0, 3)
    assert (overall["resolution_time_median"], overall["resolution_time_median_n"]) == (51300.0, 2)
    assert (overall["csat"], overall["csat_n"]) == (0.5, 2)
    assert out["data_quality"]["tickets"]["dropped"] == {"duplicate_ticket_id": 1}
    assert out["data_quality"]["surveys"]["dropped"] == {"survey_not_answered": 1}
    assert (
        "joined 4 of 4 tickets" in out["stderr"] and "1 records matched no ticket" in out["stderr"]
    )
    assert "read as survey responses" in out["stderr"]


def test_zendesk_api_json_ratings_without_resolution_times() -> None:
    # The ticket export alone has no resolved_at column (the metrics file brings solved_at),
    # so the two ratings (501 good, 503 bad) have no time: both dropped as
    # missing_submitted_at, csat over 0 responses; the report runs (it crashed comparing a
    # zone-less empty column with as_of).
    out = report(data("zendesk_tickets.ndjson"), "-k", "tickets_created,csat")
    assert out["overall"]["tickets_created"] == 4
    assert (out["overall"]["csat"], out["overall"]["csat_n"]) == (None, 0)
    assert out["data_quality"]["surveys"]["dropped"] == {"missing_submitted_at": 2}


def test_zendesk_api_json_frames() -> None:
    inputs = cskpi.load([data("zendesk_tickets.ndjson"), data("zendesk_ticket_metrics.json")])
    assert inputs.tickets is not None and inputs.surveys is not None
    frame = inputs.tickets.frame.set_index("ticket_id")
    assert frame.loc["502", "status"] == "pending"  # the later line of 502
    assert frame.loc["504", "status"] == "on_hold"  # "hold"
    assert frame.loc["503", "channel"] == "phone"  # via.channel "voice"
    assert frame.loc["503", "resolved_at"] == at("2024-05-03 10:00")
    assert frame.loc["503", "resolution_business_seconds"] == 600 * 60
    assert frame.loc["503", "reopens"] == 1
    # No survey file: satisfaction_rating.score of the tickets (good 501, bad 503), submitted
    # at the ticket's resolution; unoffered (502) and offered (504) are not responses.
    surveys = inputs.surveys.frame.set_index("ticket_id")
    assert sorted(surveys.index) == ["501", "503"]
    assert surveys.loc["501", "submitted_at"] == at("2024-05-01 12:00")
    assert list(surveys.sort_index()["score"]) == [5.0, 1.0]


# -- Freshdesk ticket CSV export --------------------------------------------------------------

# freshdesk_tickets.csv: five tickets (UTC); "(in hrs)" are business-hours HH:MM:SS.
# - created: 5.
# - first response, "Initial response time" − "Created time": 301 90 min, 302 945 min
#   (17:30 → 09:15 next day), 304 10 min; 303 has only a business duration (00:20:00), which
#   never becomes a timestamp (DECISIONS 24); 305 unanswered
#   → sorted 600, 5400, 56700 s → median 5400 s, n = 3.
# - resolution, "Resolved time" − "Created time": 301 6 h (closed a day later: resolved wins),
#   302 18 h, 304 1 h → median 21600 s, n = 3.
# - CSAT from "Survey results": Extremely Happy 5, Neutral 3, Unhappy 2 → 1 / 3.


def test_freshdesk_csv_report() -> None:
    out = report(
        data("freshdesk_tickets.csv"),
        "-k",
        "tickets_created,frt_median,resolution_time_median,csat",
    )
    overall = out["overall"]
    assert overall["tickets_created"] == 5
    assert (overall["frt_median"], overall["frt_median_n"]) == (5400.0, 3)
    assert (overall["resolution_time_median"], overall["resolution_time_median_n"]) == (21600.0, 3)
    assert overall["csat"] == pytest.approx(1 / 3) and overall["csat_n"] == 3


def test_freshdesk_csv_hours_and_labels() -> None:
    inputs = cskpi.load(data("freshdesk_tickets.csv"))
    assert inputs.tickets is not None
    frame = inputs.tickets.frame.set_index("ticket_id")
    assert frame.loc["301", "first_response_business_seconds"] == 5400  # 01:30:00
    assert frame.loc["302", "resolution_business_seconds"] == 9000  # 02:30:00
    assert frame.loc["303", "first_response_business_seconds"] == 1200  # 00:20:00
    assert pd.isna(frame.loc["303", "first_response_at"])
    assert "first_response_seconds" not in frame.columns  # no calendar value
    assert frame.loc["301", "handle_seconds"] == 45 * 60  # Time tracked 00:45
    assert frame.loc["303", "status"] == "pending"  # Waiting on Customer
    assert frame.loc["301", "priority"] == "normal"  # Medium
    assert frame.loc["302", "channel"] == "web"  # Portal
    assert frame.loc["301", "customer_replies"] == 1


def test_duration_units_come_from_the_preset(tmp_path: Path) -> None:
    """A number is in the preset's unit (hours here); HH:MM:SS and human text read as such;
    `--` is no value, never zero."""
    path = tmp_path / "fd.csv"
    path.write_text(
        "Ticket ID,Status,Priority,Source,Created time,Initial response time,Resolved time,"
        "First response time (in hrs)\n"
        "1,Open,Low,Email,2024-06-03 09:00:00,,,1.5\n"
        "2,Open,Low,Email,2024-06-03 09:00:00,,,01:30:00\n"
        "3,Open,Low,Email,2024-06-03 09:00:00,,,2 hours 5 minutes\n"
        "4,Open,Low,Email,2024-06-03 09:00:00,,,--\n",
        encoding="utf-8",
    )
    inputs = cskpi.load(str(path))
    assert inputs.tickets is not None
    values = list(inputs.tickets.frame["first_response_business_seconds"])
    assert values[:3] == [5400.0, 5400.0, 7500.0] and pd.isna(values[3])


def test_freshdesk_survey_codes_keep_their_sign() -> None:
    """103 … -103 (API codes) and the labels map onto 1–5; -101 is not 101 (DECISIONS 18)."""
    raw = pd.Series(["103", "101", "100", "-101", "-103", "Awesome", "Just Okay", "Not Good"])
    table = presets.FRESHDESK_CSV.vocab["score"]
    assert list(presets.translate(raw, table)) == ["5", "4", "3", "2", "1", "5", "3", "1"]


# -- Intercom conversations CSV export --------------------------------------------------------

# intercom_conversations.csv: naive times in the zone named in the headers, America/New_York.
# US clocks went forward on 2024-03-10 02:00, so 215469002, started 2024-03-09 23:30 EST
# (04:30 UTC) and first replied 2024-03-10 03:30 EDT (07:30 UTC), waited 3 h (10800 s, as its
# "First response time (seconds)" says), not the 4 h the wall clock suggests.
# - created: 5.
# - first response: 300, 10800, (003 none), 1200, 60 → sorted 60, 300, 1200, 10800
#   → median (300 + 1200) / 2 = 750 s, n = 4.
# - resolution (last close): 2700, 32400 (04:30 → 13:30 UTC), 7200 → median 7200 s, n = 3.
# - FCR from "Resolved on first contact" on resolved conversations: true, false, true → 2 / 3.
# - CSAT from "Last teammate rating": 5 and 4 (Ana Souza), 2 (Ben Ode) → 2 / 3.


def test_intercom_csv_report() -> None:
    out = report(
        data("intercom_conversations.csv"),
        "-k",
        "tickets_created,frt_median,resolution_time_median,fcr_rate,csat",
    )
    overall = out["overall"]
    assert out["window"]["timezone"] == "America/New_York"  # DECISIONS 3: zone from headers
    assert overall["tickets_created"] == 5
    assert (overall["frt_median"], overall["frt_median_n"]) == (750.0, 4)
    assert (overall["resolution_time_median"], overall["resolution_time_median_n"]) == (7200.0, 3)
    assert overall["fcr_rate"] == pytest.approx(2 / 3)
    assert overall["csat"] == pytest.approx(2 / 3) and overall["csat_n"] == 3


def test_intercom_zone_from_header_and_rated_teammate() -> None:
    inputs = cskpi.load(data("intercom_conversations.csv"))
    assert inputs.tickets is not None and inputs.surveys is not None
    assert inputs.source_tz == "America/New_York"
    frame = inputs.tickets.frame.set_index("ticket_id")
    assert frame.loc["215469002", "created_at"] == at("2024-03-10 04:30")
    assert frame.loc["215469002", "first_response_at"] == at("2024-03-10 07:30")
    assert frame.loc["215469002", "first_response_business_seconds"] == 1800
    assert frame.loc["215469002", "priority"] == "high"  # "Priority"
    assert frame.loc["215469001", "priority"] == "normal"  # "Not priority"
    assert frame.loc["215469001", "region"] == "Brazil"
    surveys = inputs.surveys.frame.set_index("ticket_id")
    assert surveys.loc["215469002", "agent"] == "Ben Ode"
    assert surveys.loc["215469005", "score"] == 4.0


# -- Chatwoot CSAT CSV ------------------------------------------------------------------------

# chatwoot_csat.csv: five responses and a trailing "Reporting period" line; agents as
# "Name (email)". Ratings 5, 3, 4, 1, 2 → positive (4–5) 2 / 5 = 0.4. By agent: Priya Raman
# (5, 3) → 0.5; Tom Berg (4, 2) → 0.5.


def test_chatwoot_csat_given_positionally() -> None:
    out = report(data("chatwoot_csat.csv"), "-k", "csat")
    assert (out["overall"]["csat"], out["overall"]["csat_n"]) == (0.4, 5)
    assert out["data_quality"]["surveys"]["read"] == 5  # the summary line is not a row
    assert "read as survey responses, not tickets" in out["stderr"]
    by_agent = report(data("chatwoot_csat.csv"), "-k", "csat", "--by", "agent")
    rows = {r["agent"]: (r["csat"], r["csat_n"]) for r in by_agent["rows"]}
    assert rows["Priya Raman"] == (0.5, 2) and rows["Tom Berg"] == (0.5, 2)


def test_chatwoot_csat_frame() -> None:
    inputs = cskpi.load(surveys=data("chatwoot_csat.csv"))
    assert inputs.surveys is not None
    frame = inputs.surveys.frame
    assert list(frame["ticket_id"]) == ["1201", "1202", "1203", "1204", "1205"]
    assert frame.loc[0, "submitted_at"] == at("2024-04-02 09:15:31")  # "… UTC"
    assert set(frame["kind"]) == {"csat"}
    assert pd.isna(frame.loc[3, "agent"])
    assert any("skipped 1 summary line" in note for note in inputs.surveys.notes)


def test_summary_lines_of_several_files(tmp_path: Path) -> None:
    """Two CSAT downloads read together: each one's trailing line is skipped, not a row."""
    first, second = tmp_path / "march.csv", tmp_path / "april.csv"
    text = (DATA / "chatwoot_csat.csv").read_text(encoding="utf-8")
    first.write_text(text, encoding="utf-8")
    second.write_text(text.replace("/conversations/12", "/conversations/13"), encoding="utf-8")
    inputs = cskpi.load([str(first), str(second)])
    assert inputs.surveys is not None
    assert inputs.surveys.quality.read == 10 and len(inputs.surveys.frame) == 10


# -- Zammad ticket XLSX ------------------------------------------------------------------------

# zammad_tickets.xlsx: five tickets; 31005 is merged (excluded, counted). Europe/Berlin times.
# - created: 4.
# - first response: 31001 40 min, 31002 15.5 h (17:30 → 09:00), 31004 5 min; 31003 none
#   → sorted 300, 2400, 55800 → median 2400 s, n = 3.
# - resolution ("Closed At"): 31001 4 h, 31002 40.5 h → median (14400 + 145800) / 2 = 80100 s.


def test_zammad_xlsx_report() -> None:
    out = report(
        data("zammad_tickets.xlsx"),
        "--source-tz",
        "Europe/Berlin",
        "-k",
        "tickets_created,frt_median,resolution_time_median",
    )
    overall = out["overall"]
    assert overall["tickets_created"] == 4
    assert (overall["frt_median"], overall["frt_median_n"]) == (2400.0, 3)
    assert (overall["resolution_time_median"], overall["resolution_time_median_n"]) == (80100.0, 2)
    assert out["data_quality"]["tickets"]["dropped"] == {"excluded_status": 1}


def test_zammad_xlsx_frame() -> None:
    inputs = cskpi.load(data("zammad_tickets.xlsx"), options=LoadOptions(source_tz="Europe/Berlin"))
    assert inputs.tickets is not None
    frame = inputs.tickets.frame.set_index("ticket_id")
    assert frame.loc["31001", "created_at"] == at("2024-02-05 07:00")  # 08:00 CET
    assert frame.loc["31001", "first_response_business_seconds"] == 40 * 60  # In Min
    assert frame.loc["31002", "resolution_business_seconds"] == 630 * 60
    assert frame.loc["31003", "status"] == "pending"  # "pending reminder"
    assert frame.loc["31002", "priority"] == "high"  # "3 high"
    assert pd.isna(frame.loc["31003", "agent"])  # owner "-"
    assert "Close Diff In Min" in frame.columns  # kept, usable with --by


# -- fallbacks --------------------------------------------------------------------------------


def test_near_miss_names_the_missing_column_and_falls_back() -> None:
    """zendesk_renamed_column.csv is zendesk_tickets.csv with "Solved at" renamed."""
    inputs = cskpi.load(data("zendesk_renamed_column.csv"))
    assert inputs.tickets is not None
    assert inputs.tickets.preset is None
    notes = " ".join(inputs.tickets.notes)
    assert "looks like a Zendesk ticket CSV export but lacks Solved at" in notes
    mapping = dict(inputs.tickets.mapping)
    assert mapping["Id"] == "ticket_id" and mapping["Created at"] == "created_at"
    # the traps stay unmapped: rounded hours, business minutes, the rating column
    for header in (
        "Resolution time",
        "Solved date",
        "Satisfaction Score",
        "First reply time in minutes within business hours",
    ):
        assert header not in mapping
    assert inputs.surveys is None
    result = runner.invoke(app, ["validate", data("zendesk_renamed_column.csv"), "-f", "json"])
    assert result.exit_code == 0
    shown = json.loads(result.stdout)["tickets"]
    assert shown["preset"] is None
    assert any("lacks Solved at" in note for note in shown["notes"])


def test_forced_preset_maps_what_is_there() -> None:
    out = report(
        data("zendesk_renamed_column.csv"),
        "--preset",
        "zendesk_csv",
        "-k",
        "frt_median,resolution_time_median",
    )
    # the same numbers as the original file: resolution from the full-resolution minutes
    assert out["overall"]["frt_median"] == 2700.0
    assert out["overall"]["resolution_time_median"] == 37800.0
    assert "the file lacks Solved at" in out["stderr"]


def test_preset_none_uses_the_alias_table() -> None:
    inputs = cskpi.load(data("zendesk_tickets.csv"), options=LoadOptions(preset="none"))
    assert inputs.tickets is not None and inputs.tickets.preset is None
    assert "first_response_seconds" not in inputs.tickets.frame.columns
    assert inputs.surveys is None


def test_unknown_preset_is_a_usage_error() -> None:
    result = runner.invoke(app, ["report", data("zendesk_tickets.csv"), "--preset", "zendsk"])
    assert result.exit_code == 2
    assert "did you mean zendesk_csv" in result.stderr


def test_validate_shows_the_preset_and_why() -> None:
    result = runner.invoke(app, ["validate", data("intercom_conversations.csv"), "-f", "json"])
    assert result.exit_code == 0
    preset = json.loads(result.stdout)["tickets"]["preset"]
    assert preset["name"] == "intercom_csv" and not preset["forced"]
    assert "Conversation started at (America/New_York)" in preset["matched"]
    assert preset["zone"] == "America/New_York"
    table = runner.invoke(app, ["validate", data("zendesk_tickets.csv")])
    assert (
        "preset zendesk_csv (Zendesk ticket CSV export), recognised from its header" in table.stdout
    )


def test_a_ticket_preset_given_as_surveys_is_not_used() -> None:
    inputs = cskpi.load(surveys=data("zendesk_tickets.csv"))
    assert inputs.surveys is not None and inputs.surveys.preset is None
    assert any("given as a survey file" in note for note in inputs.surveys.notes)


def test_detect_on_headers() -> None:
    match = presets.detect(
        [
            "Agent Name",
            "Rating",
            "Feedback Comment",
            "Contact Name",
            "Link to the conversation",
            "Recorded date",
        ],
        Frame.TICKETS,
    )
    assert match.preset is presets.CHATWOOT_CSAT_CSV
    assert match.target(Frame.TICKETS) is Frame.SURVEYS
    assert presets.detect(["id", "created_at", "status"], Frame.TICKETS).preset is None


def test_vendor_business_duration_fills_business_reports_only(tmp_path: Path) -> None:
    # DECISIONS 24: Zendesk's business-hours first reply (minutes) is used only in a
    # business-hours report, only where no first-reply timestamp/calendar duration exists.
    header = (
        (Path(__file__).parent / "data" / "presets" / "zendesk_tickets.csv")
        .read_text(encoding="utf-8")
        .splitlines()[0]
    )
    cols = header.split(",")

    def row(values: dict[str, str]) -> str:
        return ",".join(values.get(c, "") for c in cols)

    lines = [
        header,
        # A: calendar 45 min, business 15 min → timestamps win (business clock: 15 min
        # of Mon-Fri 09-18 UTC between 08:30 and 09:15)
        row(
            {
                "Id": "1",
                "Requester": "a",
                "Created at": "2024-03-04 08:30:00",
                "Solved at": "2024-03-04 10:30:00",
                "Status": "Solved",
                "Reopens": "0",
                "Replies": "1",
                "First reply time in minutes": "45",
                "First reply time in minutes within business hours": "15",
            }
        ),
        # B: no calendar value, business 30 min → used only in the business report
        row(
            {
                "Id": "2",
                "Requester": "b",
                "Created at": "2024-03-04 10:00:00",
                "Solved at": "2024-03-04 12:00:00",
                "Status": "Solved",
                "Reopens": "0",
                "Replies": "1",
                "First reply time in minutes within business hours": "30",
            }
        ),
    ]
    path = tmp_path / "zendesk.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    config = parse_config(
        {
            "business_hours": {
                "timezone": "UTC",
                **{d: "09:00-18:00" for d in ("mon", "tue", "wed", "thu", "fri")},
            }
        }
    )
    inputs = cskpi.load(str(path))
    calendar = cskpi.compute(inputs, ReportRequest(kpis=("frt_mean",)), config)
    assert (calendar.overall["frt_mean"], calendar.overall["frt_mean_n"]) == (2700.0, 1)
    business = cskpi.compute(inputs, ReportRequest(kpis=("frt_mean",), business_hours=True), config)
    # A: 09:00–09:15 = 900 s; B: vendor 30 min = 1800 s → mean 1350 over 2
    assert (business.overall["frt_mean"], business.overall["frt_mean_n"]) == (1350.0, 2)
    assert business.data_quality["tickets"]["issues"]["vendor_business_duration_used"] == 1
