"""Benchmark: deriving ticket columns from 10 M messages vs just reading them (issue 10).

    python bench/messages.py --messages 10000000 --format parquet csv

Writes synthetic tickets, messages and status changes under bench/data/messages/ (not
committed), then times, in this process and per format: reading + normalising the messages
(`read_conversation`), reading the status changes, and the derivation (`fold`: one sort by
(ticket, time), array passes, list columns). Target: derivation within 2x of reading.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cskpi.load.fold import fold
from cskpi.load.messages import read_conversation
from cskpi.load.normalize import LoadOptions, read_frame
from cskpi.load.schema import Frame

OUT = Path(__file__).resolve().parent / "data" / "messages"
ROLES = np.array(["customer", "agent", "bot", "system"])
STATUSES = np.array(["open", "pending", "solved", "open", "solved"])


def generate(n_messages: int, seed: int = 10) -> dict[str, pa.Table]:
    """~5 messages and ~2.5 status changes per ticket, shuffled in time order across tickets
    (as an incremental export is), so the derivation has to sort."""
    rng = np.random.default_rng(seed)
    n_tickets = max(n_messages // 5, 1)
    start = np.datetime64("2024-01-01T00:00:00", "s").astype("int64")
    created = start + rng.integers(0, 180 * 86400, n_tickets)
    ids = pa.array(np.char.add("T", np.arange(n_tickets).astype(str)))
    ticket = rng.integers(0, n_tickets, n_messages)
    at = created[ticket] + rng.exponential(6 * 3600, n_messages).astype("int64")
    role = ROLES[rng.choice(4, n_messages, p=[0.45, 0.4, 0.1, 0.05])]
    public = rng.random(n_messages) < 0.9
    order = np.argsort(at, kind="stable")
    n_events = n_tickets * 5 // 2
    e_ticket = rng.integers(0, n_tickets, n_events)
    e_at = created[e_ticket] + rng.exponential(24 * 3600, n_events).astype("int64")
    e_order = np.argsort(e_at, kind="stable")

    def stamps(seconds: np.ndarray) -> pa.Array:
        return pa.array(seconds.astype("datetime64[s]")).cast(pa.timestamp("s", tz="UTC"))

    return {
        "tickets": pa.table({"ticket_id": ids, "created_at": stamps(created)}),
        "messages": pa.table(
            {
                "ticket_id": ids.take(pa.array(ticket[order])),
                "created_at": stamps(at[order]),
                "author_role": pa.array(role[order]),
                "public": pa.array(public[order]),
            }
        ),
        "events": pa.table(
            {
                "ticket_id": ids.take(pa.array(e_ticket[e_order])),
                "at": stamps(e_at[e_order]),
                "status": pa.array(STATUSES[rng.integers(0, 5, n_events)]),
            }
        ),
    }


def write(tables: dict[str, pa.Table], fmt: str) -> dict[str, str]:
    OUT.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, table in tables.items():
        path = OUT / f"{name}.{fmt}"
        if fmt == "parquet":
            pq.write_table(table, path)
        else:
            text = table.set_column(1, table.column_names[1], pc_iso(table.column(1)))
            pacsv.write_csv(text, path)
        paths[name] = str(path)
    return paths


def pc_iso(column: pa.ChunkedArray) -> pa.Array:
    import pyarrow.compute as pc

    return pc.strftime(column, format="%Y-%m-%dT%H:%M:%SZ")


def timed(label: str, fn, *args):  # type: ignore[no-untyped-def]
    began = time.perf_counter()
    out = fn(*args)
    took = time.perf_counter() - began
    print(f"  {label:<34} {took:7.2f} s", flush=True)
    return out, took


def run(fmt: str, paths: dict[str, str]) -> None:
    options = LoadOptions()
    print(f"{fmt}:")
    tickets, _ = timed("read tickets", read_frame, [paths["tickets"]], Frame.TICKETS, options)
    messages, read_m = timed(
        "read messages", read_conversation, [paths["messages"]], Frame.MESSAGES, options
    )
    events, read_e = timed(
        "read events", read_conversation, [paths["events"]], Frame.EVENTS, options
    )
    _, derive_m = timed("derive from messages", fold, tickets, messages, None, options.config)
    _, derive_all = timed(
        "derive from messages + events", fold, tickets, messages, events, options.config
    )
    print(f"  ratio derive/read, messages:          {derive_m / read_m:5.2f}x")
    print(f"  ratio derive/read, messages + events: {derive_all / (read_m + read_e):5.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000_000)
    parser.add_argument(
        "--format", nargs="+", default=["parquet", "csv"], choices=["parquet", "csv"]
    )
    args = parser.parse_args()
    tables = generate(args.messages)
    print(
        f"{args.messages:,} messages, {tables['tickets'].num_rows:,} tickets, "
        f"{tables['events'].num_rows:,} status changes"
    )
    for fmt in args.format:
        run(fmt, write(tables, fmt))


if __name__ == "__main__":
    main()
