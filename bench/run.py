"""Benchmarks (not tests): `make bench`, or `python bench/run.py [--sizes 1000000,10000000]`.

Workload W (the anchors' README): 12-month window 2024, `--by agent --period month`, eleven
KPIs, `[[sla]] first_response = "1h"`, `resolution = "72h"` — timed through `cskpi report`
against the team's shared DuckDB anchors, run unchanged from the shared folder beside the
repository (`bench/anchors/` holds byte-identical copies, checked against them, used only when
that folder is absent), on both data shapes and both formats:

- shape 1, typed warehouse extract (`gen_typed.py`): anchor `w_duckdb.py`; cskpi's output must
  equal the anchor's (every agent × month, every KPI, 1e-9 relative) before a time counts;
- shape 2, `cskpi sample` files (vendor headers, string ids, a few broken rows): anchor
  `w_duckdb_sample.py`; times only (cskpi drops the broken and duplicate rows the anchor keeps).

Whole processes, alternating cskpi / anchor, --runs pairs (at least 5 by default); time =
median, ratio = median of the paired ratios, peak = max RSS of the command (os.wait4 in `bench/measure.py`,
a small launcher: a child spawned by this driver itself would inherit its high-water mark). Then the
start-up figures. Every goal of the performance issue is printed as met or not, and the
measured part of bench/RESULTS.md is replaced (the notes around it stay).
"""

from __future__ import annotations

import argparse
import filecmp
import itertools
import math
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHARED = ROOT.parent / "shared" / "bench"
"""The team's anchors, run from where they are kept, unchanged."""
COPIES = HERE / "anchors"
"""Byte-identical copies, for a checkout without the shared folder beside it."""
ANCHORS = SHARED if SHARED.is_dir() else COPIES
BIN = Path(sys.executable).parent
CSKPI = str(BIN / "cskpi")
W_KPIS = (
    "tickets_created,frt_mean,frt_median,frt_p90,frt_sla_rate,resolution_time_mean,"
    "resolution_rate,fcr_rate,escalation_rate,csat,nps"
)
GIB = 2**30
COUNTS = ("tickets_created",)
"""W's counts: where an agent has surveys or resolutions in a month but created no ticket,
the anchor's outer join leaves NULL and cskpi says 0 (KPIS.md: a count is never null)."""


def measure(cmd: list[str]) -> tuple[float, float]:
    """(seconds, peak RSS in GiB) of one whole process (`measured`)."""
    seconds, peak, _ = measured(cmd)
    return seconds, peak


def measured(cmd: list[str]) -> tuple[float, float, float]:
    """(seconds, peak RSS in GiB, fresh memory written in GiB) of one whole process, started by
    `bench/measure.py` so that this driver's own memory high-water mark is not counted as the
    command's (see there, also for what counts as fresh memory)."""
    launcher = [sys.executable, "-S", str(HERE / "measure.py"), *cmd]
    proc = subprocess.run(launcher, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr}")
    seconds, kib, fresh = proc.stdout.split()
    return float(seconds), int(kib) * 1024 / GIB, int(fresh) * 1024 / GIB


def check_anchors() -> None:
    """The anchors run unchanged: from the shared folder, and our copies equal them byte for
    byte (so a run without the shared folder times the same scripts)."""
    names = ("w_duckdb.py", "w_duckdb_sample.py", "gen_typed.py")
    if ANCHORS is COPIES:
        print(f"(the shared anchors are not beside the repository; using the copies in {COPIES})")
        return
    for name in names:
        if not filecmp.cmp(COPIES / name, SHARED / name, shallow=False):
            raise SystemExit(f"bench/anchors/{name} differs from the shared anchor: copy it again")


def compile_cskpi() -> None:
    """Compile the cskpi the timed processes import, once, as `pip install` does: a checkout
    read with PYTHONDONTWRITEBYTECODE set otherwise compiles every module in every process
    (about 0.25 s of each start-up figure on the 2-core machine)."""
    where = subprocess.run(
        [sys.executable, "-c", "import cskpi, os; print(os.path.dirname(cskpi.__file__))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    cmd = [sys.executable, "-m", "compileall", "-q", where]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


def typed_data(size: int) -> Path:
    folder = HERE / "data" / f"typed_{size}"
    wanted = [folder / f"{n}.{f}" for n in ("tickets", "surveys") for f in ("parquet", "csv")]
    if not all(p.exists() for p in wanted):
        print(f"generating {size:,} typed tickets in {folder} ...", flush=True)
        tag = "g"
        cmd = [sys.executable, str(ANCHORS / "gen_typed.py"), str(size), "--out", str(folder)]
        subprocess.run([*cmd, "--tag", tag], check=True, stdout=subprocess.DEVNULL)
        for path in folder.glob(f"*_{tag}.*"):
            path.rename(folder / path.name.replace(f"_{tag}.", "."))
    return folder


def sample_data(size: int) -> Path:
    folder = HERE / "data" / f"sample_{size}"
    wanted = [folder / f"{n}.{f}" for n in ("tickets", "surveys") for f in ("parquet", "csv")]
    if not all(p.exists() for p in wanted):
        print(f"generating {size:,} sample tickets in {folder} ...", flush=True)
        cmd = [CSKPI, "sample", "--tickets", str(size), "--months", "12", "--out", str(folder)]
        subprocess.run([*cmd, "-q"], check=True)
    return folder


def cskpi_w(tickets: Path, surveys: Path, out: Path, typed: bool) -> list[str]:
    mapping = ["--map", "reopens=reopened"] if typed else []
    return [
        CSKPI, "report", str(tickets), "--surveys", str(surveys), "-c", str(HERE / "w.toml"),
        *mapping, "--since", "2024-01-01", "--until", "2024-12-31", "--tz", "UTC",
        "--by", "agent", "--period", "month", "-k", W_KPIS, "-q", "-o", str(out),
    ]  # fmt: skip


def anchor_w(tickets: Path, surveys: Path, out: Path, typed: bool) -> list[str]:
    script = ANCHORS / ("w_duckdb.py" if typed else "w_duckdb_sample.py")
    return [sys.executable, str(script), str(tickets), str(surveys), str(out)]


def check_same(ours: Path, theirs: Path) -> None:
    """cskpi's W equals the anchor's on every agent × month and KPI (1e-9 relative)."""
    import pyarrow.parquet as pq

    def rows(path: Path) -> dict[tuple[str, str], dict[str, object]]:
        table = pq.read_table(path).to_pylist()
        return {(str(r["agent"]), str(r["period"])): r for r in table}

    a, b = rows(ours), rows(theirs)
    if a.keys() != b.keys():
        raise SystemExit(f"row keys differ: {sorted(a.keys() ^ b.keys())[:5]}")
    for key, row in b.items():
        for kpi, value in row.items():
            if kpi in ("agent", "period"):
                continue
            mine = a[key][kpi]
            if kpi in COUNTS and value is None:
                value = 0  # a count over no tickets is 0 in cskpi's contract, NULL in the SQL
            if (mine is None) != (value is None):
                raise SystemExit(f"{key} {kpi}: cskpi {mine!r} vs anchor {value!r}")
            if value is not None and not math.isclose(
                float(mine),
                float(value),
                rel_tol=1e-9,
                abs_tol=1e-9,  # type: ignore[arg-type]
            ):
                raise SystemExit(f"{key} {kpi}: cskpi {mine} vs anchor {value}")


def paired(a: list[str], b: list[str], runs: int) -> dict[str, float]:
    times_a, times_b, mem_a, mem_b, ratios = [], [], [], [], []
    fresh_a, fresh_b = [], []
    for _ in range(runs):
        ta, ma, fa = measured(a)
        tb, mb, fb = measured(b)
        times_a.append(ta), times_b.append(tb), mem_a.append(ma), mem_b.append(mb)
        fresh_a.append(fa), fresh_b.append(fb)
        ratios.append(ta / tb)
    return {
        "a": statistics.median(times_a),
        "b": statistics.median(times_b),
        "ratio": statistics.median(ratios),
        "mem_a": max(mem_a),
        "mem_b": max(mem_b),
        "fresh_a": statistics.median(fresh_a),
        "fresh_b": statistics.median(fresh_b),
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


def startup(runs: int) -> dict[str, float]:
    """--version, --help (neither imports pandas) and a report on the 20 k sample."""
    sample = sample_data(20000)
    out = {}
    for name, cmd in (
        ("--version", [CSKPI, "--version"]),
        ("--help", [CSKPI, "--help"]),
        ("20 k sample report", [CSKPI, "report", str(sample / "tickets.csv"), "--surveys",
                                str(sample / "surveys.csv")]),
    ):  # fmt: skip
        out[name] = statistics.median(measure(cmd)[0] for _ in range(max(runs, 3)))
    return out


def goals(w: dict[tuple[str, str, int], dict[str, float]], start: dict[str, float]) -> list[str]:
    """Each goal of the performance issue, measured at the largest size run."""
    big = max(size for _, _, size in w)
    rows = ["| goal | measured | met |", "|---|---|---|"]

    def goal(text: str, value: str, met: bool) -> None:
        rows.append(f"| {text} | {value} | {'yes' if met else '**no**'} |")

    def at(shape: str, fmt: str) -> dict[str, float] | None:
        return w.get((shape, fmt, big))

    if r := at("typed", "parquet"):
        goal(f"W, {big:,} typed Parquet ≤ 2.0× w_duckdb.py", f"{r['ratio']:.2f}×", r["ratio"] <= 2)
        goal(f"W, {big:,} typed Parquet peak ≤ 1.0 GiB", f"{r['mem_a']:.2f} GiB", r["mem_a"] <= 1)
    if r := at("sample", "parquet"):
        goal(f"W, {big:,} sample Parquet ≤ 2.0× w_duckdb_sample.py", f"{r['ratio']:.2f}×",
             r["ratio"] <= 2)  # fmt: skip
    for shape in ("typed", "sample"):
        if r := at(shape, "csv"):
            goal(f"W, {big:,} {shape} CSV ≤ 1.5× its anchor", f"{r['ratio']:.2f}×",
                 r["ratio"] <= 1.5)  # fmt: skip
    if r := at("typed", "csv"):
        goal(f"W, {big:,} typed CSV peak ≤ 1.5 GiB", f"{r['mem_a']:.2f} GiB", r["mem_a"] <= 1.5)
    sizes = sorted({size for _, _, size in w})
    for (shape, fmt), (small, large) in itertools.product(
        itertools.product(("typed", "sample"), ("parquet", "csv")), itertools.pairwise(sizes)
    ):
        if (shape, fmt, small) in w and (shape, fmt, large) in w:
            growth = w[(shape, fmt, large)]["a"] / w[(shape, fmt, small)]["a"]
            goal(f"{small:,} → {large:,} at most linear ({shape} {fmt})",
                 f"{growth:.1f}× for {large // small}× the rows", growth <= large / small)  # fmt: skip
    goal("`--help` < 0.3 s", f"{start['--help']:.2f} s", start["--help"] < 0.3)
    goal("20 k sample report < 1.5 s", f"{start['20 k sample report']:.2f} s",
         start["20 k sample report"] < 1.5)  # fmt: skip
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=os.environ.get("BENCH_SIZES", "1000000,10000000"))
    parser.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", "5")))
    parser.add_argument("--shapes", default="typed,sample")
    parser.add_argument("--formats", default="parquet,csv")
    args = parser.parse_args()
    check_anchors()
    compile_cskpi()
    sizes = [int(s) for s in args.sizes.split(",")]
    lines = [
        "# Benchmark results",
        "",
        f"Machine: {machine()}.",
        "",
        f"Command: `python bench/run.py --sizes {args.sizes} --runs {args.runs}` (`make bench`). "
        "Whole processes, paired and alternating; times are medians, ratio = median of paired "
        "ratios, peak = max RSS, fresh = memory the process's page faults mapped (median; "
        "`bench/measure.py`). Anchors: the shared DuckDB scripts, unchanged, run from "
        f"{'the shared folder' if ANCHORS is SHARED else 'bench/anchors/ (byte-identical copies)'}.",
        "",
        "| size | shape | input | cskpi s | anchor s | ratio | cskpi GiB | anchor GiB "
        "| cskpi fresh GiB | anchor fresh GiB |",
        "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    out = HERE / "data" / "out"
    out.mkdir(parents=True, exist_ok=True)
    w: dict[tuple[str, str, int], dict[str, float]] = {}
    for size in sizes:
        for shape in args.shapes.split(","):
            typed = shape == "typed"
            folder = typed_data(size) if typed else sample_data(size)
            for fmt in args.formats.split(","):
                tickets, surveys = folder / f"tickets.{fmt}", folder / f"surveys.{fmt}"
                ours = out / f"cskpi_{shape}_{size}_{fmt}.parquet"
                theirs = out / f"anchor_{shape}_{size}_{fmt}.parquet"
                a, b = (
                    cskpi_w(tickets, surveys, ours, typed),
                    anchor_w(tickets, surveys, theirs, typed),
                )
                if typed:  # the output first: a time counts only for the same numbers
                    subprocess.run(a, check=True)
                    subprocess.run(b, check=True)
                    check_same(ours, theirs)
                r = w[(shape, fmt, size)] = paired(a, b, args.runs)
                lines.append(
                    f"| {size:,} | {shape} | {fmt} | {r['a']:.2f} | {r['b']:.2f} | "
                    f"{r['ratio']:.2f}× | {r['mem_a']:.2f} | {r['mem_b']:.2f} | "
                    f"{r['fresh_a']:.2f} | {r['fresh_b']:.2f} |"
                )
                print(lines[-1], flush=True)
    start = startup(args.runs)
    lines += ["", "| command | s (median) |", "|---|---:|"]
    lines += [f"| `cskpi {name}` | {seconds:.2f} |" for name, seconds in start.items()]
    lines += ["", "Goals:", "", *goals(w, start)]
    print("\n".join(lines[-(len(goals(w, start)) + 1) :]), flush=True)
    write_results("\n".join(lines))


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
