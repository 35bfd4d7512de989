"""Shared fixtures: tiny exports whose KPIs can be worked out by hand."""

from __future__ import annotations

import functools
import os
from pathlib import Path

import pytest
import typer.testing
from hypothesis import settings

# CI runs the property and fuzz tests on a fixed seed so a landing never depends on luck;
# developers' runs and `make fuzz` keep exploring new examples.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

# `CliRunner.invoke` turns the typer app into a click command on every call: 11 ms of signature
# inspection, a third of the in-process CLI tests' time. The app never changes during a run, and
# a command holds no state between invocations (each gets a fresh context), so it is built once.
# Where typer no longer has this seam, the tests only run slower.
if hasattr(typer.testing, "_get_command"):
    typer.testing._get_command = functools.cache(typer.testing._get_command)


@pytest.fixture(scope="session")
def _empty_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("home")


@pytest.fixture(autouse=True)
def _no_user_config(_empty_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Config discovery (DECISIONS 43) never finds the developer's own config: an empty home,
    no `$XDG_CONFIG_HOME`, no `$CSKPI_CONFIG`."""
    monkeypatch.setenv("HOME", str(_empty_home))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.delenv("CSKPI_CONFIG", raising=False)


TINY_TICKETS = """\
Ticket ID,Created At,First Response At,Resolved At,Status,Assignee,Channel,Agent Replies,Reopens
T1,2024-03-01 09:00,2024-03-01 09:10,2024-03-01 10:00,solved,kim,email,1,0
T2,2024-03-01 12:00,2024-03-01 12:30,2024-03-02 12:00,solved,kim,chat,2,0
T3,2024-03-02 08:00,2024-03-02 09:00,,open,lee,email,1,0
T4,2024-03-03 10:00,2024-03-03 10:20,2024-03-03 11:00,solved,lee,email,1,1
T5,2024-03-04 15:00,,,new,,chat,0,0
"""
"""Five tickets, all in the default window (UTC; as_of = 2024-03-04 15:00, the latest stamp).

- tickets_created = 5 (kim 2, lee 2, (unassigned) 1).
- first response (s): T1 600, T2 1800, T3 3600, T4 1200; T5 unanswered.
  frt_median = (1200 + 1800) / 2 = 1500, n = 4; kim (600, 1800) → 1200; lee (3600, 1200) → 2400.
- resolution (s): T1 3600, T2 86400, T4 3600 → median 3600, n = 3.
- FCR: T1 one reply, no reopen → yes; T2 two replies → no; T4 reopened → no → 1/3, n = 3.
"""

TINY_SURVEYS = """\
Response ID,Ticket ID,Submitted At,Survey,Score
R1,T1,2024-03-01 11:00,csat,5
R2,T2,2024-03-02 13:00,csat,4
R3,T4,2024-03-03 12:00,csat,2
R4,T1,2024-03-01 11:05,nps,10
R5,T4,2024-03-03 12:05,nps,3
"""
"""- CSAT: 2 of 3 scores ≥ 4 → 0.6667, n = 3 (kim 5, 4 → 1.0; lee 2 → 0.0).
- NPS: one promoter (10), one detractor (3) → 0, n = 2 (kim +100, lee −100).
"""


@pytest.fixture
def tiny_tickets(tmp_path: Path) -> Path:
    path = tmp_path / "tickets.csv"
    path.write_text(TINY_TICKETS, encoding="utf-8")
    return path


@pytest.fixture
def tiny_surveys(tmp_path: Path) -> Path:
    path = tmp_path / "surveys.csv"
    path.write_text(TINY_SURVEYS, encoding="utf-8")
    return path
