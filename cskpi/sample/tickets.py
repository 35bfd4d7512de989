"""Deterministic synthetic helpdesk exports (tickets + surveys) for the demo, tests and benchmarks.

The frames look like a generic helpdesk export (`TICKET_HEADERS`, `SURVEY_HEADERS`), so the
tool has to map them by alias like any user file. Everything is numpy array arithmetic over
fixed-size chunks of tickets (`CHUNK`), so writing 10M tickets keeps memory flat; the chunking
is part of the definition of the data, and the output depends only on the arguments.

The model, all in UTC over `months` calendar months from `start`:

- creation: hourly intensity = weekday (weekends ~40%) × hour of day (peak 09–17) × a mild
  upward trend; tickets are numbered in creation order (`T000001`, ...);
- routing: topic → team (7% misrouted), agent drawn within the team (12 agents, per-agent
  first-response medians from 20 min to 6 h), 2% unassigned; region follows the customer;
  ~10% of tickets are follow-ups by the customer of a ticket from the previous few days;
- first response: lognormal around the agent's median × channel (chat and phone fast) ×
  priority (urgent fast), plus the wait until 08:00 on the next working day for most tickets
  created out of hours; ~3% never answered;
- resolution: after the first response, growing with the number of agent replies, reopens,
  escalation and a 20% "waiting on customer" tail; a small, recent-heavy share stays open;
  solved tickets become `closed` 4 days (+ the hourly automation) after solving;
- nothing happens after the end of the span: later responses, resolutions and surveys are
  absent (those tickets are still open), and `Updated At` never passes it;
- surveys: CSAT for 30% of solved/closed tickets, NPS for 10%, CES for 5%, submitted within
  3 days of resolution; scores are ordinal draws shifted by agent speed, reopens and
  escalation (faster agents score better), with a few comments.

Deliberately dirty rows, all in the first chunk, counts in `DIRTY_ROWS` (only when
`tickets >= MIN_DIRTY_TICKETS`): an older version of 3 tickets (same id, earlier
`Updated At`, placed right after the newer row), 2 `Created At` = "not a date" (null in
Parquet, whose column is typed), 2 first responses before creation, 1 empty `Ticket ID`,
1 CSAT score of 9 and 1 survey whose `Ticket ID` matches no ticket. Tickets touched by dirt
get no surveys, so the counts stay exact.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cskpi.errors import UsageError
from cskpi.sample.common import REGION_W, REGIONS, bucket, ids, iso_text

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

TICKET_HEADERS = (
    "Ticket ID", "Created At", "First Response At", "Resolved At", "Status", "Assignee",
    "Team", "Channel", "Region", "Priority", "Topic", "Customer ID", "Agent Replies",
    "Customer Replies", "Reopens", "Escalated", "Handle Time (s)", "Updated At",
)  # fmt: skip
SURVEY_HEADERS = ("Response ID", "Ticket ID", "Submitted At", "Survey", "Score", "Comment")
FORMATS = ("csv", "parquet", "jsonl")
CHUNK = 1 << 20
MIN_DIRTY_TICKETS = 100
DIRTY_ROWS = {
    "duplicate_ticket_id": 3,
    "unparseable_created_at": 2,
    "first_response_before_created": 2,
    "missing_ticket_id": 1,
    "score_out_of_scale": 1,
    "survey_unknown_ticket": 1,
}
UNPARSEABLE = "not a date"

STATUSES = ("new", "open", "pending", "solved", "closed", "merged", "spam")
NEW, OPEN, PENDING, SOLVED, CLOSED, MERGED, SPAM = range(7)
TEAMS = ("Billing", "Technical", "Accounts", "Orders")
TOPICS = ("Refund", "Invoice", "Shipping", "Order status", "Login", "Account change",
          "Bug report", "Integration")  # fmt: skip
_TOPIC_TEAM = (0, 0, 3, 3, 2, 2, 1, 1)
_TOPIC_W = (0.14, 0.12, 0.16, 0.13, 0.15, 0.08, 0.14, 0.08)
# (name, team, first-response median in minutes); listed by team, busiest agent first.
_AGENTS = (
    ("Alice Martin", 0, 20), ("Ben Okafor", 0, 126), ("Chloé Dubois", 0, 276),
    ("Dmitri Ivanov", 1, 44), ("Emma Schmidt", 1, 163), ("Farid Haddad", 1, 360),
    ("Grace Lee", 2, 26), ("Hiro Tanaka", 2, 97), ("Isabel Costa", 2, 212),
    ("José García", 3, 34), ("Kavya Nair", 3, 74), ("Liam O'Brien", 3, 57),
)  # fmt: skip
AGENTS = tuple(a[0] for a in _AGENTS)
_AGENT_LOAD = (0.45, 0.33, 0.22)
_QUEUE_FRT_MIN = 180.0
CHANNELS = ("email", "chat", "web", "phone", "social")
_CHANNEL_W = (0.38, 0.25, 0.17, 0.12, 0.08)
_CHANNEL_FRT = (1.2, 0.06, 1.0, 0.02, 0.7)
_CHANNEL_HANDLE = (1.0, 1.4, 1.0, 2.0, 0.7)
PRIORITIES = ("low", "normal", "high", "urgent")
_PRIORITY_W = (0.20, 0.55, 0.18, 0.07)
_PRIORITY_FRT = (1.4, 1.0, 0.6, 0.3)
_PRIORITY_RES = (1.3, 1.0, 0.7, 0.45)
_REPLIES_W = (0.44, 0.25, 0.14, 0.09, 0.05, 0.03)  # 1..6 agent replies
SURVEY_KINDS = ("csat", "nps", "ces")
_SURVEY_RATE = (0.30, 0.10, 0.05)
_COMMENT_RATE = (0.18, 0.12, 0.06)
# Per kind: lowest score, share of each score, highest "negative" and "neutral" score.
_SCALES = (
    (1, (0.05, 0.04, 0.08, 0.23, 0.60), 2, 3),
    (0, (0.02, 0.01, 0.01, 0.02, 0.02, 0.04, 0.08, 0.12, 0.18, 0.22, 0.28), 6, 8),
    (1, (0.03, 0.04, 0.07, 0.12, 0.22, 0.27, 0.25), 3, 5),
)
_COMMENTS = (
    ("Too slow.", "Had to explain my issue 3 times, very frustrating",
     'They said "fixed" but it wasn\'t', "Still waiting for my refund, again",
     "Pas terrible…", "No answer for days"),
    ("ok", "Fine, I guess.", "Resolved, but it took a while", "Average, nothing special"),
    ("très bien", "Great service, thanks!", "Quick and helpful.",
     'Agent was "amazing", solved in minutes', "Danke, sehr hilfreich!", "Muy rápido, gracias",
     "素晴らしい対応でした", "Perfect 👍"),
)  # fmt: skip
COMMENTS = tuple(c for group in _COMMENTS for c in group)

_HOUR, _DAY = 3600, 86400
_DAY_W = (1.1, 1.05, 1.0, 1.0, 0.9, 0.4, 0.38)  # Mon..Sun
_HOUR_W = (0.12, 0.1, 0.1, 0.1, 0.12, 0.18, 0.3, 0.5, 0.8, 1.0, 1.1, 1.1,
           1.0, 1.0, 1.05, 1.0, 0.95, 0.8, 0.55, 0.4, 0.3, 0.25, 0.2, 0.15)  # fmt: skip


@dataclass(frozen=True)
class _Plan:
    """What every chunk shares: the span, the sorted creation times, id widths."""

    tickets: int
    seed: int
    t0: int  # epoch seconds of the span start
    t1: int  # span end: tickets are created before it, nothing happens after it
    created: Any  # int64 seconds, sorted, one per ticket
    customers: int
    follow_back: int  # how many tickets back a follow-up looks for its customer
    widths: tuple[int, int, int]  # digits of ticket, customer and response ids


def generate(
    tickets: int = 20_000, seed: int = 7, start: str = "2024-01-01", months: int = 6
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(tickets, surveys) export frames, cell for cell what `write_sample` puts in the CSVs.

    Timestamps are ISO 8601 text (`2024-01-03T09:15:27Z`, empty when absent), `Escalated` is
    `true`/`false`, labels are categoricals, counts int64, `Handle Time (s)` float.
    """
    import pyarrow as pa

    plan = _plan(tickets, seed, start, months)
    parts = [(_ticket_table(c, plan, True), _survey_table(c, plan, True)) for c in _chunks(plan)]
    tickets_tb = pa.concat_tables([p[0] for p in parts])
    surveys_tb = pa.concat_tables([p[1] for p in parts])
    return tickets_tb.to_pandas(), surveys_tb.to_pandas()


def write_sample(
    out_dir: str | Path,
    tickets: int = 20_000,
    seed: int = 7,
    formats: Sequence[str] = ("csv", "parquet"),
    months: int = 6,
    business: bool = True,
) -> list[Path]:
    """Write tickets.<fmt> and surveys.<fmt> for each format, chunk by chunk; return the paths.

    CSV and JSONL hold the `generate` frames; Parquet holds typed columns
    (timestamp[us, UTC], dictionary labels, bool, int64, float64). With `business` and CSV
    among the formats, also customers.csv, orders.csv, schedules.csv and costs.csv that
    match the tickets (`cskpi.sample.business`), listed last.
    """
    import pyarrow.parquet as pq

    from cskpi.sample.business import TicketStats, write_business

    fmts = list(dict.fromkeys(f.lower().lstrip(".") for f in formats))
    unknown = [f for f in fmts if f not in FORMATS]
    if unknown:
        raise UsageError(f"unknown sample format {unknown[0]!r}; choose from {', '.join(FORMATS)}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    plan = _plan(tickets, seed, "2024-01-01", months)
    paths = [out / f"{name}.{fmt}" for fmt in fmts for name in ("tickets", "surveys")]
    text = {p: p.open("w", encoding="utf-8", newline="") for p in paths if p.suffix != ".parquet"}
    parquet: dict[Path, Any] = {}
    stats = TicketStats(plan.customers)
    try:
        for i, chunk in enumerate(_chunks(plan)):
            stats.add(chunk["t"], plan.t1 - 1)
            tables: dict[tuple[str, bool], pa.Table] = {}
            for path in paths:
                key = (path.stem, path.suffix != ".parquet")
                if key not in tables:
                    build = _ticket_table if path.stem == "tickets" else _survey_table
                    tables[key] = build(chunk, plan, key[1])
                if path.suffix == ".parquet":
                    if path not in parquet:
                        parquet[path] = pq.ParquetWriter(
                            path, tables[key].schema, compression="zstd"
                        )
                    parquet[path].write_table(tables[key])
                    continue
                frame = tables[key].to_pandas()
                if path.suffix == ".csv":
                    frame.to_csv(text[path], index=False, header=i == 0, lineterminator="\n")
                else:
                    frame.to_json(text[path], orient="records", lines=True, force_ascii=False)
    finally:
        for fh in text.values():
            fh.close()
        for writer in parquet.values():
            writer.close()
    if business and "csv" in fmts:
        paths += write_business(out, plan, stats, _AGENTS, TEAMS, CHUNK)
    return paths


def _plan(tickets: int, seed: int, start: str, months: int) -> _Plan:
    import numpy as np
    import pandas as pd

    if tickets < 1 or months < 1 or seed < 0:
        raise UsageError("sample needs tickets >= 1, months >= 1 and seed >= 0")
    try:
        t_start = pd.Timestamp(start).normalize()
    except ValueError as exc:
        raise UsageError(f"sample start {start!r} is not a date (use YYYY-MM-DD)") from exc
    if t_start.tzinfo is not None:
        t_start = t_start.tz_convert("UTC").tz_localize(None)
    t0 = int(t_start.value // 10**9)
    t1 = int((t_start + pd.DateOffset(months=months)).value // 10**9)
    rng = np.random.default_rng([seed, 0])
    hours: Any = np.arange(t0, t1, _HOUR, dtype=np.int64)
    weekday: Any = (hours // _DAY + 3) % 7  # 1970-01-01 was a Thursday
    weight = (np.asarray(_DAY_W)[weekday] * np.asarray(_HOUR_W)[(hours % _DAY) // _HOUR]
              * (1.0 + 0.15 * (hours - t0) / (t1 - t0)))  # fmt: skip
    counts = rng.multinomial(tickets, weight / weight.sum())
    created = np.repeat(hours, counts) + rng.integers(0, _HOUR, tickets)
    created.sort(kind="stable")
    customers = max(1, int(tickets * 0.45))
    days = (t1 - t0) / _DAY
    widths = (max(6, len(str(tickets))), max(6, len(str(customers))), max(7, len(str(3 * tickets))))
    return _Plan(tickets, seed, t0, t1, created, customers,
                 max(1, int(tickets / days * 3)), widths)  # fmt: skip


def _chunks(plan: _Plan) -> Iterator[dict[str, Any]]:
    """Per chunk: ticket arrays `t` and survey arrays `s` (survey numbering runs on)."""
    import numpy as np

    responses = 0
    for k, lo in enumerate(range(0, plan.tickets, CHUNK)):
        rng = np.random.default_rng([plan.seed, 1, k])
        t = _tickets(rng, plan, lo, min(lo + CHUNK, plan.tickets))
        dirty = k == 0 and plan.tickets >= MIN_DIRTY_TICKETS
        targets = _pick_dirty(rng, t) if dirty else {}
        touched: Any = np.zeros(len(t["num"]), dtype=bool)
        for rows in targets.values():
            touched[rows] = True
        s = _surveys(rng, plan, t, touched)
        if dirty:
            _dirty_surveys(rng, s)
            t = _dirty_tickets(rng, t, targets)
        s["response"] = responses + 1 + np.arange(len(s["num"]), dtype=np.int64)
        responses += len(s["num"])
        yield {"t": t, "s": s}


def _tickets(rng: Any, plan: _Plan, lo: int, hi: int) -> dict[str, Any]:
    import numpy as np

    n, end = hi - lo, plan.t1 - 1  # the last second anything may happen in
    created = plan.created[lo:hi]
    age = (created - plan.t0) / (plan.t1 - plan.t0)
    topic = _draw(rng, _TOPIC_W, n)
    team = np.asarray(_TOPIC_TEAM, dtype=np.int8)[topic]
    moved = rng.random(n) < 0.07
    team = np.where(moved, rng.integers(0, len(TEAMS), n), team).astype(np.int8)
    agent = (team * 3 + _draw(rng, _AGENT_LOAD, n)).astype(np.int8)
    agent[rng.random(n) < 0.02] = -1
    channel, priority = _draw(rng, _CHANNEL_W, n), _draw(rng, _PRIORITY_W, n)
    cust = (plan.customers * rng.random(n) ** 1.3).astype(np.int64)
    earlier = np.arange(n) - rng.integers(1, plan.follow_back + 1, n)
    follow = (rng.random(n) < 0.10) & (earlier >= 0)
    cust[follow] = cust[earlier[follow]]
    mix = (cust.astype(np.uint64) * np.uint64(2654435761)) & np.uint64(0xFFFFFFFF)
    region = bucket(mix / 2.0**32, REGION_W)

    frt_med = np.asarray([a[2] for a in _AGENTS] + [_QUEUE_FRT_MIN]) * 60.0
    median = frt_med[agent]  # agent -1 picks the queue median
    frt = (median * np.asarray(_CHANNEL_FRT)[channel] * np.asarray(_PRIORITY_FRT)[priority]
           * np.exp(0.8 * rng.standard_normal(n)))  # fmt: skip
    frt += np.where(rng.random(n) < 0.8, _next_opening(created) - created, 0)
    first = created + np.maximum(np.rint(frt), 5).astype(np.int64)
    answered = rng.random(n) >= np.where(agent < 0, 0.6, 0.006 + 0.02 * (channel == 4))

    replies = 1 + _draw(rng, _REPLIES_W, n).astype(np.int64)
    replies[(channel % 2 == 1) & (rng.random(n) < 0.4)] = 1  # chat, phone: often one touch
    creplies = np.clip(replies - 2 + _draw(rng, (0.15, 0.55, 0.30), n), 0, 5)
    p_reopen = 0.03 + 0.015 * replies
    u = rng.random(n)
    reopens = (u < p_reopen).astype(np.int64) + (u < p_reopen * 0.25)
    escalated = rng.random(n) < 0.035 + 0.05 * (priority >= 2) + 0.03 * (team == 1)
    cycles = replies - 1 + reopens
    work = np.where(cycles == 0, rng.random(n) * 1800.0,
                    6 * _HOUR * np.maximum(cycles, 1) ** 0.8 * _lognormal(rng, 1.0, n))  # fmt: skip
    work *= np.asarray(_PRIORITY_RES)[priority] * np.where(escalated, 2.5, 1.0)
    work += (rng.random(n) < 0.2) * 3 * _DAY * _lognormal(rng, 0.8, n)
    work += reopens * 2 * _DAY * _lognormal(rng, 0.6, n)
    resolved = np.where(
        answered,
        first + np.rint(work).astype(np.int64),
        created + np.rint(2 * _DAY * _lognormal(rng, 1.0, n)).astype(np.int64),
    )
    has_res = rng.random(n) >= 0.015 + 0.4 * age**6  # stuck tickets, mostly recent ones

    u = rng.random(n)
    merged, spam = u < 0.004, (u >= 0.004) & (u < 0.007)
    junk = merged | spam
    answered &= ~junk
    junk_res = created + np.rint(2400 * _lognormal(rng, 1.0, n)).astype(np.int64)
    resolved = np.where(junk, junk_res, resolved)
    has_res |= junk
    has_first = answered & (first <= end)
    has_res &= resolved <= end
    replies = np.where(has_first, replies, 0)
    creplies = np.where(has_first, creplies, (rng.random(n) < 0.2) & ~junk)
    reopens = np.where(has_first, reopens, 0)
    escalated &= has_first
    handle = 240.0 * replies**0.8 * np.asarray(_CHANNEL_HANDLE)[channel] * _lognormal(rng, 0.55, n)
    handle = np.where(has_first, np.round(np.clip(handle, 60.0, 3600.0), 1), np.nan)

    closes = resolved + 4 * _DAY + rng.integers(0, _HOUR, n)
    closed = has_res & ~junk & (closes <= end)
    status = np.where(
        has_res,
        np.where(closed, CLOSED, SOLVED),
        np.where(has_first, np.where(rng.random(n) < 0.4, PENDING, OPEN), NEW),
    )
    status = np.where(merged, MERGED, np.where(spam, SPAM, status)).astype(np.int8)
    last = np.where(has_res, resolved, np.where(has_first, first, created))
    touch = np.where(has_res, rng.integers(0, 900, n), np.rint(2 * _HOUR * _lognormal(rng, 1.2, n)))
    updated = np.where(closed, closes, np.minimum(end, last + touch.astype(np.int64)))
    return {
        "num": np.arange(lo + 1, hi + 1, dtype=np.int64), "created": created, "first": first,
        "has_first": has_first, "resolved": resolved.astype(np.int64), "has_res": has_res,
        "updated": updated, "status": status, "agent": agent, "team": team, "channel": channel,
        "region": region, "priority": priority, "topic": topic, "cust": cust + 1,
        "replies": replies.astype(np.int64), "creplies": creplies.astype(np.int64),
        "reopens": reopens.astype(np.int64), "escalated": escalated, "handle": handle,
        "bad_created": np.zeros(n, dtype=bool), "no_id": np.zeros(n, dtype=bool),
        "frt_med": median,
    }  # fmt: skip


def _surveys(rng: Any, plan: _Plan, t: dict[str, Any], touched: Any) -> dict[str, Any]:
    """CSAT / NPS / CES responses for solved or closed tickets, ordered by submission."""
    import numpy as np

    n = len(t["num"])
    eligible = t["has_res"] & ((t["status"] == SOLVED) | (t["status"] == CLOSED)) & ~touched
    frt_h = np.maximum(t["first"] - t["created"], 60) / _HOUR
    mood = (0.45 * -np.log(t["frt_med"] / (85 * 60.0)) - 0.12 * np.log(frt_h)
            - 0.45 * t["reopens"] - 0.35 * t["escalated"] - 0.3 * ~t["has_first"])  # fmt: skip
    rows: list[Any] = []
    kinds: list[Any] = []
    submitted: list[Any] = []
    scores: list[Any] = []
    comments: list[Any] = []
    for kind, (rate, c_rate, (low, probs, neg, neu)) in enumerate(
        zip(_SURVEY_RATE, _COMMENT_RATE, _SCALES, strict=True)
    ):
        pick = np.flatnonzero(eligible & (rng.random(n) < rate))
        delay = np.minimum(np.rint(2 * _HOUR * _lognormal(rng, 1.5, len(pick))), 3 * _DAY - 60)
        when = t["resolved"][pick] + 60 + delay.astype(np.int64)
        keep = when < plan.t1
        pick, when = pick[keep], when[keep]
        cuts = _normal_cuts(probs)
        score = low + np.searchsorted(cuts, mood[pick] + rng.standard_normal(len(pick)))
        sentiment: Any = (score > neg).astype(np.int64) + (score > neu)
        sizes = np.asarray([len(g) for g in _COMMENTS])
        offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        choice = offsets[sentiment] + (rng.random(len(pick)) * sizes[sentiment]).astype(np.int64)
        comment = np.where(rng.random(len(pick)) < c_rate, choice, -1)
        rows.append(pick)
        kinds.append(np.full(len(pick), kind, dtype=np.int8))
        submitted.append(when)
        scores.append(score.astype(np.int64))
        comments.append(comment)
    row, kind_all, sub = np.concatenate(rows), np.concatenate(kinds), np.concatenate(submitted)
    order = np.lexsort((kind_all, row, sub))
    return {
        "num": t["num"][row][order], "submitted": sub[order], "kind": kind_all[order],
        "score": np.concatenate(scores)[order], "comment": np.concatenate(comments)[order],
    }  # fmt: skip


def _pick_dirty(rng: Any, t: dict[str, Any]) -> dict[str, Any]:
    """Distinct rows for each kind of ticket dirt, chosen among rows where it makes sense."""
    import numpy as np

    taken = t["status"] >= MERGED
    wanted = (
        ("duplicate_ticket_id", t["status"] == CLOSED),
        ("first_response_before_created", t["has_first"]),
        ("unparseable_created_at", np.ones_like(taken)),
        ("missing_ticket_id", np.ones_like(taken)),
    )
    targets: dict[str, Any] = {}
    for name, where in wanted:
        pool = np.flatnonzero(where & ~taken)
        rows = np.sort(rng.choice(pool, min(DIRTY_ROWS[name], len(pool)), replace=False))
        taken[rows] = True
        targets[name] = rows
    return targets


def _dirty_tickets(rng: Any, t: dict[str, Any], targets: dict[str, Any]) -> dict[str, Any]:
    import numpy as np

    early = targets["first_response_before_created"]
    t["first"][early] = t["created"][early] - rng.integers(300, 3 * _HOUR, len(early))
    t["bad_created"][targets["unparseable_created_at"]] = True
    t["no_id"][targets["missing_ticket_id"]] = True
    # An older snapshot of a closed ticket: still open, as exported before it was solved.
    dup = targets["duplicate_ticket_id"]
    old = {key: values[dup].copy() for key, values in t.items()}
    span = old["updated"] - old["created"]
    old["updated"] = old["created"] + np.maximum(60, (span * rng.uniform(0.2, 0.5, len(dup))))
    old["updated"] = old["updated"].astype(np.int64)
    old["has_first"] &= old["first"] <= old["updated"]
    old["has_res"][:] = False
    old["status"] = np.where(old["has_first"], OPEN, NEW).astype(np.int8)
    old["replies"] = old["has_first"].astype(np.int64)
    old["creplies"][:] = 0
    old["reopens"][:] = 0
    old["handle"] = np.where(old["has_first"], np.round(old["handle"] / 2, 1), np.nan)
    n = len(t["num"])
    order = np.argsort(np.concatenate([np.arange(n) * 2, dup * 2 + 1]), kind="stable")
    return {key: np.concatenate([t[key], old[key]])[order] for key in t}


def _dirty_surveys(rng: Any, s: dict[str, Any]) -> None:
    import numpy as np

    csat = np.flatnonzero(s["kind"] == 0)
    if len(csat) < 2:
        return
    high, orphan = rng.choice(csat, 2, replace=False)
    s["score"][high] = 9
    s["num"][orphan] = 0  # ticket numbers start at 1: "T000000" matches no ticket


def _ticket_table(chunk: dict[str, Any], plan: _Plan, text: bool) -> pa.Table:
    import numpy as np
    import pyarrow as pa

    t = chunk["t"]
    ts = iso_text if text else _timestamps
    escalated = (
        _labels(t["escalated"].astype(np.int8), ("false", "true"))
        if text
        else pa.array(t["escalated"])
    )
    columns = (
        ids("T", t["num"], plan.widths[0], t["no_id"]),
        _fill(ts(t["created"], ~t["bad_created"]), UNPARSEABLE if text else None),
        ts(t["first"], t["has_first"]),
        ts(t["resolved"], t["has_res"]),
        _labels(t["status"], STATUSES),
        _labels(t["agent"], AGENTS),
        _labels(t["team"], TEAMS),
        _labels(t["channel"], CHANNELS),
        _labels(t["region"], REGIONS),
        _labels(t["priority"], PRIORITIES),
        _labels(t["topic"], TOPICS),
        ids("C", t["cust"], plan.widths[1], None),
        pa.array(t["replies"]),
        pa.array(t["creplies"]),
        pa.array(t["reopens"]),
        escalated,
        pa.array(t["handle"], from_pandas=True),
        ts(t["updated"], np.ones(len(t["num"]), dtype=bool)),
    )
    return pa.table(dict(zip(TICKET_HEADERS, columns, strict=True)))


def _survey_table(chunk: dict[str, Any], plan: _Plan, text: bool) -> pa.Table:
    import numpy as np
    import pyarrow as pa

    s = chunk["s"]
    ts = iso_text if text else _timestamps
    comment = pa.array(COMMENTS).take(pa.array(s["comment"], mask=s["comment"] < 0))
    columns = (
        ids("R", s["response"], plan.widths[2], None),
        ids("T", s["num"], plan.widths[0], None),
        ts(s["submitted"], np.ones(len(s["num"]), dtype=bool)),
        _labels(s["kind"], SURVEY_KINDS),
        pa.array(s["score"]),
        comment,
    )
    return pa.table(dict(zip(SURVEY_HEADERS, columns, strict=True)))


def _labels(codes: Any, names: Sequence[str]) -> pa.Array:
    import pyarrow as pa

    indices = pa.array(codes.astype("int8"), mask=codes < 0)
    return pa.DictionaryArray.from_arrays(indices, pa.array(list(names), pa.string()))


def _timestamps(seconds: Any, valid: Any) -> pa.Array:
    import pyarrow as pa

    return pa.array(seconds * 1_000_000, type=pa.timestamp("us", tz="UTC"), mask=~valid)


def _fill(values: pa.Array, text: str | None) -> pa.Array:
    import pyarrow.compute as pc

    return values if text is None else pc.fill_null(values, text)


def _next_opening(created: Any) -> Any:
    """The ticket's own time within Mon–Fri 08:00–18:00, else the next 08:00 on a weekday."""
    import numpy as np

    day, clock = created // _DAY, created % _DAY
    weekday = (day + 3) % 7
    open_now = (weekday < 5) & (clock >= 8 * _HOUR) & (clock < 18 * _HOUR)
    nxt = np.where(clock < 8 * _HOUR, day, day + 1)
    nxt_weekday = (nxt + 3) % 7
    nxt += np.where(nxt_weekday == 5, 2, np.where(nxt_weekday == 6, 1, 0))
    return np.where(open_now, created, nxt * _DAY + 8 * _HOUR)


def _draw(rng: Any, weights: Sequence[float], n: int) -> Any:
    return bucket(rng.random(n), weights)


def _lognormal(rng: Any, sigma: float, n: int) -> Any:
    """Lognormal factors with median 1."""
    import numpy as np

    return np.exp(sigma * rng.standard_normal(n))


def _normal_cuts(probs: Sequence[float]) -> Any:
    """Thresholds on a standard normal giving each ordinal score its share in `probs`."""
    from statistics import NormalDist

    import numpy as np

    cum = np.cumsum(probs)[:-1] / np.sum(probs)
    return np.asarray([NormalDist().inv_cdf(float(c)) for c in cum]) * 1.15
