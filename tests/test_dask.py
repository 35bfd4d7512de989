"""`--engine dask` (DECISIONS 48): a real `distributed.LocalCluster` (2 worker processes,
started once for this module) computes reports on partitioned inputs; the JSON must equal the
local engine's on the same rows, apart from `engine`. Plus the refusals and errors."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from cskpi.cli import app

ROOT = Path(__file__).resolve().parent.parent
W_KPIS = (
    "tickets_created,frt_mean,frt_median,frt_p90,frt_sla_rate,resolution_time_mean,"
    "resolution_rate,fcr_rate,escalation_rate,csat,nps"
)
MIX = (
    "tickets_created,tickets_resolved,backlog,resolution_rate,response_rate,frt_mean,"
    "frt_median,frt_p90,frt_sla_rate,frt_sla_breaches,service_level,resolution_time_mean,"
    "resolution_time_median,resolution_time_p90,resolution_sla_rate,resolution_sla_breaches,"
    "fcr_rate,reopen_rate,escalation_rate,aht,agent_replies_mean,customer_replies_mean,"
    "tickets_per_agent,csat,csat_mean,csat_responses,survey_response_rate,"
    "negative_feedback_rate,nps"
)
CONFIG = '[[sla]]\nfirst_response = "1h"\nresolution = "72h"\n'


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """Two single-threaded worker processes; they import cskpi from this checkout.

    Started once: pytest-xdist runs a module's tests on one worker (`--dist loadfile`,
    pyproject.toml), so two clusters never run at once. Closed when this module's tests are
    done, not left idling under the rest of the suite; the `PYTHONPATH` the workers need does
    not outlive them either (a test that starts a process sees the same environment whichever
    xdist worker runs it)."""
    from distributed import LocalCluster

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(
            "PYTHONPATH",
            os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p),
        )
        cluster = LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        )
        yield cluster.scheduler_address
        cluster.close()


def report(*args: str) -> Any:
    return CliRunner().invoke(app, ["report", *args, "-q"])


def both(
    tmp_path: Path, scheduler: str, local: list[str], dask: list[str], options: list[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The JSON of the local engine on `local` and of the cluster on `dask`."""
    out = []
    for name, inputs, extra in (
        ("local", local, []),
        ("dask", dask, ["--engine", "dask", "--scheduler", scheduler]),
    ):
        target = tmp_path / f"{name}.json"
        result = report(*inputs, *options, *extra, "-f", "json", "-o", str(target))
        assert result.exit_code == 0, result.output
        out.append(json.loads(target.read_text(encoding="utf-8")))
    return out[0], out[1]


def same_apart_from_engine(local: dict[str, Any], dask: dict[str, Any]) -> None:
    assert local.pop("engine") == "local"
    assert dask.pop("engine") == "dask"
    assert dask == local


def typed(n: int, seed: int, first_id: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Tickets and surveys shaped like the benchmark's typed extract (bench/README)."""
    rng = np.random.default_rng(seed)
    created = pd.Timestamp("2024-01-01") + pd.to_timedelta(
        rng.integers(0, 365 * 86400, n), unit="s"
    )
    reply = pd.to_timedelta(rng.exponential(3600, n).astype(int), unit="s")
    solve = pd.to_timedelta(rng.exponential(86400, n).astype(int), unit="s")
    answered = rng.random(n) < 0.9
    solved = rng.random(n) < 0.8
    tickets = pd.DataFrame(
        {
            "ticket_id": np.arange(first_id, first_id + n, dtype=np.int64),
            "created_at": created.astype("datetime64[us]"),
            "first_response_at": (created + reply).where(answered).astype("datetime64[us]"),
            "resolved_at": (created + solve).where(solved).astype("datetime64[us]"),
            "agent": rng.choice([f"agent_{i:02d}" for i in range(12)], n),
            "channel": rng.choice(["email", "chat", "phone"], n),
            "region": rng.choice(["EMEA", "NA", "APAC"], n),
            "status": np.where(solved, "solved", "open"),
            "reopened": rng.integers(0, 2, n).astype(np.int16),
            "escalated": rng.random(n) < 0.1,
            "agent_replies": rng.integers(0, 5, n).astype(np.int16),
            "customer_replies": rng.integers(0, 4, n).astype(np.int16),
            "handle_seconds": (rng.random(n) * 900).astype(np.int32),
        }
    )
    m = n // 3
    kinds = rng.choice(["csat", "nps"], m)
    surveys = pd.DataFrame(
        {
            "ticket_id": rng.choice(tickets["ticket_id"].to_numpy(), m, replace=False),
            "submitted_at": (
                pd.Timestamp("2024-01-02") + pd.to_timedelta(rng.integers(0, 360 * 86400, m), "s")
            ).astype("datetime64[us]"),
            "kind": kinds,
            "score": np.where(
                kinds == "csat", rng.integers(1, 6, m), rng.integers(0, 11, m)
            ).astype(np.int8),
        }
    )
    return tickets, surveys


def write_parts(frame: pd.DataFrame, folder: Path, parts: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i, chunk in enumerate(np.array_split(np.arange(len(frame)), parts)):
        frame.iloc[chunk].to_parquet(folder / f"part-{i}.parquet", index=False)


# -- the same numbers -----------------------------------------------------------------------


def test_w_on_parquet_parts_equals_local(tmp_path: Path, scheduler: str) -> None:
    """W (bench/run.py's command line) on 12 ticket files and 2 survey files, ids unique
    per file in disjoint ranges (no shuffle of tickets needed): two workers make 8 id
    buckets, so 4 of them hold two whole files."""
    tickets, surveys = typed(800, seed=1)
    tickets.to_parquet(tmp_path / "tickets.parquet", index=False)
    surveys.to_parquet(tmp_path / "surveys.parquet", index=False)
    write_parts(tickets, tmp_path / "t", 12)
    write_parts(surveys, tmp_path / "s", 2)
    (tmp_path / "w.toml").write_text(CONFIG, encoding="utf-8")
    options = ["-c", str(tmp_path / "w.toml"), "--map", "reopens=reopened"]
    options += ["--since", "2024-01-01", "--until", "2024-12-31", "--tz", "UTC"]
    options += ["--by", "agent", "--period", "month", "-k", W_KPIS]
    local, dask = both(
        tmp_path,
        scheduler,
        [str(tmp_path / "tickets.parquet"), "--surveys", str(tmp_path / "surveys.parquet")],
        [str(tmp_path / "t"), "--surveys", str(tmp_path / "s")],
        options,
    )
    assert {r["agent"] for r in dask["rows"]} == {f"agent_{i:02d}" for i in range(12)}
    same_apart_from_engine(local, dask)


def test_hive_parts_with_duplicates_equal_local(tmp_path: Path, scheduler: str) -> None:
    """A hive-partitioned directory (region=…/) whose files re-export 30 tickets with a later
    update (a new agent): the latest version wins across files, the region comes from the
    directory names, and every KPI of a wide mix, overall and data quality equal the local
    engine's on the same rows in one file."""
    tickets, surveys = typed(600, seed=2)
    tickets["updated_at"] = tickets["created_at"] + pd.Timedelta(days=1)
    again = tickets.iloc[:30].assign(
        agent="agent_new", updated_at=tickets["created_at"].iloc[:30] + pd.Timedelta(days=2)
    )
    flat = []
    for region in sorted(tickets["region"].unique()):  # the order the directory is read in
        part = tickets[tickets["region"] == region]
        if region == "EMEA":  # the re-exports land in one region's file
            part = pd.concat([part, again.assign(region="EMEA")])
        flat.append(part)
        folder = tmp_path / "hive" / f"region={region}"
        folder.mkdir(parents=True)
        part.drop(columns="region").to_parquet(folder / "part-0.parquet", index=False)
    pd.concat(flat).to_parquet(tmp_path / "flat.parquet", index=False)
    surveys.to_parquet(tmp_path / "surveys.parquet", index=False)
    (tmp_path / "c.toml").write_text(
        CONFIG + '[targets]\nfrt_median = "<= 2h"\ncsat = ">= 80%"\n', encoding="utf-8"
    )
    options = ["-c", str(tmp_path / "c.toml"), "--map", "reopens=reopened"]
    options += ["--by", "region,agent", "--period", "quarter", "-k", MIX, "--tz", "Asia/Tokyo"]
    local, dask = both(
        tmp_path,
        scheduler,
        [str(tmp_path / "flat.parquet"), "--surveys", str(tmp_path / "surveys.parquet")],
        [str(tmp_path / "hive"), "--surveys", str(tmp_path / "surveys.parquet")],
        options,
    )
    # 600 tickets + 30 re-exports read; the 30 older versions are duplicates
    assert dask["data_quality"]["tickets"]["read"] == 630
    assert dask["data_quality"]["tickets"]["dropped"] == {"duplicate_ticket_id": 30}
    assert "agent_new" in {r["agent"] for r in dask["rows"]}
    assert [t["kpi"] for t in dask["targets"]] == ["frt_median", "csat"]
    same_apart_from_engine(local, dask)


def test_csv_glob_text_ids_where_breaches_equal_local(tmp_path: Path, scheduler: str) -> None:
    """Vendor-style CSV exports (text ids, excluded statuses, a re-exported ticket in another
    file) read through a glob, with --where and --breaches: equal to the local engine on
    the files stacked in one."""
    tickets, surveys = typed(300, seed=3)
    tickets = tickets.assign(ticket_id="T" + tickets["ticket_id"].astype(str).str.zfill(5))
    tickets.loc[tickets.index[::25], "status"] = "spam"  # excluded, counted
    tickets["updated_at"] = tickets["created_at"]
    surveys = surveys.assign(ticket_id="T" + surveys["ticket_id"].astype(str).str.zfill(5))
    # re-exported later: T00006..T00015, and spam ticket T00026 (still spam)
    again = tickets.iloc[[*range(5, 15), 25]].assign(
        agent="agent_late", updated_at=pd.Timestamp("2025-01-01")
    )
    parts = [tickets.iloc[:100], tickets.iloc[100:200], pd.concat([tickets.iloc[200:], again])]
    (tmp_path / "t").mkdir()
    for i, part in enumerate(parts):
        part.to_csv(tmp_path / "t" / f"export-{i}.csv", index=False)
    pd.concat(parts).to_csv(tmp_path / "all.csv", index=False)
    surveys.to_csv(tmp_path / "surveys.csv", index=False)
    (tmp_path / "w.toml").write_text(CONFIG, encoding="utf-8")
    options = ["-c", str(tmp_path / "w.toml"), "--by", "channel", "-k", MIX]
    options += ["--where", "region!=APAC", "--breaches", "--period", "month"]
    local, dask = both(
        tmp_path,
        scheduler,
        [str(tmp_path / "all.csv"), "--surveys", str(tmp_path / "surveys.csv")],
        [str(tmp_path / "t" / "export-*.csv"), "--surveys", str(tmp_path / "surveys.csv")],
        options,
    )
    dropped = dask["data_quality"]["tickets"]["dropped"]
    # the 11 older versions of T00006..T00015 and T00026
    assert dropped["duplicate_ticket_id"] == 11
    assert dropped["excluded_status"] == 12  # rows 0, 25, …, 275: 12 spam tickets
    assert dask["breaches"]
    same_apart_from_engine(local, dask)
    # the note on stderr counts the excluded tickets as the local engine does: 12, not 13
    inputs = [str(tmp_path / "t" / "export-*.csv"), "--surveys", str(tmp_path / "surveys.csv")]
    shown = CliRunner().invoke(
        app,
        ["report", *inputs, *options, "--engine", "dask", "--scheduler", scheduler, "-f", "json",
         "-o", str(tmp_path / "again.json")],
    )  # fmt: skip
    assert shown.exit_code == 0, shown.output
    assert "12 tickets with status merged/deleted/spam excluded" in shown.stderr, shown.stderr


def test_small_parts_by_hand(tmp_path: Path, scheduler: str) -> None:
    """Two files; ticket 1 is in both, the later update (agent bob, reply after 40 min) wins;
    a survey names a ticket no file has.

    ann: ticket 3 (reply 1200 s) → created 1, frt_median 1200; its survey scores 2 → csat 0
    bob: tickets 1 (2400 s), 2 (1800 s), 4 (3600 s) → created 3, frt_median 2400; survey of
         ticket 1 scores 5 → csat 1.0
    (unknown): the survey of ticket 9 (score 4) → csat 1.0, no tickets
    tickets read 5 = used 4 + 1 duplicate; surveys read 3, 1 names an unknown ticket."""

    def t(i: int, created: str, reply_s: int, agent: str, updated: str) -> dict[str, Any]:
        at = pd.Timestamp(created)
        return {
            "ticket_id": i,
            "created_at": at,
            "first_response_at": at + pd.Timedelta(seconds=reply_s),
            "agent": agent,
            "updated_at": pd.Timestamp(updated),
        }

    (tmp_path / "t").mkdir()
    pd.DataFrame(
        [
            t(1, "2024-01-01 00:00", 600, "ann", "2024-01-02"),
            t(2, "2024-01-01 01:00", 1800, "bob", "2024-01-02"),
            t(3, "2024-01-02 00:00", 1200, "ann", "2024-01-02"),
        ]
    ).to_parquet(tmp_path / "t" / "a.parquet", index=False)
    pd.DataFrame(
        [
            t(1, "2024-01-01 00:00", 2400, "bob", "2024-01-03"),
            t(4, "2024-01-03 00:00", 3600, "bob", "2024-01-03"),
        ]
    ).to_parquet(tmp_path / "t" / "b.parquet", index=False)
    pd.DataFrame(
        {
            "ticket_id": [1, 3, 9],
            "submitted_at": pd.to_datetime(["2024-01-02 12:00"] * 3),
            "kind": "csat",
            "score": [5, 2, 4],
        }
    ).to_parquet(tmp_path / "s.parquet", index=False)
    out = tmp_path / "out.json"
    result = report(
        str(tmp_path / "t"), "--surveys", str(tmp_path / "s.parquet"), "--by", "agent",
        "-k", "tickets_created,frt_median,csat", "--engine", "dask", "--scheduler", scheduler,
        "-f", "json", "-o", str(out),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    rows = {r["agent"]: (r["tickets_created"], r["frt_median"], r["csat"]) for r in doc["rows"]}
    assert list(rows) == ["ann", "bob", "(unknown)"]
    assert rows == {"ann": (1, 1200.0, 0.0), "bob": (3, 2400.0, 1.0), "(unknown)": (0, None, 1.0)}
    quality = doc["data_quality"]
    assert quality["tickets"]["read"] == 5
    assert quality["tickets"]["used"] == 4
    assert quality["tickets"]["dropped"] == {"duplicate_ticket_id": 1}
    assert quality["surveys"]["read"] == 3
    assert quality["surveys"]["issues"] == {"survey_unknown_ticket": 1}
    assert doc["engine"] == "dask"


def test_implausible_derived_time_of_a_duplicate_is_not_counted(
    tmp_path: Path, scheduler: str
) -> None:
    """Times derived from durations (DECISIONS 40) on tickets re-exported in another file:
    the local engine judges them once the duplicates are dropped, so the older versions'
    implausible derived times are no issue there, and the cluster must take back what each
    file counted.

    file a (updated 2024-01-02): ticket 1, 2 and 3 with 3,000,000,000 s to the first reply
    (created 2024 + 95 years: implausible); ticket 3's read first_response_at, 2200-01-01, is
    implausible too.
    file b (updated 2024-01-03): tickets 1 and 3 again, 600 s to the reply.
    Kept: 1 and 3 from b (plausible), 2 from a (derived, implausible: 1 issue).
    Read values are judged on every row read: ticket 3's 2200 in a is 1 more issue.
    implausible_first_response_at = 2; frt_median over 1 and 3 = 600 s."""

    def t(i: int, seconds: float, updated: str, read: str | None = None) -> dict[str, Any]:
        return {
            "ticket_id": i,
            "created_at": pd.Timestamp("2024-01-01 00:00") + pd.Timedelta(hours=i),
            "first_response_at": pd.Timestamp(read) if read else pd.NaT,
            "first_response_seconds": seconds,
            "updated_at": pd.Timestamp(updated),
        }

    a = pd.DataFrame(
        [
            t(1, 3e9, "2024-01-02"),
            t(2, 3e9, "2024-01-02"),
            t(3, 3e9, "2024-01-02", "2200-01-01"),
        ]
    )
    b = pd.DataFrame([t(1, 600, "2024-01-03"), t(3, 600, "2024-01-03")])
    (tmp_path / "t").mkdir()
    a.to_parquet(tmp_path / "t" / "a.parquet", index=False)
    b.to_parquet(tmp_path / "t" / "b.parquet", index=False)
    pd.concat([a, b]).to_parquet(tmp_path / "all.parquet", index=False)
    options = ["-k", "tickets_created,frt_median", "--since", "2024-01-01"]
    local, dask = both(
        tmp_path, scheduler, [str(tmp_path / "all.parquet")], [str(tmp_path / "t")], options
    )
    quality = dask["data_quality"]["tickets"]
    assert quality["dropped"] == {"duplicate_ticket_id": 2}
    assert quality["issues"]["implausible_first_response_at"] == 2
    assert dask["rows"][0]["frt_median"] == 600.0
    same_apart_from_engine(local, dask)


def test_integer_and_text_ids_in_different_files_link_as_text(
    tmp_path: Path, scheduler: str
) -> None:
    """A ticket export in CSV (digit ids read as text) next to Parquet files (int64 ids),
    and surveys the same way: the local engine matches all of them as text
    (`text_ids_if_mixed`), and so must the cluster, or `survey_response_rate` finds no
    survey and one file's ids never meet the other's. Ticket 7 is in the CSV and again,
    updated later, in a Parquet file: one duplicate across the two kinds of id.

    Resolved tickets 1-12 (status solved), CSAT surveys on tickets 2, 4 and 7, one file
    each kind: survey_response_rate = 3 / 12 = 0.25; 13 read, 1 duplicate."""
    created = pd.Timestamp("2024-03-01")
    tickets = pd.DataFrame(
        {
            "ticket_id": np.arange(1, 13, dtype=np.int64),
            "created_at": created + pd.to_timedelta(np.arange(12), unit="h"),
            "resolved_at": created + pd.to_timedelta(np.arange(12) + 5, unit="h"),
            "updated_at": created,
            "status": "solved",
            "agent": ["ann", "bob"] * 6,
        }
    )
    later = tickets.iloc[[6]].assign(agent="cy", updated_at=created + pd.Timedelta(days=1))
    (tmp_path / "t").mkdir()
    (tmp_path / "s").mkdir()
    tickets.iloc[:7].to_csv(tmp_path / "t" / "a.csv", index=False)
    tickets.iloc[7:].to_parquet(tmp_path / "t" / "b.parquet", index=False)
    later.to_parquet(tmp_path / "t" / "c.parquet", index=False)
    surveys = pd.DataFrame(
        {
            "ticket_id": [2, 4, 7],
            "response_id": [1, 2, 3],
            "submitted_at": created + pd.Timedelta(days=2),
            "kind": "csat",
            "score": [5, 4, 1],
        }
    )
    surveys.iloc[:2].to_csv(tmp_path / "s" / "a.csv", index=False)
    surveys.iloc[2:].to_parquet(tmp_path / "s" / "b.parquet", index=False)
    options = ["-k", "tickets_resolved,survey_response_rate,csat", "--by", "agent"]
    inputs = [str(tmp_path / "t" / "*"), "--surveys", str(tmp_path / "s" / "*")]
    local, dask = both(tmp_path, scheduler, inputs, inputs, options)
    assert dask["overall"]["survey_response_rate"] == 0.25
    assert dask["data_quality"]["tickets"]["dropped"] == {"duplicate_ticket_id": 1}
    assert {r["agent"]: r["csat"] for r in dask["rows"]} == {"ann": None, "bob": 1.0, "cy": 0.0}
    same_apart_from_engine(local, dask)


def test_text_ids_in_ranges_of_their_own_stay_whole_and_link(
    tmp_path: Path, scheduler: str
) -> None:
    """Ticket files of text ids in disjoint ranges (T001-T004, T005-T008, T009-T012), each
    with a ticket excluded for its status, go to id buckets whole (no de-duplication across
    files); surveys in two files of disjoint response ids skip the de-duplication of
    responses, and each finds its ticket's bucket by the text ranges.

    12 tickets of ann, bob, cy in turn; spam: T003 (cy), T006 (cy) and T011 (bob), so ann
    keeps 4, bob 3, cy 2. CSAT on T001 (5), T004 (2) and T010 (4), all ann's: 2 of 3
    satisfied; on T006 (5): its ticket is excluded, but the survey still finds it, and so
    its agent: cy 1 of 1 (the excluded ticket's bucket must be found through the ranges
    too). No id is in two files: nothing dropped as a duplicate."""
    created = pd.Timestamp("2024-03-01")
    ids = [f"T{i:03d}" for i in range(1, 13)]
    tickets = pd.DataFrame(
        {
            "ticket_id": ids,
            "created_at": created + pd.to_timedelta(np.arange(12), unit="h"),
            "resolved_at": created + pd.to_timedelta(np.arange(12) + 5, unit="h"),
            "status": ["spam" if i in ("T003", "T006", "T011") else "solved" for i in ids],
            "agent": ["ann", "bob", "cy"] * 4,
        }
    )
    (tmp_path / "t").mkdir()
    (tmp_path / "s").mkdir()
    write_parts(tickets, tmp_path / "t", 3)
    surveys = pd.DataFrame(
        {
            "ticket_id": ["T001", "T004", "T006", "T010"],
            "response_id": ["R1", "R2", "R3", "R4"],
            "submitted_at": created + pd.Timedelta(days=2),
            "kind": "csat",
            "score": [5, 2, 5, 4],
        }
    )
    surveys.iloc[:2].to_parquet(tmp_path / "s" / "a.parquet", index=False)
    surveys.iloc[2:].to_parquet(tmp_path / "s" / "b.parquet", index=False)
    options = ["-k", "tickets_created,csat,csat_responses", "--by", "agent"]
    inputs = [str(tmp_path / "t" / "*"), "--surveys", str(tmp_path / "s" / "*")]
    local, dask = both(tmp_path, scheduler, inputs, inputs, options)
    assert dask["data_quality"]["tickets"]["dropped"] == {"excluded_status": 3}
    assert dask["data_quality"]["surveys"]["dropped"] == {}
    rows = {
        r["agent"]: (r["tickets_created"], r["csat"], r["csat_responses"]) for r in dask["rows"]
    }
    assert rows == {"ann": (4, 2 / 3, 3), "bob": (3, None, 0), "cy": (2, 1.0, 1)}
    same_apart_from_engine(local, dask)


def test_examples_counted_in_the_group_buckets_are_shown(tmp_path: Path, scheduler: str) -> None:
    """A count the computation makes (a survey whose ticket is in no file) shows its
    example under the cluster as under the local engine: one survey on ticket 999 of the 30
    tickets 1-30 in three files."""
    tickets, _ = typed(30, seed=3)
    write_parts(tickets, tmp_path / "t", 3)
    surveys = pd.DataFrame(
        {
            "ticket_id": [2, 999],
            "submitted_at": pd.Timestamp("2024-06-01"),
            "kind": "csat",
            "score": [5, 1],
        }
    )
    surveys.to_parquet(tmp_path / "s.parquet", index=False)
    args = [str(tmp_path / "t" / "*"), "--surveys", str(tmp_path / "s.parquet"), "-k", "csat"]
    line = "  1 survey unknown ticket: flagged (e.g. 999)"
    for extra in ([], ["--engine", "dask", "--scheduler", scheduler]):
        result = CliRunner().invoke(app, ["report", *args, *extra, "-f", "json"])
        assert result.exit_code == 0, result.output
        assert line in result.stderr.splitlines()


def test_a_duplicate_across_files_is_named_beside_its_count(tmp_path: Path, scheduler: str) -> None:
    """T1 in both files (overlapping id ranges: the hashed route): one duplicate dropped, and
    stderr names it, as the local engine does, not a bare count."""
    (tmp_path / "t").mkdir()
    head = "Ticket ID,Created At,Status\n"
    (tmp_path / "t" / "a.csv").write_text(head + "T1,2024-03-01,open\nT3,2024-03-01,open\n")
    (tmp_path / "t" / "b.csv").write_text(head + "T2,2024-03-02,open\nT1,2024-03-02,open\n")
    args = [str(tmp_path / "t" / "*"), "-k", "tickets_created"]
    line = "  1 duplicate ticket id: dropped (e.g. T1)"
    for extra in ([], ["--engine", "dask", "--scheduler", scheduler]):
        result = CliRunner().invoke(app, ["report", *args, *extra, "-f", "json"])
        assert result.exit_code == 0, result.output
        assert line in result.stderr.splitlines()


def test_parse_issues_of_different_files_keep_the_order_one_parse_finds(
    tmp_path: Path, scheduler: str
) -> None:
    """File a (read first) has two unparseable times (T5: first response `2024-13-45`,
    resolved `yesterday`); file b has an implausible first response and resolution (T4:
    9999 and 0001). One parse of both meets the first-response column first: its
    implausible value, then the unparseable one, then the resolved column's implausible
    one, then the finishing step's `resolved_without_timestamp` (T4, T5). File a's own order
    alone would put `unparseable_timestamp` first: the JSON's keys must follow the local
    engine's, byte for byte."""
    import shutil

    (tmp_path / "t").mkdir()
    shutil.copy(ROOT / "tests/data/bad/bad_timestamps.csv", tmp_path / "t" / "a.csv")
    shutil.copy(ROOT / "tests/data/bad/extreme_years.csv", tmp_path / "t" / "b.csv")
    inputs = [str(tmp_path / "t" / "*")]
    local, dask = both(tmp_path, scheduler, inputs, inputs, ["-k", "tickets_created,frt_median"])
    assert list(dask["data_quality"]["tickets"]["issues"].items()) == [
        ("implausible_first_response_at", 1),
        ("unparseable_timestamp", 2),
        ("implausible_resolved_at", 1),
        ("resolved_without_timestamp", 2),
    ]
    assert json.dumps(dask["data_quality"]) == json.dumps(local["data_quality"])
    same_apart_from_engine(local, dask)


def test_id_ranges_of_integers_or_text_decide_the_route() -> None:
    """A part's range spans its kept and its excluded ids; integer ranges and text ranges
    never mix; parts without records are left out; one overlap means hashing."""
    from cskpi.engine.dask import run, tasks

    text = pd.Series(["T002", "T005"], dtype="string[pyarrow]")
    assert tasks.id_range([text, pd.Series(["T009"], dtype="string[pyarrow]")]) == ("T002", "T009")
    assert tasks.id_range([pd.Series([3, 1], dtype="int64")]) == (1, 3)
    assert tasks.id_range([text, pd.Series([7], dtype="int64")]) == (None, None)

    def facts(low: Any, high: Any, records: int = 5, integer: bool = False) -> Any:
        return SimpleNamespace(
            integer_ids=integer, records=records, rows=records, low=low, high=high
        )

    parts = [facts("T100", "T199"), facts("T000", "T099"), facts(None, None, records=0)]
    assert run.disjoint(parts) == [("T000", "T099", 1), ("T100", "T199", 0)]
    assert run.disjoint([facts("T000", "T150"), facts("T100", "T199")]) is None  # overlap
    assert run.disjoint([facts("T000", "T099"), facts(100, 199)]) is None  # two kinds
    route = run.id_route(parts, [facts(None, None, integer=True)], workers=1)
    assert (route.text, route.lows, route.n) == (True, ("T000", "T100"), 3)
    # a survey's ticket id: T150 is in part 0's range, T050 in part 1's; an integer id is
    # compared as its text ("7" sorts after "T…"? no: digits sort before letters → first)
    ids = pd.Series(["T150", "T050", None, "U1"], dtype="string[pyarrow]")
    assert tasks.id_buckets(ids, 4, route).tolist() == [
        route.parts[0],
        route.parts[1],
        route.order[0],
        route.parts[0],
    ]


def test_duplicates_across_parts_keep_the_last_read_without_update_times() -> None:
    """Without `updated_at`, the last read of an id stays: the parts in read order, whether
    a row was kept or excluded (stacking all kept rows before all excluded ones would keep
    part 0's excluded C). Part 0: kept A, B; excluded C. Part 1: kept C, D; excluded A.
    A: part 1's excluded row is read last, so part 0's kept A goes (a duplicate; the
    excluded count stands). C: part 1's kept C is read last, so part 0's excluded C goes (a
    duplicate, one excluded less). Kept: B, C, D; excluded: A."""
    from collections import Counter

    from cskpi.engine.dask.tasks import _without_duplicates

    def tickets(ids: list[str], seq: list[int]) -> pd.DataFrame:
        created = pd.Timestamp("2024-03-01", tz="UTC")
        return pd.DataFrame({"ticket_id": ids, "created_at": created, "_cskpi_seq": seq})

    pieces = [
        (tickets(["A", "B"], [0, 1]), tickets(["C"], [0])),
        (tickets(["C", "D"], [1 << 32, (1 << 32) + 1]), tickets(["A"], [1 << 32])),
    ]
    dropped: Counter[str] = Counter()
    issues: Counter[str] = Counter()
    main, excluded = _without_duplicates(pieces, dropped, issues)
    assert main["ticket_id"].tolist() == ["B", "C", "D"]
    assert excluded is not None and excluded["ticket_id"].tolist() == ["A"]
    assert dropped == Counter({"duplicate_ticket_id": 2, "excluded_status": -1})


def test_text_ranges_search_every_id_at_once() -> None:
    """The range of each id among sorted lows (how many lows after the first it is not
    below): 'b' < 'c' → 0; 'c' → 1; 'dd' > 'd' → 2; 'z' → 3; missing and '' → 0."""
    from cskpi.engine.dask.tasks import _text_ranges

    ids = pd.Series(["b", "c", "dd", "z", None, ""], dtype="string[pyarrow]")
    assert _text_ranges(ids, ("a", "c", "d", "e")).tolist() == [0, 1, 2, 3, 0, 0]
    assert _text_ranges(ids, ("a",)).tolist() == [0] * 6


def test_whole_parts_go_to_buckets_on_the_worker_holding_them() -> None:
    """Parts 0, 2, 3 on worker a and 1, 4, 5 on b, 4 buckets: 2 each (4 × 3/6), a's first
    (parts 0, 2 → 0; 3 → 1), then b's (1, 4 → 2; 5 → 3): consecutive parts together."""
    from cskpi.engine.dask import run

    assert run.part_buckets(["a", "b", "a", "a", "b", "b"], 4) == [0, 2, 0, 1, 2, 3]
    assert run.part_buckets([""] * 12, 8) == [i * 8 // 12 for i in range(12)]


# -- what it refuses, and how it fails ------------------------------------------------------


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    tickets, _ = typed(20, seed=4)
    path = tmp_path / "tickets.parquet"
    tickets.to_parquet(path, index=False)
    return path


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        (["--compare", "previous"], "--compare previous"),
        (["--sort", "frt_median"], "--sort"),
        (["--top", "3"], "--top"),
        (["--by", "agent", "-k", "repeat_contact_rate", "--map", "customer_id=channel"],
         "repeat_contact_rate with --by"),
    ],
)  # fmt: skip
def test_unsupported_option_is_exit_2_naming_it(
    sample: Path, scheduler: str, extra: list[str], named: str
) -> None:
    result = report(str(sample), *extra, "--engine", "dask", "--scheduler", scheduler)
    assert result.exit_code == 2, result.output
    assert f"--engine dask cannot serve {named}" in result.output
    assert "use --engine local" in result.output


def test_business_inputs_refused_before_connecting(sample: Path, tmp_path: Path) -> None:
    costs = tmp_path / "costs.csv"
    costs.write_text("month,cost\n2024-01,100\n", encoding="utf-8")
    result = report(str(sample), "--costs", str(costs), "--engine", "dask")
    assert result.exit_code == 2
    assert "--engine dask cannot serve --costs yet; use --engine local" in result.output


def test_stdin_refused(sample: Path) -> None:
    result = report("-", "--input-format", "csv", "--engine", "dask")
    assert result.exit_code == 2
    assert "--engine dask cannot read standard input; name the files" in result.output


def test_dask_missing_says_how_to_install(sample: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed → ImportError
    result = report(str(sample), "--engine", "dask")
    assert result.exit_code == 2
    assert "--engine dask needs Dask: pip install 'cskpi[dask]'" in result.output


def test_engine_from_environment(sample: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """$CSKPI_ENGINE and $CSKPI_DASK_SCHEDULER stand for the flags."""
    monkeypatch.setenv("CSKPI_ENGINE", "dask")
    monkeypatch.setenv("CSKPI_DASK_SCHEDULER", "nonsense")
    result = report(str(sample))
    assert result.exit_code == 2
    assert "--scheduler nonsense: not a scheduler address" in result.output


def test_unreachable_scheduler_is_a_clear_error(
    sample: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("cskpi.engine.dask.run.CONNECT_TIMEOUT", "1s")
    result = report(str(sample), "--engine", "dask", "--scheduler", "tcp://127.0.0.1:9")
    assert result.exit_code == 4
    assert "--scheduler tcp://127.0.0.1:9: no Dask scheduler answered there within 1s" in (
        result.output
    )
    assert "Traceback" not in result.output


def test_unknown_engine_is_a_usage_error(sample: Path) -> None:
    result = report(str(sample), "--engine", "spark")
    assert result.exit_code == 2
    assert "spark" in result.output


def test_worker_side_user_error_keeps_its_exit_code(sample: Path, scheduler: str) -> None:
    """A user error raised on a worker (here `--where` on a column no file has) comes back
    as the same one-line message and exit code as with the local engine."""
    local = report(str(sample), "--where", "nosuch=1")
    dask = report(str(sample), "--where", "nosuch=1", "--engine", "dask", "--scheduler", scheduler)
    assert local.exit_code == dask.exit_code == 2
    assert dask.output == local.output
    assert "Traceback" not in dask.output


def test_fsspec_url_reads_like_the_directory(tmp_path: Path, scheduler: str) -> None:
    """A URL (`file://`, through fsspec: each worker copies its file) gives the report of the
    same files read as a directory."""
    tickets, surveys = typed(200, seed=5)
    write_parts(tickets, tmp_path / "t", 3)
    surveys.to_parquet(tmp_path / "s.parquet", index=False)
    options = ["--by", "channel", "-k", "tickets_created,frt_median,csat"]
    local, dask = both(
        tmp_path,
        scheduler,
        [str(tmp_path / "t" / "*.parquet"), "--surveys", str(tmp_path / "s.parquet")],
        [f"file://{tmp_path / 't'}", "--surveys", f"file://{tmp_path / 's.parquet'}"],
        options,
    )
    assert dask["data_quality"]["tickets"]["read"] == 200
    same_apart_from_engine(local, dask)


def test_whole_ticket_files_share_id_buckets() -> None:
    """Files of unique ids in disjoint ranges stay whole: with 2 workers, 8 buckets (4 a
    worker) unless a million tickets a bucket needs more; consecutive files share one, and a
    survey's ticket id finds the bucket of the file whose range holds it."""
    from cskpi.engine.dask import run, tasks

    def facts(low: int, rows: int) -> Any:
        return SimpleNamespace(
            integer_ids=True, records=rows, rows=rows, low=low, high=low + rows - 1
        )

    # 12 files of 100 ids read in the order 1000s, 0s, 200s, …: files 0-11 → buckets
    # 0,0,1,2,2,3,4,4,5,6,6,7 (file * 8 // 12)
    lows = [1000, 0, 200, 300, 400, 500, 600, 700, 800, 900, 100, 1100]
    route = run.id_route([facts(low, 100) for low in lows], [], workers=2)
    assert route.n == 8 and route.lows == tuple(range(0, 1200, 100))
    # sorted ranges 0,100,…,1100 are files 1,10,2,…,9,0,11 → buckets 0,6,1,2,2,3,4,4,5,6,0,7
    assert route.order == (0, 6, 1, 2, 2, 3, 4, 4, 5, 6, 0, 7)
    ids = pd.Series([5, 150, 1050, 1199, 250], dtype="int64")
    assert tasks.id_buckets(ids, 5, route).tolist() == [0, 6, 0, 7, 1]
    # 12 files of 1.5 million tickets: 18 million need 18 buckets, but 12 files make 12
    assert run.id_route([facts(i * 2_000_000, 1_500_000) for i in range(12)], [], 2).n == 12
    # overlapping ranges (or text ids) are hashed into as many buckets: 12 files → 8
    hashed = run.id_route([facts(0, 100) for _ in range(12)], [], workers=2)
    assert (hashed.n, hashed.lows, hashed.text) == (8, None, False)
    assert run.id_bucket_count(3, 10, workers=2) == 3  # never more buckets than files


def test_text_hash_is_the_same_for_the_same_text_however_it_is_held() -> None:
    """Routing must send equal ids to one bucket whatever column type holds them in a part:
    Arrow text in chunks, Python strings, categories; missing hashes as empty text."""
    import pyarrow as pa

    from cskpi.engine.dask.frames import key_hash, text_hash

    words = ["ZD-1", "é", "", "ZD-10", "a much longer ticket id of forty bytes…"]
    plain = text_hash(pd.Series(words, dtype="str"))
    chunked = text_hash(pa.chunked_array([pa.array(words[:2]), pa.array(words[2:])]))
    held = text_hash(np.array(words, dtype=object))
    category = key_hash(pd.Series(words).astype("category"), True)
    assert plain.tolist() == chunked.tolist() == held.tolist() == category.tolist()
    assert text_hash(pd.Series([None, "x"], dtype="str"))[0] == plain[2]  # missing = ""
    assert len(set(plain.tolist())) == 5  # these five differ
    # each value on its own gives what it gives among others (no dependence on neighbours)
    assert [text_hash(np.array([w], dtype=object))[0] for w in words] == plain.tolist()
    # a column of one width (hashed as a byte matrix) as next to a value of another width
    same = ["T001", "T002", "é99"]  # "é" is two bytes: four bytes each
    assert text_hash(pa.array(same)).tolist() == text_hash(pa.array([*same, "T1"]))[:3].tolist()


def test_excluded_notes_are_summed_less_the_duplicates_taken_back() -> None:
    """Each part notes its excluded tickets; the report shows the sum (3 + 2), less those
    that turned out to be older versions of a ticket in another part (1): 4. None left: no
    note, as the local engine gives none."""
    from cskpi.engine.dask.merge import notes

    line = "tickets with status spam excluded (count them with --include-status)"
    parts = [f"3 {line}", "zone UTC", f"2 {line}", "zone UTC"]
    assert notes(parts, taken_back=1) == [f"4 {line}", "zone UTC"]
    assert notes(parts, taken_back=5) == ["zone UTC"]


def test_issue_corrections_across_files_keep_the_order_the_files_found() -> None:
    """File A flags 2 resolved-without-timestamp tickets; file B 2 implausible first
    responses and then 1 resolved without timestamp (the local engine's order). Dropping
    duplicates across the files takes back 1 of each, listed in the other order: the
    report keeps the files' order, implausible (2 - 1 = 1) before resolved (3 - 1 = 2)."""
    from collections import Counter

    from cskpi.engine.dask.merge import frame_quality
    from cskpi.load.quality import FrameQuality

    a = FrameQuality(read=5).issue("resolved_without_timestamp", 2)
    b = FrameQuality(read=5).issue("implausible_first_response_at", 2)
    b = b.issue("resolved_without_timestamp", 1)
    taken_back = Counter({"resolved_without_timestamp": -1, "implausible_first_response_at": -1})
    quality = frame_quality([a, b], Counter(), taken_back, [])
    assert quality.issues == (
        ("implausible_first_response_at", 1),
        ("resolved_without_timestamp", 2),
    )


def test_issue_order_where_no_file_saw_both_follows_the_finishing_step() -> None:
    """File A flags a resolution before creation only, file B a solved ticket without a
    resolution time only: no file orders the two, and the local engine, counting both on
    all rows at once, lists them in `time_issues`' order: before-created first."""
    from collections import Counter

    from cskpi.engine.dask.merge import frame_quality
    from cskpi.load.quality import FrameQuality

    a = FrameQuality(read=5).issue("resolved_without_timestamp", 1)
    b = FrameQuality(read=5).issue("resolved_before_created", 2)
    quality = frame_quality([a, b], Counter(), Counter(), [])
    assert quality.issues == (("resolved_before_created", 2), ("resolved_without_timestamp", 1))


def test_finishing_orders_are_the_ones_the_code_counts_in() -> None:
    """One ticket for each time issue (a reply and a resolution before creation, negative
    work time, solved without a time): `time_issues` lists them as `TIME_ISSUES` says."""
    from cskpi.load.normalize.finish import TIME_ISSUES, time_issues
    from cskpi.load.quality import FrameQuality

    created = pd.Timestamp("2024-01-02", tz="UTC")
    frame = pd.DataFrame(
        {
            "ticket_id": [1, 2, 3, 4],
            "created_at": [created] * 4,
            "first_response_at": [created - pd.Timedelta("1h"), pd.NaT, pd.NaT, pd.NaT],
            "resolved_at": [pd.NaT, created - pd.Timedelta("1h"), pd.NaT, pd.NaT],
            "handle_seconds": [0.0, 0.0, -5.0, 0.0],
            "status": pd.Categorical(["open", "resolved", "open", "resolved"]),
        }
    )
    found = time_issues(frame, FrameQuality(read=4)).issues
    assert [r for r, _ in found] == list(TIME_ISSUES)


def _ugly_parts(folder: Path, seed: int) -> None:
    """Tickets re-exported across 2-4 files (later `updated_at` wins), some of the files
    CSV (digit ids read as text) and some Parquet (int64 ids) or text ids throughout;
    excluded statuses, durations that derive implausible times, read times from 2300,
    negative resolution and work times, missing creation times; surveys in a CSV and a
    Parquet file with repeated response ids."""
    rng = np.random.default_rng(seed)
    n = 90
    created = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 200 * 86400, n), "s")
    ids = rng.integers(1, 50, n)
    tickets = pd.DataFrame(
        {
            "ticket_id": ids if seed % 2 else [f"T{i}" for i in ids],
            "created_at": created,
            "updated_at": created + pd.to_timedelta(rng.integers(0, 5, n), unit="D"),
            "first_response_at": (created + pd.to_timedelta(rng.integers(0, 9000, n), "s")).where(
                rng.random(n) < 0.5
            ),
            "first_response_seconds": np.where(rng.random(n) < 0.15, 3e9, rng.exponential(3600, n)),
            "resolution_seconds": np.where(rng.random(n) < 0.1, -50.0, rng.exponential(86400, n)),
            "status": rng.choice(["open", "solved", "closed", "spam", "deleted"], n),
            "agent": rng.choice(["ann", "bob", "cy"], n),
            "channel": rng.choice(["email", "chat"], n),
            "agent_replies": rng.integers(0, 4, n),
            "handle_seconds": rng.integers(-5, 900, n),
        }
    )
    tickets.loc[rng.random(n) < 0.1, "first_response_at"] = pd.Timestamp("2300-01-01")
    tickets.loc[rng.random(n) < 0.05, "created_at"] = pd.NaT
    m = 40
    surveys = pd.DataFrame(
        {
            "ticket_id": rng.choice(tickets["ticket_id"].to_numpy(), m),
            "response_id": rng.integers(1, 30, m),
            "submitted_at": pd.Timestamp("2024-02-01")
            + pd.to_timedelta(rng.integers(0, 150 * 86400, m), "s"),
            "kind": rng.choice(["csat", "nps"], m),
            "score": rng.integers(0, 11, m),
        }
    )
    (folder / "t").mkdir(parents=True)
    (folder / "s").mkdir()
    for i, chunk in enumerate(np.array_split(np.arange(n), int(rng.integers(2, 5)))):
        part = tickets.iloc[chunk]
        if i == 0:
            part.to_csv(folder / "t" / f"p{i}.csv", index=False)
        else:
            part.to_parquet(folder / "t" / f"p{i}.parquet", index=False)
    surveys.iloc[:20].to_csv(folder / "s" / "a.csv", index=False)
    surveys.iloc[20:].to_parquet(folder / "s" / "b.parquet", index=False)


@pytest.mark.parametrize(
    ("seed", "options"),
    [
        (1, ["--by", "agent"]),
        (2, ["--by", "channel", "--period", "month", "--where", "agent!=bob"]),
        (3, ["--by", "agent,channel", "--period", "week", "--tz", "Asia/Tokyo"]),
        (4, ["--by", "agent", "--include-status", "spam", "--as-of", "2024-05-01"]),
    ],
)
def test_ugly_parts_give_the_local_report_byte_for_byte(
    tmp_path: Path, scheduler: str, seed: int, options: list[str]
) -> None:
    """The same glob of `_ugly_parts` through both engines: the JSON files are equal byte
    for byte apart from `engine`, and so is stderr apart from the examples beside each count
    (each file gives its first ones) and the output line."""
    import re

    _ugly_parts(tmp_path, seed)
    inputs = [str(tmp_path / "t" / "*"), "--surveys", str(tmp_path / "s" / "*")]
    kpis = ["-k", "tickets_created,frt_median,frt_p90,resolution_time_mean,fcr_rate,csat,nps,"
            "survey_response_rate,aht,backlog,frt_sla_rate"]  # fmt: skip
    out = []
    for name, extra in (("local", []), ("dask", ["--engine", "dask", "--scheduler", scheduler])):
        target = tmp_path / f"{name}.json"
        result = CliRunner().invoke(
            app, ["report", *inputs, *options, *kpis, *extra, "-f", "json", "-o", str(target)]
        )
        assert result.exit_code == 0, result.output
        shown = [re.sub(r" \(e\.g\. .*\)$", "", line) for line in result.stderr.splitlines()]
        out.append((target.read_text(encoding="utf-8"), [s for s in shown if "wrote" not in s]))
    (local, local_err), (dask, dask_err) = out
    assert '"engine": "local"' in local
    assert dask == local.replace('"engine": "local"', '"engine": "dask"')
    assert dask_err == local_err
    assert "duplicate ticket id" in "\n".join(local_err)
