"""Benchmarks (not tests): `make bench`, or `python bench/run.py [--sizes 1000000,10000000]`.

For each size it generates deterministic sample exports (12 months, `cskpi sample`) under
bench/data/, then times whole processes, paired and alternating, median of --runs:

- W (issue 7): 12-month window, agent × month, tickets created, FRT mean/median/p90, share of
  first responses within 60 min, mean resolution time, resolution rate, FCR, escalation rate,
  CSAT and NPS from surveys — through `cskpi report` and through DuckDB SQL (bench/duck_w.py)
  on the same Parquet and CSV files. cskpi's output is checked against DuckDB's before any
  time is reported.
- FRT median in calendar vs business hours (issue 5).
- One KPI (frt_median) from Parquet: the read-the-needed-columns path (issue 2).

Peak memory is the child's max RSS (os.wait4). Results go to stdout and bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent
CSKPI = str(BIN / "cskpi")
W_KPIS = (
    "tickets_created,frt_mean,frt_median,frt_p90,service_level,resolution_time_mean,"
    "resolution_rate,fcr_rate,escalation_rate,csat,nps"
)


def measure(cmd: list[str]) -> tuple[float, float]:
    """(seconds, peak RSS in GiB) of one whole process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{err}")
    return elapsed, usage.ru_maxrss / 2**20


def data_for(size: int) -> Path:
    folder = HERE / "data" / f"{size}"
    if not all(
        (folder / f"{name}.{fmt}").exists()
        for name in ("tickets", "surveys")
        for fmt in ("csv", "parquet")
    ):
        print(f"generating {size:,} tickets in {folder} ...", flush=True)
        subprocess.run(
            [CSKPI, "sample", "--tickets", str(size), "--months", "12", "--out", str(folder), "-q"],
            check=True,
        )
    return folder


def cskpi_w(tickets: Path, surveys: Path, out: Path) -> list[str]:
    return [
        CSKPI,
        "report",
        str(tickets),
        "--surveys",
        str(surveys),
        "-k",
        W_KPIS,
        "--by",
        "agent",
        "--period",
        "month",
        "--since",
        "2024-01-01",
        "--until",
        "2024-12-31",
        "-c",
        str(HERE / "workload.toml"),
        "-q",
        "-f",
        "csv",
        "-o",
        str(out),
    ]


def duck_w(tickets: Path, surveys: Path, out: Path) -> list[str]:
    return [sys.executable, str(HERE / "duck_w.py"), str(tickets), str(surveys), str(out)]


def check_same(ours: Path, theirs: Path) -> None:
    """cskpi's W equals DuckDB's on every group, bucket and KPI (1e-9 relative)."""

    def load(path: Path) -> dict[tuple[str, str], dict[str, str]]:
        with path.open(newline="", encoding="utf-8") as fh:
            return {(r["agent"], r["period"]): r for r in csv.DictReader(fh)}

    a, b = load(ours), load(theirs)
    if a.keys() != b.keys():
        raise SystemExit(f"row keys differ: {sorted(a.keys() ^ b.keys())[:5]}")
    for key, row in b.items():
        for kpi, value in row.items():
            if kpi in ("agent", "period"):
                continue
            mine = a[key][kpi]
            if (mine == "") != (value == ""):
                raise SystemExit(f"{key} {kpi}: cskpi {mine!r} vs duckdb {value!r}")
            if value and not math.isclose(float(mine), float(value), rel_tol=1e-9, abs_tol=1e-9):
                raise SystemExit(f"{key} {kpi}: cskpi {mine} vs duckdb {value}")


def paired(a: list[str], b: list[str], runs: int) -> dict[str, float]:
    times_a, times_b, mem_a, mem_b, ratios = [], [], [], [], []
    for _ in range(runs):
        ta, ma = measure(a)
        tb, mb = measure(b)
        times_a.append(ta), times_b.append(tb), mem_a.append(ma), mem_b.append(mb)
        ratios.append(ta / tb)
    return {
        "a": statistics.median(times_a),
        "b": statistics.median(times_b),
        "ratio": statistics.median(ratios),
        "mem_a": max(mem_a),
        "mem_b": max(mem_b),
    }


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = int(Path("/proc/meminfo").read_text().split()[1]) / 2**20
    except OSError:
        mem = float("nan")
    return (
        f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB RAM, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=os.environ.get("BENCH_SIZES", "1000000"))
    parser.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", "3")))
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    lines = [
        "# Benchmark results",
        "",
        f"Machine: {machine()}.",
        "",
        f"Command: `python bench/run.py --sizes {args.sizes} --runs {args.runs}` "
        "(`make bench`). Whole processes, paired and alternating; times are medians, "
        "ratio = median of paired ratios, memory = max RSS.",
        "",
    ]
    lines += [
        "| size | workload | input | cskpi s | other s | ratio | cskpi GiB | other GiB |",
        "|---:|---|---|---:|---:|---:|---:|---:|",
    ]
    out = HERE / "data" / "out"
    out.mkdir(parents=True, exist_ok=True)
    w_seconds: list[tuple[int, str, float]] = []
    for size in sizes:
        folder = data_for(size)
        for fmt in ("parquet", "csv"):
            tickets, surveys = folder / f"tickets.{fmt}", folder / f"surveys.{fmt}"
            ours, theirs = out / f"cskpi_{size}_{fmt}.csv", out / f"duck_{size}_{fmt}.csv"
            subprocess.run(cskpi_w(tickets, surveys, ours), check=True)
            subprocess.run(duck_w(tickets, surveys, theirs), check=True)
            check_same(ours, theirs)
            r = paired(cskpi_w(tickets, surveys, ours), duck_w(tickets, surveys, theirs), args.runs)
            w_seconds.append((size, fmt, r["a"]))
            lines.append(
                f"| {size:,} | W vs DuckDB | {fmt} | {r['a']:.2f} | {r['b']:.2f} | "
                f"{r['ratio']:.2f}× | {r['mem_a']:.2f} | {r['mem_b']:.2f} |"
            )
            print(lines[-1], flush=True)
        parquet = folder / "tickets.parquet"
        base = [
            CSKPI,
            "report",
            str(parquet),
            "-k",
            "frt_median",
            "--by",
            "agent",
            "-q",
            "-f",
            "csv",
            "-o",
            str(out / "frt.csv"),
            "-c",
            str(HERE / "business.toml"),
        ]
        r = paired([*base, "--business-hours"], [*base, "--calendar-hours"], args.runs)
        lines.append(
            f"| {size:,} | FRT median business vs calendar hours | parquet | "
            f"{r['a']:.2f} | {r['b']:.2f} | {r['ratio']:.2f}× | {r['mem_a']:.2f} | "
            f"{r['mem_b']:.2f} |"
        )
        print(lines[-1], flush=True)
        t, m = measure(
            [
                CSKPI,
                "report",
                str(parquet),
                "-k",
                "frt_median",
                "-q",
                "-f",
                "csv",
                "-o",
                str(out / "one.csv"),
            ]
        )
        lines.append(
            f"| {size:,} | one KPI (frt_median), whole process | parquet | {t:.2f} | "
            f"— | — | {m:.2f} | — |"
        )
        print(lines[-1], flush=True)
    w_times = {(size, fmt): t for size, fmt, t in w_seconds}
    for fmt in ("parquet", "csv"):
        known = sorted(size for size, f in w_times if f == fmt)
        for small, large in itertools.pairwise(known):
            growth = w_times[(large, fmt)] / w_times[(small, fmt)]
            lines.append(
                f"| {small:,} → {large:,} | W time growth ({large // small}× the tickets) | "
                f"{fmt} | {growth:.1f}× | — | — | — | — |"
            )
            print(lines[-1], flush=True)
    lines += ["", *startup(args.runs)]
    write_results("\n".join(lines))


def startup(runs: int) -> list[str]:
    """Start-up (issue 7): --help and --version import neither pandas nor pyarrow; a report
    on the 20-thousand-ticket sample."""
    sample = data_for(20000)
    rows = ["| command | s (median) |", "|---|---:|"]
    for cmd in (
        [CSKPI, "--version"],
        [CSKPI, "--help"],
        [CSKPI, "report", str(sample / "tickets.csv"), "--surveys", str(sample / "surveys.csv")],
    ):
        seconds = statistics.median(measure(cmd)[0] for _ in range(max(runs, 3)))
        shown = " ".join(Path(c).name if "/" in c else c for c in cmd)
        rows.append(f"| `{shown}` | {seconds:.2f} |")
        print(rows[-1], flush=True)
    return rows


START, END = "<!-- bench:start -->", "<!-- bench:end -->"


def write_results(measured: str) -> None:
    """Replace the measured part of bench/RESULTS.md; the notes and profile around it stay."""
    path = HERE / "RESULTS.md"
    text = path.read_text(encoding="utf-8") if path.exists() else f"{START}\n{END}\n"
    if START not in text or END not in text:
        text = f"{START}\n{END}\n\n{text}"
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    path.write_text(f"{head}{START}\n{measured}\n{END}{tail}", encoding="utf-8")


if __name__ == "__main__":
    main()
