"""KPI engine tests on a hand-made fixture: every expected number is derived in a comment.

Fixture (UTC, as_of 2024-03-10T00:00Z unless said otherwise):

  id  created      first resp.   resolved     agent replies reopens esc  handle cust fcr
  T1  03-01 09:00  03-01 09:10   03-01 10:00  ann   1       0       f    600    C1
  T2  03-01 10:30  03-01 11:00   03-02 10:00  ann   2       1       t    1200   C1
  T3  03-02 08:00  03-03 09:00   —            bob   1       0       f    —      C2
  T4  03-02 12:00  —             —            —     —       —       —    —      C3
  T5  03-03 00:00  03-02 23:00   03-03 06:00  bob   1       0       f    300    C2   true
  T6  03-04 00:00  03-04 00:00:10 03-04 04:00 bob   3       0       —    900    —    false

FRT (s): T1 600, T2 1800, T3 90000, T4 none, T5 negative (excluded, counted), T6 10.
Resolution (s): T1 3600, T2 84600, T5 21600, T6 14400.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

import cskpi
from cskpi.config import parse_config
from cskpi.engine.types import ReportRequest
from cskpi.errors import InputError, UsageError
from cskpi.result import Compare, Period
from cskpi.time.window import WindowSpec

TICKETS = """\
Ticket ID,Created At,First Response At,Resolved At,Status,Assignee,Channel,Priority,Agent Replies,Customer Replies,Reopens,Escalated,Handle Time (s),Customer ID,FCR
T1,2024-03-01T09:00:00Z,2024-03-01T09:10:00Z,2024-03-01T10:00:00Z,solved,ann,email,high,1,1,0,false,600,C1,
T2,2024-03-01T10:30:00Z,2024-03-01T11:00:00Z,2024-03-02T10:00:00Z,solved,ann,chat,normal,2,2,1,true,1200,C1,
T3,2024-03-02T08:00:00Z,2024-03-03T09:00:00Z,,open,bob,email,urgent,1,0,0,false,,C2,
T4,2024-03-02T12:00:00Z,,,new,,email,low,,,,,,C3,
T5,2024-03-03T00:00:00Z,2024-03-02T23:00:00Z,2024-03-03T06:00:00Z,solved,bob,chat,normal,1,0,0,false,300,C2,true
T6,2024-03-04T00:00:00Z,2024-03-04T00:00:10Z,2024-03-04T04:00:00Z,solved,bob,phone,high,3,1,0,,900,,false
"""

SURVEYS = """\
Response ID,Ticket ID,Submitted At,Survey,Score
R1,T1,2024-03-01T12:00:00Z,csat,5
R2,T2,2024-03-02T12:00:00Z,csat,3
R3,T5,2024-03-03T08:00:00Z,csat,4
R4,T3,2024-03-04T08:00:00Z,csat,1
R5,T1,2024-03-05T00:00:00Z,nps,10
R6,T2,2024-03-05T00:00:00Z,nps,9
R7,T5,2024-03-05T00:00:00Z,nps,7
R8,T6,2024-03-05T00:00:00Z,nps,3
R9,TX,2024-03-05T00:00:00Z,csat,5
R10,T1,2024-03-05T00:00:00Z,csat,9
R11,T3,2024-03-06T00:00:00Z,ces,6
"""

AS_OF = "2024-03-10T00:00:00Z"


@pytest.fixture
def files(tmp_path: Path) -> tuple[str, str]:
    tickets = tmp_path / "tickets.csv"
    surveys = tmp_path / "surveys.csv"
    tickets.write_text(TICKETS, encoding="utf-8")
    surveys.write_text(SURVEYS, encoding="utf-8")
    return str(tickets), str(surveys)


def report(
    files: tuple[str, str],
    *kpis: str,
    config: dict[str, Any] | None = None,
    surveys: bool = True,
    **request: Any,
) -> cskpi.Result:
    inputs = cskpi.load(files[0], surveys=[files[1]] if surveys else [])
    request.setdefault("as_of", AS_OF)
    return cskpi.compute(inputs, ReportRequest(kpis=kpis, **request), parse_config(config or {}))


def rows(result: cskpi.Result) -> list[dict[str, Any]]:
    return [
        {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()}
        for r in result.rows.to_dict("records")
    ]


def test_volumes_and_durations(files: tuple[str, str]) -> None:
    r = report(
        files,
        "tickets_created",
        "tickets_resolved",
        "backlog",
        "frt_mean",
        "frt_median",
        "frt_p90",
        "resolution_time_mean",
        "resolution_time_median",
        "resolution_time_p90",
        "response_rate",
        "resolution_rate",
    )
    o = r.overall
    assert (o["tickets_created"], o["tickets_resolved"]) == (6, 4)
    assert o["backlog"] == 2  # T3 and T4 are open at as_of
    # FRT values [10, 600, 1800, 90000]: mean 92410/4; median (600+1800)/2;
    # p90 at rank 0.9*3 = 2.7 → 1800 + 0.7 * (90000 - 1800) = 63540
    assert o["frt_mean"] == pytest.approx(23102.5)
    assert o["frt_median"] == pytest.approx(1200.0)
    assert o["frt_p90"] == pytest.approx(63540.0)
    assert o["frt_median_n"] == 4
    # resolution [3600, 14400, 21600, 84600]: mean 124200/4, median (14400+21600)/2,
    # p90 rank 2.7 → 21600 + 0.7 * 63000 = 65700
    assert o["resolution_time_mean"] == pytest.approx(31050.0)
    assert o["resolution_time_median"] == pytest.approx(18000.0)
    assert o["resolution_time_p90"] == pytest.approx(65700.0)
    # T5 answered "before" creation still counts as responded (DECISIONS 9): 5 of 6
    assert o["response_rate"] == pytest.approx(5 / 6)
    assert o["resolution_rate"] == pytest.approx(4 / 6)
    assert r.data_quality["tickets"]["issues"] == {"first_response_before_created": 1}


def test_ratios_and_means(files: tuple[str, str]) -> None:
    r = report(
        files,
        "fcr_rate",
        "reopen_rate",
        "escalation_rate",
        "aht",
        "agent_replies_mean",
        "customer_replies_mean",
        "tickets_per_agent",
        "customers",
        "repeat_contact_rate",
    )
    o = r.overall
    # FCR over resolved T1 (1 reply, 0 reopens: yes), T2 (2 replies: no), T5 (flag true),
    # T6 (flag false wins) → 2/4
    assert (o["fcr_rate"], o["fcr_rate_n"]) == (0.5, 4)
    assert (o["reopen_rate"], o["reopen_rate_n"]) == (0.25, 4)  # only T2 reopened
    # escalated known for T1, T2, T3, T5 (T4, T6 empty → out of population): 1/4
    assert (o["escalation_rate"], o["escalation_rate_n"]) == (0.25, 4)
    assert o["aht"] == pytest.approx(750.0)  # (600+1200+300+900)/4
    assert o["agent_replies_mean"] == pytest.approx(1.75)  # (1+2+1+3)/4
    assert o["customer_replies_mean"] == pytest.approx(1.0)  # (1+2+0+1)/4
    assert o["tickets_per_agent"] == pytest.approx(2.0)  # 4 resolved / {ann, bob}
    assert o["customers"] == 3  # C1, C2, C3 among created
    # repeat contact: T1 (C1, resolved 03-01 10:00, horizon 03-08 ≤ as_of) — C1 opened T2
    # at 10:30 → repeat; T2 (horizon 03-09 10:00) — no later C1 ticket; T5's horizon
    # 03-10 06:00 is after as_of; T6 has no customer → 1/2
    assert (o["repeat_contact_rate"], o["repeat_contact_rate_n"]) == (0.5, 2)


def test_sla_and_service_level(files: tuple[str, str]) -> None:
    r = report(files, "frt_sla_rate", "frt_sla_breaches", "service_level")
    o = r.overall
    # built-in 24 h: T1, T2, T6 met; T3 (25 h) breached; T4 unanswered for > 24 h at as_of
    # breached; T5 (negative) not counted → 3/5, 2 breaches
    assert (o["frt_sla_rate"], o["frt_sla_rate_n"]) == (0.6, 5)
    assert o["frt_sla_breaches"] == 2
    # 20 s: only T6 (10 s) met; T4 is a miss; T5 excluded → 1/5
    assert (o["service_level"], o["service_level_n"]) == (0.2, 5)


def test_sla_pending_and_policies(files: tuple[str, str]) -> None:
    # as_of 03-02 13:00: T3 (created 08:00) and T4 (12:00) are unanswered and not yet 24 h
    # old → pending, not counted; T1, T2 met → 2/2. T5, T6 do not exist yet.
    r = report(files, "frt_sla_rate", as_of="2024-03-02T13:00:00Z")
    assert (r.overall["frt_sla_rate"], r.overall["frt_sla_rate_n"]) == (1.0, 2)
    config = {
        "sla": [
            {"priority": "urgent", "first_response": "1h", "resolution": "8h"},
            {"priority": ["high", "normal"], "first_response": "30m", "resolution": "2h"},
        ]
    }
    r = report(
        files, "frt_sla_rate", "resolution_sla_rate", "resolution_sla_breaches", config=config
    )
    o = r.overall
    # urgent T3: 25 h > 1 h breach. high/normal: T1 10 m met, T2 30 m met (≤), T6 met,
    # T5 negative → not counted. T4 (low) matches no policy → not counted. 3/4
    assert (o["frt_sla_rate"], o["frt_sla_rate_n"]) == (0.75, 4)
    # resolution 2 h: T1 1 h met, T2 23.5 h breach, T5 6 h breach, T6 4 h breach → 1/4
    assert (o["resolution_sla_rate"], o["resolution_sla_rate_n"]) == (0.25, 4)
    assert o["resolution_sla_breaches"] == 3


def test_surveys(files: tuple[str, str]) -> None:
    r = report(
        files,
        "csat",
        "csat_mean",
        "csat_responses",
        "negative_feedback_rate",
        "nps",
        "ces",
        "survey_response_rate",
    )
    o = r.overall
    # CSAT scores 5, 3, 4, 1, 5 (R10's 9 is out of scale): positive ≥ 4 → 3/5
    assert (o["csat"], o["csat_n"]) == (0.6, 5)
    assert o["csat_mean"] == pytest.approx(3.6)  # 18/5
    assert o["csat_responses"] == 5
    assert o["negative_feedback_rate"] == pytest.approx(0.2)  # only the 1
    assert o["nps"] == pytest.approx(25.0)  # 100 × (2/4 − 1/4): 10, 9 | 7 | 3
    assert o["ces"] == pytest.approx(6.0)
    # resolved T1, T2, T5, T6; CSAT answered for T1, T2, T5 → 3/4
    assert o["survey_response_rate"] == pytest.approx(0.75)
    dq = r.data_quality["surveys"]
    assert dq["issues"] == {"score_out_of_scale": 1, "survey_unknown_ticket": 1}


def test_groups_reconcile_and_survey_attribution(files: tuple[str, str]) -> None:
    r = report(files, "tickets_created", "csat", "csat_responses", group_by=("agent",))
    got = {row["agent"]: row for row in rows(r)}
    # named groups first, then (unassigned) and (unknown) (DECISIONS 42)
    assert list(got) == ["ann", "bob", "(unassigned)", "(unknown)"]
    assert [got[a]["tickets_created"] for a in got] == [2, 3, 1, 0]  # sums to 6
    assert sum(row["tickets_created"] for row in got.values()) == r.overall["tickets_created"]
    # CSAT by the linked ticket's agent: ann {5, 3} → 1/2; bob {4 (T5), 1 (T3)} → 1/2;
    # R9 links to no ticket → (unknown) {5} → 1/1; (unassigned) has no responses → null
    assert (got["ann"]["csat"], got["bob"]["csat"], got["(unknown)"]["csat"]) == (0.5, 0.5, 1.0)
    assert got["(unassigned)"]["csat"] is None and got["(unassigned)"]["csat_n"] == 0
    assert sum(row["csat_responses"] for row in got.values()) == r.overall["csat_responses"]


def test_periods_partition_and_medians_are_recomputed(files: tuple[str, str]) -> None:
    r = report(
        files,
        "tickets_created",
        group_by=(),
        period=Period.DAY,
        window=WindowSpec(since="2024-03-01", until="2024-03-04"),
    )
    # T5 created exactly at 03-03 00:00 belongs to 03-03 only
    assert [(x["period"], x["tickets_created"]) for x in rows(r)] == [
        ("2024-03-01", 2),
        ("2024-03-02", 2),
        ("2024-03-03", 1),
        ("2024-03-04", 1),
    ]
    r = report(files, "frt_median", period=Period.WEEK)
    # 2024-W09 (Feb 26 – Mar 3): FRT 600, 1800, 90000 → 1800; W10: T6 10 s → 10.
    # Overall 1200 is not the mean of the weekly medians (905).
    assert [(x["period"], x["frt_median"]) for x in rows(r)] == [
        ("2024-W09", 1800.0),
        ("2024-W10", 10.0),
    ]
    assert r.overall["frt_median"] == pytest.approx(1200.0)


def test_backlog_per_bucket(files: tuple[str, str]) -> None:
    r = report(
        files,
        "backlog",
        period=Period.DAY,
        window=WindowSpec(since="2024-03-01", until="2024-03-03"),
    )
    # end of 03-01: T2 open (T1 resolved 10:00) → 1; end of 03-02: T2 resolved 10:00,
    # T3 and T4 open → 2; end of 03-03: T3, T4 open (T5 resolved 06:00) → 2
    assert [(x["period"], x["backlog"]) for x in rows(r)] == [
        ("2024-03-01", 1),
        ("2024-03-02", 2),
        ("2024-03-03", 2),
    ]


def test_dst_day_bucket(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(
        "id,created_at\nA,2024-03-30T23:30:00Z\nB,2024-03-31T21:59:00Z\nC,2024-03-31T22:00:00Z\n",
        encoding="utf-8",
    )
    inputs = cskpi.load(str(path))
    r = cskpi.compute(
        inputs, ReportRequest(kpis=("tickets_created",), period=Period.DAY, tz="Europe/Berlin")
    )
    # Berlin: A = 03-31 00:30 CET, B = 03-31 23:59 CEST (the 23-hour day), C = 04-01 00:00
    assert [(x["period"], x["tickets_created"]) for x in rows(r)] == [
        ("2024-03-31", 2),
        ("2024-04-01", 1),
    ]


def test_compare_previous(files: tuple[str, str]) -> None:
    r = report(
        files,
        "tickets_created",
        "frt_median",
        compare=Compare.PREVIOUS,
        window=WindowSpec(since="2024-03-03", until="2024-03-04"),
    )
    o = r.overall
    # now [03-03, 03-05): T5, T6; before [03-01, 03-03): T1–T4
    assert (o["tickets_created"], o["tickets_created_previous"]) == (2, 4)
    assert o["tickets_created_change"] == -2
    # FRT now: T6 10 s (T5 negative); before: 600, 1800, 90000 → 1800; change −1790
    assert (o["frt_median"], o["frt_median_previous"], o["frt_median_change"]) == (
        10.0,
        1800.0,
        -1790.0,
    )


def test_sort_and_top(files: tuple[str, str]) -> None:
    r = report(files, "tickets_created", group_by=("agent",), sort="tickets_created", top=2)
    assert [(x["agent"], x["tickets_created"]) for x in rows(r)] == [("bob", 3), ("ann", 2)]
    r = report(
        files, "tickets_created", group_by=("agent",), sort="tickets_created:asc", surveys=False
    )
    assert [x["agent"] for x in rows(r)] == ["(unassigned)", "ann", "bob"]
    assert r.overall["tickets_created"] == 6  # overall is never cut


def test_targets(files: tuple[str, str]) -> None:
    config = {"targets": {"frt_median": "<= 30m", "csat": ">= 85%", "nps": ">= 30"}}
    r = report(files, "frt_median", "csat", config=config)
    got = {t.kpi: (t.target, t.value, t.met) for t in r.targets}
    # 1200 s ≤ 1800 s met; CSAT 0.6 < 0.85 missed; nps not requested but computed for its
    # target (DECISIONS 41): R5 10 and R6 9 promoters, R7 7 passive, R8 3 detractor →
    # (2 − 1) / 4 × 100 = 25 < 30 missed
    assert got == {
        "frt_median": ("<= 30m", 1200.0, True),
        "csat": (">= 85%", pytest.approx(0.6), False),
        "nps": (">= 30", 25.0, False),
    }
    assert "nps" not in r.overall  # shown under targets only


def test_empty_population_is_null_and_counts_zero(files: tuple[str, str]) -> None:
    r = report(files, "tickets_created", "frt_median", "csat", group_by=("channel",))
    got = {row["channel"]: row for row in rows(r)}
    # phone: T6 only; no CSAT linked to T6 → null with n 0
    assert got["phone"]["csat"] is None and got["phone"]["csat_n"] == 0
    # (unknown): the orphan survey R9 — no tickets → count 0, FRT null
    assert got["(unknown)"]["tickets_created"] == 0
    assert got["(unknown)"]["frt_median"] is None


def test_default_set_and_unsupported(files: tuple[str, str]) -> None:
    r = report(files, surveys=False)
    assert [k.id for k in r.kpis] == [
        "tickets_created",
        "frt_median",
        "resolution_time_median",
        "fcr_rate",
    ]
    assert any("csat" in n and "nps" in n for n in r.notes)
    with pytest.raises(InputError, match="csat needs a surveys file"):
        report(files, "csat", surveys=False)
    with pytest.raises(UsageError, match="did you mean frt_median"):
        report(files, "frt_medain")


def test_as_of_hides_the_future(files: tuple[str, str]) -> None:
    # as_of 03-01 10:45: T1 resolved; T2 created 10:30 but its reply (11:00) has not
    # happened; T3.. do not exist yet
    r = report(files, "tickets_created", "response_rate", "backlog", as_of="2024-03-01T10:45:00Z")
    o = r.overall
    assert (o["tickets_created"], o["response_rate"], o["backlog"]) == (2, 0.5, 1)


def test_survey_of_an_excluded_ticket_keeps_its_agent(tmp_path: Path) -> None:
    # DECISIONS 7: the link is resolved against all tickets read, excluded statuses too
    tickets = tmp_path / "t.csv"
    tickets.write_text(
        "id,created_at,status,agent\nA,2024-03-01T09:00:00Z,solved,ann\n"
        "M,2024-03-01T10:00:00Z,merged,bob\n",
        encoding="utf-8",
    )
    surveys = tmp_path / "s.csv"
    surveys.write_text(
        "ticket_id,submitted_at,kind,score\nM,2024-03-02T09:00:00Z,csat,5\n"
        "A,2024-03-02T09:00:00Z,csat,1\n",
        encoding="utf-8",
    )
    inputs = cskpi.load(str(tickets), surveys=[str(surveys)])
    r = cskpi.compute(inputs, ReportRequest(kpis=("tickets_created", "csat"), group_by=("agent",)))
    got = {x["agent"]: (x["tickets_created"], x["csat"]) for x in rows(r)}
    # bob's merged ticket is not counted, but its survey is bob's: csat 1/1; ann's 1 → 0/1
    assert got == {"ann": (1, 0.0), "bob": (0, 1.0)}
    assert r.data_quality["surveys"]["issues"] == {}


BUSINESS = {
    "business_hours": {
        "timezone": "Europe/Berlin",
        "mon": "09:00-18:00",
        "tue": "09:00-18:00",
        "wed": "09:00-18:00",
        "thu": "09:00-18:00",
        "fri": "09:00-18:00",
    }
}


def test_business_hours_clock(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    # A: Fri 2024-03-01 18:00 Berlin (17:00Z), answered Mon 09:05 (08:05Z), resolved Mon 10:00
    # B: Tue 2024-03-05 10:00 Berlin (09:00Z), answered 11:00 (10:00Z)
    path.write_text(
        "id,created_at,first_response_at,resolved_at\n"
        "A,2024-03-01T17:00:00Z,2024-03-04T08:05:00Z,2024-03-04T09:00:00Z\n"
        "B,2024-03-05T09:00:00Z,2024-03-05T10:00:00Z,\n",
        encoding="utf-8",
    )
    inputs = cskpi.load(str(path))
    request = ReportRequest(
        kpis=("frt_median", "resolution_time_median", "frt_sla_rate"), business_hours=True
    )
    r = cskpi.compute(inputs, request, parse_config(BUSINESS))
    # business FRT: A 5 min (weekend closed), B 1 h → median (300 + 3600) / 2
    assert r.overall["frt_median"] == pytest.approx(1950.0)
    assert r.overall["resolution_time_median"] == pytest.approx(3600.0)  # A: Mon 09:00–10:00
    # the built-in 24 h policy is always calendar time: A waited 63 h 05 m → breach; B met
    assert r.overall["frt_sla_rate"] == pytest.approx(0.5)
    assert r.business_hours is True
    calendar = cskpi.compute(inputs, ReportRequest(kpis=("frt_median",)), parse_config(BUSINESS))
    # calendar: A 63 h 05 m = 227100 s, B 3600 s → median 115350
    assert calendar.overall["frt_median"] == pytest.approx(115350.0)
    with pytest.raises(UsageError, match=r"needs a \[business_hours\] table"):
        cskpi.compute(inputs, request, parse_config({}))


def test_calendar_per_team(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    # both created Mon 2024-03-04 08:00Z, answered 10:00Z (2 h of calendar time)
    path.write_text(
        "id,created_at,first_response_at,team\n"
        "S,2024-03-04T08:00:00Z,2024-03-04T10:00:00Z,Seoul\n"
        "B,2024-03-04T08:00:00Z,2024-03-04T10:00:00Z,berlin\n"
        "X,2024-03-04T08:00:00Z,2024-03-04T10:00:00Z,Other\n",
        encoding="utf-8",
    )
    config = {
        "calendar_by": "team",
        "business_hours": {"timezone": "UTC", "mon": "00:00-24:00"},
        "calendars": {
            # Seoul 09:00-18:00 KST = 00:00-09:00Z: of 08:00-10:00Z only 08:00-09:00 is open
            "seoul": {"timezone": "Asia/Seoul", "mon": "09:00-18:00"},
            # Berlin 09:00-18:00 CET = 08:00-17:00Z: the whole 2 h
            "Berlin": {"timezone": "Europe/Berlin", "mon": "09:00-18:00"},
        },
    }
    r = cskpi.compute(
        cskpi.load(str(path)),
        ReportRequest(kpis=("frt_mean",), group_by=("team",), business_hours=True),
        parse_config(config),
    )
    got = {x["team"]: x["frt_mean"] for x in rows(r)}
    # Seoul: open until 09:00Z → 1 h; Berlin: 2 h; Other: fallback 24 h Monday → 2 h
    assert got == {"Other": 7200.0, "Seoul": 3600.0, "berlin": 7200.0}


def test_breaches_list(files: tuple[str, str]) -> None:
    config = {
        "sla": [
            {"priority": "urgent", "first_response": "1h", "resolution": "8h"},
            {"priority": ["high", "normal"], "first_response": "30m", "resolution": "2h"},
        ]
    }
    r = report(files, "frt_sla_breaches", "resolution_sla_breaches", config=config, breaches=True)
    assert r.breaches is not None
    got = [
        (b["ticket_id"], b["metric"], b["target"], b["actual"])
        for b in r.breaches.to_dict("records")
    ]
    # first response: T3 (urgent, 1 h target) answered after 25 h. Resolution (2 h):
    # T2 23.5 h, T5 6 h, T6 4 h — the same tickets the breach counts count
    assert got == [
        ("T3", "first_response", 3600.0, 90000.0),
        ("T2", "resolution", 7200.0, 84600.0),
        ("T5", "resolution", 7200.0, 21600.0),
        ("T6", "resolution", 7200.0, 14400.0),
    ]
    assert r.overall["frt_sla_breaches"] == 1 and r.overall["resolution_sla_breaches"] == 3
    assert r.breaches["policy"].tolist()[0] == "priority=urgent"
    assert set(r.breaches["clock"]) == {"calendar"}
    # the unanswered T4 (low: no policy) is never listed
    assert "T4" not in set(r.breaches["ticket_id"])
