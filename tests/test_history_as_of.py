"""Status history and messages cut at `as_of` (DECISIONS 2 and 45), computed by hand.

Fixture, all UTC; the export's own status / resolved_at, then the status changes:

  R  created 03-25 08:00, export open:                 open 03-25 08:00 → solved 09:00 →
     open 04-20 00:00 (the issue's case); messages: customer 03-25 08:00, agent 08:30,
     agent 04-20 09:00
  S  created 03-26 08:00, export solved, no time:      open 03-26 08:00 → solved 10:00
  U  created 03-27 08:00, export solved 03-28 08:00:   open 03-27 08:00 → solved 03-28 08:00 →
     open 03-29 08:00 (the history ends reopened)
  P  created 03-28 08:00, export solved 04-22 00:00:   open 08:00 → pending 09:00 → open 10:00
     → solved 11:00 → open 04-20 → pending 04-21 → solved 04-22 00:00

`--as-of 2024-04-10` (window 03-25 → 04-11): the changes and the message of 04-20 and later
have not happened.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import cskpi
from cskpi.cli import app
from cskpi.config import parse_config
from cskpi.engine.types import ReportRequest
from cskpi.load.fold import fold, time_us
from cskpi.load.normalize import Loaded
from cskpi.load.quality import FrameQuality
from cskpi.load.schema import Frame

runner = CliRunner()
AS_OF = "2024-04-10T00:00:00Z"
TICKETS = """\
ticket_id,created_at,status,resolved_at,agent
R,2024-03-25T08:00:00Z,open,,kim
S,2024-03-26T08:00:00Z,solved,,kim
U,2024-03-27T08:00:00Z,solved,2024-03-28T08:00:00Z,lee
P,2024-03-28T08:00:00Z,solved,2024-04-22T00:00:00Z,lee
"""
EVENTS = """\
ticket_id,at,status
R,2024-03-25T08:00:00Z,open
R,2024-03-25T09:00:00Z,solved
R,2024-04-20T00:00:00Z,open
S,2024-03-26T08:00:00Z,open
S,2024-03-26T10:00:00Z,solved
U,2024-03-27T08:00:00Z,open
U,2024-03-28T08:00:00Z,solved
U,2024-03-29T08:00:00Z,open
P,2024-03-28T08:00:00Z,open
P,2024-03-28T09:00:00Z,pending
P,2024-03-28T10:00:00Z,open
P,2024-03-28T11:00:00Z,solved
P,2024-04-20T00:00:00Z,open
P,2024-04-21T00:00:00Z,pending
P,2024-04-22T00:00:00Z,solved
"""
MESSAGES = """\
ticket_id,created_at,author_role,public
R,2024-03-25T08:00:00Z,customer,true
R,2024-03-25T08:30:00Z,agent,true
R,2024-04-20T09:00:00Z,agent,true
"""


@pytest.fixture
def paths(tmp_path: Path) -> dict[str, str]:
    out = {}
    for name, text in (("tickets", TICKETS), ("events", EVENTS), ("messages", MESSAGES)):
        (tmp_path / f"{name}.csv").write_text(text, encoding="utf-8")
        out[name] = str(tmp_path / f"{name}.csv")
    return out


def _report(
    paths: dict[str, str], kpis: tuple[str, ...], as_of: str | None, by: tuple[str, ...] = ()
) -> Any:
    inputs = cskpi.load(paths["tickets"], events=paths["events"], messages=paths["messages"])
    return cskpi.compute(inputs, ReportRequest(kpis=kpis, as_of=as_of, group_by=by))


def test_a_reopen_after_as_of_does_not_undo_an_earlier_solve(paths: dict[str, str]) -> None:
    kpis = ("tickets_resolved", "backlog", "resolution_rate", "resolution_time_mean")
    result = _report(paths, kpis, AS_OF, ("ticket_id",))
    rows = result.rows.set_index("ticket_id")
    # as of 04-10: R solved 03-25 09:00 (1 h), S solved 03-26 10:00 (2 h), U reopened 03-29
    # (open), P solved 03-28 11:00 (3 h); the reopens of 04-20 do not exist
    assert rows["tickets_resolved"].to_dict() == {"P": 1, "R": 1, "S": 1, "U": 0}
    assert rows["backlog"].to_dict() == {"P": 0, "R": 0, "S": 0, "U": 1}
    assert rows.loc[["R", "S", "P"], "resolution_time_mean"].tolist() == [3600, 7200, 10800]
    o = result.overall
    # resolved R, S, P of 4 created; open: U
    assert (o["tickets_resolved"], o["backlog"], o["resolution_rate"]) == (3, 1, 0.75)


def test_paused_intervals_reopens_and_messages_after_as_of_do_not_exist(
    paths: dict[str, str],
) -> None:
    kpis = ("resolution_time_active_mean", "reopen_rate", "agent_replies_mean", "fcr_rate")
    rows = _report(paths, kpis, AS_OF, ("ticket_id",)).rows.set_index("ticket_id")
    # P: open 08–09 and 10–11 count, pending 09–10 is paused → 2 h; no reopen by 04-10.
    # R: open 08:00 → solved 09:00 = 1 h; one agent reply (the 04-20 one is later) and no
    # reopen → first contact resolution
    assert rows.loc["P", ["resolution_time_active_mean", "reopen_rate"]].tolist() == [7200, 0.0]
    assert rows.loc["R", ["resolution_time_active_mean", "reopen_rate"]].tolist() == [3600, 0.0]
    assert rows.loc["R", ["agent_replies_mean", "fcr_rate"]].tolist() == [1.0, 1.0]
    overall = _report(paths, kpis, AS_OF).overall
    # active: R 1 h, S 2 h, P 2 h → 5 h / 3 = 6000 s; reopens 0 of 3 resolved
    assert overall["resolution_time_active_mean"] == 6000
    assert (overall["reopen_rate"], overall["reopen_rate_n"]) == (0.0, 3)


def test_the_history_decides_not_the_export_status(paths: dict[str, str]) -> None:
    # default as_of: the latest timestamp, P's solve of 04-22 00:00; U's export says solved,
    # its history ends reopened (03-29) → open; R reopened 04-20 → open; S and P resolved
    o = _report(paths, ("tickets_resolved", "backlog", "resolution_rate"), None).overall
    assert (o["tickets_resolved"], o["backlog"], o["resolution_rate"]) == (2, 2, 0.5)


def test_events_flag_no_resolution_without_timestamp(paths: dict[str, str]) -> None:
    # S's export says solved without a time, but its history has the solve: its time is known
    inputs = cskpi.load(paths["tickets"], events=paths["events"])
    assert "resolved_without_timestamp" not in dict(inputs.tickets.quality.issues)
    result = runner.invoke(
        app,
        [
            "report",
            paths["tickets"],
            "--events",
            paths["events"],
            "-k",
            "tickets_resolved",
            "--strict",
            "-f",
            "json",
        ],
    )
    # clean input passes --strict (a derived value replacing the export's is benign)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["data_quality"]["tickets"]["issues"] == {
        "derived_differs_resolved_at": 1
    }


def test_derived_differs_counts_only_cells_the_export_filled(paths: dict[str, str]) -> None:
    quality = cskpi.load(paths["tickets"], events=paths["events"]).tickets.quality
    # U's export says resolved 03-28 08:00, its history ends open: one disagreement. S's and
    # R's empty resolved_at (the history fills S's) and P's equal one are none
    assert dict(quality.issues)["derived_differs_resolved_at"] == 1
    assert dict(quality.examples)["derived_differs_resolved_at"] == ("U",)


def test_response_rate_follows_the_agent_initiated_rule(tmp_path: Path) -> None:
    from tests.test_messages import MESSAGES as TALK
    from tests.test_messages import TICKETS as EIGHT
    from tests.test_messages import write

    files = write(tmp_path, tickets=EIGHT, messages=TALK)

    def overall(config: dict[str, Any]) -> tuple[float, int]:
        cfg = parse_config(config)
        inputs = cskpi.load(
            files["tickets"], messages=files["messages"], options=cskpi.LoadOptions(config=cfg)
        )
        o = cskpi.compute(
            inputs, ReportRequest(kpis=("response_rate",), as_of="2024-03-20"), cfg
        ).overall
        return o["response_rate"], o["response_rate_n"]

    # tickets A–H: D is an outbound message the customer never answered (no FRT start: not a
    # non-response); G has no messages (clock from created_at, unanswered); H got only a bot.
    # Answered: A, B, C, E, F of A, B, C, E, F, G, H → 5/7
    assert overall({}) == (5 / 7, 7)
    # "exclude" also leaves C (agent-opened, then answered) out: A, B, E, F of 6
    assert overall({"messages": {"agent_initiated": "exclude"}}) == (4 / 6, 6)


def test_a_resolved_status_without_history_is_still_flagged(tmp_path: Path) -> None:
    tickets = TICKETS + "Z,2024-03-29T08:00:00Z,solved,,kim\n"
    (tmp_path / "t.csv").write_text(tickets, encoding="utf-8")
    (tmp_path / "e.csv").write_text(EVENTS, encoding="utf-8")
    inputs = cskpi.load(str(tmp_path / "t.csv"), events=str(tmp_path / "e.csv"))
    # Z has no status change: its export status says solved, at an unknown time
    issues = dict(inputs.tickets.quality.issues)
    assert issues["resolved_without_timestamp"] == 1
    o = cskpi.compute(
        inputs, ReportRequest(kpis=("backlog", "resolution_rate"), as_of=AS_OF)
    ).overall
    # resolved: R, S, P (history) and Z (status) of 5; open: U (Z is out of the backlog)
    assert (o["backlog"], o["resolution_rate"]) == (1, 0.8)


def test_explain_stops_at_as_of(paths: dict[str, str]) -> None:
    args = ["explain", "R", paths["tickets"], "--events", paths["events"]]
    args += ["--messages", paths["messages"], "-f", "json", "--as-of", "2024-04-10"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stderr
    story = json.loads(result.stdout)
    assert story["as_of"] == "2024-04-10T00:00:00+00:00"
    # the reopen and the agent message of 04-20 are not shown: open 1 h, solved 09:00
    assert [(c["status"], c["event"]) for c in story["status_changes"]] == [
        ("open", ""),
        ("resolved", "resolution"),
    ]
    assert [m["counted"] for m in story["messages"]] == ["frt start", "first response"]
    assert story["ticket"]["resolved_at"] == "2024-03-25T09:00:00+00:00"
    assert story["summary"]["reopens"] == 0
    assert story["lines"][1] == (
        "resolution: 1h 00m (calendar hours), created 2024-03-25 08:00, resolved 2024-03-25 09:00"
    )
    # without --as-of: the latest timestamp (04-22); R was reopened 04-20, so not resolved
    whole = runner.invoke(app, args[:-2])
    assert json.loads(whole.stdout)["summary"]["reopens"] == 1


def test_explain_a_ticket_created_after_as_of_exits_4(paths: dict[str, str]) -> None:
    args = ["explain", "P", paths["tickets"], "--events", paths["events"], "-f", "json"]
    result = runner.invoke(app, [*args, "--as-of", "2024-03-27"])
    assert result.exit_code == 4
    assert result.stderr == (
        "cskpi: ticket P: created 2024-03-28 08:00, after --as-of 2024-03-27 00:00: "
        "nothing to explain\n"
    )


def _loaded(frame: pd.DataFrame, kind: Frame) -> Loaded:
    return Loaded(frame, kind, (), (), (), FrameQuality(read=len(frame)))


def test_the_cut_equals_folding_only_what_happened() -> None:
    """`Conversation.at` (a mask on the sorted stream) against folding the rows at or before
    as_of from scratch, on random histories; tickets whose first row is later are covered
    with nothing yet, so only tickets with some row by then are compared."""
    rng = np.random.default_rng(45)
    nt, nm, ne = 200, 2000, 1500
    created = rng.integers(0, 10**6, nt) * 10**6
    tickets = pd.DataFrame(
        {
            "ticket_id": [f"T{i}" for i in range(nt)],
            "created_at": pd.to_datetime(created, unit="us", utc=True),
        }
    )
    m_ticket, e_ticket = rng.integers(0, nt, nm), rng.integers(0, nt, ne)
    messages = pd.DataFrame(
        {
            "ticket_id": [f"T{i}" for i in m_ticket],
            "created_at": pd.to_datetime(
                created[m_ticket] + rng.integers(0, 10**5, nm) * 10**6, unit="us", utc=True
            ),
            "author_role": pd.Categorical.from_codes(
                rng.integers(0, 4, nm), ["customer", "agent", "bot", "system"]
            ),
            "public": rng.random(nm) < 0.8,
        }
    )
    events = pd.DataFrame(
        {
            "ticket_id": [f"T{i}" for i in e_ticket],
            "at": pd.to_datetime(
                created[e_ticket] + rng.integers(0, 10**5, ne) * 10**6, unit="us", utc=True
            ),
            "status": pd.Categorical.from_codes(
                rng.integers(0, 4, ne), ["open", "pending", "resolved", "closed"]
            ),
        }
    )
    config = parse_config({})
    whole, _, _, history = fold(
        _loaded(tickets, Frame.TICKETS),
        _loaded(messages, Frame.MESSAGES),
        _loaded(events, Frame.EVENTS),
        config,
    )
    for as_of in np.quantile(np.concatenate([created, created + 10**11]), [0.3, 0.6]):
        as_of = int(as_of)
        cut = history.at(whole.frame, as_of)
        m_before = messages[time_us(messages["created_at"]) <= as_of].reset_index(drop=True)
        e_before = events[time_us(events["at"]) <= as_of].reset_index(drop=True)
        again, _, _, _ = fold(
            _loaded(tickets, Frame.TICKETS),
            _loaded(m_before, Frame.MESSAGES),
            _loaded(e_before, Frame.EVENTS),
            config,
        )
        said = tickets["ticket_id"].isin(m_before["ticket_id"]).to_numpy()
        changed = tickets["ticket_id"].isin(e_before["ticket_id"]).to_numpy()
        assert 0 < changed.sum() < nt  # some tickets have history by then, some not yet
        for name in ("first_response_at", "first_contact_at", "agent_replies", "agent_initiated"):
            assert cut[name][said].equals(again.frame[name][said]), name
        for name in ("reopens", "resolved_at", "first_resolved_at", "seconds_in_pending"):
            assert cut[name][changed].equals(again.frame[name][changed]), name
        for name in ("active_from", "reopened_at", "next_response_at"):
            assert cut[name][changed].tolist() == again.frame[name][changed].tolist(), name
        # covered by the files but nothing yet: open, no reopen, no FRT start
        later = history.changed & ~changed
        assert later.any()
        assert cut["resolved_at"][later].isna().all() and (cut["reopens"][later] == 0).all()
        waiting = history.said & ~said
        assert cut["first_contact_at"][waiting].isna().all()
