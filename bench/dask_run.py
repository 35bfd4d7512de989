"""Benchmark of `--engine dask` (not a test): `make bench-dask`, or
`python bench/dask_run.py [--size 10000000] [--files 40] [--memory-limit 2GiB] [--no-local]
[--shape typed|sample]`.

Workload W (bench/run.py) on the typed shape (`gen_typed.py`, run from the shared folder) or
on `cskpi sample` files (`--shape sample`: text ids with duplicates, so tickets are shuffled
by id), the tickets and surveys split into `--files` Parquet files each. Two timings, whole
processes, alternating, `--runs` pairs:

- local: `cskpi report tickets.parquet --surveys surveys.parquet …` (one file each);
- dask: the same line on the split files with `--engine dask --scheduler ADDRESS`, against a
  cluster started here once: `dask scheduler` and two `dask worker` processes (one thread
  each, no nanny, `--memory-limit` each: past it Dask spills to disk).

The outputs must be identical (every agent × month, every KPI, as Parquet rows) before a
time counts. Reported: median times, their ratio, the client's peak RSS and each worker's
(VmHWM). The "Dask engine" section of bench/RESULTS.md is replaced; the rest stays.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import cskpi_w, machine, measure, sample_data, typed_data  # noqa: E402

BIN = Path(sys.executable).parent
ROOT = HERE.parent


def cskpi(cmd: list[str]) -> list[str]:
    """`cskpi …` as `python -m cskpi …` of this checkout (PYTHONPATH set in `main`)."""
    return [sys.executable, "-m", "cskpi", *cmd[1:]]


START, END = "<!-- bench-dask:start -->", "<!-- bench-dask:end -->"


def split(source: Path, folder: Path, files: int, offset: int = 0, first: int = 0) -> Path:
    """`source` as `files` Parquet files of consecutive rows (row groups streamed), named
    from `first` on; `offset` is added to the ticket ids."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(source)
    per = -(-pf.metadata.num_rows // files)
    writer, written, index = None, 0, first
    for batch in pf.iter_batches(batch_size=min(per, 1 << 18)):
        if offset:
            at = batch.schema.get_field_index("ticket_id")
            shifted = pc.add(batch.column(at), pa.scalar(offset, pa.int64()))
            batch = batch.set_column(at, "ticket_id", shifted)
        while batch.num_rows:
            if writer is None:
                writer = pq.ParquetWriter(folder / f"part-{index:03d}.parquet", batch.schema)
            take = min(batch.num_rows, per - written)
            writer.write_batch(batch.slice(0, take))
            batch, written = batch.slice(take), written + take
            if written == per:
                writer.close()
                writer, written, index = None, 0, index + 1
    if writer is not None:
        writer.close()
    return folder


class Cluster:
    """`dask scheduler` and two single-threaded `dask worker` processes."""

    def __init__(self, memory_limit: str, workers: int = 2) -> None:
        self.tmp = tempfile.mkdtemp(prefix="cskpi-bench-")
        self.file = os.path.join(self.tmp, "scheduler.json")
        env = {**os.environ, "PYTHONPATH": str(HERE.parent)}
        # what a nanny would set: freed memory goes back to the system, so that the memory
        # limit sees the data held, not the allocator's cache
        env |= {"MALLOC_TRIM_THRESHOLD_": "65536", "ARROW_DEFAULT_MEMORY_POOL": "system"}
        dask = str(BIN / "dask")
        self.scheduler = self.start(
            dask, "scheduler", "--scheduler-file", self.file, "--port", "0",
            "--dashboard-address", ":0", env=env,
        )  # fmt: skip
        deadline = time.time() + 60
        while not os.path.exists(self.file) and time.time() < deadline:
            time.sleep(0.2)
        worker = [dask, "worker", "--scheduler-file", self.file, "--nthreads", "1", "--no-nanny"]
        worker += ["--memory-limit", memory_limit, "--local-directory", self.tmp]
        self.workers = [self.start(*worker, env=env) for _ in range(workers)]
        from distributed import Client

        with Client(scheduler_file=self.file, timeout="60s") as client:
            client.wait_for_workers(workers, timeout=120)
            self.address = client.scheduler.address

    @staticmethod
    def start(*cmd: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
        return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)

    def peaks(self) -> list[float]:
        """Each worker's peak resident memory so far (GiB)."""
        out = []
        for proc in self.workers:
            text = Path(f"/proc/{proc.pid}/status").read_text()
            kib = next(
                int(line.split()[1]) for line in text.splitlines() if line.startswith("VmHWM")
            )
            out.append(kib / 2**20)
        return out

    def close(self) -> None:
        import shutil

        for proc in [*self.workers, self.scheduler]:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)


def same(a: Path, b: Path) -> None:
    import pyarrow.parquet as pq

    ta, tb = pq.read_table(a), pq.read_table(b)
    if not ta.equals(tb):
        raise SystemExit(f"the dask engine's W differs from the local engine's: {a} vs {b}")


def sample_parts(size: int, files: int) -> tuple[Path, Path, Path]:
    """`cskpi sample` data of `size` tickets split into `files` files (tickets, surveys), and
    the folder of the whole files."""
    import shutil

    whole = sample_data(size)
    folder = HERE / "data" / f"sample_{size}_{files}files"
    tickets, surveys = folder / "tickets", folder / "surveys"
    if not (folder / "done").exists():
        shutil.rmtree(folder, ignore_errors=True)
        tickets.mkdir(parents=True), surveys.mkdir(parents=True)
        split(whole / "tickets.parquet", tickets, files)
        split(whole / "surveys.parquet", surveys, files)
        (folder / "done").touch()
    return tickets, surveys, whole


def parts_of(size: int, files: int) -> tuple[Path, Path, Path]:
    """The typed data of `size` tickets split into `files` files (tickets, surveys), and the
    folder of the whole files. Above 10 M: 10 M per gen_typed seed (42, 43, …), the ticket
    ids of seed k shifted by k × 10 M (one 50 M generation needs more memory than this
    machine should lend it); the local engine then reads the same files."""
    import shutil

    chunk = min(size, 10_000_000)
    seeds = size // chunk
    folder = HERE / "data" / f"typed_{size}_{files}files"
    tickets, surveys = folder / "tickets", folder / "surveys"
    done = folder / "done"
    if done.exists():
        return tickets, surveys, typed_data(chunk) if seeds == 1 else tickets
    shutil.rmtree(folder, ignore_errors=True)
    tickets.mkdir(parents=True), surveys.mkdir(parents=True)
    for k in range(seeds):
        source = typed_data(chunk) if k == 0 else seeded(chunk, 42 + k)
        split(source / "tickets.parquet", tickets, files // seeds, k * chunk, k * (files // seeds))
        split(source / "surveys.parquet", surveys, files // seeds, k * chunk, k * (files // seeds))
        if k:
            shutil.rmtree(source)  # 10 M tickets: 2 GB of Parquet and CSV, not kept
    done.touch()
    return tickets, surveys, typed_data(chunk) if seeds == 1 else tickets


def seeded(size: int, seed: int) -> Path:
    folder = HERE / "data" / f"typed_{size}_seed{seed}"
    if (folder / "tickets.parquet").exists() and (folder / "surveys.parquet").exists():
        return folder
    gen = HERE.parent.parent / "shared" / "bench" / "gen_typed.py"
    if not gen.exists():
        gen = HERE / "anchors" / "gen_typed.py"
    print(f"generating {size:,} typed tickets, seed {seed} ...", flush=True)
    cmd = [sys.executable, str(gen), str(size), "--seed", str(seed), "--out", str(folder)]
    subprocess.run([*cmd, "--tag", "g"], check=True, stdout=subprocess.DEVNULL)
    for path in folder.glob("*_g.*"):
        path.rename(folder / path.name.replace("_g.", "."))
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000_000)
    parser.add_argument("--files", type=int, default=40)
    parser.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", "3")))
    parser.add_argument("--memory-limit", default="auto")
    parser.add_argument("--no-local", action="store_true", help="time the dask engine only")
    parser.add_argument("--shape", choices=("typed", "sample"), default="typed")
    args = parser.parse_args()
    os.environ["PYTHONPATH"] = str(ROOT)  # the children run this checkout's cskpi
    typed = args.shape == "typed"
    parts = parts_of if typed else sample_parts
    tickets, surveys, whole = parts(args.size, args.files)
    out = HERE / "data" / "out"
    out.mkdir(parents=True, exist_ok=True)
    local_out = out / f"local_{args.shape}_{args.size}.parquet"
    dask_out = out / f"dask_{args.shape}_{args.size}.parquet"
    if whole == tickets:  # the local engine reads the same files
        local_in = (tickets / "*.parquet", surveys / "*.parquet")
    else:  # one file each
        local_in = (whole / "tickets.parquet", whole / "surveys.parquet")
    local_cmd = cskpi(cskpi_w(*local_in, local_out, typed))
    cluster = Cluster(args.memory_limit)
    try:
        dask_cmd = [*cskpi(cskpi_w(tickets, surveys, dask_out, typed)), "--engine", "dask",
                    "--scheduler", cluster.address]  # fmt: skip
        times_l, times_d, mem_l, mem_d = [], [], [], []
        for run in range(args.runs):
            if not args.no_local:
                t, m = measure(local_cmd)
                times_l.append(t), mem_l.append(m)
            t, m = measure(dask_cmd)
            times_d.append(t), mem_d.append(m)
            print(f"run {run + 1}: local {times_l[-1] if times_l else float('nan'):.1f} s, "
                  f"dask {t:.1f} s", flush=True)  # fmt: skip
            if run == 0 and not args.no_local:
                same(local_out, dask_out)
        workers = cluster.peaks()
    finally:
        cluster.close()
    local_s = statistics.median(times_l) if times_l else float("nan")
    dask_s = statistics.median(times_d)
    row = (
        f"| {args.size:,} | {args.shape} | {args.files} | {args.memory_limit} | "
        + (f"{local_s:.1f} | {max(mem_l):.2f} | " if times_l else "— | — | ")
        + f"{dask_s:.1f} | {max(mem_d):.2f} | "
        + " / ".join(f"{w:.2f}" for w in workers)
        + " | "
        + (f"{dask_s / local_s:.2f}× |" if times_l else "— |")
    )
    print(row, flush=True)
    write_results(row, args)


def write_results(row: str, args: argparse.Namespace) -> None:
    """Add (or replace) this size's row in the Dask section of bench/RESULTS.md."""
    path = HERE / "RESULTS.md"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    head = [
        "## Dask engine (`make bench-dask`, bench/dask_run.py)",
        "",
        f"Machine: {machine()}. W on each shape (typed: `gen_typed.py`; sample: `cskpi "
        "sample`) split into Parquet files; local = one "
        "file, one process; dask = `--engine dask --scheduler` against a cluster of two "
        "single-threaded `dask worker` processes (no nanny) started once; outputs identical "
        "(Parquet tables equal) before a time counts. Times are medians of the runs made "
        "(see the notes); GiB = peak "
        "RSS (client: the `cskpi` process; workers: VmHWM).",
        "",
        "| tickets | shape | files | worker limit | local s | local GiB | dask s | client GiB "
        "| workers GiB | dask / local |",
        "|---:|---|---:|---|---:|---:|---:|---:|---|---:|",
    ]
    rows: list[str] = []
    if START in text and END in text:
        before, rest = text.split(START, 1)
        section, after = rest.split(END, 1)
        rows = [r for r in section.splitlines() if r.startswith("| ") and r[2].isdigit()]
        # rows written before the shape column were the typed shape's
        rows = [r if r.split("|")[2].strip() in ("typed", "sample") else
                r.replace(" | ", " | typed | ", 1) for r in rows]  # fmt: skip
    else:
        before, after = text.rstrip("\n") + "\n\n", "\n"
    key = row.split("|")[1:5]
    rows = [r for r in rows if r.split("|")[1:5] != key] + [row]
    body = "\n".join([*head, *rows])
    path.write_text(f"{before}{START}\n{body}\n{END}{after}", encoding="utf-8")


if __name__ == "__main__":
    main()
